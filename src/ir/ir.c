/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ir.c: graph construction, tensor sizes and located diagnostics.
 */
#include "ta_ir.h"

#include <stdio.h>
#include <string.h>

static const char *const op_names[] = {
#define TA_OP(id, name, stem, flags, act) name,
#include "ops.def"
#undef TA_OP
};
_Static_assert(TA_ARRAY_LEN(op_names) == TA_OP_COUNT, "one name per op");

const char *ta_op_kind_name(ta_op_kind k) {
  return (unsigned)k < TA_OP_COUNT ? op_names[k] : "?";
}

static const unsigned op_flags[] = {
#define TA_OP(id, name, stem, flags, act) (flags),
#include "ops.def"
#undef TA_OP
};
_Static_assert(TA_ARRAY_LEN(op_flags) == TA_OP_COUNT, "one flags entry per op");

static const ta_act op_acts[] = {
#define TA_OP(id, name, stem, flags, act) TA_ACT_##act,
#include "ops.def"
#undef TA_OP
};
_Static_assert(TA_ARRAY_LEN(op_acts) == TA_OP_COUNT, "one activation entry per op");

bool ta_op_has_flag(ta_op_kind k, unsigned flags) {
  return (unsigned)k < TA_OP_COUNT && (op_flags[k] & flags) == flags;
}

ta_act ta_op_act(ta_op_kind k) {
  return (unsigned)k < TA_OP_COUNT ? op_acts[k] : TA_ACT_NONE;
}

size_t ta_dtype_size(ta_dtype dt) {
  switch (dt) {
  case TA_DT_F32:
  case TA_DT_I32:
  case TA_DT_U32: return 4;
  case TA_DT_I8:
  case TA_DT_U8:
  case TA_DT_BOOL: return 1;
  case TA_DT_I16:
  case TA_DT_U16:
  case TA_DT_F16: return 2;
  case TA_DT_I64:
  case TA_DT_U64:
  case TA_DT_F64: return 8;
  case TA_DT_UNKNOWN: return 0;
  }
  return 0;
}

const char *ta_dtype_name(ta_dtype dt) {
  switch (dt) {
  case TA_DT_F32: return "float32";
  case TA_DT_I8: return "int8";
  case TA_DT_U8: return "uint8";
  case TA_DT_I16: return "int16";
  case TA_DT_I32: return "int32";
  case TA_DT_I64: return "int64";
  case TA_DT_BOOL: return "bool";
  case TA_DT_F16: return "float16";
  case TA_DT_U16: return "uint16";
  case TA_DT_U32: return "uint32";
  case TA_DT_U64: return "uint64";
  case TA_DT_F64: return "float64";
  case TA_DT_UNKNOWN: return "unknown";
  }
  return "unknown";
}

const char *ta_dtype_ctype(ta_dtype dt) {
  switch (dt) {
  case TA_DT_F32: return "float";
  case TA_DT_I8: return "int8_t";
  case TA_DT_U8: return "uint8_t";
  case TA_DT_I16: return "int16_t";
  case TA_DT_I32: return "int32_t";
  case TA_DT_I64: return "int64_t";
  case TA_DT_BOOL: return "uint8_t";
  case TA_DT_U16: return "uint16_t";
  case TA_DT_U32: return "uint32_t";
  case TA_DT_U64: return "uint64_t";
  case TA_DT_F64: return "double";
  case TA_DT_F16:
  case TA_DT_UNKNOWN: return NULL;
  }
  return NULL;
}

const char *ta_act_name(ta_act a) {
  switch (a) {
  case TA_ACT_NONE: return "NONE";
  case TA_ACT_RELU: return "RELU";
  case TA_ACT_RELU_N1_TO_1: return "RELU_N1_TO_1";
  case TA_ACT_RELU6: return "RELU6";
  }
  return "?";
}

ta_graph *ta_graph_new(ta_ctx *ctx, const char *source) {
  ta_graph *g = ta_new(ctx, sizeof *g);
  if (!g)
    return NULL;
  g->ctx = ctx;
  g->source = source;
  return g;
}

