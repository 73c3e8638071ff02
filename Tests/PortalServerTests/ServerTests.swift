// The preview and `serve`, in this process on 127.0.0.1: what they serve and what they refuse.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalPhotos
@testable import PortalServer
import PortalTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

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

    /// The link `ready` printed, split into the server's base URL and the run's key.
    func link(_ printed: String) throws -> (base: String, key: String) {
        let parts = printed.components(separatedBy: "/?key=")
        XCTAssertEqual(parts.count, 2, printed)
        return (parts[0], parts.count == 2 ? parts[1] : "")
    }

    /// A GET with a Host header of our choosing, over a plain socket (URLSession sets its own).
    func rawGet(_ base: String, _ path: String, host: String) throws -> String {
        let port = UInt16(try XCTUnwrap(base.split(separator: ":").last.flatMap { Int($0) }))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    func testPreviewRendersEveryAudienceFromContentInMemory() async throws {
        let workspace = try Workspace()
        let preview = PreviewServer(contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"))
        let (printed, task) = try await started { try await preview.run(ready: $0) }
        defer { task.cancel() }
        let (base, key) = try link(printed)
        XCTAssertNotEqual(base, "http://127.0.0.1:8080", "a free port, not a fixed one")
        let (status, body, headers) = try await get(base + "/a/groep-5/?key=" + key)
        XCTAssertEqual(status, 200)
        XCTAssertTrue(body.contains("Sinterklaas"), "school news shows in every group's preview")
        XCTAssertEqual(headers["referrer-policy"], "no-referrer")
        // An edit shows at the next request, without a restart.
        try workspace.write("content/news/nieuw-bericht.md", "---\ntitle: Een heel nieuw bericht\ndate: 2026-11-30\n---\nTekst.\n")
        let (_, again, _) = try await get(base + "/a/school/?key=" + key)
        XCTAssertTrue(again.contains("Een heel nieuw bericht"))
        let missing = try await get(base + "/a/groep-99/?key=" + key).0
        XCTAssertEqual(missing, 404)
    }

    /// An edit re-renders only the edited item, and a page waiting on `/_changes` hears of it
    /// (issue 14 point 3); a change to site.yaml renders everything again.
    func testPreviewRendersOnlyWhatChangedAndTellsWaitingPagesToReload() async throws {
        let workspace = try Workspace()
        let state = try PreviewState(contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"))
        _ = await state.render { try $0.indexPage(audience: "school") }
        let all = await state.lastRendered
        XCTAssertGreaterThan(all, 50)
        let generation = await state.generation
        let waiter = Task { await state.change(after: generation) }
        let item = workspace.url("content/news/luizencontrole.md")
        try (String(contentsOf: item, encoding: .utf8).replacingOccurrences(of: "title: ", with: "title: Opnieuw - ")).write(to: item, atomically: true, encoding: .utf8)
        await state.refresh()
        let moved = await waiter.value
        XCTAssertGreaterThan(moved, generation)
        let (_, index) = await state.render { try $0.indexPage(audience: "school") }
        XCTAssertTrue(index.contains("Opnieuw - "))
        let rerendered = await state.lastRendered
        XCTAssertEqual(rerendered, 1)
        // (The editor's temporary file may be seen as a change of its own: at least one.)
        let shown = await state.generation
        XCTAssertGreaterThanOrEqual(shown, moved)
        XCTAssertTrue(index.contains("data-generation=\"\(shown)\""), "the page carries the generation it shows")
        try (String(contentsOf: workspace.url("content/site.yaml"), encoding: .utf8) + "\n").write(to: workspace.url("content/site.yaml"), atomically: true, encoding: .utf8)
        await state.refresh()
        let again = await state.lastRendered
        XCTAssertEqual(again, all)
        // A broken edit shows its problem above the rest, in Dutch (issue 19 point 8: it blanked
        // the whole preview); fixing it goes back to updating just that item.
        try "---\ntitle: Kapot\n---\n".write(to: item, atomically: true, encoding: .utf8)
        let (broken, brokenPage) = await state.render { try $0.indexPage(audience: "school") }
        XCTAssertEqual(broken.code, 200)
        XCTAssertTrue(brokenPage.contains("Nog niet in het voorbeeld"), brokenPage)
        XCTAssertTrue(brokenPage.contains("content/news/luizencontrole.md"), brokenPage)
        XCTAssertFalse(brokenPage.contains(">Kapot<"), "the broken item is left out")
        XCTAssertTrue(brokenPage.contains("Sinterklaas"), "the rest is still there")
        // An album without photos (what `portal new album` makes) is left out the same way.
        let album = try XCTUnwrap(Scaffolds.albumWithoutPhotos(in: workspace))
        let (withAlbum, albumPage) = await state.render { try $0.indexPage(audience: "school") }
        XCTAssertEqual(withAlbum.code, 200)
        XCTAssertTrue(albumPage.contains(album), albumPage)
        try FileManager.default.removeItem(at: workspace.url("content/albums/leeg"))
        try "---\ntitle: Heel\ndate: 2026-11-01\n---\nTekst.\n".write(to: item, atomically: true, encoding: .utf8)
        let (fixed, _) = await state.render { try $0.indexPage(audience: "school") }
        XCTAssertEqual(fixed.code, 200)
        let last = await state.lastRendered
        XCTAssertEqual(last, 1)
        // site.yaml broken: nothing can be shown, the whole page says why.
        let config = try String(contentsOf: workspace.url("content/site.yaml"), encoding: .utf8)
        try (config + "\nname: [\n").write(to: workspace.url("content/site.yaml"), atomically: true, encoding: .utf8)
        let (stopped, _) = await state.render { try $0.indexPage(audience: "school") }
        XCTAssertEqual(stopped.code, 500)
        try config.write(to: workspace.url("content/site.yaml"), atomically: true, encoding: .utf8)
    }

    /// A long archive comes in pages of 50 per section, newest news first, the agenda from today.
    func testPreviewIndexComesInPagesNewestFirst() async throws {
        let workspace = try Workspace()
        for number in 1...70 {
            try workspace.write(
                "content/groups/groep-3/news/bericht-\(number).md",
                "---\ntitle: Bericht nummer \(number)\ndate: 2020-01-01 08:\(String(format: "%02d", number % 60))\n---\nTekst.\n")
        }
        let state = try PreviewState(contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"))
        let (status, first) = await state.render { try $0.indexPage(audience: "groep-3") }
        XCTAssertEqual(status.code, 200)
        XCTAssertEqual(first.components(separatedBy: "class=\"card\"").count - 1 >= 50, true)
        XCTAssertTrue(first.contains("Pagina 1 van 2"), "a pager")
        XCTAssertTrue(first.contains("href=\"/a/groep-3/?page=2\""))
        XCTAssertFalse(first.contains("Bericht nummer 1<"), "the oldest news is not on the first page")
        let (_, second) = await state.render { try $0.indexPage(audience: "groep-3", page: 2) }
        XCTAssertTrue(second.contains("Bericht nummer"), "older news on page 2")
        XCTAssertTrue(second.contains("href=\"/a/groep-3/?page=1\""))
        let (_, beyond) = await state.render { try $0.indexPage(audience: "groep-3", page: 99) }
        XCTAssertTrue(beyond.contains("Pagina 2 van 2"), "a page past the end shows the last")
    }

    /// DNS rebinding: a web page that points its own name at 127.0.0.1 reaches the port, but its
    /// requests carry its own Host and no key. Both are refused (issue 12 point 3).
    func testPreviewAnswersOnlyToLoopbackNamesAndToItsOwnKey() async throws {
        let workspace = try Workspace()
        let preview = PreviewServer(contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"))
        let (printed, task) = try await started { try await preview.run(ready: $0) }
        defer { task.cancel() }
        let (base, key) = try link(printed)
        let port = base.split(separator: ":").last.map(String.init) ?? ""
        let rebound = try rawGet(base, "/a/groep-5/?key=" + key, host: "evil.example:" + port)
        XCTAssertTrue(rebound.hasPrefix("HTTP/1.1 403"), rebound)
        XCTAssertFalse(rebound.contains("Groep 5"))
        for host in ["127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "localhost"] {
            XCTAssertTrue(try rawGet(base, "/a/groep-5/?key=" + key, host: host).hasPrefix("HTTP/1.1 200"), host)
        }
        for host in ["127.0.0.1.evil.example", "localhost:80:80", "", "evil.example#127.0.0.1"] {
            XCTAssertTrue(try rawGet(base, "/a/groep-5/?key=" + key, host: host).hasPrefix("HTTP/1.1 4"), host)
        }
        // Without the key, or with another one: refused, nothing of the content.
        let (bare, bareBody, _) = try await get(base + "/a/groep-5/")
        XCTAssertEqual(bare, 403)
        XCTAssertFalse(bareBody.contains("Groep 5"))
        let wrongKey = try await get(base + "/a/groep-5/?key=" + String(key.reversed())).0
        XCTAssertEqual(wrongKey, 403)
        // The key in the link becomes a same-site cookie, so the preview's own links work.
        let keyed = try rawGet(base, "/a/school/?key=" + key, host: "127.0.0.1:" + port)
        XCTAssertTrue(keyed.contains("portal_preview=\(key)"), keyed)
        XCTAssertTrue(keyed.lowercased().contains("samesite=strict") && keyed.lowercased().contains("httponly"), keyed)
    }

    /// Photos in the preview are the processed variants parents get, never the original with its
    /// GPS position and camera serial.
    func testPreviewServesProcessedPhotosWithoutMetadata() async throws {
        let workspace = try Workspace()
        try FileManager.default.createDirectory(at: workspace.url("content/news/uitje"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Tests/Fixtures/photos/camera.jpg"), to: workspace.url("content/news/uitje/foto.jpg"))
        try workspace.write("content/news/uitje/index.md", "---\ntitle: Uitje\ndate: 2026-11-30\n---\n![Op het plein](foto.jpg)\n")
        let original = try Data(contentsOf: workspace.url("content/news/uitje/foto.jpg"))
        XCTAssertTrue(try PhotoMetadata.probe(Array(original)).carriesMetadata, "the fixture has EXIF and GPS")
        let preview = PreviewServer(contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"))
        let (printed, task) = try await started { try await preview.run(ready: $0) }
        defer { task.cancel() }
        let (base, key) = try link(printed)
        let (_, page, _) = try await get(base + "/a/school/item/news/uitje?key=" + key)
        let src = try XCTUnwrap(page.range(of: #"src="/media/[^"]+""#, options: .regularExpression).map { String(page[$0]) })
        let path = String(src.dropFirst(5).dropLast())
        var request = URLRequest(url: URL(string: base + path + "?key=" + key)!)
        request.cachePolicy = .reloadIgnoringLocalCacheData
        let (bytes, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertNotEqual(bytes, original)
        let served = try PhotoMetadata.probe(Array(bytes))
        XCTAssertFalse(served.carriesMetadata, "\(served.fields)")
        XCTAssertFalse(bytes.range(of: Data("OPSECRET".utf8)) != nil, "no camera make or GPS text left")
    }

    /// An attachment in the preview is a link to the school's file, served as it is with its type.
    func testPreviewLinksAttachmentsToTheFileItself() async throws {
        let workspace = try Workspace()
        let pdf = Data("%PDF-1.4\n% nieuwsbrief\n%%EOF\n".utf8)
        try FileManager.default.createDirectory(at: workspace.url("content/news/brief"), withIntermediateDirectories: true)
        try pdf.write(to: workspace.url("content/news/brief/december.pdf"))
        try workspace.write("content/news/brief/index.md", "---\ntitle: Brief\ndate: 2026-11-30\nattachments:\n  - file: december.pdf\n    title: Nieuwsbrief december\n---\nZie de bijlage.\n")
        let preview = PreviewServer(contentRoot: workspace.url("content"), themeRoot: workspace.url("themes/default"))
        let (printed, task) = try await started { try await preview.run(ready: $0) }
        defer { task.cancel() }
        let (base, key) = try link(printed)
        let (_, page, _) = try await get(base + "/a/school/item/news/brief?key=" + key)
        XCTAssertTrue(page.contains(#"<a href="/media/news/brief/december.pdf" download="december.pdf">Nieuwsbrief december</a>"#), page)
        let (status, _, headers) = try await get(base + "/media/news/brief/december.pdf?key=" + key)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(headers["content-type"], "application/pdf")
        let (bytes, _) = try await URLSession.shared.data(from: URL(string: base + "/media/news/brief/december.pdf?key=" + key)!)
        XCTAssertEqual(bytes, pdf)
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

/// Content files the preview tests write.
enum Scaffolds {
    /// `content/albums/leeg/index.md` without photos; returns the path its problem names.
    static func albumWithoutPhotos(in workspace: Workspace) throws -> String {
        try FileManager.default.createDirectory(at: workspace.url("content/albums/leeg"), withIntermediateDirectories: true)
        try "---\ntitle: Leeg album\ndate: 2026-11-02\n---\n".write(to: workspace.url("content/albums/leeg/index.md"), atomically: true, encoding: .utf8)
        return "content/albums/leeg/index.md"
    }
}
