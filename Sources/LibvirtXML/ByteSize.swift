/// A size in bytes, parsed from the forms people type and libvirt's `unit` attribute.
///
/// Units follow libvirt: `b`/`bytes`; `K`, `KiB`, `M`, `MiB`, `G`, `GiB`, `T`, `TiB`,
/// `P`, `PiB`, `E`, `EiB` are powers of 1024; `KB`, `MB`, `GB`, `TB`, `PB`, `EB` are
/// powers of 1000. Letters are case-insensitive. A number without a unit is bytes.
/// Fractions are allowed when the result is a whole number of bytes (`1.5T`).
public struct ByteSize: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The size in bytes.
    public var bytes: UInt64

    public init(bytes: UInt64) { self.bytes = bytes }

    public static func kib(_ n: UInt64) -> ByteSize { ByteSize(bytes: n * 1024) }
    public static func mib(_ n: UInt64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024) }
    public static func gib(_ n: UInt64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024 * 1024) }
    public static func tib(_ n: UInt64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024 * 1024 * 1024) }

    /// The rule, in words, as error messages quote it.
    public static let rule =
        "write a non-negative number with an optional unit: b, K/KiB, M/MiB, G/GiB, T/TiB (1024-based) or KB, MB, GB, TB (1000-based)"

    /// Parses `512M`, `2G`, `2GiB`, `1.5T`, `1024`, `10 KiB`, `1GB`.
    public init(parsing text: String, field: String = "size") throws {
        let trimmed = text.trimmingSpaces()
        var numberEnd = trimmed.startIndex
        while numberEnd < trimmed.endIndex, trimmed[numberEnd].isASCII,
            trimmed[numberEnd].isNumber || trimmed[numberEnd] == "."
        {
            numberEnd = trimmed.index(after: numberEnd)
        }
        let number = String(trimmed[..<numberEnd])
        let unit = String(trimmed[numberEnd...]).trimmingSpaces()
        try self.init(number: number, unit: unit.isEmpty ? nil : unit, field: field, original: text)
    }

    /// Reads libvirt's form: an integer value and a `unit` attribute (default `unit` when nil).
    init(libvirtValue value: String, unit: String?, defaultUnit: String, field: String) throws {
        try self.init(number: value.trimmingSpaces(), unit: unit ?? defaultUnit, field: field, original: value)
    }

    private init(number: String, unit: String?, field: String, original: String) throws {
        guard let multiplier = ByteSize.multiplier(unit ?? "b") else {
            throw ModelError(field: field, value: original, rule: "unknown unit; " + ByteSize.rule)
        }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard !number.isEmpty, parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            throw ModelError(field: field, value: original, rule: ByteSize.rule)
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.count <= 12, !(parts.count == 2 && fraction.isEmpty)
        else {
            throw ModelError(field: field, value: original, rule: ByteSize.rule)
        }
        guard let wholeValue = UInt64(whole) else {
            throw ModelError(field: field, value: original, rule: "too large: at most \(UInt64.max) bytes")
        }
        let (product, overflow) = wholeValue.multipliedReportingOverflow(by: multiplier)
        guard !overflow else {
            throw ModelError(field: field, value: original, rule: "too large: at most \(UInt64.max) bytes")
        }
        var total = product
        if !fraction.isEmpty, let fractionValue = UInt64(fraction) {
            var denominator: UInt64 = 1
            for _ in 0..<fraction.count { denominator *= 10 }
            // fractionValue * multiplier / denominator, exactly, without overflow.
            let (high, low) = fractionValue.multipliedFullWidth(by: multiplier)
            guard high < denominator else {
                throw ModelError(field: field, value: original, rule: "too large: at most \(UInt64.max) bytes")
            }
            let (quotient, remainder) = denominator.dividingFullWidth((high, low))
            guard remainder == 0 else {
                throw ModelError(field: field, value: original, rule: "is not a whole number of bytes")
            }
            let (sum, sumOverflow) = total.addingReportingOverflow(quotient)
            guard !sumOverflow else {
                throw ModelError(field: field, value: original, rule: "too large: at most \(UInt64.max) bytes")
            }
            total = sum
        }
        bytes = total
    }

    /// The multiplier of a libvirt unit, or nil if the unit is unknown.
    public static func multiplier(_ unit: String) -> UInt64? {
        let u = unit.lowercased()
        if u == "b" || u == "byte" || u == "bytes" { return 1 }
        guard let first = u.first else { return 1 }
        let powers: [Character: Int] = ["k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6]
        guard let power = powers[first] else { return nil }
        let rest = u.dropFirst()
        let base: UInt64
        switch rest {
        case "", "ib": base = 1024
        case "b": base = 1000
        default: return nil
        }
        var result: UInt64 = 1
        for _ in 0..<power { result *= base }
        return result
    }

    /// The size in whole KiB, or nil if it is not a multiple of 1024 bytes.
    public var exactKiB: UInt64? { bytes % 1024 == 0 ? bytes / 1024 : nil }

    /// The largest binary unit that divides the size exactly: `2 GiB`, `1536 MiB`, `1000 bytes`.
    public var description: String {
        let units: [(String, UInt64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in units where bytes >= size && bytes % size == 0 {
            return "\(bytes / size) \(name)"
        }
        return "\(bytes) bytes"
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
