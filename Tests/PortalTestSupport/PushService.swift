// The push service stand-in (Tests/browser/push_service.py) run as a process: it checks VAPID
// with py_vapid and opens each message with http_ece, independently of the receiver's code.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public final class PushServiceProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var origin = ""

    /// A subscription as a browser makes one.
    public struct Subscription: Sendable {
        public let id: String
        public let endpoint: String
        public let p256dh: String
        public let auth: String
    }

    /// One message the stand-in took, opened.
    public struct Message: Sendable {
        public let id: String
        public let payload: String
        public let ttl: Int
        public let urgency: String
        public let topic: String?
        /// Bytes of the encrypted body.
        public let length: Int
    }

    /// `vapidPublicKey`: base64url; when given, a message signed with any other key is refused.
    public init(vapidPublicKey: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot.appendingPathComponent("Tests/browser/push_service.py").path]
            + (vapidPublicKey.map { ["--vapid-public-key", $0] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        origin = try printedAddress(process, out, pattern: #"http://127\.0\.0\.1:\d+"#)
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    private func call(_ method: String, _ path: String, _ body: Any? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: origin + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    public func subscribe() async throws -> Subscription {
        let o = try await call("POST", "/_subscriptions", [String: String]())
        return Subscription(
            id: o["id"] as! String, endpoint: o["endpoint"] as! String, p256dh: o["p256dh"] as! String, auth: o["auth"] as! String)
    }

    /// Messages taken, and refusals (`status`, `reason`) of messages that failed a check.
    public func messages() async throws -> (taken: [Message], refused: [[String: Any]]) {
        let o = try await call("GET", "/_messages")
        let taken = (o["messages"] as? [[String: Any]] ?? []).map {
            Message(id: $0["id"] as! String, payload: $0["payload"] as! String, ttl: $0["ttl"] as! Int,
                    urgency: $0["urgency"] as! String, topic: $0["topic"] as? String, length: $0["length"] as! Int)
        }
        return (taken, o["rejected"] as? [[String: Any]] ?? [])
    }

    /// The next messages to `id` are answered with `statuses` (then 201 again).
    public func answer(_ id: String, with statuses: [Int], retryAfter: String? = nil) async throws {
        var body: [String: Any] = ["id": id, "statuses": statuses]
        if let retryAfter { body["retry_after"] = retryAfter }
        _ = try await call("POST", "/_behaviour", body)
    }

    public func reset() async throws { _ = try await call("POST", "/_reset", [String: String]()) }
}
