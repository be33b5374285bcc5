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

#include "onnx.pb-c.h"
#include "ta_compile.h"
#include "ta_passes.h"

/* ---- a small model builder (everything from one pool, freed per test) ---------------------- */

static unsigned char pool[1 << 20];
static size_t pool_used;

static void *pnew(size_t n) {
  n = (n + 15) & ~(size_t)15;
  assert_true(pool_used + n <= sizeof pool);
  void *p = pool + pool_used;
  memset(p, 0, n);
  pool_used += n;
  return p;
}

static char *pstr(const char *s) {
  char *c = pnew(strlen(s) + 1);
  strcpy(c, s);
  return c;
}

typedef struct model {
  Onnx__ModelProto m;
  Onnx__GraphProto g;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1];
  Onnx__NodeProto *nodes[32];
  Onnx__ValueInfoProto *inputs[8], *outputs[8];
  Onnx__TensorProto *inits[16];
} model;

static model *model_new(int64_t opset) {
  pool_used = 0;
  model *m = pnew(sizeof *m);
  onnx__model_proto__init(&m->m);
  onnx__graph_proto__init(&m->g);
  onnx__operator_set_id_proto__init(&m->opset);
  m->m.has_ir_version = 1;
  m->m.ir_version = 7;
  m->opset.has_version = 1;
  m->opset.version = opset;
  m->opset.domain = pstr("");
  m->opsets[0] = &m->opset;
  m->m.n_opset_import = 1;
  m->m.opset_import = m->opsets;
  m->m.graph = &m->g;
  m->g.name = pstr("test");
  m->g.node = m->nodes;
  m->g.input = m->inputs;
  m->g.output = m->outputs;
  m->g.initializer = m->inits;
  return m;
}

/* A node op_type(inputs) -> outputs, names separated by spaces ("-" for an absent input). */
static Onnx__NodeProto *node(model *m, const char *op, const char *ins, const char *outs) {
  Onnx__NodeProto *n = pnew(sizeof *n);
  onnx__node_proto__init(n);
  n->op_type = pstr(op);
  n->name = pstr("");
  n->input = pnew(8 * sizeof(char *));
  n->output = pnew(8 * sizeof(char *));
  n->attribute = pnew(8 * sizeof(Onnx__AttributeProto *));
  char buf[256];
  snprintf(buf, sizeof buf, "%s", ins);
  for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
    n->input[n->n_input++] = pstr(strcmp(t, "-") == 0 ? "" : t);
  snprintf(buf, sizeof buf, "%s", outs);
  for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
    n->output[n->n_output++] = pstr(t);
  m->nodes[m->g.n_node++] = n;
  return n;
}

static void attr_ints(Onnx__NodeProto *n, const char *name, int n_v, ...) {
  Onnx__AttributeProto *a = pnew(sizeof *a);
  onnx__attribute_proto__init(a);
  a->name = pstr(name);
  a->has_type = 1;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  a->ints = pnew((size_t)n_v * sizeof(int64_t));
  va_list ap;
  va_start(ap, n_v);
  for (int i = 0; i < n_v; i++)
    a->ints[a->n_ints++] = va_arg(ap, int);
  va_end(ap);
  n->attribute[n->n_attribute++] = a;
}

