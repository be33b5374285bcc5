#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# conformance.sh TINYAOT DIR EXPECTED [onnx-test options]: the ONNX backend test folders of DIR
# through `tinyaot onnx-test`, compared line for line with EXPECTED (tests/onnx/expected/*.txt):
# every test that passes ("pass NAME") and every one that is unsupported, with its reason
# ("unsupported NAME: REASON"). Fails when a test fails, when onnx-test exits non-zero, and on
# any difference from EXPECTED: a test that stops passing or whose reason changes is a
# regression, and a test that starts passing is added to EXPECTED on purpose, by running this
# script with TA_UPDATE_EXPECTED=1 and committing the file. Exit 77 (skip) when DIR is absent.
set -u
tinyaot=$1 dir=$2 expected=$3
shift 3
if [ ! -d "$dir" ]; then
  echo "SKIP: $dir not found"
  exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$tinyaot" onnx-test "$@" "$dir" >"$tmp/out" 2>"$tmp/err"
code=$?
cat "$tmp/out" "$tmp/err"
# The per-test lines with the column padding squeezed; the summary line is not compared (the
# lines are), and FAIL lines are never expected, so they always show up as a difference.
grep -E '^(pass|unsupported|FAIL) ' "$tmp/out" | sed -E 's/^(pass|unsupported|FAIL) +/\1 /' \
  >"$tmp/got"
if [ "${TA_UPDATE_EXPECTED:-0}" = 1 ]; then
  if grep -q '^FAIL ' "$tmp/got"; then
    echo "conformance.sh: not updating $expected: some tests FAIL" >&2
    exit 1
  fi
  cp "$tmp/got" "$expected" && echo "conformance.sh: wrote $expected" && exit 0
fi
status=0
if [ "$code" != 0 ]; then
  echo "conformance.sh: tinyaot onnx-test exited with $code" >&2
  status=1
fi
if [ ! -f "$expected" ]; then
  echo "conformance.sh: no expected list $expected" >&2
  exit 1
fi
if ! diff -u "$expected" "$tmp/got" >"$tmp/diff"; then
  echo "conformance.sh: the results differ from $expected (- expected, + got):" >&2
  grep -E '^[-+][a-zA-Z]' "$tmp/diff" >&2
  echo "conformance.sh: if a test now passes on purpose: rerun with TA_UPDATE_EXPECTED=1," \
    "review and commit the list" >&2
  status=1
fi
[ $status = 0 ] && echo "conformance.sh: $(grep -c '^pass ' "$tmp/got") passed and" \
  "$(grep -c '^unsupported ' "$tmp/got") unsupported, as listed in $expected"
exit $status
