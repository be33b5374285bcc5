/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_schedule.c: the schedule stage and the backend seam. The default heuristic picks the
 * optimized variant where its predicate holds and the reference elsewhere (groups, depth
 * multiplier, weight zero point); reference_kernels picks the reference everywhere; the
 * planner switches to an in-place form only where the input dies; an override names a
 * variant (or is refused); a backend claims ops, the rest stays on the CPU, and codegen
 * calls each op the way its backend says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_codegen.h"
#include "ta_schedule.h"
#include "ta_tflite.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

/* One op after a RELU (so its input is an arena tensor that dies there, unless keep_input
 * makes it a graph output too). */
typedef struct model {
  int op;  /* TFB_OP_CONV_2D, TFB_OP_DEPTHWISE_CONV_2D, TFB_OP_FULLY_CONNECTED */
  int flt; /* float32 instead of int8 */
  int32_t h, w, ci, co;
  int32_t k_ci;   /* CONV_2D: filter input channels (ci / groups); 0: ci */
  int32_t mult;   /* DEPTHWISE_CONV_2D: depth multiplier; 0: 1 */
  int32_t stride; /* 0: 1 */
  int32_t dil;    /* 0: 1 */
  int64_t w_zp;   /* FULLY_CONNECTED: the weights' zero point (per tensor) */
  int no_relu;    /* the op reads the graph input directly */
  int keep_input; /* the op's input is also a graph output (it does not die at the op) */
} model;

static void quant(tfb *b, const model *m, int t, float s, int64_t zp) {
  if (!m->flt)
    tfb_quant(b, t, 1, &s, &zp, 0);
}

static uint8_t *build(const model *m, size_t *len) {
  tfb *b = tfb_new();
  const int dt = m->flt ? TFB_FLOAT32 : TFB_INT8;
  const size_t esz = m->flt ? 4 : 1;
  const int32_t stride = m->stride ? m->stride : 1, dil = m->dil ? m->dil : 1;
  const bool fc = m->op == TFB_OP_FULLY_CONNECTED;
  int32_t in_dims[4] = {1, m->h, m->w, m->ci};
  if (fc)
    in_dims[1] = m->ci;
  const int rank = fc ? 2 : 4;
  int x = tfb_tensor(b, "x", dt, rank, in_dims, 0);
  quant(b, m, x, 0.05f, 3);
  int src = x;
  if (!m->no_relu) {
    src = tfb_tensor(b, "r", dt, rank, in_dims, 0);
    quant(b, m, src, 0.05f, 3);
    tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){src}, 1);
  }
  const int32_t mult = m->mult ? m->mult : 1;
  const int32_t co = m->op == TFB_OP_DEPTHWISE_CONV_2D ? m->ci * mult : m->co;
  int32_t wd[4];
  if (m->op == TFB_OP_CONV_2D)
    wd[0] = co, wd[1] = 3, wd[2] = 3, wd[3] = m->k_ci ? m->k_ci : m->ci;
  else if (m->op == TFB_OP_DEPTHWISE_CONV_2D)
    wd[0] = 1, wd[1] = 3, wd[2] = 3, wd[3] = co;
  else
    wd[0] = co, wd[1] = m->ci, wd[2] = wd[3] = 1;
  const size_t wn = (size_t)wd[0] * (size_t)wd[1] * (size_t)wd[2] * (size_t)wd[3];
  uint8_t *wv = calloc(wn, esz);
  for (size_t i = 0; i < wn; i++)
    wv[i * esz] = (uint8_t)(i * 7 % 13);
  int tw = tfb_tensor(b, "w", dt, fc ? 2 : 4, wd, tfb_buffer(b, wv, wn * esz));
  free(wv);
  quant(b, m, tw, 0.01f, m->w_zp);
  int32_t *bv = calloc((size_t)co, 4);
  int tb = tfb_tensor(b, "b", m->flt ? TFB_FLOAT32 : TFB_INT32, 1, (int32_t[]){co},
                      tfb_buffer(b, bv, (size_t)co * 4));
  free(bv);
  quant(b, m, tb, 0.0005f, 0);
  int32_t od[4] = {1, (m->h + stride - 1) / stride, (m->w + stride - 1) / stride, co};
  if (fc)
    od[1] = co;
  int y = tfb_tensor(b, "y", dt, rank, od, 0);
  quant(b, m, y, 0.1f, -2);
  int op = tfb_op(b, m->op, (int[]){src, tw, tb}, 3, (int[]){y}, 1);
  if (m->op == TFB_OP_CONV_2D)
    tfb_conv_options(b, op, TFB_PAD_SAME, stride, stride, TFB_ACT_NONE, dil, dil);
  else if (m->op == TFB_OP_DEPTHWISE_CONV_2D)
    tfb_dwconv_options(b, op, TFB_PAD_SAME, stride, stride, mult, TFB_ACT_NONE, dil, dil);
  else
    tfb_fc_options(b, op, TFB_ACT_NONE, 0);
  if (m->keep_input && !m->no_relu)
    tfb_io(b, (int[]){x}, 1, (int[]){y, src}, 2);
  else
    tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

