/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_s8.c: int8 2-D convolution (NHWC, grouped), bit-exact with TFLite's reference
 * integer kernel (reference_integer_ops::ConvPerChannel).
 *
 * Each output is sum(filter * (input + in_neg_zp)) over the window in int32, plus the
 * bias, requantized by its channel's (mult, shift_left), plus out_zp, clamped.
 * Window taps outside the input are skipped, which is padding with the input zero point.
 * The int32 accumulator cannot overflow while KH*KW*filter_c <= 2^16 (|product| <= 2^15),
 * the same bound the reference relies on.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_conv2d_s8(const tart_conv_params *p, const void *const *in, void *const *out,
                           void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *filter = (const int8_t *)in[1];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  (void)scratch;
  if (p->groups <= 0 || p->out_c % p->groups != 0 || p->filter_c * p->groups != p->in_c ||
      (p->rq.n_mult != 1 && p->rq.n_mult != p->out_c))
    return TART_ERR_PARAMS;
  const int32_t per_group = p->out_c / p->groups;
  /* Per-tensor weights carry one multiplier for every channel. */
  const int32_t mult_step = p->rq.n_mult == 1 ? 0 : 1;
  const int32_t filter_elems = p->win.filter_h * p->win.filter_w * p->filter_c;
  const int32_t in_row = p->in_w * p->in_c;
  const int32_t in_image = p->in_h * in_row;

  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + b * in_image;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->win.stride_h - p->win.pad_h;
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->win.stride_w - p->win.pad_w;
        int8_t *o = output + ((b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (int32_t oc = 0, g = 0; g < p->groups; g++) {
          const int8_t *in_g = in_b + g * p->filter_c;
          for (int32_t j = 0; j < per_group; j++, oc++) {
            const int8_t *f = filter + oc * filter_elems;
            int32_t acc = 0;
            for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
              const int32_t iy = iy0 + p->win.dilation_h * fy;
              if (iy < 0 || iy >= p->in_h)
                continue;
              for (int32_t fx = 0; fx < p->win.filter_w; fx++) {
                const int32_t ix = ix0 + p->win.dilation_w * fx;
                if (ix < 0 || ix >= p->in_w)
                  continue;
                const int8_t *x = in_g + iy * in_row + ix * p->in_c;
                const int8_t *w = f + (fy * p->win.filter_w + fx) * p->filter_c;
                for (int32_t ic = 0; ic < p->filter_c; ic++)
                  acc = tart_wrap_add(acc, (int32_t)w[ic] * ((int32_t)x[ic] + p->in_neg_zp));
              }
            }
            if (bias)
              acc = tart_wrap_add(acc, bias[oc]);
            const int32_t k = oc * mult_step;
            acc = tart_mul_by_quantized_mult(acc, p->rq.mult[k], p->rq.shift_left[k]);
            acc = tart_wrap_add(acc, p->rq.out_zp);
            o[oc] = (int8_t)tart_clamp_i32(acc, p->clamp.min, p->clamp.max);
          }
        }
      }
    }
  }
  return TART_OK;
}
