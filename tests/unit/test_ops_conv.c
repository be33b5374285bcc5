/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops_conv.c: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED through the compiler's
 * front half. Each case builds a one-op TFLite model in code, reads, checks, prepares and
 * runs it with the runtime kernels, and compares with a reference written here on its own
 * terms: the input padded explicitly (with the zero point), accumulators in double, output
 * sizes and padding from TensorFlow's formulas, multipliers quantized here, requantization
 * by tt_refmath.h (TFLite's arithmetic written a second time, not the runtime's
 * tart_fixedpoint.h). int8 must match bit for bit (and stay within 1 of plain
 * rounding); float within 1e-5 of the sum of the term magnitudes.
 * Then diagnostics: one bad model per message, checking the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tart_fixedpoint.h"
#include "tt_refmath.h"
#include "tflbuild.h"
#include "tt_pipeline.h"

/* Ways to break a model, for the diagnostics tests. */
typedef enum bad {
  BAD_NONE,
  BAD_SCALE_COUNT, /* per-channel scales along the filter's last (conv, FC) or width
                    * (depthwise) axis: consistent with the shape, wrong for the op */
  BAD_FILTER_F32,  /* int8 input, float filter */
  BAD_HYBRID,      /* float input, int8 filter */
  BAD_BIAS_F32,    /* int8 model with a float bias */
  BAD_OUT_SHAPE,   /* output shape one row too tall */
  BAD_STRIDE_0,    /* stride 0 and dilation 0 */
  BAD_DEPTH_MULT,  /* depth_multiplier attribute disagrees with the filter */
  BAD_FILTER_ZP,   /* per-channel filter with a non-zero zero point */
  BAD_BIAS_LEN,    /* bias with one element too many */
  BAD_INPUT_I16,   /* int16 activations */
  BAD_NO_QUANT,    /* int8 filter without quantization parameters */
} bad;

/* One test case. Zero strides/dilations/depth multiplier mean 1. */
typedef struct spec {
  int op;         /* TFB_OP_CONV_2D, TFB_OP_DEPTHWISE_CONV_2D, TFB_OP_FULLY_CONNECTED */
  bool q;         /* int8, else float32 */
  int in_rank;    /* FC only; conv inputs are rank 4 */
  int32_t in[4];  /* input shape */
  int32_t kh, kw; /* window (conv, depthwise) */
  int32_t kc;     /* conv: channels each filter sees (in_c / groups); 0 means in_c */
  int32_t co;     /* output channels (conv, FC) */
  int stride_h, stride_w, dil_h, dil_w, depth_mult;
  int pad; /* TFB_PAD_SAME or TFB_PAD_VALID */
  int act; /* TFB_ACT_* */
  bool keep, bias, per_channel;
  bool bias_absent_short; /* no bias written as 2 inputs instead of [x, w, -1] */
  int64_t w_zp;           /* FC per-tensor weights zero point */
  uint32_t seed;
  bad bad;
} spec;

/* Everything a case generates: shapes, data and quantization, for the model and the
 * reference. */
typedef struct tcase {
  spec s;
  int32_t n, h, w, c;            /* conv input */
  int32_t oh, ow, co, pt, pl;    /* conv output, leading padding */
  int32_t kc, groups, mult;      /* conv filter channels, groups; depthwise multiplier */
  int32_t batches, k;            /* FC */
  int32_t w_dims[4], w_rank;     /* filter / weights */
  int32_t out_dims[4], out_rank; /* output */
  size_t in_elems, w_elems, out_elems;
  double *x, *wt, *bias; /* values as stored (quantized integers or floats) */
  float in_s, out_s, w_s[64];
  int64_t in_zp, out_zp;
  int n_scales;
} tcase;

static uint32_t rng_next(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}
static int32_t rng_int(uint32_t *s, int32_t lo, int32_t hi) {
  return lo + (int32_t)(rng_next(s) % (uint32_t)(hi - lo + 1));
}
static double rng_unit(uint32_t *s) {
  return (double)(rng_next(s) >> 8) / 16777216.0 * 2.0 - 1.0;
}

static int def1(int v) {
  return v ? v : 1;
}

/* TensorFlow's output size and leading padding, written out here. */
static void axis_geom(int pad, int32_t in, int32_t k, int32_t stride, int32_t dil, int32_t *out,
                      int32_t *before) {
  int32_t eff = (k - 1) * dil + 1;
  *out = pad == TFB_PAD_SAME ? (in + stride - 1) / stride : (in - eff) / stride + 1;
  int32_t total = (*out - 1) * stride + eff - in;
  *before = pad == TFB_PAD_SAME && total > 0 ? total / 2 : 0;
}

