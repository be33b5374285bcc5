/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_onnx.c: the ONNX frontend. Models are built in memory with the protobuf-c structs
 * generated from onnx.proto and serialized, then imported: the layout conversion (NCHW at the
 * boundaries, NHWC inside, no transposes between convolutions, views for size-1 moves), the
 * numbers (evaluated in process against a direct NCHW computation), and one diagnostic per
 * kind of bad input, checking the message text. With $TA_TINYAOT set, the command line too:
 * exit 1 and nothing written for a bad model, --input-shape for a dynamic one.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "onnxbuild.h"
#include "ta_compile.h"
#include "ta_passes.h"
#include "tt_pipeline.h"

/* ---- building and running models ----------------------------------------------------------- */

/* A model of the default domain at opset, as the tests before onnxbuild wrote them (ir_version
 * 7, graph "test"). */
static oxb *model_new(int64_t opset) {
  oxb *m = oxb_new(opset);
  oxb_ir_version(m, 7);
  oxb_graph_name(m, "test");
  oxb_model(m)->producer_name = NULL;
  return m;
}

/* Graph inputs are float; outputs are declared float with an empty shape. */
static void input(oxb *m, const char *name, int rank, const int *dims) {
  oxb_input(m, name, OXB_FLOAT, rank, dims);
}
static void output(oxb *m, const char *name) {
  oxb_output(m, name, OXB_FLOAT, 0, NULL);
}

/* Import model m (with optional input shapes), run the passes, check, prepare and plan. */
static ta_status load(tt_run *r, oxb *m, const ta_onnx_shape *shapes, int n_shapes) {
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  for (int i = 0; i < n_shapes && i < TA_MAX_INPUT_SHAPES; i++)
    o.shapes.s[o.shapes.n++] = shapes[i];
  return tt_compile(r, "test.onnx", bytes, len, &o);
}

static int count_ops(const ta_graph *g, ta_op_kind k) {
  int n = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    n += g->ops[i].kind == k;
  return n;
}

static float wave(int i) {
  return (float)((i * 37 % 17) - 8) / 8.0f;
}
static float small(int i) {
  return (float)((i * 13 % 7) - 3) / 10.0f;
}

/* ---- layout and numbers --------------------------------------------------------------------- */

/* Conv 3x3 pad 1 (NCHW reference) on x[1,3,6,5]. */
static void conv_ref(const float *x, float *y, int co_n, int relu) {
  for (int co = 0; co < co_n; co++)
    for (int h = 0; h < 6; h++)
      for (int w = 0; w < 5; w++) {
        float acc = small(co);
        for (int ci = 0; ci < 3; ci++)
          for (int kh = 0; kh < 3; kh++)
            for (int kw = 0; kw < 3; kw++) {
              int ih = h + kh - 1, iw = w + kw - 1;
              if (ih < 0 || ih >= 6 || iw < 0 || iw >= 5)
                continue;
              acc += x[(ci * 6 + ih) * 5 + iw] * wave(((co * 3 + ci) * 3 + kh) * 3 + kw);
            }
        y[(co * 6 + h) * 5 + w] = relu && acc < 0 ? 0 : acc;
      }
}

static void test_conv_relu_nhwc(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  oxb_init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  oxb_init_f32(m, "b", 1, (int[]){4}, small);
  Onnx__NodeProto *c = oxb_node(m, "Conv", "x w b", "c");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_node(m, "Relu", "c", "y");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_OK);
  ta_graph *g = r.g;
  /* NCHW -> NHWC, the convolution with the ReLU fused, NHWC -> NCHW. */
  assert_int_equal(g->n_ops, 3);
  assert_int_equal(count_ops(g, TA_OP_TRANSPOSE), 2);
  assert_int_equal(g->ops[1].kind, TA_OP_CONV_2D);
  assert_int_equal(g->ops[1].a.act, TA_ACT_RELU);
  const ta_tensor *out = &g->tensors[g->outputs[0]];
  assert_int_equal(out->rank, 4);
  assert_int_equal(out->dims[1], 4); /* the API keeps NCHW */
  float x[90], y[120], want[120];
  for (int i = 0; i < 90; i++)
    x[i] = small(i * 3 + 1) * 3;
  const void *in[1] = {x};
  void *outs[1] = {y};
  assert_int_equal(ta_graph_eval(g, r.calls, in, outs), TA_OK);
  conv_ref(x, want, 4, 1);
  for (int i = 0; i < 120; i++)
    assert_float_equal(y[i], want[i], 1e-5);
  tt_done(&r);
  oxb_free(m);
}

