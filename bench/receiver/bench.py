#!/usr/bin/env python3
"""Load test of portal-receiver: signed, HPKE-sealed, durable bookings.

Starts the release binary on 127.0.0.1 with a fresh SQLite file on disk (WAL, synchronous=FULL:
the receiver's own settings), pre-signs N booking requests (one token and family per request,
each for its own slot, so every answer should be 201), then sends them over C keep-alive
connections and prints bookings/s and latency percentiles. Afterwards it counts the rows in the
database: every 201 must be there.

    python3 bench/receiver/bench.py                        # 50 and 500 clients, 20000 bookings each
    python3 bench/receiver/bench.py --clients 50 --requests 5000

Signing happens before the clock starts (the receiver accepts timestamps up to 300 s old), so
the figures measure the receiver, not Python's Ed25519. The request format is docs/FORMAT.md
"Receiver requests"; HPKE here is written from RFC 9180 on the `cryptography` package.
"""
import argparse, asyncio, base64, hashlib, hmac, json, os, secrets, shutil, sqlite3, statistics
import subprocess, sys, tempfile, time
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw
SCHEDULE = "groups/groep-5/conferences/bench"
WRAP = os.environ.get("BENCH_WRAP", "").split()  # e.g. "perf record -g -o /tmp/receiver.perf --"

# --- HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (RFC 9180) ---
KEM_SUITE = b"KEM" + (0x20).to_bytes(2, "big")
HPKE_SUITE = b"HPKE" + (0x20).to_bytes(2, "big") + (1).to_bytes(2, "big") + (2).to_bytes(2, "big")

def extract(salt, ikm): return hmac.new(salt, ikm, hashlib.sha256).digest()
def expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest(); out += t; i += 1
    return out[:n]
def lextract(suite, salt, label, ikm): return extract(salt, b"HPKE-v1" + suite + label + ikm)
def lexpand(suite, prk, label, info, n): return expand(prk, n.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info, n)

def hpke_seal(pk_r, info, aad, pt):
    sk_e = X25519PrivateKey.generate()
    enc = sk_e.public_key().public_bytes(*RAW)
    dh = sk_e.exchange(X25519PublicKey.from_public_bytes(pk_r))
    shared = lexpand(KEM_SUITE, lextract(KEM_SUITE, b"", b"eae_prk", dh), b"shared_secret", enc + pk_r, 32)
    ctx = b"\x00" + lextract(HPKE_SUITE, b"", b"psk_id_hash", b"") + lextract(HPKE_SUITE, b"", b"info_hash", info)
    secret = lextract(HPKE_SUITE, shared, b"secret", b"")
    key = lexpand(HPKE_SUITE, secret, b"key", ctx, 32)
    nonce = lexpand(HPKE_SUITE, secret, b"base_nonce", ctx, 12)
    return enc, AESGCM(key).encrypt(nonce, pt, aad)

def b64(b): return base64.b64encode(b).decode()
def b64url(b): return base64.urlsafe_b64encode(b).decode().rstrip("=")
def rfc3339(d): return d.strftime("%Y-%m-%dT%H:%M:%SZ")

def sign_request(sk, token_id, method, path, body, ts):
    nonce = b64url(secrets.token_bytes(16))
    canonical = "\n".join(["ouderportaal/1 request", method, path, str(ts), nonce, hashlib.sha256(body).hexdigest()])
    return {"X-Portal-Token": token_id, "X-Portal-Timestamp": str(ts), "X-Portal-Nonce": nonce,
            "X-Portal-Signature": b64(sk.sign(canonical.encode()))}

def build(n, inbox_pk):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    tokens, requests = [], []
    evening = now + timedelta(days=3)
    slots = [{"id": f"s{i:06d}", "start": rfc3339(evening + timedelta(minutes=10 * i)),
              "end": rfc3339(evening + timedelta(minutes=10 * (i + 1)))} for i in range(n)]
    ts = int(time.time())
    for i in range(n):
        sk = Ed25519PrivateKey.generate()
        token_id = secrets.token_hex(16)
        tokens.append({"id": token_id, "family": f"bench-{i}", "audiences": ["groep-5"],
                       "expires": rfc3339(now + timedelta(days=30)), "public_key": b64(sk.public_key().public_bytes(*RAW))})
        plain = json.dumps({"child": f"Kind {i}", "note": ""}).encode()
        plain += b" " * (-len(plain) % 128)  # FORMAT.md: pad with spaces to a multiple of 128
        enc, ct = hpke_seal(inbox_pk, b"ouderportaal/1 booking", token_id.encode(), plain)
        body = json.dumps({"schedule": SCHEDULE, "slot": slots[i]["id"], "sealed": {"enc": b64(enc), "ct": b64(ct)}}).encode()
        headers = sign_request(sk, token_id, "POST", "/api/v1/bookings", body, ts)
        head = "POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        requests.append(head.encode() + body)
    trust = {"format": 1, "site_id": secrets.token_hex(16),
             "admin_public_key": b64(Ed25519PrivateKey.generate().public_key().public_bytes(*RAW)),
             "inbox_public_key": b64(inbox_pk), "generated": rfc3339(now), "tokens": tokens,
             "schedules": [{"id": SCHEDULE, "audience": "groep-5", "teacher": "Juf Bench",
                            "opens": rfc3339(now - timedelta(hours=1)), "closes": rfc3339(now + timedelta(days=2)),
                            "per_family": 1, "min_notice_hours": 24, "slots": slots}]}
    return trust, requests

