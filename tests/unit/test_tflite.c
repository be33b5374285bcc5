/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tflite.c: the TFLite frontend and the test writer, against each other and against
 * real models.
 *
 * Round trips write a model with tflbuild and check every fact the reader must recover.
 * Diagnostics tests build one bad model per error (or patch the bytes of a good one, using
 * tfb_field_pos to find a field) and assert the exact message. The truncation and
 * corruption loops check the reader's promise for hostile input: an error, never a crash
 * (run them under ASan/UBSan). Real models come from ../shared: `test_tflite --shared` runs
 * only those checks (ctest's test_tflite_shared) and exits 77, which ctest reports as skipped,
 * when ../shared has no models; without the option they are left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatbuf.h"
#include "ta_tflite.h"
#include "tfl_schema.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

/* ---- helpers ---- */

static uint8_t *finish(tfb *b, size_t *len) {
  uint8_t *bytes = tfb_finish(b, len);
  assert_non_null(bytes);
  return bytes;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int k = 0; k < 4; k++)
    p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* ---- model builders ---- */

static const float in_scale[] = {0.5f};
static const int64_t in_zp[] = {-1};

/* int8 conv -> depthwise -> avgpool -> reshape -> fully connected -> softmax. */
static tfb *build_cnn(uint8_t *filter, int8_t *dw, int32_t *bias) {
  tfb *b = tfb_new();
  for (int i = 0; i < 4 * 3 * 3 * 3; i++)
    filter[i] = (uint8_t)(i * 7);
  for (int i = 0; i < 1 * 3 * 3 * 4; i++)
    dw[i] = (int8_t)(i - 10);
  for (int i = 0; i < 4; i++)
    bias[i] = 1000 * i - 7;
  int x = tfb_tensor(b, "input", TFB_INT8, 4, (int32_t[]){1, 8, 8, 3}, 0);
  tfb_quant(b, x, 1, in_scale, in_zp, 0);
  int w = tfb_tensor(b, "conv/filter", TFB_INT8, 4, (int32_t[]){4, 3, 3, 3},
                     tfb_buffer(b, filter, 4 * 3 * 3 * 3));
  tfb_quant(b, w, 4, (float[]){0.1f, 0.2f, 0.3f, 0.4f}, (int64_t[]){0, 0, 0, 0}, 0);
  int bi = tfb_tensor(b, "conv/bias", TFB_INT32, 1, (int32_t[]){4},
                      tfb_buffer(b, bias, 4 * sizeof(int32_t)));
  tfb_quant(b, bi, 4, (float[]){0.05f, 0.1f, 0.15f, 0.2f}, (int64_t[]){0, 0, 0, 0}, 0);
  int c = tfb_tensor(b, "conv/out", TFB_INT8, 4, (int32_t[]){1, 4, 8, 4}, 0);
  tfb_quant(b, c, 1, (float[]){0.25f}, (int64_t[]){3}, 0);
  int dwf = tfb_tensor(b, "dw/filter", TFB_INT8, 4, (int32_t[]){1, 3, 3, 4}, tfb_buffer(b, dw, 36));
  tfb_quant(b, dwf, 4, (float[]){1.f, 2.f, 3.f, 4.f}, (int64_t[]){0, 0, 0, 0}, 3);
  int d = tfb_tensor(b, "dw/out", TFB_INT8, 4, (int32_t[]){1, 4, 8, 4}, 0);
  tfb_quant(b, d, 1, (float[]){0.25f}, (int64_t[]){3}, 0);
  int p = tfb_tensor(b, "pool/out", TFB_INT8, 4, (int32_t[]){1, 2, 4, 4}, 0);
  tfb_quant(b, p, 1, (float[]){0.25f}, (int64_t[]){3}, 0);
  int shp = tfb_tensor(b, "reshape/shape", TFB_INT32, 1, (int32_t[]){2},
                       tfb_buffer(b, (int32_t[]){1, 32}, 8));
  int r = tfb_tensor(b, "reshape/out", TFB_INT8, 2, (int32_t[]){1, 32}, 0);
  tfb_quant(b, r, 1, (float[]){0.25f}, (int64_t[]){3}, 0);
  int8_t fcw[10 * 32] = {0};
  int fw =
      tfb_tensor(b, "fc/weights", TFB_INT8, 2, (int32_t[]){10, 32}, tfb_buffer(b, fcw, sizeof fcw));
  tfb_quant(b, fw, 1, (float[]){0.01f}, (int64_t[]){0}, 0);
  int f = tfb_tensor(b, "fc/out", TFB_INT8, 2, (int32_t[]){1, 10}, 0);
  tfb_quant(b, f, 1, (float[]){0.125f}, (int64_t[]){-5}, 0);
  int s = tfb_tensor(b, "probs", TFB_INT8, 2, (int32_t[]){1, 10}, 0);
  tfb_quant(b, s, 1, (float[]){1.0f / 256}, (int64_t[]){-128}, 0);

  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w, bi}, 3, (int[]){c}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 2, TFB_ACT_RELU6, 2, 1);
  op = tfb_op(b, TFB_OP_DEPTHWISE_CONV_2D, (int[]){c, dwf, -1}, 3, (int[]){d}, 1);
  tfb_dwconv_options(b, op, TFB_PAD_VALID, 1, 1, 1, TFB_ACT_RELU, 1, 1);
  op = tfb_op(b, TFB_OP_AVERAGE_POOL_2D, (int[]){d}, 1, (int[]){p}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 2, 2, 2, 3, TFB_ACT_NONE);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){p, shp}, 2, (int[]){r}, 1);
  tfb_reshape_options(b, op, (int32_t[]){-1, 32}, 2);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){r, fw, -1}, 3, (int[]){f}, 1);
  tfb_fc_options(b, op, TFB_ACT_RELU_N1_TO_1, 1);
  op = tfb_op(b, TFB_OP_SOFTMAX, (int[]){f}, 1, (int[]){s}, 1);
  tfb_softmax_options(b, op, 0.5f);
  tfb_io(b, (int[]){x}, 1, (int[]){s}, 1);
  return b;
}

/* Smallest useful model: y = relu(x) on float [1,4], plus a weights buffer so that the file
 * ends with constant data: x + w -> ADD -> RELU. */
static uint8_t *build_small(size_t *len) {
  tfb *b = tfb_new();
  float wdata[4] = {1, 2, 3, 4};
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 2, (int32_t[]){1, 4}, 0);
  int w = tfb_tensor(b, "w", TFB_FLOAT32, 2, (int32_t[]){1, 4}, tfb_buffer(b, wdata, 16));
  int s = tfb_tensor(b, "sum", TFB_FLOAT32, 2, (int32_t[]){1, 4}, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 4}, 0);
  int op = tfb_op(b, TFB_OP_ADD, (int[]){x, w}, 2, (int[]){s}, 1);
  tfb_add_options(b, op, TFB_ACT_NONE);
  tfb_op(b, TFB_OP_RELU, (int[]){s}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = finish(b, len);
  tfb_free(b);
  return bytes;
}

/* ---- round trips ---- */

