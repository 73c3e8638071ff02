"""Session fixtures: one generated and served site, a Chromium, and helpers for the app's views.

By default the site is made by the real generator (`portal generate`, binary from $PORTAL_BIN or
<repo>/.build/debug/portal) from a copy of <repo>/content and served by `portal serve`. Only when
that binary does not exist, or PORTAL_FIXTURE=python is set, a small site sealed by format_v2.py
is served by Python's http.server instead; the run header says which.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import opener  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APP = os.path.join(REPO, "themes", "default", "app")
PORTAL_BIN = os.environ.get("PORTAL_BIN", os.path.join(REPO, ".build", "debug", "portal"))
CHROMIUM = "/usr/lib/chromium/chromium"
# The real generator is the default and is required: a missing binary is an error, not a quiet
# switch to the Python fixture (set PORTAL_FIXTURE=python to develop the app without Swift).
USE_REAL = os.environ.get("PORTAL_FIXTURE") != "python"
if USE_REAL and not os.path.exists(PORTAL_BIN):
    raise RuntimeError(f"{PORTAL_BIN} does not exist: run `swift build` first (or set PORTAL_BIN)")


def shell_index(out: str) -> dict:
    """output/shell's body (FORMAT.md "App shell"), unverified: the tests that need its signature
    check it themselves."""
    with open(os.path.join(out, "shell"), "rb") as f:
        return json.loads(f.read()[68:])


def served_path(out: str, rel: str) -> str:
    """Where the theme's app file `rel` lies in a generated output/ (the shell's folder, or the
    root for the page, the worker and the manifest)."""
    if rel in ("index.html", "sw.js", "manifest.webmanifest") or not os.path.exists(os.path.join(out, "shell")):
        return os.path.join(out, rel)
    return os.path.join(out, "s", shell_index(out)["id"], rel)


# The app's words, and those of the folders whose views bring their own (loaded with them).
STRING_FOLDERS = ("i18n", os.path.join("staff", "i18n"), os.path.join("forms", "i18n"))


def own_strings(folder: str, lang: str) -> dict:
    """One translation file: the app's (`i18n/`), the staff views' (`staff/i18n/`) or the form page's (`forms/i18n/`)."""
    with open(os.path.join(APP, folder, f"{lang}.json"), encoding="utf-8") as f:
        return json.load(f)


def strings(lang: str) -> dict:
    """Every string of a language as the app has it once the staff views and the form page are loaded."""
    out = {}
    for folder in STRING_FOLDERS:
        out.update(own_strings(folder, lang))
    return out


NL, EN = strings("nl"), strings("en")


def pytest_report_header(config):
    return f"browser site: {'real portal generate (' + PORTAL_BIN + ')' if USE_REAL else 'Python fixture (format_v2.py)'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Serves a directory on 127.0.0.1: `portal serve` when real, else http.server."""

    def __init__(self, root: str):
        self.root, self.port = root, free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = self.httpd = None
        if USE_REAL:
            self.proc = subprocess.Popen([PORTAL_BIN, "serve", "--output", root, "--port", str(self.port)],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            deadline = time.time() + 30
            seen = []
            while time.time() < deadline:
                line = self.proc.stdout.readline()
                if not line and self.proc.poll() is not None:
                    raise RuntimeError("portal serve exited: " + "".join(seen))
                seen.append(line)
                if f"http://127.0.0.1:{self.port}" in line:
                    break
            else:
                raise RuntimeError("portal serve did not report ready: " + "".join(seen))
            threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # drain
        else:
            handler = partial(_QuietHandler, directory=root)
            self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args):
        pass


