/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.c: what every command shares: the diagnostics sink on stderr, exit codes, the help
 * texts (docs/cli/CMD.txt, embedded at build time), and the argument parsers, among them the one
 * for the compile options all commands accept.
 */
#include "ta_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One message on stderr: "tinyaot CMD: error: MSG", or with --json one JSON object per line. */
static void print_msg(const char *cmd, bool json, ta_severity sev, const char *msg) {
  const char *tag = sev == TA_ERROR ? "error" : sev == TA_WARNING ? "warning" : "note";
  if (!json) {
    fprintf(stderr, "tinyaot %s: %s: %s\n", cmd, tag, msg);
    return;
  }
  fprintf(stderr, "{\"%s\": \"", tag);
  for (const char *c = msg; *c; c++) {
    if (*c == '"' || *c == '\\')
      fprintf(stderr, "\\%c", *c);
    else if ((unsigned char)*c < 0x20)
      fprintf(stderr, "\\u%04x", (unsigned)(unsigned char)*c);
    else
      fputc(*c, stderr);
  }
  fprintf(stderr, "\", \"command\": \"%s\"}\n", cmd);
}

static void stderr_sink(void *user, ta_severity sev, const char *msg) {
  const ta_args *a = user;
  print_msg(a->cmd, a->json, sev, msg);
}

void ta_args_init(ta_args *a, int argc, char **argv, const char *cmd) {
  memset(a, 0, sizeof *a);
  a->argc = argc;
  a->argv = argv;
  a->i = 1;
  a->cmd = cmd;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--json") == 0)
      a->json = true;
}

void ta_cli_ctx_init(ta_ctx *ctx, const ta_args *a) {
  ta_ctx_init(ctx, NULL, NULL, stderr_sink, (void *)(uintptr_t)a);
}

int ta_cli_error(const ta_args *a, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  print_msg(a->cmd, a->json, TA_ERROR, msg);
  return 1;
}

bool ta_cli_progress_on(FILE *f, bool asked) {
  return asked || isatty(fileno(f));
}

int ta_cli_exit_code(ta_status st) {
  if (st == TA_OK)
    return 0;
  if (st == TA_ERR_INTERNAL)
    return 2;
  return 1;
}

ta_status ta_cli_load(ta_ctx *ctx, const ta_args *a, const char *model,
                      const ta_compile_options *copt, const char **name, ta_model *m,
                      ta_fileset *fs) {
  ta_cli_ctx_init(ctx, a);
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

const char *ta_cli_help(const char *cmd) {
  char path[64];
  snprintf(path, sizeof path, "%s.txt", cmd);
  for (const ta_embedded_file *f = ta_cli_help_files; f->path; f++)
    if (strcmp(f->path, path) == 0)
      return f->data;
  return "";
}

int ta_arg_missing(const ta_args *a, const char *what) {
  ta_cli_error(a, "%s", what);
  if (!a->json)
    fputs(ta_cli_help(a->cmd), stderr);
  return 1;
}

/* The options that take a list, one item per use. */
static bool repeatable(const char *name) {
  static const char *const names[] = {"--input",       "--calibration", "--backend", "--loose",
                                      "--backend-var", "--input-shape", NULL};
  for (int i = 0; names[i]; i++)
    if (strcmp(name, names[i]) == 0)
      return true;
  return false;
}

/* name was given: false (reported) if it was given before and is not repeatable. A later value
 * silently overriding an earlier one hides a typo in a long command line. */
static bool first_use(ta_args *a, const char *name) {
  if (repeatable(name))
    return true;
  /* The spellings of one option count as one. */
  const char *key =
      strcmp(name, "-o") == 0 || strcmp(name, "--output-dir") == 0 ? "--output" : name;
  for (int32_t k = 0; k < a->n_seen; k++)
    if (strcmp(a->seen[k], key) == 0) {
      ta_cli_error(a, "option %s given twice (give it once)", name);
      return false;
    }
  if (a->n_seen < (int32_t)(sizeof a->seen / sizeof a->seen[0]) && strlen(key) < sizeof a->seen[0])
    memcpy(a->seen[a->n_seen++], key, strlen(key) + 1);
  return true;
}

bool ta_arg_value(ta_args *a, const char *name, const char **value, ta_status *st) {
  const char *arg = a->argv[a->i];
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0)
    return false;
  if (arg[n] != '=' && arg[n] != '\0')
    return false;
  if (!first_use(a, name)) {
    *st = TA_ERR_USAGE;
    return true;
  }
  if (arg[n] == '=') {
    *value = arg + n + 1;
    return true;
  }
  if (a->i + 1 >= a->argc) {
    ta_cli_error(a, "option %s needs a value (see tinyaot %s --help)", name, a->cmd);
    *st = TA_ERR_USAGE;
    return true;
  }
  *value = a->argv[++a->i];
  return true;
}

bool ta_arg_flag(ta_args *a, const char *name) {
  return strcmp(a->argv[a->i], name) == 0;
}

bool ta_arg_help(ta_args *a) {
  if (!ta_arg_flag(a, "--help") && !ta_arg_flag(a, "-h"))
    return false;
  fputs(ta_cli_help(a->cmd), stdout);
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
    ta_cli_error(a, "at most %d inputs", max);
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
    ta_cli_error(a, "%s takes a positive whole number, not '%s'", name, v);
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

bool ta_cli_units_resolve(ta_args *a, ta_cli_units *u, const char **target, const char *dflt) {
  const bool target_given = *target != NULL;
  if (!target_given)
    *target = dflt;
  if (u->part_arg && !(u->part = ta_part_find(u->part_arg))) {
    fprintf(stderr, "tinyaot %s: unknown part '%s' (known: %s)\n", a->cmd, u->part_arg,
            ta_part_names());
    return false;
  }
  if (u->clock_arg && !(u->clock_hz = ta_parse_hz(u->clock_arg))) {
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
  ta_cli_error(a, "unknown option '%s' (see tinyaot %s --help)", a->argv[a->i], a->cmd);
  return true;
}

bool ta_arg_model(ta_args *a, const char **model) {
  if (*model) {
    ta_cli_error(a, "more than one model given ('%s' and '%s')", *model, a->argv[a->i]);
    return false;
  }
  *model = a->argv[a->i];
  return true;
}

bool ta_cli_target(const ta_args *a, const char *target, bool host_ok, const ta_board **board) {
  *board = NULL;
  if (host_ok && strcmp(target, "host") == 0)
    return true;
  if ((*board = ta_board_find(target)) != NULL)
    return true;
  ta_cli_error(a, "unknown target '%s' (targets: %s%s)", target, host_ok ? "host, " : "",
               ta_board_names());
  return false;
}

bool ta_arg_seconds(ta_args *a, const char *v, int32_t *seconds) {
  *seconds = 0;
  if (!v)
    return true;
  char *end;
  long s = strtol(v, &end, 10);
  if (*end || s <= 0 || s > 86400) {
    ta_cli_error(a, "--timeout '%s': expected seconds, 1 to 86400", v);
    return false;
  }
  *seconds = (int32_t)s;
  return true;
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
  ta_cli_ctx_init(&ctx, a);
  /* argv strings are the program's to modify (--calibration splits its list in place). */
  *st = ta_compile_option_set(&ctx, name, (char *)(uintptr_t)v, opt);
  ta_ctx_free(&ctx);
  return true;
}
