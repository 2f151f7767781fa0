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
    // None: depending on the Autograd library fetches no other package. The
    // tools parse their flags with ToolSupport (Sources/ToolSupport/Flag.swift).
    dependencies: [],
    targets: [
        // Forward/backward numeric kernels: plain C, float and double, no
        // allocation. Matrix products go to a CBLAS loaded at run time
        // (linalg.c says why): OpenBLAS on Linux, Accelerate on macOS. dlopen
        // is in libdl on Linux (before glibc 2.34) and in libSystem on macOS.
        .target(
            name: "AutogradKernels",
            path: "CSources/AutogradKernels",
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("dl", .when(platforms: [.linux]))]
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
        // The tools' flag parsing (in no product, so library users never build it).
        .target(name: "ToolSupport", path: "Sources/ToolSupport"),
        .executableTarget(
            name: "autograd-demo",
            dependencies: ["Autograd", "AutogradExamples", "ToolSupport"],
            path: "Sources/autograd-demo"
        ),
        .executableTarget(
            name: "autograd-bench",
            dependencies: ["Autograd", "AutogradExamples", "AutogradKernels", "ToolSupport"],
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
