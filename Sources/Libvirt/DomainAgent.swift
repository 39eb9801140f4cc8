import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// Copies and frees a `char **` array of `count` strings that libvirt allocated.
func ownedStringArray(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, count: Int32) -> [String] {
    guard let array else { return [] }
    defer {
        for index in 0..<Int(count) { free(array[index]) }
        free(array)
    }
    return (0..<Int(count)).compactMap { array[$0].map { String(cString: $0) } }
}

extension Domain {
    /// Sets the guest's clock (through the guest agent where the driver needs one).
    /// The corresponding C function is `virDomainSetTime`.
    public func setTime(_ time: Duration) throws {
        let (seconds, attoseconds) = time.components
        try Call.status { virDomainSetTime(handle, seconds, UInt32(attoseconds / 1_000_000_000), 0) }
    }

    /// The state of libvirt's control channel to the domain (monitor or agent).
    /// The corresponding C function is `virDomainGetControlInfo`.
    public func controlInfo() throws -> DomainControlInfo {
        var info = virDomainControlInfo()
        try Call.status { virDomainGetControlInfo(handle, &info, 0) }
        return DomainControlInfo(state: Int32(info.state), details: Int32(info.details), stateMilliseconds: info.stateTime)
    }

    /// The definition stored with the managed save image.
    /// The corresponding C function is `virDomainManagedSaveGetXMLDesc`.
    public func managedSaveXML(_ flags: DomainXMLFlags = []) throws -> String {
        try Call.ownedString { virDomainManagedSaveGetXMLDesc(handle, flags.rawValue) }
    }

    /// Replaces the definition stored with the managed save image.
    /// The corresponding C function is `virDomainManagedSaveDefineXML`.
    public func defineManagedSaveXML(_ xml: String, flags: DomainSaveFlags = []) throws {
        try Call.status { virDomainManagedSaveDefineXML(handle, xml, flags.rawValue) }
    }

    /// How often (in seconds; 0 disables) the balloon driver refreshes memory statistics.
    /// The corresponding C function is `virDomainSetMemoryStatsPeriod`.
    public func setMemoryStatsPeriod(seconds: Int, impact: DomainModificationImpact = .current) throws {
        try Call.status { virDomainSetMemoryStatsPeriod(handle, Int32(seconds), impact.rawValue) }
    }

    /// Asks for a block-threshold event once a disk's writes pass `bytes`.
    /// The corresponding C function is `virDomainSetBlockThreshold`.
    public func setBlockThreshold(_ disk: String, bytes: UInt64) throws {
        try Call.status { virDomainSetBlockThreshold(handle, disk, bytes, 0) }
    }

    /// A guest user's authorized SSH keys, through the guest agent.
    /// The corresponding C function is `virDomainAuthorizedSSHKeysGet`.
    public func authorizedSSHKeys(user: String) throws -> [String] {
        var keys: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = try Call.status { virDomainAuthorizedSSHKeysGet(handle, user, &keys, 0) }
        return ownedStringArray(keys, count: count)
    }

    /// Replaces (or with flags, appends to or removes from) a guest user's authorized SSH keys.
    /// The corresponding C function is `virDomainAuthorizedSSHKeysSet`.
    public func setAuthorizedSSHKeys(_ keys: [String], user: String, flags: AuthorizedSSHKeysFlags = []) throws {
        try withCStrings(keys) { list in
            _ = try Call.status { virDomainAuthorizedSSHKeysSet(handle, user, list, UInt32(keys.count), flags.rawValue) }
        }
    }

    /// Messages libvirt recorded about the domain: deprecated features in use, taint reasons.
    /// The corresponding C function is `virDomainGetMessages`.
    public func messages(_ kinds: DomainMessageKinds = []) throws -> [String] {
        var messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = try Call.status { virDomainGetMessages(handle, &messages, kinds.rawValue) }
        return ownedStringArray(messages, count: count)
    }

    /// Pins the emulator threads to the host CPUs in `hostCPUs`.
    /// The corresponding C function is `virDomainPinEmulator`.
    public func pinEmulator(to hostCPUs: Set<Int>, impact: DomainModificationImpact = .current) throws {
        var map = CPUMap.bytes(hostCPUs)
        try Call.status { virDomainPinEmulator(handle, &map, Int32(map.count), impact.rawValue) }
    }

