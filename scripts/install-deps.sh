#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages tinyaot needs, for one purpose given as the argument:
#   build         the compiler only (make build): C compiler, CMake, protobuf-c, onnx.proto,
#                 jansson (backend description files)
#   demo          the build packages and everything else (make demo)
#   test | all    the same set (the default; make test): cmocka, clang with its sanitizer and
#                 fuzzer runtimes, valgrind, the Arm cross compiler and newlib, QEMU, the ONNX
#                 backend test data, clang-format, chromium (renders the HTML and SVG reports),
#                 python3-onnx (ONNX's checker reads the QDQ models tinyaot writes)
# As root it installs what is missing. Otherwise it prints the exact apt-get line for what is
# missing and fails only if something the purpose cannot do without is missing (the build
# packages; for test and all also cmocka, which the test suite is compiled with). A missing
# tool such as QEMU then shows up as a clear error of the command or test that runs it.
set -eu

BUILD_PKGS="build-essential cmake libprotobuf-c-dev protobuf-c-compiler libonnx-dev libjansson-dev"
TEST_PKGS="libcmocka-dev clang libclang-rt-14-dev llvm clang-format valgrind gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm libonnx-testdata chromium python3-onnx"

purpose=${1:-all}
case "$purpose" in
build)
  want="$BUILD_PKGS"
  need="$BUILD_PKGS"
  ;;
demo)
  want="$BUILD_PKGS $TEST_PKGS"
  need="$BUILD_PKGS"
  ;;
test | all)
  want="$BUILD_PKGS $TEST_PKGS"
  need="$BUILD_PKGS libcmocka-dev"
  ;;
*)
  echo "usage: sh scripts/install-deps.sh [build|demo|test|all]" >&2
  exit 1
  ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian: nothing to check; CMake names whatever it cannot find.
  echo "install-deps: not a Debian system; tinyaot's $purpose needs the equivalents of: $want" >&2
  exit 0
fi

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
fatal=""
for p in $want; do
  if ! installed "$p"; then
    missing="$missing $p"
    case " $need " in *" $p "*) fatal="$fatal $p" ;; esac
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if [ -n "$fatal" ]; then
    echo "install-deps: tinyaot's $purpose needs these Debian packages:$fatal" >&2
  else
    echo "install-deps: these Debian packages are missing (some tests or the demo need them):$missing" >&2
  fi
  echo "Install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  if [ -n "$fatal" ]; then
    exit 1
  fi
  exit 0
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
