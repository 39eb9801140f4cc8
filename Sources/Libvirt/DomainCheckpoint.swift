import CLibvirt

/// A checkpoint of a domain: a point in time from which its disks' changes are
/// tracked (a qcow2 dirty bitmap), so that a later incremental backup copies
/// only what changed (`virDomainCheckpointPtr`). Freed in `deinit`.
public final class DomainCheckpoint: @unchecked Sendable {
    let handle: OpaquePointer
    /// The domain this checkpoint belongs to.
    public let domain: Domain

    init(handle: OpaquePointer, domain: Domain) {
        self.handle = handle
        self.domain = domain
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virDomainCheckpointFree`.
    deinit { virDomainCheckpointFree(handle) }

    /// The checkpoint's name.
    /// The corresponding C function is `virDomainCheckpointGetName`.
    public var name: String {
        (try? Call.borrowedString { virDomainCheckpointGetName(handle) }) ?? ""
    }

    /// The checkpoint's XML description (`<domaincheckpoint>`).
    /// The corresponding C function is `virDomainCheckpointGetXMLDesc`.
    public func xml(_ flags: CheckpointXMLFlags = []) throws -> String {
        try Call.ownedString { virDomainCheckpointGetXMLDesc(handle, flags.rawValue) }
    }

    /// The checkpoint this one was taken after, `nil` for a root checkpoint.
    /// The corresponding C function is `virDomainCheckpointGetParent`.
    public func parent() throws -> DomainCheckpoint? {
        do {
            return DomainCheckpoint(handle: try Call.pointer { virDomainCheckpointGetParent(handle, 0) }, domain: domain)
        } catch let error as LibvirtError where error.code == .noDomainCheckpoint {
            return nil
        }
    }

    /// The checkpoints taken after this one: its children, or with
    /// `.descendants` all of them.
    /// The corresponding C function is `virDomainCheckpointListAllChildren`.
    public func children(_ flags: CheckpointListFlags = []) throws -> [DomainCheckpoint] {
        try Call.list({ virDomainCheckpointListAllChildren(handle, $0, flags.rawValue) }) {
            DomainCheckpoint(handle: $0, domain: domain)
        }
    }

    /// Deletes the checkpoint (and with `.children`, its descendants); its
    /// changes merge into the parent's bitmap.
    /// The corresponding C function is `virDomainCheckpointDelete`.
    public func delete(_ flags: CheckpointDeleteFlags = []) throws {
        try Call.status { virDomainCheckpointDelete(handle, flags.rawValue) }
    }
}

/// Flags for `Domain.createCheckpoint(xml:flags:)` (`virDomainCheckpointCreateFlags`).
public struct CheckpointCreateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Restore or change the metadata of a checkpoint libvirt no longer knows.
    public static let redefine = Self(rawValue: VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE.rawValue)
    /// Freeze the guest's filesystems through the guest agent first.
    public static let quiesce = Self(rawValue: VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE.rawValue)
    /// With `.redefine`, check that the disks' bitmaps exist.
    public static let redefineValidate = Self(rawValue: VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE.rawValue)
}

/// Flags for `DomainCheckpoint.xml(_:)` (`virDomainCheckpointXMLFlags`).
public struct CheckpointXMLFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Include security-sensitive data.
    public static let secure = Self(rawValue: VIR_DOMAIN_CHECKPOINT_XML_SECURE.rawValue)
    /// Leave out the `<domain>` copy.
    public static let noDomain = Self(rawValue: VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN.rawValue)
    /// Include each disk's changed size since the checkpoint (running domains).
    public static let size = Self(rawValue: VIR_DOMAIN_CHECKPOINT_XML_SIZE.rawValue)
}

/// Filters for `Domain.checkpoints(_:)` and `DomainCheckpoint.children(_:)`
/// (`virDomainCheckpointListFlags`).
public struct CheckpointListFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Only checkpoints without a parent (`Domain.checkpoints`).
    public static let roots = Self(rawValue: VIR_DOMAIN_CHECKPOINT_LIST_ROOTS.rawValue)
    /// All descendants, not only children (`DomainCheckpoint.children`; the same bit as `.roots`).
    public static let descendants = Self(rawValue: VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS.rawValue)
    /// Parents before their children.
    public static let topological = Self(rawValue: VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL.rawValue)
    /// Only checkpoints without children.
    public static let leaves = Self(rawValue: VIR_DOMAIN_CHECKPOINT_LIST_LEAVES.rawValue)
    /// Only checkpoints with children.
    public static let noLeaves = Self(rawValue: VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES.rawValue)
}

/// Flags for `DomainCheckpoint.delete(_:)` (`virDomainCheckpointDeleteFlags`).
public struct CheckpointDeleteFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let children = Self(rawValue: VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN.rawValue)
    /// Remove libvirt's metadata only, leaving the disks' bitmaps.
    public static let metadataOnly = Self(rawValue: VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY.rawValue)
    public static let childrenOnly = Self(rawValue: VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY.rawValue)
}

extension Domain {
    /// Creates a checkpoint from `<domaincheckpoint>` XML (empty `<domaincheckpoint/>`:
    /// libvirt names it and covers every disk that supports it).
    /// The corresponding C function is `virDomainCheckpointCreateXML`.
    public func createCheckpoint(xml: String, flags: CheckpointCreateFlags = []) throws -> DomainCheckpoint {
        DomainCheckpoint(handle: try Call.pointer { virDomainCheckpointCreateXML(handle, xml, flags.rawValue) }, domain: self)
    }

    /// The domain's checkpoints matching `flags` (empty: all).
    /// The corresponding C function is `virDomainListAllCheckpoints`.
    public func checkpoints(_ flags: CheckpointListFlags = []) throws -> [DomainCheckpoint] {
        try Call.list({ virDomainListAllCheckpoints(handle, $0, flags.rawValue) }) { DomainCheckpoint(handle: $0, domain: self) }
    }

    /// Looks up a checkpoint by name; throws `.noDomainCheckpoint` when there is none.
    /// The corresponding C function is `virDomainCheckpointLookupByName`.
    public func checkpoint(named name: String) throws -> DomainCheckpoint {
        DomainCheckpoint(handle: try Call.pointer { virDomainCheckpointLookupByName(handle, name, 0) }, domain: self)
    }
}