static void check_quant(const ta_tensor *t, int32_t count, int32_t axis, const float *scales,
                        const int64_t *zps) {
  assert_int_equal(t->q.count, count);
  assert_int_equal(t->q.axis, axis);
  for (int32_t i = 0; i < count; i++) {
    assert_true(t->q.scale[i] == scales[i]);
    assert_int_equal(t->q.zero_point[i], zps[i]);
  }
}

static void check_dims(const ta_tensor *t, int32_t rank, const int32_t *dims) {
  assert_true(t->shape_known);
  assert_int_equal(t->rank, rank);
  for (int32_t i = 0; i < rank; i++)
    assert_int_equal(t->dims[i], dims[i]);
}

static void test_roundtrip_cnn(void **state) {
  (void)state;
  uint8_t filter[108];
  int8_t dw[36];
  int32_t bias[4];
  tfb *b = build_cnn(filter, dw, bias);
  size_t len;
  uint8_t *bytes = finish(b, &len);
  tfb_free(b);
  assert_memory_equal(bytes + 4, "TFL3", 4);

  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_OK);
  assert_string_equal(r.cap.text, "");
  ta_graph *g = r.g;
  assert_non_null(g);
  assert_int_equal(g->n_tensors, 12);
  assert_int_equal(g->n_ops, 6);

  const ta_tensor *t = &g->tensors[0];
  assert_string_equal(t->name, "input");
  assert_int_equal(t->dtype, TA_DT_I8);
  check_dims(t, 4, (int32_t[]){1, 8, 8, 3});
  check_quant(t, 1, 0, in_scale, in_zp);
  assert_null(t->data);
  assert_int_equal(t->flags, TA_TENSOR_INPUT);

  t = &g->tensors[1];
  assert_string_equal(t->name, "conv/filter");
  check_dims(t, 4, (int32_t[]){4, 3, 3, 3});
  check_quant(t, 4, 0, (float[]){0.1f, 0.2f, 0.3f, 0.4f}, (int64_t[]){0, 0, 0, 0});
  assert_non_null(t->data);
  assert_int_equal(t->data_bytes, 108);
  assert_memory_equal(t->data, filter, 108);
  /* Constants point into the model bytes the reader was given (the run's copy; 16-aligned by
   * the writer). */
  assert_true(t->data >= r.bytes && t->data + 108 <= r.bytes + len);
  assert_int_equal((t->data - r.bytes) % 16, 0);

  t = &g->tensors[2];
  assert_int_equal(t->dtype, TA_DT_I32);
  assert_int_equal(t->data_bytes, 16);
  assert_memory_equal(t->data, bias, 16);

  t = &g->tensors[4]; /* depthwise filter: per-channel along dimension 3 */
  check_quant(t, 4, 3, (float[]){1.f, 2.f, 3.f, 4.f}, (int64_t[]){0, 0, 0, 0});
  assert_memory_equal(t->data, dw, 36);

  t = &g->tensors[11];
  assert_string_equal(t->name, "probs");
  check_quant(t, 1, 0, (float[]){1.0f / 256}, (int64_t[]){-128});
  assert_int_equal(t->flags, TA_TENSOR_OUTPUT);
  assert_int_equal(g->n_inputs, 1);
  assert_int_equal(g->inputs[0], 0);
  assert_int_equal(g->n_outputs, 1);
  assert_int_equal(g->outputs[0], 11);

  const ta_op *op = &g->ops[0];
  assert_int_equal(op->kind, TA_OP_CONV_2D);
  assert_string_equal(op->name, "conv/out");
  assert_int_equal(op->src_index, 0);
  assert_int_equal(op->n_in, 3);
  assert_int_equal(op->in[0], 0);
  assert_int_equal(op->in[1], 1);
  assert_int_equal(op->in[2], 2);
  assert_int_equal(op->n_out, 1);
  assert_int_equal(op->out[0], 3);
  assert_int_equal(op->a.padding, TA_PAD_SAME);
  assert_int_equal(op->a.stride_w, 1);
  assert_int_equal(op->a.stride_h, 2);
  assert_int_equal(op->a.act, TA_ACT_RELU6);
  assert_int_equal(op->a.dilation_w, 2);
  assert_int_equal(op->a.dilation_h, 1);

  op = &g->ops[1];
  assert_int_equal(op->kind, TA_OP_DEPTHWISE_CONV_2D);
  assert_int_equal(op->in[2], -1);
  assert_int_equal(op->a.padding, TA_PAD_VALID);
  assert_int_equal(op->a.depth_multiplier, 1);
  assert_int_equal(op->a.act, TA_ACT_RELU);
  assert_int_equal(op->a.dilation_w, 1);
  assert_int_equal(op->a.dilation_h, 1);

  op = &g->ops[2];
  assert_int_equal(op->kind, TA_OP_AVERAGE_POOL_2D);
  assert_int_equal(op->a.stride_w, 2);
  assert_int_equal(op->a.filter_w, 2);
  assert_int_equal(op->a.filter_h, 3);
  assert_int_equal(op->a.act, TA_ACT_NONE);

  op = &g->ops[3];
  assert_int_equal(op->kind, TA_OP_RESHAPE);
  assert_int_equal(op->n_in, 2);

  op = &g->ops[4];
  assert_int_equal(op->kind, TA_OP_FULLY_CONNECTED);
  assert_true(op->a.keep_dims);
  assert_int_equal(op->a.act, TA_ACT_RELU_N1_TO_1);
  assert_int_equal(op->in[2], -1);

  op = &g->ops[5];
  assert_int_equal(op->kind, TA_OP_SOFTMAX);
  assert_true(op->a.beta == 0.5f);
  assert_string_equal(op->name, "probs");
  assert_int_equal(op->src_index, 5);

  assert_int_equal(ta_graph_check(g), TA_OK);
  tt_done(&r);
  free(bytes);
}

