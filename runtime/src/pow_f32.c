/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pow_f32.c: POW (ONNX Pow), float32 with numpy broadcasting: out = powf(a, b), as TFLite's
 * reference Pow. Its own file, so that binary.c (which int8 models ship) needs no libm. The
 * walk over the output is binary.c's: rows of out_dims[5] elements, operand offsets advanced
 * by their strides (0 along a broadcast dim).
 */
#include <math.h>

#include "tart.h"

tart_status tart_pow_f32(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const float *a = (const float *)in[0];
  const float *b = (const float *)in[1];
  float *o = (float *)out[0];
  (void)scratch;
  if (!p->broadcast) {
    if (p->n_elems < 0)
      return TART_ERR_PARAMS;
    for (int32_t i = 0; i < p->n_elems; i++)
      o[i] = powf(a[i], b[i]);
    return TART_OK;
  }
  const int32_t *d = p->out_dims, *s1 = p->in1_strides, *s2 = p->in2_strides;
  int32_t rows = 1;
  for (int k = 0; k < 6; k++)
    if (d[k] < 0)
      return TART_ERR_PARAMS;
  for (int k = 0; k < 5; k++)
    rows *= d[k];
  int32_t idx[5] = {0, 0, 0, 0, 0};
  int32_t ia = 0, ib = 0;
  for (int32_t r = 0; r < rows; r++) {
    for (int32_t i = 0; i < d[5]; i++)
      *o++ = powf(a[ia + i * s1[5]], b[ib + i * s2[5]]);
    for (int k = 4; k >= 0; k--) {
      ia += s1[k];
      ib += s2[k];
      if (++idx[k] < d[k])
        break;
      ia -= s1[k] * d[k];
      ib -= s2[k] * d[k];
      idx[k] = 0;
    }
  }
  return TART_OK;
}
