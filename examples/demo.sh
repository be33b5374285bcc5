#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: hand-gesture recognition, from a PyTorch-trained model to an emulated Cortex-M4F.
#   examples/gesture/gesture.onnx   a small CNN trained with PyTorch on synthetic 3-axis
#                                   accelerometer recordings (tools/gesture/), exported to ONNX
#   tinyaot                         ONNX -> graph IR -> static memory plan -> C99 library
#   firmware + QEMU mps2-an386      the library on a Cortex-M4F, driven over the device session
# Every test recording is streamed to the board, classified there, and compared with the label
# and with PyTorch's own output for it.
set -eu
build=${1:-build}
g=examples/gesture
report=demo-report.html
for f in gesture.onnx test_inputs.bin test_labels.bin test_outputs_torch.bin classes.txt; do
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
  --flash-budget 262144 --ram-budget 65536 --report "$report"
echo
echo "demo: done. Open $(pwd)/$report for the confusion matrix and plots of some recordings."
