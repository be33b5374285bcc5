/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_ops.c: one converter per ONNX operator (default domain): read its attributes, check
 * what tinyaot supports, emit IR ops (onnx_import.c gives the helpers and the layout rules).
 *
 * Layout decisions, per operator family:
 *   Conv, pooling, BatchNormalization on images  channels-last (NHWC); 1-D forms run as 2-D
 *                                                with H = 1, through RESHAPE views
 *   element-wise (unary and broadcasting binary) the layout the inputs already have
 *   Reshape, Flatten, Squeeze, Unsqueeze, MatMul, Gemm, Transpose   the ONNX layout
 *   Concat, Pad, Softmax, QuantizeLinear         channels-last when the input has it (the
 *                                                axis or pads are renumbered), else ONNX
 * Constant operands (weights, shapes, axes, quantization parameters) are read at compile
 * time; weights are re-laid-out then.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_internal.h"

ta_attrs imp_attrs(void);

/* A stable view of a constant tensor (IR tensor pointers move when tensors are added). */
typedef struct cview {
  ta_dtype dt;
  int32_t rank;
  int32_t dims[TA_MAX_RANK];
  const uint8_t *data;
  size_t n; /* elements */
} cview;

static bool view_of(const ta_tensor *t, cview *v) {
  if (!t)
    return false;
  v->dt = t->dtype;
  v->rank = t->rank;
  memcpy(v->dims, t->dims, sizeof v->dims);
  v->data = t->data;
  v->n = 1;
  for (int32_t k = 0; k < t->rank; k++)
    v->n *= (size_t)t->dims[k];
  return true;
}

/* Element k of a numeric constant as double / int64. */
static double cv_f(const cview *v, size_t k) {
  switch (v->dt) {
  case TA_DT_F32: {
    float f;
    memcpy(&f, v->data + 4 * k, 4);
    return (double)f;
  }
  case TA_DT_F64: {
    double d;
    memcpy(&d, v->data + 8 * k, 8);
    return d;
  }
  case TA_DT_I8: return (double)(int8_t)v->data[k];
  case TA_DT_U8:
  case TA_DT_BOOL: return (double)v->data[k];
  case TA_DT_I16: {
    int16_t x;
    memcpy(&x, v->data + 2 * k, 2);
    return (double)x;
  }
  case TA_DT_U16: {
    uint16_t x;
    memcpy(&x, v->data + 2 * k, 2);
    return (double)x;
  }
  case TA_DT_I32: {
    int32_t x;
    memcpy(&x, v->data + 4 * k, 4);
    return (double)x;
  }
  case TA_DT_U32: {
    uint32_t x;
    memcpy(&x, v->data + 4 * k, 4);
    return (double)x;
  }
  case TA_DT_I64: {
    int64_t x;
    memcpy(&x, v->data + 8 * k, 8);
    return (double)x;
  }
  case TA_DT_U64: {
    uint64_t x;
    memcpy(&x, v->data + 8 * k, 8);
    return (double)x;
  }
  default: return 0.0;
  }
}

static int64_t cv_i(const cview *v, size_t k) {
  if (v->dt == TA_DT_I64) {
    int64_t x;
    memcpy(&x, v->data + 8 * k, 8);
    return x;
  }
  /* A float (or uint64) used as an integer: saturated, NaN as 0, never converted out of
   * range (undefined in C); the callers' range checks then refuse what does not fit. */
  const double d = cv_f(v, k);
  if (!(d == d))
    return 0;
  if (d >= 9223372036854775808.0)
    return INT64_MAX;
  if (d < -9223372036854775808.0)
    return INT64_MIN;
  return (int64_t)d;
}

/* A constant operand as a stable view; false (reported) when absent or not constant. */
static bool const_in(onnx_imp *im, int32_t k, const char *what, cview *v) {
  const oval *o = imp_in(im, k);
  if (!o) {
    imp_err(im, TA_ERR_MALFORMED, "input %d (%s) is missing", k, what);
    return false;
  }
  return view_of(imp_const_req(im, o, what), v);
}

/* A 1-D (or scalar) integer constant operand into v[0..*n). */
static bool const_ints(onnx_imp *im, const cview *c, const char *what, int64_t *v, int32_t cap,
                       int32_t *n) {
  if ((c->dt != TA_DT_I64 && c->dt != TA_DT_I32) || c->rank > 1) {
    imp_err(im, TA_ERR_MALFORMED, "%s is %s of rank %d; expected a 1-D int64 tensor", what,
            ta_dtype_name(c->dt), c->rank);
    return false;
  }
  if (c->n > (size_t)cap) {
    imp_err(im, TA_ERR_UNSUPPORTED, "%s has %zu values; at most %d are supported", what, c->n, cap);
    return false;
  }
  for (size_t k = 0; k < c->n; k++)
    v[k] = cv_i(c, k);
  *n = (int32_t)c->n;
  return true;
}

static const char *out_name(onnx_imp *im, int32_t k) {
  if (k >= 0 && (size_t)k < im->node->n_output && im->node->output[k][0])
    return ta_onnx_clean(im->ctx, im->node->output[k]);
  return ta_fmt(im->ctx, "%s_%d", im->node_name, k);
}

static const char *tmp_name(onnx_imp *im, const char *what) {
  return ta_fmt(im->ctx, "%s/%s", im->node_name, what);
}

static int32_t norm_axis(int64_t axis, int32_t rank) {
  return (int32_t)(axis < 0 ? axis + rank : axis);
}

static ta_status need_float(onnx_imp *im, const oval *v, const char *what) {
  if (v->dtype == TA_DT_F32)
    return TA_OK;
  return imp_err(im, TA_ERR_UNSUPPORTED, "%s \"%s\" is %s; only float32 is supported here", what,
                 v->name, ta_dtype_name(v->dtype));
}

/* The form of v to compute on when the operator does not care: channels-last if it exists. */
static int32_t any_form(onnx_imp *im, oval *v, bool *cl) {
  *cl = imp_has_cl(v) && v->plain < 0;
  if (imp_has_cl(v) && !ta_tensor_is_const(&im->g->tensors[v->cl]))
    *cl = true;
  return *cl ? imp_cl(im, v) : imp_plain(im, v);
}

/* t without quantization parameters (a RESHAPE view when it has some): ONNX integer
 * arithmetic on raw values must not be read as quantized arithmetic. */
static int32_t strip_q(onnx_imp *im, int32_t t) {
  if (t < 0 || im->g->tensors[t].q.count == 0)
    return t;
  int32_t dims[TA_MAX_RANK];
  const int32_t r = im->g->tensors[t].rank;
  memcpy(dims, im->g->tensors[t].dims, sizeof dims);
  const int32_t y =
      ta_graph_add_tensor(im->g, tmp_name(im, "raw"), im->g->tensors[t].dtype, r, dims);
  if (y < 0)
    return -1;
  return imp_op(im, TA_OP_RESHAPE, &t, 1, &y, 1, NULL) == TA_OK ? y : -1;
}

/* A new tensor with quantization (count scales along axis). */
static bool set_quant(onnx_imp *im, int32_t t, int32_t count, int32_t axis, const float *scale,
                      const int64_t *zp) {
  ta_quant *q = &im->g->tensors[t].q;
  q->count = count;
  q->axis = axis;
  q->scale = ta_new_array(im->ctx, (size_t)count, sizeof(float));
  q->zero_point = ta_new_array(im->ctx, (size_t)count, sizeof(int64_t));
  if (!q->scale || !q->zero_point)
    return false;
  memcpy(q->scale, scale, (size_t)count * sizeof(float));
  memcpy(q->zero_point, zp, (size_t)count * sizeof(int64_t));
  return true;
}

/* A view of t carrying the given per-tensor quantization (a RESHAPE view, or t itself when it
 * already has exactly that). */
static int32_t with_quant(onnx_imp *im, int32_t t, float scale, int64_t zp) {
  if (t < 0)
    return -1;
  const ta_quant *q = &im->g->tensors[t].q;
  if (q->count == 1 && q->scale[0] == scale && q->zero_point[0] == zp)
    return t;
  int32_t dims[TA_MAX_RANK];
  const int32_t r = im->g->tensors[t].rank;
  memcpy(dims, im->g->tensors[t].dims, sizeof dims);
  const bool is_const = ta_tensor_is_const(&im->g->tensors[t]);
  int32_t y;
  if (is_const) {
    y = imp_const_tensor(im, tmp_name(im, "q"), im->g->tensors[t].dtype, r, dims,
                         im->g->tensors[t].data);
    if (y < 0 || !set_quant(im, y, 1, 0, &scale, &zp))
      return -1;
    return y;
  }
  y = ta_graph_add_tensor(im->g, tmp_name(im, "q"), im->g->tensors[t].dtype, r, dims);
  if (y < 0 || !set_quant(im, y, 1, 0, &scale, &zp))
    return -1;
  return imp_op(im, TA_OP_RESHAPE, &t, 1, &y, 1, NULL) == TA_OK ? y : -1;
}

/* ---- element-wise --------------------------------------------------------------------------- */

/* Operands of a broadcasting op in a common layout. Channels-last when one non-constant
 * operand of full rank already has it: the others are broadcast to full rank and permuted
 * (constants at compile time, activations by a view when possible). */
static ta_status binary_operands(onnx_imp *im, oval **vs, int32_t n, int32_t *ts, bool *cl) {
  int32_t r = 0;
  for (int32_t i = 0; i < n; i++)
    if (vs[i]->rank > r)
      r = vs[i]->rank;
  *cl = false;
  if (imp_cl_rank(r))
    for (int32_t i = 0; i < n; i++)
      if (vs[i]->rank == r && imp_has_cl(vs[i]) && !imp_const(im, vs[i]))
        *cl = true;
  for (int32_t i = 0; i < n; i++) {
    oval *v = vs[i];
    if (!*cl) {
      ts[i] = imp_plain(im, v);
    } else if (v->rank == r && (imp_has_cl(v) || !imp_const(im, v))) {
      ts[i] = imp_cl(im, v);
    } else {
      int32_t dims[TA_MAX_RANK], perm[TA_MAX_RANK];
      for (int32_t k = 0; k < r; k++)
        dims[k] = k < r - v->rank ? 1 : v->dims[k - (r - v->rank)];
      imp_cl_perm(r, perm);
      int32_t t = imp_plain(im, v);
      if (v->rank != r)
        t = imp_reshape(im, t, r, dims, tmp_name(im, "bcast"));
      ts[i] = imp_transpose(im, t, perm, tmp_name(im, "bcast_nhwc"));
    }
    if (ts[i] < 0)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  }
  return TA_OK;
}

static ta_status binary(onnx_imp *im, ta_op_kind kind) {
  oval *a = imp_in_req(im, 0, "A"), *b = imp_in_req(im, 1, "B");
  if (!a || !b)
    return TA_ERR_MALFORMED;
  if (a->dtype != b->dtype)
    return imp_err(im, TA_ERR_MALFORMED, "inputs are %s and %s; expected one type",
                   ta_dtype_name(a->dtype), ta_dtype_name(b->dtype));
  oval bb = *b;
  int64_t bc = 0, axis = 0;
  if (im->opset < 7) {
    /* Legacy broadcasting: B's dims align with A's starting at `axis` (default: at the end). */
    if (!imp_attr_int(im, "broadcast", 0, &bc) ||
        !imp_attr_int(im, "axis", a->rank - b->rank, &axis))
      return TA_ERR_MALFORMED;
    if (bc && b->rank < a->rank) {
      const int32_t ax = norm_axis(axis, a->rank);
      if (ax < 0 || ax + b->rank > a->rank)
        return imp_err(im, TA_ERR_MALFORMED, "broadcast axis %lld does not fit", (long long)axis);
      const int32_t trail = a->rank - ax - b->rank;
      int32_t dims[TA_MAX_RANK];
      for (int32_t k = 0; k < b->rank + trail; k++)
        dims[k] = k < b->rank ? b->dims[k] : 1;
      const int32_t t = imp_reshape(im, imp_plain(im, b), b->rank + trail, dims, tmp_name(im, "B"));
      if (t < 0)
        return im->st;
      bb.plain = t;
      bb.cl = -1;
      bb.rank = b->rank + trail;
      memcpy(bb.dims, dims, sizeof bb.dims);
    }
  }
  oval *vs[2] = {a, &bb};
  int32_t ts[2];
  bool cl;
  ta_status st = binary_operands(im, vs, 2, ts, &cl);
  if (st != TA_OK)
    return st;
  const ta_dtype dt = a->dtype;
  if (dt != TA_DT_F32) {
    ts[0] = strip_q(im, ts[0]);
    ts[1] = strip_q(im, ts[1]);
  }
  const int32_t y = imp_tensor(im, out_name(im, 0), dt);
  st = imp_op(im, kind, ts, 2, &y, 1, NULL);
  if (st != TA_OK)
    return st;
  return imp_out(im, 0, y, cl);
}

static ta_status cv_add(onnx_imp *im) {
  return binary(im, TA_OP_ADD);
}
static ta_status cv_sub(onnx_imp *im) {
  return binary(im, TA_OP_SUB);
}
static ta_status cv_mul(onnx_imp *im) {
  return binary(im, TA_OP_MUL);
}
static ta_status cv_div(onnx_imp *im) {
  return binary(im, TA_OP_DIV);
}

/* y = op(x) in x's layout. */
static ta_status unary(onnx_imp *im, ta_op_kind kind, const ta_attrs *a) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  bool cl;
  int32_t t = any_form(im, x, &cl);
  if (x->dtype != TA_DT_F32)
    t = strip_q(im, t);
  const int32_t y = imp_tensor(im, out_name(im, 0), x->dtype);
  ta_status st = imp_op(im, kind, &t, 1, &y, 1, a);
  if (st != TA_OK)
    return st;
  return imp_out(im, 0, y, cl);
}

static ta_status cv_relu(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (x->dtype != TA_DT_F32) {
    /* Integer Relu: a clamp at 0. */
    ta_attrs a = imp_attrs();
    a.clamp_min = 0;
    a.clamp_max = INFINITY;
    return unary(im, TA_OP_CLAMP, &a);
  }
  return unary(im, TA_OP_RELU, NULL);
}

static ta_status cv_sigmoid(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  return !x                                    ? TA_ERR_MALFORMED
         : need_float(im, x, "input") != TA_OK ? im->st
                                               : unary(im, TA_OP_LOGISTIC, NULL);
}

static ta_status cv_tanh(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  return !x                                    ? TA_ERR_MALFORMED
         : need_float(im, x, "input") != TA_OK ? im->st
                                               : unary(im, TA_OP_TANH, NULL);
}

static ta_status cv_hard_swish(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  return !x                                    ? TA_ERR_MALFORMED
         : need_float(im, x, "input") != TA_OK ? im->st
                                               : unary(im, TA_OP_HARD_SWISH, NULL);
}

static ta_status cv_hard_sigmoid(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  ta_attrs a = imp_attrs();
  if (!imp_attr_float(im, "alpha", 0.2f, &a.alpha) || !imp_attr_float(im, "beta", 0.5f, &a.beta))
    return TA_ERR_MALFORMED;
  return unary(im, TA_OP_HARD_SIGMOID, &a);
}

static ta_status cv_elu(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  ta_attrs a = imp_attrs();
  if (!imp_attr_float(im, "alpha", 1.0f, &a.alpha))
    return TA_ERR_MALFORMED;
  return unary(im, TA_OP_ELU, &a);
}

/* PRelu: x >= 0 ? x : x * slope, the slope broadcast to x (binary broadcasting). Before
 * opset 7 a 1-D slope of x's channel count is per channel (dim 1), as PyTorch's exports of
 * that time rely on: it becomes [C, 1, ..., 1] first. */
static ta_status cv_prelu(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X"), *sl = imp_in_req(im, 1, "slope");
  if (!x || !sl)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK || need_float(im, sl, "slope") != TA_OK)
    return im->st;
  if (im->opset >= 7 || sl->rank != 1 || x->rank < 3 || sl->dims[0] != x->dims[1] ||
      sl->dims[0] == 1)
    return binary(im, TA_OP_PRELU);
  oval ss = *sl;
  ss.rank = x->rank - 1;
  for (int32_t k = 0; k < ss.rank; k++)
    ss.dims[k] = k == 0 ? sl->dims[0] : 1;
  ss.plain = imp_reshape(im, imp_plain(im, sl), ss.rank, ss.dims, tmp_name(im, "slope"));
  ss.cl = -1;
  if (ss.plain < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  oval *vs[2] = {x, &ss};
  int32_t ts[2];
  bool cl;
  ta_status st = binary_operands(im, vs, 2, ts, &cl);
  if (st != TA_OK)
    return st;
  const int32_t y = imp_tensor(im, out_name(im, 0), TA_DT_F32);
  if (y < 0 || imp_op(im, TA_OP_PRELU, ts, 2, &y, 1, NULL) != TA_OK)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return imp_out(im, 0, y, cl);
}

static ta_status cv_leaky_relu(onnx_imp *im) {
  ta_attrs a = imp_attrs();
  if (!imp_attr_float(im, "alpha", 0.01f, &a.alpha))
    return TA_ERR_MALFORMED;
  return unary(im, TA_OP_LEAKY_RELU, &a);
}

/* Float pointwise math: Neg, Abs, Sqrt, Exp, Log. */
static ta_status math(onnx_imp *im, ta_op_kind kind) {
  oval *x = imp_in_req(im, 0, "X");
  return !x                                    ? TA_ERR_MALFORMED
         : need_float(im, x, "input") != TA_OK ? im->st
                                               : unary(im, kind, NULL);
}
static ta_status cv_neg(onnx_imp *im) {
  return math(im, TA_OP_NEG);
}
static ta_status cv_abs(onnx_imp *im) {
  return math(im, TA_OP_ABS);
}
static ta_status cv_sqrt(onnx_imp *im) {
  return math(im, TA_OP_SQRT);
}
static ta_status cv_exp(onnx_imp *im) {
  return math(im, TA_OP_EXP);
}
static ta_status cv_log(onnx_imp *im) {
  return math(im, TA_OP_LOG);
}
static ta_status cv_erf(onnx_imp *im) {
  return math(im, TA_OP_ERF);
}

/* Pow: float32 base; the exponent float32, or a constant of another numeric type (converted
 * to float32 here, as the ONNX reference computes in the base's type). */
static ta_status cv_pow(onnx_imp *im) {
  oval *a = imp_in_req(im, 0, "X"), *b = imp_in_req(im, 1, "Y");
  if (!a || !b)
    return TA_ERR_MALFORMED;
  if (need_float(im, a, "base") != TA_OK)
    return im->st;
  if (b->dtype == TA_DT_F32)
    return binary(im, TA_OP_POW);
  const ta_tensor *c = imp_const(im, b);
  cview v;
  if (!c || !view_of(c, &v) || ta_dtype_size(b->dtype) == 0)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "exponent \"%s\" is %s and computed at run time; expected float32 or a "
                   "constant",
                   b->name, ta_dtype_name(b->dtype));
  float *f = ta_new_array(im->ctx, v.n ? v.n : 1, sizeof(float));
  if (!f)
    return TA_ERR_LIMIT;
  for (size_t k = 0; k < v.n; k++)
    f[k] = (float)cv_f(&v, k);
  oval bb = *b;
  bb.dtype = TA_DT_F32;
  bb.cl = -1;
  bb.plain = imp_const_tensor(im, tmp_name(im, "exponent"), TA_DT_F32, b->rank, b->dims, f);
  if (bb.plain < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  oval *vs[2] = {a, &bb};
  int32_t ts[2];
  bool cl;
  ta_status st = binary_operands(im, vs, 2, ts, &cl);
  if (st != TA_OK)
    return st;
  const int32_t y = imp_tensor(im, out_name(im, 0), TA_DT_F32);
  st = imp_op(im, TA_OP_POW, ts, 2, &y, 1, NULL);
  if (st != TA_OK)
    return st;
  return imp_out(im, 0, y, cl);
}

/* One step of a decomposition: y = kind(in...) as a new float32 tensor; -1 on failure. */
static int32_t step(onnx_imp *im, ta_op_kind kind, const int32_t *in, int32_t n, const char *what,
                    const ta_attrs *a) {
  const int32_t y = imp_tensor(im, tmp_name(im, what), TA_DT_F32);
  if (y < 0 || imp_op(im, kind, in, n, &y, 1, a) != TA_OK)
    return -1;
  return y;
}

/* LayerNormalization (opset 17), float32: over the dims from axis on, in the ONNX layout,
 * y = (x - mean) * rsqrt(mean((x - mean)^2) + epsilon) * scale (+ B), as the operator's
 * function body computes it (MEAN, SUB, MUL, ADD, RSQRT). The optional outputs Mean and
 * InvStdDev are the intermediate tensors of the same names (their dims from axis on are 1). */
