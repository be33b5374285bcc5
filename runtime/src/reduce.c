/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reduce.c: REDUCE_MAX, REDUCE_MIN (int8 and float32) and SUM (float32) over any axes, with
 * MEAN's parameters (defs/pool.def: at most 4 kept and 4 reduced groups of merged axes).
 * As TFLite's reference ReduceGeneric: each output starts from the reducer's identity (the
 * type's lowest value for max, its highest for min, 0 for sum) and takes the reduced elements
 * in increasing input order, max as `in > cur ? in : cur`, min as `in < cur ? in : cur` (a
 * NaN input never wins), sum as `cur + in`. int8 max and min need input and output to share
 * scale and zero point (TFLite Micro requires it), so they compare raw values.
 */
#include <float.h>

#include "tart.h"

#define TART_REDUCE(T, INIT, STEP)                                                                 \
  do {                                                                                             \
    const T *input = (const T *)in[0];                                                             \
    T *o = (T *)out[0];                                                                            \
    const int32_t *kd = p->kept_dims, *ks = p->kept_strides;                                       \
    const int32_t *rd = p->red_dims, *rs = p->red_strides;                                         \
    (void)scratch;                                                                                 \
    if (p->n_reduced <= 0)                                                                         \
      return TART_ERR_PARAMS;                                                                      \
    for (int32_t k0 = 0; k0 < kd[0]; k0++)                                                         \
      for (int32_t k1 = 0; k1 < kd[1]; k1++)                                                       \
        for (int32_t k2 = 0; k2 < kd[2]; k2++)                                                     \
          for (int32_t k3 = 0; k3 < kd[3]; k3++) {                                                 \
            const T *base = input + k0 * ks[0] + k1 * ks[1] + k2 * ks[2] + k3 * ks[3];             \
            T cur = INIT;                                                                          \
            for (int32_t r0 = 0; r0 < rd[0]; r0++)                                                 \
              for (int32_t r1 = 0; r1 < rd[1]; r1++)                                               \
                for (int32_t r2 = 0; r2 < rd[2]; r2++) {                                           \
                  const T *row = base + r0 * rs[0] + r1 * rs[1] + r2 * rs[2];                      \
                  for (int32_t r3 = 0; r3 < rd[3]; r3++) {                                         \
                    const T v = row[r3 * rs[3]];                                                   \
                    cur = STEP;                                                                    \
                  }                                                                                \
                }                                                                                  \
            *o++ = cur;                                                                            \
          }                                                                                        \
    return TART_OK;                                                                                \
  } while (0)

tart_status tart_reduce_max_s8(const tart_mean_params *p, const void *const *in, void *const *out,
                               void *scratch) {
  TART_REDUCE(int8_t, INT8_MIN, v > cur ? v : cur);
}
tart_status tart_reduce_min_s8(const tart_mean_params *p, const void *const *in, void *const *out,
                               void *scratch) {
  TART_REDUCE(int8_t, INT8_MAX, v < cur ? v : cur);
}
tart_status tart_reduce_max_f32(const tart_mean_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  TART_REDUCE(float, -FLT_MAX, v > cur ? v : cur);
}
tart_status tart_reduce_min_f32(const tart_mean_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  TART_REDUCE(float, FLT_MAX, v < cur ? v : cur);
}
tart_status tart_sum_f32(const tart_mean_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  TART_REDUCE(float, 0.0f, cur + v);
}
