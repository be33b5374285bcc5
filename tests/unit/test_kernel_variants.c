/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kernel_variants.c: every optimized int8 kernel variant gives the same bytes as the
 * reference kernel it replaces (which the op tests and the golden tests check against
 * TFLite), over hundreds of random shapes: conv (1x1 direct and im2col, strides, dilations,
 * SAME/VALID, channel counts that are and are not multiples of 4), depthwise (inside and
 * border pixels, the in-place row-ring variant) and fully connected; and the float variants:
 * conv (2 pixels x 4 channels with non-fused multiply-accumulate), max and average pooling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_plan.h"
#include "ta_schedule.h"
#include "tart_fixedpoint.h"
#include "tart_requant_fast.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

static uint32_t rng = 0xC0FFEE11u;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
static int32_t range(int32_t lo, int32_t hi) {
  return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1));
}

typedef struct shape {
  int op; /* TFB_OP_CONV_2D, TFB_OP_DEPTHWISE_CONV_2D, TFB_OP_FULLY_CONNECTED, float pools */
  int32_t h, w, ci, co, kh, kw, sh, sw, dh, dw;
  int pad, act, per_channel, bias, relu_first;
  int flt;     /* float32 model (CONV_2D and the pools): the float kernel variant */
  int extreme; /* biases up to 2^31 and tiny output scales (multipliers up to and above 1) */
} shape;

static int flt_model; /* build(): the model being built is float32 */
static void q(tfb *b, int t, float s, int64_t zp) {
  if (!flt_model)
    tfb_quant(b, t, 1, &s, &zp, 0);
}
static float rnd_f(void) {
  return (float)(int32_t)next() / 2147483648.0f;
}

/* x -> [RELU ->] OP -> y; the RELU makes the op's input an arena tensor so the in-place
 * depthwise variant can be chosen. */
