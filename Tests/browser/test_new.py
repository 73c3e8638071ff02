"""New since the last visit: items that appeared after this device last opened the portal are marked."""
import os

from conftest import NL, login, timeline_titles

SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")
BADGE_SPY = """
  window.__badges = [];
  Object.defineProperty(Navigator.prototype, 'setAppBadge', { value: (n) => { window.__badges.push(n); return Promise.resolve(); } });
  Object.defineProperty(Navigator.prototype, 'clearAppBadge', { value: () => { window.__badges.push(0); return Promise.resolve(); } });
"""


def marked(page, selector):
    return page.locator(selector).filter(has=page.locator("[data-testid=new]")).all_inner_texts()


def test_exactly_the_item_added_since_the_last_visit_is_marked(real_site_copy, context):
    s = real_site_copy
    context.add_init_script(BADGE_SPY)
    page = context.new_page()
    login(page, s.url, s.tokens["groep-3"])
    # a first visit marks nothing
    assert page.locator("[data-testid=new]").count() == 0
    assert page.locator("[data-testid=new-count]").count() == 0
    page.reload()
    page.wait_for_selector(".view-timeline")
    assert page.locator("[data-testid=new]").count() == 0

    news = os.path.join(s.root, "content", "groups", "groep-3", "news")
    os.makedirs(news, exist_ok=True)
    with open(os.path.join(news, "voorleesontbijt.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: Voorleesontbijt in groep 3\ndate: 2026-11-27\nsummary: Neem je pyjama mee.\n---\n"
                "Vrijdag ontbijten we samen en lezen we voor.\n")
    with open(os.path.join(s.root, "content", "calendar", "open-podium.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: Open podium\nstart: 2027-03-12 13:30\nend: 2027-03-12 14:30\n"
                "location: Aula\n---\nKinderen laten zien wat ze kunnen.\n")
    s.generate()

    page.reload()
    page.wait_for_selector(".view-timeline")
    assert marked(page, ".view-timeline .cards:not(.pinned) .card h2") == []  # the mark sits in the meta line
    cards = page.locator(".view-timeline .card").filter(has=page.locator("[data-testid=new]"))
    assert cards.locator("h2").all_inner_texts() == ["Voorleesontbijt in groep 3"]
    assert page.locator(".view-timeline [data-testid=new]").first.inner_text().lower() == NL["new.label"]
    assert "Voorleesontbijt in groep 3" in timeline_titles(page)
    counts = dict(page.locator("nav a").evaluate_all(
        "els => els.map(a => [a.dataset.nav, (a.querySelector('[data-testid=new-count]') || {}).textContent || ''])"))
    one = "(1 " + NL["new.label"] + ")"  # "1" shown, "(1 nieuw)" read out
    assert counts["timeline"] == one and counts["calendar"] == one
    assert counts["albums"] == "" and counts["info"] == ""
    assert page.evaluate("window.__badges.at(-1)") == 2
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "new-390.png"))

    page.click("nav a[href='#/calendar']")
    page.wait_for_selector("[data-testid=calendar]")
    events = page.locator(".view-calendar .event").filter(has=page.locator("[data-testid=new]"))
    assert events.locator("h3").all_inner_texts() == ["Open podium"]

    # a reload in the same visit keeps the marks; opening the item clears its mark
    page.reload()
    page.wait_for_selector("[data-testid=calendar]")
    assert page.locator(".view-calendar [data-testid=new]").count() == 1
    page.click(".view-calendar .event:has([data-testid=new]) h3 a")
    page.wait_for_selector(".fragment[data-state]")
    assert page.locator("nav a[data-nav=calendar] [data-testid=new-count]").count() == 0
    assert page.evaluate("window.__badges.at(-1)") == 1

    # the next visit (a new session on this device) starts from here: nothing new
    other = context.new_page()
    page.close()
    other.goto(s.url)
    other.wait_for_selector(".view-timeline")
    assert other.locator("[data-testid=new]").count() == 0
    assert other.evaluate("window.__badges.at(-1)") == 0
