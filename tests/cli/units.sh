#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# units.sh BUILD_DIR [qemu]: units and formats (issue 17, item 12) on the gesture model
# (examples/gesture, float32 input [1,1,128,3], 4 classes):
#   .npy inputs wherever raw .bin ones go (run, eval --data/--labels/--expect; bench with qemu),
#   giving the same results as the .bin files, and plain refusals of a wrong dtype, shape or
#   record count; sizes with units in budgets ("12X" refused); with qemu, --part and --clock-hz
#   (milliseconds at the part's clock, the part's budgets and core) in eval and bench.
set -u
build=$1 mode=${2:-}
ta="$build/tinyaot"
g="$(dirname "$0")/../../examples/gesture"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/units-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

expect() { # expect CODE DESCRIPTION TEXT -- CMD...
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

# npy SRC DST DESCR SHAPE [OFFSET BYTES]: DST as a .npy (version 1.0) of SRC's bytes.
npy() {
  python3 - "$@" <<'PY'
import sys
src, dst, descr, shape = sys.argv[1:5]
data = open(src, "rb").read()
if len(sys.argv) > 5:
    off, n = int(sys.argv[5]), int(sys.argv[6])
    data = data[off:off + n]
h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
h += " " * (63 - (10 + len(h)) % 64) + "\n"
open(dst, "wb").write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode() + data)
PY
}

rec=1536 # one record: 128 x 3 float32
head -c $rec "$g/test_inputs.bin" >"$tmp/in0.bin"
npy "$g/test_inputs.bin" "$tmp/in0.npy" '<f4' '(1, 1, 128, 3)' 0 $rec
npy "$g/test_inputs.bin" "$tmp/in0_short.npy" '<f4' '(128, 3)' 0 $rec
npy "$g/test_inputs.bin" "$tmp/in2.npy" '<f4' '(2, 128, 3)' 0 $((2 * rec))
npy "$g/test_inputs.bin" "$tmp/in0_f8.npy" '<f8' '(1, 128, 3)' 0 $((2 * rec))
npy "$g/test_inputs.bin" "$tmp/in0_bad.npy" '<f4' '(128, 4)' 0 $((4 * 128 * 4))
npy "$g/test_inputs.bin" "$tmp/in0_be.npy" '>f4' '(128, 3)' 0 $rec

# run: the .npy gives the .bin's output, byte for byte.
expect 0 "run --input .bin" "ran" -- "$ta" run "$g/gesture.onnx" --input "$tmp/in0.bin" --output-dir "$tmp/o_bin"
expect 0 "run --input .npy (1,1,128,3)" "ran" -- "$ta" run "$g/gesture.onnx" --input "$tmp/in0.npy" --output-dir "$tmp/o_npy"
expect 0 "run --input .npy (128,3): leading 1s dropped" "ran" -- "$ta" run "$g/gesture.onnx" --input "$tmp/in0_short.npy" --output-dir "$tmp/o_npy2"
if cmp -s "$tmp/o_bin/output_0.bin" "$tmp/o_npy/output_0.bin" && cmp -s "$tmp/o_bin/output_0.bin" "$tmp/o_npy2/output_0.bin"; then
  echo "ok   run: .npy and .bin inputs give identical outputs"; pass=$((pass + 1))
else
  echo "FAIL run: .npy output differs from .bin's"; fail=$((fail + 1))
fi
expect 1 "run: a float64 .npy for a float32 input" \
  "in0_f8.npy: .npy data type '<f8'; input \"accel\" is float32 [1,1,128,3] (save the array with dtype=numpy.float32" -- \
  "$ta" run "$g/gesture.onnx" --input "$tmp/in0_f8.npy" --output-dir "$tmp/o"
expect 1 "run: a big-endian .npy" "in0_be.npy: .npy data type '>f4'" -- \
  "$ta" run "$g/gesture.onnx" --input "$tmp/in0_be.npy" --output-dir "$tmp/o"
expect 1 "run: a .npy of another shape" \
  "in0_bad.npy: .npy shape (128,4) does not end with the dims of input \"accel\" [1,1,128,3]" -- \
  "$ta" run "$g/gesture.onnx" --input "$tmp/in0_bad.npy" --output-dir "$tmp/o"
expect 1 "run: a .npy of two records" "in2.npy' holds 2 records of model input 0 \"accel\" (float32 [1,1,128,3]); run takes one" -- \
  "$ta" run "$g/gesture.onnx" --input "$tmp/in2.npy" --output-dir "$tmp/o"
printf '\223NUMPY\001\000\377\000{' >"$tmp/trunc.npy"
expect 1 "run: a truncated .npy header" "trunc.npy: malformed .npy header: it claims 255 bytes, but only 1 follow" -- \
  "$ta" run "$g/gesture.onnx" --input "$tmp/trunc.npy" --output-dir "$tmp/o"

# eval: data, labels and reference outputs as .npy give the .bin files' report.
n=40
npy "$g/test_inputs.bin" "$tmp/data.npy" '<f4' "($n, 1, 128, 3)" 0 $((n * rec))
npy "$g/test_labels.bin" "$tmp/labels.npy" '|u1' "($n,)" 0 $n
npy "$g/test_outputs_torch.bin" "$tmp/expect.npy" '<f4' "($n, 4)" 0 $((n * 16))
npy "$g/test_labels.bin" "$tmp/labels_i8.npy" '<i8' "($((n / 8)),)" 0 $n
"$ta" eval "$g/gesture.onnx" --target host --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" \
  --expect "$g/test_outputs_torch.bin" --limit $n --json >"$tmp/eval_bin.json" 2>/dev/null
