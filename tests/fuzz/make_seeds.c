/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make_seeds.c: the seed corpus of the TFLite fuzz targets, built with our own test writer
 * (tflbuild.h): at least one small model per operator of ops.def, int8 and float32, with and
 * without options tables, plus a few multi-op graphs (a chain with a RESHAPE view and in-place
 * candidates, a branching graph the planner may reorder). Each seed is checked to go through
 * the whole compiler (read, check, prepare, plan, codegen): a seed that fails would only teach
 * the fuzzer the reader's error paths.
 *   make_seeds OUT_DIR   -> OUT_DIR/<name>.tflite, one per seed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seed_writer.h"
#include "tflbuild.h"

static const char *out_dir;
static int n_written, n_failed;

static uint32_t rng = 0x9E3779B9u;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

/* Serialize b (freed), check the model compiles, write it as OUT_DIR/name.tflite. */
static void finish(tfb *b, const char *name) {
  size_t len;
  uint8_t *bytes = tfb_finish(b, &len);
  tfb_free(b);
  if (!bytes) {
    fprintf(stderr, "make_seeds: %s: out of memory\n", name);
    n_failed++;
    return;
  }
  if (seed_write("make_seeds", out_dir, name, "tflite", bytes, len, NULL, &n_failed))
    n_written++;
  free(bytes);
}

/* An activation (no data), quantized per tensor when type is int8. */
static int act(tfb *b, const char *name, int type, int rank, const int32_t *dims, float scale,
               int64_t zp) {
  int t = tfb_tensor(b, name, type, rank, dims, 0);
  if (type == TFB_INT8)
    tfb_quant(b, t, 1, &scale, &zp, 0);
  return t;
}

static int32_t elems_of(int rank, const int32_t *dims) {
  int32_t n = 1;
  for (int i = 0; i < rank; i++)
    n *= dims[i];
  return n;
}

/* A constant of random int8 or float values. */
static int weights(tfb *b, const char *name, int type, int rank, const int32_t *dims) {
  int32_t n = elems_of(rank, dims);
  size_t bytes = (size_t)n * (type == TFB_INT8 ? 1 : 4);
  uint8_t *data = malloc(bytes);
  for (int32_t i = 0; i < n; i++) {
    if (type == TFB_INT8) {
      data[i] = (uint8_t)(next() >> 24);
    } else {
      float v = (float)((int32_t)(next() % 2001) - 1000) / 1000.0f;
      memcpy(data + 4 * i, &v, 4);
    }
  }
  int t = tfb_tensor(b, name, type, rank, dims, tfb_buffer(b, data, bytes));
  free(data);
  return t;
}

/* int32 bias (int8 models, scale = input scale * filter scale per channel) or float. */
static int bias(tfb *b, const char *name, int type, int32_t n, const float *scales) {
  int32_t dims[1] = {n};
  if (type != TFB_INT8)
    return weights(b, name, TFB_FLOAT32, 1, dims);
  int32_t *v = malloc((size_t)n * 4);
  int64_t *z = calloc((size_t)n, sizeof *z);
  for (int32_t i = 0; i < n; i++)
    v[i] = (int32_t)(next() % 2001) - 1000;
  int t = tfb_tensor(b, name, TFB_INT32, 1, dims, tfb_buffer(b, v, (size_t)n * 4));
  tfb_quant(b, t, (int)n, scales, z, 0);
  free(v);
  free(z);
  return t;
}

static int const_i32(tfb *b, const char *name, int rank, const int32_t *dims, const int32_t *v) {
  return tfb_tensor(b, name, TFB_INT32, rank, dims,
                    tfb_buffer(b, v, (size_t)elems_of(rank, dims) * 4));
}

static const char *tname(int type) {
  return type == TFB_INT8 ? "s8" : "f32";
}

