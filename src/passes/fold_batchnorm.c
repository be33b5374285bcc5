/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fold_batchnorm.c: a per-channel affine map after a convolution goes into its weights.
 *   y = an op flagged TA_OPF_WEIGHTED in ops.def (CONV_2D | DEPTHWISE_CONV_2D |
 *       FULLY_CONNECTED; float32, constant weights and bias, no fused activation), read only by
 *   z = MUL(y, s) with s constant and per output channel (or one value)
 *     =>  the op with weights * s[c] and bias * s[c], writing z
 *   z = ADD(y, t) with t constant and per output channel (or one value)
 *     =>  the op with bias + t[c], writing z
 * BatchNormalization imports as exactly this MUL and ADD (scale / sqrt(var + eps) and
 * B - mean * that), so a Conv/Gemm + BatchNormalization pair becomes one op; a bias Add after
 * a convolution (CNTK and TensorFlow exports) folds the same way. A MUL or ADD that does not
 * match stays, so BatchNormalization without a convolution before it runs as MUL + ADD.
 */
#include <string.h>

#include "ta_passes.h"

/* Output channels of a foldable producer op, or 0. */
static int32_t channels(const ta_graph *g, const ta_op *op) {
  if (!ta_op_has_flag(op->kind, TA_OPF_WEIGHTED))
    return 0;
  if (op->a.act != TA_ACT_NONE || op->n_in < 2 || op->n_out != 1)
    return 0;
  const ta_tensor *x = &g->tensors[op->in[0]], *w = &g->tensors[op->in[1]];
  const ta_tensor *y = &g->tensors[op->out[0]];
  if (x->dtype != TA_DT_F32 || w->dtype != TA_DT_F32 || !ta_tensor_is_const(w))
    return 0;
  if (op->n_in > 2 && op->in[2] >= 0 && !ta_tensor_is_const(&g->tensors[op->in[2]]))
    return 0;
  return y->rank > 0 ? y->dims[y->rank - 1] : 0;
}

static float chan(const ta_tensor *t, int32_t c) {
  size_t n;
  ta_tensor_elems(t, &n);
  float v;
  memcpy(&v, t->data + 4 * (n == 1 ? 0 : (size_t)c), 4);
  return v;
}

ta_status ta_pass_fold_batchnorm(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  bool *dead = ta_new_array(g->ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof *dead);
  ta_uses u;
  if (!dead || ta_uses_build(g, &u) != TA_OK)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    const int32_t co = dead[i] ? 0 : channels(g, op);
    if (co <= 0)
      continue;
    for (;;) {
      const int32_t r = ta_uses_single_reader(g, &u, op->out[0]);
      if (r < 0 || dead[r])
        break;
      ta_op *m = &g->ops[r];
      if ((m->kind != TA_OP_MUL && m->kind != TA_OP_ADD) || m->a.act != TA_ACT_NONE || m->n_in != 2)
        break;
      const int32_t other = m->in[0] == op->out[0] ? m->in[1] : m->in[0];
      const ta_tensor *s = &g->tensors[other];
      const ta_tensor *z = &g->tensors[m->out[0]], *y = &g->tensors[op->out[0]];
      if (s->dtype != TA_DT_F32 || !ta_pass_per_channel_const(s, co) || z->rank != y->rank ||
          memcmp(z->dims, y->dims, (size_t)y->rank * sizeof(int32_t)) != 0)
        break;
      /* New weights and bias (the old ones may be shared). */
      int32_t b = op->n_in > 2 ? op->in[2] : -1;
      if (m->kind == TA_OP_MUL) {
        const int32_t w = ta_pass_clone_const(g, op->in[1], g->tensors[op->in[1]].name);
        if (w < 0)
          return TA_ERR_LIMIT;
        ta_tensor *wt = &g->tensors[w];
        float *wd = (float *)(uintptr_t)wt->data;
        size_t n;
        ta_tensor_elems(wt, &n);
        /* Output channel of each weight: the last dim for depthwise, the first otherwise. */
        const bool dw = op->kind == TA_OP_DEPTHWISE_CONV_2D;
        const size_t per = n / (size_t)co;
        for (size_t k = 0; k < n; k++)
          wd[k] *= chan(s, (int32_t)(dw ? k % (size_t)co : k / per));
        op->in[1] = w;
      }
      const int32_t nb =
          ta_graph_add_tensor(g, b >= 0 ? g->tensors[b].name : "bias", TA_DT_F32, 1, &co);
      float *bd = nb >= 0 ? ta_new_array(g->ctx, (size_t)co, sizeof *bd) : NULL;
      if (!bd)
        return TA_ERR_LIMIT;
      op = &g->ops[i];
      m = &g->ops[r];
      s = &g->tensors[other];
      for (int32_t c = 0; c < co; c++) {
        const float old = b >= 0 ? chan(&g->tensors[b], c) : 0.0f;
        bd[c] = m->kind == TA_OP_MUL ? old * chan(s, c) : old + chan(s, c);
      }
      g->tensors[nb].data = (const uint8_t *)bd;
      g->tensors[nb].data_bytes = (size_t)co * sizeof *bd;
      if (op->n_in < 3) {
        int32_t *in = ta_new_array(g->ctx, 3, sizeof *in);
        if (!in)
          return TA_ERR_LIMIT;
        in[0] = op->in[0], in[1] = op->in[1];
        op->in = in;
        op->n_in = 3;
      }
      op->in[2] = nb;
      /* The op now writes what the MUL/ADD wrote; the old output is no longer written. */
      const int32_t old_out = op->out[0];
      op->out[0] = m->out[0];
      dead[r] = true;
      u.n_readers[old_out] = 0;
      (*n_rewritten)++;
    }
  }
  ta_pass_compact(g, dead);
  return TA_OK;
}
