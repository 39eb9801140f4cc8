/// A document that does not parse: where, and what is wrong, in one line.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: Mark
    public var message: String

    public init(_ message: String, at mark: Mark) {
        self.message = message
        self.mark = mark
    }

    /// `LINE:COLUMN: message`.
    public var description: String { "\(mark): \(message)" }
}

/// Reads the first (and only) document of `text` as a node tree; nil when the
/// text holds no document (nothing but comments and blank lines).
///
/// Supports block and flow collections, all scalar styles, comments, `---` and
/// `...`, a `%YAML` directive, anchors and aliases (expanded, at most
/// ``aliasExpansionLimit`` nodes in all) and tags. Rejects explicit `? ` keys,
/// `%TAG` directives, tabs in indentation, duplicate keys and a second document.
public func compose(_ text: String) throws(YAMLError) -> Node? {
    var composer = Composer(text)
    return try composer.document()
}

/// The most nodes that aliases may add to a document: a few nested aliases
/// (a "billion laughs" document) would otherwise expand to billions.
public let aliasExpansionLimit = 100_000

/// Recursive descent over the text's Unicode scalars. Every parse function
/// leaves `i` just after what it read (never past the line break that
/// follows), so its caller can look at the next line and rewind.
struct Composer {
    let s: [Unicode.Scalar]
    var i = 0
    /// Index of the first scalar of each line, for marks.
    let lineStarts: [Int]
    var anchors: [String: (node: Node, size: Int)] = [:]
    /// Nodes that aliases have added so far.
    var aliasNodes = 0
    var depth = 0
    static let depthLimit = 256

    /// Where a parent's content may be: after a key, after `- `, or at the top.
    enum Context { case document, mappingValue, sequenceItem }

    init(_ text: String) {
        // One line break, \n, as YAML reads \r\n and \r.
        var scalars = [Unicode.Scalar]()
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousCR = false
        for c in text.unicodeScalars {
            if c == "\r" {
                scalars.append("\n")
                previousCR = true
                continue
            }
            if c == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            scalars.append(c)
        }
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        s = scalars
        var starts = [0]
        for (index, c) in scalars.enumerated() where c == "\n" { starts.append(index + 1) }
        lineStarts = starts
    }

    // MARK: Positions

    func at(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    func isBlank(_ c: Unicode.Scalar?) -> Bool { c == nil || c == " " || c == "\t" || c == "\n" }

    func isFlowIndicator(_ c: Unicode.Scalar?) -> Bool { c == "," || c == "[" || c == "]" || c == "{" || c == "}" }

    func line(of index: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return low
    }

    func column(_ index: Int) -> Int { index - lineStarts[line(of: index)] }

    func mark(_ index: Int) -> Mark { Mark(line: line(of: index) + 1, column: column(index) + 1) }

    func error(_ message: String, at index: Int) -> YAMLError { YAMLError(message, at: mark(index)) }

    func describe(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "the end of the text" }
        return c == "\n" ? "a line break" : c == "\t" ? "a tab" : "'\(Character(c))'"
    }

    /// `---` or `...` at the start of a line, followed by white space or the end.
    func atDocumentMarker(_ marker: String? = nil) -> Bool {
        guard column(i) == 0, i + 3 <= s.count, isBlank(at(3)) else { return false }
        let three = String(String.UnicodeScalarView(s[i..<(i + 3)]))
        return marker.map { three == $0 } ?? (three == "---" || three == "...")
    }

    func atSequenceEntry() -> Bool { at() == "-" && isBlank(at(1)) }

    /// Skips white space, comments and line breaks up to the next content.
    /// Returns whether that content starts a new line. Tabs may separate
    /// tokens on a line, but not indent one (in flow collections they may).
    mutating func skipToContent(flow: Bool) throws(YAMLError) -> Bool {
        var crossed = i == 0 || s[i - 1] == "\n"
        while i < s.count {
            let atLineStart = i == 0 || s[i - 1] == "\n"
            let start = i
            while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
            guard i < s.count else { return crossed }
            switch s[i] {
            case "\n":
                i += 1
                crossed = true
            case "#" where i == 0 || isBlank(s[i - 1]):
                while i < s.count, s[i] != "\n" { i += 1 }
            default:
                if atLineStart, !flow, let tab = s[start..<i].firstIndex(of: "\t") {
                    throw error("a tab is used for indentation; indent with spaces", at: tab)
                }
                return crossed
            }
        }
        return crossed
    }

