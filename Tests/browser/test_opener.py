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
