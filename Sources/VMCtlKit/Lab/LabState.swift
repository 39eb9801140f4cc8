import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// What a lab made, recorded beside it (`/var/lib/vmctl/labs/LAB/state.json`)
/// so `lab down NAME` works without the plan. Domains also carry the lab's
/// name in vmctl's metadata; networks (which have no metadata in libvirt 9.0)
/// are known only from here.
struct LabState: Codable, Equatable {
    /// Host key → URI of every host the lab used.
    var hosts: [String: String] = [:]
    /// Host key → networks the lab created there.
    var networks: [String: [String]] = [:]
    /// Host key → pools the lab created there, recorded before each is defined
    /// (pools have no metadata either); absent in state written before this.
    var pools: [String: [String]]?
    /// kolla's `keepalived_virtual_router_id` for this lab, chosen by the
    /// first `lab up` among those other labs here recorded (RouterID.swift).
    var keepalivedRouterID: Int?
    /// Host key → kernel links (bridges, VXLAN ports) the lab made there for
    /// spanned networks, in the order made; recorded before each is made.
    var kernelLinks: [String: [KernelLinkName]]?
    /// Host key → how its kernel was reached, for `lab down NAME` without the plan.
    var channels: [String: HostChannel]?
    /// Node → host for the nodes placed by `host: auto`, so reruns keep them there.
    var placement: [String: String]?

    static let directory = ProcessInfo.processInfo.environment["VMCTL_LAB_STATE_DIR"] ?? "/var/lib/vmctl/labs"

    static func file(lab: String) -> URL {
        URL(fileURLWithPath: directory).appendingPathComponent(lab).appendingPathComponent("state.json")
    }

    static func load(lab: String) -> LabState? {
        guard let data = try? Data(contentsOf: file(lab: lab)) else { return nil }
        return try? JSONDecoder().decode(LabState.self, from: data)
    }

    func save(lab: String) throws(VMCtlError) {
        let url = Self.file(lab: lab)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try OwnedFiles.makeDirectory(url.deletingLastPathComponent().path)
            try OwnedFiles.replace(url.path, with: Array(try encoder.encode(self)))
        } catch let error as VMCtlError {
            throw VMCtlError("recording lab \(lab): \(error.message)")
        } catch {
            throw VMCtlError("recording lab \(lab) in \(url.path): \(error)")
        }
    }

    static func remove(lab: String) {
        try? FileManager.default.removeItem(at: file(lab: lab))
        // Its host keys: what its nodes' deletes left (a node removed by other means keeps its lines).
        unlink(KnownHost.labFile(lab))
        // The lab's folder too, once nothing else is in it.
        rmdir(file(lab: lab).deletingLastPathComponent().path)
    }
}

/// `lab down NAME`: removes a lab's domains (those whose vmctl metadata names
/// it) with the volumes vmctl made for them, and the networks it recorded.
public enum LabTeardown {
    public static func down(lab: String, defaultURI: String?, keepNetworks: Bool, progress: any ProgressReporter) throws(VMCtlError) -> [String] {
        let name = try parsed { try ObjectName(lab, field: "lab") }.rawValue
        let state = LabState.load(lab: name)
        let hosts = state?.hosts ?? ["local": defaultURI ?? ""]
        var removed: [String] = []
        var found = state != nil
        for (host, uri) in hosts.sorted(by: { $0.key < $1.key }) {
            let connection = try ConnectionTarget(uri: uri.isEmpty ? nil : uri).open()
            for domain in try libvirt("listing domains on \(host)", { try connection.domains() }) {
                guard let gone = try removeDomain(domain, lab: name, connection: connection, progress: progress) else { continue }
                found = true
                removed += gone
            }
            guard !keepNetworks else { continue }
            for network in state?.networks[host] ?? [] {
                if let gone = try removeNetwork(network, host: host, connection: connection) { removed.append(gone) }
            }
        }
        LabCheckpointStore.removeAll(lab: name)  // their snapshots went with the domains
        for (host, uri) in hosts.sorted(by: { $0.key < $1.key }) {
            let connection = try ConnectionTarget(uri: uri.isEmpty ? nil : uri).open()
            let gone = try removeLeftovers(lab: name, pools: state?.pools?[host] ?? [], host: host, connection: connection, progress: progress)
            found = found || !gone.isEmpty
            removed += gone
        }
        guard found else { throw .invalid(field: "lab", "no lab named '\(name)' (no recorded state and no domain whose metadata names it)") }
        if !keepNetworks, let state { removed += try removeKernelLinks(state, progress: progress) }
        if !keepNetworks {
            LabState.remove(lab: name)
            HostTime.stopServing(lab: name)
        }
        return removed
    }

    /// Removes `domain` and the volumes vmctl made for it when its vmctl
    /// metadata names `lab`: what was removed, or nil for a domain the lab did not make.
    static func removeDomain(_ domain: Domain, lab: String, connection: Connection, progress: any ProgressReporter) throws(VMCtlError) -> [String]? {
        let metadata = (try? domain.metadata(namespaceURI: VMMetadata.namespaceURI, impact: .config))
            .flatMap { try? VMMetadata(getMetadataFragment: $0) }
        guard metadata?.lab?.rawValue == lab else { return nil }
        let result = try VMDeleter(connection: connection, progress: progress).delete(domain.name, force: true)
        return ["domain \(domain.name)"] + result.deletedVolumes.map { "volume \($0)" }
    }

    /// What a killed `lab up` left on `host`: volumes of nodes it never defined
    /// (the creation journal) and pools it defined but never started (`pools`:
    /// those the lab's state says it created). A started pool stays, as every lab pool does.
    /// virStoragePoolIsActive, virStoragePoolDelete, virStoragePoolUndefine.
    static func removeLeftovers(
        lab: String, pools: [String], host: String, connection: Connection, progress: any ProgressReporter
    ) throws(VMCtlError) -> [String] {
        let leftovers = try JournalLeftovers.collect(on: connection, matching: { $0.lab == lab })
        var removed = try leftovers.remove(progress: progress).map { "volume \($0)" }
        for name in pools {
            guard let pool = try find("looking up pool \(name)", missing: .noStoragePool, { try connection.storagePool(named: name) }),
                try !libvirt("reading pool \(name)", { try pool.isActive() })
            else { continue }
            progress.step("removing pool \(name), which a killed lab up defined but never started")
            // Its directory, when built, holds nothing yet: deleting a dir pool removes only an empty directory.
            try? pool.delete()
            try libvirt("removing pool \(name)") { try pool.undefine() }
            removed.append("pool \(name) on \(host)")
        }
        return removed
    }

    /// Stops and undefines network `name` when it exists: what was removed, or nil.
    static func removeNetwork(_ name: String, host: String, connection: Connection) throws(VMCtlError) -> String? {
        guard let network = try find("looking up network \(name)", missing: .noNetwork, { try connection.network(named: name) }) else { return nil }
        if try libvirt("reading network \(name)", { try network.isActive() }) {
            try libvirt("stopping network \(name)") { try network.destroy() }
        }
        try libvirt("removing network \(name)") { try network.undefine() }
        return "network \(name) on \(host)"
    }
}
