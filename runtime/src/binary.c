/* SPDX-License-Identifier: Apache-2.0 */
/*
 * binary.c: broadcasting ADD, SUB, MUL and DIV. int8 (quantized) ADD/MUL and float32 are
 * bit-exact with TFLite's reference kernels (reference_integer_ops AddFunc / MulElementwise,
 * reference_ops Add / Mul); integers without quantization (ONNX) wrap as numpy does.
 *
 * One walk serves every kernel: the output is written in order, one row of out_dims[5]
 * elements at a time, while an odometer over the five outer dims steps each input by its
 * stride (0 along a dim it is broadcast over). Every element depends only on its two input
 * elements, so this order gives the same bytes as TFLite's BroadcastAdd6DSlow loop nest.
 * Without broadcasting the walk is one row of n_elems with unit strides.
 */
#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_requant_fast.h"

/* One row: n outputs from a[i * sa] and b[i * sb]. */
typedef void (*row_fn)(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                       int32_t sb, void *o, int32_t n);

static tart_status walk(const tart_binary_params *p, const void *const *in, void *const *out,
                        size_t elem_bytes, row_fn row) {
  const char *a = (const char *)in[0];
  const char *b = (const char *)in[1];
  char *o = (char *)out[0];
  if (!p->broadcast) {
    if (p->n_elems < 0)
      return TART_ERR_PARAMS;
    row(p, a, 1, b, 1, o, p->n_elems);
    return TART_OK;
  }
  const int32_t *d = p->out_dims;
  const int32_t *s1 = p->in1_strides;
  const int32_t *s2 = p->in2_strides;
  int32_t rows = 1;
  for (int k = 0; k < 6; k++)
    if (d[k] < 0)
      return TART_ERR_PARAMS;
  for (int k = 0; k < 5; k++)
    rows *= d[k];
  int32_t idx[5] = {0, 0, 0, 0, 0};
  int32_t ia = 0, ib = 0;
  for (int32_t r = 0; r < rows; r++) {
    row(p, a + (size_t)ia * elem_bytes, s1[5], b + (size_t)ib * elem_bytes, s2[5], o, d[5]);
    o += (size_t)d[5] * elem_bytes;
    for (int k = 4; k >= 0; k--) {
      ia += s1[k];
      ib += s2[k];
      if (++idx[k] < d[k])
        break;
      ia -= s1[k] * d[k];
      ib -= s2[k] * d[k];
      idx[k] = 0;
    }
  }
  return TART_OK;
}

static int valid_shift(int32_t shift_left) {
  return shift_left >= -31 && shift_left <= 31;
}

/* TFLite's AddFunc: both operands are moved to a common scale with 20 bits of headroom
 * ((v + neg_zp) << pre_shift_left cannot overflow: |v + neg_zp| <= 255 and pre_shift_left <= 23,
 * checked below; TFLite uses 20 for int8), each scaled by a multiplier < 1,
 * summed, then scaled to the output. Every multiply rounds as MultiplyByQuantizedMultiplier-
 * SmallerThanOneExp does (shift_left <= 0, checked by the compiler). */
static void add_s8_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                       int32_t sb, void *o, int32_t n) {
  const int8_t *x = (const int8_t *)a;
  const int8_t *y = (const int8_t *)b;
  int8_t *z = (int8_t *)o;
  for (int32_t i = 0; i < n; i++) {
    const int32_t xs = tart_mul_by_quantized_mult_smaller_than_one(
        tart_shl_wrap(x[i * sa] + p->in1_neg_zp, p->pre_shift_left), p->in1_mult,
        p->in1_shift_left);
    const int32_t ys = tart_mul_by_quantized_mult_smaller_than_one(
        tart_shl_wrap(y[i * sb] + p->in2_neg_zp, p->pre_shift_left), p->in2_mult,
        p->in2_shift_left);
    const int32_t r = tart_wrap_add(tart_mul_by_quantized_mult_smaller_than_one(
                                        tart_wrap_add(xs, ys), p->out_mult, p->out_shift_left),
                                    p->out_zp);
    z[i] = (int8_t)tart_clamp_i32(r, p->clamp.min, p->clamp.max);
  }
}