static ta_status cv_layer_norm(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X"), *sc = imp_in_req(im, 1, "Scale"), *bv = imp_in(im, 2);
  if (!x || !sc)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK || need_float(im, sc, "scale") != TA_OK ||
      (bv && need_float(im, bv, "B") != TA_OK))
    return im->st;
  int64_t stash = 1;
  if (!imp_attr_int(im, "stash_type", 1, &stash))
    return im->st;
  if (stash != 1)
    return imp_err(im, TA_ERR_UNSUPPORTED, "stash_type %lld is not supported (only 1, float32)",
                   (long long)stash);
  int64_t axis;
  float eps;
  if (!imp_attr_int(im, "axis", -1, &axis) || !imp_attr_float(im, "epsilon", 1e-5f, &eps))
    return im->st;
  const int32_t r = x->rank, ax = norm_axis(axis, r);
  if (r < 1 || ax < 0 || ax >= r)
    return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range for rank %d", (long long)axis,
                   r);
  int32_t axes[TA_MAX_RANK], n = 0;
  for (int32_t k = ax; k < r; k++)
    axes[n++] = k;
  ta_attrs keep = imp_attrs();
  keep.keep_dims = true;
  const int32_t t = imp_plain(im, x), st_ = imp_plain(im, sc), bt = bv ? imp_plain(im, bv) : -1;
  const int32_t at = imp_const_tensor(im, tmp_name(im, "axes"), TA_DT_I32, 1, &n, axes);
  const int32_t et = imp_const_tensor(im, tmp_name(im, "epsilon"), TA_DT_F32, 0, NULL, &eps);
  if (t < 0 || st_ < 0 || (bv && bt < 0) || at < 0 || et < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  const int32_t mean = step(im, TA_OP_MEAN, (int32_t[]){t, at}, 2, "mean", &keep);
  const int32_t d = mean < 0 ? -1 : step(im, TA_OP_SUB, (int32_t[]){t, mean}, 2, "centered", NULL);
  const int32_t sq = d < 0 ? -1 : step(im, TA_OP_MUL, (int32_t[]){d, d}, 2, "squared", NULL);
  const int32_t var = sq < 0 ? -1 : step(im, TA_OP_MEAN, (int32_t[]){sq, at}, 2, "var", &keep);
  const int32_t ve = var < 0 ? -1 : step(im, TA_OP_ADD, (int32_t[]){var, et}, 2, "var_eps", NULL);
  const int32_t rs = ve < 0 ? -1 : step(im, TA_OP_RSQRT, &ve, 1, "inv_std", NULL);
  const int32_t nm = rs < 0 ? -1 : step(im, TA_OP_MUL, (int32_t[]){d, rs}, 2, "normalized", NULL);
  if (nm < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  const int32_t y = imp_tensor(im, bv ? tmp_name(im, "scaled") : out_name(im, 0), TA_DT_F32);
  if (y < 0 || imp_op(im, TA_OP_MUL, (int32_t[]){nm, st_}, 2, &y, 1, NULL) != TA_OK)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  ta_status st = TA_OK;
  if (imp_out_used(im, 1))
    st = imp_out(im, 1, mean, false);
  if (st == TA_OK && imp_out_used(im, 2))
    st = imp_out(im, 2, rs, false);
  if (st != TA_OK || !bv)
    return st != TA_OK ? st : imp_out(im, 0, y, false);
  const int32_t z = imp_tensor(im, out_name(im, 0), TA_DT_F32);
  if (z < 0 || imp_op(im, TA_OP_ADD, (int32_t[]){y, bt}, 2, &z, 1, NULL) != TA_OK)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return imp_out(im, 0, z, false);
}

/* Reciprocal: 1 / x, a DIV by a constant 1 (float32). */
static ta_status cv_reciprocal(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  const float one = 1.0f;
  bool cl = imp_has_cl(x) && !imp_const(im, x);
  const int32_t t = cl ? imp_cl(im, x) : imp_plain(im, x);
  const int32_t c = imp_const_tensor(im, tmp_name(im, "one"), TA_DT_F32, 0, NULL, &one);
  const int32_t y =
      imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), TA_DT_F32);
  if (t < 0 || c < 0 || y < 0 || imp_op(im, TA_OP_DIV, (int32_t[]){c, t}, 2, &y, 1, NULL) != TA_OK)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return imp_out(im, 0, y, cl);
}

/* Min / Max: variadic in ONNX; one input is the identity, two are MINIMUM / MAXIMUM. */
static ta_status minmax(onnx_imp *im, ta_op_kind kind) {
  if (im->node->n_input == 1) {
    oval *x = imp_in_req(im, 0, "data_0");
    return x ? imp_alias(im, 0, x) : TA_ERR_MALFORMED;
  }
  if (im->node->n_input != 2)
    return imp_err(im, TA_ERR_UNSUPPORTED, "%d inputs; 1 or 2 are supported",
                   (int)im->node->n_input);
  return binary(im, kind);
}
static ta_status cv_min(onnx_imp *im) {
  return minmax(im, TA_OP_MINIMUM);
}
static ta_status cv_max(onnx_imp *im) {
  return minmax(im, TA_OP_MAXIMUM);
}

/* Clip: bounds from inputs 1 and 2 (opset 11+) or attributes min/max (before). Float bounds
 * (0, inf), (0, 6), (-1, 1) are the RELU family; anything else is CLAMP. */
static ta_status cv_clip(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "input");
  if (!x)
    return TA_ERR_MALFORMED;
  double lo = -INFINITY, hi = INFINITY;
  if (im->opset < 11) {
    float f;
    if (!imp_attr_float(im, "min", -FLT_MAX, &f))
      return TA_ERR_MALFORMED;
    lo = f <= -FLT_MAX ? -INFINITY : f;
    if (!imp_attr_float(im, "max", FLT_MAX, &f))
      return TA_ERR_MALFORMED;
    hi = f >= FLT_MAX ? INFINITY : f;
  } else {
    cview c;
    if (imp_in(im, 1)) {
      if (!const_in(im, 1, "min", &c))
        return im->st;
      if (c.n != 1)
        return imp_err(im, TA_ERR_MALFORMED, "min has %zu values; expected 1", c.n);
      lo = cv_f(&c, 0);
    }
    if (imp_in(im, 2)) {
      if (!const_in(im, 2, "max", &c))
        return im->st;
      if (c.n != 1)
        return imp_err(im, TA_ERR_MALFORMED, "max has %zu values; expected 1", c.n);
      hi = cv_f(&c, 0);
    }
  }
  if (x->dtype == TA_DT_F32 && lo == 0.0 && hi == INFINITY)
    return unary(im, TA_OP_RELU, NULL);
  if (x->dtype == TA_DT_F32 && lo == 0.0 && hi == 6.0)
    return unary(im, TA_OP_RELU6, NULL);
  if (x->dtype == TA_DT_F32 && lo == -1.0 && hi == 1.0)
    return unary(im, TA_OP_RELU_N1_TO_1, NULL);
  ta_attrs a = imp_attrs();
  a.clamp_min = lo;
  a.clamp_max = hi;
  return unary(im, TA_OP_CLAMP, &a);
}

static ta_status cv_identity(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "input");
  return x ? imp_alias(im, 0, x) : TA_ERR_MALFORMED;
}

/* Dropout in inference: the identity; the mask, when asked for, is all true. */
static ta_status cv_dropout(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  bool training = false;
  double ratio = 0.5;
  if (im->opset >= 12) {
    cview c;
    if (imp_in(im, 2)) {
      if (!const_in(im, 2, "training_mode", &c))
        return im->st;
      training = c.n == 1 && cv_f(&c, 0) != 0.0;
    }
    if (imp_in(im, 1)) {
      if (!const_in(im, 1, "ratio", &c))
        return im->st;
      ratio = c.n == 1 ? cv_f(&c, 0) : 0.5;
    }
  } else {
    int64_t is_test = 1;
    if (im->opset < 7 && !imp_attr_int(im, "is_test", 0, &is_test))
      return TA_ERR_MALFORMED;
    float r;
    if (!imp_attr_float(im, "ratio", 0.5f, &r))
      return TA_ERR_MALFORMED;
    ratio = r;
    (void)is_test; /* a deployed model runs inference whatever the flag says */
  }
  if (training && ratio != 0.0)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "training mode (random dropout with ratio %g) is not "
                   "supported; export the model for inference",
                   ratio);
  const int32_t rank = x->rank;
  int32_t dims[TA_MAX_RANK];
  memcpy(dims, x->dims, sizeof dims);
  ta_status st = imp_alias(im, 0, x);
  if (st != TA_OK || !imp_out_used(im, 1))
    return st;
  size_t n = 1;
  for (int32_t k = 0; k < rank; k++)
    n *= (size_t)dims[k];
  if (n > TA_MAX_CONST_BYTES)
    return imp_err(im, TA_ERR_LIMIT, "the mask would be a constant of %zu bytes", n);
  uint8_t *ones = ta_new(im->ctx, n ? n : 1);
  if (!ones)
    return TA_ERR_LIMIT;
  memset(ones, 1, n);
  const int32_t m = imp_const_tensor(im, out_name(im, 1), TA_DT_BOOL, rank, dims, ones);
  return imp_out(im, 1, m, false);
}

/* ---- Resize, Upsample ------------------------------------------------------------------------ */

/* Resize (opset 10..19) and Upsample (7, 9) of a 4-D NCHW input on H and W: RESIZE_NEAREST_NEIGHBOR
 * or RESIZE_BILINEAR on the channels-last form, with ONNX's coordinate rules as attributes.
 * Scales (or sizes) must be constants and 1 (the input's size) on N and C. With scales the
 * coordinates divide by the scale as given and the output size is floor(in * scale); with sizes
 * the scale is out / in. Before opset 11 (and for Upsample) coordinates are asymmetric and
 * nearest rounds down. Cubic, tf_crop_and_resize, antialias and aspect-ratio policies are
 * refused. */
static ta_status resize_like(onnx_imp *im, bool upsample) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  const char *mode, *coord = "asymmetric", *nearest = "floor", *policy = "stretch";
  int64_t antialias = 0, axes[TA_MAX_RANK];
  int32_t na = -1;
  if (!imp_attr_string(im, "mode", "nearest", &mode))
    return im->st;
  const bool v11 = !upsample && im->opset >= 11;
  if (v11 && (!imp_attr_string(im, "coordinate_transformation_mode", "half_pixel", &coord) ||
              !imp_attr_string(im, "nearest_mode", "round_prefer_floor", &nearest) ||
              !imp_attr_int(im, "antialias", 0, &antialias) ||
              !imp_attr_string(im, "keep_aspect_ratio_policy", "stretch", &policy) ||
              !imp_attr_ints(im, "axes", axes, TA_MAX_RANK, &na)))
    return im->st;
  const bool linear = strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0;
  if (!linear && strcmp(mode, "nearest") != 0)
    return imp_err(im, TA_ERR_UNSUPPORTED, "mode \"%s\" is not supported (nearest, linear)", mode);
  if (x->rank != 4)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "input \"%s\" has rank %d; only 4-D (NCHW) inputs are resized", x->name,
                   x->rank);
  if (linear && need_float(im, x, "input") != TA_OK)
    return im->st;
  static const struct {
    const char *name;
    int32_t v;
  } coords[] = {{"half_pixel", TA_RESIZE_HALF_PIXEL},
                {"pytorch_half_pixel", TA_RESIZE_PYTORCH_HALF_PIXEL},
                {"align_corners", TA_RESIZE_ALIGN_CORNERS},
                {"asymmetric", TA_RESIZE_ASYMMETRIC},
                {"tf_half_pixel_for_nn", TA_RESIZE_TF_HALF_PIXEL_FOR_NN}},
    nearests[] = {{"round_prefer_floor", TA_RESIZE_ROUND_PREFER_FLOOR},
                  {"round_prefer_ceil", TA_RESIZE_ROUND_PREFER_CEIL},
                  {"floor", TA_RESIZE_FLOOR},
                  {"ceil", TA_RESIZE_CEIL}};
  ta_attrs a = imp_attrs();
  a.resize_coord = -1;
  a.resize_nearest = -1;
  for (size_t i = 0; i < TA_ARRAY_LEN(coords); i++)
    if (strcmp(coord, coords[i].name) == 0)
      a.resize_coord = coords[i].v;
  for (size_t i = 0; i < TA_ARRAY_LEN(nearests); i++)
    if (strcmp(nearest, nearests[i].name) == 0)
      a.resize_nearest = nearests[i].v;
  if (a.resize_coord < 0)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "coordinate_transformation_mode \"%s\" is not supported (half_pixel, "
                   "pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn)",
                   coord);
  if (a.resize_nearest < 0)
    return imp_err(im, TA_ERR_MALFORMED, "nearest_mode \"%s\" is not an ONNX nearest mode",
                   nearest);
  if (strcmp(policy, "stretch") != 0)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "keep_aspect_ratio_policy \"%s\" is not supported (only stretch)", policy);
  /* Scales and sizes, per ONNX axis (axes: the axes they list, opset 18). */
  double scale[TA_MAX_RANK];
  int32_t out[TA_MAX_RANK];
  for (int32_t k = 0; k < 4; k++)
    scale[k] = 1.0, out[k] = x->dims[k];
  if (na < 0) {
    na = 4;
    for (int32_t k = 0; k < 4; k++)
      axes[k] = k;
  }
  for (int32_t i = 0; i < na; i++)
    if (norm_axis(axes[i], 4) < 0 || norm_axis(axes[i], 4) > 3)
      return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range", (long long)axes[i]);
  const int32_t scales_in = upsample || im->opset < 11 ? 1 : 2;
  oval *sv = imp_in(im, scales_in);
  const ta_tensor *sc = sv ? imp_const(im, sv) : NULL;
  cview c;
  bool have = false;
  if (upsample && im->opset < 9) {
    const Onnx__AttributeProto *at = ta_onnx_attr(im->node, "scales");
    if (!at || at->n_floats != 4)
      return imp_err(im, TA_ERR_MALFORMED, "attribute scales must hold 4 values");
    for (int32_t k = 0; k < 4; k++)
      scale[k] = at->floats[k];
    have = true;
  } else if (sv && !sc) {
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "scales are computed at run time; they must be constant");
  } else if (sc && view_of(sc, &c) && c.n > 0) {
    if (c.dt != TA_DT_F32 || c.n != (size_t)na)
      return imp_err(im, TA_ERR_MALFORMED, "scales has %zu values of type %s; expected %d floats",
                     c.n, ta_dtype_name(c.dt), na);
    for (int32_t i = 0; i < na; i++)
      scale[norm_axis(axes[i], 4)] = cv_f(&c, (size_t)i);
    have = true;
  }
  if (have) {
    for (int32_t k = 0; k < 4; k++) {
      const double o = floor(x->dims[k] * scale[k]);
      if (!(scale[k] > 0) || !(o >= 1) || o > 65536)
        return imp_err(im, TA_ERR_UNSUPPORTED,
                       "scale %g on axis %d gives %g elements; expected 1 to 65536", scale[k], k,
                       o);
      out[k] = (int32_t)o;
    }
  } else if (v11 && imp_in(im, 3)) {
    if (!const_in(im, 3, "sizes", &c))
      return im->st;
    int64_t sz[TA_MAX_RANK];
    int32_t ns;
    if (!const_ints(im, &c, "sizes", sz, TA_MAX_RANK, &ns))
      return im->st;
    if (ns != na)
      return imp_err(im, TA_ERR_MALFORMED, "sizes has %d values; expected %d", ns, na);
    for (int32_t i = 0; i < na; i++) {
      const int32_t k = norm_axis(axes[i], 4);
      if (sz[i] < 1 || sz[i] > 65536)
        return imp_err(im, TA_ERR_UNSUPPORTED, "size %lld on axis %d: expected 1 to 65536",
                       (long long)sz[i], k);
      out[k] = (int32_t)sz[i];
      scale[k] = (double)sz[i] / x->dims[k];
    }
  } else {
    return imp_err(im, TA_ERR_MALFORMED, "neither scales nor sizes is given");
  }
  if (out[0] != x->dims[0] || out[1] != x->dims[1])
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "resizing the batch or channel axis is not supported (only H and W)");
  bool down = false;
  for (int32_t k = 2; k < 4; k++)
    down |= scale[k] < 1.0;
  if (antialias && down && linear)
    return imp_err(im, TA_ERR_UNSUPPORTED, "antialias is not supported");
  a.resize_scale_h = scale[2];
  a.resize_scale_w = scale[3];
  const int32_t xt = imp_cl(im, x);
  const int32_t hw[2] = {out[2], out[3]}, two = 2;
  const int32_t st = imp_const_tensor(im, tmp_name(im, "size"), TA_DT_I32, 1, &two, hw);
  const int32_t y = imp_tensor(im, ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)), x->dtype);
  const int32_t in[2] = {xt, st};
  if (xt < 0 || st < 0 || y < 0 ||
      imp_op(im, linear ? TA_OP_RESIZE_BILINEAR : TA_OP_RESIZE_NEAREST_NEIGHBOR, in, 2, &y, 1,
             &a) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, true);
}

static ta_status cv_resize(onnx_imp *im) {
  return resize_like(im, false);
}
static ta_status cv_upsample(onnx_imp *im) {
  return resize_like(im, true);
}

/* ---- Conv and pooling geometry -------------------------------------------------------------- */

typedef struct geo {
  int32_t ns; /* spatial dims: 1 or 2 */
  int32_t in[2], k[2], s[2], d[2], pb[2], pe[2];
  bool ceil_mode;
} geo;

/* Spatial attributes of a Conv or pooling node on input x; kernel from W when kw != NULL.
 * A 1-D op fills index 0 (H) with a unit axis. */
static ta_status read_geo(onnx_imp *im, const oval *x, const int32_t *kdims, bool pool, geo *g) {
  memset(g, 0, sizeof *g);
  g->ns = x->rank - 2;
  if (g->ns < 1 || g->ns > 2)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "input \"%s\" has rank %d: only 1-D and 2-D %s (rank 3 or 4) are supported",
                   x->name, x->rank, pool ? "pooling" : "convolutions");
  int64_t ks[2] = {0, 0}, st[2], dl[2], pads[4];
  int32_t nk, ns, nd, np;
  if (!imp_attr_ints(im, "kernel_shape", ks, 2, &nk) || !imp_attr_ints(im, "strides", st, 2, &ns) ||
      !imp_attr_ints(im, "dilations", dl, 2, &nd) || !imp_attr_ints(im, "pads", pads, 4, &np))
    return im->st;
  const char *auto_pad;
  int64_t ceil_mode = 0;
  if (!imp_attr_string(im, "auto_pad", "NOTSET", &auto_pad) ||
      !imp_attr_int(im, "ceil_mode", 0, &ceil_mode))
    return im->st;
  if ((nk >= 0 && nk != g->ns) || (ns >= 0 && ns != g->ns) || (nd >= 0 && nd != g->ns) ||
      (np >= 0 && np != 2 * g->ns))
    return imp_err(im, TA_ERR_MALFORMED,
                   "kernel_shape, strides, dilations and pads must have %d, %d, %d and %d values "
                   "for a %d-D input",
                   g->ns, g->ns, g->ns, 2 * g->ns, g->ns);
  if (nk < 0 && !kdims)
    return imp_err(im, TA_ERR_MALFORMED, "attribute kernel_shape is missing");
  const int32_t off = 2 - g->ns; /* 1-D: the axis goes to index 1 (W) */
  g->ns = 2;
  for (int32_t k = 0; k < 2; k++) {
    g->in[k] = 1, g->k[k] = 1, g->s[k] = 1, g->d[k] = 1;
  }
  for (int32_t j = 0; j < 2 - off; j++) {
    const int32_t k = j + off;
    g->in[k] = x->dims[2 + j];
    const int64_t kv = nk >= 0 ? ks[j] : kdims[j];
    if (kdims && nk >= 0 && ks[j] != kdims[j])
      return imp_err(im, TA_ERR_MALFORMED, "kernel_shape[%d] is %lld but the weights have %d", j,
                     (long long)ks[j], kdims[j]);
    const int64_t sv = ns >= 0 ? st[j] : 1, dv = nd >= 0 ? dl[j] : 1;
    if (kv < 1 || sv < 1 || dv < 1 || kv > 65535 || sv > 65535 || dv > 65535)
      return imp_err(im, TA_ERR_MALFORMED,
                     "kernel %lld, stride %lld, dilation %lld: expected "
                     "values from 1 to 65535",
                     (long long)kv, (long long)sv, (long long)dv);
    g->k[k] = (int32_t)kv, g->s[k] = (int32_t)sv, g->d[k] = (int32_t)dv;
    const int64_t pb = np >= 0 ? pads[j] : 0, pe = np >= 0 ? pads[j + (2 - off)] : 0;
    if (pb < 0 || pe < 0 || pb > 65535 || pe > 65535)
      return imp_err(im, TA_ERR_UNSUPPORTED,
                     "pads %lld and %lld: negative or huge padding is "
                     "not supported",
                     (long long)pb, (long long)pe);
    g->pb[k] = (int32_t)pb, g->pe[k] = (int32_t)pe;
    if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
      const int64_t out = (g->in[k] + g->s[k] - 1) / g->s[k];
      int64_t total = (out - 1) * g->s[k] + (int64_t)(g->k[k] - 1) * g->d[k] + 1 - g->in[k];
      if (total < 0)
        total = 0;
      const int32_t small = (int32_t)(total / 2), big = (int32_t)(total - total / 2);
      const bool upper = auto_pad[5] == 'U';
      g->pb[k] = upper ? small : big;
      g->pe[k] = upper ? big : small;
    } else if (strcmp(auto_pad, "VALID") == 0) {
      g->pb[k] = g->pe[k] = 0;
    } else if (strcmp(auto_pad, "NOTSET") != 0) {
      return imp_err(im, TA_ERR_MALFORMED,
                     "auto_pad \"%s\" is not one of NOTSET, SAME_UPPER, "
                     "SAME_LOWER, VALID",
                     auto_pad);
    }
  }
  g->ceil_mode = ceil_mode != 0;
  return TA_OK;
}

