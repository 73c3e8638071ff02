// Which push endpoints the receiver will POST to. An endpoint comes from a parent's device, so
// without a rule the receiver could be told to send requests anywhere (request forgery into the
// school's network, or a scan of it): only https, only the known push services' hosts, never an
// address literal, no credentials, no odd ports, nothing long.
import Foundation

/// The rule for subscription endpoints (issue 16; docs/RECEIVER.md "Push").
///
/// ```swift
/// let policy = PushEndpointPolicy()          // today's Google, Mozilla, Apple and Microsoft hosts
/// let url = try policy.check("https://fcm.googleapis.com/fcm/send/abc")
/// ```
public struct PushEndpointPolicy: Sendable, Equatable {
    /// Host names taken as they are (`fcm.googleapis.com`) or, written `*.push.apple.com`, any
    /// name below that domain.
    public var hosts: [String]
    /// Test-only: also take `http://127.0.0.1:<port>/...` (the push service stand-in).
    public var allowLoopback: Bool
    public static let maxLength = 1024

    /// The push services of today's browsers (Chrome and Edge on Android through FCM, Firefox,
    /// Safari and iOS home-screen apps, Edge on Windows).
    public static let knownHosts = [
        "fcm.googleapis.com", "android.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com", "*.push.apple.com",
        "*.notify.windows.com",
    ]

    public init(hosts: [String] = PushEndpointPolicy.knownHosts, allowLoopback: Bool = false) {
        self.hosts = hosts.map { $0.lowercased() }
        self.allowLoopback = allowLoopback
    }

    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case tooLong
        case notAURL
        case notHTTPS
        case credentials
        case port
        case addressLiteral
        case unknownHost(String)

        public var description: String {
            switch self {
            case .tooLong: return "the endpoint is longer than \(PushEndpointPolicy.maxLength) bytes"
            case .notAURL: return "the endpoint is not an absolute URL"
            case .notHTTPS: return "the endpoint is not https"
            case .credentials: return "the endpoint carries user or password"
            case .port: return "the endpoint names a port other than 443"
            case .addressLiteral: return "the endpoint is an IP address, not a push service's host name"
            case .unknownHost(let host): return "\(host) is not a known push service"
            }
        }
    }

    /// The endpoint as a URL when it passes; the reason otherwise.
    public func check(_ endpoint: String) throws(Refusal) -> URL {
        guard endpoint.utf8.count <= Self.maxLength else { throw .tooLong }
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty, let url = components.url
        else { throw .notAURL }
        guard components.user == nil, components.password == nil else { throw .credentials }
        // Letters, digits, dots and hyphens as written: no percent-escapes (a decoded NUL or
        // dot could make the name looked up differ from the one checked), no Unicode.
        guard let written = components.percentEncodedHost,
              written.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e || $0 == 0x2d || $0 == 0x5b || $0 == 0x5d || $0 == 0x3a })
        else { throw .notAURL }
        if allowLoopback, scheme == "http", host == "127.0.0.1", components.port != nil { return url }
        guard scheme == "https" else { throw .notHTTPS }
        guard components.port == nil || components.port == 443 else { throw .port }
        guard !Self.isAddressLiteral(host) else { throw .addressLiteral }
        guard hosts.contains(where: { Self.matches(host, $0) }) else { throw .unknownHost(host) }
        return url
    }

    static func matches(_ host: String, _ pattern: String) -> Bool {
        if pattern.hasPrefix("*.") {
            let domain = pattern.dropFirst(1)  // ".push.apple.com"
            return host.hasSuffix(domain) && host.count > domain.count
        }
        return host == pattern
    }

    /// IPv4 in any spelling URL parsers accept (dotted, decimal, hex, octal parts), or IPv6.
    static func isAddressLiteral(_ host: String) -> Bool {
        if host.hasPrefix("[") || host.contains(":") { return true }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        // A name whose last label is numeric (or hex) is an address to WHATWG URL parsers.
        guard let last = labels.last(where: { !$0.isEmpty }) else { return true }
        return last.allSatisfy(\.isNumber) || (last.lowercased().hasPrefix("0x") && last.dropFirst(2).allSatisfy(\.isHexDigit))
    }
}
