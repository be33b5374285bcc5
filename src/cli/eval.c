/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: `tinyaot eval MODEL --data FILE --labels FILE [--target T]`: run a labelled data
 * set through a classifier on a target, one record after another through the device session
 * (or in process on the host), and report accuracy per class, the confusion matrix, how
 * closely the outputs follow reference outputs (e.g. the training framework's), instructions
 * per inference, flash and RAM, and whether that fits a given part. Optionally an HTML
 * report with the confusion matrix and a few records drawn as plots (inline SVG).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ta_cli.h"
#include "ta_session.h"

static const char help[] =
    "usage: tinyaot eval MODEL --data FILE --labels FILE [options]\n"
    "\n"
    "Run every record of a labelled data set through the classifier MODEL on a target and\n"
    "report accuracy per class, the confusion matrix, agreement with reference outputs,\n"
    "instructions per inference, flash and RAM. The model must have one input and one output\n"
    "(class scores; the predicted class is the largest).\n"
    "\n"
    "options:\n"
    "  --data FILE          records back to back, each exactly the model input's bytes\n"
    "  --labels FILE        one uint8 class index per record\n"
    "  --classes FILE       class names, one per line (default: class 0, class 1, ...)\n"
    "  --expect FILE        reference outputs, one per record (e.g. PyTorch's), compared with\n"
    "                       |out - ref| <= atol + rtol * |ref| for float outputs, exactly for\n"
    "                       integer outputs\n"
    "  --atol X, --rtol X   tolerances (default 1e-4 and 1e-3)\n"
    "  --target T           host (in process, the same kernels), or a board: cortex-m4, ...\n"
    "                       (default cortex-m4)\n"
    "  --flash-budget N     flash of the part to fit, bytes (default 262144: 256 KB)\n"
    "  --ram-budget N       RAM of the part to fit, bytes (default 65536: 64 KB)\n"
    "  --report FILE        write an HTML report (confusion matrix, plots of a few records)\n"
    "  --plot-layout L      how a record is drawn: TxC (time-major, channels last) or CxT\n"
    "                       (default: guessed from the input shape)\n"
    "  --limit N            only the first N records\n"
    "  --name NAME          symbol prefix of the generated code\n" TA_CLI_COMPILE_OPTIONS_HELP
    "  -h, --help           this text\n";

typedef struct eval_opts {
  const char *model, *data, *labels, *classes, *expect, *report, *target, *name, *layout;
  double atol, rtol;
  uint64_t flash_budget, ram_budget;
  int64_t limit;
  ta_compile_options compile;
} eval_opts;

typedef struct eval_result {
  int32_t n, n_classes;
  uint8_t *labels;
  int32_t *pred, *ref_pred;
  int64_t *confusion; /* n_classes x n_classes: [true][pred] */
  int64_t correct, ref_correct, agree, within;
  double max_err;
  bool have_ref, float_out;
  uint64_t insn_min, insn_max, insn_sum;
  bool device;
  const ta_board *board;
  uint64_t flash, model_flash, ram, arena, stack, data_bss;
  const char **names;
} eval_result;

static int32_t argmax(const ta_tensor *t, const uint8_t *p, int32_t n) {
  int32_t best = 0;
  double bv = -INFINITY;
  for (int32_t i = 0; i < n; i++) {
    double v;
    if (t->dtype == TA_DT_F32) {
      float f;
      memcpy(&f, p + 4 * (size_t)i, 4);
      v = f;
    } else if (t->dtype == TA_DT_I8) {
      v = (int8_t)p[i];
    } else if (t->dtype == TA_DT_U8) {
      v = p[i];
    } else {
      int32_t x;
      memcpy(&x, p + 4 * (size_t)i, 4);
      v = x;
    }
    if (v > bv)
      bv = v, best = i;
  }
  return best;
}

static uint64_t parse_u64(const char *s, bool *ok) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  *ok = !errno && end != s && *end == '\0';
  return v;
}

