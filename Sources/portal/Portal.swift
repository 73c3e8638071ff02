// The staff command line. Each command is a thin layer over library code that the tests call too.
import ArgumentParser
import Foundation

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
            TokenCommand.self, LettersCommand.self, InboxCommand.self, BookingsCommand.self, DemoCommand.self,
            SyncCommand.self, RotateCommand.self,
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