static uint8_t *build(const shape *s, size_t *len, size_t *in_bytes, size_t *out_bytes) {
  tfb *b = tfb_new();
  flt_model = s->flt;
  const int dt = s->flt ? TFB_FLOAT32 : TFB_INT8;
  const size_t esz = s->flt ? 4 : 1;
  int32_t in_dims[4] = {1, s->h, s->w, s->ci};
  int rank_in = s->op == TFB_OP_FULLY_CONNECTED ? 2 : 4;
  if (rank_in == 2)
    in_dims[1] = s->ci;
  int x = tfb_tensor(b, "x", dt, rank_in, in_dims, 0);
  int64_t zp_in = range(-20, 20);
  q(b, x, 0.05f, zp_in);
  int src = x;
  if (s->relu_first) {
    src = tfb_tensor(b, "r", dt, rank_in, in_dims, 0);
    q(b, src, 0.05f, zp_in);
    tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){src}, 1);
  }
  const int pool = s->op == TFB_OP_MAX_POOL_2D || s->op == TFB_OP_AVERAGE_POOL_2D;
  int32_t co = s->op == TFB_OP_DEPTHWISE_CONV_2D || pool ? s->ci : s->co;
  int32_t wd[4];
  int wrank = 4;
  size_t wn;
  if (s->op == TFB_OP_CONV_2D) {
    wd[0] = co, wd[1] = s->kh, wd[2] = s->kw, wd[3] = s->ci;
  } else if (s->op == TFB_OP_DEPTHWISE_CONV_2D) {
    wd[0] = 1, wd[1] = s->kh, wd[2] = s->kw, wd[3] = co;
  } else {
    wrank = 2, wd[0] = co, wd[1] = s->ci;
  }
  wn = (size_t)wd[0] * (size_t)wd[1] * (wrank == 4 ? (size_t)wd[2] * (size_t)wd[3] : 1);
  int8_t *wv = malloc(wn * esz);
  for (size_t i = 0; i < wn; i++) {
    if (s->flt) {
      const float f = rnd_f();
      memcpy(wv + i * 4, &f, 4);
    } else {
      wv[i] = (int8_t)(next() >> 24);
    }
  }
  int tw = pool ? -1 : tfb_tensor(b, "w", dt, wrank, wd, tfb_buffer(b, wv, wn * esz));
  free(wv);
  float scales[64];
  int64_t zps[64] = {0};
  int nq = s->per_channel ? co : 1;
  for (int i = 0; i < nq; i++)
    scales[i] = 0.002f + 0.0007f * (float)range(0, 9);
  if (!s->flt && !pool)
    tfb_quant(b, tw, nq, scales, zps, s->op == TFB_OP_DEPTHWISE_CONV_2D ? 3 : 0);
  int tb = -1;
  if (s->bias && !pool) {
    int32_t bv[64];
    for (int i = 0; i < co; i++) {
      bv[i] = range(-3000, 3000);
      if (s->extreme && range(0, 1))
        bv[i] = (int32_t)next() >> range(0, 4);
      if (s->flt) {
        const float f = rnd_f();
        memcpy(&bv[i], &f, 4);
      }
    }
    tb = tfb_tensor(b, "b", s->flt ? TFB_FLOAT32 : TFB_INT32, 1, (int32_t[]){co},
                    tfb_buffer(b, bv, (size_t)co * 4));
    float bs[64];
    for (int i = 0; i < nq; i++)
      bs[i] = 0.05f * scales[i];
    if (!s->flt)
      tfb_quant(b, tb, nq, bs, zps, 0);
  }
  int32_t oh = 1, ow = 1, od[4];
  int orank;
  if (s->op == TFB_OP_FULLY_CONNECTED) {
    orank = 2, od[0] = 1, od[1] = co;
  } else {
    int32_t ekh = (s->kh - 1) * s->dh + 1, ekw = (s->kw - 1) * s->dw + 1;
    oh = s->pad == TFB_PAD_SAME ? (s->h + s->sh - 1) / s->sh : (s->h - ekh + s->sh) / s->sh;
    ow = s->pad == TFB_PAD_SAME ? (s->w + s->sw - 1) / s->sw : (s->w - ekw + s->sw) / s->sw;
    orank = 4, od[0] = 1, od[1] = oh, od[2] = ow, od[3] = co;
  }
  int y = tfb_tensor(b, "y", dt, orank, od, 0);
  static const float extreme_scales[4] = {0.04f, 0.001f, 0.0002f, 0.00003f};
  if (pool && !s->flt)
    q(b, y, 0.05f, zp_in); /* int8 pooling keeps its input's quantization */
  else
    q(b, y, s->extreme ? extreme_scales[range(0, 3)] : 0.04f + 0.01f * (float)range(0, 5),
      s->extreme ? range(-128, 127) : range(-30, 30));
  int op = tfb_op(b, s->op, (int[]){src, tw, tb}, pool ? 1 : 3, (int[]){y}, 1);
  if (pool)
    tfb_pool_options(b, op, s->pad, s->sw, s->sh, s->kw, s->kh, s->act);
  else if (s->op == TFB_OP_CONV_2D)
    tfb_conv_options(b, op, s->pad, s->sw, s->sh, s->act, s->dw, s->dh);
  else if (s->op == TFB_OP_DEPTHWISE_CONV_2D)
    tfb_dwconv_options(b, op, s->pad, s->sw, s->sh, 1, s->act, s->dw, s->dh);
  else
    tfb_fc_options(b, op, s->act, 0);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  uint8_t *m = tfb_finish(b, len);
  tfb_free(b);
  *in_bytes = esz * (size_t)in_dims[0] * (size_t)in_dims[1] *
              (rank_in == 4 ? (size_t)s->w * (size_t)s->ci : 1);
  *out_bytes = esz * (size_t)oh * (size_t)ow * (size_t)co;
  return m;
}

/* A variant forced on the model's last op instead of the heuristic's (NULL: the heuristic),
 * with its knob value (the first knob) when it has one. */
static const char *force_variant;
static int32_t force_knob;

/* The schedule stage's steps for variant name on the last op of a reference-scheduled graph:
 * its knobs, its prepare step, its kernel. false when it does not apply. */
