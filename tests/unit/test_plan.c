/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_plan.c: the memory planner. Exact offsets for small hand-made lifetime sets; thousands
 * of random sets checked by an overlap verifier written here, independent of the planner;
 * graph-level behaviour (RESHAPE views, in-place ops, op reordering, inputs/outputs in the
 * arena) checked against unplanned evaluation of the same graph.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_plan.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

static void test_exact_small(void **state) {
  (void)state;
  /* A [0,1] 100, B [1,2] 50, C [2,3] 100: A and C never meet, so they share offset 0 and B
   * sits above them. */
  ta_plan_buf b[3] = {{0, 1, 100, -1}, {1, 2, 50, -1}, {2, 3, 100, -1}};
  size_t arena = ta_plan_place(b, 3, NULL);
  assert_int_equal(arena, 150);
  assert_int_equal(b[0].offset, 0);
  assert_int_equal(b[2].offset, 0);
  assert_int_equal(b[1].offset, 100);
  assert_int_equal(ta_plan_lower_bound(b, 3), 150);
}

static void test_exact_gap_reuse(void **state) {
  (void)state;
  /* The 40-byte buffer fits in the hole the 64-byte one leaves between two others. */
  ta_plan_buf b[4] = {{0, 4, 32, -1}, {0, 1, 64, -1}, {2, 4, 40, -1}, {0, 4, 16, -1}};
  size_t arena = ta_plan_place(b, 4, NULL);
  assert_int_equal(arena, 112);
  assert_int_equal(b[1].offset, 0); /* largest first */
  assert_int_equal(b[2].offset, 0); /* reuses the 64-byte buffer's space after op 1 */
  assert_int_equal(b[0].offset, 64);
  assert_int_equal(b[3].offset, 96);
}

/* The test's own overlap check: byte-by-byte occupancy per op, nothing shared with plan.c. */
static int independent_overlap(const ta_plan_buf *b, size_t n, size_t arena) {
  int32_t max_op = 0;
  for (size_t i = 0; i < n; i++)
    if (b[i].last > max_op)
      max_op = b[i].last;
  unsigned char *used = malloc(arena + 1);
  for (int32_t op = 0; op <= max_op; op++) {
    memset(used, 0, arena + 1);
    for (size_t i = 0; i < n; i++) {
      if (op < b[i].first || op > b[i].last)
        continue;
      if (b[i].offset < 0 || (size_t)b[i].offset + b[i].bytes > arena) {
        free(used);
        return 1;
      }
      for (size_t k = 0; k < b[i].bytes; k++)
        if (used[(size_t)b[i].offset + k]++) {
          free(used);
          return 1;
        }
    }
  }
  free(used);
  return 0;
}

static void test_random_sets(void **state) {
  (void)state;
  uint32_t s = 0x5EED1234u;
#define NEXT() (s ^= s << 13, s ^= s >> 17, s ^= s << 5, s)
  for (int iter = 0; iter < 3000; iter++) {
    size_t n = 1 + NEXT() % 24;
    ta_plan_buf b[24];
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
      int32_t f = (int32_t)(NEXT() % 20);
      int32_t len = (int32_t)(NEXT() % 6);
      size_t bytes = 4 * (1 + NEXT() % 64);
      b[i] = (ta_plan_buf){f, f + len, bytes, -1};
      total += bytes;
    }
    size_t arena = ta_plan_place(b, n, NULL);
    size_t lb = ta_plan_lower_bound(b, n);
    size_t x, y;
    assert_true(arena >= lb);
    assert_true(arena <= total);
    assert_true(ta_plan_check_bufs(b, n, arena, &x, &y));
    assert_int_equal(independent_overlap(b, n, arena), 0);
  }
}

static void test_checker_catches_overlap(void **state) {
  (void)state;
  ta_plan_buf b[2] = {{0, 2, 16, 0}, {1, 3, 16, 8}};
  size_t x, y;
  assert_false(ta_plan_check_bufs(b, 2, 32, &x, &y));
  assert_int_equal(independent_overlap(b, 2, 32), 1);
  b[1].first = 3; /* no longer live together */
  assert_true(ta_plan_check_bufs(b, 2, 32, &x, &y));
}

/* --- graph level ---------------------------------------------------------------------- */

static int32_t dims4(int32_t *d, int32_t a, int32_t b, int32_t c, int32_t e) {
  d[0] = a, d[1] = b, d[2] = c, d[3] = e;
  return 4;
}

/* x -> RELU -> DEPTHWISE(3x3, SAME, stride 1) -> RESHAPE -> RELU6 -> out (float32). The
 * depthwise conv runs in place over the RELU output, RESHAPE is a view, RELU6 in place. */
