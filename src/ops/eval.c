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
  if (!bufs)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    ta_tensor *tt = &g->tensors[t];
    if (root && root[t] != t)
      continue;
    if (ta_tensor_is_const(tt)) {
      bufs[t] = (void *)(uintptr_t)tt->data;
      continue;
    }
    size_t bytes;
    if (!ta_tensor_bytes(tt, &bytes))
      return ta_tensor_err(g, t, TA_ERR_INTERNAL, "shape unknown at evaluation");
    bufs[t] = ta_new(g->ctx, bytes ? bytes : 1);
    if (!bufs[t])
      return TA_ERR_LIMIT;
  }
  /* A view or in-place output uses its root's buffer, which is at least as large. */
  if (root)
    for (int32_t t = 0; t < g->n_tensors; t++)
      bufs[t] = bufs[root[t]];
  for (int32_t i = 0; i < g->n_inputs; i++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[g->inputs[i]], &bytes);
    memcpy(bufs[g->inputs[i]], inputs[i], bytes);
  }
  size_t scratch_bytes = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    if (calls[i].scratch_bytes > scratch_bytes)
      scratch_bytes = calls[i].scratch_bytes;
  void *scratch = scratch_bytes ? ta_new(g->ctx, scratch_bytes) : NULL;
  if (scratch_bytes && !scratch)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_status st = ta_call_eval(g, &g->ops[i], &calls[i], bufs, scratch);
    if (st != TA_OK)
      return st;
  }
  for (int32_t i = 0; i < g->n_outputs; i++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[g->outputs[i]], &bytes);
    memcpy(outputs[i], bufs[g->outputs[i]], bytes);
  }
  return TA_OK;
}

ta_status ta_op_fold(ta_graph *g, int32_t op_index) {
  const ta_op *op = &g->ops[op_index];
  const ta_op_def *d = ta_op_def_get(op->kind);
  for (int32_t i = 0; i < op->n_in; i++)
    if (op->in[i] >= 0 && !ta_tensor_is_const(&g->tensors[op->in[i]]))
      return ta_op_err(g, op, TA_ERR_INTERNAL, "cannot fold: input %d is not constant", i);
  ta_kernel_call call;
  memset(&call, 0, sizeof call);
  call.kernel = -1;
  ta_status st = d && d->prepare ? d->prepare(g, (ta_op *)(uintptr_t)op, &call) : TA_ERR_INTERNAL;
  if (st != TA_OK)
    return st;
  const ta_kernel_info *k = ta_kernel_get(call.kernel);
  const void *in[64];
  void *out[16];
  if (!k || call.n_in > 64 || call.n_out > 16)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "cannot evaluate on constants");
  for (int32_t i = 0; i < call.n_in; i++)
    in[i] = call.in[i] >= 0 ? g->tensors[call.in[i]].data : NULL;
  size_t bytes[16];
  for (int32_t i = 0; i < call.n_out; i++) {
    if (call.out[i] < 0 || !ta_tensor_bytes(&g->tensors[call.out[i]], &bytes[i]))
      return ta_op_err(g, op, TA_ERR_INTERNAL, "output %d has no known size", i);
    if (bytes[i] > TA_MAX_CONST_BYTES)
      return ta_op_err(g, op, TA_ERR_LIMIT,
                       "evaluating it at compile time would make a constant of %zu bytes (at "
                       "most %zu)",
                       bytes[i], (size_t)TA_MAX_CONST_BYTES);
    out[i] = ta_new(g->ctx, bytes[i] ? bytes[i] : 1);
    if (!out[i])
      return TA_ERR_LIMIT;
  }
  const size_t sbytes = k->scratch_size ? k->scratch_size(call.params) : 0;
  void *scratch = sbytes ? ta_new(g->ctx, sbytes) : NULL;
  if (sbytes && !scratch)
    return TA_ERR_LIMIT;
  if (k->run(call.params, in, out, scratch) != TART_OK)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "kernel tart_%s failed on constants", k->name);
  for (int32_t i = 0; i < call.n_out; i++) {
    ta_tensor *t = &g->tensors[call.out[i]];
    t->data = out[i];
    t->data_bytes = bytes[i];
  }
  return TA_OK;
}
