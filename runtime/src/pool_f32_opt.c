/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_f32_opt.c: float32 max and average pooling with the same results as tart_maxpool_f32
 * and tart_avgpool_f32 (pool_f32.c), bit for bit. The reference visits one channel at a
 * time and walks its window; here the window is walked once per output pixel and each tap
 * updates every channel, channels innermost (contiguous loads, no per-channel loop set-up).
 * Every channel still sees its taps in the reference's order (window row, then column), from
 * the same start (-FLT_MAX for the maximum, +0.0f for the sum), with the same comparison
 * (`if (m < v) m = v`: a NaN tap changes nothing, of equal zeros the first stays) and the same
 * division by the tap count, so each result is the reference's. The running value lives in
 * the output pixel itself; a window of two taps (2x1 or 1x2 pooling) keeps it in a register.
 */
#include <float.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_pool.h"

static int valid(const tart_pool_params *p) {
  return p->win.dilation_h >= 1 && p->win.dilation_w >= 1 && p->win.filter_h >= 1 &&
         p->win.filter_w >= 1;
}

/* The input at tap (ky, kx) of the window whose top-left input position is (iy, ix). */
static const float *tap(const tart_pool_params *p, const float *in_b, int32_t iy, int32_t ix,
                        int32_t ky, int32_t kx) {
  return in_b + ((size_t)(iy + ky * p->win.dilation_h) * (size_t)p->in_w +
                 (size_t)(ix + kx * p->win.dilation_w)) *
                    (size_t)p->channels;
}

tart_status tart_maxpool_f32_opt(const tart_pool_params *p, const void *const *in, void *const *out,
                                 void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t c_n = p->channels;
  const float lo = p->clamp.min_f32, hi = p->clamp.max_f32;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int32_t kx0, kx1;
        tart_pool_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w, &kx0, &kx1);
        float *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)c_n;
        const int32_t taps = (ky1 - ky0) * (kx1 - kx0);
        if (taps == 2) {
          const float *t0 = tap(p, in_b, iy, ix, ky0, kx0);
          const float *t1 = kx1 - kx0 == 2 ? tap(p, in_b, iy, ix, ky0, kx0 + 1)
                                           : tap(p, in_b, iy, ix, ky0 + 1, kx0);
          for (int32_t c = 0; c < c_n; c++) {
            float m = -FLT_MAX;
            const float v0 = t0[c], v1 = t1[c];
            if (m < v0)
              m = v0;
            if (m < v1)
              m = v1;
            o[c] = tart_clamp_f32(m, lo, hi);
          }
          continue;
        }
        for (int32_t c = 0; c < c_n; c++)
          o[c] = -FLT_MAX;
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++) {
            const float *t = tap(p, in_b, iy, ix, ky, kx);
            for (int32_t c = 0; c < c_n; c++)
              if (o[c] < t[c])
                o[c] = t[c];
          }
        for (int32_t c = 0; c < c_n; c++)
          o[c] = tart_clamp_f32(o[c], lo, hi);
      }
    }
  }
  return TART_OK;
}

tart_status tart_avgpool_f32_opt(const tart_pool_params *p, const void *const *in, void *const *out,
                                 void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t c_n = p->channels;
  const float lo = p->clamp.min_f32, hi = p->clamp.max_f32;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int32_t kx0, kx1;
        tart_pool_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w, &kx0, &kx1);
        if (ky1 <= ky0 || kx1 <= kx0)
          return TART_ERR_PARAMS; /* a window all in the padding */
        float count = (float)((ky1 - ky0) * (kx1 - kx0));
        if (p->count_include_pad)
          count = (float)(tart_pool_padded_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h,
                                                p->win.pad_h, p->pad_bottom) *
                          tart_pool_padded_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w,
                                                p->win.pad_w, p->pad_right));
        float *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)c_n;
        for (int32_t c = 0; c < c_n; c++)
          o[c] = 0.0f;
        for (int32_t ky = ky0; ky < ky1; ky++)
          for (int32_t kx = kx0; kx < kx1; kx++) {
            const float *t = tap(p, in_b, iy, ix, ky, kx);
            for (int32_t c = 0; c < c_n; c++)
              o[c] += t[c];
          }
        for (int32_t c = 0; c < c_n; c++)
          o[c] = tart_clamp_f32(o[c] / count, lo, hi);
      }
    }
  }
  return TART_OK;
}
