/* SPDX-License-Identifier: Apache-2.0 */
/* tt_pipeline.c: see tt_pipeline.h. */
#include "tt_pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "ta_tflite.h"

static void *must(void *p) {
  if (!p) {
    fprintf(stderr, "tt_pipeline: out of memory\n");
    abort();
  }
  return p;
}

uint8_t *tt_finish(tfb *b, size_t *len) {
  uint8_t *bytes = must(tfb_finish(b, len));
  tfb_free(b);
  return bytes;
}

/* A fresh run holding a copy of the model, its messages captured. */
static void start(tt_run *r, const uint8_t *model, size_t len) {
  memset(r, 0, sizeof *r);
  ta_ctx_init(&r->ctx, NULL, NULL, tt_capture_sink, &r->cap);
  r->bytes = must(malloc(len ? len : 1));
  if (len)
    memcpy(r->bytes, model, len);
  r->len = len;
}

ta_status tt_read(tt_run *r, const uint8_t *model, size_t len) {
  start(r, model, len);
  r->ctx.file = "test.tflite";
  r->ctx.max_errors = 100;
  return ta_tfl_read(&r->ctx, r->bytes, r->len, &r->g);
}

ta_status tt_read_tfb(tt_run *r, tfb *b) {
  size_t len;
  uint8_t *bytes = tt_finish(b, &len);
  ta_status st = tt_read(r, bytes, len);
  free(bytes);
  return st;
}

ta_status tt_compile(tt_run *r, const char *path, const uint8_t *model, size_t len,
                     const ta_compile_options *opt) {
  start(r, model, len);
  ta_model m;
  ta_status st = ta_compile_bytes(&r->ctx, path, r->bytes, r->len, opt, &m);
  r->g = m.g;
  r->calls = m.calls;
  r->plan = m.plan;
  return st;
}

ta_status tt_prepare(tt_run *r, const uint8_t *model, size_t len) {
  return tt_prepare_kernels(r, model, len, false);
}

ta_status tt_prepare_kernels(tt_run *r, const uint8_t *model, size_t len, bool reference) {
  /* The compile entry point up to prepare: the tests evaluate the kernel calls in the model's
   * op order, without a memory plan. */
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.reference_kernels = reference;
  opt.last_stage = TA_STAGE_SCHEDULE;
  return tt_compile(r, "test.tflite", model, len, &opt);
}

ta_status tt_prepare_tfb(tt_run *r, tfb *b) {
  size_t len;
  uint8_t *bytes = tt_finish(b, &len);
  ta_status st = tt_prepare(r, bytes, len);
  free(bytes);
  return st;
}

ta_status tt_eval(tt_run *r, const uint8_t *model, size_t len, const void *const *inputs,
                  void *const *outputs) {
  ta_status st = tt_prepare(r, model, len);
  if (st != TA_OK)
    return st;
  return ta_graph_eval(r->g, r->calls, inputs, outputs);
}

ta_status tt_eval_tfb(tt_run *r, tfb *b, const void *const *inputs, void *const *outputs) {
  size_t len;
  uint8_t *bytes = tt_finish(b, &len);
  ta_status st = tt_eval(r, bytes, len, inputs, outputs);
  free(bytes);
  return st;
}

void tt_done(tt_run *r) {
  ta_ctx_free(&r->ctx);
  free(r->bytes);
  r->bytes = NULL;
}
