import CLibvirt

extension Domain {
    /// The domain's CPU time summed over all host CPUs, by libvirt's keys
    /// (`cpu_time`, `user_time`, `system_time`, in nanoseconds, as the driver has them).
    /// The corresponding C function is `virDomainGetCPUStats`.
    public func cpuStats() throws -> [String: TypedParameterValue] {
        let count = try Call.status { virDomainGetCPUStats(handle, nil, 0, -1, 1, 0) }
        guard count > 0 else { return [:] }
        var parameters = [virTypedParameter](repeating: virTypedParameter(), count: Int(count))
        return try parameters.withUnsafeMutableBufferPointer { buffer in
            let filled = try Call.status { virDomainGetCPUStats(handle, buffer.baseAddress, UInt32(count), -1, 1, 0) }
            defer { virTypedParamsClear(buffer.baseAddress, count) }
            return TypedParameterValue.dictionary(buffer.baseAddress, count: filled)
        }
    }

    /// The domain's CPU time on each host CPU from `firstCPU` (`count` nil: to the
    /// last), one dictionary per host CPU (for QEMU, `cpu_time` and `vcpu_time`).
    /// The corresponding C function is `virDomainGetCPUStats`.
    public func cpuStats(perHostCPUFrom firstCPU: Int = 0, count: Int? = nil) throws -> [[String: TypedParameterValue]] {
        let hostCPUs = try Call.status { virDomainGetCPUStats(handle, nil, 0, 0, 0, 0) }
        let cpus = Int32(count ?? max(0, Int(hostCPUs) - firstCPU))
        let perCPU = try Call.status { virDomainGetCPUStats(handle, nil, 0, Int32(firstCPU), 1, 0) }
        guard cpus > 0, perCPU > 0 else { return [] }
        let total = Int(perCPU) * Int(cpus)
        var parameters = [virTypedParameter](repeating: virTypedParameter(), count: total)
        return try parameters.withUnsafeMutableBufferPointer { buffer in
            let filled = try Call.status {
                virDomainGetCPUStats(handle, buffer.baseAddress, UInt32(perCPU), Int32(firstCPU), UInt32(cpus), 0)
            }
            defer { virTypedParamsClear(buffer.baseAddress, Int32(total)) }
            return (0..<Int(cpus)).map { cpu in
                // libvirt leaves a CPU's unused slots empty (no field name, type 0).
                TypedParameterValue.dictionary(buffer.baseAddress! + cpu * Int(perCPU), count: filled)
                    .filter { !$0.key.isEmpty }
            }
        }
    }
}
