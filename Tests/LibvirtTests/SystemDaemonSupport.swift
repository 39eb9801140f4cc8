import Foundation
import Libvirt
import Testing

/// The real libvirtd (QEMU driver) for the binding's tests of what the test
/// driver lacks: network filters, network ports, volume streams.
enum SystemDaemon {
    static let uri = "qemu:///system"

    /// Tests run whenever the daemon answers, and always when
    /// VMCTL_REQUIRE_INTEGRATION=1 (CI): then an unreachable daemon fails them.
    static let enabled: Bool = {
        if ProcessInfo.processInfo.environment["VMCTL_REQUIRE_INTEGRATION"] == "1" { return true }
        return (try? Connection(uri: uri, readOnly: true)) != nil
    }()
}

/// A connection to the daemon whose objects all carry `vmctl-test-cov-<scope>-`;
/// they are removed before and after each test, as libvirt's TCK does.
struct DaemonScope {
    let prefix: String
    let connection: Connection

    init(_ scope: String) throws {
        prefix = "vmctl-test-cov-\(scope)-"
        connection = try Connection(uri: SystemDaemon.uri)
        clean()
    }

    func name(_ suffix: String) -> String { prefix + suffix }

    /// Removes domains, filter bindings owned under the prefix, filters,
    /// networks and pools (with their volumes and directory).
    func clean() {
        for domain in (try? connection.domains()) ?? [] where domain.name.hasPrefix(prefix) {
            if (try? domain.isActive()) == true { try? domain.destroy() }
            try? domain.undefine([.managedSave, .snapshotsMetadata, .checkpointsMetadata])
        }
        for binding in (try? connection.nwFilterBindings()) ?? []
        where binding.filterName.hasPrefix(prefix) || ((try? binding.xml()) ?? "").contains("<name>\(prefix)") {
            try? binding.delete()
        }
        for filter in (try? connection.nwFilters()) ?? [] where filter.name.hasPrefix(prefix) {
            try? filter.undefine()
        }
        for network in (try? connection.networks()) ?? [] where network.name.hasPrefix(prefix) {
            for port in (try? network.ports()) ?? [] { try? port.delete() }
            if (try? network.isActive()) == true { try? network.destroy() }
            try? network.undefine()
        }
        for pool in (try? connection.storagePools()) ?? [] where pool.name.hasPrefix(prefix) {
            if (try? pool.isActive()) != true { try? pool.start() }
            for volume in (try? pool.volumes()) ?? [] { try? volume.delete() }
            try? pool.destroy()
            try? pool.delete()
            try? pool.undefine()
        }
    }

    /// A 10.250.x.0/24 (x in 20–219) that no libvirt network and no host route
    /// uses; the search starts at a hash of the prefix, so scopes running at once differ.
    func freeSubnet() throws -> String {
        var used = (try? String(contentsOfFile: "/proc/net/fib_trie", encoding: .utf8)) ?? ""
        for network in try connection.networks() { used += (try? network.xml()) ?? "" }
        let start = Int(prefix.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xffff }) % 200
        for step in 0..<200 {
            let candidate = "10.250.\((start + step) % 200 + 20)"
            if !used.contains(candidate + ".") { return candidate }
        }
        throw DaemonScopeError(description: "no free 10.250.x.0/24 subnet")
    }

    /// Defines and starts an isolated network (no forwarding) on a free subnet.
    func startIsolatedNetwork(_ suffix: String) throws -> Network {
        let subnet = try freeSubnet()
        let network = try connection.defineNetwork(xml: """
            <network>
              <name>\(name(suffix))</name>
              <ip address='\(subnet).1' netmask='255.255.255.0'/>
            </network>
            """)
        try network.start()
        return network
    }
}

struct DaemonScopeError: Error, CustomStringConvertible {
    var description: String
}
