// Errors of the keystore, written for the staff member who runs the command.
import Foundation

public enum KeystoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyExists(path: String)
    case missing(path: String)
    case notADirectory(path: String)
    /// The directory holds files but no keystore: never silently replaced by a new keystore.
    case incomplete(path: String, found: [String])
    case damaged(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int)
    case insecurePermissions(path: String, mode: Int, expected: Int)
    case io(path: String, reason: String)
    case changedOnDisk(path: String)
    case noAudiences
    case invalidAudience(String)
    case expiryNotInFuture(expires: Date, issued: Date)
    case registerByNotInFuture(registerBy: Date, issued: Date)
    case registerByAfterExpiry(registerBy: Date, expires: Date)
    case invalidFamily(String)
    case tokenIDTooShort(String)
    case unknownToken(String)
    case ambiguousToken(prefix: String, matches: [String])
    case alreadyRevoked(id: String, at: Date)

    public var description: String {
        switch self {
        case .alreadyExists(let path):
            return "\(path): a keystore already exists here; it was left untouched. "
                + "Use the existing keystore, or move it away first if you really want a new one "
                + "(all tokens of the old one stop working)."
        case .missing(let path):
            return "\(path): no keystore found. Run `portal init` to create one, or restore keys/ from your backup."
        case .notADirectory(let path):
            return "\(path): the keystore location exists but is not a directory."
        case .incomplete(let path, let found):
            return "\(path): the directory is not empty (\(found.joined(separator: ", "))) but holds no "
                + "keystore.json. Not creating a new keystore over it: restore keystore.json from your "
                + "backup, or empty the directory if you really want a new keystore."
        case .damaged(let path, let reason):
            return "\(path): the keystore is damaged (\(reason)). Restore it from your backup; do not "
                + "create a new one unless you want to reissue every token."
        case .unsupportedVersion(let path, let version):
            return "\(path): keystore format version \(version) is not supported by this portal version (it reads 1). "
                + "Upgrade portal."
        case .insecurePermissions(let path, let mode, let expected):
            return "\(path): permissions are \(String(mode, radix: 8)) but must be \(String(expected, radix: 8)) "
                + "(the keystore holds the master key). Fix with: chmod \(String(expected, radix: 8)) \(path)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .changedOnDisk(let path):
            return "\(path): the keystore was changed by another command since it was opened; nothing was "
                + "saved. Run your command again."
        case .noAudiences:
            return "a token needs at least one audience (school and/or a group id)"
        case .invalidAudience(let id):
            return "\"\(id)\" is not a valid audience id (use lowercase letters, digits and '-', e.g. groep-5)"
        case .expiryNotInFuture(let expires, let issued):
            return "expiry \(iso(expires)) is not after the issue time \(iso(issued))"
        case .registerByNotInFuture(let registerBy, let issued):
            return "register-by \(iso(registerBy)) is not after the issue time \(iso(issued)): no device could register in time"
        case .registerByAfterExpiry(let registerBy, let expires):
            return "register-by \(iso(registerBy)) is after the expiry \(iso(expires))"
        case .invalidFamily(let family):
            return "\"\(family)\" is not a valid family id (1-64 characters, no control characters)"
        case .tokenIDTooShort(let prefix):
            return "\"\(prefix)\" is too short: give at least 6 hexadecimal characters of the token id"
        case .unknownToken(let prefix):
            return "no token with id \(prefix)... in the keystore (see `portal token list`)"
        case .ambiguousToken(let prefix, let matches):
            return "\(prefix) matches several tokens (\(matches.joined(separator: ", "))); type more characters"
        case .alreadyRevoked(let id, let at):
            return "token \(id) was already revoked at \(iso(at))"
        }
    }
}

func iso(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
}