/* CONV_2D or DEPTHWISE_CONV_2D, per-channel int8 or float. */
static void seed_conv(int type, int depthwise, int pad, int stride, int dil, int act_fn,
                      int with_bias) {
  tfb *b = tfb_new();
  int32_t ci = 3, co = depthwise ? 6 : 4, h = 7, w = 6, k = 3;
  int x = act(b, "input", type, 4, (int32_t[]){1, h, w, ci}, 0.05f, -3);
  int32_t fd[4] = {co, k, k, ci};
  if (depthwise)
    fd[0] = 1, fd[3] = co;
  int f = weights(b, "filter", type, 4, fd);
  float fs[8], bs[8];
  int64_t z[8] = {0};
  for (int i = 0; i < co; i++)
    fs[i] = 0.01f + 0.002f * (float)i, bs[i] = 0.05f * fs[i];
  if (type == TFB_INT8)
    tfb_quant(b, f, (int)co, fs, z, depthwise ? 3 : 0);
  int bi = with_bias ? bias(b, "bias", type, co, bs) : -1;
  int32_t eff = (k - 1) * dil + 1;
  int32_t oh = pad == TFB_PAD_SAME ? (h + stride - 1) / stride : (h - eff + stride) / stride;
  int32_t ow = pad == TFB_PAD_SAME ? (w + stride - 1) / stride : (w - eff + stride) / stride;
  int y = act(b, "output", type, 4, (int32_t[]){1, oh, ow, co}, 0.1f, 5);
  int op = tfb_op(b, depthwise ? TFB_OP_DEPTHWISE_CONV_2D : TFB_OP_CONV_2D, (int[]){x, f, bi}, 3,
                  (int[]){y}, 1);
  if (depthwise)
    tfb_dwconv_options(b, op, pad, stride, stride, co / ci, act_fn, dil, dil);
  else
    tfb_conv_options(b, op, pad, stride, stride, act_fn, dil, dil);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[96];
  snprintf(name, sizeof name, "%s_%s_%s_s%d_d%d_a%d%s", depthwise ? "dwconv" : "conv", tname(type),
           pad == TFB_PAD_SAME ? "same" : "valid", stride, dil, act_fn, with_bias ? "" : "_nobias");
  finish(b, name);
}

static void seed_fc(int type, int keep, int with_bias) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 2, (int32_t[]){2, 10}, 0.05f, 1);
  int wt = weights(b, "weights", type, 2, (int32_t[]){5, 10});
  float s = 0.02f, bs[5];
  int64_t z = 0;
  for (int i = 0; i < 5; i++)
    bs[i] = 0.05f * s;
  if (type == TFB_INT8)
    tfb_quant(b, wt, 1, &s, &z, 0);
  int bi = with_bias ? bias(b, "bias", type, 5, bs) : -1;
  int y = act(b, "output", type, 2, (int32_t[]){2, 5}, 0.2f, -7);
  int op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){x, wt, bi}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_RELU, keep);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "fc_%s%s", tname(type), with_bias ? "" : "_nobias");
  finish(b, name);
}

/* A hybrid model (TFLite's dynamic-range form): float activations, int8 filters with scales
 * (the conv's per channel), float biases; --quantize int8 dequantizes the filters. */
static void seed_hybrid(void) {
  tfb *b = tfb_new();
  int x = act(b, "input", TFB_FLOAT32, 4, (int32_t[]){1, 5, 4, 2}, 0, 0);
  int f = weights(b, "filter", TFB_INT8, 4, (int32_t[]){3, 3, 3, 2});
  float fs[3] = {0.01f, 0.02f, 0.03f}, s = 0.015f;
  int64_t z[3] = {0, 0, 0};
  tfb_quant(b, f, 3, fs, z, 0);
  int c = act(b, "conv", TFB_FLOAT32, 4, (int32_t[]){1, 5, 4, 3}, 0, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, f, bias(b, "bias", TFB_FLOAT32, 3, fs)}, 3,
                  (int[]){c}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, TFB_ACT_RELU, 1, 1);
  int wt = weights(b, "fc_weights", TFB_INT8, 2, (int32_t[]){4, 60});
  tfb_quant(b, wt, 1, &s, z, 0);
  int y = act(b, "output", TFB_FLOAT32, 2, (int32_t[]){1, 4}, 0, 0);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){c, wt, -1}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  /* Written as it is: compiled without --quantize it is refused (no hybrid kernels); the
   * pipeline target runs the pass that --quantize int8 runs on it. */
  size_t len;
  uint8_t *bytes = tfb_finish(b, &len);
  tfb_free(b);
  char path[4096];
  snprintf(path, sizeof path, "%s/hybrid_conv_fc.tflite", out_dir);
  FILE *out = bytes ? fopen(path, "wb") : NULL;
  const bool ok = out && fwrite(bytes, 1, len, out) == len;
  if (out && fclose(out) == 0 && ok) {
    n_written++;
  } else {
    fprintf(stderr, "make_seeds: %s: not written\n", path);
    n_failed++;
  }
  free(bytes);
}

static void seed_pool(int type, int code, int pad) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 4, (int32_t[]){1, 6, 5, 3}, 0.05f, -2);
  int32_t oh = pad == TFB_PAD_SAME ? 3 : 3, ow = pad == TFB_PAD_SAME ? 3 : 2;
  int y = act(b, "output", type, 4, (int32_t[]){1, oh, ow, 3}, 0.05f, -2);
  int op = tfb_op(b, code, (int[]){x}, 1, (int[]){y}, 1);
  tfb_pool_options(b, op, pad, 2, 2, 2, 2, TFB_ACT_RELU6);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "%s_%s_%s", code == TFB_OP_MAX_POOL_2D ? "maxpool" : "avgpool",
           tname(type), pad == TFB_PAD_SAME ? "same" : "valid");
  finish(b, name);
}

