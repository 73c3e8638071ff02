#!/usr/bin/env python3
"""Makes a synthetic school of N items, and the same Markdown as a Hugo site, for bench/generate.

Usage: make_corpus.py N OUT_DIR [--years Y] [--photos P]
    ->  OUT_DIR/content (Ouderportaal) and OUT_DIR/hugo (Hugo site)
Items are spread over the school and 8 groups: news, calendar items and info pages with
realistic Markdown (paragraphs, lists, a table, links), the same bodies for both generators.
By default they fall within one school year (from 24 August 2026) and one in five is an info
page, as bench/generate has always measured. `--years Y` spreads them over the Y years before
1 December 2026 with a handful of info pages per audience, as a school's archive grows (what the
unlock and revocation benchmarks measure). `--photos P` adds albums of 20 photos (1600x1200
JPEGs made with libvips, each different) to the Ouderportaal content only.
"""
import argparse
import os
import random
import subprocess
import tempfile
from datetime import date, timedelta

GROUPS = ["groep-1-2a", "groep-1-2b", "groep-3", "groep-4", "groep-5", "groep-6", "groep-7", "groep-8"]
WORDS = ("de het een kinderen school juf meester ouders groep week dag morgen middag gym bibliotheek "
         "project thema knutselen lezen rekenen schrijven buiten spelen plein lokaal excursie museum "
         "bos herfst winter lente zomer vakantie feest viering liedjes tekening verhaal boek").split()


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def body(rng, i, links):
    parts = []
    for _ in range(rng.randint(2, 4)):
        parts.append(" ".join(sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 5))))
    parts.append("\n".join(f"- {sentence(rng, 5)}" for _ in range(rng.randint(2, 4))))
    if i % 5 == 0:
        parts.append("| Dag | Groep | Tijd |\n|---|---|---|\n" + "\n".join(
            f"| {d} | {rng.choice(GROUPS)} | {rng.randint(8, 14)}:{rng.choice(['00', '30'])} |"
            for d in ["maandag", "dinsdag", "donderdag"]))
    if links:
        parts.append(f"Zie ook [dit bericht]({links}) en **neem** *een* tas mee.")
    return "\n\n".join(parts) + "\n"


