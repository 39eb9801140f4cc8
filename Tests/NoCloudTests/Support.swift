import Foundation
import TestSupport
import Testing

/// Result of running an external tool.
struct ToolRun {
    var status: Int32
    var stdout: Data
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `tool` (searched in the usual system directories) with `arguments`.
/// A missing tool is an error, not a skip: CI installs genisoimage, util-linux and cloud-init.
func runTool(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> ToolRun {
    let dirs = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    guard let path = dirs.map({ "\($0)/\(tool)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw ToolMissing(tool: tool)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input == nil ? FileHandle.nullDevice : nil
    let inPipe = input.map { _ in Pipe() }
    if let inPipe { process.standardInput = inPipe }
    try process.run()
    if let inPipe, let input {
        inPipe.fileHandleForWriting.write(input)
        try inPipe.fileHandleForWriting.close()
    }
    let (outData, errData) = readOutput(of: process, stdout: out, stderr: err)
    return ToolRun(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

struct ToolMissing: Error, CustomStringConvertible {
    var tool: String
    var description: String { "\(tool): not installed (install genisoimage, util-linux and cloud-init)" }
}

/// A scratch directory removed by the caller.
func makeTempDir() throws -> String {
    let path = NSTemporaryDirectory() + "vmctl-nocloud-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// SplitMix64: a small seeded generator, so property tests repeat exactly.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let fixedDate = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13:20 UTC
