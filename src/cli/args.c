/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.c: what every command shares: the diagnostics sink on stderr, exit codes, and the
 * argument parsers, among them the one for the compile options all commands accept.
 */
#include "ta_cli.h"

#include <errno.h>
#include <stdint.h>
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

ta_status ta_cli_load(ta_ctx *ctx, const char *model, const ta_compile_options *copt,
                      const char **name, ta_model *m, ta_fileset *fs) {
  ta_cli_ctx_init(ctx);
  if (!fs)
    return ta_compile_file(ctx, model, copt, m);
  if (!*name)
    *name = ta_default_model_name(ctx, model);
  return ta_compile_emit(ctx, model, copt, *name, m, fs);
}

int ta_cli_done(ta_ctx *ctx, ta_status st) {
  ta_ctx_free(ctx);
  return ta_cli_exit_code(st);
}

int ta_arg_missing(const ta_args *a, const char *what, const char *help) {
  fprintf(stderr, "tinyaot %s: %s\n%s", a->cmd, what, help);
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

bool ta_arg_bytes(ta_args *a, const char *name, uint64_t *n, ta_status *st) {
  const char *v;
  if (!ta_arg_value(a, name, &v, st))
    return false;
  if (*st != TA_OK)
    return true;
  if (!ta_parse_bytes(v, n)) {
    fprintf(stderr, "tinyaot %s: %s takes %s, not '%s'\n", a->cmd, name, TA_BYTES_SYNTAX, v);
    *st = TA_ERR_USAGE;
  }
  return true;
}

bool ta_arg_units(ta_args *a, ta_cli_units *u, ta_status *st) {
  return ta_arg_value(a, "--part", &u->part_arg, st) ||
         ta_arg_value(a, "--clock-hz", &u->clock_arg, st) ||
         ta_arg_bytes(a, "--flash-budget", &u->flash_budget, st) ||
         ta_arg_bytes(a, "--ram-budget", &u->ram_budget, st);
}

/* "120000000", "64e6", "120M", "120MHz", "32k", "32kHz": Hz from 1 kHz to 10 GHz; 0 if not. */
static uint32_t parse_hz(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (end == s)
    return 0;
  if (*end == 'M' || *end == 'k') {
    v *= *end == 'M' ? 1e6 : 1e3;
    end++;
  }
  if (strcmp(end, "Hz") == 0)
    end += 2;
  if (*end || !(v >= 1e3 && v <= 4e9))
    return 0;
  return (uint32_t)(v + 0.5);
}

bool ta_cli_units_resolve(ta_args *a, ta_cli_units *u, const char **target, bool target_given) {
  if (u->part_arg && !(u->part = ta_part_find(u->part_arg))) {
    fprintf(stderr, "tinyaot %s: unknown part '%s' (known: %s)\n", a->cmd, u->part_arg,
            ta_part_names());
    return false;
  }
  if (u->clock_arg && !(u->clock_hz = parse_hz(u->clock_arg))) {
    fprintf(stderr,
            "tinyaot %s: --clock-hz takes a clock in Hz (120000000, 120M or 120MHz; 1 kHz to "
            "4 GHz), not '%s'\n",
            a->cmd, u->clock_arg);
    return false;
  }
  if (!u->part)
    return true;
  if (!u->clock_hz)
    u->clock_hz = u->part->clock_hz;
  if (!u->flash_budget)
    u->flash_budget = u->part->flash_bytes;
  if (!u->ram_budget)
    u->ram_budget = u->part->ram_bytes;
  if (!target_given)
    *target = u->part->target;
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

/* The messages of the library's option parser, printed as the commands print theirs. */
static void cmd_sink(void *user, ta_severity sev, const char *msg) {
  (void)sev;
  fprintf(stderr, "tinyaot %s: %s\n", (const char *)user, msg);
}

bool ta_arg_compile_option(ta_args *a, ta_compile_options *opt, ta_status *st) {
  const char *arg = a->argv[a->i], *v = NULL;
  char name[32];
  const size_t n = strcspn(arg, "=");
  if (n >= sizeof name)
    return false;
  memcpy(name, arg, n);
  name[n] = '\0';
  if (ta_compile_option_is_flag(name)) {
    if (arg[n] != '\0') /* "--no-inplace=1": no such option */
      return false;
  } else if (!ta_compile_option_takes_value(name)) {
    return false;
  } else if (!ta_arg_value(a, name, &v, st) || *st != TA_OK) {
    return true; /* a missing value, reported */
  }
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, cmd_sink, (void *)(uintptr_t)a->cmd);
  /* argv strings are the program's to modify (--calibration splits its list in place). */
  *st = ta_compile_option_set(&ctx, name, (char *)(uintptr_t)v, opt);
  ta_ctx_free(&ctx);
  return true;
}
