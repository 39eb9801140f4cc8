/// The one error type of the NoCloud module: a field (or part of an image)
/// and the rule it broke, shown on one line as `field: rule`.
///
/// Validation of a ``SeedConfig``, the ``ISO9660Writer``'s checks of its input
/// and the ``ISO9660Reader``'s checks of an image all throw this type.
public struct NoCloudError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong: a ``SeedConfig`` property (`hostname`, `sshAuthorizedKeys[1]`),
    /// a file name, or a part of an image (`image`).
    public var field: String
    /// The rule it broke, without a trailing period.
    public var rule: String

    public init(field: String, rule: String) {
        self.field = field
        self.rule = rule
    }

    /// `field: rule`, on one line (line breaks in either part are shown as `\n`).
    public var description: String { Self.oneLine(field) + ": " + ruleLine }

    /// The rule on one line (line breaks shown as `\n`).
    public var ruleLine: String { Self.oneLine(rule) }

    static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.flatMap { scalar -> [Character] in
            switch scalar {
            case "\r": ["\\", "r"]
            case "\n": ["\\", "n"]
            default: [Character(scalar)]
            }
        })
    }
}
