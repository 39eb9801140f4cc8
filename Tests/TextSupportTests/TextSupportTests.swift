import Foundation
import Testing
@testable import TextSupport

/// The helpers against the Foundation calls they replace, on the same inputs.
@Suite struct TextSupportTests {
    static let samples = [
        "", " ", "\t\n", "  a b  ", "\ta\t", "\n a \n", "x", "\u{00A0}nbsp\u{2003}", "a\r\n", "\u{2028}line\u{0085}",
        "é ", " 日本 ", "tab\tinside",
    ]

    @Test(arguments: samples) func trimmingWhitespaceMatchesFoundation(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(arguments: samples) func trimmingSpacesMatchesFoundation(_ text: String) {
        #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces))
    }

    @Test func trimmingAGivenSet() {
        #expect("(on) ".trimming([")", " "]) == "(on")
        #expect(") )".trimming([")", " "]) == "")
        #expect("x".trimming([]) == "x")
    }

    @Test func paddedMatchesFoundationPadding() {
        for (text, length) in [("ab", 5), ("abcdef", 3), ("", 2), ("name:", 5)] {
            #expect(text.padded(toLength: length) == text.padding(toLength: length, withPad: " ", startingAt: 0))
        }
    }

    @Test func cFormatMatchesStringFormat() {
        #expect(cFormat("%.1f s", 1.25) == String(format: "%.1f s", 1.25))
        #expect(cFormat("%04o", 0o644) == "0644")
        #expect(cFormat("0x%02x", 10) == "0x0a")
        #expect(cFormat("%d:%02d:%02d", 1, 2, 3) == "1:02:03")
        #expect(cFormat("%g", 2.5) == "2.5")
        #expect(cFormat(" [+%.3fs]", 0.0005) == " [+0.001s]" || cFormat(" [+%.3fs]", 0.0005) == " [+0.000s]")
        let long = cFormat("%0300d", 7)
        #expect(long.count == 300 && long.hasSuffix("7") && long.hasPrefix("000"))
    }
}

@Suite struct PathTests {
    // Not "a" (Foundation's NSString traps on it) nor doubled slashes, which vmctl never builds.
    static let paths = ["/a/b", "/a/b/", "/a", "/", "a/b", "", "/var/lib/libvirt/images"]

    @Test(arguments: paths) func deletingLastPathComponentMatchesNSString(_ path: String) {
        #expect(path.deletingLastPathComponent == (path as NSString).deletingLastPathComponent)
    }

    @Test(arguments: paths) func appendingPathComponentMatchesNSString(_ path: String) {
        for component in ["x", "x.img", "nvram/vm_VARS.fd"] {
            #expect(path.appendingPathComponent(component) == (path as NSString).appendingPathComponent(component))
        }
    }

    @Test func aSingleRelativeComponentHasNoParent() {
        #expect("a".deletingLastPathComponent == "")
        #expect("a".appendingPathComponent("b") == "a/b")
    }
}
