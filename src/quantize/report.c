/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: the quantization report as text and JSON, in the spirit of STM32Cube.AI's
 * "validate": per layer the SQNR (10 log10 of signal over error power) and cosine similarity of
 * the int8 output, dequantized, against the float one over the calibration set; the model's
 * output error; the ops left in float and why; with labels, accuracy float vs int8.
 * The library never prints: both go into a ta_buf the caller prints.
 */
#include "ta_config.h"
#include "ta_quantize.h"

#include <math.h>
#include <stdio.h>

static void num(ta_buf *b, double v, const char *fmt) {
  if (isfinite(v))
    ta_buf_printf(b, fmt, v);
  else
    ta_buf_puts(b, v > 0 ? "inf" : "-inf");
}

void ta_quant_report_text(const ta_quant_report *r, ta_buf *b) {
  ta_buf_printf(b,
                "int8 quantization: %d ops int8, %d float; %lld calibration records, method %s, "
                "bias correction %s\n",
                r->n_int8_ops, r->n_float_ops_total, (long long)r->n_records, r->method,
                r->bias_correction ? "on" : "off");
  ta_buf_printf(b, "\nper layer, int8 output vs float over the calibration set:\n");
  ta_buf_printf(b, "  %-18s %-28s %-10s %-22s %8s %6s\n", "op", "output", "range by", "int8 range",
                "SQNR dB", "cosine");
  for (int32_t j = 0; j < r->n_layers; j++) {
    const ta_quant_layer *l = &r->layers[j];
    char range[64];
    snprintf(range, sizeof range, "[%.4g, %.4g]", (double)l->lo, (double)l->hi);
    ta_buf_printf(b, "  %-18s %-28.28s %-10s %-22s ", l->op_kind, l->tensor, l->method, range);
    num(b, l->sqnr_db, "%8.2f");
    ta_buf_printf(b, " %.4f\n", l->cosine);
  }
  if (r->n_float_ops) {
    ta_buf_printf(b, "\nops kept in float (between DEQUANTIZE and QUANTIZE), with the reason:\n");
    for (int32_t j = 0; j < r->n_float_ops; j++)
      ta_buf_printf(b, "  %s\n", r->float_ops[j].reason);
  }
  ta_buf_printf(b, "\nmodel outputs, int8 model vs float:\n");
  for (int32_t k = 0; k < r->n_outputs; k++) {
    const ta_quant_output *o = &r->outputs[k];
    ta_buf_printf(b, "  %s: SQNR ", o->name);
    num(b, o->sqnr_db, "%.2f");
    ta_buf_printf(b, " dB, cosine %.5f, max |error| %.4g, mean |error| %.4g\n", o->cosine,
                  o->max_abs_err, o->mean_abs_err);
  }
  if (r->has_labels)
    ta_buf_printf(b,
                  "\nlabels (%lld records): accuracy float %.2f%%, int8 %.2f%%; int8 predicts the "
                  "float model's class on %.2f%%\n",
                  (long long)r->n_labels, 100 * r->acc_float, 100 * r->acc_int8,
                  100 * r->agreement);
}

static void json_str(ta_buf *b, const char *s) {
  ta_buf_puts(b, "\"");
  for (const char *p = s ? s : ""; *p; p++) {
    if (*p == '"' || *p == '\\')
      ta_buf_printf(b, "\\%c", *p);
    else if ((unsigned char)*p < 0x20)
      ta_buf_printf(b, "\\u%04x", (unsigned)(unsigned char)*p);
    else
      ta_buf_append(b, p, 1);
  }
  ta_buf_puts(b, "\"");
}

static void json_num(ta_buf *b, double v) {
  if (isfinite(v))
    ta_buf_printf(b, "%.6g", v);
  else
    ta_buf_puts(b, "null");
}

void ta_quant_report_json(const ta_quant_report *r, ta_buf *b) {
  ta_buf_printf(b,
                "{\"schema_version\": %d, \"tinyaot_version\": \"%s\", \"command\": \"quantize\", "
                "\"method\": ",
                TA_JSON_SCHEMA_VERSION, TA_VERSION);
  json_str(b, r->method);
  ta_buf_printf(b,
                ", \"bias_correction\": %s, \"records\": %lld, \"int8_op_count\": %d, "
                "\"float_op_count\": %d,\n \"layers\": [",
                r->bias_correction ? "true" : "false", (long long)r->n_records, r->n_int8_ops,
                r->n_float_ops_total);
  for (int32_t j = 0; j < r->n_layers; j++) {
    const ta_quant_layer *l = &r->layers[j];
    ta_buf_puts(b, j ? ",\n  {\"type\": " : "\n  {\"type\": ");
    json_str(b, l->op_kind);
    ta_buf_puts(b, ", \"name\": ");
    json_str(b, l->op_name);
    ta_buf_puts(b, ", \"output\": ");
    json_str(b, l->tensor);
    ta_buf_puts(b, ", \"range_by\": ");
    json_str(b, l->method);
    ta_buf_printf(b,
                  ", \"scale\": %.9g, \"zero_point\": %d, \"min\": %.6g, \"max\": %.6g, "
                  "\"sqnr_db\": ",
                  (double)l->scale, l->zero_point, (double)l->lo, (double)l->hi);
    json_num(b, l->sqnr_db);
    ta_buf_puts(b, ", \"cosine\": ");
    json_num(b, l->cosine);
    ta_buf_puts(b, "}");
  }
  ta_buf_puts(b, "],\n \"float_ops\": [");
  for (int32_t j = 0; j < r->n_float_ops; j++) {
    ta_buf_puts(b, j ? ",\n  {\"type\": " : "\n  {\"type\": ");
    json_str(b, r->float_ops[j].op_kind);
    ta_buf_puts(b, ", \"name\": ");
    json_str(b, r->float_ops[j].op_name);
    ta_buf_puts(b, ", \"reason\": ");
    json_str(b, r->float_ops[j].reason);
    ta_buf_puts(b, "}");
  }
  ta_buf_puts(b, "],\n \"outputs\": [");
  for (int32_t k = 0; k < r->n_outputs; k++) {
    const ta_quant_output *o = &r->outputs[k];
    ta_buf_puts(b, k ? ",\n  {\"name\": " : "\n  {\"name\": ");
    json_str(b, o->name);
    ta_buf_puts(b, ", \"sqnr_db\": ");
    json_num(b, o->sqnr_db);
    ta_buf_puts(b, ", \"cosine\": ");
    json_num(b, o->cosine);
    ta_buf_puts(b, ", \"max_abs_error\": ");
    json_num(b, o->max_abs_err);
    ta_buf_puts(b, ", \"mean_abs_error\": ");
    json_num(b, o->mean_abs_err);
    ta_buf_puts(b, "}");
  }
  ta_buf_puts(b, "]");
  if (r->has_labels)
    ta_buf_printf(
        b,
        ",\n \"labelled_records\": %lld, \"accuracy_float\": %.6g, \"accuracy_int8\": %.6g, "
        "\"agreement\": %.6g",
        (long long)r->n_labels, r->acc_float, r->acc_int8, r->agreement);
  ta_buf_puts(b, "}\n");
}
