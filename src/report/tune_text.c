/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tune_text.c: what `tinyaot tune` shows, as text into a ta_buf: the progress line of a
 * tuning run and the table of its result (per workload the heuristic's pick and the best
 * record, with instructions and speedup; candidates and ops per workload; the whole models'
 * totals). The run itself is the tuner's (ta_tune_run, src/tune).
 */
#include <stdio.h>

#include "ta_report.h"

void ta_report_tune_progress(ta_buf *b, const ta_tune_progress *p, bool tty) {
  const double rate = p->elapsed_s > 0 ? p->done / p->elapsed_s : 0;
  const int32_t left = p->total - p->done;
  ta_buf_printf(b, "%s[%d/%d] %.2f/s ETA %.0fs, %d wrong, %d failed%s%s%s%s", tty ? "\r" : "",
                p->done, p->total, rate, rate > 0 ? left / rate : 0.0, p->wrong, p->failed,
                p->last ? " (" : "", p->last ? p->last : "", p->last ? ")" : "",
                tty ? "\033[K" : "\n");
}

void ta_report_tune_text(ta_buf *f, const ta_tune_result *r) {
  char a[96], b[96], x[32], y[32];
  ta_buf_printf(f, "%-3s %-18s %4s  %-22s %13s  %-22s %13s %8s\n", "#", "workload", "ops",
                "default", "instructions", "best", "instructions", "speedup");
  for (int32_t i = 0; i < r->n; i++) {
    const ta_tune_workload *w = &r->w[i];
    char sp[16] = "-";
    if (w->dflt.instructions && w->best.instructions)
      snprintf(sp, sizeof sp, "%.2fx", (double)w->dflt.instructions / (double)w->best.instructions);
    ta_buf_printf(f, "%-3d %-18s %4d  %-22s %13s  %-22s %13s %8s\n", i + 1, w->kind, w->n_ops,
                  ta_tune_choice_str(&w->dflt, a, sizeof a),
                  w->dflt.instructions ? ta_report_commas(x, sizeof x, w->dflt.instructions) : "-",
                  ta_tune_choice_str(&w->best, b, sizeof b),
                  w->best.instructions ? ta_report_commas(y, sizeof y, w->best.instructions) : "-",
                  sp);
  }
  ta_buf_puts(f, "\n");
  for (int32_t i = 0; i < r->n; i++) {
    const ta_tune_workload *w = &r->w[i];
    ta_buf_printf(f, "#%d: %d candidates, %d measured now", i + 1, w->n_candidates, w->n_measured);
    if (w->n_wrong || w->n_failed)
      ta_buf_printf(f, ", %d wrong, %d failed", w->n_wrong, w->n_failed);
    ta_buf_printf(f, "; op %s\n    %s\n", w->ops, w->key);
  }
  ta_buf_printf(f, "\ntuned ops, whole models: default %s, tuned %s instructions",
                ta_report_commas(a, sizeof a, r->default_total),
                ta_report_commas(b, sizeof b, r->tuned_total));
  if (r->tuned_total)
    ta_buf_printf(f, " (%.3fx)", (double)r->default_total / (double)r->tuned_total);
  ta_buf_printf(f, "\n%d ops have a single variant (not tuned); %d new records in %.1f s%s\n",
                r->n_untuned_ops, r->new_records, r->elapsed_s,
                r->stopped ? " (stopped before the end: run again to resume)" : "");
}
