import ArgumentParser
import Foundation
import PortalBuild
import PortalContent
import PortalKeys

struct OutputOption: ParsableArguments {
    @Option(help: "Output folder for the sealed site (replaced atomically).")
    var output: String = "output"

    var outputURL: URL { URL(fileURLWithPath: output, isDirectory: true) }
}

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render every audience, seal it, and swap the result into the output folder.",
        discussion: """
            Nothing private is written unsealed; if anything fails, output/ stays as it was.
            A build whose inputs did not change leaves output/ untouched and says so.
            Then the trust file goes to the receiver (`receiver` in site.yaml, or --receiver),
            signed with the admin key, so revocations take effect there at once. If the receiver
            cannot be reached, generate still succeeds, says so, and the next generate (even one
            with nothing to build) tries again. --no-push leaves the receiver alone.
            """)

    @OptionGroup var paths: PathOptions
    @OptionGroup var outputOption: OutputOption
    @OptionGroup var keysOption: KeysOption

    @Option(help: "Where to write the receiver's trust file (public keys of the tokens, schedules); default <keys>/trust.json.")
    var trust: String?

    @Flag(help: "Print the time of each step.")
    var timings = false

    @Option(help: "Receiver base URL to push the trust file to; default: `receiver` in site.yaml.")
    var receiver: String?

    @Flag(help: "Do not push the trust file to the receiver.")
    var noPush = false

    @Flag(help: "Then publish, as `portal publish` with the host options below.")
    var publish = false

    @OptionGroup var host: HostOptions

    @Option(help: "With --publish: a receiver that serves the site (portal-receiver --site), its base URL.")
    var toReceiver: String?

    func validate() throws {
        let targets = [host.to, host.rsync, toReceiver].compactMap { $0 }
        if publish && targets.count != 1 {
            throw ValidationError("--publish needs one of --to FOLDER, --rsync user@host:path or --to-receiver URL")
        }
        if !publish && !targets.isEmpty { throw ValidationError("--to, --rsync and --to-receiver go with --publish") }
    }

    func run() async throws {
        let summary = try runGenerate(paths: paths, output: outputOption, keys: keysOption, trust: trust, exitsAfter: true)
        print(summary.text)
        for notice in summary.notices { print((paths.content as NSString).appendingPathComponent(notice)) }
        if timings {
            for (step, seconds) in summary.timings { print("  " + step.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%8.3f s", seconds)) }
        }
        if !noPush, let line = await pushTrust() { print(line) }
        if publish {
            var arguments = ["--content", paths.content, "--theme", paths.theme, "--output", outputOption.output,
                             "--keys", keysOption.keys, "--grace", host.grace]
            if let to = host.to { arguments += ["--to", to] }
            if let rsync = host.rsync { arguments += ["--rsync", rsync] }
            if let toReceiver { arguments += ["--to-receiver", toReceiver] }
            if let trust { arguments += ["--trust", trust] }
            if let receiver { arguments += ["--receiver", receiver] }
            if noPush { arguments.append("--no-push") }
            let command = try PublishCommand.parse(arguments)
            try await command.run()
        }
    }

    /// Pushes the trust file unless the receiver already has it (`TrustPush`); the line to print.
    private func pushTrust() async -> String? {
        await pushTrustFile(paths: paths, keys: keysOption, trust: trust, receiver: receiver).line
    }
}

/// Pushes the trust file to the receiver (`receiver` in site.yaml, or `receiver`) unless it
/// has it already: the line to print (nil when there was nothing to do) and whether the
/// receiver now has it.
func pushTrustFile(paths: PathOptions, keys: KeysOption, trust: String?, receiver: String?) async -> (line: String?, delivered: Bool) {
    let base: String
    do {
        base = try receiver ?? ContentLoader(root: paths.contentURL).siteConfig().receiverURL
    } catch {
        return ("The trust file was NOT pushed: no receiver URL (\(error)); use --receiver URL.", false)
    }
    let url: URL
    do { url = try checkedReceiverURL(base) } catch {
        return ("The trust file was NOT pushed: \(error).", false)
    }
    let keystore: Keystore
    do { keystore = try Keystore.open(at: keys.keysURL) } catch {
        return ("The trust file was NOT pushed: \(error)", false)
    }
    let trustURL = trust.map { URL(fileURLWithPath: $0) } ?? GenerateOptions.defaultTrustFile(keys: keys.keysURL)
    return await TrustPush(
        trustFile: trustURL, keys: keys.keysURL, receiverURL: url, adminSeed: keystore.adminSigningSeed,
        publisherSeed: keystore.masterKey.publisherSeed).push()
}

/// Runs `generate` and turns its errors into what staff should read.
func runGenerate(
    paths: PathOptions, output: OutputOption, keys: KeysOption, trust: String? = nil, exitsAfter: Bool = false
) throws -> GenerateSummary {
    var options = GenerateOptions(
        contentDirectory: paths.contentURL, outputDirectory: output.outputURL,
        keysDirectory: keys.keysURL, themeDirectory: paths.themeURL, trustFile: trust.map { URL(fileURLWithPath: $0) })
    options.keepResultsAtExit = exitsAfter
    // Photos are the long step of a first build (seconds per hundred): a bar on a terminal.
    let bars = StepBars()
    options.progress = { step, done, total in bars.report(step, done, total) }
    defer { bars.finish() }
    do {
        return try Generator(options: options).run()
    } catch where !error.problems.isEmpty {
        for var problem in error.problems {
            problem.file = (paths.content as NSString).appendingPathComponent(problem.file)
            printError(problem.description)
        }
        printError("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in the content; nothing was written.")
        throw ExitCode(1)
    } catch {
        printError("error: \(error)")
        printError("Nothing was written; \(output.output) is as it was.")
        throw ExitCode(1)
    }
}

extension GenerateSummary {
    var text: String {
        if unchanged {
            return String(format: "Nothing changed since the last build; output is up to date (%.3f s).", seconds)
        }
        let megabytes = Double(bytes) / 1_000_000
        if rekeyed {
            return String(
                format: "Keys sealed again: %d keyslots, %d audience%@ re-keyed (no item or photo sealed again): %d files, %.2f MB in %.3f s.",
                tokens, audiences, audiences == 1 ? "" : "s", files, megabytes, seconds)
        }
        if incremental {
            return String(
                format: "Updated %d changed item%@ of %d in %d audience%@: %d files, %.2f MB sealed in %.3f s.",
                rendered, rendered == 1 ? "" : "s", items, audiences, audiences == 1 ? "" : "s", files, megabytes, seconds)
        }
        return String(
            format: "Generated %d audiences, %d items, %d images, %d keyslots: %d files, %.1f MB sealed in %.2f s.",
            audiences, items, media, tokens, files, megabytes, seconds)
    }
}
