/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.c: `tinyaot bench MODEL [--target T] [--input FILE...] [--json]` and
 * `tinyaot bench --suite DIR ...`: what a model costs on a Cortex-M.
 *
 * One benchmark: compile the model, run it on the host (the reference for the outputs),
 * build the firmware for the board, run it on the device twice without and once with
 * per-layer timing, and report instructions per inference (whole and per layer), flash and
 * RAM. Instructions are QEMU's exact count of executed guest instructions: under
 * `-icount shift=0` the board's timer ticks once per 1e9/clock_hz instructions, so the
 * figure is timer ticks x that ratio (resolution: one tick; see README, "Measuring"). The
 * milliseconds shown are that count divided by the board's reference clock, a conversion,
 * not a measured time. The suite mode runs several models on several cores and writes a
 * Markdown report and an SVG chart, next to TensorFlow Lite Micro's figures when an anchors
 * file is given. The measuring is the device library's (ta_device_bench_prepare,
 * ta_device_bench_run), the reports are ta_report's, the tuned comparison ta_device_bench_tuned's,
 * the suite ta_report_bench_suite_run's; this file parses and prints.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_cli.h"

#define MAX_INPUTS 64

/* The suite's progress lines, on stderr. */
static void say(void *user, const char *line) {
  (void)user;
  fputs(line, stderr);
}

/* A build folder kept (a note says where) or removed. */
static void keep_or_remove(ta_ctx *ctx, const char *dir, bool keep) {
  if (dir && keep)
    ta_report(ctx, TA_NOTE, "build kept in %s", dir);
  else if (dir)
    ta_remove_tree(dir);
}

int ta_cmd_bench(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "bench");
  const char *model = NULL, *name = NULL, *target = NULL, *device = NULL;
  const char *timeout = NULL, *suite = NULL, *models = NULL, *targets = NULL;
  const char *report = NULL, *svg = NULL, *anchors_path = NULL, *compare = NULL;
  const char *inputs[MAX_INPUTS];
  int32_t n_inputs = 0;
  bool json = false, keep = false, show = false;
  ta_cli_units units = {0};
  ta_status st = TA_OK;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_switch(&a, "--json", &json) || ta_arg_switch(&a, "--keep-build", &keep) ||
        ta_arg_switch(&a, "--progress", &show) ||
        ta_arg_list(&a, "--input", inputs, &n_inputs, MAX_INPUTS, &st) ||
        ta_arg_value(&a, "--target", &target, &st) || ta_arg_value(&a, "--name", &name, &st) ||
        ta_arg_value(&a, "--device", &device, &st) ||
        ta_arg_value(&a, "--timeout", &timeout, &st) || ta_arg_value(&a, "--suite", &suite, &st) ||
        ta_arg_value(&a, "--models", &models, &st) ||
        ta_arg_value(&a, "--targets", &targets, &st) ||
        ta_arg_value(&a, "--report", &report, &st) || ta_arg_value(&a, "--svg", &svg, &st) ||
        ta_arg_value(&a, "--anchors", &anchors_path, &st) ||
        ta_arg_value(&a, "--compare-backend", &compare, &st) || ta_arg_units(&a, &units, &st) ||
        ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  if (!ta_cli_units_resolve(&a, &units, &target, "cortex-m4"))
    return 1;
  int32_t timeout_s;
  if (!ta_arg_seconds(&a, timeout, &timeout_s))
    return 1;
  if (suite) {
    if (model || n_inputs || device)
      return ta_cli_error(&a, "--suite takes no MODEL, --input or --device");
    if (copt.tuning_log)
      return ta_cli_error(&a, "--tuning-log is an option of one model's bench, not of --suite");
    ta_bench_suite_run so = {suite,   models,    targets,
                             report,  svg,       anchors_path,
                             compare, timeout_s, ta_cli_progress_on(stderr, show),
                             &copt,   argc,      argv,
                             say,     NULL};
    ta_bench_suite_result r;
    ta_ctx ctx;
    ta_cli_ctx_init(&ctx, &a);
    st = ta_report_bench_suite_run(&ctx, &so, &r);
    if (!r.ran)
      return r.setup_ok ? 2 : ta_cli_done(&ctx, st);
    if (st == TA_OK && r.md) /* no --report: the report on stdout, no file written */
      fputs(r.md, stdout);
    if (st == TA_OK && (report || svg))
      fprintf(stderr, "tinyaot bench: wrote %s%s%s\n", report ? report : "",
              report && svg ? " and " : "", svg ? svg : "");
    if (r.failures)
      fprintf(stderr,
              "tinyaot bench: %d of %d runs failed; the logs of the failed models are in %s\n",
              r.failures, r.n_runs, r.log_dir);
    else
      ta_remove_tree(r.log_dir);
    const int rc = ta_cli_done(&ctx, st);
    return rc ? rc : r.failures ? 1 : 0;
  }
  if (compare)
    return ta_cli_error(&a, "--compare-backend is a --suite option (for one model, run bench "
                            "again with --backend)");
  if (!model)
    return ta_arg_missing(&a, "no MODEL given");
  const ta_board *board;
  if (!ta_cli_target(&a, target, false, &board))
    return 1;
  copt.target = target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, &a);
  if (copt.tuning_log) {
    ta_bench_model tbm[2];
    ta_bench_run tr[2];
    ta_bench_tuned t;
    memset(tbm, 0, sizeof tbm);
    st = ta_device_bench_tuned(&ctx, model, name, inputs, n_inputs, &copt, board, device, timeout_s,
                               tbm, tr, &t);
    ta_buf b;
    ta_buf_init(&b, &ctx);
    if (st == TA_OK && json)
      ta_report_bench_tuned_json(&b, &t);
    else if (st == TA_OK)
      ta_report_bench_tuned_text(&b, &t);
    if (st == TA_OK && b.ok)
      fputs(b.data, stdout);
    ta_buf_free(&b);
    if (st == TA_OK && (!tr[0].match || !tr[1].match || !t.match)) {
      fprintf(stderr, "tinyaot bench: %s\n",
              !t.match ? "the tuned build's outputs differ from the untuned build's"
                       : "the board's outputs differ from the host build's");
      st = TA_ERR_INTERNAL;
    }
    for (int k = 0; k < 2; k++)
      keep_or_remove(&ctx, tbm[k].dir, keep);
    return ta_cli_done(&ctx, st);
  }
  ta_bench_model bm;
  ta_bench_run r;
  st = ta_device_bench_prepare(&ctx, model, name, inputs, n_inputs, &copt, &bm);
  if (st == TA_OK)
    st = ta_device_bench_run(&bm, board, device, timeout_s, &r);
  if (st == TA_OK) {
    if (units.clock_hz)
      r.clock_hz = units.clock_hz;
    ta_buf b;
    ta_buf_init(&b, &ctx);
    if (json)
      ta_report_bench_json(&b, &bm, &r, device);
    else
      ta_report_bench_text(&b, &bm, &r, device);
    if (!json && (units.flash_budget || units.ram_budget))
      ta_report_fits(&b, ta_fw_flash_bytes(&r.fw.sizes), ta_fw_ram_bytes(&r.fw.sizes, &r.dev.mem),
                     units.flash_budget, units.ram_budget, units.part ? units.part->name : NULL);
    if (b.ok)
      fputs(b.data, stdout);
    ta_buf_free(&b);
    if (!r.match) {
      st = ta_err(&ctx, TA_ERR_INTERNAL, "the board's outputs differ from the host build's");
    }
  }
  keep_or_remove(&ctx, bm.dir, keep);
  return ta_cli_done(&ctx, st);
}
