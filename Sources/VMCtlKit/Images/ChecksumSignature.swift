import FoundationEssentials
import HostCheck
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// Whose word a checksum file is taken on.
public enum ChecksumTrust: Sendable, Hashable {
    /// Its OpenPGP signature must verify with gpgv against one of these keyrings.
    case signed(keyrings: [String])
    /// `--insecure-checksums`: the file is taken as the server sends it; its integrity rests on TLS alone.
    case insecure
}

/// Where a checksum file's signature is.
public enum SignatureLocation: Sendable, Hashable {
    /// Inside the file (`-----BEGIN PGP SIGNED MESSAGE-----`), as Fedora's CHECKSUM.
    case clearSigned
    /// A detached signature at this URL, as Debian's `SHA512SUMS.sign` or Ubuntu's `SHA256SUMS.gpg`.
    case detached(URL)
}

/// The parsers behind signature checks: strings in, facts out.
public enum ChecksumSignature {
    /// The detached signatures looked for beside a checksum file of an arbitrary
    /// URL, in order: Ubuntu's, Debian's, then the armored form.
    public static let detachedSuffixes = [".gpg", ".sign", ".asc"]

    /// Whether the text is an OpenPGP clear-signed message.
    public static func isClearSigned(_ text: String) -> Bool {
        text.drop { $0.isWhitespace }.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----")
    }

    /// What gpgv's `--status-fd` lines say.
    public struct Verdict: Sendable, Hashable {
        /// The signing key's fingerprint (VALIDSIG), when a good signature was found.
        public var fingerprint: String?
        /// The first line that says why not: BADSIG, ERRSIG, NO_PUBKEY, EXPKEYSIG, REVKEYSIG, EXPSIG.
        public var problem: String?

        public var isGood: Bool { fingerprint != nil && problem == nil }
    }

    /// Reads gpgv's machine-readable status lines (`[GNUPG:] KEYWORD …`).
    /// Good means a GOODSIG with a VALIDSIG and nothing against it.
    public static func verdict(status: String) -> Verdict {
        var good = false
        var verdict = Verdict()
        for line in status.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "[GNUPG:]" else { continue }
            switch words[1] {
            case "GOODSIG": good = true
            case "VALIDSIG" where words.count >= 3: verdict.fingerprint = String(words[2])
            case "BADSIG", "ERRSIG", "NO_PUBKEY", "EXPKEYSIG", "REVKEYSIG", "EXPSIG":
                if verdict.problem == nil { verdict.problem = Self.explain(words) }
            default: continue
            }
        }
        if !good, verdict.problem == nil { verdict.problem = "no good signature" }
        if !good { verdict.fingerprint = nil }
        return verdict
    }

    static func explain(_ words: [Substring]) -> String {
        let key = words.count >= 3 ? " \(words[2])" : ""
        switch words[1] {
        case "BADSIG": return "bad signature by key\(key)"
        case "ERRSIG", "NO_PUBKEY": return "signed by key\(key), which is not in the keyrings"
        case "EXPKEYSIG": return "signed by key\(key), which has expired"
        case "REVKEYSIG": return "signed by key\(key), which was revoked"
        default: return "the signature has expired"
        }
    }
}

/// Runs gpgv (package gpgv) on a checksum file and its signature, in a private
/// scratch folder that is removed afterwards.
struct SignatureVerifier {
    var gpgv = "/usr/bin/gpgv"
    var keyrings: [String]

    /// The signed bytes, and the signer's fingerprint. `signature` nil: `data` is clear-signed,
    /// and only what the signature covers is returned (gpgv's `--output`), never text around it.
    func verify(_ data: [UInt8], signature: [UInt8]?, name: String) throws(VMCtlError) -> (content: [UInt8], fingerprint: String) {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let dataPath = try scratch.write("checksums", data)
        let outputPath = scratch.path + "/verified"
        var arguments = ["--homedir", scratch.path, "--status-fd", "1"]
        arguments += keyrings.flatMap { ["--keyring", $0] }
        if let signature {
            arguments += ["--", try scratch.write("signature", signature), dataPath]
        } else {
            arguments += ["--output", outputPath, "--", dataPath]
        }
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(gpgv, arguments, timeout: 60)
        } catch {
            throw VMCtlError("checksum: running gpgv: \(error) (install the package gpgv)")
        }
        let verdict = ChecksumSignature.verdict(status: result.output)
        guard result.status == 0, verdict.isGood, let fingerprint = verdict.fingerprint else {
            let why = verdict.problem ?? result.errors.split(separator: "\n").first.map(String.init) ?? "gpgv exit status \(result.status)"
            throw VMCtlError("checksum: the signature of \(name) does not verify: \(why) (keyrings: \(keyrings.joined(separator: ", ")))")
        }
        if signature != nil { return (data, fingerprint) }
        guard let content = try? scratch.read("verified") else {
            throw VMCtlError("checksum: gpgv verified \(name) but wrote no content")
        }
        return (content, fingerprint)
    }
}

/// A folder only root can read, for gpgv's files; `remove()` deletes it and what it holds.
private struct ScratchFolder {
    let path: String

    init() throws(VMCtlError) {
        var template = Array((FileManager.default.temporaryDirectory.path + "/vmctl-gpgv-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw VMCtlError("checksum: cannot make a scratch folder: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws(VMCtlError) -> String {
        let file = path + "/" + name
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw VMCtlError("checksum: cannot write \(file): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw VMCtlError("checksum: cannot write \(file): \(String(cString: strerror(errno)))") }
            written += count
        }
        return file
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
    }

    func remove() {
        for name in ["checksums", "signature", "verified"] { unlink(path + "/" + name) }
        // gpgv may leave a lock or random-seed file in its home folder.
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for entry in entries { unlink(path + "/" + entry) }
        }
        rmdir(path)
    }
}
