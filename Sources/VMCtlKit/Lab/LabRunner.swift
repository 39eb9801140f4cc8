import FoundationEssentials
import HostCheck
import TextSupport
import Libvirt
import LibvirtXML
import NoCloud
#if canImport(Glibc)
import Glibc
#endif

/// What `lab up` did: the changes it made (empty on a rerun with nothing to
/// do), drift it reports but will not change on its own, and the lab's state.
public struct LabUpResult: Codable, Sendable {
    public var changes: [String]
    public var drift: [String]
    public var status: LabStatus
    /// Per node, when each readiness stage was reached (empty with `wait: none`).
    public var readiness: [ReadinessReport]
}

/// Brings a lab up, reports its status and tears it down. Every object it
/// makes has a deterministic name (`LAB-NAME`, volumes `LAB-NODE.qcow2`), so
/// a rerun after an interruption finds what exists and makes only what is missing.
public final class LabRunner: @unchecked Sendable {
    /// The plan, with every `host: auto` decided (Lab/LabPlacement.swift).
    public internal(set) var plan: LabPlan
    let progress: any ProgressReporter
    private var connections: [String: Connection] = [:]
    private let lock = Lock()
    /// Node → host of the nodes placed by `host: auto`.
    var autoPlaced: [String: String] = [:]
    /// Why `host: auto` could not be decided; planning reports it.
    var placementError: VMCtlError?

    public init(plan: LabPlan, progress: any ProgressReporter = SilentProgress()) {
        self.plan = plan
        self.progress = progress
        resolvePlacement()
    }

    /// The connection to a plan host, opened once.
    func connection(_ host: String) throws(VMCtlError) -> Connection {
        lock.lock()
        defer { lock.unlock() }
        if let existing = connections[host] { return existing }
        let uri = plan.hosts[host] ?? plan.hosts["local"]
        let connection: Connection
        do {
            connection = try Connection(uri: uri)
        } catch {
            throw VMCtlError("hosts.\(host): cannot connect to \(uri ?? "the default URI"): \(error)", status: .unavailable, libvirtError: error as? LibvirtError)
        }
        connections[host] = connection
        return connection
    }

    var usedHosts: [String] { Array(Set(plan.nodes.map(\.host))).sorted() }

    /// A node's domain and the connection to its host: `lab ssh`'s look-up.
    public func domain(ofNode name: String) throws(VMCtlError) -> (connection: Connection, domain: Domain) {
        guard let node = plan.nodes.first(where: { $0.name == name }) else {
            throw .invalid(field: "node", "lab \(plan.name) has no node '\(name.prefix(64))' (nodes: \(plan.nodes.map(\.name).joined(separator: ", ")))")
        }
        let connection = try connection(node.host)
        return (connection, try VMLifecycle(connection: connection).domain(nameOrUUID: plan.objectName(node.name)))
    }

    /// A stable MAC per lab, node and NIC, so addresses and reservations survive reruns.
    public static func mac(lab: String, node: String, nic: Int) -> MACAddress {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(lab)/\(node)/\(nic)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return MACAddress(octets: [0x52, 0x54, 0x00, UInt8(truncatingIfNeeded: hash >> 16), UInt8(truncatingIfNeeded: hash >> 8),
                                   UInt8(truncatingIfNeeded: hash)])!
    }

    // MARK: up

    /// The lab's lock: one `lab up` or `lab down` of a lab at a time on this
    /// machine (its state file is per lab name, whatever hosts it spans).
    func lockLab() throws(VMCtlError) -> ObjectLock {
        try LabTeardown.lock(lab: plan.name, progress: progress)
    }

