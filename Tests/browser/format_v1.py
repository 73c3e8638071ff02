"""A Python sealer of format v1 (docs/FORMAT.md), for fixture sites and edge cases.

The browser tests run against the real `portal generate`; this sealer builds small local sites
when the generator is not available and makes cases the generator never writes (a blob sealed
under the wrong key, a keyslot for an unknown audience). Opening lives in opener.py.
Since format 2 it builds the format 1 site of the upgrade test (test_upgrade.py); format 2's
fixture sites come from format_v2.py, which reuses this file's envelope (`seal`), unchanged.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from opener import blob_ad, format_token, hkdf, keyslot_ad, padme


def blake2b(key: bytes, msg: bytes, n: int) -> bytes:
    return hashlib.blake2b(msg, key=key, digest_size=n).digest()


def audience_key(master: bytes, audience: str, epoch: int) -> bytes:
    return blake2b(master, f"ouderportaal/1 audience {audience} {epoch}".encode(), 32)


def audience_tag(key: bytes) -> str:
    return blake2b(key, b"ouderportaal/1 audience-tag", 16).hex()


def blob_name(key: bytes, logical_path: str) -> str:
    name_key = blake2b(key, b"ouderportaal/1 name", 32)
    return blake2b(name_key, logical_path.encode(), 16).hex()


def pad(m: bytes, padded_len: int) -> bytes:
    assert padded_len >= len(m) + 1
    return m + b"\x80" + b"\x00" * (padded_len - len(m) - 1)


def seal(key: bytes, m: bytes, ad: bytes, padded_len: int) -> bytes:
    p = pad(m, padded_len)
    nk = blake2b(key, b"ouderportaal/1 nonce", 32)
    nonce = blake2b(nk, struct.pack("<Q", len(ad)) + ad + p, 32)[:12]
    return b"OPB1" + nonce + AESGCM(key).encrypt(nonce, p, ad)


def seal_blob(key: bytes, audience: str, epoch: int, logical_path: str, m: bytes) -> bytes:
    return seal(key, m, blob_ad(audience, epoch, logical_path), padme(max(len(m) + 1, 256)))


def new_token(rand: bytes | None = None) -> tuple[str, bytes]:
    r = rand if rand is not None else os.urandom(18)
    return format_token(r + hashlib.sha256(r).digest()[:2]), r


class SiteSealer:
    """Writes an output directory: site.json, k/<token_id>, a/<tag>/<name>."""

    def __init__(self, out: str, site: dict, master: bytes, epochs: dict | None = None):
        self.out, self.site, self.master = out, dict(site), master
        self.epochs = epochs or {}
        self.site_id = bytes.fromhex(site["site_id"])
        self.manifests: dict[str, dict] = {}
        self.manifest_paths: dict[str, str] = {}
        self.titles: dict[str, str] = {}

    def key(self, audience: str) -> tuple[bytes, int]:
        e = self.epochs.get(audience, 1)
        return audience_key(self.master, audience, e), e

    def write_blob(self, audience: str, logical_path: str, m: bytes) -> str:
        k, e = self.key(audience)
        rel = f"a/{audience_tag(k)}/{blob_name(k, logical_path)}"
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(seal_blob(k, audience, e, logical_path, m))
        return rel

    def add_audience(self, audience: str, title: str, items: list[dict], media: dict[str, tuple[bytes, str]]):
        """items: manifest item dicts plus 'html' (the fragment); media: path -> (bytes, type[, (thumb path, bytes)])."""
        _, e = self.key(audience)
        man_items, man_media = [], {}
        for mpath, (data, typ, *thumb) in media.items():
            man_media[mpath] = {"blob": self.write_blob(audience, mpath, data), "type": typ}
            if thumb:  # (thumb logical path, bytes)
                tpath, tdata = thumb[0]
                man_media[mpath]["thumb"] = {"path": tpath, "blob": self.write_blob(audience, tpath, tdata), "type": typ}
        for it in items:
            it = dict(it)
            html = it.pop("html")
            it["blob"] = self.write_blob(audience, it["path"], html.encode())
            man_items.append(it)
        manifest = {"v": 1, "audience": audience, "title": title, "epoch": e,
                    "items": man_items, "media": man_media}
        self.manifests[audience] = manifest
        self.titles[audience] = title
        self.manifest_paths[audience] = self.write_blob(audience, "manifest", json.dumps(manifest).encode())

    def issue(self, audiences: list[str], expires: str = "2099-07-31", family: str | None = None,
              rand: bytes | None = None) -> tuple[str, str]:
        token, r = new_token(rand)
        token_id = hkdf(r, self.site_id, b"ouderportaal/1 token-id", 16).hex()
        kek = hkdf(r, self.site_id, b"ouderportaal/1 kek", 32)
        slot = {"v": 1, "token_id": token_id, "expires": expires, "family": family,
                "signing_seed": base64.b64encode(os.urandom(32)).decode(), "audiences": []}
        for a in ["school"] + audiences:
            k, e = self.key(a)
            slot["audiences"].append({"id": a, "title": self.titles[a], "epoch": e,
                                      "key": base64.b64encode(k).decode(),
                                      "manifest": self.manifest_paths[a]})
        slot["receiver"] = self.site.get("receiver", "/api")
        slot["inbox"] = [{"audience": a["id"], "public_key": self.site["inbox_public_key"]} for a in slot["audiences"]]
        size = self.site.get("keyslot_size", 4096)
        env = seal(kek, json.dumps(slot).encode(), keyslot_ad(token_id), size)
        os.makedirs(os.path.join(self.out, "k"), exist_ok=True)
        with open(os.path.join(self.out, "k", token_id), "wb") as f:
            f.write(env)
        return token, token_id

    def write_site_json(self):
        with open(os.path.join(self.out, "site.json"), "w") as f:
            json.dump(self.site, f, indent=2)
