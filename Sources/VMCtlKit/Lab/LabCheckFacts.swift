import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// What `lab check` reads inside one guest: the output of one script
/// (``script(nodeNames:)``), run over SSH as the plan's login user, parsed
/// here. Parsing is apart from the SSH call, so every parser is tested on strings.
///
/// The script only reads: `hostname`, /etc/hosts, `getent`, `pgrep`,
/// `chronyc tracking`, `ip`, `sudo -n true`, `sudo -n vgs`, `df`, /proc/swaps.
public struct GuestFacts: Sendable, Equatable {
    public var hostname: String = ""
    /// /etc/hosts, as address → names lines (comments dropped).
    public var etcHosts: [(address: String, names: [String])] = []
    /// Node name → the IPv4 addresses it resolves to (`getent ahostsv4`), distinct.
    public var resolved: [String: [String]] = [:]
    /// NTP daemons running (chronyd, ntpd, systemd-timesyncd, openntpd).
    public var ntpDaemons: [String] = []
    /// Whether the clock is synchronized: chrony's leap status, else
    /// timedatectl's NTPSynchronized; nil when neither could be read.
    public var clockSynchronized: Bool?
    /// What the time tools said, for the failure line.
    public var clockNote: String = ""
    public var passwordlessSudo = false
    /// Interface name → whether it is up (`UP` and `LOWER_UP`).
    public var links: [String: Bool] = [:]
    /// Interface name → its IPv4 addresses with prefix.
    public var addresses: [String: [String]] = [:]
    /// LVM volume groups (read with sudo); nil when they could not be read.
    public var volumeGroups: [String]?
    /// libvirtd or virtqemud running.
    public var hypervisorDaemons: [String] = []
    /// Whether /dev/kvm opens (as root). Its presence alone says nothing:
    /// systemd makes the node from modules.devname even where the virtual CPU
    /// has no VMX/SVM and kvm cannot load (seen on the TCG test guest).
    public var hasKVM = false
    /// python3's path, or nil.
    public var python3: String?
    /// Free KiB for unprivileged users in /var.
    public var varAvailableKiB: Int?
    /// Active swap, KiB.
    public var swapKiB: Int = 0

    public init() {}

    public static func == (a: GuestFacts, b: GuestFacts) -> Bool {
        a.hostname == b.hostname && a.etcHosts.map { "\($0.address) \($0.names)" } == b.etcHosts.map { "\($0.address) \($0.names)" }
            && a.resolved == b.resolved && a.ntpDaemons == b.ntpDaemons && a.clockSynchronized == b.clockSynchronized
            && a.passwordlessSudo == b.passwordlessSudo && a.links == b.links && a.addresses == b.addresses
            && a.volumeGroups == b.volumeGroups && a.hypervisorDaemons == b.hypervisorDaemons && a.hasKVM == b.hasKVM
            && a.python3 == b.python3 && a.varAvailableKiB == b.varAvailableKiB && a.swapKiB == b.swapKiB
    }

    /// NTP daemons by process name (the kernel keeps 15 characters: systemd-timesyn).
    static let ntpProcesses = ["chronyd", "ntpd", "systemd-timesyn", "openntpd"]

    /// The one script run in each guest: sections, each after an `@@NAME` line.
    /// `nodeNames` are the lab's node names (each is checked to resolve).
    public static func script(nodeNames: [String]) -> String {
        let names = nodeNames.map(SSHCommand.shellQuoted).joined(separator: " ")
        return """
            export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            echo @@hostname; hostname
            echo @@hosts; cat /etc/hosts
            echo @@resolve
            for n in \(names); do echo "$n $(getent ahostsv4 "$n" | awk '{print $1}' | sort -u | tr '\\n' ' ')"; done
            echo @@ntp-daemons
            for d in \(ntpProcesses.joined(separator: " ")); do pgrep -x "$d" >/dev/null 2>&1 && echo "$d"; done
            \(clockSections)
            echo @@sudo; if sudo -n true >/dev/null 2>&1; then echo yes; else echo no; fi
            echo @@links; ip -o link show
            echo @@addresses; ip -o -4 addr show
            echo @@volume-groups; sudo -n vgs --noheadings -o vg_name 2>/dev/null || echo VGS-FAILED
            echo @@hypervisor-daemons
            for d in libvirtd virtqemud; do pgrep -x "$d" >/dev/null 2>&1 && echo "$d"; done
            echo @@kvm; if [ -c /dev/kvm ] && sudo -n sh -c ': <>/dev/kvm' 2>/dev/null; then echo yes; else echo no; fi
            echo @@python3; command -v python3
            echo @@var; df -Pk /var
            echo @@swap; cat /proc/swaps
            echo @@end
            """
    }

    /// What says whether the clock is synchronized: chrony's view and the kernel's.
    static let clockSections = """
        echo @@chrony-tracking; chronyc -n tracking 2>&1
        echo @@timedatectl; timedatectl show -p NTPSynchronized 2>/dev/null
        """

    /// A script that reads the clock sections alone (`lab up`'s clock wait);
    /// ``parse(_:)`` fills `clockSynchronized` and `clockNote` from it.
    static let clockScript = "export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin\n\(clockSections)\necho @@end"

