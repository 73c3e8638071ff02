// The one error type of the file-system module: which path, and what went wrong in words.
// Each caller wraps it in its own typed error (BuildError, KeystoreError, ...), keeping both.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: the path and a sentence on what failed (with the system's reason).
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `action` plus the text of `code` (errno by default): "cannot create: Permission denied".
    public init(path: String, _ action: String, code: Int32 = errno) {
        self.init(path: path, reason: "\(action): \(String(cString: strerror(code)))")
    }

    public var description: String { "\(path): \(reason)" }
}