tart_status tart_add_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                        void *scratch) {
  (void)scratch;
  if (p->pre_shift_left < 0 || p->pre_shift_left > 23 || p->in1_shift_left > 0 ||
      p->in2_shift_left > 0 || p->out_shift_left > 0 || p->in1_shift_left < -31 ||
      p->in2_shift_left < -31 || p->out_shift_left < -31)
    return TART_ERR_PARAMS;
  return walk(p, in, out, sizeof(int8_t), add_s8_row);
}

/* add_s8 through the compiler's tables (defs/elementwise.def): an entry is twice the value
 * add_s8 computes for that input byte (the same function of the same byte, evaluated once at
 * compile time), so the sum of two entries is twice add_s8's sum: exactly the acc << 1 that
 * tart_requant_fast starts with, one shift fewer per element. |entry| <= 2 * 255 * 2^20 <
 * 2^29, so the sum cannot wrap. The out requantization is tart_requant_fast's where the
 * compiler proved it exact for every sum of two entries (ta_requant_fast_one), else add_s8's
 * own on the halved (even, so exactly halved) sum. */
static inline int32_t requant_fast_doubled(int32_t acc2, int32_t m, int32_t add, int32_t r) {
  const int32_t y = tart_smmulr(acc2, m);
  return (int32_t)((uint32_t)y + (uint32_t)(y >> 31) + (uint32_t)add) >> r;
}

/* The saturation to int8: one SSAT on Armv7-M, where the clamp is the whole int8 range (no
 * fused activation, or a RELU whose output zero point is -128). */
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
#include <arm_acle.h>
#define TART_SAT8(v) __ssat((v), 8)
#else
#define TART_SAT8(v) tart_clamp_i32((v), -128, 127)
#endif
#define TART_CLAMP_LH(v) tart_clamp_i32((v), lo, hi)

/* The fast rows: unit strides two elements per iteration; an input broadcast along the row
 * (stride 0) looked up once. */
#define TART_ADD_TABLE_ROWS(CLAMP)                                                                 \
  if (sa == 1 && sb == 1) {                                                                        \
    int32_t i = 0;                                                                                 \
    for (; i + 2 <= n; i += 2) {                                                                   \
      const int32_t s0 = t1[x[i]] + t2[y[i]], s1 = t1[x[i + 1]] + t2[y[i + 1]];                    \
      z[i] = (int8_t)CLAMP(requant_fast_doubled(s0, m, add, r));                                   \
      z[i + 1] = (int8_t)CLAMP(requant_fast_doubled(s1, m, add, r));                               \
    }                                                                                              \
    if (i < n)                                                                                     \
      z[i] = (int8_t)CLAMP(requant_fast_doubled(t1[x[i]] + t2[y[i]], m, add, r));                  \
  } else if (sb == 0) {                                                                            \
    const int32_t vb = t2[y[0]];                                                                   \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (int8_t)CLAMP(requant_fast_doubled(t1[x[i * sa]] + vb, m, add, r));                   \
  } else if (sa == 0) {                                                                            \
    const int32_t va = t1[x[0]];                                                                   \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (int8_t)CLAMP(requant_fast_doubled(va + t2[y[i * sb]], m, add, r));                   \
  } else {                                                                                         \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (int8_t)CLAMP(requant_fast_doubled(t1[x[i * sa]] + t2[y[i * sb]], m, add, r));        \
  }

