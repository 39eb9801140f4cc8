import Foundation
@testable import Libvirt
import Testing

/// Whole, sparse and non-blocking stream transfers, through volume uploads and
/// downloads on a dir pool of the real daemon.
@Suite(.enabled(if: SystemDaemon.enabled)) struct StreamTransferTests {
    static let blockSize = 4096
    static let holeSize = 1 << 20

    /// A running dir pool in a temporary directory, with one empty raw volume of `capacity` bytes.
    func volume(_ scope: DaemonScope, capacity: Int) throws -> StorageVolume {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent(scope.name(UUID().uuidString.prefix(8).lowercased()))
        let pool = try scope.connection.defineStoragePool(xml: """
            <pool type='dir'>
              <name>\(scope.name("pool"))</name>
              <target><path>\(directory.path)</path></target>
            </pool>
            """)
        try pool.build()
        try pool.start()
        return try pool.createVolume(xml: """
            <volume>
              <name>\(scope.name("disk.raw"))</name>
              <capacity unit='bytes'>\(capacity)</capacity>
              <allocation unit='bytes'>0</allocation>
              <target><format type='raw'/></target>
            </volume>
            """)
    }

    /// Bytes that differ at every offset within a 251-byte period.
    func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) &+ seed }
    }

    /// Bytes the file of `volume` occupies on disk.
    func allocatedBytes(_ volume: StorageVolume) throws -> Int {
        var info = stat()
        try #require(stat(try volume.path(), &info) == 0)
        return Int(info.st_blocks) * 512
    }

    @Test func sendAllThenReceiveAllRoundTrip() throws {
        let scope = try DaemonScope("stream")
        defer { scope.clean() }
        let bytes = pattern(300_000, seed: 7)
        let volume = try volume(scope, capacity: bytes.count)

        let upload = try Stream(connection: scope.connection)
        try volume.upload(upload, length: UInt64(bytes.count))
        var offset = 0
        var calls = 0
        try upload.sendAll { buffer in
            calls += 1
            let count = min(buffer.count, bytes.count - offset)
            buffer.copyBytes(from: bytes[offset..<offset + count])
            offset += count
            return count
        }
        try upload.finish()
        #expect(offset == bytes.count)
        #expect(calls > 2)  // several chunks, then the 0 that ends the source

        let download = try Stream(connection: scope.connection)
        try volume.download(download)
        var received: [UInt8] = []
        try download.receiveAll { received.append(contentsOf: $0) }
        try download.finish()
        #expect(received == bytes)
    }

    @Test func anErrorThrownBySendAllsSourceComesBackAndAbortsTheStream() throws {
        struct SourceFailed: Error, Equatable {}
        let scope = try DaemonScope("streamerr")
        defer { scope.clean() }
        let volume = try volume(scope, capacity: 1 << 16)
        let upload = try Stream(connection: scope.connection)
        try volume.upload(upload, length: 1 << 16)
        var sent = 0
        #expect(throws: SourceFailed.self) {
            try upload.sendAll { buffer in
                if sent > 0 { throw SourceFailed() }
                sent = buffer.count
                buffer.initializeMemory(as: UInt8.self, repeating: 1)
                return buffer.count
            }
        }
        // libvirt aborted the stream: it cannot be finished any more.
        #expect(throws: LibvirtError.self) { try upload.finish() }
    }

    @Test func sparseRoundTripKeepsTheHole() throws {
        let scope = try DaemonScope("sparse")
        defer { scope.clean() }
        let (head, tail) = (pattern(Self.blockSize, seed: 1), pattern(Self.blockSize, seed: 2))
        let size = Self.blockSize * 2 + Self.holeSize
        let volume = try volume(scope, capacity: size)

        // The source: data, a 1 MiB hole, data.
        let sections: [(isData: Bool, start: Int, length: Int)] = [
            (true, 0, Self.blockSize), (false, Self.blockSize, Self.holeSize),
            (true, Self.blockSize + Self.holeSize, Self.blockSize),
        ]
        func byte(at offset: Int) -> UInt8 {
            offset < Self.blockSize ? head[offset] : offset >= Self.blockSize + Self.holeSize
                ? tail[offset - Self.blockSize - Self.holeSize] : 0
        }
        var position = 0
        var skipped: [Int64] = []
        let upload = try Stream(connection: scope.connection)
        try volume.upload(upload, length: UInt64(size), flags: .sparseStream)
        try upload.sparseSendAll(
            section: {
                guard let section = sections.first(where: { position >= $0.start && position < $0.start + $0.length })
                else { return .end }
                let left = Int64(section.start + section.length - position)
                return section.isData ? .data(length: left) : .hole(length: left)
            },
            read: { buffer in
                for index in 0..<buffer.count { buffer[index] = byte(at: position + index) }
                position += buffer.count
                return buffer.count
            },
            skip: { length in
                skipped.append(length)
                position += Int(length)
            })
        try upload.finish()
        #expect(skipped == [Int64(Self.holeSize)])
        #expect(position == size)
        // The daemon wrote the hole as a hole, not as zeros.
        #expect(try allocatedBytes(volume) < Self.holeSize / 2)

        let download = try Stream(connection: scope.connection)
        try volume.download(download, flags: .sparseStream)
        var data: [UInt8] = []
        var holes: [Int64] = []
        try download.sparseReceiveAll(write: { data.append(contentsOf: $0) }, hole: { holes.append($0) })
        try download.finish()
        #expect(data == head + tail)
        #expect(holes.reduce(0, +) == Int64(Self.holeSize))

        // The same without sparse streams: the hole arrives as zeros.
        let plain = try Stream(connection: scope.connection)
        try volume.download(plain)
        var everything: [UInt8] = []
        try plain.receiveAll { everything.append(contentsOf: $0) }
        try plain.finish()
        #expect(everything == head + [UInt8](repeating: 0, count: Self.holeSize) + tail)
    }

    @Test func sendHoleAndReceiveStoppingAtTheHole() throws {
        let scope = try DaemonScope("hole")
        defer { scope.clean() }
        let (head, tail) = (pattern(Self.blockSize, seed: 3), pattern(Self.blockSize, seed: 4))
        let size = Self.blockSize * 2 + Self.holeSize
        let volume = try volume(scope, capacity: size)

        let upload = try Stream(connection: scope.connection)
        try volume.upload(upload, length: UInt64(size), flags: .sparseStream)
        try upload.send(head)
        try upload.sendHole(Int64(Self.holeSize))
        try upload.send(tail)
        try upload.finish()
        #expect(try allocatedBytes(volume) < Self.holeSize / 2)

        let download = try Stream(connection: scope.connection)
        try volume.download(download, flags: .sparseStream)
        var data: [UInt8] = []
        var holes: [Int64] = []
        var pieces: [String] = []
        reading: while true {
            switch try download.receive(maximum: 64 * 1024, flags: .stopAtHole) {
            case .data(let bytes):
                data += bytes
                if pieces.last != "data" { pieces.append("data") }
            case .hole:
                holes.append(try download.receiveHole())
                pieces.append("hole")
            case .end: break reading
            case .wouldBlock: Issue.record("a blocking stream reported wouldBlock")
            }
        }
        try download.finish()
        #expect(pieces == ["data", "hole", "data"])
        #expect(holes == [Int64(Self.holeSize)])
        #expect(data == head + tail)
    }

    @Test(.timeLimit(.minutes(1))) func nonBlockingDownloadDrivenByReadableEvents() async throws {
        let scope = try DaemonScope("events")
        defer { scope.clean() }
        let bytes = pattern(200_000, seed: 9)
        let volume = try volume(scope, capacity: bytes.count)
        let upload = try Stream(connection: scope.connection)
        try volume.upload(upload, length: UInt64(bytes.count))
        try upload.send(bytes)
        try upload.finish()

        let download = try Stream(connection: scope.connection, flags: .nonBlocking)
        try volume.download(download)
        let watcher = try download.eventWatcher()
        var received: [UInt8] = []
        var waits = 0
        var wouldBlock = 0
        reading: while true {
            let ready = try await watcher.ready(for: .readable)
            waits += 1
            #expect(!ready.intersection([.readable, .hangup]).isEmpty)
            draining: while true {
                switch try download.receive(maximum: 16 * 1024, flags: []) {
                case .data(let chunk): received += chunk
                case .wouldBlock:
                    wouldBlock += 1
                    break draining
                case .end: break reading
                case .hole: Issue.record("a plain stream reported a hole")
                }
            }
        }
        // finish() removes the watcher's callback first; a wait then fails at once.
        try download.finish()
        #expect(!watcher.holdsState, "the watcher's state outlived its callback")
        #expect(received == bytes)
        #expect(waits >= 1)
        await #expect(throws: CancellationError.self) { _ = try await watcher.ready(for: .readable) }
    }

    @Test(.timeLimit(.minutes(1))) func cancellingTheWaitingTaskEndsTheWait() async throws {
        let scope = try DaemonScope("evcancel")
        defer { scope.clean() }
        let volume = try volume(scope, capacity: 1 << 16)
        // An upload stream never becomes readable: the wait only ends by cancellation.
        let upload = try Stream(connection: scope.connection, flags: .nonBlocking)
        try volume.upload(upload, length: 1 << 16)
        let watcher = try upload.eventWatcher()
        let waiting = Task { try await watcher.ready(for: .readable) }
        try await Task.sleep(for: .milliseconds(200))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        // The watcher still works after a cancelled wait.
        let ready = try await watcher.ready(for: .writable)
        #expect(ready.contains(.writable))
        try watcher.cancel()
        await #expect(throws: CancellationError.self) { _ = try await watcher.ready(for: .writable) }
        try watcher.cancel()  // once is enough; again is a no-op
        upload.abort()
    }

    /// libvirt 9.0's remote driver never calls a stream callback's free
    /// function, so the watcher itself ends a pending wait and lets its state go.
    @Test(.timeLimit(.minutes(1))) func cancellingTheWatcherEndsAPendingWaitAndReleasesItsState() async throws {
        let scope = try DaemonScope("evrelease")
        defer { scope.clean() }
        let volume = try volume(scope, capacity: 1 << 16)
        let upload = try Stream(connection: scope.connection, flags: .nonBlocking)
        try volume.upload(upload, length: 1 << 16)
        let watcher = try upload.eventWatcher()
        #expect(watcher.holdsState)
        let waiting = Task { try await watcher.ready(for: .readable) }
        try await Task.sleep(for: .milliseconds(200))
        try watcher.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(!watcher.holdsState)
        upload.abort()
    }
}
