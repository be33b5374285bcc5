/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fold_constants.c: op(constants...)  =>  a constant, evaluated at compile time with the
 * runtime kernels (ta_op_fold), when the op's outputs are not graph outputs (an output must
 * be computed by the generated code). What the qdq pass left of DEQUANTIZE(const weights)
 * becomes float weights here, so later passes see plain constants.
 */
#include "ta_passes.h"

ta_status ta_pass_fold_constants(ta_graph *g, int32_t *n_rewritten) {
  bool *dead = ta_new_array(g->ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof *dead);
  if (!dead)
    return TA_ERR_LIMIT;
  int32_t n = 0;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    bool all_const = op->n_in > 0;
    for (int32_t k = 0; k < op->n_in; k++)
      if (op->in[k] >= 0 && !ta_tensor_is_const(&g->tensors[op->in[k]]))
        all_const = false;
    for (int32_t k = 0; k < op->n_out; k++)
      if (op->out[k] < 0 || (g->tensors[op->out[k]].flags & TA_TENSOR_OUTPUT))
        all_const = false;
    if (!all_const)
      continue;
    ta_status st = ta_op_fold(g, i);
    if (st != TA_OK)
      return st;
    dead[i] = true;
    n++;
  }
  ta_pass_compact(g, dead);
  *n_rewritten = n;
  return TA_OK;
}
