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
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // P-256 and AES-128-GCM for Web Push only (libsodium has neither); the receiver's
        // client to the push services.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
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

        // The file system, done once: atomic writes, private folders, file stamps for change
        // detection, result slots for parallel workers, RFC 3339 times. Depends on nothing.
        .target(name: "PortalFiles"),
        // libsodium primitives: hashes, HKDF, AES-256-GCM, HPKE, Ed25519/X25519, encodings, and the
        // injected random source and clock.
        .target(name: "PortalCrypto", dependencies: ["CSodium"]),
        // What docs/FORMAT.md specifies, one file per heading: tokens and what is derived from them,
        // the school's keys, envelopes and Padmé, keyslot and manifest JSON, site.json.
        .target(name: "PortalFormat", dependencies: ["PortalCrypto", "CSodium"]),
        // The secret keystore: master key, inbox key pair, token registry, audience epochs.
        .target(name: "PortalKeys", dependencies: ["PortalCrypto", "PortalFormat", "PortalFiles"]),
        // Markdown to safe HTML with cmark-gfm, and link/image extraction for validation.
        .target(name: "PortalMarkdown", dependencies: ["CCmarkGFM"]),
        // The content model: site.yaml and typed front matter, loading and validation.
        .target(name: "PortalContent", dependencies: ["PortalMarkdown", "PortalFiles", "Yams"]),
        // Per-audience rendering through the theme's Mustache templates, Dutch dates.
        .target(
            name: "PortalRender",
            dependencies: [
                "PortalContent", "PortalMarkdown", "PortalFiles", .product(name: "Mustache", package: "swift-mustache"),
            ]),
        // Photo variants with libvips: orientation applied, all metadata stripped, cached by hash.
        .target(name: "PortalPhotos", dependencies: ["VipsShim", "PortalFiles"]),
        // Pictures the portal draws itself with libvips: a QR matrix as a 1-bit PNG, app icons.
        .target(name: "PortalGraphics", dependencies: ["VipsShim"]),
        // Invitation letters: class list import, the printable letter (HTML, PDF), the e-mail
        // (.eml) and its QR code (libqrencode).
        .target(
            name: "PortalLetters",
            dependencies: ["CQRencode", "PortalMarkdown", "PortalContent", "PortalKeys", "PortalGraphics", "PortalFiles"]),
        // The generate pipeline: render, seal, write, swap; incremental cache.
        .target(
            name: "PortalBuild",
            dependencies: [
                "PortalContent", "PortalRender", "PortalKeys", "PortalCrypto", "PortalFormat", "PortalPhotos", "PortalGraphics",
                "PortalTrust", "PortalFiles", "PortalPush",
            ]),
        // `portal publish`: output/ to a host's folder with rsync, in an order that never shows a
        // file naming one not there yet, with a signed release list and a grace period.
        .target(name: "PortalPublish", dependencies: ["PortalCrypto", "PortalFiles", "PortalFormat", "PortalKeys"]),
        // Web Push (RFC 8188, 8291, 8292): message encryption, VAPID, the endpoint rule, quiet
        // hours, the payload. swift-crypto for P-256 and AES-128-GCM, PortalCrypto for the rest.
        .target(name: "PortalPush", dependencies: ["PortalCrypto", .product(name: "Crypto", package: "swift-crypto")]),
        // HTTP pieces every server of the portal shares: the security headers.
        .target(
            name: "PortalHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]),
        // Local HTTP servers: the staff preview (plaintext, memory only) and `serve` of output/.
        .target(
            name: "PortalServer",
            dependencies: [
                "PortalContent", "PortalRender", "PortalPhotos", "PortalCrypto", "PortalHTTP", "PortalFiles", "PortalBuild", "PortalKeys",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        // The receiver's trust file: what `generate` tells the receiver (token ids, public keys,
        // schedules). Plain Codable values, shared by the writer and the reader.
        .target(name: "PortalTrust", dependencies: ["PortalFiles"]),
        // The receiver: signed, HPKE-sealed absence reports and bookings, stored in SQLite.
        .target(
            name: "PortalReceiver",
            dependencies: [
                "PortalTrust", "PortalCrypto", "PortalFormat", "PortalHTTP", "PortalFiles", "PortalPush",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .executableTarget(
            name: "portal-receiver",
            dependencies: ["PortalReceiver", "PortalTrust", "PortalPush", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            linkerSettings: fastMalloc),
        // The staff CLI.
        .executableTarget(
            name: "portal",
            dependencies: [
                "PortalBuild", "PortalServer", "PortalContent", "PortalCrypto", "PortalFormat", "PortalKeys", "PortalReceiver",
                "PortalLetters", "PortalFiles", "PortalHTTP", "PortalPublish", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: fastMalloc),

        // Test-only code shared by the test targets: the repository's location, an opener of sealed
        // sites, a reproducible random source, settable clocks, and the real `portal` and
        // `portal-receiver` run as processes. No product depends on it.
        .target(
            name: "PortalTestSupport",
            dependencies: ["CSodium", "PortalCrypto", "PortalFormat", "PortalBuild"],
            path: "Tests/PortalTestSupport"),
        // One test target per library, named after it.
        .testTarget(name: "PortalFilesTests", dependencies: ["PortalFiles"]),
        .testTarget(name: "PortalCryptoTests", dependencies: ["PortalCrypto", "PortalTestSupport"]),
        .testTarget(
            name: "PortalFormatTests", dependencies: ["CSodium", "PortalCrypto", "PortalFormat", "PortalTestSupport"],
            exclude: ["format_vectors.py"]),
        .testTarget(name: "PortalKeysTests", dependencies: ["PortalKeys", "PortalCrypto", "PortalFormat", "PortalTestSupport"]),
        .testTarget(name: "PortalMarkdownTests", dependencies: ["PortalMarkdown"]),
        .testTarget(name: "PortalContentTests", dependencies: ["PortalContent", "PortalMarkdown"]),
        .testTarget(name: "PortalRenderTests", dependencies: ["PortalRender", "PortalContent"]),
        .testTarget(name: "PortalPhotosTests", dependencies: ["PortalPhotos", "VipsShim"]),
        .testTarget(name: "PortalGraphicsTests", dependencies: ["PortalGraphics", "PortalPhotos"]),
        .testTarget(name: "PortalTrustTests", dependencies: ["PortalTrust"]),
        .testTarget(
            name: "PortalPushTests", dependencies: ["PortalPush", "PortalCrypto", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["push_crosscheck.py"]),
        .testTarget(name: "PortalHTTPTests", dependencies: ["PortalHTTP", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(
            name: "PortalPublishTests",
            dependencies: ["PortalPublish", "PortalBuild", "PortalCrypto", "PortalFiles", "PortalFormat", "PortalKeys", "PortalTestSupport"]),
        .testTarget(name: "PortalServerTests", dependencies: ["PortalServer", "PortalPhotos", "PortalTestSupport"]),
        .testTarget(
            name: "PortalReceiverTests",
            dependencies: ["PortalReceiver", "PortalTrust", "PortalCrypto", "PortalFiles", "PortalFormat", "PortalPush", "PortalTestSupport"]),
        .testTarget(name: "PortalLettersTests", dependencies: ["PortalLetters", "PortalKeys", "PortalContent"]),
        .testTarget(
            name: "PortalBuildTests",
            dependencies: [
                "PortalBuild", "PortalContent", "PortalCrypto", "PortalFormat", "PortalKeys", "PortalPhotos", "PortalTrust",
                "PortalTestSupport",
            ]),
        .testTarget(
            name: "PortalCLITests",
            dependencies: ["PortalBuild", "PortalContent", "PortalCrypto", "PortalFiles", "PortalFormat", "PortalKeys", "PortalReceiver", "PortalTrust", "PortalTestSupport"]),
    ]
)
