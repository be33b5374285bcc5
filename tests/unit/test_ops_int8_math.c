/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_int8_math.c: the int8 forms of NEG, ABS, RSQRT, ELU, SQUARED_DIFFERENCE, PRELU and
 * LOG_SOFTMAX,
 * as one-op TFLite models built in code and run in process, every int8 input byte (unary ops)
 * or a grid of pairs (binary ops), with zero points at the extremes and saturating scales.
 *
 * Expected values are TFLite's reference integer arithmetic written a second time here, from
 * the definitions, with tt_refmath.h's 64-bit floor-division helpers (not the runtime's
 * tart_fixedpoint.h, nor the compiler's tables): Negate, AbsEvalQuantized,
 * RsqrtEvalQuantized with GetInvSqrtQuantizedMultiplierExp's Newton iteration, EluPrepare's
 * float table, SquaredDifference and BroadcastPrelu4DSlow. As a sanity bound each is also
 * compared with the real function rounded to the output scale. LOG_SOFTMAX is checked against
 * log softmax in double (exact away from rounding boundaries, see check_log_softmax_row) and
 * hand values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_compile.h"
#include "tflbuild.h"
#include "tt_pipeline.h"
#include "tt_refmath.h"

typedef struct qt {
  float scale;
  int64_t zp;
} qt;

static int clamp8(int64_t v) {
  return v < -128 ? -128 : v > 127 ? 127 : (int)v;
}

/* One unary op `code` over all 256 int8 values (x[i] = i - 128); y NULL: prepare only. */
static ta_status run_unary(int code, qt xt, qt yt, int8_t *y, char *msg, size_t msg_len) {
  const int32_t dims[2] = {16, 16};
  int8_t x[256];
  for (int i = 0; i < 256; i++)
    x[i] = (int8_t)(i - 128);
  tfb *b = tfb_new();
  int xi = tfb_tensor(b, "x", TFB_INT8, 2, dims, 0);
  int yi = tfb_tensor(b, "y", TFB_INT8, 2, dims, 0);
  tfb_quant(b, xi, 1, &xt.scale, &xt.zp, 0);
  tfb_quant(b, yi, 1, &yt.scale, &yt.zp, 0);
  tfb_op(b, code, &xi, 1, &yi, 1);
  tfb_io(b, &xi, 1, &yi, 1);
  size_t len;
  uint8_t *bytes = tfb_finish(b, &len);
  tfb_free(b);
  assert_non_null(bytes);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[1] = {x};
  void *out[1] = {y};
  ta_status st = y ? tt_eval(r, bytes, len, in, out) : tt_prepare(r, bytes, len);
  const int w = snprintf(msg, msg_len, "%s", r->cap.text);
  assert_true(w >= 0);
  tt_done(r);
  free(r);
  free(bytes);
  return st;
}

static void ok_unary(int code, qt xt, qt yt, int8_t *y) {
  char msg[4096];
  ta_status st = run_unary(code, xt, yt, y, msg, sizeof msg);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
}

static void same8(int got, int want, int v) {
  if (got != want)
    print_error("input %d: got %d, want %d\n", v, got, want);
  assert_int_equal(got, want);
}

/* |got - want| <= tol unless want saturates. */
static void near8(int got, double real, int tol, int v) {
  const double want = real < -128 ? -128 : real > 127 ? 127 : real;
  if (fabs(got - want) > tol)
    print_error("input %d: got %d, real %.4f\n", v, got, real);
  assert_true(fabs(got - want) <= tol);
}

/* ---- NEG: in_zp + out_zp - x, clamped ------------------------------------------------------ */

static void test_neg_s8(void **state) {
  (void)state;
  static const int64_t zps[][2] = {{0, 0}, {-128, -128}, {127, 127}, {5, -3}};
  int8_t y[256];
  for (size_t c = 0; c < sizeof zps / sizeof zps[0]; c++) {
    ok_unary(TFB_OP_NEG, (qt){0.05f, zps[c][0]}, (qt){0.05f, zps[c][1]}, y);
    for (int v = -128; v < 128; v++) {
      same8(y[v + 128], clamp8(zps[c][0] + zps[c][1] - v), v);
      near8(y[v + 128], -(double)(v - zps[c][0]) + (double)zps[c][1], 0, v);
    }
  }
  /* -(-128) with zero points 0 saturates at 127 (no wrap to -128). */
  ok_unary(TFB_OP_NEG, (qt){0.05f, 0}, (qt){0.05f, 0}, y);
  assert_int_equal(y[0], 127);
  char msg[4096];
  assert_int_equal(run_unary(TFB_OP_NEG, (qt){0.05f, 0}, (qt){0.1f, 0}, NULL, msg, sizeof msg),
                   TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msg, "int8 NEG needs one scale"));
}