/* A tensor type of `rank` dims; dims < 0 are symbolic ("N"). */
static Onnx__ValueInfoProto *value_info(const char *name, int rank, const int *dims) {
  Onnx__ValueInfoProto *v = pnew(sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = pstr(name);
  Onnx__TypeProto *t = pnew(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Tensor *tt = pnew(sizeof *tt);
  onnx__type_proto__tensor__init(tt);
  tt->has_elem_type = 1;
  tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  Onnx__TensorShapeProto *sp = pnew(sizeof *sp);
  onnx__tensor_shape_proto__init(sp);
  sp->dim = pnew((size_t)(rank ? rank : 1) * sizeof *sp->dim);
  for (int k = 0; k < rank; k++) {
    Onnx__TensorShapeProto__Dimension *d = pnew(sizeof *d);
    onnx__tensor_shape_proto__dimension__init(d);
    if (dims[k] >= 0) {
      d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
      d->dim_value = dims[k];
    } else {
      d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
      d->dim_param = pstr("N");
    }
    sp->dim[sp->n_dim++] = d;
  }
  tt->shape = sp;
  t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->tensor_type = tt;
  v->type = t;
  return v;
}

static void input(model *m, const char *name, int rank, const int *dims) {
  m->inputs[m->g.n_input++] = value_info(name, rank, dims);
}
static void output(model *m, const char *name) {
  m->outputs[m->g.n_output++] = value_info(name, 0, NULL);
}

/* A float initializer with values v[i] = f(i). */
static Onnx__TensorProto *init_f32(model *m, const char *name, int rank, const int *dims,
                                   float (*f)(int)) {
  Onnx__TensorProto *t = pnew(sizeof *t);
  onnx__tensor_proto__init(t);
  t->name = pstr(name);
  t->has_data_type = 1;
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->dims = pnew((size_t)(rank ? rank : 1) * sizeof(int64_t));
  int n = 1;
  for (int k = 0; k < rank; k++)
    t->dims[t->n_dims++] = dims[k], n *= dims[k];
  t->float_data = pnew((size_t)n * sizeof(float));
  for (int i = 0; i < n; i++)
    t->float_data[t->n_float_data++] = f(i);
  m->inits[m->g.n_initializer++] = t;
  return t;
}

static uint8_t *pack(model *m, size_t *len) {
  *len = protobuf_c_message_get_packed_size(&m->m.base);
  uint8_t *b = pnew(*len ? *len : 1);
  protobuf_c_message_pack(&m->m.base, b);
  return b;
}

/* ---- running the frontend ------------------------------------------------------------------- */

typedef struct run {
  ta_ctx ctx;
  ta_model m;
  char messages[16384];
} run;

static void sink(void *user, ta_severity sev, const char *msg) {
  (void)sev;
  run *r = user;
  size_t used = strlen(r->messages), n = strlen(msg);
  if (used + n + 2 < sizeof r->messages) {
    memcpy(r->messages + used, msg, n);
    memcpy(r->messages + used + n, "\n", 2);
  }
}

/* Import model m (with optional input shapes), run the passes, check, prepare and plan. */
static ta_status load(run *r, model *m, const ta_onnx_shape *shapes, int n_shapes) {
  memset(r, 0, sizeof *r);
  ta_ctx_init(&r->ctx, NULL, NULL, sink, r);
  size_t len;
  uint8_t *bytes = pack(m, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  for (int i = 0; i < n_shapes && i < TA_MAX_INPUT_SHAPES; i++)
    o.shapes.s[o.shapes.n++] = shapes[i];
  return ta_compile_bytes(&r->ctx, "test.onnx", bytes, len, &o, &r->m);
}

static void expect_message(const run *r, const char *fragment) {
  if (!strstr(r->messages, fragment)) {
    print_error("messages lack \"%s\":\n%s", fragment, r->messages);
    fail();
  }
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
  model *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  init_f32(m, "b", 1, (int[]){4}, small);
  Onnx__NodeProto *c = node(m, "Conv", "x w b", "c");
  attr_ints(c, "pads", 4, 1, 1, 1, 1);
  node(m, "Relu", "c", "y");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_OK);
  ta_graph *g = r.m.g;
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
  assert_int_equal(ta_graph_eval(g, r.m.calls, in, outs), TA_OK);
  conv_ref(x, want, 4, 1);
  for (int i = 0; i < 120; i++)
    assert_float_equal(y[i], want[i], 1e-5);
  ta_ctx_free(&r.ctx);
}

/* Two convolutions in a row: no transpose between them. A global pool then a Flatten: the
 * NHWC -> NCHW move of [N,1,1,C] is a view, not a transpose. */
static void test_no_transpose_inside(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  init_f32(m, "w2", 4, (int[]){5, 4, 1, 1}, small);
  init_f32(m, "fc", 2, (int[]){5, 2}, wave);
  Onnx__NodeProto *c = node(m, "Conv", "x w", "c");
  attr_ints(c, "pads", 4, 1, 1, 1, 1);
  node(m, "Conv", "c w2", "c2");
  node(m, "GlobalAveragePool", "c2", "p");
  node(m, "Flatten", "p", "f");
  node(m, "Gemm", "f fc", "y");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_OK);
  assert_int_equal(count_ops(r.m.g, TA_OP_TRANSPOSE), 1); /* the input only */
  assert_int_equal(count_ops(r.m.g, TA_OP_CONV_2D), 2);
  assert_int_equal(count_ops(r.m.g, TA_OP_FULLY_CONNECTED), 1);
  ta_ctx_free(&r.ctx);
}

/* BatchNormalization after a Conv folds into it; Softmax of opset 11 works on 2-D. */
static void test_batchnorm_folds(void **state) {
  (void)state;
  model *m = model_new(11);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  init_f32(m, "s", 1, (int[]){4}, wave);
  init_f32(m, "bb", 1, (int[]){4}, small);
  init_f32(m, "mean", 1, (int[]){4}, small);
  init_f32(m, "var", 1, (int[]){4}, wave);
  m->inits[m->g.n_initializer - 1]->float_data[0] = 2.0f; /* keep var + eps > 0 */
  for (int i = 0; i < 4; i++)
    m->inits[m->g.n_initializer - 1]->float_data[i] = 1.0f + (float)i;
  Onnx__NodeProto *c = node(m, "Conv", "x w", "c");
  attr_ints(c, "pads", 4, 1, 1, 1, 1);
  node(m, "BatchNormalization", "c s bb mean var", "y");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_OK);
  assert_int_equal(count_ops(r.m.g, TA_OP_MUL) + count_ops(r.m.g, TA_OP_ADD), 0);
  assert_int_equal(count_ops(r.m.g, TA_OP_CONV_2D), 1);
  ta_ctx_free(&r.ctx);
}

