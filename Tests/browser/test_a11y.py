"""Accessibility: axe-core (bundled by axe-playwright-python, offline) finds no serious problems."""
import pytest
from conftest import login

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
