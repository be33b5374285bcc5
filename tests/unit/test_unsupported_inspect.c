/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_unsupported_inspect.c: a TFLite model with operators tinyaot lacks (builtin SIN, a
 * CUSTOM op) compiled through the library with ta_compile_options.allow_unsupported, as
 * `inspect` does: the graph keeps them as UNSUPPORTED placeholders with their names, the ops
 * downstream of them keep unknown shapes, the ops upstream are checked, and the inspect
 * report (text and JSON) marks the rows. Without the option the same model still fails, one
 * line per operator. The same for an ONNX model built in code (unknown operators of the
 * default and of another domain, one of them twice, a known node after them): the graph read
 * with placeholders, each missing operator said once as a warning with its count and node
 * names.
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
#include "onnxbuild.h"
#include "ta_report.h"
#include "tflbuild.h"

static char msgs[8192];
static int n_errors;

static void sink(void *user, ta_severity sev, const char *msg) {
  (void)user;
  const size_t n = strlen(msgs);
  snprintf(msgs + n, sizeof msgs - n, "%s%s\n", sev == TA_ERROR ? "error: " : "", msg);
  n_errors += sev == TA_ERROR;
}

/* x[1,8] -> RELU -> r -> SIN -> s -> ADD(s, r) -> a -> CUSTOM "MyOp" -> y. */
static uint8_t *build(size_t *len) {
  const int32_t d[2] = {1, 8};
  tfb *b = tfb_new();
  const int x = tfb_tensor(b, "x", TFB_FLOAT32, 2, d, 0);
  const int r = tfb_tensor(b, "r", TFB_FLOAT32, 2, d, 0);
  const int s = tfb_tensor(b, "s", TFB_FLOAT32, 2, d, 0);
  const int a = tfb_tensor(b, "a", TFB_FLOAT32, 2, d, 0);
  const int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, d, 0);
  tfb_op(b, TFB_OP_RELU, &x, 1, &r, 1);
  tfb_op(b, TFB_OP_SIN, &r, 1, &s, 1);
  const int ab[2] = {s, r};
  tfb_op(b, TFB_OP_ADD, ab, 2, &a, 1);
  tfb_custom_op(b, "MyOp", &a, 1, &y, 1);
  tfb_io(b, &x, 1, &y, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

static void test_inspect_marks_unsupported(void **state) {
  (void)state;
  size_t len;
  uint8_t *model = build(&len);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.allow_unsupported = true;
  ta_ctx ctx;
  ta_model m;
  msgs[0] = 0;
  ta_ctx_init(&ctx, NULL, NULL, sink, NULL);
  ta_status st = ta_compile_bytes(&ctx, "m.tflite", model, len, &opt, &m);
  if (st != TA_OK)
    print_error("%s", msgs);
  assert_int_equal(st, TA_OK);
  const ta_graph *g = m.g;
  assert_int_equal(g->n_ops, 4);
  assert_int_equal(g->ops[0].kind, TA_OP_RELU);
  assert_int_equal(g->ops[1].kind, TA_OP_UNSUPPORTED);
  assert_string_equal(g->ops[1].unsupported, "SIN");
  assert_int_equal(g->ops[2].kind, TA_OP_ADD);
  assert_int_equal(g->ops[3].kind, TA_OP_UNSUPPORTED);
  assert_string_equal(g->ops[3].unsupported, "CUSTOM MyOp");
  /* Upstream checked (its shape inferred), downstream not. */
  assert_true(g->tensors[g->ops[0].out[0]].shape_known);
  assert_false(g->tensors[g->ops[1].out[0]].shape_known);
  assert_false(g->tensors[g->ops[2].out[0]].shape_known);
  for (int32_t i = 0; i < g->n_ops; i++)
    assert_int_equal(m.calls[i].kernel, -1);

  ta_inspect_info info = {"m.tflite", &opt.plan, 0, 0, NULL};
  ta_buf b;
  ta_buf_init(&b, &ctx);
  ta_report_inspect(&b, &m, &info, false);
  assert_true(b.ok);
  assert_non_null(strstr(b.data, "m.tflite: 4 ops"));
  const char *row = strstr(b.data, "\n   1  UNSUPPORTED SIN");
  assert_non_null(row);
  assert_non_null(strstr(b.data, "\n   3  UNSUPPORTED CUSTOM MyOp"));
  assert_non_null(strstr(b.data, "\n   0  RELU "));
  assert_non_null(strstr(b.data, "\n   2  ADD "));
  ta_buf_free(&b);
  ta_buf_init(&b, &ctx);
  ta_report_inspect(&b, &m, &info, true);
  assert_true(b.ok);
  assert_non_null(
      strstr(b.data, "\"type\":\"UNSUPPORTED\",\"name\":\"s\",\"unsupported\":\"SIN\""));
  assert_non_null(strstr(b.data, "\"unsupported\":\"CUSTOM MyOp\""));
  ta_buf_free(&b);
  ta_ctx_free(&ctx);
  free(model);
}

/* Without the option (compile, run, bench): refused, one line per distinct operator. */
static void test_compile_still_refuses(void **state) {
  (void)state;
  size_t len;
  uint8_t *model = build(&len);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  ta_ctx ctx;
  ta_model m;
  msgs[0] = 0;
  ta_ctx_init(&ctx, NULL, NULL, sink, NULL);
  ta_status st = ta_compile_bytes(&ctx, "m.tflite", model, len, &opt, &m);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(msgs, "SIN: unsupported operator (TFLite builtin code 66)"));
  assert_non_null(strstr(msgs, "CUSTOM \"MyOp\": custom operators are not supported"));
  ta_ctx_free(&ctx);
  free(model);
}

