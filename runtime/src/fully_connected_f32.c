/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected_f32.c: float fully connected layer, following TFLite's reference kernel
 * (reference_ops::FullyConnected) term for term: each output sums x[d] * w[c][d] in float
 * for d = 0.. from 0, adds the bias last, then clamps.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_fully_connected_f32(const tart_fc_params *p, const void *const *in,
                                     void *const *out, void *scratch) {
  const float *input = (const float *)in[0];
  const float *weights = (const float *)in[1];
  const float *bias = (const float *)in[2];
  float *output = (float *)out[0];
  (void)scratch;

  for (int32_t b = 0; b < p->batches; b++) {
    const float *x = input + b * p->accum_depth;
    float *o = output + b * p->out_c;
    for (int32_t c = 0; c < p->out_c; c++) {
      const float *w = weights + c * p->accum_depth;
      float total = 0.0f;
      for (int32_t d = 0; d < p->accum_depth; d++)
        total += x[d] * w[d];
      const float bias_value = bias ? bias[c] : 0.0f;
      o[c] = tart_clamp_f32(total + bias_value, p->clamp.min_f32, p->clamp.max_f32);
    }
  }
  return TART_OK;
}
