"""Budgets: the public shell (HTML, JS, CSS, translations, icons, manifest, service worker) stays small."""
import gzip
import os

from conftest import APP

BUDGET = 60 * 1024


def gz_sizes():
    out = {}
    for d, _, files in os.walk(APP):
        for f in files:
            if not f.startswith("."):
                p = os.path.join(d, f)
                out[os.path.relpath(p, APP)] = len(gzip.compress(open(p, "rb").read(), 9))
    return out


def test_the_whole_shell_gzipped_is_under_60_kb():
    sizes = gz_sizes()
    total = sum(sizes.values())
    print(f"\nshell: {len(sizes)} files, {total} bytes gzipped (budget {BUDGET})")
    for name, n in sorted(sizes.items(), key=lambda x: -x[1]):
        print(f"  {n:6d}  {name}")
    assert total <= BUDGET, total
