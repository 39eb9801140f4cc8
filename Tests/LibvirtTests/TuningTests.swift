import Foundation
import Libvirt
import Testing

/// Runs `body`; a call libvirt 9.0's test driver does not implement must
/// still reach it and come back with `.noSupport` (or `.operationUnsupported`).
private func ifSupported(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch LibvirtError.Code.noSupport, LibvirtError.Code.operationUnsupported {}
}

@Suite struct TuningTests {
    @Test func typedParameterListsRoundTrip() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.domain(named: "test")
        try ifSupported {
            let memory = try domain.memoryParameters()
            #expect(!memory.isEmpty)
            try domain.setMemoryParameters(["hard_limit": .uint64(1_048_576)])
            #expect(try domain.memoryParameters()["hard_limit"] == .uint64(1_048_576))
        }
        do {
            let scheduler = try domain.schedulerParameters()
            #expect(!scheduler.isEmpty)
            if let (key, value) = scheduler.first { try domain.setSchedulerParameters([key: value]) }
        } catch LibvirtError.Code.invalidArgument {
            // libvirt adds VIR_TYPED_PARAM_STRING_OKAY to the flags, which 9.0's test driver refuses.
        }
        try ifSupported {
            _ = try domain.numaParameters()
            _ = try domain.blkioParameters()
        }
        try ifSupported { _ = try domain.perfEvents() }
        try ifSupported { _ = try domain.blockIOTune(disk: "vda") }
        try ifSupported { _ = try domain.interfaceParameters(device: "testnet0") }
        #expect(throws: LibvirtError.self) { try domain.setNumaParameters(["vmctl-no-such-parameter": .string("x")]) }
        #expect(throws: LibvirtError.self) { try domain.setBlkioParameters(["vmctl-no-such-parameter": .uint(1)]) }
        #expect(throws: LibvirtError.self) { try domain.setPerfEvents(["vmctl-no-such-event": true]) }
        #expect(throws: LibvirtError.self) { try domain.setBlockIOTune(disk: "vdz", ["total_bytes_sec": .uint64(1)]) }
        #expect(throws: LibvirtError.self) { try domain.setInterfaceParameters(device: "nope0", ["inbound.average": .uint(1)]) }
    }

    @Test func ioThreads() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.defineDomain(xml: domainXML(named: "vmctl-test-iothreads"))
        defer { try? domain.undefine() }
        try ifSupported {
            try domain.addIOThread(id: 3, impact: .config)
            #expect(try domain.ioThreads(impact: .config).map(\.id).contains(3))
            try domain.pinIOThread(id: 3, to: [0], impact: .config)
            #expect(try domain.ioThreads(impact: .config).first { $0.id == 3 }?.hostCPUs == [0])
            try domain.removeIOThread(id: 3, impact: .config)
            #expect(try !domain.ioThreads(impact: .config).map(\.id).contains(3))
        }
    }

    @Test func disksDumpsAndGuestFileSystems() throws {
        let connection = try Connection(uri: "test:///default")
        let domain = try connection.domain(named: "test")
        // The test driver reports a made-up error on each disk.
        try ifSupported { let errors = try domain.diskErrors(); #expect(errors.allSatisfy { !$0.key.isEmpty && $0.value != 0 }) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-test-dump-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ifSupported {
            try domain.coreDump(to: path)
            #expect(FileManager.default.fileExists(atPath: path))
        }
        try ifSupported {
            let frozen = try domain.freezeFileSystems()
            #expect(frozen >= 0)
            #expect(try domain.thawFileSystems() == frozen)
        }
        try ifSupported { try domain.trimFileSystem() }
    }

    @Test func hostCPUsAndStorageCapabilities() throws {
        let connection = try Connection(uri: "test:///default")
        let cpus = try connection.onlineCPUs()
        #expect(cpus.count > 0 && !cpus.online.isEmpty)
        try ifSupported { _ = try connection.compareCPU(xml: "<cpu><arch>x86_64</arch><model>qemu64</model></cpu>") }
        try ifSupported {
            let baseline = try connection.baselineCPU(of: ["<cpu><arch>x86_64</arch><model>qemu64</model></cpu>"])
            #expect(baseline.contains("<cpu"))
        }
        try ifSupported { let xml = try connection.storagePoolCapabilitiesXML(); #expect(xml.contains("storagepoolCapabilities")) }
        try ifSupported { _ = try connection.findStoragePoolSources(type: "logical") }
    }

    @Test func openWithFlags() throws {
        let connection = try Connection(uri: "test:///default", flags: [.readOnly])
        #expect(try connection.uri() == "test:///default")
        #expect(throws: LibvirtError.self) { try connection.defineDomain(xml: domainXML(named: "vmctl-test-readonly")) }
    }
}
