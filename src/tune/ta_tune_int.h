/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_tune_int.h: what the tuner's files share (internal): a candidate, and building one as a
 * one-op model with its entry wrapper (candidate.c).
 */
#ifndef TA_TUNE_INT_H
#define TA_TUNE_INT_H

#include "ta_tune.h"

#define TA_TUNE_MODEL_NAME "tc"
#define TA_TUNE_ENTRY "ta_tune_entry"

/* One candidate of a workload: a variant (by name) and one value per knob of it. */
typedef struct ta_tune_cand {
  const char *variant;
  const char *knob_names[TA_TUNE_MAX_KNOBS];
  int32_t knobs[TA_TUNE_MAX_KNOBS];
  int32_t n_knobs;
  bool reference;
} ta_tune_cand;

/* A one-op model: its graph, call, plan and emitted C library. */
typedef struct ta_tune_one {
  ta_graph *g;
  ta_kernel_call *calls;
  ta_plan plan;
  ta_fileset fs;
} ta_tune_one;

/* Copy op of src into a graph of its own in ctx and take it through check and prepare; with
 * cand, on through the schedule stage (cand's variant and knobs forced) and, with emit, the
 * plan and the C emitter. Errors are reported on ctx (an override that does not apply:
 * USAGE). */
ta_status ta_tune_one_op(ta_ctx *ctx, const ta_graph *src, const ta_op *op,
                         const ta_tune_cand *cand, bool emit, ta_tune_one *one);

/* Where a one-op model's tensors sit in the board's tensor area (offsets from its base,
 * 16-byte aligned): inputs, then outputs, then the arena. */
typedef struct ta_tune_layout_t {
  size_t in_off[TA_SESSION_MAX_IO], in_bytes[TA_SESSION_MAX_IO];
  size_t out_off[TA_SESSION_MAX_IO], out_bytes[TA_SESSION_MAX_IO];
  size_t in_total, out_total; /* inputs from 0, outputs from in_total: contiguous */
  size_t arena_off, total;
} ta_tune_layout_t;
ta_status ta_tune_layout(const ta_tune_one *one, ta_tune_layout_t *l);

/* Add ta_tune_entry.c to one->fs: int32_t ta_tune_entry(uint32_t tensor_base) runs the model
 * on the layout's tensors. corrupt (TA_TUNE_TEST_BREAK, tests only): it then flips bits of the
 * first output byte after the run. */
ta_status ta_tune_add_wrapper(ta_ctx *ctx, ta_tune_one *one, const ta_tune_layout_t *l,
                              bool corrupt);

#endif
