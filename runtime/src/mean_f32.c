/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mean_f32.c: float32 MEAN over any axes, in the order of TFLite's reference kernel: each
 * output sums its reduced elements in increasing input order starting from 0.0f, then divides
 * by their count (as a float).
 */
#include "tart.h"

tart_status tart_mean_f32(const tart_mean_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const float *input = (const float *)in[0];
  float *o = (float *)out[0];
  const int32_t *kd = p->kept_dims, *ks = p->kept_strides;
  const int32_t *rd = p->red_dims, *rs = p->red_strides;
  const float count = (float)p->n_reduced;
  (void)scratch;
  if (p->n_reduced <= 0)
    return TART_ERR_PARAMS;
  for (int32_t k0 = 0; k0 < kd[0]; k0++)
    for (int32_t k1 = 0; k1 < kd[1]; k1++)
      for (int32_t k2 = 0; k2 < kd[2]; k2++)
        for (int32_t k3 = 0; k3 < kd[3]; k3++) {
          const float *base = input + k0 * ks[0] + k1 * ks[1] + k2 * ks[2] + k3 * ks[3];
          float sum = 0.0f;
          for (int32_t r0 = 0; r0 < rd[0]; r0++)
            for (int32_t r1 = 0; r1 < rd[1]; r1++)
              for (int32_t r2 = 0; r2 < rd[2]; r2++) {
                const float *row = base + r0 * rs[0] + r1 * rs[1] + r2 * rs[2];
                for (int32_t r3 = 0; r3 < rd[3]; r3++)
                  sum += row[r3 * rs[3]];
              }
          *o++ = sum / count;
        }
  return TART_OK;
}