    /// The host CPUs, among the first `hostCPUs`, the emulator threads may run on.
    /// The corresponding C function is `virDomainGetEmulatorPinInfo`.
    public func emulatorPinning(hostCPUs: Int, impact: DomainModificationImpact = .current) throws -> Set<Int> {
        var map = [UInt8](repeating: 0, count: (hostCPUs + 7) / 8)
        try Call.status { virDomainGetEmulatorPinInfo(handle, &map, Int32(map.count), impact.rawValue) }
        return CPUMap.cpus(map, count: hostCPUs)
    }

    /// One disk's I/O statistics as libvirt's named fields (`rd_bytes`, `flush_total_times`, …).
    /// The corresponding C function is `virDomainBlockStatsFlags`.
    public func blockStatsFields(disk: String) throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virDomainBlockStatsFlags(handle, disk, $0, $1, 0) }
    }

    /// Changes the bandwidth limit of a running block job (MiB/s).
    /// The corresponding C function is `virDomainBlockJobSetSpeed`.
    public func setBlockJobSpeed(_ disk: String, bandwidth: UInt64) throws {
        try Call.status { virDomainBlockJobSetSpeed(handle, disk, UInt(bandwidth), 0) }
    }

    /// How long to wait for the guest agent: seconds, or -2 (block), -1 (default), 0 (no wait).
    /// The corresponding C function is `virDomainAgentSetResponseTimeout`.
    public func setAgentResponseTimeout(seconds: Int) throws {
        try Call.status { virDomainAgentSetResponseTimeout(handle, Int32(seconds), 0) }
    }

    /// The guest's mounted file systems, through the guest agent.
    /// The corresponding C functions are `virDomainGetFSInfo` and `virDomainFSInfoFree`.
    public func fileSystems() throws -> [GuestFileSystem] {
        var raw: UnsafeMutablePointer<virDomainFSInfoPtr?>? = nil
        let count = try Call.status { virDomainGetFSInfo(handle, &raw, 0) }
        guard let raw else { return [] }
        defer {
            for index in 0..<Int(count) { virDomainFSInfoFree(raw[index]) }
            free(raw)
        }
        func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        return (0..<Int(count)).compactMap { index in
            guard let info = raw[index]?.pointee else { return nil }
            let aliases = (0..<Int(info.ndevAlias)).map { string(info.devAlias[$0]) }
            return GuestFileSystem(mountPoint: string(info.mountpoint), name: string(info.name), type: string(info.fstype), diskAliases: aliases)
        }
    }

    /// The bandwidth limit for migrating this domain, in MiB/s.
    /// The corresponding C function is `virDomainMigrateGetMaxSpeed`.
    public func migrationMaxSpeed() throws -> UInt64 {
        var value: UInt = 0
        try Call.status { virDomainMigrateGetMaxSpeed(handle, &value, 0) }
        return UInt64(value)
    }

    /// Sets the bandwidth limit for migrating this domain, in MiB/s.
    /// The corresponding C function is `virDomainMigrateSetMaxSpeed`.
    public func setMigrationMaxSpeed(_ mebibytesPerSecond: UInt64) throws {
        try Call.status { virDomainMigrateSetMaxSpeed(handle, UInt(mebibytesPerSecond), 0) }
    }

    /// The longest pause allowed at the end of a live migration, in milliseconds.
    /// The corresponding C function is `virDomainMigrateGetMaxDowntime`.
    public func migrationMaxDowntime() throws -> UInt64 {
        var value: UInt64 = 0
        try Call.status { virDomainMigrateGetMaxDowntime(handle, &value, 0) }
        return value
    }

    /// Sets the longest pause allowed at the end of a live migration, in milliseconds.
    /// The corresponding C function is `virDomainMigrateSetMaxDowntime`.
    public func setMigrationMaxDowntime(milliseconds: UInt64) throws {
        try Call.status { virDomainMigrateSetMaxDowntime(handle, milliseconds, 0) }
    }

    /// Switches a running migration to post-copy.
    /// The corresponding C function is `virDomainMigrateStartPostCopy`.
    public func startPostCopyMigration() throws {
        try Call.status { virDomainMigrateStartPostCopy(handle, 0) }
    }

    /// The current (or with `completed`, the last finished) job's type and statistics.
    /// The corresponding C function is `virDomainGetJobStats`.
    public func jobStats(completed: Bool = false) throws -> (type: DomainJobType, values: [String: TypedParameterValue]) {
        var type: Int32 = 0
        var parameters: UnsafeMutablePointer<virTypedParameter>? = nil
        var count: Int32 = 0
        let flags = completed ? VIR_DOMAIN_JOB_STATS_COMPLETED.rawValue : 0
        try Call.status { virDomainGetJobStats(handle, &type, &parameters, &count, flags) }
        defer { virTypedParamsFree(parameters, count) }
        return (DomainJobType(rawValue: type), TypedParameterValue.dictionary(parameters, count: count))
    }
}

