/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_f32.c: float32 average and max pooling (NHWC), in the order of TFLite's reference
 * kernels (reference_ops::AveragePool / MaxPool), so results match it exactly.
 *
 * Each window is clipped to the input: taps in the padding are skipped. The average sums the
 * kept taps in row-major window order, then divides by their count; the maximum starts from
 * -FLT_MAX. Both are then clamped to the fused activation's range.
 */
#include <float.h>

#include "tart.h"
#include "tart_fixedpoint.h"

static void clip_window(const tart_pool_params *p, int32_t oy, int32_t ox, int32_t *y0, int32_t *y1,
                        int32_t *x0, int32_t *x1) {
  const int32_t iy = oy * p->stride_h - p->pad_h;
  const int32_t ix = ox * p->stride_w - p->pad_w;
  *y0 = iy < 0 ? 0 : iy;
  *y1 = iy + p->filter_h < p->in_h ? iy + p->filter_h : p->in_h;
  *x0 = ix < 0 ? 0 : ix;
  *x1 = ix + p->filter_w < p->in_w ? ix + p->filter_w : p->in_w;
}

tart_status tart_avgpool_f32(const tart_pool_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t c_n = p->channels;
  (void)scratch;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * p->in_h * p->in_w * c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        int32_t y0, y1, x0, x1;
        clip_window(p, oy, ox, &y0, &y1, &x0, &x1);
        if (y1 <= y0 || x1 <= x0)
          return TART_ERR_PARAMS; /* a window all in the padding */
        const float count = (float)((y1 - y0) * (x1 - x0));
        float *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; c++) {
          float total = 0.0f;
          for (int32_t y = y0; y < y1; y++)
            for (int32_t x = x0; x < x1; x++)
              total += in_b[(y * p->in_w + x) * c_n + c];
          o[c] = tart_clamp_f32(total / count, p->act_min_f32, p->act_max_f32);
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
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * p->in_h * p->in_w * c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        int32_t y0, y1, x0, x1;
        clip_window(p, oy, ox, &y0, &y1, &x0, &x1);
        float *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; c++) {
          float m = -FLT_MAX;
          for (int32_t y = y0; y < y1; y++)
            for (int32_t x = x0; x < x1; x++) {
              const float v = in_b[(y * p->in_w + x) * c_n + c];
              if (m < v)
                m = v; /* std::max(m, v): a NaN tap leaves m unchanged */
            }
          o[c] = tart_clamp_f32(m, p->act_min_f32, p->act_max_f32);
        }
      }
    }
  }
  return TART_OK;
}
