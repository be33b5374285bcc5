#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tuning_log_shared.sh BUILD_DIR TENSOR_CMP SHARED: a tuning log on a real model. A log written
# here from inspect --json's workload keys gives keyword spotting's packed CONV_2D layers
# 8-bit weights and its DEPTHWISE_CONV_2D layers the reference variant (choices the heuristic
# does not make); inspect must show them from the log, and the golden test (every case of
# SHARED/vectors/kws_dscnn_int8, identical bytes to TFLM's) must pass with the log applied.
# Exit 77 (skip) when SHARED is absent.
set -u
build=$1 cmp=$2 shared=$3
ta="$build/tinyaot"
model="$shared/models/tflite/kws_dscnn_int8.tflite"
if [ ! -f "$model" ] || [ ! -d "$shared/vectors/kws_dscnn_int8" ]; then
  echo "SKIP: $model not found (../shared is absent in a fresh clone)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tuneshared-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$ta" inspect "$model" --json >"$tmp/plain.json" || { echo "FAIL inspect"; exit 1; }
log="$tmp/kws.log"
: >"$log"
n=0
for type in CONV_2D DEPTHWISE_CONV_2D; do
  sed -n "s/.*\"type\":\"$type\".*\"workload\":\"\([^\"]*\)\".*/\1/p" "$tmp/plain.json" | sort -u >"$tmp/keys"
  while read -r key; do
    if [ "$type" = CONV_2D ]; then v=packed k='"weights":8'; else v=ref k=''; fi
    printf '{"tinyaot":"0.1.0","workload":"%s","target":"cortex-m4","variant":"%s","knobs":{%s},"instructions":1,"cycles":null,"status":"ok","reason":null}\n' \
      "$key" "$v" "$k" >>"$log"
    n=$((n + 1))
  done <"$tmp/keys"
done
[ "$n" -gt 2 ] || { echo "FAIL: only $n workloads found"; exit 1; }
"$ta" inspect "$model" --json --tuning-log "$log" >"$tmp/tuned.json" 2>"$tmp/err" || { echo "FAIL inspect --tuning-log"; cat "$tmp/err"; exit 1; }
[ ! -s "$tmp/err" ] || { echo "FAIL: warnings"; cat "$tmp/err"; exit 1; }
convs=$(grep -c '"type":"CONV_2D"' "$tmp/tuned.json")
dws=$(grep -c '"type":"DEPTHWISE_CONV_2D"' "$tmp/tuned.json")
got_c=$(grep -c '"type":"CONV_2D".*"variant":{"name":"packed","from":"log","knobs":{"weights":8}' "$tmp/tuned.json")
# The planner then takes the reference's in-place form where the input dies ("inplace").
got_d=$(grep -cE '"type":"DEPTHWISE_CONV_2D".*"variant":\{"name":"(ref|inplace)","from":"log"' "$tmp/tuned.json")
if [ "$got_c" != "$convs" ] || [ "$got_d" != "$dws" ] || [ "$dws" = 0 ]; then
  echo "FAIL: from the log: $got_c of $convs CONV_2D, $got_d of $dws DEPTHWISE_CONV_2D"
  exit 1
fi
echo "ok   inspect: $convs CONV_2D and $dws DEPTHWISE_CONV_2D from the log"
TA_GOLDEN_OPTS="--tuning-log $log --tuning-target cortex-m4" \
  sh "$(dirname "$0")/../golden/golden.sh" "$ta" "$cmp" "$shared" kws_dscnn_int8
