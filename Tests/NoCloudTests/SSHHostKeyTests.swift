import Foundation
import NoCloud
import Testing
import Yams

/// The guest's host keys in its seed: `ssh_keys` with `ssh_deletekeys`, each
/// private half byte for byte, never shown in a description, and replaced in a clone's seed.
@Suite struct SSHHostKeyTests {
    /// The shape of an OpenSSH private key (not a usable key: the seed only carries it).
    static let ed25519 = SSHHostKey(
        type: .ed25519,
        privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBsZWNyZXQ=\n-----END OPENSSH PRIVATE KEY-----\n",
        publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxlY3JldGxlY3JldGxlY3JldGxlY3JldGxlY3JldGxl vmctl")
    static let ecdsa = SSHHostKey(
        type: .ecdsa,
        privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nZWNkc2E=\n-----END OPENSSH PRIVATE KEY-----",
        publicKey: "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA==")

    @Test func userDataCarriesEachHalfAsWrittenAndDeletesTheImagesKeys() throws {
        var config = minimalConfig()
        config.sshHostKeys = [Self.ed25519, Self.ecdsa]
        let userData = try config.userData()
        let doc = try #require(try Yams.load(yaml: userData) as? [String: Any])
        #expect(doc["ssh_deletekeys"] as? Bool == true)
        #expect(doc["ssh"] as? [String: Bool] == ["emit_keys_to_console": true])
        let keys = try #require(doc["ssh_keys"] as? [String: String])
        #expect(keys["ed25519_private"] == Self.ed25519.privateKey)
        #expect(keys["ecdsa_private"] == Self.ecdsa.privateKey + "\n")
        #expect(keys["ed25519_public"] == Self.ed25519.publicKey + "\n" && keys["ecdsa_public"] == Self.ecdsa.publicKey + "\n")
        #expect(Set(keys.keys) == ["ed25519_private", "ed25519_public", "ecdsa_private", "ecdsa_public"])
        // cloud-init writes the public halves 0600: made readable, as sshd's own are.
        #expect(doc["runcmd"] as? [[String]] == [["chmod", "0644", "/etc/ssh/ssh_host_ed25519_key.pub", "/etc/ssh/ssh_host_ecdsa_key.pub"]])
        let run = try cloudInitSchema(userData)
        #expect(run.status == 0, "\(run.stderr)\n\(userData)")
    }

    @Test func descriptionsWithholdThePrivateHalf() {
        for text in ["\(Self.ed25519)", String(describing: Self.ed25519), String(reflecting: Self.ed25519), "\([Self.ed25519])"] {
            #expect(!text.contains("PRIVATE KEY") && !text.contains("b3BlbnNzaC1rZXkt"), "\(text)")
            #expect(text.contains(Self.ed25519.publicKey))
        }
    }

    @Test func badOrRepeatedKeysAreRefusedByField() {
        var config = minimalConfig()
        config.sshHostKeys = [Self.ed25519, Self.ed25519]
        #expect(config.validationErrors().map(\.description) == ["sshHostKeys[1]: a second ed25519 key; give one key per type"])
        var notAKey = Self.ecdsa
        notAKey.privateKey = "secret"
        config.sshHostKeys = [notAKey]
        #expect(config.validationErrors().map(\.field) == ["sshHostKeys[0]"])
        #expect(!config.validationErrors().map(\.description).joined().contains("secret"))
        var wrongType = Self.ecdsa
        wrongType.publicKey = Self.ed25519.publicKey
        config.sshHostKeys = [wrongType]
        #expect(config.validationErrors().map(\.description) == ["sshHostKeys[0]: the public half must be one ecdsa-sha2-nistp256 key line"])
        config = minimalConfig()
        config.userDataFile = "#cloud-config\n"
        config.sshHostKeys = [Self.ed25519]
        #expect(config.validationErrors().map(\.description) == ["userDataFile: is used verbatim, so it cannot be combined with sshHostKeys"])
    }

    @Test func aClonesSeedGetsItsOwnKeysAndKeepsTheRest() throws {
        var config = minimalConfig()
        config.sshAuthorizedKeys = [Self.ecdsa.publicKey]
        config.sshHostKeys = [Self.ed25519]
        let iso = try config.isoImage()
        let seed = try SeedImage(iso: iso)
        #expect(seed.takesHostKeys)
        var other = Self.ed25519
        other.privateKey = Self.ecdsa.privateKey
        other.publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG90aGVyb3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcm90"
        let clone = try seed.replacingHostKeys([other])
        let doc = try #require(try Yams.load(yaml: clone.userData) as? [String: Any])
        #expect(doc["ssh_keys"] as? [String: String] == ["ed25519_private": other.privateKey + "\n", "ed25519_public": other.publicKey + "\n"])
        #expect(doc["ssh_authorized_keys"] as? [String] == [Self.ecdsa.publicKey] && doc["hostname"] as? String == "m")
        #expect(!clone.userData.contains(Self.ed25519.publicKey))
        // A user's script is theirs: passed through unchanged.
        let script = SeedImage(userData: "#!/bin/sh\necho hi\n", metaData: "instance-id: i\n")
        #expect(!script.takesHostKeys)
        #expect(try script.replacingHostKeys([other]) == script)
    }
}