/* The last op's variant name and why, after tt_prepare_kernels (and the planner when plan). */
typedef struct picked {
  const char *name; /* static: a variant name from an op table */
  ta_sched_why why;
  int32_t kernel;
} picked;

static picked pick(const model *m, bool reference, bool plan) {
  size_t len;
  uint8_t *bytes = build(m, &len);
  tt_run r;
  ta_status st = tt_prepare_kernels(&r, bytes, len, reference);
  if (st != TA_OK)
    printf("%s", r.cap.text);
  assert_int_equal(st, TA_OK);
  if (plan) {
    ta_plan pl;
    assert_int_equal(ta_plan_build(r.g, r.calls, NULL, &pl), TA_OK);
  }
  picked p = {NULL, TA_SCHED_NONE, -1};
  const ta_kernel_call *c = &r.calls[r.g->n_ops - 1];
  const ta_variant *v = ta_sched_variant(c, &p.why);
  assert_non_null(v);
  p.name = v->name;
  p.kernel = c->kernel;
  /* Every scheduled op: the RELU before it is element-wise, its one variant "ref". */
  for (int32_t i = 0; i + 1 < r.g->n_ops; i++)
    assert_string_equal(ta_sched_variant(&r.calls[i], NULL)->name, "ref");
  tt_done(&r);
  free(bytes);
  return p;
}

static void expect(const model *m, bool reference, bool plan, const char *name, ta_sched_why why,
                   ta_kernel_id kernel) {
  picked p = pick(m, reference, plan);
  if (strcmp(p.name, name) != 0 || p.why != why || p.kernel != (int32_t)kernel)
    printf("op %d flt %d: got %s (%s) %s, expected %s (%s) %s\n", m->op, m->flt, p.name,
           ta_sched_why_name(p.why), ta_kernel_get(p.kernel)->name, name, ta_sched_why_name(why),
           ta_kernel_get(kernel)->name);
  assert_string_equal(p.name, name);
  assert_int_equal(p.why, why);
  assert_int_equal(p.kernel, kernel);
}

static const model conv_s8 = {.op = TFB_OP_CONV_2D, .h = 6, .w = 5, .ci = 4, .co = 6};
static const model dw_s8 = {.op = TFB_OP_DEPTHWISE_CONV_2D, .h = 6, .w = 5, .ci = 8};
static const model fc_s8 = {.op = TFB_OP_FULLY_CONNECTED, .ci = 16, .co = 5};

static void test_default_picks_optimized(void **state) {
  (void)state;
  const ta_sched_why H = TA_SCHED_HEURISTIC;
  expect(&conv_s8, false, false, "packed", H, TA_K_conv2d_s8_packed);
  expect(&dw_s8, false, false, "plane", H, TA_K_depthwise_conv2d_s8_plane);
  expect(&fc_s8, false, false, "packed", H, TA_K_fully_connected_s8_packed);
  model m = conv_s8;
  m.flt = 1;
  expect(&m, false, false, "opt", H, TA_K_conv2d_f32_opt);
  /* No optimized float depthwise or FC: the reference. */
  m = dw_s8, m.flt = 1;
  expect(&m, false, false, "ref", H, TA_K_depthwise_conv2d_f32);
  m = fc_s8, m.flt = 1;
  expect(&m, false, false, "ref", H, TA_K_fully_connected_f32);
}

/* --optimize size: the convolution runs "compact" over int8 weights (no int16 re-layout, no
 * kernel with specialized loops), the fast requantization's constants in place of rq's
 * arrays; the fully connected layer "opt" over the model's own weights, without them; the
 * default takes the packed kernels, int16 conv weights and the constants on these models. */
/* Compiles model m with optimize_size = size into r (the model's bytes in *bytes, which the
 * graph may point into: free them after tt_done); the last op's call. */
