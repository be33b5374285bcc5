/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_stats.c: the statistics of an evaluation (`tinyaot eval`) and their text summary. A
 * labelled data set is checked against the classifier's one input and one output; each
 * record's output adds its predicted class (the largest score), its agreement with a
 * reference output and its instructions; the totals give accuracy per class, the confusion
 * matrix, agreement with the reference, and the cost against a part's flash and RAM.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ta_report.h"

ta_status ta_report_eval_load(ta_ctx *ctx, const ta_graph *g, const char *model,
                              const ta_eval_files *f, int64_t limit, ta_eval_set *s) {
  memset(s, 0, sizeof *s);
  if (g->n_inputs != 1 || g->n_outputs != 1)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s has %d inputs and %d outputs; eval needs a classifier "
                  "with one input and one output",
                  model, g->n_inputs, g->n_outputs);
  const ta_tensor *tin = &g->tensors[g->inputs[0]], *tout = &g->tensors[g->outputs[0]];
  s->in = tin;
  s->out = tout;
  size_t out_elems = 0;
  ta_tensor_bytes(tin, &s->in_bytes);
  ta_tensor_bytes(tout, &s->out_bytes);
  ta_tensor_elems(tout, &out_elems);
  uint8_t *raw;
  const uint8_t *data, *labels, *expect = NULL;
  size_t data_len, labels_len, expect_len = 0, raw_len;
  ta_status st;
  /* Each file raw or .npy (records of the tensor; labels a uint8 array, one per record). */
  ta_tensor label_t;
  memset(&label_t, 0, sizeof label_t);
  label_t.name = "labels";
  label_t.dtype = TA_DT_U8;
  label_t.rank = 1;
  label_t.dims[0] = 1;
  label_t.shape_known = true;
  if ((st = ta_read_file(ctx, f->data, &raw, &raw_len)) != TA_OK ||
      (st = ta_tensor_file_data(ctx, f->data, raw, raw_len, tin, &data, &data_len)) != TA_OK)
    return st;
  if ((st = ta_read_file(ctx, f->labels, &raw, &raw_len)) != TA_OK ||
      (st = ta_tensor_file_data(ctx, f->labels, raw, raw_len, &label_t, &labels, &labels_len)) !=
          TA_OK)
    return st;
  if (f->expect && ((st = ta_read_file(ctx, f->expect, &raw, &raw_len)) != TA_OK ||
                    (st = ta_tensor_file_data(ctx, f->expect, raw, raw_len, tout, &expect,
                                              &expect_len)) != TA_OK))
    return st;
  char shape[96];
  if (s->in_bytes == 0 || data_len % s->in_bytes != 0 || data_len == 0)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s has %zu bytes, not a whole number of records of %zu "
                  "bytes (model input \"%s\", %s %s)",
                  f->data, data_len, s->in_bytes, tin->name, ta_dtype_name(tin->dtype),
                  ta_shape_str(tin, shape, sizeof shape));
  int64_t n = (int64_t)(data_len / s->in_bytes);
  if ((int64_t)labels_len != n)
    return ta_err(ctx, TA_ERR_USAGE, "%s has %zu labels, but %s holds %lld records", f->labels,
                  labels_len, f->data, (long long)n);
  if (expect && expect_len != (size_t)n * s->out_bytes)
    return ta_err(ctx, TA_ERR_USAGE, "%s has %zu bytes; %lld records of %zu output bytes need %zu",
                  f->expect, expect_len, (long long)n, s->out_bytes, (size_t)n * s->out_bytes);
  if (limit > 0 && limit < n)
    n = limit;
  if (out_elems < 2 || out_elems > 1000)
    return ta_err(ctx, TA_ERR_USAGE,
                  "the output has %zu elements; eval expects class scores "
                  "(2 to 1000)",
                  out_elems);
  for (int64_t k = 0; k < n; k++)
    if (labels[k] >= out_elems)
      return ta_err(ctx, TA_ERR_USAGE,
                    "%s: record %lld has label %u, but the model has %d "
                    "classes",
                    f->labels, (long long)k, labels[k], (int32_t)out_elems);
  s->data = data;
  s->labels = labels;
  s->expect = expect;
  s->n = n;
  s->n_classes = (int32_t)out_elems;
  return TA_OK;
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
  if (path) { /* one name per class, no more, no fewer: a mismatch means the wrong file */
    int32_t lines = 0;
    for (const char *q = p; *q;) {
      const size_t ll = strcspn(q, "\r\n");
      lines += ll > 0;
      q += ll;
      while (*q == '\r' || *q == '\n')
        q++;
    }
    if (lines != n) {
      ta_err(ctx, TA_ERR_USAGE, "--classes %s: %d names, but the model has %d classes", path, lines,
             n);
      return NULL;
    }
  }
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

