/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_pad.c: PAD. in: x, paddings (constant int32/int64 [rank, 2]: before and after, per dim)
 * [, value (constant scalar, PADV2)]; out: x surrounded by the pad value; int8 or float32.
 * The pad value is 0 for float32 and the output zero point for int8 (the quantized 0), as in
 * TFLite Micro's PadEval; int8 values are copied without rescaling, so input and output
 * should share their quantization (TFLite Micro does not check it: a warning says when not).
 *
 * Prepare merges dims for the kernel (runtime/src/pad.c): size-1 dims without padding vanish,
 * and a dim without padding folds into the dim outside it (its pads scale by its size), so an
 * NHWC pad of H and W becomes [H, W*C] with pads of whole pixels.
 *
 * MIRROR_PAD (TFLite REFLECT/SYMMETRIC, ONNX Pad reflect/edge) fills the border from the input
 * instead (runtime/src/pad.c, pad_mirror), any type moved unchanged.
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <stdio.h>
#include <string.h>

/* paddings[k][0..1] as int64 (both dtypes). */
static int64_t pad_at(const ta_tensor *pads, int32_t k, int32_t side) {
  const size_t i = (size_t)(2 * k + side);
  if (pads->dtype == TA_DT_I32) {
    int32_t v;
    memcpy(&v, pads->data + 4 * i, 4);
    return v;
  }
  int64_t v;
  memcpy(&v, pads->data + 8 * i, 8);
  return v;
}

static ta_status pad_check(ta_graph *g, ta_op *op) {
  if ((op->n_in != 2 && op->n_in != 3) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 (or 3) and 1", op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *pads = ta_op_input(g, op, 1);
  const ta_tensor *v = ta_op_input(g, op, 2), *y = ta_op_output(g, op, 0);
  if (!x || !pads || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing",
                     !x      ? "the input"
                     : !pads ? "the paddings operand"
                             : "the output");
  ta_status st = TA_OK;
  if (x->dtype != TA_DT_I8 && x->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected int8 or float32",
                     x->name, ta_dtype_name(x->dtype));
  if (y->dtype != x->dtype)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "output \"%s\" is %s; expected %s like the input",
                     y->name, ta_dtype_name(y->dtype), ta_dtype_name(x->dtype));
  if (pads->dtype != TA_DT_I32 && pads->dtype != TA_DT_I64)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "paddings operand \"%s\" is %s; expected int32 or int64", pads->name,
                     ta_dtype_name(pads->dtype));
  if (!ta_tensor_is_const(pads))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "paddings operand \"%s\" is not constant; PAD needs its paddings at compile "
                     "time (as TFLite Micro does)",
                     pads->name);
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  size_t want_bytes = (size_t)x->rank * 2 * ta_dtype_size(pads->dtype);
  char sp[96];
  if (!pads->shape_known || pads->rank != 2 || pads->dims[0] != x->rank || pads->dims[1] != 2 ||
      pads->data_bytes < want_bytes)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "paddings operand \"%s\" has shape %s; expected [%d,2] (before and after for "
                     "each of the input's %d dims)",
                     pads->name, ta_shape_str(pads, sp, sizeof sp), x->rank, x->rank);
  for (int32_t k = 0; k < x->rank; k++) {
    for (int32_t side = 0; side < 2; side++) {
      const int64_t p = pad_at(pads, k, side);
      if ((p < 0 || p > INT32_MAX / 2 - x->dims[k]) && st == TA_OK)
        st = ta_op_err(g, op, p < 0 ? TA_ERR_UNSUPPORTED : TA_ERR_LIMIT,
                       "padding %s dim %d is %lld; expected a size >= 0%s",
                       side ? "after" : "before", k, (long long)p,
                       p < 0 ? " (negative padding is not supported)" : " that fits int32");
    }
  }
  if (v) {
    if (!ta_tensor_is_const(v) || v->dtype != x->dtype || v->data_bytes != ta_dtype_size(x->dtype))
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "pad value operand \"%s\" must be a constant %s scalar", v->name,
                       ta_dtype_name(x->dtype));
  }
  if (x->dtype != TA_DT_I8 || st != TA_OK)
    return st;
  st = ta_check_per_tensor_quant(g, op, x, "input");
  ta_status s2 = ta_check_per_tensor_quant(g, op, y, "output");
  if (st != TA_OK || s2 != TA_OK)
    return st != TA_OK ? st : s2;
  if (v && (ta_check_per_tensor_quant(g, op, v, "pad value") != TA_OK ||
            v->q.scale[0] != y->q.scale[0] || v->q.zero_point[0] != y->q.zero_point[0]))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "pad value \"%s\" must be quantized like the output (scale %g, zero point "
                     "%lld), as TFLite requires",
                     v->name, (double)y->q.scale[0], (long long)y->q.zero_point[0]);
  if (x->q.scale[0] != y->q.scale[0] || x->q.zero_point[0] != y->q.zero_point[0]) {
    ta_op_warn(g, op,
               "output quantization (scale %g, zero point %lld) differs from the input's (scale "
               "%g, zero point %lld); like TFLite Micro, PAD copies int8 values without "
               "rescaling",
               (double)y->q.scale[0], (long long)y->q.zero_point[0], (double)x->q.scale[0],
               (long long)x->q.zero_point[0]);
  }
  return TA_OK;
}

