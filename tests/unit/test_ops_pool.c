/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_pool.c: AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SOFTMAX, LOGISTIC and TANH through the
 * compiler's front half. Each case builds a one-op TFLite model in code, reads, checks,
 * prepares and runs it with the runtime kernels, and compares with values worked out here:
 *   - pooling: hand-checked outputs (SAME padding edges, stride 2, rounding half away from
 *     zero of ties, each fused activation), plus random shapes against a brute-force window
 *     average written from TensorFlow's padding formula; int8 exact, float exact;
 *   - MEAN: hand-checked truncation when input and output share quantization (TFLM's
 *     reference_ops::Mean), and otherwise TFLM's integer requantization re-derived here (the
 *     multiplier of input_scale / output_scale with 1/count folded in) and within 1 of plain
 *     rounding; float within 1e-5;
 *   - SOFTMAX, LOGISTIC, TANH int8: within 1 LSB of the real function (double math, then
 *     quantization), and equal to it wherever the real value is not within 0.02 LSB of a
 *     rounding tie (the fixed-point algorithms are far more precise than that), with
 *     LOGISTIC/TANH saturating past TFLite's input radius; float within 1e-5 relative.
 * Then diagnostics: one bad model per message, checking the text.
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

#include "tt_refmath.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

/* ---- building and running one-op models ---- */

typedef struct qparam {
  float scale;
  int64_t zp;
} qparam;

/* One model: a single operator from input 0 (and the MEAN axes) to one output. */
typedef struct model {
  int op;   /* TFB_OP_* */
  int type; /* TFB_INT8 or TFB_FLOAT32 (input; output too unless out_type is set) */
  int out_type;
  int in_rank, out_rank;
  int32_t in[6], out[6];        /* shapes written in the model */
  qparam in_q, out_q;           /* int8 only */
  int pad, sw, sh, fw, fh, act; /* pooling */
  float beta;                   /* softmax */
  int n_axes;                   /* mean */
  int32_t axes[6];
  int axes_type;     /* TFB_INT32 (0 means that) or TFB_INT64 */
  bool axes_runtime; /* axes as a graph input instead of a constant */
  int keep_dims;
} model;

static size_t type_size(int type) {
  return type == TFB_FLOAT32 || type == TFB_INT32 ? 4u
         : type == TFB_INT64                      ? 8u
         : type == TFB_INT16                      ? 2u
                                                  : 1u;
}

static size_t elems_of(int rank, const int32_t *dims) {
  size_t n = 1;
  for (int i = 0; i < rank; i++)
    n *= (size_t)dims[i];
  return n;
}

static uint8_t *build(const model *m, size_t *len) {
  tfb *b = tfb_new();
  assert_non_null(b);
  const int out_type = m->out_type ? m->out_type : m->type;
  int tx = tfb_tensor(b, "x", m->type, m->in_rank, m->in, 0);
  if (m->type == TFB_INT8 || m->type == TFB_INT16)
    tfb_quant(b, tx, 1, &m->in_q.scale, &m->in_q.zp, 0);
  int ty = tfb_tensor(b, "y", out_type, m->out_rank, m->out, 0);
  if (out_type == TFB_INT8 || out_type == TFB_INT16)
    tfb_quant(b, ty, 1, &m->out_q.scale, &m->out_q.zp, 0);
  int ins[2] = {tx, -1}, n_in = 1, graph_in[2] = {tx, -1}, n_graph_in = 1;
  if (m->op == TFB_OP_MEAN) {
    const int at = m->axes_type ? m->axes_type : TFB_INT32;
    const int32_t adims[1] = {m->n_axes};
    int buf = 0;
    if (!m->axes_runtime) {
      uint8_t data[6 * 8];
      for (int i = 0; i < m->n_axes; i++) {
        if (at == TFB_INT64) {
          int64_t v = m->axes[i];
          memcpy(data + 8 * i, &v, 8);
        } else {
          memcpy(data + 4 * i, &m->axes[i], 4);
        }
      }
      buf = tfb_buffer(b, data, (size_t)m->n_axes * type_size(at));
    }
    ins[1] = tfb_tensor(b, "axes", at, 1, adims, buf);
    n_in = 2;
    if (m->axes_runtime)
      graph_in[n_graph_in++] = ins[1];
  }
  int op = tfb_op(b, m->op, ins, n_in, &ty, 1);
  if (m->op == TFB_OP_AVERAGE_POOL_2D || m->op == TFB_OP_MAX_POOL_2D)
    tfb_pool_options(b, op, m->pad, m->sw, m->sh, m->fw, m->fh, m->act);
  else if (m->op == TFB_OP_SOFTMAX)
    tfb_softmax_options(b, op, m->beta);
  else if (m->op == TFB_OP_MEAN)
    tfb_reducer_options(b, op, m->keep_dims);
  tfb_io(b, graph_in, n_graph_in, &ty, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

/* Build, check, prepare and run; in/out hold the input and output data. Returns the status;
 * r stays alive for the caller to read messages (call tt_done). */
static ta_status run_model(const model *m, const void *in, void *out, tt_run *r) {
  size_t len;
  uint8_t *bytes = build(m, &len);
  const void *ins[1] = {in};
  void *outs[1] = {out};
  ta_status st = tt_eval(r, bytes, len, ins, outs);
  /* Constant tensors point into the model bytes: keep them until the run is done with. */
  free(bytes);
  return st;
}

/* Run a model that must succeed. */
static void run_ok(const model *m, const void *in, void *out) {
  tt_run r;
  tt_assert_status(&r.cap, run_model(m, in, out, &r), TA_OK);
  tt_done(&r);
}

/* Prepare a model that must fail with `want` and a message containing `text`. */
static void expect_error(const model *m, ta_status want, const char *text) {
  size_t len;
  uint8_t *bytes = build(m, &len);
  tt_run r;
  tt_assert_status(&r.cap, tt_prepare(&r, bytes, len), want);
  tt_assert_captured(&r.cap, text);
  tt_done(&r);
  free(bytes);
}

/* ---- numbers ---- */

static uint32_t rng_next(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}
static int32_t rng_int(uint32_t *s, int32_t lo, int32_t hi) {
  return lo + (int32_t)(rng_next(s) % (uint32_t)(hi - lo + 1));
}
static double rng_unit(uint32_t *s) {
  return (double)(rng_next(s) >> 8) / 16777216.0 * 2.0 - 1.0;
}

static int32_t round_half_away(double v) {
  return (int32_t)(v < 0 ? -floor(-v + 0.5) : floor(v + 0.5));
}
static int32_t clamp8(int32_t v) {
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

static void expect_i8(const int8_t *got, const int8_t *want, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (got[i] != want[i]) {
      print_message("element %zu: got %d, expected %d\n", i, got[i], want[i]);
      fail();
    }
  }
}

static void expect_f32(const float *got, const double *want, size_t n, double rel, double abs_tol) {
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)got[i] - want[i]);
    if (!(d <= abs_tol + rel * fabs(want[i]))) {
      print_message("element %zu: got %.9g, expected %.9g\n", i, (double)got[i], want[i]);
      fail();
    }
  }
}

