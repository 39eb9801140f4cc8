import Foundation
import Libvirt
import Testing

@Suite(.enabled(if: Daemon.enabled)) struct IntegrationNetworkTests {
    @Test func hostOnlyNetworkLifecycleWithReservation() throws {
        let scope = try TestScope("net")
        defer { scope.clean() }
        let subnet = try scope.freeSubnet()
        let bridge = "vmctltn\(subnet.split(separator: ".")[1])"
        let network = try scope.connection.defineNetwork(xml: """
            <network>
              <name>\(scope.name("hostonly"))</name>
              <bridge name='\(bridge)'/>
              <ip address='\(subnet).1' netmask='255.255.255.0'>
                <dhcp><range start='\(subnet).100' end='\(subnet).150'/></dhcp>
              </ip>
            </network>
            """)
        try network.start()
        #expect(try network.isActive())
        #expect(try network.bridgeName() == bridge)
        #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)"))
        #expect(try network.dhcpLeases().isEmpty)

        let host = "<host mac='52:54:00:77:00:21' name='compute1' ip='\(subnet).21'/>"
        try network.addDHCPHost(xml: host, impact: [.live, .config])
        #expect(try network.xml().contains("ip='\(subnet).21'"))
        #expect(try network.xml(inactive: true).contains("name='compute1'"))
        try network.removeDHCPHost(xml: host, impact: [.live, .config])
        #expect(try !network.xml(inactive: true).contains("compute1"))

        try network.setAutostart(true)
        #expect(try network.autostart())
        try network.destroy()
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)"))
        try network.undefine()
        let error = #expect(throws: LibvirtError.self) { try scope.connection.network(named: scope.name("hostonly")) }
        #expect(error?.code == .noNetwork)
    }
}

@Suite(.enabled(if: Daemon.enabled)) struct IntegrationStorageTests {
    @Test func dirPoolVolumesCloneResizeWipe() throws {
        let scope = try TestScope("pool")
        defer { scope.clean() }
        let path = Daemon.runDirectory.appendingPathComponent(scope.name("dir")).path
        let pool = try scope.connection.defineStoragePool(xml: """
            <pool type='dir'><name>\(scope.name("dir"))</name><target><path>\(path)</path></target></pool>
            """)
        try pool.build()
        try pool.start()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try pool.info().state == .running)

        let volume = try pool.createVolume(xml: """
            <volume><name>disk.raw</name><capacity unit='MiB'>16</capacity><target><format type='raw'/></target></volume>
            """)
        #expect(try volume.path() == path + "/disk.raw")
        #expect(try volume.info().capacity == 16 << 20)
        try volume.resize(to: 32 << 20)
        #expect(try volume.info().capacity == 32 << 20)
        try volume.wipe()

        let copy = try pool.createVolume(
            xml: "<volume><name>copy.raw</name><capacity unit='MiB'>32</capacity><target><format type='raw'/></target></volume>",
            copying: volume)
        #expect(try copy.info().capacity == 32 << 20)

        let overlay = try pool.createVolume(xml: """
            <volume><name>overlay.qcow2</name><capacity unit='MiB'>32</capacity>
            <target><format type='qcow2'/></target>
            <backingStore><path>\(try volume.path())</path><format type='raw'/></backingStore></volume>
            """)
        #expect(try overlay.xml().contains("<backingStore>"))
        #expect(try scope.connection.storageVolume(path: overlay.path()).name == "overlay.qcow2")
        #expect(try scope.connection.storageVolume(key: overlay.key()).pool().name == pool.name)
        try pool.refresh()
        #expect(Set(try pool.volumes().map(\.name)) == ["disk.raw", "copy.raw", "overlay.qcow2"])

        try overlay.delete()
        try copy.delete()
        try volume.delete()
        try pool.destroy()
        try pool.delete()
        try pool.undefine()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func streamsUploadAndDownloadVolumeData() throws {
        let scope = try TestScope("stream")
        defer { scope.clean() }
        let path = Daemon.runDirectory.appendingPathComponent(scope.name("dir")).path
        let pool = try scope.connection.defineStoragePool(xml: """
            <pool type='dir'><name>\(scope.name("dir"))</name><target><path>\(path)</path></target></pool>
            """)
        try pool.build()
        try pool.start()
        let volume = try pool.createVolume(xml: """
            <volume><name>data.raw</name><capacity unit='bytes'>1048576</capacity><target><format type='raw'/></target></volume>
            """)
        // A deterministic pattern, sent in uneven pieces.
        let bytes = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let upload = try Stream(connection: scope.connection)
        try volume.upload(upload, length: UInt64(bytes.count))
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 300_001, bytes.count)
            try upload.send(Array(bytes[offset..<end]))
            offset = end
        }
        try upload.finish()
        #expect(try Data(contentsOf: URL(fileURLWithPath: volume.path())) == Data(bytes))

        let download = try Stream(connection: scope.connection)
        try volume.download(download, offset: 4096, length: 8192)
        var received: [UInt8] = []
        while true {
            let chunk = try download.receive()
            if chunk.isEmpty { break }
            received += chunk
        }
        try download.finish()
        #expect(received == Array(bytes[4096..<(4096 + 8192)]))
    }
}