    public func up(requireKVM: Bool = false, maxBooting: Int? = nil) throws(VMCtlError) -> LabUpResult {
        let lock = try lockLab()
        defer { withExtendedLifetime(lock) {} }
        // Every check first, on every host: nothing is touched unless the whole lab can be made.
        let changePlan = try planChanges(requireKVM: requireKVM)
        let bootGate = try LabBootGate(runner: self, changePlan: changePlan, cap: maxBooting ?? plan.maxBooting)
        // Recorded first, before any step a kill can stop at: lab down NAME finds a lab killed at any later point.
        var state = LabState.load(lab: plan.name) ?? LabState()
        for host in usedHosts { state.hosts[host] = plan.hosts[host] }
        RouterID.record(lab: plan.name, in: &state)
        if !autoPlaced.isEmpty { state.placement = (state.placement ?? [:]).merging(autoPlaced) { _, new in new } }
        try state.save(lab: plan.name)
        progress.step(bootGate.line)
        for host in changePlan.hosts {
            for warning in host.domainType.warnings { progress.step("\(host.host): \(warning)") }
        }
        try OwnedFiles.makeDirectory(plan.serialDirectory)

        var changes: [String] = []
        var drift: [String] = []
        for hostPlan in changePlan.hosts {
            let host = hostPlan.host
            let connection = try connection(host)
            for pool in hostPlan.newPools { changes.append(try createPool(pool, host: host, connection: connection)) }
            for pool in hostPlan.stoppedPools { changes.append(try startPool(pool, host: host, connection: connection)) }
            for image in hostPlan.imports {
                // Pools of two hosts may share a directory: the other host's import already put it there.
                let pool = try libvirt("looking up pool \(image.pool)") { try connection.storagePool(named: image.pool) }
                let volume = CreationJournalEntry.Volume(pool: image.pool, name: image.name)
                // One a killed run half imported goes first.
                try JournalLeftovers.collect(on: connection, matching: { $0.lab == plan.name && $0.volumes.contains(volume) }).remove(progress: progress)
                if try find("looking up volume \(image.pool)/\(image.name)", missing: .noStorageVolume, { try pool.volume(named: image.name) }) != nil {
                    continue
                }
                progress.step("\(host): importing \(image.path ?? "") as \(image.pool)/\(image.name)")
                let journal = try CreationJournal.begin("lab up", on: connection, owners: [], lab: plan.name, volumes: [volume])
                _ = try StorageService(connection: connection).importVolume(
                    pool: image.pool, file: image.path ?? "", name: image.name, format: nil, progress: FaultSeam.midTransfer(nil))
                journal.finish()
                changes.append("\(host): imported image \(image.pool)/\(image.name)")
            }
            changes += try applySpan(changePlan.span, host: host, phase: .beforeNetworks)
            for network in hostPlan.existingNetworks {
                let (made, drifted) = try reconcileNetwork(network, host: host, connection: connection)
                changes += made
                drift += drifted
            }
            for network in hostPlan.newNetworks { changes.append(try createNetwork(network, host: host, connection: connection)) }
            changes += try applySpan(changePlan.span, host: host, phase: .afterNetworks)
        }

        let time = HostTime.serve(lab: plan.name, subnets: hostTimeSubnets())
        for line in [time] + hostTimeElsewhere() where !line.isEmpty { progress.step(line) }

        // Nodes: create what is missing, start what is stopped, in parallel with a bounded number of workers.
        var work: [(host: String, existing: LabPlan.Node?, new: LabChangePlan.NewNode?)] = []
        for node in plan.nodes {
            guard let hostPlan = changePlan.hosts.first(where: { $0.host == node.host }) else { continue }
            if let new = hostPlan.newNodes.first(where: { $0.node.name == node.name }) {
                work.append((node.host, nil, new))
            } else {
                work.append((node.host, node, nil))
            }
        }
        let results = LockedArray<(changes: [String], drift: [String], error: VMCtlError?)>()
        forEachConcurrently(work, workers: plan.workers) { [self] item in
            do {
                let outcome = try bootGate.booting(item.new?.node ?? item.existing!) { () throws(VMCtlError) in
                    if let new = item.new { try createNode(new) } else { try ensureRunning(item.existing!) }
                }
                results.append((outcome.changes, outcome.drift, nil))
            } catch let error as VMCtlError {
                results.append(([], [], error))
            } catch {
                results.append(([], [], VMCtlError("\(item.new?.node.name ?? item.existing?.name ?? ""): \(error)")))
            }
        }
        for result in results.values {
            changes += result.changes
            drift += result.drift
        }
        if let failure = results.values.compactMap(\.error).first {
            throw VMCtlError("lab up: \(failure.message); rerun lab up to continue", status: failure.status, libvirtError: failure.libvirtError)
        }

        // Ready means ready: each node's address on the guest, sshd answering, cloud-init done.
        var readiness: [ReadinessReport] = []
        if let stage = plan.wait {
            do {
                readiness = try ReadinessWaiter(progress: progress).wait(for: try readinessTargets(), until: stage, timeout: plan.addressTimeout)
            } catch {
                let lines = error.message.split(separator: "\n").map { "lab up: \($0)" }
                throw VMCtlError(lines.joined(separator: "\n"), status: error.status, libvirtError: error.libvirtError)
            }
            // Ready by kolla's rules too: chrony, which cloud-init set up, has synchronized the clock.
            if stage >= .cloudInit { waitForClocks() }
        }
        return LabUpResult(changes: changes, drift: drift, status: try status(), readiness: readiness)
    }

