import CLibvirt

/// One value of a libvirt typed parameter list (`virTypedParameter`).
public enum TypedParameterValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int32)
    case uint(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case bool(Bool)
    case string(String)
    /// A type this binding does not know (`virTypedParameterType`).
    case unknown(type: Int32)

    /// The value as an unsigned integer, when it is a non-negative integer of any width.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let value): value >= 0 ? UInt64(value) : nil
        case .uint(let value): UInt64(value)
        case .int64(let value): value >= 0 ? UInt64(value) : nil
        case .uint64(let value): value
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .int(let value): "\(value)"
        case .uint(let value): "\(value)"
        case .int64(let value): "\(value)"
        case .uint64(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .string(let value): value
        case .unknown(let type): "<type \(type)>"
        }
    }

    /// Copies `count` parameters into a dictionary by field name; libvirt keeps ownership.
    static func dictionary(_ parameters: UnsafePointer<virTypedParameter>?, count: Int32) -> [String: TypedParameterValue] {
        guard let parameters else { return [:] }
        var result: [String: TypedParameterValue] = [:]
        for index in 0..<Int(count) {
            var parameter = parameters[index]
            let field = withUnsafeBytes(of: &parameter.field) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let value: TypedParameterValue =
                switch UInt32(bitPattern: parameter.type) {
                case VIR_TYPED_PARAM_INT.rawValue: .int(parameter.value.i)
                case VIR_TYPED_PARAM_UINT.rawValue: .uint(parameter.value.ui)
                case VIR_TYPED_PARAM_LLONG.rawValue: .int64(parameter.value.l)
                case VIR_TYPED_PARAM_ULLONG.rawValue: .uint64(parameter.value.ul)
                case VIR_TYPED_PARAM_DOUBLE.rawValue: .double(parameter.value.d)
                case VIR_TYPED_PARAM_BOOLEAN.rawValue: .bool(parameter.value.b != 0)
                case VIR_TYPED_PARAM_STRING.rawValue: .string(parameter.value.s.map { String(cString: $0) } ?? "")
                default: .unknown(type: parameter.type)
                }
            result[field] = value
        }
        return result
    }
}

/// One domain's statistics (`virDomainStatsRecord`): libvirt's flat keys such
/// as `state.state`, `cpu.time`, `balloon.current`, `block.0.rd.bytes`, `net.0.rx.bytes`.
public struct DomainStatsRecord: Sendable {
    public var domain: Domain
    public var values: [String: TypedParameterValue]

    /// An integer statistic by key, such as `cpu.time` or `block.count`.
    public subscript(integer key: String) -> UInt64? { values[key]?.uint64Value }
}

/// `virDomainBlockStatsStruct`; -1 means the driver does not know.
public struct DomainBlockStats: Hashable, Sendable {
    public var readRequests: Int64
    public var readBytes: Int64
    public var writeRequests: Int64
    public var writeBytes: Int64
    public var errors: Int64
}

/// `virDomainInterfaceStatsStruct`; -1 means the driver does not know.
public struct DomainInterfaceStats: Hashable, Sendable {
    public var receivedBytes: Int64
    public var receivedPackets: Int64
    public var receiveErrors: Int64
    public var receiveDrops: Int64
    public var transmittedBytes: Int64
    public var transmittedPackets: Int64
    public var transmitErrors: Int64
    public var transmitDrops: Int64
}

/// A memory statistic's tag (`virDomainMemoryStatTags`); an open struct so new tags round-trip.
public struct DomainMemoryStatTag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virDomainMemoryStatTags) { rawValue = Int32(value.rawValue) }
    public static let swapIn = Self(VIR_DOMAIN_MEMORY_STAT_SWAP_IN)
    public static let swapOut = Self(VIR_DOMAIN_MEMORY_STAT_SWAP_OUT)
    public static let majorFault = Self(VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT)
    public static let minorFault = Self(VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT)
    public static let unused = Self(VIR_DOMAIN_MEMORY_STAT_UNUSED)
    public static let available = Self(VIR_DOMAIN_MEMORY_STAT_AVAILABLE)
    public static let actualBalloon = Self(VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON)
    public static let rss = Self(VIR_DOMAIN_MEMORY_STAT_RSS)
    public static let usable = Self(VIR_DOMAIN_MEMORY_STAT_USABLE)
    public static let lastUpdate = Self(VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE)
    public static let diskCaches = Self(VIR_DOMAIN_MEMORY_STAT_DISK_CACHES)
    public static let hugetlbPagesAllocated = Self(VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC)
    public static let hugetlbPagesFailed = Self(VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL)

    private static let names: [Self: String] = [
        .swapIn: "swap_in", .swapOut: "swap_out", .majorFault: "major_fault", .minorFault: "minor_fault",
        .unused: "unused", .available: "available", .actualBalloon: "actual", .rss: "rss", .usable: "usable",
        .lastUpdate: "last_update", .diskCaches: "disk_caches", .hugetlbPagesAllocated: "hugetlb_pgalloc",
        .hugetlbPagesFailed: "hugetlb_pgfail",
    ]
    /// virsh dommemstat's name for the tag, or `tag-N`.
    public var description: String { Self.names[self] ?? "tag-\(rawValue)" }
}

