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
 * ta_device_bench_run), the reports are ta_report's, the tuned comparison ta_device_bench_tuned's;
 * this file parses and prints.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_cli.h"

#define MAX_INPUTS 64
#define MAX_TARGETS 8
#define MAX_MODELS TA_REPORT_MAX_MODELS

/* ---- suite: several models x several cores, a Markdown report and an SVG chart ---- */

/* The suite's options. */
typedef struct suite_opts {
  const char *dir, *models, *targets, *report, *svg, *anchors, *compare;
  int32_t timeout_s;
  bool progress;
  const ta_compile_options *copt;
  const char *log_dir; /* set by run_suite */
  ta_ctx *ctx;         /* set by run_suite */
} suite_opts;

/* The suite's progress lines on stderr (ta_report_bench_progress). */
static void progress(void *user, const char *model, const ta_bench_row *r, const char *check) {
  const suite_opts *o = user;
  ta_buf b;
  ta_buf_init(&b, o->ctx);
  ta_report_bench_progress(&b, model, r, check, o->log_dir, o->progress);
  if (b.ok && b.len)
    fputs(b.data, stderr);
  ta_buf_free(&b);
}

static int run_suite(const ta_args *a, suite_opts *o) {
  const char *dir = o->dir, *compare = o->compare;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, a);
  const char *targets[MAX_TARGETS];
  int32_t n_targets = ta_split_list(
      &ctx, o->targets ? o->targets : "cortex-m4,cortex-m7,cortex-m33", targets, MAX_TARGETS);
  const ta_board *boards[MAX_TARGETS];
  for (int32_t t = 0; t < n_targets; t++)
    if (!ta_cli_target(a, targets[t], false, &boards[t])) {
      ta_ctx_free(&ctx);
      return 1;
    }
  const char *models[MAX_MODELS];
  int32_t n_models = 0;
  if (o->models) {
    n_models = ta_split_list(&ctx, o->models, models, MAX_MODELS);
  } else {
    char **names = ta_list_stems(&ctx, dir, ".tflite", MAX_MODELS, &n_models);
    if (!names) {
      ta_cli_error(a, "cannot open '%s': %s", dir, strerror(errno));
      ta_ctx_free(&ctx);
      return 1;
    }
    for (int32_t m = 0; m < n_models; m++)
      models[m] = names[m];
  }
  /* The files are checked before the long run; the logs go to a folder of their own, kept
   * when a run failed. */
  char *log_dir = NULL;
  if ((o->report && ta_check_writable(&ctx, "--report", o->report) != TA_OK) ||
      (o->svg && ta_check_writable(&ctx, "--svg", o->svg) != TA_OK) ||
      ta_make_temp_dir(&ctx, "bench-logs", &log_dir) != TA_OK)
    return ta_cli_done(&ctx, TA_ERR_USAGE);
  o->log_dir = log_dir;
  o->ctx = &ctx;
  ta_anchors an;
  ta_anchors_load(&ctx, o->anchors, &an);
  if (o->anchors && !an.loaded)
    ta_report(&ctx, TA_WARNING, "cannot read anchors '%s'; no comparison columns", o->anchors);
  ta_bench_row *rows;
  int32_t failures;
  /* The comparison build: the same options with the one backend instead of --backend's. */
  ta_compile_options cmp_opt = *o->copt;
  cmp_opt.n_backends = 0;
  if (compare)
    cmp_opt.backends[cmp_opt.n_backends++] = compare;
  const char *cmp_label = compare ? ta_report_compare_label(&ctx, compare) : NULL;
  const ta_bench_suite suite = {dir,          models,  n_models, boards, n_targets,
                                o->timeout_s, o->copt, progress, o,      compare ? &cmp_opt : NULL,
                                compare,      log_dir};
  if (ta_device_bench_suite(&ctx, &suite, &rows, &failures) != TA_OK)
    return 2;
  const int32_t n_rows = n_models * n_targets;
  const char *md = NULL;
  ta_status st = ta_report_bench_write(&ctx, rows, n_rows, &an, models, n_models, a->argc, a->argv,
                                       o->report, o->svg, cmp_label, &md);
  if (st == TA_OK && md) /* no --report: the report on stdout, no file written */
    fputs(md, stdout);
  if (st == TA_OK && (o->report || o->svg))
    fprintf(stderr, "tinyaot bench: wrote %s%s%s\n", o->report ? o->report : "",
            o->report && o->svg ? " and " : "", o->svg ? o->svg : "");
  if (failures)
    fprintf(stderr,
            "tinyaot bench: %d of %d runs failed; the logs of the failed models are in %s\n",
            failures, compare ? 2 * n_rows : n_rows, log_dir);
  else
    ta_remove_tree(log_dir);
  const int rc = ta_cli_done(&ctx, st);
  return rc ? rc : failures ? 1 : 0;
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
  const bool target_given = target != NULL;
  if (!target_given)
    target = "cortex-m4";
  if (!ta_cli_units_resolve(&a, &units, &target, target_given))
    return 1;
  int32_t timeout_s;
  if (!ta_arg_seconds(&a, timeout, &timeout_s))
    return 1;
  if (suite) {
    if (model || n_inputs || device)
      return ta_cli_error(&a, "--suite takes no MODEL, --input or --device");
    if (copt.tuning_log)
      return ta_cli_error(&a, "--tuning-log is an option of one model's bench, not of --suite");
    suite_opts so = {suite,   models,    targets,
                     report,  svg,       anchors_path,
                     compare, timeout_s, ta_cli_progress_on(stderr, show),
                     &copt,   NULL,      NULL};
    return run_suite(&a, &so);
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
    for (int k = 0; k < 2; k++) {
      if (tbm[k].dir && keep)
        ta_report(&ctx, TA_NOTE, "build kept in %s", tbm[k].dir);
      else if (tbm[k].dir)
        ta_remove_tree(tbm[k].dir);
    }
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
  if (bm.dir) {
    if (keep)
      ta_report(&ctx, TA_NOTE, "build kept in %s", bm.dir);
    else
      ta_remove_tree(bm.dir);
  }
  return ta_cli_done(&ctx, st);
}
