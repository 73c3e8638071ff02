"""The independent Python opener opens a whole generated site, and only what each token may see."""
import os

import opener
import pytest


@pytest.mark.parametrize("name", ["groep-3", "groep-5", "family"])
def test_opener_opens_everything_and_only_the_tokens_audiences(site, name):
    opened = opener.open_site(site.out, site.tokens[name], open_blobs=True)
    assert set(opened.audiences) == site.expected[name]
    assert opened.keyslot["token_id"] == site.token_ids[name]
    for aud in opened.audiences.values():
        man = aud.manifest
        assert man["v"] == 1 and man["audience"] == aud.id
        for item in man["items"]:
            assert item["path"] in aud.blobs, item["path"]
            html = aud.blobs[item["path"]].decode("utf-8")
            assert "<script" not in html.lower()
        for mpath in man.get("media", {}):
            assert aud.blobs[mpath], mpath
    assert sum(len(a.manifest["items"]) for a in opened.audiences.values()) > 0


def test_every_keyslot_has_the_same_size(site):
    sizes = {os.path.getsize(os.path.join(site.out, "k", f)) for f in os.listdir(os.path.join(site.out, "k"))}
    assert sizes == {4 + 12 + 4096 + 16}


def test_a_keyslot_does_not_open_with_another_tokens_key(site):
    r = opener.parse_token(site.tokens["groep-5"])
    site_id = bytes.fromhex(site.opened["groep-5"].site["site_id"])
    _, kek5 = opener.derive(r, site_id)
    tid3 = site.token_ids["groep-3"]
    env = open(os.path.join(site.out, "k", tid3), "rb").read()
    with pytest.raises(opener.FormatError):
        opener.open_envelope(kek5, env, opener.keyslot_ad(tid3))


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
    import json
    tid = site_copy.token_ids["groep-5"]
    r = opener.parse_token(site_copy.tokens["groep-5"])
    real = site_copy.opened["groep-5"]
    _, kek = opener.derive(r, bytes.fromhex(real.site["site_id"]))
    env = format_v1.seal(kek, json.dumps(real.keyslot).encode(), opener.keyslot_ad(tid), real.site["keyslot_size"] * 2)
    open(os.path.join(site_copy.out, "k", tid), "wb").write(env)
    with pytest.raises(opener.FormatError) as refused:
        opener.open_site(site_copy.out, site_copy.tokens["groep-5"])
    assert refused.value.reason == "keyslot-size"
