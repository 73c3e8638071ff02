"""An app left open (a phone keeps it for days) shows what the school published since, without a
reload: when it comes back to the front (at most once a minute) or the network comes back."""
import os

from conftest import login, moment_ago, timeline_titles


def add_news(root: str, slug: str, title: str):
    with open(os.path.join(root, "content", "news", slug + ".md"), "w", encoding="utf-8") as f:
        f.write(f"---\ntitle: {title}\ndate: {moment_ago()}\n---\nTekst.\n")


def test_an_open_app_picks_up_new_items_when_it_comes_back(real_site_copy, page):
    login(page, real_site_copy.url, real_site_copy.tokens["groep-3"])
    # Published while the app is open.
    add_news(real_site_copy.root, "na-het-openen", "Nieuw na het openen")
    real_site_copy.generate()
    # Back in front within a minute of opening: no new look yet (a phone toggling apps does not
    # refetch every keyslot and index each time).
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(800)
    assert "Nieuw na het openen" not in timeline_titles(page)
    # The network comes back: the app looks at once, and shows the new item, marked new.
    page.evaluate("dispatchEvent(new Event('online'))")
    page.wait_for_selector("text=Nieuw na het openen")
    assert "Nieuw na het openen" in timeline_titles(page)
    # A look that finds nothing new renders nothing: an open item stays as it is.
    page.click("text=Nieuw na het openen")
    page.wait_for_selector(".view-item, [data-testid=item]")
    before = page.inner_html("main")
    page.evaluate("dispatchEvent(new Event('online'))")
    page.wait_for_timeout(800)
    assert page.inner_html("main") == before
