#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# magic_wand.sh TINYAOT TENSOR_CMP SHARED: the classic TFLM "magic wand" gesture model with its
# real accelerometer recordings on the emulated Cortex-M4F: `tinyaot eval` over the ring and
# slope recordings must predict ring (1) and slope (2), and the model's outputs must match
# the TFLM reference vectors on the board. Exit 77 (skip) when SHARED is absent.
set -u
tinyaot=$1 cmp=$2 shared=$3
model="$shared/models/tflite/gesture_magic_wand_accel_float.tflite"
data="$shared/models/testdata"
if [ ! -f "$model" ]; then
  echo "SKIP: $model not found (../shared is absent in a fresh clone)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/magic-wand-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat "$data/gesture_magic_wand_accel_ring_input.f32" "$data/gesture_magic_wand_accel_slope_input.f32" >"$tmp/data.bin"
printf '\001\002' >"$tmp/labels.bin"
printf 'wing\nring\nslope\nnegative\n' >"$tmp/classes.txt"
fail=0
if "$tinyaot" eval "$model" --data "$tmp/data.bin" --labels "$tmp/labels.bin" \
    --classes "$tmp/classes.txt" --target cortex-m4 --report "$tmp/report.html" >"$tmp/log" 2>&1 &&
    grep -q "accuracy: 100.0% (2 of 2 records)" "$tmp/log" && grep -q "<svg" "$tmp/report.html"; then
  echo "ok   ring and slope recordings classified as ring (1) and slope (2) on cortex-m4"
else
  echo "FAIL ring/slope on cortex-m4:"; cat "$tmp/log"; fail=1
fi
sed -n '/^accuracy/,/^fits/p' "$tmp/log"
if sh "$(dirname "$0")/golden_target.sh" "$tinyaot" "$cmp" "$shared" gesture_magic_wand_accel_float \
    cortex-m4; then
  echo "ok   outputs match the TFLM reference vectors on cortex-m4"
else
  fail=1
fi
[ $fail = 0 ] && echo "magic wand: 2 passed, 0 failed" || echo "magic wand: failed"
[ $fail = 0 ]
