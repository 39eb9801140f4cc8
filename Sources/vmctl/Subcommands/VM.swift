import ArgumentParser
import Foundation
import LibvirtXML
import VMCtlKit

extension VMCtl {
    struct VM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vm",
            abstract: "Create, clone, list and control virtual machines.",
            subcommands: [
                Create.self, Clone.self, List.self, Show.self, IP.self, SSH.self, SCP.self, XML.self, Console.self, Start.self, Stop.self,
                Restart.self, Destroy.self, Delete.self, Define.self, Undefine.self,
            ]
        )
    }
}

/// The one positional argument most VM commands take.
struct VMName: ParsableArguments {
    @Argument(help: "The VM's name or UUID.") var name: String
}

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

        func run() throws {
            try reportingErrors {
                var request = VMCreateRequest(name: name)
                request.image = image
                request.fullCopy = full
                request.diskSize = diskSize
                request.cdrom = cdrom
                request.kernel = kernel
                request.initrd = initrd
                request.cmdline = cmdline
                request.memory = memory
                request.vcpus = vcpus
                request.cpu = cpu
                request.nested = nested
                request.firmware = try Firmware(option: firmware)
                request.networks = try networks.map { text throws(VMCtlError) in try NetworkSpec(text) }
                request.dataDisks = try dataDisks.map { text throws(VMCtlError) in try DataDiskSpec(text) }
                request.pool = pool
                request.autostart = autostart
                let waitStage = try waiting.stage()
                request.start = start || waitIP != nil || waitStage != nil
                request.serialFile = serialFile
                request.graphics = graphics
                request.lab = lab
                request.role = role
                let cloudInitOptions = CloudInitOptions(userDataFile: cloudInit, hostname: hostname, sshKeys: sshKey, password: password)
                request.seed = try cloudInitOptions.seedConfig(vmName: name)
                // A key given without a seed is one the image already trusts: recorded (and checked) too.
                if request.seed != nil || sshPrivateKey != nil {
                    request.login = .init(user: loginUser, privateKeyPath: sshPrivateKey ?? cloudInitOptions.privateKeyPath)
                }
                let connection = try global.target.open(readOnly: dryRun)
                let uri = (try? connection.uri()) ?? global.target.displayName
                let choice = try DomainTypeSelector(uri: uri).choose(
                    requested: type.map(HypervisorType.init(rawValue:)), requireKVM: requireKVM)
                let creator = VMCreator(connection: connection, progress: global.progress)
                let plan = try creator.plan(request, domainType: choice)
                for warning in plan.warnings where !global.quiet { printWarning(warning) }
                if dryRun {
                    let xml = try plan.domainXML()
                    if global.output == .json {
                        struct DryRun: Encodable { var xml: String; var volumes: [PlannedVolume] }
                        print(renderJSON(DryRun(xml: xml, volumes: plan.volumes)))
                    } else {
                        print(xml, terminator: xml.hasSuffix("\n") ? "" : "\n")
                        for volume in plan.volumes {
                            print("<!-- would create volume \(volume.pool)/\(volume.name): \(volume.kind.rawValue), \(volume.capacityBytes) bytes, \(volume.format)\(volume.source.map { ", from \($0)" } ?? "") -->")
                        }
                    }
                    return
                }
                let domain = try creator.run(plan)
                var addresses: [VMAddress] = []
                var readiness: [ReadinessReport] = []
                if let waitIP {
                    addresses = try VMAddressFinder(connection: connection).waitForAddress(of: domain, timeout: waitIP, progress: global.progress)
                } else {
                    readiness = try waiting.waitIfAsked([domain], on: connection, progress: global.progress)
                    addresses = VMAddressFinder(connection: connection).addresses(of: domain).filter { $0.family == "ipv4" }
                }
                struct Created: Encodable {
                    var name: String; var uuid: String; var domainType: String; var volumes: [PlannedVolume]; var addresses: [VMAddress]
                    var readiness: [ReadinessReport]
                }
                let created = Created(name: domain.name, uuid: (try? domain.uuid()) ?? "", domainType: plan.domain.type.rawValue,
                                      volumes: plan.volumes, addresses: addresses, readiness: readiness)
                global.emit(created) { created in
                    "created \(created.name) (\(created.domainType))" + (created.addresses.first.map { ", address \($0.address)" } ?? "")
                }
            }
        }
    }

    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clone",
            abstract: "Clone a VM: new name, UUID and MACs, and a linked (copy-on-write) or full copy of each writable disk.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The VM to clone (name or UUID).") var source: String
        @Argument(help: "The new VM's name (with --count N: NAME-1 … NAME-N).") var name: String
        @Flag(help: "Linked clone (default) or full copy.") var mode: CloneModeFlag = .linked
        @Option(help: "How many clones.") var count = 1
        @Flag(help: "With --full: pause a running source while its disks are copied.") var suspendSource = false
        @Flag(help: "Start the clones.") var start = false
        @Flag(help: "Share the source's cloud-init seed: the clone keeps its host name, instance-id, SSH host keys and machine-id.")
        var keepIdentity = false
        @OptionGroup var waiting: WaitOptions

        func run() throws {
            try reportingErrors {
                let waitStage = try waiting.stage()
                let connection = try global.target.open()
                var cloner = VMCloner(connection: connection, progress: global.progress)
                let quiet = global.quiet
                cloner.copyProgress = { label in TransferLine.meter(label, quiet: quiet).map { meter in meter.update } }
                let result = try cloner.clone(
                    source: source, as: name, mode: mode == .full ? .full : .linked, count: count,
                    suspendSource: suspendSource, start: start || waitStage != nil, keepIdentity: keepIdentity)
                let clones = try result.clones.map { clone in try VMLifecycle(connection: connection).domain(nameOrUUID: clone) }
                _ = try waiting.waitIfAsked(clones, on: connection, progress: global.progress)
                global.emit(result) {
                    "cloned \($0.source) to \($0.clones.joined(separator: ", ")) (\($0.mode.rawValue)\($0.newIdentity ? ", each with its own identity" : ""))"
                }
            }
        }
    }

    enum CloneModeFlag: String, EnumerableFlag {
        case linked, full
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List all VMs: state, vCPUs, memory, address, lab and role.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let vms = try VMInventory.list(try global.target.open(readOnly: true))
                print(global.output == .json ? VMInventory.renderJSON(vms) : VMInventory.renderText(vms))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a VM's disks, NICs, addresses and snapshots.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open(readOnly: true)
                let details = try VMShow.details(try VMLifecycle(connection: connection).domain(nameOrUUID: vm.name))
                global.emit(details, text: VMShow.renderText)
            }
        }
    }

    struct IP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ip",
            abstract: "Show a VM's addresses (DHCP lease, guest agent, ARP); with --wait, wait for one and explain when none comes.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "Wait up to this many seconds for an IPv4 address.") var wait: Double?

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open(readOnly: true)
                let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: vm.name)
                let finder = VMAddressFinder(connection: connection)
                var addresses = finder.addresses(of: domain)
                if let wait {
                    addresses = try finder.waitForAddress(of: domain, timeout: wait, progress: global.progress)
                } else if addresses.isEmpty {
                    throw VMCtlError(finder.diagnose(domain, timeout: 0))
                }
                global.emit(["addresses": addresses]) { value in
                    (value["addresses"] ?? []).map { "\($0.address)/\($0.prefix) \($0.mac ?? "-") (\($0.source))" }.joined(separator: "\n")
                }
            }
        }
    }

    struct XML: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "xml", abstract: "Print a VM's libvirt XML.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Flag(help: "The persistent definition rather than the running one.") var inactive = false

        func run() throws {
            try reportingErrors {
                let domain = try VMLifecycle(connection: try global.target.open(readOnly: true)).domain(nameOrUUID: vm.name)
                let xml = try libvirtCall("reading '\(vm.name)'") { try domain.xml(inactive ? [.inactive] : []) }
                print(xml, terminator: xml.hasSuffix("\n") ? "" : "\n")
            }
        }
    }

    struct Console: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "console",
            abstract: "Attach to a VM's serial console (Ctrl-] detaches); a serial port logged to a file is followed read-only.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "Only read the console for this many seconds, sending nothing (for scripts).") var read: Double?

        func run() throws {
            try reportingErrors {
                let session = ConsoleSession(connection: try global.target.open())
                let sink: ConsoleSession.Sink = { bytes in FileHandle.standardOutput.write(Data(bytes)) }
                if let read {
                    try session.read(vm.name, seconds: read, sink: sink)
                } else {
                    try session.attach(vm.name, sink: sink)
                }
            }
        }
    }

    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "define", abstract: "Define a VM from a libvirt XML file (schema-validated).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Path to the domain XML.") var file: String

        func run() throws {
            try reportingErrors {
                let domain = try VMLifecycle(connection: global.target.open()).define(xmlFile: file)
                print("defined \(domain.name)")
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a VM.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @OptionGroup var waiting: WaitOptions

        func run() throws {
            try reportingErrors {
                let connection = try global.target.open()
                let name = try VMLifecycle(connection: connection).start(vm.name)
                _ = try waiting.waitIfAsked([try VMLifecycle(connection: connection).domain(nameOrUUID: name)], on: connection,
                                            progress: global.progress)
                print("started \(name)")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Shut a VM down gracefully (ACPI), waiting for it to stop.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "Seconds to wait for the guest to power off.") var timeout: Double = 60
        @Flag(help: "Destroy the VM if it has not stopped when the timeout ends.") var force = false

        func validate() throws {
            guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout: must be 1 to 3600 seconds") }
        }

        func run() throws {
            try reportingErrors {
                let name = try VMLifecycle(connection: global.target.open()).stop(vm.name, timeout: timeout, force: force)
                print("stopped \(name)")
            }
        }
    }

    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop a VM gracefully, then start it again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Option(help: "Seconds to wait for the guest to power off.") var timeout: Double = 60
        @Flag(help: "Destroy the VM if it has not stopped when the timeout ends.") var force = false

        func run() throws {
            try reportingErrors {
                let lifecycle = VMLifecycle(connection: try global.target.open())
                let name = try lifecycle.stop(vm.name, timeout: timeout, force: force)
                try lifecycle.start(name)
                print("restarted \(name)")
            }
        }
    }

    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "destroy", abstract: "Stop a VM at once, like pulling the plug.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let name = try VMLifecycle(connection: global.target.open()).destroy(vm.name)
                print("destroyed \(name)")
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Remove a VM and only the volumes vmctl created for it; never a shared base image or a volume another VM uses.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName
        @Flag(help: "Destroy the VM first if it is running.") var force = false

        func run() throws {
            try reportingErrors {
                let result = try VMDeleter(connection: try global.target.open(), progress: global.progress).delete(vm.name, force: force)
                global.emit(result) { result in
                    var text = "deleted \(result.name)"
                    if !result.deletedVolumes.isEmpty { text += " and volumes \(result.deletedVolumes.joined(separator: ", "))" }
                    if !result.keptVolumes.isEmpty { text += "; kept \(result.keptVolumes.joined(separator: ", "))" }
                    return text
                }
            }
        }
    }

    struct Undefine: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "undefine", abstract: "Remove a stopped VM's definition; its disks stay.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var vm: VMName

        func run() throws {
            try reportingErrors {
                let name = try VMLifecycle(connection: global.target.open()).undefine(vm.name)
                print("undefined \(name)")
            }
        }
    }
}
