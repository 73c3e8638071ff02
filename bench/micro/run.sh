#!/usr/bin/env bash
# Runs the two micro-benchmarks that used to be timed asserts in the unit tests (issue 11.7):
# loading N news files (ContentLoadBenchmarkTests) and sealing/opening a 4 KB envelope
# (EnvelopeBenchmarkTests). Each prints one BENCH line with a ratio to a reference measured in
# the same run; nothing here passes or fails on time.
#
# Usage: bench/micro/run.sh [FILES] [ROUNDS]      (defaults 10000 files, 20000 rounds)
# CONFIG=release builds the test bundle optimised first (slow: the whole package).
set -euo pipefail
files=${1:-10000}
rounds=${2:-20000}
config=${CONFIG:-debug}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build --build-tests -c "$config" 2>&1 | grep -E "error|Build complete" || true
# A failing run shows its log; a passing one only its BENCH line.
run() { swift test --skip-build -c "$config" --filter "$1" >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }; }
PORTAL_BENCH_CONTENT_FILES=$files PORTAL_BENCH_RESULT=$out/content.txt run ContentLoadBenchmarkTests
PORTAL_BENCH_ENVELOPE_ROUNDS=$rounds PORTAL_BENCH_RESULT=$out/envelope.txt run EnvelopeBenchmarkTests
echo "config=$config load_average=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
cat "$out/content.txt" "$out/envelope.txt"
