/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inspect.c: `tinyaot inspect MODEL [--json]`: per operator its shapes, dtypes, MACs and
 * parameter bytes; totals: ops, MACs, weights and arena bytes.
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"
#include "ta_schedule.h"

static const char help[] =
    "usage: tinyaot inspect MODEL [--json] [--plan] [--plan-svg FILE] [plan options]\n"
    "\n"
    "Print each operator (index, type, input and output shapes and dtypes, MACs, bytes of\n"
    "constant parameters) and the totals: ops, MACs, weights_bytes (constant data the\n"
    "generated code carries), arena_bytes (the static working memory; graph inputs and outputs\n"
    "are caller buffers and not included).\n"
    "\n"
    "options:\n"
    "  --json            machine-readable output (also gives arena_bytes_io_in_arena: the arena\n"
    "                    when inputs and outputs are placed in it too)\n"
    "  --plan            print the memory plan: each buffer (op range, offset, size, tensors)\n"
    "                    and an ASCII timeline\n"
    "  --plan-svg FILE   draw the memory plan as SVG (x: op index, y: arena offset)\n"
    "  --code-size       also compile the generated code for the host and report its text,\n"
    "                    rodata and data bytes (model files and runtime kernels apart);\n"
    "                    `tinyaot bench` reports the same for a Cortex-M target\n"
    "plan options (accepted by every command that compiles):\n"
    "  --align N         arena alignment in bytes, a power of two (default 4; 16 for Helium)\n"
    "  --io-in-arena     place graph inputs and outputs in the arena as well\n"
    "  --no-inplace      never let an op write over its input\n"
    "  --no-reorder      keep the model's op order\n"
    "  --max-arena BYTES refuse a model whose arena (or any input or output) needs more than\n"
    "                    BYTES (default 67108864: 64 MiB, more than any microcontroller has)\n"
    "model options (accepted by every command that compiles):\n"
    "  --input-shape NAME=D0,D1,...\n"
    "                    a static shape for an ONNX input with dynamic dimensions (repeat\n"
    "                    for several inputs)\n"
    "  --reference-kernels\n"
    "                    the reference kernels only, never an optimized variant\n"
    "  -h, --help        this text\n";

static void json_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

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

static void json_shape(const ta_tensor *t) {
  printf("{\"name\":");
  json_str(t->name);
  printf(",\"dtype\":\"%s\",\"shape\":[", ta_dtype_name(t->dtype));
  for (int32_t i = 0; i < t->rank; i++)
    printf(i ? ",%d" : "%d", t->dims[i]);
  printf("]}");
}

