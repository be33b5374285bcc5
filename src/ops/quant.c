/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quant.c: see ta_quant.h.
 */
#include "ta_quant.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ta_quantize_multiplier(double m, int32_t *mult, int32_t *shift_left) {
  if (!isfinite(m)) {
    /* An infinite or NaN ratio (a float division of extreme scales): no pair represents it;
     * shift 64 is what every caller refuses as too large. */
    *mult = 0;
    *shift_left = 64;
    return;
  }
  if (m == 0.0) {
    *mult = 0;
    *shift_left = 0;
    return;
  }
  int exp = 0;
  double q = frexp(m, &exp);
  /* round() rounds half away from zero, like TfLiteRound. */
  int64_t q_fixed = (int64_t)round(q * (double)(1ll << 31));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    exp++;
  }
  if (exp < -31) {
    exp = 0;
    q_fixed = 0;
  }
  *mult = (int32_t)q_fixed;
  *shift_left = exp;
}

ta_status ta_requant_multiplier(const ta_graph *g, const ta_op *op, double real, float in_scale,
                                float out_scale, int32_t *mult, int32_t *shift_left) {
  ta_quantize_multiplier(real, mult, shift_left);
  if (*shift_left <= 31) /* the kernel (as TFLite's) shifts left by at most 31 */
    return TA_OK;
  return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                   "input scale %g / output scale %g = %g is too large to requantize (the "
                   "multiplier must be below 2^31)",
                   (double)in_scale, (double)out_scale, real);
}

/* As TFLite: zero_point + round(f / scale) in float, but saturated to int32 (TFLite converts
 * out of range, undefined behaviour, when a model's scale is tiny); the caller clamps to the
 * type's range anyway. */
static int32_t quantize_act(float f, float scale, int32_t zero_point) {
  float r = roundf(f / scale);
  int64_t q;
  if (isnan(r))
    q = 0;
  else if (r <= -2147483648.0f)
    q = INT32_MIN;
  else if (r >= 2147483648.0f)
    q = INT32_MAX;
  else
    q = (int64_t)r;
  q += zero_point;
  return q < INT32_MIN ? INT32_MIN : q > INT32_MAX ? INT32_MAX : (int32_t)q;
}

void ta_act_range_quant(ta_act act, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                        int32_t *clamp_min, int32_t *clamp_max) {
  int32_t lo = qmin, hi = qmax;
  switch (act) {
  case TA_ACT_RELU: lo = quantize_act(0.0f, scale, zero_point); break;
  case TA_ACT_RELU6:
    lo = quantize_act(0.0f, scale, zero_point);
    hi = quantize_act(6.0f, scale, zero_point);
    break;
  case TA_ACT_RELU_N1_TO_1:
    lo = quantize_act(-1.0f, scale, zero_point);
    hi = quantize_act(1.0f, scale, zero_point);
    break;
  case TA_ACT_NONE: break;
  }
  *clamp_min = lo > qmin ? lo : qmin;
  *clamp_max = hi < qmax ? hi : qmax;
}

void ta_act_range_f32(ta_act act, float *clamp_min, float *clamp_max) {
  switch (act) {
  case TA_ACT_RELU:
    *clamp_min = 0.0f;
    *clamp_max = FLT_MAX;
    return;
  case TA_ACT_RELU6:
    *clamp_min = 0.0f;
    *clamp_max = 6.0f;
    return;
  case TA_ACT_RELU_N1_TO_1:
    *clamp_min = -1.0f;
    *clamp_max = 1.0f;
    return;
  case TA_ACT_NONE: break;
  }
  *clamp_min = -FLT_MAX;
  *clamp_max = FLT_MAX;
}

int32_t ta_conv_out_size(ta_padding pad, int32_t in, int32_t filter, int32_t stride,
                         int32_t dilation) {
  if (stride <= 0 || dilation <= 0 || filter <= 0 || in <= 0)
    return 0;
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  int64_t out = pad == TA_PAD_SAME ? ((int64_t)in + stride - 1) / stride
                                   : ((int64_t)in + stride - eff) / stride;
  return out > INT32_MAX ? 0 : (int32_t)out;
}

int32_t ta_conv_pad_before(ta_padding pad, int32_t in, int32_t filter, int32_t stride,
                           int32_t dilation, int32_t out) {
  if (pad != TA_PAD_SAME)
    return 0;
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  int64_t total = ((int64_t)out - 1) * stride + eff - in;
  return total > 0 ? (int32_t)(total / 2) : 0;
}

