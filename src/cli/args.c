/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.c: what every command shares: the diagnostics sink on stderr, exit codes, and the
 * argument parsers, among them the one for the compile options all commands accept.
 */
#include "ta_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stderr_sink(void *user, ta_severity sev, const char *msg) {
  (void)user;
  const char *tag = sev == TA_ERROR ? "error" : sev == TA_WARNING ? "warning" : "note";
  fprintf(stderr, "tinyaot: %s: %s\n", tag, msg);
}

void ta_cli_ctx_init(ta_ctx *ctx) {
  ta_ctx_init(ctx, NULL, NULL, stderr_sink, NULL);
}

int ta_cli_exit_code(ta_status st) {
  if (st == TA_OK)
    return 0;
  if (st == TA_ERR_INTERNAL)
    return 2;
  return 1;
}

bool ta_arg_value(ta_args *a, const char *name, const char **value, ta_status *st) {
  const char *arg = a->argv[a->i];
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0)
    return false;
  if (arg[n] == '=') {
    *value = arg + n + 1;
    return true;
  }
  if (arg[n] != '\0')
    return false;
  if (a->i + 1 >= a->argc) {
    fprintf(stderr, "tinyaot %s: option %s needs a value (see tinyaot %s --help)\n", a->cmd, name,
            a->cmd);
    *st = TA_ERR_USAGE;
    return true;
  }
  *value = a->argv[++a->i];
  return true;
}

bool ta_arg_flag(ta_args *a, const char *name) {
  return strcmp(a->argv[a->i], name) == 0;
}

bool ta_arg_help(ta_args *a, const char *help) {
  if (!ta_arg_flag(a, "--help") && !ta_arg_flag(a, "-h"))
    return false;
  fputs(help, stdout);
  return true;
}

bool ta_arg_switch(ta_args *a, const char *name, bool *on) {
  if (!ta_arg_flag(a, name))
    return false;
  *on = true;
  return true;
}

bool ta_arg_list(ta_args *a, const char *name, const char **files, int32_t *n, int32_t max,
                 ta_status *st) {
  const char *v;
  if (!ta_arg_value(a, name, &v, st))
    return false;
  if (*st != TA_OK)
    return true;
  if (*n == max) {
    fprintf(stderr, "tinyaot %s: at most %d inputs\n", a->cmd, max);
    *st = TA_ERR_USAGE;
    return true;
  }
  files[(*n)++] = v;
  return true;
}

bool ta_arg_count(ta_args *a, const char *name, uint64_t *n, ta_status *st) {
  const char *v;
  if (!ta_arg_value(a, name, &v, st))
    return false;
  if (*st != TA_OK)
    return true;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || end == v || *end || x == 0) {
    fprintf(stderr, "tinyaot %s: %s takes a positive whole number, not '%s'\n", a->cmd, name, v);
    *st = TA_ERR_USAGE;
    return true;
  }
  *n = x;
  return true;
}

bool ta_arg_unknown(ta_args *a) {
  if (a->argv[a->i][0] != '-')
    return false;
  fprintf(stderr, "tinyaot %s: unknown option '%s' (see tinyaot %s --help)\n", a->cmd,
          a->argv[a->i], a->cmd);
  return true;
}

bool ta_arg_model(ta_args *a, const char **model) {
  if (*model) {
    fprintf(stderr, "tinyaot %s: more than one model given ('%s' and '%s')\n", a->cmd, *model,
            a->argv[a->i]);
    return false;
  }
  *model = a->argv[a->i];
  return true;
}

bool ta_arg_seconds(ta_args *a, const char *v, int32_t *seconds) {
  *seconds = 0;
  if (!v)
    return true;
  char *end;
  long s = strtol(v, &end, 10);
  if (*end || s <= 0 || s > 86400) {
    fprintf(stderr, "tinyaot %s: --timeout '%s': expected seconds, 1 to 86400\n", a->cmd, v);
    return false;
  }
  *seconds = (int32_t)s;
  return true;
}

static bool arg_plan_option(ta_args *a, ta_plan_options *opt, ta_status *st) {
  const char *v;
  if (ta_arg_flag(a, "--io-in-arena"))
    return opt->io_in_arena = true;
  if (ta_arg_flag(a, "--no-inplace"))
    return opt->no_inplace = true;
  if (ta_arg_flag(a, "--no-reorder"))
    return opt->no_reorder = true;
  if (ta_arg_value(a, "--max-arena", &v, st)) {
    if (*st != TA_OK)
      return true;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *end || v[0] == '-' || errno == ERANGE || n == 0 || n > SIZE_MAX / 4) {
      fprintf(stderr, "tinyaot %s: --max-arena takes a size in bytes (1 or more), not '%s'\n",
              a->cmd, v);
      *st = TA_ERR_USAGE;
      return true;
    }
    opt->max_arena_bytes = (size_t)n;
    return true;
  }
  if (ta_arg_value(a, "--align", &v, st)) {
    if (*st != TA_OK)
      return true;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end || n == 0 || (n & (n - 1)) || n > 4096) {
      fprintf(stderr, "tinyaot %s: --align takes a power of two from 1 to 4096, not '%s'\n", a->cmd,
              v);
      *st = TA_ERR_USAGE;
      return true;
    }
    opt->alignment = n;
    return true;
  }
  return false;
}

