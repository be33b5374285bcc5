/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_conv2d_f32.c: float depthwise convolution (NHWC, depth multiplier, dilation),
 * following TFLite's reference kernel (reference_ops::DepthwiseConv) term for term: each
 * output sums its window in float, filter row then column, from 0; bias last, then the clamp.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

/* One output value: channel oc (reading input channel ic) at (oy, ox) of image in_b, summed
 * in the reference kernel's order. */
static float dw_point(const tart_dwconv_params *p, const float *in_b, const float *filter,
                      const float *bias, int32_t oy, int32_t ox, int32_t ic, int32_t oc) {
  const int32_t in_row = p->in_w * p->in_c;
  const int32_t filter_row = p->win.filter_w * p->out_c;
  const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h;
  const int32_t ix0 = ox * p->win.stride_w - p->win.pad_w;
  float total = 0.0f;
  for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
    const int32_t iy = iy0 + p->win.dilation_h * fy;
    if (iy < 0 || iy >= p->in_h)
      continue;
    const float *x_row = in_b + iy * in_row + ic;
    const float *w_row = filter + fy * filter_row + oc;
    for (int32_t fx = 0; fx < p->win.filter_w; fx++) {
      const int32_t ix = ix0 + p->win.dilation_w * fx;
      if (ix < 0 || ix >= p->in_w)
        continue;
      total += x_row[ix * p->in_c] * w_row[fx * p->out_c];
    }
  }
  const float bias_value = bias ? bias[oc] : 0.0f;
  return tart_clamp_f32(total + bias_value, p->clamp.min_f32, p->clamp.max_f32);
}

tart_status tart_depthwise_conv2d_f32(const tart_dwconv_params *p, const void *const *in,
                                      void *const *out, void *scratch) {
  const float *input = (const float *)in[0];
  const float *filter = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *output = (float *)out[0];
  (void)scratch;
  if (p->in_c * p->depth_mult != p->out_c)
    return TART_ERR_PARAMS;
  const int32_t in_image = p->in_h * p->in_w * p->in_c;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * in_image;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        float *o = output + ((b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (int32_t oc = 0, ic = 0; ic < p->in_c; ic++)
          for (int32_t m = 0; m < p->depth_mult; m++, oc++)
            o[oc] = dw_point(p, in_b, filter, bias, oy, ox, ic, oc);
      }
    }
  }
  return TART_OK;
}

/* In place, channel by channel through a one-plane scratch: see depthwise_conv2d_s8.c. */
size_t tart_depthwise_conv2d_f32_inplace_scratch_size(const tart_dwconv_params *p) {
  return (size_t)p->out_h * (size_t)p->out_w * sizeof(float);
}

tart_status tart_depthwise_conv2d_f32_inplace(const tart_dwconv_params *p, const void *const *in,
                                              void *const *out, void *scratch) {
  const float *input = (const float *)in[0];
  const float *filter = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *output = (float *)out[0];
  float *plane = (float *)scratch;
  if (p->depth_mult != 1 || p->in_c != p->out_c || p->in_h != p->out_h || p->in_w != p->out_w ||
      plane == NULL)
    return TART_ERR_PARAMS;
  const int32_t pixels = p->out_h * p->out_w;
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in_b = input + b * pixels * p->in_c;
    float *out_b = output + b * pixels * p->out_c;
    for (int32_t c = 0; c < p->in_c; c++) {
      for (int32_t oy = 0; oy < p->out_h; oy++)
        for (int32_t ox = 0; ox < p->out_w; ox++)
          plane[oy * p->out_w + ox] = dw_point(p, in_b, filter, bias, oy, ox, c, c);
      for (int32_t i = 0; i < pixels; i++)
        out_b[i * p->out_c + c] = plane[i];
    }
  }
  return TART_OK;
}
