/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rewrite.c: float graph + activation ranges  =>  a new graph in the TFLite int8 scheme.
 *
 * The rule, per op of the float graph in order: build its int8 form (activation operands int8
 * per tensor, asymmetric; weights of TA_OPF_WEIGHTED ops int8 symmetric per output channel,
 * their bias int32 at input scale times weight scale; other float constants int8 per tensor;
 * integer operands unchanged) and keep it when the op's own check hook accepts it without a
 * warning; otherwise the op stays float. Each float tensor then has up to two versions in the
 * new graph, made on demand where a reader needs them: int8 (written by an int8 op, or by a
 * QUANTIZE of the float version) and float (written by a float op, or by a DEQUANTIZE of the
 * int8 version). So QUANTIZE/DEQUANTIZE appear exactly where the int8 and float parts meet.
 *
 * The output quantization of an int8 op: the fixed one where TFLite's algorithm fixes it
 * (SOFTMAX, LOGISTIC: 1/256 and -128; TANH: 1/128 and 0); the input's for ops flagged
 * TA_OPF_QUANT_SAME (CONCATENATION: the output's range, its inputs requantized to it when
 * they differ); otherwise the calibrated range (already clipped by the fused activation, as
 * the range was observed after it), retried with the input's quantization when the op's check
 * refuses or warns about a different one (PAD, RELU6 keep their input's, as TFLite's do).
 */
#include "ta_quantize_int.h"

#include "ta_quant.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the two versions of a tensor --------------------------------------------------------- */

static const char *suffixed(ta_ctx *ctx, const char *name, const char *suffix) {
  const char *s = ta_fmt(ctx, "%s/%s", name, suffix);
  return s ? s : name;
}

/* A new tensor of qg shaped like fg tensor t. */
static int32_t like(ta_rw *w, int32_t t, ta_dtype dt, const char *name) {
  const ta_tensor *ft = &w->fg->tensors[t];
  return ta_graph_add_tensor(w->qg, name, dt, ft->rank, ft->shape_known ? ft->dims : NULL);
}

static bool set_quant(ta_ctx *ctx, ta_tensor *t, float scale, int32_t zp) {
  t->q.count = 1;
  t->q.axis = 0;
  t->q.scale = ta_new(ctx, sizeof(float));
  t->q.zero_point = ta_new(ctx, sizeof(int64_t));
  if (!t->q.scale || !t->q.zero_point)
    return false;
  t->q.scale[0] = scale;
  t->q.zero_point[0] = zp;
  return true;
}

/* A copy of fg constant t in qg (data shared). */
static int32_t const_copy(ta_rw *w, int32_t t) {
  if (w->c_of[t] >= 0)
    return w->c_of[t];
  const ta_tensor *ft = &w->fg->tensors[t];
  const int32_t c = like(w, t, ft->dtype, ft->name);
  if (c < 0)
    return -1;
  ta_tensor *ct = &w->qg->tensors[c];
  ct->q = w->fg->tensors[t].q;
  ct->data = w->fg->tensors[t].data;
  ct->data_bytes = w->fg->tensors[t].data_bytes;
  return w->c_of[t] = c;
}

/* A one-input one-output op appended to qg. */
static int32_t add_unary(ta_rw *w, ta_op_kind kind, int32_t x, int32_t y, int32_t src) {
  const int32_t o = ta_graph_add_op(w->qg, kind, 1, 1);
  if (o < 0)
    return -1;
  ta_op *op = &w->qg->ops[o];
  op->in[0] = x;
  op->out[0] = y;
  op->src_index = src;
  op->name = w->qg->tensors[y].name;
  return o;
}

/* The int8 parameters of fg activation t: those of its int8 version if it has one, else of
 * its calibrated range. */
void ta_rw_act_quant(const ta_rw *w, int32_t t, float *scale, int32_t *zp) {
  if (w->q_of[t] >= 0) {
    const ta_tensor *q = &w->qg->tensors[w->q_of[t]];
    *scale = q->q.scale[0];
    *zp = (int32_t)q->q.zero_point[0];
    return;
  }
  ta_quant_params(w->lo[t], w->hi[t], scale, zp);
}

