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
 * ta_device_bench_run), the reports are ta_report's; this file parses and prints.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_cli.h"
#include "ta_schedule.h"

static const char help[] =
    "usage: tinyaot bench MODEL [--target T] [--input FILE...] [--json] [options]\n"
    "       tinyaot bench --suite DIR [--models A,B,...] [--targets T,...] [--report FILE]\n"
    "                     [--svg FILE] [--anchors FILE] [--compare-backend NAME]\n"
    "\n"
    "Build MODEL's firmware for a Cortex-M board, run it on QEMU's model of the board (or on a\n"
    "real board, --device), check its outputs against the host build, and print instructions\n"
    "per inference and per layer (with MACs and MACs per instruction), flash bytes (firmware\n"
    "and model alone) and RAM bytes (arena + stack high-water + data + bss). Instructions are\n"
    "counted exactly and deterministically (QEMU -icount shift=0); the milliseconds shown are\n"
    "instructions / the board's reference clock, not a measured time. Without --input the\n"
    "input is the xorshift pattern of the reference vectors (input k: xorshift32 from state\n"
    "0x12345678+k, one step per element). With --tuning-log, MODEL is built twice, with the\n"
    "default schedule and with the log's, and both run in one report, side by side (the tuned\n"
    "outputs also checked against the untuned build's).\n"
    "\n"
    "options:\n"
    "  --target T        cortex-m4 (default), cortex-m3, cortex-m7, cortex-m33\n"
    "  --input FILE      a raw input tensor (repeat once per model input)\n"
    "  --json            print one JSON object instead of the text report\n"
    "  --device WHERE    a real board running this model's firmware: tcp:HOST:PORT or a serial\n"
    "                    device PATH[@BAUD]; its timer then counts clock cycles\n"
    "  --timeout S       limit for one inference, in seconds (default 600)\n"
    "  --name NAME       symbol prefix for the generated code\n"
    "  --keep-build      keep the temporary build directory and print its "
    "path\n" TA_CLI_COMPILE_OPTIONS_HELP "suite options:\n"
    "  --suite DIR       benchmark every .tflite model of DIR (or those of --models)\n"
    "  --models LIST     comma-separated model names (file stems) to take from DIR\n"
    "  --targets LIST    comma-separated targets (default cortex-m4,cortex-m7,cortex-m33)\n"
    "  --report FILE     write a Markdown report (default BENCHMARKS.md)\n"
    "  --svg FILE        write a bar chart of instructions per model and core\n"
    "  --anchors FILE    TensorFlow Lite Micro figures to compare with (a Markdown table)\n"
    "  --compare-backend NAME_OR_FILE\n"
    "                    also build every model with this backend (--backend-var as for\n"
    "                    --backend) and measure it on every core in the same run: columns\n"
    "                    next to tinyaot's in the report\n"
    "  -h, --help        this text\n";

#define MAX_INPUTS 64
#define MAX_TARGETS 8
#define MAX_MODELS TA_REPORT_MAX_MODELS

/* ---- suite: several models x several cores, a Markdown report and an SVG chart ---- */

/* One line on stderr per model, and one per board it ran on. */
static void progress(void *user, const char *model, const ta_bench_row *r, const char *check) {
  (void)user;
  char a[32];
  if (!r)
    fprintf(stderr, "tinyaot bench: %s ...\n", model);
  else if (!r->ok)
    fprintf(stderr, "tinyaot bench: %s on %s: %s\n", model, r->board->target,
            check ? check : "failed");
  else
    fprintf(stderr, "  %-11s %16s instructions, flash %llu, RAM %llu, outputs %s%s%s\n",
            r->board->target, ta_report_commas(a, sizeof a, r->instructions),
            (unsigned long long)ta_fw_flash_bytes(&r->sizes),
            (unsigned long long)ta_fw_ram_bytes(&r->sizes, &r->mem), check,
            strcmp(model, r->model) != 0 ? "; " : "", strcmp(model, r->model) != 0 ? model : "");
}

