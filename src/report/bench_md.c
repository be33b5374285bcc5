/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_md.c: the benchmark suite's reports: BENCHMARKS.md (tinyaot's instructions, flash and
 * RAM per model and core, next to TensorFlow Lite Micro's figures from an anchors table) and
 * an SVG bar chart of the instruction counts.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ta_config.h"
#include "ta_report.h"

const char *ta_report_commas(char *buf, size_t cap, uint64_t v) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
  size_t o = 0;
  for (int i = 0; i < n && o + 2 < cap; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      buf[o++] = ',';
    buf[o++] = tmp[i];
  }
  buf[o] = '\0';
  return buf;
}

/* TensorFlow Lite Micro figures of one model, from the anchors table. 0: absent. */

static uint64_t parse_num(const char *s) {
  uint64_t v = 0;
  bool any = false;
  for (; *s && *s != '/' && *s != '|'; s++) {
    if (*s >= '0' && *s <= '9') {
      v = v * 10 + (uint64_t)(*s - '0');
      any = true;
    } else if (*s != ',' && *s != ' ') {
      break;
    }
  }
  return any ? v : 0;
}

/* Cells of a Markdown table row: up to max, trimmed, in buf. */
static int split_row(const char *line, char cells[][96], int max) {
  int n = 0;
  const char *p = strchr(line, '|');
  while (p && n < max) {
    const char *q = strchr(p + 1, '|');
    if (!q)
      break;
    const char *a = p + 1, *e = q;
    while (a < e && *a == ' ')
      a++;
    while (e > a && e[-1] == ' ')
      e--;
    size_t len = (size_t)(e - a) < 95 ? (size_t)(e - a) : 95;
    memcpy(cells[n], a, len);
    cells[n][len] = '\0';
    n++;
    p = q;
  }
  return n;
}

static void parse_triple(const char *s, uint64_t out[3]) {
  for (int i = 0; i < 3; i++) {
    out[i] = parse_num(s);
    s = strchr(s, '/');
    if (!s)
      break;
    s++;
  }
}

ta_anchor_row ta_anchor_find(const ta_anchors *an, const char *model) {
  ta_anchor_row r = {0};
  if (!an->loaded)
    return r;
  /* Column positions from the header row that starts with "| model |". */
  const char *hdr = strstr(an->text, "| model |");
  if (!hdr)
    return r;
  char cells[12][96];
  int nh = split_row(hdr, cells, 12);
  int c_arena = -1, c_m4r = -1, c_m4c = -1, c_m7 = -1, c_m33 = -1, c_fwr = -1, c_fwc = -1;
  for (int i = 0; i < nh; i++) {
    const char *h = cells[i];
    if (strstr(h, "arena"))
      c_arena = i;
    else if (strstr(h, "M4") && strstr(h, "reference"))
      c_m4r = i;
    else if (strstr(h, "M4") && strstr(h, "CMSIS"))
      c_m4c = i;
    else if (strstr(h, "M7"))
      c_m7 = i;
    else if (strstr(h, "M33"))
      c_m33 = i;
    else if (strstr(h, "firmware") && strstr(h, "ref"))
      c_fwr = i;
    else if (strstr(h, "firmware") && strstr(h, "CMSIS"))
      c_fwc = i;
  }
  for (const char *line = hdr; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (line[0] != '|') {
      if (line != hdr)
        break;
      continue;
    }
    int n = split_row(line, cells, 12);
    if (n < 2 || strcmp(cells[0], model) != 0)
      continue;
    r.found = true;
    if (c_arena >= 0 && c_arena < n) {
      r.arena_ref = parse_num(cells[c_arena]);
      const char *sl = strchr(cells[c_arena], '/');
      r.arena_cmsis = sl ? parse_num(sl + 1) : 0;
    }
    if (c_m4r >= 0 && c_m4r < n)
      r.m4_ref = parse_num(cells[c_m4r]);
    if (c_m4c >= 0 && c_m4c < n)
      r.m4_cmsis = parse_num(cells[c_m4c]);
    if (c_m7 >= 0 && c_m7 < n)
      r.m7_cmsis = parse_num(cells[c_m7]);
    if (c_m33 >= 0 && c_m33 < n)
      r.m33_cmsis = parse_num(cells[c_m33]);
    if (c_fwr >= 0 && c_fwr < n)
      parse_triple(cells[c_fwr], r.fw_ref);
    if (c_fwc >= 0 && c_fwc < n)
      parse_triple(cells[c_fwc], r.fw_cmsis);
    break;
  }
  return r;
}

