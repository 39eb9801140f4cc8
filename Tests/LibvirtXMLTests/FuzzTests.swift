import Foundation
import Testing
@testable import LibvirtXML

/// Property tests with a seeded generator: each run sees the same cases.
@Suite("Property and fuzz tests")
struct FuzzTests {
    /// Pieces that stress escaping: markup characters, CDATA end, whitespace, non-ASCII, combining marks.
    static let pieces: [String] = [
        "<", ">", "&", "'", "\"", "]]>", "&amp;", "&lt;", "<!--", "-->", "<![CDATA[", " ", "  ", "\t", "\n", "\r", "\r\n",
        "a", "Z", "0", "é", "e\u{301}", "ß", "日本", "🚀", "👩‍💻", "\u{2028}", "\u{FEFF}", "\u{85}", "\u{A0}", "\u{7F}", "x=y", "/", "\\",
        "${HOME}", "%s", "\u{FFFD}",
    ]
    /// Characters XML 1.0 cannot carry.
    static let forbidden: [String] = (0..<32).filter { ![9, 10, 13].contains($0) }.map { String(UnicodeScalar(UInt8($0))) }
        + ["\u{FFFE}", "\u{FFFF}"]

    static func randomText(_ rng: inout SplitMix64, allowForbidden: Bool) -> String {
        let count = Int(rng.next() % 12)
        var s = ""
        for _ in 0..<count {
            if allowForbidden && rng.next() % 8 == 0 {
                s += forbidden[Int(rng.next() % UInt64(forbidden.count))]
            } else {
                s += pieces[Int(rng.next() % UInt64(pieces.count))]
            }
        }
        return s
    }

