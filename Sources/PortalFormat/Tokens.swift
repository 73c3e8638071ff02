// Parent tokens: 18 random bytes plus a 2-byte SHA-256 check, written as 32 Crockford base32
// characters in groups of 4; token id and KEK are derived from them with HKDF.
import PortalCrypto

/// Why a typed token was rejected. `.typo` means "well-formed but the check does not match".
public enum TokenParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case typo

    public var description: String {
        switch self {
        case .malformed(let reason): return "not a valid token: \(reason)"
        case .typo: return "the token contains a typing error (its check characters do not match)"
        }
    }
}

/// A parent's token. The school prints `text`; the browser derives the same `id` and `kek`.
///
/// ```swift
/// let token = Token.generate(using: SystemRandom())
/// print(token.text)                       // "K7QM-3XRT-...."
/// let same = try Token.parse("k7qm 3xrt ...")
/// let slot = "k/" + same.id(siteID: siteID)
/// ```
public struct Token: Sendable, Equatable, CustomStringConvertible {
    public static let secretLength = 18
    public static let checkLength = 2
    public static let characterCount = 32

    /// R, 18 bytes.
    public let secret: [UInt8]

    public init(secret: [UInt8]) throws(CryptoError) {
        guard secret.count == Token.secretLength else { throw .invalidTokenSecretLength }
        self.secret = secret
    }

    public static func generate(using random: some RandomSource) -> Token {
        let r = random.bytes(secretLength)
        precondition(r.count == secretLength, "RandomSource returned \(r.count) bytes, not \(secretLength)")
        return Token(unchecked: r)
    }

    private init(unchecked secret: [UInt8]) { self.secret = secret }

    /// C = SHA-256(R)[0..2].
    static func check(_ secret: [UInt8]) -> [UInt8] { Array(SHA256.hash(secret).prefix(checkLength)) }

    /// The 32 characters without dashes.
    public var compactText: String { Base32Crockford.encode(secret + Token.check(secret)) }

    /// `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`.
    public var text: String {
        let chars = Array(compactText)
        return stride(from: 0, to: chars.count, by: 4)
            .map { String(chars[$0..<min($0 + 4, chars.count)]) }
            .joined(separator: "-")
    }

    /// Does not print the token: it is a secret.
    public var description: String { "Token(<secret>)" }

    /// Forgiving parse: whitespace and dashes are ignored, case-insensitive, O->0, I/L->1.
    public static func parse(_ input: String) throws(TokenParseError) -> Token {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(characterCount)
        for scalar in input.unicodeScalars {
            if Token.isSeparator(scalar) { continue }
            guard scalar.isASCII, Base32Crockford.value(of: UInt8(scalar.value)) != nil else {
                throw .malformed("the character \"\(scalar)\" does not occur in tokens")
            }
            symbols.append(UInt8(scalar.value))
        }
        guard symbols.count == characterCount else {
            throw .malformed("a token has \(characterCount) characters, this has \(symbols.count)")
        }
        guard let bytes = Base32Crockford.decode(String(decoding: symbols, as: UTF8.self)),
              bytes.count == secretLength + checkLength
        else { throw .malformed("cannot decode") }
        let r = Array(bytes.prefix(secretLength))
        guard constantTimeEqual(Array(bytes.suffix(checkLength)), check(r)) else { throw .typo }
        return Token(unchecked: r)
    }

    /// Ignored when parsing: whitespace, `-`, and the Unicode hyphens and dashes U+2010...U+2015
    /// and U+2212 that word processors put into printed letters.
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "-" || scalar.properties.isWhitespace || (0x2010...0x2015).contains(scalar.value)
            || scalar.value == 0x2212
    }

    /// `hex(HKDF(R, salt = site_id, info = "ouderportaal/1 token-id", 16))`.
    public func id(siteID: [UInt8]) -> String {
        Hex.encode(HKDF.sha256(ikm: secret, salt: siteID, info: Array(Label.tokenID.utf8), length: 16))
    }

    /// `HKDF(R, salt = site_id, info = "ouderportaal/1 kek", 32)`: the key of the keyslot.
    public func kek(siteID: [UInt8]) -> SymmetricKey {
        SymmetricKey(validBytes: HKDF.sha256(ikm: secret, salt: siteID, info: Array(Label.kek.utf8), length: 32))
    }

    public static func == (lhs: Token, rhs: Token) -> Bool { constantTimeEqual(lhs.secret, rhs.secret) }
}
