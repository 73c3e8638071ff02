"""Booking and absence views end to end: Chromium signs and HPKE-seals, a real portal-receiver
stores ciphertext, and the staff commands (`portal bookings`, `portal inbox`) open it in Swift."""
import csv
import glob
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import EN, NL, phone_context, staff

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def ctx(browser):
    c = phone_context(browser, 8000, accept_downloads=True)
    yield c
    c.close()


def open_app(context, url, token):
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    pg.goto(url + "#token=" + token)
    pg.wait_for_selector(".view-timeline")
    return pg


def open_booking(pg, url, schedule):
    pg.goto(url + "#/book/" + schedule)
    pg.wait_for_selector("[data-testid=slot-grid]:not([aria-busy]) .slot")


def slot_button(pg, time):
    return pg.locator(f".slot[data-slot$='T{time}']")


def book(pg, name, time):
    pg.fill("#child-name", name)
    slot_button(pg, time).click()
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_selector("[data-testid=receipt]")


def bookings(bs, receiver):
    return list(csv.DictReader(io.StringIO(staff(bs, receiver, "bookings", "--csv"))))


def test_a_booking_made_in_the_browser_shows_up_with_the_name_for_staff(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    # The pinned card on the timeline leads to the booking page.
    pg.click(f".card-conference[data-path='{bs.schedules['groep-5']}'] [data-testid=book-link]")
    pg.wait_for_selector("[data-testid=slot-grid]:not([aria-busy]) .slot")
    assert pg.locator(".slot").count() == 6
    assert slot_button(pg, "18:40").is_enabled()
    book(pg, "Sanne de Vries", "18:40")
    receipt = pg.inner_text("[data-testid=receipt]")
    assert "18:40\u2060–\u206018:50" in receipt
    assert "Gelukt" in pg.inner_text("[data-testid=form-status]")
    assert "slot-mine" in slot_button(pg, "18:40").get_attribute("class")
    # Only one booking per family: the other times cannot be picked now.
    assert not slot_button(pg, "18:50").is_enabled()

    rows = bookings(bs, receiver)
    assert [(r["schedule"], r["slot"], r["child"]) for r in rows] == [
        (bs.schedules["groep-5"], f"{bs.evening}T18:40", "Sanne de Vries")]
    # A breach of the receiver's database reveals no name: only ciphertext is stored.
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        assert b"Sanne" not in data and "Sanne".encode("utf-16-le") not in data, f
    assert pg.errors == []


def test_the_receipt_offers_the_appointment_as_an_ics_file(booking_site, receiver, ctx):
    icalendar = pytest.importorskip("icalendar")
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    book(pg, "Sanne", "19:10")
    with pg.expect_download() as dl:
        pg.click("[data-testid=booking-ics]")
    cal = icalendar.Calendar.from_ical(open(dl.value.path(), "rb").read())
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    start = events[0]["DTSTART"].dt
    assert start.astimezone(AMS).replace(tzinfo=None) == datetime.fromisoformat(f"{bs.evening}T19:10")
    assert events[0]["DTEND"].dt.astimezone(AMS).strftime("%H:%M") == "19:20"
    assert "Testgesprekken groep-5" in str(events[0]["SUMMARY"])


def test_cancel_and_rebook(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    book(pg, "Sanne", "18:30")
    # Rebook: pick another time; the booking moves (same id), the old slot is free again.
    pg.click("[data-testid=rebook]")
    assert slot_button(pg, "19:00").is_enabled()
    slot_button(pg, "19:00").click()
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_function("() => document.querySelector('[data-testid=receipt]')?.innerText.includes('19:00')")
    assert "slot-free" in slot_button(pg, "18:30").get_attribute("class")
    rows = bookings(bs, receiver)
    assert [(r["slot"], r["child"]) for r in rows] == [(f"{bs.evening}T19:00", "Sanne")]
    # Cancel, after confirming.
    pg.click("[data-testid=cancel]")
    pg.click("[data-testid=cancel-confirm]")
    pg.wait_for_selector("[data-testid=receipt]", state="detached")
    assert "afgezegd" in pg.inner_text("[data-testid=form-status]")
    assert slot_button(pg, "19:00").is_enabled()
    assert bookings(bs, receiver) == []


def test_a_slot_taken_meanwhile_is_refused_and_greyed(booking_site, receiver, browser, ctx):
    bs = booking_site
    a = open_app(ctx, receiver.url, bs.tokens["g5"])
    open_booking(a, receiver.url, bs.schedules["groep-5"])
    other = phone_context(browser, 8000)
    try:
        b = open_app(other, receiver.url, bs.tokens["g5-b"])
        open_booking(b, receiver.url, bs.schedules["groep-5"])
        book(b, "Daan Bakker", "18:50")
    finally:
        other.close()
    # Parent A still sees 18:50 as free and tries it: 409, a clear message, the grid refreshed.
    a.fill("#child-name", "Sanne")
    slot_button(a, "18:50").click()
    a.click("[data-testid=confirm-booking]")
    a.wait_for_function("() => document.querySelector('.slot[data-slot$=\"T18:50\"]').classList.contains('slot-taken')")
    assert NL["send.slot_taken"] in a.inner_text("[data-testid=form-status]")
    # Issue 19 point 5: the message is on screen (and focused), not above the visible area.
    a.wait_for_function("""() => { const r = document.querySelector('[data-testid=form-status]').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; }""")
    assert a.evaluate("document.activeElement === document.querySelector('[data-testid=form-status]')")
    assert not slot_button(a, "18:50").is_enabled()
    assert "bezet" in slot_button(a, "18:50").get_attribute("aria-label")
    assert [r["child"] for r in bookings(bs, receiver)] == ["Daan Bakker"]


def test_taken_slots_turn_grey_while_the_page_is_open(booking_site, receiver, browser, ctx):
    bs = booking_site
    a = open_app(ctx, receiver.url, bs.tokens["g5"])
    open_booking(a, receiver.url, bs.schedules["groep-5"])
    assert slot_button(a, "19:20").is_enabled()
    other = phone_context(browser, 8000)
    try:
        b = open_app(other, receiver.url, bs.tokens["g5-b"])
        open_booking(b, receiver.url, bs.schedules["groep-5"])
        book(b, "Daan", "19:20")
    finally:
        other.close()
    # The page looks again when it becomes visible (and every 15 s while it is).
    a.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    a.wait_for_function("() => document.querySelector('.slot[data-slot$=\"T19:20\"]').classList.contains('slot-taken')")


def test_the_other_parent_of_the_family_sees_the_booking_and_cannot_book_twice(booking_site, receiver, ctx, browser):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    book(pg, "Sanne", "18:30")
    other = phone_context(browser, 8000)
    try:
        dad = open_app(other, receiver.url, bs.tokens["g5-other-parent"])
        open_booking(dad, receiver.url, bs.schedules["groep-5"])
        assert "18:30" in dad.inner_text("[data-testid=receipt]")
        assert dad.locator(".slot:not([disabled])").count() == 0
    finally:
        other.close()


def test_a_family_with_two_children_books_back_to_back_in_one_step(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g3g8"])
    open_booking(pg, receiver.url, bs.schedules["groep-3"])
    pairs = pg.locator("button.pair")
    assert pairs.count() >= 2
    first = pairs.nth(0).get_attribute("data-pair")
    assert first == f"{bs.evening}T18:30+{bs.evening}T18:40"
    pg.fill("#child-name", "Emre Yilmaz")
    pairs.nth(0).click()
    pg.fill("#child-name-groep-8", "Elif Yilmaz")
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_selector("[data-testid=receipt]")
    rows = sorted((r["schedule"], r["slot"], r["child"]) for r in bookings(bs, receiver))
    assert rows == sorted([(bs.schedules["groep-3"], f"{bs.evening}T18:30", "Emre Yilmaz"),
                           (bs.schedules["groep-8"], f"{bs.evening}T18:40", "Elif Yilmaz")])
    # Issue 19 point 5: the receipt names both talks of the pair, not only this group's.
    pg.wait_for_selector("[data-testid=receipt-also]")
    also = pg.inner_text("[data-testid=receipt-also]")
    assert also.startswith("En ") and "18:40" in also and "Groep 8" in also, also
    # The names are remembered on this device for next time.
    open_booking(pg, receiver.url, bs.schedules["groep-8"])
    assert "18:40" in pg.inner_text("[data-testid=receipt]")
    assert pg.input_value("#child-name") == "Elif Yilmaz"


def test_more_back_to_back_pairs_than_four_are_one_tap_away(booking_site, receiver, ctx):
    """Issue 19 point 5: only the first four pairs were offered (all at the start of the evening),
    with no way to see later ones."""
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g3g8"])
    open_booking(pg, receiver.url, bs.schedules["groep-3"])
    pg.wait_for_selector("button.pair")
    assert pg.locator("button.pair").count() == 4
    more = pg.locator("[data-testid=pairs-more]")
    extra = int(more.inner_text().split("(")[1].rstrip(")"))
    assert more.inner_text().startswith("Meer tijden") and extra >= 1
    more.click()
    assert pg.locator("button.pair").count() == 4 + extra
    assert pg.locator("[data-testid=pairs-more]").count() == 0
    last = pg.locator("button.pair").last.get_attribute("data-pair")
    assert last > pg.locator("button.pair").nth(3).get_attribute("data-pair"), "later pairs, in order"
    assert pg.evaluate("document.activeElement.classList.contains('pair')"), "focus moves to the first new pair"


def test_booking_that_is_not_open_yet_says_when_it_opens(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    pg.goto(receiver.url + "#/book/" + bs.schedules["later"])
    pg.wait_for_selector("[data-testid=slot-grid]:not([aria-busy]) .slot")
    assert "Inschrijven kan vanaf" in pg.inner_text("[data-testid=form-status]")
    assert pg.locator(".slot:not([disabled])").count() == 0
    # The timeline card says so too, without a button.
    pg.goto(receiver.url + "#/")
    card = pg.locator(f".card-conference[data-path='{bs.schedules['later']}']")
    assert "Inschrijven kan vanaf" in card.inner_text()
    assert card.locator("[data-testid=book-link]").count() == 0


def test_offline_booking_says_nothing_was_sent(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    pg.fill("#child-name", "Sanne")
    slot_button(pg, "18:30").click()
    ctx.set_offline(True)
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_function("t => document.querySelector('[data-testid=form-status]').innerText.includes(t)",
                         arg=NL["send.network"])
    ctx.set_offline(False)
    assert bookings(bs, receiver) == []
    # Back online, the same confirm button works (the request is signed afresh).
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_selector("[data-testid=receipt]")
    assert len(bookings(bs, receiver)) == 1


def fill_absence(pg, name, first, last, reason, note):
    pg.fill("#absence-child", name)
    pg.fill("#absence-from", first)
    pg.fill("#absence-to", last)
    pg.check(f"input[name=reason][value={reason}]")
    pg.fill("#absence-note", note)


def test_an_absence_report_sent_in_the_browser_shows_up_decrypted_in_portal_inbox(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    pg.click("[data-nav=absence]")
    pg.wait_for_selector("form.absence-form")
    today = datetime.now(AMS).date().isoformat()
    assert pg.input_value("#absence-from") == today
    fill_absence(pg, "Sanne de Vries", today, today, "afspraak", "Tandarts om 10 uur, daarna komt ze naar school")
    pg.click("form.absence-form button[type=submit]")
    pg.wait_for_selector("[data-testid=absence-receipt]")
    text = pg.inner_text("[data-testid=absence-receipt]")
    assert "Sanne de Vries" in text and "Groep 5" in text and NL["absence.reason_afspraak"] in text
    rows = json.loads(staff(bs, receiver, "inbox", "--json"))
    assert len(rows) == 1
    r = rows[0]
    assert (r["child"], r["group"], r["from"], r["to"], r["reason"]) == ("Sanne de Vries", "groep-5", today, today, "afspraak")
    assert r["note"] == "Tandarts om 10 uur, daarna komt ze naar school"
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        assert b"Sanne" not in data and b"Tandarts" not in data and b"afspraak" not in data, f
    # The child's name is remembered on this device.
    pg.reload()
    pg.wait_for_selector("form.absence-form")
    assert pg.input_value("#absence-child") == "Sanne de Vries"
    assert pg.errors == []


def test_absence_form_checks_its_fields_before_sending(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g3g8"])
    pg.goto(receiver.url + "#/absence")
    pg.wait_for_selector("form.absence-form")
    # Two groups on this code: the parent picks the child's group.
    assert pg.locator("#absence-group option").all_inner_texts() == ["Groep 3", "Groep 8"]
    pg.fill("#absence-child", "")
    pg.click("form.absence-form button[type=submit]")
    assert NL["form.child_missing"] in pg.inner_text("[data-testid=form-status]")
    assert pg.get_attribute("#absence-child", "aria-invalid") == "true"
    fill_absence(pg, "Emre", "2030-01-10", "2030-01-09", "ziek", "")
    pg.click("form.absence-form button[type=submit]")
    assert pg.inner_text("[data-testid=form-status]").strip() in (NL["absence.date_order"], NL["absence.date_range"])
    today = datetime.now(AMS).date().isoformat()
    fill_absence(pg, "Emre", today, today, "ziek", "")
    pg.select_option("#absence-group", "groep-8")
    pg.click("form.absence-form button[type=submit]")
    pg.wait_for_selector("[data-testid=absence-receipt]")
    rows = json.loads(staff(bs, receiver, "inbox", "--json"))
    assert [(r["child"], r["group"], r["reason"], r["note"]) for r in rows] == [("Emre", "groep-8", "ziek", "")]


def test_forms_in_english(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    pg.select_option("[data-testid=lang-switch]", "en")
    pg.wait_for_function("() => document.documentElement.lang === 'en'")
    pg.goto(receiver.url + "#/absence")
    pg.wait_for_selector("form.absence-form")
    assert pg.inner_text(".view-title") == EN["absence.heading"]
    assert EN["absence.reason_ziek"] in pg.inner_text("fieldset.reasons")
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", pg.inner_text(".evening h2"))
    book(pg, "Sanne", "18:30")
    assert EN["booking.yours"] in pg.inner_text("[data-testid=receipt]")



def test_the_first_device_registers_its_code_and_staff_see_it_after_sync(booking_site, receiver, ctx, tmp_path):
    """The registration week: opening a code registers it through the receiver; `portal sync`
    pulls that into a copy of the keystore and `token list` shows it."""
    import shutil
    from conftest import run
    bs = booking_site
    keys = str(tmp_path / "keys")
    shutil.copytree(bs.keys, keys)
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    pg.wait_for_function("""async (id) => {
      const db = await new Promise((ok) => { const r = indexedDB.open('ouderportaal'); r.onsuccess = () => ok(r.result); });
      const rec = await new Promise((ok) => { const r = db.transaction('tokens').objectStore('tokens').get(id); r.onsuccess = () => ok(r.result); });
      return rec && typeof rec.registered === 'string'; }""", arg=bs.token_ids["g5"])
    out = run("sync", "--receiver", receiver.api, "--keys", keys, "--content", bs.content)
    assert "1 new registration" in out
    listing = run("token", "list", "--keys", keys)
    line = next(l for l in listing.splitlines() if l.startswith(bs.token_ids["g5"][:12]))
    assert "registered" in line and "not registered" not in line
    other = next(l for l in listing.splitlines() if l.startswith(bs.token_ids["g5-b"][:12]))
    assert "not registered" in other
    # A reload does not register again (the device remembers), and reading never waited for it.
    pg.reload()
    pg.wait_for_selector(".view-timeline")
    assert pg.errors == []


def test_a_code_opened_after_its_registration_week_shows_that_it_expired(booking_site, ctx, tmp_path):
    """A receiver whose trust file says the week is over refuses the registration; the app tells
    the parent to ask for a new code (the next generate drops the keyslot)."""
    from conftest import Receiver
    bs = booking_site
    trust = json.load(open(f"{bs.keys}/trust.json"))
    for tok in trust["tokens"]:
        if tok["id"] == bs.token_ids["g5-b"]:
            tok["register_by"] = "2020-01-01T00:00:00Z"
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(trust))
    r = Receiver(bs, str(tmp_path / "receiver.sqlite"), trust=str(path))
    try:
        pg = open_app(ctx, r.url, bs.tokens["g5-b"])
        pg.wait_for_selector("[data-testid='notice.registration_closed']")
        assert NL["notice.registration_closed"] in pg.inner_text("[data-testid='notice.registration_closed']")
    finally:
        r.close()


def test_forget_this_device_also_forgets_the_childrens_names(booking_site, receiver, ctx):
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    pg.goto(receiver.url + "#/absence")
    pg.wait_for_selector("form.absence-form")
    pg.fill("#absence-child", "Sanne de Vries")
    pg.click("form.absence-form button[type=submit]")
    pg.wait_for_selector("[data-testid=absence-receipt]")
    assert "Sanne de Vries" in pg.evaluate("localStorage.getItem('children-v1')")
    pg.goto(receiver.url + "#/settings")
    pg.click("[data-testid=forget]")
    pg.click("[data-testid=forget-confirm]")
    pg.wait_for_selector("#token")
    assert pg.evaluate("localStorage.getItem('children-v1')") is None


# ---- the inbox key comes from the keyslot (issue 12, point 1) ----

# A key the host controls: X25519 public key of a secret it knows.
HOST_SECRET = bytes(range(1, 33))


def _host_public_key_b64() -> str:
    import base64
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    public = X25519PrivateKey.from_private_bytes(HOST_SECRET).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(public).decode()


def _serve_altered_site_json(pg, change):
    """Like a host that controls the files: site.json as it chooses, everything else as published."""
    def handle(route):
        response = route.fetch()
        site = response.json()
        change(site)
        route.fulfill(response=response, body=json.dumps(site), headers={**response.headers, "content-type": "application/json"})
    pg.route("**/site.json", handle)


def _api_posts(pg):
    sent = []
    pg.on("request", lambda r: sent.append(r.url) if "/api/v1/" in r.url and r.method != "GET" else None)
    return sent


def _send_absence_today(pg, receiver, token, child, note):
    """Logs in with `token`, fills the absence form for today (sick) and sends it."""
    pg.goto(receiver.url + "#token=" + token)
    pg.wait_for_selector(".view-timeline")
    pg.click("[data-nav=absence]")
    pg.wait_for_selector("form.absence-form")
    today = datetime.now(AMS).date().isoformat()
    fill_absence(pg, child, today, today, "ziek", note)
    pg.click("form.absence-form button[type=submit]")


def test_a_host_that_swaps_the_inbox_key_in_site_json_gets_no_sick_note(booking_site, receiver, ctx):
    bs = booking_site
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    _serve_altered_site_json(pg, lambda site: site.update(inbox_public_key=_host_public_key_b64()))
    sent = _api_posts(pg)
    _send_absence_today(pg, receiver, bs.tokens["g5"], "Sanne de Vries", "Koorts")
    pg.wait_for_selector("[data-testid=form-status][data-kind=error]")
    assert pg.inner_text("[data-testid=form-status]") == NL["send.inbox_key_mismatch"]
    assert not pg.locator("[data-testid=absence-receipt]").count()
    # A booking is refused the same way: nothing sealed to the host's key, nothing sent.
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    pg.fill("#child-name", "Sanne de Vries")
    slot_button(pg, "18:30").click()
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=error]")
    assert pg.inner_text("[data-testid=form-status]") == NL["send.inbox_key_mismatch"]
    assert [u for u in sent if "/registrations" not in u] == [], "no report or booking left the device"
    assert json.loads(staff(bs, receiver, "inbox", "--json")) == []
    assert bookings(bs, receiver) == []
    assert errors == []


def test_reports_are_sealed_to_the_keyslots_key_even_when_site_json_names_none(booking_site, receiver, ctx):
    """site.json without the key (or with any other field changed) does not change where reports go:
    the report opens in `portal inbox` (sealed to the keyslot's group key)."""
    bs = booking_site
    pg = ctx.new_page()
    _serve_altered_site_json(pg, lambda site: (site.pop("inbox_public_key"), site.update(receiver="/elsewhere")))
    _send_absence_today(pg, receiver, bs.tokens["g5"], "Noor Bakker", "")
    pg.wait_for_selector("[data-testid=absence-receipt]")
    rows = json.loads(staff(bs, receiver, "inbox", "--json"))
    assert [(r["child"], r["group"]) for r in rows] == [("Noor Bakker", "groep-5")]


def test_after_booking_the_timeline_card_shows_the_appointment(booking_site, receiver, ctx):
    """Issue 19 point 5: the conference card said "Kies een tijd" after booking; now it names the
    appointment and offers to view or change it (what this device last saw; the booking page
    corrects it when it loads)."""
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5-b"])
    card = pg.locator(f".card-conference[data-path='{bs.schedules['groep-5']}']")
    assert card.locator("[data-testid=book-link]").inner_text().startswith(NL["booking.open"])
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    book(pg, "Noor Bakker", "18:30")
    pg.goto(receiver.url + "#/")
    pg.wait_for_selector(".view-timeline")
    text = card.locator("[data-testid=booked]").inner_text()
    assert text.startswith(NL["booking.card_booked"].split("{")[0]) and "18:30" in text, text
    assert card.locator("[data-testid=book-link]").inner_text().startswith(NL["booking.card_change"])
    # Cancelled (here or on another device): the booking page forgets it, the card asks again.
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    pg.click("[data-testid=receipt] [data-testid=cancel]")
    pg.click("[data-testid=cancel-confirm]")
    pg.wait_for_selector("[data-testid=receipt]", state="detached")
    pg.goto(receiver.url + "#/")
    pg.wait_for_selector(".view-timeline")
    assert card.locator("[data-testid=booked]").count() == 0


def test_a_cancel_during_a_move_leaves_no_move_behind(booking_site, receiver, ctx):
    """Issue 19 point 5: after "change time" and then "cancel", picking a slot books anew (the
    confirm says "book", not "move", and the booking is made), instead of moving a cancelled booking."""
    bs = booking_site
    pg = open_app(ctx, receiver.url, bs.tokens["g5-b"])
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    book(pg, "Noor Bakker", "18:30")
    pg.click("[data-testid=receipt] [data-testid=rebook]")
    slot_button(pg, "18:40").click()
    assert pg.inner_text("[data-testid=confirm-booking]") == NL["booking.confirm_move"]
    pg.click("[data-testid=receipt] [data-testid=cancel]")
    pg.click("[data-testid=cancel-confirm]")
    pg.wait_for_selector("[data-testid=receipt]", state="detached")
    assert pg.locator("[data-testid=confirm-booking]").count() == 0, "no stale move panel"
    slot_button(pg, "18:50").click()
    assert pg.inner_text("[data-testid=confirm-booking]") == NL["booking.confirm"]
    pg.click("[data-testid=confirm-booking]")
    pg.wait_for_selector("[data-testid=receipt]")
    assert [(r["child"], r["slot"][-5:]) for r in bookings(bs, receiver)] == [("Noor Bakker", "18:50")]
