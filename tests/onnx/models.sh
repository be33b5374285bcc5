#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# models.sh TINYAOT TENSOR_CMP DATA: the committed ONNX models of DATA (made by
# tools/onnx/make_torch_model.py and make_qdq_model.py) compiled, run on the host and matched
# with their reference outputs (float32: |err| <= 1e-5 * max(1, |ref|)). The QDQ model must
# also run as int8 operators (the qdq pass), not float ones.
set -u
tinyaot=$1 cmp=$2 data=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/onnx-models-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for m in torch_cnn qdq_cnn; do
  k=0
  while [ -f "$data/${m}_input_$k.bin" ]; do
    if ! "$tinyaot" run "$data/$m.onnx" --input "$data/${m}_input_$k.bin" --output-dir "$tmp/$m$k" \
        >"$tmp/log" 2>&1; then
      echo "FAIL $m case $k: tinyaot run failed:"; cat "$tmp/log"; fail=$((fail + 1))
    elif res=$("$cmp" float32 "$data/${m}_output_$k.bin" "$tmp/$m$k/output_0.bin"); then
      echo "ok   $m case $k: $res"; pass=$((pass + 1))
    else
      echo "FAIL $m case $k: $res"; fail=$((fail + 1))
    fi
    k=$((k + 1))
  done
done
# QDQ: the convolution and the fully connected layer run in int8.
"$tinyaot" inspect "$data/qdq_cnn.onnx" >"$tmp/inspect" 2>&1
for op in CONV_2D FULLY_CONNECTED MAX_POOL_2D; do
  if grep -Eq "^ +[0-9]+ +$op +int8 " "$tmp/inspect"; then
    echo "ok   qdq_cnn: $op runs in int8"; pass=$((pass + 1))
  else
    echo "FAIL qdq_cnn: $op does not run in int8:"; cat "$tmp/inspect"; fail=$((fail + 1))
  fi
done
echo "onnx models: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
