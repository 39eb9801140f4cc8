import Foundation
import Libvirt
import LibvirtXML
import NoCloud

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

    /// One line per change, in the order `lab up` makes them.
    public var steps: [String] {
        var lines: [String] = []
        for host in hosts {
            let name = host.host
            lines += host.newPools.map { pool in "\(name): create pool \(pool.name)" }
            lines += host.stoppedPools.map { pool in "\(name): start pool \(pool)" }
            lines += host.imports.map { image in "\(name): import \(image.path ?? "") as \(image.pool)/\(image.name)" }
            lines += host.newNetworks.map { network in "\(name): create network \(network.definition.name.rawValue)" }
            lines += host.existingNodes.map { node in "\(name): start \(node.name) if it is not running" }
            lines += host.newNodes.map { node in "\(name): create \(node.plan.domain.name.rawValue) with \(node.plan.volumes.count) volumes" }
        }
        return lines
    }
}

extension LabRunner {
    /// Plans the whole lab against every host it uses, changing nothing.
    /// Every problem is reported at once, one `FILE:LINE: field: rule` line
    /// each (status 64); a failed libvirt call stops planning with its error.
    public func planChanges(requireKVM: Bool = false) throws(VMCtlError) -> LabChangePlan {
        var issues: [PlanIssue] = []
        var hosts: [LabChangePlan.HostPlan] = []
        // Pools and networks no node uses are still the lab's: made on its first host.
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
            var hostPlan = LabChangePlan.HostPlan(host: host, domainType: choice)
            var pending = PendingObjects()
            let nodes = plan.nodes.filter { $0.host == host }
            let local = try StorageService(connection: connection).isLocal()
            let facts = try HostFacts.read(connection)

            func unused(pool: String) -> Bool {
                host == home && !plan.nodes.contains { $0.pool == pool } && !plan.images.contains { $0.pool == pool }
            }
            for pool in plan.pools
            where nodes.contains(where: { $0.pool == pool.name }) || plan.images.contains(where: { $0.pool == pool.name }) || unused(pool: pool.name) {
                if let existing = try find("looking up pool \(pool.name)", missing: .noStoragePool, { try connection.storagePool(named: pool.name) }) {
                    if try !libvirt("reading pool \(pool.name)", { try existing.isActive() }) { hostPlan.stoppedPools.append(pool.name) }
                    continue
                }
                do throws(VMCtlError) {
                    let definition = try StorageService(connection: connection).plan(PoolCreateRequest(name: pool.name, kind: .dir, target: pool.target))
                    hostPlan.newPools.append(.init(name: pool.name, definition: definition))
                    pending.pools[pool.name] = pool.target
                } catch {
                    issues.append(try issue(error, at: pool.source, fields: ["--target": "target", "name": "name"]))
                    // Taken as made, so what depends on it is still checked on its own.
                    pending.pools[pool.name] = pool.target
                }
            }

            for image in plan.images {
                var poolExists = pending.pools[image.pool] != nil
                if !poolExists {
                    poolExists = try find("looking up pool \(image.pool)", missing: .noStoragePool, { try connection.storagePool(named: image.pool) }) != nil
                }
                guard poolExists else {
                    guard nodes.contains(where: { $0.image == .volume(pool: nil, name: image.name) || $0.image == .volume(pool: image.pool, name: image.name) })
                    else { continue }
                    issues.append(PlanIssue(file: plan.file, line: image.source.line, field: "\(image.source.field).pool",
                                            rule: "no pool '\(image.pool)' on \(host), and the plan's pools do not make it"))
                    continue
                }
                if pending.pools[image.pool] == nil,
                    let pool = try find("looking up pool \(image.pool)", missing: .noStoragePool, { try connection.storagePool(named: image.pool) }),
                    try find("looking up volume \(image.pool)/\(image.name)", missing: .noStorageVolume, { try pool.volume(named: image.name) }) != nil
                {
                    continue
                }
                guard let path = image.path else {
                    issues.append(PlanIssue(file: plan.file, line: image.source.line, field: "\(image.source.field).path",
                                            rule: "pool '\(image.pool)' on \(host) has no volume '\(image.name)', and no path to import it from is given"))
                    pending.volumes[image.pool, default: [:]][image.name] = 1 << 30
                    continue
                }
                guard local else {
                    issues.append(PlanIssue(file: plan.file, line: image.source.line, field: "\(image.source.field).path",
                                            rule: "imports need a daemon on this machine; \(host) is remote: import it there with vmctl vol import"))
                    continue
                }
                do throws(VMCtlError) {
                    try InputFile.requireRegular(path, field: "\(image.source.field).path")
                    pending.volumes[image.pool, default: [:]][image.name] = try virtualSize(atPath: path)
                    hostPlan.imports.append(image)
                } catch {
                    issues.append(PlanIssue(file: plan.file, line: image.source.line, field: "\(image.source.field).path",
                                            rule: Self.rule(of: error.message)))
                    pending.volumes[image.pool, default: [:]][image.name] = 1 << 30
                }
            }

            // A remote daemon's host networks are not this machine's: only libvirt's own networks are compared.
            var service = NetworkService(connection: connection, host: { local ? HostNetworkState.live() : HostNetworkState() })
            service.checksHost = local
            func used(_ network: LabPlan.Network, by nodes: [LabPlan.Node]) -> Bool {
                nodes.contains { $0.networks.contains { $0.network == network.name } }
            }
            for network in plan.networks where used(network, by: nodes) || (host == home && !used(network, by: plan.nodes)) {
                let name = plan.objectName(network.name)
                if try find("looking up network \(name)", missing: .noNetwork, { try connection.network(named: name) }) != nil {
                    hostPlan.existingNetworks.append(network)
                    continue
                }
                do throws(VMCtlError) {
                    hostPlan.newNetworks.append(.init(network: network, definition: try networkDefinition(network, service: service)))
                    pending.networks.insert(name)
                } catch {
                    issues.append(try issue(error, at: network.source,
                                            fields: ["--subnet": "subnet", "--dhcp-range": "dhcp_range", "--bridge": "bridge", "name": "name"]))
                    pending.networks.insert(name)
                }
            }

            for node in nodes {
                let name = plan.objectName(node.name)
                if try find("looking up domain \(name)", missing: .noDomain, { try connection.domain(named: name) }) != nil {
                    hostPlan.existingNodes.append(node)
                    continue
                }
                var orphans: [String] = []
                if pending.pools[node.pool] == nil,
                    let pool = try find("looking up pool \(node.pool)", missing: .noStoragePool, { try connection.storagePool(named: node.pool) })
                {
                    for volume in Self.volumeNames(of: node, objectName: name)
                    where try find("looking up volume \(volume)", missing: .noStorageVolume, { try pool.volume(named: volume) }) != nil {
                        orphans.append(volume)
                    }
                }
                var nodePending = pending
                nodePending.removedVolumes[node.pool, default: []].formUnion(orphans)
                do throws(VMCtlError) {
                    var creator = VMCreator(connection: connection, progress: SilentProgress())
                    creator.pending = nodePending
                    creator.hostFacts = facts
                    let vmPlan = try creator.plan(try createRequest(for: node), domainType: choice)
                    hostPlan.newNodes.append(.init(node: node, orphans: orphans, plan: vmPlan))
                } catch {
                    issues.append(try issue(error, at: node.source, fields: Self.nodeFields))
                }
            }
            hosts.append(hostPlan)
        }
        if !issues.isEmpty {
            var seen = Set<String>()
            let lines = issues.map(\.description).filter { seen.insert($0).inserted }
            throw VMCtlError(lines.joined(separator: "\n"), status: .usage)
        }
        return LabChangePlan(hosts: hosts)
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
        guard let colon = message.range(of: ": ") else {
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
        message.range(of: ": ").map { String(message[$0.upperBound...]) } ?? message
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
