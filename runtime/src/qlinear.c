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

/* round_even_bounded(v) for |v| < 127, without a branch: g = v * 2^24 fits int32 and is
 * exact whenever |v| >= 1/2 (v's last bit is worth at least 2^-24 there), so g / 2^24 rounded
 * half to even is the answer; for |v| < 1/2 the truncated g stays inside (-2^23, 2^23) and
 * gives 0, the right answer too. With g = q * 2^24 + m (0 <= m < 2^24, q = g >> 24 the floor),
 * (g + 2^23 - 1 + (q & 1)) >> 24 is q for m < 2^23, q + 1 for m > 2^23, and on a tie
 * (m = 2^23) q plus q's parity: the even one of q and q + 1. |g| < 127 * 2^24 keeps that sum
 * below 2^31. On the Cortex-M4 the scaling and the truncation are one VCVT (fixed point, 24
 * fraction bits). */
static inline int32_t round_even_small(float v) {
  const int32_t g = (int32_t)(v * 16777216.0f);
  return (int32_t)((uint32_t)g + 0x7fffffu + (uint32_t)((g >> 24) & 1)) >> 24;
}

/* The saturation to T's range: SSAT/USAT on Armv7-M (one instruction). */
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
#include <arm_acle.h>
#define TART_SAT_S(v, bits) __ssat((v), (bits))
#define TART_SAT_U(v, bits) ((int32_t)__usat((v), (bits)))
#else
#define TART_SAT_S(v, bits) tart_clamp_i32((v), -(1 << ((bits)-1)), (1 << ((bits)-1)) - 1)
#define TART_SAT_U(v, bits) tart_clamp_i32((v), 0, (1 << (bits)) - 1)
#endif

/* Elements [i, end) of one channel (scale s, zero point zp), CLAMP(v) bounding the result.
 * Element i belongs to channel (i / inner) % channels, so a channel's run is a block of
 * `inner` elements starting at a multiple of inner (the whole array per tensor). */
#define TART_QUANTIZE_RUN(T, CLAMP)                                                                \
  for (; i < end; i++) {                                                                           \
    const float v = x[i] / s;                                                                      \
    /* Bounds wide enough that the clamp after adding the zero point decides. */                   \
    const int32_t q =                                                                              \
        fabsf(v) < 127.0f ? round_even_small(v) : round_even_bounded(v, -(1 << 20), 1 << 20);      \
    y[i] = (T)CLAMP(tart_wrap_add(q, zp));                                                         \
  }

#define TART_QUANTIZE(name, T, SAT)                                                                \
  tart_status tart_##name(const tart_qlinear_params *p, const void *const *in, void *const *out,   \
                          void *scratch) {                                                         \
    const float *x = (const float *)in[0];                                                         \
    T *y = (T *)out[0];                                                                            \
    const int32_t n = p->n_elems, lo = p->qmin, hi = p->qmax;                                      \
    (void)scratch;                                                                                 \
    if (!valid(p) || !p->scale || !p->zp)                                                          \
      return TART_ERR_PARAMS;                                                                      \
    /* The type's own range (always, from the compiler) saturates in one instruction. */           \
    const int full = lo == SAT(INT32_MIN) && hi == SAT(INT32_MAX);                                 \
    for (int32_t i = 0, c = 0; i < n; c = c + 1 == p->channels ? 0 : c + 1) {                      \
      const int32_t end = p->channels == 1 || n - i <= p->inner ? n : i + p->inner;                \
      const float s = p->scale[c];                                                                 \
      const int32_t zp = p->zp[c];                                                                 \
      if (full) {                                                                                  \
        TART_QUANTIZE_RUN(T, SAT)                                                                  \
      } else {                                                                                     \
        TART_QUANTIZE_RUN(T, TART_CLAMP_LH)                                                        \
      }                                                                                            \
    }                                                                                              \
    return TART_OK;                                                                                \
  }

#define TART_CLAMP_LH(v) tart_clamp_i32((v), lo, hi)
#define TART_SAT_S8(v) TART_SAT_S((v), 8)
#define TART_SAT_U8(v) TART_SAT_U((v), 8)
#define TART_SAT_S16(v) TART_SAT_S((v), 16)
#define TART_SAT_U16(v) TART_SAT_U((v), 16)

TART_QUANTIZE(quantize_linear_f32_s8, int8_t, TART_SAT_S8)
TART_QUANTIZE(quantize_linear_f32_u8, uint8_t, TART_SAT_U8)
TART_QUANTIZE(quantize_linear_f32_s16, int16_t, TART_SAT_S16)
TART_QUANTIZE(quantize_linear_f32_u16, uint16_t, TART_SAT_U16)

#define TART_DEQUANTIZE(name, T)                                                                   \
  tart_status tart_##name(const tart_qlinear_params *p, const void *const *in, void *const *out,   \
                          void *scratch) {                                                         \
    const T *x = (const T *)in[0];                                                                 \
    float *y = (float *)out[0];                                                                    \
    (void)scratch;                                                                                 \
    if (!valid(p) || !p->scale || !p->zp)                                                          \
      return TART_ERR_PARAMS;                                                                      \
    const int32_t n = p->n_elems;                                                                  \
    /* Channel runs, as in TART_QUANTIZE. */                                                       \
    for (int32_t i = 0, c = 0; i < n; c = c + 1 == p->channels ? 0 : c + 1) {                      \
      const int32_t end = p->channels == 1 || n - i <= p->inner ? n : i + p->inner;                \
      const float s = p->scale[c], z = (float)p->zp[c];                                            \
      for (; i < end; i++)                                                                         \
        y[i] = ((float)x[i] - z) * s;                                                              \
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
    const int32_t n = p->n_elems;                                                                  \
    for (int32_t i = 0, c = 0; i < n; c = c + 1 == p->channels ? 0 : c + 1) {                      \
      const int32_t end = p->channels == 1 || n - i <= p->inner ? n : i + p->inner;                \
      const int32_t m = p->mult[c], sl = p->shift_left[c], zp = p->zp[c];                          \
      for (; i < end; i++)                                                                         \
        y[i] = (T)tart_clamp_i32(tart_wrap_add(tart_mul_by_quantized_mult(x[i], m, sl), zp),       \
                                 p->qmin, p->qmax);                                                \
    }                                                                                              \
    return TART_OK;                                                                                \
  }

TART_REQUANTIZE(requantize_s32_s8, int8_t)
TART_REQUANTIZE(requantize_s32_u8, uint8_t)
