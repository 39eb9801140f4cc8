import CLibvirt
import FoundationEssentials

/// A domain lifecycle event (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`).
public struct DomainEvent: Sendable, Hashable {
    /// The domain's name at the time of the event.
    public var domainName: String
    /// The domain's UUID string.
    public var domainUUID: String
    public var kind: Kind
    /// Why, in the terms of `kind` (`virDomainEventStoppedDetailType` for `.stopped`, …).
    public var detail: Detail

    /// `virDomainEventType`; an open struct so new kinds round-trip.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let defined = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_DEFINED.rawValue))
        public static let undefined = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_UNDEFINED.rawValue))
        public static let started = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_STARTED.rawValue))
        public static let suspended = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_SUSPENDED.rawValue))
        public static let resumed = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_RESUMED.rawValue))
        public static let stopped = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_STOPPED.rawValue))
        public static let shutdown = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_SHUTDOWN.rawValue))
        public static let pmSuspended = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_PMSUSPENDED.rawValue))
        public static let crashed = Kind(rawValue: Int32(VIR_DOMAIN_EVENT_CRASHED.rawValue))
        public var description: String {
            switch self {
            case .defined: "defined"
            case .undefined: "undefined"
            case .started: "started"
            case .suspended: "suspended"
            case .resumed: "resumed"
            case .stopped: "stopped"
            case .shutdown: "shutdown"
            case .pmSuspended: "pmsuspended"
            case .crashed: "crashed"
            default: "event \(rawValue)"
            }
        }
    }

    /// A lifecycle event's detail (`virDomainEvent…DetailType`). libvirt numbers
    /// details per kind, so a detail is its kind with libvirt's integer; an open
    /// struct, so details a newer libvirt sends still round-trip.
    public struct Detail: Hashable, Sendable, CustomStringConvertible {
        public var kind: Kind
        public var rawValue: Int32
        public init(kind: Kind, rawValue: Int32) {
            self.kind = kind
            self.rawValue = rawValue
        }
        init(_ kind: Kind, _ value: UInt32) { self.init(kind: kind, rawValue: Int32(value)) }

        public static let definedAdded = Self(.defined, VIR_DOMAIN_EVENT_DEFINED_ADDED.rawValue)
        public static let definedUpdated = Self(.defined, VIR_DOMAIN_EVENT_DEFINED_UPDATED.rawValue)
        public static let definedRenamed = Self(.defined, VIR_DOMAIN_EVENT_DEFINED_RENAMED.rawValue)
        public static let definedFromSnapshot = Self(.defined, VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT.rawValue)
        public static let undefinedRemoved = Self(.undefined, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED.rawValue)
        public static let undefinedRenamed = Self(.undefined, VIR_DOMAIN_EVENT_UNDEFINED_RENAMED.rawValue)
        public static let startedBooted = Self(.started, VIR_DOMAIN_EVENT_STARTED_BOOTED.rawValue)
        public static let startedMigrated = Self(.started, VIR_DOMAIN_EVENT_STARTED_MIGRATED.rawValue)
        public static let startedRestored = Self(.started, VIR_DOMAIN_EVENT_STARTED_RESTORED.rawValue)
        public static let startedFromSnapshot = Self(.started, VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT.rawValue)
        public static let startedWakeup = Self(.started, VIR_DOMAIN_EVENT_STARTED_WAKEUP.rawValue)
        public static let suspendedPaused = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED.rawValue)
        public static let suspendedMigrated = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED.rawValue)
        public static let suspendedIOError = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR.rawValue)
        public static let suspendedWatchdog = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG.rawValue)
        public static let suspendedRestored = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_RESTORED.rawValue)
        public static let suspendedFromSnapshot = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT.rawValue)
        public static let suspendedAPIError = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR.rawValue)
        public static let suspendedPostCopy = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY.rawValue)
        public static let suspendedPostCopyFailed = Self(.suspended, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED.rawValue)
        public static let resumedUnpaused = Self(.resumed, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED.rawValue)
        public static let resumedMigrated = Self(.resumed, VIR_DOMAIN_EVENT_RESUMED_MIGRATED.rawValue)
        public static let resumedFromSnapshot = Self(.resumed, VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT.rawValue)
        public static let resumedPostCopy = Self(.resumed, VIR_DOMAIN_EVENT_RESUMED_POSTCOPY.rawValue)
        public static let resumedPostCopyFailed = Self(.resumed, VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED.rawValue)
        public static let stoppedShutdown = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN.rawValue)
        public static let stoppedDestroyed = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_DESTROYED.rawValue)
        public static let stoppedCrashed = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_CRASHED.rawValue)
        public static let stoppedMigrated = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_MIGRATED.rawValue)
        public static let stoppedSaved = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_SAVED.rawValue)
        public static let stoppedFailed = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_FAILED.rawValue)
        public static let stoppedFromSnapshot = Self(.stopped, VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT.rawValue)
        public static let shutdownFinished = Self(.shutdown, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED.rawValue)
        public static let shutdownGuest = Self(.shutdown, VIR_DOMAIN_EVENT_SHUTDOWN_GUEST.rawValue)
        public static let shutdownHost = Self(.shutdown, VIR_DOMAIN_EVENT_SHUTDOWN_HOST.rawValue)
        public static let pmSuspendedMemory = Self(.pmSuspended, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY.rawValue)
        public static let pmSuspendedDisk = Self(.pmSuspended, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK.rawValue)
        public static let crashedPanicked = Self(.crashed, VIR_DOMAIN_EVENT_CRASHED_PANICKED.rawValue)
        public static let crashedCrashLoaded = Self(.crashed, VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED.rawValue)

        private static let names: [Detail: String] = [
            .definedAdded: "added",
            .definedUpdated: "updated",
            .definedRenamed: "renamed",
            .definedFromSnapshot: "from snapshot",
            .undefinedRemoved: "removed",
            .undefinedRenamed: "renamed",
            .startedBooted: "booted",
            .startedMigrated: "migrated",
            .startedRestored: "restored",
            .startedFromSnapshot: "from snapshot",
            .startedWakeup: "wakeup",
            .suspendedPaused: "paused",
            .suspendedMigrated: "migrated",
            .suspendedIOError: "ioerror",
            .suspendedWatchdog: "watchdog",
            .suspendedRestored: "restored",
            .suspendedFromSnapshot: "from snapshot",
            .suspendedAPIError: "api error",
            .suspendedPostCopy: "post-copy",
            .suspendedPostCopyFailed: "post-copy failed",
            .resumedUnpaused: "unpaused",
            .resumedMigrated: "migrated",
            .resumedFromSnapshot: "from snapshot",
            .resumedPostCopy: "post-copy",
            .resumedPostCopyFailed: "post-copy failed",
            .stoppedShutdown: "shutdown",
            .stoppedDestroyed: "destroyed",
            .stoppedCrashed: "crashed",
            .stoppedMigrated: "migrated",
            .stoppedSaved: "saved",
            .stoppedFailed: "failed",
            .stoppedFromSnapshot: "from snapshot",
            .shutdownFinished: "finished",
            .shutdownGuest: "guest",
            .shutdownHost: "host",
            .pmSuspendedMemory: "memory",
            .pmSuspendedDisk: "disk",
            .crashedPanicked: "panicked",
            .crashedCrashLoaded: "crashloaded",
        ]

        /// libvirt's name for the detail in lower case, such as `destroyed`, or `detail N`.
        public var description: String { Self.names[self] ?? "detail \(rawValue)" }
    }
}

