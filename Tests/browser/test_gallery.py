"""Photo albums in the app: album list, lazy thumbnails, lightbox, photo and album (.zip) downloads."""
import io
import os
import zipfile

import pytest

from conftest import EN, NL, load_all, login

SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")


def biggest_album(site, name="groep-3"):
    best = None
    for aud in site.opened[name].audiences.values():
        for item in aud.manifest["items"]:
            if item["kind"] == "album" and (best is None or len(item["album"]["photos"]) > len(best[1]["album"]["photos"])):
                best = (aud, item)
    assert best, "the example school needs an album"
    if len(best[1]["album"]["photos"]) < 3:
        pytest.skip("needs an album of at least 3 photos (the example school has them; the Python fixture not)")
    return best


def open_album(page, site, item):
    page.goto(site.url + "#/item/" + item["path"])
    page.wait_for_selector("[data-testid=gallery] img")
    page.wait_for_function("n => [...document.querySelectorAll('[data-testid=gallery] img')]"
                           ".filter(i => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0).length === n",
                           arg=len(item["album"]["photos"]))


def thumbs(page):
    return page.locator("[data-testid=gallery] img").evaluate_all(
        "els => els.map(e => ({src: e.getAttribute('src'), w: e.naturalWidth, alt: e.alt}))")


def test_album_list_shows_covers_and_opens_an_album(site, page):
    login(page, site.url, site.tokens["groep-3"])
    page.click("nav a[href='#/albums']")
    page.wait_for_selector("[data-testid=albums]")
    load_all(page)  # older albums are on older pages: "Oudere berichten" brings them
    albums = [i for a in site.opened["groep-3"].audiences.values() for i in a.manifest["items"] if i["kind"] == "album"]
    cards = page.locator(".album-card")
    assert cards.count() == len(albums)
    page.wait_for_function("() => [...document.querySelectorAll('.album-card img.cover')].every(i => i.naturalWidth > 0)")
    covers = page.locator(".album-card img.cover").evaluate_all("els => els.map(e => e.src)")
    assert covers and all(c.startswith("blob:") for c in covers)
    aud, item = biggest_album(site)
    page.click(f".album-card[data-path='{item['path']}']")
    page.wait_for_selector("[data-testid=gallery]")
    assert page.locator(".view-item h1").inner_text() == item["title"]


def test_thumbnails_decrypt_and_lightbox_moves_and_closes(site, page):
    aud, item = biggest_album(site)
    photos = item["album"]["photos"]
    login(page, site.url, site.tokens["groep-3"])
    open_album(page, site, item)
    shown = thumbs(page)
    assert len(shown) == len(photos)
    assert all(t["src"].startswith("blob:") and t["w"] > 0 for t in shown)
    assert [t["alt"] for t in shown] == [p["caption"] for p in photos]
    # the fragment's own photo list is replaced by the gallery
    assert page.locator(".fragment .album").count() == 0
    thumb_width = shown[1]["w"]

    page.locator("[data-testid=gallery] button.thumb").nth(1).click()
    box = page.locator("[data-testid=lightbox]")
    box.wait_for(state="visible")
    page.wait_for_selector("[data-testid=lightbox-img][data-state=ready]")
    big = page.locator("[data-testid=lightbox-img]")
    page.wait_for_function("() => document.querySelector('[data-testid=lightbox-img]').naturalWidth > 0")
    assert big.evaluate("e => e.naturalWidth") > thumb_width
    assert big.get_attribute("alt") == photos[1]["caption"]
    assert page.locator("[data-testid=lightbox-counter]").inner_text() == f"2 / {len(photos)}"
    assert box.evaluate("d => d.contains(document.activeElement)")

    page.keyboard.press("ArrowRight")
    assert page.locator("[data-testid=lightbox-counter]").inner_text() == f"3 / {len(photos)}"
    page.wait_for_function("c => { const i = document.querySelector('[data-testid=lightbox-img]');"
                           " return i.alt === c && i.dataset.state === 'ready'; }", arg=photos[2]["caption"])
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator("[data-testid=lightbox-counter]").inner_text() == f"1 / {len(photos)}"
    # Tab stays inside the dialog
    for _ in range(6):
        page.keyboard.press("Tab")
        assert box.evaluate("d => d.contains(document.activeElement)")

    page.keyboard.press("Escape")
    box.wait_for(state="hidden")
    # focus returns to the thumbnail that opened the lightbox ('close' fires after the dialog hides)
    page.wait_for_function("() => document.activeElement.classList.contains('thumb') && document.activeElement.dataset.index === '1'")
    # the display-size photo's object URL is revoked when the lightbox closes
    page.wait_for_function("() => !document.querySelector('[data-testid=lightbox-img]').hasAttribute('src')")


