#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# qemu_example.sh BUILD: the example model (built in code, no ../shared needed) on every
# emulated board, then the determinism check: two `tinyaot bench --json` runs, each in its own
# QEMU, must report the same instruction count, total and per layer, and each must have run
# twice with identical counts and outputs identical to the host build.
set -u
build=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-example-XXXXXX")
qpid=""
trap 'rm -rf "$tmp"; [ -n "$qpid" ] && kill "$qpid" 2>/dev/null' EXIT
fail=0
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL: example_model"; exit 1; }
for t in cortex-m3 cortex-m4 cortex-m7 cortex-m33; do
  if ! "$build/tinyaot" run "$tmp/example.tflite" --input "$tmp/input_0.bin" \
      --output-dir "$tmp/out-$t" --target "$t" >"$tmp/log" 2>&1; then
    echo "FAIL $t: tinyaot run failed:"; cat "$tmp/log"; fail=1; continue
  fi
  if cmp -s "$tmp/expected_0.bin" "$tmp/out-$t/output_0.bin"; then
    echo "ok   $t: output identical to the reference of example_model.c"
  else
    echo "FAIL $t: output differs from the reference of example_model.c"; fail=1
  fi
done

# Determinism across separate emulator processes (and whatever the host load is meanwhile).
for i in 1 2; do
  if ! "$build/tinyaot" bench "$tmp/example.tflite" --json >"$tmp/bench$i.json" 2>"$tmp/log"; then
    echo "FAIL: tinyaot bench failed:"; cat "$tmp/log"; exit 1
  fi
done
for key in '"repeatable": true' '"outputs_match_host": true' '"instructions_per_tick": 40'; do
  if ! grep -q "$key" "$tmp/bench1.json"; then echo "FAIL: bench JSON lacks $key:"; cat "$tmp/bench1.json"; fail=1; fi
done
ins1=$(sed -n 's/.*"instructions": \([0-9]*\), "instructions_per_tick".*/\1/p' "$tmp/bench1.json")
ins2=$(sed -n 's/.*"instructions": \([0-9]*\), "instructions_per_tick".*/\1/p' "$tmp/bench2.json")
if [ -z "$ins1" ] || [ "$ins1" -le 0 ] || [ "$ins1" != "$ins2" ]; then
  echo "FAIL: instructions per inference differ between two QEMU runs: '$ins1' vs '$ins2'"; fail=1
else
  echo "ok   instructions per inference identical on two QEMU runs: $ins1"
fi
grep '"index":' "$tmp/bench1.json" >"$tmp/layers1"
grep '"index":' "$tmp/bench2.json" >"$tmp/layers2"
if [ ! -s "$tmp/layers1" ] || ! cmp -s "$tmp/layers1" "$tmp/layers2"; then
  echo "FAIL: per-layer instructions differ between two QEMU runs:"; diff "$tmp/layers1" "$tmp/layers2"; fail=1
else
  echo "ok   per-layer instructions identical on two QEMU runs ($(wc -l <"$tmp/layers1") layers)"
fi

# --device: a "board" that is already running the firmware, behind a TCP port.
"$build/tinyaot" run "$tmp/example.tflite" --input "$tmp/input_0.bin" --output-dir "$tmp/o" \
  --target cortex-m4 --keep-build 2>"$tmp/kept" >/dev/null
fwdir=$(sed -n 's/.*firmware build kept in //p' "$tmp/kept")
served=0
for try in 1 2 3 4 5; do
  port=$(( 20000 + ($$ * 7 + try * 1543) % 30000 ))
  qemu-system-arm -machine mps2-an386 -nographic -monitor none -icount shift=0 \
    -serial "tcp:127.0.0.1:$port,server=on,wait=off" -kernel "$fwdir/firmware.elf" \
    >"$tmp/qemu.log" 2>&1 &
  qpid=$!
  sleep 1
  if kill -0 "$qpid" 2>/dev/null; then served=1; break; fi
  qpid=""
done
if [ $served = 0 ]; then
  echo "FAIL: could not start a QEMU serving its UART:"; cat "$tmp/qemu.log"; fail=1
elif ! "$build/tinyaot" run "$tmp/example.tflite" --input "$tmp/input_0.bin" --output-dir "$tmp/dev" \
    --target cortex-m4 --device "tcp:127.0.0.1:$port" >"$tmp/log" 2>&1 ||
    ! cmp -s "$tmp/expected_0.bin" "$tmp/dev/output_0.bin"; then
  echo "FAIL: run --device tcp:127.0.0.1:$port:"; cat "$tmp/log"; fail=1
else
  echo "ok   --device tcp:127.0.0.1:$port: output identical to the reference of example_model.c"
fi
[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
qpid=""
rm -rf "$fwdir"
exit $fail
