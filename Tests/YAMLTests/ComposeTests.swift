import Testing
import YAML

/// The tree as plain values, to compare in one `#expect`: scalars as text, `~` for null.
func tree(_ text: String) throws -> String {
    guard let node = try compose(text) else { return "<none>" }
    return describe(node)
}

func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s):
        if s.resolvedTag == Tags.null { return "~" }
        let tag = s.resolvedTag == Tags.str ? "" : "<\(s.resolvedTag.replacing("tag:yaml.org,2002:", with: "!!"))>"
        return tag + s.text.debugDescription
    case .sequence(let seq): return "[" + seq.map(describe).joined(separator: ", ") + "]"
    case .mapping(let map): return "{" + map.map { describe($0.key) + ": " + describe($0.value) }.joined(separator: ", ") + "}"
    }
}

/// The error `text` gives, as `line:column: message`.
func failure(_ text: String) -> String? {
    do {
        _ = try compose(text)
        return nil
    } catch {
        return error.description
    }
}

@Suite struct BlockTests {
    @Test func mappingsAndSequences() throws {
        #expect(try tree("a: 1\nb: x\n") == #"{"a": <!!int>"1", "b": "x"}"#)
        #expect(try tree("- a\n- b\n") == #"["a", "b"]"#)
        #expect(try tree("a:\n  b: c\n  d:\n    - e\n") == #"{"a": {"b": "c", "d": ["e"]}}"#)
    }

    @Test func sequenceAtItsKeysIndentation() throws {
        #expect(try tree("a:\n- x\n- y\nb: z\n") == #"{"a": ["x", "y"], "b": "z"}"#)
    }

    @Test func compactNesting() throws {
        #expect(try tree("- name: x\n  ip: 1.2.3.4\n- name: y\n") == #"[{"name": "x", "ip": "1.2.3.4"}, {"name": "y"}]"#)
        #expect(try tree("- - a\n  - b\n- c\n") == #"[["a", "b"], "c"]"#)
        #expect(try tree("-\n  a: 1\n") == #"[{"a": <!!int>"1"}]"#)
    }

    @Test func emptyValuesAreNull() throws {
        #expect(try tree("a:\nb: \n- \n".replacing("- \n", with: "")) == #"{"a": ~, "b": ~}"#)
        #expect(try tree("- \n-\n") == "[~, ~]")
        #expect(try tree("a: ~\nb: null\nc: Null\n") == #"{"a": ~, "b": ~, "c": ~}"#)
    }

    @Test func plainMultiLineFolds() throws {
        #expect(try tree("a: one\n  two\n\n  three\nb: 1\n") == #"{"a": "one two\nthree", "b": <!!int>"1"}"#)
        #expect(try tree("key: a - b\n") == #"{"key": "a - b"}"#)
        #expect(try tree("url: http://x:80/a#b\n") == #"{"url": "http://x:80/a#b"}"#)
    }

    @Test func commentsAndMarkers() throws {
        #expect(try tree("#cloud-config\n# c\na: 1 # trailing\n") == #"{"a": <!!int>"1"}"#)
        #expect(try tree("%YAML 1.1\n---\na: b\n...\n") == #"{"a": "b"}"#)
        #expect(try tree("--- text\n") == #""text""#)
        #expect(try tree("# only a comment\n") == "<none>")
        #expect(try tree("") == "<none>")
        #expect(try tree("---\n") == "~")
    }

    @Test func marksAreOneBased() throws {
        let root = try #require(try compose("# c\nlab: x\nnodes:\n  - name: a\n    memory: 2G\n"))
        #expect(root.mark == Mark(line: 2, column: 1))
        let node = try #require(root.mapping?["nodes"]?.sequence?.first)
        #expect(node.mark == Mark(line: 4, column: 5))
        #expect(node.mapping?["memory"]?.mark == Mark(line: 5, column: 13))
    }
}

