/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_quantize.c: post-training quantization (src/quantize). The calibration reader on good
 * and bad files with its exact messages; the observers on known distributions; small float
 * models built in code, quantized through the compile entry point and evaluated against the
 * float model (SQNR bound), their int8 ops on the int8 kernels, the fused activation in the
 * clamp, an op without int8 kernel kept float; and, when ../shared is there, the float models of
 * ../shared/models with their reference inputs as calibration (output SQNR printed), plus the
 * gesture example (accuracy float vs int8 printed).
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
#include "ta_quantize.h"
#include "tflbuild.h"

/* ---- messages --------------------------------------------------------------------------- */

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

/* ---- the reader -------------------------------------------------------------------------- */

static ta_tensor input_tensor(int32_t rank, const int32_t *dims) {
  ta_tensor t;
  memset(&t, 0, sizeof t);
  t.name = "x";
  t.dtype = TA_DT_F32;
  t.rank = rank;
  t.shape_known = true;
  memcpy(t.dims, dims, (size_t)rank * sizeof *dims);
  return t;
}

/* A .npy file: header dict text, then payload. */
static size_t npy(uint8_t *out, const char *dict, const void *payload, size_t n) {
  const size_t dl = strlen(dict);
  size_t hl = dl + 1;
  while ((10 + hl) % 64)
    hl++;
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (uint8_t)(hl & 0xff);
  out[9] = (uint8_t)(hl >> 8);
  memset(out + 10, ' ', hl);
  memcpy(out + 10, dict, dl);
  out[10 + hl - 1] = '\n';
  memcpy(out + 10 + hl, payload, n);
  return 10 + hl + n;
}

static void test_reader_bin(void **state) {
  (void)state;
  ta_ctx ctx;
  ctx_init(&ctx);
  const ta_tensor t = input_tensor(4, (const int32_t[]){1, 2, 2, 1});
  float rec[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  float *v;
  int64_t n;
  assert_int_equal(ta_calib_parse(&ctx, "c.bin", (const uint8_t *)rec, sizeof rec, &t, &v, &n),
                   TA_OK);
  assert_int_equal(n, 2);
  assert_true(v[5] == 6.0f);
  /* Wrong size, empty, NaN, infinity. */
  assert_int_equal(ta_calib_parse(&ctx, "c.bin", (const uint8_t *)rec, 20, &t, &v, &n),
                   TA_ERR_MALFORMED);
  assert_string_equal(messages, "c.bin: has 20 bytes, not a multiple of 16 (one float32 record "
                                "of input \"x\" [1,2,2,1])\n");
  messages[0] = '\0';
  assert_int_equal(ta_calib_parse(&ctx, "e.bin", (const uint8_t *)rec, 0, &t, &v, &n),
                   TA_ERR_MALFORMED);
  assert_string_equal(messages, "e.bin: is empty; expected float32 records of 16 bytes (input "
                                "\"x\" [1,2,2,1])\n");
  messages[0] = '\0';
  rec[6] = NAN;
  assert_int_equal(ta_calib_parse(&ctx, "n.bin", (const uint8_t *)rec, sizeof rec, &t, &v, &n),
                   TA_ERR_MALFORMED);
  assert_string_equal(messages,
                      "n.bin: record 1, element 2 is NaN; calibration data must be finite\n");
  messages[0] = '\0';
  rec[6] = INFINITY;
  assert_int_equal(ta_calib_parse(&ctx, "n.bin", (const uint8_t *)rec, sizeof rec, &t, &v, &n),
                   TA_ERR_MALFORMED);
  assert_string_equal(messages,
                      "n.bin: record 1, element 2 is infinite; calibration data must be finite\n");
  ta_ctx_free(&ctx);
}

static void test_reader_npy(void **state) {
  (void)state;
  ta_ctx ctx;
  ctx_init(&ctx);
  const ta_tensor t = input_tensor(4, (const int32_t[]){1, 2, 2, 1});
  uint8_t file[512];
  float *v;
  int64_t n;
  const double d[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  size_t len =
      npy(file, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2, 2, 1), }", d, sizeof d);
  assert_int_equal(ta_calib_parse(&ctx, "a.npy", file, len, &t, &v, &n), TA_OK);
  assert_int_equal(n, 3);
  assert_true(v[11] == 11.0f);
  const float f[4] = {1, 2, 3, 4};
  len = npy(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f, sizeof f);
  assert_int_equal(ta_calib_parse(&ctx, "b.npy", file, len, &t, &v, &n), TA_ERR_MALFORMED);
  assert_string_equal(messages, "b.npy: .npy shape (2,2) does not end with the dims of input "
                                "\"x\" [1,2,2,1] (leading 1s may be dropped; the dims before "
                                "them count records)\n");
  messages[0] = '\0';
  len = npy(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 1), }", f, sizeof f);
  assert_int_equal(ta_calib_parse(&ctx, "c.npy", file, len, &t, &v, &n), TA_OK);
  assert_int_equal(n, 1);
  len = npy(file, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2, 1), }", f, sizeof f);
  assert_int_equal(ta_calib_parse(&ctx, "d.npy", file, len, &t, &v, &n), TA_ERR_MALFORMED);
  assert_string_equal(messages, "d.npy: .npy data type '<i4'; expected little-endian float32 "
                                "('<f4') or float64 ('<f8')\n");
  messages[0] = '\0';
  len = npy(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 1 }", f, sizeof f);
  assert_int_equal(ta_calib_parse(&ctx, "e.npy", file, len, &t, &v, &n), TA_ERR_MALFORMED);
  assert_string_equal(messages, "e.npy: malformed .npy header: 'shape' is not a tuple of "
                                "integers\n");
  messages[0] = '\0';
  len = npy(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2, 2, 1), }", f, 0);
  assert_int_equal(ta_calib_parse(&ctx, "f.npy", file, len, &t, &v, &n), TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "f.npy: the .npy array has no records"));
  messages[0] = '\0';
  len = npy(file, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2, 1), }", f, sizeof f);
  assert_int_equal(ta_calib_parse(&ctx, "g.npy", file, len, &t, &v, &n), TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "Fortran order"));
  messages[0] = '\0';
  len = npy(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 1), }", f, 12);
  assert_int_equal(ta_calib_parse(&ctx, "h.npy", file, len, &t, &v, &n), TA_ERR_MALFORMED);
  assert_string_equal(messages, "h.npy: .npy data has 12 bytes; its shape and type say 16\n");
  messages[0] = '\0';
  file[8] = 0xff;
  assert_int_equal(ta_calib_parse(&ctx, "i.npy", file, 40, &t, &v, &n), TA_ERR_MALFORMED);
  assert_non_null(strstr(messages, "i.npy: malformed .npy header: it claims"));
  ta_ctx_free(&ctx);
}

