import Foundation
import Testing
@testable import VMCtlKit

/// kolla's inventory and globals for a lab whose nodes run on several hosts
/// (networks spanned, Lab/SpannedNetwork.swift): the same as for one host,
/// since every node is on the same management and provider segments.
@Suite struct KollaAcrossHostsTests {
    /// OpenStackLab's nodes, compute2 and storage moved to a second host.
    var spanning: LabStatus {
        var status = OpenStackLab.status
        for index in status.nodes.indices where ["compute2", "storage"].contains(status.nodes[index].name) {
            status.nodes[index].host = "host2"
            status.nodes[index].uri = "qemu+ssh://root@host2.example/system"
        }
        return status
    }

    @Test func inventoryAndGlobalsAreTheOneHostLabs() throws {
        #expect(Set(spanning.nodes.map(\.host)) == ["local", "host2"])
        #expect(try KollaInventory.render(spanning) == KollaInventory.render(OpenStackLab.status))
        #expect(try AnsibleInventory.render(spanning) == AnsibleInventory.render(OpenStackLab.status))
        let (yaml, vip) = try KollaGlobals.render(spanning)
        let (oneHost, oneHostVIP) = try KollaGlobals.render(OpenStackLab.status)
        // One VIP, on the spanned management segment; the interfaces as on one host.
        #expect(vip == oneHostVIP && vip == "192.168.121.254")
        #expect(yaml == oneHost)
        #expect(yaml.contains("network_interface: \"eth0\"") || yaml.contains("network_interface: eth0"))
    }
}
