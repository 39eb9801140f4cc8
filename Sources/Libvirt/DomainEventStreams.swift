import CLibvirt

// Every domain event ID beyond lifecycle (Events.swift): one stream per ID,
// each with its typed fact. Every stream is registered with `virConnectDomainEventRegisterAny`,
// deregistered with `virConnectDomainEventDeregisterAny`, and ends like
// `Connection.domainEvents(for:bufferLimit:)`.

/// A domain event that names the domain and one more fact: a reboot (no fact),
/// a metadata change (the field and namespace), a device removed (its alias).
public struct DomainNotice<Fact: Sendable & Hashable>: Sendable, Hashable {
    public var domainName: String
    public var domainUUID: String
    public var fact: Fact
}

/// What `Connection.domainMetadataEvents` reports changed (`VIR_DOMAIN_EVENT_ID_METADATA_CHANGE`).
public struct DomainMetadataChange: Sendable, Hashable {
    /// `.description`, `.title`, or `nil` for a custom metadata element.
    public var field: DomainTextField?
    /// The namespace of the custom element that changed.
    public var namespaceURI: String?
}

/// What `Connection.domainBlockJobEvents` reports (`VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2`).
public struct DomainBlockJobChange: Sendable, Hashable {
    /// The disk's target, such as `vda`, or its host path from `byPath` streams.
    public var disk: String
    public var type: DomainBlockJobType
    public var status: Status

    /// `virConnectDomainEventBlockJobStatus`; an open struct so new states round-trip.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virConnectDomainEventBlockJobStatus) { rawValue = Int32(value.rawValue) }
        public static let completed = Self(VIR_DOMAIN_BLOCK_JOB_COMPLETED)
        public static let failed = Self(VIR_DOMAIN_BLOCK_JOB_FAILED)
        public static let canceled = Self(VIR_DOMAIN_BLOCK_JOB_CANCELED)
        /// A copy or active commit has caught up and waits for a pivot or an abort.
        public static let ready = Self(VIR_DOMAIN_BLOCK_JOB_READY)
        public var description: String {
            switch self {
            case .completed: "completed"
            case .failed: "failed"
            case .canceled: "canceled"
            case .ready: "ready"
            default: "status \(rawValue)"
            }
        }
    }
}

/// A guest's real-time clock moved (`VIR_DOMAIN_EVENT_ID_RTC_CHANGE`).
public struct DomainRTCChange: Sendable, Hashable {
    /// The clock's new offset from UTC, in seconds.
    public var utcOffset: Int64
}

/// What a domain's watchdog did when it fired (`virDomainEventWatchdogAction`);
/// an open struct so new actions round-trip.
public struct DomainWatchdogAction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virDomainEventWatchdogAction) { rawValue = Int32(value.rawValue) }
    public static let none = Self(VIR_DOMAIN_EVENT_WATCHDOG_NONE)
    public static let pause = Self(VIR_DOMAIN_EVENT_WATCHDOG_PAUSE)
    public static let reset = Self(VIR_DOMAIN_EVENT_WATCHDOG_RESET)
    public static let powerOff = Self(VIR_DOMAIN_EVENT_WATCHDOG_POWEROFF)
    public static let shutdown = Self(VIR_DOMAIN_EVENT_WATCHDOG_SHUTDOWN)
    public static let debug = Self(VIR_DOMAIN_EVENT_WATCHDOG_DEBUG)
    public static let injectNMI = Self(VIR_DOMAIN_EVENT_WATCHDOG_INJECTNMI)
    public var description: String {
        switch self {
        case .none: "none"
        case .pause: "pause"
        case .reset: "reset"
        case .powerOff: "poweroff"
        case .shutdown: "shutdown"
        case .debug: "debug"
        case .injectNMI: "inject-nmi"
        default: "action \(rawValue)"
        }
    }
}

/// A disk's I/O error (`VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON`, or `_IO_ERROR` without the reason).
public struct DomainIOError: Sendable, Hashable {
    /// The host path of the disk's source.
    public var sourcePath: String
    /// The device's alias, such as `virtio-disk0`.
    public var deviceAlias: String
    public var action: Action
    /// QEMU's reason, such as `enospc`; nil from the stream without reasons.
    public var reason: String?

