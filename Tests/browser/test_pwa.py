"""The installable app: web app manifest, service worker, offline use of what was seen, update flow."""
import hashlib
import json
import os
import shutil

import pytest
from conftest import CHROMIUM, NL, REPO, login, run, served_path, shell_index, timeline_titles
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@pytest.fixture
def sw_context(browser):
    ctx = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 390, "height": 844},
                              service_workers="allow")
    ctx.set_default_timeout(8000)
    yield ctx
    ctx.close()


def controlled(page, url):
    """Opens the app and waits until the service worker controls the page."""
    page.goto(url)
    page.wait_for_selector("html[data-ready]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def bump_mtime(path):
    """A server that validates by whole-second Last-Modified must see the edit as newer."""
    st = os.stat(path)
    os.utime(path, (st.st_atime + 10, st.st_mtime + 10))


def first_news(site, name="groep-3"):
    for aud in site.opened[name].audiences.values():
        for item in aud.manifest["items"]:
            if item["kind"] == "news":
                return item
    raise AssertionError("no news")


def test_manifest_is_valid_and_chromium_reports_the_site_installable(site, browser, tmp_path):
    # A persistent profile: Chromium never offers installation in an incognito-like context.
    ctx = browser.browser_type.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                         service_workers="allow", locale="nl-NL")
    try:
        check_installable(site, ctx)
    finally:
        ctx.close()


def check_installable(site, ctx):
    page = ctx.new_page()
    controlled(page, site.url)
    cdp = ctx.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    data = json.loads(manifest["data"])
    assert data["display"] == "standalone" and data["start_url"] == "./" and data["short_name"]
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    # the PNG icons are what the manifest says
    for icon in data["icons"]:
        if icon["type"] == "image/png":
            body = page.request.get(site.url + icon["src"]).body()
            w, h = int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
            assert body[:8] == b"\x89PNG\r\n\x1a\n" and f"{w}x{h}" == icon["sizes"]


def test_timeline_and_a_seen_item_open_offline(site, sw_context):
    page = sw_context.new_page()
    controlled(page, site.url)
    login(page, site.url, site.tokens["groep-3"])
    online_titles = timeline_titles(page)
    item = first_news(site)
    page.goto(site.url + "#/item/" + item["path"])
    page.wait_for_selector(".fragment[data-state=ready]")
    seen_text = page.locator(".fragment").inner_text()
    page.goto(site.url + "#/")
    page.wait_for_selector(".view-timeline")

    sw_context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector(".view-timeline")
        assert timeline_titles(page) == online_titles
        assert page.locator("[data-testid='notice.offline']").count() == 1
        page.goto(site.url + "#/item/" + item["path"])
        page.wait_for_selector(".fragment[data-state=ready]")
        assert page.locator(".fragment").inner_text() == seen_text
        # an item never opened before is not there offline, and says so
        other = next(i for a in site.opened["groep-3"].audiences.values() for i in a.manifest["items"]
                     if i["kind"] == "page")
        page.goto(site.url + "#/item/" + other["path"])
        page.wait_for_selector("[data-testid=item-error]")
        assert page.locator("[data-testid=item-error]").inner_text() == NL["item.network"]
    finally:
        sw_context.set_offline(False)


def theme_with(tmp_path, line: str) -> str:
    """A copy of the default theme whose app.js ends with `line`: a new shell once generated."""
    theme = str(tmp_path / "theme")
    shutil.copytree(os.path.join(REPO, "themes", "default"), theme)
    with open(os.path.join(theme, "app", "app.js"), "a", encoding="utf-8") as f:
        f.write("\n" + line + "\n")
    return theme


def generate_with(site, theme: str):
    run("generate", "--content", os.path.join(site.root, "content"), "--output", site.out,
        "--keys", os.path.join(site.root, "keys"), "--theme", theme)


def test_a_new_shell_the_school_generated_is_offered_and_reloads_into_it(real_site_copy, sw_context, tmp_path):
    page = sw_context.new_page()
    controlled(page, real_site_copy.url)
    login(page, real_site_copy.url, real_site_copy.tokens["groep-3"])
    before = shell_index(real_site_copy.out)["id"]
    generate_with(real_site_copy, theme_with(tmp_path, "window.__newShell = true;"))
    assert shell_index(real_site_copy.out)["id"] != before
    page.reload()
    page.wait_for_selector("html[data-ready]")
    # the old shell still runs until the parent agrees
    assert page.evaluate("window.__newShell === true") is False
    bar = page.locator("[data-testid=update]")
    bar.wait_for()
    assert NL["update.available"] in bar.inner_text()
    page.click("[data-testid=update-reload]")
    page.wait_for_function("() => window.__newShell === true")
    page.wait_for_selector("html[data-ready]")
    assert page.locator("[data-testid=update]").count() == 0
    # and the next start does not offer it again
    page.reload()
    page.wait_for_selector("html[data-ready]")
    page.wait_for_timeout(500)
    assert page.locator("[data-testid=update]").count() == 0
    assert page.evaluate("window.__newShell === true")
    assert page.locator("[data-testid='notice.shell_refused']").count() == 0