/* Two convolutions in a row: no transpose between them. A global pool then a Flatten: the
 * NHWC -> NCHW move of [N,1,1,C] is a view, not a transpose. */
static void test_no_transpose_inside(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  oxb_init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  oxb_init_f32(m, "w2", 4, (int[]){5, 4, 1, 1}, small);
  oxb_init_f32(m, "fc", 2, (int[]){5, 2}, wave);
  Onnx__NodeProto *c = oxb_node(m, "Conv", "x w", "c");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_node(m, "Conv", "c w2", "c2");
  oxb_node(m, "GlobalAveragePool", "c2", "p");
  oxb_node(m, "Flatten", "p", "f");
  oxb_node(m, "Gemm", "f fc", "y");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_OK);
  assert_int_equal(count_ops(r.g, TA_OP_TRANSPOSE), 1); /* the input only */
  assert_int_equal(count_ops(r.g, TA_OP_CONV_2D), 2);
  assert_int_equal(count_ops(r.g, TA_OP_FULLY_CONNECTED), 1);
  tt_done(&r);
  oxb_free(m);
}

/* BatchNormalization after a Conv folds into it; Softmax of opset 11 works on 2-D. */
static void test_batchnorm_folds(void **state) {
  (void)state;
  oxb *m = model_new(11);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  oxb_init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  oxb_init_f32(m, "s", 1, (int[]){4}, wave);
  oxb_init_f32(m, "bb", 1, (int[]){4}, small);
  oxb_init_f32(m, "mean", 1, (int[]){4}, small);
  Onnx__TensorProto *var = oxb_init_f32(m, "var", 1, (int[]){4}, wave);
  var->float_data[0] = 2.0f; /* keep var + eps > 0 */
  for (int i = 0; i < 4; i++)
    var->float_data[i] = 1.0f + (float)i;
  Onnx__NodeProto *c = oxb_node(m, "Conv", "x w", "c");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_node(m, "BatchNormalization", "c s bb mean var", "y");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_OK);
  assert_int_equal(count_ops(r.g, TA_OP_MUL) + count_ops(r.g, TA_OP_ADD), 0);
  assert_int_equal(count_ops(r.g, TA_OP_CONV_2D), 1);
  tt_done(&r);
  oxb_free(m);
}

/* ---- diagnostics ---------------------------------------------------------------------------- */

static oxb *relu_model(void) {
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  oxb_node(m, "Relu", "x", "y");
  output(m, "y");
  return m;
}

static void test_truncated(void **state) {
  (void)state;
  oxb *m = relu_model();
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  tt_run r;
  memset(&r, 0, sizeof r);
  ta_ctx_init(&r.ctx, NULL, NULL, tt_capture_sink, &r.cap);
  ta_graph *g;
  assert_int_equal(ta_onnx_read(&r.ctx, bytes, len - 7, NULL, &g), TA_ERR_MALFORMED);
  tt_assert_captured(&r.cap, "not a valid ONNX model: byte ");
  tt_assert_captured(&r.cap, "(graph");
  tt_assert_captured(&r.cap, "the file is truncated or corrupt");
  tt_done(&r);
  oxb_free(m);
}

