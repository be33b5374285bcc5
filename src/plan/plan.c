/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c: static memory planning (see ta_plan.h for the steps).
 *
 * Storage groups: tensors that share bytes (a RESHAPE output and its input; an in-place
 * output and the input it overwrites) are joined with union-find. A group lives from the
 * first write of any member to the last read of any member, and is placed once. A group may
 * contain at most one caller buffer (a graph input or output); it is then stored there, and a
 * group holding a graph input is never written.
 */
#include "ta_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_backend.h"
#include "ta_backend_desc.h"
#include "ta_schedule.h"

void ta_plan_options_default(ta_plan_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->alignment = 4;
  opt->max_arena_bytes = TA_PLAN_MAX_ARENA_DEFAULT;
}

static size_t align_up(size_t v, size_t a) {
  return (v + a - 1) & ~(a - 1);
}

static bool is_caller(const ta_tensor *t) {
  return (t->flags & (TA_TENSOR_INPUT | TA_TENSOR_OUTPUT)) != 0;
}

/* ---- Op order ------------------------------------------------------------------------- */

/* Exact search over topological orders, by subsets of scheduled ops: the live set after a
 * subset S does not depend on the order within S, so the best peak to reach S is memoised.
 * Graphs without branches have one order and cost nothing. Budget-limited; on exhaustion the
 * best complete order found so far (or the model's) is kept. */
typedef struct order_search {
  const ta_graph *g;
  int32_t n;
  size_t *tbytes;       /* per tensor: bytes if it occupies the arena, else 0 */
  int32_t *n_consumers; /* per tensor: ops reading it */
  uint64_t *pred_mask;  /* per op: ops that must run before it */
  size_t *scratch;      /* per op */
  /* memo: open addressing on subset masks */
  uint64_t *memo_key;
  size_t *memo_val;
  size_t memo_cap, memo_used;
  long budget;
  int32_t *cur, *best;
  size_t best_peak;
} order_search;

static size_t *memo_slot(order_search *s, uint64_t key, bool *found) {
  *found = false;
  if (s->memo_used * 4 >= s->memo_cap * 3)
    return NULL; /* full: search goes on unmemoised */
  size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (s->memo_cap - 1);
  while (s->memo_key[h] != 0 && s->memo_key[h] != key)
    h = (h + 1) & (s->memo_cap - 1);
  *found = s->memo_key[h] == key;
  if (!*found)
    s->memo_used++;
  s->memo_key[h] = key;
  return &s->memo_val[h];
}

/* Bytes live after the ops in `done` ran: produced (or graph inputs) and still needed. */
static size_t live_after(order_search *s, uint64_t done) {
  const ta_graph *g = s->g;
  size_t live = 0;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (!s->tbytes[t])
      continue;
    const ta_tensor *tt = &g->tensors[t];
    bool produced = tt->producer < 0 ? true : ((done >> tt->producer) & 1);
    if (!produced)
      continue;
    bool needed = (tt->flags & TA_TENSOR_OUTPUT) != 0;
    for (int32_t i = 0; i < s->n && !needed; i++) {
      if ((done >> i) & 1)
        continue;
      const ta_op *op = &g->ops[i];
      for (int32_t k = 0; k < op->n_in; k++)
        if (op->in[k] == t)
          needed = true;
    }
    if (needed)
      live += s->tbytes[t];
  }
  return live;
}

static void search(order_search *s, uint64_t done, int32_t depth, size_t peak) {
  if (s->budget-- <= 0)
    return;
  if (peak >= s->best_peak)
    return;
  if (depth == s->n) {
    s->best_peak = peak;
    memcpy(s->best, s->cur, (size_t)s->n * sizeof(int32_t));
    return;
  }
  bool found;
  size_t *memo = memo_slot(s, done | (1ull << 63), &found);
  if (memo) {
    if (found && *memo <= peak)
      return;
    *memo = peak;
  }
  size_t live = live_after(s, done);
  for (int32_t i = 0; i < s->n; i++) {
    if ((done >> i) & 1)
      continue;
    if ((s->pred_mask[i] & done) != s->pred_mask[i])
      continue;
    const ta_op *op = &s->g->ops[i];
    size_t during = live + s->scratch[i];
    for (int32_t k = 0; k < op->n_out; k++)
      if (op->out[k] >= 0)
        during += s->tbytes[op->out[k]];
    s->cur[depth] = i;
    search(s, done | (1ull << i), depth + 1, during > peak ? during : peak);
  }
}

