import LibvirtXML
import NoCloud

/// A size as given (`2G`), parsed once: its bytes, and the text written,
/// which messages quote back as the user wrote it.
public struct GivenSize: Sendable, Hashable, CustomStringConvertible {
    public var size: ByteSize
    public var text: String

    public init(size: ByteSize, text: String) {
        self.size = size
        self.text = text
    }

    /// Parses `text` (`ByteSize.rule`); bad input about `field`.
    public init(parsing text: String, field: InputField) throws(VMCtlError) {
        size = try parsed(as: field) { try ByteSize(parsing: text, field: field.description) }
        self.text = text
    }

    public var bytes: UInt64 { size.bytes }
    public var description: String { text }
}

extension GivenSize: ExpressibleByStringLiteral {
    /// A size written in the source (`"4G"`): a literal that breaks `ByteSize.rule` is a programming error.
    public init(stringLiteral text: String) {
        guard let size = try? ByteSize(parsing: text) else { preconditionFailure("\(text) is not a size: \(ByteSize.rule)") }
        self.init(size: size, text: text)
    }
}

extension ObjectName {
    /// A name given for `field` (`ObjectName.rule`); bad input about that field.
    public init(given text: String, field: InputField) throws(VMCtlError) {
        self = try parsed(as: field) { try ObjectName(text, field: field.description) }
    }
}

/// `--cpu`: how the guest's CPU is chosen.
public enum CPUChoice: Sendable, Equatable {
    case hostPassthrough
    case hostModel
    case maximum
    /// A named model the hypervisor must know (checked against the connection while planning).
    case model(String)

    public static let rule = "host-passthrough, host-model, maximum or a CPU model name"

    public init(parsing text: String) throws(VMCtlError) {
        switch text {
        case "host-passthrough": self = .hostPassthrough
        case "host-model": self = .hostModel
        case "maximum": self = .maximum
        default:
            guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw .invalid(field: .vm(.cpu), "\"\(text)\" is not allowed: \(Self.rule)")
            }
            self = .model(text)
        }
    }

    var mode: CPUMode {
        switch self {
        case .hostPassthrough: .hostPassthrough
        case .hostModel: .hostModel
        case .maximum: .maximum
        case .model(let name): .custom(model: name)
        }
    }
}

/// `--graphics`: a display, or none.
public enum GraphicsChoice: String, Sendable, Equatable {
    case none, vnc, spice

    public init(parsing text: String?) throws(VMCtlError) {
        guard let text else { self = .none; return }
        guard let choice = GraphicsChoice(rawValue: text) else {
            throw .invalid(field: .vm(.graphics), "\"\(text)\" is not allowed: vnc, spice or none")
        }
        self = choice
    }
}

/// One VM to create, every field a typed value: what `VMCreator.plan` works
/// from. Built by the one initializer below, from `vm create`'s request
/// (`init(_:)`) or a lab node (`LabRunner.spec(for:)`): a field either forgets
/// is a compile error. The limits of each field live here, once.
public struct VMSpec: Sendable {
    /// vCPUs a VM may have (`vm create`, `vm set`, a lab node's `vcpus`).
    public static let vcpuRange = 1...512
    /// A VM's memory: at least this, in whole KiB (libvirt's unit).
    public static let minimumMemory = ByteSize.mib(16)
    /// A blank or data disk: at least this.
    public static let minimumDiskSize = ByteSize.mib(1)

    /// Memory within the limit (`vm create`, `vm set`).
    public static func check(memory: GivenSize) throws(VMCtlError) {
        guard memory.size >= minimumMemory, memory.size.exactKiB != nil else {
            throw .invalid(field: .vm(.memory), "\"\(memory)\" is not allowed: at least 16 MiB, in whole KiB")
        }
    }

    /// A vCPU count within the limit (`vm create`, `vm set`; a plan's reader uses `vcpuRange` itself).
    public static func check(vcpus: Int) throws(VMCtlError) {
        guard vcpuRange.contains(vcpus) else {
            throw .invalid(field: .vm(.vcpus), "\(vcpus) is not allowed: must be \(vcpuRange.lowerBound) to \(vcpuRange.upperBound)")
        }
    }

