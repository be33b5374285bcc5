/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_f32_opt.c: float 2-D convolution (groups 1), with the same results as
 * tart_conv2d_f32, bit for bit: every output is summed in the reference's order (filter row,
 * filter column, input channel, from 0, over the taps inside the input; the bias last, then
 * the clamp), each product rounded before it is added (non-fused VMLA on FPU cores,
 * tart_mac_f32.h). What changes is the work around the sums: two output pixels whose windows
 * have the same taps inside the input are summed together for four output channels at a
 * time (tart_mac_f32_2x4: each input and weight load serves several sums), and the sums read
 * the input in place, one run of contiguous floats per window row (the whole window at once
 * when its rows follow each other in memory, as in 1-D convolutions), so nothing is copied.
 */
#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_mac_f32.h"
#include "tart_pool.h"

/* The taps of one output pixel's window inside the input, as runs of contiguous floats:
 * n_rows rows of n_runs runs of len floats; the input of run (r, u) is at
 * x + r * x_row + u * x_run, its weights at w_off + r * w_row + u * w_run. */
typedef struct window {
  int32_t fy0, fy1, fx0, fx1; /* the taps inside (tart_pool_taps) */
  const float *x;
} window;

typedef struct runs {
  int32_t n_rows, n_runs, len;
  int32_t x_row, x_run, w_off, w_row, w_run;
} runs;

static window window_of(const tart_conv_params *p, const float *in_b, int32_t pixel) {
  const int32_t oy = pixel / p->out_w, ox = pixel % p->out_w;
  const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h;
  const int32_t ix0 = ox * p->win.stride_w - p->win.pad_w;
  window wd;
  tart_pool_taps(iy0, p->win.filter_h, p->win.dilation_h, p->in_h, &wd.fy0, &wd.fy1);
  tart_pool_taps(ix0, p->win.filter_w, p->win.dilation_w, p->in_w, &wd.fx0, &wd.fx1);
  wd.x = in_b;
  if (wd.fy0 < wd.fy1 && wd.fx0 < wd.fx1) /* (an empty window addresses nothing) */
    wd.x = in_b + ((size_t)(iy0 + p->win.dilation_h * wd.fy0) * (size_t)p->in_w +
                   (size_t)(ix0 + p->win.dilation_w * wd.fx0)) *
                      (size_t)p->in_c;
  return wd;
}

/* The runs of a window: with dilation 1 along the width a row's taps are one run; rows merge
 * into one run when both the input and the filter rows follow each other (the window spans
 * whole input rows, e.g. a 1-D convolution over an [H,1,C] input). */
static runs runs_of(const tart_conv_params *p, const window *wd) {
  const int32_t C = p->in_c, taps = wd->fx1 - wd->fx0;
  runs r;
  r.n_rows = wd->fx0 < wd->fx1 ? wd->fy1 - wd->fy0 : 0;
  r.x_row = p->win.dilation_h * p->in_w * C;
  r.w_row = p->win.filter_w * C;
  r.w_off = (wd->fy0 * p->win.filter_w + wd->fx0) * C;
  if (p->win.dilation_w == 1 || taps == 1) {
    r.n_runs = 1, r.len = taps * C, r.x_run = 0, r.w_run = 0;
    if (r.n_rows > 1 && taps == p->win.filter_w && r.x_row == r.len)
      r.len *= r.n_rows, r.n_rows = 1;
  } else {
    r.n_runs = taps, r.len = C, r.x_run = p->win.dilation_w * C, r.w_run = C;
  }
  return r;
}

static void store4(float *o, const float *acc, const float *bias, float lo, float hi) {
  for (int32_t j = 0; j < 4; j++)
    o[j] = tart_clamp_f32(acc[j] + (bias ? bias[j] : 0.0f), lo, hi);
}

/* Output channels [0, oc_n) of one pixel (x1 NULL) or two pixels with the same runs. */
static void conv_pixels(const tart_conv_params *p, const runs *r, const float *x0, const float *x1,
                        float *o0, float *o1, const float *filter, const float *bias) {
  const int32_t k = p->win.filter_h * p->win.filter_w * p->in_c, oc_n = p->out_c;
  const float lo = p->clamp.min_f32, hi = p->clamp.max_f32;
  int32_t oc = 0;
  for (; oc + 4 <= oc_n; oc += 4) {
    const float *f = filter + (size_t)oc * (size_t)k + r->w_off;
    float acc[8];
    const float *from = tart_mac_f32_zeros; /* every sum starts from +0.0f */
    for (int32_t y = 0; y < r->n_rows; y++)
      for (int32_t u = 0; u < r->n_runs; u++, from = acc) {
        const int32_t xo = y * r->x_row + u * r->x_run, wo = y * r->w_row + u * r->w_run;
        if (x1)
          tart_mac_f32_2x4(x0 + xo, x1 + xo, f + wo, k, r->len, from, acc);
        else
          tart_mac_f32_1x4(x0 + xo, f + wo, k, r->len, from, acc);
      }
    if (from != acc) /* a window with no tap inside */
      for (int32_t j = 0; j < 8; j++)
        acc[j] = 0.0f;
    store4(o0 + oc, acc, bias ? bias + oc : NULL, lo, hi);
    if (x1)
      store4(o1 + oc, acc + 4, bias ? bias + oc : NULL, lo, hi);
  }
  for (; oc < oc_n; oc++) {
    const float *f = filter + (size_t)oc * (size_t)k + r->w_off;
    for (int32_t q = 0; q < (x1 ? 2 : 1); q++) {
      const float *x = q ? x1 : x0;
      float total = 0.0f;
      for (int32_t y = 0; y < r->n_rows; y++)
        for (int32_t u = 0; u < r->n_runs; u++)
          total = tart_mac_f32_1x1(x + y * r->x_row + u * r->x_run, f + y * r->w_row + u * r->w_run,
                                   r->len, total);
      (q ? o1 : o0)[oc] = tart_clamp_f32(total + (bias ? bias[oc] : 0.0f), lo, hi);
    }
  }
}

tart_status tart_conv2d_f32_opt(const tart_conv_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  const float *input = (const float *)in[0];
  const float *filter = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *output = (float *)out[0];
  (void)scratch;
  if (p->groups != 1 || p->filter_c != p->in_c)
    return TART_ERR_PARAMS;
  const int32_t pixels = p->out_h * p->out_w, oc_n = p->out_c;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    float *out_b = output + (size_t)b * (size_t)pixels * (size_t)oc_n;
    for (int32_t q = 0; q < pixels;) {
      const window a = window_of(p, in_b, q);
      const runs r = runs_of(p, &a);
      float *o0 = out_b + (size_t)q * (size_t)oc_n;
      if (q + 1 < pixels) {
        const window c = window_of(p, in_b, q + 1);
        if (c.fy0 == a.fy0 && c.fy1 == a.fy1 && c.fx0 == a.fx0 && c.fx1 == a.fx1) {
          conv_pixels(p, &r, a.x, c.x, o0, o0 + oc_n, filter, bias);
          q += 2;
          continue;
        }
      }
      conv_pixels(p, &r, a.x, NULL, o0, NULL, filter, bias);
      q++;
    }
  }
  return TART_OK;
}
