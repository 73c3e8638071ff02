import ArgumentParser
import Foundation
import PortalBuild
import PortalContent
import PortalKeys

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the content; print every problem as file:line: message.",
        discussion: "Prints nothing and exits 0 when the content is fine; exits 1 with all problems otherwise.")

    @OptionGroup var paths: PathOptions

    @Option(help: "Keystore folder: the class list's children that album photos name, and the consent register.")
    var keys: String = "keys"

    func run() throws {
        var site: Site
        do {
            site = try ContentLoader(root: paths.contentURL).load()
        } catch {
            let count = error.problems.count
            throw paths.fail(error, summary: "\(count) problem\(count == 1 ? "" : "s") in \(paths.content); nothing was written.")
        }
        // Photos that name children: their names against the class list, their consent (a photo
        // left out is said, not an error). Without a keystore there is no class list to check.
        guard site.items.contains(where: { $0.album?.photos.contains { $0.children != nil } ?? false }) else { return }
        let folder = URL(fileURLWithPath: keys, isDirectory: true)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(Keystore.fileName).path) else {
            print("Photos name children, but there is no keystore in \(keys)/ to check the names against; `portal generate` will.")
            return
        }
        let stage = ConsentStage(
            keystore: try Keystore.open(at: folder), register: try ConsentRegister.load(keys: folder), tags: PhotoTags.load(keys: folder))
        do throws(BuildError) {
            for notice in try stage.apply(to: &site).notices { print((paths.content as NSString).appendingPathComponent(notice)) }
        } catch {
            let count = error.problems.count
            throw paths.fail(ContentErrors(error.problems), summary: "\(count) problem\(count == 1 ? "" : "s") in \(paths.content); nothing was written.")
        }
    }
}
