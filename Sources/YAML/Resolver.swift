/// Reads the type of a plain scalar from its text, with the rules Yams (and,
/// within them, PyYAML) applies: YAML 1.1's booleans, integers, floats, nulls,
/// timestamps, `<<` and `=`, tried in that order; anything else is a string.
///
/// The rules are the regular expressions of Yams' default resolver, written
/// out as small matchers so that no regular-expression engine is needed.
public enum Resolver {
    /// The tag a plain scalar with this text resolves to.
    public static func tag(ofPlain text: String) -> String {
        let bytes = Array(text.utf8)
        if isBool(text) { return Tags.bool }
        if isInt(bytes) { return Tags.int }
        if isFloat(bytes) { return Tags.float }
        if text == "<<" { return Tags.merge }
        if isNull(text) { return Tags.null }
        if isTimestamp(bytes) { return Tags.timestamp }
        if text == "=" { return Tags.value }
        return Tags.str
    }

    static let boolWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    static func isBool(_ text: String) -> Bool { boolWords.contains(text) }

    static func isNull(_ text: String) -> Bool { ["", "~", "null", "Null", "NULL"].contains(text) }

    /// The value of an integer the int rule accepts (not the sexagesimal form), or nil.
    public static func integer(_ text: String) -> Int? {
        var digits = Substring(text.filter { $0 != "_" })
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        let radix: Int
        if digits.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0b") { radix = 2; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        else if digits.count > 1, digits.hasPrefix("0") { radix = 8; digits = digits.dropFirst() }
        else { radix = 10 }
        guard !digits.isEmpty, let magnitude = Int(digits, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    // MARK: Matchers over UTF-8

    /// A position in the text and the few steps the rules need.
    struct Cursor {
        let bytes: [UInt8]
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func take(_ text: String) -> Bool {
            let start = at
            for byte in text.utf8 where !take(byte) {
                at = start
                return false
            }
            return true
        }

        /// Takes bytes while `accept`; how many it took.
        @discardableResult
        mutating func many(_ accept: (UInt8) -> Bool) -> Int {
            let start = at
            while at < bytes.count, accept(bytes[at]) { at += 1 }
            return at - start
        }

        /// Takes one byte if `accept`.
        mutating func one(_ accept: (UInt8) -> Bool) -> Bool {
            guard at < bytes.count, accept(bytes[at]) else { return false }
            at += 1
            return true
        }

        mutating func sign() { _ = take(UInt8(ascii: "-")) || take(UInt8(ascii: "+")) }

        /// Tries `rule` from here; on failure the cursor stays where it was.
        mutating func attempt(_ rule: (inout Cursor) -> Bool) -> Bool {
            var copy = self
            guard rule(&copy) else { return false }
            self = copy
            return true
        }
    }

    static func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func digitOr_(_ b: UInt8) -> Bool { digit(b) || b == UInt8(ascii: "_") }

    /// Matches all of `bytes` with `rule`.
    static func whole(_ bytes: [UInt8], _ rule: (inout Cursor) -> Bool) -> Bool {
        var cursor = Cursor(bytes: bytes)
        return rule(&cursor) && cursor.atEnd
    }

    /// `(:[0-5]?[0-9])+`
    static func sexagesimalTail(_ c: inout Cursor) -> Bool {
        var count = 0
        while c.attempt({ c in
            guard c.take(UInt8(ascii: ":")) else { return false }
            // [0-5]?[0-9]: two digits when the first is 0-5, else one.
            if c.attempt({ $0.one { $0 >= 0x30 && $0 <= 0x35 } && $0.one(digit) }) { return true }
            return c.one(digit)
        }) { count += 1 }
        return count > 0
    }

    static func isInt(_ bytes: [UInt8]) -> Bool {
        let nonZero: (UInt8) -> Bool = { $0 >= 0x31 && $0 <= 0x39 }
        let rules: [(inout Cursor) -> Bool] = [
            { c in c.sign(); return c.take("0b") && c.many { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F } > 0 },
            { c in
                c.sign()
                guard c.take(UInt8(ascii: "0")) else { return false }
                _ = c.take(UInt8(ascii: "o"))
                return c.many { ($0 >= 0x30 && $0 <= 0x37) || $0 == 0x5F } > 0
            },
            { c in c.sign(); return c.take(UInt8(ascii: "0")) },
            { c in c.sign(); guard c.one(nonZero) else { return false }; c.many(digitOr_); return true },
            { c in c.sign(); return c.take("0x") && c.many { digitOr_($0) || (0x61...0x66).contains($0 | 0x20) } > 0 },
            { c in c.sign(); guard c.one(nonZero) else { return false }; c.many(digitOr_); return sexagesimalTail(&c) },
        ]
        return rules.contains { rule in whole(bytes) { c in rule(&c) } }
    }

    static func isFloat(_ bytes: [UInt8]) -> Bool {
        let exponent: (inout Cursor, Bool) -> Bool = { c, signRequired in
            c.attempt { c in
                guard c.take(UInt8(ascii: "e")) || c.take(UInt8(ascii: "E")) else { return false }
                let signed = c.take(UInt8(ascii: "-")) || c.take(UInt8(ascii: "+"))
                return (signed || !signRequired) && c.many(digit) > 0
            }
        }
        let rules: [(inout Cursor) -> Bool] = [
            { c in
                c.sign()
                guard c.many(digit) >= 1 else { return false }
                c.many(digitOr_)
                if c.take(UInt8(ascii: ".")) { c.many(digitOr_) }
                _ = exponent(&c, false)
                return true
            },
            { c in
                guard c.take(UInt8(ascii: ".")), c.many(digitOr_) > 0 else { return false }
                _ = exponent(&c, true)
                return true
            },
            { c in
                c.sign()
                guard c.many(digit) >= 1 else { return false }
                c.many(digitOr_)
                guard sexagesimalTail(&c), c.take(UInt8(ascii: ".")) else { return false }
                c.many(digitOr_)
                return true
            },
            { c in c.sign(); return c.take(".inf") || c.take(".Inf") || c.take(".INF") },
            { c in c.take(".nan") || c.take(".NaN") || c.take(".NAN") },
        ]
        return rules.contains { rule in whole(bytes) { c in rule(&c) } }
    }

    static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        func digits(_ c: inout Cursor, _ min: Int, _ max: Int) -> Bool {
            let start = c.at
            let n = c.many(digit)
            guard n >= min, n <= max else { c.at = start; return false }
            return true
        }
        if whole(bytes, { c in digits(&c, 4, 4) && c.take(UInt8(ascii: "-")) && digits(&c, 2, 2) && c.take(UInt8(ascii: "-")) && digits(&c, 2, 2) }) {
            return true
        }
        return whole(bytes) { c in
            guard digits(&c, 4, 4), c.take(UInt8(ascii: "-")), digits(&c, 1, 2), c.take(UInt8(ascii: "-")), digits(&c, 1, 2) else { return false }
            guard c.take(UInt8(ascii: "T")) || c.take(UInt8(ascii: "t")) || c.many({ $0 == 0x20 || $0 == 0x09 }) > 0 else { return false }
            guard digits(&c, 1, 2), c.take(UInt8(ascii: ":")), digits(&c, 2, 2), c.take(UInt8(ascii: ":")), digits(&c, 2, 2) else { return false }
            if c.take(UInt8(ascii: ".")) { c.many(digit) }
            _ = c.attempt { c in
                c.many { $0 == 0x20 || $0 == 0x09 }
                if c.take(UInt8(ascii: "Z")) { return true }
                guard c.take(UInt8(ascii: "-")) || c.take(UInt8(ascii: "+")), digits(&c, 1, 2) else { return false }
                _ = c.attempt { $0.take(UInt8(ascii: ":")) && digits(&$0, 2, 2) }
                return true
            }
            return true
        }
    }
}
