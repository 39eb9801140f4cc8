import CLibvirt

// Each flags argument of the C API gets a named OptionSet; raw values are
// libvirt's own constants, so unknown bits still pass through.

/// Filters for `Connection.domains(_:)` (`virConnectListAllDomainsFlags`).
public struct DomainListFilter: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let active = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_ACTIVE.rawValue)
    public static let inactive = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_INACTIVE.rawValue)
    public static let persistent = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_PERSISTENT.rawValue)
    public static let transient = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_TRANSIENT.rawValue)
    public static let running = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_RUNNING.rawValue)
    public static let paused = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_PAUSED.rawValue)
    public static let shutOff = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_SHUTOFF.rawValue)
    public static let other = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_OTHER.rawValue)
    public static let managedSave = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE.rawValue)
    public static let autostart = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_AUTOSTART.rawValue)
    public static let noAutostart = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART.rawValue)
    public static let hasSnapshot = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT.rawValue)
    public static let noSnapshot = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT.rawValue)
}

/// Flags for creating or starting a domain (`virDomainCreateFlags`).
public struct DomainCreateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let paused = Self(rawValue: VIR_DOMAIN_START_PAUSED.rawValue)
    public static let autoDestroy = Self(rawValue: VIR_DOMAIN_START_AUTODESTROY.rawValue)
    public static let bypassCache = Self(rawValue: VIR_DOMAIN_START_BYPASS_CACHE.rawValue)
    public static let forceBoot = Self(rawValue: VIR_DOMAIN_START_FORCE_BOOT.rawValue)
    public static let validate = Self(rawValue: VIR_DOMAIN_START_VALIDATE.rawValue)
    public static let resetNVRAM = Self(rawValue: VIR_DOMAIN_START_RESET_NVRAM.rawValue)
}

/// Flags for `Domain.undefine(_:)` (`virDomainUndefineFlagsValues`).
public struct DomainUndefineFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let managedSave = Self(rawValue: VIR_DOMAIN_UNDEFINE_MANAGED_SAVE.rawValue)
    public static let snapshotsMetadata = Self(rawValue: VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA.rawValue)
    public static let nvram = Self(rawValue: VIR_DOMAIN_UNDEFINE_NVRAM.rawValue)
    public static let keepNVRAM = Self(rawValue: VIR_DOMAIN_UNDEFINE_KEEP_NVRAM.rawValue)
    public static let checkpointsMetadata = Self(rawValue: VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA.rawValue)
    public static let tpm = Self(rawValue: VIR_DOMAIN_UNDEFINE_TPM.rawValue)
    public static let keepTPM = Self(rawValue: VIR_DOMAIN_UNDEFINE_KEEP_TPM.rawValue)
}

/// Flags for `Domain.xml(_:)` (`virDomainXMLFlags`).
public struct DomainXMLFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Include passwords and other secrets (needs a read-write connection).
    public static let secure = Self(rawValue: VIR_DOMAIN_XML_SECURE.rawValue)
    /// The persistent definition rather than the running one.
    public static let inactive = Self(rawValue: VIR_DOMAIN_XML_INACTIVE.rawValue)
    public static let updateCPU = Self(rawValue: VIR_DOMAIN_XML_UPDATE_CPU.rawValue)
    public static let migratable = Self(rawValue: VIR_DOMAIN_XML_MIGRATABLE.rawValue)
}

/// Which definition a change or a read applies to (`virDomainModificationImpact`).
public struct DomainModificationImpact: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The running domain if active, else the persistent one.
    public static let current: Self = []
    /// The running domain.
    public static let live = Self(rawValue: VIR_DOMAIN_AFFECT_LIVE.rawValue)
    /// The persistent definition.
    public static let config = Self(rawValue: VIR_DOMAIN_AFFECT_CONFIG.rawValue)
}

/// Filters for `Connection.networks(_:)` (`virConnectListAllNetworksFlags`).
public struct NetworkListFilter: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let active = Self(rawValue: VIR_CONNECT_LIST_NETWORKS_ACTIVE.rawValue)
    public static let inactive = Self(rawValue: VIR_CONNECT_LIST_NETWORKS_INACTIVE.rawValue)
    public static let persistent = Self(rawValue: VIR_CONNECT_LIST_NETWORKS_PERSISTENT.rawValue)
    public static let transient = Self(rawValue: VIR_CONNECT_LIST_NETWORKS_TRANSIENT.rawValue)
    public static let autostart = Self(rawValue: VIR_CONNECT_LIST_NETWORKS_AUTOSTART.rawValue)
    public static let noAutostart = Self(rawValue: VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART.rawValue)
}