/* The float version of fg tensor t (a DEQUANTIZE of its int8 version when only that exists). */
int32_t ta_rw_float(ta_rw *w, int32_t t, int32_t src) {
  if (ta_tensor_is_const(&w->fg->tensors[t]))
    return const_copy(w, t);
  if (w->f_of[t] >= 0)
    return w->f_of[t];
  /* Recurrent state (an LSTM's or SVDF's, no producer): a tensor of its own in qg, still
   * state, read and written by the op that keeps it, which stays float. */
  if (w->fg->tensors[t].flags & TA_TENSOR_STATE) {
    const int32_t s = like(w, t, w->fg->tensors[t].dtype, w->fg->tensors[t].name);
    if (s < 0)
      return -1;
    w->qg->tensors[s].flags |= TA_TENSOR_STATE;
    return w->f_of[t] = s;
  }
  if (w->q_of[t] < 0)
    return -1;
  const int32_t f = like(w, t, TA_DT_F32, suffixed(w->ctx, w->fg->tensors[t].name, "dequantize"));
  if (f < 0 || add_unary(w, TA_OP_DEQUANTIZE, w->q_of[t], f, src) < 0)
    return -1;
  return w->f_of[t] = f;
}

/* The int8 version of activation t in quantization (scale, zp): its int8 version when that
 * matches, else a QUANTIZE (from the float version) or a requantizing QUANTIZE (int8 -> int8,
 * when only an int8 version of another quantization exists). Only an exact match is cached. */
int32_t ta_rw_int8(ta_rw *w, int32_t t, float scale, int32_t zp, int32_t src) {
  const int32_t have = w->q_of[t];
  if (have >= 0) {
    const ta_tensor *q = &w->qg->tensors[have];
    if (q->q.scale[0] == scale && q->q.zero_point[0] == zp)
      return have;
  }
  const int32_t from = have >= 0 ? have : w->f_of[t];
  if (from < 0)
    return -1;
  const char *name = w->fg->tensors[t].name;
  const int32_t q =
      like(w, t, TA_DT_I8, suffixed(w->ctx, name, have >= 0 ? "requantize" : "quantize"));
  if (q < 0 || !set_quant(w->ctx, &w->qg->tensors[q], scale, zp) ||
      add_unary(w, TA_OP_QUANTIZE, from, q, src) < 0)
    return -1;
  if (have < 0)
    w->q_of[t] = q;
  return q;
}

/* ---- constants ------------------------------------------------------------------------------ */

/* Weights w[...] of a TA_OPF_WEIGHTED op as int8, symmetric, one scale per slice along axis
 * (n slices; n == 1: per tensor). *scales (arena) gets the n scales. */
static int32_t quantize_weights(ta_rw *w, int32_t t, int32_t axis, int32_t n, float **scales) {
  const ta_tensor *ft = &w->fg->tensors[t];
  size_t elems;
  if (ft->dtype != TA_DT_F32 || !ta_tensor_elems(ft, &elems) || elems == 0)
    return -1;
  size_t inner = 1;
  for (int32_t d = axis + 1; d < ft->rank; d++)
    inner *= (size_t)ft->dims[d];
  const size_t along = n > 1 ? (size_t)ft->dims[axis] : 1;
  if (n > 1 && along != (size_t)n)
    return -1;
  const float *x = (const float *)(const void *)ft->data;
  float *s = ta_new_array(w->ctx, (size_t)n, sizeof *s);
  int8_t *q = ta_new_array(w->ctx, elems, 1);
  int64_t *zp = ta_new_array(w->ctx, (size_t)n, sizeof *zp);
  if (!s || !q || !zp)
    return -1;
  ta_quant_weights_sym(x, elems, inner, n, s, q);
  const int32_t qt = like(w, t, TA_DT_I8, ft->name);
  if (qt < 0)
    return -1;
  ta_tensor *tt = &w->qg->tensors[qt];
  tt->data = (const uint8_t *)q;
  tt->data_bytes = elems;
  tt->q.count = n;
  tt->q.axis = n > 1 ? axis : 0;
  tt->q.scale = s;
  tt->q.zero_point = zp;
  *scales = s;
  return qt;
}