/* real[i] is the exact output in output units (zero point included, unrounded). got must be
 * within 1 of clamp(round(real)), and equal to it unless real is within `tie` of a .5. */
static void expect_near_real(const int8_t *got, const double *real, size_t n, double tie) {
  for (size_t i = 0; i < n; i++) {
    int32_t want = clamp8(round_half_away(real[i]));
    int32_t d = got[i] - want;
    double frac = real[i] - floor(real[i]);
    bool near_tie = fabs(frac - 0.5) <= tie && real[i] > -128.5 && real[i] < 127.5;
    if (d < -1 || d > 1 || (d != 0 && !near_tie)) {
      print_message("element %zu: got %d, expected %d (real %.6f)\n", i, got[i], want, real[i]);
      fail();
    }
  }
}

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D: hand-checked ---- */

static model pool_model(int op, int type, const int32_t in[4], const int32_t out[4], int pad,
                        int stride, int filter, int act, qparam q) {
  model m = {0};
  m.op = op;
  m.type = type;
  m.in_rank = m.out_rank = 4;
  memcpy(m.in, in, 4 * sizeof in[0]);
  memcpy(m.out, out, 4 * sizeof out[0]);
  m.pad = pad;
  m.sw = m.sh = stride;
  m.fw = m.fh = filter;
  m.act = act;
  m.in_q = m.out_q = q;
  return m;
}

/* 3x3 input, 2x2 window, stride 1, SAME: TensorFlow pads 1 after (none before), so the last
 * column and row average 2 taps and the corner 1. Channel 0 positive, channel 1 negative:
 *   1 2 3      windows: 1+2+4+5=12/4=3   2+3+5+6=16/4=4   3+6=9/2=4.5->5
 *   4 5 6               4+5+7+8=24/4=6   5+6+8+9=28/4=7   6+9=15/2=7.5->8
 *   7 8 9               7+8=15/2=7.5->8  8+9=17/2=8.5->9  9/1=9
 * and the negatives round half away from zero: -4.5 -> -5 and so on. */
static void test_avgpool_s8_same_edges(void **state) {
  (void)state;
  const int32_t in[4] = {1, 3, 3, 2}, out[4] = {1, 3, 3, 2};
  model m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_INT8, in, out, TFB_PAD_SAME, 1, 2, TFB_ACT_NONE,
                       (qparam){0.25f, 0});
  int8_t x[18], y[18];
  for (int i = 0; i < 9; i++)
    x[2 * i] = (int8_t)(i + 1), x[2 * i + 1] = (int8_t) - (i + 1);
  const int8_t want[18] = {3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 8, -8, 9, -9, 9, -9};
  run_ok(&m, x, y);
  expect_i8(y, want, 18);
}

/* 3x3 input, 3x3 window, SAME: pad 1 before and after; each window clipped to the input.
 *   corner (0,0): 1+2+4+5 = 12/4 = 3;  edge (0,1): 1+2+3+4+5+6 = 21/6 = 3.5 -> 4;
 *   centre: 45/9 = 5;  edge (1,2): 2+3+5+6+8+9 = 33/6 = 5.5 -> 6;  corner (2,2): 28/4 = 7. */
static void test_avgpool_s8_same_pad_before(void **state) {
  (void)state;
  const int32_t in[4] = {1, 3, 3, 1}, out[4] = {1, 3, 3, 1};
  model m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_INT8, in, out, TFB_PAD_SAME, 1, 3, TFB_ACT_NONE,
                       (qparam){0.1f, -3});
  const int8_t x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  /* (0,0)=12/4=3 (0,1)=21/6=3.5->4 (0,2)=16/4=4 (1,0)=27/6=4.5->5 (1,1)=5 (1,2)=33/6=5.5->6
   * (2,0)=24/4=6 (2,1)=39/6=6.5->7 (2,2)=28/4=7 */
  const int8_t want[9] = {3, 4, 4, 5, 5, 6, 6, 7, 7};
  int8_t y[9];
  run_ok(&m, x, y);
  expect_i8(y, want, 9);
}

/* 4x4 input 0..15, 2x2 window, stride 2, VALID: every average is a tie.
 *   0+1+4+5 = 10/4 = 2.5 -> 3    2+3+6+7 = 18/4 = 4.5 -> 5
 *   8+9+12+13 = 42/4 = 10.5 -> 11   10+11+14+15 = 50/4 = 12.5 -> 13; negatives mirror. */
static void test_avgpool_s8_stride2_ties(void **state) {
  (void)state;
  const int32_t in[4] = {2, 4, 4, 1}, out[4] = {2, 2, 2, 1};
  model m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_INT8, in, out, TFB_PAD_VALID, 2, 2, TFB_ACT_NONE,
                       (qparam){0.5f, 0});
  int8_t x[32], y[8];
  for (int i = 0; i < 16; i++)
    x[i] = (int8_t)i, x[16 + i] = (int8_t)-i;
  const int8_t want[8] = {3, 5, 11, 13, -3, -5, -11, -13};
  run_ok(&m, x, y);
  expect_i8(y, want, 8);
}

/* 5x5 input, 3x3 window, stride 2, SAME: 3x3 output, pad 1 before and 1 after; windows cover
 * rows/cols {0,1}, {1,2,3}, {3,4}. Input value 10*row + col. */