/* One operator of every other kind, float, to check the code and options mapping. */
static void test_roundtrip_all_kinds(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int32_t d4[] = {1, 2, 2, 4};
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 4, d4, 0);
  int t[16];
  for (int i = 0; i < 16; i++) {
    char name[16];
    snprintf(name, sizeof name, "t%d", i);
    t[i] = tfb_tensor(b, name, TFB_FLOAT32, 4, d4, 0);
  }
  int axes =
      tfb_tensor(b, "axes", TFB_INT32, 1, (int32_t[]){2}, tfb_buffer(b, (int32_t[]){1, 2}, 8));
  int pads = tfb_tensor(b, "pads", TFB_INT32, 2, (int32_t[]){4, 2},
                        tfb_buffer(b, (int32_t[]){0, 0, 1, 1, 1, 1, 0, 0}, 32));
  int mean = tfb_tensor(b, "mean", TFB_FLOAT32, 4, (int32_t[]){1, 1, 1, 4}, 0);
  int padded = tfb_tensor(b, "padded", TFB_FLOAT32, 4, (int32_t[]){1, 4, 4, 4}, 0);
  int cat = tfb_tensor(b, "cat", TFB_FLOAT32, 4, (int32_t[]){1, 2, 2, 8}, 0);
  int q = tfb_tensor(b, "q", TFB_INT8, 4, d4, 0);
  tfb_quant(b, q, 1, (float[]){0.1f}, (int64_t[]){0}, 0);
  int dq = tfb_tensor(b, "dq", TFB_FLOAT32, 4, d4, 0);
  int mp = tfb_tensor(b, "mp", TFB_FLOAT32, 4, (int32_t[]){1, 1, 1, 4}, 0);

  int op = tfb_op(b, TFB_OP_ADD, (int[]){x, x}, 2, (int[]){t[0]}, 1);
  tfb_add_options(b, op, TFB_ACT_RELU);
  op = tfb_op(b, TFB_OP_MUL, (int[]){t[0], x}, 2, (int[]){t[1]}, 1);
  tfb_mul_options(b, op, TFB_ACT_RELU6);
  tfb_op(b, TFB_OP_LOGISTIC, (int[]){t[1]}, 1, (int[]){t[2]}, 1);
  tfb_op(b, TFB_OP_TANH, (int[]){t[2]}, 1, (int[]){t[3]}, 1);
  tfb_op(b, TFB_OP_RELU, (int[]){t[3]}, 1, (int[]){t[4]}, 1);
  tfb_op(b, TFB_OP_RELU6, (int[]){t[4]}, 1, (int[]){t[5]}, 1);
  tfb_op(b, TFB_OP_RELU_N1_TO_1, (int[]){t[5]}, 1, (int[]){t[6]}, 1);
  op = tfb_op(b, TFB_OP_MEAN, (int[]){t[6], axes}, 2, (int[]){mean}, 1);
  tfb_reducer_options(b, op, 1);
  tfb_op(b, TFB_OP_PAD, (int[]){t[6], pads}, 2, (int[]){padded}, 1);
  op = tfb_op(b, TFB_OP_CONCATENATION, (int[]){t[6], x}, 2, (int[]){cat}, 1);
  tfb_concat_options(b, op, -1, TFB_ACT_RELU_N1_TO_1);
  tfb_op(b, TFB_OP_QUANTIZE, (int[]){t[6]}, 1, (int[]){q}, 1);
  tfb_op(b, TFB_OP_DEQUANTIZE, (int[]){q}, 1, (int[]){dq}, 1);
  op = tfb_op(b, TFB_OP_MAX_POOL_2D, (int[]){dq}, 1, (int[]){mp}, 1);
  tfb_pool_options(b, op, TFB_PAD_SAME, 2, 2, 2, 2, TFB_ACT_RELU);
  tfb_io(b, (int[]){x}, 1, (int[]){mean, padded, cat, mp}, 4);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_OK);
  ta_graph *g = r.g;
  static const ta_op_kind kinds[] = {
      TA_OP_ADD,      TA_OP_MUL,          TA_OP_LOGISTIC,   TA_OP_TANH, TA_OP_RELU,
      TA_OP_RELU6,    TA_OP_RELU_N1_TO_1, TA_OP_MEAN,       TA_OP_PAD,  TA_OP_CONCATENATION,
      TA_OP_QUANTIZE, TA_OP_DEQUANTIZE,   TA_OP_MAX_POOL_2D};
  assert_int_equal(g->n_ops, (int)TA_ARRAY_LEN(kinds));
  for (int i = 0; i < g->n_ops; i++) {
    assert_int_equal(g->ops[i].kind, kinds[i]);
    assert_int_equal(g->ops[i].src_index, i);
  }
  assert_int_equal(g->ops[0].a.act, TA_ACT_RELU);
  assert_int_equal(g->ops[1].a.act, TA_ACT_RELU6);
  assert_true(g->ops[7].a.keep_dims);
  assert_int_equal(g->ops[8].n_in, 2);
  assert_int_equal(g->ops[9].a.axis, -1);
  assert_int_equal(g->ops[9].a.act, TA_ACT_RELU_N1_TO_1);
  assert_int_equal(g->ops[12].a.padding, TA_PAD_SAME);
  assert_int_equal(g->ops[12].a.filter_h, 2);
  assert_int_equal(g->ops[12].a.act, TA_ACT_RELU);
  assert_int_equal(g->n_outputs, 4);
  assert_int_equal(g->tensors[mean].flags, TA_TENSOR_OUTPUT);
  assert_int_equal(g->tensors[pads].data_bytes, 32);
  assert_int_equal(g->tensors[q].dtype, TA_DT_I8);
  assert_int_equal(ta_graph_check(g), TA_OK);
  tt_done(&r);
}

/* Every supported dtype, a scalar, and an absent options table (schema defaults). */
static void test_roundtrip_types_and_defaults(void **state) {
  (void)state;
  static const struct {
    int tfl;
    ta_dtype dt;
  } types[] = {{TFB_FLOAT32, TA_DT_F32}, {TFB_INT8, TA_DT_I8},   {TFB_UINT8, TA_DT_U8},
               {TFB_INT16, TA_DT_I16},   {TFB_INT32, TA_DT_I32}, {TFB_INT64, TA_DT_I64},
               {TFB_BOOL, TA_DT_BOOL}};
  tfb *b = tfb_new();
  for (size_t i = 0; i < TA_ARRAY_LEN(types); i++)
    tfb_tensor(b, "t", types[i].tfl, 1, (int32_t[]){3}, 0);
  int scalar = tfb_tensor(b, "scalar", TFB_FLOAT32, 0, NULL, tfb_buffer(b, (float[]){2.5f}, 4));
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 2, (int32_t[]){1, 3}, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 3}, 0);
  int z = tfb_tensor(b, "z", TFB_FLOAT32, 2, (int32_t[]){1, 3}, 0);
  tfb_op(b, TFB_OP_SOFTMAX, (int[]){x}, 1, (int[]){y}, 1);    /* no SoftmaxOptions */
  tfb_op(b, TFB_OP_CONV_2D, (int[]){y, y}, 2, (int[]){z}, 1); /* no Conv2DOptions */
  tfb_io(b, (int[]){x}, 1, (int[]){z}, 1);
  tfb_description(b, "types");
  tfb_subgraph_name(b, "sg");
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_OK);
  for (size_t i = 0; i < TA_ARRAY_LEN(types); i++)
    assert_int_equal(r.g->tensors[i].dtype, types[i].dt);
  const ta_tensor *s = &r.g->tensors[scalar];
  assert_true(s->shape_known);
  assert_int_equal(s->rank, 0);
  assert_int_equal(s->data_bytes, 4);
  /* TFLite parses an absent options table as all-zero fields with schema defaults. */
  assert_true(r.g->ops[0].a.beta == 0.0f);
  assert_int_equal(r.g->ops[1].a.stride_w, 0);
  assert_int_equal(r.g->ops[1].a.dilation_w, 1);
  tt_done(&r);
}

