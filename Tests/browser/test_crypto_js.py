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
    # The section exists; losing it (or its ```text block) must fail here, not skip quietly.
    assert v, f"{vectors.format_md_path()} has no '## Test vectors' section with a ```text block of 'name = value' lines"
    vectors.check_vectors_in_browser(cpage, js, v)


FAILING_RUN = """async ([_, args]) => {
  const C = await import('./crypto.js'), S = await import('./sealed.js');
  return await (%s)(C, S, ...args); }"""


def test_app_refuses_every_failing_vector_of_format_md(cpage):
    """FORMAT.md "Failing vectors" through the app's own functions: crypto.js openEnvelope (blobs) and
    openKeyslotEnvelope (keyslots) refuse each case with its reason and return nothing; sealed.js,
    which the app opens files with, refuses them too (fetch answered with the envelope)."""
    import vectors
    v, cases = vectors.load(), vectors.load_failing()
    # A missing section must fail here, not skip.
    assert v and cases, f"{vectors.format_md_path()} has no '### Failing vectors' ```text block"
    assert {c["expect"] for c in cases} == vectors.REASONS
    got = cpage.evaluate(FAILING_RUN % r"""async (C, S, cases, keys, r, siteId, keyslotMessage) => {
        const { tokenId, kek } = await C.deriveTokenKeys(C.fromHex(r), C.fromHex(siteId));
        const refusal = async (f) => {
          try { const out = await f(); return { opened: out ? C.hex(out) : String(out) }; }
          catch (e) { return { error: e.constructor.name, reason: e.reason ?? null, kind: e.kind ?? null }; }
        };
        const realFetch = window.fetch;
        const out = {};
        try {
          for (const c of cases) {
            const env = C.fromHex(c.envelope);
            window.fetch = async () => new Response(env.slice());
            if (c.keyslot_size !== null) {
              // The KEK the app derives from the token, as on unlock.
              if (C.keyslotAD(tokenId) !== c.ad || c.key !== 'kek') { out[c.name] = { setup: 'not the vector keyslot' }; continue; }
              const files = S.sealedFiles(() => {}, () => c.keyslot_size);
              out[c.name] = {
                crypto: await refusal(() => C.openKeyslotEnvelope(kek, env, tokenId, c.keyslot_size)),
                sealed: await refusal(() => files.openKeyslot(tokenId, kek, 'now')),
                // authenticates without the size check: only the size stops it
                unchecked: new TextDecoder().decode(await C.openEnvelope(kek, env, c.ad)),
              };
            } else {
              const m = c.ad.match(/^ouderportaal\/1 blob (\S+) (\d+) (.+)$/);
              const key = await C.importAudienceKey(C.fromHex(keys[c.key]));
              const aud = { id: m[1], epoch: Number(m[2]), key };
              const files = S.sealedFiles(() => {}, () => 4096);
              out[c.name] = {
                crypto: await refusal(() => C.openEnvelope(key, env, c.ad)),
                sealed: await refusal(() => files.openItem(aud, { path: m[3], blob: 'a/x/y' })),
              };
            }
          }
        } finally { window.fetch = realFetch; }
        return out; }""", [None, [cases, {k: v[k] for k in ("k_school_1", "k_groep-5_2")}, v["R"], v["site_id"],
                                  v["keyslot_message"]]])
    assert set(got) == {c["name"] for c in cases}
    for c in cases:
        g = got[c["name"]]
        assert g["crypto"] == {"error": "EnvelopeError", "reason": c["expect"], "kind": None}, c["name"]
        if c["keyslot_size"] is not None:
            # the error path of a damaged keyslot: the EnvelopeError itself (unlock: 'unknown')
            assert g["sealed"] == {"error": "EnvelopeError", "reason": c["expect"], "kind": None}, c["name"]
            assert g["unchecked"] == v["keyslot_message"]
        else:
            assert g["sealed"] == {"error": "LoadError", "reason": None, "kind": "sealed"}, c["name"]


