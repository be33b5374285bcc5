/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_recurrent.c: the recurrent operators: SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM as one-op
 * TFLite models, ONNX's LSTM and GRU as one-node ONNX models
 * built in code. The state must persist from one step to the next, so each test prepares the
 * model once and runs its kernel call twice over the same state buffer (what the generated
 * code does with the arena between two NAME_run calls). Expected values are worked out by hand
 * in the comments from TFLite's definition of the op (feature projection into the newest
 * memory slot, the whole state buffer shifted one element per step, time filter, bias, rank
 * reduction), not by the code under test. The refusals are checked by message, and the plan
 * by the state's lifetime.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "onnxbuild.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

/* One SVDF step-by-step model: input [1,2], weights_feature [F,2], weights_time [F,3], bias
 * [F/rank], state [1,F*3], output [1,F/rank]. types: input (and output) / state (and weights
 * time); quant: every tensor quantized as given below (int8 tests). */
typedef struct svdf_model {
  int x_type, wt_type, s_type, y_type, bias_type;
  int filters, rank, act;
  const void *wf, *wt, *bias; /* bias NULL: absent */
  size_t wf_bytes, wt_bytes, bias_bytes;
  bool quant;
  float y_scale;
  int64_t x_zp, y_zp;
  bool not_variable;
} svdf_model;

static tfb *build(const svdf_model *m) {
  tfb *b = tfb_new();
  const int32_t f = m->filters;
  int32_t units = m->filters / (m->rank > 0 ? m->rank : 1);
  if (units < 1) /* a rank past the filters (refused): any output shape */
    units = 1;
  int x = tfb_tensor(b, "x", m->x_type, 2, (int32_t[]){1, 2}, 0);
  int wf = tfb_tensor(b, "wf",
                      m->x_type == TFB_FLOAT32 && m->wt_type != TFB_FLOAT32 ? TFB_INT8 : m->x_type,
                      2, (int32_t[]){f, 2}, tfb_buffer(b, m->wf, m->wf_bytes));
  int wt = tfb_tensor(b, "wt", m->wt_type, 2, (int32_t[]){f, 3}, tfb_buffer(b, m->wt, m->wt_bytes));
  int bias = m->bias ? tfb_tensor(b, "bias", m->bias_type, 1, (int32_t[]){units},
                                  tfb_buffer(b, m->bias, m->bias_bytes))
                     : -1;
  int s = tfb_tensor(b, "state", m->s_type, 2, (int32_t[]){1, f * 3}, 0);
  if (!m->not_variable)
    tfb_variable(b, s);
  int y = tfb_tensor(b, "y", m->y_type, 2, (int32_t[]){1, units}, 0);
  if (m->quant) {
    /* input, weights_feature, state and weights_time at scale 1: the feature projection's
     * multiplier is exactly 1; output scale y_scale: the time filter's multiplier 1/y_scale. */
    tfb_quant(b, x, 1, (float[]){1.0f}, (int64_t[]){m->x_zp}, 0);
    tfb_quant(b, wf, 1, (float[]){1.0f}, (int64_t[]){0}, 0);
    tfb_quant(b, wt, 1, (float[]){1.0f}, (int64_t[]){0}, 0);
    tfb_quant(b, s, 1, (float[]){1.0f}, (int64_t[]){0}, 0);
    tfb_quant(b, y, 1, (float[]){m->y_scale}, (int64_t[]){m->y_zp}, 0);
    if (bias >= 0)
      tfb_quant(b, bias, 1, (float[]){1.0f}, (int64_t[]){0}, 0);
  }
  int op = tfb_op(b, TFB_OP_SVDF, (int[]){x, wf, wt, bias, s}, 5, (int[]){y}, 1);
  tfb_svdf_options(b, op, m->rank, m->act);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  return b;
}

/* Prepare m, then run its one kernel call once per step: inputs x[step] (2 elements of
 * x_bytes each), outputs into y[step] (units elements of y_bytes each), one state buffer
 * (zeroed first) for all steps. */
static void run_steps(const svdf_model *m, const void *x, size_t x_bytes, void *y, size_t y_bytes,
                      int steps) {
  tt_run r;
  tt_assert_status(&r.cap, tt_prepare_tfb(&r, build(m)), TA_OK);
  ta_graph *g = r.g;
  assert_int_equal(g->n_ops, 1);
  const ta_op *op = &g->ops[0];
  assert_int_equal(op->kind, TA_OP_SVDF);
  void **bufs = calloc((size_t)g->n_tensors, sizeof(void *));
  assert_non_null(bufs);
  uint8_t state[64] = {0};
  uint8_t xin[16], yout[16];
  for (int32_t t = 0; t < g->n_tensors; t++)
    bufs[t] = ta_tensor_is_const(&g->tensors[t]) ? (void *)(uintptr_t)g->tensors[t].data : NULL;
  bufs[op->in[0]] = xin;
  bufs[op->in[4]] = state;
  bufs[op->out[0]] = yout;
  const int32_t units = m->filters / m->rank;
  for (int s = 0; s < steps; s++) {
    memcpy(xin, (const uint8_t *)x + (size_t)s * 2 * x_bytes, 2 * x_bytes);
    tt_assert_status(&r.cap, ta_call_eval(g, op, &r.calls[0], bufs, NULL), TA_OK);
    memcpy((uint8_t *)y + (size_t)s * (size_t)units * y_bytes, yout, (size_t)units * y_bytes);
  }
  free(bufs);
  tt_done(&r);
}

