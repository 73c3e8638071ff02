// The API's endpoints as one table: method, path, and the handler with the principal it needs.
// Adding an endpoint is one row here and one handler.
import Foundation
import PortalFormat
import PortalTrust

/// A parent's signed request, as a handler gets it.
struct ParentCall: Sendable {
    let request: APIRequest
    /// The path parameter (schedule id or booking id); empty for paths without one.
    let parameter: String
    let token: TrustIndex.Token
    let auth: Authenticated
    let now: Date
}

/// A request signed with the staff admin key.
struct AdminCall: Sendable {
    let request: APIRequest
    /// The path parameter (an object id); empty for paths without one.
    var parameter = ""
    let trust: TrustIndex
    let now: Date
}

/// One row of the table.
struct Endpoint: Sendable {
    /// Who may call it, and what answers.
    enum Handler: Sendable {
        case parent(@Sendable (Receiver, ParentCall) async throws -> APIResponse)
        case admin(@Sendable (Receiver, AdminCall) async throws -> APIResponse)
    }

    /// How much body an endpoint reads.
    enum BodyLimit: Sendable {
        /// `maxBodyBytes` (16 KiB).
        case standard
        /// `maxTrustBytes` (8 MiB): a whole school's trust file.
        case trustFile
        /// `maxSiteFileBytes` (32 MiB): one file of the site (a photo, a page).
        case siteFile
        /// 96 KiB: a staff post (its sealed text is at most 64 KiB, in base64 in JSON).
        case post
        /// One sealed chunk of a staff upload (64 KiB + its tag).
        case chunk

        func bytes(_ configuration: ReceiverConfiguration) -> Int {
            switch self {
            case .standard: return configuration.maxBodyBytes
            case .trustFile: return configuration.maxTrustBytes
            case .siteFile: return configuration.maxSiteFileBytes
            case .post: return 96 * 1024
            case .chunk: return UploadStream.sealedChunkBytes
            }
        }
    }

    /// What the body is: JSON (POST), or bytes as sent (`application/octet-stream`).
    enum Body: Sendable { case json, bytes }

    let method: String
    let path: PathPattern
    let handler: Handler
    var bodyLimit: BodyLimit = .standard
    var body: Body = .json
    /// A token whose registration week lapsed may still call it (registration answers itself).
    var lapsedTokenMayCall = false
    /// Which tokens may call a `.parent` endpoint: what a parent sends (absence, bookings) is not
    /// for staff codes, what staff read is not for parents.
    var tokens: Tokens = .any

    enum Tokens: Sendable { case any, parents, staff }

    /// Which per-token bucket a `.parent` call draws from: a photo's chunks come many at once, and
    /// must not use up what the token's forms and listings may ask.
    var rate: Rate = .standard

    enum Rate: Sendable { case standard, upload }

    /// The site.yaml feature the endpoint belongs to: refused (403 `feature_off`) when the trust
    /// file says the school has not switched it on.
    var feature: String?

