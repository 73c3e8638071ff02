"""The app's crypto.js, run inside Chromium, agrees with RFC 5869, the Python opener and FORMAT.md."""
import base64
import hashlib
import json
import os
import re

import format_v1
import format_v2
import opener
import pytest
from conftest import REPO

RUN = """async ([fn, args]) => { const C = await import(new URL('crypto.js', document.querySelector('script[type=module]').src).href); return await (%s)(C, ...args); }"""


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


SEALED_RUN = """async ([_, args]) => {
  const C = await import(new URL('crypto.js', document.querySelector('script[type=module]').src).href), S = await import(new URL('sealed.js', document.querySelector('script[type=module]').src).href);
  return await (%s)(C, S, ...args); }"""


def sealed_js(page, body: str, *args):
    return page.evaluate(SEALED_RUN % body, [None, list(args)])


def test_js_opens_a_real_keyslot_its_indexes_and_pages(site, cpage):
    """sealed.js, as the app uses it, opens the real keyslot, every signed index and every page,
    and gets what the Python opener got."""
    name = "family"
    opened = site.opened[name]
    got = sealed_js(cpage, """async (C, S, tok, site) => {
        const p = await C.parseToken(tok);
        const { tokenId, kek } = await C.deriveTokenKeys(p.r, C.fromHex(site.site_id));
        const files = S.sealedFiles(() => {}, () => site);
        const rec = await files.openKeyslot(tokenId, kek, 'now');
        const out = { tokenId, kekExtractable: kek.extractable, publisher: rec.publisher, audiences: {} };
        for (const a of rec.audiences) {
          const index = await files.openIndex(a, rec.publisher);
          const aud = { id: a.id, epoch: a.epoch, key: a.key };
          const pages = {};
          for (const entry of index.pages) pages[entry.id] = await files.openPage(aud, entry);
          out.audiences[a.id] = { index, pages, keyExtractable: a.key.extractable };
        }
        const env = new Uint8Array(await (await fetch('k/' + tokenId)).arrayBuffer());
        let wrongAD = 'opened';
        try { await C.openEnvelope(kek, env, C.keyslotAD(tokenId.replace(/.$/, '0'))); } catch (e) { wrongAD = e.constructor.name; }
        out.wrongAD = wrongAD;
        localStorage.clear();
        return out; }""", site.tokens[name], opened.site)
    assert got["tokenId"] == site.token_ids[name] == opened.token_id
    assert got["kekExtractable"] is False
    assert got["publisher"] == opened.keyslot["publisher"]
    assert set(got["audiences"]) == site.expected[name]
    for aid, a in got["audiences"].items():
        assert a["keyExtractable"] is False
        assert a["index"] == opened.audiences[aid].index
        assert a["pages"] == {pid: {"items": p["items"], "media": p.get("media", {})}
                              for pid, p in opened.audiences[aid].pages.items()}
    assert got["wrongAD"] == "EnvelopeError" or site.token_ids[name].endswith("0")


def test_unpad_rules(cpage):
    cases = {"": "error", "80": "", "414280": "4142", "41428000": "4142", "4142": "error", "41800080": "418000", "0000": "error"}
    for padded, want in cases.items():
        got = js(cpage, "async (C, h) => { try { return C.hex(C.unpad(C.fromHex(h))); } catch (e) { return 'error'; } }", padded)
        assert got == want, padded


def test_js_opens_envelopes_sealed_by_the_python_sealer(cpage):
    key = bytes(range(32))
    for m in [b"", b"x", b"hallo" * 100]:
        env = format_v2.seal_padded(key, m, b"ouderportaal/2 blob")
        got = js(cpage, """async (C, k, e) => { const key = await C.importAudienceKey(C.fromB64(k));
            return C.hex(await C.openPadded(key, C.fromB64(e), C.BLOB_AD)); }""",
                 base64.b64encode(key).decode(), base64.b64encode(env).decode())
        assert got == m.hex()
    env = bytearray(format_v2.seal_padded(key, b"hallo", b"ouderportaal/2 blob"))
    env[-1] ^= 1
    got = js(cpage, """async (C, k, e) => { const key = await C.importAudienceKey(C.fromB64(k));
        try { await C.openPadded(key, C.fromB64(e), C.BLOB_AD); return 'opened'; }
        catch (err) { return err.constructor.name; } }""", base64.b64encode(key).decode(), base64.b64encode(bytes(env)).decode())
    assert got == "EnvelopeError"


