/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_eltwise.c: ADD, MUL, QUANTIZE, DEQUANTIZE, the RELU family, RESHAPE, PAD and
 * CONCATENATION, each as a one-op TFLite model written with tflbuild and run in process
 * (tt_eval): results, and the diagnostics for bad models.
 *
 * Expected values are computed here, independently of the compiler and the runtime:
 *  - exactly, by a second implementation of TFLite's integer arithmetic written from its
 *    definition (floor-division formulas, not tart_fixedpoint.h), for bit-exact checks;
 *  - from plain double math rounded the way TFLite rounds, as a sanity bound: int8 ADD may
 *    differ from it by 1 LSB (its inputs are rescaled, each with a rounding, before the sum
 *    is rounded again) and MUL/requantize by 1 LSB at exact ties of the two roundings;
 *  - by hand, for small cases whose fixed-point path is exact.
 * A few tests build the IR directly, for what a TFLite file cannot express (an output whose
 * shape is unknown and must be inferred).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_ir.h"
#include "ta_ops.h"
#include "tflbuild.h"
#include "tt_pipeline.h"
#include "tt_refmath.h"

/* ---- one-op models ---------------------------------------------------------------------- */

typedef struct tspec {
  const char *name;
  int type;
  int rank;
  int32_t dims[6];
  float scale; /* > 0: quantized per tensor */
  int64_t zp;
  const void *data; /* non-NULL: a constant with these bytes */
  size_t bytes;
} tspec;

typedef struct model {
  int code;
  int act;  /* ADD/MUL/CONCATENATION options */
  int axis; /* CONCATENATION */
  int n_in;
  tspec in[8];
  tspec out;
} model;

static int put_tensor(tfb *b, const tspec *t) {
  int buf = t->data ? tfb_buffer(b, t->data, t->bytes) : 0;
  int idx = tfb_tensor(b, t->name, t->type, t->rank, t->dims, buf);
  if (t->scale > 0)
    tfb_quant(b, idx, 1, &t->scale, &t->zp, 0);
  return idx;
}