/* Filters f0 = [1,2] over time [1,10,100], f1 = [0,1] over time [1,-1,2]; bias [0.5,-1];
 * rank 1 (two units); RELU.
 * step 1, x = [1,1]: projections 3 and 1; state [0,0,3 | 0,0,1];
 *   out = [0.5 + 3*100, -1 + 1*2] = [300.5, 1].
 * step 2, x = [2,0]: the whole buffer moves one element down: [0,3,0 | 0,1,1], then the newest
 *   slots get the projections 2 and 0: [0,3,2 | 0,1,0];
 *   out = [0.5 + 3*10 + 2*100, relu(-1 + 1*(-1) + 0*2)] = [230.5, 0]. */
static const float wf_f[4] = {1, 2, 0, 1}, wt_f[6] = {1, 10, 100, 1, -1, 2};

static void test_svdf_f32_two_steps(void **state) {
  (void)state;
  const float bias[2] = {0.5f, -1.0f};
  const svdf_model m = {
      TFB_FLOAT32,  TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, 2,           1,
      TFB_ACT_RELU, wf_f,        wt_f,        bias,        sizeof wf_f, sizeof wt_f, sizeof bias,
      false,        0,           0,           0,           false};
  const float x[4] = {1, 1, 2, 0};
  float y[4];
  run_steps(&m, x, sizeof(float), y, sizeof(float), 2);
  const float want[4] = {300.5f, 1.0f, 230.5f, 0.0f};
  for (int i = 0; i < 4; i++)
    assert_true(y[i] == want[i]);
}

/* The same filters with rank 2: one unit summing both filters' time products, bias [0.5], no
 * activation. step 1: 0.5 + 300 + 2 = 302.5; step 2: 0.5 + 230 + (-1) = 229.5. */
static void test_svdf_f32_rank2(void **state) {
  (void)state;
  const float bias[1] = {0.5f};
  const svdf_model m = {
      TFB_FLOAT32,  TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, 2,           2,
      TFB_ACT_NONE, wf_f,        wt_f,        bias,        sizeof wf_f, sizeof wt_f, sizeof bias,
      false,        0,           0,           0,           false};
  const float x[4] = {1, 1, 2, 0};
  float y[2];
  run_steps(&m, x, sizeof(float), y, sizeof(float), 2);
  assert_true(y[0] == 302.5f);
  assert_true(y[1] == 229.5f);
}

/* int8 input (zero point 1), int16 state and time weights, int32 bias [5,-1], output scale 4
 * and zero point -3; the same filters. Inputs q = [2,2] then [3,1] are the reals [1,1] and
 * [2,0] of the float test, so the state holds the same integers. The multiplier 1/4 is TFLite's
 * (2^30, shift -1): a doubling high multiply by 2^30 (x/2, half rounded up), then a rounding
 * right shift by 1 (half away from zero); two roundings, as the reference does.
 * step 1: accumulators [5 + 300, -1 + 2] = [305, 1]: 305/2 = 152.5 -> 153, /2 = 76.5 -> 77;
 *   1/2 = 0.5 -> 1, /2 = 0.5 -> 1; plus -3: [74, -2].
 * step 2: [5 + 230, -1 - 1] = [235, -2]: 117.5 -> 118, /2 = 59; -2/2 = -1, /2 = -0.5 -> -1;
 *   plus -3: [56, -4]. */
static void test_svdf_s8_int16_state(void **state) {
  (void)state;
  const int8_t wf[4] = {1, 2, 0, 1};
  const int16_t wt[6] = {1, 10, 100, 1, -1, 2};
  const int32_t bias[2] = {5, -1};
  const svdf_model m = {
      TFB_INT8, TFB_INT16, TFB_INT16, TFB_INT8,    TFB_INT32, 2,    1, TFB_ACT_NONE, wf,   wt,
      bias,     sizeof wf, sizeof wt, sizeof bias, true,      4.0f, 1, -3,           false};
  const int8_t x[4] = {2, 2, 3, 1};
  int8_t y[4];
  run_steps(&m, x, 1, y, 1, 2);
  const int8_t want[4] = {74, -2, 56, -4};
  for (int i = 0; i < 4; i++)
    assert_int_equal(y[i], want[i]);
}

/* int8 state and time weights: a projection past the state's range saturates. f0 = [100,100]
 * gives 200 for x = [1,1]: stored as 127; out0 = 5 + 127*100 = 12705, /4 about 3176, -3,
 * clamped to 127. f1 and the bias as above: out1 = -2. */
static void test_svdf_s8_int8_state_saturates(void **state) {
  (void)state;
  const int8_t wf[4] = {100, 100, 0, 1};
  const int8_t wt[6] = {1, 10, 100, 1, -1, 2};
  const int32_t bias[2] = {5, -1};
  const svdf_model m = {
      TFB_INT8, TFB_INT8,  TFB_INT8,  TFB_INT8,    TFB_INT32, 2,    1, TFB_ACT_NONE, wf,   wt,
      bias,     sizeof wf, sizeof wt, sizeof bias, true,      4.0f, 1, -3,           false};
  const int8_t x[2] = {2, 2};
  int8_t y[2];
  run_steps(&m, x, 1, y, 1, 1);
  assert_int_equal(y[0], 127);
  assert_int_equal(y[1], -2);
}

static ta_status prepare_msg(const svdf_model *m, tt_run *r) {
  return tt_prepare_tfb(r, build(m));
}

/* A state tensor that is not is_variable (nothing writes it: the graph check says so), a hybrid
 * model (float input, int8 weights) and a
 * rank that does not divide the filters are refused, each by name. */