    /// `virDomainEventIOErrorAction`; an open struct so new actions round-trip.
    public struct Action: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virDomainEventIOErrorAction) { rawValue = Int32(value.rawValue) }
        /// Ignored.
        public static let none = Self(VIR_DOMAIN_EVENT_IO_ERROR_NONE)
        /// The guest's CPUs were paused.
        public static let pause = Self(VIR_DOMAIN_EVENT_IO_ERROR_PAUSE)
        /// Reported to the guest.
        public static let report = Self(VIR_DOMAIN_EVENT_IO_ERROR_REPORT)
        public var description: String {
            switch self {
            case .none: "none"
            case .pause: "pause"
            case .report: "report"
            default: "action \(rawValue)"
            }
        }
    }
}

/// A graphics (VNC or SPICE) client connected, finished its handshake, or
/// left (`VIR_DOMAIN_EVENT_ID_GRAPHICS`).
public struct DomainGraphicsChange: Sendable, Hashable {
    public var phase: Phase
    /// The server's end.
    public var local: Address
    /// The client's end.
    public var remote: Address
    /// The authentication scheme, such as `none` or `vnc`.
    public var authScheme: String
    /// Who the client proved to be (x509 names, SASL user names), in libvirt's order.
    public var subject: [Identity]

    /// `virDomainEventGraphicsPhase`; an open struct so new phases round-trip.
    public struct Phase: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virDomainEventGraphicsPhase) { rawValue = Int32(value.rawValue) }
        /// The client's socket connected.
        public static let connect = Self(VIR_DOMAIN_EVENT_GRAPHICS_CONNECT)
        /// Authentication and set-up finished.
        public static let initialize = Self(VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE)
        /// The client's socket closed.
        public static let disconnect = Self(VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT)
        public var description: String {
            switch self {
            case .connect: "connect"
            case .initialize: "initialize"
            case .disconnect: "disconnect"
            default: "phase \(rawValue)"
            }
        }
    }

    /// One end of a graphics connection (`virDomainEventGraphicsAddress`).
    public struct Address: Sendable, Hashable {
        public var family: Family
        /// An IP address, or a UNIX socket's path.
        public var node: String
        /// The TCP port, or empty.
        public var service: String

        /// `virDomainEventGraphicsAddressType`; an open struct so new families round-trip.
        public struct Family: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
            public var rawValue: Int32
            public init(rawValue: Int32) { self.rawValue = rawValue }
            init(_ value: virDomainEventGraphicsAddressType) { rawValue = Int32(value.rawValue) }
            public static let ipv4 = Self(VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4)
            public static let ipv6 = Self(VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6)
            public static let unix = Self(VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_UNIX)
            public var description: String {
                switch self {
                case .ipv4: "ipv4"
                case .ipv6: "ipv6"
                case .unix: "unix"
                default: "family \(rawValue)"
                }
            }
        }
    }

    /// One identity of the client (`virDomainEventGraphicsSubjectIdentity`).
    public struct Identity: Sendable, Hashable {
        /// Such as `x509dname` or `saslUsername`.
        public var type: String
        public var name: String
    }
}

/// A disk's source changed without being asked (`VIR_DOMAIN_EVENT_ID_DISK_CHANGE`).
public struct DomainDiskChange: Sendable, Hashable {
    /// The source before, if there was one.
    public var oldSourcePath: String?
    /// The source now, if there is one.
    public var newSourcePath: String?
    /// The device's alias, such as `ide0-1-0`.
    public var deviceAlias: String
    public var reason: Reason

    /// `virConnectDomainEventDiskChangeReason`; an open struct so new reasons round-trip.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virConnectDomainEventDiskChangeReason) { rawValue = Int32(value.rawValue) }
        /// The source was missing when the domain started, and its
        /// `startupPolicy` let libvirt drop it (a cdrom or floppy is left empty).
        public static let missingOnStart = Self(VIR_DOMAIN_EVENT_DISK_CHANGE_MISSING_ON_START)
        /// The source was missing when the domain started, and the whole disk was dropped.
        public static let droppedMissingOnStart = Self(VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START)
        public var description: String {
            switch self {
            case .missingOnStart: "missing on start"
            case .droppedMissingOnStart: "dropped, missing on start"
            default: "reason \(rawValue)"
            }
        }
    }
}