@Suite struct ScalarTests {
    @Test func quoted() throws {
        #expect(try tree(#"a: 'it''s # x'"#) == #"{"a": "it\'s # x"}"#)
        #expect(try tree(#"a: "\n\t\"\\\x41\u00e9\U0001F600\/\ \0""#) == #"{"a": "\n\t\"\\Aé😀/ \0"}"#)
        #expect(try tree("a: 'one\n  two\n\n  three'\n") == #"{"a": "one two\nthree"}"#)
        #expect(try tree("a: \"one \\\n  two\"\n") == #"{"a": "one two"}"#)
        #expect(try tree("a: \"x\\\n  y\"\n") == #"{"a": "xy"}"#)
        #expect(try tree(#"'yes': "12""#) == #"{"yes": "12"}"#)
    }

    @Test func literalAndFolded() throws {
        #expect(try tree("a: |\n  one\n   two\n\n  three\nb: 1\n") == #"{"a": "one\n two\n\nthree\n", "b": <!!int>"1"}"#)
        #expect(try tree("a: |-\n  x\n\n") == #"{"a": "x"}"#)
        #expect(try tree("a: |+\n  x\n\n\nb: 1\n") == #"{"a": "x\n\n\n", "b": <!!int>"1"}"#)
        #expect(try tree("a: >\n  one\n  two\n\n  three\n    indented\n  four\n") == #"{"a": "one two\nthree\n  indented\nfour\n"}"#)
        #expect(try tree("a: |2\n    x\n  y\n") == #"{"a": "  x\ny\n"}"#)
        #expect(try tree("- |\n  a\n- b\n") == #"["a\n", "b"]"#)
        #expect(try tree("a: | # comment\n  x\n") == #"{"a": "x\n"}"#)
    }

    @Test func resolution() throws {
        let cases: [(String, String)] = [
            ("yes", Tags.bool), ("No", Tags.bool), ("ON", Tags.bool), ("tRuE", Tags.str), ("y", Tags.str),
            ("12", Tags.int), ("-0x1F", Tags.int), ("0o17", Tags.int), ("012", Tags.int), ("1_000", Tags.int), ("12:30:00", Tags.int),
            ("3.0", Tags.float), ("1e3", Tags.float), (".inf", Tags.float), ("-.Inf", Tags.float), (".NaN", Tags.float),
            ("~", Tags.null), ("", Tags.null), ("NULL", Tags.null), ("2024-01-31", Tags.timestamp),
            ("2001-12-14t21:59:43.10-05:00", Tags.timestamp), ("<<", Tags.merge), ("=", Tags.value),
            ("1.2.3.4", Tags.str), ("0x", Tags.str), ("web1", Tags.str), ("12:", Tags.str), ("1:2:99", Tags.str),
        ]
        for (text, tag) in cases { #expect(Resolver.tag(ofPlain: text) == tag, "\(text)") }
    }

    @Test func helpers() throws {
        let root = try #require(try compose("a: yes\nb: 'yes'\nc: 0x10\nd: tRuE\ne: !!str on\nf:\n"))
        let m = try #require(root.mapping)
        #expect(m["a"]?.bool == true)
        #expect(m["b"]?.bool == nil && m["b"]?.string == "yes")
        #expect(m["c"]?.int == 16)
        #expect(m["d"]?.bool == nil)
        #expect(m["e"]?.bool == nil)
        #expect(m["f"]?.isNull == true)
        #expect(m["zz"] == nil)
    }

    @Test func tags() throws {
        let root = try #require(try compose("a: !!str 12\nb: !foo bar\nc: !!int '7'\nd: !<tag:x> y\n"))
        let m = try #require(root.mapping)
        #expect(m["a"]?.scalar?.resolvedTag == Tags.str)
        #expect(m["b"]?.scalar?.tag == "!foo")
        #expect(m["c"]?.int == 7)
        #expect(m["d"]?.scalar?.tag == "tag:x")
    }
}

@Suite struct FlowAndAliasTests {
    @Test func flowCollections() throws {
        #expect(try tree("a: [x, 'y', \"z\", [1, 2], {k: v}]\n") == #"{"a": ["x", "y", "z", [<!!int>"1", <!!int>"2"], {"k": "v"}]}"#)
        #expect(try tree("{a: 1, b, c: }") == #"{"a": <!!int>"1", "b": ~, "c": ~}"#)
        #expect(try tree("a: [fd00::1, http://x/y]\n") == #"{"a": ["fd00::1", "http://x/y"]}"#)
        #expect(try tree("a: [one,\n  two,   # comment\n  three]\n") == #"{"a": ["one", "two", "three"]}"#)
        #expect(try tree("[a: 1, b]") == #"[{"a": <!!int>"1"}, "b"]"#)
        #expect(try tree("a: []\nb: {}\n") == #"{"a": [], "b": {}}"#)
        #expect(try tree("[a, b]: c\n") == #"{["a", "b"]: "c"}"#)
    }

