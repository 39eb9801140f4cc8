import FoundationEssentials
import TextSupport
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm create --firmware` and a lab node's `firmware:`.
extension Firmware {
    /// The values `--firmware` and `firmware:` take.
    public static let optionRule = "bios or uefi"

    /// `bios` or `uefi`; anything else is bad input naming `field`.
    public init(option text: String, field: String = "--firmware") throws(VMCtlError) {
        switch text {
        case "bios": self = .bios
        case "uefi": self = .uefi
        default: throw .invalid(field: field, "\"\(text)\" is not allowed: \(Self.optionRule)")
        }
    }

    /// The name `--firmware` takes for this value.
    public var optionName: String { self == .uefi ? "uefi" : "bios" }
}

/// UEFI guests' firmware and NVRAM: what libvirt offers, and where a guest's
/// variable store lives.
enum UEFIFirmware {
    /// Checks libvirt can choose UEFI firmware for a guest of `type` (its domain
    /// capabilities list `efi`), so a missing OVMF is bad input, found before anything
    /// is created. A driver that gives no domain capabilities (the test driver), or a
    /// read-only connection (a dry run: libvirt denies it the call), is not checked.
    static func requireAvailable(on connection: Connection, type: HypervisorType) throws(VMCtlError) {
        guard let capabilities = try HypervisorOffer.domainCapabilities(on: connection, type: type) else { return }
        guard capabilities.supportsUEFI else {
            throw VMCtlError(
                "--firmware: uefi is not available: libvirt finds no UEFI firmware for \(type.rawValue) guests on this host (install OVMF: Debian's ovmf package)",
                status: .usage)
        }
    }

    /// The NVRAM file libvirt's QEMU driver gives a UEFI domain without an explicit
    /// `<nvram>` path: `NAME_VARS.fd` in its nvram directory, /var/lib/libvirt/qemu/nvram
    /// for the system daemon, $XDG_CONFIG_HOME/libvirt/qemu/nvram for the session one.
    /// Nil for any other driver.
    static func defaultNVRAMPath(domain: String, uri: String) -> String? {
        guard let parsed = LibvirtURI(uri), parsed.driver == "qemu" else { return nil }
        let directory: String
        switch parsed.path {
        case "/system": directory = "/var/lib/libvirt/qemu/nvram"
        case "/session":
            let config = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"]
                ?? FileManager.default.homeDirectoryForCurrentUser.path.appendingPathComponent(".config")
            directory = config.appendingPathComponent("libvirt/qemu/nvram")
        default: return nil
        }
        return directory.appendingPathComponent("\(domain)_VARS.fd")
    }
}

extension DomainDefinition {
    /// What vmctl undefines the domain with: its managed save and snapshot metadata,
    /// and a UEFI guest's NVRAM file (libvirt refuses to undefine such a domain
    /// without a word on it; drivers without NVRAM, like the test driver, refuse the flag).
    var undefineFlags: DomainUndefineFlags {
        os.bootsUEFI ? [.managedSave, .snapshotsMetadata, .nvram] : [.managedSave, .snapshotsMetadata]
    }
}
