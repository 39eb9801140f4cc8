import Foundation
import Testing
@testable import VMCtlKit

/// The per-boot cache of the host check's KVM verdict that `vm create` reads.
@Suite struct CachedVerdictTests {
    @Test func roundTripsThroughItsText() {
        let verdict = DomainTypeSelector.CachedVerdict(bootID: "3b0c2f6e-1", kvmUsable: false, reason: "/dev/kvm is missing")
        #expect(verdict.text == "3b0c2f6e-1\nno-kvm\n/dev/kvm is missing\n")
        #expect(DomainTypeSelector.CachedVerdict(text: verdict.text) == verdict)
        let usable = DomainTypeSelector.CachedVerdict(bootID: "b", kvmUsable: true, reason: "")
        #expect(DomainTypeSelector.CachedVerdict(text: usable.text) == usable)
    }

    @Test func aReasonOnSeveralLinesIsKeptOnOne() {
        let verdict = DomainTypeSelector.CachedVerdict(bootID: "b", kvmUsable: false, reason: "first\nsecond")
        #expect(DomainTypeSelector.CachedVerdict(text: verdict.text)?.reason == "first second")
    }

    @Test(arguments: ["", "b\nkvm\nreason", "b\nmaybe\nreason\n", "\nkvm\nreason\n", "b\nkvm\nreason\nmore\n", #"{"bootID":"b"}"#])
    func damagedTextIsNotAVerdict(_ text: String) {
        #expect(DomainTypeSelector.CachedVerdict(text: text) == nil)
    }

    /// A cache written on this boot answers without running the host check.
    @Test func thisBootsCacheAnswers() throws {
        let bootID = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-verdict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cached = DomainTypeSelector.CachedVerdict(bootID: bootID, kvmUsable: true, reason: "a cached answer")
        try cached.text.write(to: directory.appendingPathComponent("kvm-verdict"), atomically: true, encoding: .utf8)

        let verdict = DomainTypeSelector(uri: "qemu:///system", cacheDirectory: directory.path).kvmVerdict()
        #expect(verdict.kvmUsable && verdict.reason == "a cached answer")
    }
}
