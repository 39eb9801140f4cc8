import Libvirt
import LibvirtXML

/// What planning needs to know about the host a connection reaches, read
/// from libvirt (virNodeGetInfo, virConnectGetCapabilities), never from this
/// machine's /proc: right for remote daemons too.
public struct HostFacts: Sendable, Equatable {
    /// The host's memory.
    public var memory: ByteSize
    /// Its active logical CPUs.
    public var cpus: Int
    /// The CPU vendor as libvirt names it (`Intel`, `AMD`, `Hygon`), nil when not reported.
    public var cpuVendor: String?

    public init(memory: ByteSize, cpus: Int, cpuVendor: String?) {
        self.memory = memory
        self.cpus = cpus
        self.cpuVendor = cpuVendor
    }

    /// Reads the facts over the connection. `cpuVendor: false` leaves the
    /// vendor out (nil) and skips the capabilities document, the larger read,
    /// for a caller that does not need it.
    public static func read(_ connection: Connection, cpuVendor: Bool = true) throws(VMCtlError) -> HostFacts {
        let info = try libvirt("reading the host's node info") { try connection.nodeInfo() }
        let memory = ByteSize(bytes: info.memoryKiB << 10)
        guard cpuVendor else { return HostFacts(memory: memory, cpus: info.cpus, cpuVendor: nil) }
        let capabilities = try libvirt("reading the host's capabilities") { try HostCapabilities(xml: try connection.capabilitiesXML()) }
        return HostFacts(memory: memory, cpus: info.cpus, cpuVendor: capabilities.hostCPUVendor)
    }

    /// The CPU feature a nested hypervisor needs: `svm` on AMD and Hygon
    /// (AMD's design), `vmx` on Intel and when unknown.
    public var nestedFeature: NestedVirtualization {
        switch cpuVendor?.lowercased() {
        case "amd", "hygon": .svm
        default: .vmx
        }
    }
}
