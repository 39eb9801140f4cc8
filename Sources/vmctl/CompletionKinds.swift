import ArgumentParser
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension CompletionKind {
    /// Names the shell offers from the connection the command line names
    /// (`-c URI`, else `LIBVIRT_DEFAULT_URI`), or from the plan it names.
    /// The shell runs `vmctl ---completion …`; the lookup gets
    /// `Completions.deadline` (1 s): a failure or a hung connection offers nothing.
    /// `commandDepth`: the command's words before its arguments; every command
    /// that completes from its first argument (`snapshot revert VM <TAB>`) has two.
    static func names(_ source: CompletionSource, commandDepth: Int = 2) -> CompletionKind {
        .custom { words, index, _ in
            silenceStandardError()
            return Completions.names(source, for: CompletionRequest(words: words, index: index), commandDepth: commandDepth)
        }
    }

    /// A completion request prints its names and nothing else: what libvirt's
    /// libraries write to stderr (libxml2's warning for a missing test-driver
    /// file) would land in the middle of the user's command line.
    private static func silenceStandardError() {
        let null = open("/dev/null", O_WRONLY)
        guard null >= 0 else { return }
        dup2(null, STDERR_FILENO)
        close(null)
    }
}
