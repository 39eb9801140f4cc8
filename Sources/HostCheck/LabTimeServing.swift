import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The config files `lab up` writes for the host to serve a lab time
/// (VMCtlKit's `HostTime`).
public enum LabTimeConfig {
    /// Their first line up to the lab's name: what marks a file as vmctl's.
    public static let headerPrefix = "# Written by vmctl lab up for lab "
}

/// Whether this host serves time to vmctl's labs: chronyd runs and
/// `etc/chrony/conf.d/vmctl-LAB.conf` files (written by `lab up`) allow the
/// labs' subnets. Part of the `host.clock` line.
struct LabTimeServing: Equatable {
    var serves: Bool
    /// `allow` subnets, from every vmctl file.
    var subnets: [String]
    var summary: String

    static let directory = "etc/chrony/conf.d"

    /// The `allow` lines' subnets of one chrony config file.
    static func allowed(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count >= 2 && fields[0] == "allow" ? String(fields[1]) : nil
        }
    }

    static func read(_ root: HostRoot, chronydRunning: Bool) -> LabTimeServing {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.resolve(directory))) ?? [])
            .filter { $0.hasPrefix("vmctl-") && $0.hasSuffix(".conf") }.sorted()
        // Only the files vmctl wrote: one of that name without its header is someone else's.
        let texts = names.compactMap { root.read("\(directory)/\($0)") }.filter { $0.hasPrefix(LabTimeConfig.headerPrefix) }
        let subnets = texts.flatMap { allowed(in: $0) }
        if !chronydRunning {
            return LabTimeServing(serves: false, subnets: subnets, summary: "does not serve time to labs (no chronyd)")
        }
        if subnets.isEmpty {
            return LabTimeServing(serves: false, subnets: [], summary: "chronyd allows no lab subnet yet (lab up adds them)")
        }
        return LabTimeServing(serves: true, subnets: subnets, summary: "serves time to labs on \(subnets.joined(separator: ", "))")
    }
}
