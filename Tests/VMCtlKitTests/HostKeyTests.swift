import Foundation
import Glibc
import HostCheck
import NoCloud
import Testing
@testable import VMCtlKit

private func hostKeyScratch(_ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-hostkeys-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try body(directory)
}

/// Known host keys: made by ssh-keygen, kept in vmctl's own known_hosts
/// (one alias per VM), fingerprinted as OpenSSH does, compared with what a
/// guest presents, and learnt from a serial console when vmctl made none.
@Suite struct HostKeyTests {
    static let a = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxlY3JldGxlY3JldGxlY3JldGxlY3JldGxlY3JldGxl"
    static let b = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG90aGVyb3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcm90"
    static let e = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA=="

    @Test func sha256MatchesTheStandardsVectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func madeKeysAreOpenSSHsAndTheirFingerprintsAreSSHKeygens() throws {
        try hostKeyScratch { directory in
            // In a scratch folder of the test's own: other tests make keys in the shared one at the same time.
            let scratch = directory + "/scratch"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
            let keys = try HostKeyMaker.make(scratch: scratch)
            #expect(keys.map(\.type) == [.ed25519, .ecdsa])
            var config = SeedConfig(hostname: "m", instanceID: "i")
            config.sshHostKeys = keys
            #expect(config.validationErrors().isEmpty, "\(config.validationErrors())")
            #expect(try HostKeyMaker.make(scratch: scratch).map(\.publicKey) != keys.map(\.publicKey))
            // Nothing is left in the scratch folder.
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
            for key in keys {
                let file = directory + "/\(key.type.rawValue).pub"
                try key.publicKey.write(toFile: file, atomically: true, encoding: .utf8)
                let run = try ChildProcess.run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", file])
                let fingerprint = run.output.split(separator: " ").dropFirst().first.map(String.init)
                #expect(fingerprint != nil && HostKeyFingerprint.of(key.publicKey) == fingerprint, "\(run.output)")
            }
        }
    }

    @Test func knownHostsTextIsEditedPerAlias() {
        let text = "# mine\nweb1 \(Self.a) vmctl\nweb2,10.0.0.2 \(Self.b)\n@revoked web1 \(Self.b)\n"
        #expect(KnownHostsText.keys(for: "web1", in: text) == [Self.a])
        #expect(KnownHostsText.keys(for: "10.0.0.2", in: text) == [Self.b])
        #expect(KnownHostsText.keys(for: "web", in: text).isEmpty)
        let replaced = KnownHostsText.replacing(alias: "web1", with: [Self.b + " comment", Self.e], in: text)
        #expect(replaced == "# mine\nweb2,10.0.0.2 \(Self.b)\n@revoked web1 \(Self.b)\nweb1 \(Self.b)\nweb1 \(Self.e)\n")
        #expect(KnownHostsText.replacing(alias: "web1", with: [], in: "web1 \(Self.a)\n\n") == "")
    }

