/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_limits.c: the sane limits on what a model may ask for (issue 6): counts read from the
 * file (tensors, operators, operands), sizes (a tensor or an arena above --max-arena, a size
 * that overflows size_t), each refused with TA_ERR_LIMIT and a message that names the number
 * found and the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_compile.h"
#include "ta_tflite.h"
#include "tflbuild.h"
#include "tt_capture.h"

typedef struct run {
  ta_ctx ctx;
  ta_model m;
  tt_capture cap; /* errors only */
} run;

/* Serialize b (freed) and compile it (ta_compile_bytes); the bytes are kept in *bytes (the
 * graph points into them) and freed by done(). */
static ta_status load(run *r, tfb *b, const ta_plan_options *opt, uint8_t **bytes) {
  size_t len;
  *bytes = tfb_finish(b, &len);
  tfb_free(b);
  assert_non_null(*bytes);
  memset(r, 0, sizeof *r);
  r->cap.errors_only = true;
  ta_ctx_init(&r->ctx, NULL, NULL, tt_capture_sink, &r->cap);
  ta_compile_options co;
  ta_compile_options_init(&co);
  if (opt)
    co.plan = *opt;
  return ta_compile_bytes(&r->ctx, "limits.tflite", *bytes, len, &co, &r->m);
}

static void done(run *r, uint8_t *bytes) {
  ta_ctx_free(&r->ctx);
  free(bytes);
}

static void expect_msg(const run *r, const char *text) {
  if (!strstr(r->cap.text, text))
    fprintf(stderr, "messages lack '%s':\n%s", text, r->cap.text);
  assert_non_null(strstr(r->cap.text, text));
}

static int q8(tfb *b, int rank, const int32_t *dims) {
  int t = tfb_tensor(b, "t", TFB_INT8, rank, dims, 0);
  tfb_quant(b, t, 1, (float[]){0.1f}, (int64_t[]){0}, 0);
  return t;
}

/* A chain of n RELU ops on int8 [1,4]. */
static tfb *relu_chain(int n, int extra_tensors) {
  tfb *b = tfb_new();
  int32_t d[2] = {1, 4};
  int x = q8(b, 2, d), prev = x;
  for (int i = 0; i < n; i++) {
    int t = q8(b, 2, d);
    tfb_op(b, TFB_OP_RELU, (int[]){prev}, 1, (int[]){t}, 1);
    prev = t;
  }
  for (int i = 0; i < extra_tensors; i++)
    tfb_tensor(b, "unused", TFB_INT8, 2, d, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){prev}, 1);
  return b;
}

/* Only the reader: a whole compile of 16384 ops takes seconds (minutes under ASan). */
static ta_status read_only(run *r, tfb *b, uint8_t **bytes) {
  size_t len;
  *bytes = tfb_finish(b, &len);
  tfb_free(b);
  assert_non_null(*bytes);
  memset(r, 0, sizeof *r);
  r->cap.errors_only = true;
  ta_ctx_init(&r->ctx, NULL, NULL, tt_capture_sink, &r->cap);
  r->ctx.file = "limits.tflite";
  ta_graph *g;
  return ta_tfl_read(&r->ctx, *bytes, len, &g);
}

static void test_op_and_tensor_counts(void **state) {
  (void)state;
  run r;
  uint8_t *bytes;
  /* At the limits: accepted. */
  assert_int_equal(read_only(&r, relu_chain(TA_MAX_OPS, TA_MAX_TENSORS - TA_MAX_OPS - 1), &bytes),
                   TA_OK);
  done(&r, bytes);
  assert_int_equal(read_only(&r, relu_chain(TA_MAX_OPS + 1, 0), &bytes), TA_ERR_LIMIT);
  expect_msg(&r, "the subgraph has 16386 tensors and 16385 operators; tinyaot reads at most "
                 "32768 tensors and 16384 operators");
  done(&r, bytes);
  assert_int_equal(read_only(&r, relu_chain(1, TA_MAX_TENSORS - 1), &bytes), TA_ERR_LIMIT);
  expect_msg(&r, "the subgraph has 32769 tensors");
  done(&r, bytes);
}

