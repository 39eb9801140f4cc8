import FoundationEssentials
import Libvirt
#if canImport(Glibc)
import Glibc
#endif

/// What a command is about to create, written before its first volume exists.
///
/// A volume has no metadata of its own in libvirt: until the domain that
/// records it in vmctl's metadata is defined (or the image registry records
/// it), only this entry says vmctl made it. A command killed in between
/// leaves the entry; its rerun, `vm delete` and `lab down` read it and remove
/// what nothing took over.
public struct CreationJournalEntry: Codable, Equatable, Sendable {
    public struct Volume: Codable, Hashable, Sendable {
        public var pool: String
        public var name: String
        public init(pool: String, name: String) {
            self.pool = pool
            self.name = name
        }
    }
    /// The command that wrote it (`vm create`, `vm clone`, `image fetch`), for people reading the file.
    public var command: String
    /// The connection the volumes are on.
    public var uri: String
    /// The domains whose metadata will record the volumes.
    public var owners: [String]
    /// `vm clone`'s source: its clones' leftover overlays sit on its layers.
    public var source: String?
    /// The lab the owners belong to.
    public var lab: String?
    /// In creation order.
    public var volumes: [Volume]

    public init(command: String, uri: String, owners: [String], source: String? = nil, lab: String? = nil, volumes: [Volume]) {
        self.command = command
        self.uri = uri
        self.owners = owners
        self.source = source
        self.lab = lab
        self.volumes = volumes
    }

    /// Reads an entry's file contents; nil when it is not one (a torn or foreign file).
    public static func parse(_ data: Data) -> CreationJournalEntry? {
        try? JSONDecoder().decode(CreationJournalEntry.self, from: data)
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}

/// An entry this process wrote and holds (`flock`) while it runs: a held
/// entry belongs to a live command and is never swept; the kernel drops the
/// lock when the process dies, however it dies.
final class CreationJournal: @unchecked Sendable {
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// `$VMCTL_JOURNAL_DIR`, else /var/lib/vmctl/journal.
    static var directory: String {
        let override = ProcessInfo.processInfo.environment["VMCTL_JOURNAL_DIR"] ?? ""
        return override.isEmpty ? "/var/lib/vmctl/journal" : override
    }

    /// Writes an entry for `volumes` on `connection` and holds it.
    static func begin(
        _ command: String, on connection: Connection, owners: [String], source: String? = nil, lab: String? = nil,
        volumes: [CreationJournalEntry.Volume]
    ) throws(VMCtlError) -> CreationJournal {
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        return try begin(CreationJournalEntry(command: command, uri: uri, owners: owners, source: source, lab: lab, volumes: volumes))
    }

    /// Writes `entry` (mode 0600, fsync'd with its directory) and holds it.
    static func begin(_ entry: CreationJournalEntry, directory: String = CreationJournal.directory) throws(VMCtlError) -> CreationJournal {
        let failure = { (what: String) in VMCtlError("recording what \(entry.command) creates in \(directory): \(what)") }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure(describeFileError(error))
        }
        let path = directory + "/" + UUID().uuidString.lowercased() + ".json"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw failure("open \(path): \(String(cString: strerror(errno)))") }
        let journal = CreationJournal(path: path, descriptor: descriptor)
        guard flock(descriptor, LOCK_EX) == 0 else { throw failure("flock \(path): \(String(cString: strerror(errno)))") }
        let data: Data
        do { data = try entry.encoded() } catch { throw failure("\(error)") }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            journal.finish()
            throw failure("write \(path): \(reason)")
        }
        // The file's name must be on disk too, or a power cut could lose it.
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return journal
    }

    /// The volumes are recorded where they belong (a domain's metadata, the image registry), or gone: the entry goes.
    func finish() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    /// Entries no live process holds, on `uri`, that `matching` selects.
    static func abandoned(
        uri: String, directory: String = CreationJournal.directory, matching: (CreationJournalEntry) -> Bool
    ) -> [(path: String, entry: CreationJournalEntry)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var found: [(String, CreationJournalEntry)] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = directory + "/" + name
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            // Held: its command is still running.
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
            guard let data = FileManager.default.contents(atPath: path), let entry = CreationJournalEntry.parse(data),
                entry.uri == uri, matching(entry)
            else { continue }
            found.append((path, entry))
        }
        return found
    }
}