/// A virtual network's lifecycle event (`VIR_NETWORK_EVENT_ID_LIFECYCLE`).
public struct NetworkEvent: Sendable, Hashable {
    public var networkName: String
    public var networkUUID: String
    public var kind: Kind
    /// libvirt's detail integer; libvirt defines no network event details (always 0 so far).
    public var detail: Int32

    /// `virNetworkEventLifecycleType`; an open struct so new kinds round-trip.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virNetworkEventLifecycleType) { rawValue = Int32(value.rawValue) }
        public static let defined = Kind(VIR_NETWORK_EVENT_DEFINED)
        public static let undefined = Kind(VIR_NETWORK_EVENT_UNDEFINED)
        public static let started = Kind(VIR_NETWORK_EVENT_STARTED)
        public static let stopped = Kind(VIR_NETWORK_EVENT_STOPPED)
        public var description: String {
            switch self {
            case .defined: "defined"
            case .undefined: "undefined"
            case .started: "started"
            case .stopped: "stopped"
            default: "event \(rawValue)"
            }
        }
    }
}

/// A storage pool's lifecycle event (`VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE`).
public struct StoragePoolEvent: Sendable, Hashable {
    public var poolName: String
    public var poolUUID: String
    public var kind: Kind
    /// libvirt's detail integer; libvirt defines no storage pool event details (always 0 so far).
    public var detail: Int32