static int run_suite(int argc, char **argv, const char *dir, const char *models_arg,
                     const char *targets_arg, const char *report, const char *svg,
                     const char *anchors_path, int32_t timeout_s, const ta_compile_options *copt,
                     const char *compare) {
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  const char *targets[MAX_TARGETS];
  int32_t n_targets = ta_split_list(
      &ctx, targets_arg ? targets_arg : "cortex-m4,cortex-m7,cortex-m33", targets, MAX_TARGETS);
  const ta_board *boards[MAX_TARGETS];
  for (int32_t t = 0; t < n_targets; t++)
    if (!(boards[t] = ta_board_find(targets[t]))) {
      fprintf(stderr, "tinyaot bench: unknown target '%s' (known: %s)\n", targets[t],
              ta_board_names());
      ta_ctx_free(&ctx);
      return 1;
    }
  const char *models[MAX_MODELS];
  int32_t n_models = 0;
  if (models_arg) {
    n_models = ta_split_list(&ctx, models_arg, models, MAX_MODELS);
  } else {
    char **names = ta_list_stems(&ctx, dir, ".tflite", MAX_MODELS, &n_models);
    if (!names) {
      fprintf(stderr, "tinyaot bench: cannot open '%s': %s\n", dir, strerror(errno));
      ta_ctx_free(&ctx);
      return 1;
    }
    for (int32_t m = 0; m < n_models; m++)
      models[m] = names[m];
  }
  ta_anchors an;
  ta_anchors_load(&ctx, anchors_path, &an);
  if (anchors_path && !an.loaded)
    fprintf(stderr, "tinyaot bench: warning: cannot read anchors '%s'; no comparison columns\n",
            anchors_path);
  ta_bench_row *rows;
  int32_t failures;
  /* The comparison build: the same options with the one backend instead of --backend's. */
  ta_compile_options cmp_opt = *copt;
  cmp_opt.n_backends = 0;
  if (compare)
    cmp_opt.backends[cmp_opt.n_backends++] = compare;
  const char *cmp_label = compare ? ta_report_compare_label(&ctx, compare) : NULL;
  const ta_bench_suite suite = {dir,       models, n_models, boards, n_targets,
                                timeout_s, copt,   progress, NULL,   compare ? &cmp_opt : NULL,
                                compare};
  if (ta_device_bench_suite(&ctx, &suite, &rows, &failures) != TA_OK)
    return 2;
  const int32_t n_rows = n_models * n_targets;
  ta_status st = ta_report_bench_write(&ctx, rows, n_rows, &an, models, n_models, argc, argv,
                                       report, svg, cmp_label);
  if (st == TA_OK)
    fprintf(stderr, "tinyaot bench: wrote %s%s%s (%d of %d runs failed)\n", report,
            svg ? " and " : "", svg ? svg : "", failures, compare ? 2 * n_rows : n_rows);
  const int rc = ta_cli_done(&ctx, st);
  return rc ? rc : failures ? 1 : 0;
}

/* ---- one model with --tuning-log: untuned and tuned side by side ---- */

/* The tuned board's outputs against the untuned host build's (the bench's tolerance: float32
 * within 1e-5 relative, integers bit for bit), into t->match and t->check. */
static void compare_tuned(ta_ctx *ctx, const ta_bench_model *untuned, const ta_bench_run *tuned,
                          ta_bench_tuned *t) {
  const ta_graph *g = untuned->m.g;
  const ta_device_tol tol = {0, 1e-5, true, false, false};
  t->match = true;
  t->check = "yes (identical bytes)";
  for (int32_t k = 0; k < g->n_outputs && t->match; k++) {
    const ta_tensor *out = &g->tensors[g->outputs[k]];
    ta_device_cmp c;
    if (!tuned->dev.outputs[k] || tuned->dev.output_bytes[k] != untuned->host_bytes[k]) {
      t->match = false;
      t->check = ta_fmt(ctx, "NO: output %d has %zu bytes, the untuned %zu", k,
                        tuned->dev.output_bytes[k], untuned->host_bytes[k]);
    } else if (!ta_device_compare(out->dtype, untuned->host_out[k], tuned->dev.outputs[k],
                                  untuned->host_bytes[k], &tol, &c)) {
      t->match = false;
      t->check = ta_fmt(ctx, "NO: output %d differs at element %zu", k,
                        out->dtype == TA_DT_F32 ? c.bad_elem : c.bad_byte);
    } else if (out->dtype == TA_DT_F32) {
      t->check = "yes (float32 within 1e-5 relative; integers identical bytes)";
    }
  }
}

/* Build the model with the default schedule and with the log's (the log first: a bad log stops
 * the run before anything is measured), run both on the board, report both. */