ta_status ta_report_eval_init(ta_ctx *ctx, const ta_eval_set *s, const char *classes, double atol,
                              double rtol, ta_eval_stats *r) {
  memset(r, 0, sizeof *r);
  r->n = (int32_t)s->n;
  r->n_classes = s->n_classes;
  r->labels = s->labels;
  r->names = load_names(ctx, classes, r->n_classes);
  if (!r->names && classes)
    return TA_ERR_USAGE;
  r->pred = ta_new_array(ctx, (size_t)s->n, sizeof(int32_t));
  r->ref_pred = ta_new_array(ctx, (size_t)s->n, sizeof(int32_t));
  r->confusion = ta_new_array(ctx, (size_t)(r->n_classes * r->n_classes), sizeof(int64_t));
  r->scores = ta_new_array(ctx, (size_t)s->n * (size_t)r->n_classes, sizeof(float));
  if (!r->names || !r->pred || !r->ref_pred || !r->confusion || !r->scores)
    return TA_ERR_LIMIT;
  r->have_ref = s->expect != NULL;
  r->float_out = s->out->dtype == TA_DT_F32;
  r->insn_min = UINT64_MAX;
  r->atol = atol;
  r->rtol = rtol;
  return TA_OK;
}

/* Class score i of an output: float as it is, integers dequantized when the tensor is
 * quantized (per tensor). */
static double score(const ta_tensor *t, const uint8_t *p, int32_t i) {
  double v;
  if (t->dtype == TA_DT_F32) {
    float f;
    memcpy(&f, p + 4 * (size_t)i, 4);
    return f;
  }
  if (t->dtype == TA_DT_I8) {
    v = (int8_t)p[i];
  } else if (t->dtype == TA_DT_U8) {
    v = p[i];
  } else {
    int32_t x;
    memcpy(&x, p + 4 * (size_t)i, 4);
    v = x;
  }
  if (t->q.count >= 1 && t->q.scale && t->q.zero_point)
    v = (v - (double)t->q.zero_point[0]) * (double)t->q.scale[0];
  return v;
}

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

void ta_report_eval_add(ta_eval_stats *r, const ta_eval_set *s, int64_t k, const uint8_t *out,
                        uint64_t insns) {
  if (r->device) {
    if (insns < r->insn_min)
      r->insn_min = insns;
    if (insns > r->insn_max)
      r->insn_max = insns;
    r->insn_sum += insns;
  }
  r->pred[k] = argmax(s->out, out, r->n_classes);
  for (int32_t i = 0; i < r->n_classes; i++)
    r->scores[(size_t)k * (size_t)r->n_classes + (size_t)i] = (float)score(s->out, out, i);
  if (s->expect) {
    const uint8_t *ref = s->expect + (size_t)k * s->out_bytes;
    const ta_device_tol tol = {r->atol, r->rtol, false, false, false};
    ta_device_cmp cmp;
    r->ref_pred[k] = argmax(s->out, ref, r->n_classes);
    r->within += ta_device_compare(s->out->dtype, ref, out, s->out_bytes, &tol, &cmp);
    if (cmp.max_err > r->max_err)
      r->max_err = cmp.max_err;
  }
}

