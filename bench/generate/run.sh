#!/usr/bin/env bash
# Times a sealed `portal generate` of N items against `hugo` rendering the same Markdown unsealed,
# and a no-op rebuild; prints the ratios and peak memory. Usage: bench/generate/run.sh [N]
set -euo pipefail
n=${1:-10000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$repo/bench/work/generate-$n
rm -rf "$work" && mkdir -p "$work"
python3 "$repo/bench/generate/make_corpus.py" "$n" "$work" >/dev/null
(cd "$repo" && swift build -c release --product portal 2>&1 | grep -E "error|Compiling portal|Build complete" || true)
portal=$repo/.build/release/portal
"$portal" token issue --keys "$work/keys" --group groep-3 --json >/dev/null
"$portal" token issue --keys "$work/keys" --group groep-5 --group groep-8 --json >/dev/null

full="$portal generate --content $work/content --output $work/output --keys $work/keys --theme $repo/themes/default"
# A full build: drop the no-op state and the output first, so nothing is reused.
prepare="rm -rf $work/output $work/keys/cache"
# hyperfine pairs each --prepare with the command in the same position.
hyperfine --warmup 1 --runs 5 --export-json "$work/hyperfine.json" \
  --prepare "rm -rf $work/hugo-out" --prepare "$prepare" --prepare "true" \
  -n "hugo (unsealed)" "hugo --quiet -s $work/hugo -d $work/hugo-out" \
  -n "portal generate (sealed, full)" "$full" \
  -n "portal generate (no-op)" "$full" >/dev/null

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
rm -rf "$work/output" "$work/keys/cache"
portal_kb=$(peak $full)
rm -rf "$work/hugo-out"
hugo_kb=$(peak hugo --quiet -s "$work/hugo" -d "$work/hugo-out")

python3 - "$work/hyperfine.json" "$n" "$portal_kb" "$hugo_kb" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n, portal_kb, hugo_kb = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
hugo = results["hugo (unsealed)"]["mean"]
full = results["portal generate (sealed, full)"]["mean"]
noop = results["portal generate (no-op)"]["mean"]
print(f"items: {n}")
print(f"hugo (unsealed):         {hugo:.3f} s  ±{results['hugo (unsealed)']['stddev']:.3f}  peak {hugo_kb/1024:.0f} MB")
print(f"portal generate (full):  {full:.3f} s  ±{results['portal generate (sealed, full)']['stddev']:.3f}  peak {portal_kb/1024:.0f} MB")
print(f"portal generate (no-op): {noop:.3f} s")
print(f"ratio full/hugo:   {full/hugo:.2f}  (target <= 1.0)")
print(f"ratio no-op/full:  {noop/full:.3f} (target < 0.05)")
PY
