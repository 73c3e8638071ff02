// The strict reading that every request type of the API shares: a body is one JSON object whose
// fields are exactly those of the type, each of the right type and size, with no control
// characters. Unparseable bytes are 400 `malformed_json`; everything else is 422
// `invalid_request` with a message that names the field.
import Foundation
import PortalCrypto
import PortalFormat
import PortalTrust

/// A parsed request body, told apart as far as the API's fields need: strings, lists, objects,
/// and everything else (numbers, `true`, `false`, `null`), which no field accepts.
indirect enum JSONInput: Sendable {
    case string(String)
    case array([JSONInput])
    case object([String: JSONInput])
    case scalar

    /// The one place a Foundation JSON object is looked at.
    init(_ parsed: Any) {
        if let text = parsed as? String {
            self = .string(text)
        } else if let object = parsed as? [String: Any] {
            self = .object(object.mapValues(JSONInput.init))
        } else if let list = parsed as? [Any] {
            self = .array(list.map(JSONInput.init))
        } else {
            self = .scalar
        }
    }
}

/// One JSON object of a request body, read field by field.
///
/// ```swift
/// let object = try StrictObject(body: request.body)
/// try object.allowOnly(CodingKeys.allCases)
/// let slot = try object.string(CodingKeys.slot, maxBytes: 64)
/// ```
struct StrictObject: Sendable {
    let fields: [String: JSONInput]

    /// Parses a whole body. JSONSerialization, as the receiver has always parsed bodies, so the
    /// same bytes are accepted (a bare number or string is not a JSON text to it: 400).
    init(body: [UInt8]) throws(APIError) {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)) else { throw APIError.malformedJSON }
        guard case .object(let fields) = JSONInput(parsed) else { throw APIError.schema("the body must be a JSON object") }
        self.fields = fields
    }

    init(fields: [String: JSONInput]) { self.fields = fields }

    func has(_ key: some CodingKey) -> Bool { fields[key.stringValue] != nil }

    /// Refuses the first unknown field (in sorted order, so the message does not depend on the
    /// order the client wrote them in).
    func allowOnly(_ keys: [some CodingKey]) throws(APIError) {
        let known = Set(keys.map(\.stringValue))
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.schema("unknown field \"\(unknown)\"")
        }
    }

    /// A required string of 1 to `maxBytes` UTF-8 bytes without control characters.
    func string(_ key: some CodingKey, maxBytes: Int) throws(APIError) -> String {
        let name = key.stringValue
        guard let value = fields[name] else { throw APIError.schema("missing field \"\(name)\"") }
        guard case .string(let text) = value else { throw APIError.schema("field \"\(name)\" must be a string") }
        guard !text.isEmpty, text.utf8.count <= maxBytes else {
            throw APIError.schema("field \"\(name)\" must be 1 to \(maxBytes) bytes")
        }
        // C0 controls and DEL are single bytes; C1 controls (U+0080...U+009F) are 0xC2 0x80...0x9F.
        var previous: UInt8 = 0
        let hasControl = text.utf8.contains { c in
            defer { previous = c }
            return c < 0x20 || c == 0x7f || (previous == 0xc2 && (0x80...0x9f).contains(c))
        }
        guard !hasControl else {
            throw APIError.schema("field \"\(name)\" contains control characters")
        }
        return text
    }

    /// A required id chosen by the app (a post's, an upload's): 32 lowercase hex digits.
    func hexID(_ key: some CodingKey) throws(APIError) -> String {
        let id = try string(key, maxBytes: 32)
        guard TrustFile.isTokenID(id) else { throw APIError.schema("\(key.stringValue) must be 32 lowercase hex digits") }
        return id
    }

    /// `string` if the field is there at all (`null` is there, and not a string).
    func optionalString(_ key: some CodingKey, maxBytes: Int) throws(APIError) -> String? {
        has(key) ? try string(key, maxBytes: maxBytes) : nil
    }

    /// A required list of strings, each as `string` checks it.
    func strings(_ key: some CodingKey, maxBytes: Int) throws(APIError) -> [String] {
        let name = key.stringValue
        guard case .array(let list)? = fields[name] else { throw APIError.schema("field \"\(name)\" must be a list") }
        var out: [String] = []
        for item in list {
            let one = StrictObject(fields: [name: item])
            out.append(try one.string(key, maxBytes: maxBytes))
        }
        return out
    }

    /// A required list of objects.
    func objects(_ key: some CodingKey) throws(APIError) -> [StrictObject] {
        let name = key.stringValue
        guard case .array(let list)? = fields[name] else { throw APIError.schema("field \"\(name)\" must be a list") }
        var out: [StrictObject] = []
        for item in list {
            guard case .object(let object) = item else { throw APIError.schema("\"\(name)\" must hold objects") }
            out.append(StrictObject(fields: object))
        }
        return out
    }

    /// A required sealed payload: `{"enc": b64(32 bytes), "ct": b64(17...4112 bytes)}`, and the
    /// `kid` of a group inbox key (16 hex digits) when it was sealed to one.
    func sealed(_ key: some CodingKey, maxCiphertext: Int = SealedPayloadFormat.maxCiphertext) throws(APIError) -> SealedPayload {
        let name = key.stringValue
        guard case .object(let object)? = fields[name] else { throw APIError.schema("field \"\(name)\" must be an object") }
        let inner = StrictObject(fields: object)
        try inner.allowOnly(SealedPayload.CodingKeys.allCases)
        let encText = try inner.string(SealedPayload.CodingKeys.enc, maxBytes: 64)
        let ctText = try inner.string(SealedPayload.CodingKeys.ct, maxBytes: (maxCiphertext + 16 + 2) / 3 * 4)
        guard let enc = Base64Strict.decode(encText), enc.count == 32 else {
            throw APIError.schema("\(name).enc must be 32 bytes in base64")
        }
        guard let ct = Base64Strict.decode(ctText), ct.count > 16, ct.count <= maxCiphertext + 16 else {
            throw APIError.schema("\(name).ct must be 17 to \(maxCiphertext + 16) bytes in base64")
        }
        let kid = try inner.optionalString(SealedPayload.CodingKeys.kid, maxBytes: 16)
        if let kid, !InboxKeyID.isValid(kid) { throw APIError.schema("\(name).kid must be 16 lowercase hex digits") }
        return SealedPayload(enc: enc, ct: ct, kid: kid)
    }

    /// `sealed` if the field is there at all.
    func optionalSealed(_ key: some CodingKey) throws(APIError) -> SealedPayload? {
        has(key) ? try sealed(key) : nil
    }
}
