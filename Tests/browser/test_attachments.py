"""Attachments in the app: listed under their item and counted on its card, decrypted only when
opened or saved, the same bytes as the school's file (checked against the independent opener too),
and a failed fetch said in words."""
import base64
import os

import pytest

from conftest import NL, login, load_all
import opener

ITEM = "news/kerstviering-2026"
MEDIA = ITEM + "/kerstdiner-intekenlijst.pdf"


def school_file(site) -> bytes:
    if not site.root:
        pytest.skip("needs the example school built by portal generate (the Python fixture has no attachments)")
    with open(os.path.join(site.root, "content", "news", "kerstdiner-intekenlijst.pdf"), "rb") as f:
        return f.read()


def open_item(page, site):
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/item/" + ITEM)
    page.wait_for_selector("[data-testid=attachments]")


def test_the_independent_opener_reads_the_school_file(site):
    pdf = school_file(site)
    opened = opener.open_site(site.out, site.tokens["groep-3"])
    school = opened.audiences["school"]
    entry = next(i for i in school.manifest["items"] if i["path"] == ITEM)
    assert entry["attachments"] == [{"media": MEDIA, "title": "Intekenlijst kerstdiner",
                                     "name": "kerstdiner-intekenlijst.pdf", "size": len(pdf)}]
    assert school.manifest["media"][MEDIA]["type"] == "application/pdf"
    assert school.blobs[MEDIA] == pdf


def test_a_parent_sees_the_attachment_and_saves_it(site, page):
    pdf = school_file(site)
    login(page, site.url, site.tokens["groep-3"])
    load_all(page)
    card = page.locator(f".card[data-path='{ITEM}']")
    assert card.locator("[data-testid=attachment-count]").inner_text() == NL["attach.count"]["one"]
    card.locator("h2 a").click()
    page.wait_for_selector("[data-testid=attachments]")
    rows = page.locator("[data-testid=attachments] li")
    assert rows.count() == 1
    assert rows.locator(".attachment-title").inner_text() == "Intekenlijst kerstdiner"
    assert rows.locator(".meta").inner_text() == "PDF · 28 kB"
    # The fragment's own list (for the preview) is not shown twice.
    assert page.locator(".fragment .attachments").count() == 0
    with page.expect_download() as d:
        page.click("[data-testid=attachment-save]")
    download = d.value
    assert download.suggested_filename == "kerstdiner-intekenlijst.pdf"
    with open(download.path(), "rb") as f:
        assert f.read() == pdf


def test_open_hands_the_pdf_to_a_tab_of_its_own(site, page, context):
    """The tab shows an object URL of the decrypted file. The app's CSP does not let a page fetch
    blob: URLs, so the test keeps the Blob behind each URL the page makes and reads that."""
    pdf = school_file(site)
    page.add_init_script("""
      window.__blobs = {};
      const make = URL.createObjectURL;
      URL.createObjectURL = (b) => { const u = make(b); window.__blobs[u] = b; return u; };
    """)
    open_item(page, site)
    with context.expect_page() as popup:
        page.click("[data-testid=attachment-open]")
    url = popup.value.url
    assert url.startswith("blob:" + site.url.rstrip("/")), url
    got = page.evaluate("async (u) => { const b = window.__blobs[u]; const a = new Uint8Array(await b.arrayBuffer());"
                        " let s = ''; for (const x of a) s += String.fromCharCode(x); return [b.type, btoa(s)]; }", url)
    assert got[0] == "application/pdf"
    assert base64.b64decode(got[1]) == pdf


def test_save_goes_to_the_share_sheet_where_there_is_one(site, page):
    """Headless Chromium has no share sheet: the Web Share API is replaced in the page."""
    pdf = school_file(site)
    page.add_init_script("""
      window.__shared = [];
      navigator.canShare = (d) => !!(d && d.files && d.files.length);
      navigator.share = async (d) => { const f = d.files[0];
        window.__shared.push({name: f.name, type: f.type, size: f.size, title: d.title}); };
    """)
    open_item(page, site)
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.click("[data-testid=attachment-save]")
    page.wait_for_function("() => window.__shared.length === 1")
    assert page.evaluate("window.__shared") == [{"name": "kerstdiner-intekenlijst.pdf", "type": "application/pdf",
                                                 "size": len(pdf), "title": "Intekenlijst kerstdiner"}]
    assert downloads == []


def test_an_attachment_that_cannot_be_fetched_is_said_in_words(site, page):
    school_file(site)
    blob = opener.open_site(site.out, site.tokens["groep-3"], open_blobs=False).audiences["school"].manifest["media"][MEDIA]["blob"]
    open_item(page, site)
    page.route("**/" + blob, lambda route: route.abort())
    page.click("[data-testid=attachment-save]")
    status = page.locator("[data-testid=attachment-status]")
    status.wait_for()
    page.wait_for_function("t => document.querySelector('[data-testid=attachment-status]').textContent === t",
                           arg=NL["attach.error"])
    assert not page.locator("[data-testid=attachment-save]").is_disabled()
