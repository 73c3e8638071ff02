// The staff command line. Each command is a thin layer over library code that the tests call too.
import ArgumentParser
import Foundation
import PortalContent

@main
struct Portal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: "Ouderportaal: build a private, sealed parent portal from Markdown.",
        discussion: """
            Staff write Markdown in content/, check it, preview it, and generate output/, in which
            everything private is encrypted. Parents open it with the token the school gave them.
            """,
        subcommands: [
            CheckCommand.self, NewCommand.self, PreviewCommand.self, GenerateCommand.self, ServeCommand.self,
            TokenCommand.self, LettersCommand.self, InboxCommand.self, BookingsCommand.self, AnswersCommand.self, ConsentCommand.self, ConfirmationsCommand.self, DemoCommand.self,
            SyncCommand.self, DraftsCommand.self, RotateCommand.self, PublishCommand.self, RunCommand.self,
        ])
}

/// Folders every command understands, with the defaults of a repository checkout.
struct PathOptions: ParsableArguments {
    @Option(help: "Content folder (site.yaml, news/, calendar/, ...).")
    var content: String = "content"

    @Option(help: "Theme folder (templates/ and app/).")
    var theme: String = "themes/default"

    var contentURL: URL { URL(fileURLWithPath: content, isDirectory: true) }
    var themeURL: URL { URL(fileURLWithPath: theme, isDirectory: true) }

    /// Prints each content problem as `content/FILE:LINE: message`, then `summary`, and exits 1.
    func fail(_ error: ContentErrors, summary: String) -> ExitCode {
        for var problem in error.problems {
            problem.file = (content as NSString).appendingPathComponent(problem.file)
            printError(problem.description)
        }
        printError(summary)
        return ExitCode(1)
    }

    /// site.yaml alone (commands that need the school's name, groups and contact, not the items).
    func siteConfig(orSay consequence: String) throws -> SiteConfig {
        do {
            return try ContentLoader(root: contentURL).siteConfig()
        } catch {
            throw fail(error, summary: "site.yaml has problems; fix them first (portal check). \(consequence)")
        }
    }
}

struct KeysOption: ParsableArguments {
    @Option(help: "Keystore folder (secret; created on first use with mode 0700).")
    var keys: String = "keys"

    var keysURL: URL { URL(fileURLWithPath: keys, isDirectory: true) }
}

/// Prints to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints to standard output at once (no buffering), for lines that scripts wait for.
func printNow(_ message: String) {
    FileHandle.standardOutput.write(Data((message + "\n").utf8))
}
