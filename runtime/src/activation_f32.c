/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activation_f32.c: float32 SOFTMAX, LOGISTIC and TANH, in the order of TFLite's reference
 * kernels so results match them: softmax takes the row maximum, exp((x - max) * beta) with
 * expf, their sum, then divides; logistic is 1/(1+exp(-x)) between the reference's cutoffs
 * (1 above 16.619047, exp(x) below -9); tanh is tanhf.
 */
#include <float.h>
#include <math.h>

#include "tart.h"

tart_status tart_softmax_f32(const tart_softmax_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t depth = p->depth;
  (void)scratch;
  for (int32_t r = 0; r < p->rows; r++) {
    const float *x = input + r * depth;
    float *o = output + r * depth;
    float max = -FLT_MAX;
    for (int32_t c = 0; c < depth; c++)
      if (max < x[c])
        max = x[c];
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; c++) {
      o[c] = expf((x[c] - max) * p->beta);
      sum += o[c];
    }
    for (int32_t c = 0; c < depth; c++)
      o[c] = o[c] / sum;
  }
  return TART_OK;
}

tart_status tart_logistic_f32(const tart_sigmoid_params *p, const void *const *in, void *const *out,
                              void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const float cutoff_upper = 16.619047164916992188f;
  const float cutoff_lower = -9.0f;
  (void)scratch;
  for (int32_t i = 0; i < p->n_elems; i++) {
    const float v = input[i];
    if (v > cutoff_upper)
      output[i] = 1.0f;
    else if (v < cutoff_lower)
      output[i] = expf(v);
    else
      output[i] = 1.0f / (1.0f + expf(-v));
  }
  return TART_OK;
}

tart_status tart_tanh_f32(const tart_sigmoid_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  (void)scratch;
  for (int32_t i = 0; i < p->n_elems; i++)
    output[i] = tanhf(input[i]);
  return TART_OK;
}

/* TFLite's reference HardSwish: in * min(6, max(0, in + 3)) / 6, in this order. */
tart_status tart_hard_swish_f32(const tart_hard_swish_params *p, const void *const *in,
                                void *const *out, void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++) {
    const float r = x[i] + 3.0f;
    const float c = r > 0.0f ? (r < 6.0f ? r : 6.0f) : 0.0f;
    y[i] = x[i] * c / 6.0f;
  }
  return TART_OK;
}

/* ONNX HardSigmoid: max(0, min(1, alpha * x + beta)). */
tart_status tart_hard_sigmoid_f32(const tart_hard_swish_params *p, const void *const *in,
                                  void *const *out, void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++) {
    const float v = p->alpha * x[i] + p->beta;
    y[i] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
  }
  return TART_OK;
}

/* TFLite's reference LogSoftmax (float): per row the maximum (from the lowest float), the sum
 * of expf(x - max) from 0, then x - max - logf(sum). */
tart_status tart_log_softmax_f32(const tart_softmax_params *p, const void *const *in,
                                 void *const *out, void *scratch) {
  const float *input = (const float *)in[0];
  float *output = (float *)out[0];
  const int32_t depth = p->depth;
  (void)scratch;
  for (int32_t r = 0; r < p->rows; r++) {
    const float *x = input + r * depth;
    float *o = output + r * depth;
    float max = -FLT_MAX;
    for (int32_t c = 0; c < depth; c++)
      max = max < x[c] ? x[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; c++)
      sum += expf(x[c] - max);
    const float log_sum = logf(sum);
    for (int32_t c = 0; c < depth; c++)
      o[c] = x[c] - max - log_sum;
  }
  return TART_OK;
}
