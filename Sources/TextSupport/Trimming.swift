// What vmctl's modules need from Foundation's string additions, without
// Foundation: linking swift-corelibs-foundation costs every vmctl process a few
// milliseconds and megabytes at start-up (Docs/benchmarks.md). `package`, so
// that a program importing the library products does not see these on String.

extension StringProtocol {
    /// The text without leading and trailing white space, newlines included
    /// (Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`).
    package func trimmingWhitespace() -> String {
        trimmingScalars { $0.properties.isWhitespace }
    }

    /// The text without leading and trailing spaces and tabs; newlines stay
    /// (Foundation's `trimmingCharacters(in: .whitespaces)`).
    package func trimmingSpaces() -> String {
        trimmingScalars { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// The text without leading and trailing characters from `characters`.
    package func trimming(_ characters: Set<Character>) -> String {
        let text = Substring(self)
        guard let first = text.firstIndex(where: { !characters.contains($0) }),
            let last = text.lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(text[first...last])
    }

    private func trimmingScalars(_ isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
            let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension String {
    /// The text cut or padded with spaces to `length` characters (Foundation's
    /// `padding(toLength:withPad: " ", startingAt: 0)`, counted in characters).
    package func padded(toLength length: Int) -> String {
        count >= length ? String(prefix(length)) : self + String(repeating: " ", count: length - count)
    }
}
