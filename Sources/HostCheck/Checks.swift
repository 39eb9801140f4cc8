import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// Facts read once, and one method per check. Each check returns a
/// `CheckResult` with a one-line summary and, for WARN/FAIL, a remedy.
struct Context {
    let options: HostCheckOptions
    let live: (any LiveHost)?
    let root: HostRoot
    let cpu: CPUInfo?
    let procModules: ProcModules?
    let envPath: String?

    init(options: HostCheckOptions, live: (any LiveHost)?) {
        self.options = options
        self.live = live
        self.root = HostRoot(options.root)
        self.cpu = root.cpuInfo()
        self.procModules = root.procModules()
        self.envPath = live?.environmentPath()
    }

    static let offlineReason = "offline root"

    func skipOffline(_ id: String, _ title: String, _ what: String) -> CheckResult {
        CheckResult(id: id, title: title, status: .skip, summary: "\(Self.offlineReason): \(what) is checked on the live host only")
    }

    func module(_ name: String) -> ModuleState { root.moduleState(name, procModules: procModules) }

    /// kvm_intel or kvm_amd, whichever is present (the CPU's own first).
    var presentVendorModule: String? {
        let preferred = cpu?.kvmVendorModule
        let order = [preferred, "kvm_intel", "kvm_amd"].compactMap { $0 }
        return order.first { module($0).isPresent }
    }

    var vendorModuleRemedyName: String { cpu?.kvmVendorModule ?? "kvm_intel (Intel) or kvm_amd (AMD)" }

    // MARK: 1. CPU