static void tcase_init(tcase *t, const spec *s) {
  memset(t, 0, sizeof *t);
  t->s = *s;
  spec *p = &t->s;
  p->stride_h = def1(p->stride_h), p->stride_w = def1(p->stride_w);
  p->dil_h = def1(p->dil_h), p->dil_w = def1(p->dil_w), p->depth_mult = def1(p->depth_mult);
  uint32_t rs = p->seed ? p->seed : 0x12345678u;

  if (p->op == TFB_OP_FULLY_CONNECTED) {
    int rank = p->in_rank ? p->in_rank : 2;
    size_t e = 1;
    for (int i = 0; i < rank; i++)
      e *= (size_t)p->in[i];
    t->in_elems = e;
    t->k = p->in[rank - 1];
    t->batches = (int32_t)(e / (size_t)t->k);
    t->co = p->co;
    t->w_rank = 2, t->w_dims[0] = t->co, t->w_dims[1] = t->k;
    if (p->keep) {
      t->out_rank = rank;
      memcpy(t->out_dims, p->in, sizeof t->out_dims);
      t->out_dims[rank - 1] = t->co;
    } else {
      t->out_rank = 2, t->out_dims[0] = t->batches, t->out_dims[1] = t->co;
    }
    t->out_elems = (size_t)t->batches * (size_t)t->co;
  } else {
    t->n = p->in[0], t->h = p->in[1], t->w = p->in[2], t->c = p->in[3];
    t->in_elems = (size_t)t->n * (size_t)t->h * (size_t)t->w * (size_t)t->c;
    axis_geom(p->pad, t->h, p->kh, p->stride_h, p->dil_h, &t->oh, &t->pt);
    axis_geom(p->pad, t->w, p->kw, p->stride_w, p->dil_w, &t->ow, &t->pl);
    t->w_rank = 4, t->w_dims[1] = p->kh, t->w_dims[2] = p->kw;
    if (p->op == TFB_OP_CONV_2D) {
      t->kc = p->kc ? p->kc : t->c;
      t->groups = t->c / t->kc;
      t->co = p->co;
      t->w_dims[0] = t->co, t->w_dims[3] = t->kc;
    } else {
      t->mult = p->depth_mult;
      t->co = t->c * t->mult;
      t->w_dims[0] = 1, t->w_dims[3] = t->co;
    }
    t->out_rank = 4;
    t->out_dims[0] = t->n, t->out_dims[1] = t->oh, t->out_dims[2] = t->ow, t->out_dims[3] = t->co;
    t->out_elems = (size_t)t->n * (size_t)t->oh * (size_t)t->ow * (size_t)t->co;
  }
  t->w_elems = 1;
  for (int i = 0; i < t->w_rank; i++)
    t->w_elems *= (size_t)t->w_dims[i];
  assert_true(t->co <= 64);

  /* Data: full int8 range for quantized cases, [-1, 1) for float. */
  t->x = calloc(t->in_elems, sizeof(double));
  t->wt = calloc(t->w_elems, sizeof(double));
  t->bias = calloc((size_t)t->co, sizeof(double));
  for (size_t i = 0; i < t->in_elems; i++)
    t->x[i] = p->q ? rng_int(&rs, -128, 127) : rng_unit(&rs);
  for (size_t i = 0; i < t->w_elems; i++)
    t->wt[i] = p->q ? rng_int(&rs, -127, 127) : rng_unit(&rs);
  for (int32_t i = 0; p->bias && i < t->co; i++)
    t->bias[i] = p->q ? rng_int(&rs, -4000, 4000) : rng_unit(&rs);

  /* Scales chosen so outputs spread over the int8 range with a little saturation. */
  int32_t depth = p->op == TFB_OP_FULLY_CONNECTED ? t->k
                  : p->op == TFB_OP_CONV_2D       ? p->kh * p->kw * t->kc
                                                  : p->kh * p->kw;
  t->in_s = 0.05f;
  t->in_zp = rng_int(&rs, -20, 20);
  t->n_scales = p->per_channel ? t->co : 1;
  for (int i = 0; i < t->n_scales; i++)
    t->w_s[i] = 0.002f + 0.0007f * (float)(i % 7);
  t->out_s = (float)(0.05 * 0.004 * 73.0 * sqrt((double)depth) * 2.0);
  t->out_zp = rng_int(&rs, -10, 10);
}

static void tcase_free(tcase *t) {
  free(t->x);
  free(t->wt);
  free(t->bias);
}

