#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# quantize.sh BUILD_DIR: `tinyaot quantize` on the command line: good calibration data (report,
# -o writes a .tflite that compiles and runs), and every refusal with exit 1, a message that
# names the file, and nothing written: calibration data of the wrong size, NaN data, a model
# with no float tensors, -o into a directory that does not exist, -o NAME.onnx for a TFLite
# model. An ONNX model written as QDQ ONNX reads back as int8 and passes ONNX's checker.
set -u
build=$1
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-quantize-XXXXXX")
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
# Files in $tmp/o other than those named: what a failed run left behind.
leftovers() { ls -A "$tmp/o" | grep -v -x -e good.tflite -e again.tflite; }

"$build/example_model" "$tmp" || { echo "FAIL example_model"; exit 1; }
fm="$tmp/example_float.tflite" # float32 [1,16,16,1] input: 1024 bytes a record
im="$tmp/example.tflite"       # int8
mkdir "$tmp/o" "$tmp/q"

# 20 records of 256 floats in [-1, 1): a deterministic byte pattern read as float32 would hold
# NaNs, so write the little-endian bytes of +-1.0 and +-0.5 (0x3f800000 ...) with awk.
LC_ALL=C awk 'BEGIN { for (i = 0; i < 20 * 256; i++) printf "%c%c%c%c", 0, 0, 128 * (i % 2), (i % 7 < 3 ? 63 : 191) }' \
  >"$tmp/calib.bin"
check "calibration file is 20 records" test "$(wc -c <"$tmp/calib.bin")" -eq 20480

expect 0 "quantize --help" "usage: tinyaot quantize" -- "$ta" quantize --help
expect 0 "quantize with good data: the report" "model outputs, int8 model vs float" -- \
  "$ta" quantize "$fm" --calibration "$tmp/calib.bin"
expect 0 "quantize --json" '"outputs"' -- "$ta" quantize "$fm" --calibration "$tmp/calib.bin" --json
expect 0 "quantize -o" "written to $tmp/o/good.tflite" -- \
  "$ta" quantize "$fm" --calibration "$tmp/calib.bin" -o "$tmp/o/good.tflite"
check "-o wrote a TFLite file" sh -c "head -c 8 '$tmp/o/good.tflite' | tail -c 4 | grep -q TFL3"
check "-o left no temporary file" test -z "$(leftovers)"
expect 0 "the written model reads back as int8" "int8 [1,1024]" -- "$ta" inspect "$tmp/o/good.tflite"
expect 0 "the written model compiles" "wrote" -- "$ta" compile "$tmp/o/good.tflite" -o "$tmp/lib"

# Wrong size: 1000 bytes is not a multiple of a 1024-byte record.
head -c 1000 "$tmp/calib.bin" >"$tmp/short.bin"
expect 1 "wrong-size calibration data" "$tmp/short.bin" -- \
  "$ta" quantize "$fm" --calibration "$tmp/short.bin" -o "$tmp/o/short.tflite"
check "wrong size: nothing written" test -z "$(leftovers)"

# A NaN (0x7fc00000) as record 1, element 5.
{ head -c 1024 "$tmp/calib.bin"; head -c 20 "$tmp/calib.bin"; printf '\000\000\300\177'
  tail -c +1049 "$tmp/calib.bin" | head -c 1000; } >"$tmp/nan.bin"
check "NaN file is 2 records" test "$(wc -c <"$tmp/nan.bin")" -eq 2048
expect 1 "NaN in calibration data" "$tmp/nan.bin" -- \
  "$ta" quantize "$fm" --calibration "$tmp/nan.bin" -o "$tmp/o/nan.tflite"
check "NaN: nothing written" test -z "$(leftovers)"

: >"$tmp/empty.bin"
expect 1 "empty calibration data" "$tmp/empty.bin" -- \
  "$ta" quantize "$fm" --calibration "$tmp/empty.bin" -o "$tmp/o/empty.tflite"

expect 1 "a model with no float tensors" "$im" -- \
  "$ta" quantize "$im" --calibration "$tmp/calib.bin" -o "$tmp/o/int8.tflite"
check "int8 model: nothing written" test -z "$(leftovers)"

expect 1 "-o into a missing directory" "$tmp/o/nodir/x.tflite" -- \
  "$ta" quantize "$fm" --calibration "$tmp/calib.bin" -o "$tmp/o/nodir/x.tflite"
check "missing directory: nothing created" test ! -e "$tmp/o/nodir" -a -z "$(leftovers)"

expect 1 "-o NAME.onnx of a TFLite model is refused" "is not one" -- \
  "$ta" quantize "$fm" --calibration "$tmp/calib.bin" -o "$tmp/o/x.onnx"
