/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_qdq.c: an int8 graph written back as a QDQ ONNX model (the form ONNX Runtime's
 * quantize_static writes and its QDQ-aware runtimes read).
 *
 * The output is the user's own ONNX model, not a model rebuilt from our IR: every node, name,
 * attribute and opset stays, so other tools see the graph they exported. Into it go:
 *   - after each value the int8 graph holds as int8 (an activation), QuantizeLinear then
 *     DequantizeLinear with its scale and zero point (per tensor). A node output V is renamed
 *     V_float and the DequantizeLinear writes V, so readers and graph outputs are untouched; a
 *     graph input gets V_quantized / V_dequantized and its readers are pointed at the latter.
 *   - the weights of Conv, Gemm and MatMul whose input activation is int8: int8 symmetric per
 *     output channel (ta_quant_weights_sym, the rule the quantize stage uses, so the bytes are
 *     the same) through DequantizeLinear with `axis`; their bias int32 at input scale times
 *     weight scale (zero point 0).
 *   - --int8-io graphs: an int8 graph input is declared INT8 and only dequantized; an int8
 *     graph output is produced by the QuantizeLinear and declared INT8.
 * Per-channel DequantizeLinear needs opset 13 of the default domain; an older model is refused
 * with the reason (raising its opset could change the meaning of its other nodes).
 * A BatchNormalization after a Conv is folded into the Conv's weights and bias first, as the
 * importer and the fold_batchnorm pass fold it, so the int8 weights are the stage's.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_internal.h"
#include "ta_quant.h"

/* One activation: the quantization of an ONNX value name. */
typedef struct qact {
  const char *name;
  float scale;
  int32_t zp;
} qact;

typedef struct qdq_writer {
  ta_ctx *ctx;
  const char *what; /* the file, for messages */
  Onnx__GraphProto *g;
  qact *acts;
  int32_t n_acts, cap_acts;
  /* the new node and initializer lists, grown as the nodes are walked */
  Onnx__NodeProto **nodes;
  size_t n_nodes, cap_nodes;
  Onnx__TensorProto **inits;
  size_t n_inits, cap_inits;
  int32_t serial; /* makes generated names unique */
} qdq_writer;

static ta_status oom(qdq_writer *w) {
  return ta_err(w->ctx, TA_ERR_LIMIT, "%s: out of memory writing the QDQ model", w->what);
}

