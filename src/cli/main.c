/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: `tinyaot <command> ...`: dispatch to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"
#include "ta_config.h"

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
    fputs(ta_cli_help("tinyaot"), argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("tinyaot %s\n", TA_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "help") == 0) {
    if (argc < 3) {
      fputs(ta_cli_help("tinyaot"), stdout);
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