    @Test func anchorsAndAliases() throws {
        #expect(try tree("a: &x [1, 2]\nb: *x\n") == #"{"a": [<!!int>"1", <!!int>"2"], "b": [<!!int>"1", <!!int>"2"]}"#)
        #expect(try tree("base: &b\n  k: v\nother: *b\n") == #"{"base": {"k": "v"}, "other": {"k": "v"}}"#)
        #expect(try tree("- &s text\n- *s\n") == #"["text", "text"]"#)
    }

    @Test func billionLaughsFails() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let message = failure(text)
        #expect(message?.contains("aliases expand to more than") == true, "\(message ?? "no error")")
    }
}

@Suite struct ErrorTests {
    /// libyaml's problem and context, word for word, at its marks; the composer's own rules in its words.
    @Test func errorsCarryLineAndColumn() {
        #expect(failure("a: 1\nb: [x\n") == "3:1: did not find expected ',' or ']' (while parsing a flow sequence at 2:4)")
        #expect(failure("a: 1\n\tb: 2\n") == "2:1: found a tab character that violates indentation (while scanning a plain scalar at 1:4)")
        #expect(failure("a: b: c\n") == "1:5: mapping values are not allowed in this context")
        #expect(failure("a: \"x\n") == "2:1: found unexpected end of stream (while scanning a quoted scalar at 1:4)")
        #expect(failure("a: \"\\q\"\n") == "1:5: found unknown escape character (while parsing a quoted scalar at 1:4)")
        #expect(failure("a: - b\n") == "1:4: block sequence entries are not allowed in this context")
        #expect(failure("a:\n  b:\n    c: 1\n   d: 2\n") == "4:4: did not find expected key (while parsing a block mapping at 2:3)")
        #expect(failure("\t[a]\n") == "1:1: found character that cannot start any token (while scanning for the next token at 1:1); the character is a tab (YAML indents with spaces)")
        #expect(failure("a: @x\n") == "1:4: found character that cannot start any token (while scanning for the next token at 1:4)")
        #expect(failure("[a, b, c, , ]") == "1:11: did not find expected node content (while parsing a flow node at 1:11)")
    }

    @Test func composerRules() {
        #expect(failure("a: 1\na: 2\n") == "2:1: duplicate key 'a', first given on line 1")
        #expect(failure("? [a]\n: 1\n? [a]\n: 2\n") == "3:3: duplicate key, first given on line 1")
        #expect(failure("x: *nope\n") == "1:4: alias *nope refers to no anchor before it")
        #expect(failure("a: 1\n---\nb: 2\n") == "2:1: only one document is supported, but another one starts here")
        #expect(failure(String(repeating: "[", count: 257)) == "1:257: the document nests deeper than 256 levels")
        #expect(failure(String(repeating: "[", count: 256) + String(repeating: "]", count: 256)) == nil)
        #expect(failure("a: &x {b: 1}\n<<: [*x, 2]\n") == "2:1: a merge key ('<<') takes a mapping or a list of mappings, such as *defaults or [*a, *b]")
        #expect(failure("a: &x 1\n<<: *x\n") == "2:1: a merge key ('<<') takes a mapping or a list of mappings, such as *defaults or [*a, *b]")
        #expect(failure("&a &b x") != nil)
        #expect(failure("&a *b") != nil)
    }

    @Test func everyErrorIsOneLine() {
        for text in ["a: [", "{", "'", "a: |\n  x\n y: 1", "- a\nb: 1", "a:\n- b\n c", "\"\\u12\"", "&", "!!str", "a:\n\t- b"] {
            if let message = failure(text) { #expect(!message.contains("\n"), "\(text.debugDescription): \(message)") }
        }
    }
}

/// Texts libyaml 0.2.5 reads although YAML refuses them, or reads as another value: the composer refuses them.
@Suite struct LibyamlGapTests {
    @Test func commentWithoutSpace() {
        #expect(failure("key: \"value\"# c\n") == "1:13: a comment needs white space before '#'")
        #expect(failure("[a, b]#c\n") == "1:7: a comment needs white space before '#'")
        #expect(failure("[a,#c\n]\n") == "1:4: a comment needs white space before '#'")
        #expect(failure("a: >#c\n  x\n") == "1:4: a comment needs white space before '#', here after the block scalar's header")
        #expect(failure("a: 'x' # c#d\n# e#f\nb: [c, d] # e#\n") == nil)
    }

