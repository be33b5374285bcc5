#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# json.sh BUILD_DIR: the JSON of every command (issue 17, item 8; docs/JSON.md), read with a
# real parser (json_get: jansson, duplicate keys refused): schema_version, tinyaot_version (the
# one --version prints) and command in every document; one vocabulary (index for an op's index,
# type for its type, *_bytes for every byte count and nothing else); errors as JSON objects on
# stderr with --json. bench and eval run on the emulated Cortex-M4F.
set -u
build=$1
ta="$build/tinyaot" jg="$build/json_get"
g="$(cd "$(dirname "$0")/../../examples/gesture" && pwd)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-json-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"
version=$("$ta" --version | sed 's/^tinyaot //')
LC_ALL=C awk 'BEGIN { for (i = 0; i < 4 * 256; i++) printf "%c%c%c%c", 0, 0, 128 * (i % 2), (i % 7 < 3 ? 63 : 191) }' \
  >"$tmp/calib.bin"
printf '\000\001\002\003' >"$tmp/labels.bin"

has() { "$jg" "$@" >/dev/null; } # has FILE PATH...: every PATH is in FILE

# doc NAME CMD...: run CMD, keep its stdout as $tmp/NAME.json; it must parse and carry the head.
doc() {
  name=$1; shift
  if ! "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"; then
    echo "FAIL $name: exit $?"; cat "$tmp/$name.err"; fail=$((fail + 1)); return
  fi
  cmd=$2
  same "$name: schema_version" "$("$jg" "$tmp/$name.json" schema_version)" 1
  same "$name: tinyaot_version" "$("$jg" "$tmp/$name.json" tinyaot_version)" "$version"
  same "$name: command" "$("$jg" "$tmp/$name.json" command)" "$cmd"
  # Vocabulary: no "op" key (an op's index is "index", its type "type"); every key that names
  # a size in bytes ends in _bytes (text, rodata, data, bss, stack, arena, flash, ram, weights).
  check "$name: no \"op\" key" sh -c "! grep -q '\"op\" *:' '$tmp/$name.json'"
  # (a variant's knobs are named by the kernel, e.g. "weights": the weight width in bits, not
  # a byte count: left out)
  bad=$(sed 's/"knobs": *{[^}]*}//g' "$tmp/$name.json" | grep -o '"[a-z_]*"[ ]*:' | tr -d '": ' | sort -u |
    grep -E '(^|_)(text|rodata|data|bss|stack|arena|flash|ram|weights|param|scratch|alignment)$' |
    grep -v -x io_in_arena | tr '\n' ' ')
  same "$name: every byte count ends in _bytes" "$bad" ""
}

doc inspect "$ta" inspect "$m" --json --code-size
same "inspect: ops[].index" "$("$jg" "$tmp/inspect.json" ops.3.index)" 3
same "inspect: ops[].type" "$("$jg" "$tmp/inspect.json" ops.0.type)" CONV_2D
check "inspect: weights_bytes, arena_bytes, arena_with_io_bytes, alignment_bytes, op_count" \
  has "$tmp/inspect.json" weights_bytes arena_bytes arena_with_io_bytes alignment_bytes op_count
check "inspect: code_size in _bytes" has "$tmp/inspect.json" code_size.model_text_bytes code_size.runtime_data_bytes

doc bench "$ta" bench "$m" --target cortex-m4 --json
same "bench: layers[].index" "$("$jg" "$tmp/bench.json" layers.0.index)" 0
same "bench: layers[].type" "$("$jg" "$tmp/bench.json" layers.0.type)" CONV_2D
check "bench: flash_bytes, model_flash_bytes, ram_bytes, arena_bytes, stack_bytes" \
  has "$tmp/bench.json" flash_bytes model_flash_bytes ram_bytes arena_bytes stack_bytes
same "bench and inspect: the same arena_bytes" "$("$jg" "$tmp/bench.json" arena_bytes)" \
  "$("$jg" "$tmp/inspect.json" arena_bytes)"

set -- "$g/gesture.onnx" --data "$g/test_inputs.bin" --labels "$g/test_labels.bin" --limit 2
doc eval "$ta" eval "$@" --target cortex-m4 --json
check "eval: flash_bytes, model_flash_bytes, ram_bytes, arena_bytes, stack_bytes, fits" \
  has "$tmp/eval.json" flash_bytes model_flash_bytes ram_bytes arena_bytes stack_bytes fits
doc eval_host "$ta" eval "$@" --target host --json
same "eval on the host: instructions null" "$("$jg" "$tmp/eval_host.json" instructions)" null

doc quantize "$ta" quantize "$tmp/example_float.tflite" --calibration "$tmp/calib.bin" \
  --labels "$tmp/labels.bin" --json
same "quantize: layers[].type" "$("$jg" "$tmp/quantize.json" layers.0.type)" CONV_2D
check "quantize: int8_op_count, float_op_count, float_ops[], records, labelled_records" \
  has "$tmp/quantize.json" int8_op_count float_op_count float_ops records labelled_records

# Errors: with --json, a JSON object on stderr naming the command; nothing on stdout.
err() { # err COMMAND WANT_TEXT CMD...
  c=$1 want=$2; shift 2
  "$@" >"$tmp/e.out" 2>"$tmp/e.err"
  code=$?
  same "$c --json error: exit 1" "$code" 1
  same "$c --json error: command" "$("$jg" "$tmp/e.err" command)" "$c"
  check "$c --json error: message" sh -c "'$jg' '$tmp/e.err' error | grep -qF -- \"\$1\"" sh "$want"
  check "$c --json error: nothing on stdout" test ! -s "$tmp/e.out"
}
err inspect "cannot open '$tmp/nope.tflite'" "$ta" inspect "$tmp/nope.tflite" --json
err inspect "unknown option '--bogus'" "$ta" inspect --json "$m" --bogus
err bench "unknown target 'riscv'" "$ta" bench "$m" --json --target riscv
err eval "no --data given" "$ta" eval "$m" --json
err quantize "--method takes minmax" "$ta" quantize "$tmp/example_float.tflite" --json \
  --calibration "$tmp/calib.bin" --method best
err quantize "\"input\"" "$ta" quantize "$tmp/example_float.tflite" --json --calibration "$tmp/labels.bin"
finish
