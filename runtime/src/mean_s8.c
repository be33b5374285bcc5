/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mean_s8.c: int8 MEAN over any axes, bit-exact with TensorFlow Lite Micro's reduce kernel.
 *
 * The sum of the raw int8 values of each output's group is an int32 that wraps like the
 * reference's (it cannot wrap below 2^24 reduced elements). Then, as TFLM chooses:
 *   requant 0 (input and output quantization identical): sum / count, truncating toward zero
 *             (reference_ops::Mean, no rounding and no zero point correction);
 *   requant 1: MultiplyByQuantizedMultiplier(sum - zp * count, mult, shift_left) + out_zp,
 *             clamped (reference_ops::QuantizedMeanOrSum, the 1/count folded into mult).
 */
#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_mean_s8(const tart_mean_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *o = (int8_t *)out[0];
  const int32_t *kd = p->kept_dims, *ks = p->kept_strides;
  const int32_t *rd = p->red_dims, *rs = p->red_strides;
  (void)scratch;
  if (p->n_reduced <= 0)
    return TART_ERR_PARAMS;
  for (int32_t k0 = 0; k0 < kd[0]; k0++)
    for (int32_t k1 = 0; k1 < kd[1]; k1++)
      for (int32_t k2 = 0; k2 < kd[2]; k2++)
        for (int32_t k3 = 0; k3 < kd[3]; k3++) {
          const int8_t *base = input + k0 * ks[0] + k1 * ks[1] + k2 * ks[2] + k3 * ks[3];
          uint32_t sum = 0; /* unsigned: wraps without undefined behaviour */
          for (int32_t r0 = 0; r0 < rd[0]; r0++)
            for (int32_t r1 = 0; r1 < rd[1]; r1++)
              for (int32_t r2 = 0; r2 < rd[2]; r2++) {
                const int8_t *row = base + r0 * rs[0] + r1 * rs[1] + r2 * rs[2];
                for (int32_t r3 = 0; r3 < rd[3]; r3++) {
                  const int32_t v = row[r3 * rs[3]];
                  sum += (uint32_t)v;
                }
              }
          int32_t v;
          if (!p->requant) {
            v = (int32_t)sum / p->n_reduced;
          } else {
            const int32_t shifted = (int32_t)(sum - (uint32_t)p->in_zp_times_n);
            v = tart_mul_by_quantized_mult(shifted, p->mult, p->shift_left);
            v = tart_clamp_i32(v, -128 - p->out_zp, 127 - p->out_zp) + p->out_zp;
          }
          *o++ = (int8_t)v;
        }
  return TART_OK;
}