static void test_svdf_refusals(void **state) {
  (void)state;
  const float bias[2] = {0.5f, -1.0f};
  svdf_model m = {TFB_FLOAT32, TFB_FLOAT32,  TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, 2,
                  1,           TFB_ACT_NONE, wf_f,        wt_f,        bias,        sizeof wf_f,
                  sizeof wt_f, sizeof bias,  false,       0,           0,           0,
                  true};
  tt_run r;
  tt_assert_status(&r.cap, prepare_msg(&m, &r), TA_ERR_MALFORMED);
  tt_assert_captured(&r.cap, "SVDF \"y\": input tensor 4 \"state\" is never written");
  tt_done(&r);

  m.not_variable = false;
  m.rank = 3;
  m.bias = NULL;
  tt_assert_status(&r.cap, prepare_msg(&m, &r), TA_ERR_MALFORMED);
  tt_assert_captured(&r.cap, "SVDF \"y\": 2 filters are not a multiple of rank 3");
  tt_done(&r);

  const int8_t wf8[4] = {1, 2, 0, 1};
  m.rank = 1;
  m.bias = bias;
  m.wf = wf8;
  m.wf_bytes = sizeof wf8;
  m.wt_type = TFB_INT8; /* build() gives weights_feature int8 for this combination */
  const int8_t wt8[6] = {1, 10, 100, 1, -1, 2};
  m.wt = wt8;
  m.wt_bytes = sizeof wt8;
  tt_assert_status(&r.cap, prepare_msg(&m, &r), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap, "(not the hybrid kernel)");
  tt_done(&r);
}

/* The plan keeps the state live over the whole run (and past it): first op -1, last op n_ops,
 * so no other buffer can take its bytes between two runs. */
static void test_svdf_state_lifetime(void **state) {
  (void)state;
  const float bias[2] = {0.5f, -1.0f};
  const svdf_model m = {
      TFB_FLOAT32,  TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, TFB_FLOAT32, 2,           1,
      TFB_ACT_NONE, wf_f,        wt_f,        bias,        sizeof wf_f, sizeof wt_f, sizeof bias,
      false,        0,           0,           0,           false};
  tfb *b = build(&m);
  size_t len;
  uint8_t *bytes = tt_finish(b, &len);
  tt_run r;
  tt_assert_status(&r.cap, tt_compile(&r, "svdf.tflite", bytes, len, NULL), TA_OK);
  const int32_t s = r.g->ops[0].in[4];
  assert_true(r.g->tensors[s].flags & TA_TENSOR_STATE);
  assert_true(r.plan.tensor_offset[s] >= 0);
  assert_int_equal(r.plan.first_op[s], -1);
  assert_int_equal(r.plan.last_op[s], r.g->n_ops);
  tt_done(&r);
  free(bytes);
}

/* ---- UNIDIRECTIONAL_SEQUENCE_LSTM ---------------------------------------------------- */

/* A one-unit LSTM over a one-feature input [1, steps, 1]: the 24 TFLite inputs, gate order
 * input, forget, cell, output. w[k] / r[k] / bias[k]: gate k's input weight, recurrent weight
 * and bias (float, or int8 / int8 / int32 when quantized: x and weights at scale 2^-6 so the
 * input product's multiplier to 2^-12 is exactly 1, the hidden state at 2^-7 with zero point
 * 0, the cell state at 2^-11). absent: an input index left out (-1), or -1. */
typedef struct lstm_model {
  bool quant;
  int steps;
  float wf[4], rf[4], bf[4];
  int8_t w8[4], r8[4];
  int32_t b8[4];
  int act;
  int absent;
  int extra; /* an input index given a (variant) tensor, or -1 */
} lstm_model;

static tfb *build_lstm(const lstm_model *m) {
  tfb *b = tfb_new();
  const int wt = m->quant ? TFB_INT8 : TFB_FLOAT32, bt = m->quant ? TFB_INT32 : TFB_FLOAT32;
  int ins[24];
  for (int i = 0; i < 24; i++)
    ins[i] = -1;
  ins[0] = tfb_tensor(b, "x", wt, 3, (int32_t[]){1, m->steps, 1}, 0);
  for (int k = 0; k < 4; k++) {
    const void *w = m->quant ? (const void *)&m->w8[k] : (const void *)&m->wf[k];
    const void *r = m->quant ? (const void *)&m->r8[k] : (const void *)&m->rf[k];
    const void *bias = m->quant ? (const void *)&m->b8[k] : (const void *)&m->bf[k];
    const size_t wb = m->quant ? 1 : 4;
    ins[1 + k] = tfb_tensor(b, "w", wt, 2, (int32_t[]){1, 1}, tfb_buffer(b, w, wb));
    ins[5 + k] = tfb_tensor(b, "r", wt, 2, (int32_t[]){1, 1}, tfb_buffer(b, r, wb));
    ins[12 + k] = tfb_tensor(b, "b", bt, 1, (int32_t[]){1}, tfb_buffer(b, bias, 4));
    if (m->quant) {
      tfb_quant(b, ins[1 + k], 1, (float[]){0.015625f}, (int64_t[]){0}, 0);
      tfb_quant(b, ins[5 + k], 1, (float[]){0.015625f}, (int64_t[]){0}, 0);
      tfb_quant(b, ins[12 + k], 1, (float[]){0.000244140625f}, (int64_t[]){0}, 0);
    }
  }
  ins[18] = tfb_tensor(b, "h", wt, 2, (int32_t[]){1, 1}, 0);
  ins[19] = tfb_tensor(b, "c", m->quant ? TFB_INT16 : TFB_FLOAT32, 2, (int32_t[]){1, 1}, 0);
  tfb_variable(b, ins[18]);
  tfb_variable(b, ins[19]);
  int y = tfb_tensor(b, "y", wt, 3, (int32_t[]){1, m->steps, 1}, 0);
  if (m->quant) {
    tfb_quant(b, ins[0], 1, (float[]){0.015625f}, (int64_t[]){0}, 0);
    tfb_quant(b, ins[18], 1, (float[]){0.0078125f}, (int64_t[]){0}, 0);
    tfb_quant(b, ins[19], 1, (float[]){0.00048828125f}, (int64_t[]){0}, 0);
    tfb_quant(b, y, 1, (float[]){0.0078125f}, (int64_t[]){0}, 0);
  }
  if (m->absent >= 0)
    ins[m->absent] = -1;
  if (m->extra >= 0)
    ins[m->extra] = tfb_tensor(
        b, "extra", wt, 1, (int32_t[]){1},
        tfb_buffer(b, m->quant ? (const void *)m->w8 : (const void *)m->wf, m->quant ? 1 : 4));
  int op = tfb_op(b, TFB_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, ins, 24, (int[]){y}, 1);
  tfb_lstm_options(b, op, m->act, 0.0f, 0);
  tfb_io(b, ins, 1, (int[]){y}, 1);
  return b;
}

