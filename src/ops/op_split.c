/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_split.c: SPLIT and SPLIT_V (TFLite's operand orders). SPLIT in: axis (constant scalar),
 * input; n outputs of equal size along axis. SPLIT_V in: input, size_splits (constant 1-D,
 * one entry may be -1: the rest), axis; one output per size. Any type of 1, 2, 4 or 8 bytes;
 * quantized outputs must share the input's quantization (values are moved, not rescaled).
 * MACs: 0.
 *
 * Prepare views the input as [outer, axis * inner] and every output as [outer, size_i *
 * inner]: the kernel (runtime/src/slice.c) deals each input row out to the outputs in turn.
 */
#include "ta_ops.h"

#include <string.h>

/* Axis (normalized) and the size of each output along it; false (reported) when bad. */
static bool split_plan(const ta_graph *g, const ta_op *op, int32_t *axis, int32_t *sizes) {
  const bool v = op->kind == TA_OP_SPLIT_V;
  const ta_tensor *x = ta_op_input(g, op, v ? 0 : 1);
  const ta_tensor *at = ta_op_input(g, op, v ? 2 : 0);
  int64_t a;
  int32_t cnt;
  if (!ta_const_ints(at, &a, 1, &cnt) || cnt != 1) {
    ta_op_err(g, op, TA_ERR_UNSUPPORTED, "axis must be a constant int32/int64 scalar");
    return false;
  }
  if (a < -x->rank || a >= x->rank) {
    ta_op_err(g, op, TA_ERR_MALFORMED, "axis %lld is out of range for rank %d", (long long)a,
              x->rank);
    return false;
  }
  *axis = (int32_t)(a < 0 ? a + x->rank : a);
  const int32_t dim = x->dims[*axis], n = op->n_out;
  if (!v) {
    if (dim % n) {
      ta_op_err(g, op, TA_ERR_MALFORMED, "dim %d (%d) does not split into %d equal parts", *axis,
                dim, n);
      return false;
    }
    for (int32_t i = 0; i < n; i++)
      sizes[i] = dim / n;
    return true;
  }
  int64_t *sz = ta_new_array(g->ctx, (size_t)n, sizeof *sz);
  if (!sz)
    return false;
  if (!ta_const_ints(ta_op_input(g, op, 1), sz, n, &cnt) || cnt != n) {
    ta_op_err(g, op, TA_ERR_UNSUPPORTED,
              "size_splits must be a constant int32/int64 vector of %d values (one per output)", n);
    return false;
  }
  int64_t total = 0;
  int32_t rest = -1;
  for (int32_t i = 0; i < n; i++) {
    if (sz[i] == -1 && rest < 0) {
      rest = i;
      continue;
    }
    if (sz[i] < 0 || sz[i] > dim) {
      ta_op_err(g, op, TA_ERR_MALFORMED, "size_splits[%d] is %lld", i, (long long)sz[i]);
      return false;
    }
    total += sz[i];
    sizes[i] = (int32_t)sz[i];
  }
  if (rest >= 0 && total <= dim)
    sizes[rest] = (int32_t)(dim - total);
  else if (total != dim) {
    ta_op_err(g, op, TA_ERR_MALFORMED, "size_splits add up to %lld; dim %d has %d elements",
              (long long)total, *axis, dim);
    return false;
  }
  return true;
}

static ta_status split_check(ta_graph *g, ta_op *op) {
  const bool v = op->kind == TA_OP_SPLIT_V;
  if (op->n_in != (v ? 3 : 2) || op->n_out < 1 || op->n_out > TA_MAX_OPERANDS)
    return ta_op_err(
        g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected %s", op->n_in, op->n_out,
        v ? "3 (input, size_splits, axis) and 1 or more" : "2 (axis, input) and 1 or more");
  const ta_tensor *x = ta_op_input(g, op, v ? 0 : 1);
  if (!x)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the input is missing");
  ta_status st = TA_OK;
  for (int32_t i = 0; i < op->n_out; i++) {
    const ta_tensor *y = ta_op_output(g, op, i);
    if (!y)
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "output %d is missing", i));
    else
      ta_keep_first(&st, ta_check_moved(g, op, x, y));
  }
  return st;
}

static ta_status split_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, op->kind == TA_OP_SPLIT_V ? 0 : 1);
  int32_t axis;
  int32_t *sizes = ta_new_array(g->ctx, (size_t)op->n_out, sizeof *sizes);
  if (!sizes)
    return TA_ERR_LIMIT;
  if (!split_plan(g, op, &axis, sizes))
    return g->ctx->oom ? TA_ERR_LIMIT : TA_ERR_MALFORMED;
  ta_status st = TA_OK;
  for (int32_t i = 0; i < op->n_out && st == TA_OK; i++) {
    int32_t dims[TA_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    dims[axis] = sizes[i];
    if (sizes[i] == 0)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "output %d is empty (tinyaot does not support empty tensors)", i);
    st = ta_op_set_output_shape(g, op, ta_op_output(g, op, i), x->rank, dims);
  }
  return st;
}

static ta_status split_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const bool v = op->kind == TA_OP_SPLIT_V;
  const ta_tensor *x = ta_op_input(g, op, v ? 0 : 1);
  int32_t axis;
  int32_t *rows = ta_new_array(g->ctx, (size_t)op->n_out, sizeof *rows);
  if (!rows)
    return TA_ERR_LIMIT;
  if (!split_plan(g, op, &axis, rows))
    return TA_ERR_MALFORMED;
  ta_status st = ta_call_init(g, op, call, TA_K_split);
  if (st != TA_OK)
    return st;
  call->n_in = 1;
  call->in[0] = op->in[v ? 0 : 1];
  int32_t outer = 1, inner = (int32_t)ta_dtype_size(x->dtype);
  for (int32_t k = 0; k < axis; k++)
    outer *= x->dims[k];
  for (int32_t k = axis + 1; k < x->rank; k++)
    inner *= x->dims[k];
  for (int32_t i = 0; i < op->n_out; i++)
    rows[i] *= inner;
  tart_split_params *p = call->params;
  p->outer = outer;
  p->n_outputs = op->n_out;
  p->out_rows = rows;
  return TA_OK;
}

static uint64_t split_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_SPLIT = {
    .check = split_check,
    .infer = split_infer,
    .prepare = split_prepare,
    .macs = split_macs,
};

const ta_op_def ta_op_def_SPLIT_V = {
    .check = split_check,
    .infer = split_infer,
    .prepare = split_prepare,
    .macs = split_macs,
};
