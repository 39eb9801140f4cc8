import Foundation
import Glibc
import Testing
@testable import VMCtlKit

/// A scratch directory of the test's own, removed at the end.
private func scratch(_ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-owned-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try body(directory)
}

private func mode(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
}

/// What vmctl writes for itself: explicit modes whatever the umask, no
/// symbolic link followed, no file it did not make truncated.
/// Serialized: the umask is the process's.
@Suite(.serialized) struct OwnedFilesTests {
    @Test func modesAreExplicitUnderUmaskZero() throws {
        try scratch { directory in
            let old = umask(0)
            defer { umask(old) }
            try OwnedFiles.makeDirectory(directory + "/a/b")
            #expect(mode(directory + "/a") == 0o700 && mode(directory + "/a/b") == 0o700)
            close(try OwnedFiles.createNew(directory + "/a/new"))
            #expect(mode(directory + "/a/new") == 0o600)
            close(try OwnedFiles.openAppending(directory + "/a/part"))
            #expect(mode(directory + "/a/part") == 0o600)
            try OwnedFiles.replace(directory + "/a/state.json", with: Array("{}".utf8))
            #expect(mode(directory + "/a/state.json") == 0o600)
            // The image registry and the lab state go through the same helper.
            let registry = ImageRegistry(file: URL(fileURLWithPath: directory + "/state/images.json"))
            try registry.update { $0.connections["test:///default"] = [] }
            #expect(mode(directory + "/state") == 0o700 && mode(directory + "/state/images.json") == 0o600)
            #expect(mode(directory + "/state/images.json.lock") == 0o600)
            // A directory vmctl did not make keeps its mode.
            chmod(directory, 0o755)
            try OwnedFiles.makeDirectory(directory)
            #expect(mode(directory) == 0o755)
        }
    }

    @Test func aLinkedDirectoryOnTheWayIsFollowedAFileIsRefused() throws {
        try scratch { directory in
            try FileManager.default.createDirectory(atPath: directory + "/real", withIntermediateDirectories: false)
            try FileManager.default.createSymbolicLink(atPath: directory + "/home", withDestinationPath: directory + "/real")
            try OwnedFiles.makeDirectory(directory + "/home/labs")
            #expect(mode(directory + "/real/labs") == 0o700)
            try Data().write(to: URL(fileURLWithPath: directory + "/file"))
            let error = vmctlError { () throws(VMCtlError) in try OwnedFiles.makeDirectory(directory + "/file/labs") }
            #expect(error?.message == "creating \(directory)/file/labs: \(directory)/file exists and is a regular file, not a directory")
        }
    }

    @Test func anExistingFileIsNeitherTruncatedNorReplacedByCreateNew() throws {
        try scratch { directory in
            let path = directory + "/log"
            try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: VMCtlError.self) { try OwnedFiles.createNew(path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
        }
    }

    @Test func aSymbolicLinkIsNotFollowed() throws {
        try scratch { directory in
            let target = directory + "/target"
            try Data("target".utf8).write(to: URL(fileURLWithPath: target))
            let link = directory + "/image.part"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            let error = vmctlError { () throws(VMCtlError) in try OwnedFiles.openAppending(link) }
            #expect(error?.message == "opening \(link): is a symbolic link; vmctl does not follow it")
            #expect(throws: VMCtlError.self) { try OwnedFiles.createNew(link) }
            #expect(throws: VMCtlError.self) { try OwnedFiles.openLockFile(link) }
            // replace swaps the link itself for a file of its own.
            try OwnedFiles.replace(link, with: Array("new".utf8))
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "target")
            #expect(try String(contentsOfFile: link, encoding: .utf8) == "new")
            #expect(mode(link) == 0o600)
        }
    }

    @Test func appendingKeepsWhatIsThereAndRefusesADirectory() throws {
        try scratch { directory in
            let path = directory + "/image.part"
            try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
            let descriptor = try OwnedFiles.openAppending(path)
            _ = write(descriptor, "def", 3)
            close(descriptor)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "abcdef")
            let error = vmctlError { () throws(VMCtlError) in try OwnedFiles.openAppending(directory) }
            #expect(error?.message.hasPrefix("opening \(directory): ") == true)
        }
    }
}

