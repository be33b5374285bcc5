#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# install.sh BUILD_DIR [CMSIS_NN_DIR]: `cmake --install` into a DESTDIR staging folder gives a
# tinyaot that finds its shipped backends by name in its own share folder: the binary, the
# cmsis-nn description and adapters, the example NPU. `--backend cmsis-nn` from the staged
# binary reads the staged description (the message for an unset CMSIS_NN names that file),
# and, with a CMSIS-NN checkout, compiles with the staged adapters.
set -u
build=$1 cmsis=${2:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check DESCRIPTION CONDITION...
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}

stage="$tmp/stage" prefix=/opt/tinyaot
DESTDIR="$stage" cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1
check "cmake --install succeeds" test $? = 0
root="$stage$prefix"
ta="$root/bin/tinyaot"
share="$root/share/tinyaot"
check "the binary is installed" test -x "$ta"
check "the cmsis-nn description is installed" test -f "$share/backends/cmsis-nn/cmsis-nn.json"
check "the cmsis-nn adapters are installed" test -f "$share/backends/cmsis-nn/cmsis_nn_adapters.c"
check "the example NPU is installed" test -f "$share/examples/accelerators/npu/npu.json" \
  -a -f "$share/examples/accelerators/npu/driver/npu_driver.c" \
  -a -f "$share/examples/accelerators/npu/model/npu_model.c"
src=$(cd "$(dirname "$0")/../.." && pwd)
check "the installed adapters are the source tree's" \
  cmp -s "$share/backends/cmsis-nn/cmsis_nn_adapters.c" "$src/backends/cmsis-nn/cmsis_nn_adapters.c"

"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"
env -u CMSIS_NN "$ta" inspect "$m" --backend cmsis-nn >"$tmp/out" 2>&1
code=$?
check "--backend cmsis-nn without CMSIS_NN exits 1" test $code = 1
check "the message names the installed description" \
  grep -qF "$root/bin/../share/tinyaot/backends/cmsis-nn/cmsis-nn.json: " "$tmp/out"
grep -qF "variable CMSIS_NN is not set" "$tmp/out" || { echo "FAIL message:"; cat "$tmp/out"; fail=$((fail + 1)); }
"$ta" inspect "$m" --backend "$share/examples/accelerators/npu/npu.json" >"$tmp/out" 2>&1
check "the installed example NPU takes the conv" grep -qF "memory pool npu_sram (backend npu" "$tmp/out"

if [ -n "$cmsis" ] && [ -d "$cmsis" ]; then
  "$ta" compile "$m" -o "$tmp/lib" --name demo --backend cmsis-nn --backend-var "CMSIS_NN=$cmsis" \
    >"$tmp/out" 2>&1
  check "the installed tinyaot compiles with --backend cmsis-nn" test $? = 0
  check "the installed adapters are shipped" \
    cmp -s "$tmp/lib/cmsis-nn/cmsis_nn_adapters.c" "$share/backends/cmsis-nn/cmsis_nn_adapters.c"
else
  echo "skip: no CMSIS-NN checkout (${cmsis:-not given}): the compile with the installed cmsis-nn"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
