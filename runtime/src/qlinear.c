/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qlinear.c: ONNX QuantizeLinear / DequantizeLinear and int32 requantization, per tensor or
 * per channel (see defs/qlinear.def).
 *
 * Quantization rounds half to even without depending on the floating-point environment: the
 * fraction above floor(v) is exact in float, so comparing it with 0.5 decides every case.
 * Values are bounded before the conversion to an integer (an out-of-range float to int
 * conversion is undefined in C).
 */
#include <math.h>

#include "tart.h"
#include "tart_fixedpoint.h"

static int valid(const tart_qlinear_params *p) {
  return p->n_elems >= 0 && p->channels >= 1 && p->inner >= 1;
}

/* round(v) with ties to even, then bounded to [lo, hi] (NaN goes to 0 before the bounds). */
static int32_t round_even_bounded(float v, int32_t lo, int32_t hi) {
  if (v != v)
    v = 0.0f;
  if (v < (float)lo)
    return lo;
  if (v > (float)hi)
    return hi;
  float f = floorf(v);
  const float frac = v - f;
  if (frac > 0.5f || (frac == 0.5f && fmodf(f, 2.0f) != 0.0f))
    f += 1.0f;
  return (int32_t)f;
}

#define TART_QUANTIZE(name, T)                                                                     \
  tart_status tart_##name(const tart_qlinear_params *p, const void *const *in, void *const *out,   \
                          void *scratch) {                                                         \
    const float *x = (const float *)in[0];                                                         \
    T *y = (T *)out[0];                                                                            \
    (void)scratch;                                                                                 \
    if (!valid(p) || !p->scale || !p->zp)                                                          \
      return TART_ERR_PARAMS;                                                                      \
    for (int32_t i = 0; i < p->n_elems; i++) {                                                     \
      const int32_t c = (i / p->inner) % p->channels;                                              \
      /* Bounds wide enough that the clamp after adding the zero point decides. */                 \
      const int32_t q = round_even_bounded(x[i] / p->scale[c], -(1 << 20), 1 << 20);               \
      y[i] = (T)tart_clamp_i32(tart_wrap_add(q, p->zp[c]), p->qmin, p->qmax);                      \
    }                                                                                              \
    return TART_OK;                                                                                \
  }

TART_QUANTIZE(quantize_linear_f32_s8, int8_t)
TART_QUANTIZE(quantize_linear_f32_u8, uint8_t)
TART_QUANTIZE(quantize_linear_f32_s16, int16_t)
TART_QUANTIZE(quantize_linear_f32_u16, uint16_t)

#define TART_DEQUANTIZE(name, T)                                                                   \
  tart_status tart_##name(const tart_qlinear_params *p, const void *const *in, void *const *out,   \
                          void *scratch) {                                                         \
    const T *x = (const T *)in[0];                                                                 \
    float *y = (float *)out[0];                                                                    \
    (void)scratch;                                                                                 \
    if (!valid(p) || !p->scale || !p->zp)                                                          \
      return TART_ERR_PARAMS;                                                                      \
    for (int32_t i = 0; i < p->n_elems; i++) {                                                     \
      const int32_t c = (i / p->inner) % p->channels;                                              \
      y[i] = ((float)x[i] - (float)p->zp[c]) * p->scale[c];                                        \
    }                                                                                              \
    return TART_OK;                                                                                \
  }

TART_DEQUANTIZE(dequantize_linear_s8_f32, int8_t)
TART_DEQUANTIZE(dequantize_linear_u8_f32, uint8_t)
TART_DEQUANTIZE(dequantize_linear_s16_f32, int16_t)
TART_DEQUANTIZE(dequantize_linear_u16_f32, uint16_t)
TART_DEQUANTIZE(dequantize_linear_s32_f32, int32_t)

#define TART_REQUANTIZE(name, T)                                                                   \
  tart_status tart_##name(const tart_qlinear_params *p, const void *const *in, void *const *out,   \
                          void *scratch) {                                                         \
    const int32_t *x = (const int32_t *)in[0];                                                     \
    T *y = (T *)out[0];                                                                            \
    (void)scratch;                                                                                 \
    if (!valid(p) || !p->mult || !p->shift_left || !p->zp)                                         \
      return TART_ERR_PARAMS;                                                                      \
    for (int32_t c = 0; c < p->channels; c++)                                                      \
      if (p->shift_left[c] < -31 || p->shift_left[c] > 31)                                         \
        return TART_ERR_PARAMS;                                                                    \
    for (int32_t i = 0; i < p->n_elems; i++) {                                                     \
      const int32_t c = (i / p->inner) % p->channels;                                              \
      const int32_t v =                                                                            \
          tart_wrap_add(tart_mul_by_quantized_mult(x[i], p->mult[c], p->shift_left[c]), p->zp[c]); \
      y[i] = (T)tart_clamp_i32(v, p->qmin, p->qmax);                                               \
    }                                                                                              \
    return TART_OK;                                                                                \
  }

TART_REQUANTIZE(requantize_s32_s8, int8_t)
TART_REQUANTIZE(requantize_s32_u8, uint8_t)