bool ta_conv_window_fits(int32_t in, int32_t filter, int32_t dilation, int32_t pad_before,
                         int32_t pad_after) {
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  return (int64_t)in + (int64_t)pad_before + pad_after + 2 * eff <= INT32_MAX;
}

bool ta_dtype_qrange(ta_dtype dt, int32_t *qmin, int32_t *qmax) {
  switch (dt) {
  case TA_DT_I8:
    *qmin = -128;
    *qmax = 127;
    return true;
  case TA_DT_U8:
    *qmin = 0;
    *qmax = 255;
    return true;
  case TA_DT_I16:
    *qmin = -32768;
    *qmax = 32767;
    return true;
  case TA_DT_I32:
    *qmin = INT32_MIN;
    *qmax = INT32_MAX;
    return true;
  default: return false;
  }
}

bool ta_quant_get(const ta_tensor *t, float *scale, int32_t *zero_point) {
  if (t->q.count < 1)
    return false;
  *scale = t->q.scale[0];
  *zero_point = (int32_t)t->q.zero_point[0];
  return true;
}

ta_status ta_check_per_tensor_quant(const ta_graph *g, const ta_op *op, const ta_tensor *t,
                                    const char *what) {
  if (t->q.count < 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s \"%s\" (%s) has no quantization parameters",
                     what, t->name, ta_dtype_name(t->dtype));
  if (t->q.count != 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "%s \"%s\" has %d scales; expected one (per-tensor quantization)", what,
                     t->name, t->q.count);
  float s = t->q.scale[0];
  if (!(s > 0.0f) || !isfinite(s))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s \"%s\" has scale %g; expected a finite value > 0",
                     what, t->name, (double)s);
  int32_t qmin, qmax;
  if (ta_dtype_qrange(t->dtype, &qmin, &qmax) &&
      (t->q.zero_point[0] < qmin || t->q.zero_point[0] > qmax))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s \"%s\" has zero point %lld outside %s range",
                     what, t->name, (long long)t->q.zero_point[0], ta_dtype_name(t->dtype));
  return TA_OK;
}

int32_t *ta_acc_init(ta_graph *g, const ta_tensor *w, const ta_tensor *bias, int32_t n,
                     int32_t taps, int32_t c_stride, int32_t t_stride, int32_t in_neg_zp) {
  if (!w || !ta_tensor_is_const(w) || w->dtype != TA_DT_I8)
    return NULL;
  if (bias && (!ta_tensor_is_const(bias) || bias->dtype != TA_DT_I32))
    return NULL;
  size_t need = (size_t)(n - 1) * (size_t)c_stride + (size_t)(taps - 1) * (size_t)t_stride + 1;
  if (n < 1 || taps < 1 || w->data_bytes < need)
    return NULL;
  if (bias && bias->data_bytes < (size_t)n * sizeof(int32_t))
    return NULL;
  int32_t *init = ta_new_array(g->ctx, (size_t)n, sizeof(int32_t));
  if (!init)
    return NULL;
  const int8_t *wd = (const int8_t *)w->data;
  for (int32_t c = 0; c < n; c++) {
    int64_t sum = 0;
    for (int32_t t = 0; t < taps; t++)
      sum += wd[(size_t)c * (size_t)c_stride + (size_t)t * (size_t)t_stride];
    int32_t b = 0;
    if (bias)
      memcpy(&b, bias->data + (size_t)c * sizeof(int32_t), sizeof b);
    /* Wraps like the kernel's int32 accumulator would; exact whenever the reference's sum
     * fits in int32, the bound every int8 kernel relies on. */
    init[c] =
        (int32_t)(uint32_t)((uint64_t)(uint32_t)b + (uint64_t)(int64_t)((int64_t)in_neg_zp * sum));
  }
  return init;
}

