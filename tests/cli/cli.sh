#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cli.sh BUILD_DIR: command-line behaviour: help texts, exit codes (0 ok, 1 bad input/usage),
# messages that name the file and reason, and no output left behind on failure.
set -u
build=$1
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-XXXXXX")
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
check() { # check DESCRIPTION CONDITION...
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}

"$build/example_model" "$tmp" || { echo "FAIL example_model"; exit 1; }
m="$tmp/example.tflite"

expect 0 "tinyaot --help" "usage: tinyaot" -- "$ta" --help
expect 1 "no command" "usage: tinyaot" -- "$ta"
expect 1 "unknown command" "unknown command 'frobnicate'" -- "$ta" frobnicate
for c in compile run inspect; do
  expect 0 "$c --help" "usage: tinyaot $c" -- "$ta" $c --help
  expect 1 "$c with an unknown option" "unknown option '--bogus'" -- "$ta" $c "$m" --bogus
done
expect 1 "compile without -o" "no output directory given" -- "$ta" compile "$m"
expect 1 "compile -o without value" "option -o needs a value" -- "$ta" compile "$m" -o
expect 1 "missing model file" "cannot open '$tmp/nope.tflite'" -- "$ta" inspect "$tmp/nope.tflite"
expect 1 "bad --name" "is not a C identifier" -- "$ta" compile "$m" -o "$tmp/badname" --name 9lives
check "bad --name leaves no output" test ! -e "$tmp/badname"

# A malformed model: no output directory appears, exit 1, the file is named.
head -c 100 "$m" >"$tmp/trunc.tflite"
expect 1 "truncated model" "$tmp/trunc.tflite" -- "$ta" compile "$tmp/trunc.tflite" -o "$tmp/out_trunc"
check "truncated model leaves no output" test ! -e "$tmp/out_trunc"
check "no temporary directory left behind" sh -c "! ls -d '$tmp'/out_trunc.* 2>/dev/null | grep -q ."
printf 'XXXXXXXXXXXXXXXX' >"$tmp/notflite.tflite"
expect 1 "wrong file identifier" 'expected "TFL3"' -- "$ta" inspect "$tmp/notflite.tflite"

# A good compile, then a failing one into the same directory: the good output stays intact.
expect 0 "compile" "wrote" -- "$ta" compile "$m" -o "$tmp/lib" --name demo
check "compile wrote demo.h" test -f "$tmp/lib/demo.h"
check "compile wrote the runtime" test -f "$tmp/lib/tart/include/tart.h"
check "compile wrote build fragments" test -f "$tmp/lib/demo.cmake" -a -f "$tmp/lib/demo.mk"
cp "$tmp/lib/demo.c" "$tmp/demo.c.before"
expect 1 "failing compile into an existing output" "" -- "$ta" compile "$tmp/trunc.tflite" -o "$tmp/lib"
check "previous output intact after a failed compile" cmp -s "$tmp/demo.c.before" "$tmp/lib/demo.c"
mkdir -p "$tmp/userdir" && echo precious >"$tmp/userdir/file"
expect 1 "refuses to replace a foreign directory" "was not written by tinyaot" -- "$ta" compile "$m" -o "$tmp/userdir"
check "foreign directory untouched" grep -q precious "$tmp/userdir/file"
expect 0 "recompile replaces previous output" "wrote" -- "$ta" compile "$m" -o "$tmp/lib" --name demo

# Failures in the write phase itself: a file size limit (ulimit -f 6: 3 KiB in dash, 6 KiB in
# bash) stops the writing midway, after the first files (the runtime sources are larger). With
# SIGXFSZ ignored the write fails cleanly (EFBIG); with its default action the process is killed
# in the middle of writing, as by a crash or kill -9. Either way the previous output stays
# intact and readable, and the new library never appears half-written under its name.
cp -R "$tmp/lib" "$tmp/lib.before"
expect 1 "compile failing while writing (file size limit)" "File too large" -- \
  sh -c 'trap "" XFSZ; ulimit -f 6; exec "$@"' sh "$ta" compile "$m" -o "$tmp/lib" --name other
check "previous output intact after a failed write" diff -r "$tmp/lib.before" "$tmp/lib"
check "no temporary directory left after a failed write" \
  sh -c "! ls -d '$tmp'/lib.tmp.* '$tmp'/lib.old.* 2>/dev/null | grep -q ."
