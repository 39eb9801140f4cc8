import FoundationEssentials
import TextSupport

/// A digest an image must match: the algorithm and its lowercase hex, written
/// `sha256:HEX` or `sha512:HEX` (as `--checksum` takes it and JSON shows it).
public struct ImageChecksum: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Algorithm: String, Sendable, Hashable, Codable, CaseIterable {
        case sha256, sha512

        /// Hex digits in a digest.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
        /// The coreutils program that computes it.
        var tool: String { "/usr/bin/\(rawValue)sum" }
        /// The conventional checksum file beside an image.
        public var sumsFileName: String { rawValue.uppercased() + "SUMS" }
    }

    public var algorithm: Algorithm
    public var hex: String

    public init(algorithm: Algorithm, hex: String) {
        self.algorithm = algorithm
        self.hex = hex.lowercased()
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    static let rule = "use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"

    /// Parses `sha256:HEX` / `sha512:HEX`; anything else is bad input naming `field`.
    public init(parsing text: String, field: String = "--checksum") throws(VMCtlError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let algorithm = Algorithm(rawValue: parts[0].lowercased()) else {
            throw .invalid(field: field, "'\(text)' is not a checksum: \(Self.rule)")
        }
        guard Self.isHex(parts[1], length: algorithm.hexLength) else {
            throw .invalid(field: field, "'\(text)' is not a \(algorithm.rawValue) digest: \(Self.rule)")
        }
        self.init(algorithm: algorithm, hex: parts[1])
    }

    static func isHex(_ text: some StringProtocol, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0 | 0x20) }
    }

    /// The algorithm whose digests have `count` hex digits.
    static func algorithm(hexLength count: Int) -> Algorithm? {
        Algorithm.allCases.first { $0.hexLength == count }
    }
}

/// The lines of a checksum file: GNU coreutils' `HEX  name` and `HEX *name`
/// (Debian's SHA512SUMS, Ubuntu's SHA256SUMS) and BSD's `SHA256 (name) = HEX`
/// (Fedora's CHECKSUM, which also carries a PGP clear-signature and `#` comments).
/// Lines of neither shape are passed over.
public struct ChecksumFile: Sendable, Hashable {
    /// File name (as the file writes it, without a leading `./` or `*`) → digest.
    public var entries: [String: ImageChecksum]

    public init(entries: [String: ImageChecksum]) { self.entries = entries }

    public init(parsing text: String) {
        var entries: [String: ImageChecksum] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("-----") { continue }
            if let (name, checksum) = Self.bsdLine(line) ?? Self.gnuLine(line) {
                // The first line for a name wins, as `sha256sum -c` would check it first.
                if entries[name] == nil { entries[name] = checksum }
            }
        }
        self.entries = entries
    }

    /// The digest listed for `fileName`, if any.
    public func checksum(for fileName: String) -> ImageChecksum? { entries[fileName] }

    /// `HEX  name` (text mode) or `HEX *name` (binary mode).
    static func gnuLine(_ line: String) -> (String, ImageChecksum)? {
        guard let space = line.firstIndex(of: " ") else { return nil }
        let hex = line[..<space]
        guard let algorithm = ImageChecksum.algorithm(hexLength: hex.utf8.count),
            ImageChecksum.isHex(hex, length: algorithm.hexLength)
        else { return nil }
        var name = line[line.index(after: space)...]
        if name.first == " " || name.first == "*" { name = name.dropFirst() }
        guard let cleaned = cleanName(name) else { return nil }
        return (cleaned, ImageChecksum(algorithm: algorithm, hex: String(hex)))
    }

    /// `SHA256 (name) = HEX`.
    static func bsdLine(_ line: String) -> (String, ImageChecksum)? {
        guard let open = line.firstIndex(of: "("), let close = line.ranges(of: ") = ").last,
            open < close.lowerBound,
            let algorithm = ImageChecksum.Algorithm(rawValue: line[..<open].trimmingSpaces().lowercased())
        else { return nil }
        let hex = line[close.upperBound...].trimmingSpaces()
        guard ImageChecksum.isHex(hex, length: algorithm.hexLength),
            let name = cleanName(line[line.index(after: open)..<close.lowerBound])
        else { return nil }
        return (name, ImageChecksum(algorithm: algorithm, hex: hex))
    }

    static func cleanName(_ name: Substring) -> String? {
        var name = name
        if name.hasPrefix("./") { name = name.dropFirst(2) }
        return name.isEmpty ? nil : String(name)
    }
}