static const ta_kernel_call *compile_last(const model *m, int size, tt_run *r, uint8_t **bytes) {
  size_t len;
  *bytes = build(m, &len);
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.optimize_size = size;
  assert_int_equal(tt_compile(r, "size.tflite", *bytes, len, &opt), TA_OK);
  return &r->calls[r->g->n_ops - 1];
}

static void test_optimize_size(void **state) {
  (void)state;
  for (int size = 0; size < 2; size++) {
    tt_run r;
    uint8_t *bytes;
    const ta_kernel_call *c = compile_last(&conv_s8, size, &r, &bytes);
    assert_int_equal(c->kernel, size ? TA_K_conv2d_s8_compact : TA_K_conv2d_s8_packed);
    const tart_conv_params *p = c->params;
    assert_non_null(p->fq);
    assert_null(size ? p->packed16 : p->packed);
    assert_non_null(size ? p->packed : p->packed16);
    if (size) /* fq in place of rq's arrays */
      assert_true(p->rq.n_mult == 0 && !p->rq.mult && !p->rq.shift_left);
    tt_done(&r);
    free(bytes);
    c = compile_last(&fc_s8, size, &r, &bytes);
    assert_int_equal(c->kernel,
                     size ? TA_K_fully_connected_s8_opt : TA_K_fully_connected_s8_packed);
    assert_true(size ? !((const tart_fc_params *)c->params)->fq
                     : ((const tart_fc_params *)c->params)->fq != NULL);
    tt_done(&r);
    free(bytes);
  }
}

static void test_reference_everywhere(void **state) {
  (void)state;
  const ta_sched_why R = TA_SCHED_REFERENCE;
  expect(&conv_s8, true, false, "ref", R, TA_K_conv2d_s8);
  expect(&dw_s8, true, false, "ref", R, TA_K_depthwise_conv2d_s8);
  expect(&fc_s8, true, false, "ref", R, TA_K_fully_connected_s8);
  model m = conv_s8;
  m.flt = 1;
  expect(&m, true, false, "ref", R, TA_K_conv2d_f32);
}

/* Where the optimized variant's predicate fails, the heuristic falls to the reference. */
static void test_predicate_fails_leaves_reference(void **state) {
  (void)state;
  const ta_sched_why H = TA_SCHED_HEURISTIC;
  model m = conv_s8;
  m.k_ci = 2; /* groups 2 */
  expect(&m, false, false, "ref", H, TA_K_conv2d_s8);
  m.flt = 1;
  expect(&m, false, false, "ref", H, TA_K_conv2d_f32);
  m = dw_s8, m.mult = 2; /* depth multiplier 2 */
  expect(&m, false, false, "ref", H, TA_K_depthwise_conv2d_s8);
  m = fc_s8, m.w_zp = 3; /* a weight zero point: a nonzero filter offset */
  expect(&m, false, false, "ref", H, TA_K_fully_connected_s8);
}

/* The planner takes the in-place form of the scheduled variant only where the input dies. */
static void test_inplace_where_input_dies(void **state) {
  (void)state;
  const ta_sched_why H = TA_SCHED_HEURISTIC, R = TA_SCHED_REFERENCE;
  expect(&dw_s8, false, true, "plane_inplace", H, TA_K_depthwise_conv2d_s8_plane);
  expect(&dw_s8, true, true, "inplace", R, TA_K_depthwise_conv2d_s8_inplace);
  model m = dw_s8;
  m.flt = 1;
  expect(&m, false, true, "inplace", H, TA_K_depthwise_conv2d_f32_inplace);
  /* The input lives on (a graph output): no in-place. */
  m = dw_s8, m.keep_input = 1;
  expect(&m, false, true, "plane", H, TA_K_depthwise_conv2d_s8_plane);
  /* The input is the caller's: never written. */
  m = dw_s8, m.no_relu = 1;
  expect(&m, false, true, "plane", H, TA_K_depthwise_conv2d_s8_plane);
  /* Stride 2: the output plane is not the input's; a 3x3 output is too small for the plane
   * variant to pay (its knob's default), so opt. */
  m = dw_s8, m.stride = 2;
  expect(&m, false, true, "opt", H, TA_K_depthwise_conv2d_s8_opt);
  /* Dilation 2 (not where the plane variant was measured: opt): rows do not map one to one,
   * which the optimized in-place form needs; the reference's in-place form does not. */
  m = dw_s8, m.dil = 2;
  expect(&m, false, true, "opt", H, TA_K_depthwise_conv2d_s8_opt);
  expect(&m, true, true, "inplace", R, TA_K_depthwise_conv2d_s8_inplace);
  /* --no-inplace */
  size_t len;
  uint8_t *bytes = build(&dw_s8, &len);
  tt_run r;
  assert_int_equal(tt_prepare(&r, bytes, len), TA_OK);
  ta_plan_options o;
  ta_plan_options_default(&o);
  o.no_inplace = true;
  ta_plan pl;
  assert_int_equal(ta_plan_build(r.g, r.calls, &o, &pl), TA_OK);
  assert_string_equal(ta_sched_variant(&r.calls[1], NULL)->name, "plane");
  assert_int_equal(pl.n_inplace, 0);
  tt_done(&r);
  free(bytes);
}

