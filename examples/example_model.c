/* SPDX-License-Identifier: Apache-2.0 */
/*
 * example_model.c: writes a small example model for the CLI and board tests, built in code
 * with tinyaot's own TFLite writer: an int8 keyword-spotting-style CNN on a 16x16
 * single-channel input (CONV_2D 3x3/2 + RELU, DEPTHWISE_CONV_2D 3x3 + RELU6, AVERAGE_POOL_2D,
 * RESHAPE, FULLY_CONNECTED, SOFTMAX) with deterministic pseudo-random weights. Also writes an
 * input tensor and the expected output, so a test can check generated code against it. The
 * expected output is computed here, independently of the compiler and the runtime (which a
 * test of them must not use as its own reference): TFLite's reference int8 kernels written out
 * with the requantization of tests/support/tt_refmath.h, the softmax in double precision.
 * tinyaot's in-process evaluator must agree with it too (checked here).
 *   example_model OUT_DIR   -> OUT_DIR/example.tflite, input_0.bin, expected_0.bin
 * and, for the quantize command's tests, example_float.tflite: a float32 CONV_2D 3x3 SAME +
 * RELU -> RESHAPE -> FULLY_CONNECTED on the same 16x16x1 input (no reference output).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflbuild.h"
#include "tt_pipeline.h"
#include "tt_refmath.h"

static uint32_t rng = 0x2545F491u;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int write_bytes(const char *dir, const char *name, const void *data, size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len) {
    fprintf(stderr, "example_model: cannot write %s\n", path);
    if (f)
      fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

/* The float model (see the top); its weights from a generator of its own, so the int8 model's
 * bytes do not depend on it. NULL when the builder runs out of memory. */
static uint8_t *float_model(size_t *len) {
  static float cw[4 * 9], cb[4], fw[3 * 1024], fb[3];
  uint32_t s = 0x9E3779B9u;
  float *all[4] = {cw, cb, fw, fb};
  const size_t n[4] = {36, 4, 3072, 3};
  for (int k = 0; k < 4; k++)
    for (size_t i = 0; i < n[k]; i++) {
      s ^= s << 13, s ^= s >> 17, s ^= s << 5;
      all[k][i] = (float)((double)s / 4294967296.0 - 0.5) * (k == 2 ? 0.1f : 1.0f);
    }
  tfb *b = tfb_new();
  const int x = tfb_tensor(b, "input", TFB_FLOAT32, 4, (int32_t[]){1, 16, 16, 1}, 0);
  const int w = tfb_tensor(b, "conv/filter", TFB_FLOAT32, 4, (int32_t[]){4, 3, 3, 1},
                           tfb_buffer(b, cw, sizeof cw));
  const int bias =
      tfb_tensor(b, "conv/bias", TFB_FLOAT32, 1, (int32_t[]){4}, tfb_buffer(b, cb, sizeof cb));
  const int c = tfb_tensor(b, "conv/out", TFB_FLOAT32, 4, (int32_t[]){1, 16, 16, 4}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w, bias}, 3, (int[]){c}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, TFB_ACT_RELU, 1, 1);
  const int r = tfb_tensor(b, "flat", TFB_FLOAT32, 2, (int32_t[]){1, 1024}, 0);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){c}, 1, (int[]){r}, 1);
  tfb_reshape_options(b, op, (int32_t[]){1, 1024}, 2);
  const int fwt = tfb_tensor(b, "fc/weights", TFB_FLOAT32, 2, (int32_t[]){3, 1024},
                             tfb_buffer(b, fw, sizeof fw));
  const int fbt =
      tfb_tensor(b, "fc/bias", TFB_FLOAT32, 1, (int32_t[]){3}, tfb_buffer(b, fb, sizeof fb));
  const int y = tfb_tensor(b, "output", TFB_FLOAT32, 2, (int32_t[]){1, 3}, 0);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){r, fwt, fbt}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  return bytes;
}