/// Filters for `Connection.storagePools(_:)` (`virConnectListAllStoragePoolsFlags`).
public struct StoragePoolListFilter: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let active = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE.rawValue)
    public static let inactive = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE.rawValue)
    public static let persistent = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT.rawValue)
    public static let transient = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT.rawValue)
    public static let autostart = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART.rawValue)
    public static let noAutostart = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART.rawValue)
    public static let dir = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_DIR.rawValue)
    public static let fs = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_FS.rawValue)
    public static let netfs = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_NETFS.rawValue)
    public static let logical = Self(rawValue: VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL.rawValue)
}

/// How `StorageVolume.delete(_:)` removes data (`virStorageVolDeleteFlags`).
public struct StorageVolumeDeleteFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let zeroed = Self(rawValue: VIR_STORAGE_VOL_DELETE_ZEROED.rawValue)
    public static let withSnapshots = Self(rawValue: VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS.rawValue)
}

/// Flags for `StorageVolume.resize(to:flags:)` (`virStorageVolResizeFlags`).
public struct StorageVolumeResizeFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Allocate the new space now.
    public static let allocate = Self(rawValue: VIR_STORAGE_VOL_RESIZE_ALLOCATE.rawValue)
    /// The capacity is added to, not set.
    public static let delta = Self(rawValue: VIR_STORAGE_VOL_RESIZE_DELTA.rawValue)
    /// Allow shrinking (data past the new end is lost).
    public static let shrink = Self(rawValue: VIR_STORAGE_VOL_RESIZE_SHRINK.rawValue)
}

/// Flags for creating volumes (`virStorageVolCreateFlags`).
public struct StorageVolumeCreateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let preallocateMetadata = Self(rawValue: VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA.rawValue)
    public static let reflink = Self(rawValue: VIR_STORAGE_VOL_CREATE_REFLINK.rawValue)
    public static let validate = Self(rawValue: VIR_STORAGE_VOL_CREATE_VALIDATE.rawValue)
}

/// Flags for building a pool (`virStoragePoolBuildFlags`).
public struct StoragePoolBuildFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let repair = Self(rawValue: VIR_STORAGE_POOL_BUILD_REPAIR.rawValue)
    public static let resize = Self(rawValue: VIR_STORAGE_POOL_BUILD_RESIZE.rawValue)
    public static let noOverwrite = Self(rawValue: VIR_STORAGE_POOL_BUILD_NO_OVERWRITE.rawValue)
    public static let overwrite = Self(rawValue: VIR_STORAGE_POOL_BUILD_OVERWRITE.rawValue)
}

/// Flags for creating snapshots (`virDomainSnapshotCreateFlags`).
public struct SnapshotCreateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let redefine = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE.rawValue)
    public static let current = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT.rawValue)
    public static let noMetadata = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA.rawValue)
    public static let halt = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_HALT.rawValue)
    public static let diskOnly = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY.rawValue)
    public static let reuseExternal = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT.rawValue)
    public static let quiesce = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE.rawValue)
    public static let atomic = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC.rawValue)
    public static let live = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_LIVE.rawValue)
    public static let validate = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE.rawValue)
}

/// Flags for reverting to a snapshot (`virDomainSnapshotRevertFlags`).
public struct SnapshotRevertFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let running = Self(rawValue: VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING.rawValue)
    public static let paused = Self(rawValue: VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED.rawValue)
    public static let force = Self(rawValue: VIR_DOMAIN_SNAPSHOT_REVERT_FORCE.rawValue)
}

/// Flags for deleting a snapshot (`virDomainSnapshotDeleteFlags`).
public struct SnapshotDeleteFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let children = Self(rawValue: VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN.rawValue)
    public static let metadataOnly = Self(rawValue: VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY.rawValue)
    public static let childrenOnly = Self(rawValue: VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY.rawValue)
}
