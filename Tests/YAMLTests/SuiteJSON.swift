/// The JSON of the YAML test suite's in.json files: one value per YAML
/// document, one after the other. Numbers keep their text, so that `1.0` and
/// `1` are compared as numbers, not as whatever a JSON library rounds them to.
enum JSON: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Every value of `text`, in order; nil when it is not JSON.
    static func values(_ text: String) -> [JSON]? {
        var reader = Reader(bytes: Array(text.utf8))
        var values = [JSON]()
        while true {
            reader.skipSpace()
            if reader.at == reader.bytes.count { return values }
            guard let value = reader.value() else { return nil }
            values.append(value)
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
        }

        mutating func take(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard at + w.count <= bytes.count, Array(bytes[at..<(at + w.count)]) == w else { return false }
            at += w.count
            return true
        }

        mutating func value() -> JSON? {
            skipSpace()
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "n"): return take("null") ? .null : nil
            case UInt8(ascii: "t"): return take("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return take("false") ? .bool(false) : nil
            case UInt8(ascii: "\""): return string().map(JSON.string)
            case UInt8(ascii: "["): return list(close: "]") { r in r.value() }.map(JSON.array)
            case UInt8(ascii: "{"):
                return list(close: "}") { r -> (String, JSON)? in
                    r.skipSpace()
                    guard let key = r.string() else { return nil }
                    r.skipSpace()
                    guard r.take(":"), let value = r.value() else { return nil }
                    return (key, value)
                }.map(JSON.object)
            default:
                let start = at
                while at < bytes.count, "+-.0123456789eE".utf8.contains(bytes[at]) { at += 1 }
                return at > start ? .number(String(decoding: bytes[start..<at], as: UTF8.self)) : nil
            }
        }

        mutating func list<T>(close: String, _ item: (inout Reader) -> T?) -> [T]? {
            at += 1
            var items = [T]()
            skipSpace()
            if take(close) { return items }
            while true {
                guard let next = item(&self) else { return nil }
                items.append(next)
                skipSpace()
                if take(",") { continue }
                return take(close) ? items : nil
            }
        }

        mutating func string() -> String? {
            guard take("\"") else { return nil }
            var out = String.UnicodeScalarView()
            var utf8 = [UInt8]()
            func flush() {
                out.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8 = []
            }
            while at < bytes.count {
                let c = bytes[at]
                at += 1
                if c == UInt8(ascii: "\"") { flush(); return String(out) }
                guard c == UInt8(ascii: "\\") else { utf8.append(c); continue }
                flush()
                guard at < bytes.count else { return nil }
                let e = bytes[at]
                at += 1
                let simple: [UInt8: Unicode.Scalar] = [
                    UInt8(ascii: "n"): "\n", UInt8(ascii: "t"): "\t", UInt8(ascii: "r"): "\r", UInt8(ascii: "b"): "\u{8}",
                    UInt8(ascii: "f"): "\u{C}", UInt8(ascii: "/"): "/", UInt8(ascii: "\\"): "\\", UInt8(ascii: "\""): "\"",
                ]
                if let s = simple[e] { out.append(s); continue }
                guard e == UInt8(ascii: "u"), var unit = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(unit), take("\\u"), let low = hex4() {
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                out.append(scalar)
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16) else { return nil }
            at += 4
            return v
        }
    }
}
