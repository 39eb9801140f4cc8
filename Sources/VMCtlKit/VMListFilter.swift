import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// Which VMs `vmctl vm list` shows: by state, by a glob on the name, by lab.
/// Typed from the command line's strings in `init(state:name:lab:)`, the one
/// place that checks them.
public struct VMListFilter: Sendable, Hashable {
    /// The states `--state` takes.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case all, running, paused, shutOff = "shut-off"

        /// libvirt's listing flag for the state: libvirt filters, so rows not shown cost no reads.
        var listFilter: DomainListFilter {
            switch self {
            case .all: []
            case .running: .running
            case .paused: .paused
            case .shutOff: .shutOff
            }
        }
    }

    public var state: State = .all
    /// A shell glob (`web*`, `node-[12]`) the whole name must match; nil for any name.
    public var namePattern: String?
    /// The lab recorded in vmctl's metadata; nil for any VM, lab or not.
    public var lab: ObjectName?

    public init() {}

    /// Checks the option values: a bad one is bad input naming the option and its rule.
    public init(state: String?, name: String?, lab: String?) throws(VMCtlError) {
        if let state {
            guard let value = State(rawValue: state) else {
                throw .invalid(field: "--state", "'\(state)' is not one of \(State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.state = value
        }
        if let name {
            guard !name.isEmpty, !name.contains(where: \.isNewline) else {
                throw .invalid(field: "--name", "must be a non-empty glob such as 'web*' or 'node-[12]'")
            }
            namePattern = name
        }
        if let lab {
            guard let value = ObjectName(rawValue: lab) else { throw .invalid(field: "--lab", ObjectName.rule) }
            self.lab = value
        }
    }

    /// Whether `name` matches the glob, as the shell matches file names (fnmatch).
    public func matches(name: String) -> Bool {
        guard let namePattern else { return true }
        return fnmatch(namePattern, name, 0) == 0
    }

    /// Whether a listed row passes the filters read after listing (the lab).
    public func matches(_ vm: VMSummary) -> Bool {
        matches(name: vm.name) && (lab == nil || vm.lab == lab?.rawValue)
    }
}
