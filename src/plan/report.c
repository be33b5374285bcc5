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
      ta_buf_printf(out, "(scratch of op %d %s)", g->ops[rows[i].op].src_index,
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

void ta_plan_svg(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan, ta_buf *out) {
  row *rows = ta_new_array(g->ctx, (size_t)(g->n_tensors + g->n_ops + 1), sizeof(row));
  if (!rows)
    return;
  int32_t n = collect(g, calls, plan, rows);
  const double left = 80, top = 40, plot_h = 480;
  double cw = g->n_ops > 0 ? (g->n_ops > 60 ? 12.0 : 24.0) : 24.0;
  double plot_w = cw * (g->n_ops > 0 ? g->n_ops : 1);
  double scale = plan->arena_bytes ? plot_h / (double)plan->arena_bytes : 1.0;
  ta_buf_printf(out,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                "font-family=\"sans-serif\" font-size=\"10\">\n",
                left + plot_w + 20, top + plot_h + 50);
  ta_buf_printf(out,
                "<text x=\"%.0f\" y=\"20\" font-size=\"13\">memory plan: arena %zu bytes "
                "(lower bound %zu), %d ops</text>\n",
                left, plan->arena_bytes, plan->lower_bound_bytes, g->n_ops);
  ta_buf_printf(out,
                "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f4f4f4\" "
                "stroke=\"#888\"/>\n",
                left, top, plot_w, plot_h);
  static const char *const colors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                       "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  for (int32_t i = 0; i < n; i++) {
    double x = left + cw * rows[i].first, w = cw * (rows[i].last - rows[i].first + 1);
    double y = top + scale * (double)rows[i].offset, h = scale * (double)rows[i].bytes;
    if (h < 1)
      h = 1;
    const char *fill = rows[i].tensor < 0 ? "#bbbbbb" : colors[i % 8];
    ta_buf_printf(out,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                  "fill-opacity=\"0.85\" stroke=\"#333\" stroke-width=\"0.5\"><title>",
                  x, y, w, h, fill);
    if (rows[i].tensor >= 0)
      xml_text(out, g->tensors[rows[i].tensor].name, 200);
    else
      ta_buf_printf(out, "scratch of op %d", g->ops[rows[i].op].src_index);
    ta_buf_printf(out, ": ops %d..%d, offset %lld, %zu bytes</title></rect>\n", rows[i].first,
                  rows[i].last, (long long)rows[i].offset, rows[i].bytes);
    if (h >= 11 && w >= 30) {
      ta_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"white\">", x + 2, y + 10);
      if (rows[i].tensor >= 0) {
        /* Converter names are long ("a/b/Relu;a/c/BiasAdd"): show the end of the first one,
         * which names the layer's last step. */
        const char *name = g->tensors[rows[i].tensor].name;
        size_t len = strcspn(name, ";"), room = (size_t)(w / 6);
        if (len > room) {
          name += len - room;
          len = room;
        }
        xml_text(out, name, len);
      } else
        ta_buf_puts(out, "scratch");
      ta_buf_puts(out, "</text>\n");
    }
  }
  for (int32_t i = 0; i < g->n_ops; i += (g->n_ops > 30 ? 5 : 1))
    ta_buf_printf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>\n",
                  left + cw * i + cw / 2, top + plot_h + 14, i);
  ta_buf_printf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">op index</text>\n",
                left + plot_w / 2, top + plot_h + 32);
  for (int32_t k = 0; k <= 4; k++) {
    double off = (double)plan->arena_bytes * k / 4.0;
    ta_buf_printf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n", left - 4,
                  top + plot_h * k / 4.0 + 3, off);
  }
  ta_buf_printf(out,
                "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
                "text-anchor=\"middle\">arena offset (bytes)</text>\n</svg>\n",
                top + plot_h / 2, top + plot_h / 2);
}
