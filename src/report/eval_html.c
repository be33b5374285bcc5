/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_html.c: the HTML report of `tinyaot eval`, one page that opens offline (inline SVG and
 * CSS, no script): what was run (tool version, date, command), accuracy and whether the
 * firmware fits its budgets, the confusion matrix coloured by row share, the cost on the
 * board, the instructions of each layer, the memory plan, and a few records drawn as plots
 * with axes, their channels named and the class scores the model gave them (the first of each
 * class, then some the model got wrong).
 */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ta_config.h"
#include "ta_report.h"

static void html_escape(ta_buf *b, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      ta_buf_puts(b, "&lt;");
    else if (*s == '>')
      ta_buf_puts(b, "&gt;");
    else if (*s == '&')
      ta_buf_puts(b, "&amp;");
    else if (*s == '"')
      ta_buf_puts(b, "&quot;");
    else
      ta_buf_append(b, s, 1);
  }
}

/* A round step (1, 2 or 5 times a power of ten) cutting span into about n parts. */
static double nice_step(double span, int n) {
  if (!(span > 0))
    return 1;
  const double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static double record_value(const ta_tensor *in, const uint8_t *rec, int32_t i) {
  if (in->dtype == TA_DT_F32) {
    float f;
    memcpy(&f, rec + 4 * (size_t)i, 4);
    return f;
  }
  return in->dtype == TA_DT_U8 ? (double)rec[i] : (double)(int8_t)rec[i];
}

typedef struct plot_shape {
  bool time_major;
  int32_t steps, channels;
} plot_shape;

/* Record k drawn as one line per channel on axes (x: time step, y: the value fed to the
 * model), a legend naming the channels, and beside it the class scores (the true class and
 * the predicted one marked). */
static void svg_record(ta_buf *b, const ta_eval_stats *r, const ta_tensor *in, const uint8_t *rec,
                       const plot_shape *ps, int32_t k, const char *title) {
  static const char *const colors[] = {"#d62728", "#2ca02c", "#1f77b4", "#ff7f0e",
                                       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
  const double L = 50, T = 24, PW = 280, PH = 140, SW = 170;
  const double W = L + PW + 16 + SW, H = T + PH + 40;
  double lo = INFINITY, hi = -INFINITY;
  for (int32_t i = 0; i < ps->steps * ps->channels; i++) {
    const double v = record_value(in, rec, i);
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  const double ystep = nice_step(hi - lo, 4);
  lo = floor(lo / ystep) * ystep;
  hi = ceil(hi / ystep) * ystep;
  if (!(hi > lo))
    hi = lo + ystep;
  ta_buf_printf(b,
                "<figure class=\"rec\"><svg width=\"%.0f\" height=\"%.0f\" font-size=\"10\" "
                "font-family=\"sans-serif\"><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
                "height=\"%.0f\" fill=\"#fafafa\" stroke=\"#999\"/>",
                W, H, L, T, PW, PH);
  /* y axis: round ticks. */
  for (double v = lo; v <= hi + ystep / 2; v += ystep) {
    const double y = T + PH - PH * (v - lo) / (hi - lo);
    ta_buf_printf(b,
                  "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                  "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>",
                  L, L + PW, y, y, L - 4, y + 3, fabs(v) < ystep / 1e6 ? 0.0 : v);
  }
  /* x axis: round time steps. */
  const int32_t last = ps->steps > 1 ? ps->steps - 1 : 1;
  const int32_t xstep = (int32_t)nice_step(last, 5) > 0 ? (int32_t)nice_step(last, 5) : 1;
  for (int32_t t = 0; t <= last; t += xstep) {
    const double x = L + PW * t / last;
    ta_buf_printf(b,
                  "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                  "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>",
                  x, x, T + PH, T + PH + 4, x, T + PH + 14, t);
  }
  ta_buf_printf(
      b,
      "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">time step (sample index)</text>"
      "<text x=\"12\" y=\"%.0f\" text-anchor=\"middle\" transform=\"rotate(-90 12 %.0f)\">"
      "value (%s input)</text>",
      L + PW / 2, T + PH + 30, T + PH / 2, T + PH / 2,
      in->dtype == TA_DT_F32 ? "float" : ta_dtype_name(in->dtype));
  for (int32_t c = 0; c < ps->channels; c++) {
    ta_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"",
                  colors[c % 8]);
    for (int32_t t = 0; t < ps->steps; t++) {
      const int32_t i = ps->time_major ? t * ps->channels + c : c * ps->steps + t;
      const double v = record_value(in, rec, i);
      ta_buf_printf(b, "%.1f,%.1f ", L + PW * t / last, T + PH - PH * (v - lo) / (hi - lo));
    }
    ta_buf_puts(b, "\"/>");
    /* Legend above the plot: x, y, z for three channels (an accelerometer's axes). */
    const double lx = L + 4 + 52.0 * c;
    ta_buf_printf(b,
                  "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"12\" y2=\"12\" stroke=\"%s\" "
                  "stroke-width=\"2\"/><text x=\"%.0f\" y=\"15\">",
                  lx, lx + 14, colors[c % 8], lx + 18);
    if (ps->channels == 3)
      ta_buf_printf(b, "%c", "xyz"[c]);
    else
      ta_buf_printf(b, "ch %d", c);
    ta_buf_puts(b, "</text>");
  }
  /* Class scores: one bar each, scaled to the largest magnitude (to 1 for probabilities). */
  const float *sc = r->scores + (size_t)k * (size_t)r->n_classes;
  double smax = 0;
  bool probs = true;
  for (int32_t c = 0; c < r->n_classes; c++) {
    smax = fabs(sc[c]) > smax ? fabs(sc[c]) : smax;
    probs = probs && sc[c] >= 0 && sc[c] <= 1;
  }
  if (probs || !(smax > 0))
    smax = 1;
  const double sx = L + PW + 16;
  ta_buf_printf(b, "<text x=\"%.0f\" y=\"15\" font-weight=\"bold\">class scores</text>", sx);
  const int32_t shown = r->n_classes < 10 ? r->n_classes : 10;
  const double rh = PH / (shown > 4 ? shown : 4);
  for (int32_t c = 0; c < shown; c++) {
    const double y = T + rh * c;
    const bool pred = r->pred[k] == c, truth = r->labels[k] == c;
    ta_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\"%s>", sx, y + rh / 2 + 3,
                  pred ? " font-weight=\"bold\"" : "");
    char name[24];
    snprintf(name, sizeof name, "%.12s", r->names[c]);
    html_escape(b, name);
    ta_buf_printf(b,
                  "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                  "fill=\"%s\"/><text x=\"%.0f\" y=\"%.1f\">%.*f%s</text>",
                  sx + 62, y + 2, fmax(1.0, 64.0 * fabs(sc[c]) / smax), rh - 4,
                  pred ? (truth ? "#2e9f43" : "#d62728") : "#9ab", sx + 130, y + rh / 2 + 3,
                  probs ? 3 : 2, (double)sc[c], truth ? " \xe2\x9c\x93" : "");
  }
  ta_buf_puts(b, "</svg><figcaption>");
  html_escape(b, title);
  ta_buf_puts(b, "</figcaption></figure>\n");
}

/* The instructions of each op with code, as horizontal bars. */
static void layer_chart(ta_buf *b, const ta_eval_stats *r, const ta_model *m) {
  const ta_graph *g = m->g;
  uint64_t max = 0, sum = 0;
  int32_t rows = 0;
  for (int32_t i = 0; i < g->n_ops; i++) {
    if (m->calls[i].kernel < 0)
      continue;
    max = r->layer_insns[i] > max ? r->layer_insns[i] : max;
    sum += r->layer_insns[i];
    rows++;
  }
  const double LW = 190, BW = 470, RH = 18, T = 6;
  ta_buf_printf(b,
                "<svg id=\"layers\" width=\"%.0f\" height=\"%.0f\" font-size=\"11\" "
                "font-family=\"sans-serif\">",
                LW + BW + 150, T + RH * rows + 30);
  int32_t row = 0;
  char n1[32];
  for (int32_t i = 0; i < g->n_ops; i++) {
    if (m->calls[i].kernel < 0)
      continue;
    const double y = T + RH * row++, w = max ? BW * (double)r->layer_insns[i] / (double)max : 0;
    ta_buf_printf(b, "<g><title>op %d %s \"", i, ta_op_kind_name(g->ops[i].kind));
    html_escape(b, g->ops[i].name ? g->ops[i].name : "");
    ta_buf_printf(b,
                  "\"</title><text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%d %s</text>"
                  "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4e79a7\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\">%s (%.1f%%)</text></g>\n",
                  LW - 6, y + RH / 2 + 4, i, ta_op_kind_name(g->ops[i].kind), LW, y + 2,
                  w > 1 ? w : 1, RH - 4, LW + (w > 1 ? w : 1) + 4, y + RH / 2 + 4,
                  ta_report_commas(n1, sizeof n1, r->layer_insns[i]),
                  sum ? 100.0 * (double)r->layer_insns[i] / (double)sum : 0.0);
  }
  const double ay = T + RH * rows + 4;
  ta_buf_printf(b,
                "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">instructions per inference "
                "(bar: share of the largest layer)</text></svg>\n",
                LW, LW + BW, ay, ay, LW + BW / 2, ay + 16);
}

/* "2026-12-07 02:40 UTC", from $SOURCE_DATE_EPOCH when set (reproducible reports). */
static void put_date(ta_buf *b) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
  struct tm tm;
  char s[40] = "unknown date";
  if (gmtime_r(&t, &tm))
    strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", &tm);
  ta_buf_puts(b, s);
}

