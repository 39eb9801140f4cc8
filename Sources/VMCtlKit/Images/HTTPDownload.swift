import CCurl
import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// How a download ended.
public struct DownloadOutcome: Sendable, Hashable {
    /// The file's size when complete.
    public var bytes: UInt64
    /// Bytes that were already there and kept (a 206 answer); 0 for a fresh download.
    public var resumedFrom: UInt64
}

/// HTTP(S) through libcurl (Curl.swift).
/// Every request is bounded: connecting may take `timeout` seconds, `timeout`
/// seconds without data fails it, and the whole transfer may take at most
/// `transferLimit`. Redirects are followed (at most `maximumRedirects`, http and
/// https only); certificates are verified.
public struct HTTPDownloader: Sendable {
    public var timeout: Double
    public var transferLimit: Double = 24 * 3600
    /// Redirects followed before the request fails.
    public var maximumRedirects = 10
    /// Sent as the User-Agent header; nil sends none.
    public var userAgent: String? = "vmctl/\(VersionReport.vmctlVersion)"

    public init(timeout: Double) { self.timeout = timeout }

    /// An easy handle for `url` with vmctl's bounds and policy set; `limit` bounds the whole request.
    func handle(for url: URL, limit: Double) throws(VMCtlError) -> CurlEasy {
        let easy = try CurlEasy()
        do {
            try easy.set(CURLOPT_URL, url.absoluteString)
            // libcurl would otherwise use signals (SIGALRM) for name look-up timeouts: unsafe with threads.
            try easy.set(CURLOPT_NOSIGNAL, 1)
            // Statuses are ours to judge: a 404 is "no such file", a 416 may mean "already whole".
            try easy.set(CURLOPT_FAILONERROR, 0)
            try easy.set(CURLOPT_FOLLOWLOCATION, 1)
            try easy.set(CURLOPT_MAXREDIRS, maximumRedirects)
            try Self.allowOnlyHTTP(easy)
            try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(timeout))
            // Less than a byte a second for `timeout` seconds: the server is gone.
            try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(timeout.rounded(.up))))
            try easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(limit))
            try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
            // The bytes as stored: a compressed answer would not match the checksum or the offsets.
            try easy.set(CURLOPT_HTTP_CONTENT_DECODING, 0)
            try easy.addHeader("Accept-Encoding: identity")
            if let userAgent { try easy.set(CURLOPT_USERAGENT, userAgent) }
        } catch {
            throw VMCtlError("setting up libcurl for \(url.redactedString): \(error)")
        }
        return easy
    }

    /// http and https only, for the URL and every redirect (never file:// or another scheme).
    static func allowOnlyHTTP(_ easy: CurlEasy) throws(CurlError) {
        // The _STR options came with libcurl 7.85; the header vmctl builds against is 7.88.
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
    }

    static func milliseconds(_ seconds: Double) -> Int { max(1, Int((seconds * 1000).rounded(.up))) }

    /// A small text file (a checksum list), at most `limit` bytes; nil when the server
    /// says 404 or 410 (there is none).
    public func text(_ url: URL, limit: Int = 4 << 20) throws(VMCtlError) -> String? {
        try bytes(url, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A small file (a checksum list or its signature), at most `limit` bytes, as
    /// the server sent it; nil when the server says 404 or 410 (there is none).
    public func bytes(_ url: URL, limit: Int = 4 << 20) throws(VMCtlError) -> [UInt8]? {
        let bound = timeout * 2 + 5
        let response = CollectedResponse(try handle(for: url, limit: bound), limit: limit)
        do {
            // A declared length over the limit fails before any byte arrives.
            try response.easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(limit))
        } catch {
            throw VMCtlError("setting up libcurl for \(url.redactedString): \(error)")
        }
        let started = Self.now()
        do {
            try response.run()
        } catch {
            if response.overLimit || error.code == CURLE_FILESIZE_EXCEEDED {
                throw VMCtlError("reading \(url.redactedString): more than \(limit) bytes; not a checksum file")
            }
            throw VMCtlError("reading \(url.redactedString): \(describe(error, limit: bound, after: Self.now() - started))")
        }
        let status = response.status
        if status == 404 || status == 410 { return nil }
        guard status == 200 else {
            throw VMCtlError("reading \(url.redactedString): HTTP \(status)\(response.reason)")
        }
        return Array(response.body)
    }

    /// Downloads `url` into `part`. When `part` already holds bytes, asks for the
    /// rest (`Range: bytes=N-`): a 206 appends to them, a 200 starts over. A broken
    /// transfer keeps what arrived, so running again resumes. `progress` gets
    /// (bytes in the file, total) when the total is known.
    public func download(
        _ url: URL, to part: URL, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(VMCtlError) -> DownloadOutcome {
        for attempt in 0..<2 {
            let existing = Self.size(of: part)
            let transfer = FileTransfer(
                try handle(for: url, limit: transferLimit), url: url, path: part.path, offset: existing, progress: progress)
            try transfer.open()
            defer { transfer.close() }
            if existing > 0 {
                do {
                    // CURLOPT_RANGE, not CURLOPT_RESUME_FROM: libcurl would fail a 200 answer, and we start over on one.
                    try transfer.easy.set(CURLOPT_RANGE, "\(existing)-")
                } catch {
                    throw VMCtlError("setting up libcurl for \(url.redactedString): \(error)")
                }
            }
            let started = Self.now()
            var failure: CurlError?
            do {
                try transfer.run()
            } catch {
                failure = error
            }
            transfer.finish(failure.map { describe($0, limit: transferLimit, after: Self.now() - started) })
            switch transfer.result {
            case .done(let outcome):
                return outcome
            case .restart where attempt == 0:
                // The partial file does not fit what the server has now: start over.
                transfer.close()
                unlink(part.path)
                continue
            case .restart:
                throw VMCtlError("downloading \(url.redactedString): the server refuses every range")
            case .failed(let error):
                throw error
            case nil:
                throw VMCtlError("downloading \(url.redactedString): the transfer ended without an answer")
            }
        }
        throw VMCtlError("downloading \(url.redactedString): the server refuses every range")
    }

    static func size(of file: URL) -> UInt64 {
        var status = stat()
        return stat(file.path, &status) == 0 ? UInt64(status.st_size) : 0
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A libcurl failure in a few words, then libcurl's own code and message.
    /// `limit` bounded the whole request, which failed after `elapsed` seconds.
    func describe(_ error: CurlError, limit: Double, after elapsed: Double) -> String {
        let words: String?
        switch error.code {
        case CURLE_OPERATION_TIMEDOUT:
            // One code for all three bounds; the whole-transfer one is the only one that takes this long.
            words = elapsed >= limit - 0.5 ? "not done in \(Int(limit)) s" : "no data for \(Int(timeout)) s (--timeout)"
        case CURLE_COULDNT_CONNECT: words = "cannot connect"
        case CURLE_COULDNT_RESOLVE_HOST: words = "cannot resolve the host name"
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            words = "the connection closed early"
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE:
            words = "TLS failed"
        case CURLE_TOO_MANY_REDIRECTS: words = "more than \(maximumRedirects) redirects"
        default: words = nil
        }
        return words.map { "\($0); \(error)" } ?? "\(error)"
    }

    /// ` (not found)` for 404: the status's name, or the server's reason phrase for one not listed.
    static func reason(_ status: Int, phrase: String) -> String {
        let names = [
            400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found", 405: "method not allowed",
            407: "proxy authentication required", 408: "request timed out", 410: "no longer exists",
            416: "requested range not satisfiable", 429: "too many requests", 500: "internal server error",
            501: "unimplemented", 502: "bad gateway", 503: "service unavailable", 504: "gateway timed out",
        ]
        let name = names[status] ?? phrase.lowercased()
        return name.isEmpty ? "" : " (\(name))"
    }
}

/// One request's response as libcurl hands it over: the status and headers of the
/// last response (a redirect's are dropped when the next one starts) and the
/// body, given to `receive`. Subclasses say what the body is for.
class CurlResponse {
    let easy: CurlEasy
    /// Header names lowercased → value, for the current response.
    private(set) var headers: [String: String] = [:]
    /// The status line's reason phrase ("Not Found"); empty over HTTP/2.
    private(set) var phrase = ""

    init(_ easy: CurlEasy) { self.easy = easy }

    /// The current response's status; 0 before one arrived.
    /// The corresponding C function is `curl_easy_getinfo(CURLINFO_RESPONSE_CODE)`.
    var status: Int { easy.info(CURLINFO_RESPONSE_CODE) ?? 0 }

    /// The body's declared length, if the response gives one.
    /// The corresponding C function is `curl_easy_getinfo(CURLINFO_CONTENT_LENGTH_DOWNLOAD_T)`.
    var contentLength: UInt64? {
        guard let length = easy.info(offset: CURLINFO_CONTENT_LENGTH_DOWNLOAD_T), length >= 0 else { return nil }
        return UInt64(length)
    }

    /// ` (not found)`, for messages.
    var reason: String { HTTPDownloader.reason(status, phrase: phrase) }

    /// Takes a piece of the body; false stops the transfer (libcurl then fails with CURLE_WRITE_ERROR).
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool { true }

    /// One header line, CRLF included.
    final func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        if line.hasPrefix("HTTP/") {
            // A new response (after a redirect, or a 100 Continue): its headers replace the last one's.
            headers = [:]
            phrase = line.split(separator: " ", maxSplits: 2).dropFirst(2).first.map(String.init) ?? ""
        } else if let colon = line.firstIndex(of: ":") {
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
    }

    /// Runs the request on this thread.
    /// The corresponding C functions are `curl_easy_setopt(CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION)` and `curl_easy_perform`.
    final func run() throws(CurlError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.setCallbacks(
            body: { data, size, count, context in
                let response = Unmanaged<CurlResponse>.fromOpaque(context!).takeUnretainedValue()
                return response.receive(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
            },
            header: { data, size, count, context in
                let response = Unmanaged<CurlResponse>.fromOpaque(context!).takeUnretainedValue()
                response.header(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            },
            context: context)
        try withExtendedLifetime(self) { () throws(CurlError) in try easy.perform() }
    }
}

/// A body kept in memory, at most `limit` bytes.
final class CollectedResponse: CurlResponse {
    let limit: Int
    private(set) var body: [UInt8] = []
    private(set) var overLimit = false

    init(_ easy: CurlEasy, limit: Int) {
        self.limit = limit
        super.init(easy)
    }

    override func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else {
            overLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}

/// A body written to a partial download file, resuming it or starting it over.
final class FileTransfer: CurlResponse {
    enum Result {
        case done(DownloadOutcome)
        case restart
        case failed(VMCtlError)
    }

    let url: URL
    let path: String
    let offset: UInt64
    let progress: ((UInt64, UInt64) -> Void)?
    private(set) var result: Result?
    private var descriptor: Int32 = -1
    private var written: UInt64
    private var expected: UInt64?
    private var kept: UInt64 = 0
    /// Whether the response was accepted, once it has been seen.
    private var responded: Bool?

    init(_ easy: CurlEasy, url: URL, path: String, offset: UInt64, progress: ((UInt64, UInt64) -> Void)?) {
        self.url = url
        self.path = path
        self.offset = offset
        self.progress = progress
        written = offset
        super.init(easy)
    }

    func open() throws(VMCtlError) {
        // O_APPEND: a resumed transfer writes after what is there; a restart truncates first.
        // Never through a symbolic link: the .part is vmctl's own file or nothing.
        descriptor = try OwnedFiles.openAppending(path)
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    private func fail(_ error: VMCtlError) {
        if result == nil { result = .failed(error) }
    }

    /// Whether the answer's body is wanted; sets `result` when it is not. Decides
    /// once, when the first body bytes arrive or (for an empty body) at the end.
    private func accept() -> Bool {
        if let responded { return responded }
        let wanted = decide()
        responded = wanted
        return wanted
    }

    private func decide() -> Bool {
        let status = status
        let length = contentLength
        let range = headers["content-range"]
        switch status {
        case 206 where offset > 0:
            guard let start = Self.rangeStart(range), start == offset else {
                result = .restart
                return false
            }
            kept = offset
            expected = length.map { offset + $0 }
        case 200:
            // The whole file (a server that ignores Range says 200): what was there is dropped.
            if offset > 0 && ftruncate(descriptor, 0) != 0 {
                fail(VMCtlError("cannot truncate '\(path)': \(String(cString: strerror(errno)))"))
                return false
            }
            written = 0
            expected = length
        case 416 where offset > 0:
            // Nothing past the end: complete when the server's size is what is here.
            result = Self.rangeTotal(range) == offset ? .done(DownloadOutcome(bytes: offset, resumedFrom: offset)) : .restart
            return false
        case 404, 410:
            fail(.invalid(field: "source", "HTTP \(status)\(reason) from \(url.redactedString)"))
            return false
        default:
            fail(VMCtlError("downloading \(url.redactedString): HTTP \(status)\(reason)"))
            return false
        }
        if let expected { progress?(written, expected) }
        return true
    }

    override func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard result == nil, accept() else { return false }
        var sent = 0
        while sent < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + sent, bytes.count - sent)
            if n < 0 {
                if errno == EINTR { continue }
                fail(VMCtlError("writing '\(path)': \(String(cString: strerror(errno)))"))
                return false
            }
            sent += n
        }
        written += UInt64(bytes.count)
        if let expected { progress?(written, expected) }
        return true
    }

    /// Sets `result` once libcurl is done; `failure` is libcurl's error, described.
    func finish(_ failure: String?) {
        guard result == nil else { return }
        if failure == nil, !accept() { return }
        if let failure {
            let kept = written > 0 ? "; \(written) bytes kept in \(path): run the same command again to resume" : ""
            fail(VMCtlError("downloading \(url.redactedString): \(failure)\(kept)"))
            return
        }
        if let expected, written != expected {
            fail(VMCtlError(
                "downloading \(url.redactedString): the connection closed after \(written) of \(expected) bytes; "
                    + "run the same command again to resume"))
            return
        }
        result = .done(DownloadOutcome(bytes: written, resumedFrom: kept))
    }

    /// `bytes START-END/TOTAL` → START.
    static func rangeStart(_ header: String?) -> UInt64? {
        guard let header, header.lowercased().hasPrefix("bytes ") else { return nil }
        return UInt64(header.dropFirst(6).prefix { $0 != "-" }.trimmingSpaces())
    }

    /// `bytes */TOTAL` or `bytes START-END/TOTAL` → TOTAL.
    static func rangeTotal(_ header: String?) -> UInt64? {
        guard let header, let slash = header.lastIndex(of: "/") else { return nil }
        return UInt64(header[header.index(after: slash)...].trimmingSpaces())
    }
}

extension URL {
    /// The URL as vmctl shows and records it: without a user name or password
    /// (`https://user:secret@host/x` → `https://host/x`), since secrets never appear in output.
    public var redactedString: String {
        guard user != nil || password != nil, var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else {
            return absoluteString
        }
        components.user = nil
        components.password = nil
        return components.string ?? absoluteString
    }
}
