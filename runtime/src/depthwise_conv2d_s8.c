/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_conv2d_s8.c: int8 depthwise convolution (NHWC, depth multiplier, dilation),
 * bit-exact with TFLite's reference integer kernel (reference_integer_ops::
 * DepthwiseConvPerChannel).
 *
 * Output channel c*depth_mult+m sees input channel c only: sum(filter * (input +
 * in_neg_zp)) over the window in int32, plus the bias, requantized by that channel's
 * (mult, shift_left), plus out_zp, clamped. Taps outside the input are skipped.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

/* One output value: channel oc (reading input channel ic) at (oy, ox) of image in_b. */
static int8_t dw_point(const tart_dwconv_params *p, const int8_t *in_b, const int8_t *filter,
                       const int32_t *bias, int32_t oy, int32_t ox, int32_t ic, int32_t oc) {
  const int32_t in_row = p->in_w * p->in_c;
  const int32_t filter_row = p->win.filter_w * p->out_c;
  const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h;
  const int32_t ix0 = ox * p->win.stride_w - p->win.pad_w;
  int32_t acc = 0;
  for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
    const int32_t iy = iy0 + p->win.dilation_h * fy;
    if (iy < 0 || iy >= p->in_h)
      continue;
    const int8_t *x_row = in_b + iy * in_row + ic;
    const int8_t *w_row = filter + fy * filter_row + oc;
    for (int32_t fx = 0; fx < p->win.filter_w; fx++) {
      const int32_t ix = ix0 + p->win.dilation_w * fx;
      if (ix < 0 || ix >= p->in_w)
        continue;
      acc = tart_wrap_add(acc, (int32_t)w_row[fx * p->out_c] *
                                   ((int32_t)x_row[ix * p->in_c] + p->in_neg_zp));
    }
  }
  if (bias)
    acc = tart_wrap_add(acc, bias[oc]);
  /* Per-tensor weights carry one multiplier for every channel. */
  const int32_t k = p->rq.n_mult == 1 ? 0 : oc;
  acc = tart_mul_by_quantized_mult(acc, p->rq.mult[k], p->rq.shift_left[k]);
  acc = tart_wrap_add(acc, p->rq.out_zp);
  return (int8_t)tart_clamp_i32(acc, p->clamp.min, p->clamp.max);
}

tart_status tart_depthwise_conv2d_s8(const tart_dwconv_params *p, const void *const *in,
                                     void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *filter = (const int8_t *)in[1];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  (void)scratch;
  if (p->in_c * p->depth_mult != p->out_c || (p->rq.n_mult != 1 && p->rq.n_mult != p->out_c))
    return TART_ERR_PARAMS;
  const int32_t in_image = p->in_h * p->in_w * p->in_c;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * in_image;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        int8_t *o = output + ((b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (int32_t oc = 0, ic = 0; ic < p->in_c; ic++)
          for (int32_t m = 0; m < p->depth_mult; m++, oc++)
            o[oc] = dw_point(p, in_b, filter, bias, oy, ox, ic, oc);
      }
    }
  }
  return TART_OK;
}

/* In place (output may be the input buffer), in the manner of MIT's TinyEngine: channel by
 * channel, the whole output plane of channel c goes to scratch (out_h * out_w bytes) and is
 * then written over input channel c, which no later channel reads. Needs depth_mult 1 and
 * an output plane the size of the input plane (stride 1, SAME), so both share one layout. */
size_t tart_depthwise_conv2d_s8_inplace_scratch_size(const tart_dwconv_params *p) {
  return (size_t)p->out_h * (size_t)p->out_w;
}

tart_status tart_depthwise_conv2d_s8_inplace(const tart_dwconv_params *p, const void *const *in,
                                             void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *filter = (const int8_t *)in[1];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  int8_t *plane = (int8_t *)scratch;
  if (p->depth_mult != 1 || p->in_c != p->out_c || p->in_h != p->out_h || p->in_w != p->out_w ||
      (p->rq.n_mult != 1 && p->rq.n_mult != p->out_c) || plane == NULL)
    return TART_ERR_PARAMS;
  const int32_t pixels = p->out_h * p->out_w;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * pixels * p->in_c;
    int8_t *out_b = output + b * pixels * p->out_c;
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
