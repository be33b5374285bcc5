/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_requant_fast.h: the int8 requantization of tart_requant_s8 (tart_fixedpoint.h) in
 * about 7 instructions per output, exact for the accumulators a layer can produce.
 *
 * The compiler gives each output channel three constants, "fq" (fast requantization), side
 * by side in one int32 array: fq[3c] = mult, fq[3c+1] = add, fq[3c+2] = r, where (mult,
 * -r) is the channel's (mult, shift_left) with r in [1, 31] and add = 2^(r-1) + out_zp * 2^r.
 * The kernel then computes
 *
 *   y = SMMULR(acc << 1, mult)                 = floor((acc * mult + 2^30) / 2^31)
 *   v = (y + add - (y < 0)) >> r               (arithmetic shift)
 *
 * and clamps v. Why it equals the reference (tart_mul_by_quantized_mult, then + out_zp):
 * - SMMULR(a, b) is floor((a * b + 2^31) / 2^32); with a = 2 * acc that is
 *   floor((acc * mult + 2^30) / 2^31), the reference's doubling high multiply for mult >= 0
 *   (its saturation needs acc == mult == INT32_MIN), provided acc << 1 does not overflow:
 *   -2^30 <= acc < 2^30.
 * - The reference's rounding divide by 2^r (half away from zero) of an integer y is
 *   floor((y + 2^(r-1) - (y < 0)) / 2^r): write y = 2^r * a + m, 0 <= m < 2^r; both are a
 *   plus 1 exactly when m > 2^(r-1) - 1 + (y < 0).
 * - Adding out_zp * 2^r inside the floor adds out_zp to the quotient exactly (a multiple of
 *   2^r), provided y + add - (y < 0) does not overflow int32.
 * The compiler (ta_requant_fast in src/ops/quant.c) grants a channel these constants only
 * when both conditions hold for every accumulator the layer can produce: it bounds |acc| by
 * |bias| + max|x - in_zp| * sum|w| from the constant weights and bias, the reference's own
 * int32 sum; a layer where any channel fails keeps the general path (n_fq = 0).
 * SMMULR is in the Armv7E-M DSP extension (Cortex-M4/M7/M33); the C twin below (the host,
 * Cortex-M0/M3) computes the same value with a 64-bit product.
 */
#ifndef TART_REQUANT_FAST_H
#define TART_REQUANT_FAST_H

#include <stdint.h>

#include "tart_fixedpoint.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* floor((a * b + 2^31) / 2^32): one SMMULR (a: %1, b: %2, result: %0). GCC does not emit
 * it from the C expression below (it makes SMLAL with a 2^31 low word, three instructions). */
static inline int32_t tart_smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
#else
static inline int32_t tart_smmulr(int32_t a, int32_t b) {
  return (int32_t)(((int64_t)a * (int64_t)b + 0x80000000ll) >> 32);
}
#endif

/* The requantized value before the clamp: (acc, channel constants) to out_zp + acc * M, in the
 * conditions above. */
static inline int32_t tart_requant_fast(int32_t acc, int32_t mult, int32_t add, int32_t r) {
  const int32_t y = tart_smmulr(tart_shl_wrap(acc, 1), mult);
  /* y + add - (y < 0), as one ADD with ASR #31 (y >> 31 is -1 or 0) and one ADD. */
  return (int32_t)((uint32_t)y + (uint32_t)(y >> 31) + (uint32_t)add) >> r;
}

/* Four channels from fq (the first of them at fq[0]) to int8 at o[0..3], clamped to
 * [lo, hi]. */
static inline void tart_requant_fast4_s8(const int32_t *restrict fq, int32_t a0, int32_t a1,
                                         int32_t a2, int32_t a3, int32_t lo, int32_t hi,
                                         int8_t *restrict o) {
  o[0] = (int8_t)tart_clamp_i32(tart_requant_fast(a0, fq[0], fq[1], fq[2]), lo, hi);
  o[1] = (int8_t)tart_clamp_i32(tart_requant_fast(a1, fq[3], fq[4], fq[5]), lo, hi);
  o[2] = (int8_t)tart_clamp_i32(tart_requant_fast(a2, fq[6], fq[7], fq[8]), lo, hi);
  o[3] = (int8_t)tart_clamp_i32(tart_requant_fast(a3, fq[9], fq[10], fq[11]), lo, hi);
}

#endif
