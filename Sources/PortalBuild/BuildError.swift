// The steps of `portal generate` and its one error type: which step failed, on what, and why.
// The step a timing is recorded under and the step an error names are the same value.
import Foundation
import PortalContent

/// The named steps of a build, in the order they run.
public enum BuildStep: String, Sendable, CaseIterable {
    /// The output folder must not overlap the content, keys or theme.
    case folders
    /// Open (or create) the keystore; re-key audiences of expired tokens.
    case keys
    /// Read the last build's fingerprint.
    case state
    /// Fingerprint every input; a build whose inputs did not change stops here.
    case fingerprint
    /// Load and validate `content/`.
    case load
    /// Load the theme's templates.
    case theme
    case render
    case photos
    case seal
    /// Write the receiver's trust file.
    case trust
    /// Write the sealed site into a staging folder next to output/.
    case write
    /// Swap the staging folder in place of output/.
    case swap
    /// Record this build's fingerprint for the next no-op check.
    case record
}

/// A failed build step. `generate` stops at the first failing step and writes nothing to output/.
public struct BuildError: Error, CustomStringConvertible {
    public typealias Step = BuildStep

    public var step: BuildStep
    /// The file or folder concerned, when there is one.
    public var path: String?
    public var message: String
    /// The content's problems when `load` failed, each with its file and line.
    public var problems: [ContentProblem] = []

    public init(_ step: BuildStep, path: String? = nil, _ message: String) {
        self.step = step
        self.path = path
        self.message = message
    }

    /// The content problems of a failed load (all of them, in file order).
    public init(_ step: BuildStep, problems: [ContentProblem]) {
        self.init(step, "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the content")
        self.problems = problems
    }

    public var description: String {
        if let path { return "\(step.rawValue): \(path): \(message)" }
        return "\(step.rawValue): \(message)"
    }
}

/// Runs named steps, times each, and labels any error with the step it came from.
struct StepClock {
    private(set) var timings: [(step: BuildStep, seconds: Double)] = []

    mutating func step<T>(_ step: BuildStep, _ body: () throws(BuildError) -> T) throws(BuildError) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { timings.append((step, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)) }
        do {
            return try body()
        } catch var error {
            error.step = step
            throw error
        }
    }

    /// A step that cannot fail (reading the last state, rendering): timed all the same.
    mutating func step<T>(_ step: BuildStep, _ body: () -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { timings.append((step, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)) }
        return body()
    }
}
