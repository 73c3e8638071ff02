"""Independent opener of the sealed site format 2, written from docs/FORMAT.md alone.

Uses only Python's `cryptography` and `hashlib`; it shares no code with the Swift sealer or the
browser app, so agreement between the three is evidence that all follow the spec.

`open_site` opens format 2: the keyslot, each audience's signed index, its pages, and the item and
image blobs they list, in the order of FORMAT.md "Opening, in order". The primitives format 2
keeps from format 1 (tokens, HKDF, the OPB1 envelope, Padmé) and format 1's labels (`keyslot_ad`,
`blob_ad`) stay here too: format_v1.py builds format 1 sites with them for the upgrade test.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAGIC = b"OPB1"


class FormatError(Exception):
    """The bytes do not follow the format (or do not open with this key). `reason` names the failed
    check as FORMAT.md "Failing vectors" and "Format 2 failing vectors" do: 'truncated', 'prefix',
    'keyslot-size', 'auth', 'padding' (envelope), 'signature', 'binding', 'rollback', 'hash'
    (format 2 documents); None for any other format error."""

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


def _check_keyslot_size(env: bytes, keyslot_size) -> None:
    # Before decrypting: every keyslot of a site has the one size of site.json.
    if not isinstance(keyslot_size, int) or isinstance(keyslot_size, bool) or keyslot_size <= 0:
        raise FormatError(f"keyslot_size {keyslot_size!r} is not a positive integer", "keyslot-size")
    if len(env) != 4 + 12 + keyslot_size + 16:
        raise FormatError(f"keyslot is {len(env)} bytes, expected {4 + 12 + keyslot_size + 16}", "keyslot-size")


def open_keyslot(kek: bytes, env: bytes, token_id: str, keyslot_size: int) -> bytes:
    """Opens a format 1 keyslot; one that is not 4 + 12 + keyslot_size + 16 bytes (site.json) is
    refused before it is decrypted, since every keyslot of a site has that one size."""
    _check_keyslot_size(env, keyslot_size)
    return open_envelope(kek, env, keyslot_ad(token_id))


def keyslot_ad(token_id: str) -> bytes:
    """Format 1's keyslot AD (format_v1.py); format 2 uses keyslot_ad_v2."""
    return ("ouderportaal/1 keyslot " + token_id).encode()


def blob_ad(audience: str, epoch: int, logical_path: str) -> bytes:
    """Format 1's blob AD (format_v1.py); format 2 uses BLOB_AD_V2."""
    return f"ouderportaal/1 blob {audience} {epoch} {logical_path}".encode()


def padme(length: int) -> int:
    e = length.bit_length() - 1
    s = e.bit_length()
    z = e - s
    mask = (1 << z) - 1
    return (length + mask) & ~mask


# ---- format 2 ----------------------------------------------------------------------------------

FORMAT = 2
SIGNED_MAGIC = b"OPS2"
BLOB_AD_V2 = b"ouderportaal/2 blob"  # the same for every item and image blob: its key is per content
_AUDIENCE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def keyslot_ad_v2(token_id: str) -> bytes:
    return ("ouderportaal/2 keyslot " + token_id).encode()


def index_ad(audience: str, epoch: int) -> bytes:
    return f"ouderportaal/2 index {audience} {epoch}".encode()


def page_ad(audience: str, epoch: int, page_id: str) -> bytes:
    return f"ouderportaal/2 page {audience} {epoch} {page_id}".encode()


def blake2b(key: bytes, msg: bytes, n: int) -> bytes:
    return hashlib.blake2b(msg, key=key, digest_size=n).digest()


def index_name(audience_key: bytes) -> str:
    """The name of an audience's index under i/ (stable while the epoch is)."""
    return blake2b(audience_key, b"ouderportaal/2 index", 16).hex()


