import CLibvirt
import FoundationEssentials

// Whole transfers (libvirt's *All helpers, which drive the stream and call back
// for data), sparse streams (holes sent as lengths, not zeros), and readiness
// events for non-blocking streams.

/// Flags for `Stream.init(connection:flags:)` (`virStreamFlags`).
public struct StreamFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Sends and receives return at once instead of blocking: `receive(maximum:flags:)`
    /// reports `.wouldBlock`; wait with `Stream.eventWatcher()`. The `*All`
    /// transfers need a blocking stream.
    public static let nonBlocking = Self(rawValue: VIR_STREAM_NONBLOCK.rawValue)
}

/// Flags for `Stream.receive(maximum:flags:)` (`virStreamRecvFlagsValues`).
public struct StreamReceiveFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// On a sparse stream, stop at a hole and report `.hole` (read its length
    /// with `receiveHole()`) instead of handing out zeros.
    public static let stopAtHole = Self(rawValue: VIR_STREAM_RECV_STOP_AT_HOLE.rawValue)
}

/// What one `Stream.receive(maximum:flags:)` got.
public enum StreamReceiveResult: Sendable, Hashable {
    /// Up to `maximum` bytes of data.
    case data([UInt8])
    /// The stream is at a hole (only with `.stopAtHole`); `receiveHole()` reads its length.
    case hole
    /// A non-blocking stream has nothing to read yet.
    case wouldBlock
    /// The other end finished the stream; call `finish()`.
    case end
}

/// Where a sparse source is, for `Stream.sparseSendAll(section:read:skip:)`.
public enum StreamSection: Sendable, Hashable {
    /// `length` bytes of data follow.
    case data(length: Int64)
    /// A hole of `length` bytes follows.
    case hole(length: Int64)
    /// The source has ended (libvirt's implicit hole at the end of a file).
    case end
}

/// A stream's readiness (`virStreamEventType`).
public struct StreamEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let readable = Self(rawValue: Int32(VIR_STREAM_EVENT_READABLE.rawValue))
    public static let writable = Self(rawValue: Int32(VIR_STREAM_EVENT_WRITABLE.rawValue))
    public static let error = Self(rawValue: Int32(VIR_STREAM_EVENT_ERROR.rawValue))
    public static let hangup = Self(rawValue: Int32(VIR_STREAM_EVENT_HANGUP.rawValue))
}

/// The Swift closures of one `*All` transfer, for libvirt's C callbacks, and
/// the first error one of them threw.
private final class TransferHandlers {
    var read: (UnsafeMutableRawBufferPointer) throws -> Int = { _ in 0 }
    var write: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    var section: () throws -> StreamSection = { .end }
    var skip: (Int64) throws -> Void = { _ in }
    var hole: (Int64) throws -> Void = { _ in }
    var failure: Error?

    static func from(_ opaque: UnsafeMutableRawPointer?) -> TransferHandlers {
        Unmanaged<TransferHandlers>.fromOpaque(opaque!).takeUnretainedValue()
    }

    /// Runs a handler; a thrown error is kept and reported to libvirt as -1.
    func run(_ body: () throws -> Int32) -> Int32 {
        do {
            return try body()
        } catch {
            failure = failure ?? error
            return -1
        }
    }
}

private let sourceCallback: virStreamSourceFunc = { _, data, count, opaque in
    let handlers = TransferHandlers.from(opaque)
    return handlers.run {
        let filled = try handlers.read(UnsafeMutableRawBufferPointer(start: data, count: count))
        precondition(filled >= 0 && filled <= count, "a stream source filled \(filled) of \(count) bytes")
        return Int32(filled)
    }
}

private let sinkCallback: virStreamSinkFunc = { _, data, count, opaque in
    let handlers = TransferHandlers.from(opaque)
    return handlers.run {
        try handlers.write(UnsafeRawBufferPointer(start: data, count: count))
        return Int32(count)
    }
}

