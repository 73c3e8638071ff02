import Foundation
import PortalContent
import XCTest

/// Each broken fixture pins the exact list of problems, in the order staff see them.
final class ContentProblemTests: XCTestCase {
    /// Missing, unclosed and broken front matter; unknown keys; empty and missing values; bad dates, times, numbers and booleans; calendar end/all_day rules; bad slugs; duplicate logical paths.
    func testBrokenFrontMatter() {
        XCTAssertEqual(problems("broken-front-matter"), [
            "calendar/einde.md:4: 'end' (2027-02-09) is before 'start' (2027-02-10)",
            "calendar/hele-dag.md:4: 'end' is a date but 'start' has a time; write end as a moment (YYYY-MM-DD HH:MM)",
            "calendar/hele-dag.md:5: 'all_day' is true but 'start' has a time; remove the time or set all_day: false",
            "calendar/tijd.md:3: 'start' 2027-02-10 25:00 is not a real time",
            "news/Hoofd_Letters.md: the file name gives slug 'Hoofd_Letters', but slugs may only contain lowercase letters, digits and '-'; rename it or set 'slug:'",
            "news/datum.md:3: 'date' 2026-02-30 is not a real date",
            "news/datum.md:4: 'draft' must be true or false, not 'misschien'",
            "news/dubbel-sleutel.md:2: 'title' appears more than once in front matter; keep one",
            "news/dubbele-punt.md:2: the value of 'title' holds ': ', which YAML reads as the start of another key; put the value in quotes: title: \"Opnieuw: luizencontrole na de vakantie\"",
            "news/eigen-slug.md:4: slug 'Mijn Slug' may only contain lowercase letters, digits and '-'",
            "news/formaat.md:3: 'date' must be a date (YYYY-MM-DD) or a moment (YYYY-MM-DD HH:MM), not '20-11-2026'",
            "news/formaat.md:4: 'author' must be text, not a list",
            "news/geen-front-matter.md:1: missing front matter; start the file with a '---' line, then 'title: ...' and the other keys, then another '---' line",
            "news/leeg.md:1: missing required key 'date' in news front matter",
            "news/leeg.md:2: 'title' is empty",
            "news/lijst.md:2: news front matter must be 'key: value' lines, not a list",
            "news/niet-gesloten.md:1: front matter is not closed; add a '---' line after the last key",
            "news/sjabloon.md:5: still holds the text `portal new` put there ('Schrijf hier het bericht.'): write the item's own text, or add 'draft: true' to keep it unpublished",
            "news/tweede-sint.md:4: logical path 'news/sinterklaas' is also used by news/sinterklaas.md; give one of them another slug",
            "news/typo.md:1: missing required key 'title' in news front matter",
            "news/typo.md:2: unknown key 'titel' in news front matter (did you mean 'title'?)",
            "news/typo.md:4: unknown key 'grop' in news front matter; there is no group key: a group's items go in groups/<group-id>/",
            "news/yaml-fout.md:5: front matter is not valid YAML: found unexpected end of stream (while scanning a quoted scalar at line 4)",
            "pages/gewicht.md:3: 'weight' must be a whole number, not 'tien'",
        ])
    }

