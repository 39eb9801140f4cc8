import Foundation
import Libvirt

/// Paths into the repository's Fixtures/ folder.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A test-driver URI over the node file; each open gets private state.
    static var nodeURI: String { "test://" + root.appendingPathComponent("libvirt/test-node.xml").path }

    /// A fresh private test-driver connection.
    static func connection() throws -> Connection { try Connection(uri: nodeURI) }
}

/// Counts this process's open file descriptors.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// This process's resident set size in bytes.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return -1 }
    let fields = statm.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let minimalDomainXML = """
    <domain type='test'>
      <name>%@</name>
      <memory unit='MiB'>128</memory>
      <vcpu>1</vcpu>
      <os><type arch='x86_64'>hvm</type></os>
    </domain>
    """

func domainXML(named name: String) -> String {
    minimalDomainXML.replacingOccurrences(of: "%@", with: name)
}

/// The code of the LibvirtError that `body` throws, or nil when it succeeds.
/// Any other error yields `.ok`, which no assertion expects.
func errorCode(_ body: () throws -> Void) -> LibvirtError.Code? {
    do {
        try body()
        return nil
    } catch {
        return (error as? LibvirtError)?.code ?? .ok
    }
}
