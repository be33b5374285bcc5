/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_plan.h: static memory planning. Every activation that is neither a graph input nor a
 * graph output (those live in caller buffers), and every kernel's scratch buffer, gets a
 * fixed offset in ONE arena. A buffer lives from the op that writes it to the last op that
 * reads it; two buffers may share bytes only when their lifetimes do not overlap.
 */
#ifndef TA_PLAN_H
#define TA_PLAN_H

#include "ta_ops.h"

typedef struct ta_plan {
  size_t arena_bytes;
  size_t alignment;
  int64_t *tensor_offset;  /* per tensor: arena offset, or -1 (constant / caller buffer) */
  int64_t *scratch_offset; /* per op: arena offset of its scratch, or -1 */
  int32_t *first_op;       /* per tensor: op index that writes it (-1: before op 0) */
  int32_t *last_op;        /* per tensor: last op index that reads it */
  size_t lower_bound_bytes; /* max over ops of the bytes live at that op */
} ta_plan;

/* Plan the arena for g with the prepared calls. alignment must be a power of two. */
ta_status ta_plan_build(ta_graph *g, const ta_kernel_call *calls, size_t alignment,
                        ta_plan *plan);

/* Independent check that no two simultaneously live buffers overlap and all lie inside the
 * arena. TA_OK or TA_ERR_INTERNAL with the offending pair reported. */
ta_status ta_plan_verify(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan);

#endif