/* ---- observers ----------------------------------------------------------------------------- */

static uint32_t rng = 12345;
static double uniform(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (rng + 0.5) / 4294967296.0;
}

static void test_observers(void **state) {
  (void)state;
  static ta_hist h;
  /* Uniform on [-1, 3]: min-max gives exactly the extremes (0 included). */
  float x[10000];
  float lo = 0, hi = 0;
  for (int i = 0; i < 10000; i++) {
    x[i] = (float)(uniform() * 4 - 1);
    lo = fminf(lo, x[i]), hi = fmaxf(hi, x[i]);
  }
  ta_hist_init(&h, lo, hi);
  ta_hist_add(&h, x, 10000);
  double a, b;
  ta_calib_method c;
  ta_hist_range(&h, TA_CALIB_MINMAX, 0, &a, &b, &c);
  assert_true(a == lo && b == hi);
  /* Percentile 99: each tail clipped at 1%, about 0.04 in from each end. */
  ta_hist_range(&h, TA_CALIB_PERCENTILE, 99.0, &a, &b, &c);
  assert_true(fabs(a - (-0.96)) < 0.02 && fabs(b - 2.96) < 0.02);
  /* Heavy tail: a million Laplace values: min-max spends the range on a few extremes (about 14
   * scales out); mse clips them (the error-optimal int8 clip is near 10 scales) and has less
   * error; auto does no worse. */
  static float lap[1000000];
  lo = hi = 0;
  for (int i = 0; i < 1000000; i++) {
    const double u = uniform();
    lap[i] = (float)(u < 0.5 ? log(2 * u) : -log(2 - 2 * u));
    lo = fminf(lo, lap[i]), hi = fmaxf(hi, lap[i]);
  }
  ta_hist_init(&h, lo, hi);
  ta_hist_add(&h, lap, 1000000);
  double ma, mb;
  ta_hist_range(&h, TA_CALIB_MSE, 0, &ma, &mb, &c);
  assert_true(mb < 0.9 * hi && mb > 5);
  assert_true(ta_hist_mse(&h, ma, mb) < ta_hist_mse(&h, lo, hi));
  ta_hist_range(&h, TA_CALIB_AUTO, 99.99, &a, &b, &c);
  assert_true(ta_hist_mse(&h, a, b) <= ta_hist_mse(&h, ma, mb));
  /* TFLite's parameters: [0, 2.55] is scale 0.01, zero point -128. */
  float s;
  int32_t zp;
  ta_quant_params(0, 2.55, &s, &zp);
  assert_true(fabsf(s - 0.01f) < 1e-7f);
  assert_int_equal(zp, -128);
}

/* ---- small models ------------------------------------------------------------------------- */

