/// A small, ordered XML tree: elements, attributes, text and comments.
///
/// The reader builds it from libvirt's XML; the models edit it in place; the
/// writer (``XMLTree/Element/serialized()``) prints it. Attribute order, comments
/// and elements the models do not know are kept as read.
public enum XMLTree {
    /// How an element's attributes are quoted and its text escaped.
    public enum Style: Sendable, Equatable, Hashable, Codable {
        /// libvirt's own writer: single-quoted attributes; `< > & ' "` escaped everywhere.
        case libvirt
        /// libxml2's serializer (libvirt uses it for `<metadata>` content):
        /// double-quoted attributes; `< > &` escaped in text, plus `"` in attributes.
        case libxml2
    }

    /// One attribute, in document order.
    public struct Attribute: Sendable, Equatable, Hashable, Codable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A child of an element.
    public enum Node: Sendable, Equatable, Hashable, Codable {
        case element(Element)
        case text(String)
        case comment(String)
    }

    /// An element with ordered attributes and children.
    public struct Element: Sendable, Equatable, Hashable, Codable {
        public var name: String
        public var attributes: [Attribute]
        public var children: [Node]
        public var style: Style

        public init(_ name: String, attributes: [Attribute] = [], children: [Node] = [], style: Style = .libvirt) {
            self.name = name
            self.attributes = attributes
            self.children = children
            self.style = style
        }
    }
}

// MARK: - Reading and editing helpers

extension XMLTree.Element {
    /// The value of attribute `name`, if present.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Sets (in place, keeping its position) or removes attribute `name`. A new attribute is appended.
    public mutating func setAttribute(_ name: String, _ value: String?) {
        if let index = attributes.firstIndex(where: { $0.name == name }) {
            if let value {
                if attributes[index].value != value { attributes[index].value = value }
            } else {
                attributes.remove(at: index)
            }
        } else if let value {
            attributes.append(.init(name: name, value: value))
        }
    }

    /// Child elements, in order.
    public var elements: [XMLTree.Element] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    /// The first child element called `name`.
    public func child(_ name: String) -> XMLTree.Element? {
        for case .element(let e) in children where e.name == name { return e }
        return nil
    }

    /// All child elements called `name`, in order.
    public func children(_ name: String) -> [XMLTree.Element] {
        elements.filter { $0.name == name }
    }

    /// The concatenated text of the element's direct text children.
    public var text: String {
        var out = ""
        for case .text(let t) in children { out += t }
        return out
    }

    /// The text of child `name`, if that child exists.
    public func childText(_ name: String) -> String? {
        child(name)?.text
    }

    /// Replaces the content with `text`, unless it already reads the same.
    public mutating func setText(_ text: String) {
        if elements.isEmpty, self.text == text, children.count <= 1 { return }
        children = text.isEmpty ? [] : [.text(text)]
    }

