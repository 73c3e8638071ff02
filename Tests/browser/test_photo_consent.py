"""Issue 18 point 6, photo consent enforced, the whole loop: a class list with two children, an
album whose photos name them, the consent form answered by the parent in Chromium, the real
receiver, `portal sync` (the register in keys/consent.json), `portal generate`, and the independent
Python opener (opener.py) reading every sealed page and blob: a photo of a child without consent
is in none of them; it is there once the parent says yes; it is gone again after she withdraws."""
import json
import os
import shutil
from dataclasses import replace
from datetime import date, timedelta

import pytest
from conftest import REPO, Receiver, phone_context, run, staff
from opener import open_site
from test_forms import open_app
from test_form_answers import write

CONSENT = "forms/fototoestemming"
ALBUM = "groups/groep-5/albums/speelmiddag"
LIST = """family;email;group;family_id;children
Fam. Jansen;jansen.m@example.nl;groep-5;fam-jansen;Lotte (groep-5), Sietse (groep-5)
"""
PHOTOS = {"lotte.jpg": "picknickweide.jpg", "sietse.jpg": "speelbos.jpg", "plein.jpg": "waterspeelplaats.jpg"}


@pytest.fixture(scope="module")
def school(booking_site, tmp_path_factory):
    root = str(tmp_path_factory.mktemp("consent"))
    for d in ("content", "keys", "output"):
        shutil.copytree(os.path.join(booking_site.root, d), os.path.join(root, d))
    bs = replace(booking_site, root=root, out=os.path.join(root, "output"), keys=os.path.join(root, "keys"),
                 content=os.path.join(root, "content"))
    folder = os.path.join(bs.content, ALBUM)
    os.makedirs(folder)
    for name, source in PHOTOS.items():
        shutil.copy(os.path.join(REPO, "content", "albums", "schoolreis-2026", source), os.path.join(folder, name))
    write(os.path.join(folder, "index.md"), f"""---
title: Speelmiddag
date: {(date.today() - timedelta(days=1)).isoformat()}
photos:
  - file: lotte.jpg
    children: [Lotte]
  - file: sietse.jpg
    children: [Sietse]
  - file: plein.jpg
    children: []
---
""")
    write(os.path.join(bs.content, CONSENT + ".md"), f"""---
title: Toestemming voor foto's
date: {(date.today() - timedelta(days=3)).isoformat()}
consent: true
---
Mogen foto's waarop uw kind staat in het ouderportaal?
""")
    listed = os.path.join(root, "klas.csv")
    write(listed, LIST)
    run("token", "import", listed, "--keys", bs.keys, "--content", bs.content)
    generate(bs)
    with open(os.path.join(bs.keys, "keystore.json"), encoding="utf-8") as f:
        store = json.load(f)
    tokens = {t["email"]: t["token"] for t in store["tokens"] if "email" in t}
    return bs, tokens["jansen.m@example.nl"], {c["name"]: c["id"] for c in store["children"]}


def generate(bs) -> str:
    return run("generate", "--content", bs.content, "--output", bs.out, "--keys", bs.keys, "--theme",
               os.path.join(REPO, "themes", "default"), "--no-push")


def opened(bs, token):
    """The album's photo files as the opener lists them, and every plaintext of every blob the
    token can open (pages' items and media, thumbnails included)."""
    site = open_site(bs.out, token)
    album = next(i for i in site.audiences["groep-5"].manifest["items"] if i["path"] == ALBUM)
    photos = [p["media"].rsplit("/", 1)[1] for p in album["album"]["photos"]]
    return photos, {blob for a in site.audiences.values() for blob in a.blobs.values()}


def answer_consent(pg, url, kid, portal):
    pg.goto(url + "#/form/" + CONSENT)
    pg.wait_for_selector("[data-testid=answer-blocks]:not([aria-busy])")
    block = pg.locator(f".answer-block[data-child='{kid}']")
    if block.locator("[data-testid=answer-change]").count():
        block.locator("[data-testid=answer-change]").click()
    block.locator(f"[data-key=portal] input[value={'yes' if portal else 'no'}]").check()
    for key in ("website", "print"):
        block.locator(f"[data-key={key}] input[value=no]").check()
    name = block.locator("input[autocomplete=name]")
    if name.count() and name.is_visible():
        name.fill("Anna Jansen")
    block.locator("[data-testid=answer-send]").click()
    block.locator("[data-testid=answer-receipt]").wait_for()


def test_a_photo_follows_the_parents_consent_in_every_sealed_file(school, browser, tmp_path):
    bs, token, kids = school
    rx = Receiver(bs, str(tmp_path / "receiver.sqlite"))
    try:
        photos, before = opened(bs, token)
        assert photos == ["plein.jpg"], "no answer is no consent: only the photo without children"

        ctx = phone_context(browser, 8000)
        pg = open_app(ctx, rx.url, token)
        answer_consent(pg, rx.url, kids["Lotte"], portal=True)
        answer_consent(pg, rx.url, kids["Sietse"], portal=False)
        synced = staff(bs, rx, "sync")
        assert "Photo consent: 6 new answers (5 saying no)." in synced, synced
        said = generate(bs)
        assert "photo 'sietse.jpg' is left out: no consent for this portal for Sietse (the parents said no)" in said, said
        photos, given = opened(bs, token)
        assert photos == ["lotte.jpg", "plein.jpg"]
        lotte = given - before
        assert lotte, "Lotte's photo (and its thumbnail) is sealed now"
        assert not lotte & before, "and was in no sealed file before"

        # She withdraws: at the next generate the photo is in no page and no blob any more.
        answer_consent(pg, rx.url, kids["Lotte"], portal=False)
        assert "Photo consent: 3 new answers (3 saying no)." in staff(bs, rx, "sync")
        generate(bs)
        photos, after = opened(bs, token)
        assert photos == ["plein.jpg"]
        assert not lotte & after, "withdrawn: no sealed file holds Lotte's photo"
        register = run("consent", "--history", "--csv", "--keys", bs.keys, "--content", bs.content)
        assert [l.split(",")[3] for l in register.splitlines() if ",Lotte,portal," in l] == ["ja", "nee"], register
        assert pg.errors == []
        ctx.close()
    finally:
        rx.close()
