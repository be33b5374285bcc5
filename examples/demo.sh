#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: hand-gesture recognition, from a PyTorch-trained model to an emulated Cortex-M4F.
#   examples/gesture/gesture.onnx   a small CNN trained with PyTorch on synthetic 3-axis
#                                   accelerometer recordings (tools/gesture/), exported to ONNX
#   tinyaot                         ONNX -> graph IR -> static memory plan -> C99 library
#   firmware + QEMU mps2-an386      the library on a Cortex-M4F, driven over the device session
# Every test recording is streamed to the board, classified there, and compared with the label
# and with PyTorch's own output for it. Then the same model quantized to int8 by tinyaot
# (calibrated on examples/gesture/calib_inputs.bin: 200 recordings of the TRAINING split) runs
# the same way, once built for speed (the default) and once for flash (--optimize size), and
# the three are shown side by side: accuracy, the share of recordings where int8 predicts the
# class float predicts, instructions, flash and RAM.
set -eu
build=${1:-build}
g=examples/gesture
report=demo-report.html
for f in gesture.onnx calib_inputs.bin test_inputs.bin test_labels.bin test_outputs_torch.bin classes.txt; do
  if [ ! -f "$g/$f" ]; then
    echo "demo: $g/$f is missing (regenerate with: /usr/bin/python3 tools/gesture/train.py --out $g)" >&2
    exit 1
  fi
done
n=$(($(wc -c <"$g/test_labels.bin")))
echo "== tinyaot demo: hand-gesture recognition on an emulated Cortex-M4F"
echo "   model: $g/gesture.onnx, trained with PyTorch on SYNTHETIC accelerometer data"
echo "   ($n test recordings of 128 samples x 3 axes at 25 Hz; see $g/README.md)"
echo
echo "== 1. The model (tinyaot inspect)"
"$build/tinyaot" inspect "$g/gesture.onnx"
echo
echo "== 2. Compile to C for cortex-m4, build the firmware, start QEMU, stream the recordings"
"$build/tinyaot" eval "$g/gesture.onnx" --target cortex-m4 --data "$g/test_inputs.bin" \
  --labels "$g/test_labels.bin" --classes "$g/classes.txt" --expect "$g/test_outputs_torch.bin" \
  --flash-budget 262144 --ram-budget 65536 --report "$report" --json >demo-float.json
echo
echo "== 3. Quantize to int8 (calibration: $g/calib_inputs.bin, training split), per layer error"
"$build/tinyaot" quantize "$g/gesture.onnx" --calibration "$g/calib_inputs.bin"
echo
echo "== 4. The int8 model on the same board, the same recordings"
"$build/tinyaot" eval "$g/gesture.onnx" --target cortex-m4 --data "$g/test_inputs.bin" \
  --labels "$g/test_labels.bin" --classes "$g/classes.txt" \
  --quantize int8 --calibration "$g/calib_inputs.bin" --json >demo-int8.json
echo
echo "== 5. The same int8 model built for flash (--optimize size): int8 weights, compact kernels"
"$build/tinyaot" eval "$g/gesture.onnx" --target cortex-m4 --data "$g/test_inputs.bin" \
  --labels "$g/test_labels.bin" --classes "$g/classes.txt" \
  --quantize int8 --calibration "$g/calib_inputs.bin" --optimize size --json >demo-int8-size.json
echo
echo "== 6. float32 vs int8 on the emulated Cortex-M4F ($n test recordings)"
# The figures of the three JSON documents (one line each), with sed and awk only: a fresh Debian
# machine has no Python.
field() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" "$1"; }
preds() { sed -n 's/.*"predictions": \[\([0-9,]*\)\].*/\1/p' "$1" | tr ',' '\n'; }
preds demo-float.json >demo-float.pred
preds demo-int8.json >demo-int8.pred
preds demo-int8-size.json >demo-int8-size.pred
same=$(paste demo-float.pred demo-int8.pred | awk '$1 == $2 { s++ } END { print s + 0 }')
same_s=$(paste demo-float.pred demo-int8-size.pred | awk '$1 == $2 { s++ } END { print s + 0 }')
rm -f demo-float.pred demo-int8.pred demo-int8-size.pred
awk -v fa="$(field demo-float.json accuracy)" -v qa="$(field demo-int8.json accuracy)" \
  -v ag="$(field demo-float.json reference_agreement)" -v same="$same" -v n="$n" \
  -v fi="$(field demo-float.json instructions)" -v qi="$(field demo-int8.json instructions)" \
  -v ff="$(field demo-float.json flash_bytes)" -v qf="$(field demo-int8.json flash_bytes)" \
  -v fr="$(field demo-float.json ram_bytes)" -v qr="$(field demo-int8.json ram_bytes)" \
  -v sa="$(field demo-int8-size.json accuracy)" -v same_s="$same_s" \
  -v si="$(field demo-int8-size.json instructions)" -v sf="$(field demo-int8-size.json flash_bytes)" \
  -v sr="$(field demo-int8-size.json ram_bytes)" 'BEGIN {
  printf "  %-26s %12s %12s %8s %12s %8s\n", "", "float32", "int8", "ratio", "int8 size", "ratio"
  printf "  %-26s %11.1f%% %11.1f%% %+5.1f pt %11.1f%% %+5.1f pt\n", "accuracy", 100 * fa, 100 * qa,
    100 * (qa - fa), 100 * sa, 100 * (sa - fa)
  printf "  %-26s %11.1f%%\n", "same class as PyTorch", 100 * ag
  printf "  %-26s %12s %11.1f%% %8s %11.1f%%\n", "same class as float", "", 100 * same / n, "",
    100 * same_s / n
  printf "  %-26s %12d %12d %7.2fx %12d %7.2fx\n", "instructions / inference", fi, qi, qi / fi, si,
    si / fi
  printf "  %-26s %12d %12d %7.2fx %12d %7.2fx\n", "flash bytes", ff, qf, qf / ff, sf, sf / ff
  printf "  %-26s %12d %12d %7.2fx %12d %7.2fx\n", "RAM bytes", fr, qr, qr / fr, sr, sr / fr
}'
echo
echo "demo: done. Open $(pwd)/$report for the float model's confusion matrix and plots of some"
echo "recordings; demo-float.json, demo-int8.json and demo-int8-size.json hold the runs' figures."
