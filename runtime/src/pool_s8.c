/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_s8.c: int8 average and max pooling (NHWC), bit-exact with TFLite's reference integer
 * kernels (reference_integer_ops::AveragePool / MaxPool).
 *
 * Each window is clipped to the input: taps in the padding are skipped, and the average
 * divides by the number of taps kept. Input and output share quantization, so the average
 * of the raw int8 values is the answer: the int32 sum is divided by the tap count rounding
 * half away from zero ((sum +- count/2) / count, C division truncating toward zero), then
 * clamped to the fused activation's range. The sum cannot overflow: |sum| <= 128 * taps.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

/* The window of output (oy, ox), clipped to the input: rows [*y0, *y1), columns [*x0, *x1),
 * absolute input coordinates. */
static void clip_window(const tart_pool_params *p, int32_t oy, int32_t ox, int32_t *y0, int32_t *y1,
                        int32_t *x0, int32_t *x1) {
  const int32_t iy = oy * p->stride_h - p->pad_h;
  const int32_t ix = ox * p->stride_w - p->pad_w;
  *y0 = iy < 0 ? 0 : iy;
  *y1 = iy + p->filter_h < p->in_h ? iy + p->filter_h : p->in_h;
  *x0 = ix < 0 ? 0 : ix;
  *x1 = ix + p->filter_w < p->in_w ? ix + p->filter_w : p->in_w;
}

tart_status tart_avgpool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t c_n = p->channels;
  (void)scratch;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * p->in_h * p->in_w * c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        int32_t y0, y1, x0, x1;
        clip_window(p, oy, ox, &y0, &y1, &x0, &x1);
        const int32_t count = (y1 - y0) * (x1 - x0);
        if (y1 <= y0 || x1 <= x0)
          return TART_ERR_PARAMS; /* a window all in the padding */
        int8_t *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; c++) {
          int32_t acc = 0;
          for (int32_t y = y0; y < y1; y++)
            for (int32_t x = x0; x < x1; x++)
              acc += in_b[(y * p->in_w + x) * c_n + c];
          acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          o[c] = (int8_t)tart_clamp_i32(acc, p->act_min, p->act_max);
        }
      }
    }
  }
  return TART_OK;
}

tart_status tart_maxpool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t c_n = p->channels;
  (void)scratch;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * p->in_h * p->in_w * c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        int32_t y0, y1, x0, x1;
        clip_window(p, oy, ox, &y0, &y1, &x0, &x1);
        int8_t *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        for (int32_t c = 0; c < c_n; c++) {
          /* An empty window leaves -128, as the reference does. */
          int32_t m = -128;
          for (int32_t y = y0; y < y1; y++)
            for (int32_t x = x0; x < x1; x++) {
              const int32_t v = in_b[(y * p->in_w + x) * c_n + c];
              if (v > m)
                m = v;
            }
          o[c] = (int8_t)tart_clamp_i32(m, p->act_min, p->act_max);
        }
      }
    }
  }
  return TART_OK;
}
