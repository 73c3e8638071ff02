"""Phone-width screenshots (390x844) of every view in Dutch, English and Arabic, for people to look at.

Written to Tests/browser/screenshots/<lang>-<view>.png (ignored by git). The checks are light: the
view rendered, and nothing is wider than the screen.
"""
import os

import pytest
from conftest import login, phone_context

SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")


@pytest.mark.parametrize("lang", ["nl", "en", "ar"])
def test_screenshots_of_every_view(site, page, lang):
    os.makedirs(SHOTS, exist_ok=True)
    page.goto(site.url)
    page.wait_for_selector("#token")
    if lang != "nl":
        page.select_option("[data-testid=lang-switch]", lang)
        page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
    shot = lambda name: (page.wait_for_timeout(150),  # noqa: E731
                         page.screenshot(path=os.path.join(SHOTS, f"{lang}-{name}.png")),
                         page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
    assert shot("login")[2]
    page.type("#token", site.tokens["family"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    page.wait_for_function("() => [...document.querySelectorAll('.view-timeline img.cover')].every(i => i.naturalWidth > 0)")
    assert shot("timeline")[2]
    page.goto(site.url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar]")
    page.click("button[data-mode=list]")
    assert shot("calendar-list")[2]
    page.click("button[data-mode=month]")
    assert shot("calendar-month")[2]
    page.click("button[data-mode=list]")
    page.click(".view-calendar .event h3 a >> nth=0")
    page.wait_for_selector(".fragment[data-state]")
    assert shot("item")[2]
    page.goto(site.url + "#/albums")
    page.wait_for_function("() => [...document.querySelectorAll('.album-card img.cover')].every(i => i.naturalWidth > 0)")
    assert shot("albums")[2]
    page.click(".album-card >> nth=0")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=gallery] img')].every(i => i.naturalWidth > 0)")
    assert shot("album")[2]
    page.locator("[data-testid=gallery] button.thumb").first.click()
    page.wait_for_selector("[data-testid=lightbox-img][data-state=ready]")
    assert shot("lightbox")[2]
    page.keyboard.press("Escape")
    page.goto(site.url + "#/info")
    page.wait_for_selector(".view-info")
    assert shot("info")[2]
    page.goto(site.url + "#/settings")
    page.wait_for_selector(".view-settings")
    assert shot("settings")[2]


@pytest.mark.parametrize("lang", ["nl", "en", "ar"])
def test_screenshots_of_the_booking_and_absence_views(booking_site, receiver, browser, lang):
    os.makedirs(SHOTS, exist_ok=True)
    ctx = phone_context(browser, 8000)
    try:
        page = ctx.new_page()
        page.goto(receiver.url + "#token=" + booking_site.tokens["g3g8"])
        page.wait_for_selector(".view-timeline")
        if lang != "nl":
            page.select_option("[data-testid=lang-switch]", lang)
            page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
        shot = lambda name, full=False: (page.wait_for_timeout(150),  # noqa: E731
                                         page.screenshot(path=os.path.join(SHOTS, f"{lang}-{name}.png"), full_page=full),
                                         page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
        page.goto(receiver.url + "#/book/" + booking_site.schedules["groep-3"])
        page.wait_for_selector("button.pair")
        assert shot("booking", True)[2]
        page.fill("#child-name", "Emre")
        page.locator(".slot:not([disabled])").nth(1).click()
        assert shot("booking-confirm")[2]
        page.click("[data-testid=confirm-booking]")
        page.wait_for_selector("[data-testid=receipt]")
        page.evaluate("window.scrollTo(0, 0)")
        assert shot("booking-receipt")[2]
        page.goto(receiver.url + "#/absence")
        page.wait_for_selector("form.absence-form")
        assert shot("absence", True)[2]
        page.fill("#absence-child", "Emre")
        page.click("form.absence-form button[type=submit]")
        page.wait_for_selector("[data-testid=absence-receipt]")
        assert shot("absence-receipt")[2]
    finally:
        ctx.close()