expect 0 "eval --data/--labels/--expect .npy" "" -- "$ta" eval "$g/gesture.onnx" --target host \
  --data "$tmp/data.npy" --labels "$tmp/labels.npy" --expect "$tmp/expect.npy" --json
grep "^{" "$tmp/out" >"$tmp/eval_npy.json"
if [ -s "$tmp/eval_bin.json" ] && cmp -s "$tmp/eval_bin.json" "$tmp/eval_npy.json"; then
  echo "ok   eval: .npy files give the .bin files' JSON"; pass=$((pass + 1))
else
  echo "FAIL eval: .npy JSON differs from .bin's"; diff "$tmp/eval_bin.json" "$tmp/eval_npy.json" | head -5; fail=$((fail + 1))
fi
expect 1 "eval: int64 labels .npy" "labels_i8.npy: .npy data type '<i8'; input \"labels\" is uint8" -- \
  "$ta" eval "$g/gesture.onnx" --target host --data "$tmp/data.npy" --labels "$tmp/labels_i8.npy"

# Sizes with units: one parser, a plain refusal.
for opt in --flash-budget --ram-budget; do
  expect 1 "eval $opt 12X" \
    "tinyaot eval: $opt takes a size in bytes: a whole number, optionally with K, KiB, M or MiB (1K = 1024), not '12X'" -- \
    "$ta" eval "$g/gesture.onnx" --data "$tmp/data.npy" --labels "$tmp/labels.npy" $opt 12X
done
expect 1 "bench --ram-budget 1.5M" "--ram-budget takes a size in bytes" -- "$ta" bench "$g/gesture.onnx" --ram-budget 1.5M
expect 1 "inspect --max-arena 12X" "--max-arena takes a size in bytes" -- "$ta" inspect "$g/gesture.onnx" --max-arena 12X
expect 0 "inspect --max-arena 64KiB" "arena 12288 bytes" -- "$ta" inspect "$g/gesture.onnx" --max-arena 64KiB
expect 1 "inspect --max-arena 8K (the arena needs 12288)" "8192" -- "$ta" inspect "$g/gesture.onnx" --max-arena 8K
expect 1 "eval --part rp2040 (a Cortex-M0+: no target)" "unknown part 'rp2040' (known: stm32l4r5, stm32f746, nrf52840)" -- \
  "$ta" eval "$g/gesture.onnx" --data "$tmp/data.npy" --labels "$tmp/labels.npy" --part rp2040
expect 1 "bench --clock-hz fast" "--clock-hz takes a clock in Hz" -- "$ta" bench "$g/gesture.onnx" --clock-hz fast

if [ "$mode" = qemu ]; then
  expect 0 "eval --part stm32l4r5: its clock and budgets" "fits stm32l4r5 (2 MiB flash, 640 KiB RAM): yes" -- \
    "$ta" eval "$g/gesture.onnx" --data "$tmp/data.npy" --labels "$tmp/labels.npy" --limit 2 --part stm32l4r5
  grep -q "ms at 120 MHz" "$tmp/out" && grep -q "on Cortex-M4F" "$tmp/out" &&
    { echo "ok   eval --part stm32l4r5: ms at 120 MHz on its core"; pass=$((pass + 1)); } ||
    { echo "FAIL eval --part: no '= ... ms at 120 MHz' on Cortex-M4F"; fail=$((fail + 1)); }
  expect 3 "eval --ram-budget 16KiB --flash-budget 1M (a missed budget exits 3)" "fits a part with 1 MiB flash and 16 KiB RAM: NO" -- \
    "$ta" eval "$g/gesture.onnx" --data "$tmp/data.npy" --labels "$tmp/labels.npy" --limit 2 --ram-budget 16KiB --flash-budget 1M
  expect 0 "bench --part stm32f746 --ram-budget 16K --input .npy" "fits stm32f746 (1 MiB flash, 16 KiB RAM): NO" -- \
    "$ta" bench "$g/gesture.onnx" --part stm32f746 --ram-budget 16K --input "$tmp/in0.npy"
  grep -q "on cortex-m7 " "$tmp/out" && grep -q "ms at 216 MHz" "$tmp/out" &&
    { echo "ok   bench --part stm32f746: Cortex-M7 board, ms at 216 MHz"; pass=$((pass + 1)); } ||
    { echo "FAIL bench --part stm32f746: not the M7 at 216 MHz"; fail=$((fail + 1)); }
  expect 0 "bench --clock-hz 48MHz --json" "" -- "$ta" bench "$g/gesture.onnx" --clock-hz 48MHz --json --input "$tmp/in0.npy"
  python3 - "$tmp/out" <<'PY' && { echo "ok   bench --json: ms = instructions / 48 MHz"; pass=$((pass + 1)); } || fail=$((fail + 1))
import json, sys
j = json.load(open(sys.argv[1]))
want = j["instructions"] * 1000.0 / 48e6
if j["clock_hz"] != 48000000 or abs(j["ms"] - want) > 0.001:
    sys.exit("FAIL bench --clock-hz: clock_hz %r, ms %r, expected %.3f" % (j["clock_hz"], j["ms"], want))
PY
fi
echo "units: $pass passed, $fail failed"
[ "$fail" = 0 ]
