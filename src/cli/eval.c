/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: `tinyaot eval MODEL --data FILE --labels FILE [--target T]`: run a labelled data
 * set through a classifier on a target, one record after another through the device session
 * (or in process on the host), and report accuracy per class, the confusion matrix, how
 * closely the outputs follow reference outputs (e.g. the training framework's), instructions
 * per inference, flash and RAM, and whether that fits a given part. Optionally an HTML
 * report with the confusion matrix and a few records drawn as plots (inline SVG). With --json
 * the figures are one JSON object on stdout and the progress goes to stderr. A missed flash or
 * RAM budget exits with TA_CLI_EXIT_BUDGET (3), so that CI can gate on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ta_cli.h"

typedef struct eval_opts {
  int argc;
  char **argv;
  const char *model, *data, *labels, *classes, *expect, *report, *target, *name, *layout;
  const char *device;
  int32_t timeout_s;
  double atol, rtol;
  ta_cli_units units;
  uint64_t limit;
  bool json, keep, progress;
  ta_compile_options compile;
} eval_opts;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Each record's output goes to the statistics; the progress bar (with rate and ETA) to log
 * when it is wanted there (a terminal, or --progress). */
typedef struct record_ctx {
  ta_ctx *ctx;
  ta_eval_stats *r;
  const ta_eval_set *set;
  FILE *log;
  bool bar;
  double start;
} record_ctx;

static ta_status on_record(void *user, int64_t k, const uint8_t *out, uint64_t insns) {
  record_ctx *c = user;
  ta_report_eval_add(c->r, c->set, k, out, insns);
  if (!c->bar)
    return TA_OK;
  ta_buf b;
  ta_buf_init(&b, c->ctx);
  ta_report_progress_bar(&b, k + 1, c->r->n, now_s() - c->start);
  if (b.ok)
    fprintf(c->log, "\r%s\033[K%s", b.data, k + 1 == c->r->n ? "\n" : "");
  fflush(c->log);
  ta_buf_free(&b);
  return TA_OK;
}

/* The device library's lines, shown where someone watches; NULL: the records start. */
static void say(void *user, const char *line) {
  record_ctx *c = user;
  if (!line)
    c->start = now_s();
  else if (c->bar)
    fprintf(c->log, "%s\n", line);
}

static ta_status run_eval(ta_ctx *ctx, const eval_opts *o, bool *fits) {
  ta_model m;
  ta_status st = ta_compile_file(ctx, o->model, &o->compile, &m);
  if (st != TA_OK)
    return st;
  ctx->file = NULL;
  ta_eval_set set;
  ta_eval_stats r;
  const ta_eval_files files = {o->data, o->labels, o->expect};
  if ((st = ta_report_eval_load(ctx, m.g, o->model, &files, (int64_t)o->limit, &set)) != TA_OK ||
      (st = ta_report_eval_init(ctx, &set, o->classes, o->atol, o->rtol, &r)) != TA_OK)
    return st;
  uint8_t *out = ta_new(ctx, set.out_bytes);
  if (!out)
    return TA_ERR_LIMIT;
  r.arena = m.plan.arena_bytes;
  r.clock_hz = o->units.clock_hz;
  r.part = o->units.part ? o->units.part->name : NULL;
  /* With --json, stdout carries the JSON only. Progress lines only where someone watches. */
  FILE *log = o->json ? stderr : stdout;
  const bool show = ta_cli_progress_on(log, o->progress);
  record_ctx rc = {ctx, &r, &set, log, show, now_s()};
  r.board = strcmp(o->target, "host") == 0 ? NULL : ta_board_find(o->target);
  r.device = r.board != NULL;
  /* The per-layer chart (on a board) when there is a report to show it. */
  r.layer_insns =
      r.board && o->report ? ta_new_array(ctx, (size_t)m.g->n_ops + 1, sizeof(uint64_t)) : NULL;
  ta_device_eval e = {.m = &m, .model_path = o->model, .board = r.board, .keep = o->keep};
  e.name = o->name ? o->name : ta_default_model_name(ctx, o->model);
  e.dopt = (ta_device_options){o->device, false, 1, o->timeout_s, NULL};
  e.data = set.data, e.in_bytes = set.in_bytes, e.out_bytes = set.out_bytes, e.n = set.n;
  e.out = out, e.layer_insns = r.layer_insns, e.each = on_record, e.user = &rc, e.say = say;
  ta_fw_sizes sizes;
  ta_fw_memstats mem;
  if ((st = ta_device_eval_records(ctx, &e, &sizes, &mem)) != TA_OK)
    return st;
  if (r.board)
    ta_report_eval_device_cost(&r, &sizes, &mem);
  ta_report_eval_finish(&r);
  /* After the figures, the verdict on stderr; the exit status carries it too. */
  *fits = ta_report_eval_verdict(ctx, &r, o->units.flash_budget, o->units.ram_budget,
                                 TA_CLI_EXIT_BUDGET);
  ta_buf b;
  ta_buf_init(&b, ctx);
  if (o->json) {
    ta_report_eval_json(&b, &r, o->model, o->target, o->units.flash_budget, o->units.ram_budget);
  } else {
    ta_buf_puts(&b, "\n");
    ta_report_eval_text(&b, &r, o->expect, o->units.flash_budget, o->units.ram_budget);
  }
  if (b.ok)
    fputs(b.data, stdout);
  ta_buf_free(&b);
  if (o->report) {
    const ta_eval_html_info hi = {o->model,
                                  o->data,
                                  o->layout,
                                  &m,
                                  &set,
                                  o->units.flash_budget,
                                  o->units.ram_budget,
                                  o->units.part ? o->units.part->name : NULL,
                                  o->argc,
                                  o->argv};
    if ((st = ta_report_eval_html_write(ctx, o->report, &r, &hi)) != TA_OK)
      return st;
    fprintf(log, "report: %s\n", o->report);
  }
  return TA_OK;
}

int ta_cmd_eval(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "eval");
  const char *timeout = NULL;
  eval_opts o;
  memset(&o, 0, sizeof o);
  o.argc = argc;
  o.argv = argv;
  const char *atol = NULL, *rtol = NULL;
  ta_compile_options_init(&o.compile);
  ta_status st = TA_OK;
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_switch(&a, "--json", &o.json) || ta_arg_switch(&a, "--keep-build", &o.keep) ||
        ta_arg_switch(&a, "--progress", &o.progress))
      continue;
    if (ta_arg_value(&a, "--data", &o.data, &st) || ta_arg_value(&a, "--labels", &o.labels, &st) ||
        ta_arg_value(&a, "--classes", &o.classes, &st) ||
        ta_arg_value(&a, "--expect", &o.expect, &st) ||
        ta_arg_value(&a, "--report", &o.report, &st) ||
        ta_arg_value(&a, "--target", &o.target, &st) || ta_arg_value(&a, "--name", &o.name, &st) ||
        ta_arg_value(&a, "--device", &o.device, &st) ||
        ta_arg_value(&a, "--timeout", &timeout, &st) ||
        ta_arg_value(&a, "--plot-layout", &o.layout, &st) ||
        ta_arg_value(&a, "--atol", &atol, &st) || ta_arg_value(&a, "--rtol", &rtol, &st) ||
        ta_arg_units(&a, &o.units, &st) || ta_arg_count(&a, "--limit", &o.limit, &st) ||
        ta_arg_compile_option(&a, &o.compile, &st))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &o.model))
      return 1;
  }
  if (st != TA_OK)
    return 1;
  const bool target_given = o.target != NULL;
  if (!target_given)
    o.target = "cortex-m4";
  if (!ta_cli_units_resolve(&a, &o.units, &o.target, target_given))
    return 1;
  if (!o.units.flash_budget)
    o.units.flash_budget = 256 * 1024;
  if (!o.units.ram_budget)
    o.units.ram_budget = 64 * 1024;
  o.atol = atol ? strtod(atol, NULL) : 1e-4;
  o.rtol = rtol ? strtod(rtol, NULL) : 1e-3;
  if (!o.model || !o.data || !o.labels) {
    return ta_arg_missing(&a, !o.model  ? "no MODEL given"
                              : !o.data ? "no --data given"
                                        : "no --labels given");
  }
  if (o.layout && strcmp(o.layout, "TxC") != 0 && strcmp(o.layout, "CxT") != 0) {
    return ta_cli_error(&a, "--plot-layout is TxC or CxT, not '%s'", o.layout);
  }
  const ta_board *board;
  if (!ta_arg_seconds(&a, timeout, &o.timeout_s) || !ta_cli_target(&a, o.target, true, &board))
    return 1;
  if (o.device && !board)
    return ta_cli_error(&a, "--device needs a Cortex-M --target (one of %s)", ta_board_names());
  o.compile.target = o.target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, &a);
  /* Before the run, which may take long: a report that cannot be written fails now. */
  ta_status st2 = o.report ? ta_check_writable(&ctx, "--report", o.report) : TA_OK;
  bool fits = true;
  if (st2 == TA_OK)
    st2 = run_eval(&ctx, &o, &fits);
  const int rc = ta_cli_done(&ctx, st2);
  return rc == 0 && !fits ? TA_CLI_EXIT_BUDGET : rc;
}