def refused_and_kept(page):
    """The app says a new shell was refused, offers no update, and still runs the old code."""
    page.locator("[data-testid='notice.shell_refused']").wait_for()
    assert page.locator("[data-testid='notice.shell_refused']").inner_text().startswith(NL["notice.shell_refused"])
    page.wait_for_timeout(300)
    assert page.locator("[data-testid=update]").count() == 0
    page.reload()
    page.wait_for_selector("html[data-ready]")
    assert page.evaluate("window.__evil === true") is False
    assert page.locator(".view-timeline").count() == 1


def test_a_shell_file_changed_on_the_host_after_the_build_is_refused(real_site_copy, sw_context, tmp_path):
    page = sw_context.new_page()
    controlled(page, real_site_copy.url)
    login(page, real_site_copy.url, real_site_copy.tokens["groep-3"])
    # The school publishes a new shell (a new sw.js comes with it), and the host alters one of its files.
    generate_with(real_site_copy, theme_with(tmp_path, "window.__next = true;"))
    target = served_path(real_site_copy.out, "app.js")
    with open(target, "a", encoding="utf-8") as f:
        f.write("\nwindow.__evil = true;\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update()).catch(() => {})")
    refused_and_kept(page)


def test_a_shell_list_not_signed_by_the_school_is_refused(real_site_copy, sw_context):
    """The same sw.js, a new `shell` that lists a changed app.js with its right hash, signed by
    another key: the worker's check refuses it (a host cannot make its own shell the school's)."""
    page = sw_context.new_page()
    controlled(page, real_site_copy.url)
    login(page, real_site_copy.url, real_site_copy.tokens["groep-3"])
    index = shell_index(real_site_copy.out)
    old, new = f"s/{index['id']}/", "s/00000000000000ee/"
    shutil.copytree(os.path.join(real_site_copy.out, old), os.path.join(real_site_copy.out, new))
    with open(os.path.join(real_site_copy.out, new, "app.js"), "a", encoding="utf-8") as f:
        f.write("\nwindow.__evil = true;\n")
    files = {}
    for path in index["files"]:
        moved = path.replace(old, new)
        if path == "index.html":
            with open(os.path.join(real_site_copy.out, path), encoding="utf-8") as f:
                text = f.read().replace(old, new)
            with open(os.path.join(real_site_copy.out, path), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(real_site_copy.out, moved), "rb") as f:
            files[moved] = hashlib.sha256(f.read()).hexdigest()
    body = json.dumps({**index, "id": "00000000000000ee", "files": files}, sort_keys=True, separators=(",", ":")).encode()
    forged = b"OPS2" + Ed25519PrivateKey.generate().sign(b"ouderportaal/2 signed shell\n" + body) + body
    with open(os.path.join(real_site_copy.out, "shell"), "wb") as f:
        f.write(forged)
    page.reload()
    refused_and_kept(page)


def test_new_service_worker_waits_for_the_parent_then_takes_over(real_site_copy, sw_context, tmp_path):
    page = sw_context.new_page()
    controlled(page, real_site_copy.url)
    # The app looks for a new sw.js at every start; let that check end first (a module worker's
    # graph takes a moment), else the test's update joins it and sees the old file.
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    theme = theme_with(tmp_path, "")
    with open(os.path.join(theme, "app", "sw.js"), "a", encoding="utf-8") as f:
        f.write("\nconst NEXT_VERSION = 1;\n")
    generate_with(real_site_copy, theme)
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.locator("[data-testid=update]").wait_for()
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(r => !!r.waiting)")
    with page.expect_navigation():
        page.click("[data-testid=update-reload]")
    page.wait_for_selector("html[data-ready]")
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(r => !r.waiting && !!r.active)")


def test_the_same_shell_fetched_again_by_a_new_worker_takes_over_without_asking(site_copy, sw_context):
    """A worker whose shell is the one in use (sw.js fetched again, nothing new for the parent)
    does not ask: there is nothing to agree to."""
    page = sw_context.new_page()
    controlled(page, site_copy.url)
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    with open(os.path.join(site_copy.out, "sw.js"), "a", encoding="utf-8") as f:
        f.write("\n// the same shell\n")
    bump_mtime(os.path.join(site_copy.out, "sw.js"))
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function("navigator.serviceWorker.getRegistration().then(r => !r.waiting && !r.installing)")
    page.wait_for_timeout(300)
    assert page.locator("[data-testid=update]").count() == 0


