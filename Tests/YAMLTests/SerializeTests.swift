import Foundation
import TestSupport
import Testing
import YAML

/// Strings that break naive YAML writers.
let hostileStrings = [
    "it's \"quoted\"", "line1\nline2", "key: value", "# not a comment", "- dash", "yes", "No", "on", "off", "null", "~", "y", "n",
    "0x1F", "012", "1_000", "12:30:00", "3.0", "1e3", ".inf", "2024-01-31", "&anchor", "*alias", "!tag", "{a: b}", "[1, 2]",
    "|", ">", "%percent", "@at", "`back`", "ünïcødé ✓ 日本", "tab\there", " leading space", "trailing space ", "", "\u{1F600}",
    "back\\slash", "cr\rlf", "nul\u{7}bell", "'", "\"", "?", ":", "-", "---", "...", "= ", "=", "<<", "a #b", "a:", "x\n",
    "\n", "two\n\n", " \n x", "\u{85}next", "\u{2028}", "\u{FEFF}bom", "\u{0}", "end\\", "a,b", "[", "}",
]

@Suite struct SerializeTests {
    @Test func layoutIsLibyamls() {
        let node = Node([
            (Node("version"), Node("1")),
            (Node("config"), Node([
                Node([(Node("type"), Node("physical")), (Node("subnets"), Node([Node([(Node("type"), Node("dhcp"))])]))]),
            ])),
            (Node("empty"), Node([Node]())),
            (Node("none"), Node([(Node, Node)]())),
            (Node("nested"), Node([Node([Node("a"), Node("b")])])),
            (Node("text"), Node("one\ntwo\n", style: .literal)),
            (Node("quoted"), Node("yes", style: .singleQuoted)),
            (Node("kolla"), Node("yes", style: .doubleQuoted, tag: Tags.str)),
        ])
        #expect(serialize(node) == """
            version: 1
            config:
            - type: physical
              subnets:
              - type: dhcp
            empty: []
            none: {}
            nested:
            - - a
              - b
            text: |
              one
              two
            quoted: 'yes'
            kolla: "yes"

            """)
    }

    @Test func plainStringsThatWouldResolveAreQuoted() {
        for word in ["yes", "no", "on", "off", "null", "~", "12", "3.5", "0x1F", "y", "2024-01-01", "", " a", "a ", "a: b", "a #b", "- x", "!x", "&x", "*x"] {
            let text = serialize(Node([(Node("k"), Node(word, tag: Tags.str))]))
            #expect(text != "k: \(word)\n", "\(word.debugDescription) → \(text)")
            #expect((try? compose(text))?.mapping?["k"]?.scalar == Node.Scalar(word, style: .singleQuoted), "\(text)")
        }
        #expect(serialize(Node([(Node("k"), Node("web1.lab"))])) == "k: web1.lab\n")
        #expect(serialize(Node([(Node("k"), Node("line1\nline2"))])) == "k: \"line1\\nline2\"\n")
    }

    /// Every hostile string, in every style, as key and value, reads back as itself.
    @Test func hostileStringsRoundTrip() throws {
        for style in [ScalarStyle.plain, .singleQuoted, .doubleQuoted, .literal, .folded] {
            let root = Node(hostileStrings.enumerated().map { index, text in
                (Node("k\(index)"), Node([Node(text, style: style, tag: Tags.str), Node([(Node(text, style: style, tag: Tags.str), Node("v"))])]))
            })
            let text = serialize(root)
            let back = try #require(try compose(text), "\(text)")
            #expect(back == root, "\(style)\n\(text)")
        }
    }

    /// Serialize → compose gives the same tree for every document of the corpus.
    @Test func corpusRoundTrips() throws {
        for (name, text) in try corpus() {
            guard let node = try? compose(text) else { continue }
            let written = serialize(node)
            let back: Node?
            do {
                back = try compose(written)
            } catch {
                Issue.record("\(name): \(error)\n\(written)")
                continue
            }
            #expect(back == node, "\(name)\n\(written)")
        }
    }

    /// PyYAML (cloud-init's reader) loads what we write as it loads the source.
    @Test func pyyamlReadsTheSameData() throws {
        guard pythonHasYAML() else {
            print("skipped: python3 with PyYAML is not installed (apt-get install python3-yaml)")
            return
        }
        var pairs = [(String, String, String)]()  // name, source, ours
        for (name, text) in try corpus() {
            guard let node = try? compose(text) else { continue }
            pairs.append((name, text, serialize(node)))
        }
        let hostile = Node(hostileStrings.map { (Node($0, tag: Tags.str), Node($0, style: .literal, tag: Tags.str)) })
        let expected = "{" + hostileStrings.map { pythonRepr($0) + ": " + pythonRepr($0) }.joined(separator: ", ") + "}"
        pairs.append(("hostile", expected, serialize(hostile)))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yamltests-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, pair) in pairs.enumerated() {
            try pair.1.write(to: directory.appendingPathComponent("\(index).source"), atomically: true, encoding: .utf8)
            try pair.2.write(to: directory.appendingPathComponent("\(index).ours"), atomically: true, encoding: .utf8)
        }
        // Prints the index of each document whose data differ (a source PyYAML cannot read is skipped).
        let script = """
            import sys, yaml, ast
            d, n = sys.argv[1], int(sys.argv[2])
            for i in range(n):
                src = open(f"{d}/{i}.source", encoding="utf-8").read()
                ours = open(f"{d}/{i}.ours", encoding="utf-8").read()
                try:
                    want = ast.literal_eval(src) if i == n - 1 else yaml.safe_load(src)
                except Exception:
                    continue
                try:
                    got = yaml.safe_load(ours)
                except Exception as e:
                    print(i, "error", str(e).replace("\\n", " ")); continue
                if got != want: print(i, "differs", repr(got)[:300], "!=", repr(want)[:300])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory.path, String(pairs.count)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = readOutput(of: process, stdout: output).stdout
        #expect(process.terminationStatus == 0)
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let index = Int(line.split(separator: " ").first ?? "") ?? 0
            Issue.record("\(pairs[index].0): \(line)\n\(pairs[index].2)")
        }
    }
}

func pythonHasYAML() -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import yaml"]
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// A Python string literal for `text` (\u escapes throughout, so any character survives).
func pythonRepr(_ text: String) -> String {
    "'" + text.unicodeScalars.map { c -> String in
        let hex = String(c.value, radix: 16)
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }.joined() + "'"
}
