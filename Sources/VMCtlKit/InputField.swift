/// Which input a bad-input error is about. The error carries this identity
/// beside its rule; the command line and the lab plan reader each name it in
/// their own words (`description` is the command line's, `LabRunner.planField`
/// the plan's), so nothing is parsed back out of a message. A new case is a
/// compile error in both renderings until each says how to name it.
public enum InputField: Sendable, Hashable, CustomStringConvertible {
    /// One of `vm create`'s inputs; a lab node has a setting of the same meaning.
    case vm(VMField)
    /// One of `net create`'s inputs; a lab network has a setting of the same meaning.
    case network(NetworkField)
    /// One of `pool create`'s inputs; a lab pool has a setting of the same meaning.
    case pool(PoolField)
    /// A LibvirtXML model's field (`name`, `devices.disk[0].source.file`): named alike everywhere.
    case model(String)
    /// A cloud-init seed setting, by NoCloud's property path (`ntpServers[1]`).
    case seed(String)
    /// A command's own option or operand, with no counterpart in a plan (`--mac`, `volume`):
    /// a plan names the object itself.
    case option(String)

    /// The command line's name for it.
    public var description: String {
        switch self {
        case .vm(let field): field.rawValue
        case .network(let field): field.rawValue
        case .pool(let field): field.rawValue
        case .model(let path): path
        case .seed(let property): Self.seedOption(property)
        case .option(let name): name
        }
    }

    /// `vm create`'s option for a seed property (`sshAuthorizedKeys[1]` is `--ssh-key[1]`).
    static func seedOption(_ property: String) -> String {
        for (name, option) in SeedSetting.all where property.hasPrefix(name) {
            guard let option = option.option else { break }
            return option + property.dropFirst(name.count)
        }
        return property
    }
}

/// `vm create`'s inputs, by the option that gives each (the raw value is the command line's name).
public enum VMField: String, Sendable, Hashable, CaseIterable {
    case name = "name"
    case hostname = "--hostname"
    case memory = "--memory"
    case vcpus = "--vcpus"
    case diskSize = "--disk-size"
    /// What the boot disk is made from: an image, a blank disk, an installer or a kernel.
    case bootDisk = "disk"
    case image = "--image"
    case fullCopy = "--full"
    case pool = "--pool"
    case kernel = "--kernel"
    case initrd = "--initrd"
    /// --initrd or --cmdline given without --kernel.
    case kernelOptions = "--initrd/--cmdline"
    case firmware = "--firmware"
    case network = "--network"
    case networkDevice = "--network device"
    case networkMAC = "--network mac"
    case networkModel = "--network model"
    case dataDisk = "--disk"
    case sshKey = "--ssh-key"
    case cloudInit = "--cloud-init"
    case role = "--role"
    case lab = "--lab"
    case serialFile = "--serial-file"
    case sshPrivateKey = "--ssh-private-key"
    case loginUser = "--login-user"
    case cpu = "--cpu"
    case graphics = "--graphics"
}

/// `net create`'s inputs, by the option that gives each.
public enum NetworkField: String, Sendable, Hashable, CaseIterable {
    case name = "name"
    case subnet = "--subnet"
    case dhcpRange = "--dhcp-range"
    case bridge = "--bridge"
    case domain = "--domain"
}

/// `pool create`'s inputs, by the option that gives each.
public enum PoolField: String, Sendable, Hashable, CaseIterable {
    case name = "name"
    case target = "--target"
    case sourceDevice = "--source-dev"
    case sourceHost = "--source-host"
    case sourcePath = "--source-path"
    case sourceName = "--source-name"
}

/// The cloud-init seed's properties a command line or a plan can set: NoCloud's
/// property name, `vm create`'s option and a lab node's `cloud_init` key.
struct SeedSetting {
    var option: String?
    var planKey: String?

    /// Longer property names first, so `userDataFile` is not taken for `userData`.
    static let all: [(String, SeedSetting)] = [
        ("hostname", SeedSetting(option: "--hostname", planKey: "name")),
        ("sshAuthorizedKeys", SeedSetting(option: "--ssh-key", planKey: "cloud_init.ssh_keys")),
        ("password", SeedSetting(option: "--password", planKey: nil)),
        ("userDataFile", SeedSetting(option: "--cloud-init", planKey: "cloud_init.user_data")),
        ("userData", SeedSetting(option: "--cloud-init", planKey: "cloud_init.user_data")),
        ("extraUserData", SeedSetting(option: nil, planKey: "cloud_init.user_data")),
        ("ntpServers", SeedSetting(option: nil, planKey: "cloud_init.ntp_servers")),
        ("timezone", SeedSetting(option: nil, planKey: "cloud_init.timezone")),
        ("packages", SeedSetting(option: nil, planKey: "cloud_init.packages")),
        ("runcmd", SeedSetting(option: nil, planKey: "cloud_init.commands")),
        ("selinux", SeedSetting(option: nil, planKey: "cloud_init.selinux")),
    ]
}
