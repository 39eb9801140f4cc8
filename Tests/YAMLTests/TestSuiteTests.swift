import Foundation
import Testing
import YAML

/// The official YAML test suite (github.com/yaml/yaml-test-suite, MIT), run
/// through ``composeAll(_:)``: one folder per case, sub-folders for variants,
/// `in.yaml`, `in.json` (the expected value of each document) and `error`
/// (present when the YAML must be refused). It lives beside the project's
/// clone, `<package>/../shared/yaml-test-suite`; VMCTL_YAML_TEST_SUITE names
/// another place.
enum YAMLTestSuite {
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["VMCTL_YAML_TEST_SUITE"] { return URL(fileURLWithPath: path) }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/yaml-test-suite")
    }

    static var present: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("229Q/in.yaml").path) }

    /// CI (VMCTL_REQUIRE_INTEGRATION=1) runs the suite or fails; elsewhere a missing suite skips it.
    static var required: Bool { ProcessInfo.processInfo.environment["VMCTL_REQUIRE_INTEGRATION"] == "1" }

    struct Case {
        var id: String
        var yaml: String
        var json: String?
        var mustFail: Bool
    }

    static func cases() throws -> [Case] {
        let files = FileManager.default
        var found = [Case]()
        for path in try files.subpathsOfDirectory(atPath: directory.path).sorted() where path.hasSuffix("in.yaml") {
            let folder = directory.appendingPathComponent(path).deletingLastPathComponent()
            let id = String(path.dropLast("/in.yaml".count))
            let json = folder.appendingPathComponent("in.json")
            found.append(Case(
                id: id,
                yaml: try String(contentsOf: folder.appendingPathComponent("in.yaml"), encoding: .utf8),
                json: files.fileExists(atPath: json.path) ? try String(contentsOf: json, encoding: .utf8) : nil,
                mustFail: files.fileExists(atPath: folder.appendingPathComponent("error").path)))
        }
        return found
    }

    /// Why the case fails, or nil when it passes: refused when it must be,
    /// otherwise read with each document equal to in.json's value (or, without
    /// in.json, read at all).
    static func failure(_ c: Case) -> String? {
        let documents: [Node]
        do {
            documents = try composeAll(c.yaml)
        } catch {
            return c.mustFail ? nil : "refused: \(error)"
        }
        if c.mustFail { return "accepted" }
        guard let json = c.json else { return nil }
        guard let expected = JSON.values(json) else { return "in.json does not parse" }
        guard expected.count == documents.count else { return "\(documents.count) documents, in.json has \(expected.count)" }
        for (node, value) in zip(documents, expected) where !matches(node, value) {
            return "read as \(node), in.json has \(value)"
        }
        return nil
    }

    /// A node as the suite's JSON writes it: YAML 1.2's core schema for plain
    /// scalars, a string's text whatever its style or tag.
    static func matches(_ node: Node, _ json: JSON) -> Bool {
        switch (node, json) {
        case (.scalar(let s), .string(let text)): return s.text == text
        case (.scalar(let s), .null): return s.tag == nil && s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.text)
        case (.scalar(let s), .bool(let b)): return (s.style == .plain || s.tag == Tags.bool) && s.text.lowercased() == String(b)
        case (.scalar(let s), .number(let n)): return (s.style == .plain || s.tag == Tags.int || s.tag == Tags.float) && number(s.text) == number(n)
        case (.sequence(let seq), .array(let items)): return seq.count == items.count && zip(seq, items).allSatisfy(matches)
        case (.mapping(let map), .object(let pairs)):
            return map.count == pairs.count && pairs.allSatisfy { key, value in
                map.contains { $0.key.string == key && matches($0.value, value) }
            }
        default: return false
        }
    }

    static func number(_ text: String) -> Double? {
        if text.hasPrefix("0x"), let v = Int(text.dropFirst(2), radix: 16) { return Double(v) }
        if text.hasPrefix("0o"), let v = Int(text.dropFirst(2), radix: 8) { return Double(v) }
        return Double(text)
    }
}

@Suite(.enabled(if: YAMLTestSuite.present || YAMLTestSuite.required, "the YAML test suite in ../shared/yaml-test-suite (or VMCTL_REQUIRE_INTEGRATION=1)"))
struct YAMLTestSuiteTests {
    @Test func everyCaseButTheKnownFailures() throws {
        let cases = try YAMLTestSuite.cases()
        #expect(cases.count == 402, "the suite at \(YAMLTestSuite.directory.path)")
        var failed = [String: String]()
        for c in cases {
            if let why = YAMLTestSuite.failure(c) { failed[c.id] = why }
        }
        let valid = cases.filter { !$0.mustFail }
        let invalid = cases.filter(\.mustFail)
        let report = """
            yaml-test-suite: \(cases.count - failed.count) of \(cases.count) pass; \
            valid \(valid.count { failed[$0.id] == nil }) of \(valid.count), \
            invalid refused \(invalid.count { failed[$0.id] == nil }) of \(invalid.count)
            """
        print(report)
        for id in failed.keys.sorted() { print("yaml-test-suite: \(id): \(failed[id]!.prefix(200))") }
        for id in failed.keys.sorted() {
            guard let known = YAMLTestSuite.knownFailures[id] else {
                Issue.record("\(id) fails: \(failed[id]!.prefix(300))")
                continue
            }
            // A valid case may be refused, never read as another value.
            if known.hasPrefix("refused") && !failed[id]!.hasPrefix("refused") {
                Issue.record("\(id) is no longer refused: \(failed[id]!.prefix(300))")
            }
        }
        for id in YAMLTestSuite.knownFailures.keys.sorted() where failed[id] == nil {
            Issue.record("\(id) passes now; take it off the known failures")
        }
    }
}
