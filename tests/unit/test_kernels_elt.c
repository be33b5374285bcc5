/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kernels_elt.c: the element-wise and pooling kernels called directly, against
 * expectations computed here independently of the runtime's arithmetic:
 * - quantize_linear_f32_* (ONNX QuantizeLinear): the float division, then ties to even done in
 *   double with nearbyint (the host's default rounding mode), NaN to the zero point, the
 *   clamp; on edge values (every half-integer up to +-300, the neighbours of each, the
 *   fast path's +-128 boundary, NaN, infinities, subnormals, huge values) and random ones, for
 *   every output type, per tensor and per channel, extreme scales.
 * - quantize_f32_s8 (TFLite QUANTIZE): the float division, round half away from zero, the
 *   clamp, on the same edge values and random ones (host and Cortex-M4).
 * - dequantize_linear_s8_f32 and requantize_s32_s8, per channel: every element with its
 *   channel's parameters.
 * - add_s8_table (doubled tables, the fast requantization or not, the saturating and the
 *   clamping rows, unit strides with odd lengths, an input broadcast along the row) against
 *   add_s8, the reference (test_ops_eltwise checks it against TFLite's values), over random
 *   scales from 1e-4 to 10 (multipliers up to the limit TFLite accepts), zero points, clamps;
 *   tables and constants built here from the kernel's specification (defs/elementwise.def);
 *   and the default choice between it and the reference (the 2 KB of tables only where they
 *   pay: enough elements, not under --optimize size).
 * - mul_s8_fast against mul_s8 in the same way (fq granted as the compiler grants it).
 * - the int8 pooling variants (maxpool_s8_opt, avgpool_s8_opt) against the reference kernels
 *   (pool_s8.c, which test_ops_pool checks against TFLite's values) byte for byte, over random
 *   windows, strides, dilations, paddings (interior and border windows), clamps, batches and
 *   channel counts (the four-lane paths on DSP cores, the scalar ones elsewhere).
 * With --qemu (ctest test_kernels_elt_qemu, label qemu) the same kinds of cases run on the
 * emulated Cortex-M4, where the DSP paths (SSUB8/SEL, SADD16, SSAT, the fixed-point VCVT) are
 * the ones compiled: the runtime's sources and a small harness are built into a blob for the
 * tuning firmware, which runs reference and variant on each case; the host checks both
 * against its own results (exit 77 without QEMU or the Arm toolchain).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ta_device.h"
#include "ta_quant.h"
#include "ta_schedule.h"
#include "tart.h"
#include "ta_tune_device.h"
#include "tart_fixedpoint.h"
#include "tt_pipeline.h"

#include <stdio.h>

static uint32_t rng = 0x5EED1234u;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

/* A float with a random sign, mantissa and exponent in [2^e_lo, 2^e_hi). */
static float rnd_float(int e_lo, int e_hi) {
  const float m = 1.0f + (float)(next() & 0x7fffff) / 8388608.0f;
  const int e = e_lo + (int)(next() % (uint32_t)(e_hi - e_lo));
  const float v = ldexpf(m, e);
  return (next() & 1) ? -v : v;
}

/* ONNX QuantizeLinear of one value, written from the spec: saturate(round(x / scale) + zp),
 * round half to even; NaN quantizes to the zero point (then saturated). */
static int32_t expect_quantize(float x, float scale, int32_t zp, int32_t qmin, int32_t qmax) {
  const float v = x / scale;
  double r = v != v ? 0.0 : nearbyint((double)v);
  r += (double)zp;
  return r < (double)qmin ? qmin : r > (double)qmax ? qmax : (int32_t)r;
}

/* TFLite's QUANTIZE (AffineQuantize) of one value: round(x / scale) in float, half away from
 * zero, plus zp, clamped to [lo, hi]; NaN (which TFLite leaves to the platform) to lo, as the
 * kernel documents. */
static int32_t expect_tfl_quantize(float x, float scale, int32_t zp, int32_t lo, int32_t hi) {
  const float v = x / scale;
  double r = v != v ? -1e9 : round((double)v);
  r += (double)zp;
  return r < (double)lo ? lo : r > (double)hi ? hi : (int32_t)r;
}

static int32_t rnd_in(int32_t lo, int32_t hi) {
  return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1));
}

/* Edge inputs for scale 1: half-integers, their float neighbours, the boundaries. */
static int32_t edge_values(float *x, int32_t cap) {
  int32_t n = 0;
  for (int32_t k = -600; k <= 600 && n + 3 <= cap; k++) {
    const float h = (float)k * 0.5f;
    x[n++] = h;
    x[n++] = nextafterf(h, INFINITY);
    x[n++] = nextafterf(h, -INFINITY);
  }
  const float special[] = {NAN,          -NAN,       INFINITY,    -INFINITY,    FLT_MAX,
                           -FLT_MAX,     FLT_MIN,    -FLT_MIN,    1e-45f,       -1e-45f,
                           0.0f,         -0.0f,      128.0f,      -128.0f,      127.99999f,
                           -127.9999f,   1048576.0f, -1048576.0f, 1048577.0f,   -1048577.0f,
                           2.5e9f,       -2.5e9f,    0.49999997f, -0.49999997f, 0.50000006f,
                           -0.50000006f, 8388607.5f, 65535.5f,    -32768.5f,    32767.5f};
  for (size_t i = 0; i < sizeof special / sizeof special[0] && n < cap; i++)
    x[n++] = special[i];
  return n;
}

#define QCHECK(KERNEL, T, QMIN, QMAX)                                                              \
  do {                                                                                             \
    tart_qlinear_params p;                                                                         \
    memset(&p, 0, sizeof p);                                                                       \
    p.n_elems = n, p.channels = channels, p.inner = inner, p.qmin = QMIN, p.qmax = QMAX;           \
    p.scale = scale, p.zp = zp;                                                                    \
    T y[4096];                                                                                     \
    const void *in[1] = {x};                                                                       \
    void *out[1] = {y};                                                                            \
    assert_int_equal(KERNEL(&p, in, out, NULL), TART_OK);                                          \
    for (int32_t i = 0; i < n; i++) {                                                              \
      const int32_t c = (i / inner) % channels;                                                    \
      const int32_t e = expect_quantize(x[i], scale[c], zp[c], QMIN, QMAX);                        \
      if ((int32_t)y[i] != e)                                                                      \
        fail_msg(#KERNEL ": x %a scale %a zp %d: got %d, expected %d", (double)x[i],               \
                 (double)scale[c], (int)zp[c], (int)y[i], (int)e);                                 \
    }                                                                                              \
  } while (0)

/* zp in [lo, hi] for each channel. */
static void rnd_zp(int32_t *zp, int32_t channels, int32_t lo, int32_t hi) {
  for (int32_t c = 0; c < channels; c++)
    zp[c] = lo + (int32_t)(next() % (uint32_t)(hi - lo + 1));
}

static void test_quantize_linear_edges(void **state) {
  (void)state;
  static float x[4096];
  const int32_t n = edge_values(x, 4096);
  const int32_t channels = 1, inner = 1;
  const float scales[] = {1.0f, 0.5f, 2.0f, 0.25f, 1.0f / 3.0f, 0.1f};
  for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++) {
    float scale[1] = {scales[si]};
    const int32_t zps[] = {0, -128, 127, 5, -77};
    for (size_t zi = 0; zi < sizeof zps / sizeof zps[0]; zi++) {
      int32_t zp[1] = {zps[zi]};
      QCHECK(tart_quantize_linear_f32_s8, int8_t, -128, 127);
      zp[0] = zps[zi] + 128;
      QCHECK(tart_quantize_linear_f32_u8, uint8_t, 0, 255);
      zp[0] = zps[zi] * 200;
      QCHECK(tart_quantize_linear_f32_s16, int16_t, -32768, 32767);
      zp[0] = (zps[zi] + 128) * 200;
      QCHECK(tart_quantize_linear_f32_u16, uint16_t, 0, 65535);
    }
  }
}

/* TFLite's QUANTIZE (tart_quantize_f32_s8) on the edge values at several scales, zero points
 * and clamps, and on random values of every magnitude. */
static void test_quantize_tflite(void **state) {
  (void)state;
  static float x[4096];
  static int8_t y[4096];
  int32_t n = edge_values(x, 4096);
  for (int iter = 0; iter < 40; iter++) {
    tart_unary_params p;
    memset(&p, 0, sizeof p);
    p.scale = iter < 6 ? (float[]){1.0f, 0.5f, 2.0f, 0.25f, 1.0f / 3.0f, 0.1f}[iter]
                       : fabsf(rnd_float(-40, 40));
    p.out_zp = rnd_in(-128, 127);
    p.clamp.min = iter % 3 ? -128 : rnd_in(-128, 0);
    p.clamp.max = iter % 3 ? 127 : rnd_in(0, 127);
    if (iter >= 20) /* random values around the scale's range, then of any size */
      for (int32_t i = 0; i < n; i++)
        x[i] = iter % 2 ? p.scale * rnd_float(-10, 9) : rnd_float(-100, 100);
    p.n_elems = n;
    const void *in[1] = {x};
    void *out[1] = {y};
    assert_int_equal(tart_quantize_f32_s8(&p, in, out, NULL), TART_OK);
    for (int32_t i = 0; i < n; i++) {
      const int32_t e = expect_tfl_quantize(x[i], p.scale, p.out_zp, p.clamp.min, p.clamp.max);
      if (y[i] != e)
        fail_msg("quantize_f32_s8: x %a scale %a zp %d: got %d, expected %d", (double)x[i],
                 (double)p.scale, (int)p.out_zp, (int)y[i], (int)e);
    }
  }
}

static void test_quantize_linear_random(void **state) {
  (void)state;
  static float x[4096];
  float scale[16];
  int32_t zp[16];
  for (int iter = 0; iter < 300; iter++) {
    const int32_t channels = 1 + (int32_t)(next() % 5);
    const int32_t inner = 1 + (int32_t)(next() % 7);
    /* Usually a whole number of channel blocks; sometimes not (the kernel must not care). */
    int32_t n = channels * inner * (1 + (int32_t)(next() % 40));
    if (iter % 7 == 0)
      n += (int32_t)(next() % 5);
    if (n > 4096)
      n = 4096;
    const int kind = iter % 4; /* scales: ordinary, tiny, huge, mixed */
    for (int32_t c = 0; c < channels; c++)
      scale[c] = kind == 0   ? fabsf(rnd_float(-10, 0))
                 : kind == 1 ? fabsf(rnd_float(-126, -100))
                 : kind == 2 ? fabsf(rnd_float(90, 127))
                             : fabsf(rnd_float(-40, 40));
    for (int32_t i = 0; i < n; i++) {
      /* Mostly values near the quantization grid (x / scale within a few hundred), with
       * exact ties and arbitrary magnitudes mixed in. */
      const int32_t c = (i / inner) % channels;
      const uint32_t r = next() % 8;
      if (r < 4)
        x[i] = scale[c] * (float)((int32_t)(next() % 1200) - 600) * 0.5f;
      else if (r < 7)
        x[i] = scale[c] * rnd_float(-6, 9);
      else
        x[i] = rnd_float(-149, 128);
    }
    rnd_zp(zp, channels, -128, 127);
    QCHECK(tart_quantize_linear_f32_s8, int8_t, -128, 127);
    rnd_zp(zp, channels, 0, 255);
    QCHECK(tart_quantize_linear_f32_u8, uint8_t, 0, 255);
    rnd_zp(zp, channels, -32768, 32767);
    QCHECK(tart_quantize_linear_f32_s16, int16_t, -32768, 32767);
    rnd_zp(zp, channels, 0, 65535);
    QCHECK(tart_quantize_linear_f32_u16, uint16_t, 0, 65535);
  }
}

/* A narrower clamp than the type's range (the general path beside the saturating one). */
static void test_quantize_linear_narrow_clamp(void **state) {
  (void)state;
  static float x[4096];
  const int32_t n = edge_values(x, 4096);
  const int32_t channels = 1, inner = 1;
  float scale[1] = {0.75f};
  int32_t zp[1] = {3};
  QCHECK(tart_quantize_linear_f32_s8, int8_t, -100, 90);
  QCHECK(tart_quantize_linear_f32_u8, uint8_t, 10, 200);
}

/* DequantizeLinear and the int32 requantization walk channel runs: element i is channel
 * (i / inner) % channels (defs/qlinear.def), checked element by element. */
static void test_qlinear_channel_runs(void **state) {
  (void)state;
  static int8_t x8[2048], y8[2048];
  static int32_t x32[2048];
  static float yf[2048];
  float scale[8];
  int32_t zp[8], mult[8], shift[8];
  for (int iter = 0; iter < 300; iter++) {
    const int32_t channels = rnd_in(1, 8), inner = rnd_in(1, 9);
    const int32_t n = rnd_in(0, 2048);
    for (int32_t c = 0; c < channels; c++) {
      scale[c] = fabsf(rnd_float(-20, 5));
      zp[c] = rnd_in(-128, 127);
      ta_quantize_multiplier((double)fabsf(rnd_float(-20, 2)), &mult[c], &shift[c]);
    }
    for (int32_t i = 0; i < n; i++)
      x8[i] = (int8_t)rnd_in(-128, 127), x32[i] = (int32_t)next();
    tart_qlinear_params p;
    memset(&p, 0, sizeof p);
    p.n_elems = n, p.channels = channels, p.inner = inner, p.qmin = -128, p.qmax = 127;
    p.scale = scale, p.zp = zp, p.mult = mult, p.shift_left = shift;
    const void *in8[1] = {x8}, *in32[1] = {x32};
    void *outf[1] = {yf}, *out8[1] = {y8};
    assert_int_equal(tart_dequantize_linear_s8_f32(&p, in8, outf, NULL), TART_OK);
    assert_int_equal(tart_requantize_s32_s8(&p, in32, out8, NULL), TART_OK);
    for (int32_t i = 0; i < n; i++) {
      const int32_t c = (i / inner) % channels;
      const float want = ((float)x8[i] - (float)zp[c]) * scale[c];
      if (memcmp(&yf[i], &want, 4) != 0)
        fail_msg("dequantize element %d (channel %d of %d, inner %d): %a, expected %a", (int)i,
                 (int)c, (int)channels, (int)inner, (double)yf[i], (double)want);
      /* The zero point's addition wraps modulo 2^32, as the reference's does. */
      int32_t v = (int32_t)((uint32_t)tart_mul_by_quantized_mult(x32[i], mult[c], shift[c]) +
                            (uint32_t)zp[c]);
      v = v < -128 ? -128 : v > 127 ? 127 : v;
      if (y8[i] != (int8_t)v)
        fail_msg("requantize element %d (channel %d of %d, inner %d): %d, expected %d", (int)i,
                 (int)c, (int)channels, (int)inner, (int)y8[i], (int)v);
    }
  }
}

/* TFLite's int8 ADD parameters for scales sa, sb, so (CalculateOpDataAdd); false when TFLite
 * refuses them. */
static int add_params(float sa, float sb, float so, tart_binary_params *p) {
  const double twice_max = 2.0 * (double)fmaxf(sa, sb);
  const double real_out = twice_max / ((double)(1 << 20) * (double)so);
  p->pre_shift_left = 20;
  ta_quantize_multiplier((double)sa / twice_max, &p->in1_mult, &p->in1_shift_left);
  ta_quantize_multiplier((double)sb / twice_max, &p->in2_mult, &p->in2_shift_left);
  ta_quantize_multiplier(real_out, &p->out_mult, &p->out_shift_left);
  return real_out < 1.0 && p->out_shift_left <= 0;
}

/* One random add_s8_table case: parameters (with the given table and fq arrays), n and the
 * inputs a, b (n bytes each, up to 300); *bc 3: a broadcast along the row, 4: b; false when
 * TFLite would refuse the scales drawn. */
typedef struct add_case {
  tart_binary_params p;
  int32_t table[512], fq[3];
  int8_t a[300], b[300];
  int32_t n, bc, use_fast;
  float sa, sb, so;
} add_case;

static bool rnd_add(add_case *c) {
  static const float scales[] = {1e-4f, 0.001f, 0.0123f, 0.05f, 0.3f, 1.0f, 10.0f};
  tart_binary_params *p = &c->p;
  memset(p, 0, sizeof *p);
  c->sa = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
  c->sb = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
  c->so = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
  if (!add_params(c->sa, c->sb, c->so, p))
    return false;
  p->in1_neg_zp = -rnd_in(-128, 127), p->in2_neg_zp = -rnd_in(-128, 127);
  p->out_zp = rnd_in(-128, 127);
  p->clamp.min = -128, p->clamp.max = 127;
  if (next() % 2) { /* a fused RELU-like clamp: sometimes the whole range again */
    p->clamp.min = next() % 3 ? p->out_zp : -128;
    p->clamp.max = next() % 3 ? 127 : rnd_in(p->clamp.min, 127);
  }
  /* The tables: twice add_s8's scaled input for every byte. */
  int64_t m1 = 0, m2 = 0;
  for (int32_t v = -128; v < 128; v++) {
    const int32_t x1 = tart_mul_by_quantized_mult_smaller_than_one((v + p->in1_neg_zp) * (1 << 20),
                                                                   p->in1_mult, p->in1_shift_left);
    const int32_t x2 = tart_mul_by_quantized_mult_smaller_than_one((v + p->in2_neg_zp) * (1 << 20),
                                                                   p->in2_mult, p->in2_shift_left);
    c->table[128 + v] = 2 * x1, c->table[384 + v] = 2 * x2;
    m1 = llabs((int64_t)x1) > m1 ? llabs((int64_t)x1) : m1;
    m2 = llabs((int64_t)x2) > m2 ? llabs((int64_t)x2) : m2;
  }
  p->table = c->table, p->n_table = 512;
  c->use_fast = next() % 4 != 0 &&
                ta_requant_fast_one(m1 + m2, p->out_mult, p->out_shift_left, p->out_zp, c->fq);
  p->fq = c->use_fast ? c->fq : NULL, p->n_fq = c->use_fast ? 3 : 0;
  /* One row of n; a (or b) broadcast along it every fifth time. */
  c->n = rnd_in(1, 300);
  c->bc = (int32_t)(next() % 5);
  for (int32_t i = 0; i < c->n; i++) {
    c->a[i] = (int8_t)(next() % 8 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
    c->b[i] = (int8_t)(next() % 8 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
  }
  if (c->bc >= 3) {
    p->broadcast = 1;
    for (int k = 0; k < 6; k++)
      p->out_dims[k] = 1, p->in1_strides[k] = 0, p->in2_strides[k] = 0;
    p->out_dims[5] = c->n;
    p->in1_strides[5] = c->bc == 3 ? 0 : 1;
    p->in2_strides[5] = c->bc == 3 ? 1 : 0;
  } else {
    p->n_elems = c->n;
  }
  return true;
}

static void add_mismatch(const add_case *c, const int8_t *ref, const int8_t *got,
                         const char *where) {
  int32_t i = 0;
  while (ref[i] == got[i])
    i++;
  fail_msg("add_s8_table%s: scales %g %g -> %g, zps %d %d -> %d, clamp [%d, %d], fast %d, "
           "broadcast %d, n %d: byte %d is %d, reference %d",
           where, (double)c->sa, (double)c->sb, (double)c->so, (int)-c->p.in1_neg_zp,
           (int)-c->p.in2_neg_zp, (int)c->p.out_zp, (int)c->p.clamp.min, (int)c->p.clamp.max,
           (int)c->use_fast, (int)c->bc, (int)c->n, (int)i, (int)got[i], (int)ref[i]);
}

static void test_add_s8_table(void **state) {
  (void)state;
  static add_case c;
  static int8_t y_ref[300], y_opt[300];
  int fast = 0, general = 0, sat = 0;
  for (int iter = 0; iter < 3000; iter++) {
    if (!rnd_add(&c))
      continue;
    (*(c.use_fast ? &fast : &general))++;
    sat += c.use_fast && c.p.clamp.min == -128 && c.p.clamp.max == 127;
    const void *in[2] = {c.a, c.b};
    void *out_ref[1] = {y_ref}, *out_opt[1] = {y_opt};
    memset(y_ref, 0x55, sizeof y_ref);
    memset(y_opt, 0x55, sizeof y_opt);
    assert_int_equal(tart_add_s8(&c.p, in, out_ref, NULL), TART_OK);
    assert_int_equal(tart_add_s8_table(&c.p, in, out_opt, NULL), TART_OK);
    if (memcmp(y_ref, y_opt, sizeof y_ref) != 0)
      add_mismatch(&c, y_ref, y_opt, "");
  }
  assert_true(fast > 500 && general > 300 && sat > 200);
}

/* One random mul_s8_fast case (the compiler grants fq only where exact: ta_requant_fast_one
 * over the largest product); false when it would not. Inputs as rnd_add's. */
static bool rnd_mul(add_case *c) {
  static const float scales[] = {1e-4f, 0.001f, 0.0123f, 0.05f, 0.3f, 1.0f, 10.0f};
  tart_binary_params *p = &c->p;
  memset(p, 0, sizeof *p);
  c->sa = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
  c->sb = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
  c->so = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
  ta_quantize_multiplier((double)c->sa * (double)c->sb / (double)c->so, &p->out_mult,
                         &p->out_shift_left);
  p->in1_neg_zp = -rnd_in(-128, 127), p->in2_neg_zp = -rnd_in(-128, 127);
  p->out_zp = rnd_in(-128, 127);
  p->clamp.min = -128, p->clamp.max = 127;
  if (next() % 2) {
    p->clamp.min = next() % 3 ? p->out_zp : -128;
    p->clamp.max = next() % 3 ? 127 : rnd_in(p->clamp.min, 127);
  }
  const int64_t ma = llabs(127 + (int64_t)p->in1_neg_zp) > llabs(-128 + (int64_t)p->in1_neg_zp)
                         ? llabs(127 + (int64_t)p->in1_neg_zp)
                         : llabs(-128 + (int64_t)p->in1_neg_zp);
  const int64_t mb = llabs(127 + (int64_t)p->in2_neg_zp) > llabs(-128 + (int64_t)p->in2_neg_zp)
                         ? llabs(127 + (int64_t)p->in2_neg_zp)
                         : llabs(-128 + (int64_t)p->in2_neg_zp);
  if (!ta_requant_fast_one(ma * mb, p->out_mult, p->out_shift_left, p->out_zp, c->fq))
    return false;
  p->fq = c->fq, p->n_fq = 3, c->use_fast = 1;
  c->n = rnd_in(1, 300);
  c->bc = (int32_t)(next() % 5);
  for (int32_t i = 0; i < c->n; i++) {
    c->a[i] = (int8_t)(next() % 8 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
    c->b[i] = (int8_t)(next() % 8 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
  }
  if (c->bc >= 3) {
    p->broadcast = 1;
    for (int k = 0; k < 6; k++)
      p->out_dims[k] = 1, p->in1_strides[k] = 0, p->in2_strides[k] = 0;
    p->out_dims[5] = c->n;
    p->in1_strides[5] = c->bc == 3 ? 0 : 1;
    p->in2_strides[5] = c->bc == 3 ? 1 : 0;
  } else {
    p->n_elems = c->n;
  }
  return true;
}

static void test_mul_s8_fast(void **state) {
  (void)state;
  static add_case c;
  static int8_t y_ref[300], y_opt[300];
  int runs = 0, sat = 0;
  for (int iter = 0; iter < 3000; iter++) {
    if (!rnd_mul(&c))
      continue;
    runs++;
    sat += c.p.clamp.min == -128 && c.p.clamp.max == 127;
    const void *in[2] = {c.a, c.b};
    void *out_ref[1] = {y_ref}, *out_opt[1] = {y_opt};
    memset(y_ref, 0x55, sizeof y_ref);
    memset(y_opt, 0x55, sizeof y_opt);
    assert_int_equal(tart_mul_s8(&c.p, in, out_ref, NULL), TART_OK);
    assert_int_equal(tart_mul_s8_fast(&c.p, in, out_opt, NULL), TART_OK);
    if (memcmp(y_ref, y_opt, sizeof y_ref) != 0) {
      int32_t i = 0;
      while (y_ref[i] == y_opt[i])
        i++;
      fail_msg("mul_s8_fast: scales %g %g -> %g, zps %d %d -> %d, clamp [%d, %d], broadcast %d, "
               "n %d: byte %d is %d, reference %d",
               (double)c.sa, (double)c.sb, (double)c.so, (int)-c.p.in1_neg_zp, (int)-c.p.in2_neg_zp,
               (int)c.p.out_zp, (int)c.p.clamp.min, (int)c.p.clamp.max, (int)c.bc, (int)c.n, (int)i,
               (int)y_opt[i], (int)y_ref[i]);
    }
  }
  assert_true(runs > 1000 && sat > 300);
}

/* An int8 ADD of two [1, n] inputs compiled with the given size option: its variant's name
 * and kernel. */
static void add_variant(int32_t n, bool optimize_size, const char **name, int32_t *kernel) {
  tfb *b = tfb_new();
  const int32_t d[2] = {1, n};
  const int x = tfb_tensor(b, "x", TFB_INT8, 2, d, 0);
  const int w = tfb_tensor(b, "w", TFB_INT8, 2, d, 0);
  const int y = tfb_tensor(b, "y", TFB_INT8, 2, d, 0);
  tfb_quant(b, x, 1, (float[]){0.05f}, (int64_t[]){3}, 0);
  tfb_quant(b, w, 1, (float[]){0.02f}, (int64_t[]){-7}, 0);
  tfb_quant(b, y, 1, (float[]){0.06f}, (int64_t[]){-128}, 0);
  const int op = tfb_op(b, TFB_OP_ADD, (int[]){x, w}, 2, (int[]){y}, 1);
  tfb_add_options(b, op, TFB_ACT_RELU);
  tfb_io(b, (int[]){x, w}, 2, (int[]){y}, 1);
  size_t len;
  uint8_t *m = tt_finish(b, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  o.optimize_size = optimize_size;
  tt_run r;
  tt_assert_status(&r.cap, tt_compile(&r, "add.tflite", m, len, &o), TA_OK);
  *name = r.calls[0].variant ? r.calls[0].variant->name : "(none)";
  *kernel = r.calls[0].kernel;
  tt_done(&r);
  free(m);
}

static void test_add_table_heuristic(void **state) {
  (void)state;
  const char *name;
  int32_t kernel;
  add_variant(127, false, &name, &kernel); /* 2 KB of tables for 127 elements: not worth it */
  assert_string_equal(name, "ref");
  assert_int_equal(kernel, TA_K_add_s8);
  add_variant(128, false, &name, &kernel);
  assert_string_equal(name, "table");
  assert_int_equal(kernel, TA_K_add_s8_table);
  add_variant(16384, true, &name, &kernel); /* --optimize size: never */
  assert_string_equal(name, "ref");
  assert_int_equal(kernel, TA_K_add_s8);
}

/* A random pool geometry whose every window has at least one tap inside the input. */
static void rnd_pool(tart_pool_params *p) {
  memset(p, 0, sizeof *p);
  p->batches = rnd_in(1, 2);
  p->in_h = rnd_in(1, 12);
  p->in_w = rnd_in(1, 12);
  p->channels = rnd_in(1, 3) == 1 ? rnd_in(1, 4) * 4 : rnd_in(1, 21);
  p->win.filter_h = rnd_in(1, 4);
  p->win.filter_w = rnd_in(1, 4);
  if (next() % 3 == 0) /* the gesture model's 2x1 windows, stride 2 */
    p->win.filter_h = 2, p->win.filter_w = 1, p->win.stride_h = 2, p->win.stride_w = 1;
  else
    p->win.stride_h = rnd_in(1, 3), p->win.stride_w = rnd_in(1, 3);
  p->win.dilation_h = next() % 4 == 0 ? rnd_in(2, 3) : 1;
  p->win.dilation_w = next() % 4 == 0 ? rnd_in(2, 3) : 1;
  int32_t ekh = (p->win.filter_h - 1) * p->win.dilation_h + 1;
  int32_t ekw = (p->win.filter_w - 1) * p->win.dilation_w + 1;
  /* Padding below the window's extent, so no window is all padding. */
  p->win.pad_h = next() % 2 ? rnd_in(0, ekh - 1) : 0;
  p->win.pad_w = next() % 2 ? rnd_in(0, ekw - 1) : 0;
  p->out_h = (p->in_h + 2 * p->win.pad_h - ekh) / p->win.stride_h + 1;
  p->out_w = (p->in_w + 2 * p->win.pad_w - ekw) / p->win.stride_w + 1;
  if (p->out_h < 1)
    p->out_h = 1;
  if (p->out_w < 1)
    p->out_w = 1;
  if (next() % 10 == 0) { /* a global pool, up to 400 taps (past the int16 lanes' 256) */
    p->in_h = p->win.filter_h = rnd_in(8, 20);
    p->in_w = p->win.filter_w = rnd_in(8, 20);
    p->win.stride_h = p->win.stride_w = 1;
    p->win.dilation_h = p->win.dilation_w = 1;
    p->win.pad_h = p->win.pad_w = 0;
    p->out_h = p->out_w = 1;
    ekh = p->in_h, ekw = p->in_w;
  }
  /* ONNX's count_include_pad, with the padding after each axis the output implies. */
  p->count_include_pad = next() % 3 == 0;
  const int32_t pb = (p->out_h - 1) * p->win.stride_h + ekh - p->in_h - p->win.pad_h;
  const int32_t pr = (p->out_w - 1) * p->win.stride_w + ekw - p->in_w - p->win.pad_w;
  p->pad_bottom = pb > 0 ? pb : 0;
  p->pad_right = pr > 0 ? pr : 0;
  p->clamp.min = -128, p->clamp.max = 127;
  if (next() % 3 == 0) {
    p->clamp.min = rnd_in(-128, 20);
    p->clamp.max = rnd_in(p->clamp.min, 127);
  }
}

/* Whether every window of p has a tap inside the input (the average needs one). */
static int windows_nonempty(const tart_pool_params *p) {
  for (int32_t axis = 0; axis < 2; axis++) {
    const int32_t out = axis ? p->out_w : p->out_h, in = axis ? p->in_w : p->in_h;
    const int32_t f = axis ? p->win.filter_w : p->win.filter_h;
    const int32_t d = axis ? p->win.dilation_w : p->win.dilation_h;
    const int32_t s = axis ? p->win.stride_w : p->win.stride_h;
    const int32_t pad = axis ? p->win.pad_w : p->win.pad_h;
    for (int32_t o = 0; o < out; o++) {
      int any = 0;
      for (int32_t k = 0; k < f; k++) {
        const int32_t i = o * s - pad + k * d;
        any |= i >= 0 && i < in;
      }
      if (!any)
        return 0;
    }
  }
  return 1;
}

typedef tart_status (*pool_fn)(const tart_pool_params *, const void *const *, void *const *,
                               void *);

static void pool_pair(pool_fn ref, pool_fn opt, const char *name, int need_taps) {
  static int8_t x[2 * 20 * 20 * 21], y_ref[2 * 20 * 20 * 21], y_opt[2 * 20 * 20 * 21];
  int checked = 0;
  for (int iter = 0; iter < 1500; iter++) {
    tart_pool_params p;
    rnd_pool(&p);
    if (need_taps && !windows_nonempty(&p))
      continue;
    const int32_t n_in = p.batches * p.in_h * p.in_w * p.channels;
    const int32_t n_out = p.batches * p.out_h * p.out_w * p.channels;
    for (int32_t i = 0; i < n_in; i++)
      x[i] = (int8_t)(next() % 4 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
    memset(y_ref, 0x55, sizeof y_ref);
    memset(y_opt, 0x55, sizeof y_opt);
    const void *in[1] = {x};
    void *out_ref[1] = {y_ref}, *out_opt[1] = {y_opt};
    assert_int_equal(ref(&p, in, out_ref, NULL), TART_OK);
    assert_int_equal(opt(&p, in, out_opt, NULL), TART_OK);
    if (memcmp(y_ref, y_opt, sizeof y_ref) != 0) {
      int32_t i = 0;
      while (y_ref[i] == y_opt[i])
        i++;
      fail_msg("%s: in %dx%dx%dx%d filter %dx%d stride %d,%d dilation %d,%d pad %d,%d out %dx%d "
               "clamp [%d, %d]: byte %d of %d is %d, reference %d",
               name, (int)p.batches, (int)p.in_h, (int)p.in_w, (int)p.channels, (int)p.win.filter_h,
               (int)p.win.filter_w, (int)p.win.stride_h, (int)p.win.stride_w, (int)p.win.dilation_h,
               (int)p.win.dilation_w, (int)p.win.pad_h, (int)p.win.pad_w, (int)p.out_h,
               (int)p.out_w, (int)p.clamp.min, (int)p.clamp.max, (int)i, (int)n_out, (int)y_opt[i],
               (int)y_ref[i]);
    }
    checked++;
  }
  assert_true(checked > 1000);
}

static void test_maxpool_s8_opt(void **state) {
  (void)state;
  pool_pair(tart_maxpool_s8, tart_maxpool_s8_opt, "maxpool_s8_opt", 0);
}

static void test_avgpool_s8_opt(void **state) {
  (void)state;
  pool_pair(tart_avgpool_s8, tart_avgpool_s8_opt, "avgpool_s8_opt", 1);
}

/* ---- the same cases on the emulated Cortex-M4 ---- */

/* The harness: a batch of records at arg (int32 words: the count, then per record its kind,
 * its length in words and its fields), outputs from arg + 0x20000, each padded to 4 bytes.
 * Pools and ADD make their inputs on the board from a seed (xorshift) and run the reference
 * and the variant on them: the output is one int32, 0 when both gave the same bytes, else 1 +
 * the index of the first difference (what crosses the emulated UART stays small). The ADD
 * tables are built there too, as the compiler builds them (twice add_s8's scaled input, with
 * tart_fixedpoint.h's arithmetic). QUANTIZE gets its floats and returns the kernel's bytes,
 * which the host checks against its own rounding. Returns the number of records, or < 0 when a
 * kernel refused its parameters. */
static const char harness_src[] =
    "#include <stdint.h>\n"
    "#include <string.h>\n"
    "#include \"tart.h\"\n"
    "#include \"tart_fixedpoint.h\"\n"
    "static int8_t x[16800], y[16800], r1[16800], r2[16800];\n"
    "static int32_t table[512];\n"
    "static uint32_t rng;\n"
    "static int8_t rnd8(void) {\n"
    "  rng ^= rng << 13;\n"
    "  rng ^= rng >> 17;\n"
    "  rng ^= rng << 5;\n"
    "  /* a quarter of the values at the int8 limits */\n"
    "  return (int8_t)((rng & 3) == 0 ? ((rng & 4) ? 127 : -128) : (int32_t)(rng >> 24) - 128);\n"
    "}\n"
    "static int32_t first_diff(int32_t n) {\n"
    "  for (int32_t i = 0; i < n; i++)\n"
    "    if (r1[i] != r2[i])\n"
    "      return i + 1;\n"
    "  return 0;\n"
    "}\n"
    "static void pool_from(const int32_t *f, tart_pool_params *p) {\n"
    "  memset(p, 0, sizeof *p);\n"
    "  p->batches = f[0], p->in_h = f[1], p->in_w = f[2], p->channels = f[3];\n"
    "  p->out_h = f[4], p->out_w = f[5], p->win.filter_h = f[6], p->win.filter_w = f[7];\n"
    "  p->win.stride_h = f[8], p->win.stride_w = f[9], p->win.pad_h = f[10], p->win.pad_w = "
    "f[11];\n"
    "  p->win.dilation_h = f[12], p->win.dilation_w = f[13], p->clamp.min = f[14];\n"
    "  p->clamp.max = f[15], p->count_include_pad = f[16], p->pad_bottom = f[17];\n"
    "  p->pad_right = f[18];\n"
    "}\n"
    "static int8_t *pad(int8_t *o, int32_t used) {\n"
    "  for (int32_t i = used; i < ((used + 3) & ~3); i++)\n"
    "    o[i] = 0;\n"
    "  return o + ((used + 3) & ~3);\n"
    "}\n"
    "int32_t kt_entry(uint32_t arg) {\n"
    "  const int32_t *w = (const int32_t *)(uintptr_t)arg;\n"
    "  int8_t *o = (int8_t *)(uintptr_t)(arg + 0x20000u);\n"
    "  const int32_t n = *w++;\n"
    "  for (int32_t k = 0; k < n; k++) {\n"
    "    const int32_t kind = w[0], words = w[1];\n"
    "    const int32_t *f = w + 2;\n"
    "    tart_status s1 = TART_OK, s2 = TART_OK;\n"
    "    int32_t diff = 0;\n"
    "    if (kind == 1 || kind == 2) {\n"
    "      tart_pool_params p;\n"
    "      pool_from(f, &p);\n"
    "      const int32_t n_in = p.batches * p.in_h * p.in_w * p.channels;\n"
    "      const int32_t n_out = p.batches * p.out_h * p.out_w * p.channels;\n"
    "      if (n_in < 0 || n_in > 16800 || n_out < 0 || n_out > 16800)\n"
    "        return -2000;\n"
    "      rng = (uint32_t)f[19];\n"
    "      for (int32_t i = 0; i < n_in; i++)\n"
    "        x[i] = rnd8();\n"
    "      const void *in[1] = {x};\n"
    "      void *o1[1] = {r1}, *o2[1] = {r2};\n"
    "      memset(r1, 0x55, (size_t)n_out);\n"
    "      memset(r2, 0x66, (size_t)n_out);\n"
    "      s1 = kind == 1 ? tart_maxpool_s8(&p, in, o1, 0) : tart_avgpool_s8(&p, in, o1, 0);\n"
    "      s2 = kind == 1 ? tart_maxpool_s8_opt(&p, in, o2, 0) : tart_avgpool_s8_opt(&p, in, o2, "
    "0);\n"
    "      diff = first_diff(n_out);\n"
    "    } else if (kind == 3) {\n"
    "      tart_binary_params p;\n"
    "      memset(&p, 0, sizeof p);\n"
    "      const int32_t m = f[1];\n"
    "      if (m < 0 || m > 16800)\n"
    "        return -2000;\n"
    "      p.broadcast = f[0];\n"
    "      for (int i = 0; i < 6; i++)\n"
    "        p.out_dims[i] = 1;\n"
    "      p.out_dims[5] = m, p.in1_strides[5] = f[18], p.in2_strides[5] = f[19], p.n_elems = m;\n"
    "      p.in1_neg_zp = f[2], p.in2_neg_zp = f[3], p.out_zp = f[4], p.pre_shift_left = f[5];\n"
    "      p.in1_mult = f[6], p.in1_shift_left = f[7], p.in2_mult = f[8];\n"
    "      p.in2_shift_left = f[9], p.out_mult = f[10], p.out_shift_left = f[11];\n"
    "      p.clamp.min = f[12], p.clamp.max = f[13], p.n_fq = f[14], p.fq = f + 15;\n"
    "      for (int32_t v = -128; v < 128; v++) {\n"
    "        table[128 + v] = 2 * tart_mul_by_quantized_mult_smaller_than_one(\n"
    "            tart_shl_wrap(v + p.in1_neg_zp, p.pre_shift_left), p.in1_mult, "
    "p.in1_shift_left);\n"
    "        table[384 + v] = 2 * tart_mul_by_quantized_mult_smaller_than_one(\n"
    "            tart_shl_wrap(v + p.in2_neg_zp, p.pre_shift_left), p.in2_mult, "
    "p.in2_shift_left);\n"
    "      }\n"
    "      p.table = table, p.n_table = 512;\n"
    "      rng = (uint32_t)f[20];\n"
    "      for (int32_t i = 0; i < m; i++)\n"
    "        x[i] = rnd8(), y[i] = rnd8();\n"
    "      const void *in[2] = {x, y};\n"
    "      void *o1[1] = {r1}, *o2[1] = {r2};\n"
    "      memset(r1, 0x55, (size_t)m);\n"
    "      memset(r2, 0x66, (size_t)m);\n"
    "      s1 = tart_add_s8(&p, in, o1, 0);\n"
    "      s2 = tart_add_s8_table(&p, in, o2, 0);\n"
    "      diff = first_diff(m);\n"
    "    } else if (kind == 5) {\n"
    "      tart_binary_params p;\n"
    "      memset(&p, 0, sizeof p);\n"
    "      const int32_t m = f[1];\n"
    "      if (m < 0 || m > 16800)\n"
    "        return -2000;\n"
    "      p.broadcast = f[0];\n"
    "      for (int i = 0; i < 6; i++)\n"
    "        p.out_dims[i] = 1;\n"
    "      p.out_dims[5] = m, p.in1_strides[5] = f[12], p.in2_strides[5] = f[13], p.n_elems = m;\n"
    "      p.in1_neg_zp = f[2], p.in2_neg_zp = f[3], p.out_zp = f[4], p.out_mult = f[5];\n"
    "      p.out_shift_left = f[6], p.clamp.min = f[7], p.clamp.max = f[8], p.n_fq = 3;\n"
    "      p.fq = f + 9;\n"
    "      rng = (uint32_t)f[14];\n"
    "      for (int32_t i = 0; i < m; i++)\n"
    "        x[i] = rnd8(), y[i] = rnd8();\n"
    "      const void *in[2] = {x, y};\n"
    "      void *o1[1] = {r1}, *o2[1] = {r2};\n"
    "      memset(r1, 0x55, (size_t)m);\n"
    "      memset(r2, 0x66, (size_t)m);\n"
    "      s1 = tart_mul_s8(&p, in, o1, 0);\n"
    "      s2 = tart_mul_s8_fast(&p, in, o2, 0);\n"
    "      diff = first_diff(m);\n"
    "    } else if (kind == 4) {\n"
    "      tart_qlinear_params p;\n"
    "      memset(&p, 0, sizeof p);\n"
    "      float scale;\n"
    "      const int32_t zp = f[2];\n"
    "      memcpy(&scale, f + 1, 4);\n"
    "      p.n_elems = f[0], p.channels = 1, p.inner = 1, p.qmin = f[3], p.qmax = f[4];\n"
    "      p.scale = &scale, p.zp = &zp;\n"
    "      const void *in[1] = {f + 5};\n"
    "      void *r[1] = {o};\n"
    "      s1 = tart_quantize_linear_f32_s8(&p, in, r, 0);\n"
    "      o = pad(o, f[0]);\n"
    "    } else if (kind == 6) {\n"
    "      tart_unary_params p;\n"
    "      memset(&p, 0, sizeof p);\n"
    "      p.n_elems = f[0], p.out_zp = f[2], p.clamp.min = f[3], p.clamp.max = f[4];\n"
    "      memcpy(&p.scale, f + 1, 4);\n"
    "      const void *in[1] = {f + 5};\n"
    "      void *r[1] = {o};\n"
    "      s1 = tart_quantize_f32_s8(&p, in, r, 0);\n"
    "      o = pad(o, f[0]);\n"
    "    } else {\n"
    "      return -1000;\n"
    "    }\n"
    "    if (s1 != TART_OK || s2 != TART_OK)\n"
    "      return -1 - k;\n"
    "    if (kind != 4 && kind != 6) {\n"
    "      memcpy(o, &diff, 4);\n"
    "      o += 4;\n"
    "    }\n"
    "    w += words;\n"
    "  }\n"
    "  return n;\n"
    "}\n";

/* One batch: the records (input words), the outputs the host expects, and per record where
 * its output starts and what it was (for a failure's message). */
#define BATCH_BYTES 0x1f000u
typedef struct batch {
  int32_t in[BATCH_BYTES / 4];
  int32_t n_words; /* in[0] is the record count */
  int8_t want[BATCH_BYTES];
  int32_t n_want;
  int32_t at[512];
  char what[512][320];
} batch;

static void batch_reset(batch *b) {
  b->in[0] = 0, b->n_words = 1, b->n_want = 0;
}

/* Room for a record of `words` words and `out` output bytes (padded)? */
static bool batch_fits(const batch *b, int32_t words, int32_t out) {
  return b->in[0] < 512 && (size_t)(b->n_words + words + 2) * 4 <= BATCH_BYTES &&
         (size_t)(b->n_want + out + 4) <= BATCH_BYTES;
}

static void batch_record(batch *b, int32_t kind, const int32_t *fields, int32_t n_fields,
                         const void *data, int32_t data_bytes, const int8_t *want,
                         int32_t want_bytes, const char *what) {
  const int32_t data_words = (data_bytes + 3) / 4;
  int32_t *r = b->in + b->n_words;
  r[0] = kind, r[1] = 2 + n_fields + data_words;
  memcpy(r + 2, fields, (size_t)n_fields * 4);
  memset(r + 2 + n_fields, 0, (size_t)data_words * 4);
  if (data_bytes > 0)
    memcpy(r + 2 + n_fields, data, (size_t)data_bytes);
  b->n_words += r[1];
  b->at[b->in[0]] = b->n_want;
  snprintf(b->what[b->in[0]], sizeof b->what[0], "%s", what);
  b->in[0]++;
  memset(b->want + b->n_want, 0, (size_t)((want_bytes + 3) & ~3));
  memcpy(b->want + b->n_want, want, (size_t)want_bytes);
  b->n_want += (want_bytes + 3) & ~3;
}

typedef struct board {
  ta_ctx ctx;
  tt_capture cap;
  ta_tune_board *tb;
  ta_fw_info info;
  ta_blob blob;
  int runs;
} board;

static void batch_run(board *bd, batch *b) {
  if (b->in[0] == 0)
    return;
  static int8_t got[BATCH_BYTES];
  ta_call_result r;
  const uint32_t arg = bd->info.tensor_base;
  memset(got, 0x55, sizeof got);
  if (ta_tune_board_run(bd->tb, &bd->blob, arg, b->in, (size_t)b->n_words * 4, arg, got,
                        (size_t)b->n_want, arg + 0x20000u, 1, &r) != TA_OK)
    fail_msg("run on the board: %s", bd->cap.text);
  assert_int_equal(r.ret, b->in[0]);
  if (memcmp(got, b->want, (size_t)b->n_want) != 0) {
    int32_t i = 0, k = 0;
    while (got[i] == b->want[i])
      i++;
    while (k + 1 < b->in[0] && b->at[k + 1] <= i)
      k++;
    fail_msg("Cortex-M4: %s: output byte %d is %d, expected %d", b->what[k], (int)(i - b->at[k]),
             (int)got[i], (int)b->want[i]);
  }
  bd->runs += b->in[0];
  batch_reset(b);
}

/* The board's answer for a pool or ADD record: 0, both kernels gave the same bytes. */
static const int8_t same[4] = {0, 0, 0, 0};

static void qemu_pools(board *bd, batch *b, int avg) {
  for (int iter = 0; iter < 300; iter++) {
    tart_pool_params p;
    rnd_pool(&p);
    if (avg && !windows_nonempty(&p))
      continue;
    const int32_t f[20] = {p.batches,
                           p.in_h,
                           p.in_w,
                           p.channels,
                           p.out_h,
                           p.out_w,
                           p.win.filter_h,
                           p.win.filter_w,
                           p.win.stride_h,
                           p.win.stride_w,
                           p.win.pad_h,
                           p.win.pad_w,
                           p.win.dilation_h,
                           p.win.dilation_w,
                           p.clamp.min,
                           p.clamp.max,
                           p.count_include_pad,
                           p.pad_bottom,
                           p.pad_right,
                           (int32_t)(next() | 1u)};
    char what[320];
    snprintf(what, sizeof what,
             "%s: in %dx%dx%dx%d filter %dx%d stride %d,%d dilation %d,%d pad %d,%d clamp [%d,%d] "
             "include_pad %d, input seed %d (the answer: 1 + the first byte that differs)",
             avg ? "avgpool_s8_opt" : "maxpool_s8_opt", (int)p.batches, (int)p.in_h, (int)p.in_w,
             (int)p.channels, (int)p.win.filter_h, (int)p.win.filter_w, (int)p.win.stride_h,
             (int)p.win.stride_w, (int)p.win.dilation_h, (int)p.win.dilation_w, (int)p.win.pad_h,
             (int)p.win.pad_w, (int)p.clamp.min, (int)p.clamp.max, (int)p.count_include_pad,
             (int)f[19]);
    if (!batch_fits(b, 20, 4))
      batch_run(bd, b);
    batch_record(b, avg ? 2 : 1, f, 20, NULL, 0, same, 4, what);
  }
  batch_run(bd, b);
}

static void qemu_add(board *bd, batch *b) {
  static add_case c;
  for (int iter = 0; iter < 450; iter++) {
    if (!rnd_add(&c))
      continue;
    const tart_binary_params *p = &c.p;
    const int32_t f[21] = {p->broadcast,
                           c.n,
                           p->in1_neg_zp,
                           p->in2_neg_zp,
                           p->out_zp,
                           p->pre_shift_left,
                           p->in1_mult,
                           p->in1_shift_left,
                           p->in2_mult,
                           p->in2_shift_left,
                           p->out_mult,
                           p->out_shift_left,
                           p->clamp.min,
                           p->clamp.max,
                           p->n_fq,
                           c.fq[0],
                           c.fq[1],
                           c.fq[2],
                           p->broadcast ? p->in1_strides[5] : 1,
                           p->broadcast ? p->in2_strides[5] : 1,
                           (int32_t)(next() | 1u)};
    char what[320];
    snprintf(what, sizeof what,
             "add_s8_table: scales %g %g -> %g, zps %d %d -> %d, clamp [%d, %d], fast %d, "
             "broadcast %d, n %d, input seed %d (the answer: 1 + the first byte that differs)",
             (double)c.sa, (double)c.sb, (double)c.so, (int)-p->in1_neg_zp, (int)-p->in2_neg_zp,
             (int)p->out_zp, (int)p->clamp.min, (int)p->clamp.max, (int)c.use_fast, (int)c.bc,
             (int)c.n, (int)f[20]);
    if (!batch_fits(b, 21, 4))
      batch_run(bd, b);
    batch_record(b, 3, f, 21, NULL, 0, same, 4, what);
  }
  batch_run(bd, b);
}

static void qemu_mul(board *bd, batch *b) {
  static add_case c;
  for (int iter = 0; iter < 450; iter++) {
    if (!rnd_mul(&c))
      continue;
    const tart_binary_params *p = &c.p;
    const int32_t f[15] = {p->broadcast,
                           c.n,
                           p->in1_neg_zp,
                           p->in2_neg_zp,
                           p->out_zp,
                           p->out_mult,
                           p->out_shift_left,
                           p->clamp.min,
                           p->clamp.max,
                           c.fq[0],
                           c.fq[1],
                           c.fq[2],
                           p->broadcast ? p->in1_strides[5] : 1,
                           p->broadcast ? p->in2_strides[5] : 1,
                           (int32_t)(next() | 1u)};
    char what[320];
    snprintf(what, sizeof what,
             "mul_s8_fast: scales %g %g -> %g, zps %d %d -> %d, clamp [%d, %d], broadcast %d, "
             "n %d, input seed %d (the answer: 1 + the first byte that differs)",
             (double)c.sa, (double)c.sb, (double)c.so, (int)-p->in1_neg_zp, (int)-p->in2_neg_zp,
             (int)p->out_zp, (int)p->clamp.min, (int)p->clamp.max, (int)c.bc, (int)c.n, (int)f[14]);
    if (!batch_fits(b, 15, 4))
      batch_run(bd, b);
    batch_record(b, 5, f, 15, NULL, 0, same, 4, what);
  }
  batch_run(bd, b);
}

static void qemu_quantize(board *bd, batch *b) {
  static float x[4096];
  static int8_t y[4096];
  const int32_t n = edge_values(x, 4096);
  for (int iter = 0; iter < 8; iter++) {
    /* The edges at ordinary scales, then random values at any scale. */
    const float scale = iter < 6 ? (float[]){1.0f, 0.5f, 2.0f, 0.25f, 1.0f / 3.0f, 0.1f}[iter]
                                 : fabsf(rnd_float(-126, 127));
    const int32_t zp = rnd_in(-128, 127);
    if (iter >= 6)
      for (int32_t i = 0; i < n; i++)
        x[i] = next() % 2 ? scale * (float)((int32_t)(next() % 1200) - 600) * 0.5f
                          : scale * rnd_float(-6, 9);
    for (int32_t i = 0; i < n; i++)
      y[i] = (int8_t)expect_quantize(x[i], scale, zp, -128, 127);
    int32_t f[5] = {n, 0, zp, -128, 127};
    memcpy(&f[1], &scale, 4);
    char what[320];
    snprintf(what, sizeof what, "quantize_linear_f32_s8: scale %a zp %d (the value at that index)",
             (double)scale, (int)zp);
    if (!batch_fits(b, 5 + n, n))
      batch_run(bd, b);
    batch_record(b, 4, f, 5, x, 4 * n, y, n, what);
    /* TFLite's QUANTIZE (half away from zero), a narrower clamp on odd iterations. */
    f[3] = iter % 2 ? -100 : -128, f[4] = iter % 2 ? 90 : 127;
    for (int32_t i = 0; i < n; i++)
      y[i] = (int8_t)expect_tfl_quantize(x[i], scale, zp, f[3], f[4]);
    snprintf(what, sizeof what, "quantize_f32_s8: scale %a zp %d (the value at that index)",
             (double)scale, (int)zp);
    if (!batch_fits(b, 5 + n, n))
      batch_run(bd, b);
    batch_record(b, 6, f, 5, x, 4 * n, y, n, what);
  }
  batch_run(bd, b);
}

static bool on_path(const char *tool) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return system(cmd) == 0;
}

static char work_dir[4096];
static const char *source_dir;

static void test_qemu_kernels(void **state) {
  (void)state;
  static board bd;
  static batch b;
  memset(&bd.cap, 0, sizeof bd.cap);
  ta_ctx_init(&bd.ctx, NULL, NULL, tt_capture_sink, &bd.cap);
  const ta_board *brd = ta_board_find("cortex-m4");
  assert_non_null(brd);
  if (ta_tune_board_open(&bd.ctx, brd, NULL, work_dir, &bd.tb, &bd.info) != TA_OK)
    fail_msg("open: %s", bd.cap.text);
  assert_true(bd.info.tensor_bytes >= 0x40000u);
  /* The harness and the runtime sources it calls, from the source tree. */
  static const char *const srcs[] = {"binary.c", "pool_s8.c", "pool_s8_opt.c", "qlinear.c",
                                     "unary_f32.c"};
  enum { N_SRCS = sizeof srcs / sizeof srcs[0] };
  const char *sources[N_SRCS], *includes[1];
  for (int i = 0; i < N_SRCS; i++)
    sources[i] = ta_fmt(&bd.ctx, "%s/runtime/src/%s", source_dir, srcs[i]);
  includes[0] = ta_fmt(&bd.ctx, "%s/runtime/include", source_dir);
  ta_fileset fs;
  memset(&fs, 0, sizeof fs);
  ta_file harness = {"kt_harness.c", harness_src, strlen(harness_src)};
  fs.files = &harness, fs.n = fs.cap = 1;
  fs.build.sources = sources, fs.build.n_sources = N_SRCS;
  fs.build.include_dirs = includes, fs.build.n_include_dirs = 1;
  if (ta_blob_build(&bd.ctx, brd, &fs, "kt_entry", bd.info.code_base, bd.info.code_bytes, NULL,
                    &bd.blob) != TA_OK)
    fail_msg("blob: %s", bd.cap.text);
  batch_reset(&b);
  qemu_pools(&bd, &b, 0);
  const int pools = bd.runs;
  qemu_pools(&bd, &b, 1);
  const int avg = bd.runs - pools;
  qemu_add(&bd, &b);
  const int adds = bd.runs - pools - avg;
  qemu_mul(&bd, &b);
  const int muls = bd.runs - pools - avg - adds;
  qemu_quantize(&bd, &b);
  printf("Cortex-M4: %d max pools, %d average pools, %d ADDs, %d MULs, %d quantize runs\n", pools,
         avg, adds, muls, bd.runs - pools - avg - adds - muls);
  assert_true(pools > 250 && avg > 200 && adds > 300 && muls > 150 &&
              bd.runs - pools - avg - adds - muls == 16);
  ta_tune_board_close(bd.tb);
  ta_ctx_free(&bd.ctx);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--qemu") == 0) {
    const char *qemu = getenv("TA_QEMU");
    source_dir = getenv("TA_SOURCE_DIR");
    if (!on_path(qemu && *qemu ? qemu : "qemu-system-arm") || !on_path("arm-none-eabi-gcc") ||
        !source_dir) {
      printf("skipped: qemu-system-arm, arm-none-eabi-gcc or TA_SOURCE_DIR is missing\n");
      return 77;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(work_dir, sizeof work_dir, "%s/tinyaot-kernels-elt-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(work_dir))
      return 1;
    const struct CMUnitTest qemu_tests[] = {cmocka_unit_test(test_qemu_kernels)};
    const int rc = cmocka_run_group_tests(qemu_tests, NULL, NULL);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work_dir);
    if (system(cmd) != 0)
      printf("could not remove %s\n", work_dir);
    return rc;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quantize_linear_edges),
      cmocka_unit_test(test_quantize_linear_random),
      cmocka_unit_test(test_quantize_tflite),
      cmocka_unit_test(test_quantize_linear_narrow_clamp),
      cmocka_unit_test(test_qlinear_channel_runs),
      cmocka_unit_test(test_add_s8_table),
      cmocka_unit_test(test_add_table_heuristic),
      cmocka_unit_test(test_mul_s8_fast),
      cmocka_unit_test(test_maxpool_s8_opt),
      cmocka_unit_test(test_avgpool_s8_opt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
