/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dequantize_hybrid.c: TFLite's hybrid ("dynamic range") weights become float32, for
 * post-training quantization only.
 *   y = an op flagged TA_OPF_WEIGHTED (CONV_2D | DEPTHWISE_CONV_2D | FULLY_CONNECTED) with a
 *       float32 input and a constant int8 filter that has quantization parameters
 *     =>  the op over a new float32 filter, value (q - zero_point[c]) * scale[c] along the
 *         filter's quantized axis (one float multiply, as DEQUANTIZE computes it)
 * TFLite's converter writes such a model when asked for size without a representative data
 * set: float activations, int8 weights. Its kernels quantize the input at run time; tinyaot
 * does not run hybrid kernels (their results would not match TFLite's bit for bit), so a
 * hybrid model is refused, unless the user quantizes it to a full int8 model: then the float
 * model this pass makes is what the calibration evaluates and quantizes, like any float
 * model. The compile entry point runs it on TFLite graphs before their checks, with
 * --quantize int8 only. A filter shared by several ops becomes one float tensor.
 */
#include <string.h>

#include "ta_passes.h"

/* A float32 copy of quantized constant t, or -1 (OOM, or an axis or data that do not fit). */
static int32_t dequantized(ta_graph *g, int32_t t) {
  const ta_tensor *w = &g->tensors[t];
  size_t n;
  if (!ta_tensor_elems(w, &n) || w->data_bytes < n || w->q.count < 1 ||
      (w->q.count > 1 &&
       (w->q.axis < 0 || w->q.axis >= w->rank || w->dims[w->q.axis] != w->q.count)))
    return -1;
  /* Element i's channel along the axis: (i / inner) % count. */
  size_t inner = 1;
  if (w->q.count > 1)
    for (int32_t k = w->q.axis + 1; k < w->rank; k++)
      inner *= (size_t)w->dims[k];
  float *v = ta_new_array(g->ctx, n ? n : 1, sizeof *v);
  if (!v)
    return -1;
  const int8_t *q = (const int8_t *)w->data;
  for (size_t i = 0; i < n; i++) {
    const size_t c = w->q.count > 1 ? (i / inner) % (size_t)w->q.count : 0;
    v[i] = (float)((int64_t)q[i] - w->q.zero_point[c]) * w->q.scale[c];
  }
  int32_t dims[TA_MAX_RANK];
  memcpy(dims, w->dims, sizeof dims);
  const int32_t f = ta_graph_add_tensor(g, w->name, TA_DT_F32, w->rank, dims);
  if (f < 0)
    return -1;
  g->tensors[f].data = (const uint8_t *)v;
  g->tensors[f].data_bytes = n * sizeof *v;
  return f;
}

ta_status ta_pass_dequantize_hybrid(ta_graph *g, int32_t *n_rewritten) {
  *n_rewritten = 0;
  const int32_t n_tensors = g->n_tensors;
  int32_t *as_float = ta_new_array(g->ctx, (size_t)(n_tensors ? n_tensors : 1), sizeof *as_float);
  if (!as_float)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < n_tensors; t++)
    as_float[t] = -1;
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_op *op = &g->ops[i];
    if (!ta_op_has_flag(op->kind, TA_OPF_WEIGHTED) || op->n_in < 2 || op->in[0] < 0 ||
        op->in[1] < 0 || op->in[1] >= n_tensors)
      continue;
    const ta_tensor *x = &g->tensors[op->in[0]], *w = &g->tensors[op->in[1]];
    if (x->dtype != TA_DT_F32 || w->dtype != TA_DT_I8 || !ta_tensor_is_const(w) || w->q.count < 1)
      continue;
    if (as_float[op->in[1]] < 0 && (as_float[op->in[1]] = dequantized(g, op->in[1])) < 0) {
      const ta_tensor *bad = &g->tensors[g->ops[i].in[1]];
      return g->ctx->oom ? TA_ERR_LIMIT
                         : ta_err(g->ctx, TA_ERR_MALFORMED,
                                  "op %d: hybrid filter \"%s\": its quantization (%d scales, "
                                  "axis %d) does not fit its shape",
                                  i, bad->name, bad->q.count, bad->q.axis);
    }
    g->ops[i].in[1] = as_float[g->ops[i].in[1]];
    (*n_rewritten)++;
  }
  return TA_OK;
}
