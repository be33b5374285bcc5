/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_passes.c: the graph passes on small graphs built with the IR API. Each test checks the
 * rewritten structure, and where numbers can change, that the graph computes the same values
 * before and after (evaluated in process with the runtime kernels).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ta_passes.h"

static ta_ctx ctx;

static ta_graph *new_graph(void) {
  ta_ctx_init(&ctx, NULL, NULL, NULL, NULL);
  return ta_graph_new(&ctx, "test");
}

static int32_t tensor(ta_graph *g, const char *name, ta_dtype dt, int32_t rank, ...) {
  int32_t dims[TA_MAX_RANK];
  va_list ap;
  va_start(ap, rank);
  for (int32_t k = 0; k < rank; k++)
    dims[k] = va_arg(ap, int32_t);
  va_end(ap);
  return ta_graph_add_tensor(g, name, dt, rank, dims);
}

static int32_t constant(ta_graph *g, int32_t t, const void *data) {
  size_t bytes;
  assert_true(ta_tensor_bytes(&g->tensors[t], &bytes));
  void *d = ta_new(&ctx, bytes);
  memcpy(d, data, bytes);
  g->tensors[t].data = d;
  g->tensors[t].data_bytes = bytes;
  return t;
}

static int32_t op(ta_graph *g, ta_op_kind k, int32_t n_in, const int32_t *in, int32_t out) {
  const int32_t i = ta_graph_add_op(g, k, n_in, 1);
  memcpy(g->ops[i].in, in, (size_t)n_in * sizeof *in);
  g->ops[i].out[0] = out;
  return i;
}

static void io(ta_graph *g, int32_t in, int32_t out) {
  g->tensors[in].flags |= TA_TENSOR_INPUT;
  g->tensors[out].flags |= TA_TENSOR_OUTPUT;
  assert_int_equal(ta_graph_set_io(g, &in, 1, &out, 1), TA_OK);
}

static void checked(ta_graph *g) {
  assert_int_equal(ta_graph_check(g), TA_OK);
  assert_int_equal(ta_graph_check_ops(g), TA_OK);
}

/* Evaluate g on x into y. */
static void eval(ta_graph *g, const void *x, void *y) {
  ta_kernel_call *calls = ta_new_array(&ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof *calls);
  assert_int_equal(ta_graph_check(g), TA_OK);
  assert_int_equal(ta_graph_check_ops(g), TA_OK);
  assert_int_equal(ta_graph_prepare(g, calls), TA_OK);
  const void *in[1] = {x};
  void *out[1] = {y};
  assert_int_equal(ta_graph_eval(g, calls, in, out), TA_OK);
}

static int count(const ta_graph *g, ta_op_kind k) {
  int n = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    n += g->ops[i].kind == k;
  return n;
}

/* TRANSPOSE(TRANSPOSE(x, p), inverse p) ; RELU  =>  RELU(x). */
static void test_transpose_pair_cancels(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 4, 1, 2, 3, 4);
  const int32_t a = ta_graph_add_tensor(g, "a", TA_DT_F32, 0, NULL);
  const int32_t b = ta_graph_add_tensor(g, "b", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  int32_t t1 = op(g, TA_OP_TRANSPOSE, 1, &x, a);
  const int32_t p1[4] = {0, 2, 3, 1}, p2[4] = {0, 3, 1, 2};
  memcpy(g->ops[t1].a.perm, p1, sizeof p1);
  int32_t t2 = op(g, TA_OP_TRANSPOSE, 1, &a, b);
  memcpy(g->ops[t2].a.perm, p2, sizeof p2);
  op(g, TA_OP_RELU, 1, &b, y);
  io(g, x, y);
  checked(g);
  float in[24], want[24], got[24];
  for (int i = 0; i < 24; i++)
    in[i] = (float)(i % 7) - 3.0f;
  eval(g, in, want);
  int32_t n;
  assert_int_equal(ta_pass_cancel_transposes(g, &n), TA_OK);
  assert_int_equal(ta_pass_remove_dead(g, &n), TA_OK);
  assert_int_equal(count(g, TA_OP_TRANSPOSE), 0);
  assert_int_equal(g->n_ops, 1);
  assert_int_equal(g->ops[0].kind, TA_OP_RELU);
  assert_int_equal(g->ops[0].in[0], x);
  eval(g, in, got);
  assert_memory_equal(got, want, sizeof want);
}