/* The model bytes (malloc'd) for a case, broken as t->s.bad says. */
static uint8_t *tcase_model(const tcase *t, size_t *len) {
  const spec *p = &t->s;
  bool q = p->q;
  int in_dt = p->bad == BAD_INPUT_I16 ? TFB_INT16 : q ? TFB_INT8 : TFB_FLOAT32;
  int w_dt = p->bad == BAD_FILTER_F32 ? TFB_FLOAT32
             : p->bad == BAD_HYBRID   ? TFB_INT8
             : q                      ? TFB_INT8
                                      : TFB_FLOAT32;
  int b_dt = p->bad == BAD_BIAS_F32 ? TFB_FLOAT32 : q ? TFB_INT32 : TFB_FLOAT32;
  int out_dt = in_dt;
  tfb *b = tfb_new();
  assert_non_null(b);

  /* Input. */
  int32_t in_dims[4];
  int in_rank = p->op == TFB_OP_FULLY_CONNECTED ? (p->in_rank ? p->in_rank : 2) : 4;
  memcpy(in_dims, p->in, sizeof in_dims);
  int tx = tfb_tensor(b, "x", in_dt, in_rank, in_dims, 0);
  if (q)
    tfb_quant(b, tx, 1, &t->in_s, &t->in_zp, 0);

  /* Filter / weights. */
  size_t we = t->w_elems;
  void *wbuf = malloc(we * 4);
  for (size_t i = 0; i < we; i++) {
    if (w_dt == TFB_INT8)
      ((int8_t *)wbuf)[i] = (int8_t)t->wt[i];
    else
      ((float *)wbuf)[i] = (float)t->wt[i];
  }
  int tw = tfb_tensor(b, "w", w_dt, t->w_rank, t->w_dims,
                      tfb_buffer(b, wbuf, we * (w_dt == TFB_INT8 ? 1u : 4u)));
  free(wbuf);
  if (w_dt == TFB_INT8 && p->bad != BAD_NO_QUANT) {
    int64_t zps[64] = {0};
    int n = t->n_scales, axis = p->op == TFB_OP_DEPTHWISE_CONV_2D ? 3 : 0;
    if (p->bad == BAD_SCALE_COUNT) {
      axis = p->op == TFB_OP_DEPTHWISE_CONV_2D ? 2 : t->w_rank - 1;
      n = t->w_dims[axis];
    }
    if (p->op == TFB_OP_FULLY_CONNECTED && n == 1)
      zps[0] = p->w_zp;
    if (p->bad == BAD_FILTER_ZP)
      zps[1] = 3;
    tfb_quant(b, tw, n, t->w_s, zps, axis);
  }

  /* Bias. */
  int tb = -1;
  if (p->bias) {
    int32_t blen = t->co + (p->bad == BAD_BIAS_LEN ? 1 : 0);
    void *bbuf = calloc((size_t)blen, 4);
    for (int32_t i = 0; i < t->co; i++) {
      if (b_dt == TFB_INT32)
        ((int32_t *)bbuf)[i] = (int32_t)t->bias[i];
      else
        ((float *)bbuf)[i] = (float)t->bias[i];
    }
    tb = tfb_tensor(b, "b", b_dt, 1, &blen, tfb_buffer(b, bbuf, (size_t)blen * 4));
    free(bbuf);
    if (q) {
      float bs[64];
      int64_t bz[64] = {0};
      for (int i = 0; i < t->n_scales; i++)
        bs[i] = t->in_s * t->w_s[i];
      tfb_quant(b, tb, t->n_scales, bs, bz, 0);
    }
  }

  /* Output. */
  int32_t out_dims[4];
  memcpy(out_dims, t->out_dims, sizeof out_dims);
  if (p->bad == BAD_OUT_SHAPE)
    out_dims[1]++;
  int ty = tfb_tensor(b, "y", out_dt, t->out_rank, out_dims, 0);
  if (q)
    tfb_quant(b, ty, 1, &t->out_s, &t->out_zp, 0);

  int ins[3] = {tx, tw, tb};
  int n_in = (!p->bias && p->bias_absent_short) ? 2 : 3;
  int op = tfb_op(b, p->op, ins, n_in, &ty, 1);
  int sh = p->bad == BAD_STRIDE_0 ? 0 : p->stride_h, sw = p->stride_w;
  int dh = p->bad == BAD_STRIDE_0 ? 0 : p->dil_h, dw = p->dil_w;
  if (p->op == TFB_OP_CONV_2D)
    tfb_conv_options(b, op, p->pad, sw, sh, p->act, dw, dh);
  else if (p->op == TFB_OP_DEPTHWISE_CONV_2D)
    tfb_dwconv_options(b, op, p->pad, sw, sh, p->depth_mult + (p->bad == BAD_DEPTH_MULT ? 1 : 0),
                       p->act, dw, dh);
  else
    tfb_fc_options(b, op, p->act, p->keep ? 1 : 0);
  tfb_io(b, &tx, 1, &ty, 1);
  uint8_t *bytes = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(bytes);
  return bytes;
}

/* --- The reference ------------------------------------------------------------------- */

/* TFLite's QuantizeMultiplier, written out here: m = mult * 2^(shift - 31). */
static void ref_quantize_multiplier(double m, int32_t *mult, int32_t *shift) {
  int e = 0;
  double f = frexp(m, &e);
  long long qm = llround(f * 2147483648.0);
  if (qm == 2147483648LL)
    qm /= 2, e++;
  if (e < -31)
    qm = 0, e = 0;
  *mult = (int32_t)qm;
  *shift = e;
}

/* CalculateActivationRangeQuantized for int8. */
static void ref_act_q(int act, float s, int32_t zp, int32_t *lo, int32_t *hi) {
  *lo = -128, *hi = 127;
  if (act == TFB_ACT_RELU || act == TFB_ACT_RELU6)
    *lo = zp > -128 ? zp : -128;
  if (act == TFB_ACT_RELU6) {
    int32_t v = zp + (int32_t)roundf(6.0f / s);
    *hi = v < 127 ? v : 127;
  }
  if (act == TFB_ACT_RELU_N1_TO_1) {
    int32_t l = zp + (int32_t)roundf(-1.0f / s), h = zp + (int32_t)roundf(1.0f / s);
    *lo = l > -128 ? l : -128;
    *hi = h < 127 ? h : 127;
  }
}

static void ref_act_f(int act, double *lo, double *hi) {
  *lo = -INFINITY, *hi = INFINITY;
  if (act == TFB_ACT_RELU)
    *lo = 0;
  if (act == TFB_ACT_RELU6)
    *lo = 0, *hi = 6;
  if (act == TFB_ACT_RELU_N1_TO_1)
    *lo = -1, *hi = 1;
}

/* Accumulators (sum of w * (x - in_zp), no bias) and the sums of |terms| of every output, in
 * output order. Convolutions read an input padded explicitly with the zero point. */
