"""Staff codes in Chromium (issue 17, reading): a parent's sick report is sealed to the group's
inbox key; the group's teacher reads it decrypted in the app, another group's teacher cannot open
it (a real attempt with the wrong key fails), and `portal inbox` on the school's computer reads
every group's reports. Real receiver, real keyslots, real `portal generate`."""
import glob
import json
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import NL, REPO, Receiver, phone_context, run, staff
from test_forms import book, fill_absence, open_app, open_booking

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def ctx(browser):
    c = phone_context(browser, 8000)
    yield c
    c.close()


def report(context, url, token, group, child, note):
    pg = open_app(context, url, token)
    pg.goto(url + "#/absence")
    pg.wait_for_selector("form.absence-form")
    today = datetime.now(AMS).date().isoformat()
    fill_absence(pg, child, today, today, "ziek", note)
    if pg.locator("#absence-group").count():
        pg.select_option("#absence-group", group)
    pg.click("form.absence-form button[type=submit]")
    pg.wait_for_selector("[data-testid=absence-receipt]")
    assert pg.errors == []
    pg.close()


def open_reports(context, url, token):
    pg = open_app(context, url, token)
    pg.click("[data-nav=reports]")
    pg.wait_for_selector(".view-reports .reports:not([aria-busy])")
    return pg


# Reads the teacher's rows as the app does, from its own record (CryptoKeys from IndexedDB), then
# tries to open `row` with the keys of this device: the real decryption, not a lookup.
TRY_OPEN = """async ([row]) => {
  const S = await import(new URL('store.js', document.querySelector('script[type=module]').src).href), R = {...await import(new URL('receiver.js', document.querySelector('script[type=module]').src).href), ...await import(new URL('staff/inbox.js', document.querySelector('script[type=module]').src).href)};
  const rec = (await S.allTokens()).find((r) => r.staff);
  const fields = [row.group, row.from, row.to];
  const own = await R.openPayload(rec.staff, 'absence', row, fields);
  // Force the attempt: this device's only group key, under the kid the row names.
  const mine = Object.values(rec.staff.keys)[0];
  let forced;
  try { forced = await R.openPayload({ keys: { [row.sealed.kid]: mine } }, 'absence', row, fields); } catch (e) { forced = 'refused: ' + e.name; }
  return { own, forced };
}"""

LIST = """async () => {
  const S = await import(new URL('store.js', document.querySelector('script[type=module]').src).href), R = {...await import(new URL('receiver.js', document.querySelector('script[type=module]').src).href), ...await import(new URL('staff/inbox.js', document.querySelector('script[type=module]').src).href)};
  const rec = (await S.allTokens()).find((r) => r.staff);
  const site = await (await fetch('site.json')).json();
  return (await R.call(site, rec, 'GET', '/v1/staff/absences')).submissions;
}"""


