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
/// libyaml (YAML 1.1, the parser PyYAML and so cloud-init use) reads the text;
/// the composer adds its own limits: at most ``aliasExpansionLimit`` nodes
/// added by aliases, at most 256 levels of nesting, no duplicate keys. It
/// expands aliases and merge keys (`<<: *defaults`, or `<<: [*a, *b]`: the
/// mapping's own keys win, then the first mapping listed). A second document is an error.
public func compose(_ text: String) throws(YAMLError) -> Node? {
    var composer = Composer(text)
    return try composer.documents(oneOnly: true).first
}

/// Every document of `text`, in order, with the rules of ``compose(_:)``;
/// anchors do not carry from one document to the next.
public func composeAll(_ text: String) throws(YAMLError) -> [Node] {
    var composer = Composer(text)
    return try composer.documents(oneOnly: false)
}

/// The most nodes that aliases may add to a document: a few nested aliases
/// (a "billion laughs" document) would otherwise expand to billions.
public let aliasExpansionLimit = 100_000

/// Builds node trees from libyaml's events. Each node is composed with its
/// size (nodes in its tree), so an alias adds its anchor's size without walking it.
struct Composer {
    let parser: EventParser
    var anchors: [String: (node: Node, size: Int)] = [:]
    /// Nodes that aliases have added so far.
    var aliasNodes = 0
    var depth = 0
    static let depthLimit = 256

    init(_ text: String) { parser = EventParser(text) }

    mutating func documents(oneOnly: Bool) throws(YAMLError) -> [Node] {
        guard case .streamStart = try parser.next() else { preconditionFailure("libyaml's stream starts with STREAM-START") }
        var documents = [Node]()
        while true {
            switch try parser.next() {
            case .streamEnd:
                return documents
            case .documentStart(let mark):
                if oneOnly && !documents.isEmpty {
                    throw YAMLError("only one document is supported, but another one starts here", at: mark)
                }
                anchors = [:]
                documents.append(try node(parser.next()).node)
                guard case .documentEnd = try parser.next() else { preconditionFailure("libyaml ends a document with DOCUMENT-END") }
            default:
                preconditionFailure("libyaml's stream holds documents only")
            }
        }
    }

    /// The node that `event` starts, and how many nodes its tree holds.
    mutating func node(_ event: Event) throws(YAMLError) -> (node: Node, size: Int) {
        let composed: (node: Node, size: Int)
        let anchor: String?
        switch event {
        case .alias(let name, let mark):
            return try alias(name, at: mark)
        case .scalar(let scalar, let a):
            composed = (.scalar(scalar), 1)
            anchor = a
        case .sequenceStart(let a, let tag, let mark):
            try enter(at: mark)
            defer { depth -= 1 }
            var items = [Node]()
            var size = 1
            while true {
                let next = try parser.next()
                if case .sequenceEnd = next { break }
                let item = try node(next)
                items.append(item.node)
                size += item.size
            }
            composed = (.sequence(.init(items, tag: tag, mark: mark)), size)
            anchor = a
        case .mappingStart(let a, let tag, let mark):
            try enter(at: mark)
            defer { depth -= 1 }
            composed = try mapping(tag: tag, at: mark)
            anchor = a
        default:
            preconditionFailure("libyaml gives a node where a node is due")
        }
        if let anchor { anchors[anchor] = composed }
        return composed
    }

    mutating func enter(at mark: Mark) throws(YAMLError) {
        depth += 1
        if depth > Self.depthLimit { throw YAMLError("the document nests deeper than \(Self.depthLimit) levels", at: mark) }
    }

    mutating func alias(_ name: String, at mark: Mark) throws(YAMLError) -> (node: Node, size: Int) {
        guard let anchored = anchors[name] else { throw YAMLError("alias *\(name) refers to no anchor before it", at: mark) }
        aliasNodes += anchored.size
        if aliasNodes > aliasExpansionLimit {
            throw YAMLError("aliases expand to more than \(aliasExpansionLimit) nodes; is this a \"billion laughs\" document?", at: mark)
        }
        return anchored
    }

    // MARK: Mappings and merge keys

    /// Pairs up to MAPPING-END, each key once, merge keys expanded.
    mutating func mapping(tag: String?, at mark: Mark) throws(YAMLError) -> (node: Node, size: Int) {
        var pairs = [Node.Pair]()
        var seen = [Node: Mark]()
        var merges = [Int: [Node.Mapping]]()
        var size = 1
        while true {
            let next = try parser.next()
            if case .mappingEnd = next { break }
            let key = try node(next)
            let value = try node(parser.next())
            size += key.size + value.size
            try add(key.node, value.node, to: &pairs, seen: &seen)
            if Self.isMergeKey(key.node) { merges[pairs.count - 1] = try Self.mergeSources(value.node, key: key.node) }
        }
        if !merges.isEmpty { pairs = Self.merged(pairs, merges) }
        return (.mapping(.init(pairs, tag: tag, mark: mark)), size)
    }

    /// Appends a pair, refusing a key the mapping already has.
    func add(_ key: Node, _ value: Node, to pairs: inout [Node.Pair], seen: inout [Node: Mark]) throws(YAMLError) {
        let here = key.mark ?? Mark(line: 1, column: 1)
        if let first = seen[key] {
            let name = key.string.map { " '\($0)'" } ?? ""
            throw YAMLError("duplicate key\(name), first given on line \(first.line)", at: here)
        }
        seen[key] = here
        pairs.append(.init(key, value))
    }

    /// A plain `<<`, or a key tagged `!!merge`.
    static func isMergeKey(_ key: Node) -> Bool {
        guard let scalar = key.scalar else { return false }
        return scalar.tag == nil ? scalar.style == .plain && scalar.text == "<<" : scalar.tag == Tags.merge
    }

    /// The mappings a merge key's value names, first one first.
    static func mergeSources(_ value: Node, key: Node) throws(YAMLError) -> [Node.Mapping] {
        if let mapping = value.mapping { return [mapping] }
        if let items = value.sequence?.items {
            let mappings = items.compactMap(\.mapping)
            if mappings.count == items.count { return mappings }
        }
        throw YAMLError("a merge key ('<<') takes a mapping or a list of mappings, such as *defaults or [*a, *b]", at: key.mark ?? Mark(line: 1, column: 1))
    }

    /// Each merge key replaced, where it stands, by the pairs of its mappings
    /// whose keys the mapping does not have already (its own, or an earlier mapping's).
    static func merged(_ pairs: [Node.Pair], _ merges: [Int: [Node.Mapping]]) -> [Node.Pair] {
        var taken = Set(pairs.indices.filter { merges[$0] == nil }.map { pairs[$0].key })
        var result = [Node.Pair]()
        for (index, pair) in pairs.enumerated() {
            guard let sources = merges[index] else {
                result.append(pair)
                continue
            }
            for source in sources {
                for inherited in source.pairs where taken.insert(inherited.key).inserted {
                    result.append(inherited)
                }
            }
        }
        return result
    }
}
