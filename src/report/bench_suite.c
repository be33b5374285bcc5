/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_suite.c: `tinyaot bench --suite` from its options to its report: the targets and
 * models listed, the output files and the log folder checked before the long run (a typo
 * should not cost an hour of measuring), the runs (ta_device_bench_suite), the anchors read
 * and the Markdown report and SVG chart written. The command prints what this returns.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <string.h>

#include "ta_report.h"

#define MAX_TARGETS 8

typedef struct suite_say {
  ta_ctx *ctx;
  const ta_bench_suite_run *s;
  const ta_bench_suite_result *r;
} suite_say;

/* ta_device_bench_suite's progress calls as lines for the caller. */
static void progress(void *user, const char *model, const ta_bench_row *r, const char *check) {
  const suite_say *p = user;
  ta_buf b;
  ta_buf_init(&b, p->ctx);
  ta_report_bench_progress(&b, model, r, check, p->r->log_dir, p->s->watching);
  if (b.ok && b.len && p->s->say)
    p->s->say(p->s->user, b.data);
  ta_buf_free(&b);
}

ta_status ta_report_bench_suite_run(ta_ctx *ctx, const ta_bench_suite_run *s,
                                    ta_bench_suite_result *r) {
  memset(r, 0, sizeof *r);
  const char *targets[MAX_TARGETS];
  int32_t n_targets = ta_split_list(ctx, s->targets ? s->targets : "cortex-m4,cortex-m7,cortex-m33",
                                    targets, MAX_TARGETS);
  const ta_board *boards[MAX_TARGETS];
  for (int32_t t = 0; t < n_targets; t++)
    if (!(boards[t] = ta_board_find(targets[t])))
      return ta_err(ctx, TA_ERR_USAGE, "unknown target '%s' (targets: %s)", targets[t],
                    ta_board_names());
  const char *models[TA_REPORT_MAX_MODELS];
  int32_t n_models = 0;
  if (s->models) {
    n_models = ta_split_list(ctx, s->models, models, TA_REPORT_MAX_MODELS);
  } else {
    char **names = ta_list_stems(ctx, s->dir, ".tflite", TA_REPORT_MAX_MODELS, &n_models);
    if (!names)
      return ta_err(ctx, TA_ERR_USAGE, "cannot open '%s': %s", s->dir, strerror(errno));
    for (int32_t m = 0; m < n_models; m++)
      models[m] = names[m];
  }
  /* The logs go to a folder of their own, kept when a run failed. */
  if ((s->report && ta_check_writable(ctx, "--report", s->report) != TA_OK) ||
      (s->svg && ta_check_writable(ctx, "--svg", s->svg) != TA_OK) ||
      ta_make_temp_dir(ctx, "bench-logs", &r->log_dir) != TA_OK)
    return TA_ERR_USAGE;
  r->setup_ok = true;
  ta_anchors an;
  ta_anchors_load(ctx, s->anchors, &an);
  if (s->anchors && !an.loaded)
    ta_report(ctx, TA_WARNING, "cannot read anchors '%s'; no comparison columns", s->anchors);
  ta_bench_row *rows;
  /* The comparison build: the same options with the one backend instead of --backend's. */
  ta_compile_options cmp_opt = *s->copt;
  cmp_opt.n_backends = 0;
  if (s->compare)
    cmp_opt.backends[cmp_opt.n_backends++] = s->compare;
  const char *cmp_label = s->compare ? ta_report_compare_label(ctx, s->compare) : NULL;
  suite_say p = {ctx, s, r};
  const ta_bench_suite suite = {
      s->dir,       models,    n_models, boards, n_targets,
      s->timeout_s, s->copt,   progress, &p,     s->compare ? &cmp_opt : NULL,
      s->compare,   r->log_dir};
  ta_status st = ta_device_bench_suite(ctx, &suite, &rows, &r->failures);
  if (st != TA_OK)
    return st;
  r->ran = true;
  const int32_t n_rows = n_models * n_targets;
  r->n_runs = s->compare ? 2 * n_rows : n_rows;
  return ta_report_bench_write(ctx, rows, n_rows, &an, models, n_models, s->argc, s->argv,
                               s->report, s->svg, cmp_label, &r->md);
}
