import FoundationEssentials
import Libvirt
import LibvirtXML
import NoCloud
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// Everything `lab up` would change, decided from the plan's typed values and
/// checked against each host's connection (read-only) before the first change.
/// `lab validate` prints it; `lab up` applies it.
public struct LabChangePlan: Sendable {
    /// One host's share of the lab, in the order `lab up` applies it.
    struct HostPlan: Sendable {
        var host: String
        var domainType: DomainTypeSelector.Choice
        var newPools: [NewPool] = []
        /// Pools that exist but are stopped.
        var stoppedPools: [String] = []
        var imports: [LabPlan.Image] = []
        var newNetworks: [NewNetwork] = []
        var existingNetworks: [LabPlan.Network] = []
        var newNodes: [NewNode] = []
        var existingNodes: [LabPlan.Node] = []
        /// Existing nodes that are not running: lab up starts them.
        var stoppedNodes: [String] = []
    }

    struct NewPool: Sendable {
        var name: String
        var definition: StoragePoolDefinition
    }

    struct NewNetwork: Sendable {
        var network: LabPlan.Network
        var definition: NetworkDefinition
    }

    struct NewNode: Sendable {
        var node: LabPlan.Node
        /// This node's volumes left by an interrupted run: deleted before it is made.
        var orphans: [String]
        var plan: VMCreatePlan
    }

    var hosts: [HostPlan]
    /// The hosts' kernels' part of the spanned networks (Lab/SpannedNetwork.swift).
    var span = SpanChangePlan()
    /// Where `host: auto` put each such node, one line each (Lab/LabPlacement.swift).
    var placement: [String] = []

    /// `a: on host2 (host: auto)`, by node name.
    static func placementLines(_ placed: [String: String]) -> [String] {
        placed.sorted { $0.key < $1.key }.map { "\($0.key): on \($0.value) (host: auto)" }
    }

    /// One line per change, in the order `lab up` makes them.
    public var steps: [String] {
        var lines: [String] = placement
        for host in hosts {
            let name = host.host
            lines += host.newPools.map { pool in "\(name): create pool \(pool.name)" }
            lines += host.stoppedPools.map { pool in "\(name): start pool \(pool)" }
            lines += host.imports.map { image in "\(name): import \(image.path ?? "") as \(image.pool)/\(image.name)" }
            lines += span.lines(host: name, phase: .beforeNetworks)
            lines += host.newNetworks.map { network in "\(name): create network \(network.definition.name.rawValue)" }
            lines += span.lines(host: name, phase: .afterNetworks)
            lines += host.stoppedNodes.map { node in "\(name): start \(node)" }
            lines += host.newNodes.map { node in "\(name): create \(node.plan.domain.name.rawValue) with \(node.plan.volumes.count) volumes" }
        }
        return lines
    }
}

extension LabRunner {
    /// One host's planning: what is known of it, what the lab will have made
    /// there so far, and the problems found.
    struct HostPlanning {
        var host: String
        var connection: Connection
        var local: Bool
        var facts: HostFacts
        var nodes: [LabPlan.Node]
        /// The lab's first host, where pools and networks no node uses are made.
        var isHome: Bool
        var plan: LabChangePlan.HostPlan
        var pending = PendingObjects()
        var issues: [PlanIssue] = []
    }

    /// Plans the whole lab against every host it uses, changing nothing.
    /// Every problem is reported at once, one `FILE:LINE: field: rule` line
    /// each (status 64); a failed libvirt call stops planning with its error.
    public func planChanges(requireKVM: Bool = false) throws(VMCtlError) -> LabChangePlan {
        if let placementError { throw placementError }
        var issues: [PlanIssue] = []
        if let rule = SerialLogPath.directoryRule(plan.serialDirectory) {
            issues.append(PlanIssue(file: plan.file, line: plan.serialDirectoryLine, field: "serial_dir", rule: rule))
        }
        var hosts: [LabChangePlan.HostPlan] = []
        let home = usedHosts.contains("local") ? "local" : usedHosts.first
        for host in usedHosts {
            let connection = try connection(host)
            let uri = try libvirt("reading the URI of \(host)") { try connection.uri() }
            let choice: DomainTypeSelector.Choice
            do {
                choice = try DomainTypeSelector(uri: uri).choose(requested: nil, requireKVM: requireKVM)
            } catch {
                throw VMCtlError("hosts.\(host): \(error.message)", status: error.status, libvirtError: error.libvirtError)
            }
            var planning = HostPlanning(
                host: host, connection: connection, local: try StorageService(connection: connection).isLocal(),
                facts: try HostFacts.read(connection), nodes: plan.nodes.filter { $0.host == host }, isHome: host == home,
                plan: LabChangePlan.HostPlan(host: host, domainType: choice))
            planning.pending.directories.insert(URL(fileURLWithPath: plan.serialDirectory).standardized.path)
            // In dependency order: what a later step needs is pending by then.
            try planPools(&planning)
            try planImages(&planning)
            try planNetworks(&planning)
            try planNodes(&planning)
            issues += planning.issues
            hosts.append(planning.plan)
        }
        let span = try planSpan(issues: &issues)
        if !issues.isEmpty {
            var seen = Set<String>()
            let lines = issues.map(\.description).filter { seen.insert($0).inserted }
            throw VMCtlError(lines.joined(separator: "\n"), status: .usage)
        }
        var changes = LabChangePlan(hosts: hosts, span: span)
        changes.placement = LabChangePlan.placementLines(autoPlaced)
        return changes
    }

