/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tt_pipeline.h: test helper. Takes a model held in memory through the compiler in process:
 * the TFLite reader alone (tt_read), the front half up to the schedule, evaluated with the
 * runtime kernels (tt_prepare, tt_eval), or the whole compile entry point (tt_compile). A run
 * keeps its own copy of the model bytes (constant tensors point into them), its context and
 * every message in a tt_capture; tt_done frees them. The _tfb forms take a TFLite builder,
 * serialize it and free it: one call from builder to result.
 *   tt_run r;
 *   tt_assert_status(&r.cap, tt_prepare_tfb(&r, b), TA_ERR_UNSUPPORTED);
 *   tt_assert_line(&r.cap, "test.tflite: op 0 ...");
 *   tt_done(&r);
 */
#ifndef TT_PIPELINE_H
#define TT_PIPELINE_H

#include "ta_compile.h"
#include "tflbuild.h"
#include "tt_capture.h"

typedef struct tt_run {
  ta_ctx ctx;
  ta_graph *g;
  ta_kernel_call *calls;
  ta_plan plan;   /* tt_compile only */
  tt_capture cap; /* every message, one per line */
  uint8_t *bytes; /* the run's copy of the model */
  size_t len;
} tt_run;

/* Serialize b and free it: the model bytes (malloc'd; the caller frees). Aborts when out of
 * memory. */
uint8_t *tt_finish(tfb *b, size_t *len);

/* The TFLite reader alone (ctx.file "test.tflite", up to 100 errors reported): r->g. */
ta_status tt_read(tt_run *r, const uint8_t *model, size_t len);
ta_status tt_read_tfb(tt_run *r, tfb *b);

/* Like tt_prepare, with the graph's reference_kernels flag set first (reference: true picks
 * the reference kernels, never the optimized variants). */
ta_status tt_prepare_kernels(tt_run *r, const uint8_t *model, size_t len, bool reference);

/* Read + check + prepare + partition + schedule. Returns the first failing status; r->cap
 * holds the reasons. Always call tt_done(r) afterwards. */
ta_status tt_prepare(tt_run *r, const uint8_t *model, size_t len);
ta_status tt_prepare_tfb(tt_run *r, tfb *b);
/* tt_prepare, then evaluate: inputs[i] and outputs[i] as in ta_graph_eval. */
ta_status tt_eval(tt_run *r, const uint8_t *model, size_t len, const void *const *inputs,
                  void *const *outputs);
ta_status tt_eval_tfb(tt_run *r, tfb *b, const void *const *inputs, void *const *outputs);

/* The whole compile entry point (ta_compile_bytes with opt, NULL: the defaults; path names
 * the model in messages): r->g, r->calls, r->plan. */
ta_status tt_compile(tt_run *r, const char *path, const uint8_t *model, size_t len,
                     const ta_compile_options *opt);

void tt_done(tt_run *r);

#endif
