/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_backend_desc.c: libFuzzer target for the backend description reader: JSON bytes ->
 * ta_backend_desc, then the constraint evaluator on a small graph.
 *
 * Besides memory safety it checks the reader's promises: a description only with TA_OK and
 * then one whose every declared operator has a C identifier as its function; a failure always
 * has a message, never a control character from the input (fuzz_sink). Variables resolve to
 * fixed values and the file system is not consulted (no_file_checks), so a run depends on the
 * bytes alone. A description read without error is asked about a one-op graph of every
 * operator kind, which must answer (with a reason when it declines) without crashing.
 */
#include <string.h>

#include "fuzz_common.h"
#include "ta_backend_desc.h"

/* One op of kind k on int8 tensors [1,4,4,8] (a [8,3,3,8] filter for the operators that have
 * one), the rest of the attributes at their zero or usual values. */
static ta_graph *one_op(ta_ctx *ctx, ta_op_kind k) {
  ta_graph *g = ta_graph_new(ctx, "fuzz");
  if (!g)
    return NULL;
  int32_t x = ta_graph_add_tensor(g, "x", TA_DT_I8, 4, (const int32_t[]){1, 4, 4, 8});
  int32_t w = ta_graph_add_tensor(g, "w", TA_DT_I8, 4, (const int32_t[]){8, 3, 3, 8});
  int32_t y = ta_graph_add_tensor(g, "y", TA_DT_I8, 4, (const int32_t[]){1, 4, 4, 8});
  int32_t o = ta_graph_add_op(g, k, 2, 1);
  if (x < 0 || w < 0 || y < 0 || o < 0)
    return NULL;
  ta_op *op = &g->ops[o];
  op->in[0] = x;
  op->in[1] = w;
  op->out[0] = y;
  op->a.stride_h = op->a.stride_w = 2;
  op->a.filter_h = op->a.filter_w = 3;
  op->a.depth_multiplier = 1;
  op->a.act = TA_ACT_RELU;
  return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, fuzz_sink, NULL);
  const ta_backend_var vars[] = {{"CMSIS_NN", "/cmsis"}, {"SDK", "sdk"}};
  ta_backend_desc_options opt = {.vars = vars, .n_vars = 2, .no_file_checks = true};
  ta_backend_desc *d = NULL;
  ta_status st =
      ta_backend_desc_read(&ctx, "fuzz/backend.json", (const char *)data, size, &opt, &d);
  fuzz_check_status(&ctx, st, "ta_backend_desc_read");
  if ((st == TA_OK) != (d != NULL))
    fuzz_fail("description returned with an error, or none with TA_OK", NULL);
  if (st == TA_OK && ctx.n_errors)
    fuzz_fail("TA_OK after an error was reported", NULL);
  if (d) {
    if (!d->name || !d->name[0] || d->n_ops <= 0)
      fuzz_fail("description without a name or operators", NULL);
    for (int k = 0; k < TA_OP_COUNT; k++) {
      const ta_backend_op *o = ta_backend_desc_op_find(d, (ta_op_kind)k);
      if (!o)
        continue;
      if (!o->function || !o->function[0] || o->kind != (ta_op_kind)k)
        fuzz_fail("operator entry without a function", NULL);
      ta_graph *g = one_op(&ctx, (ta_op_kind)k);
      char why[256];
      if (g && !ta_backend_desc_accepts(d, g, &g->ops[0], why, sizeof why) && !why[0])
        fuzz_fail("declined without a reason", ta_op_kind_name((ta_op_kind)k));
    }
    (void)ta_backend_desc_runs_on(d, "cortex-m4");
  }
  ta_ctx_free(&ctx);
  return 0;
}
