"""The independent Python opener opens a whole generated site, and only what each token may see;
it reproduces the vectors of docs/FORMAT.md and refuses every failing vector with its reason."""
import base64
import hashlib
import json
import os
import re

import opener
import pytest


@pytest.mark.parametrize("name", ["groep-3", "groep-5", "family"])
def test_opener_opens_everything_and_only_the_tokens_audiences(site, name):
    opened = opener.open_site(site.out, site.tokens[name], open_blobs=True)
    assert set(opened.audiences) == site.expected[name]
    assert opened.keyslot["token_id"] == site.token_ids[name]
    assert opened.site["format"] == 2 and opened.keyslot["v"] == 2
    for aud in opened.audiences.values():
        index, man = aud.index, aud.manifest
        assert index["v"] == 2 and index["kind"] == "index" and index["audience"] == aud.id == man["audience"]
        assert index["epoch"] == aud.epoch and index["site_id"] == opened.site["site_id"]
        assert man["pages"] == [p["id"] for p in index["pages"]] == list(aud.pages)
        assert sum(p["count"] for p in index["pages"]) == len(man["items"])
        for item in man["items"]:
            assert item["blob"].startswith("b/"), item["path"]
            assert item["path"] in aud.blobs, item["path"]
            html = aud.blobs[item["path"]].decode("utf-8")
            assert "<script" not in html.lower()
        for mpath, m in man["media"].items():
            assert aud.blobs[mpath], mpath
            if m.get("thumb"):
                assert aud.blobs[m["thumb"]["path"]], m["thumb"]["path"]
    assert sum(len(a.manifest["items"]) for a in opened.audiences.values()) > 0


def test_output_holds_format_2_files_only(site):
    """k/, i/ and b/ (no format 1 a/); every b/ file is named after its bytes, and the index of
    every audience of the test tokens is in i/."""
    assert not os.path.exists(os.path.join(site.out, "a"))
    b = os.path.join(site.out, "b")
    for name in os.listdir(b):
        assert opener.blob_name_v2(open(os.path.join(b, name), "rb").read()) == name
    indexes = {a["index"] for o in site.opened.values() for a in o.keyslot["audiences"]}
    assert {"i/" + n for n in os.listdir(os.path.join(site.out, "i"))} >= indexes


def test_every_keyslot_has_the_same_size(site):
    size = site.opened["groep-5"].site["keyslot_size"]
    assert size >= 4096 and size & (size - 1) == 0  # a power of two, at least 4096
    sizes = {os.path.getsize(os.path.join(site.out, "k", f)) for f in os.listdir(os.path.join(site.out, "k"))}
    assert sizes == {4 + 12 + size + 16}


def test_a_keyslot_does_not_open_with_another_tokens_key(site):
    r = opener.parse_token(site.tokens["groep-5"])
    site_id = bytes.fromhex(site.opened["groep-5"].site["site_id"])
    _, kek5 = opener.derive(r, site_id)
    tid3 = site.token_ids["groep-3"]
    env = open(os.path.join(site.out, "k", tid3), "rb").read()
    with pytest.raises(opener.FormatError) as refused:
        opener.open_envelope(kek5, env, opener.keyslot_ad_v2(tid3))
    assert refused.value.reason == "auth"


def test_token_parsing_rules():
    tok, _ = __import__("format_v1").new_token(bytes(range(18)))
    assert opener.parse_token(tok.lower().replace("-", " ")) == bytes(range(18))
    # O/I/L are read as 0/1
    assert opener.normalize_token("o-i-l") == "011"
    with pytest.raises(opener.MalformedToken):
        opener.parse_token(tok[:-1])
    bad = tok[:5] + ("A" if tok[5] != "A" else "B") + tok[6:]
    with pytest.raises(opener.TokenTypo):
        opener.parse_token(bad)


