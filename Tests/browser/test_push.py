"""Notifications (issue 16) in Chromium: the parent turns them on in settings, the app subscribes
with the school's VAPID key from the sealed keyslot and sends the subscription, signed, to the
real receiver; a push delivered to the service worker (DevTools protocol, as a push service
would) shows the title the school signed, a push for a publish the host does not have yet shows
the neutral line, a repeated push shows the same notification again, not a second one, a click
opens the item, and a renewed subscription (pushsubscriptionchange) replaces the old endpoint at
the receiver. A teacher's device is told a number of new reports, a parent's that forms wait for
an answer.

Headless Chromium has no push service (PLATFORM.md): `pushManager.subscribe` is replaced in the
page by one that returns a subscription of the push service stand-in (push_service.py), whose
keys the test holds; the receiver takes it with --push-allow-loopback.
"""
import base64
import json
import os
import sqlite3
import subprocess
import threading
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import push_service
from conftest import NL, RECEIVER_BIN, free_port, login


def vapid_public_key(trust_path):
    trust = json.load(open(trust_path))
    scalar = int.from_bytes(base64.b64decode(trust["push"]["vapid_private_key"]), "big")
    point = ec.derive_private_key(scalar, ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


@pytest.fixture
def push_receiver(booking_site, tmp_path):
    """The real receiver serving the booking site, taking loopback push endpoints."""
    port = free_port()
    db = str(tmp_path / "receiver.sqlite")
    proc = subprocess.Popen(
        [RECEIVER_BIN, "--trust", os.path.join(booking_site.keys, "trust.json"), "--db", db,
         "--listen", f"127.0.0.1:{port}", "--static", booking_site.out, "--push-allow-loopback"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while "listening on" not in proc.stdout.readline():
        assert proc.poll() is None, "portal-receiver exited"
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    yield f"http://127.0.0.1:{port}/", db
    proc.terminate()
    proc.wait(5)


FAKE_SUBSCRIBE = """
(sub) => {
  const made = { endpoint: sub.endpoint, toJSON: () => ({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }),
                 unsubscribe: async () => { window.__unsubscribed = true; return true; } };
  let current = null;
  PushManager.prototype.subscribe = async function (options) {
    window.__serverKey = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)))
      .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    window.__visible = options.userVisibleOnly;
    current = made;
    return made;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
}
"""


# In the service worker: `fake(sub)` makes a subscription object of the stand-in's keys, the
# worker's pushManager.subscribe returns `self.__renewed`, and FIRE dispatches an event the way
# the browser would (with waitUntil collected and awaited).
FIRE = """async () => {
  const fake = (s) => ({ endpoint: s.endpoint, toJSON: () => ({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }) });
  PushManager.prototype.subscribe = async function (options) {
    self.__serverKey = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)))
      .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    return fake(self.__renewed);
  };
  const fire = async (type, fields) => {
    const event = Object.assign(new Event(type), fields), waits = [];
    event.waitUntil = (p) => waits.push(p);
    self.dispatchEvent(event);
    await Promise.all(waits);
  };
  await fire"""


def push_context(browser):
    """A phone-sized context with service workers and notifications allowed."""
    ctx = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 390, "height": 844},
                              service_workers="allow", permissions=["notifications"])
    ctx.set_default_timeout(8000)
    return ctx


def watch_registrations(ctx, page):
    """A CDP session on `page` and the service worker registrations it reports (for deliverPushMessage)."""
    cdp = ctx.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    return cdp, registrations


def test_settings_subscribe_and_a_push_shows_the_signed_title(booking_site, push_receiver, browser):
    url, db = push_receiver
    server, service = push_service.serve()
    sub = service.subscribe()
    ctx = push_context(browser)
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(f"({FAKE_SUBSCRIBE})({json.dumps(sub)})")
        cdp, registrations = watch_registrations(ctx, page)
        page.goto(url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        login(page, url, booking_site.tokens["g5"])

        # Asked once, politely, on the timeline after the login; yes turns them on.
        page.click("[data-testid=notify-offer-yes]")
        page.wait_for_selector("[data-testid=notify-offer]", state="detached")
        page.goto(url + "#/settings")
        page.wait_for_selector("[data-testid=notify-all][aria-pressed=true]")
        assert page.evaluate("window.__serverKey") == vapid_public_key(os.path.join(booking_site.keys, "trust.json"))
        assert page.evaluate("window.__visible") is True
        deadline = time.time() + 5
        rows = []
        while time.time() < deadline and not rows:
            rows = sqlite3.connect(db).execute("SELECT token_id, endpoint, mode FROM push_subscriptions").fetchall()
            time.sleep(0.1)
        assert rows == [(booking_site.token_ids["g5"], sub["endpoint"], "all")]

        # A push as the push service delivers it: the title comes from groep 5's signed index.
        sequences = json.load(open(os.path.join(booking_site.keys, "cache", "sequences.json")))["entries"]
        seq = sequences["groep-5"]["sequence"]
        reg_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == url)

        def deliver(payload):
            cdp.send("ServiceWorker.deliverPushMessage", {"origin": url.rstrip("/"), "registrationId": reg_id, "data": json.dumps(payload)})

        def shown():
            return page.evaluate("async () => (await (await navigator.serviceWorker.ready).getNotifications())"
                                 ".map((n) => ({title: n.title, body: n.body, url: n.data && n.data.url}))")

        def wait_shown():
            deadline = time.time() + 8
            while time.time() < deadline:
                notes = shown()
                if notes:
                    return notes
                time.sleep(0.1)
            return []

        deliver({"n": 3, "s": {"groep-5": seq}, "u": False, "v": 1})
        [note] = wait_shown()
        assert note["title"].startswith("Groep 5: "), note
        title = note["title"][len("Groep 5: "):]
        assert note["body"] == "3 nieuwe berichten"
        assert note["url"].startswith("./#/item/groups/groep-5/")
        page.goto(url + "#/")
        page.wait_for_selector(".view-timeline")
        assert title in page.inner_text("main")

        # The same push again (delivery is at least once): the same notification, once.
        deliver({"n": 3, "s": {"groep-5": seq}, "u": False, "v": 1})
        time.sleep(1)
        assert shown() == [note]

        # A click opens the item. Headless Chromium cannot click a notification, so the test fires
        # the event the browser would fire, with the notification it shows, in the worker.
        page.goto(url + "#/settings")
        page.wait_for_selector("[data-testid=notify-all]")
        worker = next(w for w in ctx.service_workers if w.url.startswith(url))
        worker.evaluate(FIRE + "('notificationclick', { notification: (await self.registration.getNotifications())[0] }); }")
        page.wait_for_function("() => location.hash.startsWith('#/item/groups/groep-5/')")
        page.wait_for_selector(f"h1:has-text({json.dumps(title)})")
        assert shown() == [], "the clicked notification is closed"

        # A push for a publish the host does not have yet: the neutral line, no title.
        page.evaluate("async () => { for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close(); }")
        deliver({"n": 1, "s": {"groep-5": seq + 1000}, "u": True, "v": 1})
        assert [n["title"] for n in wait_shown()] == ["Nieuw bericht van school"]

        # The push service renews the subscription (pushsubscriptionchange): the worker subscribes
        # again with the keyslot's VAPID key and tells the receiver the new endpoint and to forget
        # the old one. (The worker's subscribe is replaced as the page's is: no push service here.)
        renewed = service.subscribe()
        worker.evaluate(f"async () => {{ self.__renewed = {json.dumps(renewed)}; }}")
        worker.evaluate(FIRE + "('pushsubscriptionchange', { oldSubscription: fake(" + json.dumps(sub) + ") }); }")
        deadline = time.time() + 5
        while time.time() < deadline:
            rows = sqlite3.connect(db).execute("SELECT endpoint, mode FROM push_subscriptions").fetchall()
            if rows == [(renewed["endpoint"], "all")]:
                break
            time.sleep(0.1)
        assert rows == [(renewed["endpoint"], "all")]
        assert worker.evaluate("() => self.__serverKey") == vapid_public_key(os.path.join(booking_site.keys, "trust.json"))
        # The page sees the renewed subscription from now on, as the browser would show it.
        page.evaluate(f"(s) => {{ PushManager.prototype.getSubscription = async () => ({{ endpoint: s.endpoint,"
                      f" toJSON: () => ({{ endpoint: s.endpoint, keys: {{ p256dh: s.p256dh, auth: s.auth }} }}),"
                      f" unsubscribe: async () => {{ window.__unsubscribed = true; return true; }} }}); }}", renewed)

        # Off: the receiver forgets this device.
        page.goto(url + "#/settings")
        page.click("[data-testid=notify-off]")
        page.wait_for_selector("[data-testid=notify-off][aria-pressed=true]")
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM push_subscriptions").fetchone()[0] == 0
        assert page.evaluate("window.__unsubscribed") is True
        assert not errors, errors
    finally:
        ctx.close()
        server.shutdown()


def test_an_urgent_item_is_marked_on_its_card_and_its_page(site, page):
    """`urgent: true` (the example school's study day) is marked "Dringend"; others are not."""
    from conftest import load_all
    login(page, site.url, site.tokens["groep-3"])
    load_all(page)
    card = page.locator("article.card[data-path='news/studiedag-en-herfstvakantie']")
    assert card.locator("[data-testid=urgent]").inner_text().lower() == "dringend"
    assert page.locator("[data-testid=urgent]").count() == 1
    card.locator("h2 a").click()
    page.wait_for_selector(".view-item [data-testid=urgent]")


def test_the_offer_comes_once_and_not_now_is_remembered(site, page):
    login(page, site.url, site.tokens["groep-3"])
    offer = page.locator("[data-testid=notify-offer]")
    assert "melding" in offer.inner_text()
    page.click("[data-testid=notify-offer-later]")
    assert offer.count() == 0
    page.reload()
    page.wait_for_selector(".view-timeline")
    assert offer.count() == 0


def test_a_report_push_on_a_teachers_phone_says_a_number_and_opens_the_reports(booking_site, push_receiver, browser):
    """Issue 17: the receiver tells a teacher's devices "{n} new reports" (FORMAT.md "Push": `r`,
    a number, no name; the Swift PushDeliveryTests check that the receiver sends exactly that).
    Delivered here as the push service would; a click opens "Afwezigen"."""
    url, _ = push_receiver
    ctx = push_context(browser)
    try:
        page = ctx.new_page()
        cdp, registrations = watch_registrations(ctx, page)
        page.goto(url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        login(page, url, booking_site.tokens["teacher-g5"])
        reg_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == url)
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": url.rstrip("/"), "registrationId": reg_id,
                                                      "data": json.dumps({"v": 1, "s": {}, "u": False, "n": 0, "r": 2})})
        notes = []
        deadline = time.time() + 8
        while time.time() < deadline and not notes:
            notes = page.evaluate("async () => (await (await navigator.serviceWorker.ready).getNotifications())"
                                  ".map((n) => ({title: n.title, url: n.data && n.data.url}))")
            time.sleep(0.1)
        assert notes == [{"title": NL["push.reports"].replace("{n}", "2"), "url": "./#/reports"}]
        worker = next(w for w in ctx.service_workers if w.url.startswith(url))
        worker.evaluate(FIRE + "('notificationclick', { notification: (await self.registration.getNotifications())[0] }); }")
        page.wait_for_function("() => location.hash === '#/reports'")
        page.wait_for_selector(".view-reports")
    finally:
        ctx.close()


