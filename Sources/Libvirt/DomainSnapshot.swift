import CLibvirt

/// A snapshot of a domain (`virDomainSnapshotPtr`). Freed in `deinit`.
public final class DomainSnapshot: @unchecked Sendable {
    let handle: OpaquePointer
    /// The domain this snapshot belongs to.
    public let domain: Domain

    init(handle: OpaquePointer, domain: Domain) {
        self.handle = handle
        self.domain = domain
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virDomainSnapshotFree`.
    deinit { virDomainSnapshotFree(handle) }

    /// The snapshot's name.
    /// The corresponding C function is `virDomainSnapshotGetName`.
    public var name: String {
        (try? Call.borrowedString { virDomainSnapshotGetName(handle) }) ?? ""
    }

    /// The snapshot's XML description (`<domainsnapshot>`).
    /// The corresponding C function is `virDomainSnapshotGetXMLDesc`.
    public func xml() throws -> String {
        try Call.ownedString { virDomainSnapshotGetXMLDesc(handle, 0) }
    }

    /// Whether this is the domain's current snapshot.
    /// The corresponding C function is `virDomainSnapshotIsCurrent`.
    public func isCurrent() throws -> Bool {
        try Call.status { virDomainSnapshotIsCurrent(handle, 0) } == 1
    }

    /// Reverts the domain to this snapshot.
    /// The corresponding C function is `virDomainRevertToSnapshot`.
    public func revert(_ flags: SnapshotRevertFlags = []) throws {
        try Call.status { virDomainRevertToSnapshot(handle, flags.rawValue) }
    }

    /// Deletes this snapshot (and with `.children`, its descendants).
    /// The corresponding C function is `virDomainSnapshotDelete`.
    public func delete(_ flags: SnapshotDeleteFlags = []) throws {
        try Call.status { virDomainSnapshotDelete(handle, flags.rawValue) }
    }
}