    /// `virStoragePoolEventLifecycleType`; an open struct so new kinds round-trip.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virStoragePoolEventLifecycleType) { rawValue = Int32(value.rawValue) }
        public static let defined = Kind(VIR_STORAGE_POOL_EVENT_DEFINED)
        public static let undefined = Kind(VIR_STORAGE_POOL_EVENT_UNDEFINED)
        public static let started = Kind(VIR_STORAGE_POOL_EVENT_STARTED)
        public static let stopped = Kind(VIR_STORAGE_POOL_EVENT_STOPPED)
        /// The pool's storage was built (`virStoragePoolBuild`).
        public static let created = Kind(VIR_STORAGE_POOL_EVENT_CREATED)
        /// The pool's storage was deleted (`virStoragePoolDelete`).
        public static let deleted = Kind(VIR_STORAGE_POOL_EVENT_DELETED)
        public var description: String {
            switch self {
            case .defined: "defined"
            case .undefined: "undefined"
            case .started: "started"
            case .stopped: "stopped"
            case .created: "created"
            case .deleted: "deleted"
            default: "event \(rawValue)"
            }
        }
    }
}

/// Holds a stream's continuation for libvirt's C callback. libvirt keeps one
/// retained reference through the opaque pointer and drops it in its free
/// callback, which also finishes the stream.
class EventSinkBase: @unchecked Sendable {
    func finish() {}
}

final class EventSink<Event: Sendable>: EventSinkBase, @unchecked Sendable {
    let continuation: AsyncStream<Event>.Continuation
    init(_ continuation: AsyncStream<Event>.Continuation) { self.continuation = continuation }
    override func finish() { continuation.finish() }

    static func yield(_ event: Event, to opaque: UnsafeMutableRawPointer) {
        Unmanaged<EventSink<Event>>.fromOpaque(opaque).takeUnretainedValue().continuation.yield(event)
    }
}

let releaseSink: @convention(c) (UnsafeMutableRawPointer?) -> Void = { opaque in
    guard let opaque else { return }
    Unmanaged<EventSinkBase>.fromOpaque(opaque).takeRetainedValue().finish()
}

/// Reads a name and UUID string from an object handle inside a callback.
private func identity(
    _ handle: OpaquePointer, name: (OpaquePointer) -> UnsafePointer<CChar>?,
    uuid: (OpaquePointer, UnsafeMutablePointer<CChar>) -> Int32
) -> (String, String) {
    let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(VIR_UUID_STRING_BUFLEN)) { buffer in
        buffer.initialize(repeating: 0)
        return uuid(handle, buffer.baseAddress!) == 0 ? String(cString: buffer.baseAddress!) : ""
    }
    return (name(handle).map { String(cString: $0) } ?? "", text)
}

func domainIdentity(_ domain: OpaquePointer) -> (String, String) {
    identity(domain, name: { virDomainGetName($0) }, uuid: { virDomainGetUUIDString($0, $1) })
}

private let domainLifecycleCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Int32 = { _, domain, event, detail, opaque in
    guard let domain, let opaque else { return 0 }
    let (name, uuid) = domainIdentity(domain)
    let kind = DomainEvent.Kind(rawValue: event)
    EventSink<DomainEvent>.yield(
        DomainEvent(domainName: name, domainUUID: uuid, kind: kind, detail: .init(kind: kind, rawValue: detail)), to: opaque)
    return 0
}

private let networkLifecycleCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Void = { _, network, event, detail, opaque in
    guard let network, let opaque else { return }
    let (name, uuid) = identity(network, name: { virNetworkGetName($0) }, uuid: { virNetworkGetUUIDString($0, $1) })
    EventSink<NetworkEvent>.yield(
        NetworkEvent(networkName: name, networkUUID: uuid, kind: .init(rawValue: event), detail: detail), to: opaque)
}

private let storagePoolLifecycleCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Void = { _, pool, event, detail, opaque in
    guard let pool, let opaque else { return }
    let (name, uuid) = identity(pool, name: { virStoragePoolGetName($0) }, uuid: { virStoragePoolGetUUIDString($0, $1) })
    EventSink<StoragePoolEvent>.yield(
        StoragePoolEvent(poolName: name, poolUUID: uuid, kind: .init(rawValue: event), detail: detail), to: opaque)
}