def test_app_refuses_a_keyslot_when_site_json_gives_no_keyslot_size(cpage):
    v = __import__("vectors").load()
    msg = v["keyslot_message"].encode()
    slot = format_v1.seal(bytes.fromhex(v["kek"]), msg, v["keyslot_ad"].encode(), 4096)
    got = js(cpage, """async (C, r, sid, envHex) => {
        const { tokenId, kek } = await C.deriveTokenKeys(C.fromHex(r), C.fromHex(sid));
        const out = [];
        for (const size of [4096, undefined, '4096', 4095, 0]) {
          try { out.push(new TextDecoder().decode(await C.openKeyslotEnvelope(kek, C.fromHex(envHex), tokenId, size))); }
          catch (e) { out.push(e.reason); }
        }
        return out; }""", v["R"], v["site_id"], slot.hex())
    assert got == [v["keyslot_message"], "keyslot-size", "keyslot-size", "keyslot-size", "keyslot-size"]


HPKE_RUN = """async ([_, args]) => {
  const H = await import('./hpke.js'), R = await import('./receiver.js'), C = await import('./crypto.js');
  return await (%s)(H, R, C, ...args); }"""


def hpke(page, body: str, *args):
    return page.evaluate(HPKE_RUN % body, [None, list(args)])


def test_hpke_seal_matches_the_rfc9180_vector_of_this_suite(cpage):
    """RFC 9180 test vectors, mode 0, DHKEM(X25519)/HKDF-SHA256/AES-256-GCM: encryption 0."""
    out = hpke(cpage, """async (H, R, C, skE, pkR, info, aad, pt) => {
        const {enc, ct} = await H.sealBase(C.fromHex(pkR), C.fromHex(info), C.fromHex(aad), C.fromHex(pt),
                                           {ephemeralSecret: C.fromHex(skE)});
        return [C.hex(enc), C.hex(ct)]; }""",
               "179d4b53b6365c45b600c4163b61d95cbc2f4d9e36f1695558dce265ab8bab11",
               "430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c",
               "4f6465206f6e2061204772656369616e2055726e", "436f756e742d30",
               "4265617574792069732074727574682c20747275746820626561757479")
    assert out == ["6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256",
                   "e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a"]


def format_block(title: str) -> dict:
    text = open(os.path.join(REPO, "docs", "FORMAT.md"), encoding="utf-8").read()
    block = text[text.index(title):]
    block = block[block.index("```text") + 7:]
    block = block[:block.index("```")]
    return dict(line.split(" = ", 1) for line in block.strip().splitlines())


def test_booking_seal_and_request_signature_match_format_md(cpage):
    """The browser's padded booking payload, HPKE seal, body and Ed25519 request signature give
    exactly the bytes of docs/FORMAT.md "Receiver test vectors" (which Swift and Python also make)."""
    v, base = format_block("### Receiver test vectors"), format_block("## Test vectors")
    out = hpke(cpage, """async (H, R, C, seed, tokenId, pkR, skE) => {
        const pt = R.padPayload({child: 'Sanne', note: ''});
        const aad = R.payloadAAD(tokenId, 'booking', ['groups/groep-5/conferences/oudergesprekken-februari', '2027-02-09T18:30']);
        const {enc, ct} = await H.sealBase(C.fromHex(pkR), 'ouderportaal/1 booking', aad, pt,
                                           {ephemeralSecret: C.fromHex(skE)});
        const body = JSON.stringify({schedule: 'groups/groep-5/conferences/oudergesprekken-februari',
          slot: '2027-02-09T18:30', sealed: {enc: R.b64(enc), ct: R.b64(ct)}});
        const bytes = new TextEncoder().encode(body);
        const key = await R.importSigningKey(C.fromHex(seed));
        const headers = await R.signedHeaders(key, tokenId, 'POST', '/api/v1/bookings', bytes,
          {timestamp: 1801483200, nonce: 'AAECAwQFBgcICQoLDA0ODw'});
        const sha = C.hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
        return {len: pt.length, aad: C.hex(new TextEncoder().encode(aad)), enc: C.hex(enc), ct: C.hex(ct), sha, sig: C.hex(C.fromB64(headers['X-Portal-Signature'])),
                headers};
      }""", base["signing_seed"], base["token_id"], v["inbox_public_key"], v["ephemeral_secret_key"])
    assert out["len"] == int(v["booking_plaintext_length"])
    assert out["aad"] == v["booking_aad"]
    assert out["enc"] == v["booking_enc"]
    assert out["ct"] == v["booking_ct"]
    assert out["sha"] == v["request_body_sha256"]
    assert out["sig"] == v["request_signature"]
    assert out["headers"]["X-Portal-Token"] == base["token_id"]
    assert out["headers"]["X-Portal-Timestamp"] == "1801483200"
    assert out["headers"]["X-Portal-Nonce"] == "AAECAwQFBgcICQoLDA0ODw"