/* Prepare m, then run its call `runs` times over the same two states (zeroed first); x holds
 * runs * steps inputs, y receives as many outputs (elem_bytes each). */
static void run_lstm(const lstm_model *m, int runs, const void *x, void *y, size_t elem_bytes) {
  tt_run r;
  tt_assert_status(&r.cap, tt_prepare_tfb(&r, build_lstm(m)), TA_OK);
  ta_graph *g = r.g;
  const ta_op *op = &g->ops[0];
  assert_int_equal(op->kind, TA_OP_UNIDIRECTIONAL_SEQUENCE_LSTM);
  void **bufs = calloc((size_t)g->n_tensors, sizeof(void *));
  assert_non_null(bufs);
  float h[4] = {0}, c[4] = {0}, xin[8], yout[8];
  int32_t scratch[16];
  for (int32_t t = 0; t < g->n_tensors; t++)
    bufs[t] = ta_tensor_is_const(&g->tensors[t]) ? (void *)(uintptr_t)g->tensors[t].data : NULL;
  bufs[op->in[0]] = xin;
  bufs[op->in[18]] = h;
  bufs[op->in[19]] = c;
  bufs[op->out[0]] = yout;
  assert_true(r.calls[0].scratch_bytes <= sizeof scratch);
  const size_t step_bytes = (size_t)m->steps * elem_bytes;
  for (int k = 0; k < runs; k++) {
    memcpy(xin, (const uint8_t *)x + (size_t)k * step_bytes, step_bytes);
    tt_assert_status(&r.cap, ta_call_eval(g, op, &r.calls[0], bufs, scratch), TA_OK);
    memcpy((uint8_t *)y + (size_t)k * step_bytes, yout, step_bytes);
  }
  free(bufs);
  tt_done(&r);
}

/* float: input, forget and output gates have no weights and bias 0 (each 0.5); the cell gate
 * is tanh(x + h) (input and recurrent weight 1, bias 0). With c0 = h0 = 0:
 *   c1 = 0.5 tanh(x1), h1 = 0.5 tanh(c1); c2 = 0.5 c1 + 0.5 tanh(x2 + h1), h2 = 0.5 tanh(c2).
 * Once as one run of two steps, once as two runs of one step (the states carry over). */
static void test_lstm_f32(void **state) {
  (void)state;
  lstm_model m = {false, 2, {0, 0, 1, 0}, {0, 0, 1, 0}, {0, 0, 0, 0}, {0}, {0}, {0}, TFB_ACT_TANH,
                  -1,    -1};
  const float x[2] = {0.5f, -0.25f};
  const double c1 = 0.5 * tanh(0.5), h1 = 0.5 * tanh(c1);
  const double c2 = 0.5 * c1 + 0.5 * tanh(-0.25 + h1), h2 = 0.5 * tanh(c2);
  float y[2];
  run_lstm(&m, 1, x, y, sizeof(float));
  assert_true(fabs(y[0] - h1) < 1e-6 && fabs(y[1] - h2) < 1e-6);
  m.steps = 1;
  float y2[2];
  run_lstm(&m, 2, x, y2, sizeof(float));
  assert_true(y2[0] == y[0] && y2[1] == y[1]);
}

/* int8: no weights; biases 0 except the cell gate's 4096 (1.0 at 2^-12). Gates: sigmoid(0) =
 * 16384 (0.5 at 2^-15); cell gate tanh(1): input 4096 * 3 = 12288 is table entry 48 (57724)
 * exactly, (57724 * 256 - 2^23 + 128) >> 8 = 24956.
 * step 1: c = 0.5 * 0 + 16384 * 24956 * 2^-30 / 2^-11 = 779.875 -> 780 (TFLite's multiplier
 *   2^-19: x/2, then a rounding shift by 18). tanh(c): c * 6 = 4680 = 18 * 256 + 72, table
 *   entries 44511 and 45102: 44511 * 256 + 72 * 591 = 11437368; (- 2^23 + 128) >> 8 = 11909.
 *   h = 11909 * 16384 * 2^-30 / 2^-7 = 23.26 -> 23.
 * step 2: c = 16384 * 780 / 2^15 = 390, + 780 = 1170; 1170 * 6 = 7020 = 27 * 256 + 108,
 *   entries 49475 and 49975: 49475 * 256 + 108 * 500 = 12719600 -> 16918; h = 33.04 -> 33. */
static void test_lstm_s8(void **state) {
  (void)state;
  lstm_model m = {true,         2,  {0}, {0}, {0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 4096, 0},
                  TFB_ACT_TANH, -1, -1};
  const int8_t x[2] = {17, -90}; /* no weights: the input does not matter */
  int8_t y[2];
  run_lstm(&m, 1, x, y, 1);
  assert_int_equal(y[0], 23);
  assert_int_equal(y[1], 33);
  m.steps = 1;
  int8_t y2[2];
  run_lstm(&m, 2, x, y2, 1);
  assert_int_equal(y2[0], 23);
  assert_int_equal(y2[1], 33);
}

