/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_common.h: what every fuzz target checks besides "no crash".
 *
 * The rule "bad input is normal: a precise message and a status, never a crash"
 * (docs/ARCHITECTURE.md) becomes properties a fuzzer can test: a failed stage reported at least
 * one error; no message is empty or carries control characters from the file; nothing derived
 * from input ends in TA_ERR_INTERNAL (that status asks the user for a bug report). A broken
 * property aborts, and libFuzzer (or the replay driver) reports it like a crash, with the input.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "ta_ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz property broken: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

/* The diagnostics sink of the fuzz targets: checks each message, prints none (set
 * TA_FUZZ_VERBOSE=1 to see them when replaying an input). */
static inline void fuzz_sink(void *user, ta_severity sev, const char *msg) {
  (void)user;
  (void)sev;
  if (!msg[0])
    fuzz_fail("empty diagnostic", NULL);
  for (const char *p = msg; *p; p++)
    if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
      fuzz_fail("control character in a diagnostic", msg);
  static int verbose = -1;
  if (verbose < 0)
    verbose = getenv("TA_FUZZ_VERBOSE") != NULL;
  if (verbose)
    fprintf(stderr, "  diag: %s\n", msg);
}

/* A stage's status against the context: failure needs a message, and is never INTERNAL. */
static inline void fuzz_check_status(const ta_ctx *ctx, ta_status st, const char *stage) {
  if (st == TA_ERR_INTERNAL)
    fuzz_fail("TA_ERR_INTERNAL from input", stage);
  if (st != TA_OK && ctx->n_errors == 0)
    fuzz_fail("failed without a message", stage);
}

/* What every reader promises for a graph it returns with TA_OK: every op refers to tensors that
 * exist, shapes are within the IR's rank, quantization arrays are there, and constant data is
 * exactly as long as the shape says (every byte is read, so ASan sees data pointing past the
 * input). */
static inline void fuzz_check_graph(const ta_graph *g) {
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    if ((unsigned)op->kind >= TA_OP_COUNT)
      fuzz_fail("op kind out of range", NULL);
    for (int32_t k = 0; k < op->n_in; k++)
      if (op->in[k] < -1 || op->in[k] >= g->n_tensors)
        fuzz_fail("op input out of range", NULL);
    for (int32_t k = 0; k < op->n_out; k++)
      if (op->out[k] < 0 || op->out[k] >= g->n_tensors)
        fuzz_fail("op output out of range", NULL);
  }
  for (int32_t k = 0; k < g->n_inputs; k++)
    if (g->inputs[k] < 0 || g->inputs[k] >= g->n_tensors)
      fuzz_fail("graph input out of range", NULL);
  for (int32_t k = 0; k < g->n_outputs; k++)
    if (g->outputs[k] < 0 || g->outputs[k] >= g->n_tensors)
      fuzz_fail("graph output out of range", NULL);
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const ta_tensor *tt = &g->tensors[t];
    if (tt->rank < 0 || tt->rank > TA_MAX_RANK)
      fuzz_fail("tensor rank out of range", tt->name);
    if (!tt->name)
      fuzz_fail("tensor without a name string", NULL);
    if (tt->q.count < 0 || (tt->q.count > 0 && (!tt->q.scale || !tt->q.zero_point)))
      fuzz_fail("broken quantization", tt->name);
    if (tt->data) {
      size_t bytes;
      if (!ta_tensor_bytes(tt, &bytes) || bytes != tt->data_bytes)
        fuzz_fail("constant data size disagrees with its shape", tt->name);
      /* Touch every byte, so ASan sees a pointer that runs past the input. */
      volatile uint8_t sum = 0;
      for (size_t i = 0; i < tt->data_bytes; i++)
        sum = (uint8_t)(sum + tt->data[i]);
      (void)sum;
    }
  }
}

#endif
