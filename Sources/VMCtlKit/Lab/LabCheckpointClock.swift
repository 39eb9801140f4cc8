import FoundationEssentials
import HostCheck
import TextSupport
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// A reverted guest's clock reads the checkpoint's time: it resumes from the
/// saved memory, clock included, minutes or hours behind the host (kolla's
/// services and TLS notice). vmctl sets it to the host's time: through the
/// guest agent (virDomainSetTime) where the node has its channel, else over
/// SSH with the plan's login (`sudo -n date -s @SECONDS`).
extension LabRunner {
    /// Seconds to keep trying the agent: its channel is connected again a moment after the resume.
    static let agentClockWait: Double = 15

    /// Node → "agent", or why the agent could not set it.
    func setClocksWithAgent(_ targets: [CheckpointTarget]) -> [String: String] {
        let results = LockedArray<(String, String)>()
        forEachConcurrently(targets, workers: max(1, targets.count)) { [progress] target in
            guard target.definition?.guestAgent == true else {
                results.append((target.node.name, "no guest agent channel"))
                return
            }
            // An agent that was not connected when the checkpoint was taken is not
            // connected after the revert either: no use waiting for it.
            let connected = { (try? DomainDefinition.guestAgentConnected(liveXML: target.domain.xml())) == true }
            let deadline = Date().addingTimeInterval(Self.agentClockWait)
            var last = "its channel is not connected (no agent runs in the guest)"
            while !connected() && Date() < deadline { sleepThread(seconds: 0.5) }
            guard connected() else {
                results.append((target.node.name, "the guest agent did not set it: \(last)"))
                return
            }
            repeat {
                do {
                    try target.domain.setTime(.seconds(Self.now()))
                    progress.step("\(target.node.name): clock set to the host's through the guest agent")
                    results.append((target.node.name, "agent"))
                    return
                } catch {
                    last = "\(error)"
                    sleepThread(seconds: 0.5)
                }
            } while Date() < deadline
            results.append((target.node.name, "the guest agent did not set it: \(last)"))
        }
        return Dictionary(results.values, uniquingKeysWith: { first, _ in first })
    }

    /// Sets the clock over SSH: one round trip first measures how long the
    /// connection takes, and the time sent is the host's plus that, so it
    /// is right when `date` runs. "ssh", or "not set: WHY". The host key is
    /// checked as lab up's readiness wait and the inventory check it: the
    /// lab's known_hosts entry for the node's domain, strictly.
    func setClockOverSSH(_ target: CheckpointTarget, address: String?, agentProblem: String?) -> String {
        let why = agentProblem.map { "\($0); " } ?? ""
        guard let key = plan.login.privateKey else { return "not set: \(why)the plan has no login.private_key for SSH" }
        guard let address else { return "not set: \(why)no address known for SSH" }
        let known = KnownHost.of(domain: target.domainName, lab: plan.name)
        let ssh = SSHCommand(user: plan.login.user, host: address, hostKeys: .known(known), privateKey: key, connectTimeout: 10)
        let start = Self.now()
        guard let probe = try? ChildProcess.run(ssh.executable, ssh.arguments(remote: ["true"]), timeout: 30) else {
            return "not set: \(why)cannot run \(ssh.executable)"
        }
        guard probe.status == 0 else {
            // ssh's own reason: a refused host key is named with both fingerprints.
            let reason = HostKeyCheck.refusal(vm: target.domainName, address: address, known: (try? known.keys()) ?? [], sshErrors: probe.errors)
                ?? probe.errors.trimmingWhitespace().split(separator: "\n").last.map { String($0.prefix(200)) } ?? "exit status \(probe.status)"
            return "not set: \(why)SSH to \(address) as \(plan.login.user) failed: \(reason)"
        }
        let roundTrip = Self.now() - start
        let seconds = Self.now() + roundTrip
        let stamp = cFormat("@%.3f", seconds)
        let result = try? ChildProcess.run(ssh.executable, ssh.arguments(remote: ["sudo", "-n", "date", "-u", "-s", stamp]), timeout: 30)
        guard let result, result.status == 0 else {
            let reason = result?.errors.trimmingWhitespace().split(separator: "\n").last.map { ": " + $0.prefix(200) } ?? ""
            return "not set: \(why)sudo -n date over SSH failed\(reason)"
        }
        progress.step("\(target.node.name): clock set to the host's over SSH")
        return "ssh"
    }
}
