/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected_s8.c: int8 fully connected layer, bit-exact with TFLite's reference
 * integer kernels (reference_integer_ops::FullyConnected for per-tensor weights, which
 * honours a weights zero point, and FullyConnectedPerChannel, whose weights are symmetric so
 * filter_neg_zp is 0).
 *
 * out[b][c] = clamp(requant_c(sum_d (w[c][d] + filter_neg_zp) * (x[b][d] + in_neg_zp)
 *                             + bias[c]) + out_zp)
 */
#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_fully_connected_s8(const tart_fc_params *p, const void *const *in,
                                    void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *weights = (const int8_t *)in[1];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  (void)scratch;
  if (p->rq.n_mult != 1 && p->rq.n_mult != p->out_c)
    return TART_ERR_PARAMS;
  /* Per-tensor weights carry one multiplier for every channel. */
  const int32_t mult_step = p->rq.n_mult == 1 ? 0 : 1;

  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *x = input + b * p->accum_depth;
    int8_t *o = output + b * p->out_c;
    for (int32_t c = 0; c < p->out_c; c++) {
      const int8_t *w = weights + c * p->accum_depth;
      int32_t acc = 0;
      for (int32_t d = 0; d < p->accum_depth; d++)
        acc =
            tart_wrap_add(acc, ((int32_t)w[d] + p->filter_neg_zp) * ((int32_t)x[d] + p->in_neg_zp));
      if (bias)
        acc = tart_wrap_add(acc, bias[c]);
      const int32_t k = c * mult_step;
      acc = tart_mul_by_quantized_mult(acc, p->rq.mult[k], p->rq.shift_left[k]);
      acc = tart_wrap_add(acc, p->rq.out_zp);
      o[c] = (int8_t)tart_clamp_i32(acc, p->clamp.min, p->clamp.max);
    }
  }
  return TART_OK;
}
