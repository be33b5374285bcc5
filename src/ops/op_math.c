/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_math.c: NEG, ABS, SQRT, RSQRT, EXP, LOG, ERF. in: x; out: -x, |x|, sqrt(x), 1 / sqrt(x),
 * exp(x), log(x), erf(x), same shape; float32 (runtime/src/math_f32.c, TFLite's reference float
 * kernels). MACs: 0.
 *
 * int8 NEG, ABS and RSQRT (per-tensor quantization) go through a 256-entry table (lut_s8)
 * filled here with TFLite's integer arithmetic for each input byte:
 *   NEG    reference_integer_ops::Negate: in_zp + out_zp - x, clamped; input and output must
 *          share a scale (as there).
 *   ABS    elementwise.cc's AbsEvalQuantized: |x - in_zp|, times QuantizeMultiplier(
 *          (float)(in_scale / out_scale)) when the scales differ, plus out_zp, clamped.
 *   RSQRT  elementwise.cc's RsqrtEvalQuantized: v = x - in_zp; v == 0 gives 127; else
 *          GetInvSqrtQuantizedMultiplierExp(v) (a fixed-point Newton iteration) applied to
 *          1 << 20, then scaled by QuantizeMultiplier(1 / ((float)sqrt(in_scale) * out_scale))
 *          shifted right by 20 more, plus out_zp, clamped. TFLite stops with an error on a
 *          negative v; the table gives -128 there (no int8 value means NaN).
 */
#include <math.h>

#include "ta_ops.h"
#include "ta_quant.h"
#include "tart_fixedpoint.h"

static ta_status math_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  const bool s8_ok = op->kind == TA_OP_NEG || op->kind == TA_OP_ABS || op->kind == TA_OP_RSQRT;
  if (s8_ok && x->dtype == TA_DT_I8 && y->dtype == TA_DT_I8) {
    ta_status st = ta_check_per_tensor_quant(g, op, x, "input");
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
    if (st != TA_OK)
      return st;
    if (op->kind == TA_OP_NEG && x->q.scale[0] != y->q.scale[0])
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "input scale %g and output scale %g differ; int8 NEG needs one scale, as "
                       "TFLite",
                       (double)x->q.scale[0], (double)y->q.scale[0]);
    return TA_OK;
  }
  if (x->dtype != TA_DT_F32 || y->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" is %s and output \"%s\" %s; expected %s", x->name,
                     ta_dtype_name(x->dtype), y->name, ta_dtype_name(y->dtype),
                     s8_ok ? "float32 or int8 for both" : "float32");
  return TA_OK;
}

/* gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent. */
static int32_t sat_shl(int32_t x, int e) {
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1u);
  return x > threshold ? INT32_MAX : x < -threshold ? INT32_MIN : tart_shl_wrap(x, e);
}

/* TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift -1: 1 / sqrt(v) as a
 * multiplier (mult, shift_left), by five Newton steps in Q3.28 fixed point. v >= 0. */
static void inv_sqrt_multiplier(int32_t v, int32_t *mult, int32_t *shift_left) {
  if (v <= 1) {
    *mult = INT32_MAX;
    *shift_left = 0;
    return;
  }
  int32_t shift = 11;
  while (v >= (1 << 29)) {
    v /= 4;
    shift++;
  }
  int clz = 0;
  while (((uint32_t)v << clz) < 0x80000000u)
    clz++;
  const int pairs = (clz - 1) / 2 - 1;
  shift -= pairs;
  v = tart_shl_wrap(v, 2 * pairs);
  const int32_t in = v >> 1;                                  /* Q3.28 */
  const int32_t half_in = tart_rounding_divide_by_pot(in, 1); /* Q3.28 */
  const int32_t half_three = (1 << 28) + (1 << 27);           /* 1.5 in Q3.28 */
  int32_t x = 1 << 28;                                        /* 1.0 */
  for (int i = 0; i < 5; i++) {
    const int32_t x3 = sat_shl(
        tart_sat_rounding_doubling_high_mul(tart_sat_rounding_doubling_high_mul(x, x), x), 6);
    const int32_t d = (int32_t)((uint32_t)tart_sat_rounding_doubling_high_mul(half_three, x) -
                                (uint32_t)tart_sat_rounding_doubling_high_mul(half_in, x3));
    x = sat_shl(d, 3);
  }
  x = tart_sat_rounding_doubling_high_mul(x, 1518500250); /* sqrt(2) / 2 in Q0.31 */
  if (shift < 0) {
    x = tart_shl_wrap(x, -shift);
    shift = 0;
  }
  *mult = x;
  *shift_left = -shift;
}