static void add_s8_table_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                             int32_t sb, void *o, int32_t n) {
  const int8_t *x = (const int8_t *)a;
  const int8_t *y = (const int8_t *)b;
  int8_t *z = (int8_t *)o;
  const int32_t *t1 = p->table + 128, *t2 = p->table + 384;
  const int32_t lo = p->clamp.min, hi = p->clamp.max;
  if (p->n_fq == 3) {
    const int32_t m = p->fq[0], add = p->fq[1], r = p->fq[2];
    if (lo == -128 && hi == 127) {
      TART_ADD_TABLE_ROWS(TART_SAT8)
    } else {
      TART_ADD_TABLE_ROWS(TART_CLAMP_LH)
    }
    return;
  }
  for (int32_t i = 0; i < n; i++) {
    const int32_t r =
        tart_wrap_add(tart_mul_by_quantized_mult_smaller_than_one(
                          (t1[x[i * sa]] + t2[y[i * sb]]) / 2, p->out_mult, p->out_shift_left),
                      p->out_zp);
    z[i] = (int8_t)tart_clamp_i32(r, lo, hi);
  }
}

tart_status tart_add_s8_table(const tart_binary_params *p, const void *const *in, void *const *out,
                              void *scratch) {
  (void)scratch;
  if (p->n_table != 512 || p->table == NULL || (p->n_fq != 0 && p->n_fq != 3) ||
      (p->n_fq == 3 && p->fq == NULL) || p->out_shift_left > 0 || p->out_shift_left < -31)
    return TART_ERR_PARAMS;
  return walk(p, in, out, sizeof(int8_t), add_s8_table_row);
}

static void add_f32_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                        int32_t sb, void *o, int32_t n) {
  const float *x = (const float *)a;
  const float *y = (const float *)b;
  float *z = (float *)o;
  for (int32_t i = 0; i < n; i++)
    z[i] = tart_clamp_f32(x[i * sa] + y[i * sb], p->clamp.min_f32, p->clamp.max_f32);
}

tart_status tart_add_f32(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  return walk(p, in, out, sizeof(float), add_f32_row);
}

/* TFLite's MulElementwise: the product of the offset inputs (|.| <= 255 * 255) scaled once. */
static void mul_s8_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                       int32_t sb, void *o, int32_t n) {
  const int8_t *x = (const int8_t *)a;
  const int8_t *y = (const int8_t *)b;
  int8_t *z = (int8_t *)o;
  for (int32_t i = 0; i < n; i++) {
    const int32_t prod = (x[i * sa] + p->in1_neg_zp) * (y[i * sb] + p->in2_neg_zp);
    const int32_t r =
        tart_wrap_add(tart_mul_by_quantized_mult(prod, p->out_mult, p->out_shift_left), p->out_zp);
    z[i] = (int8_t)tart_clamp_i32(r, p->clamp.min, p->clamp.max);
  }
}

tart_status tart_mul_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                        void *scratch) {
  (void)scratch;
  if (!valid_shift(p->out_shift_left))
    return TART_ERR_PARAMS;
  return walk(p, in, out, sizeof(int8_t), mul_s8_row);
}

/* mul_s8 with the fast requantization, which the compiler granted for every product
 * (|product| <= max|a + in1_neg_zp| * max|b + in2_neg_zp|, ta_requant_fast_one); unit
 * strides two elements per iteration, an input broadcast along the row read once, SSAT where
 * the clamp is the int8 range. */
#define TART_MUL_FAST_ROWS(CLAMP)                                                                  \
  if (sa == 1 && sb == 1) {                                                                        \
    int32_t i = 0;                                                                                 \
    for (; i + 2 <= n; i += 2) {                                                                   \
      const int32_t p0 = (x[i] + za) * (y[i] + zb), p1 = (x[i + 1] + za) * (y[i + 1] + zb);        \
      z[i] = (int8_t)CLAMP(tart_requant_fast(p0, m, add, r));                                      \
      z[i + 1] = (int8_t)CLAMP(tart_requant_fast(p1, m, add, r));                                  \
    }                                                                                              \
    if (i < n)                                                                                     \
      z[i] = (int8_t)CLAMP(tart_requant_fast((x[i] + za) * (y[i] + zb), m, add, r));               \
  } else if (sb == 0) {                                                                            \
    const int32_t vb = y[0] + zb;                                                                  \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (int8_t)CLAMP(tart_requant_fast((x[i * sa] + za) * vb, m, add, r));                   \
  } else if (sa == 0) {                                                                            \
    const int32_t va = x[0] + za;                                                                  \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (int8_t)CLAMP(tart_requant_fast(va * (y[i * sb] + zb), m, add, r));                   \
  } else {                                                                                         \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (int8_t)CLAMP(tart_requant_fast((x[i * sa] + za) * (y[i * sb] + zb), m, add, r));     \
  }

