/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_gather.c: GATHER with constant indices. in: input (any type of 1, 2, 4 or 8 bytes),
 * indices (constant int32/int64 of any rank; negative ones count from the end, as ONNX
 * allows); attrs.axis (negative counts from the end). out: input's dims before axis, then
 * the indices' dims, then input's dims after axis. Values are moved, not rescaled (quantized
 * output = input quantization). MACs: 0.
 *
 * Indices computed at run time are refused: every use tinyaot has met (y[:, 0], embedding
 * rows of a fixed table, Shape arithmetic) has them constant, and constant indices are
 * checked once here instead of on the device. Prepare views the input as [outer, axis_dim,
 * inner] for the kernel (runtime/src/slice.c).
 */
#include "ta_ops.h"

#include <string.h>

static ta_status gather_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 2 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 (input, indices) and 1", op->n_in,
                     op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *idx = ta_op_input(g, op, 1),
                  *y = ta_op_output(g, op, 0);
  if (!x || !idx || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "an operand is missing");
  if (idx->dtype != TA_DT_I32 && idx->dtype != TA_DT_I64)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "indices \"%s\" are %s; expected int32 or int64",
                     idx->name, ta_dtype_name(idx->dtype));
  if (!ta_tensor_is_const(idx))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "indices \"%s\" are computed at run time; tinyaot needs constant indices",
                     idx->name);
  ta_status st = ta_check_moved(g, op, x, y);
  if (st != TA_OK)
    return st;
  const int32_t ax = op->a.axis < 0 ? op->a.axis + x->rank : op->a.axis;
  if (ax < 0 || ax >= x->rank)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "axis %d is out of range for rank %d", op->a.axis,
                     x->rank);
  size_t n;
  if (!ta_tensor_elems(idx, &n))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "indices \"%s\" have no shape", idx->name);
  for (size_t i = 0; i < n; i++) {
    int64_t v;
    if (idx->dtype == TA_DT_I64) {
      memcpy(&v, idx->data + 8 * i, 8);
    } else {
      int32_t v32;
      memcpy(&v32, idx->data + 4 * i, 4);
      v = v32;
    }
    if (v < -(int64_t)x->dims[ax] || v >= x->dims[ax])
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "index %lld (element %zu of \"%s\") is outside %d..%d (dim %d)",
                       (long long)v, i, idx->name, -x->dims[ax], x->dims[ax] - 1, ax);
  }
  return TA_OK;
}

static ta_status gather_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *idx = ta_op_input(g, op, 1);
  const int32_t ax = op->a.axis < 0 ? op->a.axis + x->rank : op->a.axis;
  const int32_t r = x->rank - 1 + idx->rank;
  if (r > TA_MAX_RANK)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the output would have rank %d; at most %d", r,
                     TA_MAX_RANK);
  int32_t dims[TA_MAX_RANK], m = 0;
  for (int32_t k = 0; k < ax; k++)
    dims[m++] = x->dims[k];
  for (int32_t k = 0; k < idx->rank; k++)
    dims[m++] = idx->dims[k];
  for (int32_t k = ax + 1; k < x->rank; k++)
    dims[m++] = x->dims[k];
  if (!ta_dims_ok(r, dims))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the output is empty or too large");
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), r, dims);
}

static ta_status gather_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *idx = ta_op_input(g, op, 1);
  const int32_t ax = op->a.axis < 0 ? op->a.axis + x->rank : op->a.axis;
  size_t n;
  if (!ta_tensor_elems(idx, &n) || n > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "too many indices");
  ta_status st = ta_call_init(g, op, call, TA_K_gather);
  if (st != TA_OK)
    return st;
  call->n_in = 1;
  int32_t *v = ta_new_array(g->ctx, n ? n : 1, sizeof *v);
  if (!v)
    return TA_ERR_LIMIT;
  for (size_t i = 0; i < n; i++) {
    int64_t k;
    if (idx->dtype == TA_DT_I64) {
      memcpy(&k, idx->data + 8 * i, 8);
    } else {
      int32_t k32;
      memcpy(&k32, idx->data + 4 * i, 4);
      k = k32;
    }
    v[i] = (int32_t)(k < 0 ? k + x->dims[ax] : k);
  }
  tart_gather_params *p = call->params;
  p->elem_bytes = (int32_t)ta_dtype_size(x->dtype);
  p->outer = 1;
  p->inner = 1;
  for (int32_t k = 0; k < ax; k++)
    p->outer *= x->dims[k];
  for (int32_t k = ax + 1; k < x->rank; k++)
    p->inner *= x->dims[k];
  p->axis_dim = x->dims[ax];
  p->n_indices = (int32_t)n;
  p->indices = v;
  return TA_OK;
}

static uint64_t gather_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_GATHER = {
    .check = gather_check,
    .infer = gather_infer,
    .prepare = gather_prepare,
    .macs = gather_macs,
};