static bool force(tt_run *r, const char *name, const int32_t *knob) {
  const ta_op *op = &r->g->ops[r->g->n_ops - 1];
  ta_kernel_call *call = &r->calls[r->g->n_ops - 1];
  int32_t n;
  const ta_variant *vs = ta_sched_variants(op, &n);
  for (int32_t i = 0; i < n; i++) {
    const ta_variant *v = &vs[i];
    if (strcmp(v->name, name) != 0 || v->kernel == TA_K_PREPARED ||
        !ta_sched_applies(r->g, op, call, v))
      continue;
    call->knobs = v->n_knobs > 0 ? knob : NULL;
    if (v->prepare && !v->prepare(r->g, op, call))
      continue;
    if (ta_call_set_kernel(r->g, op, call, (ta_kernel_id)v->kernel) != TA_OK)
      return false;
    call->variant = v;
    return true;
  }
  return false;
}

/* Runs of a depthwise opt or plane kernel, and of the int8 ADD/MUL variants, with and without
 * the fast requantization's constants; runs of a depthwise variant's in-place form. */
static int dw_fast, dw_general, dw_inplace, bin_fast, bin_general;
/* Runs of the packed conv and fully connected kernels with and without the fast
 * requantization, and of the conv with output pixels in pairs. */
static int packed_fast, packed_general, packed_pairs;

static int32_t run(const uint8_t *m, size_t len, bool reference, bool plan, const int8_t *in,
                   int8_t *out, int32_t *kernel) {
  tt_run r;
  const bool forced = !reference && force_variant;
  ta_status st = tt_prepare_kernels(&r, m, len, reference || forced);
  if (st == TA_OK && forced && !force(&r, force_variant, &force_knob))
    st = TA_ERR_INTERNAL;
  if (st != TA_OK) {
    printf("prepare failed:\n%s", r.cap.text);
    tt_done(&r);
    return -1;
  }
  const void *ins[1] = {in};
  void *outs[1] = {out};
  ta_plan pl;
  int32_t *root = NULL;
  if (plan) {
    if (ta_plan_build(r.g, r.calls, NULL, &pl) != TA_OK) {
      tt_done(&r);
      return -1;
    }
    root = pl.root;
  }
  *kernel = r.calls[r.g->n_ops - 1].kernel;
  if (*kernel == TA_K_depthwise_conv2d_s8_opt || *kernel == TA_K_depthwise_conv2d_s8_opt_inplace ||
      *kernel == TA_K_depthwise_conv2d_s8_plane) {
    const tart_dwconv_params *dp = r.calls[r.g->n_ops - 1].params;
    (*(dp->n_fq > 0 ? &dw_fast : &dw_general))++;
    const ta_variant *v = r.calls[r.g->n_ops - 1].variant;
    dw_inplace += v && v->inplace_of ? 1 : 0;
  }
  if (*kernel == TA_K_conv2d_s8_compact) {
    const tart_conv_params *cp = r.calls[r.g->n_ops - 1].params;
    (*(cp->n_fq > 0 ? &packed_fast : &packed_general))++;
    /* fq stands in for rq's arrays */
    assert_true(cp->n_fq > 0 ? cp->rq.n_mult == 0 && !cp->rq.mult : cp->rq.n_mult > 0);
  }
  if (*kernel == TA_K_conv2d_s8_packed) {
    const tart_conv_params *cp = r.calls[r.g->n_ops - 1].params;
    (*(cp->n_fq > 0 ? &packed_fast : &packed_general))++;
    if (cp->pixels == 2)
      packed_pairs++;
  }
  if (*kernel == TA_K_fully_connected_s8_packed) {
    const tart_fc_params *fp = r.calls[r.g->n_ops - 1].params;
    (*(fp->n_fq > 0 ? &packed_fast : &packed_general))++;
  }
  if (*kernel == TA_K_add_s8_table || *kernel == TA_K_mul_s8_fast) {
    const tart_binary_params *bp = r.calls[r.g->n_ops - 1].params;
    (*(bp->n_fq > 0 ? &bin_fast : &bin_general))++;
  }
  st = ta_graph_eval_shared(r.g, r.calls, root, ins, outs);
  if (st != TA_OK)
    printf("eval failed:\n%s", r.cap.text);
  tt_done(&r);
  return st == TA_OK ? 0 : -1;
}

