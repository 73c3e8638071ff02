// `portal publish`: after `generate`, the site goes to the web host (a folder or rsync target),
// the trust file to the receiver first.
import ArgumentParser
import Foundation
import PortalBuild
import PortalPublish
import PortalReceiver

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Send output/ to the web host: only what changed, in an order that never shows a half-sent site.",
        discussion: """
            The trust file goes to the receiver first (a new parent's first request must not be
            refused), then over rsync: new blobs and pages, indexes, keyslots, site.json and the
            app, and last the release list signed with the school's publisher key. Files no
            longer used stay on the host for the grace period (a phone mid-visit may still ask
            for them), then the next publish removes them. If anything fails, the release in
            force on the host stays whole and the next publish sends what is missing.
            """)

    @OptionGroup var paths: PathOptions
    @OptionGroup var outputOption: OutputOption
    @OptionGroup var keysOption: KeysOption

    @OptionGroup var host: HostOptions

    @Option(help: "A receiver that serves the site (portal-receiver --site DIR): its base URL, e.g. https://ouders.school.nl/api.")
    var toReceiver: String?

    @Option(help: "The receiver's trust file; default <keys>/trust.json.")
    var trust: String?

    @Option(help: "Receiver base URL for the trust file; default: `receiver` in site.yaml.")
    var receiver: String?

    @Flag(help: "Do not push the trust file to the receiver first (only when there is no receiver).")
    var noPush = false

    func validate() throws {
        guard [host.to, host.rsync, toReceiver].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give one of --to FOLDER, --rsync user@host:path or --to-receiver URL")
        }
        try host.validateGrace()
    }

    /// "48h", "30m", "2d", "90s" or "0", in seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        if text == "0" { return 0 }
        guard let unit = text.last, let number = Double(text.dropLast()), number >= 0 else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86400
        default: return nil
        }
    }

    func run() async throws {
        if !noPush {
            let pushed = await pushTrustFile(paths: paths, keys: keysOption, trust: trust, receiver: receiver)
            if let line = pushed.line { print(line) }
            guard pushed.delivered else {
                printError("publish: nothing was sent to the host: the receiver must have the trust file first (else new parents are refused); fix the receiver, or use --no-push when there is none.")
                throw ExitCode(1)
            }
        }
        if let toReceiver {
            try await publishToReceiver(toReceiver)
            if !noPush, let line = await announceNewItems(paths: paths, keys: keysOption, receiver: receiver) { print(line) }
            return
        }
        let target = host.target
        var options = PublishOptions(
            output: outputOption.outputURL, keys: keysOption.keysURL,
            trustFile: trust.map { URL(fileURLWithPath: $0) } ?? GenerateOptions.defaultTrustFile(keys: keysOption.keysURL),
            target: target, grace: host.graceSeconds)
        // On a terminal one bar for the whole upload (the phases are rsync runs of their own).
        let bar = ProgressDisplay(label: "upload", total: 1, bytes: true)
        options.progress = { sent, total in bar.set(sent, total: total) }
        defer { bar.finish() }
        let summary: PublishSummary
        do { summary = try Publisher(options: options).run() } catch {
            printError("publish: \(error)")
            throw ExitCode(1)
        }
        if summary.unchanged {
            print("Nothing to publish: \(target) has release \(summary.sequence).")
            // A publish that failed to notify after sending everything is retried here.
            if !noPush, let line = await announceNewItems(paths: paths, keys: keysOption, receiver: receiver) { print(line) }
            return
        }
        let phases = summary.phases.map { "\($0.name) \($0.files)" }.joined(separator: ", ")
        print(String(
            format: "Published release %d to %@: %d files, %.1f KB (%@) in %.2f s; %d old files removed, %d kept for the grace period.",
            summary.sequence, target.description, summary.files, Double(summary.bytes) / 1000, phases, summary.seconds,
            summary.removed, summary.retiring))
        if !noPush, let line = await announceNewItems(paths: paths, keys: keysOption, receiver: receiver) { print(line) }
    }

    /// Asks the receiver which files it lacks, sends those (four at a time), then the release,
    /// which it puts in force only once it has every file the release names.
    private func publishToReceiver(_ base: String) async throws {
        let started = Date()
        let url = try checkedReceiverURL(base)
        let keystore = try openKeystore(keysOption)
        let client = ReceiverClient(receiverURL: url, signer: .admin(seed: keystore.adminSigningSeed))
        let publisher = Publisher(options: PublishOptions(
            output: outputOption.outputURL, keys: keysOption.keysURL,
            trustFile: trust.map { URL(fileURLWithPath: $0) } ?? GenerateOptions.defaultTrustFile(keys: keysOption.keysURL),
            target: .receiver(url)))
        do {
            let prepared = try publisher.prepare()
            var paths: [String: String] = [:]   // object id -> a path with those bytes
            for (path, hash) in prepared.files { paths[Publisher.Prepared.objectID(path: path, hash: hash)] = path }
            let missing = try await client.siteMissing(paths.keys.sorted())
            var bytes = 0
            let total = missing.reduce(0) { sum, id in sum + (paths[id].map(prepared.size) ?? 0) }
            let bar = ProgressDisplay(label: "upload", total: total, bytes: true)
            defer { bar.finish() }
            try await withThrowingTaskGroup(of: Int.self) { group in
                var next = missing.makeIterator()
                func add() throws {
                    guard let id = next.next() else { return }
                    guard let path = paths[id], let data = prepared.bytes(path) else { throw PublishError("cannot read \(paths[id] ?? id)") }
                    group.addTask {
                        try await client.putSiteObject(id: id, bytes: data)
                        return data.count
                    }
                }
                for _ in 0..<4 { try add() }
                while let sent = try await group.next() {
                    bytes += sent
                    bar.set(bytes)
                    try add()
                }
            }
            let answer = try await client.installRelease(prepared.signed)
            publisher.record(prepared)
            print(String(
                format: "Published release %d to the receiver at %@: %d of %d files sent, %.1f KB, in %.2f s.",
                answer.sequence, url.absoluteString, missing.count, answer.files, Double(bytes) / 1000, Date().timeIntervalSince(started)))
        } catch {
            printError("publish: \(error); the release in force on the receiver is unchanged")
            throw ExitCode(1)
        }
    }
}

/// Where `publish` and `run` send the site: a folder or an rsync destination, and the grace period.
struct HostOptions: ParsableArguments {
    @Option(help: "A folder the web server serves (on this computer).")
    var to: String?

    @Option(help: "An rsync destination, user@host:path (ssh).")
    var rsync: String?

    @Option(help: "How long files no longer used stay on the host: 48h (the default), 30m, 2d, 0.")
    var grace: String = "48h"

    var target: PublishTarget { to.map { .folder(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .rsync(rsync ?? "") }
    var graceSeconds: TimeInterval { PublishCommand.seconds(grace) ?? 0 }

    func validateGrace() throws {
        guard PublishCommand.seconds(grace) != nil else { throw ValidationError("--grace '\(grace)' is not a duration such as 48h, 30m, 2d or 0") }
    }
}