static void ref_accumulate(const tcase *t, double *acc, double *mag) {
  const spec *p = &t->s;
  double xo = p->q ? -(double)t->in_zp : 0.0; /* makes padding contribute 0 */
  if (p->op == TFB_OP_FULLY_CONNECTED) {
    double wo = p->q && t->n_scales == 1 ? -(double)p->w_zp : 0.0;
    for (int32_t b = 0; b < t->batches; b++)
      for (int32_t c = 0; c < t->co; c++) {
        double a = 0, m = 0;
        for (int32_t d = 0; d < t->k; d++) {
          double term = (t->wt[c * t->k + d] + wo) * (t->x[b * t->k + d] + xo);
          a += term, m += fabs(term);
        }
        acc[b * t->co + c] = a, mag[b * t->co + c] = m;
      }
    return;
  }
  /* Padded input, big enough for every window. */
  int32_t eff_h = (p->kh - 1) * p->dil_h + 1, eff_w = (p->kw - 1) * p->dil_w + 1;
  int32_t ph = (t->oh - 1) * p->stride_h + eff_h, pw = (t->ow - 1) * p->stride_w + eff_w;
  if (ph < t->pt + t->h)
    ph = t->pt + t->h;
  if (pw < t->pl + t->w)
    pw = t->pl + t->w;
  size_t pe = (size_t)t->n * (size_t)ph * (size_t)pw * (size_t)t->c;
  double *px = malloc(pe * sizeof *px);
  for (size_t i = 0; i < pe; i++)
    px[i] = -xo;
    /* Test tensors are small: int32 index arithmetic, one conversion per access. */
#define AT4(d1, d2, d3, i0, i1, i2, i3)                                                            \
  ((size_t)((((i0) * (d1) + (i1)) * (d2) + (i2)) * (d3) + (i3)))
  for (int32_t b = 0; b < t->n; b++)
    for (int32_t y = 0; y < t->h; y++)
      for (int32_t x = 0; x < t->w; x++)
        for (int32_t c = 0; c < t->c; c++)
          px[AT4(ph, pw, t->c, b, y + t->pt, x + t->pl, c)] =
              t->x[AT4(t->h, t->w, t->c, b, y, x, c)];
  for (int32_t b = 0; b < t->n; b++)
    for (int32_t oy = 0; oy < t->oh; oy++)
      for (int32_t ox = 0; ox < t->ow; ox++)
        for (int32_t oc = 0; oc < t->co; oc++) {
          double a = 0, m = 0;
          for (int32_t fy = 0; fy < p->kh; fy++)
            for (int32_t fx = 0; fx < p->kw; fx++) {
              int32_t y = oy * p->stride_h + fy * p->dil_h, x = ox * p->stride_w + fx * p->dil_w;
              const double *row = px + AT4(ph, pw, t->c, b, y, x, 0);
              if (p->op == TFB_OP_CONV_2D) {
                int32_t g = oc / (t->co / t->groups);
                for (int32_t ic = 0; ic < t->kc; ic++) {
                  double wv = t->wt[AT4(p->kh, p->kw, t->kc, oc, fy, fx, ic)];
                  double term = wv * (row[g * t->kc + ic] + xo);
                  a += term, m += fabs(term);
                }
              } else {
                double wv = t->wt[AT4(p->kh, p->kw, t->co, 0, fy, fx, oc)];
                double term = wv * (row[oc / t->mult] + xo);
                a += term, m += fabs(term);
              }
            }
          size_t o = AT4(t->oh, t->ow, t->co, b, oy, ox, oc);
          acc[o] = a, mag[o] = m;
        }
#undef AT4
  free(px);
}

/* --- Running a case ---------------------------------------------------------------------- */

static void print_messages(const tt_run *r) {
  if (r->cap.text[0])
    print_message("%s", r->cap.text);
}

static void run_case(const spec *s) {
  tcase t;
  tcase_init(&t, s);
  size_t len;
  uint8_t *model = tcase_model(&t, &len);

  /* Input in its stored type. */
  void *in = malloc(t.in_elems * 4), *out = calloc(t.out_elems, 4);
  for (size_t i = 0; i < t.in_elems; i++) {
    if (s->q)
      ((int8_t *)in)[i] = (int8_t)t.x[i];
    else
      ((float *)in)[i] = (float)t.x[i];
  }
  tt_run r;
  const void *ins[1] = {in};
  void *outs[1] = {out};
  ta_status st = tt_eval(&r, model, len, ins, outs);
  if (st != TA_OK)
    print_messages(&r);
  assert_int_equal(st, TA_OK);
  ta_tensor *y = &r.g->tensors[r.g->outputs[0]];
  assert_int_equal(y->rank, t.out_rank);
  for (int i = 0; i < t.out_rank; i++)
    assert_int_equal(y->dims[i], t.out_dims[i]);

  double *acc = malloc(t.out_elems * sizeof *acc), *mag = malloc(t.out_elems * sizeof *mag);
  ref_accumulate(&t, acc, mag);
  int32_t lo, hi;
  ref_act_q(s->act, t.out_s, (int32_t)t.out_zp, &lo, &hi);
  double flo, fhi;
  ref_act_f(s->act, &flo, &fhi);
  for (size_t i = 0; i < t.out_elems; i++) {
    int32_t c = (int32_t)(i % (size_t)t.co);
    if (s->q) {
      double total = acc[i] + t.bias[c];
      assert_true(fabs(total) < 2147483647.0);
      double eff = (double)t.in_s * (double)t.w_s[t.n_scales == 1 ? 0 : c] / (double)t.out_s;
      int32_t mult, shift;
      ref_quantize_multiplier(eff, &mult, &shift);
      int32_t want = tt_ref_mbqm((int32_t)total, mult, shift) + (int32_t)t.out_zp;
      want = want < lo ? lo : want > hi ? hi : want;
      int32_t plain = (int32_t)llround(total * eff) + (int32_t)t.out_zp;
      plain = plain < lo ? lo : plain > hi ? hi : plain;
      int32_t got = ((int8_t *)out)[i];
      if (got != want || abs(want - plain) > 1)
        fail_msg("output %zu (channel %d): got %d, expected %d (plain rounding gives %d)", i, c,
                 got, want, plain);
    } else {
      double want = acc[i] + t.bias[c];
      want = want < flo ? flo : want > fhi ? fhi : want;
      double got = ((float *)out)[i];
      double tol = 1e-5 * (mag[i] + fabs(t.bias[c])) + 1e-30;
      if (!(fabs(got - want) <= tol))
        fail_msg("output %zu (channel %d): got %.9g, expected %.9g (tolerance %.3g)", i, c, got,
                 want, tol);
    }
  }
  free(acc);
  free(mag);
  free(in);
  free(out);
  tt_done(&r);
  free(model);
  tcase_free(&t);
}

