// A plain TCP connection to a test server, for what URLSession will not do: send half a request,
// drip bytes, or send an oversized header section, and see when the server hangs up.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class RawConnection {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `readTimeout` seconds.
    public init(port: Int, readTimeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw Self.failure("connect") }
        var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: Int((readTimeout - Double(Int(readTimeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// The port of a base URL such as `http://127.0.0.1:8081`.
    public static func port(of base: String) -> Int { Int(base.split(separator: ":").last ?? "") ?? 0 }

    /// Sends all bytes; false if the server already closed the connection.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    public enum ReadEnd: Equatable { case closed, timedOut, reset }

    /// Reads until the server closes the connection (or the read timeout passes): what came,
    /// how it ended, and after how many seconds.
    public func readToEnd() -> (bytes: [UInt8], end: ReadEnd, seconds: Double) {
        let start = Date()
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { out += buffer[0..<n]; continue }
            let seconds = Date().timeIntervalSince(start)
            if n == 0 { return (out, .closed, seconds) }
            if errno == EAGAIN || errno == EWOULDBLOCK { return (out, .timedOut, seconds) }
            return (out, .reset, seconds)
        }
    }

    private static func failure(_ what: String) -> NSError {
        NSError(domain: "RawConnection", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "\(what): errno \(errno)"])
    }
}

/// An HTTP/1.1 response as raw bytes: the status, the header fields (names lower-cased) and the body.
public struct RawResponse {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = Array(text[split.upperBound...].utf8)
    }
}
