#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tune.sh BUILD: `tinyaot tune` end to end on QEMU, on the example model built in code (CONV_2D,
# DEPTHWISE_CONV_2D, FULLY_CONNECTED int8, plus ops with a single variant):
#   1. tune with a small trial budget on two boards: every tuned workload has an "ok" record of
#      its reference variant and the table's totals show;
#   2. run again: it resumes with zero new measurements (the log is unchanged);
#   3. with TA_TUNE_TEST_BREAK=packed (a test-only hook that makes the packed variant's code
#      compute a wrong output on the board) the packed candidates are recorded "wrong" and the
#      best of every workload is another variant;
#   4. compile --tuning-log picks the log's best records ("log" in inspect);
#   5. --device tcp: the same tuning against a QEMU tuning board started separately.
set -u
build=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tune-XXXXXX")
qpid=""
trap 'rm -rf "$tmp"; [ -n "$qpid" ] && kill "$qpid" 2>/dev/null' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL: example_model"; exit 1; }
m="$tmp/example.tflite"
export XDG_CACHE_HOME="$tmp/cache"

# 1. A first run: records for every candidate planned, the table, exit 0.
if ! "$build/tinyaot" tune "$m" --target cortex-m4 --log "$tmp/a.log" --trials 3 --jobs 2 \
    --keep-build >"$tmp/out1" 2>"$tmp/err1"; then
  bad "tune failed:"; cat "$tmp/out1" "$tmp/err1"; exit 1
fi
n1=$(wc -l <"$tmp/a.log")
for kind in CONV_2D DEPTHWISE_CONV_2D FULLY_CONNECTED; do
  if grep "\"workload\":\"$kind" "$tmp/a.log" | grep '"variant":"ref"' | grep -q '"status":"ok"'; then
    ok "$kind: the reference variant has an ok record"
  else
    bad "$kind: no ok record of the reference variant:"; cat "$tmp/a.log"
  fi
  if grep -q "^[0-9]* *$kind " "$tmp/out1"; then ok "$kind: a row in the table"; else bad "$kind: no row:"; cat "$tmp/out1"; fi
done
if grep '"status"' "$tmp/a.log" | grep -v -q '"status":"ok"'; then
  bad "a candidate failed without a broken kernel:"; grep -v '"status":"ok"' "$tmp/a.log"
else
  ok "all $n1 records are ok"
fi
# The conv workloads have 4 candidates (packed int8 and int16 weights, opt, ref), so
# --trials 3 samples them: at most 3 records each.
for key in $(sed -n 's/.*"workload":"\(CONV_2D[^"]*\)".*/\1/p' "$tmp/a.log" | sort -u | tr ' ' '#'); do
  k=$(echo "$key" | tr '#' ' ')
  c=$(grep -F -c "\"workload\":\"$k\"" "$tmp/a.log")
  if [ "$c" -ge 2 ] && [ "$c" -le 3 ]; then ok "sampled conv workload: $c records (trials 3)"; else bad "conv workload with $c records, expected 2..3"; fi
done
grep -q "tuned ops, whole models: default [0-9,]*, tuned [0-9,]* instructions" "$tmp/out1" &&
  ok "model totals printed" || { bad "no totals:"; cat "$tmp/out1"; }
work=$(sed -n 's/.*work folder kept: //p' "$tmp/err1")

# 2. Resume: nothing new to measure.
"$build/tinyaot" tune "$m" --target cortex-m4 --log "$tmp/a.log" --trials 3 --jobs 2 \
  >"$tmp/out2" 2>"$tmp/err2" || { bad "second run failed:"; cat "$tmp/out2" "$tmp/err2"; }
n2=$(wc -l <"$tmp/a.log")
if [ "$n1" = "$n2" ] && grep -q " 0 new records" "$tmp/out2"; then
  ok "resumed run: zero new measurements ($n2 records)"
else
  bad "resumed run measured again: $n1 -> $n2 records"; cat "$tmp/out2"
fi

# 3. A wrong kernel is recorded "wrong" and never chosen.
TA_TUNE_TEST_BREAK=packed "$build/tinyaot" tune "$m" --target cortex-m4 --log "$tmp/b.log" \
  --jobs 2 >"$tmp/out3" 2>"$tmp/err3" || { bad "tune with a broken variant failed:"; cat "$tmp/out3" "$tmp/err3"; }
if grep '"variant":"packed"' "$tmp/b.log" | grep -q '"status":"wrong"' &&
    ! grep '"variant":"packed"' "$tmp/b.log" | grep -v -q '"status":"wrong"' &&
    grep '"status":"wrong"' "$tmp/b.log" | grep -q 'differs from the reference'; then
  ok "every packed candidate recorded wrong, with the reason"
else
  bad "broken packed candidates not recorded wrong:"; cat "$tmp/b.log"