/* Prepare a broken model; expect `st` and a message containing each of the strings. */
static void expect_diag(const spec *s, ta_status want, const char *m1, const char *m2) {
  tcase t;
  tcase_init(&t, s);
  size_t len;
  uint8_t *model = tcase_model(&t, &len);
  tt_run r;
  ta_status st = tt_prepare(&r, model, len);
  if (st != want || !strstr(r.cap.text, m1) || (m2 && !strstr(r.cap.text, m2))) {
    print_messages(&r);
    fail_msg("status %s (expected %s); expected messages containing \"%s\"%s%s%s",
             ta_status_name(st), ta_status_name(want), m1, m2 ? " and \"" : "", m2 ? m2 : "",
             m2 ? "\"" : "");
  }
  tt_done(&r);
  free(model);
  tcase_free(&t);
}

/* --- CONV_2D ------------------------------------------------------------------------------ */

#define CONV .op = TFB_OP_CONV_2D
#define DW .op = TFB_OP_DEPTHWISE_CONV_2D
#define FC .op = TFB_OP_FULLY_CONNECTED

static void test_conv_f32_same(void **state) {
  (void)state;
  run_case(&(spec){CONV, .in = {1, 7, 6, 3}, .kh = 3, .kw = 3, .co = 5, .pad = TFB_PAD_SAME,
                   .bias = true});
}

static void test_conv_f32_valid_stride2_relu6(void **state) {
  (void)state;
  run_case(&(spec){CONV, .in = {2, 9, 8, 4}, .kh = 3, .kw = 2, .co = 6, .pad = TFB_PAD_VALID,
                   .stride_h = 2, .stride_w = 2, .act = TFB_ACT_RELU6, .bias = true, .seed = 7});
}

static void test_conv_f32_dilation2_relu_nobias(void **state) {
  (void)state;
  run_case(&(spec){CONV, .in = {1, 10, 9, 2}, .kh = 3, .kw = 3, .co = 4, .pad = TFB_PAD_SAME,
                   .dil_h = 2, .dil_w = 2, .act = TFB_ACT_RELU, .seed = 9});
}

static void test_conv_f32_same_stride2_n1to1(void **state) {
  (void)state;
  run_case(&(spec){CONV, .in = {1, 8, 7, 3}, .kh = 4, .kw = 3, .co = 3, .pad = TFB_PAD_SAME,
                   .stride_h = 2, .stride_w = 3, .act = TFB_ACT_RELU_N1_TO_1, .bias = true,
                   .seed = 11});
}

static void test_conv_s8_per_channel_same(void **state) {
  (void)state;
  run_case(&(spec){CONV, .q = true, .in = {1, 7, 6, 3}, .kh = 3, .kw = 3, .co = 8,
                   .pad = TFB_PAD_SAME, .bias = true, .per_channel = true});
}

static void test_conv_s8_per_tensor_valid_stride2_relu(void **state) {
  (void)state;
  run_case(&(spec){CONV, .q = true, .in = {2, 9, 9, 4}, .kh = 3, .kw = 3, .co = 5,
                   .pad = TFB_PAD_VALID, .stride_h = 2, .stride_w = 2, .act = TFB_ACT_RELU,
                   .bias = true, .seed = 3});
}

static void test_conv_s8_dilation2_relu6_nobias(void **state) {
  (void)state;
  run_case(&(spec){CONV, .q = true, .in = {1, 11, 10, 3}, .kh = 3, .kw = 2, .co = 7,
                   .pad = TFB_PAD_SAME, .dil_h = 2, .dil_w = 3, .act = TFB_ACT_RELU6,
                   .per_channel = true, .seed = 5});
}

static void test_conv_s8_same_stride2_n1to1(void **state) {
  (void)state;
  run_case(&(spec){CONV, .q = true, .in = {1, 8, 8, 2}, .kh = 5, .kw = 5, .co = 4,
                   .pad = TFB_PAD_SAME, .stride_h = 2, .stride_w = 2, .act = TFB_ACT_RELU_N1_TO_1,
                   .bias = true, .per_channel = true, .seed = 13});
}

static void test_conv_s8_1x1_valid(void **state) {
  (void)state;
  run_case(&(spec){CONV, .q = true, .in = {1, 5, 4, 16}, .kh = 1, .kw = 1, .co = 12,
                   .pad = TFB_PAD_VALID, .bias = true, .per_channel = true, .seed = 17});
}

static void test_conv_s8_grouped(void **state) {
  (void)state;
  run_case(&(spec){CONV, .q = true, .in = {1, 6, 6, 4}, .kh = 3, .kw = 3, .kc = 2, .co = 6,
                   .pad = TFB_PAD_SAME, .bias = true, .per_channel = true, .seed = 19});
}

static void test_conv_f32_grouped(void **state) {
  (void)state;
  run_case(&(spec){CONV, .in = {1, 6, 5, 6}, .kh = 3, .kw = 3, .kc = 2, .co = 6,
                   .pad = TFB_PAD_VALID, .bias = true, .seed = 21});
}

/* --- DEPTHWISE_CONV_2D -------------------------------------------------------------------- */

static void test_dw_f32_mult2_same(void **state) {
  (void)state;
  run_case(&(spec){DW, .in = {1, 7, 6, 3}, .kh = 3, .kw = 3, .depth_mult = 2, .pad = TFB_PAD_SAME,
                   .bias = true, .seed = 23});
}