static uint8_t *chain_model(size_t *len) {
  tfb *b = tfb_new();
  int32_t d[4];
  int x = tfb_tensor(b, "x", TFB_FLOAT32, dims4(d, 1, 6, 5, 4), d, 0);
  int r = tfb_tensor(b, "relu", TFB_FLOAT32, 4, d, 0);
  float w[36], bias[4];
  for (int i = 0; i < 36; i++)
    w[i] = (float)((i * 7) % 11 - 5) * 0.125f;
  for (int i = 0; i < 4; i++)
    bias[i] = 0.25f * (float)i;
  int tw = tfb_tensor(b, "w", TFB_FLOAT32, dims4(d, 1, 3, 3, 4), d, tfb_buffer(b, w, sizeof w));
  int tb = tfb_tensor(b, "b", TFB_FLOAT32, 1, (int32_t[]){4}, tfb_buffer(b, bias, sizeof bias));
  int dw = tfb_tensor(b, "dw", TFB_FLOAT32, dims4(d, 1, 6, 5, 4), d, 0);
  int32_t shape[2] = {1, 120};
  int ts = tfb_tensor(b, "shape", TFB_INT32, 1, (int32_t[]){2}, tfb_buffer(b, shape, sizeof shape));
  int flat = tfb_tensor(b, "flat", TFB_FLOAT32, 2, shape, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, shape, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){r}, 1);
  int op = tfb_op(b, TFB_OP_DEPTHWISE_CONV_2D, (int[]){r, tw, tb}, 3, (int[]){dw}, 1);
  tfb_dwconv_options(b, op, TFB_PAD_SAME, 1, 1, 1, TFB_ACT_NONE, 1, 1);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){dw, ts}, 2, (int[]){flat}, 1);
  tfb_reshape_options(b, op, shape, 2);
  tfb_op(b, TFB_OP_RELU6, (int[]){flat}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *m = tfb_finish(b, len);
  tfb_free(b);
  return m;
}

/* Evaluate a model unplanned, then planned with opt (shared buffers), and compare. */
static void eval_both(const uint8_t *m, size_t len, const void *in, size_t out_bytes,
                      const ta_plan_options *opt, ta_plan *plan_out, tt_run *planned) {
  tt_run plain;
  void *o1 = malloc(out_bytes), *o2 = malloc(out_bytes);
  const void *ins[1] = {in};
  void *outs[1] = {o1};
  assert_int_equal(tt_eval(&plain, m, len, ins, outs), TA_OK);
  tt_done(&plain);
  assert_int_equal(tt_prepare(planned, m, len), TA_OK);
  assert_int_equal(ta_plan_build(planned->g, planned->calls, opt, plan_out), TA_OK);
  outs[0] = o2;
  memset(o2, 0x55, out_bytes);
  assert_int_equal(ta_graph_eval_shared(planned->g, planned->calls, plan_out->root, ins, outs),
                   TA_OK);
  assert_memory_equal(o1, o2, out_bytes);
  free(o1);
  free(o2);
}

static void test_views_and_inplace(void **state) {
  (void)state;
  size_t len;
  uint8_t *m = chain_model(&len);
  float in[120];
  for (int i = 0; i < 120; i++)
    in[i] = (float)((i * 37) % 19 - 9) * 0.1f;
  tt_run r;
  ta_plan plan;
  ta_plan_options opt;
  ta_plan_options_default(&opt);
  eval_both(m, len, in, sizeof in, &opt, &plan, &r);
  assert_int_equal(plan.n_aliased, 1);
  assert_true(plan.n_inplace >= 1); /* the depthwise conv over the RELU output */
  int32_t dw_op = 1;
  assert_int_equal(r.calls[dw_op].kernel, TA_K_depthwise_conv2d_f32_inplace);
  assert_int_equal(r.calls[2].kernel, -1); /* RESHAPE: no code */
  /* relu, dw, flat and y share one storage; RELU6 runs in place over flat, so that storage
   * is the caller's output buffer and only the 120-byte depthwise plane is in the arena. */
  assert_int_equal(plan.root[r.g->ops[0].out[0]], r.g->outputs[0]);
  assert_int_equal(plan.arena_bytes, 120);
  tt_done(&r);

  opt.no_inplace = true;
  eval_both(m, len, in, sizeof in, &opt, &plan, &r);
  assert_int_equal(plan.n_inplace, 0);
  assert_int_equal(plan.arena_bytes, 960); /* relu and dw (= flat) are live together */
  tt_done(&r);

  opt.no_inplace = false;
  opt.io_in_arena = true;
  eval_both(m, len, in, sizeof in, &opt, &plan, &r);
  assert_true(plan.tensor_offset[r.g->inputs[0]] >= 0);
  assert_true(plan.tensor_offset[r.g->outputs[0]] >= 0);
  tt_done(&r);
  free(m);
}

