/* SPDX-License-Identifier: Apache-2.0 */
/*
 * candidate.c: one tuning candidate as a one-op model, built for the tuning board.
 *
 * The op of a workload is copied into a graph of its own: each non-constant input becomes a
 * graph input, constants stay constants, its outputs become graph outputs. That graph goes
 * through the same stages as a model (check, prepare, partition, schedule, plan, emit); the
 * schedule override forces the candidate's variant and knob values, so the C code built and
 * measured is exactly what a whole model compiled with that choice runs for the op. A small
 * wrapper places the inputs, outputs and arena at fixed offsets of the board's tensor area and
 * calls NAME_run: that is the blob's entry point.
 */
#include <string.h>

#include "ta_tune_int.h"

/* Copy op of src into a new graph of ctx holding just it. */
static ta_status one_op_graph(ta_ctx *ctx, const ta_graph *src, const ta_op *op, ta_graph **out) {
  ta_graph *g = ta_graph_new(ctx, src->source);
  if (!g)
    return TA_ERR_LIMIT;
  int32_t *map = ta_new_array(ctx, (size_t)src->n_tensors + 1, sizeof *map);
  int32_t *ins = ta_new_array(ctx, (size_t)op->n_in + 1, sizeof *ins);
  int32_t *outs = ta_new_array(ctx, (size_t)op->n_out + 1, sizeof *outs);
  if (!map || !ins || !outs)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < src->n_tensors; t++)
    map[t] = -1;
  int32_t n_ins = 0, n_outs = 0;
  const int32_t o = ta_graph_add_op(g, op->kind, op->n_in, op->n_out);
  if (o < 0)
    return TA_ERR_LIMIT;
  for (int32_t pass = 0; pass < 2; pass++) {
    const int32_t n = pass == 0 ? op->n_in : op->n_out;
    for (int32_t i = 0; i < n; i++) {
      const int32_t ti = pass == 0 ? op->in[i] : op->out[i];
      if (ti < 0 || ti >= src->n_tensors)
        continue;
      if (map[ti] < 0) {
        const ta_tensor *st = &src->tensors[ti];
        const int32_t nt = ta_graph_add_tensor(g, st->name, st->dtype, st->rank, st->dims);
        if (nt < 0)
          return TA_ERR_LIMIT;
        ta_tensor *t = &g->tensors[nt];
        t->shape_known = st->shape_known;
        t->q = st->q;
        t->data = st->data;
        t->data_bytes = st->data_bytes;
        map[ti] = nt;
        t->producer = pass == 1 ? o : -1;
        if (pass == 0 && !ta_tensor_is_const(st)) {
          t->flags = TA_TENSOR_INPUT;
          ins[n_ins++] = nt;
        } else if (pass == 1) {
          t->flags = TA_TENSOR_OUTPUT;
          outs[n_outs++] = nt;
        }
      }
      if (pass == 0)
        g->ops[o].in[i] = map[ti];
      else
        g->ops[o].out[i] = map[ti];
    }
  }
  g->ops[o].name = op->name;
  g->ops[o].src_index = 0;
  g->ops[o].a = op->a;
  ta_status st = ta_graph_set_io(g, ins, n_ins, outs, n_outs);
  if (st != TA_OK)
    return st;
  *out = g;
  return TA_OK;
}

/* The schedule override of a candidate: its variant and knobs for the one op. */
static bool force_pick(void *user, const ta_graph *g, const ta_op *op, const char *key,
                       ta_sched_pick *pick) {
  (void)g, (void)op, (void)key;
  const ta_tune_cand *c = user;
  pick->variant = c->variant;
  pick->knobs = c->n_knobs > 0 ? c->knobs : NULL;
  pick->n_knobs = c->n_knobs;
  return true;
}

ta_status ta_tune_one_op(ta_ctx *ctx, const ta_graph *src, const ta_op *op,
                         const ta_tune_cand *cand, bool emit, ta_tune_one *one) {
  memset(one, 0, sizeof *one);
  ta_status st = one_op_graph(ctx, src, op, &one->g);
  if (st == TA_OK)
    st = ta_graph_check(one->g);
  if (st == TA_OK)
    st = ta_graph_check_ops(one->g);
  if (st != TA_OK)
    return st;
  ta_graph *g = one->g;
  one->calls = ta_new_array(ctx, 1, sizeof *one->calls);
  if (!one->calls)
    return TA_ERR_LIMIT;
  st = ta_graph_prepare(g, one->calls);
  if (st == TA_OK)
    st = ta_backend_partition(g, one->calls, NULL, 0);
  if (st != TA_OK || !cand)
    return st;
  ta_sched_options so = {.override = force_pick, .override_user = (void *)cand};
  st = ta_sched_run(g, one->calls, &so);
  if (st != TA_OK || !emit)
    return st;
  ta_plan_options po;
  ta_plan_options_default(&po);
  po.alignment = 16;
  st = ta_plan_build(g, one->calls, &po, &one->plan);
  if (st != TA_OK)
    return st;
  ta_cgen_options co = {TA_TUNE_MODEL_NAME, src->source};
  return ta_cgen_emit(g, one->calls, &one->plan, &co, &one->fs);
}