    /// The host's pools: those its nodes or the plan's images use, and on the
    /// home host those nothing uses. Existing ones are started if stopped.
    func planPools(_ planning: inout HostPlanning) throws(VMCtlError) {
        let connection = planning.connection
        for pool in plan.pools {
            let usedHere = planning.nodes.contains { $0.pool == pool.name } || plan.images.contains { $0.pool == pool.name }
            let unused = !plan.nodes.contains { $0.pool == pool.name } && !plan.images.contains { $0.pool == pool.name }
            guard usedHere || (planning.isHome && unused) else { continue }
            if let existing = try find("looking up pool \(pool.name)", missing: .noStoragePool, { try connection.storagePool(named: pool.name) }) {
                if try !libvirt("reading pool \(pool.name)", { try existing.isActive() }) {
                    planning.plan.stoppedPools.append(pool.name)
                    // Started before the nodes are made (a killed run may have left it defined, not built).
                    planning.pending.pools[pool.name] = pool.target
                }
                continue
            }
            do throws(VMCtlError) {
                let definition = try StorageService(connection: connection).plan(PoolCreateRequest(name: pool.name, kind: .dir, target: pool.target))
                planning.plan.newPools.append(.init(name: pool.name, definition: definition))
            } catch {
                planning.issues.append(try issue(error, at: pool.source, fields: ["--target": "target", "name": "name"]))
            }
            // Taken as made even when refused, so what depends on it is still checked on its own.
            planning.pending.pools[pool.name] = pool.target
            if planning.local { planning.pending.poolSpace[pool.name] = StorageService.localSpace(under: pool.target) }
        }
    }

    /// The plan's images whose pool is on the host: present, or imported from their path.
    func planImages(_ planning: inout HostPlanning) throws(VMCtlError) {
        let connection = planning.connection
        for image in plan.images {
            let issueField = "\(image.source.field).path"
            func refuse(_ field: String, _ rule: String) {
                planning.issues.append(PlanIssue(file: plan.file, line: image.source.line, field: field, rule: rule))
                // Taken as there, so the nodes that use it are still checked on their own.
                // Of no size, so the nodes' disks are not also measured against a guess.
                planning.pending.volumes[image.pool, default: [:]][image.name] = 0
            }
            if planning.pending.pools[image.pool] == nil {
                guard let pool = try find("looking up pool \(image.pool)", missing: .noStoragePool, { try connection.storagePool(named: image.pool) }) else {
                    let used = planning.nodes.contains { $0.image == .volume(pool: nil, name: image.name) || $0.image == .volume(pool: image.pool, name: image.name) }
                    if used { refuse("\(image.source.field).pool", "no pool '\(image.pool)' on \(planning.host), and the plan's pools do not make it") }
                    continue
                }
                if try find("looking up volume \(image.pool)/\(image.name)", missing: .noStorageVolume, { try pool.volume(named: image.name) }) != nil {
                    continue
                }
            }
            guard let path = image.path else {
                refuse(issueField, "pool '\(image.pool)' on \(planning.host) has no volume '\(image.name)', and no path to import it from is given")
                continue
            }
            guard planning.local else {
                refuse(issueField, "imports need a daemon on this machine; \(planning.host) is remote: import it there with vmctl vol import")
                continue
            }
            do throws(VMCtlError) {
                try InputFile.requireRegular(path, field: issueField)
                let inspected = try StorageService(connection: connection)
                    .importable(path, field: issueField, pendingDirectories: Array(planning.pending.pools.values))
                planning.pending.volumes[image.pool, default: [:]][image.name] = inspected.virtualSize
                planning.plan.imports.append(image)
            } catch {
                refuse(issueField, Self.rule(of: error.message))
            }
        }
    }

