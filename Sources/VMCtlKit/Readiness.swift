import FoundationEssentials
import HostCheck
import Dispatch
import TextSupport
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// How far a guest has come on its way to "ready", in order. `--wait`
/// takes one of these (or `none`): a command returns once every guest has
/// reached it.
public enum ReadinessStage: String, Codable, Sendable, CaseIterable, Comparable {
    /// The domain is defined.
    case defined
    /// The domain runs.
    case booted
    /// The guest holds its management address: a DHCP lease it took, an
    /// address its agent reports, or a static address that answers.
    case address
    /// sshd on the management address sends its banner.
    case ssh
    /// cloud-init has finished (`/run/cloud-init/result.json`, read over
    /// SSH with the login's key, or its final line on the serial log).
    case cloudInit = "cloud-init"

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// What a `--wait` value names: nil for `none`.
    public static func waitTarget(_ text: String, field: String = "--wait") throws(VMCtlError) -> ReadinessStage? {
        if text == "none" { return nil }
        guard let stage = ReadinessStage(rawValue: text), stage >= .address else {
            throw .invalid(field: field, "\"\(text.prefix(40))\" is not allowed: none, address, ssh or cloud-init")
        }
        return stage
    }
}

/// A guest to wait for: its domain, which NIC is its management NIC, and
/// how to log in.
public struct ReadinessTarget: Sendable {
    /// The name shown in progress lines and reports (a lab's node name).
    public var name: String
    public var connection: Connection
    public var domain: Domain
    /// The management NIC's MAC; nil means the domain's first NIC.
    public var mac: MACAddress?
    /// A static address the guest configures itself (no DHCP lease to see).
    public var staticAddress: String?
    public var login: VMMetadata.Login?
    /// The serial console's log file, read for diagnosis and for cloud-init's final line.
    public var serialLog: String?
    /// vmctl's known_hosts entry for the guest: SSH is used only against it.
    public var knownHost: KnownHost?
    /// Where the guest's lease is when not on its own host: a spanned lab
    /// network's DHCP runs on its home host (Lab/SpannedNetwork.swift).
    public var leaseSource: NetworkLeaseSource?

    public init(name: String, connection: Connection, domain: Domain, mac: MACAddress? = nil, staticAddress: String? = nil,
                login: VMMetadata.Login? = nil, serialLog: String? = nil, knownHost: KnownHost? = nil) {
        self.name = name
        self.connection = connection
        self.domain = domain
        self.mac = mac
        self.staticAddress = staticAddress
        self.login = login
        self.serialLog = serialLog
        self.knownHost = knownHost
    }

    /// A target for a VM vmctl created: login and serial log from its definition.
    public static func forDomain(_ domain: Domain, on connection: Connection, name: String? = nil) -> ReadinessTarget {
        let definition = (try? domain.xml([.inactive])).flatMap { try? DomainDefinition(xml: $0) }
        let serialLog = definition?.serials.lazy.compactMap { serial -> String? in
            if case .file(let path) = serial.source { return path }
            return nil
        }.first
        return ReadinessTarget(name: name ?? domain.name, connection: connection, domain: domain, mac: definition?.interfaces.first?.mac,
                               login: definition?.metadata?.login, serialLog: serialLog,
                               knownHost: KnownHost.of(domain: domain.name, lab: definition?.metadata?.lab?.rawValue))
    }
}

/// What a wait found for one guest.
public struct ReadinessReport: Codable, Sendable, Equatable {
    public struct StageTime: Codable, Sendable, Equatable {
        public var stage: ReadinessStage
        /// Seconds from the start of the wait.
        public var seconds: Double
    }
    public var name: String
    /// The last stage reached.
    public var reached: ReadinessStage
    public var address: String?
    public var stages: [StageTime]
    /// cloud-init's errors, each naming the module that failed.
    public var cloudInitErrors: [String]
    /// Why the wait stopped short, or what could not be checked.
    public var note: String?

    public func seconds(_ stage: ReadinessStage) -> Double? { stages.first { $0.stage == stage }?.seconds }

    /// `ctl1: address 3.1 s, ssh 21.4 s, cloud-init 44.0 s`.
    public var summary: String {
        let times = stages.filter { $0.stage > .booted }.map { "\($0.stage.rawValue) \(cFormat("%.1f", $0.seconds)) s" }
        return "\(name): " + (times.isEmpty ? reached.rawValue : times.joined(separator: ", "))
    }
}

