"""Issue 18 point 5, "the teacher's app shows the same for their groups", in Chromium against a real
portal-receiver: a groep-5 permission slip in content/ and a class list with two groep-5 families
go through `portal generate`; both guardians of one family answer (differently, the second with a
signed yes and a shift), the other family's answer does not open with the group's key; the groep-5
teacher's "Afwezigen" shows per child the answer that counts in words, the other guardian's, who
has not answered and who took which shift; the groep-3 teacher sees nothing of it."""
import json
import os
import shutil
from dataclasses import replace
from datetime import date, timedelta

import pytest
from conftest import NL, REPO, Receiver, phone_context, run
from opener import open_site
from test_form_answers import write
from test_forms import open_app

FORM = "groups/groep-5/forms/artis"
MOTHER, FATHER, PETERS = "jansen.m@example.nl", "jansen.v@example.nl", "peters@example.nl"
LIST = """family;email;group;family_id;children
Fam. Jansen, moeder;jansen.m@example.nl;groep-5;fam-jansen;Lotte (groep-5)
Fam. Jansen, vader;jansen.v@example.nl;groep-5;fam-jansen;Lotte (groep-5)
Fam. Peters;peters@example.nl;groep-5;fam-peters;Bram (groep-5)
"""
MEE = "Mag uw kind mee naar Artis?"
LUNCH = "Wat neemt uw kind mee als lunch?"
THERE, BACK = "Heenreis 8:30", "Terugreis 15:00"


@pytest.fixture(scope="module")
def school(booking_site, tmp_path_factory):
    """A copy of the booking school (its teachers of groep 3 and groep 5 issued before the build)
    with one groep-5 form dated from today, instead of the example school's own forms, and the
    class list; generated once for this module."""
    root = str(tmp_path_factory.mktemp("staff-answers"))
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    for folder in [os.path.join(bs.content, "forms")] + [os.path.join(bs.content, "groups", g, "forms")
                                                         for g in os.listdir(os.path.join(bs.content, "groups"))]:
        shutil.rmtree(folder, ignore_errors=True)
    write(os.path.join(bs.content, FORM + ".md"), f"""---
title: Schoolreis naar Artis
date: {date.today().isoformat()}
deadline: {(date.today() + timedelta(days=7)).isoformat()} 18:00
questions:
  - yes_no: {MEE}
    id: mee
  - choice: {LUNCH}
    id: lunch
    options: [Boterham, Wrap]
  - shifts: Wie rijdt mee?
    id: rijden
    options:
      - label: {THERE}
        places: 2
      - label: {BACK}
        places: 2
---
Op dinsdag gaan we met de hele groep naar **Artis**.
""")
    listed = os.path.join(root, "klas.csv")
    write(listed, LIST)
    run("token", "import", listed, "--keys", bs.keys, "--content", bs.content)
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    with open(os.path.join(bs.keys, "keystore.json"), encoding="utf-8") as f:
        store = json.load(f)
    tokens = {t["email"]: t["token"] for t in store["tokens"] if "email" in t}
    children = {c["name"]: c["id"] for c in store["children"]}
    form = next(i for i in open_site(bs.out, tokens[MOTHER], open_blobs=False).audiences["groep-5"].manifest["items"]
                if i["path"] == FORM)["form"]
    return bs, tokens, children, form


# An answer sealed and sent as the form page does (forms/answer.js), from a parent's device;
# `aadChild` binds it to another child than the row names: a row the teacher's key cannot open.
ANSWER = """async ({ form, child, shifts, payload, aadChild }) => {
  const base = document.querySelector('script[type=module]').src;
  const [R, S, F] = await Promise.all(['receiver.js', 'store.js', 'forms/answer.js'].map((m) => import(new URL(m, base).href)));
  const site = await (await fetch('site.json')).json();
  const rec = (await S.allTokens())[0];
  const { sealed, copy } = await F.sealAnswer(site, rec, 'groep-5', F.answerAAD(rec.token_id, form, aadChild || child, shifts), payload);
  return (await R.call(site, rec, 'POST', '/v1/forms/' + form + '/answers', { child, shifts, sealed, copy })).id;
}"""

LISTED = """async () => {
  const base = document.querySelector('script[type=module]').src;
  const [R, S] = await Promise.all(['receiver.js', 'store.js'].map((m) => import(new URL(m, base).href)));
  const rec = (await S.allTokens()).find((r) => r.staff);
  return (await R.call(await (await fetch('site.json')).json(), rec, 'GET', '/v1/staff/answers')).forms;
}"""


