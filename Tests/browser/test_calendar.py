"""The calendar: list and month views, the group filter, and .ics files parsed back by `icalendar`."""
import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
from conftest import NL, login

icalendar = pytest.importorskip("icalendar")
AMS = ZoneInfo("Europe/Amsterdam")
SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")


def events_of(site, name):
    out = []
    for aud in site.opened[name].audiences.values():
        for item in aud.manifest["items"]:
            if item.get("event") and item["event"].get("start"):
                out.append((aud, item))
    return out


def is_all_day(ev):
    return ev.get("all_day") or re.fullmatch(r"\d{4}-\d{2}-\d{2}", ev["start"])


def instant(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def download_text(page, selector):
    with page.expect_download() as d:
        page.click(selector)
    raw = open(d.value.path(), "rb").read()
    return d.value.suggested_filename, raw


def check_ics_bytes(raw):
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF line ends"
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a UTF-8 sequence


def test_all_events_ics_has_the_right_times_zones_and_uids(site, page):
    name = "family"
    events = events_of(site, name)
    assert any(is_all_day(i["event"]) for _, i in events) and any(not is_all_day(i["event"]) for _, i in events)
    site_id = site.opened[name].site["site_id"]
    login(page, site.url, site.tokens[name])
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    fname, raw = download_text(page, "[data-testid=ics-all]")
    assert fname == "agenda.ics"
    check_ics_bytes(raw)
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0"
    tzs = [c for c in cal.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in tzs] == ["Europe/Amsterdam"]
    vevents = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(vevents) == {f"{i['path']}@{site_id}" for _, i in events}
    for aud, item in events:
        e = vevents[f"{item['path']}@{site_id}"]
        ev = item["event"]
        assert str(e["SUMMARY"]) == item["title"]
        assert e["DTSTAMP"].dt.tzinfo is not None
        if ev.get("location"):
            assert str(e["LOCATION"]) == ev["location"]
        start = e["DTSTART"].dt
        if is_all_day(ev):
            assert type(start) is dt.date and start.isoformat() == ev["start"][:10]
            last = dt.date.fromisoformat((ev.get("end") or ev["start"])[:10])
            assert e["DTEND"].dt == last + dt.timedelta(days=1)
            assert e["DTSTART"].params.get("VALUE") == "DATE"
        else:
            assert e["DTSTART"].params["TZID"] == "Europe/Amsterdam"
            assert start.tzinfo is not None and start == instant(ev["start"])
            assert start.astimezone(AMS).utcoffset() == start.utcoffset()
            if ev.get("end"):
                assert e["DTEND"].dt == instant(ev["end"])


def test_one_event_ics_from_the_list_and_from_the_item(site, page):
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/calendar")
    page.wait_for_selector(".upcoming .event")
    first = page.locator(".upcoming .event").first
    path = first.get_attribute("data-path")
    fname, raw = download_text(page, ".upcoming .event >> nth=0 >> [data-testid=ics-one]")
    check_ics_bytes(raw)
    assert fname == path.split("/")[-1] + ".ics"
    cal = icalendar.Calendar.from_ical(raw)
    assert [str(e["UID"]).split("@")[0] for e in cal.walk("VEVENT")] == [path]
    page.goto(site.url + "#/item/" + path)
    page.wait_for_selector(".fragment[data-state]")
    _, raw2 = download_text(page, ".view-item [data-testid=ics-one]")
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(raw2).walk("VEVENT")] == \
        [str(e["UID"]) for e in cal.walk("VEVENT")]


def test_month_view_shows_event_days_and_moves_between_months(site, page):
    events = events_of(site, "groep-3")
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=month]")
    page.wait_for_selector(".month-grid")
    assert page.locator(".month-grid thead th").count() == 7
    assert page.locator(".month-grid thead th").first.inner_text().lower().startswith("ma")
    # walk to the month of the first event and back
    target = min(i["event"]["start"] for _, i in events)[:7]
    for _ in range(36):
        month = page.locator(".calendar-month").get_attribute("data-month")
        if month == target:
            break
        page.click("[data-testid=month-prev]" if month > target else "[data-testid=month-next]")
    assert page.locator(".calendar-month").get_attribute("data-month") == target
    titles_in_month = {i["title"] for _, i in events if i["event"]["start"][:7] == target}
    assert set(page.locator(".calendar-month .events h3").all_inner_texts()) >= titles_in_month
    day_buttons = page.locator(".month-grid button.day")
    assert day_buttons.count() >= 1
    day_buttons.first.click()
    day = day_buttons.first.get_attribute("data-day")
    shown = page.locator(".calendar-month .events .event").evaluate_all("els => els.map(e => e.dataset.path)")
    assert shown and all(
        any(p == i["path"] and i["event"]["start"][:10] <= day <= (i["event"].get("end") or i["event"]["start"])[:10]
            for _, i in events) for p in shown)
    # the choice survives a reload in this visit
    page.reload()
    page.wait_for_selector(".month-grid")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "calendar-month-390.png"), full_page=True)


