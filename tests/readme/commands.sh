#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# commands.sh SOURCE_DIR BUILD_DIR: every command of README.md's ```sh blocks, as written
# (issue 17, item 11). In a scratch folder that looks like the repository's top folder (build,
# examples and tests are links to the real ones), each `build/tinyaot ...` and `head ...` line
# runs with sh exactly as the README has it and must exit 0; the build and benchmark entry
# points (`make`, `make demo`, `sh bench/run.sh`, `sh scripts/install-deps.sh`) are the CI's own
# jobs, too long to run here: their Makefile targets and scripts must exist. A command the
# README gains later is covered without a change here. Runs QEMU (the Cortex-M examples).
set -u
src=$1 build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/readme-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
mkdir "$tmp/top"
ln -s "$build" "$tmp/top/build"
ln -s "$src/examples" "$tmp/top/examples"
ln -s "$src/tests" "$tmp/top/tests"
# The lines of the ```sh blocks, and the indented commands at the top.
awk '/^```sh$/ {on = 1; next} /^```/ {on = 0} on' "$src/README.md" >"$tmp/cmds"
sed -n 's/^    \(sh scripts\/install-deps.sh && make [a-z]*\).*/\1/p' "$src/README.md" >>"$tmp/cmds"
n=0
while IFS= read -r line; do
  cmd=$(printf '%s\n' "$line" | sed 's/[[:space:]]*#.*$//')
  [ -z "$cmd" ] && continue
  n=$((n + 1))
  case "$cmd" in
  build/tinyaot* | head*)
    if (cd "$tmp/top" && sh -c "$cmd") >"$tmp/out" 2>&1; then
      echo "ok   $cmd"; pass=$((pass + 1))
    else
      echo "FAIL $cmd (exit $?):"; sed 's/^/     /' "$tmp/out" | tail -20; fail=$((fail + 1))
    fi
    ;;
  *)
    # make TARGET..., sh SCRIPT: the targets and scripts exist (make -n: no command runs).
    ok=true
    printf '%s\n' "$cmd" | sed 's/ *&& */\n/g' >"$tmp/pieces"
    while IFS= read -r piece; do
      set -- $piece
      case "$1" in
      make) shift; make -n -C "$src" "$@" >/dev/null 2>&1 || ok=false ;;
      sh) [ -f "$src/$2" ] || ok=false ;;
      *) ok=false ;;
      esac
    done <"$tmp/pieces"
    if $ok; then echo "ok   $cmd (entry point exists)"; pass=$((pass + 1)); else
      echo "FAIL $cmd: no such make target or script, or a command this test does not know"; fail=$((fail + 1)); fi
    ;;
  esac
done <"$tmp/cmds"
[ "$n" -ge 15 ] || { echo "FAIL only $n commands found in README.md"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
