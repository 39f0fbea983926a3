// swift-tools-version: 6.0
import PackageDescription

/// The simulation's state lives in a few long-lived objects mutated once per event; Swift's dynamic exclusivity
/// checks on their properties cost about a fifth of the run time (measured with perf on the M/M/c benchmark).
/// The model is single-threaded and its accesses are checked statically, so release builds skip the dynamic check.
/// The same holds for the trace reader in FleetSimIO, a class whose buffers are touched for every row (12 % of a
/// replay's time).
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "FleetSim",
    products: [
        .executable(name: "fleetsim", targets: ["fleetsim"]),
        .library(name: "FleetSim", targets: ["FleetSim"]),
        .library(name: "FleetSimIO", targets: ["FleetSimIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // The only door to C: GSL through pkg-config, with a shim for what Swift 6 cannot import directly.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        // Clock, event queue, run loop, random streams, distributions. Knows nothing about GPUs.
        .target(name: "FleetSimKernel", dependencies: ["CGSL"], swiftSettings: hotPathSettings),
        // The model: traffic, serving, fleet, billing, metrics.
        .target(
            name: "FleetSim",
            dependencies: [
                "FleetSimKernel",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: hotPathSettings
        ),
        // The edges: scenario files in, result files out.
        .target(
            name: "FleetSimIO",
            dependencies: [
                "FleetSim", "FleetSimKernel",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: hotPathSettings
        ),
        .executableTarget(
            name: "fleetsim",
            dependencies: [
                "FleetSimIO", "FleetSim", "FleetSimKernel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FleetSimKernelTests", dependencies: ["FleetSimKernel"]),
        .testTarget(name: "FleetSimTests", dependencies: ["FleetSim", "FleetSimKernel"]),
        .testTarget(name: "FleetSimIOTests", dependencies: ["FleetSimIO", "FleetSim", "FleetSimKernel"]),
    ]
)
