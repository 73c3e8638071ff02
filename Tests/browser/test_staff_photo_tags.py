"""Issue 17, "the teacher marks which children are on a photo": the groep-5 teacher's keyslot
carries her class (a class list with a children column, `portal token import` before generate);
on her phone she picks two album photos, marks Lotte on the first and "nobody" on the second, and
sends. `portal sync` (site.yaml `teacher_posts: publish`) writes the album with the children's
names, and `portal generate` leaves out Lotte's photo: nobody answered the consent form yet."""
import glob
import os
import shutil
from dataclasses import replace

import pytest
from conftest import NL, REPO, Receiver, phone_context, run, staff
from test_forms import open_app

# Two children in groep 5 (the teacher's group) and one in groep 3, whom she must not be offered.
LIST = """family;email;group;family_id;children
Fam. Jansen;jansen.m@example.nl;groep-5;fam-jansen;Sietse (groep-5), Lotte (groep-5)
Fam. Kaya;kaya.m@example.nl;groep-3;fam-kaya;Elif (groep-3)
"""
PHOTO = os.path.join(REPO, "content", "albums", "schoolreis-2026")


def generate(bs) -> str:
    return run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys,
               "--theme", os.path.join(REPO, "themes", "default"), "--no-push")


@pytest.fixture
def school(booking_site, tmp_path):
    """A copy of the booking school whose class list names children, teachers' posts published
    at sync, generated again (so the groep-5 teacher's keyslot lists her class), and a receiver."""
    root = str(tmp_path / "school")
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    with open(os.path.join(bs.content, "site.yaml"), "a", encoding="utf-8") as f:
        f.write("\nteacher_posts: publish\n")
    listed = tmp_path / "klas.csv"
    listed.write_text(LIST, encoding="utf-8")
    run("token", "import", str(listed), "--keys", bs.keys, "--content", bs.content)
    generate(bs)
    r = Receiver(bs, str(tmp_path / "receiver.sqlite"))
    yield bs, r
    r.close()


def test_a_teacher_marks_who_is_on_each_photo_and_consent_applies(school, browser):
    bs, receiver = school
    teacher = phone_context(browser, 8000)
    pg = open_app(teacher, receiver.url, bs.tokens["teacher-g5"])
    console = []
    pg.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    pg.goto(receiver.url + "#/write")
    pg.wait_for_selector("form.write-form")
    pg.set_input_files("#write-photos", [os.path.join(PHOTO, "picknickweide.jpg"), os.path.join(PHOTO, "speelbos.jpg")])
    picks = pg.locator("[data-testid=photo-pick]")
    assert picks.count() == 2
    assert pg.locator("[data-testid=photo-tags]").count() == 0, "a news item's photos are not tagged (consent looks at albums)"

    pg.check("input[name=kind][value=album]")
    pg.fill("#write-title", "Speelmiddag")
    first, second = picks.nth(0), picks.nth(1)
    first.locator("[data-testid=photo-tags] summary").click()
    assert first.locator("summary").inner_text().strip() == NL["write.who"]
    offered = first.locator("fieldset label").all_inner_texts()
    assert [o.strip() for o in offered] == [NL["write.nobody"], "Lotte", "Sietse"], "her class only, by name; groep 3's Elif is not offered"
    first.locator("label:has-text('Lotte') input").check()
    assert first.locator("[data-testid=photo-children]").inner_text().strip() == "Lotte", "the chosen names under the photo"
    second.locator("[data-testid=photo-tags] summary").click()
    second.locator("label:has-text('Sietse') input").check()
    second.locator("[data-testid=photo-nobody]").check()
    assert not second.locator("label:has-text('Sietse') input").is_checked(), "nobody takes the names off"
    assert second.locator("[data-testid=photo-children]").inner_text().strip() == NL["write.nobody_short"]

    pg.click("form.write-form button[type=submit]")
    pg.wait_for_selector("[data-testid=form-status][data-kind=ok]", timeout=30000)
    for f in glob.glob(receiver.db + "*"):
        data = open(f, "rb").read()
        assert b"Lotte" not in data and b"Speelmiddag" not in data, f

    synced = staff(bs, receiver, "sync")
    assert 'Published "Speelmiddag" by Meester Ali as content/groups/groep-5/albums/speelmiddag' in synced, synced
    index = open(os.path.join(bs.content, "groups", "groep-5", "albums", "speelmiddag", "index.md"), encoding="utf-8").read()
    lines = index.splitlines()
    photos = lines[lines.index("photos:") + 1:lines.index("---", 1)]
    assert photos == ["  - file: foto-01.jpg", '    children: ["Lotte"]', "  - file: foto-02.jpg", "    children: []"], index

    said = generate(bs)
    assert "photo 'foto-01.jpg' is left out: no consent for this portal for Lotte (no answer yet)" in said, said
    assert "foto-02.jpg" not in said, said
    assert pg.errors == []
    assert not [c for c in console if "Content Security Policy" in c], console
    teacher.close()