static ta_status choose_order(ta_graph *g, ta_kernel_call *calls, const ta_plan_options *opt,
                              bool *reordered) {
  *reordered = false;
  int32_t n = g->n_ops;
  if (opt->no_reorder || n < 3 || n > 62)
    return TA_OK;
  ta_ctx *ctx = g->ctx;
  order_search s = {0};
  s.g = g;
  s.n = n;
  s.tbytes = ta_new_array(ctx, (size_t)g->n_tensors, sizeof(size_t));
  s.pred_mask = ta_new_array(ctx, (size_t)n, sizeof(uint64_t));
  s.scratch = ta_new_array(ctx, (size_t)n, sizeof(size_t));
  s.memo_cap = 1u << 16;
  s.memo_key = ta_new_array(ctx, s.memo_cap, sizeof(uint64_t));
  s.memo_val = ta_new_array(ctx, s.memo_cap, sizeof(size_t));
  s.cur = ta_new_array(ctx, (size_t)n, sizeof(int32_t));
  s.best = ta_new_array(ctx, (size_t)n, sizeof(int32_t));
  if (!s.tbytes || !s.pred_mask || !s.scratch || !s.memo_key || !s.memo_val || !s.cur || !s.best)
    return TA_ERR_LIMIT;
  bool branches = false;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const ta_tensor *tt = &g->tensors[t];
    size_t bytes = 0;
    if (!ta_tensor_is_const(tt) && (opt->io_in_arena || !is_caller(tt)) &&
        ta_tensor_bytes(tt, &bytes))
      s.tbytes[t] = align_up(bytes ? bytes : 1, opt->alignment);
  }
  for (int32_t i = 0; i < n; i++) {
    const ta_op *op = &g->ops[i];
    s.scratch[i] = align_up(calls[i].scratch_bytes, opt->alignment);
    for (int32_t k = 0; k < op->n_in; k++) {
      int32_t t = op->in[k];
      if (t >= 0 && g->tensors[t].producer >= 0)
        s.pred_mask[i] |= 1ull << g->tensors[t].producer;
    }
    if (s.pred_mask[i] != (i ? 1ull << (i - 1) : 0))
      branches = true;
  }
  if (!branches)
    return TA_OK; /* a chain: one order */
  /* The model's order is the first candidate. */
  s.best_peak = SIZE_MAX;
  size_t peak = 0;
  uint64_t done = 0;
  for (int32_t i = 0; i < n; i++) {
    size_t during = live_after(&s, done) + s.scratch[i];
    for (int32_t k = 0; k < g->ops[i].n_out; k++)
      if (g->ops[i].out[k] >= 0)
        during += s.tbytes[g->ops[i].out[k]];
    if (during > peak)
      peak = during;
    done |= 1ull << i;
    s.best[i] = i;
  }
  s.best_peak = peak;
  s.budget = 20000;
  search(&s, 0, 0, 0);
  bool same = true;
  for (int32_t i = 0; i < n; i++)
    same = same && s.best[i] == i;
  if (same)
    return TA_OK;
  /* Permute ops and calls. */
  ta_op *ops = ta_new_array(ctx, (size_t)n, sizeof(ta_op));
  ta_kernel_call *cs = ta_new_array(ctx, (size_t)n, sizeof(ta_kernel_call));
  if (!ops || !cs)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < n; i++) {
    ops[i] = g->ops[s.best[i]];
    cs[i] = calls[s.best[i]];
  }
  memcpy(g->ops, ops, (size_t)n * sizeof(ta_op));
  memcpy(calls, cs, (size_t)n * sizeof(ta_kernel_call));
  *reordered = true;
  return ta_graph_check(g); /* recomputes producers; must still be topological */
}

/* ---- Storage groups ------------------------------------------------------------------- */

static int32_t find(int32_t *parent, int32_t t) {
  while (parent[t] != t) {
    parent[t] = parent[parent[t]];
    t = parent[t];
  }
  return t;
}

/* Per-tensor first write / last read over the calls (what the code touches). Ops without a
 * kernel still count: a view is read and written at that op. */
static void tensor_lifetimes(const ta_graph *g, const ta_kernel_call *calls, int32_t *first,
                             int32_t *last) {
  for (int32_t t = 0; t < g->n_tensors; t++)
    first[t] = last[t] = -2;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    const ta_kernel_call *c = &calls[i];
    bool k = c->kernel >= 0;
    for (int32_t j = 0; j < (k ? c->n_out : op->n_out); j++) {
      int32_t t = k ? c->out[j] : op->out[j];
      if (t < 0)
        continue;
      if (first[t] == -2)
        first[t] = i;
      if (last[t] < i)
        last[t] = i;
    }
    for (int32_t j = 0; j < (k ? c->n_in : op->n_in); j++) {
      int32_t t = k ? c->in[j] : op->in[j];
      if (t < 0)
        continue;
      if (first[t] == -2)
        first[t] = -1;
      if (last[t] < i)
        last[t] = i;
    }
  }
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (g->tensors[t].flags & TA_TENSOR_INPUT)
      first[t] = -1;
    if ((g->tensors[t].flags & TA_TENSOR_OUTPUT) && first[t] != -2)
      last[t] = g->n_ops;
    /* Recurrent state outlives the run: no other buffer may ever share its bytes. */
    if ((g->tensors[t].flags & TA_TENSOR_STATE) && first[t] != -2)
      first[t] = -1, last[t] = g->n_ops;
  }
}

/* Join the storage of a and b unless the merged group would hold two caller buffers, or
 * would be written (`writes`: an in-place op) while holding a graph input. */
