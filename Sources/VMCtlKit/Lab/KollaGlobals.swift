import FoundationEssentials
import LibvirtXML
import YAML
#if canImport(Glibc)
import Glibc
#endif

/// Overrides for kolla-ansible's `/etc/kolla/globals.yml`, derived from a lab: `vmctl lab kolla-globals`.
///
/// Keys, written in sorted order, every value a double-quoted string as in kolla's own globals.yml:
///
/// | key                           | value                                                                  |
/// |-------------------------------|------------------------------------------------------------------------|
/// | `enable_cinder`               | `"yes"`, only when every `storage` node has the `cinder-volumes` VG    |
/// | `enable_cinder_backend_lvm`   | `"yes"`, likewise (else a comment says how to get the VG)              |
/// | `keepalived_virtual_router_id`| `routerID`: the lab's, unique among the labs on this host (RouterID.swift) |
/// | `kolla_internal_vip_address`  | a free address on the management network (``chooseVIP(network:used:)``) |
/// | `network_interface`           | the guest device of the NIC on the management network                  |
/// | `neutron_external_interface`  | the guest device of the NIC on the external (provider) network         |
/// | `nova_compute_virt_type`      | `status.novaComputeVirtType` (`kvm` or `qemu`, from the host check)    |
///
/// The reference node is the first node in kolla's `[control]` group (role `control`
/// or `controller`), or the first node when none is. The management network defaults
/// to the network of its first NIC. The external network defaults to the network of
/// the second NIC of the first node with role `network` (else the reference node).
///
/// kolla uses one `network_interface` and one `neutron_external_interface` for every
/// host, so every node in a kolla group must have a NIC on the management network,
/// named the same; and every node with a NIC on the external network must name it the same.
public enum KollaGlobals {
    /// The volume group kolla's cinder LVM backend uses (`cinder_volume_group`'s default).
    public static let cinderVolumeGroup = "cinder-volumes"

    /// Renders the overrides and returns the chosen VIP, which the lab runner must
    /// keep out of DHCP (it already lies outside the DHCP range).
    public static func render(
        _ status: LabStatus, managementNetwork: String? = nil, externalNetwork: String? = nil, routerID: Int? = nil
    ) throws(VMCtlError) -> (yaml: String, vip: String) {
        let kollaNodes = status.nodes.filter { !$0.roles.compactMap(KollaInventory.group(forRole:)).isEmpty }
        let firstControl = kollaNodes.first(where: { $0.roles.contains { KollaInventory.group(forRole: $0) == "control" } })
        guard let reference = firstControl ?? status.nodes.first else {
            throw VMCtlError.invalid(field: "nodes", "the lab has no nodes")
        }

        // Management network and network_interface.
        let management: String
        if let managementNetwork {
            management = managementNetwork
        } else if let first = reference.interfaces.first {
            management = first.network
        } else {
            throw VMCtlError.invalid(field: "nodes.\(reference.name).interfaces", "node has no NIC; kolla needs one for network_interface")
        }
        guard let managementStatus = status.networks.first(where: { $0.name == management }) else {
            throw VMCtlError.invalid(field: "--management-network", "the lab has no network named \(management)")
        }
        guard let networkInterface = reference.interfaces.first(where: { $0.network == management })?.device else {
            throw VMCtlError.invalid(field: "nodes.\(reference.name).interfaces", "node has no NIC on the management network \(management)")
        }
        for node in kollaNodes {
            guard let device = node.interfaces.first(where: { $0.network == management })?.device else {
                throw VMCtlError.invalid(
                    field: "nodes.\(node.name).interfaces",
                    "node has no NIC on the management network \(management); kolla needs one on every host")
            }
            guard device == networkInterface else {
                throw VMCtlError.invalid(
                    field: "nodes.\(node.name).interfaces",
                    "its NIC on \(management) is \(device) but network_interface is \(networkInterface) (from \(reference.name)); name it the same on every node")
            }
        }

        // External network and neutron_external_interface.
        let networkNode = status.nodes.first(where: { $0.roles.contains("network") }) ?? reference
        let external: String
        if let externalNetwork {
            external = externalNetwork
        } else if networkNode.interfaces.count >= 2 {
            external = networkNode.interfaces[1].network
        } else {
            throw VMCtlError.invalid(
                field: "nodes.\(networkNode.name).interfaces",
                "node needs a second NIC for neutron_external_interface (the provider network)")
        }
        guard status.networks.contains(where: { $0.name == external }) else {
            throw VMCtlError.invalid(field: "--external-network", "the lab has no network named \(external)")
        }
        guard external != management else {
            throw VMCtlError.invalid(field: "--external-network", "must differ from the management network \(management)")
        }
        guard let externalInterface = networkNode.interfaces.first(where: { $0.network == external })?.device else {
            throw VMCtlError.invalid(field: "nodes.\(networkNode.name).interfaces", "node has no NIC on the external network \(external)")
        }
        for node in kollaNodes {
            if let device = node.interfaces.first(where: { $0.network == external })?.device, device != externalInterface {
                throw VMCtlError.invalid(
                    field: "nodes.\(node.name).interfaces",
                    "its NIC on \(external) is \(device) but neutron_external_interface is \(externalInterface) (from \(networkNode.name)); name it the same on every node")
            }
        }

        guard ["kvm", "qemu"].contains(status.novaComputeVirtType) else {
            throw VMCtlError.invalid(field: "novaComputeVirtType", "must be kvm or qemu, not \(status.novaComputeVirtType)")
        }

        let used = status.nodes.flatMap { $0.interfaces.compactMap(\.address) }
        let vip = try chooseVIP(network: managementStatus, used: used)

        var values: [String: String] = [
            "kolla_internal_vip_address": vip,
            "network_interface": networkInterface,
            "neutron_external_interface": externalInterface,
            "nova_compute_virt_type": status.novaComputeVirtType,
        ]
        if let routerID { values["keepalived_virtual_router_id"] = String(routerID) }
        let storage = status.nodes.filter { $0.roles.contains("storage") }
        var notes: [String] = []
        if !storage.isEmpty {
            let missing = storage.filter { !$0.volumeGroups.contains(cinderVolumeGroup) }.map(\.name)
            if missing.isEmpty {
                values["enable_cinder"] = "yes"
                values["enable_cinder_backend_lvm"] = "yes"
            } else {
                notes.append("# cinder's LVM backend is left off: \(missing.joined(separator: ", ")) will have no \(cinderVolumeGroup)")
                notes.append("# volume group. Give each storage node a data disk with `vg: \(cinderVolumeGroup)` (Docs/labs.md).")
            }
        }
        let pairs = values.keys.sorted().map { key in
            (YAML.Node(key), YAML.Node(values[key]!, style: .doubleQuoted, tag: Tags.str))
        }
        let body = YAML.serialize(YAML.Node(pairs))
        let header = "# kolla-ansible globals.yml overrides for lab \(status.lab), written by vmctl.\n"
            + notes.map { $0 + "\n" }.joined()
        return (header + body, vip)
    }

