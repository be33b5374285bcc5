/* SPDX-License-Identifier: Apache-2.0 */
/* tt_pipeline.c: see tt_pipeline.h. */
#include "tt_pipeline.h"

#include <string.h>

#include "ta_compile.h"

static void sink(void *user, ta_severity sev, const char *msg) {
  (void)sev;
  tt_run *r = user;
  size_t used = strlen(r->messages);
  size_t n = strlen(msg);
  if (used + n + 2 < sizeof r->messages) {
    memcpy(r->messages + used, msg, n);
    r->messages[used + n] = '\n';
    r->messages[used + n + 1] = '\0';
  }
}

ta_status tt_prepare(tt_run *r, const uint8_t *model, size_t len) {
  return tt_prepare_kernels(r, model, len, false);
}

ta_status tt_prepare_kernels(tt_run *r, const uint8_t *model, size_t len, bool reference) {
  memset(r, 0, sizeof *r);
  ta_ctx_init(&r->ctx, NULL, NULL, sink, r);
  /* The compile entry point up to prepare: the tests evaluate the kernel calls in the model's
   * op order, without a memory plan. */
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.reference_kernels = reference;
  opt.last_stage = TA_STAGE_SCHEDULE;
  ta_model m;
  ta_status st = ta_compile_bytes(&r->ctx, "test.tflite", model, len, &opt, &m);
  r->g = m.g;
  r->calls = m.calls;
  return st;
}

ta_status tt_eval(tt_run *r, const uint8_t *model, size_t len, const void *const *inputs,
                  void *const *outputs) {
  ta_status st = tt_prepare(r, model, len);
  if (st != TA_OK)
    return st;
  return ta_graph_eval(r->g, r->calls, inputs, outputs);
}

void tt_done(tt_run *r) {
  ta_ctx_free(&r->ctx);
}
