/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: run a prepared graph on the host with the same runtime kernels the generated code
 * calls. One buffer per activation (no planning: this path favours simplicity over memory).
 */
#include "ta_ops.h"

#include <string.h>

ta_status ta_graph_eval(ta_graph *g, const ta_kernel_call *calls, const void *const *inputs,
                        void *const *outputs) {
  return ta_graph_eval_shared(g, calls, NULL, inputs, outputs);
}

ta_status ta_graph_eval_shared(ta_graph *g, const ta_kernel_call *calls, const int32_t *root,
                               const void *const *inputs, void *const *outputs) {
  void **bufs = ta_new_array(g->ctx, (size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof(void *));
  if (!bufs) return TA_ERR_LIMIT;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    ta_tensor *tt = &g->tensors[t];
    if (root && root[t] != t) continue;
    if (ta_tensor_is_const(tt)) {
      bufs[t] = (void *)(uintptr_t)tt->data;
      continue;
    }
    size_t bytes;
    if (!ta_tensor_bytes(tt, &bytes))
      return ta_tensor_err(g, t, TA_ERR_INTERNAL, "shape unknown at evaluation");
    bufs[t] = ta_new(g->ctx, bytes ? bytes : 1);
    if (!bufs[t]) return TA_ERR_LIMIT;
  }
  /* A view or in-place output uses its root's buffer, which is at least as large. */
  if (root)
    for (int32_t t = 0; t < g->n_tensors; t++) bufs[t] = bufs[root[t]];
  for (int32_t i = 0; i < g->n_inputs; i++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[g->inputs[i]], &bytes);
    memcpy(bufs[g->inputs[i]], inputs[i], bytes);
  }
  size_t scratch_bytes = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    if (calls[i].scratch_bytes > scratch_bytes) scratch_bytes = calls[i].scratch_bytes;
  void *scratch = scratch_bytes ? ta_new(g->ctx, scratch_bytes) : NULL;
  if (scratch_bytes && !scratch) return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_status st = ta_call_eval(g, &g->ops[i], &calls[i], bufs, scratch);
    if (st != TA_OK) return st;
  }
  for (int32_t i = 0; i < g->n_outputs; i++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[g->outputs[i]], &bytes);
    memcpy(outputs[i], bufs[g->outputs[i]], bytes);
  }
  return TA_OK;
}
