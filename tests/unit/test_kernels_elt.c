/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kernels_elt.c: the element-wise and pooling kernels called directly, against
 * expectations computed here independently of the runtime's arithmetic:
 * - quantize_linear_f32_* (ONNX QuantizeLinear): the float division, then ties to even done in
 *   double with nearbyint (the host's default rounding mode), NaN to the zero point, the
 *   clamp; on edge values (every half-integer up to +-300, the neighbours of each, the
 *   fast path's +-128 boundary, NaN, infinities, subnormals, huge values) and random ones, for
 *   every output type, per tensor and per channel, extreme scales.
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

#include "tart.h"

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quantize_linear_edges),
      cmocka_unit_test(test_quantize_linear_random),
      cmocka_unit_test(test_quantize_linear_narrow_clamp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
