/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_quantize_write.c: the quantized model as a .tflite file (ta_tfl_write). Float models
 * built in code are quantized through the compile entry point, the int8 graph is written,
 * read back with our own reader and compiled again; both are evaluated on the same inputs and
 * must give exactly the same output bytes. The written tensors keep their dtypes, per-channel
 * scales along quantized_dimension, and constant bytes. What TFLite cannot say is refused
 * with a message naming the op, and nothing is appended.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ta_compile.h"
#include "ta_tflite.h"
#include "tflbuild.h"

static char messages[4096];

static void sink(void *user, ta_severity sev, const char *msg) {
  (void)user;
  (void)sev;
  size_t used = strlen(messages);
  snprintf(messages + used, sizeof messages - used, "%s\n", msg);
}

static void ctx_init(ta_ctx *ctx) {
  messages[0] = '\0';
  ta_ctx_init(ctx, NULL, NULL, sink, NULL);
}

static uint32_t rng = 12345;
static double uniform(void) {
  rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
  return rng / 4294967296.0;
}

static void fill(float *w, size_t n, uint32_t seed) {
  rng = seed;
  for (size_t i = 0; i < n; i++)
    w[i] = (float)(uniform() - 0.5);
}

/* x[1,8,8,3] -> CONV_2D 3x3 SAME relu [1,8,8,4] -> DEPTHWISE 3x3 stride 2 VALID relu6
 * [1,3,3,4] -> AVERAGE_POOL 3x3 [1,1,1,4] -> ADD (x itself: [1,1,1,4]) -> RESHAPE [1,4]
 * -> FULLY_CONNECTED [5,4] -> SOFTMAX y[1,5]. Every options table the writer emits for int8. */
static uint8_t *model(size_t *len) {
  tfb *b = tfb_new();
  float cw[4 * 27], cb[4], dw[36], db[4], fw[20], fb[5];
  fill(cw, 108, 1), fill(cb, 4, 2), fill(dw, 36, 3), fill(db, 4, 4), fill(fw, 20, 5);
  fill(fb, 5, 6);
  const int x = tfb_tensor(b, "x", TFB_FLOAT32, 4, (int32_t[]){1, 8, 8, 3}, 0);
  const int w = tfb_tensor(b, "conv_w", TFB_FLOAT32, 4, (int32_t[]){4, 3, 3, 3},
                           tfb_buffer(b, cw, sizeof cw));
  const int bias = tfb_tensor(b, "conv_b", TFB_FLOAT32, 1, (int32_t[]){4}, tfb_buffer(b, cb, 16));
  const int c = tfb_tensor(b, "conv", TFB_FLOAT32, 4, (int32_t[]){1, 8, 8, 4}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w, bias}, 3, (int[]){c}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, TFB_ACT_RELU, 1, 1);
  const int dwt =
      tfb_tensor(b, "dw_w", TFB_FLOAT32, 4, (int32_t[]){1, 3, 3, 4}, tfb_buffer(b, dw, sizeof dw));
  const int dbt = tfb_tensor(b, "dw_b", TFB_FLOAT32, 1, (int32_t[]){4}, tfb_buffer(b, db, 16));
  const int d = tfb_tensor(b, "dw", TFB_FLOAT32, 4, (int32_t[]){1, 3, 3, 4}, 0);
  op = tfb_op(b, TFB_OP_DEPTHWISE_CONV_2D, (int[]){c, dwt, dbt}, 3, (int[]){d}, 1);
  tfb_dwconv_options(b, op, TFB_PAD_VALID, 2, 2, 1, TFB_ACT_RELU6, 1, 1);
  const int p = tfb_tensor(b, "pool", TFB_FLOAT32, 4, (int32_t[]){1, 1, 1, 4}, 0);
  op = tfb_op(b, TFB_OP_AVERAGE_POOL_2D, (int[]){d}, 1, (int[]){p}, 1);
  tfb_pool_options(b, op, TFB_PAD_VALID, 3, 3, 3, 3, TFB_ACT_NONE);
  const int a = tfb_tensor(b, "add", TFB_FLOAT32, 4, (int32_t[]){1, 1, 1, 4}, 0);
  op = tfb_op(b, TFB_OP_ADD, (int[]){p, p}, 2, (int[]){a}, 1);
  tfb_add_options(b, op, TFB_ACT_NONE);
  const int r = tfb_tensor(b, "flat", TFB_FLOAT32, 2, (int32_t[]){1, 4}, 0);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){a}, 1, (int[]){r}, 1);
  tfb_reshape_options(b, op, (int32_t[]){1, 4}, 2);
  const int fwt =
      tfb_tensor(b, "fc_w", TFB_FLOAT32, 2, (int32_t[]){5, 4}, tfb_buffer(b, fw, sizeof fw));
  const int fbt = tfb_tensor(b, "fc_b", TFB_FLOAT32, 1, (int32_t[]){5}, tfb_buffer(b, fb, 20));
  const int f = tfb_tensor(b, "fc", TFB_FLOAT32, 2, (int32_t[]){1, 5}, 0);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){r, fwt, fbt}, 3, (int[]){f}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  const int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 5}, 0);
  op = tfb_op(b, TFB_OP_SOFTMAX, (int[]){f}, 1, (int[]){y}, 1);
  tfb_softmax_options(b, op, 1.0f);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  return bytes;
}