private let sectionCallback: virStreamSourceHoleFunc = { _, inData, length, opaque in
    let handlers = TransferHandlers.from(opaque)
    return handlers.run {
        let (isData, bytes): (Int32, Int64) =
            switch try handlers.section() {
            case .data(let bytes): (1, bytes)
            case .hole(let bytes): (0, bytes)
            case .end: (0, 0)
            }
        inData?.pointee = isData
        length?.pointee = bytes
        return 0
    }
}

private let skipCallback: virStreamSourceSkipFunc = { _, length, opaque in
    let handlers = TransferHandlers.from(opaque)
    return handlers.run {
        try handlers.skip(length)
        return 0
    }
}

private let sinkHoleCallback: virStreamSinkHoleFunc = { _, length, opaque in
    let handlers = TransferHandlers.from(opaque)
    return handlers.run {
        try handlers.hole(length)
        return 0
    }
}

extension Stream {
    /// Runs one `*All` transfer: the closures' own error when one threw (libvirt
    /// has aborted the stream then), else libvirt's.
    private func transfer(_ handlers: TransferHandlers, _ body: (UnsafeMutableRawPointer) -> Int32) throws {
        let opaque = Unmanaged.passUnretained(handlers).toOpaque()
        do {
            try withExtendedLifetime(handlers) { _ = try Call.status { body(opaque) } }
        } catch {
            throw handlers.failure ?? error
        }
    }

    /// Sends everything `read` produces: libvirt calls it with a buffer to
    /// fill until it returns 0 (the end). Call `finish()` afterwards. On an
    /// error (`read`'s own, or libvirt's) the stream is aborted already.
    /// Needs a blocking stream.
    /// The corresponding C function is `virStreamSendAll`.
    public func sendAll(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        try withoutActuallyEscaping(read) { read in
            let handlers = TransferHandlers()
            handlers.read = read
            try transfer(handlers) { virStreamSendAll(handle, sourceCallback, $0) }
        }
    }

    /// Receives everything until the other end finishes, handing each chunk
    /// to `write`. Call `finish()` afterwards. Holes of a sparse stream arrive
    /// as zeros. Needs a blocking stream.
    /// The corresponding C function is `virStreamRecvAll`.
    public func receiveAll(_ write: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withoutActuallyEscaping(write) { write in
            let handlers = TransferHandlers()
            handlers.write = write
            try transfer(handlers) { virStreamRecvAll(handle, sinkCallback, $0) }
        }
    }

    /// Sends a sparse source over a sparse stream (one opened with
    /// `.sparseStream`): libvirt asks `section` where the source is, sends a
    /// hole's length and calls `skip` to move past it, or calls `read` to
    /// fill a buffer with data (at most the section's length). `section` must
    /// not move the source; at `.end`, `read` gets an empty buffer and returns 0.
    /// Call `finish()` afterwards.
    /// The corresponding C function is `virStreamSparseSendAll`.
    public func sparseSendAll(
        section: () throws -> StreamSection,
        read: (UnsafeMutableRawBufferPointer) throws -> Int,
        skip: (Int64) throws -> Void
    ) throws {
        try withoutActuallyEscaping(section) { section in
            try withoutActuallyEscaping(read) { read in
                try withoutActuallyEscaping(skip) { skip in
                    let handlers = TransferHandlers()
                    (handlers.section, handlers.read, handlers.skip) = (section, read, skip)
                    try transfer(handlers) {
                        virStreamSparseSendAll(handle, sourceCallback, sectionCallback, skipCallback, $0)
                    }
                }
            }
        }
    }

    /// Receives a sparse stream until the other end finishes: data chunks go to
    /// `write`, holes to `hole` as lengths (a file sink seeks past them).
    /// Call `finish()` afterwards.
    /// The corresponding C function is `virStreamSparseRecvAll`.
    public func sparseReceiveAll(write: (UnsafeRawBufferPointer) throws -> Void, hole: (Int64) throws -> Void) throws {
        try withoutActuallyEscaping(write) { write in
            try withoutActuallyEscaping(hole) { hole in
                let handlers = TransferHandlers()
                (handlers.write, handlers.hole) = (write, hole)
                try transfer(handlers) { virStreamSparseRecvAll(handle, sinkCallback, sinkHoleCallback, $0) }
            }
        }
    }

