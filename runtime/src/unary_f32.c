/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unary_f32.c: pointwise maps with a float side: RELU / RELU6 / RELU_N1_TO_1 on float32, and
 * QUANTIZE (float32 -> int8) / DEQUANTIZE (int8 -> float32), matching TFLite's reference
 * expressions operation for operation:
 *   ReluFloat        val < 0 ? 0 : val
 *   Relu6Float etc.  val > hi ? hi : val < lo ? lo : val
 *   AffineQuantize   TfLiteRound(val / (float)scale) + zero_point, clamped; the division is in
 *                    float and TfLiteRound rounds half away from zero, as roundf does
 *   Dequantize       (float)scale * (val - zero_point), one float multiply: the exact product
 *                    rounded once, so it equals the reference's double product cast to float
 * and the ONNX maps LeakyRelu (x < 0 ? alpha * x : x) and Clip (the lower bound first, then the
 * upper one, so min > max gives max as ONNX specifies).
 */
#include <float.h>
#include <math.h>

#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_relu_f32(const tart_unary_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = x[i] < 0.0f ? 0.0f : x[i];
  return TART_OK;
}

tart_status tart_relux_f32(const tart_unary_params *p, const void *const *in, void *const *out,
                           void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  const float lo = p->clamp.min_f32, hi = p->clamp.max_f32;
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = x[i] > hi ? hi : x[i] < lo ? lo : x[i];
  return TART_OK;
}

tart_status tart_quantize_f32_s8(const tart_unary_params *p, const void *const *in,
                                 void *const *out, void *scratch) {
  const float *x = (const float *)in[0];
  int8_t *y = (int8_t *)out[0];
  (void)scratch;
  if (p->n_elems < 0 || !(p->scale > 0.0f))
    return TART_ERR_PARAMS;
  const float scale = p->scale;
  const int32_t zp = p->out_zp, lo = p->clamp.min, hi = p->clamp.max;
  for (int32_t i = 0; i < p->n_elems; i++) {
    float v = x[i] / scale;
    /* Bound v before the conversion (out-of-range float -> int is undefined): any value past
     * +-512 clamps to the same int8 limit. NaN goes to the lower limit, as x86 converts it. */
    if (!(fabsf(v) <= 512.0f))
      v = v > 0.0f ? 512.0f : -512.0f;
    /* roundf(v) (half away from zero) without the library call or a branch: g = v * 2^16
     * truncated toward zero (exact scaling; one VCVT with 16 fraction bits on the Cortex-M4)
     * is sign(v) * floor(|v| * 2^16), and for an integer M, floor(floor(y) / M) =
     * floor(y / M), so (|g| + 2^15) >> 16 = floor(|v| + 1/2). For g < 0 that is
     * -((-g + 2^15) >> 16) = (g + 2^15 - 1) >> 16 (arithmetic shift = floor), hence the
     * g >> 31 (-1 or 0) term. */
    const int32_t g = (int32_t)(v * 65536.0f);
    const int32_t r = (int32_t)((uint32_t)g + 0x8000u + (uint32_t)(g >> 31)) >> 16;
    y[i] = (int8_t)tart_clamp_i32(r + zp, lo, hi);
  }
  return TART_OK;
}

tart_status tart_dequantize_s8_f32(const tart_unary_params *p, const void *const *in,
                                   void *const *out, void *scratch) {
  const int8_t *x = (const int8_t *)in[0];
  float *y = (float *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = (float)(x[i] + p->in_neg_zp) * p->scale;
  return TART_OK;
}

tart_status tart_leaky_relu_f32(const tart_unary_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = x[i] < 0.0f ? p->alpha * x[i] : x[i];
  return TART_OK;
}

tart_status tart_clip_f32(const tart_unary_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  const float lo = p->clamp.min_f32, hi = p->clamp.max_f32;
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  const int has_lo = lo != -FLT_MAX, has_hi = hi != FLT_MAX;
  for (int32_t i = 0; i < p->n_elems; i++) {
    const float v = has_lo && x[i] < lo ? lo : x[i];
    y[i] = has_hi && v > hi ? hi : v;
  }
  return TART_OK;
}

/* ELU: TFLite's reference (val < 0 ? expm1(val) : val) with ONNX's alpha (1 in TFLite). */
tart_status tart_elu_f32(const tart_unary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = x[i] < 0.0f ? p->alpha * expm1f(x[i]) : x[i];
  return TART_OK;
}
