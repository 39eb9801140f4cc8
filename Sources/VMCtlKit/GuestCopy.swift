import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One side of `vm scp`: a file on this machine, or a path in a VM written
/// `NAME:PATH`, as scp writes `HOST:PATH`.
public enum CopyEndpoint: Sendable, Equatable {
    case local(String)
    case guest(vm: String, path: String)

    /// Parses one operand. As with scp, a colon before the first slash makes it
    /// a VM path (`web1:/etc/hosts`, `web1:` for the login's home); an operand
    /// starting with `/` or `./` is always local.
    public static func parse(_ text: String, field: String) throws(VMCtlError) -> CopyEndpoint {
        guard !text.isEmpty else { throw .invalid(field: field, "empty path") }
        if text.hasPrefix("/") || text.hasPrefix("./") { return .local(text) }
        guard let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") else { return .local(text) }
        let vm = String(text[..<colon])
        guard !vm.isEmpty else { throw .invalid(field: field, "'\(text)' names no VM before ':'") }
        return .guest(vm: vm, path: String(text[text.index(after: colon)...]))
    }
}

/// What `vm scp SOURCE… DEST` copies, checked before anything runs: every
/// source on this machine and the destination in one VM, or every source in
/// one VM and the destination here.
public struct GuestCopy: Sendable, Equatable {
    public enum Direction: Sendable, Equatable { case toGuest, fromGuest }

    public var vm: String
    public var direction: Direction
    /// Local files (to a guest) or paths in the guest (from it).
    public var sources: [String]
    /// The path in the guest (to it) or the local path (from it).
    public var destination: String
    public var recursive: Bool

    public init(operands: [String], recursive: Bool) throws(VMCtlError) {
        guard operands.count >= 2 else {
            throw .invalid(field: "paths", "give at least one source and a destination, e.g. vm scp ./file web1:/tmp/")
        }
        var parsed: [CopyEndpoint] = []
        for (index, operand) in operands.enumerated() {
            parsed.append(try CopyEndpoint.parse(operand, field: index == operands.count - 1 ? "destination" : "source"))
        }
        let destination = parsed.removeLast()
        switch destination {
        case .guest(let vm, let path):
            var locals: [String] = []
            for source in parsed {
                guard case .local(let file) = source else {
                    throw .invalid(field: "source", "copying from one VM to another is not supported; copy through this machine")
                }
                locals.append(file)
            }
            self.init(vm: vm, direction: .toGuest, sources: locals, destination: path, recursive: recursive)
        case .local(let path):
            var vm: String?
            var remotes: [String] = []
            for source in parsed {
                guard case .guest(let name, let remote) = source else {
                    throw .invalid(field: "destination", "one side must be a VM path written NAME:PATH")
                }
                if let vm, vm != name {
                    throw .invalid(field: "source", "all sources must be in one VM ('\(vm)' and '\(name)')")
                }
                vm = name
                remotes.append(remote)
            }
            self.init(vm: vm ?? "", direction: .fromGuest, sources: remotes, destination: path, recursive: recursive)
        }
    }

    init(vm: String, direction: Direction, sources: [String], destination: String, recursive: Bool) {
        self.vm = vm
        self.direction = direction
        self.sources = sources
        self.destination = destination
        self.recursive = recursive
    }

    /// scp's operands once the VM's login is known: `user@address:path` on the guest side.
    public func scpArguments(_ ssh: SSHCommand) -> [String] {
        let host = ssh.host.contains(":") ? "[\(ssh.host)]" : ssh.host
        func remote(_ path: String) -> String { "\(ssh.user)@\(host):\(path)" }
        var arguments = ssh.scpOptions(recursive: recursive)
        switch direction {
        case .toGuest: arguments += ["--"] + sources + [remote(destination)]
        case .fromGuest: arguments += ["--"] + sources.map(remote) + [destination]
        }
        return arguments
    }
}