    /// Files in the wrong place, unknown folders and groups, stray and unused files, albums without photos or with wrong photos and cover.
    func testBrokenStructure() {
        XCTAssertEqual(problems("broken-structure"), [
            "LEESMIJ.md: Markdown files go in news/, calendar/, albums/, pages/ or forms/, not in the content folder itself",
            "albums/fotos/bloem.png: image is not used by any item; use it in a Markdown file or album, remove it, or rename it to start with '_'",
            "albums/fotos/index.md:4: cover 'omslag.jpg' is not one of the album's photos",
            "albums/fotos/index.md:8: photo 'boom.png' not found in albums/fotos/ (did you mean 'bloem.png'?)",
            "albums/fotos/index.md:9: photo 'lijst.txt' is not an image (.jpg, .jpeg, .png, .webp or .heic)",
            "albums/fotos/index.md:10: photo 'pad.png' is already listed on line 6",
            "albums/fotos/index.md:11: photo 'map/pad.png' must be a file name in albums/fotos/, not a path",
            "albums/fotos/index.md:12: missing required key 'file' in photo",
            "albums/fotos/lijst.txt: is not a Markdown file, an image (.jpg, .jpeg, .png, .webp or .heic) or an attachment (.pdf, .doc, .docx, .xls, .xlsx, .ppt, .pptx, .odt, .ods, .odp); remove it, or rename it to start with '_' to keep it out of the portal",
            "albums/geen-lijst/index.md:4: 'photos' is an empty list; list the album's photos or leave 'photos' out to use every image in albums/geen-lijst/",
            "albums/kapot/index.md:7: front matter is not valid YAML: found unexpected end of stream (while scanning a quoted scalar at line 6)",
            "albums/leeg/index.md: album has no photos; put images (.jpg, .jpeg, .png, .webp or .heic) in albums/leeg/",
            "albums/los.md: an album is a folder: move this to albums/<slug>/index.md with its photos beside it",
            "conferences: conference schedules belong to a group: put them in groups/<group-id>/conferences/",
            "groups/groep-5/los.md: files directly in a group folder are not read; put them in news/, calendar/, albums/, pages/, conferences/ or forms/",
            "groups/groep-9: no group 'groep-9' in site.yaml (did you mean 'groep-5'?); add the group to site.yaml or rename the folder",
            "groups/los.md: files directly in groups/ are not read; put them in groups/<group-id>/news/ (or calendar, albums, pages, conferences, forms)",
            "news/a/b/c.md: is nested too deep; items are news/<slug>.md or news/<slug>/index.md",
            "news/brief.pdf: attachment is not used by any item; list it under 'attachments:' of the item beside it, remove it, or rename it to start with '_'",
            "news/bundel/extra.md: only index.md is read in an item folder; rename this to index.md or move it to news/",
            "news/oud.png: image is not used by any item; use it in a Markdown file or album, remove it, or rename it to start with '_'",
            "nieuws: unknown folder 'nieuws' (did you mean 'news'?); content goes in 'news', 'calendar', 'albums', 'pages' or 'forms'",
        ])
    }

    /// Internal links (missing, other audience, draft, relative, javascript:) and Markdown images (remote, missing, outside the folder, not an image, hidden).
    func testBrokenLinks() {
        XCTAssertEqual(problems("broken-links"), [
            "geheim.png: stray file in the content folder; remove it, or rename it to start with '_' to keep it out of the portal",
            "groups/groep-5/pages/rooster.md:5: link to '/groups/groep-6/pages/rooster' points to an item of group 'groep-6', which parents of 'groep-5' cannot see",
            "news/links.md:5: link to '/pages/schoolgid' does not match any item (did you mean '/pages/schoolgids'?)",
            "news/links.md:5: link to '/groups/groep-5/pages/rooster' points to an item of group 'groep-5', which other parents cannot see; school items may only link to school items",
            "news/links.md:7: link 'schoolgids' is relative; link to an item with its logical path, e.g. /pages/schoolgids, or to a full https:// address",
            "news/links.md:7: link 'javascript:alert(1)' is not allowed; use https:, mailto: or tel: links",
            "news/links.md:8: link to '/news/concept' points to a draft; publish it (remove draft: true) or remove the link",
            "news/links.md:10: image 'https://example.org/foto.jpg' is on another website; save it next to this file and use its file name (the portal loads no images from elsewhere)",
            "news/links.md:11: image 'weg.png' not found in news/",
            "news/links.md:11: image '../geheim.png' must be in this item's folder (news/), without '..'",
            "news/links.md:11: image '/news/foto.png' must be a path relative to this file, e.g. 'photo.jpg'",
            "news/links.md:12: image 'links.md' is not an image file (.jpg, .jpeg, .png, .webp or .heic)",
            "news/links.md:12: image '_prive.png' starts with '_' or '.', so it is kept out of the portal; rename it",
            "news/links.md:16: link to '/news/onbekend' does not match any item; internal links use an item's logical path, e.g. /news/<slug>",
            "news/links.md:18: image 'weg%20ermee.png' not found in news/ (looked for 'weg ermee.png')",
        ])
    }

