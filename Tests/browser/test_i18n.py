"""Interface languages: complete translation files, the switcher, right-to-left Arabic, dates per language."""
import itertools
import os
import re

import pytest
from conftest import APP, STRING_FOLDERS, login, own_strings, strings

LANGS = ["nl", "en", "ar", "tr", "pl", "uk"]
SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")


def placeholders(v):
    forms = v.values() if isinstance(v, dict) else [v]
    return set().union(*(set(re.findall(r"\{(\w+)\}", f)) for f in forms))


def test_every_language_file_is_complete():
    """Every set, the app's and those of the staff views and the form page (loaded with them), in
    every language, and no key in two (the later one would silently win)."""
    for folder in STRING_FOLDERS:
        assert sorted(f[:-5] for f in os.listdir(os.path.join(APP, folder))) == sorted(LANGS), folder
    for lang in LANGS:
        for a, b in itertools.combinations(STRING_FOLDERS, 2):
            overlap = set(own_strings(a, lang)) & set(own_strings(b, lang))
            assert not overlap, (lang, a, b, overlap)
    nl = strings("nl")
    for lang in LANGS:
        s = strings(lang)
        assert set(s) == set(nl), (lang, set(nl) ^ set(s))
        for k, v in s.items():
            if isinstance(v, dict):
                assert "other" in v and all(isinstance(f, str) and f.strip() for f in v.values()), (lang, k)
            else:
                assert isinstance(v, str) and v.strip(), (lang, k)
            # {n} may be spelled out in a singular form ("1 foto"); every other placeholder must stay
            assert placeholders(v) - {"n"} == placeholders(nl[k]) - {"n"}, (lang, k)
        if lang not in ("nl", "en"):
            same = [k for k in s if s[k] == nl[k] and s[k] == strings("en")[k] and not re.fullmatch(r"[{}\w /.]*", str(s[k]))]
            assert not same, (lang, same)


def test_all_ui_strings_come_from_the_translation_files():
    """No Dutch or English sentence is written into the app's scripts (index.html has a bilingual fallback)."""
    nl, en = strings("nl"), strings("en")
    texts = {v for s in (nl, en) for v in s.values() if isinstance(v, str) and len(v) > 12 and "{" not in v}
    scripts = [os.path.join(d, f) for d, _, fs in os.walk(APP) for f in fs if f.endswith(".js")]
    assert any("staff" in f for f in scripts)
    for f in scripts:
        src = open(f, encoding="utf-8").read()
        src = re.sub(r"/\*.*?\*/|^\s*//.*$", "", src, flags=re.S | re.M)  # comments may quote the UI
        assert not [t for t in texts if t in src], f


@pytest.mark.parametrize("lang", ["en", "ar", "tr", "pl", "uk"])
def test_switching_language_on_the_login_screen(site, page, lang):
    s = strings(lang)
    page.goto(site.url)
    page.wait_for_selector("#token")
    page.select_option("[data-testid=lang-switch]", lang)
    page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
    assert page.locator("label[for=token]").inner_text() == s["login.label"]
    assert page.locator("form.login-form button[type=submit]").inner_text() == s["login.submit"]
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    page.reload()
    page.wait_for_selector("#token")
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("[data-testid=lang-switch]").input_value() == lang


