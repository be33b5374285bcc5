/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_quantize_qdq.c: the quantized model written back as QDQ ONNX (ta_onnx_write_qdq).
 * Float ONNX models built in code are quantized through the compile entry point; the QDQ file
 * is read with protobuf-c (what it holds: int8 per-channel weights behind DequantizeLinear with
 * `axis`, int32 biases, no float weights left, every original node kept) and with our own
 * reader, whose int8 graph must have the same ops, the same int8 weights and biases, and give
 * the same output bytes as the graph the quantize stage made. The one arithmetic difference
 * between the two is the rounding of QuantizeLinear on exact ties (ONNX rounds half to even,
 * TFLite's QUANTIZE half away from zero); random float inputs never hit a tie.
 * Refusals: an opset below 13 (per-channel DequantizeLinear needs 13) and a TFLite model.
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

#include "onnxbuild.h"
#include "ta_compile.h"
#include "ta_onnx.h"

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
static float wave(int i) {
  return (float)sin(0.7 * i + 0.3) * 0.5f;
}
static float small(int i) {
  return (float)((i % 7) - 3) * 0.05f;
}
static float positive(int i) {
  return 0.5f + (float)(i % 5) * 0.1f;
}

/* x[1,3,8,8] -> Conv 3x3 pads 1 (4) [-> BatchNormalization] -> Relu -> MaxPool 2x2 -> Conv 1x1
 * (6) -> Relu -> GlobalAveragePool -> Flatten -> Gemm transB (5) -> Softmax y[1,5]. */
static bool broadcast_bias; /* the Gemm's bias as [1, 5] instead of [5] */

static oxb *model(int64_t opset, bool bn) {
  oxb *m = oxb_new(opset);
  oxb_input(m, "x", OXB_FLOAT, 4, (int[]){1, 3, 8, 8});
  oxb_init_f32(m, "w1", 4, (int[]){4, 3, 3, 3}, wave);
  oxb_init_f32(m, "b1", 1, (int[]){4}, small);
  Onnx__NodeProto *c = oxb_node(m, "Conv", "x w1 b1", "c1");
  oxb_attr_ints(m, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
  if (bn) {
    oxb_init_f32(m, "gamma", 1, (int[]){4}, positive);
    oxb_init_f32(m, "beta", 1, (int[]){4}, small);
    oxb_init_f32(m, "mean", 1, (int[]){4}, small);
    oxb_init_f32(m, "var", 1, (int[]){4}, positive);
    oxb_node(m, "BatchNormalization", "c1 gamma beta mean var", "n1");
    oxb_node(m, "Relu", "n1", "r1");
  } else {
    oxb_node(m, "Relu", "c1", "r1");
  }
  Onnx__NodeProto *p = oxb_node(m, "MaxPool", "r1", "p1");
  oxb_attr_ints(m, p, "kernel_shape", 2, (int64_t[]){2, 2});
  oxb_attr_ints(m, p, "strides", 2, (int64_t[]){2, 2});
  oxb_init_f32(m, "w2", 4, (int[]){6, 4, 1, 1}, wave);
  oxb_init_f32(m, "b2", 1, (int[]){6}, small);
  oxb_node(m, "Conv", "p1 w2 b2", "c2");
  oxb_node(m, "Relu", "c2", "r2");
  oxb_node(m, "GlobalAveragePool", "r2", "g");
  oxb_node(m, "Flatten", "g", "f");
  oxb_init_f32(m, "wf", 2, (int[]){5, 6}, wave);
  if (broadcast_bias)
    oxb_init_f32(m, "bf", 2, (int[]){1, 5}, small);
  else
    oxb_init_f32(m, "bf", 1, (int[]){5}, small);
  Onnx__NodeProto *gm = oxb_node(m, "Gemm", "f wf bf", "z");
  oxb_attr_int(m, gm, "transB", 1);
  oxb_node(m, "Softmax", "z", "y");
  oxb_output(m, "y", OXB_FLOAT, 2, (int[]){1, 5});
  return m;
}

static char calib_path[64];
static void write_calib(int n) {
  snprintf(calib_path, sizeof calib_path, "/tmp/ta_test_qdq_%d.bin", (int)getpid());
  FILE *f = fopen(calib_path, "wb");
  assert_non_null(f);
  rng = 77;
  for (int i = 0; i < n * 192; i++) {
    const float v = (float)(uniform() * 2 - 1);
    fwrite(&v, 4, 1, f);
  }
  fclose(f);
}

static ta_status compile(ta_ctx *ctx, const char *name, const uint8_t *bytes, size_t len,
                         bool quant, bool int8_io, ta_model *m) {
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.last_stage = TA_STAGE_SCHEDULE;
  if (quant) {
    opt.quant.mode = TA_QUANT_INT8;
    opt.quant.int8_io = int8_io;
    opt.quant.calib_paths[0] = calib_path;
    opt.quant.n_calib_paths = 1;
  }
  return ta_compile_bytes(ctx, name, bytes, len, &opt, m);
}

static int64_t attr_i(const Onnx__NodeProto *n, const char *name, int64_t def) {
  for (size_t k = 0; k < n->n_attribute; k++)
    if (strcmp(n->attribute[k]->name, name) == 0)
      return n->attribute[k]->i;
  return def;
}

/* What the file holds, read with protobuf-c. */
static void check_file(const uint8_t *data, size_t len, bool bn, bool int8_io) {
  Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, data);
  assert_non_null(mp);
  const Onnx__GraphProto *g = mp->graph;
  int n_q = 0, n_dq = 0, n_axis = 0, n_other = 0, n_bn = 0;
  for (size_t i = 0; i < g->n_node; i++) {
    const char *op = g->node[i]->op_type;
    if (strcmp(op, "QuantizeLinear") == 0) {
      n_q++;
    } else if (strcmp(op, "DequantizeLinear") == 0) {
      n_dq++;
      n_axis += attr_i(g->node[i], "axis", -1) >= 0;
    } else {
      n_other += 1;
      n_bn += strcmp(op, "BatchNormalization") == 0;
    }
  }
  /* Conv, Relu, MaxPool, Conv, Relu, GlobalAveragePool, Flatten, Gemm, Softmax: the BN went
   * into the first Conv. */
  assert_int_equal(n_other, 9);
  assert_int_equal(n_bn, 0);
  /* Three weights and three biases per channel; activations: x, r1, p1, r2, g, f, z, y. */
  assert_int_equal(n_axis, 6);
  assert_int_equal(n_q, int8_io ? 7 : 8);
  assert_int_equal(n_dq, 6 + (int8_io ? 7 : 8));
  /* No float weight is left; int8 weights and int32 biases are. */
  int n_i8 = 0, n_i32 = 0;
  for (size_t i = 0; i < g->n_initializer; i++) {
    const Onnx__TensorProto *t = g->initializer[i];
    if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
      assert_true(t->n_dims <= 1); /* scales only: [C] or scalar */
    n_i8 += t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT8 && t->n_dims >= 2;
    n_i32 += t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 && t->n_dims == 1 &&
             t->dims[0] > 1 && strstr(t->name, "_quantized");
  }
  assert_int_equal(n_i8, 3);
  assert_int_equal(n_i32, 3);
  assert_int_equal(g->input[0]->type->tensor_type->elem_type,
                   int8_io ? ONNX__TENSOR_PROTO__DATA_TYPE__INT8
                           : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  assert_int_equal(g->n_input, 1);
  assert_string_equal(g->output[0]->name, "y");
  (void)bn;
  onnx__model_proto__free_unpacked(mp, NULL);
}

static void round_trip(bool bn, bool int8_io) {
  oxb *fm = model(13, bn);
  size_t len;
  const uint8_t *fbytes = oxb_finish(fm, &len);
  write_calib(40);
  ta_ctx qc, rc;
  ctx_init(&qc);
  ta_model qm, rm;
  assert_int_equal(compile(&qc, "test.onnx", fbytes, len, true, int8_io, &qm), TA_OK);
  ta_buf out;
  ta_buf_init(&out, &qc);
  const ta_status st = ta_onnx_write_qdq(&qc, "test.onnx", fbytes, len, qm.g, &out);
  if (st != TA_OK)
    print_message("%s", messages);
  assert_int_equal(st, TA_OK);
  check_file((const uint8_t *)out.data, out.len, bn, int8_io);
  ctx_init(&rc);
  const ta_status rst =
      compile(&rc, "qdq.onnx", (const uint8_t *)out.data, out.len, false, false, &rm);
  if (rst != TA_OK)
    print_message("%s", messages);
  assert_int_equal(rst, TA_OK);

  /* The same ops; the weighted ones with the same int8 weights, scales and int32 biases. */
  if (rm.g->n_ops != qm.g->n_ops) {
    for (int32_t i = 0; i < qm.g->n_ops; i++)
      print_message("stage %d %s\n", i, ta_op_kind_name(qm.g->ops[i].kind));
    for (int32_t i = 0; i < rm.g->n_ops; i++)
      print_message("qdq   %d %s\n", i, ta_op_kind_name(rm.g->ops[i].kind));
  }
  assert_int_equal(rm.g->n_ops, qm.g->n_ops);
  int weighted = 0;
  for (int32_t i = 0; i < qm.g->n_ops; i++) {
    const ta_op *a = &qm.g->ops[i], *b = &rm.g->ops[i];
    assert_int_equal(a->kind, b->kind);
    if (!ta_op_has_flag(a->kind, TA_OPF_WEIGHTED))
      continue;
    weighted++;
    for (int32_t k = 1; k < 3; k++) {
      const ta_tensor *ta = &qm.g->tensors[a->in[k]], *tb = &rm.g->tensors[b->in[k]];
      assert_int_equal(ta->dtype, k == 1 ? TA_DT_I8 : TA_DT_I32);
      assert_int_equal(ta->dtype, tb->dtype);
      assert_int_equal(ta->data_bytes, tb->data_bytes);
      assert_memory_equal(ta->data, tb->data, ta->data_bytes);
      if (k == 2)
        continue; /* the bias's scales are implied: input scale times weight scale */
      assert_int_equal(ta->q.count, tb->q.count);
      for (int32_t c = 0; c < ta->q.count; c++)
        assert_true(fabsf(ta->q.scale[c] - tb->q.scale[c]) <= 1e-6f * fabsf(ta->q.scale[c]));
    }
    const ta_tensor *ya = &qm.g->tensors[a->out[0]], *yb = &rm.g->tensors[b->out[0]];
    assert_true(ya->q.scale[0] == yb->q.scale[0]);
    assert_int_equal(ya->q.zero_point[0], yb->q.zero_point[0]);
  }
  assert_int_equal(weighted, 3);

  /* The same output bytes on fresh inputs. */
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
    const ta_status e = ta_graph_eval(qm.g, qm.calls, inp, oq);
    if (e != TA_OK)
      print_message("%s", messages);
    assert_int_equal(e, TA_OK);
    assert_int_equal(ta_graph_eval(rm.g, rm.calls, inp, orr), TA_OK);
    assert_memory_equal(yq, yr, int8_io ? 5 : sizeof yq);
  }
  ta_buf_free(&out);
  ta_ctx_free(&qc);
  ta_ctx_free(&rc);
  oxb_free(fm);
  unlink(calib_path);
}

static void test_round_trip(void **state) {
  (void)state;
  round_trip(false, false);
}

static void test_round_trip_batchnorm(void **state) {
  (void)state;
  round_trip(true, false);
}

static void test_round_trip_int8_io(void **state) {
  (void)state;
  round_trip(false, true);
}

/* Opset 12: no per-channel DequantizeLinear; refused with the reason, nothing appended. */
static void test_old_opset_refused(void **state) {
  (void)state;
  oxb *fm = model(12, false);
  size_t len;
  const uint8_t *fbytes = oxb_finish(fm, &len);
  write_calib(10);
  ta_ctx qc;
  ctx_init(&qc);
  ta_model qm;
  assert_int_equal(compile(&qc, "old.onnx", fbytes, len, true, false, &qm), TA_OK);
  ta_buf out;
  ta_buf_init(&out, &qc);
  messages[0] = '\0';
  assert_int_equal(ta_onnx_write_qdq(&qc, "old.onnx", fbytes, len, qm.g, &out), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "old.onnx"));
  assert_non_null(strstr(messages, "opset 13"));
  assert_non_null(strstr(messages, "opset 12"));
  assert_int_equal(out.len, 0);
  ta_buf_free(&out);
  ta_ctx_free(&qc);
  oxb_free(fm);
  unlink(calib_path);
}

