import FoundationEssentials
import Libvirt
import LibvirtXML
#if canImport(Glibc)
import Glibc
#endif

/// Runs a model parser; its `ModelError` (one line naming the field and the
/// rule) becomes bad input, exit 64.
func parsed<T>(_ body: () throws -> T) throws(VMCtlError) -> T {
    do {
        return try body()
    } catch let error as ModelError {
        throw .invalid(field: .model(error.field), error.statement)
    } catch let error as VMCtlError {
        throw error
    } catch {
        throw VMCtlError("\(error)", status: .usage)
    }
}

/// Runs a model parser for one input: its `ModelError` becomes bad input about `field`
/// (the parser was told the same field's command-line name, so the line reads the same).
func parsed<T>(as field: InputField, _ body: () throws -> T) throws(VMCtlError) -> T {
    do {
        return try body()
    } catch let error as ModelError {
        throw .invalid(field: field, error.statement)
    } catch let error as VMCtlError {
        throw error
    } catch {
        throw VMCtlError("\(error)", status: .usage)
    }
}

/// Runs libvirt calls; a `LibvirtError` keeps its code and message, prefixed by what vmctl was doing.
func libvirt<T>(_ action: @autoclosure () -> String, _ body: () throws -> T) throws(VMCtlError) -> T {
    do {
        return try body()
    } catch let error as LibvirtError {
        throw .libvirt(error, while: action())
    } catch let error as VMCtlError {
        throw error
    } catch let error as ModelError {
        throw VMCtlError("\(action()): \(error)")
    } catch {
        throw VMCtlError("\(action()): \(error)")
    }
}

/// Where long work reports its steps. The CLI prints them on stderr; `--quiet` drops them.
public protocol ProgressReporter: Sendable {
    func step(_ message: String)
}

/// Drops every step (counting it for the test-only `FaultSeam`).
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func step(_ message: String) { FaultSeam.step() }
}

/// Undo actions for the changes made so far, run in reverse when a later step fails,
/// so a failed command leaves nothing behind.
final class Rollback {
    private var undo: [(String, () throws -> Void)] = []
    private let progress: any ProgressReporter
    /// What the last rollback could not undo: a journal of created objects (CreationJournal) stays while this is not empty.
    private(set) var leftBehind: [String] = []

    init(progress: any ProgressReporter) { self.progress = progress }

    /// Records how to undo a change that has just succeeded.
    func onFailure(_ description: String, _ action: @escaping () throws -> Void) {
        undo.append((description, action))
    }

    /// Undoes everything recorded, newest first; returns what could not be undone.
    @discardableResult
    func run() -> [String] {
        var failures: [String] = []
        for (description, action) in undo.reversed() {
            progress.step("rolling back: \(description)")
            do { try action() } catch { failures.append("\(description): \(error)") }
        }
        undo.removeAll()
        return failures
    }

    /// Runs `body`; on any error, rolls back and rethrows with what was undone.
    func guarding<T>(_ body: () throws(VMCtlError) -> T) throws(VMCtlError) -> T {
        do {
            return try body()
        } catch {
            let failures = run()
            leftBehind = failures
            var failed = error
            if !failures.isEmpty {
                failed.message += "; rollback left behind: " + failures.joined(separator: "; ")
            }
            throw failed
        }
    }
}


/// Looks a libvirt object up: libvirt's "no such object" (`missing`) becomes bad input
/// (exit 64) saying `notFound`, keeping libvirt's error; any other failure is a failed
/// call during `action`. The one place that tells a missing object from a failed call.
func lookUp<T>(
    _ action: @autoclosure () -> String, missing: LibvirtError.Code, field: InputField, notFound: @autoclosure () -> String,
    _ body: () throws -> T
) throws(VMCtlError) -> T {
    do {
        return try body()
    } catch let error as LibvirtError where error.code == missing {
        throw .invalid(field: field, notFound(), libvirtError: error)
    } catch {
        throw .libvirt(error, while: action())
    }
}

/// Looks up an object that may be absent: libvirt's "no such object" (`missing`)
/// is nil, any other failure (a dropped connection, a denied call) is a failed
/// call during `action`, never taken for "the name is free".
func find<T>(_ action: @autoclosure () -> String, missing: LibvirtError.Code, _ body: () throws -> T) throws(VMCtlError) -> T? {
    do {
        return try body()
    } catch let error as LibvirtError where error.code == missing {
        return nil
    } catch {
        throw .libvirt(error, while: action())
    }
}