static void test_avgpool_s8_stride2_same(void **state) {
  (void)state;
  const int32_t in[4] = {1, 5, 5, 1}, out[4] = {1, 3, 3, 1};
  model m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_INT8, in, out, TFB_PAD_SAME, 2, 3, TFB_ACT_NONE,
                       (qparam){0.5f, 0});
  int8_t x[25], y[9];
  for (int r = 0; r < 5; r++)
    for (int c = 0; c < 5; c++)
      x[r * 5 + c] = (int8_t)(10 * r + c);
  /* Mean of rows R and cols C = 10*mean(R) + mean(C): rows {0,1} -> 0.5, {1,2,3} -> 2,
   * {3,4} -> 3.5; so (0,0) = 5 + 0.5 = 5.5 -> 6, (0,1) = 5 + 2 = 7, (0,2) = 5 + 3.5 = 8.5 -> 9,
   * (1,*) = 20 + {0.5, 2, 3.5} -> 21 (20.5), 22, 24 (23.5), (2,*) = 35 + ... -> 36, 37, 39. */
  const int8_t want[9] = {6, 7, 9, 21, 22, 24, 36, 37, 39};
  run_ok(&m, x, y);
  expect_i8(y, want, 9);
}

/* 3x3 input, 2x2 window, stride 2, SAME: pad 1 after; the corner window holds only -9, which
 * must win (padding is not a value). */
static void test_maxpool_s8_same_stride2(void **state) {
  (void)state;
  const int32_t in[4] = {1, 3, 3, 1}, out[4] = {1, 2, 2, 1};
  model m = pool_model(TFB_OP_MAX_POOL_2D, TFB_INT8, in, out, TFB_PAD_SAME, 2, 2, TFB_ACT_NONE,
                       (qparam){1.0f, 5});
  const int8_t x[9] = {5, -3, 7, -8, 2, -1, 0, -6, -9};
  const int8_t want[4] = {5, 7, 0, -9};
  int8_t y[4];
  run_ok(&m, x, y);
  expect_i8(y, want, 4);
}

/* Each fused activation on int8 with scale 0.5, zero point -10: RELU clamps below at
 * q(0) = -10; RELU6 to [-10, -10 + 6/0.5 = 2]; RELU_N1_TO_1 to [-10 - 2, -10 + 2] = [-12, -8].
 * A 1x1 window passes each value through (average and max alike). */
static void test_pool_s8_fused_activations(void **state) {
  (void)state;
  const int32_t in[4] = {1, 1, 10, 1}, out[4] = {1, 1, 10, 1};
  const int8_t x[10] = {-128, -20, -12, -10, -9, -8, 0, 2, 3, 127};
  const int8_t want[4][10] = {
      {-128, -20, -12, -10, -9, -8, 0, 2, 3, 127},  /* NONE */
      {-10, -10, -10, -10, -9, -8, 0, 2, 3, 127},   /* RELU */
      {-12, -12, -12, -10, -9, -8, -8, -8, -8, -8}, /* RELU_N1_TO_1 */
      {-10, -10, -10, -10, -9, -8, 0, 2, 2, 2},     /* RELU6 */
  };
  const int ops[2] = {TFB_OP_AVERAGE_POOL_2D, TFB_OP_MAX_POOL_2D};
  for (int o = 0; o < 2; o++)
    for (int act = 0; act < 4; act++) {
      model m =
          pool_model(ops[o], TFB_INT8, in, out, TFB_PAD_VALID, 1, 1, act, (qparam){0.5f, -10});
      int8_t y[10];
      run_ok(&m, x, y);
      expect_i8(y, want[act], 10);
    }
}

/* The float kernels on the same hand-checked cases: exact (all values are small binary
 * fractions), plus each fused activation. */
static void test_pool_f32_hand(void **state) {
  (void)state;
  {
    const int32_t in[4] = {1, 3, 3, 1}, out[4] = {1, 3, 3, 1};
    model m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_FLOAT32, in, out, TFB_PAD_SAME, 1, 2,
                         TFB_ACT_NONE, (qparam){0});
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const double want[9] = {3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9};
    float y[9];
    run_ok(&m, x, y);
    expect_f32(y, want, 9, 0, 0);
  }
  {
    const int32_t in[4] = {1, 3, 3, 1}, out[4] = {1, 2, 2, 1};
    model m = pool_model(TFB_OP_MAX_POOL_2D, TFB_FLOAT32, in, out, TFB_PAD_SAME, 2, 2, TFB_ACT_NONE,
                         (qparam){0});
    const float x[9] = {5, -3, 7, -8, 2, -1, 0, -6, -9.5f};
    const double want[4] = {5, 7, 0, -9.5};
    float y[4];
    run_ok(&m, x, y);
    expect_f32(y, want, 4, 0, 0);
  }
  {
    const int32_t in[4] = {1, 1, 6, 1}, out[4] = {1, 1, 6, 1};
    const float x[6] = {-7.5f, -1.5f, -0.25f, 0.5f, 3.0f, 6.5f};
    const double want[4][6] = {
        {-7.5, -1.5, -0.25, 0.5, 3.0, 6.5}, /* NONE */
        {0, 0, 0, 0.5, 3.0, 6.5},           /* RELU */
        {-1, -1, -0.25, 0.5, 1, 1},         /* RELU_N1_TO_1 */
        {0, 0, 0, 0.5, 3.0, 6},             /* RELU6 */
    };
    for (int op = 0; op < 2; op++)
      for (int act = 0; act < 4; act++) {
        model m = pool_model(op ? TFB_OP_MAX_POOL_2D : TFB_OP_AVERAGE_POOL_2D, TFB_FLOAT32, in, out,
                             TFB_PAD_VALID, 1, 1, act, (qparam){0});
        float y[6];
        run_ok(&m, x, y);
        expect_f32(y, want[act], 6, 0, 0);
      }
  }
}

/* ---- pooling with explicit padding (as the ONNX frontend produces it), built in the IR ---- */

/* One pooling op on a [1,4,4,1] int8 input (scale 0.5, zero point 0) with explicit pads,
 * through check, prepare and eval; messages land in msgs. */
