/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_hard_swish.c: HARD_SWISH and HARD_SIGMOID. in: x; out: same shape.
 *   HARD_SWISH    x * relu6(x + 3) / 6; int8 (per-tensor quantization) or float32. The int8
 *                 constants are TFLite's HardSwishPrepare (shared by TFLite Micro): the
 *                 scale ratios are divided in float, quantized with QuantizeMultiplier and
 *                 rounded down to int16 multipliers (DownScaleInt32ToInt16Multiplier).
 *   HARD_SIGMOID  max(0, min(1, attrs.alpha * x + attrs.beta)), float32 (ONNX HardSigmoid;
 *                 TFLite has no such op).
 * MACs: 0.
 */
#include <math.h>

#include "ta_ops.h"
#include "ta_quant.h"

static ta_status hs_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  const bool s8_ok = op->kind == TA_OP_HARD_SWISH;
  if (x->dtype != TA_DT_F32 && !(s8_ok && x->dtype == TA_DT_I8))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected %s", x->name,
                     ta_dtype_name(x->dtype), s8_ok ? "int8 or float32" : "float32");
  if (y->dtype != x->dtype)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "output \"%s\" is %s; expected %s like the input",
                     y->name, ta_dtype_name(y->dtype), ta_dtype_name(x->dtype));
  if (op->kind == TA_OP_HARD_SIGMOID && (!isfinite(op->a.alpha) || !isfinite(op->a.beta)))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "alpha %g and beta %g; expected finite values",
                     (double)op->a.alpha, (double)op->a.beta);
  if (x->dtype != TA_DT_I8)
    return TA_OK;
  ta_status st = ta_check_per_tensor_quant(g, op, x, "input");
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  return st;
}

/* TFLite's DownScaleInt32ToInt16Multiplier: the Q0.31 multiplier rounded to Q0.15. */
static int32_t down_to_int16(int32_t m) {
  if (m >= INT32_MAX - (1 << 15))
    return INT16_MAX;
  return (m + (1 << 15)) >> 16;
}

static ta_status hs_prepare_s8(ta_graph *g, ta_op *op, tart_hard_swish_params *p) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  /* In float, as HardSwishPrepare computes them. */
  const float hires_in_scale = (1.0f / 128.0f) * x->q.scale[0];
  const float reluish_scale = 3.0f / 32768.0f;
  const float out_m = hires_in_scale / y->q.scale[0];
  const float reluish_m = hires_in_scale / reluish_scale;
  int32_t m32;
  ta_quantize_multiplier((double)out_m, &m32, &p->out_shift_left);
  p->out_mult = down_to_int16(m32);
  if (p->out_shift_left > 0 || p->out_shift_left < -31)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input scale %g / 128 / output scale %g = %g; TFLite's int8 HARD_SWISH "
                     "needs it in [2^-32, 1)",
                     (double)x->q.scale[0], (double)y->q.scale[0], (double)out_m);
  ta_quantize_multiplier((double)reluish_m, &m32, &p->reluish_shift_left);
  p->reluish_mult = down_to_int16(m32);
  if (p->reluish_shift_left > 31 || p->reluish_shift_left < -31)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input scale %g is out of the range TFLite's int8 HARD_SWISH represents",
                     (double)x->q.scale[0]);
  p->in_zp = (int32_t)x->q.zero_point[0];
  p->out_zp = (int32_t)y->q.zero_point[0];
  return TA_OK;
}

static ta_status hs_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  const ta_kernel_id k = op->kind == TA_OP_HARD_SIGMOID ? TA_K_hard_sigmoid_f32
                         : x->dtype == TA_DT_I8         ? TA_K_hard_swish_s8
                                                        : TA_K_hard_swish_f32;
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_hard_swish_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->alpha = op->a.alpha;
  p->beta = op->a.beta;
  return k == TA_K_hard_swish_s8 ? hs_prepare_s8(g, op, p) : TA_OK;
}

static uint64_t hs_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_HARD_SWISH = {
    .check = hs_check,
    .infer = ta_infer_same_shape,
    .prepare = hs_prepare,
    .macs = hs_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_HARD_SIGMOID = {
    .check = hs_check,
    .infer = ta_infer_same_shape,
    .prepare = hs_prepare,
    .macs = hs_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