    /// The address for `kolla_internal_vip_address` on `network`: the highest usable
    /// address of its subnet that is not in the DHCP range, not the gateway (the
    /// subnet's first host address, or the address written in the CIDR when it is a
    /// host address) and not in `used`.
    ///
    /// Throws a one-line error naming `networks.NAME.dhcpRange` (or `.subnet`) when
    /// no such address is left, or when the subnet or range does not parse.
    public static func chooseVIP(network: LabNetworkStatus, used: [String]) throws(VMCtlError) -> String {
        let field = "networks.\(network.name)"
        guard let cidr = network.subnet else {
            throw VMCtlError.invalid(field: "\(field).subnet", "the management network has no subnet, so vmctl cannot pick kolla_internal_vip_address")
        }
        guard let subnet = try? IPNetwork(cidr: cidr) else {
            throw VMCtlError.invalid(field: "\(field).subnet", "\(cidr) is not address/prefix")
        }
        var range: ClosedRange<IPAddress>?
        if let text = network.dhcpRange {
            let ends = text.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2, let start = try? IPAddress(String(ends[0])), let end = try? IPAddress(String(ends[1])),
                start <= end
            else {
                throw VMCtlError.invalid(field: "\(field).dhcpRange", "\(text) is not START-END")
            }
            range = start...end
        }
        var taken = Set(used.compactMap { try? IPAddress($0) })
        if let gateway = subnet.gateway { taken.insert(gateway) }
        if subnet.address != subnet.network { taken.insert(subnet.address) }

        var candidate = subnet.lastUsable
        while let address = candidate, address > subnet.network {
            if let range, range.contains(address) {
                candidate = range.lowerBound.adding(-1)
            } else if taken.contains(address) {
                candidate = address.adding(-1)
            } else {
                return address.description
            }
        }
        let rule = "no free address in \(cidr) for kolla_internal_vip_address"
            + (range.map { " outside the DHCP range \($0.lowerBound)-\($0.upperBound)" } ?? "")
            + ", the gateway and the nodes' addresses; shrink the DHCP range"
        throw VMCtlError.invalid(field: network.dhcpRange == nil ? "\(field).subnet" : "\(field).dhcpRange", rule)
    }
}
