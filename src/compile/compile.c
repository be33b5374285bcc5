/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c: the pipeline as one straight line of stages (see ta_compile.h): frontend ->
 * passes -> [quantize] -> check -> prepare -> partition -> schedule -> plan. Each stage is a
 * call into its own library; this file only strings them together and decides nothing about a
 * model itself. The default model name (the generated code's symbol prefix) lives here too:
 * every command that emits code derives it the same way.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "ta_compile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ta_backend.h"
#include "ta_backend_desc.h"
#include "ta_codegen.h"
#include "ta_config.h"
#include "ta_passes.h"
#include "ta_schedule.h"
#include "ta_tune_log.h"
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
    if (opt->shapes.n > 0)
      return ta_err(ctx, TA_ERR_USAGE,
                    "--input-shape %s: a TFLite model's input shapes are fixed (the option is "
                    "for ONNX inputs with dynamic dimensions)",
                    opt->shapes.s[0].name);
    ta_status st = ta_tfl_read_opts(ctx, data, len, opt->allow_unsupported, g);
    /* A hybrid model (int8 filters, float activations) quantizes from its float form. */
    int32_t n_hybrid = 0;
    if (st == TA_OK && opt->quant.mode == TA_QUANT_INT8)
      st = ta_pass_dequantize_hybrid(*g, &n_hybrid);
    if (st == TA_OK && n_hybrid > 0)
      ta_report(ctx, TA_NOTE,
                "%d op(s) with int8 weights under float32 inputs (a hybrid model): the weights "
                "are dequantized to float32, then the model is quantized to int8 like a float "
                "model",
                (int)n_hybrid);
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
  ta_onnx_options onnx = {shapes, n_shapes, opt->bind, opt->n_bind, opt->allow_unsupported};
  return ta_onnx_read(ctx, data, len, &onnx, g);
}

/* The share folder of the installation the running binary belongs to (its folder's
 * TA_BACKENDS_REL_DIR), NULL when the binary's path is unknown (not Linux) or out of memory. */
static const char *installed_backends_dir(ta_ctx *ctx) {
#ifdef __linux__
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 || (size_t)n >= sizeof exe - 1)
    return NULL;
  exe[n] = 0;
  char *slash = strrchr(exe, '/');
  if (!slash)
    return NULL;
  *slash = 0;
  return ta_fmt(ctx, "%s/%s", exe, TA_BACKENDS_REL_DIR);
#else
  (void)ctx;
  return NULL;
#endif
}

/* A shipped backend's description, NAME/NAME.json under: the share folder of the installation
 * the running binary belongs to (an installed tinyaot uses its own descriptions, wherever it
 * was installed or staged with DESTDIR), the source tree's backends/ (a binary in its build
 * folder), the configured install prefix's share folder. NULL (reported) when none has it. */
static const char *shipped_backend(ta_ctx *ctx, const char *name) {
  const char *dirs[] = {installed_backends_dir(ctx), TA_BACKENDS_SOURCE_DIR,
                        TA_BACKENDS_INSTALL_DIR};
  for (size_t i = 0; i < TA_ARRAY_LEN(dirs); i++) {
    if (!dirs[i])
      continue;
    char *p = ta_fmt(ctx, "%s/%s/%s.json", dirs[i], name, name);
    struct stat sb;
    if (!p)
      return NULL;
    if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
      return p;
  }
  ta_err(ctx, TA_ERR_USAGE,
         "unknown backend \"%s\": no shipped backend of that name (in %s%s%s or %s); give the "
         "path of a description file for your own (docs/BACKENDS.md)",
         name, dirs[0] ? dirs[0] : "", dirs[0] ? ", " : "", TA_BACKENDS_SOURCE_DIR,
         TA_BACKENDS_INSTALL_DIR);
  return NULL;
}

