import Foundation
import Libvirt
import Testing

/// `Domain.cpuStats`, which the test driver reports for running domains.
@Suite struct CPUStatsTests {
    @Test func totalAndPerHostCPU() throws {
        let connection = try Fixture.connection()
        let domain = try connection.domain(named: "lab-controller")
        let total = try domain.cpuStats()
        #expect(total["cpu_time"]?.uint64Value != nil)
        let perCPU = try domain.cpuStats(perHostCPUFrom: 0)
        #expect(perCPU.count == 4)
        #expect(perCPU.allSatisfy { $0["cpu_time"]?.uint64Value != nil })
        #expect(try domain.cpuStats(perHostCPUFrom: 2, count: 1).count == 1)
        let stopped = try connection.domain(named: "lab-storage")
        #expect(errorCode { _ = try stopped.cpuStats() } == .operationInvalid)
    }
}
