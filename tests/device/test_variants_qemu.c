/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_variants_qemu.c: every kernel variant and knob value, run on the emulated Cortex-M4
 * (where the DSP paths, TART_HAVE_SMLAD, and any assembly are compiled), gives the same bytes
 * as the reference kernel on random shapes (issue 12, "Tests and measurements").
 *
 * One model per batch holds many independent branches, x_i [-> RELU] -> OP_i -> y_i, each with
 * a random shape and parameters: int8 conv (1x1 direct and im2col, strides, dilations,
 * SAME/VALID, odd channel counts, per-tensor and per-channel weights, extreme multipliers and
 * biases), depthwise (borders, strides, dilations, multiplier 1 and 2, the RELU in front so the
 * in-place forms can run), fully connected, max and average pooling, ADD and MUL with a
 * broadcast constant; float conv, depthwise, fully connected and pools. The candidates are not
 * named here: for every op, the variants of its op table (ta_sched_variants) that apply to it,
 * times every concrete value of their knobs, as the tuner lists them, so a variant added to an
 * op's table is run here without a change to this file.
 *
 * The batch's model is compiled for the board as build 0 with the reference kernels (the
 * oracle), and as build k = 1..max n with a tuning log (the schedule stage's override seam,
 * --tuning-log) that forces, for every workload w, its candidate (k - 1 + w) mod n, so every
 * candidate runs within max n builds. The builds (symbol prefixes vq0, vq1, ...; the runtime
 * once) and an entry that runs build k are one blob for the tuning firmware under QEMU: one
 * image to send and one cross-compile of the runtime per batch. The inputs go to the board
 * once and are copied in before each build runs; build 0's outputs must equal the host's
 * reference kernels (in process), every other build's must equal build 0's byte for byte
 * (float too: the same operations in the same order give the same bits). Each op's final call
 * is checked to run the forced variant and knobs (the log falls back to the heuristic, with
 * a warning, when a variant's prepare step declines the op: counted and shown); at the end
 * every candidate listed must have run at least once.
 *
 * argv[1] "full": more batches (label full); "quick" (or nothing): the `make test` size.
 * argv[2]: another board than cortex-m4 (cortex-m3: the C paths on a core without the DSP
 * extension; cortex-m7, cortex-m33). TA_VARIANTS_SEED=N runs another seed.
 * Exit 77 (skipped) without qemu-system-arm or arm-none-eabi-gcc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <time.h>
#include <unistd.h>

#include "ta_board.h"
#include "ta_compile.h"
#include "ta_device.h"
#include "ta_schedule.h"
#include "ta_tune_device.h"
#include "ta_tune_log.h"
#include "tflbuild.h"
#include "tt_capture.h"
#include "tt_pipeline.h"

#define MAX_BRANCHES 128
#define IO_BUDGET (96u * 1024u) /* inputs + outputs of one batch, in the tensor area */

static char work[4096];
static int full_mode;
static const char *target = "cortex-m4"; /* argv[2]: another board */
static uint32_t rng;

static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
static int32_t range(int32_t lo, int32_t hi) {
  return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1));
}
static float rnd_f(void) {
  return (float)(int32_t)next() / 2147483648.0f;
}

/* One branch: its op, shape and parameters (for messages), its graph input and output. */
typedef struct branch {
  int op, flt;
  char desc[200];
  size_t in_bytes, out_bytes;
} branch;

typedef struct batch {
  branch br[MAX_BRANCHES];
  int n;
  size_t io_bytes;
} batch;

static void q(tfb *b, int t, int flt, float s, int64_t zp) {
  if (!flt)
    tfb_quant(b, t, 1, &s, &zp, 0);
}

static size_t prod(const int32_t *d, int n) {
  size_t p = 1;
  for (int i = 0; i < n; i++)
    p *= (size_t)d[i];
  return p;
}

/* Constant data: n int8 values, or n floats in [-1, 1) (esz 4). */
static int const_buffer(tfb *b, size_t n, size_t esz) {
  uint8_t *v = malloc(n * esz + 1);
  assert_non_null(v);
  for (size_t i = 0; i < n; i++) {
    if (esz == 4) {
      const float f = rnd_f();
      memcpy(v + 4 * i, &f, 4);
    } else {
      v[i] = (uint8_t)(next() >> 24);
    }
  }
  int buf = tfb_buffer(b, v, n * esz);
  free(v);
  return buf;
}

static const char *op_name(int op) {
  switch (op) {
  case TFB_OP_CONV_2D: return "CONV_2D";
  case TFB_OP_DEPTHWISE_CONV_2D: return "DEPTHWISE_CONV_2D";
  case TFB_OP_MAX_POOL_2D: return "MAX_POOL_2D";
  default: return "AVERAGE_POOL_2D";
  }
}

