/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_import.c: ONNX ModelProto -> graph IR (see ta_onnx.h).
 *
 * Every ONNX value (a tensor name) may have two IR tensors: `plain`, in the ONNX layout, and
 * `cl`, channels-last ([N, spatial..., C]). Operators that care about layout ask for the form
 * they need (Conv and pooling: cl; Reshape, MatMul: plain); the other form is made on demand,
 * once, by a TRANSPOSE, or by a RESHAPE view when the permutation only moves dims of size 1
 * (so [N,C,1,1] <-> [N,1,1,C] costs nothing), or at compile time for constants. Element-wise
 * operators follow whatever form their inputs already have. So a chain of convolutions runs
 * in NHWC without a transpose between them, and graph inputs and outputs keep the ONNX
 * layout with one transpose at each boundary.
 *
 * Order of work: decode; initializers become constants; graph inputs become IR inputs (or
 * constants, for bound inputs an operator needs at compile time); nodes are put in
 * topological order (reporting undefined names and cycles); each node's converter
 * (onnx_ops.c) emits IR ops, each checked and shape-inferred at once, and folded into a
 * constant when all of its inputs are constant; graph outputs get their plain form.
 * A failing node poisons its outputs: later nodes that depend on it are skipped without
 * further messages, the others are still converted, so one run reports every problem.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "onnx_internal.h"

#define MAX_NODES 200000u
#define MAX_VALUES 1000000u

/* ---- diagnostics ---------------------------------------------------------------------------- */

/* MALFORMED outranks LIMIT, which outranks UNSUPPORTED. */
static void worst(onnx_imp *im, ta_status st) {
  if (st == TA_OK)
    return;
  if (im->st == TA_OK || st == TA_ERR_MALFORMED || st == TA_ERR_INTERNAL ||
      (im->st == TA_ERR_UNSUPPORTED && st == TA_ERR_LIMIT))
    if (im->st != TA_ERR_INTERNAL)
      im->st = st;
}

ta_status imp_err(onnx_imp *im, ta_status st, const char *fmt, ...) {
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (im->node)
    ta_err(im->ctx, st, "node %d %s%s%s%s: %s", im->node_idx,
           ta_onnx_clean(im->ctx, im->node->op_type), im->node_name[0] ? " \"" : "", im->node_name,
           im->node_name[0] ? "\"" : "", msg);
  else
    ta_err(im->ctx, st, "%s", msg);
  worst(im, st);
  return st;
}

/* ---- the value table ------------------------------------------------------------------------ */

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static int32_t val_find(const onnx_imp *im, const char *name) {
  if (!im->n_slots || !name)
    return -1;
  for (uint32_t h = hash_str(name) & (im->n_slots - 1);; h = (h + 1) & (im->n_slots - 1)) {
    const int32_t s = im->slots[h];
    if (s == 0)
      return -1;
    if (strcmp(im->vals[s - 1].name, name) == 0)
      return s - 1;
  }
}

static bool rehash(onnx_imp *im, uint32_t n_slots) {
  int32_t *slots = ta_new_array(im->ctx, n_slots, sizeof *slots);
  if (!slots)
    return false;
  for (int32_t i = 0; i < im->n_vals; i++) {
    uint32_t h = hash_str(im->vals[i].name) & (n_slots - 1);
    while (slots[h])
      h = (h + 1) & (n_slots - 1);
    slots[h] = i + 1;
  }
  im->slots = slots;
  im->n_slots = n_slots;
  return true;
}

/* A new value named `name` (which must not exist yet); NULL on failure (reported). */
static oval *val_new(onnx_imp *im, const char *name) {
  if ((uint32_t)im->n_vals >= MAX_VALUES) {
    imp_err(im, TA_ERR_LIMIT, "the model has more than %u values", MAX_VALUES);
    return NULL;
  }
  if (im->n_vals == im->cap_vals) {
    const int32_t cap = im->cap_vals ? im->cap_vals * 2 : 256;
    oval *v = ta_new_array(im->ctx, (size_t)cap, sizeof *v);
    if (!v)
      return NULL;
    if (im->n_vals)
      memcpy(v, im->vals, (size_t)im->n_vals * sizeof *v);
    im->vals = v;
    im->cap_vals = cap;
  }
  if ((uint32_t)(im->n_vals + 1) * 2 > im->n_slots &&
      !rehash(im, im->n_slots ? im->n_slots * 2 : 512))
    return NULL;
  oval *v = &im->vals[im->n_vals];
  memset(v, 0, sizeof *v);
  v->name = name;
  v->plain = v->cl = -1;
  v->input_idx = -1;
  uint32_t h = hash_str(name) & (im->n_slots - 1);
  while (im->slots[h])
    h = (h + 1) & (im->n_slots - 1);
  im->slots[h] = ++im->n_vals;
  return v;
}

/* ---- layouts -------------------------------------------------------------------------------- */

void imp_cl_perm(int32_t r, int32_t *perm) {
  perm[0] = 0;
  for (int32_t k = 1; k < r - 1; k++)
    perm[k] = k + 1;
  perm[r - 1] = 1;
}

static void inverse_perm(int32_t r, const int32_t *perm, int32_t *inv) {
  for (int32_t k = 0; k < r; k++)
    inv[perm[k]] = k;
}

bool imp_has_cl(const oval *v) {
  return v->cl >= 0;
}

ta_attrs imp_attrs(void);
ta_attrs imp_attrs(void) {
  ta_attrs a;
  memset(&a, 0, sizeof a);
  a.stride_h = a.stride_w = 1;
  a.dilation_h = a.dilation_w = 1;
  a.depth_multiplier = 1;
  a.beta = 1.0f;
  return a;
}

int32_t imp_tensor(onnx_imp *im, const char *name, ta_dtype dt) {
  const int32_t t = ta_graph_add_tensor(im->g, name, dt, 0, NULL);
  if (t < 0)
    worst(im, TA_ERR_LIMIT);
  return t;
}

int32_t imp_const_tensor(onnx_imp *im, const char *name, ta_dtype dt, int32_t rank,
                         const int32_t *dims, const void *data) {
  static const int32_t scalar[1] = {1};
  const int32_t t = ta_graph_add_tensor(im->g, name, dt, rank, dims ? dims : scalar);
  if (t < 0) {
    worst(im, TA_ERR_LIMIT);
    return -1;
  }
  size_t bytes;
  if (!ta_tensor_bytes(&im->g->tensors[t], &bytes)) {
    imp_err(im, TA_ERR_LIMIT, "constant \"%s\" is too large", name);
    return -1;
  }
  uint8_t *d = ta_new(im->ctx, bytes ? bytes : 1);
  if (!d) {
    worst(im, TA_ERR_LIMIT);
    return -1;
  }
  if (bytes)
    memcpy(d, data, bytes);
  im->g->tensors[t].data = d;
  im->g->tensors[t].data_bytes = bytes;
  return t;
}

