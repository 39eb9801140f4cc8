import FoundationEssentials
import TextSupport
import HostCheck
import LibvirtXML
import NoCloud
import Libvirt
#if canImport(Glibc)
import Glibc
#endif

/// Time for a lab whose plan names no `ntp_servers`: the lab's host serves it
/// on the lab's management network, and the guests' seeds point at the host's
/// address there (cloud-init's `ntp` module, chrony).
///
/// `lab up` writes `allow SUBNET` for each such network into
/// `/etc/chrony/conf.d/vmctl-LAB.conf` (a file vmctl owns; `lab down` removes
/// it) and tells a running chronyd at once (`chronyc allow`).
/// Scripts/start-chronyd.sh starts chronyd where nothing else does (no systemd):
/// with `-x`, so it never steps or slews the host's clock, and `local stratum
/// 10`, so it serves the host's clock when it has no upstream source.
public enum HostTime {
    public static let configDirectory = ProcessInfo.processInfo.environment["VMCTL_CHRONY_CONF_DIR"] ?? "/etc/chrony/conf.d"
    public static let chronyc = "/usr/bin/chronyc"

    public static func configFile(lab: String, in directory: String = configDirectory) -> String {
        "\(directory)/vmctl-\(lab).conf"
    }

    /// The host's own address on `network`, which libvirt gives its bridge:
    /// the address written in the CIDR when it is a host address, else the
    /// subnet's first host address. Nil for bridge mode (the host is not on it).
    public static func hostAddress(on network: LabPlan.Network) -> String? {
        guard network.mode != .bridge, let subnet = network.subnet else { return nil }
        if subnet.address != subnet.network { return subnet.address.description }
        return subnet.gateway?.description
    }

    /// The config file's first line, by which vmctl knows the file is its own.
    static func header(lab: String) -> String {
        LabTimeConfig.headerPrefix + "\(lab): its guests take time from this host."
    }

    /// The config file's text: the header, then one `allow` line per subnet.
    public static func configText(lab: String, subnets: [String]) -> String {
        header(lab: lab) + "\n" + subnets.map { "allow \($0)\n" }.joined()
    }

    /// Whether `text` is a config file vmctl wrote for `lab`: its first line is the header.
    static func isOwnConfig(_ text: String, lab: String) -> Bool { text.hasPrefix(header(lab: lab) + "\n") }

    /// Whether the lab's config file may be written or removed: absent, or a
    /// regular file (never a link followed) that vmctl wrote for this lab.
    /// A file of that name that someone else made is theirs, left as it is.
    static func mayReplaceConfig(lab: String, in directory: String) -> Bool {
        let path = configFile(lab: lab, in: directory)
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        guard (info.st_mode & S_IFMT) == S_IFREG, let file = ReadableFile(path: path) else { return false }
        return isOwnConfig(String(decoding: file.read(upTo: 4096), as: UTF8.self), lab: lab)
    }

    /// Whether a chronyd process runs on this machine.
    public static var chronydRunning: Bool { HostRoot("/").processNames().contains("chronyd") }

    /// Allows `subnets` for lab `lab`: writes the config file and tells a
    /// running chronyd. Returns one line for `lab up`'s output; nothing is
    /// thrown, as a lab without host time still comes up (lab check says so).
    public static func serve(lab: String, subnets: [String], directory: String = configDirectory,
                             chronydRunning: Bool = HostTime.chronydRunning) -> String {
        guard !subnets.isEmpty else { return "" }
        guard FileManager.default.fileExists(atPath: directory) else {
            return "the host does not serve time to lab \(lab): \(directory) is missing (apt-get install chrony)"
        }
        guard mayReplaceConfig(lab: lab, in: directory) else {
            return "the host does not serve time to lab \(lab): \(configFile(lab: lab, in: directory)) is not a file vmctl wrote; it is left as it is"
        }
        do throws(VMCtlError) {
            try OwnedFiles.replace(configFile(lab: lab, in: directory), with: Array(configText(lab: lab, subnets: subnets).utf8), mode: 0o644)
        } catch {
            return "the host does not serve time to lab \(lab): \(error.message)"
        }
        guard chronydRunning else {
            return "the host does not serve time to lab \(lab) yet: chronyd is not running (start it: Scripts/start-chronyd.sh, or systemctl start chrony)"
        }
        for subnet in subnets {
            let result = try? ChildProcess.run(chronyc, ["allow", subnet], timeout: 10)
            if result?.status != 0 {
                return "the host does not serve time to lab \(lab): chronyc allow \(subnet): \(result?.errors.trimmingWhitespace() ?? "cannot run \(chronyc)")"
            }
        }
        return "the host serves time to lab \(lab) on \(subnets.joined(separator: ", "))"
    }

    /// Removes the lab's config file (`lab down`) when vmctl wrote it; a running
    /// chronyd keeps the rule until it restarts, and the subnet's network is
    /// gone by then.
    public static func stopServing(lab: String, directory: String = configDirectory) {
        guard mayReplaceConfig(lab: lab, in: directory) else { return }
        unlink(configFile(lab: lab, in: directory))
    }
}

