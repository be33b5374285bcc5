/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuse_activation.c: an activation read from a single float producer goes into it.
 *   y = an op flagged TA_OPF_TAKES_ACT in ops.def (CONV_2D, ADD, MAX_POOL_2D...; float32, no
 *       fused activation), read only by  z = an op whose ops.def act is not NONE
 *       (RELU | RELU6 | RELU_N1_TO_1) (y)
 *     =>  the op with act = that activation, writing z
 * and, for an op that already has one, act RELU or RELU6 ; RELU6  =>  act RELU6, and
 * act RELU ; RELU  =>  act RELU (PyTorch exports ReLU6 as Relu then Clip).
 * The kernels clamp the result as TFLite's fused activations do (an exact float min/max, so
 * results do not change).
 */
#include "ta_passes.h"

ta_status ta_pass_fuse_activation(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  bool *dead = ta_new_array(g->ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof *dead);
  ta_uses u;
  if (!dead || ta_uses_build(g, &u) != TA_OK)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    if (dead[i] || !ta_op_has_flag(op->kind, TA_OPF_TAKES_ACT) || op->n_out != 1)
      continue;
    if (g->tensors[op->out[0]].dtype != TA_DT_F32)
      continue;
    for (;;) {
      const int32_t r = ta_uses_single_reader(g, &u, op->out[0]);
      if (r < 0 || dead[r])
        break;
      const ta_op *a = &g->ops[r];
      const ta_act next = ta_op_act(a->kind);
      if (next == TA_ACT_NONE)
        break;
      ta_act act;
      if (op->a.act == TA_ACT_NONE)
        act = next;
      else if ((op->a.act == TA_ACT_RELU || op->a.act == TA_ACT_RELU6) &&
               (next == TA_ACT_RELU || next == TA_ACT_RELU6))
        act = op->a.act == TA_ACT_RELU6 || next == TA_ACT_RELU6 ? TA_ACT_RELU6 : TA_ACT_RELU;
      else
        break;
      op->a.act = act;
      op->out[0] = a->out[0];
      dead[r] = true;
      (*n_rewritten)++;
    }
  }
  ta_pass_compact(g, dead);
  return TA_OK;
}
