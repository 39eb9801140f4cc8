import ArgumentParser
import FoundationEssentials
import Libvirt
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// `--wait STAGE` and `--wait-timeout SECONDS`, for commands that start guests.
struct WaitOptions: ParsableArguments {
    @Option(help: "Return once the guest is ready up to this stage: none, address, ssh or cloud-init (ssh and cloud-init need the login key).")
    var wait: String?

    @Option(help: "Seconds to wait for --wait at most.")
    var waitTimeout: Double = 600

    func validate() throws {
        guard (1...3600).contains(waitTimeout) else { throw ValidationError("--wait-timeout: must be 1 to 3600 seconds") }
    }

    /// The stage to wait for, or nil; a bad name is bad input (exit 64).
    func stage() throws(VMCtlError) -> ReadinessStage? {
        try wait.flatMap { text throws(VMCtlError) in try ReadinessStage.waitTarget(text) }
    }

    /// Waits for each domain and prints each one's stage times as progress.
    func waitIfAsked(_ domains: [Domain], on connection: Connection, progress: any ProgressReporter) throws -> [ReadinessReport] {
        guard let stage = try stage() else { return [] }
        let targets = domains.map { ReadinessTarget.forDomain($0, on: connection) }
        let reports = try ReadinessWaiter(progress: progress).wait(for: targets, until: stage, timeout: waitTimeout)
        for report in reports { progress.step("ready: \(report.summary)") }
        return reports
    }
}