static void check_shape(const shape *s, int *opt_count) {
  size_t len, nin, nout;
  uint8_t *m = build(s, &len, &nin, &nout);
  assert_non_null(m);
  int8_t *in = malloc(nin), *ref = malloc(nout), *opt = malloc(nout);
  for (size_t i = 0; i < nin; i++)
    in[i] = (int8_t)(next() >> 24);
  for (size_t i = 0; s->flt && i + 4 <= nin; i += 4) {
    const float f = rnd_f() * 4.0f;
    memcpy(in + i, &f, 4);
  }
  int32_t kref, kopt;
  assert_int_equal(run(m, len, true, false, in, ref, &kref), 0);
  assert_int_equal(run(m, len, false, s->relu_first, in, opt, &kopt), 0);
  if (kopt != kref)
    (*opt_count)++;
  if (memcmp(ref, opt, nout) != 0) {
    size_t i = 0;
    while (ref[i] == opt[i])
      i++;
    printf("op %d h%d w%d ci%d co%d k%dx%d s%dx%d d%dx%d pad%d act%d pc%d bias%d: byte %zu "
           "reference %d, kernel %s gives %d\n",
           s->op, s->h, s->w, s->ci, s->co, s->kh, s->kw, s->sh, s->sw, s->dh, s->dw, s->pad,
           s->act, s->per_channel, s->bias, i, ref[i], ta_kernel_get(kopt)->name, opt[i]);
    fail();
  }
  free(in);
  free(ref);
  free(opt);
  free(m);
}

static shape random_shape(int op) {
  shape s;
  memset(&s, 0, sizeof s);
  s.op = op;
  s.h = range(1, 9), s.w = range(1, 9), s.ci = range(1, 13), s.co = range(1, 13);
  s.kh = range(1, 4), s.kw = range(1, 4), s.sh = range(1, 3), s.sw = range(1, 3);
  s.dh = range(1, 2), s.dw = range(1, 2);
  s.pad = range(0, 1) ? TFB_PAD_SAME : TFB_PAD_VALID;
  s.act = range(0, 3), s.per_channel = range(0, 1), s.bias = range(0, 3) > 0;
  s.relu_first = range(0, 1);
  if (s.pad == TFB_PAD_VALID) { /* keep the window inside */
    if ((s.kh - 1) * s.dh + 1 > s.h)
      s.kh = 1, s.dh = 1;
    if ((s.kw - 1) * s.dw + 1 > s.w)
      s.kw = 1, s.dw = 1;
  }
  return s;
}

static void test_conv_variants(void **state) {
  (void)state;
  int opt = 0;
  for (int i = 0; i < 300; i++) {
    shape s = random_shape(TFB_OP_CONV_2D);
    if (i % 5 == 0)
      s.kh = s.kw = 1, s.pad = TFB_PAD_VALID; /* the direct 1x1 path */
    check_shape(&s, &opt);
  }
  assert_true(opt > 250); /* the optimized kernel really ran */
}

/* Random weights, biases and zero points with extreme requantization: tiny and near-one
 * multipliers (scales), large biases, so that both the fast requantization and the general
 * one (where the compiler cannot prove the fast one exact) run. */