/* Data kept after the flatbuffer (Buffer.offset/size), as in models over 2 GB. */
static void test_roundtrip_outside_buffer(void **state) {
  (void)state;
  tfb *b = tfb_new();
  float w[6] = {1, 2, 3, 4, 5, 6};
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 2, (int32_t[]){1, 3}, 0);
  int wt = tfb_tensor(b, "w", TFB_FLOAT32, 2, (int32_t[]){2, 3}, tfb_buffer_outside(b, w, 24));
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 2}, 0);
  int op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){x, wt, -1}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  size_t len;
  uint8_t *bytes = finish(b, &len);
  long off_pos = tfb_field_pos(b, "Buffer", 1, "offset");
  tfb_free(b);
  assert_true(off_pos > 0);

  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_OK);
  assert_int_equal(r.g->tensors[wt].data_bytes, 24);
  assert_memory_equal(r.g->tensors[wt].data, w, 24);
  assert_ptr_equal(r.g->tensors[wt].data, r.bytes + len - 24);
  tt_done(&r);

  /* An offset past the end is malformed: the file reads as cut short, since that is what
   * a converter's output with its weights at the end looks like when the copy stopped. */
  put32(bytes + off_pos, (uint32_t)len);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  char want[256];
  snprintf(want, sizeof want,
           "test.tflite: file is truncated (%zu bytes; the model needs at least %zu): copy or "
           "download it again",
           len, len + 24);
  tt_assert_line(&r.cap, want);
  tt_done(&r);
  free(bytes);
}

/* Codes above 127 live in builtin_code only; the byte field holds the placeholder. */
static void test_extended_builtin_code(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  tfb_op(b, 150, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_UNSUPPORTED);
  tt_assert_line(&r.cap, "test.tflite: op 0 GELU: unsupported operator (TFLite builtin code 150)");
  assert_null(r.g);
  tt_done(&r);
}

/* ---- hostile input ---- */

/* Every proper prefix of a valid model must be refused, without reading past its end (the
 * prefix is copied into an exactly sized allocation, so ASan sees any overread). */
static void test_truncated_every_prefix(void **state) {
  (void)state;
  size_t len;
  uint8_t *bytes = build_small(&len);
  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_OK);
  tt_done(&r);
  for (size_t n = 0; n < len; n++) {
    uint8_t *prefix = malloc(n ? n : 1);
    assert_non_null(prefix);
    memcpy(prefix, bytes, n);
    ta_status st = tt_read(&r, prefix, n);
    if (st == TA_OK) {
      print_error("prefix of %zu of %zu bytes was accepted\n", n, len);
      fail();
    }
    assert_int_equal(st, TA_ERR_MALFORMED);
    assert_null(r.g);
    assert_true(r.cap.text[0] != '\0');
    tt_done(&r);
    free(prefix);
  }
  /* The shortest cases have their own messages. */
  tt_read(&r, bytes, 5);
  tt_assert_line(&r.cap, "test.tflite: file is 5 bytes, too short for a TFLite model");
  tt_done(&r);
  tt_read(&r, bytes, len - 1);
  char want[160];
  snprintf(want, sizeof want,
           "test.tflite: file is truncated (%zu bytes; the model needs at least %zu): copy or "
           "download it again",
           len - 1, len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);
  free(bytes);
}

static void test_wrong_identifier(void **state) {
  (void)state;
  size_t len;
  uint8_t *bytes = build_small(&len);
  memcpy(bytes + 4, "ABCD", 4);
  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap,
                 "test.tflite: not a TFLite model: file identifier is \"ABCD\", expected \"TFL3\"");
  tt_done(&r);
  memcpy(bytes + 4, "TF\0\n", 4);
  tt_read(&r, bytes, len);
  tt_assert_line(&r.cap,
                 "test.tflite: not a TFLite model: file identifier is \"TF\\x00\\x0a\", expected "
                 "\"TFL3\"");
  tt_done(&r);
  free(bytes);
}

/* Patched offsets and lengths: each says which byte and which field. */
static void test_out_of_range_offsets(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  size_t len;
  uint8_t *good = finish(b, &len);
  long in_at = tfb_field_pos(b, "Operator", 0, "inputs");
  long name_at = tfb_field_pos(b, "Tensor", 1, "name");
  tfb_free(b);
  assert_true(in_at > 0 && name_at > 0);
  uint8_t *bytes = malloc(len);
  assert_non_null(bytes);
  tt_run r;
  char want[256];

  /* A uoffset pointing past the end. */
  memcpy(bytes, good, len);
  put32(bytes + in_at, 0x10000000u);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte %ld: Operator.inputs: offset 268435456 points to byte %ld, past "
           "the end of the file (%zu bytes)",
           in_at, in_at + 0x10000000L, len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* A vector length far beyond the file. */
  memcpy(bytes, good, len);
  long vec_at = in_at + (long)get32(good + in_at);
  put32(bytes + vec_at, 5000000);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte %ld: Operator.inputs (vector of 5000000 int32) runs past the end "
           "of the file (%zu bytes)",
           vec_at, len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* A length whose byte size overflows 32 bits. */
  memcpy(bytes, good, len);
  put32(bytes + vec_at, 0xffffffffu);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  tt_assert_captured(&r.cap, "Operator.inputs (vector of 4294967295 int32) runs past the end");
  tt_done(&r);

  /* A string whose NUL was overwritten. */
  memcpy(bytes, good, len);
  long str_at = name_at + (long)get32(good + name_at);
  assert_int_equal(get32(good + str_at), 1);
  bytes[str_at + 5] = 'z';
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte %ld: Tensor.name (string of 1 bytes) is not NUL-terminated", str_at);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* The root offset past the end. */
  memcpy(bytes, good, len);
  put32(bytes + 0, 0x7ffffff0u);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte 0: root Model: offset 2147483632 points to byte 2147483632, past "
           "the end of the file (%zu bytes)",
           len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  free(bytes);
  free(good);
}

/* Corrupt vtable offsets and sizes of every table in turn. */
static void test_bad_vtables(void **state) {
  (void)state;
  size_t len;
  uint8_t *good = build_small(&len);
  uint8_t *bytes = malloc(len);
  assert_non_null(bytes);
  tt_run r;
  /* The Model table: root offset says where; its first word is the soffset to the vtable. */
  uint32_t model = get32(good);
  memcpy(bytes, good, len);
  put32(bytes + model, 0x80000000u); /* vtable at model + 2^31 */
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  char want[256];
  snprintf(want, sizeof want,
           "test.tflite: byte %u: Model table: its vtable at byte %lld lies outside the file "
           "(%zu bytes)",
           model, (long long)model + 0x80000000LL, len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* An odd vtable size. */
  memcpy(bytes, good, len);
  int32_t soff;
  memcpy(&soff, good + model, 4);
  uint32_t vt = (uint32_t)((int64_t)model - soff);
  bytes[vt] = 7;
  bytes[vt + 1] = 0;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want, "test.tflite: byte %u: Model vtable size 7 is invalid (must be even)",
           vt);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* A vtable larger than the rest of the file. */
  memcpy(bytes, good, len);
  bytes[vt] = 0xfe;
  bytes[vt + 1] = 0xff;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte %u: Model vtable (65534 bytes) runs past the end of the file (%zu "
           "bytes)",
           vt, len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* A vtable of size 0 is legal (every field absent, as FlatBuffers reads it): the model
   * then has no subgraphs, which is the error. */
  memcpy(bytes, good, len);
  bytes[vt] = 0;
  bytes[vt + 1] = 0;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_UNSUPPORTED);
  tt_assert_line(&r.cap, "test.tflite: schema version 0 is not supported (expected 3)");
  tt_done(&r);

  /* A field offset that leads past the end of the file. */
  memcpy(bytes, good, len);
  bytes[vt + 4] = 0xf0; /* Model.version */
  bytes[vt + 5] = 0xff;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte %u: Model.version (uint32) at table offset 65520 runs past the end "
           "of the file (%zu bytes)",
           model, len);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  /* A misaligned field. */
  memcpy(bytes, good, len);
  uint16_t fo = (uint16_t)(good[vt + 4] | (good[vt + 5] << 8));
  bytes[vt + 4] = (uint8_t)(fo + 1);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  snprintf(want, sizeof want,
           "test.tflite: byte %u: Model.version (uint32) is not aligned to 4 bytes",
           model + fo + 1);
  tt_assert_line(&r.cap, want);
  tt_done(&r);

  free(bytes);
  free(good);
}

