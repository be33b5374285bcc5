/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_act_reduce.c: HARD_SWISH (int8, float32), HARD_SIGMOID, the reductions
 * REDUCE_MAX, REDUCE_MIN, SUM (TFLite) and ONNX ReduceMean/Max/Min/Sum, and the element-wise
 * math NEG, ABS, SQRT, RSQRT, EXP, LOG, MINIMUM, MAXIMUM, SQUARED_DIFFERENCE, and LOG_SOFTMAX,
 * ELU, PRELU, as one-op TFLite and ONNX models built in code and run in process.
 *
 * Expected int8 values come from a second implementation of TFLite's reference_ops::HardSwish
 * written here from its definition, with floor divisions on 64-bit integers (not the runtime's
 * helpers), and, as a sanity bound, from the real function rounded to the output scale.
 * Float expectations are the formulas in double. Reductions are computed with plain nested
 * loops over the full index space (not the kernels' merged groups); int8 SUM with TFLite's
 * requantization written again from tt_refmath.h, and bounded by the real sum.
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
  const int w = snprintf(msg, msg_len, "%s", r->cap.text); /* cut to the caller's buffer */
  assert_true(w >= 0);
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

/* Compile the float model m (one input, one output) and run it on x into y; the number of
 * TRANSPOSE ops in the compiled graph. */
static int onnx_unary(oxb *m, int n, const float *x, float *y) {
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
  /* With the plan's storage sharing: RESHAPE views have no kernel of their own. */
  assert_int_equal(ta_graph_eval_shared(r.g, r.calls, r.plan.root, in, out), TA_OK);
  int transposes = 0;
  for (int32_t i = 0; i < r.g->n_ops; i++)
    transposes += r.g->ops[i].kind == TA_OP_TRANSPOSE;
  tt_done(&r);
  return transposes;
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

/* ---- reductions ---------------------------------------------------------------------------- */

enum { R_MAX, R_MIN, R_SUM, R_MEAN };

/* Reduce x[d0..d3] (rank 4) over the dims with red[k], in double; out in row-major order of
 * the kept dims. Returns the number of outputs. */
static int ref_reduce4(const double *x, const int32_t *d, const bool *red, int kind, double *out,
                       int *count) {
  int n_out = 0;
  int32_t kd[4];
  for (int k = 0; k < 4; k++)
    kd[k] = red[k] ? 1 : d[k];
  *count = 1;
  for (int k = 0; k < 4; k++)
    *count *= red[k] ? d[k] : 1;
  for (int32_t a = 0; a < kd[0]; a++)
    for (int32_t b = 0; b < kd[1]; b++)
      for (int32_t c = 0; c < kd[2]; c++)
        for (int32_t e = 0; e < kd[3]; e++) {
          double acc = kind == R_MAX ? -INFINITY : kind == R_MIN ? INFINITY : 0.0;
          for (int32_t i = 0; i < d[0]; i++)
            for (int32_t j = 0; j < d[1]; j++)
              for (int32_t k = 0; k < d[2]; k++)
                for (int32_t l = 0; l < d[3]; l++) {
                  if ((!red[0] && i != a) || (!red[1] && j != b) || (!red[2] && k != c) ||
                      (!red[3] && l != e))
                    continue;
                  const double v = x[((i * d[1] + j) * d[2] + k) * d[3] + l];
                  acc = kind == R_MAX ? fmax(acc, v) : kind == R_MIN ? fmin(acc, v) : acc + v;
                }
          out[n_out++] = kind == R_MEAN ? acc / *count : acc;
        }
  return n_out;
}

static const int32_t rdims[4] = {2, 3, 4, 5};

/* The output shape of reducing rdims over axes (negative allowed). */
static int out_shape(const int32_t *axes, int n_axes, int keep, bool *red, int32_t *od) {
  for (int k = 0; k < 4; k++)
    red[k] = false;
  for (int i = 0; i < n_axes; i++)
    red[axes[i] < 0 ? axes[i] + 4 : axes[i]] = true;
  int r = 0;
  for (int k = 0; k < 4; k++)
    if (!red[k] || keep)
      od[r++] = red[k] ? 1 : rdims[k];
  return r;
}

static void test_reduce_tflite(void **state) {
  (void)state;
  static const int32_t axes_sets[4][3] = {{1, -1, 0}, {0, 1, 2}, {-2, 0, 0}, {3, 1, 1}};
  static const int n_axes[4] = {2, 3, 1, 3}; /* the last repeats an axis */
  int8_t xq[120], yq[120];
  float xf[120], yf[120];
  double xd[120], want[120];
  for (int i = 0; i < 120; i++) {
    xq[i] = (int8_t)((i * 73 + 11) % 256 - 128);
    xf[i] = (float)((i * 37 % 41) - 20) * 0.37f;
  }
  xq[7] = -128, xq[8] = 127;
  char msg[4096];
  for (int s = 0; s < 4; s++)
    for (int keep = 0; keep <= 1; keep++) {
      bool red[4];
      int32_t od[4];
      const int orank = out_shape(axes_sets[s], n_axes[s], keep, red, od);
      int count;
      static const int codes[3] = {TFB_OP_REDUCE_MAX, TFB_OP_REDUCE_MIN, TFB_OP_SUM};
      for (int kind = R_MAX; kind <= R_SUM; kind++) {
        /* float32 */
        const qt f = {TFB_FLOAT32, 0, 0};
        ta_status st = run_tfl(codes[kind], f, f, 4, rdims, orank, od, axes_sets[s], n_axes[s],
                               keep, xf, yf, msg, sizeof msg);
        if (st != TA_OK)
          print_error("%s\n", msg);
        assert_int_equal(st, TA_OK);
        for (int i = 0; i < 120; i++)
          xd[i] = xf[i];
        const int n = ref_reduce4(xd, rdims, red, kind, want, &count);
        for (int i = 0; i < n; i++)
          near(yf[i], want[i], 1e-5 * fmax(1.0, fabs(want[i])));
        if (kind == R_SUM)
          continue;
        /* int8 max / min: exact, input and output share the quantization */
        const qt q = {TFB_INT8, 0.5f, -3};
        st = run_tfl(codes[kind], q, q, 4, rdims, orank, od, axes_sets[s], n_axes[s], keep, xq, yq,
                     msg, sizeof msg);
        if (st != TA_OK)
          print_error("%s\n", msg);
        assert_int_equal(st, TA_OK);
        for (int i = 0; i < 120; i++)
          xd[i] = xq[i];
        ref_reduce4(xd, rdims, red, kind, want, &count);
        for (int i = 0; i < n; i++)
          assert_int_equal(yq[i], (int)want[i]);
      }
    }
}

/* int8 SUM: TFLite's QuantizedMeanOrSum (compute_sum), written again; and within one step of
 * the real sum rounded to the output scale. */
static void check_sum_s8(qt xt, qt yt, const int32_t *axes, int n_axes, int keep) {
  int8_t x[120], y[120];
  double xd[120], sums[120];
  for (int i = 0; i < 120; i++) {
    x[i] = (int8_t)((i * 29 + 5) % 256 - 128);
    xd[i] = x[i];
  }
  bool red[4];
  int32_t od[4];
  const int orank = out_shape(axes, n_axes, keep, red, od);
  char msg[4096];
  ta_status st =
      run_tfl(TFB_OP_SUM, xt, yt, 4, rdims, orank, od, axes, n_axes, keep, x, y, msg, sizeof msg);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
  int count;
  const int n = ref_reduce4(xd, rdims, red, R_SUM, sums, &count);
  int shift;
  const int32_t mult = tt_ref_multiplier((double)xt.scale / (double)yt.scale, &shift);
  for (int i = 0; i < n; i++) {
    const int32_t shifted = (int32_t)sums[i] - (int32_t)xt.zp * count;
    int64_t v = (int64_t)tt_ref_mbqm(shifted, mult, shift) + yt.zp;
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    assert_int_equal(y[i], v);
    double r = tt_round_half_away(shifted * (double)xt.scale / yt.scale) + (double)yt.zp;
    r = r < -128 ? -128 : r > 127 ? 127 : r;
    assert_true(fabs(r - y[i]) <= 1.0);
  }
}

static void test_sum_s8(void **state) {
  (void)state;
  check_sum_s8((qt){TFB_INT8, 0.02f, -5}, (qt){TFB_INT8, 0.5f, 3}, (const int32_t[]){1, 2}, 2, 0);
  check_sum_s8((qt){TFB_INT8, 0.02f, -5}, (qt){TFB_INT8, 0.5f, 3}, (const int32_t[]){-1}, 1, 1);
  /* Same quantization: still requantized (TFLite does), and saturating at both ends. */
  check_sum_s8((qt){TFB_INT8, 0.1f, 7}, (qt){TFB_INT8, 0.1f, 7}, (const int32_t[]){3}, 1, 0);
  /* Extreme ratios: a tiny output step (everything saturates), a huge one (all zero point). */
  check_sum_s8((qt){TFB_INT8, 1.0f, 0}, (qt){TFB_INT8, 1e-6f, 0}, (const int32_t[]){0, 1, 2, 3}, 4,
               0);
  check_sum_s8((qt){TFB_INT8, 1e-6f, 0}, (qt){TFB_INT8, 1e3f, -128}, (const int32_t[]){2}, 1, 1);
}

static void test_reduce_diag(void **state) {
  (void)state;
  char msg[4096];
  bool red[4];
  int32_t od[4];
  const int32_t axes[1] = {1};
  const int orank = out_shape(axes, 1, 0, red, od);
  ta_status st = run_tfl(TFB_OP_REDUCE_MAX, (qt){TFB_INT8, 0.5f, 0}, (qt){TFB_INT8, 0.25f, 0}, 4,
                         rdims, orank, od, axes, 1, 0, NULL, NULL, msg, sizeof msg);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msg, "int8 REDUCE_MAX needs them equal"));
  const int32_t bad[1] = {4};
  st = run_tfl(TFB_OP_REDUCE_MIN, (qt){TFB_FLOAT32, 0, 0}, (qt){TFB_FLOAT32, 0, 0}, 4, rdims, orank,
               od, bad, 1, 0, NULL, NULL, msg, sizeof msg);
  assert_int_equal(st, TA_ERR_MALFORMED);
  assert_non_null(strstr(msg, "axis 4 is out of range"));
}

