import CLibvirt

/// A storage volume (`virStorageVolPtr`). Freed in `deinit`.
public final class StorageVolume: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this volume was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virStorageVolFree`.
    deinit { virStorageVolFree(handle) }

    /// The volume's name within its pool.
    /// The corresponding C function is `virStorageVolGetName`.
    public var name: String {
        (try? Call.borrowedString { virStorageVolGetName(handle) }) ?? ""
    }

    /// The volume's globally unique key (for file volumes, the path).
    /// The corresponding C function is `virStorageVolGetKey`.
    public func key() throws -> String {
        try Call.borrowedString { virStorageVolGetKey(handle) }
    }

    /// The volume's path on the host, as a domain's disk source names it.
    /// The corresponding C function is `virStorageVolGetPath`.
    public func path() throws -> String {
        try Call.ownedString { virStorageVolGetPath(handle) }
    }

    /// Type, capacity and allocation.
    /// The corresponding C function is `virStorageVolGetInfo`.
    public func info() throws -> StorageVolumeInfo {
        var info = virStorageVolInfo()
        try Call.status { virStorageVolGetInfo(handle, &info) }
        return StorageVolumeInfo(
            type: StorageVolumeType(rawValue: Int32(info.type)), capacity: UInt64(info.capacity),
            allocation: UInt64(info.allocation))
    }

    /// The volume's XML description (`<volume>`).
    /// The corresponding C function is `virStorageVolGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virStorageVolGetXMLDesc(handle, 0) }
    }

    /// Deletes the volume and its data.
    /// The corresponding C function is `virStorageVolDelete`.
    public func delete(_ flags: StorageVolumeDeleteFlags = []) throws {
        try Call.status { virStorageVolDelete(handle, flags.rawValue) }
    }

    /// Overwrites the volume's data with zeros.
    /// The corresponding C function is `virStorageVolWipe`.
    public func wipe() throws {
        try Call.status { virStorageVolWipe(handle, 0) }
    }

    /// Changes the volume's capacity in bytes.
    /// The corresponding C function is `virStorageVolResize`.
    public func resize(to capacity: UInt64, flags: StorageVolumeResizeFlags = []) throws {
        try Call.status { virStorageVolResize(handle, capacity, flags.rawValue) }
    }
}

/// `virStorageVolType`.
public struct StorageVolumeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let file = Self(rawValue: Int32(VIR_STORAGE_VOL_FILE.rawValue))
    public static let block = Self(rawValue: Int32(VIR_STORAGE_VOL_BLOCK.rawValue))
    public static let dir = Self(rawValue: Int32(VIR_STORAGE_VOL_DIR.rawValue))
    public static let network = Self(rawValue: Int32(VIR_STORAGE_VOL_NETWORK.rawValue))
    public static let netdir = Self(rawValue: Int32(VIR_STORAGE_VOL_NETDIR.rawValue))
    public static let ploop = Self(rawValue: Int32(VIR_STORAGE_VOL_PLOOP.rawValue))
    public var description: String {
        switch self {
        case .file: "file"
        case .block: "block"
        case .dir: "dir"
        case .network: "network"
        case .netdir: "netdir"
        case .ploop: "ploop"
        default: "type \(rawValue)"
        }
    }
}

/// `virStorageVolInfo`; sizes in bytes.
public struct StorageVolumeInfo: Hashable, Sendable {
    public var type: StorageVolumeType
    public var capacity: UInt64
    public var allocation: UInt64
}