def blob_name_v2(env: bytes) -> str:
    """The name of a b/ file: the first 16 bytes of the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(env).digest()[:16].hex()


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _is_int(v) -> bool:
    return type(v) is int  # not bool: True == 1 would pass for an epoch


def _json_object(data: bytes, what: str) -> dict:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{what} is not JSON: {e}") from e
    if not isinstance(value, dict):
        raise FormatError(f"{what} is not a JSON object")
    return value


def _check_padme(env: bytes, m: bytes, what: str) -> None:
    # An envelope padded to another length would tell more about its content than Padmé does.
    padded = len(env) - 4 - 12 - 16
    if padded != padme(max(len(m) + 1, 256)):
        raise FormatError(f"{what}: padded length {padded} is not Padmé of {len(m) + 1}")


def verify_signed(doc: bytes, kind: str, publisher: bytes) -> bytes:
    """Checks a signed document ("OPS2" || signature || body) of `kind` under the publisher's
    Ed25519 public key and returns the body, unparsed: nothing is read before it verifies."""
    if len(doc) < 4 + 64:
        raise FormatError(f"signed document of {len(doc)} bytes is too short", "signature")
    if doc[:4] != SIGNED_MAGIC:
        raise FormatError("not an OPS2 signed document", "signature")
    signature, body = doc[4:68], doc[68:]
    try:
        Ed25519PublicKey.from_public_bytes(publisher).verify(
            signature, b"ouderportaal/2 signed " + kind.encode() + b"\n" + body)
    except (InvalidSignature, ValueError) as e:
        raise FormatError(f"{kind}: signature does not verify under the publisher key", "signature") from e
    return body


def check_blob_name(name: str, env: bytes) -> None:
    """A b/ file must be the bytes its name is the hash of: checked before anything is decrypted."""
    if blob_name_v2(env) != name:
        raise FormatError(f"b/{name} holds other bytes (SHA-256 starts {blob_name_v2(env)})", "hash")


def _open_site_document(folder: str, kind: str, what: str, publisher: bytes, site_id: str) -> dict:
    """A signed document of the site at `folder/kind` (the release, the shell index): its
    signature under the publisher, `v` 2, its kind and this site (reason `binding`), canonical JSON."""
    body = verify_signed(_read(folder, kind), kind, publisher)
    doc = _json_object(body, what)
    if doc.get("v") != 2 or doc.get("kind") != kind or doc.get("site_id") != site_id:
        raise FormatError(f"the {what} is for another site or format", "binding")
    if body != canonical_json(doc):
        raise FormatError(f"the {what} is not canonical JSON")
    return doc


def open_release(folder: str, publisher: bytes, site_id: str) -> dict:
    """FORMAT.md "Release": `release` on the host, signed (kind `release`) by the publisher. It
    names the indexes, site.json and the app with their SHA-256, and the b/ and k/ files through
    64 lists each (r/<sha256 of the list>, lines "path sha256"). Every file named must be in
    `folder` with that hash (reason `hash`). Returns the release with `all`: every file named."""
    release = _open_site_document(folder, "release", "release", publisher, site_id)
    files, lists = release.get("files"), release.get("lists")
    if not isinstance(files, dict) or not isinstance(lists, dict) or not _is_int(release.get("sequence")):
        raise FormatError("the release has no files, lists or sequence")
    named = dict(files)
    for folder_name in ("b", "k"):
        hashes = lists.get(folder_name)
        if not isinstance(hashes, list) or len(hashes) != 64:
            raise FormatError(f"the release has no 64 lists of {folder_name}/")
        for number, digest in enumerate(hashes):
            text = _read(folder, "r/" + digest)
            if hashlib.sha256(text).hexdigest() != digest:
                raise FormatError(f"r/{digest} does not hold the list the release names", "hash")
            for line in text.decode().splitlines():
                if folder_name == "b":  # the name is the start of the file's SHA-256
                    path = line
                    name = path[2:]
                    data = _read(folder, path)
                    check_blob_name(name, data)
                    file_hash = hashlib.sha256(data).hexdigest()
                else:
                    path, file_hash = line.split(" ")
                    name = path.split("/", 1)[1]
                if not path.startswith(folder_name + "/") or int(name[:2], 16) % 64 != number:
                    raise FormatError(f"{path} is in the wrong list")
                named[path] = file_hash
    for path, digest in named.items():
        if ".." in path.split("/") or path.startswith("/"):
            raise FormatError(f"the release names {path!r}, outside the site")
        if hashlib.sha256(_read(folder, path)).hexdigest() != digest:
            raise FormatError(f"{path} does not hold the bytes the release names", "hash")
    release["all"] = named
    return release


def open_shell(folder: str, publisher: bytes, site_id: str) -> dict:
    """FORMAT.md "App shell": `shell`, signed (kind `shell`) by the publisher, for this site, in
    canonical JSON; its id is 16 hex digits and every file it names is the site's own and holds the
    bytes named (reason `hash`). Returns the index."""
    index = _open_site_document(folder, "shell", "shell index", publisher, site_id)
    files = index.get("files")
    if not isinstance(index.get("id"), str) or not re.fullmatch(r"[0-9a-f]{16}", index["id"]) or not isinstance(files, dict):
        raise FormatError("the shell index has no id or files")
    for path, digest in sorted(files.items()):
        parts = path.split("/")
        if not path or ":" in path or any(p in ("", ".", "..") for p in parts):
            raise FormatError(f"the shell index names {path!r}, outside the site")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise FormatError(f"the shell index's hash of {path} is not 64 hex digits")
        if hashlib.sha256(_read(folder, path)).hexdigest() != digest:
            raise FormatError(f"{path} does not hold the bytes the shell index names", "hash")
    return index


def open_keyslot_v2(kek: bytes, env: bytes, token_id: str, keyslot_size: int) -> dict:
    """Opens a format 2 keyslot: its size first, then the KEK and the v2 keyslot AD, then `v` 2 and
    its own `token_id`. check_keyslot_v2 checks the rest of what open_site uses."""
    _check_keyslot_size(env, keyslot_size)
    slot = _json_object(open_envelope(kek, env, keyslot_ad_v2(token_id)), "keyslot")
    if slot.get("v") != 2 or slot.get("token_id") != token_id:
        raise FormatError("keyslot is not a format 2 keyslot of this token")
    return slot


def check_keyslot_v2(slot: dict) -> dict:
    """The publisher key and the audiences of an opened keyslot."""
    if len(_b64(slot.get("publisher", ""))) != 32:
        raise FormatError("keyslot publisher is not a 32-byte key")
    if not isinstance(slot.get("audiences"), list):
        raise FormatError("keyslot has no audiences")
    for a in slot["audiences"]:
        if not isinstance(a.get("id"), str) or not _AUDIENCE_ID.fullmatch(a["id"]):
            raise FormatError(f"audience id {a.get('id')!r} is not valid")
        if not _is_int(a.get("epoch")) or a["epoch"] < 1:
            raise FormatError(f"{a['id']}: epoch {a.get('epoch')!r} is not a positive integer")
        key = _b64(a.get("key", ""))
        if len(key) != 32:
            raise FormatError(f"{a['id']}: audience key is not 32 bytes")
        # The index name follows from the key: a keyslot pointing elsewhere is a generator error.
        if a.get("index") != "i/" + index_name(key):
            raise FormatError(f"{a['id']}: index {a.get('index')!r} is not i/{index_name(key)}")
    return slot


def open_index(key: bytes, env: bytes, *, site_id: str, audience: str, epoch: int, publisher: bytes,
               seen: int | None = None) -> dict:
    """Opens an audience's index: envelope (K(a, e), index AD), signature under `publisher`,
    binding to (v, kind, site_id, audience, epoch), then rollback against `seen`, the highest
    sequence accepted before (None: nothing seen)."""
    doc = open_envelope(key, env, index_ad(audience, epoch))
    body = verify_signed(doc, "index", publisher)
    index = _json_object(body, "index")
    if (index.get("v") != 2 or index.get("kind") != "index" or index.get("site_id") != site_id
            or index.get("audience") != audience or not _is_int(index.get("epoch")) or index["epoch"] != epoch):
        raise FormatError(f"index of {index.get('audience')!r} epoch {index.get('epoch')!r} (site "
                          f"{index.get('site_id')!r}) is not the one of {audience} {epoch}", "binding")
    sequence = index.get("sequence")
    if not _is_int(sequence) or sequence < 0:
        raise FormatError(f"index sequence {sequence!r} is not a non-negative integer")
    if seen is not None and sequence < seen:
        raise FormatError(f"{audience}: index sequence {sequence} is below {seen}, seen before", "rollback")
    # Checks of a well-formed index, after the refusals the spec names.
    if body != canonical_json(index):
        raise FormatError(f"{audience}: index body is not canonical JSON")
    _check_padme(env, doc, f"index of {audience}")
    pages = index.get("pages")
    if not isinstance(index.get("title"), str) or not isinstance(pages, list):
        raise FormatError(f"{audience}: index has no title or pages")
    ids = []
    for entry in pages:
        if (not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not _is_int(entry.get("count"))
                or entry["count"] < 0):
            raise FormatError(f"{audience}: index page entry {entry!r} is not valid")
        blob_path(entry.get("blob"))
        ids.append(entry["id"])
    # pinned first (if any), then months, newest first.
    months = ids[1:] if ids[:1] == ["pinned"] else ids
    if (not all(_MONTH.fullmatch(m) for m in months) or months != sorted(months, reverse=True)
            or len(set(months)) != len(months)):
        raise FormatError(f"{audience}: pages {ids} are not pinned, then months newest first")
    return index


def blob_path(rel) -> str:
    """The name of a `b/<name>` reference; anything else (another folder, `..`) is refused."""
    if not isinstance(rel, str) or not rel.startswith("b/") or not _HEX32.fullmatch(rel[2:]):
        raise FormatError(f"{rel!r} is not a b/<32 hex> path")
    return rel[2:]


def open_page(key: bytes, env: bytes, *, name: str, audience: str, epoch: int, page_id: str,
              count: int | None = None) -> dict:
    """Opens a page served at b/<name>: name check, K(a, e) with the page AD, then its id (and,
    given the index entry's `count`, its number of items)."""
    check_blob_name(name, env)
    m = open_envelope(key, env, page_ad(audience, epoch, page_id))
    page = _json_object(m, f"page {page_id}")
    if page.get("id") != page_id or page.get("v") != 2:
        raise FormatError(f"page {page.get('id')!r} (v {page.get('v')!r}) is not page {page_id}", "binding")
    _check_padme(env, m, f"page {page_id}")
    items, media = page.get("items"), page.get("media", {})
    if (not isinstance(items, list) or not isinstance(media, dict)
            or not all(isinstance(i, dict) and isinstance(i.get("path"), str) for i in items)):
        raise FormatError(f"page {page_id}: items or media are not valid")
    if count is not None and count != len(items):
        raise FormatError(f"page {page_id}: the index counts {count} items, the page has {len(items)}")
    return page


def open_blob_v2(key: bytes, env: bytes, name: str) -> bytes:
    """Opens an item or image blob served at b/<name>: name check, the item key with the blob AD,
    then the Padmé length."""
    check_blob_name(name, env)
    m = open_envelope(key, env, BLOB_AD_V2)
    _check_padme(env, m, f"b/{name}")
    return m


@dataclass
class OpenedAudience:
    id: str
    title: str
    epoch: int
    # All pages merged, for callers written for format 1's manifest: audience, title, epoch,
    # sequence, items (of every page, in page order), media (merged), pages (ids, in index order).
    manifest: dict
    blobs: dict = field(default_factory=dict)  # logical path (item path, media path, thumb path) -> plaintext
    index: dict = field(default_factory=dict)  # the verified index body
    pages: dict = field(default_factory=dict)  # page id -> page


@dataclass
class OpenedSite:
    site: dict
    token_id: str
    keyslot: dict
    audiences: dict  # id -> OpenedAudience

    def sequences(self) -> dict:
        """audience -> sequence accepted: the `seen` to open a later release with."""
        return {a.id: a.manifest["sequence"] for a in self.audiences.values()}


def _read(output_dir: str, rel: str) -> bytes:
    with open(os.path.join(output_dir, rel), "rb") as f:
        return f.read()


def open_site(output_dir: str, token: str, open_blobs: bool = True, seen: dict | None = None) -> OpenedSite:
    """Opens everything a token can see in a generated output directory (format 2), in the order of
    FORMAT.md "Opening, in order". `seen`: audience -> highest sequence accepted before (rollback).
    Pages are always opened (they list the items); `open_blobs` also opens every item and image."""
    site = _json_object(_read(output_dir, "site.json"), "site.json")
    if site.get("format") != FORMAT:
        raise FormatError(f"site.json format is {site.get('format')!r}, not {FORMAT}")
    if not isinstance(site.get("site_id"), str) or not re.fullmatch(r"[0-9a-f]{32}", site["site_id"]):
        raise FormatError("site_id is not 16 bytes of lowercase hex")
    if "keyslot_size" not in site:
        raise FormatError("site.json has no keyslot_size")
    token_id, kek = derive(parse_token(token), bytes.fromhex(site["site_id"]))
    keyslot = check_keyslot_v2(open_keyslot_v2(kek, _read(output_dir, os.path.join("k", token_id)), token_id,
                                               site["keyslot_size"]))
    publisher = _b64(keyslot["publisher"])
    audiences = {}
    for a in keyslot["audiences"]:
        aid, epoch, key = a["id"], a["epoch"], _b64(a["key"])
        index = open_index(key, _read(output_dir, a["index"]), site_id=site["site_id"], audience=aid,
                           epoch=epoch, publisher=publisher, seen=(seen or {}).get(aid))
        manifest = {"audience": aid, "title": index["title"], "epoch": epoch, "sequence": index["sequence"],
                    "items": [], "media": {}, "pages": [p["id"] for p in index["pages"]]}
        oa = OpenedAudience(aid, a["title"], epoch, manifest, index=index)
        paths = set()
        for entry in index["pages"]:
            name = blob_path(entry["blob"])
            page = open_page(key, _read(output_dir, entry["blob"]), name=name, audience=aid, epoch=epoch,
                             page_id=entry["id"], count=entry["count"])
            oa.pages[entry["id"]] = page
            for item in page["items"]:
                if item["path"] in paths:  # an item has one month (or is pinned): one page
                    raise FormatError(f"{aid}: item {item['path']!r} is on two pages")
                paths.add(item["path"])
                manifest["items"].append(item)
            for mpath, m in page.get("media", {}).items():
                if manifest["media"].get(mpath, m) != m:
                    raise FormatError(f"{aid}: media {mpath!r} differs between pages")
                manifest["media"][mpath] = m
        if open_blobs:
            for item in manifest["items"]:
                oa.blobs[item["path"]] = _open_listed_blob(output_dir, item)
            for mpath, m in manifest["media"].items():
                oa.blobs[mpath] = _open_listed_blob(output_dir, m)
                if m.get("thumb"):  # the thumbnail variant, under its own logical path
                    oa.blobs[m["thumb"]["path"]] = _open_listed_blob(output_dir, m["thumb"])
        audiences[aid] = oa
    return OpenedSite(site, token_id, keyslot, audiences)


def _open_listed_blob(output_dir: str, ref: dict) -> bytes:
    """An item or media entry of a page: {"blob": "b/<name>", "key": "<b64>", ...}."""
    name = blob_path(ref.get("blob"))
    key = _b64(ref.get("key", ""))
    if len(key) != 32:
        raise FormatError(f"b/{name}: item key is not 32 bytes")
    return open_blob_v2(key, _read(output_dir, ref["blob"]), name)


def _b64(s: str) -> bytes:
    try:
        return base64.b64decode(s, validate=True)
    except (TypeError, ValueError) as e:
        raise FormatError(f"{s!r} is not base64") from e


if __name__ == "__main__":
    import sys
    site = open_site(sys.argv[1], sys.argv[2])
    for a in site.audiences.values():
        print(a.id, a.title, a.epoch, "sequence", a.manifest["sequence"], len(a.manifest["pages"]), "pages",
              len(a.manifest["items"]), "items", len(a.blobs), "blobs")