/* ONNX Reduce*: axes as attribute (before opset 18; ReduceSum before 13) or input; keepdims;
 * no axes (every axis), noop_with_empty_axes; behind a convolution whose output is
 * channels-last (a 1x1 identity convolution, so the values are the input's). */
static void onnx_reduce_case(const char *op, int64_t opset, const int64_t *axes, int n_axes,
                             int keep, int noop, bool after_conv) {
  static const char *const names[4] = {"ReduceMax", "ReduceMin", "ReduceSum", "ReduceMean"};
  int kind = 0;
  while (strcmp(names[kind], op) != 0)
    kind++;
  const bool axes_input = opset >= (kind == R_SUM ? 13 : 18);
  oxb *m = oxb_new(opset);
  oxb_input(m, "x", OXB_FLOAT, 4, (int[]){2, 3, 4, 5});
  const char *src = "x";
  if (after_conv) {
    float w[9];
    for (int i = 0; i < 9; i++)
      w[i] = i % 4 == 0 ? 1.0f : 0.0f;
    oxb_init_floats(m, "w", 4, (int[]){3, 3, 1, 1}, w);
    oxb_node(m, "Conv", "x w", "c");
    src = "c";
  }
  char ins[32];
  snprintf(ins, sizeof ins, "%s%s", src, axes_input && n_axes > 0 ? " axes" : "");
  if (axes_input && n_axes > 0)
    oxb_init_i64(m, "axes", n_axes, axes);
  Onnx__NodeProto *nd = oxb_node(m, op, ins, "y");
  if (!axes_input && n_axes > 0)
    oxb_attr_ints(m, nd, "axes", n_axes, axes);
  if (keep != 1)
    oxb_attr_int(m, nd, "keepdims", keep);
  if (noop)
    oxb_attr_int(m, nd, "noop_with_empty_axes", 1);
  oxb_output(m, "y", OXB_FLOAT, -1, NULL);
  float x[120], y[120];
  double xd[120], want[120];
  for (int i = 0; i < 120; i++) {
    x[i] = (float)((i * 53 % 31) - 15) * 0.25f;
    xd[i] = x[i];
  }
  const int transposes = onnx_unary(m, 120, x, y);
  bool red[4] = {false, false, false, false};
  for (int i = 0; i < n_axes; i++)
    red[axes[i] < 0 ? axes[i] + 4 : axes[i]] = true;
  for (int k = 0; n_axes == 0 && !noop && k < 4; k++)
    red[k] = true;
  /* Behind the convolution, only the input's transpose remains unless the kept dims are out of
   * ONNX order in the channels-last tensor (C and W kept: W comes first there). */
  if (after_conv && !noop)
    assert_int_equal(transposes, red[0] && red[2] && !red[1] && !red[3] ? 2 : 1);
  int count;
  const int n = ref_reduce4(xd, rdims, red, kind, want, &count);
  for (int i = 0; i < n; i++) {
    if (!(fabs(y[i] - want[i]) <= 1e-5 * fmax(1.0, fabs(want[i]))))
      print_error("%s opset %lld, %d axes, keepdims %d, noop %d, after conv %d: output %d\n", op,
                  (long long)opset, n_axes, keep, noop, after_conv, i);
    near(y[i], want[i], 1e-5 * fmax(1.0, fabs(want[i])));
  }
  oxb_free(m);
}