static ta_status run_tuned(ta_ctx *ctx, const char *model, const char *name,
                           const char *const *inputs, int32_t n_inputs,
                           const ta_compile_options *copt, const ta_board *board,
                           const char *device, int32_t timeout_s, bool json, ta_bench_model *bm) {
  ta_compile_options plain = *copt;
  plain.tuning_log = NULL;
  plain.tuning_target = NULL;
  ta_bench_run r[2];
  ta_status st = ta_device_bench_prepare(ctx, model, name, inputs, n_inputs, copt, &bm[1]);
  if (st == TA_OK)
    st = ta_device_bench_prepare(ctx, model, name, inputs, n_inputs, &plain, &bm[0]);
  for (int k = 0; k < 2 && st == TA_OK; k++)
    st = ta_device_bench_run(&bm[k], board, device, timeout_s, &r[k]);
  if (st != TA_OK)
    return st;
  ta_bench_tuned t = {.untuned = &bm[0],
                      .tuned = &bm[1],
                      .untuned_run = &r[0],
                      .tuned_run = &r[1],
                      .device = device,
                      .log = copt->tuning_log,
                      .target = copt->tuning_target ? copt->tuning_target : board->target};
  for (int32_t i = 0; i < bm[1].m.g->n_ops; i++) {
    ta_sched_why why;
    if (ta_sched_variant(&bm[1].m.calls[i], &why))
      t.n_scheduled++;
    t.n_from_log += why == TA_SCHED_LOG;
  }
  compare_tuned(ctx, &bm[0], &r[1], &t);
  ta_buf b;
  ta_buf_init(&b, ctx);
  if (json)
    ta_report_bench_tuned_json(&b, &t);
  else
    ta_report_bench_tuned_text(&b, &t);
  if (b.ok)
    fputs(b.data, stdout);
  ta_buf_free(&b);
  if (!r[0].match || !r[1].match || !t.match) {
    fprintf(stderr, "tinyaot bench: %s\n",
            !t.match ? "the tuned build's outputs differ from the untuned build's"
                     : "the board's outputs differ from the host build's");
    st = TA_ERR_INTERNAL;
  }
  return st;
}

int ta_cmd_bench(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "bench"};
  const char *model = NULL, *name = NULL, *target = "cortex-m4", *device = NULL;
  const char *timeout = NULL, *suite = NULL, *models = NULL, *targets = NULL;
  const char *report = "BENCHMARKS.md", *svg = NULL, *anchors_path = NULL, *compare = NULL;
  const char *inputs[MAX_INPUTS];
  int32_t n_inputs = 0;
  bool json = false, keep = false;
  ta_status st = TA_OK;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a, help))
      return 0;
    if (ta_arg_switch(&a, "--json", &json) || ta_arg_switch(&a, "--keep-build", &keep) ||
        ta_arg_list(&a, "--input", inputs, &n_inputs, MAX_INPUTS, &st) ||
        ta_arg_value(&a, "--target", &target, &st) || ta_arg_value(&a, "--name", &name, &st) ||
        ta_arg_value(&a, "--device", &device, &st) ||
        ta_arg_value(&a, "--timeout", &timeout, &st) || ta_arg_value(&a, "--suite", &suite, &st) ||
        ta_arg_value(&a, "--models", &models, &st) ||
        ta_arg_value(&a, "--targets", &targets, &st) ||
        ta_arg_value(&a, "--report", &report, &st) || ta_arg_value(&a, "--svg", &svg, &st) ||
        ta_arg_value(&a, "--anchors", &anchors_path, &st) ||
        ta_arg_value(&a, "--compare-backend", &compare, &st) ||
        ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  int32_t timeout_s;
  if (!ta_arg_seconds(&a, timeout, &timeout_s))
    return 1;
  if (suite) {
    if (model || n_inputs || device) {
      fprintf(stderr, "tinyaot bench: --suite takes no MODEL, --input or --device\n");
      return 1;
    }
    if (copt.tuning_log) {
      fprintf(stderr, "tinyaot bench: --tuning-log is an option of one model's bench, not of "
                      "--suite\n");
      return 1;
    }
    return run_suite(argc, argv, suite, models, targets, report, svg, anchors_path, timeout_s,
                     &copt, compare);
  }
  if (compare) {
    fprintf(stderr, "tinyaot bench: --compare-backend is a --suite option (for one model, run "
                    "bench again with --backend)\n");
    return 1;
  }
  if (!model)
    return ta_arg_missing(&a, "no MODEL given", help);
  const ta_board *board = ta_board_find(target);
  if (!board) {
    fprintf(stderr, "tinyaot bench: unknown target '%s' (known: %s)\n", target, ta_board_names());
    return 1;
  }
  copt.target = target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  if (copt.tuning_log) {
    ta_bench_model tbm[2];
    memset(tbm, 0, sizeof tbm);
    st = run_tuned(&ctx, model, name, inputs, n_inputs, &copt, board, device, timeout_s, json, tbm);
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
    ta_buf b;
    ta_buf_init(&b, &ctx);
    if (json)
      ta_report_bench_json(&b, &bm, &r, device);
    else
      ta_report_bench_text(&b, &bm, &r, device);
    if (b.ok)
      fputs(b.data, stdout);
    ta_buf_free(&b);
    if (!r.match) {
      fprintf(stderr, "tinyaot bench: the board's outputs differ from the host build's\n");
      st = TA_ERR_INTERNAL;
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
