#!/usr/bin/env bash
# Bytes a revocation re-writes (issue 13, format 2): a school of N items over ten years with P
# photos; one family's token is revoked and the site generated again. Prints the bytes and files
# that are new or changed in output/ against everything sealed, and the time of both builds.
#
# Usage: bench/revocation/run.sh [N] [P] [WORKDIR]      defaults 10000 items, 2000 photos, /dev/shm
# Needs libvips-tools (vips) to make the photos; they are made once and kept in WORKDIR.
set -euo pipefail
n=${1:-10000}
p=${2:-2000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${3:-/dev/shm/ouderportaal-revocation-$n-$p}
if [ ! -f "$work/content/site.yaml" ]; then
  rm -rf "$work" && mkdir -p "$work"
  python3 "$repo/bench/generate/make_corpus.py" "$n" "$work" --years 10 --photos "$p"
fi
(cd "$repo" && swift build -c release --product portal --static-swift-stdlib 2>&1 | grep -E "error|Build complete" || true)
portal=$repo/.build/release/portal
rm -rf "$work/keys" "$work/output" "$work/before"
args=(--content "$work/content" --keys "$work/keys")
for g in groep-1-2a groep-3 groep-5 groep-8; do "$portal" token issue "${args[@]}" --group "$g" --json >/dev/null; done
leaving=$("$portal" token issue "${args[@]}" --group groep-5 --group groep-7 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
gen=("$portal" generate --no-push "${args[@]}" --output "$work/output" --theme "$repo/themes/default")
t0=$(date +%s.%N); "${gen[@]}" >/dev/null; t1=$(date +%s.%N)
cp -al "$work/output" "$work/before"     # a snapshot: the build writes a new folder and swaps it in
"$portal" token revoke "${args[@]}" "$leaving" >/dev/null
t2=$(date +%s.%N); "${gen[@]}" >/dev/null; t3=$(date +%s.%N)
python3 - "$work" "$t0" "$t1" "$t2" "$t3" <<'PY'
import hashlib, os, sys
work, t0, t1, t2, t3 = sys.argv[1], *map(float, sys.argv[2:])
def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for name in names:
            path = os.path.join(d, name)
            rel = os.path.relpath(path, root)
            if rel.split("/")[0] in ("b", "i", "k"):
                with open(path, "rb") as f:
                    out[rel] = hashlib.sha256(f.read()).hexdigest(), os.path.getsize(path)
    return out
before, after = files(os.path.join(work, "before")), files(os.path.join(work, "output"))
changed = {p: v for p, v in after.items() if before.get(p, (None,))[0] != v[0]}
total = sum(size for _, size in after.values())
written = sum(size for _, size in changed.values())
kinds = {}
for p, (_, size) in changed.items():
    k = p.split("/")[0]
    kinds[k] = (kinds.get(k, (0, 0))[0] + 1, kinds.get(k, (0, 0))[1] + size)
print(f"sealed files after the revocation: {len(after)} ({total / 1e6:.1f} MB)")
print(f"re-written by the revocation:      {len(changed)} files, {written / 1e6:.2f} MB = {100 * written / total:.2f} % of the bytes")
for k, (count, size) in sorted(kinds.items()):
    print(f"  {k}/: {count} files, {size / 1e6:.2f} MB")
print(f"unchanged item and photo blobs:    {sum(1 for p in after if p.startswith('b/') and p not in changed)}")
print(f"full build {t1 - t0:.2f} s, build after the revocation {t3 - t2:.2f} s")
PY
