import Foundation
import Libvirt
import LibvirtXML
import Testing
import VMCtlKit

/// Hostile images at every entry point, on the real libvirtd: a qcow2 whose
/// backing file is a host file outside every pool (the same bytes named `.img`),
/// a qcow2 with an external data file, a vmdk naming another file, a FIFO.
/// Each is refused with exit 64, naming the chain, and nothing is created
/// (`vol create --backing` and `vol clone` on a volume reaching a host file too):
/// no volume, no domain, no pool, no download left behind.
@Suite(.enabled(if: Daemon.enabled)) struct IntegrationImageSafetyTests {
    /// A scope with a dir pool of its own, a stand-in for a host file (`secret`,
    /// outside every pool) and a qcow2 outside the pool whose backing file it is.
    struct Bed {
        let scope: TestScope
        let poolName: String
        let poolPath: String
        let pool: StoragePool
        let secret: String
        let hostile: String

        init(_ scopeName: String) throws {
            scope = try TestScope(scopeName)
            poolName = scope.name("pool")
            poolPath = Daemon.runDirectory.appendingPathComponent(poolName).path
            pool = try scope.connection.defineStoragePool(
                xml: try StoragePoolDefinition(type: .dir, name: ObjectName(poolName), targetPath: poolPath).xml())
            try pool.build()
            try pool.start()
            secret = Daemon.runDirectory.appendingPathComponent(scope.name("secret")).path
            hostile = Daemon.runDirectory.appendingPathComponent(scope.name("hostile.qcow2")).path
            try Data(repeating: 0x53, count: 4096).write(to: URL(fileURLWithPath: secret))
            try qemuImg(["create", "-q", "-f", "qcow2", "-b", secret, "-F", "raw", hostile, "1M"])
        }

        /// A scratch file of the scope's own, outside the pool.
        func file(_ name: String) -> String { Daemon.runDirectory.appendingPathComponent(scope.name(name)).path }

        func qemuImg(_ arguments: [String]) throws {
            let result = try run("/usr/bin/qemu-img", arguments)
            try #require(result.status == 0, "qemu-img \(arguments): \(result.errors)")
        }

        func volumes() throws -> [String] {
            try pool.refresh()
            return try pool.volumes().map(\.name).sorted()
        }

        func domains() throws -> [String] {
            try scope.connection.domains().map(\.name).filter { $0.hasPrefix(scope.prefix) }.sorted()
        }

        func vmctl(_ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String, errors: String) {
            try await runOffThePool(vmctlBinary(), arguments + ["-c", Daemon.uri], environment: environment, timeout: 300)
        }

        /// Refused as bad input, naming `chain`, with only `volumes` left in the pool and no domain.
        func expectRefused(_ result: (status: Int32, output: String, errors: String), naming chain: String, volumes expected: [String] = [],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(result.status == 64, "\(result.errors)", sourceLocation: sourceLocation)
            #expect(result.errors.contains(chain), "\(result.errors)", sourceLocation: sourceLocation)
            #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)", sourceLocation: sourceLocation)
            #expect(try volumes() == expected, sourceLocation: sourceLocation)
            #expect(try domains() == [], sourceLocation: sourceLocation)
        }
    }

    @Test func vmCreateFromAFileRefusesAHostileBackingFile() async throws {
        let bed = try Bed("imghvf")
        defer { bed.scope.clean() }
        let result = try await bed.vmctl(["vm", "create", bed.scope.name("vm"), "--image", bed.hostile, "--pool", bed.poolName])
        try bed.expectRefused(result, naming: "--image: \(bed.hostile) → \(bed.secret): the backing file is outside the storage pools")
    }

    @Test func vmCreateFromAPoolVolumeRefusesAHostileBackingFile() async throws {
        let bed = try Bed("imghvp")
        defer { bed.scope.clean() }
        // A `.img` whose content is the hostile qcow2: the header decides, not the name.
        let disguised = bed.poolPath + "/disk.img"
        try FileManager.default.copyItem(atPath: bed.hostile, toPath: disguised)
        try bed.pool.refresh()
        for full in [false, true] {
            let result = try await bed.vmctl(["vm", "create", bed.scope.name("vm"), "--image", "\(bed.poolName)/disk.img", "--pool", bed.poolName]
                                             + (full ? ["--full"] : []))
            try bed.expectRefused(result, naming: "--image: \(disguised) → \(bed.secret): the backing file is outside the storage pools",
                                  volumes: ["disk.img"])
        }
    }

    @Test func volImportRefusesHostileImages() async throws {
        let bed = try Bed("imghvi")
        defer { bed.scope.clean() }
        let disguised = bed.file("disk.img")
        try FileManager.default.copyItem(atPath: bed.hostile, toPath: disguised)
        let dataFile = bed.file("data.qcow2")
        try bed.qemuImg(["create", "-q", "-f", "qcow2", "-o", "data_file=\(bed.secret),data_file_raw=on", dataFile, "4K"])
        let vmdk = bed.file("flat.vmdk")
        try bed.qemuImg(["create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", vmdk, "1M"])
        let fifo = bed.file("fifo")
        try #require(mkfifo(fifo, 0o600) == 0)
        let cases = [
            (bed.hostile, "file: \(bed.hostile) → \(bed.secret): the backing file is outside the storage pools"),
            (disguised, "file: \(disguised) → \(bed.secret): the backing file is outside the storage pools"),
            (dataFile, "file: \(dataFile): a qcow2 external data file ('\(bed.secret)') is not allowed"),
            (vmdk, "file: \(vmdk): a vmdk image (createType monolithicFlat, naming \(URL(fileURLWithPath: vmdk).lastPathComponent.dropLast(5))-flat.vmdk)"),
            (fifo, "file: '\(fifo)' is a FIFO, not a regular file"),
        ]
        for (file, chain) in cases {
            try bed.expectRefused(try await bed.vmctl(["vol", "import", bed.poolName, file, "--name", "x.img"]), naming: chain)
        }
    }

    @Test func imageFetchRefusesAHostileDownloadAndRemovesIt() async throws {
        let bed = try Bed("imghif")
        defer { bed.scope.clean() }
        let www = URL(fileURLWithPath: bed.file("www"))
        let state = URL(fileURLWithPath: bed.file("state"))
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: bed.hostile, toPath: www.appendingPathComponent("cloud.qcow2").path)
        let digest = String(try run("/usr/bin/sha256sum", [bed.hostile]).output.prefix(64))
        let server = try IntegrationImageTests.HTTPServer(root: www, state: state, cuts: [], ignoringRange: [], stalls: [])
        defer { server.stop() }
        let environment = ProcessInfo.processInfo.environment.merging(["VMCTL_IMAGE_STATE_DIR": state.path]) { $1 }
        let result = try await bed.vmctl(["image", "fetch", server.url("/cloud.qcow2"), "--checksum", "sha256:\(digest)",
                                          "--pool", bed.poolName, "--name", "cloud.qcow2"], environment: environment)
        try bed.expectRefused(result, naming: "source: ")
        #expect(result.errors.contains(" → \(bed.secret): the backing file is outside the storage pools"), "\(result.errors)")
        #expect(result.errors.hasSuffix("; the download was removed\n"), "\(result.errors)")
        let downloads = state.appendingPathComponent("downloads").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: downloads)) ?? []) == [], "no part file is kept to resume")
    }

    @Test func labImagesRefuseAHostileImageBeforeAnythingIsMade() async throws {
        let bed = try Bed("imghlab")
        defer { bed.scope.clean() }
        let lab = bed.scope.name("lab")
        let labPool = "\(lab)-pool"
        let plan = bed.file("plan.yaml")
        try """
            lab: \(lab)
            pools:
              - name: \(labPool)
                target: \(Daemon.runDirectory.appendingPathComponent(labPool).path)
            images:
              - name: base.qcow2
                pool: \(labPool)
                path: \(bed.hostile)
            nodes:
              - name: n1
                image: base.qcow2
                memory: 128M
            """.write(toFile: plan, atomically: true, encoding: .utf8)
        for command in ["validate", "up"] {
            let result = try await bed.vmctl(["lab", command, plan])
            try bed.expectRefused(result, naming: "images[0].path: \(bed.hostile) → \(bed.secret): the backing file is outside the storage pools")
            #expect(try bed.scope.connection.storagePools().map(\.name).filter { $0.hasPrefix(bed.scope.prefix) } == [bed.poolName])
        }
    }

    /// A pool volume whose backing file is a host file: `vol create --backing`
    /// builds no overlay on it and `vol clone` copies none of it.
    @Test func volCreateBackingAndVolCloneRefuseAVolumeReachingAHostFile() async throws {
        let bed = try Bed("imghvc")
        defer { bed.scope.clean() }
        _ = try bed.pool.createVolume(xml: """
            <volume><name>disk.qcow2</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target>
            <backingStore><path>\(bed.secret)</path><format type='raw'/></backingStore></volume>
            """)
        let disk = bed.poolPath + "/disk.qcow2"
        let chain = "\(disk) → \(bed.secret): the backing file is outside the storage pools"
        try bed.expectRefused(try await bed.vmctl(["vol", "create", bed.poolName, "top.qcow2", "--backing", "disk.qcow2"]),
                              naming: "--backing: \(chain)", volumes: ["disk.qcow2"])
        try bed.expectRefused(try await bed.vmctl(["vol", "clone", bed.poolName, "disk.qcow2", "copy.qcow2"]),
                              naming: "volume: \(chain)", volumes: ["disk.qcow2"])
    }

    /// A domain defined outside vmctl on a pool volume whose backing file is a
    /// host file: neither a linked nor a full clone builds on it.
    @Test func vmCloneRefusesASourceDiskReachingAHostFile() async throws {
        let bed = try Bed("imghcl")
        defer { bed.scope.clean() }
        _ = try bed.pool.createVolume(xml: """
            <volume><name>disk.qcow2</name><capacity unit='MiB'>1</capacity><target><format type='qcow2'/></target>
            <backingStore><path>\(bed.secret)</path><format type='raw'/></backingStore></volume>
            """)
        let source = bed.scope.name("source")
        let disk = bed.poolPath + "/disk.qcow2"
        let definition = DomainDefinition(
            type: "qemu", name: try ObjectName(source), memory: .mib(64), os: OSDefinition(arch: "x86_64"),
            disks: [Disk(source: .file(disk), target: "vda", bus: .virtio, format: .qcow2)])
        _ = try bed.scope.connection.defineDomain(xml: try definition.xml())
        let before = try bed.scope.connection.domain(named: source).xml([.inactive])
        for mode in ["--linked", "--full"] {
            let result = try await bed.vmctl(["vm", "clone", source, bed.scope.name("copy"), mode])
            #expect(result.status == 64, "\(result.errors)")
            #expect(result.errors == "vmctl: error: source: \(disk) → \(bed.secret): the backing file is outside the storage pools; a backing file must be a volume of a pool\n")
            #expect(try bed.volumes() == ["disk.qcow2"])
            #expect(try bed.domains() == [source])
            #expect(try bed.scope.connection.domain(named: source).xml([.inactive]) == before)
        }
    }
}
