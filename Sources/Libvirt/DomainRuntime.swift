import CLibvirt

/// How `Domain.startDirtyRateCalculation` measures (`virDomainDirtyRateCalcFlags`).
public struct DirtyRateMode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Sample pages and compare their hashes (works with any accelerator).
    public static let pageSampling = Self(rawValue: VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING.rawValue)
    /// Use a dirty bitmap.
    public static let dirtyBitmap = Self(rawValue: VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP.rawValue)
    /// Use KVM's dirty ring.
    public static let dirtyRing = Self(rawValue: VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING.rawValue)
}

extension Domain {
    /// Changes an I/O thread's settings on the running domain (libvirt's keys:
    /// `poll_max_ns` as `.uint64`, `poll_grow` and `poll_shrink` as `.uint`,
    /// `thread_pool_min` and `thread_pool_max` as `.int`; libvirt refuses another type).
    /// The corresponding C function is `virDomainSetIOThreadParams`.
    public func setIOThreadParameters(
        id: Int, _ values: [String: TypedParameterValue], impact: DomainModificationImpact = .live
    ) throws {
        try TypedParameterValue.write(values) { virDomainSetIOThreadParams(handle, UInt32(id), $0, $1, impact.rawValue) }
    }

    /// Starts measuring how fast the running guest dirties its memory, over
    /// `seconds`; read the result from `Connection.domainStats(.dirtyRate, …)`
    /// (`dirtyrate.calc_status` 2 when measured, `dirtyrate.megabytes_per_second`).
    /// The corresponding C function is `virDomainStartDirtyRateCalc`.
    public func startDirtyRateCalculation(seconds: Int32, mode: DirtyRateMode = .pageSampling) throws {
        try Call.status { virDomainStartDirtyRateCalc(handle, seconds, mode.rawValue) }
    }
}

extension Domain {
    /// Plugs (`enabled`) or unplugs the vCPUs listed in `vcpus`, such as `"1"`
    /// or `"1-3,^2"` (libvirt's list syntax); the domain's `<vcpus>` must mark
    /// them hotpluggable. Unplugging needs the guest's cooperation (ACPI).
    /// The corresponding C function is `virDomainSetVcpu`.
    public func setVcpu(_ vcpus: String, enabled: Bool, impact: DomainModificationImpact = .live) throws {
        try Call.status { virDomainSetVcpu(handle, vcpus, enabled ? 1 : 0, impact.rawValue) }
    }

    /// The size in bytes of the cache for XBZRLE-compressed migration.
    /// The corresponding C function is `virDomainMigrateGetCompressionCache`.
    public func migrationCompressionCacheSize() throws -> UInt64 {
        var size: UInt64 = 0
        try Call.status { virDomainMigrateGetCompressionCache(handle, &size, 0) }
        return size
    }

    /// Sets the size in bytes of the cache for XBZRLE-compressed migration
    /// (QEMU wants a power of two), before or during a migration.
    /// The corresponding C function is `virDomainMigrateSetCompressionCache`.
    public func setMigrationCompressionCacheSize(_ size: UInt64) throws {
        try Call.status { virDomainMigrateSetCompressionCache(handle, size, 0) }
    }
}