static ta_status pad_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *pads = ta_op_input(g, op, 1);
  ta_tensor *y = ta_op_output(g, op, 0);
  ta_tensor want = {0};
  char sx[96], sy[96], sw[96];
  want.shape_known = true;
  want.rank = x->rank;
  for (int32_t k = 0; k < x->rank; k++)
    want.dims[k] = x->dims[k] + (int32_t)pad_at(pads, k, 0) + (int32_t)pad_at(pads, k, 1);
  if (!y->shape_known) {
    y->shape_known = true;
    y->rank = want.rank;
    memcpy(y->dims, want.dims, sizeof y->dims);
    return TA_OK;
  }
  bool same = y->rank == want.rank;
  for (int32_t k = 0; same && k < want.rank; k++)
    same = y->dims[k] == want.dims[k];
  if (!same)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "output \"%s\" has shape %s, but input %s padded gives %s", y->name,
                     ta_shape_str(y, sy, sizeof sy), ta_shape_str(x, sx, sizeof sx),
                     ta_shape_str(&want, sw, sizeof sw));
  return TA_OK;
}

static ta_status pad_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *pads = ta_op_input(g, op, 1);
  const ta_tensor *v = ta_op_input(g, op, 2), *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(y, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "output \"%s\" has more than 2^31-1 elements", y->name);
  const bool s8 = x->dtype == TA_DT_I8;
  ta_status st = ta_call_init(g, op, call, s8 ? TA_K_pad_s8 : TA_K_pad_f32);
  if (st != TA_OK)
    return st;
  tart_pad_params *p = call->params;

  /* Merge dims, outermost first: d/b/a are size, pad before, pad after. */
  int64_t d[TA_MAX_RANK], b[TA_MAX_RANK], a[TA_MAX_RANK];
  int32_t n = 0;
  for (int32_t k = 0; k < x->rank; k++) {
    const int64_t pb = pad_at(pads, k, 0), pa = pad_at(pads, k, 1), dk = x->dims[k];
    if (dk == 1 && pb == 0 && pa == 0)
      continue;
    if (n > 0 && pb == 0 && pa == 0) { /* no padding: fold into the dim outside */
      d[n - 1] *= dk;
      b[n - 1] *= dk;
      a[n - 1] *= dk;
      continue;
    }
    d[n] = dk, b[n] = pb, a[n] = pa;
    n++;
  }
  for (int k = 0; k < 6; k++)
    p->in_dims[k] = 1;
  for (int32_t i = 0; i < n; i++) { /* right-aligned into 6 dims */
    const int32_t k = 6 - n + i;
    p->in_dims[k] = (int32_t)d[i];
    p->pad_before[k] = (int32_t)b[i];
    p->pad_after[k] = (int32_t)a[i];
  }
  if (s8) {
    int8_t value = (int8_t)y->q.zero_point[0];
    if (v)
      memcpy(&value, v->data, 1);
    p->pad_value = value;
  } else if (v) {
    memcpy(&p->pad_value_f32, v->data, 4);
  }
  call->n_in = 1; /* paddings (and value) are compile-time only */
  return TA_OK;
}

/* Data movement: no multiply-accumulates. */
static uint64_t pad_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_PAD = {
    .check = pad_check,
    .infer = pad_infer,
    .prepare = pad_prepare,
    .macs = pad_macs,
};

