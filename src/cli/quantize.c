/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize.c: `tinyaot quantize MODEL --calibration DATA [--method M] [--report] [--json]`:
 * post-training int8 quantization through the compile entry point (the quantize stage runs
 * after the passes, then the int8 graph goes through check, prepare, schedule and plan like
 * any int8 model), and the report printed. -o writes the int8 graph as a .tflite file, or, for
 * an ONNX model and a name ending in .onnx, as QDQ ONNX (the user's model with Q/DQ added):
 * ta_compile_serialize, written atomically, so an error never leaves a half-written OUT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_cli.h"

/* A progress bar on stderr, drawn when it is a terminal or --progress asks. */
static void bar(void *user, const char *phase, int64_t done, int64_t total) {
  (void)user;
  const int width = 30;
  const int fill = total > 0 ? (int)(done * width / total) : width;
  fprintf(stderr, "\r%-10s [%.*s%*s] %lld/%lld", phase, fill, "##############################",
          width - fill, "", (long long)done, (long long)total);
  if (done == total)
    fputc('\n', stderr);
  fflush(stderr);
}

int ta_cmd_quantize(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "quantize");
  const char *model = NULL, *out = NULL, *method = NULL, *pct = NULL;
  bool json = false, progress = false;
  ta_status st = TA_OK;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_switch(&a, "--json", &json) || ta_arg_switch(&a, "--progress", &progress))
      continue;
    if (ta_arg_flag(&a, "--report"))
      continue;
    if (ta_arg_value(&a, "-o", &out, &st) || ta_arg_value(&a, "--output", &out, &st) ||
        ta_arg_value(&a, "--method", &method, &st) || ta_arg_value(&a, "--percentile", &pct, &st) ||
        ta_arg_value(&a, "--labels", &copt.quant.labels_path, &st) ||
        ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  if (method && !ta_calib_method_parse(method, &copt.quant.method)) {
    return ta_cli_error(&a, "--method takes minmax, percentile, mse or auto, not '%s'", method);
  }
  if (pct) {
    char *end;
    const double p = strtod(pct, &end);
    if (*end || end == pct || !(p > 50 && p <= 100)) {
      return ta_cli_error(&a, "--percentile takes a number above 50 and at most 100, not '%s'",
                          pct);
    }
    copt.quant.percentile = p;
  }
  if (!model || copt.quant.n_calib_paths == 0) {
    return ta_arg_missing(&a, !model ? "no MODEL given"
                                     : "no calibration data given (--calibration FILE)");
  }
  copt.quant.mode = TA_QUANT_INT8;
  copt.quant.report = true;
  if (ta_cli_progress_on(stderr, progress))
    copt.quant.progress = bar;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, &a);
  ta_model m;
  st = ta_compile_file(&ctx, model, &copt, &m);
  if (st == TA_OK && m.quant_report) {
    ta_buf b;
    ta_buf_init(&b, &ctx);
    if (json)
      ta_quant_report_json(m.quant_report, &b);
    else
      ta_quant_report_text(m.quant_report, &b);
    if (!b.ok)
      st = TA_ERR_LIMIT;
    else
      fwrite(b.data, 1, b.len, stdout);
    ta_buf_free(&b);
    if (st == TA_OK && out) {
      ta_buf_init(&b, &ctx);
      st = ta_compile_serialize(&ctx, model, m.g, out, &b);
      if (st == TA_OK)
        st = ta_write_file_atomic(&ctx, out, (const uint8_t *)b.data, b.len);
      ta_buf_free(&b);
    }
    if (!json && st == TA_OK)
      printf("\nint8 model: %d ops, arena %zu bytes%s%s\n", m.g->n_ops, m.plan.arena_bytes,
             out ? ", written to " : " (not written: no -o)", out ? out : "");
  }
  ta_ctx_free(&ctx);
  return ta_cli_exit_code(st);
}
