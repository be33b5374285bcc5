/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_slice.c: SLICE and STRIDED_SLICE, and the checks every data-movement op of this family
 * (SPLIT, GATHER) shares. in: input (any type of 1, 2, 4 or 8 bytes, rank <= 6) and constant
 * bounds; out: a window of the input. MACs: 0.
 *
 * Both reduce to one plan per dim: first index, step and count. SLICE (TFLite) gives begin
 * and size (-1: to the end); STRIDED_SLICE gives begin, end and strides with python's slicing
 * rules (negative indices count from the end, then bounds clamp: to [0, dim] for a positive
 * step, [-1, dim - 1] for a negative one), begin_mask/end_mask bits omitting a bound and
 * shrink_mask bits dropping a dim of one element. ONNX Slice has exactly these rules, so the
 * ONNX frontend emits STRIDED_SLICE. The kernel (runtime/src/slice.c) walks the output in
 * order with one input stride per dim (negative for a reversed dim): the values are moved,
 * never computed, so int8/int16 tensors pass unchanged when the output quantization is the
 * input's (checked).
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <string.h>

bool ta_const_ints(const ta_tensor *t, int64_t *v, int32_t cap, int32_t *n) {
  size_t elems;
  if (!t || !ta_tensor_is_const(t) || (t->dtype != TA_DT_I32 && t->dtype != TA_DT_I64) ||
      t->rank > 1 || !ta_tensor_elems(t, &elems) || elems > (size_t)cap)
    return false;
  for (size_t i = 0; i < elems; i++) {
    if (t->dtype == TA_DT_I64) {
      memcpy(&v[i], t->data + 8 * i, 8);
    } else {
      int32_t x;
      memcpy(&x, t->data + 4 * i, 4);
      v[i] = x;
    }
  }
  *n = (int32_t)elems;
  return true;
}

ta_status ta_check_moved(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                         const ta_tensor *y) {
  const size_t eb = ta_dtype_size(x->dtype);
  if (eb != 1 && eb != 2 && eb != 4 && eb != 8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" has type %s; expected a type of 1, 2, 4 or 8 bytes", x->name,
                     ta_dtype_name(x->dtype));
  if (y->dtype != x->dtype)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "output \"%s\" is %s; expected %s like the input",
                     y->name, ta_dtype_name(y->dtype), ta_dtype_name(x->dtype));
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  if (x->q.count == 0 && y->q.count == 0)
    return TA_OK;
  float sx, sy;
  int32_t zx, zy;
  if (x->q.count > 1 || y->q.count > 1 || !ta_quant_get(x, &sx, &zx) || !ta_quant_get(y, &sy, &zy))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" and output \"%s\" must both be quantized per tensor, or "
                     "neither",
                     x->name, y->name);
  if (sx != sy || zx != zy)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" has scale %g and zero point %d, output \"%s\" scale %g and "
                     "zero point %d; this op moves values without rescaling, so both must agree",
                     x->name, (double)sx, zx, y->name, (double)sy, zy);
  return TA_OK;
}

/* The window of each dim: first index b[k], step s[k] (never 0), count n[k] (>= 0). false
 * (reported) for a bad operand. */
static bool slice_plan(const ta_graph *g, const ta_op *op, int32_t *b, int32_t *s, int32_t *n) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  const int32_t r = x->rank;
  const bool strided = op->kind == TA_OP_STRIDED_SLICE;
  int64_t v[3][TA_MAX_RANK];
  const char *names[3] = {"begin", strided ? "end" : "size", "strides"};
  for (int32_t j = 0; j < (strided ? 3 : 2); j++) {
    const ta_tensor *t = ta_op_input(g, op, 1 + j);
    int32_t cnt = -1;
    if (j == 2 && !t) {
      for (int32_t k = 0; k < r; k++)
        v[2][k] = 1;
      continue;
    }
    if (!t) {
      ta_op_err(g, op, TA_ERR_MALFORMED, "operand %s is missing", names[j]);
      return false;
    }
    if (!ta_const_ints(t, v[j], TA_MAX_RANK, &cnt) || cnt != r) {
      ta_op_err(g, op, ta_tensor_is_const(t) ? TA_ERR_MALFORMED : TA_ERR_UNSUPPORTED,
                "%s \"%s\" must be a constant int32/int64 vector of %d values (one per input "
                "dim)",
                names[j], t->name, r);
      return false;
    }
  }
  for (int32_t k = 0; k < r; k++) {
    const int64_t dim = x->dims[k];
    if (!strided) {
      const int64_t begin = v[0][k], size = v[1][k];
      if (begin < 0 || begin > dim || size < -1 || (size >= 0 && begin + size > dim)) {
        ta_op_err(g, op, TA_ERR_MALFORMED,
                  "dim %d: begin %lld and size %lld do not fit the input's %lld elements", k,
                  (long long)begin, (long long)size, (long long)dim);
        return false;
      }
      b[k] = (int32_t)begin;
      s[k] = 1;
      n[k] = (int32_t)(size < 0 ? dim - begin : size);
      continue;
    }
    const int64_t step = v[2][k];
    if (step == 0 || step < -INT32_MAX || step > INT32_MAX) {
      ta_op_err(g, op, TA_ERR_MALFORMED, "dim %d: stride %lld (expected nonzero, 32-bit)", k,
                (long long)step);
      return false;
    }
    int64_t lo = v[0][k], hi = v[1][k];
    if (step > 0) {
      lo = (op->a.begin_mask >> k) & 1 ? 0 : lo < 0 ? lo + dim : lo;
      hi = (op->a.end_mask >> k) & 1 ? dim : hi < 0 ? hi + dim : hi;
      lo = lo < 0 ? 0 : lo > dim ? dim : lo;
      hi = hi < 0 ? 0 : hi > dim ? dim : hi;
      n[k] = (int32_t)(hi > lo ? (hi - lo + step - 1) / step : 0);
    } else {
      lo = (op->a.begin_mask >> k) & 1 ? dim - 1 : lo < 0 ? lo + dim : lo;
      hi = (op->a.end_mask >> k) & 1 ? -1 : hi < 0 ? hi + dim : hi;
      lo = lo < -1 ? -1 : lo > dim - 1 ? dim - 1 : lo;
      hi = hi < -1 ? -1 : hi > dim - 1 ? dim - 1 : hi;
      n[k] = (int32_t)(lo > hi ? (lo - hi - step - 1) / -step : 0);
    }
    if ((op->a.shrink_mask >> k) & 1) {
      /* TFLite's shrink: exactly the element at begin, which must exist. */
      if ((op->a.begin_mask >> k) & 1)
        lo = step > 0 ? 0 : dim - 1;
      else
        lo = v[0][k] < 0 ? v[0][k] + dim : v[0][k];
      if (lo < 0 || lo >= dim) {
        ta_op_err(g, op, TA_ERR_MALFORMED, "dim %d: shrink index %lld is outside 0..%lld", k,
                  (long long)v[0][k], (long long)dim - 1);
        return false;
      }
      n[k] = 1;
    }
    b[k] = (int32_t)(n[k] > 0 ? lo : 0);
    s[k] = (int32_t)step;
  }
  return true;
}

