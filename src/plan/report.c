/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: the memory plan for people: a table with an ASCII timeline, and an SVG picture
 * (x: op index, y: arena offset, one labelled rectangle per buffer), because a plan is read
 * faster as a picture.
 */
#include "ta_plan.h"

#include <stdio.h>
#include <string.h>

typedef struct row {
  int32_t tensor; /* storage root, or -1 for scratch */
  int32_t op;     /* scratch owner */
  int32_t first, last;
  int64_t offset;
  size_t bytes;
} row;

static int32_t collect(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan,
                       row *rows) {
  int32_t n = 0;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    /* The arena's buffers only: a backend pool's are listed by inspect per pool. */
    if (plan->root[t] != t || plan->tensor_offset[t] < 0 ||
        (plan->tensor_pool && plan->tensor_pool[t] >= 0))
      continue;
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[t], &bytes);
    int32_t f = plan->first_op[t] < 0 ? 0 : plan->first_op[t];
    int32_t l = plan->last_op[t] >= g->n_ops ? g->n_ops - 1 : plan->last_op[t];
    rows[n++] = (row){t, -1, f, l < f ? f : l, plan->tensor_offset[t], bytes};
  }
  for (int32_t i = 0; i < g->n_ops; i++)
    if (plan->scratch_offset[i] >= 0)
      rows[n++] = (row){-1, i, i, i, plan->scratch_offset[i], calls[i].scratch_bytes};
  /* By offset, then by first op: reads top-down like the SVG. */
  for (int32_t i = 1; i < n; i++)
    for (int32_t j = i;
         j > 0 && (rows[j].offset < rows[j - 1].offset ||
                   (rows[j].offset == rows[j - 1].offset && rows[j].first < rows[j - 1].first));
         j--) {
      row tmp = rows[j];
      rows[j] = rows[j - 1];
      rows[j - 1] = tmp;
    }
  return n;
}

/* Names of every tensor sharing storage root r ("a = b = c"). */
static void put_members(const ta_graph *g, const ta_plan *plan, int32_t r, ta_buf *out,
                        size_t max) {
  size_t start = out->len;
  bool firstm = true;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (plan->root[t] != r)
      continue;
    ta_buf_printf(out, "%s%s", firstm ? "" : " = ", g->tensors[t].name);
    firstm = false;
    if (out->ok && out->len - start > max) {
      out->len = start + max;
      out->data[out->len] = '\0';
      ta_buf_puts(out, "...");
      break;
    }
  }
}

void ta_plan_print(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan,
                   ta_buf *out) {
  row *rows = ta_new_array(g->ctx, (size_t)(g->n_tensors + g->n_ops + 1), sizeof(row));
  if (!rows)
    return;
  int32_t n = collect(g, calls, plan, rows);
  ta_buf_printf(out,
                "memory plan: arena %zu bytes, lower bound %zu for this op order; alignment %zu; "
                "inputs/outputs %s\n",
                plan->arena_bytes, plan->lower_bound_bytes, plan->opt.alignment,
                plan->opt.io_in_arena ? "in the arena" : "in caller buffers (not in the arena)");
  ta_buf_printf(out, "placement: %s; %d op%s in place, %d RESHAPE view%s; op order %s\n\n",
                plan->strategy ? plan->strategy : "-", plan->n_inplace,
                plan->n_inplace == 1 ? "" : "s", plan->n_aliased, plan->n_aliased == 1 ? "" : "s",
                plan->reordered ? "changed to lower the peak" : "as in the model");
  ta_buf_printf(out, "%4s  %-9s  %9s  %9s  %s\n", "buf", "ops", "offset", "bytes", "tensors");
  for (int32_t i = 0; i < n; i++) {
    char ops[32];
    snprintf(ops, sizeof ops, "%d..%d", rows[i].first, rows[i].last);
    ta_buf_printf(out, "%4d  %-9s  %9lld  %9zu  ", i, ops, (long long)rows[i].offset,
                  rows[i].bytes);
    if (rows[i].tensor >= 0)
      put_members(g, plan, rows[i].tensor, out, 100);
    else
      ta_buf_printf(out, "(scratch of op %d %s)", rows[i].op,
                    ta_op_kind_name(g->ops[rows[i].op].kind));
    ta_buf_puts(out, "\n");
  }
  /* Timeline: one column per op (at most 100 shown), '#' where the buffer is live. */
  int32_t cols = g->n_ops < 100 ? g->n_ops : 100;
  ta_buf_puts(out, "\ntimeline (columns: ops 0..");
  ta_buf_printf(out, "%d; '#' live)\n", cols - 1);
  for (int32_t i = 0; i < n; i++) {
    ta_buf_printf(out, "%4d  |", i);
    for (int32_t c = 0; c < cols; c++)
      ta_buf_puts(out, (c >= rows[i].first && c <= rows[i].last) ? "#" : ".");
    ta_buf_printf(out, "|  %zu\n", rows[i].bytes);
  }
  ta_buf_puts(out, "       ");
  for (int32_t c = 0; c < cols; c++) {
    size_t live = 0;
    for (int32_t i = 0; i < n; i++)
      if (c >= rows[i].first && c <= rows[i].last)
        live += rows[i].bytes;
    ta_buf_puts(out, live == plan->lower_bound_bytes ? "^" : " ");
  }
  ta_buf_puts(out, "   ^ = the peak\n");
}