int ta_cmd_inspect(int argc, char **argv) {
  ta_args a = {argc, argv, 1, "inspect"};
  const char *model = NULL, *svg = NULL;
  bool json = false, show_plan = false, code_size = false;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  ta_status ast = TA_OK;
  for (; a.i < argc && ast == TA_OK; a.i++) {
    if (ta_arg_flag(&a, "--help") || ta_arg_flag(&a, "-h")) {
      fputs(help, stdout);
      return 0;
    }
    if (ta_arg_flag(&a, "--json")) {
      json = true;
      continue;
    }
    if (ta_arg_flag(&a, "--plan")) {
      show_plan = true;
      continue;
    }
    if (ta_arg_flag(&a, "--code-size")) {
      code_size = true;
      continue;
    }
    if (ta_arg_value(&a, "--plan-svg", &svg, &ast) || ta_arg_compile_option(&a, &copt, &ast))
      continue;
    if (argv[a.i][0] == '-') {
      fprintf(stderr, "tinyaot inspect: unknown option '%s' (see tinyaot inspect --help)\n",
              argv[a.i]);
      return 1;
    }
    if (model) {
      fprintf(stderr, "tinyaot inspect: more than one model given\n");
      return 1;
    }
    model = argv[a.i];
  }
  if (ast != TA_OK)
    return 1;
  if (!model) {
    fprintf(stderr, "tinyaot inspect: no MODEL given\n%s", help);
    return 1;
  }
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx);
  ta_model m;
  ta_status st = ta_compile_file(&ctx, model, &copt, &m);
  if (st != TA_OK) {
    ta_ctx_free(&ctx);
    return ta_cli_exit_code(st);
  }
  ta_graph *g = m.g;
  bool *counted = ta_new_array(&ctx, (size_t)(g->n_tensors ? g->n_tensors : 1), sizeof(bool));
  if (!counted) {
    ta_ctx_free(&ctx);
    return 1;
  }
  size_t weights = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    weights += const_bytes(g, &m.calls[i], counted);
  uint64_t macs = ta_graph_macs(g);
  /* The same model planned with inputs and outputs in the arena, for comparison with
   * engines that count them (TFLM does). */
  size_t arena_io = m.plan.arena_bytes;
  if (!copt.plan.io_in_arena) {
    ta_compile_options o2 = copt;
    o2.plan.io_in_arena = true;
    ta_model m2;
    if (ta_compile_file(&ctx, model, &o2, &m2) == TA_OK)
      arena_io = m2.plan.arena_bytes;
  }
  ta_code_size cs;
  memset(&cs, 0, sizeof cs);
  if (code_size) {
    ta_fileset fs;
    ta_cgen_options gopt = {ta_default_model_name(&ctx, model), model};
    st = ta_cgen_emit(g, m.calls, &m.plan, &gopt, &fs);
    ctx.file = NULL;
    if (st == TA_OK)
      st = ta_host_code_size(&ctx, &fs, &cs);
    if (st != TA_OK) {
      ta_ctx_free(&ctx);
      return ta_cli_exit_code(st);
    }
  }
  if (svg) {
    ta_buf b;
    ta_buf_init(&b, &ctx);
    ta_plan_svg(g, m.calls, &m.plan, &b);
    ctx.file = NULL;
    st = b.ok ? ta_write_file(&ctx, svg, b.data, b.len) : TA_ERR_LIMIT;
    ta_buf_free(&b);
    if (st != TA_OK) {
      ta_ctx_free(&ctx);
      return ta_cli_exit_code(st);
    }
  }

  if (json) {
    printf("{\"model\":");
    json_str(model);
    printf(",\"ops\":[");
    for (int32_t i = 0; i < g->n_ops; i++) {
      const ta_op *op = &g->ops[i];
      const ta_op_def *d = ta_op_def_get(op->kind);
      printf("%s\n {\"index\":%d,\"type\":\"%s\",\"name\":", i ? "," : "", op->src_index,
             ta_op_kind_name(op->kind));
      json_str(op->name);
      printf(",\"inputs\":[");
      int32_t shown = 0;
      for (int32_t j = 0; j < op->n_in; j++) {
        if (op->in[j] < 0)
          continue;
        if (shown++)
          putchar(',');
        json_shape(&g->tensors[op->in[j]]);
      }
      printf("],\"outputs\":[");
      for (int32_t j = 0; j < op->n_out; j++) {
        if (j)
          putchar(',');
        json_shape(&g->tensors[op->out[j]]);
      }
      printf("],\"macs\":%llu,\"param_bytes\":%zu,\"kernel\":",
             (unsigned long long)(d && d->macs ? d->macs(g, op) : 0),
             const_bytes(g, &m.calls[i], NULL));
      if (m.calls[i].kernel >= 0)
        printf("\"tart_%s\"", ta_kernel_get(m.calls[i].kernel)->name);
      else
        printf("null");
      ta_sched_why why;
      const ta_variant *v = ta_sched_variant(&m.calls[i], &why);
      printf(",\"scratch_bytes\":%zu,\"backend\":\"%s\"", m.calls[i].scratch_bytes,
             ta_backend_of(&m.calls[i])->name);
      printf(",\"backend_declined\":");
      if (m.calls[i].backend_declined)
        json_str(m.calls[i].backend_declined);
      else
        printf("null");
      printf(",\"variant\":");
      printf(v ? "{\"name\":\"%s\",\"from\":\"%s\"}}" : "null}", v ? v->name : "",
             ta_sched_why_name(why));
    }
    printf("\n],\"n_ops\":%d,\"macs\":%llu,\"weights_bytes\":%zu,\"arena_bytes\":%zu,"
           "\"arena_lower_bound_bytes\":%zu,\"scratch_bytes\":%zu,\"io_in_arena\":%s,"
           "\"arena_bytes_io_in_arena\":%zu,\"alignment\":%zu,\"inplace_ops\":%d,"
           "\"reshape_views\":%d,\"reordered\":%s",
           g->n_ops, (unsigned long long)macs, weights, m.plan.arena_bytes,
           m.plan.lower_bound_bytes, m.plan.scratch_bytes, copt.plan.io_in_arena ? "true" : "false",
           arena_io, copt.plan.alignment, m.plan.n_inplace, m.plan.n_aliased,
           m.plan.reordered ? "true" : "false");
    if (code_size)
      printf(",\"host_code\":{\"model_text\":%llu,\"model_rodata\":%llu,\"model_data\":%llu,"
             "\"runtime_text\":%llu,\"runtime_rodata\":%llu,\"runtime_data\":%llu}",
             (unsigned long long)cs.model_text, (unsigned long long)cs.model_rodata,
             (unsigned long long)cs.model_data, (unsigned long long)cs.runtime_text,
             (unsigned long long)cs.runtime_rodata, (unsigned long long)cs.runtime_data);
    printf("}\n");
  } else {
    printf("%s: %d ops, %llu MACs, weights %zu bytes, arena %zu bytes (%s; %zu with inputs and "
           "outputs in the arena)\n\n",
           model, g->n_ops, (unsigned long long)macs, weights, m.plan.arena_bytes,
           copt.plan.io_in_arena ? "inputs/outputs in the arena"
                                 : "inputs/outputs in caller buffers",
           arena_io);
    if (code_size)
      printf("host code (-Os): model text %llu, rodata %llu, data %llu; runtime kernels text %llu, "
             "rodata %llu, data %llu bytes\n\n",
             (unsigned long long)cs.model_text, (unsigned long long)cs.model_rodata,
             (unsigned long long)cs.model_data, (unsigned long long)cs.runtime_text,
             (unsigned long long)cs.runtime_rodata, (unsigned long long)cs.runtime_data);
    printf("%4s  %-18s  %-28s  %-20s  %12s  %10s  %-10s  %s\n", "op", "type", "inputs", "output",
           "MACs", "params", "backend", "variant");
    for (int32_t i = 0; i < g->n_ops; i++) {
      const ta_op *op = &g->ops[i];
      const ta_op_def *d = ta_op_def_get(op->kind);
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
      const ta_variant *v = ta_sched_variant(&m.calls[i], &why);
      /* The backend that runs the op, and why an earlier one declined it. */
      printf("%4d  %-18s  %-28s  %-20s  %12llu  %10zu  %-10s  %s (%s)%s%s\n", op->src_index,
             ta_op_kind_name(op->kind), ins, outs,
             (unsigned long long)(d && d->macs ? d->macs(g, op) : 0),
             const_bytes(g, &m.calls[i], NULL), ta_backend_of(&m.calls[i])->name, v ? v->name : "-",
             ta_sched_why_name(why), m.calls[i].backend_declined ? "  declined by " : "",
             m.calls[i].backend_declined ? m.calls[i].backend_declined : "");
    }
  }
  if (show_plan) {
    ta_buf b;
    ta_buf_init(&b, &ctx);
    ta_plan_print(g, m.calls, &m.plan, &b);
    if (b.ok)
      fputs(b.data, json ? stderr : stdout);
    ta_buf_free(&b);
  }
  ta_ctx_free(&ctx);
  return 0;
}
