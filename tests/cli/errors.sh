#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# errors.sh BUILD_DIR: messages in plain words first (issue 17, item 10): a cut-off .tflite, a
# text file named .onnx, a folder given as the model, a failed write naming the user's path
# (not a temporary one); one prefix, "tinyaot CMD: error: ", in every command; unknown targets
# listed the same way everywhere; refusals of what used to pass silently: --input-shape naming
# no input, --classes with the wrong number of names, an option given twice.
set -u
build=$1
ta="$build/tinyaot"
g="$(cd "$(dirname "$0")/../../examples/gesture" && pwd)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-errors-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"
size=$(wc -c <"$m" | tr -d ' ')
LC_ALL=C awk 'BEGIN { for (i = 0; i < 4 * 256; i++) printf "%c%c%c%c", 0, 0, 128 * (i % 2), (i % 7 < 3 ? 63 : 191) }' \
  >"$tmp/calib.bin"

# first LINE WANT: the first line of the output starts with WANT.
first() {
  line=$(head -n 1 "$tmp/out")
  case "$line" in "$2"*) echo "ok   $1"; pass=$((pass + 1)) ;;
  *) echo "FAIL $1: first line '$line', expected it to start with '$2'"; fail=$((fail + 1)) ;; esac
}

# A cut-off model: one message, the plain words first, with both sizes.
head -c 100 "$m" >"$tmp/cut.tflite"
expect 1 "truncated .tflite" "" -- "$ta" inspect "$tmp/cut.tflite"
first "truncated .tflite: plain words first" \
  "tinyaot inspect: error: $tmp/cut.tflite: file is truncated (100 bytes; the model needs at least "
same "truncated .tflite: one message, no flatbuffer detail after it" "$(wc -l <"$tmp/out" | tr -d ' ')" 1
head -c $((size - 1)) "$m" >"$tmp/cut1.tflite"
expect 1 "one byte short" "file is truncated ($((size - 1)) bytes; the model needs at least $size)" -- \
  "$ta" compile "$tmp/cut1.tflite" -o "$tmp/never"
# A text file under an ONNX name (a README, an HTML page, a Git LFS pointer).
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:0\n' >"$tmp/model.onnx"
expect 1 "text file named .onnx" "" -- "$ta" inspect "$tmp/model.onnx"
first "text file named .onnx: not an ONNX model" \
  "tinyaot inspect: error: $tmp/model.onnx: is not an ONNX model: it is a text file (it begins \"version https"
# A folder as the model.
expect 1 "folder as model" "'$tmp' is a folder, not a file" -- "$ta" compile "$tmp" -o "$tmp/never"
check "nothing written for a bad model" test ! -e "$tmp/never"

# A write that fails: the message names the user's output, never a temporary name.
expect 1 "write error (file size limit)" "cannot write '$tmp/lib/" -- \
  sh -c 'trap "" XFSZ; ulimit -f 6; exec "$@"' sh "$ta" compile "$m" -o "$tmp/lib"
check "write error: no temporary name in the message" sh -c "! grep -q 'lib\.tmp\.' '$tmp/out'"
expect 1 "quantize -o write error names the file" "cannot write '$tmp/q.tflite'" -- \
  sh -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' sh "$ta" quantize "$tmp/example_float.tflite" \
  --calibration "$tmp/calib.bin" -o "$tmp/q.tflite"
check "quantize write error: no temporary name" sh -c "! grep -q 'q.tflite\.' '$tmp/out'"

# One prefix in every command.
for c in compile run inspect bench eval quantize onnx-test; do
  expect 1 "$c: unknown option" "" -- "$ta" $c "$m" --bogus
  first "$c: prefix" "tinyaot $c: error: unknown option '--bogus'"
done
expect 1 "compile: missing file" "" -- "$ta" compile "$tmp/nope.tflite" -o "$tmp/never"
first "compile: a library message has the prefix too" "tinyaot compile: error: $tmp/nope.tflite: cannot open"

# Unknown targets: the same list in every command that takes --target.
list="(targets: host, cortex-m3, cortex-m4, cortex-m7, cortex-m33)"
expect 1 "run: unknown target" "unknown target 'm5' $list" -- "$ta" run "$m" --input x -o "$tmp/o" --target m5
expect 1 "eval: unknown target" "unknown target 'm5' $list" -- "$ta" eval "$m" --data x --labels y --target m5
expect 1 "inspect: unknown target" "unknown target 'm5' $list" -- "$ta" inspect "$m" --code-size --target m5
expect 1 "bench: unknown target (no host)" "unknown target 'm5' (targets: cortex-m3, cortex-m4, cortex-m7, cortex-m33)" -- \
  "$ta" bench "$m" --target m5
expect 1 "bench --suite: unknown target" "unknown target 'm5' (targets: cortex-m3," -- \
  "$ta" bench --suite "$tmp" --targets cortex-m4,m5

# What used to pass silently.
expect 1 "--input-shape naming no input" "--input-shape acel: the model has no input of that name (inputs: accel)" -- \
  "$ta" inspect "$g/gesture.onnx" --input-shape acel=1,50,3
expect 1 "--input-shape on a TFLite model" "a TFLite model's input shapes are fixed" -- \
  "$ta" inspect "$m" --input-shape input=1,16,16,1
printf 'wing\nring\nslope\n' >"$tmp/classes3.txt"
expect 1 "--classes with 3 names for 4 classes" "--classes $tmp/classes3.txt: 3 names, but the model has 4 classes" -- \
  "$ta" eval "$g/gesture.onnx" --target host --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" \
  --classes "$tmp/classes3.txt" --limit 2
expect 0 "--classes with 4 names (a trailing empty line is no name)" "" -- \
  "$ta" eval "$g/gesture.onnx" --target host --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" \
  --classes "$g/classes.txt" --limit 2
expect 1 "-o given twice" "option -o given twice" -- "$ta" compile "$m" -o "$tmp/a" -o "$tmp/b"
expect 1 "--target given twice" "option --target given twice" -- "$ta" bench "$m" --target cortex-m4 --target=cortex-m7
expect 1 "--align given twice" "option --align given twice" -- "$ta" inspect "$m" --align 4 --align 16
expect 0 "--backend-var is repeatable" "" -- "$ta" inspect "$m" --backend-var A=1 --backend-var B=2
finish
