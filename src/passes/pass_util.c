/* SPDX-License-Identifier: Apache-2.0 */
/* pass_util.c: bookkeeping the passes share (see ta_passes.h). */
#include <string.h>

#include "ta_passes.h"

ta_status ta_uses_build(ta_graph *g, ta_uses *u) {
  const size_t n = (size_t)(g->n_tensors > 0 ? g->n_tensors : 1);
  u->producer = ta_new_array(g->ctx, n, sizeof *u->producer);
  u->n_readers = ta_new_array(g->ctx, n, sizeof *u->n_readers);
  if (!u->producer || !u->n_readers)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < g->n_tensors; t++)
    u->producer[t] = -1;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    for (int32_t k = 0; k < op->n_out; k++)
      if (op->out[k] >= 0)
        u->producer[op->out[k]] = i;
    for (int32_t k = 0; k < op->n_in; k++)
      if (op->in[k] >= 0)
        u->n_readers[op->in[k]]++;
  }
  for (int32_t k = 0; k < g->n_outputs; k++)
    u->n_readers[g->outputs[k]]++;
  return TA_OK;
}

int32_t ta_uses_single_reader(const ta_graph *g, const ta_uses *u, int32_t t) {
  if (t < 0 || u->n_readers[t] != 1 || (g->tensors[t].flags & TA_TENSOR_OUTPUT))
    return -1;
  for (int32_t i = 0; i < g->n_ops; i++)
    for (int32_t k = 0; k < g->ops[i].n_in; k++)
      if (g->ops[i].in[k] == t)
        return i;
  return -1;
}

void ta_pass_replace_input(ta_graph *g, int32_t from, int32_t to) {
  for (int32_t i = 0; i < g->n_ops; i++)
    for (int32_t k = 0; k < g->ops[i].n_in; k++)
      if (g->ops[i].in[k] == from)
        g->ops[i].in[k] = to;
}

void ta_pass_compact(ta_graph *g, const bool *dead) {
  int32_t n = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    if (!dead[i])
      g->ops[n++] = g->ops[i];
  g->n_ops = n;
}

int32_t ta_pass_clone_const(ta_graph *g, int32_t t, const char *name) {
  int32_t dims[TA_MAX_RANK];
  memcpy(dims, g->tensors[t].dims, sizeof dims);
  const int32_t c = ta_graph_add_tensor(g, name, g->tensors[t].dtype, g->tensors[t].rank, dims);
  if (c < 0)
    return -1;
  const size_t bytes = g->tensors[t].data_bytes;
  uint8_t *d = ta_new(g->ctx, bytes ? bytes : 1);
  if (!d)
    return -1;
  if (bytes)
    memcpy(d, g->tensors[t].data, bytes);
  g->tensors[c].data = d;
  g->tensors[c].data_bytes = bytes;
  g->tensors[c].q = g->tensors[t].q;
  return c;
}

bool ta_pass_per_channel_const(const ta_tensor *t, int32_t channels) {
  if (!ta_tensor_is_const(t) || !t->shape_known)
    return false;
  for (int32_t k = 0; k + 1 < t->rank; k++)
    if (t->dims[k] != 1)
      return false;
  return t->rank == 0 || t->dims[t->rank - 1] == 1 || t->dims[t->rank - 1] == channels;
}

int32_t ta_pass_insert_op(ta_graph *g, int32_t pos, ta_op_kind kind, int32_t n_in, int32_t n_out) {
  const int32_t i = ta_graph_add_op(g, kind, n_in, n_out);
  if (i < 0)
    return -1;
  const ta_op op = g->ops[i];
  memmove(&g->ops[pos + 1], &g->ops[pos], (size_t)(i - pos) * sizeof op);
  g->ops[pos] = op;
  return pos;
}
