import CLibvirt

/// Flags for `Connection.compareHypervisorCPU` (`virConnectCompareCPUFlags`).
public struct CompareCPUFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Throw `.cpuIncompatible` (with the reason) instead of returning `.incompatible`.
    public static let failIncompatible = Self(rawValue: VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE.rawValue)
    /// Check the XML against libvirt's RelaxNG schema first.
    public static let validateXML = Self(rawValue: VIR_CONNECT_COMPARE_CPU_VALIDATE_XML.rawValue)
}

/// Which hypervisor `compareHypervisorCPU` and `baselineHypervisorCPU` ask; each
/// `nil` lets libvirt choose (the default emulator, the host's arch, the
/// default machine type, the best virt type).
public struct HypervisorTarget: Sendable, Hashable {
    public var emulator: String?
    public var arch: String?
    public var machine: String?
    /// `kvm` or `qemu` (TCG) for the QEMU driver.
    public var virtType: String?

    public init(emulator: String? = nil, arch: String? = nil, machine: String? = nil, virtType: String? = nil) {
        self.emulator = emulator
        self.arch = arch
        self.machine = machine
        self.virtType = virtType
    }
}

extension Connection {
    /// Compares the `<cpu>` described by `xml` with the CPU the hypervisor can
    /// give a guest (for TCG, what QEMU emulates), rather than the host's CPU.
    /// The corresponding C function is `virConnectCompareHypervisorCPU`.
    public func compareHypervisorCPU(
        xml: String, on target: HypervisorTarget = HypervisorTarget(), flags: CompareCPUFlags = []
    ) throws -> CPUComparison {
        CPUComparison(rawValue: try Call.status {
            virConnectCompareHypervisorCPU(
                pointer, target.emulator, target.arch, target.machine, target.virtType, xml, flags.rawValue)
        })
    }

    /// The most capable `<cpu>` that every CPU described in `xmls` can provide
    /// and that the hypervisor can run.
    /// The corresponding C function is `virConnectBaselineHypervisorCPU`.
    public func baselineHypervisorCPU(
        of xmls: [String], on target: HypervisorTarget = HypervisorTarget(), flags: BaselineCPUFlags = []
    ) throws -> String {
        try withCStrings(xmls) { list in
            try Call.ownedString {
                virConnectBaselineHypervisorCPU(
                    pointer, target.emulator, target.arch, target.machine, target.virtType, list,
                    UInt32(xmls.count), flags.rawValue)
            }
        }
    }

    /// Converts domain XML to a driver's native configuration, such as
    /// `qemu-argv` (the QEMU command line libvirt would run).
    /// The corresponding C function is `virConnectDomainXMLToNative`.
    public func domainXMLToNative(format: String, xml: String) throws -> String {
        try Call.ownedString { virConnectDomainXMLToNative(pointer, format, xml, 0) }
    }

    /// Converts a driver's native configuration (`xen-xl`, `vmware-vmx`,
    /// `lxc-tools`, `bhyve-argv`, …) to domain XML. The QEMU driver has no such
    /// conversion and throws `.noSupport`.
    /// The corresponding C function is `virConnectDomainXMLFromNative`.
    public func domainXMLFromNative(format: String, config: String) throws -> String {
        try Call.ownedString { virConnectDomainXMLFromNative(pointer, format, config, 0) }
    }
}