    /// Skips spaces and tabs on this line.
    mutating func skipSpaces() {
        while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
    }

    /// After a value: nothing but white space or a comment may follow on its line.
    mutating func expectLineEnd() throws(YAMLError) {
        let start = i
        skipSpaces()
        guard let c = at(), c != "\n" else { return }
        if c == "#" && i > start { return }
        if c == ":" { throw error("mapping values are not allowed here (is the indentation right?)", at: i) }
        throw error("unexpected \(describe(c)) after a value", at: i)
    }

    // MARK: Stream and document

    mutating func document() throws(YAMLError) -> Node? {
        var directive: Int?
        while true {
            _ = try skipToContent(flow: false)
            guard at() == "%", column(i) == 0 else { break }
            directive = i
            try readDirective()
        }
        var explicit = false
        if atDocumentMarker("---") {
            i += 3
            explicit = true
        } else if let directive {
            throw error("a directive must be followed by '---'", at: directive)
        }
        let start = i
        var root = try blockNode(parent: -1, context: .document)
        if root == nil && explicit { root = emptyScalar(at: start) }
        _ = try skipToContent(flow: false)
        if atDocumentMarker("...") {
            i += 3
            try expectLineEnd()
            _ = try skipToContent(flow: false)
        }
        guard i >= s.count else {
            if atDocumentMarker() || at() == "%" {
                throw error("only one document is supported, but another one starts here", at: i)
            }
            throw error("unexpected \(describe(at())) here (is the indentation right?)", at: i)
        }
        return root
    }

