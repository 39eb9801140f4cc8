import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Everything a NoCloud seed says about one VM: the values behind its
/// `user-data`, `meta-data` and `network-config`.
///
/// Build one, call ``validate()`` (every output method validates too), then
/// ``userData()``, ``metaData()``, ``networkConfig()`` or ``isoImage(date:)``.
/// All YAML is built as a node tree and emitted by the YAML module: no value is pasted
/// into YAML text. See Docs/nocloud.md for the YAML each setting produces.
public struct SeedConfig: Equatable, Sendable {
    /// Host name: an RFC 1123 label (`web1`) or dotted name (`web1.lab.example`).
    /// Goes to meta-data `local-hostname` and user-data `hostname`.
    public var hostname: String
    /// Fully qualified name, at least two labels; user-data `fqdn` (cloud-init writes it to /etc/hosts).
    public var fqdn: String?
    /// meta-data `instance-id`: keep it stable for a VM, as cloud-init runs
    /// its once-per-instance modules again when it changes. Printable ASCII, no spaces.
    public var instanceID: String
    /// Keys for the distribution's default user (user-data `ssh_authorized_keys`).
    public var sshAuthorizedKeys: [String]
    /// Further users, created after the distribution's default user.
    public var users: [User]
    /// Password of the default user (user-data `password`), with
    /// `chpasswd: {expire: false}` and `ssh_pwauth: true`.
    public var password: Password?
    /// NTP servers (host names or addresses): the `ntp` module with chrony.
    public var ntpServers: [String]
    /// `UTC` or an IANA name such as `Europe/Berlin`.
    public var timezone: String?
    /// SELinux mode, set through `runcmd` (cloud-init has no module for it).
    public var selinux: SELinuxMode?
    /// Packages to install (`packages`).
    public var packages: [String]
    /// Commands for `runcmd`, after the SELinux ones.
    public var runcmd: [Command]
    /// A YAML mapping merged into the generated user-data: for a key that both
    /// have, two sequences are concatenated (generated items first), two
    /// mappings are merged by the same rule, and otherwise the user's value wins.
    public var extraUserData: String?
    /// A user-data document used verbatim instead of the generated one. It must
    /// start with `#cloud-config` or `#!`; only ``hostname``, ``instanceID`` and
    /// ``staticNetwork`` may be set beside it.
    public var userDataFile: String?
    /// A static IPv4 address for the first NIC (`network-config` version 2).
    /// A shorthand for one ``interfaces`` entry; give one or the other.
    public var staticNetwork: StaticIPv4?
    /// Every NIC the guest should configure, matched by MAC address and
    /// renamed to its ``Interface/name`` (`network-config` version 2): this is
    /// how a plan's device names become the guest's.
    public var interfaces: [Interface]
    /// Commands for `bootcmd`: early in every boot, before the network is
    /// configured and before SSH host keys are made.
    public var bootcmd: [Command]
    /// The guest's SSH host keys (`ssh_keys`, with `ssh_deletekeys`), made by
    /// vmctl so that it knows them before the guest first boots. Secret: see ``SSHHostKey``.
    public var sshHostKeys: [SSHHostKey] = []
    /// The guest's whole /etc/hosts (write_files, with `manage_etc_hosts:
    /// false`), after the loopback lines: empty leaves cloud-init's. Hosts.swift.
    public var etcHosts: [HostsEntry] = []
    /// A swap file cloud-init makes (`swap`), or none.
    public var swapFile: SwapFile?

    public init(
        hostname: String,
        fqdn: String? = nil,
        instanceID: String,
        sshAuthorizedKeys: [String] = [],
        users: [User] = [],
        password: Password? = nil,
        ntpServers: [String] = [],
        timezone: String? = nil,
        selinux: SELinuxMode? = nil,
        packages: [String] = [],
        runcmd: [Command] = [],
        extraUserData: String? = nil,
        userDataFile: String? = nil,
        staticNetwork: StaticIPv4? = nil,
        interfaces: [Interface] = [],
        bootcmd: [Command] = []
    ) {
        self.hostname = hostname
        self.fqdn = fqdn
        self.instanceID = instanceID
        self.sshAuthorizedKeys = sshAuthorizedKeys
        self.users = users
        self.password = password
        self.ntpServers = ntpServers
        self.timezone = timezone
        self.selinux = selinux
        self.packages = packages
        self.runcmd = runcmd
        self.extraUserData = extraUserData
        self.userDataFile = userDataFile
        self.staticNetwork = staticNetwork
        self.interfaces = interfaces
        self.bootcmd = bootcmd
    }

