import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// The most vCPUs one guest of `type` (such as `kvm`; `nil`: the driver's default) may have.
    /// The corresponding C function is `virConnectGetMaxVcpus`.
    public func maxVcpus(type: String? = nil) throws -> Int {
        Int(try Call.status { virConnectGetMaxVcpus(pointer, type) })
    }

    /// The host's free memory in bytes.
    /// The corresponding C function is `virNodeGetFreeMemory`.
    public func freeMemory() throws -> UInt64 {
        // 0 is libvirt's error value here.
        UInt64(try Call.nonZero { UInt(virNodeGetFreeMemory(pointer)) })
    }

    /// Free memory in bytes of NUMA cells `start` to `start + count - 1`.
    /// The corresponding C function is `virNodeGetCellsFreeMemory`.
    public func cellsFreeMemory(start: Int = 0, count: Int) throws -> [UInt64] {
        var values = [UInt64](repeating: 0, count: count)
        let filled = try Call.status { virNodeGetCellsFreeMemory(pointer, &values, Int32(start), Int32(count)) }
        return Array(values.prefix(Int(filled)))
    }

    /// The CPU model names libvirt knows for `arch` (such as `x86_64`).
    /// The corresponding C function is `virConnectGetCPUModelNames`.
    public func cpuModelNames(arch: String) throws -> [String] {
        var models: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = try Call.status { virConnectGetCPUModelNames(pointer, arch, &models, 0) }
        guard let models else { return [] }
        defer {
            for index in 0..<Int(count) { free(models[index]) }
            free(models)
        }
        return (0..<Int(count)).compactMap { models[$0].map { String(cString: $0) } }
    }

    /// The host's SMBIOS system information as `<sysinfo>` XML.
    /// The corresponding C function is `virConnectGetSysinfo`.
    public func sysinfoXML() throws -> String {
        try Call.ownedString { virConnectGetSysinfo(pointer, 0) }
    }

    /// Creates and starts a transient storage pool, which disappears when stopped.
    /// The corresponding C function is `virStoragePoolCreateXML`.
    public func createTransientStoragePool(xml: String, flags: StoragePoolCreateFlags = []) throws -> StoragePool {
        StoragePool(handle: try Call.pointer { virStoragePoolCreateXML(pointer, xml, flags.rawValue) }, connection: self)
    }

    /// Looks up the storage pool whose target is `path`.
    /// The corresponding C function is `virStoragePoolLookupByTargetPath`.
    public func storagePool(targetPath path: String) throws -> StoragePool {
        StoragePool(handle: try Call.pointer { virStoragePoolLookupByTargetPath(pointer, path) }, connection: self)
    }
}

/// Flags for starting or creating a pool (`virStoragePoolCreateFlags`).
public struct StoragePoolCreateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let build = Self(rawValue: VIR_STORAGE_POOL_CREATE_WITH_BUILD.rawValue)
    public static let buildOverwrite = Self(rawValue: VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE.rawValue)
    public static let buildNoOverwrite = Self(rawValue: VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE.rawValue)
}

/// How `StorageVolume.wipe(_:)` overwrites data (`virStorageVolWipeAlgorithm`).
public struct StorageVolumeWipeAlgorithm: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let zero = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_ZERO.rawValue)
    public static let nnsa = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_NNSA.rawValue)
    public static let dod = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_DOD.rawValue)
    public static let bsi = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_BSI.rawValue)
    public static let gutmann = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_GUTMANN.rawValue)
    public static let schneier = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER.rawValue)
    public static let pfitzner7 = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7.rawValue)
    public static let pfitzner33 = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33.rawValue)
    public static let random = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_RANDOM.rawValue)
    /// Discard the blocks (TRIM) instead of writing.
    public static let trim = Self(rawValue: VIR_STORAGE_VOL_WIPE_ALG_TRIM.rawValue)
}

extension StorageVolume {
    /// Type, capacity and allocation; with `physical`, `allocation` is the
    /// host file's size rather than the blocks in use.
    /// The corresponding C function is `virStorageVolGetInfoFlags`.
    public func info(physical: Bool) throws -> StorageVolumeInfo {
        var info = virStorageVolInfo()
        try Call.status { virStorageVolGetInfoFlags(handle, &info, physical ? VIR_STORAGE_VOL_GET_PHYSICAL.rawValue : 0) }
        return StorageVolumeInfo(
            type: StorageVolumeType(rawValue: Int32(info.type)), capacity: UInt64(info.capacity),
            allocation: UInt64(info.allocation))
    }

