/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: `tinyaot <command> ...`: dispatch to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"
#include "ta_config.h"

static const char usage[] =
    "usage: tinyaot <command> [options]\n"
    "\n"
    "Compile a TFLite or ONNX model into a self-contained C library for microcontrollers.\n"
    "\n"
    "commands:\n"
    "  compile MODEL -o DIR [--name NAME]     write the C library for MODEL into DIR\n"
    "  run MODEL --input FILE... --output-dir DIR\n"
    "               [--target T]              compile, build for the host or a Cortex-M board\n"
    "                                         (QEMU), run on raw inputs\n"
    "  inspect MODEL [--json]                 operators, shapes, MACs, weights and arena size\n"
    "  bench MODEL [--target T] [--json]      instructions, flash and RAM on a Cortex-M (QEMU)\n"
    "  eval MODEL --data F --labels F         accuracy of a classifier over a data set on a\n"
    "                                         target, confusion matrix, cost; HTML report\n"
    "  quantize MODEL --calibration DATA [--report] [--json]\n"
    "                                         post-training int8 quantization of a float\n"
    "                                         model; prints the accuracy report\n"
    "  tune MODEL... --target T --log FILE    measure kernel variants and knobs on the board;\n"
    "                                         records for compile --tuning-log\n"
    "  onnx-test DIR...                       run ONNX backend test folders through the\n"
    "                                         generated C (conformance)\n"
    "\n"
    "`tinyaot COMMAND --help` describes a command. Exit codes: 0 success, 1 bad input or usage,\n"
    "2 internal error (please report it).\n";

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("tinyaot %s\n", TA_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "compile") == 0)
    return ta_cmd_compile(argc - 1, argv + 1);
  if (strcmp(argv[1], "run") == 0)
    return ta_cmd_run(argc - 1, argv + 1);
  if (strcmp(argv[1], "inspect") == 0)
    return ta_cmd_inspect(argc - 1, argv + 1);
  if (strcmp(argv[1], "eval") == 0)
    return ta_cmd_eval(argc - 1, argv + 1);
  if (strcmp(argv[1], "bench") == 0)
    return ta_cmd_bench(argc - 1, argv + 1);
  if (strcmp(argv[1], "quantize") == 0)
    return ta_cmd_quantize(argc - 1, argv + 1);
  if (strcmp(argv[1], "tune") == 0)
    return ta_cmd_tune(argc - 1, argv + 1);
  if (strcmp(argv[1], "onnx-test") == 0)
    return ta_cmd_onnx_test(argc - 1, argv + 1);
  fprintf(stderr, "tinyaot: unknown command '%s' (see tinyaot --help)\n", argv[1]);
  return 1;
}
