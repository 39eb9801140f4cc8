import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Outcome of one check.
public enum CheckStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case pass, warn, fail, skip

    public var label: String { rawValue.uppercased() }

    var rank: Int {
        switch self {
        case .pass: return 0
        case .skip: return 1
        case .warn: return 2
        case .fail: return 3
        }
    }

    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}

/// libvirt domain type for a guest: hardware-assisted `kvm` or software-emulated `qemu` (TCG).
public enum DomainType: String, Sendable, Codable {
    case kvm, qemu
}

/// One check's result. `id` values are stable (see Docs/host-check.md).
public struct CheckResult: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var status: CheckStatus
    /// One line: what was found.
    public var summary: String
    /// The command (or action) that fixes a WARN or FAIL; nil when none applies.
    public var remedy: String?
    /// Measured facts, as strings, for scripts.
    public var details: [String: String]

    public init(id: String, title: String, status: CheckStatus, summary: String,
                remedy: String? = nil, details: [String: String] = [:]) {
        self.id = id
        self.title = title
        self.status = status
        self.summary = summary
        self.remedy = remedy
        self.details = details
    }

    enum CodingKeys: String, CodingKey { case id, title, status, summary, remedy, details }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(status, forKey: .status)
        try c.encode(summary, forKey: .summary)
        if let remedy { try c.encode(remedy, forKey: .remedy) } else { try c.encodeNil(forKey: .remedy) }
        try c.encode(details, forKey: .details)
    }
}

/// Which domain type vmctl should define on this host, and why.
public struct Verdict: Sendable, Equatable, Codable {
    public enum Basis: String, Sendable, Codable {
        /// Both KVM probes ran.
        case probes
        /// Probes disabled or not possible (offline root): CPU flags, modules and device only.
        case staticEvidence = "static"
    }

    public var recommendedDomainType: DomainType
    public var kvmUsable: Bool
    public var basis: Basis
    /// What an OpenStack lab on this host should set `nova_compute_virt_type` to.
    public var novaComputeVirtType: DomainType
    public var reason: String
}

/// Counts of checks per status.
public struct StatusCounts: Sendable, Equatable, Codable {
    public var pass = 0
    public var warn = 0
    public var fail = 0
    public var skip = 0
}

/// The whole host check. Its JSON form is documented in Docs/host-check.md and
/// Docs/schemas/host-check.schema.json; `schemaVersion` changes when it does.
public struct HostReport: Sendable, Equatable, Codable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var root: String
    public var uri: String
    /// `x86_64`, `aarch64`, … as QEMU names it; "unknown" when cpuinfo says nothing.
    public var architecture: String
    public var checks: [CheckResult]
    public var verdict: Verdict
    public var counts: StatusCounts
    public var exitCode: Int32
    public var durationMs: Int

    public init(root: String, uri: String, architecture: String, checks: [CheckResult], verdict: Verdict, durationMs: Int) {
        self.schemaVersion = Self.currentSchemaVersion
        self.root = root
        self.uri = uri
        self.architecture = architecture
        self.checks = checks
        self.verdict = verdict
        var counts = StatusCounts()
        for c in checks {
            switch c.status {
            case .pass: counts.pass += 1
            case .warn: counts.warn += 1
            case .fail: counts.fail += 1
            case .skip: counts.skip += 1
            }
        }
        self.counts = counts
        self.exitCode = counts.fail > 0 ? 1 : 0
        self.durationMs = durationMs
    }

    public func check(_ id: String) -> CheckResult? { checks.first { $0.id == id } }

    /// Stable JSON: sorted keys, every check with the same keys (remedy may be null).
    public func renderJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The closing line: recommended domain type and counts.
    public var summaryLine: String {
        "Recommended domain type: \(verdict.recommendedDomainType.rawValue) — \(verdict.reason) "
            + "nova_compute_virt_type: \(verdict.novaComputeVirtType.rawValue). "
            + "\(counts.pass) pass, \(counts.warn) warn, \(counts.fail) fail, \(counts.skip) skip (\(durationMs) ms)."
    }

    /// A table for people. `color` adds ANSI colours; pass it only for a TTY
    /// (see `HostReport.shouldUseColor`).
    public func renderTable(color: Bool) -> String {
        let idWidth = max(5, checks.map(\.id.count).max() ?? 0)
        func paint(_ s: String, _ status: CheckStatus) -> String {
            guard color else { return s }
            let code: String
            switch status {
            case .pass: code = "32"
            case .warn: code = "33"
            case .fail: code = "31"
            case .skip: code = "2"
            }
            return "\u{1B}[\(code)m\(s)\u{1B}[0m"
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines: [String] = []
        lines.append("\(pad("STATUS", 6))  \(pad("CHECK", idWidth))  RESULT")
        for c in checks {
            lines.append("\(paint(pad(c.status.label, 6), c.status))  \(pad(c.id, idWidth))  \(c.summary)")
            if let remedy = c.remedy, c.status == .warn || c.status == .fail {
                lines.append("\(pad("", 6))  \(pad("", idWidth))  fix: \(remedy)")
            }
        }
        lines.append("")
        let verdictStatus: CheckStatus = verdict.recommendedDomainType == .kvm ? .pass : .warn
        lines.append(paint(summaryLine, verdictStatus))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Colour only on a terminal, and not with TERM=dumb or NO_COLOR set.
    public static func shouldUseColor(fileDescriptor: Int32 = 1,
                                      environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard isatty(fileDescriptor) == 1 else { return false }
        if environment["NO_COLOR"] != nil { return false }
        return environment["TERM"] != "dumb"
    }
}

/// What an OpenStack lab's compute nodes should set `nova_compute_virt_type`
/// to: `kvm` only when the host runs KVM guests and its KVM module lets them
/// run KVM themselves (nested); otherwise `qemu`. The one place this is decided:
/// the host check reports it and `lab status` / `lab kolla-globals` use it.
public func novaComputeVirtType(kvmUsable: Bool, nestedEnabled: Bool?) -> DomainType {
    kvmUsable && nestedEnabled == true ? .kvm : .qemu
}

extension HostRoot {
    /// Whether kvm_intel or kvm_amd, whichever is loaded, has `nested` on; nil when neither is.
    public func nestedKVMEnabled() -> Bool? {
        for module in ["kvm_intel", "kvm_amd"] {
            if let raw = moduleParameter(module, "nested") { return parseModuleBool(raw) }
        }
        return nil
    }
}
