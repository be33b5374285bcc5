#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_compare.sh BUILD_DIR SHARED_DIR CMSIS_NN_DIR: `tinyaot bench --suite` with and without
# --compare-backend cmsis-nn, on ad_autoencoder_int8 and the emulated Cortex-M4 only. With the
# option the report gains "CMSIS-NN kernels, same harness" (a measured count), its ratio and
# the flash of that build; without it the tables' headers are the ones BENCHMARKS.md has always
# had. Exit 77 (skip) without the shared models, a CMSIS-NN checkout, QEMU or the Arm compiler.
set -u
build=$1 shared=$2 cmsis=$3
ta="$build/tinyaot"
model=ad_autoencoder_int8
if [ ! -f "$shared/models/tflite/$model.tflite" ]; then
  echo "SKIP: $shared/models/tflite/$model.tflite not found (../shared is absent)"
  exit 77
fi
if [ ! -d "$cmsis" ]; then
  echo "SKIP: $cmsis not found (no CMSIS-NN checkout to compare with)"
  exit 77
fi
for tool in qemu-system-arm arm-none-eabi-gcc; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-bench-compare-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check DESCRIPTION CONDITION...
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}
has() { grep -qxF -- "$2" "$1"; }
suite() { # suite REPORT [OPTIONS...]
  out=$1; shift
  "$ta" bench --suite "$shared/models/tflite" --models $model --targets cortex-m4 \
    --anchors "$shared/anchors/tflm-cortex-m.md" --report "$out" "$@" >"$out.log" 2>&1
}

ins_hdr='| model | core | tinyaot | TFLM reference kernels | TFLM + CMSIS-NN | tinyaot / TFLM ref | tinyaot / CMSIS-NN | MACs per instruction (tinyaot) |'
flash_hdr='| model | core | tinyaot firmware | tinyaot model alone | TFLM firmware, ref / CMSIS-NN | TFLM + model, ref / CMSIS-NN |'

suite "$tmp/plain.md"
check "suite without --compare-backend exits 0" test $? = 0
check "instructions header unchanged" has "$tmp/plain.md" "$ins_hdr"
check "flash header unchanged" has "$tmp/plain.md" "$flash_hdr"
check "no comparison text" sh -c "! grep -q 'same harness' '$tmp/plain.md'"

suite "$tmp/cmp.md" --compare-backend cmsis-nn --backend-var "CMSIS_NN=$cmsis"
code=$?
check "suite with --compare-backend cmsis-nn exits 0" test $code = 0
[ $code = 0 ] || sed 's/^/     /' "$tmp/cmp.md.log"
check "instructions header has the column and its ratio" has "$tmp/cmp.md" \
  '| model | core | tinyaot | CMSIS-NN kernels, same harness | tinyaot / CMSIS-NN kernels | TFLM reference kernels | TFLM + CMSIS-NN | tinyaot / TFLM ref | tinyaot / CMSIS-NN | MACs per instruction (tinyaot) |'
# The model's row in the instructions table (the first one): cells 4 and 5 (after the
# leading '|', fields 5 and 6) are the CMSIS-NN count and the ratio.
row=$(grep -m1 "^| $model | Cortex-M4" "$tmp/cmp.md")
n=$(echo "$row" | awk -F' \\| ' '{print $4}')
ratio=$(echo "$row" | awk -F' \\| ' '{print $5}')
check "CMSIS-NN column holds a count ($n)" sh -c "echo '$n' | grep -Eq '^[0-9][0-9,]*[0-9]$'"
check "ratio column holds a ratio ($ratio)" sh -c "echo '$ratio' | grep -Eq '^[0-9]+\.[0-9]{2}x$'"
check "flash table has the CMSIS-NN build" grep -qF \
  '| with CMSIS-NN kernels: firmware | with CMSIS-NN kernels: model alone |' "$tmp/cmp.md"
check "progress names the comparison run" grep -qF "$model (cmsis-nn)" "$tmp/cmp.md.log"

# The per-layer table (issue: a per-layer table in BENCHMARKS.md): one row per op with code
# (ad_autoencoder: 10 FULLY_CONNECTED), the comparison build's count and the ratio in each, and
# the rows adding up to the whole run within the ticks' rounding (a tick is 40 instructions).
check "per-layer section" grep -qF "## Per layer on the Cortex-M4F" "$tmp/cmp.md"
check "per-layer header" has "$tmp/cmp.md" \
  '| op | type | variant | MACs | tinyaot | CMSIS-NN kernels | tinyaot / CMSIS-NN kernels | MACs per instruction |'
layers=$(grep -E '^\| [0-9]+ \| FULLY_CONNECTED \| [a-z0-9_]+ \| [0-9,]+ \| [0-9,]+ \| [0-9,]+ \(cmsis-nn\) \| [0-9]+\.[0-9]{2}x \| [0-9.]+ \|$' "$tmp/cmp.md" | wc -l)
check "10 FC layers with both counts and the ratio ($layers)" test "$layers" = 10
sum=$(grep -E '^\| [0-9]+ \| FULLY_CONNECTED' "$tmp/cmp.md" | awk -F' \\| ' '{gsub(",", "", $5); s += $5} END {print s}')
total=$(echo "$row" | awk -F' \\| ' '{gsub(",", "", $3); print $3}')
check "layers add up to the run ($sum vs $total, within 11 ticks)" \
  sh -c "d=\$(($sum - $total)); [ \$d -lt 440 ] && [ \$d -gt -440 ]"
check "plain report's per-layer table has no comparison column" has "$tmp/plain.md" \
  '| op | type | variant | MACs | tinyaot | MACs per instruction |'

"$ta" bench "$shared/models/tflite/$model.tflite" --compare-backend cmsis-nn >"$tmp/one.log" 2>&1
code=$?
check "--compare-backend without --suite exits 1" test $code = 1
check "... saying it is a suite option" grep -qF "is a --suite option" "$tmp/one.log"

echo "bench_compare: $pass passed, $fail failed"
[ $fail = 0 ]
