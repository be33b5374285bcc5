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

static const char help[] =
    "usage: tinyaot run MODEL --input FILE [--input FILE ...] -o DIR [options]\n"
    "\n"
    "Compile MODEL, build it for the target, run it on the raw input tensors (one file per\n"
    "model input, in order, exactly the tensor's bytes) and write output_0.bin, output_1.bin,\n"
    "... into DIR. The host target uses the host C compiler ($CC, default cc; extra flags from\n"
    "$TA_HOST_CFLAGS). A Cortex-M target cross-compiles a firmware with arm-none-eabi-gcc\n"
    "($TA_ARM_CC; extra flags $TA_ARM_CFLAGS) and runs it on qemu-system-arm ($TA_QEMU), or on\n"
    "a board already running that firmware (--device).\n"
    "\n"
    "options:\n"
    "  --input FILE       an input tensor, raw bytes or .npy (the input's dtype, little-endian,\n"
    "                     C order; repeat once per model input)\n"
    "  -o, --output DIR   where output_K.bin are written (created if needed; --output-dir\n"
    "                     DIR, the older spelling, works too)\n"
    "  --target T         host (default), cortex-m3, cortex-m4, cortex-m7, cortex-m33\n"
    "  --device WHERE     a real board instead of QEMU: tcp:HOST:PORT or a serial device\n"
    "                     path, optionally PATH@BAUD (default 115200)\n"
    "  --timeout S        limit for one inference on a device, in seconds (default 600)\n"
    "  --name NAME        symbol prefix for the generated code\n"
    "  --keep-build       keep the temporary build directory and print its "
    "path\n" TA_CLI_COMPILE_OPTIONS_HELP "  -h, --help         this text\n";

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
    if (ta_arg_help(&a, help))
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
    return ta_arg_missing(&a, !model ? "no MODEL given" : "no output directory given (-o DIR)",
                          help);
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