def test_the_browser_language_is_followed(site, browser):
    ctx = browser.new_context(locale="uk-UA", service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(site.url)
        page.wait_for_selector("#token")
        assert page.evaluate("document.documentElement.lang") == "uk"
        assert page.locator("label[for=token]").inner_text() == strings("uk")["login.label"]
    finally:
        ctx.close()


def test_arabic_is_right_to_left_with_arabic_dates(site, page):
    ar = strings("ar")
    page.goto(site.url)
    page.wait_for_selector("#token")
    page.select_option("[data-testid=lang-switch]", "ar")
    page.wait_for_function("() => document.documentElement.dir === 'rtl'")
    page.type("#token", site.tokens["groep-3"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    assert page.locator(".view-timeline h1").inner_text() == ar["timeline.heading"]
    assert page.locator("nav a[href='#/calendar']").inner_text() == ar["nav.calendar"]
    # the brand sits on the right, the language menu on the left
    brand = page.locator(".brand").bounding_box()
    switch = page.locator("[data-testid=lang-switch]").bounding_box()
    assert brand["x"] > switch["x"]
    assert page.evaluate("getComputedStyle(document.querySelector('.view-title')).direction") == "rtl"
    date = page.locator(".view-timeline .card time").first.inner_text()
    assert re.search(r"[\u0600-\u06FF]", date) and re.search(r"\d{4}", date), date
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "timeline-ar-390.png"))
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    assert page.locator(".view-calendar h1").inner_text() == ar["calendar.heading"]
    page.screenshot(path=os.path.join(SHOTS, "calendar-ar-390.png"))
    page.click(".view-calendar .event h3 a >> nth=0")
    page.wait_for_selector(".fragment[data-state]")
    assert page.locator(".view-item .back a").inner_text().strip().endswith(ar["item.back"])
    page.screenshot(path=os.path.join(SHOTS, "item-ar-390.png"))


@pytest.mark.parametrize("lang,pattern", [("tr", r"(Pazartesi|Salı|Çarşamba|Perşembe|Cuma|Cumartesi|Pazar)"),
                                          ("pl", r"(poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)"),
                                          ("uk", r"(понеділок|вівторок|середа|четвер|пʼятниця|п’ятниця|субота|неділя)")])
def test_dates_follow_the_language(site, page, lang, pattern):
    login(page, site.url, site.tokens["groep-3"])
    page.select_option("[data-testid=lang-switch]", lang)
    page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
    date = page.locator(".view-timeline .card time").first.inner_text()
    assert re.search(pattern, date, re.I), date
    count = page.locator(".view-timeline .album-count").first.inner_text()
    assert re.search(r"\d", count) or count == strings(lang)["album.photo"]


# Issue 19 point 7: dates and ranges through Intl (formatRange), headings in sentence case. The
# expected forms are the languages' written rules: Polish and Ukrainian months in the genitive
# after a day ("1 lutego", "1 лютого"), the Ukrainian year abbreviation "р." in lower case,
# weekdays not forced into a nominative after "od"/"з".
GRAMMAR = """async () => {
  const I = await import(new URL('i18n.js', document.querySelector('script[type=module]').src).href);
  return { month: I.sentence(I.formatMonth('2026-12-01')), days: I.formatDayRange('2027-02-01', '2027-02-03'),
           date: I.formatDate('2027-07-31'), moments: I.formatMomentRange('2027-02-01T18:00:00Z', '2027-02-05T11:00:00Z') };
}"""


@pytest.mark.parametrize("lang,month,days,date", [
    ("nl", "December 2026", "maandag 1 – woensdag 3 februari 2027", "31 juli 2027"),
    ("pl", "Grudzień 2026", "poniedziałek, 1 lutego – środa, 3 lutego 2027", "31 lipca 2027"),
    ("uk", "Грудень 2026 р.", "понеділок, 1 – середа, 3 лютого 2027 р.", "31 липня 2027 р."),
    ("tr", "Aralık 2026", "1 Şubat 2027 Pazartesi – 3 Şubat 2027 Çarşamba", "31 Temmuz 2027"),
])
def test_dates_and_ranges_follow_each_languages_grammar(site, page, lang, month, days, date):
    login(page, site.url, site.tokens["groep-3"])
    page.select_option("[data-testid=lang-switch]", lang)
    page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
    got = page.evaluate(GRAMMAR)
    assert (got["month"], got["days"], got["date"]) == (month, days, date), got
    assert " – " in got["moments"] and "od " not in got["moments"], got
    # The calendar's month heading as shown: no CSS capitalising every word ("Р.").
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=month]")
    page.wait_for_selector("[data-testid=month-label]")
    label = page.inner_text("[data-testid=month-label]")
    assert label == label[:1].upper() + label[1:] and page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=month-label]')).textTransform") == "none", label
    if lang == "uk":
        assert label.endswith(" р."), label