def answer(browser, url, token, **args):
    ctx = phone_context(browser, 8000)
    pg = open_app(ctx, url, token)
    assert pg.evaluate(ANSWER, {"aadChild": None, **args})
    assert pg.errors == []
    ctx.close()


def open_forms(browser, url, token):
    ctx = phone_context(browser, 8000)
    pg = open_app(ctx, url, token)
    pg.click("[data-nav=reports]")
    pg.wait_for_selector(".view-reports .staff-forms:not([aria-busy])", state="attached")
    return ctx, pg


def test_the_teacher_sees_her_groups_answers_and_who_has_not_answered(school, browser, tmp_path):
    bs, tokens, kids, form = school
    shift = {s["label"]: s["id"] for q in form["questions"] if q["type"] == "shifts" for s in q["shifts"]}
    rx = Receiver(bs, str(tmp_path / "receiver.sqlite"))
    try:
        answer(browser, rx.url, tokens[MOTHER], form=form["id"], child=kids["Lotte"], shifts=[],
               payload={"child": "Lotte", "guardian": "", "answers": {"mee": False, "lunch": "Wrap"}})
        answer(browser, rx.url, tokens[FATHER], form=form["id"], child=kids["Lotte"], shifts=[shift[THERE]],
               payload={"child": "Lotte", "guardian": "Piet Jansen",
                        "answers": {"mee": True, "lunch": "Boterham", "rijden": [shift[THERE]]}})
        # Bound to another child than its row: stored by the receiver, refused by the teacher's key.
        answer(browser, rx.url, tokens[PETERS], form=form["id"], child=kids["Bram"], shifts=[], aadChild=kids["Lotte"],
               payload={"child": "Bram", "guardian": "", "answers": {"mee": False, "lunch": "Wrap"}})

        ctx, pg = open_forms(browser, rx.url, bs.tokens["teacher-g5"])
        assert pg.inner_text(".staff-forms h2") == NL["answers.heading"]
        card = pg.locator("[data-testid=staff-form]")
        assert card.count() == 1 and card.get_attribute("data-form") == form["id"]
        assert card.locator("h3").inner_text() == "Schoolreis naar Artis"
        assert "Groep 5" in card.inner_text() and NL["answers.open"].split("{time}")[0] in card.inner_text()

        # Lotte: the father's answer counts (the latest), in words; the mother's differs and shows with its time.
        lotte = card.locator("[data-testid=form-answer]")
        assert lotte.count() == 1 and lotte.get_attribute("data-child") == kids["Lotte"]
        assert lotte.locator("[data-testid=answer-child]").inner_text() == "Lotte"
        counted = lotte.locator(":scope > dl.answers")
        assert counted.locator("dt").all_inner_texts() == [MEE, LUNCH, "Wie rijdt mee?"]
        assert counted.locator("dd").all_inner_texts() == [NL["answers.yes"], "Boterham", THERE]
        assert lotte.locator(":scope > [data-testid=answer-signed]").inner_text() == \
            NL["answers.signed"].replace("{name}", "\u2068Piet Jansen\u2069")
        assert NL["answers.received"].split("{time}")[0] in lotte.inner_text()
        other = lotte.locator("[data-testid=answer-other]")
        assert other.count() == 1
        assert NL["answers.other"].split("{time}")[0] in other.inner_text()
        assert other.locator("dd").all_inner_texts() == [NL["answers.no"], "Wrap"]

        # Bram's row does not open: said, and Bram is still to answer.
        assert card.locator("[data-testid=answers-unreadable]").inner_text() == NL["answers.unreadable"]["one"]
        assert card.locator("[data-testid=form-missing]").inner_text() == NL["answers.missing"] + " Bram"
        # Per shift its places and who took them.
        there = card.locator(f"[data-testid=form-shift][data-shift='{shift[THERE]}']").inner_text()
        assert there == f"{THERE}: " + NL["answers.places"]["other"].replace("{taken}", "1").replace("{n}", "2") + " · Lotte", there
        back = card.locator(f"[data-testid=form-shift][data-shift='{shift[BACK]}']").inner_text()
        assert back == f"{BACK}: " + NL["answers.places"]["other"].replace("{taken}", "0").replace("{n}", "2"), back
        assert pg.errors == []
        ctx.close()

        # Groep 3's teacher: no form of groep 5, from the receiver nor on the screen.
        ctx, pg = open_forms(browser, rx.url, bs.tokens["teacher-g3"])
        assert pg.evaluate(LISTED) == []
        assert pg.locator("[data-testid=staff-form]").count() == 0
        main = pg.inner_text("main")
        assert "Artis" not in main and "Lotte" not in main and NL["answers.heading"] not in main
        assert pg.errors == []
        ctx.close()
    finally:
        rx.close()
