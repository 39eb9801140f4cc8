import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Foundation's NSLock and Thread, which the binding used, live in
// swift-corelibs-foundation; linking that costs every vmctl process a few
// milliseconds and megabytes at start-up (Docs/benchmarks.md). These are the
// two pieces the package needs, over pthreads, visible to its modules only.

/// A mutual-exclusion lock over `pthread_mutex_t`.
package final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }

    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Runs `body` on a new detached thread (`pthread_create`).
package func detachThread(_ body: @escaping @Sendable () -> Void) {
    final class Start {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let start = Unmanaged.passRetained(Start(body: body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { argument in
        Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue().body()
        return nil
    }, start)
    // Without a thread there is nothing to run the body; failing to make one means the process is out of resources.
    precondition(status == 0, "pthread_create failed with \(status)")
    pthread_detach(thread)
}

/// Blocks the calling thread for `seconds` (`nanosleep`, resumed after signals).
package func sleepThread(seconds: Double) {
    guard seconds > 0 else { return }
    let whole = seconds.rounded(.down)
    var request = timespec(tv_sec: Int(min(whole, Double(Int32.max))), tv_nsec: Int((seconds - whole) * 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
}

/// Runs `body` once for each item, on at most `workers` threads at a time, and
/// returns when every call has returned.
package func forEachConcurrently<Item: Sendable>(
    _ items: [Item], workers: Int, _ body: @escaping @Sendable (Item) -> Void
) {
    guard !items.isEmpty else { return }
    let next = Lock()
    nonisolated(unsafe) var index = 0
    let done = DispatchGroup()
    for _ in 0..<max(1, min(workers, items.count)) {
        done.enter()
        detachThread {
            while true {
                let item: Item? = next.withLock {
                    defer { index += 1 }
                    return index < items.count ? items[index] : nil
                }
                guard let item else { break }
                body(item)
            }
            done.leave()
        }
    }
    done.wait()
}