/* CIFG (no input gate weights), a projection, and an activation other than TANH are refused,
 * each by name. */
static void test_lstm_refusals(void **state) {
  (void)state;
  lstm_model m = {false, 1, {0, 0, 1, 0}, {0, 0, 1, 0}, {0}, {0}, {0}, {0}, TFB_ACT_TANH, 1, -1};
  tt_run r;
  tt_assert_status(&r.cap, tt_prepare_tfb(&r, build_lstm(&m)), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap, "input_to_input_weights (input 1) is absent: CIFG (coupled input "
                             "and forget gates) is not supported");
  tt_done(&r);
  m.absent = -1;
  m.extra = 16;
  tt_assert_status(&r.cap, tt_prepare_tfb(&r, build_lstm(&m)), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap, "projection_weights (input 16) is present");
  tt_done(&r);
  m.extra = -1;
  m.act = TFB_ACT_RELU;
  tt_assert_status(&r.cap, tt_prepare_tfb(&r, build_lstm(&m)), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap, "fused_activation_function 1 is not supported (only TANH");
  tt_done(&r);
}

/* ---- ONNX LSTM and GRU -------------------------------------------------------------------- */

/* Import an ONNX model, compile it (plan included) and evaluate it in process. */
static ta_status onnx_eval(oxb *m, const void *const *in, void *const *out, tt_run *r) {
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  ta_status st = tt_compile(r, "test.onnx", bytes, len, NULL);
  if (st == TA_OK)
    st = ta_graph_eval(r->g, r->calls, in, out);
  return st;
}

/* ONNX LSTM, one unit, one feature, T = 2, layout 0; initial states as graph inputs h0 = 0.5,
 * c0 = 0.2. W and R (gate order i, o, f, c) hold 1 for the cell gate only; B = Wb ++ Rb with
 * Wb_o = 0.3 and Rb_o = 0.2, so i = f = 0.5, o = sigmoid(0.5), g = tanh(x + h):
 *   c1 = 0.5 c0 + 0.5 tanh(x1 + h0), h1 = o tanh(c1); c2, h2 likewise from c1, h1.
 * Y = [h1, h2], Y_h = h2, Y_c = c2. */
static void test_onnx_lstm(void **state) {
  (void)state;
  oxb *m = oxb_new(14);
  oxb_input(m, "x", OXB_FLOAT, 3, (int[]){2, 1, 1});
  oxb_input(m, "h0", OXB_FLOAT, 3, (int[]){1, 1, 1});
  oxb_input(m, "c0", OXB_FLOAT, 3, (int[]){1, 1, 1});
  oxb_init_floats(m, "W", 3, (int[]){1, 4, 1}, (float[]){0, 0, 0, 1});
  oxb_init_floats(m, "R", 3, (int[]){1, 4, 1}, (float[]){0, 0, 0, 1});
  oxb_init_floats(m, "B", 2, (int[]){1, 8}, (float[]){0, 0.3f, 0, 0, 0, 0.2f, 0, 0});
  Onnx__NodeProto *n = oxb_node(m, "LSTM", "x W R B - h0 c0", "Y Y_h Y_c");
  oxb_attr_int(m, n, "hidden_size", 1);
  oxb_output(m, "Y", OXB_FLOAT, 4, (int[]){2, 1, 1, 1});
  oxb_output(m, "Y_h", OXB_FLOAT, 3, (int[]){1, 1, 1});
  oxb_output(m, "Y_c", OXB_FLOAT, 3, (int[]){1, 1, 1});
  const float x[2] = {0.5f, -0.25f}, h0 = 0.5f, c0 = 0.2f;
  float y[2], yh, yc;
  const void *in[3] = {x, &h0, &c0};
  void *out[3] = {y, &yh, &yc};
  tt_run r;
  tt_assert_status(&r.cap, onnx_eval(m, in, out, &r), TA_OK);
  const double o = 1.0 / (1.0 + exp(-0.5));
  const double c1 = 0.5 * 0.2 + 0.5 * tanh(0.5 + 0.5), h1 = o * tanh(c1);
  const double c2 = 0.5 * c1 + 0.5 * tanh(-0.25 + h1), h2 = o * tanh(c2);
  assert_true(fabs(y[0] - h1) < 1e-6 && fabs(y[1] - h2) < 1e-6);
  assert_true(fabs(yh - h2) < 1e-6 && fabs(yc - c2) < 1e-6);
  tt_done(&r);
  oxb_free(m);
}

/* ONNX GRU, one unit, one feature, T = 2, no initial state (h0 = 0). W and R (gates z, r, h)
 * hold 1 for the hidden gate only; Rb_h = 0.5: z = r = 0.5 and h' = 0.5 n + 0.5 h with
 *   n = tanh(x + 0.5 h + 0.5)          (linear_before_reset 0: Rh (r h) + Rb_h)
 *   n = tanh(x + 0.5 (h + 0.5))        (linear_before_reset 1: r (Rh h + Rb_h)). */