static bool try_join(const ta_graph *g, int32_t *parent, int32_t a, int32_t b, bool writes) {
  int32_t ra = find(parent, a), rb = find(parent, b);
  if (ra == rb)
    return true;
  int32_t callers = 0;
  bool has_input = false;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    int32_t r = find(parent, t);
    if ((r != ra && r != rb) || !is_caller(&g->tensors[t]))
      continue;
    callers++;
    has_input = has_input || (g->tensors[t].flags & TA_TENSOR_INPUT);
  }
  if (callers > 1 || (writes && has_input))
    return false;
  parent[rb] = ra;
  return true;
}

static ta_status build_groups(ta_graph *g, ta_kernel_call *calls, const ta_plan_options *opt,
                              ta_plan *plan, int32_t *parent) {
  int32_t nt = g->n_tensors;
  for (int32_t t = 0; t < nt; t++)
    parent[t] = t;
  int32_t *first = plan->first_op, *last = plan->last_op;
  tensor_lifetimes(g, calls, first, last);
  /* 1. Outputs of views (TA_OPF_VIEW: RESHAPE) are their inputs' bytes. */
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    if (!ta_op_has_flag(op->kind, TA_OPF_VIEW) || op->n_in < 1 || op->n_out != 1)
      continue;
    int32_t x = op->in[0], y = op->out[0];
    if (x < 0 || y < 0 || ta_tensor_is_const(&g->tensors[x]))
      continue;
    size_t bx = 0, by = 0;
    if (!ta_tensor_bytes(&g->tensors[x], &bx) || !ta_tensor_bytes(&g->tensors[y], &by) || bx != by)
      continue;
    if (!try_join(g, parent, x, y, false))
      continue;
    calls[i].kernel = -1;
    plan->n_aliased++;
  }
  /* 2. In place: the output overwrites an input whose storage dies at this op, when the op's
   * scheduled variant, or an in-place form of it, allows that operand. */
  if (!opt->no_inplace) {
    for (int32_t i = 0; i < g->n_ops; i++) {
      ta_op *op = &g->ops[i];
      ta_kernel_call *c = &calls[i];
      if (c->kernel < 0 || !c->variant || c->n_out < 1 || c->out[0] < 0)
        continue;
      for (int32_t k = 0; k < c->n_in; k++) {
        int32_t x = c->in[k];
        if (x < 0 || ta_tensor_is_const(&g->tensors[x]))
          continue;
        /* Every member of x's storage must be dead after op i. */
        int32_t rx = find(parent, x);
        bool dies = true;
        for (int32_t t = 0; t < nt && dies; t++)
          if (find(parent, t) == rx && last[t] > i)
            dies = false;
        /* ...and no other operand of this op may read the same storage. */
        for (int32_t j = 0; j < c->n_in && dies; j++)
          if (j != k && c->in[j] >= 0 && find(parent, c->in[j]) == rx)
            dies = false;
        if (!dies)
          continue;
        const ta_variant *v = ta_sched_inplace_variant(g, op, c, k);
        if (!v || !try_join(g, parent, x, c->out[0], true))
          continue;
        ta_status st = ta_sched_set_inplace(g, op, c, v);
        if (st != TA_OK)
          return st;
        plan->n_inplace++;
        break;
      }
    }
  }
  /* A group's representative is its caller buffer when it has one (that is where its bytes
   * live), else the union-find root. */
  for (int32_t t = 0; t < nt; t++)
    plan->root[t] = find(parent, t);
  for (int32_t t = 0; t < nt; t++)
    if (is_caller(&g->tensors[t]))
      parent[plan->root[t]] = t;
  for (int32_t t = 0; t < nt; t++)
    plan->root[t] = parent[plan->root[t]];
  return TA_OK;
}

/* ---- Placement ------------------------------------------------------------------------ */

typedef struct strategy {
  const char *name;
  int (*cmp)(const void *, const void *);
} strategy;

typedef struct keyed {
  const ta_plan_buf *b;
  size_t idx;
} keyed;

static int cmp_size(const void *pa, const void *pb) {
  const ta_plan_buf *a = ((const keyed *)pa)->b, *b = ((const keyed *)pb)->b;
  if (a->bytes != b->bytes)
    return a->bytes < b->bytes ? 1 : -1;
  if (a->first != b->first)
    return a->first < b->first ? -1 : 1;
  return ((const keyed *)pa)->idx < ((const keyed *)pb)->idx ? -1 : 1;
}

static int cmp_area(const void *pa, const void *pb) {
  const ta_plan_buf *a = ((const keyed *)pa)->b, *b = ((const keyed *)pb)->b;
  double x = (double)a->bytes * (a->last - a->first + 1);
  double y = (double)b->bytes * (b->last - b->first + 1);
  if (x != y)
    return x < y ? 1 : -1;
  return cmp_size(pa, pb);
}

static int cmp_start(const void *pa, const void *pb) {
  const ta_plan_buf *a = ((const keyed *)pa)->b, *b = ((const keyed *)pb)->b;
  if (a->first != b->first)
    return a->first < b->first ? -1 : 1;
  return cmp_size(pa, pb);
}

static int cmp_length(const void *pa, const void *pb) {
  const ta_plan_buf *a = ((const keyed *)pa)->b, *b = ((const keyed *)pb)->b;
  int32_t x = a->last - a->first, y = b->last - b->first;
  if (x != y)
    return x < y ? 1 : -1;
  return cmp_size(pa, pb);
}

