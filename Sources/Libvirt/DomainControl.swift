import CLibvirt

extension Domain {
    /// The guest OS type, such as `hvm`.
    /// The corresponding C function is `virDomainGetOSType`.
    public func osType() throws -> String {
        try Call.ownedString { virDomainGetOSType(handle) }
    }

    /// The guest's host name, from DHCP leases or the guest agent (`sources` empty: the driver's choice).
    /// The corresponding C function is `virDomainGetHostname`.
    public func hostname(from sources: DomainHostnameSources = []) throws -> String {
        try Call.ownedString { virDomainGetHostname(handle, sources.rawValue) }
    }

    /// Renames a shut-off persistent domain.
    /// The corresponding C function is `virDomainRename`.
    public func rename(to newName: String) throws {
        try Call.status { virDomainRename(handle, newName, 0) }
    }

    /// Whether the persistent definition changed since the domain started.
    /// The corresponding C function is `virDomainIsUpdated`.
    public func isUpdated() throws -> Bool {
        try Call.status { virDomainIsUpdated(handle) } == 1
    }

    /// The guest's clock (through the guest agent where the driver needs one).
    /// The corresponding C function is `virDomainGetTime`.
    public func time() throws -> Duration {
        var seconds: Int64 = 0
        var nanoseconds: UInt32 = 0
        try Call.status { virDomainGetTime(handle, &seconds, &nanoseconds, 0) }
        return .seconds(seconds) + .nanoseconds(Int64(nanoseconds))
    }

    /// Sizes of one disk in bytes (`virDomainBlockInfo`).
    /// The corresponding C function is `virDomainGetBlockInfo`.
    public func blockInfo(_ disk: String) throws -> DomainBlockInfo {
        var info = virDomainBlockInfo()
        try Call.status { virDomainGetBlockInfo(handle, disk, &info, 0) }
        return DomainBlockInfo(capacity: UInt64(info.capacity), allocation: UInt64(info.allocation), physical: UInt64(info.physical))
    }

    /// The name of the domain's CPU scheduler, such as `posix` or `fair`.
    /// The corresponding C function is `virDomainGetSchedulerType`.
    public func schedulerType() throws -> String {
        var count: Int32 = 0
        return try Call.ownedString { virDomainGetSchedulerType(handle, &count) }
    }

    /// Presses `keys` together for `holdTime` milliseconds (0: libvirt's default).
    /// The corresponding C function is `virDomainSendKey`.
    public func sendKey(_ keys: [UInt32], codeSet: KeycodeSet = .linux, holdTime: UInt32 = 0) throws {
        var codes = keys
        try Call.status { virDomainSendKey(handle, codeSet.rawValue, holdTime, &codes, Int32(codes.count), 0) }
    }

    /// Sends a non-maskable interrupt to the guest.
    /// The corresponding C function is `virDomainInjectNMI`.
    public func injectNMI() throws {
        try Call.status { virDomainInjectNMI(handle, 0) }
    }

    /// Asks the guest to suspend itself (to memory, disk or both), through the guest agent.
    /// The corresponding C function is `virDomainPMSuspendForDuration`.
    public func pmSuspend(_ target: NodeSuspendTarget, seconds: UInt64 = 0) throws {
        try Call.status { virDomainPMSuspendForDuration(handle, target.rawValue, seconds, 0) }
    }

    /// Wakes a guest suspended to memory.
    /// The corresponding C function is `virDomainPMWakeup`.
    public func pmWakeup() throws {
        try Call.status { virDomainPMWakeup(handle, 0) }
    }

    /// Sets what happens when the guest powers off, reboots or crashes.
    /// The corresponding C function is `virDomainSetLifecycleAction`.
    public func setLifecycleAction(
        _ action: DomainLifecycleAction, on event: DomainLifecycleEvent, impact: DomainModificationImpact = .current
    ) throws {
        try Call.status { virDomainSetLifecycleAction(handle, event.rawValue, action.rawValue, impact.rawValue) }
    }

    /// Pins one vCPU to the host CPUs in `hostCPUs` (numbered from 0).
    /// The corresponding C function is `virDomainPinVcpuFlags`.
    public func pinVcpu(_ vcpu: Int, to hostCPUs: Set<Int>, impact: DomainModificationImpact = .current) throws {
        var map = CPUMap.bytes(hostCPUs)
        try Call.status { virDomainPinVcpuFlags(handle, UInt32(vcpu), &map, Int32(map.count), impact.rawValue) }
    }

    /// For each vCPU, the host CPUs it may run on, among the first `hostCPUs`.
    /// The corresponding C function is `virDomainGetVcpuPinInfo`.
    public func vcpuPinning(hostCPUs: Int, impact: DomainModificationImpact = .current) throws -> [Set<Int>] {
        let vcpus = try vcpuCount(impact.contains(.config) ? [.config, .maximum] : [.maximum])
        let length = (hostCPUs + 7) / 8
        var maps = [UInt8](repeating: 0, count: vcpus * length)
        let count = try Call.status { virDomainGetVcpuPinInfo(handle, Int32(vcpus), &maps, Int32(length), impact.rawValue) }
        return (0..<Int(count)).map { vcpu in CPUMap.cpus(maps[vcpu * length..<(vcpu + 1) * length], count: hostCPUs) }
    }

    /// The domain's current background job (save, dump, migration, …).
    /// The corresponding C function is `virDomainGetJobInfo`.
    public func jobInfo() throws -> DomainJobInfo {
        var info = virDomainJobInfo()
        try Call.status { virDomainGetJobInfo(handle, &info) }
        return DomainJobInfo(
            type: DomainJobType(rawValue: info.type), elapsedMilliseconds: info.timeElapsed,
            remainingMilliseconds: info.timeRemaining, dataTotal: info.dataTotal, dataProcessed: info.dataProcessed,
            dataRemaining: info.dataRemaining)
    }

