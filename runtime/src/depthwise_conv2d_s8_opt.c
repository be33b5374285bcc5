/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_conv2d_s8_opt.c: int8 depthwise convolution with depth multiplier 1,
 * bit-exact with tart_depthwise_conv2d_s8.
 *
 * For an output pixel whose window lies wholly inside the input, sum((x + in_neg_zp) * w)
 * + bias = sum(x * w) + acc_init[c] (acc_init = bias + in_neg_zp * sum of channel c's
 * taps, from the compiler), and four channels are done per step (tart_mac4_s8). Border
 * pixels sum (x + in_neg_zp) * w over the taps inside the input only, as the reference
 * does. The compiler packs the filter so that the four channels of a step read their taps
 * from one pointer at fixed offsets (few live registers; in[1], the plain filter, is unused).
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_pool.h"
#include "tart_requant_fast.h"
#include "tart_simd.h"

static int params_ok(const tart_dwconv_params *p) {
  const tart_requant q = TART_REQUANT_OF(p);
  return p->depth_mult == 1 && p->in_c == p->out_c && p->n_acc_init == p->out_c &&
         tart_requant_ok(&q, p->rq.n_mult, p->out_c) && p->packed != NULL &&
         p->n_packed == p->win.filter_h * p->win.filter_w * p->in_c &&
         (p->n_fq == 0 || (p->n_fq == 3 * p->out_c && p->fq != NULL));
}

/* Four channels' accumulators to int8 at o: the fast requantization (tart_requant_fast.h)
 * when the compiler gave its constants fq (those of channel c first), else the general one. */
static inline void requant4(const tart_requant *restrict q, const int32_t *restrict fq, int32_t a0,
                            int32_t a1, int32_t a2, int32_t a3, int32_t c, int8_t *restrict o) {
  if (fq)
    tart_requant_fast4_s8(fq + 3 * c, a0, a1, a2, a3, q->clamp_min, q->clamp_max, o);
  else
    tart_requant4_s8(q, a0, a1, a2, a3, c, o);
}

static int window_inside(const tart_dwconv_params *p, int32_t iy0, int32_t ix0) {
  return iy0 >= 0 && ix0 >= 0 && iy0 + (p->win.filter_h - 1) * p->win.dilation_h < p->in_h &&
         ix0 + (p->win.filter_w - 1) * p->win.dilation_w < p->in_w;
}

/* The packed weights (defs/conv.def, ta_pack_dw_filter): channels c..c+3 of a group (c a
 * multiple of 4) take 4 bytes per tap from packed + c * taps; a channel c past the last
 * multiple of 4 has its taps in a row from packed + c * taps as well. */
static const int8_t *weights_of(const tart_dwconv_params *p, int32_t c) {
  return p->packed + (size_t)c * (size_t)(p->win.filter_h * p->win.filter_w);
}

/* Channel c (past the groups of 4) at any pixel: the reference arithmetic, the taps outside
 * the input skipped (acc_init holds bias + offset * sum of all taps: take those back). */
