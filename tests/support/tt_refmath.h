/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tt_refmath.h: TFLite's integer requantization arithmetic written a second time, for tests.
 *
 * Tests that check int8 kernels must not compute their expected values with the runtime's own
 * tart_fixedpoint.h (a bug there would be in both sides and cancel out). These are written from
 * the definitions (gemmlowp's SaturatingRoundingDoublingHighMul, RoundingDivideByPOT, TFLite's
 * QuantizeMultiplier and MultiplyByQuantizedMultiplier) with floor divisions on 64-bit integers
 * instead of the runtime's shifts and masks. Header only: static inline functions.
 */
#ifndef TT_REFMATH_H
#define TT_REFMATH_H

#include <math.h>
#include <stdint.h>

/* x rounded half away from zero. */
static inline double tt_round_half_away(double x) {
  return x < 0 ? -floor(-x + 0.5) : floor(x + 0.5);
}

/* floor(a / b) for b > 0. */
static inline int64_t tt_floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* TFLite's QuantizeMultiplier: m = q * 2^(shift - 31), q in [2^30, 2^31); 0 below 2^-31. */
static inline int32_t tt_ref_multiplier(double m, int *shift) {
  if (m == 0.0) {
    *shift = 0;
    return 0;
  }
  int e;
  double f = frexp(m, &e);
  int64_t q = (int64_t)tt_round_half_away(f * 2147483648.0);
  if (q == 2147483648LL) {
    q /= 2;
    e++;
  }
  if (e < -31) {
    e = 0;
    q = 0;
  }
  *shift = e;
  return (int32_t)q;
}

/* gemmlowp's SaturatingRoundingDoublingHighMul: a*b / 2^31 rounded half up. */
static inline int32_t tt_ref_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN)
    return INT32_MAX;
  return (int32_t)tt_floor_div((int64_t)a * b + (1LL << 30), 1LL << 31);
}

/* RoundingDivideByPOT: x / 2^e rounded half away from zero. */
static inline int32_t tt_ref_div_pot(int32_t x, int e) {
  if (e == 0)
    return x;
  int64_t ax = x < 0 ? -(int64_t)x : x;
  int64_t q = (ax + (1LL << (e - 1))) >> e;
  return (int32_t)(x < 0 ? -q : q);
}

/* MultiplyByQuantizedMultiplier(x, mult, shift): the left shift wraps modulo 2^32, as every
 * target does with the reference's x * (1 << shift). */
static inline int32_t tt_ref_mbqm(int32_t x, int32_t mult, int shift) {
  int64_t shifted = shift > 0 ? (int64_t)x * (1LL << shift) : x;
  return tt_ref_div_pot(tt_ref_high_mul((int32_t)(uint32_t)(uint64_t)shifted, mult),
                        shift > 0 ? 0 : -shift);
}

#endif
