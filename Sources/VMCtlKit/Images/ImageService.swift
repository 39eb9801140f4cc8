import FoundationEssentials
import HostCheck
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// The logic of `vmctl image fetch|list|prune`.
public struct ImageService {
    public let connection: Connection
    public var storage: StorageService
    public var registry: ImageRegistry
    /// Where partial downloads wait for a rerun.
    public var downloads: URL
    public var progress: any ProgressReporter
    /// How long prune waits for a command using an image (`imageLock`).
    public var lockTimeout: Double = 600

    public init(
        connection: Connection, registry: ImageRegistry = ImageRegistry(), downloads: URL = ImageState.downloads,
        progress: any ProgressReporter = SilentProgress()
    ) {
        self.connection = connection
        storage = StorageService(connection: connection)
        self.registry = registry
        self.downloads = downloads
        self.progress = progress
    }

    // MARK: - fetch

    /// Checks the request against the connection: the pool must run and the name
    /// be free. Downloads nothing, changes nothing.
    public func plan(_ request: ImageFetchRequest) throws(VMCtlError) -> ImageFetchPlan {
        var plan = try ImageFetchPlan(request)
        let pool = try storage.activePool(named: plan.pool)
        // A volume a killed fetch imported but never recorded is removed before the import, not refused.
        if try !importLeftovers(plan).contains(pool: plan.pool, name: plan.volumeName) {
            try storage.requireFree(name: plan.volumeName, in: pool)
        }
        plan.trust = try ImageFetchPlan.trust(request, known: plan.knownName.flatMap(KnownImages.named), exists: Self.isRegularFile)
        return plan
    }

    /// Downloads (resuming a partial file), verifies and imports an image, and
    /// records it in the registry. A corrupt download is removed; on any failure
    /// nothing is left in the pool.
    public func fetch(
        _ request: ImageFetchRequest, download: ((UInt64, UInt64) -> Void)? = nil, importing: ((UInt64, UInt64) -> Void)? = nil
    ) throws(VMCtlError) -> ImageFetchResult {
        let plan = try plan(request)
        let http = HTTPDownloader(timeout: plan.timeout)
        // The expected digest first: no point downloading what cannot be checked.
        let (expected, from, signer) = try expectedChecksum(plan, http: http)
        let part = plan.partFile(in: downloads)
        try OwnedFiles.makeDirectory(downloads.path)
        let lock = try lockPart(part, url: plan.url)
        defer {
            close(lock)
        }
        if HTTPDownloader.size(of: part) > 0 { progress.step("resuming \(part.path) at \(HTTPDownloader.size(of: part)) bytes") }
        progress.step("downloading \(plan.url.redactedString)")
        let outcome: DownloadOutcome
        do {
            outcome = try http.download(plan.url, to: part, progress: FaultSeam.midTransfer(download))
        } catch {
            // Bytes that arrived stay for a rerun to resume; an empty file is no use to it.
            if HTTPDownloader.size(of: part) == 0 { removeDownload(part) }
            throw error
        }
        progress.step("verifying \(expected.algorithm.rawValue) of \(outcome.bytes) bytes")
        let actual = try Self.digest(of: part.path, algorithm: expected.algorithm)
        guard actual == expected else {
            removeDownload(part)
            throw VMCtlError("checksum: expected \(expected), got \(actual) for \(plan.url.redactedString); the download was removed")
        }
        do {
            _ = try storage.importable(part.path, field: "source")
        } catch {
            // A hostile or unusable image is not kept for a rerun to resume.
            removeDownload(part)
            throw VMCtlError("\(error.message); the download was removed", status: error.status)
        }
        try importLeftovers(plan).remove(progress: progress)
        progress.step("importing into \(plan.pool)/\(plan.volumeName)")
        // Until the registry records the volume, only the journal says vmctl made it.
        let journal = try CreationJournal.begin(
            "image fetch", on: connection, owners: [], volumes: [.init(pool: plan.pool, name: plan.volumeName)])
        let volume = try storage.importVolume(
            pool: plan.pool, file: part.path, name: plan.volumeName, format: nil, progress: FaultSeam.midTransfer(importing))
        defer { journal.finish() }
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        let entry = ImageRegistry.Entry(
            pool: volume.pool, volume: volume.name, path: volume.path, source: plan.url.redactedString, knownName: plan.knownName,
            checksum: expected.description, fetchedAt: Date.now.formatted(.iso8601))
        progress.step("recording \(volume.pool)/\(volume.name) in the image registry")
        do {
            try registry.record(entry, uri: uri)
        } catch {
            // Unrecorded, prune could never remove it: do not leave it behind.
            _ = try? storage.deleteVolume(pool: volume.pool, name: volume.name, force: true)
            throw VMCtlError("\(error.message); volume '\(volume.name)' was removed again (the download stays in \(part.path))")
        }
        removeDownload(part)
        return ImageFetchResult(
            volume: volume, source: plan.url.redactedString, knownName: plan.knownName, checksum: expected.description,
            checksumFrom: from, signedBy: signer, bytes: outcome.bytes, resumedFrom: outcome.resumedFrom)
    }