static void geo_attrs(const geo *g, ta_attrs *a) {
  a->padding = TA_PAD_EXPLICIT;
  a->pad_top = g->pb[0], a->pad_bottom = g->pe[0];
  a->pad_left = g->pb[1], a->pad_right = g->pe[1];
  a->stride_h = g->s[0], a->stride_w = g->s[1];
  a->dilation_h = g->d[0], a->dilation_w = g->d[1];
  a->ceil_mode = g->ceil_mode;
}

/* x in channels-last 4-D form ([N,1,W,C] for a 1-D input, a view). */
static int32_t cl4(onnx_imp *im, oval *x) {
  int32_t t = imp_cl(im, x);
  if (t < 0 || x->rank == 4)
    return t;
  const int32_t dims[4] = {x->dims[0], 1, x->dims[2], x->dims[1]};
  return imp_reshape(im, t, 4, dims, tmp_name(im, "as_2d"));
}

/* Define output k from the 4-D channels-last result y of an op on input rank r. */
static ta_status out_cl(onnx_imp *im, int32_t k, int32_t y, int32_t r) {
  if (y < 0)
    return im->st;
  if (r == 3) {
    const ta_tensor *t = &im->g->tensors[y];
    const int32_t dims[3] = {t->dims[0], t->dims[2], t->dims[3]};
    y = imp_reshape(im, y, 3, dims, ta_fmt(im->ctx, "%s_nhwc", out_name(im, k)));
    if (y < 0)
      return im->st;
  }
  return imp_out(im, k, y, true);
}

/* ONNX weights [Co, Cg, (KH,) KW] of elem_bytes each as CONV_2D's [Co,KH,KW,Cg], or (dw)
 * DEPTHWISE_CONV_2D's [1,KH,KW,Co] (Cg = 1). */
static void *relayout_filter(onnx_imp *im, const uint8_t *w, size_t eb, int32_t co, int32_t cg,
                             int32_t kh, int32_t kw, bool dw) {
  uint8_t *f = ta_new(im->ctx, (size_t)co * (size_t)cg * (size_t)kh * (size_t)kw * eb);
  if (!f)
    return NULL;
  for (int32_t o = 0; o < co; o++)
    for (int32_t c = 0; c < cg; c++)
      for (int32_t y = 0; y < kh; y++)
        for (int32_t x = 0; x < kw; x++) {
          const size_t src =
              (((size_t)o * (size_t)cg + (size_t)c) * (size_t)kh + (size_t)y) * (size_t)kw +
              (size_t)x;
          const size_t dst =
              dw ? ((size_t)y * (size_t)kw + (size_t)x) * (size_t)co + (size_t)o
                 : (((size_t)o * (size_t)kh + (size_t)y) * (size_t)kw + (size_t)x) * (size_t)cg +
                       (size_t)c;
          memcpy(f + dst * eb, w + src * eb, eb);
        }
  return f;
}

/* The parts of a convolution every Conv flavour shares. */
typedef struct conv_parts {
  oval *x;
  cview w;
  int32_t co, cg, groups, kh, kw;
  bool depthwise;
  geo g;
} conv_parts;

static ta_status conv_parts_read(onnx_imp *im, conv_parts *c, int32_t w_input) {
  c->x = imp_in_req(im, 0, "X");
  if (!c->x)
    return TA_ERR_MALFORMED;
  if (!const_in(im, w_input, "weights", &c->w))
    return im->st;
  const int32_t r = c->x->rank;
  if (r == 5)
    return imp_err(im, TA_ERR_UNSUPPORTED, "3-D convolution (rank-5 input) is not supported");
  if (c->w.rank != r || (r != 3 && r != 4))
    return imp_err(im, TA_ERR_MALFORMED,
                   "input has rank %d and weights rank %d; expected both "
                   "3 or both 4",
                   r, c->w.rank);
  int64_t group;
  if (!imp_attr_int(im, "group", 1, &group))
    return im->st;
  const int32_t ci = c->x->dims[1];
  c->co = c->w.dims[0];
  c->cg = c->w.dims[1];
  if (group < 1 || group > ci || ci % group != 0 || c->cg * group != ci || c->co % group != 0)
    return imp_err(im, TA_ERR_MALFORMED,
                   "group %lld does not fit %d input channels, weights "
                   "[%d,%d,...]",
                   (long long)group, ci, c->co, c->cg);
  c->groups = (int32_t)group;
  c->kh = r == 4 ? c->w.dims[2] : 1;
  c->kw = c->w.dims[r - 1];
  const int32_t kdims[2] = {r == 4 ? c->kh : c->kw, c->kw};
  ta_status st = read_geo(im, c->x, kdims, false, &c->g);
  if (st != TA_OK)
    return st;
  c->depthwise = c->groups == ci && c->groups > 1 && c->cg == 1;
  return TA_OK;
}

/* Weights written by DEQUANTIZE(constant int8, symmetric) in a QDQ model: the int8 data and
 * its quantization, so the weights can be re-laid-out as int8 and stay behind a DEQUANTIZE for
 * the qdq pass. False for anything else (the caller then uses the float values). */
static bool dq_weights(onnx_imp *im, const oval *v, cview *w8, ta_quant *q) {
  if (!v || v->plain < 0)
    return false;
  const int32_t p = imp_producer(im, v->plain);
  if (p < 0 || im->g->ops[p].kind != TA_OP_DEQUANTIZE)
    return false;
  const ta_tensor *src = &im->g->tensors[im->g->ops[p].in[0]];
  if (src->dtype != TA_DT_I8 || !ta_tensor_is_const(src) || src->q.count < 1)
    return false;
  for (int32_t c = 0; c < src->q.count; c++)
    if (src->q.zero_point[c] != 0)
      return false;
  *q = src->q;
  return view_of(src, w8);
}

/* A float weights operand as DEQUANTIZE(int8 data laid out as dims, quantized along axis). */
static int32_t dq_weights_tensor(onnx_imp *im, const void *data, int32_t rank, const int32_t *dims,
                                 const ta_quant *q, int32_t axis, float scale_mul) {
  const int32_t t = imp_const_tensor(im, tmp_name(im, "weights_q"), TA_DT_I8, rank, dims, data);
  if (t < 0)
    return -1;
  float *sc = ta_new_array(im->ctx, (size_t)q->count, sizeof *sc);
  if (!sc)
    return -1;
  for (int32_t c = 0; c < q->count; c++)
    sc[c] = q->scale[c] * scale_mul;
  if (!set_quant(im, t, q->count, q->count > 1 ? axis : 0, sc, q->zero_point))
    return -1;
  const int32_t y = imp_tensor(im, tmp_name(im, "weights"), TA_DT_F32);
  return imp_op(im, TA_OP_DEQUANTIZE, &t, 1, &y, 1, NULL) == TA_OK ? y : -1;
}

static ta_status cv_conv(onnx_imp *im) {
  conv_parts c;
  ta_status st = conv_parts_read(im, &c, 1);
  if (st != TA_OK)
    return st;
  if (need_float(im, c.x, "input") != TA_OK)
    return im->st;
  if (c.w.dt != TA_DT_F32)
    return imp_err(im, TA_ERR_UNSUPPORTED, "weights are %s; expected float32",
                   ta_dtype_name(c.w.dt));
  cview b;
  bool has_b = imp_in(im, 2) != NULL;
  if (has_b && !const_in(im, 2, "bias", &b))
    return im->st;
  if (has_b && (b.dt != TA_DT_F32 || b.n != (size_t)c.co))
    return imp_err(im, TA_ERR_MALFORMED, "bias has %zu values of %s; expected %d float32", b.n,
                   ta_dtype_name(b.dt), c.co);
  const int32_t r = c.x->rank;
  const int32_t xt = cl4(im, c.x);
  cview w8;
  ta_quant wq;
  const bool dq = dq_weights(im, imp_in(im, 1), &w8, &wq) &&
                  (wq.count == 1 || (wq.count == c.co && wq.axis == 0));
  void *f =
      relayout_filter(im, dq ? w8.data : c.w.data, dq ? 1 : 4, c.co, c.cg, c.kh, c.kw, c.depthwise);
  if (xt < 0 || !f)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  int32_t fdims[4] = {c.co, c.kh, c.kw, c.cg};
  if (c.depthwise)
    fdims[0] = 1, fdims[3] = c.co;
  const int32_t ft = dq ? dq_weights_tensor(im, f, 4, fdims, &wq, c.depthwise ? 3 : 0, 1.0f)
                        : imp_const_tensor(im, tmp_name(im, "filter"), TA_DT_F32, 4, fdims, f);
  const int32_t bt =
      has_b ? imp_const_tensor(im, tmp_name(im, "bias"), TA_DT_F32, 1, &c.co, b.data) : -1;
  ta_attrs a = imp_attrs();
  geo_attrs(&c.g, &a);
  a.ceil_mode = false;
  if (c.depthwise)
    a.depth_multiplier = c.co / c.groups;
  const int32_t y =
      imp_tensor(im, ta_fmt(im->ctx, "%s%s", out_name(im, 0), r == 3 ? "_2d" : "_nhwc"), TA_DT_F32);
  const int32_t in[3] = {xt, ft, bt};
  st = imp_op(im, c.depthwise ? TA_OP_DEPTHWISE_CONV_2D : TA_OP_CONV_2D, in, has_b ? 3 : 2, &y, 1,
              &a);
  if (st != TA_OK)
    return st;
  return out_cl(im, 0, y, r);
}

/* ConvTranspose (float32, group 1) on a 1-D or 2-D input: TRANSPOSE_CONV on the channels-last
 * form, weights [Ci, Co, (KH,) KW] re-laid out as [Co, KH, KW, Ci]. The output size per axis is
 * output_shape when given (the pads then follow from it: the extra padding at the end for
 * SAME_UPPER, at the start otherwise), in * stride under SAME_* auto_pad, else
 * stride * (in - 1) + output_padding + (K - 1) * dilation + 1 - pads. Only the leading pad
 * reaches the kernel: the output size says where it ends. */
static ta_status cv_conv_transpose(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  const int32_t ns = x->rank - 2;
  if (ns < 1 || ns > 2)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "input \"%s\" has rank %d: only 1-D and 2-D transposed convolutions (rank 3 "
                   "or 4) are supported",
                   x->name, x->rank);
  cview w;
  if (!const_in(im, 1, "weights", &w))
    return im->st;
  if (w.dt != TA_DT_F32 || w.rank != x->rank || w.dims[0] != x->dims[1])
    return imp_err(im, TA_ERR_MALFORMED,
                   "weights are %s of rank %d with %d input channels; expected float32 [%d, Co, "
                   "kernel...]",
                   ta_dtype_name(w.dt), w.rank, w.rank > 0 ? w.dims[0] : 0, x->dims[1]);
  int64_t group = 1, ks[2], st[2], dl[2], pads[4], opad[2], oshape[4];
  int32_t nk, nst, nd, np, nop, nos;
  const char *auto_pad;
  if (!imp_attr_int(im, "group", 1, &group) || !imp_attr_ints(im, "kernel_shape", ks, 2, &nk) ||
      !imp_attr_ints(im, "strides", st, 2, &nst) || !imp_attr_ints(im, "dilations", dl, 2, &nd) ||
      !imp_attr_ints(im, "pads", pads, 4, &np) ||
      !imp_attr_ints(im, "output_padding", opad, 2, &nop) ||
      !imp_attr_ints(im, "output_shape", oshape, 4, &nos) ||
      !imp_attr_string(im, "auto_pad", "NOTSET", &auto_pad))
    return im->st;
  if (group != 1)
    return imp_err(im, TA_ERR_UNSUPPORTED, "group %lld is not supported (only 1)",
                   (long long)group);
  if ((nk >= 0 && nk != ns) || (nst >= 0 && nst != ns) || (nd >= 0 && nd != ns) ||
      (np >= 0 && np != 2 * ns) || (nop >= 0 && nop != ns) ||
      (nos >= 0 && nos != ns && nos != ns + 2))
    return imp_err(im, TA_ERR_MALFORMED,
                   "kernel_shape, strides, dilations, pads, output_padding or output_shape has the "
                   "wrong number of values for a %d-D input",
                   ns);
  const bool same = strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0;
  if (!same && strcmp(auto_pad, "NOTSET") != 0 && strcmp(auto_pad, "VALID") != 0)
    return imp_err(im, TA_ERR_MALFORMED,
                   "auto_pad \"%s\" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad);
  const bool upper = strcmp(auto_pad, "SAME_UPPER") == 0;
  const int32_t co = w.dims[1], ci = w.dims[0];
  /* Per IR axis (0: H, 1: W); a 1-D op has H = 1. */
  int32_t in[2] = {1, 1}, k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1}, pb[2] = {0, 0},
          out[2] = {1, 1};
  const int32_t off = 2 - ns;
  for (int32_t j = 0; j < ns; j++) {
    const int32_t a = j + off;
    in[a] = x->dims[2 + j];
    k[a] = w.dims[2 + j];
    if (nk >= 0 && ks[j] != k[a])
      return imp_err(im, TA_ERR_MALFORMED, "kernel_shape[%d] is %lld but the weights have %d", j,
                     (long long)ks[j], k[a]);
    const int64_t sv = nst >= 0 ? st[j] : 1, dv = nd >= 0 ? dl[j] : 1;
    const int64_t op = nop >= 0 ? opad[j] : 0;
    if (sv < 1 || dv < 1 || sv > 65535 || dv > 65535 || op < 0 || op >= (sv > dv ? sv : dv))
      return imp_err(im, TA_ERR_MALFORMED,
                     "stride %lld, dilation %lld, output_padding %lld: expected strides and "
                     "dilations from 1 to 65535 and output_padding below one of them",
                     (long long)sv, (long long)dv, (long long)op);
    s[a] = (int32_t)sv, d[a] = (int32_t)dv;
    const int64_t full = sv * (in[a] - 1) + op + (int64_t)(k[a] - 1) * dv + 1;
    int64_t o, begin;
    if (nos >= 0 || same) {
      o = nos >= 0 ? oshape[nos - ns + j] : (int64_t)in[a] * sv;
      const int64_t total = full - o;
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2); /* floor */
      begin = upper ? half : total - half;
    } else {
      begin = np >= 0 ? pads[j] : 0;
      const int64_t end = np >= 0 ? pads[j + ns] : 0;
      if (begin < 0 || end < 0)
        return imp_err(im, TA_ERR_UNSUPPORTED, "negative pads are not supported");
      o = full - begin - end;
    }
    if (o < 1 || o > 65536 || begin < 0 || begin > 65535)
      return imp_err(im, TA_ERR_UNSUPPORTED,
                     "output size %lld with leading padding %lld on axis %d: expected a size "
                     "from 1 to 65536 and padding from 0 to 65535",
                     (long long)o, (long long)begin, j);
    out[a] = (int32_t)o, pb[a] = (int32_t)begin;
  }
  cview b;
  const bool has_b = imp_in(im, 2) != NULL;
  if (has_b && !const_in(im, 2, "bias", &b))
    return im->st;
  if (has_b && (b.dt != TA_DT_F32 || b.n != (size_t)co))
    return imp_err(im, TA_ERR_MALFORMED, "bias has %zu values of %s; expected %d float32", b.n,
                   ta_dtype_name(b.dt), co);
  const size_t taps = (size_t)k[0] * (size_t)k[1];
  if ((size_t)co * taps * (size_t)ci > TA_MAX_CONST_BYTES / 4)
    return imp_err(im, TA_ERR_LIMIT, "the weights are too large");
  float *f = ta_new_array(im->ctx, (size_t)co * taps * (size_t)ci, sizeof(float));
  if (!f)
    return TA_ERR_LIMIT;
  for (int32_t c = 0; c < co; c++)
    for (size_t t = 0; t < taps; t++)
      for (int32_t i = 0; i < ci; i++)
        memcpy(&f[((size_t)c * taps + t) * (size_t)ci + (size_t)i],
               w.data + 4 * (((size_t)i * (size_t)co + (size_t)c) * taps + t), 4);
  const int32_t r = x->rank;
  const int32_t xt = cl4(im, x);
  const int32_t fdims[4] = {co, k[0], k[1], ci}, four = 4;
  const int32_t odims[4] = {x->dims[0], out[0], out[1], co};
  const int32_t ft = imp_const_tensor(im, tmp_name(im, "filter"), TA_DT_F32, 4, fdims, f);
  const int32_t ot = imp_const_tensor(im, tmp_name(im, "output_shape"), TA_DT_I32, 1, &four, odims);
  const int32_t bt =
      has_b ? imp_const_tensor(im, tmp_name(im, "bias"), TA_DT_F32, 1, &co, b.data) : -1;
  ta_attrs a = imp_attrs();
  a.padding = TA_PAD_EXPLICIT;
  a.pad_top = pb[0], a.pad_left = pb[1];
  a.stride_h = s[0], a.stride_w = s[1];
  a.dilation_h = d[0], a.dilation_w = d[1];
  const int32_t y =
      imp_tensor(im, ta_fmt(im->ctx, "%s%s", out_name(im, 0), r == 3 ? "_2d" : "_nhwc"), TA_DT_F32);
  const int32_t ins[4] = {xt, ft, ot, bt};
  if (xt < 0 || ft < 0 || ot < 0 || (has_b && bt < 0))
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  ta_status sts = imp_op(im, TA_OP_TRANSPOSE_CONV, ins, has_b ? 4 : 3, &y, 1, &a);
  if (sts != TA_OK)
    return sts;
  return out_cl(im, 0, y, r);
}

static ta_status pool(onnx_imp *im, bool avg, bool global) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (imp_out_used(im, 1))
    return imp_err(im, TA_ERR_UNSUPPORTED, "the Indices output of MaxPool is not supported");
  if (x->dtype != TA_DT_F32 && (avg || (x->dtype != TA_DT_U8 && x->dtype != TA_DT_I8)))
    return imp_err(im, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected float32%s", x->name,
                   ta_dtype_name(x->dtype), avg ? "" : ", int8 or uint8");
  geo g;
  ta_attrs a = imp_attrs();
  if (global) {
    if (x->rank != 3 && x->rank != 4)
      return imp_err(im, TA_ERR_UNSUPPORTED, "input \"%s\" has rank %d; expected 3 or 4", x->name,
                     x->rank);
    memset(&g, 0, sizeof g);
    g.k[0] = x->rank == 4 ? x->dims[2] : 1;
    g.k[1] = x->dims[x->rank - 1];
    g.s[0] = g.s[1] = g.d[0] = g.d[1] = 1;
  } else {
    ta_status st = read_geo(im, x, NULL, true, &g);
    if (st != TA_OK)
      return st;
    int64_t cip = 0;
    if (avg && !imp_attr_int(im, "count_include_pad", 0, &cip))
      return im->st;
    a.count_include_pad = cip != 0;
  }
  geo_attrs(&g, &a);
  a.filter_h = g.k[0];
  a.filter_w = g.k[1];
  int32_t t = cl4(im, x);
  if (t < 0)
    return im->st;
  const bool u8 = x->dtype == TA_DT_U8;
  if (x->dtype != TA_DT_F32) {
    /* Plain integers: a max over raw values. uint8 runs as int8 with the sign bit flipped
     * (order-preserving), through quantization views that only serve the flip. */
    const float one = 1.0f;
    const int64_t zu = 128, zs = 0;
    t = u8 ? with_quant(im, t, one, zu) : strip_q(im, t);
    if (u8) {
      const int32_t s = imp_tensor(im, tmp_name(im, "s8"), TA_DT_I8);
      if (s < 0 || !set_quant(im, s, 1, 0, &one, &zs) ||
          imp_op(im, TA_OP_QUANTIZE, &t, 1, &s, 1, NULL) != TA_OK)
        return im->st;
      t = s;
    }
    const int32_t y = imp_tensor(im, tmp_name(im, "max"), TA_DT_I8);
    if (y < 0 || (u8 && !set_quant(im, y, 1, 0, &one, &zs)) ||
        imp_op(im, TA_OP_MAX_POOL_2D, &t, 1, &y, 1, &a) != TA_OK)
      return im->st;
    if (!u8)
      return out_cl(im, 0, y, x->rank);
    const int32_t yu = imp_tensor(im, tmp_name(im, "u8"), TA_DT_U8);
    if (yu < 0 || !set_quant(im, yu, 1, 0, &one, &zu) ||
        imp_op(im, TA_OP_QUANTIZE, &y, 1, &yu, 1, NULL) != TA_OK)
      return im->st;
    return out_cl(im, 0, strip_q(im, yu), x->rank);
  }
  const int32_t y = imp_tensor(im, ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)), TA_DT_F32);
  ta_status st = imp_op(im, avg ? TA_OP_AVERAGE_POOL_2D : TA_OP_MAX_POOL_2D, &t, 1, &y, 1, &a);
  if (st != TA_OK)
    return st;
  return out_cl(im, 0, y, x->rank);
}

