import FoundationEssentials

/// `vmctl image fetch`. Field names are part of the stable JSON output.
public struct ImageFetchResult: Codable, Sendable, Hashable {
    /// The imported volume, as `vol list` shows it.
    public var volume: VolumeSummary
    /// The URL downloaded.
    public var source: String
    public var knownName: String?
    /// `sha256:HEX` or `sha512:HEX`, verified.
    public var checksum: String
    /// `inline` (--checksum), or the URL of the checksum file it came from.
    public var checksumFrom: String
    /// The fingerprint of the key whose signature on the checksum file verified;
    /// nil for an inline checksum or under `--insecure-checksums`.
    public var signedBy: String?
    public var bytes: UInt64
    /// Bytes a previous, broken run had already downloaded (0: a fresh download).
    public var resumedFrom: UInt64
}

/// One row of `vmctl image list`: a volume vmctl fetched, or one another volume
/// is layered on. Field names are part of the stable JSON output.
public struct BaseImage: Codable, Sendable, Hashable {
    public var pool: String
    public var name: String
    public var path: String
    public var format: String?
    public var capacityBytes: UInt64
    public var allocationBytes: UInt64
    /// Recorded in the image registry by `image fetch`.
    public var fetched: Bool
    /// The URL it was fetched from.
    public var source: String?
    public var checksum: String?
    /// Domains with a disk whose backing chain reaches this image (or that use it directly).
    public var usedByDomains: [String]
    /// Volumes (`POOL/NAME`) whose backing chain reaches this image.
    public var usedByVolumes: [String]

    public var inUse: Bool { !usedByDomains.isEmpty || !usedByVolumes.isEmpty }
}

/// `vmctl image list`.
public struct ImageListing: Codable, Sendable, Hashable {
    public var images: [BaseImage]
    /// Pools that are not running: their volumes could not be read.
    public var uncheckedPools: [String]
}

/// `vmctl image prune`.
public struct ImagePruneResult: Codable, Sendable, Hashable {
    public struct Removed: Codable, Sendable, Hashable {
        public var pool: String
        public var name: String
        public var path: String
        public var allocationBytes: UInt64
    }
    public var dryRun: Bool
    /// Removed (with --dry-run: would be removed).
    public var removed: [Removed]
    /// Fetched images kept because something uses them.
    public var kept: [BaseImage]
    /// Registry entries whose volume no longer exists (forgotten, unless --dry-run).
    public var forgotten: [String]
    public var uncheckedPools: [String]
}

/// Text and JSON rendering of the image results.
public enum ImageOutput {
    public static func fetched(_ r: ImageFetchResult, format: OutputFormat) -> String {
        if format == .json { return renderJSON(r) }
        let resumed = r.resumedFrom > 0 ? ", resumed at \(human(r.resumedFrom))" : ""
        return "fetched \(r.knownName ?? r.source) into volume '\(r.volume.name)' in pool '\(r.volume.pool)' "
            + "(\(r.volume.format ?? r.volume.type), \(human(r.bytes)) downloaded\(resumed), \(r.checksum.prefix(15))… verified\(r.signedBy.map { ", checksum file signed by \($0)" } ?? ""))"
    }

    public static func list(_ listing: ImageListing, format: OutputFormat) -> String {
        if format == .json { return renderJSON(listing) }
        let table = renderTable(
            header: ["POOL", "NAME", "SIZE", "ON DISK", "FETCHED", "USED BY"],
            rows: listing.images.map { image in
                let users = image.usedByDomains + image.usedByVolumes
                return [
                    image.pool, image.name, human(image.capacityBytes), human(image.allocationBytes), yesNo(image.fetched),
                    users.isEmpty ? "-" : users.joined(separator: ", "),
                ]
            })
        return table + unchecked(listing.uncheckedPools)
    }

    public static func pruned(_ r: ImagePruneResult, format: OutputFormat) -> String {
        if format == .json { return renderJSON(r) }
        let verb = r.dryRun ? "would remove" : "removed"
        var lines = r.removed.map { "\(verb) image '\($0.name)' in pool '\($0.pool)' (\(human($0.allocationBytes)) on disk)" }
        lines += r.kept.map { "kept image '\($0.name)' in pool '\($0.pool)': used by \(($0.usedByDomains + $0.usedByVolumes).joined(separator: ", "))" }
        lines += r.forgotten.map { "\(r.dryRun ? "would forget" : "forgot") \($0): no such volume any more" }
        if lines.isEmpty { lines.append("nothing to prune") }
        return lines.joined(separator: "\n") + unchecked(r.uncheckedPools)
    }

    static func unchecked(_ pools: [String]) -> String {
        pools.isEmpty ? "" : "\n(pools not running, not checked: \(pools.joined(separator: ", ")))"
    }
}