/* ---- ABS: |x - in_zp| (rescaled when the scales differ) + out_zp ---------------------------- */

static void test_abs_s8(void **state) {
  (void)state;
  static const struct {
    qt x, y;
  } cases[] = {
      {{0.1f, 0}, {0.1f, -128}},     /* same scale: no multiplier */
      {{0.1f, 127}, {0.1f, 127}},    /* saturates for most inputs */
      {{0.1f, -128}, {0.05f, -128}}, /* rescaled by 2: saturates */
      {{0.02f, 3}, {0.07f, -100}},   /* rescaled by 2/7 */
      {{0.3f, -17}, {0.11f, 0}},
  };
  int8_t y[256];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const qt xt = cases[c].x, yt = cases[c].y;
    ok_unary(TFB_OP_ABS, xt, yt, y);
    int sh = 0;
    const int32_t m = tt_ref_multiplier((double)(xt.scale / yt.scale), &sh);
    for (int v = -128; v < 128; v++) {
      const int32_t a = (int32_t)llabs(v - xt.zp);
      const int64_t want = (xt.scale == yt.scale ? a : tt_ref_mbqm(a, m, sh)) + (int64_t)yt.zp;
      same8(y[v + 128], clamp8(want), v);
      near8(y[v + 128], fabs(xt.scale * (double)(v - xt.zp)) / yt.scale + (double)yt.zp, 1, v);
    }
  }
}

/* ---- RSQRT: GetInvSqrtQuantizedMultiplierExp again ---------------------------------------- */

static int32_t ref_sat_shl(int64_t x, int e) {
  const int64_t r = x * ((int64_t)1 << e);
  return (int32_t)(r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : r);
}

/* 1 / sqrt(v) as (mult, shift_left), TFLite's Newton iteration in Q3.28 (reverse_shift -1). */
static void ref_inv_sqrt(int32_t v, int32_t *mult, int *shift_left) {
  if (v <= 1) {
    *mult = INT32_MAX;
    *shift_left = 0;
    return;
  }
  int shift = 11;
  while (v >= (1 << 29)) {
    v /= 4;
    shift++;
  }
  int bits = 0; /* the number of leading zeros of v as a 32-bit word */
  while ((int64_t)v * ((int64_t)1 << bits) < ((int64_t)1 << 31))
    bits++;
  const int pairs = (bits - 1) / 2 - 1;
  shift -= pairs;
  v = (int32_t)((int64_t)v * ((int64_t)1 << (2 * pairs)));
  const int32_t in = (int32_t)tt_floor_div(v, 2);
  const int32_t half_in = tt_ref_div_pot(in, 1);
  const int32_t half_three = 3 << 27;
  int32_t x = 1 << 28;
  for (int i = 0; i < 5; i++) {
    const int32_t x3 = ref_sat_shl(tt_ref_high_mul(tt_ref_high_mul(x, x), x), 6);
    const int64_t d =
        (int64_t)tt_ref_high_mul(half_three, x) - (int64_t)tt_ref_high_mul(half_in, x3);
    x = ref_sat_shl((int32_t)d, 3);
  }
  x = tt_ref_high_mul(x, 1518500250);
  if (shift < 0) {
    x = (int32_t)((int64_t)x * ((int64_t)1 << -shift));
    shift = 0;
  }
  *mult = x;
  *shift_left = -shift;
}

static void test_rsqrt_s8(void **state) {
  (void)state;
  static const struct {
    qt x, y;
  } cases[] = {
      {{0.05f, -128}, {0.02f, -128}}, /* 1/sqrt(0.05) = 4.47 at the top: saturates */
      {{1.0f, -128}, {1.0f / 128.0f, -128}},
      {{0.25f, 0}, {0.03f, -50}}, /* negative inputs: -128 */
      {{2.0f, 127}, {0.5f, 0}},   /* only the zero point and below */
      {{0.01f, -100}, {0.1f, 10}},
  };
  int8_t y[256];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const qt xt = cases[c].x, yt = cases[c].y;
    ok_unary(TFB_OP_RSQRT, xt, yt, y);
    int sh = 0;
    const int32_t m = tt_ref_multiplier(1.0 / (double)(sqrtf(xt.scale) * yt.scale), &sh);
    for (int v = -128; v < 128; v++) {
      const int32_t d = (int32_t)(v - xt.zp);
      if (d < 0) {
        same8(y[v + 128], -128, v); /* TFLite stops with an error here */
        continue;
      }
      if (d == 0) {
        same8(y[v + 128], 127, v);
        continue;
      }
      int32_t im;
      int ish;
      ref_inv_sqrt(d, &im, &ish);
      const int32_t data = tt_ref_mbqm(1, im, ish + 20);
      const int64_t want = (int64_t)tt_ref_mbqm(data, m, sh - 20) + yt.zp;
      same8(y[v + 128], clamp8(want), v);
      near8(y[v + 128], 1.0 / sqrt(xt.scale * (double)d) / yt.scale + (double)yt.zp, 1, v);
    }
  }
}