    /// The networks the host's nodes use (and on the home host those no node
    /// uses), through `net create`'s builder and checks.
    func planNetworks(_ planning: inout HostPlanning) throws(VMCtlError) {
        let connection = planning.connection
        let local = planning.local
        // A remote daemon's host networks are not this machine's: only libvirt's own networks are compared.
        var service = NetworkService(connection: connection, host: { local ? HostNetworkState.live() : HostNetworkState() })
        service.checksHost = local
        func used(_ network: LabPlan.Network, by nodes: [LabPlan.Node]) -> Bool {
            nodes.contains { $0.networks.contains { $0.network == network.name } }
        }
        for network in plan.networks where used(network, by: planning.nodes) || (planning.isHome && !used(network, by: plan.nodes)) {
            let name = plan.objectName(network.name)
            if try find("looking up network \(name)", missing: .noNetwork, { try connection.network(named: name) }) != nil {
                planning.plan.existingNetworks.append(network)
                // lab up starts it before the nodes (a killed run may have left it defined, not started).
                planning.pending.networks.insert(name)
                continue
            }
            do throws(VMCtlError) {
                // A spanned network: libvirt's own (DHCP, DNS, NAT) on its home host, onto the segment's bridge; bridge mode elsewhere.
                if let segment = spannedSegment(network.name), segment.home != planning.host {
                    planning.plan.newNetworks.append(.init(network: network, definition: try segment.bridgeDefinition(name: name)))
                    planning.pending.networks.insert(name)
                    continue
                }
                var definition = try networkDefinition(network, service: service)
                if let segment = spannedSegment(network.name) {
                    definition.bridge = BridgeSettings(name: segment.bridge.rawValue)
                    definition.mtu = segment.guestMTU
                }
                planning.plan.newNetworks.append(.init(network: network, definition: definition))
            } catch {
                planning.issues.append(try issue(error, at: network.source,
                                                 fields: ["--subnet": "subnet", "--dhcp-range": "dhcp_range", "--bridge": "bridge", "name": "name"]))
            }
            planning.pending.networks.insert(name)
        }
    }

    /// Every node without a domain, planned in full by `vm create`'s planner
    /// with what the lab makes before it taken as present.
    func planNodes(_ planning: inout HostPlanning) throws(VMCtlError) {
        let connection = planning.connection
        for node in planning.nodes {
            let name = plan.objectName(node.name)
            if let domain = try find("looking up domain \(name)", missing: .noDomain, { try connection.domain(named: name) }) {
                planning.plan.existingNodes.append(node)
                if try !libvirt("reading \(name)", { try domain.isActive() }) { planning.plan.stoppedNodes.append(node.name) }
                continue
            }
            var orphans: [String] = []
            if planning.pending.pools[node.pool] == nil,
                let pool = try find("looking up pool \(node.pool)", missing: .noStoragePool, { try connection.storagePool(named: node.pool) })
            {
                for volume in Self.volumeNames(of: node, objectName: name)
                where try find("looking up volume \(volume)", missing: .noStorageVolume, { try pool.volume(named: volume) }) != nil {
                    orphans.append(volume)
                }
            }
            var creator = VMCreator(connection: connection, progress: SilentProgress())
            creator.pending = planning.pending
            creator.pending.removedVolumes[node.pool, default: []].formUnion(orphans)
            creator.hostFacts = planning.facts
            do throws(VMCtlError) {
                let vmPlan = try creator.plan(try createRequest(for: node), domainType: planning.plan.domainType)
                planning.plan.newNodes.append(.init(node: node, orphans: orphans, plan: vmPlan))
            } catch {
                planning.issues.append(try issue(error, at: node.source, fields: Self.nodeFields))
            }
        }
    }

    /// The volumes vmctl makes for a node, by their deterministic names.
    static func volumeNames(of node: LabPlan.Node, objectName name: String) -> [String] {
        let data = (0..<node.disks.count).map { "\(name)-vd\(Character(UnicodeScalar(UInt8(ascii: "b") + UInt8($0)))).qcow2" }
        return ["\(name).qcow2", "\(name)-seed.iso"] + data
    }

    /// The network's definition, from the one network builder
    /// (`NetworkService.plan`), with the plan's static addresses as DHCP
    /// reservations: known before the guests boot.
    func networkDefinition(_ network: LabPlan.Network, service: NetworkService) throws(VMCtlError) -> NetworkDefinition {
        let range = network.effectiveDHCPRange.map { "\($0.start)-\($0.end)" }
        var definition = try service.plan(NetworkCreateRequest(
            name: plan.objectName(network.name), mode: network.mode, subnet: network.subnet?.subnetText,
            dhcpRange: network.dhcp ? range : nil, bridge: network.bridge, dhcp: network.dhcp, autostart: true))
        if !definition.ips.isEmpty { definition.ips[0].hosts += try reservations(on: network) }
        return definition
    }

