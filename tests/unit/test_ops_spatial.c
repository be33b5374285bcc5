/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_spatial.c: the ops that change the spatial size of an image (RESIZE_NEAREST_NEIGHBOR,
 * RESIZE_BILINEAR), as one-op TFLite models built in code and evaluated in process (tt_eval).
 * Expected values come from a published example (Android NNAPI's resize_bilinear_2 test) and
 * from straight per-pixel transcriptions of the formulas of TFLite's reference kernels in this
 * file (float GetNearestNeighbor / ComputeInterpolationValues, and ResizeBilinearInteger with
 * int64 sums) - not from the compiler's tables; refusals are checked by message. ONNX
 * Resize runs on NCHW models built in code, against the operator's formulas from its spec.
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

#include "onnxbuild.h"
#include "tflbuild.h"
#include "tt_pipeline.h"
#include "tt_refmath.h"

static char messages[sizeof(tt_capture){0}.text];

/* One RESIZE op: x [1,h,w,c] of type (int8: scale 0.5, zero point 3 on both sides), size
 * [oh, ow] constant (size_const false: a graph input instead), options. Evaluates when y. */
static ta_status resize(int bilinear, int type, int h, int w, int c, int oh, int ow, int align,
                        int half, bool size_const, const void *x, void *y) {
  tfb *b = tfb_new();
  const int32_t size[2] = {oh, ow};
  int xi = tfb_tensor(b, "x", type, 4, (int32_t[]){1, h, w, c}, 0);
  int si = tfb_tensor(b, "size", TFB_INT32, 1, (int32_t[]){2},
                      size_const ? tfb_buffer(b, size, sizeof size) : 0);
  int yi = tfb_tensor(b, "y", type, 4, (int32_t[]){1, oh, ow, c}, 0);
  if (type == TFB_INT8) {
    tfb_quant(b, xi, 1, (float[]){0.5f}, (int64_t[]){3}, 0);
    tfb_quant(b, yi, 1, (float[]){0.5f}, (int64_t[]){3}, 0);
  }
  int op = tfb_op(b, bilinear ? TFB_OP_RESIZE_BILINEAR : TFB_OP_RESIZE_NEAREST_NEIGHBOR,
                  (int[]){xi, si}, 2, &yi, 1);
  tfb_resize_options(b, op, bilinear, align, half);
  if (size_const)
    tfb_io(b, &xi, 1, &yi, 1);
  else
    tfb_io(b, (int[]){xi, si}, 2, &yi, 1);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[1] = {x};
  void *outs[1] = {y};
  ta_status st = y ? tt_eval_tfb(r, b, in, outs) : tt_prepare_tfb(r, b);
  snprintf(messages, sizeof messages, "%s", r->cap.text);
  tt_done(r);
  free(r);
  if (y && st != TA_OK)
    print_error("pipeline failed (%s):\n%s", ta_status_name(st), messages);
  return st;
}

/* TFLite's GetNearestNeighbor, transcribed. */
static int nn_ref(int v, int in, int out, int align, int half) {
  const float scale =
      (align && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
  const float off = half ? 0.5f : 0.0f;
  int o = align ? (int)roundf(((float)v + off) * scale) : (int)floorf(((float)v + off) * scale);
  if (o > in - 1)
    o = in - 1;
  if (half && o < 0)
    o = 0;
  return o;
}

/* TFLite's float ResizeBilinear for one output value, transcribed. */
static float bl_ref(const float *x, int h, int w, int c, int oh, int ow, int align, int half,
                    int oy, int ox, int ch) {
  float hs = (float)h / (float)oh, ws = (float)w / (float)ow;
  if (align && oh > 1)
    hs = (float)(h - 1) / (float)(oh - 1);
  if (align && ow > 1)
    ws = (float)(w - 1) / (float)(ow - 1);
  const float iy = half ? ((float)oy + 0.5f) * hs - 0.5f : (float)oy * hs;
  const float ix = half ? ((float)ox + 0.5f) * ws - 0.5f : (float)ox * ws;
  int y0 = (int)floorf(iy), x0 = (int)floorf(ix);
  y0 = y0 < 0 ? 0 : y0;
  x0 = x0 < 0 ? 0 : x0;
  const int y1 = (int)ceilf(iy) < h - 1 ? (int)ceilf(iy) : h - 1;
  const int x1 = (int)ceilf(ix) < w - 1 ? (int)ceilf(ix) : w - 1;
#define AT(yy, xx) x[((yy)*w + (xx)) * c + ch]
  return AT(y0, x0) * (1 - (iy - (float)y0)) * (1 - (ix - (float)x0)) +
         AT(y1, x0) * (iy - (float)y0) * (1 - (ix - (float)x0)) +
         AT(y0, x1) * (1 - (iy - (float)y0)) * (ix - (float)x0) +
         AT(y1, x1) * (iy - (float)y0) * (ix - (float)x0);
}

/* TFLite's ResizeBilinearInteger (int8, double rounding) for one output value, transcribed. */
static int8_t bl_ref_s8(const int8_t *x, int h, int w, int c, int oh, int ow, int align, int half,
                        int oy, int ox, int ch) {
  int32_t hs = ((1 << 10) * h + oh / 2) / oh, ws = ((1 << 10) * w + ow / 2) / ow;
  if (align && oh > 1)
    hs = ((1 << 10) * (h - 1) + (oh - 1) / 2) / (oh - 1);
  if (align && ow > 1)
    ws = ((1 << 10) * (w - 1) + (ow - 1) / 2) / (ow - 1);
  const int32_t iy = half ? oy * hs + hs / 2 - (1 << 9) : oy * hs;
  const int32_t ix = half ? ox * ws + ws / 2 - (1 << 9) : ox * ws;
  const int32_t y0 = iy / 1024 > 0 ? iy / 1024 : 0, x0 = ix / 1024 > 0 ? ix / 1024 : 0;
  const int32_t y1 = (iy + 1023) / 1024 < h - 1 ? (iy + 1023) / 1024 : h - 1;
  const int32_t x1 = (ix + 1023) / 1024 < w - 1 ? (ix + 1023) / 1024 : w - 1;
  const int64_t s = (int64_t)AT(y0, x0) * (1024 - (iy - 1024 * y0)) * (1024 - (ix - 1024 * x0)) +
                    (int64_t)AT(y1, x0) * (iy - 1024 * y0) * (1024 - (ix - 1024 * x0)) +
                    (int64_t)AT(y0, x1) * (1024 - (iy - 1024 * y0)) * (ix - 1024 * x0) +
                    (int64_t)AT(y1, x1) * (iy - 1024 * y0) * (ix - 1024 * x0);
#undef AT
  const int64_t round = s > 0 ? (1 << 19) : -(1 << 19);
  return (int8_t)((s + round) / (1 << 20));
}

/* Android NNAPI's resize_bilinear_2: [1,2,2,2] -> [1,3,3,2], no options. */
static void test_bilinear_f32_example(void **state) {
  (void)state;
  const float x[8] = {3, 4, 6, 10, 9, 10, 12, 16};
  const float want[18] = {3, 4, 5, 8, 6, 10, 7, 8, 9, 12, 10, 14, 9, 10, 11, 14, 12, 16};
  float y[18];
  assert_int_equal(resize(1, TFB_FLOAT32, 2, 2, 2, 3, 3, 0, 0, true, x, y), TA_OK);
  for (int i = 0; i < 18; i++)
    assert_float_equal(y[i], want[i], 1e-5);
}

/* Upscale and downscale, each option; float against the transcribed formula. */
static void test_bilinear_f32_modes(void **state) {
  (void)state;
  static const int sizes[][4] = {{3, 4, 7, 9}, {6, 5, 4, 2}, {2, 3, 1, 5}};
  static const int opts[][2] = {{0, 0}, {1, 0}, {0, 1}};
  float x[6 * 5 * 2], y[7 * 9 * 2];
  for (int i = 0; i < 60; i++)
    x[i] = (float)((i * 37) % 23) - 11.5f;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (size_t o = 0; o < 3; o++) {
      const int h = sizes[s][0], w = sizes[s][1], oh = sizes[s][2], ow = sizes[s][3];
      assert_int_equal(resize(1, TFB_FLOAT32, h, w, 2, oh, ow, opts[o][0], opts[o][1], true, x, y),
                       TA_OK);
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < 2; ch++)
            assert_float_equal(y[(oy * ow + ox) * 2 + ch],
                               bl_ref(x, h, w, 2, oh, ow, opts[o][0], opts[o][1], oy, ox, ch),
                               1e-5);
    }
}

/* int8 bit-exact with ResizeBilinearInteger: upscale (negative half-pixel coordinates at the
 * top-left), downscale, align_corners, extreme values. */
static void test_bilinear_s8_exact(void **state) {
  (void)state;
  static const int sizes[][4] = {{3, 4, 7, 9}, {6, 5, 4, 2}, {2, 3, 5, 1}, {4, 4, 8, 8}};
  static const int opts[][2] = {{0, 0}, {1, 0}, {0, 1}};
  int8_t x[6 * 5 * 3], y[8 * 9 * 3];
  for (int i = 0; i < 90; i++)
    x[i] = (int8_t)(i % 3 == 0 ? (i % 2 ? -128 : 127) : (i * 53) % 256 - 128);
  int checked = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (size_t o = 0; o < 3; o++) {
      const int h = sizes[s][0], w = sizes[s][1], oh = sizes[s][2], ow = sizes[s][3];
      assert_int_equal(resize(1, TFB_INT8, h, w, 3, oh, ow, opts[o][0], opts[o][1], true, x, y),
                       TA_OK);
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < 3; ch++, checked++)
            assert_int_equal(y[(oy * ow + ox) * 3 + ch],
                             bl_ref_s8(x, h, w, 3, oh, ow, opts[o][0], opts[o][1], oy, ox, ch));
    }
  assert_true(checked > 500);
  /* One value by hand: [1,1,2,1] {-128, 127} -> width 4, half-pixel: s10 = 512; columns at
   * -256, 256, 768, 1280 (1/1024). Column 1: x0 0, x1 1, weight 256: (-128 * 768 + 127 * 256)
   * * 1024 / 2^20 = -64.25 -> -64; column 2: weight 768: 63.25 -> 63. */
  const int8_t x2[2] = {-128, 127};
  int8_t y2[4];
  assert_int_equal(resize(1, TFB_INT8, 1, 2, 1, 1, 4, 0, 1, true, x2, y2), TA_OK);
  assert_int_equal(y2[0], -128);
  assert_int_equal(y2[1], -64);
  assert_int_equal(y2[2], 63);
  assert_int_equal(y2[3], 127);
}

