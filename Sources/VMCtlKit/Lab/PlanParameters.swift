import FoundationEssentials
import YAML

/// A plan's parameters: declared with their defaults under a top-level
/// `parameters:` mapping, given on the command line with `-P NAME=VALUE` and
/// `--param-file FILE`, and referenced as `${NAME}` in scalar values
/// (Docs/labs.md). Substitution works on the YAML node tree before the plan is
/// read, so every value still gets the plan's own checks, at the line of the
/// reference.
public enum PlanParameters {
    /// A parameter's name: a letter or `_`, then letters, digits and `_`.
    static let nameRule = "a parameter's name is a letter or _, then letters, digits and _"

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLetter(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }

    /// One value given for a parameter, and where it was given.
    struct Given: Sendable, Equatable {
        var name: String
        var value: YAML.Node.Scalar
        /// The file that gave it, nil for `-P`.
        var file: String?
        var line: Int
    }

    /// The values given on the command line, in order: `--param-file` files
    /// first, then `-P`; a later value for the same name wins.
    public struct Overrides: Sendable, Equatable {
        var given: [Given] = []

        public init() {}

        /// `-P NAME=VALUE` arguments and the parameter files' paths; reads the files.
        public init(arguments: [String], files: [String]) throws(VMCtlError) {
            var texts: [(path: String, text: String)] = []
            for path in files {
                texts.append((path, try InputFile.readText(path, field: .option("--param-file"))))
            }
            try self.init(arguments: arguments, fileTexts: texts)
        }

        /// `-P NAME=VALUE` arguments and the parameter files' texts: each a YAML
        /// mapping of names to scalars. Bad input names the option or the file's line.
        public init(arguments: [String], fileTexts: [(path: String, text: String)]) throws(VMCtlError) {
            for (path, text) in fileTexts { given += try Self.read(file: path, text: text) }
            for argument in arguments {
                guard let equals = argument.firstIndex(of: "=") else {
                    throw .invalid(field: "-P", "'\(argument)' must be NAME=VALUE")
                }
                let name = String(argument[..<equals])
                let value = String(argument[argument.index(after: equals)...])
                guard PlanParameters.isValidName(name) else { throw .invalid(field: "-P \(name)", PlanParameters.nameRule) }
                guard !value.isEmpty else { throw .invalid(field: "-P \(name)", "needs a value after the =") }
                // Read as a plain YAML scalar would be: -P vcpus=4 is a number, -P memory=4G a string.
                given.append(Given(name: name, value: YAML.Node.Scalar(value), file: nil, line: 0))
            }
        }

        /// A parameter file's values.
        static func read(file: String, text: String) throws(VMCtlError) -> [Given] {
            let root: YAML.Node?
            do { root = try YAML.compose(text) } catch { throw VMCtlError("\(file):\(error.mark.line): yaml: \(error.description)", status: .usage) }
            guard let root else { return [] }
            guard let mapping = root.mapping else {
                throw VMCtlError("\(file):\(root.mark?.line ?? 1): parameters: must be a mapping of parameter names to values", status: .usage)
            }
            var given: [Given] = []
            for (key, value) in mapping {
                let name = key.string ?? ""
                let line = key.mark?.line ?? 1
                guard PlanParameters.isValidName(name) else { throw VMCtlError("\(file):\(line): \(name): \(PlanParameters.nameRule)", status: .usage) }
                guard let scalar = value.scalar, !value.isNull else {
                    throw VMCtlError("\(file):\(line): \(name): must be a scalar value (text, number or boolean)", status: .usage)
                }
                given.append(Given(name: name, value: scalar, file: file, line: line))
            }
            return given
        }
    }

    /// `root` with every `${NAME}` replaced and the `parameters` key removed,
    /// or every problem found: undeclared given names, parameters without a
    /// value, references to undeclared names, unterminated references. A plan
    /// without `parameters:` is read as written, so the `${HOME}` of a shell
    /// command in its cloud-init means what it did before parameters existed.
    static func substitute(in root: YAML.Node, overrides: Overrides, file: String) throws(PlanError) -> YAML.Node {
        guard var mapping = root.mapping else { return root }
        var substitution = Substitution(file: file)
        // A -P for no declared parameter is reported at the `parameters:` key, or line 1 without one.
        let key = mapping.pairs.last { $0.key.string == "parameters" }?.key
        substitution.declare(mapping["parameters"], at: key?.mark?.line ?? 1, overrides: overrides)
        mapping.pairs.removeAll { $0.key.string == "parameters" }
        let result = key == nil ? root : substitution.walk(.mapping(mapping), field: "")
        if !substitution.issues.isEmpty { throw PlanError(issues: substitution.issues) }
        return result
    }
}

