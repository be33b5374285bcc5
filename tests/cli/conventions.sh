#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# conventions.sh BUILD_DIR: one set of command-line conventions (issue 17, item 15): `tinyaot
# help CMD` is CMD --help; --version is listed; -o/--output names the output in every command
# that writes one (run keeps --output-dir); no progress lines when the output is no terminal
# unless --progress, and eval's bar then shows the rate and the time left.
set -u
build=$1
ta="$build/tinyaot"
g="$(cd "$(dirname "$0")/../../examples/gesture" && pwd)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-conventions-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"
LC_ALL=C awk 'BEGIN { for (i = 0; i < 4 * 256; i++) printf "%c%c%c%c", 0, 0, 128 * (i % 2), (i % 7 < 3 ? 63 : 191) }' \
  >"$tmp/calib.bin"

for c in compile run inspect bench eval quantize onnx-test; do
  "$ta" $c --help >"$tmp/a" 2>&1
  expect 0 "help $c" "usage: tinyaot $c" -- "$ta" help $c
  check "help $c is $c --help" cmp -s "$tmp/a" "$tmp/out"
done
expect 1 "help of an unknown command" "tinyaot help: error: unknown command 'frob'" -- "$ta" help frob
expect 0 "help alone is --help" "usage: tinyaot" -- "$ta" help
expect 0 "--help lists --version" "--version" -- "$ta" --help
check "--help lists help COMMAND" grep -q "help COMMAND" "$tmp/out"
check "--help gives the exit codes, 3 among them" grep -q "3 (eval)" "$tmp/out"

# -o and --output in every command that writes one output.
expect 0 "compile -o" "wrote" -- "$ta" compile "$m" -o "$tmp/c1"
expect 0 "compile --output" "wrote" -- "$ta" compile "$m" --output "$tmp/c2"
expect 0 "run -o" "" -- "$ta" run "$m" --input "$tmp/input_0.bin" -o "$tmp/r1"
check "run -o wrote output_0.bin" cmp -s "$tmp/r1/output_0.bin" "$tmp/expected_0.bin"
expect 0 "run --output" "" -- "$ta" run "$m" --input "$tmp/input_0.bin" --output "$tmp/r2"
expect 0 "run --output-dir (the older spelling) still works" "" -- \
  "$ta" run "$m" --input "$tmp/input_0.bin" --output-dir "$tmp/r3"
check "run --output-dir wrote output_0.bin" test -f "$tmp/r3/output_0.bin"
expect 1 "run: -o and --output-dir are one option" "option --output-dir given twice" -- \
  "$ta" run "$m" --input "$tmp/input_0.bin" -o "$tmp/r4" --output-dir "$tmp/r5"
expect 0 "quantize -o" "written to $tmp/q1.tflite" -- \
  "$ta" quantize "$tmp/example_float.tflite" --calibration "$tmp/calib.bin" -o "$tmp/q1.tflite"
expect 0 "quantize --output" "written to $tmp/q2.tflite" -- \
  "$ta" quantize "$tmp/example_float.tflite" --calibration "$tmp/calib.bin" --output "$tmp/q2.tflite"

# Progress: none into a pipe or file, unless asked.
set -- "$g/gesture.onnx" --target host --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" --limit 40
expect 0 "eval into a file" "accuracy" -- "$ta" eval "$@"
check "eval into a file: no progress lines" sh -c "! grep -q -e 'records/s' -e '\[#' -e 'evaluating' -e '/40 records' '$tmp/out'"
expect 0 "eval --json into a file" "" -- "$ta" eval "$@" --json
check "eval --json into a file: stderr empty" test ! -s "$tmp/stderr"
expect 0 "eval --progress" "accuracy" -- "$ta" eval "$@" --progress
check "eval --progress: the bar reaches 40/40" grep -q '\] 40/40' "$tmp/stdout"
check "eval --progress: rate and ETA" grep -q 'records/s  ETA [0-9]*:[0-9][0-9]' "$tmp/stdout"
expect 0 "eval --json --progress: the bar on stderr" "" -- "$ta" eval "$@" --json --progress
check "eval --json --progress: stderr has the bar" grep -q 'records/s' "$tmp/stderr"
expect 0 "quantize into a file" "" -- "$ta" quantize "$tmp/example_float.tflite" --calibration "$tmp/calib.bin"
check "quantize into a file: no bar" sh -c "! grep -q '\[#' '$tmp/stderr'"
expect 0 "quantize --progress" "" -- "$ta" quantize "$tmp/example_float.tflite" --calibration "$tmp/calib.bin" --progress
check "quantize --progress: the bar on stderr" grep -q '\[#' "$tmp/stderr"
finish