def make_photos(count, folder):
    """`count` different 1600x1200 JPEGs: crops of one noisy texture at different offsets."""
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base.v")
        subprocess.run(["vips", "perlin", os.path.join(tmp, "p.v"), "2600", "2200", "--cell-size", "200"], check=True)
        subprocess.run(["vips", "linear", os.path.join(tmp, "p.v"), os.path.join(tmp, "c.v"), "90 150 210", "128 110 80"], check=True)
        subprocess.run(["vips", "gaussnoise", os.path.join(tmp, "n.v"), "2600", "2200", "--sigma", "10"], check=True)
        subprocess.run(["vips", "add", os.path.join(tmp, "c.v"), os.path.join(tmp, "n.v"), os.path.join(tmp, "cn.v")], check=True)
        subprocess.run(["vips", "cast", os.path.join(tmp, "cn.v"), base, "uchar"], check=True)
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            x, y = (i * 37) % 1000, (i * 53) % 1000
            subprocess.run(["vips", "crop", base, os.path.join(folder, f"photo-{i:05d}.jpg[Q=85]"), str(x), str(y), "1600", "1200"], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--years", type=float, default=0)
    ap.add_argument("--photos", type=int, default=0)
    args = ap.parse_args()
    n, out = args.n, args.out
    rng = random.Random(42)
    content = os.path.join(out, "content")
    hugo = os.path.join(out, "hugo")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(content, "site.yaml"), "w") as f:
        f.write("name: Benchschool\nurl: https://bench.example\ntimezone: Europe/Amsterdam\nlanguages: [nl, en]\n"
                "receiver: https://bench.example/api\ncontact:\n  name: ICT\n  email: ict@bench.example\ngroups:\n")
        for g in GROUPS:
            f.write(f"  - id: {g}\n    title: {g.replace('-', ' ').title()}\n    teacher: Juf Test\n")
    # Hugo site: same bodies, a minimal theme (single, list, baseof) so the work is comparable.
    layouts = os.path.join(hugo, "layouts", "_default")
    os.makedirs(layouts, exist_ok=True)
    with open(os.path.join(hugo, "config.toml"), "w") as f:
        f.write('baseURL = "https://bench.example/"\ntitle = "Benchschool"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
                '[markup.goldmark.renderer]\nunsafe = false\n')
    with open(os.path.join(layouts, "baseof.html"), "w") as f:
        f.write('<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
                '<body>{{ block "main" . }}{{ end }}</body></html>\n')
    with open(os.path.join(layouts, "single.html"), "w") as f:
        f.write('{{ define "main" }}<article><h1>{{ .Title }}</h1><p><time>{{ .Date.Format "Monday 2 January 2006" }}</time></p>'
                '{{ .Content }}</article>{{ end }}\n')
    with open(os.path.join(layouts, "list.html"), "w") as f:
        f.write('{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}\n')

    start = date(2026, 8, 24)
    newest = date(2026, 12, 1)
    previous = {}
    info_pages = {}
    for i in range(n):
        audience = "school" if i % 3 == 0 else GROUPS[i % len(GROUPS)]
        kind = ["news", "news", "calendar", "news", "pages"][i % 5]
        if args.years:
            # A growing archive: dates spread back over the years, a few info pages per audience.
            day = newest - timedelta(days=int(i * args.years * 365 / n))
            if kind == "pages":
                info_pages[audience] = info_pages.get(audience, 0) + 1
                if info_pages[audience] > 4:
                    kind = "news"
        else:
            day = start + timedelta(days=i % 300)
        folder = kind if audience == "school" else f"groups/{audience}/{kind}"
        slug = f"item-{i:05d}"
        title = sentence(rng, 4)[:-1]
        link = previous.get((audience, "news"))
        text = body(rng, i, link)
        if kind == "news":
            fm = f"title: \"{title}\"\ndate: {day.isoformat()}\n"
            hugo_fm = f"title: \"{title}\"\ndate: {day.isoformat()}\n"
        elif kind == "calendar":
            fm = f"title: \"{title}\"\nstart: {day.isoformat()} 19:00\nend: {day.isoformat()} 20:30\nlocation: Aula\n"
            hugo_fm = f"title: \"{title}\"\ndate: {day.isoformat()}\n"
        else:
            fm = f"title: \"{title}\"\nweight: {i % 50}\n"
            hugo_fm = f"title: \"{title}\"\nweight: {i % 50}\n"
        for root, front in ((content, fm), (os.path.join(hugo, "content"), hugo_fm)):
            path = os.path.join(root, folder, slug + ".md")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write("---\n" + front + "---\n" + text)
        if kind == "news":
            previous[(audience, "news")] = f"/{folder}/{slug}"
    if args.photos:
        photos = os.path.join(out, "photos")
        make_photos(args.photos, photos)
        names = sorted(os.listdir(photos))
        for a in range(0, len(names), 20):
            audience = "school" if (a // 20) % 3 == 0 else GROUPS[(a // 20) % len(GROUPS)]
            folder = os.path.join(content, "albums" if audience == "school" else f"groups/{audience}/albums", f"album-{a // 20:04d}")
            os.makedirs(folder, exist_ok=True)
            chunk = names[a:a + 20]
            for name in chunk:
                os.link(os.path.join(photos, name), os.path.join(folder, name))
            day = newest - timedelta(days=int((a // 20) * max(args.years, 1) * 365 / max(1, len(names) // 20)))
            with open(os.path.join(folder, "index.md"), "w") as f:
                f.write(f"---\ntitle: \"Album {a // 20}\"\ndate: {day.isoformat()}\ncover: {chunk[0]}\nphotos:\n")
                f.write("".join(f"  - file: {name}\n    caption: Foto {name[6:11]}\n" for name in chunk))
                f.write("---\nFoto's van deze week.\n")
    print(f"made {n} items" + (f" and {args.photos} photos" if args.photos else "") + f" in {out}")


if __name__ == "__main__":
    main()
