import Foundation
import PortalContent
import PortalMarkdown
import XCTest

/// Loading the valid fixture site, with real Yams and cmark-gfm.
final class ContentLoaderTests: XCTestCase {
    private func loadValid() throws -> Site {
        do {
            return try ContentLoader(root: fixtureSite("valid")).load()
        } catch {
            XCTFail("valid fixture has problems:\n\(error)")
            throw error
        }
    }

    private func item(_ site: Site, _ path: String) throws -> ContentItem {
        try XCTUnwrap(site.items.first { $0.logicalPath == path }, "no item \(path)")
    }

    private func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) ?? Date.distantPast
    }

    func testItemsAudiencesAndOrder() throws {
        let site = try loadValid()
        XCTAssertEqual(site.items.map { "\($0.audience) \($0.kind.rawValue) \($0.logicalPath)" }, [
            "school album albums/herfst",
            "school event calendar/ouderavond",
            "school event calendar/studiedag",
            "school news news/schoolreis-2026",
            "school news news/sinterklaas",
            "school page pages/schoolgids",
            "groep-3 event groups/groep-3/calendar/excursie",
            "groep-5 album groups/groep-5/albums/gym",
            "groep-5 conference groups/groep-5/conferences/februari",
            "groep-5 news groups/groep-5/news/uitje",
            "groep-5 page groups/groep-5/pages/rooster",
        ])
        XCTAssertEqual(site.audiences, [.school, .group("groep-3"), .group("groep-5")])
        XCTAssertEqual(site.items(for: .group("groep-3")).map(\.slug), ["excursie"])
        XCTAssertFalse(site.items.contains { $0.title == "Nog niet klaar" }, "drafts are left out")
        XCTAssertEqual(site.contentRoot, fixtureSite("valid"))
    }

    func testSiteConfig() throws {
        let config = try loadValid().config
        XCTAssertEqual(config.name, "OBS De Regenboog")
        XCTAssertEqual(config.url, "https://ouders.obs-deregenboog.example")
        XCTAssertEqual(config.receiverURL, "https://ouders.obs-deregenboog.example/api")
        XCTAssertEqual(config.timezone.identifier, "Europe/Amsterdam")
        XCTAssertEqual(config.languages, ["nl", "en"])
        XCTAssertEqual(config.contact, Contact(
            name: "Meester Jeroen Bakker (ICT-coördinator)", email: "ict@obs-deregenboog.example",
            phone: "010-123 45 67", hours: "ma, di en do 8.00-16.00 uur"))
        XCTAssertEqual(config.welcome, "Welkom op het ouderportaal van De Regenboog.")
        XCTAssertEqual(config.groups, [
            Group(id: "groep-3", title: "Groep 3", teacher: "Meester Ahmed"),
            Group(id: "groep-5", title: "Groep 5", teacher: "Juf Sanne"),
        ])
    }

    func testNewsFieldsBodyAndDates() throws {
        let site = try loadValid()
        let sint = try item(site, "news/sinterklaas")
        XCTAssertEqual(sint.title, "Sinterklaas komt naar school")
        XCTAssertEqual(sint.date, utc("2026-11-19T23:00:00Z"), "a date is local midnight in Amsterdam")
        XCTAssertEqual(sint.summary, "Op vrijdag 4 december komt de Sint.")
        XCTAssertEqual(sint.author, "Juf Marieke")
        XCTAssertEqual(sint.sourcePath, "news/sinterklaas.md")
        XCTAssertEqual(sint.sourceFolder, "news")
        XCTAssertEqual(sint.bodyLine, 7)
        XCTAssertEqual(sint.body, "De Sint komt! Lees ook [de schoolgids](/pages/schoolgids).\n")
        XCTAssertEqual(sint.markdown?.references.map(\.destination), ["/pages/schoolgids"])
        XCTAssertEqual(sint.parsedBody.html(), "<p>De Sint komt! Lees ook <a href=\"/pages/schoolgids\">de schoolgids</a>.</p>\n")

        let trip = try item(site, "news/schoolreis-2026")
        XCTAssertEqual(trip.slug, "schoolreis-2026", "slug: overrides the folder name")
        XCTAssertEqual(trip.sourcePath, "news/schoolreis/index.md")
        XCTAssertEqual(trip.sourceFolder, "news/schoolreis")
        XCTAssertEqual(trip.date, utc("2026-06-12T06:15:00Z"), "a moment in summer time")

        let page = try item(site, "pages/schoolgids")
        XCTAssertEqual(page.weight, 10)
        XCTAssertNil(page.date)
        XCTAssertEqual(try item(site, "groups/groep-5/pages/rooster").weight, 0)
    }

    func testCalendarItems() throws {
        let site = try loadValid()
        let studyDay = try item(site, "calendar/studiedag")
        XCTAssertEqual(studyDay.event, EventInfo(
            start: EventTime(date: utc("2027-02-09T23:00:00Z"), allDay: true),
            end: EventTime(date: utc("2027-02-10T23:00:00Z"), allDay: true),
            location: "Aula"))
        XCTAssertEqual(studyDay.date, studyDay.event?.start.date)

        let evening = try item(site, "calendar/ouderavond")
        XCTAssertEqual(evening.event, EventInfo(
            start: EventTime(date: utc("2026-09-15T17:30:00Z"), allDay: false),
            end: EventTime(date: utc("2026-09-15T19:00:00Z"), allDay: false)))

        let trip = try item(site, "groups/groep-3/calendar/excursie")
        XCTAssertEqual(trip.event, EventInfo(start: EventTime(date: utc("2026-10-07T08:00:00Z"), allDay: false)))
    }

    func testAlbums() throws {
        let site = try loadValid()
        let autumn = try item(site, "albums/herfst")
        XCTAssertEqual(autumn.album, AlbumInfo(
            photos: [Photo(file: "pad.jpg", caption: "Op weg naar het bos"), Photo(file: "boom.png")],
            cover: "boom.png"))
        XCTAssertEqual(autumn.date, utc("2026-10-13T22:00:00Z"))
        let gym = try item(site, "groups/groep-5/albums/gym")
        XCTAssertEqual(gym.album, AlbumInfo(
            photos: [Photo(file: "a-springen.png"), Photo(file: "b-touwtje.png")], cover: "a-springen.png"),
            "without photos: every image in the folder by name, the first is the cover")
    }

    /// Loading resolves every file an item shows once and keeps it on the item; rendering and the
    /// photo stage read `media` and never resolve a source again.
    func testMediaIsResolvedOnceAndKeptOnTheItem() throws {
        let site = try loadValid()
        let root = fixtureSite("valid")
        XCTAssertEqual(try item(site, "news/schoolreis-2026").media, [
            MediaReference(kind: .image, source: "bus.png", path: "bus.png", sourcePath: "news/schoolreis/bus.png",
                           file: root.appendingPathComponent("news/schoolreis/bus.png"), line: 8),
        ])
        XCTAssertEqual(try item(site, "albums/herfst").media.map { "\($0.kind) \($0.sourcePath) \($0.line ?? 0)" }, [
            "photo albums/herfst/pad.jpg 6", "photo albums/herfst/boom.png 8",
        ])
        XCTAssertEqual(try item(site, "groups/groep-5/albums/gym").media.map { "\($0.sourcePath) \($0.line ?? 0)" }, [
            "groups/groep-5/albums/gym/a-springen.png 0", "groups/groep-5/albums/gym/b-touwtje.png 0",
        ], "photos found in the folder have no line")
        XCTAssertEqual(try item(site, "news/sinterklaas").media, [])
    }

    /// `![](foto%20een.jpg)` is the file `foto een.jpg`, as a browser reads the URL; `<foto een.jpg>`
    /// names the same file and is kept as a second source.
    func testPercentEncodedImageSourceIsDecodedOnce() throws {
        let root = fixtureSite("media-names")
        let site = try ContentLoader(root: root).load()
        let news = try item(site, "news/klassenfoto")
        let file = root.appendingPathComponent("news/klassenfoto/foto een.jpg")
        XCTAssertEqual(news.media, [
            MediaReference(kind: .image, source: "foto%20een.jpg", path: "foto een.jpg",
                           sourcePath: "news/klassenfoto/foto een.jpg", file: file, line: 7),
            MediaReference(kind: .image, source: "foto een.jpg", path: "foto een.jpg",
                           sourcePath: "news/klassenfoto/foto een.jpg", file: file, line: 9),
        ])
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        XCTAssertEqual(news.image(source: "foto%20een.jpg")?.file, file)
        XCTAssertNil(news.image(source: "foto een.png"))
    }

    func testConferenceScheduleAndSlots() throws {
        let site = try loadValid()
        let item = try item(site, "groups/groep-5/conferences/februari")
        let schedule = try XCTUnwrap(item.conference)
        XCTAssertNil(item.date)
        XCTAssertEqual(schedule.teacher, "Juf Sanne", "default: the group's teacher")
        XCTAssertEqual(schedule.location, "Lokaal 5")
        XCTAssertEqual(schedule.slotMinutes, 15)
        XCTAssertEqual(schedule.perFamily, 2)
        XCTAssertEqual(schedule.minNoticeHours, 24)
        XCTAssertEqual(schedule.bookingOpens, utc("2027-01-26T18:00:00Z"))
        XCTAssertEqual(schedule.bookingCloses, utc("2027-02-06T11:00:00Z"))
        XCTAssertEqual(schedule.evenings, [
            ConferenceEvening(
                start: utc("2027-02-09T17:30:00Z"), end: utc("2027-02-09T19:00:00Z"),
                breaks: [DateInterval(start: utc("2027-02-09T18:15:00Z"), end: utc("2027-02-09T18:25:00Z"))]),
            ConferenceEvening(start: utc("2027-02-11T14:00:00Z"), end: utc("2027-02-11T14:40:00Z")),
        ])
        // 18:30-19:15 gives 3 slots, 19:25-20:00 gives 2 (19:55 would run past the end),
        // 15:00-15:40 gives 2 (15:30 would run past the end).
        XCTAssertEqual(schedule.slots.map(\.id), [
            "2027-02-09T18:30", "2027-02-09T18:45", "2027-02-09T19:00", "2027-02-09T19:25", "2027-02-09T19:40",
            "2027-02-11T15:00", "2027-02-11T15:15",
        ])
        XCTAssertEqual(schedule.slots.first, ConferenceSlot(
            id: "2027-02-09T18:30", start: utc("2027-02-09T17:30:00Z"), end: utc("2027-02-09T17:45:00Z")))
        XCTAssertEqual(item.body, "Ik zie u graag.\n")
    }

    func testGroupItemMayLinkToSchoolAndOwnGroup() throws {
        let site = try loadValid()
        let trip = try item(site, "groups/groep-5/news/uitje")
        XCTAssertEqual(trip.markdown?.references.map(\.destination),
                       ["/groups/groep-5/pages/rooster", "/news/sinterklaas#programma"])
    }

    func testMissingContentFolder() {
        let missing = fixtureSite("does-not-exist")
        XCTAssertThrowsError(try ContentLoader(root: missing).load()) { error in
            XCTAssertEqual((error as? ContentErrors)?.problems.map(\.message), ["content folder not found"])
        }
    }
}
