/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inspect.c: what `tinyaot inspect` reports about a compiled model, as text or JSON: per
 * operator its shapes, dtypes, MACs, constant parameter bytes and the kernel variant the
 * schedule chose; totals: ops, MACs, weights (constant data the generated code carries,
 * each tensor counted once) and arena bytes.
 */
#include <stdio.h>
#include <string.h>

#include "ta_report.h"
#include "ta_schedule.h"

/* Constant bytes an op's code carries: its constant operands (each counted once when counted
 * is given) and the arrays of its kernel parameters (multipliers, packed weights). */
static size_t const_bytes(const ta_graph *g, const ta_kernel_call *c, bool *counted) {
  size_t total = ta_params_array_bytes(c);
  for (int32_t j = 0; j < c->n_in; j++) {
    int32_t t = c->in[j];
    if (t < 0 || !ta_tensor_is_const(&g->tensors[t]))
      continue;
    if (counted) {
      if (counted[t])
        continue;
      counted[t] = true;
    }
    total += g->tensors[t].data_bytes;
  }
  return total;
}

/* A sink passing errors and notes on to the saved context's sink, dropping warnings. */
static void errors_only(void *user, ta_severity sev, const char *msg) {
  const ta_ctx *saved = user;
  if (sev != TA_WARNING && saved->sink)
    saved->sink(saved->sink_user, sev, msg);
}

ta_status ta_report_inspect_info(ta_ctx *ctx, const char *path, const ta_compile_options *copt,
                                 const ta_model *m, ta_code_size *cs, ta_inspect_info *info) {
  const ta_graph *g = m->g;
  memset(info, 0, sizeof *info);
  info->model = path;
  info->plan = &copt->plan;
  info->arena_io_bytes = m->plan.arena_bytes;
  bool *counted = ta_new_array(ctx, (size_t)(g->n_tensors ? g->n_tensors : 1), sizeof(bool));
  if (!counted)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++)
    info->weights_bytes += const_bytes(g, &m->calls[i], counted);
  /* The same model planned with inputs and outputs in the arena, for comparison with
   * engines that count them (TFLM does). */
  if (!copt->plan.io_in_arena) {
    ta_compile_options o2 = *copt;
    o2.plan.io_in_arena = true;
    ta_model m2;
    /* Its warnings would repeat the first compile's (a tuning log's): dropped. */
    ta_ctx saved = *ctx;
    ctx->sink = errors_only;
    ctx->sink_user = &saved;
    if (ta_compile_file(ctx, path, &o2, &m2) == TA_OK)
      info->arena_io_bytes = m2.plan.arena_bytes;
    ctx->sink = saved.sink;
    ctx->sink_user = saved.sink_user;
  }
  if (!cs)
    return TA_OK;
  memset(cs, 0, sizeof *cs);
  ta_fileset fs;
  ta_cgen_options gopt = {ta_default_model_name(ctx, path), path};
  ta_status st = ta_cgen_emit(m->g, m->calls, &m->plan, &gopt, &fs);
  ctx->file = NULL;
  const ta_board *board = copt->target ? ta_board_find(copt->target) : NULL;
  if (st == TA_OK)
    st = ta_code_size_measure(ctx, &fs, board, cs);
  info->code_size = cs;
  return st;
}

const char *ta_report_short_name(char *buf, size_t cap, const char *name) {
  if (!name)
    name = "";
  const size_t n = strcspn(name, ";");
  snprintf(buf, cap, "%.*s%s", (int)n, name, name[n] ? ";..." : "");
  return buf;
}

static uint64_t op_macs(const ta_graph *g, const ta_op *op) {
  /* Not checked (an UNSUPPORTED placeholder or downstream of one): no shapes to count. */
  if (g->has_unsupported && op->n_out > 0 && op->out[0] >= 0 && !g->tensors[op->out[0]].shape_known)
    return 0;
  const ta_op_def *d = ta_op_def_get(op->kind);
  return d && d->macs ? d->macs(g, op) : 0;
}

