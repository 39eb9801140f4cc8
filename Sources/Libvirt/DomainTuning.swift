import CLibvirt
#if canImport(Glibc)
import Glibc
#endif

extension TypedParameterValue {
    /// Reads a typed parameter list with libvirt's two-call protocol: the first
    /// call (no buffer) reports the count, the second fills the buffer. Strings
    /// in it are freed afterwards.
    static func read(
        _ body: (UnsafeMutablePointer<virTypedParameter>?, UnsafeMutablePointer<Int32>) -> Int32
    ) throws -> [String: TypedParameterValue] {
        var count: Int32 = 0
        try Call.status { body(nil, &count) }
        guard count > 0 else { return [:] }
        var parameters = [virTypedParameter](repeating: virTypedParameter(), count: Int(count))
        return try parameters.withUnsafeMutableBufferPointer { buffer in
            try Call.status { body(buffer.baseAddress, &count) }
            defer { virTypedParamsClear(buffer.baseAddress, count) }
            return dictionary(buffer.baseAddress, count: count)
        }
    }

    /// Passes `values` to a libvirt setter as a typed parameter list.
    static func write(
        _ values: [String: TypedParameterValue], _ body: (UnsafeMutablePointer<virTypedParameter>?, Int32) -> Int32
    ) throws {
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        var parameters: [virTypedParameter] = []
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            var parameter = virTypedParameter()
            precondition(field.utf8.count < Int(VIR_TYPED_PARAM_FIELD_LENGTH), "typed parameter name too long: \(field)")
            withUnsafeMutableBytes(of: &parameter.field) { raw in
                raw.copyBytes(from: Array(field.utf8))
            }
            switch value {
            case .int(let v): (parameter.type, parameter.value.i) = (Int32(VIR_TYPED_PARAM_INT.rawValue), v)
            case .uint(let v): (parameter.type, parameter.value.ui) = (Int32(VIR_TYPED_PARAM_UINT.rawValue), v)
            case .int64(let v): (parameter.type, parameter.value.l) = (Int32(VIR_TYPED_PARAM_LLONG.rawValue), v)
            case .uint64(let v): (parameter.type, parameter.value.ul) = (Int32(VIR_TYPED_PARAM_ULLONG.rawValue), v)
            case .double(let v): (parameter.type, parameter.value.d) = (Int32(VIR_TYPED_PARAM_DOUBLE.rawValue), v)
            case .bool(let v): (parameter.type, parameter.value.b) = (Int32(VIR_TYPED_PARAM_BOOLEAN.rawValue), v ? 1 : 0)
            case .string(let v):
                let copy = strdup(v)!
                strings.append(copy)
                (parameter.type, parameter.value.s) = (Int32(VIR_TYPED_PARAM_STRING.rawValue), copy)
            case .unknown(let type):
                preconditionFailure("cannot send a typed parameter of unknown type \(type)")
            }
            parameters.append(parameter)
        }
        try parameters.withUnsafeMutableBufferPointer { buffer in
            _ = try Call.status { body(buffer.baseAddress, Int32(buffer.count)) }
        }
    }
}

extension Domain {
    // Tuning parameters are libvirt's typed parameter lists, by libvirt's
    // field names (`hard_limit`, `cpu_shares`, `total_bytes_sec`, …).

