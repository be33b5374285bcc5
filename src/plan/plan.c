/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c: greedy-by-size first-fit placement (TFLM's greedy planner idea): buffers are placed
 * largest first, each at the lowest offset where it overlaps no already placed buffer whose
 * lifetime intersects its own.
 */
#include "ta_plan.h"

#include <stdlib.h>
#include <string.h>

typedef struct buffer {
  int32_t first, last; /* op range, inclusive */
  size_t bytes;
  int64_t offset;
  int32_t tensor;      /* tensor index, or -1 for a scratch buffer */
  int32_t op;          /* op index for scratch */
} buffer;

static int by_size_desc(const void *a, const void *b) {
  const buffer *x = a, *y = b;
  if (x->bytes != y->bytes) return x->bytes < y->bytes ? 1 : -1;
  if (x->first != y->first) return x->first < y->first ? -1 : 1;
  return x->tensor < y->tensor ? -1 : (x->tensor > y->tensor);
}

static int by_offset(const void *a, const void *b) {
  const buffer *const *x = a, *const *y = b;
  return (*x)->offset < (*y)->offset ? -1 : ((*x)->offset > (*y)->offset);
}

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

static bool in_arena(const ta_graph *g, int32_t t) {
  const ta_tensor *tt = &g->tensors[t];
  return !ta_tensor_is_const(tt) && !(tt->flags & (TA_TENSOR_INPUT | TA_TENSOR_OUTPUT));
}

/* Lifetimes from the calls (what the generated code actually touches), not the op lists. */
static void lifetimes(const ta_graph *g, const ta_kernel_call *calls, int32_t *first,
                      int32_t *last) {
  for (int32_t t = 0; t < g->n_tensors; t++) first[t] = last[t] = -2;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_kernel_call *c = &calls[i];
    const ta_op *op = &g->ops[i];
    /* An op without a kernel still "writes" its outputs for lifetime purposes. */
    int32_t n_out = c->kernel >= 0 ? c->n_out : op->n_out;
    const int32_t *outs = c->kernel >= 0 ? c->out : op->out;
    int32_t n_in = c->kernel >= 0 ? c->n_in : op->n_in;
    const int32_t *ins = c->kernel >= 0 ? c->in : op->in;
    for (int32_t k = 0; k < n_out; k++) {
      int32_t t = outs[k];
      if (t < 0) continue;
      if (first[t] == -2) first[t] = i;
      if (last[t] < i) last[t] = i;
    }
    for (int32_t k = 0; k < n_in; k++) {
      int32_t t = ins[k];
      if (t < 0) continue;
      if (first[t] == -2) first[t] = -1;
      if (last[t] < i) last[t] = i;
    }
  }
}

