import CLibvirt
import Foundation

/// Flags for `Domain.openGraphics` (`virDomainOpenGraphicsFlags`).
public struct DomainOpenGraphicsFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Connect without the display's own authentication (VNC password, SASL).
    public static let skipAuth = Self(rawValue: VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH.rawValue)
}

extension Domain {
    /// Hands `socket` (one end of a socket pair of the caller's) to the
    /// domain's graphics display number `index` (VNC or SPICE) as a client
    /// connection; speak the display's protocol on the other end. libvirt
    /// passes a duplicate, so the caller still owns and closes `socket`.
    /// Needs a local connection (descriptors cannot cross TCP).
    /// The corresponding C function is `virDomainOpenGraphics`.
    public func openGraphics(_ index: UInt32 = 0, socket: FileHandle, flags: DomainOpenGraphicsFlags = []) throws {
        try Call.status { virDomainOpenGraphics(handle, index, socket.fileDescriptor, flags.rawValue) }
    }

    /// A new client connection to the domain's graphics display number `index`,
    /// made by the daemon; the returned handle owns the descriptor and closes it.
    /// The corresponding C function is `virDomainOpenGraphicsFD`.
    public func openGraphicsConnection(_ index: UInt32 = 0, flags: DomainOpenGraphicsFlags = []) throws -> FileHandle {
        let descriptor = try Call.status { virDomainOpenGraphicsFD(handle, index, flags.rawValue) }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
