import ArgumentParser
import Foundation
import PortalReceiver
import PortalKeys
import PortalServer
import PortalHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the generated output folder on 127.0.0.1 with the recommended security headers.")

    @OptionGroup var outputOption: OutputOption

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Seconds in which a whole request must arrive; a silent connection is closed after as long.")
    var requestTimeout: Double = 30

    func run() async throws {
        guard FileManager.default.fileExists(atPath: outputOption.outputURL.appendingPathComponent("site.json").path) else {
            printError("error: \(outputOption.output) holds no generated site; run `portal generate` first.")
            throw ExitCode(1)
        }
        let folder = outputOption.output
        let limits = ConnectionLimits(idleTimeout: requestTimeout, requestTimeout: requestTimeout)
        try await StaticSiteServer(folder: outputOption.outputURL, port: port, limits: limits).run { url in
            printNow("Serving \(folder) on \(url)  (Ctrl-C stops)")
        }
    }
}

struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Preview every audience on 127.0.0.1, rendered in memory (nothing is written or sealed).",
        discussion: "Edits to content/ or the theme show on the next reload; content problems show in the page.")

    @OptionGroup var paths: PathOptions

    @Option(help: "Port on 127.0.0.1; by default a free one (open the printed link: it holds this run's key).")
    var port: Int = 0

    @OptionGroup var keysOption: KeysOption

    func run() async throws {
        // With a keystore, albums mark the photos parents will not see for lack of consent.
        let keys = FileManager.default.fileExists(atPath: keysOption.keysURL.appendingPathComponent("keystore.json").path) ? keysOption.keysURL : nil
        try await PreviewServer(contentRoot: paths.contentURL, themeRoot: paths.themeURL, port: port, keysRoot: keys).run { url in
            printNow("Preview on \(url)  (staff only; Ctrl-C stops)")
        }
    }
}

/// The quick start's main job: build the example school, make demo tokens, serve it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate the example school with demo tokens and serve it on 127.0.0.1.")

    @OptionGroup var paths: PathOptions
    @OptionGroup var outputOption: OutputOption
    @OptionGroup var keysOption: KeysOption

    @Option(help: "Port on 127.0.0.1.")
    var port: Int = 8080

    static let demoTokens: [(label: String, groups: [String], children: [(name: String, group: String)])] = [
        ("demo: ouders groep 3", ["groep-3"], []),
        ("demo: ouders groep 5", ["groep-5"], []),
        // As a class list with a children column would give them: the forms offer Sam and Noor.
        ("demo: gezin met kinderen in groep 3 en groep 8", ["groep-3", "groep-8"], [("Sam", "groep-3"), ("Noor", "groep-8")]),
    ]

    func run() async throws {
        var keystore = try openKeystore(keysOption, timeZone: paths.schoolTimeZone)
        var tokens: [(String, String)] = []
        for demo in Self.demoTokens {
            if let existing = keystore.activeTokens(at: Date()).first(where: { $0.label == demo.label }) {
                tokens.append((demo.label, existing.token))
                if !demo.children.isEmpty { _ = keystore.updateChildren(family: existing.family, listed: demo.children) }
            } else {
                // Demo tokens skip the registration week: the demo never runs `portal sync`.
                let expiry = Keystore.defaultExpiry(issuedAt: Date(), in: keystore.timeZone)
                let issued = try keystore.issueToken(
                    audiences: demo.groups, label: demo.label, expires: expiry, family: nil,
                    registerBy: expiry.addingTimeInterval(-1))
                tokens.append((demo.label, issued.token.text))
                if !demo.children.isEmpty { _ = keystore.updateChildren(family: issued.record.family, listed: demo.children) }
            }
        }
        try keystore.save()
        let summary = try runGenerate(paths: paths, output: outputOption, keys: keysOption)
        printNow(summary.text)
        let demo = tokens
        // One process, as a small school would run it: the receiver serves the site and /api/v1/.
        let trustURL = keysOption.keysURL.appendingPathComponent("trust.json")
        let database = keysOption.keysURL.appendingPathComponent("demo-receiver.sqlite").path
        let receiver = try Receiver(trust: try TrustStore(url: trustURL), databasePath: database)
        let server = ReceiverServer(receiver: receiver, port: port, staticFolder: outputOption.outputURL)
        try await server.run { url in
            var lines = ["", "The example school is served on \(url), with the receiver on \(url)/api", "Demo tokens (type one, or open its link):"]
            for (label, token) in demo {
                lines.append("  \(token)   \(label.dropFirst(6))")
                lines.append("      \(url)/#token=\(token)")
            }
            lines.append("Staff read what parents sent with: portal inbox --receiver \(url)/api   and   portal bookings --receiver \(url)/api")
            lines.append("Ctrl-C stops.")
            printNow(lines.joined(separator: "\n"))
        }
    }
}