/* 2097152 -> "2 MiB", 65536 -> "64 KiB", else "1,000 bytes". */
static const char *size_str(char *buf, size_t cap, uint64_t v) {
  char c[32];
  if (v >= (1u << 20) && v % (1u << 20) == 0)
    snprintf(buf, cap, "%llu MiB", (unsigned long long)(v >> 20));
  else if (v >= 1024 && v % 1024 == 0)
    snprintf(buf, cap, "%llu KiB", (unsigned long long)(v >> 10));
  else
    snprintf(buf, cap, "%s bytes", ta_report_commas(c, sizeof c, v));
  return buf;
}

/* The budget verdict: one line, and a bar per budget. */
static void verdict(ta_buf *b, const ta_eval_stats *r, const ta_eval_html_info *h) {
  const bool fits = r->flash <= h->flash_budget && r->ram <= h->ram_budget;
  char f[32], m[32];
  ta_buf_printf(b, "<div id=\"verdict\" class=\"%s\"><b>%s</b> ", fits ? "yes" : "no",
                fits ? "Fits" : "Does not fit");
  if (h->part) {
    html_escape(b, h->part);
    ta_buf_puts(b, " ");
  }
  ta_buf_printf(b, "(budget: %s flash, %s RAM)", size_str(f, sizeof f, h->flash_budget),
                size_str(m, sizeof m, h->ram_budget));
  const struct {
    const char *what;
    uint64_t used, budget;
  } bars[] = {{"flash", r->flash, h->flash_budget}, {"RAM", r->ram, h->ram_budget}};
  ta_buf_puts(b, "<svg width=\"620\" height=\"52\" font-size=\"11\" font-family=\"sans-serif\">");
  for (int i = 0; i < 2; i++) {
    const double share = bars[i].budget ? (double)bars[i].used / (double)bars[i].budget : 0;
    const double y = 4 + 24.0 * i;
    ta_buf_printf(b,
                  "<text x=\"0\" y=\"%.0f\">%s</text><rect x=\"44\" y=\"%.0f\" width=\"400\" "
                  "height=\"16\" fill=\"#eee\" stroke=\"#bbb\"/><rect x=\"44\" y=\"%.0f\" "
                  "width=\"%.1f\" height=\"16\" fill=\"%s\"/><text x=\"452\" y=\"%.0f\">%s of "
                  "%s (%.0f%%)</text>",
                  y + 12, bars[i].what, y, y, 400 * (share < 1 ? share : 1),
                  share <= 1 ? "#2e9f43" : "#d62728", y + 12,
                  ta_report_commas(f, sizeof f, bars[i].used),
                  size_str(m, sizeof m, bars[i].budget), 100 * share);
  }
  ta_buf_puts(b, "</svg></div>\n");
}

