/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_mk_s8.h: the int8 matrix-vector micro-kernels of the packed convolution and fully
 * connected kernels: four output channels of one pixel over weights the compiler re-laid out
 * (src/ops/quant.c, ta_pack_mk_weights), so that one pointer walks them in the order the
 * loop reads them and no row pointer lives in a register.
 *
 * Layout (k4 = the depth k rounded up to a multiple of 4, the padding weights 0): per block
 * of four output channels, per group of four taps (a "quad"), the four channels' weights one
 * channel after the other; then each channel past the last multiple of 4, alone, quad after
 * quad. The arrays are int32 words, the first value of a word in its low bits (what a
 * little-endian word load gives), word aligned so that the compiler may load them with
 * LDRD/LDM. Within a channel's quad the taps come
 *   int8  (packed, one word):    t0 t1 t2 t3, as the input: SXTB16 splits both alike;
 *   int16 (packed16, two words a channel): t0 t2 | t1 t3, already the pairs SXTB16 makes
 *                     of the input (bytes 0,2 and, rotated, 1,3), so the weights need no
 *                     extension: two words feed the two SMLAD of a channel. In a block of
 *                     four the quad's eight words go by half: the four channels' t0 t2
 *                     words, then their t1 t3 words (so that one LDRD loads two channels'
 *                     words for the same input pair); a channel past the last block has
 *                     its two words back to back.
 * Every product pairs the same tap of input and weights, so the sums are the scalar ones
 * (tart_simd.h); they wrap modulo 2^32 on every path. The input x holds k4 readable bytes
 * (its values past k multiply weights 0). Without the DSP extension plain C loops over the
 * same layout compute the same sums.
 */
#ifndef TART_MK_S8_H
#define TART_MK_S8_H

#include <stdint.h>

#include "tart_requant_fast.h"
#include "tart_simd.h"

/* The int8 at byte i (0..3) and the int16 at half i (0..1) of a weight word, for the C twins
 * (shifts, not memory: the compiler wrote the words by value). */
static inline int32_t tart_w8(int32_t v, int32_t i) {
  return (int32_t)((uint32_t)v << (24 - 8 * i)) >> 24;
}
static inline int32_t tart_w16(int32_t v, int32_t i) {
  return (int32_t)((uint32_t)v << (16 - 16 * i)) >> 16;
}

/* acc[j] += x . (channel j of the block at w), over nq quads (4 words a quad); returns the
 * next block. */
