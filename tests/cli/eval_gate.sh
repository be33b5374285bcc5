#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# eval_gate.sh BUILD_DIR: `tinyaot eval` as a CI gate (issue 17, item 5), on the demo's gesture
# model (examples/gesture) and the emulated Cortex-M4F: a missed RAM or flash budget exits 3
# with the verdict in the JSON ("fits": false) and a JSON error on stderr; within budget exit 0;
# the host measures nothing and so misses no budget; a --report path that cannot be written is
# refused before anything is built or run; --keep-build keeps and names the build; --timeout
# and --device reach the device session.
set -u
build=$1
ta="$build/tinyaot" jg="$build/json_get"
g="$(cd "$(dirname "$0")/../../examples/gesture" && pwd)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-eval-gate-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
set -- "$g/gesture.onnx" --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" --limit 3

# Over the RAM budget: exit 3, the figures still printed, the verdict in them and on stderr.
expect 3 "RAM budget missed: exit 3" "" -- "$ta" eval "$@" --target cortex-m4 --ram-budget 1000 --json
same "JSON says fits: false" "$("$jg" "$tmp/stdout" fits)" false
same "JSON has the budget" "$("$jg" "$tmp/stdout" ram_budget_bytes)" 1000
check "stderr: a JSON error naming the budget" sh -c \
  "'$jg' '$tmp/stderr' error | grep -q 'misses its budget: flash [0-9]* of 262144 bytes, RAM [0-9]* of 1000 bytes'"
same "stderr: the command in the JSON error" "$("$jg" "$tmp/stderr" command)" eval
expect 3 "flash budget missed (text): exit 3" "fits a part with" -- \
  "$ta" eval "$@" --target cortex-m4 --flash-budget 4096
check "text report says NO" grep -q "RAM: NO" "$tmp/stdout"
check "stderr: the plain-text verdict" grep -q "^tinyaot eval: error: the model misses its budget" "$tmp/stderr"

# Within budget: exit 0.
expect 0 "within budget: exit 0" "" -- "$ta" eval "$@" --target cortex-m4 --json --keep-build --timeout 60
same "JSON says fits: true" "$("$jg" "$tmp/stdout" fits)" true
kept=$(sed -n 's/.*firmware build kept in \([^"]*\).*/\1/p' "$tmp/stderr")
check "--keep-build names the build directory" test -n "$kept"
check "--keep-build keeps the firmware" sh -c "ls '$kept'/*/*.elf '$kept'/*.elf 2>/dev/null | grep -q elf"
[ -n "$kept" ] && rm -rf "$kept"

# The host counts nothing: no budget to miss, fits null.
expect 0 "host: exit 0 whatever the budget" "" -- "$ta" eval "$@" --target host --ram-budget 1 --json
same "host: fits is null" "$("$jg" "$tmp/stdout" fits)" null

# --report checked before the run: refused at once, nothing built.
expect 1 "--report into a missing folder" "--report $tmp/nope/r.html: the folder '$tmp/nope' does not exist" -- \
  "$ta" eval "$@" --target cortex-m4 --progress --report "$tmp/nope/r.html"
check "nothing built for a bad --report (--progress would show it)" sh -c "! grep -q 'building the firmware' '$tmp/out'"
expect 1 "--report naming a folder" "--report $tmp: is a folder" -- "$ta" eval "$@" --target host --report "$tmp"
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then # root writes anywhere
  expect 1 "--report into a read-only folder" "is not writable" -- \
    "$ta" eval "$@" --target host --report "$tmp/ro/r.html"
fi
expect 0 "--report written after a good run" "report: $tmp/r.html" -- \
  "$ta" eval "$@" --target host --report "$tmp/r.html"

# The device options of bench.
expect 1 "--timeout checked" "--timeout '0': expected seconds" -- "$ta" eval "$@" --timeout 0
expect 1 "--device needs a board" "--device needs a Cortex-M --target" -- \
  "$ta" eval "$@" --target host --device tcp:127.0.0.1:1
expect 1 "--device reaches the session" "tcp:127.0.0.1:1: cannot connect" -- \
  "$ta" eval "$@" --target cortex-m4 --device tcp:127.0.0.1:1
expect 0 "plan options accepted (--align 16 --no-reorder)" "" -- \
  "$ta" eval "$@" --target host --align 16 --no-reorder --json
finish
