/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_report.h: the reports the commands write, apart from the measuring: the Markdown table
 * and SVG chart of a benchmark suite (next to TensorFlow Lite Micro's figures, scraped from
 * an anchors Markdown table), and the HTML report of an evaluation. Writers fill a ta_buf;
 * the caller writes it where it wants.
 */
#ifndef TA_REPORT_H
#define TA_REPORT_H

#include "ta_session.h"

/* 1234567 -> "1,234,567" into buf (cap bytes); returns buf. */
const char *ta_report_commas(char *buf, size_t cap, uint64_t v);

/* TensorFlow Lite Micro figures of one model, from the anchors table. 0: absent. */
typedef struct ta_anchor_row {
  bool found;
  uint64_t arena_ref, arena_cmsis;
  uint64_t m4_ref, m4_cmsis, m7_cmsis, m33_cmsis;
  uint64_t fw_ref[3], fw_cmsis[3]; /* text, data, bss */
} ta_anchor_row;

typedef struct ta_anchors {
  bool loaded;
  uint64_t base_text, base_data; /* the same firmware without TFLM and model */
  const char *text;
} ta_anchors;

/* Read an anchors file (a Markdown table whose header row starts "| model |"); a missing
 * file or no path leaves an->loaded false. */
void ta_anchors_load(ta_ctx *ctx, const char *path, ta_anchors *an);
/* The row of model (by name), columns found by their headers. */
ta_anchor_row ta_anchor_find(const ta_anchors *an, const char *model);

/* Models a suite report draws at most. */
#define TA_REPORT_MAX_MODELS 64

/* One model on one board, as the suite report shows it. */
typedef struct ta_bench_row {
  const char *model;
  const ta_board *board;
  uint64_t macs;
  uint64_t io_bytes; /* the model's input and output tensors */
  uint64_t instructions;
  ta_fw_sizes sizes;
  ta_fw_memstats mem;
  bool ok; /* measured, outputs matched, repeatable; else a "failed" row */
} ta_bench_row;

/* BENCHMARKS.md: instructions, flash and RAM per model and core, next to the anchors. */
void ta_report_bench_md(ta_buf *b, const ta_bench_row *rows, int32_t n, const ta_anchors *an,
                        const char *cmdline, const char *toolversions);
/* Horizontal grouped bars, log scale: per model, tinyaot per core then TFLM. */
void ta_report_bench_svg(ta_buf *b, const ta_bench_row *rows, int32_t n, const ta_anchors *an,
                         const char *const *models, int32_t n_models);

/* What `tinyaot eval` found over a data set. */
typedef struct ta_eval_stats {
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
} ta_eval_stats;

/* The HTML report of an evaluation: accuracy, confusion matrix, cost, a few records drawn as
 * plots (layout "TxC", "CxT" or NULL: guessed from the input shape in). data holds the
 * records, in_bytes each. */
void ta_report_eval_html(ta_buf *b, const char *model, const char *data_path, const char *layout,
                         const ta_tensor *in, const ta_eval_stats *r, const uint8_t *data,
                         size_t in_bytes);

#endif