static inline const int32_t *tart_mk4_s8(const int8_t *restrict x, const int32_t *restrict w,
                                         int32_t nq, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int32_t *const end = w + 4 * nq;
  while (w != end) {
#if TART_HAVE_SMLAD
    const int32_t xv = tart_ld4(x);
    const int32_t x02 = __sxtb16(xv), x13 = tart_sxtb16_ror8(xv);
    const int32_t v0 = w[0], v1 = w[1], v2 = w[2], v3 = w[3];
    a0 = __smlad(x02, __sxtb16(v0), a0);
    a0 = __smlad(x13, tart_sxtb16_ror8(v0), a0);
    a1 = __smlad(x02, __sxtb16(v1), a1);
    a1 = __smlad(x13, tart_sxtb16_ror8(v1), a1);
    a2 = __smlad(x02, __sxtb16(v2), a2);
    a2 = __smlad(x13, tart_sxtb16_ror8(v2), a2);
    a3 = __smlad(x02, __sxtb16(v3), a3);
    a3 = __smlad(x13, tart_sxtb16_ror8(v3), a3);
#else
    for (int32_t t = 0; t < 4; t++) {
      const int32_t xi = x[t];
      a0 = tart_wrap_add(a0, xi * tart_w8(w[0], t));
      a1 = tart_wrap_add(a1, xi * tart_w8(w[1], t));
      a2 = tart_wrap_add(a2, xi * tart_w8(w[2], t));
      a3 = tart_wrap_add(a3, xi * tart_w8(w[3], t));
    }
#endif
    x += 4;
    w += 4;
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
  return w;
}

/* The same over int16 weights (packed16, 8 words a quad). */
static inline const int32_t *tart_mk4_s8s16(const int8_t *restrict x, const int32_t *restrict w,
                                            int32_t nq, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  const int32_t *const end = w + 8 * nq;
  while (w != end) {
#if TART_HAVE_SMLAD
    const int32_t xv = tart_ld4(x);
    const int32_t x02 = __sxtb16(xv), x13 = tart_sxtb16_ror8(xv);
    a0 = __smlad(x02, w[0], a0);
    a1 = __smlad(x02, w[1], a1);
    a2 = __smlad(x02, w[2], a2);
    a3 = __smlad(x02, w[3], a3);
    a0 = __smlad(x13, w[4], a0);
    a1 = __smlad(x13, w[5], a1);
    a2 = __smlad(x13, w[6], a2);
    a3 = __smlad(x13, w[7], a3);
#else
    /* Word j holds taps t0 t2 of channel j, word 4 + j taps t1 t3. */
    for (int32_t h = 0; h < 2; h++) {
      const int32_t xl = x[h], xh = x[h + 2];
      const int32_t *v = w + 4 * h;
      a0 = tart_wrap_add(a0, xl * tart_w16(v[0], 0) + xh * tart_w16(v[0], 1));
      a1 = tart_wrap_add(a1, xl * tart_w16(v[1], 0) + xh * tart_w16(v[1], 1));
      a2 = tart_wrap_add(a2, xl * tart_w16(v[2], 0) + xh * tart_w16(v[2], 1));
      a3 = tart_wrap_add(a3, xl * tart_w16(v[3], 0) + xh * tart_w16(v[3], 1));
    }
#endif
    x += 4;
    w += 8;
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
  return w;
}

/* One channel (past the last block of four): acc + x . w over nq quads. */
static inline int32_t tart_mk1_s8(const int8_t *restrict x, const int32_t *restrict w, int32_t nq,
                                  int32_t acc) {
  for (int32_t q = 0; q < nq; q++, x += 4, w++) {
#if TART_HAVE_SMLAD
    const int32_t xv = tart_ld4(x);
    acc = __smlad(__sxtb16(xv), __sxtb16(*w), acc);
    acc = __smlad(tart_sxtb16_ror8(xv), tart_sxtb16_ror8(*w), acc);
#else
    for (int32_t t = 0; t < 4; t++)
      acc = tart_wrap_add(acc, (int32_t)x[t] * tart_w8(*w, t));
#endif
  }
  return acc;
}

static inline int32_t tart_mk1_s8s16(const int8_t *restrict x, const int32_t *restrict w,
                                     int32_t nq, int32_t acc) {
  for (int32_t q = 0; q < nq; q++, x += 4, w += 2) {
#if TART_HAVE_SMLAD
    const int32_t xv = tart_ld4(x);
    acc = __smlad(__sxtb16(xv), w[0], acc);
    acc = __smlad(tart_sxtb16_ror8(xv), w[1], acc);
#else
    for (int32_t h = 0; h < 2; h++)
      acc = tart_wrap_add(acc, (int32_t)x[h] * tart_w16(w[h], 0) +
                                   (int32_t)x[h + 2] * tart_w16(w[h], 1));
#endif
  }
  return acc;
}

/* Every output channel of one pixel (x: k4 = 4 * nq bytes) to int8 at o: the weights are w8
 * (int8) if not NULL, else w16; the requantization is fq's (tart_requant_fast.h) if not NULL,
 * else q's. Everything the loops read arrives through restrict pointers and locals (an int8
 * store may alias anything). */
static inline void tart_mk_pixel_s8(const int8_t *restrict x, const int32_t *restrict w8,
                                    const int32_t *restrict w16, int32_t nq, int32_t out_c,
                                    const int32_t *restrict acc_init, const int32_t *restrict fq,
                                    const tart_requant *restrict q, int8_t *restrict o) {
  const int32_t lo = q->clamp_min, hi = q->clamp_max;
  int32_t c = 0;
  for (; c + 4 <= out_c; c += 4) {
    int32_t acc[4] = {acc_init[c], acc_init[c + 1], acc_init[c + 2], acc_init[c + 3]};
    if (w8)
      w8 = tart_mk4_s8(x, w8, nq, acc);
    else
      w16 = tart_mk4_s8s16(x, w16, nq, acc);
    if (fq)
      tart_requant_fast4_s8(fq + 3 * c, acc[0], acc[1], acc[2], acc[3], lo, hi, o + c);
    else
      tart_requant4_s8(q, acc[0], acc[1], acc[2], acc[3], c, o + c);
  }
  for (; c < out_c; c++) {
    int32_t acc;
    if (w8) {
      acc = tart_mk1_s8(x, w8, nq, acc_init[c]);
      w8 += nq;
    } else {
      acc = tart_mk1_s8s16(x, w16, nq, acc_init[c]);
      w16 += 2 * nq;
    }
    if (fq)
      o[c] = (int8_t)tart_clamp_i32(tart_requant_fast(acc, fq[3 * c], fq[3 * c + 1], fq[3 * c + 2]),
                                    lo, hi);
    else
      o[c] = tart_requant_s8(q, acc, c);
  }
}

#endif