/* A transpose that only moves dims of size 1 is a RESHAPE (a view for the planner). */
static void test_size1_transpose_is_reshape(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 4, 1, 1, 1, 8);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  const int32_t t = op(g, TA_OP_TRANSPOSE, 1, &x, y);
  const int32_t p[4] = {0, 3, 1, 2};
  memcpy(g->ops[t].a.perm, p, sizeof p);
  io(g, x, y);
  checked(g);
  int32_t n;
  assert_int_equal(ta_pass_cancel_transposes(g, &n), TA_OK);
  assert_int_equal(g->ops[0].kind, TA_OP_RESHAPE);
  assert_int_equal(g->tensors[y].dims[1], 8);
}

/* CONV_2D ; MUL(per-channel) ; ADD(per-channel)  =>  one CONV_2D, same values. */
static void test_fold_batchnorm(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 4, 1, 4, 4, 2);
  float w[3 * 3 * 3 * 2], bias[3] = {0.5f, -1.0f, 0.25f}, s[3] = {2.0f, -0.5f, 1.5f};
  float t[3] = {0.1f, 0.2f, -0.3f};
  for (int i = 0; i < 54; i++)
    w[i] = (float)((i * 7) % 11 - 5) / 4.0f;
  const int32_t wt = constant(g, tensor(g, "w", TA_DT_F32, 4, 3, 3, 3, 2), w);
  const int32_t bt = constant(g, tensor(g, "b", TA_DT_F32, 1, 3), bias);
  const int32_t st = constant(g, tensor(g, "s", TA_DT_F32, 1, 3), s);
  const int32_t tt = constant(g, tensor(g, "t", TA_DT_F32, 4, 1, 1, 1, 3), t);
  const int32_t c = ta_graph_add_tensor(g, "c", TA_DT_F32, 0, NULL);
  const int32_t m = ta_graph_add_tensor(g, "m", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  const int32_t cin[3] = {x, wt, bt};
  const int32_t ci = op(g, TA_OP_CONV_2D, 3, cin, c);
  g->ops[ci].a.padding = TA_PAD_SAME;
  op(g, TA_OP_MUL, 2, (int32_t[]){st, c}, m);
  op(g, TA_OP_ADD, 2, (int32_t[]){m, tt}, y);
  io(g, x, y);
  checked(g);
  float in[32], want[48], got[48];
  for (int i = 0; i < 32; i++)
    in[i] = (float)(i % 5) - 2.0f;
  eval(g, in, want);
  int32_t n;
  assert_int_equal(ta_pass_fold_batchnorm(g, &n), TA_OK);
  assert_int_equal(n, 2);
  assert_int_equal(g->n_ops, 1);
  assert_int_equal(g->ops[0].out[0], y);
  assert_int_equal(g->tensors[wt].data != g->tensors[g->ops[0].in[1]].data, 1); /* a copy */
  eval(g, in, got);
  for (int i = 0; i < 48; i++)
    assert_float_equal(got[i], want[i], 1e-5);
}

/* Hybrid filters (int8 under a float32 input) to float32: a depthwise filter per channel along
 * its last axis, shared by two depthwise ops (one float tensor for both), each value
 * (q - zp[c]) * scale[c]; a filter whose scales do not fit its axis is refused by name. */
