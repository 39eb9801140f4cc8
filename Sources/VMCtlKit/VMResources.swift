import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// `vm set`: a VM's memory and vCPUs, live and persistent where libvirt allows.
///
/// In the definition (`--config`, or a shut-off VM) the VM gets exactly the size
/// given: maximum and current alike, as Multipass's `set` does. A running VM
/// changes within the maximum it booted with: memory through its balloon,
/// vCPUs by hot-plug; more than that maximum needs the VM shut off.
public struct VMResources: Sendable {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// What `vm set` was asked, as typed values.
    public struct Request: Sendable {
        public var memory: String?
        public var vcpus: Int?
        public var live = false
        public var config = false

        public init(memory: String? = nil, vcpus: Int? = nil, live: Bool = false, config: Bool = false) {
            self.memory = memory
            self.vcpus = vcpus
            self.live = live
            self.config = config
        }
    }

    struct Plan {
        var domain: Domain
        var scope: ChangeScope
        var memoryKiB: UInt64?
        var vcpus: Int?
        /// Held from the checks to the last change.
        var lock: ObjectLock
    }

    /// Checks every value against the VM before the first change.
    func plan(_ nameOrUUID: String, _ request: Request, progress: any ProgressReporter) throws(VMCtlError) -> Plan {
        guard request.memory != nil || request.vcpus != nil else {
            throw .invalid(field: "vm set", "give --memory SIZE, --vcpus N or both")
        }
        let given = try request.memory.map { text throws(VMCtlError) in try GivenSize(parsing: text, field: .vm(.memory)) }
        if let given { try VMSpec.check(memory: given) }
        let memory = given?.size
        if let vcpus = request.vcpus { try VMSpec.check(vcpus: vcpus) }
        let domain = try VMLifecycle(connection: connection).domain(nameOrUUID: nameOrUUID)
        let name = domain.name
        let lock = try VMLifecycle(connection: connection).lock(domain, progress: progress)
        let scope = try ChangeScope.resolve(live: request.live, config: request.config, domain: domain)
        if let memory, memory > (try HostFacts.read(connection, cpuVendor: false)).memory {
            throw .invalid(field: "--memory", "\"\(request.memory ?? "")\" is not allowed: more than this host's memory")
        }
        if scope.live {
            let live = try libvirt("reading '\(name)'") { try DomainDefinition(xml: try domain.xml()) }
            if let memory {
                guard memory <= live.memory else {
                    throw .invalid(field: "--memory", "\(memory) is above the \(live.memory) '\(name)' booted with; stop it to grow past that, or use --config")
                }
                guard let balloon = live.memoryBalloon, balloon.model != "none" else {
                    throw .invalid(field: "--memory", "'\(name)' has no memory balloon, so its memory changes only while it is shut off; use --config")
                }
            }
            if let vcpus = request.vcpus {
                let maximum = try libvirt("reading '\(name)'") { try domain.vcpuCount([.live, .maximum]) }
                guard vcpus <= maximum else {
                    throw .invalid(field: "--vcpus", "\(vcpus) is above the \(maximum) '\(name)' booted with; stop it to grow past that, or use --config")
                }
            }
        }
        return Plan(domain: domain, scope: scope, memoryKiB: memory.map { $0.bytes / 1024 }, vcpus: request.vcpus, lock: lock)
    }

    /// Plans, then applies: the definition first (undone if the live change fails), then the running VM.
    /// The corresponding C functions are `virDomainSetMemoryFlags` and `virDomainSetVcpusFlags`.
    public func set(_ nameOrUUID: String, _ request: Request, progress: any ProgressReporter = SilentProgress()) throws(VMCtlError) -> VMChangeResult {
        let plan = try plan(nameOrUUID, request, progress: progress)
        defer { withExtendedLifetime(plan.lock) {} }
        let domain = plan.domain
        let name = domain.name
        let rollback = Rollback(progress: progress)
        try rollback.guarding { () throws(VMCtlError) in
            if plan.scope.config {
                let before = try libvirt("reading '\(name)'") { try DomainDefinition(xml: try domain.xml([.inactive])) }
                if let kiB = plan.memoryKiB {
                    // The maximum first when growing, last when shrinking: current never exceeds it.
                    let order: [DomainMemoryFlags] = kiB > before.memory.bytes / 1024 ? [[.config, .maximum], .config] : [.config, [.config, .maximum]]
                    for flags in order { try libvirt("setting the memory of '\(name)'") { try domain.setMemory(kiB: kiB, flags: flags) } }
                    rollback.onFailure("restore the memory of \(name)") {
                        try domain.setMemory(kiB: before.memory.bytes / 1024, flags: [.config, .maximum])
                        try domain.setMemory(kiB: (before.currentMemory ?? before.memory).bytes / 1024, flags: .config)
                    }
                }
                if let vcpus = plan.vcpus {
                    let (maximum, current) = try libvirt("reading '\(name)'") {
                        (try domain.vcpuCount([.config, .maximum]), try domain.vcpuCount(.config))
                    }
                    let order: [DomainVcpuFlags] = vcpus > maximum ? [[.config, .maximum], .config] : [.config, [.config, .maximum]]
                    for flags in order { try libvirt("setting the vCPUs of '\(name)'") { try domain.setVcpus(vcpus, flags: flags) } }
                    rollback.onFailure("restore the vCPUs of \(name)") {
                        try domain.setVcpus(maximum, flags: [.config, .maximum])
                        try domain.setVcpus(current, flags: .config)
                    }
                }
            }
            if plan.scope.live {
                if let kiB = plan.memoryKiB {
                    try libvirt("setting the memory of running '\(name)'") { try domain.setMemory(kiB: kiB, flags: .live) }
                }
                if let vcpus = plan.vcpus {
                    try libvirt("setting the vCPUs of running '\(name)'") { try domain.setVcpus(vcpus, flags: .live) }
                }
            }
        }
        var result = VMChangeResult(name: name, action: "set", scope: plan.scope)
        result.memoryBytes = plan.memoryKiB.map { $0 * 1024 }
        result.vcpus = plan.vcpus
        return result
    }
}
