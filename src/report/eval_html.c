/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_html.c: the HTML report of `tinyaot eval`: accuracy, the confusion matrix coloured by
 * row share, the cost on the board, and a few records drawn as inline SVG plots (the first of
 * each class, then some the model got wrong).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ta_report.h"

static void html_escape(ta_buf *b, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      ta_buf_puts(b, "&lt;");
    else if (*s == '>')
      ta_buf_puts(b, "&gt;");
    else if (*s == '&')
      ta_buf_puts(b, "&amp;");
    else
      ta_buf_append(b, s, 1);
  }
}

/* A record drawn as one polyline per channel. */
static void svg_record(ta_buf *b, const ta_tensor *in, const uint8_t *rec, bool time_major,
                       int32_t steps, int32_t channels, const char *title) {
  static const char *const colors[] = {"#d62728", "#2ca02c", "#1f77b4", "#ff7f0e",
                                       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
  const double W = 300, H = 140, pad = 4;
  double lo = INFINITY, hi = -INFINITY;
  int32_t n = steps * channels;
  for (int32_t i = 0; i < n; i++) {
    double v;
    if (in->dtype == TA_DT_F32) {
      float f;
      memcpy(&f, rec + 4 * (size_t)i, 4);
      v = f;
    } else {
      v = (int8_t)rec[i];
    }
    if (v < lo)
      lo = v;
    if (v > hi)
      hi = v;
  }
  if (!(hi > lo))
    hi = lo + 1;
  ta_buf_printf(b,
                "<figure><svg width=\"%.0f\" height=\"%.0f\" style=\"background:#fafafa;"
                "border:1px solid #ddd\">",
                W, H);
  for (int32_t c = 0; c < channels; c++) {
    ta_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"",
                  colors[c % 8]);
    for (int32_t t = 0; t < steps; t++) {
      int32_t i = time_major ? t * channels + c : c * steps + t;
      double v;
      if (in->dtype == TA_DT_F32) {
        float f;
        memcpy(&f, rec + 4 * (size_t)i, 4);
        v = f;
      } else {
        v = (int8_t)rec[i];
      }
      double x = pad + (W - 2 * pad) * t / (steps > 1 ? steps - 1 : 1);
      double y = H - pad - (H - 2 * pad) * (v - lo) / (hi - lo);
      ta_buf_printf(b, "%.1f,%.1f ", x, y);
    }
    ta_buf_puts(b, "\"/>");
  }
  ta_buf_puts(b, "</svg><figcaption>");
  html_escape(b, title);
  ta_buf_puts(b, "</figcaption></figure>\n");
}