/* Deterministic weights in [-0.5, 0.5). */
static void fill(float *w, size_t n, uint32_t seed) {
  rng = seed;
  for (size_t i = 0; i < n; i++)
    w[i] = (float)(uniform() - 0.5);
}

/* The forms of conv_fc_model's filters: float32 as drawn; int8 (a hybrid model: the conv's
 * per channel, the FC's per tensor, symmetric, scale max|w| / 127); float32 holding exactly
 * the int8 form's values (q * scale, one float multiply). */
enum { WEIGHTS_FLOAT, WEIGHTS_HYBRID, WEIGHTS_DEQUANTIZED };

/* w[n] (channels of `inner` values) to q and scales (WEIGHTS_HYBRID), or to its dequantized
 * values in place (WEIGHTS_DEQUANTIZED). */
static void weights_form(int form, float *w, int n, int channels, int8_t *q, float *scales) {
  const int inner = n / channels;
  for (int c = 0; c < channels; c++) {
    float m = 0;
    for (int i = 0; i < inner; i++)
      m = fmaxf(m, fabsf(w[c * inner + i]));
    scales[c] = m / 127.0f;
    for (int i = 0; i < inner; i++) {
      q[c * inner + i] = (int8_t)lrintf(w[c * inner + i] / scales[c]);
      if (form == WEIGHTS_DEQUANTIZED)
        w[c * inner + i] = (float)q[c * inner + i] * scales[c];
    }
  }
}

/* A filter tensor of conv_fc_model in the given form. */
static int filter(tfb *b, int form, const char *name, int rank, const int32_t *dims, float *w,
                  int n, int channels) {
  if (form == WEIGHTS_FLOAT)
    return tfb_tensor(b, name, TFB_FLOAT32, rank, dims, tfb_buffer(b, w, (size_t)n * 4));
  int8_t q[1280];
  float scales[4];
  int64_t zps[4] = {0, 0, 0, 0};
  weights_form(form, w, n, channels, q, scales);
  if (form == WEIGHTS_DEQUANTIZED)
    return tfb_tensor(b, name, TFB_FLOAT32, rank, dims, tfb_buffer(b, w, (size_t)n * 4));
  const int t = tfb_tensor(b, name, TFB_INT8, rank, dims, tfb_buffer(b, q, (size_t)n));
  tfb_quant(b, t, channels, scales, zps, 0);
  return t;
}

/* x[1,8,8,3] -> CONV_2D 3x3 SAME, 4 channels, fused act -> RESHAPE [1,256] -> FULLY_CONNECTED
 * [5,256] -> y[1,5]; filters in form `form`. */
static uint8_t *conv_fc_model_form(int act, int form, size_t *len) {
  tfb *b = tfb_new();
  float cw[4 * 3 * 3 * 3], cb[4], fw[5 * 256], fb[5];
  fill(cw, 108, 1), fill(cb, 4, 2), fill(fw, 1280, 3), fill(fb, 5, 4);
  const int x = tfb_tensor(b, "x", TFB_FLOAT32, 4, (int32_t[]){1, 8, 8, 3}, 0);
  const int w = filter(b, form, "conv_w", 4, (int32_t[]){4, 3, 3, 3}, cw, 108, 4);
  const int bias = tfb_tensor(b, "conv_b", TFB_FLOAT32, 1, (int32_t[]){4}, tfb_buffer(b, cb, 16));
  const int c = tfb_tensor(b, "conv", TFB_FLOAT32, 4, (int32_t[]){1, 8, 8, 4}, 0);
  int op = tfb_op(b, TFB_OP_CONV_2D, (int[]){x, w, bias}, 3, (int[]){c}, 1);
  tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, act, 1, 1);
  const int r_in = c;
  const int r = tfb_tensor(b, "flat", TFB_FLOAT32, 2, (int32_t[]){1, 256}, 0);
  op = tfb_op(b, TFB_OP_RESHAPE, (int[]){r_in}, 1, (int[]){r}, 1);
  tfb_reshape_options(b, op, (int32_t[]){1, 256}, 2);
  const int fwt = filter(b, form, "fc_w", 2, (int32_t[]){5, 256}, fw, 1280, 1);
  const int fbt = tfb_tensor(b, "fc_b", TFB_FLOAT32, 1, (int32_t[]){5}, tfb_buffer(b, fb, 20));
  const int y = tfb_tensor(b, "y", TFB_FLOAT32, 2, (int32_t[]){1, 5}, 0);
  op = tfb_op(b, TFB_OP_FULLY_CONNECTED, (int[]){r, fwt, fbt}, 3, (int[]){y}, 1);
  tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  return bytes;
}

static uint8_t *conv_fc_model(int act, size_t *len) {
  return conv_fc_model_form(act, WEIGHTS_FLOAT, len);
}

