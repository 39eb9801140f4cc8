import CCurl
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// libcurl, linked: the GnuTLS build (libcurl-gnutls.so.4) that libvirt0
/// already links, so a vmctl process maps no libcurl or TLS library of its own.
enum Curl {
    /// `curl_global_init`, once per process, before the first handle.
    /// The corresponding C function is `curl_global_init`.
    private static let initialized: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Fails with libcurl's own words when the one-time set-up failed.
    static func ready() throws(VMCtlError) {
        let code = initialized
        guard code == CURLE_OK else { throw VMCtlError("libcurl: curl_global_init failed: \(describe(code))") }
    }

    /// `libcurl/7.88.1 GnuTLS/3.7.9 …`. The corresponding C function is `curl_version`.
    static var version: String { String(cString: curl_version()) }

    /// libcurl's sentence for `code`. The corresponding C function is `curl_easy_strerror`.
    static func describe(_ code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "unknown error"
    }
}

/// A failed libcurl call: its CURLcode, `curl_easy_strerror`'s sentence and
/// what libcurl wrote into the error buffer, e.g.
/// `libcurl error 28 (Timeout was reached): Operation too slow. Less than 1 bytes/sec transferred the last 3 seconds`.
struct CurlError: Error, Sendable, CustomStringConvertible {
    var code: CURLcode
    var summary: String
    /// The error buffer (CURLOPT_ERRORBUFFER); often names the host, the byte counts or the certificate's fault.
    var detail: String

    var description: String {
        let number = code.rawValue
        return detail.isEmpty || detail == summary
            ? "libcurl error \(number) (\(summary))" : "libcurl error \(number) (\(summary)): \(detail)"
    }
}

/// One libcurl easy handle with its error buffer and header list, freed with
/// the object. Not for use on two threads at once.
final class CurlEasy {
    private let raw: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes into it until the handle is cleaned up.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    /// CURLOPT_HTTPHEADER's list: libcurl reads it until the handle is cleaned up.
    private var headers: UnsafeMutablePointer<curl_slist>?

    /// The corresponding C function is `curl_easy_init`.
    init() throws(VMCtlError) {
        try Curl.ready()
        guard let raw = curl_easy_init() else { throw VMCtlError("libcurl: curl_easy_init failed (out of memory?)") }
        self.raw = raw
        errorBuffer.initialize(to: 0)
        _ = vmctl_curl_easy_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    /// The corresponding C functions are `curl_easy_cleanup` and `curl_slist_free_all`.
    deinit {
        // Cleaning up may send a TLS close-notify on a connection the server has closed.
        SIGPIPEGuard.run { curl_easy_cleanup(raw) }
        // After the handle: libcurl may read the list until it is cleaned up.
        curl_slist_free_all(headers)
        errorBuffer.deallocate()
    }

    /// Turns a CURLcode into a thrown ``CurlError``.
    private func check(_ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError(code: code, summary: Curl.describe(code), detail: String(cString: errorBuffer).trimmingWhitespace())
    }

    /// The corresponding C function is `curl_easy_setopt` (with a `long`).
    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_long(raw, option, value))
    }

    /// The corresponding C function is `curl_easy_setopt` (with a string, which libcurl copies).
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_string(raw, option, value))
    }

    /// The corresponding C function is `curl_easy_setopt` (with a `curl_off_t`).
    func set(_ option: CURLoption, offset value: Int64) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_off_t(raw, option, curl_off_t(value)))
    }

    /// The corresponding C functions are `curl_slist_append` and `curl_easy_setopt(CURLOPT_HTTPHEADER)`.
    func addHeader(_ line: String) throws(CurlError) {
        // On failure the old list stays whole.
        guard let list = curl_slist_append(headers, line) else { return try check(CURLE_OUT_OF_MEMORY) }
        headers = list
        try check(vmctl_curl_easy_setopt_pointer(raw, CURLOPT_HTTPHEADER, list))
    }

    /// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION with their data pointers.
    /// `context` must stay alive until `perform` returns.
    /// The corresponding C function is `curl_easy_setopt`.
    func setCallbacks(
        body: curl_write_callback, header: curl_write_callback, context: UnsafeMutableRawPointer
    ) throws(CurlError) {
        try check(vmctl_curl_easy_setopt_callback(raw, CURLOPT_WRITEFUNCTION, body))
        try check(vmctl_curl_easy_setopt_pointer(raw, CURLOPT_WRITEDATA, context))
        try check(vmctl_curl_easy_setopt_callback(raw, CURLOPT_HEADERFUNCTION, header))
        try check(vmctl_curl_easy_setopt_pointer(raw, CURLOPT_HEADERDATA, context))
    }

    /// Runs the transfer on this thread; the callbacks run on it too. SIGPIPE is
    /// blocked meanwhile: CURLOPT_NOSIGNAL leaves a write to a closed socket to the caller.
    /// The corresponding C function is `curl_easy_perform`.
    func perform() throws(CurlError) {
        errorBuffer[0] = 0
        let code = SIGPIPEGuard.run { curl_easy_perform(raw) }
        try check(code)
    }

    /// The corresponding C function is `curl_easy_getinfo` (into a `long`).
    func info(_ info: CURLINFO) -> Int? {
        var value = 0
        return vmctl_curl_easy_getinfo_long(raw, info, &value) == CURLE_OK ? value : nil
    }

    /// The corresponding C function is `curl_easy_getinfo` (into a `curl_off_t`).
    func info(offset info: CURLINFO) -> Int64? {
        var value: curl_off_t = 0
        return vmctl_curl_easy_getinfo_off_t(raw, info, &value) == CURLE_OK ? Int64(value) : nil
    }

    /// The corresponding C function is `curl_easy_getinfo` (into a `char *` the handle owns).
    func info(string info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard vmctl_curl_easy_getinfo_string(raw, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }
}

/// SIGPIPE blocked on the calling thread while `body` runs; a SIGPIPE raised
/// meanwhile is taken off the thread's pending set before the old mask returns,
/// unless one was pending already. The corresponding C functions are
/// `pthread_sigmask`, `sigpending` and `sigtimedwait`.
enum SIGPIPEGuard {
    static func run<T>(_ body: () -> T) -> T {
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        var pending = sigset_t()
        sigemptyset(&pending)
        sigpending(&pending)
        let wasPending = sigismember(&pending, SIGPIPE) == 1
        var oldMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &oldMask)
        defer {
            if !wasPending {
                var now = timespec(tv_sec: 0, tv_nsec: 0)
                while sigtimedwait(&pipeOnly, nil, &now) == -1 && errno == EINTR {}
            }
            pthread_sigmask(SIG_SETMASK, &oldMask, nil)
        }
        return body()
    }
}
