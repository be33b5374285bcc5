/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kernels_elt.c: the element-wise and pooling kernels called directly, against
 * expectations computed here independently of the runtime's arithmetic:
 * - quantize_linear_f32_* (ONNX QuantizeLinear): the float division, then ties to even done in
 *   double with nearbyint (the host's default rounding mode), NaN to the zero point, the
 *   clamp; on edge values (every half-integer up to +-300, the neighbours of each, the
 *   fast path's +-128 boundary, NaN, infinities, subnormals, huge values) and random ones, for
 *   every output type, per tensor and per channel, extreme scales.
 * - add_s8_table (doubled tables, the fast requantization or not, the saturating and the
 *   clamping rows, unit strides with odd lengths, an input broadcast along the row) against
 *   add_s8, the reference (test_ops_eltwise checks it against TFLite's values), over random
 *   scales from 1e-4 to 10 (multipliers up to the limit TFLite accepts), zero points, clamps;
 *   tables and constants built here from the kernel's specification (defs/elementwise.def);
 *   and the default choice between it and the reference (the 2 KB of tables only where they
 *   pay: enough elements, not under --optimize size).
 * - the int8 pooling variants (maxpool_s8_opt, avgpool_s8_opt) against the reference kernels
 *   (pool_s8.c, which test_ops_pool checks against TFLite's values) byte for byte, over random
 *   windows, strides, dilations, paddings (interior and border windows), clamps, batches and
 *   channel counts (the four-lane paths on DSP cores, the scalar ones elsewhere).
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

#include "ta_quant.h"
#include "ta_schedule.h"
#include "tart.h"
#include "tart_fixedpoint.h"
#include "tt_pipeline.h"

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

static void test_add_s8_table(void **state) {
  (void)state;
  static const float scales[] = {1e-4f, 0.001f, 0.0123f, 0.05f, 0.3f, 1.0f, 10.0f};
  static int8_t a[300], b[300], y_ref[300], y_opt[300];
  int32_t table[512], fq[3];
  int fast = 0, general = 0, sat = 0;
  for (int iter = 0; iter < 3000; iter++) {
    tart_binary_params p;
    memset(&p, 0, sizeof p);
    const float sa = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
    const float sb = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
    const float so = scales[next() % 7] * (1.0f + (float)(next() % 100) / 100.0f);
    if (!add_params(sa, sb, so, &p))
      continue;
    p.in1_neg_zp = -rnd_in(-128, 127), p.in2_neg_zp = -rnd_in(-128, 127);
    p.out_zp = rnd_in(-128, 127);
    p.clamp.min = -128, p.clamp.max = 127;
    if (next() % 2) { /* a fused RELU-like clamp: sometimes the whole range again */
      p.clamp.min = next() % 3 ? p.out_zp : -128;
      p.clamp.max = next() % 3 ? 127 : rnd_in(p.clamp.min, 127);
    }
    /* The tables: twice add_s8's scaled input for every byte. */
    int64_t m1 = 0, m2 = 0;
    for (int32_t v = -128; v < 128; v++) {
      const int32_t x1 = tart_mul_by_quantized_mult_smaller_than_one((v + p.in1_neg_zp) * (1 << 20),
                                                                     p.in1_mult, p.in1_shift_left);
      const int32_t x2 = tart_mul_by_quantized_mult_smaller_than_one((v + p.in2_neg_zp) * (1 << 20),
                                                                     p.in2_mult, p.in2_shift_left);
      table[128 + v] = 2 * x1, table[384 + v] = 2 * x2;
      m1 = llabs((int64_t)x1) > m1 ? llabs((int64_t)x1) : m1;
      m2 = llabs((int64_t)x2) > m2 ? llabs((int64_t)x2) : m2;
    }
    p.table = table, p.n_table = 512;
    const int use_fast =
        next() % 4 != 0 && ta_requant_fast_one(m1 + m2, p.out_mult, p.out_shift_left, p.out_zp, fq);
    p.fq = use_fast ? fq : NULL, p.n_fq = use_fast ? 3 : 0;
    (*(use_fast ? &fast : &general))++;
    sat += use_fast && p.clamp.min == -128 && p.clamp.max == 127;
    /* One row of n; a (or b) broadcast along it every fifth time. */
    const int32_t n = rnd_in(1, 300);
    const int bc = (int)(next() % 5);
    for (int32_t i = 0; i < n; i++) {
      a[i] = (int8_t)(next() % 8 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
      b[i] = (int8_t)(next() % 8 == 0 ? (next() % 2 ? 127 : -128) : (int32_t)(next() >> 24) - 128);
    }
    if (bc >= 3) {
      p.broadcast = 1;
      for (int k = 0; k < 6; k++)
        p.out_dims[k] = 1, p.in1_strides[k] = 0, p.in2_strides[k] = 0;
      p.out_dims[5] = n;
      p.in1_strides[5] = bc == 3 ? 0 : 1;
      p.in2_strides[5] = bc == 3 ? 1 : 0;
    } else {
      p.n_elems = n;
    }
    const void *in[2] = {a, b};
    void *out_ref[1] = {y_ref}, *out_opt[1] = {y_opt};
    memset(y_ref, 0x55, sizeof y_ref);
    memset(y_opt, 0x55, sizeof y_opt);
    assert_int_equal(tart_add_s8(&p, in, out_ref, NULL), TART_OK);
    assert_int_equal(tart_add_s8_table(&p, in, out_opt, NULL), TART_OK);
    if (memcmp(y_ref, y_opt, sizeof y_ref) != 0) {
      int32_t i = 0;
      while (y_ref[i] == y_opt[i])
        i++;
      fail_msg("add_s8_table: scales %g %g -> %g, zps %d %d -> %d, clamp [%d, %d], fast %d, "
               "broadcast %d, n %d: byte %d is %d, reference %d",
               (double)sa, (double)sb, (double)so, (int)-p.in1_neg_zp, (int)-p.in2_neg_zp,
               (int)p.out_zp, (int)p.clamp.min, (int)p.clamp.max, use_fast, bc, (int)n, (int)i,
               (int)y_opt[i], (int)y_ref[i]);
    }
  }
  assert_true(fast > 500 && general > 300 && sat > 200);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quantize_linear_edges),
      cmocka_unit_test(test_quantize_linear_random),
      cmocka_unit_test(test_quantize_linear_narrow_clamp),
      cmocka_unit_test(test_add_s8_table),
      cmocka_unit_test(test_add_table_heuristic),
      cmocka_unit_test(test_maxpool_s8_opt),
      cmocka_unit_test(test_avgpool_s8_opt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