extension Connection {
    /// Lifecycle events (defined, started, stopped, undefined, …) of all
    /// domains, or of one. Events are delivered by libvirt's default event
    /// loop, which `Library` runs on a thread of its own. Ending the iteration
    /// (or dropping the stream) deregisters the callback; `close()` does too,
    /// and finishes the stream.
    ///
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainEvent> {
        try subscribe(bufferLimit: bufferLimit) { pointer, opaque in
            virConnectDomainEventRegisterAny(
                pointer, domain?.handle, Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue),
                unsafeBitCast(domainLifecycleCallback, to: virConnectDomainEventGenericCallback.self), opaque, releaseSink)
        } deregister: { virConnectDomainEventDeregisterAny($0, $1) }
    }

    /// Lifecycle events (defined, started, stopped, undefined) of all virtual
    /// networks, or of one; ends like `domainEvents(for:bufferLimit:)`.
    ///
    /// The corresponding C functions are `virConnectNetworkEventRegisterAny`
    /// and `virConnectNetworkEventDeregisterAny`.
    public func networkEvents(for network: Network? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<NetworkEvent> {
        try subscribe(bufferLimit: bufferLimit) { pointer, opaque in
            virConnectNetworkEventRegisterAny(
                pointer, network?.handle, Int32(VIR_NETWORK_EVENT_ID_LIFECYCLE.rawValue),
                unsafeBitCast(networkLifecycleCallback, to: virConnectNetworkEventGenericCallback.self), opaque, releaseSink)
        } deregister: { virConnectNetworkEventDeregisterAny($0, $1) }
    }

    /// Lifecycle events (defined, started, stopped, undefined, created,
    /// deleted) of all storage pools, or of one; ends like `domainEvents(for:bufferLimit:)`.
    ///
    /// The corresponding C functions are `virConnectStoragePoolEventRegisterAny`
    /// and `virConnectStoragePoolEventDeregisterAny`.
    public func storagePoolEvents(for pool: StoragePool? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<StoragePoolEvent> {
        try subscribe(bufferLimit: bufferLimit) { pointer, opaque in
            virConnectStoragePoolEventRegisterAny(
                pointer, pool?.handle, Int32(VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE.rawValue),
                unsafeBitCast(storagePoolLifecycleCallback, to: virConnectStoragePoolEventGenericCallback.self), opaque,
                releaseSink)
        } deregister: { virConnectStoragePoolEventDeregisterAny($0, $1) }
    }

    /// Registers one callback whose events feed a new stream. The callback is
    /// deregistered once: when the stream terminates, when the connection
    /// closes, or when libvirt drops the connection (`dropWatch()`), whichever
    /// comes first.
    func subscribe<Event: Sendable>(
        bufferLimit: Int,
        register: (OpaquePointer, UnsafeMutableRawPointer) -> Int32,
        deregister: @escaping @Sendable (OpaquePointer, Int32) -> Int32
    ) throws -> AsyncStream<Event> {
        // In-process drivers never drop; for them this registers nothing.
        _ = try dropWatch()
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let opaque = Unmanaged.passRetained(EventSink(continuation) as EventSinkBase).toOpaque()
        let callbackID: Int32
        do {
            let pointer = self.pointer
            callbackID = try Call.status { register(pointer, opaque) }
        } catch {
            // libvirt does not call the free callback when registration fails.
            Unmanaged<EventSinkBase>.fromOpaque(opaque).release()
            throw error
        }
        // Deregistering makes libvirt call releaseSink, which finishes the stream.
        let token = addSubscription { handle in _ = deregister(handle, callbackID) }
        continuation.onTermination = { [self] _ in
            // Nil when close() has deregistered it already.
            guard let (handle, unsubscribe) = removeSubscription(token) else { return }
            unsubscribe(handle)
        }
        return stream
    }
}

/// Why libvirt closed a connection (`virConnectCloseReason`); an open struct so new reasons round-trip.
public struct ConnectionCloseReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virConnectCloseReason) { rawValue = Int32(value.rawValue) }
    /// A misc I/O error.
    public static let error = Self(VIR_CONNECT_CLOSE_REASON_ERROR)
    /// The daemon hung up.
    public static let endOfFile = Self(VIR_CONNECT_CLOSE_REASON_EOF)
    /// Keepalive messages went unanswered.
    public static let keepalive = Self(VIR_CONNECT_CLOSE_REASON_KEEPALIVE)
    /// The client closed it.
    public static let client = Self(VIR_CONNECT_CLOSE_REASON_CLIENT)
    public var description: String {
        switch self {
        case .error: "error"
        case .endOfFile: "eof"
        case .keepalive: "keepalive"
        case .client: "client"
        default: "reason \(rawValue)"
        }
    }
}

/// The one close callback libvirt allows a connection
/// (`virConnectRegisterCloseCallback`): when libvirt closes the connection by
/// itself, it gives the reason to every `closeEvents()` stream, then ends every
/// event stream of the connection, whose callbacks can never fire again.
final class DropWatch: @unchecked Sendable {
    private let lock = Lock()
    private var listeners: [Int: AsyncStream<ConnectionCloseReason>.Continuation] = [:]
    private var next = 0
    weak var connection: Connection?

