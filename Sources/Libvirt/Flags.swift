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

/// How `Domain.attachDevice`, `detachDevice` and `updateDevice` apply (`virDomainDeviceModifyFlags`).
public struct DomainDeviceModifyFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The running domain if active, else the persistent definition.
    public static let current: Self = []
    public static let live = Self(rawValue: VIR_DOMAIN_DEVICE_MODIFY_LIVE.rawValue)
    public static let config = Self(rawValue: VIR_DOMAIN_DEVICE_MODIFY_CONFIG.rawValue)
    /// Forcibly change a removable medium (`updateDevice` of a cdrom).
    public static let force = Self(rawValue: VIR_DOMAIN_DEVICE_MODIFY_FORCE.rawValue)
}

/// How `Domain.setMemory(kiB:flags:)` applies (`virDomainMemoryModFlags`).
public struct DomainMemoryFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let current: Self = []
    public static let live = Self(rawValue: VIR_DOMAIN_MEM_LIVE.rawValue)
    public static let config = Self(rawValue: VIR_DOMAIN_MEM_CONFIG.rawValue)
    /// Change the maximum rather than the current allocation.
    public static let maximum = Self(rawValue: VIR_DOMAIN_MEM_MAXIMUM.rawValue)
}

/// How `Domain.setVcpus(_:flags:)` and `vcpuCount(_:)` apply (`virDomainVcpuFlags`).
public struct DomainVcpuFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let current: Self = []
    public static let live = Self(rawValue: VIR_DOMAIN_VCPU_LIVE.rawValue)
    public static let config = Self(rawValue: VIR_DOMAIN_VCPU_CONFIG.rawValue)
    /// The maximum rather than the current count.
    public static let maximum = Self(rawValue: VIR_DOMAIN_VCPU_MAXIMUM.rawValue)
    /// As the guest agent sees them.
    public static let guest = Self(rawValue: VIR_DOMAIN_VCPU_GUEST.rawValue)
    public static let hotpluggable = Self(rawValue: VIR_DOMAIN_VCPU_HOTPLUGGABLE.rawValue)
}

/// How `Domain.shutdown(_:)` asks the guest (`virDomainShutdownFlagValues`); empty lets the driver choose.
public struct DomainShutdownFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let acpiPowerButton = Self(rawValue: VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN.rawValue)
    public static let guestAgent = Self(rawValue: VIR_DOMAIN_SHUTDOWN_GUEST_AGENT.rawValue)
    public static let initctl = Self(rawValue: VIR_DOMAIN_SHUTDOWN_INITCTL.rawValue)
    public static let signal = Self(rawValue: VIR_DOMAIN_SHUTDOWN_SIGNAL.rawValue)
    public static let paravirt = Self(rawValue: VIR_DOMAIN_SHUTDOWN_PARAVIRT.rawValue)
}

/// Flags for saving and restoring a domain's memory (`virDomainSaveRestoreFlags`).
public struct DomainSaveFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let bypassCache = Self(rawValue: VIR_DOMAIN_SAVE_BYPASS_CACHE.rawValue)
    /// Run the domain after restoring, whatever its state when saved.
    public static let running = Self(rawValue: VIR_DOMAIN_SAVE_RUNNING.rawValue)
    /// Leave the domain paused after restoring.
    public static let paused = Self(rawValue: VIR_DOMAIN_SAVE_PAUSED.rawValue)
    public static let resetNVRAM = Self(rawValue: VIR_DOMAIN_SAVE_RESET_NVRAM.rawValue)
}

/// Which groups `Connection.domainStats` reads (`virDomainStatsTypes`); empty: all the driver has.
public struct DomainStatsTypes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let state = Self(rawValue: VIR_DOMAIN_STATS_STATE.rawValue)
    public static let cpuTotal = Self(rawValue: VIR_DOMAIN_STATS_CPU_TOTAL.rawValue)
    public static let balloon = Self(rawValue: VIR_DOMAIN_STATS_BALLOON.rawValue)
    public static let vcpu = Self(rawValue: VIR_DOMAIN_STATS_VCPU.rawValue)
    public static let interface = Self(rawValue: VIR_DOMAIN_STATS_INTERFACE.rawValue)
    public static let block = Self(rawValue: VIR_DOMAIN_STATS_BLOCK.rawValue)
    public static let perf = Self(rawValue: VIR_DOMAIN_STATS_PERF.rawValue)
    public static let iothread = Self(rawValue: VIR_DOMAIN_STATS_IOTHREAD.rawValue)
    public static let memory = Self(rawValue: VIR_DOMAIN_STATS_MEMORY.rawValue)
    public static let dirtyRate = Self(rawValue: VIR_DOMAIN_STATS_DIRTYRATE.rawValue)
    public static let vm = Self(rawValue: VIR_DOMAIN_STATS_VM.rawValue)
}