def test_python_opener_against_format_md_test_vectors():
    import vectors
    v = vectors.load()
    if v is None:
        pytest.skip("docs/FORMAT.md has no 'Test vectors' section yet")
    r = bytes.fromhex(v["R"])
    assert opener.parse_token(v["token"]) == r == opener.parse_token(v["token_typed"])
    assert opener.format_token(r + __import__("hashlib").sha256(r).digest()[:2]) == v["token"]
    token_id, kek = opener.derive(r, bytes.fromhex(v["site_id"]))
    assert token_id == v["token_id"] and kek.hex() == v["kek"]
    assert opener.open_envelope(bytes.fromhex(v["k_school_1"]), bytes.fromhex(v["blob_envelope"]),
                                v["blob_ad"].encode()).hex() == v["blob_message"]
    assert opener.keyslot_ad(token_id).decode() == v["keyslot_ad"]
    for pair in v["padme"].split():
        n, want = (int(x) for x in pair.split(":"))
        assert opener.padme(max(n + 1, 256)) == want, n
    # the Python sealer (fixtures) agrees too: the keyslot and the blob come out byte for byte
    import format_v1
    slot = format_v1.seal(kek, v["keyslot_message"].encode(), v["keyslot_ad"].encode(), 4096)
    assert slot[4:16].hex() == v["keyslot_nonce"] and __import__("hashlib").sha256(slot).hexdigest() == v["keyslot_sha256"]
    blob = format_v1.seal_blob(bytes.fromhex(v["k_school_1"]), "school", 1, "news/welkom", bytes.fromhex(v["blob_message"]))
    assert blob.hex() == v["blob_envelope"]
    k = format_v1.audience_key(bytes.fromhex(v["master_key"]), "school", 1)
    assert k.hex() == v["k_school_1"]
    assert format_v1.audience_tag(k) == v["k_school_1_audience_tag"]
    assert format_v1.blob_name(k, "manifest") == v["k_school_1_name_manifest"]


def test_python_opener_refuses_every_failing_vector_of_format_md():
    """FORMAT.md "Failing vectors": each case is refused, with its reason, and nothing comes back."""
    import vectors
    v, cases = vectors.load(), vectors.load_failing()
    # A missing section must fail here, not skip.
    assert v and cases, f"{vectors.format_md_path()} has no '### Failing vectors' ```text block"
    assert {c["expect"] for c in cases} == vectors.REASONS
    for c in cases:
        key, env, ad = bytes.fromhex(v[c["key"]]), bytes.fromhex(c["envelope"]), c["ad"].encode()
        with pytest.raises(opener.FormatError) as refused:
            if c["keyslot_size"] is not None:
                assert ad == opener.keyslot_ad(v["token_id"])
                opener.open_keyslot(key, env, v["token_id"], c["keyslot_size"])
            else:
                opener.open_envelope(key, env, ad)
        assert refused.value.reason == c["expect"], c["name"]
    # The wrong-size keyslot is a real keyslot otherwise: it opens without the size check.
    slot = next(c for c in cases if c["expect"] == "keyslot-size")
    assert opener.open_envelope(bytes.fromhex(v["kek"]), bytes.fromhex(slot["envelope"]),
                                slot["ad"].encode()).decode() == v["keyslot_message"]


def test_open_site_refuses_a_keyslot_of_another_size(site_copy):
    """The whole-site opener reads keyslot_size from site.json and refuses any other size."""
    import format_v1
    tid = site_copy.token_ids["groep-5"]
    r = opener.parse_token(site_copy.tokens["groep-5"])
    real = site_copy.opened["groep-5"]
    _, kek = opener.derive(r, bytes.fromhex(real.site["site_id"]))
    env = format_v1.seal(kek, json.dumps(real.keyslot).encode(), opener.keyslot_ad_v2(tid), real.site["keyslot_size"] * 2)
    open(os.path.join(site_copy.out, "k", tid), "wb").write(env)
    with pytest.raises(opener.FormatError) as refused:
        opener.open_site(site_copy.out, site_copy.tokens["groep-5"])
    assert refused.value.reason == "keyslot-size"