/* Nearest: every option, up and down, float32 and int8 (values moved). */
static void test_nearest_modes(void **state) {
  (void)state;
  static const int sizes[][4] = {{3, 4, 7, 9}, {6, 5, 4, 2}, {5, 5, 2, 3}, {2, 2, 1, 1}};
  static const int opts[][2] = {{0, 0}, {1, 0}, {0, 1}};
  float x[6 * 5 * 2], y[7 * 9 * 2];
  int8_t xs[6 * 5 * 2], ys[7 * 9 * 2];
  for (int i = 0; i < 60; i++) {
    x[i] = (float)i;
    xs[i] = (int8_t)(i - 30);
  }
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (size_t o = 0; o < 3; o++) {
      const int h = sizes[s][0], w = sizes[s][1], oh = sizes[s][2], ow = sizes[s][3];
      const int al = opts[o][0], hp = opts[o][1];
      assert_int_equal(resize(0, TFB_FLOAT32, h, w, 2, oh, ow, al, hp, true, x, y), TA_OK);
      assert_int_equal(resize(0, TFB_INT8, h, w, 2, oh, ow, al, hp, true, xs, ys), TA_OK);
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < 2; ch++) {
            const int src = (nn_ref(oy, h, oh, al, hp) * w + nn_ref(ox, w, ow, al, hp)) * 2 + ch;
            assert_true(y[(oy * ow + ox) * 2 + ch] == x[src]);
            assert_int_equal(ys[(oy * ow + ox) * 2 + ch], xs[src]);
          }
    }
  /* By hand: 2 -> 3 columns, half-pixel: (v + 0.5) * 2/3 = 0.33, 1, 1.67 -> 0, 1, 1. */
  const float x2[2] = {10, 20};
  float y2[3];
  assert_int_equal(resize(0, TFB_FLOAT32, 1, 2, 1, 1, 3, 0, 1, true, x2, y2), TA_OK);
  assert_true(y2[0] == 10 && y2[1] == 20 && y2[2] == 20);
  /* align_corners: (in - 1) / (out - 1) = 0.5: rounds 0, 0.5, 1 -> 0, 1, 1 (half away). */
  assert_int_equal(resize(0, TFB_FLOAT32, 1, 2, 1, 1, 3, 1, 0, true, x2, y2), TA_OK);
  assert_true(y2[0] == 10 && y2[1] == 20 && y2[2] == 20);
  /* neither: v * 2/3 = 0, 0.67, 1.33 -> 0, 0, 1. */
  assert_int_equal(resize(0, TFB_FLOAT32, 1, 2, 1, 1, 3, 0, 0, true, x2, y2), TA_OK);
  assert_true(y2[0] == 10 && y2[1] == 10 && y2[2] == 20);
}

