/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qdq.c: ONNX's QDQ form of a quantized model becomes our int8 ops.
 *   y = OP(DEQUANTIZE(a_q), ..., DEQUANTIZE(w_q), DEQUANTIZE(b_q)) ; [RELU-family] ;
 *   QUANTIZE(y) -> y_q
 *     =>  y_q = OP(a_q, ..., w_q, b_q) with TFLite's int8 arithmetic (and the activation fused)
 * for OP flagged TA_OPF_WEIGHTED in ops.def (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED:
 * int8 activations per tensor, int8 weights symmetric per tensor or per output channel, bias
 * int32 at scale a * w (or float, quantized here to that scale)), the ops with an int8 kernel
 * that takes its output quantization as given (ADD, MUL, SUB, SOFTMAX, ... : own_quant), and the
 * ops flagged TA_OPF_QUANT_SAME, that only move or pick values (AVERAGE_POOL_2D, MAX_POOL_2D,
 * RESHAPE, TRANSPOSE, CONCATENATION) when input and output quantization agree. The rewritten op
 * must pass its check (with messages silenced); otherwise it stays float. The DEQUANTIZE/QUANTIZE
 * ops left without readers die in remove_dead, and DEQUANTIZE of constant weights still read by
 * float ops is folded by fold_constants.
 */
#include <math.h>
#include <string.h>

#include "ta_passes.h"

static bool int8_pt(const ta_tensor *t) {
  return t->dtype == TA_DT_I8 && t->q.count == 1;
}

/* The int8 tensor behind DEQUANTIZE-produced t, or -1. */
static int32_t dq_source(const ta_graph *g, const ta_uses *u, int32_t t) {
  if (t < 0)
    return -1;
  const int32_t p = u->producer[t];
  if (p < 0 || g->ops[p].kind != TA_OP_DEQUANTIZE)
    return -1;
  return g->ops[p].in[0];
}

/* check + infer on op, with messages silenced; true when both pass. */
static bool quiet_check(ta_graph *g, ta_op *op) {
  ta_ctx *ctx = g->ctx;
  const ta_diag_sink sink = ctx->sink;
  const int n_errors = ctx->n_errors;
  ctx->sink = NULL;
  const ta_op_def *d = ta_op_def_get(op->kind);
  bool ok = d->check(g, op) == TA_OK && d->infer(g, op) == TA_OK;
  ctx->sink = sink;
  ctx->n_errors = n_errors;
  return ok;
}

/* An int32 bias for op from its float or DEQUANTIZE(int32) operand b: scale a * w[c]. */
static int32_t quantize_bias(ta_graph *g, const ta_uses *u, int32_t b, const ta_tensor *a,
                             const ta_tensor *w, int32_t co) {
  const int32_t src = dq_source(g, u, b);
  const ta_tensor *bt = &g->tensors[src >= 0 ? src : b];
  if (!ta_tensor_is_const(bt))
    return -1;
  size_t n;
  if (!ta_tensor_elems(bt, &n) || n != (size_t)co)
    return -1;
  int32_t *v = ta_new_array(g->ctx, (size_t)co, sizeof *v);
  if (!v)
    return -1;
  for (int32_t c = 0; c < co; c++) {
    const double s = (double)a->q.scale[0] * (double)w->q.scale[w->q.count > 1 ? c : 0];
    double real;
    if (bt->dtype == TA_DT_I32 && bt->q.count >= 1) {
      int32_t q;
      memcpy(&q, bt->data + 4 * (size_t)c, 4);
      real = ((double)q - (double)bt->q.zero_point[bt->q.count > 1 ? c : 0]) *
             (double)bt->q.scale[bt->q.count > 1 ? c : 0];
    } else if (bt->dtype == TA_DT_F32) {
      float f;
      memcpy(&f, bt->data + 4 * (size_t)c, 4);
      real = (double)f;
    } else {
      return -1;
    }
    const double r = round(real / s);
    if (!(fabs(r) < 2147483647.0))
      return -1;
    v[c] = (int32_t)r;
  }
  const int32_t t = ta_graph_add_tensor(g, g->tensors[b].name, TA_DT_I32, 1, &co);
  if (t < 0)
    return -1;
  g->tensors[t].data = (const uint8_t *)v;
  g->tensors[t].data_bytes = (size_t)co * sizeof *v;
  return t;
}

