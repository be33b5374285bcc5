/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_s8_opt.c: int8 max and average pooling with the results of tart_maxpool_s8 and
 * tart_avgpool_s8 (pool_s8.c), byte for byte (the average pooling's notes are at its kernel,
 * below). Max pooling: The reference walks each channel's window in turn; here each output pixel's
 * window is walked once and every tap updates all channels, channels innermost. On cores with the
 * DSP extension four channels go at once: SSUB8 sets one GE flag per byte where a >= b (signed) and
 * SEL then takes a there and b elsewhere, which is the bytewise maximum in two instructions (and,
 * with the operands swapped, the minimum the clamp needs). A maximum does not depend on the order
 * of its taps, so the result is the reference's: -128 for an empty window, then the clamp of the
 * fused activation.
 *
 * A window wholly inside the input (every pixel but the padded borders) takes the fast path:
 * its taps' offsets from the first one are computed once per call (up to MAX_TAPS of them),
 * and windows of 2 and 4 taps (2x1, 1x2, 2x2: the usual pools) are unrolled, so a
 * group of four channels costs its loads, two instructions per tap after the first and the
 * store. Borders keep the general walk, clipped by tart_pool_taps.
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

/* The maxima of the four channels at f over an interior window of n taps at offsets off[]
 * (off[0] = 0). */
static inline uint32_t window_max4(const int8_t *f, const int32_t *off, int32_t n) {
  uint32_t m = (uint32_t)tart_ld4(f);
  for (int32_t k = 1; k < n; k++)
    m = max_s8x4(m, (uint32_t)tart_ld4(f + off[k]));
  return m;
}
#endif

/* Interior windows: the taps' offsets are computed once; windows bigger than this take the
 * general path. */
#define MAX_TAPS 16

/* A run of np interior output pixels (channels [0, c_n) each, written in turn from o): the
 * first pixel's window starts at `first`, the next one `step` bytes further; n taps at
 * offsets off[] (off[0] = 0), clamped to [lo, hi]. */