    @Test func theFileIsOwnedRootsAndNeverALink() throws {
        try hostKeyScratch { directory in
            let file = directory + "/labs/l/known_hosts"
            let one = KnownHost(file: file, alias: "l-a"), two = KnownHost(file: file, alias: "l-b")
            try one.record([Self.a, Self.e])
            try two.record([Self.b])
            #expect(try one.keys() == [Self.a, Self.e] && two.keys() == [Self.b])
            var info = stat()
            #expect(lstat(file, &info) == 0 && info.st_mode & 0o7777 == 0o600)
            try one.record([Self.b])
            #expect(try one.keys() == [Self.b] && two.keys() == [Self.b])
            try one.remove()
            #expect(try one.keys().isEmpty && two.keys() == [Self.b])
            try two.remove()
            #expect(!FileManager.default.fileExists(atPath: file))
            try one.remove()  // nothing to remove: no error

            // A link put in its place is refused, never followed.
            let target = directory + "/elsewhere"
            try "x \(Self.a)\n".write(toFile: target, atomically: true, encoding: .utf8)
            symlink(target, file)
            #expect(throws: VMCtlError.self) { try one.keys() }
            #expect(throws: VMCtlError.self) { try one.remove() }
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "x \(Self.a)\n")
        }
    }

    @Test func aGuestWithAnotherKeyIsRefusedOnOneLineWithBothFingerprints() throws {
        let expected = try #require(HostKeyFingerprint.of(Self.a)), presented = try #require(HostKeyFingerprint.of(Self.b))
        let line = try #require(HostKeyCheck.mismatch(vm: "web1", address: "10.0.0.5", known: [Self.a, Self.e], presented: [Self.b]))
        #expect(line == "web1: host key mismatch at 10.0.0.5: expected ED25519 \(expected), presented ED25519 \(presented); "
                + "refusing to connect (another guest answers there, or this guest's host key was replaced)")
        #expect(!line.contains("\n"))
        // One known key among the presented ones is enough; keys of other types are not compared.
        #expect(HostKeyCheck.mismatch(vm: "web1", address: "a", known: [Self.a, Self.e], presented: [Self.b, Self.e]) == nil)
        #expect(HostKeyCheck.mismatch(vm: "web1", address: "a", known: [Self.a], presented: [Self.e]) == nil)
        #expect(HostKeyCheck.mismatch(vm: "web1", address: "a", known: [Self.a], presented: []) == nil)
        #expect(HostKeyCheck.scanned("# 10.0.0.5:22 SSH-2.0-OpenSSH_9.2p1\n10.0.0.5 \(Self.b)\n") == [Self.b])
    }

    @Test func sshsOwnRefusalBecomesTheSameLine() throws {
        let presented = try #require(HostKeyFingerprint.of(Self.b))
        let errors = """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
            Someone could be eavesdropping on you right now (man-in-the-middle attack)!
            It is also possible that a host key has just been changed.
            The fingerprint for the ED25519 key sent by the remote host is
            \(presented).
            Please contact your system administrator.
            Add correct host key in /var/lib/vmctl/known_hosts to get rid of this message.
            Offending ED25519 key in /var/lib/vmctl/known_hosts:1
            Host key for web1 has changed and you have requested strict checking.
            Host key verification failed.

            """
        #expect(HostKeyCheck.refusal(vm: "web1", address: "10.0.0.5", known: [Self.e, Self.a], sshErrors: errors)
                == HostKeyCheck.mismatch(vm: "web1", address: "10.0.0.5", known: [Self.a], presented: [Self.b]))
        #expect(HostKeyCheck.refusal(vm: "web1", address: "a", known: [Self.a], sshErrors: "Permission denied (publickey).") == nil)
    }

    @Test func keysAreReadFromTheLastBlockOnTheSerialConsole() {
        let log = """
            [   20.1] cloud-init[420]: Cloud-init v. 22.4.2 running 'modules:final'
            <14>Dec  7 04:00:00 ec2: -----BEGIN SSH HOST KEY KEYS-----\r
            <14>Dec  7 04:00:00 ec2: \(Self.a) root@old\r
            <14>Dec  7 04:00:00 ec2: -----END SSH HOST KEY KEYS-----\r
            -----BEGIN SSH HOST KEY FINGERPRINTS-----
            256 SHA256:x root@web1 (ED25519)
            -----END SSH HOST KEY FINGERPRINTS-----
            -----BEGIN SSH HOST KEY KEYS-----
            \(Self.e) root@web1
            \(Self.b) root@web1
            -----END SSH HOST KEY KEYS-----
            -----BEGIN SSH HOST KEY KEYS-----
            \(Self.a) root@cut-off
            """
        #expect(ConsoleHostKeys.parse(log) == [Self.e, Self.b])
        // As a Debian 12 guest printed them (cloud-init 22.4, .pub files without a final newline).
        let glued = """
            <14>Dec  7 05:34:34 cloud-init: #############################################################\r
            -----BEGIN SSH HOST KEY KEYS-----\r
            \(Self.e) vmctl\(Self.a) vmctl-----END SSH HOST KEY KEYS-----\r
            [ 1218.330927] cloud-init[611]: Cloud-init v. 22.4.2 finished at Mon, 07 Dec 2026 05:34:36 +0000.\r
            """
        #expect(ConsoleHostKeys.parse(glued) == [Self.e, Self.a])
        #expect(ConsoleHostKeys.parse("no keys here").isEmpty)
    }
}