/* x[1,192] -> FULLY_CONNECTED [8,192] relu -> h[1,8] -> SVDF (5 units, rank 1, memory 3,
 * float: it stays float, its activation state a variable tensor) -> y[1,5]. Quantizing keeps
 * the SVDF in float between DEQUANTIZE and QUANTIZE; the writer must mark its state
 * is_variable and write its options. */
static uint8_t *svdf_model(size_t *len) {
  tfb *b = tfb_new();
  float fw[8 * 192], fb[8], wf[5 * 8], wt[5 * 3], sb[5];
  fill(fw, 8 * 192, 11), fill(fb, 8, 12), fill(wf, 40, 13), fill(wt, 15, 14), fill(sb, 5, 15);
  const int x = tfb_tensor(b, "x", TFB_FLOAT32, 2, (int32_t[]){1, 192}, 0);
  const int fwt =
      tfb_tensor(b, "fc_w", TFB_FLOAT32, 2, (int32_t[]){8, 192}, tfb_buffer(b, fw, sizeof fw));
  const int fbt = tfb_tensor(b, "fc_b", TFB_FLOAT32, 1, (int32_t[]){8}, tfb_buffer(b, fb, 32));
  const int h = tfb_tensor(b, "h", TFB_FLOAT32, 2, (int32_t[]){1, 8}, 0);
  int op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){x, fwt, fbt}, 3, (int[]){h}, 1);
  tfb_fc_options(b, op, TFB_ACT_RELU, 0);
  const int wft =
      tfb_tensor(b, "svdf_wf", TFB_FLOAT32, 2, (int32_t[]){5, 8}, tfb_buffer(b, wf, sizeof wf));
  const int wtt =
      tfb_tensor(b, "svdf_wt", TFB_FLOAT32, 2, (int32_t[]){5, 3}, tfb_buffer(b, wt, sizeof wt));
  const int sbt = tfb_tensor(b, "svdf_b", TFB_FLOAT32, 1, (int32_t[]){5}, tfb_buffer(b, sb, 20));
  const int st = tfb_tensor(b, "svdf_state", TFB_FLOAT32, 2, (int32_t[]){1, 15}, 0);
  tfb_variable(b, st);
  const int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 5}, 0);
  op = tfb_op(b, TFB_OP_SVDF, (int[]){h, wft, wtt, sbt, st}, 5, (int[]){y}, 1);
  tfb_svdf_options(b, op, 1, TFB_ACT_RELU);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  return bytes;
}

static char calib_path[64];
static void write_calib(int n) {
  snprintf(calib_path, sizeof calib_path, "/tmp/ta_test_qwrite_%d.bin", (int)getpid());
  FILE *f = fopen(calib_path, "wb");
  assert_non_null(f);
  rng = 77;
  for (int i = 0; i < n * 192; i++) {
    const float v = (float)(uniform() * 2 - 1);
    fwrite(&v, 4, 1, f);
  }
  fclose(f);
}