static const strategy strategies[] = {
    {"greedy by size", cmp_size},
    {"greedy by size x lifetime", cmp_area},
    {"greedy by lifetime length", cmp_length},
    {"greedy by first use", cmp_start},
};

static int cmp_offset(const void *pa, const void *pb) {
  int64_t a = (*(const ta_plan_buf *const *)pa)->offset;
  int64_t b = (*(const ta_plan_buf *const *)pb)->offset;
  return a < b ? -1 : (a > b);
}

/* First fit in the given order: each buffer at the lowest offset free of every placed buffer
 * whose lifetime intersects its own. */
static size_t place_in_order(ta_plan_buf *bufs, const keyed *order, size_t n,
                             const ta_plan_buf **scratch) {
  size_t arena = 0;
  for (size_t i = 0; i < n; i++)
    bufs[i].offset = -1;
  for (size_t i = 0; i < n; i++) {
    ta_plan_buf *b = &bufs[order[i].idx];
    size_t np = 0;
    for (size_t j = 0; j < i; j++) {
      const ta_plan_buf *p = &bufs[order[j].idx];
      if (p->first <= b->last && b->first <= p->last)
        scratch[np++] = p;
    }
    qsort(scratch, np, sizeof *scratch, cmp_offset);
    size_t off = 0;
    for (size_t j = 0; j < np; j++) {
      size_t start = (size_t)scratch[j]->offset;
      if (start >= off + b->bytes)
        break;
      size_t end = start + scratch[j]->bytes;
      if (end > off)
        off = end;
    }
    b->offset = (int64_t)off;
    if (off + b->bytes > arena)
      arena = off + b->bytes;
  }
  return arena;
}

size_t ta_plan_place(ta_plan_buf *bufs, size_t n, const char **strategy_name) {
  if (strategy_name)
    *strategy_name = "empty";
  if (n == 0)
    return 0;
  keyed *order = malloc(n * sizeof *order);
  const ta_plan_buf **scratch = malloc(n * sizeof *scratch);
  int64_t *best = malloc(n * sizeof *best);
  if (!order || !scratch || !best) {
    /* Fallback without memory: stack everything. Correct, just not small. */
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
      bufs[i].offset = (int64_t)off;
      off += bufs[i].bytes;
    }
    free(order);
    free(scratch);
    free(best);
    return off;
  }
  size_t best_arena = SIZE_MAX;
  for (size_t s = 0; s < TA_ARRAY_LEN(strategies); s++) {
    for (size_t i = 0; i < n; i++)
      order[i] = (keyed){&bufs[i], i};
    qsort(order, n, sizeof *order, strategies[s].cmp);
    size_t arena = place_in_order(bufs, order, n, scratch);
    if (arena < best_arena) {
      best_arena = arena;
      for (size_t i = 0; i < n; i++)
        best[i] = bufs[i].offset;
      if (strategy_name)
        *strategy_name = strategies[s].name;
    }
  }
  for (size_t i = 0; i < n; i++)
    bufs[i].offset = best[i];
  free(order);
  free(scratch);
  free(best);
  return best_arena;
}

size_t ta_plan_lower_bound(const ta_plan_buf *bufs, size_t n) {
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (size_t i = 0; i < n; i++) {
    if (bufs[i].first < lo)
      lo = bufs[i].first;
    if (bufs[i].last > hi)
      hi = bufs[i].last;
  }
  size_t bound = 0;
  for (int32_t op = lo; op <= hi && n; op++) {
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
      if (bufs[i].first <= op && op <= bufs[i].last)
        live += bufs[i].bytes;
    if (live > bound)
      bound = live;
  }
  return bound;
}

bool ta_plan_check_bufs(const ta_plan_buf *bufs, size_t n, size_t arena, size_t *a, size_t *b) {
  for (size_t i = 0; i < n; i++) {
    if (bufs[i].offset < 0 || (size_t)bufs[i].offset + bufs[i].bytes > arena) {
      *a = i;
      *b = (size_t)-1;
      return false;
    }
    for (size_t j = i + 1; j < n; j++) {
      bool time = bufs[i].first <= bufs[j].last && bufs[j].first <= bufs[i].last;
      bool space = bufs[i].offset < bufs[j].offset + (int64_t)bufs[j].bytes &&
                   bufs[j].offset < bufs[i].offset + (int64_t)bufs[i].bytes;
      if (time && space) {
        *a = i;
        *b = j;
        return false;
      }
    }
  }
  return true;
}

/* ---- Backend memory pools ------------------------------------------------------------- */

/* The index in plan->pools of the pool bp (declared in the description file src by backend
 * be), added on first sight. Two backends naming the same pool must agree on its size. */
