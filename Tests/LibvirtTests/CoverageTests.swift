import Foundation
import TestSupport
import Testing

/// Compares the binding against libvirt's own API description
/// (`pkg-config --variable libvirt_api libvirt`), as libvirt-python's coverage test does.
///
/// A C function is *covered* when a doc comment in Sources/Libvirt names it
/// ("The corresponding C function is `virX`.") and the same file calls it.
/// Every other function must be listed in Fixtures/libvirt/api-skip.tsv with a
/// reason; `todo:` reasons count as not covered, all others (superseded,
/// deprecated, ownership, …) leave the function out of the percentage.
/// Docs/binding-coverage.md must be the table this test generates;
/// `VMCTL_UPDATE_COVERAGE=1` rewrites it.
@Suite struct CoverageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyPublicFunctionIsCoveredOrSkippedWithAReason() throws {
        let api = try APIDescription.load()
        let covered = try BindingSources.coverage(in: Self.root.appendingPathComponent("Sources/Libvirt"))
        let skips = try SkipList.load(Self.root.appendingPathComponent("Fixtures/libvirt/api-skip.tsv"))
        let known = Set(api.functions.map(\.name))

        for problem in covered.problems { Issue.record("\(problem)") }
        for function in api.functions where covered.symbols[function.name] == nil && skips[function.name] == nil {
            Issue.record("\(function.name) (\(function.file)) is neither bound nor listed in Fixtures/libvirt/api-skip.tsv")
        }
        for name in skips.keys.sorted() where covered.symbols[name] != nil {
            Issue.record("\(name) is bound (\(covered.symbols[name]!.joined(separator: ", "))); remove it from api-skip.tsv")
        }
        for name in skips.keys.sorted() where !known.contains(name) {
            Issue.record("\(name) in api-skip.tsv is not a function of this libvirt")
        }
        for name in covered.symbols.keys.sorted() where !known.contains(name) && !name.hasPrefix("virDomainQemu") {
            Issue.record("a doc comment names \(name), which libvirt-api.xml does not list")
        }

        let report = CoverageReport(api: api, covered: covered.symbols, skips: skips)
        let path = Self.root.appendingPathComponent("Docs/binding-coverage.md")
        let current = (try? String(contentsOf: path, encoding: .utf8)) ?? ""
        if ProcessInfo.processInfo.environment["VMCTL_UPDATE_COVERAGE"] == "1" {
            try report.markdown.write(to: path, atomically: true, encoding: .utf8)
        } else {
            if current != report.markdown {
                Issue.record("Docs/binding-coverage.md is stale: run VMCTL_UPDATE_COVERAGE=1 swift test --filter CoverageTests")
            }
        }
        print("coverage: \(report.summary)")
    }
}

struct APIFunction: Hashable {
    var name: String
    /// The header the function is declared in, such as `libvirt-domain`.
    var file: String
}

enum APIDescription {
    /// The functions of libvirt-api.xml, by name.
    static func load() throws -> (path: String, functions: [APIFunction]) {
        let path = try apiPath()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "<function name='(vir\\w+)' file='([\\w-]+)'")
        let range = NSRange(text.startIndex..., in: text)
        let functions = pattern.matches(in: text, range: range).map { match in
            APIFunction(name: String(text[Range(match.range(at: 1), in: text)!]),
                        file: String(text[Range(match.range(at: 2), in: text)!]))
        }
        #expect(functions.count > 400, "\(path) lists only \(functions.count) functions")
        return (path, functions.sorted { $0.name < $1.name })
    }

    static func apiPath() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pkg-config", "--variable", "libvirt_api", "libvirt"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = readOutput(of: process, stdout: pipe).stdout
        let path = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(process.terminationStatus == 0 && !path.isEmpty, "pkg-config knows no libvirt_api")
        return path
    }
}

enum BindingSources {
    struct Coverage {
        /// C function → the Swift declarations whose doc comments name it.
        var symbols: [String: [String]] = [:]
        var problems: [String] = []
    }

