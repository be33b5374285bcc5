/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_tune.h: the tuner (`tinyaot tune`). Measures the kernel variants and knob values of every
 * workload of a model on a board and appends one tuning-log record per measured candidate
 * (ta_tune_log.h), so that compile --tuning-log can pick the fastest correct one.
 *
 * The central idea: a candidate is a one-op model. The op of a workload is copied into a graph
 * of its own (its activations become graph inputs and outputs, its constants stay), compiled
 * with a schedule override that forces the candidate's variant and knobs, emitted as C, and
 * built into a blob for the tuning board's code area (ta_blob_build, cached by content hash).
 * The board runs it on a seeded random input placed in its tensor area; the reference
 * variant's output on the same input is the oracle (int8 bit-exact, float within the golden
 * tests' tolerance), so a wrong kernel is recorded "wrong" and never chosen. Measuring runs on
 * `jobs` boards at once: forked workers, each with its own board, tasks and results through
 * pipes; the parent alone appends to the log, one record as soon as it arrives.
 */
#ifndef TA_TUNE_H
#define TA_TUNE_H

#include <signal.h>

#include "ta_compile.h"
#include "ta_tune_device.h"
#include "ta_tune_log.h"

/* How far a tuning run got, for a progress line. */
typedef struct ta_tune_progress {
  int32_t done, total; /* measurements of this run: finished, planned (grows by rounds) */
  int32_t wrong, failed;
  double elapsed_s;
  const char *last; /* the workload's op kind and the candidate just measured */
} ta_tune_progress;

typedef struct ta_tune_options {
  const char *target;    /* a ta_board_find name */
  const char *log_path;  /* appended to; records already there are not measured again */
  int32_t trials;        /* per workload: exhaustive up to this many candidates, else sampled */
  double time_budget_s;  /* 0: none; past it no new candidate starts */
  int32_t jobs;          /* boards measuring at once (QEMU only; a --device board is one) */
  const char *device;    /* NULL: QEMU; else a tuning board at tcp:HOST:PORT or a serial path */
  const char *cache_dir; /* blob cache (NULL: none) */
  const char *work_dir;  /* an existing folder for firmware, QEMU logs, builds */
  const ta_compile_options *copt; /* how the models are compiled (may be NULL) */
  /* Set (by a signal handler) to stop: no new candidate starts, finished records stay. */
  const volatile sig_atomic_t *stop;
  void (*progress)(void *user, const ta_tune_progress *p); /* may be NULL */
  void *progress_user;
} ta_tune_options;

/* trials 16, jobs 1, no budget, no device, no cache. */
void ta_tune_options_init(ta_tune_options *opt);

/* One candidate's outcome as the report needs it. */
typedef struct ta_tune_choice {
  const char *variant;
  int32_t knobs[TA_TUNE_MAX_KNOBS];
  const char *knob_names[TA_TUNE_MAX_KNOBS];
  int32_t n_knobs;
  uint64_t instructions; /* 0: not measured */
} ta_tune_choice;

typedef struct ta_tune_workload {
  const char *key;
  const char *kind; /* op kind name */
  const char *ops;  /* indices of the ops that run it: "1,3,5" ("kws:1,..." for several models) */
  int32_t n_ops;    /* how many ops of the models run it */
  int32_t n_candidates;      /* variants x knob values that apply */
  int32_t n_measured;        /* candidates measured by this run */
  int32_t n_wrong, n_failed; /* by this run or the log: "wrong"; "fault" or "error" */
  ta_tune_choice dflt;       /* what the heuristic picks (for the first op of the workload) */
  ta_tune_choice best;       /* the fastest "ok" record; instructions 0 when none */
} ta_tune_workload;

typedef struct ta_tune_result {
  ta_tune_workload *w;
  int32_t n;
  int32_t n_untuned_ops; /* ops with a single candidate: nothing to tune */
  int32_t new_records;
  /* Sum over the tuned ops of the models: default and best instructions (ops of workloads
   * lacking either measurement count their default in both). */
  uint64_t default_total, tuned_total;
  bool stopped; /* interrupted or out of time budget before every candidate ran */
  double elapsed_s;
} ta_tune_result;

/* Tune the workloads of models[0..n_models): see the file comment. Everything lives in ctx's
 * arena; messages (a model that does not compile, a board that cannot start, a log that does
 * not read) go to ctx's sink. Candidates that fail are records, not errors. Returns TA_OK when
 * the run measured what it planned or was stopped (r->stopped). */
ta_status ta_tune_run(ta_ctx *ctx, const char *const *models, int32_t n_models,
                      const ta_tune_options *opt, ta_tune_result *r);

/* The default blob cache: $XDG_CACHE_HOME/tinyaot, else $HOME/.cache/tinyaot (the .cache
 * folder created); NULL when neither variable is set. In ctx's arena. */
const char *ta_tune_default_cache(ta_ctx *ctx);

/* "packed weights=16" (or "ref") into buf. */
const char *ta_tune_choice_str(const ta_tune_choice *c, char *buf, size_t cap);

#endif
