import FoundationEssentials
import LibvirtXML
import TextSupport

/// What `vmctl image fetch` was asked for, as typed.
public struct ImageFetchRequest: Sendable, Hashable {
    /// An http(s) URL or a known name (``KnownImages``).
    public var source: String
    public var pool: String
    /// The volume's name (default: the URL's file name).
    public var name: String?
    /// `sha256:HEX` or `sha512:HEX`; without it the checksum file beside the URL is read.
    public var checksum: String?
    /// Seconds an HTTP request may go without data before it fails.
    public var timeout: Double
    /// `--keyring`: OpenPGP keyrings (binary, as `gpg --export` writes) that a checksum file's signature must verify against.
    public var keyrings: [String]
    /// `--insecure-checksums`: take a checksum file unsigned, on TLS alone.
    public var insecureChecksums: Bool

    public init(
        source: String, pool: String, name: String? = nil, checksum: String? = nil, timeout: Double = 60,
        keyrings: [String] = [], insecureChecksums: Bool = false
    ) {
        self.source = source
        self.pool = pool
        self.name = name
        self.checksum = checksum
        self.timeout = timeout
        self.keyrings = keyrings
        self.insecureChecksums = insecureChecksums
    }
}

/// A checked fetch request: where to download from, what to check it against,
/// and the volume it becomes. Made from the request alone (no I/O).
public struct ImageFetchPlan: Sendable, Hashable {
    public var url: URL
    /// The known name it came from, if any.
    public var knownName: String?
    /// The image's file name, as checksum files list it.
    public var fileName: String
    public var volumeName: String
    public var pool: String
    /// Given inline; when nil, `checksumFiles` are read in order and the first that exists must list `fileName`.
    public var checksum: ImageChecksum?
    public var checksumFiles: [URL]
    /// Suffixes of the detached signatures looked for beside a checksum file that is not clear-signed.
    public var signatureSuffixes: [String]
    /// How a checksum file is trusted: nil until ``ImageService/plan(_:)`` has looked at
    /// the keyrings (``trust(_:known:exists:)``); nothing is fetched without it.
    public var trust: ChecksumTrust?
    public var timeout: Double

    /// The longest `--timeout` accepted: an hour without a byte is a dead server.
    public static let maximumTimeout: Double = 3600

    public init(_ request: ImageFetchRequest) throws(VMCtlError) {
        let source = request.source.trimmingSpaces()
        let names = KnownImages.names.joined(separator: ", ")
        if let known = KnownImages.named(source) {
            guard let url = URL(string: known.url), let sums = URL(string: known.checksumsURL) else {
                throw VMCtlError("known image '\(source)' has a malformed URL in vmctl's table")
            }
            self.url = url
            knownName = known.name
            checksumFiles = [sums]
            signatureSuffixes = known.signatureSuffix.map { [$0] } ?? []
        } else if source.contains("://") {
            guard let url = URL(string: source), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
                throw .invalid(field: "source", "'\(source)' is not an http or https URL")
            }
            guard let host = url.host, !host.isEmpty else { throw .invalid(field: "source", "'\(source)' names no host") }
            // The path as written: Foundation's `path` drops a trailing '/'.
            let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
            guard !path.isEmpty, !path.hasSuffix("/"), !url.lastPathComponent.isEmpty else {
                throw .invalid(field: "source", "'\(source)' names no file (the URL must end in the image's file name)")
            }
            self.url = url
            knownName = nil
            // GNU-format files beside the image, as Debian and Ubuntu publish them.
            let folder = url.deletingLastPathComponent()
            checksumFiles = ImageChecksum.Algorithm.allCases.map { folder.appendingPathComponent($0.sumsFileName) }
            signatureSuffixes = ChecksumSignature.detachedSuffixes
        } else {
            throw .invalid(field: "source", "'\(source)' is neither an http(s) URL nor a known image name (\(names))")
        }
        fileName = url.lastPathComponent
        let volume = request.name ?? fileName
        do {
            _ = try ObjectName(volume, field: "--name")
        } catch {
            let hint = request.name == nil ? " (the URL's file name; give --name)" : ""
            throw .invalid(field: "--name", "'\(volume)' is not allowed\(hint): \(ObjectName.rule)")
        }
        volumeName = volume
        pool = request.pool
        if pool.isEmpty { throw .invalid(field: "--pool", "give the storage pool to import into") }
        checksum = try request.checksum.map { text throws(VMCtlError) in try ImageChecksum(parsing: text) }
        guard request.timeout > 0, request.timeout <= Self.maximumTimeout else {
            throw .invalid(field: "--timeout", "must be more than 0 and at most \(Int(Self.maximumTimeout)) seconds")
        }
        timeout = request.timeout
        if request.insecureChecksums, !request.keyrings.isEmpty {
            throw .invalid(field: "--insecure-checksums", "conflicts with --keyring: a keyring is for verifying signatures")
        }
        if checksum != nil, !request.keyrings.isEmpty {
            throw .invalid(field: "--keyring", "verifies signed checksum files; an inline --checksum has no signature")
        }
    }

    /// How the checksum file is trusted: `--insecure-checksums`; the `--keyring`s
    /// named (each must be a file); else the known image's keyrings that are
    /// installed. None of these is bad input naming `--keyring`. `exists` tells
    /// whether a path is a regular file (the one look at the file system).
    public static func trust(
        _ request: ImageFetchRequest, known: KnownImage?, exists: (String) -> Bool
    ) throws(VMCtlError) -> ChecksumTrust {
        if request.insecureChecksums || request.checksum != nil { return .insecure }
        if !request.keyrings.isEmpty {
            for keyring in request.keyrings where !exists(keyring) {
                throw .invalid(field: "--keyring", "'\(keyring)' is not a file")
            }
            return .signed(keyrings: request.keyrings)
        }
        let installed = (known?.keyrings ?? []).map(\.path).filter(exists)
        if !installed.isEmpty { return .signed(keyrings: installed) }
        let escape = "give --keyring FILE with the signer's key, or --insecure-checksums to trust the file on TLS alone"
        guard let known else {
            throw .invalid(field: "--keyring", "checksum files must be signed and verified: \(escape)")
        }
        guard let first = known.keyrings.first else {
            throw .invalid(field: "--keyring", "no Debian 12 package carries the key that signs \(known.name)'s checksums: \(escape)")
        }
        throw .invalid(field: "--keyring", "\(known.name)'s checksums are verified with \(first.path) (install the package \(first.package)); or \(escape)")
    }

    /// The partial download's file in `directory`: one per URL, so a rerun of the
    /// same fetch finds it and resumes.
    public func partFile(in directory: URL) -> URL {
        let safe = String(fileName.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return directory.appendingPathComponent("\(Self.fingerprint(url.absoluteString))-\(safe).part")
    }

    /// FNV-1a (64 bits) in hex: a short, stable tag for a URL.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
