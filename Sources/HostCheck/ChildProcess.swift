import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion: `posix_spawn`, then `waitpid`, with its
/// output and errors going to temporary files. Foundation's `Process` can
/// miss a child's exit here and leave `waitUntilExit` waiting on a zombie, and
/// a pipe never reaches EOF while daemons the child started still hold it;
/// this avoids both. With a timeout, a child still running at the deadline
/// is killed (SIGKILL) with everything it started, and reported as 128 + 9.
/// The one process runner of the project: the host check's probes,
/// qemu-img, ssh, checksums.
public enum ChildProcess {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public var status: Int32
        public var output: String
        public var errors: String
        /// Whether the deadline killed it.
        public var timedOut = false
        /// Whether `stopWhen` said it had done its part and it was killed.
        public var stopped = false
    }

    /// A program that could not be started or waited for.
    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+). Its header
    /// declares it only under _GNU_SOURCE, which Swift's Glibc module does not
    /// set, so it is looked up by name, with its C signature.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Runs `executable` until it exits, `timeout` seconds pass, or
    /// `stopWhen` (asked while it runs, every few milliseconds) says its
    /// output is all that was needed; in the last two cases it is killed.
    /// With `terminal`, the child shares vmctl's standard input, output and
    /// errors (an editor the user works in) and the result's output is empty.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double? = nil,
        terminal: Bool = false, stopWhen: (() -> Bool)? = nil
    ) throws -> Result {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-child-\(getpid())-\(UUID().uuidString)").path
        let outputPath = base + ".out"
        let errorPath = base + ".err"
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !terminal {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        // Nothing else the parent has open reaches the child. Foundation's
        // `Pipe` makes descriptors without FD_CLOEXEC, so without this a child
        // started by any thread would hold another thread's pipe open and
        // keep its reader from seeing EOF for as long as the child runs.
        guard let closeFrom = Self.addCloseFrom else {
            throw LaunchError(description: "cannot run \(executable): this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later)")
        }
        let closing = closeFrom(&actions, 3)
        guard closing == 0 else {
            throw LaunchError(description: "cannot run \(executable): posix_spawn_file_actions_addclosefrom_np: \(String(cString: strerror(closing)))")
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            env.forEach { free($0) }
        }
        // The child starts with no signal blocked and every signal at its
        // default, not with the calling thread's mask and the parent's ignored
        // signals. Without this, a libvirtd started through here from a test's
        // offloaded thread (Scripts/second-libvirtd.sh start) did not stop on
        // SIGTERM within 10 s, and restart-daemon failed (IntegrationDaemonRestartTests).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        guard spawned == 0 else {
            throw LaunchError(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var pollInterval: useconds_t = 1_000
        var timedOut = false
        var stopped = false
        while true {
            let reaped = waitpid(pid, &status, deadline == nil && stopWhen == nil ? 0 : WNOHANG)
            if reaped == pid { break }
            if reaped == -1 {
                guard errno == EINTR else { throw LaunchError(description: "waiting for \(executable): \(String(cString: strerror(errno)))") }
                continue
            }
            stopped = stopWhen?() ?? false
            timedOut = !stopped && deadline.map { Date() >= $0 } ?? false
            if stopped || timedOut {
                ProcessTree.kill(pid)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                break
            }
            usleep(pollInterval)
            pollInterval = min(pollInterval * 2, stopWhen == nil ? 50_000 : 20_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift cannot import as macros.
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Result(status: exitCode, output: output, errors: errors, timedOut: timedOut, stopped: stopped)
    }
}