/* ADD or MUL, with broadcasting of a constant or of a second input. */
static void seed_binary(int type, int code, int const_b) {
  tfb *b = tfb_new();
  int32_t da[4] = {1, 4, 3, 2}, db[4] = {1, 1, 3, 2};
  int x = act(b, "a", type, 4, da, 0.05f, 3);
  int y2;
  if (const_b) {
    y2 = weights(b, "b", type, 4, db);
    if (type == TFB_INT8)
      tfb_quant(b, y2, 1, (float[]){0.03f}, (int64_t[]){-1}, 0);
  } else {
    y2 = act(b, "b", type, 4, db, 0.03f, -1);
  }
  int y = act(b, "sum", type, 4, da, 0.1f, 0);
  int op = tfb_op(b, code, (int[]){x, y2}, 2, (int[]){y}, 1);
  if (code == TFB_OP_ADD)
    tfb_add_options(b, op, TFB_ACT_RELU);
  else
    tfb_mul_options(b, op, TFB_ACT_NONE);
  if (const_b)
    tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  else
    tfb_io(b, (int[]){x, y2}, 2, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "%s_%s%s", code == TFB_OP_ADD ? "add" : "mul", tname(type),
           const_b ? "_const" : "");
  finish(b, name);
}

/* A unary op with the output quantization TFLite expects for it. */
static void seed_unary(int type, int code, const char *opname, float out_scale, int64_t out_zp) {
  tfb *b = tfb_new();
  int32_t d[3] = {2, 3, 4};
  int x = act(b, "input", type, 3, d, 0.05f, 4);
  int y = act(b, "output", type, 3, d, out_scale, out_zp);
  int op = tfb_op(b, code, (int[]){x}, 1, (int[]){y}, 1);
  if (code == TFB_OP_SOFTMAX)
    tfb_softmax_options(b, op, 1.0f);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "%s_%s", opname, tname(type));
  finish(b, name);
}

static void seed_quantize(void) {
  tfb *b = tfb_new();
  int32_t d[2] = {3, 5};
  int x = act(b, "input", TFB_FLOAT32, 2, d, 0, 0);
  int q = act(b, "quantized", TFB_INT8, 2, d, 0.02f, -5);
  int y = act(b, "output", TFB_FLOAT32, 2, d, 0, 0);
  tfb_op(b, TFB_OP_QUANTIZE, (int[]){x}, 1, (int[]){q}, 1);
  tfb_op(b, TFB_OP_DEQUANTIZE, (int[]){q}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  finish(b, "quantize_dequantize");
}

static void seed_reshape(int type, int with_shape) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 4, (int32_t[]){1, 2, 3, 4}, 0.05f, 0);
  int r = act(b, "relu", type, 4, (int32_t[]){1, 2, 3, 4}, 0.05f, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){r}, 1);
  int32_t ns[2] = {1, 24};
  int y = act(b, "reshaped", type, 2, ns, 0.05f, 0);
  int s = with_shape ? const_i32(b, "shape", 1, (int32_t[]){2}, (int32_t[]){-1, 24}) : -1;
  int op = tfb_op(b, TFB_OP_RESHAPE, with_shape ? (int[]){r, s} : (int[]){r}, with_shape ? 2 : 1,
                  (int[]){y}, 1);
  tfb_reshape_options(b, op, ns, 2);
  int z = act(b, "output", type, 2, ns, 0.05f, 0);
  tfb_op(b, TFB_OP_RELU6, (int[]){y}, 1, (int[]){z}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){z}, 1);
  char name[64];
  snprintf(name, sizeof name, "reshape_%s%s", tname(type), with_shape ? "_shape" : "");
  finish(b, name);
}

static void seed_mean(int type, int keep) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 4, (int32_t[]){1, 4, 5, 3}, 0.05f, 2);
  int ax = const_i32(b, "axes", 1, (int32_t[]){2}, (int32_t[]){1, 2});
  int32_t od[4] = {1, 1, 1, 3};
  int y = keep ? act(b, "output", type, 4, od, 0.04f, 1)
               : act(b, "output", type, 2, (int32_t[]){1, 3}, 0.04f, 1);
  int op = tfb_op(b, TFB_OP_MEAN, (int[]){x, ax}, 2, (int[]){y}, 1);
  tfb_reducer_options(b, op, keep);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "mean_%s%s", tname(type), keep ? "_keep" : "");
  finish(b, name);
}