static void test_onnx_reduce(void **state) {
  (void)state;
  const int64_t a23[2] = {2, 3}, am1[1] = {-1}, a1[1] = {1}, a02[2] = {0, -2};
  static const char *const ops[4] = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum"};
  for (int o = 0; o < 4; o++)
    for (int opset = 11; opset <= 18; opset += 7)
      for (int keep = 0; keep <= 1; keep++) {
        onnx_reduce_case(ops[o], opset, a23, 2, keep, 0, false);
        onnx_reduce_case(ops[o], opset, am1, 1, keep, 0, false);
        onnx_reduce_case(ops[o], opset, a02, 2, keep, 0, false);
        onnx_reduce_case(ops[o], opset, NULL, 0, keep, 0, false);
        /* channels-last input: x.mean((2, 3)), the channel axis, batch and height */
        onnx_reduce_case(ops[o], opset, a23, 2, keep, 0, true);
        onnx_reduce_case(ops[o], opset, a1, 1, keep, 0, true);
        onnx_reduce_case(ops[o], opset, a02, 2, keep, 0, true);
      }
  /* noop_with_empty_axes (opset 18, ReduceSum 13): no axes is the identity. */
  onnx_reduce_case("ReduceSum", 13, NULL, 0, 1, 1, false);
  onnx_reduce_case("ReduceMax", 18, NULL, 0, 0, 1, true);
}

