/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_simd.h: the int8 dot products under the optimized kernels.
 *
 * On cores with the Armv7E-M DSP extension (Cortex-M4/M7/M33) four int8 values are loaded
 * as one word and split into two pairs of int16 by SXTB16 (bytes 0,2 and, rotated, 1,3);
 * SMLAD then does two multiply-accumulates in one instruction. Pairing the same bytes of the
 * input and of the weights keeps every product matched, so the sum is exactly the scalar
 * one: integer sums do not depend on their order, and the results stay bit-exact with the
 * reference kernels. Elsewhere (the host, Cortex-M0/M3) plain C loops compute the same sums.
 * Sums wrap modulo 2^32 on every path, as SMLAD does: a hostile model (huge biases, huge
 * depths) then gives wrong numbers, never undefined behaviour. A product of two int8 (or of
 * int8 and an offset int16) always fits int32; only the additions can wrap.
 */
#ifndef TART_SIMD_H
#define TART_SIMD_H

#include <stdint.h>
#include <string.h>

#include "tart_fixedpoint.h"

#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32 && defined(__ARM_FEATURE_DSP) &&         \
    __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TART_HAVE_SMLAD 1
#else
#define TART_HAVE_SMLAD 0
#endif

#if TART_HAVE_SMLAD
/* SXTB16 of v rotated right by 8: bytes 1 and 3 as int16. One instruction; GCC does not fold
 * the rotation into __sxtb16 by itself. */
static inline int32_t tart_sxtb16_ror8(int32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

/* An unaligned word load (LDR allows it on Armv7-M; memcpy keeps C strict-aliasing safe). */
static inline int32_t tart_ld4(const int8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}
#endif

/* GCC's first scheduling pass (before register allocation) moves the loads and extensions of
 * unrolled taps far ahead of their use; with 14 allocatable registers the optimized kernels
 * then spill (measured on the Cortex-M4: 12 to 17% more instructions per inference on the
 * MLPerf Tiny int8 models). It is off for every kernel that includes this header, whatever
 * flags the library is built with. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__arm__)
#pragma GCC optimize("no-schedule-insns")
#endif

/* acc[j] += sum_{i<n} x[i] * w[j * w_stride + i] for the four rows j = 0..3. */
static inline void tart_dot4_s8(const int8_t *x, const int8_t *w, int32_t w_stride, int32_t n,
                                int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int8_t *w0 = w, *w1 = w + w_stride, *w2 = w + 2 * w_stride, *w3 = w + 3 * w_stride;
  int32_t i = 0;
#if TART_HAVE_SMLAD
  for (; i + 4 <= n; i += 4) {
    const int32_t xv = tart_ld4(x + i);
    const int32_t x02 = __sxtb16(xv), x13 = tart_sxtb16_ror8(xv);
    int32_t v = tart_ld4(w0 + i);
    a0 = __smlad(x02, __sxtb16(v), a0);
    a0 = __smlad(x13, tart_sxtb16_ror8(v), a0);
    v = tart_ld4(w1 + i);
    a1 = __smlad(x02, __sxtb16(v), a1);
    a1 = __smlad(x13, tart_sxtb16_ror8(v), a1);
    v = tart_ld4(w2 + i);
    a2 = __smlad(x02, __sxtb16(v), a2);
    a2 = __smlad(x13, tart_sxtb16_ror8(v), a2);
    v = tart_ld4(w3 + i);
    a3 = __smlad(x02, __sxtb16(v), a3);
    a3 = __smlad(x13, tart_sxtb16_ror8(v), a3);
  }
#endif
  for (; i < n; i++) {
    const int32_t xi = x[i];
    a0 = tart_wrap_add(a0, xi * w0[i]);
    a1 = tart_wrap_add(a1, xi * w1[i]);
    a2 = tart_wrap_add(a2, xi * w2[i]);
    a3 = tart_wrap_add(a3, xi * w3[i]);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

/* acc + sum_{i<n} x[i] * w[i]. */
static inline int32_t tart_dot_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t acc) {
  int32_t i = 0;
#if TART_HAVE_SMLAD
  for (; i + 4 <= n; i += 4) {
    const int32_t xv = tart_ld4(x + i), v = tart_ld4(w + i);
    acc = __smlad(__sxtb16(xv), __sxtb16(v), acc);
    acc = __smlad(tart_sxtb16_ror8(xv), tart_sxtb16_ror8(v), acc);
  }
#endif
  for (; i < n; i++)
    acc = tart_wrap_add(acc, (int32_t)x[i] * w[i]);
  return acc;
}

/* Four channels of one depthwise tap: a_j += x[j] * w[j] (x and w point at channel c). The
 * accumulators are separate scalars so that, inlined, they stay in registers. */
static inline void tart_mac4_s8(const int8_t *x, const int8_t *w, int32_t *a0, int32_t *a1,
                                int32_t *a2, int32_t *a3) {
#if TART_HAVE_SMLAD
  const int32_t xv = tart_ld4(x), v = tart_ld4(w);
  const int32_t x02 = __sxtb16(xv), x13 = tart_sxtb16_ror8(xv);
  const int32_t w02 = __sxtb16(v), w13 = tart_sxtb16_ror8(v);
  *a0 = __smlabb(x02, w02, *a0);
  *a2 = __smlatt(x02, w02, *a2);
  *a1 = __smlabb(x13, w13, *a1);
  *a3 = __smlatt(x13, w13, *a3);
#else
  *a0 = tart_wrap_add(*a0, (int32_t)x[0] * w[0]);
  *a1 = tart_wrap_add(*a1, (int32_t)x[1] * w[1]);
  *a2 = tart_wrap_add(*a2, (int32_t)x[2] * w[2]);
  *a3 = tart_wrap_add(*a3, (int32_t)x[3] * w[3]);
#endif
}

/* Four channels of one depthwise tap with the input offset applied: acc[j] += (x[j] +
 * offset) * w[j]. offset2 holds the offset in both halfwords ((offset << 16) | (offset &
 * 0xffff)); the sums fit int16 since |x| <= 128 and |offset| <= 255. */
static inline void tart_mac4_off_s8(const int8_t *x, const int8_t *w, int32_t offset,
                                    int32_t offset2, int32_t *a0, int32_t *a1, int32_t *a2,
                                    int32_t *a3) {
#if TART_HAVE_SMLAD
  (void)offset;
  const int32_t xv = tart_ld4(x), v = tart_ld4(w);
  const int32_t x02 = __sadd16(__sxtb16(xv), offset2);
  const int32_t x13 = __sadd16(tart_sxtb16_ror8(xv), offset2);
  const int32_t w02 = __sxtb16(v), w13 = tart_sxtb16_ror8(v);
  *a0 = __smlabb(x02, w02, *a0);
  *a2 = __smlatt(x02, w02, *a2);
  *a1 = __smlabb(x13, w13, *a1);
  *a3 = __smlatt(x13, w13, *a3);
#else
  (void)offset2;
  *a0 = tart_wrap_add(*a0, ((int32_t)x[0] + offset) * w[0]);
  *a1 = tart_wrap_add(*a1, ((int32_t)x[1] + offset) * w[1]);
  *a2 = tart_wrap_add(*a2, ((int32_t)x[2] + offset) * w[2]);
  *a3 = tart_wrap_add(*a3, ((int32_t)x[3] + offset) * w[3]);
#endif
}

#endif