static void test_onnx_gru(void **state) {
  (void)state;
  for (int lbr = 0; lbr < 2; lbr++) {
    oxb *m = oxb_new(14);
    oxb_input(m, "x", OXB_FLOAT, 3, (int[]){2, 1, 1});
    oxb_init_floats(m, "W", 3, (int[]){1, 3, 1}, (float[]){0, 0, 1});
    oxb_init_floats(m, "R", 3, (int[]){1, 3, 1}, (float[]){0, 0, 1});
    oxb_init_floats(m, "B", 2, (int[]){1, 6}, (float[]){0, 0, 0, 0, 0, 0.5f});
    Onnx__NodeProto *n = oxb_node(m, "GRU", "x W R B", "Y Y_h");
    oxb_attr_int(m, n, "hidden_size", 1);
    oxb_attr_int(m, n, "linear_before_reset", lbr);
    oxb_output(m, "Y", OXB_FLOAT, 4, (int[]){2, 1, 1, 1});
    oxb_output(m, "Y_h", OXB_FLOAT, 3, (int[]){1, 1, 1});
    const float x[2] = {0.5f, -0.25f};
    float y[2], yh;
    const void *in[1] = {x};
    void *out[2] = {y, &yh};
    tt_run r;
    tt_assert_status(&r.cap, onnx_eval(m, in, out, &r), TA_OK);
    double h = 0.0, want[2];
    for (int t = 0; t < 2; t++) {
      const double nn = lbr ? tanh(x[t] + 0.5 * (h + 0.5)) : tanh(x[t] + 0.5 * h + 0.5);
      h = 0.5 * nn + 0.5 * h;
      want[t] = h;
    }
    assert_true(fabs(y[0] - want[0]) < 1e-6 && fabs(y[1] - want[1]) < 1e-6);
    assert_true(fabs(yh - want[1]) < 1e-6);
    tt_done(&r);
    oxb_free(m);
  }
}

/* ---- directions, layouts, initial states: against a reference written from ONNX's text ---- */

/* One ONNX LSTM / GRU case; mode 0 forward, 1 reverse, 2 bidirectional. */
typedef struct rnn_case {
  bool lstm;
  int mode, layout, lbr;
  int T, B, I, H;
  bool states;    /* initial_h (and initial_c) given */
  bool states_in; /* ... as graph inputs (else initializers) */
  bool seq_lens;  /* sequence_lens given: every row the full length */
  bool peephole0; /* LSTM: P given, all zero */
  bool peephole;  /* LSTM: P given, not zero */
} rnn_case;

static float wave(int i) {
  return 0.6f * sinf(0.7f * (float)i + 0.3f);
}
static float wave2(int i) {
  return 0.5f * cosf(1.3f * (float)i);
}

static double sig(double v) {
  return 1.0 / (1.0 + exp(-v));
}

/* ONNX's equations (operators.md, LSTM and GRU), element by element in double: gates i o f c
 * (LSTM) and z r h (GRU) in W [dirs, G*H, I], R [dirs, G*H, H], B [dirs, 2*G*H] (Wb then Rb);
 * the reverse direction walks t from T-1 down to 0 and writes Y at t. */
static void rnn_reference(const rnn_case *c, const float *x, const float *w, const float *r,
                          const float *bias, const float *h0, const float *c0, const float *peep,
                          double *y, double *yh, double *yc) {
  const int G = c->lstm ? 4 : 3, dirs = c->mode == 2 ? 2 : 1, T = c->T, B = c->B, I = c->I,
            H = c->H;
  for (int d = 0; d < dirs; d++)
    for (int b = 0; b < B; b++) {
      double h[8] = {0}, cs[8] = {0}, hn[8];
      /* initial states: [dirs, B, H] (layout 1: [B, dirs, H]) */
      const int s0 = c->layout ? (b * dirs + d) * H : (d * B + b) * H;
      for (int u = 0; u < H && c->states; u++) {
        h[u] = h0[s0 + u];
        if (c->lstm)
          cs[u] = c0[s0 + u];
      }
      const bool rev = c->mode == 1 || d == 1;
      for (int s = 0; s < T; s++) {
        const int t = rev ? T - 1 - s : s;
        const float *xt = x + (c->layout ? b * T + t : t * B + b) * I;
        double g[4][8]; /* LSTM: the four gates' sums; GRU: z and r only */
        for (int k = 0; k < (c->lstm ? 4 : 2); k++)
          for (int u = 0; u < H; u++) {
            const int row = d * G * H + k * H + u;
            double a = bias[d * 2 * G * H + k * H + u] + bias[d * 2 * G * H + (G + k) * H + u];
            for (int j = 0; j < I; j++)
              a += (double)w[row * I + j] * xt[j];
            for (int j = 0; j < H; j++)
              a += (double)r[row * H + j] * h[j];
            g[k][u] = a;
          }
        for (int u = 0; u < H; u++) {
          if (c->lstm) {
            /* P [dirs, 3H]: i, o, f; i and f see the previous cell state, o the new one. */
            const float *pp = peep + d * 3 * H;
            const double pi = c->peephole ? pp[u] : 0.0, po = c->peephole ? pp[H + u] : 0.0,
                         pf = c->peephole ? pp[2 * H + u] : 0.0;
            const double i = sig(g[0][u] + pi * cs[u]), f = sig(g[2][u] + pf * cs[u]),
                         cc = tanh(g[3][u]);
            cs[u] = f * cs[u] + i * cc;
            const double o = sig(g[1][u] + po * cs[u]);
            hn[u] = o * tanh(cs[u]);
          } else {
            const double z = sig(g[0][u]), rr = sig(g[1][u]);
            const int row = d * G * H + 2 * H + u;
            double xh = bias[d * 2 * G * H + 2 * H + u], hh = bias[d * 2 * G * H + 5 * H + u];
            for (int j = 0; j < I; j++)
              xh += (double)w[row * I + j] * xt[j];
            for (int j = 0; j < H; j++)
              /* linear_before_reset 0: Rh (r * h), the reset inside the product */
              hh += (double)r[row * H + j] * (c->lbr ? h[j] : sig(g[1][j]) * h[j]);
            const double nn = tanh(xh + (c->lbr ? rr * hh : hh));
            hn[u] = (1.0 - z) * nn + z * h[u];
          }
        }
        for (int u = 0; u < H; u++) {
          h[u] = hn[u];
          /* Y: [T, dirs, B, H] (layout 1: [B, T, dirs, H]) */
          y[(c->layout ? (b * T + t) * dirs + d : (t * dirs + d) * B + b) * H + u] = h[u];
        }
      }
      for (int u = 0; u < H; u++) {
        yh[s0 + u] = h[u];
        if (c->lstm)
          yc[s0 + u] = cs[u];
      }
    }
}