/* A float bias [co] as int32 at scale in_scale * w_scale[c] (zero point 0), TFLite's rule. */
static int32_t quantize_bias(ta_rw *w, int32_t t, float in_scale, const float *w_scale, int32_t n,
                             int32_t co) {
  const ta_tensor *ft = &w->fg->tensors[t];
  size_t elems;
  if (ft->dtype != TA_DT_F32 || !ta_tensor_elems(ft, &elems) || elems != (size_t)co)
    return -1;
  int32_t *v = ta_new_array(w->ctx, (size_t)co, sizeof *v);
  float *s = ta_new_array(w->ctx, (size_t)co, sizeof *s);
  int64_t *zp = ta_new_array(w->ctx, (size_t)co, sizeof *zp);
  if (!v || !s || !zp)
    return -1;
  for (int32_t c = 0; c < co; c++) {
    float b;
    memcpy(&b, ft->data + 4 * (size_t)c, 4);
    s[c] = (float)((double)in_scale * (double)w_scale[n > 1 ? c : 0]);
    const double r = round((double)b / ((double)in_scale * (double)w_scale[n > 1 ? c : 0]));
    if (!(fabs(r) < 2147483647.0))
      return -1;
    v[c] = (int32_t)r;
  }
  const int32_t qt = ta_graph_add_tensor(w->qg, ft->name, TA_DT_I32, 1, &co);
  if (qt < 0)
    return -1;
  ta_tensor *tt = &w->qg->tensors[qt];
  tt->data = (const uint8_t *)v;
  tt->data_bytes = (size_t)co * sizeof *v;
  tt->q.count = co;
  tt->q.axis = 0;
  tt->q.scale = s;
  tt->q.zero_point = zp;
  return qt;
}

/* Any other float constant as int8 per tensor over its own range. */
static int32_t quantize_const(ta_rw *w, int32_t t) {
  const ta_tensor *ft = &w->fg->tensors[t];
  size_t elems;
  if (!ta_tensor_elems(ft, &elems))
    return -1;
  double lo = 0, hi = 0;
  for (size_t i = 0; i < elems; i++) {
    float v;
    memcpy(&v, ft->data + 4 * i, 4);
    lo = fmin(lo, (double)v);
    hi = fmax(hi, (double)v);
  }
  float s;
  int32_t zp;
  ta_quant_params(lo, hi, &s, &zp);
  int8_t *q = ta_new_array(w->ctx, elems ? elems : 1, 1);
  const int32_t qt = q ? like(w, t, TA_DT_I8, ft->name) : -1;
  if (qt < 0 || !set_quant(w->ctx, &w->qg->tensors[qt], s, zp))
    return -1;
  for (size_t i = 0; i < elems; i++) {
    float v;
    memcpy(&v, ft->data + 4 * i, 4);
    double r = round((double)v / (double)s) + zp;
    q[i] = (int8_t)(r > 127 ? 127 : r < -128 ? -128 : r);
  }
  w->qg->tensors[qt].data = (const uint8_t *)q;
  w->qg->tensors[qt].data_bytes = elems;
  return qt;
}

/* ---- trying an op's int8 form ---------------------------------------------------------------- */

typedef struct capture {
  char msg[512];
  int warnings;
} capture;

static void capture_sink(void *user, ta_severity sev, const char *msg) {
  capture *c = user;
  if (sev == TA_WARNING)
    c->warnings++;
  else if (sev == TA_ERROR && !c->msg[0])
    snprintf(c->msg, sizeof c->msg, "%s", msg);
}