extension LabRunner {
    /// The NTP server a node's seed names when the plan gives none: the
    /// host's address on the node's management (first) network.
    func hostTimeServer(for node: LabPlan.Node) -> String? {
        guard node.cloudInit?.ntpServers.isEmpty ?? true, let first = node.networks.first,
            let network = plan.networks.first(where: { $0.name == first.network })
        else { return nil }
        return HostTime.hostAddress(on: network)
    }

    /// The host whose address a node's seed names for time: where its
    /// management network's addresses live, the spanned segment's home, or
    /// else the node's own host (each keeps its own copy of the network).
    func timeHost(for node: LabPlan.Node) -> String {
        node.networks.first.flatMap { spannedSegment($0.network)?.home } ?? node.host
    }

    /// The management subnets whose nodes take time from `host`: for this
    /// machine, what `lab up` allows in its chronyd.
    func hostTimeSubnets(on host: String = "local") -> [String] {
        var subnets: [String] = []
        for node in plan.nodes where hostTimeServer(for: node) != nil && timeHost(for: node) == host {
            guard let network = plan.networks.first(where: { $0.name == node.networks.first?.network }),
                let subnet = network.subnet?.subnetText, !subnets.contains(subnet)
            else { continue }
            subnets.append(subnet)
        }
        return subnets
    }

    /// One line per other host whose address nodes take time from: vmctl
    /// sets up chrony on this machine only, so that host's own must serve them.
    func hostTimeElsewhere() -> [String] {
        Set(plan.nodes.map { timeHost(for: $0) }).subtracting(["local"]).sorted().compactMap { host in
            let subnets = hostTimeSubnets(on: host)
            guard !subnets.isEmpty else { return nil }
            return "nodes on \(subnets.joined(separator: ", ")) take time from host \(host)'s address there; "
                + "vmctl sets up chrony on this machine only: on \(host), chrony must run with `allow` for \(subnets.count == 1 ? "it" : "them")"
        }
    }

    /// What the seed adds so kolla's rules hold (Docs/labs.md, "Ready for kolla"):
    /// /etc/hosts with every node whose management address is known at plan
    /// time and no 127.0.1.1 line; the host as NTP server when the plan names
    /// none; and a swap file.
    func applyKollaSeed(to config: inout SeedConfig, node: LabPlan.Node) {
        config.etcHosts = plan.nodes.compactMap { other in
            other.networks.first?.ip.map { HostsEntry(address: $0, names: [other.name]) }
        }
        if config.ntpServers.isEmpty, let server = hostTimeServer(for: node) { config.ntpServers = [server] }
        if config.userDataFile == nil { config.swapFile = SwapFile(bytes: Self.swapBytes) }
    }

    /// The swap file every lab guest gets: 512 MiB.
    static let swapBytes: UInt64 = 512 << 20
}

extension LabRunner {
    /// Seconds `lab up` waits, after cloud-init, for the nodes' clocks.
    static let clockTimeout: Double = 180

    /// The nodes whose seed sets their time source (the plan's `ntp_servers`
    /// or this lab's host) through vmctl's own user-data.
    func nodesWithSeedTime() -> [String] {
        plan.nodes.filter { node in
            node.cloudInit?.userData == nil && (!(node.cloudInit?.ntpServers.isEmpty ?? true) || hostTimeServer(for: node) != nil)
        }.map(\.name)
    }

    /// Waits, bounded, until every node whose seed set its time source has a
    /// synchronized clock by kolla's rule (chrony and the kernel agree:
    /// `lab check`'s `ntp`). cloud-init's end is not that moment: a guest's
    /// chrony that has just stepped the clock may report its leap status
    /// Normal while its root dispersion still exceeds the kernel's 16 s, so
    /// timedatectl says NTPSynchronized=no for a while (seen in CI on a TCG
    /// guest). A node still unsynchronized at the bound is one progress line,
    /// not a failure: the lab is up, and `lab check` names the rule.
    func waitForClocks() {
        let names = nodesWithSeedTime()
        guard !names.isEmpty else { return }
        let checker = LabChecker(runner: self)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + .seconds(Self.clockTimeout)
        var waiting = names
        var notes: [String: String] = [:]
        while !waiting.isEmpty {
            let unsynchronized = LockedArray<(String, String)>()
            forEachConcurrently(waiting, workers: waiting.count) { name in
                switch checker.readFacts(node: name, script: GuestFacts.clockScript) {
                case .success(let facts) where facts.clockSynchronized == true: break
                case .success(let facts): unsynchronized.append((name, facts.clockNote))
                case .failure(let error): unsynchronized.append((name, error.message))
                }
            }
            waiting = unsynchronized.values.map(\.0).sorted()
            notes = Dictionary(unsynchronized.values, uniquingKeysWith: { a, _ in a })
            guard !waiting.isEmpty, clock.now < deadline else { break }
            usleep(3_000_000)
        }
        let took = Double((clock.now - started).components.seconds)
        if waiting.isEmpty {
            progress.step("clocks synchronized on \(names.count) node\(names.count == 1 ? "" : "s") (\(Int(took)) s after cloud-init)")
        }
        for name in waiting {
            progress.step("\(name): clock not synchronized \(Int(Self.clockTimeout)) s after cloud-init (\(notes[name] ?? "")); lab check's ntp rule fails until it is")
        }
    }
}
