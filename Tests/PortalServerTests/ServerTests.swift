// The preview and `serve`, in this process on 127.0.0.1: what they serve and what they refuse.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalServer
import PortalTestSupport
import XCTest

final class ServerTests: XCTestCase {
    /// Runs `start` in a task until the server says where it listens; returns that URL and the task.
    func started(_ start: @escaping @Sendable (@escaping @Sendable (String) -> Void) async throws -> Void) async throws
        -> (String, Task<Void, Error>) {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let task = Task { try await start { continuation.yield($0) } }
        for await url in stream { return (url, task) }
        throw CancellationError()
    }

    func get(_ url: String) async throws -> (Int, String, [String: String]) {
        var request = URLRequest(url: URL(string: url)!)
        request.cachePolicy = .reloadIgnoringLocalCacheData
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return (http.statusCode, String(decoding: data, as: UTF8.self), headers)
    }

    func testPreviewRendersEveryAudienceFromContentInMemory() async throws {
        let workspace = try Workspace()
        let preview = PreviewServer(
            contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"), port: 0)
        let (base, task) = try await started { try await preview.run(ready: $0) }
        defer { task.cancel() }
        let (status, body, headers) = try await get(base + "/a/groep-5/")
        XCTAssertEqual(status, 200)
        XCTAssertTrue(body.contains("Sinterklaas"), "school news shows in every group's preview")
        XCTAssertEqual(headers["referrer-policy"], "no-referrer")
        // An edit shows at the next request, without a restart.
        try workspace.write("content/news/nieuw-bericht.md", "---\ntitle: Een heel nieuw bericht\ndate: 2026-11-30\n---\nTekst.\n")
        let (_, again, _) = try await get(base + "/a/school/")
        XCTAssertTrue(again.contains("Een heel nieuw bericht"))
        let missing = try await get(base + "/a/groep-99/").0
        XCTAssertEqual(missing, 404)
    }

    func testServeSendsTheSiteWithTheSecurityHeaders() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portal-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("<!doctype html><title>App</title>".utf8).write(to: folder.appendingPathComponent("index.html"))
        let server = StaticSiteServer(folder: folder, port: 0)
        let (base, task) = try await started { try await server.run(ready: $0) }
        defer { task.cancel() }
        let (status, body, headers) = try await get(base + "/")
        XCTAssertEqual(status, 200)
        XCTAssertTrue(body.contains("<title>App</title>"))
        XCTAssertTrue(headers["content-security-policy"]?.contains("script-src 'self'") == true)
        let outside = try await get(base + "/../keys/keystore.json").0
        XCTAssertEqual(outside, 404)
    }
}
