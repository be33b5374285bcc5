#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# unsupported.sh TINYAOT SHARED MODEL...: every model of SHARED/vectors that is NOT in the
# golden list (MODEL...) must be refused cleanly: exit 1 and a message naming the unsupported
# operator (never a crash, never exit 2). `compile` is asked (inspect shows such models with
# the operators marked, when their tensors can be read). Exit 77 (skip) when SHARED is absent.
set -u
tinyaot=$1 shared=$2
shift 2
if [ ! -d "$shared/vectors" ]; then
  echo "SKIP: $shared/vectors not found (../shared is absent in a fresh clone)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unsupported-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for dir in "$shared"/vectors/*/; do
  m=$(basename "$dir")
  case " $* " in *" $m "*) continue ;; esac
  file=$(sed -n 's/^model_file=//p' "$dir/meta.txt")
  out=$("$tinyaot" compile "$shared/models/tflite/$file" -o "$tmp/out" 2>&1)
  code=$?
  if [ $code = 1 ] && printf '%s' "$out" | grep -q "unsupported operator\|custom operators are not supported"; then
    echo "ok   $m: refused: $(printf '%s\n' "$out" | grep -m1 unsupported)"
    pass=$((pass + 1))
  else
    echo "FAIL $m: exit $code:"; printf '%s\n' "$out" | head -5
    fail=$((fail + 1))
  fi
done
echo "unsupported models: $pass passed, $fail failed"
[ $fail = 0 ]
