"""A small sealed site (format 2) built with the Python sealer, for developing the app without the generator.

`python3 Tests/browser/fixture_site.py OUT` writes a site and prints its tokens as JSON.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from format_v2 import SiteSealerV2  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APP = os.path.join(REPO, "themes", "default", "app")


def png(w: int, h: int, rgb: tuple[int, int, int]) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def frag(title: str, body: str) -> str:
    """Shaped like the theme's item.mustache: a header (dropped by the app) and the body."""
    return (f'<article class="item"><header class="item__header"><p class="item__audience">x</p>'
            f'<h1 class="item__title">{title}</h1><p class="item__meta">Wanneer: ...</p></header>\n'
            f'<div class="item__body">{body}</div></article>\n')


def build(out: str, extra_school=()) -> dict:
    """Writes the site to `out`; `extra_school`: more items (with "html") for the school audience."""
    os.makedirs(out, exist_ok=True)
    today = dt.date.today()
    soon = today + dt.timedelta(days=12)
    later = today + dt.timedelta(days=40)
    past = today - dt.timedelta(days=30)
    site = {"format": 2, "name": "OBS De Regenboog", "site_id": "00112233445566778899aabbccddeeff",
            "languages": ["nl", "en"], "receiver": "https://ouders.obs-deregenboog.example/api",
            "inbox_public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "contact": {"name": "Meester Jeroen Bakker (ICT-coördinator)", "email": "ict@obs-deregenboog.example",
                        "phone": "010-123 45 67", "hours": "ma, di en do 8.00-16.00 uur"},
            "keyslot_size": 4096}
    s = SiteSealerV2(out, site, master=bytes(range(32)))
    s.add_audience("school", "Hele school", [
        {"path": "news/sinterklaas", "kind": "news", "title": "Sinterklaas komt naar school",
         "date": "2026-11-20T08:00:00Z", "summary": "Op vrijdag 4 december bezoekt de Sint onze school.",
         "author": "Juf Marieke", "weight": 0,
         "html": frag("Sinterklaas komt naar school",
                      '<p>De Sint komt! Lees ook <a href="#/item/pages/schoolgids">de schoolgids</a>.</p>\n'
                      '<p><img data-media="news/sinterklaas/sint.png" alt="De Sint op het plein"></p>'
                      '<p><a href="javascript:alert(1)" onclick="alert(2)">bad</a></p>')},
        {"path": "news/nieuwe-speeltoestellen", "kind": "news", "title": "Nieuwe speeltoestellen op het plein",
         "date": "2026-10-02T08:00:00Z", "summary": "Het schoolplein is vernieuwd.", "author": None, "weight": 0,
         "html": frag("Nieuwe speeltoestellen op het plein", "<p>Het plein is klaar.</p>")},
        {"path": "calendar/kerstdiner", "kind": "event", "title": "Kerstdiner",
         "date": None, "summary": "Alle kinderen eten op school.", "weight": 0,
         "event": {"start": f"{soon.isoformat()}T16:30:00Z", "end": f"{soon.isoformat()}T18:30:00Z",
                   "all_day": False, "location": "Aula"},
         "html": frag("Kerstdiner", "<p>Neem een bord mee.</p>")},
        {"path": "calendar/studiedag", "kind": "event", "title": "Studiedag, alle kinderen vrij",
         "date": None, "summary": None, "weight": 0,
         "event": {"start": later.isoformat(), "end": (later + dt.timedelta(days=1)).isoformat(),
                   "all_day": True, "location": None},
         "html": frag("Studiedag, alle kinderen vrij", "<p>Geen school.</p>")},
        {"path": "calendar/herfstfeest", "kind": "event", "title": "Herfstfeest",
         "date": None, "summary": None, "weight": 0,
         "event": {"start": past.isoformat(), "end": None, "all_day": True, "location": "Plein"},
         "html": frag("Herfstfeest", "<p>Was leuk.</p>")},
        {"path": "pages/schoolgids", "kind": "page", "title": "Schoolgids", "date": None,
         "summary": "Alles over onze school.", "weight": 10,
         "html": frag("Schoolgids", "<p>De schoolgids.</p><table><thead><tr><th>Dag</th><th>Schooltijden</th>"
                                    "</tr></thead><tbody><tr><td>maandag</td><td>8.30-10.15 en 10.30-14.45</td></tr>"
                                    "</tbody></table>")},
        {"path": "pages/vakanties", "kind": "page", "title": "Vakanties", "date": None,
         "summary": None, "weight": 20, "html": frag("Vakanties", "<p>Kerstvakantie ...</p>")},
        {"path": "albums/schoolreis", "kind": "album", "title": "Schoolreis naar de Efteling",
         "date": "2026-09-20T10:00:00Z", "summary": "Foto's van de schoolreis.", "weight": 0,
         "album": {"cover": "albums/schoolreis/bus.png",
                   "photos": [{"media": "albums/schoolreis/bus.png", "caption": "In de bus"}]},
         "html": frag("Schoolreis naar de Efteling",
                      '<ul class="album"><li><figure><img data-media="albums/schoolreis/bus.png" data-variant="thumb" alt="In de bus"><figcaption>In de bus</figcaption></figure></li></ul>')},
        *extra_school,
    ], {"news/sinterklaas/sint.png": (png(40, 30, (200, 30, 30)), "image/png"),
        "albums/schoolreis/bus.png": (png(40, 30, (30, 30, 200)), "image/png",
                                      ("albums/schoolreis/bus.thumb.png", png(20, 15, (30, 200, 30))))})
    for g, title, news in [("groep-3", "Groep 3", "Groep 3 leert lezen"),
                           ("groep-5", "Groep 5", "Groep 5 gaat naar het museum"),
                           ("groep-8", "Groep 8", "Groep 8 oefent de musical")]:
        s.add_audience(g, title, [
            {"path": f"groups/{g}/news/nieuws", "kind": "news", "title": news,
             "date": "2026-11-25T07:30:00Z", "summary": f"Nieuws uit {title}.", "author": "Juf Sanne", "weight": 0,
             "html": frag(news, f'<p>Bericht van {title}. Zie <a href="#/item/news/sinterklaas">Sint</a>.</p>')},
            {"path": f"groups/{g}/calendar/uitje", "kind": "event", "title": f"Uitje {title}",
             "date": None, "summary": None, "weight": 0,
             "event": {"start": f"{soon.isoformat()}T08:30:00Z", "end": None, "all_day": False,
                       "location": "Bus bij de ingang"},
             "html": frag(f"Uitje {title}", "<p>Uitje.</p>")},
        ], {})
    s.write_site_json()
    tokens = {"groep-3": s.issue(["groep-3"])[0], "groep-5": s.issue(["groep-5"])[0],
              "family": s.issue(["groep-3", "groep-8"], family="fam-1")[0]}
    s.write_shell(APP)
    return tokens


if __name__ == "__main__":
    print(json.dumps(build(sys.argv[1])))