# ---- format 2 on the real site: the host cannot swap, replay or re-sign what it serves ----

def _audience(opened, aid):
    return next(a for a in opened.keyslot["audiences"] if a["id"] == aid)


def test_open_site_refuses_an_older_index_than_seen(site):
    opened = site.opened["groep-5"]
    seen = opened.sequences()
    assert opener.open_site(site.out, site.tokens["groep-5"], open_blobs=False, seen=seen).sequences() == seen
    with pytest.raises(opener.FormatError) as refused:
        opener.open_site(site.out, site.tokens["groep-5"], open_blobs=False, seen={"groep-5": seen["groep-5"] + 1})
    assert refused.value.reason == "rollback"


def test_open_site_refuses_a_b_file_with_other_bytes(site_copy):
    """A host that serves another blob's bytes under a page's or an item's name is caught by name."""
    full = opener.open_site(site_copy.out, site_copy.tokens["groep-5"])
    aud = full.audiences["groep-5"]
    page_blob = aud.index["pages"][0]["blob"]
    item_blob = aud.manifest["items"][0]["blob"]
    for victim, other in ((page_blob, item_blob), (item_blob, page_blob)):
        path = os.path.join(site_copy.out, victim)
        original = open(path, "rb").read()
        open(path, "wb").write(open(os.path.join(site_copy.out, other), "rb").read())
        with pytest.raises(opener.FormatError) as refused:
            opener.open_site(site_copy.out, site_copy.tokens["groep-5"])
        assert refused.value.reason == "hash", victim
        open(path, "wb").write(original)


def test_open_site_refuses_an_index_resigned_or_moved_by_a_key_holder(site_copy):
    """Every parent of groep 5 holds K(groep-5, e): one who re-signs its index (with any other key)
    or seals the school's signed index as groep-5's is refused."""
    import format_v1
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    opened = site_copy.opened["groep-5"]
    g5, school = _audience(opened, "groep-5"), _audience(opened, "school")
    key5, key_school = base64.b64decode(g5["key"]), base64.b64decode(school["key"])
    path5 = os.path.join(site_copy.out, g5["index"])
    doc5 = opener.open_envelope(key5, open(path5, "rb").read(), opener.index_ad("groep-5", g5["epoch"]))
    body5 = doc5[68:]
    forged = b"OPS2" + Ed25519PrivateKey.generate().sign(b"ouderportaal/2 signed index\n" + body5) + body5
    doc_school = opener.open_envelope(key_school, open(os.path.join(site_copy.out, school["index"]), "rb").read(),
                                      opener.index_ad("school", school["epoch"]))
    for doc, reason in ((forged, "signature"), (doc_school, "binding")):
        env = format_v1.seal(key5, doc, opener.index_ad("groep-5", g5["epoch"]), opener.padme(max(len(doc) + 1, 256)))
        open(path5, "wb").write(env)
        with pytest.raises(opener.FormatError) as refused:
            opener.open_site(site_copy.out, site_copy.tokens["groep-5"], open_blobs=False)
        assert refused.value.reason == reason


# ---- FORMAT.md "Format 2 vectors" and "Format 2 failing vectors" ----

FAIL2_CASES = ["index-bad-signature", "index-unsigned", "index-wrong-publisher", "index-moved", "index-rollback",
               "blob-hash", "blob-moved", "keyslot-oversized"]