def test_a_teacher_reads_her_groups_sick_reports_and_nobody_elses(booking_site, receiver, ctx, browser):
    bs = booking_site
    report(ctx, receiver.url, bs.tokens["g3g8"], "groep-3", "Emre Yilmaz", "Koorts sinds vannacht")
    report(ctx, receiver.url, bs.tokens["g5"], "groep-5", "Sanne de Vries", "Buikpijn")

    # The groep-3 teacher, on her own phone: "Ziekmeldingen" instead of "Afwezig", and the report opened here.
    teacher = phone_context(browser, 8000)
    pg = open_reports(teacher, receiver.url, bs.tokens["teacher-g3"])
    nav = pg.locator("nav [data-nav]").evaluate_all("els => els.map((e) => e.dataset.nav)")
    assert "reports" in nav and "absence" not in nav, nav
    assert pg.inner_text(".view-title") == NL["reports.heading"]
    cards = pg.locator("[data-testid=report]")
    assert cards.count() == 1
    text = cards.first.inner_text()
    assert "Emre Yilmaz" in text and "Koorts sinds vannacht" in text and "Groep 3" in text and NL["absence.reason_ziek"] in text
    assert NL["reports.today"] in pg.inner_text(".reports")
    assert "Sanne de Vries" not in pg.inner_text("main") and "Buikpijn" not in pg.inner_text("main"), "groep 5's report is not listed for groep 3"
    g3_rows = pg.evaluate(LIST)
    assert [r["group"] for r in g3_rows] == ["groep-3"]
    assert pg.errors == []

    # New on this visit; once seen here it is read on her other devices too.
    assert cards.first.get_attribute("data-read") == "false" and NL["reports.new"] in text
    second = phone_context(browser, 8000)
    again = open_reports(second, receiver.url, bs.tokens["teacher-g3"])
    deadline = time.time() + 5
    while again.get_attribute("[data-testid=report]", "data-read") != "true" and time.time() < deadline:
        again.reload()
        again.wait_for_selector(".view-reports .reports:not([aria-busy]) [data-testid=report]")
    assert again.get_attribute("[data-testid=report]", "data-read") == "true"
    second.close()

    # A groep-5 parent books a conference: the groep-5 teacher sees the name with the time.
    bp = open_app(ctx, receiver.url, bs.tokens["g5-b"])
    open_booking(bp, receiver.url, bs.schedules["groep-5"])
    book(bp, "Noor Bakker", "18:30")
    bp.close()

    # The groep-5 teacher's device holds groep 5's key only: groep 3's report does not open with it.
    other = phone_context(browser, 8000)
    pg5 = open_reports(other, receiver.url, bs.tokens["teacher-g5"])
    assert "Sanne de Vries" in pg5.inner_text("[data-testid=report]")
    pg5.wait_for_selector("[data-testid=staff-booking]")
    booking = pg5.inner_text("[data-testid=staff-booking]")
    assert "Noor Bakker" in booking and "18:30" in booking, booking
    tried = pg5.evaluate(TRY_OPEN, [g3_rows[0]])
    assert tried["own"] is None, "no key of that kid on this device"
    assert tried["forced"].startswith("refused"), tried
    # And the receiver does not hand groep 3's rows to groep 5's teacher in the first place.
    assert [r["group"] for r in pg5.evaluate(LIST)] == ["groep-5"]

    # A parent's code cannot list, and the parent's app shows no "Afwezigen".
    pp = open_app(ctx, receiver.url, bs.tokens["g5-b"])
    assert pp.locator("nav [data-nav=reports]").count() == 0

    # The school's computer reads both groups, whichever key each was sealed to.
    rows = json.loads(staff(bs, receiver, "inbox", "--json"))
    assert sorted((r["group"], r["child"]) for r in rows) == [("groep-3", "Emre Yilmaz"), ("groep-5", "Sanne de Vries")]
    assert all("error" not in r for r in rows), rows
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        assert b"Emre" not in data and b"Koorts" not in data and b"Sanne de Vries" not in data, f
    teacher.close()
    other.close()


def test_a_teachers_menu_fits_a_small_phone_in_every_language(booking_site, receiver, browser, tmp_path):
    """The staff menu swaps "Afwezig" for "Afwezigen" (the reports): at 360 px every tab is inside
    the screen with its whole label in all six languages, as for parents (issue 19 point 2)."""
    ctx = phone_context(browser, 8000, viewport={"width": 360, "height": 780})
    pg = open_reports(ctx, receiver.url, booking_site.tokens["teacher-g5"])
    for lang in ["nl", "en", "ar", "tr", "pl", "uk"]:
        pg.select_option("[data-testid=lang-switch]", lang)
        pg.wait_for_function("l => document.documentElement.lang === l", arg=lang)
        tabs = pg.evaluate("""() => [...document.querySelectorAll('.top nav a')].map((a) => {
            const r = a.getBoundingClientRect();
            return {nav: a.dataset.nav, top: r.top, left: r.left, right: r.right, clipped: a.scrollWidth > a.clientWidth + 1};
        })""")
        assert [t["nav"] for t in tabs] == ["timeline", "calendar", "albums", "info", "reports"], lang
        assert len({t["top"] for t in tabs}) == 1, (lang, "one row")
        for tab in tabs:
            assert tab["left"] >= 0 and tab["right"] <= 360 and not tab["clipped"], (lang, tab)
        pg.screenshot(path=str(tmp_path / f"staff-menu-{lang}.png"), clip={"x": 0, "y": 0, "width": 360, "height": 120})
    ctx.close()