static void test_cycle(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  oxb_node(m, "Add", "x b", "a");
  oxb_node(m, "Relu", "a", "b");
  output(m, "b");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_MALFORMED);
  tt_assert_captured(&r.cap, "the graph has a cycle: ");
  tt_assert_captured(&r.cap, "node 0 Add \"a\"");
  tt_assert_captured(&r.cap, "node 1 Relu \"b\"");
  tt_done(&r);
  oxb_free(m);
}

static void test_undefined_tensor(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  oxb_node(m, "Conv", "x missing_weights", "y"); /* an initializer that is not there */
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_MALFORMED);
  tt_assert_captured(&r.cap,
                     "test.onnx: node 0 Conv \"y\": input 1 \"missing_weights\" is not defined: "
                     "no initializer, graph input or node output has that name");
  tt_done(&r);
  oxb_free(m);
}

static void test_unsupported_op(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  oxb_node(m, "Relu", "x", "r");
  Onnx__NodeProto *n = oxb_node(m, "Sinh", "r", "y");
  oxb_node_name(m, n, "sinh_1");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  tt_assert_captured(
      &r.cap, "test.onnx: node 1 Sinh \"sinh_1\": operator Sinh (opset 13) is not supported");
  tt_done(&r);
  oxb_free(m);
}

static void test_dynamic_dim(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){-1, 4});
  oxb_node(m, "Relu", "x", "y");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap,
                     "graph input \"x\" has a dynamic dimension 0 (\"N\"); tinyaot compiles "
                     "static shapes only: give one with --input-shape x=1,4");
  tt_done(&r);
  /* With the shape given it compiles. */
  ta_onnx_shape s = {"x", 2, {3, 4}};
  assert_int_equal(load(&r, m, &s, 1), TA_OK);
  assert_int_equal(r.g->tensors[r.g->inputs[0]].dims[0], 3);
  tt_done(&r);
  oxb_free(m);
}

static void test_weights_not_constant(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  input(m, "w", 4, (int[]){4, 3, 3, 3});
  oxb_node(m, "Conv", "x w", "y");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap,
                     "node 0 Conv \"y\": weights \"w\" is not a constant; tinyaot needs it at "
                     "compile time");
  tt_done(&r);
  oxb_free(m);
}

static void test_external_data(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  Onnx__TensorProto *t = oxb_init_f32(m, "b", 1, (int[]){4}, small);
  t->has_data_location = 1;
  t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  oxb_node(m, "Add", "x b", "y");
  output(m, "y");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap,
                     "initializer \"b\": its data is stored in an external file (external data)");
  tt_done(&r);
  oxb_free(m);
}

static void test_every_error_reported(void **state) {
  (void)state;
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  oxb_node(m, "Sinh", "x", "a");
  oxb_node(m, "Relu", "x", "b");
  oxb_node(m, "Sin", "b", "c");
  output(m, "a");
  output(m, "c");
  tt_run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  tt_assert_captured(&r.cap, "operator Sinh");
  tt_assert_captured(&r.cap, "operator Sin");
  tt_done(&r);
  oxb_free(m);
}

/* ---- the command line ----------------------------------------------------------------------- */

static int spawn(const char *const *argv) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("/dev/null", 1);
    if (fd >= 0)
      dup2(fd, 1), dup2(fd, 2);
    execv(argv[0], (char *const *)(uintptr_t)argv);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void write_bytes(const char *path, const uint8_t *b, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, n, f), n);
  fclose(f);
}

