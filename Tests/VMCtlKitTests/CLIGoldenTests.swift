import Foundation
import Testing
@testable import VMCtlKit

/// The built `vmctl` binary on the test driver: text and JSON output against
/// Fixtures/cli/ (regenerate with VMCTL_UPDATE_GOLDENS=1), errors with exit codes.
@Suite struct CLIGoldenTests {
    @Test(arguments: [
        (["net", "list"], "net-list"),
        (["net", "show", "lab-mgmt"], "net-show"),
        (["pool", "list"], "pool-list"),
        (["pool", "show", "lab-pool"], "pool-show"),
        (["vol", "list", "lab-pool"], "vol-list"),
    ])
    func readCommands(arguments: [String], golden: String) throws {
        for format in ["text", "json"] {
            let result = try runVMCtl(arguments + ["--connect", Fixture.nodeURI, "--output", format])
            #expect(result.status == 0, "\(arguments): \(result.errors)")
            #expect(result.errors.isEmpty)
            try expectGolden(result.output, "\(golden).\(format == "json" ? "json" : "txt")")
        }
    }

    /// Bad input: one line naming the field and the rule on stderr, exit 64, nothing on stdout.
    @Test(arguments: [
        (["net", "create", "lab2", "--mode", "nat", "--subnet", "10.77.0.0/16"],
         "--subnet: 10.77.0.0/16 overlaps network 'lab-mgmt' (10.77.0.0/24)"),
        (["net", "create", "lab2", "--mode", "isolated"], "--subnet: required for isolated networks: give a CIDR such as 192.168.100.0/24"),
        (["net", "create", "lab2", "--mode", "nat", "--subnet", "10.78.0.0/24", "--dhcp-range", "10.78.0.20-10.78.1.5"],
         #"--dhcp-range: "10.78.0.20-10.78.1.5" is not allowed: must lie inside the subnet 10.78.0.0/24"#),
        (["net", "show", "nope"], "network: no network named 'nope'"),
        (["net", "reserve", "lab-mgmt", "--mac", "52:54:00:00:00:0g", "--ip", "10.77.0.9"],
         #"--mac: "52:54:00:00:00:0g" is not allowed: write six pairs of hex digits separated by ':', e.g. 52:54:00:12:34:56"#),
        (["pool", "create", "p2", "--type", "dir"], "--target: a dir pool needs a target directory"),
        (["pool", "show", "nope"], "pool: no storage pool named 'nope'"),
        (["vol", "create", "lab-pool", "v", "--size=-1G"],
         #"--size: "-1G" is not allowed: unknown unit; write a non-negative number with an optional unit: b, K/KiB, M/MiB, G/GiB, T/TiB (1024-based) or KB, MB, GB, TB (1000-based)"#),
        (["vol", "resize", "lab-pool", "data.raw", "512M"],
         "size: 512 MiB is smaller than the current 1 GiB; pass --shrink to shrink (data past the new end is lost)"),
        (["vol", "list", "nope"], "pool: no storage pool named 'nope'"),
    ])
    func usageErrors(arguments: [String], message: String) throws {
        let result = try runVMCtl(arguments + ["--connect", Fixture.nodeURI])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.errors == "vmctl: error: \(message)\n")
    }

    @Test func netDeleteInUseExitsOne() throws {
        let result = try runVMCtl(["net", "delete", "lab-mgmt", "--connect", Fixture.nodeURI])
        #expect(result.status == 1)
        #expect(result.errors == "vmctl: error: network 'lab-mgmt' is in use by running domain 'lab-controller'; stop it or use --force\n")
        let forced = try runVMCtl(["net", "delete", "lab-mgmt", "--force", "--connect", Fixture.nodeURI, "-o", "json"])
        #expect(forced.status == 0)
        try expectGolden(forced.output, "net-delete.json")
    }

    @Test func renderedResults() throws {
        let summary = NetworkSummary(
            name: "lab-ext", uuid: "11111111-2222-3333-4444-0000000000cc", active: true, autostart: true, persistent: true,
            bridge: "virbr3", mode: "nat", subnet: "10.1.0.0/24")
        try expectGolden(NetworkOutput.created(summary, format: .text) + "\n", "net-create.txt")
        try expectGolden(NetworkOutput.created(summary, format: .json) + "\n", "net-create.json")
        let reservation = NetworkReservation(mac: "52:54:00:00:00:21", ip: "10.77.0.21", host: "compute1")
        try expectGolden(NetworkOutput.reservation(network: "lab-mgmt", reservation, action: "reserved", format: .json) + "\n", "net-reserve.json")
        let lease = NetworkLease(ip: "10.77.0.150", prefix: 24, mac: "52:54:00:00:00:21", hostname: "compute1", expiryTime: 1_800_000_000, expiry: "2027-01-15T08:00:00Z")
        try expectGolden(NetworkOutput.leases([lease], format: .text) + "\n", "net-leases.txt")
        try expectGolden(NetworkOutput.leases([lease], format: .json) + "\n", "net-leases.json")
    }
}
