import FoundationEssentials

/// An official cloud image vmctl can fetch by name (`vmctl image fetch debian-12`).
public struct KnownImage: Sendable, Hashable {
    /// What the user types.
    public var name: String
    public var summary: String
    /// The image's download URL.
    public var url: String
    /// The checksum file the distribution publishes beside it.
    public var checksumsURL: String
    /// Its detached signature's suffix (`.sign` beside `SHA512SUMS`), or nil when the file is clear-signed.
    public var signatureSuffix: String?
    /// Keyrings from Debian's packages that hold the distribution's signing keys; empty when no Debian 12 package does.
    public var keyrings: [Keyring]

    /// A keyring file and the Debian package that installs it.
    public struct Keyring: Sendable, Hashable {
        public var path: String
        public var package: String
    }

    /// The file name the checksum file lists the image under.
    public var fileName: String { URL(string: url)?.lastPathComponent ?? url }
}

/// The known names: one row each. To add a distribution, add a row; `image fetch`,
/// its help and Docs/commands-image.md's table all read from here.
public enum KnownImages {
    /// Debian signs its image checksums with role keys (the CD and cloud signing keys),
    /// which the package debian-keyring carries; the archive keyring is tried too.
    static let debianKeys = [
        KnownImage.Keyring(path: "/usr/share/keyrings/debian-role-keys.gpg", package: "debian-keyring"),
        KnownImage.Keyring(path: "/usr/share/keyrings/debian-archive-keyring.gpg", package: "debian-archive-keyring"),
    ]

    public static let all: [KnownImage] = [
        KnownImage(
            name: "debian-12", summary: "Debian 12 (bookworm) genericcloud, amd64, latest build",
            url: "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
            checksumsURL: "https://cloud.debian.org/images/cloud/bookworm/latest/SHA512SUMS",
            signatureSuffix: ".sign", keyrings: debianKeys),
        KnownImage(
            name: "debian-13", summary: "Debian 13 (trixie) genericcloud, amd64, latest build",
            url: "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2",
            checksumsURL: "https://cloud.debian.org/images/cloud/trixie/latest/SHA512SUMS",
            signatureSuffix: ".sign", keyrings: debianKeys),
        KnownImage(
            name: "ubuntu-24.04", summary: "Ubuntu 24.04 LTS (noble) server cloud image, amd64, current release (qcow2 in a .img)",
            url: "https://cloud-images.ubuntu.com/releases/noble/release/ubuntu-24.04-server-cloudimg-amd64.img",
            checksumsURL: "https://cloud-images.ubuntu.com/releases/noble/release/SHA256SUMS",
            // Ubuntu's cloud-image key ships in Ubuntu's ubuntu-keyring, which Debian 12 does not carry.
            signatureSuffix: ".gpg", keyrings: []),
        // Fedora publishes no "latest" path: this names one release; bump it when a new one ships.
        KnownImage(
            name: "fedora", summary: "Fedora Cloud Base Generic 43, x86_64",
            url: "https://download.fedoraproject.org/pub/fedora/linux/releases/43/Cloud/x86_64/images/Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2",
            checksumsURL: "https://download.fedoraproject.org/pub/fedora/linux/releases/43/Cloud/x86_64/images/Fedora-Cloud-43-1.6-x86_64-CHECKSUM",
            // Clear-signed; Fedora's keys are in no Debian 12 package.
            signatureSuffix: nil, keyrings: []),
    ]

    public static func named(_ name: String) -> KnownImage? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }
}
