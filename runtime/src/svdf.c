/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svdf.c: TFLite's SVDF, float and integer, as TFLM's reference kernels compute it
 * (defs/recurrent.def states the step). The per-filter time products are summed into their
 * unit right away instead of going through TFLM's scratch vectors: the order of the additions
 * is the same (bias, then filter u*rank, u*rank+1, ...), so no scratch memory is needed and
 * the float results are those of the reference.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

#include <string.h>

/* Step 1 on a state of n elements of elem_bytes each: everything one element down. */
static void shift_state(void *state, int32_t n, size_t elem_bytes) {
  if (n > 1)
    memmove(state, (uint8_t *)state + elem_bytes, (size_t)(n - 1) * elem_bytes);
}

tart_status tart_svdf_f32(const tart_svdf_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const float *input = (const float *)in[0];
  const float *wf = (const float *)in[1];
  const float *wt = (const float *)in[2];
  const float *bias = (const float *)in[3];
  float *output = (float *)out[0];
  float *state = (float *)out[1];
  const int32_t nm = p->n_memory, nf = p->n_filters;
  (void)scratch;
  if (p->rank < 1 || nf != p->n_units * p->rank || nm < 1)
    return TART_ERR_PARAMS;
  shift_state(state, p->batches * nf * nm, sizeof(float));
  for (int32_t b = 0; b < p->batches; b++) {
    const float *x = input + b * p->in_size;
    float *s = state + b * nf * nm;
    for (int32_t f = 0; f < nf; f++) {
      const float *w = wf + f * p->in_size;
      float dot = 0.0f;
      for (int32_t k = 0; k < p->in_size; k++)
        dot += w[k] * x[k];
      s[f * nm + nm - 1] = dot;
    }
    for (int32_t u = 0; u < p->n_units; u++) {
      float acc = bias ? bias[u] : 0.0f;
      for (int32_t r = 0; r < p->rank; r++) {
        const int32_t f = u * p->rank + r;
        float dot = 0.0f;
        for (int32_t j = 0; j < nm; j++)
          dot += wt[f * nm + j] * s[f * nm + j];
        acc += dot;
      }
      output[b * p->n_units + u] = tart_clamp_f32(acc, p->clamp.min_f32, p->clamp.max_f32);
    }
  }
  return TART_OK;
}

/* State element i as int32, of an int16 or int8 state. */
static int32_t state_get(const void *state, int32_t bits, int32_t i) {
  return bits == 16 ? (int32_t)((const int16_t *)state)[i] : (int32_t)((const int8_t *)state)[i];
}

tart_status tart_svdf_s8(const tart_svdf_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *wf = (const int8_t *)in[1];
  const void *wt = in[2];
  const int32_t *bias = (const int32_t *)in[3];
  int8_t *output = (int8_t *)out[0];
  void *state = out[1];
  const int32_t nm = p->n_memory, nf = p->n_filters, bits = p->state_bits;
  (void)scratch;
  if (p->rank < 1 || nf != p->n_units * p->rank || nm < 1 || (bits != 8 && bits != 16) ||
      p->rq.n_mult != 1)
    return TART_ERR_PARAMS;
  const int32_t smin = bits == 16 ? INT16_MIN : INT8_MIN, smax = bits == 16 ? INT16_MAX : INT8_MAX;
  shift_state(state, p->batches * nf * nm, bits == 16 ? sizeof(int16_t) : sizeof(int8_t));
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *x = input + b * p->in_size;
    const int32_t s0 = b * nf * nm;
    for (int32_t f = 0; f < nf; f++) {
      const int8_t *w = wf + f * p->in_size;
      int32_t dot = 0;
      for (int32_t k = 0; k < p->in_size; k++)
        dot += (int32_t)w[k] * ((int32_t)x[k] + p->in_neg_zp);
      /* The zero point goes on before the saturation, so a sum past the state's range
       * saturates instead of wrapping. */
      int32_t v = tart_mul_by_quantized_mult(dot, p->feature_mult, p->feature_shift_left);
      v = tart_clamp_i32(tart_wrap_add(v, p->state_zp), smin, smax);
      const int32_t i = s0 + f * nm + nm - 1;
      if (bits == 16)
        ((int16_t *)state)[i] = (int16_t)v;
      else
        ((int8_t *)state)[i] = (int8_t)v;
    }
    for (int32_t u = 0; u < p->n_units; u++) {
      int32_t acc = bias ? bias[u] : 0;
      for (int32_t r = 0; r < p->rank; r++) {
        const int32_t f = u * p->rank + r;
        int32_t dot = 0;
        for (int32_t j = 0; j < nm; j++) {
          const int32_t w = state_get(wt, bits, f * nm + j);
          const int32_t sv = state_get(state, bits, s0 + f * nm + j) - p->state_zp;
          dot = tart_wrap_add(dot, w * sv);
        }
        acc = tart_wrap_add(acc, dot);
      }
      int32_t v = tart_mul_by_quantized_mult(acc, p->rq.mult[0], p->rq.shift_left[0]);
      v = tart_clamp_i32(tart_wrap_add(v, p->rq.out_zp), p->clamp.min, p->clamp.max);
      output[b * p->n_units + u] = (int8_t)v;
    }
  }
  return TART_OK;
}