/* Flip bytes of a valid model at random: any status is fine, a crash or a leak is not. */
static void test_random_corruption(void **state) {
  (void)state;
  uint8_t filter[108];
  int8_t dw[36];
  int32_t bias[4];
  tfb *b = build_cnn(filter, dw, bias);
  size_t len;
  uint8_t *good = finish(b, &len);
  tfb_free(b);
  uint8_t *bytes = malloc(len);
  assert_non_null(bytes);
  uint32_t rng = 12345;
  for (int iter = 0; iter < 20000; iter++) {
    memcpy(bytes, good, len);
    int flips = 1 + iter % 4;
    for (int k = 0; k < flips; k++) {
      rng = rng * 1664525u + 1013904223u;
      size_t at = (rng >> 8) % len;
      rng = rng * 1664525u + 1013904223u;
      bytes[at] = iter % 3 ? (uint8_t)(rng >> 24) : (uint8_t)(bytes[at] ^ 0x80);
    }
    tt_run r;
    ta_status st = tt_read(&r, bytes, len);
    if (st == TA_OK)
      assert_int_equal(r.cap.text[0], '\0');
    else
      assert_true(r.cap.text[0] != '\0');
    tt_done(&r);
  }
  free(bytes);
  free(good);
}

/* An allocator that fails the N-th call: the reader reports and returns, never crashes. */
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

static void test_out_of_memory(void **state) {
  (void)state;
  size_t len;
  uint8_t *bytes = build_small(&len);
  for (int n = 0; n < 3; n++) {
    ta_ctx ctx;
    tt_capture cap = {0};
    fail_after = n;
    ta_ctx_init(&ctx, failing_alloc, NULL, tt_capture_sink, &cap);
    ta_graph *g = (ta_graph *)1;
    ta_status st = ta_tfl_read(&ctx, bytes, len, &g);
    if (n == 0)
      assert_int_equal(st, TA_ERR_LIMIT);
    if (st != TA_OK)
      assert_null(g);
    ta_ctx_free(&ctx);
  }
  free(bytes);
}

/* Tables may share vectors: 300 operators all pointing at one 1000-entry inputs vector (the
 * most operands an op may have is 1024) would expand a 25 KB file to 1.2 MB of IR. The reader
 * refuses past 4 times the file size. */
static void test_shared_vectors_budget(void **state) {
  (void)state;
  enum { N_OPS = 300, N_IN = 1000 };
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){1}, 0);
  int *ins = calloc(N_IN, sizeof *ins); /* all tensor 0 */
  assert_non_null(ins);
  int outs[N_OPS];
  for (int i = 0; i < N_OPS; i++)
    outs[i] = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){1}, 0);
  for (int i = 0; i < N_OPS; i++)
    tfb_op(b, TFB_OP_CONCATENATION, ins, i == N_OPS - 1 ? N_IN : 1, &outs[i], 1);
  tfb_io(b, (int[]){x}, 1, outs, 1);
  size_t len;
  uint8_t *bytes = finish(b, &len);
  /* Point every operator's inputs at the last one's vector (written last, so the unsigned
   * offsets still point forward). */
  long last = tfb_field_pos(b, "Operator", N_OPS - 1, "inputs");
  long target = last + (long)get32(bytes + last);
  for (int i = 0; i < N_OPS - 1; i++) {
    long at = tfb_field_pos(b, "Operator", i, "inputs");
    put32(bytes + at, (uint32_t)(target - at));
  }
  tfb_free(b);
  free(ins);
  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_LIMIT);
  tt_assert_line(&r.cap,
                 "test.tflite: the model's tables share vectors so much that reading them would "
                 "copy more than 4 times the file size; refusing to expand it");
  tt_done(&r);
  free(bytes);
}

/* Control characters in names never reach messages. */
static void test_name_sanitized(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x\033[2J", TFB_FLOAT32, 1, (int32_t[]){2}, 9);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){2}, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 0 \"x?[2J\": buffer 9 does not exist (the model has 1 "
                 "buffers)");
  tt_done(&r);
}

/* ---- semantic errors ---- */

static void test_buffer_too_small(void **state) {
  (void)state;
  tfb *b = tfb_new();
  uint8_t junk[100] = {0};
  int x = tfb_tensor(b, "x", TFB_INT32, 1, (int32_t[]){32}, 0);
  int bias = tfb_tensor(b, "conv_3/bias", TFB_INT32, 1, (int32_t[]){32}, tfb_buffer(b, junk, 100));
  int y = tfb_tensor(b, "y", TFB_INT32, 1, (int32_t[]){32}, 0);
  tfb_op(b, TFB_OP_ADD, (int[]){x, bias}, 2, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 1 \"conv_3/bias\": buffer 1 has 100 bytes, but shape [32] of "
                 "int32 needs 128");
  tt_done(&r);
}

static void test_bad_buffer_index(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){2}, 7);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){2}, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 0 \"x\": buffer 7 does not exist (the model has 1 buffers)");
  tt_done(&r);
}

static void test_unsupported_builtin(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  int y = tfb_tensor(b, "y", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  int z = tfb_tensor(b, "z", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_op(b, TFB_OP_LSH_PROJECTION, (int[]){y}, 1, (int[]){z}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){z}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_UNSUPPORTED);
  tt_assert_line(&r.cap,
                 "test.tflite: op 1 LSH_PROJECTION: unsupported operator (TFLite builtin code 15)");
  assert_null(r.g);
  tt_done(&r);
}

static void test_custom_op(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  int y = tfb_tensor(b, "y", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  int z = tfb_tensor(b, "z", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  int w = tfb_tensor(b, "w", TFB_INT8, 2, (int32_t[]){1, 8}, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_op(b, TFB_OP_RELU6, (int[]){y}, 1, (int[]){z}, 1);
  tfb_custom_op(b, "ethos-u", (int[]){z}, 1, (int[]){w}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){w}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_UNSUPPORTED);
  tt_assert_line(&r.cap,
                 "test.tflite: op 2 CUSTOM \"ethos-u\": custom operators are not supported");
  tt_done(&r);
}

static void test_bad_tensor_index(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 4, (int32_t[]){1, 4, 4, 1}, 0);
  int y = tfb_tensor(b, "out", TFB_FLOAT32, 4, (int32_t[]){1, 4, 4, 1}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, 500, -2}, 3, (int[]){y}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, TFB_ACT_NONE, 1, 1);
  tfb_op(b, TFB_OP_RELU, (int[]){y}, 1, (int[]){-1}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y, 9}, 2);
  size_t len;
  uint8_t *bytes = finish(b, &len);
  long code_at = tfb_field_pos(b, "Operator", 1, "opcode_index");
  tfb_free(b);
  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  tt_assert_line(
      &r.cap, "test.tflite: op 0 CONV_2D \"out\": input 1 refers to tensor 500, but the subgraph "
              "has 2 tensors");
  tt_assert_line(&r.cap,
                 "test.tflite: op 0 CONV_2D \"out\": input 2 refers to tensor -2, but the subgraph "
                 "has 2 tensors");
  tt_assert_line(&r.cap, "test.tflite: op 1 RELU: output 0 is -1 (only inputs may be absent)");
  tt_assert_line(&r.cap,
                 "test.tflite: subgraph outputs 1 refers to tensor 9, but the subgraph has 2 "
                 "tensors");
  tt_done(&r);

  /* An opcode_index past the operator codes. */
  assert_true(code_at > 0);
  put32(bytes + code_at, 42);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap,
                 "test.tflite: op 1: opcode_index 42 does not exist (the model has 2 operator "
                 "codes)");
  tt_done(&r);
  free(bytes);
}