/// What killed commands left: abandoned journal entries and, of their
/// volumes, those that exist and that no domain uses (directly or as a
/// backing layer) nor `adopted` claims. Found while planning; removed by
/// ``remove(progress:)`` as the command's first change.
public struct JournalLeftovers: Sendable {
    /// The entries' files.
    var entries: [String] = []
    /// Volumes to delete, newest first.
    public var volumes: [CreationJournalEntry.Volume] = []
    /// The domains the entries were for: any that exist were defined by the killed command.
    public var owners: Set<String> = []
    let connection: Connection?

    public var isEmpty: Bool { entries.isEmpty }

    /// Abandoned entries on `connection` that `matching` selects, and their volumes nothing took over
    /// (virConnectGetURI, virStoragePoolLookupByName, virStorageVolLookupByName, virStorageVolGetPath,
    /// and the domains' disks through `VMDeleter.pathUsers`).
    static func collect(
        on connection: Connection, matching: (CreationJournalEntry) -> Bool,
        adopted: (CreationJournalEntry.Volume) -> Bool = { _ in false }
    ) throws(VMCtlError) -> JournalLeftovers {
        // No entry at all (the usual case): not even the URI is read.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: CreationJournal.directory)) ?? []
        guard names.contains(where: { $0.hasSuffix(".json") }) else { return JournalLeftovers(connection: connection) }
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        let abandoned = CreationJournal.abandoned(uri: uri, matching: matching)
        var leftovers = JournalLeftovers(connection: connection)
        guard !abandoned.isEmpty else { return leftovers }
        let users = try VMDeleter(connection: connection).pathUsers(excluding: nil)
        for (path, entry) in abandoned {
            leftovers.entries.append(path)
            leftovers.owners.formUnion(entry.owners)
            for volume in entry.volumes.reversed() where !adopted(volume) {
                guard let pool = try find("looking up pool \(volume.pool)", missing: .noStoragePool, { try connection.storagePool(named: volume.pool) }),
                    let found = try find("looking up volume \(volume.pool)/\(volume.name)", missing: .noStorageVolume, { try pool.volume(named: volume.name) })
                else { continue }
                let volumePath = try libvirt("reading volume \(volume.pool)/\(volume.name)") { try found.path() }
                if users[volumePath] == nil, !leftovers.volumes.contains(volume) { leftovers.volumes.append(volume) }
            }
        }
        return leftovers
    }

    /// Whether `pool`/`name` is one of the volumes to remove.
    public func contains(pool: String, name: String) -> Bool {
        volumes.contains(.init(pool: pool, name: name))
    }

    /// Deletes the volumes (virStorageVolDelete; one already gone is fine), then the entries.
    /// Returns the volumes deleted, as POOL/NAME.
    @discardableResult
    func remove(progress: any ProgressReporter) throws(VMCtlError) -> [String] {
        guard let connection else { return [] }
        var removed: [String] = []
        for volume in volumes {
            let label = "\(volume.pool)/\(volume.name)"
            guard let pool = try find("looking up pool \(volume.pool)", missing: .noStoragePool, { try connection.storagePool(named: volume.pool) }),
                let found = try find("looking up volume \(label)", missing: .noStorageVolume, { try pool.volume(named: volume.name) })
            else { continue }
            progress.step("removing \(label), left by a killed vmctl")
            do {
                try found.delete()
            } catch let error as LibvirtError where error.code == .noStorageVolume {
                continue
            } catch {
                throw .libvirt(error, while: "deleting volume \(label)")
            }
            removed.append(label)
        }
        for path in entries { unlink(path) }
        return removed
    }
}