sh -c 'ulimit -f 6; exec "$@"' sh "$ta" compile "$m" -o "$tmp/lib" --name other >"$tmp/out" 2>&1
check "compile killed while writing (SIGXFSZ)" test $? -gt 128
check "previous output intact after a compile killed while writing" diff -r "$tmp/lib.before" "$tmp/lib"
sh -c 'ulimit -f 6; exec "$@"' sh "$ta" compile "$m" -o "$tmp/newlib" --name other >"$tmp/out" 2>&1
check "a compile killed while writing leaves no output under the final name" test ! -e "$tmp/newlib"
rm -rf "$tmp"/lib.tmp.* "$tmp"/newlib.tmp.* "$tmp/lib.before"
expect 0 "compile after a killed one" "wrote" -- "$ta" compile "$m" -o "$tmp/lib" --name demo

# --max-arena: a model needing a larger arena is refused, naming both sizes; compile, inspect
# and run take the option. The limit is one byte below this model's arena.
arena=$("$ta" inspect "$m" --json | sed -n 's/.*"arena_bytes":\([0-9]*\).*/\1/p')
lim=$((arena - 1))
expect 1 "compile refuses an arena above --max-arena" "needs an arena of $arena bytes, above the limit of $lim bytes" -- \
  "$ta" compile "$m" -o "$tmp/small" --max-arena $lim
check "refused compile leaves no output" test ! -e "$tmp/small"
expect 1 "inspect refuses an arena above --max-arena" "above the limit of $lim bytes" -- \
  "$ta" inspect "$m" --max-arena=$lim
expect 1 "run refuses an arena above --max-arena" "above the limit of $lim bytes" -- \
  "$ta" run "$m" --input "$tmp/input_0.bin" --output-dir "$tmp/r0" --max-arena $lim
expect 1 "an input above --max-arena is refused" "needs 256 bytes, above the limit of 200 bytes" -- \
  "$ta" inspect "$m" --max-arena 200
expect 0 "a large enough --max-arena is accepted" "arena" -- "$ta" inspect "$m" --max-arena 1048576
expect 1 "--max-arena needs a number" "--max-arena takes a size in bytes" -- \
  "$ta" inspect "$m" --max-arena 12kb
expect 1 "--max-arena 0 is refused" "--max-arena takes a size in bytes" -- \
  "$ta" compile "$m" -o "$tmp/x" --max-arena 0

# The generated library builds standalone with its Makefile fragment, strict C99.
cat >"$tmp/lib/Makefile" <<'MK'
include demo.mk
all: ; $(CC) -std=c99 -Wall -Wextra -Werror -pedantic -c $(DEMO_CFLAGS) $(DEMO_SRCS)
MK
expect 0 "generated code builds with its Makefile fragment (-std=c99 -pedantic -Werror)" "" -- make -s -C "$tmp/lib"

# run: input size checked, outputs written.
head -c 10 "$tmp/input_0.bin" >"$tmp/short.bin"
expect 1 "run with a wrong-size input" "has 10 bytes, but model input 0" -- "$ta" run "$m" --input "$tmp/short.bin" --output-dir "$tmp/r1"
expect 1 "run with too many inputs" "the model has 1 input, but 2 --input files were given" -- "$ta" run "$m" --input "$tmp/input_0.bin" --input "$tmp/input_0.bin" --output-dir "$tmp/r1"
expect 0 "run" "ran" -- "$ta" run "$m" --input "$tmp/input_0.bin" --output-dir "$tmp/r2"
check "run output matches the reference computed in example_model.c" cmp -s "$tmp/r2/output_0.bin" "$tmp/expected_0.bin"

# inspect --json has the keys tools read.
"$ta" inspect "$m" --json >"$tmp/j.json" 2>&1
for k in '"ops":' '"macs":' '"weights_bytes":' '"arena_bytes":'; do
  check "inspect --json has $k" grep -q "$k" "$tmp/j.json"
done
expect 0 "inspect text" "CONV_2D" -- "$ta" inspect "$m"

# Memory plan reports and options.
expect 0 "inspect --plan" "memory plan: arena" -- "$ta" inspect "$m" --plan
expect 0 "inspect --plan-svg" "" -- "$ta" inspect "$m" --plan-svg "$tmp/plan.svg"
check "plan SVG written" grep -q "<svg" "$tmp/plan.svg"
expect 1 "bad --align" "--align takes a power of two" -- "$ta" inspect "$m" --align 12
expect 0 "inspect --code-size" '"code_size":{"target":"host"' -- "$ta" inspect "$m" --code-size --json
expect 0 "inspect --no-inplace --no-reorder" '"inplace_ops":0' -- "$ta" inspect "$m" --json --no-inplace --no-reorder

