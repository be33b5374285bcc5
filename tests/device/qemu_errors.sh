#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# qemu_errors.sh BUILD: how `tinyaot run/bench --target` fail: each case must exit 1 with a
# message that says what is wrong, in bounded time, leave no QEMU running and no temporary
# directory behind. Cases: unknown target, bad options, wrong input size, missing QEMU, missing
# cross compiler, a firmware that faults during RUN, a firmware that never finishes a RUN.
set -u
build=$1
tinyaot="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-errors-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir "$work"
fail=0
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL: example_model"; exit 1; }
m="$tmp/example.tflite"
in="--input $tmp/input_0.bin"

# expect CODE PATTERN [ENV=VALUE...] -- ARGS...: run tinyaot, check exit code and message.
expect() {
  code=$1 pattern=$2
  shift 2
  envs=""
  while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  shift
  start=$(date +%s)
  # shellcheck disable=SC2086
  env TMPDIR="$work" $envs "$tinyaot" "$@" >"$tmp/out" 2>&1
  got=$?
  secs=$(( $(date +%s) - start ))
  if [ "$got" != "$code" ] || ! grep -q -- "$pattern" "$tmp/out"; then
    echo "FAIL tinyaot $*: exit $got (want $code), output:"; cat "$tmp/out"
    echo "     (wanted a message matching: $pattern)"; fail=1
  else
    echo "ok   tinyaot $* -> exit $got in ${secs}s: $(grep -- "$pattern" "$tmp/out" | head -1)"
  fi
  if [ -n "$(ls -A "$work")" ]; then
    echo "FAIL tinyaot $*: left behind: $(ls -A "$work")"; fail=1; rm -rf "${work:?}"/*
  fi
  if ps -eo args | grep -v grep | grep -q "qemu-system-arm.*$work"; then
    echo "FAIL tinyaot $*: a QEMU process is still running"; fail=1
  fi
}

expect 1 "unknown target 'cortex-m99' (targets: host, cortex-m3" -- run "$m" $in --output-dir "$tmp/o" --target cortex-m99
expect 1 "unknown target 'riscv'" -- bench "$m" --target riscv
expect 1 "needs a Cortex-M --target" -- run "$m" $in --output-dir "$tmp/o" --device /dev/ttyUSB0
expect 1 "expected seconds" -- bench "$m" --timeout soon
expect 1 "unknown option '--frobnicate'" -- bench "$m" --frobnicate
expect 1 "has 4 bytes, but model input 0 \"input\" (int8 \[1,16,16,1\]) needs 256" -- run "$m" --input "$tmp/expected_0.bin" --output-dir "$tmp/o" --target cortex-m4
expect 1 "install the Debian package qemu-system-arm" TA_QEMU=/nonexistent/qemu-system-arm -- run "$m" $in --output-dir "$tmp/o" --target cortex-m4
expect 1 "install the Debian packages gcc-arm-none-eabi" TA_ARM_CC=/nonexistent/arm-none-eabi-gcc -- run "$m" $in --output-dir "$tmp/o" --target cortex-m4
expect 1 "stopped with a HardFault during RUN: pc=0x" TA_ARM_CFLAGS=-DTA_FW_TEST_FAULT -- run "$m" $in --output-dir "$tmp/o" --target cortex-m4
expect 1 "no answer to RUN within 2000 ms" TA_ARM_CFLAGS=-DTA_FW_TEST_HANG -- bench "$m" --target cortex-m33 --timeout 2
expect 1 "tcp:127.0.0.1:1: cannot connect" -- run "$m" $in --output-dir "$tmp/o" --target cortex-m4 --device tcp:127.0.0.1:1
if [ -e "$tmp/o" ]; then echo "FAIL: a failed run created its output directory"; fail=1; fi
exit $fail
