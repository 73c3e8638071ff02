"""Reads the "Test vectors", "Failing vectors", "Format 2 vectors" and "Format 2 failing vectors"
blocks of docs/FORMAT.md and checks the browser's crypto.js against the first."""
from __future__ import annotations

import hashlib
import os
import re

from conftest import REPO


def format_md_path() -> str:
    return os.environ.get("FORMAT_MD", os.path.join(REPO, "docs", "FORMAT.md"))


def _block(heading: str) -> str | None:
    """The first ```text block under `heading` (up to the next heading of its level or higher)."""
    text = open(format_md_path(), encoding="utf-8").read()
    level = heading.split(" ")[0]
    m = re.search(r"^" + re.escape(heading) + r"\s*$(.*?)(?=^#{1,%d} |\Z)" % len(level), text, re.M | re.S)
    block = m and re.search(r"```text\n(.*?)```", m.group(1), re.S)
    return block.group(1) if block else None


def _pairs(block: str | None) -> dict | None:
    if block is None:
        return None
    out = {}
    for line in block.splitlines():
        if " = " in line:
            k, v = line.split(" = ", 1)
            out[k.strip()] = v
    return out


def load() -> dict | None:
    """name -> value from the ```text block under "## Test vectors", or None if there is none yet."""
    return _pairs(_block("## Test vectors"))


def load_v2() -> dict | None:
    """name -> value from the ```text block under "### Format 2 vectors" (None if absent)."""
    return _pairs(_block("### Format 2 vectors"))


def load_shell() -> dict | None:
    """name -> value from the ```text block under "### App shell vector" (None if absent)."""
    return _pairs(_block("### App shell vector"))


REASONS_V2 = {"signature", "binding", "rollback", "hash", "keyslot-size"}
_FAIL2 = re.compile(r"fail2 (\S+) = expect=(\S+) (.*)")


def load_failing_v2() -> list[dict] | None:
    """The cases of "### Format 2 failing vectors": {case, expect, and the line's fields} (`seen`
    and `keyslot_size` as int; `ad`, when present, runs to the end of the line). A line that
    does not follow the documented form raises ValueError."""
    block = _block("### Format 2 failing vectors")
    if block is None:
        return None
    cases = []
    for line in block.splitlines():
        f = _FAIL2.fullmatch(line)
        if not f or f.group(2) not in REASONS_V2:
            raise ValueError(f"not a format 2 failing vector: {line[:80]}")
        rest, ad = f.group(3), None
        if " ad=" in rest:
            rest, ad = rest.split(" ad=", 1)
        fields = dict(kv.split("=", 1) for kv in rest.split(" "))
        case = {**fields, "case": f.group(1), "expect": f.group(2), "ad": ad}
        for k in ("seen", "epoch", "keyslot_size"):
            if k in case:
                case[k] = int(case[k])
        if "envelope" not in case or not (("audience" in case and "publisher" in case) or "name" in case
                                          or "keyslot_size" in case):
            raise ValueError(f"format 2 failing vector without its fields: {line[:80]}")
        cases.append(case)
    return cases


REASONS = {"truncated", "prefix", "keyslot-size", "auth", "padding"}
_FAIL = re.compile(r"fail (\S+) = expect=(\S+) key=(\S+)(?: keyslot_size=(\d+))? envelope=([0-9a-f]*) ad=(.*)")


def load_failing() -> list[dict] | None:
    """The cases of the ```text block under "### Failing vectors", or None if there is none:
    {name, expect, key, keyslot_size (int, keyslots only, else None), envelope (hex), ad (str)}.
    A line that does not follow the documented form raises ValueError."""
    text = open(format_md_path(), encoding="utf-8").read()
    m = re.search(r"^### Failing vectors\s*$(.*?)(?=^##|\Z)", text, re.M | re.S)
    if not m:
        return None
    block = re.search(r"```text\n(.*?)```", m.group(1), re.S)
    if not block:
        return None
    cases = []
    for line in block.group(1).splitlines():
        f = _FAIL.fullmatch(line)
        if not f or f.group(2) not in REASONS:
            raise ValueError(f"not a failing vector: {line[:80]}")
        cases.append({"name": f.group(1), "expect": f.group(2), "key": f.group(3),
                      "keyslot_size": int(f.group(4)) if f.group(4) else None,
                      "envelope": f.group(5), "ad": f.group(6)})
    return cases