/* Arena arrays grow by doubling into a new arena block; the old block is simply abandoned
 * (arena memory is freed with the context). Indices stay valid; pointers into the arrays do
 * not survive an append. */
static bool grow(ta_ctx *ctx, void **arr, int32_t *cap, int32_t need, size_t elem) {
  if (need <= *cap)
    return true;
  int32_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > INT32_MAX / 2)
      return false;
    ncap *= 2;
  }
  void *n = ta_new_array(ctx, (size_t)ncap, elem);
  if (!n)
    return false;
  if (*cap)
    memcpy(n, *arr, (size_t)*cap * elem);
  *arr = n;
  *cap = ncap;
  return true;
}

int32_t ta_graph_add_tensor(ta_graph *g, const char *name, ta_dtype dt, int32_t rank,
                            const int32_t *dims) {
  if (rank < 0 || rank > TA_MAX_RANK) {
    ta_err(g->ctx, TA_ERR_UNSUPPORTED, "tensor \"%s\": rank %d exceeds the maximum of %d",
           name ? name : "", rank, TA_MAX_RANK);
    return -1;
  }
  void *arr = g->tensors;
  if (!grow(g->ctx, &arr, &g->cap_tensors, g->n_tensors + 1, sizeof(ta_tensor)))
    return -1;
  g->tensors = arr;
  ta_tensor *t = &g->tensors[g->n_tensors];
  memset(t, 0, sizeof *t);
  t->name = name ? name : "";
  t->dtype = dt;
  t->rank = rank;
  t->shape_known = dims != NULL;
  if (dims)
    for (int32_t i = 0; i < rank; i++)
      t->dims[i] = dims[i];
  t->producer = -1;
  return g->n_tensors++;
}

int32_t ta_graph_add_op(ta_graph *g, ta_op_kind kind, int32_t n_in, int32_t n_out) {
  void *arr = g->ops;
  if (!grow(g->ctx, &arr, &g->cap_ops, g->n_ops + 1, sizeof(ta_op)))
    return -1;
  g->ops = arr;
  int32_t *in = ta_new_array(g->ctx, (size_t)(n_in > 0 ? n_in : 1), sizeof(int32_t));
  int32_t *out = ta_new_array(g->ctx, (size_t)(n_out > 0 ? n_out : 1), sizeof(int32_t));
  if (!in || !out)
    return -1;
  for (int32_t i = 0; i < n_in; i++)
    in[i] = -1;
  for (int32_t i = 0; i < n_out; i++)
    out[i] = -1;
  ta_op *op = &g->ops[g->n_ops];
  memset(op, 0, sizeof *op);
  op->kind = kind;
  op->name = "";
  op->src_index = g->n_ops;
  op->n_in = n_in;
  op->n_out = n_out;
  op->in = in;
  op->out = out;
  op->a.stride_h = op->a.stride_w = 1;
  op->a.dilation_h = op->a.dilation_w = 1;
  op->a.depth_multiplier = 1;
  op->a.beta = 1.0f;
  return g->n_ops++;
}

ta_status ta_graph_set_io(ta_graph *g, const int32_t *inputs, int32_t n_inputs,
                          const int32_t *outputs, int32_t n_outputs) {
  g->inputs = ta_new_array(g->ctx, (size_t)(n_inputs > 0 ? n_inputs : 1), sizeof(int32_t));
  g->outputs = ta_new_array(g->ctx, (size_t)(n_outputs > 0 ? n_outputs : 1), sizeof(int32_t));
  if (!g->inputs || !g->outputs)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < n_inputs; i++)
    g->inputs[i] = inputs[i];
  for (int32_t i = 0; i < n_outputs; i++)
    g->outputs[i] = outputs[i];
  g->n_inputs = n_inputs;
  g->n_outputs = n_outputs;
  return TA_OK;
}

bool ta_tensor_elems(const ta_tensor *t, size_t *elems) {
  if (!t->shape_known)
    return false;
  size_t n = 1;
  for (int32_t i = 0; i < t->rank; i++) {
    if (t->dims[i] < 0 || !ta_mul_size(n, (size_t)t->dims[i], &n))
      return false;
  }
  *elems = n;
  return true;
}