static ta_status cv_maxpool(onnx_imp *im) {
  return pool(im, false, false);
}
static ta_status cv_avgpool(onnx_imp *im) {
  return pool(im, true, false);
}
static ta_status cv_global_avgpool(onnx_imp *im) {
  return pool(im, true, true);
}
static ta_status cv_global_maxpool(onnx_imp *im) {
  return pool(im, false, true);
}

/* BatchNormalization (inference): y = x * s + t per channel (axis 1), with
 * s = scale / sqrt(var + epsilon) and t = bias - mean * s, computed in double. A MUL and an
 * ADD, which the fold_batchnorm pass merges into a preceding convolution when it can. */
static ta_status cv_batchnorm(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "X");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  int64_t training = 0, spatial = 1;
  float eps;
  if (!imp_attr_int(im, "training_mode", 0, &training) ||
      !imp_attr_float(im, "epsilon", 1e-5f, &eps))
    return im->st;
  if (im->opset < 9 && !imp_attr_int(im, "spatial", 1, &spatial))
    return im->st;
  for (int32_t k = 1; k < 5; k++)
    if (imp_out_used(im, k))
      training = 1;
  if (training)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "training mode (running statistics outputs) is not "
                   "supported; export the model for inference");
  if (!spatial)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "spatial=0 (per-activation statistics) is not supported");
  if (x->rank < 2)
    return imp_err(im, TA_ERR_MALFORMED, "input has rank %d; expected >= 2", x->rank);
  const int32_t ch = x->dims[1];
  cview p[4];
  static const char *const names[4] = {"scale", "B", "mean", "var"};
  for (int32_t k = 0; k < 4; k++) {
    if (!const_in(im, k + 1, names[k], &p[k]))
      return im->st;
    if (p[k].n != (size_t)ch)
      return imp_err(im, TA_ERR_MALFORMED, "%s has %zu values; expected %d (one per channel)",
                     names[k], p[k].n, ch);
  }
  float *s = ta_new_array(im->ctx, (size_t)ch, sizeof *s),
        *t = ta_new_array(im->ctx, (size_t)ch, sizeof *t);
  if (!s || !t)
    return TA_ERR_LIMIT;
  for (int32_t c = 0; c < ch; c++) {
    const double sc = cv_f(&p[0], (size_t)c) / sqrt(cv_f(&p[3], (size_t)c) + (double)eps);
    s[c] = (float)sc;
    t[c] = (float)(cv_f(&p[1], (size_t)c) - cv_f(&p[2], (size_t)c) * sc);
  }
  const bool cl = imp_has_cl(x);
  int32_t xt = cl ? imp_cl(im, x) : imp_plain(im, x);
  int32_t cdims[TA_MAX_RANK], crank;
  if (cl) {
    crank = 1;
    cdims[0] = ch;
  } else {
    crank = x->rank - 1;
    cdims[0] = ch;
    for (int32_t k = 1; k < crank; k++)
      cdims[k] = 1;
  }
  const int32_t st_ = imp_const_tensor(im, tmp_name(im, "bn_scale"), TA_DT_F32, crank, cdims, s);
  const int32_t tt = imp_const_tensor(im, tmp_name(im, "bn_shift"), TA_DT_F32, crank, cdims, t);
  const int32_t m = imp_tensor(im, tmp_name(im, "bn_mul"), TA_DT_F32);
  const int32_t y =
      imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), TA_DT_F32);
  const int32_t in1[2] = {xt, st_}, in2[2] = {m, tt};
  if (xt < 0 || imp_op(im, TA_OP_MUL, in1, 2, &m, 1, NULL) != TA_OK ||
      imp_op(im, TA_OP_ADD, in2, 2, &y, 1, NULL) != TA_OK)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return imp_out(im, 0, y, cl);
}

/* ---- shapes --------------------------------------------------------------------------------- */

static ta_status reshape_to(onnx_imp *im, oval *x, int32_t rank, const int32_t *dims) {
  for (int32_t k = 0; k < rank; k++)
    if (dims[k] == 0)
      return imp_err(im, TA_ERR_UNSUPPORTED,
                     "the output has a dimension of size 0 (empty "
                     "tensors are not supported)");
  const int32_t t = imp_reshape(im, imp_plain(im, x), rank, dims, out_name(im, 0));
  if (t < 0)
    return im->st;
  return imp_out(im, 0, t, false);
}

static ta_status cv_reshape(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t shape[TA_MAX_RANK + 1];
  int32_t n;
  int64_t allowzero = 0;
  if (im->opset < 5) {
    if (!imp_attr_ints(im, "shape", shape, TA_MAX_RANK, &n))
      return im->st;
    if (n < 0)
      return imp_err(im, TA_ERR_MALFORMED, "attribute shape is missing");
  } else {
    cview c;
    if (!const_in(im, 1, "shape", &c) || !const_ints(im, &c, "shape", shape, TA_MAX_RANK, &n) ||
        !imp_attr_int(im, "allowzero", 0, &allowzero))
      return im->st;
  }
  size_t total = 1, known = 1;
  for (int32_t k = 0; k < x->rank; k++)
    total *= (size_t)x->dims[k];
  int32_t dims[TA_MAX_RANK], unknown = -1;
  for (int32_t k = 0; k < n; k++) {
    int64_t d = shape[k];
    if (d == 0 && !allowzero) {
      if (k >= x->rank)
        return imp_err(im, TA_ERR_MALFORMED, "shape[%d] is 0 (copy), but the input has rank %d", k,
                       x->rank);
      d = x->dims[k];
    }
    if (d == -1) {
      if (unknown >= 0)
        return imp_err(im, TA_ERR_MALFORMED, "shape has more than one -1");
      unknown = k;
      dims[k] = 1;
      continue;
    }
    if (d < 0 || d > INT32_MAX)
      return imp_err(im, TA_ERR_MALFORMED, "shape[%d] is %lld", k, (long long)d);
    dims[k] = (int32_t)d;
    if (!ta_mul_size(known, (size_t)d, &known))
      return imp_err(im, TA_ERR_MALFORMED, "shape holds more elements than the input");
  }
  if (unknown >= 0) {
    if (known == 0 || total % known)
      return imp_err(im, TA_ERR_MALFORMED, "no size for the -1 fits %zu elements", total);
    dims[unknown] = (int32_t)(total / known);
    known = total;
  }
  if (known != total)
    return imp_err(im, TA_ERR_MALFORMED, "shape holds %zu elements, the input %zu", known, total);
  return reshape_to(im, x, n, dims);
}

static ta_status cv_flatten(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "input");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t axis;
  if (!imp_attr_int(im, "axis", 1, &axis))
    return im->st;
  const int32_t ax = norm_axis(axis, x->rank);
  if (ax < 0 || ax > x->rank)
    return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range for rank %d", (long long)axis,
                   x->rank);
  int32_t dims[2] = {1, 1};
  for (int32_t k = 0; k < x->rank; k++)
    dims[k < ax ? 0 : 1] *= x->dims[k];
  return reshape_to(im, x, 2, dims);
}

/* Axes of Squeeze/Unsqueeze: attribute before opset 13, input 1 from 13. *n = -1 if none. */
static bool read_axes(onnx_imp *im, int64_t *axes, int32_t *n) {
  if (im->opset < 13)
    return imp_attr_ints(im, "axes", axes, TA_MAX_RANK, n);
  *n = -1;
  if (!imp_in(im, 1))
    return true;
  cview c;
  return const_in(im, 1, "axes", &c) && const_ints(im, &c, "axes", axes, TA_MAX_RANK, n);
}

static ta_status cv_squeeze(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t axes[TA_MAX_RANK];
  int32_t n;
  if (!read_axes(im, axes, &n))
    return im->st;
  bool drop[TA_MAX_RANK] = {false};
  for (int32_t k = 0; k < x->rank; k++)
    drop[k] = n < 0 && x->dims[k] == 1;
  for (int32_t i = 0; i < n; i++) {
    const int32_t ax = norm_axis(axes[i], x->rank);
    if (ax < 0 || ax >= x->rank || x->dims[ax] != 1)
      return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range or not of size 1",
                     (long long)axes[i]);
    drop[ax] = true;
  }
  int32_t dims[TA_MAX_RANK], r = 0;
  for (int32_t k = 0; k < x->rank; k++)
    if (!drop[k])
      dims[r++] = x->dims[k];
  return reshape_to(im, x, r, dims);
}

static ta_status cv_unsqueeze(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t axes[TA_MAX_RANK];
  int32_t n;
  if (!read_axes(im, axes, &n))
    return im->st;
  if (n < 0)
    return imp_err(im, TA_ERR_MALFORMED, "axes are missing");
  const int32_t r = x->rank + n;
  if (r > TA_MAX_RANK)
    return imp_err(im, TA_ERR_UNSUPPORTED, "the output would have rank %d; at most %d", r,
                   TA_MAX_RANK);
  bool ins[TA_MAX_RANK] = {false};
  for (int32_t i = 0; i < n; i++) {
    const int32_t ax = norm_axis(axes[i], r);
    if (ax < 0 || ax >= r || ins[ax])
      return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range or repeated",
                     (long long)axes[i]);
    ins[ax] = true;
  }
  int32_t dims[TA_MAX_RANK];
  for (int32_t k = 0, j = 0; k < r; k++)
    dims[k] = ins[k] ? 1 : x->dims[j++];
  return reshape_to(im, x, r, dims);
}

static ta_status cv_transpose(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t perm[TA_MAX_RANK];
  int32_t n, p[TA_MAX_RANK];
  if (!imp_attr_ints(im, "perm", perm, TA_MAX_RANK, &n))
    return im->st;
  if (n >= 0 && n != x->rank)
    return imp_err(im, TA_ERR_MALFORMED, "perm has %d values for rank %d", n, x->rank);
  bool seen[TA_MAX_RANK] = {false};
  for (int32_t k = 0; k < x->rank; k++) {
    const int64_t v = n >= 0 ? perm[k] : x->rank - 1 - k;
    if (v < 0 || v >= x->rank || seen[v])
      return imp_err(im, TA_ERR_MALFORMED, "perm is not a permutation of 0..%d", x->rank - 1);
    seen[v] = true;
    p[k] = (int32_t)v;
  }
  /* The channels-last form is already this permutation of the data: no op at all. */
  if (imp_has_cl(x)) {
    int32_t to_cl[TA_MAX_RANK];
    imp_cl_perm(x->rank, to_cl);
    bool same = true;
    for (int32_t k = 0; k < x->rank; k++)
      same = same && to_cl[k] == p[k];
    if (same)
      return imp_out(im, 0, imp_cl(im, x), false);
  }
  const int32_t t = imp_transpose(im, imp_plain(im, x), p, out_name(im, 0));
  if (t < 0)
    return im->st;
  return imp_out(im, 0, t, false);
}

/* Concat: channels-last when an input has that form (the axis renumbered), else ONNX. */
static ta_status cv_concat(onnx_imp *im) {
  const int32_t n = imp_n_in(im);
  if (n < 1 || n > 64)
    return imp_err(im, TA_ERR_UNSUPPORTED, "%d inputs; 1 to 64 are supported", n);
  oval *vs[64];
  for (int32_t i = 0; i < n; i++)
    if (!(vs[i] = imp_in_req(im, i, "input")))
      return TA_ERR_MALFORMED;
  int64_t axis;
  if (!imp_attr_int(im, "axis", 1, &axis))
    return im->st;
  const int32_t r = vs[0]->rank, ax = norm_axis(axis, r);
  if (ax < 0 || ax >= r)
    return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range", (long long)axis);
  bool cl = false;
  for (int32_t i = 0; i < n; i++) {
    if (vs[i]->rank != r || vs[i]->dtype != vs[0]->dtype)
      return imp_err(im, TA_ERR_MALFORMED, "inputs differ in rank or type");
    if (imp_cl_rank(r) && imp_has_cl(vs[i]) && !imp_const(im, vs[i]))
      cl = true;
  }
  int32_t ts[64];
  for (int32_t i = 0; i < n; i++)
    if ((ts[i] = cl ? imp_cl(im, vs[i]) : imp_plain(im, vs[i])) < 0)
      return im->st;
  ta_attrs a = imp_attrs();
  a.axis = ax;
  if (cl) {
    int32_t to_cl[TA_MAX_RANK];
    imp_cl_perm(r, to_cl);
    for (int32_t k = 0; k < r; k++)
      if (to_cl[k] == ax)
        a.axis = k;
  }
  const int32_t y = imp_tensor(
      im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), vs[0]->dtype);
  ta_status st = imp_op(im, TA_OP_CONCATENATION, ts, n, &y, 1, &a);
  if (st != TA_OK)
    return st;
  return imp_out(im, 0, y, cl);
}

/* Pad (constant mode): pads [b1..bn, e1..en] over all axes, or over `axes` (opset 18). */
static ta_status cv_pad(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  const char *mode;
  if (!imp_attr_string(im, "mode", "constant", &mode))
    return im->st;
  const bool reflect = strcmp(mode, "reflect") == 0, edge = strcmp(mode, "edge") == 0;
  if (strcmp(mode, "constant") != 0 && !reflect && !edge)
    return imp_err(im, TA_ERR_UNSUPPORTED, "mode \"%s\" is not supported (constant, reflect, edge)",
                   mode);
  const int32_t r = x->rank;
  int64_t pads[2 * TA_MAX_RANK], axes[TA_MAX_RANK];
  int32_t np = -1, na = -1;
  double value = 0.0;
  if (im->opset < 11) {
    float v;
    if (!imp_attr_ints(im, "pads", pads, 2 * TA_MAX_RANK, &np) ||
        (np < 0 && !imp_attr_ints(im, "paddings", pads, 2 * TA_MAX_RANK, &np)) ||
        !imp_attr_float(im, "value", 0.0f, &v))
      return im->st;
    value = v;
  } else {
    cview c;
    if (!const_in(im, 1, "pads", &c) || !const_ints(im, &c, "pads", pads, 2 * TA_MAX_RANK, &np))
      return im->st;
    if (imp_in(im, 2)) {
      if (!const_in(im, 2, "constant_value", &c))
        return im->st;
      if (c.n > 1)
        return imp_err(im, TA_ERR_MALFORMED, "constant_value is not a scalar");
      value = c.n ? cv_f(&c, 0) : 0.0;
    }
    if (imp_in(im, 3)) {
      if (!const_in(im, 3, "axes", &c) || !const_ints(im, &c, "axes", axes, TA_MAX_RANK, &na))
        return im->st;
    }
  }
  if (na < 0) {
    na = r;
    for (int32_t k = 0; k < r; k++)
      axes[k] = k;
  }
  if (np != 2 * na)
    return imp_err(im, TA_ERR_MALFORMED, "pads has %d values; expected %d", np, 2 * na);
  int32_t before[TA_MAX_RANK] = {0}, after[TA_MAX_RANK] = {0};
  for (int32_t i = 0; i < na; i++) {
    const int32_t ax = norm_axis(axes[i], r);
    if (ax < 0 || ax >= r)
      return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range", (long long)axes[i]);
    if (pads[i] < 0 || pads[i + na] < 0)
      return imp_err(im, TA_ERR_UNSUPPORTED, "negative pads (cropping) are not supported");
    if (pads[i] > 1 << 20 || pads[i + na] > 1 << 20)
      return imp_err(im, TA_ERR_LIMIT, "pads are too large");
    before[ax] = (int32_t)pads[i];
    after[ax] = (int32_t)pads[i + na];
  }
  if (x->dtype != TA_DT_F32 && !reflect && !edge)
    return imp_err(im, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; only float32 Pad is supported",
                   x->name, ta_dtype_name(x->dtype));
  bool cl = imp_cl_rank(r) && imp_has_cl(x) && !imp_const(im, x);
  int32_t to_cl[TA_MAX_RANK];
  imp_cl_perm(r, to_cl);
  int32_t pd[2 * TA_MAX_RANK];
  for (int32_t k = 0; k < r; k++) {
    const int32_t src = cl ? to_cl[k] : k;
    pd[2 * k] = before[src];
    pd[2 * k + 1] = after[src];
  }
  const int32_t xt = cl ? imp_cl(im, x) : imp_plain(im, x);
  const int32_t pdims[2] = {r, 2};
  if (reflect || edge) {
    /* Border values come from the input: MIRROR_PAD (REFLECT is numpy's reflect). */
    ta_attrs a = imp_attrs();
    a.pad_mode = reflect ? TA_PAD_MODE_REFLECT : TA_PAD_MODE_EDGE;
    const int32_t pt = imp_const_tensor(im, tmp_name(im, "pads"), TA_DT_I32, 2, pdims, pd);
    const int32_t y = imp_tensor(
        im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), x->dtype);
    const int32_t in[2] = {xt, pt};
    if (xt < 0 || pt < 0 || imp_op(im, TA_OP_MIRROR_PAD, in, 2, &y, 1, &a) != TA_OK)
      return im->st;
    return imp_out(im, 0, y, cl);
  }
  const float fv = (float)value;
  const int32_t pt = imp_const_tensor(im, tmp_name(im, "pads"), TA_DT_I32, 2, pdims, pd);
  const int32_t vt = imp_const_tensor(im, tmp_name(im, "value"), TA_DT_F32, 0, NULL, &fv);
  const int32_t y =
      imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), TA_DT_F32);
  const int32_t in[3] = {xt, pt, vt};
  if (xt < 0 || imp_op(im, TA_OP_PAD, in, 3, &y, 1, NULL) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, cl);
}

/* Softmax (and LogSoftmax, kind) over `axis`: before opset 13 over the flattened dims from axis on
 * (default 1), from 13 along one axis (default -1). SOFTMAX works on the last axis: a channels-last
 * input with axis 1 already has it there; otherwise a RESHAPE (old semantics) or TRANSPOSE pair. */
static ta_status softmax_like(onnx_imp *im, ta_op_kind kind) {
  oval *x = imp_in_req(im, 0, "input");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  const bool old = im->opset < 13;
  int64_t axis;
  if (!imp_attr_int(im, "axis", old ? 1 : -1, &axis))
    return im->st;
  const int32_t r = x->rank, ax = norm_axis(axis, r);
  if (ax < 0 || ax >= r || r < 1)
    return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range for rank %d", (long long)axis,
                   r);
  const char *y_name = out_name(im, 0);
  if ((!old || ax == r - 1) && ax == 1 && imp_cl_rank(r) && imp_has_cl(x)) {
    const int32_t t = imp_cl(im, x),
                  y = imp_tensor(im, ta_fmt(im->ctx, "%s_nhwc", y_name), TA_DT_F32);
    if (imp_op(im, kind, &t, 1, &y, 1, NULL) != TA_OK)
      return im->st;
    return imp_out(im, 0, y, true);
  }
  int32_t t = imp_plain(im, x);
  if (t < 0)
    return im->st;
  if (ax == r - 1) {
    const int32_t y = imp_tensor(im, y_name, TA_DT_F32);
    if (imp_op(im, kind, &t, 1, &y, 1, NULL) != TA_OK)
      return im->st;
    return imp_out(im, 0, y, false);
  }
  if (old) {
    int32_t d2[2] = {1, 1};
    for (int32_t k = 0; k < r; k++)
      d2[k < ax ? 0 : 1] *= x->dims[k];
    const int32_t f = imp_reshape(im, t, 2, d2, tmp_name(im, "2d"));
    const int32_t s = imp_tensor(im, tmp_name(im, "softmax"), TA_DT_F32);
    if (f < 0 || imp_op(im, kind, &f, 1, &s, 1, NULL) != TA_OK)
      return im->st;
    return imp_out(im, 0, imp_reshape(im, s, r, x->dims, y_name), false);
  }
  int32_t perm[TA_MAX_RANK];
  for (int32_t k = 0, j = 0; k < r; k++)
    if (k != ax)
      perm[j++] = k;
  perm[r - 1] = ax;
  int32_t inv[TA_MAX_RANK];
  for (int32_t k = 0; k < r; k++)
    inv[perm[k]] = k;
  const int32_t f = imp_transpose(im, t, perm, tmp_name(im, "axis_last"));
  const int32_t s = imp_tensor(im, tmp_name(im, "softmax"), TA_DT_F32);
  if (f < 0 || imp_op(im, kind, &f, 1, &s, 1, NULL) != TA_OK)
    return im->st;
  return imp_out(im, 0, imp_transpose(im, s, inv, y_name), false);
}

