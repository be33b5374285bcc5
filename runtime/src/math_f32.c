/* SPDX-License-Identifier: Apache-2.0 */
/*
 * math_f32.c: float32 pointwise math, as TFLite's reference kernels (elementwise.cc, neg.cc,
 * exp.cc, log): NEG -x, ABS fabsf, SQRT sqrtf, RSQRT 1 / sqrtf(x), EXP expf, LOG logf; and ERF
 * erff (ONNX Erf, which TFLite lacks).
 */
#include <math.h>

#include "tart.h"

#define TART_MATH_F32(NAME, EXPR)                                                                  \
  tart_status tart_##NAME##_f32(const tart_unary_params *p, const void *const *in,                 \
                                void *const *out, void *scratch) {                                 \
    const float *x = (const float *)in[0];                                                         \
    float *y = (float *)out[0];                                                                    \
    (void)scratch;                                                                                 \
    if (p->n_elems < 0)                                                                            \
      return TART_ERR_PARAMS;                                                                      \
    for (int32_t i = 0; i < p->n_elems; i++) {                                                     \
      const float v = x[i];                                                                        \
      y[i] = EXPR;                                                                                 \
    }                                                                                              \
    return TART_OK;                                                                                \
  }

TART_MATH_F32(neg, -v)
TART_MATH_F32(abs, fabsf(v))
TART_MATH_F32(sqrt, sqrtf(v))
TART_MATH_F32(rsqrt, 1.0f / sqrtf(v))
TART_MATH_F32(exp, expf(v))
TART_MATH_F32(log, logf(v))
TART_MATH_F32(erf, erff(v))
