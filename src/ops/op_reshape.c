/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_reshape.c: RESHAPE. in: x [, shape]; out: the same elements in another shape, any
 * dtype. The output shape is the output tensor's when the model gives it (TFLite files do);
 * otherwise it comes from the constant shape operand (int32 or int64, at most one -1, which
 * takes whatever size makes the element counts agree). Element counts must agree either way.
 * The kernel is a byte copy (the memory planner may alias output and input and drop it); the
 * shape operand is not passed to it.
 */
#include "ta_ops.h"

#include <string.h>

/* The shape operand's values; false (reported) when it cannot be read as a shape. */
static ta_status read_shape(const ta_graph *g, const ta_op *op, const ta_tensor *s, int32_t *rank,
                            int32_t *dims) {
  const size_t esize = ta_dtype_size(s->dtype);
  const size_t n = esize ? s->data_bytes / esize : 0;
  if (n > TA_MAX_RANK)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "shape operand \"%s\" has %zu entries; at most %d "
                     "dims are supported",
                     s->name, n, TA_MAX_RANK);
  for (size_t k = 0; k < n; k++) {
    int64_t v;
    if (s->dtype == TA_DT_I32) {
      int32_t v32;
      memcpy(&v32, s->data + 4 * k, 4);
      v = v32;
    } else {
      memcpy(&v, s->data + 8 * k, 8);
    }
    if (v < -1 || v > INT32_MAX)
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "shape operand \"%s\" entry %zu is %lld; expected "
                       "a size >= 0 or -1",
                       s->name, k, (long long)v);
    dims[k] = (int32_t)v;
  }
  *rank = (int32_t)n;
  return TA_OK;
}

static ta_status reshape_check(ta_graph *g, ta_op *op) {
  if ((op->n_in != 1 && op->n_in != 2) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 or 2 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (ta_dtype_size(x->dtype) == 0)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" has type %s, which has no size",
                     x->name, ta_dtype_name(x->dtype));
  if (y->dtype != x->dtype)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "output \"%s\" is %s; expected %s like the input",
                     y->name, ta_dtype_name(y->dtype), ta_dtype_name(x->dtype));
  const ta_tensor *s = ta_op_input(g, op, 1);
  if (s && s->dtype != TA_DT_I32 && s->dtype != TA_DT_I64)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "shape operand \"%s\" is %s; expected int32 or int64",
                     s->name, ta_dtype_name(s->dtype));
  return TA_OK;
}

static ta_status reshape_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *s = ta_op_input(g, op, 1);
  ta_tensor *y = ta_op_output(g, op, 0);
  char sx[96], sy[96], ss[96];
  size_t in_elems;
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  if (!ta_tensor_elems(x, &in_elems))
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has too many elements", x->name);

  /* The shape the operand asks for, with its -1 resolved. */
  ta_tensor want = {0};
  bool have_want = false;
  if (s && ta_tensor_is_const(s)) {
    ta_status st = read_shape(g, op, s, &want.rank, want.dims);
    if (st != TA_OK)
      return st;
    int32_t unknown = -1;
    size_t known = 1;
    for (int32_t k = 0; k < want.rank; k++) {
      if (want.dims[k] != -1) {
        if (!ta_mul_size(known, (size_t)want.dims[k], &known))
          return ta_op_err(g, op, TA_ERR_LIMIT, "shape operand \"%s\" has too many elements",
                           s->name);
      } else if (unknown >= 0) {
        return ta_op_err(g, op, TA_ERR_MALFORMED, "shape operand \"%s\" has more than one -1",
                         s->name);
      } else {
        unknown = k;
      }
    }
    want.shape_known = true;
    if (unknown >= 0) {
      if (known == 0 || in_elems % known != 0 || in_elems / known > INT32_MAX)
        return ta_op_err(g, op, TA_ERR_MALFORMED,
                         "shape operand \"%s\" cannot hold the %zu elements of input %s: no size "
                         "for its -1 makes the counts agree",
                         s->name, in_elems, ta_shape_str(x, sx, sizeof sx));
      want.dims[unknown] = (int32_t)(in_elems / known);
      known = in_elems;
    }
    if (known != in_elems)
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "shape operand \"%s\" asks for %s (%zu elements), but input %s has %zu",
                       s->name, ta_shape_str(&want, ss, sizeof ss), known,
                       ta_shape_str(x, sx, sizeof sx), in_elems);
    have_want = true;
  }

  if (!y->shape_known) {
    if (!have_want)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "the output shape is unknown and there is no constant shape operand to "
                       "take it from");
    y->shape_known = true;
    y->rank = want.rank;
    memcpy(y->dims, want.dims, sizeof y->dims);
    return TA_OK;
  }
  size_t out_elems;
  if (!ta_tensor_elems(y, &out_elems) || out_elems != in_elems)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "output \"%s\" has shape %s but input \"%s\" has shape %s: element counts "
                     "differ",
                     y->name, ta_shape_str(y, sy, sizeof sy), x->name,
                     ta_shape_str(x, sx, sizeof sx));
  if (have_want) {
    bool same = want.rank == y->rank;
    for (int32_t k = 0; same && k < y->rank; k++)
      same = want.dims[k] == y->dims[k];
    if (!same)
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "output \"%s\" has shape %s, but the shape operand \"%s\" gives %s", y->name,
                       ta_shape_str(y, sy, sizeof sy), s->name, ta_shape_str(&want, ss, sizeof ss));
  }
  return TA_OK;
}

static ta_status reshape_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t bytes;
  if (!ta_tensor_bytes(x, &bytes) || bytes > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" is larger than 2^31-1 bytes", x->name);
  ta_status st = ta_call_init(g, op, call, TA_K_copy_bytes);
  if (st != TA_OK)
    return st;
  tart_copy_params *p = call->params;
  p->n_bytes = (int32_t)bytes;
  call->n_in = 1; /* the shape operand is compile-time only */
  return TA_OK;
}

/* Data movement: no multiply-accumulates. */
static uint64_t reshape_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_RESHAPE = {
    .check = reshape_check,
    .infer = reshape_infer,
    .prepare = reshape_prepare,
    .macs = reshape_macs,
};
