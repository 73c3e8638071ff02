#!/usr/bin/env python3
"""Time from saving a file to the reloaded `portal preview` page showing the edit, in Chromium,
for a synthetic school of N items (issue 14 point 3: within 200 ms at 10,000 items).

Usage: bench/preview/run.py [N] [RUNS]   (release binary: swift build -c release --product portal)
Opens an item page and a group's index page (its first page: 50 entries per section); each run
changes the item's title and measures save -> reloaded page with the new title. Prints the
median and the worst run per page.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from playwright.sync_api import sync_playwright

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORTAL = os.environ.get("PORTAL_BIN", os.path.join(REPO, ".build", "release", "portal"))
CHROMIUM = "/usr/lib/chromium/chromium"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    work = tempfile.mkdtemp(prefix="preview-bench-", dir="/dev/shm")
    subprocess.run([sys.executable, os.path.join(REPO, "bench", "generate", "make_corpus.py"), str(n), work],
                   check=True, stdout=subprocess.DEVNULL)
    content = os.path.join(work, "content")
    proc = subprocess.Popen([PORTAL, "preview", "--content", content, "--theme", os.path.join(REPO, "themes", "default")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    link = None
    for line in proc.stdout:
        match = re.search(r"Preview on (http://\S+)", line)
        if match:
            link = match.group(1)
            break
    base = link.split("/?key=")[0]
    # A news item of its own, dated after the corpus, so it is on the index's first page too.
    folder = os.path.join(content, "groups", "groep-3", "news")
    item = os.path.join(folder, "bench-preview.md")
    with open(item, "w", encoding="utf-8") as f:
        f.write("---\ntitle: Bench\ndate: 2030-01-01 08:00\n---\nTekst.\n")
    logical = "groups/groep-3/news/bench-preview"
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page()
            page.goto(link)
            for label, url in [("item page", f"{base}/a/groep-3/item/{logical}"), ("groep-3 index", f"{base}/a/groep-3/")]:
                page.goto(url)
                page.wait_for_selector("main")
                times = []
                for run in range(runs):
                    title = f"Bewerkt {label} {run}"
                    text = open(item, encoding="utf-8").read()
                    text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)
                    start = time.monotonic()
                    with open(item, "w", encoding="utf-8") as f:
                        f.write(text)
                    page.wait_for_selector(f"text={title}", timeout=30000)
                    times.append((time.monotonic() - start) * 1000)
                    time.sleep(0.3)
                results[label] = times
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"items: {n}   runs: {runs} per page   save -> reloaded page showing the edit (Chromium)")
    for label, times in results.items():
        print(f"{label:14s} median {statistics.median(times):6.0f} ms   worst {max(times):6.0f} ms   (target <= 200 ms)")


if __name__ == "__main__":
    main()