/* n calibration records of 192 floats in [-1, 1) written to a temporary file. */
static char calib_path[64];
static void write_calib(int n, uint32_t seed) {
  snprintf(calib_path, sizeof calib_path, "/tmp/ta_test_quantize_%d.bin", (int)getpid());
  FILE *f = fopen(calib_path, "wb");
  assert_non_null(f);
  rng = seed;
  for (int i = 0; i < n * 192; i++) {
    const float v = (float)(uniform() * 2 - 1);
    fwrite(&v, 4, 1, f);
  }
  fclose(f);
}

static ta_status compile(ta_ctx *ctx, const uint8_t *model, size_t len, bool quant,
                         ta_calib_method method, ta_model *m) {
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.last_stage = TA_STAGE_SCHEDULE;
  if (quant) {
    opt.quant.mode = TA_QUANT_INT8;
    opt.quant.method = method;
    opt.quant.report = true;
    opt.quant.calib_paths[0] = calib_path;
    opt.quant.n_calib_paths = 1;
  }
  return ta_compile_bytes(ctx, "test.tflite", model, len, &opt, m);
}

/* Models a and b (conv_fc_model's interface) on one fresh input in [-1, 1) drawn from rng:
 * their outputs in ya and yb. */
static void eval_pair(const ta_model *a, const ta_model *b, float ya[5], float yb[5]) {
  float x[192];
  for (int i = 0; i < 192; i++)
    x[i] = (float)(uniform() * 2 - 1);
  const void *in[1] = {x};
  void *oa[1] = {ya}, *ob[1] = {yb};
  assert_int_equal(ta_graph_eval(a->g, a->calls, in, oa), TA_OK);
  assert_int_equal(ta_graph_eval(b->g, b->calls, in, ob), TA_OK);
}

/* SQNR (dB) of the int8 model's output vs the float model's over 20 fresh inputs. */
static double model_sqnr(const uint8_t *model, size_t len) {
  ta_ctx fc, qc;
  ctx_init(&fc);
  ctx_init(&qc);
  ta_model fm, qm;
  assert_int_equal(compile(&fc, model, len, false, TA_CALIB_MINMAX, &fm), TA_OK);
  assert_int_equal(compile(&qc, model, len, true, TA_CALIB_MINMAX, &qm), TA_OK);
  double sig = 0, err = 0;
  rng = 999;
  for (int r = 0; r < 20; r++) {
    float yf[5], yq[5];
    eval_pair(&fm, &qm, yf, yq);
    for (int k = 0; k < 5; k++)
      sig += (double)yf[k] * yf[k], err += (double)(yq[k] - yf[k]) * (yq[k] - yf[k]);
  }
  ta_ctx_free(&fc);
  ta_ctx_free(&qc);
  return 10 * log10(sig / err);
}

static const ta_op *find_op(const ta_graph *g, ta_op_kind k) {
  for (int32_t i = 0; i < g->n_ops; i++)
    if (g->ops[i].kind == k)
      return &g->ops[i];
  return NULL;
}