    /// A new disk's size within the limit (`--disk-size`, `vm attach-disk --size`).
    public static func check(diskSize: GivenSize, field: InputField) throws(VMCtlError) {
        guard diskSize.size >= minimumDiskSize else {
            throw .invalid(field: field, "\"\(diskSize)\" is not allowed: at least 1 MiB")
        }
    }

    public var name: ObjectName
    /// A base image: a pool volume or a file on the host.
    public var image: ImageRef?
    /// Copy the base image instead of a qcow2 overlay on it.
    public var fullCopy: Bool
    /// A blank disk of this size, or the root disk's size when larger than the image.
    public var diskSize: GivenSize?
    public var cdrom: String?
    public var kernel: String?
    public var initrd: String?
    public var cmdline: String?
    public var memory: GivenSize
    public var vcpus: Int
    public var cpu: CPUChoice?
    public var nested: Bool
    /// The NICs, in order; the first is the management NIC.
    public var networks: [NetworkSpec]
    /// Data disks after the root disk (`VMVolumeNames`).
    public var dataDisks: [DataDiskSpec]
    /// The pool the VM's volumes go to.
    public var pool: ObjectName
    public var autostart: Bool
    public var start: Bool
    /// Log the serial console to this file instead of a pty.
    public var serialFile: String?
    public var graphics: GraphicsChoice
    public var lab: ObjectName?
    public var role: ObjectName?
    /// The NoCloud seed's settings; the planner adds the NICs and the data disks' volume groups.
    public var seed: SeedConfig?
    /// How to log in to the guest, recorded in vmctl's metadata.
    public var login: VMMetadata.Login?
    public var firmware: Firmware

    /// The one initializer: every field given, each checked against its limits.
    /// (In the order `vm create` checks them.)
    public init(
        name: ObjectName, pool: ObjectName, memory: GivenSize, vcpus: Int, diskSize: GivenSize?, lab: ObjectName?, role: ObjectName?,
        image: ImageRef?, fullCopy: Bool, cdrom: String?, kernel: String?, initrd: String?, cmdline: String?, cpu: CPUChoice?,
        nested: Bool, networks: [NetworkSpec], dataDisks: [DataDiskSpec], autostart: Bool, start: Bool, serialFile: String?,
        graphics: GraphicsChoice, seed: SeedConfig?, login: VMMetadata.Login?, firmware: Firmware
    ) throws(VMCtlError) {
        try Self.check(memory: memory)
        try Self.check(vcpus: vcpus)
        if let diskSize { try Self.check(diskSize: diskSize, field: .vm(.diskSize)) }
        self.name = name
        self.image = image
        self.fullCopy = fullCopy
        self.diskSize = diskSize
        self.cdrom = cdrom
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.memory = memory
        self.vcpus = vcpus
        self.cpu = cpu
        self.nested = nested
        self.networks = networks
        self.dataDisks = dataDisks
        self.pool = pool
        self.autostart = autostart
        self.start = start
        self.serialFile = serialFile
        self.graphics = graphics
        self.lab = lab
        self.role = role
        self.seed = seed
        self.login = login
        self.firmware = firmware
    }

    /// `vm create`'s request, each text parsed once.
    public init(_ request: VMCreateRequest) throws(VMCtlError) {
        try self.init(
            name: try ObjectName(given: request.name, field: .vm(.name)), pool: try ObjectName(given: request.pool, field: .vm(.pool)),
            memory: try GivenSize(parsing: request.memory, field: .vm(.memory)), vcpus: request.vcpus,
            diskSize: try request.diskSize.map { text throws(VMCtlError) in try GivenSize(parsing: text, field: .vm(.diskSize)) },
            lab: try request.lab.map { text throws(VMCtlError) in try ObjectName(given: text, field: .vm(.lab)) },
            role: try request.role.map { text throws(VMCtlError) in try ObjectName(given: text, field: .vm(.role)) },
            image: request.image, fullCopy: request.fullCopy, cdrom: request.cdrom, kernel: request.kernel, initrd: request.initrd,
            cmdline: request.cmdline, cpu: try request.cpu.map { text throws(VMCtlError) in try CPUChoice(parsing: text) },
            nested: request.nested, networks: request.networks, dataDisks: request.dataDisks, autostart: request.autostart,
            start: request.start, serialFile: request.serialFile, graphics: try GraphicsChoice(parsing: request.graphics),
            seed: request.seed, login: request.login, firmware: request.firmware)
    }
}
