/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_schedule.h: the schedule stage. Picks, for every op, one of the kernel variants its op
 * file declares (ta_variant in ta_ops.h) and records the choice and why in the op's call.
 *
 * Rule, per op whose backend runs tinyaot's runtime kernels:
 *   reference_kernels   the op's reference variant;
 *   else an override    the variant an override names (the seam the tuning log fills);
 *   else the heuristic  the first variant of the op's table (best first) that applies and
 *                       whose prepare step succeeds: today's rules, kept exactly.
 * In-place forms are never picked here: the planner asks ta_sched_inplace_variant when an
 * input dies at its op, and switches with ta_sched_set_inplace once the buffers are joined.
 */
#ifndef TA_SCHEDULE_H
#define TA_SCHEDULE_H

#include "ta_ops.h"

/* What an override chooses for one op. */
typedef struct ta_sched_pick {
  const char *variant;  /* a variant name of the op's table ("opt") */
  const int32_t *knobs; /* its knob values in the variant's order; NULL: the defaults */
  int32_t n_knobs;
  const char *origin; /* where the pick comes from, for messages ("kws.log:12"); may be NULL */
} ta_sched_pick;

/* Override lookup for one op: fill *pick and return true to run op with that variant, false
 * to leave it to the heuristic. key is the op's workload key (ta_sched_workload_key). */
typedef bool (*ta_sched_override_fn)(void *user, const ta_graph *g, const ta_op *op,
                                     const char *key, ta_sched_pick *pick);

typedef struct ta_sched_options {
  bool reference_kernels; /* every op runs its reference variant */
  ta_sched_override_fn override;
  void *override_user;
  /* The why recorded for an override's picks: TA_SCHED_OVERRIDE (also when 0) or
   * TA_SCHED_LOG. */
  ta_sched_why override_why;
  /* A pick whose variant does not apply to the op is a warning and the heuristic schedules
   * the op, instead of an error (the tuning log: a stale record never fails a compile). */
  bool override_fallback;
} ta_sched_options;

/* Pick a variant for every prepared op of g (calls[] from ta_graph_prepare, after
 * ta_backend_partition when backends are in use) and apply it: its prepare step, its kernel,
 * its scratch size. opts NULL: the heuristic. Runs once on a set of calls (a variant's prepare
 * step edits the call). An override naming a variant that does not exist or does not apply,
 * or a knob value the variant does not allow, is reported and refused (TA_ERR_USAGE); with
 * override_fallback, a variant that does not apply is a warning and the heuristic runs. */
ta_status ta_sched_run(ta_graph *g, ta_kernel_call *calls, const ta_sched_options *opts);

/* The variant a call runs and, through why (may be NULL), why it was picked. NULL when the
 * schedule stage did not schedule it (a backend with its own functions) or it runs no code
 * (kernel -1: folded, or a view after planning). */
const ta_variant *ta_sched_variant(const ta_kernel_call *call, ta_sched_why *why);
/* "heuristic", "reference", "override", "log", or "-" for TA_SCHED_NONE. */
const char *ta_sched_why_name(ta_sched_why why);

/* Every setting of v's knobs a tuner measures, in table order: each combination of the knobs'
 * concrete values (a knob whose first value 0 means "the heuristic decides", op_conv2d.c's
 * convention, contributes only its other values). Setting i is written to vals[i * v->n_knobs
 * ...] while i < cap; returns how many settings there are (1 for a variant without knobs), or
 * -1 for a variant with more than TA_SCHED_MAX_KNOBS knobs. */
#define TA_SCHED_MAX_KNOBS 8
int32_t ta_sched_knob_settings(const ta_variant *v, int32_t *vals, int32_t cap);

/* The variants of an op (its table, or the implicit reference variant of an op without one). */
const ta_variant *ta_sched_variants(const ta_op *op, int32_t *n);
/* Whether variant v applies to a prepared op (its predicate; in-place conditions apart). */
bool ta_sched_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                      const ta_variant *v);

/* The workload key of an op: kind, operand dtypes and shapes (constants marked) and the
 * attributes that shape the computation, as one line of text in the context arena; NULL when
 * out of memory. Two ops with the same key run the same code with different data. */
const char *ta_sched_workload_key(const ta_graph *g, const ta_op *op);

/* The variant that lets op's output overwrite kernel input `operand`: its scheduled variant
 * when that tolerates it, else the in-place form of it that applies; NULL when none does.
 * Changes nothing. */
const ta_variant *ta_sched_inplace_variant(const ta_graph *g, const ta_op *op,
                                           const ta_kernel_call *call, int32_t operand);
/* Switch call to v, a variant ta_sched_inplace_variant returned for it (the why stays). */
ta_status ta_sched_set_inplace(const ta_graph *g, const ta_op *op, ta_kernel_call *call,
                               const ta_variant *v);

#endif
