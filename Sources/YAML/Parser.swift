import CYAML

/// One event of libyaml's parser, copied out of its C memory.
enum Event {
    case streamStart, streamEnd
    case documentStart(Mark), documentEnd
    case alias(String, Mark)
    case scalar(Node.Scalar, anchor: String?)
    case sequenceStart(anchor: String?, tag: String?, Mark)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?, Mark)
    case mappingEnd
}

/// libyaml's event parser over its own copy of a text. Every call into
/// libyaml's parser goes through here; `deinit` frees the parser and the copy.
final class EventParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// The text, to place a reader error and to say what character a scanner error is at.
    private let text: String
    /// The text's characters, indexed as libyaml's marks count them; built
    /// the first time a check looks at the source around an event.
    private lazy var characters: [Unicode.Scalar] = Array(text.unicodeScalars)
    /// Where the last event ended: the text between two events is white space, indicators and comments.
    private var lastEnd = 0
    /// Whether the last document ended without `...`, so that no directive may follow.
    private var lastDocumentEndImplicit = false

    /// The corresponding C functions are `yaml_parser_initialize` and `yaml_parser_set_input_string`.
    init(_ text: String) {
        self.text = text
        parser = .allocate(capacity: 1)
        // It fails only when it cannot allocate its buffers.
        precondition(yaml_parser_initialize(parser) == 1, "yaml_parser_initialize: out of memory")
        let utf8 = text.utf8
        input = .allocate(capacity: max(utf8.count, 1))
        _ = input.initialize(from: utf8)
        // No encoding given: libyaml reads UTF-8 (a Swift string's bytes) and skips a leading BOM itself.
        yaml_parser_set_input_string(parser, input.baseAddress, utf8.count)
    }

    /// The corresponding C function is `yaml_parser_delete`.
    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event. The corresponding C functions are `yaml_parser_parse` and `yaml_event_delete`.
    func next() throws(YAMLError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
        defer { yaml_event_delete(&event) }
        let mark = Self.mark(event.start_mark)
        try checkSource(of: event, at: mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(Self.string(event.data.alias.anchor) ?? "", mark)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            // By length, not up to a NUL: "\0" is a character a double-quoted scalar may hold.
            let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let scalar = Node.Scalar(text, style: Self.style(s.style), tag: Self.string(s.tag), mark: mark)
            return .scalar(scalar, anchor: Self.string(s.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return .sequenceStart(anchor: Self.string(s.anchor), tag: Self.string(s.tag), mark)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return .mappingStart(anchor: Self.string(m.anchor), tag: Self.string(m.tag), mark)
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: preconditionFailure("libyaml returned event type \(event.type.rawValue), which 0.2 does not have")
        }
    }

    // MARK: Where libyaml 0.2.5 reads valid YAML as another value

    /// Refuses the few valid texts libyaml reads as a different value (the YAML
    /// test suite's Y2GN, 652Z, HM87, L24T and JEF9): a refusal says what to
    /// change, a silently different value would not.
    func checkSource(of event: yaml_event_t, at mark: Mark) throws(YAMLError) {
        let start = Int(event.start_mark.index), end = Int(event.end_mark.index)
        if start > lastEnd { try checkComments(from: lastEnd, to: start) }
        lastEnd = max(lastEnd, end)
        switch event.type {
        case YAML_DOCUMENT_END_EVENT:
            lastDocumentEndImplicit = event.data.document_end.implicit != 0
        case YAML_DOCUMENT_START_EVENT:
            let d = event.data.document_start
            if lastDocumentEndImplicit && (d.version_directive != nil || d.tag_directives.start != d.tag_directives.end) {
                throw YAMLError("a directive follows a document that '...' does not end; put '...' before it", at: mark)
            }
        case YAML_ALIAS_EVENT:
            try checkName(Self.string(event.data.alias.anchor), sigil: "*", from: start, at: mark)
        case YAML_SEQUENCE_START_EVENT:
            try checkName(Self.string(event.data.sequence_start.anchor), sigil: "&", from: start, at: mark)
        case YAML_MAPPING_START_EVENT:
            try checkName(Self.string(event.data.mapping_start.anchor), sigil: "&", from: start, at: mark)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            try checkName(Self.string(s.anchor), sigil: "&", from: start, at: mark)
            // `[?x]` and `{?x: y}`: libyaml takes the '?' for an explicit key's indicator and drops it.
            if s.style == YAML_PLAIN_SCALAR_STYLE, s.length > 0, start > 0, characters[start - 1] == "?" {
                throw YAMLError("libyaml reads '?\(Self.string(s.value) ?? "")' as an explicit key; quote it, or put a space after '?'", at: Mark(line: mark.line, column: mark.column - 1))
            }
            // `[-]`, `[-, a]`: YAML wants a plain '-' followed by a character a plain value may hold.
            if s.style == YAML_PLAIN_SCALAR_STYLE, s.length == 1, s.value[0] == UInt8(ascii: "-"),
                start + 1 < characters.count, ",[]{}".unicodeScalars.contains(characters[start + 1]) {
                throw YAMLError("a plain '-' cannot stand before '\(Character(characters[start + 1]))'; quote it", at: mark)
            }
            if s.style == YAML_LITERAL_SCALAR_STYLE || s.style == YAML_FOLDED_SCALAR_STYLE {
                try checkBlockHeader(from: start, at: mark)
                try checkLastLine(after: end, at: mark)
            }
        default:
            break
        }
    }

    /// libyaml takes a '#' right after a value or indicator (`"a"#x`, `[a]#x`,
    /// `a,#x`, `%YAML 1.1#x`) for a comment; YAML wants white space before one.
    func checkComments(from start: Int, to end: Int) throws(YAMLError) {
        let breaks = "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars
        var at = start
        while at < end {
            let c = characters[at]
            let lineStart = at == 0 || breaks.contains(characters[at - 1])
            // A %TAG prefix is a URI, where '#' is a character like any other.
            let tagDirective = lineStart && c == "%" && characters[at..<min(at + 4, characters.count)].elementsEqual("%TAG".unicodeScalars)
            if c == "#" && !lineStart && !" \t".unicodeScalars.contains(characters[at - 1]) {
                let line = characters[..<at].count(where: { $0 == "\n" }) + 1
                let column = at - (characters[..<at].lastIndex(where: { $0 == "\n" }) ?? -1)
                throw YAMLError("a comment needs white space before '#'", at: Mark(line: line, column: column))
            }
            if c == "#" || tagDirective {
                while at < end, !breaks.contains(characters[at]) { at += 1 }
            }
            at += 1
        }
    }

    /// libyaml ends an anchor or alias name at ':', '?', '%', '@' or '`' and reads
    /// the rest as the node (`&a:b x` anchors `:b x` as `a`); YAML 1.2 takes them into the name.
    func checkName(_ name: String?, sigil: Unicode.Scalar, from start: Int, at mark: Mark) throws(YAMLError) {
        guard let name else { return }
        let wanted = [sigil] + Array(name.unicodeScalars)
        // The anchor follows the node's tag when the tag comes first: look for it near the start.
        var at = start
        let limit = min(characters.count - wanted.count, start + 4096)
        while at <= limit, !characters[at..<(at + wanted.count)].elementsEqual(wanted) { at += 1 }
        let after = at + wanted.count
        guard at <= limit, after < characters.count, ":?%@`".unicodeScalars.contains(characters[after]) else { return }
        throw YAMLError("libyaml ends the name \(Character(sigil))\(name) at '\(Character(characters[after]))'; keep names to letters, digits, '-' and '_'", at: mark)
    }

    /// libyaml reads `|# x` and `>-#x` as a header and a comment; YAML wants white space before the '#'.
    func checkBlockHeader(from start: Int, at mark: Mark) throws(YAMLError) {
        var at = start
        // Past the node's tag and anchor, if it has them, to the '|' or '>'.
        while at < characters.count, characters[at] != "|", characters[at] != ">", characters[at] != "\n" { at += 1 }
        guard at < characters.count, characters[at] != "\n" else { return }
        at += 1
        while at < characters.count, "+-123456789".unicodeScalars.contains(characters[at]) { at += 1 }
        if at < characters.count, characters[at] == "#" {
            throw YAMLError("a comment needs white space before '#', here after the block scalar's header", at: mark)
        }
    }

    /// libyaml drops the last line of a block scalar that ends the text when
    /// it holds spaces and no line break ends it (it keeps one that a break ends).
    func checkLastLine(after end: Int, at mark: Mark) throws(YAMLError) {
        let breaks = "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars
        // Only when this scalar is the text's last node: nothing but white space follows it.
        guard characters[min(end, characters.count)...].allSatisfy({ $0 == " " || $0 == "\t" || breaks.contains($0) }) else { return }
        var at = characters.count
        while at > 0, characters[at - 1] == " " || characters[at - 1] == "\t" { at -= 1 }
        guard at < characters.count, at == 0 || breaks.contains(characters[at - 1]) else { return }
        throw YAMLError("this block scalar ends the file in a line of spaces with no line break, which libyaml drops; end the file with a line break", at: mark)
    }

    static func mark(_ m: yaml_mark_t) -> Mark { Mark(line: Int(m.line) + 1, column: Int(m.column) + 1) }

    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? { p.map { String(cString: $0) } }

    static func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    /// libyaml's error, its problem and context kept word for word: `problem (context at LINE:COLUMN)`.
    func error() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "the YAML cannot be read"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return YAMLError("out of memory", at: Self.mark(p.mark))
        case YAML_READER_ERROR:
            // A reader error has a byte offset, not a mark.
            return YAMLError(problem, at: Self.mark(ofByte: p.problem_offset, in: text))
        default:
            let mark = Self.mark(p.problem_mark)
            var message = problem
            if let context = p.context.map({ String(cString: $0) }) {
                message += " (\(context) at \(Self.mark(p.context_mark)))"
            }
            if !problem.contains("tab"), Self.character(at: mark, in: text) == "\t" { message += "; the character is a tab (YAML indents with spaces)" }
            return YAMLError(message, at: mark)
        }
    }

    /// The line and column of a byte offset into `text`.
    static func mark(ofByte offset: Int, in text: String) -> Mark {
        var line = 1, column = 1, at = 0
        for c in text.unicodeScalars {
            at += UTF8.width(c)
            if at > offset { break }
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return Mark(line: line, column: column)
    }

    /// The character at a mark (columns counted in Unicode scalars, as libyaml counts them).
    static func character(at mark: Mark, in text: String) -> Unicode.Scalar? {
        var line = 1, column = 1
        for c in text.unicodeScalars {
            if line == mark.line && column == mark.column { return c }
            if line > mark.line { return nil }
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return nil
    }
}