fi
if awk '/^[0-9]+ /{print $5}' "$tmp/out3" | grep -q packed; then
  bad "a wrong candidate was chosen:"; cat "$tmp/out3"
else
  ok "no workload's best is the broken variant"
fi

# 4. compile --tuning-log applies the best records.
if "$build/tinyaot" inspect "$m" --tuning-log "$tmp/b.log" >"$tmp/insp" 2>&1 &&
    grep -q "(log)" "$tmp/insp" && ! grep "(log)" "$tmp/insp" | grep -q packed; then
  ok "inspect --tuning-log: ops scheduled from the log, none with the wrong variant"
else
  bad "inspect --tuning-log:"; cat "$tmp/insp"
fi
if "$build/tinyaot" compile "$m" -o "$tmp/c" --tuning-log "$tmp/a.log" >"$tmp/comp" 2>&1; then
  ok "compile --tuning-log"
else
  bad "compile --tuning-log:"; cat "$tmp/comp"
fi

# 4b. Ctrl-C: the run stops, says so (exit 1), every record written is a whole line, and the
# next run resumes to the same set of candidates as an uninterrupted run.
"$build/tinyaot" tune "$m" --target cortex-m4 --log "$tmp/i.log" --trials 3 --no-cache \
  >"$tmp/outi" 2>"$tmp/erri" &
tpid=$!
for i in $(seq 1 300); do
  [ -s "$tmp/i.log" ] && break
  kill -0 $tpid 2>/dev/null || break
  sleep 0.1
done
kill -INT $tpid 2>/dev/null
wait $tpid
rc=$?
ni=$(wc -l <"$tmp/i.log")
if [ $rc = 0 ]; then
  echo "note the run finished before the signal reached it ($ni records)"
elif [ $rc = 1 ] && grep -q "interrupted; the log keeps every finished record" "$tmp/erri" &&
    [ "$ni" -ge 1 ] && [ "$ni" -lt "$n1" ] && [ "$(grep -c '"status":"ok","reason":null}$' "$tmp/i.log")" = "$ni" ]; then
  ok "Ctrl-C: exit 1 after $ni whole records"
else
  bad "Ctrl-C: exit $rc, $ni records:"; cat "$tmp/erri" "$tmp/i.log"
fi
"$build/tinyaot" tune "$m" --target cortex-m4 --log "$tmp/i.log" --trials 3 >/dev/null 2>&1
if [ "$(wc -l <"$tmp/i.log")" = "$n1" ]; then
  ok "resumed after Ctrl-C: $n1 records, as the uninterrupted run"
else
  bad "resumed after Ctrl-C: $(wc -l <"$tmp/i.log") records, uninterrupted $n1"
fi

# 5. --device tcp: a tuning board started by hand (the firmware the first run built).
elf=$(find "$work" -name '*.elf' | head -n 1)
served=0
for try in 1 2 3 4 5; do
  [ -n "$elf" ] || break
  port=$(( 20000 + ($$ * 7 + try * 1543) % 30000 ))
  qemu-system-arm -machine mps2-an386 -nographic -monitor none -icount shift=0 \
    -serial "tcp:127.0.0.1:$port,server=on,wait=off" -kernel "$elf" >"$tmp/qemu.log" 2>&1 &
  qpid=$!
  sleep 1
  if kill -0 "$qpid" 2>/dev/null; then served=1; break; fi
  qpid=""
done
if [ $served = 0 ]; then
  bad "could not start a QEMU tuning board (firmware '$elf'):"; cat "$tmp/qemu.log"
elif "$build/tinyaot" tune "$m" --target cortex-m4 --log "$tmp/d.log" --trials 3 \
    --device "tcp:127.0.0.1:$port" >"$tmp/out5" 2>&1 &&
    grep -q '"variant":"ref".*"status":"ok"' "$tmp/d.log"; then
  a=$(grep '"workload":"FULLY_CONNECTED' "$tmp/a.log" | grep '"variant":"ref"' | sed 's/.*"instructions":\([0-9]*\).*/\1/')
  d=$(grep '"workload":"FULLY_CONNECTED' "$tmp/d.log" | grep '"variant":"ref"' | sed 's/.*"instructions":\([0-9]*\).*/\1/')
  # A --device board's timer counts clock cycles (1 per tick); QEMU's timer ticks once per 40
  # instructions, so the same run reads 40 times fewer "instructions" through --device.
  if [ -n "$a" ] && [ -n "$d" ] && [ "$a" = "$((d * 40))" ]; then
    ok "--device tcp:127.0.0.1:$port: tuned; FC reference $d ticks = $a instructions on own QEMU"
  else
    bad "--device: FC reference '$d' ticks, own QEMU '$a' instructions"
  fi
else
  bad "tune --device tcp:127.0.0.1:$port:"; cat "$tmp/out5"; cat "$tmp/d.log"
fi
[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
qpid=""
rm -rf "$work"
exit $fail
