// swift-tools-version: 6.1
import PackageDescription

// Each file sees only the members of the modules it imports itself: without it,
// one file's `import Foundation` lends Foundation's String methods to every
// file of the module, and the binary links Foundation again (Docs/benchmarks.md).
let memberImports: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "vmctl",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Libvirt", targets: ["Libvirt"]),
        .library(name: "LibvirtXML", targets: ["LibvirtXML"]),
        .library(name: "HostCheck", targets: ["HostCheck"]),
        .library(name: "NoCloud", targets: ["NoCloud"]),
        .library(name: "VMCtlKit", targets: ["VMCtlKit"]),
        .executable(name: "vmctl", targets: ["vmctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // Module map over <libvirt/libvirt.h>; nothing else.
        .systemLibrary(
            name: "CLibvirt",
            pkgConfig: "libvirt",
            providers: [.apt(["libvirt-dev"]), .yum(["libvirt-devel"])]
        ),
        // Safe Swift binding over libvirt's C API.
        .target(name: "Libvirt", dependencies: ["CLibvirt"], swiftSettings: memberImports),
        // Typed model of libvirt's XML: values, validation, writer, reader. No libvirt.
        .target(name: "LibvirtXML", dependencies: ["TextSupport"], swiftSettings: memberImports),
        // The few string helpers vmctl's modules would otherwise take from Foundation proper.
        .target(name: "TextSupport", swiftSettings: memberImports),
        // Module map over <yaml.h> (libyaml, YAML 1.1's C parser); nothing else.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .yum(["libyaml-devel"])]),
        // YAML without Foundation: libyaml's events composed into a node tree, serialized back.
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: memberImports),
        // libcurl's own header over the GnuTLS build libvirt0 already links, with typed wrappers for its variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-gnutls-dev"])]),
        // Small C helpers for what Swift cannot call directly (variadic ioctl, fork with deadline).
        .target(name: "CHostProbe"),
        // Host check: parsers (text → facts), readers (root path → text), probes.
        .target(name: "HostCheck", dependencies: ["CHostProbe", "TextSupport"], swiftSettings: memberImports),
        // cloud-init NoCloud seeds: user-data, meta-data, network-config and the
        // ISO9660 image labelled cidata that carries them, written without external tools.
        .target(name: "NoCloud", dependencies: ["TextSupport", "YAML"], swiftSettings: memberImports),
        // The logic behind vmctl's commands.
        .target(
            name: "VMCtlKit",
            dependencies: ["Libvirt", "LibvirtXML", "HostCheck", "NoCloud", "TextSupport", "YAML", "CCurl"],
            swiftSettings: memberImports
        ),
        // @main and thin subcommands.
        .executableTarget(
            name: "vmctl",
            dependencies: ["VMCtlKit", "HostCheck", "Libvirt", "LibvirtXML", "TextSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: memberImports
        ),
        // Lists 1,000 domains from a test-driver node file; driven by Benchmarks/list-domains.sh.
        .executableTarget(name: "bench-list-domains", dependencies: ["Libvirt"], path: "Benchmarks/ListDomains"),

        // Leak harness run by the tests in a process of its own (and by CI under valgrind).
        .executableTarget(name: "libvirt-leak-check", dependencies: ["Libvirt"], path: "Tests/LeakCheck"),

        // Helpers the test targets share (reading a child's output without waiting for end-of-file).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LibvirtTests", dependencies: ["Libvirt", "TestSupport"]),
        .testTarget(name: "LibvirtXMLTests", dependencies: ["LibvirtXML", "Libvirt", "TestSupport"]),
        .testTarget(name: "HostCheckTests", dependencies: ["HostCheck"]),
        .testTarget(name: "TextSupportTests", dependencies: ["TextSupport"]),
        // Yams reads the tests' documents back, as an oracle apart from the YAML module.
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "NoCloudTests", dependencies: ["NoCloud", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "VMCtlKitTests", dependencies: ["VMCtlKit", "Libvirt", "LibvirtXML", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "IntegrationTests", dependencies: ["Libvirt", "LibvirtXML", "VMCtlKit", "NoCloud", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// VMCTL_TEST_TARGETS=A,B keeps only those test targets, so `swift test` builds
// just them and what they import: Scripts/test.sh's LeakSanitizer run builds
// the binding's tests alone, not every module a second time under ASan.
if let kept = Context.environment["VMCTL_TEST_TARGETS"].map({ Set($0.split(separator: ",").map(String.init)) }) {
    package.targets.removeAll { $0.type == .test && !kept.contains($0.name) }
}
