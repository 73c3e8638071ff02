#!/usr/bin/env python3
"""Push fan-out of portal-receiver, and what it costs the booking path meanwhile.

Starts the release receiver on 127.0.0.1 with --push-allow-loopback and the push service
stand-in (Tests/browser/push_service.py: checks every message's VAPID JWT with py_vapid and opens
it with http_ece, so each of the N messages is verified, not just counted). Subscribes N devices
(10 per token, the receiver's limit), then measures side by side in one run:

  1. bookings/s with nothing else going on (closed loop, 50 clients);
  2. one publish notice for the audience of every device: the time until the stand-in has taken
     all N messages, the receiver's CPU and peak memory, while the same booking load runs again
     (bookings/s during the fan-out, and the ratio to 1).

    python3 bench/push/bench.py                  # 10,000 devices
    python3 bench/push/bench.py --devices 2000

The request format is docs/FORMAT.md "Receiver requests"; the helpers come from bench/receiver.
"""
import argparse, asyncio, base64, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench/receiver"))
import bench as receiver_bench  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

b64, b64url, RAW = receiver_bench.b64, receiver_bench.b64url, receiver_bench.RAW


def call(url, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                 method="POST" if body is not None else "GET", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


def raw_request(method, path, body, headers):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/portal-receiver"))
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--bookings", type=int, default=3000, help="bookings per phase (before, during)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="push-bench-", dir=os.environ.get("BENCH_DIR", "/var/tmp"))
    stand_in = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/browser/push_service.py")],
                                stdout=subprocess.PIPE, text=True)
    proc = None
    try:
        origin = stand_in.stdout.readline().split()[-1]
        inbox = X25519PrivateKey.generate().public_key().public_bytes(*RAW)
        trust, bookings = receiver_bench.build(2 * args.bookings, inbox)
        admin = Ed25519PrivateKey.generate()
        trust["admin_public_key"] = b64(admin.public_key().public_bytes(*RAW))
        vapid = ec.generate_private_key(ec.SECP256R1())
        trust["push"] = {"vapid_private_key": b64(vapid.private_numbers().private_value.to_bytes(32, "big")),
                         "subject": "mailto:bench@school.example", "quiet_start": "00:00", "quiet_end": "00:00",
                         "quiet_weekends": False, "time_zone": "Europe/Amsterdam"}
        # Devices: 10 per token, tokens in groep-8 (the booking tokens are in groep-5).
        ts = int(time.time())
        subscribe = []
        t0 = time.time()
        for t in range((args.devices + 9) // 10):
            sk = Ed25519PrivateKey.generate()
            token_id = os.urandom(16).hex()
            trust["tokens"].append({"id": token_id, "family": f"push-{t}", "audiences": ["groep-8"],
                                    "expires": trust["tokens"][0]["expires"], "public_key": b64(sk.public_key().public_bytes(*RAW))})
            for _ in range(min(10, args.devices - 10 * t)):
                sub = call(origin + "/_subscriptions", {})
                body = json.dumps({"endpoint": sub["endpoint"], "p256dh": sub["p256dh"], "auth": sub["auth"], "mode": "all"}).encode()
                subscribe.append(raw_request("POST", "/api/v1/push/subscription", body,
                                             receiver_bench.sign_request(sk, token_id, "POST", "/api/v1/push/subscription", body, ts)))
        prepare_s = time.time() - t0
        trust_path, db_path = os.path.join(work, "trust.json"), os.path.join(work, "receiver.sqlite")
        with open(trust_path, "w") as f:
            json.dump(trust, f)
        proc = subprocess.Popen([args.binary, "--trust", trust_path, "--db", db_path, "--listen", "127.0.0.1:0",
                                 "--address-rate", "0", "--token-rate", "0", "--push-allow-loopback"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
        _, _, statuses = asyncio.run(receiver_bench.run_load(port, subscribe, 50, 300))
        assert set(statuses) == {200}, statuses

        before_s, before_lat, before_st = asyncio.run(receiver_bench.run_load(port, bookings[:args.bookings], 50, 300))
        before_rate = len(before_lat) / before_s

        notice = json.dumps({"audiences": [{"id": "groep-8", "sequence": int(time.time()), "count": 1, "urgent": False}]}).encode()
        headers = receiver_bench.sign_request(admin, "admin", "POST", "/api/v1/admin/push/notify", notice, int(time.time()))
        cpu0 = receiver_bench.server_cpu(proc.pid)
        started = time.perf_counter()

        async def fan_out_and_book():
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(raw_request("POST", "/api/v1/admin/push/notify", notice, headers))
            status, answer = await receiver_bench.read_response(reader)
            writer.close()
            assert status == 200, answer
            queued_at = time.perf_counter()
            load = asyncio.ensure_future(receiver_bench.run_load(port, bookings[args.bookings:], 50, 300))
            done_at = None
            while done_at is None:
                await asyncio.sleep(0.2)
                got = await asyncio.to_thread(call, origin + "/_messages")
                if len(got["messages"]) + len(got["rejected"]) >= args.devices:
                    done_at = time.perf_counter()
            return queued_at, done_at, await load, got

        queued_at, done_at, (during_s, during_lat, during_st), got = asyncio.run(fan_out_and_book())
        fan_out_s = done_at - started
        cpu = receiver_bench.server_cpu(proc.pid) - cpu0
        during_rate = len(during_lat) / during_s
        before_lat.sort(); during_lat.sort()
        pct = receiver_bench.pct
        print(f"devices={args.devices}  prepared in {prepare_s:.1f} s")
        print(f"fan-out: {len(got['messages'])} messages taken, {len(got['rejected'])} refused by the stand-in's checks, "
              f"in {fan_out_s:.1f} s ({args.devices / fan_out_s:.0f} messages/s; notice answered in {(queued_at - started) * 1000:.0f} ms); "
              f"receiver CPU {cpu:.1f} s, peak memory {peak_rss_mb(proc.pid):.0f} MB")
        print(f"bookings before: {before_rate:.0f}/s (p50 {pct(before_lat, 50) * 1000:.1f} ms, p99 {pct(before_lat, 99) * 1000:.1f} ms)  "
              f"during the fan-out: {during_rate:.0f}/s (p50 {pct(during_lat, 50) * 1000:.1f} ms, p99 {pct(during_lat, 99) * 1000:.1f} ms)  "
              f"ratio {during_rate / before_rate:.2f}  statuses {before_st} / {during_st}")
        print(f"load average {os.getloadavg()[0]:.1f} (2 cores: the stand-in's Python checks share them with the receiver)")
    finally:
        if proc:
            proc.terminate(); proc.wait(10)
        stand_in.terminate(); stand_in.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