/* ---- ELU: EluPrepare's float table ---------------------------------------------------------- */

static void test_elu_s8(void **state) {
  (void)state;
  static const struct {
    qt x, y;
  } cases[] = {
      {{0.05f, 0}, {0.05f, 0}},
      {{0.1f, 127}, {0.0078125f, 127}}, /* all inputs <= 0: output in (-1, 0] */
      {{0.03f, -128}, {0.01f, -128}},   /* all inputs >= 0: identity rescaled, saturates */
      {{0.2f, -3}, {0.09f, 40}},
  };
  int8_t y[256];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const qt xt = cases[c].x, yt = cases[c].y;
    ok_unary(TFB_OP_ELU, xt, yt, y);
    const float inv = 1.0f / yt.scale;
    for (int v = -128; v < 128; v++) {
      const float d = xt.scale * (float)(v - (int32_t)xt.zp);
      const float e = d < 0.0 ? expf(d) - 1.0f : d;
      const int64_t want = (int64_t)(roundf(e * inv) + (float)yt.zp);
      same8(y[v + 128], clamp8(want), v);
      const double rd = xt.scale * (double)(v - xt.zp);
      near8(y[v + 128], (rd < 0 ? expm1(rd) : rd) / yt.scale + (double)yt.zp, 1, v);
    }
  }
  /* The extremes of a saturating case. */
  ok_unary(TFB_OP_ELU, (qt){0.03f, -128}, (qt){0.01f, -128}, y);
  assert_int_equal(y[0], -128);
  assert_int_equal(y[255], 127);
}

/* ---- LOG_SOFTMAX: rows of 16, output 16/256 and 127 ---------------------------------------- */

/* One LOG_SOFTMAX over x[rows][16]. */
static void run_log_softmax(float in_scale, int64_t in_zp, int rows, const int8_t *x, int8_t *y) {
  const int32_t dims[2] = {rows, 16};
  const float ys = 16.0f / 256.0f;
  const int64_t yzp = 127;
  tfb *b = tfb_new();
  int xi = tfb_tensor(b, "x", TFB_INT8, 2, dims, 0);
  int yi = tfb_tensor(b, "y", TFB_INT8, 2, dims, 0);
  tfb_quant(b, xi, 1, &in_scale, &in_zp, 0);
  tfb_quant(b, yi, 1, &ys, &yzp, 0);
  tfb_op(b, TFB_OP_LOG_SOFTMAX, &xi, 1, &yi, 1);
  tfb_io(b, &xi, 1, &yi, 1);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[1] = {x};
  void *out[1] = {y};
  ta_status st = tt_eval_tfb(r, b, in, out); /* frees b */
  if (st != TA_OK)
    print_error("%s\n", r->cap.text);
  assert_int_equal(st, TA_OK);
  tt_done(r);
  free(r);
}

/* Against log softmax in double, in units of 1/16 offset by 127: TFLite's fixed-point exp and
 * log are accurate to far below an output step, so the result must be the real value rounded
 * half away from zero wherever that value is not within 0.02 steps of a rounding boundary,
 * and within one step there. Differences past the input radius (exp(-16) and below, where
 * TFLite drops them) and outputs below -128 give -128. */
static void check_log_softmax_row(const int8_t *x, const int8_t *y, float in_scale) {
  int mx = -128;
  for (int c = 0; c < 16; c++)
    mx = x[c] > mx ? x[c] : mx;
  double sum = 0;
  for (int c = 0; c < 16; c++)
    sum += exp(in_scale * (double)(x[c] - mx));
  for (int c = 0; c < 16; c++) {
    const double real = (in_scale * (double)(x[c] - mx) - log(sum)) * 16.0 + 127.0;
    const double want = tt_round_half_away(real);
    const double frac = fabs(real - floor(real) - 0.5);
    if (real < -128.5 || in_scale * (double)(x[c] - mx) < -31.0) {
      same8(y[c], -128, c);
      continue;
    }
    if (frac > 0.02)
      same8(y[c], clamp8((int64_t)want), c);
    else
      near8(y[c], real, 1, c);
  }
}

