"""Accessibility: axe-core (bundled by axe-playwright-python, offline) finds no serious problems."""
import os

import pytest
from conftest import login, phone_context

axe_playwright_python = pytest.importorskip("axe_playwright_python.sync_playwright")


def serious(page):
    results = axe_playwright_python.Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_login_screen_has_no_serious_violations(site, page):
    page.goto(site.url)
    page.wait_for_selector("#token")
    assert serious(page) == []


def test_timeline_calendar_and_item_have_no_serious_violations(site, page):
    login(page, site.url, site.tokens["family"])
    assert serious(page) == []
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    assert serious(page) == []
    page.click(".view-calendar .event h3 a >> nth=0")
    page.wait_for_selector(".fragment[data-state]")
    assert serious(page) == []


def violations(page):
    """Every axe-core violation, of any impact (WCAG 2.1 A/AA and best practices)."""
    results = axe_playwright_python.Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def album_path(site, name):
    return next(i["path"] for a in site.opened[name].audiences.values() for i in a.manifest["items"] if i["kind"] == "album")


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_every_view_has_no_axe_violations_of_any_impact(site, page, lang):
    page.goto(site.url)
    page.wait_for_selector("#token")
    if lang != "nl":
        page.select_option("[data-testid=lang-switch]", lang)
        page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
    found = {"login": violations(page)}
    page.type("#token", site.tokens["family"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    found["timeline"] = violations(page)
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=list]")
    found["calendar-list"] = violations(page)
    page.click("button[data-mode=month]")
    page.wait_for_selector(".month-grid")
    found["calendar-month"] = violations(page)
    page.click("button[data-mode=list]")
    page.click(".view-calendar .event h3 a >> nth=0")
    page.wait_for_selector(".fragment[data-state]")
    found["item"] = violations(page)
    page.goto(site.url + "#/albums")
    page.wait_for_selector("[data-testid=albums]")
    found["albums"] = violations(page)
    page.goto(site.url + "#/item/" + album_path(site, "family"))
    page.wait_for_selector("[data-testid=gallery] img[src^='blob:']")
    found["album"] = violations(page)
    page.locator("[data-testid=gallery] button.thumb").first.click()
    page.wait_for_selector("[data-testid=lightbox-img][data-state=ready]")
    found["lightbox"] = violations(page)
    page.keyboard.press("Escape")
    page.goto(site.url + "#/info")
    page.wait_for_selector(".view-info")
    found["info"] = violations(page)
    page.goto(site.url + "#/settings")
    page.wait_for_selector(".view-settings")
    found["settings"] = violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_dark_mode_has_no_axe_violations(site, page):
    page.emulate_media(color_scheme="dark")
    page.goto(site.url)
    page.wait_for_selector("#token")
    assert violations(page) == []
    page.type("#token", site.tokens["family"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(246, 247, 249)"
    assert violations(page) == []
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=month]")
    assert violations(page) == []
    page.click("button[data-mode=list]")
    page.goto(site.url + "#/item/" + album_path(site, "family"))
    page.wait_for_selector("[data-testid=gallery] img[src^='blob:']")
    assert violations(page) == []


def test_reduced_motion_turns_transitions_off(site, page):
    page.emulate_media(reduced_motion="reduce")
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/item/" + album_path(site, "groep-3"))
    page.wait_for_selector("[data-testid=gallery] img")
    assert page.evaluate("getComputedStyle(document.querySelector('.thumb img')).transitionDuration") in ("0s", "0s, 0s")


@pytest.mark.parametrize("route", ["#/", "#/calendar", "#/albums", "#/settings", "album"])
def test_200_percent_text_keeps_the_page_within_the_screen(site, page, route):
    login(page, site.url, site.tokens["family"])
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.goto(site.url + ("#/item/" + album_path(site, "family") if route == "album" else route))
    page.wait_for_selector("main[data-route] .view")
    page.wait_for_timeout(100)
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shots = os.path.join(os.path.dirname(__file__), "screenshots")
    os.makedirs(shots, exist_ok=True)
    page.screenshot(path=os.path.join(shots, f"text200-{route.strip('#/') or 'timeline'}-390.png"))
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.view-title')).fontSize)") >= 2 * 1.6 * 16 * 0.99


def test_keyboard_focus_is_visible(site, page):
    login(page, site.url, site.tokens["groep-3"])
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""))
    focusable = [s for s in seen if s[0] in ("A", "BUTTON", "SELECT", "INPUT")]
    assert focusable and all(style != "none" and width >= 2 for _, style, width in focusable), seen