    func checkCPU() -> CheckResult {
        let id = "cpu.virtualization", title = "CPU virtualisation extensions"
        guard let cpu else {
            return CheckResult(id: id, title: title, status: .skip, summary: "proc/cpuinfo not readable under \(root.path)")
        }
        var details: [String: String] = ["architecture": cpu.architecture.rawValue]
        details["vendor"] = cpu.vendor
        details["model"] = cpu.model
        details["processors"] = String(cpu.processorCount)
        details["hypervisorFlag"] = String(cpu.runsUnderHypervisor)
        let who = [cpu.model, cpu.vendor.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        switch cpu.architecture {
        case .x86:
            if let ext = cpu.virtualizationExtension {
                details["extension"] = ext
                let name = ext == "vmx" ? "Intel VT-x (vmx)" : "AMD-V (svm)"
                return CheckResult(id: id, title: title, status: .pass, summary: "\(name) on \(who)", details: details)
            }
            let under = cpu.runsUnderHypervisor ? "; this host is itself a guest whose hypervisor does not expose them" : ""
            let remedy: String
            if cpu.isAMD {
                remedy = "enable SVM (AMD-V) in the firmware setup, or nested virtualisation on the outer host (kvm_amd nested=1 and a CPU model with svm)"
            } else if cpu.isIntel {
                remedy = "enable VT-x in the firmware setup, or nested virtualisation on the outer host (kvm_intel nested=1 and a CPU model with vmx)"
            } else {
                remedy = "enable hardware virtualisation (VT-x or AMD-V) in the firmware setup or on the outer hypervisor"
            }
            return CheckResult(id: id, title: title, status: .fail, summary: "no vmx or svm flag on \(who)\(under)",
                               remedy: remedy, details: details)
        case .arm:
            return CheckResult(id: id, title: title, status: .skip,
                               summary: "ARM CPU \(who) (cpuinfo has Features, not flags): vmx/svm do not apply; KVM is judged by its modules, /dev/kvm and the probes",
                               details: details)
        case .other:
            return CheckResult(id: id, title: title, status: .skip,
                               summary: "CPU architecture not recognised from proc/cpuinfo: vmx/svm do not apply", details: details)
        }
    }

    // MARK: 2. Modules

    func checkModules() -> CheckResult {
        let id = "kvm.modules", title = "KVM kernel modules"
        let kvm = module("kvm")
        var details: [String: String] = ["kvm": kvm.rawValue, "procModules": procModules == nil ? "absent" : "present"]
        for name in ["kvm_intel", "kvm_amd", "kvm_pvm"] {
            let s = module(name)
            if s.isPresent || name != "kvm_pvm" { details[name] = s.rawValue }
        }
        func describe(_ name: String) -> String {
            let s = module(name)
            return s == .builtIn ? "\(name) (built in)" : name
        }
        let noModules = procModules == nil
            ? " (the kernel has no loadable-module support: /proc/modules is missing; use a kernel built with CONFIG_KVM and the vendor option)"
            : ""
        if cpu?.architecture != .x86 {
            if kvm.isPresent {
                return CheckResult(id: id, title: title, status: .pass, summary: "\(describe("kvm")) present", details: details)
            }
            return CheckResult(id: id, title: title, status: .fail, summary: "kvm is neither loaded nor built in",
                               remedy: "modprobe kvm\(noModules)", details: details)
        }
        if let vendor = presentVendorModule, kvm.isPresent {
            return CheckResult(id: id, title: title, status: .pass,
                               summary: "\(describe("kvm")) and \(describe(vendor)) present", details: details)
        }
        let hasFlags = cpu?.virtualizationExtension != nil
        if kvm.isPresent, module("kvm_pvm").isPresent {
            return CheckResult(
                id: id, title: title, status: .warn,
                summary: "\(describe("kvm")) with \(describe("kvm_pvm")): PVM provides /dev/kvm without hardware virtualisation; no kvm_intel or kvm_amd",
                remedy: hasFlags ? "modprobe \(vendorModuleRemedyName)\(noModules)" : "kvm_intel/kvm_amd need vmx/svm: see cpu.virtualization",
                details: details)
        }
        let missing = kvm.isPresent ? vendorModuleRemedyName : "kvm and \(vendorModuleRemedyName)"
        let remedy = hasFlags
            ? "modprobe \(cpu?.kvmVendorModule ?? "kvm_intel") (loads kvm too)\(noModules)"
            : "first expose vmx/svm (see cpu.virtualization), then modprobe \(vendorModuleRemedyName)\(noModules)"
        return CheckResult(id: id, title: title, status: .fail, summary: "\(missing) neither loaded nor built in",
                           remedy: remedy, details: details)
    }

    // MARK: 3. /dev/kvm and other device nodes

    static func evaluateDevice(id: String, title: String, path: String, node: DeviceNode?, groupName: String?, user: String,
                               missingStatus: CheckStatus, missingRemedy: String) -> CheckResult {
        guard let node else {
            return CheckResult(id: id, title: title, status: missingStatus, summary: "\(path) does not exist",
                               remedy: missingRemedy, details: ["exists": "false"])
        }
        var details = ["exists": "true", "characterDevice": String(node.isCharacterDevice),
                       "mode": cFormat("%04o", node.mode), "readable": String(node.readable), "writable": String(node.writable)]
        details["group"] = groupName ?? String(node.gid)
        guard node.isCharacterDevice else {
            return CheckResult(id: id, title: title, status: .fail, summary: "\(path) exists but is not a character device",
                               remedy: "rm \(path), then \(missingRemedy)", details: details)
        }
        details["device"] = "\(node.major):\(node.minor)"
        let group = groupName ?? "gid \(node.gid)"
        guard node.readable, node.writable else {
            let lacks = [node.readable ? nil : "read", node.writable ? nil : "write"].compactMap { $0 }.joined(separator: "/")
            return CheckResult(id: id, title: title, status: .fail,
                               summary: "\(path) denies \(lacks) to \(user) (mode \(details["mode"]!), group \(group))",
                               remedy: "usermod -aG \(groupName ?? String(node.gid)) \(user), then log in again", details: details)
        }
        return CheckResult(id: id, title: title, status: .pass,
                           summary: "character device \(node.major):\(node.minor), mode \(details["mode"]!) group \(group), read/write for \(user)",
                           details: details)
    }

    func groupName(_ gid: UInt32) -> String? { root.groups().first { $0.gid == gid }?.name }

    func device(_ id: String, _ title: String, _ path: String, missingStatus: CheckStatus, missingRemedy: String) -> CheckResult {
        guard let live else { return skipOffline(id, title, path) }
        let node = live.deviceNode(path)
        return Self.evaluateDevice(id: id, title: title, path: path, node: node, groupName: node.flatMap { groupName($0.gid) },
                                   user: live.userName(), missingStatus: missingStatus, missingRemedy: missingRemedy)
    }

    func checkKVMDevice() -> CheckResult {
        device("kvm.device", "/dev/kvm", "/dev/kvm", missingStatus: .fail,
               missingRemedy: cpu?.architecture == .x86 ? "modprobe \(vendorModuleRemedyName)" : "modprobe kvm")
    }

    func checkTun() -> CheckResult {
        device("dev.tun", "/dev/net/tun (tap networking)", "/dev/net/tun", missingStatus: .fail, missingRemedy: "modprobe tun")
    }

    func checkVhostNet() -> CheckResult {
        device("dev.vhost-net", "/dev/vhost-net (in-kernel virtio-net)", "/dev/vhost-net", missingStatus: .warn,
               missingRemedy: "modprobe vhost_net")
    }

    // MARK: 4. Probes

    func checkKernelProbe() -> CheckResult {
        let id = "kvm.kernel-probe", title = "KVM runs a vCPU (kernel level)"
        guard options.runProbes else {
            return CheckResult(id: id, title: title, status: .skip, summary: "probes disabled")
        }
        guard let live else { return skipOffline(id, title, "the KVM ioctl probe") }
        guard cpu?.architecture == .x86 else {
            return CheckResult(id: id, title: title, status: .skip, summary: "the vCPU probe runs x86 real-mode code: x86 hosts only")
        }
        let r = live.kernelKVMProbe(devicePath: "/dev/kvm", deadline: options.kernelProbeDeadline)
        var details: [String: String] = [
            "stage": String(describing: r.stage), "elapsedMs": String(r.elapsedMs),
            "deadlineMs": String(options.kernelProbeDeadline.milliseconds), "timedOut": String(r.timedOut),
        ]
        if r.errno != 0 { details["errno"] = String(r.errno) }
        if let v = r.apiVersion { details["apiVersion"] = String(v) }
        if let e = r.exitReason { details["exitReason"] = KernelKVMProbeResult.exitReasonName(e) }
        if r.passed {
            return CheckResult(id: id, title: title, status: .pass, summary: "API version 12; \(r.explanation)", details: details)
        }
        let remedy: String
        switch r.stage {
        case .open where r.errno == EACCES || r.errno == EPERM: remedy = "join the group that owns /dev/kvm (see kvm.device)"
        case .open: remedy = "modprobe \(vendorModuleRemedyName)"
        default: remedy = "KVM is present but cannot run a guest: use domain type qemu, or fix virtualisation on the outer host"
        }
        return CheckResult(id: id, title: title, status: .fail, summary: r.explanation, remedy: remedy, details: details)
    }

    /// A KVM boot to the marker within this time passes without a TCG comparison.
    static let fastBootMs = 1000
    /// A slower KVM boot fails when it takes more than this many times TCG's.
    static let slowdownLimit = 3

    func seconds(_ ms: Int) -> String { cFormat("%.2f s", Double(ms) / 1000) }

    func checkEmulatorProbe(kernel: CheckResult) -> CheckResult {
        let id = "kvm.emulator-probe", title = "QEMU boots a guest with -accel kvm"
        guard options.runProbes else {
            return CheckResult(id: id, title: title, status: .skip, summary: "probes disabled")
        }
        guard let live else { return skipOffline(id, title, "the QEMU boot probe") }
        guard cpu?.architecture == .x86 else {
            return CheckResult(id: id, title: title, status: .skip, summary: "the boot-sector probe is x86 code: x86 hosts only")
        }
        guard kernel.status == .pass else {
            return CheckResult(id: id, title: title, status: .skip, summary: "kernel-level probe did not pass; QEMU not started")
        }
        guard let emulator = qemuPath else {
            return CheckResult(id: id, title: title, status: .skip, summary: "no \(qemuName) found (see tools.qemu)")
        }
        let deadline = options.emulatorProbeDeadline
        let kvm = live.emulatorProbe(emulator: emulator, accelerator: "kvm", deadline: deadline)
        var details: [String: String] = [
            "emulator": emulator, "deadlineMs": String(deadline.milliseconds),
            "kvmPassed": String(kvm.passed), "kvmReachedBootSector": String(kvm.reachedBootSector),
            "kvmElapsedMs": String(kvm.elapsedMs), "kvmTimedOut": String(kvm.timedOut),
        ]
        if !kvm.diagnostics.isEmpty { details["kvmStderr"] = kvm.diagnostics }
        if kvm.passed && kvm.elapsedMs <= Self.fastBootMs {
            return CheckResult(id: id, title: title, status: .pass, summary: kvm.explanation, details: details)
        }
        // The same boot sector under TCG shows whether the probe itself works.
        let tcg = live.emulatorProbe(emulator: emulator, accelerator: "tcg", deadline: deadline)
        details["tcgPassed"] = String(tcg.passed)
        details["tcgElapsedMs"] = String(tcg.elapsedMs)
        if kvm.passed {
            // Slow but successful: KVM is worth using only if it beats software emulation.
            if tcg.passed, kvm.elapsedMs > Self.slowdownLimit * max(tcg.elapsedMs, 1) {
                let factor = kvm.elapsedMs / max(tcg.elapsedMs, 1)
                details["kvmSlowdown"] = String(factor)
                return CheckResult(
                    id: id, title: title, status: .fail,
                    summary: "\(kvm.explanation), \(factor)× slower than TCG (\(seconds(tcg.elapsedMs))): KVM here runs guests slower than software emulation",
                    remedy: "use domain type qemu (vmctl falls back to it); for kvm, fix hardware virtualisation on this host or its outer hypervisor",
                    details: details)
            }
            return CheckResult(id: id, title: title, status: .pass,
                               summary: "\(kvm.explanation) (TCG: \(tcg.passed ? seconds(tcg.elapsedMs) : "no marker"))", details: details)
        }
        let reference = tcg.passed
            ? "; under TCG the marker appeared in \(seconds(tcg.elapsedMs))"
            : "; under TCG it did not appear either (\(tcg.explanation)): qemu guests may not boot"
        return CheckResult(id: id, title: title, status: .fail, summary: kvm.explanation + reference,
                           remedy: "use domain type qemu (vmctl falls back to it); for kvm, fix hardware virtualisation on this host or its outer hypervisor",
                           details: details)
    }

    // MARK: Verdict

    struct VerdictCore {
        var kvmUsable: Bool
        var basis: Verdict.Basis
        var reason: String
    }

    func verdict(cpu: CheckResult, modules: CheckResult, device: CheckResult, kernel: CheckResult, emulator: CheckResult) -> VerdictCore {
        var problems: [String] = []
        if cpu.status == .fail { problems.append("no vmx/svm CPU flag") }
        if modules.status == .fail { problems.append("KVM modules missing") }
        if device.status == .fail { problems.append("/dev/kvm unusable") }
        if kernel.status == .fail { problems.append("kernel-level probe failed") }
        if emulator.status == .fail {
            problems.append(kernel.status == .pass ? "emulator probe failed (kernel-level probe passed)" : "emulator probe failed")
        }
        let probesRan = kernel.status == .fail || (kernel.status != .skip && emulator.status != .skip)
        let basis: Verdict.Basis = probesRan ? .probes : .staticEvidence
        if !problems.isEmpty {
            return VerdictCore(kvmUsable: false, basis: basis, reason: "KVM not usable: \(problems.joined(separator: "; ")); use qemu.")
        }
        if probesRan {
            return VerdictCore(kvmUsable: true, basis: basis, reason: "KVM runs guests: both probes passed.")
        }
        let why = !options.runProbes ? "probes disabled" : (live == nil ? Self.offlineReason : "probes not applicable here")
        var evidence = ["CPU flags", "modules"]
        if device.status == .pass { evidence.append("/dev/kvm") }
        return VerdictCore(kvmUsable: true, basis: basis,
                           reason: "KVM assumed usable from static evidence only (\(evidence.joined(separator: ", "))); \(why).")
    }

    // MARK: 5. Nested

    func checkNested(kvmUsable: Bool) -> CheckResult {
        let id = "kvm.nested", title = "Nested virtualisation (for OpenStack labs)"
        guard let vendor = presentVendorModule else {
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "no kvm_intel or kvm_amd, so no nested KVM: an OpenStack lab here should set nova_compute_virt_type: qemu",
                               details: ["novaComputeVirtType": "qemu"])
        }
        let raw = root.moduleParameter(vendor, "nested")
        let nested = raw.flatMap(parseModuleBool)
        var details = ["module": vendor, "novaComputeVirtType": "qemu"]
        details["nested"] = raw ?? "unknown"
        let enable = "echo 'options \(vendor) nested=1' > /etc/modprobe.d/kvm-nested.conf; modprobe -r \(vendor) && modprobe \(vendor)"
        switch nested {
        case true?:
            if novaComputeVirtType(kvmUsable: kvmUsable, nestedEnabled: true) == .kvm {
                details["novaComputeVirtType"] = "kvm"
                return CheckResult(id: id, title: title, status: .pass,
                                   summary: "\(vendor) nested=\(raw!): an OpenStack lab here can set nova_compute_virt_type: kvm",
                                   details: details)
            }
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(vendor) nested=\(raw!), but KVM cannot run guests here: nova_compute_virt_type: qemu",
                               details: details)
        case false?:
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(vendor) nested=\(raw!): nested guests get no KVM; nova_compute_virt_type: qemu",
                               remedy: enable, details: details)
        case nil:
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(vendor) has no readable nested parameter: nova_compute_virt_type: qemu",
                               remedy: enable, details: details)
        }
    }

    // MARK: 6. Kernel features

    func checkIOMMU() -> CheckResult {
        let id = "kernel.iommu", title = "IOMMU (PCI passthrough)"
        let tables = ["DMAR", "IVRS"].filter { root.exists("sys/firmware/acpi/tables/\($0)") }
        let groups = root.list("sys/kernel/iommu_groups").filter { $0.allSatisfy(\.isNumber) }
        var details = ["acpiTables": tables.joined(separator: ","), "iommuGroups": String(groups.count)]
        if !groups.isEmpty {
            let t = tables.isEmpty ? "" : " (\(tables.joined(separator: ", ")) table)"
            return CheckResult(id: id, title: title, status: .pass, summary: "IOMMU enabled: \(groups.count) IOMMU groups\(t)", details: details)
        }
        if let table = tables.first {
            details["hint"] = table == "DMAR" ? "intel_iommu=on" : "amd_iommu=on"
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(table) ACPI table present but no IOMMU groups: the IOMMU is off in the kernel",
                               remedy: "add \(details["hint"]!) iommu=pt to the kernel command line and reboot (only for PCI passthrough)",
                               details: details)
        }
        return CheckResult(id: id, title: title, status: .warn,
                           summary: "no DMAR or IVRS ACPI table: no IOMMU, so no PCI passthrough (labs do not need it)",
                           remedy: "enable VT-d / AMD-Vi in the firmware setup (only for PCI passthrough)", details: details)
    }

    func checkCgroups() -> CheckResult {
        let id = "kernel.cgroups", title = "cgroup controllers"
        let layout = root.cgroupLayout()
        var details = ["mode": layout.mode.rawValue,
                       "v1Controllers": layout.v1Controllers.sorted().joined(separator: ","),
                       "v2Controllers": layout.v2Controllers.sorted().joined(separator: ",")]
        details["v2MountPoint"] = layout.v2MountPoint
        if layout.mode == .none {
            return CheckResult(id: id, title: title, status: .fail, summary: "no cgroup hierarchy mounted",
                               remedy: "mount -t cgroup2 none /sys/fs/cgroup", details: details)
        }
        let missing = layout.missingForLibvirt
        details["missing"] = missing.joined(separator: ",")
        let have: String
        switch layout.mode {
        case .v1: have = "cgroup v1: \(layout.v1Controllers.sorted().joined(separator: " "))"
        case .v2: have = "cgroup v2 at \(layout.v2MountPoint!): \(layout.v2Controllers.sorted().joined(separator: " "))"
        default:
            have = "hybrid: v1 \(layout.v1Controllers.sorted().joined(separator: " ")); v2 at \(layout.v2MountPoint!): \(layout.v2Controllers.sorted().joined(separator: " "))"
        }
        if missing.isEmpty {
            return CheckResult(id: id, title: title, status: .pass, summary: "\(have) (libvirt's set complete)", details: details)
        }
        let remedy = layout.mode == .v1
            ? "mount the missing v1 controllers, e.g. mount -t cgroup -o \(missing[0]) cgroup /sys/fs/cgroup/\(missing[0])"
            : "enable them for children: echo '+\(missing.map { $0 == "blkio" ? "io" : $0 }.joined(separator: " +"))' > \(layout.v2MountPoint ?? "/sys/fs/cgroup")/cgroup.subtree_control"
        return CheckResult(id: id, title: title, status: .warn, summary: "\(have); missing \(missing.joined(separator: ", "))",
                           remedy: remedy, details: details)
    }

    // MARK: 7. Tools and services

    var qemuName: String { "qemu-system-\(cpu?.qemuArch ?? "x86_64")" }
    var qemuPath: String? { root.findExecutable(qemuName, environmentPath: envPath) }

    func checkQEMU() -> CheckResult {
        let id = "tools.qemu", title = "QEMU emulator for the host architecture"
        if let path = qemuPath {
            return CheckResult(id: id, title: title, status: .pass, summary: "\(qemuName) at \(path)", details: ["path": path])
        }
        let pkg = cpu?.architecture == .arm ? "qemu-system-arm" : "qemu-system-x86"
        return CheckResult(id: id, title: title, status: .fail, summary: "no \(qemuName) on the search path",
                           remedy: "apt-get install \(pkg) (Debian/Ubuntu) or dnf install qemu-kvm (Fedora/RHEL)")
    }

    func checkLibvirt(hypervisor: (any HypervisorProbe)?, kvmUsable: Bool) -> CheckResult {
        let id = "libvirt.daemon", title = "libvirtd at the connection URI"
        guard live != nil else { return skipOffline(id, title, "libvirtd") }
        guard let hypervisor else {
            return CheckResult(id: id, title: title, status: .skip, summary: "no hypervisor probe supplied")
        }
        let s = hypervisor.probe(uri: options.uri, arch: cpu?.qemuArch ?? "x86_64")
        var details = ["uri": options.uri, "reachable": String(s.reachable), "domainTypes": s.domainTypes.joined(separator: ",")]
        details["libvirtVersion"] = s.libvirtVersion
        details["hypervisorVersion"] = s.hypervisorVersion
        details["emulator"] = s.emulatorPath
        details["error"] = s.error
        guard s.reachable else {
            return CheckResult(id: id, title: title, status: .fail,
                               summary: "cannot connect to \(options.uri): \(s.error ?? "unknown error")",
                               remedy: "start libvirtd: systemctl enable --now libvirtd (without systemd: libvirtd -d)", details: details)
        }
        let version = ["libvirt \(s.libvirtVersion ?? "?")", s.hypervisorVersion].compactMap { $0 }.joined(separator: ", ")
        let offersKVM = s.domainTypes.contains("kvm"), offersQEMU = s.domainTypes.contains("qemu")
        let offers = s.domainTypes.isEmpty ? "no domain types" : s.domainTypes.joined(separator: " and ") + " domains"
        if offersKVM && !kvmUsable {
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(version) at \(options.uri) offers \(offers), but KVM cannot run a guest here: vmctl defines qemu",
                               remedy: "use domain type qemu (nova_compute_virt_type: qemu in OpenStack labs)", details: details)
        }
        if !offersKVM && kvmUsable {
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(version) at \(options.uri) offers \(offers) though KVM works: libvirt's QEMU cannot use /dev/kvm",
                               remedy: "give libvirt's QEMU user access to /dev/kvm (group kvm), then restart libvirtd", details: details)
        }
        if !offersQEMU && !offersKVM {
            return CheckResult(id: id, title: title, status: .fail,
                               summary: "\(version) at \(options.uri) offers no domain type for \(cpu?.qemuArch ?? "this architecture")",
                               remedy: "install \(qemuName) and restart libvirtd", details: details)
        }
        return CheckResult(id: id, title: title, status: .pass, summary: "\(version) at \(options.uri), offers \(offers)", details: details)
    }

    func checkDnsmasq() -> CheckResult {
        let id = "tools.dnsmasq", title = "dnsmasq (DHCP/DNS for NAT networks)"
        if let path = root.findExecutable("dnsmasq", environmentPath: envPath) {
            return CheckResult(id: id, title: title, status: .pass, summary: "dnsmasq at \(path)", details: ["path": path])
        }
        return CheckResult(id: id, title: title, status: .warn, summary: "no dnsmasq: libvirt NAT networks cannot start",
                           remedy: "apt-get install dnsmasq-base (Debian/Ubuntu) or dnf install dnsmasq")
    }

    func checkFirewall() -> CheckResult {
        let id = "tools.firewall", title = "Firewall backend (iptables or nft)"
        var found: [String] = []
        var details: [String: String] = [:]
        for tool in ["nft", "iptables"] {
            if let p = root.findExecutable(tool, environmentPath: envPath) { found.append(tool); details[tool] = p }
        }
        if found.isEmpty {
            return CheckResult(id: id, title: title, status: .warn, summary: "neither iptables nor nft: libvirt cannot set up NAT",
                               remedy: "apt-get install nftables iptables")
        }
        return CheckResult(id: id, title: title, status: .pass,
                           summary: found.map { "\($0) at \(details[$0]!)" }.joined(separator: ", "), details: details)
    }

    func checkIPForward() -> CheckResult {
        let id = "net.ip-forward", title = "IPv4 forwarding (for NAT)"
        guard let text = root.read("proc/sys/net/ipv4/ip_forward"), let on = parseSysctlBool(text) else {
            return CheckResult(id: id, title: title, status: .skip, summary: "proc/sys/net/ipv4/ip_forward not readable")
        }
        if on {
            return CheckResult(id: id, title: title, status: .pass, summary: "net.ipv4.ip_forward = 1", details: ["ipForward": "1"])
        }
        return CheckResult(id: id, title: title, status: .warn,
                           summary: "net.ipv4.ip_forward = 0: NAT guests cannot reach out until libvirt starts a NAT network (it turns forwarding on)",
                           remedy: "sysctl -w net.ipv4.ip_forward=1 (persist in /etc/sysctl.d/)", details: ["ipForward": "0"])
    }

    // MARK: 8. Host preparation

    func checkHostname() -> CheckResult {
        let id = "host.hostname", title = "Host name"
        guard let (name, source) = root.hostName() else {
            return CheckResult(id: id, title: title, status: .warn, summary: "no host name found (etc/hostname missing)",
                               remedy: "hostnamectl set-hostname NAME (or write /etc/hostname)")
        }
        let details = ["hostname": name, "source": source]
        if HostName.isReal(name) {
            return CheckResult(id: id, title: title, status: .pass, summary: "\"\(name)\" (from \(source))", details: details)
        }
        return CheckResult(id: id, title: title, status: .warn,
                           summary: name.isEmpty ? "host name is empty" : "host name is \"\(name)\": lab tools need a real one",
                           remedy: "hostnamectl set-hostname NAME (and add it to /etc/hosts)", details: details)
    }

    /// NTP daemons, by process name.
    static let ntpDaemons = ["chronyd", "ntpd", "systemd-timesyn", "openntpd"]

    func checkClock() -> CheckResult {
        let id = "host.clock", title = "Clock synchronised (NTP)"
        let procs = root.processNames()
        let daemons = Self.ntpDaemons.filter { procs.contains($0) }.map { $0 == "systemd-timesyn" ? "systemd-timesyncd" : $0 }
        var details = ["ntpDaemon": daemons.isEmpty ? "none" : daemons.joined(separator: ",")]
        let serving = LabTimeServing.read(root, chronydRunning: procs.contains("chronyd"))
        details["servesTimeToLabs"] = String(serving.serves)
        let daemonText = (daemons.isEmpty ? "no chronyd or ntpd running" : "\(daemons.joined(separator: ", ")) running") + "; " + serving.summary
        guard let live else {
            return CheckResult(id: id, title: title, status: .skip,
                               summary: "\(Self.offlineReason): kernel NTP status is read on the live host only; \(daemonText)",
                               details: details)
        }
        guard let clock = live.clockStatus() else {
            return CheckResult(id: id, title: title, status: .warn, summary: "adjtimex failed; \(daemonText)",
                               remedy: "apt-get install chrony; systemctl enable --now chrony", details: details)
        }
        details["synchronized"] = String(clock.synchronized)
        details["maxErrorUs"] = String(clock.maxErrorMicroseconds)
        if clock.synchronized {
            return CheckResult(id: id, title: title, status: .pass, summary: "kernel clock synchronised; \(daemonText)", details: details)
        }
        let remedy = daemons.isEmpty
            ? "apt-get install chrony; systemctl enable --now chrony (without systemd: chronyd)"
            : "chronyc tracking / chronyc sources: the daemon has no usable time source yet"
        return CheckResult(id: id, title: title, status: .warn, summary: "kernel clock not synchronised (adjtimex); \(daemonText)",
                           remedy: remedy, details: details)
    }

    func checkSELinux() -> CheckResult {
        let id = "host.selinux", title = "SELinux mode"
        guard let mode = root.selinuxMode() else {
            return CheckResult(id: id, title: title, status: .warn, summary: "sys/fs/selinux/enforce has an unexpected value")
        }
        var details = ["mode": mode.rawValue]
        details["configured"] = root.selinuxConfiguredMode()?.rawValue
        switch mode {
        case .disabled:
            return CheckResult(id: id, title: title, status: .pass, summary: "SELinux disabled (no /sys/fs/selinux)", details: details)
        case .permissive:
            return CheckResult(id: id, title: title, status: .pass, summary: "SELinux permissive: logs denials, blocks nothing", details: details)
        case .enforcing:
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "SELinux enforcing: disk images outside /var/lib/libvirt/images get \"permission denied\" unless labelled virt_image_t",
                               remedy: "setenforce 0 and SELINUX=permissive in /etc/selinux/config, or: semanage fcontext -a -t virt_image_t '/DIR(/.*)?' && restorecon -Rv /DIR",
                               details: details)
        }
    }

    func checkAppArmor() -> CheckResult {
        let id = "host.apparmor", title = "AppArmor state"
        let state = root.appArmor()
        var details = ["enabled": String(state.enabled), "enforcing": String(state.enforcing.count),
                       "complaining": String(state.complaining.count)]
        let libvirtProfiles = state.enforcing.filter { $0.contains("libvirt") || $0.contains("virt-aa-helper") }
        details["libvirtProfilesEnforcing"] = String(libvirtProfiles.count)
        guard state.enabled else {
            return CheckResult(id: id, title: title, status: .pass, summary: "AppArmor not enabled", details: details)
        }
        return CheckResult(id: id, title: title, status: .pass,
                           summary: "AppArmor enabled (\(state.enforcing.count) profiles enforcing, \(libvirtProfiles.count) of them libvirt's); guests get per-VM profiles via virt-aa-helper — images reached through symlinks or unusual paths may be denied",
                           details: details)
    }

    func checkMemory() -> CheckResult {
        let id = "host.memory", title = "Free memory for planned guests"
        guard let mem = root.memInfo(), let available = mem.availableBytes ?? mem.freeBytes else {
            return CheckResult(id: id, title: title, status: .skip, summary: "proc/meminfo not readable")
        }
        var details = ["availableBytes": String(available), "plannedBytes": String(options.plannedMemoryBytes)]
        details["totalBytes"] = mem.totalBytes.map { String($0) }
        let have = "\(formatBytes(available)) available of \(formatBytes(mem.totalBytes ?? available))"
        let planned = options.plannedMemoryBytes
        if planned == 0 {
            return CheckResult(id: id, title: title, status: .pass, summary: "\(have); no guests planned", details: details)
        }
        if planned > available {
            return CheckResult(id: id, title: title, status: .fail,
                               summary: "\(have); planned guests need \(formatBytes(planned))",
                               remedy: "give the guests less memory, or plan fewer guests", details: details)
        }
        if Double(planned) > Double(available) * 0.9 {
            return CheckResult(id: id, title: title, status: .warn,
                               summary: "\(have); planned guests need \(formatBytes(planned)), leaving under 10% for the host",
                               remedy: "give the guests less memory, or plan fewer guests", details: details)
        }
        return CheckResult(id: id, title: title, status: .pass, summary: "\(have); planned guests need \(formatBytes(planned))",
                           details: details)
    }

    func checkDisk() -> CheckResult {
        let id = "host.disk", title = "Free disk for guest images"
        guard let live else { return skipOffline(id, title, "free disk space") }
        guard let (path, free) = live.freeDiskBytes(atPath: options.diskPath) else {
            return CheckResult(id: id, title: title, status: .warn, summary: "statvfs failed for \(options.diskPath)")
        }
        let planned = options.plannedDiskBytes
        let details = ["path": path, "freeBytes": String(free), "plannedBytes": String(planned)]
        let have = "\(formatBytes(free)) free at \(path)"
        if planned == 0 {
            return CheckResult(id: id, title: title, status: .pass, summary: "\(have); no guests planned", details: details)
        }
        if planned > free {
            return CheckResult(id: id, title: title, status: .fail, summary: "\(have); planned guests need \(formatBytes(planned))",
                               remedy: "free space under \(path), or put images on a larger file system", details: details)
        }
        return CheckResult(id: id, title: title, status: .pass, summary: "\(have); planned guests need \(formatBytes(planned))",
                           details: details)
    }
}

/// 1536 MiB → "1.5 GiB".
func formatBytes(_ n: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n)
    var i = 0
    while value >= 1024, i < units.count - 1 { value /= 1024; i += 1 }
    return i == 0 ? "\(n) B" : cFormat("%.1f", value) + " " + units[i]
}
