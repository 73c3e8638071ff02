"""Issue 19 point 7: dates, ranges, month headings and lists in each language's own grammar.

The strings come from the app's i18n.js in Chromium (Intl's formatRange and ListFormat, not
assembled from translation keys) and were checked against each language's written rules; every
case says why its form is right.
"""
from conftest import login

SAMPLES = """async () => {
  const I = await import(new URL('i18n.js', document.querySelector('script[type=module]').src).href);
  return { month: I.sentence(I.formatMonth('2026-12-01')),
           days: I.formatDayRange('2026-12-14', '2026-12-18'),
           moments: I.formatMomentRange('2026-12-14T18:30:00Z', '2026-12-14T20:00:00Z'),
           list: I.formatList(['A', 'B', 'C']) };
}"""

CASES = {
    # Dutch: month names lower case inside a date, the heading in sentence case; a range shares the
    # month and year ("14 – vrijdag 18 december"); one evening is one day with a time span; "en".
    "nl": ("December 2026", "maandag 14 – vrijdag 18 december 2026",
           "maandag 14 december 2026, 19:30–21:00", "A, B en C"),
    # British English: day before month, weekday capitalised, the year once; "and" without Oxford comma.
    "en": ("December 2026", "Monday 14 December – Friday 18 December 2026",
           "Monday, 14 December 2026, 19:30–21:00", "A, B and C"),
    # Arabic: Arabic comma "،", the month and year once after the second day; "و" joined to each
    # following item (no comma) as Arabic writes a list; Latin digits as LOCALES asks.
    "ar": ("ديسمبر 2026", "الاثنين، 14 – الجمعة، 18 ديسمبر، 2026",
           "الاثنين، 14 ديسمبر 2026، 19:30–21:00", "A وB وC"),
    # Turkish: day month year then weekday (14 Aralık 2026 Pazartesi), month names capitalised; "ve".
    "tr": ("Aralık 2026", "14 Aralık 2026 Pazartesi – 18 Aralık 2026 Cuma",
           "14 Aralık 2026 Pazartesi 19:30–21:00", "A, B ve C"),
    # Polish: a dash range instead of "od poniedziałek" (after "od" the weekday needs the genitive,
    # "od poniedziałku"; the dash needs no case); the month in the genitive after a day ("14 grudnia"),
    # the nominative only in the heading ("Grudzień 2026"); "i".
    "pl": ("Grudzień 2026", "poniedziałek, 14 grudnia – piątek, 18 grudnia 2026",
           "poniedziałek, 14 grudnia 2026, 19:30–21:00", "A, B i C"),
    # Ukrainian: the heading is the nominative "грудень 2026 р." with only its first letter raised:
    # "р." (рік) stays lower case, never "Р."; the genitive "грудня" after a day; "і".
    "uk": ("Грудень 2026 р.", "понеділок, 14 – пʼятниця, 18 грудня 2026 р.",
           "понеділок, 14 грудня 2026 р., 19:30–21:00", "A, B і C"),
}


def choose(page, url, lang):
    page.goto(url)
    page.wait_for_selector("#token")
    if lang != "nl":
        page.select_option("[data-testid=lang-switch]", lang)
    page.wait_for_function("l => document.documentElement.lang === l", arg=lang)


def test_dates_ranges_and_lists_in_each_language(site, page):
    for lang, (month, days, moments, items) in CASES.items():
        choose(page, site.url, lang)
        got = page.evaluate(SAMPLES)
        assert (got["month"], got["days"], got["moments"], got["list"]) == (month, days, moments, items), (lang, got)


def test_ukrainian_month_heading_as_shown(site, page):
    """The calendar's heading as drawn: no CSS capitalising every word into "Р."."""
    login(page, site.url, site.tokens["groep-3"])
    page.select_option("[data-testid=lang-switch]", "uk")
    page.wait_for_function("() => document.documentElement.lang === 'uk'")
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=month]")
    label = page.inner_text("[data-testid=month-label]")
    assert label[:1].isupper() and label.endswith(" р.") and " Р." not in label, label


def test_school_name_is_cut_at_its_end_in_arabic(site, page):
    """A Latin school name in the right-to-left header keeps its own direction, so the ellipsis cuts
    its end ("OBS De Reg…") and not its beginning ("…e Regenboog")."""
    page.set_viewport_size({"width": 240, "height": 640})
    choose(page, site.url, "ar")
    name = page.locator(".brand span")
    assert name.evaluate("e => [getComputedStyle(e).direction, getComputedStyle(e).textOverflow]") == ["ltr", "ellipsis"]
    assert page.evaluate("getComputedStyle(document.querySelector('.top')).direction") == "rtl"
