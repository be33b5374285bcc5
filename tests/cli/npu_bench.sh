#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# npu_bench.sh BUILD_DIR: `tinyaot bench` with the example NPU on the emulated Cortex-M4, on the
# example model (its convolution and fully connected layer go to the NPU). The CPU/accelerator
# split, per layer and in total, takes the NPU's cycles from its model on the board (sent back
# by the firmware with the per-layer timings) and they agree with the description's formula
# computed on the host; the NPU's layers show their cycles. Exit 77 (skip) without QEMU or the
# Arm compiler.
set -u
build=$1
ta="$build/tinyaot"
for tool in qemu-system-arm arm-none-eabi-gcc; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-npu-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check DESCRIPTION CONDITION...
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}
npu="$(cd "$(dirname "$0")/../.." && pwd)/examples/accelerators/npu/npu.json"
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"

"$ta" bench "$m" --target cortex-m4 --backend "$npu" >"$tmp/text" 2>&1
check "bench with the NPU succeeds" test $? = 0
check "outputs match the host build" grep -qF "outputs match the host build: yes" "$tmp/text"
# conv 4,608 MACs / 32 = 144 vs (256 + 72 + 32 + 512) bytes / 8 = 109: 120 + 144 = 264;
# FC 32 MACs / 32 = 1 vs (8 + 32 + 16 + 4) / 8 = 8: 120 + 8 = 128. Total 392.
check "the split takes the board's count, equal to the host's formula" grep -qE \
  "^CPU/accelerator split: CPU [0-9,]+ instructions \+ npu 392 cycles \(counted by its model on the board from its cost fields, as the host's formula gives;" \
  "$tmp/text"
check "the conv's NPU cycles per layer" grep -qE "^ +0  CONV_2D +npu +[0-9,]+ +264 +4,608  conv/out$" "$tmp/text"
check "the FC's NPU cycles per layer" grep -qE "^ +[0-9]+  FULLY_CONNECTED +npu +[0-9,]+ +128 +32  [^ ]+$" "$tmp/text"
check "the depthwise conv stays on the CPU" grep -qE "^ +1  DEPTHWISE_CONV_2D +cpu +[0-9,]+ +- +4,608  dw/out$" "$tmp/text"
[ $fail = 0 ] || sed 's/^/     /' "$tmp/text"

"$ta" bench "$m" --target cortex-m4 --backend "$npu" --json >"$tmp/json" 2>&1
check "JSON: cycles from the board" grep -qF '"accelerator": "npu", "accelerator_cycles": 392, "accelerator_cycles_from": "board", "accelerator_cycles_host": 392' "$tmp/json"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