    /// Reads every doc comment naming a C function and the declaration after it.
    static func coverage(in directory: URL) throws -> Coverage {
        var result = Coverage()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".swift") }.sorted()
        let cName = try NSRegularExpression(pattern: "`(vir\\w+)`")
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let lines = text.components(separatedBy: "\n")
            var type = ""
            var pending: [String] = []
            var inSentence = false
            for (index, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if let name = topLevelType(line) { type = name }
                if trimmed.hasPrefix("///") {
                    if trimmed.contains("The corresponding C function") { inSentence = true }
                    if inSentence {
                        let range = NSRange(trimmed.startIndex..., in: trimmed)
                        pending += cName.matches(in: trimmed, range: range).map { String(trimmed[Range($0.range(at: 1), in: trimmed)!]) }
                        if trimmed.hasSuffix(".") { inSentence = false }
                    }
                    continue
                }
                inSentence = false
                if pending.isEmpty || trimmed.hasPrefix("@") || trimmed.isEmpty { continue }
                let declaration = lines[index...].prefix(6).joined(separator: " ")
                let symbol = swiftSymbol(declaration, in: type)
                for name in pending {
                    if !text.contains("\(name)(") {
                        result.problems.append("\(file): a doc comment names \(name), which the file never calls")
                    }
                    result.symbols[name, default: []].append(symbol)
                }
                pending = []
            }
        }
        return result
    }

    /// `Connection` for `public final class Connection: …` or `extension Connection {` at column 0.
    static func topLevelType(_ line: String) -> String? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard !line.hasPrefix(" "), let at = words.firstIndex(where: { ["class", "struct", "enum", "extension"].contains($0) }),
              at + 1 < words.count
        else { return nil }
        return String(words[at + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    /// `Connection.domain(named:)`, `Domain.name`, `Stream.init(connection:)`, `Domain.deinit`.
    static func swiftSymbol(_ declaration: String, in type: String) -> String {
        var text = Substring(declaration.trimmingCharacters(in: .whitespaces))
        for modifier in ["public ", "static ", "final ", "private ", "fileprivate ", "internal ", "mutating "] {
            while text.hasPrefix(modifier) { text = text.dropFirst(modifier.count) }
        }
        let prefix = type.isEmpty ? "" : type + "."
        if text.hasPrefix("deinit") { return prefix + "deinit" }
        if text.hasPrefix("var ") || text.hasPrefix("let ") {
            return prefix + String(text.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        }
        let name: String
        if text.hasPrefix("init") {
            name = "init"
            text = text.dropFirst(4)
        } else if text.hasPrefix("func ") {
            text = text.dropFirst(5)
            name = String(text.prefix { $0 != "(" && $0 != "<" })
            text = text.dropFirst(name.count)
        } else {
            return prefix + String(text.prefix(40))
        }
        if text.hasPrefix("<") { text = text.drop { $0 != "(" } }
        return prefix + name + "(" + labels(text) + ")"
    }

    /// `named:uuid:` from `(named name: String, uuid: String = "")`.
    static func labels(_ text: Substring) -> String {
        var depth = 0
        var current = ""
        var parameters: [String] = []
        for character in text.dropFirst() {
            if character == ")" && depth == 0 { break }
            if "([<".contains(character) { depth += 1 }
            if ")]>".contains(character) { depth -= 1 }
            if character == "," && depth == 0 {
                parameters.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { parameters.append(current) }
        return parameters.map { parameter in
            let head = parameter.split(separator: ":").first.map(String.init) ?? ""
            return (head.split(separator: " ").first.map(String.init) ?? "_") + ":"
        }.joined()
    }
}

enum SkipList {
    /// `virX<TAB>reason` lines; `#` starts a comment.
    static func load(_ url: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n") {
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            #expect(fields.count == 2 && !fields[1].isEmpty, "api-skip.tsv: '\(line)' needs a tab and a reason")
            guard fields.count == 2 else { continue }
            #expect(result[fields[0]] == nil, "api-skip.tsv lists \(fields[0]) twice")
            result[fields[0]] = fields[1]
        }
        return result
    }

    static func isTodo(_ reason: String) -> Bool { reason.hasPrefix("todo") }
}

struct CoverageReport {
    var api: (path: String, functions: [APIFunction])
    var covered: [String: [String]]
    var skips: [String: String]

    var coveredCount: Int { api.functions.filter { covered[$0.name] != nil }.count }
    var todoCount: Int { api.functions.filter { covered[$0.name] == nil && skips[$0.name].map(SkipList.isTodo) == true }.count }
    var excludedCount: Int { api.functions.count - coveredCount - todoCount }

    var percent: String {
        let total = coveredCount + todoCount
        return String(format: "%.1f%%", total == 0 ? 0 : Double(coveredCount) * 100 / Double(total))
    }

    var summary: String {
        "\(coveredCount) of \(coveredCount + todoCount) functions bound (\(percent)); "
            + "\(excludedCount) of libvirt's \(api.functions.count) left out with a reason"
    }

    var markdown: String {
        var text = """
            # Binding coverage

            Generated by `Tests/LibvirtTests/CoverageTests.swift` from libvirt's
            `libvirt-api.xml` (libvirt-qemu and libvirt-lxc are out of scope); do not edit.
            Run `VMCTL_UPDATE_COVERAGE=1 swift test --filter CoverageTests` after binding a function.

            **\(summary).**

            A function counts as bound when a doc comment in Sources/Libvirt names it
            and that file calls it. Functions left out are listed in
            `Fixtures/libvirt/api-skip.tsv` with the reason; `todo` ones count against
            the percentage.

            """
        let byFile = Dictionary(grouping: api.functions, by: \.file)
        for file in byFile.keys.sorted() {
            let functions = byFile[file]!
            let bound = functions.filter { covered[$0.name] != nil }.count
            text += "\n## \(file) (\(bound) of \(functions.count))\n\n| C function | Swift |\n| --- | --- |\n"
            for function in functions {
                if let symbols = covered[function.name] {
                    text += "| `\(function.name)` | \(symbols.map { "`\($0)`" }.joined(separator: ", ")) |\n"
                } else {
                    text += "| `\(function.name)` | – \(skips[function.name] ?? "missing") |\n"
                }
            }
        }
        return text
    }
}