void ta_report_eval_device_cost(ta_eval_stats *r, const ta_fw_sizes *sizes,
                                const ta_fw_memstats *mem) {
  r->flash = ta_fw_flash_bytes(sizes);
  r->model_flash = ta_fw_model_flash_bytes(sizes);
  r->stack = mem->stack_used;
  r->arena = sizes->arena;
  r->data_bss = sizes->data + sizes->bss;
  r->ram = ta_fw_ram_bytes(sizes, mem);
}

void ta_report_eval_finish(ta_eval_stats *r) {
  for (int32_t k = 0; k < r->n; k++) {
    r->confusion[r->labels[k] * r->n_classes + r->pred[k]]++;
    r->correct += r->pred[k] == r->labels[k];
    if (r->have_ref) {
      r->ref_correct += r->ref_pred[k] == r->labels[k];
      r->agree += r->ref_pred[k] == r->pred[k];
    }
  }
}

void ta_report_eval_text(ta_buf *b, const ta_eval_stats *r, const char *expect_path,
                         uint64_t flash_budget, uint64_t ram_budget) {
  char n1[32], n2[32], n3[32];
  ta_buf_printf(b, "accuracy: %.1f%% (%lld of %d records)\n", 100.0 * (double)r->correct / r->n,
                (long long)r->correct, r->n);
  if (r->have_ref) {
    ta_buf_printf(
        b, "reference outputs (%s): accuracy %.1f%%; same predicted class on %lld of %d records\n",
        expect_path, 100.0 * (double)r->ref_correct / r->n, (long long)r->agree, r->n);
    if (r->float_out)
      ta_buf_printf(
          b, "  outputs within |err| <= %g + %g * |ref|: %lld of %d records (max |error| %.3g)\n",
          r->atol, r->rtol, (long long)r->within, r->n, r->max_err);
    else
      ta_buf_printf(b, "  outputs identical: %lld of %d records\n", (long long)r->within, r->n);
  }
  ta_buf_puts(b, "\nper class:\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    int64_t row = 0;
    for (int32_t j = 0; j < r->n_classes; j++)
      row += r->confusion[i * r->n_classes + j];
    if (row)
      ta_buf_printf(b, "  %-12s %5.1f%%  (%lld of %lld)\n", r->names[i],
                    100.0 * (double)r->confusion[i * r->n_classes + i] / (double)row,
                    (long long)r->confusion[i * r->n_classes + i], (long long)row);
    else
      ta_buf_printf(b, "  %-12s     -   (no records)\n", r->names[i]);
  }
  ta_buf_printf(b, "\nconfusion matrix (rows: true class, columns: predicted):\n  %-12s", "");
  for (int32_t j = 0; j < r->n_classes; j++)
    ta_buf_printf(b, " %8.8s", r->names[j]);
  ta_buf_puts(b, "\n");
  for (int32_t i = 0; i < r->n_classes; i++) {
    ta_buf_printf(b, "  %-12s", r->names[i]);
    for (int32_t j = 0; j < r->n_classes; j++)
      ta_buf_printf(b, " %8lld", (long long)r->confusion[i * r->n_classes + j]);
    ta_buf_puts(b, "\n");
  }
  ta_buf_puts(b, "\n");
  if (!r->device) {
    ta_buf_printf(b, "arena: %llu bytes (host, in process: no instruction counts)\n",
                  (unsigned long long)r->arena);
    return;
  }
  uint64_t mean = r->insn_sum / (uint64_t)r->n;
  ta_buf_printf(b, "instructions per inference: %s (min %s, max %s) on %s\n",
                ta_report_commas(n1, sizeof n1, mean), ta_report_commas(n2, sizeof n2, r->insn_min),
                ta_report_commas(n3, sizeof n3, r->insn_max), r->board->core);
  const double hz = r->clock_hz ? r->clock_hz : r->board->clock_hz;
  ta_buf_printf(b, "  = %.2f ms at %s%.0f MHz%s (instructions / clock, not a measured time)\n",
                (double)mean * 1e3 / hz, r->clock_hz ? "" : "the ", hz / 1e6,
                r->clock_hz ? "" : " reference clock");
  ta_buf_printf(b, "flash: %s bytes (model and kernels %s)\n",
                ta_report_commas(n1, sizeof n1, r->flash),
                ta_report_commas(n2, sizeof n2, r->model_flash));
  ta_buf_printf(b, "RAM:   %s bytes (arena %llu + stack %llu + data/bss %llu)\n",
                ta_report_commas(n1, sizeof n1, r->ram), (unsigned long long)r->arena,
                (unsigned long long)r->stack, (unsigned long long)r->data_bss);
  ta_report_fits(b, r->flash, r->ram, flash_budget, ram_budget, r->part);
}

