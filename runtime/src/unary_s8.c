/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unary_s8.c: int8 -> int8 pointwise maps. requantize_s8 is TFLite's Requantize (QUANTIZE
 * int8 -> int8, clamped to the int8 range) and ReluQuantized / ReluX (the RELU family when the
 * output scale differs from the input's, clamped to the activation range): one formula,
 *   out = clamp(out_zp + MultiplyByQuantizedMultiplier(in + in_neg_zp), clamp.min, clamp.max).
 * clamp_s8 is the same map when input and output share scale and zero point (the multiplier is
 * then exactly 1 and the offsets cancel): TFLite Micro's Relu6Quantized clamp.
 * lut_s8 maps every byte through a table the compiler filled (int8 NEG, ABS, RSQRT, ELU).
 */
#include "tart.h"
#include "tart_fixedpoint.h"

tart_status tart_requantize_s8(const tart_unary_params *p, const void *const *in, void *const *out,
                               void *scratch) {
  const int8_t *x = (const int8_t *)in[0];
  int8_t *y = (int8_t *)out[0];
  (void)scratch;
  if (p->n_elems < 0 || p->shift_left < -31 || p->shift_left > 31)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++) {
    const int32_t v = tart_wrap_add(
        p->out_zp, tart_mul_by_quantized_mult(x[i] + p->in_neg_zp, p->mult, p->shift_left));
    y[i] = (int8_t)tart_clamp_i32(v, p->clamp.min, p->clamp.max);
  }
  return TART_OK;
}

tart_status tart_clamp_s8(const tart_unary_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const int8_t *x = (const int8_t *)in[0];
  int8_t *y = (int8_t *)out[0];
  (void)scratch;
  if (p->n_elems < 0)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = (int8_t)tart_clamp_i32(x[i], p->clamp.min, p->clamp.max);
  return TART_OK;
}

tart_status tart_lut_s8(const tart_lut_params *p, const void *const *in, void *const *out,
                        void *scratch) {
  const int8_t *x = (const int8_t *)in[0];
  int8_t *y = (int8_t *)out[0];
  (void)scratch;
  if (p->n_elems < 0 || p->n_table != 256 || p->table == NULL)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++)
    y[i] = p->table[x[i] + 128];
  return TART_OK;
}
