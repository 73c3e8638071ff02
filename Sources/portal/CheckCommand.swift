import ArgumentParser
import Foundation
import PortalContent

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the content; print every problem as file:line: message.",
        discussion: "Prints nothing and exits 0 when the content is fine; exits 1 with all problems otherwise.")

    @OptionGroup var paths: PathOptions

    func run() throws {
        do {
            _ = try ContentLoader(root: paths.contentURL).load()
        } catch {
            let count = error.problems.count
            throw paths.fail(error, summary: "\(count) problem\(count == 1 ? "" : "s") in \(paths.content); nothing was written.")
        }
    }
}
