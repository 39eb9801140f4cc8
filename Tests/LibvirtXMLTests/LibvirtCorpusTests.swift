import Foundation
import Testing
@testable import LibvirtXML

/// libvirt 9.0.0's own XML test documents (Scripts/fetch-libvirt-corpus.sh), read and
/// written back through the model: every schema-valid one must read, write and come
/// back the same document; an edit must change only the node it edits.
///
/// The directory comes from `VMCTL_LIBVIRT_CORPUS` (Scripts/test.sh exports it). Without
/// it the suite is skipped, unless `VMCTL_REQUIRE_INTEGRATION=1` (CI), where it fails.
@Suite(.enabled(if: LibvirtCorpus.directory != nil || LibvirtCorpus.required))
struct LibvirtCorpusTests {
    @Test func schemaValidDocumentsRoundTripUnchanged() throws {
        let documents = try LibvirtCorpus.validDocuments()
        var report = LibvirtCorpus.Report()
        for document in documents {
            guard let original = try? String(contentsOf: document.url, encoding: .utf8) else {
                report.unreadable.append(document.path)
                continue
            }
            let written: String
            do {
                let model = try LibvirtCorpus.read(original, root: document.root)
                do { written = try model.xml() } catch {
                    report.unwritable.append("\(document.path): \(error)")
                    continue
                }
            } catch {
                if let reason = LibvirtCorpus.refusedOnPurpose[document.path] {
                    report.refused.append("\(document.path): \(reason)")
                } else {
                    report.unread.append("\(document.path): \(error)")
                }
                continue
            }
            report.read += 1
            if let difference = try LibvirtCorpus.firstDifference(original, written) {
                report.lossy.append("\(document.path): \(difference)")
            }
        }
        print(report.summary(of: documents.count, what: "round trip"))
        #expect(documents.count > 2000, "the corpus should hold libvirt 9.0.0's ~2,100 schema-valid documents")
        #expect(report.unreadable.isEmpty && report.unread.isEmpty, "\(report.unreadable + report.unread)")
        #expect(report.unwritable.isEmpty, "\(report.unwritable)")
        #expect(report.lossy.isEmpty, "\(report.lossy)")
    }

    /// Renaming each document that has a `<name>` (capabilities: setting the host CPU
    /// model, or the machine) changes that node and nothing else; the few documents
    /// without a name are written back unedited.
    @Test func anEditChangesOnlyTheNodeItEdits() throws {
        let documents = try LibvirtCorpus.validDocuments()
        var report = LibvirtCorpus.Report()
        for document in documents {
            guard let original = try? String(contentsOf: document.url, encoding: .utf8),
                let model = try? LibvirtCorpus.read(original, root: document.root)
            else { continue }
            report.read += 1
            let edited: String
            let expected: String
            do {
                (edited, expected) = try LibvirtCorpus.editName(of: model, original: original)
            } catch {
                report.unwritable.append("\(document.path): \(error)")
                continue
            }
            if let difference = try LibvirtCorpus.firstDifference(expected, edited) {
                report.lossy.append("\(document.path): \(difference)")
            }
        }
        print(report.summary(of: documents.count, what: "edit"))
        #expect(report.read > 2000)
        #expect(report.unwritable.isEmpty, "\(report.unwritable)")
        #expect(report.lossy.isEmpty, "\(report.lossy)")
    }
}

enum LibvirtCorpus {
    static let directory: URL? = ProcessInfo.processInfo.environment["VMCTL_LIBVIRT_CORPUS"].flatMap {
        $0.isEmpty ? nil : URL(fileURLWithPath: $0)
    }
    static let required = ProcessInfo.processInfo.environment["VMCTL_REQUIRE_INTEGRATION"] == "1"

    /// Schema-valid documents the model refuses by design, with libvirt's own reason.
    /// Both are tests libvirt itself expects to fail.
    static let refusedOnPurpose: [String: String] = [
        "genericxml2xmlindata/name-slash-fail.xml":
            "libvirt refuses it too (genericxml2xmltest.c, DO_TEST_FAIL_ACTIVE): a domain name may not hold '/'",
        "qemuxml2argvdata/minimal-no-memory.xml":
            "libvirt refuses it too (qemuxml2argvtest.c, DO_TEST_PARSE_ERROR_NOCAPS): "
            + "'Memory size must be specified via <memory> or in the <numa> configuration'",
    ]

    struct Document {
        var path: String
        var root: String
        var url: URL
    }

