/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.c: the compile options as words ("--align 16", "--input-shape x=1,3,32,32"): which
 * words are compile options and how their values fill a ta_compile_options. Every command of
 * the command line and any other front end (a script binding, a tuner) parse them here, so a
 * value is checked the same way everywhere; a bad one is reported through the context's sink.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ta_compile.h"

typedef enum kind { NONE, FLAG, VALUE } kind;

static const struct {
  const char *name;
  kind k;
} words[] = {
    {"--reference-kernels", FLAG}, {"--io-in-arena", FLAG},
    {"--no-inplace", FLAG},        {"--no-reorder", FLAG},
    {"--bias-correction", FLAG},   {"--int8-io", FLAG},
    {"--backend", VALUE},          {"--backend-var", VALUE},
    {"--max-arena", VALUE},        {"--align", VALUE},
    {"--input-shape", VALUE},      {"--quantize", VALUE},
    {"--quant-method", VALUE},     {"--calibration", VALUE},
    {"--tuning-log", VALUE},       {"--tuning-target", VALUE},
};

static kind kind_of(const char *name) {
  for (size_t i = 0; i < TA_ARRAY_LEN(words); i++)
    if (strcmp(words[i].name, name) == 0)
      return words[i].k;
  return NONE;
}

bool ta_compile_option_is_flag(const char *name) {
  return kind_of(name) == FLAG;
}

bool ta_compile_option_takes_value(const char *name) {
  return kind_of(name) == VALUE;
}

/* NAME=D0,D1,... : positive dims, at most TA_MAX_RANK of them. */
static ta_status parse_input_shape(ta_ctx *ctx, const char *v, ta_input_shapes *shapes) {
  if (shapes->n == TA_MAX_INPUT_SHAPES)
    return ta_err(ctx, TA_ERR_USAGE, "at most %d --input-shape options", TA_MAX_INPUT_SHAPES);
  ta_onnx_shape *s = &shapes->s[shapes->n];
  char *name = shapes->names[shapes->n];
  const char *eq = strrchr(v, '=');
  const size_t n = eq ? (size_t)(eq - v) : 0;
  memset(s, 0, sizeof *s);
  bool ok = eq && n > 0 && n < sizeof shapes->names[0] && eq[1];
  for (const char *p = eq ? eq + 1 : v; ok && *p;) {
    char *end;
    errno = 0;
    const long d = strtol(p, &end, 10);
    ok = end != p && *p != '-' && *p != '+' && errno == 0 && d >= 1 && d <= INT32_MAX &&
         s->rank < TA_MAX_RANK && (*end == ',' ? end[1] != '\0' : *end == '\0');
    if (ok)
      s->dims[s->rank++] = (int32_t)d;
    p = *end == ',' ? end + 1 : end;
  }
  if (!ok)
    return ta_err(ctx, TA_ERR_USAGE,
                  "--input-shape takes NAME=D0,D1,... with positive dims (at most %d), "
                  "e.g. --input-shape input=1,3,32,32; not '%s'",
                  TA_MAX_RANK, v);
  memcpy(name, v, n);
  name[n] = '\0';
  s->name = name;
  shapes->n++;
  return TA_OK;
}

/* A comma-separated list, split in place (the caller's string: see ta_compile_option_set). */
static ta_status parse_calibration(ta_ctx *ctx, char *v, ta_quant_options *q) {
  for (char *p = v; p;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (!*p || q->n_calib_paths == TA_QUANT_MAX_CALIB_FILES)
      return ta_err(ctx, TA_ERR_USAGE,
                    "--calibration takes FILE[,FILE...] (at most %d files in all)",
                    TA_QUANT_MAX_CALIB_FILES);
    q->calib_paths[q->n_calib_paths++] = p;
    p = comma ? comma + 1 : NULL;
  }
  return TA_OK;
}

static ta_status set_flag(const char *name, ta_compile_options *opt) {
  bool *on = strcmp(name, "--reference-kernels") == 0 ? &opt->reference_kernels
             : strcmp(name, "--io-in-arena") == 0     ? &opt->plan.io_in_arena
             : strcmp(name, "--no-inplace") == 0      ? &opt->plan.no_inplace
             : strcmp(name, "--no-reorder") == 0      ? &opt->plan.no_reorder
             : strcmp(name, "--bias-correction") == 0 ? &opt->quant.bias_correction
                                                      : &opt->quant.int8_io;
  *on = true;
  return TA_OK;
}

ta_status ta_compile_option_set(ta_ctx *ctx, const char *name, char *v, ta_compile_options *opt) {
  const kind k = kind_of(name);
  if (k == NONE)
    return ta_err(ctx, TA_ERR_USAGE, "'%s' is not a compile option", name);
  if (k == FLAG)
    return set_flag(name, opt);
  if (strcmp(name, "--backend") == 0) {
    if (!v[0] || opt->n_backends == TA_MAX_BACKENDS)
      return ta_err(ctx, TA_ERR_USAGE,
                    "--backend takes a backend name or description file (at most %d)",
                    TA_MAX_BACKENDS);
    opt->backends[opt->n_backends++] = v;
  } else if (strcmp(name, "--backend-var") == 0) {
    if (!strchr(v, '=') || v[0] == '=' || opt->n_backend_vars == TA_MAX_BACKEND_VARS)
      return ta_err(ctx, TA_ERR_USAGE, "--backend-var takes KEY=VALUE (at most %d), not '%s'",
                    TA_MAX_BACKEND_VARS, v);
    opt->backend_vars[opt->n_backend_vars++] = v;
  } else if (strcmp(name, "--tuning-log") == 0 || strcmp(name, "--tuning-target") == 0) {
    if (!v[0])
      return ta_err(ctx, TA_ERR_USAGE, "%s takes a %s", name,
                    name[9] == 'l' ? "tuning log file" : "target name (cortex-m4...)");
    *(name[9] == 'l' ? &opt->tuning_log : &opt->tuning_target) = v;
  } else if (strcmp(name, "--max-arena") == 0) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *end || v[0] == '-' || errno == ERANGE || n == 0 || n > SIZE_MAX / 4)
      return ta_err(ctx, TA_ERR_USAGE, "--max-arena takes a size in bytes (1 or more), not '%s'",
                    v);
    opt->plan.max_arena_bytes = (size_t)n;
  } else if (strcmp(name, "--align") == 0) {
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end || n == 0 || (n & (n - 1)) || n > 4096)
      return ta_err(ctx, TA_ERR_USAGE, "--align takes a power of two from 1 to 4096, not '%s'", v);
    opt->plan.alignment = n;
  } else if (strcmp(name, "--input-shape") == 0) {
    return parse_input_shape(ctx, v, &opt->shapes);
  } else if (strcmp(name, "--quantize") == 0) {
    if (strcmp(v, "int8") != 0 && strcmp(v, "none") != 0)
      return ta_err(ctx, TA_ERR_USAGE, "--quantize takes int8 or none, not '%s'", v);
    opt->quant.mode = strcmp(v, "int8") == 0 ? TA_QUANT_INT8 : TA_QUANT_NONE;
  } else if (strcmp(name, "--quant-method") == 0) {
    if (!ta_calib_method_parse(v, &opt->quant.method))
      return ta_err(ctx, TA_ERR_USAGE,
                    "--quant-method takes minmax, percentile, mse or auto, not '%s'", v);
  } else {
    return parse_calibration(ctx, v, &opt->quant);
  }
  return TA_OK;
}