static void test_conv_relu_fc(void **state) {
  (void)state;
  size_t len;
  uint8_t *model = conv_fc_model(TFB_ACT_RELU, &len);
  write_calib(50, 7);
  ta_ctx ctx;
  ctx_init(&ctx);
  ta_model m;
  assert_int_equal(compile(&ctx, model, len, true, TA_CALIB_MINMAX, &m), TA_OK);
  /* QUANTIZE, CONV_2D, RESHAPE, FULLY_CONNECTED, DEQUANTIZE: the float interface kept. */
  const ta_op_kind want[] = {TA_OP_QUANTIZE, TA_OP_CONV_2D, TA_OP_RESHAPE, TA_OP_FULLY_CONNECTED,
                             TA_OP_DEQUANTIZE};
  assert_int_equal(m.g->n_ops, 5);
  for (int i = 0; i < 5; i++)
    assert_int_equal(m.g->ops[i].kind, want[i]);
  assert_int_equal(m.g->tensors[m.g->inputs[0]].dtype, TA_DT_F32);
  assert_int_equal(m.g->tensors[m.g->outputs[0]].dtype, TA_DT_F32);
  assert_string_equal(m.g->tensors[m.g->outputs[0]].name, "y");
  /* The conv: per-channel symmetric int8 weights, int32 bias at input * weight scale, and the
   * int8 kernels. */
  for (int i = 1; i < 4; i++) {
    const ta_op *op = &m.g->ops[i];
    const ta_tensor *x = &m.g->tensors[op->in[0]], *y = &m.g->tensors[op->out[0]];
    assert_int_equal(x->dtype, TA_DT_I8);
    assert_int_equal(y->dtype, TA_DT_I8);
    if (op->kind != TA_OP_RESHAPE) /* a view: no kernel */
      assert_non_null(strstr(ta_kernel_get(m.calls[i].kernel)->name, "_s8"));
  }
  const ta_op *conv = &m.g->ops[1];
  const ta_tensor *w = &m.g->tensors[conv->in[1]], *b = &m.g->tensors[conv->in[2]];
  const ta_tensor *cx = &m.g->tensors[conv->in[0]];
  assert_int_equal(w->dtype, TA_DT_I8);
  assert_int_equal(w->q.count, 4);
  assert_int_equal(b->dtype, TA_DT_I32);
  for (int c = 0; c < 4; c++) {
    assert_int_equal(w->q.zero_point[c], 0);
    assert_true(fabsf(b->q.scale[c] - cx->q.scale[0] * w->q.scale[c]) <= 1e-6f * b->q.scale[c]);
  }
  /* The fused ReLU: the range starts at 0 (zero point -128), the clamp is the int8 range. */
  const ta_tensor *cy = &m.g->tensors[conv->out[0]];
  assert_int_equal(cy->q.zero_point[0], -128);
  int32_t amin, amax;
  const ta_params_desc *pd = ta_kernel_get(m.calls[1].kernel)->params;
  assert_true(ta_params_get_i32(pd, m.calls[1].params, "clamp.min", &amin));
  assert_true(ta_params_get_i32(pd, m.calls[1].params, "clamp.max", &amax));
  assert_int_equal(amin, -128);
  assert_int_equal(amax, 127);
  /* RESHAPE keeps its input's quantization. */
  const ta_tensor *ry = &m.g->tensors[m.g->ops[2].out[0]];
  assert_true(ry->q.scale[0] == cy->q.scale[0] && ry->q.zero_point[0] == cy->q.zero_point[0]);
  /* The report: every int8 op, nothing float. */
  assert_non_null(m.quant_report);
  assert_int_equal(m.quant_report->n_layers, 3);
  assert_int_equal(m.quant_report->n_float_ops, 0);
  assert_true(m.quant_report->outputs[0].sqnr_db > 30);
  ta_ctx_free(&ctx);
  /* Outputs on fresh inputs: within 30 dB SQNR of the float model (about 3% error). */
  const double sqnr = model_sqnr(model, len);
  print_message("conv-relu-fc: output SQNR %.2f dB on fresh inputs\n", sqnr);
  assert_true(sqnr > 30);
  free(model);
  unlink(calib_path);
}

/* A hybrid model (int8 filters under float32 inputs, as TFLite's converter writes for size
 * without a representative data set) is refused as it is, with the remedy in the message,
 * and quantizes with --quantize int8 exactly as the float model holding its dequantized
 * weights does: the same int8 graph, the same output bytes. */
static void test_hybrid(void **state) {
  (void)state;
  size_t hlen, dlen;
  uint8_t *hybrid = conv_fc_model_form(TFB_ACT_RELU, WEIGHTS_HYBRID, &hlen);
  uint8_t *deq = conv_fc_model_form(TFB_ACT_RELU, WEIGHTS_DEQUANTIZED, &dlen);
  write_calib(30, 11);
  ta_ctx hc, dc;
  ctx_init(&hc);
  ta_model hm, dm;
  assert_int_equal(compile(&hc, hybrid, hlen, false, TA_CALIB_MINMAX, &hm), TA_ERR_UNSUPPORTED);
  assert_non_null(strstr(messages, "filter \"conv_w\" is int8; expected float32 like the input"));
  assert_non_null(strstr(messages, "--quantize int8 --calibration DATA"));
  ta_ctx_free(&hc);
  ctx_init(&hc);
  assert_int_equal(compile(&hc, hybrid, hlen, true, TA_CALIB_MINMAX, &hm), TA_OK);
  assert_non_null(strstr(messages, "2 op(s) with int8 weights under float32 inputs"));
  ctx_init(&dc);
  assert_int_equal(compile(&dc, deq, dlen, true, TA_CALIB_MINMAX, &dm), TA_OK);
  assert_int_equal(hm.g->n_ops, dm.g->n_ops);
  for (int32_t i = 0; i < hm.g->n_ops; i++) {
    assert_int_equal(hm.g->ops[i].kind, dm.g->ops[i].kind);
    for (int32_t k = 0; k < hm.g->ops[i].n_in; k++) {
      const ta_tensor *a = &hm.g->tensors[hm.g->ops[i].in[k]];
      const ta_tensor *d = &dm.g->tensors[dm.g->ops[i].in[k]];
      assert_int_equal(a->dtype, d->dtype);
      assert_int_equal(a->data_bytes, d->data_bytes);
      if (a->data_bytes)
        assert_memory_equal(a->data, d->data, a->data_bytes);
    }
  }
  rng = 5;
  for (int r = 0; r < 10; r++) {
    float yh[5], yd[5];
    eval_pair(&hm, &dm, yh, yd);
    assert_memory_equal(yh, yd, sizeof yh);
  }
  ta_ctx_free(&hc);
  ta_ctx_free(&dc);
  free(hybrid);
  free(deq);
  unlink(calib_path);
}