    static func hasForbidden(_ s: String) -> Bool { s.unicodeScalars.contains { !TextRule.isAllowed($0) } }
    static func hasLineBreak(_ s: String) -> Bool { s.unicodeScalars.contains { $0 == "\n" || $0 == "\r" } }
    static func withoutLineBreaks(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { $0 != "\n" && $0 != "\r" }))
    }

    @Test("Titles, descriptions, command lines and paths round-trip exactly or are rejected naming the field")
    func escapingRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5EED_0001)
        var roundTrips = 0
        var rejections = 0
        for _ in 0..<600 {
            let allow = rng.next() % 2 == 0
            let description = Self.randomText(&rng, allowForbidden: allow)
            let cmdline = Self.randomText(&rng, allowForbidden: allow)
            let title = "T" + Self.withoutLineBreaks(Self.randomText(&rng, allowForbidden: allow))
            let path = "/images/" + Self.randomText(&rng, allowForbidden: allow)
            let metaPath = "/meta/" + Self.randomText(&rng, allowForbidden: allow)
            var domain = DomainDefinition(
                type: .qemu, name: "fuzz", title: title, description: description, memory: .mib(512),
                os: OSDefinition(kernel: "/boot/vmlinuz", cmdline: cmdline),
                disks: [Disk(source: .file(path), target: "vda")])
            domain.metadata = VMMetadata(lab: "lab", volumes: [.init(.path(metaPath), createdByVMCtl: true)])
            let fields: [(String, String)] = [
                ("title", title), ("description", description), ("metadata.volumes[0].path", metaPath),
                ("os.cmdline", cmdline), ("devices.disk[0].source", path),
            ]
            // Paths in libvirt's schema are one line; metadata is vmctl's own and takes any text.
            let isBad: ((String, String)) -> Bool = { pair in
                Self.hasForbidden(pair.1) || (pair.0.hasPrefix("devices.") && Self.hasLineBreak(pair.1))
            }
            if let bad = fields.first(where: isBad) {
                #expect(throws: ModelError.self) { try domain.xml() }
                do {
                    _ = try domain.xml()
                } catch let error as ModelError {
                    #expect(error.field == bad.0, "\(error)")
                    #expect(error.rule.contains(Self.hasForbidden(bad.1) ? "control character" : "line break"))
                    #expect(!error.description.contains("\n") && !error.description.contains("\r"))
                }
                rejections += 1
                continue
            }
            let xml = try domain.xml()
            let back = try DomainDefinition(xml: xml)
            #expect(back == domain)
            // Exact: compare scalars, not canonically-equivalent Characters.
            #expect(Array((back.description ?? "").unicodeScalars) == Array(description.unicodeScalars))
            #expect(Array((back.title ?? "").unicodeScalars) == Array(title.unicodeScalars))
            #expect(Array((back.os.cmdline ?? "").unicodeScalars) == Array(cmdline.unicodeScalars))
            if case .file(let p) = back.disks.first?.source {
                #expect(Array(p.unicodeScalars) == Array(path.unicodeScalars))
            } else {
                Issue.record("disk source lost")
            }
            if case .path(let p) = back.metadata?.volumes.first?.location {
                #expect(Array(p.unicodeScalars) == Array(metaPath.unicodeScalars))
            } else {
                Issue.record("metadata volume lost")
            }
            // Writing again is stable.
            #expect(try back.xml() == xml)
            if roundTrips % 5 == 0 { try expectSchemaValid(xml) }
            roundTrips += 1
        }
        #expect(roundTrips > 100 && rejections > 100)
    }

    @Test("Snapshot and network text fields round-trip the same way")
    func otherDocuments() throws {
        var rng = SplitMix64(seed: 0x5EED_0002)
        for i in 0..<300 {
            let text = Self.randomText(&rng, allowForbidden: false)
            let path = Self.withoutLineBreaks(text)
            let snapshot = SnapshotDefinition(name: "s1", description: text, memory: .external(file: "/m/" + path))
            let back = try SnapshotDefinition(xml: try snapshot.xml())
            if i % 20 == 0 { try expectSchemaValid(try snapshot.xml()) }
            #expect(back == snapshot)
            #expect(Array((back.description ?? "").unicodeScalars) == Array(text.unicodeScalars))
            let pool = StoragePoolDefinition(type: .dir, name: "p", targetPath: "/pools/" + path)
            #expect(try StoragePoolDefinition(xml: try pool.xml()) == pool)
            if path != text {
                let broken = StoragePoolDefinition(type: .dir, name: "p", targetPath: "/pools/" + text)
                #expect { try broken.xml() } throws: { ($0 as? ModelError)?.field == "target.path" }
            }
        }
    }

    @Test("Names outside the allow-list are rejected in code; read from XML, only libvirt's rule applies")
    func nameRejection() throws {
        var rng = SplitMix64(seed: 0x5EED_0003)
        let hostile = ["<", ">", "&", "'", "\"", "]]>", " ", "\t", "\n", "/", "é", "🚀", "\u{0}", "\u{1}", ":", ";", "$", "*", "\u{7F}"]
        for _ in 0..<400 {
            let prefix = Self.randomText(&rng, allowForbidden: false).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
            let bad = (prefix.isEmpty ? "n" : prefix) + hostile[Int(rng.next() % UInt64(hostile.count))] + "x"
            #expect(throws: ModelError(field: "name", value: bad, rule: ObjectName.rule)) { try ObjectName(bad) }
            #expect(ObjectName(rawValue: bad) == nil)
            guard !Self.hasForbidden(bad) else { continue }
            // Escaped into XML, the name reads as libvirt would take it, marked as
            // outside the allow-list; names with '/' or a line break libvirt refuses too.
            var escaped = ""
            XMLTree.escape(bad, inAttribute: false, style: .libvirt, into: &escaped)
            let xml = "<domain type='kvm'><name>\(escaped)</name><memory>1024</memory><os><type>hvm</type></os></domain>"
            if bad.contains("/") || bad.contains("\n") {
                #expect {
                    try DomainDefinition(xml: xml)
                } throws: { ($0 as? ModelError)?.field == "name" }
            } else {
                let read = try DomainDefinition(xml: xml)
                #expect(read.name.rawValue == bad)
                #expect(!read.name.followsAllowList)
            }
        }
        // Variables, not literals: `ObjectName("literal")` is a literal conversion and traps on a bad literal.
        for bad in [String(repeating: "a", count: 65), "-leading", ".hidden"] {
            #expect(throws: ModelError.self) { try ObjectName(bad) }
        }
    }

    static let allDocuments: [String] = allFixtures() + LibvirtOutputTests.outputs.map { "libvirt-output/" + $0 }
        + LibvirtOutputTests.editFixtures

    static func kind(of path: String) -> String {
        if path.hasPrefix("edit/") { return "domain/x.xml" }
        if path.hasPrefix("libvirt-output/") {
            let name = path.dropFirst("libvirt-output/".count)
            return String(name.prefix { $0 != "-" }) + "/x.xml"
        }
        return path
    }

    @Test("Every truncation of a valid document throws a ModelError", arguments: allDocuments)
    func truncations(_ path: String) throws {
        let text = try fixture(path)
        let bytes = Array(text.utf8)
        let end = try #require(bytes.lastIndex(of: UInt8(ascii: ">")))
        var rng = SplitMix64(seed: 0x5EED_0004 ^ UInt64(bytes.count))
        var cuts = Set([0, 1, end, end - 1])
        while cuts.count < min(end, 150) { cuts.insert(Int(rng.next() % UInt64(end))) }
        for cut in cuts.sorted() {
            let prefix = String(decoding: bytes[..<cut], as: UTF8.self)
            #expect(throws: ModelError.self, "cut at \(cut)") { try parseAny(Self.kind(of: path), prefix) }
        }
    }

    @Test("Random byte mutations never crash: they parse or throw a ModelError", arguments: allDocuments)
    func mutations(_ path: String) throws {
        let bytes = Array(try fixture(path).utf8)
        var rng = SplitMix64(seed: 0x5EED_0005 ^ UInt64(bytes.count))
        let alphabet = Array("<>&'\"/=!?[]-;# \n\u{0}x".utf8) + [0xC3, 0xFF, 0x80]
        for _ in 0..<60 {
            let mutated = rng.mutate(bytes, maximumEdits: 4, alphabet: alphabet)
            let text = String(decoding: mutated, as: UTF8.self)
            do {
                _ = try parseAny(Self.kind(of: path), text)
            } catch {
                #expect(error is ModelError, "\(error)")
            }
        }
    }
}