@dataclass
class Site:
    out: str
    url: str
    tokens: dict  # name -> token text: "groep-3", "groep-5", "family" (groep-3 + groep-8)
    token_ids: dict
    expected: dict  # name -> set of audience ids
    opened: dict = field(default_factory=dict)  # name -> opener.OpenedSite
    root: str = ""  # the temporary folder holding content/, keys/ and output/ (real generator)

    def titles(self, name: str, audience: str, kinds=("news", "album")) -> set[str]:
        man = self.opened[name].audiences[audience].manifest
        return {i["title"] for i in man["items"] if i["kind"] in kinds and i.get("date") and not i.get("event")}


def moment_ago(minutes: int = 5) -> str:
    """A moment a little before now in the school's time zone ("YYYY-MM-DD HH:MM"), for news written
    during a test: news dated later stays out of the site until then (CONTENT.md "Written ahead")."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    return (datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def run(*args, **kw) -> str:
    r = subprocess.run([PORTAL_BIN, *args], capture_output=True, text=True, timeout=300, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"portal {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def staff_folders(keys: str) -> list[str]:
    """--content and --theme for token commands: the content folder next to keys/ (format 2's token
    commands read site.yaml)."""
    return ["--content", os.path.join(os.path.dirname(keys), "content"), "--theme", os.path.join(REPO, "themes", "default")]


def issue(keys: str, groups: list[str], **opts) -> dict:
    args = ["token", "issue", "--keys", keys, *staff_folders(keys)]
    for g in groups:
        args += ["--group", g]
    for k, v in opts.items():
        args += [f"--{k}"] if v is True else [f"--{k}", v]
    out = run(*args, "--json")
    return json.loads(out[out.index("{"):])


def build_real(tmp: str) -> Site:
    content, keys, out = (os.path.join(tmp, d) for d in ("content", "keys", "output"))
    shutil.copytree(os.path.join(REPO, "content"), content)
    gen = ["generate", "--content", content, "--output", out, "--keys", keys,
           "--theme", os.path.join(REPO, "themes", "default")]
    try:
        t3 = issue(keys, ["groep-3"], label="Groep 3 test")
    except RuntimeError:
        run(*gen)  # a keystore may have to exist before tokens can be issued
        t3 = issue(keys, ["groep-3"], label="Groep 3 test")
    t5 = issue(keys, ["groep-5"], label="Groep 5 test")
    fam = issue(keys, ["groep-3", "groep-8"], label="Familie test")
    run(*gen)
    toks = {"groep-3": t3, "groep-5": t5, "family": fam}
    return Site(out, "", {k: v["token"] for k, v in toks.items()}, {k: v["id"] for k, v in toks.items()},
                {"groep-3": {"school", "groep-3"}, "groep-5": {"school", "groep-5"},
                 "family": {"school", "groep-3", "groep-8"}}, root=tmp)


def build_fixture(tmp: str) -> Site:
    import fixture_site
    out = os.path.join(tmp, "output")
    toks = fixture_site.build(out)
    site_id = bytes.fromhex(json.load(open(os.path.join(out, "site.json")))["site_id"])
    ids = {k: opener.derive(opener.parse_token(v), site_id)[0] for k, v in toks.items()}
    return Site(out, "", toks, ids, {"groep-3": {"school", "groep-3"}, "groep-5": {"school", "groep-5"},
                                     "family": {"school", "groep-3", "groep-8"}})


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("site"))
    s = build_real(tmp) if USE_REAL else build_fixture(tmp)
    for name, tok in s.tokens.items():
        s.opened[name] = opener.open_site(s.out, tok, open_blobs=False)
    srv = Server(s.out)
    s.url = srv.url
    yield s
    srv.close()


@pytest.fixture
def site_copy(site, tmp_path):
    """A private copy of the generated output on its own server, for tests that damage files."""
    out = str(tmp_path / "output")
    shutil.copytree(site.out, out)
    srv = Server(out)
    s = Site(out, srv.url, site.tokens, site.token_ids, site.expected, site.opened, root=site.root)
    yield s
    srv.close()


def master_key(site: Site) -> bytes:
    """The school's master key: from the real build's keys/keystore.json, else the Python fixture's."""
    if not USE_REAL:
        return bytes(range(32))
    import base64
    with open(os.path.join(site.root, "keys", "keystore.json"), encoding="utf-8") as f:
        return base64.b64decode(json.load(f)["master_key"])


