#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh [BUILD]: the benchmark report. Runs the four MLPerf Tiny int8 models on the
# emulated Cortex-M4, M7 and M33 and writes BENCHMARKS.md and bench/instructions.svg, next to
# TensorFlow Lite Micro's figures from ../shared/anchors/ and, when a CMSIS-NN checkout is at
# ../shared/third_party/CMSIS-NN, next to the same models built with --backend cmsis-nn and
# measured in the same run (the report says so when there was none). Needs ../shared (the
# models), the Arm cross compiler and qemu-system-arm (sh scripts/install-deps.sh). A benchmark is a
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
cmsis_nn=$shared/third_party/CMSIS-NN
set --
if [ -d "$cmsis_nn" ]; then
  set -- --compare-backend cmsis-nn --backend-var "CMSIS_NN=$cmsis_nn"
else
  echo "bench/run.sh: no CMSIS-NN checkout at $cmsis_nn: no same-harness CMSIS-NN column" >&2
fi
rc=0
"$build/tinyaot" bench --suite "$shared/models/tflite" \
  --models kws_dscnn_int8,vww_mobilenet_int8,ic_resnet8_int8,ad_autoencoder_int8 \
  --targets cortex-m4,cortex-m7,cortex-m33 \
  --anchors "$shared/anchors/tflm-cortex-m.md" \
  --report BENCHMARKS.md --svg bench/instructions.svg "$@" || rc=$?
# rc 0 or 1: the report was written (1: some runs failed, marked in it).
if [ $# -eq 0 ] && [ $rc -le 1 ] && [ -f BENCHMARKS.md ]; then
  printf '\nNo "CMSIS-NN kernels, same harness" column: there was no CMSIS-NN checkout at %s %s\n' \
    "$cmsis_nn" "when this report was made, so Arm's kernels were not measured in this run." \
    >>BENCHMARKS.md
fi
exit $rc