/// A removable drive's tray opened or closed (`VIR_DOMAIN_EVENT_ID_TRAY_CHANGE`).
public struct DomainTrayChange: Sendable, Hashable {
    /// The device's alias, such as `ide0-1-0`.
    public var deviceAlias: String
    public var reason: Reason

    /// `virDomainEventTrayChangeReason`; an open struct so new reasons round-trip.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virDomainEventTrayChangeReason) { rawValue = Int32(value.rawValue) }
        public static let open = Self(VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN)
        public static let close = Self(VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE)
        public var description: String {
            switch self {
            case .open: "open"
            case .close: "close"
            default: "reason \(rawValue)"
            }
        }
    }
}

/// A guest's power-management transition (`VIR_DOMAIN_EVENT_ID_PMWAKEUP`,
/// `_PMSUSPEND`, `_PMSUSPEND_DISK`).
public struct DomainPowerManagementChange: Sendable, Hashable {
    /// libvirt's reason integer; libvirt defines none yet (always 0).
    public var reason: Int32
}

/// The memory a balloon driver left the guest (`VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE`).
public struct DomainBalloonChange: Sendable, Hashable {
    /// The guest's memory now, in KiB.
    public var actualKiB: UInt64
}

/// Tunables that changed (`VIR_DOMAIN_EVENT_ID_TUNABLE`) or the statistics of a
/// job that finished (`VIR_DOMAIN_EVENT_ID_JOB_COMPLETED`), by libvirt's
/// parameter names (`cputune.vcpupin0`, `blkdeviotune.total_bytes_sec`, …;
/// `VIR_DOMAIN_JOB_*` for jobs).
public struct DomainParameterChange: Sendable, Hashable {
    public var values: [String: TypedParameterValue]
}

/// The guest agent's channel connected or disconnected (`VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE`).
public struct DomainAgentLifecycle: Sendable, Hashable {
    public var state: State
    public var reason: Reason

    /// `virConnectDomainEventAgentLifecycleState`; an open struct so new states round-trip.
    public struct State: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virConnectDomainEventAgentLifecycleState) { rawValue = Int32(value.rawValue) }
        public static let connected = Self(VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED)
        public static let disconnected = Self(VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED)
        public var description: String {
            switch self {
            case .connected: "connected"
            case .disconnected: "disconnected"
            default: "state \(rawValue)"
            }
        }
    }

    /// `virConnectDomainEventAgentLifecycleReason`; an open struct so new reasons round-trip.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virConnectDomainEventAgentLifecycleReason) { rawValue = Int32(value.rawValue) }
        public static let unknown = Self(VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_UNKNOWN)
        /// The domain started (or libvirtd reconnected to it).
        public static let domainStarted = Self(VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_DOMAIN_STARTED)
        /// The agent inside the guest opened or closed its channel.
        public static let channel = Self(VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL)
        public var description: String {
            switch self {
            case .unknown: "unknown"
            case .domainStarted: "domain started"
            case .channel: "channel"
            default: "reason \(rawValue)"
            }
        }
    }
}

/// A live migration began another pass over the guest's memory (`VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION`).
public struct DomainMigrationIteration: Sendable, Hashable {
    /// The pass, counting from 1.
    public var iteration: Int
}

/// A disk's write threshold (`Domain.setBlockThreshold`) was crossed (`VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD`).
public struct DomainBlockThreshold: Sendable, Hashable {
    /// The disk's target, such as `vda`, or `vda[1]` for a backing layer.
    public var device: String
    /// The host path of the image, when it has one.
    public var path: String?
    /// The threshold that was set, in bytes.
    public var threshold: UInt64
    /// How far past it the write went, in bytes.
    public var excess: UInt64
}