/* Class names from a file, one per line; missing ones become "class K". */
static const char **load_names(ta_ctx *ctx, const char *path, int32_t n) {
  const char **names = ta_new_array(ctx, (size_t)n, sizeof(char *));
  if (!names)
    return NULL;
  uint8_t *data = NULL;
  size_t len = 0;
  if (path && ta_read_file(ctx, path, &data, &len) != TA_OK)
    return NULL;
  const char *p = (const char *)data;
  for (int32_t i = 0; i < n; i++) {
    const char *line = NULL;
    size_t ll = 0;
    if (p && *p) {
      ll = strcspn(p, "\r\n");
      line = p;
      p += ll;
      while (*p == '\r' || *p == '\n')
        p++;
    }
    names[i] = ll ? ta_strndup(ctx, line, ll) : ta_fmt(ctx, "class %d", i);
  }
  return names;
}

static void progress(int32_t done, int32_t total, bool tty) {
  if (tty) {
    int32_t w = 40, fill = total ? (int32_t)((int64_t)w * done / total) : w;
    printf("\r  [");
    for (int32_t i = 0; i < w; i++)
      putchar(i < fill ? '#' : '.');
    printf("] %d/%d", done, total);
    if (done == total)
      putchar('\n');
    fflush(stdout);
  } else if (total && (done == total || (done * 10 / total) != ((done - 1) * 10 / total))) {
    printf("  %d/%d records\n", done, total);
    fflush(stdout);
  }
}

