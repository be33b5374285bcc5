/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_clamp.c: CLAMP (ONNX Clip). in: x; out: min(max(x, clamp_min), clamp_max), in that order
 * (so clamp_min > clamp_max gives clamp_max everywhere, as ONNX specifies), same shape.
 * float32 (bounds may be +-infinity), or integers of at most 32 bits without quantization
 * (bounds are clipped to the type's range first, so they fit the kernel's int32 fields).
 * Quantized int8 clamps are RELU-family ops or fused activations, not this op. MACs: 0.
 */
#include <float.h>
#include <math.h>

#include "ta_ops.h"
#include "ta_quant_act.h"

/* The range of an integer type of at most 32 bits; false for others. */
static bool int_range(ta_dtype dt, double *lo, double *hi) {
  switch (dt) {
  case TA_DT_I8: *lo = -128, *hi = 127; return true;
  case TA_DT_U8: *lo = 0, *hi = 255; return true;
  case TA_DT_I16: *lo = -32768, *hi = 32767; return true;
  case TA_DT_U16: *lo = 0, *hi = 65535; return true;
  case TA_DT_I32: *lo = -2147483648.0, *hi = 2147483647.0; return true;
  default: return false;
  }
}

static ta_status clamp_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  double lo = 0, hi = 0;
  if (y->dtype != x->dtype || (x->dtype != TA_DT_F32 && !int_range(x->dtype, &lo, &hi)) ||
      x->q.count != 0)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" is %s%s and output \"%s\" %s; expected float32 or an integer "
                     "type of at most 32 bits without quantization, the same for both",
                     x->name, ta_dtype_name(x->dtype), x->q.count ? " (quantized)" : "", y->name,
                     ta_dtype_name(y->dtype));
  if (isnan(op->a.clamp_min) || isnan(op->a.clamp_max))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "a bound is NaN");
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  return TA_OK;
}

static float to_f32(double v) {
  if (v >= (double)INFINITY || v > (double)FLT_MAX)
    return INFINITY;
  if (v <= -(double)INFINITY || v < -(double)FLT_MAX)
    return -INFINITY;
  return (float)v;
}

static ta_status clamp_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  size_t elems;
  const ta_tensor *x = ta_op_input(g, op, 0);
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  const bool f32 = x->dtype == TA_DT_F32;
  ta_status st = ta_call_init(g, op, call, f32 ? TA_K_clip_f32 : TA_K_clip_int);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  if (f32) {
    /* Generated code cannot spell an infinity as a constant: the kernel reads +-FLT_MAX as
     * "no bound" (see defs/elementwise.def). */
    const float lo = to_f32(op->a.clamp_min), hi = to_f32(op->a.clamp_max);
    p->clamp.min_f32 = isinf(lo) ? (lo < 0 ? -FLT_MAX : FLT_MAX) : lo;
    p->clamp.max_f32 = isinf(hi) ? (hi < 0 ? -FLT_MAX : FLT_MAX) : hi;
    return TA_OK;
  }
  double lo = 0, hi = 0;
  int_range(x->dtype, &lo, &hi);
  const double cmin = op->a.clamp_min < lo ? lo : op->a.clamp_min > hi ? hi : op->a.clamp_min;
  const double cmax = op->a.clamp_max < lo ? lo : op->a.clamp_max > hi ? hi : op->a.clamp_max;
  p->clamp.min = (int32_t)ceil(cmin);
  p->clamp.max = (int32_t)floor(cmax);
  p->int_type = ta_int_type(x->dtype);
  return TA_OK;
}

static uint64_t clamp_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_CLAMP = {
    .check = clamp_check,
    .infer = ta_infer_same_shape,
    .prepare = clamp_prepare,
    .macs = clamp_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
