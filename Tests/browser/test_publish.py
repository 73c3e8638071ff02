"""`portal publish` (issue 15) to a folder that a web server serves, with real rsync: the release
verifies with the independent Python opener (FORMAT.md "Release"), a parent logs in on the
published copy in Chromium, and after one edited item only that item's files travel (and the few lists that name them)."""
import os
import re

import opener
from conftest import REPO, Server, login, run, timeline_titles


def publish(root: str, host: str, *extra: str) -> str:
    return run("publish", "--content", os.path.join(root, "content"), "--output", os.path.join(root, "output"),
               "--keys", os.path.join(root, "keys"), "--theme", os.path.join(REPO, "themes", "default"),
               "--to", host, "--no-push", *extra)


def test_a_published_folder_verifies_and_a_parent_reads_it_and_an_edit_sends_only_its_files(real_site_copy, context, tmp_path):
    root = real_site_copy.root
    host = str(tmp_path / "host")
    first = publish(root, host)
    assert first.startswith("Published release"), first
    token = real_site_copy.tokens["groep-3"]
    site = opener.open_site(host, token, open_blobs=True)
    release = opener.open_release(host, opener._b64(site.keyslot["publisher"]), site.site["site_id"])
    listed = set(release["all"])
    on_host = {os.path.relpath(os.path.join(d, n), host) for d, _, names in os.walk(host) for n in names}
    assert listed == {p for p in on_host if p != "release" and not p.startswith("r/")}, "the release names what was sent"
    # The app shell's signed list (FORMAT.md "App shell") checks out in the independent opener
    # too, and names only files of the release.
    shell = opener.open_shell(host, opener._b64(site.keyslot["publisher"]), site.site["site_id"])
    assert set(shell["files"]) <= listed and f"s/{shell['id']}/app.js" in shell["files"]
    # A changed byte on the host is caught by the release.
    blob = sorted(p for p in listed if p.startswith("b/"))[0]
    with open(os.path.join(host, blob), "rb") as f:
        good = f.read()
    with open(os.path.join(host, blob), "wb") as f:
        f.write(good[:-1] + bytes([good[-1] ^ 1]))
    try:
        opener.open_release(host, opener._b64(site.keyslot["publisher"]), site.site["site_id"])
        raise AssertionError("a changed file passed the release check")
    except opener.FormatError as e:
        assert e.reason == "hash", e
    with open(os.path.join(host, blob), "wb") as f:
        f.write(good)

    server = Server(host)
    try:
        page = context.new_page()
        login(page, server.url, token)
        assert "Zie en word gezien, controle fietsverlichting" in timeline_titles(page)
        # One edit: generate, publish; only the item's blob, its page, its index and the release travel.
        item = os.path.join(root, "content", "news", "fietsverlichting.md")
        with open(item, encoding="utf-8") as f:
            text = f.read()
        with open(item, "w", encoding="utf-8") as f:
            f.write(re.sub(r"^title: .*$", "title: Fietsverlichting, de uitslag", text, count=1, flags=re.M))
        real_site_copy.generate()
        second = publish(root, host)
        match = re.search(r"Published release \d+ to .*: (\d+) files, ([\d.]+) KB \(blobs, pages and app files 2, indexes 1, lists (\d), release 1\)", second)
        assert match and int(match.group(3)) <= 4, second
        assert float(match.group(2)) < 100, second
        page.reload()
        page.wait_for_selector("[data-testid=timeline], .view-timeline")
        assert "Fietsverlichting, de uitslag" in timeline_titles(page)
    finally:
        server.close()
