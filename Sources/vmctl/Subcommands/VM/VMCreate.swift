import ArgumentParser
import FoundationEssentials
import Libvirt
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl.VM {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a VM from a base image (linked clone by default), a blank disk, an installer or a kernel.",
            discussion: "Everything is checked before anything is created; a failed step removes what was made.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The new VM's name.") var name: String

        @Option(help: "Base image: POOL/VOLUME, VOLUME (in --pool) or an absolute path. The VM gets a qcow2 overlay on it.")
        var image: String?
        @Flag(help: "Copy the base image instead of layering an overlay on it.") var full = false
        @Option(help: "Size of a blank disk, or of the root disk when larger than the image (e.g. 20G).") var diskSize: String?
        @Option(help: "An installer ISO to boot from.") var cdrom: String?
        @Option(help: "Direct kernel boot: kernel image on the host.") var kernel: String?
        @Option(help: "Direct kernel boot: initrd on the host.") var initrd: String?
        @Option(help: "Direct kernel boot: kernel command line.") var cmdline: String?
        @Option(help: "Memory (e.g. 512M, 2G).") var memory = "1G"
        @Option(help: "Virtual CPUs.") var vcpus = 1
        @Option(help: "CPU: host-passthrough, host-model, maximum or a model name.") var cpu: String?
        @Flag(help: "Expose vmx/svm so the guest can run its own KVM guests.") var nested = false
        @Option(help: "Firmware: bios or uefi (OVMF, chosen by libvirt; the VM gets its own NVRAM file, removed by vm delete).",
                completion: .list(["bios", "uefi"]))
        var firmware = "bios"
        @Option(name: .customLong("network"), help: "NAME | network=NAME | bridge=BR | direct=DEV, with ,mac=… ,model=… ,device=NAME (the name in the guest, default ethN); repeat for more NICs.")
        var networks: [String] = []
        @Option(name: .customLong("disk"), help: "A data disk: SIZE or SIZE,vg=NAME (an LVM volume group cloud-init makes on it); repeat for vdb, vdc, …")
        var dataDisks: [String] = []
        @Option(help: "Storage pool for the VM's volumes.") var pool = "default"
        @Flag(help: "Start the VM with the host.") var autostart = false
        @Flag(help: "Start the VM now.") var start = false
        @Option(help: "Start and wait up to this many seconds for an IPv4 address (--wait address --wait-timeout N).") var waitIP: Double?
        @OptionGroup var waiting: WaitOptions
        @Option(help: "Domain type: kvm or qemu (default: what the host check finds usable).") var type: String?
        @Flag(help: "Fail instead of falling back to qemu when KVM cannot run guests.") var requireKVM = false
        @Option(help: "Log the serial console to this file instead of a pty.") var serialFile: String?
        @Option(help: "Graphics: vnc, spice or none.") var graphics: String?
        @Option(help: "Lab name recorded in vmctl's metadata.") var lab: String?
        @Option(help: "Role recorded in vmctl's metadata.") var role: String?
        @Option(help: "cloud-init: a user-data file passed through unchanged.") var cloudInit: String?
        @Option(help: "cloud-init: the guest's hostname (default: the VM's name when any cloud-init option is given).") var hostname: String?
        @Option(help: "cloud-init: an SSH public key, or @FILE with one per line; repeat for more.") var sshKey: [String] = []
        @Option(help: "cloud-init: the default user's password.") var password: String?
        @Option(help: "The login user that gets the SSH keys (the image's default user).") var loginUser = LabLogin.defaultUser
        @Option(help: "The private key for readiness checks and vm ssh (default: the file beside --ssh-key @KEY.pub).")
        var sshPrivateKey: String?
        @Flag(help: "Print the domain XML and the volumes it would create; change nothing.") var dryRun = false

        func validate() throws {
            if let type, type != "kvm" && type != "qemu" {
                throw ValidationError("--type: \"\(type)\" is not allowed: kvm or qemu")
            }
            if let waitIP, !(1...3600).contains(waitIP) {
                throw ValidationError("--wait-ip: must be 1 to 3600 seconds")
            }
        }

        /// The typed spec, through `VMSpec`'s one initializer; each option parsed once.
        func spec(startAnyway: Bool) throws(VMCtlError) -> VMSpec {
            let image = try image.map { text throws(VMCtlError) in try ImageRef(parsing: text) }
            let firmware = try Firmware(option: firmware)
            let networks = try networks.map { text throws(VMCtlError) in try NetworkSpec(text) }
            let dataDisks = try dataDisks.map { text throws(VMCtlError) in try DataDiskSpec(text) }
            let cloudInitOptions = CloudInitOptions(userDataFile: cloudInit, hostname: hostname, sshKeys: sshKey, password: password)
            let seed = try cloudInitOptions.seedConfig(vmName: name)
            // A key given without a seed is one the image already trusts: recorded (and checked) too.
            let login = seed != nil || sshPrivateKey != nil
                ? VMMetadata.Login(user: loginUser, privateKeyPath: sshPrivateKey ?? cloudInitOptions.privateKeyPath) : nil
            return try VMSpec(
                name: try ObjectName(given: name, field: .vm(.name)), pool: try ObjectName(given: pool, field: .vm(.pool)),
                memory: try GivenSize(parsing: memory, field: .vm(.memory)), vcpus: vcpus,
                diskSize: try diskSize.map { text throws(VMCtlError) in try GivenSize(parsing: text, field: .vm(.diskSize)) },
                lab: try lab.map { text throws(VMCtlError) in try ObjectName(given: text, field: .vm(.lab)) },
                role: try role.map { text throws(VMCtlError) in try ObjectName(given: text, field: .vm(.role)) },
                image: image, fullCopy: full, cdrom: cdrom, kernel: kernel, initrd: initrd, cmdline: cmdline,
                cpu: try cpu.map { text throws(VMCtlError) in try CPUChoice(parsing: text) }, nested: nested, networks: networks,
                dataDisks: dataDisks, autostart: autostart, start: start || startAnyway, serialFile: serialFile,
                graphics: try GraphicsChoice(parsing: graphics), seed: seed, login: login, firmware: firmware)
        }

        func run() throws {
            try reportingErrors {
                let waitStage = try waiting.stage()
                let spec = try spec(startAnyway: waitIP != nil || waitStage != nil)
                let connection = try global.target.open(readOnly: dryRun)
                let uri = (try? connection.uri()) ?? global.target.displayName
                let choice = try DomainTypeSelector(uri: uri).choose(
                    requested: type.map(HypervisorType.init(rawValue:)), requireKVM: requireKVM)
                let creator = VMCreator(connection: connection, progress: global.progress)
                let plan = try creator.plan(spec, domainType: choice)
                for warning in plan.warnings where !global.quiet { printWarning(warning) }
                if dryRun { return try printDryRun(plan) }
                let domain = try creator.run(plan)
                let created = VMCreated(domain, plan: plan, addresses: try waitForGuest(domain, on: connection))
                global.emit(created) { created in
                    "created \(created.name) (\(created.domainType))" + (created.addresses.first.map { ", address \($0.address)" } ?? "")
                }
            }
        }

        /// `--dry-run`: the domain XML and the volumes, changing nothing.
        func printDryRun(_ plan: VMCreatePlan) throws(VMCtlError) {
            let xml = try plan.domainXML()
            if global.output == .json {
                print(renderJSON(VMCreateDryRun(xml: xml, volumes: plan.volumes)))
                return
            }
            print(xml, terminator: xml.hasSuffix("\n") ? "" : "\n")
            for volume in plan.volumes {
                print("<!-- would create volume \(volume.pool)/\(volume.name): \(volume.kind.rawValue), \(volume.capacityBytes) bytes, \(volume.format)\(volume.source.map { ", from \($0)" } ?? "") -->")
            }
        }

        /// `--wait-ip` or `--wait`: the addresses (and readiness) once the guest has them.
        func waitForGuest(_ domain: Domain, on connection: Connection) throws -> (addresses: [VMAddress], readiness: [ReadinessReport]) {
            if let waitIP {
                return (try VMAddressFinder(connection: connection).waitForAddress(of: domain, timeout: waitIP, progress: global.progress), [])
            }
            let readiness = try waiting.waitIfAsked([domain], on: connection, progress: global.progress)
            return (VMAddressFinder(connection: connection).addresses(of: domain).filter { $0.family == "ipv4" }, readiness)
        }
    }
}

/// `vm create --dry-run --output json` (Docs/json-output.md).
struct VMCreateDryRun: Encodable {
    var xml: String
    var volumes: [PlannedVolume]
}

/// `vm create --output json` (Docs/json-output.md).
struct VMCreated: Encodable {
    var name: String
    var uuid: String
    var domainType: String
    var volumes: [PlannedVolume]
    var addresses: [VMAddress]
    var readiness: [ReadinessReport]

    init(_ domain: Domain, plan: VMCreatePlan, addresses found: (addresses: [VMAddress], readiness: [ReadinessReport])) {
        name = domain.name
        uuid = (try? domain.uuid()) ?? ""
        domainType = plan.domain.type.rawValue
        volumes = plan.volumes
        addresses = found.addresses
        readiness = found.readiness
    }
}