/* ---- element-wise math ---------------------------------------------------------------------- */

/* x -> op -> y for a one-input float op without options. */
static void run_unary_f32(int code, const float *x, float *y, int n) {
  const int32_t dims[1] = {n};
  char msg[4096];
  const qt f = {TFB_FLOAT32, 0, 0};
  ta_status st = run_tfl(code, f, f, 1, dims, 1, dims, NULL, 0, 0, x, y, msg, sizeof msg);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
}

/* got equals want as floats do: both NaN, or equal infinities, or within rel * |want|. */
static void same_f(double got, double want, double rel) {
  if (isnan(want)) {
    assert_true(isnan(got));
    return;
  }
  if (isinf(want)) {
    assert_true(got == want);
    return;
  }
  near(got, want, rel * fmax(1e-30, fabs(want)));
}

static void test_math_f32(void **state) {
  (void)state;
  enum { N = 10 };
  const float x[N] = {-4.0f, -1.5f, -0.0f, 0.0f, 1e-20f, 0.25f, 2.0f, 88.0f, INFINITY, -INFINITY};
  float y[N];
  run_unary_f32(TFB_OP_NEG, x, y, N);
  for (int i = 0; i < N; i++)
    same_f(y[i], -(double)x[i], 0);
  assert_true(signbit(y[3]) && !signbit(y[2])); /* -0 and +0 swap */
  run_unary_f32(TFB_OP_ABS, x, y, N);
  for (int i = 0; i < N; i++)
    same_f(y[i], fabs((double)x[i]), 0);
  run_unary_f32(TFB_OP_SQRT, x, y, N); /* negative: NaN; -0: -0 */
  for (int i = 0; i < N; i++)
    same_f(y[i], sqrt((double)x[i]), 1e-7);
  run_unary_f32(TFB_OP_RSQRT, x, y, N); /* 0: +-inf */
  for (int i = 0; i < N; i++)
    same_f(y[i], 1.0 / sqrt((double)x[i]), 1e-6);
  run_unary_f32(TFB_OP_EXP, x, y, N); /* 88: near FLT_MAX; -inf: 0 */
  for (int i = 0; i < N; i++)
    same_f(y[i], (float)exp((double)x[i]), 1e-6);
  run_unary_f32(TFB_OP_LOG, x, y, N); /* 0: -inf; negative: NaN */
  for (int i = 0; i < N; i++)
    same_f(y[i], log((double)x[i]), 1e-6);
}