static void test_relu6_clamp(void **state) {
  (void)state;
  size_t len;
  uint8_t *model = conv_fc_model(TFB_ACT_RELU6, &len);
  write_calib(20, 11);
  /* Scale the inputs up so that the conv output reaches past 6. */
  FILE *f = fopen(calib_path, "wb");
  for (int i = 0; i < 20 * 192; i++) {
    const float v = (float)(uniform() * 40 - 20);
    fwrite(&v, 4, 1, f);
  }
  fclose(f);
  ta_ctx ctx;
  ctx_init(&ctx);
  ta_model m;
  assert_int_equal(compile(&ctx, model, len, true, TA_CALIB_MINMAX, &m), TA_OK);
  const ta_op *conv = find_op(m.g, TA_OP_CONV_2D);
  assert_non_null(conv);
  assert_int_equal(conv->a.act, TA_ACT_RELU6);
  const ta_tensor *y = &m.g->tensors[conv->out[0]];
  /* The range observed after the activation: [0, 6] at most. */
  assert_int_equal(y->q.zero_point[0], -128);
  assert_true(y->q.scale[0] * 255 <= 6.0f * 1.0001f);
  ta_ctx_free(&ctx);
  free(model);
  unlink(calib_path);
}

/* x[1,4,4,2] -> ADD(x, c1) -> LEAKY_RELU -> ADD(., c2) -> y, built with the IR API (the TFLite
 * reader maps no operator without an int8 kernel), quantized with an in-memory calibration set. */
static void test_float_op_kept(void **state) {
  (void)state;
  ta_ctx ctx;
  ctx_init(&ctx);
  ta_graph *g = ta_graph_new(&ctx, "test");
  const int32_t dims[4] = {1, 4, 4, 2};
  static float c1[32], c2[32];
  fill(c1, 32, 21), fill(c2, 32, 22);
  const int32_t x = ta_graph_add_tensor(g, "x", TA_DT_F32, 4, dims);
  const int32_t k1 = ta_graph_add_tensor(g, "c1", TA_DT_F32, 4, dims);
  const int32_t k2 = ta_graph_add_tensor(g, "c2", TA_DT_F32, 4, dims);
  const int32_t t = ta_graph_add_tensor(g, "t", TA_DT_F32, 4, dims);
  const int32_t u = ta_graph_add_tensor(g, "u", TA_DT_F32, 4, dims);
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, 4, dims);
  g->tensors[k1].data = (const uint8_t *)c1, g->tensors[k1].data_bytes = sizeof c1;
  g->tensors[k2].data = (const uint8_t *)c2, g->tensors[k2].data_bytes = sizeof c2;
  g->tensors[x].flags |= TA_TENSOR_INPUT;
  g->tensors[y].flags |= TA_TENSOR_OUTPUT;
  int32_t o = ta_graph_add_op(g, TA_OP_ADD, 2, 1);
  g->ops[o].in[0] = x, g->ops[o].in[1] = k1, g->ops[o].out[0] = t, g->ops[o].name = "add1";
  o = ta_graph_add_op(g, TA_OP_LEAKY_RELU, 1, 1);
  g->ops[o].in[0] = t, g->ops[o].out[0] = u, g->ops[o].a.alpha = 0.1f, g->ops[o].name = "leaky";
  o = ta_graph_add_op(g, TA_OP_ADD, 2, 1);
  g->ops[o].in[0] = u, g->ops[o].in[1] = k2, g->ops[o].out[0] = y, g->ops[o].name = "add2";
  assert_int_equal(ta_graph_set_io(g, &x, 1, &y, 1), TA_OK);
  assert_int_equal(ta_graph_check(g), TA_OK);
  assert_int_equal(ta_graph_check_ops(g), TA_OK);
  static float records[20 * 32];
  fill(records, 20 * 32, 23);
  size_t elems = 32;
  float *data[1] = {records};
  const ta_calib_set cal = {1, 20, &elems, data};
  ta_quant_options opt = {.mode = TA_QUANT_INT8, .report = true};
  ta_graph *qg;
  ta_quant_report *r;
  assert_int_equal(ta_quantize_graph(g, &cal, &opt, &qg, &r), TA_OK);
  /* LEAKY_RELU has no int8 kernel: DEQUANTIZE before it, QUANTIZE after. */
  const ta_op_kind want[] = {TA_OP_QUANTIZE, TA_OP_ADD, TA_OP_DEQUANTIZE, TA_OP_LEAKY_RELU,
                             TA_OP_QUANTIZE, TA_OP_ADD, TA_OP_DEQUANTIZE};
  assert_int_equal(qg->n_ops, 7);
  for (int i = 0; i < 7; i++)
    assert_int_equal(qg->ops[i].kind, want[i]);
  assert_int_equal(qg->tensors[qg->ops[3].in[0]].dtype, TA_DT_F32);
  assert_int_equal(qg->tensors[qg->ops[5].in[0]].dtype, TA_DT_I8);
  assert_int_equal(r->n_float_ops, 1);
  assert_string_equal(r->float_ops[0].op_kind, "LEAKY_RELU");
  assert_string_equal(r->float_ops[0].reason,
                      "op 1 LEAKY_RELU \"leaky\": input \"t\" is int8 and output \"u\" int8; "
                      "expected float32");
  ta_buf b;
  ta_buf_init(&b, &ctx);
  ta_quant_report_text(r, &b);
  ta_buf_append(&b, "", 1);
  assert_non_null(strstr(b.data, "ops kept in float"));
  ta_buf_free(&b);
  ta_buf_init(&b, &ctx);
  ta_quant_report_json(r, &b);
  ta_buf_append(&b, "", 1);
  assert_non_null(strstr(b.data, "\"float_ops\": [\n  {\"type\": \"LEAKY_RELU\""));
  ta_buf_free(&b);
  /* With int8 I/O: no QUANTIZE at the input, no DEQUANTIZE at the output. */
  opt.int8_io = true;
  assert_int_equal(ta_quantize_graph(g, &cal, &opt, &qg, &r), TA_OK);
  assert_int_equal(qg->n_ops, 5);
  assert_int_equal(qg->tensors[qg->inputs[0]].dtype, TA_DT_I8);
  assert_int_equal(qg->tensors[qg->outputs[0]].dtype, TA_DT_I8);
  assert_string_equal(qg->tensors[qg->outputs[0]].name, "y");
  /* An int8 model has nothing to quantize. */
  messages[0] = '\0';
  g->tensors[x].dtype = TA_DT_I8;
  assert_int_equal(ta_quantize_graph(g, &cal, &opt, &qg, &r), TA_ERR_UNSUPPORTED);
  assert_string_equal(messages, "tensor 0 \"x\": graph input is int8; post-training quantization "
                                "takes float32 models\n");
  ta_ctx_free(&ctx);
}