REASONS2 = {"signature", "binding", "rollback", "hash", "keyslot-size"}
_FAIL2 = [
    ("index", re.compile(r"fail2 (?P<name>\S+) = expect=(?P<expect>\S+) key=(?P<key>\S+) audience=(?P<audience>\S+) "
                         r"epoch=(?P<epoch>\d+) publisher=(?P<publisher>[0-9a-f]{64}) seen=(?P<seen>\d+) "
                         r"envelope=(?P<envelope>[0-9a-f]*)")),
    ("blob", re.compile(r"fail2 (?P<name>\S+) = expect=(?P<expect>hash) name=(?P<blob_name>[0-9a-f]{32}) "
                        r"key=(?P<key>[0-9a-f]{64}) envelope=(?P<envelope>[0-9a-f]*)")),
    ("keyslot", re.compile(r"fail2 (?P<name>\S+) = expect=(?P<expect>\S+) key=(?P<key>\S+) "
                           r"keyslot_size=(?P<keyslot_size>\d+) envelope=(?P<envelope>[0-9a-f]*) ad=(?P<ad>.*)")),
]


def _text_block(heading: str) -> str:
    """The ```text block of the FORMAT.md section `### <heading>`; a missing one fails the test."""
    import vectors
    text = open(vectors.format_md_path(), encoding="utf-8").read()
    m = re.search(r"^### " + re.escape(heading) + r"\s*$(.*?)(?=^##|\Z)", text, re.M | re.S)
    assert m, f"{vectors.format_md_path()} has no '### {heading}' section"
    block = re.search(r"```text\n(.*?)```", m.group(1), re.S)
    assert block, f"'### {heading}' has no ```text block"
    return block.group(1)


def load_v2() -> dict:
    out = {}
    for line in _text_block("Format 2 vectors").splitlines():
        k, sep, v = line.partition(" = ")
        assert sep, f"not a vector line: {line[:80]}"
        out[k] = v
    return out


def load_failing_v2() -> list[dict]:
    cases = []
    for line in _text_block("Format 2 failing vectors").splitlines():
        for form, rx in _FAIL2:
            m = rx.fullmatch(line)
            if m:
                cases.append(dict(m.groupdict(), form=form))
                break
        else:
            raise ValueError(f"not a format 2 failing vector: {line[:80]}")
    return cases