static ta_status cv_softmax(onnx_imp *im) {
  return softmax_like(im, TA_OP_SOFTMAX);
}
static ta_status cv_log_softmax(onnx_imp *im) {
  return softmax_like(im, TA_OP_LOG_SOFTMAX);
}

/* ---- matrix products ------------------------------------------------------------------------ */

/* y = a x b (a: activation or constant, plain) with ONNX MatMul's 1-D rules; b constant and
 * 2-D makes a FULLY_CONNECTED (weights b^T at compile time), anything else BATCH_MATMUL. */
static int32_t matmul(onnx_imp *im, oval *a, oval *b, const char *name) {
  const bool b_const = imp_const(im, b) != NULL;
  int32_t ta = imp_plain(im, a);
  if (ta < 0)
    return -1;
  if (b_const && b->rank <= 2 && a->rank >= 1 && b->dtype == TA_DT_F32) {
    cview w, w8;
    ta_quant wq;
    if (!view_of(imp_const(im, b), &w))
      return -1;
    const int32_t k = w.dims[0], n = w.rank == 2 ? w.dims[1] : 1;
    /* QDQ weights quantized per tensor or per column (axis 1) stay int8 (see cv_conv). */
    const bool dq = dq_weights(im, b, &w8, &wq) && w.rank == 2 &&
                    (wq.count == 1 || (wq.count == n && wq.axis == 1));
    const size_t eb = dq ? 1 : 4;
    uint8_t *wt = ta_new(im->ctx, (size_t)k * (size_t)n * eb);
    if (!wt)
      return -1;
    for (int32_t i = 0; i < k; i++)
      for (int32_t j = 0; j < n; j++)
        memcpy(&wt[((size_t)j * (size_t)k + (size_t)i) * eb],
               (dq ? w8.data : w.data) + eb * ((size_t)i * (size_t)n + (size_t)j), eb);
    const int32_t wdims[2] = {n, k};
    const int32_t wtt = dq ? dq_weights_tensor(im, wt, 2, wdims, &wq, 0, 1.0f)
                           : imp_const_tensor(im, tmp_name(im, "weights"), TA_DT_F32, 2, wdims, wt);
    ta_attrs at = imp_attrs();
    at.keep_dims = true;
    const bool b1 = w.rank == 1;
    const int32_t y = imp_tensor(im, b1 ? tmp_name(im, "fc") : name, TA_DT_F32);
    const int32_t in[2] = {ta, wtt};
    if (imp_op(im, TA_OP_FULLY_CONNECTED, in, 2, &y, 1, &at) != TA_OK)
      return -1;
    if (!b1)
      return y;
    /* b 1-D: drop the trailing dim of size 1. */
    int32_t dims[TA_MAX_RANK];
    const ta_tensor *yt = &im->g->tensors[y];
    memcpy(dims, yt->dims, sizeof dims);
    return imp_reshape(im, y, yt->rank - 1, dims, name);
  }
  /* General: 1-D operands get a unit dim, removed again from the result. */
  int32_t tb = imp_plain(im, b);
  if (tb < 0)
    return -1;
  if (a->rank == 1) {
    const int32_t ad[2] = {1, a->dims[0]};
    ta = imp_reshape(im, ta, 2, ad, tmp_name(im, "a2d"));
  }
  if (b->rank == 1) {
    const int32_t bd[2] = {b->dims[0], 1};
    tb = imp_reshape(im, tb, 2, bd, tmp_name(im, "b2d"));
  }
  const bool squeeze = a->rank == 1 || b->rank == 1;
  const int32_t y = imp_tensor(im, squeeze ? tmp_name(im, "matmul") : name, a->dtype);
  const int32_t in[2] = {ta, tb};
  if (ta < 0 || tb < 0 || imp_op(im, TA_OP_BATCH_MATMUL, in, 2, &y, 1, NULL) != TA_OK)
    return -1;
  if (!squeeze)
    return y;
  const ta_tensor *yt = &im->g->tensors[y];
  int32_t dims[TA_MAX_RANK], r = 0;
  for (int32_t k = 0; k < yt->rank; k++) {
    if (a->rank == 1 && k == yt->rank - 2)
      continue;
    if (b->rank == 1 && k == yt->rank - 1)
      continue;
    dims[r++] = yt->dims[k];
  }
  return imp_reshape(im, y, r, dims, name);
}

static ta_status cv_matmul(onnx_imp *im) {
  oval *a = imp_in_req(im, 0, "A"), *b = imp_in_req(im, 1, "B");
  if (!a || !b)
    return TA_ERR_MALFORMED;
  if (need_float(im, a, "input A") != TA_OK || need_float(im, b, "input B") != TA_OK)
    return im->st;
  return imp_out(im, 0, matmul(im, a, b, out_name(im, 0)), false);
}

/* Gemm: Y = alpha * A' B' + beta * C. With B constant: FULLY_CONNECTED with alpha * B'^T as
 * weights and beta * C as bias when C is one value per column; other C: an ADD. */
static ta_status cv_gemm(onnx_imp *im) {
  oval *a = imp_in_req(im, 0, "A"), *b = imp_in_req(im, 1, "B");
  oval *c = imp_in(im, 2);
  if (!a || !b)
    return TA_ERR_MALFORMED;
  int64_t trans_a, trans_b;
  float alpha, beta;
  if (!imp_attr_int(im, "transA", 0, &trans_a) || !imp_attr_int(im, "transB", 0, &trans_b) ||
      !imp_attr_float(im, "alpha", 1.0f, &alpha) || !imp_attr_float(im, "beta", 1.0f, &beta))
    return im->st;
  if (need_float(im, a, "input A") != TA_OK || need_float(im, b, "input B") != TA_OK)
    return im->st;
  if (a->rank != 2 || b->rank != 2)
    return imp_err(im, TA_ERR_MALFORMED, "A and B have ranks %d and %d; expected 2", a->rank,
                   b->rank);
  const int32_t k = a->dims[trans_a ? 0 : 1];
  const int32_t n = b->dims[trans_b ? 0 : 1];
  if (b->dims[trans_b ? 1 : 0] != k)
    return imp_err(im, TA_ERR_MALFORMED, "A' has %d columns, B' %d rows", k,
                   b->dims[trans_b ? 1 : 0]);
  int32_t ta = imp_plain(im, a);
  if (trans_a) {
    const int32_t p[2] = {1, 0};
    ta = imp_transpose(im, ta, p, tmp_name(im, "A_t"));
  }
  if (ta < 0)
    return im->st;
  const char *y_name = out_name(im, 0);
  const bool has_c = c && beta != 0.0f;
  cview cc;
  bool c_bias = false;
  memset(&cc, 0, sizeof cc);
  if (has_c && imp_const(im, c)) {
    view_of(imp_const(im, c), &cc);
    if (cc.dt != TA_DT_F32)
      return imp_err(im, TA_ERR_UNSUPPORTED, "C is %s; expected float32", ta_dtype_name(cc.dt));
    /* One value per column: [N], [1,N], or a single value. */
    c_bias =
        cc.n == 1 || (cc.n == (size_t)n && (cc.rank == 1 || (cc.rank == 2 && cc.dims[0] == 1)));
  }
  int32_t y;
  const ta_tensor *bt = imp_const(im, b);
  if (bt && bt->dtype == TA_DT_F32) {
    cview w, w8;
    ta_quant wq;
    if (!view_of(bt, &w))
      return TA_ERR_INTERNAL;
    /* QDQ weights quantized per tensor or per output column stay int8 (see cv_conv); alpha
     * goes into their scales. */
    const bool dq = dq_weights(im, b, &w8, &wq) && alpha > 0.0f &&
                    (wq.count == 1 || (wq.count == n && wq.axis == (trans_b ? 0 : 1)));
    float *wt = ta_new_array(im->ctx, (size_t)n * (size_t)k, sizeof *wt);
    int8_t *wt8 = ta_new(im->ctx, (size_t)n * (size_t)k);
    if (!wt || !wt8)
      return TA_ERR_LIMIT;
    for (int32_t j = 0; j < n; j++)
      for (int32_t i = 0; i < k; i++) {
        float v;
        const size_t src =
            trans_b ? (size_t)j * (size_t)k + (size_t)i : (size_t)i * (size_t)n + (size_t)j;
        memcpy(&v, w.data + 4 * src, 4);
        wt[(size_t)j * (size_t)k + (size_t)i] = alpha * v;
        if (dq)
          wt8[(size_t)j * (size_t)k + (size_t)i] = (int8_t)w8.data[src];
      }
    const int32_t wdims[2] = {n, k};
    const int32_t wtt = dq ? dq_weights_tensor(im, wt8, 2, wdims, &wq, 0, alpha)
                           : imp_const_tensor(im, tmp_name(im, "weights"), TA_DT_F32, 2, wdims, wt);
    int32_t bias = -1;
    if (c_bias) {
      float *bv = ta_new_array(im->ctx, (size_t)n, sizeof *bv);
      if (!bv)
        return TA_ERR_LIMIT;
      for (int32_t j = 0; j < n; j++)
        bv[j] = beta * (float)cv_f(&cc, cc.n == 1 ? 0 : (size_t)j);
      bias = imp_const_tensor(im, tmp_name(im, "bias"), TA_DT_F32, 1, &n, bv);
    }
    y = imp_tensor(im, has_c && !c_bias ? tmp_name(im, "AB") : y_name, TA_DT_F32);
    const int32_t in[3] = {ta, wtt, bias};
    if (imp_op(im, TA_OP_FULLY_CONNECTED, in, bias >= 0 ? 3 : 2, &y, 1, NULL) != TA_OK)
      return im->st;
  } else {
    int32_t tb = imp_plain(im, b);
    if (trans_b) {
      const int32_t p[2] = {1, 0};
      tb = imp_transpose(im, tb, p, tmp_name(im, "B_t"));
    }
    y = imp_tensor(im, tmp_name(im, "AB"), TA_DT_F32);
    const int32_t in[2] = {ta, tb};
    if (tb < 0 || imp_op(im, TA_OP_BATCH_MATMUL, in, 2, &y, 1, NULL) != TA_OK)
      return im->st;
    if (alpha != 1.0f) {
      const int32_t at = imp_const_tensor(im, tmp_name(im, "alpha"), TA_DT_F32, 0, NULL, &alpha);
      const int32_t y2 = imp_tensor(im, has_c ? tmp_name(im, "alpha_AB") : y_name, TA_DT_F32);
      const int32_t in2[2] = {y, at};
      if (imp_op(im, TA_OP_MUL, in2, 2, &y2, 1, NULL) != TA_OK)
        return im->st;
      y = y2;
    } else if (!has_c) {
      im->g->tensors[y].name = y_name;
    }
    c_bias = false;
  }
  if (has_c && !c_bias) {
    int32_t tc = imp_plain(im, c);
    if (beta != 1.0f) {
      const int32_t bt2 = imp_const_tensor(im, tmp_name(im, "beta"), TA_DT_F32, 0, NULL, &beta);
      const int32_t c2 = imp_tensor(im, tmp_name(im, "beta_C"), TA_DT_F32);
      const int32_t in2[2] = {tc, bt2};
      if (imp_op(im, TA_OP_MUL, in2, 2, &c2, 1, NULL) != TA_OK)
        return im->st;
      tc = c2;
    }
    const int32_t y2 = imp_tensor(im, y_name, TA_DT_F32);
    const int32_t in2[2] = {y, tc};
    if (tc < 0 || imp_op(im, TA_OP_ADD, in2, 2, &y2, 1, NULL) != TA_OK)
      return im->st;
    y = y2;
  }
  return imp_out(im, 0, y, false);
}

/* ---- constants ------------------------------------------------------------------------------ */

static ta_status cv_constant(onnx_imp *im) {
  const Onnx__NodeProto *n = im->node;
  for (size_t k = 0; k < n->n_attribute; k++) {
    const Onnx__AttributeProto *a = n->attribute[k];
    const char *an = a->name ? a->name : "";
    if (strcmp(an, "value") == 0 && a->t) {
      ta_onnx_tensor t;
      ta_status st = ta_onnx_decode_tensor(
          im->ctx, a->t, ta_fmt(im->ctx, "node %d Constant value", im->node_idx), &t);
      if (st != TA_OK)
        return imp_err(im, st, "its value cannot be used");
      return imp_out(im, 0, imp_const_tensor(im, out_name(im, 0), t.dtype, t.rank, t.dims, t.data),
                     false);
    }
    if (strcmp(an, "value_float") == 0 || strcmp(an, "value_int") == 0) {
      const bool f = an[6] == 'f';
      const float fv = a->f;
      const int64_t iv = a->i;
      return imp_out(im, 0,
                     imp_const_tensor(im, out_name(im, 0), f ? TA_DT_F32 : TA_DT_I64, 0, NULL,
                                      f ? (const void *)&fv : (const void *)&iv),
                     false);
    }
    if (strcmp(an, "value_floats") == 0 || strcmp(an, "value_ints") == 0) {
      const bool f = an[6] == 'f';
      const int32_t cnt = (int32_t)(f ? a->n_floats : a->n_ints);
      return imp_out(im, 0,
                     imp_const_tensor(im, out_name(im, 0), f ? TA_DT_F32 : TA_DT_I64, 1, &cnt,
                                      f ? (const void *)a->floats : (const void *)a->ints),
                     false);
    }
    if (strcmp(an, "sparse_value") == 0 || strncmp(an, "value_string", 12) == 0)
      return imp_err(im, TA_ERR_UNSUPPORTED, "attribute %s is not supported", an);
  }
  return imp_err(im, TA_ERR_MALFORMED, "no value attribute");
}

/* ---- quantization ------------------------------------------------------------------------- */

/* Scale and zero point operands: per tensor (1 value) or per channel (count values). */
typedef struct qparams {
  int32_t count;
  float *scale;
  int64_t *zp;
  ta_dtype zp_dt; /* TA_DT_UNKNOWN when absent */
} qparams;

static bool read_qparams(onnx_imp *im, int32_t scale_in, int32_t zp_in, const char *what,
                         qparams *q) {
  memset(q, 0, sizeof *q);
  cview s, z;
  if (!const_in(im, scale_in, ta_fmt(im->ctx, "%s scale", what), &s))
    return false;
  if (s.dt != TA_DT_F32 || s.rank > 1 || s.n < 1) {
    imp_err(im, TA_ERR_UNSUPPORTED,
            "%s scale is %s of rank %d; expected float32, a scalar or "
            "1-D",
            what, ta_dtype_name(s.dt), s.rank);
    return false;
  }
  const bool have_zp = imp_in(im, zp_in) != NULL;
  if (have_zp && !const_in(im, zp_in, ta_fmt(im->ctx, "%s zero point", what), &z))
    return false;
  if (have_zp && z.n != s.n) {
    imp_err(im, TA_ERR_MALFORMED, "%s scale has %zu values and zero point %zu", what, s.n, z.n);
    return false;
  }
  q->count = (int32_t)s.n;
  q->scale = ta_new_array(im->ctx, s.n, sizeof(float));
  q->zp = ta_new_array(im->ctx, s.n, sizeof(int64_t));
  if (!q->scale || !q->zp)
    return false;
  for (size_t k = 0; k < s.n; k++) {
    q->scale[k] = (float)cv_f(&s, k);
    q->zp[k] = have_zp ? cv_i(&z, k) : 0;
    if (!(q->scale[k] > 0.0f) || !isfinite(q->scale[k])) {
      imp_err(im, TA_ERR_UNSUPPORTED, "%s scale %zu is %g; expected a finite value > 0", what, k,
              (double)q->scale[k]);
      return false;
    }
  }
  q->zp_dt = have_zp ? z.dt : TA_DT_UNKNOWN;
  return true;
}

/* The IR axis of ONNX axis ax of a value in channels-last form (cl) or not. */
static int32_t ir_axis(int32_t ax, int32_t rank, bool cl) {
  if (!cl)
    return ax;
  int32_t to_cl[TA_MAX_RANK];
  imp_cl_perm(rank, to_cl);
  for (int32_t k = 0; k < rank; k++)
    if (to_cl[k] == ax)
      return k;
  return ax;
}

static ta_status cv_quantize_linear(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "x");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  qparams q;
  if (!read_qparams(im, 1, 2, "y", &q))
    return im->st;
  int64_t axis, block = 0, out_dt = 0;
  if (!imp_attr_int(im, "axis", 1, &axis) || !imp_attr_int(im, "block_size", 0, &block) ||
      !imp_attr_int(im, "output_dtype", 0, &out_dt))
    return im->st;
  if (block)
    return imp_err(im, TA_ERR_UNSUPPORTED, "blocked quantization is not supported");
  ta_dtype dt = q.zp_dt != TA_DT_UNKNOWN ? q.zp_dt
                : out_dt                 ? ta_onnx_dtype((int32_t)out_dt)
                                         : TA_DT_U8;
  if (dt != TA_DT_I8 && dt != TA_DT_U8 && dt != TA_DT_I16 && dt != TA_DT_U16)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "output type %s is not supported (int8, uint8, int16, "
                   "uint16 are)",
                   ta_dtype_name(dt));
  const int32_t ax = norm_axis(axis, x->rank);
  if (q.count > 1 && (ax < 0 || ax >= x->rank || x->dims[ax] != q.count))
    return imp_err(im, TA_ERR_MALFORMED, "%d scales do not match axis %lld of the input", q.count,
                   (long long)axis);
  bool cl;
  const int32_t t = any_form(im, x, &cl);
  const int32_t y =
      imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), dt);
  if (t < 0 || y < 0 ||
      !set_quant(im, y, q.count, q.count > 1 ? ir_axis(ax, x->rank, cl) : 0, q.scale, q.zp))
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  ta_attrs a = imp_attrs();
  a.round_half_even = true;
  if (imp_op(im, TA_OP_QUANTIZE, &t, 1, &y, 1, &a) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, cl);
}

static ta_status cv_dequantize_linear(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "x");
  if (!x)
    return TA_ERR_MALFORMED;
  qparams q;
  if (!read_qparams(im, 1, 2, "x", &q))
    return im->st;
  int64_t axis, block = 0;
  if (!imp_attr_int(im, "axis", 1, &axis) || !imp_attr_int(im, "block_size", 0, &block))
    return im->st;
  if (block)
    return imp_err(im, TA_ERR_UNSUPPORTED, "blocked quantization is not supported");
  const int32_t ax = norm_axis(axis, x->rank);
  if (q.count > 1 && (ax < 0 || ax >= x->rank || x->dims[ax] != q.count))
    return imp_err(im, TA_ERR_MALFORMED, "%d scales do not match axis %lld of the input", q.count,
                   (long long)axis);
  bool cl;
  int32_t t = any_form(im, x, &cl);
  if (t < 0)
    return im->st;
  /* The input carries the quantization DEQUANTIZE reads: a view with it when it differs. */
  const ta_quant *have = &im->g->tensors[t].q;
  bool same = have->count == q.count;
  for (int32_t c = 0; same && c < q.count; c++)
    same = have->scale[c] == q.scale[c] && have->zero_point[c] == q.zp[c];
  /* An int8 graph input (a QDQ model with integer inputs) carries none yet: it takes this
   * one, so the API describes its quantization and no view is needed. */
  const bool graph_input = !ta_tensor_is_const(&im->g->tensors[t]) && imp_producer(im, t) < 0;
  if (!same && graph_input && have->count == 0) {
    if (!set_quant(im, t, q.count, q.count > 1 ? ir_axis(ax, x->rank, cl) : 0, q.scale, q.zp))
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
    same = true;
  }
  if (!same) {
    int32_t dims[TA_MAX_RANK];
    const ta_tensor *tt = &im->g->tensors[t];
    const int32_t r = tt->rank;
    memcpy(dims, tt->dims, sizeof dims);
    const int32_t v = ta_tensor_is_const(tt)
                          ? imp_const_tensor(im, tmp_name(im, "q"), tt->dtype, r, dims, tt->data)
                          : ta_graph_add_tensor(im->g, tmp_name(im, "q"), tt->dtype, r, dims);
    if (v < 0 ||
        !set_quant(im, v, q.count, q.count > 1 ? ir_axis(ax, x->rank, cl) : 0, q.scale, q.zp))
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
    if (!ta_tensor_is_const(&im->g->tensors[v]) &&
        imp_op(im, TA_OP_RESHAPE, &t, 1, &v, 1, NULL) != TA_OK)
      return im->st;
    t = v;
  }
  const int32_t y =
      imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), TA_DT_F32);
  if (imp_op(im, TA_OP_DEQUANTIZE, &t, 1, &y, 1, NULL) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, cl);
}