    /// The script's output as sections: name → lines.
    public static func sections(_ output: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var current: String?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("@@"), line.count > 2, !line.contains(" ") {
                current = String(line.dropFirst(2))
                result[current!, default: []] = result[current!, default: []]
            } else if let current {
                result[current, default: []].append(line)
            }
        }
        return result
    }

    /// Parses the whole output of ``script(nodeNames:)``. Nil when it did not
    /// run to its end (`@@end`), such as when the connection dropped.
    public static func parse(_ output: String) -> GuestFacts? {
        let s = sections(output)
        guard s["end"] != nil else { return nil }
        func lines(_ name: String) -> [String] { (s[name] ?? []).filter { !$0.trimmingWhitespace().isEmpty } }
        var facts = GuestFacts()
        facts.hostname = lines("hostname").first?.trimmingWhitespace() ?? ""
        facts.etcHosts = parseHosts(lines("hosts"))
        facts.resolved = parseResolved(lines("resolve"))
        facts.ntpDaemons = lines("ntp-daemons").map { $0 == "systemd-timesyn" ? "systemd-timesyncd" : $0 }
        (facts.clockSynchronized, facts.clockNote) = parseClock(chrony: lines("chrony-tracking"), timedatectl: lines("timedatectl"))
        facts.passwordlessSudo = lines("sudo").first == "yes"
        facts.links = parseLinks(lines("links"))
        facts.addresses = parseAddresses(lines("addresses"))
        let groups = lines("volume-groups")
        facts.volumeGroups = groups.contains("VGS-FAILED") ? nil : groups.map { $0.trimmingWhitespace() }
        facts.hypervisorDaemons = lines("hypervisor-daemons")
        facts.hasKVM = lines("kvm").first == "yes"
        facts.python3 = lines("python3").first { $0.hasPrefix("/") }
        facts.varAvailableKiB = parseDFAvailable(lines("var"))
        facts.swapKiB = parseSwaps(lines("swap"))
        return facts
    }

    /// /etc/hosts lines: address and names, comments and blank lines dropped.
    public static func parseHosts(_ lines: [String]) -> [(address: String, names: [String])] {
        lines.compactMap { line in
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 2 else { return nil }
            return (fields[0], Array(fields.dropFirst()))
        }
    }

    /// `NAME ADDR ADDR ` lines → name → addresses.
    public static func parseResolved(_ lines: [String]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines {
            let fields = line.split(separator: " ").map(String.init)
            guard let name = fields.first else { continue }
            result[name] = Array(fields.dropFirst())
        }
        return result
    }

    /// timedatectl's `NTPSynchronized=yes|no` (the kernel's view, which kolla's
    /// prechecks read as `System clock synchronized: yes`), else chrony's
    /// `Leap status` (Normal means synchronized) where there is no timedatectl.
    public static func parseClock(chrony: [String], timedatectl: [String]) -> (Bool?, String) {
        let leap = chrony.first { $0.hasPrefix("Leap status") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingWhitespace() } ?? "" }
        for line in timedatectl where line.hasPrefix("NTPSynchronized=") {
            let value = String(line.dropFirst("NTPSynchronized=".count))
            return (value == "yes", "timedatectl NTPSynchronized=\(value)" + (leap.map { ", chrony leap status \($0)" } ?? ""))
        }
        if let leap { return (leap == "Normal", "chrony leap status \(leap)") }
        let said = chrony.first.map { "chronyc: \($0.trimmingWhitespace())" } ?? "no chronyc and no timedatectl"
        return (nil, said)
    }

    /// `ip -o link show`: `2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu …` → name → up.
    public static func parseLinks(_ lines: [String]) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[0].hasSuffix(":") else { continue }
            var name = String(fields[1].dropLast(fields[1].hasSuffix(":") ? 1 : 0))
            if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
            let flags = fields[2].filter { $0 != "<" && $0 != ">" }.split(separator: ",")
            result[name] = flags.contains("UP") && flags.contains("LOWER_UP")
        }
        return result
    }

    /// `ip -o -4 addr show`: `2: ens3    inet 192.168.1.10/24 brd …` → name → addresses.
    public static func parseAddresses(_ lines: [String]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 4, fields[0].hasSuffix(":"), let inet = fields.firstIndex(of: "inet"), inet + 1 < fields.count else { continue }
            result[fields[1], default: []].append(fields[inet + 1])
        }
        return result
    }

    /// `df -Pk`: the second line's fourth field (Available, KiB).
    public static func parseDFAvailable(_ lines: [String]) -> Int? {
        guard lines.count >= 2 else { return nil }
        let fields = lines[1].split(separator: " ")
        return fields.count >= 4 ? Int(fields[3]) : nil
    }

    /// /proc/swaps: the sum of the Size column (KiB).
    public static func parseSwaps(_ lines: [String]) -> Int {
        lines.dropFirst().compactMap { line -> Int? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count >= 3 ? Int(fields[2]) : nil
        }.reduce(0, +)
    }
}
