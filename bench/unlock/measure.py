#!/usr/bin/env python3
"""Benchmark (not a test): a parent's unlock in headless Chromium, cold and warm.

    python3 bench/unlock/measure.py --url URL --token TOKEN [--runs 10]

Cold: a fresh browser context (empty IndexedDB, HTTP cache and service worker); the token is typed
and the app's own measure is read (window.__unlockMs: submit -> first timeline drawn), with the
bytes of sealed files fetched (k/, i/, b/: keyslot, indexes, pages; a/ for format 1) and the cards drawn. Warm: the
same context reloads (token stored, shell from the service worker): navigation start -> first
timeline card. Prints medians and the 95th percentile.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "browser"))
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SEALED = "() => performance.getEntriesByType('resource').filter((e) => /\\/(k|i|b|a)\\//.test(e.name))" \
         ".reduce((n, e) => n + (e.encodedBodySize || 0), 0)"


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    cold, warm, fetched, cards = [], [], [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        for i in range(args.runs + 1):  # run 0 warms the server and the browser process
            ctx = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
            page = ctx.new_page()
            page.goto(args.url)
            page.wait_for_selector("#token")
            page.fill("#token", args.token)
            page.click("form.login-form button[type=submit]")
            page.wait_for_function("() => typeof window.__unlockMs === 'number'", timeout=60000)
            ms = page.evaluate("window.__unlockMs")
            size = page.evaluate(SEALED)
            cards = page.locator(".view-timeline .card").count()
            # Warm: the stored token, the shell from the service worker once it controls the page.
            page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=10000)
            page.reload()
            page.wait_for_selector(".view-timeline .card", timeout=60000)
            warm_ms = page.evaluate("performance.now()")
            ctx.close()
            if i:
                cold.append(ms)
                warm.append(warm_ms)
                fetched.append(size)
        browser.close()
    print(f"cold unlock: median {statistics.median(cold):.0f} ms, p95 {p95(cold):.0f} ms; "
          f"sealed bytes fetched {statistics.median(fetched) / 1024:.1f} KB; {cards} cards drawn")
    print(f"warm visit:  median {statistics.median(warm):.0f} ms, p95 {p95(warm):.0f} ms (navigation -> first card)")


if __name__ == "__main__":
    main()