static void test_dequantize_hybrid(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 4, 1, 4, 4, 3);
  int8_t q[27];
  for (int i = 0; i < 27; i++)
    q[i] = (int8_t)(i * 9 - 120);
  const int32_t wt = constant(g, tensor(g, "w", TA_DT_I8, 4, 1, 3, 3, 3), q);
  float scales[3] = {0.5f, 0.25f, 0.125f};
  int64_t zps[3] = {0, 1, -2};
  g->tensors[wt].q = (ta_quant){3, 3, scales, zps};
  const int32_t d1 = ta_graph_add_tensor(g, "d1", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  for (int k = 0; k < 2; k++) {
    const int32_t i = op(g, TA_OP_DEPTHWISE_CONV_2D, 2, (int32_t[]){k ? d1 : x, wt}, k ? y : d1);
    g->ops[i].a.padding = TA_PAD_SAME;
    g->ops[i].a.depth_multiplier = 1;
  }
  io(g, x, y);
  int32_t n;
  assert_int_equal(ta_pass_dequantize_hybrid(g, &n), TA_OK);
  assert_int_equal(n, 2);
  const int32_t f = g->ops[0].in[1];
  assert_int_equal(g->ops[1].in[1], f);
  assert_int_not_equal(f, wt);
  assert_int_equal(g->tensors[f].dtype, TA_DT_F32);
  assert_string_equal(g->tensors[f].name, "w");
  for (int i = 0; i < 27; i++) {
    float v;
    memcpy(&v, g->tensors[f].data + 4 * i, 4);
    assert_true(v == (float)(q[i] - zps[i % 3]) * scales[i % 3]);
  }
  checked(g);
  /* Three scales along axis 0, whose size is 1. */
  ta_graph *h = ta_graph_new(&ctx, "bad");
  const int32_t hx = tensor(h, "x", TA_DT_F32, 4, 1, 4, 4, 3);
  const int32_t hw = constant(h, tensor(h, "w", TA_DT_I8, 4, 1, 3, 3, 3), q);
  h->tensors[hw].q = (ta_quant){3, 0, scales, zps};
  const int32_t hy = ta_graph_add_tensor(h, "y", TA_DT_F32, 0, NULL);
  op(h, TA_OP_DEPTHWISE_CONV_2D, 2, (int32_t[]){hx, hw}, hy);
  assert_int_equal(ta_pass_dequantize_hybrid(h, &n), TA_ERR_MALFORMED);
}

/* A MUL by a tensor that is not per channel stays. */
static void test_fold_batchnorm_needs_per_channel(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 2, 1, 4);
  float w[12] = {0}, s[6] = {1, 2, 3, 4, 5, 6};
  const int32_t wt = constant(g, tensor(g, "w", TA_DT_F32, 2, 3, 4), w);
  const int32_t st = constant(g, tensor(g, "s", TA_DT_F32, 2, 2, 3), s);
  const int32_t c = ta_graph_add_tensor(g, "c", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  op(g, TA_OP_FULLY_CONNECTED, 2, (int32_t[]){x, wt}, c);
  op(g, TA_OP_MUL, 2, (int32_t[]){c, st}, y);
  io(g, x, y);
  checked(g);
  int32_t n;
  assert_int_equal(ta_pass_fold_batchnorm(g, &n), TA_OK);
  assert_int_equal(n, 0);
  assert_int_equal(g->n_ops, 2);
}

/* ADD ; RELU  =>  ADD{act = RELU}; FULLY_CONNECTED ; RELU ; RELU6  =>  act RELU6. */
static void test_fuse_activation(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 2, 1, 4);
  float w[8] = {1, -2, 3, -4, -1, 2, -3, 4};
  const int32_t wt = constant(g, tensor(g, "w", TA_DT_F32, 2, 2, 4), w);
  const int32_t a = ta_graph_add_tensor(g, "a", TA_DT_F32, 0, NULL);
  const int32_t b = ta_graph_add_tensor(g, "b", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  op(g, TA_OP_FULLY_CONNECTED, 2, (int32_t[]){x, wt}, a);
  op(g, TA_OP_RELU, 1, &a, b);
  op(g, TA_OP_RELU6, 1, &b, y);
  io(g, x, y);
  checked(g);
  float in[4] = {3, 1, 2, 0.5f}, want[2], got[2];
  eval(g, in, want);
  int32_t n;
  assert_int_equal(ta_pass_fuse_activation(g, &n), TA_OK);
  assert_int_equal(g->n_ops, 1);
  assert_int_equal(g->ops[0].a.act, TA_ACT_RELU6);
  eval(g, in, got);
  assert_memory_equal(got, want, sizeof want);
}