@pytest.fixture
def school_copy(booking_site, tmp_path):
    """A private copy of the booking school (content, keys, output) with its own receiver: posts
    change content/, which the session's school must not see."""
    import shutil
    from dataclasses import replace
    root = str(tmp_path / "school")
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    r = Receiver(bs, str(tmp_path / "receiver.sqlite"))
    yield bs, r
    r.close()


def write_post(pg, url, title, text):
    pg.goto(url + "#/write")
    pg.wait_for_selector("form.write-form")
    pg.fill("#write-title", title)
    pg.fill("#write-text", text)
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]")
    pg.wait_for_selector(f"[data-testid=my-post]:has-text({json.dumps(title)})")


def post_state(pg, url, title):
    pg.goto(url + "#/")
    pg.goto(url + "#/write")
    pg.wait_for_selector(f"[data-testid=my-post]:has-text({json.dumps(title)})")
    return pg.get_attribute(f"[data-testid=my-post]:has-text({json.dumps(title)})", "data-state")


def write_form(bs, receiver, browser, via_reports=False):
    """The groep-5 teacher's phone on the writing form (through the reports view's link, or
    straight); returns the context and the page."""
    teacher = phone_context(browser, 8000)
    pg = open_app(teacher, receiver.url, bs.tokens["teacher-g5"])
    if via_reports:
        pg.goto(receiver.url + "#/reports")
        pg.click("[data-testid=write-link]")
    else:
        pg.goto(receiver.url + "#/write")
    pg.wait_for_selector("form.write-form")
    return teacher, pg


def test_a_teacher_writes_on_her_phone_and_after_approval_the_groups_parents_read_it(school_copy, browser):
    """Issue 17 "Writing" and "From draft to site", text posts: sealed in Chromium to the school's
    inbox key, `portal sync` opens it on the school's computer and keeps it for approval,
    `portal drafts approve` writes Markdown into content/, `portal generate` seals it for groep 5
    only; a rejected post shows the school's reason (sealed to the group's key) to the teacher."""
    bs, receiver = school_copy
    teacher, pg = write_form(bs, receiver, browser, via_reports=True)
    write_post(pg, receiver.url, "Naar het bos", "We zijn naar het **bos** geweest.\n\n- eikels\n- paddenstoelen")
    write_post(pg, receiver.url, "Foto's van Sam Jansen", "Met achternaam.")
    assert post_state(pg, receiver.url, "Naar het bos") == "sent"
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        assert b"Naar het bos" not in data and b"eikels" not in data and b"Jansen" not in data, f

    synced = staff(bs, receiver, "sync")
    assert "Waiting for approval" in synced and "Naar het bos" in synced, synced
    assert post_state(pg, receiver.url, "Naar het bos") == "waiting"
    drafts = run("drafts", "--keys", bs.keys, "--content", bs.content)
    ids = {line.split("  ")[-1]: line.split("  ")[0] for line in drafts.strip().splitlines()}
    assert set(ids) == {"Naar het bos", "Foto's van Sam Jansen"}, drafts
    shown = run("drafts", "show", ids["Naar het bos"], "--keys", bs.keys, "--content", bs.content)
    assert 'title: "Naar het bos"' in shown and 'author: "Meester Ali"' in shown and "**bos**" in shown, shown

    staff(bs, receiver, "drafts", "approve", ids["Naar het bos"])
    staff(bs, receiver, "drafts", "reject", ids["Foto's van Sam Jansen"], "--reason", "Graag zonder achternamen")
    assert post_state(pg, receiver.url, "Naar het bos") == "published"
    assert post_state(pg, receiver.url, "Foto's van Sam Jansen") == "rejected"
    assert pg.inner_text("[data-testid=post-reason]") == "Graag zonder achternamen"
    written = glob.glob(os.path.join(bs.content, "groups", "groep-5", "news", "naar-het-bos*.md"))
    assert len(written) == 1, written
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))

    parent = phone_context(browser, 8000)
    pp = open_app(parent, receiver.url, bs.tokens["g5-b"])
    assert "Naar het bos" in [t.strip() for t in pp.locator(".card h2").all_inner_texts()]
    pp.click(".card h2 a:has-text('Naar het bos')")
    pp.wait_for_selector(".view-item .fragment[data-state=ready]")
    assert "paddenstoelen" in pp.inner_text(".view-item") and pp.locator(".view-item strong:has-text('bos')").count() == 1
    elsewhere = phone_context(browser, 8000)
    other = open_app(elsewhere, receiver.url, bs.tokens["g3g8"])
    assert "Naar het bos" not in other.inner_text("main"), "groep 3 and 8 do not get groep 5's post"

    # The teacher takes it back: the next sync removes the file, the next generate the item.
    post_state(pg, receiver.url, "Naar het bos")
    pg.click("[data-testid=my-post]:has-text('Naar het bos') [data-testid=retract]")
    pg.wait_for_selector("[data-testid=my-post][data-state=retracted]:has-text('Naar het bos')")
    synced = staff(bs, receiver, "sync")
    assert "Removed content/groups/groep-5/news/naar-het-bos.md" in synced, synced
    assert not os.path.exists(written[0])
    assert post_state(pg, receiver.url, "Naar het bos") == "removed"
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    pp.goto(receiver.url + "#/")
    pp.reload()
    pp.wait_for_selector(".view-timeline .card")
    assert "Naar het bos" not in pp.inner_text("main")
    assert pg.errors == [] and pp.errors == []
    for c in (teacher, parent, elsewhere):
        c.close()


