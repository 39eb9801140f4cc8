import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

/// The security label a running domain's process has under one security
/// driver (`virSecurityLabel`): an SELinux context, an AppArmor profile, or
/// DAC's `+uid:+gid`.
public struct DomainSecurityLabel: Hashable, Sendable {
    public var label: String
    /// Whether the driver's policy is enforced for the domain.
    public var enforcing: Bool
}

extension Domain {
    /// The running domain's labels, one per security driver in the daemon's
    /// stack (the primary one first, then DAC).
    /// The corresponding C function is `virDomainGetSecurityLabelList`.
    public func securityLabels() throws -> [DomainSecurityLabel] {
        var labels: UnsafeMutablePointer<virSecurityLabel>? = nil
        let count: Int32 = try Call.status { virDomainGetSecurityLabelList(handle, &labels) }
        guard let labels else { return [] }
        defer { free(labels) }
        return (0..<Int(count)).map { (index: Int) -> DomainSecurityLabel in
            // Swift cannot import the 4,097-byte `label` array; it is the struct's first field.
            let raw = UnsafeRawPointer(labels + index).assumingMemoryBound(to: UInt8.self)
            let length = (0..<Int(VIR_SECURITY_LABEL_BUFLEN)).first { raw[$0] == 0 } ?? Int(VIR_SECURITY_LABEL_BUFLEN)
            let text = String(decoding: UnsafeBufferPointer(start: raw, count: length), as: UTF8.self)
            return DomainSecurityLabel(label: text, enforcing: labels[index].enforcing == 1)
        }
    }
}
