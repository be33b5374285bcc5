#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tuning_log.sh BUILD_DIR [qemu]: --tuning-log on the command line. A hand-written log picks
# the reference variant for the example model's CONV_2D (a non-default choice) and nothing for
# its other ops: inspect shows "log" for that op and exactly the untuned schedule for the
# rest, the generated code calls the reference kernel, and the outputs stay the same bytes. A
# hostile or truncated log is exit 1 naming the line, and nothing is written; a stale record
# warns and falls back. With "qemu": bench --tuning-log on the emulated Cortex-M4 shows the
# untuned and tuned builds side by side, both bit-exact (ctest label qemu).
set -u
build=$1 mode=${2:-host}
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clitune-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect CODE DESCRIPTION TEXT -- CMD...: run CMD, want exit CODE and TEXT in its output.
expect() {
  code=$1 desc=$2 text=$3
  shift 4
  "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" != "$code" ]; then
    echo "FAIL $desc: exit $got, expected $code"; sed 's/^/     /' "$tmp/out"; fail=$((fail + 1)); return
  fi
  if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; then
    echo "FAIL $desc: output lacks '$text':"; sed 's/^/     /' "$tmp/out"; fail=$((fail + 1)); return
  fi
  echo "ok   $desc"; pass=$((pass + 1))
}
check() { # check DESCRIPTION CONDITION...
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}

"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"

# The workload keys, as inspect --json gives them (one op per line).
"$ta" inspect "$m" --json >"$tmp/plain.json" || { echo "FAIL inspect --json"; exit 1; }
key() { sed -n "s/.*\"type\":\"$1\".*\"workload\":\"\([^\"]*\)\".*/\1/p" "$tmp/plain.json"; }
conv=$(key CONV_2D)
fc=$(key FULLY_CONNECTED)
check "inspect --json gives the workload keys" test -n "$conv" -a -n "$fc"
rec() { # rec WORKLOAD TARGET VARIANT KNOBS INSTRUCTIONS STATUS
  printf '{"tinyaot":"0.1.0","workload":"%s","target":"%s","variant":"%s","knobs":{%s},"instructions":%s,"cycles":null,"status":"%s","reason":null}\n' "$@"
}
# The reference variant is the best "ok" record of the conv; a faster record is "wrong".
{
  rec "$conv" cortex-m4 packed '"weights":16' 900 ok
  rec "$conv" cortex-m4 ref '' 800 ok
  rec "$conv" cortex-m4 packed '"weights":8' 10 wrong
} >"$tmp/tune.log"

if [ "$mode" = qemu ]; then
  expect 0 "bench --tuning-log" "tuned outputs match the untuned: yes (identical bytes)" -- \
    "$ta" bench "$m" --target cortex-m4 --tuning-log "$tmp/tune.log"
  cp "$tmp/out" "$tmp/bench.txt"
  check "bench: both builds match the host" grep -qF \
    "outputs match the host build: untuned yes (identical bytes); tuned yes (identical bytes)" "$tmp/bench.txt"
  check "bench: both columns" grep -q "untuned variant.*instructions.*tuned variant.*instructions.*change" "$tmp/bench.txt"
  check "bench: the conv row shows the log's pick" grep -q "CONV_2D  *packed weights=0 (heuristic)  *[0-9,]*  *ref (log)  *[0-9,]*  *+" "$tmp/bench.txt"
  check "bench: the other ops keep the heuristic" grep -q "DEPTHWISE_CONV_2D  *plane_inplace (heuristic)  *[0-9,]*  *plane_inplace (heuristic)" "$tmp/bench.txt"
  check "bench: totals" grep -q "instructions per inference: untuned [0-9,]*, tuned [0-9,]* (+" "$tmp/bench.txt"
  check "bench: 1 of 5 ops from the log" grep -qF "records of cortex-m4 applied to 1 of 5 ops" "$tmp/bench.txt"
  expect 0 "bench --tuning-log --json" '"tuned_outputs_match_untuned": true' -- \
    "$ta" bench "$m" --tuning-log "$tmp/tune.log" --json
  check "bench --json: both runs" grep -q '"untuned": {"schema_version"' "$tmp/out"
  check "bench --json: the tuned pick" grep -qF '{"index": 0, "untuned": "packed weights=0 (heuristic)", "tuned": "ref (log)"}' "$tmp/out"
  printf '{"tinyaot":"0.1.0"}\n' >"$tmp/bad.log"
  expect 1 "bench with a bad log" "bad.log:1: workload: missing (a string)" -- \
    "$ta" bench "$m" --tuning-log "$tmp/bad.log"
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
  exit
