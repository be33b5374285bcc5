#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# backends.sh BUILD_DIR [CMSIS_NN_DIR]: --backend and --backend-var on the command line.
# Refusals exit 1 with a message naming the file, key or backend, and write nothing: an unknown
# backend name, a description with a missing source, a target-only backend on the host, a
# malformed --backend-var. inspect shows the placement per op and the constraint that kept an
# op on the CPU, as text and JSON. With a CMSIS-NN checkout, compile ships our adapters next to
# the model and names CMSIS-NN's sources where they are, never copying them.
set -u
build=$1 cmsis=${2:-}
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-backends-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

expect() { # expect CODE DESCRIPTION TEXT -- CMD...
  code=$1 desc=$2 text=$3
  shift 4
  "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" != "$code" ]; then
    echo "FAIL $desc: exit $got, expected $code"; sed 's/^/     /' "$tmp/out"; fail=$((fail + 1)); return
  fi
  if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; then
    echo "FAIL $desc: output lacks '$text':"; sed 's/^/     /' "$tmp/out"; fail=$((fail + 1)); return
  fi
  echo "ok   $desc"; pass=$((pass + 1))
}
check() { # check DESCRIPTION CONDITION...
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}

"$build/example_model" "$tmp" || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"
mkdir "$tmp/be"

expect 1 "unknown backend name" 'unknown backend "no-such-backend"' -- \
  "$ta" compile "$m" -o "$tmp/o1" --backend no-such-backend
check "unknown backend leaves no output" test ! -e "$tmp/o1"

printf '{"name": "bad", "ops": {"CONV_2D": {"function": "f"}}, "sources": ["adapter.c", "gone.c"]}\n' \
  >"$tmp/be/bad.json"
: >"$tmp/be/adapter.c"
expect 1 "missing source" "bad.json: sources[1]: \"gone.c\" ($tmp/be/gone.c): No such file or directory" -- \
  "$ta" compile "$m" -o "$tmp/o2" --backend "$tmp/be/bad.json"
check "missing source leaves no output" test ! -e "$tmp/o2"

printf '{"name": "tgt", "ops": {"CONV_2D": {"function": "f"}}, "targets": ["cortex-m*"]}\n' \
  >"$tmp/be/tgt.json"
expect 1 "target-only backend on the host" "runs on cortex-m* only, not on target host (it is target-only" -- \
  "$ta" run "$m" --output-dir "$tmp/o3" --backend "$tmp/be/tgt.json"
check "target-only backend leaves no output" test ! -e "$tmp/o3"

expect 1 "--backend-var without =" "--backend-var takes KEY=VALUE" -- \
  "$ta" compile "$m" -o "$tmp/o4" --backend "$tmp/be/tgt.json" --backend-var NOVALUE
printf '{"name": "v", "ops": {"CONV_2D": {"function": "f"}}, "sources": ["${LIB}/x.c"]}\n' \
  >"$tmp/be/v.json"
expect 1 "unset variable" "v.json: sources[0]: variable LIB is not set (give --backend-var LIB=VALUE" -- \
  env -u LIB "$ta" compile "$m" -o "$tmp/o5" --backend "$tmp/be/v.json"
check "unset variable leaves no output" test ! -e "$tmp/o5"

# Placement: the conv goes to the backend, the depthwise conv (8 channels) is declined.
printf '{"name": "acc", "ops": {"CONV_2D": {"function": "acc_conv"},\n "DEPTHWISE_CONV_2D": {"function": "acc_dw", "constraints": {"input_channels_multiple": 16}}}}\n' \
  >"$tmp/be/acc.json"
expect 0 "inspect shows the backend" "  acc  " -- "$ta" inspect "$m" --backend "$tmp/be/acc.json"
expect 0 "inspect shows the declined constraint" \
  "declined by acc: input channels 8 not a multiple of 16" -- "$ta" inspect "$m" --backend "$tmp/be/acc.json"
expect 0 "inspect --json placement" '"backend":"acc","backend_declined":null' -- \
  "$ta" inspect "$m" --json --backend "$tmp/be/acc.json"
expect 0 "inspect --json declined" '"backend":"cpu","backend_declined":"acc: input channels 8 not a multiple of 16"' -- \
  "$ta" inspect "$m" --json --backend "$tmp/be/acc.json"

# The example NPU (target-only): inspect and compile need no board; compile ships its driver
# and model, and the reference kernels its model computes with.
npu="$(cd "$(dirname "$0")/../.." && pwd)/examples/accelerators/npu/npu.json"
expect 0 "inspect: the conv goes to the NPU" "  CONV_2D             int8 [1,16,16,1]              int8 [1,8,8,8]                4608         168  npu" -- \
  "$ta" inspect "$m" --backend "$npu"
