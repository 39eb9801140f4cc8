import Foundation
import Testing
@testable import HostCheck

/// The JSON output against Docs/schemas/host-check.schema.json, and the table.
@Suite struct ReportTests {
    static func schema() throws -> [String: Any] {
        let url = Paths.packageRoot.appendingPathComponent("Docs/schemas/host-check.schema.json")
        let data = try Data(contentsOf: url)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func reports() -> [HostReport] {
        var failing = FakeLiveHost()
        failing.kvmBoot = EmulatorProbeResult(accelerator: "kvm", passed: false, reachedBootSector: false, elapsedMs: 2000, timedOut: true)
        return [
            HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("amd-no-svm"))).run(),
            HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("arm64"))).run(),
            HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("intel-vmx")),
                        hypervisor: FakeHypervisor(status: HypervisorStatus(reachable: true, domainTypes: ["kvm"])),
                        live: FakeLiveHost()).run(),
            HostChecker(options: HostCheckOptions(root: Paths.fixtureHost("amd-no-svm")), live: failing).run(),
        ]
    }

    /// Checks `value` against a (sub)schema: type, required, additionalProperties, enum, const, items.
    /// Only the keywords the vmctl schema uses; enough to catch drift between code and docs.
    static func validate(_ value: JSONValue, _ schema: [String: Any], path: String, errors: inout [String]) {
        if let types = schema["type"] {
            let allowed = (types as? [String]) ?? [types as! String]
            if !allowed.contains(value.typeName) && !(allowed.contains("number") && value.typeName == "integer") {
                errors.append("\(path): \(value.typeName) is not \(allowed)")
                return
            }
        }
        if let e = schema["enum"] as? [Any], !e.contains(where: { "\($0)" == value.scalarText }) {
            errors.append("\(path): \(value.scalarText) not in enum \(e)")
        }
        if let c = schema["const"], "\(c)" != value.scalarText { errors.append("\(path): \(value.scalarText) != const \(c)") }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                errors.append("\(path): missing required \(key)")
            }
            for (key, v) in object.sorted(by: { $0.key < $1.key }) {
                if let sub = properties[key] as? [String: Any] {
                    validate(v, sub, path: "\(path).\(key)", errors: &errors)
                } else if let extra = schema["additionalProperties"] {
                    if let allowed = extra as? Bool, !allowed { errors.append("\(path): undocumented key \(key)") }
                    if let sub = extra as? [String: Any] { validate(v, sub, path: "\(path).\(key)", errors: &errors) }
                }
            }
        }
        if case .array(let array) = value, let items = schema["items"] as? [String: Any] {
            for (i, v) in array.enumerated() { validate(v, items, path: "\(path)[\(i)]", errors: &errors) }
        }
    }

    static func parse(_ json: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) }

    @Test func jsonMatchesTheDocumentedSchema() throws {
        let schema = try Self.schema()
        for report in Self.reports() {
            let object = try Self.parse(report.renderJSON())
            var errors: [String] = []
            Self.validate(object, schema, path: "$", errors: &errors)
            #expect(errors.isEmpty, "\(report.root): \(errors)")
        }
    }

    @Test func validatorCatchesDrift() throws {
        // The validator must reject what the schema forbids, or the test above proves nothing.
        let schema = try Self.schema()
        let report = Self.reports()[0]
        guard case .object(var object) = try Self.parse(report.renderJSON()),
              case .array(var checks) = object["checks"],
              case .object(var first) = checks[0], case .object(var second) = checks[1],
              case .object(var verdict) = object["verdict"] else {
            Issue.record("unexpected JSON shape")
            return
        }
        object["surprise"] = .int(1)
        first["status"] = .string("ok")
        second.removeValue(forKey: "remedy")
        verdict["kvmUsable"] = .int(0)
        checks[0] = .object(first)
        checks[1] = .object(second)
        object["checks"] = .array(checks)
        object["verdict"] = .object(verdict)
        var errors: [String] = []
        Self.validate(.object(object), schema, path: "$", errors: &errors)
        #expect(errors.contains("$.verdict.kvmUsable: integer is not [\"boolean\"]"))
        #expect(errors.contains("$: undocumented key surprise"))
        #expect(errors.contains { $0.hasPrefix("$.checks[0].status: ok not in enum") })
        #expect(errors.contains("$.checks[1]: missing required remedy"))
    }

    @Test func schemaEnumsMatchTheCode() throws {
        let schema = try Self.schema()
        let props = schema["properties"] as! [String: Any]
        let item = (props["checks"] as! [String: Any])["items"] as! [String: Any]
        let itemProps = item["properties"] as! [String: Any]
        #expect((itemProps["id"] as! [String: Any])["enum"] as? [String] == HostChecker.checkIDs)
        #expect((itemProps["status"] as! [String: Any])["enum"] as? [String] == CheckStatus.allCases.map(\.rawValue))
        #expect(Set(item["required"] as! [String]) == ["id", "title", "status", "summary", "remedy", "details"])
        #expect((props["schemaVersion"] as! [String: Any])["const"] as? Int == HostReport.currentSchemaVersion)
        let required = Set(schema["required"] as! [String])
        guard case .object(let encoded) = try Self.parse(Self.reports()[0].renderJSON()) else {
            Issue.record("not an object")
            return
        }
        #expect(required == Set(encoded.keys))
    }

    @Test func jsonIsStableAndSorted() throws {
        let r = Self.reports()[0]
        let a = r.renderJSON()
        #expect(a == r.renderJSON())
        // Sorted keys: "architecture" precedes "checks", which precedes "counts".
        let arch = try #require(a.range(of: "\"architecture\""))
        let checks = try #require(a.range(of: "\"checks\""))
        let counts = try #require(a.range(of: "\"counts\""))
        #expect(arch.lowerBound < checks.lowerBound && checks.lowerBound < counts.lowerBound)
        #expect(a.contains("\"remedy\" : null"))
        let decoded = try JSONDecoder().decode(HostReport.self, from: Data(a.utf8))
        #expect(decoded.checks == r.checks)
        #expect(decoded.verdict == r.verdict)
    }

    @Test func tableColourOnlyWhenAsked() {
        let r = Self.reports()[3]
        let plain = r.renderTable(color: false)
        let coloured = r.renderTable(color: true)
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}[31mFAIL"))
        #expect(plain.contains("FAIL    kvm.emulator-probe"))
        #expect(plain.contains("fix: "))
        #expect(plain.hasSuffix(r.summaryLine + "\n"))
        #expect(r.summaryLine.hasPrefix("Recommended domain type: qemu — KVM not usable"))
        #expect(!HostReport.shouldUseColor(fileDescriptor: -1))
    }

    @Test func exitCodeFollowsFailures() {
        let reports = Self.reports()
        for r in reports {
            #expect(r.exitCode == (r.checks.contains { $0.status == .fail } ? 1 : 0))
            #expect(r.counts.pass + r.counts.warn + r.counts.fail + r.counts.skip == r.checks.count)
        }
        #expect(reports[2].exitCode == 0)
        #expect(reports[3].exitCode == 1)
    }
}

/// A JSON value decoded strictly: JSONDecoder does not turn numbers into
/// booleans or back, so the schema's types can be checked.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    var scalarText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "1" : "0"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .array: return "[array]"
        case .object: return "{object}"
        }
    }
}