static size_t align16(size_t n) {
  return (n + 15) & ~(size_t)15;
}

ta_status ta_tune_layout(const ta_tune_one *one, ta_tune_layout_t *l) {
  const ta_graph *g = one->g;
  memset(l, 0, sizeof *l);
  size_t off = 0;
  for (int32_t k = 0; k < g->n_inputs && k < TA_SESSION_MAX_IO; k++) {
    size_t bytes;
    if (!ta_tensor_bytes(&g->tensors[g->inputs[k]], &bytes))
      return TA_ERR_UNSUPPORTED;
    l->in_off[k] = off;
    l->in_bytes[k] = bytes;
    off = align16(off + bytes);
  }
  l->in_total = off;
  for (int32_t k = 0; k < g->n_outputs && k < TA_SESSION_MAX_IO; k++) {
    size_t bytes;
    if (!ta_tensor_bytes(&g->tensors[g->outputs[k]], &bytes))
      return TA_ERR_UNSUPPORTED;
    l->out_off[k] = off;
    l->out_bytes[k] = bytes;
    off = align16(off + bytes);
  }
  l->out_total = off - l->in_total;
  l->arena_off = off;
  l->total = align16(off + one->plan.arena_bytes);
  if (g->n_inputs > TA_SESSION_MAX_IO || g->n_outputs > TA_SESSION_MAX_IO)
    return TA_ERR_UNSUPPORTED;
  return TA_OK;
}

ta_status ta_tune_add_wrapper(ta_ctx *ctx, ta_tune_one *one, const ta_tune_layout_t *l,
                              bool corrupt) {
  const ta_graph *g = one->g;
  ta_buf b;
  ta_buf_init(&b, ctx);
  ta_buf_puts(&b,
              "/* The tuning entry point: " TA_TUNE_MODEL_NAME "_run on tensors placed at fixed "
              "offsets of the tensor area. */\n"
              "#include <stdint.h>\n#include \"" TA_TUNE_MODEL_NAME ".h\"\n\n"
              "int32_t " TA_TUNE_ENTRY "(uint32_t tensor_base);\n"
              "int32_t " TA_TUNE_ENTRY "(uint32_t tensor_base) {\n"
              "  uint8_t *t = (uint8_t *)(uintptr_t)tensor_base;\n");
  ta_buf_puts(&b, "  const void *in[] = {");
  for (int32_t k = 0; k < g->n_inputs; k++)
    ta_buf_printf(&b, "%st + %zu", k ? ", " : "", l->in_off[k]);
  ta_buf_puts(&b, g->n_inputs ? "};\n" : "0};\n");
  ta_buf_puts(&b, "  void *out[] = {");
  for (int32_t k = 0; k < g->n_outputs; k++)
    ta_buf_printf(&b, "%st + %zu", k ? ", " : "", l->out_off[k]);
  ta_buf_puts(&b, "};\n");
  ta_buf_printf(&b, "  int32_t st = " TA_TUNE_MODEL_NAME "_run(in, out, t + %zu);\n", l->arena_off);
  /* TA_TUNE_TEST_BREAK (tests only): this candidate's code computes a wrong output, as a
   * broken kernel would, so a test sees the board-side check reject it. */
  if (corrupt)
    ta_buf_puts(&b, "  ((uint8_t *)out[0])[0] ^= 0x5a;\n");
  ta_buf_puts(&b, "  return st;\n}\n");
  if (!b.ok)
    return TA_ERR_LIMIT;
  ta_fileset *fs = &one->fs;
  ta_file *files = ta_new_array(ctx, (size_t)fs->n + 1, sizeof *files);
  char *data = ta_strndup(ctx, b.data, b.len);
  if (!files || !data)
    return TA_ERR_LIMIT;
  if (fs->n)
    memcpy(files, fs->files, (size_t)fs->n * sizeof *files);
  files[fs->n] = (ta_file){"ta_tune_entry.c", data, b.len};
  fs->files = files;
  fs->n++;
  fs->cap = fs->n;
  ta_buf_free(&b);
  return TA_OK;
}
