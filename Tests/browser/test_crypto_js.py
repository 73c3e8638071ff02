"""The app's crypto.js, run inside Chromium, agrees with RFC 5869, the Python opener and FORMAT.md."""
import base64
import json
import os
import re

import format_v1
import opener
import pytest
from conftest import REPO

RUN = """async ([fn, args]) => { const C = await import('./crypto.js'); return await (%s)(C, ...args); }"""


def js(page, body: str, *args):
    return page.evaluate(RUN % body, [None, list(args)])


@pytest.fixture
def cpage(site, page):
    page.goto(site.url)
    page.wait_for_selector("#token")
    return page


def test_hkdf_rfc5869_a1(cpage):
    okm = js(cpage, """async (C) => C.hex(await C.hkdf(new Uint8Array(22).fill(0x0b),
        C.fromHex('000102030405060708090a0b0c'), C.fromHex('f0f1f2f3f4f5f6f7f8f9'), 42))""")
    assert okm == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                   "34007208d5b887185865")
    ascii_okm = js(cpage, "async (C) => C.hex(await C.hkdf(new TextEncoder().encode('key'), new TextEncoder().encode('salt'), 'info', 42))")
    assert ascii_okm == opener.hkdf(b"key", b"salt", b"info", 42).hex()


def test_token_parsing_matches_the_python_opener(cpage):
    for seed in range(20):
        r = bytes((seed * 37 + i * 11) % 256 for i in range(18))
        tok, _ = format_v1.new_token(r)
        typed = tok.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        got = js(cpage, "async (C, t) => { const p = await C.parseToken(t); return p.ok ? C.hex(p.r) : p.error; }", typed)
        assert got == r.hex()
        assert js(cpage, "async (C, t) => C.groupToken(t)", typed) == tok
    # printed letters: en dash, no-break space, minus sign
    tok, _ = format_v1.new_token(bytes(range(18)))
    printed = tok.replace("-", "\u2013", 3).replace("-", "\u00a0", 2).replace("-", "\u2212")
    assert js(cpage, "async (C, t) => C.hex((await C.parseToken(t)).r)", printed) == bytes(range(18)).hex()
    assert opener.parse_token(printed) == bytes(range(18))
    tok, _ = format_v1.new_token(bytes(18))
    bad = tok[:3] + ("Z" if tok[3] != "Z" else "Y") + tok[4:]
    assert js(cpage, "async (C, t) => (await C.parseToken(t)).error", bad) == "typo"
    assert js(cpage, "async (C, t) => (await C.parseToken(t)).error", tok[:-1]) == "malformed"
    assert js(cpage, "async (C, t) => (await C.parseToken(t)).error", tok[:-1] + "U") == "malformed"


def test_js_derives_and_opens_a_real_keyslot_and_manifest(site, cpage):
    name = "family"
    opened = site.opened[name]
    got = js(cpage, """async (C, tok, siteIdHex) => {
        const p = await C.parseToken(tok);
        const { tokenId, kek } = await C.deriveTokenKeys(p.r, C.fromHex(siteIdHex));
        const env = new Uint8Array(await (await fetch('k/' + tokenId)).arrayBuffer());
        const slot = JSON.parse(new TextDecoder().decode(await C.openEnvelope(kek, env, C.keyslotAD(tokenId))));
        const out = { tokenId, kekExtractable: kek.extractable, audiences: {} };
        for (const a of slot.audiences) {
          const key = await C.importAudienceKey(C.fromB64(a.key));
          const m = new Uint8Array(await (await fetch(a.manifest)).arrayBuffer());
          out.audiences[a.id] = JSON.parse(new TextDecoder().decode(await C.openEnvelope(key, m, C.blobAD(a.id, a.epoch, 'manifest'))));
        }
        let wrongAD = 'opened';
        try { await C.openEnvelope(kek, env, C.keyslotAD(tokenId.replace(/.$/, '0'))); } catch (e) { wrongAD = e.constructor.name; }
        out.wrongAD = wrongAD;
        return out; }""", site.tokens[name], opened.site["site_id"])
    assert got["tokenId"] == site.token_ids[name] == opened.token_id
    assert got["kekExtractable"] is False
    assert set(got["audiences"]) == site.expected[name]
    for aid, man in got["audiences"].items():
        assert man == opened.audiences[aid].manifest
    assert got["wrongAD"] == "EnvelopeError" or site.token_ids[name].endswith("0")


def test_unpad_rules(cpage):
    cases = {"": "error", "80": "", "414280": "4142", "41428000": "4142", "4142": "error", "41800080": "418000", "0000": "error"}
    for padded, want in cases.items():
        got = js(cpage, "async (C, h) => { try { return C.hex(C.unpad(C.fromHex(h))); } catch (e) { return 'error'; } }", padded)
        assert got == want, padded


def test_js_opens_envelopes_sealed_by_the_python_sealer(cpage):
    key = bytes(range(32))
    for m in [b"", b"x", b"hallo" * 100]:
        env = format_v1.seal_blob(key, "groep-5", 3, "news/x", m)
        got = js(cpage, """async (C, k, e) => { const key = await C.importAudienceKey(C.fromB64(k));
            return C.hex(await C.openEnvelope(key, C.fromB64(e), C.blobAD('groep-5', 3, 'news/x'))); }""",
                 base64.b64encode(key).decode(), base64.b64encode(env).decode())
        assert got == m.hex()
    env = bytearray(format_v1.seal_blob(key, "groep-5", 3, "news/x", b"hallo"))
    env[-1] ^= 1
    got = js(cpage, """async (C, k, e) => { const key = await C.importAudienceKey(C.fromB64(k));
        try { await C.openEnvelope(key, C.fromB64(e), C.blobAD('groep-5', 3, 'news/x')); return 'opened'; }
        catch (err) { return err.constructor.name; } }""", base64.b64encode(key).decode(), base64.b64encode(bytes(env)).decode())
    assert got == "EnvelopeError"


def test_js_against_format_md_test_vectors(cpage):
    import vectors
    v = vectors.load()
    if v is None:
        pytest.skip("docs/FORMAT.md has no 'Test vectors' section yet")
    vectors.check_vectors_in_browser(cpage, js, v)
