import FoundationEssentials
import TextSupport
import NoCloud
#if canImport(Glibc)
import Glibc
#endif

/// `vm create`'s cloud-init options, turned into a NoCloud seed image.
public struct CloudInitOptions: Sendable, Equatable {
    /// A user-data file passed through unchanged (`#cloud-config` or a script).
    public var userDataFile: String?
    public var hostname: String?
    /// SSH public keys, or `@PATH` to read one key per line from a file.
    public var sshKeys: [String] = []
    public var password: String?

    public init(userDataFile: String? = nil, hostname: String? = nil, sshKeys: [String] = [], password: String? = nil) {
        self.userDataFile = userDataFile
        self.hostname = hostname
        self.sshKeys = sshKeys
        self.password = password
    }

    public var isEmpty: Bool { userDataFile == nil && hostname == nil && sshKeys.isEmpty && password == nil }

    /// The seed settings for VM `name`; nil when no option was given. Bad
    /// values are bad input (exit 64) naming the option. The NICs and data
    /// disks are added by `VMCreator.plan`, which knows their MACs.
    public func seedConfig(vmName name: String) throws(VMCtlError) -> SeedConfig? {
        guard !isEmpty else { return nil }
        var config = SeedConfig(hostname: hostname ?? name, instanceID: "vmctl-\(name)")
        config.sshAuthorizedKeys = try publicKeys()
        config.password = password.map { .plain($0) }
        if let userDataFile {
            config.userDataFile = try InputFile.readText(userDataFile, field: .vm(.cloudInit))
        }
        if let error = config.validationErrors().first(where: { !$0.field.hasPrefix("interfaces") }) {
            // The hostname came from the VM's name: that is what to change, or --hostname to give.
            if error.field == "hostname" && hostname == nil {
                throw .invalid(field: .vm(.name), "'\(name.prefix(64))' is not a valid host name for the guest (\(error.rule)); give --hostname")
            }
            throw .seed(error)
        }
        return config
    }

    /// The public keys given, with `@PATH` read one per line.
    func publicKeys() throws(VMCtlError) -> [String] {
        var keys: [String] = []
        for key in sshKeys {
            if key.contains("PRIVATE KEY") {
                throw .invalid(field: .vm(.sshKey), "that is a private key; give the public one (the .pub file)")
            }
            if key.hasPrefix("@") {
                let path = String(key.dropFirst())
                let text = try InputFile.readText(path, field: .vm(.sshKey), limit: 1 << 20)
                if text.contains("PRIVATE KEY") {
                    throw .invalid(field: .vm(.sshKey), "'\(path)' holds a private key; give the public one (the .pub file)")
                }
                keys += text.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            } else {
                keys.append(key)
            }
        }
        return keys
    }

    /// The private key beside the first `@PATH.pub` given, when there is one:
    /// what readiness checks and `vm ssh` log in with.
    public var privateKeyPath: String? {
        for key in sshKeys where key.hasPrefix("@") && key.hasSuffix(".pub") {
            let path = String(key.dropFirst().dropLast(4))
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        return nil
    }
}

extension VMCtlError {
    /// A cloud-init seed setting that breaks NoCloud's rule: bad input about that setting.
    static func seed(_ error: NoCloudError) -> VMCtlError {
        .invalid(field: .seed(error.field), error.ruleLine)
    }
}