static void conv_knob_shapes(const char *variant, int32_t knob, int fc) {
  force_variant = variant;
  force_knob = knob;
  int opt = 0;
  packed_fast = packed_general = packed_pairs = 0;
  for (int i = 0; i < 200; i++) {
    shape s = random_shape(fc ? TFB_OP_FULLY_CONNECTED : TFB_OP_CONV_2D);
    s.extreme = i % 3 == 0;
    if (fc)
      s.ci = range(1, 70);
    else if (i % 4 == 0)
      s.kh = s.kw = 1, s.pad = TFB_PAD_VALID, s.ci = 4 * range(1, 4); /* in place 1x1 */
    else if (i % 4 == 1)
      s.co = range(13, 21); /* several blocks of four and a tail */
    else if (i % 8 == 2) /* window rows of whole quads (16 bytes or more), inside and at borders */
      s.kw = range(2, 3), s.ci = 8 * range(1, 2), s.pad = TFB_PAD_SAME;
    else if (i % 8 == 6) { /* 1-D: windows are runs of bytes, read in place inside the input */
      s.h = range(6, 40), s.dh = s.dw = 1, s.sw = 1, s.kh = range(2, 5);
      if (range(0, 1))
        s.w = s.kw = 1, s.pad = TFB_PAD_SAME; /* padding above and below: border pixels */
      else
        s.w = s.kw = range(1, 4), s.pad = TFB_PAD_VALID; /* the filter as wide as the input */
    }
    check_shape(&s, &opt);
  }
  force_variant = NULL;
  assert_true(opt == 200);         /* the forced variant ran every time */
  if (strcmp(variant, "opt") != 0) /* the packed kernels: both requantizations ran */
    assert_true(packed_fast > 50 && packed_general > 10);
}

/* tart_requant_fast against the reference requantization (MultiplyByQuantizedMultiplier plus
 * the zero point, wrapping) on 4 million random accumulators inside the bound the compiler
 * grants (|acc| < 2^30), every shift 1..31, extreme multipliers (2^30, 2^31 - 1, random),
 * zero points at both ends, and the edges: acc 0, +-1, +-(2^30 - 1), -2^30, ties. */
static void test_requant_fast_exact(void **state) {
  (void)state;
  for (int32_t i = 0; i < 4000000; i++) {
    const int32_t r = 1 + (int32_t)(next() % 31u);
    int32_t mult;
    switch (i % 4) {
    case 0: mult = 1 << 30; break;
    case 1: mult = INT32_MAX; break;
    default: mult = (int32_t)((1u << 30) | (next() >> 2)); break;
    }
    const int32_t zp = (i % 3 == 0) ? -128 : (i % 3 == 1 ? 127 : (int32_t)(next() % 256u) - 128);
    int32_t acc;
    switch (i % 7) {
    case 0: acc = (int32_t)(next() % 5u) - 2; break;
    case 1: acc = (1 << 30) - 1 - (int32_t)(next() % 4u); break;
    case 2: acc = -(1 << 30) + (int32_t)(next() % 4u); break;
    case 3: /* ties: a multiple of a power of two (multiplied: a negative value must not be
             * shifted left) */
      acc = (int32_t)(((int64_t)(next() % 2048u) - 1024) * ((int64_t)1 << (r > 10 ? r - 10 : 0)));
      break;
    default: acc = (int32_t)(next() >> 1) - (1 << 30); break;
    }
    const int64_t add = ((int64_t)1 << (r - 1)) + (int64_t)zp * ((int64_t)1 << r);
    const int64_t y_max =
        ((int64_t)llabs(acc) * mult + ((int64_t)1 << 30)) / ((int64_t)1 << 31) + 1;
    if (y_max + llabs(add) + 1 > INT32_MAX)
      continue; /* outside what ta_requant_fast_consts grants */
    const int32_t ref = tart_wrap_add(tart_mul_by_quantized_mult(acc, mult, -r), zp);
    const int32_t fast = tart_requant_fast(acc, mult, (int32_t)add, r);
    if (ref != fast) {
      printf("acc %d mult %d r %d zp %d: reference %d, fast %d\n", acc, mult, r, zp, ref, fast);
      fail();
    }
  }
}

/* The packed variants with each weight width (knob "weights"), output pixels in pairs
 * ("packed", on every shape with two output pixels or more, an odd last pixel alone) or one
 * by one ("single_pixel"), and the opt variant they are listed before. */
