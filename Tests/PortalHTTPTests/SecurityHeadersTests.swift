// The security headers every server of the portal sends, over a real HTTP connection on
// 127.0.0.1: pages, answers with their own Cache-Control, and refusals the router throws.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import PortalHTTP
import XCTest

final class SecurityHeadersTests: XCTestCase {
    func testEveryResponseCarriesTheHeadersAndKeepsItsOwnCacheControl() async throws {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.get("/page") { _, _ in "hello" }
        router.get("/cached") { _, _ in Response(status: .ok, headers: [.cacheControl: "max-age=60"]) }
        let (stream, ready) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var port = 0
        for await p in stream { port = p; break }
        for path in ["/page", "/cached", "/missing"] {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.cachePolicy = .reloadIgnoringLocalCacheData
            let (_, answer) = try await URLSession.shared.data(for: request)
            let response = try XCTUnwrap(answer as? HTTPURLResponse)
            XCTAssertEqual(response.statusCode, path == "/missing" ? 404 : 200, path)
            func header(_ name: String) -> String? { response.value(forHTTPHeaderField: name) }
            XCTAssertEqual(header("Content-Security-Policy"), SecurityHeaders<BasicRequestContext>.contentSecurityPolicy, path)
            XCTAssertEqual(header("Referrer-Policy"), "no-referrer", path)
            XCTAssertEqual(header("X-Content-Type-Options"), "nosniff", path)
            XCTAssertEqual(header("Cross-Origin-Opener-Policy"), "same-origin", path)
            XCTAssertEqual(header("Permissions-Policy"), "camera=(), microphone=(), geolocation=()", path)
            XCTAssertEqual(header("Cache-Control"), path == "/cached" ? "max-age=60" : "no-cache", path)
        }
        let policy = SecurityHeaders<BasicRequestContext>.contentSecurityPolicy
        XCTAssertTrue(policy.contains("script-src 'self';"), "no inline or remote script")
        XCTAssertTrue(policy.contains("frame-ancestors 'none'"))
        XCTAssertFalse(policy.contains("unsafe"))
    }
}