static ta_status run_explicit_pool(ta_op_kind kind, int32_t k, int32_t stride,
                                   const int32_t pads[4], const int8_t *x, int8_t *y,
                                   int32_t *out_hw, tt_capture *msgs) {
  ta_ctx ctx;
  tt_capture_reset(msgs);
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, msgs);
  ta_graph *g = ta_graph_new(&ctx, "explicit");
  assert_non_null(g);
  const int32_t in_dims[4] = {1, 4, 4, 1};
  int32_t tx = ta_graph_add_tensor(g, "x", TA_DT_I8, 4, in_dims);
  int32_t ty = ta_graph_add_tensor(g, "y", TA_DT_I8, 4, NULL);
  float scale = 0.5f;
  int64_t zp = 0;
  for (int32_t t = 0; t < 2; t++) {
    g->tensors[t].q.count = 1;
    g->tensors[t].q.scale = &scale;
    g->tensors[t].q.zero_point = &zp;
  }
  g->tensors[tx].flags = TA_TENSOR_INPUT;
  g->tensors[ty].flags = TA_TENSOR_OUTPUT;
  const int32_t oi = ta_graph_add_op(g, kind, 1, 1);
  assert_true(oi >= 0);
  ta_op *op = &g->ops[oi];
  op->in[0] = tx, op->out[0] = ty, op->name = "pool";
  op->a.padding = TA_PAD_EXPLICIT;
  op->a.pad_top = pads[0], op->a.pad_bottom = pads[1];
  op->a.pad_left = pads[2], op->a.pad_right = pads[3];
  op->a.filter_h = op->a.filter_w = k;
  op->a.stride_h = op->a.stride_w = stride;
  assert_int_equal(ta_graph_set_io(g, &tx, 1, &ty, 1), TA_OK);
  ta_status st = ta_graph_check(g);
  if (st == TA_OK)
    st = ta_graph_check_ops(g);
  ta_kernel_call *calls = ta_new_array(&ctx, 1, sizeof *calls);
  assert_non_null(calls);
  if (st == TA_OK)
    st = ta_graph_prepare(g, calls);
  const void *ins[1] = {x};
  void *outs[1] = {y};
  if (st == TA_OK)
    st = ta_graph_eval(g, calls, ins, outs);
  out_hw[0] = g->tensors[ty].dims[1], out_hw[1] = g->tensors[ty].dims[2];
  ta_ctx_free(&ctx);
  return st;
}

/* 4x4 input 10*row + col, 3x3 window, stride 2, pads top 1 bottom 0 left 0 right 2: output
 * 2x2 (floor((4+1+0-3)/2)+1, floor((4+0+2-3)/2)+1); rows {0,1} and {1,2,3}, columns {0,1,2}
 * and {2,3}. Average = 10*mean(rows) + mean(cols): 5+1 = 6, 5+2.5 = 7.5 -> 8, 20+1 = 21,
 * 20+2.5 = 22.5 -> 23; max = 10*max(rows) + max(cols): 12, 13, 32, 33. */
static void test_pool_s8_explicit_padding(void **state) {
  (void)state;
  int8_t x[16], y[4];
  for (int i = 0; i < 16; i++)
    x[i] = (int8_t)(10 * (i / 4) + i % 4);
  const int32_t pads[4] = {1, 0, 0, 2};
  int32_t hw[2];
  tt_capture msgs = {0};
  const int8_t want_avg[4] = {6, 8, 21, 23}, want_max[4] = {12, 13, 32, 33};
  assert_int_equal(run_explicit_pool(TA_OP_AVERAGE_POOL_2D, 3, 2, pads, x, y, hw, &msgs), TA_OK);
  assert_int_equal(hw[0], 2);
  assert_int_equal(hw[1], 2);
  expect_i8(y, want_avg, 4);
  assert_int_equal(run_explicit_pool(TA_OP_MAX_POOL_2D, 3, 2, pads, x, y, hw, &msgs), TA_OK);
  expect_i8(y, want_max, 4);
  /* A pad as large as the window would leave windows with no input at all. */
  const int32_t big[4] = {0, 0, 3, 0};
  assert_int_equal(run_explicit_pool(TA_OP_AVERAGE_POOL_2D, 3, 1, big, x, y, hw, &msgs),
                   TA_ERR_UNSUPPORTED);
  if (!strstr(msgs.text, "reaches the 3x3 window size"))
    print_message("%s", msgs.text);
  assert_non_null(strstr(msgs.text,
                         "op 0 AVERAGE_POOL_2D \"pool\": explicit padding (top 0, bottom 0, "
                         "left 3, right 0) reaches the 3x3 window size"));
}

/* ---- pooling: random shapes against a brute-force reference ---- */

/* TensorFlow's output size and leading padding for SAME/VALID. */
static void tf_geom(int pad, int32_t in, int32_t k, int32_t stride, int32_t *out, int32_t *before) {
  *out = pad == TFB_PAD_SAME ? (in + stride - 1) / stride : (in - k) / stride + 1;
  int32_t total = (*out - 1) * stride + k - in;
  *before = pad == TFB_PAD_SAME && total > 0 ? total / 2 : 0;
}

static void test_pool_random(void **state) {
  (void)state;
  uint32_t rs = 0x51ED270Bu;
  for (int iter = 0; iter < 60; iter++) {
    const bool avg = iter % 2 == 0, q = iter % 4 < 2;
    const int pad = (iter / 4) % 2 ? TFB_PAD_SAME : TFB_PAD_VALID;
    const int32_t n = rng_int(&rs, 1, 2), h = rng_int(&rs, 1, 9), w = rng_int(&rs, 1, 9),
                  c = rng_int(&rs, 1, 5);
    int32_t fh = rng_int(&rs, 1, 4), fw = rng_int(&rs, 1, 4);
    const int32_t sh = rng_int(&rs, 1, 3), sw = rng_int(&rs, 1, 3);
    if (pad == TFB_PAD_VALID)
      fh = fh > h ? h : fh, fw = fw > w ? w : fw;
    int32_t oh, ow, ph, pw;
    tf_geom(pad, h, fh, sh, &oh, &ph);
    tf_geom(pad, w, fw, sw, &ow, &pw);
    const int32_t in[4] = {n, h, w, c}, out[4] = {n, oh, ow, c};
    const qparam qp = {0.05f, rng_int(&rs, -20, 20)};
    model m = pool_model(avg ? TFB_OP_AVERAGE_POOL_2D : TFB_OP_MAX_POOL_2D,
                         q ? TFB_INT8 : TFB_FLOAT32, in, out, pad, 1, 1, TFB_ACT_NONE, qp);
    m.sh = sh, m.sw = sw, m.fh = fh, m.fw = fw;
    const size_t ni = elems_of(4, in), no = elems_of(4, out);
    double *xv = calloc(ni, sizeof *xv), *want = calloc(no, sizeof *want);
    int8_t *x8 = calloc(ni, 1), *y8 = calloc(no, 1);
    float *xf = calloc(ni, sizeof *xf), *yf = calloc(no, sizeof *yf);
    assert_true(xv && want && x8 && y8 && xf && yf);
    for (size_t i = 0; i < ni; i++) {
      if (q)
        xv[i] = rng_int(&rs, -128, 127), x8[i] = (int8_t)xv[i];
      else
        xf[i] = (float)rng_unit(&rs), xv[i] = xf[i];
    }
    for (int32_t b = 0; b < n; b++)
      for (int32_t oy = 0; oy < oh; oy++)
        for (int32_t ox = 0; ox < ow; ox++)
          for (int32_t ch = 0; ch < c; ch++) {
            double sum = 0, mx = -INFINITY;
            int cnt = 0;
            for (int32_t ky = 0; ky < fh; ky++)
              for (int32_t kx = 0; kx < fw; kx++) {
                int32_t iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                  continue;
                double v = xv[((b * h + iy) * w + ix) * c + ch];
                sum += v, cnt++, mx = v > mx ? v : mx;
              }
            assert_true(cnt > 0);
            want[((b * oh + oy) * ow + ox) * c + ch] =
                avg ? (q ? (double)round_half_away(sum / cnt) : sum / cnt) : mx;
          }
    if (q) {
      run_ok(&m, x8, y8);
      for (size_t i = 0; i < no; i++) {
        if (y8[i] != (int8_t)want[i]) {
          print_message("iter %d element %zu: got %d, expected %d\n", iter, i, y8[i], (int)want[i]);
          fail();
        }
      }
    } else {
      run_ok(&m, xf, yf);
      expect_f32(yf, want, no, 1e-6, 1e-6);
    }
    free(xv), free(want), free(x8), free(y8), free(xf), free(yf);
  }
}