    /// Memory tuning (`hard_limit`, `soft_limit`, `swap_hard_limit`, … in KiB).
    /// The corresponding C function is `virDomainGetMemoryParameters`.
    public func memoryParameters(impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virDomainGetMemoryParameters(handle, $0, $1, impact.rawValue) }
    }

    /// Changes memory tuning values.
    /// The corresponding C function is `virDomainSetMemoryParameters`.
    public func setMemoryParameters(_ values: [String: TypedParameterValue], impact: DomainModificationImpact = .current) throws {
        try TypedParameterValue.write(values) { virDomainSetMemoryParameters(handle, $0, $1, impact.rawValue) }
    }

    /// NUMA placement (`numa_mode`, `numa_nodeset`).
    /// The corresponding C function is `virDomainGetNumaParameters`.
    public func numaParameters(impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virDomainGetNumaParameters(handle, $0, $1, impact.rawValue) }
    }

    /// Changes NUMA placement.
    /// The corresponding C function is `virDomainSetNumaParameters`.
    public func setNumaParameters(_ values: [String: TypedParameterValue], impact: DomainModificationImpact = .current) throws {
        try TypedParameterValue.write(values) { virDomainSetNumaParameters(handle, $0, $1, impact.rawValue) }
    }

    /// Block I/O weights (`weight`, `device_weight`, …).
    /// The corresponding C function is `virDomainGetBlkioParameters`.
    public func blkioParameters(impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virDomainGetBlkioParameters(handle, $0, $1, impact.rawValue) }
    }

    /// Changes block I/O weights.
    /// The corresponding C function is `virDomainSetBlkioParameters`.
    public func setBlkioParameters(_ values: [String: TypedParameterValue], impact: DomainModificationImpact = .current) throws {
        try TypedParameterValue.write(values) { virDomainSetBlkioParameters(handle, $0, $1, impact.rawValue) }
    }

    /// CPU scheduler tuning (`cpu_shares`, `vcpu_period`, `vcpu_quota`, …).
    /// The corresponding C function is `virDomainGetSchedulerParametersFlags`.
    public func schedulerParameters(impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        var count: Int32 = 0
        _ = try Call.ownedString { virDomainGetSchedulerType(handle, &count) }
        guard count > 0 else { return [:] }
        var parameters = [virTypedParameter](repeating: virTypedParameter(), count: Int(count))
        return try parameters.withUnsafeMutableBufferPointer { buffer in
            try Call.status { virDomainGetSchedulerParametersFlags(handle, buffer.baseAddress, &count, impact.rawValue) }
            defer { virTypedParamsClear(buffer.baseAddress, count) }
            return TypedParameterValue.dictionary(buffer.baseAddress, count: count)
        }
    }

    /// Changes CPU scheduler tuning.
    /// The corresponding C function is `virDomainSetSchedulerParametersFlags`.
    public func setSchedulerParameters(_ values: [String: TypedParameterValue], impact: DomainModificationImpact = .current) throws {
        try TypedParameterValue.write(values) { virDomainSetSchedulerParametersFlags(handle, $0, $1, impact.rawValue) }
    }

    /// Bandwidth limits of one interface (`inbound.average`, `outbound.peak`, …).
    /// The corresponding C function is `virDomainGetInterfaceParameters`.
    public func interfaceParameters(device: String, impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virDomainGetInterfaceParameters(handle, device, $0, $1, impact.rawValue) }
    }

    /// Changes the bandwidth limits of one interface.
    /// The corresponding C function is `virDomainSetInterfaceParameters`.
    public func setInterfaceParameters(
        device: String, _ values: [String: TypedParameterValue], impact: DomainModificationImpact = .current
    ) throws {
        try TypedParameterValue.write(values) { virDomainSetInterfaceParameters(handle, device, $0, $1, impact.rawValue) }
    }

    /// I/O throttling of one disk (`total_bytes_sec`, `read_iops_sec`, …).
    /// The corresponding C function is `virDomainGetBlockIoTune`.
    public func blockIOTune(disk: String, impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        try TypedParameterValue.read { virDomainGetBlockIoTune(handle, disk, $0, $1, impact.rawValue) }
    }

    /// Changes the I/O throttling of one disk.
    /// The corresponding C function is `virDomainSetBlockIoTune`.
    public func setBlockIOTune(
        disk: String, _ values: [String: TypedParameterValue], impact: DomainModificationImpact = .current
    ) throws {
        try TypedParameterValue.write(values) { virDomainSetBlockIoTune(handle, disk, $0, $1, impact.rawValue) }
    }

    /// Which perf events are counted for the domain (`cmt`, `mbmt`, … → on/off).
    /// The corresponding C functions are `virDomainGetPerfEvents` and `virTypedParamsFree`.
    public func perfEvents(impact: DomainModificationImpact = .current) throws -> [String: TypedParameterValue] {
        var parameters: UnsafeMutablePointer<virTypedParameter>? = nil
        var count: Int32 = 0
        try Call.status { virDomainGetPerfEvents(handle, &parameters, &count, impact.rawValue) }
        defer { virTypedParamsFree(parameters, count) }
        return TypedParameterValue.dictionary(parameters, count: count)
    }

    /// Turns perf events on or off.
    /// The corresponding C function is `virDomainSetPerfEvents`.
    public func setPerfEvents(_ values: [String: Bool], impact: DomainModificationImpact = .current) throws {
        try TypedParameterValue.write(values.mapValues { .bool($0) }) { virDomainSetPerfEvents(handle, $0, $1, impact.rawValue) }
    }

    // MARK: I/O threads

    /// The domain's I/O threads and the host CPUs each may run on.
    /// The corresponding C functions are `virDomainGetIOThreadInfo` and `virDomainIOThreadInfoFree`.
    public func ioThreads(impact: DomainModificationImpact = .current) throws -> [DomainIOThread] {
        var raw: UnsafeMutablePointer<virDomainIOThreadInfoPtr?>? = nil
        let count = try Call.status { virDomainGetIOThreadInfo(handle, &raw, impact.rawValue) }
        guard let raw else { return [] }
        defer {
            for index in 0..<Int(count) { virDomainIOThreadInfoFree(raw[index]) }
            free(raw)
        }
        return (0..<Int(count)).compactMap { index in
            guard let info = raw[index]?.pointee else { return nil }
            let map = UnsafeBufferPointer(start: info.cpumap, count: Int(info.cpumaplen))
            return DomainIOThread(id: Int(info.iothread_id), hostCPUs: CPUMap.cpus(map, count: map.count * 8))
        }
    }

    /// Adds an I/O thread with the given ID.
    /// The corresponding C function is `virDomainAddIOThread`.
    public func addIOThread(id: Int, impact: DomainModificationImpact = .current) throws {
        try Call.status { virDomainAddIOThread(handle, UInt32(id), impact.rawValue) }
    }

    /// Removes an I/O thread no disk uses.
    /// The corresponding C function is `virDomainDelIOThread`.
    public func removeIOThread(id: Int, impact: DomainModificationImpact = .current) throws {
        try Call.status { virDomainDelIOThread(handle, UInt32(id), impact.rawValue) }
    }

    /// Pins an I/O thread to the host CPUs in `hostCPUs`.
    /// The corresponding C function is `virDomainPinIOThread`.
    public func pinIOThread(id: Int, to hostCPUs: Set<Int>, impact: DomainModificationImpact = .current) throws {
        var map = CPUMap.bytes(hostCPUs)
        try Call.status { virDomainPinIOThread(handle, UInt32(id), &map, Int32(map.count), impact.rawValue) }
    }

    // MARK: Disks and dumps

    /// Disks that hit an I/O error, by target (`vda` → the error code, see `virDomainDiskErrorCode`).
    /// The corresponding C function is `virDomainGetDiskErrors`.
    public func diskErrors() throws -> [String: Int32] {
        let count = try Call.status { virDomainGetDiskErrors(handle, nil, 0, 0) }
        guard count > 0 else { return [:] }
        var errors = [virDomainDiskError](repeating: virDomainDiskError(), count: Int(count))
        let filled = try Call.status { virDomainGetDiskErrors(handle, &errors, UInt32(count), 0) }
        var result: [String: Int32] = [:]
        for error in errors.prefix(Int(filled)) {
            if let disk = error.disk { result[String(cString: disk)] = error.error }
            free(error.disk)
        }
        return result
    }

    /// Writes the guest's memory to `path` on the daemon's host, for crash analysis.
    /// The corresponding C function is `virDomainCoreDumpWithFormat`.
    public func coreDump(to path: String, format: DomainCoreDumpFormat = .raw, flags: DomainCoreDumpFlags = []) throws {
        try Call.status { virDomainCoreDumpWithFormat(handle, path, format.rawValue, flags.rawValue) }
    }

    // MARK: Guest file systems (through the guest agent)

    /// Freezes the guest's file systems (`mountPoints` empty: all), for a consistent snapshot;
    /// returns how many were frozen.
    /// The corresponding C function is `virDomainFSFreeze`.
    @discardableResult
    public func freezeFileSystems(_ mountPoints: [String] = []) throws -> Int {
        Int(try withCStrings(mountPoints) { list in try Call.status { virDomainFSFreeze(handle, list, UInt32(mountPoints.count), 0) } })
    }

    /// Thaws file systems frozen by `freezeFileSystems`; returns how many were thawed.
    /// The corresponding C function is `virDomainFSThaw`.
    @discardableResult
    public func thawFileSystems(_ mountPoints: [String] = []) throws -> Int {
        Int(try withCStrings(mountPoints) { list in try Call.status { virDomainFSThaw(handle, list, UInt32(mountPoints.count), 0) } })
    }

    /// Discards unused blocks of a guest file system (`nil`: all of them).
    /// The corresponding C function is `virDomainFSTrim`.
    public func trimFileSystem(_ mountPoint: String? = nil, minimumBytes: UInt64 = 0) throws {
        try Call.status { virDomainFSTrim(handle, mountPoint, minimumBytes, 0) }
    }
}