/* Conv, depthwise, fully connected or pool: x -> [RELU ->] OP -> y. */
static void add_spatial(tfb *b, branch *s, int idx, int op, int flt, int *x_out, int *y_out) {
  const int dt = flt ? TFB_FLOAT32 : TFB_INT8;
  const size_t esz = flt ? 4 : 1;
  const int pool = op == TFB_OP_MAX_POOL_2D || op == TFB_OP_AVERAGE_POOL_2D;
  const int dwc = op == TFB_OP_DEPTHWISE_CONV_2D, fc = op == TFB_OP_FULLY_CONNECTED;
  int32_t h = range(1, 9), w = range(1, 9), ci = range(1, 13), co = range(1, 13);
  int32_t kh = range(1, 4), kw = range(1, 4), sh = range(1, 3), sw = range(1, 3);
  int32_t dh = range(1, 2), dw = range(1, 2), mult = 1;
  int pad = range(0, 1) ? TFB_PAD_SAME : TFB_PAD_VALID;
  const int act = range(0, 3), per_channel = range(0, 1), bias = range(0, 3) > 0;
  const int extreme = range(0, 1), relu_first = range(0, 1);
  if (op == TFB_OP_CONV_2D && range(0, 3) == 0) /* the direct 1x1 path (in place: ci % 4) */
    kh = kw = 1, pad = TFB_PAD_VALID, ci = range(0, 1) ? 4 * range(1, 4) : ci;
  if (dwc) {
    ci = range(1, 40);
    mult = range(0, 7) == 0 ? 2 : 1;
    if (range(0, 2) == 0)
      sh = sw = 1, pad = TFB_PAD_SAME; /* in place */
  }
  if (fc)
    ci = range(1, 70);
  if (pool) {
    dh = dw = 1;
    if (range(0, 1))
      kh = 2, kw = 1, sh = 2, sw = 1; /* the gesture model's 2x1 windows */
    if (kh > h || kw > w)
      pad = TFB_PAD_SAME;
  }
  if (pad == TFB_PAD_VALID) { /* keep the window inside */
    if ((kh - 1) * dh + 1 > h)
      kh = 1, dh = 1;
    if ((kw - 1) * dw + 1 > w)
      kw = 1, dw = 1;
  }
  if (dwc || pool)
    co = ci * mult;
  char name[32];
  int32_t in_dims[4] = {1, h, w, ci};
  const int rank_in = fc ? 2 : 4;
  if (fc)
    in_dims[1] = ci;
  snprintf(name, sizeof name, "x%d", idx);
  const int x = tfb_tensor(b, name, dt, rank_in, in_dims, 0);
  const int64_t zp_in = range(-20, 20);
  q(b, x, flt, 0.05f, zp_in);
  int src = x;
  if (relu_first) {
    snprintf(name, sizeof name, "r%d", idx);
    src = tfb_tensor(b, name, dt, rank_in, in_dims, 0);
    q(b, src, flt, 0.05f, zp_in);
    tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){src}, 1);
  }
  int32_t wd[4];
  int wrank = 4;
  if (op == TFB_OP_CONV_2D)
    wd[0] = co, wd[1] = kh, wd[2] = kw, wd[3] = ci;
  else if (dwc)
    wd[0] = 1, wd[1] = kh, wd[2] = kw, wd[3] = co;
  else
    wrank = 2, wd[0] = co, wd[1] = ci;
  int tw = -1, tb = -1;
  float scales[128];
  int64_t zps[128] = {0};
  const int nq = per_channel ? co : 1;
  if (!pool) {
    snprintf(name, sizeof name, "w%d", idx);
    tw = tfb_tensor(b, name, dt, wrank, wd, const_buffer(b, prod(wd, wrank), esz));
    for (int i = 0; i < nq; i++)
      scales[i] = 0.002f + 0.0007f * (float)range(0, 9);
    if (!flt)
      tfb_quant(b, tw, nq, scales, zps, dwc ? 3 : 0);
  }
  if (bias && !pool) {
    int32_t bv[128];
    for (int i = 0; i < co; i++) {
      bv[i] = range(-3000, 3000);
      if (extreme && range(0, 1))
        bv[i] = (int32_t)next() >> range(0, 4);
      if (flt) {
        const float f = rnd_f();
        memcpy(&bv[i], &f, 4);
      }
    }
    snprintf(name, sizeof name, "b%d", idx);
    tb = tfb_tensor(b, name, flt ? TFB_FLOAT32 : TFB_INT32, 1, (int32_t[]){co},
                    tfb_buffer(b, bv, (size_t)co * 4));
    float bs[128];
    for (int i = 0; i < nq; i++)
      bs[i] = 0.05f * scales[i];
    if (!flt)
      tfb_quant(b, tb, nq, bs, zps, 0);
  }
  int32_t oh = 1, ow = 1, od[4];
  int orank;
  if (fc) {
    orank = 2, od[0] = 1, od[1] = co;
  } else {
    const int32_t ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
    oh = pad == TFB_PAD_SAME ? (h + sh - 1) / sh : (h - ekh + sh) / sh;
    ow = pad == TFB_PAD_SAME ? (w + sw - 1) / sw : (w - ekw + sw) / sw;
    orank = 4, od[0] = 1, od[1] = oh, od[2] = ow, od[3] = co;
  }
  snprintf(name, sizeof name, "y%d", idx);
  const int y = tfb_tensor(b, name, dt, orank, od, 0);
  static const float extreme_scales[4] = {0.04f, 0.001f, 0.0002f, 0.00003f};
  if (pool)
    q(b, y, flt, 0.05f, zp_in); /* int8 pooling keeps its input's quantization */
  else if (extreme)
    q(b, y, flt, extreme_scales[range(0, 3)], range(-128, 127));
  else
    q(b, y, flt, 0.04f + 0.01f * (float)range(0, 5), range(-30, 30));
  const int o = tfb_op(b, op, (int[]){src, tw, tb}, pool ? 1 : 3, (int[]){y}, 1);
  if (pool)
    tfb_pool_options(b, o, pad, sw, sh, kw, kh, act);
  else if (op == TFB_OP_CONV_2D)
    tfb_conv_options(b, o, pad, sw, sh, act, dw, dh);
  else if (dwc)
    tfb_dwconv_options(b, o, pad, sw, sh, mult, act, dw, dh);
  else
    tfb_fc_options(b, o, act, 0);
  s->in_bytes = esz * prod(in_dims, rank_in);
  s->out_bytes = esz * prod(od, orank);
  const char *dts = flt ? "float" : "int8";
  if (fc)
    snprintf(s->desc, sizeof s->desc, "%s FULLY_CONNECTED %d -> %d act %d %s bias %d extreme %d",
             dts, ci, co, act, per_channel ? "per-channel" : "per-tensor", bias, extreme);
  else
    snprintf(s->desc, sizeof s->desc,
             "%s %s x [%d,%d,%d] -> [%d,%d,%d] k%dx%d s%dx%d d%dx%d mult %d %s act %d %s bias %d "
             "extreme %d relu_first %d",
             dts, op_name(op), h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, mult,
             pad == TFB_PAD_SAME ? "SAME" : "VALID", act,
             per_channel ? "per-channel" : "per-tensor", bias, extreme, relu_first);
  *x_out = x;
  *y_out = y;
}

