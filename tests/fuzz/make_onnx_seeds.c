/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make_onnx_seeds.c: the seed corpus of the ONNX fuzz target, built with the test ONNX writer
 * (onnxbuild.h): one small model per supported operator family (opset 13,
 * float, plus a QDQ int8 convolution), and a small CNN. Each seed is checked to go through
 * the whole compiler (import, passes, check, prepare, plan, codegen), so the fuzzer starts
 * from models that reach every stage.
 *   make_onnx_seeds OUT_DIR   -> OUT_DIR/<name>.onnx, one per seed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxbuild.h"
#include "seed_writer.h"

static const char *out_dir;
static int n_written, n_failed;

/* float_data[i] of the float initializers: deterministic values in [-1, 1]. */
static float wave(int i) {
  return (float)((i * 37 % 17) - 8) / 8.0f;
}

/* A model of opset 13, its nodes named <op>_<index>. */
static oxb *model_new(void) {
  oxb *m = oxb_new(13);
  oxb_producer(m, "tinyaot make_onnx_seeds");
  oxb_graph_name(m, "seed");
  oxb_name_nodes(m);
  return m;
}

static void input(oxb *m, const char *name, int rank, const int *dims) {
  oxb_input(m, name, OXB_FLOAT, rank, dims);
}

static void output(oxb *m, const char *name) {
  oxb_output(m, name, OXB_FLOAT, -1, NULL);
}

/* Serialize m (freed), check it compiles (with opt; NULL: the defaults), write
 * OUT_DIR/name.onnx. */
static void finish_opts(oxb *m, const char *name, const ta_compile_options *opt) {
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  if (seed_write("make_onnx_seeds", out_dir, name, "onnx", bytes, len, opt, &n_failed))
    n_written++;
  oxb_free(m);
}

static void finish(oxb *m, const char *name) {
  finish_opts(m, name, NULL);
}

static const int img[4] = {1, 3, 6, 5};

static void seed_conv(int group, int stride, int with_bias, const char *act) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  int co = group == 3 ? 3 : 4;
  oxb_init_f32(m, "w", 4, (int[]){co, 3 / group, 3, 3}, wave);
  if (with_bias)
    oxb_init_f32(m, "b", 1, (int[]){co}, wave);
  Onnx__NodeProto *c = oxb_node(m, "Conv", with_bias ? "x w b" : "x w", act ? "c" : "y");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_attr_ints(m, c, "strides", 2, (int64_t[]){stride, stride});
  oxb_attr_ints(m, c, "kernel_shape", 2, (int64_t[]){3, 3});
  if (group != 1)
    oxb_attr_int(m, c, "group", group);
  if (act && strcmp(act, "Clip") == 0) {
    oxb_init_floats(m, "lo", 0, NULL, (float[]){0.0f});
    oxb_init_floats(m, "hi", 0, NULL, (float[]){6.0f});
    oxb_node(m, "Clip", "c lo hi", "y");
  } else if (act) {
    oxb_node(m, act, "c", "y");
  }
  output(m, "y");
  char name[64];
  snprintf(name, sizeof name, "conv_g%d_s%d%s_%s", group, stride, with_bias ? "" : "_nobias",
           act ? act : "none");
  finish(m, name);
}

static void seed_pool(const char *op, int global) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  Onnx__NodeProto *p = oxb_node(m, op, "x", "y");
  if (!global) {
    oxb_attr_ints(m, p, "kernel_shape", 2, (int64_t[]){2, 2});
    oxb_attr_ints(m, p, "strides", 2, (int64_t[]){2, 2});
    oxb_attr_ints(m, p, "pads", 4, (int64_t[]){0, 0, 1, 1});
  }
  output(m, "y");
  finish(m, op);
}

static void seed_gemm(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_node(m, "Flatten", "x", "f");
  oxb_init_f32(m, "w", 2, (int[]){5, 90}, wave);
  oxb_init_f32(m, "b", 1, (int[]){5}, wave);
  Onnx__NodeProto *g = oxb_node(m, "Gemm", "f w b", "y");
  oxb_attr_int(m, g, "transB", 1);
  output(m, "y");
  finish(m, "flatten_gemm");
}

