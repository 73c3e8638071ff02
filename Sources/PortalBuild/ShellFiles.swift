// The app shell as `portal generate` serves it: the theme's files, with the JavaScript modules'
// comment-only lines left out. The comments explain the source to its readers (themes/default/app/);
// parents' phones need only the code, and the comments are a fifth of the gzipped shell. The
// transform is line-based and keeps every code line as it is (same text, same order), so a
// served module still reads like its source: anyone can compare the two.
import Foundation

enum ShellFiles {
    /// The bytes to serve for the theme file at `relative`: `.js` without comment-only lines,
    /// everything else unchanged.
    static func served(_ relative: String, _ bytes: [UInt8]) -> [UInt8] {
        guard relative.hasSuffix(".js"), let text = String(bytes: bytes, encoding: .utf8) else { return bytes }
        return Array(withoutCommentLines(text).utf8)
    }

    /// Drops lines that hold only a `//` comment or only (part of) a `/* ... */` block that ends
    /// on its line or a later one. A line with code beside a comment stays whole, and nothing is
    /// dropped inside a template literal that spans lines (backticks counted on code lines).
    static func withoutCommentLines(_ source: String) -> String {
        var kept: [Substring] = []
        var inBlock = false
        var inTemplate = false
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if inBlock {
                if let end = trimmed.range(of: "*/") {
                    inBlock = false
                    // Code after the block's end on the same line: keep the line.
                    if !trimmed[end.upperBound...].allSatisfy(\.isWhitespace) { kept.append(line) }
                }
                continue
            }
            if !inTemplate {
                if trimmed.hasPrefix("//") { continue }
                if trimmed.hasPrefix("/*") {
                    if let end = trimmed.range(of: "*/") {
                        if trimmed[end.upperBound...].allSatisfy(\.isWhitespace) { continue }
                    } else {
                        inBlock = true
                        continue
                    }
                }
            }
            kept.append(line)
            let ticks = line.filter { $0 == "`" }.count - line.components(separatedBy: "\\`").count + 1
            if ticks % 2 == 1 { inTemplate.toggle() }
        }
        return kept.joined(separator: "\n")
    }
}