    /// What killed fetches into this volume left: imported, never recorded in the registry.
    func importLeftovers(_ plan: ImageFetchPlan) throws(VMCtlError) -> JournalLeftovers {
        let target = CreationJournalEntry.Volume(pool: plan.pool, name: plan.volumeName)
        return try fetchLeftovers { $0.contains(target) }
    }

    /// Abandoned `image fetch` journal entries whose volumes `selected` picks; a volume the registry records is kept.
    func fetchLeftovers(_ selected: @escaping ([CreationJournalEntry.Volume]) -> Bool) throws(VMCtlError) -> JournalLeftovers {
        let recorded = Set(try registryEntries().map { CreationJournalEntry.Volume(pool: $0.pool, name: $0.volume) })
        return try JournalLeftovers.collect(
            on: connection, matching: { $0.command == "image fetch" && selected($0.volumes) }, adopted: { recorded.contains($0) })
    }

    /// The inline checksum, or the first checksum file beside the image that exists,
    /// verified as the plan's trust says.
    func expectedChecksum(_ plan: ImageFetchPlan, http: HTTPDownloader) throws(VMCtlError) -> (ImageChecksum, String, String?) {
        if let checksum = plan.checksum { return (checksum, "inline", nil) }
        for file in plan.checksumFiles {
            progress.step("reading \(file.redactedString)")
            guard let bytes = try http.bytes(file) else { continue }
            let (text, signer) = try verified(bytes, of: file, plan: plan, http: http)
            guard let checksum = ChecksumFile(parsing: text).checksum(for: plan.fileName) else {
                throw VMCtlError("checksum: \(file.redactedString) lists no checksum for '\(plan.fileName)'")
            }
            return (checksum, file.redactedString, signer)
        }
        let tried = plan.checksumFiles.map(\.lastPathComponent).joined(separator: " or ")
        throw .invalid(field: "--checksum", "no \(tried) beside \(plan.url.redactedString); give --checksum sha256:HEX")
    }

    /// The checksum file's text as its signature covers it, and the signer's fingerprint;
    /// under `--insecure-checksums`, the text as sent and no signer.
    func verified(_ bytes: [UInt8], of file: URL, plan: ImageFetchPlan, http: HTTPDownloader) throws(VMCtlError) -> (String, String?) {
        guard case .signed(let keyrings) = plan.trust else { return (String(decoding: bytes, as: UTF8.self), nil) }
        let verifier = SignatureVerifier(keyrings: keyrings)
        if ChecksumSignature.isClearSigned(String(decoding: bytes.prefix(200), as: UTF8.self)) {
            progress.step("verifying the signature inside \(file.redactedString)")
            let (content, signer) = try verifier.verify(bytes, signature: nil, name: file.redactedString)
            return (String(decoding: content, as: UTF8.self), signer)
        }
        for suffix in plan.signatureSuffixes {
            let signatureURL = file.deletingLastPathComponent().appendingPathComponent(file.lastPathComponent + suffix)
            progress.step("reading \(signatureURL.redactedString)")
            guard let signature = try http.bytes(signatureURL, limit: 1 << 20) else { continue }
            let (_, signer) = try verifier.verify(bytes, signature: signature, name: file.redactedString)
            return (String(decoding: bytes, as: UTF8.self), signer)
        }
        let looked = plan.signatureSuffixes.map { file.lastPathComponent + $0 }.joined(separator: ", ")
        throw VMCtlError(
            "checksum: \(file.redactedString) is not signed (not clear-signed\(looked.isEmpty ? "" : ", and no \(looked) beside it")); "
                + "--insecure-checksums takes it on TLS alone")
    }

