import Foundation
import PortalMarkdown
import XCTest

/// PortalMarkdown against the real cmark-gfm.
final class MarkdownDocumentTests: XCTestCase {
    func testTableRenders() {
        let html = MarkdownDocument("| Dag | Tijd |\n|-----|-----:|\n| ma | 8.30 |\n").html()
        XCTAssertTrue(html.contains("<table>"), html)
        XCTAssertTrue(html.contains("<th>Dag</th>"), html)
        XCTAssertTrue(html.contains("<td>ma</td>"), html)
        XCTAssertTrue(html.contains("<td align=\"right\">8.30</td>"), html)
    }

    func testStrikethroughAutolinkAndTaskList() {
        let html = MarkdownDocument("~~niet~~ wel\n\nZie www.example.org\n\n- [ ] taak\n- [x] klaar\n").html()
        XCTAssertTrue(html.contains("<del>niet</del> wel"), html)
        XCTAssertTrue(html.contains("<a href=\"http://www.example.org\">www.example.org</a>"), html)
        XCTAssertTrue(html.contains("<li><input type=\"checkbox\" disabled=\"\" /> taak</li>"), html)
        XCTAssertTrue(html.contains("<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> klaar</li>"), html)
    }

    func testFootnotesAndNoSmartPunctuation() {
        let html = MarkdownDocument("Tekst[^1] met \"quotes\" -- en...\n\n[^1]: De noot.\n").html()
        XCTAssertTrue(html.contains("class=\"footnotes\""), html)
        XCTAssertTrue(html.contains("De noot."), html)
        XCTAssertTrue(html.contains("&quot;quotes&quot; -- en..."), html)
    }

    func testRawHTMLNeverPassesThrough() {
        let source = """
            <script>alert(1)</script>

            <div onclick="steal()">klik</div>

            Inline <img src=x onerror="alert(2)"> en <a href="javascript:x()">a</a> <iframe src="//x"></iframe>

            ```
            <script>in code</script>
            ```
            """
        let html = MarkdownDocument(source).html()
        for forbidden in ["<script", "<div", "onclick", "<img", "onerror", "<iframe", "<a href=\"javascript"] {
            XCTAssertFalse(html.contains(forbidden), "\(forbidden) in \(html)")
        }
        XCTAssertTrue(html.contains("<!-- raw HTML omitted -->"), html)
        // Code shows the text, escaped.
        XCTAssertTrue(html.contains("&lt;script&gt;in code&lt;/script&gt;"), html)
    }

    func testDangerousURLsAreDropped() {
        let html = MarkdownDocument(
            "[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:x) ![d](javascript:alert(2)) [ok](https://example.org)"
        ).html()
        XCTAssertFalse(html.lowercased().contains("javascript:"), html)
        XCTAssertFalse(html.contains("vbscript:"), html)
        XCTAssertTrue(html.contains("<a href=\"\">a</a>"), html)
        XCTAssertTrue(html.contains("<a href=\"https://example.org\">ok</a>"), html)
    }

    func testReferencesWithLinesAndText() {
        let source = """
            # Kop

            Zie [de *gids*](/pages/schoolgids) en
            dan ![De bus op het plein](bus.png) hier.

            | a | b |
            |---|---|
            | [tabel](/news/x) | c |

            Een www.example.org autolink.

            [ref]: /news/sint
            Ook [via ref][ref].
            """
        let doc = MarkdownDocument(source)
        XCTAssertEqual(doc.references, [
            MarkdownReference(kind: .link, destination: "/pages/schoolgids", line: 3, text: "de gids"),
            MarkdownReference(kind: .image, destination: "bus.png", line: 4, text: "De bus op het plein"),
            MarkdownReference(kind: .link, destination: "/news/x", line: 8, text: "tabel"),
            MarkdownReference(kind: .link, destination: "http://www.example.org", line: 10, text: "www.example.org"),
            MarkdownReference(kind: .link, destination: "/news/sint", line: 13, text: "via ref"),
        ])
    }

    func testReferenceLinesAfterLinkDefinitions() {
        // cmark-gfm counts these from the paragraph start, which the definitions no longer belong to.
        let source = "> [a]: /news/a\n> [b]: /news/b\n> Zie [a] en\n> [b].\n\n[c](/news/c) op\ntwee regels [d](/news/d)\n"
        XCTAssertEqual(MarkdownDocument(source).references.map(\.line), [3, 4, 6, 7])
    }