def test_a_teacher_puts_a_calendar_item_in_her_groups_agenda(school_copy, browser):
    """Issue 17 "Writing": a calendar item (day, time, place) from the phone becomes
    groups/groep-5/calendar/<slug>.md after approval and shows in the groep-5 parents' agenda."""
    bs, receiver = school_copy
    teacher, pg = write_form(bs, receiver, browser)
    pg.check("input[name=kind][value=event]")
    assert pg.locator("#write-date").is_hidden() and pg.locator("#write-start").is_visible()
    pg.fill("#write-title", "Kijkochtend groep 5")
    pg.click("form.write-form button[type=submit]")
    assert pg.inner_text("[data-testid=form-status]") == NL["write.start_missing"]
    from datetime import date, timedelta
    day = (date.today() + timedelta(days=10)).isoformat()
    pg.fill("#write-start", day)
    pg.fill("#write-time", "08:30")
    pg.fill("#write-location", "Lokaal 5")
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]")
    staff(bs, receiver, "sync")
    drafts = run("drafts", "--keys", bs.keys, "--content", bs.content)
    staff(bs, receiver, "drafts", "approve", drafts.split("  ")[0])
    written = os.path.join(bs.content, "groups", "groep-5", "calendar", "kijkochtend-groep-5.md")
    assert f"start: {day} 08:30" in open(written, encoding="utf-8").read()
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    parent = phone_context(browser, 8000)
    pp = open_app(parent, receiver.url, bs.tokens["g5-b"])
    pp.goto(receiver.url + "#/calendar")
    pp.wait_for_selector("[data-testid=calendar]")
    event = pp.locator(".view-calendar .event:has-text('Kijkochtend groep 5')")
    event.wait_for()
    assert "08:30" in event.inner_text() and "Lokaal 5" in event.inner_text()
    assert pg.errors == [] and pp.errors == []
    teacher.close()
    parent.close()


def exif_jpeg(path, out, orientation=6):
    """`path` (a JPEG) with a camera's EXIF segment put in: make, model, orientation and a GPS
    position, as a phone writes them (little-endian TIFF, hand-made: no library of ours)."""
    import struct
    def entry(tag, kind, count, value):
        return struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")
    make, model = b"Canon\0", b"EOS 550D\0"
    # IFD0 at offset 8: 4 entries; then its data, then the GPS IFD (2 entries) and its rationals.
    ifd0_size = 2 + 4 * 12 + 4
    make_at = 8 + ifd0_size
    model_at = make_at + len(make)
    gps_at = model_at + len(model)
    gps_size = 2 + 2 * 12 + 4
    lat_at = gps_at + gps_size
    ifd0 = struct.pack("<H", 4) + entry(0x010F, 2, len(make), struct.pack("<I", make_at)) \
        + entry(0x0110, 2, len(model), struct.pack("<I", model_at)) \
        + entry(0x0112, 3, 1, struct.pack("<H", orientation)) + entry(0x8825, 4, 1, struct.pack("<I", gps_at)) + b"\0\0\0\0"
    gps = struct.pack("<H", 2) + entry(0x0001, 2, 2, b"N\0") + entry(0x0002, 5, 3, struct.pack("<I", lat_at)) + b"\0\0\0\0"
    lat = struct.pack("<6I", 52, 1, 22, 1, 1234, 100)
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + make + model + gps + lat
    app1 = b"Exif\0\0" + tiff
    data = open(path, "rb").read()
    assert data[:2] == b"\xff\xd8"
    rest = data[2:]
    if rest[:2] == b"\xff\xe0":  # keep JFIF's APP0 first
        n = struct.unpack(">H", rest[2:4])[0]
        head, rest = rest[:2 + n], rest[2 + n:]
    else:
        head = b""
    open(out, "wb").write(b"\xff\xd8" + head + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + rest)


