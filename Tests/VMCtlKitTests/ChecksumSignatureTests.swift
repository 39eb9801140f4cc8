import Foundation
import Testing
import TestSupport
@testable import VMCtlKit

/// Signed checksum files: gpgv's status lines on strings, the trust decision on
/// requests, and gpgv itself on files signed in the test with a key made for it.
@Suite struct ChecksumSignatureTests {
    static let fingerprint = "0123456789ABCDEF0123456789ABCDEF01234567"

    @Test func gpgvStatusLines() {
        let good = ChecksumSignature.verdict(status: """
            [GNUPG:] NEWSIG
            [GNUPG:] KEY_CONSIDERED \(Self.fingerprint) 0
            [GNUPG:] GOODSIG 89ABCDEF01234567 vmctl test signer <signer@vmctl.invalid>
            [GNUPG:] VALIDSIG \(Self.fingerprint) 2026-12-07 1796601600 0 4 0 22 10 00 \(Self.fingerprint)
            """)
        #expect(good.isGood && good.fingerprint == Self.fingerprint)
        let bad = ChecksumSignature.verdict(status: "[GNUPG:] NEWSIG\n[GNUPG:] BADSIG 89ABCDEF01234567 vmctl test signer\n")
        #expect(!bad.isGood && bad.problem == "bad signature by key 89ABCDEF01234567")
        let unknown = ChecksumSignature.verdict(status: """
            [GNUPG:] ERRSIG 89ABCDEF01234567 22 10 00 1796601600 9 -
            [GNUPG:] NO_PUBKEY 89ABCDEF01234567
            """)
        #expect(unknown.problem == "signed by key 89ABCDEF01234567, which is not in the keyrings")
        // A VALIDSIG without GOODSIG is not enough, nor is nothing at all.
        #expect(!ChecksumSignature.verdict(status: "[GNUPG:] VALIDSIG \(Self.fingerprint)").isGood)
        #expect(ChecksumSignature.verdict(status: "").problem == "no good signature")
        let expired = ChecksumSignature.verdict(status: "[GNUPG:] EXPKEYSIG 89ABCDEF01234567 x\n[GNUPG:] VALIDSIG \(Self.fingerprint)")
        #expect(!expired.isGood && expired.problem == "signed by key 89ABCDEF01234567, which has expired")
    }

    @Test func clearSignedTextIsRecognised() {
        #expect(ChecksumSignature.isClearSigned("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# Fedora"))
        #expect(ChecksumSignature.isClearSigned("\n  -----BEGIN PGP SIGNED MESSAGE-----\n"))
        #expect(!ChecksumSignature.isClearSigned("abc  base.qcow2\n-----BEGIN PGP SIGNED MESSAGE-----\n"))
    }

    static let url = "http://127.0.0.1:9/images/base.qcow2"

    @Test(arguments: [
        (ImageFetchRequest(source: url, pool: "p"),
         "--keyring: checksum files must be signed and verified: give --keyring FILE with the signer's key, or --insecure-checksums to trust the file on TLS alone"),
        (ImageFetchRequest(source: url, pool: "p", keyrings: ["/nonexistent/k.gpg"]), "--keyring: '/nonexistent/k.gpg' is not a file"),
        (ImageFetchRequest(source: url, pool: "p", keyrings: ["/tmp"]), "--keyring: '/tmp' is not a file"),
        (ImageFetchRequest(source: "ubuntu-24.04", pool: "p"),
         "--keyring: no Debian 12 package carries the key that signs ubuntu-24.04's checksums: give --keyring FILE with the signer's key, or --insecure-checksums to trust the file on TLS alone"),
    ])
    func untrustedRequestsNameTheKeyring(request: ImageFetchRequest, message: String) throws {
        let plan = try ImageFetchPlan(request)
        let error = vmctlError { () throws(VMCtlError) in
            _ = try ImageFetchPlan.trust(request, known: plan.knownName.flatMap(KnownImages.named), exists: ImageService.isRegularFile)
        }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
    }