/// The host or the guest met a memory failure (`VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE`).
public struct DomainMemoryFailure: Sendable, Hashable {
    public var recipient: Recipient
    public var action: Action
    public var flags: Flags

    /// `virDomainMemoryFailureRecipientType`; an open struct so new values round-trip.
    public struct Recipient: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virDomainMemoryFailureRecipientType) { rawValue = Int32(value.rawValue) }
        public static let hypervisor = Self(VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_HYPERVISOR)
        public static let guest = Self(VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST)
        public var description: String {
            switch self {
            case .hypervisor: "hypervisor"
            case .guest: "guest"
            default: "recipient \(rawValue)"
            }
        }
    }

    /// `virDomainMemoryFailureActionType`; an open struct so new values round-trip.
    public struct Action: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virDomainMemoryFailureActionType) { rawValue = Int32(value.rawValue) }
        public static let ignore = Self(VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_IGNORE)
        public static let inject = Self(VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_INJECT)
        public static let fatal = Self(VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_FATAL)
        public static let reset = Self(VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_RESET)
        public var description: String {
            switch self {
            case .ignore: "ignore"
            case .inject: "inject"
            case .fatal: "fatal"
            case .reset: "reset"
            default: "action \(rawValue)"
            }
        }
    }

    /// `virDomainMemoryFailureFlags`.
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The failure is of memory that was being used.
        public static let actionRequired = Self(rawValue: UInt32(VIR_DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED.rawValue))
        /// A failure while handling an earlier one.
        public static let recursive = Self(rawValue: UInt32(VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE.rawValue))
    }
}

/// A memory device (virtio-mem) changed its size (`VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE`).
public struct DomainMemoryDeviceSizeChange: Sendable, Hashable {
    /// The device's alias.
    public var alias: String
    /// Its new size, in KiB.
    public var sizeKiB: UInt64
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }

private func yield<Fact: Sendable & Hashable>(_ fact: Fact, about domain: OpaquePointer?, to opaque: UnsafeMutableRawPointer?) {
    guard let domain, let opaque else { return }
    let (name, uuid) = domainIdentity(domain)
    EventSink<DomainNotice<Fact>>.yield(DomainNotice(domainName: name, domainUUID: uuid, fact: fact), to: opaque)
}

private func address(_ pointer: UnsafePointer<virDomainEventGraphicsAddress>?) -> DomainGraphicsChange.Address {
    guard let value = pointer?.pointee else { return .init(family: .init(rawValue: -1), node: "", service: "") }
    return .init(family: .init(rawValue: value.family), node: string(value.node) ?? "", service: string(value.service) ?? "")
}

private let rtcChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int64, UnsafeMutableRawPointer?) -> Void = {
    _, domain, offset, opaque in
    yield(DomainRTCChange(utcOffset: offset), about: domain, to: opaque)
}

private let watchdogCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    _, domain, action, opaque in
    yield(DomainWatchdogAction(rawValue: action), about: domain, to: opaque)
}

private let ioErrorCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafeMutableRawPointer?
) -> Void = { _, domain, path, alias, action, opaque in
    let error = DomainIOError(sourcePath: string(path) ?? "", deviceAlias: string(alias) ?? "", action: .init(rawValue: action))
    yield(error, about: domain, to: opaque)
}

private let ioErrorReasonCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?,
    UnsafeMutableRawPointer?
) -> Void = { _, domain, path, alias, action, reason, opaque in
    let error = DomainIOError(
        sourcePath: string(path) ?? "", deviceAlias: string(alias) ?? "", action: .init(rawValue: action),
        reason: string(reason) ?? "")
    yield(error, about: domain, to: opaque)
}

private let graphicsCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, UnsafePointer<virDomainEventGraphicsAddress>?,
    UnsafePointer<virDomainEventGraphicsAddress>?, UnsafePointer<CChar>?, UnsafePointer<virDomainEventGraphicsSubject>?,
    UnsafeMutableRawPointer?
) -> Void = { _, domain, phase, local, remote, scheme, subject, opaque in
    var identities: [DomainGraphicsChange.Identity] = []
    if let subject = subject?.pointee, let list = subject.identities {
        for index in 0..<max(0, Int(subject.nidentity)) {
            identities.append(.init(type: string(list[index].type) ?? "", name: string(list[index].name) ?? ""))
        }
    }
    let change = DomainGraphicsChange(
        phase: .init(rawValue: phase), local: address(local), remote: address(remote), authScheme: string(scheme) ?? "",
        subject: identities)
    yield(change, about: domain, to: opaque)
}

