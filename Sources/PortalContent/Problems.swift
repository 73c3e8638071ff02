// Collects content problems during one load, and the small text helpers their messages use.

/// All problems found so far; loading reports them all at once.
final class ProblemReport {
    private(set) var problems: [ContentProblem] = []

    func add(_ file: String, _ line: Int?, _ message: String) {
        problems.append(ContentProblem(file: file, line: line, message: message))
    }

    /// Appends another report's problems (from a parallel reader).
    func merge(_ other: ProblemReport) { problems.append(contentsOf: other.problems) }

    /// Sorted by file, then line (file-level problems first); equal places keep their order.
    var sorted: [ContentProblem] {
        problems.enumerated().sorted { a, b in
            if a.element.file != b.element.file { return a.element.file < b.element.file }
            let la = a.element.line ?? 0, lb = b.element.line ?? 0
            if la != lb { return la < lb }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// The closest candidate to a misspelled word, if it is close enough to be a likely typo.
func closestMatch(to word: String, among candidates: [String]) -> String? {
    let lower = word.lowercased()
    let length = lower.unicodeScalars.count
    let limit = max(1, min(3, length / 3))
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        // Lengths further apart than the limit cannot be close enough; skip the full comparison.
        guard abs(candidate.unicodeScalars.count - length) <= limit else { continue }
        let distance = editDistance(lower, candidate.lowercased())
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best, best.distance <= limit else { return nil }
    return best.candidate
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters (the usual typos) each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previous2[j - 2] + 1)
            }
            current[j] = value
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}

/// `'a', 'b' or 'c'` for messages.
func listing(_ words: [String], last: String = "or") -> String {
    let quoted = words.map { "'\($0)'" }
    guard quoted.count > 1 else { return quoted.first ?? "" }
    return quoted.dropLast().joined(separator: ", ") + " \(last) " + quoted[quoted.count - 1]
}

/// Lowercase letters, digits and '-' (slugs and group ids).
func isSlug(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
}

/// `^[a-z0-9][a-z0-9-]*$`, the form of a group id.
func isGroupID(_ text: String) -> Bool {
    isSlug(text) && text.utf8.first != 0x2D
}

let imageExtensions = ["jpg", "jpeg", "png", "webp", "heic"]
let imageExtensionList = ".jpg, .jpeg, .png, .webp or .heic"

/// The lowercased extension of a file name, without the dot ("" when there is none).
func fileExtension(_ name: String) -> String {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
    return name[name.index(after: dot)...].lowercased()
}

func isImageName(_ name: String) -> Bool { imageExtensions.contains(fileExtension(name)) }

/// "23.4 MB" (of 1,048,576 bytes, as file managers on phones count) for messages.
func megabytes(_ bytes: Int) -> String {
    let value = Double(bytes) / 1_048_576
    return value == value.rounded() ? "\(Int(value)) MB" : String(format: "%.1f MB", value)
}