/// Waits, within one bound, until guests are ready to be handed to Ansible:
/// each stage of ``ReadinessStage`` in turn, every guest on its own thread.
/// Without a login key, the cloud-init stage is read from the serial log.
public struct ReadinessWaiter: Sendable {
    public var progress: any ProgressReporter
    /// Seconds between probes.
    public var interval: Double = 1

    public init(progress: any ProgressReporter = SilentProgress()) {
        self.progress = progress
    }

    /// Waits until every target has reached `stage` or `timeout` seconds pass.
    /// Throws one line per guest that fell short (the last stage it reached
    /// and the likely cause) or whose cloud-init reported errors.
    public func wait(for targets: [ReadinessTarget], until stage: ReadinessStage, timeout: Double) throws(VMCtlError) -> [ReadinessReport] {
        let reports = LockedArray<ReadinessReport>()
        let deadline = Date().addingTimeInterval(timeout)
        let group = DispatchGroup()
        for target in targets {
            group.enter()
            detachThread { [self] in
                reports.append(probe(target, until: stage, deadline: deadline))
                group.leave()
            }
        }
        group.wait()
        let ordered = targets.compactMap { target in reports.values.first { $0.name == target.name } }
        let failed = ordered.filter { $0.reached < stage || !$0.cloudInitErrors.isEmpty }
        guard failed.isEmpty else {
            let lines = failed.map { report -> String in
                if !report.cloudInitErrors.isEmpty {
                    return "\(report.name): cloud-init finished with errors: \(report.cloudInitErrors.joined(separator: "; "))"
                }
                return "\(report.name): reached \(report.reached.rawValue), not \(stage.rawValue), within \(Int(timeout)) s: \(report.note ?? "no reason found")"
            }
            throw VMCtlError(lines.joined(separator: "\n"))
        }
        return ordered
    }

    /// Walks one guest through the stages up to `stage`.
    func probe(_ target: ReadinessTarget, until stage: ReadinessStage, deadline: Date) -> ReadinessReport {
        let start = Date()
        var report = ReadinessReport(name: target.name, reached: .defined, address: nil, stages: [], cloudInitErrors: [], note: nil)
        func reach(_ next: ReadinessStage) {
            report.reached = next
            let seconds = Date().timeIntervalSince(start)
            report.stages.append(.init(stage: next, seconds: (seconds * 10).rounded() / 10))
            if next > .booted || next == stage {
                progress.step("\(target.name): \(next.rawValue)\(next == .address ? " \(report.address ?? "")" : "") after \(cFormat("%.1f", seconds)) s")
            }
        }
        reach(.defined)
        // A guest whose kernel panicked never gets further: say so at once
        // rather than at the deadline (a TCG guest on a loaded host once
        // panicked in its timer check, and its lab waited out 30 minutes).
        var panic: String?
        func pause() -> Bool {
            guard Date() < deadline else { return false }
            if let log = target.serialLog, let line = SerialLog.kernelPanic(inTail: SerialLog.tail(log, bytes: 4096)) {
                panic = "the guest's kernel panicked: \"\(line)\""
                return false
            }
            sleepThread(seconds: min(interval, max(0, deadline.timeIntervalSinceNow)))
            return true
        }

        while (try? target.domain.state().state) != .running {
            guard pause() else {
                report.note = panic ?? "the domain is \((try? target.domain.state().state.description) ?? "gone"); start it with vmctl vm start \(target.domain.name)"
                return report
            }
        }
        reach(.booted)
        guard stage > .booted else { return report }

        let finder = VMAddressFinder(connection: target.connection)
        while report.address == nil {
            if let fixed = target.staticAddress {
                // A static address is on the guest once it answers at all: a refused connection counts.
                if SSHBanner.probe(host: fixed, timeout: 1, bannerTimeout: 0) != .unreachable { report.address = fixed }
            } else if let source = target.leaseSource, let mac = target.mac {
                report.address = source.address(of: mac)
            } else {
                let found = finder.addresses(of: target.domain).filter { $0.family == "ipv4" }
                let wanted = target.mac?.description.lowercased()
                report.address = (found.first { $0.mac?.lowercased() == wanted } ?? (wanted == nil ? found.first : nil))?.address
            }
            if report.address != nil { break }
            guard pause() else {
                report.note = panic ?? diagnoseAddress(target)
                return report
            }
        }
        reach(.address)
        guard stage > .address, let address = report.address else { return report }

        while SSHBanner.probe(host: address, timeout: 2) != .banner {
            guard pause() else {
                report.note = panic ?? "sshd on \(address):22 never answered" + serialHint(target)
                return report
            }
        }
        reach(.ssh)
        guard stage > .ssh else { return report }

        var lastProblem = "cloud-init had not finished"
        while true {
            switch cloudInitResult(target, address: address) {
            case .finished(let errors):
                report.cloudInitErrors = errors
                reach(.cloudInit)
                return report
            case .running(let why):
                lastProblem = why
            case .uncheckable(let why):
                report.note = why
                return report
            }
            guard pause() else {
                report.note = panic ?? lastProblem + serialHint(target)
                return report
            }
        }
    }