static ta_status compile(ta_ctx *ctx, const uint8_t *bytes, size_t len, bool quant, bool int8_io,
                         ta_model *m) {
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.last_stage = TA_STAGE_SCHEDULE;
  if (quant) {
    opt.quant.mode = TA_QUANT_INT8;
    opt.quant.int8_io = int8_io;
    opt.quant.calib_paths[0] = calib_path;
    opt.quant.n_calib_paths = 1;
  }
  return ta_compile_bytes(ctx, "test.tflite", bytes, len, &opt, m);
}

/* The model of build (input 192 floats, output 5), quantized, written, read back: the same
 * tensors and the same output bytes. per_channel_min: the per-channel tensors expected. */
static void round_trip(uint8_t *(*build)(size_t *), bool int8_io, int per_channel_min) {
  size_t len;
  uint8_t *fbytes = build(&len);
  write_calib(40);
  ta_ctx qc, rc;
  ctx_init(&qc);
  ta_model qm, rm;
  assert_int_equal(compile(&qc, fbytes, len, true, int8_io, &qm), TA_OK);
  ta_buf out;
  ta_buf_init(&out, &qc);
  const ta_status st = ta_tfl_write(&qc, qm.g, &out);
  if (st != TA_OK)
    print_message("%s", messages);
  assert_int_equal(st, TA_OK);
  assert_true(out.len > 8);
  assert_memory_equal(out.data + 4, "TFL3", 4);
  ctx_init(&rc);
  assert_int_equal(compile(&rc, (const uint8_t *)out.data, out.len, false, false, &rm), TA_OK);

  /* The same tensors: dtype, shape, quantization, constant bytes. */
  assert_int_equal(rm.g->n_ops, qm.g->n_ops);
  assert_int_equal(rm.g->n_tensors, qm.g->n_tensors);
  int per_channel = 0;
  for (int32_t i = 0; i < qm.g->n_tensors; i++) {
    const ta_tensor *a = &qm.g->tensors[i], *b = &rm.g->tensors[i];
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->dtype, b->dtype);
    assert_int_equal(a->rank, b->rank);
    assert_memory_equal(a->dims, b->dims, (size_t)a->rank * sizeof a->dims[0]);
    assert_int_equal(a->q.count, b->q.count);
    if (a->q.count > 1) {
      assert_int_equal(a->q.axis, b->q.axis);
      per_channel++;
    }
    for (int32_t k = 0; k < a->q.count; k++) {
      assert_true(a->q.scale[k] == b->q.scale[k]);
      assert_int_equal(a->q.zero_point[k], b->q.zero_point[k]);
    }
    assert_int_equal(a->data_bytes, b->data_bytes);
    if (a->data_bytes)
      assert_memory_equal(a->data, b->data, a->data_bytes);
  }
  assert_true(per_channel >= per_channel_min);
  for (int32_t i = 0; i < qm.g->n_ops; i++)
    assert_int_equal(qm.g->ops[i].kind, rm.g->ops[i].kind);

  /* The same output bytes on fresh inputs. */
  const ta_tensor *in = &qm.g->tensors[qm.g->inputs[0]];
  assert_int_equal(in->dtype, int8_io ? TA_DT_I8 : TA_DT_F32);
  rng = 4242;
  for (int r = 0; r < 20; r++) {
    float xf[192];
    int8_t x8[192];
    for (int i = 0; i < 192; i++) {
      xf[i] = (float)(uniform() * 2 - 1);
      x8[i] = (int8_t)((int)(uniform() * 256) - 128);
    }
    float yq[5], yr[5];
    const void *inp[1] = {int8_io ? (const void *)x8 : (const void *)xf};
    void *oq[1] = {yq}, *orr[1] = {yr};
    memset(yq, 0, sizeof yq);
    memset(yr, 0xff, sizeof yr);
    assert_int_equal(ta_graph_eval(qm.g, qm.calls, inp, oq), TA_OK);
    assert_int_equal(ta_graph_eval(rm.g, rm.calls, inp, orr), TA_OK);
    const size_t out_bytes = int8_io ? 5 : sizeof yq;
    assert_memory_equal(yq, yr, out_bytes);
  }
  ta_buf_free(&out);
  ta_ctx_free(&qc);
  ta_ctx_free(&rc);
  free(fbytes);
  unlink(calib_path);
}

