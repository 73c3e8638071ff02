"""Issue 18 points 2-3, "Parents answer the school", in Chromium against a real portal-receiver:
forms in content/ (a permission slip per child in groep 5, volunteer shifts for the whole school per
family, a form whose deadline has passed, the standing photo consent) go through `portal generate`;
a family of the class list answers for both its children and changes one answer; `portal answers`
reads exactly the latest values; the other guardian's device opens them from the family's copy; a
closed form sends nothing; a shift of one place goes to the first family; the consent form asks
each purpose of site.yaml, shows no deadline and can always be changed; the receiver's database
holds no name or answer."""
import glob
import json
import os
import shutil
from dataclasses import replace
from datetime import date, timedelta

import pytest
from conftest import NL, REPO, Receiver, phone_context, run, staff
from opener import open_site
from test_forms import open_app

ARTIS = "groups/groep-5/forms/artis"
KERST = "forms/kerstdiner"
CLOSED = "groups/groep-5/forms/ouderavond"
CONSENT = "forms/fototoestemming"
MOTHER, FATHER = "jansen.m@example.nl", "jansen.v@example.nl"
# Names long enough that a ciphertext does not hold them by chance (the database check).
LIST = """family;email;group;family_id;children
Fam. Jansen, moeder;jansen.m@example.nl;groep-5;fam-jansen;Lotte (groep-5), Sietse (groep-5)
Fam. Jansen, vader;jansen.v@example.nl;groep-5;fam-jansen;Lotte (groep-5), Sietse (groep-5)
"""
MEE = "Mag uw kind mee naar Artis?"
SETUP, DISHES = "Opbouwen 16:00-17:00", "Afwassen 19:00-20:00"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def forms_content(content):
    """The four forms, dated from today so the test does not age (instead of the example school's
    own, whose dates are fixed)."""
    for folder in glob.glob(os.path.join(content, "forms")) + glob.glob(os.path.join(content, "groups", "*", "forms")):
        shutil.rmtree(folder)
    today = date.today()
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    write(os.path.join(content, ARTIS + ".md"), f"""---
title: Schoolreis naar Artis
date: {day(0)}
deadline: {day(7)} 18:00
questions:
  - yes_no: {MEE}
    id: mee
  - choice: Wat neemt uw kind mee als lunch?
    id: lunch
    options: [Boterham, Wrap]
  - text: Allergieën of iets anders wat de juf moet weten?
    id: bijzonderheden
---
Op dinsdag gaan we met de hele groep naar **Artis**. Geeft u toestemming?
""")
    write(os.path.join(content, KERST + ".md"), f"""---
title: Hulp bij het kerstdiner
date: {day(0)}
deadline: {day(10)}
per: family
questions:
  - shifts: Wie helpt bij het kerstdiner?
    id: helpen
    options:
      - label: {SETUP}
        places: 1
      - label: {DISHES}
        places: 1
---
Vele handen maken licht werk.
""")
    write(os.path.join(content, CLOSED + ".md"), f"""---
title: Komt u naar de ouderavond?
date: {day(-10)}
deadline: {day(-2)} 12:00
questions:
  - yes_no: Komt u naar de ouderavond?
    id: komt
    sign: false
---
Laat het ons weten.
""")
    write(os.path.join(content, CONSENT + ".md"), f"""---
title: Toestemming voor foto's
date: {day(-3)}
consent: true
---
Wij vragen u per kind of foto's gebruikt mogen worden, en waarvoor.
""")


@pytest.fixture(scope="module")
def school(booking_site, tmp_path_factory):
    """A copy of the booking school with the four forms and the Jansen family (two children in
    groep 5) from a class list, generated once for this module."""
    root = str(tmp_path_factory.mktemp("forms"))
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    forms_content(bs.content)
    listed = os.path.join(root, "klas.csv")
    write(listed, LIST)
    run("token", "import", listed, "--keys", bs.keys, "--content", bs.content)
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    with open(os.path.join(bs.keys, "keystore.json"), encoding="utf-8") as f:
        store = json.load(f)
    tokens = {t["email"]: t["token"] for t in store["tokens"] if "email" in t}
    children = {c["name"]: c["id"] for c in store["children"]}
    return bs, tokens, children


@pytest.fixture
def rx(school, tmp_path):
    r = Receiver(school[0], str(tmp_path / "receiver.sqlite"))
    yield r
    r.close()