/* int8 ADD or MUL of x [1,h,w,c] (after a RELU on half of them: in place) and a constant of
 * a broadcast shape, either operand order, scales from 0.001 to 1 and zero points at both
 * ends, so that both the fast and the general requantization run. */
static void add_binary(tfb *b, branch *s, int idx, int op, int *x_out, int *y_out) {
  static const float in_scales[5] = {0.001f, 0.0123f, 0.05f, 0.3f, 1.0f};
  static const float out_scales[5] = {1e-4f, 0.01f, 0.1f, 1.0f, 10.0f};
  const int32_t h = range(1, 6), w = range(1, 6), c = range(1, 9);
  const int32_t dx[4] = {1, h, w, c};
  const int rb = range(1, 4);
  int32_t db[4];
  for (int k = 0; k < rb; k++)
    db[k] = range(0, 2) ? dx[4 - rb + k] : 1;
  char name[32];
  snprintf(name, sizeof name, "x%d", idx);
  const int x = tfb_tensor(b, name, TFB_INT8, 4, dx, 0);
  const float sx = in_scales[range(0, 4)];
  const int64_t zx = range(-128, 127);
  q(b, x, 0, sx, zx);
  int src = x;
  const int relu_first = range(0, 1);
  if (relu_first) {
    snprintf(name, sizeof name, "r%d", idx);
    src = tfb_tensor(b, name, TFB_INT8, 4, dx, 0);
    q(b, src, 0, sx, zx);
    tfb_op(b, TFB_OP_RELU, (int[]){x}, 1, (int[]){src}, 1);
  }
  snprintf(name, sizeof name, "k%d", idx);
  const int k = tfb_tensor(b, name, TFB_INT8, rb, db, const_buffer(b, prod(db, rb), 1));
  q(b, k, 0, in_scales[range(0, 4)], range(-128, 127));
  snprintf(name, sizeof name, "y%d", idx);
  const int y = tfb_tensor(b, name, TFB_INT8, 4, dx, 0);
  q(b, y, 0, out_scales[range(0, 4)], range(-128, 127));
  const int swap = range(0, 1);
  const int o = tfb_op(b, op, (int[]){swap ? k : src, swap ? src : k}, 2, (int[]){y}, 1);
  const int act = range(0, 3);
  if (op == TFB_OP_ADD)
    tfb_add_options(b, o, act);
  else
    tfb_mul_options(b, o, act);
  s->in_bytes = s->out_bytes = prod(dx, 4);
  snprintf(s->desc, sizeof s->desc, "int8 %s x [%d,%d,%d] const rank %d swap %d act %d",
           op == TFB_OP_ADD ? "ADD" : "MUL", h, w, c, rb, swap, act);
  *x_out = x;
  *y_out = y;
}

/* A batch's model: branches of every kind, int8 ones more often, until MAX_BRANCHES or the
 * inputs and outputs reach IO_BUDGET. */
