"""A Web Push service stand-in on 127.0.0.1, for tests and bench/push.

It speaks the real protocol (RFC 8030 message delivery, RFC 8292 VAPID, RFC 8291 aes128gcm) and
checks every message with independent implementations (PyPI py_vapid for the JWT, http_ece for
the encryption), so the receiver's push code is tested against something it did not write.

    python3 push_service.py [--vapid-public-key B64URL]     # prints "listening http://127.0.0.1:PORT"

Control (JSON): POST /_subscriptions makes a subscription as a browser would (a fresh P-256 key
and auth secret) and returns {endpoint, p256dh, auth, id}; POST /push/<id> takes a message;
GET /_messages lists what was taken and what was refused; POST /_behaviour {"id", "statuses":
[429, 201], "retry_after": "1"} answers the next messages of one subscription with those
statuses; POST /_reset forgets messages (not subscriptions).
"""
import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid.jwt import decode as jwt_decode


def b64e(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class PushService:
    def __init__(self, vapid_public_key=None):
        self.vapid_public_key = vapid_public_key
        self.lock = threading.Lock()
        self.subscriptions = {}   # id -> (private key, auth)
        self.behaviour = {}       # id -> [statuses], retry_after
        self.messages = []
        self.rejected = []
        self.origin = None

    def subscribe(self):
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        sid = b64e(os.urandom(12))
        with self.lock:
            self.subscriptions[sid] = (private, auth)
        p256dh = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"id": sid, "endpoint": "%s/push/%s" % (self.origin, sid), "p256dh": b64e(p256dh), "auth": b64e(auth),
                "private_key": b64e(private.private_numbers().private_value.to_bytes(32, "big"))}

    def check(self, sid, headers, body):
        """The message as the device would see it, or raises ValueError with the reason."""
        if sid not in self.subscriptions:
            raise LookupError("no such subscription")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise ValueError("Content-Encoding is %r" % headers.get("Content-Encoding"))
        ttl = headers.get("TTL")
        if ttl is None or not ttl.isdigit():
            raise ValueError("TTL missing or not a number (RFC 8030 5.2)")
        urgency = headers.get("Urgency", "normal")
        if urgency not in ("very-low", "low", "normal", "high"):
            raise ValueError("Urgency %r" % urgency)
        auth = headers.get("Authorization", "")
        if not auth.startswith("vapid "):
            raise ValueError("Authorization is not vapid (RFC 8292 3)")
        params = dict(p.strip().split("=", 1) for p in auth[len("vapid "):].split(","))
        claims = jwt_decode(params["t"], params["k"])  # raises on a bad signature
        if self.vapid_public_key and params["k"] != self.vapid_public_key:
            raise ValueError("k is not the school's VAPID key")
        if claims.get("aud") != self.origin:
            raise ValueError("aud %r is not %r" % (claims.get("aud"), self.origin))
        exp = claims.get("exp", 0)
        if not (time.time() < exp <= time.time() + 24 * 3600):
            raise ValueError("exp not within the next 24 hours (RFC 8292 2)")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub is not a mailto: or https: URI")
        private, secret = self.subscriptions[sid]
        plaintext = http_ece.decrypt(body, private_key=private, auth_secret=secret, version="aes128gcm")
        return {"id": sid, "payload": plaintext.decode(), "ttl": int(ttl), "urgency": urgency,
                "topic": headers.get("Topic"), "at": time.time(), "length": len(body)}


def make_handler(service):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, value=None, headers=()):
            body = json.dumps(value).encode() if value is not None else b""
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            if body:
                self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def do_GET(self):
            if self.path == "/_messages":
                with service.lock:
                    self.reply(200, {"messages": list(service.messages), "rejected": list(service.rejected)})
            else:
                self.reply(404, {"error": "not_found"})

        def do_POST(self):
            raw = self.body()
            if self.path == "/_subscriptions":
                return self.reply(201, service.subscribe())
            if self.path == "/_behaviour":
                req = json.loads(raw)
                with service.lock:
                    service.behaviour[req["id"]] = (list(req["statuses"]), req.get("retry_after"))
                return self.reply(200, {})
            if self.path == "/_reset":
                with service.lock:
                    service.messages.clear()
                    service.rejected.clear()
                return self.reply(200, {})
            if self.path.startswith("/push/"):
                sid = self.path[len("/push/"):]
                with service.lock:
                    statuses, retry_after = service.behaviour.get(sid, ([], None))
                    status = statuses.pop(0) if statuses else 201
                if status in (404, 410):
                    return self.reply(status, {"error": "gone"})
                if status in (301, 302, 307, 308):
                    # A redirect to another subscription of this stand-in: a receiver that
                    # followed it would deliver there (the test checks that it does not).
                    with service.lock:
                        service.rejected.append({"id": sid, "status": status})
                    return self.reply(status, {"error": "moved"}, [("Location", retry_after or "/")])
                if status != 201:
                    with service.lock:
                        service.rejected.append({"id": sid, "status": status})
                    return self.reply(status, {"error": "try later"}, [("Retry-After", retry_after)] if retry_after else [])
                try:
                    message = service.check(sid, self.headers, raw)
                except LookupError as e:
                    return self.reply(404, {"error": str(e)})
                except Exception as e:  # any failed check is a refusal the test sees
                    with service.lock:
                        service.rejected.append({"id": sid, "status": 400, "reason": "%s: %s" % (type(e).__name__, e)})
                    return self.reply(400, {"error": str(e)})
                with service.lock:
                    service.messages.append(message)
                return self.reply(201, None, [("Location", "%s/message/%d" % (service.origin, len(service.messages)))])
            self.reply(404, {"error": "not_found"})

    return Handler


def serve(vapid_public_key=None, port=0):
    """Starts the stand-in in a thread; returns (server, service)."""
    service = PushService(vapid_public_key)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(service))
    server.daemon_threads = True
    service.origin = "http://127.0.0.1:%d" % server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, service


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vapid-public-key")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    # A test process may have SIGTERM ignored, and children inherit that: stop on it anyway.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server, service = serve(args.vapid_public_key, args.port)
    print("listening %s" % service.origin, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