async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return status, body

async def run_load(port, requests, clients, deadline_s, rate=None):
    """Closed loop (each client sends its next request when the answer came) or, with `rate`,
    open loop: request i is due at start + i/rate whatever the answers, and its latency counts
    from when it was due (no coordinated omission)."""
    queue = iter(range(len(requests)))
    latencies, statuses = [], {}
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
    start = time.perf_counter()
    async def client(reader, writer):
        try:
            for i in queue:
                t0 = time.perf_counter()
                if rate:
                    due = start + i / rate
                    if due > t0:
                        await asyncio.sleep(due - t0)
                    t0 = due
                writer.write(requests[i])
                status, _ = await read_response(reader)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()
    await asyncio.wait_for(asyncio.gather(*(client(r, w) for r, w in connections)), deadline_s)
    return time.perf_counter() - start, latencies, statuses

def server_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]

def bench(binary, clients, n, warmup, rate=None):
    work = tempfile.mkdtemp(prefix="receiver-bench-", dir=os.environ.get("BENCH_DIR", "/var/tmp"))
    try:
        inbox = X25519PrivateKey.generate().public_key().public_bytes(*RAW)
        t0 = time.time()
        trust, requests = build(n + warmup, inbox)
        sign_s = time.time() - t0
        trust_path, db_path = os.path.join(work, "trust.json"), os.path.join(work, "receiver.sqlite")
        with open(trust_path, "w") as f: json.dump(trust, f)
        proc = subprocess.Popen(WRAP + [binary, "--trust", trust_path, "--db", db_path, "--listen", "127.0.0.1:0",
                                 "--address-rate", "0", "--token-rate", "0"], stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            port = int(line.strip().rsplit(":", 1)[1])
            asyncio.run(run_load(port, requests[:warmup], min(clients, 50), 120))
            cpu0, own0 = server_cpu(proc.pid), sum(os.times()[:2])
            elapsed, lat, statuses = asyncio.run(run_load(port, requests[warmup:], clients, 240, rate))
            server_s, client_s = server_cpu(proc.pid) - cpu0, sum(os.times()[:2]) - own0
        finally:
            proc.terminate(); proc.wait(10)
        lat.sort()
        db = sqlite3.connect(db_path)
        stored = db.execute("SELECT count(*) FROM bookings").fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        db.close()
        ok = statuses.get(201, 0)
        mode = f"open loop {rate}/s" if rate else "closed loop"
        print(f"clients={clients:4d} {mode:18s} bookings={len(lat)}  {len(lat) / elapsed:7.0f} bookings/s  "
              f"p50={pct(lat, 50) * 1000:6.1f} ms  p90={pct(lat, 90) * 1000:6.1f} ms  p99={pct(lat, 99) * 1000:6.1f} ms  "
              f"max={lat[-1] * 1000:6.1f} ms  statuses={dict(sorted(statuses.items()))}  "
              f"rows={stored} (201s+warm-up={ok + warmup})  journal={journal}  "
              f"cpu: receiver {server_s / elapsed * 100:.0f}% ({server_s / len(lat) * 1e6:.0f} us/booking), "
              f"client {client_s / elapsed * 100:.0f}%  load average {os.getloadavg()[0]:.1f}  (signing took {sign_s:.1f} s)")
        return ok + warmup == stored and set(statuses) == {201}
    finally:
        shutil.rmtree(work, ignore_errors=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/portal-receiver"))
    ap.add_argument("--clients", default="50,500,500@1000",
                    help="runs: N (closed loop, N connections) or N@R (open loop, R bookings/s over N connections)")
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=500)
    a = ap.parse_args()
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"no receiver binary at {a.binary}: swift build -c release --product portal-receiver")
    print(f"portal-receiver bench: {a.requests} signed, sealed bookings per run, durable (WAL, synchronous=FULL), "
          f"database in {os.environ.get('BENCH_DIR', '/var/tmp')}, {os.cpu_count()} cores")
    runs = [(int(c.split("@")[0]), int(c.split("@")[1]) if "@" in c else None) for c in a.clients.split(",")]
    good = all([bench(a.binary, c, a.requests, a.warmup, r) for c, r in runs])
    sys.exit(0 if good else 1)

if __name__ == "__main__":
    main()
