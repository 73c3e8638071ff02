// The staff side of the API: `portal inbox` and `portal bookings` pull sealed rows with the admin
// key and open them locally with the inbox secret key.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto

/// An absence report as `GET /api/v1/admin/submissions` returns it.
public struct AdminSubmission: Codable, Sendable, Equatable {
    public var id: String
    public var kind: String
    /// The sending token: the HPKE aad of `sealed`.
    public var tokenID: String
    public var family: String
    public var group: String
    public var from: String
    public var to: String
    public var sealed: SealedPayload
    /// RFC 3339.
    public var received: String

    enum CodingKeys: String, CodingKey {
        case id, kind, family, group, from, to, sealed, received
        case tokenID = "token_id"
    }

    /// Opens the sealed fields with the school's inbox secret key.
    public func open(inboxSecretKey: [UInt8]) throws -> AbsencePayload {
        try AbsencePayload.open(sealed, tokenID: tokenID, inboxSecretKey: inboxSecretKey)
    }
}

/// A booking as `GET /api/v1/admin/bookings` returns it.
public struct AdminBooking: Codable, Sendable, Equatable {
    public var id: String
    public var schedule: String
    public var slot: String
    public var start: String?
    public var end: String?
    public var teacher: String?
    public var family: String
    public var tokenID: String
    public var sealed: SealedPayload
    public var created: String

    enum CodingKeys: String, CodingKey {
        case id, schedule, slot, start, end, teacher, family, sealed, created
        case tokenID = "token_id"
    }

    public func open(inboxSecretKey: [UInt8]) throws -> BookingPayload {
        try BookingPayload.open(sealed, tokenID: tokenID, inboxSecretKey: inboxSecretKey)
    }
}

/// A token's first registration as `GET /api/v1/admin/registrations` returns it.
public struct AdminRegistration: Codable, Sendable, Equatable {
    public var tokenID: String
    public var family: String
    /// RFC 3339, whole seconds.
    public var registeredAt: String
    public var device: String?

    enum CodingKeys: String, CodingKey {
        case family, device
        case tokenID = "token_id"
        case registeredAt = "registered_at"
    }

    /// `registeredAt` as a date (nil if the receiver sent something else).
    public var registeredDate: Date? { try? Date.ISO8601FormatStyle().parse(registeredAt) }
}

/// The receiver's answer to a registration: `created` is true for the first one (201).
public struct RegistrationReceipt: Codable, Sendable, Equatable {
    public var tokenID: String
    public var registeredAt: String
    public var created: Bool

    enum CodingKeys: String, CodingKey {
        case tokenID = "token_id"
        case registeredAt = "registered_at"
        case created
    }
}

/// Errors of `ReceiverClient`: the receiver's JSON error, or a transport problem.
public enum ReceiverClientError: Error, Sendable, CustomStringConvertible {
    case refused(status: Int, code: String, message: String)
    case transport(String)

    public var description: String {
        switch self {
        case .refused(let status, let code, let message): return "receiver refused (\(status) \(code)): \(message)"
        case .transport(let text): return "cannot reach the receiver: \(text)"
        }
    }
}

/// Signed requests to a receiver.
///
/// ```swift
/// let client = ReceiverClient(receiverURL: URL(string: "https://ouders.example.nl/api")!,
///                             signer: .admin(seed: keystore.adminSigningSeed))
/// for row in try await client.submissions(since: "2027-02-01") {
///     let report = try row.open(inboxSecretKey: keystore.inboxSecretKey)
///     print(row.group, row.from, report.child, report.reason)
/// }
/// ```
public struct ReceiverClient: Sendable {
    /// The receiver's base URL as in `site.json` (`.../api`); requests go to `<base>/v1/...`.
    public let receiverURL: URL
    public let signer: RequestSigner
    private let session: URLSession

    public init(receiverURL: URL, signer: RequestSigner, session: URLSession = .shared) {
        self.receiverURL = receiverURL
        self.signer = signer
        self.session = session
    }

    public func submissions(since: String? = nil) async throws -> [AdminSubmission] {
        var query = ""
        if let since { query = "?since=" + (since.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-:."))) ?? since) }
        struct Answer: Decodable { let submissions: [AdminSubmission] }
        return try JSONDecoder().decode(Answer.self, from: try await send("GET", "/v1/admin/submissions" + query)).submissions
    }

    public func bookings(schedule: String? = nil) async throws -> [AdminBooking] {
        var query = ""
        if let schedule { query = "?schedule=" + (schedule.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._"))) ?? schedule) }
        struct Answer: Decodable { let bookings: [AdminBooking] }
        return try JSONDecoder().decode(Answer.self, from: try await send("GET", "/v1/admin/bookings" + query)).bookings
    }

    /// Every registration (admin key); `since` is `YYYY-MM-DD` or an RFC 3339 instant.
    public func registrations(since: String? = nil) async throws -> [AdminRegistration] {
        var query = ""
        if let since { query = "?since=" + (since.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-:."))) ?? since) }
        struct Answer: Decodable { let registrations: [AdminRegistration] }
        return try JSONDecoder().decode(Answer.self, from: try await send("GET", "/v1/admin/registrations" + query)).registrations
    }

    /// Registers the signing token (a parent's signer), as the app does on first unlock.
    /// Throws `.refused(403, "registration_closed", ...)` after the token's register-by date.
    public func register(device: String? = nil) async throws -> RegistrationReceipt {
        var object: [String: String] = [:]
        if let device { object["device"] = device }
        let body = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        let (data, status) = try await exchange("POST", "/v1/registrations", body: body)
        struct Answer: Decodable {
            let token_id: String
            let registered_at: String
        }
        let answer = try JSONDecoder().decode(Answer.self, from: data)
        return RegistrationReceipt(tokenID: answer.token_id, registeredAt: answer.registered_at, created: status == 201)
    }

    /// Sends a signed request; `relative` starts with `/v1/`. Returns the body of a 2xx answer.
    public func send(_ method: String, _ relative: String, body: [UInt8] = []) async throws -> Data {
        try await exchange(method, relative, body: body).data
    }

    /// `send` with the status code of the 2xx answer.
    private func exchange(_ method: String, _ relative: String, body: [UInt8]) async throws -> (data: Data, status: Int) {
        var base = receiverURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + relative) else { throw ReceiverClientError.transport("bad URL \(base + relative)") }
        // The signature covers the request target as sent: the percent-encoded path and query.
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        var target = components?.percentEncodedPath ?? url.path
        if let q = components?.percentEncodedQuery { target += "?" + q }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if !body.isEmpty {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (k, v) in signer.headers(method: method, path: target, body: body) { request.setValue(v, forHTTPHeaderField: k) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw ReceiverClientError.transport(error.localizedDescription)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            throw ReceiverClientError.refused(
                status: status, code: object?["error"] as? String ?? "http_\(status)",
                message: object?["message"] as? String ?? String(decoding: data.prefix(200), as: UTF8.self))
        }
        return (data, status)
    }
}