/* MIRROR_PAD (and ONNX Pad reflect/edge): the same operands without a value; any type moved
 * as it is (quantized: input and output alike). Reflect pads stay below the dim (the edge is
 * not repeated, so a dim of n has n - 1 values to mirror), symmetric ones at most the dim, as
 * TFLite requires; edge pads are free. */
static ta_status mirror_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 2 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 (input, paddings) and 1", op->n_in,
                     op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *pads = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !pads || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing",
                     !x      ? "the input"
                     : !pads ? "the paddings operand"
                             : "the output");
  ta_status st = ta_check_moved(g, op, x, y);
  if (st != TA_OK)
    return st;
  const int32_t mode = op->a.pad_mode;
  if (mode < TA_PAD_MODE_REFLECT || mode > TA_PAD_MODE_EDGE)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "mode %d is not REFLECT (0) or SYMMETRIC (1)", mode);
  if (!ta_tensor_is_const(pads))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "paddings operand \"%s\" is not constant; tinyaot needs its paddings at "
                     "compile time",
                     pads->name);
  char sp[96];
  if ((pads->dtype != TA_DT_I32 && pads->dtype != TA_DT_I64) || !pads->shape_known ||
      pads->rank != 2 || pads->dims[0] != x->rank || pads->dims[1] != 2 ||
      pads->data_bytes < (size_t)x->rank * 2 * ta_dtype_size(pads->dtype))
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "paddings operand \"%s\" is %s %s; expected int32 or int64 [%d,2]", pads->name,
                     ta_dtype_name(pads->dtype), ta_shape_str(pads, sp, sizeof sp), x->rank);
  for (int32_t k = 0; k < x->rank; k++)
    for (int32_t side = 0; side < 2; side++) {
      const int64_t p = pad_at(pads, k, side);
      const int64_t most = mode == TA_PAD_MODE_REFLECT     ? x->dims[k] - 1
                           : mode == TA_PAD_MODE_SYMMETRIC ? x->dims[k]
                                                           : 65536;
      if (p < 0 || p > most)
        return ta_op_err(g, op, p < 0 ? TA_ERR_UNSUPPORTED : TA_ERR_MALFORMED,
                         "padding %s dim %d is %lld; expected 0 to %lld (%s padding of a dim of "
                         "%d)",
                         side ? "after" : "before", k, (long long)p, (long long)most,
                         mode == TA_PAD_MODE_REFLECT     ? "reflect"
                         : mode == TA_PAD_MODE_SYMMETRIC ? "symmetric"
                                                         : "edge",
                         x->dims[k]);
    }
  return TA_OK;
}

static ta_status mirror_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *pads = ta_op_input(g, op, 1);
  size_t elems;
  if (!ta_tensor_elems(ta_op_output(g, op, 0), &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "the output has more than 2^31-1 elements");
  ta_status st = ta_call_init(g, op, call, TA_K_pad_mirror);
  if (st != TA_OK)
    return st;
  tart_mirror_params *p = call->params;
  p->mode = op->a.pad_mode;
  /* Trailing dims without padding become part of the element. */
  int32_t last = x->rank - 1;
  int64_t eb = (int64_t)ta_dtype_size(x->dtype);
  while (last > 0 && pad_at(pads, last, 0) == 0 && pad_at(pads, last, 1) == 0) {
    eb *= x->dims[last];
    last--;
  }
  if (eb > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "the input has more than 2^31-1 bytes");
  p->elem_bytes = (int32_t)eb;
  for (int32_t k = 0; k < 6; k++) {
    p->in_dims[k] = 1;
    p->pad_before[k] = p->pad_after[k] = 0;
  }
  for (int32_t k = 0; k <= last; k++) { /* right-aligned into 6 dims */
    const int32_t d = 6 - (last + 1) + k;
    p->in_dims[d] = x->dims[k];
    p->pad_before[d] = (int32_t)pad_at(pads, k, 0);
    p->pad_after[d] = (int32_t)pad_at(pads, k, 1);
  }
  call->n_in = 1;
  return TA_OK;
}

const ta_op_def ta_op_def_MIRROR_PAD = {
    .check = mirror_check,
    .infer = pad_infer,
    .prepare = mirror_prepare,
    .macs = pad_macs,
};