/* ---- diagnostics ---------------------------------------------------------------------------- */

static model *relu_model(void) {
  model *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  node(m, "Relu", "x", "y");
  output(m, "y");
  return m;
}

static void test_truncated(void **state) {
  (void)state;
  model *m = relu_model();
  size_t len;
  uint8_t *bytes = pack(m, &len);
  run r;
  memset(&r, 0, sizeof r);
  ta_ctx_init(&r.ctx, NULL, NULL, sink, &r);
  ta_graph *g;
  assert_int_equal(ta_onnx_read(&r.ctx, bytes, len - 7, NULL, &g), TA_ERR_MALFORMED);
  expect_message(&r, "not a valid ONNX model: byte ");
  expect_message(&r, "(graph");
  expect_message(&r, "the file is truncated or corrupt");
  ta_ctx_free(&r.ctx);
}

static void test_cycle(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  node(m, "Add", "x b", "a");
  node(m, "Relu", "a", "b");
  output(m, "b");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_MALFORMED);
  expect_message(&r, "the graph has a cycle: ");
  expect_message(&r, "node 0 Add \"a\"");
  expect_message(&r, "node 1 Relu \"b\"");
  ta_ctx_free(&r.ctx);
}

static void test_undefined_tensor(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  node(m, "Conv", "x missing_weights", "y"); /* an initializer that is not there */
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_MALFORMED);
  expect_message(&r, "test.onnx: node 0 Conv \"y\": input 1 \"missing_weights\" is not defined: "
                     "no initializer, graph input or node output has that name");
  ta_ctx_free(&r.ctx);
}

static void test_unsupported_op(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  node(m, "Relu", "x", "r");
  Onnx__NodeProto *n = node(m, "Erf", "r", "y");
  n->name = pstr("erf_1");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  expect_message(&r, "test.onnx: node 1 Erf \"erf_1\": operator Erf (opset 13) is not supported");
  ta_ctx_free(&r.ctx);
}

static void test_dynamic_dim(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 2, (int[]){-1, 4});
  node(m, "Relu", "x", "y");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  expect_message(&r, "graph input \"x\" has a dynamic dimension 0 (\"N\"); tinyaot compiles "
                     "static shapes only: give one with --input-shape x=1,4");
  ta_ctx_free(&r.ctx);
  /* With the shape given it compiles. */
  ta_onnx_shape s = {"x", 2, {3, 4}};
  assert_int_equal(load(&r, m, &s, 1), TA_OK);
  assert_int_equal(r.m.g->tensors[r.m.g->inputs[0]].dims[0], 3);
  ta_ctx_free(&r.ctx);
}

static void test_weights_not_constant(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 4, (int[]){1, 3, 6, 5});
  input(m, "w", 4, (int[]){4, 3, 3, 3});
  node(m, "Conv", "x w", "y");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  expect_message(&r, "node 0 Conv \"y\": weights \"w\" is not a constant; tinyaot needs it at "
                     "compile time");
  ta_ctx_free(&r.ctx);
}

static void test_external_data(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  Onnx__TensorProto *t = init_f32(m, "b", 1, (int[]){4}, small);
  t->has_data_location = 1;
  t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  node(m, "Add", "x b", "y");
  output(m, "y");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  expect_message(&r, "initializer \"b\": its data is stored in an external file (external data)");
  ta_ctx_free(&r.ctx);
}

static void test_every_error_reported(void **state) {
  (void)state;
  model *m = model_new(13);
  input(m, "x", 2, (int[]){1, 4});
  node(m, "Erf", "x", "a");
  node(m, "Relu", "x", "b");
  node(m, "Sin", "b", "c");
  output(m, "a");
  output(m, "c");
  run r;
  assert_int_equal(load(&r, m, NULL, 0), TA_ERR_UNSUPPORTED);
  expect_message(&r, "operator Erf");
  expect_message(&r, "operator Sin");
  ta_ctx_free(&r.ctx);
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
  model *m = model_new(13);
  input(m, "x", 2, (int[]){-1, 4});
  node(m, "Relu", "x", "y");
  output(m, "y");
  size_t len;
  uint8_t *b = pack(m, &len);
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
  m = model_new(13);
  input(m, "x", 1, (int[]){4});
  Onnx__TensorProto *c = init_f32(m, "c", 1, (int[]){4}, small);
  c->float_data[1] = INFINITY;
  c->float_data[2] = -INFINITY;
  c->float_data[3] = NAN;
  Onnx__NodeProto *cat = node(m, "Concat", "x c", "y");
  Onnx__AttributeProto *ax = pnew(sizeof *ax);
  onnx__attribute_proto__init(ax);
  ax->name = pstr("axis");
  ax->has_type = 1;
  ax->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  ax->has_i = 1;
  ax->i = 0;
  cat->attribute[cat->n_attribute++] = ax;
  output(m, "y");
  b = pack(m, &len);
  write_bytes(inf_path, b, len);
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