static void xml_text(ta_buf *out, const char *s, size_t max) {
  for (size_t i = 0; s[i] && i < max; i++) {
    switch (s[i]) {
    case '<': ta_buf_puts(out, "&lt;"); break;
    case '>': ta_buf_puts(out, "&gt;"); break;
    case '&': ta_buf_puts(out, "&amp;"); break;
    case '"': ta_buf_puts(out, "&quot;"); break;
    default: ta_buf_append(out, s + i, 1);
    }
  }
}

/* "12,288" into buf. */
static const char *commas(char *buf, size_t cap, uint64_t v) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
  size_t o = 0;
  for (int i = 0; i < n && o + 2 < cap; i++) {
    if (i && (n - i) % 3 == 0)
      buf[o++] = ',';
    buf[o++] = tmp[i];
  }
  buf[o] = '\0';
  return buf;
}

/* A round tick step for an axis up to max: 1, 2 or 5 times a power of ten of unit, giving at
 * most about 6 ticks. */
static uint64_t tick_step(uint64_t max, uint64_t unit) {
  uint64_t span = max / unit, step = 1;
  for (;;) {
    for (int k = 0; k < 3; k++) {
      uint64_t s = step * (uint64_t[]){1, 2, 5}[k];
      if (span / s <= 6)
        return s * unit;
    }
    step *= 10;
  }
}

/* A tick label: "4 KiB" when the axis counts KiB, else "1,500". */
static const char *tick_label(char *buf, size_t cap, uint64_t v, uint64_t unit) {
  if (unit == 1024) {
    char c[32];
    if (snprintf(buf, cap, "%s KiB", commas(c, sizeof c, v / 1024)) >= (int)cap)
      commas(buf, cap, v / 1024); /* no room for the unit: the number alone */
  } else {
    commas(buf, cap, v);
  }
  return buf;
}

/* What a buffer is, for its label: "op 3 CONV_2D" (the op writing it), "input", "scratch 1". */
static void row_label(const ta_graph *g, const row *r, char *buf, size_t cap, bool shorter) {
  if (r->tensor < 0) {
    snprintf(buf, cap, shorter ? "s%d" : "scratch %d", r->op);
    return;
  }
  const int32_t p = g->tensors[r->tensor].producer;
  if (p < 0)
    snprintf(buf, cap, "input");
  else if (shorter)
    snprintf(buf, cap, "%d", p);
  else
    snprintf(buf, cap, "op %d %s", p, ta_op_kind_name(g->ops[p].kind));
}

/* Layout: the title and a subtitle; the plan (x: ops in execution order, one column each; y:
 * arena offset, round ticks); under it the bytes live during each op with the peak marked, on
 * the same x; the op axis; a legend. Every rectangle has a tooltip with its tensors' names. */