static void mul_s8_fast_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                            int32_t sb, void *o, int32_t n) {
  const int8_t *x = (const int8_t *)a;
  const int8_t *y = (const int8_t *)b;
  int8_t *z = (int8_t *)o;
  const int32_t m = p->fq[0], add = p->fq[1], r = p->fq[2];
  const int32_t za = p->in1_neg_zp, zb = p->in2_neg_zp, lo = p->clamp.min, hi = p->clamp.max;
  if (lo == -128 && hi == 127) {
    TART_MUL_FAST_ROWS(TART_SAT8)
  } else {
    TART_MUL_FAST_ROWS(TART_CLAMP_LH)
  }
}

tart_status tart_mul_s8_fast(const tart_binary_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  (void)scratch;
  if (p->n_fq != 3 || p->fq == NULL)
    return TART_ERR_PARAMS;
  return walk(p, in, out, sizeof(int8_t), mul_s8_fast_row);
}

static void mul_f32_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                        int32_t sb, void *o, int32_t n) {
  const float *x = (const float *)a;
  const float *y = (const float *)b;
  float *z = (float *)o;
  for (int32_t i = 0; i < n; i++)
    z[i] = tart_clamp_f32(x[i * sa] * y[i * sb], p->clamp.min_f32, p->clamp.max_f32);
}

tart_status tart_mul_f32(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  return walk(p, in, out, sizeof(float), mul_f32_row);
}

static void sub_f32_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                        int32_t sb, void *o, int32_t n) {
  const float *x = (const float *)a;
  const float *y = (const float *)b;
  float *z = (float *)o;
  for (int32_t i = 0; i < n; i++)
    z[i] = tart_clamp_f32(x[i * sa] - y[i * sb], p->clamp.min_f32, p->clamp.max_f32);
}

tart_status tart_sub_f32(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  return walk(p, in, out, sizeof(float), sub_f32_row);
}

static void div_f32_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                        int32_t sb, void *o, int32_t n) {
  const float *x = (const float *)a;
  const float *y = (const float *)b;
  float *z = (float *)o;
  for (int32_t i = 0; i < n; i++)
    z[i] = tart_clamp_f32(x[i * sa] / y[i * sb], p->clamp.min_f32, p->clamp.max_f32);
}

tart_status tart_div_f32(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  return walk(p, in, out, sizeof(float), div_f32_row);
}

/* Integers without quantization. Add, subtract and multiply in the unsigned type of at least
 * 32 bits (U): unsigned arithmetic wraps by definition, and converting the result back to a
 * signed type keeps the low bits on every target (C calls it implementation-defined). */
#define TART_INT_ROWS(T, U, TMIN, IS_SIGNED)                                                       \
  static void add_##T##_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b, \
                            int32_t sb, void *o, int32_t n) {                                      \
    const T *x = (const T *)a;                                                                     \
    const T *y = (const T *)b;                                                                     \
    T *z = (T *)o;                                                                                 \
    (void)p;                                                                                       \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (T)((U)x[i * sa] + (U)y[i * sb]);                                                     \
  }                                                                                                \
  static void sub_##T##_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b, \
                            int32_t sb, void *o, int32_t n) {                                      \
    const T *x = (const T *)a;                                                                     \
    const T *y = (const T *)b;                                                                     \
    T *z = (T *)o;                                                                                 \
    (void)p;                                                                                       \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (T)((U)x[i * sa] - (U)y[i * sb]);                                                     \
  }                                                                                                \
  static void mul_##T##_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b, \
                            int32_t sb, void *o, int32_t n) {                                      \
    const T *x = (const T *)a;                                                                     \
    const T *y = (const T *)b;                                                                     \
    T *z = (T *)o;                                                                                 \
    (void)p;                                                                                       \
    for (int32_t i = 0; i < n; i++)                                                                \
      z[i] = (T)((U)x[i * sa] * (U)y[i * sb]);                                                     \
  }                                                                                                \
  static void div_##T##_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b, \
                            int32_t sb, void *o, int32_t n) {                                      \
    const T *x = (const T *)a;                                                                     \
    const T *y = (const T *)b;                                                                     \
    T *z = (T *)o;                                                                                 \
    (void)p;                                                                                       \
    for (int32_t i = 0; i < n; i++) {                                                              \
      const T d = y[i * sb];                                                                       \
      if (d == 0)                                                                                  \
        z[i] = 0;                                                                                  \
      else if (IS_SIGNED && x[i * sa] == TMIN && d == (T)-1)                                       \
        z[i] = x[i * sa];                                                                          \
      else                                                                                         \
        z[i] = (T)(x[i * sa] / d);                                                                 \
    }                                                                                              \
  }

