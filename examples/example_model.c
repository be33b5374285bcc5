/* SPDX-License-Identifier: Apache-2.0 */
/*
 * example_model.c: writes a small example model for the CLI and board tests, built in code
 * with tinyaot's own TFLite writer: an int8 keyword-spotting-style CNN on a 16x16
 * single-channel input (CONV_2D 3x3/2 + RELU, DEPTHWISE_CONV_2D 3x3 + RELU6, AVERAGE_POOL_2D,
 * RESHAPE, FULLY_CONNECTED, SOFTMAX) with deterministic pseudo-random weights. Also writes an
 * input tensor and the output tinyaot's in-process evaluator computes for it, so a test can
 * check generated code against it.
 *   example_model OUT_DIR   -> OUT_DIR/example.tflite, input_0.bin, expected_0.bin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflbuild.h"
#include "tt_pipeline.h"

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

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: example_model OUT_DIR\n");
    return 1;
  }
  tfb *b = tfb_new();
  int8_t w1[8 * 3 * 3 * 1], w2[1 * 3 * 3 * 8], w3[4 * 8];
  int32_t b1[8], b2[8], b3[4];
  for (size_t i = 0; i < sizeof w1; i++)
    w1[i] = (int8_t)(next() >> 24);
  for (size_t i = 0; i < sizeof w2; i++)
    w2[i] = (int8_t)(next() >> 24);
  for (size_t i = 0; i < sizeof w3; i++)
    w3[i] = (int8_t)(next() >> 24);
  for (int i = 0; i < 8; i++)
    b1[i] = (int32_t)(next() % 2001) - 1000;
  for (int i = 0; i < 8; i++)
    b2[i] = (int32_t)(next() % 2001) - 1000;
  for (int i = 0; i < 4; i++)
    b3[i] = (int32_t)(next() % 2001) - 1000;

  int x = tfb_tensor(b, "input", TFB_INT8, 4, (int32_t[]){1, 16, 16, 1}, 0);
  tfb_quant(b, x, 1, (float[]){0.05f}, (int64_t[]){-3}, 0);
  float s1[8], s2[8];
  int64_t z8[8] = {0};
  for (int i = 0; i < 8; i++)
    s1[i] = 0.004f + 0.0005f * (float)i;
  for (int i = 0; i < 8; i++)
    s2[i] = 0.006f - 0.0003f * (float)i;
  float bs1[8], bs2[8];
  for (int i = 0; i < 8; i++)
    bs1[i] = 0.05f * s1[i];

  int tw1 = tfb_tensor(b, "conv/filter", TFB_INT8, 4, (int32_t[]){8, 3, 3, 1},
                       tfb_buffer(b, w1, sizeof w1));
  tfb_quant(b, tw1, 8, s1, z8, 0);
  int tb1 = tfb_tensor(b, "conv/bias", TFB_INT32, 1, (int32_t[]){8}, tfb_buffer(b, b1, sizeof b1));
  tfb_quant(b, tb1, 8, bs1, z8, 0);
  int a1 = tfb_tensor(b, "conv/out", TFB_INT8, 4, (int32_t[]){1, 8, 8, 8}, 0);
  tfb_quant(b, a1, 1, (float[]){0.02f}, (int64_t[]){-128}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, tw1, tb1}, 3, (int[]){a1}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 2, 2, TFB_ACT_RELU, 1, 1);

  for (int i = 0; i < 8; i++)
    bs2[i] = 0.02f * s2[i];
  int tw2 = tfb_tensor(b, "dw/filter", TFB_INT8, 4, (int32_t[]){1, 3, 3, 8},
                       tfb_buffer(b, w2, sizeof w2));
  tfb_quant(b, tw2, 8, s2, z8, 3);
  int tb2 = tfb_tensor(b, "dw/bias", TFB_INT32, 1, (int32_t[]){8}, tfb_buffer(b, b2, sizeof b2));
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
      tfb_tensor(b, "fc/weights", TFB_INT8, 2, (int32_t[]){4, 8}, tfb_buffer(b, w3, sizeof w3));
  tfb_quant(b, tw3, 1, (float[]){0.01f}, (int64_t[]){0}, 0);
  int tb3 = tfb_tensor(b, "fc/bias", TFB_INT32, 1, (int32_t[]){4}, tfb_buffer(b, b3, sizeof b3));
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

  int8_t input[256], expected[4];
  for (int i = 0; i < 256; i++)
    input[i] = (int8_t)(next() >> 24);
  tt_run r;
  const void *ins[1] = {input};
  void *outs[1] = {expected};
  ta_status st = tt_eval(&r, model, len, ins, outs);
  if (st != TA_OK) {
    fprintf(stderr, "example_model: in-process evaluation failed:\n%s", r.messages);
    tt_done(&r);
    free(model);
    return 1;
  }
  tt_done(&r);
  int rc = write_bytes(argv[1], "example.tflite", model, len) ||
           write_bytes(argv[1], "input_0.bin", input, sizeof input) ||
           write_bytes(argv[1], "expected_0.bin", expected, sizeof expected);
  free(model);
  return rc;
}