    @Test func debianImagesUseTheInstalledKeyringsOrNameThePackage() throws {
        let debian = try #require(KnownImages.named("debian-12"))
        let request = ImageFetchRequest(source: "debian-12", pool: "p")
        let none = vmctlError { () throws(VMCtlError) in _ = try ImageFetchPlan.trust(request, known: debian, exists: { _ in false }) }
        #expect(none?.message == "--keyring: debian-12's checksums are verified with /usr/share/keyrings/debian-role-keys.gpg (install the package debian-keyring); or give --keyring FILE with the signer's key, or --insecure-checksums to trust the file on TLS alone")
        let archiveOnly = try ImageFetchPlan.trust(request, known: debian, exists: { $0.hasSuffix("debian-archive-keyring.gpg") })
        #expect(archiveOnly == .signed(keyrings: ["/usr/share/keyrings/debian-archive-keyring.gpg"]))
        // The user's keyring replaces the defaults; --insecure-checksums and an inline checksum need none.
        let own = ImageFetchRequest(source: "debian-12", pool: "p", keyrings: ["/etc/hostname"])
        #expect(try ImageFetchPlan.trust(own, known: debian, exists: { _ in true }) == .signed(keyrings: ["/etc/hostname"]))
        let insecure = ImageFetchRequest(source: "debian-12", pool: "p", insecureChecksums: true)
        #expect(try ImageFetchPlan.trust(insecure, known: debian, exists: { _ in false }) == .insecure)
    }

    @Test(arguments: [
        (ImageFetchRequest(source: url, pool: "p", keyrings: ["/k.gpg"], insecureChecksums: true),
         "--insecure-checksums: conflicts with --keyring: a keyring is for verifying signatures"),
        (ImageFetchRequest(source: url, pool: "p", checksum: "sha256:" + String(repeating: "a", count: 64), keyrings: ["/k.gpg"]),
         "--keyring: verifies signed checksum files; an inline --checksum has no signature"),
    ])
    func contradictoryFlags(request: ImageFetchRequest, message: String) {
        let error = vmctlError { () throws(VMCtlError) in _ = try ImageFetchPlan(request) }
        #expect(error?.message == message)
    }

    /// gpgv on files signed here: a good detached signature, a good clear-signed
    /// file (only the signed text is returned), a changed file, and a signature by
    /// a key the keyring does not hold.
    @Test func gpgvVerifiesSignaturesMadeHere() throws {
        let key = try SigningKey()
        defer { key.remove() }
        let stranger = try SigningKey(name: "someone else")
        defer { stranger.remove() }
        let folder = key.home.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sums = folder.appendingPathComponent("SHA256SUMS")
        let text = "\(String(repeating: "ab", count: 32))  base.qcow2\n"
        try Data(text.utf8).write(to: sums)
        let data = Array(text.utf8)
        let verifier = SignatureVerifier(keyrings: [key.keyring.path])

        try key.signDetached(sums, to: folder.appendingPathComponent("SHA256SUMS.gpg"))
        let signature = Array(try Data(contentsOf: folder.appendingPathComponent("SHA256SUMS.gpg")))
        let detached = try verifier.verify(data, signature: signature, name: "SHA256SUMS")
        #expect(detached.fingerprint == key.fingerprint && detached.content == data)

        let changed = Array("\(String(repeating: "cd", count: 32))  base.qcow2\n".utf8)
        let tampered = vmctlError { () throws(VMCtlError) in _ = try verifier.verify(changed, signature: signature, name: "SHA256SUMS") }
        #expect(tampered?.message.hasPrefix("checksum: the signature of SHA256SUMS does not verify: bad signature by key") == true, "\(String(describing: tampered))")

        try key.clearSign(sums, to: folder.appendingPathComponent("CHECKSUM"))
        var clear = Array(try Data(contentsOf: folder.appendingPathComponent("CHECKSUM")))
        // Text after the signature is not covered by it, and must not be read.
        clear += Array("\(String(repeating: "ef", count: 32))  evil.qcow2\n".utf8)
        let inline = try verifier.verify(clear, signature: nil, name: "CHECKSUM")
        #expect(inline.fingerprint == key.fingerprint)
        #expect(String(decoding: inline.content, as: UTF8.self) == text)

        let strangers = SignatureVerifier(keyrings: [stranger.keyring.path])
        let unknown = vmctlError { () throws(VMCtlError) in _ = try strangers.verify(data, signature: signature, name: "SHA256SUMS") }
        #expect(unknown?.message.contains("which is not in the keyrings (keyrings: \(stranger.keyring.path))") == true, "\(String(describing: unknown))")
    }
}