bool ta_tensor_bytes(const ta_tensor *t, size_t *bytes) {
  size_t n;
  return ta_tensor_elems(t, &n) && ta_mul_size(n, ta_dtype_size(t->dtype), bytes);
}

const char *ta_shape_str(const ta_tensor *t, char *buf, size_t cap) {
  size_t off = 0;
  if (cap == 0)
    return buf;
  buf[0] = '\0';
  if (!t->shape_known) {
    snprintf(buf, cap, "[?]");
    return buf;
  }
  off += (size_t)snprintf(buf + off, cap - off, "[");
  for (int32_t i = 0; i < t->rank && off < cap; i++)
    off += (size_t)snprintf(buf + off, cap - off, i ? ",%d" : "%d", t->dims[i]);
  if (off < cap)
    snprintf(buf + off, cap - off, "]");
  return buf;
}

ta_tensor *ta_op_input(const ta_graph *g, const ta_op *op, int32_t i) {
  if (i < 0 || i >= op->n_in || op->in[i] < 0 || op->in[i] >= g->n_tensors)
    return NULL;
  return &g->tensors[op->in[i]];
}

ta_tensor *ta_op_output(const ta_graph *g, const ta_op *op, int32_t i) {
  if (i < 0 || i >= op->n_out || op->out[i] < 0 || op->out[i] >= g->n_tensors)
    return NULL;
  return &g->tensors[op->out[i]];
}

/* Report msg with op's location: "op 7 CONV_2D "conv_3": msg" (no name: "op 7 CONV_2D: "). */
static void op_report(const ta_graph *g, const ta_op *op, ta_severity sev, const char *msg) {
  if (op->name && op->name[0])
    ta_report(g->ctx, sev, "op %d %s \"%s\": %s", op->src_index, ta_op_kind_name(op->kind),
              op->name, msg);
  else
    ta_report(g->ctx, sev, "op %d %s: %s", op->src_index, ta_op_kind_name(op->kind), msg);
}

/* Report msg with a tensor's location: "tensor 12 "conv_3/bias": msg". */
static void tensor_report(const ta_graph *g, int32_t tensor_idx, ta_severity sev, const char *msg) {
  const char *name =
      (tensor_idx >= 0 && tensor_idx < g->n_tensors) ? g->tensors[tensor_idx].name : "";
  ta_report(g->ctx, sev, "tensor %d \"%s\": %s", tensor_idx, name, msg);
}

ta_status ta_op_err(const ta_graph *g, const ta_op *op, ta_status st, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  op_report(g, op, TA_ERROR, msg);
  return st;
}

void ta_op_warn(const ta_graph *g, const ta_op *op, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  op_report(g, op, TA_WARNING, msg);
}

ta_status ta_tensor_err(const ta_graph *g, int32_t tensor_idx, ta_status st, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  tensor_report(g, tensor_idx, TA_ERROR, msg);
  return st;
}

void ta_tensor_warn(const ta_graph *g, int32_t tensor_idx, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  tensor_report(g, tensor_idx, TA_WARNING, msg);
}