    /// Reads up to `maximum` bytes, telling apart data, a hole (with
    /// `.stopAtHole`), nothing yet (a non-blocking stream) and the end.
    /// The corresponding C function is `virStreamRecvFlags`.
    public func receive(maximum: Int = 64 * 1024, flags: StreamReceiveFlags) throws -> StreamReceiveResult {
        var buffer = [UInt8](repeating: 0, count: maximum)
        var count: Int32 = 0
        try Call.status {
            count = buffer.withUnsafeMutableBytes { raw in
                virStreamRecvFlags(handle, raw.baseAddress?.assumingMemoryBound(to: CChar.self), maximum, flags.rawValue)
            }
            // -2 (would block) and -3 (at a hole) are answers, not errors.
            return count == -2 || count == -3 ? 0 : count
        }
        switch count {
        case -2: return .wouldBlock
        case -3: return .hole
        case 0: return .end
        default: return .data(Array(buffer.prefix(Int(count))))
        }
    }

    /// The length of the hole a sparse stream is at (after `receive` reported `.hole`).
    /// The corresponding C function is `virStreamRecvHole`.
    public func receiveHole() throws -> Int64 {
        var length: Int64 = 0
        try Call.status { virStreamRecvHole(handle, &length, 0) }
        return length
    }

    /// Sends a hole of `length` bytes on a sparse stream, in place of that many zeros.
    /// The corresponding C function is `virStreamSendHole`.
    public func sendHole(_ length: Int64) throws {
        try Call.status { virStreamSendHole(handle, length, 0) }
    }

    /// Watches this (non-blocking) stream's readiness; see `StreamEventWatcher`.
    /// One watcher per stream at a time.
    public func eventWatcher() throws -> StreamEventWatcher {
        try StreamEventWatcher(stream: self)
    }
}

/// Waits for a non-blocking stream to become readable or writable, one wait
/// at a time: `ready(for:)` arms libvirt's callback for the events asked,
/// and the callback disarms it as it resumes the waiting task. (libvirt's
/// stream events are level-triggered: left armed, a writable stream would be
/// reported on every turn of the event loop.) Events come from libvirt's
/// default event loop, which `Library` runs. `cancel()`, the stream's
/// `finish()` or `abort()`, or the watcher's `deinit` removes the callback
/// (libvirt's must go before the stream ends).
public final class StreamEventWatcher: @unchecked Sendable {
    /// The stream watched; kept alive while the callback is registered.
    public let stream: Stream
    private let state: WatchState
    /// The state's number in `watchStates`: libvirt's opaque for the callback.
    private let key: Int

    /// Registers the callback, disarmed.
    /// The corresponding C function is `virStreamEventAddCallback`.
    init(stream: Stream) throws {
        self.stream = stream
        state = WatchState()
        key = watchStates.add(state)
        let opaque = UnsafeMutableRawPointer(bitPattern: key)
        do {
            try Call.status { virStreamEventAddCallback(stream.handle, 0, streamEventCallback, opaque, releaseWatchState) }
        } catch {
            // libvirt does not call the free callback when registration fails.
            _ = watchStates.remove(key)
            throw error
        }
        stream.setWatcherRemoval { [weak self] in try? self?.cancel() }
    }

    /// Whether the state the callback shares is still held (for the leak tests).
    var holdsState: Bool { watchStates.state(key) != nil }

    /// Removes the callback unless `cancel()` did.
    /// The corresponding C function is `virStreamEventRemoveCallback`.
    deinit {
        if state.markRemoved() {
            stream.setWatcherRemoval(nil)
            _ = virStreamEventRemoveCallback(stream.handle)
            watchStates.remove(key)?.release()?.resume(throwing: CancellationError())
        }
    }

