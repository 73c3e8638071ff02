#!/usr/bin/env python3
"""Recomputes the test vectors of docs/FORMAT.md ("Test vectors" and "Failing vectors") from the
spec alone, with Python's `cryptography` package and hashlib, independently of the Swift code.
Prints one `name = value` line per vector, exactly as the block in FORMAT.md, then an empty line,
then one `fail <case> = ...` line per failing vector, exactly as the "Failing vectors" block;
FormatVectorTests runs it and compares its output with the document and with the Swift code."""
import hashlib
import json
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


if __name__ == "__main__":
    main()