    /// What readiness waits on for each node: its management NIC, a static
    /// address where the network has no DHCP, the plan's login and its serial log.
    func readinessTargets(only names: [String]? = nil) throws(VMCtlError) -> [ReadinessTarget] {
        try plan.nodes.filter { names?.contains($0.name) ?? true }.map { node throws(VMCtlError) in
            let connection = try connection(node.host)
            let name = plan.objectName(node.name)
            let domain = try libvirt("looking up \(name)") { try connection.domain(named: name) }
            let management = node.networks.first
            let network = management.flatMap { nic in plan.networks.first { $0.name == nic.network } }
            var target = ReadinessTarget(
                name: node.name, connection: connection, domain: domain,
                mac: management.map { _ in Self.mac(lab: plan.name, node: node.name, nic: 0) },
                staticAddress: network?.dhcp == false ? management?.ip : nil,
                login: VMMetadata.Login(user: plan.login.user, privateKeyPath: plan.login.privateKey),
                serialLog: serialLog(node), knownHost: KnownHost.of(domain: name, lab: plan.name))
            target.leaseSource = try management.flatMap { nic throws(VMCtlError) in try leaseSource(nic.network, node: node) }
            return target
        }
    }

    func serialLog(_ node: LabPlan.Node) -> String {
        plan.serialDirectory.appendingPathComponent("\(node.name).log")
    }

    func createPool(_ pool: LabChangePlan.NewPool, host: String, connection: Connection) throws(VMCtlError) -> String {
        progress.step("\(host): creating pool \(pool.name)")
        // Recorded before it exists: a run killed after the define still knows it made it.
        var state = LabState.load(lab: plan.name) ?? LabState()
        if !(state.pools?[host] ?? []).contains(pool.name) { state.pools = state.pools ?? [:]; state.pools?[host, default: []].append(pool.name) }
        try state.save(lab: plan.name)
        try StorageService(connection: connection).apply(pool.definition, request: pool.request) { [progress] step in progress.step("\(host): \(step)") }
        return "\(host): created pool \(pool.name)"
    }

    func startPool(_ name: String, host: String, connection: Connection) throws(VMCtlError) -> String {
        let pool = try libvirt("looking up pool \(name)") { try connection.storagePool(named: name) }
        progress.step("\(host): starting pool \(name)")
        // Its directory may have gone since, or a killed run never built it:
        // building a dir pool makes it, touching nothing else.
        try? pool.build([.noOverwrite])
        try libvirt("starting pool \(name)") { try pool.start() }
        // One this lab made (a killed run's) is finished as createPool would have.
        if (LabState.load(lab: plan.name)?.pools?[host] ?? []).contains(name) {
            try libvirt("setting autostart on pool \(name)") { try pool.setAutostart(true) }
        }
        return "\(host): started pool \(name)"
    }

    /// The plan's static addresses on `network` as DHCP reservations.
    func reservations(on network: LabPlan.Network) throws(VMCtlError) -> [DHCPHost] {
        guard network.dhcp else { return [] }
        var hosts: [DHCPHost] = []
        for node in plan.nodes {
            for (index, nic) in node.networks.enumerated() where nic.network == network.name {
                guard let address = nic.ip else { continue }
                hosts.append(DHCPHost(mac: Self.mac(lab: plan.name, node: node.name, nic: index), name: node.name,
                                      ip: try parsed { try IPAddress(address) }))
            }
        }
        return hosts
    }

