/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_cli.h: the command line, a thin layer over the compile entry point (ta_compile.h), the
 * device runners (ta_measure.h) and the report writers (ta_report.h): argument parsing,
 * library calls and printing.
 * Exit codes: 0 success, 1 bad input or usage, 2 internal error (a bug: please report it),
 * 3 (eval) the model does not fit the flash or RAM budget. Messages on stderr read
 * "tinyaot CMD: error: ..."; with --json anywhere on the command line they are JSON objects
 * instead ({"error": "...", "command": "CMD"}, "warning"/"note" for the other severities).
 */
#ifndef TA_CLI_H
#define TA_CLI_H

#include <stdio.h>

#include "ta_report.h"

/* Exit code of a missed flash/RAM budget (eval). */
#define TA_CLI_EXIT_BUDGET 3

/* Command-line arguments, parsed one at a time. json: --json is among them (messages are then
 * JSON objects); seen: the value options given so far (one that is not repeatable, given twice,
 * is refused). */
typedef struct ta_args {
  int argc;
  char **argv;
  int i;
  const char *cmd;
  bool json;
  char seen[48][32];
  int32_t n_seen;
} ta_args;
/* a->argc, argv, cmd set, the rest from argv (--json). */
void ta_args_init(ta_args *a, int argc, char **argv, const char *cmd);

/* A context whose diagnostics go to stderr as "tinyaot CMD: error: ..." (or JSON, a->json). */
void ta_cli_ctx_init(ta_ctx *ctx, const ta_args *a);
/* A message of the command itself, as the context's are: "tinyaot CMD: error: ..."; 1. */
int ta_cli_error(const ta_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Exit code for a status (0, 1 or 2). */
int ta_cli_exit_code(ta_status st);
/* A progress display is wanted on f: it is a terminal, or --progress was given. */
bool ta_cli_progress_on(FILE *f, bool asked);

/* What most commands do first and last. ta_cli_load: ctx initialised (ta_cli_ctx_init), then
 * the model compiled into m: with fs, also its C library (ta_compile_emit; *name defaults to
 * the model file's stem), else ta_compile_file. ta_cli_done: ctx freed, the exit code of st. */
ta_status ta_cli_load(ta_ctx *ctx, const ta_args *a, const char *model,
                      const ta_compile_options *copt, const char **name, ta_model *m,
                      ta_fileset *fs);
int ta_cli_done(ta_ctx *ctx, ta_status st);

/* A command's help text: docs/cli/CMD.txt ("tinyaot.txt": the overview of `tinyaot --help`),
 * embedded into the binary at build time (ta_embed); "" for an unknown one. */
extern const ta_embedded_file ta_cli_help_files[];
const char *ta_cli_help(const char *cmd);
/* "tinyaot CMD: error: WHAT\n" and the command's help on stderr; 1 (a usage error's exit
 * code). */
int ta_arg_missing(const ta_args *a, const char *what);
/* true if argv[i] is the option `name` (e.g. "--name"); its value (from "--name X" or
 * "--name=X") is stored in *value, and a missing value is reported as usage error. */
bool ta_arg_value(ta_args *a, const char *name, const char **value, ta_status *st);
bool ta_arg_flag(ta_args *a, const char *name);
/* "--help" or "-h": the command's help printed on stdout, true (the command then exits 0). */
bool ta_arg_help(ta_args *a);
/* ta_arg_flag that also sets *on. */
bool ta_arg_switch(ta_args *a, const char *name, bool *on);
/* Repeatable `name FILE` (--input): appended to files (*n of them, at most max; past that a
 * message and TA_ERR_USAGE). */
bool ta_arg_list(ta_args *a, const char *name, const char **files, int32_t *n, int32_t max,
                 ta_status *st);
/* `name N` with N a positive whole number; a bad one is reported, *st = TA_ERR_USAGE. */
bool ta_arg_count(ta_args *a, const char *name, uint64_t *n, ta_status *st);
/* `name SIZE` with SIZE in bytes as ta_parse_bytes reads it ("256K", "64KiB", "1M", 4096); a
 * bad one ("12X") is reported, *st = TA_ERR_USAGE. */
bool ta_arg_bytes(ta_args *a, const char *name, uint64_t *n, ta_status *st);

/* What a command's figures are measured against: the clock that turns instructions into
 * milliseconds, and the flash and RAM budgets. From --part NAME (a known microcontroller),
 * --clock-hz HZ, --flash-budget SIZE and --ram-budget SIZE; the explicit options win over the
 * part's figures. 0: not given. */
typedef struct ta_cli_units {
  const char *part_arg, *clock_arg;
  const ta_part *part;
  uint32_t clock_hz;
  uint64_t flash_budget, ram_budget;
} ta_cli_units;
/* Parse one of those options at argv[i] into u; true if it was one. */
bool ta_arg_units(ta_args *a, ta_cli_units *u, ta_status *st);
/* After parsing: the part looked up, the clock read ("120000000", "120M", "120MHz", "64e6"),
 * the part's figures filled in where no option gave them, and *target (when the command's
 * --target was not given: NULL) set to the part's core, else to dflt. false (reported) for
 * an unknown part or a bad clock. */
bool ta_cli_units_resolve(ta_args *a, ta_cli_units *u, const char **target, const char *dflt);
/* argv[i] looks like an option, but none matched: reported on stderr, true. */
bool ta_arg_unknown(ta_args *a);
/* argv[i] is the MODEL, stored in *model; false (reported) when one was given already. */
bool ta_arg_model(ta_args *a, const char **model);
/* The board of --target T (NULL: host, when host_ok); false (reported, with the list of targets
 * every command gives) for an unknown one. */
bool ta_cli_target(const ta_args *a, const char *target, bool host_ok, const ta_board **board);
/* A --timeout value v (NULL: not given, 0): seconds from 1 to 86400; false (reported) else. */
bool ta_arg_seconds(ta_args *a, const char *v, int32_t *seconds);
/* Parse a compile option at a->argv[a->i] (the words of ta_compile_option_set) into opt; true
 * if it was one (a bad value is reported on stderr and sets *st to TA_ERR_USAGE). Every
 * command takes them. */
bool ta_arg_compile_option(ta_args *a, ta_compile_options *opt, ta_status *st);

int ta_cmd_compile(int argc, char **argv);
int ta_cmd_run(int argc, char **argv);
int ta_cmd_inspect(int argc, char **argv);
int ta_cmd_eval(int argc, char **argv);
int ta_cmd_bench(int argc, char **argv);
int ta_cmd_onnx_test(int argc, char **argv);
int ta_cmd_quantize(int argc, char **argv);
int ta_cmd_tune(int argc, char **argv);

#endif