TART_INT_ROWS(int8_t, uint32_t, INT8_MIN, 1)
TART_INT_ROWS(uint8_t, uint32_t, 0, 0)
TART_INT_ROWS(int16_t, uint32_t, INT16_MIN, 1)
TART_INT_ROWS(uint16_t, uint32_t, 0, 0)
TART_INT_ROWS(int32_t, uint32_t, INT32_MIN, 1)
TART_INT_ROWS(uint32_t, uint32_t, 0, 0)
TART_INT_ROWS(int64_t, uint64_t, INT64_MIN, 1)
TART_INT_ROWS(uint64_t, uint64_t, 0, 0)

/* The row function of `op` for int_type, and its element size; NULL for a bad type. */
#define TART_INT_PICK(op)                                                                          \
  switch (p->int_type) {                                                                           \
  case TART_INT_I8: return walk(p, in, out, 1, op##_int8_t_row);                                   \
  case TART_INT_U8: return walk(p, in, out, 1, op##_uint8_t_row);                                  \
  case TART_INT_I16: return walk(p, in, out, 2, op##_int16_t_row);                                 \
  case TART_INT_U16: return walk(p, in, out, 2, op##_uint16_t_row);                                \
  case TART_INT_I32: return walk(p, in, out, 4, op##_int32_t_row);                                 \
  case TART_INT_U32: return walk(p, in, out, 4, op##_uint32_t_row);                                \
  case TART_INT_I64: return walk(p, in, out, 8, op##_int64_t_row);                                 \
  case TART_INT_U64: return walk(p, in, out, 8, op##_uint64_t_row);                                \
  default: return TART_ERR_PARAMS;                                                                 \
  }

tart_status tart_add_int(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  TART_INT_PICK(add)
}

tart_status tart_sub_int(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  TART_INT_PICK(sub)
}

tart_status tart_mul_int(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  TART_INT_PICK(mul)
}

tart_status tart_div_int(const tart_binary_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  (void)scratch;
  TART_INT_PICK(div)
}

/* MINIMUM, MAXIMUM and SQUARED_DIFFERENCE (TFLite's reference: std::min(a, b) = b < a ? b : a,
 * std::max(a, b) = a < b ? b : a, so a NaN in b never wins; (a - b) * (a - b)). int8 minimum and
 * maximum compare raw values: the compiler requires one quantization for all three operands,
 * as TFLite does. No fused activation. */
#define TART_MINMAX_ROWS(T, NAME, EXPR)                                                            \
  static void NAME##_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,    \
                         int32_t sb, void *o, int32_t n) {                                         \
    const T *x = (const T *)a;                                                                     \
    const T *y = (const T *)b;                                                                     \
    T *z = (T *)o;                                                                                 \
    (void)p;                                                                                       \
    for (int32_t i = 0; i < n; i++) {                                                              \
      const T u = x[i * sa], v = y[i * sb];                                                        \
      z[i] = EXPR;                                                                                 \
    }                                                                                              \
  }                                                                                                \
  tart_status tart_##NAME(const tart_binary_params *p, const void *const *in, void *const *out,    \
                          void *scratch) {                                                         \
    (void)scratch;                                                                                 \
    return walk(p, in, out, sizeof(T), NAME##_row);                                                \
  }

TART_MINMAX_ROWS(float, minimum_f32, v < u ? v : u)
TART_MINMAX_ROWS(float, maximum_f32, u < v ? v : u)
TART_MINMAX_ROWS(int8_t, minimum_s8, v < u ? v : u)
TART_MINMAX_ROWS(int8_t, maximum_s8, u < v ? v : u)
TART_MINMAX_ROWS(float, squared_difference_f32, (u - v) * (u - v))
/* PRELU: TFLite's reference, input >= 0 ? input : input * alpha. */
TART_MINMAX_ROWS(float, prelu_f32, u >= 0.0f ? u : u * v)

/* TFLite's quantized SquaredDifference: both inputs on a common scale with 7 bits of headroom
 * ((v + neg_zp) << 7 fits 16 bits, so the squared difference fits 32), each scaled by its
 * multiplier (< 1), the square scaled to the output. */
static void squared_difference_s8_row(const tart_binary_params *p, const void *a, int32_t sa,
                                      const void *b, int32_t sb, void *o, int32_t n) {
  const int8_t *x = (const int8_t *)a;
  const int8_t *y = (const int8_t *)b;
  int8_t *z = (int8_t *)o;
  for (int32_t i = 0; i < n; i++) {
    const int32_t u =
        tart_mul_by_quantized_mult(tart_shl_wrap(x[i * sa] + p->in1_neg_zp, p->pre_shift_left),
                                   p->in1_mult, p->in1_shift_left);
    const int32_t v =
        tart_mul_by_quantized_mult(tart_shl_wrap(y[i * sb] + p->in2_neg_zp, p->pre_shift_left),
                                   p->in2_mult, p->in2_shift_left);
    const int32_t d = u - v;
    const int32_t r =
        tart_wrap_add(tart_mul_by_quantized_mult(d * d, p->out_mult, p->out_shift_left), p->out_zp);
    z[i] = (int8_t)tart_clamp_i32(r, p->clamp.min, p->clamp.max);
  }
}

tart_status tart_squared_difference_s8(const tart_binary_params *p, const void *const *in,
                                       void *const *out, void *scratch) {
  (void)scratch;
  if (p->pre_shift_left < 0 || p->pre_shift_left > 7 || p->in1_shift_left > 0 ||
      p->in2_shift_left > 0 || !valid_shift(p->in1_shift_left) || !valid_shift(p->in2_shift_left) ||
      !valid_shift(p->out_shift_left))
    return TART_ERR_PARAMS;
  return walk(p, in, out, sizeof(int8_t), squared_difference_s8_row);
}

/* TFLite's quantized PRELU (BroadcastPrelu4DSlow): a non-negative offset input is scaled by
 * the first multiplier (input scale / output scale), a negative one times the offset alpha by
 * the second (input scale * alpha scale / output scale). */
static void prelu_s8_row(const tart_binary_params *p, const void *a, int32_t sa, const void *b,
                         int32_t sb, void *o, int32_t n) {
  const int8_t *x = (const int8_t *)a;
  const int8_t *y = (const int8_t *)b;
  int8_t *z = (int8_t *)o;
  for (int32_t i = 0; i < n; i++) {
    const int32_t u = x[i * sa] + p->in1_neg_zp;
    const int32_t r = u >= 0 ? tart_mul_by_quantized_mult(u, p->in1_mult, p->in1_shift_left)
                             : tart_mul_by_quantized_mult(u * (y[i * sb] + p->in2_neg_zp),
                                                          p->out_mult, p->out_shift_left);
    z[i] = (int8_t)tart_clamp_i32(tart_wrap_add(r, p->out_zp), p->clamp.min, p->clamp.max);
  }
}

tart_status tart_prelu_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  (void)scratch;
  if (!valid_shift(p->in1_shift_left) || !valid_shift(p->out_shift_left))
    return TART_ERR_PARAMS;
  return walk(p, in, out, sizeof(int8_t), prelu_s8_row);
}
