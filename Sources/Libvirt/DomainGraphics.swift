import CLibvirt
import FoundationEssentials

/// Flags for `Domain.openGraphics` (`virDomainOpenGraphicsFlags`).
public struct DomainOpenGraphicsFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Connect without the display's own authentication (VNC password, SASL).
    public static let skipAuth = Self(rawValue: VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH.rawValue)
}

extension Domain {
    /// Hands the descriptor `socket` (one end of a socket pair of the caller's) to the
    /// domain's graphics display number `index` (VNC or SPICE) as a client
    /// connection; speak the display's protocol on the other end. libvirt
    /// passes a duplicate, so the caller still owns and closes `socket`.
    /// Needs a local connection (descriptors cannot cross TCP).
    /// The corresponding C function is `virDomainOpenGraphics`.
    public func openGraphics(_ index: UInt32 = 0, socket: Int32, flags: DomainOpenGraphicsFlags = []) throws {
        try Call.status { virDomainOpenGraphics(handle, index, socket, flags.rawValue) }
    }

    /// A new client connection to the domain's graphics display number `index`,
    /// made by the daemon: a descriptor the caller owns and must `close`.
    /// The corresponding C function is `virDomainOpenGraphicsFD`.
    public func openGraphicsConnection(_ index: UInt32 = 0, flags: DomainOpenGraphicsFlags = []) throws -> Int32 {
        try Call.status { virDomainOpenGraphicsFD(handle, index, flags.rawValue) }
    }
}
