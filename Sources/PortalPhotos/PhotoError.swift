// Errors that name the photo staff must fix: `albums/schoolreis/foto1.jpg: message`.

/// A photo that cannot be published, with the path staff know it by.
///
/// ```swift
/// do { _ = try processor.variants(of: url, displayPath: "albums/x/foto.jpg", specs: [.thumb]) }
/// catch { print(error) }  // albums/x/foto.jpg: not a supported image; use JPEG, PNG, WebP or HEIC (...)
/// ```
public struct PhotoError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The display path of the photo (or the cache directory for cache set-up errors).
    public let file: String
    /// What is wrong, in one line.
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// All photos of a batch that failed, in the order of the jobs.
public struct PhotoErrors: Error, CustomStringConvertible, Equatable, Sendable {
    public let errors: [PhotoError]

    public init(_ errors: [PhotoError]) {
        self.errors = errors
    }

    /// One `file: message` line per failed photo.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