static void run_rnn_case(const rnn_case *c) {
  const int G = c->lstm ? 4 : 3, dirs = c->mode == 2 ? 2 : 1, T = c->T, B = c->B, I = c->I,
            H = c->H;
  static const char *const modes[3] = {"forward", "reverse", "bidirectional"};
  float x[64], w[256], r[256], bias[128], h0[32], c0[32];
  for (int i = 0; i < T * B * I; i++)
    x[i] = wave2(i + 5);
  for (int i = 0; i < dirs * G * H * I; i++)
    w[i] = wave(i);
  for (int i = 0; i < dirs * G * H * H; i++)
    r[i] = wave(i + 100);
  for (int i = 0; i < dirs * 2 * G * H; i++)
    bias[i] = 0.5f * wave2(i + 40);
  for (int i = 0; i < dirs * B * H; i++) {
    h0[i] = wave(i + 200);
    c0[i] = wave2(i + 300);
  }
  oxb *m = oxb_new(14);
  const int xd[3] = {c->layout ? B : T, c->layout ? T : B, I};
  const int sd[3] = {c->layout ? B : dirs, c->layout ? dirs : B, H};
  oxb_input(m, "x", OXB_FLOAT, 3, xd);
  if (c->states && c->states_in) {
    oxb_input(m, "h0", OXB_FLOAT, 3, sd);
    if (c->lstm)
      oxb_input(m, "c0", OXB_FLOAT, 3, sd);
  } else if (c->states) {
    oxb_init_floats(m, "h0", 3, sd, h0);
    if (c->lstm)
      oxb_init_floats(m, "c0", 3, sd, c0);
  }
  oxb_init_floats(m, "W", 3, (int[]){dirs, G * H, I}, w);
  oxb_init_floats(m, "R", 3, (int[]){dirs, G * H, H}, r);
  oxb_init_floats(m, "B", 2, (int[]){dirs, 2 * G * H}, bias);
  if (c->seq_lens) {
    int32_t lens[8];
    for (int i = 0; i < B; i++)
      lens[i] = T;
    oxb_init_int32s(m, "L", OXB_INT32, 1, (int[]){B}, lens);
  }
  float peep[24] = {0};
  for (int i = 0; c->peephole && i < dirs * 3 * H; i++)
    peep[i] = 1.5f * wave(i + 400);
  if (c->peephole0 || c->peephole)
    oxb_init_floats(m, "P", 2, (int[]){dirs, 3 * H}, peep);
  char ins[64];
  snprintf(ins, sizeof ins, "x W R B %s %s%s%s", c->seq_lens ? "L" : "-", c->states ? "h0" : "-",
           c->lstm ? (c->states ? " c0" : " -") : "", c->peephole0 || c->peephole ? " P" : "");
  Onnx__NodeProto *n = oxb_node(m, c->lstm ? "LSTM" : "GRU", ins, c->lstm ? "Y Y_h Y_c" : "Y Y_h");
  oxb_attr_int(m, n, "hidden_size", H);
  oxb_attr_string(m, n, "direction", modes[c->mode]);
  if (c->layout)
    oxb_attr_int(m, n, "layout", 1);
  if (!c->lstm)
    oxb_attr_int(m, n, "linear_before_reset", c->lbr);
  oxb_output(m, "Y", OXB_FLOAT, -1, NULL);
  oxb_output(m, "Y_h", OXB_FLOAT, -1, NULL);
  if (c->lstm)
    oxb_output(m, "Y_c", OXB_FLOAT, -1, NULL);
  float y[128], yh[32], yc[32];
  const void *in[3] = {x, h0, c0};
  void *out[3] = {y, yh, yc};
  tt_run rr;
  tt_assert_status(&rr.cap, onnx_eval(m, in, out, &rr), TA_OK);
  /* The output shapes, from the graph. */
  const ta_tensor *ty = &rr.g->tensors[rr.g->outputs[0]], *th = &rr.g->tensors[rr.g->outputs[1]];
  const int want_y[4] = {c->layout ? B : T, c->layout ? T : dirs, c->layout ? dirs : B, H};
  assert_int_equal(ty->rank, 4);
  assert_int_equal(th->rank, 3);
  for (int k = 0; k < 4; k++)
    assert_int_equal(ty->dims[k], want_y[k]);
  for (int k = 0; k < 3; k++)
    assert_int_equal(th->dims[k], sd[k]);
  double ry[128], rh[32], rc[32];
  rnn_reference(c, x, w, r, bias, h0, c0, peep, ry, rh, rc);
  /* Peepholes run their own kernel; zero ones the plain one. */
  for (int32_t i = 0; c->lstm && i < rr.g->n_ops; i++)
    if (rr.g->ops[i].kind == TA_OP_LSTM)
      assert_int_equal(rr.calls[i].kernel, c->peephole ? TA_K_lstm_peephole_f32 : TA_K_lstm_f32);
  for (int i = 0; i < T * dirs * B * H; i++)
    if (fabs(y[i] - ry[i]) > 1e-5) {
      print_error("%s mode %d layout %d: Y[%d] = %.7f, expected %.7f\n", c->lstm ? "LSTM" : "GRU",
                  c->mode, c->layout, i, (double)y[i], ry[i]);
      fail();
    }
  for (int i = 0; i < dirs * B * H; i++) {
    assert_true(fabs(yh[i] - rh[i]) <= 1e-5);
    if (c->lstm)
      assert_true(fabs(yc[i] - rc[i]) <= 1e-5);
  }
  tt_done(&rr);
  oxb_free(m);
}

