#!/usr/bin/env python3
"""Recomputes the test vectors of docs/FORMAT.md from the spec alone, with Python's `cryptography`
package and hashlib, independently of the Swift code. Prints seven blocks, each exactly as its
```text block in FORMAT.md, separated by one empty line:
1. "Test vectors": one `name = value` line per vector (the primitives format 2 keeps from format 1);
2. "Failing vectors": one `fail <case> = ...` line per envelope an opener must refuse;
3. "Format 2 vectors": one `name = value` line each (item blob, page, signed index, keyslot v2);
4. "Format 2 failing vectors": one `fail2 <case> = ...` line per document an opener must refuse;
5. "Group inbox key vectors": group inbox keys per epoch, their kid, and an absence sealed to one;
6. "Staff upload vectors": a two-chunk upload sealed to the school's inbox key;
7. "Form answer vectors": form, shift and family ids and keys, and an answer sealed twice.
FormatVectorTests runs it and compares its output with the document and with the Swift code."""
import base64
import hashlib
import hmac
import json
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def hkdf(ikm, salt, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def blake2b(key, msg, n):
    return hashlib.blake2b(msg, key=key, digest_size=n).digest()


def b32(data):
    bits = int.from_bytes(data, "big")
    count = len(data) * 8 // 5
    assert len(data) * 8 % 5 == 0
    return "".join(ALPHABET[(bits >> (5 * (count - 1 - i))) & 31] for i in range(count))


def token_text(r):
    chars = b32(r + hashlib.sha256(r).digest()[:2])
    return "-".join(chars[i:i + 4] for i in range(0, len(chars), 4))


def padme(length):
    e = length.bit_length() - 1
    s = e.bit_length()
    z = e - s
    mask = (1 << z) - 1
    return (length + mask) & ~mask


def derived(k):
    return {
        "nk": blake2b(k, b"ouderportaal/1 nonce", 32),
        "namek": blake2b(k, b"ouderportaal/1 name", 32),
        "tag": blake2b(k, b"ouderportaal/1 audience-tag", 16).hex(),
    }


def seal(k, message, ad, padded_length):
    return seal_padded(k, message + b"\x80" + b"\x00" * (padded_length - len(message) - 1), ad)


def seal_padded(k, p, ad):
    """Seals an already padded plaintext P as is (the failing vectors use it for bad padding)."""
    nonce = blake2b(derived(k)["nk"], struct.pack("<Q", len(ad)) + ad + p, 32)[:12]
    return b"OPB1" + nonce + AESGCM(k).encrypt(nonce, p, ad)


def main():
    out = []

    def put(name, value):
        out.append(f"{name} = {value}")

    r = bytes(range(0x00, 0x12))
    site_id = bytes(range(0xf0, 0x100))
    master = bytes(range(0x20, 0x40))
    put("R", r.hex())
    put("site_id", site_id.hex())
    text = token_text(r)
    put("token", text)
    put("token_typed", text.lower().replace("-", " ").replace("0", "o").replace("1", "l"))
    token_id = hkdf(r, site_id, b"ouderportaal/1 token-id", 16).hex()
    kek = hkdf(r, site_id, b"ouderportaal/1 kek", 32)
    put("token_id", token_id)
    put("kek", kek.hex())
    put("kek_nonce_key", derived(kek)["nk"].hex())
    put("master_key", master.hex())
    seed = blake2b(master, b"ouderportaal/1 signing " + token_id.encode(), 32)
    put("signing_seed", seed.hex())
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    put("signing_public_key", public.hex())

    school = blake2b(master, b"ouderportaal/1 audience school 1", 32)
    d = derived(school)
    put("k_school_1", school.hex())
    put("k_school_1_nonce_key", d["nk"].hex())
    put("k_school_1_name_key", d["namek"].hex())
    put("k_school_1_audience_tag", d["tag"])
    put("k_school_1_name_news_welkom", blake2b(d["namek"], b"news/welkom", 16).hex())
    put("k_school_1_name_manifest", blake2b(d["namek"], b"manifest", 16).hex())
    group = blake2b(master, b"ouderportaal/1 audience groep-5 2", 32)
    put("k_groep-5_2", group.hex())
    put("k_groep-5_2_audience_tag", derived(group)["tag"])

    message = "Welkom bij OBS De Regenboog! Één portaal voor alle ouders.".encode()
    ad = b"ouderportaal/1 blob school 1 news/welkom"
    padded = padme(max(len(message) + 1, 256))
    blob = seal(school, message, ad, padded)
    put("blob_message", message.hex())
    put("blob_ad", ad.decode())
    put("blob_padded_length", padded)
    put("blob_envelope", blob.hex())

    keyslot_message = json.dumps({"v": 1, "token_id": token_id}, separators=(",", ":")).encode()
    keyslot_ad = b"ouderportaal/1 keyslot " + token_id.encode()
    keyslot = seal(kek, keyslot_message, keyslot_ad, 4096)
    put("keyslot_message", keyslot_message.decode())
    put("keyslot_ad", keyslot_ad.decode())
    put("keyslot_length", len(keyslot))
    put("keyslot_nonce", keyslot[4:16].hex())
    put("keyslot_sha256", hashlib.sha256(keyslot).hexdigest())

    put("padme", " ".join(f"{n}:{padme(max(n + 1, 256))}" for n in
                          (0, 255, 256, 300, 511, 1000, 4095, 10000, 100000, 1000000)))
    print("\n".join(out))
    print()
    print("\n".join(failing(school, group, kek, token_id, message, ad, blob)))
    v2_lines, fail2_lines = format2(master, site_id, school, kek, token_id, message)
    print()
    print("\n".join(v2_lines))
    print()
    print("\n".join(fail2_lines))
    print()
    print("\n".join(group_inbox(master, token_id)))
    print()
    print("\n".join(staff_upload(token_id)))
    print()
    print("\n".join(form_answer(master, token_id)))


def failing(school, group, kek, token_id, message, ad, blob):
    """The "Failing vectors" block: envelopes that every opener must refuse, one reason each."""
    out = []

    def fail(case, expect, key_name, env, case_ad, keyslot_size=None):
        size = f" keyslot_size={keyslot_size}" if keyslot_size is not None else ""
        out.append(f"fail {case} = expect={expect} key={key_name}{size} envelope={env.hex()} ad={case_ad.decode()}")

    padded = len(blob) - 4 - 12 - 16
    fail("wrong-ad", "auth", "k_school_1", blob, b"ouderportaal/1 blob school 1 news/anders")
    fail("moved-audience", "auth", "k_groep-5_2", blob, b"ouderportaal/1 blob groep-5 2 news/welkom")
    fail("moved-epoch", "auth", "k_school_1", blob, b"ouderportaal/1 blob school 2 news/welkom")
    fail("padding-no-marker", "padding", "k_school_1",
         seal_padded(school, message + b"\x00" * (padded - len(message)), ad), ad)
    fail("padding-0x81", "padding", "k_school_1",
         seal_padded(school, message + b"\x81" + b"\x00" * (padded - len(message) - 1), ad), ad)
    fail("padding-all-zeros", "padding", "k_school_1", seal_padded(school, bytes(padded), ad), ad)
    fail("truncated-short", "truncated", "k_school_1", blob[:4 + 12 + 16 - 1], ad)
    fail("truncated-tag", "auth", "k_school_1", blob[:-8], ad)
    fail("prefix-opb2", "prefix", "k_school_1", b"OPB2" + blob[4:], ad)
    flipped = bytearray(blob)
    flipped[16] ^= 0x01
    fail("flipped-bit", "auth", "k_school_1", bytes(flipped), ad)
    keyslot_message = json.dumps({"v": 1, "token_id": token_id}, separators=(",", ":")).encode()
    keyslot_ad = b"ouderportaal/1 keyslot " + token_id.encode()
    fail("keyslot-size", "keyslot-size", "kek", seal(kek, keyslot_message, keyslot_ad, 256), keyslot_ad, 4096)
    return out


def canonical(value):
    """Canonical JSON of "Signed documents": sorted keys, no whitespace, UTF-8, `/` unescaped."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data):
    return hashlib.sha256(data).digest()


def seal_padme(k, message, ad):
    """Seals a blob, page or index at its Padmé length."""
    return seal(k, message, ad, padme(max(len(message) + 1, 256)))


def public_key(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signed(seed, kind, body):
    """A signed document: "OPS2" || Ed25519(seed, "ouderportaal/2 signed " || kind || "\n" || body) || body."""
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(b"ouderportaal/2 signed " + kind + b"\n" + body)
    return b"OPS2" + signature + body


def format2(master, site_id, school, kek, token_id, message):
    """The "Format 2 vectors" and "Format 2 failing vectors" blocks (lists of lines)."""
    out = []

    def put(name, value):
        out.append(f"{name} = {value}")

    publisher_seed = blake2b(master, b"ouderportaal/2 publisher", 32)
    publisher = public_key(publisher_seed)
    put("publisher_seed", publisher_seed.hex())
    put("publisher_public_key", publisher.hex())

    # The item blob: its key comes from its content, its AD is the same for every blob.
    item_sha = sha256(message).hex()
    item_key = blake2b(master, b"ouderportaal/2 item " + item_sha.encode(), 32)
    blob_ad2 = b"ouderportaal/2 blob"
    item_env = seal_padme(item_key, message, blob_ad2)
    item_name = sha256(item_env)[:16].hex()
    put("item_sha256", item_sha)
    put("item_key", item_key.hex())
    put("item_envelope", item_env.hex())
    put("item_name", item_name)

    page = {"id": "2026-11", "v": 2, "media": {},
            "items": [{"path": "news/welkom", "kind": "news", "title": "Welkom", "date": "2026-11-20T08:00:00Z",
                       "summary": "Welkom", "weight": 0, "blob": f"b/{item_name}",
                       "key": base64.b64encode(item_key).decode()}]}
    page_message = canonical(page)
    page_ad = b"ouderportaal/2 page school 1 2026-11"
    page_env = seal_padme(school, page_message, page_ad)
    page_name = sha256(page_env)[:16].hex()
    put("page_message", page_message.decode())
    put("page_ad", page_ad.decode())
    put("page_envelope", page_env.hex())
    put("page_name", page_name)

    sequence = 1796083200
    index_name = blake2b(school, b"ouderportaal/2 index", 16).hex()
    index_ad = b"ouderportaal/2 index school 1"
    index_body = canonical({"audience": "school", "epoch": 1, "kind": "index", "sequence": sequence,
                            "site_id": site_id.hex(), "title": "Hele school", "v": 2,
                            "pages": [{"blob": f"b/{page_name}", "count": 1, "id": "2026-11"}]})
    index_plaintext = signed(publisher_seed, b"index", index_body)
    index_env = seal_padme(school, index_plaintext, index_ad)
    put("index_name", index_name)
    put("index_ad", index_ad.decode())
    put("index_body", index_body.decode())
    put("index_signature", index_plaintext[4:68].hex())
    put("index_envelope", index_env.hex())

    keyslot_message = canonical({"token_id": token_id, "v": 2})
    keyslot_ad = b"ouderportaal/2 keyslot " + token_id.encode()
    keyslot = seal(kek, keyslot_message, keyslot_ad, 4096)
    put("keyslot2_ad", keyslot_ad.decode())
    put("keyslot2_nonce", keyslot[4:16].hex())
    put("keyslot2_sha256", sha256(keyslot).hex())
    # The opaque id a conference schedule has at the receiver.
    conference = "groups/groep-5/conferences/oudergesprekken-februari"
    put("schedule_id", blake2b(master, b"ouderportaal/2 schedule " + conference.encode(), 16).hex())

    fails = []

    def fail_index(case, expect, plaintext, seen=0):
        # Every index case is opened as school's index at epoch 1; `seen` 0: nothing accepted before.
        env = seal_padme(school, plaintext, index_ad)
        fails.append(f"fail2 {case} = expect={expect} key=k_school_1 audience=school epoch=1 "
                     f"publisher={publisher.hex()} seen={seen} envelope={env.hex()}")

    def fail_blob(case, name, env):
        fails.append(f"fail2 {case} = expect=hash name={name} key={item_key.hex()} envelope={env.hex()}")

    bad_signature = bytearray(index_plaintext)
    bad_signature[4] ^= 0x01
    fail_index("index-bad-signature", "signature", bytes(bad_signature))
    fail_index("index-unsigned", "signature", index_body)
    fail_index("index-wrong-publisher", "signature", signed(bytes(range(0xa0, 0xc0)), b"index", index_body))
    moved_body = canonical({"audience": "groep-5", "epoch": 2, "kind": "index", "pages": [],
                            "sequence": sequence, "site_id": site_id.hex(), "title": "Groep 5", "v": 2})
    fail_index("index-moved", "binding", signed(publisher_seed, b"index", moved_body))
    fail_index("index-rollback", "rollback", index_plaintext, seen=sequence + 1)
    flipped = bytearray(item_env)
    flipped[16] ^= 0x01
    fail_blob("blob-hash", item_name, bytes(flipped))
    fail_blob("blob-moved", item_name, page_env)
    oversized = seal(kek, keyslot_message, keyslot_ad, 8192)
    fails.append(f"fail2 keyslot-oversized = expect=keyslot-size key=kek keyslot_size=4096 "
                 f"envelope={oversized.hex()} ad={keyslot_ad.decode()}")
    return out, fails


# HPKE (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM), written out here.
RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
KEM_SUITE = b"KEM" + struct.pack(">H", 0x20)
HPKE_SUITE = b"HPKE" + struct.pack(">HHH", 0x20, 1, 2)


def public(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(*RAW)


def lextract(sid, salt, label, ikm):
    return hmac.new(salt or bytes(32), b"HPKE-v1" + sid + label + ikm, "sha256").digest()


def lexpand(sid, prk, label, info, n):
    """LabeledExpand for n <= 32 (one HMAC block)."""
    return hmac.new(prk, struct.pack(">H", n) + b"HPKE-v1" + sid + label + info + b"\x01", "sha256").digest()[:n]


def hpke_context(pk_r, sk_e, info):
    """SetupBaseS: enc, the AEAD key, the base nonce and the exporter secret."""
    enc = public(sk_e)
    dh = X25519PrivateKey.from_private_bytes(sk_e).exchange(X25519PublicKey.from_public_bytes(pk_r))
    shared = lexpand(KEM_SUITE, lextract(KEM_SUITE, b"", b"eae_prk", dh), b"shared_secret", enc + pk_r, 32)
    ctx = b"\x00" + lextract(HPKE_SUITE, b"", b"psk_id_hash", b"") + lextract(HPKE_SUITE, b"", b"info_hash", info)
    secret = lextract(HPKE_SUITE, shared, b"secret", b"")
    return (enc, lexpand(HPKE_SUITE, secret, b"key", ctx, 32), lexpand(HPKE_SUITE, secret, b"base_nonce", ctx, 12),
            lexpand(HPKE_SUITE, secret, b"exp", ctx, 32))


def hpke_seal(pk_r, sk_e, info, aad, pt):
    enc, key, nonce, _ = hpke_context(pk_r, sk_e, info)
    return enc, AESGCM(key).encrypt(nonce, pt, aad)


def group_inbox(master, token_id):
    """FORMAT.md "Group inbox keys": X25519 secrets from the master key per group and inbox epoch,
    and an absence sealed to one with HPKE."""
    out = []

    def put(name, value):
        out.append(f"{name} = {value}")

    keys = {}
    for group, epoch in (("groep-5", 1), ("groep-5", 2), ("groep-3", 2)):
        sk = blake2b(master, f"ouderportaal/2 inbox {group} {epoch}".encode(), 32)
        pk = public(sk)
        keys[(group, epoch)] = sk
        put(f"inbox_{group}_{epoch}_secret_key", sk.hex())
        put(f"inbox_{group}_{epoch}_public_key", pk.hex())
        put(f"inbox_{group}_{epoch}_kid", hashlib.sha256(pk).hexdigest()[:16])
    plain = json.dumps({"child": "Sanne", "note": "Koorts", "reason": "ziek"}, separators=(",", ":"), sort_keys=True).encode()
    plain += b" " * (-len(plain) % 128)
    aad = "\n".join([token_id, "absence", "groep-5", "2027-02-01", "2027-02-01"]).encode()
    enc, ct = hpke_seal(public(keys[("groep-5", 2)]), bytes(range(0x60, 0x80)), b"ouderportaal/1 absence", aad, plain)
    put("absence_plaintext", plain.decode().rstrip(" "))
    put("absence_aad", aad.hex())
    put("absence_enc", enc.hex())
    put("absence_ct", ct.hex())
    put("absence_sealed", json.dumps({"ct": base64.b64encode(ct).decode(), "enc": base64.b64encode(enc).decode(),
                                      "kid": hashlib.sha256(public(keys[("groep-5", 2)])).hexdigest()[:16]},
                                     separators=(",", ":"), sort_keys=True))
    return out



def staff_upload(token_id):
    """FORMAT.md "Staff uploads": one key exported from an HPKE context, 64 KiB chunks sealed with
    AES-256-GCM under nonce = I2OSP(index, 11) || last."""
    out = []

    def put(name, value):
        out.append(f"{name} = {value}")

    school = public(bytes(range(0x40, 0x60)))
    part_id = bytes(range(16)).hex()
    plain = bytes(i % 251 for i in range(65_546))
    aad = "\n".join([token_id, "upload", "groep-5", part_id]).encode()
    enc, _, _, exporter = hpke_context(school, bytes(range(0x60, 0x80)), b"ouderportaal/2 upload")
    key = lexpand(HPKE_SUITE, exporter, b"sec", b"ouderportaal/2 upload stream", 32)
    pieces = [plain[i:i + 65_536] for i in range(0, len(plain), 65_536)]
    chunks = [AESGCM(key).encrypt(i.to_bytes(11, "big") + bytes([i == len(pieces) - 1]), p, aad)
              for i, p in enumerate(pieces)]
    put("upload_part_id", part_id)
    put("upload_plaintext_sha256", hashlib.sha256(plain).hexdigest())
    put("upload_aad", aad.hex())
    put("upload_enc", enc.hex())
    put("upload_key", key.hex())
    put("upload_chunks", len(chunks))
    put("upload_chunk_0_sha256", hashlib.sha256(chunks[0]).hexdigest())
    put("upload_chunk_1", chunks[1].hex())
    return out


def form_answer(master, token_id):
    """FORMAT.md "Forms and answers": opaque form and shift ids, the family key, a typed child's
    id, and one answer sealed to groep-5's epoch-2 inbox key (HPKE) and under the family key (AES-GCM)."""
    out = []

    def put(name, value):
        out.append(f"{name} = {value}")

    form_id = blake2b(master, b"ouderportaal/2 form groups/groep-5/forms/artis", 16).hex()
    shift_id = blake2b(master, "ouderportaal/2 shift forms/kerstdiner\nhelpen\nOpbouwen 16:00-17:00".encode(), 8).hex()
    family_key = blake2b(master, b"ouderportaal/2 family fam-kaya", 32)
    typed = hmac.new(family_key, b"ouderportaal/2 typed child sam", "sha256").hexdigest()[:32]
    child = "c1" * 16
    plain = json.dumps({"answers": {"lunch": "Pasta", "mee": True}, "child": "Sam", "guardian": "Anna de Vries"},
                       separators=(",", ":"), sort_keys=True).encode()
    plain += b" " * (-len(plain) % 128)
    aad = "\n".join([token_id, "answer", form_id, child, ""]).encode()
    pk = public(blake2b(master, b"ouderportaal/2 inbox groep-5 2", 32))
    enc, ct = hpke_seal(pk, bytes(range(0x60, 0x80)), b"ouderportaal/2 answer", aad, plain)
    nonce = bytes(range(12))
    copy = AESGCM(family_key).encrypt(nonce, plain, aad)
    put("form_id", form_id)
    put("shift_id", shift_id)
    put("family_key", family_key.hex())
    put("typed_child", typed)
    put("answer_plaintext", plain.decode().rstrip(" "))
    put("answer_aad", aad.hex())
    put("answer_enc", enc.hex())
    put("answer_ct", ct.hex())
    put("answer_copy", json.dumps({"ct": base64.b64encode(copy).decode(), "nonce": base64.b64encode(nonce).decode()},
                                  separators=(",", ":"), sort_keys=True))
    return out


if __name__ == "__main__":
    main()
