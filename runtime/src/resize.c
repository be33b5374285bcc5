/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resize.c: RESIZE_NEAREST_NEIGHBOR (any element type) and RESIZE_BILINEAR (float32, int8) on
 * NHWC tensors. Every coordinate decision (align_corners, half-pixel centres, ONNX's
 * coordinate and rounding modes) was taken by the compiler, which hands the kernels one
 * table entry per output row and column: source rows/columns and interpolation weights. The
 * kernels only gather and blend, so one kernel serves TFLite's and ONNX's rules.
 */
#include <string.h>

#include "tart.h"

tart_status tart_resize_nearest(const tart_resize_params *p, const void *const *in,
                                void *const *out, void *scratch) {
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const size_t pix = (size_t)p->depth * (size_t)p->elem_bytes;
  (void)scratch;
  for (int32_t b = 0; b < p->batches; b++) {
    const char *xb = x + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * pix;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const char *row = xb + (size_t)p->y0[oy] * (size_t)p->in_w * pix;
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        memcpy(y, row + (size_t)p->x0[ox] * pix, pix);
        y += pix;
      }
    }
  }
  return TART_OK;
}

tart_status tart_resize_bilinear_f32(const tart_resize_params *p, const void *const *in,
                                     void *const *out, void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  const size_t d = (size_t)p->depth, row = (size_t)p->in_w * d;
  (void)scratch;
  if (!p->y1 || !p->x1 || !p->fy || !p->fx)
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *xb = x + (size_t)b * (size_t)p->in_h * row;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const float *r0 = xb + (size_t)p->y0[oy] * row, *r1 = xb + (size_t)p->y1[oy] * row;
      const float fy = p->fy[oy];
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const size_t c0 = (size_t)p->x0[ox] * d, c1 = (size_t)p->x1[ox] * d;
        const float fx = p->fx[ox];
        for (size_t c = 0; c < d; c++)
          *y++ = r0[c0 + c] * (1 - fy) * (1 - fx) + r1[c0 + c] * fy * (1 - fx) +
                 r0[c1 + c] * (1 - fy) * fx + r1[c1 + c] * fy * fx;
      }
    }
  }
  return TART_OK;
}

/* Weights are at most 1024 + 512 in magnitude and sum to 1024 per axis, so the four products
 * of one output stay below 128 * 2048 * 2048 = 2^29: int32 holds what TFLite computes in
 * int64, and the division truncates toward zero as C++'s does. */
tart_status tart_resize_bilinear_s8(const tart_resize_params *p, const void *const *in,
                                    void *const *out, void *scratch) {
  const int8_t *x = (const int8_t *)in[0];
  int8_t *y = (int8_t *)out[0];
  const size_t d = (size_t)p->depth, row = (size_t)p->in_w * d;
  (void)scratch;
  if (!p->y1 || !p->x1 || !p->wy || !p->wx)
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)p->in_h * row;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int8_t *r0 = xb + (size_t)p->y0[oy] * row, *r1 = xb + (size_t)p->y1[oy] * row;
      const int32_t wy = p->wy[oy];
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const size_t c0 = (size_t)p->x0[ox] * d, c1 = (size_t)p->x1[ox] * d;
        const int32_t wx = p->wx[ox];
        for (size_t c = 0; c < d; c++) {
          const int32_t acc = r0[c0 + c] * (1024 - wy) * (1024 - wx) +
                              r1[c0 + c] * wy * (1024 - wx) + r0[c1 + c] * (1024 - wy) * wx +
                              r1[c1 + c] * wy * wx;
          const int32_t round = acc > 0 ? (1 << 19) : -(1 << 19);
          *y++ = (int8_t)((acc + round) / (1 << 20));
        }
      }
    }
  }
  return TART_OK;
}