/* a[2,3,4] op b[bshape] -> y[2,3,4] with a and b graph inputs; act (SUB, DIV): the fused
 * activation in the op's options. */
static ta_status run_binary(int code, qt t, const int32_t *bdims, int brank, const void *a,
                            const void *b, void *y, char *msg, size_t msg_len, int act) {
  const int32_t adims[3] = {2, 3, 4};
  tfb *bb = tfb_new();
  int ai = tfb_tensor(bb, "a", t.type, 3, adims, 0);
  int bi = tfb_tensor(bb, "b", t.type, brank, bdims, 0);
  int yi = tfb_tensor(bb, "y", t.type, 3, adims, 0);
  if (t.type == TFB_INT8) {
    tfb_quant(bb, ai, 1, &t.scale, &t.zp, 0);
    tfb_quant(bb, bi, 1, &t.scale, &t.zp, 0);
    const float ys = t.scale * 2; /* only for the refused case below, when y != 0 */
    tfb_quant(bb, yi, 1, y ? &t.scale : &ys, &t.zp, 0);
  }
  const int ins[2] = {ai, bi};
  const int k = tfb_op(bb, code, ins, 2, &yi, 1);
  if (act != TFB_ACT_NONE && code == TFB_OP_SUB) /* SubOptions / DivOptions: the fused act */
    tfb_sub_options(bb, k, act);
  else if (act != TFB_ACT_NONE)
    tfb_div_options(bb, k, act);
  tfb_io(bb, ins, 2, &yi, 1);
  size_t len;
  uint8_t *bytes = tfb_finish(bb, &len);
  tfb_free(bb);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[2] = {a, b};
  void *out[1] = {y};
  ta_status st = y ? tt_eval(r, bytes, len, in, out) : tt_prepare(r, bytes, len);
  const int w = snprintf(msg, msg_len, "%s", r->cap.text); /* cut to the caller's buffer */
  assert_true(w >= 0);
  tt_done(r);
  free(r);
  free(bytes);
  return st;
}

static void test_minmax_sqdiff(void **state) {
  (void)state;
  float af[24], bf[4], yf[24];
  int8_t aq[24], bq[4], yq[24];
  for (int i = 0; i < 24; i++) {
    af[i] = (float)((i * 7 % 11) - 5) * 0.5f;
    aq[i] = (int8_t)((i * 97 % 256) - 128);
  }
  for (int j = 0; j < 4; j++) {
    bf[j] = (float)j - 1.25f;
    bq[j] = (int8_t)(j * 60 - 100);
  }
  af[5] = NAN; /* std::max(NaN, b) = NaN, as TFLite's reference */
  const int32_t bdims[1] = {4};
  char msg[4096];
  static const int codes[3] = {TFB_OP_MINIMUM, TFB_OP_MAXIMUM, TFB_OP_SQUARED_DIFFERENCE};
  for (int c = 0; c < 3; c++) {
    ta_status st = run_binary(codes[c], (qt){TFB_FLOAT32, 0, 0}, bdims, 1, af, bf, yf, msg,
                              sizeof msg, TFB_ACT_NONE);
    if (st != TA_OK)
      print_error("%s\n", msg);
    assert_int_equal(st, TA_OK);
    for (int i = 0; i < 24; i++) {
      const double u = af[i], v = bf[i % 4];
      const double want = isnan(u) ? NAN
                          : c == 0 ? fmin(u, v)
                          : c == 1 ? fmax(u, v)
                                   : (u - v) * (u - v);
      same_f(yf[i], want, 0);
    }
    if (c == 2)
      break;
    st = run_binary(codes[c], (qt){TFB_INT8, 0.1f, 4}, bdims, 1, aq, bq, yq, msg, sizeof msg,
                    TFB_ACT_NONE);
    if (st != TA_OK)
      print_error("%s\n", msg);
    assert_int_equal(st, TA_OK);
    for (int i = 0; i < 24; i++) {
      const int u = aq[i], v = bq[i % 4];
      assert_int_equal(yq[i], c == 0 ? (u < v ? u : v) : (u > v ? u : v));
    }
  }
  /* int8 with a different output quantization: refused, as TFLite does. */
  ta_status st = run_binary(TFB_OP_MAXIMUM, (qt){TFB_INT8, 0.1f, 4}, bdims, 1, aq, bq, NULL, msg,
                            sizeof msg, TFB_ACT_NONE);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msg, "int8 MAXIMUM needs one scale and zero point"));
  /* int8 SQUARED_DIFFERENCE rescales (test_ops_int8_math.c checks its values). */
  st = run_binary(TFB_OP_SQUARED_DIFFERENCE, (qt){TFB_INT8, 0.1f, 4}, bdims, 1, aq, bq, NULL, msg,
                  sizeof msg, TFB_ACT_NONE);
  assert_int_equal(st, TA_OK);
}