    /// An existing lab network: drift is reported, reservations the plan added since are made, and it is started.
    func reconcileNetwork(_ network: LabPlan.Network, host: String, connection: Connection) throws(VMCtlError) -> ([String], [String]) {
        let name = plan.objectName(network.name)
        let existing = try libvirt("looking up network \(name)") { try connection.network(named: name) }
        var changes: [String] = []
        var drift: [String] = []
        let current = try libvirt("reading network \(name)") { try NetworkDefinition(xml: try existing.xml(inactive: true)) }
        let spannedHere = spannedSegment(network.name).map { $0.home != host } ?? false
        if !spannedHere, current.ips.first?.address.subnetText != network.subnet?.subnetText || current.forward != network.mode.forward {
            drift.append("\(host): network \(name) differs from the plan (subnet or mode); not changed")
        }
        let have = Set(current.ips.first?.hosts.compactMap(\.mac) ?? [])
        for reservation in try reservations(on: network) where !(reservation.mac.map(have.contains) ?? true) {
            guard current.ips.first != nil else { break }
            let xml = NetworkService.hostXML(reservation)
            let active = try libvirt("reading network \(name)") { try existing.isActive() }
            try libvirt("reserving \(reservation.ip) on \(name)") {
                try existing.addDHCPHost(xml: xml, impact: active ? [.live, .config] : .config)
            }
            changes.append("\(host): reserved \(reservation.ip) on \(name)")
        }
        if try !libvirt("reading network \(name)", { try existing.isActive() }) {
            progress.step("\(host): starting network \(name)")
            try NetworkService.start(existing, name: name)
            changes.append("\(host): started network \(name)")
        }
        // One this lab made, left by a killed run before its autostart was set.
        if (LabState.load(lab: plan.name)?.networks[host] ?? []).contains(name),
            try !libvirt("reading network \(name)", { try existing.autostart() })
        {
            try libvirt("setting autostart on network \(name)") { try existing.setAutostart(true) }
        }
        return (changes, drift)
    }

    func createNetwork(_ network: LabChangePlan.NewNetwork, host: String, connection: Connection) throws(VMCtlError) -> String {
        let name = network.definition.name.rawValue
        progress.step("\(host): creating network \(name)")
        // Recorded before it exists: a run killed after the define still knows it made it.
        var state = LabState.load(lab: plan.name) ?? LabState()
        if !(state.networks[host] ?? []).contains(name) { state.networks[host, default: []].append(name) }
        try state.save(lab: plan.name)
        try NetworkService(connection: connection).apply(network.definition, autostart: true, start: true) { [progress] step in
            progress.step("\(host): \(step)")
        }
        return "\(host): created network \(name)"
    }

    /// How long a node the daemon keeps busy (code 68) is tried again, in seconds.
    static let busyDaemonWait: Double = 300

    /// A node whose domain exists: started if stopped, resumed if paused; drift reported.
    func ensureRunning(_ node: LabPlan.Node) throws(VMCtlError) -> (changes: [String], drift: [String]) {
        let connection = try connection(node.host)
        let name = plan.objectName(node.name)
        let domain = try libvirt("looking up \(name)") { try connection.domain(named: name) }
        var drift: [String] = []
        let definition = try libvirt("reading \(name)") { try DomainDefinition(xml: try domain.xml([.inactive])) }
        if node.memory.size != definition.memory {
            drift.append("\(node.name): memory is \(definition.memory) but the plan says \(node.memory); not changed")
        }
        if definition.vcpus != node.vcpus {
            drift.append("\(node.name): \(definition.vcpus) vCPUs but the plan says \(node.vcpus); not changed")
        }
        // A daemon that has just restarted holds each guest's job while it
        // reconnects, and may kill a guest it finds half started; on a loaded
        // host that can outlast libvirt's 30 s wait for the job (code 68). The
        // state is then read again, for up to 5 minutes: CI's loaded host once
        // held a node past four such waits.
        let deadline = Date().addingTimeInterval(Self.busyDaemonWait)
        while true {
            do {
                return (try bringUp(domain, node: node), drift)
            } catch where error.libvirtError?.code == .operationTimeout && Date() < deadline {
                progress.step("\(node.name): libvirtd is busy with it (\(error.libvirtError?.message ?? "")); reading its state again")
            }
        }
    }

    /// One try at making a defined node run: started if stopped, resumed if paused.
    private func bringUp(_ domain: Domain, node: LabPlan.Node) throws(VMCtlError) -> [String] {
        let name = plan.objectName(node.name)
        if try libvirt("reading \(name)", { try domain.isActive() }) {
            // A daemon that died while starting the node leaves QEMU paused
            // before its first instruction; lab up means running, so resume it.
            guard try libvirt("reading the state of \(name)", { try domain.state() }).state == .paused else { return [] }
            progress.step("\(node.name): resuming (it was paused)")
            do {
                try domain.resume()
            } catch {
                // Paused only for the moment the daemon's own start job needed: it ran on.
                if (try? domain.state())?.state == .running { return [] }
                throw .libvirt(error, while: "resuming \(name)")
            }
            return ["\(node.name): resumed"]
        }
        progress.step("\(node.name): starting")
        try libvirt("starting \(name)") { try domain.start() }
        return ["\(node.name): started"]
    }

