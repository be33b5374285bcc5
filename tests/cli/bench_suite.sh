#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_suite.sh BUILD_DIR [SHARED_DIR]: `tinyaot bench --suite` (issue 17, item 13) on the
# emulated Cortex-M4F, with a good model and a cut-off one: no BENCHMARKS.md (no file at all)
# unless --report asks, the report then on stdout; a failed model's log named on stderr and in
# the report, holding the reason; no TFLM column nor word about TFLM without --anchors (with
# the shared anchors, when present: the columns and the file named); the chart named only when
# drawn; no log folder left after a run without failures.
set -u
build=$1 shared=${2:-}
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-bench-suite-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
mkdir "$tmp/models" "$tmp/work"
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
cp "$tmp/example.tflite" "$tmp/models/"
head -c 100 "$tmp/example.tflite" >"$tmp/models/cut.tflite"
cd "$tmp/work" || exit 1

expect 1 "suite with a failing model: exit 1" "" -- "$ta" bench --suite "$tmp/models" --targets cortex-m4
check "no BENCHMARKS.md without --report" test ! -e BENCHMARKS.md
check "no file at all without --report" test -z "$(ls -A)"
check "the report on stdout" grep -q "^# Benchmarks" "$tmp/stdout"
check "the good model measured" grep -q "^| example | Cortex-M4F | [0-9,]* |" "$tmp/stdout"
log=$(sed -n 's/^tinyaot bench: cut on cortex-m4: failed (log: \(.*\))$/\1/p' "$tmp/stderr")
check "stderr names the failed model's log" test -n "$log"
check "the log holds the reason" grep -q "file is truncated (100 bytes" "$log"
check "the report names the log" grep -qF "| cut | cortex-m4 | failed (log: \`$log\`) |" "$tmp/stdout"
check "stderr names the log folder" grep -q "1 of 2 runs failed; the logs of the failed models are in $(dirname "$log")" "$tmp/stderr"
check "no TFLM without --anchors" sh -c "! grep -q TFLM '$tmp/stdout'"
check "no chart named without --svg" sh -c "! grep -q 'chart' '$tmp/stdout'"
[ -n "$log" ] && rm -rf "$(dirname "$log")"

rm "$tmp/models/cut.tflite"
expect 0 "--report writes the file" "wrote $tmp/work/r.md" -- \
  "$ta" bench --suite "$tmp/models" --targets cortex-m4 --report "$tmp/work/r.md" --svg "$tmp/work/c.svg"
check "--report: nothing on stdout" test ! -s "$tmp/stdout"
check "--report: the report in the file" grep -q "^| example | Cortex-M4F |" r.md
check "--svg: the chart named by its path" grep -qF "The chart \`$tmp/work/c.svg\`" r.md
check "no log folder left after a clean run" sh -c "! grep -q 'logs' '$tmp/stderr'"
expect 1 "--report into a missing folder: refused before the run" "--report $tmp/nope/r.md: the folder" -- \
  "$ta" bench --suite "$tmp/models" --targets cortex-m4 --report "$tmp/nope/r.md"
check "refused before the run: nothing measured" sh -c "! grep -q instructions '$tmp/out'"

anchors="$shared/anchors/tflm-cortex-m.md"
if [ -n "$shared" ] && [ -f "$anchors" ]; then
  expect 0 "with --anchors" "" -- "$ta" bench --suite "$tmp/models" --targets cortex-m4 --anchors "$anchors"
  check "--anchors: the TFLM columns" grep -q "| TFLM reference kernels | TFLM + CMSIS-NN |" "$tmp/stdout"
  check "--anchors: the file named" grep -qF "figures are from \`$anchors\`" "$tmp/stdout"
fi
finish