def check_vectors_in_browser(page, js, v: dict):
    r = v["R"]
    # token text and typed forms parse to R; grouping gives the printed form
    for typed in (v["token"], v["token_typed"]):
        got = js(page, "async (C, t) => { const p = await C.parseToken(t); return p.ok ? C.hex(p.r) : p.error; }", typed)
        assert got == r, typed
    assert js(page, "async (C, t) => C.groupToken(t)", v["token_typed"]) == v["token"]
    # token_id and KEK (raw HKDF for the KEK bytes; the app's KEK itself is non-extractable)
    got = js(page, """async (C, r, sid) => {
        const { tokenId, kek } = await C.deriveTokenKeys(C.fromHex(r), C.fromHex(sid));
        const raw = C.hex(await C.hkdf(C.fromHex(r), C.fromHex(sid), 'ouderportaal/1 kek', 32));
        return [tokenId, raw, kek.extractable, kek.algorithm.name, kek.algorithm.length]; }""", r, v["site_id"])
    assert got == [v["token_id"], v["kek"], False, "AES-GCM", 256]
    # the blob envelope opens with K(school, 1) and format 1's blob AD (the envelope is format 2's too)
    got = js(page, """async (C, k, env, ad) => {
        const key = await C.importAudienceKey(C.fromHex(k));
        return C.hex(await C.openEnvelope(key, C.fromHex(env), ad)); }""", v["k_school_1"], v["blob_envelope"], v["blob_ad"])
    assert got == v["blob_message"]
    assert 4 + 12 + int(v["blob_padded_length"]) + 16 == len(v["blob_envelope"]) // 2
    # the keyslot: rebuilt from its nonce (test-side AES-GCM), checked by SHA-256, opened by the app
    msg = v["keyslot_message"].encode()
    padded = msg + b"\x80" + b"\x00" * (4096 - len(msg) - 1)
    got = rebuild_keyslot(page, js, v["kek"], v["keyslot_nonce"], padded.hex(), v["keyslot_ad"])
    assert got[0] == int(v["keyslot_length"]) and got[1] == v["keyslot_sha256"]
    opened = js(page, """async (C, t, sid, envHex, ad) => {
        const p = await C.parseToken(t);
        const { kek } = await C.deriveTokenKeys(p.r, C.fromHex(sid));
        return new TextDecoder().decode(await C.openEnvelope(kek, C.fromHex(envHex), ad)); }""",
                v["token_typed"], v["site_id"], got[2], v["keyslot_ad"])
    assert opened == v["keyslot_message"]
    assert hashlib.sha256(bytes.fromhex(got[2])).hexdigest() == v["keyslot_sha256"]


def rebuild_keyslot(page, js, kek: str, nonce: str, padded: str, ad: str) -> list:
    """A keyslot rebuilt from its nonce with test-side AES-GCM: [length, sha256, hex]."""
    return js(page, """async (C, kekHex, nonceHex, paddedHex, ad) => {
        const raw = await crypto.subtle.importKey('raw', C.fromHex(kekHex), 'AES-GCM', false, ['encrypt']);
        const nonce = C.fromHex(nonceHex);
        const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce,
          additionalData: new TextEncoder().encode(ad) }, raw, C.fromHex(paddedHex)));
        const env = new Uint8Array(16 + ct.length);
        env.set(new TextEncoder().encode('OPB1')); env.set(nonce, 4); env.set(ct, 16);
        const sha = C.hex(new Uint8Array(await crypto.subtle.digest('SHA-256', env)));
        return [env.length, sha, C.hex(env)]; }""", kek, nonce, padded, ad)
