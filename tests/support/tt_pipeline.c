/* SPDX-License-Identifier: Apache-2.0 */
/* tt_pipeline.c: see tt_pipeline.h. */
#include "tt_pipeline.h"

#include <string.h>

#include "ta_backend.h"
#include "ta_schedule.h"
#include "ta_tflite.h"

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
  r->ctx.file = "test.tflite";
  ta_status st = ta_tfl_read(&r->ctx, model, len, &r->g);
  if (st != TA_OK)
    return st;
  r->g->reference_kernels = reference;
  st = ta_graph_check(r->g);
  if (st != TA_OK)
    return st;
  st = ta_graph_check_ops(r->g);
  if (st != TA_OK)
    return st;
  r->calls = ta_new_array(&r->ctx, (size_t)(r->g->n_ops ? r->g->n_ops : 1), sizeof(ta_kernel_call));
  if (!r->calls)
    return TA_ERR_LIMIT;
  st = ta_graph_prepare(r->g, r->calls);
  if (st == TA_OK)
    st = ta_backend_partition(r->g, r->calls, NULL, 0);
  ta_sched_options sched = {.reference_kernels = reference};
  return st == TA_OK ? ta_sched_run(r->g, r->calls, &sched) : st;
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