/// One substitution: the values in force and the problems found.
private struct Substitution {
    let file: String
    /// Each declared parameter's value, nil when it has none.
    var values: [String: YAML.Node.Scalar?] = [:]
    var issues: [PlanIssue] = []

    init(file: String) { self.file = file }

    mutating func issue(_ line: Int, _ field: String, _ rule: String, in file: String? = nil) {
        issues.append(PlanIssue(file: file ?? self.file, line: line, field: field, rule: rule))
    }

    /// Reads the declarations and their defaults, then applies the given values.
    mutating func declare(_ declared: YAML.Node?, at declarationLine: Int, overrides: PlanParameters.Overrides) {
        if let declared {
            if let mapping = declared.mapping {
                for (key, value) in mapping {
                    let name = key.string ?? ""
                    let line = key.mark?.line ?? 1
                    if !PlanParameters.isValidName(name) {
                        issue(line, "parameters.\(name)", PlanParameters.nameRule)
                    } else if value.isNull {
                        values[name] = .some(nil)
                    } else if let scalar = value.scalar {
                        values[name] = scalar
                    } else {
                        issue(line, "parameters.\(name)", "the default must be a scalar value (text, number or boolean), or empty for none")
                    }
                }
            } else if !declared.isNull {
                issue(declared.mark?.line ?? 1, "parameters", "must be a mapping of parameter names to their defaults")
            }
        }
        let known = values.keys.sorted().joined(separator: ", ")
        for given in overrides.given {
            guard values[given.name] != nil else {
                let field = given.file == nil ? "-P \(given.name)" : given.name
                issue(given.file == nil ? declarationLine : given.line, field,
                      "no such parameter in \(file); " + (known.isEmpty ? "it declares none" : "declared: \(known)"), in: given.file)
                continue
            }
            values[given.name] = given.value
        }
    }

    /// The node with its scalars' references replaced; keys are left alone.
    mutating func walk(_ node: YAML.Node, field: String) -> YAML.Node {
        switch node {
        case .scalar(let scalar):
            return replaced(scalar, field: field)
        case .sequence(var sequence):
            for index in sequence.indices { sequence[index] = walk(sequence[index], field: "\(field)[\(index)]") }
            return .sequence(sequence)
        case .mapping(var mapping):
            for index in mapping.pairs.indices {
                let key = mapping.pairs[index].key.string ?? ""
                mapping.pairs[index].value = walk(mapping.pairs[index].value, field: field.isEmpty ? key : "\(field).\(key)")
            }
            return .mapping(mapping)
        }
    }

    /// A scalar with its references replaced. A plain scalar that is one
    /// reference becomes the value as it was given (`vcpus: ${cpus}` stays a
    /// number); otherwise the values' text goes into the scalar's own text.
    mutating func replaced(_ scalar: YAML.Node.Scalar, field: String) -> YAML.Node {
        guard scalar.text.contains("${") else { return .scalar(scalar) }
        let line = scalar.mark?.line ?? 1
        let pieces = PlanParameters.pieces(of: scalar.text)
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let literal):
                text += literal
            case .unterminated:
                issue(line, field, "'${' without a closing '}'; write $${ for a literal ${")
            case .reference(let name):
                guard let value = values[name] else {
                    issue(line, field, "${\(name)}: no such parameter; declare it under parameters:, or write $${\(name)} for a literal ${\(name)}")
                    continue
                }
                guard let value else {
                    issue(line, field, "${\(name)}: the parameter has no value; give -P \(name)=VALUE or a --param-file")
                    continue
                }
                if pieces.count == 1, scalar.style == .plain, scalar.tag == nil {
                    return .scalar(YAML.Node.Scalar(value.text, style: value.style, tag: value.tag, mark: scalar.mark))
                }
                text += value.text
            }
        }
        return .scalar(YAML.Node.Scalar(text, style: scalar.style, tag: scalar.tag, mark: scalar.mark))
    }
}

extension PlanParameters {
    /// A scalar's text in parts: literal text, `${NAME}` references, and a `${` never closed.
    enum Piece: Equatable {
        case text(String)
        case reference(String)
        case unterminated
    }

    /// Splits `text` at its references; `$${` is a literal `${`.
    static func pieces(of text: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                literal += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            literal += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                pieces.append(.unterminated)
                rest = rest[rest.endIndex...]
                literal = ""
                break
            }
            if !literal.isEmpty { pieces.append(.text(literal)) }
            literal = ""
            pieces.append(.reference(String(rest[start.upperBound..<end])))
            rest = rest[rest.index(after: end)...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }
}