    mutating func readDirective() throws(YAMLError) {
        let start = i
        while i < s.count, !isBlank(s[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(s[start..<i]))
        skipSpaces()
        let valueStart = i
        while i < s.count, !isBlank(s[i]) { i += 1 }
        let value = String(String.UnicodeScalarView(s[valueStart..<i]))
        switch name {
        case "%YAML":
            guard value.hasPrefix("1.") else { throw error("YAML version \(value) is not supported, only 1.x", at: valueStart) }
        case "%TAG":
            throw error("%TAG directives are not supported", at: start)
        default:
            break  // Reserved directives are ignored, as the specification asks.
        }
        while i < s.count, s[i] != "\n" { i += 1 }
    }

    // MARK: Block nodes

    func emptyScalar(at index: Int) -> Node { .scalar(.init("", style: .plain, mark: mark(min(index, max(s.count - 1, 0))))) }

    /// The node of a parent at column `parent` (-1 at the top); nil when there is none.
    mutating func blockNode(parent: Int, context: Context) throws(YAMLError) -> Node? {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.depthLimit { throw error("the document nests deeper than \(Self.depthLimit) levels", at: i) }

        let save = i
        let crossed = try skipToContent(flow: false)
        let inline = !crossed && context != .document
        if i >= s.count || atDocumentMarker() {
            i = save
            return nil
        }
        let column = column(i)
        if crossed && column <= parent {
            // A list may sit at its key's own indentation.
            if context == .mappingValue && column == parent && atSequenceEntry() { return try blockSequence() }
            i = save
            return nil
        }

        let propertiesStart = i
        var properties = Properties()
        try readProperties(&properties, flow: false)
        if !properties.isEmpty {
            skipSpaces()
            if at() == nil || at() == "\n" || at() == "#" {
                // The node the properties belong to is on the next lines.
                var node = try blockNode(parent: parent, context: context) ?? emptyScalar(at: propertiesStart)
                node = try apply(properties, to: node, at: propertiesStart)
                return node
            }
        }

        switch at() {
        case "-" where isBlank(at(1)):
            if inline && context == .mappingValue {
                throw error("a list cannot start on the line of its key; put '- ' on the next line", at: i)
            }
            if !properties.isEmpty {
                throw error("an anchor or tag of a list goes on its own line before the list", at: propertiesStart)
            }
            return try blockSequence()
        case "?" where isBlank(at(1)):
            throw error("explicit keys ('? ') are not supported; write 'key: value'", at: i)
        case "|", ">":
            return try apply(properties, to: blockScalar(parent: parent), at: propertiesStart)
        default:
            let startLine = line(of: i)
            var node = try inlineNode()
            let afterNode = i
            skipSpaces()
            if at() == ":" && isBlank(at(1)) {
                if inline && context == .mappingValue {
                    throw error("mapping values are not allowed here; quote a value that contains ': '", at: i)
                }
                guard line(of: i) == startLine else { throw error("a key must be on one line", at: propertiesStart) }
                let key = try apply(properties, to: node, at: propertiesStart)
                return try blockMapping(column: self.column(propertiesStart), firstKey: key)
            }
            i = afterNode
            if case .scalar(var scalar) = node, scalar.style == .plain {
                scalar.text = try continuePlain(scalar.text, parent: parent, flow: false)
                node = .scalar(scalar)
            }
            node = try apply(properties, to: node, at: propertiesStart)
            try expectLineEnd()
            return node
        }
    }

    /// Entries at one column, from the first `- ` on.
    mutating func blockSequence() throws(YAMLError) -> Node {
        let start = i
        let column = column(i)
        var items = [Node]()
        while true {
            i += 1  // the '-'
            let after = i
            items.append(try blockNode(parent: column, context: .sequenceItem) ?? emptyScalar(at: after))
            let save = i
            _ = try skipToContent(flow: false)
            if i >= s.count || atDocumentMarker() || self.column(i) < column { i = save; break }
            if self.column(i) == column {
                if atSequenceEntry() { continue }
                i = save
                break
            }
            throw error("this line is indented more than the list item above it; align '- ' at column \(column + 1)", at: i)
        }
        return .sequence(.init(items, mark: mark(start)))
    }

    /// `key: value` entries at one column, from the first key (already read) on.
    mutating func blockMapping(column: Int, firstKey: Node) throws(YAMLError) -> Node {
        let start = i
        var pairs = [Node.Pair]()
        var seen = [Node: Mark]()
        var key = firstKey
        while true {
            i += 1  // the ':'
            let after = i
            let value = try blockNode(parent: column, context: .mappingValue) ?? emptyScalar(at: after)
            try add(key, value, to: &pairs, seen: &seen)
            let save = i
            _ = try skipToContent(flow: false)
            if i >= s.count || atDocumentMarker() || self.column(i) < column { i = save; break }
            guard self.column(i) == column else {
                throw error("this line is indented more than the key above it; align it at column \(column + 1) or give that key no value on its line", at: i)
            }
            if atSequenceEntry() { throw error("expected 'key: value' here, not a list item ('- ')", at: i) }
            if at() == "?" && isBlank(at(1)) { throw error("explicit keys ('? ') are not supported; write 'key: value'", at: i) }
            let keyStart = i
            let keyLine = line(of: i)
            var properties = Properties()
            try readProperties(&properties, flow: false)
            skipSpaces()
            let node = try inlineNode()
            skipSpaces()
            guard at() == ":" && isBlank(at(1)) else {
                throw error("expected ':' after the key (each line of a mapping is 'key: value')", at: keyStart)
            }
            guard line(of: i) == keyLine else { throw error("a key must be on one line", at: keyStart) }
            key = try apply(properties, to: node, at: keyStart)
        }
        return .mapping(.init(pairs, mark: pairs.first?.key.mark ?? mark(start)))
    }

    /// Appends a pair, refusing a key the mapping already has.
    mutating func add(_ key: Node, _ value: Node, to pairs: inout [Node.Pair], seen: inout [Node: Mark]) throws(YAMLError) {
        let here = key.mark ?? mark(i)
        if let first = seen[key] {
            let name = key.string.map { "'\($0)'" } ?? "key"
            throw YAMLError("duplicate key \(name), first given on line \(first.line)", at: here)
        }
        seen[key] = here
        pairs.append(.init(key, value))
    }

    /// A node that fits on a line in block context: quoted, flow, alias, or the first line of a plain scalar.
    mutating func inlineNode() throws(YAMLError) -> Node {
        switch at() {
        case "\"": return try quoted(double: true)
        case "'": return try quoted(double: false)
        case "[", "{": return try flowCollection()
        case "*": return try alias()
        default: return try plain(flow: false)
        }
    }

    // MARK: Properties, aliases

    struct Properties {
        var anchor: String?
        var tag: String?
        var isEmpty: Bool { anchor == nil && tag == nil }
    }

    mutating func readProperties(_ properties: inout Properties, flow: Bool) throws(YAMLError) {
        for _ in 0..<2 {
            guard let c = at(), c == "&" || c == "!" else { return }
            let start = i
            i += 1
            while let n = at(), !isBlank(n), !(flow && isFlowIndicator(n)) { i += 1 }
            let name = String(String.UnicodeScalarView(s[(start + 1)..<i]))
            if c == "&" {
                guard properties.anchor == nil else { throw error("a node has two anchors", at: start) }
                guard !name.isEmpty else { throw error("an anchor needs a name after '&'", at: start) }
                properties.anchor = name
            } else {
                guard properties.tag == nil else { throw error("a node has two tags", at: start) }
                properties.tag = try expandTag(name, at: start)
            }
            let beforeSpace = i
            skipSpaces()
            if at() != "&" && at() != "!" { i = beforeSpace; return }
        }
    }

    /// `!!x` → `tag:yaml.org,2002:x`, `!<uri>` → `uri`, `!x` and `!` as written.
    func expandTag(_ name: String, at start: Int) throws(YAMLError) -> String {
        if name.hasPrefix("!") { return "tag:yaml.org,2002:" + name.dropFirst() }
        if name.hasPrefix("<") {
            guard name.hasSuffix(">"), name.count > 2 else { throw error("a verbatim tag is written !<uri>", at: start) }
            return String(name.dropFirst().dropLast())
        }
        return "!" + name
    }

    mutating func apply(_ properties: Properties, to node: Node, at start: Int) throws(YAMLError) -> Node {
        var node = node
        if let tag = properties.tag {
            switch node {
            case .scalar(var x): x.tag = tag; node = .scalar(x)
            case .sequence(var x): x.tag = tag; node = .sequence(x)
            case .mapping(var x): x.tag = tag; node = .mapping(x)
            }
        }
        if let anchor = properties.anchor {
            anchors[anchor] = (node, max(1, size(of: node)))
        }
        return node
    }

    /// Nodes in a tree, stopping early past the expansion limit (the count only bounds aliases).
    func size(of node: Node) -> Int {
        var count = 0
        var stack = [node]
        while let next = stack.popLast(), count <= aliasExpansionLimit {
            count += 1
            switch next {
            case .scalar: break
            case .sequence(let x): stack.append(contentsOf: x.items)
            case .mapping(let x): for pair in x.pairs { stack.append(pair.key); stack.append(pair.value) }
            }
        }
        return count
    }

    mutating func alias() throws(YAMLError) -> Node {
        let start = i
        i += 1
        while let c = at(), !isBlank(c), !isFlowIndicator(c) { i += 1 }
        let name = String(String.UnicodeScalarView(s[(start + 1)..<i]))
        guard !name.isEmpty else { throw error("an alias needs a name after '*'", at: start) }
        guard let anchored = anchors[name] else {
            throw error("alias *\(name) refers to no anchor before it", at: start)
        }
        aliasNodes += anchored.size
        if aliasNodes > aliasExpansionLimit {
            throw error("aliases expand to more than \(aliasExpansionLimit) nodes; is this a \"billion laughs\" document?", at: start)
        }
        return anchored.node
    }

    // MARK: Plain scalars

    /// The first line of a plain scalar.
    mutating func plain(flow: Bool) throws(YAMLError) -> Node {
        let start = i
        guard let c = at() else { throw error("expected a value", at: i) }
        let next = at(1)
        let indicatorFollowedBySpace = (c == "-" || c == "?" || c == ":") && (isBlank(next) || (flow && isFlowIndicator(next)))
        if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(c) || indicatorFollowedBySpace || c == "\t" || c == "\n" {
            throw error("a plain value cannot start with \(describe(c)); quote it", at: i)
        }
        let text = plainLine(flow: flow)
        return .scalar(.init(text, style: .plain, mark: mark(start)))
    }

    /// Plain text from `i` to the end of its line or its first stop: `: `, ` #`, and in flow `,[]{}`.
    mutating func plainLine(flow: Bool) -> String {
        var j = i
        var end = i
        while j < s.count {
            let c = s[j]
            let next: Unicode.Scalar? = j + 1 < s.count ? s[j + 1] : nil
            if c == "\n" { break }
            if c == ":" && (isBlank(next) || (flow && isFlowIndicator(next))) { break }
            if (c == " " || c == "\t") && next == "#" { break }
            if flow && isFlowIndicator(c) { break }
            j += 1
            if c != " " && c != "\t" { end = j }
        }
        let text = String(String.UnicodeScalarView(s[i..<end]))
        i = end
        return text
    }

    /// The further lines of a plain scalar: lines indented more than `parent`
    /// (any line in flow), folded into one with a space, or a line break per empty line.
    mutating func continuePlain(_ first: String, parent: Int, flow: Bool) throws(YAMLError) -> String {
        var text = first
        while true {
            let save = i
            skipSpaces()
            guard at() == "\n" else { i = save; break }
            var emptyLines = 0
            var lineStart = i + 1
            var content: Int?
            while lineStart <= s.count {
                var k = lineStart
                while k < s.count, s[k] == " " { k += 1 }
                var m = k
                while m < s.count, s[m] == " " || s[m] == "\t" { m += 1 }
                if m < s.count, s[m] == "\n" {
                    emptyLines += 1
                    lineStart = m + 1
                    continue
                }
                if m < s.count { content = lineStart }
                break
            }
            guard let lineStart = content else { i = save; break }
            i = lineStart
            var indentEnd = i
            while indentEnd < s.count, s[indentEnd] == " " { indentEnd += 1 }
            var textStart = indentEnd
            while textStart < s.count, s[textStart] == " " || s[textStart] == "\t" { textStart += 1 }
            let c = s[textStart]
            let stops = c == "#" || (flow && (isFlowIndicator(c) || (c == ":" && (isBlank(textStart + 1 < s.count ? s[textStart + 1] : nil)))))
            if stops || atDocumentMarker() || (!flow && indentEnd - lineStart <= parent) {
                i = save
                break
            }
            if !flow && textStart > indentEnd {
                throw error("a tab is used for indentation; indent with spaces", at: indentEnd)
            }
            i = textStart
            let more = plainLine(flow: flow)
            if !flow && at() == ":" && isBlank(at(1)) {
                throw error("mapping values are not allowed here (is the indentation right?)", at: i)
            }
            text += (emptyLines == 0 ? " " : String(repeating: "\n", count: emptyLines)) + more
        }
        return text
    }

    // MARK: Quoted scalars

    /// A single- or double-quoted scalar, folding its line breaks.
    mutating func quoted(double: Bool) throws(YAMLError) -> Node {
        let start = i
        let quote: Unicode.Scalar = double ? "\"" : "'"
        i += 1
        var out = String.UnicodeScalarView()
        var pendingSpace = String.UnicodeScalarView()
        while true {
            guard i < s.count else {
                throw error("a \(double ? "double" : "single")-quoted value is not closed; add the closing \(quote)", at: start)
            }
            let c = s[i]
            if c == " " || c == "\t" {
                pendingSpace.append(c)
                i += 1
                continue
            }
            if c == "\n" {
                // Spaces before a line break are dropped; the break folds.
                pendingSpace = .init()
                try foldBreaks(into: &out, quoteStart: start)
                continue
            }
            out.append(contentsOf: pendingSpace)
            pendingSpace = .init()
            if c == quote {
                if !double && at(1) == "'" {
                    out.append("'")
                    i += 2
                    continue
                }
                i += 1
                break
            }
            if double && c == "\\" {
                if at(1) == "\n" {
                    // An escaped line break joins the lines with nothing between.
                    i += 1
                    var ignored = String.UnicodeScalarView()
                    try foldBreaks(into: &ignored, quoteStart: start, escaped: true)
                    out.append(contentsOf: ignored)
                    continue
                }
                out.append(contentsOf: try escape())
                continue
            }
            out.append(c)
            i += 1
        }
        return .scalar(.init(String(out), style: double ? .doubleQuoted : .singleQuoted, mark: mark(start)))
    }

    /// At a line break inside quotes: one break becomes a space (nothing when
    /// escaped), each further empty line a line break; the next line's leading white space goes.
    mutating func foldBreaks(into out: inout String.UnicodeScalarView, quoteStart: Int, escaped: Bool = false) throws(YAMLError) {
        var breaks = 0
        while i < s.count, s[i] == "\n" {
            breaks += 1
            i += 1
            if atDocumentMarker() { throw error("a document marker is inside a quoted value; close the quote", at: i) }
            while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
        }
        if breaks == 1 && !escaped {
            out.append(" ")
        } else {
            for _ in 0..<(breaks - 1) { out.append("\n") }
        }
    }

    /// A double-quoted escape at `i` (the backslash).
    mutating func escape() throws(YAMLError) -> String.UnicodeScalarView {
        let start = i
        guard let c = at(1) else { throw error("a double-quoted value ends in a lone backslash", at: start) }
        i += 2
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "0": "\0", "a": "\u{7}", "b": "\u{8}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{B}", "f": "\u{C}",
            "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "\\": "\\", "N": "\u{85}", "_": "\u{A0}",
            "L": "\u{2028}", "P": "\u{2029}",
        ]
        if let mapped = simple[c] { return .init([mapped]) }
        let digits: Int
        switch c {
        case "x": digits = 2
        case "u": digits = 4
        case "U": digits = 8
        default: throw error("unknown escape \\\(Character(c)) in a double-quoted value", at: start)
        }
        guard i + digits <= s.count else { throw error("\\\(Character(c)) needs \(digits) hex digits", at: start) }
        let hex = String(String.UnicodeScalarView(s[i..<(i + digits)]))
        guard let value = UInt32(hex, radix: 16), hex.allSatisfy(\.isHexDigit), let scalar = Unicode.Scalar(value) else {
            throw error("\\\(Character(c))\(hex) is not a valid character", at: start)
        }
        i += digits
        return .init([scalar])
    }

