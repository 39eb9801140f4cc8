#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// printf-style formatting of numbers (`"%.1f"`, `"%02d"`, `"0x%02x"`), the part
/// of Foundation's `String(format:)` vmctl uses, through C's `vsnprintf`.
/// Takes only C's numeric conversions: no `%@`, and `%s` is not for Swift strings.
package func cFormat(_ format: String, _ arguments: any CVarArg...) -> String {
    withVaList(arguments) { list in
        var buffer = [CChar](repeating: 0, count: 128)
        // vsnprintf consumes the va_list; format again with a fresh one if it did not fit.
        let needed = Int(vsnprintf(&buffer, buffer.count, format, list))
        guard needed >= buffer.count else {
            return String(decoding: buffer.prefix(max(0, needed)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return withVaList(arguments) { again in
            var larger = [CChar](repeating: 0, count: needed + 1)
            _ = vsnprintf(&larger, larger.count, format, again)
            return String(decoding: larger.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
