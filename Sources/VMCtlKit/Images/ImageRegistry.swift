import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Where `vmctl image` keeps its state: `$VMCTL_IMAGE_STATE_DIR`, else /var/lib/vmctl.
public enum ImageState {
    public static var directory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["VMCTL_IMAGE_STATE_DIR"] ?? "/var/lib/vmctl")
    }
    /// The registry of fetched images (Docs/commands-image.md).
    public static var registryFile: URL { directory.appendingPathComponent("images.json") }
    /// Partial downloads (`*.part`), kept between runs so a fetch resumes.
    public static var downloads: URL { directory.appendingPathComponent("downloads") }
}

/// The volumes vmctl fetched, per connection URI, in a small JSON file. Only
/// these may be pruned: a volume vmctl did not fetch is never in it.
public struct ImageRegistry: Sendable {
    /// One fetched image. Field names are part of the file's format.
    public struct Entry: Codable, Sendable, Hashable {
        public var pool: String
        public var volume: String
        public var path: String
        /// The URL it was downloaded from.
        public var source: String
        /// The known name it was fetched by, if any.
        public var knownName: String?
        /// `sha256:HEX` or `sha512:HEX`, as verified.
        public var checksum: String
        /// ISO 8601, UTC.
        public var fetchedAt: String
    }

    struct Contents: Codable {
        var version = 1
        /// Connection URI → images fetched through it.
        var connections: [String: [Entry]] = [:]
    }

    public let file: URL

    public init(file: URL = ImageState.registryFile) { self.file = file }

    /// No lock: writes replace the file whole (rename), so a read sees one version or the other.
    public func entries(uri: String) throws(VMCtlError) -> [Entry] {
        try read().connections[uri] ?? []
    }

    /// Adds (or replaces, by path) `entry` under `uri`.
    public func record(_ entry: Entry, uri: String) throws(VMCtlError) {
        try update { contents in
            contents.connections[uri, default: []].removeAll { $0.path == entry.path }
            contents.connections[uri, default: []].append(entry)
        }
    }

    /// Forgets the entries with these paths under `uri`.
    public func forget(paths: Set<String>, uri: String) throws(VMCtlError) {
        guard !paths.isEmpty else { return }
        try update { contents in
            contents.connections[uri]?.removeAll { paths.contains($0.path) }
            if contents.connections[uri]?.isEmpty == true { contents.connections[uri] = nil }
        }
    }

    func update(_ change: (inout Contents) -> Void) throws(VMCtlError) {
        try locked { () throws(VMCtlError) in
            var contents = try read()
            change(&contents)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let bytes: [UInt8]
            do { bytes = Array(try encoder.encode(contents)) } catch {
                throw VMCtlError("writing the image registry \(file.path): \(error)")
            }
            try OwnedFiles.replace(file.path, with: bytes)
        }
    }

    func read() throws(VMCtlError) -> Contents {
        guard let data = FileManager.default.contents(atPath: file.path) else { return Contents() }
        do {
            return try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            // Never overwrite a file we cannot read: it may record images another version wrote.
            throw VMCtlError("reading the image registry \(file.path): not valid JSON (\(error)); fix or move it")
        }
    }

    /// Runs `body` holding an exclusive lock (flock on `FILE.lock`), so two vmctl
    /// processes never lose each other's entries.
    func locked<T>(_ body: () throws(VMCtlError) -> T) throws(VMCtlError) -> T {
        try OwnedFiles.makeDirectory(file.deletingLastPathComponent().path)
        let lock = try OwnedFiles.openLockFile(file.path + ".lock")
        defer { close(lock) }
        // Bounded: a registry held for 30 s means a stuck vmctl.
        let deadline = Date().addingTimeInterval(30)
        while flock(lock, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                throw VMCtlError("locking \(file.path).lock: another vmctl has held it for 30 s")
            }
            usleep(50_000)
        }
        return try body()
    }
}