    /// Conference schedules: slot length, evenings, breaks, booking window, overlaps, no slots.
    func testBrokenConference() {
        XCTAssertEqual(problems("broken-conference"), [
            "groups/groep-5/conferences/fouten.md:3: 'slot_minutes' must be more than 0",
            "groups/groep-5/conferences/fouten.md:4: 'per_family' must be 1 or more",
            "groups/groep-5/conferences/fouten.md:8: the evening's 'end' (18:30) must be after its 'start' (20:00)",
            "groups/groep-5/conferences/fouten.md:13: break 17:00-17:10 is outside the evening (18:30-21:00)",
            "groups/groep-5/conferences/fouten.md:16: break 19:00-18:50: 'end' must be after 'start'",
            "groups/groep-5/conferences/fouten.md:17: the evening's 'date' must be a date without a time; put the times in 'start' and 'end'",
            "groups/groep-5/conferences/fouten.md:20: unknown key 'pauze' in evening; allowed keys: date, start, end, breaks",
            "groups/groep-5/conferences/fouten.md:23: booking 'closes' (2027-01-26 19:00) must be after 'opens' (2027-02-06 12:00)",
            "groups/groep-5/conferences/geen-boeking.md:1: missing required key 'booking' in conference front matter",
            "groups/groep-5/conferences/geen-boeking.md:4: 'evenings' is empty; add at least one evening with date, start and end",
            "groups/groep-5/conferences/geen-slots.md:3: no bookable slots: every evening (without its breaks) is shorter than slot_minutes (60)",
            "groups/groep-5/conferences/vroeg.md:5: evening 2027-01-20 18:30 starts before booking opens (2027-01-26 19:00); move 'opens' earlier",
            "groups/groep-5/conferences/vroeg.md:14: break 18:45-18:55 overlaps the break on line 12",
            "groups/groep-5/conferences/vroeg.md:16: evening 2027-01-27 18:50-19:30 overlaps the evening on line 8",
        ])
    }

    /// site.yaml: unknown and missing keys, url, time zone, languages, contact, group ids, push's quiet hours.
    func testBrokenSiteYaml() {
        XCTAssertEqual(problems("broken-site-yaml"), [
            "site.yaml:1: unknown key 'nmae' in site.yaml (did you mean 'name'?)",
            "site.yaml:1: missing required key 'name' in site.yaml",
            "site.yaml:2: 'url' must be an https:// address, e.g. https://ouders.school.example",
            "site.yaml:3: unknown time zone 'Europe/Amsterdamm'; use an IANA name such as Europe/Amsterdam",
            "site.yaml:4: 'languages' needs at least one language, e.g. [nl, en]",
            "site.yaml:5: 'receiver' must be an https:// address, e.g. https://ouders.school.example/api",
            "site.yaml:6: missing required key 'email' in contact",
            "site.yaml:8: unknown key 'mail' in contact (did you mean 'email'?)",
            "site.yaml:10: group id 'Groep-5' must be lowercase letters, digits and '-', starting with a letter or digit (e.g. groep-5)",
            "site.yaml:13: group id 'school' is reserved for the whole school; choose another id",
            "site.yaml:19: missing required key 'teacher' in group",
            "site.yaml:19: group id 'groep-6' is already used on line 16; ids must be unique",
            "site.yaml:21: missing required key 'id' in group",
            "site.yaml:24: 'quiet_hours' must be two times like \"20:00-07:00\" (from-until, 24-hour clock; \"00:00-00:00\" for none)",
            "site.yaml:25: 'quiet_weekends' must be true or false, not 'sometimes'",
        ])
    }

    /// A YAML syntax error in site.yaml is reported at its line.
    func testBrokenYamlSyntax() {
        XCTAssertEqual(problems("broken-yaml-syntax"), [
            "site.yaml:3: site.yaml is not valid YAML: mapping values are not allowed in this context",
        ])
    }

    /// A content folder without site.yaml.
    func testNoSiteYaml() {
        XCTAssertEqual(problems("no-site-yaml"), [
            "site.yaml: missing; create site.yaml in the content folder (see docs/CONTENT.md)",
        ])
    }
}