def test_a_browser_sealed_absence_opens_with_python_hpke(cpage):
    """Independent check with fresh ephemeral keys: the RFC 9180 opener in format_v1-style Python
    (cryptography) opens what the browser sealed to a key only Python knows."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    sk = X25519PrivateKey.generate()
    pk = base64.b64encode(sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
    out = hpke(cpage, """async (H, R, C, pk) => {
        const site = {inbox_public_key: pk};
        const rec = {token_id: 'aa'.repeat(16), inbox: {'groep-5': pk}};
        return await R.sealPayload(site, rec, 'groep-5', 'absence', {child: 'Noor', reason: 'ziek', note: 'Koorts 🌡'},
                                   ['groep-5', '2027-02-01', '2027-02-03']); }""", pk)
    aad = "\n".join(["aa" * 16, "absence", "groep-5", "2027-02-01", "2027-02-03"]).encode()
    pt = hpke_open(sk, base64.b64decode(out["enc"]), base64.b64decode(out["ct"]), b"ouderportaal/1 absence", aad)
    with pytest.raises(Exception):  # bound: the same ciphertext does not open with other dates
        hpke_open(sk, base64.b64decode(out["enc"]), base64.b64decode(out["ct"]), b"ouderportaal/1 absence",
                  aad.replace(b"2027-02-03", b"2027-02-09"))
    assert len(pt) % 128 == 0
    assert json.loads(pt.decode("utf-8")) == {"child": "Noor", "reason": "ziek", "note": "Koorts 🌡"}


def hpke_open(sk, enc: bytes, ct: bytes, info: bytes, aad: bytes) -> bytes:
    """RFC 9180 OpenBase for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, written from the RFC."""
    import hashlib
    import hmac
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives import serialization

    def extract(salt, ikm):
        return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()

    def expand(prk, info_, n):
        out, t, i = b"", b"", 1
        while len(out) < n:
            t = hmac.new(prk, t + info_ + bytes([i]), hashlib.sha256).digest()
            out, i = out + t, i + 1
        return out[:n]

    kem = b"KEM" + (0x20).to_bytes(2, "big")
    suite = b"HPKE" + (0x20).to_bytes(2, "big") + (1).to_bytes(2, "big") + (2).to_bytes(2, "big")
    lx = lambda s, salt, label, ikm: extract(salt, b"HPKE-v1" + s + label + ikm)  # noqa: E731
    le = lambda s, prk, label, i, n: expand(prk, n.to_bytes(2, "big") + b"HPKE-v1" + s + label + i, n)  # noqa: E731
    dh = sk.exchange(X25519PublicKey.from_public_bytes(enc))
    pkr = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = le(kem, lx(kem, b"", b"eae_prk", dh), b"shared_secret", enc + pkr, 32)
    ctx = b"\x00" + lx(suite, b"", b"psk_id_hash", b"") + lx(suite, b"", b"info_hash", info)
    secret = lx(suite, shared, b"secret", b"")
    key, nonce = le(suite, secret, b"key", ctx, 32), le(suite, secret, b"base_nonce", ctx, 12)
    return AESGCM(key).decrypt(nonce, ct, aad)