extension Connection {
    /// Statistics of many domains in one call: all of them (`domains` nil,
    /// filtered by `flags`) or the ones given.
    /// The corresponding C functions are `virConnectGetAllDomainStats`,
    /// `virDomainListGetStats` and `virDomainStatsRecordListFree`.
    public func domainStats(
        _ types: DomainStatsTypes = [], of domains: [Domain]? = nil, flags: DomainStatsFlags = []
    ) throws -> [DomainStatsRecord] {
        var records: UnsafeMutablePointer<virDomainStatsRecordPtr?>? = nil
        let count: Int32
        if let domains {
            var handles: [OpaquePointer?] = domains.map(\.handle) + [nil]
            count = try Call.status { virDomainListGetStats(&handles, types.rawValue, &records, flags.rawValue) }
        } else {
            count = try Call.status { virConnectGetAllDomainStats(pointer, types.rawValue, &records, flags.rawValue) }
        }
        guard let records else { return [] }
        defer { virDomainStatsRecordListFree(records) }
        return (0..<Int(count)).compactMap { index in
            guard let record = records[index]?.pointee, let domain = record.dom else { return nil }
            // The list owns its domain handles; take a reference of our own for the wrapper.
            virDomainRef(domain)
            return DomainStatsRecord(
                domain: Domain(handle: domain, connection: self),
                values: TypedParameterValue.dictionary(record.params, count: record.nparams))
        }
    }
}

extension Domain {
    /// I/O counters of one disk, named by its target (`vda`) or source path.
    /// The corresponding C function is `virDomainBlockStats`.
    public func blockStats(disk: String) throws -> DomainBlockStats {
        var stats = virDomainBlockStatsStruct()
        try Call.status { virDomainBlockStats(handle, disk, &stats, MemoryLayout<virDomainBlockStatsStruct>.size) }
        return DomainBlockStats(
            readRequests: stats.rd_req, readBytes: stats.rd_bytes, writeRequests: stats.wr_req,
            writeBytes: stats.wr_bytes, errors: stats.errs)
    }

    /// Traffic counters of one interface, named by its host-side device (`vnet0`) or MAC.
    /// The corresponding C function is `virDomainInterfaceStats`.
    public func interfaceStats(device: String) throws -> DomainInterfaceStats {
        var stats = virDomainInterfaceStatsStruct()
        try Call.status { virDomainInterfaceStats(handle, device, &stats, MemoryLayout<virDomainInterfaceStatsStruct>.size) }
        return DomainInterfaceStats(
            receivedBytes: stats.rx_bytes, receivedPackets: stats.rx_packets, receiveErrors: stats.rx_errs,
            receiveDrops: stats.rx_drop, transmittedBytes: stats.tx_bytes, transmittedPackets: stats.tx_packets,
            transmitErrors: stats.tx_errs, transmitDrops: stats.tx_drop)
    }

    /// The guest's memory statistics that the driver (or the balloon driver in the guest) reports.
    /// The corresponding C function is `virDomainMemoryStats`.
    public func memoryStats() throws -> [DomainMemoryStatTag: UInt64] {
        let capacity = Int(VIR_DOMAIN_MEMORY_STAT_NR.rawValue)
        var stats = [virDomainMemoryStatStruct](repeating: virDomainMemoryStatStruct(), count: capacity)
        let count = try Call.status { virDomainMemoryStats(handle, &stats, UInt32(capacity), 0) }
        var result: [DomainMemoryStatTag: UInt64] = [:]
        for stat in stats.prefix(Int(count)) { result[DomainMemoryStatTag(rawValue: stat.tag)] = stat.val }
        return result
    }
}
