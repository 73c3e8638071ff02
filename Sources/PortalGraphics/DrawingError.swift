// A picture the portal draws itself (a QR code, an app icon) that libvips could not make.

/// What could not be drawn (`what`, e.g. "QR code") and why, in one line.
public struct DrawingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let what: String
    public let message: String

    public init(_ what: String, _ message: String) {
        self.what = what
        self.message = message
    }

    public var description: String { "\(what): \(message)" }
}
