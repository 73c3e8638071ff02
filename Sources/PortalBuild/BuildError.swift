// Errors of `portal generate`: which step failed, on what, and why.
import Foundation
import PortalContent

/// A failed build step. `generate` stops at the first failing step and writes nothing to output/.
public struct BuildError: Error, CustomStringConvertible {
    public enum Step: String, Sendable {
        case load, keys, render, photos, seal, write, swap
    }

    public var step: Step
    /// The file or folder concerned, when there is one.
    public var path: String?
    public var message: String

    public init(_ step: Step, path: String? = nil, _ message: String) {
        self.step = step
        self.path = path
        self.message = message
    }

    public var description: String {
        if let path { return "\(step.rawValue): \(path): \(message)" }
        return "\(step.rawValue): \(message)"
    }
}