    /// Overwrites the volume's data with `algorithm`'s pattern.
    /// The corresponding C function is `virStorageVolWipePattern`.
    public func wipe(_ algorithm: StorageVolumeWipeAlgorithm) throws {
        try Call.status { virStorageVolWipePattern(handle, algorithm.rawValue, 0) }
    }
}

extension DomainSnapshot {
    /// The snapshot this one was taken on top of; throws `.noDomainSnapshot` for a root.
    /// The corresponding C function is `virDomainSnapshotGetParent`.
    public func parent() throws -> DomainSnapshot {
        DomainSnapshot(handle: try Call.pointer { virDomainSnapshotGetParent(handle, 0) }, domain: domain)
    }

    /// The snapshots taken on top of this one.
    /// The corresponding C function is `virDomainSnapshotListAllChildren`.
    public func children() throws -> [DomainSnapshot] {
        try Call.list({ virDomainSnapshotListAllChildren(handle, $0, 0) }) { DomainSnapshot(handle: $0, domain: domain) }
    }

    /// Whether libvirt keeps metadata for the snapshot (`false` after `.noMetadata`).
    /// The corresponding C function is `virDomainSnapshotHasMetadata`.
    public func hasMetadata() throws -> Bool {
        try Call.status { virDomainSnapshotHasMetadata(handle, 0) } == 1
    }
}

/// Flags for `Connection(uri:flags:)` (`virConnectFlags`).
public struct ConnectionOpenFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readOnly = Self(rawValue: VIR_CONNECT_RO.rawValue)
    /// Do not resolve URI aliases from libvirt's client configuration.
    public static let noAliases = Self(rawValue: VIR_CONNECT_NO_ALIASES.rawValue)
}

/// How a CPU compares with the host's (`virCPUCompareResult`).
public struct CPUComparison: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let incompatible = Self(rawValue: VIR_CPU_COMPARE_INCOMPATIBLE.rawValue)
    public static let identical = Self(rawValue: VIR_CPU_COMPARE_IDENTICAL.rawValue)
    /// The host CPU has everything the described one has, and more.
    public static let superset = Self(rawValue: VIR_CPU_COMPARE_SUPERSET.rawValue)
}

/// Flags for `Connection.baselineCPU` (`virConnectBaselineCPUFlags`).
public struct BaselineCPUFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// List every feature instead of relying on the model's.
    public static let expandFeatures = Self(rawValue: VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES.rawValue)
    /// Leave out features that block migration.
    public static let migratable = Self(rawValue: VIR_CONNECT_BASELINE_CPU_MIGRATABLE.rawValue)
}

extension Connection {
    /// The host's CPUs: how many exist, and which are online.
    /// The corresponding C function is `virNodeGetCPUMap`.
    public func onlineCPUs() throws -> (count: Int, online: Set<Int>) {
        var map: UnsafeMutablePointer<UInt8>? = nil
        var online: UInt32 = 0
        let count = try Call.status { virNodeGetCPUMap(pointer, &map, &online, 0) }
        defer { free(map) }
        guard let map else { return (Int(count), []) }
        return (Int(count), CPUMap.cpus(UnsafeBufferPointer(start: map, count: (Int(count) + 7) / 8), count: Int(count)))
    }

    /// Compares the `<cpu>` described by `xml` with the host's CPU.
    /// The corresponding C function is `virConnectCompareCPU`.
    public func compareCPU(xml: String) throws -> CPUComparison {
        CPUComparison(rawValue: try Call.status { virConnectCompareCPU(pointer, xml, 0) })
    }

    /// The most capable `<cpu>` that every CPU described in `xmls` can provide.
    /// The corresponding C function is `virConnectBaselineCPU`.
    public func baselineCPU(of xmls: [String], flags: BaselineCPUFlags = []) throws -> String {
        try withCStrings(xmls) { list in
            try Call.ownedString { virConnectBaselineCPU(pointer, list, UInt32(xmls.count), flags.rawValue) }
        }
    }

    /// Which storage pool types the driver supports, as `<storagepoolCapabilities>` XML.
    /// The corresponding C function is `virConnectGetStoragePoolCapabilities`.
    public func storagePoolCapabilitiesXML() throws -> String {
        try Call.ownedString { virConnectGetStoragePoolCapabilities(pointer, 0) }
    }

    /// Looks for storage a pool of `type` could use (volume groups, NFS
    /// exports, …); `sourceXML` narrows the search (a `<source>` with a host).
    /// Returns `<sources>` XML.
    /// The corresponding C function is `virConnectFindStoragePoolSources`.
    public func findStoragePoolSources(type: String, sourceXML: String? = nil) throws -> String {
        try Call.ownedString { virConnectFindStoragePoolSources(pointer, type, sourceXML, 0) }
    }
}