    /// Replaces all children called `name` by `replacements`.
    ///
    /// The replacements take the place of the first existing child of that name;
    /// if there is none they go after the last child whose name comes earlier in
    /// `order` (libvirt's element order), or first. Other children are untouched.
    public mutating func replaceChildren(named name: String, with replacements: [XMLTree.Element], order: [String]) {
        let existing = children.indices.filter {
            if case .element(let e) = children[$0], e.name == name { return true }
            return false
        }
        if existing.count == replacements.count,
            zip(existing, replacements).allSatisfy({ children[$0.0] == .element($0.1) })
        {
            return
        }
        if !replacements.isEmpty, !children.isEmpty, children.allSatisfy({
            if case .text(let t) = $0 { return t.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r\n" } }
            return false
        }) {
            // An element libvirt printed empty over two lines: its whitespace was formatting.
            children.removeAll()
        }
        var insertAt: Int
        if let first = existing.first {
            insertAt = first
            for index in existing.reversed() { children.remove(at: index) }
        } else {
            insertAt = insertionIndex(for: name, order: order)
        }
        for element in replacements {
            children.insert(.element(element), at: insertAt)
            insertAt += 1
        }
    }

    /// Sets the single child `name` to `element`, or removes it when `element` is nil.
    public mutating func setChild(_ name: String, _ element: XMLTree.Element?, order: [String]) {
        replaceChildren(named: name, with: element.map { [$0] } ?? [], order: order)
    }

    /// Sets the first child called `name` to `element` (or removes that child when nil),
    /// leaving later children of the same name alone: for a model that holds one of several.
    public mutating func setFirstChild(_ name: String, _ element: XMLTree.Element?, order: [String]) {
        let index = children.firstIndex {
            if case .element(let e) = $0, e.name == name { return true }
            return false
        }
        guard let index else {
            if element != nil { setChild(name, element, order: order) }
            return
        }
        if let element { children[index] = .element(element) } else { children.remove(at: index) }
    }

    /// Edits the first child called `name` in place, creating it at its canonical position if absent.
    public mutating func updateChild(_ name: String, order: [String], _ body: (inout XMLTree.Element) -> Void) {
        var element = child(name) ?? XMLTree.Element(name, style: style)
        body(&element)
        setChild(name, element, order: order)
    }

    /// Sets child `name` to hold `text`, or removes it when `text` is nil.
    public mutating func setTextChild(_ name: String, _ text: String?, order: [String]) {
        guard let text else {
            setChild(name, nil, order: order)
            return
        }
        updateChild(name, order: order) { $0.setText(text) }
    }

    /// A new child element that inherits this element's style.
    func makeChild(_ name: String, _ attributes: [(String, String?)] = [], text: String? = nil) -> XMLTree.Element {
        XMLTree.Element.make(name, attributes, text: text, style: style)
    }

    /// A new element with the given attributes (nil values are skipped) and optional text.
    static func make(
        _ name: String, _ attributes: [(String, String?)] = [], text: String? = nil, style: XMLTree.Style = .libvirt
    ) -> XMLTree.Element {
        var element = XMLTree.Element(name, style: style)
        for (key, value) in attributes {
            if let value { element.attributes.append(.init(name: key, value: value)) }
        }
        if let text, !text.isEmpty { element.children = [.text(text)] }
        return element
    }

    private func insertionIndex(for name: String, order: [String]) -> Int {
        guard let rank = order.firstIndex(of: name) else {
            return lastElementIndex().map { $0 + 1 } ?? children.count
        }
        var best: Int?
        for (index, node) in children.enumerated() {
            guard case .element(let e) = node, let r = order.firstIndex(of: e.name) else { continue }
            if r <= rank { best = index }
        }
        if let best { return best + 1 }
        // Nothing earlier: go before the first known later element, else at the end.
        for (index, node) in children.enumerated() {
            if case .element(let e) = node, let r = order.firstIndex(of: e.name), r > rank { return index }
        }
        return lastElementIndex().map { $0 + 1 } ?? children.count
    }

    private func lastElementIndex() -> Int? {
        children.lastIndex {
            if case .element = $0 { return true }
            return false
        }
    }
}

// MARK: - Writer

extension XMLTree.Element {
    /// The element printed in libvirt's style: two-space indent, one element per line,
    /// inline content for elements that hold text, and a final newline.
    ///
    /// This is the only place that escapes text. It assumes the tree holds only
    /// characters XML can carry (the reader and the models' validation ensure it);
    /// any other character is written as U+FFFD rather than producing broken XML.
    public func serialized() -> String {
        var out = ""
        write(into: &out, indent: 0, pretty: true)
        out += "\n"
        return out
    }

    private func write(into out: inout String, indent: Int, pretty: Bool) {
        let pad = pretty ? String(repeating: " ", count: indent) : ""
        out += pad + "<" + name
        let quote: Character = style == .libvirt ? "'" : "\""
        for attribute in attributes {
            out += " " + attribute.name + "=" + String(quote)
            XMLTree.escape(attribute.value, inAttribute: true, style: style, into: &out)
            out.append(quote)
        }
        if children.isEmpty {
            out += "/>"
            return
        }
        out += ">"
        let hasText = children.contains {
            if case .text = $0 { return true }
            return false
        }
        let indentChildren = pretty && !hasText
        for child in children {
            if indentChildren { out += "\n" }
            switch child {
            case .element(let e):
                e.write(into: &out, indent: indent + 2, pretty: indentChildren)
            case .text(let t):
                XMLTree.escape(t, inAttribute: false, style: style, into: &out)
            case .comment(let c):
                if indentChildren { out += String(repeating: " ", count: indent + 2) }
                out += "<!--" + XMLTree.safeComment(c) + "-->"
            }
        }
        if indentChildren { out += "\n" + pad }
        out += "</" + name + ">"
    }
}

extension XMLTree {
    /// Escapes `text` for an attribute value or for element content. The one escaping routine.
    static func escape(_ text: String, inAttribute: Bool, style: Style, into out: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'":
                if style == .libvirt { out += "&apos;" } else { out += "'" }
            case "\"":
                if style == .libvirt || inAttribute { out += "&quot;" } else { out += "\"" }
            case "\r": out += "&#13;"
            case "\n":
                if inAttribute { out += "&#10;" } else { out += "\n" }
            case "\t":
                if inAttribute { out += "&#9;" } else { out += "\t" }
            default:
                if TextRule.isAllowed(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\u{FFFD}"
                }
            }
        }
    }

    /// A comment body that XML can carry: no `--`, no trailing `-`, no forbidden characters.
    static func safeComment(_ text: String) -> String {
        var out = ""
        var previousDash = false
        for scalar in text.unicodeScalars {
            let s = TextRule.isAllowed(scalar) ? scalar : "\u{FFFD}"
            if s == "-" && previousDash {
                out += " -"
                previousDash = true
                continue
            }
            previousDash = s == "-"
            out.unicodeScalars.append(s)
        }
        if previousDash { out += " " }
        return out
    }
}
