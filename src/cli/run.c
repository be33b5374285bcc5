/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: `tinyaot run MODEL --input FILE... --output-dir DIR`: compile, build for the target,
 * run on raw input tensors, write raw output tensors.
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"

static const char help[] =
    "usage: tinyaot run MODEL --input FILE [--input FILE ...] --output-dir DIR [options]\n"
    "\n"
    "Compile MODEL, build the generated C with the host C compiler ($CC, default cc; extra\n"
    "flags from $TA_HOST_CFLAGS), run it on the raw input tensors (one file per model input,\n"
    "in order, exactly the tensor's bytes) and write output_0.bin, output_1.bin, ... into DIR.\n"
    "\n"
    "options:\n"
    "  --input FILE       a raw input tensor (repeat once per model input)\n"
    "  --output-dir DIR   where output_K.bin are written (created if needed)\n"
    "  --target host      where to run (only host in this version)\n"
    "  --name NAME        symbol prefix for the generated code\n"
    "  --keep-build       keep the temporary build directory and print its path\n"
    "  -h, --help         this text\n";

#define MAX_INPUTS 64

int ta_cmd_run(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "run"};
  const char *model = NULL, *out = NULL, *name = NULL, *target = "host";
  const char *inputs[MAX_INPUTS];
  int32_t n_inputs = 0;
  bool keep = false;
  ta_status st = TA_OK;
  for (; a.i < argc && st == TA_OK; a.i++) {
    const char *v;
    if (ta_arg_flag(&a, "--help") || ta_arg_flag(&a, "-h")) {
      fputs(help, stdout);
      return 0;
    }
    if (ta_arg_flag(&a, "--keep-build")) {
      keep = true;
      continue;
    }
    if (ta_arg_value(&a, "--input", &v, &st)) {
      if (st != TA_OK) break;
      if (n_inputs == MAX_INPUTS) {
        fprintf(stderr, "tinyaot run: at most %d inputs\n", MAX_INPUTS);
        return 1;
      }
      inputs[n_inputs++] = v;
      continue;
    }
    if (ta_arg_value(&a, "--output-dir", &out, &st) || ta_arg_value(&a, "--name", &name, &st) ||
        ta_arg_value(&a, "--target", &target, &st))
      continue;
    if (argv[a.i][0] == '-') {
      fprintf(stderr, "tinyaot run: unknown option '%s' (see tinyaot run --help)\n", argv[a.i]);
      return 1;
    }
    if (model) {
      fprintf(stderr, "tinyaot run: more than one model given ('%s' and '%s')\n", model, argv[a.i]);
      return 1;
    }
    model = argv[a.i];
  }
  if (st != TA_OK) return 1;
  if (!model || !out) {
    fprintf(stderr, "tinyaot run: %s\n%s", !model ? "no MODEL given" : "no --output-dir given", help);
    return 1;
  }
  if (strcmp(target, "host") != 0) {
    fprintf(stderr, "tinyaot run: unknown target '%s' (this version runs on: host)\n", target);
    return 1;
  }
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  if (!name) name = ta_default_model_name(&ctx, model);
  ta_model m;
  st = ta_model_load(&ctx, model, &m);
  ta_fileset fs;
  if (st == TA_OK) {
    ta_cgen_options opt = {name, model};
    st = ta_cgen_emit(m.g, m.calls, &m.plan, &opt, &fs);
  }
  if (st == TA_OK) {
    ctx.file = NULL;
    ta_host_run_options ro = {name, inputs, n_inputs, out, keep};
    st = ta_host_run(m.g, &fs, &ro);
  }
  if (st == TA_OK)
    printf("tinyaot: ran %s on %s: %d output%s in %s\n", model, target, m.g->n_outputs,
           m.g->n_outputs == 1 ? "" : "s", out);
  ta_ctx_free(&ctx);
  return ta_cli_exit_code(st);
}
