import Foundation
import TestSupport
import Testing
@testable import LibvirtXML

/// Fixtures/xml in the package root.
let fixturesURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/xml")

func fixture(_ relative: String) throws -> String {
    try String(contentsOf: fixturesURL.appendingPathComponent(relative), encoding: .utf8)
}

/// Every golden file, as paths relative to Fixtures/xml.
func allFixtures() -> [String] {
    let kinds = ["domain", "network", "pool", "volume", "snapshot", "capabilities"]
    var out: [String] = []
    for kind in kinds {
        let dir = fixturesURL.appendingPathComponent(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        out += names.filter { $0.hasSuffix(".xml") }.sorted().map { "\(kind)/\($0)" }
    }
    return out
}

/// A deterministic generator (SplitMix64) so that property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `bytes` with one to `maximumEdits` random edits: a byte replaced by one
    /// from `alphabet`, removed, or one inserted.
    mutating func mutate(_ bytes: [UInt8], maximumEdits: UInt64, alphabet: [UInt8]) -> [UInt8] {
        var mutated = bytes
        for _ in 0..<(1 + next() % maximumEdits) {
            let i = Int(next() % UInt64(mutated.count))
            switch next() % 3 {
            case 0: mutated[i] = alphabet[Int(next() % UInt64(alphabet.count))]
            case 1: mutated.remove(at: i)
            default: mutated.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: i)
            }
        }
        return mutated
    }
}

/// Runs a program found on PATH (or at an absolute path); returns exit status and combined output.
func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    let candidates = program.hasPrefix("/") ? [program] : ["/usr/bin/\(program)", "/usr/local/bin/\(program)", "/bin/\(program)"]
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw ModelError(field: "test", value: program, rule: "required tool not found; install libvirt-clients and libxml2-utils")
    }
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = readOutput(of: process, stdout: pipe).stdout
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Reads any golden document by its directory.
func parseAny(_ relative: String, _ text: String) throws -> String {
    switch relative.split(separator: "/").first {
    case "domain": return try DomainDefinition(xml: text).xml()
    case "network": return try NetworkDefinition(xml: text).xml()
    case "pool": return try StoragePoolDefinition(xml: text).xml()
    case "volume": return try StorageVolumeDefinition(xml: text).xml()
    case "snapshot": return try SnapshotDefinition(xml: text).xml()
    case "capabilities":
        return text.contains("<domainCapabilities") ? try DomainCapabilities(xml: text).xml() : try HostCapabilities(xml: text).xml()
    default: throw ModelError(field: "test", value: relative, rule: "unknown fixture kind")
    }
}

/// Validates a document with virt-xml-validate through a temporary file.
func expectSchemaValid(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-xml-\(UUID().uuidString).xml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let result = try run("virt-xml-validate", [url.path])
    #expect(result.status == 0, "\(result.output)", sourceLocation: sourceLocation)
}
