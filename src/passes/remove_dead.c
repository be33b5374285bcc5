/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remove_dead.c: an op none of whose outputs is read (by an op or as a graph output)  =>
 * gone; repeated until nothing changes (removing a reader can make its producer dead).
 */
#include "ta_passes.h"

ta_status ta_pass_remove_dead(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  for (;;) {
    ta_uses u;
    if (ta_uses_build(g, &u) != TA_OK)
      return TA_ERR_LIMIT;
    bool *dead = ta_new_array(g->ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof *dead);
    if (!dead)
      return TA_ERR_LIMIT;
    int32_t n = 0;
    for (int32_t i = g->n_ops - 1; i >= 0; i--) {
      const ta_op *op = &g->ops[i];
      bool used = false;
      for (int32_t k = 0; k < op->n_out; k++)
        if (op->out[k] >= 0 && u.n_readers[op->out[k]] > 0)
          used = true;
      if (used)
        continue;
      dead[i] = true;
      n++;
      /* Its inputs lose a reader now, so producers earlier in the order may die too. */
      for (int32_t k = 0; k < op->n_in; k++)
        if (op->in[k] >= 0)
          u.n_readers[op->in[k]]--;
    }
    ta_pass_compact(g, dead);
    *n_rewritten += n;
    if (n == 0)
      return TA_OK;
  }
}
