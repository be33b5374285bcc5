/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tt_pipeline.h: test helper. Runs a TFLite model held in memory through the compiler's
 * front half (read, check, infer, prepare, partition, schedule) and evaluates it in process with
 * the runtime kernels. Messages go to a buffer the test can inspect.
 */
#ifndef TT_PIPELINE_H
#define TT_PIPELINE_H

#include "ta_ops.h"

typedef struct tt_run {
  ta_ctx ctx;
  ta_graph *g;
  ta_kernel_call *calls;
  char messages[8192]; /* every message, one per line */
} tt_run;

/* Like tt_prepare, with the graph's reference_kernels flag set first (reference: true picks
 * the reference kernels, never the optimized variants). */
ta_status tt_prepare_kernels(tt_run *r, const uint8_t *model, size_t len, bool reference);

/* Read + check + prepare + partition + schedule. Returns the first failing status; r->messages
 * holds the reasons. Always call tt_done(r) afterwards. */
ta_status tt_prepare(tt_run *r, const uint8_t *model, size_t len);
/* tt_prepare, then evaluate: inputs[i] and outputs[i] as in ta_graph_eval. */
ta_status tt_eval(tt_run *r, const uint8_t *model, size_t len, const void *const *inputs,
                  void *const *outputs);
void tt_done(tt_run *r);

#endif
