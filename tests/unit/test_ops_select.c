/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_select.c: the ops that pick parts of a tensor or convert its type (SLICE,
 * STRIDED_SLICE, SPLIT, SPLIT_V, GATHER, CAST), as one-op TFLite models built in code and
 * evaluated in process (tt_eval). Expected values are written out by hand from the index
 * rules (python slicing, TFLite masks), not computed by the code under test; the refusals
 * are checked by message.
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

#include "tflbuild.h"
#include "tt_pipeline.h"

static char messages[sizeof(tt_capture){0}.text];

/* Build a one-op model: graph input x (type, shape), constant operands consts[] (int32 1-D
 * or scalar) placed at positions pos[] of the op's inputs, outputs of the given shapes. */
typedef struct cst {
  int pos;
  int rank; /* 0 or 1 */
  int n;
  int32_t v[8];
} cst;

typedef struct oshape {
  int rank;
  int32_t dims[6];
} oshape;

static ta_status run(int code, int type, int xrank, const int32_t *xdims, const cst *cs, int n_cs,
                     int n_in, const oshape *os, int n_out, int out_type, int opt_kind,
                     const int *opt, bool quant, const void *x, void **outs) {
  tfb *b = tfb_new();
  int ins[8], outt[8];
  for (int i = 0; i < n_in; i++)
    ins[i] = -1;
  int xi = tfb_tensor(b, "x", type, xrank, xdims, 0);
  if (quant)
    tfb_quant(b, xi, 1, (float[]){0.5f}, (int64_t[]){3}, 0);
  int xpos = 0;
  for (int i = 0; i < n_cs; i++) {
    const int32_t one = 1;
    const int32_t n = cs[i].n;
    ins[cs[i].pos] = tfb_tensor(b, "c", TFB_INT32, cs[i].rank, cs[i].rank ? &n : &one,
                                tfb_buffer(b, cs[i].v, (size_t)cs[i].n * sizeof(int32_t)));
  }
  for (int i = 0; i < n_in; i++)
    if (ins[i] == -1) {
      xpos = i;
      break;
    }
  ins[xpos] = xi;
  for (int i = 0; i < n_out; i++) {
    outt[i] = tfb_tensor(b, "y", out_type, os[i].rank, os[i].dims, 0);
    if (quant)
      tfb_quant(b, outt[i], 1, (float[]){0.5f}, (int64_t[]){3}, 0);
  }
  int op = tfb_op(b, code, ins, n_in, outt, n_out);
  if (opt_kind == 1)
    tfb_strided_slice_options(b, op, opt[0], opt[1], opt[2], opt[3], opt[4]);
  else if (opt_kind == 2)
    tfb_gather_options(b, op, opt[0]);
  else if (opt_kind == 3)
    tfb_split_options(b, op, code == TFB_OP_SPLIT_V, n_out);
  tfb_io(b, &xi, 1, outt, n_out);
  size_t len;
  uint8_t *bytes = tfb_finish(b, &len);
  tfb_free(b);
  assert_non_null(bytes);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[1] = {x};
  ta_status st = outs ? tt_eval(r, bytes, len, in, outs) : tt_prepare(r, bytes, len);
  snprintf(messages, sizeof messages, "%s", r->cap.text);
  tt_done(r);
  free(bytes);
  free(r);
  if (outs && st != TA_OK)
    print_error("pipeline failed (%s):\n%s", ta_status_name(st), messages);
  return st;
}

/* x[3,4] = 0..11; x[-1::-1, 3:0:-2] (end of dim 0 masked): rows 2,1,0, columns 3,1. */
static void test_strided_slice_reversed(void **state) {
  (void)state;
  float x[12], y[6];
  for (int i = 0; i < 12; i++)
    x[i] = (float)i;
  const cst cs[3] = {{1, 1, 2, {-1, 3}}, {2, 1, 2, {0, 0}}, {3, 1, 2, {-1, -2}}};
  const oshape os = {2, {3, 2}};
  void *outs[1] = {y};
  assert_int_equal(run(TFB_OP_STRIDED_SLICE, TFB_FLOAT32, 2, (int32_t[]){3, 4}, cs, 3, 4, &os, 1,
                       TFB_FLOAT32, 1, (int[]){0, 1, 0, 0, 0}, false, x, outs),
                   TA_OK);
  const float want[6] = {11, 9, 7, 5, 3, 1};
  for (int i = 0; i < 6; i++)
    assert_true(y[i] == want[i]);
}

