import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A serial log `vm create` points a domain at (`--serial-file`, a lab's
/// `serial_dir`). libvirt's virtlogd opens that file when the domain starts and
/// truncates it, so vmctl decides at plan time that the file is its own: it
/// must not exist, or be one vmctl created for this same domain on an earlier
/// run, as recorded in the ledger (`serial-logs.json` in the state directory).
/// vmctl creates it (`O_EXCL`, mode 0600) before defining the domain.
///
/// A kill between creating the file and recording it must not leave a file
/// the rerun refuses: the ledger first records the intent (`pending`), then
/// the file is made, then its identity. A rerun adopts the file of a pending
/// record only while it is still exactly what `create` makes: an empty regular
/// file of vmctl's user, mode 0600, with one link.
struct SerialLogFile: Sendable {
    /// The file's identity when vmctl created it: a file put in its place since is another file.
    struct Record: Codable, Equatable, Sendable {
        var domain: String
        var device: UInt64
        var inode: UInt64
        /// Recorded before the file was made; its identity is not known yet.
        var pending: Bool?

        init(domain: String, device: UInt64, inode: UInt64, pending: Bool? = nil) {
            self.domain = domain
            self.device = device
            self.inode = inode
            self.pending = pending
        }

        init(domain: String, _ info: stat) {
            self.init(domain: domain, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        }

        /// Whether this record vouches for the file `info` describes, as `domain`'s log.
        ///
        /// The inode is vmctl's only until the domain first starts: virtlogd
        /// opens a `<serial type='file'>` log without `append='on'` by deleting
        /// the file and creating it again (virRotatingFileWriterNew's truncate),
        /// mode 0600 as its own user. So a file at a recorded path that still
        /// has that shape (a regular file of vmctl's user, mode 0600, one link)
        /// is the log virtlogd made for this domain; one another user put there,
        /// a wider mode, or a second link to some other file is not.
        func vouches(for info: stat, domain: String) -> Bool {
            guard self.domain == domain else { return false }
            if pending == true { return Self.isUntouched(info) }
            if device == UInt64(info.st_dev) && inode == UInt64(info.st_ino) { return true }
            return Self.isLogShaped(info)
        }

        /// A regular file of vmctl's user, mode 0600, with one link: what `create` and virtlogd make.
        static func isLogShaped(_ info: stat) -> Bool {
            info.st_mode & S_IFMT == S_IFREG && info.st_mode & 0o7777 == 0o600 && info.st_uid == geteuid() && info.st_nlink == 1
        }

        /// Exactly what `create` makes, before virtlogd or anyone else wrote to it.
        static func isUntouched(_ info: stat) -> Bool { isLogShaped(info) && info.st_size == 0 }
    }

    var ledger: URL

    init(ledger: URL = SerialLogFile.defaultLedger) { self.ledger = ledger }

    /// In the state directory (`$VMCTL_IMAGE_STATE_DIR`, /var/lib/vmctl) for root;
    /// another user, who cannot write there, keeps it in `$XDG_STATE_HOME/vmctl`
    /// (~/.local/state/vmctl).
    static var defaultLedger: URL {
        let environment = ProcessInfo.processInfo.environment
        if getuid() == 0 || environment["VMCTL_IMAGE_STATE_DIR"] != nil {
            return ImageState.directory.appendingPathComponent("serial-logs.json")
        }
        let state = environment["XDG_STATE_HOME"] ?? ((environment["HOME"] ?? "/tmp") + "/.local/state")
        return URL(fileURLWithPath: state).appendingPathComponent("vmctl/serial-logs.json")
    }

    /// Why `path` cannot be `domain`'s serial log, or nil. `pendingDirectories`
    /// are made by the caller's plan before the file; `local` is false when the
    /// daemon's files are not this machine's, and only the path itself is checked.
    func rule(_ path: String, domain: String, local: Bool, pendingDirectories: Set<String> = []) -> String? {
        guard path.hasPrefix("/"), !path.contains("\0") else { return "must be an absolute path" }
        if path.hasSuffix("/") { return "names a directory; give the path of a file in it" }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().standardized.path
        if let rule = StorageService.systemDirectoryRule(directory) { return "is in \(directory), which \(rule)" }
        guard local else { return nil }
        var info = stat()
        if lstat(path, &info) != 0 {
            if pendingDirectories.contains(directory) { return nil }
            guard stat(directory, &info) == 0 else { return "is in \(directory), which does not exist" }
            return info.st_mode & S_IFMT == S_IFDIR ? nil : "is in \(directory), which is \(InputFile.kind(info.st_mode)), not a directory"
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind = info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : InputFile.kind(info.st_mode)
            return "exists and is \(kind); vmctl writes a serial log only to a file it creates"
        }
        if (try? records())?[path]?.vouches(for: info, domain: domain) == true { return nil }
        return "exists; vmctl writes a serial log only to a file it created for this VM (remove it or give another path)"
    }

    /// Creates `path` for `domain` unless the ledger says it already did; returns
    /// whether this run made it (or adopted the file a killed run made), so a
    /// rollback removes only that.
    func create(_ path: String, domain: String) throws(VMCtlError) -> Bool {
        var info = stat()
        if lstat(path, &info) == 0, let record = try records()[path], record.vouches(for: info, domain: domain) {
            guard record.pending == true else { return false }
            try update { $0[path] = Record(domain: domain, info) }
            return true
        }
        try update { $0[path] = Record(domain: domain, device: 0, inode: 0, pending: true) }
        let descriptor = try OwnedFiles.createNew(path)
        defer { close(descriptor) }
        do throws(VMCtlError) {
            guard fstat(descriptor, &info) == 0 else { throw VMCtlError("reading \(path): \(String(cString: strerror(errno)))") }
            try update { $0[path] = Record(domain: domain, info) }
        } catch {
            unlink(path)  // unrecorded, a rerun could never use it
            throw error
        }
        return true
    }

    /// Removes a log `create` made (a rollback), and its record.
    func remove(_ path: String) throws(VMCtlError) {
        try update { $0[path] = nil }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw VMCtlError("removing \(path): \(String(cString: strerror(errno)))")
        }
    }

    func records() throws(VMCtlError) -> [String: Record] {
        guard let data = FileManager.default.contents(atPath: ledger.path) else { return [:] }
        do { return try JSONDecoder().decode([String: Record].self, from: data) } catch {
            // Never overwrite a ledger we cannot read: it vouches for files vmctl made.
            throw VMCtlError("reading \(ledger.path): not valid JSON (\(error)); fix or move it")
        }
    }

    /// Changes the ledger under its lock (one writer at a time), written whole, mode 0600.
    func update(_ change: (inout [String: Record]) -> Void) throws(VMCtlError) {
        let lock = try ObjectLock.acquire(uri: "", kind: "state", name: ledger.path, timeout: 30)
        defer { withExtendedLifetime(lock) {} }
        // A record whose file is gone or replaced vouches for nothing: dropped.
        // A pending one stays while its file is not made yet, or untouched.
        var records = try records().filter { path, record in
            var info = stat()
            guard lstat(path, &info) == 0 else { return record.pending == true }
            return record.vouches(for: info, domain: record.domain)
        }
        change(&records)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(records)) } catch { throw VMCtlError("writing \(ledger.path): \(error)") }
        try OwnedFiles.makeDirectory(ledger.deletingLastPathComponent().path)
        try OwnedFiles.replace(ledger.path, with: bytes)
    }
}
