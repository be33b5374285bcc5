/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_softmax.c: SOFTMAX over the last axis, attrs.beta. float32 -> float32 or int8 -> int8.
 * int8 -> int16 too (TFLM's 16-bit output: scale 1/65536, zero point -32768).
 * LOG_SOFTMAX over the last axis, float32 (TFLite's reference: x - max - log(sum exp(x - max)))
 * or int8 (TFLite's reference_integer_ops::LogSoftmax: output scale exactly 16/256 and zero
 * point 127, both required as TFLite's prepare does; beta 1; the input multiplier and diff_min
 * as SOFTMAX's, plus PreprocessLogSoftmaxScalingExp's reverse scaling: 2^(31 - shift) / mult
 * by QuantizeMultiplierSmallerThanOneExp).
 *
 * int8 is TFLite's fixed-point algorithm (reference_ops::Softmax), its constants computed at
 * compile time as TFLM's CalculateSoftmaxParams does: the output must be quantized with scale
 * exactly 1/256 and zero point -128; beta * input_scale becomes a Q5.26 input multiplier
 * (PreprocessSoftmaxScaling, kScaledDiffIntegerBits = 5) and diff_min = -CalculateInputRadius(5,
 * shift), the smallest difference to the row maximum that still counts. MACs: 0.
 */
#include "ta_ops.h"
#include "ta_quant.h"
#include "ta_quant_act.h"

#include <math.h>

/* PreprocessLogSoftmaxScalingExp's reverse scaling: 2^(31 - shift) / mult, which must be < 1
 * (QuantizeMultiplierSmallerThanOneExp); false otherwise. */
static bool log_softmax_reverse(int32_t mult, int32_t shift, int32_t *rev_mult,
                                int32_t *rev_shift) {
  if (shift < 1 || shift > 31)
    return false;
  ta_quantize_multiplier((double)(1ll << (31 - shift)) / (double)mult, rev_mult, rev_shift);
  return *rev_shift <= 0 && *rev_shift >= -31;
}

static ta_status softmax_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing", !x ? "input" : "output");
  ta_status st = TA_OK;
  char sb[96];
  const bool log = op->kind == TA_OP_LOG_SOFTMAX;
  if (x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected %s",
                                 x->name, ta_dtype_name(x->dtype), "float32 or int8"));
  else if (y->dtype != x->dtype && !(x->dtype == TA_DT_I8 && y->dtype == TA_DT_I16 && !log))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "output \"%s\" is %s; expected %s like the input", y->name,
                                 ta_dtype_name(y->dtype), ta_dtype_name(x->dtype)));
  if (!x->shape_known || x->rank < 1 || !ta_tensor_dims_ok(x))
    ta_keep_first(
        &st,
        ta_op_err(
            g, op, TA_ERR_MALFORMED,
            "input \"%s\" has shape %s; expected a known shape of rank >= 1 with every dim >= 1",
            x->name, x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (!isfinite(op->a.beta))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "beta is %g; expected a finite value",
                                 (double)op->a.beta));
  if (st != TA_OK || x->dtype != TA_DT_I8)
    return st;

  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
  /* TFLM's int16 output: 1/65536 and -32768 (its 16x8 keyword models end that way). */
  if (log)
    ta_keep_first(&st, ta_check_fixed_output_quant(g, op, y, 16, 127, true, true));
  else if (y->dtype == TA_DT_I16)
    ta_keep_first(&st, ta_check_fixed_output_quant(g, op, y, 65536, -32768, false, true));
  else
    ta_keep_first(&st, ta_check_fixed_output_quant(g, op, y, 256, -128, true, true));
  if (st != TA_OK)
    return st;
  int32_t mult, shift;
  if (!ta_softmax_input_scaling(log ? 1.0 : (double)op->a.beta, (double)x->q.scale[0], 5, &mult,
                                &shift))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "beta %g times input scale %g is too small for int8 softmax (TFLite needs "
                     "beta * scale * 2^26 > 1)",
                     (double)op->a.beta, (double)x->q.scale[0]);
  int32_t rm, rs;
  if (log && !log_softmax_reverse(mult, shift, &rm, &rs))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input scale %g is too large for int8 LOG_SOFTMAX (TFLite needs the scaled "
                     "input multiplier's shift >= 1)",
                     (double)x->q.scale[0]);
  return TA_OK;
}

static ta_status log_softmax_prepare_s8(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  ta_status st = ta_call_init(g, op, call, TA_K_log_softmax_s8);
  if (st != TA_OK)
    return st;
  tart_log_softmax_params *p = call->params;
  size_t elems = 0;
  ta_tensor_elems(x, &elems);
  p->depth = x->dims[x->rank - 1];
  p->rows = (int32_t)(elems / (size_t)p->depth);
  if (!ta_softmax_input_scaling(1.0, (double)x->q.scale[0], 5, &p->in_mult, &p->in_shift_left) ||
      !log_softmax_reverse(p->in_mult, p->in_shift_left, &p->rev_mult, &p->rev_shift_left))
    return ta_op_err(g, op, TA_ERR_INTERNAL, "log softmax scaling changed after check");
  p->diff_min = -ta_input_radius(5, p->in_shift_left, 31);
  return TA_OK;
}

static ta_status softmax_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  const bool is_s8 = x->dtype == TA_DT_I8;
  if (is_s8 && op->kind == TA_OP_LOG_SOFTMAX)
    return log_softmax_prepare_s8(g, op, call);
  ta_status st =
      ta_call_init(g, op, call,
                   op->kind == TA_OP_LOG_SOFTMAX                         ? TA_K_log_softmax_f32
                   : is_s8 && ta_op_output(g, op, 0)->dtype == TA_DT_I16 ? TA_K_softmax_s8_s16
                   : is_s8                                               ? TA_K_softmax_s8
                                                                         : TA_K_softmax_f32);
  if (st != TA_OK)
    return st;
  tart_softmax_params *p = call->params;
  size_t elems = 0;
  ta_tensor_elems(x, &elems);
  p->depth = x->dims[x->rank - 1];
  p->rows = (int32_t)(elems / (size_t)p->depth);
  p->beta = op->a.beta;
  if (!is_s8)
    return TA_OK;
  const int32_t scaled_diff_integer_bits = 5;
  if (!ta_softmax_input_scaling((double)op->a.beta, (double)x->q.scale[0], scaled_diff_integer_bits,
                                &p->in_mult, &p->in_shift_left))
    return ta_op_err(g, op, TA_ERR_INTERNAL, "softmax scaling changed after check");
  /* TFLM: diff_min = -1.0 * CalculateInputRadius(...), stored as an int. */
  p->diff_min = -ta_input_radius(scaled_diff_integer_bits, p->in_shift_left, 31);
  return TA_OK;
}

static uint64_t softmax_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_SOFTMAX = {
    .check = softmax_check,
    .infer = ta_infer_same_shape,
    .prepare = softmax_prepare,
    .macs = softmax_macs,
};
const ta_op_def ta_op_def_LOG_SOFTMAX = {
    .check = softmax_check,
    .infer = ta_infer_same_shape,
    .prepare = softmax_prepare,
    .macs = softmax_macs,
};