void ta_report_eval_html(ta_buf *b, const ta_eval_stats *r, const ta_eval_html_info *h) {
  const ta_tensor *in = h->set->in;
  char n1[32], n2[32], n3[32];
  ta_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                 "tinyaot eval: ");
  html_escape(b, h->model);
  ta_buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
                 "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
                 "#ccc;padding:4px 8px;text-align:right}th{background:#f0f0f0}figure{display:"
                 "inline-block;margin:6px}figcaption{font-size:12px;text-align:center}"
                 ".note{color:#666;font-size:13px}#meta{color:#555;font-size:13px}"
                 "#meta code{word-break:break-all}#verdict{padding:8px 12px;margin:1em 0;"
                 "border-radius:4px}#verdict.yes{background:#e8f5ea}#verdict.no{background:"
                 "#fdecea}#verdict svg{display:block;margin-top:6px}</style></head><body>\n<h1>");
  html_escape(b, h->model);
  ta_buf_printf(b, " on %s</h1>\n<p id=\"meta\">tinyaot %s &middot; ",
                r->device ? r->board->core : "the host", TA_VERSION);
  put_date(b);
  ta_buf_puts(b, " &middot; <code>tinyaot");
  for (int i = 0; i < h->argc; i++) {
    ta_buf_puts(b, " ");
    html_escape(b, h->argv[i]);
  }
  ta_buf_printf(b, "</code></p>\n<p>%d records of <code>", r->n);
  html_escape(b, h->data_path);
  ta_buf_printf(b, "</code>; accuracy <b>%.1f%%</b> (%lld/%d)", 100.0 * (double)r->correct / r->n,
                (long long)r->correct, r->n);
  if (r->have_ref)
    ta_buf_printf(b,
                  "; reference outputs' accuracy %.1f%%; same predicted class on %lld of %d "
                  "records; %lld of %d outputs within tolerance (max |error| %.3g)",
                  100.0 * (double)r->ref_correct / r->n, (long long)r->agree, r->n,
                  (long long)r->within, r->n, r->max_err);
  ta_buf_puts(b, ".</p>\n");
  if (r->device)
    verdict(b, r, h);
  ta_buf_puts(b, "<h2>Confusion matrix</h2><p class=\"note\">Rows: true class; columns: "
                 "predicted class.</p><table id=\"confusion\"><tr><th></th>");
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
  ta_buf_puts(b, "</table>\n<h2>Cost</h2><table id=\"cost\">");
  if (r->device) {
    uint64_t mean = r->insn_sum / (uint64_t)r->n;
    const double hz = r->clock_hz ? r->clock_hz : r->board->clock_hz;
    ta_buf_printf(b, "<tr><th>instructions per inference</th><td>%s (min %s, max %s)</td></tr>",
                  ta_report_commas(n1, sizeof n1, mean),
                  ta_report_commas(n2, sizeof n2, r->insn_min),
                  ta_report_commas(n3, sizeof n3, r->insn_max));
    ta_buf_printf(b,
                  "<tr><th>at %s%.0f MHz%s</th><td>%.2f ms (instructions / clock, not a "
                  "measured time)</td></tr>",
                  r->clock_hz ? "" : "the ", hz / 1e6, r->clock_hz ? "" : " reference clock",
                  (double)mean * 1e3 / hz);
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
  ta_buf_puts(b, "</table>\n<h2>Instructions per layer</h2>\n");
  if (r->layer_insns && h->m) {
    ta_buf_printf(b,
                  "<p class=\"note\">One run of record 0 with the per-layer timer on, on %s "
                  "(QEMU, instructions counted exactly; resolution one timer tick). Ops are "
                  "numbered as in <code>tinyaot inspect</code> and the profile hook; hover a "
                  "bar for the model's node name.</p>\n",
                  r->board->core);
    layer_chart(b, r, h->m);
  } else {
    ta_buf_puts(b, "<p class=\"note\">Measured on a board only (<code>--target "
                   "cortex-m4</code>, ...).</p>\n");
  }
  if (h->m) {
    ta_buf_puts(b, "<h2>Memory plan</h2><p class=\"note\">Where each tensor lives in the arena "
                   "(y) while the ops in execution order (x) run, and the bytes live during "
                   "each op.</p>\n<div id=\"plan\">");
    ta_plan_svg(h->m->g, h->m->calls, &h->m->plan, b);
    ta_buf_puts(b, "</div>\n");
  }
  ta_buf_puts(b, "<h2>Some records</h2><p class=\"note\">The first records of each class, then a "
                 "few the model got wrong: the values fed to the model over time, one line per "
                 "channel, and the class scores it gave them (&#10003;: the true class; bold: "
                 "the predicted one, green when right).</p>\n<div id=\"records\">\n");
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
  plot_shape ps;
  ps.time_major = h->layout ? strcmp(h->layout, "TxC") == 0 : last <= first;
  ps.channels = ps.time_major ? last : first;
  if (ps.channels < 1 || ps.channels > 8 || (size_t)ps.channels > elems)
    ps.channels = 1;
  ps.steps = (int32_t)(elems / (size_t)ps.channels);
  const uint8_t *data = h->set->data;
  const size_t in_bytes = h->set->in_bytes;
  for (int32_t c = 0; c < r->n_classes; c++) {
    int32_t shown = 0;
    for (int32_t k = 0; k < r->n && shown < 2; k++) {
      if (r->labels[k] != c)
        continue;
      char title[256];
      snprintf(title, sizeof title, "record %d: true %s, predicted %s", k, r->names[c],
               r->names[r->pred[k]]);
      svg_record(b, r, in, data + (size_t)k * in_bytes, &ps, k, title);
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
    svg_record(b, r, in, data + (size_t)k * in_bytes, &ps, k, title);
    wrong++;
  }
  ta_buf_puts(b, "</div>\n<p class=\"note\">Made by tinyaot eval.</p></body></html>\n");
}

ta_status ta_report_eval_html_write(ta_ctx *ctx, const char *path, const ta_eval_stats *r,
                                    const ta_eval_html_info *h) {
  ta_buf b;
  ta_buf_init(&b, ctx);
  ta_report_eval_html(&b, r, h);
  const ta_status st = b.ok ? ta_write_file(ctx, path, b.data, b.len) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  return st;
}