/* REDUCE_MAX (int8: the input's quantization on the output) and SUM over axis -1. */
static void seed_reduce(int type, int code, const char *opname) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 3, (int32_t[]){2, 3, 4}, 0.05f, 2);
  int ax = const_i32(b, "axes", 1, (int32_t[]){1}, (int32_t[]){-1});
  const int same = code == TFB_OP_REDUCE_MAX;
  int y = act(b, "output", type, 2, (int32_t[]){2, 3}, same ? 0.05f : 0.2f, same ? 2 : -1);
  int op = tfb_op(b, code, (int[]){x, ax}, 2, (int[]){y}, 1);
  tfb_reducer_options(b, op, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "%s_%s", opname, tname(type));
  finish(b, name);
}

static void seed_pad(int type) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 4, (int32_t[]){1, 3, 3, 2}, 0.05f, -4);
  int p = const_i32(b, "paddings", 2, (int32_t[]){4, 2}, (int32_t[]){0, 0, 1, 2, 2, 1, 0, 0});
  int y = act(b, "output", type, 4, (int32_t[]){1, 6, 6, 2}, 0.05f, -4);
  tfb_op(b, TFB_OP_PAD, (int[]){x, p}, 2, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "pad_%s", tname(type));
  finish(b, name);
}

/* RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR, upscaling with half-pixel centres or aligned
 * corners (int8: one quantization on both sides). */
static void seed_resize(int type, int bilinear, int align) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 4, (int32_t[]){1, 3, 4, 2}, 0.05f, 2);
  int sz = const_i32(b, "size", 1, (int32_t[]){2}, (int32_t[]){5, 7});
  int y = act(b, "output", type, 4, (int32_t[]){1, 5, 7, 2}, 0.05f, 2);
  int op = tfb_op(b, bilinear ? TFB_OP_RESIZE_BILINEAR : TFB_OP_RESIZE_NEAREST_NEIGHBOR,
                  (int[]){x, sz}, 2, (int[]){y}, 1);
  tfb_resize_options(b, op, bilinear, align, !align);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "resize_%s_%s%s", bilinear ? "bilinear" : "nearest", tname(type),
           align ? "_align" : "_half");
  finish(b, name);
}

/* TRANSPOSE_CONV stride 2 SAME with bias (TFLite's operand order: output_shape, filter, input,
 * bias). */
static void seed_transpose_conv(int type) {
  tfb *b = tfb_new();
  int os = const_i32(b, "output_shape", 1, (int32_t[]){4}, (int32_t[]){1, 6, 8, 3});
  int f = weights(b, "filter", type, 4, (int32_t[]){3, 3, 3, 2});
  float fs[3] = {0.01f, 0.012f, 0.014f}, bs[3];
  int64_t z[3] = {0};
  for (int i = 0; i < 3; i++)
    bs[i] = 0.05f * fs[i];
  if (type == TFB_INT8)
    tfb_quant(b, f, 3, fs, z, 0);
  int bi = bias(b, "bias", type, 3, bs);
  int x = act(b, "input", type, 4, (int32_t[]){1, 3, 4, 2}, 0.05f, -3);
  int y = act(b, "output", type, 4, (int32_t[]){1, 6, 8, 3}, 0.1f, 5);
  int op = tfb_op(b, TFB_OP_TRANSPOSE_CONV, (int[]){os, f, x, bi}, 4, (int[]){y}, 1);
  tfb_transpose_conv_options(b, op, TFB_PAD_SAME, 2, 2, TFB_ACT_RELU);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "transpose_conv_%s", tname(type));
  finish(b, name);
}

/* MIRROR_PAD of H and W, REFLECT or SYMMETRIC. */
static void seed_mirror_pad(int type, int mode) {
  tfb *b = tfb_new();
  int x = act(b, "input", type, 4, (int32_t[]){1, 3, 3, 2}, 0.05f, -4);
  int p = const_i32(b, "paddings", 2, (int32_t[]){4, 2}, (int32_t[]){0, 0, 1, 2, 2, 1, 0, 0});
  int y = act(b, "output", type, 4, (int32_t[]){1, 6, 6, 2}, 0.05f, -4);
  int op = tfb_op(b, TFB_OP_MIRROR_PAD, (int[]){x, p}, 2, (int[]){y}, 1);
  tfb_mirror_pad_options(b, op, mode);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "mirror_pad_%s_%s", tname(type), mode ? "symmetric" : "reflect");
  finish(b, name);
}

static void seed_concat(int type, int axis) {
  tfb *b = tfb_new();
  int32_t d0[4] = {1, 2, 3, 2}, d1[4] = {1, 2, 3, 2}, dy[4] = {1, 2, 3, 2};
  d1[axis] = 3;
  dy[axis] = d0[axis] + d1[axis];
  int x0 = act(b, "a", type, 4, d0, 0.05f, 1);
  int x1 = act(b, "b", type, 4, d1, 0.05f, 1);
  int y = act(b, "output", type, 4, dy, 0.05f, 1);
  int op = tfb_op(b, TFB_OP_CONCATENATION, (int[]){x0, x1}, 2, (int[]){y}, 1);
  tfb_concat_options(b, op, axis, TFB_ACT_NONE);
  tfb_io(b, (int[]){x0, x1}, 2, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "concat_%s_axis%d", tname(type), axis);
  finish(b, name);
}