static ta_status pool_index(ta_graph *g, ta_plan *plan, const ta_backend *be,
                            const ta_backend_pool *bp, const char *src, int32_t *idx) {
  size_t align = bp->alignment > plan->opt.alignment ? bp->alignment : plan->opt.alignment;
  for (int32_t k = 0; k < plan->n_pools; k++) {
    ta_plan_pool *p = &plan->pools[k];
    if (strcmp(p->name, bp->name) != 0)
      continue;
    if (p->capacity != bp->bytes || p->alignment != align || p->weights != bp->weights_in_pool)
      return ta_err(g->ctx, TA_ERR_USAGE,
                    "%s: memory_pool \"%s\" differs from the pool of that name in %s (backend "
                    "%s): one pool, one size, alignment and weights placement",
                    src, bp->name, p->source, p->backend);
    *idx = k;
    return TA_OK;
  }
  if (bp->bytes > SIZE_MAX / 4)
    return ta_err(g->ctx, TA_ERR_LIMIT,
                  "%s: memory_pool \"%s\": %llu bytes is more than tinyaot "
                  "can plan",
                  src, bp->name, (unsigned long long)bp->bytes);
  *idx = plan->n_pools++;
  plan->pools[*idx] = (ta_plan_pool){.name = bp->name,
                                     .backend = be->name,
                                     .source = src,
                                     .capacity = (size_t)bp->bytes,
                                     .alignment = align,
                                     .weights = bp->weights_in_pool};
  return TA_OK;
}

/* Mark the storage of every tensor an op of a backend with a pool reads or writes (and its
 * constants, for a pool holding weights) with that pool in plan->tensor_pool; cfirst/clast
 * receive a pooled constant's first and last reader. */
static ta_status assign_pools(ta_graph *g, const ta_kernel_call *calls, ta_plan *plan,
                              int32_t *cfirst, int32_t *clast) {
  for (int32_t t = 0; t < g->n_tensors; t++)
    plan->tensor_pool[t] = -1, cfirst[t] = -2, clast[t] = -2;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_kernel_call *c = &calls[i];
    const char *src = NULL;
    const ta_backend *be = ta_backend_of(c);
    const ta_backend_pool *bp = c->kernel >= 0 ? ta_backend_pool_of(be, &src) : NULL;
    if (!bp)
      continue;
    int32_t k = -1;
    ta_status st = pool_index(g, plan, be, bp, src, &k);
    if (st != TA_OK)
      return st;
    for (int32_t j = 0; j < c->n_in + c->n_out; j++) {
      int32_t t = j < c->n_in ? c->in[j] : c->out[j - c->n_in];
      if (t < 0)
        continue;
      if (ta_tensor_is_const(&g->tensors[t])) {
        if (bp->weights_in_pool)
          plan->tensor_pool[t] = k;
        continue;
      }
      int32_t r = plan->root[t];
      if (plan->tensor_pool[r] >= 0 && plan->tensor_pool[r] != k)
        return ta_tensor_err(g, t, TA_ERR_UNSUPPORTED,
                             "an operand of backend %s (memory pool \"%s\", %s) and of backend "
                             "%s (memory pool \"%s\", %s): tinyaot does not copy tensors "
                             "between two pools",
                             plan->pools[plan->tensor_pool[r]].backend,
                             plan->pools[plan->tensor_pool[r]].name,
                             plan->pools[plan->tensor_pool[r]].source, be->name, bp->name, src);
      plan->tensor_pool[r] = k;
    }
  }
  /* A pooled constant lives from its first reader (it is copied in there) to its last. */
  for (int32_t i = 0; i < g->n_ops; i++)
    for (int32_t j = 0; calls[i].kernel >= 0 && j < calls[i].n_in; j++) {
      int32_t t = calls[i].in[j];
      if (t < 0 || plan->tensor_pool[t] < 0 || !ta_tensor_is_const(&g->tensors[t]))
        continue;
      if (cfirst[t] == -2)
        cfirst[t] = i;
      clast[t] = i;
    }
  /* Members share their group's pool. */
  for (int32_t t = 0; t < g->n_tensors; t++)
    if (!ta_tensor_is_const(&g->tensors[t]))
      plan->tensor_pool[t] = plan->tensor_pool[plan->root[t]];
  return TA_OK;
}

/* The description file, pool and reason of a pool that cannot hold its tensors. */
static ta_status pool_too_small(ta_graph *g, const ta_plan_pool *p, const ta_plan_buf *bufs,
                                const int32_t *owner, size_t n) {
  /* One tensor larger than the pool: name it. */
  for (size_t i = 0; i < n; i++) {
    const ta_tensor *tt = &g->tensors[owner[i]];
    size_t bytes = 0;
    ta_tensor_bytes(tt, &bytes);
    if (bytes <= p->capacity)
      continue;
    char shape[96];
    ta_shape_str(tt, shape, sizeof shape);
    return ta_err(g->ctx, TA_ERR_LIMIT,
                  "%s: memory_pool \"%s\" of %zu bytes is too small for tensor %d \"%s\" (%s %s, "
                  "%zu bytes), an operand of backend %s",
                  p->source, p->name, p->capacity, owner[i], tt->name ? tt->name : "",
                  ta_dtype_name(tt->dtype), shape, bytes, p->backend);
  }
  /* Else the peak: the op where the most pool bytes are live, and its largest tensor. */
  int32_t peak_op = 0;
  size_t peak = 0;
  for (int32_t op = 0; op < g->n_ops; op++) {
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
      if (bufs[i].first <= op && op <= bufs[i].last)
        live += bufs[i].bytes;
    if (live > peak)
      peak = live, peak_op = op;
  }
  size_t big = 0;
  for (size_t i = 1; i < n; i++)
    if (bufs[i].first <= peak_op && peak_op <= bufs[i].last &&
        (bufs[big].first > peak_op || peak_op > bufs[big].last || bufs[i].bytes > bufs[big].bytes))
      big = i;
  const ta_tensor *tt = &g->tensors[owner[big]];
  return ta_err(g->ctx, TA_ERR_LIMIT,
                "%s: memory_pool \"%s\" of %zu bytes is too small: its tensors need %zu bytes at "
                "their peak (%zu live at op %d %s, the largest tensor %d \"%s\" of %zu bytes), "
                "an operand of backend %s",
                p->source, p->name, p->capacity, p->bytes, peak, g->ops[peak_op].src_index,
                ta_op_kind_name(g->ops[peak_op].kind), owner[big], tt->name ? tt->name : "",
                bufs[big].bytes, p->backend);
}

