// swift-tools-version: 6.1
import PackageDescription

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
        .target(name: "Libvirt", dependencies: ["CLibvirt"]),
        // Typed model of libvirt's XML: values, validation, writer, reader. No libvirt.
        .target(name: "LibvirtXML"),
        // The few string helpers vmctl's modules would otherwise take from Foundation proper.
        .target(name: "TextSupport"),
        // libcurl loaded with dlopen when a download starts, with typed wrappers for its variadic calls.
        // Declares the ABI it uses: no curl -dev package to build, no libcurl in the binary's NEEDED.
        .target(name: "CCurlLoader"),
        // Small C helpers for what Swift cannot call directly (variadic ioctl, fork with deadline).
        .target(name: "CHostProbe"),
        // Host check: parsers (text → facts), readers (root path → text), probes.
        .target(name: "HostCheck", dependencies: ["CHostProbe"]),
        // cloud-init NoCloud seeds: user-data, meta-data, network-config and the
        // ISO9660 image labelled cidata that carries them, written without external tools.
        .target(name: "NoCloud", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The logic behind vmctl's commands.
        .target(
            name: "VMCtlKit",
            dependencies: ["Libvirt", "LibvirtXML", "HostCheck", "NoCloud", "TextSupport", "CCurlLoader", .product(name: "Yams", package: "Yams")]
        ),
        // @main and thin subcommands.
        .executableTarget(
            name: "vmctl",
            dependencies: ["VMCtlKit", "HostCheck", "Libvirt", "LibvirtXML", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Lists 1,000 domains from a test-driver node file; driven by Benchmarks/list-domains.sh.
        .executableTarget(name: "bench-list-domains", dependencies: ["Libvirt"], path: "Benchmarks/ListDomains"),

        // Leak harness run by the tests in a process of its own (and by CI under valgrind).
        .executableTarget(name: "libvirt-leak-check", dependencies: ["Libvirt"], path: "Tests/LeakCheck"),

        .testTarget(name: "LibvirtTests", dependencies: ["Libvirt"]),
        .testTarget(name: "LibvirtXMLTests", dependencies: ["LibvirtXML", "Libvirt"]),
        .testTarget(name: "HostCheckTests", dependencies: ["HostCheck"]),
        .testTarget(name: "TextSupportTests", dependencies: ["TextSupport"]),
        .testTarget(name: "NoCloudTests", dependencies: ["NoCloud"]),
        .testTarget(name: "VMCtlKitTests", dependencies: ["VMCtlKit", "Libvirt", "LibvirtXML"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Libvirt", "LibvirtXML", "VMCtlKit", "NoCloud"]),
    ],
    swiftLanguageModes: [.v6]
)