void ta_anchors_load(ta_ctx *ctx, const char *path, ta_anchors *an) {
  memset(an, 0, sizeof *an);
  if (!path)
    return;
  uint8_t *d;
  size_t n;
  if (ta_read_file(ctx, path, &d, &n) != TA_OK)
    return;
  an->text = (const char *)d;
  an->loaded = true;
  an->path = path;
  const char *p = strstr(an->text, "without the model is text");
  if (p) {
    p += strlen("without the model is text");
    an->base_text = parse_num(p);
    const char *q = strstr(p, "data");
    if (q)
      an->base_data = parse_num(q + 4);
  }
}

static uint64_t anchor_cmsis(const ta_anchor_row *a, const char *target) {
  if (strcmp(target, "cortex-m4") == 0)
    return a->m4_cmsis;
  if (strcmp(target, "cortex-m7") == 0)
    return a->m7_cmsis;
  if (strcmp(target, "cortex-m33") == 0)
    return a->m33_cmsis;
  return 0;
}

static const char *num_or_dash(char *buf, size_t cap, uint64_t v) {
  return v ? ta_report_commas(buf, cap, v) : "—";
}

const char *ta_report_compare_label(ta_ctx *ctx, const char *backend) {
  if (strcmp(backend, "cmsis-nn") == 0)
    return "CMSIS-NN kernels";
  return ta_fmt(ctx, "backend %s", backend);
}

/* The comparison cells of a row, " NUMBER | RATIO |" (or " a | b |" for flash), put after
 * tinyaot's own cell; "" without a comparison, so the table is what it was. */
static const char *cmp_cells(char *buf, size_t cap, const char *compare, const char *v,
                             const char *ratio) {
  if (!compare)
    return "";
  snprintf(buf, cap, " %s | %s |", v, ratio);
  return buf;
}

/* A failed row's cell: where its messages are. */
static const char *failed_cell(char *buf, size_t cap, const ta_bench_row *r) {
  if (r->log)
    snprintf(buf, cap, "failed (log: `%s`)", r->log);
  else
    snprintf(buf, cap, "failed");
  return buf;
}

/* Per layer, on the first core of the suite (the profiled run: each op timed alone, so the
 * sum of a table's rows may differ from the whole-run count by the ticks' rounding). The
 * first model's table is open, the others folded. */
static void bench_md_layers(ta_buf *b, const ta_bench_row *rows, int32_t n, const char *compare) {
  const ta_board *first = n > 0 ? rows[0].board : NULL;
  bool any = false;
  for (int32_t i = 0; i < n; i++) {
    const ta_bench_row *r = &rows[i];
    if (r->board != first || !r->ok || r->n_layers == 0)
      continue;
    if (!any)
      ta_buf_printf(b,
                    "\n## Per layer on the %s\n\n"
                    "Instructions of each operator, from a run with per-layer timing (one tick "
                    "of the timer is the resolution of each row). \"variant\" is the kernel "
                    "variant the schedule stage chose (`tinyaot inspect` shows why).%s\n",
                    first->core,
                    compare ? " The comparison column is the same operator in the comparison "
                              "build (a backend's name in parentheses where it ran the op)."
                            : "");
    if (any)
      ta_buf_printf(b, "\n<details><summary>%s</summary>\n\n", r->model);
    else
      ta_buf_printf(b, "\n### %s\n\n", r->model);
    ta_buf_puts(b, "| op | type | variant | MACs | tinyaot |");
    if (compare)
      ta_buf_printf(b, " %s | tinyaot / %s |", compare, compare);
    ta_buf_puts(b, " MACs per instruction |\n|---:|---|---|---:|---:|");
    if (compare)
      ta_buf_puts(b, "---:|---:|");
    ta_buf_puts(b, "---:|\n");
    for (int32_t k = 0; k < r->n_layers; k++) {
      const ta_bench_layer *l = &r->layers[k];
      char m[32] = "—", ins[32], mpi[16] = "—", cv[96] = "—", cr[16] = "—";
      if (l->macs)
        ta_report_commas(m, sizeof m, l->macs);
      ta_report_commas(ins, sizeof ins, l->instructions);
      if (l->macs && l->instructions)
        snprintf(mpi, sizeof mpi, "%.3f", (double)l->macs / (double)l->instructions);
      if (l->cmp_instructions) {
        char c[32];
        ta_report_commas(c, sizeof c, l->cmp_instructions);
        if (l->cmp_backend && strcmp(l->cmp_backend, "cpu") != 0)
          snprintf(cv, sizeof cv, "%s (%s)", c, l->cmp_backend);
        else
          snprintf(cv, sizeof cv, "%s", c);
        snprintf(cr, sizeof cr, "%.2fx", (double)l->instructions / (double)l->cmp_instructions);
      }
      ta_buf_printf(b, "| %d | %s | %s | %s | %s |", l->index, l->type, l->variant, m, ins);
      if (compare)
        ta_buf_printf(b, " %s | %s |", cv, cr);
      ta_buf_printf(b, " %s |\n", mpi);
    }
    if (any)
      ta_buf_puts(b, "\n</details>\n");
    any = true;
  }
}