/* The int8 table of NEG, ABS or RSQRT (see the file comment); false when a multiplier is
 * out of the range the arithmetic is defined for. */
static bool math_table(const ta_op *op, const ta_tensor *x, const ta_tensor *y, int8_t *t) {
  const int32_t in_zp = (int32_t)x->q.zero_point[0], out_zp = (int32_t)y->q.zero_point[0];
  const float in_s = x->q.scale[0], out_s = y->q.scale[0];
  int32_t m = 0, sh = 0;
  if (op->kind == TA_OP_ABS && in_s != out_s)
    ta_quantize_multiplier((double)(in_s / out_s), &m, &sh);
  if (op->kind == TA_OP_RSQRT) {
    ta_quantize_multiplier(1.0 / (double)(sqrtf(in_s) * out_s), &m, &sh);
    if (sh - 20 < -31 || sh - 20 > 31)
      return false;
  }
  if (sh < -31 || sh > 31)
    return false;
  for (int32_t v = -128; v < 128; v++) {
    int32_t r;
    if (op->kind == TA_OP_NEG) {
      r = in_zp + out_zp - v;
    } else if (op->kind == TA_OP_ABS) {
      const int32_t a = v >= in_zp ? v - in_zp : in_zp - v;
      r = (in_s == out_s ? a : tart_mul_by_quantized_mult(a, m, sh)) + out_zp;
    } else if (v < in_zp) {
      r = -128;
    } else if (v == in_zp) {
      r = 127;
    } else {
      int32_t im, ish;
      inv_sqrt_multiplier(v - in_zp, &im, &ish);
      const int32_t data = tart_mul_by_quantized_mult(1, im, ish + 20);
      r = tart_wrap_add(tart_mul_by_quantized_mult(data, m, sh - 20), out_zp);
    }
    t[v + 128] = (int8_t)tart_clamp_i32(r, -128, 127);
  }
  return true;
}

static ta_status math_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  if (x->dtype == TA_DT_I8) {
    int8_t *t = ta_new_array(g->ctx, 256, 1);
    if (!t)
      return TA_ERR_LIMIT;
    if (!math_table(op, x, ta_op_output(g, op, 0), t))
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "input scale %g and output scale %g are out of the range TFLite's int8 %s "
                       "arithmetic represents",
                       (double)x->q.scale[0], (double)ta_op_output(g, op, 0)->q.scale[0],
                       ta_op_kind_name(op->kind));
    ta_status st = ta_call_init(g, op, call, TA_K_lut_s8);
    if (st != TA_OK)
      return st;
    tart_lut_params *lp = call->params;
    lp->n_elems = (int32_t)elems;
    lp->n_table = 256;
    lp->table = t;
    return TA_OK;
  }
  ta_kernel_id k;
  switch (op->kind) {
  case TA_OP_NEG: k = TA_K_neg_f32; break;
  case TA_OP_ABS: k = TA_K_abs_f32; break;
  case TA_OP_SQRT: k = TA_K_sqrt_f32; break;
  case TA_OP_RSQRT: k = TA_K_rsqrt_f32; break;
  case TA_OP_EXP: k = TA_K_exp_f32; break;
  case TA_OP_ERF: k = TA_K_erf_f32; break;
  default: k = TA_K_log_f32; break;
  }
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  return TA_OK;
}

static uint64_t math_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

#define TA_MATH_OP(ID)                                                                             \
  const ta_op_def ta_op_def_##ID = {                                                               \
      .check = math_check,                                                                         \
      .infer = ta_infer_same_shape,                                                                \
      .prepare = math_prepare,                                                                     \
      .macs = math_macs,                                                                           \
      TA_VARIANTS(ta_variant_eltwise),                                                             \
  };
TA_MATH_OP(NEG)
TA_MATH_OP(ABS)
TA_MATH_OP(SQRT)
TA_MATH_OP(RSQRT)
TA_MATH_OP(EXP)
TA_MATH_OP(LOG)
TA_MATH_OP(ERF)