def test_python_opener_reproduces_the_format_2_vectors():
    import format_v1
    import vectors
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    v, v2 = vectors.load(), load_v2()
    assert v, "FORMAT.md has no 'Test vectors' block"
    assert list(v2) == ["publisher_seed", "publisher_public_key", "item_sha256", "item_key", "item_envelope",
                        "item_name", "page_message", "page_ad", "page_envelope", "page_name", "index_name",
                        "index_ad", "index_body", "index_signature", "index_envelope", "keyslot2_ad",
                        "keyslot2_nonce", "keyslot2_sha256", "schedule_id"]
    master, school = bytes.fromhex(v["master_key"]), bytes.fromhex(v["k_school_1"])
    # A conference's opaque schedule id, the only name the receiver knows it by.
    assert opener.blake2b(master, b"ouderportaal/2 schedule groups/groep-5/conferences/oudergesprekken-februari", 16).hex() \
        == v2["schedule_id"]
    # The school's keys: the publisher seed and an item key follow from the master key.
    seed = opener.blake2b(master, b"ouderportaal/2 publisher", 32)
    assert seed.hex() == v2["publisher_seed"]
    publisher = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert publisher.hex() == v2["publisher_public_key"]
    message = bytes.fromhex(v["blob_message"])  # item_message = blob_message
    assert hashlib.sha256(message).hexdigest() == v2["item_sha256"]
    item_key = opener.blake2b(master, b"ouderportaal/2 item " + v2["item_sha256"].encode(), 32)
    assert item_key.hex() == v2["item_key"]

    # The item blob, served at b/<item_name>.
    item_env = bytes.fromhex(v2["item_envelope"])
    assert opener.blob_name_v2(item_env) == v2["item_name"]
    assert opener.open_blob_v2(item_key, item_env, v2["item_name"]) == message
    assert format_v1.seal(item_key, message, opener.BLOB_AD_V2, opener.padme(max(len(message) + 1, 256))) == item_env

    # The page lists the item with its key.
    assert opener.page_ad("school", 1, "2026-11").decode() == v2["page_ad"]
    page_env = bytes.fromhex(v2["page_envelope"])
    assert opener.blob_name_v2(page_env) == v2["page_name"]
    page = opener.open_page(school, page_env, name=v2["page_name"], audience="school", epoch=1,
                            page_id="2026-11", count=1)
    assert opener.canonical_json(page).decode() == v2["page_message"]
    item = page["items"][0]
    assert item["blob"] == "b/" + v2["item_name"] and base64.b64decode(item["key"]) == item_key

    # The index: sealed, signed by the publisher, bound to the site, audience and epoch.
    assert opener.index_name(school) == v2["index_name"]
    assert opener.index_ad("school", 1).decode() == v2["index_ad"]
    index_env = bytes.fromhex(v2["index_envelope"])
    index = opener.open_index(school, index_env, site_id=v["site_id"], audience="school", epoch=1,
                              publisher=publisher, seen=None)
    assert opener.canonical_json(index).decode() == v2["index_body"]
    assert index["pages"] == [{"blob": "b/" + v2["page_name"], "count": 1, "id": "2026-11"}]
    doc = opener.open_envelope(school, index_env, opener.index_ad("school", 1))
    assert doc == b"OPS2" + bytes.fromhex(v2["index_signature"]) + v2["index_body"].encode()
    assert opener.verify_signed(doc, "index", publisher) == v2["index_body"].encode()
    with pytest.raises(opener.FormatError) as refused:  # the signature covers the kind
        opener.verify_signed(doc, "release", publisher)
    assert refused.value.reason == "signature"
    Ed25519PrivateKey.from_private_bytes(seed).public_key().verify(
        bytes.fromhex(v2["index_signature"]), b"ouderportaal/2 signed index\n" + v2["index_body"].encode())

    # The format 2 keyslot: rebuilt from its nonce with plain AES-GCM, checked by SHA-256, opened.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    kek, token_id = bytes.fromhex(v["kek"]), v["token_id"]
    assert opener.keyslot_ad_v2(token_id).decode() == v2["keyslot2_ad"]
    slot_message = opener.canonical_json({"token_id": token_id, "v": 2})
    assert slot_message == b'{"token_id":"2915c086a6bf290dd68024bc86f2de44","v":2}'
    nonce = bytes.fromhex(v2["keyslot2_nonce"])
    padded = slot_message + b"\x80" + bytes(4096 - len(slot_message) - 1)
    slot = b"OPB1" + nonce + AESGCM(kek).encrypt(nonce, padded, v2["keyslot2_ad"].encode())
    assert len(slot) == 4128 and hashlib.sha256(slot).hexdigest() == v2["keyslot2_sha256"]
    assert format_v1.seal(kek, slot_message, v2["keyslot2_ad"].encode(), 4096) == slot  # synthetic nonce
    assert opener.open_keyslot_v2(kek, slot, token_id, 4096) == {"token_id": token_id, "v": 2}


