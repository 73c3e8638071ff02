// A request as the receiver sees it and the JSON answer it gives, independent of the HTTP server.
import Foundation
import PortalFiles

/// A request as the receiver sees it. `target` is the request target as sent (path and query);
/// header names are matched case-insensitively.
public struct APIRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [String: String]
    public var body: [UInt8]
    public var remoteAddress: String

    public init(method: String, target: String, headers: [String: String], body: [UInt8], remoteAddress: String) {
        self.method = method.uppercased()
        self.target = target
        var lower: [String: String] = [:]
        for (k, v) in headers { lower[k.lowercased()] = v }
        self.headers = lower
        self.body = body
        self.remoteAddress = remoteAddress
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    var query: [String: String] {
        guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            out[key] = value
        }
        return out
    }
}

/// A JSON response: a status code and one of the wire types of `API/`, encoded.
///
/// ```swift
/// return .created(AbsenceReceipt(id: row.id, received: RFC3339.string(milliseconds: received)))
/// ```
public struct APIResponse: Sendable {
    public var status: Int
    public var body: Data

    /// 200 with `value` as the body.
    static func ok(_ value: some Encodable) -> APIResponse { json(200, value) }

    /// 201 with `value` as the body.
    static func created(_ value: some Encodable) -> APIResponse { json(201, value) }

    /// A refusal: its status and `{"error": code, "message": text}`.
    static func refusal(_ error: APIError) -> APIResponse { json(error.status, error.body) }

    static func json(_ status: Int, _ value: some Encodable) -> APIResponse {
        do {
            return APIResponse(status: status, body: Data(try WireEncoder.encode(value)))
        } catch {
            // Only a wire type with a fractional number could get here; there is none.
            return internalError
        }
    }

    /// 500: the store failed (or an answer could not be encoded).
    static let internalError = APIResponse(
        status: 500,
        body: Data(JSONValue.object([
            ("error", "internal"), ("message", "the receiver could not store the request; try again"),
        ]).encoded()))
}
