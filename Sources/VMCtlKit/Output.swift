import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// How a command prints its result: a table for people, or stable JSON
/// (documented in Docs/json-output.md).
public enum OutputFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// JSON with sorted keys, so output is byte-stable for the same data.
public func renderJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Encoding our own Codable types cannot fail; a failure is a programmer error.
    let data = try! encoder.encode(value)
    return String(decoding: data, as: UTF8.self)
}

/// A plain text table: a header row and left-aligned columns two spaces apart.
public func renderTable(header: [String], rows: [[String]]) -> String {
    let columns = header.indices.map { column in
        ([header[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padded(toLength: columns[index])
        }.joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}