    /// The documents corpus.tsv lists as valid under libvirt's schema.
    static func validDocuments() throws -> [Document] {
        guard let directory else {
            throw ModelError(field: "VMCTL_LIBVIRT_CORPUS", rule: "must name the directory Scripts/fetch-libvirt-corpus.sh filled")
        }
        let list = try String(contentsOf: directory.appendingPathComponent("corpus.tsv"), encoding: .utf8)
        let tests = directory.appendingPathComponent("libvirt-9.0.0/tests")
        return list.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3, fields[2] == "valid" else { return nil }
            return Document(path: fields[0], root: fields[1], url: tests.appendingPathComponent(fields[0]))
        }
    }

    static func read(_ xml: String, root: String) throws -> any XMLDocumentConvertible {
        switch root {
        case "domain": try DomainDefinition(xml: xml)
        case "network": try NetworkDefinition(xml: xml)
        case "pool": try StoragePoolDefinition(xml: xml)
        case "volume": try StorageVolumeDefinition(xml: xml)
        case "domainsnapshot": try SnapshotDefinition(xml: xml)
        case "capabilities": try HostCapabilities(xml: xml)
        case "domainCapabilities": try DomainCapabilities(xml: xml)
        default: throw ModelError(field: "root", value: root, rule: "not a kind LibvirtXML models")
        }
    }

    /// The model's document after one edit, and the original with the same edit made on its tree.
    static func editName(of model: any XMLDocumentConvertible, original: String) throws -> (edited: String, expected: String) {
        var tree = try XMLReader.parse(original)
        let newName: ObjectName = "vmctl-corpus-edit"
        let nameIndex = tree.children.firstIndex { if case .element(let e) = $0 { e.name == "name" } else { false } }
        func renameChild() {
            if let i = nameIndex, case .element(var e) = tree.children[i] {
                e.children = [.text(newName.rawValue)]
                tree.children[i] = .element(e)
            }
        }
        let edited: String
        switch model {
        case is HostCapabilities where tree.child("host")?.child("cpu")?.child("model") == nil: edited = try model.xml()
        case is DomainCapabilities where tree.child("machine") == nil: edited = try model.xml()
        case _ where nameIndex == nil && tree.name != "capabilities" && tree.name != "domainCapabilities": edited = try model.xml()
        case var m as DomainDefinition: m.name = newName; edited = try m.xml(); renameChild()
        case var m as NetworkDefinition: m.name = newName; edited = try m.xml(); renameChild()
        case var m as StoragePoolDefinition: m.name = newName; edited = try m.xml(); renameChild()
        case var m as StorageVolumeDefinition: m.name = newName; edited = try m.xml(); renameChild()
        case var m as SnapshotDefinition: m.name = newName; edited = try m.xml(); renameChild()
        case var m as HostCapabilities:
            m.hostCPUModel = newName.rawValue
            edited = try m.xml()
            tree.updateChild("host", order: []) { $0.updateChild("cpu", order: []) { $0.setTextChild("model", newName.rawValue, order: []) } }
        case var m as DomainCapabilities:
            m.machine = newName.rawValue
            edited = try m.xml()
            tree.setTextChild("machine", newName.rawValue, order: [])
        default: throw ModelError(field: "model", rule: "unknown kind")
        }
        return (edited, tree.serialized())
    }

    /// The first difference between two documents compared canonically (attribute
    /// order and whitespace-only text ignored), or nil when they are the same.
    static func firstDifference(_ a: String, _ b: String) throws -> String? {
        let left = canonicalLines(try XMLReader.parse(a), path: "")
        let right = canonicalLines(try XMLReader.parse(b), path: "")
        for (index, (l, r)) in zip(left, right).enumerated() where l != r {
            return "line \(index): \(l)  ≠  \(r)"
        }
        if left.count != right.count {
            return left.count > right.count ? "lost: \(left[right.count])" : "added: \(right[left.count])"
        }
        return nil
    }

    /// One line per element (with its sorted attributes), text and comment, in document order.
    static func canonicalLines(_ e: XMLTree.Element, path: String) -> [String] {
        let here = path + "/" + e.name
        let attributes = e.attributes.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value.debugDescription)" }
        var lines = [here + " " + attributes.joined(separator: " ")]
        for child in e.children {
            switch child {
            case .element(let c): lines += canonicalLines(c, path: here)
            case .text(let t) where t.contains(where: { !$0.isWhitespace }): lines.append(here + " text " + t.debugDescription)
            case .text: break
            case .comment(let c): lines.append(here + " comment " + c.debugDescription)
            }
        }
        return lines
    }

    struct Report {
        var read = 0
        var unreadable: [String] = []
        var unread: [String] = []
        var refused: [String] = []
        var unwritable: [String] = []
        var lossy: [String] = []

        func summary(of total: Int, what: String) -> String {
            var lines = [
                "libvirt corpus \(what): \(total) schema-valid documents, \(read) read, \(lossy.count) lossy, "
                    + "\(unwritable.count) unwritable, \(unread.count + unreadable.count) not read, \(refused.count) refused on purpose"
            ]
            lines += refused.map { "  refused on purpose: " + $0 }
            lines += (unreadable + unread).map { "  not read: " + $0 }
            lines += unwritable.map { "  unwritable: " + $0 }
            lines += lossy.map { "  lossy: " + $0 }
            return lines.joined(separator: "\n")
        }
    }
}