/* conv -> depthwise -> avgpool -> reshape -> fc -> softmax: the shape of a KWS network. */
static void seed_chain(int type) {
  tfb *b = tfb_new();
  int64_t z8[8] = {0};
  float s8[8], bs[8];
  for (int i = 0; i < 8; i++)
    s8[i] = 0.004f + 0.0005f * (float)i, bs[i] = 0.05f * s8[i];
  int x = act(b, "input", type, 4, (int32_t[]){1, 8, 8, 1}, 0.05f, -3);
  int w1 = weights(b, "conv/filter", type, 4, (int32_t[]){8, 3, 3, 1});
  if (type == TFB_INT8)
    tfb_quant(b, w1, 8, s8, z8, 0);
  int b1 = bias(b, "conv/bias", type, 8, bs);
  int a1 = act(b, "conv/out", type, 4, (int32_t[]){1, 4, 4, 8}, 0.02f, -128);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w1, b1}, 3, (int[]){a1}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 2, 2, TFB_ACT_RELU, 1, 1);
  int w2 = weights(b, "dw/filter", type, 4, (int32_t[]){1, 3, 3, 8});
  if (type == TFB_INT8)
    tfb_quant(b, w2, 8, s8, z8, 3);
  int b2 = bias(b, "dw/bias", type, 8, bs);
  int a2 = act(b, "dw/out", type, 4, (int32_t[]){1, 4, 4, 8}, 0.025f, -128);
  op = tfb_op(b, TFB_OP_DEPTHWISE_CONV_2D, (int[]){a1, w2, b2}, 3, (int[]){a2}, 1);
  tfb_dwconv_options(b, op, TFB_PAD_SAME, 1, 1, 1, TFB_ACT_RELU6, 1, 1);
  int a3 = act(b, "pool/out", type, 4, (int32_t[]){1, 1, 1, 8}, 0.025f, -128);
  op = tfb_op(b, TFB_OP_AVERAGE_POOL_2D, (int[]){a2}, 1, (int[]){a3}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 4, 4, 4, 4, TFB_ACT_NONE);
  int32_t shape[2] = {1, 8};
  int ts = const_i32(b, "flatten/shape", 1, (int32_t[]){2}, shape);
  int a4 = act(b, "flatten/out", type, 2, shape, 0.025f, -128);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){a3, ts}, 2, (int[]){a4}, 1);
  tfb_reshape_options(b, op, shape, 2);
  int w3 = weights(b, "fc/weights", type, 2, (int32_t[]){4, 8});
  if (type == TFB_INT8)
    tfb_quant(b, w3, 1, (float[]){0.01f}, (int64_t[]){0}, 0);
  int b3 = bias(b, "fc/bias", type, 4, (float[]){0.00025f, 0.00025f, 0.00025f, 0.00025f});
  int a5 = act(b, "fc/out", type, 2, (int32_t[]){1, 4}, 0.1f, 0);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){a4, w3, b3}, 3, (int[]){a5}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  int y = act(b, "probabilities", type, 2, (int32_t[]){1, 4}, 1.0f / 256.0f, -128);
  op = tfb_op(b, TFB_OP_SOFTMAX, (int[]){a5}, 1, (int[]){y}, 1);
  tfb_softmax_options(b, op, 1.0f);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[64];
  snprintf(name, sizeof name, "chain_%s", tname(type));
  finish(b, name);
}

/* Two branches joined by ADD and CONCATENATION, two outputs: the planner's reorder search,
 * in-place element-wise ops and several storage groups. */
static void seed_branches(int type) {
  tfb *b = tfb_new();
  int32_t d[4] = {1, 4, 4, 2};
  int x = act(b, "input", type, 4, d, 0.05f, 0);
  int r1 = act(b, "relu", type, 4, d, 0.05f, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){r1}, 1);
  int r2 = act(b, "relu6", type, 4, d, 0.05f, 0);
  tfb_op(b, TFB_OP_RELU6, (int[]){x}, 1, (int[]){r2}, 1);
  int p = act(b, "pool", type, 4, (int32_t[]){1, 2, 2, 2}, 0.05f, 0);
  int op = tfb_op(b, TFB_OP_MAX_POOL_2D, (int[]){r1}, 1, (int[]){p}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 2, 2, 2, 2, TFB_ACT_NONE);
  int s = act(b, "sum", type, 4, d, 0.1f, 0);
  op = tfb_op(b, TFB_OP_ADD, (int[]){r1, r2}, 2, (int[]){s}, 1);
  tfb_add_options(b, op, TFB_ACT_NONE);
  int m = act(b, "prod", type, 4, d, 0.1f, 0);
  op = tfb_op(b, TFB_OP_MUL, (int[]){s, x}, 2, (int[]){m}, 1);
  tfb_mul_options(b, op, TFB_ACT_NONE);
  int c = act(b, "concat", type, 4, (int32_t[]){1, 4, 4, 4}, 0.1f, 0);
  op = tfb_op(b, TFB_OP_CONCATENATION, (int[]){m, s}, 2, (int[]){c}, 1);
  tfb_concat_options(b, op, 3, TFB_ACT_NONE);
  tfb_io(b, (int[]){x}, 1, (int[]){c, p}, 2);
  char name[64];
  snprintf(name, sizeof name, "branches_%s", tname(type));
  finish(b, name);
}