    static let table: [Endpoint] = [
        Endpoint("POST", .exact("/api/v1/absences"), .parent { try await $0.reportAbsence($1) }, tokens: .parents, feature: "absence"),
        Endpoint("POST", .exact("/api/v1/bookings"), .parent { try await $0.book($1) }, tokens: .parents, feature: "booking"),
        Endpoint("GET", .between("/api/v1/schedules/", "/slots", .percentDecoded), .parent { try await $0.slots($1) }, feature: "booking"),
        Endpoint("POST", .between("/api/v1/bookings/", "/move", .bookingID), .parent { try await $0.move($1) }, tokens: .parents, feature: "booking"),
        Endpoint("DELETE", .between("/api/v1/bookings/", "", .bookingID), .parent { try await $0.cancel($1) }, tokens: .parents, feature: "booking"),
        Endpoint("GET", .exact("/api/v1/staff/absences"), .parent { try await $0.staffAbsences($1) }, tokens: .staff, feature: "absence"),
        Endpoint("GET", .exact("/api/v1/staff/bookings"), .parent { try await $0.staffBookings($1) }, tokens: .staff, feature: "booking"),
        Endpoint("GET", .exact("/api/v1/staff/answers"), .parent { try await $0.staffAnswers($1) }, tokens: .staff, feature: "forms"),
        Endpoint("POST", .exact("/api/v1/staff/read"), .parent { try await $0.staffRead($1) }, tokens: .staff),
        Endpoint("POST", .exact("/api/v1/staff/posts"), .parent { try await $0.staffPost($1) }, bodyLimit: .post, tokens: .staff, feature: "posting"),
        Endpoint("GET", .exact("/api/v1/staff/posts"), .parent { try await $0.staffPosts($1) }, tokens: .staff, feature: "posting"),
        Endpoint("DELETE", .between("/api/v1/staff/posts/", "", .bookingID), .parent { try await $0.staffRetract($1) }, tokens: .staff, feature: "posting"),
        Endpoint("POST", .exact("/api/v1/staff/uploads"), .parent { try await $0.staffUpload($1) }, tokens: .staff, rate: .upload, feature: "posting"),
        Endpoint("GET", .between("/api/v1/staff/uploads/", "", .bookingID), .parent { try await $0.staffUploadStatus($1) },
                 tokens: .staff, rate: .upload, feature: "posting"),
        Endpoint("PUT", .between("/api/v1/staff/uploads/", "", .uploadChunk), .parent { try await $0.staffUploadChunk($1) },
                 bodyLimit: .chunk, body: .bytes, tokens: .staff, rate: .upload, feature: "posting"),
        Endpoint("GET", .between("/api/v1/admin/uploads/", "", .bookingID), .admin { try await $0.adminUpload($1) }),
        Endpoint("GET", .between("/api/v1/admin/uploads/", "", .uploadChunk), .admin { try await $0.adminUploadChunk($1) }),
        Endpoint("GET", .exact("/api/v1/admin/posts"), .admin { try await $0.adminPosts($1) }),
        Endpoint("POST", .between("/api/v1/admin/posts/", "", .bookingID), .admin { try await $0.adminPostState($1) }),
        Endpoint("POST", .exact("/api/v1/confirmations"), .parent { try await $0.confirmRead($1) }, tokens: .parents, feature: "news"),
        Endpoint("GET", .exact("/api/v1/confirmations"), .parent { try await $0.ownConfirmations($1) }, tokens: .parents, feature: "news"),
        Endpoint("GET", .exact("/api/v1/admin/confirmations"), .admin { try await $0.adminConfirmations($1) }),
        Endpoint("POST", .between("/api/v1/forms/", "/answers", .bookingID), .parent { try await $0.answerForm($1) }, tokens: .parents, feature: "forms"),
        Endpoint("GET", .exact("/api/v1/forms"), .parent { try await $0.ownForms($1) }, tokens: .parents, feature: "forms"),
        Endpoint("GET", .between("/api/v1/admin/forms/", "/answers", .bookingID), .admin { try await $0.adminFormAnswers($1) }),
        Endpoint("POST", .exact("/api/v1/registrations"), .parent { try await $0.register($1) }, lapsedTokenMayCall: true),
        Endpoint("POST", .exact("/api/v1/push/subscription"), .parent { try await $0.subscribePush($1) }, feature: "push"),
        Endpoint("POST", .exact("/api/v1/admin/push/notify"), .admin { try await $0.notifyPush($1) }),
        Endpoint("GET", .exact("/api/v1/admin/push"), .admin { try await $0.pushStatus($1) }),
        Endpoint("GET", .exact("/api/v1/admin/submissions"), .admin { try await $0.adminSubmissions($1) }),
        Endpoint("GET", .exact("/api/v1/admin/bookings"), .admin { try await $0.adminBookings($1) }),
        Endpoint("GET", .exact("/api/v1/admin/registrations"), .admin { try await $0.adminRegistrations($1) }),
        Endpoint(
            "POST", .exact("/api/v1/admin/trust"), .admin { try await $0.installTrust($1) }, bodyLimit: .trustFile, body: .bytes),
        // The receiver as web host (`--site`): which files it lacks, one file, the release.
        Endpoint("POST", .exact("/api/v1/admin/site/missing"), .admin { try await $0.siteMissing($1) }, bodyLimit: .trustFile, body: .bytes),
        Endpoint("PUT", .between("/api/v1/admin/site/objects/", "", .objectID), .admin { try await $0.siteObject($1) },
                 bodyLimit: .siteFile, body: .bytes),
        Endpoint("POST", .exact("/api/v1/admin/site/release"), .admin { try await $0.siteRelease($1) }, bodyLimit: .trustFile, body: .bytes),
    ]

    init(_ method: String, _ path: PathPattern, _ handler: Handler, bodyLimit: BodyLimit = .standard,
         body: Body = .json, lapsedTokenMayCall: Bool = false, tokens: Tokens = .any, rate: Rate = .standard,
         feature: String? = nil) {
        self.feature = feature
        self.tokens = tokens
        self.rate = rate
        self.method = method
        self.path = path
        self.handler = handler
        self.bodyLimit = bodyLimit
        self.body = body
        self.lapsedTokenMayCall = lapsedTokenMayCall
    }

    /// The endpoint of a request and its path parameter: 404 if no path matches, 405 if a path
    /// matches but not with this method.
    static func resolve(_ request: APIRequest) throws(APIError) -> (Endpoint, parameter: String) {
        let path = request.path
        var pathMatched = false
        for endpoint in table {
            guard let parameter = endpoint.path.match(path) else { continue }
            if endpoint.method == request.method { return (endpoint, parameter) }
            pathMatched = true
        }
        throw pathMatched ? APIError.methodNotAllowed : APIError.notFound
    }
}

/// A path as sent (still percent-encoded).
enum PathPattern: Sendable {
    case exact(String)
    /// `prefix + parameter + suffix` with a non-empty parameter that `Parameter` accepts.
    case between(String, String, Parameter)

    enum Parameter: Sendable {
        /// Any text, percent-decoded (schedule ids are logical paths: `groups/groep-5/...`).
        case percentDecoded
        /// 32 lowercase hex digits, as sent.
        case bookingID
        /// 64 or 32 lowercase hex digits (`SiteStore` object ids).
        case objectID
        /// `<upload id>/<chunk index>`: 32 lowercase hex digits, a slash, 0 to 511 without leading zeros.
        case uploadChunk

        func read(_ raw: String) -> String? {
            switch self {
            case .percentDecoded: return raw.removingPercentEncoding
            case .bookingID: return TrustFile.isTokenID(raw) ? raw : nil
            case .objectID: return SiteStore.isObjectID(raw) ? raw : nil
            case .uploadChunk:
                let parts = raw.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, TrustFile.isTokenID(String(parts[0])), let index = Int(parts[1]),
                      String(index) == parts[1], (0..<UploadStream.maxChunks).contains(index)
                else { return nil }
                return raw
            }
        }
    }

    /// The parameter ("" for an exact path) if `path` matches.
    func match(_ path: String) -> String? {
        switch self {
        case .exact(let exact):
            return path == exact ? "" : nil
        case .between(let prefix, let suffix, let parameter):
            guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.count > prefix.count + suffix.count else { return nil }
            return parameter.read(String(path.dropFirst(prefix.count).dropLast(suffix.count)))
        }
    }
}