def jpeg_size(data):
    """(width, height) from a JPEG's SOF marker."""
    import struct
    i = 2
    while i < len(data):
        marker, n = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + n
    raise AssertionError("no SOF")


def test_a_teacher_sends_an_album_from_her_phone_without_the_cameras_metadata(school_copy, browser, tmp_path):
    """Issue 17 "Writing", photos: two photos picked on a phone (one 3000x1500 with EXIF, GPS and
    orientation "rotate 90"), resized and re-encoded in Chromium, sealed in chunks and uploaded;
    `portal sync` writes an album whose photos carry no EXIF or GPS, turned upright and at most
    2560 px; the receiver's database never held the title, the captions or the file names; after
    generate, groep 5's parents see the album with both photos, other groups do not."""
    import subprocess
    bs, receiver = school_copy
    big = tmp_path / "big.jpg"
    subprocess.run(["vips", "black", str(big) + "[Q=90]", "3000", "1500", "--bands", "3"], check=True)
    exif_jpeg(str(big), str(tmp_path / "IMG_2041_Sam_Jansen.jpg"))
    exif_jpeg(os.path.join(bs.content, "albums", "schoolreis-2026", "picknickweide.jpg"), str(tmp_path / "IMG_2042_bos.jpg"), orientation=1)
    teacher, pg = write_form(bs, receiver, browser)
    pg.check("input[name=kind][value=album]")
    pg.fill("#write-title", "Herfst in het bos")
    pg.click("form.write-form button[type=submit]")
    assert pg.inner_text("[data-testid=form-status]") == NL["write.photos_missing"]
    pg.set_input_files("#write-photos", [str(tmp_path / "IMG_2041_Sam_Jansen.jpg"), str(tmp_path / "IMG_2042_bos.jpg")])
    assert pg.locator("[data-testid=photo-pick]").count() == 2
    pg.fill("#write-caption-0", "Paddenstoelen zoeken")
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]", timeout=30000)
    assert pg.locator("[data-testid=photo-pick]").count() == 0, "the form is empty for the next post"
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        for secret in (b"Herfst in het bos", b"Paddenstoelen", b"Sam_Jansen", b"IMG_20", b"Canon", b"Exif"):
            assert secret not in data, (f, secret)

    synced = staff(bs, receiver, "sync")
    assert "Waiting for approval" in synced and "Herfst in het bos" in synced, synced
    drafts = run("drafts", "--keys", bs.keys, "--content", bs.content)
    staff(bs, receiver, "drafts", "approve", drafts.split("  ")[0])
    album = os.path.join(bs.content, "groups", "groep-5", "albums", "herfst-in-het-bos")
    index = open(os.path.join(album, "index.md"), encoding="utf-8").read()
    assert 'caption: "Paddenstoelen zoeken"' in index and 'author' not in index, index
    photos = [open(os.path.join(album, f"foto-0{i}.jpg"), "rb").read() for i in (1, 2)]
    for data in photos:
        assert data[:3] == b"\xff\xd8\xff"
        assert b"Exif" not in data and b"Canon" not in data and b"EOS 550D" not in data, "no camera metadata left the phone"
    assert jpeg_size(photos[0]) == (1280, 2560), "turned upright as the camera said, and at most 2560 px"
    assert jpeg_size(photos[1]) == jpeg_size(open(os.path.join(bs.content, "albums", "schoolreis-2026", "picknickweide.jpg"), "rb").read())

    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    parent = phone_context(browser, 8000)
    pp = open_app(parent, receiver.url, bs.tokens["g5-b"])
    pp.goto(receiver.url + "#/albums")
    card = pp.locator(".album-card:has-text('Herfst in het bos')")
    card.wait_for()
    card.click()
    pp.wait_for_function("() => [...document.querySelectorAll('[data-testid=gallery] img')].filter(i => i.naturalWidth > 0).length === 2")
    elsewhere = phone_context(browser, 8000)
    other = open_app(elsewhere, receiver.url, bs.tokens["g3g8"])
    other.goto(receiver.url + "#/albums")
    other.wait_for_selector("[data-testid=albums]")
    assert "Herfst in het bos" not in other.inner_text("main")
    assert pg.errors == [] and pp.errors == [] and other.errors == []
    for c in (teacher, parent, elsewhere):
        c.close()