static void test_dw_f32_valid_stride2_dilation2(void **state) {
  (void)state;
  run_case(&(spec){DW, .in = {2, 11, 10, 4}, .kh = 3, .kw = 3, .pad = TFB_PAD_VALID, .stride_h = 2,
                   .stride_w = 2, .dil_h = 2, .dil_w = 2, .act = TFB_ACT_RELU6, .bias = true,
                   .seed = 25});
}

static void test_dw_s8_per_channel_mult2_same(void **state) {
  (void)state;
  run_case(&(spec){DW, .q = true, .in = {1, 7, 6, 3}, .kh = 3, .kw = 3, .depth_mult = 2,
                   .pad = TFB_PAD_SAME, .bias = true, .per_channel = true, .seed = 27});
}

static void test_dw_s8_dilation2_relu_nobias(void **state) {
  (void)state;
  run_case(&(spec){DW, .q = true, .in = {1, 9, 9, 5}, .kh = 3, .kw = 3, .pad = TFB_PAD_SAME,
                   .dil_h = 2, .dil_w = 2, .act = TFB_ACT_RELU, .per_channel = true, .seed = 29});
}

static void test_dw_s8_per_tensor_valid_stride2_relu6(void **state) {
  (void)state;
  run_case(&(spec){DW, .q = true, .in = {2, 10, 9, 4}, .kh = 3, .kw = 2, .depth_mult = 3,
                   .pad = TFB_PAD_VALID, .stride_h = 2, .stride_w = 2, .act = TFB_ACT_RELU6,
                   .bias = true, .seed = 31});
}

static void test_dw_s8_same_stride2_n1to1(void **state) {
  (void)state;
  run_case(&(spec){DW, .q = true, .in = {1, 8, 8, 6}, .kh = 5, .kw = 5, .pad = TFB_PAD_SAME,
                   .stride_h = 2, .stride_w = 2, .act = TFB_ACT_RELU_N1_TO_1, .bias = true,
                   .per_channel = true, .seed = 33});
}

/* --- FULLY_CONNECTED ------------------------------------------------------------------------ */

static void test_fc_f32_relu(void **state) {
  (void)state;
  run_case(&(spec){FC, .in = {3, 20}, .co = 7, .act = TFB_ACT_RELU, .bias = true, .seed = 35});
}

static void test_fc_f32_keep_num_dims(void **state) {
  (void)state;
  run_case(
      &(spec){FC, .in_rank = 3, .in = {2, 3, 10}, .co = 4, .keep = true, .bias = true, .seed = 37});
}

static void test_fc_f32_flatten_nobias(void **state) {
  (void)state;
  run_case(&(spec){FC, .in_rank = 3, .in = {2, 3, 10}, .co = 4, .bias_absent_short = true,
                   .act = TFB_ACT_RELU6, .seed = 39});
}

static void test_fc_s8_per_tensor(void **state) {
  (void)state;
  run_case(&(spec){FC, .q = true, .in = {2, 32}, .co = 10, .bias = true, .seed = 41});
}

static void test_fc_s8_per_tensor_weights_zero_point(void **state) {
  (void)state;
  run_case(&(spec){FC, .q = true, .in = {2, 32}, .co = 10, .bias = true, .w_zp = 3, .seed = 43});
}

static void test_fc_s8_per_channel_relu(void **state) {
  (void)state;
  run_case(&(spec){FC, .q = true, .in = {1, 40}, .co = 9, .bias = true, .per_channel = true,
                   .act = TFB_ACT_RELU, .seed = 45});
}

static void test_fc_s8_keep_num_dims_nobias_n1to1(void **state) {
  (void)state;
  run_case(&(spec){FC, .q = true, .in_rank = 3, .in = {1, 4, 16}, .co = 6, .keep = true,
                   .act = TFB_ACT_RELU_N1_TO_1, .seed = 47});
}

static void test_fc_s8_flatten_relu6_nobias(void **state) {
  (void)state;
  run_case(&(spec){FC, .q = true, .in_rank = 4, .in = {1, 2, 3, 8}, .co = 5, .act = TFB_ACT_RELU6,
                   .bias_absent_short = true, .seed = 49});
}

/* --- What prepare emits ----------------------------------------------------------------- */

/* Per-tensor weights carry one multiplier; per-channel ones one per output channel; the
 * shifts follow QuantizeMultiplier. MACs count every product of the window. */
static void test_prepared_params(void **state) {
  (void)state;
  const spec cases[2] = {
      {CONV, .q = true, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4, .pad = TFB_PAD_SAME},
      {CONV, .q = true, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4, .pad = TFB_PAD_SAME,
       .per_channel = true}};
  for (int k = 0; k < 2; k++) {
    tcase t;
    tcase_init(&t, &cases[k]);
    size_t len;
    uint8_t *model = tcase_model(&t, &len);
    tt_run r;
    ta_status st = tt_prepare(&r, model, len);
    if (st != TA_OK)
      print_messages(&r);
    assert_int_equal(st, TA_OK);
    const tart_conv_params *p = r.calls[0].params;
    assert_int_equal(p->rq.n_mult, k == 0 ? 1 : 4);
    for (int32_t c = 0; c < p->rq.n_mult; c++) {
      int32_t m, sh;
      ref_quantize_multiplier((double)t.in_s * (double)t.w_s[c] / (double)t.out_s, &m, &sh);
      assert_int_equal(p->rq.mult[c], m);
      assert_int_equal(p->rq.shift_left[c], sh);
    }
    assert_int_equal(p->win.pad_h, 1);
    assert_int_equal(p->in_neg_zp, -t.in_zp);
    assert_int_equal(p->rq.out_zp, t.out_zp);
    assert_int_equal(r.calls[0].n_in, 3);
    assert_int_equal(r.calls[0].in[2], -1);
    assert_int_equal(ta_graph_macs(r.g), 6 * 6 * 4 * 3 * 3 * 3);
    tt_done(&r);
    free(model);
    tcase_free(&t);
  }
}