static const char *commas(char *buf, size_t cap, uint64_t v) {
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

/* One record's output against its reference: worst error and whether all are within. */
static bool compare_record(const ta_tensor *t, const uint8_t *out, const uint8_t *ref, size_t bytes,
                           const eval_opts *o, double *worst) {
  if (t->dtype != TA_DT_F32)
    return memcmp(out, ref, bytes) == 0;
  bool ok = true;
  for (size_t i = 0; i + 4 <= bytes; i += 4) {
    float a, b;
    memcpy(&a, out + i, 4);
    memcpy(&b, ref + i, 4);
    double err = fabs((double)a - (double)b);
    if (err > *worst)
      *worst = err;
    if (!(err <= o->atol + o->rtol * fabs((double)b)))
      ok = false;
  }
  return ok;
}

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

static ta_status write_report(ta_ctx *ctx, const eval_opts *o, const ta_graph *g,
                              const eval_result *r, const uint8_t *data, size_t in_bytes) {
  ta_buf b;
  ta_buf_init(&b, ctx);
  char n1[32], n2[32], n3[32];
  ta_buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tinyaot eval: ");
  html_escape(&b, o->model);
  ta_buf_puts(&b, "</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;"
                  "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
                  "#ccc;padding:4px 8px;text-align:right}th{background:#f0f0f0}figure{display:"
                  "inline-block;margin:6px}figcaption{font-size:12px;text-align:center}"
                  ".note{color:#666;font-size:13px}</style></head><body>\n<h1>");
  html_escape(&b, o->model);
  ta_buf_printf(&b, " on %s</h1>\n", r->device ? r->board->core : "the host");
  ta_buf_printf(&b, "<p>%d records of <code>", r->n);
  html_escape(&b, o->data);
  ta_buf_printf(&b, "</code>; accuracy <b>%.1f%%</b> (%lld/%d)", 100.0 * (double)r->correct / r->n,
                (long long)r->correct, r->n);
  if (r->have_ref)
    ta_buf_printf(&b,
                  "; reference outputs' accuracy %.1f%%; same predicted class on %lld of %d "
                  "records; %lld of %d outputs within tolerance (max |error| %.3g)",
                  100.0 * (double)r->ref_correct / r->n, (long long)r->agree, r->n,
                  (long long)r->within, r->n, r->max_err);
  ta_buf_puts(&b, ".</p>\n<h2>Confusion matrix</h2><p class=\"note\">Rows: true class; columns: "
                  "predicted class.</p><table><tr><th></th>");
  for (int32_t j = 0; j < r->n_classes; j++) {
    ta_buf_puts(&b, "<th>");
    html_escape(&b, r->names[j]);
    ta_buf_puts(&b, "</th>");
  }
  ta_buf_puts(&b, "<th>accuracy</th></tr>\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    int64_t row = 0;
    for (int32_t j = 0; j < r->n_classes; j++)
      row += r->confusion[i * r->n_classes + j];
    ta_buf_puts(&b, "<tr><th>");
    html_escape(&b, r->names[i]);
    ta_buf_puts(&b, "</th>");
    for (int32_t j = 0; j < r->n_classes; j++) {
      int64_t v = r->confusion[i * r->n_classes + j];
      double f = row ? (double)v / (double)row : 0;
      ta_buf_printf(&b, "<td style=\"background:rgba(%s,%.2f)\">%lld</td>",
                    i == j ? "46,160,67" : "214,39,40", f * 0.8, (long long)v);
    }
    ta_buf_printf(&b, "<td>%.1f%%</td></tr>\n",
                  row ? 100.0 * (double)r->confusion[i * r->n_classes + i] / (double)row : 0.0);
  }
  ta_buf_puts(&b, "</table>\n<h2>Cost</h2><table>");
  if (r->device) {
    uint64_t mean = r->insn_sum / (uint64_t)r->n;
    ta_buf_printf(&b, "<tr><th>instructions per inference</th><td>%s (min %s, max %s)</td></tr>",
                  commas(n1, sizeof n1, mean), commas(n2, sizeof n2, r->insn_min),
                  commas(n3, sizeof n3, r->insn_max));
    ta_buf_printf(&b,
                  "<tr><th>at the %.0f MHz reference clock</th><td>%.2f ms "
                  "(instructions / clock, not a measured time)</td></tr>",
                  r->board->clock_hz / 1e6, (double)mean * 1e3 / r->board->clock_hz);
    ta_buf_printf(&b, "<tr><th>flash</th><td>%s bytes (model and kernels %s)</td></tr>",
                  commas(n1, sizeof n1, r->flash), commas(n2, sizeof n2, r->model_flash));
    ta_buf_printf(&b,
                  "<tr><th>RAM</th><td>%s bytes (arena %llu, stack %llu, data+bss %llu)"
                  "</td></tr>",
                  commas(n1, sizeof n1, r->ram), (unsigned long long)r->arena,
                  (unsigned long long)r->stack, (unsigned long long)r->data_bss);
  } else {
    ta_buf_printf(&b, "<tr><th>arena</th><td>%llu bytes</td></tr>", (unsigned long long)r->arena);
  }
  ta_buf_puts(&b, "</table>\n<h2>Some records</h2><p class=\"note\">The first records of each "
                  "class, then a few the model got wrong. One line per channel: "
                  "<span style=\"color:#d62728\">channel 0</span>, "
                  "<span style=\"color:#2ca02c\">channel 1</span>, "
                  "<span style=\"color:#1f77b4\">channel 2</span>, ...</p>\n");
  const ta_tensor *in = &g->tensors[g->inputs[0]];
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
  bool time_major = o->layout ? strcmp(o->layout, "TxC") == 0 : last <= first;
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
      svg_record(&b, in, data + (size_t)k * in_bytes, time_major, steps, channels, title);
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
    svg_record(&b, in, data + (size_t)k * in_bytes, time_major, steps, channels, title);
    wrong++;
  }
  ta_buf_puts(&b, "<p class=\"note\">Made by tinyaot eval.</p></body></html>\n");
  ta_status st = b.ok ? ta_write_file(ctx, o->report, b.data, b.len) : TA_ERR_LIMIT;
  ta_buf_free(&b);
  return st;
}

