#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# conformance.sh TINYAOT DIR [onnx-test options]: the ONNX backend test folders of DIR through
# `tinyaot onnx-test`. Passes when no test fails (unsupported ones are listed with the operator
# and reason) and at least one passed; exit 77 (skip) when DIR is absent.
set -u
tinyaot=$1 dir=$2
shift 2
if [ ! -d "$dir" ]; then
  echo "SKIP: $dir not found"
  exit 77
fi
"$tinyaot" onnx-test "$@" "$dir"
code=$?
[ $code = 0 ] || exit 1