/* A bias QDQ cannot give one int32 per channel (broadcast [1, 5]) stays float, and the
 * writer says so, naming the node and the initializer. */
static void test_broadcast_bias_noted(void **state) {
  (void)state;
  broadcast_bias = true;
  oxb *fm = model(13, false);
  broadcast_bias = false;
  size_t len;
  const uint8_t *fbytes = oxb_finish(fm, &len);
  write_calib(10);
  ta_ctx qc;
  ctx_init(&qc);
  ta_model qm;
  assert_int_equal(compile(&qc, "bb.onnx", fbytes, len, true, false, &qm), TA_OK);
  ta_buf out;
  ta_buf_init(&out, &qc);
  messages[0] = '\0';
  assert_int_equal(ta_onnx_write_qdq(&qc, "bb.onnx", fbytes, len, qm.g, &out), TA_OK);
  assert_non_null(strstr(messages, "bb.onnx: node Gemm"));
  assert_non_null(strstr(messages, "bias \"bf\" is not one value per output channel"));
  assert_true(out.len > 0);
  ta_buf_free(&out);
  ta_ctx_free(&qc);
  oxb_free(fm);
  unlink(calib_path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),           cmocka_unit_test(test_round_trip_batchnorm),
      cmocka_unit_test(test_round_trip_int8_io),   cmocka_unit_test(test_old_opset_refused),
      cmocka_unit_test(test_broadcast_bias_noted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
