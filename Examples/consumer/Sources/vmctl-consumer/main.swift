// Prints a one-line summary of each domain of the URI given, shows how a
// caller matches a libvirt error code, then changes a running domain: a
// hot-plug, a live memory change, and the typed events they cause. Uses only
// vmctl's public API.
import Foundation
import Libvirt
import VMCtlKit

func summarize(uri: String) throws {
    let connection = try Connection(uri: uri, readOnly: true)
    let vms = try VMInventory.list(connection)
    print("\(vms.count) domains on \(try connection.uri()) (\(try connection.hypervisorType()))")
    for vm in vms { print("  \(vm.name): \(vm.state)") }
    do {
        _ = try connection.domain(named: "no-such-domain")
        print("error: a missing domain was found")
        exit(1)
    } catch LibvirtError.Code.noDomain {
        // Every error the binding throws is a LibvirtError with libvirt's own code;
        // any other one propagates.
        print("lookup of a missing domain throws .noDomain, as documented")
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
}

/// The first event of `stream` that matches, or nil after `seconds`: a caller
/// never waits on an event stream without a bound.
func first<Event: Sendable>(
    _ stream: AsyncStream<Event>, within seconds: Double, where matches: @escaping @Sendable (Event) -> Bool
) async -> Event? {
    await withTaskGroup(of: Event?.self) { group in
        group.addTask {
            for await event in stream where matches(event) { return event }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let result = await group.next() ?? nil
        group.cancelAll()
        return result
    }
}

/// A transient domain on its own read-write connection: started, given a
/// vCPU and less memory while it runs, destroyed; each step read back, and
/// the lifecycle events read from the binding's typed stream.
func changeARunningDomain(uri: String) async throws {
    let connection = try Connection(uri: uri)
    defer { connection.close() }
    let name = "vmctl-consumer-demo"
    let events = try connection.domainEvents()
    let domain = try connection.createTransientDomain(xml: """
        <domain type='test'>
          <name>\(name)</name>
          <memory unit='MiB'>512</memory>
          <currentMemory unit='MiB'>512</currentMemory>
          <vcpu current='1'>2</vcpu>
          <os><type>hvm</type></os>
        </domain>
        """)
    guard let started = await first(events, within: 10, where: { $0.domainName == name && $0.kind == .started }) else {
        throw Failure(description: "no started event for \(name) within 10 s")
    }
    print("event: \(started.domainName) \(started.kind) (\(started.detail))")

    // Hot-plug. A NIC or disk goes in with attachDevice; drivers that cannot
    // (the test driver) say so with .noSupport, and a vCPU is hot-plugged instead.
    do {
        try domain.attachDevice(xml: "<interface type='network'><source network='default'/></interface>", flags: .live)
        print("hot-plug: attached a NIC")
    } catch LibvirtError.Code.noSupport {
        print("hot-plug: attach-device is not supported by this driver (.noSupport); hot-plugging a vCPU")
    }
    try domain.setVcpus(2, flags: .live)
    print("hot-plug: \(try domain.vcpuCount(.live)) of \(try domain.vcpuCount([.live, .maximum])) vCPUs live")

    try domain.setMemory(kiB: 256 * 1024, flags: .live)
    let info = try domain.info()
    guard info.memoryKiB == 256 * 1024 else { throw Failure(description: "memory reads back as \(info.memoryKiB) KiB") }
    print("memory: \(info.memoryKiB / 1024) MiB of \(info.maxMemoryKiB / 1024) MiB live")

    try domain.destroy()
    guard let stopped = await first(events, within: 10, where: { $0.domainName == name && $0.kind == .stopped }) else {
        throw Failure(description: "no stopped event for \(name) within 10 s")
    }
    print("event: \(stopped.domainName) \(stopped.kind) (\(stopped.detail))")
}

do {
    let uri = CommandLine.arguments.dropFirst().first ?? "test:///default"
    try summarize(uri: uri)
    try await changeARunningDomain(uri: uri)
} catch {
    FileHandle.standardError.write(Data("vmctl-consumer: \(error)\n".utf8))
    exit(1)
}