def test_a_lost_connection_during_the_photos_resumes_and_a_broken_photo_is_named(school_copy, browser, tmp_path):
    """Issue 17 "resumable after a lost connection": one chunk request fails (the connection
    drops); the post is not sent, the teacher sends again, and the same sealed parts continue
    where they stopped (a new seal would be refused as another upload under the same id). A file
    that is not a photo is named in the error, in words."""
    bs, receiver = school_copy
    teacher, pg = write_form(bs, receiver, browser)
    broken = tmp_path / "IMG_0001.jpg"
    broken.write_bytes(b"not a photo at all")
    pg.check("input[name=kind][value=album]")
    pg.fill("#write-title", "Sportdag")
    pg.set_input_files("#write-photos", [str(broken)])
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=error]")
    assert pg.inner_text("[data-testid=form-status]") == NL["write.photo_unreadable"].replace("{name}", "IMG_0001.jpg")
    pg.click("[data-testid=photo-pick] button")

    photo = os.path.join(bs.content, "albums", "schoolreis-2026", "picknickweide.jpg")
    pg.set_input_files("#write-photos", [photo, photo])
    puts, dropped = [], []

    def drop_first_of_the_second(route):
        url = route.request.url
        puts.append(url)
        part = url.rsplit("/", 2)[-2]
        if not dropped and part != puts[0].rsplit("/", 2)[-2]:
            dropped.append(url)
            route.abort("connectionreset")
        else:
            route.continue_()
    pg.route("**/api/v1/staff/uploads/*/*", drop_first_of_the_second)
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=error]")
    assert pg.locator("[data-testid=photo-pick]").count() == 2, "nothing is lost: the photos stay in the form"
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]")
    # Every chunk once, and the dropped one again: photo 1 is not sent twice, photo 2 continues.
    assert dropped and puts.count(dropped[0]) == 2, puts
    assert len(puts) == len(set(puts)) + 1, puts
    synced = staff(bs, receiver, "sync")
    assert "Sportdag" in synced, synced
    drafts = run("drafts", "--keys", bs.keys, "--content", bs.content)
    staff(bs, receiver, "drafts", "approve", drafts.split("  ")[0])
    album = os.path.join(bs.content, "groups", "groep-5", "albums", "sportdag")
    assert sorted(os.listdir(album)) == ["foto-01.jpg", "foto-02.jpg", "index.md"]
    assert pg.errors == []
    teacher.close()


def test_a_post_whose_answer_was_lost_is_sent_again_as_the_same_post(school_copy, browser):
    """The receiver stores the post but the answer never reaches the phone; "Versturen" again
    sends the same id with the same sealed bytes, which the receiver takes as a retry: one post,
    and no "already exists" error for the teacher."""
    bs, receiver = school_copy
    teacher, pg = write_form(bs, receiver, browser)
    pg.fill("#write-title", "Gymspullen mee")
    pg.fill("#write-text", "Morgen gym.")
    lost = []

    def lose_the_answer(route):
        if not lost and route.request.method == "POST":
            route.fetch()  # the receiver gets it and stores the post
            lost.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()
    pg.route("**/api/v1/staff/posts", lose_the_answer)
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=error]")
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]")
    assert lost
    pg.wait_for_selector("[data-testid=my-post]:has-text('Gymspullen mee')")
    assert pg.locator("[data-testid=my-post]").count() == 1, "one post, not two"
    assert pg.errors == []
    teacher.close()