    /// A node planned in full before the lab's first change: what an
    /// interrupted run left of it goes (its volumes are ours by name), then it is made.
    func createNode(_ new: LabChangePlan.NewNode) throws(VMCtlError) -> (changes: [String], drift: [String]) {
        let node = new.node
        let connection = try connection(node.host)
        if !new.orphans.isEmpty {
            let pool = try libvirt("looking up pool \(node.pool)") { try connection.storagePool(named: node.pool) }
            for volume in new.orphans {
                progress.step("\(node.name): removing \(volume) left by an interrupted run")
                try libvirt("deleting \(volume)") { try pool.volume(named: volume).delete() }
            }
        }
        progress.step("\(node.name): creating on \(node.host)")
        do {
            try VMCreator(connection: connection, progress: SilentProgress()).run(new.plan)
        } catch {
            // The create rolled back what it made; a definition that landed late is why.
            guard try removeLateDefinition(of: node, on: connection) else { throw error }
            try VMCreator(connection: connection, progress: SilentProgress()).run(new.plan)
        }
        return (["\(node.name): created and started"], [])
    }

    /// A run killed while its define of this node was on the wire: the daemon
    /// still defines the domain, after this run planned the node as missing, and
    /// this run's define then meets it ("already exists with uuid"). A domain
    /// that is shut off and records this lab in its metadata is that killed
    /// run's, and goes (virDomainLookupByName, virDomainIsActive,
    /// virDomainGetXMLDesc, virDomainUndefineFlags); returns whether one went.
    private func removeLateDefinition(of node: LabPlan.Node, on connection: Connection) throws(VMCtlError) -> Bool {
        let name = plan.objectName(node.name)
        guard let domain = try find("looking up domain \(name)", missing: .noDomain, { try connection.domain(named: name) }),
            try !libvirt("reading \(name)", { try domain.isActive() })
        else { return false }
        let definition = try libvirt("reading \(name)") { try DomainDefinition(xml: try domain.xml([.inactive])) }
        guard definition.metadata?.lab?.rawValue == plan.name else { return false }
        progress.step("\(node.name): removing the definition an interrupted run sent late")
        try libvirt("undefining \(name)") { try domain.undefine(definition.undefineFlags) }
        return true
    }

    /// The node's cloud-init settings: its hostname and the plan's cloud_init.
    public func seedConfig(for node: LabPlan.Node) throws(VMCtlError) -> SeedConfig {
        let settings = node.cloudInit ?? LabPlan.CloudInit()
        var config = SeedConfig(hostname: node.name, instanceID: "\(plan.name)-\(node.name)")
        config.sshAuthorizedKeys = settings.sshKeys
        config.ntpServers = settings.ntpServers
        config.timezone = settings.timezone
        config.packages = settings.packages
        config.runcmd = settings.commands.map { .shell($0) }
        config.extraUserData = settings.userData
        applyKollaSeed(to: &config, node: node)
        if let mode = settings.selinux {
            guard let selinux = SeedConfig.SELinuxMode(rawValue: mode) else {
                throw .invalid(field: .seed("selinux"), "\"\(mode)\" is not allowed: enforcing, permissive or disabled")
            }
            config.selinux = selinux
        }
        return config
    }

    /// The `vm create` NIC for a node's NIC: the lab network, the node's
    /// stable MAC, the plan's device name, and a static address where the
    /// network has no DHCP (with DHCP, a static address is a reservation).
    func networkSpec(_ nic: LabPlan.NodeNIC, index: Int, node: LabPlan.Node) -> NetworkSpec {
        var spec = NetworkSpec(kind: .network(plan.objectName(nic.network)), mac: Self.mac(lab: plan.name, node: node.name, nic: index),
                               device: nic.device)
        let network = plan.networks.first { $0.name == nic.network }
        if let ip = nic.ip, let network, !network.dhcp, let subnet = network.subnet {
            let routed = network.mode == .nat && index == 0
            let gateway = routed ? subnet.gateway?.description : nil
            spec.ipv4 = .fixed(address: ip, prefix: subnet.prefixLength, gateway: gateway, nameservers: gateway.map { [$0] } ?? [])
        }
        // Over VXLAN, frames carry 50 bytes more: the guest sends smaller ones.
        spec.mtu = spannedSegment(nic.network)?.guestMTU
        return spec
    }

