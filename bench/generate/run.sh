#!/usr/bin/env bash
# Times a sealed `portal generate` of N items against `hugo` rendering the same Markdown unsealed,
# a no-op rebuild and a rebuild after editing one item (issue 14); prints the ratios and peak memory.
#
# Usage: bench/generate/run.sh [N] [WORKDIR]
# BASELINE=/path/to/an/older/portal also times that binary in the same runs (alternating with the
# others), for before/after figures of a change: ratios to hugo and to the baseline.
# WORKDIR defaults to a folder in /dev/shm (tmpfs): this machine's virtual disk varies tenfold in
# file-creation time from minute to minute, which drowns the work of both generators. Pass a
# folder on disk to measure with the disk. Runs alternate hugo and portal so both see the same load.
set -euo pipefail
n=${1:-10000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${2:-/dev/shm/ouderportaal-bench-$n}
runs=${RUNS:-5}
rm -rf "$work" && mkdir -p "$work"
python3 "$repo/bench/generate/make_corpus.py" "$n" "$work" >/dev/null
# A statically linked Swift runtime starts faster (no dynamic relocation of Foundation), as a
# deployed binary would be built.
(cd "$repo" && swift build -c release --product portal --static-swift-stdlib 2>&1 | grep -E "error|Build complete" || true)
portal=$repo/.build/release/portal
"$portal" token issue --keys "$work/keys" --content "$work/content" --group groep-3 --json >/dev/null
"$portal" token issue --keys "$work/keys" --content "$work/content" --group groep-5 --group groep-8 --json >/dev/null
baseline=${BASELINE:-}
if [ -n "$baseline" ]; then
  cp -a "$work/keys" "$work/keys-baseline"
  base_cmd=("$baseline" generate --content "$work/content" --output "$work/output-baseline" --keys "$work/keys-baseline" --theme "$repo/themes/default")
fi

# --no-push: the bench times the build; pushing the trust file to a receiver is not part of it.
full=("$portal" generate --no-push --content "$work/content" --output "$work/output" --keys "$work/keys" --theme "$repo/themes/default")
hugo_cmd=(hugo --quiet -s "$work/hugo" -d "$work/hugo-out")

# Wall time, peak RSS (kB) and CPU time (user + system) of one command, as "seconds kb cpu".
# CPU time is reported too because wall time on a shared 2-core machine depends on the neighbours.
measure() { /usr/bin/time -f '%e %M %U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1, $2, $3 + $4}'; }

results=$work/results.txt
: > "$results"
"${hugo_cmd[@]}" >/dev/null; "${full[@]}" >/dev/null   # warm up caches and the page cache
for i in $(seq "$runs"); do
  rm -rf "$work/hugo-out"; echo "hugo $(measure "${hugo_cmd[@]}")" >> "$results"
  rm -rf "$work/output" "$work/keys/cache"; echo "full $(measure "${full[@]}")" >> "$results"
  echo "noop $(measure "${full[@]}")" >> "$results"
  # One teacher's edit: a sentence added to one news item of groep 3 (a different one each run).
  edited=$(ls "$work/content/groups/groep-3/news" | sed -n "$((i * 7))p")
  printf '\nEen zin erbij, run %s.\n' "$i" >> "$work/content/groups/groep-3/news/$edited"
  echo "edit $(measure "${full[@]}")" >> "$results"
  if [ -n "$baseline" ]; then
    rm -rf "$work/output-baseline" "$work/keys-baseline/cache"; echo "base $(measure "${base_cmd[@]}")" >> "$results"
  fi
done

rm -rf "$work/output" "$work/keys/cache"; "${full[@]}" --timings > "$work/steps.txt"
printf '\nNog een zin.\n' >> "$work/content/groups/groep-3/news/$(ls "$work/content/groups/groep-3/news" | head -1)"
"${full[@]}" --timings > "$work/edit-steps.txt"

python3 - "$results" "$n" "$work" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def col(kind, i): return [float(r[i]) for r in rows if r[0] == kind]
hugo, full, noop, edit = (statistics.median(col(k, 1)) for k in ("hugo", "full", "noop", "edit"))
cpu = {k: statistics.median(col(k, 3)) for k in ("hugo", "full", "noop", "edit")}
mem = {k: max(col(k, 2)) / 1024 for k in ("hugo", "full")}
print(f"items: {sys.argv[2]}   runs: {len(col('hugo', 1))} each, alternating; output in {sys.argv[3]}")
print(f"hugo (unsealed):          median {hugo:6.3f} s wall  {cpu['hugo']:6.3f} s CPU   peak {mem['hugo']:5.0f} MB")
print(f"portal generate (full):   median {full:6.3f} s wall  {cpu['full']:6.3f} s CPU   peak {mem['full']:5.0f} MB")
print(f"portal generate (no-op):  median {noop:6.3f} s wall  {cpu['noop']:6.3f} s CPU")
print(f"portal generate (edit 1): median {edit:6.3f} s wall  {cpu['edit']:6.3f} s CPU   peak {max(col('edit', 2)) / 1024:5.0f} MB")
print(f"ratio full/hugo:   {full / hugo:.2f} wall, {cpu['full'] / cpu['hugo']:.2f} CPU   (target <= 1.0)")
print(f"ratio no-op/full:  {noop / full:.3f} wall, {cpu['noop'] / cpu['full']:.3f} CPU  (target < 0.05)")
print(f"ratio edit-1/full: {edit / full:.3f} wall, {cpu['edit'] / cpu['full']:.3f} CPU  (target <= 0.05)")
if col("base", 1):
    base, base_cpu, base_mem = statistics.median(col("base", 1)), statistics.median(col("base", 3)), max(col("base", 2)) / 1024
    print(f"baseline (full):          median {base:6.3f} s wall  {base_cpu:6.3f} s CPU   peak {base_mem:5.0f} MB")
    print(f"ratio full/baseline: {full / base:.2f} wall, {cpu['full'] / base_cpu:.2f} CPU; baseline/hugo {base / hugo:.2f} wall, {base_cpu / cpu['hugo']:.2f} CPU")
print("steps of one full build:")
print(open(sys.argv[3] + "/steps.txt").read().rstrip())
print("steps of one edit-one build:")
print(open(sys.argv[3] + "/edit-steps.txt").read().rstrip())
PY