def test_python_opener_refuses_every_format_2_failing_vector_of_format_md():
    """FORMAT.md "Format 2 failing vectors": each case is refused with its reason."""
    import vectors
    v, v2, cases = vectors.load(), load_v2(), load_failing_v2()
    assert [c["name"] for c in cases] == FAIL2_CASES
    assert {c["expect"] for c in cases} == REASONS2
    for c in cases:
        env = bytes.fromhex(c["envelope"])
        with pytest.raises(opener.FormatError) as refused:
            if c["form"] == "index":
                opener.open_index(bytes.fromhex(v[c["key"]]), env, site_id=v["site_id"], audience=c["audience"],
                                  epoch=int(c["epoch"]), publisher=bytes.fromhex(c["publisher"]), seen=int(c["seen"]))
            elif c["form"] == "blob":
                opener.open_blob_v2(bytes.fromhex(c["key"]), env, c["blob_name"])
            else:
                assert c["ad"] == v2["keyslot2_ad"]
                opener.open_keyslot_v2(bytes.fromhex(v[c["key"]]), env, v["token_id"], int(c["keyslot_size"]))
        assert refused.value.reason == c["expect"], c["name"]

    # Each case fails that one check only: without it, the same bytes open.
    by = {c["name"]: c for c in cases}
    school, publisher = bytes.fromhex(v["k_school_1"]), bytes.fromhex(v2["publisher_public_key"])
    rollback = by["index-rollback"]
    assert rollback["envelope"] == v2["index_envelope"]
    index = opener.open_index(school, bytes.fromhex(rollback["envelope"]), site_id=v["site_id"], audience="school",
                              epoch=1, publisher=publisher, seen=int(rollback["seen"]) - 1)
    assert int(rollback["seen"]) == index["sequence"] + 1
    bad = opener.open_envelope(school, bytes.fromhex(by["index-bad-signature"]["envelope"]), opener.index_ad("school", 1))
    assert bytes([bad[4] ^ 1]) + bad[5:] == bytes.fromhex(v2["index_signature"]) + v2["index_body"].encode()
    moved_doc = opener.open_envelope(school, bytes.fromhex(by["index-moved"]["envelope"]), opener.index_ad("school", 1))
    moved = json.loads(opener.verify_signed(moved_doc, "index", publisher))
    assert (moved["audience"], moved["epoch"], moved["pages"]) == ("groep-5", 2, [])
    unsigned = opener.open_envelope(school, bytes.fromhex(by["index-unsigned"]["envelope"]), opener.index_ad("school", 1))
    assert unsigned == v2["index_body"].encode()
    assert by["blob-moved"]["envelope"] == v2["page_envelope"]
    assert by["blob-hash"]["blob_name"] == by["blob-moved"]["blob_name"] == v2["item_name"]
    flipped = bytearray(bytes.fromhex(by["blob-hash"]["envelope"]))
    flipped[16] ^= 1
    assert flipped.hex() == v2["item_envelope"]
    slot = by["keyslot-oversized"]
    assert len(slot["envelope"]) // 2 == 4 + 12 + 8192 + 16
    assert opener.open_envelope(bytes.fromhex(v["kek"]), bytes.fromhex(slot["envelope"]), slot["ad"].encode()) \
        == opener.canonical_json({"token_id": v["token_id"], "v": 2})


def test_the_app_shell_vector_in_python():
    """FORMAT.md "App shell vector": the id over the files, the canonical body and the publisher's
    signature, from the page's words; checked as kind `index` it fails."""
    import vectors
    v, v2 = vectors.load_shell(), load_v2()
    files = {"app.js": b"export const x = 1;\n", "index.html": b"<!doctype html>\n"}
    ident = hashlib.sha256(b"".join(f"{p}\n{len(b)}\n".encode() + b for p, b in sorted(files.items()))).hexdigest()[:16]
    assert ident == v["shell_id"]
    listed = {"index.html": hashlib.sha256(files["index.html"]).hexdigest(),
              f"s/{ident}/app.js": hashlib.sha256(files["app.js"]).hexdigest()}
    body = opener.canonical_json({"files": listed, "id": ident, "kind": "shell",
                                  "site_id": "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "v": 2})
    assert body.decode() == v["shell_body"]
    doc = b"OPS2" + bytes.fromhex(v["shell_signature"]) + body
    publisher = bytes.fromhex(v2["publisher_public_key"])
    assert opener.verify_signed(doc, "shell", publisher) == body
    assert v["shell_kind_index"] == "expect=signature"
    try:
        opener.verify_signed(doc, "index", publisher)
        raise AssertionError("a shell list passed as an index")
    except opener.FormatError as e:
        assert e.reason == "signature"