static void seed_matmul(void) {
  oxb *m = model_new();
  input(m, "x", 2, (int[]){2, 6});
  oxb_init_f32(m, "w", 2, (int[]){6, 4}, wave);
  oxb_init_f32(m, "b", 1, (int[]){4}, wave);
  oxb_node(m, "MatMul", "x w", "mm");
  oxb_node(m, "Add", "mm b", "y");
  output(m, "y");
  finish(m, "matmul_add");
}

static void seed_binary(const char *op, int const_b) {
  oxb *m = model_new();
  input(m, "a", 4, img);
  if (const_b)
    oxb_init_f32(m, "b", 4, (int[]){1, 3, 1, 1}, wave);
  else
    input(m, "b", 4, (int[]){1, 3, 1, 5});
  oxb_node(m, op, "a b", "y");
  output(m, "y");
  char name[64];
  snprintf(name, sizeof name, "%s%s", op, const_b ? "_const" : "");
  finish(m, name);
}

static void seed_unary(const char *op) {
  oxb *m = model_new();
  input(m, "x", 2, (int[]){3, 7});
  Onnx__NodeProto *n = oxb_node(m, op, "x", "y");
  if (strcmp(op, "LeakyRelu") == 0)
    oxb_attr_float(m, n, "alpha", 0.1f);
  if (strcmp(op, "Softmax") == 0)
    oxb_attr_int(m, n, "axis", -1);
  output(m, "y");
  finish(m, op);
}

static void seed_reshape(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_init_i64(m, "shape", 2, (int64_t[]){1, -1});
  oxb_node(m, "Reshape", "x shape", "r");
  oxb_node(m, "Relu", "r", "y");
  output(m, "y");
  finish(m, "reshape");
}

/* Shape arithmetic that folds at compile time (Shape, Gather, Unsqueeze, Concat, Reshape),
 * then Slice (negative step), Split and Cast of activations. */
static void seed_shapes(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_node(m, "Shape", "x", "s");
  oxb_init_i64(m, "i0", 1, (int64_t[]){0});
  Onnx__NodeProto *g = oxb_node(m, "Gather", "s i0", "n");
  oxb_attr_int(m, g, "axis", 0);
  oxb_init_i64(m, "rest", 1, (int64_t[]){-1});
  Onnx__NodeProto *cc = oxb_node(m, "Concat", "n rest", "shape");
  oxb_attr_int(m, cc, "axis", 0);
  oxb_node(m, "Reshape", "x shape", "r");
  oxb_init_i64(m, "st", 1, (int64_t[]){-1});
  oxb_init_i64(m, "en", 1, (int64_t[]){-1000});
  oxb_init_i64(m, "ax", 1, (int64_t[]){1});
  oxb_init_i64(m, "sp", 1, (int64_t[]){-2});
  oxb_node(m, "Slice", "r st en ax sp", "sl");
  oxb_init_i64(m, "parts", 2, (int64_t[]){20, 25});
  Onnx__NodeProto *sp = oxb_node(m, "Split", "sl parts", "a b");
  oxb_attr_int(m, sp, "axis", 1);
  Onnx__NodeProto *c = oxb_node(m, "Cast", "a", "ai");
  oxb_attr_int(m, c, "to", 6);
  Onnx__NodeProto *c2 = oxb_node(m, "Cast", "ai", "y");
  oxb_attr_int(m, c2, "to", 1);
  output(m, "y");
  output(m, "b");
  finish(m, "shapes");
}

/* MobileNetV3-style activations and reductions: Conv, HardSwish, HardSigmoid, x.mean((2, 3)),
 * ReduceMax / ReduceSum, and the element-wise math (Min, Max, Abs, Sqrt, Exp, Neg, Log). */
static void seed_act_reduce(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  oxb_node(m, "Conv", "x w", "c");
  oxb_node(m, "HardSwish", "c", "h");
  Onnx__NodeProto *hs = oxb_node(m, "HardSigmoid", "h", "g");
  oxb_attr_float(m, hs, "alpha", 0.25f);
  Onnx__NodeProto *mean = oxb_node(m, "ReduceMean", "g", "p");
  oxb_attr_ints(m, mean, "axes", 2, (int64_t[]){2, 3});
  oxb_attr_int(m, mean, "keepdims", 0);
  Onnx__NodeProto *mx = oxb_node(m, "ReduceMax", "h", "q");
  oxb_attr_ints(m, mx, "axes", 1, (int64_t[]){-1});
  oxb_init_i64(m, "ax", 1, (int64_t[]){1});
  oxb_node(m, "ReduceSum", "q ax", "r");
  oxb_node(m, "Abs", "r", "ra");
  oxb_node(m, "Sqrt", "ra", "rs");
  oxb_node(m, "Neg", "p", "pn");
  oxb_node(m, "Exp", "pn", "pe");
  oxb_node(m, "Log", "pe", "pl");
  oxb_node(m, "Max", "pl pn", "pm");
  oxb_node(m, "Min", "pm p", "pmin");
  oxb_init_f32(m, "slope", 1, (int[]){4}, wave);
  oxb_node(m, "PRelu", "pmin slope", "y");
  output(m, "y");
  output(m, "rs");
  finish(m, "act_reduce");
}

