import Libvirt
import LibvirtXML

/// What the hypervisor offers guests of one type, read once per check.
enum HypervisorOffer {
    /// The domain capabilities of `type` guests on x86_64
    /// (`virConnectGetDomainCapabilities`); nil from a driver that gives none
    /// (the test driver) or a read-only connection (libvirt denies it the call).
    static func domainCapabilities(on connection: Connection, type: HypervisorType) throws(VMCtlError) -> DomainCapabilities? {
        let xml: String
        do {
            xml = try connection.domainCapabilitiesXML(arch: "x86_64", virtType: type.rawValue)
        } catch let error as LibvirtError where error.code == .noSupport || error.code == .operationDenied {
            return nil
        } catch {
            throw .libvirt(error, while: "reading the domain capabilities")
        }
        return try libvirt("reading the domain capabilities") { try DomainCapabilities(xml: xml) }
    }

    /// Refuses a named CPU model (`--cpu NAME`) the hypervisor does not know:
    /// the custom models of the domain capabilities, or else libvirt's model
    /// list for the architecture (`virConnectGetCPUModelNames`). Models it
    /// knows but cannot run here are libvirt's to refuse when the guest starts.
    /// Not checked when neither list can be read.
    static func requireKnownCPUModel(_ model: String, on connection: Connection, type: HypervisorType) throws(VMCtlError) {
        var known: [String]
        if let capabilities = try domainCapabilities(on: connection, type: type), !capabilities.cpuModels.isEmpty {
            known = capabilities.cpuModels.map(\.name)
        } else {
            do {
                known = try connection.cpuModelNames(arch: "x86_64")
            } catch let error as LibvirtError where error.code == .noSupport || error.code == .operationDenied {
                return
            } catch {
                throw .libvirt(error, while: "listing the CPU models")
            }
        }
        guard !known.isEmpty, !known.contains(model) else { return }
        known.sort()
        let some = known.prefix(6).joined(separator: ", ")
        throw .invalid(field: "--cpu", "\"\(model.prefix(40))\" is not a CPU model this hypervisor knows (\(known.count) models: \(some), …; see virsh domcapabilities)")
    }
}
