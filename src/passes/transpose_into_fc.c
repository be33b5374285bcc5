/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose_into_fc.c: a flatten of a permuted tensor into a fully connected layer permutes
 * the layer's weights instead.
 *   FULLY_CONNECTED(RESHAPE(TRANSPOSE(x, p)) -> [B, K], W) with p[0] = 0 and B = x.dims[0]
 *     =>  FULLY_CONNECTED(RESHAPE(x) -> [B, K], W'),  W'[o][j] = W[o][col(j)]
 * where col(j) is the column the transposed tensor gives to x's j-th element of a batch row.
 * This is the NHWC -> NCHW transpose an ONNX classifier's Flatten needs after the last
 * convolution (MNIST, PyTorch CNNs): it moves into the weights at compile time. The transpose
 * and the reshape must have no other readers; the weights must be constant (float32, or int8
 * quantized per output row: a column permutation keeps that quantization).
 */
#include <string.h>

#include "ta_passes.h"

ta_status ta_pass_transpose_into_fc(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  ta_uses u;
  if (ta_uses_build(g, &u) != TA_OK)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *fc = &g->ops[i];
    if (fc->kind != TA_OP_FULLY_CONNECTED || fc->n_in < 2)
      continue;
    const int32_t r = u.producer[fc->in[0]];
    if (r < 0 || g->ops[r].kind != TA_OP_RESHAPE || u.n_readers[fc->in[0]] != 1 ||
        (g->tensors[fc->in[0]].flags & TA_TENSOR_OUTPUT))
      continue;
    const int32_t t_out = g->ops[r].in[0];
    const int32_t t = u.producer[t_out];
    if (t < 0 || g->ops[t].kind != TA_OP_TRANSPOSE || u.n_readers[t_out] != 1 ||
        (g->tensors[t_out].flags & TA_TENSOR_OUTPUT))
      continue;
    const ta_op *tr = &g->ops[t];
    const ta_tensor *x = &g->tensors[tr->in[0]], *w = &g->tensors[fc->in[1]];
    const ta_tensor *flat = &g->tensors[fc->in[0]];
    if (tr->a.perm[0] != 0 || flat->rank != 2 || flat->dims[0] != x->dims[0])
      continue;
    if (!ta_tensor_is_const(w) || w->rank != 2 || w->dims[1] != flat->dims[1])
      continue;
    if (w->dtype != TA_DT_F32 && !(w->dtype == TA_DT_I8 && (w->q.count <= 1 || w->q.axis == 0)))
      continue;
    /* col[j]: the transposed row position of x's row element j. */
    const int32_t k = flat->dims[1], rank = x->rank;
    int32_t *col = ta_new_array(g->ctx, (size_t)k, sizeof *col);
    if (!col)
      return TA_ERR_LIMIT;
    int32_t xs[TA_MAX_RANK], ts[TA_MAX_RANK], idx[TA_MAX_RANK] = {0};
    int32_t acc = 1;
    for (int32_t d = rank - 1; d >= 1; d--) {
      xs[d] = acc;
      acc *= x->dims[d];
    }
    acc = 1;
    for (int32_t d = rank - 1; d >= 1; d--) { /* strides of the transposed tensor */
      ts[d] = acc;
      acc *= x->dims[tr->a.perm[d]];
    }
    for (int32_t j = 0; j < k; j++) {
      /* x's index idx (dims 1..) -> transposed index: dim d of the output is x's perm[d]. */
      int32_t c = 0;
      for (int32_t d = 1; d < rank; d++)
        c += idx[tr->a.perm[d]] * ts[d];
      int32_t jj = 0;
      for (int32_t d = 1; d < rank; d++)
        jj += idx[d] * xs[d];
      col[jj] = c;
      for (int32_t d = rank - 1; d >= 1; d--) {
        if (++idx[d] < x->dims[d])
          break;
        idx[d] = 0;
      }
    }
    const int32_t nw = ta_pass_clone_const(g, fc->in[1], g->tensors[fc->in[1]].name);
    if (nw < 0)
      return TA_ERR_LIMIT;
    fc = &g->ops[i];
    w = &g->tensors[fc->in[1]];
    const size_t es = ta_dtype_size(w->dtype);
    uint8_t *dst = (uint8_t *)(uintptr_t)g->tensors[nw].data;
    for (int32_t o = 0; o < w->dims[0]; o++)
      for (int32_t j = 0; j < k; j++)
        memcpy(dst + ((size_t)o * (size_t)k + (size_t)j) * es,
               w->data + ((size_t)o * (size_t)k + (size_t)col[j]) * es, es);
    fc->in[1] = nw;
    g->ops[r].in[0] = g->ops[t].in[0];
    g->ops[r].n_in = 1;
    (*n_rewritten)++;
  }
  return TA_OK;
}