def open_form(pg, url, path):
    pg.goto(url + "#/form/" + path)
    pg.wait_for_selector("[data-testid=answer-blocks]:not([aria-busy])")


def reopen(pg):
    """The form page opened again (a new visit: unlocked from this device's storage, asked anew)."""
    pg.reload()
    pg.wait_for_selector("[data-testid=answer-blocks]:not([aria-busy])")


def status_of(block):
    return block.locator("[data-testid=form-status]").inner_text()


def todo_is(pg, n):
    """Waits until the timeline's "Te doen" says `n` (0: no forms to do, no line)."""
    want = NL["form.todo"].replace("{n}", str(n)) if n else None
    pg.wait_for_function("(want) => { const el = document.querySelector('[data-testid=todo]'); return (el ? el.textContent : null) === want; }", arg=want)


def test_a_family_answers_for_both_children_and_the_other_guardian_sees_it(school, rx, browser):
    bs, tokens, kids = school
    mother = phone_context(browser, 8000)
    pg = open_app(mother, rx.url, tokens[MOTHER])
    # Three open forms to answer, pinned above the news; the closed one is news.
    pg.wait_for_selector(".pinned .card-form")
    assert pg.inner_text("[data-testid=todo]") == NL["form.todo"].replace("{n}", "3")
    assert pg.locator(".pinned .card-form").evaluate_all("cs => cs.map((c) => c.dataset.path)") == [ARTIS, KERST, CONSENT], \
        "the nearest deadline first (the consent form has none)"
    assert pg.locator(f".cards:not(.pinned) [data-path='{CLOSED}'] h2 a").get_attribute("href") == "#/form/" + CLOSED

    pg.click(f".card-form[data-path='{ARTIS}'] [data-testid=form-link]")
    pg.wait_for_selector("[data-testid=answer-blocks]:not([aria-busy])")
    assert "Artis" in pg.inner_text(".view-form .fragment[data-state=ready]")
    assert pg.inner_text("[data-testid=form-deadline]").startswith(NL["form.deadline"].split("{time}")[0])
    assert pg.locator(".answer-block h2").all_inner_texts() == ["Lotte", "Sietse"]
    lotte = pg.locator(f".answer-block[data-child='{kids['Lotte']}']")
    sietse = pg.locator(f".answer-block[data-child='{kids['Sietse']}']")

    # A required question left open is named; a yes is signed with a name.
    sietse.locator("[data-testid=answer-send]").click()
    assert status_of(sietse) == NL["form.required"].replace("{question}", MEE)
    lotte.locator("[data-key=mee] input[value=yes]").check()
    lotte.locator("[data-key=lunch] input[value=Boterham]").check()
    lotte.locator("textarea").fill("Pindakaas-allergie")
    lotte.locator("[data-testid=answer-send]").click()
    assert status_of(lotte) == NL["form.sign_missing"].replace("{question}", MEE)
    lotte.locator("input[autocomplete=name]").fill("Anna Jansen")
    lotte.locator("[data-testid=answer-send]").click()
    receipt = lotte.locator("[data-testid=answer-receipt]")
    receipt.wait_for()
    said = receipt.inner_text()
    assert all(s in said for s in (NL["form.sent"], "Pindakaas-allergie", "Boterham", "Anna Jansen",
                                    NL["form.signed"].split("{name}")[0], NL["form.by_you"].split("{time}")[0])), said

    sietse.locator("[data-key=mee] input[value=no]").check()
    sietse.locator("[data-key=lunch] input[value=Wrap]").check()
    sietse.locator("[data-testid=answer-send]").click()
    sietse.locator("[data-testid=answer-receipt]").wait_for()
    assert sietse.locator("dd[data-key=mee]").inner_text() == NL["form.no"]
    # Changed until the deadline: the form comes back with the answer given.
    sietse.locator("[data-testid=answer-change]").click()
    assert sietse.locator("[data-key=mee] input[value=no]").is_checked()
    assert sietse.locator("[data-key=lunch] input[value=Wrap]").is_checked()
    sietse.locator("[data-key=mee] input[value=yes]").check()
    sietse.locator("[data-key=lunch] input[value=Boterham]").check()
    sietse.locator("input[autocomplete=name]").fill("Anna Jansen")
    sietse.locator("[data-testid=answer-send]").click()
    sietse.locator("[data-testid=answer-receipt]").wait_for()
    assert sietse.locator("dd[data-key=mee]").inner_text() == NL["form.yes"]

    # Answered for every child: no longer to do.
    pg.goto(rx.url + "#/")
    pg.wait_for_selector(".view-timeline")
    assert pg.inner_text("[data-testid=todo]") == NL["form.todo"].replace("{n}", "2")
    assert pg.locator(f".pinned [data-path='{ARTIS}']").count() == 0

    # The school reads the latest answer per child, opened from `sealed`.
    out = json.loads(staff(bs, rx, "answers", ARTIS, "--json"))
    assert out["form"] == ARTIS and out["title"] == "Schoolreis naar Artis", out
    assert out["errors"] == [] and len(out["answers"]) == 2, out
    latest = {a["child"]: a for a in out["answers"]}
    assert set(latest) == {"Lotte", "Sietse"}, out
    assert latest["Lotte"]["by"] == latest["Sietse"]["by"] == "Fam. Jansen, moeder", out
    assert latest["Lotte"]["answers"] == {"mee": True, "lunch": "Boterham", "bijzonderheden": "Pindakaas-allergie"}
    assert latest["Lotte"]["guardian"] == "Anna Jansen"
    assert latest["Sietse"]["answers"] == {"mee": True, "lunch": "Boterham"}
    assert "Fam. Jansen" not in [m["family"] for m in out["missing"]], out

    # The other guardian's device opens the same answers from the family's copy.
    father = phone_context(browser, 8000)
    fp = open_app(father, rx.url, tokens[FATHER])
    # Until the receiver answers every open form is to do; then the family's answers count.
    todo_is(fp, 2)
    open_form(fp, rx.url, ARTIS)
    theirs = fp.locator(f".answer-block[data-child='{kids['Lotte']}'] [data-testid=answer-receipt]")
    assert theirs.get_attribute("data-by") == "other"
    said = theirs.inner_text()
    assert all(s in said for s in ("Pindakaas-allergie", "Anna Jansen", NL["form.by_other"].split("{time}")[0])), said
    assert fp.locator(f".answer-block[data-child='{kids['Sietse']}'] dd[data-key=mee]").inner_text() == NL["form.yes"]

    # A breach of the receiver's database shows no child, no guardian and no answer.
    files = glob.glob(rx.db + "*")
    assert files
    for f in files:
        data = open(f, "rb").read()
        for secret in ("Lotte", "Sietse", "Anna Jansen", "Pindakaas", "Boterham"):
            assert secret.encode() not in data and secret.encode("utf-16-le") not in data, (f, secret)
    assert pg.errors == [] and fp.errors == []
    mother.close()
    father.close()