/* Reverse and bidirectional LSTM and GRU (both linear_before_reset values), layouts 0 and 1,
 * initial states absent, as inputs and as constants, sequence_lens of full length, LSTM
 * peepholes zero and not: Y, Y_h, Y_c against rnn_reference. */
static void test_onnx_rnn_directions(void **state) {
  (void)state;
  const rnn_case cases[] = {
      {.lstm = true, .mode = 2, .T = 3, .B = 2, .I = 3, .H = 2, .states = true, .states_in = true},
      {.lstm = true, .mode = 2, .layout = 1, .T = 4, .B = 2, .I = 2, .H = 3, .states = true},
      {.lstm = true,
       .mode = 1,
       .T = 3,
       .B = 1,
       .I = 2,
       .H = 2,
       .seq_lens = true,
       .peephole0 = true},
      {.lstm = true, .mode = 0, .T = 3, .B = 2, .I = 2, .H = 2, .states = true, .seq_lens = true},
      {.lstm = true, .mode = 1, .layout = 1, .T = 2, .B = 3, .I = 1, .H = 2},
      {.lstm = true, .mode = 0, .T = 4, .B = 2, .I = 2, .H = 3, .states = true, .peephole = true},
      {.lstm = true,
       .mode = 2,
       .layout = 1,
       .T = 3,
       .B = 2,
       .I = 3,
       .H = 2,
       .states = true,
       .states_in = true,
       .peephole = true},
      {.mode = 2, .T = 3, .B = 2, .I = 3, .H = 2, .states = true, .states_in = true},
      {.mode = 2, .lbr = 1, .T = 3, .B = 2, .I = 3, .H = 2},
      {.mode = 2, .lbr = 1, .layout = 1, .T = 4, .B = 2, .I = 2, .H = 3, .states = true},
      {.mode = 1, .T = 3, .B = 2, .I = 2, .H = 2, .states = true, .seq_lens = true},
      {.mode = 1,
       .lbr = 1,
       .layout = 1,
       .T = 3,
       .B = 1,
       .I = 2,
       .H = 4,
       .states = true,
       .states_in = true},
      {.mode = 0, .lbr = 1, .T = 3, .B = 2, .I = 2, .H = 2, .states = true},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    run_rnn_case(&cases[k]);
}

/* Unsupported attribute combinations are refused, naming the attribute. */
static void test_onnx_rnn_refusals(void **state) {
  (void)state;
  static const char *const msgs[6] = {
      "direction \"sideways\" is not one of \"forward\", \"reverse\", \"bidirectional\"",
      "attribute clip is not supported",
      "attribute activations is not supported unless it is the default (Sigmoid, Tanh)",
      "input sequence_lens is supported only as a constant in which every sequence has the full "
      "length 2",
      "input sequence_lens is supported only as a constant in which every sequence has the full "
      "length 2",
      "attribute activations is not supported unless it is the default (Sigmoid, Tanh, for each "
      "direction)"};
  static const ta_status want[6] = {TA_ERR_MALFORMED,   TA_ERR_UNSUPPORTED, TA_ERR_UNSUPPORTED,
                                    TA_ERR_UNSUPPORTED, TA_ERR_UNSUPPORTED, TA_ERR_UNSUPPORTED};
  for (int k = 0; k < 6; k++) {
    oxb *m = oxb_new(14);
    oxb_input(m, "x", OXB_FLOAT, 3, (int[]){2, 1, 1});
    oxb_init_floats(m, "W", 3, (int[]){1, 3, 1}, (float[]){0, 0, 1});
    oxb_init_floats(m, "R", 3, (int[]){1, 3, 1}, (float[]){0, 0, 1});
    if (k == 3)
      oxb_init_int32s(m, "L", OXB_INT32, 1, (int[]){1}, (int32_t[]){1});
    if (k == 4)
      oxb_input(m, "L", OXB_INT32, 1, (int[]){1});
    Onnx__NodeProto *n = oxb_node(m, "GRU", k == 3 || k == 4 ? "x W R - L" : "x W R", "Y");
    oxb_attr_int(m, n, "hidden_size", 1);
    if (k == 0)
      oxb_attr_string(m, n, "direction", "sideways");
    else if (k == 1)
      oxb_attr_float(m, n, "clip", 3.0f);
    else if (k == 2)
      oxb_attr_strings(m, n, "activations", 2, (const char *[]){"Relu", "Tanh"});
    else if (k == 5)
      oxb_attr_strings(m, n, "activations", 2, (const char *[]){"Sigmoid", "Tanh"});
    if (k == 5)
      oxb_attr_string(m, n, "direction", "bidirectional");
    oxb_output(m, "Y", OXB_FLOAT, 4, (int[]){2, 1, 1, 1});
    tt_run r;
    size_t len;
    const uint8_t *bytes = oxb_finish(m, &len);
    tt_assert_status(&r.cap, tt_compile(&r, "test.onnx", bytes, len, NULL), want[k]);
    tt_assert_captured(&r.cap, msgs[k]);
    tt_done(&r);
    oxb_free(m);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_svdf_f32_two_steps),
      cmocka_unit_test(test_svdf_f32_rank2),
      cmocka_unit_test(test_svdf_s8_int16_state),
      cmocka_unit_test(test_svdf_s8_int8_state_saturates),
      cmocka_unit_test(test_svdf_refusals),
      cmocka_unit_test(test_svdf_state_lifetime),
      cmocka_unit_test(test_lstm_f32),
      cmocka_unit_test(test_lstm_s8),
      cmocka_unit_test(test_lstm_refusals),
      cmocka_unit_test(test_onnx_lstm),
      cmocka_unit_test(test_onnx_gru),
      cmocka_unit_test(test_onnx_rnn_directions),
      cmocka_unit_test(test_onnx_rnn_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
