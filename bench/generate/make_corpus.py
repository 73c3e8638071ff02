#!/usr/bin/env python3
"""Makes a synthetic school of N items, and the same Markdown as a Hugo site, for bench/generate.

Usage: make_corpus.py N OUT_DIR   ->  OUT_DIR/content (Ouderportaal) and OUT_DIR/hugo (Hugo site)
Items are spread over the school and 8 groups: news, calendar items and info pages with
realistic Markdown (paragraphs, lists, a table, links), the same bodies for both generators.
"""
import os
import random
import sys
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


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
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
    previous = {}
    for i in range(n):
        audience = "school" if i % 3 == 0 else GROUPS[i % len(GROUPS)]
        kind = ["news", "news", "calendar", "news", "pages"][i % 5]
        folder = kind if audience == "school" else f"groups/{audience}/{kind}"
        slug = f"item-{i:05d}"
        day = start + timedelta(days=i % 300)
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
    print(f"made {n} items in {out}")


if __name__ == "__main__":
    main()