def test_a_family_without_the_class_list_types_the_childs_name(school, rx, browser):
    bs, tokens, kids = school
    ctx = phone_context(browser, 8000)
    pg = open_app(ctx, rx.url, bs.tokens["g5-b"])
    open_form(pg, rx.url, ARTIS)
    block = pg.locator(".answer-block[data-child=new]")
    block.locator("[data-key=mee] input[value=no]").check()
    block.locator("[data-key=lunch] input[value=Wrap]").check()
    block.locator("[data-testid=answer-send]").click()
    assert status_of(block) == NL["form.child_missing"]
    block.locator("input[type=text]").first.fill("Daan Bakker")
    block.locator("[data-testid=answer-send]").click()
    pg.wait_for_selector("[data-testid=answer-receipt]")
    # Opened again: the answer comes back from the family's copy, under the name typed; another
    # child is one more answer (a child id of its own, keyed by the family key).
    reopen(pg)
    assert pg.locator(".answer-block h2").all_inner_texts() == ["Daan Bakker"]
    assert pg.inner_text("dd[data-key=mee]") == NL["form.no"]
    pg.click("[data-testid=answer-another]")
    assert pg.locator(".answer-block[data-child=new] input[type=text]").first.input_value() == ""
    out = json.loads(staff(bs, rx, "answers", ARTIS, "--json"))
    assert [(a["family"], a["child"], a["answers"]) for a in out["answers"]] == [
        ("Familie Bakker", "Daan Bakker", {"mee": False, "lunch": "Wrap"})], out
    assert pg.errors == []
    ctx.close()


