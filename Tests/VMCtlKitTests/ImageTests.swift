import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ImageTests {
    static let sha256 = String(repeating: "ab", count: 32)
    static let sha512 = String(repeating: "cd", count: 64)

    // MARK: - checksums

    @Test func inlineChecksums() throws {
        let short = try ImageChecksum(parsing: "sha256:" + Self.sha256.uppercased())
        #expect(short == ImageChecksum(algorithm: .sha256, hex: Self.sha256))
        #expect(short.description == "sha256:" + Self.sha256)
        #expect(try ImageChecksum(parsing: "SHA512:" + Self.sha512).algorithm == .sha512)
    }

    @Test(arguments: [
        ("md5:d41d8cd98f00b204e9800998ecf8427e", "--checksum: 'md5:d41d8cd98f00b204e9800998ecf8427e' is not a checksum: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
        ("abc", "--checksum: 'abc' is not a checksum: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
        ("sha256:abc", "--checksum: 'sha256:abc' is not a sha256 digest: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
        ("sha512:" + String(repeating: "ab", count: 32), "--checksum: 'sha512:\(String(repeating: "ab", count: 32))' is not a sha512 digest: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
        ("sha256:" + String(repeating: "zz", count: 32), "--checksum: 'sha256:\(String(repeating: "zz", count: 32))' is not a sha256 digest: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
    ])
    func badInlineChecksums(text: String, message: String) {
        let error = vmctlError { () throws(VMCtlError) in try ImageChecksum(parsing: text) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
    }

    @Test func gnuChecksumFiles() {
        // Debian's SHA512SUMS (text mode) and Ubuntu's SHA256SUMS (binary mode, `*name`).
        let text = """
            \(Self.sha512)  debian-12-genericcloud-amd64.qcow2
            \(String(repeating: "01", count: 64))  debian-12-genericcloud-amd64.raw
            \(Self.sha256) *ubuntu-24.04-server-cloudimg-amd64.img
            \(Self.sha256.uppercased())  ./with-dot.qcow2
            not a checksum line
            1234  short.qcow2

            """
        let file = ChecksumFile(parsing: text)
        #expect(file.checksum(for: "debian-12-genericcloud-amd64.qcow2") == ImageChecksum(algorithm: .sha512, hex: Self.sha512))
        #expect(file.checksum(for: "ubuntu-24.04-server-cloudimg-amd64.img") == ImageChecksum(algorithm: .sha256, hex: Self.sha256))
        #expect(file.checksum(for: "with-dot.qcow2")?.hex == Self.sha256)
        #expect(file.checksum(for: "short.qcow2") == nil)
        #expect(file.entries.count == 4)
    }

    @Test func bsdChecksumFileWithSignature() {
        // Fedora's CHECKSUM: BSD lines inside a PGP clear-signature, with comments.
        let text = """
            -----BEGIN PGP SIGNED MESSAGE-----
            Hash: SHA256

            # Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2: 536870912 bytes
            SHA256 (Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2) = \(Self.sha256)
            # Fedora-Cloud-Base-Generic-43-1.6.x86_64.raw.xz: 1 bytes
            SHA256 (Fedora-Cloud-Base-Generic-43-1.6.x86_64.raw.xz) = \(String(repeating: "02", count: 32))
            SHA512 (odd (name).qcow2) = \(Self.sha512)
            SHA256 (broken.qcow2) = 1234
            -----BEGIN PGP SIGNATURE-----

            iQIzBAEBCAAdFiEE
            -----END PGP SIGNATURE-----
            """
        let file = ChecksumFile(parsing: text)
        #expect(file.checksum(for: "Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2") == ImageChecksum(algorithm: .sha256, hex: Self.sha256))
        #expect(file.checksum(for: "odd (name).qcow2")?.algorithm == .sha512)
        #expect(file.checksum(for: "broken.qcow2") == nil)
        #expect(file.entries.count == 3)
    }

    // MARK: - known names and plans

    @Test func knownNames() throws {
        #expect(KnownImages.names == ["debian-12", "debian-13", "ubuntu-24.04", "fedora"])
        for known in KnownImages.all {
            #expect(known.url.hasPrefix("https://"))
            #expect(known.checksumsURL.hasPrefix("https://"))
            let plan = try ImageFetchPlan(ImageFetchRequest(source: known.name, pool: "lab-pool"))
            #expect(plan.knownName == known.name)
            #expect(plan.url.absoluteString == known.url)
            #expect(plan.checksumFiles.map(\.absoluteString) == [known.checksumsURL])
            #expect(plan.volumeName == known.fileName)
            #expect(ObjectName(rawValue: plan.volumeName) != nil)
        }
        #expect(KnownImages.named("fedora")?.fileName.hasSuffix(".qcow2") == true)
        #expect(KnownImages.named("fedora")?.checksumsURL.hasSuffix("-CHECKSUM") == true)
    }

    @Test func urlsAreShownWithoutCredentials() throws {
        let url = try #require(URL(string: "https://mirror-user:s3cret@images.example.org/debian-12.qcow2"))
        #expect(url.redactedString == "https://images.example.org/debian-12.qcow2")
        let plain = try #require(URL(string: "http://127.0.0.1:8080/base.qcow2"))
        #expect(plain.redactedString == "http://127.0.0.1:8080/base.qcow2")
    }

    @Test func urlPlan() throws {
        let plan = try ImageFetchPlan(ImageFetchRequest(source: "http://127.0.0.1:8080/images/base.qcow2", pool: "lab-pool"))
        #expect(plan.knownName == nil)
        #expect(plan.volumeName == "base.qcow2")
        #expect(plan.fileName == "base.qcow2")
        #expect(plan.checksum == nil)
        #expect(plan.checksumFiles.map(\.absoluteString) == [
            "http://127.0.0.1:8080/images/SHA256SUMS", "http://127.0.0.1:8080/images/SHA512SUMS",
        ])
        let named = try ImageFetchPlan(ImageFetchRequest(
            source: "https://127.0.0.1:9/a/base.qcow2", pool: "p", name: "mine.qcow2", checksum: "sha256:" + Self.sha256))
        #expect(named.volumeName == "mine.qcow2")
        #expect(named.checksum?.hex == Self.sha256)
        // One part file per URL, stable between runs.
        let folder = URL(fileURLWithPath: "/var/lib/vmctl/downloads")
        #expect(plan.partFile(in: folder) == plan.partFile(in: folder))
        #expect(plan.partFile(in: folder).lastPathComponent.hasSuffix("-base.qcow2.part"))
        let other = try ImageFetchPlan(ImageFetchRequest(source: "http://127.0.0.1:8080/other/base.qcow2", pool: "lab-pool"))
        #expect(other.partFile(in: folder) != plan.partFile(in: folder))
    }

    @Test(arguments: [
        (ImageFetchRequest(source: "ftp://127.0.0.1/x.qcow2", pool: "lab-pool"), "source: 'ftp://127.0.0.1/x.qcow2' is not an http or https URL"),
        (ImageFetchRequest(source: "http:///x.qcow2", pool: "lab-pool"), "source: 'http:///x.qcow2' names no host"),
        (ImageFetchRequest(source: "http://127.0.0.1:9/images/", pool: "lab-pool"),
         "source: 'http://127.0.0.1:9/images/' names no file (the URL must end in the image's file name)"),
        (ImageFetchRequest(source: "debian-11", pool: "lab-pool"),
         "source: 'debian-11' is neither an http(s) URL nor a known image name (debian-12, debian-13, ubuntu-24.04, fedora)"),
        (ImageFetchRequest(source: "http://127.0.0.1:9/a%20b.qcow2", pool: "lab-pool"),
         "--name: 'a b.qcow2' is not allowed (the URL's file name; give --name): use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"),
        (ImageFetchRequest(source: "debian-12", pool: "lab-pool", name: "../x"),
         "--name: '../x' is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"),
        (ImageFetchRequest(source: "debian-12", pool: "lab-pool", checksum: "sha1:abc"),
         "--checksum: 'sha1:abc' is not a checksum: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
        (ImageFetchRequest(source: "debian-12", pool: "lab-pool", timeout: 0), "--timeout: must be more than 0 and at most 3600 seconds"),
        (ImageFetchRequest(source: "debian-12", pool: "nope"), "pool: no storage pool named 'nope'"),
        (ImageFetchRequest(source: "http://127.0.0.1:9/base.qcow2", pool: "lab-pool"),
         "name: pool 'lab-pool' already has a volume named 'base.qcow2'"),
    ])
    func refusedFetches(request: ImageFetchRequest, message: String) throws {
        let (service, folder) = try service()
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = try volumeNames(service)
        let error = vmctlError { () throws(VMCtlError) in try service.fetch(request) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
        // Nothing created: no volume, no download, no registry.
        #expect(try volumeNames(service) == before)
        #expect(!FileManager.default.fileExists(atPath: service.downloads.path))
        #expect(!FileManager.default.fileExists(atPath: service.registry.file.path))
    }

    /// The built binary on the test driver: bad input is one line, exit 64, nothing on stdout.
    @Test(arguments: [
        (["image", "fetch", "debian-11", "--pool", "lab-pool"],
         "source: 'debian-11' is neither an http(s) URL nor a known image name (debian-12, debian-13, ubuntu-24.04, fedora)"),
        (["image", "fetch", "debian-12", "--pool", "nope"], "pool: no storage pool named 'nope'"),
        (["image", "fetch", "debian-12", "--pool", "lab-pool", "--checksum", "sha256:12"],
         "--checksum: 'sha256:12' is not a sha256 digest: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
        (["image", "fetch", "debian-12", "--pool", "lab-pool", "--timeout", "0"], "--timeout: must be more than 0 and at most 3600 seconds"),
        (["image", "list", "--pool", "nope"], "pool: no storage pool named 'nope'"),
    ])
    func cliUsageErrors(arguments: [String], message: String) throws {
        let result = try runVMCtl(arguments + ["--connect", Fixture.nodeURI])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.errors == "vmctl: error: \(message)\n")
    }

    // MARK: - registry, list, prune

    func service() throws -> (ImageService, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-image-tests-\(UUID().uuidString)")
        let service = ImageService(
            connection: try Fixture.connection(), registry: ImageRegistry(file: folder.appendingPathComponent("images.json")),
            downloads: folder.appendingPathComponent("downloads"))
        return (service, folder)
    }

    func volumeNames(_ service: ImageService) throws -> [String] {
        try service.connection.storagePool(named: "lab-pool").volumes().map(\.name).sorted()
    }

    func entry(_ volume: String) -> ImageRegistry.Entry {
        ImageRegistry.Entry(
            pool: "lab-pool", volume: volume, path: "/lab-pool/\(volume)", source: "http://127.0.0.1/\(volume)", knownName: nil,
            checksum: "sha256:" + Self.sha256, fetchedAt: "2026-01-01T00:00:00Z")
    }

    @Test func registryKeepsEntriesPerConnection() throws {
        let (service, folder) = try service()
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = service.registry
        #expect(try registry.entries(uri: "qemu:///system").isEmpty)
        try registry.record(entry("a.qcow2"), uri: "qemu:///system")
        try registry.record(entry("b.qcow2"), uri: "qemu:///system")
        try registry.record(entry("a.qcow2"), uri: "qemu+ssh://other/system")
        try registry.record(entry("a.qcow2"), uri: "qemu:///system")
        #expect(try registry.entries(uri: "qemu:///system").map(\.volume) == ["b.qcow2", "a.qcow2"])
        try registry.forget(paths: ["/lab-pool/a.qcow2"], uri: "qemu:///system")
        #expect(try registry.entries(uri: "qemu:///system").map(\.volume) == ["b.qcow2"])
        #expect(try registry.entries(uri: "qemu+ssh://other/system").map(\.volume) == ["a.qcow2"])

        try Data("not json".utf8).write(to: registry.file)
        let error = vmctlError { () throws(VMCtlError) in try registry.record(entry("c.qcow2"), uri: "qemu:///system") }
        #expect(error?.message.hasPrefix("reading the image registry \(registry.file.path): not valid JSON") == true)
        #expect(try String(contentsOf: registry.file, encoding: .utf8) == "not json")
    }

    /// base.qcow2 (fetched) under an overlay; spare.qcow2 (fetched) under a domain's
    /// disk; unused.qcow2 (fetched) used by nothing; data.raw never fetched.
    @Test func listAndPrune() throws {
        let (service, folder) = try service()
        defer { try? FileManager.default.removeItem(at: folder) }
        let connection = service.connection
        let uri = try connection.uri()
        let pool = try connection.storagePool(named: "lab-pool")
        for name in ["spare.qcow2", "unused.qcow2"] {
            _ = try pool.createVolume(xml: """
                <volume><name>\(name)</name><capacity unit='MiB'>64</capacity><target><format type='qcow2'/></target></volume>
                """)
        }
        _ = try pool.createVolume(xml: """
            <volume><name>web1.qcow2</name><capacity unit='GiB'>2</capacity><target><format type='qcow2'/></target>
            <backingStore><path>/lab-pool/base.qcow2</path><format type='qcow2'/></backingStore></volume>
            """)
        _ = try connection.defineDomain(xml: """
            <domain type='test'><name>db1</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os>
            <devices><disk type='file' device='disk'><source file='/lab-pool/spare.qcow2'/><target dev='vda'/></disk></devices></domain>
            """)
        for name in ["base.qcow2", "spare.qcow2", "unused.qcow2", "gone.qcow2"] { try service.registry.record(entry(name), uri: uri) }

        let listing = try service.list()
        #expect(listing.images.map(\.name) == ["base.qcow2", "spare.qcow2", "unused.qcow2"])
        #expect(listing.images[0].usedByVolumes == ["lab-pool/web1.qcow2"])
        #expect(listing.images[0].fetched && listing.images[0].source == "http://127.0.0.1/base.qcow2")
        #expect(listing.images[1].usedByDomains == ["db1"])
        #expect(!listing.images[2].inUse)
        #expect(try service.list(pool: "lab-pool") == listing)
        let text = ImageOutput.list(listing, format: .text)
        #expect(text.contains("lab-pool  base.qcow2"))
        #expect(text.contains("lab-pool/web1.qcow2"))

        let before = try volumeNames(service)
        let dry = try service.prune(dryRun: true)
        #expect(dry.dryRun)
        #expect(dry.removed.map(\.name) == ["unused.qcow2"])
        #expect(dry.kept.map(\.name) == ["base.qcow2", "spare.qcow2"])
        #expect(dry.forgotten == ["/lab-pool/gone.qcow2"])
        #expect(try volumeNames(service) == before)
        #expect(try service.registry.entries(uri: uri).count == 4)
        #expect(ImageOutput.pruned(dry, format: .text).hasPrefix("would remove image 'unused.qcow2' in pool 'lab-pool'"))

        let pruned = try service.prune(dryRun: false)
        #expect(pruned.removed.map(\.name) == ["unused.qcow2"])
        #expect(try volumeNames(service) == before.filter { $0 != "unused.qcow2" })
        #expect(try service.registry.entries(uri: uri).map(\.volume).sorted() == ["base.qcow2", "spare.qcow2"])
        // Nothing more to do; data.raw (not fetched) and web1.qcow2 were never candidates.
        #expect(try service.prune(dryRun: false).removed.isEmpty)
        #expect(try volumeNames(service).contains("data.raw"))
    }

    @Test func fetchResultText() {
        let volume = VolumeSummary(
            name: "base.qcow2", pool: "lab", path: "/lab/base.qcow2", type: "file", format: "qcow2", capacityBytes: 2 << 30,
            allocationBytes: 1 << 20, backing: nil)
        let result = ImageFetchResult(
            volume: volume, source: "http://127.0.0.1/base.qcow2", knownName: nil, checksum: "sha256:" + Self.sha256,
            checksumFrom: "inline", bytes: 1 << 20, resumedFrom: 4096)
        #expect(ImageOutput.fetched(result, format: .text)
            == "fetched http://127.0.0.1/base.qcow2 into volume 'base.qcow2' in pool 'lab' (qcow2, 1.0 MiB downloaded, resumed at 4.0 KiB, sha256:abababab… verified)")
        #expect(ImageOutput.fetched(result, format: .json).contains("\"resumedFrom\" : 4096"))
    }
}

// MARK: - downloads through libcurl

/// A scripted HTTP/1.1 server on 127.0.0.1 for the downloader's tests: one
/// thread per connection, `Connection: close` on every answer, each request logged.
final class ScriptedHTTPServer: @unchecked Sendable {
    enum Reply: Sendable {
        /// The body; with `ranges`, `Range: bytes=N-` gets a 206 (a 416 past the end), else always a 200.
        case file([UInt8], ranges: Bool)
        /// 302 Found to `location`.
        case redirect(String)
        /// A status with an empty body.
        case status(Int, String)
        /// Announces the whole body, sends its first `after` bytes, then closes.
        case cut([UInt8], after: Int)
        /// Reads the request and never answers.
        case silent
    }

    let port: Int
    private let listener: Int32
    private let routes: [String: Reply]
    private let lock = NSLock()
    private var log: [String] = []
    private var open: Set<Int32> = []

    init(_ routes: [String: Reply]) throws {
        self.routes = routes
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ServerFailure("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw ServerFailure("bind/listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// `GET /path range=bytes=N- agent=vmctl/…`, one per request, in order.
    var requests: [String] { lock.withLock { log } }

    /// Closes the listener and every connection (a silent one's wait ends).
    func stop() {
        lock.withLock {
            shutdown(listener, Int32(SHUT_RDWR))
            for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    deinit {
        stop()
        close(listener)
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            lock.withLock { _ = open.insert(connection) }
            Thread.detachNewThread { [self] in
                serve(connection)
                lock.withLock { _ = open.remove(connection) }
                close(connection)
            }
        }
    }

    private func serve(_ connection: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.suffix(4).elementsEqual("\r\n\r\n".utf8) {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            request += buffer[..<count]
        }
        let lines = String(decoding: request, as: UTF8.self).split(separator: "\r\n").map(String.init)
        let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        func header(_ name: String) -> String? {
            lines.dropFirst().first { $0.lowercased().hasPrefix(name.lowercased() + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
        let range = header("Range")
        lock.withLock { log.append("GET \(path) range=\(range ?? "-") agent=\(header("User-Agent") ?? "-")") }
        switch routes[path] ?? .status(404, "Not Found") {
        case .file(let body, let ranges):
            if ranges, let range, range.hasPrefix("bytes="), let start = Int(range.dropFirst(6).dropLast()) {
                guard start < body.count else {
                    send(connection, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */\(body.count)\r\nContent-Length: 0\r\n")
                    return
                }
                send(connection, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\nContent-Length: \(body.count - start)\r\n", body: Array(body[start...]))
            } else {
                send(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n", body: body)
            }
        case .redirect(let location):
            send(connection, "HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\n")
        case .status(let status, let phrase):
            send(connection, "HTTP/1.1 \(status) \(phrase)\r\nContent-Length: 0\r\n")
        case .cut(let body, let after):
            send(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n", body: Array(body.prefix(after)))
        case .silent:
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
        }
    }

    /// The status line and headers as given, then `Connection: close`, a blank line and `body`.
    private func send(_ connection: Int32, _ head: String, body: [UInt8] = []) {
        let bytes = Array((head + "Connection: close\r\n\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a client that hung up must not end the test process.
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }
}

extension ImageTests {
    static let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    func scratchFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-download-\(UUID().uuidString).part")
    }

    func bytes(of file: URL) throws -> [UInt8] { Array(try Data(contentsOf: file)) }

    @Test func downloadFollowsRedirectsAndReportsProgress() throws {
        let server = try ScriptedHTTPServer([
            "/old/base.img": .redirect("/mid/base.img"), "/mid/base.img": .redirect("/files/base.img"),
            "/files/base.img": .file(Self.payload, ranges: true),
        ])
        defer { server.stop() }
        let part = scratchFile()
        defer { unlink(part.path) }
        let reports = Reports()
        let outcome = try HTTPDownloader(timeout: 10).download(server.url("/old/base.img"), to: part) { reports.add($0, $1) }
        #expect(outcome == DownloadOutcome(bytes: UInt64(Self.payload.count), resumedFrom: 0))
        #expect(try bytes(of: part) == Self.payload)
        #expect(server.requests.map { $0.split(separator: " ")[1] } == ["/old/base.img", "/mid/base.img", "/files/base.img"])
        #expect(server.requests.allSatisfy { $0.hasSuffix("agent=vmctl/\(VersionReport.vmctlVersion)") }, "\(server.requests)")
        let seen = reports.all
        let size = UInt64(Self.payload.count)
        #expect(seen.first.map { $0 == (0, size) } == true)
        #expect(seen.last.map { $0 == (size, size) } == true)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    }

    @Test func redirectsAreBounded() throws {
        let server = try ScriptedHTTPServer(["/loop": .redirect("/loop")])
        defer { server.stop() }
        var downloader = HTTPDownloader(timeout: 10)
        downloader.maximumRedirects = 3
        let error = vmctlError { () throws(VMCtlError) in try downloader.text(server.url("/loop")) }
        #expect(error?.message.hasPrefix("reading \(server.url("/loop")): more than 3 redirects; libcurl error 47 (") == true, "\(String(describing: error))")
        #expect(server.requests.count == 4)
    }

    @Test func resumeWhenTheServerHonoursTheRange() throws {
        let server = try ScriptedHTTPServer(["/base.img": .file(Self.payload, ranges: true)])
        defer { server.stop() }
        let part = scratchFile()
        defer { unlink(part.path) }
        try Data(Self.payload.prefix(50_000)).write(to: part)
        let outcome = try HTTPDownloader(timeout: 10).download(server.url("/base.img"), to: part)
        #expect(outcome == DownloadOutcome(bytes: UInt64(Self.payload.count), resumedFrom: 50_000))
        #expect(try bytes(of: part) == Self.payload)
        #expect(server.requests.first?.hasPrefix("GET /base.img range=bytes=50000- ") == true, "\(server.requests)")

        // Already whole: the server's 416 for its size means done.
        let again = try HTTPDownloader(timeout: 10).download(server.url("/base.img"), to: part)
        #expect(again == DownloadOutcome(bytes: UInt64(Self.payload.count), resumedFrom: UInt64(Self.payload.count)))
    }

    @Test func resumeWhenTheServerIgnoresTheRange() throws {
        let server = try ScriptedHTTPServer(["/base.img": .file(Self.payload, ranges: false)])
        defer { server.stop() }
        let part = scratchFile()
        defer { unlink(part.path) }
        // Bytes that are not the file's: a 200 answer must replace them, not follow them.
        try Data(repeating: 0x55, count: 1000).write(to: part)
        let outcome = try HTTPDownloader(timeout: 10).download(server.url("/base.img"), to: part)
        #expect(outcome == DownloadOutcome(bytes: UInt64(Self.payload.count), resumedFrom: 0))
        #expect(try bytes(of: part) == Self.payload)
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.hasPrefix("GET /base.img range=bytes=1000- ") == true, "\(server.requests)")
    }

    @Test func cutTransferKeepsItsBytesWithLibcurlsReason() throws {
        let server = try ScriptedHTTPServer(["/base.img": .cut(Self.payload, after: 70_000)])
        defer { server.stop() }
        let part = scratchFile()
        defer { unlink(part.path) }
        let error = vmctlError { () throws(VMCtlError) in try HTTPDownloader(timeout: 10).download(server.url("/base.img"), to: part) }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("downloading \(server.url("/base.img")): the connection closed early; libcurl error 18 ("), "\(message)")
        #expect(message.hasSuffix("; 70000 bytes kept in \(part.path): run the same command again to resume"), "\(message)")
        #expect(try bytes(of: part) == Array(Self.payload.prefix(70_000)))
    }

    @Test func httpErrorsNameTheStatus() throws {
        let server = try ScriptedHTTPServer(["/gone.img": .status(410, "Gone"), "/teapot.img": .status(418, "I'm a teapot")])
        defer { server.stop() }
        let part = scratchFile()
        defer { unlink(part.path) }
        let downloader = HTTPDownloader(timeout: 10)
        let missing = vmctlError { () throws(VMCtlError) in try downloader.download(server.url("/missing.img"), to: part) }
        #expect(missing?.message == "source: HTTP 404 (not found) from \(server.url("/missing.img"))")
        #expect(missing?.status == .usage)
        let teapot = vmctlError { () throws(VMCtlError) in try downloader.download(server.url("/teapot.img"), to: part) }
        #expect(teapot?.message == "downloading \(server.url("/teapot.img")): HTTP 418 (i'm a teapot)")
        #expect(try downloader.text(server.url("/gone.img")) == nil)
        #expect(try downloader.text(server.url("/missing.img")) == nil)
    }

    @Test func checksumTextIsBounded() throws {
        let server = try ScriptedHTTPServer(["/SHA256SUMS": .file(Array("\(Self.sha256)  base.img\n".utf8), ranges: false)])
        defer { server.stop() }
        let downloader = HTTPDownloader(timeout: 10)
        #expect(try downloader.text(server.url("/SHA256SUMS")) == "\(Self.sha256)  base.img\n")
        let error = vmctlError { () throws(VMCtlError) in try downloader.text(server.url("/SHA256SUMS"), limit: 10) }
        #expect(error?.message == "reading \(server.url("/SHA256SUMS")): more than 10 bytes; not a checksum file")
    }

    /// A server that accepts and never answers: the wait ends after `timeout` seconds without data.
    @Test func silentServerTimesOut() throws {
        let server = try ScriptedHTTPServer(["/base.img": .silent])
        defer { server.stop() }
        let part = scratchFile()
        defer { unlink(part.path) }
        let started = Date()
        let error = vmctlError { () throws(VMCtlError) in try HTTPDownloader(timeout: 1).download(server.url("/base.img"), to: part) }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("downloading \(server.url("/base.img")): no data for 1 s (--timeout); libcurl error 28 ("), "\(message)")
        // libcurl measures the rate over a few seconds' window: well under a minute, far from its default of none.
        #expect(Date().timeIntervalSince(started) < 30)
        let text = vmctlError { () throws(VMCtlError) in try HTTPDownloader(timeout: 1).text(server.url("/base.img")) }
        #expect(text?.message.hasPrefix("reading \(server.url("/base.img")): no data for 1 s (--timeout); libcurl error 28") == true)
    }

    @Test func libcurlIsTheGnuTLSBuildLibvirtAlreadyLinks() throws {
        #expect(Curl.version.hasPrefix("libcurl/"))
        #expect(Curl.version.contains("GnuTLS"), "\(Curl.version)")
        // Linked, not loaded: the binary names libcurl-gnutls beside libvirt, and no other libcurl.
        let dynamic = try runProcess("/usr/bin/readelf", ["-d", vmctlBinary().path])
        #expect(dynamic.status == 0)
        #expect(dynamic.output.contains("libvirt.so.0"))
        let needed = dynamic.output.split(separator: "\n").filter { $0.contains("(NEEDED)") && $0.contains("libcurl") }
        #expect(needed.count == 1 && needed[0].contains("[libcurl-gnutls.so.4]"), "\(dynamic.output)")
        // libvirt0 links the same file, so the process maps one libcurl.
        let libvirt = try runProcess("/usr/bin/ldd", [vmctlBinary().path])
        #expect(!libvirt.output.contains("libcurl.so.4"), "\(libvirt.output)")
    }
}

struct ServerFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Progress reports, collected from the download's thread.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [(UInt64, UInt64)] = []
    func add(_ done: UInt64, _ total: UInt64) { lock.withLock { reports.append((done, total)) } }
    var all: [(UInt64, UInt64)] { lock.withLock { reports } }
}
