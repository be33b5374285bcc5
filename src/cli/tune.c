/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tune.c: `tinyaot tune MODEL... --target T --log FILE`: measure every workload's kernel
 * variants and knob values on a board (QEMU, or a real one with --device) and append the
 * records to a tuning log for compile --tuning-log. The tuning is ta_tune_run's (src/tune), the
 * progress line and table ta_report_tune_*'s; this file parses and prints.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ta_cli.h"
#include "ta_tune.h"

/* Set by SIGINT: the tuner stops starting candidates; a signal handler can only reach a
 * global, and this one is the command's, not the library's. */
static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig) {
  (void)sig;
  stop_flag = 1;
}

typedef struct progress_state {
  ta_ctx *ctx;
  bool tty;
  int32_t last_done;
} progress_state;

static void show_progress(void *user, const ta_tune_progress *p) {
  progress_state *ps = user;
  if (!ps->tty && p->done == ps->last_done)
    return;
  ps->last_done = p->done;
  ta_buf b;
  ta_buf_init(&b, ps->ctx);
  ta_report_tune_progress(&b, p, ps->tty);
  if (b.ok)
    fputs(b.data, stdout);
  ta_buf_free(&b);
  fflush(stdout);
}

int ta_cmd_tune(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "tune");
  const char *models[64];
  int32_t n_models = 0;
  const char *trials = NULL, *budget = NULL, *jobs = NULL, *cache = NULL;
  bool no_cache = false, progress = false, keep = false;
  ta_status st = TA_OK;
  ta_tune_options opt;
  ta_tune_options_init(&opt);
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  for (; a.i < argc && st == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_value(&a, "--target", &opt.target, &st) ||
        ta_arg_value(&a, "--log", &opt.log_path, &st) ||
        ta_arg_value(&a, "--trials", &trials, &st) ||
        ta_arg_value(&a, "--time-budget", &budget, &st) || ta_arg_value(&a, "--jobs", &jobs, &st) ||
        ta_arg_value(&a, "--device", &opt.device, &st) ||
        ta_arg_value(&a, "--cache-dir", &cache, &st) ||
        ta_arg_switch(&a, "--no-cache", &no_cache) || ta_arg_switch(&a, "--progress", &progress) ||
        ta_arg_switch(&a, "--keep-build", &keep) || ta_arg_compile_option(&a, &copt, &st))
      continue;
    if (ta_arg_unknown(&a))
      return 1;
    if (n_models == (int32_t)(sizeof models / sizeof models[0]))
      return ta_cli_error(&a, "at most 64 models");
    models[n_models++] = argv[a.i];
  }
  if (st != TA_OK)
    return 1;
  if (n_models == 0)
    return ta_arg_missing(&a, "no MODEL given");
  if (!opt.log_path)
    return ta_arg_missing(&a, "no tuning log given (--log FILE)");
  struct {
    const char *v, *name;
    int32_t *out, max;
  } counts[] = {{trials, "--trials", &opt.trials, 100000}, {jobs, "--jobs", &opt.jobs, 16}};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    if (!counts[i].v)
      continue;
    char *end;
    const long n = strtol(counts[i].v, &end, 10);
    if (*end || end == counts[i].v || n < 1 || n > counts[i].max)
      return ta_cli_error(&a, "%s takes a whole number from 1 to %d, not '%s'", counts[i].name,
                          counts[i].max, counts[i].v);
    *counts[i].out = (int32_t)n;
  }
  if (budget) {
    char *end;
    opt.time_budget_s = strtod(budget, &end);
    if (*end || end == budget || !(opt.time_budget_s > 0))
      return ta_cli_error(&a, "--time-budget takes seconds above 0, not '%s'", budget);
  }
  if (opt.device && opt.jobs > 1)
    fprintf(stderr, "tinyaot tune: --device: one board, so --jobs %d is ignored\n", opt.jobs);
  const ta_board *board;
  if (!ta_cli_target(&a, opt.target, false, &board))
    return 1;
  ta_ctx ctx;
  ta_cli_ctx_init(&ctx, &a);
  opt.cache_dir = no_cache ? NULL : cache ? cache : ta_tune_default_cache(&ctx);
  char *work = NULL;
  st = ta_make_temp_dir(&ctx, "tune", &work);
  if (st != TA_OK)
    return ta_cli_done(&ctx, st);
  opt.work_dir = work;
  opt.copt = &copt;
  progress_state ps = {&ctx, isatty(STDOUT_FILENO) != 0, -1};
  if (ta_cli_progress_on(stdout, progress)) {
    opt.progress = show_progress;
    opt.progress_user = &ps;
  }
  struct sigaction sa, old_int, old_pipe;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigaction(SIGINT, &sa, &old_int);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, &old_pipe);
  opt.stop = &stop_flag;
  ta_tune_result r;
  st = ta_tune_run(&ctx, models, n_models, &opt, &r);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGPIPE, &old_pipe, NULL);
  if (ps.tty && opt.progress)
    printf("\n");
  if (st == TA_OK) {
    ta_buf b;
    ta_buf_init(&b, &ctx);
    ta_report_tune_text(&b, &r);
    if (b.ok)
      fputs(b.data, stdout);
    ta_buf_free(&b);
  }
  if (keep)
    fprintf(stderr, "tinyaot tune: work folder kept: %s\n", work);
  else
    ta_remove_tree(work);
  if (st == TA_OK && stop_flag)
    st = TA_ERR_IO,
    fprintf(stderr, "tinyaot tune: interrupted; the log keeps every finished record\n");
  return ta_cli_done(&ctx, st);
}
