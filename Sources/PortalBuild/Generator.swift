// `portal generate` as a list of named steps (`BuildStep`): folders, keys, state, fingerprint,
// load, theme, render, photos, seal, trust, write, swap, record. Each step's name is in its
// errors and timings, and nothing reaches output/ unless every step succeeded.
import Foundation
import PortalContent
import PortalCrypto
import PortalFormat
import PortalKeys
import PortalRender

public struct GenerateOptions: Sendable {
    public var contentDirectory: URL
    public var outputDirectory: URL
    public var keysDirectory: URL
    public var themeDirectory: URL
    /// Where the receiver's trust file goes; by default `<keys>/trust.json`.
    public var trustFile: URL

    /// The trust file's default place for a keystore folder.
    public static func defaultTrustFile(keys: URL) -> URL { TrustStage.defaultLocation(keys: keys) }
    /// The moment that decides which tokens have expired.
    public var now: Date
    /// For a command that exits right after the build: leave the results in memory instead of
    /// freeing them (the operating system takes the memory back at once).
    public var keepResultsAtExit = false

    public init(
        contentDirectory: URL, outputDirectory: URL, keysDirectory: URL, themeDirectory: URL, trustFile: URL? = nil,
        now: Date = Date()
    ) {
        self.contentDirectory = contentDirectory
        self.outputDirectory = outputDirectory
        self.keysDirectory = keysDirectory
        self.themeDirectory = themeDirectory
        self.trustFile = trustFile ?? TrustStage.defaultLocation(keys: keysDirectory)
        self.now = now
    }
}

/// What a build did, for the one-paragraph summary staff see.
public struct GenerateSummary: Sendable {
    public var audiences = 0
    public var items = 0
    public var media = 0
    public var tokens = 0
    public var files = 0
    public var bytes = 0
    /// True when nothing changed since the last build and output/ was left as it was.
    public var unchanged = false
    public var timings: [(step: BuildStep, seconds: Double)] = []
    public var seconds: Double { timings.reduce(0) { $0 + $1.seconds } }
}

/// Runs the whole pipeline.
///
///     let summary = try Generator(options: options).run()
public struct Generator {
    public let options: GenerateOptions

    public init(options: GenerateOptions) { self.options = options }

    public func run() throws(BuildError) -> GenerateSummary {
        var summary = GenerateSummary()
        var clock = StepClock()

        try clock.step(.folders) { () throws(BuildError) in try checkFolders() }
        let keystore: Keystore = try clock.step(.keys) { () throws(BuildError) in
            do { try Sodium.ensureReady() } catch { throw BuildError(.keys, "\(error)") }
            do {
                var keystore = try Keystore.openOrCreate(at: options.keysDirectory)
                // Holders of expired tokens, and of tokens that lapsed unregistered, may still have
                // their audience keys: re-key those audiences (once per token).
                if !keystore.rotateForExpiredTokens(at: options.now).isEmpty { try keystore.save() }
                return keystore
            } catch { throw BuildError(.keys, path: options.keysDirectory.path, "\(error)") }
        }
        let previous = clock.step(.state) { BuildFingerprint.load(options) }
        let fingerprint = try clock.step(.fingerprint) { () throws(BuildError) in
            try BuildFingerprint.compute(
                options: options, activeTokens: keystore.activeTokens(at: options.now).map(\.id), previous: previous)
        }
        if BuildFingerprint.isCurrent(fingerprint, previous: previous, options: options) {
            summary.unchanged = true
            summary.timings = clock.timings
            return summary
        }
        let site: Site = try clock.step(.load) { () throws(BuildError) in
            do throws(ContentErrors) { return try ContentLoader(root: options.contentDirectory).load() } catch {
                throw BuildError(.load, problems: error.problems)
            }
        }
        let theme: Theme = try clock.step(.theme) { () throws(BuildError) in
            do throws(ThemeError) { return try Theme.load(from: options.themeDirectory) } catch {
                throw BuildError(.theme, path: error.file, error.message)
            }
        }
        let rendered = clock.step(.render) { SiteRenderer(site: site, theme: theme).renderAll() }
        let media = try clock.step(.photos) { () throws(BuildError) in
            try MediaStage(keysDirectory: options.keysDirectory).process(rendered)
        }
        let sealed = try clock.step(.seal) { () throws(BuildError) in
            try Sealer(
                site: site, keystore: keystore, now: options.now,
                previousSequences: AudienceSequences.load(keys: options.keysDirectory)
            ).seal(rendered, media: media)
        }
        // The trust file first: a receiver that already knows new tokens (and has dropped revoked
        // ones) before the new site is live does no harm; the reverse would.
        try clock.step(.trust) { () throws(BuildError) in
            try TrustStage(site: site, keystore: keystore, now: options.now).write(to: options.trustFile)
        }
        let staging = try clock.step(.write) { () throws(BuildError) in
            let staging = try OutputFolder.Staging(replacing: options.outputDirectory)
            try staging.copyTree(from: theme.appDirectory, skipping: AppIdentity.paths.contains)
            try staging.writeAll(sealed.files + AppIdentity(site: site, theme: theme.appDirectory).files())
            return staging
        }
        try clock.step(.swap) { () throws(BuildError) in try staging.commit() }
        clock.step(.record) {
            sealed.sequences.save(keys: options.keysDirectory)
            BuildFingerprint.record(fingerprint, options: options)
        }

        summary.audiences = rendered.count
        summary.items = site.items.count
        summary.media = media.count
        summary.tokens = sealed.keyslots
        summary.files = sealed.files.count
        summary.bytes = sealed.files.reduce(0) { $0 + $1.bytes.count }
        summary.timings = clock.timings
        if options.keepResultsAtExit {
            // The command exits right after this: returning would first free the content, the
            // rendered pages and the sealed files one object at a time (0.1 s for 10,000 items).
            _ = Unmanaged.passRetained(BuildResults(site: site, rendered: rendered, sealed: sealed))
        }
        return summary
    }

    /// Refuse layouts where output/ could overwrite or expose the content or the keystore.
    private func checkFolders() throws(BuildError) {
        let output = options.outputDirectory.standardizedFileURL.path
        for (name, url) in [("content", options.contentDirectory), ("keys", options.keysDirectory), ("theme", options.themeDirectory)] {
            let other = url.standardizedFileURL.path
            if output == other || output.hasPrefix(other + "/") || other.hasPrefix(output + "/") {
                throw BuildError(.folders, path: output, "the output folder overlaps the \(name) folder \(other)")
            }
        }
    }
}

/// What a build made, kept alive on purpose by `GenerateOptions.keepResultsAtExit`.
private final class BuildResults {
    let site: Site
    let rendered: [RenderedAudience]
    let sealed: SealedSite
    init(site: Site, rendered: [RenderedAudience], sealed: SealedSite) {
        self.site = site
        self.rendered = rendered
        self.sealed = sealed
    }
}
