#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# code_size.sh BUILD_DIR: `tinyaot inspect --code-size` (issue 17, item 7): labelled host without
# --target; with --target cortex-m4 the generated code is cross-compiled with the Arm compiler
# ($TA_ARM_CC) and measured with its size tool, so the figures are the target's (Thumb-2 code is
# smaller than x86-64's), not the host's. Exit 77 (skip) without arm-none-eabi-gcc.
set -u
build=$1
ta="$build/tinyaot" jg="$build/json_get"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-code-size-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v "${TA_ARM_CC:-arm-none-eabi-gcc}" >/dev/null; then
  echo "SKIP: no arm-none-eabi-gcc"; exit 77
fi
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"

expect 0 "host code size, labelled host" "code size on host (the host compiler" -- "$ta" inspect "$m" --code-size
"$ta" inspect "$m" --code-size --json >"$tmp/host.json"
same "JSON code_size.target host" "$("$jg" "$tmp/host.json" code_size.target)" host
expect 0 "target code size, labelled cortex-m4" "code size on cortex-m4 (arm-none-eabi-gcc" -- \
  "$ta" inspect "$m" --code-size --target cortex-m4
"$ta" inspect "$m" --code-size --target cortex-m4 --json >"$tmp/m4.json"
same "JSON code_size.target cortex-m4" "$("$jg" "$tmp/m4.json" code_size.target)" cortex-m4
ht=$("$jg" "$tmp/host.json" code_size.runtime_text_bytes)
mt=$("$jg" "$tmp/m4.json" code_size.runtime_text_bytes)
check "target kernels' text measured ($mt bytes)" test "$mt" -gt 1000
check "target text differs from the host's ($mt vs $ht bytes)" test "$mt" != "$ht"
# What arm-none-eabi-size reports for the same objects, compiled as the firmware build does:
# the figure must be the Arm compiler's.
"$ta" compile "$m" -o "$tmp/lib" --name example >/dev/null
sum=0
for c in "$tmp"/lib/tart/src/*.c; do
  arm-none-eabi-gcc -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -mthumb -O2 \
    -ffunction-sections -fdata-sections -std=c99 -I"$tmp/lib" -I"$tmp/lib/tart/include" \
    ${TA_ARM_CFLAGS:-} -c "$c" -o "$tmp/k.o" || break
  t=$(arm-none-eabi-size -A "$tmp/k.o" | awk '$1 ~ /^\.text/ {s += $2} END {print s + 0}')
  sum=$((sum + t))
done
same "target kernels' text = arm-none-eabi-size of the objects" "$mt" "$sum"
# The target's compiler really is used: a missing one is named.
expect 1 "a missing cross compiler is named" "/nonexistent/arm-none-eabi-gcc" -- \
  env TA_ARM_CC=/nonexistent/arm-none-eabi-gcc "$ta" inspect "$m" --code-size --target cortex-m4
expect 1 "unknown target refused" "unknown target 'cortex-m99' (targets: host, cortex-m3" -- \
  "$ta" inspect "$m" --code-size --target cortex-m99
expect 1 "--target without --code-size refused" "--target is for --code-size" -- \
  "$ta" inspect "$m" --target cortex-m4
finish