ta_status ta_plan_build(ta_graph *g, const ta_kernel_call *calls, size_t alignment,
                        ta_plan *plan) {
  ta_ctx *ctx = g->ctx;
  memset(plan, 0, sizeof *plan);
  if (alignment == 0 || (alignment & (alignment - 1)))
    return ta_err(ctx, TA_ERR_USAGE, "arena alignment %zu is not a power of two", alignment);
  plan->alignment = alignment;
  size_t nt = (size_t)(g->n_tensors > 0 ? g->n_tensors : 1);
  size_t no = (size_t)(g->n_ops > 0 ? g->n_ops : 1);
  plan->tensor_offset = ta_new_array(ctx, nt, sizeof(int64_t));
  plan->scratch_offset = ta_new_array(ctx, no, sizeof(int64_t));
  plan->first_op = ta_new_array(ctx, nt, sizeof(int32_t));
  plan->last_op = ta_new_array(ctx, nt, sizeof(int32_t));
  buffer *bufs = ta_new_array(ctx, nt + no, sizeof(buffer));
  buffer **placed = ta_new_array(ctx, nt + no, sizeof(buffer *));
  if (!plan->tensor_offset || !plan->scratch_offset || !plan->first_op || !plan->last_op ||
      !bufs || !placed)
    return TA_ERR_LIMIT;
  lifetimes(g, calls, plan->first_op, plan->last_op);

  size_t n = 0;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    plan->tensor_offset[t] = -1;
    if (!in_arena(g, t) || plan->first_op[t] == -2) continue;
    size_t bytes;
    if (!ta_tensor_bytes(&g->tensors[t], &bytes))
      return ta_tensor_err(g, t, TA_ERR_LIMIT, "size of this tensor overflows");
    bufs[n++] = (buffer){plan->first_op[t] < 0 ? 0 : plan->first_op[t], plan->last_op[t],
                         align_up(bytes ? bytes : 1, alignment), -1, t, -1};
  }
  for (int32_t i = 0; i < g->n_ops; i++) {
    plan->scratch_offset[i] = -1;
    if (calls[i].kernel >= 0 && calls[i].scratch_bytes > 0)
      bufs[n++] = (buffer){i, i, align_up(calls[i].scratch_bytes, alignment), -1, -1, i};
  }
  qsort(bufs, n, sizeof *bufs, by_size_desc);

  size_t arena = 0;
  for (size_t i = 0; i < n; i++) {
    buffer *b = &bufs[i];
    size_t np = 0;
    for (size_t j = 0; j < i; j++)
      if (bufs[j].first <= b->last && b->first <= bufs[j].last) placed[np++] = &bufs[j];
    qsort(placed, np, sizeof *placed, by_offset);
    size_t off = 0;
    for (size_t j = 0; j < np; j++) {
      size_t start = (size_t)placed[j]->offset;
      if (start >= off + b->bytes) break; /* fits in the gap before this one */
      size_t end = start + placed[j]->bytes;
      if (end > off) off = end;
    }
    b->offset = (int64_t)off;
    if (off + b->bytes > arena) arena = off + b->bytes;
    if (b->tensor >= 0) plan->tensor_offset[b->tensor] = b->offset;
    else plan->scratch_offset[b->op] = b->offset;
  }
  plan->arena_bytes = arena;

  /* Lower bound for this op order: the most bytes live at any one op. */
  for (int32_t i = 0; i < g->n_ops; i++) {
    size_t live = 0;
    for (size_t k = 0; k < n; k++)
      if (bufs[k].first <= i && i <= bufs[k].last) live += bufs[k].bytes;
    if (live > plan->lower_bound_bytes) plan->lower_bound_bytes = live;
  }
  return ta_plan_verify(g, calls, plan);
}

ta_status ta_plan_verify(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan) {
  (void)calls;
  /* Collect (range, interval) of every placed buffer and compare all pairs: quadratic, but
   * independent of the placement logic above, which is the point. */
  for (int32_t a = -g->n_ops; a < g->n_tensors; a++) {
    int64_t oa = a >= 0 ? plan->tensor_offset[a] : plan->scratch_offset[-a - 1];
    if (oa < 0) continue;
    size_t sa = 0;
    int32_t fa, la;
    if (a >= 0) {
      ta_tensor_bytes(&g->tensors[a], &sa);
      fa = plan->first_op[a] < 0 ? 0 : plan->first_op[a];
      la = plan->last_op[a];
    } else {
      sa = calls[-a - 1].scratch_bytes;
      fa = la = -a - 1;
    }
    if ((size_t)oa + sa > plan->arena_bytes)
      return ta_err(g->ctx, TA_ERR_INTERNAL, "memory plan: buffer %d ends past the arena", a);
    for (int32_t b = a + 1; b < g->n_tensors; b++) {
      int64_t ob = b >= 0 ? plan->tensor_offset[b] : plan->scratch_offset[-b - 1];
      if (ob < 0) continue;
      size_t sb = 0;
      int32_t fb, lb;
      if (b >= 0) {
        ta_tensor_bytes(&g->tensors[b], &sb);
        fb = plan->first_op[b] < 0 ? 0 : plan->first_op[b];
        lb = plan->last_op[b];
      } else {
        sb = calls[-b - 1].scratch_bytes;
        fb = lb = -b - 1;
      }
      bool time = fa <= lb && fb <= la;
      bool space = oa < ob + (int64_t)sb && ob < oa + (int64_t)sa;
      if (time && space)
        return ta_err(g->ctx, TA_ERR_INTERNAL,
                      "memory plan: buffers %d and %d overlap in time and space", a, b);
    }
  }
  return TA_OK;
}