void ta_report_bench_md(ta_buf *b, const ta_bench_row *rows, int32_t n, const ta_anchors *an,
                        const char *cmdline, const char *toolversions, const char *compare,
                        const char *svg) {
  char x[32], y[32], z[32], w[32], cc[96], fl[600];
  /* Without anchors the report says nothing of TFLM: no column of dashes, no sentence on
   * figures that are not there. */
  const bool tflm = an->loaded;
  ta_buf_printf(
      b,
      "# Benchmarks\n\n"
      "Made with tinyaot %s by\n\n    %s\n\n"
      "%s"
      "Every figure below comes from running the firmware tinyaot builds for each model on QEMU's "
      "model of the board (input: the `xorshift` case of the reference vectors). Instructions "
      "are guest instructions executed by one call of the model's run function, counted exactly "
      "and repeatably: QEMU runs with `-icount shift=0` (its virtual clock advances 1 ns per "
      "instruction) and the board's CMSDK timer, restarted just before the call, ticks once "
      "every 40 instructions (AN505: 50); the count is ticks x 40, with a resolution of one "
      "tick. Every run that did not fail was done twice and gave the same count, and its outputs "
      "were bit-identical to the host build of the same generated code. The per-layer figures "
      "behind these totals come from `tinyaot bench MODEL --target T`.\n\n",
      TA_VERSION, cmdline, toolversions);
  if (tflm)
    ta_buf_printf(b,
                  "The TensorFlow Lite Micro figures are from `%s` (TFLM release build on the "
                  "same QEMU boards, counted with a TCG plugin, which agrees with ticks x 40 "
                  "within one tick). Ratios compare instruction counts: above 1, tinyaot "
                  "executes more instructions than TFLM for the same inference; below 1, "
                  "fewer.\n\n",
                  an->path ? an->path : "the anchors file");
  if (compare)
    ta_buf_printf(
        b,
        "\"%s, same harness\" is the same model built by tinyaot with that backend (the "
        "operators it takes call its kernels through tinyaot's adapters, the others stay on "
        "tinyaot's own), measured in this run on the same board, input and harness as the "
        "tinyaot column. Its host build's outputs were byte-identical to tinyaot's, and its "
        "board outputs to its host build's. \"tinyaot / %s\" divides tinyaot's count by it: "
        "below 1, tinyaot's kernels execute fewer instructions.\n\n",
        compare, compare);
  ta_buf_puts(b, "## Instructions per inference\n\n"
                 "| model | core | tinyaot |");
  if (compare)
    ta_buf_printf(b, " %s, same harness | tinyaot / %s |", compare, compare);
  if (tflm)
    ta_buf_puts(b, " TFLM reference kernels | TFLM + CMSIS-NN | tinyaot / TFLM ref | "
                   "tinyaot / CMSIS-NN |");
  ta_buf_puts(b, " MACs per instruction (tinyaot) |\n|---|---|---:|");
  if (compare)
    ta_buf_puts(b, "---:|---:|");
  ta_buf_puts(b, tflm ? "---:|---:|---:|---:|---:|\n" : "---:|\n");
  for (int32_t i = 0; i < n; i++) {
    const ta_bench_row *r = &rows[i];
    char cv[32] = "failed", cr[16] = "—";
    if (r->cmp_ok) {
      ta_report_commas(cv, sizeof cv, r->cmp_instructions);
      if (r->ok)
        snprintf(cr, sizeof cr, "%.2fx", (double)r->instructions / (double)r->cmp_instructions);
    }
    if (!r->ok) {
      ta_buf_printf(b, "| %s | %s | %s |%s%s |\n", r->model, r->board->target,
                    failed_cell(fl, sizeof fl, r), cmp_cells(cc, sizeof cc, compare, cv, ""),
                    tflm ? " | | | | " : " ");
      continue;
    }
    ta_anchor_row a = ta_anchor_find(an, r->model);
    uint64_t ins = r->instructions;
    uint64_t ref = strcmp(r->board->target, "cortex-m4") == 0 ? a.m4_ref : 0;
    uint64_t cm = anchor_cmsis(&a, r->board->target);
    char rr[16] = "—", rc[16] = "—", mpi[16] = "—";
    if (ref)
      snprintf(rr, sizeof rr, "%.2fx", (double)ins / (double)ref);
    if (cm)
      snprintf(rc, sizeof rc, "%.2fx", (double)ins / (double)cm);
    if (r->macs && ins)
      snprintf(mpi, sizeof mpi, "%.3f", (double)r->macs / (double)ins);
    if (tflm)
      ta_buf_printf(b, "| %s | %s | %s |%s %s | %s | %s | %s | %s |\n", r->model, r->board->core,
                    ta_report_commas(x, sizeof x, ins), cmp_cells(cc, sizeof cc, compare, cv, cr),
                    num_or_dash(y, sizeof y, ref), num_or_dash(z, sizeof z, cm), rr, rc, mpi);
    else
      ta_buf_printf(b, "| %s | %s | %s |%s %s |\n", r->model, r->board->core,
                    ta_report_commas(x, sizeof x, ins), cmp_cells(cc, sizeof cc, compare, cv, cr),
                    mpi);
  }
  if (tflm)
    ta_buf_puts(b, "\nTFLM reference-kernel figures exist for the Cortex-M4 only. A ratio above 1 "
                   "means tinyaot executes more instructions.\n");
  ta_buf_puts(b, "\n## Flash (bytes)\n\n"
                 "tinyaot: text + rodata + data of the whole firmware (startup, session runner, "
                 "model), and of the model alone (the generated code, its weights and the runtime "
                 "kernels it uses, as linked).");
  if (tflm)
    ta_buf_printf(b,
                  " TFLM: text + data of a minimal firmware with TFLM, the model and newlib's "
                  "printf; \"TFLM + model\" subtracts the same firmware without TFLM and model "
                  "(text %s + data %s).",
                  ta_report_commas(x, sizeof x, an->base_text),
                  ta_report_commas(y, sizeof y, an->base_data));
  ta_buf_puts(b, "\n\n| model | core | tinyaot firmware | tinyaot model alone |");
  if (compare)
    ta_buf_printf(b, " with %s: firmware | with %s: model alone |", compare, compare);
  if (tflm)
    ta_buf_puts(b, " TFLM firmware, ref / CMSIS-NN | TFLM + model, ref / CMSIS-NN |");
  ta_buf_puts(b, "\n|---|---|---:|---:|");
  if (compare)
    ta_buf_puts(b, "---:|---:|");
  ta_buf_puts(b, tflm ? "---:|---:|\n" : "\n");
  for (int32_t i = 0; i < n; i++) {
    const ta_bench_row *r = &rows[i];
    if (!r->ok)
      continue;
    ta_anchor_row a = ta_anchor_find(an, r->model);
    char t1[2 * sizeof x + 8] = "—", t2[2 * sizeof x + 8] = "—";
    if (a.found && a.fw_ref[0]) {
      uint64_t fr = a.fw_ref[0] + a.fw_ref[1], fc = a.fw_cmsis[0] + a.fw_cmsis[1];
      uint64_t base = an->base_text + an->base_data;
      snprintf(t1, sizeof t1, "%s / %s", ta_report_commas(x, sizeof x, fr),
               ta_report_commas(y, sizeof y, fc));
      if (base && fr > base && fc > base)
        snprintf(t2, sizeof t2, "%s / %s", ta_report_commas(z, sizeof z, fr - base),
                 ta_report_commas(w, sizeof w, fc - base));
    }
    char cf[32] = "—", cmf[32] = "—";
    if (r->cmp_ok) {
      ta_report_commas(cf, sizeof cf, ta_fw_flash_bytes(&r->cmp_sizes));
      ta_report_commas(cmf, sizeof cmf, ta_fw_model_flash_bytes(&r->cmp_sizes));
    }
    ta_buf_printf(b, "| %s | %s | %s | %s |%s", r->model, r->board->core,
                  ta_report_commas(x, sizeof x, ta_fw_flash_bytes(&r->sizes)),
                  ta_report_commas(y, sizeof y, ta_fw_model_flash_bytes(&r->sizes)),
                  cmp_cells(cc, sizeof cc, compare, cf, cmf));
    if (tflm)
      ta_buf_printf(b, " %s | %s |", t1, t2);
    ta_buf_puts(b, "\n");
  }
  ta_buf_puts(b, "\n## RAM (bytes)\n\n"
                 "tinyaot: arena + stack high-water (measured by painting the stack, deepest use "
                 "during the run) + data + bss (bss holds the runner's input, output and frame "
                 "buffers); the last tinyaot column adds the input and output tensors to the "
                 "arena, to compare like with like with engines that count them.");
  if (tflm)
    ta_buf_puts(b, " TFLM: the arena TFLM reports as used, which includes TFLM's bookkeeping and "
                   "the input and output tensors (TFLM needs a little more than that to "
                   "initialise).");
  ta_buf_puts(b, "\n\n| model | core | tinyaot RAM | tinyaot arena | stack | data + bss | "
                 "tinyaot arena + inputs + outputs |");
  ta_buf_puts(b, tflm ? " TFLM arena, ref / CMSIS-NN |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
                      : "\n|---|---|---:|---:|---:|---:|---:|\n");
  for (int32_t i = 0; i < n; i++) {
    const ta_bench_row *r = &rows[i];
    if (!r->ok)
      continue;
    ta_anchor_row a = ta_anchor_find(an, r->model);
    char t1[2 * sizeof x + 8] = "—";
    if (a.found && a.arena_ref)
      snprintf(t1, sizeof t1, "%s / %s", ta_report_commas(x, sizeof x, a.arena_ref),
               ta_report_commas(y, sizeof y, a.arena_cmsis));
    char v[32];
    ta_buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s |", r->model, r->board->core,
                  ta_report_commas(x, sizeof x, ta_fw_ram_bytes(&r->sizes, &r->mem)),
                  ta_report_commas(y, sizeof y, r->sizes.arena),
                  ta_report_commas(z, sizeof z, r->mem.stack_used),
                  ta_report_commas(w, sizeof w, r->sizes.data + r->sizes.bss),
                  ta_report_commas(v, sizeof v, r->sizes.arena + r->io_bytes));
    if (tflm)
      ta_buf_printf(b, " %s |", t1);
    ta_buf_puts(b, "\n");
  }
  if (svg)
    ta_buf_printf(b, "\nThe chart `%s` shows the instruction counts (log scale).\n", svg);
  bench_md_layers(b, rows, n, compare);
}

