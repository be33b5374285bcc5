/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_act_reduce.c: HARD_SWISH (int8, float32) and HARD_SIGMOID, as one-op TFLite and
 * ONNX models built in code and run in process.
 *
 * Expected int8 values come from a second implementation of TFLite's reference_ops::HardSwish
 * written here from its definition, with floor divisions on 64-bit integers (not the runtime's
 * helpers), and, as a sanity bound, from the real function rounded to the output scale.
 * Float expectations are the formulas in double.
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

#include "onnxbuild.h"
#include "ta_compile.h"
#include "ta_ir.h"
#include "ta_ops.h"
#include "tflbuild.h"
#include "tt_pipeline.h"
#include "tt_refmath.h"

/* ---- TFLite one-op models -------------------------------------------------------------------- */

typedef struct qt {
  int type; /* TFB_INT8 or TFB_FLOAT32 */
  float scale;
  int64_t zp;
} qt;

/* One op `code` from x[dims] to y (y's dims given); extra constant int32 inputs (axes). */
static ta_status run_tfl(int code, qt xt, qt yt, int rank, const int32_t *dims, int out_rank,
                         const int32_t *out_dims, const int32_t *axes, int n_axes, int keep,
                         const void *x, void *y, char *msg, size_t msg_len) {
  tfb *b = tfb_new();
  int xi = tfb_tensor(b, "x", xt.type, rank, dims, 0);
  int yi = tfb_tensor(b, "y", yt.type, out_rank, out_dims, 0);
  if (xt.type == TFB_INT8) {
    tfb_quant(b, xi, 1, &xt.scale, &xt.zp, 0);
    tfb_quant(b, yi, 1, &yt.scale, &yt.zp, 0);
  }
  int ins[2] = {xi, -1}, n_in = 1;
  if (axes) {
    const int32_t ad[1] = {n_axes};
    ins[1] = tfb_tensor(b, "axes", TFB_INT32, 1, ad,
                        tfb_buffer(b, axes, (size_t)n_axes * sizeof(int32_t)));
    n_in = 2;
  }
  int op = tfb_op(b, code, ins, n_in, &yi, 1);
  if (axes)
    tfb_reducer_options(b, op, keep);
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
  snprintf(msg, msg_len, "%s", r->cap.text);
  tt_done(r);
  free(r);
  free(bytes);
  return st;
}

/* ---- HARD_SWISH int8: the reference, a second time ---------------------------------------- */

