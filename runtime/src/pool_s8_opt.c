/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_s8_opt.c: int8 max pooling with the results of tart_maxpool_s8 (pool_s8.c), byte for
 * byte. The reference walks each channel's window in turn; here each output pixel's window is
 * walked once and every tap updates all channels, channels innermost. On cores with the DSP
 * extension four channels go at once: SSUB8 sets one GE flag per byte where a >= b (signed)
 * and SEL then takes a there and b elsewhere, which is the bytewise maximum in two
 * instructions (and, with the operands swapped, the minimum the clamp needs). A maximum does
 * not depend on the order of its taps, so the result is the reference's: -128 for an empty
 * window, then the clamp of the fused activation.
 */
#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_pool.h"
#include "tart_simd.h"

static int valid(const tart_pool_params *p) {
  return p->win.dilation_h >= 1 && p->win.dilation_w >= 1 && p->win.filter_h >= 1 &&
         p->win.filter_w >= 1 && p->clamp.min >= -128 && p->clamp.max <= 127 &&
         p->clamp.min <= p->clamp.max;
}

#if TART_HAVE_SMLAD
/* Bytewise signed max(a, b) and min(a, b) of four int8 lanes. */
static inline uint32_t max_s8x4(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
static inline uint32_t min_s8x4(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
static inline uint32_t splat_s8(int32_t v) {
  return 0x01010101u * (uint32_t)(uint8_t)(int8_t)v;
}
#endif

tart_status tart_maxpool_s8_opt(const tart_pool_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t c_n = p->channels;
  const int32_t lo = p->clamp.min, hi = p->clamp.max;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
#if TART_HAVE_SMLAD
  const int32_t c4 = c_n & ~3;
  const uint32_t lo4 = splat_s8(lo), hi4 = splat_s8(hi);
  const int clamped = lo > -128 || hi < 127;
#endif
  const size_t row = (size_t)p->in_w * (size_t)c_n;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * row;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int32_t kx0, kx1;
        tart_pool_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w, &kx0, &kx1);
        int8_t *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)c_n;
        const int32_t ny = ky1 - ky0, nx = kx1 - kx0;
        if (ny <= 0 || nx <= 0) { /* a window all in the padding */
          for (int32_t c = 0; c < c_n; c++)
            o[c] = (int8_t)tart_clamp_i32(-128, lo, hi);
          continue;
        }
        /* The window's first tap (top-left) and the steps to the others. */
        const int8_t *first = in_b + (size_t)(iy + ky0 * p->win.dilation_h) * row +
                              (size_t)(ix + kx0 * p->win.dilation_w) * (size_t)c_n;
        const size_t dy = (size_t)p->win.dilation_h * row;
        const size_t dx = (size_t)p->win.dilation_w * (size_t)c_n;
        int32_t c = 0;
#if TART_HAVE_SMLAD
        for (; c < c4; c += 4) {
          uint32_t m = splat_s8(-128);
          const int8_t *r = first + c;
          for (int32_t ky = 0; ky < ny; ky++, r += dy) {
            const int8_t *t = r;
            for (int32_t kx = 0; kx < nx; kx++, t += dx)
              m = max_s8x4(m, (uint32_t)tart_ld4(t));
          }
          if (clamped)
            m = min_s8x4(max_s8x4(m, lo4), hi4);
          memcpy(o + c, &m, 4);
        }
#endif
        for (; c < c_n; c++) {
          int32_t m = -128;
          const int8_t *r = first + c;
          for (int32_t ky = 0; ky < ny; ky++, r += dy) {
            const int8_t *t = r;
            for (int32_t kx = 0; kx < nx; kx++, t += dx)
              if (*t > m)
                m = *t;
          }
          o[c] = (int8_t)tart_clamp_i32(m, lo, hi);
        }
      }
    }
  }
  return TART_OK;
}
