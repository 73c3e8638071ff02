"""Issue 20 point 1, in Chromium: a school that switched booking, absence, push and forms off in
site.yaml `features:` goes through the real `portal generate`; its keyslots carry `features_off`,
and the app shows none of those parts (no absence tab, no conference card, no "Te doen", no
notifications in the settings, `#/absence` is the timeline), while the receiver refuses a signed
absence report sent anyway with `feature_off`."""
import glob
import os
import shutil
from dataclasses import replace

import pytest
from conftest import REPO, Receiver, phone_context, run, strings
from test_forms import open_app

NL = strings("nl")
OFF = ["booking", "absence", "push", "forms"]


@pytest.fixture(scope="module")
def school(booking_site, tmp_path_factory):
    """A copy of the booking school with four features off and their content removed (portal
    check refuses it), generated again, and a receiver on its trust file."""
    tmp = tmp_path_factory.mktemp("features")
    root = str(tmp / "school")
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    with open(os.path.join(bs.content, "site.yaml"), "a", encoding="utf-8") as f:
        f.write("features:\n" + "".join(f"  {name}: false\n" for name in OFF))
    for d in glob.glob(os.path.join(bs.content, "groups", "*", "conferences")) + \
            glob.glob(os.path.join(bs.content, "groups", "*", "forms")) + [os.path.join(bs.content, "forms")]:
        shutil.rmtree(d, ignore_errors=True)
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    r = Receiver(bs, str(tmp / "receiver.sqlite"))
    yield bs, r
    r.close()


# A signed absence report as the app would send it (the receiver refuses the feature before it
# reads the body).
ABSENCE_POST = """async () => {
  const base = document.querySelector('script[type=module]').src;
  const [R, S, D] = await Promise.all(['receiver.js', 'store.js', 'sealed.js'].map((m) => import(new URL(m, base).href)));
  const site = await (await fetch('site.json')).json();
  const recs = await S.allTokens();
  const off = [...D.featuresOff(recs)].sort();
  try { await R.call(site, recs[0], 'POST', '/v1/absences', { group: 'groep-5', from: '2026-01-05', to: '2026-01-05', sealed: {} }); return [off, 'accepted']; }
  catch (e) { return [off, e.code]; }
}"""


def test_switched_off_features_are_absent_from_the_app(school, browser):
    bs, receiver = school
    ctx = phone_context(browser, 8000)
    forms_calls = []
    ctx.on("request", lambda rq: forms_calls.append(rq.url) if "/v1/forms" in rq.url else None)
    pg = open_app(ctx, receiver.url, bs.tokens["g5"])
    nav = [a.get_attribute("data-nav") for a in pg.locator("nav a[data-nav]").all()]
    assert nav == ["timeline", "calendar", "albums", "info"], nav
    assert pg.locator(".card-conference, [data-testid=book-link]").count() == 0
    assert pg.locator("[data-testid=todo], .card-form, [data-testid=notify-offer]").count() == 0

    pg.goto(receiver.url + "#/absence")
    pg.wait_for_selector("main[data-route=timeline] .view-timeline")
    assert pg.locator("form.absence-form").count() == 0

    pg.goto(receiver.url + "#/settings")
    pg.wait_for_selector("main[data-route=settings]")
    assert NL["settings.notify"] not in [t.strip() for t in pg.locator("main h2").all_inner_texts()]
    assert pg.locator("[data-testid^=notify-]").count() == 0

    off, code = pg.evaluate(ABSENCE_POST)
    assert off == sorted(OFF), off
    assert code == "feature_off"
    assert forms_calls == [], forms_calls
    assert pg.errors == []
    ctx.close()
