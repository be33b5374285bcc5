/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: `tinyaot run MODEL --input FILE... --output-dir DIR [--target T]`: compile, build for
 * the target, run on raw input tensors, write raw output tensors. The host target builds with
 * the system compiler; a Cortex-M target builds a firmware and runs it on QEMU's model of the
 * board (or on a real board reached through --device), through the device session.
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"

#define MAX_INPUTS 64

int ta_cmd_run(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "run");
  const char *model = NULL, *out = NULL, *name = NULL, *target = "host", *device = NULL;
  const char *timeout = NULL;
  const char *inputs[MAX_INPUTS];
  int32_t n_inputs = 0;
  bool keep = false;
  ta_status st = TA_OK;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_switch(&a, "--keep-build", &keep) ||
        ta_arg_list(&a, "--input", inputs, &n_inputs, MAX_INPUTS, &st) ||
        ta_arg_value(&a, "-o", &out, &st) || ta_arg_value(&a, "--output", &out, &st) ||
        ta_arg_value(&a, "--output-dir", &out, &st) || ta_arg_value(&a, "--name", &name, &st) ||
        ta_arg_value(&a, "--target", &target, &st) || ta_arg_value(&a, "--device", &device, &st) ||
        ta_arg_value(&a, "--timeout", &timeout, &st) || ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  if (!model || !out)
    return ta_arg_missing(&a, !model ? "no MODEL given" : "no output directory given (-o DIR)");
  const ta_board *board = NULL;
  if (!ta_cli_target(&a, target, true, &board))
    return 1;
  if (device && !board)
    return ta_cli_error(&a, "--device needs a Cortex-M --target (one of %s)", ta_board_names());
  int32_t timeout_s;
  if (!ta_arg_seconds(&a, timeout, &timeout_s))
    return 1;
  copt.target = target;
  ta_ctx ctx;
  ta_model m;
  ta_fileset fs;
  st = ta_cli_load(&ctx, &a, model, &copt, &name, &m, &fs);
  if (st == TA_OK) {
    if (board) {
      st =
          ta_device_run_files(&m, &fs, name, board, inputs, n_inputs, out, device, timeout_s, keep);
    } else {
      ta_host_run_options ro = {name, inputs, n_inputs, out, keep, NULL};
      st = ta_host_run(m.g, &fs, &ro);
    }
  }
  if (st == TA_OK)
    printf("tinyaot: ran %s on %s: %d output%s in %s\n", model, target, m.g->n_outputs,
           m.g->n_outputs == 1 ? "" : "s", out);
  return ta_cli_done(&ctx, st);
}