/// Runs `body` with a C array of C strings (`nil` when `strings` is empty).
func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>?) throws -> T) throws -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    if pointers.isEmpty { return try body(nil) }
    return try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress) }
}

/// One I/O thread of a domain (`virDomainIOThreadInfo`).
public struct DomainIOThread: Hashable, Sendable {
    public var id: Int
    public var hostCPUs: Set<Int>
}

/// The format of `Domain.coreDump` (`virDomainCoreDumpFormat`).
public struct DomainCoreDumpFormat: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let raw = Self(rawValue: VIR_DOMAIN_CORE_DUMP_FORMAT_RAW.rawValue)
    public static let kdumpZlib = Self(rawValue: VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB.rawValue)
    public static let kdumpLzo = Self(rawValue: VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO.rawValue)
    public static let kdumpSnappy = Self(rawValue: VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY.rawValue)
    public static let windowsDump = Self(rawValue: VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP.rawValue)
}

/// Flags for `Domain.coreDump` (`virDomainCoreDumpFlags`).
public struct DomainCoreDumpFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Stop the domain after dumping.
    public static let crash = Self(rawValue: VIR_DUMP_CRASH.rawValue)
    /// Keep the domain running while dumping.
    public static let live = Self(rawValue: VIR_DUMP_LIVE.rawValue)
    public static let bypassCache = Self(rawValue: VIR_DUMP_BYPASS_CACHE.rawValue)
    /// Reset the domain after dumping.
    public static let reset = Self(rawValue: VIR_DUMP_RESET.rawValue)
    /// Dump guest memory only, through QEMU's dump-guest-memory.
    public static let memoryOnly = Self(rawValue: VIR_DUMP_MEMORY_ONLY.rawValue)
}