private let diskChangeCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
    UnsafeMutableRawPointer?
) -> Void = { _, domain, old, new, alias, reason, opaque in
    let change = DomainDiskChange(
        oldSourcePath: string(old), newSourcePath: string(new), deviceAlias: string(alias) ?? "", reason: .init(rawValue: reason))
    yield(change, about: domain, to: opaque)
}

private let trayChangeCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutableRawPointer?
) -> Void = { _, domain, alias, reason, opaque in
    yield(DomainTrayChange(deviceAlias: string(alias) ?? "", reason: .init(rawValue: reason)), about: domain, to: opaque)
}

private let powerManagementCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    _, domain, reason, opaque in
    yield(DomainPowerManagementChange(reason: reason), about: domain, to: opaque)
}

private let balloonChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UInt64, UnsafeMutableRawPointer?) -> Void = {
    _, domain, actual, opaque in
    yield(DomainBalloonChange(actualKiB: actual), about: domain, to: opaque)
}

private let parametersCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafeMutablePointer<virTypedParameter>?, Int32, UnsafeMutableRawPointer?
) -> Void = { _, domain, parameters, count, opaque in
    // libvirt frees the parameters after the callback returns.
    yield(DomainParameterChange(values: TypedParameterValue.dictionary(parameters, count: count)), about: domain, to: opaque)
}

private let agentLifecycleCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?) -> Void = {
    _, domain, state, reason, opaque in
    yield(DomainAgentLifecycle(state: .init(rawValue: state), reason: .init(rawValue: reason)), about: domain, to: opaque)
}

private let migrationIterationCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    _, domain, iteration, opaque in
    yield(DomainMigrationIteration(iteration: Int(iteration)), about: domain, to: opaque)
}

private let aliasCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    _, domain, alias, opaque in
    yield(string(alias) ?? "", about: domain, to: opaque)
}

private let blockThresholdCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UInt64, UInt64, UnsafeMutableRawPointer?
) -> Void = { _, domain, device, path, threshold, excess, opaque in
    let crossing = DomainBlockThreshold(device: string(device) ?? "", path: string(path), threshold: threshold, excess: excess)
    yield(crossing, about: domain, to: opaque)
}

private let memoryFailureCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UInt32, UnsafeMutableRawPointer?
) -> Void = { _, domain, recipient, action, flags, opaque in
    let failure = DomainMemoryFailure(recipient: .init(rawValue: recipient), action: .init(rawValue: action), flags: .init(rawValue: flags))
    yield(failure, about: domain, to: opaque)
}

private let memoryDeviceSizeCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UInt64, UnsafeMutableRawPointer?
) -> Void = { _, domain, alias, size, opaque in
    yield(DomainMemoryDeviceSizeChange(alias: string(alias) ?? "", sizeKiB: size), about: domain, to: opaque)
}

private let metadataCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?
) -> Void = { _, domain, type, namespace, opaque in
    let field = type == Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue) ? nil : DomainTextField(rawValue: type)
    yield(DomainMetadataChange(field: field, namespaceURI: string(namespace)), about: domain, to: opaque)
}

private let blockJobCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?
) -> Void = { _, domain, disk, type, status, opaque in
    let change = DomainBlockJobChange(disk: string(disk) ?? "", type: DomainBlockJobType(rawValue: type), status: .init(rawValue: status))
    yield(change, about: domain, to: opaque)
}

private let noFactCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafeMutableRawPointer?) -> Void = {
    _, domain, opaque in
    yield(true, about: domain, to: opaque)
}