    // MARK: Block scalars

    /// `|` or `>`, its indicators, and the lines indented under it.
    mutating func blockScalar(parent: Int) throws(YAMLError) -> Node {
        let start = i
        let literal = s[i] == "|"
        i += 1
        enum Chomping { case clip, strip, keep }
        var chomping = Chomping.clip
        var indicator: Int?
        for _ in 0..<2 {
            if let c = at(), c == "-" || c == "+", chomping == .clip {
                chomping = c == "-" ? .strip : .keep
                i += 1
            } else if let c = at(), let digit = Int(String(c)), indicator == nil {
                guard digit > 0 else { throw error("a block scalar's indentation indicator is 1-9", at: i) }
                indicator = digit
                i += 1
            }
        }
        let afterHeader = i
        skipSpaces()
        if at() == "#" && i > afterHeader { while i < s.count, s[i] != "\n" { i += 1 } }
        guard at() == nil || at() == "\n" else {
            throw error("unexpected \(describe(at())) after '\(literal ? "|" : ">")'; the text goes on the lines below", at: i)
        }
        if i < s.count { i += 1 }

        // Indentation: given, or that of the first line with text.
        var indent: Int
        if let indicator {
            indent = max(parent, 0) + indicator
        } else {
            var j = i, widestEmpty = 0
            var first: Int?
            while j < s.count {
                var k = j
                while k < s.count, s[k] == " " { k += 1 }
                if k < s.count, s[k] == "\n" {
                    widestEmpty = max(widestEmpty, k - j)
                    j = k + 1
                    continue
                }
                if k < s.count { first = k - j }
                break
            }
            if let first, widestEmpty > first, first > parent {
                throw error("an empty line at the start of a block scalar has more spaces than its first line", at: i)
            }
            indent = max(first ?? 0, widestEmpty, parent + 1, 1)
        }

        var lines = [String?]()  // nil for an empty line
        var lastHadBreak = false
        while i < s.count {
            let lineStart = i
            var k = i
            while k < s.count, s[k] == " " { k += 1 }
            let spaces = k - lineStart
            if spaces == 0 && atDocumentMarker() { break }
            if k == s.count { i = k; break }
            if s[k] == "\n" {
                lines.append(spaces > indent ? String(repeating: " ", count: spaces - indent) : nil)
                i = k + 1
                continue
            }
            if spaces < indent { i = lineStart; break }
            var end = lineStart + indent
            while end < s.count, s[end] != "\n" { end += 1 }
            lines.append(String(String.UnicodeScalarView(s[(lineStart + indent)..<end])))
            lastHadBreak = end < s.count
            i = min(end + 1, s.count)
        }
        // A line of spaces past the indentation is text; an emptier one is an empty line.
        let lastContent = lines.lastIndex(where: { $0 != nil })
        var text = ""
        if let lastContent {
            let body = lines[...lastContent]
            if literal {
                text = body.map { $0 ?? "" }.joined(separator: "\n")
            } else {
                var previousFolds = false
                var emptyRun = 0
                var started = false
                for entry in body {
                    guard let line = entry else {
                        emptyRun += 1
                        continue
                    }
                    let folds = !(line.hasPrefix(" ") || line.hasPrefix("\t"))
                    if !started {
                        text += String(repeating: "\n", count: emptyRun) + line
                        started = true
                    } else if previousFolds && folds {
                        text += (emptyRun == 0 ? " " : String(repeating: "\n", count: emptyRun)) + line
                    } else {
                        text += String(repeating: "\n", count: emptyRun + 1) + line
                    }
                    emptyRun = 0
                    previousFolds = folds
                }
            }
            let trailing = lines.count - lastContent - 1
            switch chomping {
            case .strip: break
            case .clip: if lastHadBreak || trailing > 0 { text += "\n" }
            case .keep: text += ((lastHadBreak || trailing > 0) ? "\n" : "") + String(repeating: "\n", count: trailing)
            }
        } else if chomping == .keep {
            text = String(repeating: "\n", count: lines.count)
        }
        return .scalar(.init(text, style: literal ? .literal : .folded, mark: mark(start)))
    }