fi

# inspect: the conv from the log, every other op exactly as without the log.
expect 0 "inspect --tuning-log" "ref (log)" -- "$ta" inspect "$m" --tuning-log "$tmp/tune.log"
"$ta" inspect "$m" --json --tuning-log "$tmp/tune.log" >"$tmp/tuned.json" 2>"$tmp/err"
check "inspect --json: op 0 from the log" grep -q '"index":0,.*"variant":{"name":"ref","from":"log"' "$tmp/tuned.json"
grep -v '"index":0,' "$tmp/plain.json" | grep '"index"' >"$tmp/rest.plain"
grep -v '"index":0,' "$tmp/tuned.json" | grep '"index"' >"$tmp/rest.tuned"
check "inspect --json: the ops missing from the log keep the heuristic" cmp -s "$tmp/rest.plain" "$tmp/rest.tuned"
check "inspect --json: the five other ops compared" test "$(wc -l <"$tmp/rest.tuned")" -eq 5
check "inspect: no warning for a good log" test ! -s "$tmp/err"

# compile: the reference conv kernel in the generated code; run: the same output bytes.
expect 0 "compile --tuning-log" "wrote" -- "$ta" compile "$m" -o "$tmp/lib" --name demo --tuning-log "$tmp/tune.log"
check "compile: the log's kernel is called" grep -q "tart_conv2d_s8(" "$tmp/lib/demo.c"
check "compile: not the packed one" sh -c "! grep -q 'tart_conv2d_s8_packed(' '$tmp/lib/demo.c'"
expect 0 "run without a log" "" -- "$ta" run "$m" --input "$tmp/input_0.bin" --output-dir "$tmp/o0"
expect 0 "run --tuning-log" "" -- "$ta" run "$m" --input "$tmp/input_0.bin" --output-dir "$tmp/o1" \
  --tuning-log "$tmp/tune.log" --tuning-target cortex-m4
check "run: the same output bytes" cmp -s "$tmp/o0/output_0.bin" "$tmp/o1/output_0.bin"
check "run: the expected output bytes" cmp -s "$tmp/o1/output_0.bin" "$tmp/expected_0.bin"
# eval (host, in process): the same predictions with the log as without.
cat "$tmp/input_0.bin" "$tmp/input_0.bin" >"$tmp/data.bin"
printf '\000\001' >"$tmp/labels.bin"
expect 0 "eval without a log" "" -- "$ta" eval "$m" --data "$tmp/data.bin" --labels "$tmp/labels.bin" --target host
grep -i "accuracy" "$tmp/out" >"$tmp/acc0"
expect 0 "eval --tuning-log" "" -- "$ta" eval "$m" --data "$tmp/data.bin" --labels "$tmp/labels.bin" --target host \
  --tuning-log "$tmp/tune.log"
grep -i "accuracy" "$tmp/out" >"$tmp/acc1"
check "eval: the same accuracy" sh -c "test -s '$tmp/acc0' && cmp -s '$tmp/acc0' '$tmp/acc1'"

