import FoundationEssentials
import HostCheck
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm edit`, as `virsh edit`: the persistent definition in the user's editor,
/// defined again as written (never rebuilt through vmctl's model, so nothing
/// the model does not know is lost), after libvirt has validated it.
public struct VMEditor: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Edits the file at the path it is given; throws when the edit is abandoned.
    public typealias Editor = (String) throws(VMCtlError) -> Void

    /// Dumps the inactive XML (with secrets: the file is the user's alone,
    /// 0600 in a 0700 folder), runs `editor` on it and, if it changed, defines it.
    /// A refused edit is kept, and the error says where.
    /// The corresponding C functions are `virDomainGetXMLDesc` (`VIR_DOMAIN_XML_INACTIVE|VIR_DOMAIN_XML_SECURE`)
    /// and `virDomainDefineXMLFlags` (`VIR_DOMAIN_DEFINE_VALIDATE`).
    public func edit(_ nameOrUUID: String, editor: Editor) throws(VMCtlError) -> VMChangeResult {
        let lifecycle = VMLifecycle(connection: connection)
        let domain = try lifecycle.domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        guard try libvirt("reading '\(name)'", { try domain.isPersistent() }) else {
            throw .invalid(field: "vm edit", "'\(name)' is transient: it has no persistent definition to edit")
        }
        let original = try libvirt("reading '\(name)'") { try domain.xml([.inactive, .secure]) }
        let folder = try Self.privateFolder()
        let path = folder + "/" + name + ".xml"
        try Self.writePrivate(original, to: path)
        var keep = false
        defer {
            if !keep {
                unlink(path)
                rmdir(folder)
            }
        }
        try editor(path)
        let edited = try InputFile.readText(path, field: .option("xml"))
        guard edited != original else { return VMChangeResult(name: name, action: "unchanged") }
        do throws(VMCtlError) {
            try Self.checkIdentity(original: original, edited: edited)
            // The editor may have been open for a while: define only over the definition it was given.
            let lock = try lifecycle.lock(domain, progress: SilentProgress())
            defer { withExtendedLifetime(lock) {} }
            guard try libvirt("reading '\(name)'", { try domain.xml([.inactive, .secure]) }) == original else {
                throw VMCtlError("vm edit: '\(name)' was changed by someone else while it was being edited")
            }
            _ = try lifecycle.define(xml: edited, field: "xml", shown: "the edited XML", action: "defining '\(name)' from the edited XML")
        } catch {
            keep = true
            throw VMCtlError(error.message + "; nothing changed, the edit is kept in \(path)", status: error.status, libvirtError: error.libvirtError)
        }
        return VMChangeResult(name: name, action: "edited")
    }

    /// Refuses an edit that changes the name or UUID: libvirt would define a
    /// second VM (or refuse a clash) rather than change this one.
    public static func checkIdentity(original: String, edited: String) throws(VMCtlError) {
        let before = try parsed { try XMLReader.parse(original) }
        let after: XMLTree.Element
        do {
            after = try XMLReader.parse(edited)
        } catch {
            throw .invalid(field: "xml", "the edited file is not a well-formed document: \(error)")
        }
        guard after.name == "domain" else { throw .invalid(field: "xml", "the root element must stay <domain>, not <\(after.name)>") }
        if after.childText("name") != before.childText("name") {
            throw .invalid(field: "name", "vm edit cannot change the name (that would define a second VM); use vmctl vm rename")
        }
        func canonical(_ uuid: String?) -> String? { uuid.map { $0.filter { $0 != "-" }.lowercased() } }
        if canonical(after.childText("uuid")) != canonical(before.childText("uuid")) {
            throw .invalid(field: "uuid", "vm edit cannot change or remove the UUID (that would define a second VM)")
        }
    }

    /// Runs `$VISUAL`, else `$EDITOR`, else `vi` on the file, through `/bin/sh` as
    /// git and virsh do (so `EDITOR="code --wait"` works), sharing the terminal.
    public static func terminalEditor(environment: [String: String] = ProcessInfo.processInfo.environment) -> Editor {
        let command = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        return { (path: String) throws(VMCtlError) in
            let result: ChildProcess.Result
            do {
                result = try ChildProcess.run("/bin/sh", ["-c", command + " \"$1\"", "vmctl-edit", path], terminal: true)
            } catch {
                throw VMCtlError("vm edit: cannot run the editor '\(command)': \(error)")
            }
            guard result.status == 0 else {
                throw VMCtlError("vm edit: the editor '\(command)' exited with status \(result.status); nothing changed")
            }
        }
    }

    /// A new folder only this user can enter, under `$TMPDIR` or /tmp.
    static func privateFolder() throws(VMCtlError) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/vmctl-edit-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw VMCtlError("vm edit: cannot make a folder in \(base): \(String(cString: strerror(errno)))") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `text` to a new file, 0600.
    static func writePrivate(_ text: String, to path: String) throws(VMCtlError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw VMCtlError("vm edit: cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw VMCtlError("vm edit: cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += count
        }
    }
}
