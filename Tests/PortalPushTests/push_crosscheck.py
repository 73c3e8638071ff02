"""Independent check of the Swift Web Push code (PyPI http-ece, py-vapid, cryptography).

Reads JSON on stdin: {"body", "private_key", "auth", "jwt", "vapid_public_key", "audience"}
(base64url). Decrypts the body as a browser would (http_ece, aes128gcm, the subscription's private
key) and verifies the VAPID JWT (py_vapid's ES256 check over the raw public key). Prints JSON:
{"plaintext": <base64url>, "claims": {...}}; exits 1 with the reason on any failure.
"""
import base64
import json
import sys

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid.jwt import decode as jwt_decode


def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def main():
    req = json.load(sys.stdin)
    out = {}
    if "body" in req:
        private = ec.derive_private_key(int.from_bytes(b64(req["private_key"]), "big"), ec.SECP256R1())
        out["plaintext"] = base64.urlsafe_b64encode(
            http_ece.decrypt(b64(req["body"]), private_key=private, auth_secret=b64(req["auth"]), version="aes128gcm")
        ).decode().rstrip("=")
    if "jwt" in req:
        claims = jwt_decode(req["jwt"], req["vapid_public_key"])
        if claims.get("aud") != req["audience"]:
            raise SystemExit("aud is %r" % claims.get("aud"))
        out["claims"] = claims
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # any failure is the answer "does not verify"
        print("%s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