/* An 8-bit activation in the int8 domain with zero point zp: uint8 goes through flip_sign_8
 * (zero point - 128, same scale). *zp8 receives the int8 zero point. */
static int32_t to_s8(onnx_imp *im, int32_t t, float scale, int64_t zp, int64_t *zp8) {
  if (t < 0)
    return -1;
  const ta_dtype dt = im->g->tensors[t].dtype;
  if (dt == TA_DT_I8) {
    *zp8 = zp;
    return with_quant(im, t, scale, zp);
  }
  if (dt != TA_DT_U8) {
    imp_err(im, TA_ERR_UNSUPPORTED, "input is %s; expected int8 or uint8", ta_dtype_name(dt));
    return -1;
  }
  const int32_t u = with_quant(im, t, scale, zp);
  *zp8 = zp - 128;
  const int32_t s = imp_tensor(im, tmp_name(im, "s8"), TA_DT_I8);
  if (u < 0 || s < 0 || !set_quant(im, s, 1, 0, &scale, zp8) ||
      imp_op(im, TA_OP_QUANTIZE, &u, 1, &s, 1, NULL) != TA_OK)
    return -1;
  return s;
}

/* Weights w (8-bit) minus their zero points, as int16: element i uses zero point
 * zp[(i / zp_stride) % zp_period] (one value: the same for all). */
static int16_t *center(onnx_imp *im, const cview *w, const int64_t *zp, int32_t n_zp,
                       size_t zp_stride, size_t zp_period) {
  int16_t *c = ta_new_array(im->ctx, w->n ? w->n : 1, sizeof *c);
  if (!c)
    return NULL;
  for (size_t i = 0; i < w->n; i++) {
    const int64_t z = n_zp == 1 ? zp[0] : zp[(i / zp_stride) % zp_period];
    c[i] = (int16_t)(cv_i(w, i) - z);
  }
  return c;
}

/* Shared by QLinearConv and ConvInteger: the convolution of xt (int8, carrying its zero
 * point) with the weights minus their zero points. ConvInteger (want_int8 false): int32
 * accumulators. QLinearConv (want_int8, x_scale given): the result in y8 (int8, quantized),
 * from TFLite's int8 CONV_2D / DEPTHWISE_CONV_2D when every centered weight fits int8, else
 * from int16 weights into int32 accumulators requantized by a QUANTIZE. *y_out: the result. */
static ta_status integer_conv(onnx_imp *im, conv_parts *c, int32_t xt, const qparams *wq,
                              const int32_t *bias, int32_t *y_out, bool want_int8,
                              const float *x_scale, int32_t y8) {
  const int32_t fdims_std[4] = {c->co, c->kh, c->kw, c->cg};
  int16_t *wc = center(im, &c->w, wq->zp, wq->count, (size_t)c->cg * (size_t)c->kh * (size_t)c->kw,
                       (size_t)c->co);
  if (!wc)
    return TA_ERR_LIMIT;
  bool fits = want_int8;
  for (size_t i = 0; fits && i < c->w.n; i++)
    fits = wc[i] >= -128 && wc[i] <= 127;
  ta_attrs a = imp_attrs();
  geo_attrs(&c->g, &a);
  a.ceil_mode = false;
  const bool dw = c->depthwise && fits;
  if (dw)
    a.depth_multiplier = c->co / c->groups;
  const int32_t bt =
      bias ? imp_const_tensor(im, tmp_name(im, "bias"), TA_DT_I32, 1, &c->co, bias) : -1;
  if (fits) {
    int8_t *w8 = ta_new(im->ctx, c->w.n ? c->w.n : 1);
    if (!w8)
      return TA_ERR_LIMIT;
    for (size_t i = 0; i < c->w.n; i++)
      w8[i] = (int8_t)wc[i];
    void *f = relayout_filter(im, (const uint8_t *)w8, 1, c->co, c->cg, c->kh, c->kw, dw);
    int32_t fd[4] = {c->co, c->kh, c->kw, c->cg};
    if (dw)
      fd[0] = 1, fd[3] = c->co;
    const int32_t ft = f ? imp_const_tensor(im, tmp_name(im, "filter"), TA_DT_I8, 4, fd, f) : -1;
    float *ws = ta_new_array(im->ctx, (size_t)wq->count, sizeof *ws);
    int64_t *wz = ta_new_array(im->ctx, (size_t)wq->count, sizeof *wz);
    if (ft < 0 || !ws || !wz)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
    memcpy(ws, wq->scale, (size_t)wq->count * sizeof *ws);
    if (!set_quant(im, ft, wq->count, dw ? 3 : 0, ws, wz))
      return TA_ERR_LIMIT;
    const int32_t in[3] = {xt, ft, bt};
    if (imp_op(im, dw ? TA_OP_DEPTHWISE_CONV_2D : TA_OP_CONV_2D, in, bias ? 3 : 2, &y8, 1, &a) !=
        TA_OK)
      return im->st;
    *y_out = y8;
    return TA_OK;
  }
  void *f = relayout_filter(im, (const uint8_t *)wc, 2, c->co, c->cg, c->kh, c->kw, false);
  const int32_t ft =
      f ? imp_const_tensor(im, tmp_name(im, "filter"), TA_DT_I16, 4, fdims_std, f) : -1;
  const int32_t acc = imp_tensor(im, tmp_name(im, "acc"), TA_DT_I32);
  if (ft < 0 || acc < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  if (x_scale) {
    /* The accumulators' scale, per output channel: x_scale * w_scale[c]. */
    float *sc = ta_new_array(im->ctx, (size_t)c->co, sizeof *sc);
    int64_t *z = ta_new_array(im->ctx, (size_t)c->co, sizeof *z);
    if (!sc || !z)
      return TA_ERR_LIMIT;
    for (int32_t o = 0; o < c->co; o++)
      sc[o] = (float)((double)*x_scale * (double)wq->scale[wq->count == 1 ? 0 : o]);
    if (!set_quant(im, acc, c->co, 3, sc, z))
      return TA_ERR_LIMIT;
    if (c->co == 1)
      im->g->tensors[acc].q.count = 1;
  }
  const int32_t in[3] = {xt, ft, bt};
  if (imp_op(im, TA_OP_CONV_2D, in, bias ? 3 : 2, &acc, 1, &a) != TA_OK)
    return im->st;
  if (!x_scale) {
    *y_out = acc;
    return TA_OK;
  }
  if (imp_op(im, TA_OP_QUANTIZE, &acc, 1, &y8, 1, NULL) != TA_OK)
    return im->st;
  *y_out = y8;
  return TA_OK;
}

static ta_status cv_qlinear_conv(onnx_imp *im) {
  conv_parts c;
  ta_status st = conv_parts_read(im, &c, 3);
  if (st != TA_OK)
    return st;
  qparams xq, wq, yq;
  if (!read_qparams(im, 1, 2, "x", &xq) || !read_qparams(im, 4, 5, "w", &wq) ||
      !read_qparams(im, 6, 7, "y", &yq))
    return im->st;
  if (xq.count != 1 || yq.count != 1 || (wq.count != 1 && wq.count != c.co))
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "x and y must be quantized per tensor and w per "
                   "tensor or per output channel");
  int32_t *bias = NULL;
  if (imp_in(im, 8)) {
    cview b;
    if (!const_in(im, 8, "bias", &b))
      return im->st;
    if (b.dt != TA_DT_I32 || b.n != (size_t)c.co)
      return imp_err(im, TA_ERR_MALFORMED, "bias has %zu values of %s; expected %d int32", b.n,
                     ta_dtype_name(b.dt), c.co);
    bias = (int32_t *)(uintptr_t)b.data;
  }
  const ta_dtype y_dt = c.x->dtype;
  int64_t zp8;
  const int32_t xt = to_s8(im, cl4(im, c.x), xq.scale[0], xq.zp[0], &zp8);
  if (xt < 0)
    return im->st;
  /* The int8 result; uint8 outputs flip back at the end. */
  const int64_t y_zp8 = y_dt == TA_DT_U8 ? yq.zp[0] - 128 : yq.zp[0];
  const int32_t y8 = imp_tensor(im, tmp_name(im, "y8"), TA_DT_I8);
  if (y8 < 0 || !set_quant(im, y8, 1, 0, yq.scale, &y_zp8))
    return TA_ERR_LIMIT;
  int32_t y;
  st = integer_conv(im, &c, xt, &wq, bias, &y, true, xq.scale, y8);
  if (st != TA_OK)
    return st;
  if (y_dt == TA_DT_U8) {
    const int32_t yu = imp_tensor(im, tmp_name(im, "u8"), TA_DT_U8);
    if (yu < 0 || !set_quant(im, yu, 1, 0, yq.scale, yq.zp) ||
        imp_op(im, TA_OP_QUANTIZE, &y, 1, &yu, 1, NULL) != TA_OK)
      return im->st;
    y = yu;
  }
  return out_cl(im, 0, y, c.x->rank);
}

static ta_status cv_conv_integer(onnx_imp *im) {
  conv_parts c;
  ta_status st = conv_parts_read(im, &c, 1);
  if (st != TA_OK)
    return st;
  int64_t xzp = 0;
  if (imp_in(im, 2)) {
    cview z;
    if (!const_in(im, 2, "x_zero_point", &z))
      return im->st;
    if (z.n != 1)
      return imp_err(im, TA_ERR_UNSUPPORTED, "x_zero_point must be a single value");
    xzp = cv_i(&z, 0);
  }
  qparams wq;
  memset(&wq, 0, sizeof wq);
  int64_t zero = 0;
  wq.count = 1;
  wq.zp = &zero;
  if (imp_in(im, 3)) {
    cview z;
    if (!const_in(im, 3, "w_zero_point", &z))
      return im->st;
    if (z.n != 1 && z.n != (size_t)c.co)
      return imp_err(im, TA_ERR_MALFORMED, "w_zero_point has %zu values; expected 1 or %d", z.n,
                     c.co);
    wq.count = (int32_t)z.n;
    wq.zp = ta_new_array(im->ctx, z.n, sizeof(int64_t));
    if (!wq.zp)
      return TA_ERR_LIMIT;
    for (size_t k = 0; k < z.n; k++)
      wq.zp[k] = cv_i(&z, k);
  }
  int64_t zp8;
  const int32_t xt = to_s8(im, cl4(im, c.x), 1.0f, xzp, &zp8);
  if (xt < 0)
    return im->st;
  int32_t y;
  st = integer_conv(im, &c, xt, &wq, NULL, &y, false, NULL, -1);
  if (st != TA_OK)
    return st;
  return out_cl(im, 0, y, c.x->rank);
}

/* MatMulInteger / QLinearMatMul: a (8-bit activation) times b (8-bit constant, its zero
 * points subtracted at compile time, int16) into int32, requantized for QLinearMatMul. */
static ta_status integer_matmul(onnx_imp *im, bool qlinear) {
  oval *a = imp_in_req(im, 0, "A");
  if (!a)
    return TA_ERR_MALFORMED;
  const int32_t b_in = qlinear ? 3 : 1;
  cview b;
  if (!const_in(im, b_in, "B", &b))
    return im->st;
  if (b.dt != TA_DT_U8 && b.dt != TA_DT_I8)
    return imp_err(im, TA_ERR_UNSUPPORTED, "B is %s; expected int8 or uint8", ta_dtype_name(b.dt));
  qparams aq, bq, yq;
  memset(&aq, 0, sizeof aq);
  memset(&bq, 0, sizeof bq);
  int64_t zero = 0;
  float one = 1.0f;
  if (qlinear) {
    if (!read_qparams(im, 1, 2, "a", &aq) || !read_qparams(im, 4, 5, "b", &bq) ||
        !read_qparams(im, 6, 7, "y", &yq))
      return im->st;
  } else {
    aq.count = bq.count = 1;
    aq.scale = bq.scale = &one;
    aq.zp = bq.zp = &zero;
    cview z;
    if (imp_in(im, 2)) {
      if (!const_in(im, 2, "a_zero_point", &z))
        return im->st;
      if (z.n != 1)
        return imp_err(im, TA_ERR_UNSUPPORTED, "a_zero_point must be a single value");
      aq.zp = ta_new_array(im->ctx, 1, sizeof(int64_t));
      if (!aq.zp)
        return TA_ERR_LIMIT;
      aq.zp[0] = cv_i(&z, 0);
    }
    if (imp_in(im, 3)) {
      if (!const_in(im, 3, "b_zero_point", &z))
        return im->st;
      bq.count = (int32_t)z.n;
      bq.zp = ta_new_array(im->ctx, z.n ? z.n : 1, sizeof(int64_t));
      bq.scale = ta_new_array(im->ctx, z.n ? z.n : 1, sizeof(float));
      if (!bq.zp || !bq.scale)
        return TA_ERR_LIMIT;
      for (size_t k = 0; k < z.n; k++)
        bq.zp[k] = cv_i(&z, k), bq.scale[k] = 1.0f;
    }
  }
  const int32_t n = b.rank >= 2 ? b.dims[b.rank - 1] : 1;
  if (aq.count != 1 || (bq.count != 1 && bq.count != n))
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "A must be quantized per tensor and B per tensor or "
                   "per column");
  if (a->rank < 1 || b.rank < 1)
    return imp_err(im, TA_ERR_MALFORMED, "A and B need rank >= 1");
  int16_t *bc = center(im, &b, bq.zp, bq.count, 1, (size_t)n);
  if (!bc)
    return TA_ERR_LIMIT;
  int64_t zp8;
  int32_t at = to_s8(im, imp_plain(im, a), aq.scale[0], aq.zp[0], &zp8);
  if (at < 0)
    return im->st;
  int32_t ad[TA_MAX_RANK], bd[TA_MAX_RANK];
  memcpy(ad, a->dims, sizeof ad);
  memcpy(bd, b.dims, sizeof bd);
  int32_t ar = a->rank, br = b.rank;
  const bool a1 = ar == 1, b1 = br == 1;
  if (a1)
    ad[0] = 1, ad[1] = a->dims[0], ar = 2, at = imp_reshape(im, at, 2, ad, tmp_name(im, "a2d"));
  if (b1)
    bd[0] = b.dims[0], bd[1] = 1, br = 2;
  const int32_t btt = imp_const_tensor(im, tmp_name(im, "b"), TA_DT_I16, br, bd, bc);
  const int32_t acc = imp_tensor(im, tmp_name(im, "acc"), TA_DT_I32);
  const int32_t in[2] = {at, btt};
  if (at < 0 || btt < 0 || acc < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  if (qlinear) {
    float *sc = ta_new_array(im->ctx, (size_t)n, sizeof *sc);
    int64_t *z = ta_new_array(im->ctx, (size_t)n, sizeof *z);
    if (!sc || !z)
      return TA_ERR_LIMIT;
    for (int32_t j = 0; j < n; j++)
      sc[j] = (float)((double)aq.scale[0] * (double)bq.scale[bq.count == 1 ? 0 : j]);
    if (!set_quant(im, acc, bq.count == 1 ? 1 : n, bq.count == 1 ? 0 : -1, sc, z))
      return TA_ERR_LIMIT;
  }
  if (imp_op(im, TA_OP_BATCH_MATMUL, in, 2, &acc, 1, NULL) != TA_OK)
    return im->st;
  int32_t y = acc;
  const ta_tensor *yt = &im->g->tensors[acc];
  if (qlinear && yt->q.count > 1)
    im->g->tensors[acc].q.axis = yt->rank - 1;
  if (qlinear) {
    const ta_dtype y_dt = a->dtype;
    const int32_t yq8 = imp_tensor(im, tmp_name(im, "y"), y_dt);
    if (yq8 < 0 || !set_quant(im, yq8, 1, 0, yq.scale, yq.zp) ||
        imp_op(im, TA_OP_QUANTIZE, &acc, 1, &yq8, 1, NULL) != TA_OK)
      return im->st;
    y = strip_q(im, yq8);
  }
  if (a1 || b1) {
    yt = &im->g->tensors[y];
    int32_t dims[TA_MAX_RANK], r = 0;
    for (int32_t k = 0; k < yt->rank; k++) {
      if ((a1 && k == yt->rank - 2) || (b1 && k == yt->rank - 1))
        continue;
      dims[r++] = yt->dims[k];
    }
    y = imp_reshape(im, y, r, dims, out_name(im, 0));
  }
  return imp_out(im, 0, y, false);
}

static ta_status cv_qlinear_matmul(onnx_imp *im) {
  return integer_matmul(im, true);
}
static ta_status cv_matmul_integer(onnx_imp *im) {
  return integer_matmul(im, false);
}

/* ---- shape arithmetic and data selection ----------------------------------------------------
 * Shape (and Size) of a value are constants: every shape is static at import (a dynamic input
 * dim is fixed by --input-shape). The arithmetic PyTorch exports around them (Gather,
 * Unsqueeze, Concat, Add/Mul/Div on int64, Slice, Cast, Reshape) goes through the usual IR
 * ops, whose runtime kernels evaluate them at once when every input is constant (imp_op
 * folds), so the whole subgraph becomes constants before the graph is checked. Operators that
 * only make sense on constants here (ConstantOfShape, Range, Expand of a constant) are
 * evaluated by their converter directly and refused on run-time values. */

static ta_status cv_shape(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t start = 0, end = x->rank;
  if (!imp_attr_int(im, "start", 0, &start) || !imp_attr_int(im, "end", x->rank, &end))
    return im->st;
  const int64_t r = x->rank;
  start = start < 0 ? start + r : start;
  end = end < 0 ? end + r : end;
  start = start < 0 ? 0 : start > r ? r : start;
  end = end < 0 ? 0 : end > r ? r : end;
  int64_t v[TA_MAX_RANK];
  int32_t n = 0;
  for (int64_t k = start; k < end; k++)
    v[n++] = x->dims[k];
  if (n == 0)
    return imp_err(im, TA_ERR_UNSUPPORTED, "the output is empty (start %lld, end %lld)",
                   (long long)start, (long long)end);
  return imp_out(im, 0, imp_const_tensor(im, out_name(im, 0), TA_DT_I64, 1, &n, v), false);
}

static ta_status cv_size(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t n = 1;
  for (int32_t k = 0; k < x->rank; k++)
    n *= x->dims[k];
  return imp_out(im, 0, imp_const_tensor(im, out_name(im, 0), TA_DT_I64, 0, NULL, &n), false);
}

static ta_status cv_gather(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data"), *iv = imp_in_req(im, 1, "indices");
  if (!x || !iv)
    return TA_ERR_MALFORMED;
  int64_t axis;
  if (!imp_attr_int(im, "axis", 0, &axis))
    return im->st;
  if (axis < -x->rank || axis >= x->rank)
    return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range for rank %d", (long long)axis,
                   x->rank);
  const ta_tensor *it = imp_const_req(im, iv, "indices");
  if (!it)
    return im->st;
  const int32_t idx = (int32_t)(it - im->g->tensors);
  int32_t t = imp_plain(im, x);
  if (x->dtype != TA_DT_F32)
    t = strip_q(im, t);
  ta_attrs a = imp_attrs();
  a.axis = norm_axis(axis, x->rank);
  const int32_t in[2] = {t, idx};
  const int32_t y = imp_tensor(im, out_name(im, 0), x->dtype);
  if (t < 0 || imp_op(im, TA_OP_GATHER, in, 2, &y, 1, &a) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, false);
}

/* The tensor of x to slice and whether it is channels-last; cl_of[k] is the ONNX dim of
 * tensor dim k. */
static int32_t select_form(onnx_imp *im, oval *x, int32_t *cl_of, bool *cl) {
  *cl = imp_cl_rank(x->rank) && imp_has_cl(x) && !imp_const(im, x);
  if (*cl)
    imp_cl_perm(x->rank, cl_of);
  else
    for (int32_t k = 0; k < x->rank; k++)
      cl_of[k] = k;
  return *cl ? imp_cl(im, x) : imp_plain(im, x);
}

/* An int32 bound for python slicing of a dim of `dim` elements: values past either end
 * behave like -dim - 1 or dim, which fit. */
static int32_t clamp_bound(int64_t v, int32_t dim) {
  return (int32_t)(v < -(int64_t)dim - 1 ? -(int64_t)dim - 1 : v > dim ? dim : v);
}