def test_forget_device_also_drops_the_cached_sealed_files(site, sw_context):
    page = sw_context.new_page()
    controlled(page, site.url)
    login(page, site.url, site.tokens["groep-3"])
    page.wait_for_function("() => caches.open('ouderportaal-data-v1').then(c => c.keys()).then(k => k.length > 0)")
    page.goto(site.url + "#/settings")
    page.click("[data-testid=forget]")
    page.click("[data-testid=forget-confirm]")
    page.wait_for_selector("#token")
    assert page.evaluate("caches.has('ouderportaal-data-v1')") is False


FAKE_INSTALL_PROMPT = """() => { const e = new Event('beforeinstallprompt', { cancelable: true });
    e.prompt = () => { window.__prompted = (window.__prompted || 0) + 1; return Promise.resolve(); };
    window.dispatchEvent(e); }"""


def test_install_hint_on_the_timeline_until_installed_or_declined(site, page):
    login(page, site.url, site.tokens["groep-3"])
    assert page.locator("[data-testid=install-hint]").count() == 0
    page.evaluate(FAKE_INSTALL_PROMPT)
    hint = page.locator("[data-testid=install-hint]")
    hint.wait_for()
    assert NL["install.text"] in hint.inner_text()
    hint.locator("button.primary").click()
    assert page.evaluate("window.__prompted") == 1
    assert page.locator("[data-testid=install-hint]").count() == 0
    # "not now" is remembered on this device
    page.evaluate(FAKE_INSTALL_PROMPT)
    page.click("[data-testid=install-later]")
    assert page.locator("[data-testid=install-hint]").count() == 0
    page.reload()
    page.wait_for_selector(".view-timeline")
    page.evaluate(FAKE_INSTALL_PROMPT)
    page.wait_for_timeout(100)
    assert page.locator("[data-testid=install-hint]").count() == 0


def test_cached_sealed_files_no_longer_referenced_are_pruned(site, sw_context):
    page = sw_context.new_page()
    controlled(page, site.url)
    login(page, site.url, site.tokens["groep-3"])
    item = first_news(site)
    page.goto(site.url + "#/item/" + item["path"])
    page.wait_for_selector(".fragment[data-state=ready]")
    # format 1's files (a/), an old page or item (b/), an old epoch's index (i/), a dropped keyslot (k/)
    stale = [site.url + p for p in ("a/00000000000000000000000000000000/11111111111111111111111111111111",
                                    "b/" + "0" * 32, "i/" + "1" * 32, "k/" + "2" * 32)]
    page.evaluate("us => caches.open('ouderportaal-data-v1').then(c => Promise.all(us.map(u => c.put(u, new Response('old')))))", stale)
    page.goto(site.url + "#/")
    page.reload()
    page.wait_for_selector(".view-timeline")
    page.wait_for_function("us => caches.open('ouderportaal-data-v1').then(c => Promise.all(us.map(u => c.match(u))))"
                           ".then(rs => rs.every(r => !r))", arg=stale)
    cached = page.evaluate("caches.open('ouderportaal-data-v1').then(c => c.keys()).then(k => k.map(r => r.url))")
    assert site.url + item["blob"] in cached
    assert site.url + "k/" + site.token_ids["groep-3"] in cached
    # every index and every page the indexes list stay (the pages loaded now were fetched)
    index = {a["id"]: a["index"] for a in site.opened["groep-3"].keyslot["audiences"]}
    for aud in site.opened["groep-3"].audiences.values():
        assert site.url + index[aud.id] in cached and site.url + aud.index["pages"][0]["blob"] in cached


def test_the_first_visit_from_the_letters_link_opens_offline_afterwards(site, sw_context):
    """Issue 19 point 1: a parent opens the letter's link once (the worker is not controlling
    that first page yet) and goes offline: the timeline and the item opened still show, because
    the worker is handed what the first visit fetched once it takes over."""
    page = sw_context.new_page()
    page.goto(site.url + "#token=" + site.tokens["groep-3"])
    page.wait_for_selector(".view-timeline .card")
    online_titles = timeline_titles(page)
    item = first_news(site)
    page.goto(site.url + "#/item/" + item["path"])
    page.wait_for_selector(".fragment[data-state=ready]")
    seen_text = page.locator(".fragment").inner_text()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The hand-over is done when the worker has every file of this visit in its data cache.
    page.wait_for_function("""async () => {
        const base = new URL('./', location.href).href;
        const want = [...new Set(performance.getEntriesByType('resource').map((e) => e.name)
          .filter((u) => u.startsWith(base) && /\\/(?:[bik]\\/[0-9a-f]{32}|site\\.json)$/.test(u)))];
        const cache = await caches.open('ouderportaal-data-v1');
        return want.length > 0 && (await Promise.all(want.map((u) => cache.match(u)))).every(Boolean);
    }""", timeout=15000)
    sw_context.set_offline(True)
    try:
        page.goto(site.url + "#/")
        page.reload()
        page.wait_for_selector(".view-timeline .card")
        assert timeline_titles(page) == online_titles
        page.goto(site.url + "#/item/" + item["path"])
        page.wait_for_selector(".fragment[data-state=ready]")
        assert page.locator(".fragment").inner_text() == seen_text
    finally:
        sw_context.set_offline(False)


