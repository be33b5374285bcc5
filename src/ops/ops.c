/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops.c: the operator table (derived from ir/ops.def) and the generic drivers that walk a
 * graph through each op's hooks.
 */
#include "ta_ops.h"

#include <string.h>

static const ta_op_def *const op_defs[] = {
#define TA_OP(id, name, stem, flags, act) &ta_op_def_##id,
#include "ops.def"
#undef TA_OP
};
_Static_assert(TA_ARRAY_LEN(op_defs) == TA_OP_COUNT, "one hook table per op");

const ta_op_def *ta_op_def_get(ta_op_kind k) {
  return (unsigned)k < TA_OP_COUNT ? op_defs[k] : NULL;
}

ta_status ta_call_init(ta_graph *g, const ta_op *op, ta_kernel_call *call, ta_kernel_id kernel) {
  const ta_kernel_info *k = ta_kernel_get(kernel);
  if (!k)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "no runtime kernel with id %d", (int)kernel);
  memset(call, 0, sizeof *call);
  call->kernel = kernel;
  call->params = ta_new(g->ctx, k->params->size);
  call->in = ta_new_array(g->ctx, (size_t)(op->n_in > 0 ? op->n_in : 1), sizeof(int32_t));
  call->out = ta_new_array(g->ctx, (size_t)(op->n_out > 0 ? op->n_out : 1), sizeof(int32_t));
  if (!call->params || !call->in || !call->out)
    return TA_ERR_LIMIT;
  call->n_in = op->n_in;
  call->n_out = op->n_out;
  memcpy(call->in, op->in, (size_t)op->n_in * sizeof(int32_t));
  memcpy(call->out, op->out, (size_t)op->n_out * sizeof(int32_t));
  return TA_OK;
}

void ta_keep_first(ta_status *st, ta_status s) {
  if (*st == TA_OK)
    *st = s;
}

bool ta_dims_ok(int32_t rank, const int32_t *dims) {
  int64_t elems = 1;
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] <= 0)
      return false;
    elems *= dims[i];
    if (elems > INT32_MAX)
      return false;
  }
  return true;
}

ta_status ta_op_set_output_shape(const ta_graph *g, const ta_op *op, ta_tensor *y, int32_t rank,
                                 const int32_t *dims) {
  if (!y->shape_known) {
    y->rank = rank;
    memcpy(y->dims, dims, (size_t)rank * sizeof dims[0]);
    y->shape_known = true;
    return TA_OK;
  }
  if (y->rank == rank && memcmp(y->dims, dims, (size_t)rank * sizeof dims[0]) == 0)
    return TA_OK;
  ta_tensor want = {0};
  want.rank = rank;
  want.shape_known = true;
  memcpy(want.dims, dims, (size_t)rank * sizeof dims[0]);
  char have_s[64], want_s[64];
  return ta_op_err(g, op, TA_ERR_MALFORMED, "output \"%s\" has shape %s in the model; expected %s",
                   y->name, ta_shape_str(y, have_s, sizeof have_s),
                   ta_shape_str(&want, want_s, sizeof want_s));
}

ta_status ta_call_set_kernel(const ta_graph *g, const ta_op *op, ta_kernel_call *call,
                             ta_kernel_id kernel) {
  const ta_kernel_info *from = ta_kernel_get(call->kernel), *to = ta_kernel_get(kernel);
  if (!from || !to || from->params != to->params)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "cannot switch kernel %d to %d", call->kernel,
                     (int)kernel);
  call->kernel = kernel;
  call->scratch_bytes = to->scratch_size ? to->scratch_size(call->params) : 0;
  return TA_OK;
}

bool ta_inplace_same_shape(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                           int32_t operand) {
  (void)op;
  if (operand < 0 || operand >= call->n_in || call->n_out < 1)
    return false;
  if (call->in[operand] < 0 || call->out[0] < 0)
    return false;
  const ta_tensor *a = &g->tensors[call->in[operand]], *o = &g->tensors[call->out[0]];
  if (ta_dtype_size(a->dtype) != ta_dtype_size(o->dtype) || a->rank != o->rank)
    return false;
  for (int32_t i = 0; i < a->rank; i++)
    if (a->dims[i] != o->dims[i])
      return false;
  return true;
}

const ta_variant ta_variant_eltwise[1] = {{
    .name = "ref",
    .kernel = TA_K_PREPARED,
    .reference = true,
    .inplace_operands = TA_INPLACE_ANY,
    .inplace_ok = ta_inplace_same_shape,
}};