/* DEQUANTIZE(x_q) ; CONV_2D(DEQUANTIZE(w_q)) ; QUANTIZE  =>  int8 CONV_2D. */
static void test_qdq(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t xq = tensor(g, "x_q", TA_DT_I8, 4, 1, 3, 3, 2);
  float xs = 0.5f, ws[2] = {0.25f, 0.125f}, ys = 1.0f;
  int64_t zx = 3, zw[2] = {0, 0}, zy = -2;
  g->tensors[xq].q = (ta_quant){1, 0, &xs, &zx};
  int8_t w[2 * 1 * 1 * 2] = {4, -8, 12, 2};
  const int32_t wq = constant(g, tensor(g, "w_q", TA_DT_I8, 4, 2, 1, 1, 2), w);
  g->tensors[wq].q = (ta_quant){2, 0, ws, zw};
  const int32_t xf = ta_graph_add_tensor(g, "x", TA_DT_F32, 0, NULL);
  const int32_t wf = ta_graph_add_tensor(g, "w", TA_DT_F32, 0, NULL);
  const int32_t yf = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  const int32_t yq = ta_graph_add_tensor(g, "y_q", TA_DT_I8, 0, NULL);
  g->tensors[yq].q = (ta_quant){1, 0, &ys, &zy};
  op(g, TA_OP_DEQUANTIZE, 1, &xq, xf);
  op(g, TA_OP_DEQUANTIZE, 1, &wq, wf);
  op(g, TA_OP_CONV_2D, 2, (int32_t[]){xf, wf}, yf);
  op(g, TA_OP_QUANTIZE, 1, &yf, yq);
  io(g, xq, yq);
  checked(g);
  int8_t in[18], want[18], got[18];
  for (int i = 0; i < 18; i++)
    in[i] = (int8_t)(i * 5 - 40);
  eval(g, in, want);
  int32_t n;
  assert_int_equal(ta_pass_qdq(g, &n), TA_OK);
  assert_int_equal(n, 1);
  assert_int_equal(ta_pass_remove_dead(g, &n), TA_OK);
  assert_int_equal(g->n_ops, 1);
  assert_int_equal(g->ops[0].kind, TA_OP_CONV_2D);
  assert_int_equal(g->tensors[g->ops[0].in[0]].dtype, TA_DT_I8);
  assert_int_equal(g->tensors[g->ops[0].in[1]].dtype, TA_DT_I8);
  eval(g, in, got);
  /* TFLite's integer requantization against float arithmetic: within one step. */
  for (int i = 0; i < 18; i++)
    assert_true(abs(got[i] - want[i]) <= 1);
}

/* The op table's flags (ops.def), as the passes and the planner query them. */
static void test_op_flags(void **state) {
  (void)state;
  assert_true(ta_op_has_flag(TA_OP_CONV_2D, TA_OPF_TAKES_ACT | TA_OPF_WEIGHTED));
  assert_false(ta_op_has_flag(TA_OP_CONV_2D, TA_OPF_QUANT_SAME));
  assert_true(ta_op_has_flag(TA_OP_RESHAPE, TA_OPF_VIEW | TA_OPF_PERMUTE | TA_OPF_QUANT_SAME));
  assert_true(ta_op_has_flag(TA_OP_TRANSPOSE, TA_OPF_PERMUTE));
  assert_false(ta_op_has_flag(TA_OP_TRANSPOSE, TA_OPF_VIEW));
  assert_true(ta_op_has_flag(TA_OP_MAX_POOL_2D, TA_OPF_QUANT_SAME | TA_OPF_TAKES_ACT));
  assert_true(ta_op_has_flag(TA_OP_ADD, TA_OPF_ELEMENTWISE | TA_OPF_TAKES_ACT));
  assert_false(ta_op_has_flag(TA_OP_SOFTMAX, TA_OPF_TAKES_ACT));
  assert_false(ta_op_has_flag(TA_OP_PAD, TA_OPF_QUANT_SAME));
  assert_false(ta_op_has_flag(TA_OP_COUNT, TA_OPF_VIEW));
  assert_int_equal(ta_op_act(TA_OP_RELU), TA_ACT_RELU);
  assert_int_equal(ta_op_act(TA_OP_RELU6), TA_ACT_RELU6);
  assert_int_equal(ta_op_act(TA_OP_RELU_N1_TO_1), TA_ACT_RELU_N1_TO_1);
  assert_int_equal(ta_op_act(TA_OP_CLAMP), TA_ACT_NONE);
  assert_int_equal(ta_op_act(TA_OP_COUNT), TA_ACT_NONE);
  /* Facts that hold together: an activation op is element-wise and does not take an
   * activation itself; a view is a permutation and quantization transparent. */
  for (int k = 0; k < TA_OP_COUNT; k++) {
    if (ta_op_act((ta_op_kind)k) != TA_ACT_NONE) {
      assert_true(ta_op_has_flag((ta_op_kind)k, TA_OPF_ELEMENTWISE));
      assert_false(ta_op_has_flag((ta_op_kind)k, TA_OPF_TAKES_ACT));
    }
    if (ta_op_has_flag((ta_op_kind)k, TA_OPF_VIEW))
      assert_true(ta_op_has_flag((ta_op_kind)k, TA_OPF_PERMUTE | TA_OPF_QUANT_SAME));
  }
}

