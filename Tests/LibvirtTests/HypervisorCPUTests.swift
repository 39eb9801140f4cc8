import Foundation
import Libvirt
import Testing

/// What the QEMU driver says about CPUs and configurations without a guest.
@Suite(.enabled(if: SystemDaemon.enabled)) struct HypervisorCPUTests {
    let tcg = HypervisorTarget(arch: "x86_64", virtType: "qemu")

    @Test func compareAndBaselineAgainstWhatTCGEmulates() throws {
        let connection = try Connection(uri: SystemDaemon.uri)
        let qemu64 = "<cpu><arch>x86_64</arch><model>qemu64</model></cpu>"
        let comparison = try connection.compareHypervisorCPU(xml: qemu64, on: tcg)
        #expect(comparison == .superset || comparison == .identical)

        let avx512 = "<cpu><arch>x86_64</arch><model>qemu64</model><feature policy='require' name='avx512f'/></cpu>"
        #expect(try connection.compareHypervisorCPU(xml: avx512, on: tcg) == .incompatible)
        #expect(errorCode { _ = try connection.compareHypervisorCPU(xml: avx512, on: tcg, flags: .failIncompatible) } == .cpuIncompatible)

        let baseline = try connection.baselineHypervisorCPU(of: [qemu64], on: tcg)
        #expect(baseline.contains("<model fallback='forbid'>qemu64</model>"))
        let expanded = try connection.baselineHypervisorCPU(of: [qemu64], on: tcg, flags: .expandFeatures)
        #expect(expanded.contains("<feature"))
    }

    @Test func domainXMLToQEMUCommandLine() throws {
        let connection = try Connection(uri: SystemDaemon.uri)
        let argv = try connection.domainXMLToNative(format: "qemu-argv", xml: """
            <domain type='qemu'>
              <name>vmctl-test-cov-native</name>
              <memory unit='MiB'>128</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
            </domain>
            """)
        #expect(argv.contains("qemu-system-x86_64"))
        #expect(argv.contains("-name guest=vmctl-test-cov-native"))
        #expect(argv.contains("-m 128"))
        #expect(errorCode { _ = try connection.domainXMLToNative(format: "bogus-format", xml: "<domain/>") } != nil)
        // QEMU has no native-to-XML conversion (libvirt removed qemu-argv parsing);
        // the call reaches the driver and comes back with its code.
        #expect(errorCode { _ = try connection.domainXMLFromNative(format: "qemu-argv", config: argv) } == .noSupport)
    }
}
