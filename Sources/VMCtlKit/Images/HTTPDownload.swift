import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

/// HTTP(S) over Foundation's URLSession (libcurl underneath on Linux). Every
/// request is bounded: `timeout` seconds without data fails it, and the
/// whole transfer may take at most `transferLimit`.
public struct HTTPDownloader: Sendable {
    public var timeout: Double
    public var transferLimit: Double = 24 * 3600

    public init(timeout: Double) { self.timeout = timeout }

    func makeSession(delegate: (any URLSessionDelegate)?) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = transferLimit
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        // One callback at a time: the delegate's state needs no lock beyond ordering.
        queue.maxConcurrentOperationCount = 1
        return URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    func request(_ url: URL) -> URLRequest {
        var request = URLRequest(url: url)
        // The bytes as stored: a compressed answer would not match the checksum or the offsets.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("vmctl/\(VersionReport.vmctlVersion)", forHTTPHeaderField: "User-Agent")
        return request
    }

    /// A small text file (a checksum list), at most `limit` bytes; nil when the server
    /// says 404 or 410 (there is none).
    public func text(_ url: URL, limit: Int = 4 << 20) throws(VMCtlError) -> String? {
        final class Box: @unchecked Sendable {
            var data: Data?
            var response: URLResponse?
            var error: (any Error)?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let session = makeSession(delegate: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request(url)) { data, response, error in
            box.data = data
            box.response = response
            box.error = error
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout * 2 + 5) == .timedOut {
            task.cancel()
            throw VMCtlError("reading \(url.redactedString): no answer in \(Int(timeout * 2 + 5)) s")
        }
        if let error = box.error { throw VMCtlError("reading \(url.redactedString): \(Self.describe(error, timeout: timeout))") }
        let status = (box.response as? HTTPURLResponse)?.statusCode ?? 0
        if status == 404 || status == 410 { return nil }
        guard status == 200 else { throw VMCtlError("reading \(url.redactedString): HTTP \(status) \(Self.reason(status))") }
        let data = box.data ?? Data()
        guard data.count <= limit else { throw VMCtlError("reading \(url.redactedString): more than \(limit) bytes; not a checksum file") }
        return String(decoding: data, as: UTF8.self)
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
            let transfer = Transfer(url: url, path: part.path, offset: existing, progress: progress)
            try transfer.open()
            var request = request(url)
            if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
            let session = makeSession(delegate: transfer)
            let task = session.dataTask(with: request)
            task.resume()
            let finished = transfer.done.wait(timeout: .now() + transferLimit + timeout + 5) == .success
            if !finished { task.cancel() }
            session.finishTasksAndInvalidate()
            transfer.close()
            guard finished else { throw VMCtlError("downloading \(url.redactedString): not done in \(Int(transferLimit)) s") }
            switch transfer.result {
            case .done(let outcome):
                return outcome
            case .restart where attempt == 0:
                // The partial file does not fit what the server has now: start over.
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

    static func reason(_ status: Int) -> String {
        "(" + HTTPURLResponse.localizedString(forStatusCode: status).lowercased() + ")"
    }

    /// A URLSession error in a few words.
    static func describe(_ error: any Error, timeout: Double) -> String {
        guard let error = error as? URLError else { return "\(error.localizedDescription)" }
        switch error.code {
        case .timedOut: return "no data for \(Int(timeout)) s (--timeout)"
        case .cannotConnectToHost: return "cannot connect (connection refused)"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host name"
        case .networkConnectionLost: return "the connection closed early"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot:
            return "TLS failed (\(error.localizedDescription))"
        default: return error.localizedDescription
        }
    }

    /// One transfer's state, driven by URLSession's callbacks on a serial queue.
    final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        enum Result {
            case done(DownloadOutcome)
            case restart
            case failed(VMCtlError)
        }

        let url: URL
        let path: String
        let offset: UInt64
        let progress: ((UInt64, UInt64) -> Void)?
        let done = DispatchSemaphore(value: 0)
        var result: Result?
        private var descriptor: Int32 = -1
        private var written: UInt64
        private var expected: UInt64?
        private var kept: UInt64 = 0
        /// Whether the response was accepted, once it has been seen.
        private var responded: Bool?

        init(url: URL, path: String, offset: UInt64, progress: ((UInt64, UInt64) -> Void)?) {
            self.url = url
            self.path = path
            self.offset = offset
            self.progress = progress
            written = offset
        }

        func open() throws(VMCtlError) {
            // O_APPEND: a resumed transfer writes after what is there; a restart truncates first.
            descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw VMCtlError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        }

        func close() {
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = -1
        }

        private func fail(_ error: VMCtlError) {
            if result == nil { result = .failed(error) }
        }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            completionHandler(accept(response) ? .allow : .cancel)
        }

        /// Whether the answer's body is wanted; sets `result` when it is not. Runs once,
        /// from whichever callback sees the response first.
        private func accept(_ response: URLResponse?) -> Bool {
            if let responded { return responded }
            let wanted = decide(response)
            responded = wanted
            return wanted
        }

        private func decide(_ response: URLResponse?) -> Bool {
            let http = response as? HTTPURLResponse
            let status = http?.statusCode ?? 0
            let length = (response?.expectedContentLength ?? -1) >= 0 ? UInt64(response!.expectedContentLength) : nil
            let range = http?.value(forHTTPHeaderField: "Content-Range")
            switch status {
            case 206 where offset > 0:
                guard let start = Self.rangeStart(range), start == offset else {
                    result = .restart
                    return false
                }
                kept = offset
                expected = length.map { offset + $0 }
            case 200:
                // The whole file: what was there is dropped.
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
                fail(.invalid(field: "source", "HTTP \(status) \(HTTPDownloader.reason(status)) from \(url.redactedString)"))
                return false
            default:
                fail(VMCtlError("downloading \(url.redactedString): HTTP \(status) \(HTTPDownloader.reason(status))"))
                return false
            }
            if let expected { progress?(written, expected) }
            return true
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard result == nil, accept(dataTask.response) else {
                dataTask.cancel()
                return
            }
            let ok = data.withUnsafeBytes { buffer -> Bool in
                var sent = 0
                while sent < buffer.count {
                    let n = write(descriptor, buffer.baseAddress! + sent, buffer.count - sent)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    sent += n
                }
                return true
            }
            guard ok else {
                fail(VMCtlError("writing '\(path)': \(String(cString: strerror(errno)))"))
                dataTask.cancel()
                return
            }
            written += UInt64(data.count)
            if let expected { progress?(written, expected) }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            defer { done.signal() }
            guard result == nil else { return }
            if error == nil, !accept(task.response) { return }
            let timeout = session.configuration.timeoutIntervalForRequest
            if let error {
                let kept = written > 0 ? "; \(written) bytes kept in \(path): run the same command again to resume" : ""
                fail(VMCtlError("downloading \(url.redactedString): \(HTTPDownloader.describe(error, timeout: timeout))\(kept)"))
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
            return UInt64(header.dropFirst(6).prefix { $0 != "-" }.trimmingCharacters(in: .whitespaces))
        }

        /// `bytes */TOTAL` or `bytes START-END/TOTAL` → TOTAL.
        static func rangeTotal(_ header: String?) -> UInt64? {
            guard let header, let slash = header.lastIndex(of: "/") else { return nil }
            return UInt64(header[header.index(after: slash)...].trimmingCharacters(in: .whitespaces))
        }
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