/* Several problems in one file: all are listed, and MALFORMED outranks UNSUPPORTED. */
static void test_reports_every_problem(void **state) {
  (void)state;
  tfb *b = tfb_new();
  uint8_t junk[3] = {0};
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int c = tfb_tensor(b, "c", 8 /* COMPLEX64 */, 1, (int32_t[]){4}, 0);
  int big = tfb_tensor(b, "big", TFB_FLOAT32, 7, (int32_t[]){1, 1, 1, 1, 1, 1, 4}, 0);
  int w = tfb_tensor(b, "w", TFB_FLOAT32, 1, (int32_t[]){4}, tfb_buffer(b, junk, 3));
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int z = tfb_tensor(b, "z", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int u = tfb_tensor(b, "u", 15 /* UINT32 */, 1, (int32_t[]){4}, 0);
  int v = tfb_tensor(b, "v", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w}, 2, (int[]){y}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, 4 /* TANH */, 1, 1);
  tfb_op(b, TFB_OP_LSH_PROJECTION, (int[]){y}, 1, (int[]){z}, 1);
  tfb_custom_op(b, "x", (int[]){u, big}, 2, (int[]){z}, 1);
  tfb_op(b, TFB_OP_RELU, (int[]){c}, 1, (int[]){v}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){z, v}, 2);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap, "test.tflite: tensor 1 \"c\": type COMPLEX64 is not supported");
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 2 \"big\": rank 7 is above 6, the most tinyaot handles");
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 3 \"w\": buffer 1 has 3 bytes, but shape [4] of float32 "
                 "needs 16");
  tt_assert_line(&r.cap,
                 "test.tflite: op 0 CONV_2D \"y\": fused activation TANH is not supported (only "
                 "NONE, RELU, RELU_N1_TO_1, RELU6)");
  tt_assert_line(&r.cap,
                 "test.tflite: op 1 LSH_PROJECTION: unsupported operator (TFLite builtin code 15)");
  tt_assert_line(&r.cap, "test.tflite: op 2 CUSTOM \"x\": custom operators are not supported");
  /* A tensor of an unsupported type that only unsupported ops use adds nothing. */
  assert_null(strstr(r.cap.text, "\"u\""));
  tt_done(&r);
}

static void test_bad_quantization(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int w = tfb_tensor(b, "w", TFB_INT8, 2, (int32_t[]){4, 2}, 0);
  tfb_quant(b, w, 3, (float[]){1, 2, 3}, (int64_t[]){0, 0, 0}, 0);
  int u = tfb_tensor(b, "u", TFB_INT8, 2, (int32_t[]){4, 2}, 0);
  tfb_quant_n(b, u, 2, (float[]){1, 2}, 1, (int64_t[]){0}, 1);
  int v = tfb_tensor(b, "v", TFB_INT8, 2, (int32_t[]){4, 2}, 0);
  tfb_quant(b, v, 2, (float[]){1, 2}, (int64_t[]){0, 0}, 2);
  int y = tfb_tensor(b, "y", TFB_INT8, 2, (int32_t[]){4, 2}, 0);
  tfb_op(b, TFB_OP_ADD, (int[]){w, v}, 2, (int[]){y}, 1);
  tfb_io(b, (int[]){w, v}, 2, (int[]){y}, 1);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_MALFORMED);
  /* 3 scales for 4 channels is the op check's to report (it knows the operand's role). */
  assert_null(strstr(r.cap.text, "\"w\""));
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 2 \"v\": quantized_dimension 2 is not a dimension of shape "
                 "[4,2]");
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 1 \"u\": quantization has 2 scales but 1 zero points (one "
                 "per scale expected)");
  tt_done(&r);
}

/* A 1-D per-channel tensor whose quantized_dimension points past its rank (TOCO wrote the
 * filter's axis 3 on biases) is read along axis 0 when it has one scale per element; the same
 * axis on a 1-D tensor of another length is still refused. */
static void test_toco_bias_quantized_dimension(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int bias = tfb_tensor(b, "bias", TFB_INT32, 1, (int32_t[]){3}, 0);
  tfb_quant(b, bias, 3, (float[]){0.5f, 0.25f, 0.125f}, (int64_t[]){0, 0, 0}, 3);
  int y = tfb_tensor(b, "y", TFB_INT32, 1, (int32_t[]){3}, 0);
  tfb_op(b, TFB_OP_RESHAPE, (int[]){bias}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){bias}, 1, (int[]){y}, 1);
  size_t len;
  uint8_t *bytes = finish(b, &len);
  tfb_free(b);
  tt_run r;
  assert_int_equal(tt_read(&r, bytes, len), TA_OK);
  const ta_tensor *t = &r.g->tensors[bias];
  assert_int_equal(t->q.count, 3);
  assert_int_equal(t->q.axis, 0);
  assert_true(t->q.scale[2] == 0.125f);
  tt_done(&r);
  free(bytes);

  b = tfb_new();
  bias = tfb_tensor(b, "bias", TFB_INT32, 1, (int32_t[]){4}, 0);
  tfb_quant(b, bias, 3, (float[]){0.5f, 0.25f, 0.125f}, (int64_t[]){0, 0, 0}, 3);
  y = tfb_tensor(b, "y", TFB_INT32, 1, (int32_t[]){4}, 0);
  tfb_op(b, TFB_OP_RESHAPE, (int[]){bias}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){bias}, 1, (int[]){y}, 1);
  bytes = finish(b, &len);
  tfb_free(b);
  assert_int_equal(tt_read(&r, bytes, len), TA_ERR_MALFORMED);
  tt_assert_line(&r.cap,
                 "test.tflite: tensor 0 \"bias\": quantized_dimension 3 is not a dimension of "
                 "shape [4]");
  tt_done(&r);
  free(bytes);
}

static void test_schema_version(void **state) {
  (void)state;
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  int y = tfb_tensor(b, "y", TFB_FLOAT32, 1, (int32_t[]){4}, 0);
  tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  tfb_version(b, 2);
  tt_run r;
  tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_ERR_UNSUPPORTED);
  tt_assert_line(&r.cap, "test.tflite: schema version 2 is not supported (expected 3)");
  tt_done(&r);
}