/* The weights and quantization of the model, shared by the writer and the reference. */
typedef struct example {
  int8_t w1[8 * 3 * 3 * 1], w2[1 * 3 * 3 * 8], w3[4 * 8];
  int32_t b1[8], b2[8], b3[4];
  float s1[8], s2[8];
} example;

static int32_t clamp_i32(int64_t v, int32_t lo, int32_t hi) {
  return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* acc * (in_s * w_s / out_s) + zp, clamped: TFLite's per-channel requantization. */
static int32_t requant(int64_t acc, float in_s, float w_s, float out_s, int32_t zp, int32_t lo,
                       int32_t hi) {
  int shift;
  int32_t mult = tt_ref_multiplier((double)in_s * (double)w_s / (double)out_s, &shift);
  return clamp_i32((int64_t)tt_ref_mbqm((int32_t)acc, mult, shift) + zp, lo, hi);
}

/* The model's output for x, as TFLite's reference kernels compute it. */
static void reference(const example *m, const int8_t x[256], int8_t y[4]) {
  int8_t a1[8][8][8], a2[8][8][8], a3[8];
  /* CONV_2D 3x3, stride 2, SAME (16 -> 8: padding 0 before, 1 after), RELU: [-128, 127]. */
  for (int oy = 0; oy < 8; oy++)
    for (int ox = 0; ox < 8; ox++)
      for (int c = 0; c < 8; c++) {
        int64_t acc = m->b1[c];
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++) {
            int iy = 2 * oy + ky, ix = 2 * ox + kx;
            if (iy < 16 && ix < 16)
              acc += (int64_t)(x[iy * 16 + ix] + 3) * m->w1[(c * 3 + ky) * 3 + kx];
          }
        a1[oy][ox][c] = (int8_t)requant(acc, 0.05f, m->s1[c], 0.02f, -128, -128, 127);
      }
  /* DEPTHWISE_CONV_2D 3x3, stride 1, SAME (padding 1), RELU6: [-128, -128 + round(6/0.025)]. */
  int32_t relu6_hi = -128 + (int32_t)tt_round_half_away(6.0 / (double)0.025f);
  for (int oy = 0; oy < 8; oy++)
    for (int ox = 0; ox < 8; ox++)
      for (int c = 0; c < 8; c++) {
        int64_t acc = m->b2[c];
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++) {
            int iy = oy + ky - 1, ix = ox + kx - 1;
            if (iy >= 0 && iy < 8 && ix >= 0 && ix < 8)
              acc += (int64_t)(a1[iy][ix][c] + 128) * m->w2[(ky * 3 + kx) * 8 + c];
          }
        a2[oy][ox][c] = (int8_t)requant(acc, 0.02f, m->s2[c], 0.025f, -128, -128,
                                        relu6_hi < 127 ? relu6_hi : 127);
      }
  /* AVERAGE_POOL_2D 8x8 VALID: the sum divided by 64, rounded half away from zero. */
  for (int c = 0; c < 8; c++) {
    int32_t sum = 0;
    for (int i = 0; i < 64; i++)
      sum += a2[i / 8][i % 8][c];
    a3[c] = (int8_t)clamp_i32(sum > 0 ? (sum + 32) / 64 : (sum - 32) / 64, -128, 127);
  }
  /* FULLY_CONNECTED (after the RESHAPE, which moves nothing). */
  int8_t fc[4];
  for (int o = 0; o < 4; o++) {
    int64_t acc = m->b3[o];
    for (int i = 0; i < 8; i++)
      acc += (int64_t)(a3[i] + 128) * m->w3[o * 8 + i];
    fc[o] = (int8_t)requant(acc, 0.025f, 0.01f, 0.1f, 0, -128, 127);
  }
  /* SOFTMAX (beta 1) in double, output in units of 1/256 offset by -128. */
  int max = fc[0];
  for (int o = 1; o < 4; o++)
    max = fc[o] > max ? fc[o] : max;
  double e[4], sum = 0;
  for (int o = 0; o < 4; o++)
    sum += e[o] = exp((double)0.1f * (fc[o] - max));
  for (int o = 0; o < 4; o++)
    y[o] = (int8_t)clamp_i32((int64_t)tt_round_half_away(e[o] / sum * 256.0) - 128, -128, 127);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: example_model OUT_DIR\n");
    return 1;
  }
  tfb *b = tfb_new();
  example m;
  for (size_t i = 0; i < sizeof m.w1; i++)
    m.w1[i] = (int8_t)(next() >> 24);
  for (size_t i = 0; i < sizeof m.w2; i++)
    m.w2[i] = (int8_t)(next() >> 24);
  for (size_t i = 0; i < sizeof m.w3; i++)
    m.w3[i] = (int8_t)(next() >> 24);
  for (int i = 0; i < 8; i++)
    m.b1[i] = (int32_t)(next() % 2001) - 1000;
  for (int i = 0; i < 8; i++)
    m.b2[i] = (int32_t)(next() % 2001) - 1000;
  for (int i = 0; i < 4; i++)
    m.b3[i] = (int32_t)(next() % 2001) - 1000;

  int x = tfb_tensor(b, "input", TFB_INT8, 4, (int32_t[]){1, 16, 16, 1}, 0);
  tfb_quant(b, x, 1, (float[]){0.05f}, (int64_t[]){-3}, 0);
  int64_t z8[8] = {0};
  for (int i = 0; i < 8; i++)
    m.s1[i] = 0.004f + 0.0005f * (float)i;
  for (int i = 0; i < 8; i++)
    m.s2[i] = 0.006f - 0.0003f * (float)i;
  float bs1[8], bs2[8];
  for (int i = 0; i < 8; i++)
    bs1[i] = 0.05f * m.s1[i];

  int tw1 = tfb_tensor(b, "conv/filter", TFB_INT8, 4, (int32_t[]){8, 3, 3, 1},
                       tfb_buffer(b, m.w1, sizeof m.w1));
  tfb_quant(b, tw1, 8, m.s1, z8, 0);
  int tb1 =
      tfb_tensor(b, "conv/bias", TFB_INT32, 1, (int32_t[]){8}, tfb_buffer(b, m.b1, sizeof m.b1));
  tfb_quant(b, tb1, 8, bs1, z8, 0);
  int a1 = tfb_tensor(b, "conv/out", TFB_INT8, 4, (int32_t[]){1, 8, 8, 8}, 0);
  tfb_quant(b, a1, 1, (float[]){0.02f}, (int64_t[]){-128}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, tw1, tb1}, 3, (int[]){a1}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 2, 2, TFB_ACT_RELU, 1, 1);

  for (int i = 0; i < 8; i++)
    bs2[i] = 0.02f * m.s2[i];
  int tw2 = tfb_tensor(b, "dw/filter", TFB_INT8, 4, (int32_t[]){1, 3, 3, 8},
                       tfb_buffer(b, m.w2, sizeof m.w2));
  tfb_quant(b, tw2, 8, m.s2, z8, 3);
  int tb2 =
      tfb_tensor(b, "dw/bias", TFB_INT32, 1, (int32_t[]){8}, tfb_buffer(b, m.b2, sizeof m.b2));
  tfb_quant(b, tb2, 8, bs2, z8, 0);
  int a2 = tfb_tensor(b, "dw/out", TFB_INT8, 4, (int32_t[]){1, 8, 8, 8}, 0);
  tfb_quant(b, a2, 1, (float[]){0.025f}, (int64_t[]){-128}, 0);
  op = tfb_op(b, TFB_OP_DEPTHWISE_CONV_2D, (int[]){a1, tw2, tb2}, 3, (int[]){a2}, 1);
  tfb_dwconv_options(b, op, TFB_PAD_SAME, 1, 1, 1, TFB_ACT_RELU6, 1, 1);

  int a3 = tfb_tensor(b, "pool/out", TFB_INT8, 4, (int32_t[]){1, 1, 1, 8}, 0);
  tfb_quant(b, a3, 1, (float[]){0.025f}, (int64_t[]){-128}, 0);
  op = tfb_op(b, TFB_OP_AVERAGE_POOL_2D, (int[]){a2}, 1, (int[]){a3}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 8, 8, 8, 8, TFB_ACT_NONE);

  int32_t shape[2] = {1, 8};
  int ts = tfb_tensor(b, "flatten/shape", TFB_INT32, 1, (int32_t[]){2},
                      tfb_buffer(b, shape, sizeof shape));
  int a4 = tfb_tensor(b, "flatten/out", TFB_INT8, 2, shape, 0);
  tfb_quant(b, a4, 1, (float[]){0.025f}, (int64_t[]){-128}, 0);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){a3, ts}, 2, (int[]){a4}, 1);
  tfb_reshape_options(b, op, shape, 2);

  int tw3 =
      tfb_tensor(b, "fc/weights", TFB_INT8, 2, (int32_t[]){4, 8}, tfb_buffer(b, m.w3, sizeof m.w3));
  tfb_quant(b, tw3, 1, (float[]){0.01f}, (int64_t[]){0}, 0);
  int tb3 =
      tfb_tensor(b, "fc/bias", TFB_INT32, 1, (int32_t[]){4}, tfb_buffer(b, m.b3, sizeof m.b3));
  tfb_quant(b, tb3, 1, (float[]){0.025f * 0.01f}, (int64_t[]){0}, 0);
  int a5 = tfb_tensor(b, "fc/out", TFB_INT8, 2, (int32_t[]){1, 4}, 0);
  tfb_quant(b, a5, 1, (float[]){0.1f}, (int64_t[]){0}, 0);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){a4, tw3, tb3}, 3, (int[]){a5}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);

  int y = tfb_tensor(b, "probabilities", TFB_INT8, 2, (int32_t[]){1, 4}, 0);
  tfb_quant(b, y, 1, (float[]){1.0f / 256.0f}, (int64_t[]){-128}, 0);
  op = tfb_op(b, TFB_OP_SOFTMAX, (int[]){a5}, 1, (int[]){y}, 1);
  tfb_softmax_options(b, op, 1.0f);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);

  size_t len;
  uint8_t *model = tfb_finish(b, &len);
  tfb_free(b);
  if (!model)
    return 1;

  int8_t input[256], expected[4], evaluated[4];
  for (int i = 0; i < 256; i++)
    input[i] = (int8_t)(next() >> 24);
  reference(&m, input, expected);
  tt_run r;
  const void *ins[1] = {input};
  void *outs[1] = {evaluated};
  ta_status st = tt_eval(&r, model, len, ins, outs);
  if (st != TA_OK) {
    fprintf(stderr, "example_model: in-process evaluation failed:\n%s", r.cap.text);
    tt_done(&r);
    free(model);
    return 1;
  }
  tt_done(&r);
  if (memcmp(evaluated, expected, sizeof expected) != 0) {
    fprintf(stderr,
            "example_model: the in-process evaluation gives %d %d %d %d, the reference %d %d %d "
            "%d\n",
            evaluated[0], evaluated[1], evaluated[2], evaluated[3], expected[0], expected[1],
            expected[2], expected[3]);
    free(model);
    return 1;
  }
  int rc = write_bytes(argv[1], "example.tflite", model, len) ||
           write_bytes(argv[1], "input_0.bin", input, sizeof input) ||
           write_bytes(argv[1], "expected_0.bin", expected, sizeof expected);
  free(model);
  size_t flen;
  uint8_t *fmodel = rc ? NULL : float_model(&flen);
  if (!rc)
    rc = !fmodel || write_bytes(argv[1], "example_float.tflite", fmodel, flen);
  free(fmodel);
  return rc;
}