void ta_report_eval_html(ta_buf *b, const char *model, const char *data_path, const char *layout,
                         const ta_tensor *in, const ta_eval_stats *r, const uint8_t *data,
                         size_t in_bytes) {
  char n1[32], n2[32], n3[32];
  ta_buf_puts(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tinyaot eval: ");
  html_escape(b, model);
  ta_buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;"
                 "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
                 "#ccc;padding:4px 8px;text-align:right}th{background:#f0f0f0}figure{display:"
                 "inline-block;margin:6px}figcaption{font-size:12px;text-align:center}"
                 ".note{color:#666;font-size:13px}</style></head><body>\n<h1>");
  html_escape(b, model);
  ta_buf_printf(b, " on %s</h1>\n", r->device ? r->board->core : "the host");
  ta_buf_printf(b, "<p>%d records of <code>", r->n);
  html_escape(b, data_path);
  ta_buf_printf(b, "</code>; accuracy <b>%.1f%%</b> (%lld/%d)", 100.0 * (double)r->correct / r->n,
                (long long)r->correct, r->n);
  if (r->have_ref)
    ta_buf_printf(b,
                  "; reference outputs' accuracy %.1f%%; same predicted class on %lld of %d "
                  "records; %lld of %d outputs within tolerance (max |error| %.3g)",
                  100.0 * (double)r->ref_correct / r->n, (long long)r->agree, r->n,
                  (long long)r->within, r->n, r->max_err);
  ta_buf_puts(b, ".</p>\n<h2>Confusion matrix</h2><p class=\"note\">Rows: true class; columns: "
                 "predicted class.</p><table><tr><th></th>");
  for (int32_t j = 0; j < r->n_classes; j++) {
    ta_buf_puts(b, "<th>");
    html_escape(b, r->names[j]);
    ta_buf_puts(b, "</th>");
  }
  ta_buf_puts(b, "<th>accuracy</th></tr>\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    int64_t row = 0;
    for (int32_t j = 0; j < r->n_classes; j++)
      row += r->confusion[i * r->n_classes + j];
    ta_buf_puts(b, "<tr><th>");
    html_escape(b, r->names[i]);
    ta_buf_puts(b, "</th>");
    for (int32_t j = 0; j < r->n_classes; j++) {
      int64_t v = r->confusion[i * r->n_classes + j];
      double f = row ? (double)v / (double)row : 0;
      ta_buf_printf(b, "<td style=\"background:rgba(%s,%.2f)\">%lld</td>",
                    i == j ? "46,160,67" : "214,39,40", f * 0.8, (long long)v);
    }
    ta_buf_printf(b, "<td>%.1f%%</td></tr>\n",
                  row ? 100.0 * (double)r->confusion[i * r->n_classes + i] / (double)row : 0.0);
  }
  ta_buf_puts(b, "</table>\n<h2>Cost</h2><table>");
  if (r->device) {
    uint64_t mean = r->insn_sum / (uint64_t)r->n;
    ta_buf_printf(b, "<tr><th>instructions per inference</th><td>%s (min %s, max %s)</td></tr>",
                  ta_report_commas(n1, sizeof n1, mean),
                  ta_report_commas(n2, sizeof n2, r->insn_min),
                  ta_report_commas(n3, sizeof n3, r->insn_max));
    ta_buf_printf(b,
                  "<tr><th>at the %.0f MHz reference clock</th><td>%.2f ms "
                  "(instructions / clock, not a measured time)</td></tr>",
                  r->board->clock_hz / 1e6, (double)mean * 1e3 / r->board->clock_hz);
    ta_buf_printf(b, "<tr><th>flash</th><td>%s bytes (model and kernels %s)</td></tr>",
                  ta_report_commas(n1, sizeof n1, r->flash),
                  ta_report_commas(n2, sizeof n2, r->model_flash));
    ta_buf_printf(b,
                  "<tr><th>RAM</th><td>%s bytes (arena %llu, stack %llu, data+bss %llu)"
                  "</td></tr>",
                  ta_report_commas(n1, sizeof n1, r->ram), (unsigned long long)r->arena,
                  (unsigned long long)r->stack, (unsigned long long)r->data_bss);
  } else {
    ta_buf_printf(b, "<tr><th>arena</th><td>%llu bytes</td></tr>", (unsigned long long)r->arena);
  }
  ta_buf_puts(b, "</table>\n<h2>Some records</h2><p class=\"note\">The first records of each "
                 "class, then a few the model got wrong. One line per channel: "
                 "<span style=\"color:#d62728\">channel 0</span>, "
                 "<span style=\"color:#2ca02c\">channel 1</span>, "
                 "<span style=\"color:#1f77b4\">channel 2</span>, ...</p>\n");
  size_t elems = 0;
  ta_tensor_elems(in, &elems);
  /* Steps and channels: the smallest non-1 dimension at the end (TxC) or the start (CxT). */
  int32_t first = 1, last = 1;
  for (int32_t i = 0; i < in->rank; i++)
    if (in->dims[i] > 1) {
      if (first == 1)
        first = in->dims[i];
      last = in->dims[i];
    }
  bool time_major = layout ? strcmp(layout, "TxC") == 0 : last <= first;
  int32_t channels = time_major ? last : first;
  if (channels < 1 || channels > 8 || (size_t)channels > elems)
    channels = 1;
  int32_t steps = (int32_t)(elems / (size_t)channels);
  for (int32_t c = 0; c < r->n_classes; c++) {
    int32_t shown = 0;
    for (int32_t k = 0; k < r->n && shown < 2; k++) {
      if (r->labels[k] != c)
        continue;
      char title[256];
      snprintf(title, sizeof title, "record %d: true %s, predicted %s", k, r->names[c],
               r->names[r->pred[k]]);
      svg_record(b, in, data + (size_t)k * in_bytes, time_major, steps, channels, title);
      shown++;
    }
  }
  int32_t wrong = 0;
  for (int32_t k = 0; k < r->n && wrong < 4; k++) {
    if (r->pred[k] == r->labels[k])
      continue;
    char title[256];
    snprintf(title, sizeof title, "record %d: true %s, predicted %s (wrong)", k,
             r->names[r->labels[k]], r->names[r->pred[k]]);
    svg_record(b, in, data + (size_t)k * in_bytes, time_major, steps, channels, title);
    wrong++;
  }
  ta_buf_puts(b, "<p class=\"note\">Made by tinyaot eval.</p></body></html>\n");
}