/* The model's bytes (malloc'd); graph inputs are the inputs without data, in order. */
static uint8_t *build(const model *m, size_t *len) {
  tfb *b = tfb_new();
  int ins[8], graph_in[8], n_graph_in = 0;
  for (int i = 0; i < m->n_in; i++) {
    ins[i] = put_tensor(b, &m->in[i]);
    if (!m->in[i].data)
      graph_in[n_graph_in++] = ins[i];
  }
  int out = put_tensor(b, &m->out);
  int op = tfb_op(b, m->code, ins, m->n_in, &out, 1);
  if (m->code == TFB_OP_ADD)
    tfb_add_options(b, op, m->act);
  if (m->code == TFB_OP_MUL)
    tfb_mul_options(b, op, m->act);
  if (m->code == TFB_OP_CONCATENATION)
    tfb_concat_options(b, op, m->axis, m->act);
  tfb_io(b, graph_in, n_graph_in, &out, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

static char messages[sizeof(tt_capture){0}.text];

/* Build, read, check, prepare and evaluate m; the messages land in `messages`. */
static ta_status run(const model *m, const void *const *in, void *const *out) {
  size_t len;
  uint8_t *bytes = build(m, &len);
  tt_run *r = malloc(sizeof *r);
  assert_non_null(r);
  ta_status st = out ? tt_eval(r, bytes, len, in, out) : tt_prepare(r, bytes, len);
  snprintf(messages, sizeof messages, "%s", r->cap.text);
  tt_done(r);
  free(bytes);
  free(r);
  return st;
}

static void run_ok(const model *m, const void *const *in, void *const *out) {
  ta_status st = run(m, in, out);
  if (st != TA_OK)
    print_error("pipeline failed (%s):\n%s", ta_status_name(st), messages);
  assert_int_equal(st, TA_OK);
}

/* Prepare only, expecting failure with a message containing every given fragment. */
static void expect_error(const model *m, ta_status want, const char *const *fragments, int n) {
  ta_status st = run(m, NULL, NULL);
  if (st != want)
    print_error("status %s, expected %s; messages:\n%s", ta_status_name(st), ta_status_name(want),
                messages);
  assert_int_equal(st, want);
  for (int i = 0; i < n; i++) {
    if (!strstr(messages, fragments[i]))
      print_error("message lacks \"%s\":\n%s", fragments[i], messages);
    assert_non_null(strstr(messages, fragments[i]));
  }
}

static tspec act_s8(const char *name, int rank, const int32_t *dims, float scale, int64_t zp) {
  tspec t = {name, TFB_INT8, rank, {0}, scale, zp, NULL, 0};
  if (rank > 0)
    memcpy(t.dims, dims, (size_t)rank * sizeof(int32_t));
  return t;
}

static tspec act_f32(const char *name, int rank, const int32_t *dims) {
  tspec t = {name, TFB_FLOAT32, rank, {0}, 0.0f, 0, NULL, 0};
  if (rank > 0)
    memcpy(t.dims, dims, (size_t)rank * sizeof(int32_t));
  return t;
}

static size_t elems_of(const tspec *t) {
  size_t n = 1;
  for (int k = 0; k < t->rank; k++)
    n *= (size_t)t->dims[k];
  return n;
}

/* ---- independent reference arithmetic ---------------------------------------------------- */

static uint32_t rng = 0x12345678u;
static uint32_t next_u32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
static int8_t rand_s8(void) {
  return (int8_t)(next_u32() >> 24);
}
static float rand_f32(float lo, float hi) {
  return lo + (hi - lo) * (float)(next_u32() >> 8) / 16777216.0f;
}

static int32_t clampi(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* CalculateActivationRangeQuantized for int8. */
static void ref_act_range(int act, float scale, int32_t zp, int32_t *lo, int32_t *hi) {
  *lo = -128;
  *hi = 127;
  if (act == TFB_ACT_RELU || act == TFB_ACT_RELU6)
    *lo = clampi(zp, -128, 127);
  if (act == TFB_ACT_RELU6)
    *hi = clampi(zp + (int32_t)roundf(6.0f / scale), -128, 127);
  if (act == TFB_ACT_RELU_N1_TO_1) {
    *lo = clampi(zp + (int32_t)roundf(-1.0f / scale), -128, 127);
    *hi = clampi(zp + (int32_t)roundf(1.0f / scale), -128, 127);
  }
}

static double act_clamp_real(int act, double v) {
  if (act == TFB_ACT_RELU && v < 0)
    return 0;
  if (act == TFB_ACT_RELU6)
    return v < 0 ? 0 : v > 6 ? 6 : v;
  if (act == TFB_ACT_RELU_N1_TO_1)
    return v < -1 ? -1 : v > 1 ? 1 : v;
  return v;
}

/* Index of output element `flat` in an input of shape in (rank r_in), numpy broadcasting. */
static size_t bcast_index(const tspec *out, const tspec *in, size_t flat) {
  size_t idx = 0, mul = 1;
  for (int k = out->rank - 1; k >= 0; k--) {
    const size_t coord = flat % (size_t)out->dims[k];
    flat /= (size_t)out->dims[k];
    const int ki = k - (out->rank - in->rank);
    if (ki < 0)
      continue;
    if (in->dims[ki] != 1)
      idx += coord * mul;
    mul *= (size_t)in->dims[ki];
  }
  return idx;
}

/* TFLite's int8 ADD, exactly (CalculateOpDataAdd + AddFunc). */
static int8_t ref_add_s8(int8_t x, int8_t y, const tspec *a, const tspec *b, const tspec *o,
                         int act) {
  const double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
  int sa, sb, so;
  const int32_t ma = tt_ref_multiplier((double)a->scale / twice_max, &sa);
  const int32_t mb = tt_ref_multiplier((double)b->scale / twice_max, &sb);
  const int32_t mo = tt_ref_multiplier(twice_max / (1048576.0 * (double)o->scale), &so);
  const int32_t xs = tt_ref_mbqm((x - (int32_t)a->zp) * (1 << 20), ma, sa);
  const int32_t ys = tt_ref_mbqm((y - (int32_t)b->zp) * (1 << 20), mb, sb);
  int32_t lo, hi;
  ref_act_range(act, o->scale, (int32_t)o->zp, &lo, &hi);
  return (int8_t)clampi(tt_ref_mbqm(xs + ys, mo, so) + (int32_t)o->zp, lo, hi);
}

/* TFLite's int8 MUL, exactly (CalculateOpDataMul + MulElementwise). */
static int8_t ref_mul_s8(int8_t x, int8_t y, const tspec *a, const tspec *b, const tspec *o,
                         int act) {
  int s;
  const int32_t m = tt_ref_multiplier((double)a->scale * (double)b->scale / (double)o->scale, &s);
  int32_t lo, hi;
  ref_act_range(act, o->scale, (int32_t)o->zp, &lo, &hi);
  const int32_t prod = (x - (int32_t)a->zp) * (y - (int32_t)b->zp);
  return (int8_t)clampi(tt_ref_mbqm(prod, m, s) + (int32_t)o->zp, lo, hi);
}

/* The real-number result of an int8 binary op, quantized to the output by rounding. */
static int32_t real_binary_s8(bool is_add, int8_t x, int8_t y, const tspec *a, const tspec *b,
                              const tspec *o, int act) {
  const double ra = (double)a->scale * (x - (double)a->zp);
  const double rb = (double)b->scale * (y - (double)b->zp);
  const double r = act_clamp_real(act, is_add ? ra + rb : ra * rb);
  int32_t lo, hi;
  ref_act_range(act, o->scale, (int32_t)o->zp, &lo, &hi);
  return clampi((int32_t)tt_round_half_away(r / (double)o->scale) + (int32_t)o->zp, lo, hi);
}

/* ---- ADD / MUL int8 --------------------------------------------------------------------- */

/* Random inputs through a broadcasting int8 ADD or MUL: bit-exact against the reference
 * integer path, within 1 LSB of the real result. */
static void check_binary_s8(int code, tspec a, tspec b, tspec o, int act) {
  const bool is_add = code == TFB_OP_ADD;
  model m = {code, act, 0, 2, {a, b}, o};
  const size_t na = elems_of(&a), nb = elems_of(&b), no = elems_of(&o);
  int8_t *x = malloc(na), *y = malloc(nb), *z = malloc(no);
  assert_true(x && y && z);
  for (size_t i = 0; i < na; i++)
    x[i] = rand_s8();
  for (size_t i = 0; i < nb; i++)
    y[i] = rand_s8();
  run_ok(&m, (const void *[]){x, y}, (void *[]){z});
  int worst = 0;
  for (size_t i = 0; i < no; i++) {
    const int8_t xi = x[bcast_index(&o, &a, i)], yi = y[bcast_index(&o, &b, i)];
    const int8_t want =
        is_add ? ref_add_s8(xi, yi, &a, &b, &o, act) : ref_mul_s8(xi, yi, &a, &b, &o, act);
    if (z[i] != want)
      print_error("%s element %zu: got %d, expected %d (inputs %d, %d)\n", is_add ? "ADD" : "MUL",
                  i, z[i], want, xi, yi);
    assert_int_equal(z[i], want);
    const int d = abs(z[i] - real_binary_s8(is_add, xi, yi, &a, &b, &o, act));
    if (d > worst)
      worst = d;
  }
  assert_true(worst <= 1);
  free(x);
  free(y);
  free(z);
}

static void test_add_s8_broadcast_channels(void **state) {
  (void)state;
  const int32_t d4[] = {1, 4, 4, 3}, d1[] = {3};
  check_binary_s8(TFB_OP_ADD, act_s8("a", 4, d4, 0.0407f, -2), act_s8("b", 1, d1, 0.0412f, -1),
                  act_s8("o", 4, d4, 0.0584f, -3), TFB_ACT_NONE);
}

static void test_add_s8_broadcast_both(void **state) {
  (void)state;
  const int32_t da[] = {2, 1, 3}, db[] = {1, 4, 1}, dout[] = {2, 4, 3};
  check_binary_s8(TFB_OP_ADD, act_s8("a", 3, da, 0.02f, 5), act_s8("b", 3, db, 0.09f, -20),
                  act_s8("o", 3, dout, 0.1f, 0), TFB_ACT_NONE);
  /* The broadcast input first, and ranks that differ. */
  const int32_t d1[] = {4, 1}, d3[] = {2, 3, 1, 5}, d4[] = {2, 3, 4, 5};
  check_binary_s8(TFB_OP_ADD, act_s8("a", 2, d1, 0.5f, 0), act_s8("b", 4, d3, 0.25f, 7),
                  act_s8("o", 4, d4, 0.6f, -7), TFB_ACT_NONE);
}

static void test_add_s8_scalar_and_same_shape(void **state) {
  (void)state;
  const int32_t d[] = {2, 3, 5}, one[] = {1};
  check_binary_s8(TFB_OP_ADD, act_s8("a", 3, d, 0.03f, 10), act_s8("s", 0, NULL, 0.05f, -4),
                  act_s8("o", 3, d, 0.06f, 2), TFB_ACT_NONE);
  check_binary_s8(TFB_OP_ADD, act_s8("s", 1, one, 0.05f, -4), act_s8("a", 3, d, 0.03f, 10),
                  act_s8("o", 3, d, 0.06f, 2), TFB_ACT_NONE);
  const int32_t big[] = {1, 16, 16, 8};
  check_binary_s8(TFB_OP_ADD, act_s8("a", 4, big, 0.1f, -128), act_s8("b", 4, big, 0.07f, 127),
                  act_s8("o", 4, big, 0.2f, 1), TFB_ACT_NONE);
}

static void test_add_s8_activations(void **state) {
  (void)state;
  const int32_t d[] = {4, 8}, dc[] = {8};
  const int acts[] = {TFB_ACT_NONE, TFB_ACT_RELU, TFB_ACT_RELU6, TFB_ACT_RELU_N1_TO_1};
  for (int i = 0; i < 4; i++)
    check_binary_s8(TFB_OP_ADD, act_s8("a", 2, d, 0.05f, 0), act_s8("b", 1, dc, 0.05f, 3),
                    act_s8("o", 2, d, 0.03f, -10), acts[i]);
}

/* Scales 0.5, 0.5 -> 1.0: every rescaling is exact, so the sum is rounded once, half away
 * from zero: 1.5 + 2.0 = 3.5 -> 4, -3.5 -> -4, and RELU6 stops at 6. */
static void test_add_s8_exact_by_hand(void **state) {
  (void)state;
  const int32_t d[] = {6};
  model m = {TFB_OP_ADD,
             TFB_ACT_NONE,
             0,
             2,
             {act_s8("a", 1, d, 0.5f, 0), act_s8("b", 1, d, 0.5f, 0)},
             act_s8("o", 1, d, 1.0f, 0)};
  const int8_t x[] = {3, -3, 1, 100, -128, 20}, y[] = {4, -4, 0, 100, -128, -21};
  int8_t z[6];
  run_ok(&m, (const void *[]){x, y}, (void *[]){z});
  const int8_t want[] = {4, -4, 1, 100, -128, -1}; /* 0.5 -> 1, 100, -128, -0.5 -> -1 */
  assert_memory_equal(z, want, sizeof want);
  m.act = TFB_ACT_RELU6;
  m.out.zp = -5;
  run_ok(&m, (const void *[]){x, y}, (void *[]){z});
  const int8_t want6[] = {-1, -5, -4, 1, -5, -5}; /* clamp(v, 0, 6) - 5 */
  assert_memory_equal(z, want6, sizeof want6);
}

static void test_mul_s8(void **state) {
  (void)state;
  const int32_t d4[] = {1, 4, 4, 3}, d1[] = {3}, da[] = {2, 1, 3}, db[] = {1, 4, 1},
                dout[] = {2, 4, 3};
  check_binary_s8(TFB_OP_MUL, act_s8("a", 4, d4, 0.02f, 3), act_s8("b", 1, d1, 0.01f, -9),
                  act_s8("o", 4, d4, 0.004f, 1), TFB_ACT_NONE);
  check_binary_s8(TFB_OP_MUL, act_s8("a", 3, da, 0.1f, 0), act_s8("b", 3, db, 0.2f, 0),
                  act_s8("o", 3, dout, 0.05f, -20), TFB_ACT_RELU);
  check_binary_s8(TFB_OP_MUL, act_s8("a", 3, da, 0.1f, 0), act_s8("s", 0, NULL, 0.3f, 4),
                  act_s8("o", 3, da, 0.02f, 0), TFB_ACT_RELU_N1_TO_1);
  /* A multiplier > 1 (scale_a * scale_b > scale_out): the left-shift path. */
  check_binary_s8(TFB_OP_MUL, act_s8("a", 3, dout, 0.5f, 0), act_s8("b", 3, dout, 0.5f, 0),
                  act_s8("o", 3, dout, 0.1f, 0), TFB_ACT_RELU6);
}

/* 0.5 * 0.25 / 0.125 = 1: the product itself, plus the output zero point. */
static void test_mul_s8_exact_by_hand(void **state) {
  (void)state;
  const int32_t d[] = {4};
  model m = {TFB_OP_MUL,
             TFB_ACT_NONE,
             0,
             2,
             {act_s8("a", 1, d, 0.5f, 1), act_s8("b", 1, d, 0.25f, -2)},
             act_s8("o", 1, d, 0.125f, 10)};
  const int8_t x[] = {4, -1, 1, 127}, y[] = {3, 0, 100, 127};
  int8_t z[4];
  run_ok(&m, (const void *[]){x, y}, (void *[]){z});
  const int8_t want[] = {3 * 5 + 10, -2 * 2 + 10, 0 + 10, 127}; /* last: saturates */
  assert_memory_equal(z, want, sizeof want);
}

/* ---- ADD / MUL float -------------------------------------------------------------------- */

static void check_binary_f32(int code, tspec a, tspec b, tspec o, int act) {
  model m = {code, act, 0, 2, {a, b}, o};
  const size_t na = elems_of(&a), nb = elems_of(&b), no = elems_of(&o);
  float *x = malloc(na * 4), *y = malloc(nb * 4), *z = malloc(no * 4);
  assert_true(x && y && z);
  for (size_t i = 0; i < na; i++)
    x[i] = rand_f32(-8.0f, 8.0f);
  for (size_t i = 0; i < nb; i++)
    y[i] = rand_f32(-8.0f, 8.0f);
  run_ok(&m, (const void *[]){x, y}, (void *[]){z});
  for (size_t i = 0; i < no; i++) {
    const double xi = x[bcast_index(&o, &a, i)], yi = y[bcast_index(&o, &b, i)];
    const double want = act_clamp_real(act, code == TFB_OP_ADD ? xi + yi : xi * yi);
    assert_true(fabs(z[i] - want) <= 1e-5 * fabs(want) + 1e-30);
  }
  free(x);
  free(y);
  free(z);
}

static void test_binary_f32(void **state) {
  (void)state;
  const int32_t d4[] = {1, 4, 4, 3}, d1[] = {3}, da[] = {2, 1, 3}, db[] = {1, 4, 1},
                dout[] = {2, 4, 3};
  const int acts[] = {TFB_ACT_NONE, TFB_ACT_RELU, TFB_ACT_RELU6, TFB_ACT_RELU_N1_TO_1};
  for (int i = 0; i < 4; i++) {
    check_binary_f32(TFB_OP_ADD, act_f32("a", 4, d4), act_f32("b", 1, d1), act_f32("o", 4, d4),
                     acts[i]);
    check_binary_f32(TFB_OP_MUL, act_f32("a", 3, da), act_f32("b", 3, db), act_f32("o", 3, dout),
                     acts[i]);
  }
  check_binary_f32(TFB_OP_ADD, act_f32("s", 0, NULL), act_f32("a", 3, da), act_f32("o", 3, da),
                   TFB_ACT_NONE);
  check_binary_f32(TFB_OP_MUL, act_f32("a", 4, d4), act_f32("b", 4, d4), act_f32("o", 4, d4),
                   TFB_ACT_NONE);
}

/* A constant operand (a bias-like ADD): the constant is read from the model. */
static void test_add_constant_operand(void **state) {
  (void)state;
  const int32_t d[] = {2, 2}, dc[] = {2};
  const float c[] = {10.0f, -10.0f};
  tspec k = act_f32("c", 1, dc);
  k.data = c;
  k.bytes = sizeof c;
  model m = {TFB_OP_ADD, TFB_ACT_NONE, 0, 2, {act_f32("x", 2, d), k}, act_f32("o", 2, d)};
  const float x[] = {1, 2, 3, 4};
  float z[4];
  run_ok(&m, (const void *[]){x}, (void *[]){z});
  const float want[] = {11, -8, 13, -6};
  assert_memory_equal(z, want, sizeof want);
}

/* ---- QUANTIZE / DEQUANTIZE --------------------------------------------------------------- */

static void test_quantize_f32_s8(void **state) {
  (void)state;
  const int32_t d[] = {12};
  model m = {TFB_OP_QUANTIZE, 0, 0, 1, {act_f32("x", 1, d)}, act_s8("q", 1, d, 0.5f, -3)};
  const float x[] = {0.0f,  0.25f, -0.25f, 0.75f,    -0.75f,   1.0f,
                     -1.3f, 63.0f, 64.9f,  -1000.0f, INFINITY, -INFINITY};
  int8_t q[12];
  run_ok(&m, (const void *[]){x}, (void *[]){q});
  /* round(x / 0.5) half away from zero, + (-3), clamped */
  const int8_t want[] = {-3, -2, -4, -1, -5, -1, -6, 123, 127, -128, 127, -128};
  assert_memory_equal(q, want, sizeof want);

  /* Random values against round(x / scale) + zp computed here, in float as TFLite does. */
  const int32_t dr[] = {3, 100};
  model r = {TFB_OP_QUANTIZE, 0, 0, 1, {act_f32("x", 2, dr)}, act_s8("q", 2, dr, 0.0371f, 17)};
  float xr[300];
  int8_t qr[300];
  for (int i = 0; i < 300; i++)
    xr[i] = rand_f32(-6.0f, 6.0f);
  run_ok(&r, (const void *[]){xr}, (void *[]){qr});
  for (int i = 0; i < 300; i++) {
    const float t = xr[i] / 0.0371f;
    assert_int_equal(qr[i], clampi((int32_t)tt_round_half_away((double)t) + 17, -128, 127));
  }

  /* Ties k + 0.5 (away from zero) and the floats next to them (the nearer integer), where a
   * rounding built from v + 0.5 would go wrong. */
  const int32_t dt[] = {360};
  model tm = {TFB_OP_QUANTIZE, 0, 0, 1, {act_f32("x", 1, dt)}, act_s8("q", 1, dt, 1.0f, 0)};
  float xt[360];
  int8_t qt[360];
  for (int i = 0; i < 120; i++) {
    const float tie = (float)(i - 60) + 0.5f;
    xt[3 * i] = tie;
    xt[3 * i + 1] = nextafterf(tie, 0.0f);
    xt[3 * i + 2] = nextafterf(tie, tie > 0 ? INFINITY : -INFINITY);
  }
  run_ok(&tm, (const void *[]){xt}, (void *[]){qt});
  for (int i = 0; i < 360; i++)
    assert_int_equal(qt[i], clampi((int32_t)tt_round_half_away((double)xt[i]), -128, 127));
}

static void test_dequantize_and_round_trip(void **state) {
  (void)state;
  const int32_t d[] = {256};
  const float scale = 0.0173f;
  model m = {TFB_OP_DEQUANTIZE, 0, 0, 1, {act_s8("q", 1, d, scale, -7)}, act_f32("x", 1, d)};
  int8_t q[256], back[256];
  float x[256];
  for (int i = 0; i < 256; i++)
    q[i] = (int8_t)(i - 128);
  run_ok(&m, (const void *[]){q}, (void *[]){x});
  for (int i = 0; i < 256; i++) {
    /* Exactly: the double product is exact, rounded once to float. */
    assert_true(x[i] == (float)((double)scale * (double)(q[i] + 7)));
  }
  /* QUANTIZE back with the same parameters restores every value. */
  model back_m = {TFB_OP_QUANTIZE, 0, 0, 1, {act_f32("x", 1, d)}, act_s8("q", 1, d, scale, -7)};
  run_ok(&back_m, (const void *[]){x}, (void *[]){back});
  assert_memory_equal(back, q, sizeof q);
  /* And float -> int8 -> float stays within half a step. */
  float xf[256], xq[256];
  int8_t mid[256];
  for (int i = 0; i < 256; i++)
    xf[i] = rand_f32(-2.0f, 2.0f);
  run_ok(&back_m, (const void *[]){xf}, (void *[]){mid});
  run_ok(&m, (const void *[]){mid}, (void *[]){xq});
  for (int i = 0; i < 256; i++)
    assert_true(fabsf(xq[i] - xf[i]) <= scale * 0.5f + 1e-6f);
}

static void test_requantize_s8(void **state) {
  (void)state;
  const int32_t d[] = {256};
  model m = {TFB_OP_QUANTIZE, 0, 0, 1, {act_s8("a", 1, d, 0.02f, 5)}, act_s8("b", 1, d, 0.03f, -9)};
  int8_t q[256], r[256];
  for (int i = 0; i < 256; i++)
    q[i] = (int8_t)(i - 128);
  run_ok(&m, (const void *[]){q}, (void *[]){r});
  int s;
  const int32_t mult = tt_ref_multiplier((double)0.02f / (double)0.03f, &s);
  for (int i = 0; i < 256; i++) {
    assert_int_equal(r[i], clampi(tt_ref_mbqm(q[i] - 5, mult, s) - 9, -128, 127));
    const double real = 0.02f * (double)(q[i] - 5) / (double)0.03f;
    assert_true(abs(r[i] - clampi((int32_t)tt_round_half_away(real) - 9, -128, 127)) <= 1);
  }
  /* By hand: scale halves, zero point moves: (q - 5) * 2 + 1. */
  const int32_t d6[] = {6};
  model mh = {
      TFB_OP_QUANTIZE, 0, 0, 1, {act_s8("a", 1, d6, 0.02f, 5)}, act_s8("b", 1, d6, 0.01f, 1)};
  const int8_t qh[] = {5, 6, 4, 60, 70, -128};
  int8_t rh[6];
  run_ok(&mh, (const void *[]){qh}, (void *[]){rh});
  const int8_t want[] = {1, 3, -1, 111, 127, -128};
  assert_memory_equal(rh, want, sizeof want);
  /* Same quantization: a copy. */
  m.out.scale = 0.02f;
  m.out.zp = 5;
  run_ok(&m, (const void *[]){q}, (void *[]){r});
  assert_memory_equal(r, q, sizeof q);
}

/* ---- RELU family ------------------------------------------------------------------------- */

static void test_relu_f32(void **state) {
  (void)state;
  const int32_t d[] = {8};
  const float x[] = {-3.0f, -0.5f, 0.0f, 0.5f, 1.5f, 7.0f, INFINITY, -INFINITY};
  const int codes[] = {TFB_OP_RELU, TFB_OP_RELU6, TFB_OP_RELU_N1_TO_1};
  const float want[3][8] = {{0, 0, 0, 0.5f, 1.5f, 7.0f, INFINITY, 0},
                            {0, 0, 0, 0.5f, 1.5f, 6.0f, 6.0f, 0},
                            {-1, -0.5f, 0, 0.5f, 1.0f, 1.0f, 1.0f, -1}};
  for (int c = 0; c < 3; c++) {
    model m = {codes[c], 0, 0, 1, {act_f32("x", 1, d)}, act_f32("y", 1, d)};
    float y[8];
    run_ok(&m, (const void *[]){x}, (void *[]){y});
    assert_memory_equal(y, want[c], sizeof y);
  }
}

static void test_relu_s8(void **state) {
  (void)state;
  const int32_t d[] = {256};
  int8_t x[256], y[256];
  for (int i = 0; i < 256; i++)
    x[i] = (int8_t)(i - 128);
  /* Same quantization: a clamp to [q(lo), q(hi)]. scale 0.05, zp -10: 0 -> -10, 6 -> 110,
   * -1 -> -30, 1 -> 10. */
  const int codes[] = {TFB_OP_RELU, TFB_OP_RELU6, TFB_OP_RELU_N1_TO_1};
  const int32_t lo[] = {-10, -10, -30}, hi[] = {127, 110, 10};
  for (int c = 0; c < 3; c++) {
    model m = {codes[c], 0, 0, 1, {act_s8("x", 1, d, 0.05f, -10)}, act_s8("y", 1, d, 0.05f, -10)};
    run_ok(&m, (const void *[]){x}, (void *[]){y});
    for (int i = 0; i < 256; i++)
      assert_int_equal(y[i], clampi(x[i], lo[c], hi[c]));
  }
  /* RELU with another output scale: TFLite Micro requantizes by (double)s_in / s_out. */
  model m = {TFB_OP_RELU, 0, 0, 1, {act_s8("x", 1, d, 0.05f, -10)}, act_s8("y", 1, d, 0.02f, -128)};
  run_ok(&m, (const void *[]){x}, (void *[]){y});
  int s;
  int32_t mult = tt_ref_multiplier((double)0.05f / (double)0.02f, &s);
  for (int i = 0; i < 256; i++) {
    assert_int_equal(y[i], clampi(tt_ref_mbqm(x[i] + 10, mult, s) - 128, -128, 127));
    const double real = 0.05f * (double)(x[i] + 10);
    const int32_t approx =
        clampi((int32_t)tt_round_half_away((real < 0 ? 0 : real) / (double)0.02f) - 128, -128, 127);
    assert_true(abs(y[i] - approx) <= 1);
  }
  /* RELU_N1_TO_1 with another output scale: TFLite's ReluX (multiplier from a float quotient). */
  m.code = TFB_OP_RELU_N1_TO_1;
  m.out.scale = 1.0f / 128;
  m.out.zp = 0;
  run_ok(&m, (const void *[]){x}, (void *[]){y});
  mult = tt_ref_multiplier((double)(0.05f / (1.0f / 128)), &s);
  for (int i = 0; i < 256; i++)
    assert_int_equal(y[i], clampi(tt_ref_mbqm(x[i] + 10, mult, s), -128, 127));
  /* RELU6 with another output quantization: TFLite Micro clamps in the input's, unrescaled
   * (tinyaot warns). */
  m.code = TFB_OP_RELU6;
  m.out.scale = 6.0f / 255;
  m.out.zp = -128;
  run_ok(&m, (const void *[]){x}, (void *[]){y});
  for (int i = 0; i < 256; i++)
    assert_int_equal(y[i], clampi(x[i], -10, 110));
  assert_non_null(strstr(messages, "RELU6"));
  assert_non_null(strstr(messages, "does not rescale"));
}

/* ---- RESHAPE ----------------------------------------------------------------------------- */

static void test_reshape(void **state) {
  (void)state;
  const int32_t din[] = {2, 3, 4}, dout[] = {4, 6};
  const int32_t shape[] = {-1, 6};
  tspec s = {"shape", TFB_INT32, 1, {2}, 0.0f, 0, shape, sizeof shape};
  model m = {TFB_OP_RESHAPE, 0, 0, 2, {act_f32("x", 3, din), s}, act_f32("y", 2, dout)};
  float x[24], y[24];
  for (int i = 0; i < 24; i++)
    x[i] = (float)i * 0.5f;
  run_ok(&m, (const void *[]){x}, (void *[]){y});
  assert_memory_equal(x, y, sizeof x);
  /* int8 without a shape operand, and with an int64 one. */
  const int32_t flat[] = {24};
  model m8 = {
      TFB_OP_RESHAPE, 0, 0, 1, {act_s8("x", 3, din, 0.1f, 3)}, act_s8("y", 1, flat, 0.1f, 3)};
  int8_t q[24], r[24];
  for (int i = 0; i < 24; i++)
    q[i] = (int8_t)(i * 5 - 60);
  run_ok(&m8, (const void *[]){q}, (void *[]){r});
  assert_memory_equal(q, r, sizeof q);
  const int64_t shape64[] = {24};
  tspec s64 = {"shape", TFB_INT64, 1, {1}, 0.0f, 0, shape64, sizeof shape64};
  m8.n_in = 2;
  m8.in[1] = s64;
  memset(r, 0, sizeof r);
  run_ok(&m8, (const void *[]){q}, (void *[]){r});
  assert_memory_equal(q, r, sizeof q);
  /* A shape operand that disagrees with the output tensor is reported. */
  const int64_t wrong[] = {4, 6};
  tspec sw = {"shape", TFB_INT64, 1, {2}, 0.0f, 0, wrong, sizeof wrong};
  m8.in[1] = sw;
  const char *want[] = {"output \"y\" has shape [24], but the shape operand \"shape\" gives [4,6]"};
  expect_error(&m8, TA_ERR_MALFORMED, want, 1);
}

/* ---- PAD --------------------------------------------------------------------------------- */

static void test_pad_s8_zero_point(void **state) {
  (void)state;
  const int32_t din[] = {1, 2, 2, 1}, dout[] = {1, 4, 3, 1};
  const int32_t pads[] = {0, 0, 1, 1, 0, 1, 0, 0};
  tspec p = {"pads", TFB_INT32, 2, {4, 2}, 0.0f, 0, pads, sizeof pads};
  model m = {
      TFB_OP_PAD, 0, 0, 2, {act_s8("x", 4, din, 0.1f, -7), p}, act_s8("y", 4, dout, 0.1f, -7)};
  const int8_t x[] = {1, 2, 3, 4};
  int8_t y[12];
  run_ok(&m, (const void *[]){x}, (void *[]){y});
  const int8_t want[] = {-7, -7, -7, 1, 2, -7, 3, 4, -7, -7, -7, -7};
  assert_memory_equal(y, want, sizeof want);
}

static void test_pad_f32_and_int64(void **state) {
  (void)state;
  /* Pads on every dim, including channels: nothing merges. */
  const int32_t din[] = {2, 1, 2, 2}, dout[] = {3, 3, 3, 3};
  const int64_t pads[] = {1, 0, 1, 1, 0, 1, 0, 1};
  tspec p = {"pads", TFB_INT64, 2, {4, 2}, 0.0f, 0, pads, sizeof pads};
  model m = {TFB_OP_PAD, 0, 0, 2, {act_f32("x", 4, din), p}, act_f32("y", 4, dout)};
  float x[8], y[81];
  for (int i = 0; i < 8; i++)
    x[i] = (float)(i + 1);
  run_ok(&m, (const void *[]){x}, (void *[]){y});
  for (int n = 0; n < 3; n++)
    for (int h = 0; h < 3; h++)
      for (int w = 0; w < 3; w++)
        for (int c = 0; c < 3; c++) {
          const int in_n = n - 1, in_h = h - 1, in_w = w, in_c = c;
          const bool inside = in_n >= 0 && in_n < 2 && in_h == 0 && in_w < 2 && in_c < 2;
          const float want = inside ? x[((in_n * 1 + in_h) * 2 + in_w) * 2 + in_c] : 0.0f;
          assert_true(y[((n * 3 + h) * 3 + w) * 3 + c] == want);
        }
}

/* ---- CONCATENATION ----------------------------------------------------------------------- */

static void test_concat_last_axis(void **state) {
  (void)state;
  const int32_t d1[] = {2, 2, 1}, d2[] = {2, 2, 2}, dout[] = {2, 2, 3};
  model m = {TFB_OP_CONCATENATION,
             TFB_ACT_NONE,
             -1,
             2,
             {act_s8("a", 3, d1, 0.1f, 4), act_s8("b", 3, d2, 0.1f, 4)},
             act_s8("y", 3, dout, 0.1f, 4)};
  const int8_t a[] = {1, 2, 3, 4}, b[] = {10, 11, 20, 21, 30, 31, 40, 41};
  int8_t y[12];
  run_ok(&m, (const void *[]){a, b}, (void *[]){y});
  const int8_t want[] = {1, 10, 11, 2, 20, 21, 3, 30, 31, 4, 40, 41};
  assert_memory_equal(y, want, sizeof want);
  /* RELU6 fused: clamp to [4, 4 + 60] */
  m.act = TFB_ACT_RELU6;
  const int8_t a2[] = {-5, 70, 3, 64};
  run_ok(&m, (const void *[]){a2, b}, (void *[]){y});
  const int8_t want2[] = {4, 10, 11, 64, 20, 21, 4, 30, 31, 64, 40, 41};
  assert_memory_equal(y, want2, sizeof want2);
}

static void test_concat_axis1_three_inputs_f32(void **state) {
  (void)state;
  const int32_t da[] = {2, 1, 2}, db[] = {2, 2, 2}, dc[] = {2, 1, 2}, dout[] = {2, 4, 2};
  const float c[] = {-1, -2, -3, -4};
  tspec k = act_f32("c", 3, dc);
  k.data = c;
  k.bytes = sizeof c;
  model m = {
      TFB_OP_CONCATENATION, TFB_ACT_NONE, 1, 3, {act_f32("a", 3, da), act_f32("b", 3, db), k},
      act_f32("y", 3, dout)};
  const float a[] = {1, 2, 3, 4}, b[] = {10, 11, 12, 13, 20, 21, 22, 23};
  float y[16];
  run_ok(&m, (const void *[]){a, b}, (void *[]){y});
  const float want[] = {1, 2, 10, 11, 12, 13, -1, -2, 3, 4, 20, 21, 22, 23, -3, -4};
  assert_memory_equal(y, want, sizeof want);
  m.act = TFB_ACT_RELU;
  run_ok(&m, (const void *[]){a, b}, (void *[]){y});
  for (int i = 0; i < 16; i++)
    assert_true(y[i] == (want[i] < 0 ? 0.0f : want[i]));
}

/* ---- inference on the IR (shapes TFLite files always spell out) --------------------------- */

static int32_t ir_tensor(ta_graph *g, const char *name, ta_dtype dt, int32_t rank,
                         const int32_t *dims) {
  int32_t t = ta_graph_add_tensor(g, name, dt, rank, dims);
  assert_true(t >= 0);
  return t;
}

static void test_infer_unknown_outputs(void **state) {
  (void)state;
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, NULL, NULL);
  ta_graph *g = ta_graph_new(&ctx, "ir");
  const int32_t da[] = {2, 1, 3}, db[] = {4, 1}, ds[] = {2};
  const int32_t shape[] = {3, -1};
  int32_t a = ir_tensor(g, "a", TA_DT_F32, 3, da), b = ir_tensor(g, "b", TA_DT_F32, 2, db);
  int32_t sum = ir_tensor(g, "sum", TA_DT_F32, 0, NULL);
  int32_t s = ir_tensor(g, "shape", TA_DT_I32, 1, ds);
  g->tensors[s].data = (const uint8_t *)shape;
  g->tensors[s].data_bytes = sizeof shape;
  int32_t r = ir_tensor(g, "r", TA_DT_F32, 0, NULL);
  int32_t op = ta_graph_add_op(g, TA_OP_ADD, 2, 1);
  g->ops[op].in[0] = a, g->ops[op].in[1] = b, g->ops[op].out[0] = sum;
  op = ta_graph_add_op(g, TA_OP_RESHAPE, 2, 1);
  g->ops[op].in[0] = sum, g->ops[op].in[1] = s, g->ops[op].out[0] = r;
  assert_int_equal(ta_graph_set_io(g, (int32_t[]){a, b}, 2, &r, 1), TA_OK);
  g->tensors[a].flags |= TA_TENSOR_INPUT;
  g->tensors[b].flags |= TA_TENSOR_INPUT;
  g->tensors[r].flags |= TA_TENSOR_OUTPUT;
  assert_int_equal(ta_graph_check(g), TA_OK);
  assert_int_equal(ta_graph_check_ops(g), TA_OK);
  char buf[64];
  assert_string_equal(ta_shape_str(&g->tensors[sum], buf, sizeof buf), "[2,4,3]");
  assert_string_equal(ta_shape_str(&g->tensors[r], buf, sizeof buf), "[3,8]");
  ta_kernel_call calls[2];
  assert_int_equal(ta_graph_prepare(g, calls), TA_OK);
  assert_int_equal(calls[1].n_in, 1); /* the shape operand is not passed to the kernel */
  ta_ctx_free(&ctx);
}

/* ---- diagnostics ------------------------------------------------------------------------- */

static void test_diag_broadcast_mismatch(void **state) {
  (void)state;
  const int32_t da[] = {2, 3}, db[] = {4}, dout[] = {2, 3};
  model m = {TFB_OP_ADD,
             TFB_ACT_NONE,
             0,
             2,
             {act_f32("lhs", 2, da), act_f32("rhs", 1, db)},
             act_f32("out", 2, dout)};
  const char *want[] = {"op 0 ADD", "[2,3]", "[4]", "lhs", "rhs", "cannot be broadcast"};
  expect_error(&m, TA_ERR_MALFORMED, want, 6);
}

static void test_diag_output_shape_mismatch(void **state) {
  (void)state;
  const int32_t da[] = {2, 3}, db[] = {3}, dout[] = {3, 2};
  model m = {TFB_OP_MUL,
             TFB_ACT_NONE,
             0,
             2,
             {act_f32("a", 2, da), act_f32("b", 1, db)},
             act_f32("out", 2, dout)};
  const char *want[] = {"op 0 MUL", "output \"out\" has shape [3,2]", "broadcast to [2,3]"};
  expect_error(&m, TA_ERR_MALFORMED, want, 3);
}

static void test_diag_pad_not_constant(void **state) {
  (void)state;
  const int32_t din[] = {1, 2, 2, 1}, dout[] = {1, 4, 4, 1};
  tspec p = {"pads", TFB_INT32, 2, {4, 2}, 0.0f, 0, NULL, 0};
  model m = {TFB_OP_PAD, 0, 0, 2, {act_f32("x", 4, din), p}, act_f32("y", 4, dout)};
  const char *want[] = {"op 0 PAD", "paddings operand \"pads\" is not constant"};
  expect_error(&m, TA_ERR_UNSUPPORTED, want, 2);
}

static void test_diag_pad_bad_shape_and_negative(void **state) {
  (void)state;
  const int32_t din[] = {2, 2}, dout[] = {2, 2};
  const int32_t pads3[] = {0, 0, 0, 0, 0, 0};
  tspec p = {"pads", TFB_INT32, 2, {3, 2}, 0.0f, 0, pads3, sizeof pads3};
  model m = {TFB_OP_PAD, 0, 0, 2, {act_f32("x", 2, din), p}, act_f32("y", 2, dout)};
  const char *want[] = {"paddings operand \"pads\" has shape [3,2]; expected [2,2]"};
  expect_error(&m, TA_ERR_MALFORMED, want, 1);
  const int32_t neg[] = {0, 0, -1, 0};
  tspec pn = {"pads", TFB_INT32, 2, {2, 2}, 0.0f, 0, neg, sizeof neg};
  m.in[1] = pn;
  const char *want2[] = {"padding before dim 1 is -1", "negative padding"};
  expect_error(&m, TA_ERR_UNSUPPORTED, want2, 2);
}

static void test_diag_concat(void **state) {
  (void)state;
  const int32_t d[] = {1, 2}, d3[] = {1, 3}, dout[] = {1, 4};
  model m = {TFB_OP_CONCATENATION,
             TFB_ACT_NONE,
             1,
             2,
             {act_s8("a", 2, d, 0.1f, 0), act_s8("b", 2, d, 0.2f, 0)},
             act_s8("y", 2, dout, 0.1f, 0)};
  const char *want[] = {"op 0 CONCATENATION", "input 1 \"b\" has scale 0.2",
                        "quantized like the output"};
  expect_error(&m, TA_ERR_UNSUPPORTED, want, 3);
  model m2 = {TFB_OP_CONCATENATION, TFB_ACT_NONE, 0, 2, {act_f32("a", 2, d), act_f32("b", 2, d3)},
              act_f32("y", 2, dout)};
  const char *want2[] = {"input 1 \"b\" has shape [1,3]", "equal dims except axis 0"};
  expect_error(&m2, TA_ERR_MALFORMED, want2, 2);
  m2.axis = 2;
  const char *want3[] = {"axis 2 is out of range for rank 2"};
  expect_error(&m2, TA_ERR_MALFORMED, want3, 1);
}

static void test_diag_reshape_count(void **state) {
  (void)state;
  const int32_t din[] = {2, 3}, dout[] = {7};
  model m = {TFB_OP_RESHAPE, 0, 0, 1, {act_f32("x", 2, din)}, act_f32("y", 1, dout)};
  const char *want[] = {"op 0 RESHAPE", "output \"y\" has shape [7]", "[2,3]",
                        "element counts differ"};
  expect_error(&m, TA_ERR_MALFORMED, want, 4);
  const int32_t bad[] = {-1, -1};
  tspec s = {"shape", TFB_INT32, 1, {2}, 0.0f, 0, bad, sizeof bad};
  const int32_t d6[] = {6};
  model m2 = {TFB_OP_RESHAPE, 0, 0, 2, {act_f32("x", 2, din), s}, act_f32("y", 1, d6)};
  const char *want2[] = {"shape operand \"shape\" has more than one -1"};
  expect_error(&m2, TA_ERR_MALFORMED, want2, 1);
}

static void test_diag_types_and_quant(void **state) {
  (void)state;
  const int32_t d[] = {4};
  model q = {TFB_OP_QUANTIZE, 0, 0, 1, {act_s8("x", 1, d, 0.1f, 0)}, act_f32("y", 1, d)};
  const char *want[] = {"op 0 QUANTIZE", "converts int8 \"x\" to float32 \"y\"", "float32 -> int8"};
  expect_error(&q, TA_ERR_UNSUPPORTED, want, 3);
  model a = {TFB_OP_ADD,
             TFB_ACT_NONE,
             0,
             2,
             {act_s8("a", 1, d, 0.1f, 0), act_f32("b", 1, d)},
             act_s8("o", 1, d, 0.1f, 0)};
  const char *want2[] = {"differ in type"};
  expect_error(&a, TA_ERR_UNSUPPORTED, want2, 1);
  model nq = {TFB_OP_ADD,
              TFB_ACT_NONE,
              0,
              2,
              {act_s8("a", 1, d, 0.1f, 0), act_s8("b", 1, d, 0, 0)},
              act_s8("o", 1, d, 0.1f, 0)};
  const char *want3[] = {"input \"b\" (int8) has no quantization parameters"};
  expect_error(&nq, TA_ERR_UNSUPPORTED, want3, 1);
  /* An output scale far below the inputs': TFLite's int8 ADD cannot represent it. */
  model tiny = {TFB_OP_ADD,
                TFB_ACT_NONE,
                0,
                2,
                {act_s8("a", 1, d, 1.0f, 0), act_s8("b", 1, d, 1.0f, 0)},
                act_s8("o", 1, d, 1e-7f, 0)};
  const char *want4[] = {"output scale 1e-07 is too small", "2^20"};
  expect_error(&tiny, TA_ERR_UNSUPPORTED, want4, 2);
  model dq = {TFB_OP_DEQUANTIZE, 0, 0, 1, {act_f32("x", 1, d)}, act_f32("y", 1, d)};
  const char *want5[] = {"op 0 DEQUANTIZE", "supported: int8 -> float32"};
  expect_error(&dq, TA_ERR_UNSUPPORTED, want5, 2);
}

/* ---- the shared element-wise shape inference (eltwise.c), called directly ---------------- */

static tt_capture infer_cap; /* .last: the last message of infer_pair */

/* op(a, b) -> y (y of unknown shape when y_rank < 0); returns infer's status. */
static ta_status infer_pair(ta_op_kind kind, int32_t ra, const int32_t *da, int32_t rb,
                            const int32_t *db, int32_t y_rank, const int32_t *dy, int32_t *rank,
                            int32_t *dims) {
  ta_ctx ctx;
  tt_capture_reset(&infer_cap);
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &infer_cap);
  ta_graph *g = ta_graph_new(&ctx, "t");
  const int32_t a = ta_graph_add_tensor(g, "a", TA_DT_F32, ra, da);
  const int32_t b = rb >= 0 ? ta_graph_add_tensor(g, "b", TA_DT_F32, rb, db) : -1;
  const int32_t y = ta_graph_add_tensor(g, "y", TA_DT_F32, y_rank < 0 ? 0 : y_rank, dy);
  if (y_rank < 0)
    g->tensors[y].shape_known = false;
  const int32_t o = ta_graph_add_op(g, kind, b >= 0 ? 2 : 1, 1);
  g->ops[o].in[0] = a;
  if (b >= 0)
    g->ops[o].in[1] = b;
  g->ops[o].out[0] = y;
  ta_status st = b >= 0 ? ta_infer_broadcast(g, &g->ops[o]) : ta_infer_same_shape(g, &g->ops[o]);
  *rank = g->tensors[y].rank;
  memcpy(dims, g->tensors[y].dims, sizeof g->tensors[y].dims);
  ta_ctx_free(&ctx);
  return st;
}

static void test_infer_broadcast_shapes(void **state) {
  (void)state;
  int32_t rank, dims[TA_MAX_RANK];
  /* [2,1,3] and [4,1] -> [2,4,3]: aligned at the last dim, 1 stretches. */
  assert_int_equal(
      infer_pair(TA_OP_ADD, 3, (int32_t[]){2, 1, 3}, 2, (int32_t[]){4, 1}, -1, NULL, &rank, dims),
      TA_OK);
  assert_int_equal(rank, 3);
  assert_memory_equal(dims, ((int32_t[]){2, 4, 3}), 3 * sizeof(int32_t));
  /* A scalar broadcasts to anything. */
  assert_int_equal(
      infer_pair(TA_OP_DIV, 0, (int32_t[]){1}, 2, (int32_t[]){5, 7}, -1, NULL, &rank, dims), TA_OK);
  assert_int_equal(rank, 2);
  assert_memory_equal(dims, ((int32_t[]){5, 7}), 2 * sizeof(int32_t));
  /* A stated output shape that agrees is accepted. */
  assert_int_equal(infer_pair(TA_OP_SUB, 2, (int32_t[]){3, 1}, 1, (int32_t[]){4}, 2,
                              (int32_t[]){3, 4}, &rank, dims),
                   TA_OK);
  /* ta_broadcast_shape itself: the first offending dim of the result. */
  ta_tensor a = {.shape_known = true, .rank = 3, .dims = {2, 3, 4}};
  ta_tensor b = {.shape_known = true, .rank = 2, .dims = {5, 4}};
  int32_t bad = -1;
  assert_false(ta_broadcast_shape(&a, &b, &rank, dims, &bad));
  assert_int_equal(bad, 1);
}

static void test_infer_broadcast_errors(void **state) {
  (void)state;
  int32_t rank, dims[TA_MAX_RANK];
  assert_int_equal(
      infer_pair(TA_OP_MUL, 2, (int32_t[]){2, 3}, 1, (int32_t[]){4}, -1, NULL, &rank, dims),
      TA_ERR_MALFORMED);
  assert_string_equal(infer_cap.last,
                      "op 0 MUL: input shapes [2,3] (\"a\") and [4] (\"b\") cannot be broadcast "
                      "together: dim 1 of the first is 3, dim 0 of the second is 4 (expected "
                      "equal, or one of them 1)");
  assert_int_equal(infer_pair(TA_OP_ADD, 2, (int32_t[]){2, 3}, 1, (int32_t[]){3}, 2,
                              (int32_t[]){3, 2}, &rank, dims),
                   TA_ERR_MALFORMED);
  assert_string_equal(infer_cap.last,
                      "op 0 ADD: output \"y\" has shape [3,2], but inputs [2,3] and "
                      "[3] broadcast to [2,3]");
}

static void test_infer_same_shape(void **state) {
  (void)state;
  int32_t rank, dims[TA_MAX_RANK];
  assert_int_equal(infer_pair(TA_OP_RELU, 3, (int32_t[]){1, 4, 2}, -1, NULL, -1, NULL, &rank, dims),
                   TA_OK);
  assert_int_equal(rank, 3);
  assert_memory_equal(dims, ((int32_t[]){1, 4, 2}), 3 * sizeof(int32_t));
  assert_int_equal(
      infer_pair(TA_OP_LOGISTIC, 2, (int32_t[]){1, 4}, -1, NULL, 2, (int32_t[]){1, 5}, &rank, dims),
      TA_ERR_MALFORMED);
  assert_string_equal(infer_cap.last, "op 0 LOGISTIC: output \"y\" has shape [1,5] in the model; "
                                      "expected [1,4] like the input");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_s8_broadcast_channels),
      cmocka_unit_test(test_add_s8_broadcast_both),
      cmocka_unit_test(test_add_s8_scalar_and_same_shape),
      cmocka_unit_test(test_add_s8_activations),
      cmocka_unit_test(test_add_s8_exact_by_hand),
      cmocka_unit_test(test_mul_s8),
      cmocka_unit_test(test_mul_s8_exact_by_hand),
      cmocka_unit_test(test_binary_f32),
      cmocka_unit_test(test_add_constant_operand),
      cmocka_unit_test(test_quantize_f32_s8),
      cmocka_unit_test(test_dequantize_and_round_trip),
      cmocka_unit_test(test_requantize_s8),
      cmocka_unit_test(test_relu_f32),
      cmocka_unit_test(test_relu_s8),
      cmocka_unit_test(test_reshape),
      cmocka_unit_test(test_pad_s8_zero_point),
      cmocka_unit_test(test_pad_f32_and_int64),
      cmocka_unit_test(test_concat_last_axis),
      cmocka_unit_test(test_concat_axis1_three_inputs_f32),
      cmocka_unit_test(test_infer_unknown_outputs),
      cmocka_unit_test(test_diag_broadcast_mismatch),
      cmocka_unit_test(test_diag_output_shape_mismatch),
      cmocka_unit_test(test_diag_pad_not_constant),
      cmocka_unit_test(test_diag_pad_bad_shape_and_negative),
      cmocka_unit_test(test_diag_concat),
      cmocka_unit_test(test_diag_reshape_count),
      cmocka_unit_test(test_diag_types_and_quant),
      cmocka_unit_test(test_infer_broadcast_shapes),
      cmocka_unit_test(test_infer_broadcast_errors),
      cmocka_unit_test(test_infer_same_shape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