    @Test func directiveAfterAnUnendedDocument() throws {
        #expect(throws: YAMLError("a directive follows a document that '...' does not end; put '...' before it", at: Mark(line: 2, column: 1))) {
            try composeAll("a: 1\n%YAML 1.1\n---\nb\n")
        }
        #expect(try composeAll("a: 1\n...\n%YAML 1.1\n---\nb\n").count == 2)
    }

    @Test func plainDashBeforeAFlowIndicator() throws {
        #expect(failure("[-]") == "1:2: a plain '-' cannot stand before ']'; quote it")
        #expect(try tree("[-a, '-']") == #"["-a", "-"]"#)
    }

    @Test func valuesLibyamlWouldChange() throws {
        #expect(failure("key: &an:chor value\n") == "1:6: libyaml ends the name &an at ':'; keep names to letters, digits, '-' and '_'")
        #expect(failure("[?x]") == "1:2: libyaml reads '?x' as an explicit key; quote it, or put a space after '?'")
        #expect(failure("foo: |\n  x\n   ") == "1:6: this block scalar ends the file in a line of spaces with no line break, which libyaml drops; end the file with a line break")
        #expect(try tree("foo: |\n  x\n   \n") == #"{"foo": "x\n \n"}"#)
        #expect(try tree("[? x]") == #"[{"x": ~}]"#)
    }
}

@Suite struct MergeKeyTests {
    @Test func mergeKeyTakesTheAnchorsKeys() throws {
        let text = "defaults: &d\n  memory: 2G\n  vcpus: 2\nnode:\n  <<: *d\n  name: a\n  vcpus: 4\n"
        #expect(try tree(text) == #"{"defaults": {"memory": "2G", "vcpus": <!!int>"2"}, "node": {"memory": "2G", "name": "a", "vcpus": <!!int>"4"}}"#)
    }

    @Test func listOfMappingsFirstWins() throws {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n"
        #expect(try tree(text).hasSuffix(#""c": {"x": <!!int>"1", "y": <!!int>"1", "z": <!!int>"3"}}"#))
    }

    @Test func inlineMappingAndTaggedKey() throws {
        #expect(try tree("<<: {a: 1}\nb: 2\n") == #"{"a": <!!int>"1", "b": <!!int>"2"}"#)
        #expect(try tree("!!merge x: {a: 1}\n") == #"{"a": <!!int>"1"}"#)
    }

    @Test func quotedLessThanIsAKey() throws {
        #expect(try tree("'<<': {a: 1}\n") == #"{"<<": {"a": <!!int>"1"}}"#)
    }

    @Test func mergedNodesKeepTheirMarks() throws {
        let root = try #require(try compose("d: &d\n  memory: 2G\nn:\n  <<: *d\n"))
        #expect(root.mapping?["n"]?.mapping?["memory"]?.mark == Mark(line: 2, column: 11))
    }
}

@Suite struct StreamTests {
    @Test func composeAllReadsEveryDocument() throws {
        let docs = try composeAll("a: &x 1\n---\n- 2\n...\n--- text\n")
        #expect(docs.map(describe) == [#"{"a": <!!int>"1"}"#, #"[<!!int>"2"]"#, #""text""#])
        #expect(try composeAll("# none\n").isEmpty)
    }

    @Test func anchorsStayInTheirDocument() {
        #expect(throws: YAMLError.self) { try composeAll("a: &x 1\n---\nb: *x\n") }
    }

    @Test func explicitKeysAndTagDirectives() throws {
        #expect(try tree("? a\n: b\n") == #"{"a": "b"}"#)
        #expect(try compose("%TAG !e! tag:example.com,2000:\n---\n!e!x a\n")?.scalar?.tag == "tag:example.com,2000:x")
    }
}