static uint8_t *build_batch(batch *bt, int n_want, size_t *len) {
  static const struct {
    int op, flt, weight;
  } kinds[] = {
      {TFB_OP_CONV_2D, 0, 8},
      {TFB_OP_DEPTHWISE_CONV_2D, 0, 6},
      {TFB_OP_FULLY_CONNECTED, 0, 3},
      {TFB_OP_MAX_POOL_2D, 0, 2},
      {TFB_OP_AVERAGE_POOL_2D, 0, 1},
      {TFB_OP_ADD, 0, 2},
      {TFB_OP_MUL, 0, 2},
      {TFB_OP_CONV_2D, 1, 3},
      {TFB_OP_DEPTHWISE_CONV_2D, 1, 1},
      {TFB_OP_FULLY_CONNECTED, 1, 1},
      {TFB_OP_MAX_POOL_2D, 1, 2},
      {TFB_OP_AVERAGE_POOL_2D, 1, 2},
  };
  int total = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    total += kinds[i].weight;
  tfb *b = tfb_new();
  int xs[MAX_BRANCHES], ys[MAX_BRANCHES];
  memset(bt, 0, sizeof *bt);
  while (bt->n < n_want && bt->n < MAX_BRANCHES && bt->io_bytes < IO_BUDGET) {
    int pick = range(0, total - 1);
    size_t ki = 0;
    while (pick >= kinds[ki].weight)
      pick -= kinds[ki++].weight;
    branch *s = &bt->br[bt->n];
    if (kinds[ki].op == TFB_OP_ADD || kinds[ki].op == TFB_OP_MUL)
      add_binary(b, s, bt->n, kinds[ki].op, &xs[bt->n], &ys[bt->n]);
    else
      add_spatial(b, s, bt->n, kinds[ki].op, kinds[ki].flt, &xs[bt->n], &ys[bt->n]);
    s->op = kinds[ki].op;
    s->flt = kinds[ki].flt;
    bt->io_bytes += (s->in_bytes + 15u) / 16u * 16u + (s->out_bytes + 15u) / 16u * 16u;
    bt->n++;
  }
  tfb_io(b, xs, bt->n, ys, bt->n);
  uint8_t *m = tfb_finish(b, len);
  tfb_free(b);
  assert_non_null(m);
  return m;
}

/* A candidate: a variant by name and one value per knob. */
typedef struct cand {
  const char *variant;
  const char *knob_names[TA_TUNE_MAX_KNOBS];
  int32_t knobs[TA_TUNE_MAX_KNOBS];
  int32_t n_knobs;
} cand;

/* A workload (ops with one workload key) and its candidates. */
typedef struct workload {
  const char *key, *kind;
  cand *c;
  int32_t n_c;
} workload;

/* Coverage over the whole run: ops that ran each (op kind, dtype, candidate). */
typedef struct cover {
  char what[160];
  int enumerated, ran;
} cover;
static cover covers[256];
static int n_covers;

static cover *cover_of(const char *what) {
  for (int i = 0; i < n_covers; i++)
    if (strcmp(covers[i].what, what) == 0)
      return &covers[i];
  assert_true(n_covers < (int)(sizeof covers / sizeof covers[0]));
  snprintf(covers[n_covers].what, sizeof covers[n_covers].what, "%s", what);
  return &covers[n_covers++];
}

static void cand_str(const char *kind, ta_dtype dt, const cand *c, char *buf, size_t cap) {
  int n = snprintf(buf, cap, "%s %s %s", kind, ta_dtype_name(dt), c->variant);
  for (int32_t k = 0; k < c->n_knobs && n > 0 && (size_t)n < cap; k++)
    n += snprintf(buf + n, cap - (size_t)n, " %s=%d", c->knob_names[k], c->knobs[k]);
}

/* Append every setting of v's knobs to w (ta_sched_knob_settings: the tuner's candidates). */
static void add_variant(ta_ctx *ctx, workload *w, const ta_variant *v) {
  int32_t vals[64 * TA_SCHED_MAX_KNOBS];
  const int32_t n = ta_sched_knob_settings(v, vals, 64);
  assert_true(n > 0 && n <= 64 && v->n_knobs <= TA_TUNE_MAX_KNOBS);
  cand *m = ta_new_array(ctx, (size_t)(w->n_c + n), sizeof *m);
  assert_non_null(m);
  if (w->n_c)
    memcpy(m, w->c, (size_t)w->n_c * sizeof *m);
  w->c = m;
  for (int32_t i = 0; i < n; i++) {
    cand *c = &w->c[w->n_c++];
    memset(c, 0, sizeof *c);
    c->variant = v->name;
    c->n_knobs = v->n_knobs;
    for (int32_t k = 0; k < v->n_knobs; k++) {
      c->knob_names[k] = v->knobs[k].name;
      c->knobs[k] = vals[i * v->n_knobs + k];
    }
  }
}

/* The workloads of a reference-scheduled graph (its calls hold the reference parameters, as
 * the predicates expect) and, per op, its workload (-1: not scheduled, or no candidate besides
 * the reference). The reference variant is the oracle, not a candidate; in-place forms are the
 * planner's to pick (they come with their base variant). */
