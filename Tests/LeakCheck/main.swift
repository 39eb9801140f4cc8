// Runs the binding in a process of its own, so that nothing else moves the
// numbers: opens and closes connections (each with an event subscription that
// close() ends) and performs lookups, walking every kind of object the binding
// wraps along the way, then prints descriptor and memory counts before and
// after as JSON. LibvirtTests and IntegrationTests run it; CI also runs it
// under valgrind.
//
// Usage: libvirt-leak-check URI [connections] [lookups] [domain-name]
// With a domain name, that domain also gets a snapshot made and deleted each
// time: name one this run owns (CI: lab-controller on the test driver; the
// integration test: its own probe domain). Without one, nothing is written.
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

/// Runs `body` on Swift's concurrency pool and blocks until it ends. The
/// harness keeps a synchronous main: an async main parks the main thread in
/// libdispatch's signal wait, which valgrind cannot run.
func waitFor(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}

/// The kinds bound since this harness was first written: secrets, node
/// devices, domain stats, snapshots, event streams (subscribed, then cancelled
/// by their task) and data streams. A driver that lacks one (libvirt 9.0's
/// test driver has no secrets; a shut-off domain has no screen) answers with
/// an error, and that path is walked too.
func walkNewerObjects(_ connection: Connection, _ domain: Domain, snapshots: Bool) {
    for secret in (try? connection.secrets()) ?? [] {
        _ = try? secret.uuid()
        _ = try? secret.usageID()
        _ = try? secret.xml()
    }
    // Ephemeral: never written to the daemon's disk; undefined again at once.
    if let secret = try? connection.defineSecret(xml: """
        <secret ephemeral='yes' private='no'><uuid>6dd3e4a5-1d76-44ce-961f-f119f5aa1eac</uuid>
        <usage type='volume'><volume>/var/lib/vmctl/test-run/vmctl-test-leak-check-secret.img</volume></usage></secret>
        """) {
        try? secret.setValue(Array("leak-check".utf8))
        _ = try? secret.value()
        _ = try? connection.secret(usage: .volume, id: "/var/lib/vmctl/test-run/vmctl-test-leak-check-secret.img").uuid()
        try? secret.undefine()
    }
    _ = try? connection.secret(uuid: "6dd3e4a5-1d76-44ce-961f-f119f5aa0000")

    for device in ((try? connection.nodeDevices()) ?? []).prefix(8) {
        _ = device.name
        _ = device.parentName()
        _ = try? device.xml()
        _ = try? device.capabilities()
    }
    _ = try? connection.nodeDevice(named: "vmctl-test-leak-check-missing")

    _ = try? connection.domainStats([.state, .cpuTotal, .balloon, .vcpu, .interface, .block], of: [domain])
    _ = try? connection.domainStats([.state])
    _ = try? domain.memoryStats()

    // No schema validation: libvirt would parse its RNG schema on every call (~50 ms).
    if snapshots, let snapshot = try? domain.createSnapshot(
        xml: "<domainsnapshot><name>vmctl-leak-check</name></domainsnapshot>", flags: []) {
        _ = snapshot.name
        _ = try? snapshot.xml()
        _ = try? snapshot.isCurrent()
        _ = try? domain.snapshots().map(\.name)
        _ = try? domain.currentSnapshot().name
        try? snapshot.delete()
    }
    _ = try? domain.snapshot(named: "vmctl-leak-check-missing")

    // Each stream kind subscribed and cancelled by its task (close() ends the
    // ones the connection loop leaves registered).
    var subscriptions: [Task<Void, Never>] = []
    if let stream = try? connection.domainEvents(for: domain) { subscriptions.append(Task { for await _ in stream {} }) }
    if let stream = try? connection.domainDeviceAddedEvents() { subscriptions.append(Task { for await _ in stream {} }) }
    if let stream = try? connection.domainBlockJobEvents() { subscriptions.append(Task { for await _ in stream {} }) }
    if let stream = try? connection.secretEvents() { subscriptions.append(Task { for await _ in stream {} }) }
    if let stream = try? connection.nodeDeviceEvents() { subscriptions.append(Task { for await _ in stream {} }) }
    let tasks = subscriptions
    waitFor {
        for task in tasks {
            task.cancel()
            await task.value
        }
    }

    // A data stream: a screenshot where the driver has one (the test driver
    // always does), read to its end; freed unused where it has none.
    if let stream = try? Stream(connection: connection) {
        if (try? domain.screenshot(into: stream)) != nil {
            var total = 0
            while let bytes = try? stream.receive(), !bytes.isEmpty, total < 1 << 24 { total += bytes.count }
            try? stream.finish()
        } else {
            stream.abort()
        }
    }
}

func churn(connections: Int, lookups: Int) throws {
    for _ in 0..<connections {
        let connection = try Connection(uri: uri)
        if let domainName { _ = try connection.domain(named: domainName).name }
        // Left registered: close() deregisters it and ends its stream.
        _ = try connection.domainEvents()
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
        if index.isMultiple(of: 20) { walkNewerObjects(connection, domain, snapshots: domainName != nil) }
    }
    connection.close()
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