    /// Whether `path` is a regular file (after links): a keyring must be one.
    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Partial downloads whose lock no fetch holds: a killed fetch's, which only a rerun of the same URL would resume.
    func removeAbandonedDownloads() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: downloads.path)) ?? []
        // A fetch killed before its first byte leaves the lock file alone.
        let parts = Set(names.compactMap { name in
            name.hasSuffix(".part") ? name : name.hasSuffix(".part.lock") ? String(name.dropLast(".lock".count)) : nil
        })
        for name in parts.sorted() {
            let part = downloads.appendingPathComponent(name)
            guard let lock = try? lockPart(part, url: part) else { continue }
            removeDownload(part)
            close(lock)
        }
    }

    func removeDownload(_ part: URL) {
        unlink(part.path)
        unlink(part.path + ".lock")
    }

    /// Holds `PART.lock` (flock) for the fetch, so two runs never write one file.
    func lockPart(_ part: URL, url: URL) throws(VMCtlError) -> Int32 {
        let lock = try OwnedFiles.openLockFile(part.path + ".lock")
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw VMCtlError("another vmctl is downloading \(url.redactedString) (\(part.path).lock is held)")
        }
        return lock
    }

    /// Runs coreutils' sha256sum/sha512sum on `path` (an hour at most: a large image on slow disk).
    static func digest(of path: String, algorithm: ImageChecksum.Algorithm) throws(VMCtlError) -> ImageChecksum {
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(algorithm.tool, ["--", path], timeout: 3600)
        } catch {
            throw VMCtlError("running \(algorithm.tool): \(error)")
        }
        let hex = result.output.prefix { !$0.isWhitespace }
        guard result.status == 0, ImageChecksum.isHex(hex, length: algorithm.hexLength) else {
            let reason = result.errors.split(separator: "\n").first.map(String.init) ?? "exit status \(result.status)"
            throw VMCtlError("\(algorithm.tool) \(path): \(reason)")
        }
        return ImageChecksum(algorithm: algorithm, hex: String(hex))
    }

    // MARK: - list and prune

    /// Every volume of every running pool, and who uses each path.
    struct Inventory {
        var volumes: [String: VolumeSummary] = [:]
        /// Path → volumes (`POOL/NAME`) whose backing chain reaches it.
        var volumeUsers: [String: [String]] = [:]
        /// Path → domains whose disks' chains reach it.
        var domainUsers: [String: [String]] = [:]
        var uncheckedPools: [String] = []
    }

    func inventory() throws(VMCtlError) -> Inventory {
        var inventory = Inventory()
        (inventory.volumes, inventory.uncheckedPools) = try poolVolumes()
        inventory.volumeUsers = try backingUsers(inventory.volumes)
        let deleter = VMDeleter(connection: connection)
        // virConnectListAllDomains and virDomainGetXMLDesc, disks down their chains.
        for (path, domains) in try deleter.pathUsers(excluding: nil) {
            inventory.domainUsers[path] = Array(Set(domains.map(\.name))).sorted()
        }
        for key in inventory.volumeUsers.keys { inventory.volumeUsers[key]?.sort() }
        return inventory
    }

    /// Every volume of every running pool, by path, and the pools that are not
    /// running (their volumes cannot be listed). virConnectListAllStoragePools,
    /// then virStoragePoolIsActive and virStoragePoolListAllVolumes per pool.
    func poolVolumes() throws(VMCtlError) -> (volumes: [String: VolumeSummary], unchecked: [String]) {
        var volumes: [String: VolumeSummary] = [:]
        var unchecked: [String] = []
        let pools = try libvirt("listing storage pools") { try connection.storagePools() }
        for pool in pools.sorted(by: { $0.name < $1.name }) {
            // nil: removed by someone else since the listing, so nothing in it to count.
            let active = try find("reading the state of pool '\(pool.name)'", missing: .noStoragePool) { try pool.isActive() }
            guard let active else { continue }
            guard active else {
                unchecked.append(pool.name)
                continue
            }
            do {
                for volume in try storage.listVolumes(in: pool) { volumes[volume.path] = volume }
            } catch where error.libvirtError?.code == .noStoragePool {
                // Removed by someone else since the listing.
            } catch where (try? pool.isActive()) != true {
                // Stopped, or stopped and removed, by someone else since the listing:
                // nothing in it can be read now (a CI run saw a test's pool go so).
                if (try? pool.isActive()) == false { unchecked.append(pool.name) }
            }
        }
        return (volumes, unchecked)
    }

    /// Path → the volumes (`POOL/NAME`) whose backing chains reach it.
    func backingUsers(_ volumes: [String: VolumeSummary]) throws(VMCtlError) -> [String: [String]] {
        var users: [String: [String]] = [:]
        let deleter = VMDeleter(connection: connection)
        for volume in volumes.values {
            var seen: Set<String> = [volume.path]
            var next = volume.backing
            // 32 links at most, as VMDeleter walks them: a loop in broken metadata must not hang us.
            for _ in 0..<32 {
                guard let current = next, seen.insert(current).inserted else { break }
                users[current, default: []].append("\(volume.pool)/\(volume.name)")
                if let known = volumes[current] { next = known.backing } else { next = try deleter.backingPath(of: current) }
            }
        }
        return users
    }

    /// Base images: volumes vmctl fetched, and volumes another volume is layered on.
    public func list(pool: String? = nil) throws(VMCtlError) -> ImageListing {
        if let pool { _ = try storage.activePool(named: pool) }
        let inventory = try inventory()
        let entries = try registryEntries()
        let fetched = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let paths = Set(fetched.keys).union(inventory.volumeUsers.keys).filter { inventory.volumes[$0] != nil }
        let images = paths.compactMap { path -> BaseImage? in
            guard let volume = inventory.volumes[path], pool == nil || volume.pool == pool else { return nil }
            return BaseImage(
                pool: volume.pool, name: volume.name, path: path, format: volume.format, capacityBytes: volume.capacityBytes,
                allocationBytes: volume.allocationBytes, fetched: fetched[path] != nil, source: fetched[path]?.source,
                checksum: fetched[path]?.checksum, usedByDomains: inventory.domainUsers[path] ?? [],
                usedByVolumes: inventory.volumeUsers[path] ?? [])
        }
        return ImageListing(
            images: images.sorted { ($0.pool, $0.name) < ($1.pool, $1.name) }, uncheckedPools: inventory.uncheckedPools)
    }

    /// Removes fetched images nothing uses: no domain's disk and no volume's backing
    /// chain in any running pool. Never a volume vmctl did not fetch. With
    /// `dryRun`, only says what it would remove.
    /// Each image it would remove is locked first (`imageLock`), and whether it
    /// is in use is decided again under those locks: a `vm create` layering a VM
    /// on it holds that lock until its overlay exists, so prune never removes a base
    /// under a VM being made.
    public func prune(dryRun: Bool) throws(VMCtlError) -> ImagePruneResult {
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        let candidates = try list().images.filter { $0.fetched && !$0.inUse }.map(\.path)
        var locks: [ObjectLock] = []
        // A dry run changes nothing, so it waits for no one.
        for path in candidates.sorted() where !dryRun {
            locks.append(try Self.imageLock(uri: uri, path: path, timeout: lockTimeout, progress: progress))
        }
        defer { withExtendedLifetime(locks) {} }
        let listing = try list()
        let entries = try registry.entries(uri: uri)
        let present = Set(listing.images.map(\.path))
        // A volume gone from a pool that is only stopped may come back: forget only what a running pool lost.
        let stale = entries.filter { !present.contains($0.path) && !listing.uncheckedPools.contains($0.pool) }.map(\.path)
        var result = ImagePruneResult(
            dryRun: dryRun, removed: [], kept: listing.images.filter { $0.fetched && $0.inUse }, forgotten: stale.sorted(),
            uncheckedPools: listing.uncheckedPools)
        for image in listing.images where image.fetched && !image.inUse && candidates.contains(image.path) {
            if !dryRun {
                // virStorageVolLookupByPath, then virStorageVolDelete.
                try libvirt("removing image '\(image.name)' in pool '\(image.pool)'") {
                    try connection.storageVolume(path: image.path).delete()
                }
                try registry.forget(paths: [image.path], uri: uri)
            }
            result.removed.append(.init(pool: image.pool, name: image.name, path: image.path, allocationBytes: image.allocationBytes))
        }
        if !dryRun {
            try registry.forget(paths: Set(stale), uri: uri)
            // What killed fetches left: volumes never recorded (each named in a progress line), downloads no fetch is resuming.
            try fetchLeftovers { _ in true }.remove(progress: progress)
            removeAbandonedDownloads()
        }
        return result
    }

    /// The lock `image prune` and every command layering on or copying an image
    /// take on it (an `ObjectLock` of kind "image", named by its path).
    static func imageLock(uri: String, path: String, timeout: Double = 600, progress: any ProgressReporter) throws(VMCtlError)
        -> ObjectLock {
        try ObjectLock.acquire(uri: uri, kind: "image", name: path, timeout: timeout, waiting: {
            progress.step("waiting for another vmctl process using the image \(path)")
        })
    }

    func registryEntries() throws(VMCtlError) -> [ImageRegistry.Entry] {
        let uri = try libvirt("reading the connection's URI") { try connection.uri() }
        return try registry.entries(uri: uri)
    }
}