static int32_t list_workloads(ta_ctx *ctx, const ta_graph *g, const ta_kernel_call *calls,
                              workload *ws, int32_t *op_w) {
  int32_t n_w = 0;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    op_w[i] = -1;
    if (!ta_sched_variant(&calls[i], NULL))
      continue;
    const char *key = ta_sched_workload_key(g, op);
    assert_non_null(key);
    int32_t wi = 0;
    while (wi < n_w && strcmp(ws[wi].key, key) != 0)
      wi++;
    if (wi == n_w) {
      workload *w = &ws[n_w++];
      memset(w, 0, sizeof *w);
      w->key = key;
      w->kind = ta_op_kind_name(op->kind);
      int32_t n;
      const ta_variant *vs = ta_sched_variants(op, &n);
      for (int32_t v = 0; v < n; v++) {
        bool seen = false;
        for (int32_t c = 0; c < w->n_c; c++)
          seen |= strcmp(w->c[c].variant, vs[v].name) == 0;
        /* A name applies once: the override takes the first of that name that applies. */
        if (vs[v].inplace_of || vs[v].reference || seen ||
            !ta_sched_applies(g, op, &calls[i], &vs[v]))
          continue;
        add_variant(ctx, w, &vs[v]);
      }
    }
    op_w[i] = ws[wi].n_c > 0 ? wi : -1;
  }
  return n_w;
}

/* Offsets in the board's tensor area: the inputs as written once (0..in_total), the inputs
 * the models read (a fresh copy before each run: a kernel that wrote into one cannot spoil
 * the next build's run), the outputs (filled with 0x5a before each run, so an output a build
 * never writes is not taken for the previous build's), the arena. */
typedef struct layout {
  size_t in_total, out_total, in_off, out_off, arena_off;
} layout;

static size_t al16(size_t n) {
  return (n + 15u) / 16u * 16u;
}

/* One blob holding every build of a batch: build k's generated files under the symbol prefix
 * vqK (its NAME.c, NAME_weights.c, NAME.h), the files of the same path (the runtime, tart/)
 * once: the builds must ship the same runtime sources. The entry
 * vq_entry(base | k) runs build k (base: the 16-byte aligned tensor area). */
