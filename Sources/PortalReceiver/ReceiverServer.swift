// The HTTP side of the receiver on Hummingbird 2: /api/v1/* to `Receiver`, /healthz, and with a
// static folder the generated site, every response with the portal's security headers.
import Foundation
import Hummingbird
import PortalHTTP
import NIOCore

/// Request context that knows the peer address (for per-address rate limits).
public struct ReceiverRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Feeds `/api/` requests to the receiver; everything else goes on (healthz, static files).
struct ReceiverAPIMiddleware: RouterMiddleware {
    typealias Context = ReceiverRequestContext
    let receiver: Receiver

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        let limit = receiver.bodyLimit(path: request.uri.path)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return Self.response(.refusal(APIError.tooLarge(limit)))
        }
        var body = [UInt8]()
        do {
            var buffer = try await request.body.collect(upTo: limit)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            return Self.response(.refusal(APIError.tooLarge(limit)))
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let address: String
        switch context.remoteAddress {
        case .v4(let a)?: address = a.host
        case .v6(let a)?: address = a.host
        case .unixDomainSocket?: address = "unix"
        case nil: address = "unknown"
        }
        let apiRequest = APIRequest(
            method: request.method.rawValue, target: request.head.path ?? request.uri.string, headers: headers,
            body: body, remoteAddress: address)
        return Self.response(await receiver.respond(to: apiRequest))
    }

    static func response(_ r: APIResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: HTTPResponse.Status(code: r.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}

/// Runs the receiver's HTTP server.
///
/// ```swift
/// let server = ReceiverServer(receiver: receiver, host: "127.0.0.1", port: 8081, staticFolder: nil)
/// try await server.run { url in print("listening on \(url)") }
/// ```
public struct ReceiverServer: Sendable {
    public let receiver: Receiver
    public let host: String
    public let port: Int
    public let staticFolder: URL?

    public init(receiver: Receiver, host: String = "127.0.0.1", port: Int = 8081, staticFolder: URL? = nil) {
        self.receiver = receiver
        self.host = host
        self.port = port
        self.staticFolder = staticFolder
    }

    /// The Hummingbird application (tests run it with `app.test(.live)` or `runService`).
    public func makeApplication(ready: @escaping @Sendable (String) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: ReceiverRequestContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: ReceiverAPIMiddleware(receiver: receiver))
        if let site = receiver.site {
            router.add(middleware: SiteMiddleware(site: site))
        } else if let staticFolder {
            router.add(middleware: FileMiddleware(staticFolder.path, searchForIndexHtml: true))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        let host = self.host
        let limits = ConnectionLimits(
            idleTimeout: receiver.configuration.idleTimeout, requestTimeout: receiver.configuration.requestTimeout)
        return Application(
            router: router,
            server: limits.http1,
            configuration: .init(address: .hostname(host, port: port), serverName: "ouderportaal-receiver"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                ready("http://\(host):\(port)")
            })
    }

    /// Runs until SIGTERM/SIGINT; prunes expired nonces every minute.
    public func run(ready: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let receiver = self.receiver
        let pruner = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 60 * 1_000_000_000)
                await receiver.pruneNonces()
            }
        }
        defer { pruner.cancel() }
        // Push messages go beside the requests, never in their way.
        let sender = PushSender(receiver: receiver)
        let sending = Task { await sender.run() }
        do {
            try await makeApplication(ready: ready).runService()
        } catch {
            sending.cancel()
            _ = await sending.value
            await sender.shutdown()
            throw error
        }
        sending.cancel()
        receiver.pushWake.signal()  // end the current wait now
        _ = await sending.value
        await sender.shutdown()
    }
}

/// Serves the release in force of a `SiteStore` (`--site`): each path as the release names it,
/// `/` as `index.html`; anything it does not name is 404.
struct SiteMiddleware: RouterMiddleware {
    typealias Context = ReceiverRequestContext
    let site: SiteStore

    static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "json": "application/json", "webmanifest": "application/manifest+json", "svg": "image/svg+xml",
        "png": "image/png", "ico": "image/x-icon", "woff2": "font/woff2",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head, request.uri.path != "/healthz" else { return try await next(request, context) }
        var path = String(request.uri.path.dropFirst())
        if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
        guard let file = site.file(path), let data = FileManager.default.contents(atPath: file) else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let ext = name.contains(".") ? String(name.split(separator: ".").last ?? "") : ""
        var headers = HTTPFields()
        headers[.contentType] = Self.types[ext] ?? "application/octet-stream"
        // Sealed files and the shell's folder never change under their name; the rest is revalidated.
        headers[.cacheControl] = path.hasPrefix("b/") || path.hasPrefix("s/") ? "public, max-age=31536000, immutable" : "no-cache"
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