/* Names a hostile model could use to break out of the comments of the generated code. */
static void seed_hostile_names(void) {
  tfb *b = tfb_new();
  int32_t d[2] = {2, 3};
  int x = act(b,
              "in */ int injected = 1; /* \"q\" \\ ?"
              "?/",
              TFB_INT8, 2, d, 0.05f, 0);
  int y = act(b, "*/ #error injected /* \x01\x1b[31m red \xc3\xa9", TFB_INT8, 2, d, 0.05f, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  finish(b, "hostile_names");
}

/* SVDF: input [1,8], 4 filters of rank 2 over a memory of 3, state [1,12] (int16 for int8
 * models, as TFLM's integer SVDF takes it). */
static void seed_svdf(int type) {
  tfb *b = tfb_new();
  const int q = type == TFB_INT8;
  int x = act(b, "x", type, 2, (int32_t[]){1, 8}, 0.05f, 3);
  int wf = weights(b, "wf", type, 2, (int32_t[]){4, 8});
  int16_t wt16[12];
  for (int i = 0; i < 12; i++)
    wt16[i] = (int16_t)(next() >> 20);
  int wt =
      q ? tfb_tensor(b, "wt", TFB_INT16, 2, (int32_t[]){4, 3}, tfb_buffer(b, wt16, sizeof wt16))
        : weights(b, "wt", type, 2, (int32_t[]){4, 3});
  int bi = bias(b, "b", type, 2, (float[]){0.0001f, 0.0001f});
  int st = tfb_tensor(b, "state", q ? TFB_INT16 : type, 2, (int32_t[]){1, 12}, 0);
  tfb_variable(b, st);
  int y = act(b, "y", type, 2, (int32_t[]){1, 2}, 0.1f, -2);
  if (q) {
    tfb_quant(b, wf, 1, (float[]){0.02f}, (int64_t[]){0}, 0);
    tfb_quant(b, wt, 1, (float[]){0.001f}, (int64_t[]){0}, 0);
    tfb_quant(b, st, 1, (float[]){0.1f}, (int64_t[]){0}, 0);
  }
  int op = tfb_op(b, TFB_OP_SVDF, (int[]){x, wf, wt, bi, st}, 5, (int[]){y}, 1);
  tfb_svdf_options(b, op, 2, TFB_ACT_NONE);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  char name[32];
  snprintf(name, sizeof name, "svdf_%s", tname(type));
  finish(b, name);
}

/* UNIDIRECTIONAL_SEQUENCE_LSTM, float: input [1,3,4], 2 units, both states variable. */
static void seed_lstm_f32(void) {
  tfb *b = tfb_new();
  int ins[24];
  for (int i = 0; i < 24; i++)
    ins[i] = -1;
  ins[0] = act(b, "x", TFB_FLOAT32, 3, (int32_t[]){1, 3, 4}, 0, 0);
  for (int k = 0; k < 4; k++) {
    ins[1 + k] = weights(b, "w", TFB_FLOAT32, 2, (int32_t[]){2, 4});
    ins[5 + k] = weights(b, "r", TFB_FLOAT32, 2, (int32_t[]){2, 2});
    ins[12 + k] = weights(b, "b", TFB_FLOAT32, 1, (int32_t[]){2});
  }
  ins[18] = act(b, "h", TFB_FLOAT32, 2, (int32_t[]){1, 2}, 0, 0);
  ins[19] = act(b, "c", TFB_FLOAT32, 2, (int32_t[]){1, 2}, 0, 0);
  tfb_variable(b, ins[18]);
  tfb_variable(b, ins[19]);
  int y = act(b, "y", TFB_FLOAT32, 3, (int32_t[]){1, 3, 2}, 0, 0);
  int op = tfb_op(b, TFB_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, ins, 24, (int[]){y}, 1);
  tfb_lstm_options(b, op, TFB_ACT_TANH, 0.0f, 0);
  tfb_io(b, ins, 1, (int[]){y}, 1);
  finish(b, "lstm_f32");
}

/* The float element-wise ops, chained: ABS, SQRT, EXP, LOG, NEG, MINIMUM, MAXIMUM,
 * SQUARED_DIFFERENCE, RSQRT, MUL, ELU, PRELU, LOG_SOFTMAX, REDUCE_MIN, and a CAST to int32
 * and back. */
static void seed_elementwise_f32(void) {
  tfb *b = tfb_new();
  const int F = TFB_FLOAT32;
  int32_t d[3] = {2, 3, 4};
  int x = act(b, "x", F, 3, d, 0, 0);
  int t[16];
  static const char *const names[16] = {"abs", "sqrt", "exp",   "log", "neg", "min",
                                        "max", "sqd",  "rsqrt", "mul", "elu", "prelu",
                                        "y",   "xi",   "xf",    "ymin"};
  for (int k = 0; k < 16; k++)
    t[k] = act(b, names[k], k == 13 ? TFB_INT32 : F, k == 15 ? 2 : 3, d, 0, 0);
  int c = weights(b, "c", F, 3, (int32_t[]){1, 1, 4});
  int alpha = weights(b, "alpha", F, 1, (int32_t[]){4});
  tfb_op(b, TFB_OP_ABS, (int[]){x}, 1, (int[]){t[0]}, 1);
  tfb_op(b, TFB_OP_SQRT, (int[]){t[0]}, 1, (int[]){t[1]}, 1);
  tfb_op(b, TFB_OP_EXP, (int[]){x}, 1, (int[]){t[2]}, 1);
  tfb_op(b, TFB_OP_LOG, (int[]){t[2]}, 1, (int[]){t[3]}, 1);
  tfb_op(b, TFB_OP_NEG, (int[]){t[3]}, 1, (int[]){t[4]}, 1);
  tfb_op(b, TFB_OP_MINIMUM, (int[]){t[4], t[1]}, 2, (int[]){t[5]}, 1);
  tfb_op(b, TFB_OP_MAXIMUM, (int[]){t[5], c}, 2, (int[]){t[6]}, 1);
  tfb_op(b, TFB_OP_SQUARED_DIFFERENCE, (int[]){t[6], x}, 2, (int[]){t[7]}, 1);
  tfb_op(b, TFB_OP_RSQRT, (int[]){t[2]}, 1, (int[]){t[8]}, 1);
  tfb_mul_options(b, tfb_op(b, TFB_OP_MUL, (int[]){t[7], t[8]}, 2, (int[]){t[9]}, 1), TFB_ACT_NONE);
  tfb_op(b, TFB_OP_ELU, (int[]){t[9]}, 1, (int[]){t[10]}, 1);
  tfb_op(b, TFB_OP_PRELU, (int[]){t[10], alpha}, 2, (int[]){t[11]}, 1);
  tfb_op(b, TFB_OP_CAST, (int[]){t[11]}, 1, (int[]){t[13]}, 1);
  tfb_op(b, TFB_OP_CAST, (int[]){t[13]}, 1, (int[]){t[14]}, 1);
  tfb_op(b, TFB_OP_LOG_SOFTMAX, (int[]){t[14]}, 1, (int[]){t[12]}, 1);
  int ax = const_i32(b, "axes", 1, (int32_t[]){1}, (int32_t[]){-1});
  int op = tfb_op(b, TFB_OP_REDUCE_MIN, (int[]){t[11], ax}, 2, (int[]){t[15]}, 1);
  tfb_reducer_options(b, op, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){t[12], t[15]}, 2);
  finish(b, "elementwise_f32");
}

