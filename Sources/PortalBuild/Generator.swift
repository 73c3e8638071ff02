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
    /// Long steps report here as they go: (step, done, total). Called from worker threads, one
    /// call at a time; the CLI draws a progress bar on a terminal.
    public var progress: (@Sendable (_ step: String, _ done: Int, _ total: Int) -> Void)?

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
    /// True when only items changed and only those were read, rendered and sealed again (with
    /// the pages and indexes that list them); `items`, `files` and `bytes` then count that part.
    public var incremental = false
    /// True when only the keystore changed and only keys were sealed again: every keyslot,
    /// site.json, the trust file, and the pages and indexes of `audiences` re-keyed audiences.
    public var rekeyed = false
    /// Items rendered by this build.
    public var rendered = 0
    /// Audiences whose index this build wrote (all of them in a full build), sorted.
    public var changedAudiences: [String] = []
    public var timings: [(step: BuildStep, seconds: Double)] = []
    /// Photos (and albums) left out for lack of consent, as `file:line: message` (not errors).
    public var notices: [String] = []
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
                var changed = !keystore.rotateForExpiredTokens(at: options.now).isEmpty
                // Office tokens read every group of site.yaml (read alone: the content is loaded
                // later; only when there is an office token, a no-op build stays as cheap); a
                // damaged site.yaml is reported by the load step.
                if keystore.tokens().contains(where: { $0.staff == .office }),
                   let config = try? ContentLoader(root: options.contentDirectory).siteConfig() {
                    changed = keystore.updateOfficeAudiences(groups: config.groups.map(\.id)) || changed
                }
                // Group inbox keys turn over weekly (FORMAT.md "Group inbox keys").
                let inboxBefore = keystore.inboxEpochs
                keystore.rotateInboxKeys(groups: keystore.inboxGroups(), at: options.now)
                if changed || keystore.inboxEpochs != inboxBefore { try keystore.save() }
                return keystore
            } catch { throw BuildError(.keys, path: options.keysDirectory.path, "\(error)") }
        }
        let previous = clock.step(.state) { BuildFingerprint.load(options) }
        let fingerprint = try clock.step(.fingerprint) { () throws(BuildError) in
            try BuildFingerprint.compute(
                options: options, activeTokens: keystore.activeTokens(at: options.now).map(\.id), previous: previous)
        }
        // An item written ahead (`publish:`, or news dated later) whose moment has come: nothing
        // changed on disk, so only the clock says it; a full build publishes it.
        let due = ScheduledItems.next(keys: options.keysDirectory).map { $0 <= options.now } ?? false
        if !due && BuildFingerprint.isCurrent(fingerprint, previous: previous, options: options) {
            summary.unchanged = true
            summary.timings = clock.timings
            return summary
        }
        // The command exits right after a build: freeing the fingerprints' file tables one entry
        // at a time would cost more than some incremental builds.
        if options.keepResultsAtExit { keepAlive(previous as Any, fingerprint) }
        if !due, let previous, let update = try updateInPlace(previous: previous, fingerprint: fingerprint, keystore: keystore, clock: &clock) {
            return update
        }
        if !due, let previous, let update = try rekeyInPlace(previous: previous, fingerprint: fingerprint, keystore: keystore, clock: &clock) {
            return update
        }
        BuildLedger.remove(keys: options.keysDirectory)
        let content: LoadedContent = try clock.step(.load) { () throws(BuildError) in
            do throws(ContentErrors) { return try ContentLoader(root: options.contentDirectory).loadWithFacts(listing: fingerprint.contentListing) } catch {
                throw BuildError(.load, problems: error.problems)
            }
        }
        var site = content.site
        let scheduled = ScheduledItems.take(from: &site, now: options.now)
        let consented = try clock.step(.load) { () throws(BuildError) in try consent(keystore).apply(to: &site) }
        summary.notices = consented.notices
        let theme: Theme = try clock.step(.theme) { () throws(BuildError) in
            do throws(ThemeError) { return try Theme.load(from: options.themeDirectory) } catch {
                throw BuildError(.theme, path: error.file, error.message)
            }
        }
        let rendered = clock.step(.render) { [site] in SiteRenderer(site: site, theme: theme).renderAll() }
        let media = try clock.step(.photos) { () throws(BuildError) in
            try MediaStage(keysDirectory: options.keysDirectory, progress: options.progress).process(rendered)
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
            let shell = try ShellStage(
                theme: theme.appDirectory, identity: AppIdentity(site: site, theme: theme.appDirectory).files(),
                siteID: keystore.siteID, publisherSeed: keystore.masterKey.publisherSeed).files()
            try staging.writeAll(sealed.files + shell)
            return staging
        }
        try clock.step(.swap) { () throws(BuildError) in try staging.commit() }
        clock.step(.record) {
            sealed.sequences.save(keys: options.keysDirectory)
            BuildFingerprint.record(fingerprint, options: options)
            savePhotoTags(consented.tags)
            ScheduledItems.record(scheduled, keys: options.keysDirectory)
            if let trust = BuildLedger.trustDigest(options.trustFile) {
                BuildLedger(digest: fingerprint.digest, trust: trust, content: content, sealed: sealed).save(keys: options.keysDirectory)
            }
        }

        summary.audiences = rendered.count
        summary.changedAudiences = rendered.map(\.audience.id).sorted()
        summary.items = site.items.count
        summary.rendered = site.items.count
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

    /// The incremental build: when only item files changed since a build whose ledger and
    /// output are still there, reads, renders and seals just those items, re-seals the pages
    /// and indexes that list them, and changes output/ in place. Nil when a full build is
    /// needed: anything else changed (site.yaml, theme, keystore, tokens, options, this
    /// program), the ledger or output/ is missing or does not match, a conference schedule or
    /// an item with `confirm: true` changed (the trust file lists them, with every token), or the trust file is not the one
    /// the last build wrote or still names a schedule's former id (which a full build drops
    /// once the conference is past).
    private func updateInPlace(
        previous: BuildFingerprint, fingerprint: BuildFingerprint, keystore: Keystore, clock: inout StepClock
    ) throws(BuildError) -> GenerateSummary? {
        let output = options.outputDirectory
        guard previous.context == fingerprint.context, let ledger = matchingLedger(previous, clock: &clock) else { return nil }
        let changed = fingerprint.changedItemFiles(since: previous)
        let update = try loadUpdate(ledger, changed: changed, fingerprint: fingerprint, clock: &clock)
        if options.keepResultsAtExit { keepAlive(update) }
        let itemsChanged = update.reread.union(update.removed)
        let schedules = Set(update.facts.filter(\.inTrustFile).map(\.sourcePath))
        if itemsChanged.contains(where: { ledger.facts[$0]?.inTrustFile == true || schedules.contains($0) }) { return nil }
        let theme: Theme = try clock.step(.theme) { () throws(BuildError) in
            do throws(ThemeError) { return try Theme.load(from: options.themeDirectory) } catch {
                throw BuildError(.theme, path: error.file, error.message)
            }
        }
        var site = update.site(contentRoot: options.contentDirectory)
        // An item written ahead leaves its pages to a full build (and the next moment to record).
        guard !site.items.contains(where: { ($0.publishAt ?? .distantPast) > options.now }) else { return nil }
        // An album that consent takes out entirely leaves its pages to a full build.
        let consented = try clock.step(.load) { () throws(BuildError) in try consent(keystore).apply(to: &site) }
        guard consented.droppedItems.isEmpty else { return nil }
        let rendered = clock.step(.render) { [site] in SiteRenderer(site: site, theme: theme).renderAll() }
        let media = try clock.step(.photos) { () throws(BuildError) in
            try MediaStage(keysDirectory: options.keysDirectory, progress: options.progress).process(rendered)
        }
        let sealed: SealedUpdate? = try clock.step(.seal) { [site] () throws(BuildError) in
            try Sealer(
                site: site, keystore: keystore, now: options.now,
                previousSequences: AudienceSequences.load(keys: options.keysDirectory)
            ).update(rendered, media: media, ledger: ledger, facts: update.facts, changed: itemsChanged, output: output)
        }
        guard let sealed else { return nil }
        try clock.step(.write) { () throws(BuildError) in
            try OutputFolder.update(output, writing: sealed.files, removing: sealed.stale)
        }
        clock.step(.record) {
            sealed.sequences.save(keys: options.keysDirectory)
            BuildFingerprint.record(fingerprint, options: options)
            savePhotoTags(consented.tags)
            var next = ledger
            next.digest = fingerprint.digest
            next.changed = itemsChanged
            for path in update.removed { next.facts[path] = nil }
            for facts in update.facts where update.reread.contains(facts.sourcePath) { next.facts[facts.sourcePath] = facts }
            next.products = sealed.products
            next.pages = sealed.pages
            next.save(keys: options.keysDirectory)
        }
        var summary = GenerateSummary(inPlace: sealed, items: update.facts, timings: clock.timings)
        summary.notices = consented.notices
        summary.incremental = true
        summary.rendered = site.items.count
        summary.media = media.count
        summary.tokens = keystore.activeTokens(at: options.now).count
        return summary
    }

    /// The consent rule of this build: the keystore's children, keys/consent.json and the names
    /// resolved by earlier builds (keys/photo-tags.json).
    private func consent(_ keystore: Keystore) throws(BuildError) -> ConsentStage {
        do {
            return ConsentStage(
                keystore: keystore, register: try ConsentRegister.load(keys: options.keysDirectory),
                tags: PhotoTags.load(keys: options.keysDirectory))
        } catch { throw BuildError(.load, path: options.keysDirectory.path, "\(error)") }
    }

    /// Keeps what this build resolved; a failure only means the next build resolves again.
    private func savePhotoTags(_ tags: PhotoTags) {
        guard tags != PhotoTags.load(keys: options.keysDirectory) else { return }
        try? tags.save(keys: options.keysDirectory)
    }

    /// The last build's ledger, if it describes `previous`, output/ is still there and the
    /// trust file is the one it wrote (and names no former schedule id, which only a full build
    /// drops in time).
    private func matchingLedger(_ previous: BuildFingerprint, clock: inout StepClock) -> BuildLedger? {
        guard FileManager.default.fileExists(atPath: options.outputDirectory.appendingPathComponent(OutputFolder.marker).path)
        else { return nil }
        let ledger: BuildLedger? = clock.step(.state) { BuildLedger.load(keys: options.keysDirectory) }
        guard let ledger, ledger.digest == previous.digest, !ledger.trustHasFormerIDs,
              BuildLedger.trustDigest(options.trustFile)?.digest == ledger.trust
        else { return nil }
        return ledger
    }

    /// The load step of a build in place: the items `changed` may change, read again.
    private func loadUpdate(
        _ ledger: BuildLedger, changed: Set<String>, fingerprint: BuildFingerprint, clock: inout StepClock
    ) throws(BuildError) -> ContentUpdate {
        try clock.step(.load) { () throws(BuildError) in
            do throws(ContentErrors) {
                return try ContentLoader(root: options.contentDirectory)
                    .loadUpdate(reusing: ledger.facts, changed: changed, listing: fingerprint.contentListing)
            } catch {
                throw BuildError(.load, problems: error.problems)
            }
        }
    }

    /// The build after a change to the keystore alone (a token issued, revoked, expired or
    /// registered; content, theme and options as they were): re-seals every keyslot, site.json
    /// and the pages and indexes of the audiences whose epoch moved, writes the trust file (with
    /// the conference schedules, read again), and changes output/ in place. No item is read,
    /// rendered or sealed, no photo touched. Nil when a full build is needed.
    private func rekeyInPlace(
        previous: BuildFingerprint, fingerprint: BuildFingerprint, keystore: Keystore, clock: inout StepClock
    ) throws(BuildError) -> GenerateSummary? {
        guard previous.site == fingerprint.site, let ledger = matchingLedger(previous, clock: &clock) else { return nil }
        // Albums that name children show what the class list and consent allow: a full build.
        guard !ledger.facts.values.contains(where: \.tagged) else { return nil }
        // The schedules are in the trust file: those items are read again (and checked).
        let schedules = Set(ledger.facts.values.filter(\.inTrustFile).map(\.sourcePath))
        let update = try loadUpdate(ledger, changed: schedules, fingerprint: fingerprint, clock: &clock)
        guard update.removed.isEmpty, update.reread == schedules else { return nil }
        let site = update.site(contentRoot: options.contentDirectory)
        let titles = site.audiences.map { ($0.id, SiteRenderer.title(of: $0, config: site.config)) }
        let sealed: SealedUpdate? = try clock.step(.seal) { () throws(BuildError) in
            try Sealer(
                site: site, keystore: keystore, now: options.now,
                previousSequences: AudienceSequences.load(keys: options.keysDirectory)
            ).rekey(titles: titles, ledger: ledger, output: options.outputDirectory)
        }
        guard let sealed else { return nil }
        try clock.step(.trust) { () throws(BuildError) in
            try TrustStage(site: site, keystore: keystore, now: options.now).write(to: options.trustFile)
        }
        // Keyslots of tokens no longer active go with the old pages and indexes.
        let keyslotFolder = options.outputDirectory.appendingPathComponent("k").path
        let oldKeyslots = ((try? FileManager.default.contentsOfDirectory(atPath: keyslotFolder)) ?? []).map { "k/" + $0 }
        try clock.step(.write) { () throws(BuildError) in
            try OutputFolder.update(
                options.outputDirectory, writing: sealed.files,
                removing: sealed.stale.union(oldKeyslots.filter { !sealed.keyslots.contains($0) }))
        }
        clock.step(.record) {
            sealed.sequences.save(keys: options.keysDirectory)
            BuildFingerprint.record(fingerprint, options: options)
            var next = ledger
            next.digest = fingerprint.digest
            next.pages = sealed.pages
            next.epochs = sealed.epochs
            if let trust = BuildLedger.trustDigest(options.trustFile) {
                next.trust = trust.digest
                next.trustHasFormerIDs = trust.formerIDs
                next.save(keys: options.keysDirectory)
            } else {
                BuildLedger.remove(keys: options.keysDirectory)
            }
        }
        var summary = GenerateSummary(inPlace: sealed, items: update.facts, timings: clock.timings)
        summary.rekeyed = true
        summary.tokens = sealed.keyslots.count
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

extension GenerateSummary {
    /// What a build that changed output/ in place wrote.
    init(inPlace sealed: SealedUpdate, items: [ItemFacts], timings: [(step: BuildStep, seconds: Double)]) {
        self.init()
        audiences = sealed.audiences.count
        changedAudiences = sealed.audiences.sorted()
        self.items = items.filter { !$0.draft }.count
        files = sealed.files.count
        bytes = sealed.files.reduce(0) { $0 + $1.bytes.count }
        self.timings = timings
    }
}

/// Keeps `values` in memory until the process ends (`GenerateOptions.keepResultsAtExit`).
private func keepAlive(_ values: Any...) {
    _ = Unmanaged.passRetained(values as AnyObject)
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
