// swift-tools-version: 6.1
// A small package that imports vmctl's library products by path, as any other
// Swift tool would. CI builds and runs it (Scripts/test.sh).
import PackageDescription

let package = Package(
    name: "vmctl-consumer",
    dependencies: [
        .package(name: "vmctl", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "vmctl-consumer",
            dependencies: [
                .product(name: "Libvirt", package: "vmctl"),
                .product(name: "VMCtlKit", package: "vmctl"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
