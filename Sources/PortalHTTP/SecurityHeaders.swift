// The HTTP headers docs/SECURITY.md recommends for every response of the portal: `portal serve`,
// the staff preview and `portal-receiver` all send them.
import Hummingbird

/// The security header fields, as name and value (also written by `ConnectionGuard`, which
/// answers below the router).
public enum SecurityHeaderFields {
    /// Content-Security-Policy of the public app: own scripts only, decrypted images as blob: URLs.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        + "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    public static let all: [(name: String, value: String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
}

/// Adds the portal's security headers to every response.
public struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    public static var contentSecurityPolicy: String { SecurityHeaderFields.contentSecurityPolicy }

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // Refusals thrown further down (a 404 from the router, a 400 from a decoder) get the
        // headers too: every response of the portal carries them, error pages included.
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for (name, value) in SecurityHeaderFields.all { response.headers[.init(name)!] = value }
        // Blob names stay the same when their content changes (they are keyed hashes of the
        // logical path), so every file is revalidated; ETags keep that cheap.
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-cache" }
        return response
    }
}