    enum CloudInitState: Equatable {
        case finished(errors: [String])
        case running(String)
        case uncheckable(String)
    }

    /// cloud-init's result: over SSH with the login's key against the host key
    /// vmctl knows, else from the serial log. A guest presenting another key is
    /// refused at once, with both fingerprints.
    func cloudInitResult(_ target: ReadinessTarget, address: String) -> CloudInitState {
        if let login = target.login, let key = login.privateKeyPath, let known = target.knownHost,
           let knownKeys = try? known.keys(), !knownKeys.isEmpty {
            let command = SSHCommand(user: login.user, host: address, hostKeys: .known(known), privateKey: key, connectTimeout: 5)
            guard let run = try? ChildProcess.run(command.executable, command.arguments(remote: ["cat", "/run/cloud-init/result.json"]),
                                                  timeout: 15)
            else {
                return .uncheckable("cannot run ssh (install openssh-client)")
            }
            switch run.status {
            case 0:
                return CloudInitResultParser.parse(run.output).map { .finished(errors: $0) }
                    ?? .running("/run/cloud-init/result.json is not cloud-init's result yet")
            case 255:
                if let refusal = HostKeyCheck.refusal(vm: target.name, address: address, known: knownKeys, sshErrors: run.errors) {
                    return .uncheckable(refusal)
                }
                let reason = run.errors.split(separator: "\n").last.map(String.init) ?? "ssh failed"
                return .running("ssh as \(login.user) with \(key) failed: \(reason.prefix(200))")
            default:
                return .running("cloud-init had not finished (no /run/cloud-init/result.json)")
            }
        }
        if let log = target.serialLog {
            let tail = SerialLog.tail(log, bytes: 256 * 1024)
            if let errors = CloudInitResultParser.parseConsole(tail) { return .finished(errors: errors) }
            return .running("cloud-init's final message is not on the serial log \(log) yet")
        }
        return .uncheckable("cloud-init's result cannot be read: no login key was recorded (vm create --ssh-key @KEY.pub with KEY beside it) and the serial console is not logged to a file")
    }

    /// Why no address came, from the lease table and the serial log.
    func diagnoseAddress(_ target: ReadinessTarget) -> String {
        if let fixed = target.staticAddress { return "the static address \(fixed) never answered" + serialHint(target) }
        let text = VMAddressFinder(connection: target.connection).diagnose(target.domain, timeout: 0)
        // Drop diagnose's leading "no address … within 0 s; ".
        let reason = text.split(separator: ";", maxSplits: 1).dropFirst().first.map { $0.trimmingSpaces() } ?? text
        return reason + serialHint(target)
    }

    /// `; serial log ends: "…"`, when there is a serial log.
    func serialHint(_ target: ReadinessTarget) -> String {
        guard let log = target.serialLog else { return "" }
        guard let last = SerialLog.lastLine(SerialLog.tail(log, bytes: 4096)) else {
            return "; the serial log \(log) is empty (is the guest booting from its disk?)"
        }
        return "; serial log ends: \"\(last.prefix(160))\""
    }
}

/// Reads cloud-init's result: `/run/cloud-init/result.json`, or the final
/// line it prints on the console.
public enum CloudInitResultParser {
    /// The errors in result.json (`{"v1": {"errors": [...]}}`); nil when it is not that document.
    public static func parse(_ json: String) -> [String]? {
        guard let result = try? JSONDecoder().decode(ResultDocument.self, from: Data(json.utf8)) else { return nil }
        return (result.v1.errors ?? []).map { describe($0.text) }
    }

