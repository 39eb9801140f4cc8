import Libvirt

/// Names a shell offers for an argument: the connection's VMs, networks,
/// pools, volumes and snapshots, or a plan's nodes.
///
/// The shell runs `vmctl ---completion …` with every word of the command line
/// typed so far; `CompletionRequest` reads from those words what the lookup
/// needs (the `--connect` URI, a VM or pool named earlier, the plan), and
/// `Completions.names` looks the names up within a deadline. A failure or a
/// connection that does not answer gives no names, never an error or a hang.
public enum CompletionSource: Sendable, Hashable {
    /// Which of a kind of object: a command that starts one offers the inactive ones.
    public enum Activity: Sendable, Hashable {
        case all, active, inactive
    }

    case vms(Activity)
    case networks(Activity)
    case pools(Activity)
    /// The volumes of the pool given as the command's first argument.
    case volumes
    /// The snapshots of the VM given as the command's first argument.
    case snapshots
    /// The node names of the plan given as the command's first argument.
    case labNodes
}

/// The words of a command line being completed, as the shell passes them.
public struct CompletionRequest: Sendable, Equatable {
    /// Every word, the program's name first.
    public var words: [String]
    /// The index of the word being completed.
    public var index: Int

    public init(words: [String], index: Int) {
        self.words = words
        self.index = index
    }

    /// The options of vmctl's commands that take a value: their value is no
    /// positional argument. Global ones, and those of commands whose later
    /// arguments are completed (`snapshot`, `vol`, `lab ssh`).
    static let valueOptions: Set<String> = [
        "-c", "--connect", "-o", "--output", "-u", "--user", "-i", "--identity", "--wait", "--wait-timeout", "--timeout",
        "--read", "--description", "--size", "--format", "--backing", "--name", "--count", "-P", "--param", "--param-file",
    ]

    /// The last `--connect` value written on the line (`-c URI`, `--connect URI`, `--connect=URI`),
    /// apart from the word being completed.
    public var connectURI: String? {
        var uri: String?
        for (position, word) in words.enumerated() where position != index && position > 0 {
            if word.hasPrefix("--connect=") { uri = String(word.dropFirst("--connect=".count)) }
            if (word == "-c" || word == "--connect"), position + 1 < words.count, position + 1 != index {
                uri = words[position + 1]
            }
        }
        return uri.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The values of an option (`-P a=1 -P b=2`, `--param-file=F`) written on the line.
    public func values(of names: Set<String>) -> [String] {
        var found: [String] = []
        for (position, word) in words.enumerated() where position != index && position > 0 {
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--"), names.contains(String(word[..<equals])) {
                found.append(String(word[word.index(after: equals)...]))
            } else if names.contains(word), position + 1 < words.count, position + 1 != index {
                found.append(words[position + 1])
            }
        }
        return found
    }

    /// The words that are neither options nor their values, in order, apart
    /// from the program's name and the word being completed: the command's
    /// names, then its positional arguments. Stops at `--`.
    public var bareWords: [String] {
        var bare: [String] = []
        var position = 1
        while position < words.count {
            let word = words[position]
            if word == "--" { break }
            if position == index {
                position += 1
            } else if word.hasPrefix("-") && word.count > 1 {
                position += Self.valueOptions.contains(word) ? 2 : 1
            } else {
                bare.append(word)
                position += 1
            }
        }
        return bare
    }

    /// The command's first positional argument, after `commandDepth` command names.
    public func firstArgument(commandDepth: Int) -> String? {
        let bare = bareWords
        return bare.count > commandDepth ? bare[commandDepth] : nil
    }
}

public enum Completions {
    /// How long a lookup may take before the shell gets no names.
    public static let deadline = 1.0

    /// The names for `source`, sorted, or none when the lookup fails or takes
    /// longer than `deadline` seconds. `commandDepth` is how many command
    /// names precede the arguments (`snapshot revert`: 2).
    public static func names(
        _ source: CompletionSource, for request: CompletionRequest, commandDepth: Int, deadline: Double = deadline
    ) -> [String] {
        let answer = Deadline.answer(within: deadline) { () -> [String] in
            (try? lookUp(source, request: request, commandDepth: commandDepth)) ?? []
        }
        return (answer ?? []).sorted()
    }

    /// The lookup itself on a read-only connection (virConnectOpenReadOnly): one
    /// listing call (virConnectListAllDomains, virConnectListAllNetworks,
    /// virConnectListAllStoragePools, virStoragePoolListAllVolumes after
    /// virStoragePoolLookupByName, virDomainListAllSnapshots after the VM's
    /// lookup), or the plan's nodes.
    static func lookUp(_ source: CompletionSource, request: CompletionRequest, commandDepth: Int) throws -> [String] {
        let argument = request.firstArgument(commandDepth: commandDepth)
        let target = ConnectionTarget(uri: request.connectURI)
        switch source {
        case .labNodes:
            guard let argument else { return [] }
            let parameters = try PlanParameters.Overrides(
                arguments: request.values(of: ["-P", "--param"]), files: request.values(of: ["--param-file"]))
            return try LabPlan.load(path: argument, defaultURI: target.assumedURI, parameters: parameters).nodes.map(\.name)
        case .vms(let activity):
            let filter: DomainListFilter = activity == .all ? [] : activity == .active ? .active : .inactive
            return try target.open(readOnly: true).domains(filter).map(\.name)
        case .networks(let activity):
            let filter: NetworkListFilter = activity == .all ? [] : activity == .active ? .active : .inactive
            return try target.open(readOnly: true).networks(filter).map(\.name)
        case .pools(let activity):
            let filter: StoragePoolListFilter = activity == .all ? [] : activity == .active ? .active : .inactive
            return try target.open(readOnly: true).storagePools(filter).map(\.name)
        case .volumes:
            guard let argument else { return [] }
            return try target.open(readOnly: true).storagePool(named: argument).volumes().map(\.name)
        case .snapshots:
            guard let argument else { return [] }
            return try VMLifecycle(connection: try target.open(readOnly: true)).domain(nameOrUUID: argument).snapshots().map(\.name)
        }
    }
}