/* int8 x[2,3,2] = 0..11 (quantized, passes through); x[1] by shrink_axis_mask bit 0, and bounds
 * far outside the dims clamp: begin -100, end 100 on dims 1 and 2. */
static void test_strided_slice_shrink_clamp_s8(void **state) {
  (void)state;
  int8_t x[12], y[6];
  for (int i = 0; i < 12; i++)
    x[i] = (int8_t)(i - 6);
  const cst cs[3] = {{1, 1, 3, {1, -100, -100}}, {2, 1, 3, {2, 100, 100}}, {3, 1, 3, {1, 1, 1}}};
  const oshape os = {2, {3, 2}};
  void *outs[1] = {y};
  assert_int_equal(run(TFB_OP_STRIDED_SLICE, TFB_INT8, 3, (int32_t[]){2, 3, 2}, cs, 3, 4, &os, 1,
                       TFB_INT8, 1, (int[]){0, 0, 0, 0, 1}, true, x, outs),
                   TA_OK);
  for (int i = 0; i < 6; i++)
    assert_int_equal(y[i], i);
}

/* int16 x[4,3] = 0..11, SLICE begin [1,1] size [-1,2]: rows 1..3, columns 1..2. */
static void test_slice_s16(void **state) {
  (void)state;
  int16_t x[12], y[6];
  for (int i = 0; i < 12; i++)
    x[i] = (int16_t)(1000 * i);
  const cst cs[2] = {{1, 1, 2, {1, 1}}, {2, 1, 2, {-1, 2}}};
  const oshape os = {2, {3, 2}};
  void *outs[1] = {y};
  assert_int_equal(run(TFB_OP_SLICE, TFB_INT16, 2, (int32_t[]){4, 3}, cs, 2, 3, &os, 1, TFB_INT16,
                       0, NULL, false, x, outs),
                   TA_OK);
  const int16_t want[6] = {4000, 5000, 7000, 8000, 10000, 11000};
  for (int i = 0; i < 6; i++)
    assert_int_equal(y[i], want[i]);
}

/* SPLIT along axis 1 of x[2,4] = 0..7 into two [2,2]. */
static void test_split_f32(void **state) {
  (void)state;
  float x[8], y0[4], y1[4];
  for (int i = 0; i < 8; i++)
    x[i] = (float)i;
  const cst cs[1] = {{0, 0, 1, {1}}};
  const oshape os[2] = {{2, {2, 2}}, {2, {2, 2}}};
  void *outs[2] = {y0, y1};
  assert_int_equal(run(TFB_OP_SPLIT, TFB_FLOAT32, 2, (int32_t[]){2, 4}, cs, 1, 2, os, 2,
                       TFB_FLOAT32, 3, NULL, false, x, outs),
                   TA_OK);
  const float w0[4] = {0, 1, 4, 5}, w1[4] = {2, 3, 6, 7};
  for (int i = 0; i < 4; i++) {
    assert_true(y0[i] == w0[i]);
    assert_true(y1[i] == w1[i]);
  }
}

/* SPLIT_V of int32 x[5] with sizes [2, -1] (the rest: 3), axis -1. */
static void test_split_v_i32(void **state) {
  (void)state;
  int32_t x[5] = {10, 20, 30, 40, 50}, y0[2], y1[3];
  const cst cs[2] = {{1, 1, 2, {2, -1}}, {2, 0, 1, {-1}}};
  const oshape os[2] = {{1, {2}}, {1, {3}}};
  void *outs[2] = {y0, y1};
  assert_int_equal(run(TFB_OP_SPLIT_V, TFB_INT32, 1, (int32_t[]){5}, cs, 2, 3, os, 2, TFB_INT32, 3,
                       NULL, false, x, outs),
                   TA_OK);
  assert_int_equal(y0[0], 10);
  assert_int_equal(y0[1], 20);
  assert_int_equal(y1[0], 30);
  assert_int_equal(y1[2], 50);
}

