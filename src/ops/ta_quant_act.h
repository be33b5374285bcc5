/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_quant_act.h: compile-time arithmetic of the int8 activation and reduction ops (SOFTMAX,
 * LOGISTIC, TANH, MEAN), as TensorFlow Lite Micro's prepare steps compute it, plus the small
 * checks those op files share. Header-only (static inline): each op file takes what it uses.
 *
 * Shifts follow tart_fixedpoint.h: a multiplier is (mult, shift_left) with
 * M = mult * 2^(shift_left - 31).
 */
#ifndef TA_QUANT_ACT_H
#define TA_QUANT_ACT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ta_ops.h"
#include "ta_quant.h"

/* TFLite's PreprocessSoftmaxScaling: beta * input_scale as a multiplier of a Q(integer_bits)
 * input, capped at 2^31 - 1, split by QuantizeMultiplierGreaterThanOne. false when the real
 * multiplier is not > 1 (the reference refuses such a model) or the shift is negative. */
static inline bool ta_softmax_input_scaling(double beta, double input_scale, int32_t integer_bits,
                                            int32_t *mult, int32_t *shift_left) {
  double m = beta * input_scale * (double)(1 << (31 - integer_bits));
  if (m > (double)(1ll << 31) - 1.0)
    m = (double)(1ll << 31) - 1.0;
  if (!(m > 1.0))
    return false;
  ta_quantize_multiplier(m, mult, shift_left);
  return *shift_left >= 0;
}

/* TFLite's CalculateInputRadius: the largest |input| (in input steps) whose rescaled value
 * still fits a Q(integer_bits).(total_bits - integer_bits) number. shift_left in [0, 62]. */
static inline int32_t ta_input_radius(int32_t integer_bits, int32_t shift_left,
                                      int32_t total_bits) {
  double max_rescaled = 1.0 * (double)((1 << integer_bits) - 1) *
                        (double)(1ll << (total_bits - integer_bits)) / (double)(1ll << shift_left);
  return (int32_t)floor(max_rescaled);
}

/* LOGISTIC/TANH int8 input scaling (TFLM's logistic/tanh prepare): input_scale * 2^27 as a
 * Q4.27 multiplier (frexp, then round(q * 2^31): for a float scale q * 2^31 is an exact
 * integer, so ta_quantize_multiplier gives the same pair), and the radius past which the
 * output saturates. false when the shift would be negative (input_scale < 2^-28) or absurdly
 * large (input_scale >= 2^35): the reference's arithmetic is undefined there. */
static inline bool ta_sigmoid_input_scaling(float input_scale, int32_t *mult, int32_t *shift_left,
                                            int32_t *radius) {
  const int32_t input_integer_bits = 4;
  double m = (double)input_scale * (double)(1 << (31 - input_integer_bits));
  ta_quantize_multiplier(m, mult, shift_left);
  if (*mult == 0 || *shift_left < 0 || *shift_left > 62)
    return false;
  *radius = ta_input_radius(input_integer_bits, *shift_left, 31);
  return true;
}

/* MEAN int8 requantization (reference_ops::QuantizedMeanOrSum): the multiplier of
 * input_scale / output_scale with 1/count folded in. shift = floor(log2(count)), at most 32
 * and at most 31 + shift_left; mult' = (mult << shift) / count (truncating), shift_left' =
 * shift_left - shift. */
static inline void ta_mean_requant(double real_multiplier, int64_t count, int32_t *mult,
                                   int32_t *shift_left) {
  int32_t m, s;
  ta_quantize_multiplier(real_multiplier, &m, &s);
  int32_t shift = 0;
  while (shift < 63 && (count >> (shift + 1)) > 0)
    shift++;
  if (shift > 32)
    shift = 32;
  if (shift > 31 + s)
    shift = 31 + s;
  *mult = (int32_t)(((int64_t)m * ((int64_t)1 << shift)) / count);
  *shift_left = s - shift;
}

/* A known shape with every dim >= 1 and at most INT32_MAX elements. */
static inline bool ta_tensor_dims_ok(const ta_tensor *t) {
  return t->shape_known && ta_dims_ok(t->rank, t->dims);
}

/* An int8 output whose quantization the op's algorithm fixes: it writes units of
 * 1/denominator offset by zero_point whatever the tensor says (softmax, logistic: 1/256 and
 * -128; tanh: 1/128 and 0). Where TFLM refuses other values (require_scale: the scale must be
 * 1/denominator bit for bit; require_zp) so do we; elsewhere TFLM runs the model anyway, and
 * so do we, with a warning when the scale is off by more than 0.1% or the zero point differs. */
static inline ta_status ta_check_fixed_output_quant(const ta_graph *g, const ta_op *op,
                                                    const ta_tensor *y, int32_t denominator,
                                                    int32_t zero_point, bool require_scale,
                                                    bool require_zp) {
  ta_status st = ta_check_per_tensor_quant(g, op, y, "output");
  if (st != TA_OK)
    return st;
  const float want = 1.0f / (float)denominator;
  const float s = y->q.scale[0];
  const bool scale_exact = s == want;
  const bool scale_near = fabsf(s - want) <= 0.001f * want;
  const bool zp_ok = y->q.zero_point[0] == zero_point;
  if ((require_scale && !scale_exact) || (require_zp && !zp_ok))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "int8 output \"%s\" has scale %g and zero point %lld; TFLite requires scale "
                     "1/%d (%g) and zero point %d for this operator (the TFLite converter always "
                     "writes these)",
                     y->name, (double)s, (long long)y->q.zero_point[0], denominator, (double)want,
                     zero_point);
  if (!scale_near || !zp_ok) {
    ta_op_warn(g, op,
               "int8 output \"%s\" has scale %g and zero point %lld, not 1/%d and %d: the int8 "
               "algorithm writes units of 1/%d offset by %d regardless (as TFLite Micro does), so "
               "the output will not mean what its quantization says",
               y->name, (double)s, (long long)y->q.zero_point[0], denominator, zero_point,
               denominator, zero_point);
  }
  return TA_OK;
}

#endif
