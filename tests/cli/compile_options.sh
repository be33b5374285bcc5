#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# compile_options.sh BUILD_DIR [qemu]: every command that compiles accepts the same compile
# options (--input-shape, --align, --io-in-arena, --reference-kernels, ...), parsed by one
# helper; a bad value is exit 1 with a message naming the option. The model is a small ONNX
# classifier with a dynamic batch dimension (make_onnx_seeds' cnn_dynamic_batch), as PyTorch
# exports one. Without "qemu": compile, inspect, run and eval on the host; with "qemu": bench
# and eval on the emulated Cortex-M4 (ctest label qemu).
set -u
build=$1 mode=${2:-host}
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cliopt-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect CODE DESCRIPTION TEXT -- CMD...: run CMD, want exit CODE and TEXT in its output.
expect() {
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

mkdir "$tmp/seeds"
"$build/tests/fuzz/make_onnx_seeds" "$tmp/seeds" >/dev/null || { echo "FAIL make_onnx_seeds"; exit 1; }
m="$tmp/seeds/cnn_dynamic_batch.onnx"
head -c 256 /dev/zero >"$tmp/input.bin"           # one record: float32 [1,1,8,8]
head -c 512 /dev/zero >"$tmp/data.bin"            # two records
printf '\000\001' >"$tmp/labels.bin"
shape="--input-shape x=1,1,8,8"

if [ "$mode" = qemu ]; then
  cmds="bench eval"
else
  cmds="compile inspect run eval"
fi
for c in $cmds; do
  case "$c" in
  compile) args="-o $tmp/lib_$c" ;;
  run) args="--input $tmp/input.bin --output-dir $tmp/run_out" ;;
  eval) args="--data $tmp/data.bin --labels $tmp/labels.bin --target $([ "$mode" = qemu ] && echo cortex-m4 || echo host)" ;;
  *) args="" ;;
  esac
  # shellcheck disable=SC2086
  {
    expect 1 "$c: a dynamic batch without --input-shape" 'give one with --input-shape x=1,1,8,8' -- "$ta" $c "$m" $args
    expect 0 "$c --input-shape" "" -- "$ta" $c "$m" $args $shape
    expect 0 "$c --input-shape --align 16 --io-in-arena" "" -- "$ta" $c "$m" $args $shape --align 16 --io-in-arena
    expect 0 "$c --input-shape=... --align=8 --no-inplace --no-reorder --reference-kernels" "" -- \
      "$ta" $c "$m" $args --input-shape=x=1,1,8,8 --align=8 --no-inplace --no-reorder --reference-kernels
    expect 1 "$c --align 3" "--align takes a power of two from 1 to 4096, not '3'" -- "$ta" $c "$m" $args $shape --align 3
    expect 1 "$c --input-shape x=1,0" "--input-shape takes NAME=D0,D1,... with positive dims" -- "$ta" $c "$m" $args --input-shape x=1,0
    expect 1 "$c --max-arena lots" "--max-arena takes a size in bytes: a whole number, optionally with K, KiB, M or MiB (1K = 1024), not 'lots'" -- "$ta" $c "$m" $args $shape --max-arena lots
    expect 1 "$c --align without a value" "option --align needs a value" -- "$ta" $c "$m" $args $shape --align
    expect 0 "$c --optimize size" "" -- "$ta" $c "$m" $args $shape --optimize size
    expect 1 "$c --optimize fast" "--optimize takes speed or size, not 'fast'" -- "$ta" $c "$m" $args $shape --optimize fast
  }
done
if [ "$mode" != qemu ]; then
  # The options reach the plan: a 16-byte alignment shows in inspect's JSON.
  expect 0 "inspect --json reports --align 16" '"alignment_bytes":16' -- "$ta" inspect "$m" $shape --align 16 --json
  expect 0 "inspect --json reports --io-in-arena" '"io_in_arena":true' -- "$ta" inspect "$m" $shape --io-in-arena --json
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
