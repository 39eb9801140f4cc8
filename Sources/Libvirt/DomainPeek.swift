import CLibvirt

/// Which addresses `Domain.memoryPeek` reads (`virDomainMemoryFlags`).
public struct DomainMemoryAddressing: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Guest-virtual addresses, as the guest's current page tables map them.
    public static let virtual = Self(rawValue: VIR_MEMORY_VIRTUAL.rawValue)
    /// Guest-physical addresses.
    public static let physical = Self(rawValue: VIR_MEMORY_PHYSICAL.rawValue)
}

extension Domain {
    /// Reads `size` bytes at `offset` of a disk's image as the host stores it
    /// (`disk`: a target such as `vda`, or the source path). Over a remote
    /// connection one call reads at most 64 KiB. The QEMU driver reads raw images only.
    /// The corresponding C function is `virDomainBlockPeek`.
    public func blockPeek(_ disk: String, offset: UInt64, size: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: size)
        try buffer.withUnsafeMutableBytes { raw in
            _ = try Call.status { virDomainBlockPeek(handle, disk, offset, size, raw.baseAddress, 0) }
        }
        return buffer
    }

    /// Reads `size` bytes of the running domain's memory from `address`. Over a
    /// remote connection one call reads at most 64 KiB.
    /// The corresponding C function is `virDomainMemoryPeek`.
    public func memoryPeek(at address: UInt64, size: Int, addressing: DomainMemoryAddressing = .physical) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: size)
        try buffer.withUnsafeMutableBytes { raw in
            _ = try Call.status { virDomainMemoryPeek(handle, address, size, raw.baseAddress, addressing.rawValue) }
        }
        return buffer
    }
}
