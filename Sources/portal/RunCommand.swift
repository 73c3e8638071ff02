// `portal run --every 10m`: the unattended loop on the school's always-on computer (the master
// key never leaves it): pull registrations, generate, publish; one line per run; content
// problems are reported and the loop goes on; one lock so two runs never overlap.
import ArgumentParser
import Foundation
import PortalBuild
import PortalFiles
import PortalPublish
import PortalReceiver
#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sync, generate and publish every few minutes, unattended (docs/deploy: systemd).",
        discussion: """
            Each run: pull the devices' registrations from the receiver, generate (only what
            changed), push the trust file, publish to the host. One line per run, for the journal.
            A content problem is reported and the site stays as it was until it is fixed; the
            loop goes on. SIGTERM or Ctrl-C stops it between runs. Example:
            portal run --every 10m --rsync portal@server:/srv/ouderportaal/output
            """)

    @OptionGroup var paths: PathOptions
    @OptionGroup var outputOption: OutputOption
    @OptionGroup var keysOption: KeysOption

    @Option(help: "Time between runs: 10m (the default), 1m, 1h, 30s.")
    var every: String = "10m"

    @OptionGroup var host: HostOptions

    @Option(help: "Receiver base URL; default: `receiver` in site.yaml.")
    var receiver: String?

    @Flag(help: "No receiver: do not sync registrations or push the trust file.")
    var noReceiver = false

    @Option(help: "Stop after this many runs (0: never).")
    var runs: Int = 0

    func validate() throws {
        guard (host.to == nil) != (host.rsync == nil) else { throw ValidationError("give --to FOLDER or --rsync user@host:path (one of them)") }
        guard let interval = PublishCommand.seconds(every), interval >= 1 else {
            throw ValidationError("--every '\(every)' is not a duration of at least 1s, such as 10m, 1m or 1h")
        }
        try host.validateGrace()
    }

    func run() async throws {
        let lock = try RunLock(keys: keysOption.keysURL)
        defer { lock.release() }
        let stop = StopSignal()
        let interval = PublishCommand.seconds(every) ?? 600
        var count = 0
        while !stop.requested {
            count += 1
            printNow(await cycle())
            if runs > 0 && count >= runs { break }
            await stop.wait(seconds: interval)
        }
        printNow("Stopped after \(count) run\(count == 1 ? "" : "s").")
    }

    /// One run: its line for the journal.
    private func cycle() async -> String {
        let stamp = ISO8601DateFormatter().string(from: Date())
        var parts: [String] = []
        if !noReceiver {
            do {
                let options = try ReceiverOptions.parse(
                    ["--keys", keysOption.keys, "--content", paths.content, "--theme", paths.theme] + (receiver.map { ["--receiver", $0] } ?? []))
                let synced = try await SyncCommand.sync(options)
                if synced.fresh > 0 { parts.append("\(synced.fresh) new registration\(synced.fresh == 1 ? "" : "s")") }
                // Teachers' posts: published ones are in content/ before this run's generate.
                let keystore = try openKeystore(keysOption)
                let client = ReceiverClient(receiverURL: try options.receiverURL(), signer: .admin(seed: keystore.adminSigningSeed))
                let posts = try await TeacherPosts.sync(client: client, keystore: keystore, paths: paths)
                if !posts.hasPrefix("No new posts") { parts.append(posts.replacingOccurrences(of: "\n", with: "; ")) }
                if let consent = try await ConsentSync.sync(
                    client: client, keystore: keystore, keys: try options.connect().keys, paths: paths, keysURL: keysOption.keysURL),
                   !consent.hasPrefix("Photo consent: 0 new") {
                    parts.append(consent)
                }
            } catch {
                parts.append("registrations not synced (\(error))")
            }
        }
        let summary: GenerateSummary
        do {
            summary = try runGenerate(paths: paths, output: outputOption, keys: keysOption)
        } catch {
            // runGenerate printed the problems (file:line) to standard error.
            return "\(stamp) " + (parts + ["content problems: nothing published; the site stays as it was until they are fixed"]).joined(separator: "; ")
        }
        if !summary.unchanged {
            parts.append(summary.changedAudiences.isEmpty ? "keys sealed again" : summary.changedAudiences.joined(separator: ", ") + " changed")
        }
        if !noReceiver {
            let pushed = await pushTrustFile(paths: paths, keys: keysOption, trust: nil, receiver: receiver)
            guard pushed.delivered else {
                return "\(stamp) " + (parts + [pushed.line ?? "trust file not pushed", "nothing published"]).joined(separator: "; ")
            }
        }
        do {
            let published = try Publisher(options: PublishOptions(
                output: outputOption.outputURL, keys: keysOption.keysURL,
                trustFile: GenerateOptions.defaultTrustFile(keys: keysOption.keysURL), target: host.target,
                grace: host.graceSeconds)).run()
            if published.unchanged {
                // A notice that failed after an earlier publish is tried again here.
                if !noReceiver, let line = await announceNewItems(paths: paths, keys: keysOption, receiver: receiver) {
                    parts.append(line.hasSuffix(".") ? String(line.dropLast()) : line)
                }
                if parts.isEmpty { return "\(stamp) nothing changed" }
                return "\(stamp) " + parts.joined(separator: "; ")
            } else {
                parts.append(String(format: "published %d files, %.0f KB", published.files, Double(published.bytes) / 1000))
                if published.removed > 0 { parts.append("\(published.removed) old files removed") }
            }
            if !noReceiver, let line = await announceNewItems(paths: paths, keys: keysOption, receiver: receiver) {
                parts.append(line.hasSuffix(".") ? String(line.dropLast()) : line)
            }
        } catch {
            parts.append("NOT published: \(error)")
        }
        return "\(stamp) " + parts.joined(separator: "; ")
    }
}

/// One `portal run` (or other staff job) at a time per keystore: an exclusive `flock` on
/// `<keys>/cache/run.lock`, released when the process ends, however it ends.
final class RunLock {
    private let fd: Int32

    init(keys: URL) throws {
        let path = keys.appendingPathComponent("cache/run.lock").path
        try? PrivateDirectory.make(FileTree.folder(of: path), tightening: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot open \(path)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ValidationError("another `portal run` is using \(keys.path) (\(path) is locked); stop it first")
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// SIGTERM and SIGINT ask the loop to stop; the wait between runs ends at once.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []
    private var waiting: CheckedContinuation<Void, Never>?

    init() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    private func request() {
        lock.lock()
        stopped = true
        let continuation = waiting
        waiting = nil
        lock.unlock()
        continuation?.resume()
    }

    /// Sleeps `seconds`, or less if a stop is asked for.
    func wait(seconds: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if stopped {
                lock.unlock()
                continuation.resume()
                return
            }
            waiting = continuation
            lock.unlock()
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let pending = self.waiting
                self.waiting = nil
                self.lock.unlock()
                pending?.resume()
            }
        }
    }
}
