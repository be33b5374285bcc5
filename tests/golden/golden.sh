#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# golden.sh TINYAOT TENSOR_CMP SHARED MODEL: end-to-end golden test of one model.
# For every case folder of SHARED/vectors/MODEL: tinyaot run (compile -> C -> host build ->
# run) and compare every output meta.txt lists with the TFLM reference output_K.bin (int8:
# identical bytes; float32: |err| <= 1e-5 * max(1, |ref|)); a missing or extra output, on either
# side, fails (golden_lib.sh). Exit 77 (skip) when SHARED is absent.
# $TA_GOLDEN_OPTS: extra options for tinyaot run (split on spaces: --backend cmsis-nn ...);
# $TA_GOLDEN_NEEDS: a folder those options need (a CMSIS-NN checkout), skip when absent.
set -u
tinyaot=$1 cmp=$2 shared=$3 model=$4
vec="$shared/vectors/$model"
if [ ! -d "$vec" ]; then
  echo "SKIP: $vec not found (../shared is absent in a fresh clone)"
  exit 77
fi
. "$(dirname "$0")/../golden/golden_lib.sh"
if [ -n "${TA_GOLDEN_NEEDS:-}" ] && [ ! -d "$TA_GOLDEN_NEEDS" ]; then
  echo "SKIP: $TA_GOLDEN_NEEDS not found (needed by ${TA_GOLDEN_OPTS:-these options})"
  exit 77
fi
file=$(sed -n 's/^model_file=//p' "$vec/meta.txt")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden-$model-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for case in "$vec"/*/; do
  case=${case%/}
  cname=${case##*/}
  if ! golden_check_inputs "$vec/meta.txt" "$case" "$model/$cname"; then
    fail=$((fail + 1)); continue
  fi
  set --
  k=0
  while [ -f "$case/input_$k.bin" ]; do set -- "$@" --input "$case/input_$k.bin"; k=$((k + 1)); done
  out="$tmp/$cname"
  if ! "$tinyaot" run "$shared/models/tflite/$file" "$@" ${TA_GOLDEN_OPTS:-} --output-dir "$out" >"$tmp/log" 2>&1; then
    echo "FAIL $model/$cname: tinyaot run failed:"; cat "$tmp/log"
    fail=$((fail + 1)); continue
  fi
  if golden_check_case "$cmp" "$vec/meta.txt" "$case" "$out" "$model/$cname"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
  fi
done
echo "$model: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
