"""Benchmark (not a test): token submit -> first timeline rendered, as the app measures it.

    python3 Tests/browser/bench_unlock.py [--runs 20] [--url URL --token TOKEN]

Without --url it builds and serves the same site as the browser tests (real `portal generate`
when the binary exists, else the Python fixture) and uses the family token (three audiences).
The app sets window.__unlockMs = performance.now() at render minus performance.now() at submit.
Each run uses a fresh browser context (empty IndexedDB, cold HTTP cache).
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import conftest  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--url")
    ap.add_argument("--token")
    ap.add_argument("--which", default="family", help="token name from the test site: groep-3, groep-5, family")
    args = ap.parse_args()
    server = None
    if args.url:
        url, token = args.url, args.token
    else:
        tmp = tempfile.mkdtemp(prefix="bench-unlock-")
        site = conftest.build_real(tmp) if conftest.USE_REAL else conftest.build_fixture(tmp)
        server = conftest.Server(site.out)
        url, token = server.url, site.tokens[args.which]
        print("site:", "real portal generate" if conftest.USE_REAL else "Python fixture", url)
    times, marks = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=conftest.CHROMIUM)
        for i in range(args.runs + 1):  # run 0 warms the server and the browser process
            ctx = browser.new_context(locale="nl-NL")
            page = ctx.new_page()
            page.goto(url)
            page.wait_for_selector("#token")
            page.fill("#token", token)
            page.click("form.login-form button[type=submit]")
            page.wait_for_function("() => typeof window.__unlockMs === 'number'")
            ms = page.evaluate("window.__unlockMs")
            mk = page.evaluate("window.__unlockMarks || {}")
            n_cards = page.locator(".view-timeline .card").count()
            ctx.close()
            if i:
                times.append(ms)
                marks.append(mk)
        browser.close()
    if server:
        server.close()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"unlock (submit -> timeline, {n_cards} cards), {len(times)} runs: "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, min {times[0]:.1f}, max {times[-1]:.1f}")
    names = sorted({k for m in marks for k in m}, key=lambda k: statistics.median(m.get(k, 0) for m in marks))
    print("median time of each step since submit (ms):",
          ", ".join(f"{k} {statistics.median(m[k] for m in marks if k in m):.0f}" for k in names))


if __name__ == "__main__":
    main()
