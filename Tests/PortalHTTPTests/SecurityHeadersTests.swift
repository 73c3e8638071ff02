// The security headers every server of the portal sends, over a real HTTP connection.
import Foundation
import Hummingbird
import HummingbirdTesting
import PortalHTTP
import XCTest

final class SecurityHeadersTests: XCTestCase {
    func testEveryResponseCarriesTheHeadersAndKeepsItsOwnCacheControl() async throws {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.get("/page") { _, _ in "hello" }
        router.get("/cached") { _, _ in Response(status: .ok, headers: [.cacheControl: "max-age=60"]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            for path in ["/page", "/cached", "/missing"] {
                try await client.execute(uri: path, method: .get) { response in
                    XCTAssertEqual(response.headers[.contentSecurityPolicy], SecurityHeaders<BasicRequestContext>.contentSecurityPolicy, path)
                    XCTAssertEqual(response.headers[.init("Referrer-Policy")!], "no-referrer", path)
                    XCTAssertEqual(response.headers[.xContentTypeOptions], "nosniff", path)
                    XCTAssertEqual(response.headers[.init("Cross-Origin-Opener-Policy")!], "same-origin", path)
                    XCTAssertEqual(response.headers[.init("Permissions-Policy")!], "camera=(), microphone=(), geolocation=()", path)
                    XCTAssertEqual(response.headers[.cacheControl], path == "/cached" ? "max-age=60" : "no-cache", path)
                }
            }
        }
        let policy = SecurityHeaders<BasicRequestContext>.contentSecurityPolicy
        XCTAssertTrue(policy.contains("script-src 'self';"), "no inline or remote script")
        XCTAssertTrue(policy.contains("frame-ancestors 'none'"))
        XCTAssertFalse(policy.contains("unsafe"))
    }
}