static void test_log_softmax_s8(void **state) {
  (void)state;
  enum { ROWS = 40 };
  int8_t x[ROWS * 16], y[ROWS * 16];
  static const float scales[] = {0.1f, 0.02f, 0.25f, 1.0f / 16.0f};
  for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++) {
    for (int r = 0; r < ROWS; r++)
      for (int c = 0; c < 16; c++)
        x[r * 16 + c] = (int8_t)((((r + 7 * (int)s) * 16 + c) * 151 % 256) - 128);
    for (int c = 0; c < 16; c++) { /* all equal: -log(16) * 16 + 127 = 82.64 -> 83 */
      x[c] = -128;
      x[16 + c] = c == 5 ? 127 : -128; /* one dominant value, the rest far below */
    }
    run_log_softmax(scales[s], -3, ROWS, x, y);
    for (int r = 0; r < ROWS; r++)
      check_log_softmax_row(x + r * 16, y + r * 16, scales[s]);
    assert_int_equal(y[0], 83);
    assert_int_equal(y[15], 83);
  }
  /* Hand values, scale 0.25: a row [0 x 15, 8] is log softmax 2 - log(15 + e^2) = -1.1086 for
   * the peak (127 - 17.74 -> 109) and -3.1086 for the rest (127 - 49.74 -> 77). */
  for (int c = 0; c < 16; c++)
    x[c] = (int8_t)(c == 15 ? 8 : 0);
  run_log_softmax(0.25f, 0, 1, x, y);
  assert_int_equal(y[15], 109);
  assert_int_equal(y[0], 77);
}

/* ---- binary: a[2,3,4] op b[bdims] ------------------------------------------------------------ */

static ta_status run_binary(int code, qt at, qt bt, qt yt, const int32_t *bdims, int brank,
                            const int8_t *a, const int8_t *b, int8_t *y, char *msg,
                            size_t msg_len) {
  const int32_t adims[3] = {2, 3, 4};
  tfb *bb = tfb_new();
  int ai = tfb_tensor(bb, "a", TFB_INT8, 3, adims, 0);
  int bi = tfb_tensor(bb, "b", TFB_INT8, brank, bdims, 0);
  int yi = tfb_tensor(bb, "y", TFB_INT8, 3, adims, 0);
  tfb_quant(bb, ai, 1, &at.scale, &at.zp, 0);
  tfb_quant(bb, bi, 1, &bt.scale, &bt.zp, 0);
  tfb_quant(bb, yi, 1, &yt.scale, &yt.zp, 0);
  const int ins[2] = {ai, bi};
  tfb_op(bb, code, ins, 2, &yi, 1);
  tfb_io(bb, ins, 2, &yi, 1);
  size_t len;
  uint8_t *bytes = tfb_finish(bb, &len);
  tfb_free(bb);
  assert_non_null(bytes);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[2] = {a, b};
  void *out[1] = {y};
  ta_status st = y ? tt_eval(r, bytes, len, in, out) : tt_prepare(r, bytes, len);
  const int w = snprintf(msg, msg_len, "%s", r->cap.text);
  assert_true(w >= 0);
  tt_done(r);
  free(r);
  free(bytes);
  return st;
}

/* TFLite's SquaredDifference on one pair, with its prepare's multipliers. */
static int ref_sqdiff(int a, int b, qt at, qt bt, qt yt) {
  const double twice_max = 2.0 * (double)fmaxf(at.scale, bt.scale);
  int s1, s2, so;
  const int32_t m1 = tt_ref_multiplier((double)at.scale / twice_max, &s1);
  const int32_t m2 = tt_ref_multiplier((double)bt.scale / twice_max, &s2);
  const int32_t mo = tt_ref_multiplier(twice_max * twice_max / (16384.0 * (double)yt.scale), &so);
  const int32_t u = tt_ref_mbqm((int32_t)(a - at.zp) * 128, m1, s1);
  const int32_t v = tt_ref_mbqm((int32_t)(b - bt.zp) * 128, m2, s2);
  const int64_t d = (int64_t)u - v;
  return clamp8((int64_t)tt_ref_mbqm((int32_t)(d * d), mo, so) + yt.zp);
}

