#!/usr/bin/env bash
# Unlock at 100, 1,000 and 10,000 items (issue 13): one school per size, its items spread over
# max(1, N / 1000) years as an archive grows, a groep-5 token (school + one group), served by
# `portal serve`, measured in headless Chromium by measure.py (cold and warm).
#
# Usage: bench/unlock/run.sh [SIZES...]     default: 100 1000 10000
# BASELINE=/path/to/old/checkout measures that checkout's release `portal` and its theme (the app)
# on the same schools right after the current one, for before/after figures.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
sizes=("${@:-100 1000 10000}")
(cd "$repo" && swift build -c release --product portal --static-swift-stdlib 2>&1 | grep -E "error|Build complete" || true)
builds=("$repo")
[ -n "${BASELINE:-}" ] && builds+=("$BASELINE")
for n in ${sizes[@]}; do
 for build in "${builds[@]}"; do
  portal=$build/.build/release/portal
  work=/dev/shm/ouderportaal-unlock-$n
  rm -rf "$work" && mkdir -p "$work"
  years=$(( n / 1000 > 1 ? n / 1000 : 1 ))
  python3 "$repo/bench/generate/make_corpus.py" "$n" "$work" --years "$years" >/dev/null
  args=(--content "$work/content" --keys "$work/keys")
  token=$("$portal" token issue "${args[@]}" --group groep-5 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  "$portal" generate --no-push "${args[@]}" --output "$work/output" --theme "$build/themes/default" >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$portal" serve --output "$work/output" --port "$port" >/dev/null 2>&1 &
  server=$!
  sleep 1
  echo "== $n items over $years year(s), $build"
  python3 "$repo/bench/unlock/measure.py" --url "http://127.0.0.1:$port/" --token "$token" --runs "${RUNS:-10}" || true
  kill "$server"
 done
done