/* Append an op for the current node (see imp_op); fold: evaluate it now when all of its
 * inputs are constant. */
static ta_status emit(onnx_imp *im, ta_op_kind kind, const int32_t *in, int32_t n_in,
                      const int32_t *out, int32_t n_out, const ta_attrs *a, bool allow_fold) {
  ta_graph *g = im->g;
  for (int32_t i = 0; i < n_in; i++)
    if (in[i] < -1 || in[i] >= g->n_tensors)
      return imp_err(im, TA_ERR_INTERNAL, "bad operand");
  for (int32_t i = 0; i < n_out; i++)
    if (out[i] < 0)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  const int32_t oi = ta_graph_add_op(g, kind, n_in, n_out);
  if (oi < 0) {
    worst(im, TA_ERR_LIMIT);
    return TA_ERR_LIMIT;
  }
  ta_op *op = &g->ops[oi];
  memcpy(op->in, in, (size_t)n_in * sizeof *in);
  memcpy(op->out, out, (size_t)n_out * sizeof *out);
  if (a)
    op->a = *a;
  op->src_index = im->node ? im->node_idx : g->n_ops - 1;
  op->name = im->node ? im->node_name : g->tensors[out[0]].name;
  const ta_op_def *d = ta_op_def_get(kind);
  ta_status st = d->check(g, op);
  if (st == TA_OK)
    st = d->infer(g, op);
  if (st != TA_OK) {
    worst(im, st);
    return st;
  }
  /* DEQUANTIZE of constants stays an op: the qdq pass reads quantized weights from it (and
   * fold_constants evaluates what it leaves). */
  bool all_const = n_in > 0 && allow_fold && kind != TA_OP_DEQUANTIZE;
  for (int32_t i = 0; i < n_in; i++)
    if (in[i] >= 0 && !ta_tensor_is_const(&g->tensors[in[i]]))
      all_const = false;
  if (!all_const)
    return TA_OK;
  st = ta_op_fold(g, oi);
  if (st != TA_OK) {
    worst(im, st);
    return st;
  }
  g->n_ops--; /* the op was the last one: its outputs are constants now */
  return TA_OK;
}

ta_status imp_op(onnx_imp *im, ta_op_kind kind, const int32_t *in, int32_t n_in, const int32_t *out,
                 int32_t n_out, const ta_attrs *a) {
  return emit(im, kind, in, n_in, out, n_out, a, true);
}

/* Only dims of size 1 change places: the bytes stay in the same order. */
static bool pure_reshape(const ta_tensor *x, const int32_t *perm) {
  int32_t last = -1;
  for (int32_t k = 0; k < x->rank; k++) {
    if (x->dims[perm[k]] == 1)
      continue;
    if (perm[k] < last)
      return false;
    last = perm[k];
  }
  return true;
}

int32_t imp_reshape(onnx_imp *im, int32_t x, int32_t rank, const int32_t *dims, const char *name) {
  if (x < 0)
    return -1;
  const int32_t y = ta_graph_add_tensor(im->g, name, im->g->tensors[x].dtype, rank, dims);
  if (y < 0) {
    worst(im, TA_ERR_LIMIT);
    return -1;
  }
  im->g->tensors[y].q = im->g->tensors[x].q;
  return imp_op(im, TA_OP_RESHAPE, &x, 1, &y, 1, NULL) == TA_OK ? y : -1;
}

int32_t imp_transpose(onnx_imp *im, int32_t x, const int32_t *perm, const char *name) {
  if (x < 0)
    return -1;
  const ta_tensor *xt = &im->g->tensors[x];
  int32_t dims[TA_MAX_RANK];
  const int32_t r = xt->rank;
  bool identity = true;
  for (int32_t k = 0; k < r; k++) {
    dims[k] = xt->dims[perm[k]];
    identity = identity && perm[k] == k;
  }
  if (identity)
    return x;
  if (pure_reshape(xt, perm))
    return imp_reshape(im, x, r, dims, name);
  const int32_t y = imp_tensor(im, name, xt->dtype);
  if (y < 0)
    return -1;
  im->g->tensors[y].q = im->g->tensors[x].q;
  if (im->g->tensors[y].q.count > 1) {
    /* A per-channel axis follows its dim. */
    for (int32_t k = 0; k < r; k++)
      if (perm[k] == im->g->tensors[x].q.axis)
        im->g->tensors[y].q.axis = k;
  }
  ta_attrs a = imp_attrs();
  memcpy(a.perm, perm, (size_t)r * sizeof *perm);
  return imp_op(im, TA_OP_TRANSPOSE, &x, 1, &y, 1, &a) == TA_OK ? y : -1;
}

int32_t imp_permute_const(onnx_imp *im, int32_t t, const int32_t *perm, const char *name) {
  return imp_transpose(im, t, perm, name);
}

int32_t imp_plain(onnx_imp *im, oval *v) {
  if (v->plain >= 0)
    return v->plain;
  if (v->cl < 0) {
    imp_err(im, TA_ERR_INTERNAL, "value \"%s\" has no IR tensor", v->name);
    return -1;
  }
  int32_t to_cl[TA_MAX_RANK], inv[TA_MAX_RANK];
  imp_cl_perm(v->rank, to_cl);
  inverse_perm(v->rank, to_cl, inv);
  v->plain = imp_transpose(im, v->cl, inv, v->name);
  return v->plain;
}

int32_t imp_cl(onnx_imp *im, oval *v) {
  if (v->cl >= 0)
    return v->cl;
  if (!imp_cl_rank(v->rank)) {
    imp_err(im, TA_ERR_INTERNAL, "value \"%s\" of rank %d has no channels-last form", v->name,
            v->rank);
    return -1;
  }
  const int32_t p = imp_plain(im, v);
  if (p < 0)
    return -1;
  int32_t to_cl[TA_MAX_RANK];
  imp_cl_perm(v->rank, to_cl);
  v->cl = imp_transpose(im, p, to_cl, ta_fmt(im->ctx, "%s_nhwc", v->name));
  return v->cl;
}

/* ---- node operands ---------------------------------------------------------------------- */

int32_t imp_n_in(const onnx_imp *im) {
  int32_t n = (int32_t)im->node->n_input;
  while (n > 0 && !im->node->input[n - 1][0])
    n--;
  return n;
}

oval *imp_in(onnx_imp *im, int32_t k) {
  if (k < 0 || (size_t)k >= im->node->n_input || !im->node->input[k][0])
    return NULL;
  const int32_t i = val_find(im, im->node->input[k]);
  return i >= 0 ? &im->vals[i] : NULL;
}