/// Which domains `Connection.domainStats` reports, and how (`virConnectGetAllDomainStatsFlags`).
public struct DomainStatsFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let active = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE.rawValue)
    public static let inactive = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE.rawValue)
    public static let persistent = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT.rawValue)
    public static let transient = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT.rawValue)
    public static let running = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING.rawValue)
    public static let paused = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED.rawValue)
    public static let shutOff = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF.rawValue)
    public static let other = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER.rawValue)
    /// Skip domains whose job lock is held rather than wait.
    public static let noWait = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT.rawValue)
    /// Include the backing chain of each disk.
    public static let backing = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING.rawValue)
    /// Fail if a requested group is not supported, instead of leaving it out.
    public static let enforceStats = Self(rawValue: VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS.rawValue)
}

/// Flags for `Domain.blockResize(_:to:flags:)` (`virDomainBlockResizeFlags`).
public struct DomainBlockResizeFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The size is in bytes, not KiB.
    public static let bytes = Self(rawValue: VIR_DOMAIN_BLOCK_RESIZE_BYTES.rawValue)
}

/// Flags for `Domain.blockCommit` (`virDomainBlockCommitFlags`).
public struct DomainBlockCommitFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Commit only the top image into its immediate backing file.
    public static let shallow = Self(rawValue: VIR_DOMAIN_BLOCK_COMMIT_SHALLOW.rawValue)
    /// Delete the committed files afterwards.
    public static let delete = Self(rawValue: VIR_DOMAIN_BLOCK_COMMIT_DELETE.rawValue)
    /// Commit the active layer (a two-phase job ended by `blockJobAbort(_:flags: .pivot)`).
    public static let active = Self(rawValue: VIR_DOMAIN_BLOCK_COMMIT_ACTIVE.rawValue)
    public static let relative = Self(rawValue: VIR_DOMAIN_BLOCK_COMMIT_RELATIVE.rawValue)
    /// Bandwidth is in bytes/s, not MiB/s.
    public static let bandwidthBytes = Self(rawValue: VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES.rawValue)
}

/// Flags for `Domain.blockPull` (`virDomainBlockPullFlags`).
public struct DomainBlockPullFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Bandwidth is in bytes/s, not MiB/s.
    public static let bandwidthBytes = Self(rawValue: VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES.rawValue)
}

/// Flags for `Domain.blockJobInfo` (`virDomainBlockJobInfoFlags`).
public struct DomainBlockJobInfoFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Report bandwidth in bytes/s, not MiB/s.
    public static let bandwidthBytes = Self(rawValue: VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES.rawValue)
}

/// Flags for `Domain.blockJobAbort` (`virDomainBlockJobAbortFlags`).
public struct DomainBlockJobAbortFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Return at once instead of waiting for the job to end.
    public static let async = Self(rawValue: VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC.rawValue)
    /// Switch the disk to the copy or commit target.
    public static let pivot = Self(rawValue: VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT.rawValue)
}

/// Filters for `Connection.secrets(_:)` (`virConnectListAllSecretsFlags`).
public struct SecretListFilter: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let ephemeral = Self(rawValue: VIR_CONNECT_LIST_SECRETS_EPHEMERAL.rawValue)
    public static let noEphemeral = Self(rawValue: VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL.rawValue)
    public static let `private` = Self(rawValue: VIR_CONNECT_LIST_SECRETS_PRIVATE.rawValue)
    public static let noPrivate = Self(rawValue: VIR_CONNECT_LIST_SECRETS_NO_PRIVATE.rawValue)
}

/// Filters for `Connection.nodeDevices(_:)` by capability (`virConnectListAllNodeDeviceFlags`); empty: all.
public struct NodeDeviceListFilter: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let system = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM.rawValue)
    public static let pciDevice = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV.rawValue)
    public static let usbDevice = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV.rawValue)
    public static let usbInterface = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE.rawValue)
    public static let net = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET.rawValue)
    public static let scsiHost = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST.rawValue)
    public static let scsiTarget = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET.rawValue)
    public static let scsi = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI.rawValue)
    public static let storage = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE.rawValue)
    public static let fcHost = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST.rawValue)
    public static let vports = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS.rawValue)
    public static let scsiGeneric = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC.rawValue)
    public static let drm = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_DRM.rawValue)
    public static let mdevTypes = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES.rawValue)
    public static let mdev = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV.rawValue)
    public static let vdpa = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_VDPA.rawValue)
    public static let inactive = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE.rawValue)
    public static let active = Self(rawValue: VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE.rawValue)
}
