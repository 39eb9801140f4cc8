// Runs the binding in a process of its own, so that nothing else moves the
// numbers: opens and closes connections and performs lookups, then prints
// descriptor and memory counts before and after as JSON. LibvirtTests and
// IntegrationTests run it; CI also runs it under valgrind.
//
// Usage: libvirt-leak-check URI [connections] [lookups] [domain-name]
import Foundation
import Libvirt

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: libvirt-leak-check URI [connections] [lookups] [domain]\n".utf8))
    exit(64)
}
let uri = arguments[1]
let connections = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
let lookups = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
let domainName = arguments.count > 4 ? arguments[4] : nil

/// libvirt's event loop closes a remote connection's socket asynchronously,
/// so readings wait for it to settle.
func descriptors() -> Int {
    Thread.sleep(forTimeInterval: 0.3)
    return currentDescriptors()
}
func currentDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }
func residentBytes() -> Int {
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func churn(connections: Int, lookups: Int) throws {
    for _ in 0..<connections {
        let connection = try Connection(uri: uri)
        if let domainName { _ = try connection.domain(named: domainName).name }
        connection.close()
    }
    let connection = try Connection(uri: uri)
    let name = try domainName ?? connection.domains().first?.name ?? ""
    for index in 0..<lookups {
        let domain = try connection.domain(named: name)
        _ = try domain.uuid()
        _ = try? connection.domain(named: "vmctl-test-missing-\(lookups)")
        // Every tenth round also walks the other object kinds and string-returning calls.
        if index.isMultiple(of: 10) {
            _ = try domain.xml()
            _ = try domain.state()
            _ = try? domain.interfaceAddresses(source: .lease)
            // Other processes may stop these objects meanwhile: their errors are fine here.
            for network in try connection.networks() { _ = try? network.xml() }
            for pool in try connection.storagePools() {
                for volume in (try? pool.volumes()) ?? [] { _ = try? volume.path() }
            }
        }
    }
}

do {
    // Warm up allocator arenas and libvirt's caches before the first reading.
    try churn(connections: connections / 10, lookups: lookups / 10)
    let before = (fds: descriptors(), rss: residentBytes())
    try churn(connections: connections, lookups: lookups)
    let middle = (fds: descriptors(), rss: residentBytes())
    try churn(connections: connections, lookups: lookups)
    let after = (fds: descriptors(), rss: residentBytes())
    print("""
        {"connections":\(connections),"lookups":\(lookups),\
        "fdsBefore":\(before.fds),"fdsMiddle":\(middle.fds),"fdsAfter":\(after.fds),\
        "rssBefore":\(before.rss),"rssMiddle":\(middle.rss),"rssAfter":\(after.rss)}
        """)
} catch {
    FileHandle.standardError.write(Data("libvirt-leak-check: \(error)\n".utf8))
    exit(1)
}