/* ---- MEAN ---- */

static model mean_model(int type, int in_rank, const int32_t *in, int out_rank, const int32_t *out,
                        int n_axes, const int32_t *axes, int keep_dims, qparam iq, qparam oq) {
  model m = {0};
  m.op = TFB_OP_MEAN;
  m.type = type;
  m.in_rank = in_rank, m.out_rank = out_rank;
  memcpy(m.in, in, (size_t)in_rank * sizeof in[0]);
  memcpy(m.out, out, (size_t)out_rank * sizeof out[0]);
  m.n_axes = n_axes;
  memcpy(m.axes, axes, (size_t)n_axes * sizeof axes[0]);
  m.keep_dims = keep_dims;
  m.in_q = iq, m.out_q = oq;
  return m;
}

/* Same quantization in and out: TFLM's reference_ops::Mean divides the int32 sum of the raw
 * values by the count truncating toward zero (no rounding, no zero point correction).
 * Channel 0: 1+2+4+8 = 15/4 = 3.75 -> 3; channel 1: -5-6-7-8 = -26/4 = -6.5 -> -6;
 * channel 2: 127*4 = 508/4 = 127. */
static void test_mean_s8_same_quant_truncates(void **state) {
  (void)state;
  const int32_t in[4] = {1, 2, 2, 3}, out[4] = {1, 1, 1, 3}, axes[2] = {1, 2};
  model m = mean_model(TFB_INT8, 4, in, 4, out, 2, axes, 1, (qparam){0.5f, 3}, (qparam){0.5f, 3});
  const int8_t x[12] = {1, -5, 127, 2, -6, 127, 4, -7, 127, 8, -8, 127};
  const int8_t want[3] = {3, -6, 127};
  int8_t y[3];
  run_ok(&m, x, y);
  expect_i8(y, want, 3);
}

/* TFLM's QuantizeMultiplier, written out: m = q * 2^shift with q in [0.5, 1), q rounded to 31
 * bits, flushed to 0 below 2^-31. */
static void quantize_multiplier(double m, int32_t *mult, int32_t *shift) {
  int e;
  double q = frexp(m, &e);
  int64_t qf = (int64_t)round(q * 2147483648.0);
  if (qf == (1ll << 31))
    qf /= 2, e++;
  if (e < -31)
    e = 0, qf = 0;
  *mult = (int32_t)qf, *shift = e;
}

/* reference_ops::QuantizedMeanOrSum's output for one sum: the multiplier of in_s / out_s with
 * 1/count folded in (shift = min(floor(log2(count)), 32, 31 + shift)), then
 * MultiplyByQuantizedMultiplier(sum - zp * count) + output zero point, clamped. */
static int8_t tflm_mean_requant(int64_t sum, int64_t count, qparam iq, qparam oq) {
  int32_t mult, shift;
  quantize_multiplier((double)iq.scale / (double)oq.scale, &mult, &shift);
  int32_t l2 = (int32_t)floor(log2((double)count));
  int32_t s = l2 < 32 ? l2 : 32;
  s = s < 31 + shift ? s : 31 + shift;
  int32_t m2 = (int32_t)(((int64_t)mult << s) / count);
  int32_t v = tt_ref_mbqm((int32_t)(sum - iq.zp * count), m2, shift - s);
  return (int8_t)clamp8(v + (int32_t)oq.zp);
}

/* Different quantization: random inputs, several axis sets (negative, duplicated,
 * non-adjacent), keep_dims on and off; exact against the re-derived TFLM arithmetic, and
 * within 1 of the real mean rounded. */