int32_t ta_int_type(ta_dtype dt) {
  switch (dt) {
  case TA_DT_I8: return TART_INT_I8;
  case TA_DT_U8: return TART_INT_U8;
  case TA_DT_I16: return TART_INT_I16;
  case TA_DT_U16: return TART_INT_U16;
  case TA_DT_I32: return TART_INT_I32;
  case TA_DT_U32: return TART_INT_U32;
  case TA_DT_I64: return TART_INT_I64;
  case TA_DT_U64: return TART_INT_U64;
  default: return -1;
  }
}

static ta_status not_implemented(ta_graph *g, ta_op *op, const char *hook) {
  return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "operator not implemented yet (no %s hook)", hook);
}

/* Whether op is an UNSUPPORTED placeholder or reads a tensor one of them computes (directly or
 * through other ops): marks its outputs in `tainted` and their shapes unknown. */
static bool skip_unsupported(ta_graph *g, ta_op *op, bool *tainted) {
  bool skip = op->kind == TA_OP_UNSUPPORTED;
  for (int32_t k = 0; k < op->n_in && !skip; k++)
    skip = op->in[k] >= 0 && tainted[op->in[k]];
  for (int32_t k = 0; skip && k < op->n_out; k++)
    if (op->out[k] >= 0) {
      tainted[op->out[k]] = true;
      g->tensors[op->out[k]].shape_known = false;
    }
  return skip;
}

ta_status ta_graph_check_ops(ta_graph *g) {
  ta_status result = TA_OK;
  bool *tainted = NULL;
  if (g->has_unsupported) {
    tainted = ta_new_array(g->ctx, (size_t)(g->n_tensors ? g->n_tensors : 1), sizeof(bool));
    if (!tainted)
      return TA_ERR_LIMIT;
  }
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    if (tainted && skip_unsupported(g, op, tainted))
      continue;
    const ta_op_def *d = ta_op_def_get(op->kind);
    if (!d) {
      result = ta_op_err(g, op, TA_ERR_INTERNAL, "unknown op kind %d", (int)op->kind);
      continue;
    }
    ta_status st = d->check ? d->check(g, op) : not_implemented(g, op, "check");
    if (st == TA_OK)
      st = d->infer ? d->infer(g, op) : not_implemented(g, op, "infer");
    if (st != TA_OK && result == TA_OK)
      result = st;
    if (g->ctx->oom)
      return TA_ERR_LIMIT;
  }
  return result;
}

ta_status ta_graph_prepare(ta_graph *g, ta_kernel_call *calls) {
  ta_status result = TA_OK;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    const ta_op_def *d = ta_op_def_get(op->kind);
    memset(&calls[i], 0, sizeof calls[i]);
    calls[i].kernel = -1;
    ta_status st =
        (d && d->prepare) ? d->prepare(g, op, &calls[i]) : not_implemented(g, op, "prepare");
    if (st == TA_OK && calls[i].kernel >= 0) {
      const ta_kernel_info *k = ta_kernel_get(calls[i].kernel);
      if (!k)
        st = ta_op_err(g, op, TA_ERR_INTERNAL, "prepare chose kernel id %d, which does not exist",
                       calls[i].kernel);
      else if (k->scratch_size)
        calls[i].scratch_bytes = k->scratch_size(calls[i].params);
    }
    if (st != TA_OK && result == TA_OK)
      result = st;
    if (g->ctx->oom)
      return TA_ERR_LIMIT;
  }
  return result;
}

uint64_t ta_graph_macs(const ta_graph *g) {
  uint64_t total = 0;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op_def *d = ta_op_def_get(g->ops[i].kind);
    if (d && d->macs)
      total += d->macs(g, &g->ops[i]);
  }
  return total;
}

ta_status ta_call_eval(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                       void *const *bufs, void *scratch) {
  if (call->kernel < 0)
    return TA_OK;
  const ta_kernel_info *k = ta_kernel_get(call->kernel);
  if (!k)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "bad kernel id %d", call->kernel);
  const void *in[64];
  void *out[16];
  if (call->n_in > (int32_t)TA_ARRAY_LEN(in) || call->n_out > (int32_t)TA_ARRAY_LEN(out))
    return ta_op_err(g, op, TA_ERR_LIMIT, "too many kernel operands (%d in, %d out)", call->n_in,
                     call->n_out);
  for (int32_t i = 0; i < call->n_in; i++)
    in[i] = call->in[i] >= 0 ? bufs[call->in[i]] : NULL;
  for (int32_t i = 0; i < call->n_out; i++)
    out[i] = call->out[i] >= 0 ? bufs[call->out[i]] : NULL;
  tart_status rs = k->run(call->params, in, out, scratch);
  if (rs != TART_OK)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "kernel tart_%s returned status %d", k->name, (int)rs);
  return TA_OK;
}
