#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gesture.sh TINYAOT: the demo's model (examples/gesture, trained with PyTorch and exported to
# ONNX by tools/gesture/train.py) compiled by tinyaot and evaluated in process over the whole
# test set: every recording must get the class PyTorch gives it, and every output must be
# within |err| <= 1e-4 + 1e-3 * |ref| of PyTorch's.
set -u
ta=$1
g="$(dirname "$0")/../../examples/gesture"
out=$("$ta" eval "$g/gesture.onnx" --target host --data "$g/test_inputs.bin" \
  --labels "$g/test_labels.bin" --classes "$g/classes.txt" --expect "$g/test_outputs_torch.bin" 2>&1)
code=$?
printf '%s\n' "$out" | sed -n '/^accuracy/,/^$/p'
n=$(($(wc -c <"$g/test_labels.bin")))
if [ $code = 0 ] && printf '%s' "$out" | grep -q "same predicted class on $n of $n records" &&
    printf '%s' "$out" | grep -q "within |err| <= 0.0001 + 0.001 \* |ref|: $n of $n records"; then
  echo "gesture: 1 passed, 0 failed"
  exit 0
fi
printf '%s\n' "$out"
echo "gesture: 0 passed, 1 failed"
exit 1