/* MAX_POOL_2D ; RELU_N1_TO_1  =>  MAX_POOL_2D{act}; SOFTMAX (no TA_OPF_TAKES_ACT) ; RELU stays. */
static void test_fuse_activation_by_flags(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 4, 1, 2, 2, 3);
  const int32_t p = ta_graph_add_tensor(g, "p", TA_DT_F32, 0, NULL);
  const int32_t q = ta_graph_add_tensor(g, "q", TA_DT_F32, 0, NULL);
  const int32_t s = ta_graph_add_tensor(g, "s", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  const int32_t pool = op(g, TA_OP_MAX_POOL_2D, 1, &x, p);
  g->ops[pool].a = (ta_attrs){.filter_w = 1, .filter_h = 1, .stride_w = 1, .stride_h = 1};
  op(g, TA_OP_RELU_N1_TO_1, 1, &p, q);
  op(g, TA_OP_SOFTMAX, 1, &q, s);
  op(g, TA_OP_RELU, 1, &s, y);
  g->ops[2].a.beta = 1.0f;
  io(g, x, y);
  checked(g);
  int32_t n;
  assert_int_equal(ta_pass_fuse_activation(g, &n), TA_OK);
  assert_int_equal(n, 1);
  assert_int_equal(g->n_ops, 3);
  assert_int_equal(g->ops[0].kind, TA_OP_MAX_POOL_2D);
  assert_int_equal(g->ops[0].a.act, TA_ACT_RELU_N1_TO_1);
  assert_int_equal(count(g, TA_OP_RELU), 1);
  checked(g);
}

/* DEQUANTIZE ; MAX_POOL_2D (TA_OPF_QUANT_SAME) ; QUANTIZE  =>  int8 MAX_POOL_2D when the
 * quantization agrees, and unchanged when it does not. */
static void test_qdq_quant_same(void **state) {
  (void)state;
  for (int same = 0; same < 2; same++) {
    ta_graph *g = new_graph();
    const int32_t xq = tensor(g, "x_q", TA_DT_I8, 4, 1, 2, 2, 1);
    static float xs = 0.5f, ys_same = 0.5f, ys_other = 0.25f;
    static int64_t zx = 3, zy = 3;
    g->tensors[xq].q = (ta_quant){1, 0, &xs, &zx};
    const int32_t xf = ta_graph_add_tensor(g, "x", TA_DT_F32, 0, NULL);
    const int32_t yf = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
    const int32_t yq = ta_graph_add_tensor(g, "y_q", TA_DT_I8, 0, NULL);
    g->tensors[yq].q = (ta_quant){1, 0, same ? &ys_same : &ys_other, &zy};
    op(g, TA_OP_DEQUANTIZE, 1, &xq, xf);
    const int32_t pool = op(g, TA_OP_MAX_POOL_2D, 1, &xf, yf);
    g->ops[pool].a = (ta_attrs){.filter_w = 2, .filter_h = 2, .stride_w = 2, .stride_h = 2};
    op(g, TA_OP_QUANTIZE, 1, &yf, yq);
    io(g, xq, yq);
    checked(g);
    int32_t n;
    assert_int_equal(ta_pass_qdq(g, &n), TA_OK);
    assert_int_equal(n, same ? 1 : 0);
    assert_int_equal(ta_pass_remove_dead(g, &n), TA_OK);
    assert_int_equal(g->n_ops, same ? 1 : 3);
    if (same)
      assert_int_equal(g->tensors[g->ops[0].in[0]].dtype, TA_DT_I8);
    checked(g);
    ta_ctx_free(&ctx);
  }
}