# The receiver's own word on a late answer: sealed and signed as the app does, sent directly.
LATE_POST = """async ({ form, child }) => {
  const base = document.querySelector('script[type=module]').src;
  const [R, S, F] = await Promise.all(['receiver.js', 'store.js', 'forms/answer.js'].map((m) => import(new URL(m, base).href)));
  const site = await (await fetch('site.json')).json();
  const rec = (await S.allTokens())[0];
  const { sealed, copy } = await F.sealAnswer(site, rec, 'groep-5', F.answerAAD(rec.token_id, form, child, []),
    { child: 'Lotte', guardian: '', answers: { komt: true } });
  try { await R.call(site, rec, 'POST', '/v1/forms/' + form + '/answers', { child, shifts: [], sealed, copy }); return 'accepted'; }
  catch (e) { return e.code; }
}"""


def test_a_closed_form_shows_its_deadline_and_offers_no_send(school, rx, browser):
    bs, tokens, kids = school
    ctx = phone_context(browser, 8000)
    pg = open_app(ctx, rx.url, tokens[MOTHER])
    open_form(pg, rx.url, CLOSED)
    assert pg.inner_text("[data-testid=form-deadline]").startswith(NL["form.closed"].split("{time}")[0])
    assert pg.locator("[data-testid=answer-send]").count() == 0
    assert pg.locator("form.answer-form").count() == 0
    assert pg.locator("[data-testid=not-answered]").count() == 2
    form = next(i for i in open_site(bs.out, tokens[MOTHER], open_blobs=False).audiences["groep-5"].manifest["items"]
                if i["path"] == CLOSED)["form"]
    assert pg.evaluate(LATE_POST, {"form": form["id"], "child": kids["Lotte"]}) == "form_closed"
    # An item link to a form (a notification, an older link) shows the form page too.
    pg.goto(rx.url + "#/item/" + CLOSED)
    pg.wait_for_selector(f".view-form[data-path='{CLOSED}'] [data-testid=answer-blocks]:not([aria-busy])")
    assert pg.locator("[data-testid=not-answered]").count() == 2
    assert pg.errors == []
    ctx.close()


def shift(pg, label):
    return pg.locator("[data-key=helpen] label.choice", has_text=label)


def test_a_shift_with_one_place_goes_to_the_first_family(school, rx, browser):
    bs, tokens, kids = school
    a_ctx, b_ctx = phone_context(browser, 8000), phone_context(browser, 8000)
    # Familie Bakker (no class list) opens the form while the place is free ...
    b = open_app(b_ctx, rx.url, bs.tokens["g5-b"])
    open_form(b, rx.url, KERST)
    assert NL["form.places"]["one"] in shift(b, SETUP).inner_text()
    assert b.locator(".answer-block h2").count() == 0, "per family: no child asked"
    # ... the Jansens take it ...
    a = open_app(a_ctx, rx.url, tokens[MOTHER])
    open_form(a, rx.url, KERST)
    shift(a, SETUP).locator("input").check()
    a.click("[data-testid=answer-send]")
    a.wait_for_selector("[data-testid=answer-receipt]")
    assert a.inner_text("dd[data-key=helpen]") == SETUP
    # ... and Bakker's try is refused: said, the places reloaded, the full shift off.
    shift(b, SETUP).locator("input").check()
    b.click("[data-testid=answer-send]")
    b.wait_for_function("() => document.querySelector('.answer-block [data-testid=form-status]').textContent")
    assert b.inner_text(".answer-block [data-testid=form-status]") == NL["send.shift_full"].replace("{shifts}", SETUP)
    assert shift(b, SETUP).locator("input").is_disabled() and not shift(b, SETUP).locator("input").is_checked()
    assert NL["form.full"] in shift(b, SETUP).inner_text()
    assert b.locator("form.answer-form").count() == 1, "the form stays, to choose again"
    # Opened again: still full; the other shift is free and can be taken.
    reopen(b)
    assert shift(b, SETUP).locator("input").is_disabled()
    assert shift(b, DISHES).locator("input").is_enabled() and NL["form.places"]["one"] in shift(b, DISHES).inner_text()
    shift(b, DISHES).locator("input").check()
    b.click("[data-testid=answer-send]")
    b.wait_for_selector("[data-testid=answer-receipt]")
    # The Jansens keep their own place, shown as theirs and still theirs to give back.
    reopen(a)
    a.click("[data-testid=answer-change]")
    assert shift(a, SETUP).locator("input").is_checked() and shift(a, SETUP).locator("input").is_enabled()
    assert shift(a, DISHES).locator("input").is_disabled()
    # The school sees who took which shift.
    out = json.loads(staff(bs, rx, "answers", KERST, "--json"))
    assert {x["label"]: x["taken"] for x in out["shifts"]} == {SETUP: ["Fam. Jansen"], DISHES: ["Familie Bakker"]}, out
    assert a.errors == [] and b.errors == []
    a_ctx.close()
    b_ctx.close()