/* Two branches from x, each big then small, joined by ADD. In the model's order both big
 * tensors are live at once; finishing one branch first halves the peak. */
static uint8_t *branch_model(size_t *len) {
  tfb *b = tfb_new();
  int32_t d[4];
  int x = tfb_tensor(b, "x", TFB_FLOAT32, dims4(d, 1, 8, 8, 2), d, 0);
  float w[16 * 2], bias[16] = {0};
  for (int i = 0; i < 32; i++)
    w[i] = (float)(i % 5 - 2) * 0.5f;
  int tw = tfb_tensor(b, "w", TFB_FLOAT32, dims4(d, 16, 1, 1, 2), d, tfb_buffer(b, w, sizeof w));
  int tb = tfb_tensor(b, "b", TFB_FLOAT32, 1, (int32_t[]){16}, tfb_buffer(b, bias, sizeof bias));
  int a = tfb_tensor(b, "a_big", TFB_FLOAT32, dims4(d, 1, 8, 8, 16), d, 0);
  int c = tfb_tensor(b, "b_big", TFB_FLOAT32, 4, d, 0);
  int a2 = tfb_tensor(b, "a_small", TFB_FLOAT32, dims4(d, 1, 1, 1, 16), d, 0);
  int c2 = tfb_tensor(b, "b_small", TFB_FLOAT32, 4, d, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 4, d, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, tw, tb}, 3, (int[]){a}, 1);
  tfb_conv_options(b, op, TFB_PAD_VALID, 1, 1, TFB_ACT_NONE, 1, 1);
  op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, tw, tb}, 3, (int[]){c}, 1);
  tfb_conv_options(b, op, TFB_PAD_VALID, 1, 1, TFB_ACT_RELU, 1, 1);
  op = tfb_op(b, TFB_OP_AVERAGE_POOL_2D, (int[]){a}, 1, (int[]){a2}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 8, 8, 8, 8, TFB_ACT_NONE);
  op = tfb_op(b, TFB_OP_MAX_POOL_2D, (int[]){c}, 1, (int[]){c2}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 8, 8, 8, 8, TFB_ACT_NONE);
  op = tfb_op(b, TFB_OP_ADD, (int[]){a2, c2}, 2, (int[]){y}, 1);
  tfb_add_options(b, op, TFB_ACT_NONE);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *m = tfb_finish(b, len);
  tfb_free(b);
  return m;
}

static void test_reorder_branches(void **state) {
  (void)state;
  size_t len;
  uint8_t *m = branch_model(&len);
  float in[128];
  for (int i = 0; i < 128; i++)
    in[i] = (float)((i * 13) % 17 - 8) * 0.25f;
  tt_run r;
  ta_plan plan;
  ta_plan_options opt;
  ta_plan_options_default(&opt);
  opt.no_reorder = true;
  eval_both(m, len, in, 64, &opt, &plan, &r);
  assert_false(plan.reordered);
  /* Both 4 KB tensors are live at op 1 (the ADD runs in place over a_small, which therefore
   * lives in the output buffer). */
  assert_int_equal(plan.arena_bytes, 2 * 4096);
  tt_done(&r);
  opt.no_reorder = false;
  eval_both(m, len, in, 64, &opt, &plan, &r);
  assert_true(plan.reordered);
  assert_int_equal(plan.arena_bytes, 4096 + 64); /* b_big with b_small */
  assert_int_equal(plan.lower_bound_bytes, plan.arena_bytes);
  tt_done(&r);
  free(m);
}

static void test_bad_alignment(void **state) {
  (void)state;
  size_t len;
  uint8_t *m = chain_model(&len);
  tt_run r;
  assert_int_equal(tt_prepare(&r, m, len), TA_OK);
  ta_plan plan;
  ta_plan_options opt;
  ta_plan_options_default(&opt);
  opt.alignment = 12;
  assert_int_equal(ta_plan_build(r.g, r.calls, &opt, &plan), TA_ERR_USAGE);
  assert_non_null(strstr(r.cap.text, "alignment 12 is not a power of two"));
  tt_done(&r);
  opt.alignment = 16;
  assert_int_equal(tt_prepare(&r, m, len), TA_OK);
  assert_int_equal(ta_plan_build(r.g, r.calls, &opt, &plan), TA_OK);
  for (int32_t t = 0; t < r.g->n_tensors; t++)
    if (plan.tensor_offset[t] >= 0)
      assert_int_equal(plan.tensor_offset[t] % 16, 0);
  tt_done(&r);
  free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exact_small),       cmocka_unit_test(test_exact_gap_reuse),
      cmocka_unit_test(test_random_sets),       cmocka_unit_test(test_checker_catches_overlap),
      cmocka_unit_test(test_views_and_inplace), cmocka_unit_test(test_reorder_branches),
      cmocka_unit_test(test_bad_alignment),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
