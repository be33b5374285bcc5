/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schedule.c: the schedule stage (see ta_schedule.h). The variants are data in the op files;
 * this file only walks them: reference, override or heuristic, then in-place forms for the
 * planner.
 */
#include "ta_schedule.h"

#include <string.h>

#include "ta_backend.h"

/* The one variant of an op without a table: the kernel its prepare set. */
static const ta_variant reference_only[1] = {{
    .name = "ref",
    .kernel = TA_K_PREPARED,
    .reference = true,
}};

const ta_variant *ta_sched_variants(const ta_op *op, int32_t *n) {
  const ta_op_def *d = ta_op_def_get(op->kind);
  if (!d || !d->variants || d->n_variants < 1) {
    *n = 1;
    return reference_only;
  }
  *n = d->n_variants;
  return d->variants;
}

bool ta_sched_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                      const ta_variant *v) {
  return !v->applies || v->applies(g, op, call);
}

const ta_variant *ta_sched_variant(const ta_kernel_call *call, ta_sched_why *why) {
  /* A RESHAPE the planner made a view runs no code, whatever was scheduled. */
  const ta_variant *v = call->kernel >= 0 ? call->variant : NULL;
  if (why)
    *why = v ? call->why : TA_SCHED_NONE;
  return v;
}

const char *ta_sched_why_name(ta_sched_why why) {
  switch (why) {
  case TA_SCHED_HEURISTIC: return "heuristic";
  case TA_SCHED_REFERENCE: return "reference";
  case TA_SCHED_OVERRIDE: return "override";
  case TA_SCHED_LOG: return "log";
  case TA_SCHED_NONE: break;
  }
  return "-";
}

const char *ta_sched_workload_key(const ta_graph *g, const ta_op *op) {
  ta_buf b;
  ta_buf_init(&b, g->ctx);
  ta_buf_puts(&b, ta_op_kind_name(op->kind));
  char shape[96];
  for (int32_t side = 0; side < 2; side++) {
    const int32_t n = side ? op->n_out : op->n_in;
    const int32_t *idx = side ? op->out : op->in;
    ta_buf_puts(&b, side ? " out=" : " in=");
    for (int32_t j = 0; j < n; j++) {
      const ta_tensor *t = idx[j] >= 0 ? &g->tensors[idx[j]] : NULL;
      ta_buf_puts(&b, j ? ";" : "");
      if (t)
        ta_buf_printf(&b, "%s%s%s", ta_dtype_name(t->dtype), ta_tensor_is_const(t) ? "c" : "",
                      ta_shape_str(t, shape, sizeof shape));
      else
        ta_buf_puts(&b, "-");
    }
  }
  const ta_attrs *a = &op->a;
  ta_buf_printf(&b,
                " pad=%d:%d,%d,%d,%d stride=%d,%d dil=%d,%d win=%d,%d mult=%d act=%d keep=%d "
                "axis=%d ceil=%d cip=%d perm=",
                (int)a->padding, a->pad_top, a->pad_bottom, a->pad_left, a->pad_right, a->stride_h,
                a->stride_w, a->dilation_h, a->dilation_w, a->filter_h, a->filter_w,
                a->depth_multiplier, (int)a->act, (int)a->keep_dims, a->axis, (int)a->ceil_mode,
                (int)a->count_include_pad);
  for (int32_t k = 0; k < TA_MAX_RANK; k++)
    ta_buf_printf(&b, k ? ",%d" : "%d", a->perm[k]);
  const char *key = b.ok ? ta_strndup(g->ctx, b.data, b.len) : NULL;
  ta_buf_free(&b);
  return key;
}

/* Apply variant v to a prepared call: its prepare step, then its kernel (and that kernel's
 * scratch size). *applied false when the prepare step declines (call unchanged). */
static ta_status apply(ta_graph *g, const ta_op *op, ta_kernel_call *call, const ta_variant *v,
                       bool *applied) {
  *applied = false;
  if (v->prepare && !v->prepare(g, op, call))
    return g->ctx->oom ? TA_ERR_LIMIT : TA_OK;
  if (v->kernel != TA_K_PREPARED && v->kernel != call->kernel) {
    ta_status st = ta_call_set_kernel(g, op, call, (ta_kernel_id)v->kernel);
    if (st != TA_OK)
      return st;
  }
  *applied = true;
  return TA_OK;
}