    // MARK: Flow collections

    /// `[a, b]` or `{a: 1}`, over as many lines as it takes.
    mutating func flowCollection() throws(YAMLError) -> Node {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.depthLimit { throw error("the document nests deeper than \(Self.depthLimit) levels", at: i) }
        let start = i
        let isMapping = s[i] == "{"
        let close: Unicode.Scalar = isMapping ? "}" : "]"
        i += 1
        var items = [Node]()
        var pairs = [Node.Pair]()
        var seen = [Node: Mark]()
        while true {
            _ = try skipToContent(flow: true)
            guard i < s.count else {
                throw error("'\(isMapping ? "{" : "[")' is not closed; add '\(close)'", at: start)
            }
            if at() == close { i += 1; break }
            if at() == "?" && isBlank(at(1)) { throw error("explicit keys ('? ') are not supported; write 'key: value'", at: i) }
            let entryStart = i
            let first = try flowNode()
            _ = try skipToContent(flow: true)
            var value: Node?
            let jsonLike = first.scalar.map { $0.style != .plain } ?? true
            if at() == ":" && (isBlank(at(1)) || isFlowIndicator(at(1)) || jsonLike) {
                i += 1
                _ = try skipToContent(flow: true)
                value = (at() == "," || at() == close) ? emptyScalar(at: i) : try flowNode()
                _ = try skipToContent(flow: true)
            }
            if isMapping {
                try add(first, value ?? emptyScalar(at: entryStart), to: &pairs, seen: &seen)
            } else if let value {
                items.append(.mapping(.init([.init(first, value)], mark: mark(entryStart))))
            } else {
                items.append(first)
            }
            if at() == "," { i += 1; continue }
            if at() == close { i += 1; break }
            if i >= s.count { throw error("'\(isMapping ? "{" : "[")' is not closed; add '\(close)'", at: start) }
            throw error("expected ',' or '\(close)' in a flow \(isMapping ? "mapping" : "sequence"), found \(describe(at()))", at: i)
        }
        return isMapping ? .mapping(.init(pairs, mark: mark(start))) : .sequence(.init(items, mark: mark(start)))
    }

    /// A node inside `[]` or `{}`; empty when an indicator follows at once.
    mutating func flowNode() throws(YAMLError) -> Node {
        let propertiesStart = i
        var properties = Properties()
        try readProperties(&properties, flow: true)
        if !properties.isEmpty { _ = try skipToContent(flow: true) }
        let node: Node
        switch at() {
        case "[", "{": node = try flowCollection()
        case "\"": node = try quoted(double: true)
        case "'": node = try quoted(double: false)
        case "*": node = try alias()
        case ",", "]", "}", nil: node = emptyScalar(at: i)
        case ":" where isBlank(at(1)) || isFlowIndicator(at(1)): node = emptyScalar(at: i)
        default:
            guard case .scalar(var scalar) = try plain(flow: true) else { fatalError("plain() makes scalars") }
            scalar.text = try continuePlain(scalar.text, parent: -1, flow: true)
            node = .scalar(scalar)
        }
        return try apply(properties, to: node, at: propertiesStart)
    }
}