def test_js_against_format_md_test_vectors(cpage):
    import vectors
    v = vectors.load()
    # The section exists; losing it (or its ```text block) must fail here, not skip quietly.
    assert v, f"{vectors.format_md_path()} has no '## Test vectors' section with a ```text block of 'name = value' lines"
    vectors.check_vectors_in_browser(cpage, js, v)


FAILING_RUN = """async ([_, args]) => {
  const C = await import(new URL('crypto.js', document.querySelector('script[type=module]').src).href), S = await import(new URL('sealed.js', document.querySelector('script[type=module]').src).href);
  return await (%s)(C, S, ...args); }"""


def test_app_refuses_every_failing_vector_of_format_md(cpage):
    """FORMAT.md "Failing vectors" through the app's own functions: crypto.js openEnvelope (blobs) and
    openKeyslotEnvelope (keyslots) refuse each case with its reason and return nothing; sealed.js,
    which the app opens keyslots with, refuses the keyslot too (fetch answered with the envelope).
    (These envelopes carry format 1's blob AD: sealed.js opens only format 2's b/ files, whose own
    refusals are the "Format 2 failing vectors" below.)"""
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
              if (c.ad !== 'ouderportaal/1 keyslot ' + tokenId || c.key !== 'kek') { out[c.name] = { setup: 'not the vector keyslot' }; continue; }
              const files = S.sealedFiles(() => {}, () => ({ keyslot_size: c.keyslot_size }));
              out[c.name] = {
                crypto: await refusal(() => C.openKeyslotEnvelope(kek, env, tokenId, c.keyslot_size)),
                sealed: await refusal(() => files.openKeyslot(tokenId, kek, 'now')),
                // authenticates without the size check: only the size stops it
                unchecked: new TextDecoder().decode(await C.openEnvelope(kek, env, c.ad)),
              };
            } else {
              const key = await C.importAudienceKey(C.fromHex(keys[c.key]));
              out[c.name] = { crypto: await refusal(() => C.openEnvelope(key, env, c.ad)) };
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


def test_app_refuses_a_keyslot_when_site_json_gives_no_keyslot_size(cpage):
    v = __import__("vectors").load()
    msg = v["keyslot_message"].encode()
    slot = format_v1.seal(bytes.fromhex(v["kek"]), msg, opener.keyslot_ad_v2(v["token_id"]), 4096)
    got = js(cpage, """async (C, r, sid, envHex) => {
        const { tokenId, kek } = await C.deriveTokenKeys(C.fromHex(r), C.fromHex(sid));
        const out = [];
        for (const size of [4096, undefined, '4096', 4095, 0]) {
          try { out.push(new TextDecoder().decode(await C.openKeyslotEnvelope(kek, C.fromHex(envHex), tokenId, size))); }
          catch (e) { out.push(e.reason); }
        }
        return out; }""", v["R"], v["site_id"], slot.hex())
    assert got == [v["keyslot_message"], "keyslot-size", "keyslot-size", "keyslot-size", "keyslot-size"]


def test_js_against_format_2_vectors(cpage):
    """FORMAT.md "Format 2 vectors" through sealed.js and crypto.js as the app opens them: the item
    blob (name check, item key, blob AD), the page, the signed index under the publisher key, the
    labels, and the format 2 keyslot rebuilt from its nonce."""
    import vectors
    v, v2 = vectors.load(), vectors.load_v2()
    assert v and v2, f"{vectors.format_md_path()} has no '### Format 2 vectors' ```text block"
    site = {"site_id": v["site_id"], "keyslot_size": 4096}
    got = sealed_js(cpage, r"""async (C, S, v, v2, site) => {
        const files = S.sealedFiles(() => {}, () => site);
        const serve = (bytes) => { window.fetch = async () => new Response(bytes.slice()); };
        const realFetch = window.fetch;
        const out = {};
        try {
          // the publisher's public key from its seed (PKCS#8, as FORMAT.md and PLATFORM.md say)
          const priv = await crypto.subtle.importKey('pkcs8', C.fromHex('302e020100300506032b657004220420' + v2.publisher_seed),
            { name: 'Ed25519' }, true, ['sign']);
          const jwk = await crypto.subtle.exportKey('jwk', priv);
          out.publisher = C.hex(C.fromB64(jwk.x.replace(/-/g, '+').replace(/_/g, '/') + '='));
          const school = await C.importAudienceKey(C.fromHex(v.k_school_1));
          const aud = { id: 'school', epoch: 1, key: school };
          serve(C.fromHex(v2.item_envelope));
          const item = await files.openItem(aud, { blob: 'b/' + v2.item_name, key: btoa(String.fromCharCode(...C.fromHex(v2.item_key))) });
          out.item = C.hex(new TextEncoder().encode(item));
          serve(C.fromHex(v2.page_envelope));
          out.page = await files.openPage(aud, { id: '2026-11', blob: 'b/' + v2.page_name, count: 1 });
          localStorage.removeItem(S.SEQ);
          serve(C.fromHex(v2.index_envelope));
          const pub = btoa(String.fromCharCode(...C.fromHex(v2.publisher_public_key)));
          out.index = await files.openIndex({ id: 'school', epoch: 1, key: school, index: 'i/' + v2.index_name }, pub);
          out.stored = JSON.parse(localStorage.getItem(S.SEQ));
          localStorage.removeItem(S.SEQ);
          const doc = await C.openPadded(school, C.fromHex(v2.index_envelope), C.indexAD('school', 1));
          out.signature = C.hex(doc.subarray(4, 68));
          out.body = new TextDecoder().decode(await C.verifySigned(C.fromHex(v2.publisher_public_key), doc, 'index'));
          out.ads = [C.indexAD('school', 1), C.pageAD('school', 1, '2026-11'), C.BLOB_AD, C.keyslotAD(v.token_id)];
        } finally { window.fetch = realFetch; }
        return out; }""", v, v2, site)
    assert got["publisher"] == v2["publisher_public_key"]
    assert got["item"] == v["blob_message"]
    assert hashlib.sha256(bytes.fromhex(got["item"])).hexdigest() == v2["item_sha256"]
    page = json.loads(v2["page_message"])
    assert got["page"] == {"items": page["items"], "media": page["media"]}
    assert got["index"] == json.loads(v2["index_body"])
    assert got["stored"] == {v["site_id"] + " school": json.loads(v2["index_body"])["sequence"]}
    assert got["signature"] == v2["index_signature"] and got["body"] == v2["index_body"]
    assert got["ads"] == [v2["index_ad"], v2["page_ad"], "ouderportaal/2 blob", v2["keyslot2_ad"]]
    # the format 2 keyslot: rebuilt from its nonce, checked by SHA-256, opened by openKeyslotEnvelope
    msg = b'{"token_id":"%s","v":2}' % v["token_id"].encode()
    padded = msg + b"\x80" + b"\x00" * (4096 - len(msg) - 1)
    length, sha, env = vectors.rebuild_keyslot(cpage, js, v["kek"], v2["keyslot2_nonce"], padded.hex(), v2["keyslot2_ad"])
    assert (length, sha) == (4128, v2["keyslot2_sha256"])
    opened = js(cpage, """async (C, r, sid, envHex) => {
        const { tokenId, kek } = await C.deriveTokenKeys(C.fromHex(r), C.fromHex(sid));
        return new TextDecoder().decode(await C.openKeyslotEnvelope(kek, C.fromHex(envHex), tokenId, 4096)); }""",
                v["R"], v["site_id"], env)
    assert opened == msg.decode()


def test_app_refuses_every_format_2_failing_vector(cpage):
    """FORMAT.md "Format 2 failing vectors" through sealed.js (fetch answered with the vector's bytes):
    each is refused as a LoadError of kind 'sealed' with the vector's reason (the keyslot: the
    EnvelopeError of a damaged keyslot, as on unlock), and nothing is returned or remembered."""
    import vectors
    v, cases = vectors.load(), vectors.load_failing_v2()
    assert v and cases, f"{vectors.format_md_path()} has no '### Format 2 failing vectors' ```text block"
    assert {c["expect"] for c in cases} == vectors.REASONS_V2
    got = sealed_js(cpage, r"""async (C, S, cases, v) => {
        const site = { site_id: v.site_id, keyslot_size: 4096 };
        const { tokenId, kek } = await C.deriveTokenKeys(C.fromHex(v.R), C.fromHex(v.site_id));
        const b64 = (hex) => btoa(String.fromCharCode(...C.fromHex(hex)));
        const realFetch = window.fetch;
        const out = {};
        try {
          for (const c of cases) {
            const env = C.fromHex(c.envelope);
            window.fetch = async () => new Response(env.slice());
            const files = S.sealedFiles(() => {}, () => (c.keyslot_size ? { ...site, keyslot_size: c.keyslot_size } : site));
            localStorage.removeItem(S.SEQ);
            if (c.seen) localStorage.setItem(S.SEQ, JSON.stringify({ [v.site_id + ' ' + c.audience]: c.seen }));
            const before = localStorage.getItem(S.SEQ);
            let run;
            if (c.audience) {
              const key = await C.importAudienceKey(C.fromHex(v[c.key]));
              run = () => files.openIndex({ id: c.audience, epoch: c.epoch, key, index: 'i/' + '0'.repeat(32) }, b64(c.publisher));
            } else if (c.name) {
              run = () => files.openItem({ id: 'school', epoch: 1 }, { blob: 'b/' + c.name, key: b64(c.key) });
            } else {
              run = () => files.openKeyslot(tokenId, kek, 'now');
            }
            try { const r = await run(); out[c.case] = { opened: JSON.stringify(r) }; }
            catch (e) { out[c.case] = { error: e.constructor.name, kind: e.kind ?? null, reason: e.reason ?? null }; }
            out[c.case].remembered = localStorage.getItem(S.SEQ) !== before;
          }
        } finally { window.fetch = realFetch; localStorage.removeItem(S.SEQ); }
        return out; }""", cases, v)
    assert set(got) == {c["case"] for c in cases}
    for c in cases:
        g = got[c["case"]]
        if c["expect"] == "keyslot-size":
            assert g == {"error": "EnvelopeError", "kind": None, "reason": "keyslot-size", "remembered": False}, c["case"]
        else:
            assert g == {"error": "LoadError", "kind": "sealed", "reason": c["expect"], "remembered": False}, c["case"]


HPKE_RUN = """async ([_, args]) => {
  const H = await import(new URL('hpke.js', document.querySelector('script[type=module]').src).href), R = {...await import(new URL('receiver.js', document.querySelector('script[type=module]').src).href), ...await import(new URL('staff/inbox.js', document.querySelector('script[type=module]').src).href)}, C = await import(new URL('crypto.js', document.querySelector('script[type=module]').src).href);
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


def test_group_inbox_vectors_seal_and_open_in_the_browser(cpage):
    """FORMAT.md "Group inbox key vectors" in WebCrypto: the app seals the vector's absence to
    groep-5's epoch-2 key with the fixed ephemeral key and gets the document's bytes and kid;
    a teacher's app (openPayload with the keyslot's secret, imported non-extractable) opens
    `absence_sealed`; last week's secret of the same group, another group's secret and another
    group's aad all fail."""
    v, base = format_block("### Group inbox key vectors"), format_block("### Receiver test vectors")
    token_id = "2915c086a6bf290dd68024bc86f2de44"
    out = hpke(cpage, """async (H, R, C, v, tokenId, skE) => {
        const pk = C.fromHex(v['inbox_groep-5_2_public_key']);
        const pt = R.padPayload(JSON.parse(v.absence_plaintext));
        const aad = R.payloadAAD(tokenId, 'absence', ['groep-5', '2027-02-01', '2027-02-01']);
        const {enc, ct} = await H.sealBase(pk, 'ouderportaal/1 absence', aad, pt, {ephemeralSecret: C.fromHex(skE)});
        const staffWith = async (group, epoch, kid) => ({ keys: { [kid]: {
          pk: R.b64(C.fromHex(v[`inbox_${group}_${epoch}_public_key`])),
          sk: await H.importInboxSecret(C.fromHex(v[`inbox_${group}_${epoch}_secret_key`])) } } });
        const row = { token_id: tokenId, sealed: JSON.parse(v.absence_sealed) };
        const kid = row.sealed.kid;
        const attempt = async (staff, fields) => {
          try { return await R.openPayload(staff, 'absence', row, fields); } catch (e) { return 'refused'; } };
        const fields = ['groep-5', '2027-02-01', '2027-02-01'];
        return {
          aad: C.hex(new TextEncoder().encode(aad)), enc: C.hex(enc), ct: C.hex(ct),
          opened: await attempt(await staffWith('groep-5', 2, kid), fields),
          lastWeek: await attempt(await staffWith('groep-5', 1, kid), fields),
          otherGroup: await attempt(await staffWith('groep-3', 2, kid), fields),
          relabelled: await attempt(await staffWith('groep-5', 2, kid), ['groep-3', '2027-02-01', '2027-02-01']),
          noKey: await attempt({ keys: {} }, fields),
        }; }""", v, token_id, base["ephemeral_secret_key"])
    assert (out["aad"], out["enc"], out["ct"]) == (v["absence_aad"], v["absence_enc"], v["absence_ct"])
    assert out["opened"] == json.loads(v["absence_plaintext"])
    assert out["lastWeek"] == out["otherGroup"] == out["relabelled"] == "refused"
    assert out["noKey"] is None, "a kid the keyslot lacks is not tried with another key"
    assert json.loads(v["absence_sealed"])["kid"] == v["inbox_groep-5_2_kid"]


