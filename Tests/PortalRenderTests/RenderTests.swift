// Rendering of each kind through the default theme, with real cmark-gfm and swift-mustache.
import Foundation
import PortalContent
import PortalRender
import XCTest

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

/// A moment in Amsterdam local time.
private func local(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = amsterdam
    return calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: min))!
}

private func item(
    _ kind: ItemKind, _ path: String, audience: Audience = .school, title: String = "Titel", body: String = "Tekst.",
    date: Date? = nil, summary: String? = nil, author: String? = nil, event: EventInfo? = nil, album: AlbumInfo? = nil,
    conference: ConferenceSchedule? = nil
) -> ContentItem {
    let folder = (path as NSString).deletingLastPathComponent
    return ContentItem(
        kind: kind, audience: audience, slug: (path as NSString).lastPathComponent, logicalPath: path,
        sourcePath: path + ".md", sourceFolder: folder, title: title, date: date, summary: summary, author: author,
        body: body, bodyLine: 5, event: event, album: album, conference: conference)
}

/// `item` with its media as loading would resolve them: each `(source, path)` an image of the body
/// at `path` in the item's folder, then every album photo.
private func resolved(_ item: ContentItem, images: [(source: String, path: String)] = []) -> ContentItem {
    var item = item
    let root = URL(fileURLWithPath: "/nonexistent")
    func reference(_ kind: MediaReference.Kind, _ source: String, _ path: String) -> MediaReference {
        let sourcePath = item.sourceFolder + "/" + path
        return MediaReference(kind: kind, source: source, path: path, sourcePath: sourcePath, file: root.appendingPathComponent(sourcePath))
    }
    item.media = images.map { reference(.image, $0.source, $0.path) }
        + (item.album?.photos ?? []).map { reference(.photo, $0.file, $0.file) }
    return item
}

private func renderer(_ items: [ContentItem]) throws -> SiteRenderer {
    let config = SiteConfig(
        name: "OBS Test", url: "https://ouders.test.example", timezone: amsterdam, languages: ["nl", "en"],
        receiverURL: "https://ouders.test.example/api", contact: Contact(name: "ICT", email: "ict@test.example"),
        groups: [Group(id: "groep-5", title: "Groep 5", teacher: "Juf Sanne")])
    let site = Site(config: config, contentRoot: URL(fileURLWithPath: "/nonexistent"), items: items)
    return SiteRenderer(site: site, theme: try Theme.load(from: repositoryRoot.appendingPathComponent("themes/default")))
}

private func render(_ item: ContentItem) throws -> RenderedItem {
    try renderer([item]).renderItem(item, dates: DateText(language: "nl", timeZone: amsterdam))
}

final class RenderTests: XCTestCase {
    func testNewsFragmentHasTitleDutchDateAuthorAndBody() throws {
        let rendered = try render(item(
            .news, "news/sint", title: "Sinterklaas <komt> & gaat", body: "De Sint komt om **8.30 uur**.",
            date: local(2026, 11, 20, 8, 0), author: "Juf Marieke"))
        XCTAssertTrue(rendered.html.contains("<h1 class=\"item__title\">Sinterklaas &lt;komt&gt; &amp; gaat</h1>"), rendered.html)
        XCTAssertTrue(rendered.html.contains(">vrijdag 20 november 2026</time> · Juf Marieke"), rendered.html)
        XCTAssertTrue(rendered.html.contains("datetime=\"2026-11-20T07:00:00Z\""), rendered.html)
        XCTAssertTrue(rendered.html.contains("<p>De Sint komt om <strong>8.30 uur</strong>.</p>"), rendered.html)
        XCTAssertTrue(rendered.html.contains("<p class=\"item__audience\">Hele school</p>"))
        XCTAssertEqual(rendered.summary, "De Sint komt om 8.30 uur.")
        XCTAssertEqual(rendered.media, [])
    }

    func testSummaryFromFrontMatterWinsAndLongBodiesAreCut() throws {
        XCTAssertEqual(try render(item(.news, "news/a", summary: "Kort.")).summary, "Kort.")
        let long = String(repeating: "woord ", count: 100)
        let summary = try render(item(.news, "news/b", body: long)).summary
        XCTAssertTrue(summary.hasSuffix(" …"), summary)
        XCTAssertLessThanOrEqual(summary.count, 182)
    }