static ta_status cv_slice(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  const int32_t r = x->rank;
  int64_t starts[TA_MAX_RANK], ends[TA_MAX_RANK], axes[TA_MAX_RANK], steps[TA_MAX_RANK];
  int32_t ns = -1, ne = -1, na = -1, nst = -1;
  if (im->opset < 10) {
    if (!imp_attr_ints(im, "starts", starts, TA_MAX_RANK, &ns) ||
        !imp_attr_ints(im, "ends", ends, TA_MAX_RANK, &ne) ||
        !imp_attr_ints(im, "axes", axes, TA_MAX_RANK, &na))
      return im->st;
  } else {
    cview c;
    if (!const_in(im, 1, "starts", &c) || !const_ints(im, &c, "starts", starts, TA_MAX_RANK, &ns) ||
        !const_in(im, 2, "ends", &c) || !const_ints(im, &c, "ends", ends, TA_MAX_RANK, &ne))
      return im->st;
    if (imp_in(im, 3) &&
        (!const_in(im, 3, "axes", &c) || !const_ints(im, &c, "axes", axes, TA_MAX_RANK, &na)))
      return im->st;
    if (imp_in(im, 4) &&
        (!const_in(im, 4, "steps", &c) || !const_ints(im, &c, "steps", steps, TA_MAX_RANK, &nst)))
      return im->st;
  }
  if (ns < 0 || ne != ns || (na >= 0 && na != ns) || (nst >= 0 && nst != ns))
    return imp_err(im, TA_ERR_MALFORMED, "starts, ends, axes and steps differ in length");
  int32_t begin[TA_MAX_RANK], end[TA_MAX_RANK], stride[TA_MAX_RANK];
  bool seen[TA_MAX_RANK] = {false};
  for (int32_t k = 0; k < r; k++) {
    begin[k] = 0;
    end[k] = x->dims[k];
    stride[k] = 1;
  }
  for (int32_t i = 0; i < ns; i++) {
    const int32_t ax = norm_axis(na >= 0 ? axes[i] : i, r);
    if (ax < 0 || ax >= r || seen[ax])
      return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range or repeated",
                     (long long)(na >= 0 ? axes[i] : i));
    seen[ax] = true;
    const int64_t step = nst >= 0 ? steps[i] : 1;
    if (step == 0 || step > INT32_MAX || step < -INT32_MAX)
      return imp_err(im, TA_ERR_MALFORMED, "step %lld along axis %d", (long long)step, ax);
    begin[ax] = clamp_bound(starts[i], x->dims[ax]);
    end[ax] = clamp_bound(ends[i], x->dims[ax]);
    stride[ax] = (int32_t)step;
  }
  int32_t cl_of[TA_MAX_RANK], vb[TA_MAX_RANK], ve[TA_MAX_RANK], vs[TA_MAX_RANK];
  bool cl;
  int32_t t = select_form(im, x, cl_of, &cl);
  for (int32_t k = 0; k < r; k++) {
    vb[k] = begin[cl_of[k]];
    ve[k] = end[cl_of[k]];
    vs[k] = stride[cl_of[k]];
  }
  const int32_t in[4] = {t, imp_const_tensor(im, tmp_name(im, "begin"), TA_DT_I32, 1, &r, vb),
                         imp_const_tensor(im, tmp_name(im, "end"), TA_DT_I32, 1, &r, ve),
                         imp_const_tensor(im, tmp_name(im, "strides"), TA_DT_I32, 1, &r, vs)};
  const int32_t y =
      imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", out_name(im, 0)) : out_name(im, 0), x->dtype);
  if (t < 0 || in[1] < 0 || in[2] < 0 || in[3] < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  im->g->tensors[y].q = im->g->tensors[t].q;
  if (imp_op(im, TA_OP_STRIDED_SLICE, in, 4, &y, 1, NULL) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, cl);
}

static ta_status cv_split(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "input");
  if (!x)
    return TA_ERR_MALFORMED;
  const int32_t n_out = (int32_t)im->node->n_output;
  if (n_out < 1 || n_out > 64)
    return imp_err(im, TA_ERR_UNSUPPORTED, "%d outputs; 1 to 64 are supported", n_out);
  int64_t axis, num = 0;
  if (!imp_attr_int(im, "axis", 0, &axis) || !imp_attr_int(im, "num_outputs", 0, &num))
    return im->st;
  const int32_t ax = norm_axis(axis, x->rank);
  if (ax < 0 || ax >= x->rank)
    return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range", (long long)axis);
  int64_t split[64];
  int32_t n = -1;
  if (im->opset < 13) {
    if (!imp_attr_ints(im, "split", split, 64, &n))
      return im->st;
  } else if (imp_in(im, 1)) {
    cview c;
    if (!const_in(im, 1, "split", &c) || !const_ints(im, &c, "split", split, 64, &n))
      return im->st;
  }
  const int32_t dim = x->dims[ax];
  if (n < 0) {
    /* Equal parts; from opset 18 (num_outputs) the last one may be smaller. */
    const int32_t part = (dim + n_out - 1) / n_out;
    if (num == 0 && dim % n_out)
      return imp_err(im, TA_ERR_MALFORMED, "dim %d (%d) does not split into %d equal parts", ax,
                     dim, n_out);
    n = n_out;
    for (int32_t i = 0; i < n; i++)
      split[i] = i < n - 1 ? part : dim - (int64_t)part * (n - 1);
  }
  if (n != n_out)
    return imp_err(im, TA_ERR_MALFORMED, "split has %d sizes for %d outputs", n, n_out);
  int32_t sizes[64];
  for (int32_t i = 0; i < n; i++) {
    if (split[i] < 0 || split[i] > dim)
      return imp_err(im, TA_ERR_MALFORMED, "split[%d] is %lld", i, (long long)split[i]);
    sizes[i] = (int32_t)split[i];
  }
  int32_t cl_of[TA_MAX_RANK];
  bool cl;
  const int32_t t = select_form(im, x, cl_of, &cl);
  int32_t tax = ax;
  for (int32_t k = 0; k < x->rank; k++)
    if (cl_of[k] == ax)
      tax = k;
  const int32_t in[3] = {t, imp_const_tensor(im, tmp_name(im, "sizes"), TA_DT_I32, 1, &n, sizes),
                         imp_const_tensor(im, tmp_name(im, "axis"), TA_DT_I32, 0, NULL, &tax)};
  int32_t ys[64];
  for (int32_t i = 0; i < n; i++) {
    const char *nm = out_name(im, i);
    ys[i] = imp_tensor(im, cl ? ta_fmt(im->ctx, "%s_nhwc", nm) : nm, x->dtype);
    if (ys[i] < 0 || t < 0)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
    im->g->tensors[ys[i]].q = im->g->tensors[t].q;
  }
  if (in[1] < 0 || in[2] < 0 || imp_op(im, TA_OP_SPLIT_V, in, 3, ys, n, NULL) != TA_OK)
    return im->st;
  for (int32_t i = 0; i < n; i++) {
    ta_status st = imp_out(im, i, ys[i], cl);
    if (st != TA_OK)
      return st;
  }
  return TA_OK;
}

/* ReduceMean / ReduceMax / ReduceMin / ReduceSum (float32) -> MEAN / REDUCE_MAX / REDUCE_MIN /
 * SUM. axes: an attribute before opset 18 (ReduceSum: 13), the optional input 1 after; none
 * (or empty) reduces every axis, or, with noop_with_empty_axes, is the identity. A
 * channels-last input is reduced in place (its axes renamed) when the output keeps its form:
 * keepdims, or the kept dims in ONNX order. */
static ta_status reduce(onnx_imp *im, ta_op_kind kind) {
  oval *x = imp_in_req(im, 0, "data");
  if (!x)
    return TA_ERR_MALFORMED;
  if (need_float(im, x, "input") != TA_OK)
    return im->st;
  const int64_t axes_input_from = kind == TA_OP_SUM ? 13 : 18;
  int64_t keep = 1, noop = 0, axes[TA_MAX_RANK];
  int32_t n = -1;
  if (!imp_attr_int(im, "keepdims", 1, &keep) ||
      !imp_attr_int(im, "noop_with_empty_axes", 0, &noop))
    return im->st;
  if (im->opset < axes_input_from) {
    if (!imp_attr_ints(im, "axes", axes, TA_MAX_RANK, &n))
      return im->st;
  } else if (imp_in(im, 1)) {
    cview c;
    if (!const_in(im, 1, "axes", &c) || !const_ints(im, &c, "axes", axes, TA_MAX_RANK, &n))
      return im->st;
  }
  if (n <= 0 && noop)
    return imp_alias(im, 0, x);
  if (x->rank < 1)
    return imp_err(im, TA_ERR_UNSUPPORTED, "the input is a scalar; expected rank >= 1");
  bool red[TA_MAX_RANK] = {false};
  for (int32_t i = 0; i < n; i++) {
    const int32_t ax = norm_axis(axes[i], x->rank);
    if (ax < 0 || ax >= x->rank)
      return imp_err(im, TA_ERR_MALFORMED, "axis %lld is out of range for rank %d",
                     (long long)axes[i], x->rank);
    red[ax] = true;
  }
  for (int32_t k = 0; n <= 0 && k < x->rank; k++)
    red[k] = true;
  int32_t cl_of[TA_MAX_RANK];
  bool cl;
  int32_t t = select_form(im, x, cl_of, &cl);
  if (cl && !keep) {
    int32_t last = -1;
    for (int32_t k = 0; k < x->rank; k++)
      if (!red[cl_of[k]]) {
        if (cl_of[k] < last) {
          cl = false;
          t = imp_plain(im, x);
          for (int32_t j = 0; j < x->rank; j++)
            cl_of[j] = j;
          break;
        }
        last = cl_of[k];
      }
  }
  int32_t tax[TA_MAX_RANK], n_tax = 0;
  for (int32_t k = 0; k < x->rank; k++)
    if (red[cl_of[k]])
      tax[n_tax++] = k;
  ta_attrs a = imp_attrs();
  a.keep_dims = keep != 0;
  const bool out_cl = cl && keep;
  const char *nm = out_name(im, 0);
  const int32_t in[2] = {t, imp_const_tensor(im, tmp_name(im, "axes"), TA_DT_I32, 1, &n_tax, tax)};
  const int32_t y = imp_tensor(im, out_cl ? ta_fmt(im->ctx, "%s_nhwc", nm) : nm, x->dtype);
  if (t < 0 || in[1] < 0 || y < 0 || imp_op(im, kind, in, 2, &y, 1, &a) != TA_OK)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return imp_out(im, 0, y, out_cl);
}

static ta_status cv_reduce_mean(onnx_imp *im) {
  return reduce(im, TA_OP_MEAN);
}
static ta_status cv_reduce_max(onnx_imp *im) {
  return reduce(im, TA_OP_REDUCE_MAX);
}
static ta_status cv_reduce_min(onnx_imp *im) {
  return reduce(im, TA_OP_REDUCE_MIN);
}
static ta_status cv_reduce_sum(onnx_imp *im) {
  return reduce(im, TA_OP_SUM);
}

static ta_status cv_cast(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "input");
  if (!x)
    return TA_ERR_MALFORMED;
  int64_t to;
  if (!imp_attr_int(im, "to", 0, &to))
    return im->st;
  const ta_dtype dt = ta_onnx_dtype((int32_t)to);
  if (dt == TA_DT_UNKNOWN || dt == TA_DT_F16 || dt == TA_DT_F64)
    return imp_err(im, TA_ERR_UNSUPPORTED, "cast to %s is not supported",
                   ta_onnx_type_name((int32_t)to));
  bool cl;
  int32_t t = any_form(im, x, &cl);
  if (dt == x->dtype)
    return imp_out(im, 0, t, cl);
  t = strip_q(im, t);
  const int32_t y = imp_tensor(im, out_name(im, 0), dt);
  if (t < 0 || imp_op(im, TA_OP_CAST, &t, 1, &y, 1, NULL) != TA_OK)
    return im->st;
  return imp_out(im, 0, y, cl);
}

/* A constant filled from a shape and one value of dt (element bytes `eb` at `value`). */
static int32_t filled_const(onnx_imp *im, ta_dtype dt, int32_t rank, const int32_t *dims,
                            const void *value) {
  const size_t eb = ta_dtype_size(dt);
  size_t n = 1;
  for (int32_t k = 0; k < rank; k++)
    if (!ta_mul_size(n, (size_t)dims[k], &n) || n * eb > TA_MAX_CONST_BYTES) {
      imp_err(im, TA_ERR_LIMIT, "the constant would exceed %zu bytes", (size_t)TA_MAX_CONST_BYTES);
      return -1;
    }
  uint8_t *d = ta_new(im->ctx, n * eb > 0 ? n * eb : 1);
  if (!d)
    return -1;
  for (size_t i = 0; i < n; i++)
    memcpy(d + i * eb, value, eb);
  return imp_const_tensor(im, out_name(im, 0), dt, rank, dims, d);
}

/* A constant shape operand (1-D int64) into dims; false (reported) when bad. */
static bool shape_operand(onnx_imp *im, int32_t k, int32_t *rank, int32_t *dims) {
  cview c;
  int64_t v[TA_MAX_RANK];
  if (!const_in(im, k, "shape", &c) || !const_ints(im, &c, "shape", v, TA_MAX_RANK, rank))
    return false;
  for (int32_t i = 0; i < *rank; i++) {
    if (v[i] < 1 || v[i] > INT32_MAX) {
      imp_err(im, v[i] == 0 ? TA_ERR_UNSUPPORTED : TA_ERR_MALFORMED,
              "shape[%d] is %lld (empty tensors are not supported)", i, (long long)v[i]);
      return false;
    }
    dims[i] = (int32_t)v[i];
  }
  return true;
}

static ta_status cv_constant_of_shape(onnx_imp *im) {
  int32_t rank, dims[TA_MAX_RANK];
  if (!shape_operand(im, 0, &rank, dims))
    return im->st;
  ta_dtype dt = TA_DT_F32;
  uint8_t value[8] = {0};
  const Onnx__AttributeProto *a = ta_onnx_attr(im->node, "value");
  if (a && a->t) {
    ta_onnx_tensor t;
    ta_status st = ta_onnx_decode_tensor(im->ctx, a->t, "attribute value", &t);
    if (st != TA_OK)
      return imp_err(im, st, "its value cannot be used");
    if (t.bytes != ta_dtype_size(t.dtype) || t.bytes > sizeof value)
      return imp_err(im, TA_ERR_MALFORMED, "value must hold one element");
    dt = t.dtype;
    memcpy(value, t.data, t.bytes);
  }
  return imp_out(im, 0, filled_const(im, dt, rank, dims, value), false);
}

/* Expand of a constant (numpy broadcasting to shape): evaluated here. */
static ta_status cv_expand(onnx_imp *im) {
  oval *x = imp_in_req(im, 0, "input");
  if (!x)
    return TA_ERR_MALFORMED;
  int32_t rank, dims[TA_MAX_RANK];
  if (!shape_operand(im, 1, &rank, dims))
    return im->st;
  const ta_tensor *xt = imp_const(im, x);
  if (!xt)
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "input \"%s\" is computed at run time; tinyaot expands constants only", x->name);
  cview c;
  view_of(xt, &c);
  /* The output: the broadcast of the input's shape and `shape`. */
  int32_t r = rank > c.rank ? rank : c.rank, od[TA_MAX_RANK];
  for (int32_t k = 0; k < r; k++) {
    const int32_t a = k - (r - c.rank) >= 0 ? c.dims[k - (r - c.rank)] : 1;
    const int32_t b = k - (r - rank) >= 0 ? dims[k - (r - rank)] : 1;
    if (a != b && a != 1 && b != 1)
      return imp_err(im, TA_ERR_MALFORMED, "dim %d: %d does not broadcast to %d", k, a, b);
    od[k] = a == 1 ? b : a;
  }
  size_t n = 1;
  const size_t eb = ta_dtype_size(c.dt);
  for (int32_t k = 0; k < r; k++)
    if (!ta_mul_size(n, (size_t)od[k], &n) || n * eb > TA_MAX_CONST_BYTES)
      return imp_err(im, TA_ERR_LIMIT, "the result would be too large");
  uint8_t *d = ta_new(im->ctx, n * eb > 0 ? n * eb : 1);
  if (!d)
    return TA_ERR_LIMIT;
  for (size_t i = 0; i < n; i++) {
    size_t rem = i, src = 0, stride = 1;
    for (int32_t k = r - 1; k >= 0; k--) {
      const size_t ik = rem % (size_t)od[k];
      rem /= (size_t)od[k];
      const int32_t xk = k - (r - c.rank);
      if (xk >= 0) {
        if (c.dims[xk] != 1)
          src += ik * stride;
        stride *= (size_t)c.dims[xk];
      }
    }
    memcpy(d + i * eb, c.data + src * eb, eb);
  }
  return imp_out(im, 0, imp_const_tensor(im, out_name(im, 0), c.dt, r, od, d), false);
}

