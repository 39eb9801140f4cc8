import ArgumentParser
import VMCtlKit

extension CompletionKind {
    /// Names the shell offers from the connection the command line names
    /// (`-c URI`, else `LIBVIRT_DEFAULT_URI`), or from the plan it names.
    /// The shell runs `vmctl ---completion …`; the lookup gets
    /// `Completions.deadline` (1 s): a failure or a hung connection offers nothing.
    /// `commandDepth`: the command's words before its arguments; every command
    /// that completes from its first argument (`snapshot revert VM <TAB>`) has two.
    static func names(_ source: CompletionSource, commandDepth: Int = 2) -> CompletionKind {
        .custom { words, index, _ in
            Completions.names(source, for: CompletionRequest(words: words, index: index), commandDepth: commandDepth)
        }
    }
}
