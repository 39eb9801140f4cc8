import Foundation
import Libvirt
import Testing

/// Boots the real test guest (Scripts/build-test-image.sh) under QEMU/TCG.
@Suite(.enabled(if: Daemon.enabled)) struct IntegrationGuestTests {
    @Test func definesBootsReadsSerialMarkerAndRemoves() async throws {
        let scope = try TestScope("boot")
        defer { scope.clean() }
        // The guest's overlay, so the shared base image is never written.
        let (_, overlay, base, baseBefore) = try scope.guestDisk()

        let name = scope.name("guest")
        let serial = Daemon.runDirectory.appendingPathComponent(name + ".log")
        let events = try scope.connection.domainEvents()
        let domain = try scope.connection.defineDomain(xml: """
            <domain type='qemu'>
              <name>\(name)</name>
              <memory unit='MiB'>192</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>\(Daemon.image.path)/vmlinuz</kernel>
                <initrd>\(Daemon.image.path)/initrd.img</initrd>
                <cmdline>console=ttyS0 quiet no_timer_check vmctl.marker=boot-test vmctl.hostname=\(name)</cmdline>
              </os>
              <features><acpi/></features>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='\(try overlay.path())'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <serial type='file'><source path='\(serial.path)'/><target port='0'/></serial>
                <memballoon model='none'/>
              </devices>
            </domain>
            """)
        try domain.start()
        #expect(try domain.state().state == .running)
        let booted = waitUntil(seconds: 60) { serialLines(serial).contains("VMCTL-TEST-GUEST: booted") }
        #expect(booted, "no boot marker; serial: \(serialLines(serial).suffix(10))")
        let wrote = waitUntil(seconds: 30) { serialLines(serial).contains("VMCTL-MARKER-WRITTEN: boot-test") }
        #expect(wrote)

        try domain.destroy()
        try domain.undefine()
        var seen: [DomainEvent.Kind] = []
        for await event in events where event.domainName == name {
            seen.append(event.kind)
            if event.kind == .undefined { break }
        }
        // QEMU adds resumed/shutdown events around these; the lifecycle order must hold.
        let lifecycle = seen.filter { [.defined, .started, .stopped, .undefined].contains($0) }
        #expect(lifecycle == [.defined, .started, .stopped, .undefined], "events: \(seen)")
        try overlay.delete()
        // The shared base image is untouched by booting an overlay on it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: base)) == baseBefore)
    }
}