static void json_shape(ta_buf *b, const ta_tensor *t) {
  ta_buf_puts(b, "{\"name\":");
  ta_report_json_str(b, t->name);
  ta_buf_printf(b, ",\"dtype\":\"%s\",\"shape\":[", ta_dtype_name(t->dtype));
  for (int32_t i = 0; i < t->rank; i++)
    ta_buf_printf(b, i ? ",%d" : "%d", t->dims[i]);
  ta_buf_puts(b, "]}");
}

/* The backends' memory pools: per pool its size, peak and the tensors placed in it. */
static void pools_json(ta_buf *b, const ta_model *m) {
  const ta_graph *g = m->g;
  const ta_plan *pl = &m->plan;
  ta_buf_puts(b, ",\"pools\":[");
  for (int32_t k = 0; k < pl->n_pools; k++) {
    const ta_plan_pool *p = &pl->pools[k];
    ta_buf_printf(b, "%s{\"name\":\"%s\",\"backend\":", k ? "," : "", p->name);
    ta_report_json_str(b, p->backend);
    ta_buf_puts(b, ",\"description\":");
    ta_report_json_str(b, p->source);
    ta_buf_printf(
        b,
        ",\"bytes\":%zu,\"peak_bytes\":%zu,\"lower_bound_bytes\":%zu,\"alignment_bytes\":%zu,"
        "\"weights_in\":\"%s\",\"tensors\":[",
        p->capacity, p->bytes, p->lower_bound, p->alignment, p->weights ? "pool" : "flash");
    int32_t shown = 0;
    for (int32_t t = 0; t < g->n_tensors; t++) {
      size_t bytes = 0;
      if (pl->tensor_pool[t] != k || pl->tensor_offset[t] < 0 ||
          !ta_tensor_bytes(&g->tensors[t], &bytes))
        continue;
      ta_buf_printf(b, "%s{\"index\":%d,\"name\":", shown++ ? "," : "", t);
      ta_report_json_str(b, g->tensors[t].name);
      ta_buf_printf(b, ",\"offset\":%lld,\"bytes\":%zu,\"first_op\":%d,\"last_op\":%d}",
                    (long long)pl->tensor_offset[t], bytes, pl->first_op[t], pl->last_op[t]);
    }
    ta_buf_puts(b, "]}");
  }
  ta_buf_puts(b, "]");
}

static void pools_text(ta_buf *b, const ta_model *m) {
  const ta_graph *g = m->g;
  const ta_plan *pl = &m->plan;
  for (int32_t k = 0; k < pl->n_pools; k++) {
    const ta_plan_pool *p = &pl->pools[k];
    ta_buf_printf(b,
                  "memory pool %s (backend %s, %s): %zu bytes, peak %zu (lower bound %zu), "
                  "alignment %zu, weights in %s\n",
                  p->name, p->backend, p->source, p->capacity, p->bytes, p->lower_bound,
                  p->alignment, p->weights ? "the pool" : "flash");
    for (int32_t t = 0; t < g->n_tensors; t++) {
      size_t bytes = 0;
      char shape[96];
      const ta_tensor *tt = &g->tensors[t];
      if (pl->tensor_pool[t] != k || pl->tensor_offset[t] < 0 || !ta_tensor_bytes(tt, &bytes))
        continue;
      ta_buf_printf(
          b, "  tensor %4d  offset %6lld  %6zu bytes  ops %d..%d  %s %s \"%s\"\n", t,
          (long long)pl->tensor_offset[t], bytes, pl->first_op[t] < 0 ? 0 : pl->first_op[t],
          pl->last_op[t] >= g->n_ops ? g->n_ops - 1 : pl->last_op[t], ta_dtype_name(tt->dtype),
          ta_shape_str(tt, shape, sizeof shape), tt->name ? tt->name : "");
    }
  }
  if (pl->n_pools)
    ta_buf_puts(b, "\n");
}