/* ---- the override seam and the backend seam: the pipeline by hand ----------------------- */

static tt_capture messages;

typedef struct hand {
  ta_ctx ctx;
  ta_graph *g;
  ta_kernel_call *calls;
  uint8_t *bytes;
} hand;

/* Read, check, prepare: the stages before partition and schedule. */
static void hand_prepare(hand *h, const model *m) {
  size_t len;
  memset(h, 0, sizeof *h);
  tt_capture_reset(&messages);
  h->bytes = build(m, &len);
  ta_ctx_init(&h->ctx, NULL, NULL, tt_capture_sink, &messages);
  assert_int_equal(ta_tfl_read(&h->ctx, h->bytes, len, &h->g), TA_OK);
  assert_int_equal(ta_graph_check(h->g), TA_OK);
  assert_int_equal(ta_graph_check_ops(h->g), TA_OK);
  h->calls = ta_new_array(&h->ctx, (size_t)h->g->n_ops, sizeof *h->calls);
  assert_non_null(h->calls);
  assert_int_equal(ta_graph_prepare(h->g, h->calls), TA_OK);
}

static void hand_done(hand *h) {
  ta_ctx_free(&h->ctx);
  free(h->bytes);
}

typedef struct override_log {
  const char *variant; /* what to pick for CONV_2D */
  char key[512];       /* the key it was asked with */
} override_log;

static bool override_conv(void *user, const ta_graph *g, const ta_op *op, const char *key,
                          ta_sched_pick *p) {
  (void)g;
  override_log *log = user;
  if (op->kind != TA_OP_CONV_2D)
    return false;
  snprintf(log->key, sizeof log->key, "%s", key);
  p->variant = log->variant;
  return true;
}

static void test_override(void **state) {
  (void)state;
  hand h;
  hand_prepare(&h, &conv_s8);
  override_log log = {"ref", ""};
  ta_sched_options o = {.override = override_conv, .override_user = &log};
  assert_int_equal(ta_backend_partition(h.g, h.calls, NULL, 0), TA_OK);
  assert_int_equal(ta_sched_run(h.g, h.calls, &o), TA_OK);
  ta_sched_why why;
  assert_string_equal(ta_sched_variant(&h.calls[1], &why)->name, "ref");
  assert_int_equal(why, TA_SCHED_OVERRIDE);
  assert_int_equal(h.calls[1].kernel, TA_K_conv2d_s8);
  assert_string_equal(ta_sched_why_name(why), "override");
  /* The RELU had no override: the heuristic. */
  ta_sched_variant(&h.calls[0], &why);
  assert_int_equal(why, TA_SCHED_HEURISTIC);
  /* The key names the workload: kind, operands, attributes. */
  assert_non_null(strstr(log.key, "CONV_2D in=int8[1,6,5,4];int8c[6,3,3,4];int32c[6]"));
  assert_non_null(strstr(log.key, "out=int8[1,6,5,6]"));
  assert_non_null(strstr(log.key, "stride=1,1"));
  hand_done(&h);

  /* A variant the op does not have, and one whose predicate fails: refused, with the name. */
  hand_prepare(&h, &conv_s8);
  log.variant = "turbo";
  assert_int_equal(ta_sched_run(h.g, h.calls, &o), TA_ERR_USAGE);
  assert_non_null(strstr(messages.text, "variant \"turbo\", which this operator does not have"));
  hand_done(&h);
  model m = conv_s8;
  m.k_ci = 2;
  hand_prepare(&h, &m);
  log.variant = "opt";
  assert_int_equal(ta_sched_run(h.g, h.calls, &o), TA_ERR_USAGE);
  assert_non_null(strstr(messages.text, "variant \"opt\", which does not apply to this op"));
  hand_done(&h);
}

