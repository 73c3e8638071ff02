import Foundation
import PortalContent
import XCTest

/// Odd input never crashes loading; many files all load.
final class ContentRobustnessTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try temporarySite("portal-content")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ relative: String, _ data: Data) throws {
        let url = folder.appendingPathComponent(relative)
        let manager = FileManager.default
        let parent = url.deletingLastPathComponent().path
        if !manager.fileExists(atPath: parent) {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        // Through a FileHandle: Data.write syncs each file, which makes thousands slow here.
        guard manager.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path)
        else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
    }

    private func write(_ relative: String, _ text: String) throws { try write(relative, Data(text.utf8)) }

    private func loadProblems() -> [ContentProblem] {
        do {
            _ = try ContentLoader(root: folder).load()
            return []
        } catch {
            return error.problems
        }
    }

    func testOddFilesGiveProblemsNotCrashes() throws {
        let odd: [(String, String)] = [
            ("news/leeg.md", ""),
            ("news/streepjes.md", "---"),
            ("news/alleen-hek.md", "---\n---"),
            ("news/crlf.md", "---\r\ntitle: Windows\r\ndate: 2026-01-05\r\n---\r\nTekst\r\n"),
            ("news/bom.md", "\u{FEFF}---\ntitle: BOM\ndate: 2026-01-05\n---\n"),
            ("news/alias.md", "---\ntitle: &t Titel\nsummary: *t\ndate: 2026-01-05\n---\n"),
            ("news/groot.md", "---\ntitle: x\ndate: 2026-01-05\nslug: 99999999999999999999999\n---\n"),
            ("news/nul.md", "---\ntitle: x\ndate: 0000-00-00\n---\n"),
            ("news/tabs.md", "---\n\ttitle: x\n---\n"),
            ("news/lijstdatum.md", "---\ntitle: x\ndate: [1, 2]\n---\n"),
            ("news/sleutel.md", "---\n[a, b]: x\n? {c: d}\n: e\ntitle: x\ndate: 2026-01-05\n---\n"),
            ("pages/gewicht.md", "---\ntitle: x\nweight: 99999999999999999999999\n---\n"),
            ("calendar/tijd.md", "---\ntitle: x\nstart: 2026-01-05 24:00\nend: 2026-01-05T\n---\n"),
            ("calendar/seconden.md", "---\ntitle: x\nstart: 2026-01-05 10:00:30\nall_day: 3\n---\n"),
            ("albums/raar/index.md", "---\ntitle: x\ndate: 2026-01-05\nphotos: {file: a.jpg}\ncover: [a]\n---\n"),
            ("groups/groep-5/conferences/raar.md",
             "---\ntitle: x\nslot_minutes: -5\nevenings: vandaag\nbooking: [1, 2]\nper_family: x\n---\n"),
            ("groups/groep-5/conferences/groot.md",
             "---\ntitle: x\nslot_minutes: 9223372036854775807\nmin_notice_hours: 9223372036854775807\nper_family: 9223372036854775807\nevenings:\n  - date: 2027-02-09\n    start: '18:00'\n    end: '19:00'\nbooking:\n  opens: 2027-01-01\n  closes: 2027-01-02\n---\n"),
            ("groups/groep-5/conferences/raar2.md",
             "---\ntitle: x\nslot_minutes: 10\nevenings:\n  - 2027-01-01\n  - date: 2027-13-01\n    start: 25:00\n    end: '7'\n    breaks: x\nbooking:\n  opens: x\n  closes:\n---\n"),
            ("news/links.md", "---\ntitle: x\ndate: 2026-01-05\n---\n[a](/) [b](/#x) [c](//evil.example) ![d]() ![e](./) ![f](%zz.png) [g](/news/%ZZ)\n"),
        ]
        for (path, text) in odd { try write(path, text) }
        try write("news/binair.md", Data([0xFF, 0xFE, 0x00, 0x2D, 0x2D, 0x2D, 0x0A, 0xC3, 0x28]))
        let problems = loadProblems()
        XCTAssertFalse(problems.isEmpty)
        for problem in problems {
            XCTAssertFalse(problem.file.hasPrefix("/"), "\(problem)")
            XCTAssertFalse(problem.message.isEmpty, "\(problem)")
        }
        let files = Set(problems.map(\.file))
        // Aliases are resolved by YAML and a slug of digits is fine: those two load.
        let fine = ["news/crlf.md", "news/bom.md", "news/alias.md", "news/groot.md"]
        for (path, _) in odd where !fine.contains(path) {
            XCTAssertTrue(files.contains(path), "no problem reported for \(path): \(problems)")
        }
        for path in fine { XCTAssertFalse(files.contains(path), "\(problems)") }
        XCTAssertTrue(files.contains("news/binair.md"))
    }

    func testLinkedFoldersAreNotFollowed() throws {
        try write("news/lus/index.md", "---\ntitle: Lus\ndate: 2026-01-05\n---\n")
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("news/lus/terug").path, withDestinationPath: "..")
        XCTAssertEqual(loadProblems().map(\.description), [
            "news/lus/terug: is a link to a folder, which is not followed; copy the folder here instead",
        ])
    }

    /// Random single-byte edits of valid files, each loaded in a site of its own: it loads (and
    /// then is the item it was), or every problem names that file, with a line inside it and a
    /// message. `load()` throws only `ContentErrors` (a typed throw), so nothing else can escape.
    func testMutatedFilesNeverCrash() throws {
        let valid = fixtureSite("valid")
        // Each file with what it needs to load: the page it links to, the photos it lists.
        let sources: [(file: String, companions: [String])] = [
            ("news/sinterklaas.md", ["pages/schoolgids.md"]), ("calendar/studiedag.md", []),
            ("calendar/ouderavond.md", []), ("groups/groep-5/conferences/februari.md", []),
            ("albums/herfst/index.md", ["albums/herfst/pad.jpg", "albums/herfst/boom.png"]),
        ]
        var generator = SplitMix64(seed: 2026)
        var loadedCount = 0
        var reportedCount = 0
        for (source, companions) in sources {
            let original = try Array(Data(contentsOf: valid.appendingPathComponent(source)))
            for round in 0..<40 {
                var bytes = original
                for _ in 0..<3 {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 3 {
                    case 0: bytes.remove(at: position)
                    case 1: bytes.insert(Array(":-\n #[]{}\"'|>*&!0129T").randomElement(using: &generator)?.asciiValue ?? 0, at: position)
                    default: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    }
                }
                // A fresh site per variant, so each one's outcome is its own (one bad file fails
                // the whole load).
                try FileManager.default.removeItem(at: folder)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for file in ["site.yaml"] + companions {
                    try write(file, Data(contentsOf: valid.appendingPathComponent(file)))
                }
                try write(source, Data(bytes))
                let variant = "\(source) #\(round)"
                let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
                do {
                    let site = try ContentLoader(root: folder).load()
                    loadedCount += 1
                    // The edited file is an item, unless the edit made it a draft.
                    let items = site.items.map(\.sourcePath).filter { !companions.contains($0) }
                    XCTAssertTrue(items == [source] || (items.isEmpty && String(decoding: bytes, as: UTF8.self).contains("draft")),
                                  "\(variant): \(items)")
                } catch {
                    reportedCount += 1
                    XCTAssertFalse(error.problems.isEmpty, "\(variant): thrown without a problem")
                    for problem in error.problems {
                        // A photo the edited album no longer lists is reported on the photo itself.
                        if companions.contains(problem.file) && isImage(problem.file) {
                            XCTAssertNil(problem.line, "\(variant): \(problem)")
                            XCTAssertTrue(problem.message.hasPrefix("image is not used by any item"), "\(variant): \(problem)")
                            continue
                        }
                        XCTAssertEqual(problem.file, source, "\(variant): \(problem)")
                        if let line = problem.line {
                            XCTAssertTrue((1...lines).contains(line), "\(variant): line \(line) of \(lines): \(problem)")
                        }
                        XCTAssertFalse(problem.message.trimmingCharacters(in: .whitespaces).isEmpty, "\(variant): \(problem)")
                    }
                }
            }
        }
        // The edits must exercise both outcomes, or this test would prove nothing.
        XCTAssertGreaterThan(loadedCount, 0)
        XCTAssertGreaterThan(reportedCount, 0)
    }

    /// Enough files that loading reads them on several workers (64 or more per worker) and merges
    /// the results: every one loads, once, in order. bench/content times the same load.
    func testManyNewsFilesAllLoad() throws {
        let count = 1_000
        for index in 0..<count {
            try write("news/bericht-\(index).md", """
                ---
                title: Bericht \(index)
                date: 2026-\(String(format: "%02d", index % 12 + 1))-\(String(format: "%02d", index % 28 + 1))
                summary: Een kort bericht.
                ---
                Dit is bericht **\(index)**. Zie [de vorige](/news/bericht-\(max(0, index - 1))).

                """)
        }
        let site = try ContentLoader(root: folder).load()
        XCTAssertEqual(site.items.count, count)
        XCTAssertEqual(site.items.map(\.logicalPath), (0..<count).map { "news/bericht-\($0)" }.sorted())
        XCTAssertEqual(Set(site.items.map(\.title)).count, count)
        XCTAssertTrue(site.items.allSatisfy { $0.markdown?.references.count == 1 })
    }
}

private func isImage(_ path: String) -> Bool { path.hasSuffix(".jpg") || path.hasSuffix(".png") }

/// A small seeded generator, so mutations are the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
