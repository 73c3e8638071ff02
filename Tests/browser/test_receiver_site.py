"""The receiver as web host (issue 15): `portal publish --to-receiver` sends the site to a real
`portal-receiver --site`, a parent logs in there in Chromium, and an item published later shows
at the next visit."""
import os
import re
import subprocess
import threading
import time

from conftest import RECEIVER_BIN, REPO, free_port, login, moment_ago, run, timeline_titles


def start_receiver(root: str, site: str):
    port = free_port()
    proc = subprocess.Popen(
        [RECEIVER_BIN, "--trust", os.path.join(root, "keys", "trust.json"), "--db", os.path.join(root, "receiver.sqlite"),
         "--listen", f"127.0.0.1:{port}", "--site", site],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stdout.readline()
        if "portal-receiver listening on" in line:
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, f"http://127.0.0.1:{port}"
    proc.kill()
    raise RuntimeError("portal-receiver did not start")


def publish(root: str, api: str) -> str:
    return run("publish", "--to-receiver", api, "--receiver", api, "--content", os.path.join(root, "content"),
               "--output", os.path.join(root, "output"), "--keys", os.path.join(root, "keys"),
               "--theme", os.path.join(REPO, "themes", "default"))


def test_a_parent_reads_the_site_the_receiver_serves_and_sees_what_is_published_later(real_site_copy, context, tmp_path):
    root = real_site_copy.root
    proc, base = start_receiver(root, str(tmp_path / "site"))
    try:
        first = publish(root, base + "/api")
        assert re.search(r"Published release \d+ to the receiver", first), first
        page = context.new_page()
        login(page, base + "/", real_site_copy.tokens["groep-3"])
        assert "Zie en word gezien, controle fietsverlichting" in timeline_titles(page)

        with open(os.path.join(root, "content", "news", "via-de-ontvanger.md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: Via de ontvanger\ndate: {moment_ago()}\n---\nTekst.\n")
        real_site_copy.generate()
        second = publish(root, base + "/api")
        sent = int(re.search(r": (\d+) of \d+ files sent", second).group(1))
        assert 3 <= sent <= 9, second
        page.reload()
        page.wait_for_selector("text=Via de ontvanger")
    finally:
        proc.terminate()
        proc.wait(10)