/* Horizontal grouped bars, log scale: per model, tinyaot per core then TFLM. */
void ta_report_bench_svg(ta_buf *b, const ta_bench_row *rows, int32_t n, const ta_anchors *an,
                         const char *const *models, int32_t n_models) {
  typedef struct bar {
    const char *label;
    uint64_t v;
    const char *color;
  } bar;
  bar bars[TA_REPORT_MAX_MODELS * 12];
  char labels[TA_REPORT_MAX_MODELS * 12][32];
  int32_t nb = 0, group_of[TA_REPORT_MAX_MODELS * 12];
  static const char *const tcol[] = {"#1f5fa8", "#3f86d4", "#86b6ea", "#b9d5f3"};
  for (int32_t m = 0; m < n_models; m++) {
    int32_t ti = 0;
    for (int32_t i = 0; i < n; i++) {
      if (strcmp(rows[i].model, models[m]) != 0 || !rows[i].ok)
        continue;
      /* "cortex-m4" -> "tinyaot, M4" */
      snprintf(labels[nb], sizeof labels[nb], "tinyaot, %s", rows[i].board->target + 7);
      for (char *c = labels[nb]; *c; c++)
        if (*c == 'm')
          *c = 'M';
      bars[nb] = (bar){labels[nb], rows[i].instructions, tcol[ti % 4]};
      group_of[nb++] = m;
      ti++;
    }
    ta_anchor_row a = ta_anchor_find(an, models[m]);
    if (a.m4_ref) {
      bars[nb] = (bar){"TFLM ref, M4", a.m4_ref, "#9a9a9a"};
      group_of[nb++] = m;
    }
    const struct {
      const char *l;
      uint64_t v;
    } cm[] = {{"TFLM+CMSIS-NN, M4", a.m4_cmsis},
              {"TFLM+CMSIS-NN, M7", a.m7_cmsis},
              {"TFLM+CMSIS-NN, M33", a.m33_cmsis}};
    for (int i = 0; i < 3; i++)
      if (cm[i].v) {
        bars[nb] = (bar){cm[i].l, cm[i].v, "#e08a2c"};
        group_of[nb++] = m;
      }
  }
  const int left = 200, width = 560, bar_h = 14, gap = 4, group_gap = 26, top = 50;
  int height = top + 40;
  for (int32_t i = 0; i < nb; i++)
    height += bar_h + gap + ((i == 0 || group_of[i] != group_of[i - 1]) ? group_gap : 0);
  const double lo = 5.0, hi = 9.0; /* 1e5 .. 1e9 instructions */
  ta_buf_printf(b,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "font-family=\"sans-serif\" font-size=\"11\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Instructions per "
                "inference (log scale; fewer is better)</text>\n"
                "<text x=\"10\" y=\"36\" fill=\"#444\">%s, QEMU -icount</text>\n",
                left + width + 130, height,
                an->loaded ? "tinyaot (blue) vs TensorFlow Lite Micro reference kernels (grey) "
                             "and CMSIS-NN (orange)"
                           : "tinyaot (blue)");
  for (int e = 5; e <= 9; e++) {
    double x = left + (e - lo) / (hi - lo) * width;
    ta_buf_printf(b,
                  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n"
                  "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">1e%d</text>\n",
                  x, top, x, height - 30, x, height - 16, e);
  }
  int y = top;
  for (int32_t i = 0; i < nb; i++) {
    if (i == 0 || group_of[i] != group_of[i - 1]) {
      y += group_gap;
      ta_buf_printf(b, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y - 6,
                    models[group_of[i]]);
    }
    double lv = bars[i].v ? log10((double)bars[i].v) : lo;
    if (lv < lo)
      lv = lo;
    if (lv > hi)
      lv = hi;
    double wdt = (lv - lo) / (hi - lo) * width;
    char num[32];
    ta_buf_printf(b,
                  "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n"
                  "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n"
                  "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%s</text>\n",
                  left - 6, y + bar_h - 3, bars[i].label, left, y, wdt, bar_h, bars[i].color,
                  left + wdt + 4, y + bar_h - 3, ta_report_commas(num, sizeof num, bars[i].v));
    y += bar_h + gap;
  }
  ta_buf_puts(b, "</svg>\n");
}