extension Connection {
    /// Replaces the definition stored in a saved-state file.
    /// The corresponding C function is `virDomainSaveImageDefineXML`.
    public func defineSavedDomainXML(at path: String, xml: String, flags: DomainSaveFlags = []) throws {
        try Call.status { virDomainSaveImageDefineXML(pointer, path, xml, flags.rawValue) }
    }

    /// Host CPU time counters in nanoseconds (`kernel`, `user`, `idle`, `iowait`)
    /// of one CPU, or of all (`cpu` nil).
    /// The corresponding C function is `virNodeGetCPUStats`.
    public func nodeCPUStats(cpu: Int? = nil) throws -> [String: UInt64] {
        let number = Int32(cpu ?? Int(VIR_NODE_CPU_STATS_ALL_CPUS.rawValue))
        return try fieldCounters(empty: virNodeCPUStats(), field: \.field, value: \.value) { stats, count in
            virNodeGetCPUStats(pointer, number, stats, count, 0)
        }
    }

    /// Host memory counters in KiB (`total`, `free`, `buffers`, `cached`) of one NUMA cell, or of all.
    /// The corresponding C function is `virNodeGetMemoryStats`.
    public func nodeMemoryStats(cell: Int? = nil) throws -> [String: UInt64] {
        let number = Int32(cell ?? Int(VIR_NODE_MEMORY_STATS_ALL_CELLS.rawValue))
        return try fieldCounters(empty: virNodeMemoryStats(), field: \.field, value: \.value) { stats, count in
            virNodeGetMemoryStats(pointer, number, stats, count, 0)
        }
    }

    /// The host's security driver (`selinux`, `apparmor`, or empty) and its domain of interpretation.
    /// The corresponding C function is `virNodeGetSecurityModel`.
    public func securityModel() throws -> (model: String, doi: String) {
        var model = virSecurityModel()
        try Call.status { virNodeGetSecurityModel(pointer, &model) }
        let name = withUnsafeBytes(of: &model.model) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let doi = withUnsafeBytes(of: &model.doi) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return (name, doi)
    }

    /// Host memory tuning (`shm_pages_to_scan`, `shm_merge_across_nodes`, …).
    /// The corresponding C function is `virNodeGetMemoryParameters`.
    public func nodeMemoryParameters() throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virNodeGetMemoryParameters(pointer, $0, $1, 0) }
    }

    /// Changes host memory tuning.
    /// The corresponding C function is `virNodeSetMemoryParameters`.
    public func setNodeMemoryParameters(_ values: [String: TypedParameterValue]) throws {
        try TypedParameterValue.write(values) { virNodeSetMemoryParameters(pointer, $0, $1, 0) }
    }

    /// Free huge pages of each size in `pageSizesKiB`, for NUMA cells `start` to
    /// `start + cells - 1`: one row per cell, one count per size.
    /// The corresponding C function is `virNodeGetFreePages`.
    public func freePages(sizesKiB pageSizesKiB: [UInt32], startCell start: Int = 0, cells: Int = 1) throws -> [[UInt64]] {
        var sizes = pageSizesKiB
        var counts = [UInt64](repeating: 0, count: sizes.count * cells)
        let filled = try Call.status {
            virNodeGetFreePages(pointer, UInt32(sizes.count), &sizes, Int32(start), UInt32(cells), &counts, 0)
        }
        let rows = Int(filled) / max(sizes.count, 1)
        return (0..<rows).map { Array(counts[$0 * sizes.count..<($0 + 1) * sizes.count]) }
    }
}

/// The state of libvirt's control channel to a domain (`virDomainControlInfo`).
public struct DomainControlInfo: Hashable, Sendable {
    /// `virDomainControlState`: 0 ok, 1 job, 2 occupied, 3 error.
    public var state: Int32
    public var details: Int32
    /// How long the channel has been in `state`.
    public var stateMilliseconds: UInt64
}

/// A guest file system (`virDomainFSInfo`).
public struct GuestFileSystem: Hashable, Sendable {
    public var mountPoint: String
    /// The device name in the guest, such as `sda1`.
    public var name: String
    public var type: String
    /// The aliases of the domain's disks it lives on.
    public var diskAliases: [String]
}

