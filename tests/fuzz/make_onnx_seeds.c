/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make_onnx_seeds.c: the seed corpus of the ONNX fuzz target, built here with the protobuf-c
 * structs generated from onnx.proto: one small model per supported operator family (opset 13,
 * float, plus a QDQ int8 convolution), and a small CNN. Each seed is checked to go through
 * the whole compiler (import, passes, check, prepare, plan, codegen), so the fuzzer starts
 * from models that reach every stage.
 *   make_onnx_seeds OUT_DIR   -> OUT_DIR/<name>.onnx, one per seed
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "ta_codegen.h"
#include "ta_compile.h"

static const char *out_dir;
static int n_written, n_failed;

/* Everything of one model comes from this pool, reset per model. */
static unsigned char pool[1 << 20];
static size_t pool_used;

static void *pnew(size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (pool_used + n > sizeof pool) {
    fprintf(stderr, "make_onnx_seeds: model pool exhausted\n");
    exit(2);
  }
  void *p = pool + pool_used;
  memset(p, 0, n);
  pool_used += n;
  return p;
}

static char *pstr(const char *s) {
  char *c = pnew(strlen(s) + 1);
  memcpy(c, s, strlen(s) + 1);
  return c;
}

typedef struct model {
  Onnx__ModelProto m;
  Onnx__GraphProto g;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1];
  Onnx__NodeProto *nodes[32];
  Onnx__ValueInfoProto *inputs[8], *outputs[8];
  Onnx__TensorProto *inits[32];
} model;

static model *model_new(void) {
  pool_used = 0;
  model *m = pnew(sizeof *m);
  onnx__model_proto__init(&m->m);
  onnx__graph_proto__init(&m->g);
  onnx__operator_set_id_proto__init(&m->opset);
  m->m.has_ir_version = 1;
  m->m.ir_version = 8;
  m->m.producer_name = pstr("tinyaot make_onnx_seeds");
  m->opset.has_version = 1;
  m->opset.version = 13;
  m->opset.domain = pstr("");
  m->opsets[0] = &m->opset;
  m->m.n_opset_import = 1;
  m->m.opset_import = m->opsets;
  m->m.graph = &m->g;
  m->g.name = pstr("seed");
  m->g.node = m->nodes;
  m->g.input = m->inputs;
  m->g.output = m->outputs;
  m->g.initializer = m->inits;
  return m;
}

