// The staff side of the API: `portal inbox` and `portal bookings` pull sealed rows with the admin
// key and open them locally with the inbox secret key. The answers decode into the same wire
// types (API/) the receiver encodes.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PortalCrypto
import PortalFormat

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

    /// Absence reports (admin key), oldest first; `since` is `YYYY-MM-DD` or an RFC 3339 instant.
    /// Reads every page (the receiver cuts a listing at its page limit).
    public func submissions(since: String? = nil) async throws -> [AdminSubmission] {
        try await allPages { after in
            let page = try await get(SubmissionPage.self, "/v1/admin/submissions" + Self.query([("since", since), ("after", after)]))
            return (page.submissions, page.next)
        }
    }

    /// Bookings (admin key) of one schedule, or of all.
    public func bookings(schedule: String? = nil) async throws -> [AdminBooking] {
        try await get(BookingPage.self, "/v1/admin/bookings" + Self.query([("schedule", schedule)])).bookings
    }

    /// Every registration (admin key); `since` is `YYYY-MM-DD` or an RFC 3339 instant. Reads every page.
    public func registrations(since: String? = nil) async throws -> [AdminRegistration] {
        try await allPages { after in
            let page = try await get(
                RegistrationPage.self, "/v1/admin/registrations" + Self.query([("since", since), ("after", after)]))
            return (page.registrations, page.next)
        }
    }

    /// Who confirmed reading an item (admin key): the item's opaque id from the trust file.
    public func confirmations(item: String) async throws -> [Confirmation] {
        try await get(ConfirmationPage.self, "/v1/admin/confirmations" + Self.query([("item", item)])).confirmations
    }

    /// Every answer to a form (admin key), oldest first: the form's opaque id from the trust file.
    public func answers(form: String) async throws -> [StoredAnswer] {
        try await get(FormAnswers.self, "/v1/admin/forms/\(form)/answers").answers
    }

    /// Staff posts in `state` (all when nil), with their sealed text (admin key).
    public func posts(state: PostState? = nil) async throws -> [PostRow] {
        try await get(PostPage.self, "/v1/admin/posts" + Self.query([("state", state?.rawValue)])).posts
    }

    /// Records the school's decision on a post (admin key); a rejection carries its sealed reason.
    public func setPostState(id: String, _ state: PostState, reason: SealedPayload? = nil) async throws {
        let body = Array(try JSONEncoder().encode(PostStateRequest(state: state, reason: reason)))
        _ = try await send("POST", "/v1/admin/posts/\(id)", body: body)
    }

    /// A staff upload's part as the receiver holds it, and its sealed chunks in order (admin key).
    /// Throws `.refused(..., "upload_incomplete", ...)` when chunks are missing.
    public func upload(id: String) async throws -> (upload: AdminUpload, chunks: [[UInt8]]) {
        let upload = try await get(AdminUpload.self, "/v1/admin/uploads/\(id)")
        guard upload.received == Array(0..<upload.chunks) else {
            throw ReceiverClientError.refused(
                status: 422, code: "upload_incomplete", message: "upload \(id) has \(upload.received.count) of its \(upload.chunks) chunks")
        }
        var chunks: [[UInt8]] = []
        for index in 0..<upload.chunks {
            let answer = try await get(AdminUploadChunk.self, "/v1/admin/uploads/\(id)/\(index)")
            guard answer.index == index, let bytes = Base64Strict.decode(answer.chunk) else {
                throw ReceiverClientError.transport("chunk \(index) of upload \(id) came back malformed")
            }
            chunks.append(bytes)
        }
        return (upload, chunks)
    }

    /// Pushes a trust file (as `portal generate` wrote it, signed by the publisher key) to the
    /// receiver, which takes it at once if it is newer than the one in force (admin key).
    public func pushTrust(_ bytes: [UInt8]) async throws -> TrustReceipt {
        try JSONDecoder().decode(TrustReceipt.self, from: try await send("POST", "/v1/admin/trust", body: bytes, type: "application/octet-stream"))
    }

    /// Tells the receiver which audiences have new items (after the release is in force); it
    /// queues one notification per device (admin key).
    public func notifyPush(_ notice: PushNotice) async throws -> PushNoticeReceipt {
        let body = Array(try JSONEncoder().encode(notice))
        return try JSONDecoder().decode(PushNoticeReceipt.self, from: try await send("POST", "/v1/admin/push/notify", body: body))
    }

    /// Subscriptions and messages the receiver holds (admin key).
    public func pushStatus() async throws -> PushStatus {
        try JSONDecoder().decode(PushStatus.self, from: try await send("GET", "/v1/admin/push"))
    }

    /// Which of `ids` the receiver's site store lacks (`--site`; admin key).
    public func siteMissing(_ ids: [String]) async throws -> [String] {
        let body = Array(ids.joined(separator: "\n").utf8)
        return try JSONDecoder().decode(SiteMissingAnswer.self, from: try await send("POST", "/v1/admin/site/missing", body: body, type: Self.bytes)).missing
    }

    /// Sends one file of the site under its object id (admin key).
    public func putSiteObject(id: String, bytes: [UInt8]) async throws {
        _ = try await send("PUT", "/v1/admin/site/objects/" + id, body: bytes, type: Self.bytes)
    }

    /// Puts a signed release in force; its sequence and number of files (admin key).
    public func installRelease(_ signed: [UInt8]) async throws -> SiteReleaseAnswer {
        try JSONDecoder().decode(SiteReleaseAnswer.self, from: try await send("POST", "/v1/admin/site/release", body: signed, type: Self.bytes))
    }

    static let bytes = "application/octet-stream"

    /// Follows `next` cursors until a page has none.
    private func allPages<Row>(_ page: (String?) async throws -> ([Row], String?)) async throws -> [Row] {
        var rows: [Row] = []
        var after: String?
        while true {
            let (some, next) = try await page(after)
            rows += some
            guard let next else { return rows }
            guard next != after else { throw ReceiverClientError.transport("the receiver sent the same page twice") }
            after = next
        }
    }

    /// `?name=value&...` of the pairs with a value, percent-encoded except letters, digits and
    /// `-._:`; "" when none has one.
    private static func query(_ pairs: [(String, String?)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._:"))
        let parts = pairs.compactMap { name, value in
            value.map { "\(name)=" + ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0) }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    private func get<Page: Decodable>(_ type: Page.Type, _ relative: String) async throws -> Page {
        try JSONDecoder().decode(Page.self, from: try await send("GET", relative))
    }

    /// Registers the signing token (a parent's signer), as the app does on first unlock.
    /// Throws `.refused(403, "registration_closed", ...)` after the token's register-by date.
    public func register(device: String? = nil) async throws -> RegistrationReceipt {
        let body = try WireEncoder.encode(RegistrationRequest(device: device))
        let (data, status) = try await exchange("POST", "/v1/registrations", body: body)
        var receipt = try JSONDecoder().decode(RegistrationReceipt.self, from: data)
        receipt.created = status == 201
        return receipt
    }

    /// Sends a signed request; `relative` starts with `/v1/`. Returns the body of a 2xx answer.
    public func send(_ method: String, _ relative: String, body: [UInt8] = [], type: String = "application/json") async throws -> Data {
        try await exchange(method, relative, body: body, type: type).data
    }

    /// `send` with the status code of the 2xx answer.
    private func exchange(
        _ method: String, _ relative: String, body: [UInt8], type: String = "application/json"
    ) async throws -> (data: Data, status: Int) {
        var base = receiverURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + relative) else { throw ReceiverClientError.transport("bad URL \(base + relative)") }
        // The signature covers the request target as sent: the percent-encoded path and query.
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        var target = components?.percentEncodedPath ?? url.path
        if let q = components?.percentEncodedQuery { target += "?" + q }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if !body.isEmpty || type != "application/json" {
            request.httpBody = Data(body)
            request.setValue(type, forHTTPHeaderField: "Content-Type")
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
            // Not every refusal comes from the receiver (a proxy's 502 page): then the status and the text.
            let refusal = try? JSONDecoder().decode(APIErrorBody.self, from: data)
            throw ReceiverClientError.refused(
                status: status, code: refusal?.error ?? "http_\(status)",
                message: refusal?.message ?? String(decoding: data.prefix(200), as: UTF8.self))
        }
        return (data, status)
    }
}
