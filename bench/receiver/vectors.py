#!/usr/bin/env python3
"""Receiver test vectors of docs/FORMAT.md ("Receiver test vectors"), computed independently of the
Swift code with Python `cryptography` + hashlib (HPKE from RFC 9180, as in bench.py). The Swift
test PayloadTests.testFormatVectors checks the same values.

    python3 bench/receiver/vectors.py
"""
import base64, hashlib, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from bench import KEM_SUITE, HPKE_SUITE, lextract, lexpand, RAW

def seal(pk_r, sk_e_bytes, info, aad, pt):
    sk_e = X25519PrivateKey.from_private_bytes(sk_e_bytes)
    enc = sk_e.public_key().public_bytes(*RAW)
    dh = sk_e.exchange(X25519PublicKey.from_public_bytes(pk_r))
    shared = lexpand(KEM_SUITE, lextract(KEM_SUITE, b"", b"eae_prk", dh), b"shared_secret", enc + pk_r, 32)
    ctx = b"\x00" + lextract(HPKE_SUITE, b"", b"psk_id_hash", b"") + lextract(HPKE_SUITE, b"", b"info_hash", info)
    secret = lextract(HPKE_SUITE, shared, b"secret", b"")
    key = lexpand(HPKE_SUITE, secret, b"key", ctx, 32)
    nonce = lexpand(HPKE_SUITE, secret, b"base_nonce", ctx, 12)
    return enc, AESGCM(key).encrypt(nonce, pt, aad)

token_id = "2915c086a6bf290dd68024bc86f2de44"
signing_seed = bytes.fromhex("1d4e83634c46c210dcb23eb5dea26331d93b45d07c430d816fba5df448170ba8")
inbox_sk = bytes(range(0x40, 0x60))
eph_sk = bytes(range(0x60, 0x80))
inbox_pk = X25519PrivateKey.from_private_bytes(inbox_sk).public_key().public_bytes(*RAW)
plain = b'{"child":"Sanne","note":""}'
plain += b" " * (-len(plain) % 128)
# aad binds the sealed fields to the token, the kind and the unsealed schedule and slot.
aad = "\n".join([token_id, "booking", "groups/groep-5/conferences/oudergesprekken-februari", "2027-02-09T18:30"]).encode()
enc, ct = seal(inbox_pk, eph_sk, b"ouderportaal/1 booking", aad, plain)
body = ('{"schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"2027-02-09T18:30",'
        '"sealed":{"enc":"%s","ct":"%s"}}' % (base64.b64encode(enc).decode(), base64.b64encode(ct).decode())).encode()
ts, nonce = 1801483200, "AAECAwQFBgcICQoLDA0ODw"
canonical = "\n".join(["ouderportaal/1 request", "POST", "/api/v1/bookings", str(ts), nonce, hashlib.sha256(body).hexdigest()])
sig = Ed25519PrivateKey.from_private_bytes(signing_seed).sign(canonical.encode())
print(f"inbox_secret_key = {inbox_sk.hex()}")
print(f"inbox_public_key = {inbox_pk.hex()}")
print(f"ephemeral_secret_key = {eph_sk.hex()}")
print(f"booking_plaintext_length = {len(plain)}")
print(f"booking_aad = {aad.hex()}")
print(f"booking_enc = {enc.hex()}")
print(f"booking_ct = {ct.hex()}")
print(f"request_body_sha256 = {hashlib.sha256(body).hexdigest()}")
print(f"request_signature = {sig.hex()}")
