"""Moving around the app as a parent does on a phone: back from an item returns to the same place
on the timeline (issue 19 point 3); a new visit of the timeline from the menu starts at the top."""
from conftest import login, phone_context


def test_back_from_an_item_returns_to_the_same_place_on_the_timeline(site, browser, tmp_path):
    ctx = phone_context(browser)
    page = ctx.new_page()
    login(page, site.url, site.tokens["family"])
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * 844, "the timeline is several screens long"
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) < 2")
    # Tap the first news card below the middle of the screen, as a thumb would (at 420 px there
    # may be the gap between two cards).
    path, y = page.evaluate("""() => {
        const card = [...document.querySelectorAll('.view-timeline [data-testid=timeline] .card')]
          .find((c) => c.getBoundingClientRect().top >= 420);
        const y = Math.round(card.getBoundingClientRect().top + 30);
        const a = document.elementFromPoint(195, y).closest('.card').querySelector('a[href^="#/item/"]');
        a.click();
        return [a.getAttribute('href'), y];
    }""")
    page.wait_for_selector(".view-item .fragment[data-state=ready]")
    assert page.evaluate("location.hash") == path
    assert page.evaluate("window.scrollY") == 0, "the item opens at its top"
    page.go_back()
    page.wait_for_selector(".view-timeline .card")
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) < 2", timeout=3000)
    page.screenshot(path=str(tmp_path / "timeline-after-back.png"))
    # Focus is back on the link the parent left through, and the same card is under the thumb.
    assert page.evaluate("document.activeElement.getAttribute('href')") == path
    assert page.evaluate("""(y) => document.elementFromPoint(195, y).closest('.card')
        .querySelector('a[href^="#/item/"]').getAttribute('href')""", y) == path

    # The menu's "Berichten" from an item is a new visit: it starts at the top.
    page.evaluate("p => { location.hash = p; }", path)
    page.wait_for_selector(".view-item .fragment[data-state=ready]")
    page.click("nav a[data-nav=timeline]")
    page.wait_for_selector(".view-timeline .card")
    assert page.evaluate("window.scrollY") == 0
    ctx.close()


LANGS = ["nl", "en", "ar", "tr", "pl", "uk"]


def test_every_menu_tab_fits_a_small_phone_in_every_language(site, browser, tmp_path):
    """Issue 19 point 2: at 360 px every tab of the menu is inside the screen with its whole label,
    in all six languages (Polish, Ukrainian and Turkish used to run off the right edge)."""
    ctx = phone_context(browser, viewport={"width": 360, "height": 780})
    page = ctx.new_page()
    login(page, site.url, site.tokens["groep-5"])
    for lang in LANGS:
        page.select_option("[data-testid=lang-switch]", lang)
        page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
        tabs = page.evaluate("""() => [...document.querySelectorAll('.top nav a')].map((a) => {
            const r = a.getBoundingClientRect();
            return {text: a.innerText, left: r.left, right: r.right, clipped: a.scrollWidth > a.clientWidth + 1};
        })""")
        assert len(tabs) == 5, lang
        for tab in tabs:
            assert tab["left"] >= 0 and tab["right"] <= 360, (lang, tab)
            assert not tab["clipped"], (lang, tab)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, lang
        # The school's name keeps its own (left-to-right) direction, so Arabic cuts it at its end.
        assert page.evaluate("getComputedStyle(document.querySelector('.brand span')).direction") == "ltr", lang
        page.screenshot(path=str(tmp_path / f"menu-360-{lang}.png"), clip={"x": 0, "y": 0, "width": 360, "height": 120})
    ctx.close()


def test_settings_show_which_language_is_in_use(site, browser, tmp_path):
    """Issue 19 point 10: the language buttons in settings show the one in use, filled and ticked."""
    ctx = phone_context(browser)
    page = ctx.new_page()
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/settings")
    page.wait_for_selector(".view-settings .langs button")

    def looks():
        return page.evaluate("""() => [...document.querySelectorAll('.langs button')].map((b) => ({
            lang: b.lang, pressed: b.getAttribute('aria-pressed'), bg: getComputedStyle(b).backgroundColor,
            tick: getComputedStyle(b, '::before').content }))""")
    for lang in ("nl", "pl"):
        if lang != "nl":
            page.click(f".langs button[lang={lang}]")
            page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
        buttons = looks()
        chosen = [b for b in buttons if b["pressed"] == "true"]
        others = [b for b in buttons if b["pressed"] != "true"]
        assert [b["lang"] for b in chosen] == [lang]
        assert chosen[0]["tick"] == '"\u2713\u00a0"' and all(b["tick"] in ("none", "normal") for b in others)
        assert all(b["bg"] != chosen[0]["bg"] for b in others), buttons
    page.locator(".langs").screenshot(path=str(tmp_path / "settings-languages.png"))
    ctx.close()
