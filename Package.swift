// swift-tools-version:6.0
import PackageDescription

// One module per concern (see docs/ARCHITECTURE in README): crypto knows nothing of Markdown,
// content knows nothing of keys, the CLI is a thin layer over library code that tests call too.
// Both programs allocate millions of small objects on all cores; jemalloc (Debian's
// libjemalloc-dev) serves them with less contention than glibc's malloc (bench/generate/README.md).
let fastMalloc: [LinkerSetting] = [.linkedLibrary("jemalloc")]

let package = Package(
    name: "Ouderportaal",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "portal", targets: ["portal"]),
        .executable(name: "portal-receiver", targets: ["portal-receiver"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C libraries from Debian, found through pkg-config.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "CCmarkGFM", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        // libvips' headers (they need only glib's and gio's include paths). The library itself is
        // opened with dlopen on first use (Sources/VipsShim), so it is not linked here.
        .systemLibrary(name: "CVips", pkgConfig: "gio-2.0", providers: [.apt(["libvips-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Plain C wrappers over libvips' variadic API, which Swift cannot call.
        .target(name: "VipsShim", dependencies: ["CVips"]),

        // Crypto primitives and the v1 format (HKDF, envelopes, Padmé, tokens, derivations).
        .target(name: "PortalCrypto", dependencies: ["CSodium"]),
        // The secret keystore: master key, inbox key pair, token registry, audience epochs.
        .target(name: "PortalKeys", dependencies: ["PortalCrypto"]),
        // Markdown to safe HTML with cmark-gfm, and link/image extraction for validation.
        .target(name: "PortalMarkdown", dependencies: ["CCmarkGFM"]),
        // The content model: site.yaml and typed front matter, loading and validation.
        .target(name: "PortalContent", dependencies: ["PortalMarkdown", "Yams"]),
        // Per-audience rendering through the theme's Mustache templates, Dutch dates.
        .target(
            name: "PortalRender",
            dependencies: ["PortalContent", "PortalMarkdown", .product(name: "Mustache", package: "swift-mustache")]),
        // Photo variants with libvips: orientation applied, all metadata stripped, cached by hash.
        .target(name: "PortalPhotos", dependencies: ["VipsShim"]),
        // Invitation letters: class list import, the printable letter (HTML, PDF), the e-mail
        // (.eml) and its QR code (libqrencode).
        .target(
            name: "PortalLetters",
            dependencies: ["CQRencode", "PortalMarkdown", "PortalContent", "PortalKeys", "PortalPhotos"]),
        // The generate pipeline: render, seal, write, swap; incremental cache.
        .target(name: "PortalBuild", dependencies: ["PortalRender", "PortalKeys", "PortalCrypto", "PortalPhotos", "PortalTrust"]),
        // HTTP pieces every server of the portal shares: the security headers.
        .target(name: "PortalHTTP", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
        // Local HTTP servers: the staff preview (plaintext, memory only) and `serve` of output/.
        .target(
            name: "PortalServer",
            dependencies: ["PortalBuild", "PortalHTTP", .product(name: "Hummingbird", package: "hummingbird")]),
        // The receiver's trust file: what `generate` tells the receiver (token ids, public keys,
        // schedules). Plain Codable values, shared by the writer and the reader.
        .target(name: "PortalTrust"),
        // The receiver: signed, HPKE-sealed absence reports and bookings, stored in SQLite.
        .target(
            name: "PortalReceiver",
            dependencies: [
                "PortalTrust", "PortalCrypto", "PortalHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .executableTarget(
            name: "portal-receiver",
            dependencies: ["PortalReceiver", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            linkerSettings: fastMalloc),
        // The staff CLI.
        .executableTarget(
            name: "portal",
            dependencies: [
                "PortalBuild", "PortalServer", "PortalKeys", "PortalReceiver", "PortalLetters",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: fastMalloc),

        .testTarget(
            name: "PortalCryptoTests", dependencies: ["PortalCrypto", "PortalKeys"], exclude: ["format_vectors.py"]),
        .testTarget(name: "PortalContentTests", dependencies: ["PortalContent"]),
        .testTarget(name: "PortalRenderTests", dependencies: ["PortalRender"]),
        .testTarget(name: "PortalPhotosTests", dependencies: ["PortalPhotos"]),
        .testTarget(name: "PortalReceiverTests", dependencies: ["PortalReceiver", "PortalTrust", "PortalCrypto"]),
        .testTarget(name: "PortalLettersTests", dependencies: ["PortalLetters", "PortalKeys", "PortalContent"]),
        .testTarget(name: "PortalBuildTests", dependencies: ["PortalBuild"]),
        .testTarget(name: "PortalCLITests", dependencies: ["PortalBuild", "PortalKeys", "PortalCrypto", "PortalReceiver"]),
    ]
)