/* Decoder-style ops: ConvTranspose (stride 2, output_padding), Resize (linear half-pixel, by
 * scales), Pad reflect, LayerNormalization, the GELU pattern (Erf) and Pow. */
static void seed_decoder(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_init_f32(m, "w", 4, (int[]){3, 2, 3, 3}, wave);
  Onnx__NodeProto *ct = oxb_node(m, "ConvTranspose", "x w", "c");
  oxb_attr_ints(m, ct, "strides", 2, (int64_t[]){2, 2});
  oxb_attr_ints(m, ct, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_attr_ints(m, ct, "output_padding", 2, (int64_t[]){1, 1});
  oxb_init_floats(m, "roi", 1, (int[]){0}, (float[]){0});
  oxb_init_floats(m, "scales", 1, (int[]){4}, (float[]){1, 1, 0.5f, 0.5f});
  Onnx__NodeProto *rs = oxb_node(m, "Resize", "c roi scales", "r");
  oxb_attr_string(m, rs, "mode", "linear");
  oxb_init_i64(m, "pads", 8, (int64_t[]){0, 0, 1, 1, 0, 0, 1, 1});
  Onnx__NodeProto *pd = oxb_node(m, "Pad", "r pads", "p");
  oxb_attr_string(m, pd, "mode", "reflect");
  oxb_init_f32(m, "ln_scale", 1, (int[]){7}, wave);
  oxb_node(m, "LayerNormalization", "p ln_scale", "n");
  oxb_init_floats(m, "sqrt2", 0, NULL, (float[]){1.4142135f});
  oxb_node(m, "Div", "n sqrt2", "d");
  oxb_node(m, "Erf", "d", "e");
  oxb_node(m, "Mul", "n e", "g");
  oxb_init_floats(m, "two", 0, NULL, (float[]){2.0f});
  oxb_node(m, "Pow", "g two", "y");
  output(m, "y");
  finish(m, "decoder");
}

/* Recurrent layers: a bidirectional LSTM (initial states as inputs, sequence_lens of full
 * length, zero peepholes) feeding a reverse GRU in layout 1 with linear_before_reset. */
static void seed_rnn(void) {
  oxb *m = model_new();
  input(m, "x", 3, (int[]){4, 1, 3}); /* [T, B, I] */
  input(m, "h0", 3, (int[]){2, 1, 2});
  input(m, "c0", 3, (int[]){2, 1, 2});
  oxb_init_f32(m, "W", 3, (int[]){2, 8, 3}, wave);
  oxb_init_f32(m, "R", 3, (int[]){2, 8, 2}, wave);
  oxb_init_f32(m, "B", 2, (int[]){2, 16}, wave);
  oxb_init_int32s(m, "L", OXB_INT32, 1, (int[]){1}, (int32_t[]){4});
  oxb_init_floats(m, "P", 2, (int[]){2, 6}, (float[12]){0});
  Onnx__NodeProto *l = oxb_node(m, "LSTM", "x W R B L h0 c0 P", "Y Y_h Y_c");
  oxb_attr_int(m, l, "hidden_size", 2);
  oxb_attr_string(m, l, "direction", "bidirectional");
  Onnx__NodeProto *t = oxb_node(m, "Transpose", "Y", "yt"); /* [B, T, 2, H] */
  oxb_attr_ints(m, t, "perm", 4, (int64_t[]){2, 0, 1, 3});
  oxb_init_i64(m, "shape", 3, (int64_t[]){1, 4, 4});
  oxb_node(m, "Reshape", "yt shape", "seq"); /* [B, T, 2H]: layout 1 */
  oxb_init_f32(m, "Wg", 3, (int[]){1, 9, 4}, wave);
  oxb_init_f32(m, "Rg", 3, (int[]){1, 9, 3}, wave);
  oxb_init_f32(m, "Bg", 2, (int[]){1, 18}, wave);
  Onnx__NodeProto *g = oxb_node(m, "GRU", "seq Wg Rg Bg", "G G_h");
  oxb_attr_int(m, g, "hidden_size", 3);
  oxb_attr_string(m, g, "direction", "reverse");
  oxb_attr_int(m, g, "layout", 1);
  oxb_attr_int(m, g, "linear_before_reset", 1);
  output(m, "G");
  output(m, "G_h");
  output(m, "Y_c");
  finish(m, "rnn");
}

/* Shapes made by operators (ConstantOfShape, Range, Size, Expand of a constant: folded)
 * and the rarer element-wise and pooling ops: Reciprocal, ReduceMin, GlobalMaxPool, Dropout. */
static void seed_generators(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_node(m, "GlobalMaxPool", "x", "gp"); /* [1, 3, 1, 1] */
  oxb_init_i64(m, "shp", 4, (int64_t[]){1, 3, 6, 1});
  oxb_node(m, "ConstantOfShape", "shp", "ones0");
  oxb_init_f32(m, "ev", 4, (int[]){1, 3, 1, 1}, wave);
  oxb_node(m, "Expand", "ev shp", "e"); /* of a constant: folded */
  oxb_node(m, "Add", "e ones0", "ea");
  oxb_node(m, "Size", "x", "sz");
  Onnx__TensorProto *zero = oxb_tensor(m, "zero", OXB_INT64, 0, NULL);
  oxb_set_int64s(m, zero, (int64_t[]){0});
  oxb_initializer(m, zero);
  Onnx__TensorProto *step = oxb_tensor(m, "step", OXB_INT64, 0, NULL);
  oxb_set_int64s(m, step, (int64_t[]){30});
  oxb_initializer(m, step);
  oxb_node(m, "Range", "zero sz step", "rg"); /* 0, 30, 60 */
  Onnx__NodeProto *cf = oxb_node(m, "Cast", "rg", "rgf");
  oxb_attr_int(m, cf, "to", 1);
  oxb_node(m, "Abs", "x", "xa");
  oxb_init_floats(m, "eps", 0, NULL, (float[]){0.5f});
  oxb_node(m, "Add", "xa eps", "xp");
  oxb_node(m, "Reciprocal", "xp", "rc");
  oxb_node(m, "Mul", "rc ea", "mr");
  oxb_node(m, "Add", "mr gp", "mm");
  Onnx__NodeProto *rm = oxb_node(m, "ReduceMin", "mm", "y");
  oxb_attr_ints(m, rm, "axes", 1, (int64_t[]){3});
  oxb_init_i64(m, "row", 4, (int64_t[]){1, 3, 1, 1});
  oxb_node(m, "Reshape", "rgf row", "rgr");
  oxb_node(m, "Add", "y rgr", "ya");
  oxb_node(m, "Dropout", "ya", "yd");
  output(m, "yd");
  finish(m, "generators");
}

static void seed_concat(void) {
  oxb *m = model_new();
  input(m, "a", 4, img);
  input(m, "b", 4, (int[]){1, 2, 6, 5});
  Onnx__NodeProto *c = oxb_node(m, "Concat", "a b", "y");
  oxb_attr_int(m, c, "axis", 1);
  output(m, "y");
  finish(m, "concat");
}

static void seed_batchnorm(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_init_f32(m, "w", 4, (int[]){4, 3, 3, 3}, wave);
  oxb_node(m, "Conv", "x w", "c");
  oxb_init_f32(m, "scale", 1, (int[]){4}, wave);
  oxb_init_f32(m, "bias", 1, (int[]){4}, wave);
  oxb_init_f32(m, "mean", 1, (int[]){4}, wave);
  float var[4];
  for (int i = 0; i < 4; i++)
    var[i] = 0.5f + 0.25f * (float)i;
  oxb_init_floats(m, "var", 1, (int[]){4}, var);
  oxb_node(m, "BatchNormalization", "c scale bias mean var", "y");
  output(m, "y");
  finish(m, "conv_batchnorm");
}

static void seed_transpose(void) {
  oxb *m = model_new();
  input(m, "x", 3, (int[]){2, 3, 4});
  Onnx__NodeProto *t = oxb_node(m, "Transpose", "x", "y");
  oxb_attr_ints(m, t, "perm", 3, (int64_t[]){2, 0, 1});
  output(m, "y");
  finish(m, "transpose");
}

static void seed_pad(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_init_i64(m, "pads", 8, (int64_t[]){0, 0, 1, 2, 0, 0, 2, 1});
  oxb_node(m, "Pad", "x pads", "y");
  output(m, "y");
  finish(m, "pad");
}

static void seed_squeeze(void) {
  oxb *m = model_new();
  input(m, "x", 4, (int[]){1, 3, 1, 5});
  oxb_init_i64(m, "axes", 1, (int64_t[]){2});
  oxb_node(m, "Squeeze", "x axes", "s");
  oxb_init_i64(m, "axes2", 1, (int64_t[]){0});
  oxb_node(m, "Unsqueeze", "s axes2", "u");
  oxb_node(m, "Identity", "u", "y");
  output(m, "y");
  finish(m, "squeeze_unsqueeze");
}

/* QuantizeLinear -> DequantizeLinear around a convolution: the QDQ pass makes it int8. */
static void seed_qdq_conv(void) {
  oxb *m = model_new();
  input(m, "x", 4, img);
  oxb_init_floats(m, "xs", 0, NULL, (float[]){0.02f});
  oxb_init_int32s(m, "xz", OXB_INT8, 0, NULL, (int32_t[]){3});
  oxb_node(m, "QuantizeLinear", "x xs xz", "xq");
  oxb_node(m, "DequantizeLinear", "xq xs xz", "xd");
  int32_t wq[4 * 3 * 3 * 3];
  for (int i = 0; i < 4 * 3 * 3 * 3; i++)
    wq[i] = (i * 29 % 255) - 127;
  oxb_init_int32s(m, "wq", OXB_INT8, 4, (int[]){4, 3, 3, 3}, wq);
  oxb_init_floats(m, "ws", 0, NULL, (float[]){0.01f});
  oxb_init_int32s(m, "wz", OXB_INT8, 0, NULL, (int32_t[]){0});
  oxb_node(m, "DequantizeLinear", "wq ws wz", "wd");
  Onnx__NodeProto *c = oxb_node(m, "Conv", "xd wd", "c");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_init_floats(m, "ys", 0, NULL, (float[]){0.05f});
  oxb_init_int32s(m, "yz", OXB_INT8, 0, NULL, (int32_t[]){-2});
  oxb_node(m, "QuantizeLinear", "c ys yz", "cq");
  oxb_node(m, "DequantizeLinear", "cq ys yz", "y");
  output(m, "y");
  finish(m, "qdq_conv");
}

/* Conv, Relu, MaxPool, Flatten, Gemm, Softmax: a small classifier. */
/* A small classifier (3 classes); with a dynamic batch dimension (dim_param "N") when
 * dynamic: the CLI tests compile that one with --input-shape x=1,1,8,8. */
static void seed_cnn(bool dynamic) {
  oxb *m = model_new();
  input(m, "x", 4, (int[]){dynamic ? -1 : 1, 1, 8, 8});
  oxb_init_f32(m, "w1", 4, (int[]){4, 1, 3, 3}, wave);
  oxb_init_f32(m, "b1", 1, (int[]){4}, wave);
  Onnx__NodeProto *c = oxb_node(m, "Conv", "x w1 b1", "c");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  oxb_node(m, "Relu", "c", "r");
  Onnx__NodeProto *p = oxb_node(m, "MaxPool", "r", "p");
  oxb_attr_ints(m, p, "kernel_shape", 2, (int64_t[]){2, 2});
  oxb_attr_ints(m, p, "strides", 2, (int64_t[]){2, 2});
  oxb_node(m, "Flatten", "p", "f");
  oxb_init_f32(m, "w2", 2, (int[]){3, 64}, wave);
  oxb_init_f32(m, "b2", 1, (int[]){3}, wave);
  Onnx__NodeProto *g = oxb_node(m, "Gemm", "f w2 b2", "g");
  oxb_attr_int(m, g, "transB", 1);
  oxb_node(m, "Softmax", "g", "y");
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
  seed_unary("LogSoftmax");
  seed_unary("Elu");
  seed_reshape();
  seed_shapes();
  seed_act_reduce();
  seed_decoder();
  seed_rnn();
  seed_generators();
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
