import Foundation
import Libvirt
import LibvirtXML
import Testing
import TestSupport
import VMCtlKit

#if canImport(Glibc)
import Glibc
#endif

/// `vmctl image fetch|list|prune` against the real libvirtd and a test HTTP server
/// on 127.0.0.1 (Scripts/test-http-server.py) serving the busybox test image:
/// a verified fetch, a corrupt file, a wrong inline checksum, a 404, a transfer cut
/// short and resumed, then list and prune around a VM and an overlay.
@Suite(.enabled(if: Daemon.enabled)) struct IntegrationImageTests {
    /// The test server, killed when the test ends.
    final class HTTPServer {
        let pid: pid_t
        let port: Int
        let log: URL

        init(root: URL, state: URL, cuts: [String], ignoringRange: [String], stalls: [String]) throws {
            let portFile = state.appendingPathComponent("port")
            log = state.appendingPathComponent("requests.log")
            let script = Fixture.repository.appendingPathComponent("Scripts/test-http-server.py").path
            let arguments = ["/usr/bin/python3", script, "--root", root.path, "--port-file", portFile.path, "--log", log.path]
                + cuts.flatMap { ["--cut", $0] } + ignoringRange.flatMap { ["--ignore-range", $0] }
                + stalls.flatMap { ["--stall", $0] }
            var pid: pid_t = 0
            let argv = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            let spawned = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
            guard spawned == 0 else { throw TestFailure("cannot start the test HTTP server: \(String(cString: strerror(spawned)))") }
            self.pid = pid
            // Python starts slowly on a busy machine: up to 60 s for the port.
            guard waitUntil(seconds: 60, { FileManager.default.fileExists(atPath: portFile.path) }),
                let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text)
            else {
                kill(pid, SIGKILL)
                waitpid(pid, nil, 0)
                throw TestFailure("the test HTTP server did not start")
            }
            self.port = port
        }

        func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

        var requests: [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func stop() {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
    }

    func sha256(_ path: String) throws -> String {
        let result = try run("/usr/bin/sha256sum", [path])
        return String(result.output.prefix(64))
    }

    @Test func fetchVerifyResumeListPrune() async throws {
        let scope = try TestScope("img")
        defer { scope.clean() }
        let image = Daemon.image.appendingPathComponent("base.qcow2")
        try #require(FileManager.default.fileExists(atPath: image.path), "test guest missing: run Scripts/build-test-image.sh")
        let fm = FileManager.default

        // What the server serves: good/, bad/ (a flipped byte, the good digest), and copies to cut, resume, restart.
        let www = Daemon.runDirectory.appendingPathComponent(scope.name("www"))
        let state = Daemon.runDirectory.appendingPathComponent(scope.name("state"))
        try fm.createDirectory(at: state, withIntermediateDirectories: true)
        let digest = try sha256(image.path)
        let key = try SigningKey()
        defer { key.remove() }
        for folder in ["good", "bad", "cut", "spare", "norange", "whole", "stall"] {
            let dir = www.appendingPathComponent(folder)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try fm.copyItem(at: image, to: dir.appendingPathComponent("base.qcow2"))
            try Data("\(digest)  base.qcow2\n".utf8).write(to: dir.appendingPathComponent("SHA256SUMS"))
            try key.signDetached(dir.appendingPathComponent("SHA256SUMS"), to: dir.appendingPathComponent("SHA256SUMS.gpg"))
        }
        let signed = ["--keyring", key.keyring.path]
        let bad = try FileHandle(forUpdating: www.appendingPathComponent("bad/base.qcow2"))
        try bad.seek(toOffset: 500_000)
        let byte = try bad.read(upToCount: 1)?.first ?? 0
        try bad.seek(toOffset: 500_000)
        try bad.write(contentsOf: Data([byte ^ 0xff]))
        try bad.close()
        let badDigest = try sha256(www.appendingPathComponent("bad/base.qcow2").path)

        let server = try HTTPServer(root: www, state: state, cuts: ["/cut/base.qcow2:300000"], ignoringRange: ["/norange/base.qcow2"], stalls: ["/stall/base.qcow2:100000"])
        defer { server.stop() }

        let poolName = scope.name("pool")
        let poolPath = Daemon.runDirectory.appendingPathComponent(poolName).path
        let pool = try scope.connection.defineStoragePool(
            xml: try StoragePoolDefinition(type: .dir, name: ObjectName(poolName), targetPath: poolPath).xml())
        try pool.build()
        try pool.start()
        func volumes() throws -> [String] {
            try pool.refresh()
            return try pool.volumes().map(\.name).sorted()
        }
        let environment = ProcessInfo.processInfo.environment.merging(["VMCTL_IMAGE_STATE_DIR": state.path]) { $1 }
        func vmctl(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
            try await runOffThePool(vmctlBinary(), ["-c", Daemon.uri] + arguments, environment: environment, timeout: 300)
        }
        let downloads = state.appendingPathComponent("downloads")
        func parts() -> [String] {
            ((try? fm.contentsOfDirectory(atPath: downloads.path)) ?? []).filter { $0.hasSuffix(".part") }
        }

        // A good fetch, verified through SHA256SUMS beside the URL.
        let good = try await vmctl(["image", "fetch", server.url("/good/base.qcow2"), "--pool", poolName, "--name", "good.qcow2", "-o", "json"] + signed)
        #expect(good.status == 0, "\(good.errors)")
        #expect(good.errors.isEmpty, "piped: no progress bar")
        let fetched = try JSONDecoder().decode(ImageFetchResult.self, from: Data(good.output.utf8))
        #expect(fetched.checksum == "sha256:\(digest)")
        #expect(fetched.checksumFrom == server.url("/good/SHA256SUMS"))
        #expect(fetched.signedBy == key.fingerprint)
        #expect(fetched.resumedFrom == 0)
        #expect(fetched.volume.name == "good.qcow2" && fetched.volume.format == "qcow2")
        #expect(try sha256(poolPath + "/good.qcow2") == digest)
        #expect(parts().isEmpty)

        // A corrupt file: refused with both digests, removed, nothing in the pool.
        let corrupt = try await vmctl(["image", "fetch", server.url("/bad/base.qcow2"), "--pool", poolName, "--name", "bad.qcow2"] + signed)
        #expect(corrupt.status == 1)
        #expect(corrupt.errors == "vmctl: error: checksum: expected sha256:\(digest), got sha256:\(badDigest) for \(server.url("/bad/base.qcow2")); the download was removed\n")
        #expect(corrupt.output.isEmpty)
        #expect(try volumes() == ["good.qcow2"])
        #expect(parts().isEmpty)

        // A wrong inline checksum: the same refusal.
        let zeros = String(repeating: "0", count: 64)
        let wrong = try await vmctl(["image", "fetch", server.url("/spare/base.qcow2"), "--pool", poolName, "--name", "wrong.qcow2",
                                     "--checksum", "sha256:\(zeros)"])
        #expect(wrong.status == 1)
        #expect(wrong.errors.hasPrefix("vmctl: error: checksum: expected sha256:\(zeros), got sha256:\(digest)"))
        #expect(try volumes() == ["good.qcow2"])
        #expect(parts().isEmpty)

        // A 404, and bad input of other kinds: one line, exit 64, nothing created.
        let missing = try await vmctl(["image", "fetch", server.url("/missing/base.qcow2"), "--pool", poolName, "--checksum", "sha256:\(digest)"])
        #expect(missing.status == 64)
        #expect(missing.errors.hasPrefix("vmctl: error: source: HTTP 404"), "\(missing.errors)")
        #expect(missing.errors.filter { $0 == "\n" }.count == 1)
        let noSums = try await vmctl(["image", "fetch", server.url("/missing/base.qcow2"), "--pool", poolName] + signed)
        #expect(noSums.status == 64)
        #expect(noSums.errors == "vmctl: error: --checksum: no SHA256SUMS or SHA512SUMS beside \(server.url("/missing/base.qcow2")); give --checksum sha256:HEX\n")
        for (arguments, message) in [
            (["image", "fetch", server.url("/good/base.qcow2"), "--pool", scope.name("nope")], "pool: no storage pool named '\(scope.name("nope"))'"),
            (["image", "fetch", server.url("/good/base.qcow2"), "--pool", poolName, "--checksum", "md5:abc"],
             "--checksum: 'md5:abc' is not a checksum: use sha256:HEX (64 hex digits) or sha512:HEX (128 hex digits)"),
            (["image", "fetch", "ftp://127.0.0.1/x.qcow2", "--pool", poolName], "source: 'ftp://127.0.0.1/x.qcow2' is not an http or https URL"),
            (["image", "fetch", server.url("/good/base.qcow2"), "--pool", poolName, "--name", "good.qcow2"],
             "name: pool '\(poolName)' already has a volume named 'good.qcow2'"),
            (["image", "list", "--pool", scope.name("nope")], "pool: no storage pool named '\(scope.name("nope"))'"),
        ] {
            let result = try await vmctl(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.errors == "vmctl: error: \(message)\n")
            #expect(result.output.isEmpty)
        }
        #expect(try volumes() == ["good.qcow2"])
        #expect(parts().isEmpty)

        // Cut after 300,000 bytes: refused, the bytes kept; the rerun resumes with a Range and succeeds.
        let cutURL = server.url("/cut/base.qcow2")
        let broken = try await vmctl(["image", "fetch", cutURL, "--pool", poolName, "--name", "cut.qcow2", "--timeout", "30"] + signed)
        #expect(broken.status == 1)
        #expect(broken.errors.contains("run the same command again to resume"), "\(broken.errors)")
        // libcurl's own code and words stay in the message.
        #expect(broken.errors.contains("the connection closed early; libcurl error 18 ("), "\(broken.errors)")
        #expect(try volumes() == ["good.qcow2"])
        let part = try #require(parts().first)
        let kept = try #require(try fm.attributesOfItem(atPath: downloads.appendingPathComponent(part).path)[.size] as? UInt64)
        #expect(kept > 0 && kept <= 300_000)
        let resumed = try await vmctl(["image", "fetch", cutURL, "--pool", poolName, "--name", "cut.qcow2", "-o", "json"] + signed)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let resumedResult = try JSONDecoder().decode(ImageFetchResult.self, from: Data(resumed.output.utf8))
        #expect(resumedResult.resumedFrom == kept)
        #expect(server.requests.contains("GET /cut/base.qcow2 range=bytes=\(kept)- status=206"), "\(server.requests)")
        #expect(try sha256(poolPath + "/cut.qcow2") == digest)
        #expect(parts().isEmpty)

        // A partial file the server will not resume (200): dropped, downloaded whole.
        let norange = server.url("/norange/base.qcow2")
        let stalePart = try ImageFetchPlan(ImageFetchRequest(source: norange, pool: poolName)).partFile(in: downloads)
        try Data(repeating: 0x55, count: 1000).write(to: stalePart)
        let restarted = try await vmctl(["image", "fetch", norange, "--pool", poolName, "--name", "norange.qcow2", "-o", "json"] + signed)
        #expect(restarted.status == 0, "\(restarted.errors)")
        #expect(try JSONDecoder().decode(ImageFetchResult.self, from: Data(restarted.output.utf8)).resumedFrom == 0)
        #expect(server.requests.contains("GET /norange/base.qcow2 range=bytes=1000- status=200"), "\(server.requests)")
        #expect(try sha256(poolPath + "/norange.qcow2") == digest)

        // A partial file that is already whole: the server answers 416 for its size, and it is used as is.
        let whole = server.url("/whole/base.qcow2")
        let wholePart = try ImageFetchPlan(ImageFetchRequest(source: whole, pool: poolName)).partFile(in: downloads)
        try fm.copyItem(at: image, to: wholePart)
        let complete = try await vmctl(["image", "fetch", whole, "--pool", poolName, "--name", "whole.qcow2"] + signed)
        #expect(complete.status == 0, "\(complete.errors)")
        let size = try #require(try fm.attributesOfItem(atPath: image.path)[.size] as? UInt64)
        #expect(server.requests.contains("GET /whole/base.qcow2 range=bytes=\(size)- status=416"), "\(server.requests)")
        #expect(try sha256(poolPath + "/whole.qcow2") == digest)
        #expect(parts().isEmpty)

        // A server that stops sending: the wait ends after --timeout seconds without data.
        let stall = server.url("/stall/base.qcow2")
        let started = Date()
        let hung = try await vmctl(["image", "fetch", stall, "--pool", poolName, "--name", "stall.qcow2", "--timeout", "3"] + signed)
        #expect(hung.status == 1)
        #expect(hung.errors.contains("no data for 3 s (--timeout); libcurl error 28 ("), "\(hung.errors)")
        #expect(Date().timeIntervalSince(started) < 120)
        #expect(try volumes().contains("stall.qcow2") == false)
        let stallPart = try ImageFetchPlan(ImageFetchRequest(source: stall, pool: poolName)).partFile(in: downloads)
        try? fm.removeItem(at: stallPart)
        try? fm.removeItem(atPath: stallPart.path + ".lock")

        // An overlay on good.qcow2, a VM on the overlay, and a volume vmctl did not fetch.
        let overlay = try await vmctl(["vol", "create", poolName, "overlay.qcow2", "--backing", "good.qcow2"])
        #expect(overlay.status == 0, "\(overlay.errors)")
        let plain = try await vmctl(["vol", "create", poolName, "plain.qcow2", "--size", "1M"])
        #expect(plain.status == 0, "\(plain.errors)")
        let vm = scope.name("vm")
        _ = try scope.connection.defineDomain(xml: """
            <domain type='qemu'><name>\(vm)</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os>
            <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='\(poolPath)/overlay.qcow2'/>
            <target dev='vda' bus='virtio'/></disk></devices></domain>
            """)

        let list = try await vmctl(["image", "list", "--pool", poolName, "-o", "json"])
        #expect(list.status == 0, "\(list.errors)")
        let listing = try JSONDecoder().decode(ImageListing.self, from: Data(list.output.utf8))
        #expect(listing.images.map(\.name) == ["cut.qcow2", "good.qcow2", "norange.qcow2", "whole.qcow2"])
        let base = try #require(listing.images.first { $0.name == "good.qcow2" })
        #expect(base.fetched && base.source == server.url("/good/base.qcow2"))
        #expect(base.usedByDomains == [vm])
        #expect(base.usedByVolumes == ["\(poolName)/overlay.qcow2"])
        #expect(listing.images.first { $0.name == "cut.qcow2" }?.inUse == false)
        let textList = try await vmctl(["image", "list", "--pool", poolName])
        #expect(textList.output.contains(vm) && textList.output.contains("\(poolName)/overlay.qcow2"))

        // Prune: --dry-run removes nothing; then only the unused fetched image goes.
        let before = try volumes()
        let dry = try await vmctl(["image", "prune", "--dry-run", "-o", "json"])
        #expect(dry.status == 0, "\(dry.errors)")
        let dryResult = try JSONDecoder().decode(ImagePruneResult.self, from: Data(dry.output.utf8))
        #expect(dryResult.dryRun && dryResult.removed.map(\.name) == ["cut.qcow2", "norange.qcow2", "whole.qcow2"])
        #expect(dryResult.kept.map(\.name) == ["good.qcow2"])
        #expect(try volumes() == before)
        let prune = try await vmctl(["image", "prune"])
        #expect(prune.status == 0, "\(prune.errors)")
        #expect(prune.output.contains("removed image 'cut.qcow2' in pool '\(poolName)'"))
        #expect(try volumes() == ["good.qcow2", "overlay.qcow2", "plain.qcow2"])
        let again = try await vmctl(["image", "list", "--pool", poolName, "-o", "json"])
        #expect(try JSONDecoder().decode(ImageListing.self, from: Data(again.output.utf8)).images.map(\.name) == ["good.qcow2"])
    }

    /// Checksum files must be signed by a key in the keyrings: a detached signature
    /// and a clear-signed file verify; a signature by another key, an unsigned file
    /// and a file with no flag at all are refused before the image is downloaded;
    /// --insecure-checksums takes an unsigned file on TLS alone.
    @Test func signedChecksumFiles() async throws {
        let scope = try TestScope("imgsig")
        defer { scope.clean() }
        let image = Daemon.image.appendingPathComponent("base.qcow2")
        let fm = FileManager.default
        let www = Daemon.runDirectory.appendingPathComponent(scope.name("www"))
        let state = Daemon.runDirectory.appendingPathComponent(scope.name("state"))
        try fm.createDirectory(at: state, withIntermediateDirectories: true)
        let key = try SigningKey()
        defer { key.remove() }
        let stranger = try SigningKey(name: "someone else")
        defer { stranger.remove() }
        let digest = try sha256(image.path)
        for folder in ["detached", "clear", "forged", "unsigned"] {
            let dir = www.appendingPathComponent(folder)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try fm.copyItem(at: image, to: dir.appendingPathComponent("base.qcow2"))
            try Data("\(digest)  base.qcow2\n".utf8).write(to: dir.appendingPathComponent("SHA256SUMS"))
        }
        let sums = { (folder: String) in www.appendingPathComponent(folder).appendingPathComponent("SHA256SUMS") }
        try key.signDetached(sums("detached"), to: sums("detached").appendingPathExtension("sign"))
        try key.clearSign(sums("clear"), to: state.appendingPathComponent("clear"))
        try fm.removeItem(at: sums("clear"))
        try fm.moveItem(at: state.appendingPathComponent("clear"), to: sums("clear"))
        try stranger.signDetached(sums("forged"), to: sums("forged").appendingPathExtension("gpg"))

        let server = try HTTPServer(root: www, state: state, cuts: [], ignoringRange: [], stalls: [])
        defer { server.stop() }
        let poolName = scope.name("pool")
        let pool = try scope.connection.defineStoragePool(xml: try StoragePoolDefinition(
            type: .dir, name: ObjectName(poolName), targetPath: Daemon.runDirectory.appendingPathComponent(poolName).path).xml())
        try pool.build()
        try pool.start()
        func volumes() throws -> [String] {
            try pool.refresh()
            return try pool.volumes().map(\.name).sorted()
        }
        let environment = ProcessInfo.processInfo.environment.merging(["VMCTL_IMAGE_STATE_DIR": state.path]) { $1 }
        func fetch(_ folder: String, _ flags: [String]) async throws -> (status: Int32, output: String, errors: String) {
            try await runOffThePool(vmctlBinary(), ["-c", Daemon.uri, "image", "fetch", server.url("/\(folder)/base.qcow2"),
                                                    "--pool", poolName, "--name", "\(folder).qcow2", "-o", "json"] + flags,
                                    environment: environment, timeout: 300)
        }
        func downloaded(_ folder: String) -> Bool { server.requests.contains { $0.hasPrefix("GET /\(folder)/base.qcow2 ") } }

        for folder in ["detached", "clear"] {
            let result = try await fetch(folder, ["--keyring", key.keyring.path])
            #expect(result.status == 0, "\(folder): \(result.errors)")
            let fetched = try JSONDecoder().decode(ImageFetchResult.self, from: Data(result.output.utf8))
            #expect(fetched.signedBy == key.fingerprint && fetched.checksum == "sha256:\(digest)")
        }
        #expect(server.requests.contains { $0.hasPrefix("GET /detached/SHA256SUMS.sign ") }, "\(server.requests)")

        let forged = try await fetch("forged", ["--keyring", key.keyring.path])
        #expect(forged.status == 1)
        #expect(forged.errors.hasPrefix("vmctl: error: checksum: the signature of \(server.url("/forged/SHA256SUMS")) does not verify: signed by key "), "\(forged.errors)")
        #expect(forged.errors.hasSuffix(", which is not in the keyrings (keyrings: \(key.keyring.path))\n"), "\(forged.errors)")

        let unsigned = try await fetch("unsigned", ["--keyring", key.keyring.path])
        #expect(unsigned.status == 1)
        #expect(unsigned.errors == "vmctl: error: checksum: \(server.url("/unsigned/SHA256SUMS")) is not signed (not clear-signed, and no SHA256SUMS.gpg, SHA256SUMS.sign, SHA256SUMS.asc beside it); --insecure-checksums takes it on TLS alone\n")
        let noFlag = try await fetch("unsigned", [])
        #expect(noFlag.status == 64)
        #expect(noFlag.errors == "vmctl: error: --keyring: checksum files must be signed and verified: give --keyring FILE with the signer's key, or --insecure-checksums to trust the file on TLS alone\n")
        #expect(!downloaded("forged") && !downloaded("unsigned"), "\(server.requests)")
        #expect(try volumes() == ["clear.qcow2", "detached.qcow2"])

        let insecure = try await fetch("unsigned", ["--insecure-checksums"])
        #expect(insecure.status == 0, "\(insecure.errors)")
        #expect(try JSONDecoder().decode(ImageFetchResult.self, from: Data(insecure.output.utf8)).signedBy == nil)
        #expect(try volumes() == ["clear.qcow2", "detached.qcow2", "unsigned.qcow2"])
    }
}