static void test_refusals(void **state) {
  (void)state;
  size_t len;
  uint8_t *model = conv_fc_model(TFB_ACT_NONE, &len);
  /* A calibration file of the wrong size. */
  snprintf(calib_path, sizeof calib_path, "/tmp/ta_test_quantize_%d.bin", (int)getpid());
  FILE *f = fopen(calib_path, "wb");
  fwrite("abcdefgh", 1, 8, f);
  fclose(f);
  ta_ctx ctx;
  ctx_init(&ctx);
  ta_model m;
  assert_int_equal(compile(&ctx, model, len, true, TA_CALIB_MINMAX, &m), TA_ERR_MALFORMED);
  char want[256];
  snprintf(want, sizeof want,
           "%s: has 8 bytes, not a multiple of 768 (one float32 record of input \"x\" "
           "[1,8,8,3])\n",
           calib_path);
  assert_string_equal(messages, want);
  ta_ctx_free(&ctx);
  /* Calibration without quantization. */
  ctx_init(&ctx);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.quant.calib_paths[0] = calib_path;
  opt.quant.n_calib_paths = 1;
  assert_int_equal(ta_compile_bytes(&ctx, "t.tflite", model, len, &opt, &m), TA_ERR_USAGE);
  ta_ctx_free(&ctx);
  unlink(calib_path);
  free(model);
}

/* ---- the models of ../shared and the gesture example ----------------------------------------- */

static const char *shared_dir(void) {
  const char *d = getenv("TA_SHARED_DIR");
  return d ? d : "../shared";
}

/* The reference inputs of ../shared/vectors/<model>/<case>/input_0.bin, concatenated into one
 * calibration file; false when absent. */
static bool shared_calib(const char *name) {
  static const char *cases[] = {"xorshift", "rand_1", "rand_2", "min", "max",
                                "x_0",      "x_1",    "x_3",    "x_5"};
  snprintf(calib_path, sizeof calib_path, "/tmp/ta_test_quantize_%d.bin", (int)getpid());
  FILE *out = fopen(calib_path, "wb");
  assert_non_null(out);
  int n = 0;
  for (size_t k = 0; k < TA_ARRAY_LEN(cases); k++) {
    char p[512];
    snprintf(p, sizeof p, "%s/vectors/%s/%s/input_0.bin", shared_dir(), name, cases[k]);
    FILE *f = fopen(p, "rb");
    if (!f)
      continue;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
      fwrite(buf, 1, got, out);
    fclose(f);
    n++;
  }
  fclose(out);
  return n > 0;
}