/* The knob values of v: an override's (checked against the allowed values) or the defaults. */
static ta_status set_knobs(ta_graph *g, const ta_op *op, ta_kernel_call *call, const ta_variant *v,
                           const ta_sched_pick *pick) {
  call->knobs = NULL;
  if (v->n_knobs < 1) {
    if (pick && pick->n_knobs > 0)
      return ta_op_err(g, op, TA_ERR_USAGE, "variant %s has no knobs; %d knob values were given",
                       v->name, pick->n_knobs);
    return TA_OK;
  }
  if (pick && pick->knobs && pick->n_knobs != v->n_knobs)
    return ta_op_err(g, op, TA_ERR_USAGE, "variant %s has %d knobs; %d values were given", v->name,
                     v->n_knobs, pick->n_knobs);
  int32_t *vals = ta_new_array(g->ctx, (size_t)v->n_knobs, sizeof(int32_t));
  if (!vals)
    return TA_ERR_LIMIT;
  for (int32_t k = 0; k < v->n_knobs; k++) {
    const ta_knob *kn = &v->knobs[k];
    vals[k] = kn->values[0];
    if (!pick || !pick->knobs)
      continue;
    bool allowed = false;
    for (int32_t j = 0; j < kn->n_values && !allowed; j++)
      allowed = kn->values[j] == pick->knobs[k];
    if (!allowed)
      return ta_op_err(g, op, TA_ERR_USAGE, "variant %s does not allow %s = %d", v->name, kn->name,
                       pick->knobs[k]);
    vals[k] = pick->knobs[k];
  }
  call->knobs = vals;
  return TA_OK;
}

/* The variant an override names, applied; an error when it cannot run this op (with
 * fallback, a warning when it does not apply, *chosen left NULL). */
static ta_status pick_override(ta_graph *g, const ta_op *op, ta_kernel_call *call,
                               const ta_sched_pick *pick, bool fallback,
                               const ta_variant **chosen) {
  int32_t n;
  const ta_variant *vs = ta_sched_variants(op, &n);
  bool named = false;
  for (int32_t i = 0; i < n; i++) {
    const ta_variant *v = &vs[i];
    if (v->inplace_of || !pick->variant || strcmp(v->name, pick->variant) != 0)
      continue;
    named = true;
    if (!ta_sched_applies(g, op, call, v))
      continue;
    /* The knobs first: the variant's prepare step reads them (call->knobs). */
    ta_status st = set_knobs(g, op, call, v, pick);
    bool applied = false;
    if (st == TA_OK)
      st = apply(g, op, call, v, &applied);
    if (st != TA_OK)
      return st;
    if (applied) {
      *chosen = v;
      return TA_OK;
    }
  }
  const char *origin = pick->origin ? pick->origin : "the override";
  if (fallback && named) {
    ta_op_warn(g, op, "%s: variant \"%s\" does not apply to this op; the default schedule is used",
               origin, pick->variant);
    return TA_OK;
  }
  return ta_op_err(g, op, TA_ERR_USAGE, "%s picks variant \"%s\", which %s", origin,
                   pick->variant ? pick->variant : "(none)",
                   named ? "does not apply to this op" : "this operator does not have");
}