static ta_fileset merge_builds(ta_ctx *ctx, const ta_fileset *fs, int n, const batch *bt,
                               const layout *l) {
  ta_fileset out;
  memset(&out, 0, sizeof out);
  int cap = 1;
  for (int k = 0; k < n; k++)
    cap += fs[k].n;
  out.files = ta_new_array(ctx, (size_t)cap, sizeof *out.files);
  assert_non_null(out.files);
  out.build = fs[0].build;
  for (int k = 0; k < n; k++) {
    for (int32_t i = 0; i < fs[k].n; i++) {
      const ta_file *f = &fs[k].files[i];
      int32_t j = 0;
      while (j < out.n && strcmp(out.files[j].path, f->path) != 0)
        j++;
      const size_t pl = strlen(f->path);
      const bool source = pl > 2 && f->path[pl - 2] == '.' && strchr("ch", f->path[pl - 1]);
      if (j < out.n && source &&
          (out.files[j].len != f->len || memcmp(out.files[j].data, f->data, f->len) != 0))
        fail_msg("build %d ships %s with other contents than an earlier build", k, f->path);
      if (j < out.n)
        continue;
      out.files[out.n++] = *f;
    }
  }
  ta_buf w;
  ta_buf_init(&w, ctx);
  for (int k = 0; k < n; k++)
    ta_buf_printf(&w, "#include \"vq%d.h\"\n", k);
  ta_buf_printf(&w,
                "#include <string.h>\n"
                "int32_t vq_entry(uint32_t arg);\n"
                "int32_t vq_entry(uint32_t arg) {\n"
                "  uint8_t *t = (uint8_t *)(uintptr_t)(arg & ~15u);\n"
                "  memcpy(t + %zu, t, %zu);\n"
                "  memset(t + %zu, 0x5a, %zu);\n"
                "  const void *in[] = {",
                l->in_off, l->in_total, l->out_off, l->out_total);
  size_t off = l->in_off;
  for (int i = 0; i < bt->n; i++) {
    ta_buf_printf(&w, "%st + %zu", i ? ", " : "", off);
    off += al16(bt->br[i].in_bytes);
  }
  ta_buf_puts(&w, "};\n  void *out[] = {");
  off = l->out_off;
  for (int i = 0; i < bt->n; i++) {
    ta_buf_printf(&w, "%st + %zu", i ? ", " : "", off);
    off += al16(bt->br[i].out_bytes);
  }
  ta_buf_puts(&w, "};\n  switch (arg & 15u) {\n");
  for (int k = 0; k < n; k++)
    ta_buf_printf(&w, "  case %du: return vq%d_run(in, out, t + %zu);\n", k, k, l->arena_off);
  ta_buf_puts(&w, "  default: return -1;\n  }\n}\n");
  assert_true(w.ok);
  out.files[out.n++] = (ta_file){"vq_entry.c", ta_strndup(ctx, w.data, w.len), w.len};
  out.cap = out.n;
  return out;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Compile the batch's model as build k (symbol prefix vqK): reference kernels, or the
 * tuning log at log_path. */
static void compile_build(ta_ctx *ctx, tt_capture *cap, const char *model_path, int k,
                          bool reference, const char *log_path, ta_model *m, ta_fileset *fs) {
  ta_compile_options opt;
  ta_compile_options_init(&opt);
  opt.target = target;
  opt.reference_kernels = reference;
  opt.tuning_log = log_path;
  char name[16];
  snprintf(name, sizeof name, "vq%d", k);
  if (ta_compile_emit(ctx, model_path, &opt, ta_strndup(ctx, name, strlen(name)), m, fs) != TA_OK)
    fail_msg("compile of build %d: %s", k, cap->text);
}

/* The final op whose first output is named name, or NULL (an op a pass removed). */
static const ta_op *op_named(const ta_graph *g, const char *name, int32_t *index) {
  for (int32_t i = 0; i < g->n_ops; i++)
    if (g->ops[i].n_out > 0 && g->ops[i].out[0] >= 0 &&
        strcmp(g->tensors[g->ops[i].out[0]].name, name) == 0) {
      *index = i;
      return &g->ops[i];
    }
  return NULL;
}

/* Whether the call runs candidate c (its in-place form counts). */
static bool runs(const ta_kernel_call *call, const cand *c) {
  const ta_variant *v = ta_sched_variant(call, NULL);
  if (!v)
    return false;
  const char *name = v->inplace_of ? v->inplace_of : v->name;
  if (strcmp(name, c->variant) != 0 || v->n_knobs != c->n_knobs)
    return false;
  for (int32_t k = 0; k < c->n_knobs; k++)
    if (!call->knobs || call->knobs[k] != c->knobs[k])
      return false;
  return true;
}

/* The first differing byte of branch i's output: which branch, what ran, the values. */
static void report_mismatch(const branch *br, int i, const char *what, const uint8_t *want,
                            const uint8_t *got, size_t bytes) {
  size_t k = 0;
  while (k < bytes && want[k] == got[k])
    k++;
  if (br->flt) {
    float a, c;
    memcpy(&a, want + (k & ~(size_t)3), 4);
    memcpy(&c, got + (k & ~(size_t)3), 4);
    printf("MISMATCH branch %d (%s): %s: element %zu: reference %.9g, got %.9g\n", i, br->desc,
           what, k / 4, (double)a, (double)c);
  } else {
    printf("MISMATCH branch %d (%s): %s: byte %zu of %zu: reference %d, got %d\n", i, br->desc,
           what, k, bytes, (int8_t)want[k], (int8_t)got[k]);
  }
}

/* What branch i's op ran in build m: "variant knob=value ...". */
static void ran_str(const ta_model *m, int i, char *buf, size_t cap) {
  char yname[32];
  snprintf(yname, sizeof yname, "y%d", i);
  int32_t fi;
  const ta_op *fop = op_named(m->g, yname, &fi);
  const ta_variant *v = fop ? ta_sched_variant(&m->calls[fi], NULL) : NULL;
  int n = snprintf(buf, cap, "%s", v ? v->name : "?");
  for (int32_t k = 0; v && m->calls[fi].knobs && k < v->n_knobs && n > 0 && (size_t)n < cap; k++)
    n += snprintf(buf + n, cap - (size_t)n, " %s=%d", v->knobs[k].name, m->calls[fi].knobs[k]);
}

static int run_batch(ta_tune_board *tb, const ta_fw_info *info, int bi, int n_branches) {
  batch *bt = malloc(sizeof *bt);
  assert_non_null(bt);
  size_t len;
  uint8_t *model = build_batch(bt, n_branches, &len);
  char *path = malloc(strlen(work) + 64), *log_path = malloc(strlen(work) + 64);
  assert_true(path && log_path);
  sprintf(path, "%s/batch%d.tflite", work, bi);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(model, 1, len, f), len);
  fclose(f);

  /* Random inputs, laid out as the wrapper places them; the host's reference kernels on
   * them. */
  layout l = {0};
  for (int i = 0; i < bt->n; i++) {
    l.in_total += al16(bt->br[i].in_bytes);
    l.out_total += al16(bt->br[i].out_bytes);
  }
  l.in_off = l.in_total;
  l.out_off = 2 * l.in_total;
  l.arena_off = 2 * l.in_total + l.out_total;
  uint8_t *in = calloc(1, l.in_total), *host = calloc(1, l.out_total + 1);
  uint8_t *got = calloc(1, l.out_total + 1);
  const void **ins = calloc((size_t)bt->n, sizeof *ins);
  void **outs = calloc((size_t)bt->n, sizeof *outs);
  assert_true(in && host && got && ins && outs);
  size_t io = 0, oo = 0;
  for (int i = 0; i < bt->n; i++) {
    for (size_t k = 0; k < bt->br[i].in_bytes; k++)
      in[io + k] = (uint8_t)(next() >> 24);
    for (size_t k = 0; bt->br[i].flt && k + 4 <= bt->br[i].in_bytes; k += 4) {
      const float v = rnd_f() * 4.0f;
      memcpy(in + io + k, &v, 4);
    }
    ins[i] = in + io;
    outs[i] = host + oo;
    io += al16(bt->br[i].in_bytes);
    oo += al16(bt->br[i].out_bytes);
  }
  tt_run hr;
  if (tt_prepare_kernels(&hr, model, len, true) != TA_OK)
    fail_msg("host compile: %s", hr.cap.text);
  if (ta_graph_eval(hr.g, hr.calls, ins, outs) != TA_OK)
    fail_msg("host run: %s", hr.cap.text);

  /* The candidates, from the host's reference-scheduled graph (the schedule stage does not
   * depend on the target). */
  workload *ws = ta_new_array(&hr.ctx, (size_t)hr.g->n_ops + 1, sizeof *ws);
  int32_t *op_w = ta_new_array(&hr.ctx, (size_t)hr.g->n_ops + 1, sizeof *op_w);
  assert_true(ws && op_w);
  const int32_t n_w = list_workloads(&hr.ctx, hr.g, hr.calls, ws, op_w);
  int32_t rounds = 0, n_tuned_ops = 0, n_tuned_w = 0;
  for (int32_t w = 0; w < n_w; w++) {
    rounds = ws[w].n_c > rounds ? ws[w].n_c : rounds;
    n_tuned_w += ws[w].n_c > 0;
  }
  if (rounds > 15)
    fail_msg("%d candidates for one op: the entry's build index holds 15", (int)rounds);
  for (int32_t i = 0; i < hr.g->n_ops; i++) {
    if (op_w[i] < 0)
      continue;
    n_tuned_ops++;
    const ta_dtype dt = hr.g->tensors[hr.g->ops[i].out[0]].dtype;
    for (int32_t c = 0; c < ws[op_w[i]].n_c; c++) {
      char what[160];
      cand_str(ws[op_w[i]].kind, dt, &ws[op_w[i]].c[c], what, sizeof what);
      cover_of(what)->enumerated++;
    }
  }

  /* Build 0: the reference kernels. Build k >= 1: a tuning log forcing, for workload w,
   * candidate (k - 1 + w) mod n. */
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  const int n_builds = 1 + (int)rounds;
  ta_model ms[16];
  ta_fileset fss[16];
  const double t0 = now_s();
  compile_build(&ctx, &cap, path, 0, true, NULL, &ms[0], &fss[0]);
  int declined = 0;
  for (int k = 1; k < n_builds; k++) {
    sprintf(log_path, "%s/batch%d-build%d.log", work, bi, k);
    for (int32_t w = 0; w < n_w; w++) {
      if (ws[w].n_c == 0)
        continue;
      const cand *c = &ws[w].c[(k - 1 + w) % ws[w].n_c];
      ta_tune_record r;
      memset(&r, 0, sizeof r);
      r.version = "0.1";
      r.workload = ws[w].key;
      r.target = target;
      r.variant = c->variant;
      r.n_knobs = c->n_knobs;
      for (int32_t j = 0; j < c->n_knobs; j++)
        r.knob_names[j] = c->knob_names[j], r.knobs[j] = c->knobs[j];
      r.instructions = 1;
      r.status = "ok";
      if (ta_tune_log_append(&ctx, log_path, &r) != TA_OK)
        fail_msg("log: %s", cap.text);
    }
    compile_build(&ctx, &cap, path, k, false, log_path, &ms[k], &fss[k]);
    /* Which candidate each op ran: the forced one, or (the variant's prepare step declined
     * the op: a warning) the heuristic's. */
    for (int32_t i = 0; i < hr.g->n_ops; i++) {
      if (op_w[i] < 0)
        continue;
      const workload *w = &ws[op_w[i]];
      const cand *c = &w->c[(k - 1 + op_w[i]) % w->n_c];
      int32_t fi;
      const char *yname = hr.g->tensors[hr.g->ops[i].out[0]].name;
      const ta_op *fop = op_named(ms[k].g, yname, &fi);
      char what[160];
      cand_str(w->kind, hr.g->tensors[hr.g->ops[i].out[0]].dtype, c, what, sizeof what);
      if (fop && runs(&ms[k].calls[fi], c)) {
        cover_of(what)->ran++;
        const ta_variant *v = ta_sched_variant(&ms[k].calls[fi], NULL);
        if (v->inplace_of) { /* the planner's in-place form of it: counted apart too */
          snprintf(what + strlen(what), sizeof what - strlen(what), " (as %s)", v->name);
          cover_of(what)->ran++;
        }
      } else if (k - 1 < w->n_c) { /* the first time this op was given this candidate */
        const ta_variant *v = fop ? ta_sched_variant(&ms[k].calls[fi], NULL) : NULL;
        if (declined++ < 5)
          printf("note: op %s (%s) ran %s, not %s\n", yname, w->key, v ? v->name : "nothing", what);
      }
    }
  }
  size_t arena = 0;
  for (int k = 0; k < n_builds; k++)
    arena = ms[k].plan.arena_bytes > arena ? ms[k].plan.arena_bytes : arena;
  if (l.arena_off + arena > info->tensor_bytes)
    fail_msg("the batch needs %zu bytes of tensors, the board has %u", l.arena_off + arena,
             info->tensor_bytes);
  ta_fileset all = merge_builds(&ctx, fss, n_builds, bt, &l);
  ta_blob blob;
  if (ta_blob_build(&ctx, ta_board_find(target), &all, "vq_entry", info->code_base,
                    info->code_bytes, NULL, &blob) != TA_OK)
    fail_msg("blob: %s", cap.text);
  const double t1 = now_s();

  /* Build 0 against the host's reference kernels, every other build against build 0. The
   * inputs go to the board once, with the first run. */
  uint8_t *ref = calloc(1, l.out_total + 1);
  assert_non_null(ref);
  int failures = 0;
  const uint32_t base = info->tensor_base;
  for (int k = 0; k < n_builds; k++) {
    ta_call_result r;
    if (ta_tune_board_run(tb, &blob, base | (uint32_t)k, k == 0 ? in : NULL,
                          k == 0 ? l.in_total : 0, base, k == 0 ? ref : got, l.out_total,
                          base + (uint32_t)l.out_off, 1, &r) != TA_OK)
      fail_msg("build %d on the board: %s", k, cap.text);
    assert_int_equal(r.ret, 0);
    const uint8_t *want = k == 0 ? host : ref, *have = k == 0 ? ref : got;
    oo = 0;
    for (int i = 0; i < bt->n; i++) {
      if (memcmp(want + oo, have + oo, bt->br[i].out_bytes) != 0) {
        char what[200], ran[120];
        ran_str(&ms[k], i, ran, sizeof ran);
        snprintf(what, sizeof what, "%s, build %d running %s",
                 k == 0 ? "reference kernels against the host's" : target, k, ran);
        report_mismatch(&bt->br[i], i, what, want + oo, have + oo, bt->br[i].out_bytes);
        failures++;
      }
      oo += al16(bt->br[i].out_bytes);
    }
  }
  printf("batch %d: %d branches, %d ops with %d workloads to force, %d builds in one blob of "
         "%zu bytes (compiles %.1f s, board %.1f s), %d picks declined, %d mismatches\n",
         bi, bt->n, (int)n_tuned_ops, (int)n_tuned_w, n_builds, blob.bytes, t1 - t0, now_s() - t1,
         declined, failures);
  ta_ctx_free(&ctx);
  tt_done(&hr);
  free(ref);
  free(log_path);
  free(in);
  free(host);
  free(got);
  free(ins);
  free(outs);
  free(model);
  free(path);
  free(bt);
  return failures;
}

