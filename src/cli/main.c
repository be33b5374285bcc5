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
    "  help COMMAND                           the same as COMMAND --help\n"
    "\n"
    "options:\n"
    "  --version                              print the version (tinyaot X.Y.Z) and exit\n"
    "  -h, --help                             this text\n"
    "\n"
    "`tinyaot help COMMAND` describes a command. Exit codes: 0 success, 1 bad input or usage,\n"
    "2 internal error (please report it), 3 (eval) the model misses its flash or RAM budget.\n"
    "Messages on stderr read `tinyaot COMMAND: error: ...`; with --json they are JSON objects\n"
    "(docs/JSON.md).\n";

typedef int (*command_fn)(int argc, char **argv);

static command_fn find_command(const char *name) {
  static const struct {
    const char *name;
    command_fn fn;
  } commands[] = {{"compile", ta_cmd_compile}, {"run", ta_cmd_run},
                  {"inspect", ta_cmd_inspect}, {"eval", ta_cmd_eval},
                  {"bench", ta_cmd_bench},     {"quantize", ta_cmd_quantize},
                  {"tune", ta_cmd_tune},       {"onnx-test", ta_cmd_onnx_test}};
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(name, commands[i].name) == 0)
      return commands[i].fn;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("tinyaot %s\n", TA_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "help") == 0) {
    if (argc < 3) {
      fputs(usage, stdout);
      return 0;
    }
    command_fn fn = find_command(argv[2]);
    if (!fn) {
      fprintf(stderr, "tinyaot help: error: unknown command '%s' (see tinyaot --help)\n", argv[2]);
      return 1;
    }
    char *help_argv[] = {argv[2], (char *)"--help", NULL};
    return fn(2, help_argv);
  }
  command_fn fn = find_command(argv[1]);
  if (fn)
    return fn(argc - 1, argv + 1);
  fprintf(stderr, "tinyaot: error: unknown command '%s' (see tinyaot --help)\n", argv[1]);
  return 1;
}