static void test_round_trip(void **state) {
  (void)state;
  round_trip(model, false, 4); /* conv and depthwise weights and biases */
}

static void test_round_trip_int8_io(void **state) {
  (void)state;
  round_trip(model, true, 4);
}

/* A float op with recurrent state kept between int8 ones. The state keeps its flag in the
 * int8 graph, and the written file says is_variable (else the reader refuses the state as
 * never written). */
static void test_round_trip_svdf(void **state) {
  (void)state;
  size_t len;
  uint8_t *fbytes = svdf_model(&len);
  write_calib(10);
  ta_ctx qc;
  ctx_init(&qc);
  ta_model qm;
  assert_int_equal(compile(&qc, fbytes, len, true, false, &qm), TA_OK);
  int svdf = -1;
  for (int32_t i = 0; i < qm.g->n_ops; i++)
    if (qm.g->ops[i].kind == TA_OP_SVDF)
      svdf = i;
  assert_true(svdf >= 0);
  const ta_tensor *st = &qm.g->tensors[qm.g->ops[svdf].in[4]];
  assert_int_equal(st->dtype, TA_DT_F32);
  assert_true(st->flags & TA_TENSOR_STATE);
  ta_ctx_free(&qc);
  free(fbytes);
  round_trip(svdf_model, false, 0);
}

/* What TFLite cannot say: refused, naming the op, nothing appended. */
static void test_refused(void **state) {
  (void)state;
  ta_ctx ctx;
  ctx_init(&ctx);
  ta_graph *g = ta_graph_new(&ctx, "t");
  const int32_t dims[4] = {1, 4, 4, 2};
  const int32_t x = ta_graph_add_tensor(g, "x", TA_DT_F32, 4, dims);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 4, dims);
  assert_true(x >= 0 && y >= 0);
  const int32_t oi = ta_graph_add_op(g, TA_OP_TRANSPOSE, 1, 1);
  assert_true(oi >= 0);
  ta_op *op = &g->ops[oi];
  op->name = "tr";
  op->in[0] = x;
  op->out[0] = y;
  ta_buf out;
  ta_buf_init(&out, &ctx);
  assert_int_equal(ta_tfl_write(&ctx, g, &out), TA_ERR_UNSUPPORTED);
  assert_int_equal(out.len, 0);
  assert_non_null(strstr(messages, "op 0 TRANSPOSE \"tr\": no TFLite operator"));
  ta_buf_free(&out);
  ta_ctx_free(&ctx);
}

/* One op over x [1,2,3,4] (and a constant second operand when axes is not NULL) written and
 * read back; returns the status of ta_tfl_write, with the read-back output's shape in
 * out_dims (rank in *out_rank) when written. */
