import Foundation
import Testing
@testable import VMCtlKit

/// The POSIX file reads vmctl uses instead of Foundation's FileHandle.
@Suite struct ReadableFileTests {
    @Test func sizeReadSeekAndReadToEnd() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-readable-\(UUID().uuidString)").path
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let file = try #require(ReadableFile(path: path))
        #expect(file.size == UInt64(bytes.count))
        #expect(file.read(upTo: 10) == Array(bytes[0..<10]))
        file.seek(to: 199_990)
        #expect(file.readToEnd() == Array(bytes[199_990...]))
        #expect(file.read(upTo: 10).isEmpty)
        #expect(file.seekToEnd() == UInt64(bytes.count))
        file.seek(to: 0)
        #expect(file.readToEnd() == bytes)
    }

    @Test func aMissingFileIsNil() {
        #expect(ReadableFile(path: "/nonexistent/vmctl/file") == nil)
    }
}