static bool arg_input_shape(ta_args *a, ta_input_shapes *shapes, ta_status *st) {
  const char *v;
  if (!ta_arg_value(a, "--input-shape", &v, st))
    return false;
  if (*st != TA_OK)
    return true;
  if (shapes->n == TA_MAX_INPUT_SHAPES) {
    fprintf(stderr, "tinyaot %s: at most %d --input-shape options\n", a->cmd, TA_MAX_INPUT_SHAPES);
    *st = TA_ERR_USAGE;
    return true;
  }
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
  if (!ok) {
    fprintf(stderr,
            "tinyaot %s: --input-shape takes NAME=D0,D1,... with positive dims (at most %d), "
            "e.g. --input-shape input=1,3,32,32; not '%s'\n",
            a->cmd, TA_MAX_RANK, v);
    *st = TA_ERR_USAGE;
    return true;
  }
  memcpy(name, v, n);
  name[n] = '\0';
  s->name = name;
  shapes->n++;
  return true;
}

/* --quantize int8, --calibration FILE[,FILE...] (repeatable), --quant-method M,
 * --bias-correction, --int8-io. */
static bool arg_quant_option(ta_args *a, ta_quant_options *q, ta_status *st) {
  const char *v;
  if (ta_arg_flag(a, "--bias-correction"))
    return q->bias_correction = true;
  if (ta_arg_flag(a, "--int8-io"))
    return q->int8_io = true;
  if (ta_arg_value(a, "--quantize", &v, st)) {
    if (*st == TA_OK && strcmp(v, "int8") != 0 && strcmp(v, "none") != 0) {
      fprintf(stderr, "tinyaot %s: --quantize takes int8 or none, not '%s'\n", a->cmd, v);
      *st = TA_ERR_USAGE;
    }
    if (*st == TA_OK)
      q->mode = strcmp(v, "int8") == 0 ? TA_QUANT_INT8 : TA_QUANT_NONE;
    return true;
  }
  if (ta_arg_value(a, "--quant-method", &v, st)) {
    if (*st == TA_OK && !ta_calib_method_parse(v, &q->method)) {
      fprintf(stderr,
              "tinyaot %s: --quant-method takes minmax, percentile, mse or auto, not '%s'\n",
              a->cmd, v);
      *st = TA_ERR_USAGE;
    }
    return true;
  }
  if (!ta_arg_value(a, "--calibration", &v, st))
    return false;
  /* A comma-separated list: split in place (argv strings are the program's to modify). */
  for (char *p = (char *)(uintptr_t)v; *st == TA_OK && p;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (!*p || q->n_calib_paths == TA_QUANT_MAX_CALIB_FILES) {
      fprintf(stderr, "tinyaot %s: --calibration takes FILE[,FILE...] (at most %d files in all)\n",
              a->cmd, TA_QUANT_MAX_CALIB_FILES);
      *st = TA_ERR_USAGE;
      break;
    }
    q->calib_paths[q->n_calib_paths++] = p;
    p = comma ? comma + 1 : NULL;
  }
  return true;
}

/* --backend NAME_OR_FILE and --backend-var KEY=VALUE, kept in order; the compile reads the
 * descriptions and checks the variables (ta_compile_bytes). */
static bool arg_backend(ta_args *a, ta_compile_options *opt, ta_status *st) {
  const char *v;
  if (ta_arg_value(a, "--backend", &v, st)) {
    if (*st != TA_OK)
      return true;
    if (!v[0] || opt->n_backends == TA_MAX_BACKENDS) {
      fprintf(stderr,
              "tinyaot %s: --backend takes a backend name or description file (at most %d)\n",
              a->cmd, TA_MAX_BACKENDS);
      *st = TA_ERR_USAGE;
      return true;
    }
    opt->backends[opt->n_backends++] = v;
    return true;
  }
  if (ta_arg_value(a, "--backend-var", &v, st)) {
    if (*st != TA_OK)
      return true;
    if (!strchr(v, '=') || v[0] == '=' || opt->n_backend_vars == TA_MAX_BACKEND_VARS) {
      fprintf(stderr, "tinyaot %s: --backend-var takes KEY=VALUE (at most %d), not '%s'\n", a->cmd,
              TA_MAX_BACKEND_VARS, v);
      *st = TA_ERR_USAGE;
      return true;
    }
    opt->backend_vars[opt->n_backend_vars++] = v;
    return true;
  }
  return false;
}

bool ta_arg_compile_option(ta_args *a, ta_compile_options *opt, ta_status *st) {
  if (ta_arg_flag(a, "--reference-kernels"))
    return opt->reference_kernels = true;
  if (arg_backend(a, opt, st))
    return true;
  return arg_plan_option(a, &opt->plan, st) || arg_input_shape(a, &opt->shapes, st) ||
         arg_quant_option(a, &opt->quant, st);
}
