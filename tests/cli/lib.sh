# SPDX-License-Identifier: Apache-2.0
# lib.sh: what the CLI test scripts share (sourced after setting $tmp): expect, check, the
# pass/fail counts, and finish to print them and exit.
pass=0 fail=0

# expect CODE DESCRIPTION TEXT -- CMD...: run CMD, want exit CODE and TEXT (fixed string) in its
# output (stdout and stderr; stdout alone in $tmp/stdout, stderr alone in $tmp/stderr).
expect() {
  code=$1 desc=$2 text=$3
  shift 4
  "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  got=$?
  cat "$tmp/stdout" "$tmp/stderr" >"$tmp/out"
  if [ "$got" != "$code" ]; then
    echo "FAIL $desc: exit $got, expected $code"; sed 's/^/     /' "$tmp/out"; fail=$((fail + 1)); return
  fi
  if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/out"; then
    echo "FAIL $desc: output lacks '$text':"; sed 's/^/     /' "$tmp/out"; fail=$((fail + 1)); return
  fi
  echo "ok   $desc"; pass=$((pass + 1))
}
# check DESCRIPTION CONDITION...
check() {
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}
# same DESCRIPTION GOT WANT: two strings equal.
same() {
  if [ "$2" = "$3" ]; then echo "ok   $1"; pass=$((pass + 1)); else
    echo "FAIL $1: got '$2', expected '$3'"; fail=$((fail + 1)); fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
  exit $?
}