/* An op on constants becomes a constant; dead ops go. */
static void test_fold_constants_and_dead(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 1, 3);
  float c1[3] = {1, 2, 3}, c2[3] = {10, 20, 30};
  const int32_t a = constant(g, tensor(g, "a", TA_DT_F32, 1, 3), c1);
  const int32_t b = constant(g, tensor(g, "b", TA_DT_F32, 1, 3), c2);
  const int32_t s = ta_graph_add_tensor(g, "s", TA_DT_F32, 0, NULL);
  const int32_t unused = ta_graph_add_tensor(g, "unused", TA_DT_F32, 0, NULL);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  op(g, TA_OP_ADD, 2, (int32_t[]){a, b}, s);
  op(g, TA_OP_RELU, 1, &x, unused);
  op(g, TA_OP_MUL, 2, (int32_t[]){x, s}, y);
  io(g, x, y);
  checked(g);
  int32_t n;
  assert_int_equal(ta_pass_fold_constants(g, &n), TA_OK);
  assert_int_equal(n, 1);
  assert_true(ta_tensor_is_const(&g->tensors[s]));
  assert_int_equal(ta_pass_remove_dead(g, &n), TA_OK);
  assert_int_equal(n, 1);
  assert_int_equal(g->n_ops, 1);
  float in[3] = {1, -1, 2}, got[3];
  eval(g, in, got);
  assert_float_equal(got[0], 11.0f, 0);
  assert_float_equal(got[1], -22.0f, 0);
  assert_float_equal(got[2], 66.0f, 0);
}

/* FULLY_CONNECTED(RESHAPE(TRANSPOSE(x))) => FULLY_CONNECTED(RESHAPE(x)), permuted weights. */
static void test_transpose_into_fc(void **state) {
  (void)state;
  ta_graph *g = new_graph();
  const int32_t x = tensor(g, "x", TA_DT_F32, 4, 1, 2, 2, 3);
  float w[4 * 12];
  for (int i = 0; i < 48; i++)
    w[i] = (float)((i * 5) % 13 - 6) / 3.0f;
  const int32_t wt = constant(g, tensor(g, "w", TA_DT_F32, 2, 4, 12), w);
  const int32_t t = ta_graph_add_tensor(g, "t", TA_DT_F32, 0, NULL);
  const int32_t f = tensor(g, "f", TA_DT_F32, 2, 1, 12);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  const int32_t ti = op(g, TA_OP_TRANSPOSE, 1, &x, t);
  const int32_t p[4] = {0, 3, 1, 2};
  memcpy(g->ops[ti].a.perm, p, sizeof p);
  op(g, TA_OP_RESHAPE, 1, &t, f);
  op(g, TA_OP_FULLY_CONNECTED, 2, (int32_t[]){f, wt}, y);
  io(g, x, y);
  checked(g);
  float in[12], want[4], got[4];
  for (int i = 0; i < 12; i++)
    in[i] = (float)(i * 3 % 7) - 2.5f;
  eval(g, in, want);
  int32_t n;
  assert_int_equal(ta_pass_transpose_into_fc(g, &n), TA_OK);
  assert_int_equal(n, 1);
  assert_int_equal(ta_pass_remove_dead(g, &n), TA_OK);
  assert_int_equal(count(g, TA_OP_TRANSPOSE), 0);
  eval(g, in, got);
  for (int i = 0; i < 4; i++)
    assert_float_equal(got[i], want[i], 1e-5);
}

static int teardown(void **state) {
  (void)state;
  ta_ctx_free(&ctx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_transpose_pair_cancels, teardown),
      cmocka_unit_test_teardown(test_size1_transpose_is_reshape, teardown),
      cmocka_unit_test_teardown(test_fold_batchnorm, teardown),
      cmocka_unit_test_teardown(test_fold_batchnorm_needs_per_channel, teardown),
      cmocka_unit_test_teardown(test_dequantize_hybrid, teardown),
      cmocka_unit_test_teardown(test_fuse_activation, teardown),
      cmocka_unit_test_teardown(test_qdq, teardown),
      cmocka_unit_test_teardown(test_op_flags, teardown),
      cmocka_unit_test_teardown(test_fuse_activation_by_flags, teardown),
      cmocka_unit_test_teardown(test_qdq_quant_same, teardown),
      cmocka_unit_test_teardown(test_fold_constants_and_dead, teardown),
      cmocka_unit_test_teardown(test_transpose_into_fc, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
