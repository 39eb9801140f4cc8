import Foundation
@testable import HostCheck

enum Paths {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixtureHost(_ name: String) -> String {
        packageRoot.appendingPathComponent("Fixtures/hosts/\(name)").path
    }
}

/// A live host whose answers the test chooses.
struct FakeLiveHost: LiveHost {
    var kernel = KernelKVMProbeResult(passed: true, stage: .done, apiVersion: 12, exitReason: 5, ioPort: 0x3f8, ioByte: 75, elapsedMs: 1)
    var kvmBoot = EmulatorProbeResult(accelerator: "kvm", passed: true, reachedBootSector: true, elapsedMs: 150, timedOut: false)
    var tcgBoot = EmulatorProbeResult(accelerator: "tcg", passed: true, reachedBootSector: true, elapsedMs: 110, timedOut: false)
    var devices: [String: DeviceNode] = [
        "/dev/kvm": DeviceNode(isCharacterDevice: true, major: 10, minor: 232, mode: 0o660, gid: 992, readable: true, writable: true),
        "/dev/net/tun": DeviceNode(isCharacterDevice: true, major: 10, minor: 200, mode: 0o666, gid: 0, readable: true, writable: true),
        "/dev/vhost-net": DeviceNode(isCharacterDevice: true, major: 10, minor: 238, mode: 0o660, gid: 992, readable: true, writable: true),
    ]
    var clock: KernelClockStatus? = KernelClockStatus(synchronized: true, state: 0, maxErrorMicroseconds: 1000)
    var disk: UInt64 = 500 << 30
    var user = "lab"

    func kernelKVMProbe(devicePath: String, deadline: Duration) -> KernelKVMProbeResult { kernel }
    func emulatorProbe(emulator: String, accelerator: String, deadline: Duration) -> EmulatorProbeResult {
        accelerator == "kvm" ? kvmBoot : tcgBoot
    }
    func clockStatus() -> KernelClockStatus? { clock }
    func deviceNode(_ path: String) -> DeviceNode? { devices[path] }
    func freeDiskBytes(atPath path: String) -> (path: String, bytes: UInt64)? { (path, disk) }
    func userName() -> String { user }
    func environmentPath() -> String? { nil }
}

struct FakeHypervisor: HypervisorProbe {
    var status: HypervisorStatus
    func probe(uri: String, arch: String) -> HypervisorStatus { status }
}

extension HostReport {
    /// id → status, for compact expectations.
    var statuses: [String: CheckStatus] {
        Dictionary(uniqueKeysWithValues: checks.map { ($0.id, $0.status) })
    }
}
