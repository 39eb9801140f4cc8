import Testing
@testable import VMCtlKit

/// Global options before the command, unknown commands and redaction, without a binary.
@Suite struct CommandLineArgumentsTests {
    typealias Tree = CommandLineArguments.CommandTree
    static let commands = Tree([
        "vm": Tree(["list": Tree(), "show": Tree()]),
        "version": Tree(),
    ])

    func prepare(_ arguments: [String]) -> CommandLineArguments.Prepared {
        CommandLineArguments.prepare(arguments, commands: Self.commands)
    }

    @Test(arguments: [
        (["-c", "test:///default", "vm", "list", "-o", "json"], ["vm", "list", "-c", "test:///default", "-o", "json"]),
        (["--connect=test:///default", "-q", "--verbose", "vm", "show", "a"],
         ["vm", "show", "--connect=test:///default", "-q", "--verbose", "a"]),
        (["-qv", "--output", "json", "version"], ["version", "-qv", "--output", "json"]),
        // Later options follow the lifted ones, so the parser lets them win.
        (["-o", "json", "vm", "list", "-o", "text"], ["vm", "list", "-o", "json", "-o", "text"]),
        // Nothing to lift: unchanged.
        (["vm", "list", "-c", "x"], ["vm", "list", "-c", "x"]),
        // A positional argument named like a command is not a command.
        (["-c", "x", "vm", "show", "list"], ["vm", "show", "-c", "x", "list"]),
        // No command, or only a group: version or help, the options have nowhere to go.
        (["-c", "x", "--version"], ["--version"]),
        (["-o", "json", "vm"], ["vm"]),
        // Not a global option: stop lifting, the parser reports it.
        (["--bogus", "vm", "list"], ["--bogus", "vm", "list"]),
        (["help", "vm", "list"], ["help", "vm", "list"]),
    ])
    func lifted(arguments: [String], expected: [String]) {
        #expect(prepare(arguments) == .parse(expected))
    }

    @Test(arguments: [
        (["nosuch"], "unknown command 'nosuch'; the commands are version, vm"),
        (["-c", "x", "vm", "lsit"], "vm: unknown command 'lsit'; the commands are list, show"),
        (["help", "nosuch"], "unknown command 'nosuch'; the commands are version, vm"),
        (["help", "vm", "nosuch"], "vm: unknown command 'nosuch'; the commands are list, show"),
    ])
    func unknownCommands(arguments: [String], message: String) {
        if arguments.first == "help" {
            #expect(prepare(arguments) == .unknownCommand(message))
        } else {
            // Asked after the parser failed, on what it was given.
            guard case .parse(let prepared) = prepare(arguments) else { Issue.record("\(arguments) not parsed"); return }
            #expect(CommandLineArguments.unknownCommand(in: prepared, commands: Self.commands) == message)
        }
    }

    @Test func aGoodCommandLineNamesNoUnknownCommand() {
        for arguments in [["vm", "list"], ["vm", "show", "nosuch"], ["--version"], ["vm", "--help"], ["vm", "help"]] {
            #expect(CommandLineArguments.unknownCommand(in: arguments, commands: Self.commands) == nil, "\(arguments)")
        }
    }

    @Test func secretsAreRedactedWhereverTheParserQuotesThem() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\nQyNTUxOQAAACDx==\n-----END OPENSSH PRIVATE KEY-----"
        let arguments = ["vm", "create", "a", "--ssh-key", key, "--password", "hunter2"]
        let messages = [
            "unknown option '\(key)'",
            "unknown option '---BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU'",
            "unexpected argument 'QyNTUxOQAAACDx' and 'hunter2'",
        ]
        for message in messages {
            let redacted = CommandLineArguments.redact(message, arguments: arguments)
            #expect(!redacted.contains("PRIVATE"), "\(redacted)")
            #expect(!redacted.contains("b3Bl"), "\(redacted)")
            #expect(!redacted.contains("QyNT"), "\(redacted)")
            #expect(!redacted.contains("hunter2"), "\(redacted)")
            #expect(!redacted.contains("\n"))
            #expect(redacted.contains("<redacted>"))
        }
        #expect(CommandLineArguments.redact("missing value for '--pool'", arguments: arguments) == "missing value for '--pool'")
        // A short secret only where it is quoted whole.
        let short = ["vm", "create", "--password", "x"]
        #expect(CommandLineArguments.redact("missing expected argument 'x'", arguments: short) == "missing expected argument '<redacted>'")
    }
}