static void print_summary(const eval_opts *o, const eval_result *r) {
  char n1[32], n2[32], n3[32];
  printf("accuracy: %.1f%% (%lld of %d records)\n", 100.0 * (double)r->correct / r->n,
         (long long)r->correct, r->n);
  if (r->have_ref) {
    printf("reference outputs (%s): accuracy %.1f%%; same predicted class on %lld of %d records\n",
           o->expect, 100.0 * (double)r->ref_correct / r->n, (long long)r->agree, r->n);
    if (r->float_out)
      printf("  outputs within |err| <= %g + %g * |ref|: %lld of %d records (max |error| %.3g)\n",
             o->atol, o->rtol, (long long)r->within, r->n, r->max_err);
    else
      printf("  outputs identical: %lld of %d records\n", (long long)r->within, r->n);
  }
  printf("\nper class:\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    int64_t row = 0;
    for (int32_t j = 0; j < r->n_classes; j++)
      row += r->confusion[i * r->n_classes + j];
    if (row)
      printf("  %-12s %5.1f%%  (%lld of %lld)\n", r->names[i],
             100.0 * (double)r->confusion[i * r->n_classes + i] / (double)row,
             (long long)r->confusion[i * r->n_classes + i], (long long)row);
    else
      printf("  %-12s     -   (no records)\n", r->names[i]);
  }
  printf("\nconfusion matrix (rows: true class, columns: predicted):\n  %-12s", "");
  for (int32_t j = 0; j < r->n_classes; j++)
    printf(" %8.8s", r->names[j]);
  printf("\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    printf("  %-12s", r->names[i]);
    for (int32_t j = 0; j < r->n_classes; j++)
      printf(" %8lld", (long long)r->confusion[i * r->n_classes + j]);
    printf("\n");
  }
  printf("\n");
  if (!r->device) {
    printf("arena: %llu bytes (host, in process: no instruction counts)\n",
           (unsigned long long)r->arena);
    return;
  }
  uint64_t mean = r->insn_sum / (uint64_t)r->n;
  printf("instructions per inference: %s (min %s, max %s) on %s\n", commas(n1, sizeof n1, mean),
         commas(n2, sizeof n2, r->insn_min), commas(n3, sizeof n3, r->insn_max), r->board->core);
  printf("  = %.2f ms at the %.0f MHz reference clock (instructions / clock, not a measured "
         "time)\n",
         (double)mean * 1e3 / r->board->clock_hz, r->board->clock_hz / 1e6);
  printf("flash: %s bytes (model and kernels %s)\n", commas(n1, sizeof n1, r->flash),
         commas(n2, sizeof n2, r->model_flash));
  printf("RAM:   %s bytes (arena %llu + stack %llu + data/bss %llu)\n",
         commas(n1, sizeof n1, r->ram), (unsigned long long)r->arena, (unsigned long long)r->stack,
         (unsigned long long)r->data_bss);
  bool fits = r->flash <= o->flash_budget && r->ram <= o->ram_budget;
  printf("fits a part with %llu KB flash and %llu KB RAM: %s (flash %.0f%%, RAM %.0f%%)\n",
         (unsigned long long)(o->flash_budget / 1024), (unsigned long long)(o->ram_budget / 1024),
         fits ? "yes" : "NO", 100.0 * (double)r->flash / (double)o->flash_budget,
         100.0 * (double)r->ram / (double)o->ram_budget);
}

