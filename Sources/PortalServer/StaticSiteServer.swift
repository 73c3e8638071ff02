// `portal serve`: output/ on 127.0.0.1 with the recommended headers, for testing and small setups.
import Foundation
import Hummingbird
import PortalHTTP

/// Serves a generated site folder.
///
///     try await StaticSiteServer(folder: URL(fileURLWithPath: "output"), port: 8080).run { url in print(url) }
public struct StaticSiteServer: Sendable {
    public let folder: URL
    public let host: String
    public let port: Int
    /// Idle and request timeouts: a client that sends half a request is cut off.
    public let limits: ConnectionLimits

    public init(folder: URL, host: String = "127.0.0.1", port: Int, limits: ConnectionLimits = ConnectionLimits()) {
        self.folder = folder
        self.host = host
        self.port = port
        self.limits = limits
    }

    /// Runs until the process is stopped; `ready` gets the base URL once the socket listens.
    public func run(ready: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.add(middleware: FileMiddleware(folder.path, searchForIndexHtml: true))
        router.get("/healthz") { _, _ in "ok" }
        let app = Application(
            router: router,
            server: limits.http1,
            configuration: .init(address: .hostname(host, port: port), serverName: "ouderportaal"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                ready("http://\(host):\(port)")
            })
        try await app.runService()
    }
}
