import Foundation
@testable import Libvirt
import Testing
import TestSupport

extension EventTests {
    @Test func lifecycleDetailsAreTyped() async throws {
        let connection = try Fixture.connection()
        let events = try connection.domainEvents()
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-details"))
        try domain.start()
        try domain.suspend()
        try domain.resume()
        try domain.destroy()
        try domain.undefine()
        var details: [DomainEvent.Detail] = []
        for await event in events where event.domainName == "vmctl-test-details" {
            #expect(event.detail.kind == event.kind)
            details.append(event.detail)
            if details.count == 6 { break }
        }
        #expect(details == [.definedAdded, .startedBooted, .suspendedPaused, .resumedUnpaused, .stoppedDestroyed, .undefinedRemoved])
        #expect(details.map(\.description) == ["added", "booted", "paused", "unpaused", "destroyed", "removed"])
        #expect(DomainEvent.Detail(kind: .stopped, rawValue: 99).description == "detail 99")
        #expect(DomainEvent.Detail.stoppedDestroyed != DomainEvent.Detail.startedMigrated)
    }

    // A hang here would be a stream that never ends. The bound is generous: while the
    // integration suites block Swift's cooperative threads (two on two cores), this
    // async test may wait minutes for a thread.
    @Test(.timeLimit(.minutes(10))) func closeFinishesEveryStreamAndDeregisters() async throws {
        let connection = try Fixture.connection()
        let domains = try connection.domainEvents()
        let networks = try connection.networkEvents()
        let pools = try connection.storagePoolEvents()
        #expect(connection.subscriptionCount == 3)
        var events = domains.makeAsyncIterator()
        _ = try connection.defineDomain(xml: domainXML(named: "vmctl-test-close"))
        #expect(await events.next()?.kind == .defined)
        connection.close()
        #expect(connection.subscriptionCount == 0)
        // Each stream ends: the domain stream after what it delivered.
        #expect(await events.next() == nil)
        #expect(await drain(networks)?.isEmpty == true)
        #expect(await drain(pools)?.isEmpty == true)
    }

    @Test func cancellingTheIteratingTaskDeregisters() async throws {
        let connection = try Fixture.connection()
        let stream = try connection.domainEvents()
        let task = Task { for await _ in stream {} }
        task.cancel()
        await task.value
        #expect(connection.subscriptionCount == 0)
    }

    @Test func thousandSubscribeCancelCyclesStayFlat() async throws {
        let connection = try Fixture.connection()
        func cycle(_ count: Int) async throws {
            for _ in 0..<count {
                let stream = try connection.networkEvents()
                let task = Task { for await _ in stream {} }
                task.cancel()
                await task.value
            }
        }
        try await cycle(100)
        let descriptors = openDescriptorCount()
        let resident = residentBytes()
        try await cycle(1000)
        #expect(connection.subscriptionCount == 0)
        // Other suites open descriptors meanwhile; a leak per cycle would be 1,000.
        #expect(openDescriptorCount() - descriptors < 10, "descriptors went from \(descriptors) to \(openDescriptorCount())")
        // Under AddressSanitizer freed memory waits in its quarantine, so resident
        // memory says nothing there; the plain run (and the leak harness) checks it.
        if ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil {
            #expect(residentBytes() - resident < 8 << 20, "resident memory grew by \(residentBytes() - resident) bytes")
        }
        connection.close()
    }

    @Test func networkLifecycleEvents() async throws {
        let connection = try Fixture.connection()
        let events = try connection.networkEvents()
        let network = try connection.defineNetwork(xml: """
            <network><name>vmctl-test-netevents</name><bridge name='vmctlev0'/>
            <ip address='192.168.231.1' netmask='255.255.255.0'/></network>
            """)
        try network.start()
        try network.destroy()
        try network.undefine()
        var kinds: [NetworkEvent.Kind] = []
        for await event in events where event.networkName == "vmctl-test-netevents" {
            kinds.append(event.kind)
            if kinds.count == 4 { break }
        }
        #expect(kinds == [.defined, .started, .stopped, .undefined])
        #expect(kinds.map(\.description) == ["defined", "started", "stopped", "undefined"])
    }

    @Test func storagePoolLifecycleEvents() async throws {
        let connection = try Fixture.connection()
        let events = try connection.storagePoolEvents()
        let pool = try connection.defineStoragePool(xml: """
            <pool type='dir'><name>vmctl-test-poolevents</name><target><path>/vmctl-test-poolevents</path></target></pool>
            """)
        try pool.start()
        try pool.destroy()
        try pool.undefine()
        var kinds: [StoragePoolEvent.Kind] = []
        for await event in events where event.poolName == "vmctl-test-poolevents" {
            kinds.append(event.kind)
            if kinds.count == 4 { break }
        }
        #expect(kinds == [.defined, .started, .stopped, .undefined])
    }
}

