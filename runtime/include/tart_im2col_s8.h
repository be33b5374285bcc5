/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_im2col_s8.h: an output pixel's int8 convolution window (NHWC input, filter order
 * KH x KW x Ci) as contiguous bytes, for the im2col kernels (conv2d_s8_opt.c,
 * conv2d_s8_packed.c, conv2d_s8_compact.c). Taps outside the input hold in_zp, which the
 * kernels' acc_init cancels: (in_zp + in_neg_zp) * w = 0.
 */
#ifndef TART_IM2COL_S8_H
#define TART_IM2COL_S8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tart.h"

/* Row fy of output pixel (oy, ox)'s window (KW*Ci bytes) to row. */
static inline void tart_im2col_row_s8(const tart_conv_params *p, const int8_t *in_b, int32_t oy,
                                      int32_t ox, int32_t fy, int8_t *row) {
  const int32_t iy = oy * p->win.stride_h - p->win.pad_h + p->win.dilation_h * fy,
                ix0 = ox * p->win.stride_w - p->win.pad_w;
  const size_t pixel = (size_t)p->in_c;
  if (iy < 0 || iy >= p->in_h) {
    memset(row, (int)(int8_t)p->in_zp, (size_t)p->win.filter_w * pixel);
    return;
  }
  const int8_t *in_row = in_b + (size_t)iy * (size_t)p->in_w * pixel;
  if (p->win.dilation_w == 1 && ix0 >= 0 && ix0 + p->win.filter_w <= p->in_w) {
    memcpy(row, in_row + (size_t)ix0 * pixel, (size_t)p->win.filter_w * pixel);
    return;
  }
  for (int32_t fx = 0; fx < p->win.filter_w; fx++) {
    const int32_t ix = ix0 + p->win.dilation_w * fx;
    if (ix < 0 || ix >= p->in_w)
      memset(row + (size_t)fx * pixel, (int)(int8_t)p->in_zp, pixel);
    else
      memcpy(row + (size_t)fx * pixel, in_row + (size_t)ix * pixel, pixel);
  }
}

/* The whole window of output pixel (oy, ox) (KH*KW*Ci bytes) to col. */
static inline void tart_im2col_s8(const tart_conv_params *p, const int8_t *in_b, int32_t oy,
                                  int32_t ox, int8_t *col) {
  const size_t row = (size_t)p->win.filter_w * (size_t)p->in_c;
  for (int32_t fy = 0; fy < p->win.filter_h; fy++)
    tart_im2col_row_s8(p, in_b, oy, ox, fy, col + (size_t)fy * row);
}

/* The first input byte of output pixel (oy, ox)'s window when the whole window lies inside
 * the input and each of its rows is contiguous (dilation_w 1), else NULL. The rows follow each
 * other in the input (the window is one run of bytes) when filter_h is 1 or
 * dilation_h * in_w = filter_w. */
static inline const int8_t *tart_window_at_s8(const tart_conv_params *p, const int8_t *in_b,
                                              int32_t oy, int32_t ox) {
  const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h,
                ix0 = ox * p->win.stride_w - p->win.pad_w;
  if (iy0 < 0 || iy0 + p->win.dilation_h * (p->win.filter_h - 1) >= p->in_h || ix0 < 0 ||
      ix0 + p->win.filter_w > p->in_w || p->win.dilation_w != 1)
    return NULL;
  return in_b + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)p->in_c;
}

#endif
