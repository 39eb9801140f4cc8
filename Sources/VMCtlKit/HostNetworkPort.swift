import FoundationEssentials
import Libvirt
import LibvirtXML

/// The daemon's host's networking, read for the connection it is asked over:
/// this machine's own files for a local daemon, libvirt's host interface
/// list for a remote one. A remote host's /sys is not this machine's, so
/// nothing here reads the local /sys for a remote URI.
extension HostNetworkState {
    /// The facts of the connection's host (`local`: `StorageService.isLocal`).
    /// A remote daemon without an interface driver knows no interfaces: `knowsInterfaces` is false, and
    /// what would be checked against them is left to libvirt.
    public static func of(_ connection: Connection, local: Bool) throws(VMCtlError) -> HostNetworkState {
        if local { return live() }
        var state = HostNetworkState()
        state.knowsInterfaces = false
        // virConnectListAllInterfaces: the udev or netcf backend's view of the host.
        let listed: [Interface]
        do {
            listed = try connection.interfaces()
        } catch let error as LibvirtError where error.code == .noSupport || error.code == .operationInvalid {
            return state
        } catch {
            throw .libvirt(error, while: "listing the host's interfaces")
        }
        for interface in listed {
            // virInterfaceGetXMLDesc; one removed since the listing is not there.
            guard let xml = try find("reading host interface \(interface.name)", missing: .noInterface, { try interface.xml() }) else { continue }
            let root = try libvirt("reading host interface \(interface.name)") { try XMLReader.parse(xml) }
            state.interfaces[interface.name] = root.attribute("type") == "bridge"
        }
        state.knowsInterfaces = true
        return state
    }

    /// Whether `name` is a bridge on the host, or nil when the host's interfaces are not known.
    public func bridge(_ name: String) -> Bool? { knowsInterfaces ? isBridge(name) : nil }

    /// Whether `name` is an interface on the host, or nil when the host's interfaces are not known.
    public func interface(_ name: String) -> Bool? { knowsInterfaces ? hasInterface(name) : nil }
}
