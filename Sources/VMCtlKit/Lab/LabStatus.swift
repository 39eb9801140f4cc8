/// The state of a lab as `vmctl lab status` reports it and as inventories are
/// written from it. Field names are part of the stable JSON output.
public struct LabStatus: Codable, Sendable, Equatable {
    public var lab: String
    public var nodes: [LabNodeStatus]
    public var networks: [LabNetworkStatus]
    /// What the host check recommends for OpenStack on these hosts: "kvm" or "qemu".
    public var novaComputeVirtType: String
    /// How Ansible logs in to every node.
    public var login: LabLogin
    /// The lab's checkpoints by name, oldest first (`lab checkpoints` has the details).
    public var checkpoints: [String]?

    public init(lab: String, nodes: [LabNodeStatus], networks: [LabNetworkStatus], novaComputeVirtType: String,
                login: LabLogin = LabLogin()) {
        self.lab = lab
        self.nodes = nodes
        self.networks = networks
        self.novaComputeVirtType = novaComputeVirtType
        self.login = login
    }
}

/// The plan's `login`: the user cloud-init gives the plan's SSH keys to, and
/// the private key that matches them.
public struct LabLogin: Codable, Sendable, Equatable {
    /// Debian's cloud images name their default user `debian`; Ubuntu's, `ubuntu`.
    public static let defaultUser = "debian"
    public var user: String
    /// A path on the machine that runs Ansible; never the key itself.
    public var privateKey: String?

    public init(user: String = LabLogin.defaultUser, privateKey: String? = nil) {
        self.user = user
        self.privateKey = privateKey
    }
}

/// One node of a lab.
public struct LabNodeStatus: Codable, Sendable, Equatable {
    public var name: String
    public var roles: [String]
    /// The plan's host key (`local` by default) and its libvirt URI.
    public var host: String
    public var uri: String
    /// As `virsh domstate` prints it, or "missing" when the domain does not exist.
    public var state: String
    /// The node's NICs in guest order (eth0, eth1, …).
    public var interfaces: [LabInterfaceStatus]
    /// LVM volume groups cloud-init makes on the node's data disks (`cinder-volumes`).
    public var volumeGroups: [String]

    public init(name: String, roles: [String], host: String, uri: String, state: String, interfaces: [LabInterfaceStatus],
                volumeGroups: [String] = []) {
        self.name = name
        self.roles = roles
        self.host = host
        self.uri = uri
        self.state = state
        self.interfaces = interfaces
        self.volumeGroups = volumeGroups
    }

    /// The address Ansible reaches the node on: the first NIC's IPv4 address.
    public var managementAddress: String? { interfaces.first?.address }
}

/// One NIC of a node.
public struct LabInterfaceStatus: Codable, Sendable, Equatable {
    /// The lab network it is on.
    public var network: String
    /// The interface name inside the guest (`eth0`, `ens3`, …), from the plan:
    /// the seed's network-config renames the NIC with this MAC to it.
    public var device: String
    public var mac: String
    /// The IPv4 address (static from the plan, or from the DHCP lease), if known.
    public var address: String?

    public init(network: String, device: String, mac: String, address: String?) {
        self.network = network
        self.device = device
        self.mac = mac
        self.address = address
    }
}

/// One network of a lab.
public struct LabNetworkStatus: Codable, Sendable, Equatable {
    public var name: String
    /// nat, isolated or bridge.
    public var mode: String
    /// CIDR, e.g. 192.168.121.0/24 (absent for bridge mode).
    public var subnet: String?
    /// The DHCP range, e.g. "192.168.121.100-192.168.121.199".
    public var dhcpRange: String?
    public var active: Bool

    public init(name: String, mode: String, subnet: String?, dhcpRange: String?, active: Bool) {
        self.name = name
        self.mode = mode
        self.subnet = subnet
        self.dhcpRange = dhcpRange
        self.active = active
    }
}
