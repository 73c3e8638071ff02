"""The parent's view of a real generated site, through Chromium."""
import os
import random
import re

import format_v1
import opener
import pytest
from conftest import EN, NL, all_timeline_titles, login, timeline_titles


def only_in(site, name, audience, other_name, other_audiences):
    """Titles in `audience` (seen by token `name`) that no audience of `other_name` also uses."""
    mine = site.titles(name, audience)
    theirs = set().union(*(site.titles(other_name, a) for a in other_audiences))
    return mine - theirs


def test_typed_token_shows_school_and_own_group_but_not_another_group(site, page):
    login(page, site.url, site.tokens["groep-3"])
    titles = set(all_timeline_titles(page))
    school = site.titles("groep-3", "school")
    own = site.titles("groep-3", "groep-3")
    foreign = only_in(site, "groep-5", "groep-5", "groep-3", ["school", "groep-3"])
    assert school and own and foreign, "the example school needs news in school, groep-3 and groep-5"
    assert school <= titles
    assert own <= titles
    assert not (foreign & titles)
    # exactly the news and albums of school + groep-3 (once older pages are loaded), newest first;
    # no events, pages or conferences
    items = [i for a in ("school", "groep-3") for i in site.opened["groep-3"].audiences[a].manifest["items"]
             if i["kind"] in ("news", "album")]
    assert sorted(all_timeline_titles(page)) == sorted(i["title"] for i in items)
    dates = page.locator(".view-timeline .cards:not(.pinned) .card time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    # every card is labelled with its audience
    badges = set(page.locator(".view-timeline .card .badge").all_inner_texts())
    assert badges == {NL["audience.school"], site.opened["groep-3"].audiences["groep-3"].title}
    assert page.evaluate("typeof window.__unlockMs") == "number"


def test_link_token_logs_in_and_leaves_the_address_bar(site, page):
    token = site.tokens["groep-5"]
    held = []
    # hold the keyslot response: the token must be gone from the address bar before unlocking ends
    page.route("**/k/*", lambda route: held.append(route))
    page.goto(site.url + "#token=" + token)
    page.wait_for_function("() => document.readyState === 'complete'")
    while not held:
        page.wait_for_timeout(20)
    assert "token" not in page.evaluate("location.href")
    held[0].continue_()
    page.wait_for_selector(".view-timeline")
    href = page.evaluate("location.href")
    assert "token" not in href and token not in href
    assert site.titles("groep-5", "groep-5") <= set(all_timeline_titles(page))


def test_reload_does_not_ask_for_the_token_again(site, page):
    login(page, site.url, site.tokens["groep-3"])
    page.reload()
    page.wait_for_selector(".view-timeline")
    assert page.locator("#token").count() == 0
    assert site.titles("groep-3", "groep-3") <= set(all_timeline_titles(page))


def test_indexeddb_holds_keys_not_the_token(site, page):
    login(page, site.url, site.tokens["groep-3"])
    rec = page.evaluate("""() => new Promise((ok, err) => {
        const r = indexedDB.open('ouderportaal');
        r.onsuccess = () => { const g = r.result.transaction('tokens').objectStore('tokens').getAll();
          g.onsuccess = () => { const x = g.result[0]; r.result.close();
            ok({n: g.result.length, keys: Object.keys(x).sort(), id: x.token_id,
                kek: [x.kek.constructor.name, x.kek.extractable, x.kek.algorithm.name],
                auds: x.audiences.map(a => [a.id, a.key.constructor.name, a.key.extractable, a.key.algorithm.name]),
                json: JSON.stringify(x)}); }; };
        r.onerror = () => err(r.error); })""")
    assert rec["n"] == 1 and rec["id"] == site.token_ids["groep-3"]
    assert rec["kek"] == ["CryptoKey", False, "AES-GCM"]
    assert sorted(a[0] for a in rec["auds"]) == ["groep-3", "school"]
    assert all(a[1:] == ["CryptoKey", False, "AES-GCM"] for a in rec["auds"])
    normalized = opener.normalize_token(site.tokens["groep-3"])
    assert normalized not in rec["json"].upper().replace("-", "") and site.tokens["groep-3"] not in rec["json"]


def test_two_tokens_on_one_device_see_both_groups(site, page):
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/add")
    page.wait_for_selector("#token")
    page.type("#token", site.tokens["groep-5"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    titles = set(all_timeline_titles(page))
    assert site.titles("groep-3", "groep-3") <= titles
    assert site.titles("groep-5", "groep-5") <= titles
    page.reload()
    page.wait_for_selector(".view-timeline")
    assert site.titles("groep-5", "groep-5") <= set(all_timeline_titles(page))


def test_family_token_sees_both_groups(site, page):
    login(page, site.url, site.tokens["family"])
    titles = set(all_timeline_titles(page))
    assert site.titles("family", "groep-3") <= titles
    assert site.titles("family", "groep-8") <= titles
    assert not (only_in(site, "groep-5", "groep-5", "family", ["school", "groep-3", "groep-8"]) & titles)


def test_forget_device_returns_to_login_and_empties_indexeddb(site, page):
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/settings")
    page.click("[data-testid=forget]")
    page.click("[data-testid=forget-confirm]")
    page.wait_for_selector("#token")
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 0
    page.reload()
    page.wait_for_selector("#token")


def test_one_changed_character_gives_the_typo_message_at_once(site, page):
    token = site.tokens["groep-3"]
    i = 7  # a character in the second group
    c = token[i]
    wrong = token[:i] + ("7" if c != "7" else "8") + token[i + 1:]
    page.goto(site.url)
    page.wait_for_selector("#token")
    page.type("#token", wrong)
    msg = page.locator("[data-testid=login-error]")
    msg.wait_for(state="visible")
    assert msg.inner_text() == NL["login.typo"]
    page.click("form.login-form button[type=submit]")
    assert msg.inner_text() == NL["login.typo"]
    assert page.locator(".view-timeline").count() == 0
    # Issue 19 point 6: the whole code in its eight blocks, to compare block by block with the
    # letter (the field itself is narrower than 39 characters on a phone).
    blocks = page.locator("[data-testid=token-blocks] span").all_inner_texts()
    assert blocks == wrong.split("-"), blocks
    assert blocks[1] != token.split("-")[1] and blocks[0] == token.split("-")[0]


def test_the_code_in_blocks_fits_a_small_phone_while_typing(site, browser, tmp_path):
    from conftest import phone_context
    ctx = phone_context(browser, viewport={"width": 360, "height": 780})
    page = ctx.new_page()
    page.goto(site.url)
    page.wait_for_selector("#token")
    assert page.locator("[data-testid=token-blocks]").is_hidden(), "nothing typed: no blocks"
    page.type("#token", site.tokens["groep-3"][:11])
    shown = page.locator("[data-testid=token-blocks] span").all_inner_texts()
    assert shown[:2] == site.tokens["groep-3"].split("-")[:2] and shown[2] == site.tokens["groep-3"].split("-")[2][:1]
    assert shown[3:] == ["····"] * 5
    box = page.evaluate("""() => { const r = document.querySelector('[data-testid=token-blocks]').getBoundingClientRect();
        return {right: r.right, wide: document.documentElement.scrollWidth}; }""")
    assert box["right"] <= 360 and box["wide"] <= 360, box
    page.screenshot(path=str(tmp_path / "code-blocks-360.png"))
    ctx.close()


def test_valid_but_unknown_code_says_unknown_or_expired(site, page):
    token, _ = format_v1.new_token(random.randbytes(18))
    page.goto(site.url)
    page.wait_for_selector("#token")
    page.type("#token", token)
    assert page.locator("[data-testid=login-error]").inner_text() == ""
    page.click("form.login-form button[type=submit]")
    msg = page.locator("[data-testid=login-error]")
    msg.wait_for(state="visible")
    assert msg.inner_text() == NL["login.unknown"]


def first_item(site, name, audience, pred):
    for it in site.opened[name].audiences[audience].manifest["items"]:
        if pred(it):
            return it
    raise AssertionError(f"no matching item in {audience}")


def test_item_page_shows_the_decrypted_fragment(site, page):
    item = first_item(site, "groep-3", "groep-3", lambda i: i["kind"] == "news")
    full = opener.open_site(site.out, site.tokens["groep-3"])
    html = full.audiences["groep-3"].blobs[item["path"]].decode()
    # the app shows title, date and place itself, from the manifest
    body = re.sub(r"<h1[^>]*>.*?</h1>|<header[^>]*>.*?</header>", " ", html, flags=re.S)
    words = [w for w in re.sub(r"<[^>]+>", " ", body).split() if len(w) > 3]
    login(page, site.url, site.tokens["groep-3"])
    page.click(f".view-timeline .card[data-path='{item['path']}'] h2 a")
    page.wait_for_selector(".fragment[data-state=ready]")
    assert page.locator(".view-item h1").inner_text() == item["title"]
    text = page.locator(".fragment").inner_text()
    assert words and all(w in text for w in words[:5]), (words[:5], text)
    assert page.locator("[data-testid=item-error]").count() == 0


def test_images_in_a_fragment_are_opened_and_shown(site, page):
    """The first item (of any audience) whose fragment has an <img data-media>: it loads as a blob: URL."""
    full = opener.open_site(site.out, site.tokens["family"])
    target = None
    for aud in full.audiences.values():
        for it in aud.manifest["items"]:
            if b"data-media=" in aud.blobs[it["path"]]:
                target = it
                break
        if target:
            break
    assert target, "the example school has no item with an image"
    login(page, site.url, site.tokens["family"])
    page.goto(site.url + "#/item/" + target["path"])
    page.wait_for_selector(".fragment[data-state=ready]")
    # (an album's photo list is shown by the app's gallery, next to the fragment)
    img = page.locator(".view-item img[data-media]").first
    page.wait_for_function("() => { const i = document.querySelector('.view-item img[data-media]');"
                           " return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0; }")
    src = img.get_attribute("src")
    assert src.startswith("blob:")
    # leaving the view revokes its object URLs
    page.click("nav a[href='#/']")
    page.wait_for_selector(".view-timeline")
    assert page.evaluate("u => fetch(u).then(() => 'open', () => 'revoked')", src) == "revoked"


def test_tampered_item_blob_shows_an_error_not_garbage(site_copy, page):
    item = first_item(site_copy, "groep-3", "groep-3", lambda i: i["kind"] == "news")
    path = os.path.join(site_copy.out, item["blob"])
    data = bytearray(open(path, "rb").read())
    data[40] ^= 0x01
    open(path, "wb").write(bytes(data))
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    page.goto(site_copy.url + "#/item/" + item["path"])
    err = page.locator("[data-testid=item-error]")
    err.wait_for()
    assert err.inner_text() == NL["item.error"]
    assert page.locator(".fragment").inner_text().strip() == NL["item.error"]


def test_revoked_token_is_dropped_on_the_next_visit(site_copy, page):
    """A revoked or expired token has no keyslot; on the next start the app forgets it and says so."""
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    os.remove(os.path.join(site_copy.out, "k", site_copy.token_ids["groep-3"]))
    page.reload()
    page.wait_for_selector("#token")
    assert page.locator("[data-testid='notice.revoked']").inner_text().startswith(NL["notice.revoked"])
    assert page.evaluate("""() => new Promise(ok => { const r = indexedDB.open('ouderportaal');
        r.onsuccess = () => { const g = r.result.transaction('tokens').objectStore('tokens').count();
        g.onsuccess = () => { r.result.close(); ok(g.result); }; }; })""") == 0


def test_calendar_lists_an_upcoming_event(site, page):
    import datetime as dt
    today = dt.date.today().isoformat()
    events = [i for a in site.opened["groep-3"].audiences.values() for i in a.manifest["items"]
              if i.get("event") and (i["event"].get("end") or i["event"]["start"])[:10] >= today]
    assert events, "the example school has no upcoming event"
    login(page, site.url, site.tokens["groep-3"])
    page.click("nav a[href='#/calendar']")
    page.wait_for_selector("[data-testid=calendar]")
    upcoming = page.locator(".upcoming .event h3").all_inner_texts()
    for ev in events:
        assert ev["title"] in upcoming
    first = min(events, key=lambda e: e["event"]["start"])
    assert upcoming[0] == first["title"] or first["title"] in upcoming[:3]


def test_info_pages_sorted_by_weight_then_title(site, page):
    pages = [i for a in site.opened["groep-3"].audiences.values() for i in a.manifest["items"] if i["kind"] == "page"]
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/info")
    page.wait_for_selector(".view-info")
    shown = page.locator(".view-info .pages li > a").all_inner_texts()
    assert shown == [p["title"] for p in sorted(pages, key=lambda p: (p.get("weight") or 0, p["title"].lower()))] or \
        sorted(shown) == sorted(p["title"] for p in pages) and len(shown) == len(pages)
    if pages:
        page.click(".view-info .pages li > a >> nth=0")
        page.wait_for_selector(".fragment[data-state=ready]")


def test_english_switch(site, page):
    page.goto(site.url)
    page.wait_for_selector("#token")
    assert page.locator("label[for=token]").inner_text() == NL["login.label"]
    page.select_option("[data-testid=lang-switch]", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("label[for=token]").inner_text() == EN["login.label"]
    page.type("#token", site.tokens["groep-3"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    assert page.locator("nav a[href='#/calendar']").inner_text() == EN["nav.calendar"]
    assert page.locator(".view-timeline h1").inner_text() == EN["timeline.heading"]
    # English dates too
    first_date = page.locator(".view-timeline .card time").first.inner_text()
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)", first_date), first_date


def test_dutch_dates_in_the_timeline(site, page):
    login(page, site.url, site.tokens["groep-3"])
    first_date = page.locator(".view-timeline .card time").first.inner_text()
    assert re.fullmatch(r"(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} \w+ \d{4}", first_date), first_date


def test_login_screen_shows_school_and_contact(site, page):
    page.goto(site.url)
    page.wait_for_selector("#token")
    info = site.opened["groep-3"].site
    assert page.locator(".brand").inner_text() == info["name"]
    contact = page.locator(".contact").inner_text()
    assert info["contact"]["name"] in contact and info["contact"]["email"] in contact
    csp = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert "script-src 'self'" in csp and "unsafe" not in csp


def test_keyslot_past_its_expiry_is_refused(site_copy, page):
    """A keyslot (sealed here by the Python sealer, with the real audience keys) that has expired."""
    import base64
    import datetime as dt
    import json as _json
    real = site_copy.opened["groep-3"]
    site_id = bytes.fromhex(real.site["site_id"])
    token, r = format_v1.new_token(random.randbytes(18))
    token_id, kek = opener.derive(r, site_id)
    slot = dict(real.keyslot, token_id=token_id, expires=(dt.date.today() - dt.timedelta(days=1)).isoformat())
    env = format_v1.seal(kek, _json.dumps(slot).encode(), opener.keyslot_ad_v2(token_id), real.site["keyslot_size"])
    open(os.path.join(site_copy.out, "k", token_id), "wb").write(env)
    # the same keyslot, not expired, opens: so the refusal is about the date
    ok_token, r2 = format_v1.new_token(random.randbytes(18))
    ok_id, kek2 = opener.derive(r2, site_id)
    slot2 = dict(real.keyslot, token_id=ok_id)
    open(os.path.join(site_copy.out, "k", ok_id), "wb").write(
        format_v1.seal(kek2, _json.dumps(slot2).encode(), opener.keyslot_ad_v2(ok_id), real.site["keyslot_size"]))
    assert base64.b64decode(slot["audiences"][0]["key"])
    page.goto(site_copy.url)
    page.wait_for_selector("#token")
    page.type("#token", token)
    page.click("form.login-form button[type=submit]")
    msg = page.locator("[data-testid=login-error]")
    msg.wait_for(state="visible")
    assert msg.inner_text() == NL["login.unknown"]
    page.fill("#token", ok_token)
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")


def test_a_keyslot_of_another_size_is_refused_like_a_damaged_one(site_copy, page):
    """A keyslot that opens with its KEK but is not keyslot_size (site.json) bytes is never used:
    the login says "unknown", as for a damaged keyslot, and nothing of it is shown."""
    import json as _json
    real = site_copy.opened["groep-3"]
    site_id = bytes.fromhex(real.site["site_id"])
    tokens = {}
    for name, size in (("short", real.site["keyslot_size"] // 2), ("damaged", real.site["keyslot_size"])):
        token, r = format_v1.new_token(random.randbytes(18))
        token_id, kek = opener.derive(r, site_id)
        env = bytearray(format_v1.seal(kek, _json.dumps(dict(real.keyslot, token_id=token_id)).encode(),
                                       opener.keyslot_ad_v2(token_id), size))
        if name == "damaged":
            env[-1] ^= 1
        open(os.path.join(site_copy.out, "k", token_id), "wb").write(bytes(env))
        tokens[name] = token
    for name in ("short", "damaged"):
        page.goto(site_copy.url)
        page.wait_for_selector("#token")
        page.fill("#token", tokens[name])
        page.click("form.login-form button[type=submit]")
        msg = page.locator("[data-testid=login-error]")
        msg.wait_for(state="visible")
        assert msg.inner_text() == NL["login.unknown"], name
        assert page.locator(".view-timeline").count() == 0


def test_an_index_that_does_not_open_is_reported_and_the_rest_still_shows(site_copy, page):
    slot = site_copy.opened["groep-3"].keyslot
    index = next(a["index"] for a in slot["audiences"] if a["id"] == "groep-3")
    path = os.path.join(site_copy.out, index)
    data = bytearray(open(path, "rb").read())
    data[-5] ^= 0x80
    open(path, "wb").write(bytes(data))
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    notice = page.locator("[data-testid='notice.audience_error']")
    assert notice.inner_text() == NL["notice.audience_error"].replace("{title}", site_copy.opened["groep-3"].audiences["groep-3"].title)
    titles = set(all_timeline_titles(page))
    assert site_copy.titles("groep-3", "school") <= titles
    assert not (site_copy.titles("groep-3", "groep-3") & titles)


def stored_epochs(page):
    return page.evaluate("""() => new Promise(ok => { const r = indexedDB.open('ouderportaal');
        r.onsuccess = () => { const g = r.result.transaction('tokens').objectStore('tokens').getAll();
        g.onsuccess = () => { r.result.close(); ok(g.result.map(x => [x.token_id, Object.fromEntries(x.audiences.map(a => [a.id, a.epoch]))])); }; }; })""")


def test_revoke_and_regenerate_rekeys_other_devices_and_drops_the_revoked(real_site_copy, context):
    """Real `portal token revoke` + `generate`: the family token loses access at the next start;
    a groep-3 device picks up the new epochs from its re-fetched keyslot without retyping."""
    s = real_site_copy
    fam_page = context.new_page()
    login(fam_page, s.url, s.tokens["family"])
    other = context.browser.new_context(locale="nl-NL")
    try:
        g3 = other.new_page()
        login(g3, s.url, s.tokens["groep-3"])
        before = dict(stored_epochs(g3))[s.token_ids["groep-3"]]
        s.revoke("family")
        s.generate()
        assert not os.path.exists(os.path.join(s.out, "k", s.token_ids["family"]))
        fam_page.reload()
        fam_page.wait_for_selector("#token")
        assert fam_page.locator("[data-testid='notice.revoked']").count() == 1
        g3.reload()
        g3.wait_for_selector(".view-timeline")
        after = dict(stored_epochs(g3))[s.token_ids["groep-3"]]
        assert after["groep-3"] > before["groep-3"]
        assert s.titles("groep-3", "groep-3") <= set(all_timeline_titles(g3))
        assert g3.locator("[data-testid='notice.audience_error']").count() == 0
    finally:
        other.close()



def test_revoking_a_token_rekeys_the_school_audience_too(real_site_copy):
    s = real_site_copy
    before = s.opened["groep-3"].keyslot
    s.revoke("family")
    s.generate()
    after = opener.open_site(s.out, s.tokens["groep-3"], open_blobs=False).keyslot
    epochs = lambda slot: {a["id"]: a["epoch"] for a in slot["audiences"]}  # noqa: E731
    assert epochs(after)["groep-3"] > epochs(before)["groep-3"]
    assert epochs(after)["school"] > epochs(before)["school"]


def test_fragment_sanitizer_strips_active_content(site, page):
    """Fragments come from the school's own generator with raw HTML off; the app still defends itself."""
    page.goto(site.url)
    page.wait_for_selector("#token")
    out = page.evaluate("""async () => {
        const D = await import(new URL('dom.js', document.querySelector('script[type=module]').src).href);
        const f = D.sanitizeFragment('<p onclick="x()" style="color:red">hi <a href="javascript:alert(1)">j</a>'
          + ' <a href="https://example.org/x">ext</a> <a href="#/item/news/a">int</a></p>'
          + '<script>window.__pwned = 1</script><img src="https://evil.example/t.gif" alt="tracker">'
          + '<img data-media="news/a/b.jpg" src="https://evil.example/t.gif" onerror="x()" alt="ok">'
          + '<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="q"></form>'
          + '<svg><script>1</script></svg><custom-tag>kept text</custom-tag>');
        const d = document.createElement('div'); d.append(f);
        return { html: d.innerHTML, pwned: window.__pwned === 1 }; }""")
    html = out["html"]
    assert not out["pwned"]
    for bad in ("onclick", "style=", "javascript:", "<script", "evil.example", "<iframe", "<form", "<input", "<svg", "onerror"):
        assert bad not in html, (bad, html)
    assert 'href="https://example.org/x"' in html and 'rel="noopener noreferrer"' in html
    assert 'href="#/item/news/a"' in html
    assert 'data-media="news/a/b.jpg"' in html and "tracker" in html and "kept text" in html


def test_network_error_on_an_item_shows_a_network_message(site, page):
    item = first_item(site, "groep-3", "groep-3", lambda i: i["kind"] == "news")
    login(page, site.url, site.tokens["groep-3"])
    page.route("**/" + item["blob"], lambda route: route.abort("internetdisconnected"))
    page.goto(site.url + "#/item/" + item["path"])
    err = page.locator("[data-testid=item-error]")
    err.wait_for()
    assert err.inner_text() == NL["item.network"]


def test_new_school_year_moves_a_device_to_its_next_group_without_typing(real_site_copy, context):
    """Real `portal rotate` + `generate`: the groep-3 device now reads groep 4 (new keys from its
    re-fetched keyslot), no longer groep 3; the family whose other child leaves groep 8 keeps its
    younger child's group only."""
    from conftest import run
    s = real_site_copy
    g3 = context.new_page()
    login(g3, s.url, s.tokens["groep-3"])
    assert set(dict(stored_epochs(g3))[s.token_ids["groep-3"]]) == {"school", "groep-3"}
    run("rotate", "--keys", os.path.join(s.root, "keys"), "--content", os.path.join(s.root, "content"))
    s.generate()
    g3.reload()
    g3.wait_for_selector(".view-timeline")
    stored = dict(stored_epochs(g3))
    assert set(stored[s.token_ids["groep-3"]]) == {"school", "groep-4"}
    assert g3.locator("#token").count() == 0
    badges = set(g3.locator(".view-timeline .badge").all_inner_texts())
    assert "Groep 4" in badges and "Groep 3" not in badges
    fam = context.browser.new_context(locale="nl-NL")
    try:
        f = fam.new_page()
        login(f, s.url, s.tokens["family"])
        assert set(dict(stored_epochs(f))[s.token_ids["family"]]) == {"school", "groep-4"}
    finally:
        fam.close()


def test_a_refused_keyslot_keeps_the_token_and_tries_again(site_copy, page):
    """Only 404/410 (or an expired keyslot) means "this token is gone". A CDN's 429 or 403 on the
    keyslot keeps the token, shows what the device had, says so, and is tried again with backoff."""
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    before = timeline_titles(page)
    slot = "**/k/" + site_copy.token_ids["groep-3"]
    answers = iter([429, 403])
    page.route(slot, lambda route: route.fulfill(status=next(answers, 429), body="busy"))
    page.reload()
    notice = page.locator("[data-testid='notice.retrying']")
    notice.wait_for()
    assert notice.inner_text().startswith(NL["notice.retrying"])
    assert page.locator("[data-testid='notice.revoked']").count() == 0
    assert timeline_titles(page) == before, "the device keeps what it had"
    # The host answers again: the next try (5 s later) picks the keyslot up and the notice goes.
    page.unroute(slot)
    page.wait_for_selector("[data-testid='notice.retrying']", state="detached", timeout=15000)
    assert timeline_titles(page) == before
    assert page.evaluate("""() => new Promise(ok => { const r = indexedDB.open('ouderportaal');
        r.onsuccess = () => { const g = r.result.transaction('tokens').objectStore('tokens').count();
        g.onsuccess = () => { r.result.close(); ok(g.result); }; }; })""") == 1


def test_tables_in_news_scroll_instead_of_breaking_words(site, page):
    """Issue 19 point 4: a table in an item keeps its words and times whole ("10.15", not "10 .1 5")
    on a 390 px phone; a table wider than the screen scrolls sideways inside the fragment."""
    login(page, site.url, site.tokens["groep-3"])
    page.goto(site.url + "#/item/pages/schoolgids")
    page.wait_for_selector(".fragment[data-state=ready] table")
    broken = page.evaluate("""() => {
        const out = [];
        for (const cell of document.querySelectorAll('.fragment table th, .fragment table td')) {
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const re = /\\S+/g; let m;
            while ((m = re.exec(node.data))) {
              const range = document.createRange();
              range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
              const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              if (lines.size > 1) out.push(m[0]);
            }
          }
        }
        return out; }""")
    assert broken == [], f"words broken across lines: {broken}"
    fits = page.evaluate("""() => { const f = document.querySelector('.fragment');
        return f.scrollWidth <= f.clientWidth + 1 && document.documentElement.scrollWidth <= innerWidth + 1; }""")
    assert fits, "the page itself never scrolls sideways: only the table does"


def test_on_an_iphone_the_login_says_install_first_and_the_keys_are_kept(site, browser, tmp_path):
    """Issue 19 point 9: Safari on iOS does not share storage with the home-screen app, so the
    login says "install first, enter the code there" (not in the installed app, not elsewhere);
    after an unlock the app asks the browser to persist its storage."""
    from conftest import phone_context
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/18.1 Mobile/15E148 Safari/604.1")
    ctx = phone_context(browser, user_agent=iphone)
    page = ctx.new_page()
    page.add_init_script("navigator.storage.persist = async () => { window.__persisted = (window.__persisted || 0) + 1; return true; };")
    page.goto(site.url)
    page.wait_for_selector("#token")
    note = page.locator("[data-testid=ios-first]")
    assert note.inner_text() == NL["login.ios_first"]
    # Before the code field: read first.
    assert page.evaluate("""() => !!(document.querySelector('[data-testid=ios-first]').compareDocumentPosition(
        document.querySelector('#token')) & Node.DOCUMENT_POSITION_FOLLOWING)""")
    page.screenshot(path=str(tmp_path / "login-iphone.png"))
    login(page, site.url, site.tokens["groep-3"])
    page.wait_for_function("() => window.__persisted === 1")
    ctx.close()
    # The installed app on the home screen (navigator.standalone) and other phones: no such note.
    for ua, init in ((iphone, "Object.defineProperty(navigator, 'standalone', { value: true });"), (None, "")):
        c = phone_context(browser, **({"user_agent": ua} if ua else {}))
        p = c.new_page()
        if init:
            p.add_init_script(init)
        p.goto(site.url)
        p.wait_for_selector("#token")
        assert p.locator("[data-testid=ios-first]").count() == 0
        c.close()