/* Place every pool's buffers: storage groups (first..last given per root by gfirst/glast) and
 * constants (cfirst/clast); offsets into plan->tensor_offset. */
static ta_status place_pools(ta_graph *g, ta_plan *plan, const int32_t *gfirst,
                             const int32_t *glast, const int32_t *cfirst, const int32_t *clast) {
  ta_ctx *ctx = g->ctx;
  size_t nt = (size_t)(g->n_tensors > 0 ? g->n_tensors : 1);
  ta_plan_buf *bufs = ta_new_array(ctx, nt, sizeof(ta_plan_buf));
  int32_t *owner = ta_new_array(ctx, nt, sizeof(int32_t));
  if (!bufs || !owner)
    return TA_ERR_LIMIT;
  for (int32_t k = 0; k < plan->n_pools; k++) {
    ta_plan_pool *p = &plan->pools[k];
    size_t n = 0;
    for (int32_t t = 0; t < g->n_tensors; t++) {
      if (plan->tensor_pool[t] != k)
        continue;
      bool is_c = ta_tensor_is_const(&g->tensors[t]);
      if (!is_c && (plan->root[t] != t || glast[t] == -2))
        continue;
      int32_t f = is_c ? cfirst[t] : gfirst[t], l = is_c ? clast[t] : glast[t];
      if (is_c && f == -2) {
        plan->tensor_pool[t] = -1; /* read by no kernel: stays in flash */
        continue;
      }
      f = f < 0 ? 0 : f;
      l = l > g->n_ops - 1 ? g->n_ops - 1 : l;
      if (l < f)
        l = f;
      size_t bytes;
      if (!ta_tensor_bytes(&g->tensors[t], &bytes))
        return ta_tensor_err(g, t, TA_ERR_INTERNAL, "size of this tensor overflows");
      owner[n] = t;
      bufs[n++] = (ta_plan_buf){f, l, align_up(bytes ? bytes : 1, p->alignment), -1};
    }
    p->n_bufs = (int32_t)n;
    p->bytes = ta_plan_place(bufs, n, NULL);
    p->lower_bound = ta_plan_lower_bound(bufs, n);
    if (p->bytes > p->capacity)
      return pool_too_small(g, p, bufs, owner, n);
    size_t a, b;
    if (!ta_plan_check_bufs(bufs, n, p->bytes, &a, &b))
      return ta_err(ctx, TA_ERR_INTERNAL, "memory pool %s: buffers %zu and %zu overlap", p->name, a,
                    b);
    for (size_t i = 0; i < n; i++)
      plan->tensor_offset[owner[i]] = bufs[i].offset;
  }
  return TA_OK;
}

/* ---- The whole plan ------------------------------------------------------------------- */

ta_storage ta_plan_storage(const ta_graph *g, const ta_plan *plan, int32_t t, int32_t *index) {
  int32_t r = plan->root ? plan->root[t] : t;
  const ta_tensor *rt = &g->tensors[r];
  *index = r;
  if (plan->tensor_pool && plan->tensor_pool[r] >= 0) {
    *index = plan->tensor_pool[r];
    return TA_STORE_POOL;
  }
  if (ta_tensor_is_const(rt))
    return TA_STORE_CONST;
  if (plan->tensor_offset[r] >= 0)
    return TA_STORE_ARENA;
  for (int32_t k = 0; k < g->n_outputs; k++)
    if (g->outputs[k] == r) {
      *index = k;
      return TA_STORE_OUTPUT;
    }
  for (int32_t k = 0; k < g->n_inputs; k++)
    if (g->inputs[k] == r) {
      *index = k;
      return TA_STORE_INPUT;
    }
  return TA_STORE_ARENA;
}