/* check + infer of qg's op o with messages captured: true when both pass without a warning. */
static bool quiet_check(ta_graph *g, int32_t o, capture *c) {
  ta_ctx *ctx = g->ctx;
  const ta_diag_sink sink = ctx->sink;
  void *user = ctx->sink_user;
  const char *file = ctx->file;
  const int n_errors = ctx->n_errors;
  memset(c, 0, sizeof *c);
  ctx->sink = capture_sink;
  ctx->sink_user = c;
  ctx->file = NULL;
  const ta_op_def *d = ta_op_def_get(g->ops[o].kind);
  const bool ok = d && d->check(g, &g->ops[o]) == TA_OK && d->infer(g, &g->ops[o]) == TA_OK;
  ctx->sink = sink;
  ctx->sink_user = user;
  ctx->file = file;
  ctx->n_errors = n_errors;
  return ok && c->warnings == 0;
}

/* How the output quantization of an attempt is chosen. */
typedef enum outq { OUTQ_RANGE, OUTQ_INPUT, OUTQ_FIXED } outq;

/* Fixed output quantization of TFLite's int8 SOFTMAX, LOGISTIC, TANH (the kernels write
 * those units whatever the tensor says). */
static bool fixed_quant(ta_op_kind k, float *scale, int32_t *zp) {
  switch (k) {
  case TA_OP_SOFTMAX:
  case TA_OP_LOGISTIC: *scale = 1.0f / 256.0f, *zp = -128; return true;
  case TA_OP_TANH: *scale = 1.0f / 128.0f, *zp = 0; return true;
  default: return false;
  }
}

/* The first float activation input of fg op i, or -1. */
static int32_t act_input(const ta_rw *w, const ta_op *op) {
  for (int32_t k = 0; k < op->n_in; k++) {
    const int32_t t = op->in[k];
    if (t >= 0 && !ta_tensor_is_const(&w->fg->tensors[t]) && w->fg->tensors[t].dtype == TA_DT_F32)
      return t;
  }
  return -1;
}

/* Operands of an attempt, before anything is added to the graph: per input, the tensor it
 * will read (an int8 activation is only described, its QUANTIZE made when the op is kept). */
typedef struct operand {
  int32_t t;   /* qg tensor, or -1 for a pending int8 activation */
  int32_t src; /* fg tensor */
  float scale; /* pending int8 activation */
  int32_t zp;
} operand;

/* Try the int8 form of fg op i with output quantization chosen by how; true and the op
 * appended to qg when its check accepts it. On refusal, *why holds the check's message. */