# Hostile logs: exit 1, the line and the key named, nothing written.
bad() { # bad NAME MESSAGE: $tmp/NAME.log was written
  expect 1 "compile with $1" "$2" -- "$ta" compile "$m" -o "$tmp/out_$1" --tuning-log "$tmp/$1.log"
  check "$1 leaves no output" test ! -e "$tmp/out_$1"
  expect 1 "inspect with $1" "$2" -- "$ta" inspect "$m" --tuning-log "$tmp/$1.log"
  expect 1 "run with $1" "$2" -- "$ta" run "$m" --input "$tmp/input_0.bin" --output-dir "$tmp/run_$1" \
    --tuning-log "$tmp/$1.log"
  check "$1: run leaves no output" test ! -e "$tmp/run_$1"
  expect 1 "eval with $1" "$2" -- "$ta" eval "$m" --data "$tmp/data.bin" --labels "$tmp/labels.bin" \
    --target host --tuning-log "$tmp/$1.log"
}
{ rec "$conv" cortex-m4 ref '' 800 ok; rec "$conv" cortex-m4 ref '' 800 great; } >"$tmp/status.log"
bad status "status.log:2: status: unknown status \"great\" (known: ok, wrong, fault, error)"
{ rec "$conv" cortex-m4 ref '' -3 error; } >"$tmp/negative.log"
bad negative "negative.log:1: instructions: negative count -3"
{ rec "$conv" cortex-m4 packed '"weights":"16"' 5 ok; } >"$tmp/knob.log"
bad knob 'knob.log:1: knobs.weights: expected an integer, found a string'
{ rec "$conv" cortex-m4 ref '' 800 ok; printf 'not json\n'; } >"$tmp/notjson.log"
bad notjson "notjson.log:2: not JSON:"
{ rec "$conv" cortex-m4 ref '' 800 ok; rec "$fc" cortex-m4 ref '' 800 ok | head -c 60; } >"$tmp/truncated.log"
bad truncated "truncated.log:2: truncated record (the last line has no newline and is not complete JSON"
expect 1 "a missing log" "cannot open '$tmp/none.log'" -- "$ta" inspect "$m" --tuning-log "$tmp/none.log"
expect 1 "--tuning-log without a value" "option --tuning-log needs a value" -- "$ta" inspect "$m" --tuning-log

# A stale record (a variant the op no longer has): a warning naming the line, the heuristic.
{ rec "$fc" cortex-m4 turbo '' 10 ok; } >"$tmp/stale.log"
# (with --json the warning is a JSON object on stderr: its quotes are escaped)
expect 0 "a stale record" 'stale.log:1: tuning record names variant \"turbo\", which this op does not have' -- \
  "$ta" inspect "$m" --json --tuning-log "$tmp/stale.log"
check "a stale record warns once" test "$(grep -c 'stale.log:1' "$tmp/out")" -eq 1
grep '"index"' "$tmp/plain.json" >"$tmp/all.plain"
grep '"index"' "$tmp/out" >"$tmp/all.stale"
check "a stale record: the heuristic everywhere" cmp -s "$tmp/all.plain" "$tmp/all.stale"

# Targets: a log of several needs --tuning-target (compile and inspect have no board).
{ rec "$conv" cortex-m4 ref '' 800 ok; rec "$conv" cortex-m7 packed '"weights":8' 700 ok; } >"$tmp/two.log"
expect 1 "two targets, none chosen" "holds records for several targets (cortex-m4, cortex-m7): say which with --tuning-target" -- \
  "$ta" inspect "$m" --tuning-log "$tmp/two.log"
expect 0 "--tuning-target cortex-m7" "packed (log)" -- \
  "$ta" inspect "$m" --tuning-log "$tmp/two.log" --tuning-target cortex-m7
expect 0 "--tuning-target cortex-m4" "ref (log)" -- \
  "$ta" inspect "$m" --tuning-log "$tmp/two.log" --tuning-target cortex-m4
expect 1 "--tuning-target absent from the log" "has no record for target cortex-m33 (it has: cortex-m4, cortex-m7)" -- \
  "$ta" inspect "$m" --tuning-log "$tmp/two.log" --tuning-target cortex-m33
expect 1 "bench --suite --tuning-log" "--tuning-log is an option of one model's bench" -- \
  "$ta" bench --suite "$tmp" --tuning-log "$tmp/tune.log"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
