/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_s8.c: int8 average and max pooling (NHWC), bit-exact with TFLite's reference integer
 * kernels (reference_integer_ops::AveragePool / MaxPool).
 *
 * Each window is clipped to the input (tart_pool.h): taps in the padding are skipped, and the
 * average divides by the number of taps kept (or, for ONNX's count_include_pad, by the taps
 * inside the padded input). Input and output share quantization, so the average of the raw
 * int8 values is the answer: the int32 sum is divided by the tap count rounding half away from
 * zero ((sum +- count/2) / count, C division truncating toward zero), then clamped to the
 * fused activation's range. The sum cannot overflow: |sum| <= 128 * taps. The taps are walked
 * by pointer steps (no index arithmetic per tap): these are also the --optimize size kernels.
 */
#include <stdbool.h>
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_pool.h"

/* Channel 0 of the window's first tap kept: input row iy + ky0 * dilation_h, column
 * ix + kx0 * dilation_w; in_b for an empty window (no tap to read). */
static const int8_t *window_first(const tart_pool_params *p, const int8_t *in_b, int32_t iy,
                                  int32_t ky0, int32_t ky1, int32_t ix, int32_t kx0, int32_t kx1) {
  if (ky1 <= ky0 || kx1 <= kx0)
    return in_b;
  return in_b +
         ((iy + ky0 * p->win.dilation_h) * p->in_w + ix + kx0 * p->win.dilation_w) * p->channels;
}

static int valid(const tart_pool_params *p) {
  return p->win.dilation_h >= 1 && p->win.dilation_w >= 1 && p->win.filter_h >= 1 &&
         p->win.filter_w >= 1;
}

tart_status tart_avgpool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t c_n = p->channels;
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  /* Pointer steps: to the window's next row, to its next tap in a row. */
  const int32_t row_step = p->win.dilation_h * p->in_w * c_n, tap_step = p->win.dilation_w * c_n;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * p->in_h * p->in_w * c_n;
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
        int32_t count = (ky1 - ky0) * (kx1 - kx0);
        if (p->count_include_pad)
          count = tart_pool_padded_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h,
                                        p->win.pad_h, p->pad_bottom) *
                  tart_pool_padded_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w,
                                        p->win.pad_w, p->pad_right);
        int8_t *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        const int8_t *first = window_first(p, in_b, iy, ky0, ky1, ix, kx0, kx1);
        for (int32_t c = 0; c < c_n; c++) {
          int32_t acc = 0;
          const int8_t *row = first + c;
          for (int32_t ky = ky0; ky < ky1; ky++, row += row_step) {
            const int8_t *t = row;
            for (int32_t kx = kx0; kx < kx1; kx++, t += tap_step)
              acc = tart_wrap_add(acc, *t);
          }
          /* (Wrapping, not overflowing, for a window of more than 2^24 values.) */
          acc = tart_wrap_add(acc, acc > 0 ? count / 2 : -(count / 2)) / count;
          o[c] = (int8_t)tart_clamp_i32(acc, p->clamp.min, p->clamp.max);
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
  if (!valid(p))
    return TART_ERR_PARAMS;
  /* Pointer steps: to the window's next row, to its next tap in a row. */
  const int32_t row_step = p->win.dilation_h * p->in_w * c_n, tap_step = p->win.dilation_w * c_n;
  /* A fused activation narrower than int8 (else the clamp changes nothing). */
  const int clamped = p->clamp.min > -128 || p->clamp.max < 127;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * p->in_h * p->in_w * c_n;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy = oy * p->win.stride_h - p->win.pad_h;
      int32_t ky0, ky1;
      tart_pool_taps(iy, p->win.filter_h, p->win.dilation_h, p->in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix = ox * p->win.stride_w - p->win.pad_w;
        int32_t kx0, kx1;
        tart_pool_taps(ix, p->win.filter_w, p->win.dilation_w, p->in_w, &kx0, &kx1);
        int8_t *o = output + ((b * p->out_h + oy) * p->out_w + ox) * c_n;
        const int8_t *first = window_first(p, in_b, iy, ky0, ky1, ix, kx0, kx1);
        /* The output row holds the running maxima (it never overlaps the input), tap after
         * tap, channels innermost: the first tap copied, the others compared. An empty window
         * leaves -128, as the reference does. */
        bool empty = true;
        const int8_t *row = first;
        for (int32_t ky = ky0; ky < ky1; ky++, row += row_step) {
          const int8_t *t = row;
          for (int32_t kx = kx0; kx < kx1; kx++, t += tap_step) {
            if (empty) {
              memcpy(o, t, (size_t)c_n);
              empty = false;
              continue;
            }
            for (int32_t c = 0; c < c_n; c++)
              if (t[c] > o[c])
                o[c] = t[c];
          }
        }
        if (empty)
          memset(o, 0x80, (size_t)c_n);
        if (clamped)
          for (int32_t c = 0; c < c_n; c++)
            o[c] = (int8_t)tart_clamp_i32(o[c], p->clamp.min, p->clamp.max);
      }
    }
  }
  return TART_OK;
}