int8_t *ta_pack_dw_filter(ta_graph *g, const ta_tensor *w, int32_t taps, int32_t channels) {
  if (!w || !ta_tensor_is_const(w) || w->dtype != TA_DT_I8 || taps < 1 || channels < 1)
    return NULL;
  const size_t n = (size_t)taps * (size_t)channels;
  if (w->data_bytes < n)
    return NULL;
  int8_t *packed = ta_new_array(g->ctx, n, 1);
  if (!packed)
    return NULL;
  const int8_t *wd = (const int8_t *)w->data;
  const int32_t c4 = channels & ~3;
  for (int32_t t = 0; t < taps; t++)
    for (int32_t c = 0; c < channels; c++) {
      const size_t at =
          c < c4 ? (size_t)(c / 4) * 4u * (size_t)taps + (size_t)t * 4u + (size_t)(c % 4)
                 : (size_t)c4 * (size_t)taps + (size_t)(c - c4) * (size_t)taps + (size_t)t;
      packed[at] = wd[(size_t)t * (size_t)channels + (size_t)c];
    }
  return packed;
}

bool ta_pack_mk_weights(ta_graph *g, const ta_tensor *w, int32_t n, int32_t k, bool int16,
                        int32_t **packed, int32_t *count) {
  *packed = NULL;
  *count = 0;
  if (!w || !ta_tensor_is_const(w) || w->dtype != TA_DT_I8 || n < 1 || k < 1 ||
      w->data_bytes < (size_t)n * (size_t)k)
    return false;
  const int32_t k4 = (k + 3) & ~3;
  if ((int64_t)k4 * n > INT32_MAX)
    return false;
  const size_t total = (size_t)k4 * (size_t)n, per_word = int16 ? 2 : 4;
  uint32_t *words = ta_new_array(g->ctx, total / per_word, sizeof(uint32_t));
  if (!words)
    return false;
  const int8_t *wd = (const int8_t *)w->data;
  const int32_t n4 = n & ~3;
  size_t at = 0;
  for (int32_t c0 = 0; c0 < n; c0 += c0 < n4 ? 4 : 1) {
    const int32_t block = c0 < n4 ? 4 : 1;
    for (int32_t q = 0; q < k4; q += 4)
      for (int32_t s = 0; s < 4 * block; s++, at++) {
        /* int8: channel s / 4's taps t0 t1 t2 t3; int16 (tart_mk_s8.h): half h = s / (2 *
         * block) of the quad (taps t0 t2, then t1 t3), channel (s / 2) % block, tap h + 2 *
         * (s % 2). */
        const int32_t j = int16 ? (s / 2) % block : s / 4;
        const int32_t t = q + (int16 ? s / (2 * block) + 2 * (s % 2) : s % 4);
        const int8_t v = t < k ? wd[(size_t)(c0 + j) * (size_t)k + (size_t)t] : 0;
        /* The first value of a word in its low bits: what a little-endian word load gives
         * SXTB16 and SMLAD. */
        const uint32_t bits = int16 ? (uint32_t)(uint16_t)v : (uint32_t)(uint8_t)v;
        words[at / per_word] |= bits << (int16 ? 16 * (at % 2) : 8 * (at % 4));
      }
  }
  *packed = (int32_t *)words;
  *count = (int32_t)(total / per_word);
  return true;
}

bool ta_requant_fast_one(int64_t acc_max, int32_t mult, int32_t shift_left, int32_t out_zp,
                         int32_t fq[3]) {
  /* The bound on |acc| of tart_requant_fast.h: acc << 1 must not overflow. */
  if (mult < 0 || shift_left >= 0 || shift_left < -31 || acc_max < 0 ||
      acc_max >= ((int64_t)1 << 30))
    return false;
  const int32_t r = -shift_left;
  /* |y| <= (acc_max * mult + 2^30) / 2^31 + 1; y + add - (y < 0) must fit int32. */
  const int64_t y_max = (acc_max * (int64_t)mult + ((int64_t)1 << 30)) / ((int64_t)1 << 31) + 1;
  const int64_t add = ((int64_t)1 << (r - 1)) + (int64_t)out_zp * ((int64_t)1 << r);
  if (y_max + llabs(add) + 1 > INT32_MAX)
    return false;
  fq[0] = mult;
  fq[1] = (int32_t)add;
  fq[2] = r;
  return true;
}

int32_t *ta_requant_fast_consts(ta_graph *g, const ta_tensor *w, const ta_tensor *bias, int32_t n,
                                int32_t k, int32_t in_neg_zp, int32_t n_mult, const int32_t *mult,
                                const int32_t *shift_left, int32_t out_zp) {
  return ta_requant_fast_consts_strided(g, w, bias, n, k, k, 1, in_neg_zp, n_mult, mult, shift_left,
                                        out_zp);
}

