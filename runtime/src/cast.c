/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cast.c: CAST between the numeric types (see defs/shape.def). Each element is read into
 * the widest form of its kind (int64, uint64 or double) and written in the output type. The
 * conversions C leaves undefined are given a meaning: float to integer saturates (NaN is 0),
 * integer to a narrower integer wraps (the bits are kept, as in two's complement).
 */
#include <string.h>

#include "tart.h"

/* A value read from any element type. */
typedef struct value {
  int kind; /* 0 signed in i, 1 unsigned in u, 2 float in f */
  int64_t i;
  uint64_t u;
  double f;
} value;

static value load(const void *x, int32_t type, int32_t k) {
  value v = {0, 0, 0, 0.0};
  switch (type) {
  case TART_INT_I8: v.i = ((const int8_t *)x)[k]; break;
  case TART_INT_U8: v.i = ((const uint8_t *)x)[k]; break;
  case TART_INT_I16: v.i = ((const int16_t *)x)[k]; break;
  case TART_INT_U16: v.i = ((const uint16_t *)x)[k]; break;
  case TART_INT_I32: v.i = ((const int32_t *)x)[k]; break;
  case TART_INT_U32: v.i = ((const uint32_t *)x)[k]; break;
  case TART_INT_I64: v.i = ((const int64_t *)x)[k]; break;
  case TART_INT_U64:
    v.kind = 1;
    v.u = ((const uint64_t *)x)[k];
    break;
  case TART_TYPE_BOOL: v.i = ((const uint8_t *)x)[k] != 0; break;
  default:
    v.kind = 2;
    v.f = (double)((const float *)x)[k];
    break;
  }
  return v;
}

/* The bits of v as an integer (floats truncated toward zero, saturated to [lo, hi]). */
static uint64_t int_bits(value v, double lo, double hi) {
  if (v.kind == 0)
    return (uint64_t)v.i;
  if (v.kind == 1)
    return v.u;
  if (!(v.f == v.f))
    return 0;
  if (v.f <= lo)
    return lo < 0 ? (uint64_t)(int64_t)lo : 0;
  if (v.f >= hi)
    return hi >= 18446744073709551615.0  ? UINT64_MAX
           : hi >= 9223372036854775807.0 ? (uint64_t)INT64_MAX
                                         : (uint64_t)(int64_t)hi;
  return v.f < 0 ? (uint64_t)(int64_t)v.f : (uint64_t)v.f;
}

static void store(void *y, int32_t type, int32_t k, value v) {
  switch (type) {
  case TART_INT_I8: ((int8_t *)y)[k] = (int8_t)(uint8_t)int_bits(v, -128.0, 127.0); break;
  case TART_INT_U8: ((uint8_t *)y)[k] = (uint8_t)int_bits(v, 0.0, 255.0); break;
  case TART_INT_I16: ((int16_t *)y)[k] = (int16_t)(uint16_t)int_bits(v, -32768.0, 32767.0); break;
  case TART_INT_U16: ((uint16_t *)y)[k] = (uint16_t)int_bits(v, 0.0, 65535.0); break;
  case TART_INT_I32:
    ((int32_t *)y)[k] = (int32_t)(uint32_t)int_bits(v, -2147483648.0, 2147483647.0);
    break;
  case TART_INT_U32: ((uint32_t *)y)[k] = (uint32_t)int_bits(v, 0.0, 4294967295.0); break;
  case TART_INT_I64:
    ((int64_t *)y)[k] = (int64_t)int_bits(v, -9223372036854775808.0, 9223372036854775807.0);
    break;
  case TART_INT_U64: ((uint64_t *)y)[k] = int_bits(v, 0.0, 18446744073709551615.0); break;
  case TART_TYPE_BOOL:
    ((uint8_t *)y)[k] = (uint8_t)(v.kind == 0 ? v.i != 0 : v.kind == 1 ? v.u != 0 : v.f != 0.0);
    break;
  default:
    ((float *)y)[k] = v.kind == 0 ? (float)v.i : v.kind == 1 ? (float)v.u : (float)v.f;
    break;
  }
}

tart_status tart_cast(const tart_cast_params *p, const void *const *in, void *const *out,
                      void *scratch) {
  (void)scratch;
  if (p->n_elems < 0 || p->in_type < 0 || p->in_type > TART_TYPE_BOOL || p->out_type < 0 ||
      p->out_type > TART_TYPE_BOOL)
    return TART_ERR_PARAMS;
  for (int32_t k = 0; k < p->n_elems; k++)
    store(out[0], p->out_type, k, load(in[0], p->in_type, k));
  return TART_OK;
}