static void test_resize_refusals(void **state) {
  (void)state;
  assert_int_equal(resize(1, TFB_FLOAT32, 2, 2, 1, 4, 4, 1, 1, true, NULL, NULL), TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "align_corners and half_pixel_centers are both set"));
  assert_int_equal(resize(0, TFB_FLOAT32, 2, 2, 1, 4, 4, 0, 0, false, NULL, NULL),
                   TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "size operand \"size\" is computed at run time"));
  assert_int_equal(resize(1, TFB_INT16, 2, 2, 1, 4, 4, 0, 0, true, NULL, NULL), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "input \"x\" is int16; expected float32 or int8"));
}

/* ---- TRANSPOSE_CONV ----------------------------------------------------------------------- */

typedef struct tconv_case {
  int h, w, ci, oh, ow, co, kh, kw, stride, same, act, bias, per_channel;
} tconv_case;

/* Build and run one TRANSPOSE_CONV: TFLite operand order (output_shape, filter, input[, bias]).
 * int8 (type TFB_INT8): input scale 0.25 zero point -3, output scale 0.5 zero point 5, filter
 * scales per output channel (or one), bias int32. */
static ta_status tconv_run(const tconv_case *c, int type, const void *x, const void *f,
                           const void *bias, const float *fscales, bool shape_const, void *y) {
  tfb *b = tfb_new();
  const bool q = type == TFB_INT8;
  const int32_t shape[4] = {1, c->oh, c->ow, c->co};
  const size_t eb = q ? 1 : 4;
  const size_t fbytes = (size_t)c->co * (size_t)(c->kh * c->kw * c->ci) * eb;
  int si = tfb_tensor(b, "output_shape", TFB_INT32, 1, (int32_t[]){4},
                      shape_const ? tfb_buffer(b, shape, sizeof shape) : 0);
  int fi = tfb_tensor(b, "filter", type, 4, (int32_t[]){c->co, c->kh, c->kw, c->ci},
                      tfb_buffer(b, f, fbytes));
  int xi = tfb_tensor(b, "x", type, 4, (int32_t[]){1, c->h, c->w, c->ci}, 0);
  int bi = -1;
  if (c->bias)
    bi = tfb_tensor(b, "bias", q ? TFB_INT32 : TFB_FLOAT32, 1, (int32_t[]){c->co},
                    tfb_buffer(b, bias, (size_t)c->co * 4));
  int yi = tfb_tensor(b, "y", type, 4, (int32_t[]){1, c->oh, c->ow, c->co}, 0);
  if (q) {
    int64_t zeros[8] = {0};
    float bscales[8];
    const int n = c->per_channel ? c->co : 1;
    tfb_quant(b, xi, 1, (float[]){0.25f}, (int64_t[]){-3}, 0);
    tfb_quant(b, yi, 1, (float[]){0.5f}, (int64_t[]){5}, 0);
    tfb_quant(b, fi, n, fscales, zeros, 0);
    for (int i = 0; i < n; i++)
      bscales[i] = 0.25f * fscales[i];
    if (bi >= 0)
      tfb_quant(b, bi, n, bscales, zeros, 0);
  }
  int op = tfb_op(b, TFB_OP_TRANSPOSE_CONV, (int[]){si, fi, xi, bi}, c->bias ? 4 : 3, &yi, 1);
  tfb_transpose_conv_options(b, op, c->same ? TFB_PAD_SAME : TFB_PAD_VALID, c->stride, c->stride,
                             c->act);
  if (shape_const)
    tfb_io(b, &xi, 1, &yi, 1);
  else
    tfb_io(b, (int[]){si, xi}, 2, &yi, 1);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[1] = {x};
  void *outs[1] = {y};
  ta_status st = y ? tt_eval_tfb(r, b, in, outs) : tt_prepare_tfb(r, b);
  snprintf(messages, sizeof messages, "%s", r->cap.text);
  tt_done(r);
  free(r);
  if (y && st != TA_OK)
    print_error("pipeline failed (%s):\n%s", ta_status_name(st), messages);
  return st;
}

