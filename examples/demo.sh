#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: model -> C library -> host build -> run, end to end, saying what happens.
# (Until the gesture-recognition demo lands, the model is a small int8 CNN that tinyaot's
# own TFLite writer builds; see examples/example_model.c.)
set -eu
build=${1:-build}
out=demo-out
rm -rf "$out"
mkdir -p "$out"
echo "== 1. Build an example int8 CNN as a .tflite file (tinyaot's own TFLite writer)"
"$build/example_model" "$out"
echo "   wrote $out/example.tflite ($(wc -c <"$out/example.tflite") bytes) and a 16x16 int8 input"
echo
echo "== 2. tinyaot inspect $out/example.tflite"
"$build/tinyaot" inspect "$out/example.tflite"
echo
echo "== 3. tinyaot compile $out/example.tflite -o $out/example_c --name example"
"$build/tinyaot" compile "$out/example.tflite" -o "$out/example_c" --name example
ls -l "$out/example_c" "$out/example_c/tart/src" | sed 's/^/   /'
echo
echo "== 4. tinyaot run: build the generated C99 with the host compiler and run it"
"$build/tinyaot" run "$out/example.tflite" --input "$out/input_0.bin" --output-dir "$out/run"
echo
echo "== 5. Compare with tinyaot's in-process evaluation of the same graph"
"$build/tensor_cmp" int8 "$out/expected_0.bin" "$out/run/output_0.bin"
printf '   class probabilities (int8, scale 1/256, zero point -128):'
od -An -v -t d1 "$out/run/output_0.bin"
echo
echo "demo: done. The generated library is in $out/example_c (NAME.h documents its API)."