def test_the_photo_consent_form_asks_each_purpose_and_can_always_be_changed(school, rx, browser):
    """`consent: true` (FORMAT.md "Forms and answers"): one yes/no per purpose of site.yaml, with
    the labels of the sealed page, per child; no deadline shown, the answer can be changed at any
    time; it stays "Te doen" while a child has no answer."""
    bs, tokens, kids = school
    form = next(i for i in open_site(bs.out, tokens[MOTHER], open_blobs=False).audiences["school"].manifest["items"]
                if i["path"] == CONSENT)["form"]
    assert form.get("consent") is True and [q["key"] for q in form["questions"]] == ["portal", "website", "print"], form
    ctx = phone_context(browser, 8000)
    pg = open_app(ctx, rx.url, tokens[MOTHER])
    card = pg.locator(f".pinned .card-form[data-path='{CONSENT}']")
    assert card.locator(".summary").inner_text() == NL["form.anytime"], "no deadline on its card either"

    card.locator("[data-testid=form-link]").click()
    pg.wait_for_selector("[data-testid=answer-blocks]:not([aria-busy])")
    assert pg.locator("[data-testid=form-deadline]").count() == 0
    assert pg.inner_text("[data-testid=form-anytime]") == NL["form.anytime"]
    assert pg.locator(".answer-block h2").all_inner_texts() == ["Lotte", "Sietse"]
    lotte = pg.locator(f".answer-block[data-child='{kids['Lotte']}']")
    assert lotte.locator("fieldset.question legend bdi").all_inner_texts() == [q["text"] for q in form["questions"]]
    for key in ("portal", "website", "print"):
        assert lotte.locator(f"[data-key={key}] input").evaluate_all("bs => bs.map((b) => b.type + ':' + b.value)") == ["radio:yes", "radio:no"]

    lotte.locator("[data-key=portal] input[value=yes]").check()
    lotte.locator("[data-key=website] input[value=no]").check()
    lotte.locator("[data-key=print] input[value=no]").check()
    lotte.locator("input[autocomplete=name]").fill("Anna Jansen")
    lotte.locator("[data-testid=answer-send]").click()
    lotte.locator("[data-testid=answer-receipt]").wait_for()
    assert lotte.locator("dd[data-key=website]").inner_text() == NL["form.no"]
    # Changed later: "Antwoord wijzigen" stays, with no deadline to reach.
    lotte.locator("[data-testid=answer-change]").click()
    assert lotte.locator("[data-key=portal] input[value=yes]").is_checked()
    lotte.locator("[data-key=website] input[value=yes]").check()
    lotte.locator("[data-testid=answer-send]").click()
    lotte.locator("[data-testid=answer-receipt]").wait_for()
    assert lotte.locator("dd[data-key=website]").inner_text() == NL["form.yes"]
    assert lotte.locator("[data-testid=answer-change]").count() == 1

    # Sietse has no answer yet: still to do. Answered for both: a form on the timeline, no longer pinned.
    pg.goto(rx.url + "#/")
    pg.wait_for_selector(f".pinned [data-path='{CONSENT}']")
    open_form(pg, rx.url, CONSENT)
    sietse = pg.locator(f".answer-block[data-child='{kids['Sietse']}']")
    for key in ("portal", "website", "print"):
        sietse.locator(f"[data-key={key}] input[value=no]").check()
    sietse.locator("[data-testid=answer-send]").click()
    sietse.locator("[data-testid=answer-receipt]").wait_for()
    pg.goto(rx.url + "#/")
    pg.wait_for_selector(".view-timeline")
    assert pg.locator(f".pinned [data-path='{CONSENT}']").count() == 0
    assert pg.locator(f".cards:not(.pinned) [data-path='{CONSENT}'] h2 a").get_attribute("href") == "#/form/" + CONSENT

    out = json.loads(staff(bs, rx, "answers", CONSENT, "--json"))
    latest = {a["child"]: a["answers"] for a in out["answers"]}
    assert latest == {"Lotte": {"portal": True, "website": True, "print": False},
                      "Sietse": {"portal": False, "website": False, "print": False}}, out
    assert pg.errors == []
    ctx.close()