    func testTimedEventOnOneDayAndAllDayRange() throws {
        let evening = try render(item(.event, "calendar/ouderavond", event: EventInfo(
            start: EventTime(date: local(2026, 12, 3, 19, 30), allDay: false),
            end: EventTime(date: local(2026, 12, 3, 21, 0), allDay: false), location: "Aula")))
        XCTAssertTrue(evening.html.contains("donderdag 3 december 2026, 19:30 – 21:00"), evening.html)
        XCTAssertTrue(evening.html.contains("<span class=\"item__label\">Waar:</span> Aula"), evening.html)

        let holiday = try render(item(.event, "calendar/kerstvakantie", event: EventInfo(
            start: EventTime(date: local(2026, 12, 19), allDay: true), end: EventTime(date: local(2027, 1, 3), allDay: true))))
        XCTAssertTrue(holiday.html.contains("zaterdag 19 december 2026 t/m zondag 3 januari 2027"), holiday.html)

        let day = try render(item(.event, "calendar/studiedag", event: EventInfo(start: EventTime(date: local(2027, 2, 10), allDay: true))))
        XCTAssertTrue(day.html.contains("woensdag 10 februari 2027</p>"), day.html)
    }

    func testSummerTimeIsApplied() {
        let dates = DateText(language: "nl", timeZone: amsterdam)
        // 12:00 UTC is 14:00 in Amsterdam in summer, 13:00 in winter.
        XCTAssertEqual(dates.moment(Date(timeIntervalSince1970: 1_782_907_200)), "woensdag 1 juli 2026, 14:00")
        XCTAssertEqual(dates.moment(Date(timeIntervalSince1970: 1_796_385_600)), "vrijdag 4 december 2026, 13:00")
        XCTAssertEqual(DateText(language: "en", timeZone: amsterdam).day(local(2026, 12, 4)), "Friday 4 December 2026")
    }

    func testInternalLinksBecomeAppRoutesAndImagesBecomeSealedMedia() throws {
        let rendered = try render(resolved(item(
            .news, "groups/groep-5/news/uitje", audience: .group("groep-5"),
            body: "Zie [de gids](/pages/schoolgids#tijden) en [de gemeente](https://gemeente.example/).\n\n![Het bos](./fotos/bos.jpg)\n\n![Het bos](fotos/bos.jpg)"),
            images: [("./fotos/bos.jpg", "fotos/bos.jpg"), ("fotos/bos.jpg", "fotos/bos.jpg")]))
        XCTAssertTrue(rendered.html.contains("<a href=\"#/item/pages/schoolgids\">de gids</a>"), rendered.html)
        XCTAssertTrue(rendered.html.contains("<a href=\"https://gemeente.example/\">de gemeente</a>"), rendered.html)
        XCTAssertTrue(rendered.html.contains("data-media=\"groups/groep-5/news/uitje/fotos/bos.jpg\""), rendered.html)
        XCTAssertFalse(rendered.html.contains("src="), "no image may load anything unsealed: \(rendered.html)")
        XCTAssertEqual(rendered.media, [MediaFile(
            logicalPath: "groups/groep-5/news/uitje/fotos/bos.jpg", sourcePath: "groups/groep-5/news/fotos/bos.jpg",
            file: URL(fileURLWithPath: "/nonexistent/groups/groep-5/news/fotos/bos.jpg"))])
        XCTAssertTrue(rendered.html.contains("<p class=\"item__audience\">Groep 5</p>"))
    }