def test_form_answer_vectors_in_the_browser(cpage):
    """FORMAT.md "Form answer vectors" in WebCrypto, with the app's own forms/answer.js: the aad, the
    HPKE seal to groep-5's epoch-2 key (fixed ephemeral key) and the typed child's id give the
    document's bytes; the app opens `answer_copy` under the family key, and refuses it under
    another child's aad, another form or another family's key."""
    v, base = format_block("### Form answer vectors"), format_block("### Group inbox key vectors")
    token_id = "2915c086a6bf290dd68024bc86f2de44"
    out = hpke(cpage, """async (H, R, C, v, g, tokenId, skE) => {
        const F = await import(new URL('forms/answer.js', document.querySelector('script[type=module]').src).href);
        const key = async (hex) => ({
          aes: await crypto.subtle.importKey('raw', C.fromHex(hex), {name: 'AES-GCM'}, false, ['decrypt']),
          hmac: await crypto.subtle.importKey('raw', C.fromHex(hex), {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']) });
        const rec = { familyKey: await key(v.family_key) };
        const other = { familyKey: await key('00'.repeat(32)) };
        const child = 'c1'.repeat(16);
        const aad = F.answerAAD(tokenId, v.form_id, child, []);
        const pt = R.padPayload(JSON.parse(v.answer_plaintext));
        const {enc, ct} = await H.sealBase(C.fromHex(g['inbox_groep-5_2_public_key']), 'ouderportaal/2 answer', aad, pt,
                                           {ephemeralSecret: C.fromHex(skE)});
        const row = { token_id: tokenId, child, shifts: [], copy: JSON.parse(v.answer_copy) };
        const attempt = async (r, form, rw) => { try { return await F.openCopy(r, form, rw); } catch (e) { return 'refused'; } };
        return {
          aad: C.hex(new TextEncoder().encode(aad)), enc: C.hex(enc), ct: C.hex(ct),
          typed: await F.typedChild(rec, '  Sam '),
          opened: await attempt(rec, v.form_id, row),
          otherChild: await attempt(rec, v.form_id, {...row, child: 'c2'.repeat(16)}),
          otherForm: await attempt(rec, 'ff'.repeat(16), row),
          shiftAdded: await attempt(rec, v.form_id, {...row, shifts: ['33520a4ac60cf27e']}),
          otherFamily: await attempt(other, v.form_id, row),
        }; }""", v, base, token_id, "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f")
    assert (out["aad"], out["enc"], out["ct"]) == (v["answer_aad"], v["answer_enc"], v["answer_ct"])
    assert out["typed"] == v["typed_child"]
    assert out["opened"] == json.loads(v["answer_plaintext"])
    assert out["otherChild"] == out["otherForm"] == out["shiftAdded"] == out["otherFamily"] == "refused"


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