/* TFLite's padding of a transposed convolution: ComputePaddingHeightWidth on the output size. */
static int tconv_pad(int same, int out, int k, int stride) {
  const int back = same ? (out + stride - 1) / stride : (out - k + stride) / stride;
  const int total = (back - 1) * stride + k - out;
  return total > 0 ? total / 2 : 0;
}

/* The scatter of TFLite's reference, into acc (int64 so nothing can wrap here). */
static void tconv_scatter(const tconv_case *c, const double *x, const double *f, double *acc) {
  const int ph = tconv_pad(c->same, c->oh, c->kh, c->stride);
  const int pw = tconv_pad(c->same, c->ow, c->kw, c->stride);
  memset(acc, 0, sizeof(double) * (size_t)(c->oh * c->ow * c->co));
  for (int iy = 0; iy < c->h; iy++)
    for (int ix = 0; ix < c->w; ix++)
      for (int ic = 0; ic < c->ci; ic++)
        for (int fy = 0; fy < c->kh; fy++)
          for (int fx = 0; fx < c->kw; fx++)
            for (int oc = 0; oc < c->co; oc++) {
              const int oy = iy * c->stride - ph + fy, ox = ix * c->stride - pw + fx;
              if (oy < 0 || oy >= c->oh || ox < 0 || ox >= c->ow)
                continue;
              acc[(oy * c->ow + ox) * c->co + oc] +=
                  x[(iy * c->w + ix) * c->ci + ic] *
                  f[((oc * c->kh + fy) * c->kw + fx) * c->ci + ic];
            }
}

static void test_tconv_f32(void **state) {
  (void)state;
  /* By hand: 2x2 input, 2x2 filter of ones, stride 2 VALID: each input pixel fills its own 2x2
   * block of the 4x4 output (plus the bias 0.5). */
  const tconv_case hand = {2, 2, 1, 4, 4, 1, 2, 2, 2, 0, TFB_ACT_NONE, 1, 0};
  const float hx[4] = {1, 2, 3, 4}, hf[4] = {1, 1, 1, 1}, hb[1] = {0.5f};
  float hy[16];
  assert_int_equal(tconv_run(&hand, TFB_FLOAT32, hx, hf, hb, NULL, true, hy), TA_OK);
  const float hw[16] = {1.5f, 1.5f, 2.5f, 2.5f, 1.5f, 1.5f, 2.5f, 2.5f,
                        3.5f, 3.5f, 4.5f, 4.5f, 3.5f, 3.5f, 4.5f, 4.5f};
  for (int i = 0; i < 16; i++)
    assert_float_equal(hy[i], hw[i], 1e-6);
  /* Stride 2 SAME (odd and even outputs), stride 1 VALID, RELU6, no bias. */
  const tconv_case cases[] = {
      {3, 3, 2, 6, 6, 3, 3, 3, 2, 1, TFB_ACT_NONE, 1, 0},
      {3, 2, 2, 5, 3, 2, 3, 3, 2, 1, TFB_ACT_RELU6, 1, 0},
      {3, 4, 3, 5, 6, 2, 3, 3, 1, 0, TFB_ACT_NONE, 0, 0},
      {2, 2, 1, 5, 5, 2, 3, 3, 2, 0, TFB_ACT_RELU, 1, 0},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const tconv_case *c = &cases[k];
    float x[64], f[128], bias[4], y[256];
    double xd[64], fd[128], acc[256];
    for (int i = 0; i < c->h * c->w * c->ci; i++)
      xd[i] = x[i] = (float)((i * 7) % 11) / 4.0f - 1.0f;
    for (int i = 0; i < c->co * c->kh * c->kw * c->ci; i++)
      fd[i] = f[i] = (float)((i * 5) % 13) / 8.0f - 0.75f;
    for (int i = 0; i < c->co; i++)
      bias[i] = 0.25f * (float)i - 0.5f;
    assert_int_equal(tconv_run(c, TFB_FLOAT32, x, f, bias, NULL, true, y), TA_OK);
    tconv_scatter(c, xd, fd, acc);
    for (int i = 0; i < c->oh * c->ow * c->co; i++) {
      double v = acc[i] + (c->bias ? bias[i % c->co] : 0.0);
      if (c->act == TFB_ACT_RELU || c->act == TFB_ACT_RELU6)
        v = v < 0 ? 0 : v;
      if (c->act == TFB_ACT_RELU6)
        v = v > 6 ? 6 : v;
      assert_float_equal(y[i], v, 1e-5);
    }
  }
}

