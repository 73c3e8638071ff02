"""Independent opener of the sealed site format v1, written from docs/FORMAT.md alone.

Uses only Python's `cryptography` and `hashlib`; it shares no code with the Swift sealer or the
browser app, so agreement between the three is evidence that all follow the spec.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAGIC = b"OPB1"


class FormatError(Exception):
    """The bytes do not follow format v1 (or do not open with this key). `reason` names the failed
    check of an envelope as FORMAT.md "Failing vectors" does: 'truncated', 'prefix',
    'keyslot-size', 'auth' or 'padding' (None for other format errors)."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


class MalformedToken(FormatError):
    pass


class TokenTypo(FormatError):
    pass


# Unicode White_Space, and the dashes word processors put into printed letters (FORMAT.md "Tokens").
_IGNORED = re.compile("[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
                      "\\-\u2010-\u2015\u2212]+")


def normalize_token(text: str) -> str:
    s = _IGNORED.sub("", text).upper()
    return s.replace("O", "0").replace("I", "1").replace("L", "1")


def parse_token(text: str) -> bytes:
    """Returns R (18 bytes); raises MalformedToken or TokenTypo."""
    s = normalize_token(text)
    if len(s) != 32 or any(c not in ALPHABET for c in s):
        raise MalformedToken(text)
    n = 0
    for c in s:
        n = (n << 5) | ALPHABET.index(c)
    raw = n.to_bytes(20, "big")
    r, check = raw[:18], raw[18:]
    if hashlib.sha256(r).digest()[:2] != check:
        raise TokenTypo(text)
    return r


def format_token(raw20: bytes) -> str:
    """Writes 20 bytes (R || C) as 8 groups of 4 Crockford characters."""
    n = int.from_bytes(raw20, "big")
    chars = "".join(ALPHABET[(n >> (5 * (31 - i))) & 31] for i in range(32))
    return "-".join(chars[i:i + 4] for i in range(0, 32, 4))


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def derive(r: bytes, site_id: bytes) -> tuple[str, bytes]:
    token_id = hkdf(r, site_id, b"ouderportaal/1 token-id", 16).hex()
    kek = hkdf(r, site_id, b"ouderportaal/1 kek", 32)
    return token_id, kek


def unpad(p: bytes) -> bytes:
    end = len(p)
    while end > 0 and p[end - 1] == 0:
        end -= 1
    if end == 0 or p[end - 1] != 0x80:
        raise FormatError("bad padding", "padding")
    return p[:end - 1]


def open_envelope(key: bytes, env: bytes, ad: bytes) -> bytes:
    if len(env) < 4 + 12 + 16:
        raise FormatError(f"envelope of {len(env)} bytes is too short", "truncated")
    if env[:4] != MAGIC:
        raise FormatError("not an OPB1 envelope", "prefix")
    try:
        p = AESGCM(key).decrypt(env[4:16], env[16:], ad)
    except Exception as e:  # InvalidTag
        raise FormatError("envelope does not open", "auth") from e
    return unpad(p)


def open_keyslot(kek: bytes, env: bytes, token_id: str, keyslot_size: int) -> bytes:
    """Opens a keyslot; one that is not 4 + 12 + keyslot_size + 16 bytes (site.json) is refused
    before it is decrypted, since every keyslot of a site has that one size."""
    if not isinstance(keyslot_size, int) or isinstance(keyslot_size, bool) or keyslot_size <= 0:
        raise FormatError(f"keyslot_size {keyslot_size!r} is not a positive integer", "keyslot-size")
    if len(env) != 4 + 12 + keyslot_size + 16:
        raise FormatError(f"keyslot is {len(env)} bytes, expected {4 + 12 + keyslot_size + 16}", "keyslot-size")
    return open_envelope(kek, env, keyslot_ad(token_id))


def keyslot_ad(token_id: str) -> bytes:
    return ("ouderportaal/1 keyslot " + token_id).encode()


def blob_ad(audience: str, epoch: int, logical_path: str) -> bytes:
    return f"ouderportaal/1 blob {audience} {epoch} {logical_path}".encode()


def padme(length: int) -> int:
    e = length.bit_length() - 1
    s = e.bit_length()
    z = e - s
    mask = (1 << z) - 1
    return (length + mask) & ~mask


@dataclass
class OpenedAudience:
    id: str
    title: str
    epoch: int
    manifest: dict
    blobs: dict = field(default_factory=dict)  # logical path -> plaintext bytes


@dataclass
class OpenedSite:
    site: dict
    token_id: str
    keyslot: dict
    audiences: dict  # id -> OpenedAudience


def open_site(output_dir: str, token: str, open_blobs: bool = True) -> OpenedSite:
    """Opens everything a token can see in a generated output directory."""
    with open(os.path.join(output_dir, "site.json"), "rb") as f:
        site = json.load(f)
    if site.get("format") != 1:
        raise FormatError("site.json format is not 1")
    site_id = bytes.fromhex(site["site_id"])
    if len(site_id) != 16:
        raise FormatError("site_id is not 16 bytes")
    r = parse_token(token)
    token_id, kek = derive(r, site_id)
    with open(os.path.join(output_dir, "k", token_id), "rb") as f:
        slot_env = f.read()
    if "keyslot_size" not in site:
        raise FormatError("site.json has no keyslot_size")
    keyslot = json.loads(open_keyslot(kek, slot_env, token_id, site["keyslot_size"]))
    if keyslot.get("v") != 1 or keyslot.get("token_id") != token_id:
        raise FormatError("keyslot header mismatch")
    audiences = {}
    for a in keyslot["audiences"]:
        key = _b64(a["key"])
        if len(key) != 32:
            raise FormatError("audience key is not 32 bytes")
        man = json.loads(_open_blob(output_dir, key, a["id"], a["epoch"], "manifest", a["manifest"]))
        if man.get("audience") != a["id"] or man.get("epoch") != a["epoch"]:
            raise FormatError("manifest does not belong to its audience")
        oa = OpenedAudience(a["id"], a["title"], a["epoch"], man)
        if open_blobs:
            for item in man.get("items", []):
                oa.blobs[item["path"]] = _open_blob(output_dir, key, a["id"], a["epoch"], item["path"], item["blob"])
            for mpath, m in man.get("media", {}).items():
                oa.blobs[mpath] = _open_blob(output_dir, key, a["id"], a["epoch"], mpath, m["blob"])
                thumb = m.get("thumb")  # a variant (generator extension): sealed under its own path
                if thumb:
                    oa.blobs[thumb["path"]] = _open_blob(output_dir, key, a["id"], a["epoch"], thumb["path"], thumb["blob"])
        audiences[a["id"]] = oa
    return OpenedSite(site, token_id, keyslot, audiences)


def _open_blob(output_dir, key, audience, epoch, logical_path, rel):
    if rel.startswith("/") or ".." in rel.split("/"):
        raise FormatError("blob path escapes output")
    with open(os.path.join(output_dir, rel), "rb") as f:
        env = f.read()
    m = open_envelope(key, env, blob_ad(audience, epoch, logical_path))
    padded = len(env) - 4 - 12 - 16
    if padded != padme(max(len(m) + 1, 256)):
        raise FormatError(f"{logical_path}: padded length {padded} is not Padmé of {len(m) + 1}")
    return m


def _b64(s: str) -> bytes:
    import base64
    return base64.b64decode(s, validate=True)


if __name__ == "__main__":
    import sys
    site = open_site(sys.argv[1], sys.argv[2])
    for a in site.audiences.values():
        print(a.id, a.title, a.epoch, len(a.manifest.get("items", [])), "items", len(a.blobs), "blobs")