void ta_plan_svg(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan, ta_buf *out) {
  row *rows = ta_new_array(g->ctx, (size_t)(g->n_tensors + g->n_ops + 1), sizeof(row));
  uint64_t *live = ta_new_array(g->ctx, (size_t)g->n_ops + 1, sizeof(uint64_t));
  if (!rows || !live)
    return;
  int32_t n = collect(g, calls, plan, rows);
  const int32_t n_ops = g->n_ops > 0 ? g->n_ops : 1;
  const double cw = g->n_ops > 100 ? 6.0 : g->n_ops > 40 ? 12.0 : g->n_ops > 20 ? 28.0 : 48.0;
  const double left = 78, top = 58, plot_h = 420, live_h = 100, gap = 34;
  const double plot_w = cw * n_ops;
  const double live_top = top + plot_h + gap, axis_y = live_top + live_h;
  char title[160], sub[200], a[32], b2[32];
  snprintf(title, sizeof title, "Memory plan: arena %s bytes, %d ops",
           commas(a, sizeof a, plan->arena_bytes), g->n_ops);
  snprintf(sub, sizeof sub,
           "lower bound %s bytes for this op order; alignment %zu; inputs/outputs %s",
           commas(b2, sizeof b2, plan->lower_bound_bytes), plan->opt.alignment,
           plan->opt.io_in_arena ? "in the arena" : "in caller buffers");
  /* Wide enough for the subtitle (about 6.5 px per character at 12 px) and the legend. */
  double width = left + plot_w + 24;
  const double text_w = left + 6.5 * (double)strlen(sub) + 24;
  if (width < text_w)
    width = text_w;
  if (width < 640)
    width = 640;
  const double height = axis_y + 92;
  ta_buf_printf(out,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                width, height, width, height);
  ta_buf_printf(out, "<text x=\"%.0f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", left);
  xml_text(out, title, sizeof title);
  ta_buf_printf(out, "</text>\n<text x=\"%.0f\" y=\"40\" font-size=\"12\" fill=\"#555\">", left);
  xml_text(out, sub, sizeof sub);
  ta_buf_puts(out, "</text>\n");
  ta_buf_printf(out,
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f6f6f6\" "
                "stroke=\"#888\"/>\n",
                left, top, plot_w, plot_h);
  /* y ticks: round numbers of bytes, or of KiB from 2 KiB on. */
  const uint64_t arena = plan->arena_bytes ? plan->arena_bytes : 1;
  const uint64_t unit = arena >= 2048 ? 1024 : 1;
  const uint64_t step = tick_step(arena, unit);
  const double scale = plot_h / (double)arena;
  for (uint64_t v = 0; v <= arena; v += step) {
    const double y = top + scale * (double)v;
    ta_buf_printf(out,
                  "<line x1=\"%.0f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                  left, left + plot_w, y, y, left - 5, y + 4, tick_label(a, sizeof a, v, unit));
  }
  ta_buf_printf(out,
                "<text x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\" "
                "text-anchor=\"middle\">arena offset (%s)</text>\n",
                top + plot_h / 2, top + plot_h / 2, unit == 1024 ? "KiB" : "bytes");
  static const char *const colors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                       "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  for (int32_t i = 0; i < n; i++) {
    /* Tiny buffers stay visible: at least 3 px high. */
    double x = left + cw * rows[i].first, w = cw * (rows[i].last - rows[i].first + 1);
    double y = top + scale * (double)rows[i].offset, h = scale * (double)rows[i].bytes;
    if (h < 3)
      h = 3;
    if (y + h > top + plot_h)
      y = top + plot_h - h;
    const char *fill = rows[i].tensor < 0 ? "#aaaaaa" : colors[i % 8];
    ta_buf_printf(out,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                  "fill-opacity=\"0.85\" stroke=\"#333\" stroke-width=\"0.5\"><title>",
                  x + 0.5, y, w - 1, h, fill);
    char label[64];
    row_label(g, &rows[i], label, sizeof label, false);
    xml_text(out, label, sizeof label);
    ta_buf_puts(out, ": ");
    if (rows[i].tensor >= 0)
      xml_text(out, g->tensors[rows[i].tensor].name, 200);
    else
      ta_buf_printf(out, "scratch of op %d %s", rows[i].op,
                    ta_op_kind_name(g->ops[rows[i].op].kind));
    ta_buf_printf(out, "; live ops %d..%d, offset %lld, %zu bytes</title></rect>\n", rows[i].first,
                  rows[i].last, (long long)rows[i].offset, rows[i].bytes);
    /* The label on one line when it fits (about 6 px per character at 10 px), else "op N"
     * over the type when the box is tall enough, else the index alone, else none. */
    if (h >= 13) {
      const char *type = NULL;
      char first[24];
      if (6.0 * (double)strlen(label) + 4 > w) {
        if (rows[i].tensor < 0 || g->tensors[rows[i].tensor].producer < 0 || h < 26) {
          row_label(g, &rows[i], label, sizeof label, true);
        } else {
          const int32_t p = g->tensors[rows[i].tensor].producer;
          snprintf(first, sizeof first, "op %d", p);
          type = ta_op_kind_name(g->ops[p].kind);
          snprintf(label, sizeof label, "%s", first);
          if (6.0 * (double)strlen(type) + 4 > w)
            type = NULL;
        }
      }
      if (6.0 * (double)strlen(label) + 4 <= w) {
        ta_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"white\">", x + 3,
                      y + 11);
        xml_text(out, label, sizeof label);
        ta_buf_puts(out, "</text>\n");
        if (type) {
          ta_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"white\">", x + 3,
                        y + 23);
          xml_text(out, type, 32);
          ta_buf_puts(out, "</text>\n");
        }
      }
    }
  }
  /* Bytes live during each op (its inputs, outputs and scratch included), the peak marked. */
  uint64_t peak = 0;
  int32_t peak_op = 0;
  for (int32_t c = 0; c < g->n_ops; c++) {
    for (int32_t i = 0; i < n; i++)
      if (c >= rows[i].first && c <= rows[i].last)
        live[c] += rows[i].bytes;
    if (live[c] > peak)
      peak = live[c], peak_op = c;
  }
  const double lscale = live_h / (double)(peak ? peak : 1);
  ta_buf_printf(out,
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbfbfb\" "
                "stroke=\"#888\"/>\n<text x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\" "
                "text-anchor=\"middle\">live bytes</text>\n",
                left, live_top, plot_w, live_h, live_top + live_h / 2, live_top + live_h / 2);
  ta_buf_printf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 5,
                live_top + 4, tick_label(a, sizeof a, peak, 1));
  ta_buf_printf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">0</text>\n", left - 5,
                live_top + live_h + 4);
  ta_buf_puts(out, "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"");
  for (int32_t c = 0; c < g->n_ops; c++) {
    const double y = live_top + live_h - lscale * (double)live[c];
    ta_buf_printf(out, "%.1f,%.1f %.1f,%.1f ", left + cw * c, y, left + cw * (c + 1), y);
  }
  ta_buf_puts(out, "\"/>\n");
  const double px = left + cw * peak_op + cw / 2, py = live_top + live_h - lscale * (double)peak;
  ta_buf_printf(out,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#c0392b\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-weight=\"bold\" "
                "fill=\"#c0392b\">peak %s bytes at op %d</text>\n",
                px, py, px + (peak_op > g->n_ops / 2 ? 6.0 : -6.0), live_top - 6,
                peak_op > g->n_ops / 2 ? "end" : "start", commas(b2, sizeof b2, peak), peak_op);
  /* The op axis: every op's index when the columns are wide enough, else every 5th or 10th. */
  const int32_t every = cw >= 20 ? 1 : cw >= 12 ? 5 : 10;
  for (int32_t i = 0; i < g->n_ops; i += every)
    ta_buf_printf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>\n",
                  left + cw * i + cw / 2, axis_y + 14, i);
  ta_buf_printf(out,
                "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">op index (execution order)"
                "</text>\n",
                left + plot_w / 2, axis_y + 32);
  /* Legend. */
  const double ly = axis_y + 56;
  ta_buf_printf(out,
                "<g font-size=\"11\"><rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" "
                "fill=\"#4e79a7\"/><text x=\"%.0f\" y=\"%.0f\">tensor: written by op N (label), "
                "live over the ops it spans</text>\n",
                left, ly - 9, left + 20, ly);
  ta_buf_printf(out,
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" fill=\"#aaaaaa\"/>"
                "<text x=\"%.0f\" y=\"%.0f\">kernel scratch of op N</text>\n",
                left, ly + 7, left + 20, ly + 16);
  ta_buf_printf(out,
                "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#c0392b\" "
                "stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\">bytes live during the op "
                "(hover a box for its tensors)</text></g>\n</svg>\n",
                left, left + 14, ly + 28, ly + 28, left + 20, ly + 32);
}
