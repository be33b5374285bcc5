/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose_conv2d.c: TRANSPOSE_CONV (ONNX ConvTranspose), int8 bit-exact with TFLite's
 * reference_integer_ops::TransposeConv, and float32.
 *
 * TFLite scatters each input pixel over the output into an int32 buffer of the output's size.
 * Here each output pixel gathers the input pixels that reach it: tap fy reaches output row oy
 * from input row iy = (oy + pad_h - fy * dilation_h) / stride_h when that division is exact
 * and iy lies in the input. Integer sums do not depend on their order, so the int8 result is
 * the reference's, and no accumulator buffer is needed. The int32 sum cannot overflow while
 * KH*KW*in_c <= 2^16, as for conv2d_s8.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

/* The input index a tap reaches output index o from, or -1. */
static int32_t source(int32_t o, int32_t pad, int32_t tap, int32_t dil, int32_t stride, int32_t n) {
  const int32_t t = o + pad - tap * dil;
  if (t < 0 || t % stride != 0 || t / stride >= n)
    return -1;
  return t / stride;
}

tart_status tart_transpose_conv2d_s8(const tart_conv_params *p, const void *const *in,
                                     void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *filter = (const int8_t *)in[1];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *o = (int8_t *)out[0];
  (void)scratch;
  if (p->groups != 1 || p->filter_c != p->in_c || (p->rq.n_mult != 1 && p->rq.n_mult != p->out_c))
    return TART_ERR_PARAMS;
  const int32_t mult_step = p->rq.n_mult == 1 ? 0 : 1;
  const int32_t kh = p->win.filter_h, kw = p->win.filter_w, c = p->in_c;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * p->in_h * p->in_w * c;
    for (int32_t oy = 0; oy < p->out_h; oy++)
      for (int32_t ox = 0; ox < p->out_w; ox++)
        for (int32_t oc = 0; oc < p->out_c; oc++) {
          int32_t acc = 0;
          for (int32_t fy = 0; fy < kh; fy++) {
            const int32_t iy =
                source(oy, p->win.pad_h, fy, p->win.dilation_h, p->win.stride_h, p->in_h);
            if (iy < 0)
              continue;
            for (int32_t fx = 0; fx < kw; fx++) {
              const int32_t ix =
                  source(ox, p->win.pad_w, fx, p->win.dilation_w, p->win.stride_w, p->in_w);
              if (ix < 0)
                continue;
              const int8_t *x = in_b + (iy * p->in_w + ix) * c;
              const int8_t *w = filter + ((oc * kh + fy) * kw + fx) * c;
              for (int32_t ic = 0; ic < c; ic++)
                acc = tart_wrap_add(acc, (int32_t)w[ic] * ((int32_t)x[ic] + p->in_neg_zp));
            }
          }
          if (bias)
            acc = tart_wrap_add(acc, bias[oc]);
          const int32_t k = oc * mult_step;
          acc = tart_mul_by_quantized_mult(acc, p->rq.mult[k], p->rq.shift_left[k]);
          acc = tart_wrap_add(acc, p->rq.out_zp);
          *o++ = (int8_t)tart_clamp_i32(acc, p->clamp.min, p->clamp.max);
        }
  }
  return TART_OK;
}

tart_status tart_transpose_conv2d_f32(const tart_conv_params *p, const void *const *in,
                                      void *const *out, void *scratch) {
  const float *input = (const float *)in[0];
  const float *filter = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *o = (float *)out[0];
  (void)scratch;
  if (p->groups != 1 || p->filter_c != p->in_c)
    return TART_ERR_PARAMS;
  const int32_t kh = p->win.filter_h, kw = p->win.filter_w, c = p->in_c;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * p->in_h * p->in_w * c;
    for (int32_t oy = 0; oy < p->out_h; oy++)
      for (int32_t ox = 0; ox < p->out_w; ox++)
        for (int32_t oc = 0; oc < p->out_c; oc++) {
          float total = 0.0f;
          for (int32_t fy = 0; fy < kh; fy++) {
            const int32_t iy =
                source(oy, p->win.pad_h, fy, p->win.dilation_h, p->win.stride_h, p->in_h);
            if (iy < 0)
              continue;
            for (int32_t fx = 0; fx < kw; fx++) {
              const int32_t ix =
                  source(ox, p->win.pad_w, fx, p->win.dilation_w, p->win.stride_w, p->in_w);
              if (ix < 0)
                continue;
              const float *x = in_b + (iy * p->in_w + ix) * c;
              const float *w = filter + ((oc * kh + fy) * kw + fx) * c;
              for (int32_t ic = 0; ic < c; ic++)
                total += x[ic] * w[ic];
            }
          }
          const float bias_value = bias ? bias[oc] : 0.0f;
          *o++ = tart_clamp_f32(total + bias_value, p->clamp.min_f32, p->clamp.max_f32);
        }
  }
  return TART_OK;
}