    /// The image a site's Markdown names with %-escapes is the file on disk that `check` found:
    /// rendering takes it from the loaded item instead of reading the source again.
    func testPercentEncodedImageNamesTheFileThatLoadingFound() throws {
        let root = repositoryRoot.appendingPathComponent("Tests/Fixtures/sites/media-names")
        let site = try ContentLoader(root: root).load()
        let theme = try Theme.load(from: repositoryRoot.appendingPathComponent("themes/default"))
        let news = try XCTUnwrap(site.items.first { $0.logicalPath == "news/klassenfoto" })
        let rendered = SiteRenderer(site: site, theme: theme).renderItem(news, dates: DateText(language: "nl", timeZone: amsterdam))
        XCTAssertEqual(rendered.media.map(\.logicalPath), ["news/klassenfoto/foto een.jpg"])
        XCTAssertEqual(rendered.media.map(\.sourcePath), ["news/klassenfoto/foto een.jpg"])
        for file in rendered.media {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(file.sourcePath).path), file.sourcePath)
        }
        XCTAssertEqual(rendered.html.components(separatedBy: "<img data-media=\"news/klassenfoto/foto een.jpg\"").count, 3, rendered.html)
    }

    /// Loading resolves every image or fails; an image that was not resolved (an item built by
    /// hand) is not guessed at: it gets no source and no media, so the app shows nothing.
    func testUnresolvedImageLoadsNothing() throws {
        let rendered = try render(item(.news, "news/x", body: "![Bus](bus.png) ![Ver](https://example.org/a.png)"))
        XCTAssertEqual(rendered.media, [])
        XCTAssertFalse(rendered.html.contains("src="), rendered.html)
        XCTAssertTrue(rendered.html.contains("<img data-media=\"\" alt=\"Bus\""), rendered.html)
        let album = try render(item(.album, "albums/x", date: local(2026, 10, 14), album: AlbumInfo(photos: [Photo(file: "pad.jpg")], cover: "pad.jpg")))
        XCTAssertEqual(album.media, [])
    }

    func testRawHTMLNeverReachesTheFragment() throws {
        let rendered = try render(item(.news, "news/x", body: "<script>alert(1)</script>\n\n<div onclick=\"x()\">a</div>\n\n[j](javascript:alert(1))"))
        XCTAssertFalse(rendered.html.contains("<script"))
        XCTAssertFalse(rendered.html.contains("onclick"))
        XCTAssertFalse(rendered.html.contains("javascript:"))
    }

    func testGFMTableInAPage() throws {
        let rendered = try render(item(.page, "pages/schooltijden", body: "| Dag | Tijd |\n|---|---|\n| ma | 8.30 |\n\n~~oud~~ - [x] klaar"))
        XCTAssertTrue(rendered.html.contains("<table>"), rendered.html)
        XCTAssertTrue(rendered.html.contains("<del>oud</del>"), rendered.html)
        XCTAssertFalse(rendered.html.contains("<time"), "pages have no date")
    }

    func testAlbumListsPhotosAsThumbnailsWithCaptions() throws {
        let album = AlbumInfo(photos: [Photo(file: "pad.jpg", caption: "Op weg"), Photo(file: "boom.png")], cover: "pad.jpg")
        let rendered = try render(resolved(item(.album, "albums/herfst", title: "Herfst", date: local(2026, 10, 14), album: album)))
        XCTAssertTrue(rendered.html.contains("<img data-media=\"albums/herfst/pad.jpg\" data-variant=\"thumb\" alt=\"Op weg\"><figcaption>Op weg</figcaption>"), rendered.html)
        XCTAssertTrue(rendered.html.contains("<img data-media=\"albums/herfst/boom.png\" data-variant=\"thumb\" alt=\"\">"), rendered.html)
        XCTAssertEqual(rendered.media.map(\.logicalPath), ["albums/herfst/pad.jpg", "albums/herfst/boom.png"])
        XCTAssertEqual(rendered.media.map(\.sourcePath), ["albums/pad.jpg", "albums/boom.png"])
        XCTAssertEqual(rendered.media.first?.caption, "Op weg")
    }

    func testConferenceShowsTeacherEveningsAndWindow() throws {
        let slots = (0..<3).map { i in
            ConferenceSlot(id: "2027-02-09T18:\(30 + i * 10)", start: local(2027, 2, 9, 18, 30 + i * 10), end: local(2027, 2, 9, 18, 40 + i * 10))
        }
        let schedule = ConferenceSchedule(
            teacher: "Juf Sanne", location: "Lokaal 5", slotMinutes: 10,
            evenings: [ConferenceEvening(start: local(2027, 2, 9, 18, 30), end: local(2027, 2, 9, 19, 0))],
            bookingOpens: local(2027, 1, 26, 19, 0), bookingCloses: local(2027, 2, 6, 12, 0), perFamily: 1,
            minNoticeHours: 24, slots: slots)
        let rendered = try render(item(.conference, "groups/groep-5/conferences/feb", audience: .group("groep-5"), conference: schedule))
        XCTAssertTrue(rendered.html.contains("Juf Sanne · Lokaal 5"), rendered.html)
        XCTAssertTrue(rendered.html.contains("dinsdag 9 februari 2027, 18:30 – 19:00"), rendered.html)
        XCTAssertTrue(rendered.html.contains("3 gesprekken van 10 minuten"), rendered.html)
        XCTAssertTrue(rendered.html.contains("van dinsdag 26 januari 2027, 19:00 tot zaterdag 6 februari 2027, 12:00"), rendered.html)
    }

    func testRenderAllGivesEachAudienceItsOwnItems() throws {
        let items = (0..<40).map { i in
            item(.news, i % 2 == 0 ? "news/n\(i)" : "groups/groep-5/news/n\(i)", audience: i % 2 == 0 ? .school : .group("groep-5"),
                 title: "Bericht \(i)", date: local(2026, 10, 1))
        }
        let all = try renderer(items).renderAll()
        XCTAssertEqual(all.map(\.audience), [.school, .group("groep-5")])
        XCTAssertEqual(all.map(\.title), ["Hele school", "Groep 5"])
        XCTAssertEqual(all[0].items.map(\.item.logicalPath), items.filter { $0.audience == .school }.map(\.logicalPath))
        XCTAssertEqual(all[1].items.count, 20)
        XCTAssertTrue(all[1].items.allSatisfy { $0.html.contains("Bericht") })
    }

    func testThemeErrorsNameTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("theme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("templates"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try Theme.load(from: folder)) { error in
            XCTAssertTrue("\(error)".contains("missing template item.mustache"), "\(error)")
        }
        try "{{#open}} never closed".write(to: folder.appendingPathComponent("templates/item.mustache"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Theme.load(from: folder)) { error in
            XCTAssertTrue("\(error)".contains("item.mustache: template does not parse"), "\(error)")
        }
    }
}
