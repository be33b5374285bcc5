#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# figures.sh SOURCE_DIR BUILD_DIR: the demo figures README.md quotes come from this commit
# (issue 17, item 11): the demo's runs (examples/demo.sh: float, int8 and int8 built with
# --optimize size on the emulated Cortex-M4F, all 300 test recordings) are made again, and the
# README must hold the accuracy, agreement, instructions per inference, flash and RAM they give,
# written as the README writes them; both int8 builds must predict the same classes. About six
# minutes of QEMU: label full.
set -u
src=$1 build=$2
ta="$build/tinyaot" jg="$build/json_get"
g="$src/examples/gesture"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/readme-figures-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
set -- "$g/gesture.onnx" --target cortex-m4 --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" --json
"$ta" eval "$@" >"$tmp/float.json" 2>"$tmp/float.err" || { echo "FAIL float eval"; cat "$tmp/float.err"; exit 1; }
"$ta" eval "$@" --quantize int8 --calibration "$g/calib_inputs.bin" >"$tmp/int8.json" 2>"$tmp/int8.err" ||
  { echo "FAIL int8 eval"; cat "$tmp/int8.err"; exit 1; }
"$ta" eval "$@" --quantize int8 --calibration "$g/calib_inputs.bin" --optimize size \
  >"$tmp/size.json" 2>"$tmp/size.err" || { echo "FAIL int8 --optimize size eval"; cat "$tmp/size.err"; exit 1; }
commas() { printf '%s' "$1" | sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
pct() { awk -v x="$1" 'BEGIN { printf "%.1f%%", 100 * x }'; }
"$jg" "$tmp/float.json" predictions | tr -d '[]' | tr ',' '\n' >"$tmp/fp"
"$jg" "$tmp/int8.json" predictions | tr -d '[]' | tr ',' '\n' >"$tmp/qp"
"$jg" "$tmp/size.json" predictions | tr -d '[]' | tr ',' '\n' >"$tmp/sp"
n=$(wc -l <"$tmp/fp" | tr -d ' ')
same=$(paste -d' ' "$tmp/fp" "$tmp/qp" | awk '$1 == $2' | wc -l | tr -d ' ')
agree=$(awk -v s="$same" -v n="$n" 'BEGIN { printf "%.1f%%", 100 * s / n }')
# want TEXT: README.md holds TEXT (spaces and line breaks alike).
readme=$(tr '\n' ' ' <"$src/README.md" | tr -s ' ')
want() {
  case "$readme" in *"$1"*) echo "ok   README: $1"; pass=$((pass + 1)) ;;
  *) echo "FAIL README lacks '$1' (this commit's run)"; fail=$((fail + 1)) ;; esac
}
want "accuracy $(pct "$("$jg" "$tmp/float.json" accuracy)") float and $(pct "$("$jg" "$tmp/int8.json" accuracy)") int8 over the $n recordings"
want "int8 predicting float's class on $agree of them"
want "float $(commas "$("$jg" "$tmp/float.json" instructions)") instructions per inference"
want "flash $(commas "$("$jg" "$tmp/float.json" flash_bytes)") bytes, RAM $(commas "$("$jg" "$tmp/float.json" ram_bytes)");"
want "int8 $(commas "$("$jg" "$tmp/int8.json" instructions)") instructions, flash $(commas "$("$jg" "$tmp/int8.json" flash_bytes)"), RAM $(commas "$("$jg" "$tmp/int8.json" ram_bytes)")."
want "int8 size $(commas "$("$jg" "$tmp/size.json" instructions)") instructions, flash $(commas "$("$jg" "$tmp/size.json" flash_bytes)"), RAM $(commas "$("$jg" "$tmp/size.json" ram_bytes)")."
# The same kernels' arithmetic in both builds: the same predictions.
if cmp -s "$tmp/qp" "$tmp/sp"; then
  echo "ok   int8 and int8 --optimize size predict the same classes"; pass=$((pass + 1))
else
  echo "FAIL int8 and int8 --optimize size predict different classes"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
