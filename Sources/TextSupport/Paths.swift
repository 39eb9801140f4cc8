// NSString's path joins, which the modules used through `as NSString`.

extension String {
    /// `component` joined to this path with one slash between them
    /// (NSString's `appendingPathComponent`, for the paths vmctl builds).
    package func appendingPathComponent(_ component: String) -> String {
        if isEmpty { return component }
        if component.isEmpty { return self }
        let head = hasSuffix("/") ? String(dropLast(while: { $0 == "/" })) : self
        let tail = component.drop(while: { $0 == "/" })
        return (head.isEmpty ? "" : head) + "/" + tail
    }

    /// The path without its last component (NSString's
    /// `deletingLastPathComponent`): "/a/b" → "/a", "/a" → "/", "a" → "".
    package var deletingLastPathComponent: String {
        var path = Substring(self)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var parent = path[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }
}

extension Substring {
    fileprivate func dropLast(while predicate: (Character) -> Bool) -> Substring {
        var text = self
        while let last = text.last, predicate(last) { text = text.dropLast() }
        return text
    }
}

extension String {
    fileprivate func dropLast(while predicate: (Character) -> Bool) -> Substring {
        Substring(self).dropLast(while: predicate)
    }
}