/* GATHER along axis 1 of x[2,3] = 0..5 with indices [2, 0, 2]. */
static void test_gather_axis1(void **state) {
  (void)state;
  float x[6] = {0, 1, 2, 3, 4, 5}, y[6];
  const cst cs[1] = {{1, 1, 3, {2, 0, 2}}};
  const oshape os = {2, {2, 3}};
  void *outs[1] = {y};
  assert_int_equal(run(TFB_OP_GATHER, TFB_FLOAT32, 2, (int32_t[]){2, 3}, cs, 1, 2, &os, 1,
                       TFB_FLOAT32, 2, (int[]){1}, false, x, outs),
                   TA_OK);
  const float want[6] = {2, 0, 2, 5, 3, 5};
  for (int i = 0; i < 6; i++)
    assert_true(y[i] == want[i]);
}

/* CAST float32 -> int32: truncation toward zero, saturation, NaN as 0. */
static void test_cast_f32_i32(void **state) {
  (void)state;
  float x[5] = {-1.7f, 2.5f, 3e10f, -3e10f, NAN};
  int32_t y[5];
  const oshape os = {1, {5}};
  void *outs[1] = {y};
  assert_int_equal(run(TFB_OP_CAST, TFB_FLOAT32, 1, (int32_t[]){5}, NULL, 0, 1, &os, 1, TFB_INT32,
                       0, NULL, false, x, outs),
                   TA_OK);
  const int32_t want[5] = {-1, 2, INT32_MAX, INT32_MIN, 0};
  for (int i = 0; i < 5; i++)
    assert_int_equal(y[i], want[i]);
}

/* CAST int32 -> int8 wraps (keeps the low bits), as TFLite's static_cast does. */
static void test_cast_i32_i8(void **state) {
  (void)state;
  int32_t x[3] = {300, -129, 5};
  int8_t y[3];
  const oshape os = {1, {3}};
  void *outs[1] = {y};
  assert_int_equal(run(TFB_OP_CAST, TFB_INT32, 1, (int32_t[]){3}, NULL, 0, 1, &os, 1, TFB_INT8, 0,
                       NULL, false, x, outs),
                   TA_OK);
  assert_int_equal(y[0], 44);
  assert_int_equal(y[1], 127);
  assert_int_equal(y[2], 5);
}

static void test_refusals(void **state) {
  (void)state;
  const cst cs[3] = {{1, 1, 2, {0, 0}}, {2, 1, 2, {1, 1}}, {3, 1, 2, {1, 1}}};
  const oshape os = {2, {1, 1}};
  assert_int_equal(run(TFB_OP_STRIDED_SLICE, TFB_FLOAT32, 2, (int32_t[]){3, 4}, cs, 3, 4, &os, 1,
                       TFB_FLOAT32, 1, (int[]){0, 0, 1, 0, 0}, false, NULL, NULL),
                   TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "ellipsis_mask 1 / new_axis_mask 0 are not supported"));
  /* An index outside the dim. */
  const cst ci[1] = {{1, 1, 1, {3}}};
  const oshape og = {2, {2, 1}};
  assert_int_equal(run(TFB_OP_GATHER, TFB_FLOAT32, 2, (int32_t[]){2, 3}, ci, 1, 2, &og, 1,
                       TFB_FLOAT32, 2, (int[]){1}, false, NULL, NULL),
                   TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "index 3 (element 0 of \"c\") is outside -3..2 (dim 1)"));
  /* Sizes that do not add up. */
  const cst cv[2] = {{1, 1, 2, {2, 2}}, {2, 0, 1, {0}}};
  const oshape ov[2] = {{1, {2}}, {1, {2}}};
  assert_int_equal(run(TFB_OP_SPLIT_V, TFB_FLOAT32, 1, (int32_t[]){5}, cv, 2, 3, ov, 2, TFB_FLOAT32,
                       3, NULL, false, NULL, NULL),
                   TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "size_splits add up to 4; dim 0 has 5 elements"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strided_slice_reversed),
      cmocka_unit_test(test_strided_slice_shrink_clamp_s8),
      cmocka_unit_test(test_slice_s16),
      cmocka_unit_test(test_split_f32),
      cmocka_unit_test(test_split_v_i32),
      cmocka_unit_test(test_gather_axis1),
      cmocka_unit_test(test_cast_f32_i32),
      cmocka_unit_test(test_cast_i32_i8),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