/* --- Diagnostics ---------------------------------------------------------------------------- */

/* Scales that fit the filter's shape (the reader accepts them) but not one per output
 * channel. */
static void test_diag_scale_count(void **state) {
  (void)state;
  expect_diag(
      &(spec){CONV, .q = true, .in = {1, 6, 6, 16}, .kh = 3, .kw = 3, .co = 32, .pad = TFB_PAD_SAME,
              .per_channel = true, .bad = BAD_SCALE_COUNT},
      TA_ERR_MALFORMED,
      "test.tflite: op 0 CONV_2D \"y\": filter has 16 scales, expected 32 (one per output channel)",
      NULL);
  expect_diag(&(spec){DW, .q = true, .in = {1, 6, 6, 4}, .kh = 3, .kw = 4, .depth_mult = 2,
                      .pad = TFB_PAD_SAME, .per_channel = true, .bad = BAD_SCALE_COUNT},
              TA_ERR_MALFORMED, "op 0 DEPTHWISE_CONV_2D",
              "filter has 4 scales, expected 8 (one per output channel)");
  expect_diag(
      &(spec){FC, .q = true, .in = {1, 3}, .co = 6, .per_channel = true, .bad = BAD_SCALE_COUNT},
      TA_ERR_MALFORMED, "op 0 FULLY_CONNECTED",
      "weights have 3 scales, expected 6 (one per output channel)");
}

static void test_diag_dtypes(void **state) {
  (void)state;
  expect_diag(&(spec){CONV, .q = true, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4,
                      .bad = BAD_FILTER_F32},
              TA_ERR_UNSUPPORTED, "op 0 CONV_2D",
              "filter \"w\" is float32; expected int8 like the input");
  expect_diag(&(spec){CONV, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4, .bad = BAD_HYBRID},
              TA_ERR_UNSUPPORTED, "filter \"w\" is int8; expected float32 like the input",
              "(a hybrid model: tinyaot does not run hybrid kernels; --quantize int8");
  expect_diag(&(spec){FC, .q = true, .in = {1, 8}, .co = 6, .bias = true, .bad = BAD_BIAS_F32},
              TA_ERR_UNSUPPORTED, "op 0 FULLY_CONNECTED",
              "bias \"b\" is float32; expected int32 with int8 input and filter");
  expect_diag(&(spec){DW, .q = true, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .bad = BAD_INPUT_I16},
              TA_ERR_UNSUPPORTED, "op 0 DEPTHWISE_CONV_2D",
              "input \"x\" is int16; expected float32 or int8");
}

static void test_diag_quantization(void **state) {
  (void)state;
  expect_diag(&(spec){CONV, .q = true, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4,
                      .per_channel = true, .bad = BAD_FILTER_ZP},
              TA_ERR_UNSUPPORTED, "filter \"w\" has zero point 3 (channel 1)", "must be symmetric");
  expect_diag(
      &(spec){CONV, .q = true, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4, .bad = BAD_NO_QUANT},
      TA_ERR_UNSUPPORTED, "filter \"w\" (int8) has no quantization parameters", NULL);
}

static void test_diag_shapes_and_attrs(void **state) {
  (void)state;
  expect_diag(&(spec){CONV, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4, .pad = TFB_PAD_VALID,
                      .bad = BAD_OUT_SHAPE},
              TA_ERR_MALFORMED, "output \"y\" has shape [1,5,4,4] in the model; expected [1,4,4,4]",
              NULL);
  /* Both problems are reported in one run. */
  expect_diag(&(spec){CONV, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .co = 4, .bad = BAD_STRIDE_0},
              TA_ERR_MALFORMED, "stride is 0x1 (HxW); expected values >= 1",
              "dilation is 0x1 (HxW); expected values >= 1");
  expect_diag(
      &(spec){DW, .in = {1, 6, 6, 3}, .kh = 3, .kw = 3, .depth_mult = 2, .bad = BAD_DEPTH_MULT},
      TA_ERR_MALFORMED,
      "depth_multiplier is 3 but the filter has 6 channels for 3 input channels; expected "
      "depth_multiplier 2",
      NULL);
  expect_diag(&(spec){FC, .in = {2, 8}, .co = 6, .bias = true, .bad = BAD_BIAS_LEN},
              TA_ERR_MALFORMED,
              "bias \"b\" has shape [7]; expected 6 elements (one per output channel)", NULL);
  expect_diag(&(spec){CONV, .in = {1, 2, 6, 3}, .kh = 3, .kw = 3, .co = 4, .pad = TFB_PAD_VALID},
              TA_ERR_MALFORMED, "the 3x3 filter (dilation 1x1) does not fit the 2x6 input", NULL);
}

/* The optimized kernels' requantization equals the reference's MultiplyByQuantizedMultiplier
 * for every mult but INT32_MIN: the edges of x, mult and the shift, then random triples. */
