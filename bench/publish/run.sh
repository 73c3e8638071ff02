#!/usr/bin/env bash
# `portal publish` to a folder with rsync (issue 15): the first publish of the example school
# and of an N-item school, then a publish after one edited item of the N (files, bytes, seconds).
# Goal for the one edit: under 1 s and under 100 KB. Loopback folder on tmpfs: this measures
# the portal's and rsync's work, not a network.
#
# Usage: bench/publish/run.sh [N] [WORKDIR]
set -euo pipefail
n=${1:-10000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${2:-/dev/shm/ouderportaal-publish-$n}
(cd "$repo" && swift build -c release --product portal --static-swift-stdlib 2>&1 | grep -E "error|Build complete" || true)
portal=$repo/.build/release/portal
rm -rf "$work" && mkdir -p "$work/example"
cp -r "$repo/content" "$work/example/content"
python3 "$repo/bench/generate/make_corpus.py" "$n" "$work/large" >/dev/null
run() {  # name folder -> prints one line per publish
  local name=$1 dir=$2
  "$portal" token issue --keys "$dir/keys" --content "$dir/content" --group groep-3 --json >/dev/null
  local args=(--content "$dir/content" --keys "$dir/keys" --output "$dir/output" --theme "$repo/themes/default")
  "$portal" generate --no-push "${args[@]}" >/dev/null
  local t0 t1
  t0=$(date +%s.%N); line=$("$portal" publish --no-push "${args[@]}" --to "$dir/host"); t1=$(date +%s.%N)
  printf '%-8s first publish:  %6.2f s  %s\n' "$name" "$(echo "$t1 - $t0" | bc)" "$line"
  local item
  item=$(find "$dir/content" -path '*news*' -name '*.md' | sort | sed -n 1p)
  printf '\nEen zin erbij.\n' >> "$item"
  "$portal" generate --no-push "${args[@]}" >/dev/null
  t0=$(date +%s.%N); line=$("$portal" publish --no-push "${args[@]}" --to "$dir/host"); t1=$(date +%s.%N)
  printf '%-8s one edit:       %6.2f s  %s\n' "$name" "$(echo "$t1 - $t0" | bc)" "$line"
  t0=$(date +%s.%N); line=$("$portal" publish --no-push "${args[@]}" --to "$dir/host"); t1=$(date +%s.%N)
  printf '%-8s nothing new:    %6.2f s  %s\n' "$name" "$(echo "$t1 - $t0" | bc)" "$line"
}
run example "$work/example"
run "$n" "$work/large"