static ta_status run_eval(ta_ctx *ctx, const eval_opts *o) {
  ta_model m;
  ta_status st = ta_compile_file(ctx, o->model, &o->compile, &m);
  if (st != TA_OK)
    return st;
  ta_graph *g = m.g;
  ctx->file = NULL;
  if (g->n_inputs != 1 || g->n_outputs != 1)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s has %d inputs and %d outputs; eval needs a classifier "
                  "with one input and one output",
                  o->model, g->n_inputs, g->n_outputs);
  const ta_tensor *tin = &g->tensors[g->inputs[0]], *tout = &g->tensors[g->outputs[0]];
  size_t in_bytes = 0, out_bytes = 0, out_elems = 0;
  ta_tensor_bytes(tin, &in_bytes);
  ta_tensor_bytes(tout, &out_bytes);
  ta_tensor_elems(tout, &out_elems);
  uint8_t *data, *labels, *expect = NULL;
  size_t data_len, labels_len, expect_len = 0;
  if ((st = ta_read_file(ctx, o->data, &data, &data_len)) != TA_OK)
    return st;
  if ((st = ta_read_file(ctx, o->labels, &labels, &labels_len)) != TA_OK)
    return st;
  if (o->expect && (st = ta_read_file(ctx, o->expect, &expect, &expect_len)) != TA_OK)
    return st;
  char shape[96];
  if (in_bytes == 0 || data_len % in_bytes != 0 || data_len == 0)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s has %zu bytes, not a whole number of records of %zu "
                  "bytes (model input \"%s\", %s %s)",
                  o->data, data_len, in_bytes, tin->name, ta_dtype_name(tin->dtype),
                  ta_shape_str(tin, shape, sizeof shape));
  int64_t n = (int64_t)(data_len / in_bytes);
  if ((int64_t)labels_len != n)
    return ta_err(ctx, TA_ERR_USAGE, "%s has %zu labels, but %s holds %lld records", o->labels,
                  labels_len, o->data, (long long)n);
  if (expect && expect_len != (size_t)n * out_bytes)
    return ta_err(ctx, TA_ERR_USAGE, "%s has %zu bytes; %lld records of %zu output bytes need %zu",
                  o->expect, expect_len, (long long)n, out_bytes, (size_t)n * out_bytes);
  if (o->limit > 0 && o->limit < n)
    n = o->limit;
  if (out_elems < 2 || out_elems > 1000)
    return ta_err(ctx, TA_ERR_USAGE,
                  "the output has %zu elements; eval expects class scores "
                  "(2 to 1000)",
                  out_elems);
  eval_result r;
  memset(&r, 0, sizeof r);
  r.n = (int32_t)n;
  r.n_classes = (int32_t)out_elems;
  r.labels = labels;
  for (int64_t k = 0; k < n; k++)
    if (labels[k] >= r.n_classes)
      return ta_err(ctx, TA_ERR_USAGE,
                    "%s: record %lld has label %u, but the model has %d "
                    "classes",
                    o->labels, (long long)k, labels[k], r.n_classes);
  r.names = load_names(ctx, o->classes, r.n_classes);
  r.pred = ta_new_array(ctx, (size_t)n, sizeof(int32_t));
  r.ref_pred = ta_new_array(ctx, (size_t)n, sizeof(int32_t));
  r.confusion = ta_new_array(ctx, (size_t)(r.n_classes * r.n_classes), sizeof(int64_t));
  uint8_t *out = ta_new(ctx, out_bytes);
  if (!r.names || !r.pred || !r.ref_pred || !r.confusion || !out)
    return TA_ERR_LIMIT;
  r.have_ref = expect != NULL;
  r.float_out = tout->dtype == TA_DT_F32;
  r.insn_min = UINT64_MAX;
  r.arena = m.plan.arena_bytes;

  bool host = strcmp(o->target, "host") == 0;
  const ta_board *board = host ? NULL : ta_board_find(o->target);
  if (!host && !board)
    return ta_err(ctx, TA_ERR_USAGE, "unknown target '%s' (targets: host, %s)", o->target,
                  ta_board_names());
  r.device = !host;
  r.board = board;
  ta_device_link link;
  memset(&link, 0, sizeof link);
  ta_firmware fw;
  if (!host) {
    ta_fileset fs;
    const char *name = o->name ? o->name : ta_default_model_name(ctx, o->model);
    ta_cgen_options copt = {name, o->model};
    if ((st = ta_cgen_emit(g, m.calls, &m.plan, &copt, &fs)) != TA_OK)
      return st;
    char *dir;
    if ((st = ta_make_temp_dir(ctx, "eval", &dir)) != TA_OK)
      return st;
    printf("building the firmware for %s (%s, %s)...\n", board->target, board->machine,
           board->core);
    st = ta_fw_build(g, &fs, name, board, dir, &fw);
    ta_device_options dopt = {NULL, false, 1, 0, NULL};
    if (st == TA_OK)
      st = ta_device_open(g, &fw, &dopt, &link);
    if (st != TA_OK) {
      ta_remove_tree(dir);
      return st;
    }
    printf("streaming %d records through the device session (QEMU %s, -icount shift=0):\n", r.n,
           board->machine);
    uint32_t ipt = ta_board_insns_per_tick(board);
    bool tty = isatty(1);
    for (int64_t k = 0; k < n && st == TA_OK; k++) {
      int32_t model_status = 0;
      uint32_t ticks = 0;
      st = ta_session_load_input(link.s, 0, data + (size_t)k * in_bytes, in_bytes);
      if (st == TA_OK)
        st = ta_session_run(link.s, false, &model_status, &ticks);
      if (st == TA_OK && model_status != 0)
        st = ta_err(ctx, TA_ERR_INTERNAL,
                    "%s: the model's run function returned %d on record "
                    "%lld",
                    link.peer, model_status, (long long)k);
      if (st == TA_OK)
        st = ta_session_read_output(link.s, 0, out, out_bytes);
      if (st != TA_OK)
        break;
      uint64_t insns = (uint64_t)ticks * ipt;
      if (insns < r.insn_min)
        r.insn_min = insns;
      if (insns > r.insn_max)
        r.insn_max = insns;
      r.insn_sum += insns;
      r.pred[k] = argmax(tout, out, r.n_classes);
      if (expect) {
        const uint8_t *ref = expect + (size_t)k * out_bytes;
        r.ref_pred[k] = argmax(tout, ref, r.n_classes);
        r.within += compare_record(tout, out, ref, out_bytes, o, &r.max_err);
      }
      progress((int32_t)k + 1, r.n, tty);
    }
    ta_fw_memstats mem;
    memset(&mem, 0, sizeof mem);
    if (st == TA_OK)
      st = ta_session_memstats(link.s, &mem);
    ta_device_close(&link, st != TA_OK);
    ta_remove_tree(dir);
    if (st != TA_OK)
      return st;
    r.flash = fw.sizes.text + fw.sizes.rodata + fw.sizes.data;
    r.model_flash = fw.sizes.model_text + fw.sizes.model_rodata + fw.sizes.model_data;
    r.stack = mem.stack_used;
    r.arena = fw.sizes.arena;
    r.data_bss = fw.sizes.data + fw.sizes.bss;
    r.ram = r.arena + r.stack + r.data_bss;
  } else {
    printf("evaluating %d records in process on the host:\n", r.n);
    bool tty = isatty(1);
    for (int64_t k = 0; k < n && st == TA_OK; k++) {
      const void *ins[1] = {data + (size_t)k * in_bytes};
      void *outs[1] = {out};
      st = ta_graph_eval_shared(g, m.calls, m.plan.root, ins, outs);
      if (st != TA_OK)
        break;
      r.pred[k] = argmax(tout, out, r.n_classes);
      if (expect) {
        const uint8_t *ref = expect + (size_t)k * out_bytes;
        r.ref_pred[k] = argmax(tout, ref, r.n_classes);
        r.within += compare_record(tout, out, ref, out_bytes, o, &r.max_err);
      }
      progress((int32_t)k + 1, r.n, tty);
    }
    if (st != TA_OK)
      return st;
  }
  for (int64_t k = 0; k < n; k++) {
    r.confusion[labels[k] * r.n_classes + r.pred[k]]++;
    r.correct += r.pred[k] == labels[k];
    if (expect) {
      r.ref_correct += r.ref_pred[k] == labels[k];
      r.agree += r.ref_pred[k] == r.pred[k];
    }
  }
  printf("\n");
  print_summary(o, &r);
  if (o->report) {
    st = write_report(ctx, o, g, &r, data, in_bytes);
    if (st != TA_OK)
      return st;
    printf("report: %s\n", o->report);
  }
  return TA_OK;
}

