/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: `tinyaot eval MODEL --data FILE --labels FILE [--target T]`: run a labelled data
 * set through a classifier on a target, one record after another through the device session
 * (or in process on the host), and report accuracy per class, the confusion matrix, how
 * closely the outputs follow reference outputs (e.g. the training framework's), instructions
 * per inference, flash and RAM, and whether that fits a given part. Optionally an HTML
 * report with the confusion matrix and a few records drawn as plots (inline SVG). With --json
 * the figures are one JSON object on stdout and the progress goes to stderr. A missed flash or
 * RAM budget exits with TA_CLI_EXIT_BUDGET (3), so that CI can gate on it. The run and the
 * statistics are ta_report_eval_run's; this file parses and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* What someone watching sees (a terminal, or --progress): the progress, as it comes. */
static void show(void *user, const char *text) {
  fputs(text, user);
  fflush(user);
}

static ta_status run_eval(ta_ctx *ctx, const eval_opts *o, const ta_board *board, bool *fits) {
  /* With --json, stdout carries the JSON only. */
  FILE *log = o->json ? stderr : stdout;
  ta_eval_run er = {.model = o->model, .name = o->name, .classes = o->classes, .board = board};
  er.part = o->units.part ? o->units.part->name : NULL, er.copt = &o->compile;
  er.files = (ta_eval_files){o->data, o->labels, o->expect}, er.limit = (int64_t)o->limit;
  er.atol = o->atol, er.rtol = o->rtol, er.clock_hz = o->units.clock_hz, er.keep = o->keep;
  er.dopt = (ta_device_options){o->device, false, 1, o->timeout_s, NULL};
  er.layers = o->report != NULL, er.bar = ta_cli_progress_on(log, o->progress);
  er.flash_budget = o->units.flash_budget, er.ram_budget = o->units.ram_budget;
  er.exit_budget = TA_CLI_EXIT_BUDGET, er.show = show, er.user = log;
  ta_model m;
  ta_eval_set set;
  ta_eval_stats r;
  ta_status st = ta_report_eval_run(ctx, &er, &m, &set, &r, fits);
  if (st != TA_OK)
    return st;
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
  if (!ta_cli_units_resolve(&a, &o.units, &o.target, "cortex-m4"))
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
    st2 = run_eval(&ctx, &o, board, &fits);
  const int rc = ta_cli_done(&ctx, st2);
  return rc == 0 && !fits ? TA_CLI_EXIT_BUDGET : rc;
}
