import Foundation

/// An OpenPGP signing key made for one test with gpg (package gnupg), in a home
/// folder of its own: signs files as Debian (detached `.sign`), Ubuntu
/// (detached `.gpg`) and Fedora (clear-signed) sign their checksum lists.
public final class SigningKey {
    public let home: URL
    /// The public key as a binary keyring, what `--keyring` takes.
    public let keyring: URL
    public let fingerprint: String

    public init(name: String = "vmctl test signer") throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-gpg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        keyring = home.appendingPathComponent("public.gpg")
        try Self.gpg(home, ["--quick-generate-key", "--passphrase", "", "\(name) <signer@vmctl.invalid>", "ed25519", "sign", "never"])
        let listing = try Self.gpg(home, ["--with-colons", "--list-keys"])
        guard let line = listing.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") }),
            let fingerprint = line.split(separator: ":", omittingEmptySubsequences: false).dropFirst(9).first
        else { throw SigningKeyError("gpg listed no fingerprint: \(listing)") }
        self.fingerprint = String(fingerprint)
        try Self.gpg(home, ["--output", keyring.path, "--export", self.fingerprint])
    }

    /// A detached binary signature of `file` at `signature`.
    public func signDetached(_ file: URL, to signature: URL) throws {
        try Self.gpg(home, ["--output", signature.path, "--detach-sign", file.path])
    }

    /// `file` clear-signed, written to `output`.
    public func clearSign(_ file: URL, to output: URL) throws {
        try Self.gpg(home, ["--output", output.path, "--clearsign", file.path])
    }

    /// Stops the gpg-agent that key generation and signing started, and removes the home folder.
    public func remove() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpgconf")
        process.arguments = ["--homedir", home.path, "--kill", "gpg-agent"]
        if (try? process.run()) != nil { process.waitUntilExit() }
        try? FileManager.default.removeItem(at: home)
    }

    @discardableResult
    static func gpg(_ home: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpg")
        process.arguments = ["--homedir", home.path, "--batch", "--yes", "--pinentry-mode", "loopback"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let (out, err) = readOutput(of: process, stdout: output, stderr: errors)
        guard process.terminationStatus == 0 else {
            throw SigningKeyError("gpg \(arguments.joined(separator: " ")): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}

public struct SigningKeyError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