static int32_t *fast_consts(ta_graph *g, const ta_tensor *w, const ta_tensor *bias, int32_t n,
                            int32_t k, int32_t c_stride, int32_t t_stride, int32_t in_neg_zp,
                            int32_t n_mult, const int32_t *mult, const int32_t *shift_left,
                            int32_t out_zp) {
  if (!w || !ta_tensor_is_const(w) || w->dtype != TA_DT_I8 || n < 1 || k < 1 || c_stride < 1 ||
      t_stride < 1 ||
      w->data_bytes <= (size_t)(n - 1) * (size_t)c_stride + (size_t)(k - 1) * (size_t)t_stride ||
      (n_mult != 1 && n_mult != n))
    return NULL;
  if (bias && (!ta_tensor_is_const(bias) || bias->dtype != TA_DT_I32 ||
               bias->data_bytes < (size_t)n * sizeof(int32_t)))
    return NULL;
  /* Every input value x in [-128, 127] enters the reference's sum as x + in_neg_zp. */
  const int64_t x_max = llabs((int64_t)127 + in_neg_zp) > llabs((int64_t)-128 + in_neg_zp)
                            ? llabs((int64_t)127 + in_neg_zp)
                            : llabs((int64_t)-128 + in_neg_zp);
  const int8_t *wd = (const int8_t *)w->data;
  int32_t *fq = ta_new_array(g->ctx, (size_t)n * 3, sizeof(int32_t));
  if (!fq)
    return NULL;
  for (int32_t c = 0; c < n; c++) {
    const int32_t m = mult[n_mult == 1 ? 0 : c], sl = shift_left[n_mult == 1 ? 0 : c];
    int64_t wsum = 0;
    for (int32_t t = 0; t < k; t++)
      wsum += llabs((int64_t)wd[(size_t)c * (size_t)c_stride + (size_t)t * (size_t)t_stride]);
    int32_t b = 0;
    if (bias)
      memcpy(&b, bias->data + (size_t)c * sizeof(int32_t), sizeof b);
    if (!ta_requant_fast_one(llabs((int64_t)b) + x_max * wsum, m, sl, out_zp, fq + 3 * c))
      return NULL;
  }
  return fq;
}

int32_t *ta_requant_fast_consts_strided(ta_graph *g, const ta_tensor *w, const ta_tensor *bias,
                                        int32_t n, int32_t k, int32_t c_stride, int32_t t_stride,
                                        int32_t in_neg_zp, int32_t n_mult, const int32_t *mult,
                                        const int32_t *shift_left, int32_t out_zp) {
  /* --optimize size: the fast path's 12 bytes per channel are not spent. */
  if (g->optimize_size)
    return NULL;
  return fast_consts(g, w, bias, n, k, c_stride, t_stride, in_neg_zp, n_mult, mult, shift_left,
                     out_zp);
}

int32_t *ta_requant_fast_consts_instead(ta_graph *g, const ta_tensor *w, const ta_tensor *bias,
                                        int32_t n, int32_t k, int32_t in_neg_zp, int32_t n_mult,
                                        const int32_t *mult, const int32_t *shift_left,
                                        int32_t out_zp) {
  return fast_consts(g, w, bias, n, k, k, 1, in_neg_zp, n_mult, mult, shift_left, out_zp);
}

void ta_quant_weights_sym(const float *x, size_t elems, size_t inner, int32_t n, float *scales,
                          int8_t *q) {
  for (int32_t c = 0; c < n; c++)
    scales[c] = 0.0f;
  /* max |x| per slice, exact in float (|v| is exact), kept in scales[] until divided */
  for (size_t i = 0; i < elems; i++) {
    float v;
    memcpy(&v, &x[i], sizeof v);
    const size_t c = n > 1 ? (i / inner) % (size_t)n : 0;
    if (fabsf(v) > scales[c])
      scales[c] = fabsf(v);
  }
  for (int32_t c = 0; c < n; c++)
    scales[c] = scales[c] > 0 ? (float)((double)scales[c] / 127.0) : 1.0f;
  for (size_t i = 0; i < elems; i++) {
    float v;
    memcpy(&v, &x[i], sizeof v);
    const size_t c = n > 1 ? (i / inner) % (size_t)n : 0;
    const double r = round((double)v / (double)scales[c]);
    q[i] = (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
  }
}