static void conv_packed(const char *variant, int32_t weights) {
  conv_knob_shapes(variant, weights, 0);
  if (strcmp(variant, "single_pixel") == 0)
    assert_int_equal(packed_pairs, 0);
  else
    assert_true(packed_pairs > 150);
}
static void test_conv_packed_int8(void **state) {
  (void)state;
  conv_packed("single_pixel", 8);
}
static void test_conv_packed_int16(void **state) {
  (void)state;
  conv_packed("single_pixel", 16);
}
static void test_conv_packed_int8_pairs(void **state) {
  (void)state;
  conv_packed("packed", 8);
}
static void test_conv_packed_int16_pairs(void **state) {
  (void)state;
  conv_packed("packed", 16);
}
static void test_conv_packed_default(void **state) {
  (void)state;
  conv_packed("packed", 0);
}
static void test_conv_opt(void **state) {
  (void)state;
  conv_knob_shapes("opt", 0, 0);
}
/* The --optimize size conv (pixel pairs, int8 weights, fq in place of rq). */
static void test_conv_compact(void **state) {
  (void)state;
  conv_knob_shapes("compact", 0, 0);
}
static void test_fc_packed_int8(void **state) {
  (void)state;
  conv_knob_shapes("packed", 8, 1);
}
static void test_fc_packed_int16(void **state) {
  (void)state;
  conv_knob_shapes("packed", 16, 1);
}

static void test_depthwise_variants(void **state) {
  (void)state;
  int opt = 0;
  for (int i = 0; i < 300; i++) {
    shape s = random_shape(TFB_OP_DEPTHWISE_CONV_2D);
    s.extreme = i % 2;
    if (i % 3 == 0)
      s.sh = s.sw = 1, s.pad = TFB_PAD_SAME, s.relu_first = 1; /* in place */
    check_shape(&s, &opt);
  }
  assert_true(opt > 250);
}

/* The opt depthwise kernel forced, with extreme requantization on half
 * the shapes, so that both the fast requantization (constants from the compiler) and the
 * general one (where the compiler cannot prove the fast one exact) run, at inside and border
 * pixels, odd channel counts (the single-channel tail), strides, dilations, per-channel
 * weights. */
static void dw_forced(const char *variant, int n, int k3x3) {
  force_variant = variant;
  force_knob = 1; /* plane: "always", not only where it pays */
  int opt = 0;
  dw_fast = dw_general = dw_inplace = 0;
  for (int i = 0; i < n; i++) {
    shape s = random_shape(TFB_OP_DEPTHWISE_CONV_2D);
    s.extreme = i % 2;
    s.ci = range(1, 40);
    if (k3x3 && i % 3 != 0) {
      /* The plane kernel's 3x3 paths (dilation 1): stride 1 four outputs a step (assembly on
       * the Cortex-M4) and the two or three left, stride 2 two a step and the last; planes
       * wider or taller than the other way (the kernel transposes tall ones); in place
       * (stride 1 SAME after the RELU) on a third of them. */
      s.h = range(1, 20), s.w = range(1, 20), s.kh = s.kw = 3, s.dh = s.dw = 1;
      s.sh = range(1, 2), s.sw = range(1, 2);
      if (i % 3 == 1)
        s.sh = s.sw = 1, s.pad = TFB_PAD_SAME, s.relu_first = 1;
      if (s.pad == TFB_PAD_VALID && (s.h < 3 || s.w < 3))
        s.pad = TFB_PAD_SAME;
    }
    check_shape(&s, &opt);
  }
  force_variant = NULL;
  assert_true(opt == n);
  assert_true(dw_fast > n / 3 && dw_general > n / 10);
  if (k3x3)
    assert_true(dw_inplace > n / 6);
}
static void test_depthwise_opt(void **state) {
  (void)state;
  dw_forced("opt", 300, 0);
}
/* The plane kernel forced (its C twin of the assembly on the host), 600 shapes. */
static void test_depthwise_plane(void **state) {
  (void)state;
  dw_forced("plane", 600, 1);
}

/* int8 ADD or MUL of the input x [1,h,w,c] (after a RELU on half the shapes, so the planner
 * may run the op in place) and a constant of a broadcast shape (dims of 1 at random, rank 1
 * to 4, either operand order), with scales from 0.001 to 1 (ratios up to 1000), output scales
 * from 1e-4 to 10 and zero points at both ends, so that the fast requantization and (for
 * huge shifts with large zero points, or MUL multipliers >= 1) the general one both run. The
 * variant is compared with the reference kernel: ADD's "table" forced (it always applies),
 * MUL's "fast" where the heuristic picks it (only where its requantization is exact). */