ta_status ta_report_bench_write(ta_ctx *ctx, const ta_bench_row *rows, int32_t n_rows,
                                const ta_anchors *an, const char *const *models, int32_t n_models,
                                int argc, char **argv, const char *report, const char *svg,
                                const char *compare, const char **md) {
  ta_buf cmd;
  ta_buf_init(&cmd, ctx);
  ta_buf_puts(&cmd, "tinyaot");
  for (int i = 0; i < argc; i++)
    ta_buf_printf(&cmd, " %s", argv[i]);
  ta_buf b;
  ta_buf_init(&b, ctx);
  ta_report_bench_md(&b, rows, n_rows, an, cmd.data ? cmd.data : "tinyaot bench",
                     ta_report_tool_versions(ctx), compare, svg);
  ta_status st = !b.ok ? TA_ERR_LIMIT : report ? ta_write_file(ctx, report, b.data, b.len) : TA_OK;
  if (st == TA_OK && !report)
    *md = ta_strndup(ctx, b.data, b.len);
  ta_buf_free(&b);
  if (st == TA_OK && svg) {
    ta_buf_init(&b, ctx);
    ta_report_bench_svg(&b, rows, n_rows, an, models, n_models);
    st = b.ok ? ta_write_file(ctx, svg, b.data, b.len) : TA_ERR_LIMIT;
    ta_buf_free(&b);
  }
  ta_buf_free(&cmd);
  return st;
}

void ta_report_bench_progress(ta_buf *b, const char *model, const ta_bench_row *r,
                              const char *check, const char *log_dir, bool watching) {
  char a[32];
  const bool other = r && strcmp(model, r->model) != 0;
  if (!r && watching)
    ta_buf_printf(b, "tinyaot bench: %s ...\n", model);
  else if (r && !r->ok)
    ta_buf_printf(b, "tinyaot bench: %s on %s: %s (log: %s/%s.log)\n", model, r->board->target,
                  check ? check : "failed", log_dir, r->model);
  else if (r)
    ta_buf_printf(b, "  %-11s %16s instructions, flash %llu, RAM %llu, outputs %s%s%s\n",
                  r->board->target, ta_report_commas(a, sizeof a, r->instructions),
                  (unsigned long long)ta_fw_flash_bytes(&r->sizes),
                  (unsigned long long)ta_fw_ram_bytes(&r->sizes, &r->mem), check, other ? "; " : "",
                  other ? model : "");
}
