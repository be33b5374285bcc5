/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_f32.c: float 2-D convolution (NHWC, grouped), following TFLite's reference kernel
 * (reference_ops::Conv) term for term: the window is summed in float in the order
 * filter row, filter column, input channel, starting from 0; the bias is added last, then
 * the clamp. Keeping that order keeps results within rounding of the reference.
 * Window taps outside the input are skipped (zero padding).
 */
#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_conv2d_f32(const tart_conv_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  const float *input = (const float *)in[0];
  const float *filter = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *output = (float *)out[0];
  (void)scratch;
  if (p->groups <= 0 || p->out_c % p->groups != 0 || p->filter_c * p->groups != p->in_c)
    return TART_ERR_PARAMS;
  const int32_t per_group = p->out_c / p->groups;
  const int32_t filter_elems = p->win.filter_h * p->win.filter_w * p->filter_c;
  const int32_t in_row = p->in_w * p->in_c;
  const int32_t in_image = p->in_h * in_row;

  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * in_image;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h;
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->win.stride_w - p->win.pad_w;
        float *o = output + ((b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (int32_t oc = 0, g = 0; g < p->groups; g++) {
          const float *in_g = in_b + g * p->filter_c;
          for (int32_t j = 0; j < per_group; j++, oc++) {
            const float *f = filter + oc * filter_elems;
            float total = 0.0f;
            for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
              const int32_t iy = iy0 + p->win.dilation_h * fy;
              if (iy < 0 || iy >= p->in_h)
                continue;
              for (int32_t fx = 0; fx < p->win.filter_w; fx++) {
                const int32_t ix = ix0 + p->win.dilation_w * fx;
                if (ix < 0 || ix >= p->in_w)
                  continue;
                const float *x = in_g + iy * in_row + ix * p->in_c;
                const float *w = f + (fy * p->win.filter_w + fx) * p->filter_c;
                for (int32_t ic = 0; ic < p->filter_c; ic++)
                  total += x[ic] * w[ic];
              }
            }
            const float bias_value = bias ? bias[oc] : 0.0f;
            o[oc] = tart_clamp_f32(total + bias_value, p->clamp.min_f32, p->clamp.max_f32);
          }
        }
      }
    }
  }
  return TART_OK;
}