@pytest.mark.parametrize("lang,scheme", [("nl", "light"), ("ar", "light"), ("en", "dark")])
def test_booking_and_absence_views_have_no_axe_violations(booking_site, receiver, browser, lang, scheme):
    """The two forms, in every state a parent meets: slot grid, confirm box, receipt, pairs for a
    family, error message, absence form, its validation and its receipt."""
    ctx = phone_context(browser, 8000, color_scheme=scheme)
    try:
        page = ctx.new_page()
        page.goto(receiver.url + "#token=" + booking_site.tokens["g3g8"])
        page.wait_for_selector(".view-timeline")
        if lang != "nl":
            page.select_option("[data-testid=lang-switch]", lang)
            page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
        found = {}
        page.goto(receiver.url + "#/book/" + booking_site.schedules["groep-3"])
        page.wait_for_selector("[data-testid=slot-grid]:not([aria-busy]) .slot")
        page.wait_for_selector("button.pair")
        found["booking"] = violations(page)
        page.locator("button.pair").first.click()
        found["booking-confirm-pair"] = violations(page)
        page.fill("#child-name", "")
        page.click("[data-testid=confirm-booking]")
        found["booking-error"] = violations(page)
        page.fill("#child-name", "Emre")
        page.fill("#child-name-groep-8", "Elif")
        page.click("[data-testid=confirm-booking]")
        page.wait_for_selector("[data-testid=receipt]")
        found["booking-receipt"] = violations(page)
        page.click("[data-testid=cancel]")
        found["booking-cancel-confirm"] = violations(page)
        page.goto(receiver.url + "#/absence")
        page.wait_for_selector("form.absence-form")
        found["absence"] = violations(page)
        page.fill("#absence-child", "")
        page.click("form.absence-form button[type=submit]")
        found["absence-invalid"] = violations(page)
        page.fill("#absence-child", "Emre")
        page.click("form.absence-form button[type=submit]")
        page.wait_for_selector("[data-testid=absence-receipt]")
        found["absence-receipt"] = violations(page)
        assert {k: v for k, v in found.items() if v} == {}
    finally:
        ctx.close()


def test_the_booking_page_works_with_the_keyboard_alone(booking_site, receiver, browser):
    ctx = phone_context(browser, 8000)
    try:
        page = ctx.new_page()
        page.goto(receiver.url + "#token=" + booking_site.tokens["g5-b"])
        page.wait_for_selector(".view-timeline")
        page.goto(receiver.url + "#/book/" + booking_site.schedules["groep-5"])
        page.wait_for_selector("[data-testid=slot-grid]:not([aria-busy]) .slot")
        page.focus("#child-name")
        page.keyboard.type("Daan")
        page.keyboard.press("Tab")  # the first free slot
        assert page.evaluate("document.activeElement.classList.contains('slot')")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # picks the second slot; focus moves to the confirm button
        assert page.evaluate("document.activeElement.dataset.testid") == "confirm-booking"
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid=receipt]")
        assert page.evaluate("document.activeElement.dataset.testid") == "receipt"
    finally:
        ctx.close()


def test_the_live_refresh_of_the_slot_grid_keeps_the_keyboard_focus(booking_site, receiver, browser):
    ctx = phone_context(browser, 8000)
    try:
        page = ctx.new_page()
        page.goto(receiver.url + "#token=" + booking_site.tokens["g5"])
        page.wait_for_selector(".view-timeline")
        page.goto(receiver.url + "#/book/" + booking_site.schedules["groep-5"])
        page.wait_for_selector("[data-testid=slot-grid]:not([aria-busy]) .slot")
        page.focus(".slot[data-slot$='T19:00']")
        before = page.evaluate("document.querySelector('.slot[data-slot$=\"T19:00\"]')")
        page.evaluate("""() => { window.__redrawn = new Promise(ok => new MutationObserver((m, o) => { o.disconnect(); ok(); })
            .observe(document.querySelector('[data-testid=slot-grid]'), { childList: true })); }""")
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page.evaluate("window.__redrawn")
        assert page.evaluate("document.activeElement.getAttribute('data-slot')").endswith("T19:00")
        assert before is not None
    finally:
        ctx.close()
