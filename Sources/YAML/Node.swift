// A YAML document as a tree of values, without Foundation: linking
// swift-corelibs-foundation costs every vmctl process milliseconds and
// megabytes at start-up (Docs/benchmarks.md), and YAML needs none of it.

/// Where a node starts in its source text: 1-based line and column, columns
/// counted in Unicode scalars.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `LINE:COLUMN`.
    public var description: String { "\(line):\(column)" }
}

/// How a scalar is written. Only ``plain`` scalars are resolved to other types
/// (`yes`, `12`, `null`); every other style is a string unless tagged.
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// The tags of YAML's core schema, expanded as a parser reports them.
public enum Tags {
    public static let str = "tag:yaml.org,2002:str"
    public static let int = "tag:yaml.org,2002:int"
    public static let float = "tag:yaml.org,2002:float"
    public static let bool = "tag:yaml.org,2002:bool"
    public static let null = "tag:yaml.org,2002:null"
    public static let timestamp = "tag:yaml.org,2002:timestamp"
    public static let merge = "tag:yaml.org,2002:merge"
    public static let value = "tag:yaml.org,2002:value"
    public static let seq = "tag:yaml.org,2002:seq"
    public static let map = "tag:yaml.org,2002:map"
}

/// One value of a YAML document. Aliases are expanded when composing, so a
/// tree never refers back into itself.
///
/// Equality compares content: a scalar's text and resolved tag, and the
/// structure of collections. Marks and styles are ignored, so `'a'` equals
/// `a`, but `'yes'` (a string) does not equal `yes` (a boolean).
public enum Node: Sendable, Hashable {
    case scalar(Scalar)
    case sequence(Sequence)
    case mapping(Mapping)

    /// A text value: its characters, how it was written, and its tag if one was given.
    public struct Scalar: Sendable, Hashable {
        public var text: String
        public var style: ScalarStyle
        /// The tag as written, expanded (`!!str` is ``Tags/str``; `!foo` stays `!foo`); nil when none was given.
        public var tag: String?
        public var mark: Mark?

        public init(_ text: String, style: ScalarStyle = .plain, tag: String? = nil, mark: Mark? = nil) {
            self.text = text
            self.style = style
            self.tag = tag
            self.mark = mark
        }

        /// The tag a YAML 1.1 reader gives this scalar: the explicit one, else
        /// ``Tags/str`` for a quoted or block scalar, else what ``Resolver`` reads in the text.
        public var resolvedTag: String {
            if let tag { return tag == "!" ? Tags.str : tag }
            return style == .plain ? Resolver.tag(ofPlain: text) : Tags.str
        }

        public static func == (a: Scalar, b: Scalar) -> Bool {
            a.text == b.text && a.resolvedTag == b.resolvedTag
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(text) }
    }

    /// Items in order.
    public struct Sequence: Sendable, Hashable, RandomAccessCollection, MutableCollection {
        public var items: [Node]
        public var tag: String?
        public var mark: Mark?

        public init(_ items: [Node], tag: String? = nil, mark: Mark? = nil) {
            self.items = items
            self.tag = tag
            self.mark = mark
        }

        public var startIndex: Int { items.startIndex }
        public var endIndex: Int { items.endIndex }
        public subscript(position: Int) -> Node {
            get { items[position] }
            set { items[position] = newValue }
        }

        public static func == (a: Sequence, b: Sequence) -> Bool {
            a.items == b.items && (a.tag ?? Tags.seq) == (b.tag ?? Tags.seq)
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(items) }
    }

    /// One key and its value.
    public struct Pair: Sendable, Hashable {
        public var key: Node
        public var value: Node

        public init(_ key: Node, _ value: Node) {
            self.key = key
            self.value = value
        }
    }

    /// Key-value pairs in the order written. Keys are nodes; a composed
    /// mapping never holds two equal keys.
    public struct Mapping: Sendable, Hashable, RandomAccessCollection, MutableCollection {
        public var pairs: [Pair]
        public var tag: String?
        public var mark: Mark?

        public init(_ pairs: [Pair], tag: String? = nil, mark: Mark? = nil) {
            self.pairs = pairs
            self.tag = tag
            self.mark = mark
        }

        public var startIndex: Int { pairs.startIndex }
        public var endIndex: Int { pairs.endIndex }
        /// A pair as a tuple, so that `for (key, value) in mapping` reads well.
        public subscript(position: Int) -> (key: Node, value: Node) {
            get { (pairs[position].key, pairs[position].value) }
            set { pairs[position] = Pair(newValue.key, newValue.value) }
        }

        /// The value of the key a plain `key` would equal: same text and same
        /// resolved tag (so `"lab"` and `lab` match `"lab"`, but `"1"` does not match `1`).
        public subscript(key: String) -> Node? {
            let wanted = Node.Scalar(key)
            return pairs.last(where: { $0.key.scalar == wanted })?.value
        }

        public static func == (a: Mapping, b: Mapping) -> Bool {
            a.pairs == b.pairs && (a.tag ?? Tags.map) == (b.tag ?? Tags.map)
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(pairs) }
    }
}

extension Node {
    /// A scalar; plain unless `style` says otherwise.
    public init(_ text: String, style: ScalarStyle = .plain, tag: String? = nil) {
        self = .scalar(Scalar(text, style: style, tag: tag))
    }

    /// A block sequence.
    public init(_ items: [Node]) { self = .sequence(Sequence(items)) }

    /// A block mapping, pairs in the given order.
    public init(_ pairs: [(Node, Node)]) { self = .mapping(Mapping(pairs.map { Pair($0.0, $0.1) })) }

    public var scalar: Scalar? {
        if case .scalar(let s) = self { return s }
        return nil
    }

    public var sequence: Sequence? {
        if case .sequence(let s) = self { return s }
        return nil
    }

    public var mapping: Mapping? {
        if case .mapping(let m) = self { return m }
        return nil
    }

    /// Where the node starts in its source; nil for a node built in code.
    public var mark: Mark? {
        switch self {
        case .scalar(let s): s.mark
        case .sequence(let s): s.mark
        case .mapping(let m): m.mark
        }
    }

    /// The tag given or resolved: ``Tags/seq`` and ``Tags/map`` for untagged collections.
    public var resolvedTag: String {
        switch self {
        case .scalar(let s): s.resolvedTag
        case .sequence(let s): s.tag ?? Tags.seq
        case .mapping(let m): m.tag ?? Tags.map
        }
    }

    /// A scalar's text, whatever its tag (`12`, `yes` and `'x'` all have one); nil for a collection.
    public var string: String? { scalar?.text }

    /// A scalar as YAML 1.1 reads a boolean: `true`/`yes`/`on` or
    /// `false`/`no`/`off` in any case, unless it is a string (quoted, `!!str`,
    /// or plain but not one of the words as the resolver spells them, like `tRuE`).
    public var bool: Bool? {
        guard let scalar, scalar.resolvedTag != Tags.str else { return nil }
        switch scalar.text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A scalar that resolves to an integer (decimal, `0x`, `0o`/`0`, `0b`, `_` separators), as its value.
    public var int: Int? {
        guard let scalar, scalar.resolvedTag == Tags.int else { return nil }
        return Resolver.integer(scalar.text)
    }

    /// Whether the node is null: an empty plain scalar, `~`, `null`, or tagged `!!null`.
    public var isNull: Bool { scalar?.resolvedTag == Tags.null }
}
