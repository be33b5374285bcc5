/* SPDX-License-Identifier: Apache-2.0 */
/* passes.c: the pipeline of passes (see ta_passes.h for the order and why). */
#include "ta_passes.h"

ta_status ta_passes_run(ta_graph *g) {
  ta_status (*const passes[])(ta_graph *, int32_t *) = {
      ta_pass_qdq,
      ta_pass_remove_dead,
      ta_pass_fold_constants,
      ta_pass_cancel_transposes,
      ta_pass_remove_dead,
      ta_pass_fold_batchnorm,
      ta_pass_fuse_activation,
      ta_pass_transpose_into_fc,
      ta_pass_remove_dead,
  };
  for (size_t i = 0; i < TA_ARRAY_LEN(passes); i++) {
    int32_t n;
    ta_status st = passes[i](g, &n);
    if (st != TA_OK)
      return st;
    if (g->ctx->oom)
      return TA_ERR_LIMIT;
  }
  return TA_OK;
}