/* op_type(inputs) -> outputs; names separated by spaces, "-" for an absent input. */
static Onnx__NodeProto *node(model *m, const char *op, const char *ins, const char *outs) {
  Onnx__NodeProto *n = pnew(sizeof *n);
  onnx__node_proto__init(n);
  n->op_type = pstr(op);
  char nm[32];
  snprintf(nm, sizeof nm, "%s_%zu", op, m->g.n_node);
  n->name = pstr(nm);
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

static Onnx__AttributeProto *attr(Onnx__NodeProto *n, const char *name,
                                  Onnx__AttributeProto__AttributeType type) {
  Onnx__AttributeProto *a = pnew(sizeof *a);
  onnx__attribute_proto__init(a);
  a->name = pstr(name);
  a->has_type = 1;
  a->type = type;
  n->attribute[n->n_attribute++] = a;
  return a;
}

static void attr_i(Onnx__NodeProto *n, const char *name, int64_t v) {
  Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = 1;
  a->i = v;
}

static void attr_f(Onnx__NodeProto *n, const char *name, float v) {
  Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = 1;
  a->f = v;
}

static void attr_ints(Onnx__NodeProto *n, const char *name, int count, ...) {
  Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->ints = pnew((size_t)count * sizeof(int64_t));
  va_list ap;
  va_start(ap, count);
  for (int i = 0; i < count; i++)
    a->ints[a->n_ints++] = va_arg(ap, int);
  va_end(ap);
}

static Onnx__ValueInfoProto *value_info(const char *name, int elem_type, int rank,
                                        const int *dims) {
  Onnx__ValueInfoProto *v = pnew(sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = pstr(name);
  Onnx__TypeProto *t = pnew(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Tensor *tt = pnew(sizeof *tt);
  onnx__type_proto__tensor__init(tt);
  tt->has_elem_type = 1;
  tt->elem_type = elem_type;
  if (rank >= 0) {
    Onnx__TensorShapeProto *sp = pnew(sizeof *sp);
    onnx__tensor_shape_proto__init(sp);
    sp->dim = pnew((size_t)(rank ? rank : 1) * sizeof *sp->dim);
    for (int k = 0; k < rank; k++) {
      Onnx__TensorShapeProto__Dimension *d = pnew(sizeof *d);
      onnx__tensor_shape_proto__dimension__init(d);
      if (dims[k] < 0) { /* a dynamic dimension, as PyTorch exports a batch */
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
        d->dim_param = pstr("N");
      } else {
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = dims[k];
      }
      sp->dim[sp->n_dim++] = d;
    }
    tt->shape = sp;
  }
  t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->tensor_type = tt;
  v->type = t;
  return v;
}

static void input(model *m, const char *name, int rank, const int *dims) {
  m->inputs[m->g.n_input++] = value_info(name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims);
}

static void output(model *m, const char *name) {
  m->outputs[m->g.n_output++] = value_info(name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, -1, NULL);
}

static Onnx__TensorProto *tensor(model *m, const char *name, int data_type, int rank,
                                 const int *dims, int *n) {
  Onnx__TensorProto *t = pnew(sizeof *t);
  onnx__tensor_proto__init(t);
  t->name = pstr(name);
  t->has_data_type = 1;
  t->data_type = data_type;
  t->dims = pnew((size_t)(rank ? rank : 1) * sizeof(int64_t));
  *n = 1;
  for (int k = 0; k < rank; k++)
    t->dims[t->n_dims++] = dims[k], *n *= dims[k];
  m->inits[m->g.n_initializer++] = t;
  return t;
}

/* A float initializer of deterministic values in [-1, 1] (float_data). */
static void init_f32(model *m, const char *name, int rank, const int *dims) {
  int n;
  Onnx__TensorProto *t = tensor(m, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims, &n);
  t->float_data = pnew((size_t)n * sizeof(float));
  for (int i = 0; i < n; i++)
    t->float_data[t->n_float_data++] = (float)((i * 37 % 17) - 8) / 8.0f;
}

/* An int64 initializer (shapes, axes, pads) given as values, in raw_data form. */
static void init_i64(model *m, const char *name, int count, ...) {
  int n;
  Onnx__TensorProto *t = tensor(m, name, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1, &count, &n);
  int64_t *v = pnew((size_t)(count ? count : 1) * sizeof *v);
  va_list ap;
  va_start(ap, count);
  for (int i = 0; i < count; i++)
    v[i] = va_arg(ap, int);
  va_end(ap);
  t->has_raw_data = 1;
  t->raw_data.data = (uint8_t *)v;
  t->raw_data.len = (size_t)count * sizeof *v;
}

/* A scalar initializer: float, or an int8 zero point. */
static void init_scalar_f32(model *m, const char *name, float v) {
  int n;
  Onnx__TensorProto *t = tensor(m, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &n);
  t->float_data = pnew(sizeof(float));
  t->float_data[t->n_float_data++] = v;
}

static void init_scalar_i8(model *m, const char *name, int v) {
  int n;
  Onnx__TensorProto *t = tensor(m, name, ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 0, NULL, &n);
  t->int32_data = pnew(sizeof(int32_t));
  t->int32_data[t->n_int32_data++] = v;
}

static void sink(void *user, ta_severity sev, const char *msg) {
  (void)user;
  if (sev == TA_ERROR)
    fprintf(stderr, "  %s\n", msg);
}

/* Serialize m, check it compiles (with opt; NULL: the defaults), write OUT_DIR/name.onnx. */
static void finish_opts(model *m, const char *name, const ta_compile_options *opt) {
  size_t len = protobuf_c_message_get_packed_size(&m->m.base);
  uint8_t *bytes = malloc(len ? len : 1);
  if (!bytes)
    exit(2);
  protobuf_c_message_pack(&m->m.base, bytes);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, sink, NULL);
  ta_model tm;
  ta_status st = ta_compile_bytes(&ctx, "seed.onnx", bytes, len, opt, &tm);
  ta_fileset fs;
  ta_cgen_options copt = {"seed", name};
  if (st == TA_OK)
    st = ta_cgen_emit(tm.g, tm.calls, &tm.plan, &copt, &fs);
  ta_ctx_free(&ctx);
  if (st != TA_OK) {
    fprintf(stderr, "make_onnx_seeds: seed %s does not compile (%s)\n", name, ta_status_name(st));
    n_failed++;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.onnx", out_dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "make_onnx_seeds: cannot write %s\n", path);
    n_failed++;
  } else {
    n_written++;
  }
  free(bytes);
}

static void finish(model *m, const char *name) {
  finish_opts(m, name, NULL);
}

static const int img[4] = {1, 3, 6, 5};

static void seed_conv(int group, int stride, int with_bias, const char *act) {
  model *m = model_new();
  input(m, "x", 4, img);
  int co = group == 3 ? 3 : 4;
  init_f32(m, "w", 4, (int[]){co, 3 / group, 3, 3});
  if (with_bias)
    init_f32(m, "b", 1, (int[]){co});
  Onnx__NodeProto *c = node(m, "Conv", with_bias ? "x w b" : "x w", act ? "c" : "y");
  attr_ints(c, "pads", 4, 1, 1, 1, 1);
  attr_ints(c, "strides", 2, stride, stride);
  attr_ints(c, "kernel_shape", 2, 3, 3);
  if (group != 1)
    attr_i(c, "group", group);
  if (act && strcmp(act, "Clip") == 0) {
    init_scalar_f32(m, "lo", 0.0f);
    init_scalar_f32(m, "hi", 6.0f);
    node(m, "Clip", "c lo hi", "y");
  } else if (act) {
    node(m, act, "c", "y");
  }
  output(m, "y");
  char name[64];
  snprintf(name, sizeof name, "conv_g%d_s%d%s_%s", group, stride, with_bias ? "" : "_nobias",
           act ? act : "none");
  finish(m, name);
}

static void seed_pool(const char *op, int global) {
  model *m = model_new();
  input(m, "x", 4, img);
  Onnx__NodeProto *p = node(m, op, "x", "y");
  if (!global) {
    attr_ints(p, "kernel_shape", 2, 2, 2);
    attr_ints(p, "strides", 2, 2, 2);
    attr_ints(p, "pads", 4, 0, 0, 1, 1);
  }
  output(m, "y");
  finish(m, op);
}

static void seed_gemm(void) {
  model *m = model_new();
  input(m, "x", 4, img);
  node(m, "Flatten", "x", "f");
  init_f32(m, "w", 2, (int[]){5, 90});
  init_f32(m, "b", 1, (int[]){5});
  Onnx__NodeProto *g = node(m, "Gemm", "f w b", "y");
  attr_i(g, "transB", 1);
  output(m, "y");
  finish(m, "flatten_gemm");
}

static void seed_matmul(void) {
  model *m = model_new();
  input(m, "x", 2, (int[]){2, 6});
  init_f32(m, "w", 2, (int[]){6, 4});
  init_f32(m, "b", 1, (int[]){4});
  node(m, "MatMul", "x w", "mm");
  node(m, "Add", "mm b", "y");
  output(m, "y");
  finish(m, "matmul_add");
}

static void seed_binary(const char *op, int const_b) {
  model *m = model_new();
  input(m, "a", 4, img);
  if (const_b)
    init_f32(m, "b", 4, (int[]){1, 3, 1, 1});
  else
    input(m, "b", 4, (int[]){1, 3, 1, 5});
  node(m, op, "a b", "y");
  output(m, "y");
  char name[64];
  snprintf(name, sizeof name, "%s%s", op, const_b ? "_const" : "");
  finish(m, name);
}

static void seed_unary(const char *op) {
  model *m = model_new();
  input(m, "x", 2, (int[]){3, 7});
  Onnx__NodeProto *n = node(m, op, "x", "y");
  if (strcmp(op, "LeakyRelu") == 0)
    attr_f(n, "alpha", 0.1f);
  if (strcmp(op, "Softmax") == 0)
    attr_i(n, "axis", -1);
  output(m, "y");
  finish(m, op);
}

static void seed_reshape(void) {
  model *m = model_new();
  input(m, "x", 4, img);
  init_i64(m, "shape", 2, 1, -1);
  node(m, "Reshape", "x shape", "r");
  node(m, "Relu", "r", "y");
  output(m, "y");
  finish(m, "reshape");
}

/* Shape arithmetic that folds at compile time (Shape, Gather, Unsqueeze, Concat, Reshape),
 * then Slice (negative step), Split and Cast of activations. */
static void seed_shapes(void) {
  model *m = model_new();
  input(m, "x", 4, img);
  node(m, "Shape", "x", "s");
  init_i64(m, "i0", 1, 0);
  Onnx__NodeProto *g = node(m, "Gather", "s i0", "n");
  attr_i(g, "axis", 0);
  init_i64(m, "rest", 1, -1);
  Onnx__NodeProto *cc = node(m, "Concat", "n rest", "shape");
  attr_i(cc, "axis", 0);
  node(m, "Reshape", "x shape", "r");
  init_i64(m, "st", 1, -1);
  init_i64(m, "en", 1, -1000);
  init_i64(m, "ax", 1, 1);
  init_i64(m, "sp", 1, -2);
  node(m, "Slice", "r st en ax sp", "sl");
  init_i64(m, "parts", 2, 20, 25);
  Onnx__NodeProto *sp = node(m, "Split", "sl parts", "a b");
  attr_i(sp, "axis", 1);
  Onnx__NodeProto *c = node(m, "Cast", "a", "ai");
  attr_i(c, "to", 6);
  Onnx__NodeProto *c2 = node(m, "Cast", "ai", "y");
  attr_i(c2, "to", 1);
  output(m, "y");
  output(m, "b");
  finish(m, "shapes");
}

static void seed_concat(void) {
  model *m = model_new();
  input(m, "a", 4, img);
  input(m, "b", 4, (int[]){1, 2, 6, 5});
  Onnx__NodeProto *c = node(m, "Concat", "a b", "y");
  attr_i(c, "axis", 1);
  output(m, "y");
  finish(m, "concat");
}

static void seed_batchnorm(void) {
  model *m = model_new();
  input(m, "x", 4, img);
  init_f32(m, "w", 4, (int[]){4, 3, 3, 3});
  node(m, "Conv", "x w", "c");
  init_f32(m, "scale", 1, (int[]){4});
  init_f32(m, "bias", 1, (int[]){4});
  init_f32(m, "mean", 1, (int[]){4});
  int n;
  Onnx__TensorProto *v = tensor(m, "var", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, (int[]){4}, &n);
  v->float_data = pnew(4 * sizeof(float));
  for (int i = 0; i < 4; i++)
    v->float_data[v->n_float_data++] = 0.5f + 0.25f * (float)i;
  node(m, "BatchNormalization", "c scale bias mean var", "y");
  output(m, "y");
  finish(m, "conv_batchnorm");
}

static void seed_transpose(void) {
  model *m = model_new();
  input(m, "x", 3, (int[]){2, 3, 4});
  Onnx__NodeProto *t = node(m, "Transpose", "x", "y");
  attr_ints(t, "perm", 3, 2, 0, 1);
  output(m, "y");
  finish(m, "transpose");
}

static void seed_pad(void) {
  model *m = model_new();
  input(m, "x", 4, img);
  init_i64(m, "pads", 8, 0, 0, 1, 2, 0, 0, 2, 1);
  node(m, "Pad", "x pads", "y");
  output(m, "y");
  finish(m, "pad");
}

static void seed_squeeze(void) {
  model *m = model_new();
  input(m, "x", 4, (int[]){1, 3, 1, 5});
  init_i64(m, "axes", 1, 2);
  node(m, "Squeeze", "x axes", "s");
  init_i64(m, "axes2", 1, 0);
  node(m, "Unsqueeze", "s axes2", "u");
  node(m, "Identity", "u", "y");
  output(m, "y");
  finish(m, "squeeze_unsqueeze");
}

/* QuantizeLinear -> DequantizeLinear around a convolution: the QDQ pass makes it int8. */
static void seed_qdq_conv(void) {
  model *m = model_new();
  input(m, "x", 4, img);
  init_scalar_f32(m, "xs", 0.02f);
  init_scalar_i8(m, "xz", 3);
  node(m, "QuantizeLinear", "x xs xz", "xq");
  node(m, "DequantizeLinear", "xq xs xz", "xd");
  int n;
  Onnx__TensorProto *w =
      tensor(m, "wq", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 4, (int[]){4, 3, 3, 3}, &n);
  w->int32_data = pnew((size_t)n * sizeof(int32_t));
  for (int i = 0; i < n; i++)
    w->int32_data[w->n_int32_data++] = (i * 29 % 255) - 127;
  init_scalar_f32(m, "ws", 0.01f);
  init_scalar_i8(m, "wz", 0);
  node(m, "DequantizeLinear", "wq ws wz", "wd");
  Onnx__NodeProto *c = node(m, "Conv", "xd wd", "c");
  attr_ints(c, "pads", 4, 1, 1, 1, 1);
  init_scalar_f32(m, "ys", 0.05f);
  init_scalar_i8(m, "yz", -2);
  node(m, "QuantizeLinear", "c ys yz", "cq");
  node(m, "DequantizeLinear", "cq ys yz", "y");
  output(m, "y");
  finish(m, "qdq_conv");
}

/* Conv, Relu, MaxPool, Flatten, Gemm, Softmax: a small classifier. */
/* A small classifier (3 classes); with a dynamic batch dimension (dim_param "N") when
 * dynamic: the CLI tests compile that one with --input-shape x=1,1,8,8. */
static void seed_cnn(bool dynamic) {
  model *m = model_new();
  input(m, "x", 4, (int[]){dynamic ? -1 : 1, 1, 8, 8});
  init_f32(m, "w1", 4, (int[]){4, 1, 3, 3});
  init_f32(m, "b1", 1, (int[]){4});
  Onnx__NodeProto *c = node(m, "Conv", "x w1 b1", "c");
  attr_ints(c, "pads", 4, 1, 1, 1, 1);
  node(m, "Relu", "c", "r");
  Onnx__NodeProto *p = node(m, "MaxPool", "r", "p");
  attr_ints(p, "kernel_shape", 2, 2, 2);
  attr_ints(p, "strides", 2, 2, 2);
  node(m, "Flatten", "p", "f");
  init_f32(m, "w2", 2, (int[]){3, 64});
  init_f32(m, "b2", 1, (int[]){3});
  Onnx__NodeProto *g = node(m, "Gemm", "f w2 b2", "g");
  attr_i(g, "transB", 1);
  node(m, "Softmax", "g", "y");
  output(m, "y");
  if (!dynamic) {
    finish(m, "cnn");
    return;
  }
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.shapes.s[opt.shapes.n++] = (ta_onnx_shape){"x", 4, {1, 1, 8, 8}};
  finish_opts(m, "cnn_dynamic_batch", &opt);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_onnx_seeds OUT_DIR\n");
    return 2;
  }
  out_dir = argv[1];
  seed_conv(1, 1, 1, "Relu");
  seed_conv(1, 2, 0, NULL);
  seed_conv(3, 1, 1, "Clip");
  seed_pool("MaxPool", 0);
  seed_pool("AveragePool", 0);
  seed_pool("GlobalAveragePool", 1);
  seed_gemm();
  seed_matmul();
  seed_binary("Add", 0);
  seed_binary("Mul", 1);
  seed_binary("Sub", 1);
  seed_binary("Div", 1);
  seed_unary("Relu");
  seed_unary("Sigmoid");
  seed_unary("Tanh");
  seed_unary("LeakyRelu");
  seed_unary("Softmax");
  seed_reshape();
  seed_shapes();
  seed_concat();
  seed_batchnorm();
  seed_transpose();
  seed_pad();
  seed_squeeze();
  seed_qdq_conv();
  seed_cnn(false);
  seed_cnn(true);
  printf("make_onnx_seeds: wrote %d seeds to %s\n", n_written, out_dir);
  if (n_failed)
    fprintf(stderr, "make_onnx_seeds: %d seeds failed\n", n_failed);
  return n_failed ? 1 : 0;
}