def test_a_form_reminder_push_says_a_form_waits_and_opens_the_timeline(booking_site, push_receiver, browser):
    """Issue 18: two days before a deadline the receiver reminds the families that have not
    answered (FORMAT.md "Push": `f`, a number, never a form or a title; `s` empty). Delivered here
    as the push service would: one form, then three; a click opens the timeline with "Te doen"."""
    url, _ = push_receiver
    ctx = push_context(browser)
    try:
        page = ctx.new_page()
        cdp, registrations = watch_registrations(ctx, page)
        page.goto(url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        login(page, url, booking_site.tokens["g5"])
        reg_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == url)

        def remind(f, title):
            """Delivers a reminder of `f` forms; the notifications shown once one says `title` (or after 8 s)."""
            cdp.send("ServiceWorker.deliverPushMessage", {"origin": url.rstrip("/"), "registrationId": reg_id,
                                                          "data": json.dumps({"v": 1, "s": {}, "u": False, "n": 0, "f": f})})
            deadline = time.time() + 8
            while True:
                notes = page.evaluate("async () => (await (await navigator.serviceWorker.ready).getNotifications())"
                                      ".map((n) => ({title: n.title, tag: n.tag, url: n.data && n.data.url}))")
                if any(n["title"] == title for n in notes) or time.time() > deadline:
                    return notes
                time.sleep(0.1)

        assert remind(1, NL["push.forms"]) == [{"title": NL["push.forms"], "tag": "ouderportaal-forms", "url": "./#/"}]
        # Three at once: the same notification (its tag) with the number.
        more = NL["push.forms_more"].replace("{n}", "3")
        assert remind(3, more) == [{"title": more, "tag": "ouderportaal-forms", "url": "./#/"}]
        page.goto(url + "#/settings")
        page.wait_for_selector("[data-testid=notify-all]")
        worker = next(w for w in ctx.service_workers if w.url.startswith(url))
        worker.evaluate(FIRE + "('notificationclick', { notification: (await self.registration.getNotifications())[0] }); }")
        page.wait_for_function("() => location.hash === '#/'")
        page.wait_for_selector(".view-timeline [data-testid=todo]")
    finally:
        ctx.close()
