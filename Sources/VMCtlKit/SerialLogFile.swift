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
struct SerialLogFile: Sendable {
    /// The file's identity when vmctl created it: a file put in its place since is another file.
    struct Record: Codable, Equatable, Sendable {
        var domain: String
        var device: UInt64
        var inode: UInt64
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
        if (try? records())?[path] == Record(domain: domain, device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) {
            return nil
        }
        return "exists; vmctl writes a serial log only to a file it created for this VM (remove it or give another path)"
    }

    /// Creates `path` for `domain` unless the ledger says it already did; returns
    /// whether it created it, so a rollback removes only that.
    func create(_ path: String, domain: String) throws(VMCtlError) -> Bool {
        var info = stat()
        if lstat(path, &info) == 0,
            try records()[path] == Record(domain: domain, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        {
            return false
        }
        let descriptor = try OwnedFiles.createNew(path)
        defer { close(descriptor) }
        do throws(VMCtlError) {
            guard fstat(descriptor, &info) == 0 else { throw VMCtlError("reading \(path): \(String(cString: strerror(errno)))") }
            try update { $0[path] = Record(domain: domain, device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) }
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
        var records = try records().filter { path, record in
            var info = stat()
            return lstat(path, &info) == 0 && UInt64(info.st_dev) == record.device && UInt64(info.st_ino) == record.inode
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