static void interior_run(const int8_t *first, size_t step, int32_t np, const int32_t *off,
                         int32_t n, int32_t c_n, int32_t lo, int32_t hi, int8_t *o) {
  int32_t c0 = 0; /* the first channel the scalar loop does */
#if TART_HAVE_SMLAD
  /* Groups of four channels, the window's shape dispatched once per run. */
  const int32_t c4 = c_n & ~3;
  const uint32_t lo4 = splat_s8(lo), hi4 = splat_s8(hi);
  const int8_t *f = first;
  int8_t *d = o;
  c0 = c4;
  if (lo > -128 || hi < 127) {
    for (int32_t px = 0; px < np; px++, f += step, d += c_n)
      for (int32_t c = 0; c < c4; c += 4) {
        const uint32_t m = min_s8x4(max_s8x4(window_max4(f + c, off, n), lo4), hi4);
        memcpy(d + c, &m, 4);
      }
  } else if (n == 2) {
    const int32_t o1 = off[1];
    for (int32_t px = 0; px < np; px++, f += step, d += c_n)
      for (int32_t c = 0; c < c4; c += 4) {
        const uint32_t m = max_s8x4((uint32_t)tart_ld4(f + c), (uint32_t)tart_ld4(f + o1 + c));
        memcpy(d + c, &m, 4);
      }
  } else if (n == 4) {
    const int32_t o1 = off[1], o2 = off[2], o3 = off[3];
    for (int32_t px = 0; px < np; px++, f += step, d += c_n)
      for (int32_t c = 0; c < c4; c += 4) {
        const int8_t *t = f + c;
        const uint32_t m =
            max_s8x4(max_s8x4((uint32_t)tart_ld4(t), (uint32_t)tart_ld4(t + o1)),
                     max_s8x4((uint32_t)tart_ld4(t + o2), (uint32_t)tart_ld4(t + o3)));
        memcpy(d + c, &m, 4);
      }
  } else {
    for (int32_t px = 0; px < np; px++, f += step, d += c_n)
      for (int32_t c = 0; c < c4; c += 4) {
        const uint32_t m = window_max4(f + c, off, n);
        memcpy(d + c, &m, 4);
      }
  }
  if (c0 == c_n)
    return;
#endif
  for (int32_t px = 0; px < np; px++, first += step, o += c_n)
    for (int32_t c = c0; c < c_n; c++) {
      int32_t m = first[c];
      for (int32_t k = 1; k < n; k++)
        if (first[c + off[k]] > m)
          m = first[c + off[k]];
      o[c] = (int8_t)tart_clamp_i32(m, lo, hi);
    }
}

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
  /* The interior window's tap offsets, row-major as the reference visits them (any order
   * gives the same maximum). n_taps 0: no fast path. */
  const int32_t fh = p->win.filter_h, fw = p->win.filter_w;
  const int32_t dil_h = p->win.dilation_h, dil_w = p->win.dilation_w;
  int32_t off[MAX_TAPS];
  const int32_t n_taps = fh * fw <= MAX_TAPS ? fh * fw : 0;
  for (int32_t k = 0; k < n_taps; k++)
    off[k] = (k / fw) * dil_h * (int32_t)row + (k % fw) * dil_w * c_n;
  /* The last tap of a window from its first, per axis. */
  const int32_t span_h = (fh - 1) * dil_h, span_w = (fw - 1) * dil_w;
  /* Output columns [ox_lo, ox_hi) have their windows inside the input's width (a contiguous
   * run: both conditions are monotonic in ox). */
  const int32_t sw = p->win.stride_w, pw = p->win.pad_w;
  int32_t ox_lo = 0, ox_hi = p->out_w;
  while (ox_lo < ox_hi && ox_lo * sw - pw < 0)
    ox_lo++;
  while (ox_hi > ox_lo && (ox_hi - 1) * sw - pw + span_w >= p->in_w)
    ox_hi--;
  const int32_t sh = p->win.stride_h, ph = p->win.pad_h;
  int32_t oy_lo = 0, oy_hi = p->out_h;
  while (oy_lo < oy_hi && oy_lo * sh - ph < 0)
    oy_lo++;
  while (oy_hi > oy_lo && (oy_hi - 1) * sh - ph + span_h >= p->in_h)
    oy_hi--;
  if (n_taps == 0 || ox_lo == ox_hi) /* no fast path: every pixel takes the general one */
    oy_lo = oy_hi = 0;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * row;
    /* The interior rectangle first, row after row of runs (one call, without the border
     * bookkeeping); when out_w is 1 (a pool along H only) the row loop is the long one. */
    if (p->out_w == 1 && ox_hi == 1)
      interior_run(in_b + (size_t)(oy_lo * sh - ph) * row + (size_t)(ox_lo * sw - pw) * (size_t)c_n,
                   (size_t)sh * row, oy_hi - oy_lo, off, n_taps, c_n, lo, hi,
                   output + ((size_t)b * (size_t)p->out_h + (size_t)oy_lo) * (size_t)p->out_w *
                                (size_t)c_n);
    else
      for (int32_t oy = oy_lo; oy < oy_hi; oy++)
        interior_run(in_b + (size_t)(oy * sh - ph) * row + (size_t)(ox_lo * sw - pw) * (size_t)c_n,
                     (size_t)sw * (size_t)c_n, ox_hi - ox_lo, off, n_taps, c_n, lo, hi,
                     output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w +
                               (size_t)ox_lo) *
                                  (size_t)c_n);
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int row_inside = oy >= oy_lo && oy < oy_hi;
      if (row_inside && ox_lo == 0 && ox_hi == p->out_w)
        continue; /* the whole row is interior: done above */
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int8_t *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)c_n;
        if (row_inside && ox == ox_lo) { /* done above */
          ox = ox_hi - 1;
          continue;
        }
        int32_t kx0, kx1;
        tart_pool_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w, &kx0, &kx1);
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

/* ---- int8 average pooling ----
 *
 * tart_avgpool_s8_opt gives tart_avgpool_s8's bytes (pool_s8.c): the same int32 sum per
 * channel (integer sums do not depend on their order), the same rounding division and clamp.
 * Interior windows (every tap inside the input, so the divisor is the window's tap count with
 * or without count_include_pad) walk each tap once for all channels; on DSP cores four
 * channels at a time, SXTB16 splitting a word into two int16 pairs that SADD16 accumulates:
 * exact while |sum| <= 128 * taps fits int16, i.e. up to 256 taps (larger windows sum in
 * int32, one channel at a time). Border windows (and windows with no tap inside, which the
 * reference refuses) take the reference's walk. */

/* The rounding division of the reference: half away from zero, C division truncating. */
static inline int8_t avg_div(int32_t acc, int32_t count, int32_t lo, int32_t hi) {
  acc = tart_wrap_add(acc, acc > 0 ? count / 2 : -(count / 2)) / count;
  return (int8_t)tart_clamp_i32(acc, lo, hi);
}