static float ramp(int i) {
  return (float)(i % 7) * 0.25f - 0.5f;
}

/* x[1,2,4,4] -> Conv -> c -> Sin -> s -> Relu -> r -> Sin -> t -> com.acme Foo -> y. */
static uint8_t *build_onnx(oxb *b, size_t *len) {
  oxb_name_nodes(b);
  oxb_input(b, "x", OXB_FLOAT, 4, (const int[]){1, 2, 4, 4});
  oxb_init_f32(b, "w", 4, (const int[]){3, 2, 1, 1}, ramp);
  oxb_node(b, "Conv", "x w", "c");
  oxb_node(b, "Sin", "c", "s");
  oxb_node(b, "Relu", "s", "r");
  oxb_node(b, "Sin", "r", "t");
  Onnx__NodeProto *foo = oxb_node(b, "Foo", "t", "y");
  oxb_node_domain(b, foo, "com.acme");
  oxb_opset(b, "com.acme", 1);
  oxb_output(b, "y", OXB_FLOAT, -1, NULL);
  return oxb_finish(b, len);
}

static void test_onnx_inspect_marks_unsupported(void **state) {
  (void)state;
  oxb *ob = oxb_new(13);
  size_t len;
  uint8_t *model = build_onnx(ob, &len);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.allow_unsupported = true;
  ta_ctx ctx;
  ta_model m;
  msgs[0] = 0;
  n_errors = 0;
  ta_ctx_init(&ctx, NULL, NULL, sink, NULL);
  ta_status st = ta_compile_bytes(&ctx, "m.onnx", model, len, &opt, &m);
  if (st != TA_OK)
    print_error("%s", msgs);
  assert_int_equal(st, TA_OK);
  assert_int_equal(n_errors, 0);
  /* One warning per distinct operator, with the count and the node names. */
  assert_non_null(strstr(msgs, "node 1 Sin \"Sin_1\": operator Sin (opset 13) is not supported; "
                               "2 nodes: \"Sin_1\", \"Sin_3\"\n"));
  assert_non_null(strstr(msgs, "node 4 Foo \"Foo_4\": operator Foo of domain \"com.acme\" is not "
                               "supported\n"));
  const char *second = strstr(msgs, "operator Sin");
  assert_null(strstr(second + 1, "operator Sin"));
  const ta_graph *g = m.g;
  assert_true(g->has_unsupported);
  /* The Conv is read (and checked: its output shape known), then the placeholders. */
  int32_t conv = -1, n_unsup = 0;
  const char *names[4] = {0};
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    if (op->kind == TA_OP_CONV_2D)
      conv = i;
    if (op->kind == TA_OP_UNSUPPORTED && n_unsup < 4)
      names[n_unsup++] = op->unsupported;
    assert_int_equal(m.calls[i].kernel, -1);
  }
  assert_true(conv >= 0);
  assert_true(g->tensors[g->ops[conv].out[0]].shape_known);
  assert_int_equal(n_unsup, 4);
  assert_string_equal(names[0], "Sin");
  assert_string_equal(names[1], "Relu (not read: after an unsupported node)");
  assert_string_equal(names[2], "Sin");
  assert_string_equal(names[3], "com.acme/Foo");
  const ta_op *last = &g->ops[g->n_ops - 1];
  assert_int_equal(last->kind, TA_OP_UNSUPPORTED);
  assert_false(g->tensors[last->out[0]].shape_known);
  assert_true(g->tensors[last->out[0]].flags & TA_TENSOR_OUTPUT);

  ta_inspect_info info = {"m.onnx", &opt.plan, 0, 0, NULL};
  ta_buf b;
  ta_buf_init(&b, &ctx);
  ta_report_inspect(&b, &m, &info, false);
  assert_true(b.ok);
  assert_non_null(strstr(b.data, "  UNSUPPORTED Sin "));
  assert_non_null(strstr(b.data, "  UNSUPPORTED com.acme/Foo "));
  assert_non_null(strstr(b.data, "  CONV_2D "));
  ta_buf_free(&b);
  ta_ctx_free(&ctx);
  oxb_free(ob);
}

/* Without the option: refused, one error per distinct operator. */
static void test_onnx_compile_still_refuses(void **state) {
  (void)state;
  oxb *ob = oxb_new(13);
  size_t len;
  uint8_t *model = build_onnx(ob, &len);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  ta_ctx ctx;
  ta_model m;
  msgs[0] = 0;
  n_errors = 0;
  ta_ctx_init(&ctx, NULL, NULL, sink, NULL);
  ta_status st = ta_compile_bytes(&ctx, "m.onnx", model, len, &opt, &m);
  assert_int_equal(st, TA_ERR_UNSUPPORTED);
  assert_int_equal(n_errors, 2);
  assert_non_null(strstr(msgs, "error: m.onnx: node 1 Sin \"Sin_1\": operator Sin (opset 13) is "
                               "not supported; 2 nodes: \"Sin_1\", \"Sin_3\"\n"));
  assert_non_null(strstr(msgs, "operator Foo of domain \"com.acme\" is not supported"));
  ta_ctx_free(&ctx);
  oxb_free(ob);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_inspect_marks_unsupported),
      cmocka_unit_test(test_compile_still_refuses),
      cmocka_unit_test(test_onnx_inspect_marks_unsupported),
      cmocka_unit_test(test_onnx_compile_still_refuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