def test_a_teacher_sends_the_newsletter_pdf_and_the_groups_parents_save_it(school_copy, browser, tmp_path):
    """Issue 17 "Writing" and "Attachments for everyone": a PDF picked on the teacher's phone goes
    sealed, as it is, in chunks; a file content/ would not take is refused in the form, in words.
    After sync and approval the post is a folder with the PDF; after generate a groep-5 parent
    sees it under the item on the copy `portal publish` sent with rsync to a host folder, and saves
    the same bytes (the independent opener reads them from the host too), and neither the title nor the file name nor the PDF's bytes were ever at the receiver."""
    import opener
    bs, receiver = school_copy
    pdf = open(os.path.join(REPO, "content", "news", "kerstdiner-intekenlijst.pdf"), "rb").read()
    picked = tmp_path / "Nieuwsbrief December.pdf"
    picked.write_bytes(pdf)
    script = tmp_path / "rooster.exe"
    script.write_bytes(b"MZ not for parents")
    teacher, pg = write_form(bs, receiver, browser)
    pg.fill("#write-title", "Nieuwsbrief december")
    pg.fill("#write-text", "Hieronder de nieuwsbrief.")
    pg.set_input_files("#write-files", [str(script)])
    assert pg.inner_text("[data-testid=form-status]") == NL["write.file_type"].replace("{name}", "rooster.exe")
    assert pg.locator("[data-testid=file-pick]").count() == 0
    pg.set_input_files("#write-files", [str(picked)])
    assert pg.locator("[data-testid=file-pick]").count() == 1
    pg.fill("#write-file-title-0", "Nieuwsbrief van december")
    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]", timeout=30000)
    assert pg.locator("[data-testid=file-pick]").count() == 0, "the form is empty for the next post"
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        for secret in (b"Nieuwsbrief", b"%PDF-", pdf[1000:1040]):
            assert secret not in data, (f, secret[:20])

    assert "Waiting for approval" in staff(bs, receiver, "sync")
    drafts = run("drafts", "--keys", bs.keys, "--content", bs.content)
    staff(bs, receiver, "drafts", "approve", drafts.split("  ")[0])
    folder = os.path.join(bs.content, "groups", "groep-5", "news", "nieuwsbrief-december")
    assert open(os.path.join(folder, "nieuwsbrief-december.pdf"), "rb").read() == pdf
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    # Published with real rsync to a folder a second server serves, as the school's host would.
    host = str(tmp_path / "host")
    published = run("publish", "--content", bs.content, "--output", bs.out, "--keys", bs.keys,
                    "--theme", os.path.join(REPO, "themes", "default"), "--to", host, "--no-push")
    assert published.startswith("Published release"), published
    served = Receiver(bs, str(tmp_path / "host-receiver.sqlite"), static=host)

    opened = opener.open_site(host, bs.tokens["g5-b"])
    group = opened.audiences["groep-5"]
    entry = next(i for i in group.manifest["items"] if i.get("title") == "Nieuwsbrief december")
    assert [(a["title"], a["name"], a["size"]) for a in entry["attachments"]] == [("Nieuwsbrief van december", "nieuwsbrief-december.pdf", len(pdf))]
    assert group.blobs[entry["attachments"][0]["media"]] == pdf
    parent = phone_context(browser, 8000)
    pp = open_app(parent, served.url, bs.tokens["g5-b"])
    pp.click(".card h2 a:has-text('Nieuwsbrief december')")
    pp.wait_for_selector("[data-testid=attachments]")
    assert pp.inner_text("[data-testid=attachments] .attachment-title") == "Nieuwsbrief van december"
    with pp.expect_download() as d:
        pp.click("[data-testid=attachment-save]")
    assert d.value.suggested_filename == "nieuwsbrief-december.pdf"
    assert open(d.value.path(), "rb").read() == pdf
    assert pg.errors == [] and pp.errors == []
    teacher.close()
    parent.close()
    served.close()