static void test_mean_s8_requant(void **state) {
  (void)state;
  typedef struct mcase {
    int rank;
    int32_t in[4];
    int n_axes;
    int32_t axes[3];
    int keep;
  } mcase;
  const mcase cases[] = {
      {4, {1, 5, 7, 8}, 2, {1, 2}, 0},  {4, {2, 3, 3, 4}, 2, {2, 1}, 1},
      {3, {4, 5, 6}, 3, {0, -1, 2}, 0}, {4, {2, 3, 4, 5}, 2, {-3, 3}, 1},
      {2, {6, 9}, 1, {-1}, 0},          {4, {1, 8, 8, 3}, 1, {3}, 0},
  };
  const qparam iqs[2] = {{0.5f, 3}, {0.0173f, -128}};
  const qparam oqs[2] = {{0.25f, -2}, {0.02f, 10}};
  uint32_t rs = 0xC0FFEE01u;
  for (size_t ci = 0; ci < TA_ARRAY_LEN(cases); ci++)
    for (int qi = 0; qi < 2; qi++) {
      const mcase *mc = &cases[ci];
      bool red[4] = {false, false, false, false};
      for (int i = 0; i < mc->n_axes; i++)
        red[mc->axes[i] < 0 ? mc->axes[i] + mc->rank : mc->axes[i]] = true;
      int32_t out[4], orank = 0;
      int64_t count = 1;
      for (int d = 0; d < mc->rank; d++) {
        if (red[d])
          count *= mc->in[d];
        if (!red[d])
          out[orank++] = mc->in[d];
        else if (mc->keep)
          out[orank++] = 1;
      }
      model m = mean_model(TFB_INT8, mc->rank, mc->in, orank, out, mc->n_axes, mc->axes, mc->keep,
                           iqs[qi], oqs[qi]);
      if (ci == 2)
        m.axes_type = TFB_INT64;
      const size_t ni = elems_of(mc->rank, mc->in), no = elems_of(orank, out);
      int8_t *x = malloc(ni), *y = malloc(no);
      int64_t *sums = calloc(no, sizeof *sums);
      assert_true(x && y && sums);
      for (size_t i = 0; i < ni; i++)
        x[i] = (int8_t)rng_int(&rs, -128, 127);
      /* Sum each input element into its output (index with the reduced coordinates dropped). */
      for (size_t i = 0; i < ni; i++) {
        size_t rem = i, oi = 0, ostride = 1;
        for (int d = mc->rank - 1; d >= 0; d--) {
          size_t coord = rem % (size_t)mc->in[d];
          rem /= (size_t)mc->in[d];
          if (!red[d])
            oi += coord * ostride, ostride *= (size_t)mc->in[d];
        }
        sums[oi] += x[i];
      }
      run_ok(&m, x, y);
      for (size_t o = 0; o < no; o++) {
        int8_t want = tflm_mean_requant(sums[o], count, iqs[qi], oqs[qi]);
        double real =
            (double)iqs[qi].scale * ((double)sums[o] / (double)count - (double)iqs[qi].zp);
        int32_t plain = clamp8(round_half_away(real / oqs[qi].scale) + (int32_t)oqs[qi].zp);
        if (y[o] != want || abs(y[o] - plain) > 1) {
          print_message("case %zu q %d output %zu: got %d, TFLM %d, plain rounding %d\n", ci, qi, o,
                        y[o], want, plain);
          fail();
        }
      }
      free(x), free(y), free(sums);
    }
}

/* float: the mean of each group within 1e-5. */
static void test_mean_f32(void **state) {
  (void)state;
  uint32_t rs = 0xBEEF0005u;
  {
    const int32_t in[4] = {2, 3, 5, 4}, out[2] = {2, 4}, axes[2] = {1, 2};
    model m = mean_model(TFB_FLOAT32, 4, in, 2, out, 2, axes, 0, (qparam){0}, (qparam){0});
    float x[120], y[8];
    double want[8] = {0};
    for (int i = 0; i < 120; i++)
      x[i] = (float)(rng_unit(&rs) * 10.0);
    for (int b = 0; b < 2; b++)
      for (int i = 0; i < 15; i++)
        for (int c = 0; c < 4; c++)
          want[b * 4 + c] += x[(b * 15 + i) * 4 + c] / 15.0;
    run_ok(&m, x, y);
    expect_f32(y, want, 8, 1e-5, 1e-6);
  }
  {
    const int32_t in[3] = {3, 4, 2}, out[3] = {1, 4, 1}, axes[3] = {0, 2, -1};
    model m = mean_model(TFB_FLOAT32, 3, in, 3, out, 3, axes, 1, (qparam){0}, (qparam){0});
    float x[24], y[4];
    double want[4] = {0};
    for (int i = 0; i < 24; i++)
      x[i] = (float)rng_unit(&rs);
    for (int a = 0; a < 3; a++)
      for (int j = 0; j < 4; j++)
        for (int k = 0; k < 2; k++)
          want[j] += x[(a * 4 + j) * 2 + k] / 6.0;
    run_ok(&m, x, y);
    expect_f32(y, want, 4, 1e-5, 1e-6);
  }
  {
    /* Reducing a size-1 axis changes nothing. */
    const int32_t in[3] = {2, 1, 3}, out[2] = {2, 3}, axes[1] = {1};
    model m = mean_model(TFB_FLOAT32, 3, in, 2, out, 1, axes, 0, (qparam){0}, (qparam){0});
    const float x[6] = {1, -2, 3.5f, 4, 5, -6.25f};
    const double want[6] = {1, -2, 3.5, 4, 5, -6.25};
    float y[6];
    run_ok(&m, x, y);
    expect_f32(y, want, 6, 0, 0);
  }
}

/* ---- SOFTMAX ---- */

static model unary_model(int op, int type, int rank, const int32_t *dims, qparam iq, qparam oq) {
  model m = {0};
  m.op = op;
  m.type = type;
  m.in_rank = m.out_rank = rank;
  memcpy(m.in, dims, (size_t)rank * sizeof dims[0]);
  memcpy(m.out, dims, (size_t)rank * sizeof dims[0]);
  m.in_q = iq, m.out_q = oq;
  return m;
}

static void softmax_s8_case(int rank, const int32_t *dims, qparam iq, float beta, uint32_t seed,
                            int spread) {
  model m = unary_model(TFB_OP_SOFTMAX, TFB_INT8, rank, dims, iq, (qparam){1.0f / 256, -128});
  m.beta = beta;
  const size_t n = elems_of(rank, dims), depth = (size_t)dims[rank - 1];
  int8_t *x = malloc(n), *y = malloc(n);
  double *real = malloc(n * sizeof *real);
  assert_true(x && y && real);
  uint32_t rs = seed;
  for (size_t i = 0; i < n; i++)
    x[i] = (int8_t)rng_int(&rs, -spread, spread - 1);
  for (size_t r = 0; r < n / depth; r++) {
    const int8_t *row = x + r * depth;
    double v[64], mx = -INFINITY, sum = 0;
    assert_true(depth <= 64);
    for (size_t c = 0; c < depth; c++)
      v[c] = (double)iq.scale * (double)(row[c] - (int32_t)iq.zp);
    for (size_t c = 0; c < depth; c++)
      mx = fmax(mx, v[c]);
    for (size_t c = 0; c < depth; c++)
      sum += exp((v[c] - mx) * beta);
    for (size_t c = 0; c < depth; c++)
      real[r * depth + c] = exp((v[c] - mx) * beta) / sum * 256.0 - 128.0;
  }
  run_ok(&m, x, y);
  expect_near_real(y, real, n, 0.02);
  free(x), free(y), free(real);
}