def test_the_app_shell_vector_in_the_browser(cpage):
    """FORMAT.md "App shell vector" with the app's own verifySigned: the list verifies as kind
    `shell` (what the worker checks) and is refused as kind `index`."""
    import vectors
    v, v2 = vectors.load_shell(), vectors.load_v2()
    got = js(cpage, """async (C, pub, sig, body) => {
        const doc = new Uint8Array([...new TextEncoder().encode('OPS2'), ...C.fromHex(sig), ...new TextEncoder().encode(body)]);
        const ok = new TextDecoder().decode(await C.verifySigned(C.fromHex(pub), doc, 'shell'));
        const asIndex = await C.verifySigned(C.fromHex(pub), doc, 'index').then(() => 'passed', (e) => e.reason);
        return { ok, asIndex }; }""", v2["publisher_public_key"], v["shell_signature"], v["shell_body"])
    assert got == {"ok": v["shell_body"], "asIndex": "signature"}


def test_the_staff_upload_vectors_in_the_browser(cpage):
    """FORMAT.md "Staff upload vectors" with the app's own sealing (staff/upload.js over
    WebCrypto): the same enc, the same two chunks, sealed one at a time as the app sends them."""
    v, r = format_block("### Staff upload vectors"), format_block("### Receiver test vectors")
    out = cpage.evaluate("""async ([v, skE, school]) => {
      const base = document.querySelector('script[type=module]').src;
      const U = await import(new URL('staff/upload.js', base).href), C = await import(new URL('crypto.js', base).href);
      const pt = Uint8Array.from({ length: 65546 }, (_, i) => i % 251);
      const sealed = await U.sealUpload(C.fromHex(school), '2915c086a6bf290dd68024bc86f2de44', 'groep-5', v.upload_part_id, pt,
                                        { ephemeralSecret: C.fromHex(skE) });
      const sha = async (b) => C.hex(new Uint8Array(await crypto.subtle.digest('SHA-256', b)));
      const c0 = await sealed.chunk(0), c1 = await sealed.chunk(1);
      let empty;
      try { await U.sealUpload(C.fromHex(school), 'aa', 'groep-5', v.upload_part_id, new Uint8Array(0)); } catch (e) { empty = e.name; }
      return { enc: C.hex(sealed.enc), count: sealed.count, c0: await sha(c0), c0len: c0.length, c1: C.hex(c1), plain: await sha(pt), empty };
    }""", [v, r["ephemeral_secret_key"], r["inbox_public_key"]])
    assert out["plain"] == v["upload_plaintext_sha256"]
    assert out["enc"] == v["upload_enc"]
    assert out["count"] == int(v["upload_chunks"])
    assert (out["c0"], out["c0len"]) == (v["upload_chunk_0_sha256"], 65552)
    assert out["c1"] == v["upload_chunk_1"]
    assert out["empty"] == "RangeError"