static void test_requant_nosat_equals_reference(void **state) {
  (void)state;
  static const int32_t xs[] = {
      INT32_MIN, INT32_MIN + 1, -(1 << 30) - 1, -(1 << 30),    -65537,   -3, -2, -1, 0, 1, 2,
      3,         65535,         1 << 30,        INT32_MAX - 1, INT32_MAX};
  static const int32_t ms[] = {0,         1,  1 << 30,    (1 << 30) + 1, 1518500250,
                               INT32_MAX, -1, -(1 << 30), INT32_MIN + 1};
  long n = 0;
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
    for (size_t j = 0; j < sizeof ms / sizeof ms[0]; j++)
      for (int32_t s = -31; s <= 31; s++, n++)
        assert_int_equal(tart_mul_by_quantized_mult_nosat(xs[i], ms[j], s),
                         tt_ref_mbqm(xs[i], ms[j], s));
  uint32_t r = 0x9E3779B9u;
  for (int k = 0; k < 2000000; k++, n++) {
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    const int32_t x = (int32_t)r >> (r % 24); /* small and large accumulators */
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    const int32_t m = (int32_t)((r >> 1) | (1u << 30)); /* [2^30, 2^31), as the compiler's */
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    const int32_t s = (int32_t)(r % 40u) - 31; /* -31 .. 8 */
    if (tart_mul_by_quantized_mult_nosat(x, m, s) != tt_ref_mbqm(x, m, s))
      fail_msg("x %d mult %d shift %d", x, m, s);
  }
  assert_true(n > 2000000);
}

/* The optimized kernels' requantization to int8 (tart_requant_s8: one 64-bit sum for both
 * roundings when shifting right) against the reference arithmetic, offset and clamp, for
 * mult >= 0: edge accumulators (ties of either rounding, extremes) and random ones. */
static int8_t requant_reference(int32_t acc, int32_t mult, int32_t shift, int32_t off, int32_t lo,
                                int32_t hi) {
  int32_t v = (int32_t)((uint32_t)tt_ref_mbqm(acc, mult, shift) + (uint32_t)off);
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

static void test_requant_s8_equals_reference(void **state) {
  (void)state;
  int32_t mult[1], shift[1];
  tart_requant q = {mult, shift, 0, 0, -128, 127};
  static const int32_t accs[] = {
      INT32_MIN, INT32_MIN + 1, -(1 << 30), -65536, -257, -256,  -255,    -129,
      -128,      -127,          -3,         -2,     -1,   0,     1,       2,
      3,         127,           128,        255,    256,  65535, 1 << 30, INT32_MAX};
  static const int32_t ms[] = {0, 1, 1 << 30, (1 << 30) + 1, 1518500250, INT32_MAX};
  long n = 0;
  for (size_t i = 0; i < sizeof accs / sizeof accs[0]; i++)
    for (size_t j = 0; j < sizeof ms / sizeof ms[0]; j++)
      for (int32_t s = -31; s <= 31; s++, n++) {
        mult[0] = ms[j], shift[0] = s, q.out_zp = (int32_t)(n % 41) - 20;
        assert_int_equal(tart_requant_s8(&q, accs[i], 0),
                         requant_reference(accs[i], ms[j], s, q.out_zp, -128, 127));
      }
  uint32_t r = 0x2545F491u;
  for (int k = 0; k < 2000000; k++, n++) {
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    const int32_t acc = (int32_t)r >> (r % 28);
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    mult[0] = (int32_t)((r >> 1) | (1u << 30));
    r ^= r << 13, r ^= r >> 17, r ^= r << 5;
    shift[0] = (int32_t)(r % 40u) - 31;
    q.out_zp = (int32_t)(r >> 26) - 32;
    q.clamp_min = (r & 64) ? q.out_zp : -128; /* a fused RELU now and then */
    if (tart_requant_s8(&q, acc, 0) !=
        requant_reference(acc, mult[0], shift[0], q.out_zp, q.clamp_min, 127))
      fail_msg("acc %d mult %d shift %d offset %d", acc, mult[0], shift[0], q.out_zp);
  }
  assert_true(n > 2000000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conv_f32_same),
      cmocka_unit_test(test_conv_f32_valid_stride2_relu6),
      cmocka_unit_test(test_conv_f32_dilation2_relu_nobias),
      cmocka_unit_test(test_conv_f32_same_stride2_n1to1),
      cmocka_unit_test(test_conv_s8_per_channel_same),
      cmocka_unit_test(test_conv_s8_per_tensor_valid_stride2_relu),
      cmocka_unit_test(test_conv_s8_dilation2_relu6_nobias),
      cmocka_unit_test(test_conv_s8_same_stride2_n1to1),
      cmocka_unit_test(test_conv_s8_1x1_valid),
      cmocka_unit_test(test_conv_s8_grouped),
      cmocka_unit_test(test_conv_f32_grouped),
      cmocka_unit_test(test_dw_f32_mult2_same),
      cmocka_unit_test(test_dw_f32_valid_stride2_dilation2),
      cmocka_unit_test(test_dw_s8_per_channel_mult2_same),
      cmocka_unit_test(test_dw_s8_dilation2_relu_nobias),
      cmocka_unit_test(test_dw_s8_per_tensor_valid_stride2_relu6),
      cmocka_unit_test(test_dw_s8_same_stride2_n1to1),
      cmocka_unit_test(test_fc_f32_relu),
      cmocka_unit_test(test_fc_f32_keep_num_dims),
      cmocka_unit_test(test_fc_f32_flatten_nobias),
      cmocka_unit_test(test_fc_s8_per_tensor),
      cmocka_unit_test(test_fc_s8_per_tensor_weights_zero_point),
      cmocka_unit_test(test_fc_s8_per_channel_relu),
      cmocka_unit_test(test_fc_s8_keep_num_dims_nobias_n1to1),
      cmocka_unit_test(test_fc_s8_flatten_relu6_nobias),
      cmocka_unit_test(test_prepared_params),
      cmocka_unit_test(test_diag_scale_count),
      cmocka_unit_test(test_diag_dtypes),
      cmocka_unit_test(test_diag_quantization),
      cmocka_unit_test(test_diag_shapes_and_attrs),
      cmocka_unit_test(test_requant_nosat_equals_reference),
      cmocka_unit_test(test_requant_s8_equals_reference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