/* TFLite SUB and DIV (issue: DIV among the TFLite operators): float32 with and without a fused
 * RELU, int32 (DIV truncates toward zero, as TFLite's reference; a zero divisor gives 0 here
 * where TFLite's is undefined), and int8 quantized refused with the reason. */
static void test_sub_div_tflite(void **state) {
  (void)state;
  float af[24], bf[4] = {0.5f, -2.0f, 4.0f, -0.25f}, yf[24];
  int32_t ai[24], bi[4] = {3, -2, 7, -5}, yi[24];
  const int32_t bdims[1] = {4};
  for (int i = 0; i < 24; i++) {
    af[i] = (float)((i * 7 % 13) - 6) * 0.75f;
    ai[i] = (i * 37 % 41) - 20;
  }
  char msg[4096];
  for (int div = 0; div <= 1; div++)
    for (int relu = 0; relu <= 1; relu++) {
      const int code = div ? TFB_OP_DIV : TFB_OP_SUB;
      ta_status st = run_binary(code, (qt){TFB_FLOAT32, 0, 0}, bdims, 1, af, bf, yf, msg,
                                sizeof msg, relu ? TFB_ACT_RELU : TFB_ACT_NONE);
      if (st != TA_OK)
        print_error("%s\n", msg);
      assert_int_equal(st, TA_OK);
      for (int i = 0; i < 24; i++) {
        const float u = af[i], v = bf[i % 4];
        float want = div ? u / v : u - v;
        if (relu && want < 0)
          want = 0;
        same_f(yf[i], want, 0);
      }
      if (relu)
        continue;
      st = run_binary(code, (qt){TFB_INT32, 0, 0}, bdims, 1, ai, bi, yi, msg, sizeof msg,
                      TFB_ACT_NONE);
      if (st != TA_OK)
        print_error("%s\n", msg);
      assert_int_equal(st, TA_OK);
      for (int i = 0; i < 24; i++)
        assert_int_equal(yi[i], div ? ai[i] / bi[i % 4] : ai[i] - bi[i % 4]);
    }
  int8_t aq[24] = {0}, bq[4] = {0};
  ta_status st = run_binary(TFB_OP_SUB, (qt){TFB_INT8, 0.1f, 3}, bdims, 1, aq, bq, NULL, msg,
                            sizeof msg, TFB_ACT_NONE);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msg, "quantized int8 SUB is not supported"));
}

