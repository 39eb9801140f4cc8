import CCurlLoader
import Libvirt
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// libcurl, loaded with `dlopen` the first time a download starts. vmctl links
/// no libcurl, so a command that downloads nothing never maps it (nor the TLS
/// library under it).
struct CurlLibrary: @unchecked Sendable {
    /// A `vmctl_curl *`: never closed, as libcurl cannot be unloaded once initialised.
    let raw: OpaquePointer

    /// Debian's libcurl builds: OpenSSL's (package libcurl4), then GnuTLS's
    /// (package libcurl3-gnutls, which libvirt0 already depends on).
    static let defaultNames = ["libcurl.so.4", "libcurl-gnutls.so.4"]

    /// What each list of names loaded, so that a process opens libcurl once.
    private static let lock = Lock()
    nonisolated(unsafe) private static var loaded: [[String]: CurlLibrary] = [:]  // under `lock`

    /// The first of `names` that loads and has every function vmctl calls.
    /// Fails with one line naming the package to install.
    /// The corresponding C functions are `dlopen`, `dlsym` and `curl_global_init` (in `vmctl_curl_open`).
    static func load(names: [String] = defaultNames) throws(VMCtlError) -> CurlLibrary {
        let result: Result<CurlLibrary, VMCtlError> = lock.withLock {
            if let library = loaded[names] { return .success(library) }
            var why = [CChar](repeating: 0, count: 2048)
            let opened = withCStrings(names) { pointers in
                vmctl_curl_open(pointers.baseAddress, pointers.count, &why, why.count)
            }
            guard let opened else {
                let reasons = String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return .failure(VMCtlError(
                    "downloading needs libcurl, which could not be loaded (\(reasons)); "
                        + "install the package libcurl4 (apt-get install libcurl4) or libcurl3-gnutls"))
            }
            let library = CurlLibrary(raw: opened)
            loaded[names] = library
            return .success(library)
        }
        return try result.get()
    }

    /// The file that was loaded, e.g. `libcurl.so.4`.
    var fileName: String { String(cString: vmctl_curl_library_name(raw)) }

    /// `libcurl/7.88.1 OpenSSL/3.0.15 …`. The corresponding C function is `curl_version`.
    var version: String { String(cString: vmctl_curl_version(raw)) }

    /// libcurl's sentence for `code`. The corresponding C function is `curl_easy_strerror`.
    func describe(_ code: Int32) -> String { String(cString: vmctl_curl_strerror(raw, code)) }
}

/// Calls `body` with `strings` as a C array of `const char *`, valid only inside it.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer(body)
}

/// A failed libcurl call: its CURLcode, `curl_easy_strerror`'s sentence and
/// what libcurl wrote into the error buffer, e.g.
/// `libcurl error 28 (Timeout was reached): Operation too slow. Less than 1 bytes/sec transferred the last 3 seconds`.
struct CurlError: Error, Sendable, CustomStringConvertible {
    var code: Int32
    var summary: String
    /// The error buffer (CURLOPT_ERRORBUFFER); often names the host, the byte counts or the certificate's fault.
    var detail: String

    var description: String {
        detail.isEmpty || detail == summary ? "libcurl error \(code) (\(summary))" : "libcurl error \(code) (\(summary)): \(detail)"
    }
}

/// One libcurl easy handle, freed with the object. Not for use on two threads at once.
final class CurlEasy {
    let library: CurlLibrary
    /// A `vmctl_curl_easy *`.
    private let raw: OpaquePointer

    /// The corresponding C function is `curl_easy_init`.
    init(_ library: CurlLibrary) throws(VMCtlError) {
        guard let raw = vmctl_curl_easy_init(library.raw) else {
            throw VMCtlError("\(library.fileName): curl_easy_init failed (out of memory?)")
        }
        self.library = library
        self.raw = raw
    }

    /// The corresponding C function is `curl_easy_cleanup`.
    deinit { vmctl_curl_easy_cleanup(raw) }

    /// Turns a CURLcode into a thrown ``CurlError``.
    private func check(_ code: Int32) throws(CurlError) {
        guard code != VMCTL_CURLE_OK else { return }
        throw CurlError(code: code, summary: library.describe(code), detail: errorBuffer)
    }

    private var errorBuffer: String {
        String(cString: vmctl_curl_easy_error(raw)).trimmingWhitespace()
    }

    /// The corresponding C function is `curl_easy_setopt` (with a `long`).
    func set(_ option: Int32, _ value: Int) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_long(raw, option, value))
    }

    /// The corresponding C function is `curl_easy_setopt` (with a string, which libcurl copies).
    func set(_ option: Int32, _ value: String) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_string(raw, option, value))
    }

    /// The corresponding C function is `curl_easy_setopt` (with a `curl_off_t`).
    func set(_ option: Int32, offset value: Int64) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_off_t(raw, option, value))
    }

    /// The corresponding C functions are `curl_slist_append` and `curl_easy_setopt(CURLOPT_HTTPHEADER)`.
    func addHeader(_ line: String) throws(CurlError) {
        try check(vmctl_curl_easy_add_header(raw, line))
    }

    /// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION with their data pointers.
    /// `context` must stay alive until `perform` returns.
    /// The corresponding C function is `curl_easy_setopt`.
    func setCallbacks(
        body: vmctl_curl_data_callback, header: vmctl_curl_data_callback, context: UnsafeMutableRawPointer
    ) throws(CurlError) {
        try check(vmctl_curl_easy_set_body_callback(raw, body, context))
        try check(vmctl_curl_easy_set_header_callback(raw, header, context))
    }

    /// Runs the transfer on this thread; the callbacks run on it too.
    /// The corresponding C function is `curl_easy_perform`.
    func perform() throws(CurlError) {
        try check(vmctl_curl_easy_perform(raw))
    }

    /// The corresponding C function is `curl_easy_getinfo` (into a `long`).
    func info(_ info: Int32) -> Int? {
        var value = 0
        return vmctl_curl_easy_getinfo_long(raw, info, &value) == VMCTL_CURLE_OK ? value : nil
    }

    /// The corresponding C function is `curl_easy_getinfo` (into a `curl_off_t`).
    func info(offset info: Int32) -> Int64? {
        var value: Int64 = 0
        return vmctl_curl_easy_getinfo_off_t(raw, info, &value) == VMCTL_CURLE_OK ? value : nil
    }

    /// The corresponding C function is `curl_easy_getinfo` (into a `char *` the handle owns).
    func info(string info: Int32) -> String? {
        var value: UnsafePointer<CChar>?
        guard vmctl_curl_easy_getinfo_string(raw, info, &value) == VMCTL_CURLE_OK, let value else { return nil }
        return String(cString: value)
    }
}
