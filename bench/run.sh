#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh [BUILD]: the benchmark report. Runs the four MLPerf Tiny int8 models on the
# emulated Cortex-M4, M7 and M33 and writes BENCHMARKS.md and bench/instructions.svg, next to
# TensorFlow Lite Micro's figures from ../shared/anchors/. Needs ../shared (the models), the
# Arm cross compiler and qemu-system-arm (sh scripts/install-deps.sh). A benchmark is a
# command, not a test: it reports, it does not judge.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
shared=../shared
if [ ! -d "$shared/models/tflite" ]; then
  echo "bench/run.sh: $shared/models/tflite not found (../shared holds the models)" >&2
  exit 1
fi
[ -x "$build/tinyaot" ] || make --no-print-directory build BUILD="$build"
"$build/tinyaot" bench --suite "$shared/models/tflite" \
  --models kws_dscnn_int8,vww_mobilenet_int8,ic_resnet8_int8,ad_autoencoder_int8 \
  --targets cortex-m4,cortex-m7,cortex-m33 \
  --anchors "$shared/anchors/tflm-cortex-m.md" \
  --report BENCHMARKS.md --svg bench/instructions.svg