ta_status ta_sched_run(ta_graph *g, ta_kernel_call *calls, const ta_sched_options *opts) {
  ta_sched_options defaults = {0};
  if (!opts)
    opts = &defaults;
  ta_status result = TA_OK;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    ta_kernel_call *c = &calls[i];
    c->variant = NULL;
    c->why = TA_SCHED_NONE;
    c->knobs = NULL;
    if (c->kernel < 0 || !ta_backend_of(c)->runtime_kernels)
      continue;
    ta_status st = TA_OK;
    const ta_variant *chosen = NULL;
    ta_sched_why why = opts->reference_kernels ? TA_SCHED_REFERENCE : TA_SCHED_HEURISTIC;
    ta_sched_pick pick = {0};
    if (!opts->reference_kernels && opts->override) {
      const char *key = ta_sched_workload_key(g, op);
      if (!key)
        return TA_ERR_LIMIT;
      if (opts->override(opts->override_user, g, op, key, &pick)) {
        st = pick_override(g, op, c, &pick, opts->override_fallback, &chosen);
        if (st != TA_OK || chosen)
          why = opts->override_why ? opts->override_why : TA_SCHED_OVERRIDE;
      }
    }
    if (why != TA_SCHED_OVERRIDE && why != TA_SCHED_LOG) {
      /* The first that applies, in table order (best first); in-place forms are the
       * planner's. */
      int32_t n;
      const ta_variant *vs = ta_sched_variants(op, &n);
      for (int32_t k = 0; k < n && !chosen && st == TA_OK; k++) {
        const ta_variant *v = &vs[k];
        if (v->inplace_of || (opts->reference_kernels && !v->reference) ||
            !ta_sched_applies(g, op, c, v))
          continue;
        /* The knobs (defaults) first: the variant's prepare step reads them. */
        bool applied = false;
        st = set_knobs(g, op, c, v, NULL);
        if (st == TA_OK)
          st = apply(g, op, c, v, &applied);
        if (st == TA_OK && applied)
          chosen = v;
      }
      if (st == TA_OK && !chosen)
        st = ta_op_err(g, op, TA_ERR_INTERNAL, "no kernel variant applies (not even \"ref\")");
    }
    if (st == TA_OK) {
      c->variant = chosen;
      c->why = why;
    }
    if (st != TA_OK && result == TA_OK)
      result = st;
    if (g->ctx->oom)
      return TA_ERR_LIMIT;
  }
  return result;
}

const ta_variant *ta_sched_inplace_variant(const ta_graph *g, const ta_op *op,
                                           const ta_kernel_call *call, int32_t operand) {
  const ta_variant *cur = call->variant;
  if (!cur || operand < 0 || operand >= 32 || operand >= call->n_in)
    return NULL;
  const uint32_t bit = 1u << operand;
  if ((cur->inplace_operands & bit) && (!cur->inplace_ok || cur->inplace_ok(g, op, call, operand)))
    return cur;
  int32_t n;
  const ta_variant *vs = ta_sched_variants(op, &n);
  for (int32_t k = 0; k < n; k++) {
    const ta_variant *v = &vs[k];
    /* An in-place form runs on its base's parameters: it names its own kernel. */
    if (!v->inplace_of || strcmp(v->inplace_of, cur->name) != 0 || !(v->inplace_operands & bit) ||
        v->kernel == TA_K_PREPARED || !ta_sched_applies(g, op, call, v))
      continue;
    if (!v->inplace_ok || v->inplace_ok(g, op, call, operand))
      return v;
  }
  return NULL;
}

ta_status ta_sched_set_inplace(const ta_graph *g, const ta_op *op, ta_kernel_call *call,
                               const ta_variant *v) {
  if (v == call->variant)
    return TA_OK;
  if (v->kernel == TA_K_PREPARED)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "in-place variant %s names no kernel", v->name);
  ta_status st = ta_call_set_kernel(g, op, call, (ta_kernel_id)v->kernel);
  if (st == TA_OK)
    call->variant = v;
  return st;
}

int32_t ta_sched_knob_settings(const ta_variant *v, int32_t *vals, int32_t cap) {
  if (v->n_knobs > TA_SCHED_MAX_KNOBS)
    return -1;
  int32_t idx[TA_SCHED_MAX_KNOBS] = {0}, first[TA_SCHED_MAX_KNOBS] = {0};
  const int32_t nk = v->n_knobs;
  for (int32_t k = 0; k < nk; k++)
    idx[k] = first[k] = v->knobs[k].n_values > 1 && v->knobs[k].values[0] == 0 ? 1 : 0;
  for (int32_t n = 0;; n++) {
    for (int32_t k = 0; k < nk && n < cap; k++)
      vals[n * nk + k] = v->knobs[k].values[idx[k]];
    int32_t k = nk - 1;
    while (k >= 0 && ++idx[k] >= v->knobs[k].n_values) {
      idx[k] = first[k];
      k--;
    }
    if (k < 0)
      return n + 1;
  }
}
