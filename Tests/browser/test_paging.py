"""Paged indexes (FORMAT.md "Index"): the first screen opens the newest pages only; "Oudere berichten",
an older calendar month and an old link load older ones, in the browser."""
import os
import shutil

import opener
import pytest
from conftest import NL, REPO, USE_REAL, Server, issue, load_all, login, run, timeline_titles

ARCHIVE = 120  # one news item a month for ten years, back from July 2026: pages of 20, far more than the first screen holds
OLD_EVENT = ("calendar/excursie-rijksmuseum", "Excursie naar het Rijksmuseum", "2023-03-14")


def archive():
    """(path, title, date) of the archive news, newest first."""
    out = []
    y, m = 2026, 7
    for i in range(1, ARCHIVE + 1):
        out.append((f"news/archief-{i:02d}", f"Archief {i:02d}", f"{y}-{m:02d}-15"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def write_content(content):
    for path, title, day in archive():
        with open(os.path.join(content, path + ".md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: {title}\ndate: {day}\nsummary: Uit het archief.\n---\nBericht {title}.\n")
    path, title, day = OLD_EVENT
    with open(os.path.join(content, path + ".md"), "w", encoding="utf-8") as f:
        f.write(f"---\ntitle: {title}\nstart: {day}\nlocation: Amsterdam\n---\nMet de bus naar Amsterdam.\n")


def fixture_items():
    from fixture_site import frag
    items = [{"path": p, "kind": "news", "title": t, "date": d + "T08:00:00Z", "summary": "Uit het archief.",
              "weight": 0, "html": frag(t, f"<p>Bericht {t}.</p>")} for p, t, d in archive()]
    p, t, d = OLD_EVENT
    items.append({"path": p, "kind": "event", "title": t, "weight": 0,
                  "event": {"start": d, "all_day": True, "location": "Amsterdam"}, "html": frag(t, "<p>Met de bus.</p>")})
    return items


@pytest.fixture(scope="module")
def paging(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("paging"))
    out = os.path.join(tmp, "output")
    if USE_REAL:
        content, keys = os.path.join(tmp, "content"), os.path.join(tmp, "keys")
        shutil.copytree(os.path.join(REPO, "content"), content)
        write_content(content)
        gen = ["generate", "--content", content, "--output", out, "--keys", keys,
               "--theme", os.path.join(REPO, "themes", "default")]
        run(*gen)
        token = issue(keys, ["groep-3"], label="Paging test")["token"]
        run(*gen)
    else:
        import fixture_site
        token = fixture_site.build(out, extra_school=fixture_items())["groep-3"]
    opened = opener.open_site(out, token, open_blobs=False)
    srv = Server(out)
    yield srv.url, token, opened
    srv.close()


def test_the_first_screen_opens_the_newest_pages_and_older_ones_come_on_request(paging, page):
    url, token, opened = paging
    school = opened.audiences["school"]
    assert len(school.index["pages"]) >= 6, "the archive must spread over several pages"
    assert all(p["count"] >= 20 for p in school.index["pages"][2:]), "months are gathered into pages of 20 or more"
    pages_fetched = []
    blobs = {p["blob"] for a in opened.audiences.values() for p in a.index["pages"]}
    page.on("request", lambda r: pages_fetched.append(r.url) if r.url[len(url):] in blobs else None)
    login(page, url, token)
    first = timeline_titles(page)
    titles = [t for _, t, _ in archive()]
    assert titles[-1] not in first and f"Archief {ARCHIVE}" not in first
    # the first screen is a prefix of the newest-first timeline, and fetched only some pages
    assert len(pages_fetched) < len(blobs)
    older = page.locator("[data-testid=older]")
    assert older.inner_text() == NL["timeline.older"]
    older.click()
    page.wait_for_function("n => document.querySelectorAll('.view-timeline .cards:not(.pinned) .card').length > n",
                           arg=len(first))
    second = timeline_titles(page)
    assert second[:len(first)] == first and len(second) > len(first)
    # focus moves to the first card that came in
    assert page.evaluate("document.activeElement.closest('.card').querySelector('h2').innerText") == second[len(first)]
    load_all(page)
    everything = timeline_titles(page)
    assert set(titles) <= set(everything)
    assert [t for t in everything if t.startswith("Archief")] == titles  # newest first
    dates = page.locator(".view-timeline .cards:not(.pinned) .card time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    assert page.locator("[data-testid=older]").count() == 0
    assert len(set(pages_fetched)) == len(blobs)
    # loading older pages marks nothing as new, now or at the next visit
    assert page.locator("[data-testid=new]").count() == 0
    page.reload()
    page.wait_for_selector(".view-timeline")
    load_all(page)
    assert page.locator("[data-testid=new]").count() == 0


def test_a_link_to_an_old_item_loads_older_pages_until_it_is_found(paging, page):
    url, token, _ = paging
    login(page, url, token)
    path, title, _ = archive()[-1]
    page.goto(url + "#/item/" + path)
    page.wait_for_selector(".fragment[data-state=ready]")
    assert page.locator(".view-item h1").inner_text() == title
    assert f"Bericht {title}." in page.locator(".fragment").inner_text()
    # an item that is on no page: every page is loaded, then the usual "not found"
    page.goto(url + "#/item/news/bestaat-niet")
    page.wait_for_selector(".view-item .error")
    assert page.locator(".view-item .error").inner_text() == NL["item.notfound"]
    page.goto(url + "#/")
    assert page.locator("[data-testid=older]").count() == 0


def test_an_older_calendar_month_loads_its_pages(paging, page):
    url, token, _ = paging
    path, title, day = OLD_EVENT
    login(page, url, token)
    page.evaluate("m => sessionStorage.setItem('calendar-ui', JSON.stringify({mode: 'month', month: m}))",
                  f"{int(day[:4]):04d}-{int(day[5:7]) + 1:02d}")
    page.goto(url + "#/calendar")
    page.reload()  # the calendar reads what the parent chose when the app starts
    page.wait_for_selector(".calendar-month")
    assert title not in page.locator(".view-calendar").inner_text()
    page.click("[data-testid=month-prev]")
    page.wait_for_selector(f".calendar-month[data-month='{day[:7]}']")
    page.wait_for_function("t => document.querySelector('.calendar-month .events') && "
                           "document.querySelector('.calendar-month .events').innerText.includes(t)", arg=title)
    assert page.locator(f".calendar-month button.day[data-day='{day}']").count() == 1
    page.click(f".calendar-month .events a[href='#/item/{path}']")
    page.wait_for_selector(".fragment[data-state=ready]")
    assert page.locator(".view-item h1").inner_text() == title


def test_the_first_screen_holds_pinned_pages_and_coming_events(paging, page):
    """Info pages (pinned) and every coming event are there before any older page is asked for."""
    url, token, opened = paging
    login(page, url, token)
    info = [i["title"] for a in opened.audiences.values() for i in a.manifest["items"] if i["kind"] == "page"]
    page.goto(url + "#/info")
    page.wait_for_selector(".view-info")
    assert sorted(page.locator(".view-info .pages li > a").all_inner_texts()) == sorted(info)
    import datetime as dt
    today = dt.date.today().isoformat()
    coming = {i["title"] for a in opened.audiences.values() for i in a.manifest["items"]
              if i.get("event") and (i["event"].get("end") or i["event"]["start"])[:10] >= today}
    page.goto(url + "#/calendar")
    page.wait_for_selector("[data-testid=calendar] .calendar-list")
    assert coming and coming <= set(page.locator(".upcoming .event h3").all_inner_texts())


def test_an_older_page_that_fails_offline_says_so_and_can_be_tried_again(paging, page):
    """(Issue 13) A page that does not arrive stops nothing silently: the offline notice shows,
    "Oudere berichten" stays, and a second tap loads it once the network is back."""
    url, token, opened = paging
    login(page, url, token)
    first = timeline_titles(page)
    blobs = {p["blob"] for a in opened.audiences.values() for p in a.index["pages"]}
    page.route("**/b/*", lambda route: route.abort() if route.request.url[len(url):] in blobs else route.continue_())
    page.click("[data-testid=older]")
    page.wait_for_selector(".notices >> text=" + NL["notice.offline"])
    assert timeline_titles(page) == first
    assert page.locator("[data-testid=older]").count() == 1, "the button stays, to try again"
    page.unroute("**/b/*")
    page.click("[data-testid=older]")
    page.wait_for_function("n => document.querySelectorAll('.view-timeline .cards:not(.pinned) .card').length > n",
                           arg=len(first))
    assert len(timeline_titles(page)) > len(first)
