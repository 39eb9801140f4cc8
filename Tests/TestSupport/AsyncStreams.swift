/// Waits for `stream` to finish, collecting what it still delivers; `nil` when
/// it is still open after `seconds`.
public func drain<Event: Sendable>(_ stream: AsyncStream<Event>, within seconds: Double = 10) async -> [Event]? {
    await withTaskGroup(of: [Event]?.self) { group in
        group.addTask {
            var events: [Event] = []
            for await event in stream { events.append(event) }
            return Task.isCancelled ? nil : events
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
