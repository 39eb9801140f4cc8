import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// vmctl's command line before the argument parser reads it.
///
/// virsh users write connection and output options before the command
/// (`virsh -c URI list`); vmctl's parser reads them on each subcommand.
/// `prepare` moves the global options written before the command path to just
/// after it, so `vmctl -c URI vm list -o json` parses as
/// `vmctl vm list -c URI -o json`, and an option given again later still wins.
/// `unknownCommand` names a word that is no command (`vmctl vm lsit`, `vmctl help nosuch`).
public enum CommandLineArguments {
    /// The command names: each group's subcommands; a leaf has none. Read lazily,
    /// only along the path a command line takes: naming a command type costs a
    /// conformance scan at start-up (see Docs/benchmarks.md).
    public struct CommandTree: Sendable {
        let subcommands: @Sendable () -> [String: CommandTree]

        public init(_ children: [String: CommandTree] = [:]) { subcommands = { children } }

        public init(lazy subcommands: @escaping @Sendable () -> [String: CommandTree]) { self.subcommands = subcommands }

        public var children: [String: CommandTree] { subcommands() }

        public var isLeaf: Bool { children.isEmpty }
    }

    /// The global options that take a value (`-c URI`, `--output=json`).
    static let valueOptions: Set<String> = ["-c", "--connect", "-o", "--output"]
    /// The global flags; short ones may be grouped (`-qv`).
    static let flags: Set<String> = ["-q", "--quiet", "-v", "--verbose"]

    public enum Prepared: Equatable, Sendable {
        /// The arguments to parse.
        case parse([String])
        /// A word that names no command: the message for `vmctl: error: …`.
        case unknownCommand(String)
    }

    /// Prepares `arguments` (without the program name) for the parser.
    public static func prepare(_ arguments: [String], commands: CommandTree) -> Prepared {
        if arguments.first == "help" {
            if let message = unknownCommand(in: Array(arguments.dropFirst()), commands: commands) {
                return .unknownCommand(message)
            }
            return .parse(arguments)
        }
        var index = 0
        var lifted: [String] = []
        while index < arguments.count {
            let word = arguments[index]
            if isFlag(word) {
                lifted.append(word)
                index += 1
            } else if valueOptions.contains(word), index + 1 < arguments.count {
                lifted += [word, arguments[index + 1]]
                index += 2
            } else if valueOptions.contains(where: { $0.hasPrefix("--") && word.hasPrefix($0 + "=") }) {
                lifted.append(word)
                index += 1
            } else {
                break
            }
        }
        guard !lifted.isEmpty else { return .parse(arguments) }
        let rest = Array(arguments[index...])
        let path = commandPath(rest, commands: commands)
        // Without a command (`vmctl -c URI --version`) or at a group (`vmctl -o json vm`),
        // there is nothing to apply the options to: the parser prints version or help.
        guard path.node.isLeaf, !path.names.isEmpty else { return .parse(rest) }
        return .parse(path.names + lifted + Array(rest.dropFirst(path.names.count)))
    }

    static func isFlag(_ word: String) -> Bool {
        if flags.contains(word) { return true }
        // Grouped short flags: -qv.
        guard word.count > 2, word.hasPrefix("-"), !word.hasPrefix("--") else { return false }
        return word.dropFirst().allSatisfy { $0 == "q" || $0 == "v" }
    }

    /// The longest run of command names at the start of `arguments`, and the node it ends at.
    static func commandPath(_ arguments: [String], commands: CommandTree) -> (names: [String], node: CommandTree) {
        var node = commands
        var names: [String] = []
        for word in arguments {
            guard let child = node.children[word] else { break }
            names.append(word)
            node = child
        }
        return (names, node)
    }

    /// A message when the first word after a group's name is not one of its
    /// commands; for after the parser failed, so a good command line never pays for it.
    public static func unknownCommand(in arguments: [String], commands: CommandTree) -> String? {
        let path = commandPath(arguments, commands: commands)
        guard !path.node.isLeaf, path.names.count < arguments.count else { return nil }
        let word = arguments[path.names.count]
        guard !word.hasPrefix("-"), word != "help" else { return nil }
        let known = path.node.children.keys.sorted().joined(separator: ", ")
        let group = path.names.isEmpty ? "" : path.names.joined(separator: " ") + ": "
        return "\(group)unknown command '\(word)'; the commands are \(known)"
    }

    /// The error for a private key pasted as an option's value, or nil. The
    /// parser would take the key's `-----BEGIN` for an option; this names the
    /// option instead, and never the key.
    public static func pastedPrivateKey(in arguments: [String]) -> String? {
        for (index, word) in arguments.enumerated() where word.contains("PRIVATE KEY") {
            // `--ssh-key=KEY` names its option before the `=`; the key's own `-----BEGIN` is no option name.
            let inline = word.firstIndex(of: "=").map { String(word[..<$0]) }
            let option =
                if let inline, inline.wholeMatch(of: /--[a-z][a-z0-9-]*/) != nil { inline }
                else if index > 0, arguments[index - 1].wholeMatch(of: /--[a-z][a-z0-9-]*/) != nil { arguments[index - 1] }
                else { "argument \(index + 1)" }
            return "\(option): that is a private key; give the public one (the .pub file)"
        }
        return nil
    }

    /// The options whose values are secrets, or keys that may be pasted private ones.
    static let secretOptions: Set<String> = ["--password", "--ssh-key"]

    /// `message` with every secret in `arguments` replaced by `<redacted>`, on one line.
    /// Secrets are the values of `--password` and `--ssh-key` and any word holding a
    /// private key or a line break; the parser may quote any part of them, so each
    /// line and each piece between `=` signs is replaced too.
    public static func redact(_ message: String, arguments: [String]) -> String {
        var secrets: Set<String> = []
        for (index, word) in arguments.enumerated() {
            if secretOptions.contains(word), index + 1 < arguments.count {
                secrets.insert(arguments[index + 1])
            }
            for option in secretOptions where word.hasPrefix(option + "=") {
                secrets.insert(String(word.dropFirst(option.count + 1)))
            }
            if word.contains("PRIVATE KEY") || word.contains(where: \.isNewline) { secrets.insert(word) }
        }
        var fragments: Set<String> = []
        var text = message
        for secret in secrets where !secret.isEmpty {
            // A short one (a password) only where the parser quotes it whole.
            text = text.replacing("'\(secret)'", with: "'<redacted>'")
            for line in secret.split(whereSeparator: \.isNewline) {
                for piece in [Substring(line)] + line.split(separator: "=") {
                    let trimmed = piece.drop { $0 == "-" }
                    for fragment in [piece, trimmed] where fragment.count >= 6 { fragments.insert(String(fragment)) }
                }
            }
        }
        for fragment in fragments.sorted(by: { $0.count > $1.count }) {
            text = text.replacing(fragment, with: "<redacted>")
        }
        text = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        while text.contains("<redacted> <redacted>") {
            text = text.replacing("<redacted> <redacted>", with: "<redacted>")
        }
        return text
    }
}