/* int8 per-channel and per-tensor, bit-exact with reference_integer_ops::TransposeConv. */
static void test_tconv_s8_exact(void **state) {
  (void)state;
  const tconv_case cases[] = {
      {3, 3, 3, 6, 6, 2, 3, 3, 2, 1, TFB_ACT_NONE, 1, 1},
      {3, 3, 3, 5, 5, 3, 3, 3, 2, 1, TFB_ACT_RELU, 1, 1},
      {4, 3, 2, 6, 5, 2, 3, 3, 1, 0, TFB_ACT_NONE, 0, 0},
      {2, 2, 4, 4, 4, 4, 2, 2, 2, 0, TFB_ACT_RELU6, 1, 1},
  };
  const float fscales[4] = {0.02f, 0.0375f, 0.011f, 0.05f};
  int checked = 0;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const tconv_case *c = &cases[k];
    int8_t x[64], f[128], y[256];
    int32_t bias[4];
    double xd[64], fd[128], acc[256];
    for (int i = 0; i < c->h * c->w * c->ci; i++) {
      x[i] = (int8_t)((i * 71) % 256 - 128);
      xd[i] = (double)x[i] + 3; /* input + input_offset (zero point -3) */
    }
    for (int i = 0; i < c->co * c->kh * c->kw * c->ci; i++) {
      f[i] = (int8_t)((i * 37) % 255 - 127);
      fd[i] = f[i];
    }
    for (int i = 0; i < c->co; i++)
      bias[i] = 1000 * i - 1500;
    assert_int_equal(tconv_run(c, TFB_INT8, x, f, bias, fscales, true, y), TA_OK);
    tconv_scatter(c, xd, fd, acc);
    int32_t lo = -128, hi = 127;
    if (c->act == TFB_ACT_RELU || c->act == TFB_ACT_RELU6)
      lo = 5; /* the output zero point: real 0 */
    if (c->act == TFB_ACT_RELU6)
      hi = 5 + 12; /* 6 / 0.5 */
    for (int i = 0; i < c->oh * c->ow * c->co; i++, checked++) {
      const int oc = i % c->co;
      int shift;
      const double eff = 0.25 * (double)fscales[c->per_channel ? oc : 0] / 0.5;
      const int32_t mult = tt_ref_multiplier(eff, &shift);
      int32_t v = (int32_t)acc[i] + (c->bias ? bias[oc] : 0);
      v = tt_ref_mbqm(v, mult, shift) + 5;
      v = v < lo ? lo : v > hi ? hi : v;
      assert_int_equal(y[i], v);
    }
  }
  assert_true(checked > 150);
}

static void test_tconv_refusals(void **state) {
  (void)state;
  const tconv_case c = {2, 2, 1, 4, 4, 1, 2, 2, 2, 0, TFB_ACT_NONE, 0, 0};
  const float f[4] = {1, 1, 1, 1};
  assert_int_equal(tconv_run(&c, TFB_FLOAT32, NULL, f, NULL, NULL, false, NULL),
                   TA_ERR_UNSUPPORTED);
  assert_non_null(
      strstr(messages, "output_shape operand \"output_shape\" is computed at run time"));
}

/* ---- MIRROR_PAD --------------------------------------------------------------------------- */

/* One MIRROR_PAD of x (rank, dims) with paddings pads[rank][2] and mode (0 REFLECT, 1
 * SYMMETRIC); int8 quantized alike on both sides. */
static ta_status mirror_run(int type, int rank, const int32_t *dims, const int32_t *pads, int mode,
                            const void *x, void *y) {
  tfb *b = tfb_new();
  int32_t od[6];
  for (int k = 0; k < rank; k++)
    od[k] = dims[k] + pads[2 * k] + pads[2 * k + 1];
  int xi = tfb_tensor(b, "x", type, rank, dims, 0);
  int pi = tfb_tensor(b, "paddings", TFB_INT32, 2, (int32_t[]){rank, 2},
                      tfb_buffer(b, pads, (size_t)rank * 2 * sizeof(int32_t)));
  int yi = tfb_tensor(b, "y", type, rank, od, 0);
  if (type == TFB_INT8) {
    tfb_quant(b, xi, 1, (float[]){0.5f}, (int64_t[]){3}, 0);
    tfb_quant(b, yi, 1, (float[]){0.5f}, (int64_t[]){3}, 0);
  }
  int op = tfb_op(b, TFB_OP_MIRROR_PAD, (int[]){xi, pi}, 2, &yi, 1);
  tfb_mirror_pad_options(b, op, mode);
  tfb_io(b, &xi, 1, &yi, 1);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  const void *in[1] = {x};
  void *outs[1] = {y};
  ta_status st = y ? tt_eval_tfb(r, b, in, outs) : tt_prepare_tfb(r, b);
  snprintf(messages, sizeof messages, "%s", r->cap.text);
  tt_done(r);
  free(r);
  if (y && st != TA_OK)
    print_error("pipeline failed (%s):\n%s", ta_status_name(st), messages);
  return st;
}

static void test_mirror_pad_1d(void **state) {
  (void)state;
  const float x[3] = {1, 2, 3};
  float y[7];
  /* numpy.pad(x, 2, "reflect") and "symmetric". */
  assert_int_equal(mirror_run(TFB_FLOAT32, 1, (int32_t[]){3}, (int32_t[]){2, 2}, 0, x, y), TA_OK);
  const float want_r[7] = {3, 2, 1, 2, 3, 2, 1}, want_s[7] = {2, 1, 1, 2, 3, 3, 2};
  for (int i = 0; i < 7; i++)
    assert_true(y[i] == want_r[i]);
  assert_int_equal(mirror_run(TFB_FLOAT32, 1, (int32_t[]){3}, (int32_t[]){2, 2}, 1, x, y), TA_OK);
  for (int i = 0; i < 7; i++)
    assert_true(y[i] == want_s[i]);
}

/* 4-D NHWC, H and W padded unevenly (the channels fold into the element), float and int8,
 * both modes, against index arithmetic written here. */
static void test_mirror_pad_nhwc(void **state) {
  (void)state;
  const int32_t dims[4] = {1, 3, 4, 2}, pads[8] = {0, 0, 2, 1, 1, 3, 0, 0};
  float x[24], y[6 * 8 * 2];
  int8_t xs[24], ys[6 * 8 * 2];
  for (int i = 0; i < 24; i++) {
    x[i] = (float)i;
    xs[i] = (int8_t)(5 * i - 60);
  }
  for (int mode = 0; mode < 2; mode++) {
    assert_int_equal(mirror_run(TFB_FLOAT32, 4, dims, pads, mode, x, y), TA_OK);
    assert_int_equal(mirror_run(TFB_INT8, 4, dims, pads, mode, xs, ys), TA_OK);
    for (int oy = 0; oy < 6; oy++)
      for (int ox = 0; ox < 8; ox++)
        for (int c = 0; c < 2; c++) {
          int iy = oy - 2, ix = ox - 1;
          if (iy < 0)
            iy = mode ? -iy - 1 : -iy;
          if (iy > 2)
            iy = mode ? 5 - iy : 4 - iy;
          if (ix < 0)
            ix = mode ? -ix - 1 : -ix;
          if (ix > 3)
            ix = mode ? 7 - ix : 6 - ix;
          const int src = (iy * 4 + ix) * 2 + c, dst = (oy * 8 + ox) * 2 + c;
          assert_true(y[dst] == x[src]);
          assert_int_equal(ys[dst], xs[src]);
        }
  }
}

