import Testing
import VMCtlKit

@Suite struct GuestCopyTests {
    let ssh = SSHCommand(user: "debian", host: "10.0.0.5", hostKeys: .known(KnownHost(file: "/v/known_hosts", alias: "web1")), privateKey: "/k/id")

    @Test func toAGuest() throws {
        let copy = try GuestCopy(operands: ["./a.txt", "/srv/b dir", "web1:/tmp/"], recursive: false)
        #expect(copy.vm == "web1" && copy.direction == .toGuest)
        #expect(copy.scpArguments(ssh) == [
            "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/v/known_hosts", "-o", "HostKeyAlias=web1",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "-P", "22", "-B", "-i", "/k/id", "-o", "IdentitiesOnly=yes",
            "--", "./a.txt", "/srv/b dir", "debian@10.0.0.5:/tmp/",
        ])
    }

    @Test func fromAGuestRecursivelyAndOverIPv6() throws {
        let copy = try GuestCopy(operands: ["web1:/var/log", "web1:notes", "out"], recursive: true)
        #expect(copy.direction == .fromGuest && copy.sources == ["/var/log", "notes"] && copy.destination == "out")
        let v6 = SSHCommand(user: "root", host: "fd00::5", hostKeys: .known(KnownHost(file: "/v/known_hosts", alias: "web1")))
        #expect(copy.scpArguments(v6).suffix(4) == ["--", "root@[fd00::5]:/var/log", "root@[fd00::5]:notes", "out"])
        #expect(copy.scpArguments(v6).contains("-r"))
    }

    @Test func operandsAsScpReadsThem() throws {
        #expect(try CopyEndpoint.parse("web1:", field: "f") == .guest(vm: "web1", path: ""))
        #expect(try CopyEndpoint.parse("dir/a:b", field: "f") == .local("dir/a:b"))
        #expect(try CopyEndpoint.parse("./web1:x", field: "f") == .local("./web1:x"))
        #expect(try CopyEndpoint.parse("/abs:x", field: "f") == .local("/abs:x"))
        #expect(try CopyEndpoint.parse("plain", field: "f") == .local("plain"))
    }

    @Test(arguments: [
        (["web1:/a"], "paths: give at least one source and a destination, e.g. vm scp ./file web1:/tmp/"),
        (["a", "b"], "destination: one side must be a VM path written NAME:PATH"),
        (["web1:/a", "web2:/b"], "source: copying from one VM to another is not supported; copy through this machine"),
        (["web1:/a", "web2:/b", "."], "source: all sources must be in one VM ('web1' and 'web2')"),
        (["a", ":/tmp"], "destination: ':/tmp' names no VM before ':'"),
        (["", "web1:/tmp"], "source: empty path"),
    ])
    func badOperandsAreOneLineNamingTheField(operands: [String], message: String) {
        let error = #expect(throws: VMCtlError.self) { try GuestCopy(operands: operands, recursive: false) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
    }
}
