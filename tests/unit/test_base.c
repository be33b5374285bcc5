/* SPDX-License-Identifier: Apache-2.0 */
/* test_base.c: the context arena, checked arithmetic, diagnostics and graph checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_ir.h"
#include "tt_capture.h"

static tt_capture cap; /* cap.last: the last message */

static void test_checked_math(void **state) {
  (void)state;
  size_t r;
  assert_true(ta_mul_size(1000, 1000, &r));
  assert_int_equal(r, 1000000);
  assert_false(ta_mul_size(SIZE_MAX / 2 + 1, 2, &r));
  assert_false(ta_add_size(SIZE_MAX, 1, &r));
}

static int fail_after;
static void *failing_alloc(void *user, void *ptr, size_t size) {
  (void)user;
  if (size == 0) {
    free(ptr);
    return NULL;
  }
  if (fail_after-- <= 0)
    return NULL;
  return realloc(ptr, size);
}

/* Sizes as people write them (issue 17, item 12): one parser for every budget option. */
static void test_parse_bytes(void **state) {
  (void)state;
  uint64_t v = 7;
  assert_true(ta_parse_bytes("4096", &v));
  assert_int_equal(v, 4096);
  assert_true(ta_parse_bytes("256K", &v));
  assert_int_equal(v, 262144);
  assert_true(ta_parse_bytes("64KiB", &v));
  assert_int_equal(v, 65536);
  assert_true(ta_parse_bytes("640KB", &v));
  assert_int_equal(v, 655360);
  assert_true(ta_parse_bytes("1M", &v));
  assert_int_equal(v, 1048576);
  assert_true(ta_parse_bytes("2MiB", &v));
  assert_int_equal(v, 2097152);
  v = 7;
  const char *bad[] = {"12X",
                       "",
                       "K",
                       "0",
                       "0K",
                       "-1",
                       "1.5M",
                       "256 K",
                       "1KiBB",
                       "1Ki",
                       "99999999999999999999",
                       "300000000M",
                       NULL};
  for (int i = 0; bad[i]; i++)
    assert_false(ta_parse_bytes(bad[i], &v));
  assert_int_equal(v, 7);
}

static void test_arena_and_oom(void **state) {
  (void)state;
  ta_ctx ctx;
  fail_after = 1;
  ta_ctx_init(&ctx, failing_alloc, NULL, tt_capture_sink, &cap);
  void *a = ta_new(&ctx, 100);
  assert_non_null(a);
  assert_int_equal((uintptr_t)a % 16, 0);
  void *b = ta_new(&ctx, 1u << 20); /* needs a second block: the hook refuses */
  assert_null(b);
  assert_true(ctx.oom);
  assert_non_null(strstr(cap.last, "out of memory"));
  ta_ctx_free(&ctx);
}

static void test_op_error_format(void **state) {
  (void)state;
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  ctx.file = "kws.tflite";
  ta_graph *g = ta_graph_new(&ctx, "kws.tflite");
  int32_t op = ta_graph_add_op(g, TA_OP_CONV_2D, 3, 1);
  g->ops[op].name = "conv_3";
  g->ops[op].src_index = 7;
  ta_op_err(g, &g->ops[op], TA_ERR_UNSUPPORTED, "filter has %d scales, expected %d", 16, 32);
  assert_string_equal(cap.last,
                      "kws.tflite: op 7 CONV_2D \"conv_3\": filter has 16 scales, expected 32");
  ta_ctx_free(&ctx);
}

static void test_graph_check_order(void **state) {
  (void)state;
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  ta_graph *g = ta_graph_new(&ctx, "m");
  int32_t dims[2] = {1, 4};
  int32_t x = ta_graph_add_tensor(g, "x", TA_DT_F32, 2, dims);
  int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 2, dims);
  int32_t z = ta_graph_add_tensor(g, "z", TA_DT_F32, 2, dims);
  g->tensors[x].flags |= TA_TENSOR_INPUT;
  /* op 0 reads y, which op 1 writes: not in topological order. */
  int32_t a = ta_graph_add_op(g, TA_OP_RELU, 1, 1);
  g->ops[a].in[0] = y;
  g->ops[a].out[0] = z;
  int32_t b = ta_graph_add_op(g, TA_OP_RELU, 1, 1);
  g->ops[b].in[0] = x;
  g->ops[b].out[0] = y;
  assert_int_equal(ta_graph_set_io(g, &x, 1, &z, 1), TA_OK);
  assert_int_equal(ta_graph_check(g), TA_ERR_MALFORMED);
  assert_non_null(strstr(cap.last, "runs later"));
  ta_ctx_free(&ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_checked_math),      cmocka_unit_test(test_parse_bytes),
      cmocka_unit_test(test_arena_and_oom),     cmocka_unit_test(test_op_error_format),
      cmocka_unit_test(test_graph_check_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
