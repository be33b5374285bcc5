#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# patterns.sh TINYAOT TENSOR_CMP DATA: the PyTorch idioms of tools/onnx/export_patterns.py
# (F.pad, ZeroPad2d, a dynamic batch axis, flatten(start_dim=2), y[:, 0, :] indexing, chunk
# and split; HardSwish with a mean/HardSigmoid squeeze-excite, x.mean((2, 3)), nearest and
# bilinear Resize with ConvTranspose, a two-layer bidirectional LSTM, a bidirectional GRU,
# LayerNorm with GELU, PReLU / ELU / LogSoftmax), each exported at opsets 11, 13 and 17: compiled with `tinyaot run` on the host
# and matched with PyTorch's output (float32: |err| <= 1e-5 * max(1, |ref|), tensor_cmp's
# rule). Their shape arithmetic must fold at compile time: no int64 tensor may be left in the
# compiled graph. The dynamic-batch export compiles with --input-shape.
set -u
tinyaot=$1 cmp=$2 data=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/onnx-patterns-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for m in pad zeropad dynbatch flatten2 index chunk hswish mean upsample lstm gru gelu acts; do
  shape=""
  [ $m = dynbatch ] && shape="--input-shape x=2,1,8,8"
  for o in 11 13 17; do
    f="$data/pat_${m}_o$o.onnx" case="$m opset $o"
    # shellcheck disable=SC2086
    if ! "$tinyaot" run "$f" $shape --input "$data/pat_${m}_input.bin" --output-dir "$tmp/$m$o" \
        >"$tmp/log" 2>&1; then
      echo "FAIL $case: tinyaot run failed:"; cat "$tmp/log"; fail=$((fail + 1))
    elif ! res=$("$cmp" float32 "$data/pat_${m}_output.bin" "$tmp/$m$o/output_0.bin"); then
      echo "FAIL $case: $res"; fail=$((fail + 1))
    # shellcheck disable=SC2086
    elif "$tinyaot" inspect "$f" $shape 2>&1 | grep -q int64; then
      echo "FAIL $case: shape arithmetic left in the graph:"
      "$tinyaot" inspect "$f" $shape 2>&1; fail=$((fail + 1))
    else
      echo "ok   $case: $res"; pass=$((pass + 1))
    fi
  done
done
# The recurrent exports run as one IR op per layer and direction (bidirectional: two).
count_ops() {
  n=$("$tinyaot" inspect "$data/pat_$1_o13.onnx" 2>&1 | grep -Ec "^ +[0-9]+ +$2 ")
  if [ "$n" = "$3" ]; then
    echo "ok   $1: $n $2 ops"; pass=$((pass + 1))
  else
    echo "FAIL $1: $n $2 ops, expected $3"; fail=$((fail + 1))
  fi
}
count_ops lstm LSTM 4
count_ops gru GRU 2
# Without --input-shape the dynamic batch is refused, with the fix in the message.
if "$tinyaot" run "$data/pat_dynbatch_o13.onnx" --input "$data/pat_dynbatch_input.bin" \
    --output-dir "$tmp/nobatch" >"$tmp/log" 2>&1; then
  echo "FAIL dynbatch without --input-shape was accepted"; fail=$((fail + 1))
elif grep -q -- "--input-shape x=1,1,8,8" "$tmp/log"; then
  echo "ok   dynbatch without --input-shape: refused with the fix"; pass=$((pass + 1))
else
  echo "FAIL dynbatch without --input-shape: unexpected message:"; cat "$tmp/log"
  fail=$((fail + 1))
fi
echo "onnx patterns: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
