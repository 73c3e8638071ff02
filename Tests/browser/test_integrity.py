"""What the host serves is checked before it is used (FORMAT.md "Opening, in order"): a signature
that does not verify, a b/ file that is not the bytes its name says, and an index older than one
this device already accepted."""
import base64
import json
import os

import format_v2
import opener
from conftest import NL, all_timeline_titles, login, master_key, timeline_titles


def audience_entry(s, name, audience):
    slot = s.opened[name].keyslot
    return next(a for a in slot["audiences"] if a["id"] == audience)


def reseal_index(s, name, audience, change):
    """Opens the served index of `audience`, lets `change(signed document) -> bytes` alter it, and
    seals the result again under the same audience key: only the signature or sequence can tell."""
    a = audience_entry(s, name, audience)
    key, ad = base64.b64decode(a["key"]), opener.index_ad(audience, a["epoch"])
    path = os.path.join(s.out, a["index"])
    doc = opener.open_envelope(key, open(path, "rb").read(), ad)
    with open(path, "wb") as f:
        f.write(format_v2.seal_padded(key, change(bytearray(doc)), ad))


def audience_notice(page, s, name, audience):
    title = s.opened[name].audiences[audience].title
    notice = page.locator("[data-testid='notice.audience_error']")
    notice.wait_for()
    assert notice.inner_text() == NL["notice.audience_error"].replace("{title}", title)


def nothing_of(page, s, name, audience, requests):
    """No title of `audience` on the timeline (all pages loaded), no page of it fetched, no link to it."""
    titles = set(all_timeline_titles(page))
    assert s.titles(name, "school") <= titles
    assert not (s.titles(name, audience) & titles)
    pages = {p["blob"] for p in s.opened[name].audiences[audience].index["pages"]}
    assert not (pages & requests)
    item = s.opened[name].audiences[audience].manifest["items"][0]
    page.goto(s.url + "#/item/" + item["path"])
    page.wait_for_selector(".view-item .error")
    assert page.locator(".view-item .error").inner_text() == NL["item.notfound"]


def served(page, s):
    requests = set()
    page.on("request", lambda r: requests.add(r.url[len(s.url):]) if r.url.startswith(s.url) else None)
    return requests


def test_an_index_with_a_flipped_signature_bit_closes_that_audience(site_copy, page):
    def flip(doc):
        doc[4] ^= 0x01  # the first signature byte
        return bytes(doc)
    reseal_index(site_copy, "groep-3", "groep-3", flip)
    requests = served(page, site_copy)
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    audience_notice(page, site_copy, "groep-3", "groep-3")
    nothing_of(page, site_copy, "groep-3", "groep-3", requests)
    assert page.locator("[data-testid='notice.rollback']").count() == 0


def test_an_index_signed_by_another_key_closes_that_audience(site_copy, page):
    def resign(doc):
        return format_v2.signed(bytes(range(0xa0, 0xc0)), "index", bytes(doc[68:]))
    reseal_index(site_copy, "groep-3", "groep-3", resign)
    requests = served(page, site_copy)
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    audience_notice(page, site_copy, "groep-3", "groep-3")
    nothing_of(page, site_copy, "groep-3", "groep-3", requests)


def test_a_page_served_under_another_name_closes_that_audience(site_copy, page):
    """A valid sealed file of the site (the school's first page) served at a groep-3 page's name:
    refused by its hash before it is opened, and nothing of groep-3 is used."""
    own = site_copy.opened["groep-3"].audiences["groep-3"].index["pages"][0]["blob"]
    other = site_copy.opened["groep-3"].audiences["school"].index["pages"][0]["blob"]
    with open(os.path.join(site_copy.out, other), "rb") as f:
        data = f.read()
    with open(os.path.join(site_copy.out, own), "wb") as f:
        f.write(data)
    login(page, site_copy.url, site_copy.tokens["groep-3"])
    audience_notice(page, site_copy, "groep-3", "groep-3")
    titles = set(all_timeline_titles(page))
    assert site_copy.titles("groep-3", "school") <= titles
    assert not (site_copy.titles("groep-3", "groep-3") & titles)


def test_an_older_index_is_refused_with_a_notice_and_the_newer_content_stays(site_copy, context):
    """The host replays an older index of the school (signed by the school, sequence one lower, its
    newest page gone: as if to hide what that page says). A device that saw the newer one refuses
    it, says so, and keeps what it showed; after a restart it shows nothing of the school rather
    than the old index; "forget this device" forgets the sequences too."""
    s = site_copy
    school = s.opened["groep-3"].audiences["school"]
    for entry in school.index["pages"]:  # the newest page with news on it
        newest = {i["title"] for i in school.pages[entry["id"]]["items"]
                  if i["kind"] in ("news", "album") and i.get("date") and not i.get("event")}
        if newest:
            break
    page = context.new_page()
    login(page, s.url, s.tokens["groep-3"])
    before = timeline_titles(page)
    assert newest <= set(before)
    seed = format_v2.publisher_seed(master_key(s))
    assert base64.b64encode(format_v2.publisher_public(seed)).decode() == s.opened["groep-3"].keyslot["publisher"]

    def older(doc):
        body = json.loads(bytes(doc[68:]))
        body["sequence"] -= 1
        body["pages"] = [p for p in body["pages"] if p["id"] != entry["id"]]
        return format_v2.signed(seed, "index", opener.canonical_json(body))
    reseal_index(s, "groep-3", "school", older)

    # In memory: adding a second code opens every index again; the school's is refused.
    page.goto(s.url + "#/add")
    page.wait_for_selector("#token")
    page.type("#token", s.tokens["groep-5"])
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector(".view-timeline")
    notice = page.locator("[data-testid='notice.rollback']")
    notice.wait_for()
    assert notice.inner_text().startswith(NL["notice.rollback"])
    assert set(before) <= set(timeline_titles(page))
    assert page.locator("[data-testid='notice.audience_error']").count() == 0

    # After a restart nothing of the older index is used: no school items, the notice again.
    page.reload()
    page.wait_for_selector(".view-timeline")
    page.locator("[data-testid='notice.rollback']").wait_for()
    titles = set(all_timeline_titles(page))
    assert not ((s.titles("groep-3", "school") - s.titles("groep-3", "groep-3")) & titles)
    assert s.titles("groep-3", "groep-3") <= titles

    # "Forget this device" forgets the highest sequences: a new start accepts what is served.
    page.goto(s.url + "#/settings")
    page.click("[data-testid=forget]")
    page.click("[data-testid=forget-confirm]")
    page.wait_for_selector("#token")
    assert page.evaluate("localStorage.getItem('seq-v2')") is None
    login(page, s.url, s.tokens["groep-3"])
    assert page.locator("[data-testid='notice.rollback']").count() == 0
    titles = set(all_timeline_titles(page))
    assert not (newest & titles)
    assert (s.titles("groep-3", "school") - newest) & titles
