#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages tinyaot needs to build, test and run its demo. As root it
# installs what is missing; otherwise it prints the exact apt-get line and stops.
set -eu

PKGS="build-essential cmake clang libclang-rt-14-dev llvm libcmocka-dev valgrind gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "tinyaot needs these Debian packages:$missing" >&2
  echo "Install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