static int32_t single_acc(const tart_dwconv_params *p, const int8_t *in_b, int32_t iy0, int32_t ix0,
                          int32_t c) {
  const int8_t *w = weights_of(p, c);
  int32_t acc = p->acc_init[c];
  for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
    const int32_t iy = iy0 + p->win.dilation_h * fy;
    for (int32_t fx = 0; fx < p->win.filter_w; fx++, w++) {
      const int32_t ix = ix0 + p->win.dilation_w * fx;
      if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
        acc = tart_wrap_add(acc, -(p->in_neg_zp * *w));
      else
        acc = tart_wrap_add(
            acc, (int32_t)in_b[((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c +
                               (size_t)c] *
                     *w);
    }
  }
  return acc;
}

/* A 3x3 window inside the input, four channels: x is the window's top-left at channel c, w
 * the group's packed weights (nine taps of 4 bytes, fixed offsets). */
static inline void window_3x3(const int8_t *x, const int8_t *w, size_t x_step, size_t x_row,
                              int32_t *a0, int32_t *a1, int32_t *a2, int32_t *a3) {
  for (int32_t fy = 0; fy < 3; fy++, x += x_row, w += 12) {
    tart_mac4_s8(x, w, a0, a1, a2, a3);
    tart_mac4_s8(x + x_step, w + 4, a0, a1, a2, a3);
    tart_mac4_s8(x + 2 * x_step, w + 8, a0, a1, a2, a3);
  }
}

/* One output pixel, all channels, four at a time. Inside the input: acc_init plus plain
 * products. At the border: the bias plus (x + in_neg_zp) * w over the taps inside only,
 * exactly the reference's sum. */
static void dw_pixel(const tart_dwconv_params *restrict p, const tart_requant *restrict q,
                     const int8_t *in_b, const int32_t *bias, int32_t oy, int32_t ox,
                     int8_t *restrict o) {
  const int32_t C = p->in_c, taps = p->win.filter_h * p->win.filter_w;
  const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h,
                ix0 = ox * p->win.stride_w - p->win.pad_w;
  /* Steps between taps, in bytes: along a filter row, and from one row to the next. */
  const size_t x_step = (size_t)p->win.dilation_w * (size_t)C;
  const size_t x_row = (size_t)p->win.dilation_h * (size_t)p->in_w * (size_t)C;
  const size_t w_group = 4u * (size_t)taps;
  const int32_t *fq = p->n_fq > 0 ? p->fq : NULL;
  int32_t c = 0;
  if (window_inside(p, iy0, ix0)) {
    const int8_t *x = in_b + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)C;
    const int8_t *w = p->packed;
    const int k3x3 = p->win.filter_h == 3 && p->win.filter_w == 3;
    for (; c + 4 <= C; c += 4, x += 4, w += w_group) {
      int32_t a0 = p->acc_init[c], a1 = p->acc_init[c + 1], a2 = p->acc_init[c + 2],
              a3 = p->acc_init[c + 3];
      if (k3x3) {
        window_3x3(x, w, x_step, x_row, &a0, &a1, &a2, &a3);
      } else {
        const int8_t *xr = x, *wt = w;
        for (int32_t fy = 0; fy < p->win.filter_h; fy++, xr += x_row) {
          const int8_t *xt = xr;
          for (int32_t fx = 0; fx < p->win.filter_w; fx++, xt += x_step, wt += 4)
            tart_mac4_s8(xt, wt, &a0, &a1, &a2, &a3);
        }
      }
      requant4(q, fq, a0, a1, a2, a3, c, o + c);
    }
  } else {
    /* The taps inside the input: fy in [fy0, fy1), fx in [fx0, fx1) (tart_pool.h). */
    int32_t fy0, fy1, fx0, fx1;
    tart_pool_taps(iy0, p->win.filter_h, p->win.dilation_h, p->in_h, &fy0, &fy1);
    tart_pool_taps(ix0, p->win.filter_w, p->win.dilation_w, p->in_w, &fx0, &fx1);
    const int32_t off = p->in_neg_zp;
    const int32_t off2 = (int32_t)(((uint32_t)off << 16) | ((uint32_t)off & 0xffffu));
    if (fx0 == fx1 || fy0 == fy1) /* a window wholly in the padding: nothing to address */
      fy1 = fy0 = 0, fx0 = 0, fx1 = 0;
    const int8_t *x = fy0 == fy1
                          ? in_b
                          : in_b + ((size_t)(iy0 + p->win.dilation_h * fy0) * (size_t)p->in_w +
                                    (size_t)(ix0 + p->win.dilation_w * fx0)) *
                                       (size_t)C;
    const int8_t *w = p->packed + 4u * (size_t)(fy0 * p->win.filter_w + fx0);
    for (; c + 4 <= C; c += 4, x += 4, w += w_group) {
      int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      if (bias)
        a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
      const int8_t *xr = x, *wr = w;
      for (int32_t fy = fy0; fy < fy1; fy++, xr += x_row, wr += 4u * (size_t)p->win.filter_w) {
        const int8_t *xt = xr, *wt = wr;
        for (int32_t fx = fx0; fx < fx1; fx++, xt += x_step, wt += 4)
          tart_mac4_off_s8(xt, wt, off, off2, &a0, &a1, &a2, &a3);
      }
      requant4(q, fq, a0, a1, a2, a3, c, o + c);
    }
  }
  for (; c < C; c++) {
    const int32_t acc = single_acc(p, in_b, iy0, ix0, c);
    o[c] =
        fq ? (int8_t)tart_clamp_i32(tart_requant_fast(acc, fq[3 * c], fq[3 * c + 1], fq[3 * c + 2]),
                                    q->clamp_min, q->clamp_max)
           : tart_requant_s8(q, acc, c);
  }
}

tart_status tart_depthwise_conv2d_s8_opt(const tart_dwconv_params *p, const void *const *in,
                                         void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  const size_t C = (size_t)p->in_c;
  (void)scratch;
  const tart_requant q = TART_REQUANT_OF(p);
  if (!params_ok(p))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * C;
    for (int32_t oy = 0; oy < p->out_h; oy++)
      for (int32_t ox = 0; ox < p->out_w; ox++)
        dw_pixel(p, &q, in_b, bias, oy, ox,
                 output +
                     (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         C);
  }
  return TART_OK;
}

/* In place (output may be the input buffer), row by row. Output row y reads input rows
 * y - pad_h .. y - pad_h + KH - 1, so once row y is computed, input row y - pad_h is read by
 * no later output row and can take output row y - pad_h. Computed rows wait in a ring of
 * pad_h + 1 rows in scratch. Needs stride 1, dilation 1 in height and the output plane of
 * the input's size (SAME), so output row r and input row r have one layout. */
size_t tart_depthwise_conv2d_s8_opt_inplace_scratch_size(const tart_dwconv_params *p) {
  return (size_t)(p->win.pad_h + 1) * (size_t)p->out_w * (size_t)p->out_c;
}

tart_status tart_depthwise_conv2d_s8_opt_inplace(const tart_dwconv_params *p, const void *const *in,
                                                 void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  int8_t *ring = (int8_t *)scratch;
  const size_t row = (size_t)p->out_w * (size_t)p->out_c;
  const int32_t slots = p->win.pad_h + 1;
  const tart_requant q = TART_REQUANT_OF(p);
  if (!params_ok(p) || p->in_h != p->out_h || p->in_w != p->out_w || p->win.stride_h != 1 ||
      p->win.dilation_h != 1 || p->win.pad_h < 0 || ring == NULL)
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->out_h * row;
    int8_t *out_b = output + (size_t)b * (size_t)p->out_h * row;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      int8_t *slot = ring + (size_t)(oy % slots) * row;
      for (int32_t ox = 0; ox < p->out_w; ox++)
        dw_pixel(p, &q, in_b, bias, oy, ox, slot + (size_t)ox * (size_t)p->out_c);
      const int32_t done = oy - p->win.pad_h; /* input row no later output row reads */
      if (done >= 0)
        memcpy(out_b + (size_t)done * row, ring + (size_t)(done % slots) * row, row);
    }
    for (int32_t r = p->out_h - p->win.pad_h; r < p->out_h; r++)
      if (r >= 0)
        memcpy(out_b + (size_t)r * row, ring + (size_t)(r % slots) * row, row);
  }
  return TART_OK;
}
