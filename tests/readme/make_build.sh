#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make_build.sh SOURCE_DIR: `make build` (issue 17, item 11) builds the compiler and nothing
# else, quietly: its whole output is the line "built DIR/tinyaot"; no test program is built,
# not even in a build folder whose CMake cache has the test suite turned on (as `make test`
# leaves it); the compiler it built runs.
set -u
src=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {
  desc=$1; shift
  if "$@"; then echo "ok   $desc"; pass=$((pass + 1)); else echo "FAIL $desc"; fail=$((fail + 1)); fi
}
make --no-print-directory -C "$src" build BUILD="$tmp/b" >"$tmp/out" 2>&1
check "make build succeeds" test $? = 0
check "make build says one line: built $tmp/b/tinyaot" test "$(cat "$tmp/out")" = "built $tmp/b/tinyaot"
check "the compiler runs" sh -c "'$tmp/b/tinyaot' --version | grep -q '^tinyaot '"
check "no test program built" sh -c "! find '$tmp/b' -name 'test_*' -type f -perm -u+x | grep -q ."
# A build folder configured with the test suite on: make build still builds the compiler alone.
cmake -S "$src" -B "$tmp/b" -DTA_BUILD_TESTS=ON >/dev/null 2>&1
make --no-print-directory -C "$src" build BUILD="$tmp/b" >"$tmp/out" 2>&1
check "make build in a test build folder succeeds" test $? = 0
check "still no test program built" sh -c "! find '$tmp/b' -name 'test_*' -type f -perm -u+x | grep -q ."
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
