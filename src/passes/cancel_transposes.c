/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cancel_transposes.c: the layout clean-up after import.
 *   TRANSPOSE(TRANSPOSE(x, p1), p2)  =>  TRANSPOSE(x, c), c[j] = p1[p2[j]]
 *   TRANSPOSE(x, p) that keeps every dim of size > 1 in order  =>  RESHAPE(x) (a view)
 *   RESHAPE(RESHAPE(x))  =>  RESHAPE(x)
 *   RESHAPE(x) to x's own shape  =>  x (unless it is a graph output)
 * so NCHW <-> NHWC pairs at layout boundaries vanish. Only tensors with the same quantization
 * merge: the frontend uses RESHAPE views to give a tensor other quantization parameters.
 * Repeated until nothing changes; the bypassed ops die in remove_dead.
 */
#include <string.h>

#include "ta_passes.h"

static bool same_quant(const ta_tensor *a, const ta_tensor *b) {
  if (a->q.count != b->q.count)
    return false;
  if (a->q.count > 1)
    return false; /* a per-channel axis would need renumbering */
  return a->q.count == 0 ||
         (a->q.scale[0] == b->q.scale[0] && a->q.zero_point[0] == b->q.zero_point[0]);
}

static bool keeps_order(const ta_tensor *x, const int32_t *perm) {
  int32_t last = -1;
  for (int32_t k = 0; k < x->rank; k++) {
    if (x->dims[perm[k]] == 1)
      continue;
    if (perm[k] < last)
      return false;
    last = perm[k];
  }
  return true;
}

ta_status ta_pass_cancel_transposes(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  /* Sweeps until nothing changes. Within a sweep the producers stay right (no op changes
   * what it writes); reader counts only serve to skip finished work. */
  for (bool any = true; any;) {
    any = false;
    ta_uses u;
    if (ta_uses_build(g, &u) != TA_OK)
      return TA_ERR_LIMIT;
    for (int32_t i = 0; i < g->n_ops; i++) {
      bool changed = false;
      ta_op *op = &g->ops[i];
      if ((op->kind != TA_OP_TRANSPOSE && op->kind != TA_OP_RESHAPE) || op->n_in < 1)
        continue;
      const int32_t x = op->in[0], y = op->out[0];
      const int32_t p = u.producer[x];
      const ta_op *prev = p >= 0 ? &g->ops[p] : NULL;
      if (op->kind == TA_OP_TRANSPOSE) {
        if (prev && prev->kind == TA_OP_TRANSPOSE &&
            same_quant(&g->tensors[prev->in[0]], &g->tensors[y])) {
          int32_t c[TA_MAX_RANK];
          for (int32_t j = 0; j < g->tensors[y].rank; j++)
            c[j] = prev->a.perm[op->a.perm[j]];
          op->in[0] = prev->in[0];
          memcpy(op->a.perm, c, sizeof c);
          changed = true;
        } else if (keeps_order(&g->tensors[x], op->a.perm)) {
          op->kind = TA_OP_RESHAPE;
          op->n_in = 1;
          changed = true;
        }
      } else {
        if (prev && prev->kind == TA_OP_RESHAPE &&
            same_quant(&g->tensors[prev->in[0]], &g->tensors[x]) &&
            same_quant(&g->tensors[x], &g->tensors[y])) {
          op->in[0] = prev->in[0];
          op->n_in = 1;
          changed = true;
        } else if (!(g->tensors[y].flags & TA_TENSOR_OUTPUT) &&
                   g->tensors[x].rank == g->tensors[y].rank &&
                   memcmp(g->tensors[x].dims, g->tensors[y].dims,
                          (size_t)g->tensors[x].rank * sizeof(int32_t)) == 0 &&
                   same_quant(&g->tensors[x], &g->tensors[y]) && u.n_readers[y] > 0) {
          ta_pass_replace_input(g, y, x);
          u.n_readers[y] = 0;
          changed = true;
        }
      }
      if (changed) {
        (*n_rewritten)++;
        any = true;
      }
    }
  }
  return TA_OK;
}