ta_status ta_graph_check(ta_graph *g) {
  ta_status st = TA_OK;
  /* Whatever the frontend: the later stages are sized for these limits (see ta_ir.h). */
  if (g->n_ops > TA_MAX_OPS || g->n_tensors > TA_MAX_TENSORS)
    return ta_err(g->ctx, TA_ERR_LIMIT,
                  "the graph has %d tensors and %d ops; tinyaot handles at most %d tensors and "
                  "%d ops",
                  g->n_tensors, g->n_ops, TA_MAX_TENSORS, TA_MAX_OPS);
  for (int32_t i = 0; i < g->n_ops; i++)
    if (g->ops[i].n_in > TA_MAX_OPERANDS || g->ops[i].n_out > TA_MAX_OPERANDS)
      return ta_op_err(g, &g->ops[i], TA_ERR_LIMIT,
                       "has %d inputs and %d outputs; tinyaot handles at most %d of each",
                       g->ops[i].n_in, g->ops[i].n_out, TA_MAX_OPERANDS);
  /* producer[] is recomputed from scratch so passes may rewrite ops freely. */
  for (int32_t t = 0; t < g->n_tensors; t++)
    g->tensors[t].producer = -1;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    for (int32_t k = 0; k < op->n_out; k++) {
      int32_t t = op->out[k];
      if (t < 0 || t >= g->n_tensors) {
        st = ta_op_err(g, op, TA_ERR_MALFORMED,
                       "output %d refers to tensor %d, but the model has %d tensors", k, t,
                       g->n_tensors);
        continue;
      }
      ta_tensor *tt = &g->tensors[t];
      if (tt->producer >= 0 || ta_tensor_is_const(tt) || (tt->flags & TA_TENSOR_INPUT) ||
          (tt->flags & TA_TENSOR_STATE)) {
        st = ta_op_err(g, op, TA_ERR_MALFORMED, "output tensor %d \"%s\" is already written by %s",
                       t, tt->name,
                       ta_tensor_is_const(tt)          ? "the model's constant data"
                       : (tt->flags & TA_TENSOR_INPUT) ? "the caller (a graph input)"
                       : (tt->flags & TA_TENSOR_STATE) ? "the op that keeps it (recurrent state)"
                                                       : "an earlier op");
        continue;
      }
      tt->producer = i;
    }
  }
  /* Each input must be a constant, a graph input, or produced by an EARLIER op. */
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    for (int32_t k = 0; k < op->n_in; k++) {
      int32_t t = op->in[k];
      if (t == -1)
        continue;
      if (t < 0 || t >= g->n_tensors) {
        st = ta_op_err(g, op, TA_ERR_MALFORMED,
                       "input %d refers to tensor %d, but the model has %d tensors", k, t,
                       g->n_tensors);
        continue;
      }
      ta_tensor *tt = &g->tensors[t];
      if (ta_tensor_is_const(tt) || (tt->flags & (TA_TENSOR_INPUT | TA_TENSOR_STATE)))
        continue;
      if (tt->producer < 0)
        st = ta_op_err(g, op, TA_ERR_MALFORMED,
                       "input tensor %d \"%s\" is never written (no op produces it, it has no data "
                       "and is not a graph input)",
                       t, tt->name);
      else if (tt->producer >= i)
        st = ta_op_err(g, op, TA_ERR_MALFORMED,
                       "input tensor %d \"%s\" is produced by op %d, which runs later (cycle or "
                       "unsorted graph)",
                       t, tt->name, g->ops[tt->producer].src_index);
    }
  }
  /* The caller writes graph inputs: one with constant data would be written over (or, in
   * generated code, silently ignored). */
  for (int32_t k = 0; k < g->n_inputs; k++) {
    int32_t t = g->inputs[k];
    if (t < 0 || t >= g->n_tensors)
      st = ta_err(g->ctx, TA_ERR_MALFORMED,
                  "graph input %d refers to tensor %d, but the model has %d tensors", k, t,
                  g->n_tensors);
    else if (ta_tensor_is_const(&g->tensors[t]))
      st = ta_tensor_err(g, t, TA_ERR_MALFORMED,
                         "graph input %d has constant data; a graph input must be an activation "
                         "the caller provides",
                         k);
  }
  if (g->n_outputs < 1)
    st = ta_err(g->ctx, TA_ERR_MALFORMED, "the graph has no outputs");
  for (int32_t k = 0; k < g->n_outputs; k++) {
    int32_t t = g->outputs[k];
    if (t < 0 || t >= g->n_tensors) {
      st = ta_err(g->ctx, TA_ERR_MALFORMED,
                  "graph output %d refers to tensor %d, but the model has %d tensors", k, t,
                  g->n_tensors);
      continue;
    }
    if (g->tensors[t].producer < 0 && !(g->tensors[t].flags & TA_TENSOR_INPUT))
      st = ta_tensor_err(g, t, TA_ERR_UNSUPPORTED, "graph output is not computed by any op");
  }
  return st;
}
