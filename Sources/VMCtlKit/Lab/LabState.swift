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
        let lock = try lock(lab: name, progress: progress)
        defer { withExtendedLifetime(lock) {} }
        let state = LabState.load(lab: name)
        var hosts: [Host] = []
        for (host, uri) in (state?.hosts ?? ["local": defaultURI ?? ""]).sorted(by: { $0.key < $1.key }) {
            let connection = try ConnectionTarget(uri: uri.isEmpty ? nil : uri).open()
            // Without the plan, every domain whose metadata names the lab.
            let domains = try libvirt("listing domains on \(host)", { try connection.domains() })
            hosts.append(Host(host: host, connection: connection, domains: domains, byName: false, networks: state?.networks[host] ?? [],
                              pools: state?.pools?[host] ?? []))
        }
        var removed = try tearDown(lab: name, hosts: hosts, keepNetworks: keepNetworks, progress: progress)
        guard state != nil || !removed.isEmpty else {
            throw .invalid(field: "lab", "no lab named '\(name)' (no recorded state and no domain whose metadata names it)")
        }
        removed += try finish(lab: name, state: state, keepNetworks: keepNetworks, progress: progress)
        return removed
    }

    /// What a lab keeps beside libvirt's objects, after its domains and
    /// networks went (both lab-down paths): its checkpoint records (their
    /// snapshots went with the domains), and, unless the networks stay, the
    /// kernel links of its spanned networks, its state and the host's time service for it.
    static func finish(lab: String, state: LabState?, keepNetworks: Bool, progress: any ProgressReporter) throws(VMCtlError) -> [String] {
        LabCheckpointStore.removeAll(lab: lab)
        guard !keepNetworks else { return [] }
        let removed = try state.map { state throws(VMCtlError) in try removeKernelLinks(state, progress: progress) } ?? []
        LabState.remove(lab: lab)
        HostTime.stopServing(lab: lab)
        return removed
    }

    /// The lab's lock: one `lab up` or `lab down` of a lab at a time on this
    /// machine (its state file is per lab name, whatever hosts it spans).
    static func lock(lab: String, progress: any ProgressReporter) throws(VMCtlError) -> ObjectLock {
        try ObjectLock.acquire(uri: "", kind: "lab", name: lab, waiting: {
            progress.step("waiting for another vmctl process working on lab \(lab)")
        })
    }

    /// One host of a lab being taken down: the domains that may be the lab's,
    /// and the networks and pools it made there.
    struct Host {
        var host: String
        var connection: Connection
        var domains: [Domain]
        /// Whether `domains` were picked by name (the plan's nodes): one the lab did not make is then reported.
        var byName: Bool
        var networks: [String]
        var pools: [String]
    }

    /// The one lab-down loop (`lab down PLAN` and `lab down NAME`), run under
    /// the lab's lock: every host's domains the lab made, then what a killed
    /// run left, then (unless kept) the lab's networks.
    static func tearDown(lab: String, hosts: [Host], keepNetworks: Bool, progress: any ProgressReporter) throws(VMCtlError) -> [String] {
        var removed: [String] = []
        for host in hosts {
            for domain in host.domains {
                // Only domains this lab made: the metadata must name the lab.
                if let gone = try removeDomain(domain, lab: lab, connection: host.connection, progress: progress) {
                    removed += gone
                } else if host.byName {
                    progress.step("\(domain.name): not created by lab \(lab); left alone")
                }
            }
        }
        for host in hosts {
            removed += try removeLeftovers(lab: lab, pools: host.pools, host: host.host, connection: host.connection, progress: progress)
        }
        guard !keepNetworks else { return removed }
        for host in hosts {
            for network in host.networks {
                if let gone = try removeNetwork(network, host: host.host, connection: host.connection) { removed.append(gone) }
            }
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
        try NetworkService.remove(network, name: name)
        return "network \(name) on \(host)"
    }
}
