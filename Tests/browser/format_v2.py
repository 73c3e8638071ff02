"""A Python sealer of format 2 (docs/FORMAT.md), for fixture sites and the cases the generator never
writes (a signature flipped, an index re-signed with an older sequence, a page served under
another name). Opening lives in opener.py; the envelope is format_v1.py's (unchanged in format 2).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

from format_v1 import audience_key, blake2b, new_token, seal
from opener import (BLOB_AD_V2, blob_name_v2, canonical_json, hkdf, index_ad, index_name, keyslot_ad_v2,
                    padme, page_ad)

SCHOOL_TZ = ZoneInfo("Europe/Amsterdam")


def publisher_seed(master: bytes) -> bytes:
    return blake2b(master, b"ouderportaal/2 publisher", 32)


def publisher_public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def item_key(master: bytes, m: bytes) -> bytes:
    return blake2b(master, b"ouderportaal/2 item " + hashlib.sha256(m).hexdigest().encode(), 32)


def seal_padded(key: bytes, m: bytes, ad: bytes) -> bytes:
    return seal(key, m, ad, padme(max(len(m) + 1, 256)))


def signed(seed: bytes, kind: str, body: bytes) -> bytes:
    """"OPS2" || Ed25519(seed, "ouderportaal/2 signed " || kind || "\\n" || body) || body."""
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(b"ouderportaal/2 signed " + kind.encode() + b"\n" + body)
    return b"OPS2" + sig + body


def seal_index(key: bytes, audience: str, epoch: int, index: dict, seed: bytes) -> bytes:
    return seal_padded(key, signed(seed, "index", canonical_json(index)), index_ad(audience, epoch))


def open_signed_index(key: bytes, audience: str, epoch: int, env: bytes) -> tuple[bytes, dict]:
    """The signed document in an index envelope (unverified: for tests that alter it) and its body."""
    from opener import open_envelope
    doc = open_envelope(key, env, index_ad(audience, epoch))
    return doc, json.loads(doc[68:])


def month_of(item: dict) -> str:
    """FORMAT.md "Index": the month of an item's date in the school's time zone, or 'pinned'."""
    if item.get("event"):
        s = item["event"]["start"]
    elif item.get("conference"):
        s = item["conference"]["slots"][0]["start"]
    else:
        s = item.get("date")
    if not s:
        return "pinned"
    if len(s) == 10:
        return s[:7]
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(SCHOOL_TZ).strftime("%Y-%m")


class SiteSealerV2:
    """Writes an output directory of format 2: site.json, k/<token_id>, i/<index name>, b/<name>."""

    def __init__(self, out: str, site: dict, master: bytes, epochs: dict | None = None, sequence: int = 1796083200):
        self.out, self.site, self.master = out, dict(site, format=2), master
        self.epochs = epochs or {}
        self.sequence = sequence
        self.site_id = bytes.fromhex(site["site_id"])
        self.seed = publisher_seed(master)
        self.titles: dict[str, str] = {}
        self.indexes: dict[str, dict] = {}
        self.pages: dict[str, dict] = {}  # audience -> page id -> page

    def key(self, audience: str) -> tuple[bytes, int]:
        e = self.epochs.get(audience, 1)
        return audience_key(self.master, audience, e), e

    def write(self, rel: str, data: bytes) -> str:
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return rel

    def write_blob(self, env: bytes) -> str:
        return self.write("b/" + blob_name_v2(env), env)

    def item_blob(self, m: bytes) -> dict:
        k = item_key(self.master, m)
        return {"blob": self.write_blob(seal_padded(k, m, BLOB_AD_V2)), "key": base64.b64encode(k).decode()}

    def add_audience(self, audience: str, title: str, items: list[dict], media: dict):
        """items: page item dicts plus 'html' (the fragment); media: path -> (bytes, type[, (thumb path, bytes)]).
        A media entry goes on the page of every item whose fragment or album names it."""
        k, e = self.key(audience)
        entries = {}
        for mpath, (data, typ, *thumb) in media.items():
            entries[mpath] = {**self.item_blob(data), "type": typ}
            if thumb:
                tpath, tdata = thumb[0]
                entries[mpath]["thumb"] = {"path": tpath, **self.item_blob(tdata), "type": typ}
        pages: dict[str, dict] = {}
        for it in items:
            it = {k2: v for k2, v in it.items() if v is not None}
            html = it.pop("html")
            it.update(self.item_blob(html.encode()))
            page = pages.setdefault(month_of(it), {"items": [], "media": {}})
            page["items"].append(it)
            for mpath, m in entries.items():
                if mpath in html or (it.get("album") and mpath in json.dumps(it["album"])):
                    page["media"][mpath] = m
        order = sorted((p for p in pages if p != "pinned"), reverse=True)
        order = (["pinned"] if "pinned" in pages else []) + order
        listed = []
        for pid in order:
            page = {"id": pid, "v": 2, **pages[pid]}
            env = seal_padded(k, canonical_json(page), page_ad(audience, e, pid))
            listed.append({"blob": self.write_blob(env), "count": len(page["items"]), "id": pid})
        index = {"audience": audience, "epoch": e, "kind": "index", "pages": listed, "sequence": self.sequence,
                 "site_id": self.site["site_id"], "title": title, "v": 2}
        self.write("i/" + index_name(k), seal_index(k, audience, e, index, self.seed))
        self.titles[audience], self.indexes[audience] = title, index
        self.pages[audience] = pages

    def issue(self, audiences: list[str], expires: str = "2099-07-31", family: str | None = None,
              rand: bytes | None = None) -> tuple[str, str]:
        token, r = new_token(rand)
        token_id = hkdf(r, self.site_id, b"ouderportaal/1 token-id", 16).hex()
        kek = hkdf(r, self.site_id, b"ouderportaal/1 kek", 32)
        slot = {"v": 2, "token_id": token_id, "expires": expires, "family": family,
                "signing_seed": base64.b64encode(blake2b(self.master, b"ouderportaal/1 signing " + token_id.encode(), 32)).decode(),
                "publisher": base64.b64encode(publisher_public(self.seed)).decode(), "audiences": []}
        for a in ["school"] + audiences:
            k, e = self.key(a)
            slot["audiences"].append({"id": a, "title": self.titles[a], "epoch": e,
                                      "key": base64.b64encode(k).decode(), "index": "i/" + index_name(k)})
        slot["receiver"] = self.site.get("receiver", "/api")
        slot["inbox"] = [{"audience": a["id"], "public_key": self.site["inbox_public_key"]} for a in slot["audiences"]]
        self.write("k/" + token_id, seal(kek, json.dumps(slot).encode(), keyslot_ad_v2(token_id), self.site.get("keyslot_size", 4096)))
        return token, token_id

    def write_site_json(self):
        with open(os.path.join(self.out, "site.json"), "w") as f:
            json.dump(self.site, f, indent=2)

    def write_shell(self, app: str):
        """FORMAT.md "App shell", as `portal generate` lays it out (without its comment filter): the
        app's files in s/<id>/, the page, worker and manifest at the root pointed into it, and
        `shell`, the signed list of every file's SHA-256."""
        root_files = ("index.html", "sw.js", "manifest.webmanifest")
        files = {}
        for d, _, names in os.walk(app):
            for n in names:
                if not n.startswith("."):
                    rel = os.path.relpath(os.path.join(d, n), app)
                    files[rel] = open(os.path.join(d, n), "rb").read()
        ident = hashlib.sha256(b"".join(f"{p}\n{len(b)}\n".encode() + b for p, b in sorted(files.items()))).hexdigest()[:16]
        folder = f"s/{ident}/"
        inside = sorted(p for p in files if p not in root_files)
        listed = {}
        for rel, data in files.items():
            if rel in root_files:
                text = data.decode()
                for name in inside:
                    text = (text.replace(f'href="{name}"', f'href="{folder}{name}"').replace(f'src="{name}"', f'src="{folder}{name}"')
                            .replace(f"from './{name}'", f"from './{folder}{name}'").replace(f'"src": "{name}"', f'"src": "{folder}{name}"'))
                data, path = text.encode(), rel
            else:
                path = folder + rel
            self.write(path, data)
            listed[path] = hashlib.sha256(data).hexdigest()
        body = json.dumps({"files": listed, "id": ident, "kind": "shell", "site_id": self.site["site_id"], "v": 2},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        self.write("shell", signed(self.seed, "shell", body))