    // MARK: status

    public func status() throws(VMCtlError) -> LabStatus {
        var nodes: [LabNodeStatus] = []
        var leases: [String: [String: String]] = [:]  // host/network → MAC → IP
        for node in plan.nodes {
            let connection = try connection(node.host)
            let objectName = plan.objectName(node.name)
            let domain = try find("looking up \(objectName)", missing: .noDomain, { try connection.domain(named: objectName) })
            let state = (try? domain?.state().state.description) ?? "missing"
            var interfaces: [LabInterfaceStatus] = []
            for (index, nic) in node.networks.enumerated() {
                let mac = Self.mac(lab: plan.name, node: node.name, nic: index).description
                // A reservation is not an address the guest has: only a lease, or a static address on a network without DHCP.
                let dhcp = plan.networks.first { $0.name == nic.network }?.dhcp ?? true
                var address = dhcp ? nil : nic.ip
                if dhcp {
                    // A spanned network's leases are its home host's.
                    let leaseHost = spannedSegment(nic.network)?.home ?? node.host
                    let key = "\(leaseHost)/\(nic.network)"
                    if leases[key] == nil {
                        let networkName = plan.objectName(nic.network)
                        let network = try find("looking up network \(networkName)", missing: .noNetwork, { try self.connection(leaseHost).network(named: networkName) })
                        // A stopped network has no leases to read.
                        let list = (network.flatMap { try? $0.dhcpLeases() }) ?? []
                        leases[key] = Dictionary(list.filter { $0.family == .ipv4 }.map { ($0.mac.lowercased(), $0.ipAddress) },
                                                 uniquingKeysWith: { _, last in last })
                    }
                    address = leases[key]?[mac]
                }
                interfaces.append(LabInterfaceStatus(network: nic.network, device: nic.device, mac: mac, address: address))
            }
            nodes.append(LabNodeStatus(name: node.name, roles: node.roles, host: node.host, uri: plan.hosts[node.host] ?? "",
                                       state: state, interfaces: interfaces, volumeGroups: node.disks.compactMap(\.volumeGroup)))
        }
        let networks = plan.networks.map { network in
            let active = usedHosts.allSatisfy { host in
                ((try? connection(host).network(named: plan.objectName(network.name)).isActive()) ?? false) == true
            }
            let range = network.effectiveDHCPRange.map { "\($0.start)-\($0.end)" }
            return LabNetworkStatus(name: network.name, mode: network.mode.rawValue, subnet: network.subnet?.description,
                                    dhcpRange: range, active: active)
        }
        let virtType = DomainTypeSelector(uri: plan.hosts["local"] ?? ConnectionTarget(uri: nil).assumedURI).novaComputeVirtType().rawValue
        var status = LabStatus(lab: plan.name, nodes: nodes, networks: networks, novaComputeVirtType: virtType, login: plan.login)
        status.checkpoints = checkpointNames()
        return status
    }

    // MARK: down

    /// Removes the lab's domains with the volumes vmctl made for them, then
    /// (unless `keepNetworks`) the lab's networks. Pools and images stay: they may be shared.
    public func down(keepNetworks: Bool) throws(VMCtlError) -> [String] {
        let lock = try lockLab()
        defer { withExtendedLifetime(lock) {} }
        let state = LabState.load(lab: plan.name)
        var hosts: [LabTeardown.Host] = []
        for host in usedHosts {
            let connection = try connection(host)
            var domains: [Domain] = []
            for node in plan.nodes where node.host == host {
                let name = plan.objectName(node.name)
                if let domain = try find("looking up \(name)", missing: .noDomain, { try connection.domain(named: name) }) { domains.append(domain) }
            }
            hosts.append(LabTeardown.Host(host: host, connection: connection, domains: domains, byName: true,
                                          networks: plan.networks.map { plan.objectName($0.name) }, pools: state?.pools?[host] ?? []))
        }
        let removed = try LabTeardown.tearDown(lab: plan.name, hosts: hosts, keepNetworks: keepNetworks, progress: progress)
        return removed + (try LabTeardown.finish(lab: plan.name, state: state, keepNetworks: keepNetworks, progress: progress))
    }
}

/// An array appended to from several threads.
final class LockedArray<Element>: @unchecked Sendable {
    private var storage: [Element] = []
    private let lock = Lock()
    func append(_ element: Element) {
        lock.lock()
        storage.append(element)
        lock.unlock()
    }
    var values: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

