/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c: the pipeline as one straight line of stages (see ta_compile.h): frontend ->
 * passes -> [quantize] -> check -> prepare -> partition -> schedule -> plan. Each stage is a
 * call into its own library; this file only strings them together and decides nothing about a
 * model itself. The default model name (the generated code's symbol prefix) lives here too:
 * every command that emits code derives it the same way.
 */
#include "ta_compile.h"

#include <ctype.h>
#include <string.h>

#include "ta_backend.h"
#include "ta_codegen.h"
#include "ta_passes.h"
#include "ta_schedule.h"
#include "ta_tflite.h"

void ta_compile_options_init(ta_compile_options *opt) {
  memset(opt, 0, sizeof *opt);
  ta_plan_options_default(&opt->plan);
  opt->target = "host";
  opt->last_stage = TA_STAGE_PLAN;
  opt->quant.method = TA_CALIB_MINMAX;
  opt->quant.percentile = 99.99;
}

/* An ONNX model: bytes that start like a ModelProto, or a .onnx file. */
static bool is_onnx(const char *path, const uint8_t *data, size_t len) {
  const size_t n = strlen(path);
  return ta_onnx_sniff(data, len) || (n > 5 && strcmp(path + n - 5, ".onnx") == 0);
}

/* Structure, operator checks and shape inference: what every later stage relies on. */
static ta_status check(ta_graph *g) {
  ta_status st = ta_graph_check(g);
  return st == TA_OK ? ta_graph_check_ops(g) : st;
}

/* The frontend stage: a graph whose ops are checked and shapes inferred, as the passes need
 * it. The ONNX reader checks each op as it builds it; a TFLite graph is checked here. */
static ta_status frontend(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len,
                          const ta_compile_options *opt, ta_graph **g) {
  if (len >= 8 && memcmp(data + 4, "TFL3", 4) == 0) {
    ta_status st = ta_tfl_read(ctx, data, len, g);
    return st == TA_OK ? check(*g) : st;
  }
  if (!is_onnx(path, data, len)) /* let the TFLite reader explain what is wrong */
    return ta_tfl_read(ctx, data, len, g);
  /* Shapes: the user's first, then those of bound input values. */
  const int32_t n_shapes = opt->shapes.n + opt->n_bind;
  ta_onnx_shape *shapes = ta_new_array(ctx, (size_t)(n_shapes ? n_shapes : 1), sizeof *shapes);
  if (!shapes)
    return TA_ERR_LIMIT;
  memcpy(shapes, opt->shapes.s, (size_t)opt->shapes.n * sizeof *shapes);
  for (int32_t k = 0; k < opt->n_bind; k++) {
    ta_onnx_shape *s = &shapes[opt->shapes.n + k];
    s->name = opt->bind[k].name;
    s->rank = opt->bind[k].rank;
    memcpy(s->dims, opt->bind[k].dims, sizeof s->dims);
  }
  ta_onnx_options onnx = {shapes, n_shapes, opt->bind, opt->n_bind};
  return ta_onnx_read(ctx, data, len, &onnx, g);
}

ta_status ta_compile_bytes(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len,
                           const ta_compile_options *opt, ta_model *m) {
  ta_compile_options defaults;
  if (!opt) {
    ta_compile_options_init(&defaults);
    opt = &defaults;
  }
  memset(m, 0, sizeof *m);
  ctx->file = path;
  ta_status st = frontend(ctx, path, data, len, opt, &m->g);
  if (st != TA_OK)
    return st;
  m->g->reference_kernels = opt->reference_kernels;
  /* The passes run for TFLite too: on the TFLite models of ../shared they find nothing to
   * rewrite (the generated code is byte for byte what it was without them); a converter's
   * graph rarely has what they fold, but a hand-made one may. */
  st = ta_passes_run(m->g);
  if (st == TA_OK)
    st = check(m->g);
  /* Quantization evaluates the checked float graph and gives a new int8 graph, which then
   * goes through check, prepare and the rest like any int8 model. */
  if (st == TA_OK && opt->quant.mode != TA_QUANT_INT8 && opt->quant.n_calib_paths > 0)
    st = ta_err(ctx, TA_ERR_USAGE,
                "calibration data was given, but no quantization was asked for (--quantize int8)");
  if (st == TA_OK && opt->quant.mode == TA_QUANT_INT8) {
    ta_graph *qg;
    m->float_g = m->g;
    st = ta_quantize_run(m->g, &opt->quant, &qg, &m->quant_report);
    if (st == TA_OK) {
      m->g = qg;
      m->g->reference_kernels = opt->reference_kernels;
      st = check(m->g);
    }
  }
  if (st != TA_OK)
    return st;
  m->calls = ta_new_array(ctx, (size_t)(m->g->n_ops ? m->g->n_ops : 1), sizeof(ta_kernel_call));
  if (!m->calls)
    return TA_ERR_LIMIT;
  /* prepare (reference parameters) -> partition (each op to a backend) -> schedule (one
   * variant per op) -> plan. */
  st = ta_graph_prepare(m->g, m->calls);
  if (st == TA_OK)
    st = ta_backend_partition(m->g, m->calls, NULL, 0);
  ta_sched_options sched = {.reference_kernels = opt->reference_kernels};
  if (st == TA_OK)
    st = ta_sched_run(m->g, m->calls, &sched);
  if (st != TA_OK || opt->last_stage == TA_STAGE_SCHEDULE)
    return st;
  return ta_plan_build(m->g, m->calls, &opt->plan, &m->plan);
}

ta_status ta_compile_file(ta_ctx *ctx, const char *path, const ta_compile_options *opt,
                          ta_model *m) {
  memset(m, 0, sizeof *m);
  ctx->file = path;
  uint8_t *data;
  size_t len;
  ta_status st = ta_read_file(ctx, path, &data, &len);
  if (st != TA_OK)
    return st;
  return ta_compile_bytes(ctx, path, data, len, opt, m);
}

ta_status ta_compile_emit(ta_ctx *ctx, const char *path, const ta_compile_options *opt,
                          const char *name, ta_model *m, ta_fileset *fs) {
  ta_status st = ta_compile_file(ctx, path, opt, m);
  if (st != TA_OK)
    return st;
  ta_cgen_options copt = {name, path};
  st = ta_cgen_emit(m->g, m->calls, &m->plan, &copt, fs);
  if (st == TA_OK)
    ctx->file = NULL;
  return st;
}

const char *ta_default_model_name(ta_ctx *ctx, const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t len = strcspn(base, ".");
  if (len == 0)
    return "model";
  if (len > 40)
    len = 40;
  char *name = ta_new(ctx, len + 3);
  if (!name)
    return "model";
  size_t o = 0;
  if (isdigit((unsigned char)base[0])) {
    name[o++] = 'm';
    name[o++] = '_';
  }
  for (size_t i = 0; i < len; i++)
    name[o++] = isalnum((unsigned char)base[i]) ? (char)tolower((unsigned char)base[i]) : '_';
  return name;
}