static void test_onnx_math(void **state) {
  (void)state;
  static const char *const ops[5] = {"Neg", "Abs", "Sqrt", "Exp", "Log"};
  float x[6] = {-2.0f, -0.5f, 0.0f, 0.5f, 3.0f, 9.0f}, y[6];
  for (int o = 0; o < 5; o++) {
    oxb *m = oxb_new(13);
    oxb_input(m, "x", OXB_FLOAT, 2, (int[]){2, 3});
    oxb_node(m, ops[o], "x", "y");
    oxb_output(m, "y", OXB_FLOAT, 2, (int[]){2, 3});
    onnx_unary(m, 6, x, y);
    for (int i = 0; i < 6; i++) {
      const double v = x[i];
      const double want = o == 0   ? -v
                          : o == 1 ? fabs(v)
                          : o == 2 ? sqrt(v)
                          : o == 3 ? exp(v)
                                   : log(v);
      same_f(y[i], want, 1e-6);
    }
    oxb_free(m);
  }
  /* Min / Max of two inputs (broadcast against a constant), and of one (the identity). */
  for (int o = 0; o < 2; o++)
    for (int two = 0; two <= 1; two++) {
      oxb *m = oxb_new(13);
      oxb_input(m, "x", OXB_FLOAT, 2, (int[]){2, 3});
      oxb_init_floats(m, "c", 1, (int[]){3}, (const float[]){0.0f, 1.0f, -1.0f});
      oxb_node(m, o ? "Max" : "Min", two ? "x c" : "x", "y");
      oxb_output(m, "y", OXB_FLOAT, 2, (int[]){2, 3});
      onnx_unary(m, 6, x, y);
      const double c[3] = {0.0, 1.0, -1.0};
      for (int i = 0; i < 6; i++) {
        const double v = x[i];
        const double want = !two ? v : o ? fmax(v, c[i % 3]) : fmin(v, c[i % 3]);
        same_f(y[i], want, 0);
      }
      oxb_free(m);
    }
}

/* ---- LOG_SOFTMAX, ELU, PRELU ---------------------------------------------------------------- */

static void test_log_softmax_elu_f32(void **state) {
  (void)state;
  /* Rows of 5: ordinary values, a large offset (exp would overflow without the max), one
   * -inf entry. */
  float x[15] = {1.0f,    2.0f,   -1.0f, 0.5f,      3.0f, 1000.0f, 999.0f, 1001.0f,
                 1000.5f, 998.0f, 0.0f,  -INFINITY, 1.0f, 2.0f,    -3.0f};
  float y[15];
  const int32_t dims[2] = {3, 5};
  char msg[4096];
  const qt f = {TFB_FLOAT32, 0, 0};
  ta_status st =
      run_tfl(TFB_OP_LOG_SOFTMAX, f, f, 2, dims, 2, dims, NULL, 0, 0, x, y, msg, sizeof msg);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
  for (int r = 0; r < 3; r++) {
    double m = -INFINITY, sum = 0;
    for (int c = 0; c < 5; c++)
      m = fmax(m, x[r * 5 + c]);
    for (int c = 0; c < 5; c++)
      sum += exp((double)x[r * 5 + c] - m);
    for (int c = 0; c < 5; c++)
      same_f(y[r * 5 + c], (double)x[r * 5 + c] - m - log(sum), 1e-5);
  }
  const float ex[8] = {-20.0f, -2.0f, -1e-3f, -0.0f, 0.0f, 0.5f, 4.0f, -INFINITY};
  float ey[8];
  run_unary_f32(TFB_OP_ELU, ex, ey, 8);
  for (int i = 0; i < 8; i++)
    same_f(ey[i], ex[i] < 0 ? expm1((double)ex[i]) : ex[i], 1e-6);
  /* int8 LOG_SOFTMAX (test_ops_int8_math.c checks its values) needs TFLite's fixed output
   * quantization, 16/256 and 127. */
  st = run_tfl(TFB_OP_LOG_SOFTMAX, (qt){TFB_INT8, 0.1f, 0}, (qt){TFB_INT8, 16.0f / 256, 127}, 2,
               dims, 2, dims, NULL, 0, 0, NULL, NULL, msg, sizeof msg);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
  st = run_tfl(TFB_OP_LOG_SOFTMAX, (qt){TFB_INT8, 0.1f, 0}, (qt){TFB_INT8, 16.0f / 256, 0}, 2, dims,
               2, dims, NULL, 0, 0, NULL, NULL, msg, sizeof msg);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msg, "zero point 127"));
}