# Inputs and outputs in the arena: the generated run copies them in and out; a standalone
# program built from the Makefile fragment gives the same bytes.
expect 0 "compile --io-in-arena" "wrote" -- "$ta" compile "$m" -o "$tmp/ioa" --name demo --io-in-arena --align 16
check "header gives the input's arena offset" grep -q "DEMO_INPUT_0_ARENA_OFFSET" "$tmp/ioa/demo.h"
cat >"$tmp/ioa/main.c" <<'CEOF'
#include <stdio.h>
#include "demo.h"
static unsigned char arena[DEMO_ARENA_SIZE] __attribute__((aligned(DEMO_ARENA_ALIGN)));
int main(int argc, char **argv) {
  static signed char in[DEMO_INPUT_0_BYTES], out[DEMO_OUTPUT_0_BYTES];
  if (argc != 3) return 1;
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in, 1, sizeof in, f) != sizeof in) return 2;
  fclose(f);
  const void *ins[1] = {in};
  void *outs[1] = {out};
  if (demo_run(ins, outs, arena) != DEMO_OK) return 3;
  f = fopen(argv[2], "wb");
  if (!f || fwrite(out, 1, sizeof out, f) != sizeof out) return 4;
  return fclose(f) != 0;
}
CEOF
cat >"$tmp/ioa/Makefile" <<'MK'
include demo.mk
prog: ; $(CC) -std=c99 -Wall -Wextra -Werror $(DEMO_CFLAGS) main.c $(DEMO_SRCS) -o prog $(DEMO_LDLIBS)
MK
expect 0 "io-in-arena program builds" "" -- make -s -C "$tmp/ioa" prog
expect 0 "io-in-arena program runs" "" -- "$tmp/ioa/prog" "$tmp/input_0.bin" "$tmp/ioa_out.bin"
check "io-in-arena output matches" cmp -s "$tmp/ioa_out.bin" "$tmp/expected_0.bin"

# The arena guard (DEMO_ARENA_GUARD, a debug build of the generated code): silent on the code as
# generated; an op made to write two bytes past its output slot (the fully connected layer's
# planned offset moved by 2, as a planner or kernel bug would) is reported, naming the op.
mkdir -p "$tmp/guard"
cp "$tmp/lib/"*.c "$tmp/lib/"*.h "$tmp/lib/demo.mk" "$tmp/guard/" && cp -r "$tmp/lib/tart" "$tmp/guard/"
cat >"$tmp/guard/main.c" <<'CEOF'
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include "demo.h"
int main(int argc, char **argv) {
  static signed char in[DEMO_INPUT_0_BYTES], out[DEMO_OUTPUT_0_BYTES];
  void *arena = NULL;
  if (argc != 2 || posix_memalign(&arena, 16, DEMO_ARENA_SIZE) != 0) return 1;
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in, 1, sizeof in, f) != sizeof in) return 2;
  fclose(f);
  const void *ins[1] = {in};
  void *outs[1] = {out};
  int rc = (int)demo_run(ins, outs, arena);
  free(arena);
  printf("demo_run returned %d\n", rc);
  return rc;
}
CEOF
cat >"$tmp/guard/Makefile" <<'MK'
include demo.mk
prog: ; $(CC) -std=c99 -Wall -Wextra -Werror -DDEMO_ARENA_GUARD $(DEMO_CFLAGS) main.c $(DEMO_SRCS) -o prog $(DEMO_LDLIBS)
MK
expect 0 "arena guard build" "" -- make -s -C "$tmp/guard" prog
expect 0 "arena guard: the generated code writes only its slots" "demo_run returned 0" -- \
  "$tmp/guard/prog" "$tmp/input_0.bin"
sed '/op 4 FULLY_CONNECTED/,/demo_p4/ s/void \*out\[1\] = {a + 0};/void *out[1] = {a + 2};/' \
  "$tmp/guard/demo.c" >"$tmp/guard/demo.c.mut"
check "arena guard: the test's mutation applies" sh -c "! cmp -s '$tmp/guard/demo.c' '$tmp/guard/demo.c.mut'"
mv "$tmp/guard/demo.c.mut" "$tmp/guard/demo.c" && rm -f "$tmp/guard/prog"
expect 0 "arena guard build (an output offset moved by 2)" "" -- make -s -C "$tmp/guard" prog
expect 4 "arena guard names the op writing outside its slot" \
  "demo: op 4 FULLY_CONNECTED wrote arena byte 4, outside its output and scratch slots" -- \
  "$tmp/guard/prog" "$tmp/input_0.bin"

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
