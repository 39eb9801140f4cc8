import CLibvirt
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The one funnel for raw libvirt calls. Each helper runs a synchronous C call
// and, when it reports failure, copies the thread's last error at once:
// libvirt keeps errors per thread and a Swift task may move to another thread
// at its next suspension point, so nothing may suspend between the call and
// the copy. Keeping every call in a synchronous closure guarantees that.
enum Call {
    /// Calls a libvirt function that returns an object pointer; `NULL` is an error.
    static func pointer(_ body: () -> OpaquePointer?) throws -> OpaquePointer {
        Library.initialize()
        virResetLastError()
        guard let result = body() else { throw lastError() }
        return result
    }

    /// Calls a libvirt function that returns an int; a negative value is an error.
    @discardableResult
    static func status(_ body: () -> Int32) throws -> Int32 {
        Library.initialize()
        virResetLastError()
        let result = body()
        guard result >= 0 else { throw lastError() }
        return result
    }

    /// Calls a libvirt function that returns an unsigned value; 0 is an error.
    static func nonZero(_ body: () -> UInt) throws -> UInt {
        Library.initialize()
        virResetLastError()
        let result = body()
        guard result != 0 else { throw lastError() }
        return result
    }

    /// Calls a libvirt function that returns a `char *` the caller must free;
    /// copies it into a `String` and frees it.
    static func ownedString(_ body: () -> UnsafeMutablePointer<CChar>?) throws -> String {
        Library.initialize()
        virResetLastError()
        guard let raw = body() else { throw lastError() }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// Calls a libvirt function that returns a buffer of bytes the caller must free.
    static func bytes(_ body: () -> UnsafeMutablePointer<UInt8>?) throws -> UnsafeMutablePointer<UInt8> {
        Library.initialize()
        virResetLastError()
        guard let raw = body() else { throw lastError() }
        return raw
    }

    /// Calls a libvirt function that returns a `const char *` owned by libvirt.
    static func borrowedString(_ body: () -> UnsafePointer<CChar>?) throws -> String {
        Library.initialize()
        virResetLastError()
        guard let raw = body() else { throw lastError() }
        return String(cString: raw)
    }

    /// Calls a `virXxxListAll…` function that allocates an array of object
    /// pointers, takes ownership of each element, and frees the array.
    static func list<T>(
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>) -> Int32,
        wrap: (OpaquePointer) -> T
    ) throws -> [T] {
        Library.initialize()
        virResetLastError()
        var array: UnsafeMutablePointer<OpaquePointer?>? = nil
        let count = body(&array)
        guard count >= 0 else { throw lastError() }
        guard let array else { return [] }
        defer { free(array) }
        return (0..<Int(count)).compactMap { index in array[index].map(wrap) }
    }

    /// Copies the calling thread's last libvirt error. Must run on the thread
    /// that made the failing call, before any other libvirt call. Every
    /// `LibvirtError` the binding throws comes from here.
    /// The corresponding C functions are `virGetLastError` and `virResetLastError`.
    static func lastError() -> LibvirtError {
        guard let raw = virGetLastError() else {
            // libvirt failed without setting an error; never invent "operation failed".
            return LibvirtError(code: .internalError, message: "libvirt reported failure without an error message")
        }
        let error = raw.pointee
        let message = error.message.map { String(cString: $0) } ?? "libvirt error with no message"
        let result = LibvirtError(
            code: .init(rawValue: error.code),
            origin: .init(rawValue: error.domain),
            message: message,
            level: .init(rawValue: Int32(error.level.rawValue))
        )
        virResetLastError()
        return result
    }
}

/// Copies a fixed-size C buffer filled by libvirt (UUID strings) into a String.
func withStringBuffer(count: Int, _ body: (UnsafeMutablePointer<CChar>) -> Int32) throws -> String {
    let result: String? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count) { buffer in
        buffer.initialize(repeating: 0)
        guard body(buffer.baseAddress!) >= 0 else { return nil }
        return String(cString: buffer.baseAddress!)
    }
    guard let result else { throw Call.lastError() }
    return result
}