/* One interior window: channels [0, c_n) from the window whose first tap is at f, fh x fw
 * taps dy / dx bytes apart, averaged over count = fh * fw. */
static void avg_interior(const int8_t *f, int32_t fh, int32_t fw, size_t dy, size_t dx, int32_t c_n,
                         int32_t lo, int32_t hi, int8_t *o) {
  const int32_t count = fh * fw;
  int32_t c = 0;
  if ((size_t)fw * dx == dy) /* rows back to back (a global pool): one run of taps */
    fw = count, fh = 1;
#if TART_HAVE_SMLAD
  if (count <= 256) {
    for (; c + 4 <= c_n; c += 4) {
      int32_t s02 = 0, s13 = 0; /* int16 pairs: channels c, c+2 and c+1, c+3 */
      const int8_t *r = f + c;
      for (int32_t ky = 0; ky < fh; ky++, r += dy) {
        const int8_t *t = r;
        for (int32_t kx = 0; kx < fw; kx++, t += dx) {
          const int32_t v = tart_ld4(t);
          s02 = __sadd16(s02, __sxtb16(v));
          s13 = __sadd16(s13, tart_sxtb16_ror8(v));
        }
      }
      o[c] = avg_div((int16_t)s02, count, lo, hi);
      o[c + 1] = avg_div((int16_t)s13, count, lo, hi);
      o[c + 2] = avg_div(s02 >> 16, count, lo, hi);
      o[c + 3] = avg_div(s13 >> 16, count, lo, hi);
    }
  }
#endif
  for (; c < c_n; c++) {
    int32_t acc = 0;
    const int8_t *r = f + c;
    for (int32_t ky = 0; ky < fh; ky++, r += dy) {
      const int8_t *t = r;
      for (int32_t kx = 0; kx < fw; kx++, t += dx)
        acc = tart_wrap_add(acc, *t);
    }
    o[c] = avg_div(acc, count, lo, hi);
  }
}

tart_status tart_avgpool_s8_opt(const tart_pool_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t c_n = p->channels;
  const int32_t lo = p->clamp.min, hi = p->clamp.max;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  const size_t row = (size_t)p->in_w * (size_t)c_n;
  const int32_t fh = p->win.filter_h, fw = p->win.filter_w;
  const size_t dy = (size_t)p->win.dilation_h * row, dx = (size_t)p->win.dilation_w * (size_t)c_n;
  const int32_t span_h = (fh - 1) * p->win.dilation_h, span_w = (fw - 1) * p->win.dilation_w;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * row;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      const int row_inside = iy >= 0 && iy + span_h < p->in_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, fh, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int8_t *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)c_n;
        if (row_inside && ix >= 0 && ix + span_w < p->in_w) {
          avg_interior(in_b + (size_t)iy * row + (size_t)ix * (size_t)c_n, fh, fw, dy, dx, c_n, lo,
                       hi, o);
          continue;
        }
        /* A border window: the reference's walk over the taps inside, its divisor. */
        int32_t kx0, kx1;
        tart_pool_taps(ix, fw, p->win.dilation_w, p->in_w, &kx0, &kx1);
        if (ky1 <= ky0 || kx1 <= kx0)
          return TART_ERR_PARAMS; /* a window all in the padding */
        int32_t count = (ky1 - ky0) * (kx1 - kx0);
        if (p->count_include_pad)
          count =
              tart_pool_padded_taps(iy, fh, p->win.dilation_h, p->in_h, p->win.pad_h,
                                    p->pad_bottom) *
              tart_pool_padded_taps(ix, fw, p->win.dilation_w, p->in_w, p->win.pad_w, p->pad_right);
        const int8_t *first = in_b + (size_t)(iy + ky0 * p->win.dilation_h) * row +
                              (size_t)(ix + kx0 * p->win.dilation_w) * (size_t)c_n;
        for (int32_t c = 0; c < c_n; c++) {
          int32_t acc = 0;
          const int8_t *r = first + c;
          for (int32_t ky = ky0; ky < ky1; ky++, r += dy) {
            const int8_t *t = r;
            for (int32_t kx = kx0; kx < kx1; kx++, t += dx)
              acc = tart_wrap_add(acc, *t);
          }
          o[c] = avg_div(acc, count, lo, hi);
        }
      }
    }
  }
  return TART_OK;
}