/* Tensor t is larger than the limit, or its size overflows: refuse it, naming both sizes. */
static ta_status too_big(const ta_graph *g, int32_t t, const ta_plan_options *opt, bool overflows,
                         size_t bytes) {
  const ta_tensor *tt = &g->tensors[t];
  char shape[96];
  ta_shape_str(tt, shape, sizeof shape);
  if (overflows)
    return ta_tensor_err(g, t, TA_ERR_LIMIT, "shape %s of %s: its size in bytes overflows", shape,
                         ta_dtype_name(tt->dtype));
  if (opt->max_arena_bytes && bytes > opt->max_arena_bytes)
    return ta_tensor_err(g, t, TA_ERR_LIMIT,
                         "shape %s of %s needs %zu bytes, above the limit of %zu bytes "
                         "(--max-arena)",
                         shape, ta_dtype_name(tt->dtype), bytes, opt->max_arena_bytes);
  return ta_tensor_err(g, t, TA_ERR_LIMIT,
                       "shape %s of %s needs %zu bytes, more than tinyaot "
                       "can plan",
                       shape, ta_dtype_name(tt->dtype), bytes);
}

/* Every tensor the code touches (activations and graph inputs and outputs) and every scratch
 * buffer must fit under the limit; checked before any size is aligned or summed, so that with
 * at most n_bufs buffers each below SIZE_MAX / 4 / n_bufs no sum in the planner overflows. */
static ta_status check_sizes(ta_graph *g, const ta_kernel_call *calls, const ta_plan_options *opt,
                             size_t n_bufs) {
  size_t limit = SIZE_MAX / 4 / n_bufs;
  if (opt->max_arena_bytes && opt->max_arena_bytes < limit)
    limit = opt->max_arena_bytes;
  bool *used = ta_new_array(g->ctx, (size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof(bool));
  if (!used)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    for (int32_t k = 0; k < g->ops[i].n_in; k++)
      if (g->ops[i].in[k] >= 0 && g->ops[i].in[k] < g->n_tensors)
        used[g->ops[i].in[k]] = true;
    for (int32_t k = 0; k < g->ops[i].n_out; k++)
      if (g->ops[i].out[k] >= 0 && g->ops[i].out[k] < g->n_tensors)
        used[g->ops[i].out[k]] = true;
    for (int32_t k = 0; calls[i].kernel >= 0 && k < calls[i].n_in; k++)
      if (calls[i].in[k] >= 0 && calls[i].in[k] < g->n_tensors)
        used[calls[i].in[k]] = true;
    for (int32_t k = 0; calls[i].kernel >= 0 && k < calls[i].n_out; k++)
      if (calls[i].out[k] >= 0 && calls[i].out[k] < g->n_tensors)
        used[calls[i].out[k]] = true;
  }
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const ta_tensor *tt = &g->tensors[t];
    size_t bytes = 0;
    if (ta_tensor_is_const(tt) || !(used[t] || is_caller(tt)))
      continue;
    bool known = ta_tensor_bytes(tt, &bytes);
    if (!known || bytes > limit)
      return too_big(g, t, opt, !known, bytes);
  }
  for (int32_t i = 0; i < g->n_ops; i++)
    if (calls[i].kernel >= 0 && calls[i].scratch_bytes > limit)
      return ta_op_err(g, &g->ops[i], TA_ERR_LIMIT,
                       "its kernel needs %zu bytes of scratch memory, above the limit of %zu "
                       "bytes (--max-arena)",
                       calls[i].scratch_bytes, limit);
  return TA_OK;
}