/// Flags for `Domain.setAuthorizedSSHKeys` (`virDomainAuthorizedSSHKeysSetFlags`); empty replaces the keys.
public struct AuthorizedSSHKeysFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let append = Self(rawValue: VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND.rawValue)
    public static let remove = Self(rawValue: VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE.rawValue)
}

/// Which messages `Domain.messages(_:)` returns (`virDomainMessageType`); empty: all.
public struct DomainMessageKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let deprecation = Self(rawValue: VIR_DOMAIN_MESSAGE_DEPRECATION.rawValue)
    public static let tainting = Self(rawValue: VIR_DOMAIN_MESSAGE_TAINTING.rawValue)
}

/// Reads a `{ char field[80]; unsigned long long value; }` array with libvirt's
/// two-call protocol (`virNodeGetCPUStats`, `virNodeGetMemoryStats`).
private func fieldCounters<Stat, Field>(
    empty: Stat, field: KeyPath<Stat, Field>, value: KeyPath<Stat, UInt64>,
    _ body: (UnsafeMutablePointer<Stat>?, UnsafeMutablePointer<Int32>) -> Int32
) throws -> [String: UInt64] {
    var count: Int32 = 0
    try Call.status { body(nil, &count) }
    var stats = [Stat](repeating: empty, count: Int(count))
    try stats.withUnsafeMutableBufferPointer { buffer in _ = try Call.status { body(buffer.baseAddress, &count) } }
    var result: [String: UInt64] = [:]
    for stat in stats.prefix(Int(count)) {
        let name = withUnsafeBytes(of: stat[keyPath: field]) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        result[name] = stat[keyPath: value]
    }
    return result
}

/// libvirt's CPU bitmaps: bit `n % 8` of byte `n / 8` is host CPU `n`.
enum CPUMap {
    static func bytes(_ cpus: Set<Int>) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: ((cpus.max() ?? 0) / 8) + 1)
        for cpu in cpus { map[cpu / 8] |= 1 << UInt8(cpu % 8) }
        return map
    }

    static func cpus<Bytes: Collection>(_ map: Bytes, count: Int) -> Set<Int> where Bytes.Element == UInt8 {
        let bytes = Array(map)
        return Set((0..<min(count, bytes.count * 8)).filter { bytes[$0 / 8] & (1 << UInt8($0 % 8)) != 0 })
    }
}

/// What `Domain.guestInfo(_:)` asks the guest agent for (`virDomainGuestInfoTypes`).
public struct DomainGuestInfoTypes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Logged-in users (`user.N.name`, …).
    public static let users = Self(rawValue: VIR_DOMAIN_GUEST_INFO_USERS.rawValue)
    /// The operating system (`os.id`, `os.name`, `os.version-id`, `os.kernel-release`, …).
    public static let operatingSystem = Self(rawValue: VIR_DOMAIN_GUEST_INFO_OS.rawValue)
    /// The time zone (`timezone.name`, `timezone.offset`).
    public static let timeZone = Self(rawValue: VIR_DOMAIN_GUEST_INFO_TIMEZONE.rawValue)
    /// The host name (`hostname`).
    public static let hostname = Self(rawValue: VIR_DOMAIN_GUEST_INFO_HOSTNAME.rawValue)
    /// Mounted file systems (`fs.N.mountpoint`, …).
    public static let fileSystems = Self(rawValue: VIR_DOMAIN_GUEST_INFO_FILESYSTEM.rawValue)
    /// Disks (`disk.N.name`, …).
    public static let disks = Self(rawValue: VIR_DOMAIN_GUEST_INFO_DISKS.rawValue)
    /// Network interfaces (`if.N.name`, `if.N.addr.M.addr`, …).
    public static let interfaces = Self(rawValue: VIR_DOMAIN_GUEST_INFO_INTERFACES.rawValue)
}

extension Domain {
    /// What the guest agent reports about the guest, by libvirt's parameter
    /// names (`os.id`, `hostname`, `fs.0.mountpoint`, …); `types` empty asks
    /// for everything the agent supports.
    /// The corresponding C function is `virDomainGetGuestInfo`.
    public func guestInfo(_ types: DomainGuestInfoTypes = []) throws -> [String: TypedParameterValue] {
        var parameters: UnsafeMutablePointer<virTypedParameter>? = nil
        var count: Int32 = 0
        try Call.status { virDomainGetGuestInfo(handle, types.rawValue, &parameters, &count, 0) }
        defer { virTypedParamsFree(parameters, count) }
        return TypedParameterValue.dictionary(parameters, count: count)
    }
}
