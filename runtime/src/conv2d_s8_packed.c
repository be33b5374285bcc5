/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_s8_packed.c: int8 2-D convolution (groups 1) over weights the compiler re-laid out
 * (tart_mk_s8.h), bit-exact with tart_conv2d_s8.
 *
 * As tart_conv2d_s8_opt: sum((x + in_neg_zp) * w) + bias = sum(x * w) + acc_init, and the
 * taps outside the input hold in_zp in the im2col row, which contributes (in_zp + in_neg_zp)
 * * w = 0. The depth k = KH*KW*Ci is padded to k4, a multiple of 4, with weights 0, so the
 * micro-kernels have no tail loop (first layers with k = 27 or 40); the im2col row's padding
 * bytes are set once to 0. A 1x1 filter without padding and with Ci a multiple of 4 reads
 * the pixel in place.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_mk_s8.h"

static int32_t depth(const tart_conv_params *p) {
  return p->win.filter_h * p->win.filter_w * p->in_c;
}

static int conv_direct(const tart_conv_params *p) {
  return p->win.filter_h == 1 && p->win.filter_w == 1 && p->win.pad_h == 0 && p->win.pad_w == 0 &&
         p->in_c % 4 == 0;
}

size_t tart_conv2d_s8_packed_scratch_size(const tart_conv_params *p) {
  return conv_direct(p) ? 0 : (size_t)((depth(p) + 3) & ~3);
}

/* The window of output pixel (oy, ox) as KH*KW*Ci contiguous bytes. */
static void im2col(const tart_conv_params *p, const int8_t *in_b, int32_t oy, int32_t ox,
                   int8_t *col) {
  const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h,
                ix0 = ox * p->win.stride_w - p->win.pad_w;
  const size_t pixel = (size_t)p->in_c;
  for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
    const int32_t iy = iy0 + p->win.dilation_h * fy;
    int8_t *row = col + (size_t)fy * (size_t)p->win.filter_w * pixel;
    if (iy < 0 || iy >= p->in_h) {
      memset(row, (int)(int8_t)p->in_zp, (size_t)p->win.filter_w * pixel);
      continue;
    }
    const int8_t *in_row = in_b + (size_t)iy * (size_t)p->in_w * pixel;
    if (p->win.dilation_w == 1 && ix0 >= 0 && ix0 + p->win.filter_w <= p->in_w) {
      memcpy(row, in_row + (size_t)ix0 * pixel, (size_t)p->win.filter_w * pixel);
      continue;
    }
    for (int32_t fx = 0; fx < p->win.filter_w; fx++) {
      const int32_t ix = ix0 + p->win.dilation_w * fx;
      if (ix < 0 || ix >= p->in_w)
        memset(row + (size_t)fx * pixel, (int)(int8_t)p->in_zp, pixel);
      else
        memcpy(row + (size_t)fx * pixel, in_row + (size_t)ix * pixel, pixel);
    }
  }
}

tart_status tart_conv2d_s8_packed(const tart_conv_params *p, const void *const *in,
                                  void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t k = depth(p), k4 = (k + 3) & ~3;
  const int direct = conv_direct(p);
  const size_t n_w = (size_t)k4 * (size_t)p->out_c / 4; /* words of int8 */
  const tart_requant rq = TART_REQUANT_OF(p), *const q = &rq;
  const int32_t *w8 = p->n_packed > 0 ? p->packed : NULL;
  const int32_t *fq = p->n_fq > 0 ? p->fq : NULL;
  if (p->groups != 1 || p->filter_c != p->in_c || p->n_acc_init != p->out_c ||
      !tart_requant_ok(q, p->rq.n_mult, p->out_c) || (!direct && scratch == NULL) ||
      (w8 ? (size_t)p->n_packed != n_w : (size_t)p->n_packed16 != 2 * n_w) ||
      (fq && p->n_fq != 3 * p->out_c))
    return TART_ERR_PARAMS;
  int8_t *col = (int8_t *)scratch;
  if (!direct)
    memset(col + k, 0, (size_t)(k4 - k));
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int8_t *patch;
        if (direct) {
          patch = in_b + ((size_t)(oy * p->win.stride_h) * (size_t)p->in_w +
                          (size_t)(ox * p->win.stride_w)) *
                             (size_t)p->in_c;
        } else {
          im2col(p, in_b, oy, ox, col);
          patch = col;
        }
        int8_t *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)p->out_c;
        tart_mk_pixel_s8(patch, w8, p->packed16, k4 / 4, p->out_c, p->acc_init, fq, q, o);
      }
    }
  }
  return TART_OK;
}
