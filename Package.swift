// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "MusicForge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "musicforge", targets: ["musicforge"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System-library shims: a modulemap and a header each, nothing else.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]
        ),
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswresample-dev", "libavutil-dev"]), .brew(["ffmpeg"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        .systemLibrary(
            name: "CFFTW",
            pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"]), .brew(["fftw"])]
        ),

        // One libc call Swift's Glibc module does not show: closing every other descriptor in a spawned child.
        .target(name: "CProcessSpawn"),

        // Music theory: pitch classes, keys, Camelot and Open Key, harmonic distance. Pure Swift.
        .target(name: "MusicTheory"),

        // The values every layer shares: the Filters a query means, the music vocabulary, JSON as a
        // value and as text, the in-process cache.
        .target(name: "Core", dependencies: ["MusicTheory"]),

        // The synthesiser's sound sources: oscillators, filters, effects, drum and percussion voices,
        // seeded random sources.
        .target(name: "SynthesisVoices"),

        // A deterministic synthesiser of music with known tempo and key, for tests, benchmarks and
        // the demo library.
        .target(name: "Synthesis", dependencies: ["SynthesisVoices"]),

        // The tagging networks (musicnn's inference, ported) and the weights file they load. BLAS.
        // Optimised in debug builds too: unoptimised, its loops make one track's tags cost seconds,
        // and every test that analyses audio would pay that.
        .target(name: "AudioTagging", dependencies: ["CBLAS"], swiftSettings: [.unsafeFlags(["-O"])]),

        // The audio engine: decoding through FFmpeg, analysis on FFTW, tagging.
        .target(name: "AudioAnalysis", dependencies: ["CFFmpeg", "CFFTW", "MusicTheory", "AudioTagging"]),

        // The analysis worker processes: the pool, the length-prefixed JSON pipe protocol, spawning.
        .target(name: "AnalysisWorkers", dependencies: ["AudioAnalysis", "AudioTagging", "CProcessSpawn"]),

        // Query understanding: free text to Filters, by the rule parser or an LLM provider and its prompts.
        .target(
            name: "QueryParsing",
            dependencies: [
                "Core",
                "MusicTheory",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // Catalogues and the audio they point at: downloads behind the address guard.
        .target(
            name: "Catalogs",
            dependencies: [
                "Core",
                "CProcessSpawn",
                "AudioAnalysis",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // Search: orchestration (parse, fan out, analyse, rank) and ranking. Storage behind protocols.
        .target(name: "Search", dependencies: ["Core", "QueryParsing", "Catalogs", "AnalysisWorkers", "AudioAnalysis", "AudioTagging", "MusicTheory"]),

        // The Redis client: RESP over SwiftNIO, a connection per event loop, scripts by SHA-1; hiredis
        // for the blocking subscriber.
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // PostgreSQL: the client's pool and settings, the migrations (embedded) and their runner.
        .target(
            name: "Database",
            dependencies: [
                "Core",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Migrations")]
        ),

        // Accounts as domain logic: API keys (hashed), their verification and revocation, tiered rate
        // limits, usage recorded exactly once and drained to PostgreSQL.
        .target(
            name: "Accounts",
            dependencies: [
                "Core",
                "Database",
                "Redis",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // What searches learn, kept where every instance sees it: analyses (PostgreSQL, cached in Redis)
        // and the claim on one, the library index, provider answers and parsed filters.
        .target(
            name: "Stores",
            dependencies: [
                "Core",
                "AudioAnalysis",
                "Catalogs",
                "Database",
                "QueryParsing",
                "Redis",
                "Search",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),

        // The app: the configuration (environment, URLs, tiers file, catalogue and parser setup) and
        // SearchStack, the one composition root of a search for serve and the command line alike.
        .target(
            name: "App",
            dependencies: [
                "Core",
                "Accounts",
                "AnalysisWorkers",
                "AudioAnalysis",
                "Catalogs",
                "Database",
                "QueryParsing",
                "Redis",
                "Search",
                "Stores",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The HTTP API: the generated server, handlers, middleware, errors, the server's assembly.
        .target(
            name: "Platform",
            dependencies: [
                "App",
                "Core",
                "Accounts",
                "AnalysisWorkers",
                "Database",
                "Redis",
                "Stores",
                "AudioAnalysis",
                "AudioTagging",
                "QueryParsing",
                "Catalogs",
                "Search",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // For the error PostgresClient throws when it cannot connect (ConnectionPoolError).
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            ],
            resources: [
                .embedInCode("Resources/openapi-document.yaml"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),

        // The one executable: parses arguments, calls into the libraries.
        .executableTarget(
            name: "musicforge",
            dependencies: [
                "Core",
                "App",
                "AnalysisWorkers",
                "Accounts",
                "Database",
                "Redis",
                "Platform",
                "AudioAnalysis",
                "AudioTagging",
                "Catalogs",
                "QueryParsing",
                "Search",
                "Synthesis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Test support: real redis-server and PostgreSQL processes on loopback.
        .target(
            name: "TestSupport",
            dependencies: [
                "CProcessSpawn",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "MusicTheoryTests",
            dependencies: ["MusicTheory"]
        ),
        .testTarget(
            name: "AudioAnalysisTests",
            dependencies: ["AnalysisWorkers", "AudioAnalysis", "AudioTagging", "Synthesis", "MusicTheory", "TestSupport"],
            // The tagging reference outputs are read by path.
            exclude: ["Resources"]
        ),
        .testTarget(
            name: "QueryParsingTests",
            dependencies: ["Core", "QueryParsing", "MusicTheory", "TestSupport"],
            // The query table is read by path, by the tests and by scripts/bench-parse.
            exclude: ["Resources"]
        ),
        .testTarget(
            name: "SearchTests",
            dependencies: ["Core", "Search", "Catalogs", "QueryParsing", "AudioAnalysis", "AudioTagging", "MusicTheory", "TestSupport"]
        ),
        .testTarget(
            name: "CatalogsTests",
            dependencies: ["Core", "Catalogs", "QueryParsing", "AudioAnalysis", "Synthesis", "TestSupport"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["App", "Core", "TestSupport", "Platform"]
        ),
        .testTarget(
            name: "PlatformTests",
            dependencies: [
                "App",
                "Stores",
                "AnalysisWorkers",
                "Accounts",
                "Database",
                "Redis",
                "Core",
                "Platform",
                "AudioAnalysis",
                "Catalogs",
                "Synthesis",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
    ]
)