extension Connection {
    private func domainEvents<Fact: Sendable & Hashable, Callback>(
        _ id: virDomainEventID, for domain: Domain?, bufferLimit: Int, _ callback: Callback
    ) throws -> AsyncStream<DomainNotice<Fact>> {
        let generic = unsafeBitCast(callback, to: virConnectDomainEventGenericCallback.self)
        return try subscribe(bufferLimit: bufferLimit) { pointer, opaque in
            virConnectDomainEventRegisterAny(pointer, domain?.handle, Int32(id.rawValue), generic, opaque, releaseSink)
        } deregister: { virConnectDomainEventDeregisterAny($0, $1) }
    }

    /// The guest moved its real-time clock (`VIR_DOMAIN_EVENT_ID_RTC_CHANGE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainRTCChangeEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainRTCChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_RTC_CHANGE, for: domain, bufferLimit: bufferLimit, rtcChangeCallback)
    }

    /// A watchdog device fired, with what it did (`VIR_DOMAIN_EVENT_ID_WATCHDOG`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainWatchdogEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainWatchdogAction>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_WATCHDOG, for: domain, bufferLimit: bufferLimit, watchdogCallback)
    }

    /// Disk I/O errors. With `reasons` (the default) the stream is
    /// `VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON` and each error carries QEMU's
    /// reason; without, it is the older `VIR_DOMAIN_EVENT_ID_IO_ERROR`.
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainIOErrorEvents(
        for domain: Domain? = nil, reasons: Bool = true, bufferLimit: Int = 1024
    ) throws -> AsyncStream<DomainNotice<DomainIOError>> {
        reasons
            ? try domainEvents(VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, for: domain, bufferLimit: bufferLimit, ioErrorReasonCallback)
            : try domainEvents(VIR_DOMAIN_EVENT_ID_IO_ERROR, for: domain, bufferLimit: bufferLimit, ioErrorCallback)
    }

    /// Graphics clients connecting, authenticated, and leaving (`VIR_DOMAIN_EVENT_ID_GRAPHICS`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainGraphicsEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainGraphicsChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_GRAPHICS, for: domain, bufferLimit: bufferLimit, graphicsCallback)
    }

    /// libvirt lost control of the domain's monitor; the fact is always true
    /// (`VIR_DOMAIN_EVENT_ID_CONTROL_ERROR`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainControlErrorEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<Bool>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_CONTROL_ERROR, for: domain, bufferLimit: bufferLimit, noFactCallback)
    }

    /// Disk sources dropped because they were missing at start (`VIR_DOMAIN_EVENT_ID_DISK_CHANGE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainDiskChangeEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainDiskChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_DISK_CHANGE, for: domain, bufferLimit: bufferLimit, diskChangeCallback)
    }

    /// cdrom and floppy trays opening and closing (`VIR_DOMAIN_EVENT_ID_TRAY_CHANGE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainTrayChangeEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainTrayChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, for: domain, bufferLimit: bufferLimit, trayChangeCallback)
    }

    /// The guest woke from a suspend (`VIR_DOMAIN_EVENT_ID_PMWAKEUP`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainPMWakeupEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainPowerManagementChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_PMWAKEUP, for: domain, bufferLimit: bufferLimit, powerManagementCallback)
    }

    /// The guest suspended to memory (`VIR_DOMAIN_EVENT_ID_PMSUSPEND`), or,
    /// with `toDisk`, to disk (`VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainPMSuspendEvents(
        for domain: Domain? = nil, toDisk: Bool = false, bufferLimit: Int = 1024
    ) throws -> AsyncStream<DomainNotice<DomainPowerManagementChange>> {
        try domainEvents(
            toDisk ? VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK : VIR_DOMAIN_EVENT_ID_PMSUSPEND, for: domain, bufferLimit: bufferLimit,
            powerManagementCallback)
    }

    /// The balloon driver gave the guest more or less memory (`VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainBalloonChangeEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainBalloonChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, for: domain, bufferLimit: bufferLimit, balloonChangeCallback)
    }

    /// Tunables changed on a running domain: CPU pinning, scheduler, block
    /// I/O tuning, … (`VIR_DOMAIN_EVENT_ID_TUNABLE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainTunableEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainParameterChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_TUNABLE, for: domain, bufferLimit: bufferLimit, parametersCallback)
    }

    /// The guest agent connected or disconnected (`VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainAgentLifecycleEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainAgentLifecycle>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE, for: domain, bufferLimit: bufferLimit, agentLifecycleCallback)
    }

    /// Each new pass of a live migration over the guest's memory (`VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainMigrationIterationEvents(
        for domain: Domain? = nil, bufferLimit: Int = 1024
    ) throws -> AsyncStream<DomainNotice<DomainMigrationIteration>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, for: domain, bufferLimit: bufferLimit, migrationIterationCallback)
    }

    /// A job (a migration, a save, a dump, …) finished, with its final
    /// statistics (`VIR_DOMAIN_EVENT_ID_JOB_COMPLETED`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainJobCompletedEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainParameterChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, for: domain, bufferLimit: bufferLimit, parametersCallback)
    }

    /// The guest refused to release a device `Domain.detachDevice` asked for,
    /// by alias (`VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainDeviceRemovalFailedEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<String>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, for: domain, bufferLimit: bufferLimit, aliasCallback)
    }

    /// A disk's write threshold was crossed (`VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainBlockThresholdEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainBlockThreshold>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD, for: domain, bufferLimit: bufferLimit, blockThresholdCallback)
    }

    /// Memory failures the host or the guest met (`VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainMemoryFailureEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<DomainMemoryFailure>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE, for: domain, bufferLimit: bufferLimit, memoryFailureCallback)
    }

    /// Memory devices that changed their size (`VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE`).
    /// The corresponding C function is `virConnectDomainEventRegisterAny`.
    public func domainMemoryDeviceSizeChangeEvents(
        for domain: Domain? = nil, bufferLimit: Int = 1024
    ) throws -> AsyncStream<DomainNotice<DomainMemoryDeviceSizeChange>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE, for: domain, bufferLimit: bufferLimit, memoryDeviceSizeCallback)
    }
}