extension EventTests {
    // The bound is wall time, and counts the minutes this test may wait for a
    // cooperative thread while blocking integration tests hold both.
    @Test(.timeLimit(.minutes(10))) func metadataChangeEvents() async throws {
        let connection = try Fixture.connection()
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-metadata-events"))
        defer { try? domain.undefine() }
        let events = try connection.domainMetadataEvents(for: domain)
        try domain.setMetadata("<lab>x</lab>", key: "t", namespaceURI: "https://example.org/vmctl-test")
        var iterator = events.makeAsyncIterator()
        let event = try #require(await iterator.next())
        #expect(event.domainName == "vmctl-test-metadata-events")
        #expect(event.fact == DomainMetadataChange(field: nil, namespaceURI: "https://example.org/vmctl-test"))
        connection.close()
        #expect(await iterator.next() == nil)
    }

    @Test func rebootDeviceAndBlockJobStreamsRegisterAndEndWithClose() async throws {
        let connection = try Fixture.connection()
        let reboots = try connection.domainRebootEvents()
        let removals = try connection.domainDeviceRemovedEvents()
        let additions = try connection.domainDeviceAddedEvents()
        let blockJobs = try connection.domainBlockJobEvents()
        #expect(connection.subscriptionCount == 4)
        connection.close()
        #expect(await drain(reboots)?.isEmpty == true)
        #expect(await drain(removals)?.isEmpty == true)
        #expect(await drain(additions)?.isEmpty == true)
        #expect(await drain(blockJobs)?.isEmpty == true)
    }

    /// Each of libvirt 9.0's 27 domain event IDs (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`
    /// … `_MEMORY_DEVICE_SIZE_CHANGE`) has its stream: the test driver checks
    /// every ID it is given, so a wrong one fails here. What each one carries is
    /// proven where QEMU sends it (IntegrationLiveBindingTests).
    @Test func everyDomainEventIDRegistersAndEndsWithClose() async throws {
        let connection = try Fixture.connection()
        var ends: [() async -> Bool] = []
        func watch<Event: Sendable>(_ stream: AsyncStream<Event>) { ends.append { await drain(stream)?.isEmpty == true } }
        watch(try connection.domainEvents())
        watch(try connection.domainRebootEvents())
        watch(try connection.domainRTCChangeEvents())
        watch(try connection.domainWatchdogEvents())
        watch(try connection.domainIOErrorEvents(reasons: false))
        watch(try connection.domainGraphicsEvents())
        watch(try connection.domainIOErrorEvents())
        watch(try connection.domainControlErrorEvents())
        watch(try connection.domainBlockJobEvents(byPath: true))
        watch(try connection.domainDiskChangeEvents())
        watch(try connection.domainTrayChangeEvents())
        watch(try connection.domainPMWakeupEvents())
        watch(try connection.domainPMSuspendEvents())
        watch(try connection.domainBalloonChangeEvents())
        watch(try connection.domainPMSuspendEvents(toDisk: true))
        watch(try connection.domainDeviceRemovedEvents())
        watch(try connection.domainBlockJobEvents())
        watch(try connection.domainTunableEvents())
        watch(try connection.domainAgentLifecycleEvents())
        watch(try connection.domainDeviceAddedEvents())
        watch(try connection.domainMigrationIterationEvents())
        watch(try connection.domainJobCompletedEvents())
        watch(try connection.domainDeviceRemovalFailedEvents())
        watch(try connection.domainMetadataEvents())
        watch(try connection.domainBlockThresholdEvents())
        watch(try connection.domainMemoryFailureEvents())
        watch(try connection.domainMemoryDeviceSizeChangeEvents())
        #expect(ends.count == 27)
        #expect(connection.subscriptionCount == 27)
        connection.close()
        #expect(connection.subscriptionCount == 0)
        for end in ends { #expect(await end()) }
    }

    @Test func eventFactsNameTheirValues() {
        #expect(DomainWatchdogAction.injectNMI.description == "inject-nmi")
        #expect(DomainWatchdogAction(rawValue: 42).description == "action 42")
        #expect(DomainIOError.Action.pause.description == "pause")
        #expect(DomainGraphicsChange.Phase.disconnect.description == "disconnect")
        #expect(DomainGraphicsChange.Address.Family.ipv6.description == "ipv6")
        #expect(DomainDiskChange.Reason.missingOnStart.description == "missing on start")
        #expect(DomainTrayChange.Reason.close.description == "close")
        #expect(DomainAgentLifecycle.State.connected.rawValue == 1)
        #expect(DomainAgentLifecycle.Reason.channel.description == "channel")
        #expect(DomainMemoryFailure.Recipient.guest.description == "guest")
        #expect(DomainMemoryFailure.Action.reset.description == "reset")
        #expect(DomainMemoryFailure.Flags(rawValue: 3) == [.actionRequired, .recursive])
    }
}
