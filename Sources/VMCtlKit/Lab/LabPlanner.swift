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
        /// As `pool create` would be asked: `StorageService.apply` makes it from these.
        var request: PoolCreateRequest
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
        /// Its interfaces, addresses and routes (`HostNetworkState.of`).
        var hostNetwork: HostNetworkState
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
        try checkSSHChannels()
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
            let local = try StorageService(connection: connection).isLocal()
            var planning = HostPlanning(
                host: host, connection: connection, local: local, facts: try HostFacts.read(connection),
                hostNetwork: try HostNetworkState.of(connection, local: local), nodes: plan.nodes.filter { $0.host == host },
                isHome: host == home, plan: LabChangePlan.HostPlan(host: host, domainType: choice))
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
                let request = PoolCreateRequest(name: pool.name, kind: .dir, target: pool.target, autostart: true, start: true)
                let definition = try StorageService(connection: connection).plan(request)
                planning.plan.newPools.append(.init(name: pool.name, request: request, definition: definition))
            } catch {
                planning.issues.append(try issue(error, at: pool.source))
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
                try InputFile.requireRegular(path, field: .option(issueField))
                let inspected = try StorageService(connection: connection)
                    .importable(path, field: issueField, pendingDirectories: Array(planning.pending.pools.values))
                planning.pending.volumes[image.pool, default: [:]][image.name] = inspected.virtualSize
                planning.plan.imports.append(image)
            } catch {
                refuse(issueField, error.rule ?? error.message)
            }
        }
    }

    /// The networks the host's nodes use (and on the home host those no node
    /// uses), through `net create`'s builder and checks.
    func planNetworks(_ planning: inout HostPlanning) throws(VMCtlError) {
        let connection = planning.connection
        // The host's facts through the port, read once for the host's networks and nodes.
        let hostNetwork = planning.hostNetwork
        let service = NetworkService(connection: connection, host: { hostNetwork })
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
                planning.issues.append(try issue(error, at: network.source))
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
            creator.hostNetwork = planning.hostNetwork
            do throws(VMCtlError) {
                let vmPlan = try creator.plan(try spec(for: node), domainType: planning.plan.domainType)
                planning.plan.newNodes.append(.init(node: node, orphans: orphans, plan: vmPlan))
            } catch {
                planning.issues.append(try issue(error, at: node.source))
            }
        }
    }

    /// The volumes vmctl makes for a node, by their deterministic names (`VMVolumeNames`):
    /// a root disk unless the node boots a kernel alone, and always a seed.
    static func volumeNames(of node: LabPlan.Node, objectName name: String) -> [String] {
        VMVolumeNames.all(name, hasRootDisk: node.image != nil || node.diskSize != nil, dataDisks: node.disks.count, seed: true)
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

    /// The node as `vm create` takes it, through the one initializer of `VMSpec`.
    func spec(for node: LabPlan.Node) throws(VMCtlError) -> VMSpec {
        // A plan image by name is the volume in that image's pool.
        let image = node.image.map { image in
            guard case .volume(nil, let name) = image, let known = plan.images.first(where: { $0.name == name }) else { return image }
            return ImageRef.volume(pool: known.pool, name: known.name)
        }
        return try VMSpec(
            name: try ObjectName(given: plan.objectName(node.name), field: .vm(.name)), pool: try ObjectName(given: node.pool, field: .vm(.pool)),
            memory: node.memory, vcpus: node.vcpus, diskSize: node.diskSize,
            lab: try ObjectName(given: plan.name, field: .vm(.lab)),
            role: try node.roles.first.map { role throws(VMCtlError) in try ObjectName(given: role, field: .vm(.role)) },
            image: image, fullCopy: false, cdrom: nil, kernel: node.kernel, initrd: node.initrd, cmdline: node.cmdline, cpu: nil,
            nested: false, networks: node.networks.enumerated().map { index, nic in networkSpec(nic, index: index, node: node) },
            dataDisks: node.disks, autostart: false, start: true, serialFile: serialLog(node), graphics: .none,
            seed: try seedConfig(for: node), login: VMMetadata.Login(user: plan.login.user, privateKeyPath: plan.login.privateKey),
            firmware: node.firmware)
    }

    /// A planning error as a plan issue at `source`: bad input names the
    /// object's setting (`planField`) with its rule; a failed call is thrown as it is.
    func issue(_ error: VMCtlError, at source: LabPlan.Source) throws(VMCtlError) -> PlanIssue {
        guard error.status == .usage else { throw error }
        let rule = error.field == nil ? error.message : error.rule ?? error.message
        return PlanIssue(file: plan.file, line: source.line, field: error.field.map { Self.planField($0, of: source.field) } ?? source.field,
                         rule: rule.split(separator: "\n").first.map(String.init) ?? rule)
    }

    /// The plan's name for an input of the object at `object` (`nodes[0]`): a
    /// setting below it (`nodes[0].memory`), a plan-wide setting (`login.user`),
    /// or the object itself when the plan has no such setting.
    static func planField(_ field: InputField, of object: String) -> String {
        let key: PlanKey
        switch field {
        case .vm(let field): key = nodeKey(field)
        case .network(let field): key = networkKey(field)
        case .pool(let field): key = poolKey(field)
        case .model(let path): key = .below(path)
        case .seed(let property): key = seedKey(property)
        case .option(let name):
            // A command's own operand (`pool`, `volume`) that a node's planning reached: named below the object.
            let plain = !name.hasPrefix("-") && name.allSatisfy { $0.isLetter || $0.isNumber || "_.[]".contains($0) }
            key = plain ? .below(name) : .object
        }
        switch key {
        case .below(let path): return "\(object).\(path)"
        case .planWide(let path): return path
        case .object: return object
        }
    }

    /// Where a plan keeps an input.
    enum PlanKey {
        /// A setting below the object (`memory`, `cloud_init.ssh_keys`).
        case below(String)
        /// A setting of the whole plan (`login.user`).
        case planWide(String)
        /// None of its own: the object is named.
        case object
    }

    /// A node's setting for each of `vm create`'s inputs.
    static func nodeKey(_ field: VMField) -> PlanKey {
        switch field {
        case .name, .hostname: .below("name")
        case .memory: .below("memory")
        case .vcpus: .below("vcpus")
        case .diskSize: .below("disk_size")
        case .bootDisk, .image, .fullCopy: .below("image")
        case .pool: .below("pool")
        case .kernel, .kernelOptions: .below("kernel")
        case .initrd: .below("initrd")
        case .firmware: .below("firmware")
        case .network, .networkDevice: .below("networks")
        case .dataDisk: .below("disks")
        case .sshKey: .below("cloud_init.ssh_keys")
        case .cloudInit: .below("cloud_init.user_data")
        case .role: .below("roles")
        case .lab: .planWide("lab")
        case .serialFile: .planWide("serial_dir")
        case .sshPrivateKey: .planWide("login.private_key")
        case .loginUser: .planWide("login.user")
        case .networkMAC, .networkModel, .cpu, .graphics: .object
        }
    }

    /// A lab network's setting for each of `net create`'s inputs.
    static func networkKey(_ field: NetworkField) -> PlanKey {
        switch field {
        case .name: .below("name")
        case .subnet: .below("subnet")
        case .dhcpRange: .below("dhcp_range")
        case .bridge: .below("bridge")
        case .domain: .object
        }
    }

    /// A lab pool's setting for each of `pool create`'s inputs.
    static func poolKey(_ field: PoolField) -> PlanKey {
        switch field {
        case .name: .below("name")
        case .target: .below("target")
        case .sourceDevice, .sourceHost, .sourcePath, .sourceName: .object
        }
    }

    /// A node's `cloud_init` setting for a seed property (`ntpServers[1]` is `cloud_init.ntp_servers[1]`).
    static func seedKey(_ property: String) -> PlanKey {
        let base = property.prefix { $0 != "[" && $0 != "." }
        guard let setting = SeedSetting.all.first(where: { $0.0 == base })?.1 else { return .below(property) }
        guard let key = setting.planKey else { return .object }
        return .below(key + property.dropFirst(base.count))
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
