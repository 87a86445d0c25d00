// swift-tools-version:6.0
import PackageDescription

// One set of strictness settings for every Swift target (Hummingbird's pattern).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ponder",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ponder", targets: ["ponder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    ],
    targets: [
        // Conversation model, backend protocol, think dialects, <think> splitter, transcripts,
        // themes, configuration. No terminal or socket I/O.
        .target(name: "PonderCore", swiftSettings: strict),

        // Innermost engine kernels in C, with runtime CPU dispatch and a portable fallback.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // GGUF, tokenizers, Jinja chat templates, transformer, sampler, generation.
        .target(name: "PonderEngine", dependencies: ["PonderCore", "CKernels"], swiftSettings: strict),

        // OpenAI-compatible and Ollama streaming clients.
        .target(
            name: "PonderRemote",
            dependencies: [
                "PonderCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),

        // `ponder serve`: any ChatBackend behind an OpenAI-compatible server on NIO's HTTP/1 pipeline.
        .target(
            name: "PonderServe",
            dependencies: [
                "PonderCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict),

        // Pure UI core: state, reducer, view into a cell grid. Never touches curses.
        .target(name: "PonderTUI", dependencies: ["PonderCore", "CCellWidth"], swiftSettings: strict),
        // glibc's wcwidth in a UTF-8 locale: the width ncursesw draws each character with.
        .target(name: "CCellWidth"),
        // ncursesw (system library) plus a C guard that restores the terminal on crashes.
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        // Crash guard, signal pipe, UTF-8 locale, window size.
        .target(name: "CTerminal"),
        // The one owner of the terminal: curses adapter, event loop, effect runner.
        .target(
            name: "PonderTerminal",
            dependencies: ["PonderTUI", "PonderCore", "CNcursesw", "CTerminal"],
            swiftSettings: strict),

        // Every outside input as a fuzz target (libFuzzer through PonderFuzz, replays in the tests).
        .target(
            name: "PonderFuzzing", dependencies: ["PonderCore", "PonderEngine", "PonderRemote", "PonderServe", "PonderTUI"],
            swiftSettings: strict),
        .executableTarget(name: "PonderFuzz", dependencies: ["PonderFuzzing"], swiftSettings: strict),

        // The git commit `ponder --version` names (commit.h, written by `make build`).
        .target(name: "CBuildInfo"),
        .executableTarget(
            name: "ponder",
            dependencies: [
                "PonderCore", "PonderEngine", "PonderRemote", "PonderServe", "PonderTUI", "PonderTerminal", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        // Shared test helpers: fixture and peer lookup, grid assertions.
        .target(name: "PonderTestSupport", dependencies: ["PonderCore"], path: "Tests/PonderTestSupport",
                swiftSettings: strict),
        .testTarget(name: "PonderCoreTests", dependencies: ["PonderCore", "PonderTestSupport"], swiftSettings: strict),
        .testTarget(name: "PonderEngineTests", dependencies: ["PonderEngine", "PonderTestSupport"], swiftSettings: strict),
        .testTarget(name: "PonderRemoteTests", dependencies: ["PonderRemote", "PonderTestSupport"], swiftSettings: strict),
        .testTarget(name: "PonderTUITests", dependencies: ["PonderTUI", "PonderRemote", "PonderTestSupport"], swiftSettings: strict),
        // Runs the real binary's subcommands (tokenize, inspect, generate, template, transcript, config).
        .testTarget(name: "PonderCLITests", dependencies: ["ponder", "PonderCore", "PonderEngine", "PonderTestSupport"],
                    swiftSettings: strict),
        // Replays the committed fuzz inputs through their targets.
        .testTarget(name: "PonderFuzzTests", dependencies: ["PonderFuzzing", "PonderTestSupport"], swiftSettings: strict),
        // ponder serve: request decoding, chunks and the queue without sockets; the real binary over
        // loopback with ponder's own remote backend and the openai Python client.
        .testTarget(
            name: "PonderServeTests", dependencies: ["ponder", "PonderServe", "PonderRemote", "PonderCore", "PonderTestSupport"],
            swiftSettings: strict),
        // Runs the real binary: tmux-driven TUI sessions and a real llama-server.
        .testTarget(name: "PonderE2ETests", dependencies: ["ponder", "PonderCore", "PonderTestSupport"],
                    swiftSettings: strict),
    ]
)