static ta_status slice_check(ta_graph *g, ta_op *op) {
  const bool strided = op->kind == TA_OP_STRIDED_SLICE;
  if (op->n_out != 1 || op->n_in < (strided ? 3 : 3) || op->n_in > (strided ? 4 : 3))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected %s and 1",
                     op->n_in, op->n_out,
                     strided ? "3 or 4 (input, begin, end, strides)" : "3 (input, begin, size)");
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (op->a.ellipsis_mask || op->a.new_axis_mask)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "ellipsis_mask %d / new_axis_mask %d are not supported (only begin, end and "
                     "shrink masks); re-export with explicit bounds for every dim",
                     op->a.ellipsis_mask, op->a.new_axis_mask);
  return ta_check_moved(g, op, x, y);
}

static ta_status slice_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  int32_t b[TA_MAX_RANK], s[TA_MAX_RANK], n[TA_MAX_RANK], dims[TA_MAX_RANK], r = 0;
  if (!slice_plan(g, op, b, s, n))
    return g->ctx->oom ? TA_ERR_LIMIT : TA_ERR_MALFORMED;
  for (int32_t k = 0; k < x->rank; k++) {
    if (n[k] == 0)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "dim %d of the output is empty (tinyaot does not support empty tensors)", k);
    if (op->kind == TA_OP_STRIDED_SLICE && ((op->a.shrink_mask >> k) & 1))
      continue;
    dims[r++] = n[k];
  }
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), r, dims);
}

static ta_status slice_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  int32_t b[TA_MAX_RANK], s[TA_MAX_RANK], n[TA_MAX_RANK];
  if (!slice_plan(g, op, b, s, n))
    return TA_ERR_MALFORMED;
  ta_status st = ta_call_init(g, op, call, TA_K_slice);
  if (st != TA_OK)
    return st;
  call->n_in = 1;
  tart_slice_params *p = call->params;
  p->elem_bytes = (int32_t)ta_dtype_size(x->dtype);
  int32_t d[TA_MAX_RANK], str[TA_MAX_RANK], m = 0;
  int64_t stride = 1, offset = 0;
  for (int32_t k = x->rank - 1; k >= 0; k--) {
    offset += (int64_t)b[k] * stride;
    d[k] = n[k];
    str[k] = (int32_t)(s[k] * stride);
    stride *= x->dims[k];
  }
  /* Drop dims of one element; merge a dim into the next when they step as one. */
  int32_t md[TA_MAX_RANK], ms[TA_MAX_RANK];
  for (int32_t k = 0; k < x->rank; k++) {
    if (d[k] == 1)
      continue;
    if (m > 0 && ms[m - 1] == str[k] * d[k]) {
      md[m - 1] *= d[k];
      ms[m - 1] = str[k];
      continue;
    }
    md[m] = d[k];
    ms[m] = str[k];
    m++;
  }
  for (int32_t k = 0; k < 6; k++) {
    p->out_dims[k] = 1;
    p->in_strides[k] = 0;
  }
  for (int32_t i = 0; i < m; i++) {
    p->out_dims[6 - m + i] = md[i];
    p->in_strides[6 - m + i] = ms[i];
  }
  p->offset = (int32_t)offset;
  return TA_OK;
}

static uint64_t slice_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_SLICE = {
    .check = slice_check,
    .infer = slice_infer,
    .prepare = slice_prepare,
    .macs = slice_macs,
};

const ta_op_def ta_op_def_STRIDED_SLICE = {
    .check = slice_check,
    .infer = slice_infer,
    .prepare = slice_prepare,
    .macs = slice_macs,
};