static void test_squared_difference_s8(void **state) {
  (void)state;
  static const struct {
    qt a, b, y;
  } cases[] = {
      {{0.1f, 0}, {0.1f, 0}, {0.5f, -128}},
      {{0.05f, -128}, {0.2f, 127}, {0.25f, -128}}, /* zero points at both extremes */
      {{0.1f, 10}, {0.07f, -5}, {0.01f, -128}},    /* small output scale: saturates */
      {{0.02f, 3}, {0.02f, 3}, {0.001f, 0}},
  };
  int8_t a[24], b[4], y[24];
  const int32_t bdims[1] = {4};
  char msg[4096];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const qt at = cases[c].a, bt = cases[c].b, yt = cases[c].y;
    for (int round = 0; round < 12; round++) {
      for (int i = 0; i < 24; i++)
        a[i] = (int8_t)(((i + round * 24) * 89 % 256) - 128);
      for (int j = 0; j < 4; j++)
        b[j] = (int8_t)(((j + round * 4) * 67 % 256) - 128);
      a[0] = -128, a[23] = 127, b[1] = -128, b[2] = 127;
      ta_status st =
          run_binary(TFB_OP_SQUARED_DIFFERENCE, at, bt, yt, bdims, 1, a, b, y, msg, sizeof msg);
      if (st != TA_OK)
        print_error("%s\n", msg);
      assert_int_equal(st, TA_OK);
      for (int i = 0; i < 24; i++) {
        same8(y[i], ref_sqdiff(a[i], b[i % 4], at, bt, yt), i);
        const double r = at.scale * (double)(a[i] - at.zp) - bt.scale * (double)(b[i % 4] - bt.zp);
        near8(y[i], r * r / yt.scale + (double)yt.zp, 1, i);
      }
    }
  }
}

/* TFLite's quantized PRELU on one pair. */
static int ref_prelu(int x, int al, qt xt, qt at, qt yt) {
  int s1, s2;
  const int32_t m1 = tt_ref_multiplier((double)xt.scale / (double)yt.scale, &s1);
  const int32_t m2 = tt_ref_multiplier((double)xt.scale * (double)at.scale / (double)yt.scale, &s2);
  const int32_t u = (int32_t)(x - xt.zp);
  const int32_t r =
      u >= 0 ? tt_ref_mbqm(u, m1, s1) : tt_ref_mbqm(u * (int32_t)(al - at.zp), m2, s2);
  return clamp8((int64_t)r + yt.zp);
}

static void test_prelu_s8(void **state) {
  (void)state;
  static const struct {
    qt x, a, y;
  } cases[] = {
      {{0.1f, 0}, {0.01f, 0}, {0.1f, 0}},
      {{0.05f, -128}, {0.02f, 127}, {0.05f, 127}}, /* zero points at the extremes */
      {{0.2f, 20}, {0.05f, -10}, {0.03f, -60}},    /* saturates both ways */
  };
  int8_t x[24], al[4], y[24];
  char msg[4096];
  for (int per_channel = 0; per_channel < 2; per_channel++) {
    const int32_t bdims[1] = {per_channel ? 4 : 1};
    const int nb = per_channel ? 4 : 1;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
      const qt xt = cases[c].x, at = cases[c].a, yt = cases[c].y;
      for (int round = 0; round < 11; round++) {
        for (int i = 0; i < 24; i++)
          x[i] = (int8_t)(((i + round * 24) * 113 % 256) - 128);
        for (int j = 0; j < 4; j++)
          al[j] = (int8_t)(((j + round * 4) * 71 % 256) - 128);
        x[0] = -128, x[23] = 127, al[0] = per_channel ? -128 : al[0];
        ta_status st = run_binary(TFB_OP_PRELU, xt, at, yt, bdims, 1, x, al, y, msg, sizeof msg);
        if (st != TA_OK)
          print_error("%s\n", msg);
        assert_int_equal(st, TA_OK);
        for (int i = 0; i < 24; i++) {
          const int alpha_q = al[i % nb];
          same8(y[i], ref_prelu(x[i], alpha_q, xt, at, yt), i);
          const double xr = xt.scale * (double)(x[i] - xt.zp);
          const double ar = at.scale * (double)(alpha_q - at.zp);
          near8(y[i], (xr >= 0 ? xr : xr * ar) / yt.scale + (double)yt.zp, 1, i);
        }
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_neg_s8),
      cmocka_unit_test(test_abs_s8),
      cmocka_unit_test(test_rsqrt_s8),
      cmocka_unit_test(test_elu_s8),
      cmocka_unit_test(test_squared_difference_s8),
      cmocka_unit_test(test_prelu_s8),
      cmocka_unit_test(test_log_softmax_s8),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