int ta_cmd_eval(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "eval"};
  eval_opts o;
  memset(&o, 0, sizeof o);
  o.target = "cortex-m4";
  o.atol = 1e-4;
  o.rtol = 1e-3;
  o.flash_budget = 256 * 1024;
  o.ram_budget = 64 * 1024;
  ta_compile_options_init(&o.compile);
  ta_status st = TA_OK;
  for (; a.i < argc && st == TA_OK; a.i++) {
    const char *v = NULL;
    if (ta_arg_flag(&a, "--help") || ta_arg_flag(&a, "-h")) {
      fputs(help, stdout);
      return 0;
    }
    if (ta_arg_value(&a, "--data", &o.data, &st) || ta_arg_value(&a, "--labels", &o.labels, &st) ||
        ta_arg_value(&a, "--classes", &o.classes, &st) ||
        ta_arg_value(&a, "--expect", &o.expect, &st) ||
        ta_arg_value(&a, "--report", &o.report, &st) ||
        ta_arg_value(&a, "--target", &o.target, &st) || ta_arg_value(&a, "--name", &o.name, &st) ||
        ta_arg_value(&a, "--plot-layout", &o.layout, &st) ||
        ta_arg_compile_option(&a, &o.compile, &st))
      continue;
    bool ok = true;
    if (ta_arg_value(&a, "--atol", &v, &st)) {
      if (st == TA_OK)
        o.atol = strtod(v, NULL);
      continue;
    }
    if (ta_arg_value(&a, "--rtol", &v, &st)) {
      if (st == TA_OK)
        o.rtol = strtod(v, NULL);
      continue;
    }
    if (ta_arg_value(&a, "--flash-budget", &v, &st) || ta_arg_value(&a, "--ram-budget", &v, &st) ||
        ta_arg_value(&a, "--limit", &v, &st)) {
      if (st != TA_OK)
        break;
      uint64_t x = parse_u64(v, &ok);
      if (!ok || x == 0) {
        fprintf(stderr, "tinyaot eval: %s takes a positive whole number, not '%s'\n", argv[a.i - 1],
                v);
        return 1;
      }
      if (strcmp(argv[a.i - 1], "--flash-budget") == 0)
        o.flash_budget = x;
      else if (strcmp(argv[a.i - 1], "--ram-budget") == 0)
        o.ram_budget = x;
      else
        o.limit = (int64_t)x;
      continue;
    }
    if (argv[a.i][0] == '-') {
      fprintf(stderr, "tinyaot eval: unknown option '%s' (see tinyaot eval --help)\n", argv[a.i]);
      return 1;
    }
    if (o.model) {
      fprintf(stderr, "tinyaot eval: more than one model given ('%s' and '%s')\n", o.model,
              argv[a.i]);
      return 1;
    }
    o.model = argv[a.i];
  }
  if (st != TA_OK)
    return 1;
  if (!o.model || !o.data || !o.labels) {
    fprintf(stderr, "tinyaot eval: %s\n%s",
            !o.model  ? "no MODEL given"
            : !o.data ? "no --data given"
                      : "no --labels given",
            help);
    return 1;
  }
  if (o.layout && strcmp(o.layout, "TxC") != 0 && strcmp(o.layout, "CxT") != 0) {
    fprintf(stderr, "tinyaot eval: --plot-layout is TxC or CxT, not '%s'\n", o.layout);
    return 1;
  }
  o.compile.target = o.target;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  st = run_eval(&ctx, &o);
  ta_ctx_free(&ctx);
  return ta_cli_exit_code(st);
}