/* Range of constants: start, start + delta, ... up to limit (excluded). */
static ta_status cv_range(onnx_imp *im) {
  cview cs, cl, cd;
  if (!const_in(im, 0, "start", &cs) || !const_in(im, 1, "limit", &cl) ||
      !const_in(im, 2, "delta", &cd))
    return im->st;
  if (cs.n != 1 || cl.n != 1 || cd.n != 1 || cs.dt != cl.dt || cs.dt != cd.dt)
    return imp_err(im, TA_ERR_MALFORMED, "start, limit and delta must be scalars of one type");
  const ta_dtype dt = cs.dt;
  const bool fl = dt == TA_DT_F32;
  if (!fl && dt != TA_DT_I32 && dt != TA_DT_I64 && dt != TA_DT_I16)
    return imp_err(im, TA_ERR_UNSUPPORTED, "Range of %s is not supported", ta_dtype_name(dt));
  const double s = cv_f(&cs, 0), l = cv_f(&cl, 0), dd = cv_f(&cd, 0);
  if (dd == 0.0 || !(s == s) || !(l == l))
    return imp_err(im, TA_ERR_MALFORMED, "delta is 0 or a bound is NaN");
  const double cnt = ceil((l - s) / dd);
  if (!(cnt >= 1.0))
    return imp_err(im, TA_ERR_UNSUPPORTED, "the result is empty (empty tensors are not supported)");
  if (cnt > (double)(TA_MAX_CONST_BYTES / 8))
    return imp_err(im, TA_ERR_LIMIT, "the result would have %.0f elements", cnt);
  const int32_t n = (int32_t)cnt;
  const size_t eb = ta_dtype_size(dt);
  uint8_t *d = ta_new(im->ctx, (size_t)n * eb);
  if (!d)
    return TA_ERR_LIMIT;
  const int64_t is = cv_i(&cs, 0), id = cv_i(&cd, 0);
  for (int32_t i = 0; i < n; i++) {
    if (fl) {
      const float f = (float)(s + dd * i);
      memcpy(d + 4 * (size_t)i, &f, 4);
    } else {
      const int64_t v = is + id * i;
      const int32_t v32 = (int32_t)v;
      const int16_t v16 = (int16_t)v;
      memcpy(d + eb * (size_t)i,
             eb == 8   ? (const void *)&v
             : eb == 4 ? (const void *)&v32
                       : (const void *)&v16,
             eb);
    }
  }
  return imp_out(im, 0, imp_const_tensor(im, out_name(im, 0), dt, 1, &n, d), false);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define B(k) (1u << (k))

/* ---- LSTM, GRU ------------------------------------------------------------------------ */

/* An ONNX LSTM or GRU node as the IR runs it: one LSTM / GRU op per direction, each over the
 * sequence in its own time order. The reverse direction reads X reversed along time
 * (STRIDED_SLICE, stride -1) and its Y is reversed back; two directions' Y and final states
 * are concatenated along the direction axis (ONNX's Y [T, dirs, B, H], Y_h / Y_c
 * [dirs, B, H]; layout 1: [B, T, dirs, H] and [B, dirs, H]). The copies cost little next to
 * the recurrence and keep one kernel for all three directions. */
typedef struct rnn_node {
  bool lstm;
  int32_t gates, dirs, n_out; /* gates 4 (LSTM) or 3 (GRU); dirs 1 or 2; node outputs */
  bool reverse;               /* direction "reverse" (dirs 1) */
  bool tm;                    /* layout 0: time-major */
  int64_t h;                  /* hidden_size */
  bool lbr;                   /* GRU linear_before_reset */
  bool peepholes;             /* LSTM: peephole inputs (not all zero) */
} rnn_node;

/* The attributes of ONNX's recurrent ops that tinyaot runs: the three directions, the default
 * activations (given or not, once per direction), no clip; layout 0 or 1. acts: the default
 * list of one direction. */
static ta_status rnn_attrs(onnx_imp *im, const char *const *acts, int32_t n_acts, rnn_node *rn) {
  const char *dir;
  int64_t layout;
  if (!imp_attr_int(im, "hidden_size", 0, &rn->h) ||
      !imp_attr_string(im, "direction", "forward", &dir) || !imp_attr_int(im, "layout", 0, &layout))
    return im->st;
  rn->reverse = strcmp(dir, "reverse") == 0;
  rn->dirs = strcmp(dir, "bidirectional") == 0 ? 2 : 1;
  if (strcmp(dir, "forward") != 0 && !rn->reverse && rn->dirs != 2)
    return imp_err(im, TA_ERR_MALFORMED,
                   "direction \"%s\" is not one of \"forward\", \"reverse\", \"bidirectional\"",
                   dir);
  if (layout != 0 && layout != 1)
    return imp_err(im, TA_ERR_MALFORMED, "layout is %lld; expected 0 or 1", (long long)layout);
  rn->tm = layout == 0;
  if (ta_onnx_attr(im->node, "clip"))
    return imp_err(im, TA_ERR_UNSUPPORTED, "attribute clip is not supported");
  if (ta_onnx_attr(im->node, "activation_alpha") || ta_onnx_attr(im->node, "activation_beta"))
    return imp_err(im, TA_ERR_UNSUPPORTED,
                   "attributes activation_alpha and activation_beta are not supported");
  const Onnx__AttributeProto *a = ta_onnx_attr(im->node, "activations");
  if (a) {
    bool same = a->n_strings == (size_t)(n_acts * rn->dirs);
    for (int32_t k = 0; same && k < n_acts * rn->dirs; k++)
      same = a->strings[k].len == strlen(acts[k % n_acts]) &&
             memcmp(a->strings[k].data, acts[k % n_acts], a->strings[k].len) == 0;
    if (!same)
      return imp_err(
          im, TA_ERR_UNSUPPORTED,
          "attribute activations is not supported unless it is the default (%s, %s%s%s%s)", acts[0],
          acts[1], n_acts > 2 ? ", " : "", n_acts > 2 ? acts[2] : "",
          rn->dirs == 2 ? ", for each direction" : "");
  }
  return TA_OK;
}

/* Rows [row0, row0 + rows) of the constant float matrix v ([1, R, C] or [R, C]), as a new
 * constant [rows, cols] (cols 0: a vector [rows]); add (may be NULL) is added element-wise from
 * rows [add_row0, ...) of the same layout. -1 on failure (reported). */
static int32_t gate_slice(onnx_imp *im, const cview *v, int32_t row0, int32_t rows, int32_t cols,
                          const cview *add, int32_t add_row0, const char *what) {
  const int32_t width = cols > 0 ? cols : 1;
  float *d = ta_new_array(im->ctx, (size_t)rows * (size_t)width, sizeof *d);
  if (!d)
    return -1;
  for (int32_t r = 0; r < rows; r++)
    for (int32_t c = 0; c < width; c++) {
      const size_t i = (size_t)(row0 + r) * (size_t)width + (size_t)c;
      float x = (float)cv_f(v, i);
      if (add)
        x += (float)cv_f(add, (size_t)(add_row0 + r) * (size_t)width + (size_t)c);
      d[(size_t)r * (size_t)width + (size_t)c] = x;
    }
  const int32_t dims[2] = {rows, cols};
  return imp_const_tensor(im, tmp_name(im, what), TA_DT_F32, cols > 0 ? 2 : 1, dims, d);
}

/* X, W, R, B and sequence_lens of an ONNX LSTM or GRU: checks common to both. */
static ta_status rnn_inputs(onnx_imp *im, const rnn_node *rn, oval **x, cview *w, cview *r,
                            cview *b, bool *has_b) {
  *x = imp_in_req(im, 0, "X");
  oval *wv = imp_in_req(im, 1, "W"), *rv = imp_in_req(im, 2, "R"), *bv = imp_in(im, 3);
  if (!*x || !wv || !rv)
    return TA_ERR_MALFORMED;
  if (need_float(im, *x, "input X") != TA_OK)
    return im->st;
  const ta_tensor *wt = imp_const_req(im, wv, "W"), *rt = imp_const_req(im, rv, "R");
  const ta_tensor *bt = bv ? imp_const_req(im, bv, "B") : NULL;
  if (!wt || !rt || (bv && !bt))
    return im->st;
  view_of(wt, w);
  view_of(rt, r);
  *has_b = bt != NULL;
  if (bt)
    view_of(bt, b);
  const int64_t h = rn->h, g = rn->gates, d = rn->dirs;
  const int32_t in_size = (*x)->rank == 3 ? (*x)->dims[2] : 0;
  if ((*x)->rank != 3 || h < 1 || h > 65536 || w->dt != TA_DT_F32 || r->dt != TA_DT_F32 ||
      w->n != (size_t)(d * g * h * in_size) || r->n != (size_t)(d * g * h * h) ||
      (bt && (b->dt != TA_DT_F32 || b->n != (size_t)(d * 2 * g * h))))
    return imp_err(im, TA_ERR_MALFORMED,
                   "X, W, R, B do not fit hidden_size %lld with %d gates (float32, %lld "
                   "direction%s: W [%lld,%lld,I], R [%lld,%lld,%lld], B [%lld,%lld])",
                   (long long)h, rn->gates, (long long)d, d > 1 ? "s" : "", (long long)d,
                   (long long)(g * h), (long long)d, (long long)(g * h), (long long)h, (long long)d,
                   (long long)(2 * g * h));
  /* sequence_lens: every batch row runs the whole sequence, so only that value is taken. */
  oval *sv = imp_in(im, 4);
  if (sv) {
    const int32_t steps = rn->tm ? (*x)->dims[0] : (*x)->dims[1];
    cview c;
    bool full = view_of(imp_const(im, sv), &c) && (c.dt == TA_DT_I32 || c.dt == TA_DT_I64);
    for (size_t k = 0; full && k < c.n; k++)
      full = cv_f(&c, k) == (double)steps;
    if (!full)
      return imp_err(im, TA_ERR_UNSUPPORTED,
                     "input sequence_lens is supported only as a constant in which every "
                     "sequence has the full length %d",
                     steps);
  }
  return TA_OK;
}

/* A view of plain tensor t reversed along axis (STRIDED_SLICE, stride -1), or, with take >= 0,
 * the one element `take` of that axis (the axis kept, of size 1). -1 on failure. */
static int32_t rnn_slice(onnx_imp *im, int32_t t, int32_t axis, int32_t take, const char *what) {
  if (t < 0)
    return -1;
  const ta_tensor *x = &im->g->tensors[t];
  const int32_t r = x->rank, n = x->dims[axis];
  int32_t vb[TA_MAX_RANK], ve[TA_MAX_RANK], vs[TA_MAX_RANK];
  for (int32_t k = 0; k < r; k++) {
    vb[k] = 0;
    ve[k] = x->dims[k];
    vs[k] = 1;
  }
  if (take >= 0) {
    vb[axis] = take;
    ve[axis] = take + 1;
  } else {
    vb[axis] = n - 1;
    ve[axis] = -n - 1; /* python's rules: past the first element, going down */
    vs[axis] = -1;
  }
  const int32_t in[4] = {t, imp_const_tensor(im, tmp_name(im, "begin"), TA_DT_I32, 1, &r, vb),
                         imp_const_tensor(im, tmp_name(im, "end"), TA_DT_I32, 1, &r, ve),
                         imp_const_tensor(im, tmp_name(im, "strides"), TA_DT_I32, 1, &r, vs)};
  const int32_t y = imp_tensor(im, tmp_name(im, what), x->dtype);
  if (in[1] < 0 || in[2] < 0 || in[3] < 0 || y < 0 ||
      imp_op(im, TA_OP_STRIDED_SLICE, in, 4, &y, 1, NULL) != TA_OK)
    return -1;
  return y;
}

/* Initial state k (5 initial_h, 6 initial_c) of direction d: -1 absent, -2 failed. */
static int32_t initial_state(onnx_imp *im, const rnn_node *rn, int32_t k, int32_t d) {
  oval *v = imp_in(im, k);
  if (!v)
    return -1;
  if (need_float(im, v, k == 5 ? "initial_h" : "initial_c") != TA_OK)
    return -2;
  int32_t t = imp_plain(im, v);
  if (t >= 0 && rn->dirs > 1) {
    const ta_tensor *s = &im->g->tensors[t];
    const int32_t axis = rn->tm ? 0 : 1;
    if (s->rank != 3 || s->dims[axis] != rn->dirs) {
      char sb[64];
      imp_err(im, TA_ERR_MALFORMED, "%s has shape %s; expected [%s]",
              k == 5 ? "initial_h" : "initial_c", ta_shape_str(s, sb, sizeof sb),
              rn->tm ? "2, batch, hidden" : "batch, 2, hidden");
      return -2;
    }
    t = rnn_slice(im, t, axis, d, k == 5 ? "h0" : "c0");
  }
  return t < 0 ? -2 : t;
}

/* The IR ops of the node (see rnn_node): in_of(d) fills the op inputs of direction d from
 * weights already checked; outs[k] receives the node's output k (or -1 when unused). */
typedef ta_status (*rnn_dir_inputs)(onnx_imp *im, const rnn_node *rn, int32_t d, int32_t x,
                                    int32_t *in, const void *ctx);

static ta_status rnn_build(onnx_imp *im, const rnn_node *rn, oval *xv, rnn_dir_inputs in_of,
                           const void *wctx) {
  const int32_t n_in = rn->lstm ? (rn->peepholes ? 18 : 15) : 14, time_axis = rn->tm ? 0 : 1;
  const int32_t x = imp_plain(im, xv);
  if (x < 0)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  const bool plain = rn->dirs == 1 && !rn->reverse;
  int32_t xr = -1, outs[2][3];
  for (int32_t d = 0; d < rn->dirs; d++) {
    const bool rev = rn->reverse || d == 1;
    if (rev && xr < 0 && (xr = rnn_slice(im, x, time_axis, -1, "X_reversed")) < 0)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
    int32_t in[18];
    ta_status st = in_of(im, rn, d, rev ? xr : x, in, wctx);
    if (st != TA_OK)
      return st;
    for (int32_t k = 0; k < rn->n_out; k++)
      outs[d][k] = imp_tensor(im,
                              plain && imp_out_used(im, k)
                                  ? out_name(im, k)
                                  : tmp_name(im, ta_fmt(im->ctx, "%s_%s",
                                                        k == 0   ? "Y"
                                                        : k == 1 ? "Y_h"
                                                                 : "Y_c",
                                                        rev ? "reverse" : "forward")),
                              TA_DT_F32);
    ta_attrs a = imp_attrs();
    a.time_major = rn->tm;
    a.linear_before_reset = rn->lbr;
    if (imp_op(im, rn->lstm ? TA_OP_LSTM : TA_OP_GRU, in, n_in, outs[d], rn->n_out, &a) != TA_OK)
      return im->st;
    if (rev && imp_out_used(im, 0) &&
        (outs[d][0] = rnn_slice(im, outs[d][0], time_axis, -1, "Y_reverse_in_order")) < 0)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  }
  for (int32_t k = 0; k < rn->n_out; k++) {
    if (!imp_out_used(im, k))
      continue;
    int32_t y = outs[0][k];
    if (rn->dirs == 2) {
      /* The direction axis: after time in Y, first (layout 1: after batch) in the states. */
      ta_attrs a = imp_attrs();
      a.axis = k == 0 ? (rn->tm ? 1 : 2) : (rn->tm ? 0 : 1);
      const int32_t two[2] = {outs[0][k], outs[1][k]};
      y = imp_tensor(im, out_name(im, k), TA_DT_F32);
      if (imp_op(im, TA_OP_CONCATENATION, two, 2, &y, 1, &a) != TA_OK)
        return im->st;
    }
    if (imp_out(im, k, y, false) != TA_OK)
      return im->st;
  }
  return TA_OK;
}

typedef struct rnn_weights {
  cview w, r, b, p;
  bool has_b, has_p; /* has_p: LSTM peepholes, not all zero */
  int32_t in_size;
} rnn_weights;

/* ONNX LSTM: gates i, o, f, c in W, R and B; the kernel takes i, f, c, o. */
static ta_status lstm_dir_inputs(onnx_imp *im, const rnn_node *rn, int32_t d, int32_t x,
                                 int32_t *in, const void *ctx) {
  const rnn_weights *wt = ctx;
  const int32_t hh = (int32_t)rn->h, base = d * 4 * hh;
  static const int32_t onnx_gate[4] = {0, 2, 3, 1}; /* ours i f c o -> ONNX's index */
  in[0] = x;
  for (int32_t k = 0; k < 4; k++) {
    const int32_t o = onnx_gate[k];
    in[1 + k] = gate_slice(im, &wt->w, base + o * hh, hh, wt->in_size, NULL, 0, "W");
    in[5 + k] = gate_slice(im, &wt->r, base + o * hh, hh, hh, NULL, 0, "R");
    in[9 + k] = wt->has_b ? gate_slice(im, &wt->b, 2 * base + o * hh, hh, 0, &wt->b,
                                       2 * base + (4 + o) * hh, "B")
                          : -1;
    if (in[1 + k] < 0 || in[5 + k] < 0 || (wt->has_b && in[9 + k] < 0))
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  }
  in[13] = initial_state(im, rn, 5, d);
  in[14] = initial_state(im, rn, 6, d);
  if (in[13] == -2 || in[14] == -2)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  /* P [dirs, 3H]: i, o, f; the kernel takes i, f, o. */
  static const int32_t onnx_peep[3] = {0, 2, 1};
  for (int32_t k = 0; wt->has_p && k < 3; k++)
    if ((in[15 + k] = gate_slice(im, &wt->p, d * 3 * hh + onnx_peep[k] * hh, hh, 0, NULL, 0, "P")) <
        0)
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return TA_OK;
}

static ta_status cv_lstm(onnx_imp *im) {
  static const char *const acts[3] = {"Sigmoid", "Tanh", "Tanh"};
  rnn_node rn = {.lstm = true, .gates = 4, .n_out = 3};
  int64_t input_forget;
  if (rnn_attrs(im, acts, 3, &rn) != TA_OK || !imp_attr_int(im, "input_forget", 0, &input_forget))
    return im->st;
  if (input_forget != 0)
    return imp_err(im, TA_ERR_UNSUPPORTED, "input_forget %lld is not supported (only 0)",
                   (long long)input_forget);
  oval *x;
  rnn_weights wt;
  if (rnn_inputs(im, &rn, &x, &wt.w, &wt.r, &wt.b, &wt.has_b) != TA_OK)
    return im->st;
  wt.in_size = x->dims[2];
  /* Peepholes: all zero, they change nothing (the plain kernel runs). */
  oval *pv = imp_in(im, 7);
  wt.has_p = false;
  if (pv) {
    const ta_tensor *pt = imp_const_req(im, pv, "P");
    if (!pt)
      return im->st;
    view_of(pt, &wt.p);
    if (wt.p.dt != TA_DT_F32 || wt.p.n != (size_t)(rn.dirs * 3 * rn.h))
      return imp_err(im, TA_ERR_MALFORMED, "P is %s with %zu elements; expected float32 [%d,%lld]",
                     ta_dtype_name(wt.p.dt), wt.p.n, rn.dirs, (long long)(3 * rn.h));
    for (size_t k = 0; !wt.has_p && k < wt.p.n; k++)
      wt.has_p = cv_f(&wt.p, k) != 0.0;
  }
  rn.peepholes = wt.has_p;
  return rnn_build(im, &rn, x, lstm_dir_inputs, &wt);
}

/* ONNX GRU: gates z, r, h in W, R and B (Wb then Rb). */
static ta_status gru_dir_inputs(onnx_imp *im, const rnn_node *rn, int32_t d, int32_t x, int32_t *in,
                                const void *ctx) {
  const rnn_weights *wt = ctx;
  const int32_t hh = (int32_t)rn->h, base = d * 3 * hh;
  in[0] = x;
  for (int32_t k = 0; k < 3; k++) {
    in[1 + k] = gate_slice(im, &wt->w, base + k * hh, hh, wt->in_size, NULL, 0, "W");
    in[4 + k] = gate_slice(im, &wt->r, base + k * hh, hh, hh, NULL, 0, "R");
    in[7 + k] = wt->has_b ? gate_slice(im, &wt->b, 2 * base + k * hh, hh, 0, NULL, 0, "Wb") : -1;
    in[10 + k] =
        wt->has_b ? gate_slice(im, &wt->b, 2 * base + (3 + k) * hh, hh, 0, NULL, 0, "Rb") : -1;
    if (in[1 + k] < 0 || in[4 + k] < 0 || (wt->has_b && (in[7 + k] < 0 || in[10 + k] < 0)))
      return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  }
  in[13] = initial_state(im, rn, 5, d);
  if (in[13] == -2)
    return im->st != TA_OK ? im->st : TA_ERR_LIMIT;
  return TA_OK;
}

static ta_status cv_gru(onnx_imp *im) {
  static const char *const acts[2] = {"Sigmoid", "Tanh"};
  rnn_node rn = {.lstm = false, .gates = 3, .n_out = 2};
  int64_t lbr;
  if (rnn_attrs(im, acts, 2, &rn) != TA_OK || !imp_attr_int(im, "linear_before_reset", 0, &lbr))
    return im->st;
  rn.lbr = lbr != 0;
  oval *x;
  rnn_weights wt;
  if (rnn_inputs(im, &rn, &x, &wt.w, &wt.r, &wt.b, &wt.has_b) != TA_OK)
    return im->st;
  wt.in_size = x->dims[2];
  return rnn_build(im, &rn, x, gru_dir_inputs, &wt);
}

static const onnx_op_info ops[] = {
    {"Abs", cv_abs, 0},
    {"Add", cv_add, 0},
    {"AveragePool", cv_avgpool, 0},
    {"BatchNormalization", cv_batchnorm, B(1) | B(2) | B(3) | B(4)},
    {"Cast", cv_cast, 0},
    {"Clip", cv_clip, B(1) | B(2)},
    {"Concat", cv_concat, 0},
    {"Constant", cv_constant, 0},
    {"ConstantOfShape", cv_constant_of_shape, B(0)},
    {"Conv", cv_conv, B(1) | B(2)},
    {"ConvInteger", cv_conv_integer, B(1) | B(2) | B(3)},
    {"ConvTranspose", cv_conv_transpose, B(1) | B(2)},
    {"DequantizeLinear", cv_dequantize_linear, B(1) | B(2)},
    {"Div", cv_div, 0},
    {"Dropout", cv_dropout, B(1) | B(2)},
    {"Elu", cv_elu, 0},
    {"Erf", cv_erf, 0},
    {"Exp", cv_exp, 0},
    {"Expand", cv_expand, B(1)},
    {"Flatten", cv_flatten, 0},
    {"Gather", cv_gather, B(1)},
    {"Gemm", cv_gemm, B(1) | B(2)},
    {"GRU", cv_gru, B(1) | B(2) | B(3) | B(4)},
    {"GlobalAveragePool", cv_global_avgpool, 0},
    {"GlobalMaxPool", cv_global_maxpool, 0},
    {"HardSigmoid", cv_hard_sigmoid, 0},
    {"HardSwish", cv_hard_swish, 0},
    {"Identity", cv_identity, 0},
    {"LayerNormalization", cv_layer_norm, 0},
    {"LSTM", cv_lstm, B(1) | B(2) | B(3) | B(4) | B(7)},
    {"LeakyRelu", cv_leaky_relu, 0},
    {"Log", cv_log, 0},
    {"LogSoftmax", cv_log_softmax, 0},
    {"MatMul", cv_matmul, 0},
    {"MatMulInteger", cv_matmul_integer, B(1) | B(2) | B(3)},
    {"Max", cv_max, 0},
    {"MaxPool", cv_maxpool, 0},
    {"Min", cv_min, 0},
    {"Mul", cv_mul, 0},
    {"Neg", cv_neg, 0},
    {"PRelu", cv_prelu, 0},
    {"Pad", cv_pad, B(1) | B(2) | B(3)},
    {"Pow", cv_pow, 0},
    {"QLinearConv", cv_qlinear_conv, B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8)},
    {"QLinearMatMul", cv_qlinear_matmul, B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7)},
    {"QuantizeLinear", cv_quantize_linear, B(1) | B(2)},
    {"Range", cv_range, B(0) | B(1) | B(2)},
    {"Reciprocal", cv_reciprocal, 0},
    {"ReduceMax", cv_reduce_max, B(1)},
    {"ReduceMean", cv_reduce_mean, B(1)},
    {"ReduceMin", cv_reduce_min, B(1)},
    {"ReduceSum", cv_reduce_sum, B(1)},
    {"Relu", cv_relu, 0},
    {"Reshape", cv_reshape, B(1)},
    {"Resize", cv_resize, B(1) | B(2) | B(3)},
    {"Shape", cv_shape, 0},
    {"Sigmoid", cv_sigmoid, 0},
    {"Size", cv_size, 0},
    {"Slice", cv_slice, B(1) | B(2) | B(3) | B(4)},
    {"Softmax", cv_softmax, 0},
    {"Split", cv_split, B(1)},
    {"Sqrt", cv_sqrt, 0},
    {"Squeeze", cv_squeeze, B(1)},
    {"Sub", cv_sub, 0},
    {"Tanh", cv_tanh, 0},
    {"Transpose", cv_transpose, 0},
    {"Unsqueeze", cv_unsqueeze, B(1)},
    {"Upsample", cv_upsample, B(1)},
};

const onnx_op_info *ta_onnx_op_find(const char *op_type) {
  for (size_t i = 0; i < TA_ARRAY_LEN(ops); i++)
    if (strcmp(ops[i].op_type, op_type) == 0)
      return &ops[i];
  return NULL;
}
