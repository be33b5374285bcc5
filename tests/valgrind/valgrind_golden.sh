#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# valgrind_golden.sh TINYAOT TENSOR_CMP SHARED MODEL: the generated code of MODEL under valgrind
# memcheck. The library and its host runner are built once (tinyaot run --keep-build on the first
# case, without sanitizers: valgrind and ASan do not mix), then the runner runs every case of
# SHARED/vectors/MODEL under memcheck: an invalid access, a use of an uninitialised value or a
# leak makes valgrind exit 99 and the test fail. Outputs are compared with the TFLM reference as
# golden.sh does (../golden/golden_lib.sh: every output meta.txt lists, none missing or extra).
# Exit 77 (skip) when SHARED or valgrind is absent.
set -u
tinyaot=$1 cmp=$2 shared=$3 model=$4
vec="$shared/vectors/$model"
if [ ! -d "$vec" ]; then
  echo "SKIP: $vec not found (../shared is absent in a fresh clone)"
  exit 77
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "SKIP: valgrind is not installed"
  exit 77
fi
. "$(dirname "$0")/../golden/golden_lib.sh"
file=$(sed -n 's/^model_file=//p' "$vec/meta.txt")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/valgrind-$model-XXXXXX")
build=""
trap 'rm -rf "$tmp" ${build:+"$build"}' EXIT

# inputs CASE_DIR: the case's input files, in order.
inputs() {
  k=0
  while [ -f "$1/input_$k.bin" ]; do printf '%s\n' "$1/input_$k.bin"; k=$((k + 1)); done
}

first=$(ls -d "$vec"/*/ | head -n 1)
first=${first%/}
set --
for f in $(inputs "$first"); do set -- "$@" --input "$f"; done
if ! TA_HOST_CFLAGS=-g "$tinyaot" run "$shared/models/tflite/$file" "$@" --output-dir "$tmp/build-check" \
  --keep-build >"$tmp/log" 2>&1; then
  echo "FAIL $model: tinyaot run failed:"; cat "$tmp/log"; exit 1
fi
build=$(sed -n 's/.*host build kept in //p' "$tmp/log")
runner="$build/gen/runner"
if [ ! -x "$runner" ]; then
  echo "FAIL $model: no runner in the kept build ('$build')"; cat "$tmp/log"; exit 1
fi

pass=0 fail=0
for case in "$vec"/*/; do
  case=${case%/}
  cname=${case##*/}
  if ! golden_check_inputs "$vec/meta.txt" "$case" "$model/$cname"; then
    fail=$((fail + 1)); continue
  fi
  out="$tmp/$cname"
  mkdir -p "$out"
  # shellcheck disable=SC2046
  if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
    --track-origins=yes "$runner" $(inputs "$case") "$out" >"$tmp/vlog" 2>&1; then
    echo "FAIL $model/$cname: memcheck or the runner failed:"; cat "$tmp/vlog"
    fail=$((fail + 1)); continue
  fi
  if golden_check_case "$cmp" "$vec/meta.txt" "$case" "$out" "$model/$cname"; then
    echo "ok   $model/$cname: memcheck clean, outputs match"; pass=$((pass + 1))
  else
    fail=$((fail + 1))
  fi
done
echo "$model under valgrind: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
