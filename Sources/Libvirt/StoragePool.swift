import CLibvirt

/// A storage pool (`virStoragePoolPtr`). Freed in `deinit`.
public final class StoragePool: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this pool was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virStoragePoolFree`.
    deinit { virStoragePoolFree(handle) }

    /// The pool's name.
    /// The corresponding C function is `virStoragePoolGetName`.
    public var name: String {
        (try? Call.borrowedString { virStoragePoolGetName(handle) }) ?? ""
    }

    /// The pool's UUID string.
    /// The corresponding C function is `virStoragePoolGetUUIDString`.
    public func uuid() throws -> String {
        try withStringBuffer(count: Int(VIR_UUID_STRING_BUFLEN)) { virStoragePoolGetUUIDString(handle, $0) }
    }

    /// The pool's XML description; `inactive` reads the persistent definition.
    /// The corresponding C function is `virStoragePoolGetXMLDesc`.
    public func xml(inactive: Bool = false) throws -> String {
        let flags: UInt32 = inactive ? VIR_STORAGE_XML_INACTIVE.rawValue : 0
        return try Call.ownedString { virStoragePoolGetXMLDesc(handle, flags) }
    }

    /// State, capacity, allocation and free space.
    /// The corresponding C function is `virStoragePoolGetInfo`.
    public func info() throws -> StoragePoolInfo {
        var info = virStoragePoolInfo()
        try Call.status { virStoragePoolGetInfo(handle, &info) }
        return StoragePoolInfo(
            state: StoragePoolState(rawValue: Int32(info.state)), capacity: UInt64(info.capacity),
            allocation: UInt64(info.allocation), available: UInt64(info.available))
    }

    /// Whether the pool is running.
    /// The corresponding C function is `virStoragePoolIsActive`.
    public func isActive() throws -> Bool {
        try Call.status { virStoragePoolIsActive(handle) } == 1
    }

    /// Whether the pool has a persistent definition.
    /// The corresponding C function is `virStoragePoolIsPersistent`.
    public func isPersistent() throws -> Bool {
        try Call.status { virStoragePoolIsPersistent(handle) } == 1
    }

    /// Whether the pool starts with the daemon.
    /// The corresponding C function is `virStoragePoolGetAutostart`.
    public func autostart() throws -> Bool {
        var value: Int32 = 0
        try Call.status { virStoragePoolGetAutostart(handle, &value) }
        return value != 0
    }

    /// Sets whether the pool starts with the daemon.
    /// The corresponding C function is `virStoragePoolSetAutostart`.
    public func setAutostart(_ enabled: Bool) throws {
        try Call.status { virStoragePoolSetAutostart(handle, enabled ? 1 : 0) }
    }

    /// Prepares the pool's target (creates the directory, formats the device, …).
    /// The corresponding C function is `virStoragePoolBuild`.
    public func build(_ flags: StoragePoolBuildFlags = []) throws {
        try Call.status { virStoragePoolBuild(handle, flags.rawValue) }
    }

    /// Starts the pool.
    /// The corresponding C function is `virStoragePoolCreate`.
    public func start() throws {
        try Call.status { virStoragePoolCreate(handle, 0) }
    }

    /// Stops the pool; its volumes stay on disk.
    /// The corresponding C function is `virStoragePoolDestroy`.
    public func destroy() throws {
        try Call.status { virStoragePoolDestroy(handle) }
    }

    /// Removes the persistent definition.
    /// The corresponding C function is `virStoragePoolUndefine`.
    public func undefine() throws {
        try Call.status { virStoragePoolUndefine(handle) }
    }

    /// Deletes the pool's underlying storage (for a dir pool, the empty directory).
    /// The corresponding C function is `virStoragePoolDelete`.
    public func delete() throws {
        try Call.status { virStoragePoolDelete(handle, 0) }
    }

    /// Rescans the pool's target for volumes.
    /// The corresponding C function is `virStoragePoolRefresh`.
    public func refresh() throws {
        try Call.status { virStoragePoolRefresh(handle, 0) }
    }

    /// All volumes in the pool.
    /// The corresponding C function is `virStoragePoolListAllVolumes`.
    public func volumes() throws -> [StorageVolume] {
        try Call.list({ virStoragePoolListAllVolumes(handle, $0, 0) }) {
            StorageVolume(handle: $0, connection: connection)
        }
    }

    /// Looks up a volume of this pool by name; throws `.noStorageVolume` when there is none.
    /// The corresponding C function is `virStorageVolLookupByName`.
    public func volume(named name: String) throws -> StorageVolume {
        StorageVolume(handle: try Call.pointer { virStorageVolLookupByName(handle, name) }, connection: connection)
    }

    /// Creates a volume from `<volume>` XML.
    /// The corresponding C function is `virStorageVolCreateXML`.
    public func createVolume(xml: String, flags: StorageVolumeCreateFlags = []) throws -> StorageVolume {
        StorageVolume(handle: try Call.pointer { virStorageVolCreateXML(handle, xml, flags.rawValue) }, connection: connection)
    }

    /// Creates a volume from `<volume>` XML holding a copy of `source`'s data
    /// (a full clone; the source may be in another pool).
    /// The corresponding C function is `virStorageVolCreateXMLFrom`.
    public func createVolume(
        xml: String, copying source: StorageVolume, flags: StorageVolumeCreateFlags = []
    ) throws -> StorageVolume {
        StorageVolume(
            handle: try Call.pointer { virStorageVolCreateXMLFrom(handle, xml, source.handle, flags.rawValue) },
            connection: connection)
    }
}

extension StorageVolume {
    /// The pool that holds this volume.
    /// The corresponding C function is `virStoragePoolLookupByVolume`.
    public func pool() throws -> StoragePool {
        StoragePool(handle: try Call.pointer { virStoragePoolLookupByVolume(handle) }, connection: connection)
    }
}

/// `virStoragePoolState`.
public struct StoragePoolState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let inactive = Self(rawValue: Int32(VIR_STORAGE_POOL_INACTIVE.rawValue))
    public static let building = Self(rawValue: Int32(VIR_STORAGE_POOL_BUILDING.rawValue))
    public static let running = Self(rawValue: Int32(VIR_STORAGE_POOL_RUNNING.rawValue))
    public static let degraded = Self(rawValue: Int32(VIR_STORAGE_POOL_DEGRADED.rawValue))
    public static let inaccessible = Self(rawValue: Int32(VIR_STORAGE_POOL_INACCESSIBLE.rawValue))
    public var description: String {
        switch self {
        case .inactive: "inactive"
        case .building: "building"
        case .running: "running"
        case .degraded: "degraded"
        case .inaccessible: "inaccessible"
        default: "state \(rawValue)"
        }
    }
}

/// `virStoragePoolInfo`; sizes in bytes.
public struct StoragePoolInfo: Hashable, Sendable {
    public var state: StoragePoolState
    public var capacity: UInt64
    public var allocation: UInt64
    public var available: UInt64
}