    /// Waits until the stream has one of `events` (`.error` and `.hangup` are
    /// reported whether asked or not) and returns those it has. Throws
    /// `CancellationError` when the task is cancelled or the watcher cancelled.
    /// The corresponding C function is `virStreamEventUpdateCallback`.
    public func ready(for events: StreamEvents) async throws -> StreamEvents {
        let stream = self.stream
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<StreamEvents, Error>) in
                do {
                    try state.arm(continuation) {
                        try Call.status { virStreamEventUpdateCallback(stream.handle, events.rawValue) }
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            state.disarm(stream.handle)?.resume(throwing: CancellationError())
        }
    }

    /// Removes the callback; a pending `ready(for:)` throws `CancellationError`.
    /// The corresponding C function is `virStreamEventRemoveCallback`.
    public func cancel() throws {
        guard state.markRemoved() else { return }
        stream.setWatcherRemoval(nil)
        defer { watchStates.remove(key)?.release()?.resume(throwing: CancellationError()) }
        try Call.status { virStreamEventRemoveCallback(stream.handle) }
    }
}

/// The states of registered watchers, by number. libvirt's opaque is that
/// number, not a pointer: libvirt 9.0's remote driver never calls a stream
/// callback's free function (remoteStreamCallbackFree tests a field that is
/// never NULL; fixed upstream in 2025), so the state cannot wait for it to be
/// released, and a pointer freed by the watcher instead could still reach a
/// callback being dispatched. A callback whose number is gone does nothing.
private final class WatchStates: @unchecked Sendable {
    private let lock = Lock()
    private var states: [Int: WatchState] = [:]
    private var next = 1

    func add(_ state: WatchState) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let key = next
        next += 1
        states[key] = state
        return key
    }

    func state(_ key: Int) -> WatchState? {
        lock.lock()
        defer { lock.unlock() }
        return states[key]
    }

    func remove(_ key: Int) -> WatchState? {
        lock.lock()
        defer { lock.unlock() }
        return states.removeValue(forKey: key)
    }

}

private let watchStates = WatchStates()

/// What libvirt's stream callback shares with the watcher: the task waiting,
/// under a lock. Held in `watchStates` from registration until the watcher
/// removes its callback or libvirt's free callback runs, whichever is first.
private final class WatchState: @unchecked Sendable {
    private let lock = Lock()
    private var waiting: CheckedContinuation<StreamEvents, Error>?
    private var removed = false
    private var released = false

    /// Records the waiting task and arms the callback, under the lock so that
    /// the callback's disarming cannot overtake this arming.
    func arm(_ continuation: CheckedContinuation<StreamEvents, Error>, update: () throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        // Checked under the lock: a cancellation handler that ran before it found no one waiting.
        guard !removed, !released, !Task.isCancelled else { throw CancellationError() }
        precondition(waiting == nil, "StreamEventWatcher.ready(for:) called while another wait is pending")
        waiting = continuation
        do {
            try update()
        } catch {
            waiting = nil
            throw error
        }
    }

    /// Takes the waiting task and disarms the callback; nil when nobody waits.
    func disarm(_ stream: OpaquePointer?) -> CheckedContinuation<StreamEvents, Error>? {
        lock.lock()
        defer { lock.unlock() }
        if !removed, !released, let stream { _ = virStreamEventUpdateCallback(stream, 0) }
        let continuation = waiting
        waiting = nil
        return continuation
    }

    /// True the first time: the caller removes the callback.
    func markRemoved() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if removed { return false }
        removed = true
        return true
    }

    /// libvirt's free callback: nothing can fire any more.
    func release() -> CheckedContinuation<StreamEvents, Error>? {
        lock.lock()
        defer { lock.unlock() }
        released = true
        let continuation = waiting
        waiting = nil
        return continuation
    }
}

private let streamEventCallback: virStreamEventCallback = { stream, events, opaque in
    guard let state = watchStates.state(Int(bitPattern: opaque)) else { return }
    state.disarm(stream)?.resume(returning: StreamEvents(rawValue: events))
}

private let releaseWatchState: virFreeCallback = { opaque in
    watchStates.remove(Int(bitPattern: opaque))?.release()?.resume(throwing: CancellationError())
}