def test_filter_per_group(site, page):
    login(page, site.url, site.tokens["family"])
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar-filter]")
    g8 = {i["path"] for a, i in events_of(site, "family") if a.id == "groep-8"}
    g3 = {i["path"] for a, i in events_of(site, "family") if a.id == "groep-3"}
    paths = lambda: set(page.locator(".view-calendar .event").evaluate_all("els => els.map(e => e.dataset.path)"))  # noqa: E731
    assert g8 and g3 and g8 <= paths()
    page.uncheck("[data-testid=calendar-filter] input[value=groep-8]")
    assert not (g8 & paths()) and g3 <= paths()
    # "all events" follows the filter
    _, raw = download_text(page, "[data-testid=ics-all]")
    uids = {str(e["UID"]).split("@")[0] for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}
    assert not (uids & g8) and g3 <= uids
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "calendar-list-390.png"))
    page.check("[data-testid=calendar-filter] input[value=groep-8]")
    assert g8 <= paths()
    assert NL["calendar.filter"] in page.locator("[data-testid=calendar-filter] legend").inner_text()


def test_ics_folding_and_escaping_in_the_browser(site, page):
    page.goto(site.url)
    page.wait_for_selector("#token")
    text = page.evaluate("""async () => {
        const I = await import(new URL('ics.js', document.querySelector('script[type=module]').src).href);
        const item = {path: 'calendar/lang', title: 'Één, twee; drie\\\\vier ' + 'ë'.repeat(80),
          summary: 'regel 1\\nregel 2', event: {start: '2027-03-28T00:30:00Z', end: '2027-03-28T01:30:00Z', all_day: false}};
        return I.calendarFile([{item, label: 'Groep 3'}], {siteId: 'abc', name: 'School', now: new Date('2027-01-01T00:00:00Z')}); }""")
    raw = text.encode("utf-8")
    check_ics_bytes(raw)
    e = next(iter(icalendar.Calendar.from_ical(raw).walk("VEVENT")))
    assert str(e["SUMMARY"]) == "Één, twee; drie\\vier " + "ë" * 80
    assert str(e["DESCRIPTION"]) == "regel 1\nregel 2\nGroep 3"
    # the night the clocks go forward: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST
    assert "DTSTART;TZID=Europe/Amsterdam:20270328T013000" in text
    assert "DTEND;TZID=Europe/Amsterdam:20270328T033000" in text
    assert e["DTEND"].dt == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.timezone.utc)
    assert "DTSTAMP:20270101T000000Z" in text


def open_month(page, site, month: str, token: str = "groep-3"):
    """The calendar's month view at `month` (YYYY-MM) for `token`."""
    login(page, site.url, site.tokens[token])
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=month]")
    page.wait_for_selector(".month-grid")
    for _ in range(36):
        shown = page.locator(".calendar-month").get_attribute("data-month")
        if shown == month:
            return
        page.click("[data-testid=month-prev]" if shown > month else "[data-testid=month-next]")
    raise AssertionError(f"month {month} not reached")


def test_a_holiday_is_a_band_across_its_days_not_a_dot_on_each(site, page):
    """Issue 19 point 10: the Christmas holiday (19 December to 3 January) marks its days with one
    band; the last school day before it (a one-day event) keeps its dot."""
    events = events_of(site, "groep-3")
    holiday = next(i for _, i in events if i["title"] == "Kerstvakantie")
    last_day = next(i for _, i in events if i["title"].startswith("Laatste schooldag voor de kerstvakantie"))
    open_month(page, site, "2026-12")
    start = holiday["event"]["start"][:10]
    cell = page.locator(f".month-grid button.day[data-day='{start}']")
    assert cell.locator(".span-bar").count() == 1 and cell.locator(".dot").count() == 0
    assert "span-only" in cell.get_attribute("class")
    for d in ("2026-12-24", "2026-12-31"):
        assert page.locator(f".month-grid button.day[data-day='{d}'] .dot").count() == 0
        assert page.locator(f".month-grid button.day[data-day='{d}'] .span-bar").count() == 1
    one = page.locator(f".month-grid button.day[data-day='{last_day['event']['start'][:10]}']")
    assert one.locator(".dot").count() >= 1 and one.locator(".span-bar").count() == 0
    # the band's cells touch: no gap between 21 and 22 December (same week row)
    a = page.locator(".month-grid button.day[data-day='2026-12-21'] .span-bar").bounding_box()
    b = page.locator(".month-grid button.day[data-day='2026-12-22'] .span-bar").bounding_box()
    assert abs(a["y"] - b["y"]) < 1 and b["x"] - (a["x"] + a["width"]) <= 2
    # still named for screen readers
    assert "Kerstvakantie" in page.locator(".calendar-month .events").inner_text()
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "calendar-holiday-390.png"), full_page=False)


def test_a_tapped_day_brings_its_events_into_view_on_a_phone(site, browser):
    """Issue 19 point 10: on a small phone (360x640) a family with two groups (the filter above the
    grid) found the tapped day's events below the fold."""
    from conftest import phone_context
    ctx = phone_context(browser, viewport={"width": 360, "height": 640})
    try:
        page = ctx.new_page()
        open_month(page, site, "2026-12", token="family")
        # The parent scrolled to the grid's last weeks, as on a small phone to reach them.
        page.evaluate("document.querySelector(\".month-grid button.day[data-day='2026-12-31']\").scrollIntoView({ block: 'end' })")
        before = page.evaluate("document.querySelector('.calendar-month .events').getBoundingClientRect().top")
        assert before > 640 - 40, "the test needs the list below the fold to begin with"
        page.click(".month-grid button.day[data-day='2026-12-31']")
        page.wait_for_function("""() => { const r = document.querySelector('.calendar-month .events').getBoundingClientRect();
            return r.top >= 0 && r.top < innerHeight - 40; }""")
        assert "31" in page.locator(".month-list-title").inner_text()
    finally:
        ctx.close()