static char *dup_str(ta_ctx *ctx, const char *s) {
  const size_t n = strlen(s) + 1;
  char *d = ta_new(ctx, n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* ---- the activation table, from the int8 graph --------------------------------------------- */

static const qact *find_act(const qdq_writer *w, const char *name) {
  for (int32_t i = 0; i < w->n_acts; i++)
    if (strcmp(w->acts[i].name, name) == 0)
      return &w->acts[i];
  return NULL;
}

static bool add_act_params(qdq_writer *w, const char *name, float scale, int32_t zp) {
  if (!name || !name[0] || find_act(w, name))
    return true;
  if (w->n_acts == w->cap_acts) {
    const int32_t cap = w->cap_acts ? 2 * w->cap_acts : 64;
    qact *a = ta_new_array(w->ctx, (size_t)cap, sizeof *a);
    if (!a)
      return false;
    if (w->n_acts)
      memcpy(a, w->acts, (size_t)w->n_acts * sizeof *a);
    w->acts = a, w->cap_acts = cap;
  }
  w->acts[w->n_acts++] = (qact){name, scale, zp};
  return true;
}

/* The ONNX value an IR tensor name stands for: the importer names a value's channels-last
 * copy V_nhwc, and the quantize stage names the int8 twin of a float graph output V/int8. */
static const char *onnx_name(ta_ctx *ctx, const char *name) {
  static const char *const suffixes[] = {"_nhwc", "/int8"};
  const size_t n = strlen(name);
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
    const size_t k = strlen(suffixes[i]);
    if (n > k && strcmp(name + n - k, suffixes[i]) == 0)
      return ta_fmt(ctx, "%.*s", (int)(n - k), name);
  }
  return name;
}

static bool add_act(qdq_writer *w, const char *name, const ta_tensor *q) {
  if (!name || q->dtype != TA_DT_I8 || q->q.count != 1)
    return true;
  const char *v = onnx_name(w->ctx, name);
  return v && add_act_params(w, v, q->q.scale[0], (int32_t)q->q.zero_point[0]);
}

/* Each int8 activation of qg by name: int8 ops write the float tensor's name; a QUANTIZE names
 * the float value it quantizes (a graph input, or the output of an op that stayed float). */
static bool collect_acts(qdq_writer *w, const ta_graph *qg) {
  for (int32_t i = 0; i < qg->n_tensors; i++) {
    const ta_tensor *t = &qg->tensors[i];
    if (!ta_tensor_is_const(t) && !add_act(w, t->name, t))
      return false;
  }
  for (int32_t i = 0; i < qg->n_ops; i++) {
    const ta_op *op = &qg->ops[i];
    if (op->kind == TA_OP_QUANTIZE && op->n_in > 0 && op->n_out > 0 &&
        !add_act(w, qg->tensors[op->in[0]].name, &qg->tensors[op->out[0]]))
      return false;
  }
  return true;
}

/* ---- building protobuf messages ------------------------------------------------------------ */

static bool push_node(qdq_writer *w, Onnx__NodeProto *n) {
  if (w->n_nodes == w->cap_nodes) {
    const size_t cap = w->cap_nodes ? 2 * w->cap_nodes : 64;
    Onnx__NodeProto **a = ta_new_array(w->ctx, cap, sizeof *a);
    if (!a)
      return false;
    if (w->n_nodes)
      memcpy(a, w->nodes, w->n_nodes * sizeof *a);
    w->nodes = a, w->cap_nodes = cap;
  }
  w->nodes[w->n_nodes++] = n;
  return true;
}

static bool push_init(qdq_writer *w, Onnx__TensorProto *t) {
  if (w->n_inits == w->cap_inits) {
    const size_t cap = w->cap_inits ? 2 * w->cap_inits : 64;
    Onnx__TensorProto **a = ta_new_array(w->ctx, cap, sizeof *a);
    if (!a)
      return false;
    if (w->n_inits)
      memcpy(a, w->inits, w->n_inits * sizeof *a);
    w->inits = a, w->cap_inits = cap;
  }
  w->inits[w->n_inits++] = t;
  return true;
}

/* A new initializer: name, ONNX type, dims (rank 0: a scalar), raw little-endian bytes. */
static const char *add_init(qdq_writer *w, const char *name, int32_t type, int32_t rank,
                            const int64_t *dims, const void *data, size_t bytes) {
  Onnx__TensorProto *t = ta_new(w->ctx, sizeof *t);
  uint8_t *raw = ta_new(w->ctx, bytes ? bytes : 1);
  int64_t *d = rank ? ta_new_array(w->ctx, (size_t)rank, sizeof *d) : NULL;
  char *nm = dup_str(w->ctx, name);
  if (!t || !raw || (rank && !d) || !nm)
    return NULL;
  onnx__tensor_proto__init(t);
  memcpy(raw, data, bytes);
  if (rank)
    memcpy(d, dims, (size_t)rank * sizeof *d);
  t->name = nm;
  t->has_data_type = 1;
  t->data_type = type;
  t->n_dims = (size_t)rank;
  t->dims = d;
  t->has_raw_data = 1;
  t->raw_data.len = bytes;
  t->raw_data.data = raw;
  return push_init(w, t) ? nm : NULL;
}

/* A QuantizeLinear / DequantizeLinear node: in, scale, zero point -> out; axis >= 0 is set. */
static bool add_qdq_node(qdq_writer *w, const char *op, const char *in, const char *scale,
                         const char *zp, const char *out, int32_t axis) {
  Onnx__NodeProto *n = ta_new(w->ctx, sizeof *n);
  char **ins = ta_new_array(w->ctx, 3, sizeof *ins);
  char **outs = ta_new_array(w->ctx, 1, sizeof *outs);
  const char *name = ta_fmt(w->ctx, "%s_%s", out, op);
  if (!n || !ins || !outs || !name)
    return false;
  onnx__node_proto__init(n);
  ins[0] = (char *)in, ins[1] = (char *)scale, ins[2] = (char *)zp;
  outs[0] = (char *)out;
  n->n_input = 3, n->input = ins;
  n->n_output = 1, n->output = outs;
  n->op_type = (char *)op;
  n->name = (char *)name;
  if (axis >= 0) {
    Onnx__AttributeProto *a = ta_new(w->ctx, sizeof *a);
    Onnx__AttributeProto **as = ta_new_array(w->ctx, 1, sizeof *as);
    if (!a || !as)
      return false;
    onnx__attribute_proto__init(a);
    a->name = (char *)"axis";
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = axis;
    as[0] = a;
    n->n_attribute = 1, n->attribute = as;
  }
  return push_node(w, n);
}

/* Scale and zero point initializers of activation a (scalars), named after base. */
static bool act_params(qdq_writer *w, const char *base, const qact *a, const char **scale,
                       const char **zp) {
  const int8_t z = (int8_t)a->zp;
  *scale = add_init(w, ta_fmt(w->ctx, "%s_scale", base), ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0,
                    NULL, &a->scale, sizeof a->scale);
  *zp = add_init(w, ta_fmt(w->ctx, "%s_zero_point", base), ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 0,
                 NULL, &z, 1);
  return *scale && *zp;
}

/* ---- weights and bias ---------------------------------------------------------------------- */

static const Onnx__TensorProto *find_init(const qdq_writer *w, const char *name) {
  for (size_t i = 0; i < w->g->n_initializer; i++)
    if (w->g->initializer[i]->name && strcmp(w->g->initializer[i]->name, name) == 0)
      return w->g->initializer[i];
  for (size_t i = 0; i < w->n_inits; i++)
    if (strcmp(w->inits[i]->name, name) == 0)
      return w->inits[i];
  return NULL;
}

/* A float initializer's values, or NULL (absent, not float, or n values expected and not n). */
static const float *float_init(qdq_writer *w, const char *name, ta_onnx_tensor *t, int64_t n,
                               ta_status *st) {
  const Onnx__TensorProto *tp = name && name[0] ? find_init(w, name) : NULL;
  if (!tp || !tp->has_data_type || tp->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    return NULL;
  *st = ta_onnx_decode_tensor(w->ctx, tp, ta_fmt(w->ctx, "initializer \"%s\"", tp->name), t);
  if (*st != TA_OK)
    return NULL;
  int64_t elems = 1;
  for (int32_t d = 0; d < t->rank; d++)
    elems *= t->dims[d];
  return n < 0 || (t->rank == 1 && elems == n) ? (const float *)(const void *)t->data : NULL;
}

/* ---- BatchNormalization after a convolution ------------------------------------------------ */

static int32_t readers(const Onnx__GraphProto *g, const char *v) {
  int32_t n = 0;
  for (size_t i = 0; i < g->n_node; i++)
    for (size_t k = 0; k < g->node[i]->n_input; k++)
      n += strcmp(g->node[i]->input[k], v) == 0;
  for (size_t i = 0; i < g->n_output; i++)
    n += g->output[i]->name && strcmp(g->output[i]->name, v) == 0;
  return n;
}

/* Conv -> BatchNormalization (the BN the only reader of the Conv's output) becomes one Conv
 * with weights W * s[c] and bias b * s[c] + t[c], s = scale / sqrt(var + eps) and
 * t = B - mean * s, in the arithmetic of the importer and the fold_batchnorm pass (s and t in
 * double rounded to float, the products and the sum in float), so the int8 weights come out as
 * the quantize stage made them. drop[] marks the folded BatchNormalization nodes. */
static ta_status fold_batchnorm(qdq_writer *w, bool *drop) {
  for (size_t j = 0; j < w->g->n_node; j++) {
    Onnx__NodeProto *bn = w->g->node[j];
    if (!bn->op_type || strcmp(bn->op_type, "BatchNormalization") != 0 || bn->n_input < 5 ||
        bn->n_output < 1 || readers(w->g, bn->input[0]) != 1)
      continue;
    Onnx__NodeProto *cv = NULL;
    for (size_t i = 0; i < j && !cv; i++)
      if (w->g->node[i]->op_type && strcmp(w->g->node[i]->op_type, "Conv") == 0 &&
          w->g->node[i]->n_output == 1 && strcmp(w->g->node[i]->output[0], bn->input[0]) == 0)
        cv = w->g->node[i];
    if (!cv || cv->n_input < 2)
      continue;
    ta_status st = TA_OK;
    ta_onnx_tensor wt, pt[4], bt;
    const float *wv = float_init(w, cv->input[1], &wt, -1, &st);
    if (st != TA_OK)
      return st;
    if (!wv || wt.rank < 3 || wt.dims[0] <= 0)
      continue;
    const int32_t co = wt.dims[0];
    const float *p[4];
    bool ok = true;
    for (int32_t k = 0; k < 4 && ok && st == TA_OK; k++)
      ok = (p[k] = float_init(w, bn->input[k + 1], &pt[k], co, &st)) != NULL;
    const bool has_bias = cv->n_input > 2 && cv->input[2][0];
    const float *bv =
        has_bias && ok && st == TA_OK ? float_init(w, cv->input[2], &bt, co, &st) : NULL;
    if (st != TA_OK)
      return st;
    if (!ok || (has_bias && !bv))
      continue;
    const Onnx__AttributeProto *ea = ta_onnx_attr(bn, "epsilon");
    const float eps = ea && ea->has_f ? ea->f : 1e-5f;
    size_t elems = 1;
    for (int32_t d = 0; d < wt.rank; d++)
      elems *= (size_t)wt.dims[d];
    const size_t per = elems / (size_t)co;
    float *nw = ta_new_array(w->ctx, elems, sizeof *nw);
    float *nb = ta_new_array(w->ctx, (size_t)co, sizeof *nb);
    char **ins = ta_new_array(w->ctx, 3, sizeof *ins);
    if (!nw || !nb || !ins)
      return oom(w);
    for (int32_t c = 0; c < co; c++) {
      const double sc = (double)p[0][c] / sqrt((double)p[3][c] + (double)eps);
      const float s = (float)sc, t = (float)((double)p[1][c] - (double)p[2][c] * sc);
      for (size_t k = 0; k < per; k++)
        nw[(size_t)c * per + k] = wv[(size_t)c * per + k] * s;
      nb[c] = (bv ? bv[c] : 0.0f) * s + t;
    }
    int64_t dims[TA_MAX_RANK], cdim = co;
    for (int32_t d = 0; d < wt.rank; d++)
      dims[d] = wt.dims[d];
    const char *base = ta_fmt(w->ctx, "%s_bn_folded_%d", cv->input[1], w->serial++);
    ins[0] = cv->input[0];
    ins[1] = (char *)add_init(w, ta_fmt(w->ctx, "%s_weight", base),
                              ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, wt.rank, dims, nw, elems * 4);
    ins[2] = (char *)add_init(w, ta_fmt(w->ctx, "%s_bias", base),
                              ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &cdim, nb, (size_t)co * 4);
    if (!ins[1] || !ins[2])
      return oom(w);
    cv->input = ins;
    cv->n_input = 3;
    cv->output[0] = bn->output[0];
    drop[j] = true;
  }
  return TA_OK;
}

/* Node input k read through DequantizeLinear of an int8 copy of its float initializer, one
 * scale per slice along axis. *scales (n of them) for the bias. false: left as it is (not a
 * float initializer of the expected rank); a status through *st on failure. */
static bool quantize_weight(qdq_writer *w, Onnx__NodeProto *n, size_t k, int32_t axis,
                            int32_t min_rank, float **scales, int32_t *n_scales, ta_status *st) {
  const Onnx__TensorProto *tp = k < n->n_input ? find_init(w, n->input[k]) : NULL;
  if (!tp || !tp->has_data_type || tp->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    return false;
  ta_onnx_tensor t;
  if ((*st = ta_onnx_decode_tensor(w->ctx, tp, ta_fmt(w->ctx, "initializer \"%s\"", tp->name),
                                   &t)) != TA_OK)
    return false;
  if (t.rank < min_rank || axis >= t.rank || t.dims[axis] <= 0)
    return false;
  const int32_t co = t.dims[axis];
  size_t inner = 1, elems = 1;
  for (int32_t d = 0; d < t.rank; d++) {
    elems *= (size_t)t.dims[d];
    if (d > axis)
      inner *= (size_t)t.dims[d];
  }
  float *s = ta_new_array(w->ctx, (size_t)co, sizeof *s);
  int8_t *q = ta_new_array(w->ctx, elems ? elems : 1, 1);
  int8_t *zeros = ta_new_array(w->ctx, (size_t)co, 1);
  int64_t dims[TA_MAX_RANK], cdim = co;
  if (!s || !q || !zeros) {
    *st = oom(w);
    return false;
  }
  ta_quant_weights_sym((const float *)(const void *)t.data, elems, inner, co, s, q);
  for (int32_t d = 0; d < t.rank; d++)
    dims[d] = t.dims[d];
  const char *base = ta_fmt(w->ctx, "%s_%d", tp->name, w->serial++);
  const char *qn = add_init(w, ta_fmt(w->ctx, "%s_quantized", base),
                            ONNX__TENSOR_PROTO__DATA_TYPE__INT8, t.rank, dims, q, elems);
  const char *sn = add_init(w, ta_fmt(w->ctx, "%s_scale", base),
                            ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &cdim, s, (size_t)co * 4);
  const char *zn = add_init(w, ta_fmt(w->ctx, "%s_zero_point", base),
                            ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, &cdim, zeros, (size_t)co);
  const char *dn = ta_fmt(w->ctx, "%s_dequantized", base);
  if (!qn || !sn || !zn || !dn ||
      !add_qdq_node(w, "DequantizeLinear", qn, sn, zn, dn, co > 1 ? axis : -1)) {
    *st = oom(w);
    return false;
  }
  n->input[k] = (char *)dn;
  *scales = s, *n_scales = co;
  return true;
}

/* Bias input k (float [co]) as int32 at in_scale * w_scale[c]. */
static ta_status quantize_bias(qdq_writer *w, Onnx__NodeProto *n, size_t k, float in_scale,
                               const float *ws, int32_t co) {
  const Onnx__TensorProto *tp = k < n->n_input ? find_init(w, n->input[k]) : NULL;
  if (!tp || !tp->has_data_type || tp->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    return TA_OK; /* absent, or not a float constant: left as it is */
  ta_onnx_tensor t;
  ta_status st =
      ta_onnx_decode_tensor(w->ctx, tp, ta_fmt(w->ctx, "initializer \"%s\"", tp->name), &t);
  if (st != TA_OK)
    return st;
  if (t.rank != 1 || t.dims[0] != co) {
    ta_report(w->ctx, TA_NOTE,
              "%s: node %s \"%s\": bias \"%s\" is not one value per output channel; it stays "
              "float in the QDQ file",
              w->what, n->op_type, ta_onnx_clean(w->ctx, n->name), ta_onnx_clean(w->ctx, tp->name));
    return TA_OK;
  }
  int32_t *v = ta_new_array(w->ctx, (size_t)co, sizeof *v);
  float *s = ta_new_array(w->ctx, (size_t)co, sizeof *s);
  int32_t *zeros = ta_new_array(w->ctx, (size_t)co, sizeof *zeros);
  if (!v || !s || !zeros)
    return oom(w);
  for (int32_t c = 0; c < co; c++) {
    float b;
    memcpy(&b, t.data + 4 * (size_t)c, 4);
    s[c] = (float)((double)in_scale * (double)ws[c]);
    const double r = round((double)b / ((double)in_scale * (double)ws[c]));
    if (!(fabs(r) < 2147483647.0)) {
      ta_report(w->ctx, TA_NOTE,
                "%s: node %s \"%s\": bias \"%s\" channel %d does not fit int32 at input "
                "scale x weight scale; it stays float in the QDQ file",
                w->what, n->op_type, ta_onnx_clean(w->ctx, n->name),
                ta_onnx_clean(w->ctx, tp->name), c);
      return TA_OK;
    }
    v[c] = (int32_t)r;
  }
  int64_t cdim = co;
  const char *base = ta_fmt(w->ctx, "%s_%d", tp->name, w->serial++);
  const char *qn = add_init(w, ta_fmt(w->ctx, "%s_quantized", base),
                            ONNX__TENSOR_PROTO__DATA_TYPE__INT32, 1, &cdim, v, (size_t)co * 4);
  const char *sn = add_init(w, ta_fmt(w->ctx, "%s_scale", base),
                            ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &cdim, s, (size_t)co * 4);
  const char *zn = add_init(w, ta_fmt(w->ctx, "%s_zero_point", base),
                            ONNX__TENSOR_PROTO__DATA_TYPE__INT32, 1, &cdim, zeros, (size_t)co * 4);
  const char *dn = ta_fmt(w->ctx, "%s_dequantized", base);
  if (!qn || !sn || !zn || !dn ||
      !add_qdq_node(w, "DequantizeLinear", qn, sn, zn, dn, co > 1 ? 0 : -1))
    return oom(w);
  n->input[k] = (char *)dn;
  return TA_OK;
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name, int64_t def) {
  const Onnx__AttributeProto *a = ta_onnx_attr(n, name);
  return a && a->has_i ? a->i : def;
}

/* The weights (and bias) of a Conv, Gemm or MatMul node whose input activation is int8. */
static ta_status quantize_node_weights(qdq_writer *w, Onnx__NodeProto *n) {
  const char *op = n->op_type ? n->op_type : "";
  int32_t axis, min_rank = 2;
  size_t bias = 2;
  if (strcmp(op, "Conv") == 0)
    axis = 0, min_rank = 3;
  else if (strcmp(op, "Gemm") == 0)
    axis = attr_int(n, "transB", 0) ? 0 : 1;
  else if (strcmp(op, "MatMul") == 0)
    axis = 1, bias = 99; /* B [K, N]: one scale per output column */
  else
    return TA_OK;
  if (n->n_input < 2 || !find_act(w, n->input[0]))
    return TA_OK;
  if (strcmp(op, "MatMul") == 0) {
    const Onnx__TensorProto *b = find_init(w, n->input[1]);
    if (!b || b->n_dims != 2)
      return TA_OK;
  }
  float *ws = NULL;
  int32_t co = 0;
  ta_status st = TA_OK;
  if (!quantize_weight(w, n, 1, axis, min_rank, &ws, &co, &st))
    return st;
  return bias < n->n_input ? quantize_bias(w, n, bias, find_act(w, n->input[0])->scale, ws, co)
                           : TA_OK;
}

/* ---- the walk ------------------------------------------------------------------------------ */

static const Onnx__ValueInfoProto *find_io(Onnx__ValueInfoProto **v, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (v[i]->name && strcmp(v[i]->name, name) == 0)
      return v[i];
  return NULL;
}

static void set_elem_type(const Onnx__ValueInfoProto *v, int32_t type) {
  if (v && v->type && v->type->tensor_type) {
    v->type->tensor_type->has_elem_type = 1;
    v->type->tensor_type->elem_type = type;
  }
}

/* Point every node input named from at to (graph inputs' readers). */
static void rename_reads(qdq_writer *w, const char *from, const char *to) {
  for (size_t i = 0; i < w->g->n_node; i++)
    for (size_t k = 0; k < w->g->node[i]->n_input; k++)
      if (strcmp(w->g->node[i]->input[k], from) == 0)
        w->g->node[i]->input[k] = (char *)to;
}

/* QuantizeLinear + DequantizeLinear after node output k of n (already pushed). int8_out: a
 * graph output of an --int8-io model: it is the QuantizeLinear's int8 output. */
static bool qdq_after_output(qdq_writer *w, Onnx__NodeProto *n, size_t k, const qact *a,
                             bool int8_out) {
  const char *v = n->output[k], *s, *z;
  const char *f = ta_fmt(w->ctx, "%s_float", v), *q = ta_fmt(w->ctx, "%s_quantized", v);
  if (!f || !q || !act_params(w, v, a, &s, &z))
    return false;
  n->output[k] = (char *)f;
  if (int8_out)
    return add_qdq_node(w, "QuantizeLinear", f, s, z, v, -1);
  return add_qdq_node(w, "QuantizeLinear", f, s, z, q, -1) &&
         add_qdq_node(w, "DequantizeLinear", q, s, z, v, -1);
}

ta_status ta_onnx_write_qdq(ta_ctx *ctx, const char *what, const uint8_t *data, size_t len,
                            const ta_graph *qg, ta_buf *out) {
  qdq_writer w = {.ctx = ctx, .what = what};
  Onnx__ModelProto *m = ta_onnx_unpack_model(ctx, data, len);
  if (!m)
    return TA_ERR_MALFORMED;
  if (!m->graph)
    return ta_err(ctx, TA_ERR_MALFORMED, "%s: the model has no graph", what);
  w.g = m->graph;
  int64_t opset = -1;
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *o = m->opset_import[i];
    if ((!o->domain || !o->domain[0] || strcmp(o->domain, "ai.onnx") == 0) && o->has_version)
      opset = o->version;
  }
  if (opset < 13)
    return ta_err(ctx, TA_ERR_UNSUPPORTED,
                  "%s: writing QDQ ONNX needs opset 13 or later (per-channel "
                  "DequantizeLinear); the model has opset %lld: export it with "
                  "opset_version=13 or later, or write a .tflite file",
                  what, (long long)opset);
  bool *drop = ta_new_array(ctx, w.g->n_node + 1, sizeof *drop);
  if (!drop)
    return oom(&w);
  ta_status fst = fold_batchnorm(&w, drop);
  if (fst != TA_OK)
    return fst;
  if (!collect_acts(&w, qg))
    return oom(&w);

  /* Graph inputs first: their Q/DQ (or, for an int8 input, DQ) precede every node. */
  for (size_t i = 0; i < w.g->n_input; i++) {
    const char *v = w.g->input[i]->name;
    const qact *a = v ? find_act(&w, v) : NULL;
    if (!a || find_init(&w, v))
      continue;
    int32_t gi = -1;
    for (int32_t k = 0; k < qg->n_inputs; k++)
      if (strcmp(qg->tensors[qg->inputs[k]].name, v) == 0)
        gi = k;
    const bool int8_in = gi >= 0 && qg->tensors[qg->inputs[gi]].dtype == TA_DT_I8;
    const char *s, *z, *q = ta_fmt(ctx, "%s_quantized", v), *d = ta_fmt(ctx, "%s_dequantized", v);
    if (!q || !d || !act_params(&w, v, a, &s, &z))
      return oom(&w);
    rename_reads(&w, v, d);
    if (!add_act_params(&w, d, a->scale, a->zp))
      return oom(&w);
    if (int8_in) {
      set_elem_type(w.g->input[i], ONNX__TENSOR_PROTO__DATA_TYPE__INT8);
      if (!add_qdq_node(&w, "DequantizeLinear", v, s, z, d, -1))
        return oom(&w);
    } else if (!add_qdq_node(&w, "QuantizeLinear", v, s, z, q, -1) ||
               !add_qdq_node(&w, "DequantizeLinear", q, s, z, d, -1)) {
      return oom(&w);
    }
  }
  for (size_t i = 0; i < w.g->n_node; i++) {
    Onnx__NodeProto *n = w.g->node[i];
    if (drop[i])
      continue;
    ta_status st = quantize_node_weights(&w, n);
    if (st != TA_OK)
      return st;
    if (!push_node(&w, n))
      return oom(&w);
    for (size_t k = 0; k < n->n_output; k++) {
      const qact *a = n->output[k][0] ? find_act(&w, n->output[k]) : NULL;
      if (!a)
        continue;
      bool int8_out = false;
      for (int32_t o = 0; o < qg->n_outputs; o++)
        if (strcmp(qg->tensors[qg->outputs[o]].name, n->output[k]) == 0 &&
            qg->tensors[qg->outputs[o]].dtype == TA_DT_I8)
          int8_out = true;
      if (int8_out)
        set_elem_type(find_io(w.g->output, w.g->n_output, n->output[k]),
                      ONNX__TENSOR_PROTO__DATA_TYPE__INT8);
      if (!qdq_after_output(&w, n, k, a, int8_out))
        return oom(&w);
    }
  }
  /* The initializers some node still reads (or a graph output names): the float weights the
   * quantized copies replace, and the float weights of folded BatchNormalizations, go. */
  const size_t n_all = w.g->n_initializer + w.n_inits;
  Onnx__TensorProto **all = ta_new_array(ctx, n_all + 1, sizeof *all);
  if (!all)
    return oom(&w);
  memcpy(all, w.g->initializer, w.g->n_initializer * sizeof *all);
  memcpy(all + w.g->n_initializer, w.inits, w.n_inits * sizeof *all);
  size_t ni = 0;
  for (size_t i = 0; i < n_all; i++) {
    const char *name = all[i]->name;
    bool read = find_io(w.g->output, w.g->n_output, name) != NULL;
    for (size_t j = 0; j < w.n_nodes && !read; j++)
      for (size_t k = 0; k < w.nodes[j]->n_input; k++)
        if (strcmp(w.nodes[j]->input[k], name) == 0)
          read = true;
    if (read) {
      all[ni++] = all[i];
      continue;
    }
    /* Dropped: a model from before IR version 4 also lists it among the graph inputs. */
    size_t nin = 0;
    for (size_t k = 0; k < w.g->n_input; k++)
      if (!w.g->input[k]->name || strcmp(w.g->input[k]->name, name) != 0)
        w.g->input[nin++] = w.g->input[k];
    w.g->n_input = nin;
  }
  w.g->initializer = all;
  w.g->n_initializer = ni;
  w.g->node = w.nodes;
  w.g->n_node = w.n_nodes;
  /* value_info entries keep their names: V is still float (the DequantizeLinear's output). */

  const size_t bytes = onnx__model_proto__get_packed_size(m);
  uint8_t *buf = ta_new(ctx, bytes ? bytes : 1);
  if (!buf)
    return oom(&w);
  if (onnx__model_proto__pack(m, buf) != bytes)
    return ta_err(ctx, TA_ERR_INTERNAL, "%s: protobuf-c packed a size it did not announce", what);
  ta_buf_append(out, buf, bytes);
  return out->ok ? TA_OK : oom(&w);
}