    func add(_ listener: AsyncStream<ConnectionCloseReason>.Continuation) -> Int {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        listeners[next] = listener
        return next
    }

    func remove(_ key: Int) -> AsyncStream<ConnectionCloseReason>.Continuation? {
        lock.lock()
        defer { lock.unlock() }
        return listeners.removeValue(forKey: key)
    }

    fileprivate func dropped(_ reason: ConnectionCloseReason) {
        lock.lock()
        let current = Array(listeners.values)
        lock.unlock()
        for listener in current { listener.yield(reason) }
        // Off libvirt's event loop thread: deregistering makes libvirt calls.
        let connection = self.connection
        detachThread { connection?.endSubscriptions() }
    }
}

let connectionDropCallback: @convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    _, reason, opaque in
    guard let opaque else { return }
    Unmanaged<DropWatch>.fromOpaque(opaque).takeUnretainedValue().dropped(ConnectionCloseReason(rawValue: reason))
}

/// A host device's lifecycle event (`VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE`).
public struct NodeDeviceEvent: Sendable, Hashable {
    public var deviceName: String
    public var kind: Kind

    /// `virNodeDeviceEventLifecycleType`; an open struct so new kinds round-trip.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virNodeDeviceEventLifecycleType) { rawValue = Int32(value.rawValue) }
        public static let created = Kind(VIR_NODE_DEVICE_EVENT_CREATED)
        public static let deleted = Kind(VIR_NODE_DEVICE_EVENT_DELETED)
        public static let defined = Kind(VIR_NODE_DEVICE_EVENT_DEFINED)
        public static let undefined = Kind(VIR_NODE_DEVICE_EVENT_UNDEFINED)
    }
}

/// A secret's lifecycle event (`VIR_SECRET_EVENT_ID_LIFECYCLE`).
public struct SecretEvent: Sendable, Hashable {
    public var secretUUID: String
    public var kind: Kind

    /// `virSecretEventLifecycleType`; an open struct so new kinds round-trip.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virSecretEventLifecycleType) { rawValue = Int32(value.rawValue) }
        public static let defined = Kind(VIR_SECRET_EVENT_DEFINED)
        public static let undefined = Kind(VIR_SECRET_EVENT_UNDEFINED)
    }
}

private let nodeDeviceLifecycleCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Void = { _, device, event, _, opaque in
    guard let device, let opaque else { return }
    let name = virNodeDeviceGetName(device).map { String(cString: $0) } ?? ""
    EventSink<NodeDeviceEvent>.yield(NodeDeviceEvent(deviceName: name, kind: .init(rawValue: event)), to: opaque)
}

private let secretLifecycleCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Void = { _, secret, event, _, opaque in
    guard let secret, let opaque else { return }
    let (_, uuid) = identity(secret, name: { _ in nil }, uuid: { virSecretGetUUIDString($0, $1) })
    EventSink<SecretEvent>.yield(SecretEvent(secretUUID: uuid, kind: .init(rawValue: event)), to: opaque)
}

extension Connection {
    /// Host devices created, deleted, defined or undefined; ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectNodeDeviceEventRegisterAny`
    /// and `virConnectNodeDeviceEventDeregisterAny`.
    public func nodeDeviceEvents(for device: NodeDevice? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<NodeDeviceEvent> {
        try subscribe(bufferLimit: bufferLimit) { pointer, opaque in
            virConnectNodeDeviceEventRegisterAny(
                pointer, device?.handle, Int32(VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE.rawValue),
                unsafeBitCast(nodeDeviceLifecycleCallback, to: virConnectNodeDeviceEventGenericCallback.self), opaque,
                releaseSink)
        } deregister: { virConnectNodeDeviceEventDeregisterAny($0, $1) }
    }

    /// Secrets defined or undefined; ends like `domainEvents(for:bufferLimit:)`.
    /// The corresponding C functions are `virConnectSecretEventRegisterAny`
    /// and `virConnectSecretEventDeregisterAny`.
    public func secretEvents(for secret: Secret? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<SecretEvent> {
        try subscribe(bufferLimit: bufferLimit) { pointer, opaque in
            virConnectSecretEventRegisterAny(
                pointer, secret?.handle, Int32(VIR_SECRET_EVENT_ID_LIFECYCLE.rawValue),
                unsafeBitCast(secretLifecycleCallback, to: virConnectSecretEventGenericCallback.self), opaque, releaseSink)
        } deregister: { virConnectSecretEventDeregisterAny($0, $1) }
    }
}
