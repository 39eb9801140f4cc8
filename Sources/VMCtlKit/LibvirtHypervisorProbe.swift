import HostCheck
import Libvirt
import LibvirtXML

/// The host check's libvirtd probe over the binding: opens the URI read-only,
/// reads versions and capabilities, and gives up after `deadline` so a hung
/// daemon never hangs vmctl.
public struct LibvirtHypervisorProbe: HypervisorProbe {
    public var deadline: Double

    public init(deadline: Double = 3) { self.deadline = deadline }

    public func probe(uri: String, arch: String) -> HypervisorStatus {
        // libvirt calls block; `Deadline.answer` runs them off this thread so the deadline
        // holds even when the daemon accepts the socket and never answers.
        guard let status = Deadline.answer(within: deadline, { Self.read(uri: uri, arch: arch) }) else {
            return HypervisorStatus(reachable: false, error: "no answer from \(uri) within \(Int(deadline)) s")
        }
        return status
    }

    /// virConnectOpenReadOnly, virConnectGetLibVersion, virConnectGetVersion, virConnectGetCapabilities.
    static func read(uri: String, arch: String) -> HypervisorStatus {
        do {
            let connection = try Connection(uri: uri, readOnly: true)
            let library = try connection.libraryVersion().description
            let hypervisor = "\(try connection.hypervisorType()) \(try connection.hypervisorVersion())"
            let capabilities = try? HostCapabilities(xml: try connection.capabilitiesXML())
            let types = capabilities?.domainTypes(arch: arch).map(\.rawValue) ?? []
            let preferred = capabilities?.domainTypes(arch: arch).first
            let emulator = preferred.flatMap { capabilities?.emulator(arch: arch, domainType: $0) }
            return HypervisorStatus(
                reachable: true, libvirtVersion: library, hypervisorVersion: hypervisor, domainTypes: types,
                emulatorPath: emulator)
        } catch {
            return HypervisorStatus(reachable: false, error: "\(error)")
        }
    }
}