    /// A password, in clear or as a crypt(3) hash (`$6$salt$hash`). For the
    /// default user's ``SeedConfig/password`` a hash must be `$1$`, `$2a$`,
    /// `$2y$`, `$5$` or `$6$` (cloud-init sets anything else as clear text); a
    /// ``User``'s may also be `$2b$`, `$y$` (yescrypt), `$gy$` or `$7$`.
    public enum Password: Equatable, Sendable {
        case plain(String)
        case hashed(String)
    }

    public enum SELinuxMode: String, CaseIterable, Sendable {
        case enforcing, permissive, disabled
    }

    /// A `runcmd` entry: a shell line (run by `sh -c`) or an argument vector (run without a shell).
    public enum Command: Equatable, Sendable {
        case shell(String)
        case argv([String])
    }

    /// A user created by cloud-init's `users` module.
    public struct User: Equatable, Sendable {
        /// A POSIX user name: lower-case letter or `_`, then letters, digits, `_`, `-`; at most 32.
        public var name: String
        public var sshAuthorizedKeys: [String]
        /// `plain_text_passwd` or `hashed_passwd`.
        public var password: Password?
        /// A sudoers rule such as `ALL=(ALL) NOPASSWD:ALL`.
        public var sudo: String?
        public var groups: [String]
        public var shell: String?

        public init(name: String, sshAuthorizedKeys: [String] = [], password: Password? = nil,
                    sudo: String? = nil, groups: [String] = [], shell: String? = nil) {
            self.name = name
            self.sshAuthorizedKeys = sshAuthorizedKeys
            self.password = password
            self.sudo = sudo
            self.groups = groups
            self.shell = shell
        }
    }

    /// A static IPv4 configuration for the NIC with MAC address ``mac``.
    public struct StaticIPv4: Equatable, Sendable {
        /// `52:54:00:12:34:56` (any case; written in lower case).
        public var mac: String
        /// The name the NIC gets (`set-name`), default `eth0`: cloud-init's ENI and
        /// sysconfig renderers rename a matched NIC to its entry's name anyway, so
        /// the name is stated rather than left to the renderer.
        public var interfaceName: String
        public var address: String
        /// 0–32.
        public var prefix: Int
        public var gateway: String?
        public var nameservers: [String]
        public var searchDomains: [String]

        public init(mac: String, interfaceName: String = "eth0", address: String, prefix: Int, gateway: String? = nil,
                    nameservers: [String] = [], searchDomains: [String] = []) {
            self.mac = mac
            self.interfaceName = interfaceName
            self.address = address
            self.prefix = prefix
            self.gateway = gateway
            self.nameservers = nameservers
            self.searchDomains = searchDomains
        }
    }

    /// One NIC of `network-config`: found by its MAC, given its name, and
    /// configured by DHCP, with a static address, or brought up with none.
    public struct Interface: Equatable, Sendable {
        public enum IPv4: Equatable, Sendable {
            /// `dhcp4: true`.
            case dhcp
            /// Up, with no address (`dhcp4: false` and no addresses): what an
            /// OpenStack provider NIC, such as kolla's neutron_external_interface, needs.
            case unconfigured
            /// A static address; the static configuration's `mac` and
            /// `interfaceName` are the interface's own.
            case fixed(address: String, prefix: Int, gateway: String? = nil, nameservers: [String] = [],
                       searchDomains: [String] = [])
        }
        /// `52:54:00:12:34:56` (any case; written in lower case).
        public var mac: String
        /// The name inside the guest (`set-name`): 1-15 characters.
        public var name: String
        public var ipv4: IPv4
        /// The NIC's MTU (`mtu:`); nil leaves the guest's default.
        public var mtu: Int?

        public init(mac: String, name: String, ipv4: IPv4, mtu: Int? = nil) {
            self.mac = mac
            self.name = name
            self.ipv4 = ipv4
            self.mtu = mtu
        }
    }

    /// ``interfaces``, with ``staticNetwork`` as its first entry when given.
    public var allInterfaces: [Interface] {
        guard let net = staticNetwork else { return interfaces }
        let fixed = Interface(mac: net.mac, name: net.interfaceName, ipv4: .fixed(
            address: net.address, prefix: net.prefix, gateway: net.gateway, nameservers: net.nameservers,
            searchDomains: net.searchDomains))
        return [fixed] + interfaces
    }
}