    /// `{"v1": {"errors": [...]}}`; each error is a string, but any JSON value is taken.
    struct ResultDocument: Decodable {
        struct Version1: Decodable { var errors: [ErrorText]? }
        var v1: Version1
    }

    /// One entry of `errors`, as text.
    struct ErrorText: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let text = try? value.decode(String.self) {
                self.text = text
            } else if let number = try? value.decode(Double.self) {
                text = number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
            } else if let flag = try? value.decode(Bool.self) {
                text = String(flag)
            } else {
                text = value.decodeNil() ? "null" : "(a JSON object or array)"
            }
        }
    }

    /// cloud-init writes each error as `('module_name', Exception(...))`; name the module first.
    static func describe(_ error: String) -> String {
        let trimmed = error.trimmingWhitespace()
        if trimmed.hasPrefix("('"), let end = trimmed.dropFirst(2).firstIndex(of: "'") {
            let module = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<end]
            let rest = trimmed[trimmed.index(after: end)...].drop { ", ".contains($0) }.dropLast(trimmed.hasSuffix(")") ? 1 : 0)
            return "module \(module): \(rest.prefix(200))"
        }
        return String(trimmed.prefix(200))
    }

    /// From a console log: nil until cloud-init's final message; then the
    /// modules it reported as failed (`… failed running config-NAME` or
    /// `Running module NAME … failed`).
    public static func parseConsole(_ log: String) -> [String]? {
        guard log.contains("Cloud-init v.") && log.contains(" finished at ") else { return nil }
        var errors: [String] = []
        for line in log.split(whereSeparator: \.isNewline) {
            guard let range = line.firstRange(of: "Running module ") , line.contains("failed") else { continue }
            let module = line[range.upperBound...].prefix { $0 != " " && $0 != "(" }
            errors.append("module \(module): failed (from the serial log)")
        }
        return errors
    }
}

/// The end of a serial log file.
enum SerialLog {
    /// What the kernel panicked with, when a log ends in a panic: the
    /// kernel's last line is then `---[ end Kernel panic - not syncing: … ]---`
    /// and the guest has stopped for good. (With `panic=N` it reboots instead,
    /// and the log goes on.)
    static func kernelPanic(inTail tail: String) -> String? {
        guard let last = lastLine(tail), let range = last.firstRange(of: "Kernel panic - not syncing") else { return nil }
        return String(last[range.lowerBound...].prefix(160))
    }

    /// The last line of `text` with anything on it, trimmed.
    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy.reversed().map { $0.trimmingSpaces() }.first { !$0.isEmpty }
    }

    static func tail(_ path: String, bytes: Int) -> String {
        guard let file = ReadableFile(path: path) else { return "" }
        let size = file.seekToEnd()
        file.seek(to: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        return String(decoding: file.readToEnd(), as: UTF8.self)
    }
}

/// A TCP probe of port 22: does sshd answer with its banner?
public enum SSHBanner {
    public enum Result: Equatable, Sendable {
        /// `SSH-…` arrived.
        case banner
        /// Something answers on the address (refused, or no banner yet).
        case answering
        /// No answer within the timeout.
        case unreachable
    }

    /// `timeout` bounds the TCP connection; `bannerTimeout` the wait for the
    /// banner once connected: sshd re-executes itself for every connection,
    /// which takes seconds in a busy TCG guest.
    public static func probe(host: String, port: UInt16 = 22, timeout: Double, bannerTimeout: Double = 15) -> Result {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return .unreachable }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .unreachable }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            if errno == ECONNREFUSED { return .answering }
            guard errno == EINPROGRESS, wait(fd, events: Int16(POLLOUT), timeout: timeout) else { return .unreachable }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == ECONNREFUSED { return .answering }
            guard error == 0 else { return .unreachable }
        }
        guard wait(fd, events: Int16(POLLIN), timeout: bannerTimeout) else { return .answering }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        return count >= 4 && buffer[0..<4] == Array("SSH-".utf8)[...] ? .banner : .answering
    }

    static func wait(_ fd: Int32, events: Int16, timeout: Double) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        return poll(&entry, 1, Int32(timeout * 1000)) == 1 && entry.revents & events != 0
    }
}