static ta_status try_int8(ta_rw *w, int32_t i, outq how, bool per_channel, bool *kept,
                          capture *why) {
  const ta_op *op = &w->fg->ops[i];
  *kept = false;
  const int32_t y = op->out[0];
  const bool weighted = ta_op_has_flag(op->kind, TA_OPF_WEIGHTED);
  operand in[TA_MAX_OPERANDS];
  if (op->n_in > TA_MAX_OPERANDS)
    return TA_OK;
  float out_scale;
  int32_t out_zp;
  const int32_t x0 = act_input(w, op);
  if (how == OUTQ_FIXED) {
    fixed_quant(op->kind, &out_scale, &out_zp);
  } else if (how == OUTQ_INPUT) {
    if (x0 < 0)
      return TA_OK;
    ta_rw_act_quant(w, x0, &out_scale, &out_zp);
  } else {
    ta_quant_params(w->lo[y], w->hi[y], &out_scale, &out_zp);
  }
  const bool several = ta_op_has_flag(op->kind, TA_OPF_QUANT_SAME) && how == OUTQ_RANGE;
  float in_scale = 0, *w_scale = NULL;
  int32_t n_w = 1;
  for (int32_t k = 0; k < op->n_in; k++) {
    const int32_t t = op->in[k];
    in[k] = (operand){.t = -1, .src = t};
    if (t < 0)
      continue;
    const ta_tensor *ft = &w->fg->tensors[t];
    if (ta_tensor_is_const(ft)) {
      if (ft->dtype != TA_DT_F32) {
        in[k].t = const_copy(w, t);
      } else if (weighted && k == 1) {
        const int32_t co = w->fg->tensors[y].dims[w->fg->tensors[y].rank - 1];
        const int32_t axis = ft->dims[0] == co ? 0 : ft->rank - 1;
        n_w = per_channel ? co : 1;
        in[k].t = quantize_weights(w, t, axis, n_w, &w_scale);
      } else if (weighted && k == 2) {
        continue; /* the bias, below: it needs the input and weight scales */
      } else {
        in[k].t = quantize_const(w, t);
      }
      if (in[k].t < 0)
        return w->ctx->oom ? TA_ERR_LIMIT : TA_OK;
      continue;
    }
    if (ft->dtype != TA_DT_F32) {
      in[k].t = ta_rw_float(w, t, op->src_index);
      if (in[k].t < 0)
        return TA_ERR_INTERNAL;
      continue;
    }
    if (several) {
      in[k].scale = out_scale, in[k].zp = out_zp;
    } else {
      ta_rw_act_quant(w, t, &in[k].scale, &in[k].zp);
    }
    if (k == 0)
      in_scale = in[k].scale;
  }
  if (weighted) {
    if (!w_scale || in[0].t != -1 || in_scale <= 0)
      return TA_OK;
    if (op->n_in > 2 && op->in[2] >= 0) {
      const int32_t co = w->fg->tensors[y].dims[w->fg->tensors[y].rank - 1];
      in[2].t = quantize_bias(w, op->in[2], in_scale, w_scale, n_w, co);
      if (in[2].t < 0)
        return w->ctx->oom ? TA_ERR_LIMIT : TA_OK;
    }
  }
  /* The output, and the op with placeholder int8 inputs: pending activations get a tensor
   * now (unused if the op is refused). */
  const int32_t yq = like(w, y, TA_DT_I8, w->fg->tensors[y].name);
  if (yq < 0 || !set_quant(w->ctx, &w->qg->tensors[yq], out_scale, out_zp))
    return TA_ERR_LIMIT;
  int32_t probe_in[TA_MAX_OPERANDS];
  for (int32_t k = 0; k < op->n_in; k++) {
    probe_in[k] = in[k].t;
    if (in[k].src >= 0 && in[k].t < 0) {
      const int32_t p = like(w, in[k].src, TA_DT_I8, w->fg->tensors[in[k].src].name);
      if (p < 0 || !set_quant(w->ctx, &w->qg->tensors[p], in[k].scale, in[k].zp))
        return TA_ERR_LIMIT;
      probe_in[k] = p;
    }
  }
  const int32_t o = ta_graph_add_op(w->qg, op->kind, op->n_in, 1);
  if (o < 0)
    return TA_ERR_LIMIT;
  ta_op *qo = &w->qg->ops[o];
  qo->a = op->a;
  qo->name = op->name;
  qo->src_index = op->src_index;
  memcpy(qo->in, probe_in, (size_t)op->n_in * sizeof *probe_in);
  qo->out[0] = yq;
  if (!quiet_check(w->qg, o, why)) {
    w->qg->n_ops--;
    return TA_OK;
  }
  /* Kept: take the probe out, add the QUANTIZEs it needs, put it back after them. */
  const ta_op kept_op = w->qg->ops[o];
  w->qg->n_ops--;
  for (int32_t k = 0; k < op->n_in; k++) {
    if (in[k].src < 0 || in[k].t >= 0)
      continue;
    const int32_t q = ta_rw_int8(w, in[k].src, in[k].scale, in[k].zp, op->src_index);
    if (q < 0)
      return w->ctx->oom ? TA_ERR_LIMIT : TA_ERR_INTERNAL;
    kept_op.in[k] = q;
  }
  const int32_t o2 = ta_graph_add_op(w->qg, op->kind, 0, 0);
  if (o2 < 0)
    return TA_ERR_LIMIT;
  w->qg->ops[o2] = kept_op;
  w->q_of[y] = yq;
  *kept = true;
  return TA_OK;
}