    /// The node as `vm create` takes it: typed values only.
    func createRequest(for node: LabPlan.Node) throws(VMCtlError) -> VMCreateRequest {
        var request = VMCreateRequest(name: plan.objectName(node.name))
        // A plan image by name is the volume in that image's pool.
        request.image = node.image.map { image in
            guard case .volume(nil, let name) = image, let known = plan.images.first(where: { $0.name == name }) else { return image }
            return .volume(pool: known.pool, name: known.name)
        }
        request.diskSize = node.diskSize
        request.dataDisks = node.disks
        request.kernel = node.kernel
        request.initrd = node.initrd
        request.cmdline = node.cmdline
        request.firmware = node.firmware
        request.memory = node.memory
        request.vcpus = node.vcpus
        request.pool = node.pool
        request.networks = node.networks.enumerated().map { index, nic in networkSpec(nic, index: index, node: node) }
        request.start = true
        request.serialFile = serialLog(node)
        request.lab = plan.name
        request.role = node.roles.first
        request.seed = try seedConfig(for: node)
        request.login = VMMetadata.Login(user: plan.login.user, privateKeyPath: plan.login.privateKey)
        return request
    }

    /// `vm create`'s field names as a node's plan fields; the ones that name
    /// a plan-wide setting are not prefixed with the node.
    static let nodeFields: [String: String] = [
        "name": "name", "--hostname": "name", "--memory": "memory", "--vcpus": "vcpus", "--disk-size": "disk_size",
        "disk": "image", "--image": "image", "--full": "image", "--pool": "pool", "--kernel": "kernel", "--initrd": "initrd",
        "--initrd/--cmdline": "kernel", "--firmware": "firmware", "--network": "networks", "--network device": "networks", "--disk": "disks",
        "--ssh-key": "cloud_init.ssh_keys", "--cloud-init": "cloud_init.user_data", "extraUserData": "cloud_init.user_data",
        "ntpServers": "cloud_init.ntp_servers", "timezone": "cloud_init.timezone", "packages": "cloud_init.packages",
        "runcmd": "cloud_init.commands", "selinux": "cloud_init.selinux", "--role": "roles",
        "--lab": "/lab", "--serial-file": "/serial_dir", "--ssh-private-key": "/login.private_key", "--login-user": "/login.user",
    ]

    /// A planning error as a plan issue at `source`: bad input becomes the
    /// object's field and rule; a failed call is thrown as it is.
    func issue(_ error: VMCtlError, at source: LabPlan.Source, fields: [String: String]) throws(VMCtlError) -> PlanIssue {
        guard error.status == .usage else { throw error }
        let message = error.message.split(separator: "\n").first.map(String.init) ?? error.message
        guard let colon = message.firstRange(of: ": ") else {
            return PlanIssue(file: plan.file, line: source.line, field: source.field, rule: message)
        }
        let given = String(message[..<colon.lowerBound])
        let base = given.split(separator: "[").first.map(String.init) ?? given
        let index = given.dropFirst(base.count)
        var field = source.field
        if let mapped = fields[base] {
            field = mapped.hasPrefix("/") ? String(mapped.dropFirst()) : "\(source.field).\(mapped)\(index)"
        } else if !given.hasPrefix("-"), given.allSatisfy({ $0.isLetter || $0.isNumber || "_.[]".contains($0) }) {
            field = "\(source.field).\(given)"
        }
        return PlanIssue(file: plan.file, line: source.line, field: field, rule: String(message[colon.upperBound...]))
    }

    /// The rule part of a `field: rule` message.
    static func rule(of message: String) -> String {
        message.firstRange(of: ": ").map { String(message[$0.upperBound...]) } ?? message
    }
}

/// `lab validate`'s result: the plan is valid, and what `lab up` would do
/// now (empty with `--offline`, which does not connect). Docs/json-output.md.
public struct LabValidation: Codable, Sendable, Equatable {
    public var lab: String
    public var nodes: Int
    public var networks: Int
    /// Whether the hosts were asked (false with `--offline`).
    public var checkedAgainstHosts: Bool
    /// One line per change `lab up` would make, in its order.
    public var changes: [String]

    public init(plan: LabPlan, changes: LabChangePlan?) {
        lab = plan.name
        nodes = plan.nodes.count
        networks = plan.networks.count
        checkedAgainstHosts = changes != nil
        self.changes = changes?.steps ?? []
    }
}
