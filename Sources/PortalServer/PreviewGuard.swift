// The staff preview shows every audience in plaintext, so only the person who started it may read
// it. Two locks, as Jupyter has: the Host must be this machine's loopback name (a web page that
// rebinds its own host name to 127.0.0.1 sends its own name, and is refused), and every request
// carries the per-run key from the printed link (once as `?key=`, then as a same-site cookie).
import Foundation
import Hummingbird
import PortalCrypto

/// Refuses requests that are not for this preview: wrong Host, or no key.
struct PreviewGuard<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "portal_preview" }

    let key: String

    /// A fresh per-run key: 16 random bytes, base64url without padding.
    static func newKey() -> String {
        Base64URL.encode(SystemRandom().bytes(16))
    }

    /// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
    static func isLoopbackHost(_ host: String?) -> Bool {
        guard let host = host?.lowercased(), !host.isEmpty else { return false }
        let name: Substring
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            name = host[...end]
            let rest = host[host.index(after: end)...]
            guard rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isNumber) && rest.count > 1) else { return false }
        } else {
            let parts = host.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return false }
            if parts.count == 2, parts[1].isEmpty || !parts[1].allSatisfy(\.isNumber) { return false }
            name = parts[0]
        }
        return name == "127.0.0.1" || name == "localhost" || name == "[::1]"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isLoopbackHost(request.head.authority) else {
            return Self.refusal("This preview answers only to 127.0.0.1 or localhost.")
        }
        let offered = request.uri.queryParameters["key"].map(String.init)
        let cookie = request.cookies[Self.cookieName]?.value
        guard constantTimeEqual(Array((offered ?? cookie ?? "").utf8), Array(key.utf8)) else {
            return Self.refusal("Open the preview with the link that `portal preview` printed (it holds a key for this run).")
        }
        var response = try await next(request, context)
        if offered != nil {
            response.setCookie(Cookie(name: Self.cookieName, value: key, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    static func refusal(_ message: String) -> Response {
        Response(
            status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: .init(string: message + "\n")))
    }
}
