import Foundation
import Testing
import YAML
import Yams

/// The repository's root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every YAML document the repository holds (examples, fixtures, the guides'
/// ```yaml blocks), named by where it comes from, plus tricky samples.
func corpus() throws -> [(name: String, text: String)] {
    var documents = [(name: String, text: String)]()
    let files = FileManager.default
    for directory in ["Examples", "Fixtures", "Docs"] {
        let base = repositoryRoot.appendingPathComponent(directory)
        guard let walker = files.enumerator(atPath: base.path) else { continue }
        for case let path as String in walker {
            let url = base.appendingPathComponent(path)
            if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                documents.append((directory + "/" + path, try String(contentsOf: url, encoding: .utf8)))
            } else if path.hasSuffix(".md") {
                let text = try String(contentsOf: url, encoding: .utf8)
                for (index, block) in text.components(separatedBy: "```yaml\n").dropFirst().enumerated() {
                    guard let end = block.range(of: "\n```") else { continue }
                    documents.append(("\(directory)/\(path)#\(index)", String(block[..<end.lowerBound]) + "\n"))
                }
            }
        }
    }
    return documents + trickySamples.enumerated().map { ("sample \($0.offset)", $0.element) }
}

let trickySamples = [
    "#cloud-config\npackages:\n- git\n- [curl, '-y']\nruncmd:\n  - echo \"a: b\" # c\n  - [sh, -c, 'x=1; echo $x']\n",
    "write_files:\n- path: /etc/x\n  content: |\n    line one\n      indented\n\n    last\n  permissions: '0644'\n",
    "a: >-\n  folded\n  text\n\n  more\nb: |+\n  keep\n\nc: end\n",
    "k: \"esc \\t \\\" \\\\ \\x41 \\u00e9 \\U0001F600\"\nl: 'single ''q'''\nm: \"fold\n  ed\"\n",
    "base: &b {x: 1, y: [a, b]}\nuse: *b\nlist: &l\n  - p\n  - q\nagain: *l\n",
    "yes: no\non: off\nnull: ~\nint: 0x1F\noct: 0o17\nfloat: 1e3\ntime: 2001-12-14t21:59:43.10-05:00\nsexa: 1:30\n",
    "tags: [!!str 12, !!int '3', !custom value]\n",
    "%YAML 1.1\n---\nplain: multi\n  line\n  value\n...\n",
    "nested:\n  - - a\n    - b\n  - - c\n  -\n    d: e\n",
    "url: http://host:80/p?q=1#frag\nip6: fd00::1\nempty: ''\nspace: ' lead'\ncolon: 'a: b'\n",
    "flow: {a: [1, 2, {b: c}], 'd': \"e\", f: }\n",
    "\u{FEFF}bom: first\n",
    "a:\r\n  b: c\r\n",
    "unicode: ünïcødé ✓ 日本 😀\n",
    "- a\n  # comment\n- b\n",
    "a: >\n  x\n\n   y\n  z\n",
    "a: |\n\n  x\n",
    "k: [a\n  b, c]\n",
    "&k key: v\nother: *k\n",
    "key:    # comment\n  value\n",
    "a: \"multi\n\n  line\"\n",
    "s: -1\nt: +.5\nu: '-'\nv: -x\n",
    "list:\n- a\n-\n- c\n",
    "--- |\n  text\n",
    "a: b # c\n# d\n  # e\nf: g\n",
    "a: |-\n  x\n\n\nb: >+\n  y\n\n",
    // Both must refuse these.
    "a: 1\na: 2\n",
    "a:\n\t- b\n",
    "a: [b\n",
    "a: 'b\n",
    "a: b: c\n",
    "x: *nope\n",
]

/// A tree as comparable values: a scalar's text and resolved tag, collections' structure.
indirect enum Shape: Equatable, CustomStringConvertible {
    case scalar(String, String)
    case sequence([Shape])
    case mapping([Shape], [Shape])
    case other(String)

    var description: String {
        switch self {
        case .scalar(let text, let tag): return "\(text.debugDescription)<\(tag)>"
        case .sequence(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let keys, let values): return "{" + zip(keys, values).map { "\($0): \($1)" }.joined(separator: ", ") + "}"
        case .other(let text): return text
        }
    }
}

func shape(_ node: YAML.Node) -> Shape {
    switch node {
    case .scalar(let s): return .scalar(s.text, s.resolvedTag)
    case .sequence(let seq): return .sequence(seq.map(shape))
    case .mapping(let map): return .mapping(map.map { shape($0.key) }, map.map { shape($0.value) })
    }
}

func shape(_ node: Yams.Node) -> Shape {
    switch node {
    case .scalar(let s): return .scalar(s.string, node.tag.rawValue)
    case .sequence(let seq): return .sequence(seq.map(shape))
    case .mapping(let map): return .mapping(map.map { shape($0.key) }, map.map { shape($0.value) })
    default: return .other("\(node)")
    }
}

@Suite struct DifferentialTests {
    @Test func corpusComposesAsYamsDoes() throws {
        let documents = try corpus()
        #expect(documents.count > 20)
        // Yams' compose keeps a merge key as a key; the YAML module expands it (MergeKeyTests).
        for (name, text) in documents where !text.contains("<<:") {
            let theirs: Shape?
            do {
                theirs = try Yams.compose(yaml: text).map(shape)
            } catch {
                // Yams refuses it: so must we.
                #expect(throws: YAMLError.self, "\(name): Yams fails with \(error)") { try YAML.compose(text) }
                continue
            }
            let ours = try YAML.compose(text).map(shape)
            #expect(ours == theirs, "\(name)\nours:   \(ours?.description ?? "nil")\ntheirs: \(theirs?.description ?? "nil")")
        }
    }

    @Test func marksMatchYams() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Examples/openstack-lab.yaml"), encoding: .utf8)
        func marks(_ node: YAML.Node) -> [Int] {
            switch node {
            case .scalar(let s): return [s.mark?.line ?? 0]
            case .sequence(let seq): return [seq.mark?.line ?? 0] + seq.flatMap(marks)
            case .mapping(let map): return [map.mark?.line ?? 0] + map.flatMap { marks($0.key) + marks($0.value) }
            }
        }
        func marks(_ node: Yams.Node) -> [Int] {
            switch node {
            case .scalar(let s): return [s.mark?.line ?? 0]
            case .sequence(let seq): return [seq.mark?.line ?? 0] + seq.flatMap(marks)
            case .mapping(let map): return [map.mark?.line ?? 0] + map.flatMap { marks($0.key) + marks($0.value) }
            default: return []
            }
        }
        let ours = try #require(try YAML.compose(text))
        let theirs = try #require(try Yams.compose(yaml: text))
        #expect(marks(ours) == marks(theirs))
    }
}