static void test_operand_counts(void **state) {
  (void)state;
  run r;
  uint8_t *bytes;
  tfb *b = tfb_new();
  int32_t d[2] = {1, 1}, dy[2] = {1, TA_MAX_OPERANDS + 1};
  int x = q8(b, 2, d);
  int *ins = malloc((TA_MAX_OPERANDS + 1) * sizeof *ins);
  for (int i = 0; i <= TA_MAX_OPERANDS; i++)
    ins[i] = x;
  int y = q8(b, 2, dy);
  int op = tfb_op(b, TFB_OP_CONCATENATION, ins, TA_MAX_OPERANDS + 1, (int[]){y}, 1);
  tfb_concat_options(b, op, 1, TFB_ACT_NONE);
  tfb_io(b, ins, TA_MAX_OPERANDS + 1, (int[]){y}, 1);
  free(ins);
  assert_int_equal(load(&r, b, NULL, &bytes), TA_ERR_LIMIT);
  expect_msg(&r, "has 1025 inputs and 1 outputs; tinyaot reads at most 1024 of each");
  expect_msg(&r, "the subgraph has 1025 inputs; tinyaot reads at most 1024");
  done(&r, bytes);
}

/* RELU on int8 of the given shape: the input, the output and the arena all have its size. */
static tfb *relu_of(int rank, const int32_t *dims) {
  tfb *b = tfb_new();
  int x = q8(b, rank, dims), y = q8(b, rank, dims), z = q8(b, rank, dims);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_op(b, TFB_OP_RELU6, (int[]){y}, 1, (int[]){z}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){z}, 1);
  return b;
}

static void test_max_arena(void **state) {
  (void)state;
  run r;
  uint8_t *bytes;
  ta_plan_options opt;
  ta_plan_options_default(&opt);
  assert_int_equal(opt.max_arena_bytes, 64u << 20);
  /* 65 MiB per tensor: above the default limit. */
  int32_t big[2] = {65, 1 << 20};
  assert_int_equal(load(&r, relu_of(2, big), &opt, &bytes), TA_ERR_LIMIT);
  expect_msg(&r, "shape [65,1048576] of int8 needs 68157440 bytes, above the limit of 67108864 "
                 "bytes (--max-arena)");
  done(&r, bytes);
  /* Inputs and outputs in caller buffers: only the middle tensor is in the arena. */
  int32_t small[2] = {4, 256};
  opt.max_arena_bytes = 1023;
  assert_int_equal(load(&r, relu_of(2, small), &opt, &bytes), TA_ERR_LIMIT);
  expect_msg(&r, "needs 1024 bytes, above the limit of 1023 bytes");
  done(&r, bytes);
  opt.max_arena_bytes = 1024;
  opt.no_inplace = true;
  assert_int_equal(load(&r, relu_of(2, small), &opt, &bytes), TA_OK);
  assert_int_equal(r.m.plan.arena_bytes, 1024);
  done(&r, bytes);
  opt.io_in_arena = true;
  opt.max_arena_bytes = 2047; /* x and z share: 2 buffers of 1024 */
  assert_int_equal(load(&r, relu_of(2, small), &opt, &bytes), TA_ERR_LIMIT);
  expect_msg(&r, "the memory plan needs an arena of 2048 bytes, above the limit of 2047 bytes; "
                 "raise it with --max-arena BYTES");
  done(&r, bytes);
}

/* The planner refuses a tensor whose byte size overflows size_t (no frontend check relied on:
 * the graph is built directly). */
static void test_plan_size_overflow(void **state) {
  (void)state;
  ta_ctx ctx;
  run r;
  memset(&r, 0, sizeof r);
  r.cap.errors_only = true;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &r.cap);
  ta_graph *g = ta_graph_new(&ctx, "overflow");
  int32_t dims[6] = {1 << 29, 1 << 29, 1 << 29, 1 << 29, 1 << 29, 1 << 29};
  int32_t x = ta_graph_add_tensor(g, "x", TA_DT_F32, 6, dims);
  int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 6, dims);
  int32_t op = ta_graph_add_op(g, TA_OP_RELU, 1, 1);
  g->ops[op].in[0] = x;
  g->ops[op].out[0] = y;
  g->tensors[x].flags |= TA_TENSOR_INPUT;
  g->tensors[y].flags |= TA_TENSOR_OUTPUT;
  assert_int_equal(ta_graph_set_io(g, &x, 1, &y, 1), TA_OK);
  ta_kernel_call call;
  memset(&call, 0, sizeof call);
  call.kernel = -1;
  ta_plan plan;
  ta_plan_options opt;
  ta_plan_options_default(&opt);
  opt.max_arena_bytes = 0; /* no limit: the overflow check still holds */
  assert_int_equal(ta_plan_build(g, &call, &opt, &plan), TA_ERR_LIMIT);
  expect_msg(&r, "its size in bytes overflows");
  ta_ctx_free(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_op_and_tensor_counts),
      cmocka_unit_test(test_operand_counts),
      cmocka_unit_test(test_max_arena),
      cmocka_unit_test(test_plan_size_overflow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