def test_offline_with_nothing_kept_says_so_with_a_retry_and_the_contact(site, sw_context):
    """Issue 19 point 1: with the worker's data cache empty (nothing kept on this device) and no
    network, the app says so in words, offers to try again and names the school's contact; the
    retry works once the network is back."""
    page = sw_context.new_page()
    controlled(page, site.url)
    login(page, site.url, site.tokens["groep-3"])
    page.evaluate("async () => { await caches.delete('ouderportaal-data-v1'); }")
    sw_context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector("[data-testid=load-failed]")
        text = page.inner_text("[data-testid=load-failed]")
        assert "niet met internet verbonden" in text and "offline" in text
        contact = page.inner_text("[data-testid=failed-contact]")
        assert site.opened["groep-3"].site["contact"]["email"] in contact, contact
        page.screenshot(path="/tmp/offline-failed.png")
    finally:
        sw_context.set_offline(False)
    page.click("[data-testid=retry]")
    page.wait_for_selector(".view-timeline .card")


SHELL_KEYS = """() => caches.keys().then((names) => caches.open(names.find((n) => n.startsWith('ouderportaal-shell-'))))
  .then((c) => c.keys()).then((k) => k.map((r) => new URL(r.url).pathname))"""


def test_the_staff_views_are_fetched_on_first_use_and_only_as_the_school_signed_them(site_copy, sw_context):
    """A parent's install holds none of `staff/`, `forms/` or `booking/` (FORMAT.md "App shell",
    router.js `lazyView`); opening a staff view fetches it then, through the worker, which refuses
    bytes the signed list does not name (the host altered the file: an error in words, nothing
    kept) and keeps the signed ones."""
    page = sw_context.new_page()
    controlled(page, site_copy.url)
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    cached = page.evaluate(SHELL_KEYS)
    assert any(p.endswith("/app.js") for p in cached), cached
    assert not any(f"/{d}/" in p for p in cached for d in ("staff", "forms", "booking")), cached

    target = served_path(site_copy.out, os.path.join("staff", "write.js"))
    original = open(target, "rb").read()
    with open(target, "ab") as f:
        f.write(b"\nwindow.__evil = true;\n")
    page.goto(site_copy.url + "#/write")
    page.wait_for_selector(".view [role=alert]")
    assert page.inner_text(".view [role=alert]") == NL["item.network"]
    assert page.evaluate("window.__evil === true") is False
    assert not any(p.endswith("/staff/write.js") for p in page.evaluate(SHELL_KEYS)), "the altered file is not kept"

    with open(target, "wb") as f:
        f.write(original)
    bump_mtime(target)
    page.reload()
    page.wait_for_selector(".view-write h1.view-title")
    assert page.inner_text(".view-write h1") == NL["write.heading"]
    assert page.inner_text(".view-write p") == NL["reports.no_staff"]
    cached = page.evaluate(SHELL_KEYS)
    assert any(p.endswith("/staff/write.js") for p in cached) and any(p.endswith("/staff/inbox.js") for p in cached), cached


def test_the_form_page_is_fetched_with_its_words_when_a_parent_opens_a_form(site, sw_context):
    """The timeline's "Te doen" cards are in the shell; the form page and its words (`forms/`)
    come through the worker the first time a form opens, and are kept for the next time."""
    page = sw_context.new_page()
    controlled(page, site.url)
    login(page, site.url, site.tokens["groep-3"])
    page.wait_for_selector(".pinned .card-form [data-testid=form-link]")
    assert not any("/forms/" in p for p in page.evaluate(SHELL_KEYS))
    page.click(".pinned .card-form[data-path='forms/fototoestemming'] [data-testid=form-link]")
    page.wait_for_selector(".view-form h1.view-title")
    page.wait_for_selector("[data-testid=answer-blocks]:not([aria-busy])")
    assert page.inner_text("[data-testid=form-anytime]") == NL["form.anytime"]
    assert page.locator("[data-testid=answer-send]").inner_text() == NL["form.send"], "the page's own words"
    cached = page.evaluate(SHELL_KEYS)
    assert {"forms/form.js", "forms/answer.js", "forms/i18n/nl.json"} <= {p.split("/", 3)[-1] for p in cached}, cached