expect 1 "no calibration data" "no calibration data given" -- "$ta" quantize "$fm"
check "refusals left nothing in the output directory" test -z "$(leftovers)"

# A failing run does not touch an existing file of the same name.
cp "$tmp/o/good.tflite" "$tmp/o/again.tflite"
expect 1 "failing run over an existing file" "$tmp/short.bin" -- \
  "$ta" quantize "$fm" --calibration "$tmp/short.bin" -o "$tmp/o/again.tflite"
check "the existing file is unchanged" cmp -s "$tmp/o/good.tflite" "$tmp/o/again.tflite"

# An ONNX model to QDQ ONNX (the repo's gesture model): read back, its convolutions are int8.
src=$(cd "$(dirname "$0")/../.." && pwd)
gm="$src/examples/gesture/gesture.onnx"
expect 0 "quantize -o NAME.onnx writes QDQ ONNX" "written to $tmp/q/g.onnx" -- \
  "$ta" quantize "$gm" --calibration "$src/examples/gesture/calib_inputs.bin" -o "$tmp/q/g.onnx"
expect 0 "the QDQ model reads back with int8 convolutions" "CONV_2D             int8" -- \
  "$ta" inspect "$tmp/q/g.onnx"
check "the QDQ model holds no float op" sh -c "! '$ta' inspect '$tmp/q/g.onnx' | grep -q 'float32.*float32'"
# Readable by other tools: ONNX's own checker (full check: types and shape inference) accepts
# it, when Debian's python3-onnx is there (scripts/install-deps.sh installs it for the tests).
if /usr/bin/python3 -c "import onnx" 2>/dev/null; then
  expect 0 "onnx.checker accepts the QDQ model" "checked" -- /usr/bin/python3 -c "
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
q = sum(n.op_type == 'QuantizeLinear' for n in m.graph.node)
d = sum(n.op_type == 'DequantizeLinear' for n in m.graph.node)
assert q > 0 and d > q, (q, d)
print('checked: opset', m.opset_import[0].version, q, 'QuantizeLinear', d, 'DequantizeLinear')
" "$tmp/q/g.onnx"
else
  echo "skip onnx.checker: /usr/bin/python3 has no onnx module (Debian: python3-onnx)"
fi

# An ONNX bilinear Resize (coordinate modes TFLite's int8 kernel does not have) and a
# ConvTranspose stay float; the QDQ model written around them reads back and runs (the reader's
# QDQ pass once made an int8 bilinear resize of it and crashed preparing it).
um="$src/tests/data/onnx/pat_upsample_o13.onnx" ui="$src/tests/data/onnx/pat_upsample_input.bin"
expect 0 "quantize a model with an ONNX bilinear Resize" "5 ops int8, 2 float" -- \
  "$ta" quantize "$um" --calibration "$ui" -o "$tmp/q/u.onnx"
expect 0 "its QDQ model reads back, the bilinear Resize in float" \
  "RESIZE_BILINEAR     float32 [1,16,16,3]" -- "$ta" inspect "$tmp/q/u.onnx"
expect 0 "its QDQ model runs" "" -- "$ta" run "$tmp/q/u.onnx" --input "$ui" --output-dir "$tmp/q/u"
if /usr/bin/python3 -c "import onnx" 2>/dev/null; then
  expect 0 "onnx.checker accepts it" "ok" -- /usr/bin/python3 -c "
import sys, onnx
onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)
print('ok')" "$tmp/q/u.onnx"
fi

# The gesture model's asymmetric convolution padding (pads 2 and 2 along time, 0 across) is written to .tflite
# as PAD + a VALID convolution: the same output bytes as the int8 model compiled directly.
expect 0 "quantize an ONNX model with explicit pads to .tflite" "written to $tmp/q/g.tflite" -- \
  "$ta" quantize "$gm" --calibration "$src/examples/gesture/calib_inputs.bin" -o "$tmp/q/g.tflite"
expect 0 "the .tflite holds the PAD" "PAD " -- "$ta" inspect "$tmp/q/g.tflite"
dd if="$src/examples/gesture/test_inputs.bin" of="$tmp/q/rec.bin" bs=1536 count=1 2>/dev/null
"$ta" run "$gm" --quantize int8 --calibration "$src/examples/gesture/calib_inputs.bin" \
  --input "$tmp/q/rec.bin" --output-dir "$tmp/q/direct" >/dev/null 2>&1
"$ta" run "$tmp/q/g.tflite" --input "$tmp/q/rec.bin" --output-dir "$tmp/q/written" >/dev/null 2>&1
check "the written .tflite computes the same bytes" \
  cmp -s "$tmp/q/direct/output_0.bin" "$tmp/q/written/output_0.bin"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
