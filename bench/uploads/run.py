"""Benchmark (not a test): a teacher's 20 photos on the staff device, in Debian's Chromium.

    python3 bench/uploads/run.py [--photos 20]

Measures, in one run and side by side:
- preparing: `preparePhoto` (decode with orientation, resize to 2560 px, re-encode as JPEG) of a
  4000x3000 camera-sized JPEG, per photo;
- sealing: `sealUpload` of each prepared photo, all its 64 KiB chunks (one HPKE setup, one
  AES-GCM call per chunk), against the reference: one WebCrypto AES-GCM call over the same bytes.
Prints milliseconds and the sealing/reference ratio (what the chunking costs over the cheapest
possible encryption of the same bytes).
"""
import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "browser"))
from conftest import APP, CHROMIUM  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

RUN = """async ([n, photo]) => {
  const U = await import('/staff/upload.js');
  const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
  const key = crypto.getRandomValues(new Uint8Array(32)), school = new Uint8Array(32);
  // An X25519 public key to seal to (any valid point: this one is the base point's multiple 9).
  school[0] = 9;
  const prep = [], seal = [], ref = [];
  let sent = 0;
  const aes = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    const jpeg = await U.preparePhoto(new Blob([bytes], { type: 'image/jpeg' }));
    prep.push(performance.now() - t);
    t = performance.now();
    const s = await U.sealUpload(school, 'aa'.repeat(16), 'groep-5', 'bb'.repeat(16), jpeg);
    for (let c = 0; c < s.count; c++) sent += (await s.chunk(c)).length;
    seal.push(performance.now() - t);
    t = performance.now();
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, aes, jpeg);
    ref.push(performance.now() - t);
    if (i === 0) globalThis.__size = jpeg.length;
  }
  return { prep, seal, ref, size: globalThis.__size, sent };
}"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        camera = os.path.join(tmp, "camera.jpg")
        # A camera-sized photo with detail (noise compresses badly, as leaves and grass do).
        subprocess.run(["vips", "gaussnoise", camera + "[Q=90]", "4000", "3000"], check=True)
        photo = open(camera, "rb").read()
        handler = functools.partial(Quiet, directory=APP)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        import base64
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/bench-blank.html")  # a 404 page: an HTML document on the app's origin
            out = page.evaluate(RUN, [args.photos, base64.b64encode(photo).decode()])
            browser.close()
        server.shutdown()
    med = {k: statistics.median(out[k]) for k in ("prep", "seal", "ref")}
    print(f"{args.photos} photos of {len(photo) // 1024} KiB (4000x3000), prepared to {out['size'] // 1024} KiB (2560x1920)")
    print(f"prepare (decode, resize, re-encode): median {med['prep']:.0f} ms per photo, {sum(out['prep']) / 1000:.1f} s for all")
    print(f"seal in 64 KiB chunks: median {med['seal']:.1f} ms per photo; one AES-GCM call (reference): {med['ref']:.1f} ms")
    print(f"sealed bytes to send: {out['sent'] / 1048576:.1f} MiB for {args.photos} photos (against {args.photos * len(photo) / 1048576:.0f} MiB as the camera made them)")
    print(f"ratio seal/reference: {med['seal'] / med['ref']:.2f}x; sealing is {100 * med['seal'] / (med['prep'] + med['seal']):.1f} % of the device's work")


if __name__ == "__main__":
    main()