/* ---- real models ---- */

static const char *shared_dir(void) {
  const char *env = getenv("TA_SHARED_DIR");
  if (env && env[0])
    return env;
  return NULL;
}

/* Read one real model: OK (and a valid graph), or UNSUPPORTED naming an operator. */
static void check_real_model(const char *path, int *n_ok, int *n_unsupported) {
  tt_run r;
  memset(&r, 0, sizeof r);
  ta_ctx_init(&r.ctx, NULL, NULL, tt_capture_sink, &r.cap);
  r.ctx.file = path;
  r.g = NULL;
  ta_status st = ta_tfl_load(&r.ctx, path, &r.g);
  if (st == TA_OK) {
    assert_non_null(r.g);
    if (ta_graph_check(r.g) != TA_OK) {
      print_error("%s: read, but the graph does not check:\n%s", path, r.cap.text);
      fail();
    }
    (*n_ok)++;
  } else if (st == TA_ERR_UNSUPPORTED &&
             (strstr(r.cap.text, "unsupported operator (TFLite builtin code") ||
              strstr(r.cap.text, "custom operators are not supported"))) {
    (*n_unsupported)++;
  } else {
    print_error("%s: %s\n%s", path, ta_status_name(st), r.cap.text);
    fail();
  }
  tt_done(&r);
}

static int scan_dir(const char *dir, int *n_ok, int *n_unsupported) {
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t l = strlen(e->d_name);
    if (l > 7 && strcmp(e->d_name + l - 7, ".tflite") == 0) {
      check_real_model(path, n_ok, n_unsupported);
      n++;
    } else {
      n += scan_dir(path, n_ok, n_unsupported); /* a subfolder (layer tests) */
    }
  }
  closedir(d);
  return n;
}

/* The folder of the shared models and vectors: $TA_SHARED_DIR, else ../shared next to the
 * source tree. */
static void shared_base(char *base, size_t size) {
  const char *env = shared_dir();
  if (env) {
    snprintf(base, size, "%s", env);
  } else {
    /* tests/unit/test_tflite.c -> ../shared next to the source tree */
    snprintf(base, size, "%s", __FILE__);
    char *slash = strrchr(base, '/');
    if (slash)
      *slash = '\0';
    strncat(base, "/../../../shared", size - strlen(base) - 1);
  }
}

/* Run only with ../shared present (main checks): every model must be read or refused for an
 * operator, and kws_dscnn_int8 must load, with the facts of SOURCES.md. */
static void test_real_models(void **state) {
  (void)state;
  char base[1024];
  shared_base(base, sizeof base);
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/models/tflite", base);
  int n_ok = 0, n_unsupported = 0;
  int n = scan_dir(dir, &n_ok, &n_unsupported);
  if (n == 0)
    fail_msg("no models in %s", dir);
  snprintf(dir, sizeof dir, "%s/models/tflite-layer-tests", base);
  n += scan_dir(dir, &n_ok, &n_unsupported);
  printf("real models: %d read, %d unsupported, of %d\n", n_ok, n_unsupported, n);

  /* Facts from SOURCES.md for one model. */
  snprintf(dir, sizeof dir, "%s/models/tflite/kws_dscnn_int8.tflite", base);
  tt_run r;
  memset(&r, 0, sizeof r);
  ta_ctx_init(&r.ctx, NULL, NULL, tt_capture_sink, &r.cap);
  ta_status st = ta_tfl_load(&r.ctx, dir, &r.g);
  if (st != TA_OK)
    fail_msg("%s: %s\n%s", dir, ta_status_name(st), r.cap.text);
  {
    ta_graph *g = r.g;
    assert_int_equal(g->n_ops, 13);
    assert_int_equal(g->n_inputs, 1);
    const ta_tensor *in = &g->tensors[g->inputs[0]];
    assert_string_equal(in->name, "input_1");
    assert_int_equal(in->dtype, TA_DT_I8);
    check_dims(in, 4, (int32_t[]){1, 49, 10, 1});
    assert_int_equal(in->q.count, 1);
    assert_true(fabsf(in->q.scale[0] - 0.584702909f) < 1e-7f);
    assert_int_equal(in->q.zero_point[0], 83);
    const ta_tensor *out = &g->tensors[g->outputs[0]];
    assert_string_equal(out->name, "Identity");
    check_dims(out, 2, (int32_t[]){1, 12});
    assert_int_equal(out->q.zero_point[0], -128);
    /* Depthwise filters are quantized per channel along dimension 3. */
    for (int32_t i = 0; i < g->n_ops; i++) {
      if (g->ops[i].kind != TA_OP_DEPTHWISE_CONV_2D)
        continue;
      const ta_tensor *f = &g->tensors[g->ops[i].in[1]];
      assert_int_equal(f->q.axis, 3);
      assert_int_equal(f->q.count, f->dims[3]);
    }
  }
  tt_done(&r);
}

/* ---- the schema codes shared by writer and reader (tfl_schema.def) ---- */

/* One op with builtin code `code`, x [1,8] -> y [1,8], read back. */
static ta_status read_one_op(tt_run *r, int code, int type) {
  tfb *b = tfb_new();
  int x = tfb_tensor(b, "x", type, 2, (int32_t[]){1, 8}, 0);
  int y = tfb_tensor(b, "y", type, 2, (int32_t[]){1, 8}, 0);
  tfb_op(b, code, (int[]){x}, 1, (int[]){y}, 1);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  return tt_read_tfb(r, b);
}

/* Every BuiltinOperator code the writer can write reads back as the operator of that name:
 * the op the reader maps it to (whose ops.def name is the TFLite spelling), or an
 * "unsupported operator" message naming it. */
static void test_builtin_codes_agree(void **state) {
  (void)state;
  static const char *const names[] = {
#define TFL_BUILTIN(name, code) [code] = #name,
#include "tfl_schema.def"
  };
  assert_int_equal(TA_ARRAY_LEN(names), TA_TFL_BUILTIN_COUNT);
  assert_int_equal(TFB_OP_CONV_2D, TA_TFL_OP_CONV_2D);
  assert_int_equal(TFB_OP_QUANTIZE, 114);
  int supported = 0;
  for (int code = 0; code < TA_TFL_BUILTIN_COUNT; code++) {
    if (code == TFB_OP_CUSTOM)
      continue; /* needs a custom_code: test_custom_op */
    tt_run r;
    ta_status st = read_one_op(&r, code, TFB_FLOAT32);
    if (st == TA_OK) {
      assert_int_equal(r.g->n_ops, 1);
      assert_string_equal(ta_op_kind_name(r.g->ops[0].kind), names[code]);
      supported++;
    } else {
      char want[160];
      snprintf(want, sizeof want,
               "test.tflite: op 0 %s: unsupported operator (TFLite builtin code %d)", names[code],
               code);
      assert_int_equal(st, TA_ERR_UNSUPPORTED);
      tt_assert_line(&r.cap, want);
    }
    tt_done(&r);
  }
  assert_true(supported >= 19); /* the reader's op map; more as operators are added */
}