static void inspect_json(ta_buf *b, const ta_model *m, const ta_inspect_info *in) {
  const ta_graph *g = m->g;
  const ta_code_size *cs = in->code_size;
  ta_report_json_head(b, "inspect");
  ta_buf_puts(b, "\"model\":");
  ta_report_json_str(b, in->model);
  ta_buf_puts(b, ",\"ops\":[");
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    /* index: the op's place in execution order (the profile hook's op_index); source_index:
     * its node in the model file (ONNX nodes split or dropped by passes leave gaps). */
    ta_buf_printf(b,
                  "%s\n {\"index\":%d,\"source_index\":%d,\"type\":\"%s\",\"name\":", i ? "," : "",
                  i, op->src_index, ta_op_kind_name(op->kind));
    ta_report_json_str(b, op->name);
    if (op->kind == TA_OP_UNSUPPORTED) {
      ta_buf_puts(b, ",\"unsupported\":");
      ta_report_json_str(b, op->unsupported);
    }
    ta_buf_puts(b, ",\"inputs\":[");
    int32_t shown = 0;
    for (int32_t j = 0; j < op->n_in; j++) {
      if (op->in[j] < 0)
        continue;
      if (shown++)
        ta_buf_puts(b, ",");
      json_shape(b, &g->tensors[op->in[j]]);
    }
    ta_buf_puts(b, "],\"outputs\":[");
    for (int32_t j = 0; j < op->n_out; j++) {
      if (j)
        ta_buf_puts(b, ",");
      json_shape(b, &g->tensors[op->out[j]]);
    }
    ta_buf_printf(b, "],\"macs\":%llu,\"param_bytes\":%zu,\"kernel\":",
                  (unsigned long long)op_macs(g, op), const_bytes(g, &m->calls[i], NULL));
    if (m->calls[i].kernel >= 0)
      ta_buf_printf(b, "\"tart_%s\"", ta_kernel_get(m->calls[i].kernel)->name);
    else
      ta_buf_puts(b, "null");
    ta_sched_why why;
    const ta_variant *v = ta_sched_variant(&m->calls[i], &why);
    ta_buf_printf(b, ",\"scratch_bytes\":%zu,\"backend\":\"%s\",\"backend_declined\":",
                  m->calls[i].scratch_bytes, ta_backend_of(&m->calls[i])->name);
    if (m->calls[i].backend_declined)
      ta_report_json_str(b, m->calls[i].backend_declined);
    else
      ta_buf_puts(b, "null");
    ta_buf_puts(b, ",\"variant\":");
    if (v) {
      ta_buf_printf(b, "{\"name\":\"%s\",\"from\":\"%s\"", v->name, ta_sched_why_name(why));
      /* The knob values and the workload key: what a tuning log record names. */
      if (v->n_knobs > 0 && m->calls[i].knobs) {
        ta_buf_puts(b, ",\"knobs\":{");
        for (int32_t k = 0; k < v->n_knobs; k++)
          ta_buf_printf(b, "%s\"%s\":%d", k ? "," : "", v->knobs[k].name, m->calls[i].knobs[k]);
        ta_buf_puts(b, "}");
      }
      const char *key = ta_sched_workload_key(g, op);
      ta_buf_puts(b, ",\"workload\":");
      if (key)
        ta_report_json_str(b, key);
      else
        ta_buf_puts(b, "null");
      ta_buf_puts(b, "}}");
    } else {
      ta_buf_puts(b, "null}");
    }
  }
  ta_buf_printf(b,
                "\n],\"op_count\":%d,\"macs\":%llu,\"weights_bytes\":%zu,\"arena_bytes\":%zu,"
                "\"arena_lower_bound_bytes\":%zu,\"scratch_bytes\":%zu,\"io_in_arena\":%s,"
                "\"arena_with_io_bytes\":%zu,\"alignment_bytes\":%zu,\"inplace_ops\":%d,"
                "\"reshape_views\":%d,\"reordered\":%s",
                g->n_ops, (unsigned long long)ta_graph_macs(g), in->weights_bytes,
                m->plan.arena_bytes, m->plan.lower_bound_bytes, m->plan.scratch_bytes,
                in->plan->io_in_arena ? "true" : "false", in->arena_io_bytes, in->plan->alignment,
                m->plan.n_inplace, m->plan.n_aliased, m->plan.reordered ? "true" : "false");
  pools_json(b, m);
  if (cs)
    ta_buf_printf(b,
                  ",\"code_size\":{\"target\":\"%s\",\"model_text_bytes\":%llu,"
                  "\"model_rodata_bytes\":%llu,\"model_data_bytes\":%llu,"
                  "\"runtime_text_bytes\":%llu,\"runtime_rodata_bytes\":%llu,"
                  "\"runtime_data_bytes\":%llu}",
                  cs->target, (unsigned long long)cs->model_text,
                  (unsigned long long)cs->model_rodata, (unsigned long long)cs->model_data,
                  (unsigned long long)cs->runtime_text, (unsigned long long)cs->runtime_rodata,
                  (unsigned long long)cs->runtime_data);
  ta_buf_puts(b, "}\n");
}