oval *imp_in_req(onnx_imp *im, int32_t k, const char *what) {
  oval *v = imp_in(im, k);
  if (!v)
    imp_err(im, TA_ERR_MALFORMED, "input %d (%s) is missing", k, what);
  return v;
}

int32_t imp_producer(const onnx_imp *im, int32_t t) {
  for (int32_t i = im->g->n_ops - 1; i >= 0; i--)
    for (int32_t k = 0; k < im->g->ops[i].n_out; k++)
      if (im->g->ops[i].out[k] == t)
        return i;
  return -1;
}

/* A constant evaluation of DEQUANTIZE op p (whose input is constant), as a new tensor. */
static int32_t fold_dequantize(onnx_imp *im, int32_t p) {
  ta_graph *g = im->g;
  const int32_t x = g->ops[p].in[0], y0 = g->ops[p].out[0];
  int32_t dims[TA_MAX_RANK];
  memcpy(dims, g->tensors[y0].dims, sizeof dims);
  const int32_t y =
      ta_graph_add_tensor(g, g->tensors[y0].name, TA_DT_F32, g->tensors[y0].rank, dims);
  return y >= 0 && emit(im, TA_OP_DEQUANTIZE, &x, 1, &y, 1, NULL, false) == TA_OK &&
                 ta_op_fold(g, g->n_ops - 1) == TA_OK && (g->n_ops--, true)
             ? y
             : -1;
}

const ta_tensor *imp_const(onnx_imp *im, const oval *v) {
  if (!v)
    return NULL;
  const int32_t t = v->plain >= 0 ? v->plain : v->cl;
  if (t < 0)
    return NULL;
  if (!ta_tensor_is_const(&im->g->tensors[t])) {
    /* DEQUANTIZE of a constant stays an op (for the qdq pass); evaluate a copy for callers
     * that need the values. */
    const int32_t p = v->plain >= 0 ? imp_producer(im, v->plain) : -1;
    if (p < 0 || im->g->ops[p].kind != TA_OP_DEQUANTIZE ||
        !ta_tensor_is_const(&im->g->tensors[im->g->ops[p].in[0]]))
      return NULL;
    const int32_t f = fold_dequantize(im, p);
    return f >= 0 ? &im->g->tensors[f] : NULL;
  }
  const int32_t p = imp_plain(im, (oval *)(uintptr_t)v);
  return p >= 0 ? &im->g->tensors[p] : NULL;
}

const ta_tensor *imp_const_req(onnx_imp *im, const oval *v, const char *what) {
  const ta_tensor *t = imp_const(im, v);
  if (!t && v)
    imp_err(im, TA_ERR_UNSUPPORTED,
            "%s \"%s\" is not a constant; tinyaot needs it at compile time (an initializer, a "
            "Constant node, or an input fixed when compiling)",
            what, v->name);
  return t;
}

bool imp_out_used(const onnx_imp *im, int32_t k) {
  return k >= 0 && (size_t)k < im->node->n_output && im->node->output[k][0];
}

/* Record v's ONNX shape from IR tensor t in layout cl. */
static void shape_from(onnx_imp *im, oval *v, int32_t t, bool cl) {
  const ta_tensor *tt = &im->g->tensors[t];
  v->dtype = tt->dtype;
  v->rank = tt->rank;
  if (!cl) {
    memcpy(v->dims, tt->dims, sizeof v->dims);
    return;
  }
  int32_t to_cl[TA_MAX_RANK];
  imp_cl_perm(tt->rank, to_cl);
  for (int32_t k = 0; k < tt->rank; k++)
    v->dims[to_cl[k]] = tt->dims[k];
}

static oval *define(onnx_imp *im, int32_t k) {
  const char *name = im->node->output[k];
  const int32_t i = val_find(im, name);
  if (i >= 0) {
    imp_err(im, TA_ERR_MALFORMED, "output \"%s\" is already defined elsewhere", name);
    return NULL;
  }
  oval *v = val_new(im, name);
  if (v)
    v->defined = true;
  return v;
}

ta_status imp_out(onnx_imp *im, int32_t k, int32_t t, bool cl) {
  if (!imp_out_used(im, k))
    return TA_OK;
  if (t < 0)
    return im->st != TA_OK ? im->st : TA_ERR_INTERNAL;
  oval *v = define(im, k);
  if (!v)
    return TA_ERR_MALFORMED;
  if (cl && !imp_cl_rank(im->g->tensors[t].rank))
    return imp_err(im, TA_ERR_INTERNAL, "channels-last output of rank %d", im->g->tensors[t].rank);
  shape_from(im, v, t, cl);
  if (cl)
    v->cl = t;
  else
    v->plain = t;
  return TA_OK;
}

ta_status imp_alias(onnx_imp *im, int32_t k, const oval *src) {
  if (!imp_out_used(im, k))
    return TA_OK;
  const oval copy = *src;
  oval *v = define(im, k);
  if (!v)
    return TA_ERR_MALFORMED;
  const char *name = v->name;
  *v = copy;
  v->name = name;
  v->input_idx = -1;
  return TA_OK;
}

/* ---- attributes ----------------------------------------------------------------------------- */

static bool attr_kind(onnx_imp *im, const Onnx__AttributeProto *a, int want, bool present) {
  if (a->has_type && (int)a->type == want)
    return true;
  if (!a->has_type && present)
    return true;
  imp_err(im, TA_ERR_MALFORMED, "attribute %s has the wrong type", ta_onnx_clean(im->ctx, a->name));
  return false;
}

bool imp_attr_int(onnx_imp *im, const char *name, int64_t def, int64_t *v) {
  const Onnx__AttributeProto *a = ta_onnx_attr(im->node, name);
  *v = def;
  if (!a)
    return true;
  if (!attr_kind(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, a->has_i))
    return false;
  *v = a->i;
  return true;
}

bool imp_attr_float(onnx_imp *im, const char *name, float def, float *v) {
  const Onnx__AttributeProto *a = ta_onnx_attr(im->node, name);
  *v = def;
  if (!a)
    return true;
  if (!attr_kind(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, a->has_f))
    return false;
  *v = a->f;
  return true;
}

bool imp_attr_string(onnx_imp *im, const char *name, const char *def, const char **v) {
  const Onnx__AttributeProto *a = ta_onnx_attr(im->node, name);
  *v = def;
  if (!a)
    return true;
  if (!attr_kind(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING, a->has_s))
    return false;
  char *s = ta_strndup(im->ctx, a->s.data ? (const char *)a->s.data : "", a->s.data ? a->s.len : 0);
  if (!s)
    return false;
  *v = ta_onnx_clean(im->ctx, s);
  return true;
}

