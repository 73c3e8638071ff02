"""Issue 18, "Children of a family", in Chromium: a class list with a children column goes
through the real `portal token import` and `portal generate`; both parents' codes carry the same
children (sealed in their keyslots); the absence form offers them instead of a typed name, the
group follows from the child, and `portal inbox` reads the chosen child; the booking form offers
the children of the conference's group. A family without the list still types a name."""
import json
import os
import shutil
from dataclasses import replace

import pytest
from conftest import REPO, Receiver, phone_context, run, staff
from test_forms import open_app, open_booking

LIST = """family;email;group;family_id;children
Fam. Kaya, moeder;kaya.m@example.nl;groep-3+groep-5;fam-kaya;Elif (groep-3), Can (groep-5)
Fam. Kaya, vader;kaya.v@example.nl;groep-3+groep-5;fam-kaya;Can (groep-5)
"""


@pytest.fixture
def school(booking_site, tmp_path):
    """A copy of the booking school with the Kaya family imported from a class list, and a
    receiver started on its trust file (which names the new codes)."""
    root = str(tmp_path / "school")
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    tokens, children = imported(bs, tmp_path)
    r = Receiver(bs, str(tmp_path / "receiver.sqlite"))
    yield bs, r, tokens, children
    r.close()


def imported(bs, tmp_path):
    path = tmp_path / "klas.csv"
    path.write_text(LIST, encoding="utf-8")
    said = run("token", "import", str(path), "--keys", bs.keys, "--content", bs.content)
    assert "Children: 0 matched to earlier lists (ids kept), 2 new, 0 no longer listed." in said, said
    run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme", os.path.join(REPO, "themes", "default"))
    with open(os.path.join(bs.keys, "keystore.json"), encoding="utf-8") as f:
        store = json.load(f)
    return {t["email"]: t["token"] for t in store["tokens"] if "email" in t}, store["children"]


def test_the_family_picks_its_child_and_the_group_follows(school, browser):
    bs, receiver, tokens, children = school
    father = phone_context(browser, 8000)
    pg = open_app(father, receiver.url, tokens["kaya.v@example.nl"])
    pg.click("[data-nav=absence]")
    pg.wait_for_selector("form.absence-form")
    choice = pg.locator("select#absence-child")
    assert choice.locator("option").all_inner_texts() == ["Elif (Groep 3)", "Can (Groep 5)"], \
        "the mother's row named both; the father's code carries the same children"
    assert [o.get_attribute("data-child") for o in choice.locator("option").all()] == [c["id"] for c in children]
    assert pg.locator("#absence-group").count() == 0, "the group follows from the child"
    choice.select_option(label="Can (Groep 5)")
    pg.check("input[name=reason][value=ziek]")
    pg.fill("#absence-note", "Koorts")
    pg.click("form.absence-form button[type=submit]")
    pg.wait_for_selector("[data-testid=absence-receipt]")
    assert "Can" in pg.inner_text("[data-testid=absence-receipt]")
    rows = json.loads(staff(bs, receiver, "inbox", "--json"))
    assert [(r["group"], r["child"], r["note"]) for r in rows] == [("groep-5", "Can", "Koorts")], rows

    # Booking groep 5's conference: the child is chosen from the family's groep-5 children.
    open_booking(pg, receiver.url, bs.schedules["groep-5"])
    assert pg.locator("select#child-name option").all_inner_texts() == ["Can"]

    # A family without a children column still types the name.
    other = phone_context(browser, 8000)
    op = open_app(other, receiver.url, bs.tokens["g5-b"])
    op.click("[data-nav=absence]")
    op.wait_for_selector("form.absence-form")
    assert op.locator("input#absence-child[type=text]").count() == 1
    assert pg.errors == [] and op.errors == []
    father.close()
    other.close()