/* TensorType, ActivationFunctionType and Padding values written by tflbuild read back as the
 * reader's meaning of them. */
static void test_schema_enums_agree(void **state) {
  (void)state;
  static const struct {
    int type;
    const char *dtype;
  } types[] = {{TFB_FLOAT32, "float32"}, {TFB_INT32, "int32"}, {TFB_UINT8, "uint8"},
               {TFB_INT64, "int64"},     {TFB_BOOL, "bool"},   {TFB_INT16, "int16"},
               {TFB_INT8, "int8"}};
  for (size_t i = 0; i < TA_ARRAY_LEN(types); i++) {
    tt_run r;
    assert_int_equal(read_one_op(&r, TFB_OP_RELU, types[i].type), TA_OK);
    assert_string_equal(ta_dtype_name(r.g->tensors[0].dtype), types[i].dtype);
    tt_done(&r);
  }
  static const struct {
    int act;
    ta_act want;
  } acts[] = {{TFB_ACT_NONE, TA_ACT_NONE},
              {TFB_ACT_RELU, TA_ACT_RELU},
              {TFB_ACT_RELU_N1_TO_1, TA_ACT_RELU_N1_TO_1},
              {TFB_ACT_RELU6, TA_ACT_RELU6},
              {TFB_ACT_TANH, TA_ACT_NONE}};
  for (size_t i = 0; i < TA_ARRAY_LEN(acts); i++) {
    tfb *b = tfb_new();
    int x = tfb_tensor(b, "x", TFB_FLOAT32, 2, (int32_t[]){1, 8}, 0);
    int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 8}, 0);
    int op = tfb_op(b, TFB_OP_ADD, (int[]){x, x}, 2, (int[]){y}, 1);
    tfb_add_options(b, op, acts[i].act);
    tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
    tt_run r;
    ta_status st = tt_read_tfb(&r, b);
    if (acts[i].act == TFB_ACT_TANH) {
      tt_assert_status(&r.cap, st, TA_ERR_UNSUPPORTED);
      tt_assert_line(
          &r.cap, "test.tflite: op 0 ADD \"y\": fused activation TANH is not supported (only NONE, "
                  "RELU, RELU_N1_TO_1, RELU6)");
    } else {
      tt_assert_status(&r.cap, st, TA_OK);
      assert_int_equal(r.g->ops[0].a.act, acts[i].want);
    }
    tt_done(&r);
  }
  for (int pad = 0; pad < 2; pad++) {
    tfb *b = tfb_new();
    int x = tfb_tensor(b, "x", TFB_FLOAT32, 4, (int32_t[]){1, 4, 4, 1}, 0);
    int y = tfb_tensor(b, "y", TFB_FLOAT32, 4, (int32_t[]){1, 4, 4, 1}, 0);
    int op = tfb_op(b, TFB_OP_MAX_POOL_2D, (int[]){x}, 1, (int[]){y}, 1);
    tfb_pool_options(b, op, pad ? TFB_PAD_VALID : TFB_PAD_SAME, 1, 1, 1, 1, TFB_ACT_NONE);
    tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
    size_t len;
    uint8_t *bytes = finish(b, &len);
    tfb_free(b);
    tt_run r;
    assert_int_equal(tt_read(&r, bytes, len), TA_OK);
    assert_int_equal(r.g->ops[0].a.padding, pad ? TA_PAD_VALID : TA_PAD_SAME);
    tt_done(&r);
    free(bytes);
  }
}

/* A graph input with a dynamic dim in shape_signature (other than a batch of 1) is compiled
 * for its stored shape: a warning says so; the read still succeeds. */
static void test_shape_signature_warning(void **state) {
  (void)state;
  static const struct {
    int32_t sig[3];
    const char *warning; /* NULL: none */
  } cases[] = {
      {{-1, 8, 3}, NULL}, /* a dynamic batch stored as 1: the normal case */
      {{1, -1, 3},
       "test.tflite: tensor 0 \"x\": dim 1 is dynamic in the model's shape_signature (-1); the "
       "generated code is fixed to the stored shape [1,8,3] and accepts only that"},
      {{-1, -1, -1},
       "test.tflite: tensor 0 \"x\": dims 1, 2 are dynamic in the model's shape_signature (-1); "
       "the generated code is fixed to the stored shape [1,8,3] and accepts only that"},
  };
  for (size_t i = 0; i < TA_ARRAY_LEN(cases); i++) {
    tfb *b = tfb_new();
    int x = tfb_tensor(b, "x", TFB_FLOAT32, 3, (int32_t[]){1, 8, 3}, 0);
    int y = tfb_tensor(b, "y", TFB_FLOAT32, 3, (int32_t[]){1, 8, 3}, 0);
    tfb_shape_signature(b, x, cases[i].sig);
    tfb_shape_signature(b, y, cases[i].sig); /* not a graph input: never reported */
    tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){y}, 1);
    tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
    tt_run r;
    tt_assert_status(&r.cap, tt_read_tfb(&r, b), TA_OK);
    assert_int_equal(r.ctx.n_errors, 0);
    if (cases[i].warning) {
      assert_int_equal(r.cap.n_warnings, 1);
      tt_assert_line(&r.cap, cases[i].warning);
    } else {
      assert_int_equal(r.cap.n_warnings, 0);
    }
    tt_done(&r);
  }
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--shared") == 0) {
    char base[1024], dir[1100];
    shared_base(base, sizeof base);
    snprintf(dir, sizeof dir, "%s/models/tflite", base);
    DIR *d = opendir(dir);
    if (!d) {
      printf("no models in %s (set TA_SHARED_DIR): skipped\n", dir);
      return 77; /* ctest's SKIP_RETURN_CODE */
    }
    closedir(d);
    const struct CMUnitTest shared[] = {cmocka_unit_test(test_real_models)};
    return cmocka_run_group_tests(shared, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_cnn),
      cmocka_unit_test(test_roundtrip_all_kinds),
      cmocka_unit_test(test_roundtrip_types_and_defaults),
      cmocka_unit_test(test_roundtrip_outside_buffer),
      cmocka_unit_test(test_extended_builtin_code),
      cmocka_unit_test(test_truncated_every_prefix),
      cmocka_unit_test(test_wrong_identifier),
      cmocka_unit_test(test_out_of_range_offsets),
      cmocka_unit_test(test_bad_vtables),
      cmocka_unit_test(test_random_corruption),
      cmocka_unit_test(test_out_of_memory),
      cmocka_unit_test(test_shared_vectors_budget),
      cmocka_unit_test(test_name_sanitized),
      cmocka_unit_test(test_buffer_too_small),
      cmocka_unit_test(test_bad_buffer_index),
      cmocka_unit_test(test_unsupported_builtin),
      cmocka_unit_test(test_custom_op),
      cmocka_unit_test(test_bad_tensor_index),
      cmocka_unit_test(test_reports_every_problem),
      cmocka_unit_test(test_bad_quantization),
      cmocka_unit_test(test_toco_bias_quantized_dimension),
      cmocka_unit_test(test_schema_version),
      cmocka_unit_test(test_builtin_codes_agree),
      cmocka_unit_test(test_schema_enums_agree),
      cmocka_unit_test(test_shape_signature_warning),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