/* 262144 -> "256 KiB", 2097152 -> "2 MiB", 1000 -> "1000 bytes". */
static const char *size_str(char *buf, size_t cap, uint64_t v) {
  if (v >= (1u << 20) && v % (1u << 20) == 0)
    snprintf(buf, cap, "%llu MiB", (unsigned long long)(v >> 20));
  else if (v >= 1024 && v % 1024 == 0)
    snprintf(buf, cap, "%llu KiB", (unsigned long long)(v >> 10));
  else
    snprintf(buf, cap, "%llu bytes", (unsigned long long)v);
  return buf;
}

void ta_report_fits(ta_buf *b, uint64_t flash, uint64_t ram, uint64_t flash_budget,
                    uint64_t ram_budget, const char *part) {
  char f[48] = "", m[48] = ""; /* a 31-character size and its word */
  const bool fits = (!flash_budget || flash <= flash_budget) && (!ram_budget || ram <= ram_budget);
  if (flash_budget) {
    char s[32];
    snprintf(f, sizeof f, "%s flash", size_str(s, sizeof s, flash_budget));
  }
  if (ram_budget) {
    char r[32];
    snprintf(m, sizeof m, "%s RAM", size_str(r, sizeof r, ram_budget));
  }
  const char *and = flash_budget && ram_budget ? " and " : "";
  if (part)
    ta_buf_printf(b, "fits %s (%s%s%s): %s (", part, f, flash_budget && ram_budget ? ", " : "", m,
                  fits ? "yes" : "NO");
  else
    ta_buf_printf(b, "fits a part with %s%s%s: %s (", f, and, m, fits ? "yes" : "NO");
  if (flash_budget)
    ta_buf_printf(b, "flash %.0f%%%s", 100.0 * (double)flash / (double)flash_budget,
                  ram_budget ? ", " : "");
  if (ram_budget)
    ta_buf_printf(b, "RAM %.0f%%", 100.0 * (double)ram / (double)ram_budget);
  ta_buf_puts(b, ")\n");
}

bool ta_report_eval_fits(const ta_eval_stats *r, uint64_t flash_budget, uint64_t ram_budget) {
  return !r->device || (r->flash <= flash_budget && r->ram <= ram_budget);
}

bool ta_report_eval_verdict(ta_ctx *ctx, const ta_eval_stats *r, uint64_t flash_budget,
                            uint64_t ram_budget, int exit_status) {
  if (ta_report_eval_fits(r, flash_budget, ram_budget))
    return true;
  ta_report(ctx, TA_ERROR,
            "the model misses its budget: flash %llu of %llu bytes, RAM %llu of %llu bytes "
            "(exit status %d)",
            (unsigned long long)r->flash, (unsigned long long)flash_budget,
            (unsigned long long)r->ram, (unsigned long long)ram_budget, exit_status);
  return false;
}