static void inspect_text(ta_buf *b, const ta_model *m, const ta_inspect_info *in) {
  const ta_graph *g = m->g;
  const ta_code_size *cs = in->code_size;
  ta_buf_printf(b,
                "%s: %d ops, %llu MACs, weights %zu bytes, arena %zu bytes (%s; %zu with inputs "
                "and outputs in the arena)\n\n",
                in->model, g->n_ops, (unsigned long long)ta_graph_macs(g), in->weights_bytes,
                m->plan.arena_bytes,
                in->plan->io_in_arena ? "inputs/outputs in the arena"
                                      : "inputs/outputs in caller buffers",
                in->arena_io_bytes);
  pools_text(b, m);
  if (cs)
    ta_buf_printf(b,
                  "code size on %s (%s, objects before linking): model text %llu, rodata %llu, "
                  "data %llu; runtime kernels text %llu, rodata %llu, data %llu bytes\n\n",
                  cs->target,
                  strcmp(cs->target, "host") == 0 ? "the host compiler, -Os"
                                                  : "arm-none-eabi-gcc, -O2 as the firmware",
                  (unsigned long long)cs->model_text, (unsigned long long)cs->model_rodata,
                  (unsigned long long)cs->model_data, (unsigned long long)cs->runtime_text,
                  (unsigned long long)cs->runtime_rodata, (unsigned long long)cs->runtime_data);
  ta_buf_printf(b, "%4s  %-18s  %-28s  %-20s  %12s  %10s  %-10s  %s\n", "op", "type", "inputs",
                "output", "MACs", "params", "backend", "variant; name");
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    char ins[256] = "", shape[96];
    size_t off = 0;
    for (int32_t j = 0; j < op->n_in && off < sizeof ins; j++) {
      if (op->in[j] < 0 || ta_tensor_is_const(&g->tensors[op->in[j]]))
        continue;
      const ta_tensor *t = &g->tensors[op->in[j]];
      off += (size_t)snprintf(ins + off, sizeof ins - off, "%s%s %s", off ? " " : "",
                              ta_dtype_name(t->dtype), ta_shape_str(t, shape, sizeof shape));
    }
    const ta_tensor *o = &g->tensors[op->out[0]];
    char outs[128];
    snprintf(outs, sizeof outs, "%s %s", ta_dtype_name(o->dtype),
             ta_shape_str(o, shape, sizeof shape));
    ta_sched_why why;
    const ta_variant *v = ta_sched_variant(&m->calls[i], &why);
    /* The backend that runs the op, and why an earlier one declined it. */
    const char *declined = m->calls[i].backend_declined;
    char nm[128], kind[128];
    if (op->kind == TA_OP_UNSUPPORTED)
      snprintf(kind, sizeof kind, "UNSUPPORTED %s", op->unsupported ? op->unsupported : "?");
    else
      snprintf(kind, sizeof kind, "%s", ta_op_kind_name(op->kind));
    ta_buf_printf(b, "%4d  %-18s  %-28s  %-20s  %12llu  %10zu  %-10s  %s (%s)%s%s  \"%s\"\n", i,
                  kind, ins, outs, (unsigned long long)op_macs(g, op),
                  const_bytes(g, &m->calls[i], NULL), ta_backend_of(&m->calls[i])->name,
                  v ? v->name : "-", ta_sched_why_name(why), declined ? "  declined by " : "",
                  declined ? declined : "", ta_report_short_name(nm, sizeof nm, op->name));
  }
}

void ta_report_inspect(ta_buf *b, const ta_model *m, const ta_inspect_info *in, bool json) {
  if (json)
    inspect_json(b, m, in);
  else
    inspect_text(b, m, in);
}