bool imp_attr_ints(onnx_imp *im, const char *name, int64_t *v, int32_t cap, int32_t *n) {
  const Onnx__AttributeProto *a = ta_onnx_attr(im->node, name);
  *n = -1;
  if (!a)
    return true;
  if (!attr_kind(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, a->n_ints > 0))
    return false;
  if (a->n_ints > (size_t)cap) {
    imp_err(im, TA_ERR_UNSUPPORTED, "attribute %s has %zu values; at most %d are supported", name,
            a->n_ints, cap);
    return false;
  }
  for (size_t k = 0; k < a->n_ints; k++)
    v[k] = a->ints[k];
  *n = (int32_t)a->n_ints;
  return true;
}

/* ---- graph inputs --------------------------------------------------------------------------- */

static const ta_onnx_shape *shape_opt(const onnx_imp *im, const char *name) {
  for (int32_t i = 0; im->opt && i < im->opt->n_shapes; i++)
    if (strcmp(im->opt->shapes[i].name, name) == 0)
      return &im->opt->shapes[i];
  return NULL;
}

static const ta_onnx_tensor *bind_opt(const onnx_imp *im, const char *name) {
  for (int32_t i = 0; im->opt && i < im->opt->n_bind; i++)
    if (im->opt->bind[i].name && strcmp(im->opt->bind[i].name, name) == 0)
      return &im->opt->bind[i];
  return NULL;
}

/* Whether some node reads `name` at an operand position it needs at compile time. */
static bool needed_const(const Onnx__GraphProto *gp, const char *name) {
  for (size_t i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *n = gp->node[i];
    if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
      continue;
    const onnx_op_info *info = n->op_type ? ta_onnx_op_find(n->op_type) : NULL;
    if (!info)
      continue;
    for (size_t k = 0; k < n->n_input && k < 32; k++)
      if (((info->const_inputs >> k) & 1) && strcmp(n->input[k], name) == 0)
        return true;
  }
  return false;
}

static void read_input(onnx_imp *im, const Onnx__GraphProto *gp, const Onnx__ValueInfoProto *vi,
                       int32_t idx, int32_t *inputs, int32_t *n_inputs) {
  const char *name = ta_onnx_clean(im->ctx, vi->name);
  if (!name[0]) {
    imp_err(im, TA_ERR_MALFORMED, "graph input %d has no name", idx);
    return;
  }
  if (val_find(im, vi->name) >= 0)
    return; /* an initializer: a constant (IR < 4 lists them) */
  oval *v = val_new(im, vi->name);
  if (!v)
    return;
  v->defined = true;
  const Onnx__TypeProto *tp = vi->type;
  if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
    imp_err(im, TA_ERR_UNSUPPORTED,
            "graph input \"%s\" is not a tensor (sequences, maps and "
            "optionals are not supported)",
            name);
    v->poisoned = true;
    return;
  }
  const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
  const ta_dtype dt = ta_onnx_dtype(tt->elem_type);
  const ta_onnx_tensor *b = bind_opt(im, vi->name);
  const bool frozen = b && needed_const(gp, vi->name);
  if (dt == TA_DT_UNKNOWN || dt == TA_DT_F16 || dt == TA_DT_F64 || (dt == TA_DT_BOOL && !frozen)) {
    imp_err(im, TA_ERR_UNSUPPORTED,
            "graph input \"%s\" has type %s, which tinyaot does not "
            "support",
            name, ta_onnx_type_name(tt->elem_type));
    v->poisoned = true;
    return;
  }
  if (frozen) {
    if (b->dtype != dt) {
      imp_err(im, TA_ERR_USAGE, "the value given for input \"%s\" is %s; the model says %s", name,
              ta_dtype_name(b->dtype), ta_dtype_name(dt));
      v->poisoned = true;
      return;
    }
    v->dtype = dt;
    v->rank = b->rank;
    memcpy(v->dims, b->dims, sizeof v->dims);
    v->plain = imp_const_tensor(im, name, dt, b->rank, b->dims, b->data);
    if (v->plain < 0)
      v->poisoned = true;
    return;
  }
  const ta_onnx_shape *so = shape_opt(im, vi->name);
  const Onnx__TensorShapeProto *sp = tt->shape;
  v->dtype = dt;
  if (so) {
    if (sp && (int32_t)sp->n_dim != so->rank) {
      imp_err(im, TA_ERR_USAGE, "--input-shape %s gives %d dims, but the model's input has %zu",
              name, so->rank, sp->n_dim);
      v->poisoned = true;
      return;
    }
    for (int32_t k = 0; sp && k < so->rank; k++) {
      const Onnx__TensorShapeProto__Dimension *d = sp->dim[k];
      if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
          d->dim_value > 0 && d->dim_value != so->dims[k]) {
        imp_err(im, TA_ERR_USAGE,
                "--input-shape %s gives dim %d as %d, but the model fixes it "
                "at %lld",
                name, k, so->dims[k], (long long)d->dim_value);
        v->poisoned = true;
        return;
      }
    }
    v->rank = so->rank;
    memcpy(v->dims, so->dims, sizeof v->dims);
  } else {
    if (!sp) {
      imp_err(im, TA_ERR_UNSUPPORTED,
              "graph input \"%s\" has no shape in the model; give one "
              "with --input-shape %s=D0,D1,...",
              name, name);
      v->poisoned = true;
      return;
    }
    if (sp->n_dim > TA_MAX_RANK) {
      imp_err(im, TA_ERR_UNSUPPORTED,
              "graph input \"%s\" has %zu dims; at most %d are "
              "supported",
              name, sp->n_dim, TA_MAX_RANK);
      v->poisoned = true;
      return;
    }
    v->rank = (int32_t)sp->n_dim;
    for (int32_t k = 0; k < v->rank; k++) {
      const Onnx__TensorShapeProto__Dimension *d = sp->dim[k];
      const bool fixed =
          d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value > 0;
      if (!fixed) {
        char example[160];
        size_t o = 0;
        for (int32_t j = 0; j < v->rank && o < sizeof example - 16; j++) {
          const Onnx__TensorShapeProto__Dimension *dj = sp->dim[j];
          const long long dv =
              dj->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                      dj->dim_value > 0
                  ? (long long)dj->dim_value
                  : 1;
          o += (size_t)snprintf(example + o, sizeof example - o, j ? ",%lld" : "%lld", dv);
        }
        const bool param = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
        imp_err(im, TA_ERR_UNSUPPORTED,
                "graph input \"%s\" has a dynamic dimension %d%s%s%s; tinyaot compiles static "
                "shapes only: give one with --input-shape %s=%s",
                name, k, param ? " (\"" : "", param ? ta_onnx_clean(im->ctx, d->dim_param) : "",
                param ? "\")" : "", name, example);
        v->poisoned = true;
        return;
      }
      if (d->dim_value > INT32_MAX) {
        imp_err(im, TA_ERR_LIMIT, "graph input \"%s\": dim %d is too large", name, k);
        v->poisoned = true;
        return;
      }
      v->dims[k] = (int32_t)d->dim_value;
    }
  }
  size_t elems = 1;
  for (int32_t k = 0; k < v->rank; k++)
    if (!ta_mul_size(elems, (size_t)v->dims[k], &elems) || elems > INT32_MAX) {
      imp_err(im, TA_ERR_LIMIT, "graph input \"%s\" has more than 2^31-1 elements", name);
      v->poisoned = true;
      return;
    }
  v->plain = ta_graph_add_tensor(im->g, name, dt, v->rank, v->dims);
  if (v->plain < 0) {
    worst(im, TA_ERR_LIMIT);
    v->poisoned = true;
    return;
  }
  im->g->tensors[v->plain].flags |= TA_TENSOR_INPUT;
  v->input_idx = *n_inputs;
  inputs[(*n_inputs)++] = v->plain;
}

