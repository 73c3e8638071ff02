import PortalMarkdown
import XCTest

final class MarkdownDocumentTests: XCTestCase {
    func testProbe() {
        let text = "# Kop\n\nEen [link](/news/a) en\nnog ![foto](a.jpg) hier\n\n- [ ] taak\n- [x] klaar\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\nwww.example.com en https://x.nl\n\n[ref]: /pages/gids\n\nZie [gids][ref] en<script>alert(1)</script>\n\n<div onclick=\"x\">hoi</div>\n\n[kwaad](javascript:alert(1)) voet[^1]\n\n[^1]: noot\n"
        let doc = MarkdownDocument(text)
        print(doc.references)
        print(doc.html())
        print(doc.html(rewriteLink: { "#" + $0 }, rewriteImage: { .media("news/x/" + $0 + "\"<") }))
    }
}