static int64_t sat16(int64_t v) {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
static int64_t wrap16(int64_t v) {
  return ((v % 65536) + 65536 + 32768) % 65536 - 32768;
}
/* gemmlowp's rounding doubling high multiply: floor(a * b / 2^15 + 1/2) (ties up). */
static int64_t srdhm(int64_t a, int64_t b) {
  if (a == -32768 && b == -32768)
    return 32767;
  return tt_floor_div(a * b + (1 << 14), 1 << 15);
}
/* The reference's SaturatingDoublingHighMul: a * b / 2^15 truncated toward zero. */
static int64_t sdhm(int64_t a, int64_t b) {
  const int64_t ab = a * b;
  return ab >= 0 ? ab / 32768 : -((-ab) / 32768);
}
/* gemmlowp's RoundingDivideByPOT<int16_t>: half away from zero for e <= 15; for larger e
 * the template's int16 mask (2^e - 1 narrowed to int16) is -1, the remainder is x itself and
 * the threshold -1 + (x < 0): the result is floor(x / 2^e) + (x >= 0). */
static int64_t rdbpot(int64_t x, int e) {
  if (e <= 15)
    return (int64_t)tt_round_half_away((double)x / (double)(1 << e));
  return tt_floor_div(x, (int64_t)1 << e) + (x >= 0 ? 1 : 0);
}
/* QuantizeMultiplier then DownScaleInt32ToInt16Multiplier. */
static int64_t mult16(float m, int *e) {
  const int64_t q = tt_ref_multiplier((double)m, e);
  return q >= 2147483647 - 32768 ? 32767 : (q + 32768) / 65536;
}

static int8_t ref_hard_swish(int8_t xq, qt xt, qt yt) {
  const float hires = (1.0f / 128.0f) * xt.scale;
  int oe, re;
  const int64_t om = mult16(hires / yt.scale, &oe), rm = mult16(hires / (3.0f / 32768.0f), &re);
  const int64_t v = (xq - xt.zp) * 128;
  const int64_t pre = srdhm(v, om);
  int64_t rel = v;
  if (re > 0)
    rel = sat16(rel * ((int64_t)1 << (re - 1)));
  rel = srdhm(rel, rm);
  if (re > 0)
    rel = sat16(rel * 2);
  if (re < 0)
    rel = rdbpot(rel, -re);
  rel = tt_floor_div(rel + 32768, 2);
  int64_t o = wrap16(rdbpot(sdhm(rel, pre), -oe) + yt.zp);
  return (int8_t)(o < -128 ? -128 : o > 127 ? 127 : o);
}

static void near(double got, double want, double tol) {
  if (!(fabs(got - want) <= tol))
    print_error("got %.9g, want %.9g\n", got, want);
  assert_true(fabs(got - want) <= tol);
}

static double hard_swish_real(double x) {
  return x * fmin(6.0, fmax(0.0, x + 3.0)) / 6.0;
}

/* Every int8 input through HARD_SWISH with quantization (xt, yt); bit-exact with the
 * reference, and within `bound` steps of the real function (< 0: no bound check). */
static void check_hs_s8(qt xt, qt yt, int bound) {
  int8_t x[256], y[256];
  for (int i = 0; i < 256; i++)
    x[i] = (int8_t)(i - 128);
  const int32_t dims[2] = {2, 128};
  char msg[4096];
  ta_status st =
      run_tfl(TFB_OP_HARD_SWISH, xt, yt, 2, dims, 2, dims, NULL, 0, 0, x, y, msg, sizeof msg);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
  for (int i = 0; i < 256; i++) {
    const int8_t want = ref_hard_swish(x[i], xt, yt);
    if (y[i] != want)
      print_error("x %d: got %d, reference %d (scales %g/%g)\n", x[i], y[i], want, (double)xt.scale,
                  (double)yt.scale);
    assert_int_equal(y[i], want);
    if (bound < 0)
      continue;
    double r = tt_round_half_away(hard_swish_real(xt.scale * (double)(x[i] - xt.zp)) / yt.scale) +
               (double)yt.zp;
    r = r < -128 ? -128 : r > 127 ? 127 : r;
    if (fabs(r - y[i]) > bound)
      print_error("x %d: got %d, real %g\n", x[i], y[i], r);
    assert_true(fabs(r - y[i]) <= bound);
  }
}

static void test_hard_swish_s8(void **state) {
  (void)state;
  /* Typical MobileNetV3 ranges: the reluish multiplier shifts left. */
  check_hs_s8((qt){TFB_INT8, 0.05f, -10}, (qt){TFB_INT8, 0.03f, -100}, 1);
  check_hs_s8((qt){TFB_INT8, 0.1f, 0}, (qt){TFB_INT8, 0.1f, -128}, 1);
  check_hs_s8((qt){TFB_INT8, 0.0235f, 5}, (qt){TFB_INT8, 0.0211f, -97}, 1);
  /* Small input scale: the reluish multiplier shifts right. */
  check_hs_s8((qt){TFB_INT8, 0.002f, 3}, (qt){TFB_INT8, 0.001f, 0}, 1);
  /* Output saturation at both ends (a narrow output range). */
  check_hs_s8((qt){TFB_INT8, 0.1f, 0}, (qt){TFB_INT8, 0.01f, 0}, 1);
  /* Extreme scales: a huge input scale (saturating left shifts), a huge output scale (the
   * right shift past 15 bits, where the reference's int16 rounding is no division). */
  check_hs_s8((qt){TFB_INT8, 40.0f, 0}, (qt){TFB_INT8, 30.0f, 0}, -1);
  check_hs_s8((qt){TFB_INT8, 0.01f, 0}, (qt){TFB_INT8, 100.0f, 0}, -1);
}

static void test_hard_swish_s8_refused_scale(void **state) {
  (void)state;
  /* input scale / 128 / output scale >= 1: TFLite refuses it, so do we. */
  const int32_t dims[1] = {4};
  char msg[4096];
  ta_status st = run_tfl(TFB_OP_HARD_SWISH, (qt){TFB_INT8, 1.0f, 0}, (qt){TFB_INT8, 0.001f, 0}, 1,
                         dims, 1, dims, NULL, 0, 0, NULL, NULL, msg, sizeof msg);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msg, "HARD_SWISH needs it in [2^-32, 1)"));
}