static void check_binary(int op, int *opt) {
  static const float in_scales[5] = {0.001f, 0.0123f, 0.05f, 0.3f, 1.0f};
  static const float out_scales[5] = {1e-4f, 0.01f, 0.1f, 1.0f, 10.0f};
  tfb *b = tfb_new();
  flt_model = 0;
  const int32_t h = range(1, 6), w = range(1, 6), c = range(1, 9);
  const int32_t dx[4] = {1, h, w, c};
  const int rb = range(1, 4);
  int32_t db[4];
  size_t nb = 1;
  for (int k = 0; k < rb; k++) {
    db[k] = range(0, 2) ? dx[4 - rb + k] : 1;
    nb *= (size_t)db[k];
  }
  const int x = tfb_tensor(b, "x", TFB_INT8, 4, dx, 0);
  const float sx = in_scales[range(0, 4)];
  const int64_t zx = range(-128, 127);
  q(b, x, sx, zx);
  int src = x;
  if (range(0, 1)) {
    src = tfb_tensor(b, "r", TFB_INT8, 4, dx, 0);
    q(b, src, sx, zx);
    tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){src}, 1);
  }
  int8_t cv[4096];
  for (size_t i = 0; i < nb; i++)
    cv[i] = (int8_t)(next() >> 24);
  const int k = tfb_tensor(b, "k", TFB_INT8, rb, db, tfb_buffer(b, cv, nb));
  q(b, k, in_scales[range(0, 4)], range(-128, 127));
  const int y = tfb_tensor(b, "y", TFB_INT8, 4, dx, 0);
  q(b, y, out_scales[range(0, 4)], range(-128, 127));
  const int swap = range(0, 1);
  const int o = tfb_op(b, op, (int[]){swap ? k : src, swap ? src : k}, 2, (int[]){y}, 1);
  const int act = range(0, 3);
  if (op == TFB_OP_ADD)
    tfb_add_options(b, o, act);
  else
    tfb_mul_options(b, o, act);
  tfb_io(b, (int[]){x}, 1, (int[]){y}, 1);
  size_t len;
  uint8_t *m = tfb_finish(b, &len);
  tfb_free(b);
  assert_non_null(m);
  const size_t n = (size_t)h * (size_t)w * (size_t)c;
  int8_t *in = malloc(n), *ref = malloc(n), *got = malloc(n);
  for (size_t i = 0; i < n; i++)
    in[i] = (int8_t)(next() >> 24);
  int32_t kref, kopt;
  assert_int_equal(run(m, len, true, false, in, ref, &kref), 0);
  assert_int_equal(run(m, len, false, src != x, in, got, &kopt), 0);
  if (kopt != kref)
    (*opt)++;
  if (memcmp(ref, got, n) != 0) {
    size_t i = 0;
    while (ref[i] == got[i])
      i++;
    printf("op %d x [1,%d,%d,%d] const rank %d swap %d act %d: byte %zu reference %d, kernel %s "
           "gives %d\n",
           op, h, w, c, rb, swap, act, i, ref[i], ta_kernel_get(kopt)->name, got[i]);
    fail();
  }
  free(in);
  free(ref);
  free(got);
  free(m);
}

static void binary_forced(int op, const char *variant) {
  force_variant = variant;
  int opt = 0;
  bin_fast = bin_general = 0;
  for (int i = 0; i < 400; i++)
    check_binary(op, &opt);
  force_variant = NULL;
  printf("%s: %d runs, %d with the fast requantization, %d without\n",
         variant ? variant : "heuristic", opt, bin_fast, bin_general);
  if (variant) {
    assert_true(opt == 400);
    assert_true(bin_fast > 100 && bin_general > 20);
  } else { /* the heuristic: the fast variant where exact, else the reference */
    assert_true(opt > 100 && opt < 400 && bin_fast == opt);
  }
}
static void test_add_table(void **state) {
  (void)state;
  binary_forced(TFB_OP_ADD, "table");
}
static void test_mul_fast(void **state) {
  (void)state;
  binary_forced(TFB_OP_MUL, NULL);
}