def test_swipe_moves_to_the_next_photo(site, page):
    aud, item = biggest_album(site)
    login(page, site.url, site.tokens["groep-3"])
    open_album(page, site, item)
    page.locator("[data-testid=gallery] button.thumb").first.click()
    page.locator("[data-testid=lightbox]").wait_for(state="visible")
    page.locator("[data-testid=lightbox-img]").dispatch_event("pointerdown", {"clientX": 300, "clientY": 400, "bubbles": True})
    page.locator("[data-testid=lightbox-img]").dispatch_event("pointerup", {"clientX": 120, "clientY": 410, "bubbles": True})
    assert page.locator("[data-testid=lightbox-counter]").inner_text().startswith("2 / ")


def test_object_urls_are_revoked_when_the_album_closes(site, page):
    aud, item = biggest_album(site)
    login(page, site.url, site.tokens["groep-3"])
    open_album(page, site, item)
    src = thumbs(page)[0]["src"]
    page.goto(site.url + "#/")
    page.wait_for_selector(".view-timeline")
    gone = page.evaluate("u => fetch(u).then(() => false, () => true)", src)
    assert gone, "the thumbnail's object URL still resolves after leaving the album"
    assert page.locator("dialog.lightbox").count() == 0


def test_download_one_photo(site, page):
    aud, item = biggest_album(site)
    login(page, site.url, site.tokens["groep-3"])
    open_album(page, site, item)
    page.locator("[data-testid=gallery] button.thumb").first.click()
    page.wait_for_selector("[data-testid=lightbox-img][data-state=ready]")
    with page.expect_download() as d:
        page.click("[data-testid=photo-download]")
    dl = d.value
    expected = item["album"]["photos"][0]["media"].split("/")[-1].rsplit(".", 1)[0] + ".jpg"
    assert dl.suggested_filename == expected
    data = open(dl.path(), "rb").read()
    assert data[:3] == b"\xff\xd8\xff" and b"Exif" not in data[:65536]
    w = site.opened["groep-3"].audiences[aud.id].manifest["media"][item["album"]["photos"][0]["media"]]["width"]
    assert w > 400


def test_download_album_as_zip(site, page):
    aud, item = biggest_album(site)
    photos = item["album"]["photos"]
    login(page, site.url, site.tokens["groep-3"])
    open_album(page, site, item)
    with page.expect_download() as d:
        page.click("[data-testid=album-download]")
    dl = d.value
    assert dl.suggested_filename == item["path"].split("/")[-1] + ".zip"
    data = open(dl.path(), "rb").read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None  # every CRC-32 checks
        infos = z.infolist()
        assert len(infos) == len(photos)
        assert [i.filename for i in infos] == [p["media"].split("/")[-1].rsplit(".", 1)[0] + ".jpg" for p in photos]
        for i in infos:
            assert i.compress_type == zipfile.ZIP_STORED
            body = z.read(i)
            assert body[:3] == b"\xff\xd8\xff", i.filename
            assert b"Exif" not in body[:65536], i.filename
    page.wait_for_function("t => document.querySelector('[data-testid=album-status]').textContent === t",
                           arg=NL["album.download_done"]["other"].replace("{n}", str(len(photos))))


def test_zip_writer_handles_utf8_names_and_duplicates(site, page):
    page.goto(site.url)
    page.wait_for_selector("#token")
    b64 = page.evaluate("""async () => {
        const Z = await import(new URL('zip.js', document.querySelector('script[type=module]').src).href);
        const enc = new TextEncoder();
        const blob = Z.zip([{name: 'één.txt', bytes: enc.encode('hallo')}, {name: 'één.txt', bytes: enc.encode('x')},
                            {name: 'leeg', bytes: new Uint8Array(0)}]);
        const b = new Uint8Array(await blob.arrayBuffer());
        let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }""")
    import base64
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(b64))) as z:
        assert z.testzip() is None
        assert z.namelist() == ["één.txt", "één-2.txt", "leeg"]
        assert z.read("één.txt") == b"hallo" and z.read("leeg") == b""
    assert page.evaluate("import(new URL('zip.js', document.querySelector('script[type=module]').src).href).then(Z => Z.crc32(new TextEncoder().encode('123456789')))") == 0xCBF43926


def test_gallery_at_phone_width_screenshot(site, page):
    aud, item = biggest_album(site)
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/albums")
    page.wait_for_function("() => [...document.querySelectorAll('.album-card img.cover')].every(i => i.naturalWidth > 0)")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "albums-390.png"), full_page=True)
    open_album(page, site, item)
    page.locator("[data-testid=gallery]").scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(SHOTS, "album-390.png"), full_page=True)
    page.locator("[data-testid=gallery] button.thumb").first.click()
    page.wait_for_selector("[data-testid=lightbox-img][data-state=ready]")
    page.screenshot(path=os.path.join(SHOTS, "lightbox-390.png"))
    # nothing sticks out sideways at phone width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert EN["lightbox.close"]