/* TRANSPOSE/RESHAPE (TA_OPF_PERMUTE) of a DEQUANTIZE output: move the op before the
 * DEQUANTIZE. */
static ta_status sink_dequantize(ta_graph *g, int32_t *n) {
  ta_uses u;
  if (ta_uses_build(g, &u) != TA_OK)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    if (!ta_op_has_flag(op->kind, TA_OPF_PERMUTE) || op->n_out != 1)
      continue;
    const int32_t x = op->in[0], y = op->out[0];
    const int32_t s = dq_source(g, &u, x);
    if (s < 0 || !int8_pt(&g->tensors[s]) || g->tensors[y].dtype != TA_DT_F32)
      continue;
    int32_t dims[TA_MAX_RANK];
    memcpy(dims, g->tensors[y].dims, sizeof dims);
    const int32_t y8 =
        ta_graph_add_tensor(g, g->tensors[y].name, TA_DT_I8, g->tensors[y].rank, dims);
    if (y8 < 0)
      return TA_ERR_LIMIT;
    g->tensors[y8].q = g->tensors[s].q;
    const int32_t d = ta_pass_insert_op(g, i + 1, TA_OP_DEQUANTIZE, 1, 1);
    if (d < 0)
      return TA_ERR_LIMIT;
    g->ops[i].in[0] = s;
    g->ops[i].out[0] = y8;
    if (g->ops[i].kind == TA_OP_RESHAPE)
      g->ops[i].n_in = 1;
    g->ops[d].in[0] = y8;
    g->ops[d].out[0] = y;
    g->ops[d].src_index = g->ops[i].src_index;
    g->ops[d].name = g->ops[i].name;
    (*n)++;
    /* An op was inserted: producer indices moved. */
    if (ta_uses_build(g, &u) != TA_OK)
      return TA_ERR_LIMIT;
  }
  return TA_OK;
}

/* Ops besides the weighted and the moving ones whose TFLite int8 kernel takes the output
 * quantization as given (or checks the one it requires, as SOFTMAX does). */
static bool own_quant(ta_op_kind k) {
  switch (k) {
  case TA_OP_ADD:
  case TA_OP_MUL:
  case TA_OP_SUB:
  case TA_OP_SOFTMAX:
  case TA_OP_LOGISTIC:
  case TA_OP_TANH:
  case TA_OP_HARD_SWISH:
  case TA_OP_LEAKY_RELU:
  case TA_OP_MEAN: return true;
  default: return false;
  }
}

/* QUANTIZE(DEQUANTIZE(x)) in x's own quantization is x: the QDQ pair a writer puts on both
 * sides of an op that only moves values (Flatten after a pooling) leaves such pairs behind
 * once that op runs in int8. Readers of the QUANTIZE read x; a graph output stays. */
static void cancel_requantize(ta_graph *g, const ta_uses *u, bool *dead, int32_t *n) {
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    if (dead[i] || op->kind != TA_OP_QUANTIZE || op->n_in < 1 || op->n_out != 1)
      continue;
    const int32_t s = dq_source(g, u, op->in[0]), y = op->out[0];
    if (s < 0 || !int8_pt(&g->tensors[s]) || !int8_pt(&g->tensors[y]) ||
        g->tensors[s].q.scale[0] != g->tensors[y].q.scale[0] ||
        g->tensors[s].q.zero_point[0] != g->tensors[y].q.zero_point[0])
      continue;
    bool graph_output = false;
    for (int32_t k = 0; k < g->n_outputs; k++)
      graph_output |= g->outputs[k] == y;
    if (graph_output)
      continue;
    ta_pass_replace_input(g, y, s);
    dead[i] = true;
    (*n)++;
  }
}