static void test_mirror_pad_refusals(void **state) {
  (void)state;
  /* REFLECT cannot pad a dim of 3 by 3 (SYMMETRIC can). */
  assert_int_equal(mirror_run(TFB_FLOAT32, 1, (int32_t[]){3}, (int32_t[]){3, 0}, 0, NULL, NULL),
                   TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "padding before dim 0 is 3; expected 0 to 2 (reflect padding"));
  assert_int_equal(mirror_run(TFB_FLOAT32, 1, (int32_t[]){3}, (int32_t[]){3, 0}, 1, NULL, NULL),
                   TA_OK);
}

/* ---- ONNX --------------------------------------------------------------------------------- */

/* Compile the one-input float ONNX model m and run it on x into y. */
static void onnx_run(oxb *m, const float *x, float *y) {
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  tt_run r;
  ta_status st = tt_compile(&r, "test.onnx", bytes, len, &o);
  if (st != TA_OK)
    print_error("%s\n", r.cap.text);
  assert_int_equal(st, TA_OK);
  const void *in[1] = {x};
  void *out[1] = {y};
  assert_int_equal(ta_graph_eval_shared(r.g, r.calls, r.plan.root, in, out), TA_OK);
  tt_done(&r);
}

/* The ONNX spec's input coordinate of output index v (scale: output / input as given). */
static double ox_coord(const char *mode, int v, int in, double scale) {
  const double len = scale * in;
  if (!strcmp(mode, "align_corners"))
    return len == 1 ? 0 : v * (in - 1) / (len - 1);
  if (!strcmp(mode, "asymmetric"))
    return v / scale;
  if (!strcmp(mode, "pytorch_half_pixel"))
    return len == 1 ? -0.5 : (v + 0.5) / scale - 0.5;
  return (v + 0.5) / scale - 0.5;
}

static int clampi(long v, int n) {
  return v < 0 ? 0 : v >= n ? n - 1 : (int)v;
}

/* Resize x [1,C,H,W] -> [1,C,oh,ow] (sizes given, or scales sh/sw when sizes is 0), then the
 * same computed here: linear as two 1-D interpolations, nearest with nearest_mode. */
static void onnx_resize_case(int linear, const char *coord, const char *nmode, int use_sizes, int c,
                             int h, int w, double sh, double sw) {
  const int oh = (int)floor(h * sh), ow = (int)floor(w * sw);
  float x[2 * 6 * 6], y[2 * 12 * 12];
  for (int i = 0; i < c * h * w; i++)
    x[i] = (float)((i * 29) % 17) - 8.0f;
  oxb *m = oxb_new(13);
  oxb_input(m, "x", OXB_FLOAT, 4, (int[]){1, c, h, w});
  oxb_init_floats(m, "roi", 1, (int[]){0}, (float[]){0});
  if (use_sizes) {
    oxb_init_floats(m, "scales", 1, (int[]){0}, (float[]){0});
    oxb_init_i64(m, "sizes", 4, (int64_t[]){1, c, oh, ow});
  } else {
    oxb_init_floats(m, "scales", 1, (int[]){4}, (float[]){1, 1, (float)sh, (float)sw});
  }
  Onnx__NodeProto *nd =
      oxb_node(m, "Resize", use_sizes ? "x roi scales sizes" : "x roi scales", "y");
  oxb_attr_string(m, nd, "mode", linear ? "linear" : "nearest");
  oxb_attr_string(m, nd, "coordinate_transformation_mode", coord);
  if (nmode)
    oxb_attr_string(m, nd, "nearest_mode", nmode);
  oxb_output(m, "y", OXB_FLOAT, 4, (int[]){1, c, oh, ow});
  onnx_run(m, x, y);
  oxb_free(m);
  /* With sizes the scale is output / input. */
  const double ch = use_sizes ? (double)oh / h : sh, cw = use_sizes ? (double)ow / w : sw;
  for (int k = 0; k < c; k++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        const double fy = ox_coord(coord, oy, h, ch), fx = ox_coord(coord, ox, w, cw);
        const double y0 = floor(fy), x0 = floor(fx), ry = fy - y0, rx = fx - x0;
        const float *p = x + k * h * w;
        double want;
        if (linear) {
          const int a0 = clampi((long)y0, h), a1 = clampi((long)y0 + 1, h);
          const int b0 = clampi((long)x0, w), b1 = clampi((long)x0 + 1, w);
          const double top = p[a0 * w + b0] * (1 - rx) + p[a0 * w + b1] * rx;
          const double bot = p[a1 * w + b0] * (1 - rx) + p[a1 * w + b1] * rx;
          want = top * (1 - ry) + bot * ry;
        } else {
          const char *nm = nmode ? nmode : "round_prefer_floor";
          int up_y, up_x;
          if (!strcmp(nm, "floor"))
            up_y = up_x = 0;
          else if (!strcmp(nm, "ceil"))
            up_y = ry > 0, up_x = rx > 0;
          else if (!strcmp(nm, "round_prefer_ceil"))
            up_y = ry >= 0.5, up_x = rx >= 0.5;
          else
            up_y = ry > 0.5, up_x = rx > 0.5;
          want = p[clampi((long)y0 + up_y, h) * w + clampi((long)x0 + up_x, w)];
        }
        assert_float_equal(y[(k * oh + oy) * ow + ox], want, 1e-5);
      }
}