/* Data movement of activations: STRIDED_SLICE (stride 2), SLICE, SPLIT, SPLIT_V and GATHER
 * with constant indices (int8: one quantization throughout). */
static void seed_slicing(int type) {
  tfb *b = tfb_new();
  int x = act(b, "x", type, 3, (int32_t[]){2, 6, 4}, 0.05f, 3);
  int ss = act(b, "strided", type, 3, (int32_t[]){2, 3, 4}, 0.05f, 3);
  int op = tfb_op(b, TFB_OP_STRIDED_SLICE,
                  (int[]){x, const_i32(b, "begin", 1, (int32_t[]){3}, (int32_t[]){0, 1, 0}),
                          const_i32(b, "end", 1, (int32_t[]){3}, (int32_t[]){2, 6, 4}),
                          const_i32(b, "strides", 1, (int32_t[]){3}, (int32_t[]){1, 2, 1})},
                  4, (int[]){ss}, 1);
  tfb_strided_slice_options(b, op, 0, 0, 0, 0, 0);
  int sl = act(b, "sliced", type, 3, (int32_t[]){2, 3, 3}, 0.05f, 3);
  tfb_op(b, TFB_OP_SLICE,
         (int[]){ss, const_i32(b, "sbegin", 1, (int32_t[]){3}, (int32_t[]){0, 0, 1}),
                 const_i32(b, "size", 1, (int32_t[]){3}, (int32_t[]){2, 3, -1})},
         3, (int[]){sl}, 1);
  int parts[3];
  for (int k = 0; k < 3; k++)
    parts[k] = act(b, "part", type, 3, (int32_t[]){2, 3, 1}, 0.05f, 3);
  op = tfb_op(b, TFB_OP_SPLIT, (int[]){const_i32(b, "axis", 0, NULL, (int32_t[]){2}), sl}, 2, parts,
              3);
  tfb_split_options(b, op, 0, 3);
  int v[2] = {act(b, "v0", type, 3, (int32_t[]){2, 1, 1}, 0.05f, 3),
              act(b, "v1", type, 3, (int32_t[]){2, 2, 1}, 0.05f, 3)};
  op = tfb_op(b, TFB_OP_SPLIT_V,
              (int[]){parts[1], const_i32(b, "sizes", 1, (int32_t[]){2}, (int32_t[]){1, -1}),
                      const_i32(b, "vaxis", 0, NULL, (int32_t[]){1})},
              3, v, 2);
  tfb_split_options(b, op, 1, 2);
  int g = act(b, "gathered", type, 3, (int32_t[]){2, 2, 4}, 0.05f, 3);
  op = tfb_op(b, TFB_OP_GATHER,
              (int[]){x, const_i32(b, "indices", 1, (int32_t[]){2}, (int32_t[]){5, 0})}, 2,
              (int[]){g}, 1);
  tfb_gather_options(b, op, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){parts[0], parts[2], v[0], v[1], g}, 5);
  char name[32];
  snprintf(name, sizeof name, "slicing_%s", tname(type));
  finish(b, name);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  out_dir = argv[1];
  static const int types[2] = {TFB_INT8, TFB_FLOAT32};
  for (int ti = 0; ti < 2; ti++) {
    int t = types[ti];
    for (int dw = 0; dw < 2; dw++) {
      seed_conv(t, dw, TFB_PAD_SAME, 1, 1, TFB_ACT_NONE, 1);
      seed_conv(t, dw, TFB_PAD_VALID, 2, 1, TFB_ACT_RELU, 1);
      seed_conv(t, dw, TFB_PAD_VALID, 1, 2, TFB_ACT_RELU6, 0);
    }
    seed_fc(t, 0, 1);
    seed_fc(t, 1, 0);
    seed_pool(t, TFB_OP_AVERAGE_POOL_2D, TFB_PAD_SAME);
    seed_pool(t, TFB_OP_MAX_POOL_2D, TFB_PAD_VALID);
    seed_binary(t, TFB_OP_ADD, 0);
    seed_binary(t, TFB_OP_ADD, 1);
    seed_binary(t, TFB_OP_MUL, 0);
    seed_binary(t, TFB_OP_MUL, 1);
    seed_unary(t, TFB_OP_SOFTMAX, "softmax", 1.0f / 256.0f, -128);
    seed_unary(t, TFB_OP_LOGISTIC, "logistic", 1.0f / 256.0f, -128);
    seed_unary(t, TFB_OP_TANH, "tanh", 1.0f / 128.0f, 0);
    seed_unary(t, TFB_OP_RELU, "relu", 0.05f, 4);
    seed_unary(t, TFB_OP_RELU6, "relu6", 0.05f, 4);
    seed_unary(t, TFB_OP_RELU_N1_TO_1, "relu_n1_to_1", 0.05f, 4);
    seed_reshape(t, 1);
    seed_reshape(t, 0);
    seed_mean(t, 1);
    seed_mean(t, 0);
    seed_reduce(t, TFB_OP_REDUCE_MAX, "reduce_max");
    seed_reduce(t, TFB_OP_SUM, "sum");
    seed_unary(t, TFB_OP_HARD_SWISH, "hard_swish", 0.04f, -10);
    seed_pad(t);
    seed_resize(t, 0, 0);
    seed_resize(t, 1, 1);
    seed_resize(t, 1, 0);
    seed_transpose_conv(t);
    seed_mirror_pad(t, 0);
    seed_mirror_pad(t, 1);
    seed_concat(t, 3);
    seed_concat(t, 1);
    seed_chain(t);
    seed_branches(t);
    seed_svdf(t);
    seed_slicing(t);
  }
  seed_elementwise_f32();
  seed_lstm_f32();
  seed_quantize();
  seed_hostile_names();
  seed_hybrid();
  printf("make_seeds: wrote %d seeds to %s\n", n_written, out_dir);
  if (n_failed)
    fprintf(stderr, "make_seeds: %d seeds failed\n", n_failed);
  return n_failed ? 1 : 0;
}