extension Connection {
    /// Guest-initiated reboots of all domains, or of one (`VIR_DOMAIN_EVENT_ID_REBOOT`);
    /// ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainRebootEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<Bool>> {
        try domainEvents(VIR_DOMAIN_EVENT_ID_REBOOT, for: domain, bufferLimit: bufferLimit, noFactCallback)
    }

    /// Changes to a domain's title, description or custom metadata
    /// (`VIR_DOMAIN_EVENT_ID_METADATA_CHANGE`); ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainMetadataEvents(
        for domain: Domain? = nil, bufferLimit: Int = 1024
    ) throws -> AsyncStream<DomainNotice<DomainMetadataChange>> {
        try domainEvents(
            VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, for: domain, bufferLimit: bufferLimit,
            metadataCallback)
    }

    /// Devices the guest has released after `Domain.detachDevice`, by alias
    /// (`VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED`); ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainDeviceRemovedEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<String>> {
        try domainEvents(
            VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, for: domain, bufferLimit: bufferLimit,
            aliasCallback)
    }

    /// Devices that became part of a running domain, by alias, once QEMU
    /// reports them (`VIR_DOMAIN_EVENT_ID_DEVICE_ADDED`); ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainDeviceAddedEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainNotice<String>> {
        try domainEvents(
            VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, for: domain, bufferLimit: bufferLimit,
            aliasCallback)
    }

    /// Block jobs (pull, copy, commit, active commit, backup) that completed,
    /// failed, were cancelled or became ready to pivot, by disk target
    /// (`VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2`), or with `byPath` by the disk's
    /// host path (the older `VIR_DOMAIN_EVENT_ID_BLOCK_JOB`, which network
    /// disks cannot name); ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainBlockJobEvents(
        for domain: Domain? = nil, byPath: Bool = false, bufferLimit: Int = 1024
    ) throws -> AsyncStream<DomainNotice<DomainBlockJobChange>> {
        try domainEvents(
            byPath ? VIR_DOMAIN_EVENT_ID_BLOCK_JOB : VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, for: domain, bufferLimit: bufferLimit,
            blockJobCallback)
    }
}