static void test_softmax_s8(void **state) {
  (void)state;
  const int32_t d2[2] = {4, 10}, d4[4] = {1, 2, 3, 7}, d1[1] = {12}, dw[2] = {3, 40};
  softmax_s8_case(2, d2, (qparam){0.1f, 5}, 1.0f, 0x1234u, 128);
  softmax_s8_case(4, d4, (qparam){0.0625f, -20}, 0.5f, 0x5678u, 128);
  softmax_s8_case(1, d1, (qparam){0.25f, 0}, 2.0f, 0x9ABCu, 20);
  softmax_s8_case(2, dw, (qparam){0.03f, 0}, 1.0f, 0xDEF0u, 128);
  softmax_s8_case(2, d2, (qparam){1.0f / 255, -128}, 1.0f, 0x1111u, 128);
  softmax_s8_case(2, d2, (qparam){0.4f, 0}, 1.0f, 0x2222u, 128); /* many differences < diff_min */
}

static void test_softmax_f32(void **state) {
  (void)state;
  const int32_t dims[3] = {2, 3, 9};
  const float betas[2] = {1.0f, 2.5f};
  uint32_t rs = 0x0F0F0F0Fu;
  for (int bi = 0; bi < 2; bi++) {
    model m = unary_model(TFB_OP_SOFTMAX, TFB_FLOAT32, 3, dims, (qparam){0}, (qparam){0});
    m.beta = betas[bi];
    float x[54], y[54];
    double want[54];
    for (int i = 0; i < 54; i++)
      x[i] = (float)(rng_unit(&rs) * 6.0);
    for (int r = 0; r < 6; r++) {
      double mx = -INFINITY, sum = 0;
      for (int c = 0; c < 9; c++)
        mx = fmax(mx, x[r * 9 + c]);
      for (int c = 0; c < 9; c++)
        sum += exp((x[r * 9 + c] - mx) * betas[bi]);
      for (int c = 0; c < 9; c++)
        want[r * 9 + c] = exp((x[r * 9 + c] - mx) * betas[bi]) / sum;
    }
    run_ok(&m, x, y);
    expect_f32(y, want, 54, 1e-5, 1e-7);
  }
}

/* ---- LOGISTIC, TANH ---- */

/* TFLite's input radius for int8 LOGISTIC/TANH, from its definition: the input multiplier is
 * scale * 2^27 = q * 2^e (frexp), and |x - zp| >= floor(15 * 2^27 / 2^e) saturates. */
static int32_t sigmoid_radius(float scale) {
  int e;
  frexp((double)scale * 134217728.0, &e);
  return (int32_t)floor(15.0 * 134217728.0 / ldexp(1.0, e));
}

/* Every int8 input value, for several input quantizations. */
static void sigmoid_s8_cases(int op) {
  const qparam iqs[5] = {{0.1f, 0}, {0.05f, -20}, {1.0f, 0}, {0.0123f, 100}, {0.25f, -128}};
  const qparam oq = op == TFB_OP_LOGISTIC ? (qparam){1.0f / 256, -128} : (qparam){1.0f / 128, 0};
  const int32_t dims[2] = {2, 128};
  for (int qi = 0; qi < 5; qi++) {
    model m = unary_model(op, TFB_INT8, 2, dims, iqs[qi], oq);
    int8_t x[256], y[256];
    double real[256];
    const int32_t radius = sigmoid_radius(iqs[qi].scale);
    for (int i = 0; i < 256; i++) {
      x[i] = (int8_t)(i - 128);
      const int32_t d = x[i] - (int32_t)iqs[qi].zp;
      const double v = (double)iqs[qi].scale * d;
      if (d <= -radius)
        real[i] = -1000.0; /* saturates to -128 */
      else if (d >= radius)
        real[i] = 1000.0; /* saturates to 127 */
      else if (op == TFB_OP_LOGISTIC)
        real[i] = 256.0 / (1.0 + exp(-v)) - 128.0;
      else
        real[i] = 128.0 * tanh(v);
    }
    run_ok(&m, x, y);
    expect_near_real(y, real, 256, 0.02);
  }
}

static void test_logistic_s8(void **state) {
  (void)state;
  sigmoid_s8_cases(TFB_OP_LOGISTIC);
}

static void test_tanh_s8(void **state) {
  (void)state;
  sigmoid_s8_cases(TFB_OP_TANH);
}

/* float TANH is tanh. float LOGISTIC is TFLite's reference definition: 1/(1+exp(-x)), but
 * exp(x) below -9 and 1 above 16.619047 (within 1.3e-4 relative of the true function there,
 * checked too). */
static void test_logistic_tanh_f32(void **state) {
  (void)state;
  const int32_t dims[1] = {44};
  float x[44], y[44];
  double want[44], truth[44];
  for (int i = 0; i < 41; i++)
    x[i] = -20.0f + (float)i;
  x[41] = 0.3125f, x[42] = -8.9990234f, x[43] = 16.625f;
  for (int op = 0; op < 2; op++) {
    model m = unary_model(op ? TFB_OP_TANH : TFB_OP_LOGISTIC, TFB_FLOAT32, 1, dims, (qparam){0},
                          (qparam){0});
    for (int i = 0; i < 44; i++) {
      const double v = x[i];
      truth[i] = op ? tanh(v) : 1.0 / (1.0 + exp(-v));
      want[i] = op || (v >= -9.0 && v <= 16.619047164916992) ? truth[i] : v < -9.0 ? exp(v) : 1.0;
    }
    run_ok(&m, x, y);
    expect_f32(y, want, 44, 1e-5, 1e-9);
    expect_f32(y, truth, 44, 1.3e-4, 1e-9);
  }
}

/* ---- diagnostics ---- */

static void test_diag_softmax_output_quant(void **state) {
  (void)state;
  const int32_t dims[2] = {1, 10};
  model m =
      unary_model(TFB_OP_SOFTMAX, TFB_INT8, 2, dims, (qparam){0.1f, 0}, (qparam){1.0f / 255, -128});
  m.beta = 1.0f;
  expect_error(&m, TA_ERR_UNSUPPORTED,
               "op 0 SOFTMAX \"y\": int8 output \"y\" has scale 0.00392157 and zero point -128; "
               "TFLite requires scale 1/256 (0.00390625) and zero point -128");
  m.out_q = (qparam){1.0f / 256, 0};
  expect_error(&m, TA_ERR_UNSUPPORTED, "has scale 0.00390625 and zero point 0; TFLite requires");
}

