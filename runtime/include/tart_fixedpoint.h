/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_fixedpoint.h: the integer arithmetic of TFLite's reference kernels, exactly.
 *
 * A real multiplier M is carried as (mult, shift_left): M = mult * 2^(shift_left - 31), with
 * mult in [2^30, 2^31) (or 0). shift_left > 0 shifts left before the multiply, < 0 shifts
 * right after it, with TFLite's rounding: the high multiply rounds half up, toward +infinity
 * (gemmlowp's SaturatingRoundingDoublingHighMul), the right shift rounds half away from zero
 * (RoundingDivideByPOT). This is the one sign convention for shifts in tinyaot.
 */
#ifndef TART_FIXEDPOINT_H
#define TART_FIXEDPOINT_H

#include <stdint.h>

/* (a * b * 2) >> 32, rounded; saturates the single overflow case a == b == INT32_MIN. */
static inline int32_t tart_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t x = ab + (ab >= 0 ? (1ll << 30) : (1 - (1ll << 30)));
  /* The reference divides by 2^31, truncating toward zero. A 64-bit division is a library
   * call on 32-bit cores, so shift instead, adding 2^31 - 1 first to negative values (an
   * arithmetic right shift rounds toward minus infinity). */
  if (x < 0) x += (1ll << 31) - 1;
  return (int32_t)(x >> 31);
}

/* x / 2^exponent rounded half away from zero; exponent in [0, 31]. */
static inline int32_t tart_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  int32_t mask = (int32_t)((1ll << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x << s with two's-complement wrap (the reference multiplies by 1 << s; wrapping is what
 * every target does, and it keeps UBSan quiet). s in [0, 31]. */
static inline int32_t tart_shl_wrap(int32_t x, int32_t s) {
  return (int32_t)((uint32_t)x << s);
}

/* x * M for M = (mult, shift_left) as above: TFLite's MultiplyByQuantizedMultiplier. */
static inline int32_t tart_mul_by_quantized_mult(int32_t x, int32_t mult, int32_t shift_left) {
  int32_t left = shift_left > 0 ? shift_left : 0;
  int32_t right = shift_left > 0 ? 0 : -shift_left;
  return tart_rounding_divide_by_pot(
      tart_sat_rounding_doubling_high_mul(tart_shl_wrap(x, left), mult), right);
}

/* For multipliers < 1 (shift_left <= 0): TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp. */
static inline int32_t tart_mul_by_quantized_mult_smaller_than_one(int32_t x, int32_t mult,
                                                                   int32_t shift_left) {
  return tart_rounding_divide_by_pot(tart_sat_rounding_doubling_high_mul(x, mult), -shift_left);
}

/* For multipliers > 1 (shift_left >= 0): TFLite's MultiplyByQuantizedMultiplierGreaterThanOne. */
static inline int32_t tart_mul_by_quantized_mult_greater_than_one(int32_t x, int32_t mult,
                                                                   int32_t shift_left) {
  return tart_sat_rounding_doubling_high_mul(tart_shl_wrap(x, shift_left), mult);
}

static inline int32_t tart_clamp_i32(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

static inline float tart_clamp_f32(float x, float lo, float hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

#endif