def test_thumbnails_of_a_long_album_are_decrypted_only_when_scrolled_to(real_site_copy, page):
    """An album of 36 photos: at first only the thumbnails near the screen are fetched and opened."""
    import base64
    s = real_site_copy
    album = os.path.join(s.root, "content", "albums", "sportdag-2026")
    os.makedirs(album)
    # 36 different photos (drawn and encoded by Chromium): equal photos would share one b/ file.
    page.goto(s.url)
    jpgs = page.evaluate("""() => Array.from({ length: 36 }, (_, i) => {
        const c = document.createElement('canvas'); c.width = 800; c.height = 600;
        const g = c.getContext('2d');
        g.fillStyle = `hsl(${i * 10}, 70%, 50%)`; g.fillRect(0, 0, 800, 600);
        g.fillStyle = '#fff'; g.font = '120px sans-serif'; g.fillText('Foto ' + (i + 1), 120, 340);
        return c.toDataURL('image/jpeg', 0.9).split(',')[1]; })""")
    lines = []
    for i in range(36):
        with open(os.path.join(album, f"foto-{i:02d}.jpg"), "wb") as f:
            f.write(base64.b64decode(jpgs[i]))
        lines.append(f"  - file: foto-{i:02d}.jpg\n    caption: Sportdag foto {i + 1}\n")
    with open(os.path.join(album, "index.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: Sportdag 2026\ndate: 2026-09-25\nphotos:\n" + "".join(lines) + "---\nWat een dag!\n")
    s.generate()
    blob_requests = []
    page.on("request", lambda r: blob_requests.append(r.url) if "/b/" in r.url else None)
    login(page, s.url, s.tokens["groep-3"])
    page.goto(s.url + "#/item/albums/sportdag-2026")
    page.wait_for_selector("[data-testid=gallery] img[src^='blob:']")
    page.wait_for_timeout(300)
    loaded = lambda: page.locator("[data-testid=gallery] img[src^='blob:']").count()  # noqa: E731
    first = loaded()
    assert 0 < first < 36, first
    before = len(blob_requests)
    page.locator("[data-testid=gallery] li").last.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=gallery] img[src^=\"blob:\"]').length === 36")
    assert len(blob_requests) - before >= 36 - first
    # every thumbnail URL is revoked when the album closes
    urls = page.locator("[data-testid=gallery] img").evaluate_all("els => els.map(e => e.src)")
    page.goto(s.url + "#/")
    page.wait_for_selector(".view-timeline")
    assert page.evaluate("us => Promise.all(us.map(u => fetch(u).then(() => 1, () => 0))).then(r => r.reduce((a, b) => a + b, 0))", urls) == 0


SHARE_STUB = """(() => {
    window.__shared = [];
    navigator.canShare = (data) => !!(data && data.files && data.files.length);
    navigator.share = async (data) => {
        for (const f of data.files) window.__shared.push({ name: f.name, type: f.type, size: f.size,
            head: [...new Uint8Array(await f.slice(0, 3).arrayBuffer())] });
    };
})();"""


def test_saving_one_photo_offers_the_share_sheet_where_it_takes_files(site, page):
    """Issue 19 point 10: where the browser can share files (phones), "save" hands the one photo
    to the share sheet ("Bewaar afbeelding"); no download. The Web Share API is replaced in the
    page (headless Chromium has no share sheet); elsewhere the download stays (test above)."""
    aud, item = biggest_album(site)
    page.add_init_script(SHARE_STUB)
    login(page, site.url, site.tokens["groep-3"])
    open_album(page, site, item)
    page.locator("[data-testid=gallery] button.thumb").first.click()
    page.wait_for_selector("[data-testid=lightbox-img][data-state=ready]")
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.click("[data-testid=photo-download]")
    page.wait_for_function("() => window.__shared.length === 1")
    shared = page.evaluate("window.__shared")[0]
    expected = item["album"]["photos"][0]["media"].split("/")[-1].rsplit(".", 1)[0] + ".jpg"
    assert shared["name"] == expected and shared["type"] == "image/jpeg" and shared["head"] == [0xFF, 0xD8, 0xFF]
    page.wait_for_timeout(300)
    assert downloads == []


def test_album_thumbnails_are_not_tiny_on_a_desktop(site, browser):
    """Issue 19 point 10: at 1280 px the grid has fewer, larger thumbnails (about 180 px, was 115)."""
    from conftest import phone_context
    ctx = phone_context(browser, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        aud, item = biggest_album(site)
        login(page, site.url, site.tokens["groep-3"])
        open_album(page, site, item)
        width = page.locator("[data-testid=gallery] button.thumb").first.bounding_box()["width"]
        assert width >= 160, width
    finally:
        ctx.close()
    # and a phone keeps three or more to a row
    ctx = phone_context(browser)
    try:
        page = ctx.new_page()
        login(page, site.url, site.tokens["groep-3"])
        open_album(page, site, item)
        boxes = [page.locator("[data-testid=gallery] button.thumb").nth(i).bounding_box() for i in range(3)]
        assert abs(boxes[0]["y"] - boxes[2]["y"]) < 1, boxes
    finally:
        ctx.close()