/// The serial-log rule `vm create --serial-file` and a lab's `serial_dir` share.
@Suite struct SerialLogFileTests {
    @Test func systemMissingAndTakenPathsAreRefused() throws {
        try scratch { directory in
            let logs = SerialLogFile(ledger: URL(fileURLWithPath: directory + "/state/serial-logs.json"))
            #expect(logs.rule("/etc/passwd", domain: "a", local: true) == "is in /etc, which is a system directory")
            #expect(logs.rule("/etc/NODE.log", domain: "a", local: false) == "is in /etc, which is a system directory")
            #expect(logs.rule("/proc/self/x.log", domain: "a", local: false)?.contains("system directory") == true)
            #expect(logs.rule("relative.log", domain: "a", local: true) == "must be an absolute path")
            #expect(logs.rule(directory + "/none/a.log", domain: "a", local: true) == "is in \(directory)/none, which does not exist")
            #expect(logs.rule(directory + "/none/a.log", domain: "a", local: true, pendingDirectories: [directory + "/none"]) == nil)
            #expect(logs.rule(directory, domain: "a", local: true)
                == "exists and is a directory; vmctl writes a serial log only to a file it creates")
            try FileManager.default.createSymbolicLink(atPath: directory + "/link.log", withDestinationPath: "/etc/passwd")
            #expect(logs.rule(directory + "/link.log", domain: "a", local: true)
                == "exists and is a symbolic link; vmctl writes a serial log only to a file it creates")
            try Data("theirs".utf8).write(to: URL(fileURLWithPath: directory + "/theirs.log"))
            #expect(logs.rule(directory + "/theirs.log", domain: "a", local: true)?.hasPrefix("exists; ") == true)
            // A remote daemon's files are not this machine's: only the path is checked.
            #expect(logs.rule(directory + "/theirs.log", domain: "a", local: false) == nil)
        }
    }

    @Test func aLogVMCtlCreatedIsItsOwnOnARerunForTheSameDomainOnly() throws {
        try scratch { directory in
            let logs = SerialLogFile(ledger: URL(fileURLWithPath: directory + "/state/serial-logs.json"))
            let path = directory + "/node.log"
            #expect(logs.rule(path, domain: "node", local: true) == nil)
            #expect(try logs.create(path, domain: "node"))
            #expect(mode(path) == 0o600 && mode(directory + "/state/serial-logs.json") == 0o600)
            #expect(logs.rule(path, domain: "node", local: true) == nil)
            #expect(try logs.create(path, domain: "node") == false)
            #expect(logs.rule(path, domain: "other", local: true)?.hasPrefix("exists; ") == true)
            // Another file put in its place is not vmctl's, whatever its name.
            try Data("theirs".utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
            rename(path + ".tmp", path)  // made while the old one exists: another inode
            #expect(logs.rule(path, domain: "node", local: true)?.hasPrefix("exists; ") == true)
            // The next change drops the record of the replaced file.
            let second = directory + "/second.log"
            #expect(try logs.create(second, domain: "second"))
            #expect(try logs.records().keys.sorted() == [second])
            try logs.remove(second)
            #expect(!FileManager.default.fileExists(atPath: second))
            #expect(try logs.records().isEmpty)
        }
    }

    /// virtlogd deletes and creates the log again each time the domain starts
    /// (mode 0600, its own user): `lab down` then `lab up` found a new inode
    /// at the recorded path and refused it. That shape stays the domain's; a
    /// wider mode or a second link does not.
    @Test func theLogVirtlogdMadeAgainStaysTheDomains() throws {
        try scratch { directory in
            let logs = SerialLogFile(ledger: URL(fileURLWithPath: directory + "/state/serial-logs.json"))
            let path = directory + "/node.log"
            #expect(try logs.create(path, domain: "node"))
            // The old file is kept aside, not freed: the new one can never get
            // the recorded inode number again (which would vouch for it by identity).
            var kept = 0
            let again = { (mode: mode_t) in
                kept += 1
                rename(path, path + ".old\(kept)")
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
                fchmod(descriptor, mode)
                _ = write(descriptor, "boot\n", 5)
                close(descriptor)
            }
            again(0o600)
            #expect(logs.rule(path, domain: "node", local: true) == nil)
            #expect(try logs.create(path, domain: "node") == false)
            #expect(logs.rule(path, domain: "other", local: true)?.hasPrefix("exists; ") == true)
            try logs.update { _ in }  // still recorded after another change
            #expect(try logs.records()[path] != nil)
            again(0o644)
            #expect(logs.rule(path, domain: "node", local: true)?.hasPrefix("exists; ") == true)
            again(0o600)
            link(path, directory + "/second-name")
            #expect(logs.rule(path, domain: "node", local: true)?.hasPrefix("exists; ") == true)
        }
    }

    /// A run killed after it made the file and before it recorded it (CI saw a
    /// lab up rerun refuse its own storage.log): the intent was recorded first,
    /// so the rerun adopts the file while it is untouched, and only then.
    @Test func aLogMadeByAKilledRunIsAdoptedWhileUntouched() throws {
        try scratch { directory in
            let logs = SerialLogFile(ledger: URL(fileURLWithPath: directory + "/state/serial-logs.json"))
            let path = directory + "/node.log"
            // The killed run's two steps: the intent, then the file.
            try logs.update { $0[path] = .init(domain: "node", device: 0, inode: 0, pending: true) }
            close(try OwnedFiles.createNew(path))
            #expect(logs.rule(path, domain: "other", local: true)?.hasPrefix("exists; ") == true)
            #expect(logs.rule(path, domain: "node", local: true) == nil)
            // Another change to the ledger keeps the intent while the file is untouched.
            try logs.update { _ in }
            #expect(try logs.records()[path]?.pending == true)
            #expect(try logs.create(path, domain: "node"))
            #expect(try logs.records()[path]?.pending == nil)
            #expect(try logs.create(path, domain: "node") == false)

            // A file written since the intent is not the one the killed run made.
            let written = directory + "/written.log"
            try logs.update { $0[written] = .init(domain: "node", device: 0, inode: 0, pending: true) }
            close(try OwnedFiles.createNew(written))
            try Data("theirs".utf8).write(to: URL(fileURLWithPath: written))
            #expect(logs.rule(written, domain: "node", local: true)?.hasPrefix("exists; ") == true)
            #expect(throws: VMCtlError.self) { try logs.create(written, domain: "node") }
        }
    }

    /// At plan time, with --dry-run's plan too: one line, the field and the rule, status 64.
    @Test func vmCreateRefusesASerialFileItDidNotMake() throws {
        let creator = VMCreator(connection: try Fixture.connection())
        var request = VMCreateRequest(name: "serial1")
        request.diskSize = "8M"
        request.pool = "lab-pool"
        request.serialFile = "/etc/passwd"
        let error = vmctlError { () throws(VMCtlError) in try creator.plan(request, domainType: .init(type: .qemu, warnings: [])) }
        #expect(error?.message == "--serial-file: \"/etc/passwd\" is not allowed: is in /etc, which is a system directory")
        #expect(error?.status == .usage)
    }
}

/// `image fetch` resumes into its `.part` only when that is a file of its own.
@Suite struct PartFileTests {
    @Test func aSymbolicLinkPartIsRefusedAndItsTargetKept() throws {
        try scratch { directory in
            let server = try ScriptedHTTPServer(["/base.img": .file(Array(repeating: 7, count: 4096), ranges: true)])
            defer { server.stop() }
            let target = directory + "/victim"
            try Data("victim".utf8).write(to: URL(fileURLWithPath: target))
            let part = URL(fileURLWithPath: directory + "/x-base.img.part")
            try FileManager.default.createSymbolicLink(atPath: part.path, withDestinationPath: target)
            let error = vmctlError { () throws(VMCtlError) in
                try HTTPDownloader(timeout: 10).download(server.url("/base.img"), to: part)
            }
            #expect(error?.message == "opening \(part.path): is a symbolic link; vmctl does not follow it")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "victim")
            #expect(server.requests.isEmpty)
        }
    }
}
