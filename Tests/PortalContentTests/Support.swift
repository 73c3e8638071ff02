import Foundation
import PortalContent

/// Fixture sites live in Tests/Fixtures/sites/<name>.
func fixtureSite(_ name: String, file: StaticString = #filePath) -> URL {
    URL(fileURLWithPath: "\(file)")
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sites/\(name)")
}

/// Loads a site that must fail and gives its problems as `file:line: message` lines.
func problems(_ name: String) -> [String] {
    do {
        _ = try ContentLoader(root: fixtureSite(name)).load()
        return ["(loaded without problems)"]
    } catch {
        return error.problems.map(\.description)
    }
}

/// A fresh folder holding only the valid fixture's site.yaml, for a test to add files to.
func temporarySite(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
        at: fixtureSite("valid").appendingPathComponent("site.yaml"), to: folder.appendingPathComponent("site.yaml"))
    return folder
}
