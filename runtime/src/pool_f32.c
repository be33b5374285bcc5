/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_f32.c: float32 average and max pooling (NHWC), in the order of TFLite's reference
 * kernels (reference_ops::AveragePool / MaxPool), so results match it exactly.
 *
 * Each window is clipped to the input: taps in the padding are skipped (tart_pool.h). The
 * average sums the kept taps in row-major window order, then divides by their count (or, for
 * ONNX's count_include_pad, by the taps inside the padded input); the maximum starts from
 * -FLT_MAX. Both are then clamped to the fused activation's range.
 */
#include <float.h>

#include "tart.h"
#include "tart_pool.h"
#include "tart_fixedpoint.h"

static int valid(const tart_pool_params *p) {
  return p->win.dilation_h >= 1 && p->win.dilation_w >= 1 && p->win.filter_h >= 1 &&
         p->win.filter_w >= 1;
}

tart_status tart_avgpool_f32(const tart_pool_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t c_n = p->channels;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * p->in_h * p->in_w * c_n;
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
        float *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; c++) {
          float total = 0.0f;
          for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = iy + ky * p->win.dilation_h;
            for (int32_t kx = kx0; kx < kx1; kx++)
              total += in_b[(y * p->in_w + ix + kx * p->win.dilation_w) * c_n + c];
          }
          o[c] = tart_clamp_f32(total / count, p->clamp.min_f32, p->clamp.max_f32);
        }
      }
    }
  }
  return TART_OK;
}

tart_status tart_maxpool_f32(const tart_pool_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t c_n = p->channels;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * p->in_h * p->in_w * c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int32_t kx0, kx1;
        tart_pool_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w, &kx0, &kx1);
        float *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; c++) {
          float m = -FLT_MAX;
          for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = iy + ky * p->win.dilation_h;
            for (int32_t kx = kx0; kx < kx1; kx++) {
              const float v = in_b[(y * p->in_w + ix + kx * p->win.dilation_w) * c_n + c];
              if (m < v)
                m = v; /* std::max(m, v): a NaN tap leaves m unchanged */
            }
          }
          o[c] = tart_clamp_f32(m, p->clamp.min_f32, p->clamp.max_f32);
        }
      }
    }
  }
  return TART_OK;
}
