import Foundation
import Libvirt
import LibvirtXML
import Testing

/// The binding's calls on a running guest, against the real QEMU driver: what
/// the unit tests prove on the test driver, here with a real QEMU process and
/// the busybox test guest (Docs/test-guest.md) answering.
///
/// The guest boots with `vmctl.debug=1` and without `quiet`, so the kernel's own
/// messages reach the serial log: that is how the guest shows what it saw (a
/// hot-plugged disk, a hot-added CPU). It also gets `virtio_balloon`, which the
/// image does not load: an extra cpio archive appended to its initramfs adds
/// the host's module (the guest runs the host's kernel) to the guest's list.
@Suite(.enabled(if: Daemon.enabled), .serialized) struct IntegrationLiveBindingTests {
    /// Collects what an event stream delivers, on a task of its own, so a test
    /// can wait for an event with a bound (and `await`, not block a thread).
    final class Collected<Event: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Event] = []
        private var task: Task<Void, Never>?

        init(_ stream: AsyncStream<Event>) {
            task = Task { [weak self] in
                for await event in stream {
                    guard let self else { return }
                    self.append(event)
                }
            }
        }

        private func append(_ event: Event) {
            lock.lock()
            items.append(event)
            lock.unlock()
        }

        var events: [Event] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }

        /// Waits at most `seconds` for an event matching `predicate`.
        func first(within seconds: Double, where predicate: (Event) -> Bool) async -> Event? {
            let deadline = Date().addingTimeInterval(seconds)
            repeat {
                if let event = events.first(where: predicate) { return event }
                try? await Task.sleep(for: .milliseconds(100))
            } while Date() < deadline
            return events.first(where: predicate)
        }

        func cancel() { task?.cancel() }
    }

    /// Polls `condition` until it holds or `seconds` pass, sleeping without holding a thread.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        return try condition()
    }

    /// The test image's initramfs with one more archive appended that adds
    /// `virtio_balloon` to the modules the guest loads.
    static func initrdWithBalloon(at output: String) throws {
        let manifest = try String(contentsOf: Daemon.image.appendingPathComponent("manifest"), encoding: .utf8)
        let kernel = try #require(manifest.split(separator: "\n").first { $0.hasPrefix("kernel=") }?.dropFirst(7))
        let module = "/lib/modules/\(kernel)/kernel/drivers/virtio/virtio_balloon.ko"
        try #require(FileManager.default.fileExists(atPath: module), "\(module) missing: the guest's kernel must be installed here")
        let initrd = Daemon.image.appendingPathComponent("initrd.img").path
        let script = """
            set -eu
            tree=$(mktemp -d)
            trap 'rm -rf "$tree"' EXIT
            mkdir -p "$tree/etc/vmctl" "$tree/lib/modules/kernel/drivers/virtio"
            gzip -dc '\(initrd)' | (cd "$tree" && cpio -i --quiet --make-directories etc/vmctl/modules.load)
            echo kernel/drivers/virtio/virtio_balloon.ko >>"$tree/etc/vmctl/modules.load"
            cp '\(module)' "$tree/lib/modules/kernel/drivers/virtio/"
            cp '\(initrd)' '\(output)'
            (cd "$tree" && find etc lib | cpio -o -H newc --quiet | gzip -n) >>'\(output)'
            """
        let result = try run("/bin/sh", ["-c", script])
        try #require(result.status == 0, "initramfs overlay: \(result.errors)")
    }

    static func guestXML(name: String, root: String, initrd: String, serial: String, devices: String = "") -> String {
        """
        <domain type='qemu'>
          <name>\(name)</name>
          <memory unit='MiB'>256</memory>
          <currentMemory unit='MiB'>256</currentMemory>
          <vcpu placement='static' current='1'>2</vcpu>
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
            <kernel>\(Daemon.image.path)/vmlinuz</kernel>
            <initrd>\(initrd)</initrd>
            <cmdline>console=ttyS0 no_timer_check vmctl.debug=1 vmctl.marker=live vmctl.hostname=\(name)</cmdline>
          </os>
          <features><acpi/></features>
          <on_poweroff>destroy</on_poweroff>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='\(root)'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <serial type='file'><source path='\(serial)'/><target port='0'/></serial>
            <memballoon model='virtio'/>
            \(devices)
          </devices>
        </domain>
        """
    }

    /// The `<disk>` element of `target` in a domain's XML, or nil.
    static func disk(_ target: String, in xml: String) throws -> XMLTree.Element? {
        try XMLReader.parse(xml).child("devices")?.children("disk").first { $0.child("target")?.attribute("dev") == target }
    }

    /// The `<interface>` element with `mac` in a domain's XML, or nil.
    static func interface(_ mac: String, in xml: String) throws -> XMLTree.Element? {
        try XMLReader.parse(xml).child("devices")?.children("interface").first { $0.child("mac")?.attribute("address") == mac }
    }

    /// The source files of a disk's backing chain, active layer first, as libvirt reports it.
    static func chain(_ disk: XMLTree.Element) -> [String] {
        var files: [String] = []
        var layer: XMLTree.Element? = disk
        while let current = layer, let file = current.child("source")?.attribute("file") {
            files.append(file)
            layer = current.child("backingStore")
        }
        return files
    }

    @Test func hotPlugMemoryVcpusAndActiveCommitOnARunningGuest() async throws {
        let scope = try TestScope("live")
        defer { scope.clean() }
        let connection = scope.connection
        let (pool, root, base, baseBefore) = try scope.guestDisk(needing: ["vmlinuz", "initrd.img", "base.qcow2", "manifest"])
        let rootPath = try root.path()
        let extra = try pool.createVolume(xml: """
            <volume><name>extra.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/></target></volume>
            """)
        let extraPath = try extra.path()
        let initrd = Daemon.runDirectory.appendingPathComponent(scope.name("initrd.img")).path
        try Self.initrdWithBalloon(at: initrd)
        // A bridge with no address, no DHCP and no forwarding: the NIC only needs somewhere to plug in.
        let network = scope.name("net")
        try connection.defineNetwork(xml: "<network><name>\(network)</name><bridge stp='off'/></network>").start()

        let name = scope.name("guest")
        let serial = Daemon.runDirectory.appendingPathComponent(name + ".log")
        let added = Collected(try connection.domainDeviceAddedEvents())
        let removed = Collected(try connection.domainDeviceRemovedEvents())
        let blockJobs = Collected(try connection.domainBlockJobEvents())
        let balloon = Collected(try connection.domainBalloonChangeEvents())
        defer { added.cancel(); removed.cancel(); blockJobs.cancel(); balloon.cancel() }

        let domain = try connection.defineDomain(xml: Self.guestXML(name: name, root: rootPath, initrd: initrd, serial: serial.path))
        try domain.start()
        let ready = await eventually(120) { serialLines(serial).contains("VMCTL-TEST-GUEST: ready") }
        try #require(ready, "guest not ready; serial: \(serialLines(serial).suffix(15))")
        #expect(serialLines(serial).contains("VMCTL-MARKER-WRITTEN: live"))
        #expect(serialLines(serial).contains { $0.contains("VMCTL-DEBUG: modules:") && $0.contains("virtio_balloon") },
                "virtio_balloon not loaded: \(serialLines(serial).filter { $0.contains("VMCTL-DEBUG") }.prefix(5))")

        // Memory, live: the guest's balloon driver gives 96 MiB back; libvirt
        // reports the new size once QEMU says the balloon reached it.
        #expect(try domain.info().memoryKiB == 256 * 1024)
        try domain.setMemory(kiB: 160 * 1024, flags: .live)
        let ballooned = try await eventually(60) { try domain.info().memoryKiB == 160 * 1024 }
        #expect(ballooned, "domain info still reports \((try? domain.info().memoryKiB) ?? 0) KiB")
        #expect(try domain.memoryStats()[.actualBalloon] == 160 * 1024)
        let balloonEvent = await balloon.first(within: 30) { $0.domainName == name && $0.fact.actualKiB == 160 * 1024 }
        #expect(balloonEvent != nil, "balloon change events: \(balloon.events.map(\.fact))")
        #expect(try domain.maxMemoryKiB() == 256 * 1024)
        let balloonStats = try connection.domainStats(.balloon, of: [domain]).first?.values
        #expect(balloonStats?["balloon.current"] == .uint64(160 * 1024), "\(balloonStats ?? [:])")

        // vCPUs, live, up to the defined maximum of 2: QEMU hot-adds a CPU and
        // the guest kernel's ACPI processor driver reports it.
        #expect(try domain.vcpuCount([.live, .maximum]) == 2)
        #expect(try domain.vcpuCount(.live) == 1)
        try domain.setVcpus(2, flags: .live)
        #expect(try domain.vcpuCount(.live) == 2)
        #expect(try domain.info().vcpus == 2)
        #expect(try domain.vcpuCount(.config) == 1, "a live change must leave the definition alone")
        let cpuSeen = await eventually(30) { serialLines(serial).contains { $0.contains("CPU1 has been hot-added") } }
        #expect(cpuSeen, "the guest did not report CPU1; serial: \(serialLines(serial).suffix(10))")

        // An external disk-only snapshot puts a new active layer on vda; an
        // active block commit merges it back into root.qcow2 and pivots.
        let snapshotFile = Daemon.runDirectory.appendingPathComponent(scope.name("snap.qcow2")).path
        let snapshot = try domain.createSnapshot(xml: """
            <domainsnapshot><name>live-snap</name>
              <disks><disk name='vda' snapshot='external'><driver type='qcow2'/><source file='\(snapshotFile)'/></disk></disks>
            </domainsnapshot>
            """, flags: [.diskOnly, .atomic])
        let snapped = try #require(try Self.disk("vda", in: domain.xml()))
        #expect(Self.chain(snapped) == [snapshotFile, rootPath, base])

        try domain.blockCommit("vda", base: rootPath, flags: [.active])
        // Polled with a bound: an active commit never ends by itself; it is ready
        // to pivot once it has copied everything (current == end).
        var lastInfo: DomainBlockJobInfo?
        let caughtUp = try await eventually(120) {
            lastInfo = try domain.blockJobInfo("vda")
            guard let info = lastInfo else { return false }
            return info.end > 0 && info.current == info.end
        }
        #expect(caughtUp, "block job: \(String(describing: lastInfo))")
        #expect(lastInfo?.type == .activeCommit)
        let readyEvent = await blockJobs.first(within: 60) { $0.domainName == name && $0.fact.status == .ready }
        #expect(readyEvent?.fact.disk == "vda" && readyEvent?.fact.type == .activeCommit,
                "block job events: \(blockJobs.events.map(\.fact))")
        try domain.blockJobAbort("vda", flags: .pivot)
        let completed = await blockJobs.first(within: 60) { $0.domainName == name && $0.fact.status == .completed }
        #expect(completed?.fact.disk == "vda" && completed?.fact.type == .activeCommit,
                "block job events: \(blockJobs.events.map(\.fact))")
        #expect(try await eventually(30) { try domain.blockJobInfo("vda") == nil })
        // The chain is root.qcow2 on the shared base again; the snapshot's file is out of it.
        let committed = try #require(try Self.disk("vda", in: domain.xml()))
        #expect(Self.chain(committed) == [rootPath, base])
        try snapshot.delete(.metadataOnly)
        #expect(try domain.snapshots().isEmpty)

        // Hot-plug a qcow2 disk and a NIC.
        let diskXML = """
            <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='\(extraPath)'/>\
            <target dev='vdb' bus='virtio'/></disk>
            """
        let mac = "52:54:00:76:6c:01"
        let nicXML = "<interface type='network'><source network='\(network)'/><mac address='\(mac)'/><model type='virtio'/></interface>"
        try domain.attachDevice(xml: diskXML, flags: .live)
        try domain.attachDevice(xml: nicXML, flags: .live)
        let live = try domain.xml()
        let plugged = try #require(try Self.disk("vdb", in: live), "vdb not in the live XML")
        #expect(Self.chain(plugged) == [extraPath])
        let diskAlias = try #require(plugged.child("alias")?.attribute("name"))
        let nic = try #require(try Self.interface(mac, in: live), "the NIC is not in the live XML")
        let nicAlias = try #require(nic.child("alias")?.attribute("name"))
        #expect(nic.child("source")?.attribute("network") == network)
        #expect(try Self.disk("vdb", in: domain.xml(.inactive)) == nil, "a live attach must leave the definition alone")
        for alias in [diskAlias, nicAlias] {
            let event = await added.first(within: 30) { $0.domainName == name && $0.fact == alias }
            #expect(event != nil, "no device-added event for \(alias): \(added.events.map(\.fact))")
        }
        // The guest saw the disk: its virtio_blk driver names it and its size (16 MiB = 32768 sectors).
        let diskSeen = await eventually(30) { serialLines(serial).contains { $0.contains("[vdb] 32768 512-byte logical blocks") } }
        #expect(diskSeen, "the guest did not report vdb; serial: \(serialLines(serial).suffix(10))")
        // …and the NIC: its PCI core enumerates a virtio-net function (1af4:1000, class 0x0200).
        let nicSeen = await eventually(30) { serialLines(serial).contains { $0.contains("[1af4:1000] type 00 class 0x020000") } }
        #expect(nicSeen, "the guest did not enumerate the NIC; serial: \(serialLines(serial).suffix(10))")
        #expect(try domain.blockStats(disk: "vdb").errors <= 0)

        // Detach both. PCI unplug needs the guest: libvirt asks through ACPI and
        // the device goes when the guest's acpiphp releases it (device-removed).
        // This guest does: both events come within a second or two, and it
        // prints nothing on the serial console when it lets them go.
        try domain.detachDevice(xml: diskXML, flags: .live)
        try domain.detachDevice(xml: nicXML, flags: .live)
        for alias in [diskAlias, nicAlias] {
            let event = await removed.first(within: 60) { $0.domainName == name && $0.fact == alias }
            #expect(event != nil, "no device-removed event for \(alias) within 60 s: the guest did not release it")
        }
        let after = try domain.xml()
        #expect(try Self.disk("vdb", in: after) == nil)
        #expect(try Self.interface(mac, in: after) == nil)

        try domain.destroy()
        try domain.undefine()
        // The shared base image is untouched by all of this.
        #expect(try Data(contentsOf: URL(fileURLWithPath: base)) == baseBefore)
    }

    /// Opens a TCP connection to 127.0.0.1:`port` (the guest's VNC server), reads
    /// the server's 12-byte RFB greeting, and closes it.
    static func greetVNC(port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        var greeting = [UInt8](repeating: 0, count: 12)
        let count = read(fd, &greeting, 12)
        return String(decoding: greeting.prefix(max(0, count)), as: UTF8.self)
    }

    /// The domain event IDs a running QEMU guest and libvirtd send without a
    /// migration or a failing disk: a cdrom source missing at start (disk
    /// change), media changed (tray), a VNC client on loopback (graphics), a
    /// vCPU pinned live (tunable), the agent channel's state at start (agent
    /// lifecycle), and the guest's first write past a threshold on its disk.
    /// (No agent runs in this guest; the agent's connection is proven on the
    /// Debian guest.)
    @Test func domainEventStreamsCarryWhatQEMUReports() async throws {
        let scope = try TestScope("liveevents")
        defer { scope.clean() }
        let connection = scope.connection
        let directory = Daemon.runDirectory
        let root = directory.appendingPathComponent(scope.name("root.qcow2")).path
        let overlay = try run("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                                                          Daemon.image.appendingPathComponent("base.qcow2").path, root])
        try #require(overlay.status == 0, "qemu-img: \(overlay.errors)")
        let missing = directory.appendingPathComponent(scope.name("missing.iso")).path
        let media = [scope.name("media1.iso"), scope.name("media2.iso")].map { directory.appendingPathComponent($0).path }
        for file in media { try Data(count: 64 * 1024).write(to: URL(fileURLWithPath: file)) }
        let devices = """
            <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>\
            <source file='\(missing)' startupPolicy='optional'/><target dev='hdc' bus='ide'/><readonly/></disk>
            <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>\
            <source file='\(media[0])'/><target dev='hdd' bus='ide'/><readonly/></disk>
            <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
            <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
            """
        let name = scope.name("guest")
        let serial = directory.appendingPathComponent(name + ".log")
        let diskChanges = Collected(try connection.domainDiskChangeEvents())
        let trays = Collected(try connection.domainTrayChangeEvents())
        let graphics = Collected(try connection.domainGraphicsEvents())
        let tunables = Collected(try connection.domainTunableEvents())
        let agent = Collected(try connection.domainAgentLifecycleEvents())
        let thresholds = Collected(try connection.domainBlockThresholdEvents())
        defer { [diskChanges.cancel, trays.cancel, graphics.cancel, tunables.cancel, agent.cancel, thresholds.cancel].forEach { $0() } }

        let domain = try connection.defineDomain(xml: Self.guestXML(
            name: name, root: root, initrd: Daemon.image.appendingPathComponent("initrd.img").path, serial: serial.path,
            devices: devices))
        // Started paused, so the threshold is set before the guest's first
        // write: its marker file makes qcow2 put a new cluster past the
        // overlay's end, and the threshold is that end.
        try domain.start(.paused)
        let overlaySize = try #require(try FileManager.default.attributesOfItem(atPath: root)[.size] as? UInt64)
        try domain.setBlockThreshold("vda", bytes: overlaySize)
        try domain.resume()
        let ready = await eventually(120) { serialLines(serial).contains("VMCTL-TEST-GUEST: ready") }
        try #require(ready, "guest not ready; serial: \(serialLines(serial).suffix(15))")
        #expect(serialLines(serial).contains("VMCTL-MARKER-WRITTEN: live"))
        let crossed = await thresholds.first(within: 30) { $0.domainName == name }
        #expect(crossed?.fact.device == "vda" && crossed?.fact.threshold == overlaySize,
                "threshold events: \(thresholds.events.map(\.fact)), overlay was \(overlaySize) bytes")
        #expect(crossed?.fact.path == root)

        let dropped = await diskChanges.first(within: 10) { $0.domainName == name }
        #expect(dropped?.fact.oldSourcePath == missing, "disk change events: \(diskChanges.events.map(\.fact))")
        #expect(dropped?.fact.newSourcePath == nil)
        #expect(dropped?.fact.reason == .missingOnStart)

        let started = await agent.first(within: 10) { $0.domainName == name }
        #expect(started?.fact.state == .disconnected && started?.fact.reason == .domainStarted,
                "agent lifecycle events: \(agent.events.map(\.fact))")

        // Changing the media opens the tray, swaps the medium, and closes it.
        let live = try XMLReader.parse(try domain.xml())
        let hdd = try #require(live.child("devices")?.children("disk").first { $0.child("target")?.attribute("dev") == "hdd" })
        let hddAlias = try #require(hdd.child("alias")?.attribute("name"))
        try domain.updateDevice(xml: """
            <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>\
            <source file='\(media[1])'/><target dev='hdd' bus='ide'/><readonly/></disk>
            """, flags: .live)
        let opened = await trays.first(within: 30) { $0.domainName == name && $0.fact.reason == .open }
        let closed = await trays.first(within: 30) { $0.domainName == name && $0.fact.reason == .close }
        #expect(opened?.fact.deviceAlias == hddAlias && closed?.fact.deviceAlias == hddAlias,
                "tray events: \(trays.events.map(\.fact)), hdd is \(hddAlias)")

        // A VNC client on loopback: QEMU reports the connection and its end.
        let port = try #require(live.child("devices")?.children("graphics").first?.attribute("port").flatMap { Int($0) })
        #expect(try Self.greetVNC(port: port).hasPrefix("RFB "))
        let connect = await graphics.first(within: 30) { $0.domainName == name && $0.fact.phase == .connect }
        let disconnect = await graphics.first(within: 30) { $0.domainName == name && $0.fact.phase == .disconnect }
        #expect(connect?.fact.local.service == String(port), "graphics events: \(graphics.events.map(\.fact))")
        #expect(connect?.fact.local.family == .ipv4 && connect?.fact.remote.node == "127.0.0.1")
        #expect(disconnect != nil, "graphics events: \(graphics.events.map(\.fact))")

        // Pinning a vCPU live is a tunable change, named as in the domain's cputune.
        try domain.pinVcpu(0, to: [0], impact: .live)
        let pinned = await tunables.first(within: 30) { $0.domainName == name && $0.fact.values["cputune.vcpupin0"] != nil }
        #expect(pinned?.fact.values["cputune.vcpupin0"] == .string("0"), "tunable events: \(tunables.events.map(\.fact))")

        try domain.destroy()
        try domain.undefine()
    }
}
