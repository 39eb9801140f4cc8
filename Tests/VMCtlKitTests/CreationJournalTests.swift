import Foundation
import Testing
@testable import VMCtlKit

@Suite struct CreationJournalTests {
    let entry = CreationJournalEntry(
        command: "vm clone", uri: "qemu:///system", owners: ["web-1", "web-2"], source: "web", lab: nil,
        volumes: [.init(pool: "default", name: "web-1.qcow2"), .init(pool: "default", name: "web-1-seed.iso")])

    @Test func entriesReadBackAndATornFileIsNone() throws {
        let text = #"{"command":"vm clone","owners":["web-1","web-2"],"source":"web","uri":"qemu:\/\/\/system","#
            + #""volumes":[{"name":"web-1.qcow2","pool":"default"},{"name":"web-1-seed.iso","pool":"default"}]}"#
        #expect(CreationJournalEntry.parse(Data(text.utf8)) == entry)
        #expect(CreationJournalEntry.parse(try entry.encoded()) == entry)
        // A file cut short by a crash mid-write, or one that is not an entry, is no entry.
        #expect(CreationJournalEntry.parse(Data(text.utf8.prefix(40))) == nil)
        #expect(CreationJournalEntry.parse(Data(#"{"command":"vm create"}"#.utf8)) == nil)
    }

    @Test func anEntryIsAbandonedOnlyOnceItsWriterIsGone() throws {
        let directory = NSTemporaryDirectory() + "vmctl-journal-test-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var journal: CreationJournal? = try CreationJournal.begin(entry, directory: directory)
        let path = try #require(journal?.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Held by a live writer: never swept.
        #expect(CreationJournal.abandoned(uri: "qemu:///system", directory: directory, matching: { _ in true }).isEmpty)
        // The writer dies (its descriptor closes, as the kernel closes a killed process's): the entry is abandoned.
        journal = nil
        let found = CreationJournal.abandoned(uri: "qemu:///system", directory: directory, matching: { _ in true })
        #expect(found.map(\.path) == [path])
        #expect(found.first?.entry == entry)
        // Only on its own connection, and only what the caller selects.
        #expect(CreationJournal.abandoned(uri: "qemu:///session", directory: directory, matching: { _ in true }).isEmpty)
        #expect(CreationJournal.abandoned(uri: "qemu:///system", directory: directory, matching: { $0.source == "db" }).isEmpty)
    }

    @Test func aFinishedEntryIsGone() throws {
        let directory = NSTemporaryDirectory() + "vmctl-journal-test2-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try CreationJournal.begin(entry, directory: directory)
        journal.finish()
        #expect(!FileManager.default.fileExists(atPath: journal.path))
        #expect(CreationJournal.abandoned(uri: "qemu:///system", directory: directory, matching: { _ in true }).isEmpty)
    }
}