/* ---- node order ----------------------------------------------------------------------------- */

/* A name -> node index map of node outputs (open addressing on a scratch table). */
typedef struct prod_map {
  int32_t *slot; /* node index + 1 */
  const char **key;
  uint32_t n;
} prod_map;

static int32_t prod_find(const prod_map *m, const char *name) {
  for (uint32_t h = hash_str(name) & (m->n - 1);; h = (h + 1) & (m->n - 1)) {
    if (!m->slot[h])
      return -1;
    if (strcmp(m->key[h], name) == 0)
      return m->slot[h] - 1;
  }
}

static const char *node_label(onnx_imp *im, const Onnx__GraphProto *gp, int32_t i) {
  const Onnx__NodeProto *n = gp->node[i];
  const char *nm = n->name && n->name[0] ? n->name : n->n_output ? n->output[0] : "";
  return ta_fmt(im->ctx, "node %d %s%s%s%s", i, ta_onnx_clean(im->ctx, n->op_type),
                nm[0] ? " \"" : "", ta_onnx_clean(im->ctx, nm), nm[0] ? "\"" : "");
}

/* The nodes in an order where every input is produced before use: the model's own order
 * when it is one, else Kahn's algorithm. Undefined inputs and cycles are reported. */
static int32_t *sort_nodes(onnx_imp *im, const Onnx__GraphProto *gp) {
  const int32_t n = (int32_t)gp->n_node;
  prod_map m;
  m.n = 16;
  while (m.n < 2u * (uint32_t)(n > 0 ? n : 1) * 2u)
    m.n *= 2;
  size_t n_outs = 0;
  for (int32_t i = 0; i < n; i++)
    n_outs += gp->node[i]->n_output;
  while (m.n < 2 * n_outs)
    m.n *= 2;
  m.slot = ta_new_array(im->ctx, m.n, sizeof *m.slot);
  m.key = ta_new_array(im->ctx, m.n, sizeof *m.key);
  int32_t *order = ta_new_array(im->ctx, (size_t)(n ? n : 1), sizeof *order);
  int32_t *indeg = ta_new_array(im->ctx, (size_t)(n ? n : 1), sizeof *indeg);
  if (!m.slot || !m.key || !order || !indeg)
    return NULL;
  bool ok = true;
  for (int32_t i = 0; i < n; i++) {
    const Onnx__NodeProto *nd = gp->node[i];
    for (size_t k = 0; k < nd->n_output; k++) {
      const char *o = nd->output[k];
      if (!o[0])
        continue;
      const int32_t prev = prod_find(&m, o);
      if (prev >= 0 || val_find(im, o) >= 0) {
        ta_err(im->ctx, TA_ERR_MALFORMED, "%s: output \"%s\" is also %s", node_label(im, gp, i),
               ta_onnx_clean(im->ctx, o),
               prev >= 0 ? ta_fmt(im->ctx, "an output of %s", node_label(im, gp, prev))
                         : "an initializer or graph input");
        worst(im, TA_ERR_MALFORMED);
        ok = false;
        continue;
      }
      uint32_t h = hash_str(o) & (m.n - 1);
      while (m.slot[h])
        h = (h + 1) & (m.n - 1);
      m.slot[h] = i + 1;
      m.key[h] = o;
    }
  }
  /* Dependencies: edges producer -> consumer, in CSR form. */
  int32_t *start = ta_new_array(im->ctx, (size_t)n + 1, sizeof *start);
  size_t n_edges = 0;
  for (int32_t i = 0; i < n; i++)
    n_edges += gp->node[i]->n_input;
  int32_t *adj = ta_new_array(im->ctx, n_edges ? n_edges : 1, sizeof *adj);
  int32_t *fill = ta_new_array(im->ctx, (size_t)n + 1, sizeof *fill);
  if (!start || !adj || !fill)
    return NULL;
  bool in_order = true;
  for (int32_t i = 0; i < n; i++) {
    const Onnx__NodeProto *nd = gp->node[i];
    for (size_t k = 0; k < nd->n_input; k++) {
      const char *x = nd->input[k];
      if (!x[0])
        continue;
      const int32_t p = prod_find(&m, x);
      if (p >= 0) {
        start[p + 1]++;
        indeg[i]++;
        if (p >= i)
          in_order = false;
      } else if (val_find(im, x) < 0) {
        ta_err(im->ctx, TA_ERR_MALFORMED,
               "%s: input %zu \"%s\" is not defined: no initializer, graph input or node output "
               "has that name",
               node_label(im, gp, i), k, ta_onnx_clean(im->ctx, x));
        worst(im, TA_ERR_MALFORMED);
        ok = false;
      }
    }
  }
  if (!ok)
    return NULL;
  for (int32_t i = 0; i < n; i++) {
    order[i] = i;
    start[i + 1] += start[i];
  }
  if (in_order)
    return order;
  for (int32_t i = 0; i < n; i++) {
    const Onnx__NodeProto *nd = gp->node[i];
    for (size_t k = 0; k < nd->n_input; k++) {
      const int32_t p = nd->input[k][0] ? prod_find(&m, nd->input[k]) : -1;
      if (p >= 0)
        adj[start[p] + fill[p]++] = i;
    }
  }
  int32_t head = 0, tail = 0;
  for (int32_t i = 0; i < n; i++)
    if (indeg[i] == 0)
      order[tail++] = i;
  while (head < tail) {
    const int32_t i = order[head++];
    for (int32_t e = start[i]; e < start[i + 1]; e++)
      if (--indeg[adj[e]] == 0)
        order[tail++] = adj[e];
  }
  if (tail == n)
    return order;
  /* A cycle: walk back from a node left over through producers that are left over too. */
  int32_t cur = -1;
  for (int32_t i = 0; i < n && cur < 0; i++)
    if (indeg[i] > 0)
      cur = i;
  int32_t *seen = fill; /* reuse: step at which each node was visited, 0 unvisited */
  memset(seen, 0, ((size_t)n + 1) * sizeof *seen);
  int32_t path[64], len = 0, step = 1;
  while (!seen[cur]) {
    seen[cur] = step++;
    if (len < 64)
      path[len++] = cur;
    const Onnx__NodeProto *nd = gp->node[cur];
    int32_t next = -1;
    for (size_t k = 0; k < nd->n_input && next < 0; k++) {
      const int32_t p = nd->input[k][0] ? prod_find(&m, nd->input[k]) : -1;
      if (p >= 0 && indeg[p] > 0)
        next = p;
    }
    if (next < 0)
      break;
    cur = next;
  }
  ta_buf b;
  ta_buf_init(&b, im->ctx);
  const int32_t first = seen[cur] - 1;
  for (int32_t j = len - 1; j >= first && j >= 0; j--)
    ta_buf_printf(&b, "%s -> ", node_label(im, gp, path[j]));
  ta_buf_puts(&b, node_label(im, gp, cur));
  ta_buf_append(&b, "", 1);
  ta_err(im->ctx, TA_ERR_MALFORMED,
         "the graph has a cycle: %s (each node needs an output of the one before it)",
         b.ok ? b.data : "?");
  ta_buf_free(&b);
  worst(im, TA_ERR_MALFORMED);
  return NULL;
}