static void test_diag_softmax_beta(void **state) {
  (void)state;
  const int32_t dims[2] = {1, 10};
  model m =
      unary_model(TFB_OP_SOFTMAX, TFB_INT8, 2, dims, (qparam){0.1f, 0}, (qparam){1.0f / 256, -128});
  m.beta = 0.0f;
  expect_error(&m, TA_ERR_UNSUPPORTED,
               "beta 0 times input scale 0.1 is too small for int8 softmax");
}

static void test_diag_pool_quant_mismatch(void **state) {
  (void)state;
  const int32_t in[4] = {1, 4, 4, 1}, out[4] = {1, 2, 2, 1};
  model m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_INT8, in, out, TFB_PAD_VALID, 2, 2, TFB_ACT_NONE,
                       (qparam){0.5f, 0});
  m.out_q.zp = 3;
  expect_error(&m, TA_ERR_UNSUPPORTED,
               "int8 input \"x\" (scale 0.5, zero point 0) and output \"y\" (scale 0.5, zero "
               "point 3) must share quantization: int8 pooling does not requantize");
}

static void test_diag_pool_geometry(void **state) {
  (void)state;
  const int32_t in[4] = {1, 3, 3, 1}, out[4] = {1, 1, 1, 1};
  model m = pool_model(TFB_OP_MAX_POOL_2D, TFB_FLOAT32, in, out, TFB_PAD_VALID, 1, 4, TFB_ACT_NONE,
                       (qparam){0});
  expect_error(
      &m, TA_ERR_MALFORMED,
      "op 0 MAX_POOL_2D \"y\": the 4x4 window does not fit the 3x3 input (HxW) with VALID padding");
  m.fh = m.fw = 2, m.sh = m.sw = 0;
  expect_error(&m, TA_ERR_MALFORMED, "stride is 0x0 (HxW); expected values >= 1");
  const int32_t bad_out[4] = {1, 2, 2, 1};
  m = pool_model(TFB_OP_AVERAGE_POOL_2D, TFB_FLOAT32, in, bad_out, TFB_PAD_SAME, 1, 2, TFB_ACT_NONE,
                 (qparam){0});
  expect_error(&m, TA_ERR_MALFORMED,
               "output \"y\" has shape [1,2,2,1] in the model; expected [1,3,3,1]");
  m.type = TFB_INT16;
  m.out[1] = m.out[2] = 3;
  expect_error(&m, TA_ERR_UNSUPPORTED, "input \"x\" is int16; expected float32 or int8");
}

static void test_diag_mean(void **state) {
  (void)state;
  const int32_t in[4] = {1, 3, 3, 2}, out[4] = {1, 1, 1, 2}, axes[2] = {1, 2};
  model m = mean_model(TFB_FLOAT32, 4, in, 4, out, 2, axes, 1, (qparam){0}, (qparam){0});
  m.axes_runtime = true;
  expect_error(
      &m, TA_ERR_UNSUPPORTED,
      "op 0 MEAN \"y\": axes \"axes\" is computed at run time; expected a constant tensor");
  m.axes_runtime = false;
  m.axes[1] = 4;
  expect_error(&m, TA_ERR_MALFORMED, "axis 4 is out of range for the rank-4 input \"x\"");
  m.axes[1] = 2;
  m.keep_dims = 0;
  expect_error(&m, TA_ERR_MALFORMED,
               "output \"y\" has shape [1,1,1,2] in the model; expected [1,2]");
}

static void test_diag_logistic_tanh_output_quant(void **state) {
  (void)state;
  const int32_t dims[1] = {8};
  model m =
      unary_model(TFB_OP_LOGISTIC, TFB_INT8, 1, dims, (qparam){0.1f, 0}, (qparam){1.0f / 256, 0});
  expect_error(&m, TA_ERR_UNSUPPORTED,
               "op 0 LOGISTIC \"y\": int8 output \"y\" has scale 0.00390625 and zero point 0; "
               "TFLite requires scale 1/256 (0.00390625) and zero point -128");
  /* TFLM runs TANH whatever the output quantization; so do we, with a warning. */
  m = unary_model(TFB_OP_TANH, TFB_INT8, 1, dims, (qparam){0.1f, 0}, (qparam){1.0f / 256, 0});
  size_t len;
  uint8_t *bytes = build(&m, &len);
  tt_run r;
  tt_assert_status(&r.cap, tt_prepare(&r, bytes, len), TA_OK);
  tt_assert_captured(&r.cap, "op 0 TANH \"y\": int8 output \"y\" has scale 0.00390625 and "
                             "zero point 0, not 1/128 and 0");
  tt_done(&r);
  free(bytes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_avgpool_s8_same_edges),
      cmocka_unit_test(test_avgpool_s8_same_pad_before),
      cmocka_unit_test(test_avgpool_s8_stride2_ties),
      cmocka_unit_test(test_avgpool_s8_stride2_same),
      cmocka_unit_test(test_maxpool_s8_same_stride2),
      cmocka_unit_test(test_pool_s8_fused_activations),
      cmocka_unit_test(test_pool_f32_hand),
      cmocka_unit_test(test_pool_s8_explicit_padding),
      cmocka_unit_test(test_pool_random),
      cmocka_unit_test(test_mean_s8_same_quant_truncates),
      cmocka_unit_test(test_mean_s8_requant),
      cmocka_unit_test(test_mean_f32),
      cmocka_unit_test(test_softmax_s8),
      cmocka_unit_test(test_softmax_f32),
      cmocka_unit_test(test_logistic_s8),
      cmocka_unit_test(test_tanh_s8),
      cmocka_unit_test(test_logistic_tanh_f32),
      cmocka_unit_test(test_diag_softmax_output_quant),
      cmocka_unit_test(test_diag_softmax_beta),
      cmocka_unit_test(test_diag_pool_quant_mismatch),
      cmocka_unit_test(test_diag_pool_geometry),
      cmocka_unit_test(test_diag_mean),
      cmocka_unit_test(test_diag_logistic_tanh_output_quant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