ta_status ta_pass_qdq(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  ta_status sst = sink_dequantize(g, n_rewritten);
  if (sst != TA_OK)
    return sst;
  bool *dead = ta_new_array(g->ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof *dead);
  ta_uses u;
  if (!dead || ta_uses_build(g, &u) != TA_OK)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    const bool conv = ta_op_has_flag(op->kind, TA_OPF_WEIGHTED);
    const bool mover = ta_op_has_flag(op->kind, TA_OPF_QUANT_SAME);
    if (dead[i] || op->n_out != 1 || g->tensors[op->out[0]].dtype != TA_DT_F32)
      continue;
    if (!conv && !mover && !own_quant(op->kind))
      continue;
    /* The output: QUANTIZE, maybe after one RELU-family op. */
    int32_t r = ta_uses_single_reader(g, &u, op->out[0]), act_op = -1;
    ta_act act = TA_ACT_NONE;
    const ta_act r_act = r >= 0 ? ta_op_act(g->ops[r].kind) : TA_ACT_NONE;
    if (conv && op->a.act == TA_ACT_NONE && (r_act == TA_ACT_RELU || r_act == TA_ACT_RELU6)) {
      act = r_act;
      act_op = r;
      r = ta_uses_single_reader(g, &u, g->ops[r].out[0]);
    }
    if (r < 0 || g->ops[r].kind != TA_OP_QUANTIZE || !int8_pt(&g->tensors[g->ops[r].out[0]]))
      continue;
    const int32_t yq = g->ops[r].out[0];
    /* The new operand list. */
    int32_t in[64];
    if (op->n_in > 64)
      continue;
    bool ok = true;
    for (int32_t k = 0; k < op->n_in && ok; k++) {
      in[k] = op->in[k];
      if (op->in[k] < 0)
        continue;
      if (conv && k == 2)
        continue; /* bias: below */
      if (!conv && ta_tensor_is_const(&g->tensors[op->in[k]]) &&
          g->tensors[op->in[k]].dtype != TA_DT_F32)
        continue; /* an integer constant: a shape, axes */
      const int32_t s = dq_source(g, &u, op->in[k]);
      if (s < 0) {
        ok = false;
        break;
      }
      const ta_tensor *st = &g->tensors[s];
      if (conv && k == 1) {
        ok = st->dtype == TA_DT_I8 && ta_tensor_is_const(st) && st->q.count >= 1;
        for (int32_t c = 0; ok && c < st->q.count; c++)
          ok = st->q.zero_point[c] == 0;
      } else {
        ok = int8_pt(st);
      }
      in[k] = s;
    }
    if (!ok)
      continue;
    if (mover) {
      const ta_tensor *a = &g->tensors[in[0]], *y = &g->tensors[yq];
      if (a->q.scale[0] != y->q.scale[0] || a->q.zero_point[0] != y->q.zero_point[0])
        continue;
    }
    if (conv && op->n_in > 2 && op->in[2] >= 0) {
      const ta_tensor *w = &g->tensors[in[1]];
      const int32_t co = g->tensors[op->out[0]].dims[g->tensors[op->out[0]].rank - 1];
      in[2] = quantize_bias(g, &u, op->in[2], &g->tensors[in[0]], w, co);
      if (in[2] < 0)
        continue;
      op = &g->ops[i];
    }
    /* Try it; keep the float op when the int8 one does not check. */
    const ta_op saved = *op;
    int32_t *saved_in = op->in;
    int32_t *new_in = ta_new_array(g->ctx, (size_t)op->n_in, sizeof *new_in);
    if (!new_in)
      return TA_ERR_LIMIT;
    memcpy(new_in, in, (size_t)op->n_in * sizeof *new_in);
    op->in = new_in;
    op->out = ta_new_array(g->ctx, 1, sizeof *op->out);
    if (!op->out)
      return TA_ERR_LIMIT;
    op->out[0] = yq;
    if (act != TA_ACT_NONE)
      op->a.act = act;
    if (!quiet_check(g, op)) {
      *op = saved;
      op->in = saved_in;
      continue;
    }
    dead[r] = true;
    if (act_op >= 0)
      dead[act_op] = true;
    (*n_rewritten)++;
    /* The op now comes before the QUANTIZE it replaced and writes its output: readers of yq
     * all follow the QUANTIZE, so the order stays valid. */
  }
  cancel_requantize(g, &u, dead, n_rewritten);
  ta_pass_compact(g, dead);
  return TA_OK;
}