static void test_onnx_resize(void **state) {
  (void)state;
  onnx_resize_case(1, "half_pixel", NULL, 0, 2, 3, 4, 2.0, 1.5);
  onnx_resize_case(1, "pytorch_half_pixel", NULL, 1, 2, 4, 6, 0.5, 0.34);
  onnx_resize_case(1, "align_corners", NULL, 0, 1, 2, 4, 3.0, 0.6);
  onnx_resize_case(1, "asymmetric", NULL, 1, 2, 3, 3, 1.67, 2.0);
  onnx_resize_case(0, "half_pixel", NULL, 0, 2, 3, 4, 2.0, 0.5);
  onnx_resize_case(0, "asymmetric", "round_prefer_ceil", 1, 2, 3, 4, 2.67, 1.75);
  onnx_resize_case(0, "align_corners", "floor", 1, 1, 4, 4, 2.0, 0.75);
  onnx_resize_case(0, "half_pixel", "ceil", 1, 2, 5, 5, 0.6, 2.2);
}

static void test_onnx_resize_refusals(void **state) {
  (void)state;
  oxb *m = oxb_new(13);
  oxb_input(m, "x", OXB_FLOAT, 4, (int[]){1, 2, 3, 3});
  oxb_init_floats(m, "roi", 1, (int[]){0}, (float[]){0});
  oxb_init_floats(m, "scales", 1, (int[]){4}, (float[]){1, 2, 2, 2});
  Onnx__NodeProto *nd = oxb_node(m, "Resize", "x roi scales", "y");
  oxb_attr_string(m, nd, "mode", "cubic");
  oxb_output(m, "y", OXB_FLOAT, -1, NULL);
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  tt_run r;
  assert_int_equal(tt_compile(&r, "test.onnx", bytes, len, &o), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(r.cap.text, "mode \"cubic\" is not supported (nearest, linear)"));
  tt_done(&r);
  nd->attribute[0]->s.data = (uint8_t *)oxb_str(m, "nearest");
  nd->attribute[0]->s.len = 7;
  bytes = oxb_finish(m, &len);
  assert_int_equal(tt_compile(&r, "test.onnx", bytes, len, &o), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(r.cap.text, "resizing the batch or channel axis is not supported"));
  tt_done(&r);
  oxb_free(m);
}

/* ---- ONNX Erf, Pow, LayerNormalization, GELU ----------------------------------------------- */

/* GELU as PyTorch exports it (opset 13): x * 0.5 * (1 + erf(x / sqrt(2))), against erf from
 * libm in double. */
static void test_onnx_gelu(void **state) {
  (void)state;
  float x[8] = {-4.0f, -1.5f, -0.5f, 0.0f, 0.25f, 1.0f, 2.0f, 5.0f}, y[8];
  oxb *m = oxb_new(13);
  oxb_input(m, "x", OXB_FLOAT, 2, (int[]){2, 4});
  oxb_init_floats(m, "sqrt2", 0, NULL, (float[]){1.4142135f});
  oxb_init_floats(m, "one", 0, NULL, (float[]){1.0f});
  oxb_init_floats(m, "half", 0, NULL, (float[]){0.5f});
  oxb_node(m, "Div", "x sqrt2", "d");
  oxb_node(m, "Erf", "d", "e");
  oxb_node(m, "Add", "e one", "a");
  oxb_node(m, "Mul", "x a", "b");
  oxb_node(m, "Mul", "b half", "y");
  oxb_output(m, "y", OXB_FLOAT, 2, (int[]){2, 4});
  onnx_run(m, x, y);
  oxb_free(m);
  for (int i = 0; i < 8; i++)
    assert_float_equal(y[i], (float)(0.5 * x[i] * (1.0 + erf(x[i] / sqrt(2.0)))), 1e-6);
}

/* Pow: a constant int64 exponent (converted), then a broadcast float exponent row. */
static void test_onnx_pow(void **state) {
  (void)state;
  float x[6] = {-2.0f, -0.5f, 0.0f, 0.5f, 1.5f, 3.0f}, y[6];
  oxb *m = oxb_new(15);
  oxb_input(m, "x", OXB_FLOAT, 2, (int[]){2, 3});
  oxb_init_i64(m, "p", 1, (int64_t[]){3});
  oxb_node(m, "Pow", "x p", "y");
  oxb_output(m, "y", OXB_FLOAT, 2, (int[]){2, 3});
  onnx_run(m, x, y);
  oxb_free(m);
  for (int i = 0; i < 6; i++)
    assert_float_equal(y[i], (float)((double)x[i] * x[i] * x[i]), 1e-6);
  float xp[6] = {4.0f, 0.25f, 2.0f, 9.0f, 1.0f, 3.0f};
  m = oxb_new(15);
  oxb_input(m, "x", OXB_FLOAT, 2, (int[]){2, 3});
  oxb_init_floats(m, "p", 1, (int[]){3}, (float[]){0.5f, -1.0f, 2.0f});
  oxb_node(m, "Pow", "x p", "y");
  oxb_output(m, "y", OXB_FLOAT, 2, (int[]){2, 3});
  onnx_run(m, xp, y);
  oxb_free(m);
  const double want[6] = {2.0, 4.0, 4.0, 3.0, 1.0, 9.0};
  for (int i = 0; i < 6; i++)
    assert_float_equal(y[i], (float)want[i], 1e-6);
}

/* LayerNormalization over the last two dims of [2,3,4] (axis -2, epsilon 0.01), with scale and
 * bias, and over the last dim without bias (default axis and epsilon): mean and variance
 * computed here in double. */