    /// Cancels the domain's current background job.
    /// The corresponding C function is `virDomainAbortJobFlags`.
    public func abortJob(_ flags: DomainAbortJobFlags = []) throws {
        try Call.status { virDomainAbortJobFlags(handle, flags.rawValue) }
    }

    /// Takes a screenshot of `screen` into `stream` (read it with `stream.receive`);
    /// returns its MIME type, such as `image/png`.
    /// The corresponding C function is `virDomainScreenshot`.
    public func screenshot(into stream: Stream, screen: UInt32 = 0) throws -> String {
        try Call.ownedString { virDomainScreenshot(handle, stream.handle, screen, 0) }
    }
}

/// Sizes of a domain's disk in bytes (`virDomainBlockInfo`).
public struct DomainBlockInfo: Hashable, Sendable {
    /// What the guest sees.
    public var capacity: UInt64
    /// Host storage in use.
    public var allocation: UInt64
    /// Host storage the image may take (for a file, its size).
    public var physical: UInt64
}

/// `virDomainJobType`; an open struct so new types round-trip.
public struct DomainJobType: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: virDomainJobType) { rawValue = Int32(value.rawValue) }
    public static let none = Self(VIR_DOMAIN_JOB_NONE)
    public static let bounded = Self(VIR_DOMAIN_JOB_BOUNDED)
    public static let unbounded = Self(VIR_DOMAIN_JOB_UNBOUNDED)
    public static let completed = Self(VIR_DOMAIN_JOB_COMPLETED)
    public static let failed = Self(VIR_DOMAIN_JOB_FAILED)
    public static let cancelled = Self(VIR_DOMAIN_JOB_CANCELLED)
}

/// A domain's background job (`virDomainJobInfo`; the common fields).
public struct DomainJobInfo: Hashable, Sendable {
    public var type: DomainJobType
    public var elapsedMilliseconds: UInt64
    /// Only for `.bounded` jobs.
    public var remainingMilliseconds: UInt64
    public var dataTotal: UInt64
    public var dataProcessed: UInt64
    public var dataRemaining: UInt64
}

/// Where `Domain.hostname(from:)` looks (`virDomainGetHostnameFlags`).
public struct DomainHostnameSources: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let lease = Self(rawValue: VIR_DOMAIN_GET_HOSTNAME_LEASE.rawValue)
    public static let agent = Self(rawValue: VIR_DOMAIN_GET_HOSTNAME_AGENT.rawValue)
}

/// Flags for `Domain.abortJob(_:)` (`virDomainAbortJobFlagsValues`).
public struct DomainAbortJobFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Interrupt a post-copy migration.
    public static let postCopy = Self(rawValue: VIR_DOMAIN_ABORT_JOB_POSTCOPY.rawValue)
}

/// The key code set of `Domain.sendKey` (`virKeycodeSet`).
public struct KeycodeSet: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let linux = Self(rawValue: VIR_KEYCODE_SET_LINUX.rawValue)
    public static let xt = Self(rawValue: VIR_KEYCODE_SET_XT.rawValue)
    public static let atSet1 = Self(rawValue: VIR_KEYCODE_SET_ATSET1.rawValue)
    public static let atSet2 = Self(rawValue: VIR_KEYCODE_SET_ATSET2.rawValue)
    public static let atSet3 = Self(rawValue: VIR_KEYCODE_SET_ATSET3.rawValue)
    public static let osx = Self(rawValue: VIR_KEYCODE_SET_OSX.rawValue)
    public static let xtKeyboard = Self(rawValue: VIR_KEYCODE_SET_XT_KBD.rawValue)
    public static let usb = Self(rawValue: VIR_KEYCODE_SET_USB.rawValue)
    public static let win32 = Self(rawValue: VIR_KEYCODE_SET_WIN32.rawValue)
    public static let qnum = Self(rawValue: VIR_KEYCODE_SET_QNUM.rawValue)
}

/// What a guest suspends to (`virNodeSuspendTarget`).
public struct NodeSuspendTarget: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let memory = Self(rawValue: VIR_NODE_SUSPEND_TARGET_MEM.rawValue)
    public static let disk = Self(rawValue: VIR_NODE_SUSPEND_TARGET_DISK.rawValue)
    public static let hybrid = Self(rawValue: VIR_NODE_SUSPEND_TARGET_HYBRID.rawValue)
}

/// The guest events `Domain.setLifecycleAction` configures (`virDomainLifecycle`).
public struct DomainLifecycleEvent: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let powerOff = Self(rawValue: VIR_DOMAIN_LIFECYCLE_POWEROFF.rawValue)
    public static let reboot = Self(rawValue: VIR_DOMAIN_LIFECYCLE_REBOOT.rawValue)
    public static let crash = Self(rawValue: VIR_DOMAIN_LIFECYCLE_CRASH.rawValue)
}

/// What libvirt does on a lifecycle event (`virDomainLifecycleAction`).
public struct DomainLifecycleAction: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let destroy = Self(rawValue: VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY.rawValue)
    public static let restart = Self(rawValue: VIR_DOMAIN_LIFECYCLE_ACTION_RESTART.rawValue)
    public static let restartRename = Self(rawValue: VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME.rawValue)
    public static let preserve = Self(rawValue: VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE.rawValue)
    public static let coredumpDestroy = Self(rawValue: VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY.rawValue)
    public static let coredumpRestart = Self(rawValue: VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART.rawValue)
}
