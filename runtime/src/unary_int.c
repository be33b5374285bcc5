/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unary_int.c: pointwise maps on integers without quantization (ONNX):
 *   clip_int     min(max(x, clamp.min), clamp.max), in that order, for any integer type up to
 *                32 bits (int_type; the compiler keeps the bounds inside the type's range)
 *   flip_sign_8  x ^ 0x80: a uint8 tensor with zero point z becomes the int8 tensor with zero
 *                point z - 128 and the same scale (and back), value for value
 * and TFLite's Requantize between int8, int16 and int32 (requantize_<in>_<out>).
 */
#include "tart.h"
#include "tart_fixedpoint.h"

#define TART_CLIP(T)                                                                               \
  do {                                                                                             \
    const T *x = (const T *)in[0];                                                                 \
    T *y = (T *)out[0];                                                                            \
    for (int32_t i = 0; i < p->n_elems; i++) {                                                     \
      const int64_t v = (int64_t)x[i] < lo ? lo : (int64_t)x[i];                                   \
      y[i] = (T)(v > hi ? hi : v);                                                                 \
    }                                                                                              \
  } while (0)

tart_status tart_clip_int(const tart_unary_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const int64_t lo = p->clamp.min, hi = p->clamp.max;
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  switch (p->int_type) {
  case TART_INT_I8: TART_CLIP(int8_t); break;
  case TART_INT_U8: TART_CLIP(uint8_t); break;
  case TART_INT_I16: TART_CLIP(int16_t); break;
  case TART_INT_U16: TART_CLIP(uint16_t); break;
  case TART_INT_I32: TART_CLIP(int32_t); break;
  default: return TART_ERR_PARAMS;
  }
  return TART_OK;
}

tart_status tart_flip_sign_8(const tart_unary_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  const uint8_t *x = (const uint8_t *)in[0];
  uint8_t *y = (uint8_t *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = (uint8_t)(x[i] ^ 0x80u);
  return TART_OK;
}

/* TFLite's Requantize between integer widths: out = clamp(out_zp + (in + in_neg_zp) * M), the
 * clamp the output type's range (clamp.min/max). */
#define REQUANTIZE_INT(name, in_t, out_t)                                                          \
  tart_status tart_##name(const tart_unary_params *p, const void *const *in, void *const *out,     \
                          void *scratch) {                                                         \
    const in_t *x = (const in_t *)in[0];                                                           \
    out_t *y = (out_t *)out[0];                                                                    \
    (void)scratch;                                                                                 \
    if (p->n_elems < 0 || p->shift_left < -31 || p->shift_left > 31)                               \
      return TART_ERR_PARAMS;                                                                      \
    for (int32_t i = 0; i < p->n_elems; i++) {                                                     \
      const int32_t v =                                                                            \
          tart_wrap_add(p->out_zp, tart_mul_by_quantized_mult(tart_wrap_add(x[i], p->in_neg_zp),   \
                                                              p->mult, p->shift_left));            \
      y[i] = (out_t)tart_clamp_i32(v, p->clamp.min, p->clamp.max);                                 \
    }                                                                                              \
    return TART_OK;                                                                                \
  }
REQUANTIZE_INT(requantize_s16_s8, int16_t, int8_t)
REQUANTIZE_INT(requantize_s16_s16, int16_t, int16_t)
REQUANTIZE_INT(requantize_s16_s32, int16_t, int32_t)
REQUANTIZE_INT(requantize_s8_s16, int8_t, int16_t)
REQUANTIZE_INT(requantize_s8_s32, int8_t, int32_t)
