import Foundation
import Testing
@testable import VMCtlKit

@Suite struct ObjectLockTests {
    @Test func aSecondHolderWaitsThenIsRefusedNamingTheLock() throws {
        let directory = NSTemporaryDirectory() + "vmctl-lock-test-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let first = try ObjectLock.acquire(uri: "test:///default", kind: "domain", name: "src", directory: directory)
        var waited = false
        let error = #expect(throws: VMCtlError.self) {
            _ = try ObjectLock.acquire(uri: "test:///default", kind: "domain", name: "src", timeout: 0.3, directory: directory, waiting: { waited = true })
        }
        #expect(waited)
        #expect(error?.message.hasPrefix("domain 'src': another vmctl process has held its lock for over 0.3 s (\(first.path))") == true,
                "\(error?.message ?? "")")
        // Another object, or the same name on another URI, is not held.
        _ = try ObjectLock.acquire(uri: "test:///default", kind: "domain", name: "other", timeout: 0, directory: directory)
        _ = try ObjectLock.acquire(uri: "qemu:///system", kind: "domain", name: "src", timeout: 0, directory: directory)
        // Released with the value: the next one takes it at once.
        withExtendedLifetime(first) {}
    }

    @Test func releasedLocksAreFreeAgain() throws {
        let directory = NSTemporaryDirectory() + "vmctl-lock-test2-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do { _ = try ObjectLock.acquire(uri: "u", kind: "lab", name: "l", directory: directory) }
        _ = try ObjectLock.acquire(uri: "u", kind: "lab", name: "l", timeout: 0, directory: directory)
    }

    @Test func fileNamesAreReadableAndTellURIsApart() {
        let a = ObjectLock.fileName(uri: "qemu:///system", kind: "domain", name: "web 1/x")
        #expect(a.hasPrefix("domain-web_1_x-") && a.hasSuffix(".lock"))
        #expect(a != ObjectLock.fileName(uri: "qemu+ssh://h2/system", kind: "domain", name: "web 1/x"))
        #expect(a == ObjectLock.fileName(uri: "qemu:///system", kind: "domain", name: "web 1/x"))
    }
}
