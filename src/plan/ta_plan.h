/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_plan.h: static memory planning. Every activation and every kernel scratch buffer gets a
 * fixed offset in ONE arena; the device never allocates.
 *
 * Steps, each a plain function of the graph:
 *   order     for graphs with branches, pick the topological op order with the lowest peak
 *             of live bytes (exact search with a budget, else the model's order)
 *   alias     RESHAPE is a view: its output shares its input's storage, no code is emitted;
 *             an op whose kernel can write over an input that dies at that op does so
 *             (element-wise ops; depthwise convolution channel by channel)
 *   place     buffers (one per storage group, plus scratch) get offsets: several greedy
 *             first-fit orders are tried and the smallest arena kept
 *   verify    an independent overlap check of the result
 * A buffer lives from the op that writes it to the last op that reads it (inclusive).
 * Graph inputs and outputs live in caller buffers unless io_in_arena is set.
 *
 * Backend memory pools: a backend whose description declares a memory_pool has every tensor
 * its ops read or write (storage group) placed in that pool instead of the arena, planned the
 * same way but apart (own offsets, peak, check), and its constants too when the pool says
 * "weights": "pool". The CPU reads and writes pool tensors where they are; a graph input or
 * output in a pool is copied in or out by the run function, a constant in a pool before its
 * first reader.
 */
#ifndef TA_PLAN_H
#define TA_PLAN_H

#include "ta_ops.h"

/* Default arena limit: larger than the RAM of any microcontroller, small enough that a hostile
 * model cannot make a build (or a host run) allocate gigabytes. */
#define TA_PLAN_MAX_ARENA_DEFAULT ((size_t)64 * 1024 * 1024)

typedef struct ta_plan_options {
  size_t alignment;       /* power of two; 4 by default (16 for Helium) */
  bool io_in_arena;       /* graph inputs and outputs are placed in the arena too */
  bool no_inplace;        /* disable in-place execution (for comparisons) */
  bool no_reorder;        /* keep the model's op order */
  size_t max_arena_bytes; /* refuse (TA_ERR_LIMIT) a plan whose arena, or any graph input or
                           * output, is larger; 0: no limit. TA_PLAN_MAX_ARENA_DEFAULT. */
} ta_plan_options;

/* One buffer for the placement step: an op range [first, last] and a size. */
typedef struct ta_plan_buf {
  int32_t first, last;
  size_t bytes;
  int64_t offset; /* out */
} ta_plan_buf;

/* One backend memory pool of a plan. */
typedef struct ta_plan_pool {
  const char *name;    /* the description's memory_pool.name (a C identifier) */
  const char *backend; /* the first backend declaring it */
  const char *source;  /* that backend's description file, for messages */
  size_t capacity;     /* memory_pool.bytes */
  size_t alignment;    /* memory_pool.alignment (at least the plan's alignment) */
  bool weights;        /* constants read by its ops live in it too */
  size_t bytes;        /* the placement's size (its peak address): at most capacity */
  size_t lower_bound;  /* the largest sum of pool bytes live at one op */
  int32_t n_bufs;      /* storage groups (and constants) placed in it */
} ta_plan_pool;

typedef struct ta_plan {
  ta_plan_options opt;
  int32_t n_pools;
  ta_plan_pool *pools;
  int32_t *tensor_pool; /* per tensor: index into pools of its storage, -1 for none */
  size_t arena_bytes;
  size_t lower_bound_bytes; /* max over ops of the (aligned) bytes live at that op */
  size_t scratch_bytes;     /* largest single scratch buffer */
  int32_t *root;            /* per tensor: the tensor whose storage it shares (itself if none) */
  int64_t *tensor_offset;   /* per tensor: arena (or pool, see tensor_pool) offset of its
                             * storage, -1 if in neither */
  int64_t *scratch_offset;  /* per op: arena offset of its scratch, -1 if none */
  int32_t *first_op;        /* per tensor: first op of its storage's lifetime (-2: unused) */
  int32_t *last_op;         /* per tensor: last op of its storage's lifetime */
  int32_t n_inplace;        /* ops that run in place */
  int32_t n_aliased;        /* RESHAPE ops turned into views */
  bool reordered;           /* the op order differs from the model's */
  const char *strategy;     /* the placement order that won */
} ta_plan;

void ta_plan_options_default(ta_plan_options *opt);

/* Plan g (may reorder g->ops together with calls, and turn RESHAPE calls into views with
 * kernel -1, or switch a scheduled call to the in-place form of its variant: calls the
 * schedule stage did not give a variant never run in place). A model needing more memory than
 * opt->max_arena_bytes is refused with TA_ERR_LIMIT and a message naming both sizes; so is a
 * backend pool too small for one of its tensors or for its peak (naming the description file,
 * the pool and the tensor or the op of the peak). */
ta_status ta_plan_build(ta_graph *g, ta_kernel_call *calls, const ta_plan_options *opt,
                        ta_plan *plan);

/* Place n buffers (sizes already aligned): offsets written into bufs; returns the arena size.
 * strategy_name, when not NULL, receives the winning greedy order's name. */
size_t ta_plan_place(ta_plan_buf *bufs, size_t n, const char **strategy_name);

/* The largest sum of sizes of buffers live at the same op. */
size_t ta_plan_lower_bound(const ta_plan_buf *bufs, size_t n);

/* Independent check: every buffer inside [0, arena), no two buffers with intersecting
 * lifetimes overlap in memory. Returns the index pair of the first conflict through a/b
 * (or -1 for "outside the arena" in b). */
bool ta_plan_check_bufs(const ta_plan_buf *bufs, size_t n, size_t arena, size_t *a, size_t *b);

/* The tensor's storage: the kind and index of where its bytes live. */
typedef enum ta_storage {
  TA_STORE_ARENA,
  TA_STORE_INPUT,
  TA_STORE_OUTPUT,
  TA_STORE_CONST,
  TA_STORE_POOL /* index: the pool (plan->pools); the offset is tensor_offset[t] */
} ta_storage;
ta_storage ta_plan_storage(const ta_graph *g, const ta_plan *plan, int32_t t, int32_t *index);

/* Text report: each buffer (tensors, op range, offset, size) and an ASCII timeline. */
void ta_plan_print(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan,
                   ta_buf *out);
/* SVG: x = op index, y = arena offset, one labelled rectangle per buffer. */
void ta_plan_svg(const ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan, ta_buf *out);

#endif