/* ---- nodes and outputs ---------------------------------------------------------------------- */

/* value_info (and the graph outputs' declared types): a static shape or element type the
 * model states for a value that disagrees with what the import computed is worth a warning
 * (the model's shape annotations are stale, or a converter has a bug). */
static void check_value_info(onnx_imp *im, const Onnx__ValueInfoProto *vi) {
  if (!vi->name || !vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
    return;
  const int32_t i = val_find(im, vi->name);
  if (i < 0 || im->vals[i].poisoned || im->vals[i].opaque || !im->vals[i].defined)
    return;
  const oval *v = &im->vals[i];
  const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
  const ta_dtype dt = tt->has_elem_type ? ta_onnx_dtype(tt->elem_type) : TA_DT_UNKNOWN;
  bool same = dt == TA_DT_UNKNOWN || dt == v->dtype;
  const Onnx__TensorShapeProto *sp = tt->shape;
  bool is_static = sp != NULL;
  for (size_t k = 0; sp && k < sp->n_dim; k++)
    if (sp->dim[k]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
      is_static = false;
  if (is_static) {
    same = same && (int32_t)sp->n_dim == v->rank;
    for (size_t k = 0; same && k < sp->n_dim; k++)
      same = sp->dim[k]->dim_value == v->dims[k];
  }
  if (same)
    return;
  char have[160] = "", want[160] = "";
  size_t o = 0;
  for (int32_t k = 0; k < v->rank && o < sizeof have - 16; k++)
    o += (size_t)snprintf(have + o, sizeof have - o, k ? ",%d" : "%d", v->dims[k]);
  o = 0;
  for (size_t k = 0; sp && k < sp->n_dim && o < sizeof want - 24; k++)
    o += (size_t)snprintf(want + o, sizeof want - o, k ? ",%lld" : "%lld",
                          (long long)sp->dim[k]->dim_value);
  ta_report(im->ctx, TA_WARNING,
            "the model declares \"%s\" as %s [%s], but it computes %s [%s]; using the computed "
            "shape",
            ta_onnx_clean(im->ctx, vi->name), ta_dtype_name(dt), want, ta_dtype_name(v->dtype),
            have);
}

/* allow_unsupported: node n stays in the graph as an UNSUPPORTED placeholder op named `what`,
 * reading the plain tensors of its inputs, its outputs new tensors of unknown shape (opaque
 * values: the nodes that read them become placeholders too). false when out of memory. */
static bool keep_node(onnx_imp *im, const Onnx__NodeProto *n, int32_t idx, const char *what) {
  ta_graph *g = im->g;
  int32_t *in = ta_new_array(im->ctx, n->n_input + 1, sizeof *in);
  int32_t *out = ta_new_array(im->ctx, n->n_output + 1, sizeof *out);
  if (!in || !out)
    return false;
  ta_dtype dt = TA_DT_UNKNOWN;
  for (size_t k = 0; k < n->n_input; k++) {
    const int32_t vi = n->input[k][0] ? val_find(im, n->input[k]) : -1;
    oval *v = vi >= 0 ? &im->vals[vi] : NULL;
    in[k] = v && !v->poisoned ? imp_plain(im, v) : -1;
    if (in[k] >= 0 && dt == TA_DT_UNKNOWN)
      dt = g->tensors[in[k]].dtype;
  }
  if (dt == TA_DT_UNKNOWN)
    dt = TA_DT_F32;
  /* A node without outputs (malformed) still gets one: every op row shows its output. */
  const size_t n_out = n->n_output ? n->n_output : 1;
  for (size_t k = 0; k < n_out; k++) {
    const bool named = k < n->n_output && n->output[k][0];
    const char *name = named ? ta_onnx_clean(im->ctx, n->output[k])
                             : ta_fmt(im->ctx, "%s:unused%zu", im->node_name, k);
    out[k] = name ? ta_graph_add_tensor(g, name, dt, 0, NULL) : -1;
    if (out[k] < 0)
      return false;
    if (!named)
      continue;
    oval *v = define(im, (int32_t)k);
    if (!v)
      return false;
    v->dtype = dt;
    v->plain = out[k];
    v->opaque = true;
  }
  const int32_t oi = ta_graph_add_op(g, TA_OP_UNSUPPORTED, (int32_t)n->n_input, (int32_t)n_out);
  if (oi < 0)
    return false;
  ta_op *op = &g->ops[oi];
  memcpy(op->in, in, n->n_input * sizeof *in);
  memcpy(op->out, out, n_out * sizeof *out);
  op->src_index = idx;
  op->name = im->node_name;
  op->unsupported = what;
  g->has_unsupported = true;
  return true;
}

/* Report each operator of the tally once, as a warning (allow_unsupported: the graph is read
 * anyway), in ta_tally_flush's form. */
static void tally_warn(ta_ctx *ctx, const ta_tally *t) {
  for (int32_t i = 0; i < t->n; i++) {
    const ta_tally_entry *e = &t->e[i];
    char names[320] = "";
    size_t o = 0;
    for (int32_t k = 0; e->count > 1 && k < e->count && k < TA_TALLY_NAMES && o < sizeof names;
         k++) {
      const int w =
          snprintf(names + o, sizeof names - o, "%s\"%.80s\"", k ? ", " : "", e->names[k]);
      o += w > 0 ? (size_t)w : 0;
    }
    if (e->count == 1)
      ta_report(ctx, TA_WARNING, "%s", e->first_line);
    else
      ta_report(ctx, TA_WARNING, "%s; %d nodes: %s%s", e->first_line, (int)e->count, names,
                e->count > TA_TALLY_NAMES ? ", ..." : "");
  }
}

static void convert_node(onnx_imp *im, const Onnx__NodeProto *n, int32_t idx) {
  im->node = n;
  im->node_idx = idx;
  const char *nm = n->name && n->name[0] ? n->name : n->n_output ? n->output[0] : "";
  im->node_name = ta_onnx_clean(im->ctx, nm);
  const bool keep = im->opt && im->opt->allow_unsupported;
  bool skip = false, after_unsupported = false;
  for (size_t k = 0; k < n->n_input; k++) {
    if (!n->input[k][0])
      continue;
    const int32_t vi = val_find(im, n->input[k]);
    if (vi < 0 || im->vals[vi].poisoned)
      skip = true;
    else if (im->vals[vi].opaque)
      after_unsupported = true;
  }
  ta_status st = TA_OK;
  /* An operator tinyaot lacks is reported even when its inputs failed: that is the news. */
  const bool known = (!n->domain || !n->domain[0] || strcmp(n->domain, "ai.onnx") == 0) &&
                     ta_onnx_op_find(n->op_type);
  if (known && after_unsupported && !skip) {
    /* Its inputs' shapes are unknown: shown, not read. */
    const char *what = ta_fmt(im->ctx, "%s (not read: after an unsupported node)",
                              ta_onnx_clean(im->ctx, n->op_type));
    if (!what || !keep_node(im, n, idx, what))
      worst(im, TA_ERR_LIMIT);
    im->node = NULL;
    return;
  }
  if (!skip || !known) {
    const onnx_op_info *info = NULL;
    const bool other = n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0;
    if (other || !(info = ta_onnx_op_find(n->op_type ? n->op_type : ""))) {
      /* Tallied: one error per missing operator, after the last node (ta_tally). */
      const char *op = ta_onnx_clean(im->ctx, n->op_type);
      const char *line =
          other ? ta_fmt(im->ctx, "node %d %s%s%s%s: operator %s of domain \"%s\" is not supported",
                         idx, op, im->node_name[0] ? " \"" : "", im->node_name,
                         im->node_name[0] ? "\"" : "", op, ta_onnx_clean(im->ctx, n->domain))
                : ta_fmt(im->ctx, "node %d %s%s%s%s: operator %s (opset %lld) is not supported",
                         idx, op, im->node_name[0] ? " \"" : "", im->node_name,
                         im->node_name[0] ? "\"" : "", op, (long long)im->opset);
      const char *key = other ? ta_fmt(im->ctx, "%s/%s", n->domain, op) : op;
      if (line && key)
        ta_tally_add(im->ctx, &im->unsupported, key, line, im->node_name);
      if (keep && !skip) {
        const char *what =
            other ? ta_fmt(im->ctx, "%s/%s", ta_onnx_clean(im->ctx, n->domain), op) : op;
        if (!what || !keep_node(im, n, idx, what))
          worst(im, TA_ERR_LIMIT);
        im->node = NULL;
        return;
      }
      st = TA_ERR_UNSUPPORTED;
      worst(im, st);
    } else {
      st = info->convert(im);
    }
    if (st == TA_OK)
      for (size_t k = 0; k < n->n_output; k++)
        if (n->output[k][0] && val_find(im, n->output[k]) < 0)
          st = imp_err(im, TA_ERR_UNSUPPORTED, "output %zu \"%s\" is not supported", k,
                       ta_onnx_clean(im->ctx, n->output[k]));
  }
  if (skip || st != TA_OK) {
    worst(im, st);
    for (size_t k = 0; k < n->n_output; k++) {
      if (!n->output[k][0])
        continue;
      int32_t i = val_find(im, n->output[k]);
      oval *v = i >= 0 ? &im->vals[i] : val_new(im, n->output[k]);
      if (v)
        v->poisoned = v->defined = true;
    }
  }
  im->node = NULL;
}

static void read_outputs(onnx_imp *im, const Onnx__GraphProto *gp, int32_t *outputs,
                         int32_t *n_outputs) {
  ta_graph *g = im->g;
  for (size_t k = 0; k < gp->n_output; k++) {
    const char *name = gp->output[k]->name ? gp->output[k]->name : "";
    const int32_t i = val_find(im, name);
    if (i < 0) {
      ta_err(im->ctx, TA_ERR_MALFORMED, "graph output %zu \"%s\" is not computed by any node", k,
             ta_onnx_clean(im->ctx, name));
      worst(im, TA_ERR_MALFORMED);
      continue;
    }
    oval *v = &im->vals[i];
    if (v->poisoned)
      continue;
    int32_t t = imp_plain(im, v);
    if (t < 0)
      continue;
    const bool taken = ta_tensor_is_const(&g->tensors[t]) ||
                       (g->tensors[t].flags & (TA_TENSOR_INPUT | TA_TENSOR_OUTPUT));
    if (taken) {
      /* A constant, a graph input or an output listed twice: the output is a copy, made by
       * an op (never folded: an output must be computed). */
      const int32_t src = t;
      t = ta_graph_add_tensor(g, ta_onnx_clean(im->ctx, name), g->tensors[src].dtype,
                              g->tensors[src].rank, g->tensors[src].dims);
      if (t < 0 || emit(im, TA_OP_RESHAPE, &src, 1, &t, 1, NULL, false) != TA_OK) {
        worst(im, TA_ERR_LIMIT);
        continue;
      }
    }
    if (t < 0)
      continue;
    g->tensors[t].flags |= TA_TENSOR_OUTPUT;
    g->tensors[t].name = ta_onnx_clean(im->ctx, name);
    outputs[(*n_outputs)++] = t;
  }
}

ta_status ta_onnx_read(ta_ctx *ctx, const uint8_t *data, size_t len, const ta_onnx_options *opt,
                       ta_graph **out) {
  *out = NULL;
  Onnx__ModelProto *mp = ta_onnx_unpack_model(ctx, data, len);
  if (!mp)
    return ctx->oom ? TA_ERR_LIMIT : TA_ERR_MALFORMED;
  onnx_imp im;
  memset(&im, 0, sizeof im);
  im.ctx = ctx;
  im.opt = opt;
  im.ir_version = mp->has_ir_version ? mp->ir_version : 0;
  if (im.ir_version < 3)
    return ta_err(ctx, TA_ERR_UNSUPPORTED,
                  "IR version %lld is not supported (tinyaot reads IR version 3 and later)",
                  (long long)im.ir_version);
  im.opset = -1;
  for (size_t k = 0; k < mp->n_opset_import; k++) {
    const Onnx__OperatorSetIdProto *o = mp->opset_import[k];
    if (!o->domain || !o->domain[0] || strcmp(o->domain, "ai.onnx") == 0)
      im.opset = o->has_version ? o->version : 1;
  }
  if (im.opset < 0) {
    /* Only an error when a node of the default domain needs it (other domains' nodes are
     * reported as unsupported). */
    for (size_t k = 0; mp->graph && k < mp->graph->n_node; k++) {
      const char *d = mp->graph->node[k]->domain;
      if (!d || !d[0] || strcmp(d, "ai.onnx") == 0)
        return ta_err(ctx, TA_ERR_MALFORMED,
                      "the model imports no opset of the default ONNX domain, but node %zu uses "
                      "it",
                      k);
    }
    im.opset = 1;
  }
  if (im.opset > 25)
    ta_report(ctx, TA_WARNING,
              "opset %lld is newer than tinyaot knows (25); operators are read "
              "with the semantics of opset 25",
              (long long)im.opset);
  const Onnx__GraphProto *gp = mp->graph;
  if (!gp)
    return ta_err(ctx, TA_ERR_MALFORMED, "the model has no graph");
  if (gp->n_node > MAX_NODES)
    return ta_err(ctx, TA_ERR_LIMIT, "the graph has %zu nodes; tinyaot reads at most %u",
                  gp->n_node, MAX_NODES);
  if (gp->n_sparse_initializer > 0)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "sparse initializers are not supported");
  im.g = ta_graph_new(ctx, ctx->file);
  if (!im.g)
    return TA_ERR_LIMIT;
  for (size_t k = 0; k < gp->n_node; k++) {
    Onnx__NodeProto *n = gp->node[k];
    /* protobuf-c leaves absent strings NULL; the rest of the frontend reads "" instead. */
    if (!n->op_type)
      n->op_type = "";
    for (size_t j = 0; j < n->n_input; j++)
      if (!n->input[j])
        n->input[j] = "";
    for (size_t j = 0; j < n->n_output; j++)
      if (!n->output[j])
        n->output[j] = "";
  }

  /* Initializers. */
  for (size_t k = 0; k < gp->n_initializer; k++) {
    const Onnx__TensorProto *tp = gp->initializer[k];
    const char *name = ta_onnx_clean(ctx, tp->name);
    if (!tp->name || !tp->name[0]) {
      ta_err(ctx, TA_ERR_MALFORMED, "initializer %zu has no name", k);
      worst(&im, TA_ERR_MALFORMED);
      continue;
    }
    if (val_find(&im, tp->name) >= 0) {
      ta_err(ctx, TA_ERR_MALFORMED, "initializer \"%s\" is defined twice", name);
      worst(&im, TA_ERR_MALFORMED);
      continue;
    }
    oval *v = val_new(&im, tp->name);
    if (!v)
      break;
    v->defined = true;
    ta_onnx_tensor t;
    ta_status st = ta_onnx_decode_tensor(ctx, tp, ta_fmt(ctx, "initializer \"%s\"", name), &t);
    if (st != TA_OK) {
      worst(&im, st);
      v->poisoned = true;
      continue;
    }
    v->dtype = t.dtype;
    v->rank = t.rank;
    memcpy(v->dims, t.dims, sizeof v->dims);
    v->plain = imp_const_tensor(&im, name, t.dtype, t.rank, t.dims, t.data);
    if (v->plain < 0)
      v->poisoned = true;
  }

  /* Graph inputs. */
  int32_t *inputs = ta_new_array(ctx, gp->n_input + 1, sizeof *inputs);
  int32_t *outputs = ta_new_array(ctx, gp->n_output + 1, sizeof *outputs);
  if (!inputs || !outputs)
    return TA_ERR_LIMIT;
  int32_t n_inputs = 0, n_outputs = 0;
  for (size_t k = 0; k < gp->n_input; k++)
    read_input(&im, gp, gp->input[k], (int32_t)k, inputs, &n_inputs);
  for (int32_t i = 0; opt && i < opt->n_shapes; i++) {
    bool found = false;
    for (size_t k = 0; k < gp->n_input && !found; k++)
      found = gp->input[k]->name && strcmp(gp->input[k]->name, opt->shapes[i].name) == 0;
    if (!found) {
      /* A shape for no input is a typo: refused, so that it does not pass unnoticed. */
      ta_buf names;
      ta_buf_init(&names, ctx);
      for (size_t k = 0; k < gp->n_input; k++)
        ta_buf_printf(&names, "%s%s", k ? ", " : "", gp->input[k]->name ? gp->input[k]->name : "?");
      ta_err(ctx, TA_ERR_USAGE,
             "--input-shape %s: the model has no input of that name (inputs: %s)",
             opt->shapes[i].name, names.data ? names.data : "none");
      ta_buf_free(&names);
      return TA_ERR_USAGE;
    }
  }

  /* Nodes. */
  int32_t *order = sort_nodes(&im, gp);
  if (!order)
    return im.st != TA_OK ? im.st : TA_ERR_LIMIT;
  for (size_t k = 0; k < gp->n_node && !ctx->oom; k++)
    convert_node(&im, gp->node[order[k]], order[k]);
  if (im.g->has_unsupported && im.st == TA_OK)
    tally_warn(ctx, &im.unsupported);
  else
    ta_tally_flush(ctx, &im.unsupported, TA_ERR_UNSUPPORTED, "nodes");
  if (ctx->oom)
    return TA_ERR_LIMIT;

  read_outputs(&im, gp, outputs, &n_outputs);
  if (im.st != TA_OK)
    return im.st;
  for (size_t k = 0; k < gp->n_value_info; k++)
    check_value_info(&im, gp->value_info[k]);
  for (size_t k = 0; k < gp->n_output; k++)
    check_value_info(&im, gp->output[k]);
  if (ta_graph_set_io(im.g, inputs, n_inputs, outputs, n_outputs) != TA_OK)
    return TA_ERR_LIMIT;
  *out = im.g;
  return TA_OK;
}

ta_status ta_onnx_input_names(ta_ctx *ctx, const uint8_t *data, size_t len, const char ***names,
                              int32_t *n) {
  *names = NULL;
  *n = 0;
  Onnx__ModelProto *mp = ta_onnx_unpack_model(ctx, data, len);
  if (!mp)
    return ctx->oom ? TA_ERR_LIMIT : TA_ERR_MALFORMED;
  if (!mp->graph)
    return ta_err(ctx, TA_ERR_MALFORMED, "the model has no graph");
  const Onnx__GraphProto *gp = mp->graph;
  const char **out = ta_new_array(ctx, gp->n_input + 1, sizeof *out);
  if (!out)
    return TA_ERR_LIMIT;
  for (size_t k = 0; k < gp->n_input; k++) {
    const char *name = gp->input[k]->name ? gp->input[k]->name : "";
    bool init = false;
    for (size_t j = 0; j < gp->n_initializer && !init; j++)
      init = gp->initializer[j]->name && strcmp(gp->initializer[j]->name, name) == 0;
    if (!init)
      out[(*n)++] = name;
  }
  *names = out;
  return TA_OK;
}
