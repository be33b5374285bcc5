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

/* a + b modulo 2^32. */
static inline int32_t tart_wrap_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* (a * b * 2) >> 32, rounded; saturates the single overflow case a == b == INT32_MIN. */
static inline int32_t tart_sat_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN)
    return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t x = ab + (ab >= 0 ? (1ll << 30) : (1 - (1ll << 30)));
  /* The reference divides by 2^31, truncating toward zero. A 64-bit division is a library
   * call on 32-bit cores, so shift instead, adding 2^31 - 1 first to negative values (an
   * arithmetic right shift rounds toward minus infinity). */
  if (x < 0)
    x += (1ll << 31) - 1;
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

/* The same in fewer instructions (the optimized kernels' requantization) for every mult but
 * INT32_MIN, which the compiler never makes (its multipliers come from positive scale ratios:
 * 0 <= mult < 2^31). The doubling high multiply saturates only for a == b == INT32_MIN, and
 * its rounding, half toward +infinity for either sign, is floor((a * b + 2^30) / 2^31): one
 * 64-bit multiply-accumulate (SMLAL) and a shift, no sign test. */
static inline int32_t tart_mul_by_quantized_mult_nosat(int32_t x, int32_t mult,
                                                       int32_t shift_left) {
  const int32_t left = shift_left > 0 ? shift_left : 0;
  const int64_t ab = (int64_t)tart_shl_wrap(x, left) * mult + (1ll << 30);
  return tart_rounding_divide_by_pot((int32_t)(ab >> 31), left - shift_left);
}

/* The requantization of an optimized int8 kernel, read once from its parameters into locals
 * (TART_REQUANT_OF(p) works for every parameter family with the rq and clamp parts): an int8 store
 * may alias anything, so fields read through p would be reloaded after every output byte. */
#if defined(__GNUC__)
#define TART_LIKELY(x) __builtin_expect(!!(x), 1)
#define TART_NOINLINE __attribute__((noinline, unused))
#else
#define TART_LIKELY(x) (x)
#define TART_NOINLINE
#endif

typedef struct tart_requant {
  const int32_t *mult, *shift_left;
  int32_t channel_mask; /* -1: one multiplier per channel; 0: one for all */
  int32_t out_zp, clamp_min, clamp_max;
} tart_requant;

#define TART_REQUANT_OF(p)                                                                         \
  {                                                                                                \
    (p)->rq.mult, (p)->rq.shift_left, (p)->rq.n_mult == 1 ? 0 : -1, (p)->rq.out_zp,                \
        (p)->clamp.min, (p)->clamp.max                                                             \
  }

/* Whether the kernels may use q for n channels: n_mult is 1 or n, every mult is >= 0 (the
 * compiler's always are; tart_requant_s8 relies on it) and every shift in [-31, 31]. */
static inline int tart_requant_ok(const tart_requant *q, int32_t n_mult, int32_t n) {
  if (n_mult != 1 && n_mult != n)
    return 0;
  for (int32_t i = 0; i < n_mult; i++)
    if (q->mult[i] < 0 || q->shift_left[i] < -31 || q->shift_left[i] > 31)
      return 0;
  return 1;
}

/* Channel c's int32 accumulator to int8: times (mult, shift_left), plus the output zero
 * point, clamped to the activation's range; equal to the reference's
 * MultiplyByQuantizedMultiplier path for mult >= 0.
 * With a right shift r = -shift_left >= 1 (nearly every conv layer), both roundings of the
 * reference (the doubling high multiply's, half up; the shift's, half away from zero) come
 * from one 64-bit sum: for y = floor((acc * mult + 2^30) / 2^31), the reference's
 * floor((y + 2^(r-1) - (y < 0)) / 2^r) is floor((acc * mult + 2^30 + 2^(30+r) - (y < 0) *
 * 2^31) / 2^(31+r)), the high word shifted right by r - 1. y < 0 may be replaced by acc < 0:
 * with mult >= 0 they differ only when y == 0, and then both give 0. */
static inline int8_t tart_requant_s8(const tart_requant *q, int32_t acc, int32_t c) {
  const int32_t k = c & q->channel_mask;
  const int32_t mult = q->mult[k], shift_left = q->shift_left[k];
  int32_t v;
  if (TART_LIKELY(shift_left < 0)) {
    const int32_t r = -shift_left;
    const uint32_t t = 1u << r; /* 2^(30+r) + 2^30 as a 64-bit constant: */
    const int64_t k64 = (int64_t)(((uint64_t)(t >> 2) << 32) | (uint64_t)(0x40000000u | (t << 30)));
    const int64_t sum = (int64_t)acc * mult + k64 - (acc < 0 ? (int64_t)1 << 31 : 0);
    v = (int32_t)(sum >> 32) >> (r - 1);
  } else {
    v = tart_mul_by_quantized_mult_nosat(acc, mult, shift_left);
  }
  v = tart_wrap_add(v, q->out_zp);
  return (int8_t)(v < q->clamp_min ? q->clamp_min : (v > q->clamp_max ? q->clamp_max : v));
}

/* Four channels c..c+3 to int8 at o[0..3], in a function of its own: away from a kernel's
 * tap pointers and accumulators, the requantization's fields stay in registers (measured:
 * about 6 fewer instructions per output in KWS's depthwise layers on the Cortex-M4). */
static TART_NOINLINE void tart_requant4_s8(const tart_requant *restrict q, int32_t a0, int32_t a1,
                                           int32_t a2, int32_t a3, int32_t c, int8_t *restrict o) {
  const tart_requant r = *q;
  o[0] = tart_requant_s8(&r, a0, c);
  o[1] = tart_requant_s8(&r, a1, c + 1);
  o[2] = tart_requant_s8(&r, a2, c + 2);
  o[3] = tart_requant_s8(&r, a3, c + 3);
}

/* For multipliers < 1 (shift_left <= 0): TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp.
 */
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