/* A backend that takes FULLY_CONNECTED only and calls its own function. */
static bool fc_claims(const ta_backend *be, const ta_graph *g, const ta_op *op,
                      const ta_kernel_call *call, char *why, size_t why_cap) {
  (void)be, (void)g, (void)call;
  if (op->kind == TA_OP_FULLY_CONNECTED)
    return true;
  snprintf(why, why_cap, "takes FULLY_CONNECTED only, not %s", ta_op_kind_name(op->kind));
  return false;
}

static ta_status fc_emit_call(const ta_backend *be, const ta_graph *g, const ta_op *op,
                              const ta_kernel_call *call, const ta_backend_site *site, ta_buf *b) {
  (void)be, (void)g, (void)op, (void)call;
  ta_buf_printf(b, "    st = npu_fc(%s, %s, %s);\n", site->params, site->in, site->out);
  return TA_OK;
}

static const char npu_src[] = "/* npu */\n";
static ta_status fc_emit_files(const ta_backend *be, const ta_graph *g, const ta_kernel_call *calls,
                               ta_backend_files *out) {
  (void)be, (void)g, (void)calls;
  ta_status st = ta_backend_files_add(out, "npu/npu_fc.c", npu_src, sizeof npu_src - 1);
  if (st == TA_OK)
    st = ta_backend_files_source(out, "npu/npu_fc.c");
  if (st == TA_OK)
    st = ta_backend_files_include(out, "npu");
  return st;
}

static const ta_backend fake_npu = {
    .name = "npu",
    .claims = fc_claims,
    .emit_call = fc_emit_call,
    .emit_files = fc_emit_files,
};

static void test_partition_and_codegen(void **state) {
  (void)state;
  hand h;
  hand_prepare(&h, &fc_s8);
  const ta_backend *list[] = {&fake_npu};
  assert_int_equal(ta_backend_partition(h.g, h.calls, list, 1), TA_OK);
  assert_ptr_equal(ta_backend_of(&h.calls[0]), &ta_backend_cpu);
  assert_string_equal(h.calls[0].backend_declined, "npu: takes FULLY_CONNECTED only, not RELU");
  assert_ptr_equal(ta_backend_of(&h.calls[1]), &fake_npu);
  assert_null(h.calls[1].backend_declined);
  assert_int_equal(ta_sched_run(h.g, h.calls, NULL), TA_OK);
  /* The schedule picks variants for runtime-kernel ops only. */
  assert_string_equal(ta_sched_variant(&h.calls[0], NULL)->name, "ref");
  ta_sched_why why;
  assert_null(ta_sched_variant(&h.calls[1], &why));
  assert_int_equal(why, TA_SCHED_NONE);
  assert_int_equal(h.calls[1].kernel, TA_K_fully_connected_s8);
  ta_plan pl;
  assert_int_equal(ta_plan_build(h.g, h.calls, NULL, &pl), TA_OK);
  ta_fileset fs;
  ta_cgen_options co = {"m", "test"};
  assert_int_equal(ta_cgen_emit(h.g, h.calls, &pl, &co, &fs), TA_OK);
  const ta_file *c = ta_fileset_find(&fs, "m.c");
  assert_non_null(c);
  assert_non_null(strstr(c->data, "st = npu_fc(&m_p1, in, out);"));
  assert_non_null(strstr(c->data, "st = tart_")); /* the RELU, on the CPU */
  assert_non_null(ta_fileset_find(&fs, "npu/npu_fc.c"));
  assert_non_null(ta_fileset_find(&fs, "tart/include/tart.h"));
  /* The FC ran on the npu: its runtime source is not shipped. */
  assert_null(ta_fileset_find(&fs, "tart/src/fully_connected_s8.c"));
  const ta_file *cm = ta_fileset_find(&fs, "m.cmake");
  /* Every backend's files go into the shared runtime library, tart. */
  assert_non_null(strstr(cm->data, "\n    npu/npu_fc.c)"));
  assert_non_null(strstr(cm->data, "\n    tart/include\n    npu)"));
  const ta_file *mk = ta_fileset_find(&fs, "m.mk");
  assert_non_null(strstr(mk->data, "-I$(M_DIR)/tart/include -I$(M_DIR)/npu\n"));
  hand_done(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_picks_optimized),
      cmocka_unit_test(test_reference_everywhere),
      cmocka_unit_test(test_optimize_size),
      cmocka_unit_test(test_predicate_fails_leaves_reference),
      cmocka_unit_test(test_inplace_where_input_dies),
      cmocka_unit_test(test_override),
      cmocka_unit_test(test_partition_and_codegen),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