/* The float convolution: the same bits as the reference kernel (same order of sums), over
 * random shapes with padding, strides and dilations, activations, with and without bias. */
static void test_conv_f32_variants(void **state) {
  (void)state;
  int opt = 0;
  for (int i = 0; i < 200; i++) {
    shape s = random_shape(TFB_OP_CONV_2D);
    s.flt = 1;
    if (i % 5 == 0)
      s.kh = s.kw = 1, s.pad = TFB_PAD_VALID;
    check_shape(&s, &opt);
  }
  assert_true(opt > 150);
}

/* The float pools: the same bits as the reference kernels over random windows (1x1 to 4x4,
 * the 2-tap path included), strides, SAME padding (border windows with fewer taps),
 * activations; inputs of both signs, so equal zeros and the clamp are exercised. */
static void test_pool_f32_variants(void **state) {
  (void)state;
  int opt = 0;
  for (int i = 0; i < 400; i++) {
    shape s = random_shape(i % 2 ? TFB_OP_MAX_POOL_2D : TFB_OP_AVERAGE_POOL_2D);
    s.flt = 1, s.dh = s.dw = 1;
    if (i % 4 < 2)
      s.kh = 2, s.kw = 1, s.sh = 2, s.sw = 1; /* the gesture model's 2x1 windows */
    if ((s.kh > s.h || s.kw > s.w) && s.pad == TFB_PAD_VALID)
      s.pad = TFB_PAD_SAME;
    check_shape(&s, &opt);
  }
  assert_true(opt > 350);
}

/* int8 max pooling: the same bytes as the reference over random windows, strides, SAME
 * borders, fused activations (the clamp), channel counts that are and are not multiples of 4
 * (the four-lane path and its tail on DSP cores; the plain path on the host). */
static void test_pool_s8_variants(void **state) {
  (void)state;
  int opt = 0;
  for (int i = 0; i < 300; i++) {
    shape s = random_shape(TFB_OP_MAX_POOL_2D);
    s.dh = s.dw = 1;
    if (i % 4 < 2)
      s.kh = 2, s.kw = 1, s.sh = 2, s.sw = 1;
    if ((s.kh > s.h || s.kw > s.w) && s.pad == TFB_PAD_VALID)
      s.pad = TFB_PAD_SAME;
    check_shape(&s, &opt);
  }
  assert_true(opt > 250);
}

static void test_fc_variants(void **state) {
  (void)state;
  int opt = 0;
  for (int i = 0; i < 200; i++) {
    shape s = random_shape(TFB_OP_FULLY_CONNECTED);
    s.ci = range(1, 70);
    check_shape(&s, &opt);
  }
  assert_true(opt > 150);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conv_variants),
      cmocka_unit_test(test_conv_f32_variants),
      cmocka_unit_test(test_depthwise_variants),
      cmocka_unit_test(test_fc_variants),
      cmocka_unit_test(test_pool_f32_variants),
      cmocka_unit_test(test_requant_fast_exact),
      cmocka_unit_test(test_conv_packed_int8),
      cmocka_unit_test(test_conv_packed_int16),
      cmocka_unit_test(test_conv_packed_int8_pairs),
      cmocka_unit_test(test_conv_packed_int16_pairs),
      cmocka_unit_test(test_conv_packed_default),
      cmocka_unit_test(test_conv_opt),
      cmocka_unit_test(test_conv_compact),
      cmocka_unit_test(test_fc_packed_int8),
      cmocka_unit_test(test_fc_packed_int16),
      cmocka_unit_test(test_depthwise_opt),
      cmocka_unit_test(test_add_table),
      cmocka_unit_test(test_mul_fast),
      cmocka_unit_test(test_pool_s8_variants),
      cmocka_unit_test(test_depthwise_plane),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
