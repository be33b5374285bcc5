/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_relu.c: RELU, RELU6 and RELU_N1_TO_1. in: x; out: x clamped to [0, inf), [0, 6] or
 * [-1, 1], same shape; int8 (per-tensor quantization) or float32.
 *
 * int8, as the reference kernels do it:
 *   RELU          TFLite Micro's ReluQuantized: requantize by (double)scale_in / scale_out,
 *                 clamp to [zero_out + round(0 / scale_out), 127] (CalculateReluOpData).
 *   RELU6         TFLite Micro's Relu6: a clamp to [zero_in, zero_in + round(6 / scale_in)] in
 *                 the INPUT's quantization; the output's scale and zero point are not used
 *                 (a warning says so when they differ from the input's).
 *   RELU_N1_TO_1  not in TFLite Micro: TFLite's ReluX, requantizing by scale_in / scale_out
 *                 (divided in float, as its ReluPrepare does) and clamping to
 *                 [zero_out + round(-1 / scale_out), zero_out + round(1 / scale_out)].
 * When input and output share scale and zero point the multiplier is exactly 1 and the
 * offsets cancel, so every case is then a plain clamp (kernel clamp_s8, same bytes).
 * float32 follows ReluFloat / Relu6Float / Relu1 (val < 0 ? 0 : val, etc.).
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <stdio.h>
#include <string.h>

static ta_act act_of(ta_op_kind k) {
  return k == TA_OP_RELU6 ? TA_ACT_RELU6 : k == TA_OP_RELU ? TA_ACT_RELU : TA_ACT_RELU_N1_TO_1;
}

static bool same_quant(const ta_tensor *x, const ta_tensor *y) {
  return x->q.scale[0] == y->q.scale[0] && x->q.zero_point[0] == y->q.zero_point[0];
}

static ta_status relu_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (x->dtype != TA_DT_I8 && x->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected int8 or float32",
                     x->name, ta_dtype_name(x->dtype));
  if (y->dtype != x->dtype)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "output \"%s\" is %s; expected %s like the input",
                     y->name, ta_dtype_name(y->dtype), ta_dtype_name(x->dtype));
  if (x->dtype != TA_DT_I8)
    return TA_OK;
  ta_status st = ta_check_per_tensor_quant(g, op, x, "input");
  ta_status st2 = ta_check_per_tensor_quant(g, op, y, "output");
  if (st != TA_OK || st2 != TA_OK)
    return st != TA_OK ? st : st2;
  if (op->kind == TA_OP_RELU6 && !same_quant(x, y)) {
    ta_op_warn(g, op,
               "output quantization (scale %g, zero point %lld) differs from the input's (scale "
               "%g, zero point %lld); like TFLite Micro, int8 RELU6 clamps in the input's "
               "quantization and does not rescale",
               (double)y->q.scale[0], (long long)y->q.zero_point[0], (double)x->q.scale[0],
               (long long)x->q.zero_point[0]);
  }
  return TA_OK;
}

static ta_status relu_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  const ta_act act = act_of(op->kind);
  ta_status st;
  if (x->dtype == TA_DT_F32) {
    st = ta_call_init(g, op, call, act == TA_ACT_RELU ? TA_K_relu_f32 : TA_K_relux_f32);
    if (st != TA_OK)
      return st;
    tart_unary_params *p = call->params;
    p->n_elems = (int32_t)elems;
    ta_act_range_f32(act, &p->clamp.min_f32, &p->clamp.max_f32);
    return TA_OK;
  }
  const bool clamp_only = op->kind == TA_OP_RELU6 || same_quant(x, y);
  st = ta_call_init(g, op, call, clamp_only ? TA_K_clamp_s8 : TA_K_requantize_s8);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  if (clamp_only) {
    /* RELU6 uses the input's quantization (TFLite Micro); otherwise both are the same. */
    ta_act_range_quant(act, x->q.scale[0], (int32_t)x->q.zero_point[0], -128, 127, &p->clamp.min,
                       &p->clamp.max);
    return TA_OK;
  }
  const double real = op->kind == TA_OP_RELU ? (double)x->q.scale[0] / (double)y->q.scale[0]
                                             : (double)(x->q.scale[0] / y->q.scale[0]);
  st = ta_requant_multiplier(g, op, real, x->q.scale[0], y->q.scale[0], &p->mult, &p->shift_left);
  if (st != TA_OK)
    return st;
  p->in_neg_zp = -(int32_t)x->q.zero_point[0];
  p->out_zp = (int32_t)y->q.zero_point[0];
  ta_act_range_quant(act, y->q.scale[0], p->out_zp, -128, 127, &p->clamp.min, &p->clamp.max);
  return TA_OK;
}

/* Elementwise: no multiply-accumulates. */
static uint64_t relu_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_RELU = {
    .check = relu_check,
    .infer = ta_infer_same_shape,
    .prepare = relu_prepare,
    .macs = relu_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_RELU6 = {
    .check = relu_check,
    .infer = ta_infer_same_shape,
    .prepare = relu_prepare,
    .macs = relu_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_RELU_N1_TO_1 = {
    .check = relu_check,
    .infer = ta_infer_same_shape,
    .prepare = relu_prepare,
    .macs = relu_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
