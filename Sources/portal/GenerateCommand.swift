import ArgumentParser
import Foundation
import PortalBuild
import PortalContent

struct OutputOption: ParsableArguments {
    @Option(help: "Output folder for the sealed site (replaced atomically).")
    var output: String = "output"

    var outputURL: URL { URL(fileURLWithPath: output, isDirectory: true) }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render every audience, seal it, and swap the result into the output folder.",
        discussion: """
            Nothing private is written unsealed; if anything fails, output/ stays as it was.
            A build whose inputs did not change leaves output/ untouched and says so.
            """)

    @OptionGroup var paths: PathOptions
    @OptionGroup var outputOption: OutputOption
    @OptionGroup var keysOption: KeysOption

    @Option(help: "Where to write the receiver's trust file (public keys of the tokens, schedules); default <keys>/trust.json.")
    var trust: String?

    @Flag(help: "Print the time of each step.")
    var timings = false

    func run() throws {
        let summary = try runGenerate(paths: paths, output: outputOption, keys: keysOption, trust: trust, exitsAfter: true)
        print(summary.text)
        if timings {
            for (step, seconds) in summary.timings { print("  " + step.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%8.3f s", seconds)) }
        }
    }
}

/// Runs `generate` and turns its errors into what staff should read.
func runGenerate(
    paths: PathOptions, output: OutputOption, keys: KeysOption, trust: String? = nil, exitsAfter: Bool = false
) throws -> GenerateSummary {
    var options = GenerateOptions(
        contentDirectory: paths.contentURL, outputDirectory: output.outputURL,
        keysDirectory: keys.keysURL, themeDirectory: paths.themeURL, trustFile: trust.map { URL(fileURLWithPath: $0) })
    options.keepResultsAtExit = exitsAfter
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
        return String(
            format: "Generated %d audiences, %d items, %d images, %d keyslots: %d files, %.1f MB sealed in %.2f s.",
            audiences, items, media, tokens, files, megabytes, seconds)
    }
}
