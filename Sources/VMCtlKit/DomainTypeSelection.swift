import FoundationEssentials
import TextSupport
import HostCheck
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// Chooses kvm or qemu for a new guest from the host check: never kvm where
/// KVM cannot run a guest. The verdict is cached per boot (keyed by the
/// kernel's boot ID), since whether KVM works does not change while the host runs.
public struct DomainTypeSelector: Sendable {
    public var uri: String
    public var cacheDirectory: String

    public init(uri: String, cacheDirectory: String = "/var/cache/vmctl") {
        self.uri = uri
        self.cacheDirectory = cacheDirectory
    }

    public struct Choice: Sendable, Equatable {
        public var type: HypervisorType
        public var warnings: [String]

        public init(type: HypervisorType, warnings: [String] = []) {
            self.type = type
            self.warnings = warnings
        }
    }

    /// The verdict cached for one boot, as three lines: the boot ID, `kvm` or
    /// `no-kvm`, and the reason. (A plain format: decoding JSON took 2 % of
    /// each `vm create`'s CPU time, in `perf` samples.)
    struct CachedVerdict: Equatable {
        var bootID: String
        var kvmUsable: Bool
        var reason: String

        var text: String {
            "\(bootID)\n\(kvmUsable ? "kvm" : "no-kvm")\n\(reason.split(whereSeparator: \.isNewline).joined(separator: " "))\n"
        }

        /// nil for anything that is not the format above, so a damaged cache is probed afresh.
        init?(text: String) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count == 4, lines[3].isEmpty, !lines[0].isEmpty, lines[1] == "kvm" || lines[1] == "no-kvm" else { return nil }
            self.init(bootID: String(lines[0]), kvmUsable: lines[1] == "kvm", reason: String(lines[2]))
        }

        init(bootID: String, kvmUsable: Bool, reason: String) {
            self.bootID = bootID
            self.kvmUsable = kvmUsable
            self.reason = reason
        }
    }

    /// `requested`: `--type`; `requireKVM`: `--require-kvm` turns the fallback into an error.
    public func choose(requested: HypervisorType?, requireKVM: Bool) throws(VMCtlError) -> Choice {
        if let requested, requested != .kvm { return Choice(type: requested, warnings: []) }
        if let host = Self.remoteHost(uri) {
            // The probes run on this machine; they say nothing about another host.
            if requested == .kvm || requireKVM { return Choice(type: .kvm, warnings: []) }
            return Choice(type: .qemu, warnings: ["cannot probe KVM on remote host \(host); defining a qemu guest (use --type kvm to override)"])
        }
        let verdict = kvmVerdict()
        if verdict.kvmUsable { return Choice(type: .kvm, warnings: []) }
        if requireKVM || requested == .kvm {
            let flag = requireKVM ? "--require-kvm" : "--type kvm"
            throw VMCtlError("\(flag): KVM cannot run a guest on this host: \(verdict.reason)", status: .usage)
        }
        return Choice(type: .qemu, warnings: ["KVM is not usable here (\(verdict.reason)); defining a qemu (TCG) guest"])
    }

    /// The host part of a remote URI (`qemu+ssh://lab2/system`), nil for a local one.
    static func remoteHost(_ uri: String) -> String? { LibvirtURI(uri)?.host }

    /// What the lab's compute nodes on this URI's host should set
    /// `nova_compute_virt_type` to (HostCheck's rule); `qemu` for a remote
    /// host, which this machine cannot probe.
    func novaComputeVirtType() -> DomainType {
        guard Self.remoteHost(uri) == nil else { return .qemu }
        return HostCheck.novaComputeVirtType(kvmUsable: kvmVerdict().kvmUsable, nestedEnabled: HostRoot().nestedKVMEnabled())
    }

    /// The host check's verdict, from the cache when this boot already has one.
    func kvmVerdict() -> (kvmUsable: Bool, reason: String) {
        let bootID = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingWhitespace() ?? ""
        let cacheFile = cacheDirectory.appendingPathComponent("kvm-verdict")
        if !bootID.isEmpty, let text = try? String(contentsOfFile: cacheFile, encoding: .utf8),
            let cached = CachedVerdict(text: text), cached.bootID == bootID
        {
            return (cached.kvmUsable, cached.reason)
        }
        let recommendation = HostChecker(options: HostCheckOptions(uri: uri)).recommendDomainType()
        let verdict = (recommendation.verdict.kvmUsable, recommendation.verdict.reason)
        if !bootID.isEmpty {
            let cached = CachedVerdict(bootID: bootID, kvmUsable: verdict.0, reason: verdict.1)
            // A cache: when it cannot be written, the next run asks again.
            try? OwnedFiles.makeDirectory(cacheDirectory)
            try? OwnedFiles.replace(cacheFile, with: Array(cached.text.utf8))
            // The JSON file earlier versions wrote.
            try? FileManager.default.removeItem(atPath: cacheDirectory.appendingPathComponent("kvm-verdict.json"))
        }
        return verdict
    }
}