static ta_status write_one(ta_op_kind kind, const int32_t *axes, bool keep_dims, float alpha,
                           int32_t dilation, int32_t *out_rank, int32_t *out_dims) {
  ta_ctx ctx;
  ctx_init(&ctx);
  ta_graph *g = ta_graph_new(&ctx, "t");
  const int32_t dims[4] = {1, 2, 3, 4};
  const int32_t x = ta_graph_add_tensor(g, "x", TA_DT_F32, 4, dims);
  int32_t a = -1;
  if (axes) {
    a = ta_graph_add_tensor(g, "axes", TA_DT_I32, 1, (int32_t[]){1});
    g->tensors[a].data = (const uint8_t *)axes;
    g->tensors[a].data_bytes = 4;
  }
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 0, NULL);
  const int32_t oi = ta_graph_add_op(g, kind, axes ? 2 : 1, 1);
  ta_op *op = &g->ops[oi];
  op->name = "the_op";
  op->in[0] = x;
  if (axes)
    op->in[1] = a;
  op->out[0] = y;
  op->a.keep_dims = keep_dims;
  op->a.alpha = alpha;
  if (kind == TA_OP_MAX_POOL_2D) {
    op->a.filter_h = op->a.filter_w = 1, op->a.stride_h = op->a.stride_w = 1;
    op->a.dilation_h = op->a.dilation_w = dilation;
    op->a.padding = TA_PAD_EXPLICIT; /* all 0: VALID, as ONNX writes it (and dilation needs it) */
  }
  g->tensors[x].flags |= TA_TENSOR_INPUT;
  g->tensors[y].flags |= TA_TENSOR_OUTPUT;
  assert_int_equal(ta_graph_set_io(g, &x, 1, &y, 1), TA_OK);
  assert_int_equal(ta_graph_check(g), TA_OK);
  const ta_status cst = ta_graph_check_ops(g);
  if (cst != TA_OK)
    print_message("%s", messages);
  assert_int_equal(cst, TA_OK);
  ta_buf out;
  ta_buf_init(&out, &ctx);
  const ta_status st = ta_tfl_write(&ctx, g, &out);
  if (st == TA_OK) {
    ta_ctx rc;
    ta_ctx_init(&rc, NULL, NULL, sink, NULL);
    ta_model rm;
    const ta_status rst = compile(&rc, (const uint8_t *)out.data, out.len, false, false, &rm);
    if (rst != TA_OK)
      print_message("%s", messages);
    assert_int_equal(rst, TA_OK);
    const ta_tensor *ry = &rm.g->tensors[rm.g->outputs[0]];
    *out_rank = ry->rank;
    memcpy(out_dims, ry->dims, (size_t)ry->rank * sizeof *out_dims);
    ta_ctx_free(&rc);
  } else {
    assert_int_equal(out.len, 0);
  }
  ta_buf_free(&out);
  ta_ctx_free(&ctx);
  return st;
}

/* Every reduction keeps its keep_dims through the file (the reader reads a ReducerOptions
 * table for each: without it the output loses the reduced axis). */
static void test_reducers_keep_dims(void **state) {
  (void)state;
  static const int32_t axis2 = 2;
  const ta_op_kind kinds[] = {TA_OP_MEAN, TA_OP_SUM, TA_OP_REDUCE_MAX, TA_OP_REDUCE_MIN};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    for (int keep = 0; keep < 2; keep++) {
      int32_t rank = 0, dims[4] = {0};
      assert_int_equal(write_one(kinds[i], &axis2, keep, 0, 1, &rank, dims), TA_OK);
      if (keep) {
        assert_int_equal(rank, 4);
        assert_memory_equal(dims, ((int32_t[]){1, 2, 1, 4}), sizeof dims);
      } else {
        assert_int_equal(rank, 3);
        assert_memory_equal(dims, ((int32_t[]){1, 2, 4}), 3 * sizeof dims[0]);
      }
    }
  }
}

/* Attributes TFLite has no field for are refused, not dropped: ELU's alpha, pool dilation. */
static void test_refused_attrs(void **state) {
  (void)state;
  int32_t rank, dims[4];
  assert_int_equal(write_one(TA_OP_ELU, NULL, false, 1.0f, 1, &rank, dims), TA_OK);
  assert_int_equal(write_one(TA_OP_ELU, NULL, false, 2.0f, 1, &rank, dims), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "\"the_op\": ELU with alpha other than 1"));
  assert_int_equal(write_one(TA_OP_MAX_POOL_2D, NULL, false, 0, 1, &rank, dims), TA_OK);
  assert_int_equal(write_one(TA_OP_MAX_POOL_2D, NULL, false, 0, 2, &rank, dims),
                   TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "dilated pooling"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_round_trip_int8_io),
      cmocka_unit_test(test_round_trip_svdf),    cmocka_unit_test(test_refused),
      cmocka_unit_test(test_reducers_keep_dims), cmocka_unit_test(test_refused_attrs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