/* Read the backends the options name, in order, into backends[] (opt->n_backends of them). */
static ta_status load_backends(ta_ctx *ctx, const ta_compile_options *opt,
                               const ta_backend **backends) {
  ta_backend_var vars[TA_MAX_BACKEND_VARS];
  ta_status st = TA_OK;
  for (int32_t i = 0; i < opt->n_backend_vars; i++) {
    ta_status s = ta_backend_var_parse(ctx, opt->backend_vars[i], &vars[i]);
    if (s != TA_OK && st == TA_OK)
      st = s;
    /* A value naming a file or folder relative to where the command runs (CMSIS_NN=../CMSIS-NN)
     * means that one, not a path relative to the description's folder: made absolute. */
    char *abs;
    if (s == TA_OK && vars[i].value[0] && vars[i].value[0] != '/' &&
        (abs = realpath(vars[i].value, NULL)) != NULL) {
      vars[i].value = ta_strdup(ctx, abs);
      free(abs);
      if (!vars[i].value && st == TA_OK)
        st = TA_ERR_LIMIT;
    }
  }
  if (st != TA_OK)
    return st;
  const ta_backend_desc_options dopt = {vars, opt->n_backend_vars, getenv, false};
  for (int32_t i = 0; i < opt->n_backends; i++) {
    const char *arg = opt->backends[i];
    const size_t n = strlen(arg);
    const bool is_file = strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0);
    const char *path = is_file ? arg : shipped_backend(ctx, arg);
    if (!path)
      return ctx->oom ? TA_ERR_LIMIT : TA_ERR_USAGE;
    ta_backend_desc *d;
    st = ta_backend_desc_load(ctx, path, &dopt, &d);
    if (st != TA_OK)
      return st;
    if (opt->target && !ta_backend_desc_runs_on(d, opt->target)) {
      ta_buf b;
      ta_buf_init(&b, ctx);
      for (int32_t k = 0; k < d->n_targets; k++)
        ta_buf_printf(&b, "%s%s", k ? ", " : "", d->targets[k]);
      st = ta_err(ctx, TA_ERR_USAGE, "backend %s (%s) runs on %s only, not on target %s%s", d->name,
                  path, b.data ? b.data : "?", opt->target,
                  strcmp(opt->target, "host") == 0
                      ? " (it is target-only: run it with --target cortex-m4 or another board)"
                      : "");
      ta_buf_free(&b);
      return st;
    }
    ta_backend *be;
    st = ta_backend_from_desc(ctx, d, &be);
    if (st != TA_OK)
      return st;
    backends[i] = be;
  }
  return TA_OK;
}

/* --tuning-log: read the log and install its override on sched, for the tuning target (the
 * option, else a board target, else the log's only one). */
static ta_status tuning_log(ta_ctx *ctx, const ta_compile_options *opt, ta_sched_options *sched) {
  ta_tune_log *log;
  ta_status st = ta_tune_log_read(ctx, opt->tuning_log, &log);
  const char *want = opt->tuning_target;
  if (!want && opt->target && strcmp(opt->target, "host") != 0)
    want = opt->target;
  const char *target = NULL;
  if (st == TA_OK)
    st = ta_tune_log_target(ctx, log, want, &target);
  if (st == TA_OK && target && !opt->reference_kernels)
    st = ta_tune_log_install(ctx, log, target, sched);
  return st;
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
  m->g->optimize_size = opt->optimize_size;
  if (m->g->has_unsupported) {
    /* allow_unsupported: the checked graph is all there is (see ta_compile_options). */
    m->calls = ta_new_array(ctx, (size_t)(m->g->n_ops ? m->g->n_ops : 1), sizeof(ta_kernel_call));
    if (!m->calls)
      return TA_ERR_LIMIT;
    for (int32_t i = 0; i < m->g->n_ops; i++)
      m->calls[i].kernel = -1;
    return TA_OK;
  }
  const ta_backend *backends[TA_MAX_BACKENDS];
  const int32_t n_backends = opt->n_backends < TA_MAX_BACKENDS ? opt->n_backends : TA_MAX_BACKENDS;
  if (n_backends > 0 && (st = load_backends(ctx, opt, backends)) != TA_OK)
    return st;
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
      m->g->optimize_size = opt->optimize_size;
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
    st = ta_backend_partition(m->g, m->calls, backends, n_backends);
  ta_sched_options sched = {.reference_kernels = opt->reference_kernels};
  if (st == TA_OK && opt->tuning_log)
    st = tuning_log(ctx, opt, &sched);
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

ta_status ta_compile_serialize(ta_ctx *ctx, const char *model_path, const ta_graph *g,
                               const char *out_path, ta_buf *b) {
  const size_t n = strlen(out_path);
  if (n < 5 || strcmp(out_path + n - 5, ".onnx") != 0)
    return ta_tfl_write(ctx, g, b);
  uint8_t *data;
  size_t len;
  ta_status st = ta_read_file(ctx, model_path, &data, &len);
  if (st == TA_OK && !ta_onnx_sniff(data, len))
    st = ta_err(ctx, TA_ERR_USAGE,
                "-o %s: QDQ ONNX is written for an ONNX model; %s is not one (give a name "
                "ending in .tflite)",
                out_path, model_path);
  return st == TA_OK ? ta_onnx_write_qdq(ctx, model_path, data, len, g, b) : st;
}
