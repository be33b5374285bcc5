/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_leaky_relu.c: LEAKY_RELU and ELU. in: x; out: x < 0 ? alpha * x : x (LEAKY_RELU) or
 * x < 0 ? alpha * expm1(x) : x (ELU; TFLite's reference with alpha 1, ONNX Elu), same shape;
 * float32 (attrs.alpha, finite). ONNX LeakyRelu; MACs: 0.
 * ELU also int8 (per-tensor quantization): TFLite's EluPrepare fills a 256-entry table
 * (LUTPopulate) in float: y = in_scale * (x - in_zp), alpha * (expf(y) - 1) when y < 0,
 * roundf(y * (1 / out_scale)) + out_zp, clamped; the kernel is lut_s8. TFLite's ELU has alpha 1
 * (multiplying by it is exact); ONNX Elu's alpha enters the same formula.
 */
#include <math.h>

#include "ta_ops.h"
#include "ta_quant_act.h"

static ta_status leaky_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  const bool s8 = op->kind == TA_OP_ELU && x->dtype == TA_DT_I8 && y->dtype == TA_DT_I8;
  if (s8) {
    ta_status st = ta_check_per_tensor_quant(g, op, x, "input");
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
    if (st != TA_OK)
      return st;
  } else if (x->dtype != TA_DT_F32 || y->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" is %s and output \"%s\" %s; "
                     "expected %s",
                     x->name, ta_dtype_name(x->dtype), y->name, ta_dtype_name(y->dtype),
                     op->kind == TA_OP_ELU ? "float32 or int8 for both" : "float32");
  if (!isfinite(op->a.alpha))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "alpha is %g; expected a finite value",
                     (double)op->a.alpha);
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  return TA_OK;
}

static ta_status leaky_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  size_t elems;
  const ta_tensor *x = ta_op_input(g, op, 0);
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  if (x->dtype == TA_DT_I8) {
    const ta_tensor *y = ta_op_output(g, op, 0);
    int8_t *t = ta_new_array(g->ctx, 256, 1);
    if (!t)
      return TA_ERR_LIMIT;
    const float inv = 1.0f / y->q.scale[0];
    const int32_t in_zp = (int32_t)x->q.zero_point[0], out_zp = (int32_t)y->q.zero_point[0];
    for (int32_t v = -128; v < 128; v++) {
      const float d = x->q.scale[0] * (float)(v - in_zp);
      const float e = d < 0.0f ? op->a.alpha * (expf(d) - 1.0f) : d;
      const float q = roundf(e * inv) + (float)out_zp;
      /* The reference converts to int32 first; clamp in float so that no value overflows. */
      t[v + 128] = (int8_t)(q <= -128.0f ? -128 : q >= 127.0f ? 127 : (int32_t)q);
    }
    ta_status st = ta_call_init(g, op, call, TA_K_lut_s8);
    if (st != TA_OK)
      return st;
    tart_lut_params *lp = call->params;
    lp->n_elems = (int32_t)elems;
    lp->n_table = 256;
    lp->table = t;
    return TA_OK;
  }
  ta_status st =
      ta_call_init(g, op, call, op->kind == TA_OP_ELU ? TA_K_elu_f32 : TA_K_leaky_relu_f32);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->alpha = op->a.alpha;
  return TA_OK;
}

static uint64_t leaky_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_LEAKY_RELU = {
    .check = leaky_check,
    .infer = ta_infer_same_shape,
    .prepare = leaky_prepare,
    .macs = leaky_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_ELU = {
    .check = leaky_check,
    .infer = ta_infer_same_shape,
    .prepare = leaky_prepare,
    .macs = leaky_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