static void test_shared_models(void **state) {
  (void)state;
  static const char *models[] = {"ic_resnet8_float", "vww_mobilenet_float", "ad_autoencoder_float",
                                 "hello_world_float", "mnist_lstm_float"};
  /* Ops each keeps in float: the LSTM (recurrent state, no int8 form from a float model). */
  static const int32_t float_ops[] = {0, 0, 0, 0, 1};
  int done = 0;
  for (size_t k = 0; k < TA_ARRAY_LEN(models); k++) {
    char path[512];
    snprintf(path, sizeof path, "%s/models/tflite/%s.tflite", shared_dir(), models[k]);
    if (access(path, R_OK) != 0 || !shared_calib(models[k])) {
      print_message("%s: skipped (not in %s)\n", models[k], shared_dir());
      continue;
    }
    for (int mth = TA_CALIB_MINMAX; mth <= TA_CALIB_AUTO; mth++) {
      ta_ctx ctx;
      ctx_init(&ctx);
      ta_compile_options opt;
      ta_compile_options_init(&opt);
      opt.quant.mode = TA_QUANT_INT8;
      opt.quant.method = (ta_calib_method)mth;
      opt.quant.report = true;
      opt.quant.calib_paths[0] = calib_path;
      opt.quant.n_calib_paths = 1;
      ta_model m;
      const ta_status st = ta_compile_file(&ctx, path, &opt, &m);
      if (st != TA_OK)
        print_message("%s", messages);
      assert_int_equal(st, TA_OK);
      const ta_quant_report *r = m.quant_report;
      print_message("%-22s %-10s %lld records: output SQNR %6.2f dB, cosine %.5f; %d int8 ops, "
                    "%d float\n",
                    models[k], ta_calib_method_name((ta_calib_method)mth), (long long)r->n_records,
                    r->outputs[0].sqnr_db, r->outputs[0].cosine, r->n_int8_ops,
                    r->n_float_ops_total);
      /* A loose floor against gross errors. */
      assert_int_equal(r->n_float_ops_total, float_ops[k]);
      assert_true(r->outputs[0].sqnr_db > 10);
      ta_ctx_free(&ctx);
    }
    done++;
  }
  unlink(calib_path);
  if (!done)
    skip();
}

static void test_gesture(void **state) {
  (void)state;
  const char *model = TA_SOURCE_DIR "/examples/gesture/gesture.onnx";
  if (access(model, R_OK) != 0)
    skip();
  for (int bc = 0; bc <= 1; bc++) {
    for (int mth = TA_CALIB_MINMAX; mth <= TA_CALIB_AUTO; mth++) {
      ta_ctx ctx;
      ctx_init(&ctx);
      ta_compile_options opt;
      ta_compile_options_init(&opt);
      opt.quant.mode = TA_QUANT_INT8;
      opt.quant.method = (ta_calib_method)mth;
      opt.quant.bias_correction = bc;
      opt.quant.report = true;
      opt.quant.calib_paths[0] = TA_SOURCE_DIR "/examples/gesture/test_inputs.bin";
      opt.quant.n_calib_paths = 1;
      opt.quant.labels_path = TA_SOURCE_DIR "/examples/gesture/test_labels.bin";
      ta_model m;
      const ta_status st = ta_compile_file(&ctx, model, &opt, &m);
      if (st != TA_OK)
        print_message("%s", messages);
      assert_int_equal(st, TA_OK);
      const ta_quant_report *r = m.quant_report;
      assert_true(r->has_labels);
      print_message("gesture %-10s bias correction %-3s: accuracy float %.2f%%, int8 %.2f%%, same "
                    "class %.2f%%, output SQNR %.2f dB\n",
                    ta_calib_method_name((ta_calib_method)mth), bc ? "on" : "off",
                    100 * r->acc_float, 100 * r->acc_int8, 100 * r->agreement,
                    r->outputs[0].sqnr_db);
      assert_true(r->agreement > 0.9);
      ta_ctx_free(&ctx);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reader_bin),  cmocka_unit_test(test_reader_npy),
      cmocka_unit_test(test_observers),   cmocka_unit_test(test_conv_relu_fc),
      cmocka_unit_test(test_relu6_clamp), cmocka_unit_test(test_float_op_kept),
      cmocka_unit_test(test_refusals),    cmocka_unit_test(test_shared_models),
      cmocka_unit_test(test_hybrid),      cmocka_unit_test(test_gesture),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