static void test_cli(void **state) {
  (void)state;
  const char *ta = getenv("TA_TINYAOT");
  if (!ta)
    skip();
  char dir[] = "/tmp/test-onnx-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char model_path[256], out[256], bad_path[256];
  snprintf(model_path, sizeof model_path, "%s/dyn.onnx", dir);
  snprintf(bad_path, sizeof bad_path, "%s/bad.onnx", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  oxb *m = model_new(13);
  input(m, "x", 2, (int[]){-1, 4});
  oxb_node(m, "Relu", "x", "y");
  output(m, "y");
  size_t len;
  const uint8_t *b = oxb_finish(m, &len);
  write_bytes(model_path, b, len);
  write_bytes(bad_path, b, len - 5);
  struct stat sb;
  /* A dynamic dimension: exit 1, nothing written; with --input-shape it compiles. */
  assert_int_equal(spawn((const char *[]){ta, "compile", model_path, "-o", out, NULL}), 1);
  assert_int_not_equal(stat(out, &sb), 0);
  assert_int_equal(
      spawn((const char *[]){ta, "compile", model_path, "-o", out, "--input-shape", "x=2,4", NULL}),
      0);
  assert_int_equal(stat(out, &sb), 0);
  assert_int_equal(spawn((const char *[]){ta, "inspect", model_path, "--input-shape=x=2,4", NULL}),
                   0);
  assert_int_equal(
      spawn((const char *[]){ta, "inspect", model_path, "--input-shape", "x=2,0", NULL}), 1);
  assert_int_equal(spawn((const char *[]){ta, "inspect", model_path, "--input-shape", "x", NULL}),
                   1);
  /* A truncated file: exit 1, nothing written. */
  char out2[300];
  snprintf(out2, sizeof out2, "%s/out2", dir);
  assert_int_equal(spawn((const char *[]){ta, "compile", bad_path, "-o", out2, NULL}), 1);
  assert_int_not_equal(stat(out2, &sb), 0);
  /* Constants with infinities and NaN reach the generated C (as <math.h>'s constants). */
  char inf_path[300], in_path[300], out3[300], res[320];
  snprintf(inf_path, sizeof inf_path, "%s/inf.onnx", dir);
  snprintf(in_path, sizeof in_path, "%s/in.bin", dir);
  snprintf(out3, sizeof out3, "%s/out3", dir);
  snprintf(res, sizeof res, "%s/output_0.bin", out3);
  oxb_free(m);
  m = model_new(13);
  input(m, "x", 1, (int[]){4});
  Onnx__TensorProto *c = oxb_init_f32(m, "c", 1, (int[]){4}, small);
  c->float_data[1] = INFINITY;
  c->float_data[2] = -INFINITY;
  c->float_data[3] = NAN;
  Onnx__NodeProto *cat = oxb_node(m, "Concat", "x c", "y");
  oxb_attr_int(m, cat, "axis", 0);
  output(m, "y");
  b = oxb_finish(m, &len);
  write_bytes(inf_path, b, len);
  oxb_free(m);
  const float x[4] = {1, 2, 3, 4};
  write_bytes(in_path, (const uint8_t *)x, sizeof x);
  assert_int_equal(
      spawn((const char *[]){ta, "run", inf_path, "--input", in_path, "--output-dir", out3, NULL}),
      0);
  FILE *f = fopen(res, "rb");
  assert_non_null(f);
  float y[8];
  assert_int_equal(fread(y, sizeof y[0], 8, f), 8);
  fclose(f);
  assert_float_equal(y[0], 1.0f, 0);
  assert_float_equal(y[4], small(0), 0);
  assert_true(isinf(y[5]) && y[5] > 0);
  assert_true(isinf(y[6]) && y[6] < 0);
  assert_true(isnan(y[7]));
  char rm[300];
  snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
  assert_int_equal(system(rm), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conv_relu_nhwc),
      cmocka_unit_test(test_no_transpose_inside),
      cmocka_unit_test(test_batchnorm_folds),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_cycle),
      cmocka_unit_test(test_undefined_tensor),
      cmocka_unit_test(test_unsupported_op),
      cmocka_unit_test(test_dynamic_dim),
      cmocka_unit_test(test_weights_not_constant),
      cmocka_unit_test(test_external_data),
      cmocka_unit_test(test_every_error_reported),
      cmocka_unit_test(test_cli),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