static void test_hard_swish_f32(void **state) {
  (void)state;
  float x[12] = {-5.0f, -3.0f, -2.5f, -1.0f, 0.0f, 0.5f, 1.0f, 2.9f, 3.0f, 7.0f, INFINITY, NAN};
  float y[12];
  const int32_t dims[1] = {12};
  char msg[4096];
  const qt f = {TFB_FLOAT32, 0, 0};
  assert_int_equal(
      run_tfl(TFB_OP_HARD_SWISH, f, f, 1, dims, 1, dims, NULL, 0, 0, x, y, msg, sizeof msg), TA_OK);
  for (int i = 0; i < 10; i++)
    near(y[i], hard_swish_real(x[i]), 1e-6 * fmax(1.0, fabs(x[i])));
  assert_true(isinf(y[10]) && y[10] > 0);
  assert_true(isnan(y[11]));
}

/* ---- ONNX --------------------------------------------------------------------------------- */

/* A one-node float model x[dims] -> node -> y, compiled; y = f(x) checked against want(). */
static void onnx_unary(oxb *m, int n, const float *x, float *y) {
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  tt_run r;
  ta_status st = tt_compile(&r, "test.onnx", bytes, len, &o);
  if (st != TA_OK)
    print_error("%s\n", r.cap.text);
  assert_int_equal(st, TA_OK);
  const void *in[1] = {x};
  void *out[1] = {y};
  (void)n;
  assert_int_equal(ta_graph_eval(r.g, r.calls, in, out), TA_OK);
  tt_done(&r);
}

static void test_onnx_hard_swish_sigmoid(void **state) {
  (void)state;
  float x[10] = {-6.0f, -3.0f, -2.0f, -0.5f, 0.0f, 0.25f, 1.0f, 2.5f, 3.0f, 9.0f}, y[10];
  for (int opset = 14; opset <= 18; opset += 4) {
    oxb *m = oxb_new(opset);
    oxb_input(m, "x", OXB_FLOAT, 2, (int[]){2, 5});
    oxb_node(m, "HardSwish", "x", "y");
    oxb_output(m, "y", OXB_FLOAT, 2, (int[]){2, 5});
    onnx_unary(m, 10, x, y);
    for (int i = 0; i < 10; i++) /* ONNX: x * max(0, min(1, x / 6 + 1/2)) */
      near(y[i], x[i] * fmax(0.0, fmin(1.0, x[i] / 6.0 + 0.5)), 1e-6);
    oxb_free(m);
  }
  /* HardSigmoid: the defaults (0.2, 0.5), then alpha and beta given. */
  for (int k = 0; k < 2; k++) {
    oxb *m = oxb_new(13);
    oxb_input(m, "x", OXB_FLOAT, 1, (int[]){10});
    Onnx__NodeProto *nd = oxb_node(m, "HardSigmoid", "x", "y");
    const double alpha = k ? -0.75 : 0.2, beta = k ? 0.125 : 0.5;
    if (k) {
      oxb_attr_float(m, nd, "alpha", (float)alpha);
      oxb_attr_float(m, nd, "beta", (float)beta);
    }
    oxb_output(m, "y", OXB_FLOAT, 1, (int[]){10});
    onnx_unary(m, 10, x, y);
    for (int i = 0; i < 10; i++)
      near(y[i], fmax(0.0, fmin(1.0, alpha * x[i] + beta)), 1e-6);
    oxb_free(m);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hard_swish_s8),
      cmocka_unit_test(test_hard_swish_s8_refused_scale),
      cmocka_unit_test(test_hard_swish_f32),
      cmocka_unit_test(test_onnx_hard_swish_sigmoid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
