/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_f32_opt.c: float 2-D convolution (groups 1), with the same results as
 * tart_conv2d_f32, bit for bit: every output is summed in the reference's order (filter row,
 * filter column, input channel, from 0; the bias last, then the clamp), with a separate
 * multiply and add as the reference is compiled (C99 does not contract them into a fused
 * multiply-add). What changes is the work around the sums: the window of an output pixel is
 * copied once into scratch as KH*KW*Ci contiguous floats, and four output channels are summed
 * at once over it, sharing each input load. Pixels whose window leaves the input sum the
 * taps inside only, as the reference does.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_pool.h"

/* A 1x1 filter without padding reads its window, the pixel itself, in place. */
static int conv_direct(const tart_conv_params *p) {
  return p->win.filter_h == 1 && p->win.filter_w == 1 && p->win.pad_h == 0 && p->win.pad_w == 0;
}

size_t tart_conv2d_f32_opt_scratch_size(const tart_conv_params *p) {
  return conv_direct(p)
             ? 0
             : (size_t)p->win.filter_h * (size_t)p->win.filter_w * (size_t)p->in_c * sizeof(float);
}

/* Four sums over n values: t[j] = sum_i x[i] * w[j * k + i], in order, each from 0. */
static void dot4(const float *x, const float *w, int32_t k, int32_t n, float t[4]) {
  const float *w0 = w, *w1 = w + k, *w2 = w + 2 * k, *w3 = w + 3 * k;
  float t0 = 0.0f, t1 = 0.0f, t2 = 0.0f, t3 = 0.0f;
  for (int32_t i = 0; i < n; i++) {
    const float xi = x[i];
    t0 += xi * w0[i];
    t1 += xi * w1[i];
    t2 += xi * w2[i];
    t3 += xi * w3[i];
  }
  t[0] = t0, t[1] = t1, t[2] = t2, t[3] = t3;
}

static float dot1(const float *x, const float *w, int32_t n) {
  float t = 0.0f;
  for (int32_t i = 0; i < n; i++)
    t += x[i] * w[i];
  return t;
}

tart_status tart_conv2d_f32_opt(const tart_conv_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  const float *input = (const float *)in[0];
  const float *filter = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *output = (float *)out[0];
  const int direct = conv_direct(p);
  if (p->groups != 1 || p->filter_c != p->in_c || (!direct && scratch == NULL))
    return TART_ERR_PARAMS;
  const int32_t C = p->in_c, oc_n = p->out_c;
  const int32_t k = p->win.filter_h * p->win.filter_w * C;
  const float lo = p->clamp.min_f32, hi = p->clamp.max_f32;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)C;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h;
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->win.stride_w - p->win.pad_w;
        float *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)oc_n;
        int32_t fy0, fy1, fx0, fx1; /* the taps inside the input (tart_pool.h) */
        tart_pool_taps(iy0, p->win.filter_h, p->win.dilation_h, p->in_h, &fy0, &fy1);
        tart_pool_taps(ix0, p->win.filter_w, p->win.dilation_w, p->in_w, &fx0, &fx1);
        /* The taps inside, in the reference's order: the window's columns fx0..fx1 of each
         * row fy0..fy1 (all of them for most pixels), one after the other in col. */
        const int32_t run = (fx1 - fx0) * C;
        const float *col = direct ? in_b + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)C
                                  : (const float *)scratch;
        int32_t n = direct ? k : 0;
        /* (A window wholly in the padding has no taps: nothing to copy, or to address.) */
        for (int32_t fy = fy0; fy < fy1 && fx0 < fx1 && !direct; fy++) {
          const float *row =
              in_b + ((size_t)(iy0 + p->win.dilation_h * fy) * (size_t)p->in_w) * (size_t)C;
          if (p->win.dilation_w == 1) {
            memcpy((float *)scratch + n, row + (size_t)(ix0 + fx0) * (size_t)C,
                   (size_t)run * sizeof(float));
          } else {
            for (int32_t fx = fx0; fx < fx1; fx++)
              memcpy((float *)scratch + n + (fx - fx0) * C,
                     row + (size_t)(ix0 + p->win.dilation_w * fx) * (size_t)C,
                     (size_t)C * sizeof(float));
          }
          n += run;
        }
        const int full = n == k;
        int32_t oc = 0;
        if (full) {
          for (; oc + 4 <= oc_n; oc += 4) {
            float t[4];
            dot4(col, filter + (size_t)oc * (size_t)k, k, k, t);
            for (int32_t j = 0; j < 4; j++)
              o[oc + j] = tart_clamp_f32(t[j] + (bias ? bias[oc + j] : 0.0f), lo, hi);
          }
        }
        for (; oc < oc_n; oc++) {
          /* A border pixel: the rows of the window inside, each a run of columns. */
          const float *f = filter + (size_t)oc * (size_t)k;
          float total;
          if (full) {
            total = dot1(col, f, k);
          } else {
            total = 0.0f;
            const float *x = col;
            for (int32_t fy = fy0; fy < fy1 && fx0 < fx1; fy++, x += run) {
              const float *w = f + ((size_t)fy * (size_t)p->win.filter_w + (size_t)fx0) * (size_t)C;
              for (int32_t i = 0; i < run; i++)
                total += x[i] * w[i];
            }
          }
          o[oc] = tart_clamp_f32(total + (bias ? bias[oc] : 0.0f), lo, hi);
        }
      }
    }
  }
  return TART_OK;
}