@pytest.fixture
def real_site_copy(site, tmp_path):
    """A private copy of content, keystore and output (real generator only), for revoke and re-key."""
    if not USE_REAL:
        pytest.skip("needs the real generator")
    root = str(tmp_path)
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(site.root, d), os.path.join(root, d))
    out = os.path.join(root, "output")
    srv = Server(out)
    s = Site(out, srv.url, site.tokens, site.token_ids, site.expected, site.opened, root=root)
    s.generate = lambda: run("generate", "--content", os.path.join(root, "content"), "--output", out,
                             "--keys", os.path.join(root, "keys"), "--theme", os.path.join(REPO, "themes", "default"))
    s.revoke = lambda name: run("token", "revoke", "--keys", os.path.join(root, "keys"), *staff_folders(os.path.join(root, "keys")),
                                site.token_ids[name])
    yield s
    srv.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


def phone_context(browser, timeout=5000, **options):
    """A Dutch phone (390 px wide, Amsterdam time). Service workers off: they would hide the app's
    own requests from page.route; the offline and update tests (test_pwa.py) turn them on."""
    ctx = browser.new_context(**{"locale": "nl-NL", "timezone_id": "Europe/Amsterdam",
                                 "viewport": {"width": 390, "height": 844}, "service_workers": "block", **options})
    ctx.set_default_timeout(timeout)
    return ctx


@pytest.fixture
def context(browser):
    ctx = phone_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert not errors, f"uncaught errors in the page: {errors}"


def login(page, url: str, token: str):
    """Opens the app and signs in by typing the token; waits for the timeline."""
    page.goto(url)
    page.wait_for_selector("#token")
    page.type("#token", token)
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector("[data-testid=timeline], .view-timeline")


def timeline_titles(page) -> list[str]:
    """Titles of the news/album cards (not the pinned conference cards)."""
    return page.locator(".view-timeline .cards:not(.pinned) .card h2").all_inner_texts()


def load_all(page) -> int:
    """Taps "Oudere berichten" until every page of every audience is loaded; returns the taps."""
    taps = 0
    while page.locator("[data-testid=older]").count():
        page.click("[data-testid=older]")
        page.wait_for_function("() => !document.querySelector('[data-testid=older][disabled]')")
        taps += 1
    return taps


def all_timeline_titles(page) -> list[str]:
    load_all(page)
    return timeline_titles(page)


# ---- a site with bookable conferences, served by a real portal-receiver ----

RECEIVER_BIN = os.environ.get("PORTAL_RECEIVER_BIN", os.path.join(os.path.dirname(PORTAL_BIN), "portal-receiver"))


def _conference(path: str, title: str, evenings: list[tuple[str, str, str]], opens: str, closes: str, per_family=1):
    lines = ["---", f"title: {title}", "location: Lokaal test", "slot_minutes: 10", "evenings:"]
    for day, start, end in evenings:
        lines += [f"  - date: {day}", f'    start: "{start}"', f'    end: "{end}"']
    lines += ["booking:", f"  opens: {opens}", f"  closes: {closes}", f"per_family: {per_family}",
              "min_notice_hours: 24", "---", "Beste ouders, kies een tijd die u past.", ""]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


@dataclass
class BookingSite:
    root: str
    out: str
    keys: str
    content: str
    tokens: dict       # name -> token text
    token_ids: dict    # name -> token id
    evening: str       # YYYY-MM-DD of the test evening (local)
    schedules: dict    # name -> schedule id (= item path)


