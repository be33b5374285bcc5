/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_matmul.c: BATCH_MATMUL (ONNX MatMul and MatMulInteger with broadcast batch dims; see
 * defs/conv.def). Each output element sums its products in order of the inner index.
 */
#include "tart.h"

/* Calls body(a_matrix, b_matrix, out_matrix) for every output batch, in order. */
#define TART_BATCHES(TA, TB, TO, BODY)                                                             \
  do {                                                                                             \
    const TA *a = (const TA *)in[0];                                                               \
    const TB *b = (const TB *)in[1];                                                               \
    TO *o = (TO *)out[0];                                                                          \
    const int32_t *d = p->batch_dims;                                                              \
    const size_t a_mat = (size_t)p->m * (size_t)p->k, b_mat = (size_t)p->k * (size_t)p->n;         \
    const size_t o_mat = (size_t)p->m * (size_t)p->n;                                              \
    for (int32_t i0 = 0; i0 < d[0]; i0++)                                                          \
      for (int32_t i1 = 0; i1 < d[1]; i1++)                                                        \
        for (int32_t i2 = 0; i2 < d[2]; i2++)                                                      \
          for (int32_t i3 = 0; i3 < d[3]; i3++) {                                                  \
            const size_t ia = (size_t)(i0 * p->a_strides[0] + i1 * p->a_strides[1] +               \
                                       i2 * p->a_strides[2] + i3 * p->a_strides[3]);               \
            const size_t ib = (size_t)(i0 * p->b_strides[0] + i1 * p->b_strides[1] +               \
                                       i2 * p->b_strides[2] + i3 * p->b_strides[3]);               \
            const TA *am = a + ia * a_mat;                                                         \
            const TB *bm = b + ib * b_mat;                                                         \
            BODY;                                                                                  \
            o += o_mat;                                                                            \
          }                                                                                        \
  } while (0)

static int valid(const tart_matmul_params *p) {
  for (int k = 0; k < 4; k++)
    if (p->batch_dims[k] < 0 || p->a_strides[k] < 0 || p->b_strides[k] < 0)
      return 0;
  return p->m >= 0 && p->k >= 0 && p->n >= 0;
}

tart_status tart_batch_matmul_f32(const tart_matmul_params *p, const void *const *in,
                                  void *const *out, void *scratch) {
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  TART_BATCHES(float, float, float, {
    for (int32_t r = 0; r < p->m; r++)
      for (int32_t c = 0; c < p->n; c++) {
        float total = 0.0f;
        for (int32_t j = 0; j < p->k; j++)
          total += am[r * p->k + j] * bm[j * p->n + c];
        o[r * p->n + c] = total;
      }
  });
  return TART_OK;
}

tart_status tart_batch_matmul_s8s16_s32(const tart_matmul_params *p, const void *const *in,
                                        void *const *out, void *scratch) {
  (void)scratch;
  if (!valid(p))
    return TART_ERR_PARAMS;
  TART_BATCHES(int8_t, int16_t, int32_t, {
    for (int32_t r = 0; r < p->m; r++)
      for (int32_t c = 0; c < p->n; c++) {
        int32_t total = 0;
        for (int32_t j = 0; j < p->k; j++)
          total += ((int32_t)am[r * p->k + j] + p->a_neg_zp) * (int32_t)bm[j * p->n + c];
        o[r * p->n + c] = total;
      }
  });
  return TART_OK;
}