    func testImageRewriteToDataMedia() {
        let doc = MarkdownDocument("Kijk: ![De \"bus\" <groot>](bus.png \"titel\") en ![ander](x.jpg)\n\n[link](/news/a)")
        let html = doc.html(
            rewriteLink: { $0.hasPrefix("/") ? "#" + $0 : nil },
            rewriteImage: { $0 == "bus.png" ? .media("news/reis/bus.png?a=1&b=\"2\"") : .url("https://cdn.example/" + $0) })
        XCTAssertTrue(
            html.contains("<img data-media=\"news/reis/bus.png?a=1&amp;b=&quot;2&quot;\" alt=\"De &quot;bus&quot; &lt;groot&gt;\" title=\"titel\" />"),
            html)
        XCTAssertTrue(html.contains("<img src=\"https://cdn.example/x.jpg\" alt=\"ander\" />"), html)
        XCTAssertTrue(html.contains("<a href=\"#/news/a\">link</a>"), html)
        XCTAssertFalse(html.contains("ouderportaal-media"), html)
        // Each call starts from the destinations as written.
        XCTAssertEqual(doc.html(), doc.html(rewriteLink: { _ in nil }, rewriteImage: { _ in nil }))
        XCTAssertTrue(doc.html().contains("<img src=\"bus.png\""), doc.html())
    }

    func testMediaMarkerInTextIsNotReplaced() {
        // Text that looks like an image tag is escaped, so only real images become data-media.
        let doc = MarkdownDocument("`<img src=\"ouderportaal-media-0\">` ![a](a.png)")
        let html = doc.html(rewriteLink: { _ in nil }, rewriteImage: { _ in .media("x/a.png") })
        XCTAssertTrue(html.contains("<code>&lt;img src=&quot;ouderportaal-media-0&quot;&gt;</code>"), html)
        XCTAssertTrue(html.contains("<img data-media=\"x/a.png\" alt=\"a\" />"), html)
    }

    func testEmptyAndOddInput() {
        XCTAssertEqual(MarkdownDocument("").html(), "")
        XCTAssertEqual(MarkdownDocument("").references, [])
        let odd = MarkdownDocument("\u{0}\u{FEFF}[x](<> \"t\") ![](<>)")
        _ = odd.html(rewriteLink: { _ in "" }, rewriteImage: { _ in .media("") })
    }

    func testDocumentsOnManyThreads() {
        let sources = (0..<200).map { "Item \($0): ~~oud~~ [link](/news/\($0)) ![foto](f\($0).png)\n\n| a |\n|---|\n| \($0) |\n" }
        let results = Results(count: sources.count)
        DispatchQueue.concurrentPerform(iterations: sources.count) { index in
            let doc = MarkdownDocument(sources[index])
            results.set(index, doc.html(rewriteLink: { _ in nil }, rewriteImage: { .media("m/" + $0) }))
        }
        for (index, html) in results.values.enumerated() {
            XCTAssertTrue(html.contains("<del>oud</del>"), html)
            XCTAssertTrue(html.contains("<a href=\"/news/\(index)\">link</a>"), html)
            XCTAssertTrue(html.contains("<img data-media=\"m/f\(index).png\" alt=\"foto\" />"), html)
            XCTAssertTrue(html.contains("<td>\(index)</td>"), html)
        }
    }

    func testOneDocumentSharedByThreads() {
        let doc = MarkdownDocument("[a](/x) ![b](b.png)")
        let results = Results(count: 100)
        DispatchQueue.concurrentPerform(iterations: 100) { index in
            results.set(index, doc.html(rewriteLink: { "\($0)?\(index)" }, rewriteImage: { .media("\(index)/" + $0) }))
        }
        for (index, html) in results.values.enumerated() {
            XCTAssertEqual(html, "<p><a href=\"/x?\(index)\">a</a> <img data-media=\"\(index)/b.png\" alt=\"b\" /></p>\n")
        }
    }
}

/// Results written from several threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String]

    init(count: Int) { storage = Array(repeating: "", count: count) }

    func set(_ index: Int, _ value: String) { lock.withLock { storage[index] = value } }

    var values: [String] { lock.withLock { storage } }
}