static void test_prelu_f32(void **state) {
  (void)state;
  float a[24], alpha[4] = {0.25f, -1.0f, 0.0f, 2.0f}, y[24];
  for (int i = 0; i < 24; i++)
    a[i] = (float)((i * 5 % 13) - 6) * 0.75f;
  const int32_t bdims[1] = {4};
  char msg[4096];
  ta_status st = run_binary(TFB_OP_PRELU, (qt){TFB_FLOAT32, 0, 0}, bdims, 1, a, alpha, y, msg,
                            sizeof msg, TFB_ACT_NONE);
  if (st != TA_OK)
    print_error("%s\n", msg);
  assert_int_equal(st, TA_OK);
  for (int i = 0; i < 24; i++)
    same_f(y[i], a[i] >= 0 ? a[i] : (double)a[i] * alpha[i % 4], 0);
}

/* ONNX: LogSoftmax along axis 1 of a channels-last activation and along the last axis; Elu
 * with alpha; PRelu with a per-channel slope [C, 1, 1] behind a convolution. */
static void test_onnx_logsoftmax_elu_prelu(void **state) {
  (void)state;
  float x[120], y[120];
  for (int i = 0; i < 120; i++)
    x[i] = (float)((i * 53 % 31) - 15) * 0.25f;
  for (int axis = 1; axis <= 3; axis += 2) {
    oxb *m = oxb_new(13);
    oxb_input(m, "x", OXB_FLOAT, 4, (int[]){2, 3, 4, 5});
    float w[9];
    for (int i = 0; i < 9; i++)
      w[i] = i % 4 == 0 ? 1.0f : 0.0f;
    oxb_init_floats(m, "w", 4, (int[]){3, 3, 1, 1}, w);
    oxb_node(m, "Conv", "x w", "c");
    Onnx__NodeProto *n = oxb_node(m, "LogSoftmax", "c", "y");
    oxb_attr_int(m, n, "axis", axis);
    oxb_output(m, "y", OXB_FLOAT, -1, NULL);
    onnx_unary(m, 120, x, y);
    const int32_t d[4] = {2, 3, 4, 5};
    int32_t stride = 1;
    for (int k = 3; k > axis; k--)
      stride *= d[k];
    for (int i = 0; i < 120; i++) {
      const int base = i - (i / stride % d[axis]) * stride;
      double mx = -INFINITY, sum = 0;
      for (int c = 0; c < d[axis]; c++)
        mx = fmax(mx, x[base + c * stride]);
      for (int c = 0; c < d[axis]; c++)
        sum += exp(x[base + c * stride] - mx);
      same_f(y[i], x[i] - mx - log(sum), 1e-5);
    }
    oxb_free(m);
  }
  oxb *m = oxb_new(13);
  oxb_input(m, "x", OXB_FLOAT, 4, (int[]){2, 3, 4, 5});
  Onnx__NodeProto *e = oxb_node(m, "Elu", "x", "e");
  oxb_attr_float(m, e, "alpha", 0.5f);
  oxb_init_floats(m, "slope", 3, (int[]){3, 1, 1}, (const float[]){0.1f, -2.0f, 0.0f});
  oxb_node(m, "PRelu", "e slope", "y");
  oxb_output(m, "y", OXB_FLOAT, -1, NULL);
  onnx_unary(m, 120, x, y);
  const double slope[3] = {0.1, -2.0, 0.0};
  for (int i = 0; i < 120; i++) {
    const double v = x[i] < 0 ? 0.5 * expm1((double)x[i]) : x[i];
    same_f(y[i], v >= 0 ? v : v * slope[i / 20 % 3], 1e-6);
  }
  oxb_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hard_swish_s8),
      cmocka_unit_test(test_hard_swish_s8_refused_scale),
      cmocka_unit_test(test_hard_swish_f32),
      cmocka_unit_test(test_onnx_hard_swish_sigmoid),
      cmocka_unit_test(test_reduce_tflite),
      cmocka_unit_test(test_sum_s8),
      cmocka_unit_test(test_reduce_diag),
      cmocka_unit_test(test_onnx_reduce),
      cmocka_unit_test(test_math_f32),
      cmocka_unit_test(test_minmax_sqdiff),
      cmocka_unit_test(test_sub_div_tflite),
      cmocka_unit_test(test_onnx_math),
      cmocka_unit_test(test_log_softmax_elu_f32),
      cmocka_unit_test(test_prelu_f32),
      cmocka_unit_test(test_onnx_logsoftmax_elu_prelu),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