static void test_onnx_layer_norm(void **state) {
  (void)state;
  float x[24], y[24], scale[12], bias[12];
  for (int i = 0; i < 24; i++)
    x[i] = (float)((i * 13) % 7) - 2.5f + 0.1f * (float)i;
  for (int i = 0; i < 12; i++) {
    scale[i] = 0.5f + 0.125f * (float)i;
    bias[i] = 0.25f * (float)(i % 3) - 0.5f;
  }
  for (int k = 0; k < 2; k++) {
    const int inner = k == 0 ? 12 : 4;
    const double eps = k == 0 ? 0.01 : 1e-5;
    oxb *m = oxb_new(17);
    oxb_input(m, "x", OXB_FLOAT, 3, (int[]){2, 3, 4});
    oxb_init_floats(m, "scale", k == 0 ? 2 : 1, k == 0 ? (int[]){3, 4} : (int[]){4}, scale);
    if (k == 0)
      oxb_init_floats(m, "bias", 2, (int[]){3, 4}, bias);
    Onnx__NodeProto *nd =
        oxb_node(m, "LayerNormalization", k == 0 ? "x scale bias" : "x scale", "y");
    if (k == 0) {
      oxb_attr_int(m, nd, "axis", -2);
      oxb_attr_float(m, nd, "epsilon", 0.01f);
    }
    oxb_output(m, "y", OXB_FLOAT, 3, (int[]){2, 3, 4});
    onnx_run(m, x, y);
    oxb_free(m);
    for (int g = 0; g < 24 / inner; g++) {
      double mean = 0, var = 0;
      for (int i = 0; i < inner; i++)
        mean += x[g * inner + i];
      mean /= inner;
      for (int i = 0; i < inner; i++)
        var += (x[g * inner + i] - mean) * (x[g * inner + i] - mean);
      var /= inner;
      for (int i = 0; i < inner; i++) {
        const double v =
            (x[g * inner + i] - mean) / sqrt(var + eps) * scale[i] + (k == 0 ? bias[i] : 0.0);
        assert_float_equal(y[g * inner + i], (float)v, 1e-5);
      }
    }
  }
}

/* ---- Unsupported operators: one line each ----------------------------------------------- */

/* 30 FLOOR ops and 2 COS ops, chained: one error for each operator with its count and first
 * names, no "too many errors". */
static void test_unsupported_tally_tflite(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int prev = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  const int first = prev;
  for (int i = 0; i < 32; i++) {
    char name[16];
    snprintf(name, sizeof name, "t%d", i);
    int y = tfb_tensor(b, name, TFB_FLOAT32, 1, (int32_t[]){4}, 0);
    tfb_op(b, i % 16 == 5 ? TFB_OP_COS : TFB_OP_FLOOR, &prev, 1, &y, 1);
    prev = y;
  }
  tfb_io(b, &first, 1, &prev, 1);
  tt_run r;
  assert_int_equal(tt_read_tfb(&r, b), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(r.cap.text, "test.tflite: op 0 FLOOR: unsupported operator (TFLite "
                                     "builtin code 8); 30 ops: \"t0\", \"t1\", \"t2\", ...\n"));
  assert_non_null(strstr(r.cap.text, "test.tflite: op 5 COS: unsupported operator (TFLite builtin "
                                     "code 108); 2 ops: \"t5\", \"t21\"\n"));
  assert_null(strstr(r.cap.text, "too many errors"));
  assert_null(strstr(r.cap.text, "op 1 FLOOR"));
  tt_done(&r);
}

static void test_unsupported_tally_onnx(void **state) {
  (void)state;
  oxb *m = oxb_new(13);
  oxb_input(m, "x", OXB_FLOAT, 1, (int[]){4});
  const char *prev = "x";
  char names[26][8];
  for (int i = 0; i < 25; i++) {
    snprintf(names[i], sizeof names[i], "s%d", i);
    oxb_node(m, i == 3 ? "Cosh" : "Sinh", prev, names[i]);
    prev = names[i];
  }
  oxb_output(m, prev, OXB_FLOAT, 1, (int[]){4});
  size_t len;
  const uint8_t *bytes = oxb_finish(m, &len);
  ta_compile_options o;
  ta_compile_options_init(&o);
  tt_run r;
  assert_int_equal(tt_compile(&r, "test.onnx", bytes, len, &o), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(r.cap.text, "node 0 Sinh \"s0\": operator Sinh (opset 13) is not "
                                     "supported; 24 nodes: \"s0\", \"s1\", \"s2\", ..."));
  assert_non_null(strstr(r.cap.text, "node 3 Cosh \"s3\": operator Cosh (opset 13) is not "
                                     "supported\n"));
  assert_null(strstr(r.cap.text, "too many errors"));
  tt_done(&r);
  oxb_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bilinear_f32_example),
      cmocka_unit_test(test_bilinear_f32_modes),
      cmocka_unit_test(test_bilinear_s8_exact),
      cmocka_unit_test(test_nearest_modes),
      cmocka_unit_test(test_resize_refusals),
      cmocka_unit_test(test_onnx_resize),
      cmocka_unit_test(test_onnx_resize_refusals),
      cmocka_unit_test(test_tconv_f32),
      cmocka_unit_test(test_tconv_s8_exact),
      cmocka_unit_test(test_tconv_refusals),
      cmocka_unit_test(test_mirror_pad_1d),
      cmocka_unit_test(test_mirror_pad_nhwc),
      cmocka_unit_test(test_mirror_pad_refusals),
      cmocka_unit_test(test_onnx_gelu),
      cmocka_unit_test(test_onnx_pow),
      cmocka_unit_test(test_onnx_layer_norm),
      cmocka_unit_test(test_unsupported_tally_tflite),
      cmocka_unit_test(test_unsupported_tally_onnx),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
