/* SPDX-License-Identifier: Apache-2.0 */
/*
 * concat.c: CONCATENATION, int8 and float32 (TFLite's reference Concatenation: for each of
 * the `outer` rows, the rows of every input in order). int8 inputs already share the output's
 * quantization (the compiler refuses others), so values are copied unchanged; a fused
 * activation, when present, is a clamp over the finished output.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"

/* Copies the inputs; returns the number of output elements, or -1 for bad parameters. */
static int32_t concat_run(const tart_concat_params *p, const void *const *in, char *out,
                          size_t elem_bytes) {
  if (p->outer < 0 || p->n_inputs < 0 || (p->n_inputs > 0 && !p->in_rows))
    return -1;
  int32_t row_elems = 0;
  for (int32_t i = 0; i < p->n_inputs; i++) {
    if (p->in_rows[i] < 0)
      return -1;
    row_elems += p->in_rows[i];
  }
  for (int32_t q = 0; q < p->outer; q++) {
    for (int32_t i = 0; i < p->n_inputs; i++) {
      const size_t n = (size_t)p->in_rows[i] * elem_bytes;
      if (n == 0)
        continue;
      memcpy(out, (const char *)in[i] + (size_t)q * n, n);
      out += n;
    }
  }
  return p->outer * row_elems;
}

tart_status tart_concat_s8(const tart_concat_params *p, const void *const *in, void *const *out,
                           void *scratch) {
  int8_t *y = (int8_t *)out[0];
  (void)scratch;
  const int32_t n = concat_run(p, in, (char *)y, sizeof(int8_t));
  if (n < 0)
    return TART_ERR_PARAMS;
  if (p->apply_clamp)
    for (int32_t i = 0; i < n; i++)
      y[i] = (int8_t)tart_clamp_i32(y[i], p->clamp.min, p->clamp.max);
  return TART_OK;
}

tart_status tart_concat_f32(const tart_concat_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  float *y = (float *)out[0];
  (void)scratch;
  const int32_t n = concat_run(p, in, (char *)y, sizeof(float));
  if (n < 0)
    return TART_ERR_PARAMS;
  if (p->apply_clamp)
    for (int32_t i = 0; i < n; i++)
      y[i] = tart_clamp_f32(y[i], p->clamp.min_f32, p->clamp.max_f32);
  return TART_OK;
}