ta_status ta_plan_build(ta_graph *g, ta_kernel_call *calls, const ta_plan_options *opt_in,
                        ta_plan *plan) {
  ta_ctx *ctx = g->ctx;
  ta_plan_options opt;
  if (opt_in)
    opt = *opt_in;
  else
    ta_plan_options_default(&opt);
  memset(plan, 0, sizeof *plan);
  if (opt.alignment == 0 || (opt.alignment & (opt.alignment - 1)) || opt.alignment > 4096)
    return ta_err(ctx, TA_ERR_USAGE, "arena alignment %zu is not a power of two up to 4096",
                  opt.alignment);
  plan->opt = opt;
  size_t nt = (size_t)(g->n_tensors > 0 ? g->n_tensors : 1);
  size_t no = (size_t)(g->n_ops > 0 ? g->n_ops : 1);
  ta_status st = check_sizes(g, calls, &opt, nt + no);
  if (st != TA_OK)
    return st;
  st = choose_order(g, calls, &opt, &plan->reordered);
  if (st != TA_OK)
    return st;

  plan->root = ta_new_array(ctx, nt, sizeof(int32_t));
  plan->tensor_offset = ta_new_array(ctx, nt, sizeof(int64_t));
  plan->scratch_offset = ta_new_array(ctx, no, sizeof(int64_t));
  plan->first_op = ta_new_array(ctx, nt, sizeof(int32_t));
  plan->last_op = ta_new_array(ctx, nt, sizeof(int32_t));
  plan->tensor_pool = ta_new_array(ctx, nt, sizeof(int32_t));
  plan->pools = ta_new_array(ctx, no, sizeof(ta_plan_pool));
  int32_t *cfirst = ta_new_array(ctx, nt, sizeof(int32_t));
  int32_t *clast = ta_new_array(ctx, nt, sizeof(int32_t));
  int32_t *parent = ta_new_array(ctx, nt, sizeof(int32_t));
  ta_plan_buf *bufs = ta_new_array(ctx, nt + no, sizeof(ta_plan_buf));
  int32_t *buf_owner = ta_new_array(ctx, nt + no, sizeof(int32_t)); /* root tensor or -1-op */
  if (!plan->root || !plan->tensor_offset || !plan->scratch_offset || !plan->first_op ||
      !plan->last_op || !plan->tensor_pool || !plan->pools || !cfirst || !clast || !parent ||
      !bufs || !buf_owner)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < g->n_tensors; t++)
    plan->tensor_pool[t] = -1;
  st = build_groups(g, calls, &opt, plan, parent);
  if (st != TA_OK)
    return st;

  /* Group lifetimes: union of the members'. */
  int32_t *gfirst = ta_new_array(ctx, nt, sizeof(int32_t));
  int32_t *glast = ta_new_array(ctx, nt, sizeof(int32_t));
  if (!gfirst || !glast)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < g->n_tensors; t++)
    gfirst[t] = INT32_MAX, glast[t] = -2;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (plan->first_op[t] == -2)
      continue;
    int32_t r = plan->root[t];
    if (plan->first_op[t] < gfirst[r])
      gfirst[r] = plan->first_op[t];
    if (plan->last_op[t] > glast[r])
      glast[r] = plan->last_op[t];
  }
  st = assign_pools(g, calls, plan, cfirst, clast);
  if (st != TA_OK)
    return st;
  for (int32_t t = 0; t < g->n_tensors; t++)
    plan->tensor_offset[t] = -1;
  st = place_pools(g, plan, gfirst, glast, cfirst, clast);
  if (st != TA_OK)
    return st;
  size_t n = 0;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const ta_tensor *tt = &g->tensors[t];
    if (plan->root[t] != t || glast[t] == -2 || ta_tensor_is_const(tt) || plan->tensor_pool[t] >= 0)
      continue;
    if (is_caller(tt) && !opt.io_in_arena)
      continue;
    size_t bytes;
    if (!ta_tensor_bytes(tt, &bytes))
      return ta_tensor_err(g, t, TA_ERR_INTERNAL, "size of this tensor overflows");
    int32_t f = gfirst[t] < 0 ? 0 : gfirst[t];
    int32_t l = glast[t] > g->n_ops - 1 ? g->n_ops - 1 : glast[t];
    if (l < f)
      l = f;
    buf_owner[n] = t;
    bufs[n++] = (ta_plan_buf){f, l, align_up(bytes ? bytes : 1, opt.alignment), -1};
  }
  for (int32_t i = 0; i < g->n_ops; i++) {
    plan->scratch_offset[i] = -1;
    if (calls[i].kernel < 0 || calls[i].scratch_bytes == 0)
      continue;
    if (calls[i].scratch_bytes > plan->scratch_bytes)
      plan->scratch_bytes = calls[i].scratch_bytes;
    buf_owner[n] = -1 - i;
    bufs[n++] = (ta_plan_buf){i, i, align_up(calls[i].scratch_bytes, opt.alignment), -1};
  }
  plan->arena_bytes = ta_plan_place(bufs, n, &plan->strategy);
  plan->lower_bound_bytes = ta_plan_lower_bound(bufs, n);
  if (opt.max_arena_bytes && plan->arena_bytes > opt.max_arena_bytes) {
    char need[32] = "", lim[32] = "";
    if (plan->arena_bytes >= 1048576)
      snprintf(need, sizeof need, " (%.1f MiB)", (double)plan->arena_bytes / 1048576.0);
    if (opt.max_arena_bytes >= 1048576)
      snprintf(lim, sizeof lim, " (%.1f MiB)", (double)opt.max_arena_bytes / 1048576.0);
    return ta_err(ctx, TA_ERR_LIMIT,
                  "the memory plan needs an arena of %zu bytes%s, above the limit of %zu "
                  "bytes%s; raise it with --max-arena BYTES if the target has that much RAM",
                  plan->arena_bytes, need, opt.max_arena_bytes, lim);
  }
  size_t a, b;
  if (!ta_plan_check_bufs(bufs, n, plan->arena_bytes, &a, &b))
    return ta_err(ctx, TA_ERR_INTERNAL, "memory plan: buffers %zu and %zu overlap", a, b);
  for (size_t i = 0; i < n; i++) {
    if (buf_owner[i] >= 0)
      plan->tensor_offset[buf_owner[i]] = bufs[i].offset;
    else
      plan->scratch_offset[-1 - buf_owner[i]] = bufs[i].offset;
  }
  /* Members report their group's storage and lifetime; a pooled constant its own. */
  for (int32_t t = 0; t < g->n_tensors; t++) {
    int32_t r = plan->root[t];
    if (ta_tensor_is_const(&g->tensors[t]) && plan->tensor_pool[t] >= 0) {
      plan->first_op[t] = cfirst[t];
      plan->last_op[t] = clast[t];
      continue;
    }
    plan->tensor_offset[t] = plan->tensor_offset[r];
    if (glast[r] != -2) {
      plan->first_op[t] = gfirst[r];
      plan->last_op[t] = glast[r];
    }
  }
  return TA_OK;
}