/* fg op i as it is (float), its float activation operands from their float versions. */
static ta_status copy_float(ta_rw *w, int32_t i) {
  const ta_op *op = &w->fg->ops[i];
  int32_t in[TA_MAX_OPERANDS];
  for (int32_t k = 0; k < op->n_in; k++) {
    in[k] = op->in[k] >= 0 ? ta_rw_float(w, op->in[k], op->src_index) : -1;
    if (op->in[k] >= 0 && in[k] < 0)
      return w->ctx->oom ? TA_ERR_LIMIT
                         : ta_err(w->ctx, TA_ERR_INTERNAL,
                                  "quantize: op %d %s: operand %d \"%s\" has no float version "
                                  "(please report this model)",
                                  (int)i, ta_op_kind_name(op->kind), (int)k,
                                  w->fg->tensors[op->in[k]].name);
  }
  const int32_t o = ta_graph_add_op(w->qg, op->kind, op->n_in, op->n_out);
  if (o < 0)
    return TA_ERR_LIMIT;
  ta_op *qo = &w->qg->ops[o];
  qo->a = op->a;
  qo->name = op->name;
  qo->src_index = op->src_index;
  memcpy(qo->in, in, (size_t)op->n_in * sizeof *in);
  for (int32_t k = 0; k < op->n_out; k++) {
    const int32_t y = op->out[k];
    const int32_t f = like(w, y, w->fg->tensors[y].dtype, w->fg->tensors[y].name);
    if (f < 0)
      return TA_ERR_LIMIT;
    w->qg->tensors[f].q = w->fg->tensors[y].q;
    w->qg->ops[o].out[k] = f;
    w->f_of[y] = f;
  }
  return TA_OK;
}

ta_status ta_rw_op(ta_rw *w, int32_t i, bool *kept, const char **why) {
  const ta_op *op = &w->fg->ops[i];
  *kept = false;
  *why = NULL;
  const bool float_out = op->n_out == 1 && w->fg->tensors[op->out[0]].dtype == TA_DT_F32;
  capture c = {{0}, 0};
  if (float_out && op->kind != TA_OP_QUANTIZE && op->kind != TA_OP_DEQUANTIZE &&
      act_input(w, op) >= 0) {
    float s;
    int32_t zp;
    const bool fixed = fixed_quant(op->kind, &s, &zp);
    const bool same = ta_op_has_flag(op->kind, TA_OPF_QUANT_SAME);
    /* Several activation inputs of a QUANT_SAME op (CONCATENATION) share the output's range. */
    int32_t n_act = 0;
    for (int32_t k = 0; k < op->n_in; k++)
      n_act += op->in[k] >= 0 && !ta_tensor_is_const(&w->fg->tensors[op->in[k]]) &&
               w->fg->tensors[op->in[k]].dtype == TA_DT_F32;
    outq tries[2];
    int n_tries = 0;
    if (fixed)
      tries[n_tries++] = OUTQ_FIXED;
    else if (same && n_act == 1)
      tries[n_tries++] = OUTQ_INPUT;
    else
      tries[n_tries++] = OUTQ_RANGE, tries[n_tries++] = OUTQ_INPUT;
    const bool weighted = ta_op_has_flag(op->kind, TA_OPF_WEIGHTED);
    for (int pc = weighted ? 1 : 0; pc >= 0 && !*kept; pc--) {
      for (int k = 0; k < n_tries && !*kept; k++) {
        capture ck;
        ta_status st = try_int8(w, i, tries[k], pc == 1, kept, &ck);
        if (st != TA_OK)
          return st;
        if (!*kept && !c.msg[0])
          c = ck;
        if (*kept)
          w->outq_how[op->out[0]] = tries[k] == OUTQ_FIXED   ? "fixed"
                                    : tries[k] == OUTQ_INPUT ? "input"
                                                             : NULL;
      }
    }
    if (*kept)
      return TA_OK;
    *why = ta_strdup(w->ctx, c.msg[0]     ? c.msg
                             : c.warnings ? "its int8 form draws a warning"
                                          : "no int8 form");
  }
  return copy_float(w, i);
}
