import CLibvirt

/// A domain lifecycle event (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`).
public struct DomainEvent: Sendable, Hashable {
    /// The domain's name at the time of the event.
    public var domainName: String
    /// The domain's UUID string.
    public var domainUUID: String
    public var kind: Kind
    /// libvirt's detail code, whose meaning depends on `kind` (e.g. `virDomainEventStoppedDetailType`).
    public var detail: Int32

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
}

/// Holds the stream's continuation for libvirt's C callback; retained by
/// libvirt through the opaque pointer and released by its free callback.
private final class EventSink: Sendable {
    let continuation: AsyncStream<DomainEvent>.Continuation
    init(_ continuation: AsyncStream<DomainEvent>.Continuation) { self.continuation = continuation }
}

private let lifecycleCallback: @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Int32 = { _, domain, event, detail, opaque in
    guard let domain, let opaque else { return 0 }
    let sink = Unmanaged<EventSink>.fromOpaque(opaque).takeUnretainedValue()
    let name = virDomainGetName(domain).map { String(cString: $0) } ?? ""
    let uuid = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(VIR_UUID_STRING_BUFLEN)) { buffer in
        buffer.initialize(repeating: 0)
        return virDomainGetUUIDString(domain, buffer.baseAddress!) == 0 ? String(cString: buffer.baseAddress!) : ""
    }
    sink.continuation.yield(DomainEvent(domainName: name, domainUUID: uuid, kind: .init(rawValue: event), detail: detail))
    return 0
}

private let releaseSink: @convention(c) (UnsafeMutableRawPointer?) -> Void = { opaque in
    guard let opaque else { return }
    let sink = Unmanaged<EventSink>.fromOpaque(opaque).takeRetainedValue()
    sink.continuation.finish()
}

extension Connection {
    /// Lifecycle events (defined, started, stopped, undefined, …) of all
    /// domains, or of one. Events are delivered by libvirt's default event
    /// loop, which `Library` runs on a thread of its own. Ending the iteration
    /// (or dropping the stream) deregisters the callback.
    ///
    /// The corresponding C functions are `virConnectDomainEventRegisterAny`
    /// and `virConnectDomainEventDeregisterAny`.
    public func domainEvents(for domain: Domain? = nil, bufferLimit: Int = 1024) throws -> AsyncStream<DomainEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: DomainEvent.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let opaque = Unmanaged.passRetained(EventSink(continuation)).toOpaque()
        let callback = unsafeBitCast(lifecycleCallback, to: virConnectDomainEventGenericCallback.self)
        let callbackID: Int32
        do {
            callbackID = try Call.status {
                virConnectDomainEventRegisterAny(
                    pointer, domain?.handle, Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue), callback, opaque,
                    releaseSink)
            }
        } catch {
            // libvirt does not call the free callback when registration fails.
            Unmanaged<EventSink>.fromOpaque(opaque).release()
            throw error
        }
        continuation.onTermination = { [self] _ in
            // A closed connection has dropped its callbacks already.
            guard let open = pointerIfOpen else { return }
            virConnectDomainEventDeregisterAny(open, callbackID)
        }
        return stream
    }
}
