// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-autograd",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .executable(name: "autograd-demo", targets: ["autograd-demo"]),
        .executable(name: "autograd-bench", targets: ["autograd-bench"]),
        // The C API: libautograd.so, declared by CSources/CAutograd/include/autograd.h.
        .library(name: "autograd", type: .dynamic, targets: ["AutogradC"]),
    ],
    dependencies: [
        // Command-line flags of autograd-demo and autograd-bench.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Forward/backward numeric kernels: plain C, float and double, no
        // allocation. Matrix products go to a CBLAS (OpenBLAS) loaded at run
        // time (linalg.c says why), hence libdl.
        .target(
            name: "AutogradKernels",
            path: "CSources/AutogradKernels",
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("dl")]
        ),
        // Thread-local engine state (grad mode) that Swift reads without locks.
        .target(name: "_AutogradShims", path: "CSources/_AutogradShims"),
        .target(
            name: "Autograd",
            dependencies: ["AutogradKernels", "_AutogradShims"],
            path: "Sources/Autograd"
        ),
        // The seed example's custom op: its C kernels, and the Swift Function
        // that wraps them (used by the demo, the tests and the benchmark).
        .target(name: "ExampleKernels", dependencies: ["AutogradKernels"], path: "CSources/ExampleKernels"),
        .target(name: "AutogradExamples", dependencies: ["Autograd", "ExampleKernels"],
                path: "Sources/AutogradExamples"),
        .executableTarget(
            name: "autograd-demo",
            dependencies: ["Autograd", "AutogradExamples",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/autograd-demo"
        ),
        .executableTarget(
            name: "autograd-bench",
            dependencies: ["Autograd", "AutogradExamples", "AutogradKernels",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/autograd-bench"
        ),
        // The C API's public header (autograd.h) and its implementation in
        // Swift: `@c @implementation` functions checked against the header.
        .target(name: "CAutograd", path: "CSources/CAutograd"),
        .target(name: "AutogradC", dependencies: ["Autograd", "AutogradKernels", "CAutograd"],
                path: "Sources/AutogradC"),
        .testTarget(
            name: "AutogradTests",
            dependencies: ["Autograd", "AutogradKernels", "AutogradExamples", "ExampleKernels", "AutogradC", "CAutograd"],
            path: "Tests/AutogradTests",
            resources: [.copy("Fixtures")]
        ),
        // Threads and tasks, written as a user writes them (no @testable, the
        // Swift 6 language mode): exact concurrent backward, Sendable tensors,
        // task-local grad mode. Also run under ThreadSanitizer (scripts/test-tsan.sh).
        .testTarget(
            name: "AutogradConcurrencyTests",
            dependencies: ["Autograd", "AutogradC", "CAutograd"],
            path: "Tests/AutogradConcurrencyTests",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