static void test_variants_on_m4(void **state) {
  (void)state;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  const ta_board *b = ta_board_find(target);
  assert_non_null(b);
  ta_tune_board *tb = NULL;
  ta_fw_info info;
  if (ta_tune_board_open(&ctx, b, NULL, work, &tb, &info) != TA_OK)
    fail_msg("open the board: %s", cap.text);
  const char *seed_env = getenv("TA_VARIANTS_SEED");
  const uint32_t seed = seed_env && *seed_env ? (uint32_t)strtoul(seed_env, NULL, 0)
                        : full_mode           ? 0x5EED0F11u
                                              : 0xC0FFEE42u;
  rng = seed ? seed : 1u;
  const int batches = full_mode ? 6 : 2, per_batch = full_mode ? 90 : 60;
  printf("%s: seed 0x%08x (TA_VARIANTS_SEED), %d batches of up to %d branches\n", target, seed,
         batches, per_batch);
  int failures = 0;
  for (int bi = 0; bi < batches; bi++)
    failures += run_batch(tb, &info, bi, per_batch);
  ta_tune_board_close(tb);
  ta_ctx_free(&ctx);
  int never = 0;
  /* ops: ops of that kind and dtype it applied to; runs: builds that ran it on one of them
   * (an op with fewer candidates than the batch has builds runs each more than once). */
  printf("%-60s %6s %6s\n", "op dtype candidate", "ops", "runs");
  for (int i = 0; i < n_covers; i++) {
    printf("%-60s %6d %6d\n", covers[i].what, covers[i].enumerated, covers[i].ran);
    never += covers[i].ran == 0 && covers[i].enumerated > 0;
  }
  assert_int_equal(failures, 0);
  if (never)
    fail_msg("%d candidates never ran (their forced pick was declined every time)", never);
  assert_true(n_covers >= 8); /* conv, depthwise, fc, pools, add, mul variants were found */
}

static bool on_path(const char *tool) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return system(cmd) == 0;
}

int main(int argc, char **argv) {
  full_mode = argc > 1 && strcmp(argv[1], "full") == 0;
  if (argc > 2)
    target = argv[2];
  setvbuf(stdout, NULL, _IOLBF, 0); /* progress in order with cmocka's lines, under ctest too */
  const char *qemu = getenv("TA_QEMU");
  if (!on_path(qemu && *qemu ? qemu : "qemu-system-arm") || !on_path("arm-none-eabi-gcc")) {
    printf("skipped: qemu-system-arm or arm-none-eabi-gcc is not installed\n");
    return 77;
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(work, sizeof work, "%s/tinyaot-variants-qemu-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(work))
    return 1;
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_variants_on_m4)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  ta_remove_tree(work);
  return rc;
}