expect 0 "inspect: the NPU declines the depthwise conv" \
  "declined by npu: DEPTHWISE_CONV_2D not taken by backend npu" -- "$ta" inspect "$m" --backend "$npu"
expect 0 "compile --backend npu.json" "wrote" -- \
  "$ta" compile "$m" -o "$tmp/npu" --name demo --backend "$npu"
check "the NPU driver and model are shipped" \
  test -f "$tmp/npu/npu/driver/npu_driver.c" -a -f "$tmp/npu/npu/driver/npu_driver.h" -a -f "$tmp/npu/npu/model/npu_model.c"
check "the reference conv kernel is shipped for the model" test -f "$tmp/npu/tart/src/conv2d_s8.c"
check "the generated code calls the driver" grep -qF "st = npu_conv2d_s8(" "$tmp/npu/demo.c"
check "the conv's operands are in the NPU's pool" grep -qF "void *out[1] = {demo_pool_npu_sram + " "$tmp/npu/demo.c"
check "the pool's size is in the header" grep -qE "^#define DEMO_POOL_NPU_SRAM_SIZE [0-9]+$" "$tmp/npu/demo.h"
expect 0 "inspect: the NPU's pool" "memory pool npu_sram (backend npu, $npu): 32768 bytes, peak " -- \
  "$ta" inspect "$m" --backend "$npu"
expect 0 "inspect --json: the NPU's pool" '"pools":[{"name":"npu_sram","backend":"npu",' -- \
  "$ta" inspect "$m" --json --backend "$npu"

# A pool too small for the tensors its backend's ops touch: refused, naming the file, the pool
# and the tensor; nothing written.
sed 's/"bytes": 32768/"bytes": 256/' "$npu" >"$tmp/be/small.json"
sed -i "s|\"driver/|\"$(dirname "$npu")/driver/|g; s|\"model/|\"$(dirname "$npu")/model/|g; s|\"include_dirs\": \[\"driver\"\]|\"include_dirs\": [\"$(dirname "$npu")/driver\"]|" \
  "$tmp/be/small.json"
expect 1 "pool too small for a tensor" \
  "small.json: memory_pool \"npu_sram\" of 256 bytes is too small for tensor 3 \"conv/out\" (int8 [1,8,8,8], 512 bytes), an operand of backend npu" -- \
  "$ta" compile "$m" -o "$tmp/o6" --backend "$tmp/be/small.json"
check "a too-small pool leaves no output" test ! -e "$tmp/o6"
sed -i 's/"bytes": 256/"bytes": 700/' "$tmp/be/small.json"
expect 1 "pool too small for the peak" \
  "small.json: memory_pool \"npu_sram\" of 700 bytes is too small: its tensors need 768 bytes at their peak (768 live at op 0 CONV_2D, the largest tensor 3 \"conv/out\" of 512 bytes)" -- \
  "$ta" run "$m" --output-dir "$tmp/o7" --target cortex-m4 --backend "$tmp/be/small.json"
check "a pool too small for the peak leaves no output" test ! -e "$tmp/o7"

if [ -n "$cmsis" ] && [ -d "$cmsis" ]; then
  cmsis=$(cd "$cmsis" && pwd -P) # the fragments name files by their canonical path
  expect 0 "compile --backend cmsis-nn" "wrote" -- \
    "$ta" compile "$m" -o "$tmp/lib" --name demo --backend cmsis-nn --backend-var "CMSIS_NN=$cmsis"
  check "the adapters are shipped" test -f "$tmp/lib/cmsis-nn/cmsis_nn_adapters.c"
  check "CMSIS-NN is not copied" sh -c "! find '$tmp/lib' -name 'arm_*' | grep -q ."
  check "the CMake fragment names CMSIS-NN where it is" \
    grep -qF "$cmsis/Source/ConvolutionFunctions/arm_convolve_wrapper_s8.c" "$tmp/lib/demo.cmake"
  check "the Make fragment names CMSIS-NN's headers" grep -qF -- "-I$cmsis/Include" "$tmp/lib/demo.mk"
  check "the generated code calls the adapter" grep -qF "st = cmsis_nn_conv2d_s8(" "$tmp/lib/demo.c"
  # A relative --backend-var value is taken from where the command runs, not from the
  # description's folder.
  rel=$(cd "$tmp" && realpath --relative-to=. "$cmsis")
  expect 0 "compile --backend-var CMSIS_NN=RELATIVE" "wrote" -- \
    sh -c "cd '$tmp' && '$ta' compile '$m' -o rel --name demo --backend cmsis-nn --backend-var 'CMSIS_NN=$rel'"
  check "a relative CMSIS_NN names the same checkout" \
    grep -qF "$cmsis/Source/ConvolutionFunctions/arm_convolve_wrapper_s8.c" "$tmp/rel/demo.cmake"
else
  echo "skip: no CMSIS-NN checkout (${cmsis:-not given}): the cmsis-nn compile checks"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
