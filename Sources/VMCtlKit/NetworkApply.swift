import Libvirt
import LibvirtXML

extension NetworkService {
    /// Test-only: stands in for `virNetworkCreate` for every network this task
    /// applies, whichever command applies it (`net create`, `lab up`).
    @TaskLocal static var startOverride: (@Sendable (Network) throws -> Void)?

    /// The one way vmctl makes a network, for `net create` and `lab up` alike:
    /// defines it, sets autostart, starts it. When a step after the define
    /// fails, the network is stopped and undefined again, and the error says so.
    /// `report`: each step after the define, for a caller that shows them.
    @discardableResult
    func apply(_ definition: NetworkDefinition, autostart: Bool, start: Bool, report: ((String) -> Void)? = nil) throws(VMCtlError) -> Network {
        let name = definition.name.rawValue
        let xml = try parsed { try definition.xml() }
        // virNetworkDefineXMLFlags
        let network = try libvirt("defining network '\(name)'") { try connection.defineNetwork(xml: xml, validate: true) }
        func removed(_ error: any Error, _ step: String) -> VMCtlError {
            if (try? network.isActive()) == true { try? network.destroy() }
            try? network.undefine()
            return VMCtlError("\(step) network '\(name)' failed, so its definition was removed: \(error)", libvirtError: error as? LibvirtError)
        }
        if autostart {
            do { try network.setAutostart(true) } catch { throw removed(error, "setting autostart on") }
        }
        if start {
            report?("starting network \(name)")
            do {
                if let override = Self.startOverride { try override(network) } else { try startNetwork(network) }
            } catch {
                // Explained while the definition still names its bridge, then rolled back.
                let failure = Self.startFailure(error, of: network, while: "starting network '\(name)' failed, so its definition was removed")
                _ = removed(error, "starting")
                throw failure
            }
        }
        return network
    }
}