void ta_report_progress_bar(ta_buf *b, int64_t done, int64_t total, double elapsed_s) {
  const int64_t w = 30, fill = total > 0 ? w * done / total : w;
  ta_buf_puts(b, "  [");
  for (int64_t i = 0; i < w; i++)
    ta_buf_puts(b, i < fill ? "#" : ".");
  ta_buf_printf(b, "] %lld/%lld", (long long)done, (long long)total);
  if (done > 0 && elapsed_s > 0) {
    const double rate = (double)done / elapsed_s;
    const long eta = (long)((double)(total - done) / rate + 0.5);
    ta_buf_printf(b, "  %.1f records/s  ETA %ld:%02ld", rate, eta / 60, eta % 60);
  }
}

void ta_report_eval_json(ta_buf *b, const ta_eval_stats *r, const char *model, const char *target,
                         uint64_t flash_budget, uint64_t ram_budget) {
  ta_report_json_head(b, "eval");
  ta_buf_puts(b, "\"model\": ");
  ta_report_json_str(b, model);
  ta_buf_puts(b, ", \"target\": ");
  ta_report_json_str(b, target);
  ta_buf_printf(b, ", \"records\": %d, \"correct\": %lld, \"accuracy\": %.6f", r->n,
                (long long)r->correct, r->n ? (double)r->correct / r->n : 0.0);
  if (r->have_ref)
    ta_buf_printf(b,
                  ", \"reference_accuracy\": %.6f, \"reference_agreement\": %.6f, "
                  "\"reference_within\": %lld",
                  r->n ? (double)r->ref_correct / r->n : 0.0, r->n ? (double)r->agree / r->n : 0.0,
                  (long long)r->within);
  /* On the host nothing is counted: null, not 0, so a script cannot mistake it for a cost. */
  if (r->device && r->n)
    ta_buf_printf(b,
                  ", \"instructions\": %llu, \"instructions_min\": %llu, "
                  "\"instructions_max\": %llu, \"core\": ",
                  (unsigned long long)(r->insn_sum / (uint64_t)r->n),
                  (unsigned long long)r->insn_min, (unsigned long long)r->insn_max);
  else
    ta_buf_puts(b, ", \"instructions\": null, \"core\": ");
  ta_report_json_str(b, r->device && r->board ? r->board->core : "host");
  if (r->device)
    ta_buf_printf(b,
                  ", \"flash_bytes\": %llu, \"model_flash_bytes\": %llu, \"ram_bytes\": %llu, "
                  "\"stack_bytes\": %llu, \"data_bss_bytes\": %llu",
                  (unsigned long long)r->flash, (unsigned long long)r->model_flash,
                  (unsigned long long)r->ram, (unsigned long long)r->stack,
                  (unsigned long long)r->data_bss);
  else
    ta_buf_puts(b, ", \"flash_bytes\": null, \"ram_bytes\": null");
  ta_buf_printf(b,
                ", \"arena_bytes\": %llu, \"flash_budget_bytes\": %llu, \"ram_budget_bytes\": %llu",
                (unsigned long long)r->arena, (unsigned long long)flash_budget,
                (unsigned long long)ram_budget);
  ta_buf_printf(b, ", \"fits\": %s, \"per_class\": [",
                !r->device                                         ? "null"
                : ta_report_eval_fits(r, flash_budget, ram_budget) ? "true"
                                                                   : "false");
  for (int32_t i = 0; i < r->n_classes; i++) {
    int64_t row = 0;
    for (int32_t j = 0; j < r->n_classes; j++)
      row += r->confusion[i * r->n_classes + j];
    ta_buf_puts(b, i ? ", {\"class\": " : "{\"class\": ");
    ta_report_json_str(b, r->names[i]);
    ta_buf_printf(b, ", \"records\": %lld, \"correct\": %lld}", (long long)row,
                  (long long)r->confusion[i * r->n_classes + i]);
  }
  ta_buf_puts(b, "], \"predictions\": [");
  for (int32_t k = 0; k < r->n; k++)
    ta_buf_printf(b, k ? ",%d" : "%d", r->pred[k]);
  ta_buf_puts(b, "]}\n");
}
