import Foundation
import TestSupport
import Testing

/// The numbers `libvirt-leak-check` prints.
struct LeakReport: Decodable {
    var connections, lookups: Int
    var fdsBefore, fdsMiddle, fdsAfter: Int
    var rssBefore, rssMiddle, rssAfter: Int
}

/// Runs the leak harness (built beside the test bundle) in its own process.
func runLeakCheck(uri: String, connections: Int, lookups: Int, domain: String? = nil) throws -> LeakReport {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = buildDirectory.appendingPathComponent("libvirt-leak-check")
    // The test bundle may sit one level deeper (…/vmctlPackageTests.xctest).
    if !FileManager.default.fileExists(atPath: executable.path) {
        executable = buildDirectory.deletingLastPathComponent().appendingPathComponent("libvirt-leak-check")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = [uri, String(connections), String(lookups)] + (domain.map { [$0] } ?? [])
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = readOutput(of: process, stdout: output).stdout
    #expect(process.terminationStatus == 0)
    return try JSONDecoder().decode(LeakReport.self, from: data)
}

@Suite struct LeakTests {
    /// 1,000 connections opened and closed and 10,000 lookups, twice: the second
    /// round must not grow descriptors or memory beyond allocator noise.
    @Test func connectionsAndLookupsStayFlatOnTestDriver() throws {
        let report = try runLeakCheck(uri: Fixture.nodeURI, connections: 1000, lookups: 10_000, domain: "lab-controller")
        // A leak would add a descriptor per connection (1,000 a round); the
        // event loop may still hold a socket or two it is closing.
        #expect(report.fdsMiddle <= report.fdsBefore + 2)
        #expect(report.fdsAfter <= report.fdsBefore + 2)
        // A leaked domain handle per lookup would cost megabytes per round.
        let secondRoundGrowth = report.rssAfter - report.rssMiddle
        #expect(secondRoundGrowth < 1 << 20, "second round grew RSS by \(secondRoundGrowth) bytes")
    }
}
