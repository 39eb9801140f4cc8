import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// The pool backends `vmctl pool create` builds.
public enum PoolKind: String, Sendable, Hashable, CaseIterable, Codable {
    case dir, fs, netfs, logical
}

/// Volume formats `vmctl vol create` and `vol import` write.
public enum VolumeFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case qcow2, raw
}

/// One row of `vmctl pool list`. Field names are part of the stable JSON output.
public struct PoolSummary: Codable, Sendable, Hashable {
    public var name: String
    public var uuid: String
    /// `dir`, `fs`, `netfs`, `logical`, or another libvirt pool type.
    public var type: String
    public var active: Bool
    public var autostart: Bool
    public var persistent: Bool
    /// `inactive`, `building`, `running`, `degraded`, `inaccessible`.
    public var state: String
    public var target: String?
    public var capacityBytes: UInt64
    public var allocationBytes: UInt64
    public var availableBytes: UInt64
    /// Number of volumes; absent while the pool is inactive.
    public var volumes: Int?
}

/// Where a pool's storage comes from, as `pool show` prints it.
public struct PoolSourceInfo: Codable, Sendable, Hashable {
    public var hosts: [String]
    public var devices: [String]
    public var dir: String?
    public var name: String?
    public var format: String?
}

/// `vmctl pool show`.
public struct PoolDetail: Codable, Sendable, Hashable {
    public var pool: PoolSummary
    public var source: PoolSourceInfo
    /// Absent while the pool is inactive.
    public var volumeList: [VolumeSummary]?
}

/// One row of `vmctl vol list`. Field names are part of the stable JSON output.
public struct VolumeSummary: Codable, Sendable, Hashable {
    public var name: String
    public var pool: String
    public var path: String
    /// `file`, `block`, `dir`, `network`, `netdir`, `ploop`.
    public var type: String
    /// `qcow2`, `raw`, … as libvirt reports it; absent when libvirt does not say.
    public var format: String?
    public var capacityBytes: UInt64
    public var allocationBytes: UInt64
    /// The path of the image this one is an overlay of.
    public var backing: String?
}

/// Text and JSON rendering of the storage results.
public enum StorageOutput {
    public static func pools(_ pools: [PoolSummary], format: OutputFormat) -> String {
        if format == .json { return renderJSON(["pools": pools]) }
        return renderTable(
            header: ["NAME", "TYPE", "STATE", "AUTOSTART", "PERSISTENT", "TARGET", "CAPACITY", "AVAILABLE", "VOLUMES"],
            rows: pools.map { p in
                [
                    p.name, p.type, p.state, yesNo(p.autostart), yesNo(p.persistent), p.target ?? "-", human(p.capacityBytes),
                    human(p.availableBytes), p.volumes.map(String.init) ?? "-",
                ]
            })
    }

    public static func pool(_ p: PoolSummary, action: String? = nil, format: OutputFormat) -> String {
        if format == .json { return renderJSON(p) }
        if let action { return "\(action) pool '\(p.name)' (\(p.type), \(p.target ?? "no target"), \(p.state))" }
        return pools([p], format: .text)
    }

    public static func detail(_ d: PoolDetail, format: OutputFormat) -> String {
        if format == .json { return renderJSON(d) }
        let p = d.pool
        var lines: [(String, String)] = [
            ("Name", p.name), ("UUID", p.uuid), ("Type", p.type), ("State", p.state), ("Autostart", yesNo(p.autostart)),
            ("Persistent", yesNo(p.persistent)), ("Target", p.target ?? "-"), ("Capacity", human(p.capacityBytes)),
            ("Allocation", human(p.allocationBytes)), ("Available", human(p.availableBytes)),
        ]
        if !d.source.hosts.isEmpty { lines.append(("Source host", d.source.hosts.joined(separator: ", "))) }
        if !d.source.devices.isEmpty { lines.append(("Source device", d.source.devices.joined(separator: ", "))) }
        if let dir = d.source.dir { lines.append(("Source path", dir)) }
        if let name = d.source.name { lines.append(("Source name", name)) }
        if let volumes = d.volumeList {
            lines.append(("Volumes", volumes.isEmpty ? "none" : volumes.map(\.name).joined(separator: ", ")))
        }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { ($0.0 + ":").padded(toLength: width + 2) + $0.1 }.joined(separator: "\n")
    }

    public static func volumes(_ volumes: [VolumeSummary], format: OutputFormat) -> String {
        if format == .json { return renderJSON(["volumes": volumes]) }
        return renderTable(
            header: ["NAME", "FORMAT", "CAPACITY", "ALLOCATION", "PATH", "BACKING"],
            rows: volumes.map { v in
                [v.name, v.format ?? "-", human(v.capacityBytes), human(v.allocationBytes), v.path, v.backing ?? "-"]
            })
    }

    public static func volume(_ v: VolumeSummary, action: String, format: OutputFormat) -> String {
        if format == .json { return renderJSON(v) }
        return "\(action) volume '\(v.name)' in pool '\(v.pool)' (\(v.format ?? v.type), \(human(v.capacityBytes)), \(v.path))"
    }

    public static func action(_ result: ActionResult, format: OutputFormat) -> String {
        format == .json ? renderJSON(result) : result.text
    }
}

/// Bytes in the largest binary unit with at most one decimal: `2.0 GiB`, `300.0 MiB`, `512 B`.
func human(_ bytes: UInt64) -> String {
    let units: [(String, UInt64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
    for (name, size) in units where bytes >= size {
        let tenths = (bytes * 10 + size / 2) / size
        return "\(tenths / 10).\(tenths % 10) \(name)"
    }
    return "\(bytes) B"
}