@pytest.fixture(scope="session")
def booking_site(tmp_path_factory):
    """The example school plus conferences whose booking window is open now (dates relative to
    today), and tokens: two families in groep 5, a second parent of the first, and a family with
    children in groep 3 and groep 8."""
    if not USE_REAL:
        pytest.skip("needs the real generator and receiver")
    if not os.path.exists(RECEIVER_BIN):
        raise RuntimeError(f"{RECEIVER_BIN} does not exist: run `swift build` first")
    from datetime import date, timedelta
    tmp = str(tmp_path_factory.mktemp("booking"))
    content, keys, out = (os.path.join(tmp, d) for d in ("content", "keys", "output"))
    shutil.copytree(os.path.join(REPO, "content"), content)
    today = date.today()
    evening = (today + timedelta(days=4)).isoformat()
    opens, closes = f"{(today - timedelta(days=1)).isoformat()} 08:00", f"{(today + timedelta(days=2)).isoformat()} 20:00"
    schedules = {
        "groep-5": "groups/groep-5/conferences/testgesprekken",
        "groep-3": "groups/groep-3/conferences/testgesprekken",
        "groep-8": "groups/groep-8/conferences/testgesprekken",
        "later": "groups/groep-5/conferences/later",
    }
    for g in ("groep-5", "groep-3", "groep-8"):
        _conference(os.path.join(content, schedules[g] + ".md"), f"Testgesprekken {g}",
                    [(evening, "18:30", "19:30")], opens, closes)
    far = today + timedelta(days=30)
    _conference(os.path.join(content, schedules["later"] + ".md"), "Gesprekken later",
                [((far + timedelta(days=10)).isoformat(), "18:30", "19:00")], f"{far.isoformat()} 19:00",
                f"{(far + timedelta(days=5)).isoformat()} 12:00")
    gen = ["generate", "--content", content, "--output", out, "--keys", keys,
           "--theme", os.path.join(REPO, "themes", "default")]
    run(*gen)
    toks = {"g5": issue(keys, ["groep-5"], label="Familie De Vries")}
    # The other parent joins the household of the first (an opaque family id, shared limit).
    toks["g5-other-parent"] = issue(keys, ["groep-5"], label="Familie De Vries (vader)", **{"same-family-as": toks["g5"]["id"]})
    toks["g5-b"] = issue(keys, ["groep-5"], label="Familie Bakker")
    toks["g3g8"] = issue(keys, ["groep-3", "groep-8"], label="Familie Yilmaz")
    # Staff codes (issue 17): the teachers of groep 3 and of groep 5 read their own groups' reports.
    toks["teacher-g3"] = issue(keys, ["groep-3"], label="Juf Sanne", staff=True)
    toks["teacher-g5"] = issue(keys, ["groep-5"], label="Meester Ali", staff=True)
    run(*gen)
    return BookingSite(tmp, out, keys, content, {k: v["token"] for k, v in toks.items()},
                       {k: v["id"] for k, v in toks.items()}, evening, schedules)


class Receiver:
    """`portal-receiver --static output/` on 127.0.0.1 with a fresh database: site and API on one origin."""

    def __init__(self, bs: BookingSite, db: str, trust: str | None = None, static: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.db = db
        self.proc = subprocess.Popen(
            [RECEIVER_BIN, "--trust", trust or os.path.join(bs.keys, "trust.json"), "--db", db,
             "--listen", f"127.0.0.1:{self.port}", "--static", static or bs.out],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = []
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                raise RuntimeError("portal-receiver exited: " + "".join(seen))
            seen.append(line)
            if "listening on" in line and "portal-receiver" in line:
                break
        else:
            raise RuntimeError("portal-receiver did not report ready: " + "".join(seen))
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def receiver(booking_site, tmp_path):
    r = Receiver(booking_site, str(tmp_path / "receiver.sqlite"))
    yield r
    r.close()


def staff(bs: BookingSite, receiver: Receiver, *args) -> str:
    """Runs a staff command (`inbox`, `bookings`) against the receiver with the school's keys."""
    return run(*args, "--receiver", receiver.api, "--keys", bs.keys, "--content", bs.content)
