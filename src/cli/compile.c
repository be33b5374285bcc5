/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c: `tinyaot compile MODEL -o DIR [--name NAME]`.
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"

int ta_cmd_compile(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "compile");
  const char *model = NULL, *out = NULL, *name = NULL;
  ta_status st = TA_OK;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  /* compile writes C for whatever the user builds it on: a target-only backend (the example
   * NPU) is not refused here, only where tinyaot itself builds and runs for a target. */
  copt.target = NULL;
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_value(&a, "-o", &out, &st) || ta_arg_value(&a, "--output", &out, &st) ||
        ta_arg_value(&a, "--name", &name, &st) || ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  if (!model || !out)
    return ta_arg_missing(&a, !model ? "no MODEL given" : "no output directory given (-o DIR)");
  ta_ctx ctx;
  ta_model m;
  ta_fileset fs;
  st = ta_cli_load(&ctx, &a, model, &copt, &name, &m, &fs);
  if (st == TA_OK)
    st = ta_write_output_dir(&ctx, &fs, out);
  if (st == TA_OK)
    printf("tinyaot: wrote %s/%s.h, %s.c, %s_weights.c (%d ops, arena %zu bytes)\n", out, name,
           name, name, m.g->n_ops, m.plan.arena_bytes);
  return ta_cli_done(&ctx, st);
}
