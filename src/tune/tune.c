/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tune.c: `tinyaot tune`: workloads, candidates, the search, the workers, the records.
 *
 * The models are compiled up to the schedule stage (ops carry the heuristic's choice, which is
 * the default the report compares with). Ops are grouped by workload key; per workload the
 * candidates are every variant of its table that applies (in-place forms apart: the planner's)
 * times every allowed value of each of its knobs. The search runs in rounds, each measured on
 * `jobs` boards at once: first the reference variant of every workload with work left (its
 * output on the workload's seeded input is the oracle), then every candidate when there are at
 * most `trials`, else a seeded random half of the budget with the default, then rounds of greedy
 * refinement (the other values of one knob of the best so far) until the budget is spent.
 * Candidates the log already has are not measured again. Each result is checked against the
 * oracle in the parent and appended to the log at once.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ta_config.h"
#include "ta_device.h"
#include "ta_tune_int.h"

#define MAX_WORKERS 16
#define REPEAT 3

void ta_tune_options_init(ta_tune_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->target = "cortex-m4";
  opt->trials = 16;
  opt->jobs = 1;
}

/* ---- candidates and workloads ---- */

enum { C_TODO, C_PLANNED, C_DONE };

typedef struct workload {
  const char *key;
  const ta_graph *g; /* the op's model graph */
  const ta_op *op;   /* its first op */
  ta_tune_cand *c;
  int32_t n_c, ref;
  int32_t dflt; /* the heuristic's candidate for the first op; -1 if not among c */
  /* per candidate */
  uint8_t *state;
  const char **status; /* of its record: the log's or this run's; NULL: none yet */
  uint64_t *insns;
  bool sampled; /* more candidates than trials: sampled and refined */
  /* the oracle: the reference's outputs of this run */
  uint8_t *ref_out;
  bool ref_failed;
  int32_t n_out;
  ta_dtype out_dt[TA_SESSION_MAX_IO];
  size_t out_bytes[TA_SESSION_MAX_IO], out_total;
  ta_buf ops;
  int32_t n_ops, n_measured, n_wrong, n_failed;
} workload;

/* Per op of every model: its workload and its default candidate (-1: not tuned). */
typedef struct op_ref {
  int32_t w, dflt;
} op_ref;

typedef struct tuner {
  ta_ctx *ctx;
  const ta_tune_options *opt;
  const ta_board *board;
  const ta_tune_log *log;
  workload *w;
  int32_t n_w, cap_w;
  op_ref *ops;
  int32_t n_ops, cap_ops;
  int32_t n_untuned;
  int32_t n_models;
  const char *model_tag;     /* "NAME:" before op indices when several models are tuned */
  const char *break_variant; /* TA_TUNE_TEST_BREAK */
  struct timespec t0;
  ta_tune_progress prog;
  ta_tune_result *r;
} tuner;

static double elapsed(const tuner *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->t0.tv_sec) + (double)(now.tv_nsec - t->t0.tv_nsec) * 1e-9;
}

static bool out_of_time(const tuner *t) {
  return (t->opt->stop && *t->opt->stop) ||
         (t->opt->time_budget_s > 0 && elapsed(t) >= t->opt->time_budget_s);
}

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static uint32_t xorshift(uint32_t *s) {
  uint32_t x = *s ? *s : 0x9e3779b9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Append candidates of variant v: every setting of its knobs (ta_sched_knob_settings). A knob
 * whose first value means "the heuristic decides" depends on the rest of the model (the conv
 * int16 budget counts the earlier ops), so a one-op model would measure something else than
 * the whole model runs: only its concrete values are candidates, and a log then forces one
 * (resolve_default finds which one the heuristic took). */
static ta_status add_variant(ta_ctx *ctx, workload *w, const ta_variant *v, int32_t *cap) {
  enum { MAX_SETTINGS = 64 };
  int32_t vals[MAX_SETTINGS * TA_SCHED_MAX_KNOBS];
  const int32_t n = ta_sched_knob_settings(v, vals, MAX_SETTINGS);
  if (n < 0)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "variant \"%s\" has %d knobs (at most %d)", v->name,
                  v->n_knobs, TA_SCHED_MAX_KNOBS);
  if (n > MAX_SETTINGS)
    return ta_err(ctx, TA_ERR_UNSUPPORTED,
                  "variant \"%s\": its knobs have %d settings together (at most %d)", v->name, n,
                  (int)MAX_SETTINGS);
  for (int32_t i = 0; i < n; i++) {
    if (w->n_c == *cap) {
      *cap = *cap ? *cap * 2 : 8;
      ta_tune_cand *m = ta_new_array(ctx, (size_t)*cap, sizeof *m);
      if (!m)
        return TA_ERR_LIMIT;
      if (w->n_c)
        memcpy(m, w->c, (size_t)w->n_c * sizeof *m);
      w->c = m;
    }
    ta_tune_cand *c = &w->c[w->n_c++];
    memset(c, 0, sizeof *c);
    c->variant = v->name;
    c->reference = v->reference;
    c->n_knobs = v->n_knobs;
    for (int32_t k = 0; k < v->n_knobs; k++) {
      c->knob_names[k] = v->knobs[k].name;
      c->knobs[k] = vals[i * v->n_knobs + k];
    }
  }
  return TA_OK;
}

static bool cand_is(const ta_tune_cand *c, const char *variant, const int32_t *knobs,
                    int32_t n_knobs) {
  if (strcmp(c->variant, variant) != 0 || c->n_knobs != n_knobs)
    return false;
  for (int32_t k = 0; k < n_knobs; k++)
    if (c->knobs[k] != knobs[k])
      return false;
  return true;
}

/* The candidate the heuristic picked for call: its variant, its knobs (NULL: the defaults). */
static int32_t find_default(const workload *w, const ta_kernel_call *call) {
  const ta_variant *v = call->variant;
  if (!v)
    return -1;
  int32_t knobs[TA_TUNE_MAX_KNOBS];
  for (int32_t k = 0; k < v->n_knobs && k < TA_TUNE_MAX_KNOBS; k++)
    knobs[k] = call->knobs ? call->knobs[k] : v->knobs[k].values[0];
  const char *name = v->inplace_of ? v->inplace_of : v->name;
  for (int32_t i = 0; i < w->n_c; i++)
    if (cand_is(&w->c[i], name, knobs, v->n_knobs))
      return i;
  return -1;
}

/* The candidate the whole model runs for op (its call from the heuristic): find_default's,
 * or, when a knob was left to the heuristic (a first value 0), the candidate of that variant whose
 * prepared parameters have the same constant arrays' size (int8 against int16 weights) in a
 * one-op model. -1 when none matches. */
static int32_t resolve_default(const workload *w, const ta_graph *g, const ta_op *op,
                               const ta_kernel_call *call) {
  int32_t found = find_default(w, call);
  if (found >= 0 || !call->variant)
    return found;
  const char *name = call->variant->inplace_of ? call->variant->inplace_of : call->variant->name;
  const size_t want = ta_params_array_bytes(call);
  for (int32_t i = 0; i < w->n_c && found < 0; i++) {
    if (strcmp(w->c[i].variant, name) != 0)
      continue;
    ta_ctx tmp;
    ta_ctx_init(&tmp, NULL, NULL, NULL, NULL);
    ta_tune_one one;
    if (ta_tune_one_op(&tmp, g, op, &w->c[i], false, &one) == TA_OK &&
        ta_params_array_bytes(&one.calls[0]) == want)
      found = i;
    ta_ctx_free(&tmp);
  }
  return found;
}

/* The candidates of op (first of a new workload w): built as a one-op model up to prepare in
 * a context of its own, where each variant's predicate is asked. */
static ta_status list_candidates(tuner *t, workload *w) {
  ta_ctx tmp;
  ta_ctx_init(&tmp, NULL, NULL, t->ctx->sink, t->ctx->sink_user);
  ta_tune_one one;
  ta_status st = ta_tune_one_op(&tmp, w->g, w->op, NULL, false, &one);
  int32_t cap = 0;
  if (st == TA_OK) {
    int32_t n;
    const ta_variant *vs = ta_sched_variants(&one.g->ops[0], &n);
    for (int32_t i = 0; i < n && st == TA_OK; i++) {
      const ta_variant *v = &vs[i];
      bool seen = false;
      for (int32_t c = 0; c < w->n_c; c++)
        seen |= strcmp(w->c[c].variant, v->name) == 0;
      /* A name applies once: the override takes the first of that name that applies. */
      if (v->inplace_of || seen || !ta_sched_applies(one.g, &one.g->ops[0], &one.calls[0], v))
        continue;
      st = add_variant(t->ctx, w, v, &cap);
    }
    w->n_out = one.g->n_outputs;
    for (int32_t k = 0; k < w->n_out && k < TA_SESSION_MAX_IO; k++) {
      const ta_tensor *y = &one.g->tensors[one.g->outputs[k]];
      w->out_dt[k] = y->dtype;
      if (!ta_tensor_bytes(y, &w->out_bytes[k]))
        st = TA_ERR_UNSUPPORTED;
      w->out_total += w->out_bytes[k];
    }
    if (w->n_out > TA_SESSION_MAX_IO)
      st = TA_ERR_UNSUPPORTED;
  }
  ta_ctx_free(&tmp);
  if (st != TA_OK)
    return st;
  w->ref = -1;
  for (int32_t i = 0; i < w->n_c && w->ref < 0; i++)
    if (w->c[i].reference)
      w->ref = i;
  w->state = ta_new_array(t->ctx, (size_t)w->n_c + 1, 1);
  w->status = ta_new_array(t->ctx, (size_t)w->n_c + 1, sizeof *w->status);
  w->insns = ta_new_array(t->ctx, (size_t)w->n_c + 1, sizeof *w->insns);
  return w->state && w->status && w->insns ? TA_OK : TA_ERR_LIMIT;
}

/* Compile one model to the schedule stage and add its ops to the workloads. */
static ta_status add_model(tuner *t, const char *path) {
  ta_compile_options copt;
  if (t->opt->copt)
    copt = *t->opt->copt;
  else
    ta_compile_options_init(&copt);
  copt.target = t->opt->target;
  copt.last_stage = TA_STAGE_SCHEDULE;
  ta_model *m = ta_new(t->ctx, sizeof *m);
  if (!m)
    return TA_ERR_LIMIT;
  ta_status st = ta_compile_file(t->ctx, path, &copt, m);
  t->ctx->file = NULL;
  if (st != TA_OK)
    return st;
  for (int32_t i = 0; i < m->g->n_ops; i++) {
    const ta_op *op = &m->g->ops[i];
    const ta_kernel_call *call = &m->calls[i];
    if (!ta_sched_variant(call, NULL))
      continue;
    const char *key = ta_sched_workload_key(m->g, op);
    if (!key)
      return TA_ERR_LIMIT;
    int32_t wi = 0;
    while (wi < t->n_w && strcmp(t->w[wi].key, key) != 0)
      wi++;
    if (wi == t->n_w) {
      if (t->n_w == t->cap_w) {
        t->cap_w = t->cap_w ? 2 * t->cap_w : 16;
        workload *n = ta_new_array(t->ctx, (size_t)t->cap_w, sizeof *n);
        if (!n)
          return TA_ERR_LIMIT;
        if (t->n_w)
          memcpy(n, t->w, (size_t)t->n_w * sizeof *n);
        t->w = n;
      }
      workload *w = &t->w[t->n_w++];
      memset(w, 0, sizeof *w);
      w->key = key;
      w->g = m->g;
      w->op = op;
      ta_buf_init(&w->ops, t->ctx);
      st = list_candidates(t, w);
      if (st != TA_OK)
        return ta_op_err(m->g, op, st, "cannot list its tuning candidates");
      w->dflt = resolve_default(w, m->g, op, call);
    }
    workload *w = &t->w[wi];
    if (t->n_ops == t->cap_ops) {
      t->cap_ops = t->cap_ops ? 2 * t->cap_ops : 64;
      op_ref *n = ta_new_array(t->ctx, (size_t)t->cap_ops, sizeof *n);
      if (!n)
        return TA_ERR_LIMIT;
      if (t->n_ops)
        memcpy(n, t->ops, (size_t)t->n_ops * sizeof *n);
      t->ops = n;
    }
    t->ops[t->n_ops++] = (op_ref){
        wi, wi == t->n_w - 1 && w->n_ops == 0 ? w->dflt : resolve_default(w, m->g, op, call)};
    ta_buf_printf(&w->ops, "%s%s%d", w->n_ops ? "," : "", t->n_models > 1 ? t->model_tag : "",
                  (int)i);
    w->n_ops++;
  }
  return TA_OK;
}

/* The first record of the log for candidate c of w (any status), or NULL. */
static const ta_tune_record *log_find(const tuner *t, const workload *w, const ta_tune_cand *c) {
  if (!t->log)
    return NULL;
  const int32_t n = ta_tune_log_count(t->log);
  for (int32_t i = 0; i < n; i++) {
    const ta_tune_record *rec = ta_tune_log_at(t->log, i);
    if (strcmp(rec->workload, w->key) == 0 && strcmp(rec->target, t->opt->target) == 0 &&
        cand_is(c, rec->variant, rec->knobs, rec->n_knobs))
      return rec;
  }
  return NULL;
}

/* ---- workers: one board each, candidates in, results out through pipes ---- */

enum { RES_OK, RES_FAULT, RES_ERROR, RES_FATAL };

typedef struct task_msg {
  int32_t w, c;
} task_msg;

typedef struct result_msg {
  int32_t w, c, kind;
  uint32_t out_bytes;
  uint64_t instructions, cycles;
  char reason[400];
} result_msg;

typedef struct worker {
  pid_t pid;
  int task_fd, result_fd;
  bool busy, dead;
  task_msg task;
} worker;

static bool write_all(int fd, const void *p, size_t n) {
  const uint8_t *b = p;
  while (n > 0) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    b += k;
    n -= (size_t)k;
  }
  return true;
}

static bool read_all(int fd, void *p, size_t n) {
  uint8_t *b = p;
  while (n > 0) {
    ssize_t k = read(fd, b, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    b += k;
    n -= (size_t)k;
  }
  return true;
}

/* The sink of a worker's contexts: keeps the last error, for a record's reason. */
typedef struct capture {
  char msg[400];
} capture;

static void capture_sink(void *user, ta_severity sev, const char *msg) {
  capture *c = user;
  if (sev == TA_ERROR || !c->msg[0])
    snprintf(c->msg, sizeof c->msg, "%s", msg);
}

/* Fill the inputs of a one-op model: xorshift from the workload key's hash (the same bytes in
 * every run and every worker). */
static void fill_inputs(const workload *w, const ta_tune_one *one, const ta_tune_layout_t *l,
                        uint8_t *in) {
  const int32_t seed = (int32_t)(hash_str(w->key) & 0x7fffffff);
  for (int32_t k = 0; k < one->g->n_inputs; k++) {
    const ta_tensor *x = &one->g->tensors[one->g->inputs[k]];
    size_t elems = 0;
    ta_tensor_elems(x, &elems);
    ta_device_fill_xorshift(x, seed + k, in + l->in_off[k], elems);
  }
}

/* Build and measure one candidate on tb: everything but the oracle check. */
static void measure(const tuner *t, ta_tune_board *tb, const ta_fw_info *info, capture *cap,
                    const task_msg *task, result_msg *res, uint8_t **out) {
  const workload *w = &t->w[task->w];
  const ta_tune_cand *c = &w->c[task->c];
  ta_ctx ctx;
  capture local = {{0}};
  ta_ctx_init(&ctx, NULL, NULL, capture_sink, &local);
  memset(res, 0, sizeof *res);
  res->w = task->w;
  res->c = task->c;
  res->kind = RES_ERROR;
  *out = NULL;
  ta_tune_one one;
  ta_tune_layout_t l;
  ta_blob blob;
  ta_status st = ta_tune_one_op(&ctx, w->g, w->op, c, true, &one);
  if (st == TA_OK && (st = ta_tune_layout(&one, &l)) != TA_OK)
    ta_err(&ctx, st, "the op's tensors have no static size");
  if (st == TA_OK && l.total > info->tensor_bytes)
    st = ta_err(&ctx, TA_ERR_LIMIT, "needs %zu bytes of tensor area, the board has %u", l.total,
                info->tensor_bytes);
  const bool corrupt =
      t->break_variant && !c->reference && strcmp(t->break_variant, c->variant) == 0;
  if (st == TA_OK)
    st = ta_tune_add_wrapper(&ctx, &one, &l, corrupt);
  if (st == TA_OK)
    st = ta_blob_build(&ctx, t->board, &one.fs, TA_TUNE_ENTRY, info->code_base, info->code_bytes,
                       t->opt->cache_dir, &blob);
  if (st != TA_OK) {
    snprintf(res->reason, sizeof res->reason, "%s", local.msg[0] ? local.msg : ta_status_name(st));
    ta_ctx_free(&ctx);
    return;
  }
  uint8_t *in = calloc(1, l.in_total + 1);
  uint8_t *o = calloc(1, l.out_total + 1);
  if (!in || !o) {
    free(in), free(o);
    snprintf(res->reason, sizeof res->reason, "out of memory");
    ta_ctx_free(&ctx);
    return;
  }
  fill_inputs(w, &one, &l, in);
  ta_call_result cr;
  /* A failed run is tried once more on the reset board: a QEMU that died under us is not the
   * candidate's fault, a fault that repeats is. */
  for (int32_t attempt = 0; attempt < 2; attempt++) {
    cap->msg[0] = 0;
    st = ta_tune_board_run(tb, &blob, info->tensor_base, in, l.in_total, info->tensor_base, o,
                           l.out_total, info->tensor_base + (uint32_t)l.in_total, REPEAT, &cr);
    if (st == TA_OK)
      break;
  }
  free(in);
  if (st != TA_OK) {
    res->kind = RES_FAULT;
    snprintf(res->reason, sizeof res->reason, "%s", cap->msg[0] ? cap->msg : ta_status_name(st));
  } else if (cr.ret != 0) {
    snprintf(res->reason, sizeof res->reason, "%s_run returned %d", TA_TUNE_MODEL_NAME, cr.ret);
  } else {
    res->kind = RES_OK;
    res->instructions = (uint64_t)cr.min_ticks * ta_tune_board_insns_per_tick(tb);
    res->cycles = cr.has_cycles ? cr.min_cycles : 0;
    /* The outputs as the model lays them out: contiguous, each after the last. */
    size_t pos = 0;
    for (int32_t k = 0; k < one.g->n_outputs; k++) {
      memmove(o + pos, o + (l.out_off[k] - l.in_total), l.out_bytes[k]);
      pos += l.out_bytes[k];
    }
    res->out_bytes = (uint32_t)pos;
    *out = o;
    o = NULL;
  }
  free(o);
  ta_ctx_free(&ctx);
}

static void worker_main(const tuner *t, int32_t id, int task_fd, int result_fd) {
  signal(SIGINT, SIG_IGN); /* the parent decides when to stop; QEMU inherits this */
  signal(SIGPIPE, SIG_IGN);
  capture cap = {{0}};
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, capture_sink, &cap);
  ta_tune_board *tb = NULL;
  ta_fw_info info;
  result_msg res;
  memset(&res, 0, sizeof res);
  (void)id;
  /* Every board shares the work folder: the firmware the parent built is found there, and
   * QEMU's log names the worker's pid. */
  if (ta_tune_board_open(&ctx, t->board, t->opt->device, t->opt->work_dir, &tb, &info) != TA_OK) {
    res.w = res.c = -1;
    res.kind = RES_FATAL;
    snprintf(res.reason, sizeof res.reason, "%s", cap.msg[0] ? cap.msg : "cannot open the board");
    write_all(result_fd, &res, sizeof res);
    _exit(1);
  }
  task_msg task;
  while (read_all(task_fd, &task, sizeof task)) {
    uint8_t *out;
    measure(t, tb, &info, &cap, &task, &res, &out);
    bool ok = write_all(result_fd, &res, sizeof res) &&
              (!out || write_all(result_fd, out, res.out_bytes));
    free(out);
    if (!ok)
      break;
  }
  ta_tune_board_close(tb);
  ta_ctx_free(&ctx);
  _exit(0);
}

typedef struct pool {
  worker wk[MAX_WORKERS];
  int32_t n;
} pool;

static ta_status pool_start(tuner *t, pool *p, int32_t n) {
  memset(p, 0, sizeof *p);
  fflush(NULL);
  for (int32_t i = 0; i < n; i++) {
    int tf[2], rf[2];
    if (pipe(tf) != 0)
      return ta_err(t->ctx, TA_ERR_IO, "pipe: %s", strerror(errno));
    if (pipe(rf) != 0) {
      close(tf[0]), close(tf[1]);
      return ta_err(t->ctx, TA_ERR_IO, "pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
      close(tf[0]), close(tf[1]), close(rf[0]), close(rf[1]);
      return ta_err(t->ctx, TA_ERR_IO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
      close(tf[1]);
      close(rf[0]);
      for (int32_t j = 0; j < p->n; j++)
        close(p->wk[j].task_fd), close(p->wk[j].result_fd);
      worker_main(t, i, tf[0], rf[1]);
    }
    close(tf[0]);
    close(rf[1]);
    p->wk[p->n++] = (worker){.pid = pid, .task_fd = tf[1], .result_fd = rf[0]};
  }
  return TA_OK;
}

/* Close the task pipes (the workers finish their candidate and exit), wait for them; past
 * grace_ms kill the rest (their QEMUs die with them). */
static void pool_stop(pool *p, int32_t grace_ms) {
  for (int32_t i = 0; i < p->n; i++)
    if (p->wk[i].task_fd >= 0)
      close(p->wk[i].task_fd), p->wk[i].task_fd = -1;
  for (int32_t ms = 0;; ms += 50) {
    bool alive = false;
    for (int32_t i = 0; i < p->n; i++) {
      if (p->wk[i].pid <= 0)
        continue;
      if (waitpid(p->wk[i].pid, NULL, WNOHANG) == p->wk[i].pid)
        p->wk[i].pid = 0;
      else if (ms >= grace_ms)
        kill(p->wk[i].pid, SIGKILL), waitpid(p->wk[i].pid, NULL, 0), p->wk[i].pid = 0;
      else
        alive = true;
    }
    if (!alive)
      break;
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
  }
  for (int32_t i = 0; i < p->n; i++)
    if (p->wk[i].result_fd >= 0)
      close(p->wk[i].result_fd), p->wk[i].result_fd = -1;
}

/* ---- results: the oracle check and the record ---- */

static void report_progress(tuner *t, const char *last) {
  t->prog.elapsed_s = elapsed(t);
  t->prog.last = last;
  if (t->opt->progress)
    t->opt->progress(t->opt->progress_user, &t->prog);
}

static ta_status append(tuner *t, workload *w, int32_t ci, const char *status,
                        const result_msg *res, const char *reason) {
  const ta_tune_cand *c = &w->c[ci];
  ta_tune_record rec = {.version = TA_VERSION,
                        .workload = w->key,
                        .target = t->opt->target,
                        .variant = c->variant,
                        .n_knobs = c->n_knobs,
                        .instructions = strcmp(status, "ok") == 0 ? res->instructions : 0,
                        .cycles = strcmp(status, "ok") == 0 ? res->cycles : 0,
                        .status = status,
                        .reason = reason && reason[0] ? reason : NULL};
  for (int32_t k = 0; k < c->n_knobs; k++) {
    rec.knob_names[k] = c->knob_names[k];
    rec.knobs[k] = c->knobs[k];
  }
  ta_status st = ta_tune_log_append(t->ctx, t->opt->log_path, &rec);
  if (st == TA_OK)
    t->r->new_records++;
  return st;
}

/* Compare a candidate's outputs with the oracle's: int8 (any integer) bit-exact, float32
 * within the golden tests' bound. */
static bool matches(const workload *w, const uint8_t *out, char *why, size_t cap) {
  size_t pos = 0;
  const ta_device_tol tol = {0.0, 1e-5, true, false, true};
  for (int32_t k = 0; k < w->n_out; k++) {
    ta_device_cmp cmp;
    if (!ta_device_compare(w->out_dt[k], w->ref_out + pos, out + pos, w->out_bytes[k], &tol,
                           &cmp)) {
      snprintf(why, cap, "output %d differs from the reference at element %zu: %g, expected %g", k,
               cmp.bad_elem, cmp.got, cmp.want);
      return false;
    }
    pos += w->out_bytes[k];
  }
  return true;
}

static ta_status take_result(tuner *t, const result_msg *res, const uint8_t *out) {
  workload *w = &t->w[res->w];
  const ta_tune_cand *c = &w->c[res->c];
  const bool logged = w->state[res->c] == C_DONE; /* the reference, run again as the oracle */
  w->state[res->c] = C_DONE;
  t->prog.done++;
  char last[160];
  snprintf(last, sizeof last, "%s %s", ta_op_kind_name(w->op->kind), c->variant);
  const char *status = "ok";
  char why[400];
  snprintf(why, sizeof why, "%s", res->reason);
  if (res->c == w->ref) {
    if (res->kind != RES_OK) {
      /* Without its oracle the workload cannot be checked: nothing of it is recorded (a
       * toolchain or board problem would otherwise be written down as the kernel's). */
      w->ref_failed = true;
      t->prog.failed++;
      ta_report(t->ctx, TA_WARNING, "workload %s: the reference candidate failed (%s); skipped",
                w->key, res->reason);
      report_progress(t, last);
      return TA_OK;
    }
    w->ref_out = ta_new(t->ctx, res->out_bytes + 1);
    if (!w->ref_out)
      return TA_ERR_LIMIT;
    memcpy(w->ref_out, out, res->out_bytes);
  } else if (res->kind == RES_FAULT) {
    status = "fault";
  } else if (res->kind == RES_ERROR) {
    status = "error";
  } else if (!w->ref_out || !matches(w, out, why, sizeof why)) {
    status = "wrong";
    if (!w->ref_out)
      snprintf(why, sizeof why, "no reference output");
  }
  if (strcmp(status, "ok") != 0) {
    if (strcmp(status, "wrong") == 0)
      w->n_wrong++, t->prog.wrong++;
    else
      w->n_failed++, t->prog.failed++;
  }
  ta_status st = TA_OK;
  if (!logged) {
    w->status[res->c] = strcmp(status, "ok") == 0 ? "ok" : status;
    w->insns[res->c] = strcmp(status, "ok") == 0 ? res->instructions : 0;
    w->n_measured++;
    st = append(t, w, res->c, status, res, strcmp(status, "ok") == 0 ? NULL : why);
  }
  report_progress(t, last);
  return st;
}

/* Measure the planned tasks on the pool; results are taken as they come. */
static ta_status run_round(tuner *t, pool *p, const task_msg *tasks, int32_t n) {
  int32_t next = 0, busy = 0;
  ta_status result = TA_OK;
  for (;;) {
    const bool stopping = out_of_time(t) || result != TA_OK;
    for (int32_t i = 0; i < p->n && next < n && !stopping; i++) {
      worker *wk = &p->wk[i];
      if (wk->busy || wk->dead)
        continue;
      if (!write_all(wk->task_fd, &tasks[next], sizeof tasks[next])) {
        wk->dead = true;
        continue;
      }
      wk->task = tasks[next++];
      wk->busy = true;
      busy++;
    }
    if (stopping && next < n)
      t->r->stopped = true;
    if (busy == 0) {
      bool any = false;
      for (int32_t i = 0; i < p->n; i++)
        any |= !p->wk[i].dead;
      if (!any && result == TA_OK && next < n)
        result = ta_err(t->ctx, TA_ERR_IO, "every tuning board stopped");
      if (!any || next >= n || stopping)
        return result;
      continue;
    }
    struct pollfd fds[MAX_WORKERS];
    int32_t who[MAX_WORKERS], nf = 0;
    for (int32_t i = 0; i < p->n; i++)
      if (p->wk[i].busy)
        fds[nf] = (struct pollfd){.fd = p->wk[i].result_fd, .events = POLLIN}, who[nf++] = i;
    int k = poll(fds, (nfds_t)nf, 250);
    if (k <= 0) {
      report_progress(t, NULL);
      continue;
    }
    for (int32_t f = 0; f < nf; f++) {
      if (!(fds[f].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      worker *wk = &p->wk[who[f]];
      result_msg res;
      uint8_t *out = NULL;
      bool ok = read_all(wk->result_fd, &res, sizeof res);
      if (ok && res.kind == RES_OK) {
        out = malloc((size_t)res.out_bytes + 1);
        ok = out && read_all(wk->result_fd, out, res.out_bytes);
      }
      wk->busy = false;
      busy--;
      if (!ok || res.kind == RES_FATAL) {
        /* A worker that could not start its board, or died: its candidate is not recorded. */
        wk->dead = true;
        if (ok)
          ta_report(t->ctx, TA_ERROR, "tuning board %d: %s", who[f], res.reason);
        else
          ta_report(t->ctx, TA_WARNING, "tuning board %d stopped; candidate not recorded", who[f]);
        free(out);
        continue;
      }
      ta_status st = take_result(t, &res, out);
      free(out);
      if (st != TA_OK && result == TA_OK)
        result = st;
    }
  }
}

/* ---- the search ---- */

static int32_t n_done(const workload *w) {
  int32_t n = 0;
  for (int32_t i = 0; i < w->n_c; i++)
    n += w->state[i] != C_TODO;
  return n;
}

static bool plan(workload *w, int32_t ci, task_msg *tasks, int32_t *n, int32_t wi) {
  if (ci < 0 || w->state[ci] != C_TODO)
    return false;
  w->state[ci] = C_PLANNED;
  tasks[(*n)++] = (task_msg){wi, ci};
  return true;
}

/* The next round's candidates of w (sampled workloads): the other values of each knob of the
 * best so far, then random ones while budget is left. */
static void refine(workload *w, int32_t wi, int32_t trials, uint32_t *rng, task_msg *tasks,
                   int32_t *n) {
  int32_t budget = trials - n_done(w);
  int32_t best = -1;
  for (int32_t i = 0; i < w->n_c; i++)
    if (w->status[i] && strcmp(w->status[i], "ok") == 0 &&
        (best < 0 || w->insns[i] < w->insns[best]))
      best = i;
  for (int32_t i = 0; i < w->n_c && budget > 0 && best >= 0; i++) {
    const ta_tune_cand *a = &w->c[i], *b = &w->c[best];
    if (strcmp(a->variant, b->variant) != 0 || a->n_knobs != b->n_knobs)
      continue;
    int32_t diff = 0;
    for (int32_t k = 0; k < a->n_knobs; k++)
      diff += a->knobs[k] != b->knobs[k];
    if (diff == 1 && plan(w, i, tasks, n, wi))
      budget--;
  }
  const int32_t start = *n;
  for (int32_t tries = 0; budget > 0 && *n == start && tries < 4 * w->n_c; tries++)
    if (plan(w, (int32_t)(xorshift(rng) % (uint32_t)w->n_c), tasks, n, wi))
      budget--;
}

static ta_status search(tuner *t, pool *p) {
  int32_t total = 0;
  for (int32_t i = 0; i < t->n_w; i++)
    total += t->w[i].n_c;
  task_msg *tasks = ta_new_array(t->ctx, (size_t)total + 1, sizeof *tasks);
  if (!tasks)
    return TA_ERR_LIMIT;
  /* Round 1: the oracles of the workloads with work left. */
  int32_t n = 0;
  for (int32_t i = 0; i < t->n_w; i++) {
    workload *w = &t->w[i];
    w->sampled = w->n_c > t->opt->trials;
    const int32_t want = w->sampled ? t->opt->trials : w->n_c;
    if (n_done(w) < want && w->ref >= 0 && w->n_c > 1) {
      tasks[n++] = (task_msg){i, w->ref};
      if (w->state[w->ref] == C_TODO)
        w->state[w->ref] = C_PLANNED;
    }
  }
  /* The progress total: the oracles, then what each workload's budget leaves to measure. */
  t->prog.total = n;
  for (int32_t i = 0; i < t->n_w; i++) {
    const workload *w = &t->w[i];
    const int32_t left = (w->sampled ? t->opt->trials : w->n_c) - n_done(w);
    if (w->n_c > 1 && w->ref >= 0 && left > 0)
      t->prog.total += left;
  }
  ta_status st = run_round(t, p, tasks, n);
  /* Round 2: everything (small spaces), or the default and a seeded random half (large). */
  n = 0;
  for (int32_t i = 0; i < t->n_w && st == TA_OK; i++) {
    workload *w = &t->w[i];
    if (!w->ref_out || w->ref_failed)
      continue;
    if (!w->sampled) {
      for (int32_t c = 0; c < w->n_c; c++)
        plan(w, c, tasks, &n, i);
      continue;
    }
    uint32_t rng = hash_str(w->key);
    int32_t budget = t->opt->trials / 2 - n_done(w);
    /* The defaults of its ops first: the table compares with them. */
    for (int32_t o = 0; o < t->n_ops; o++)
      if (t->ops[o].w == i && plan(w, t->ops[o].dflt, tasks, &n, i))
        budget--;
    for (int32_t tries = 0; budget > 0 && tries < 4 * w->n_c; tries++)
      if (plan(w, (int32_t)(xorshift(&rng) % (uint32_t)w->n_c), tasks, &n, i))
        budget--;
  }
  if (st == TA_OK)
    st = run_round(t, p, tasks, n);
  /* Rounds 3...: greedy refinement of the sampled workloads. */
  for (int32_t round = 0; st == TA_OK && !t->r->stopped; round++) {
    n = 0;
    for (int32_t i = 0; i < t->n_w; i++) {
      workload *w = &t->w[i];
      if (!w->sampled || !w->ref_out || n_done(w) >= t->opt->trials)
        continue;
      uint32_t rng = hash_str(w->key) + (uint32_t)round * 0x9e3779b9u;
      refine(w, i, t->opt->trials, &rng, tasks, &n);
    }
    if (n == 0)
      break;
    st = run_round(t, p, tasks, n);
  }
  return st;
}

/* ---- the report ---- */

static void choice_of(const workload *w, int32_t ci, ta_tune_choice *ch) {
  memset(ch, 0, sizeof *ch);
  if (ci < 0)
    return;
  const ta_tune_cand *c = &w->c[ci];
  ch->variant = c->variant;
  ch->n_knobs = c->n_knobs;
  for (int32_t k = 0; k < c->n_knobs; k++)
    ch->knobs[k] = c->knobs[k], ch->knob_names[k] = c->knob_names[k];
  ch->instructions = w->status[ci] && strcmp(w->status[ci], "ok") == 0 ? w->insns[ci] : 0;
}

static int32_t best_of(const workload *w) {
  int32_t best = -1;
  for (int32_t i = 0; i < w->n_c; i++)
    if (w->status[i] && strcmp(w->status[i], "ok") == 0 && w->insns[i] > 0 &&
        (best < 0 || w->insns[i] < w->insns[best]))
      best = i;
  return best;
}

const char *ta_tune_choice_str(const ta_tune_choice *c, char *buf, size_t cap) {
  if (!c->variant) {
    snprintf(buf, cap, "-");
    return buf;
  }
  size_t o = (size_t)snprintf(buf, cap, "%s", c->variant);
  for (int32_t k = 0; k < c->n_knobs && o < cap; k++)
    o += (size_t)snprintf(buf + o, cap - o, " %s=%d", c->knob_names[k], c->knobs[k]);
  return buf;
}

static ta_status fill_result(tuner *t) {
  ta_tune_result *r = t->r;
  r->w = ta_new_array(t->ctx, (size_t)t->n_w + 1, sizeof *r->w);
  if (!r->w)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < t->n_w; i++) {
    workload *w = &t->w[i];
    if (w->n_c < 2)
      continue;
    ta_tune_workload *o = &r->w[r->n++];
    o->key = w->key;
    o->kind = ta_op_kind_name(w->op->kind);
    o->ops = w->ops.ok && w->ops.data ? w->ops.data : "";
    o->n_ops = w->n_ops;
    o->n_candidates = w->n_c;
    o->n_measured = w->n_measured;
    o->n_wrong = w->n_wrong;
    o->n_failed = w->n_failed;
    choice_of(w, w->dflt, &o->dflt);
    choice_of(w, best_of(w), &o->best);
  }
  for (int32_t i = 0; i < t->n_ops; i++) {
    const workload *w = &t->w[t->ops[i].w];
    if (w->n_c < 2) {
      r->n_untuned_ops++;
      continue;
    }
    const int32_t d = t->ops[i].dflt, b = best_of(w);
    const uint64_t di = d >= 0 && w->status[d] && strcmp(w->status[d], "ok") == 0 ? w->insns[d] : 0;
    const uint64_t bi = b >= 0 ? w->insns[b] : 0;
    r->default_total += di;
    r->tuned_total += di && bi ? (bi < di ? bi : di) : di;
  }
  return TA_OK;
}

ta_status ta_tune_run(ta_ctx *ctx, const char *const *models, int32_t n_models,
                      const ta_tune_options *opt, ta_tune_result *r) {
  memset(r, 0, sizeof *r);
  tuner t = {.ctx = ctx, .opt = opt, .r = r};
  clock_gettime(CLOCK_MONOTONIC, &t.t0);
  t.board = ta_board_find(opt->target);
  if (!t.board)
    return ta_err(ctx, TA_ERR_USAGE, "unknown target '%s' (known: %s)", opt->target,
                  ta_board_names());
  if (!opt->log_path || !opt->work_dir || opt->trials < 1)
    return ta_err(ctx, TA_ERR_USAGE, "tuning needs a log, a work folder and trials >= 1");
  /* Test-only hook: TA_TUNE_TEST_BREAK=VARIANT makes every candidate of that variant compute
   * a wrong output on the board (ta_tune_add_wrapper), so the tests prove that a wrong kernel
   * is recorded "wrong" and never chosen. Not for users; not in --help. */
  const char *brk = getenv("TA_TUNE_TEST_BREAK");
  t.break_variant = brk && *brk ? ta_strdup(ctx, brk) : NULL;
  ta_tune_log *log = NULL;
  ta_status st = ta_tune_log_open(ctx, opt->log_path, true, &log);
  if (st != TA_OK)
    return st;
  t.log = log;
  t.n_models = n_models;
  for (int32_t m = 0; m < n_models && st == TA_OK; m++) {
    t.model_tag = ta_fmt(ctx, "%s:", ta_default_model_name(ctx, models[m]));
    st = add_model(&t, models[m]);
  }
  if (st != TA_OK)
    return st;
  /* What the log has is not measured again. */
  for (int32_t i = 0; i < t.n_w; i++) {
    workload *w = &t.w[i];
    for (int32_t c = 0; c < w->n_c; c++) {
      const ta_tune_record *rec = log_find(&t, w, &w->c[c]);
      if (!rec)
        continue;
      w->state[c] = C_DONE;
      w->status[c] = rec->status;
      w->insns[c] = rec->instructions;
      if (strcmp(rec->status, "wrong") == 0)
        w->n_wrong++;
      else if (strcmp(rec->status, "ok") != 0)
        w->n_failed++;
    }
  }
  int32_t jobs = opt->jobs < 1 ? 1 : opt->jobs > MAX_WORKERS ? MAX_WORKERS : opt->jobs;
  if (opt->device)
    jobs = 1;
  /* No board is started when there is nothing to measure (a resumed, finished run). */
  bool work = false;
  for (int32_t i = 0; i < t.n_w && !work; i++) {
    const workload *w = &t.w[i];
    const int32_t want = w->n_c > opt->trials ? opt->trials : w->n_c;
    work = w->n_c > 1 && n_done(w) < want;
  }
  if (work) {
    pool p;
    memset(&p, 0, sizeof p);
    /* The tuning firmware is built once here, not by every worker at the same time. */
    ta_firmware fw;
    if (!opt->device)
      st = ta_fw_build_tuner(ctx, t.board, opt->work_dir, &fw);
    if (st == TA_OK)
      st = pool_start(&t, &p, jobs);
    if (st == TA_OK)
      st = search(&t, &p);
    pool_stop(&p, r->stopped || (opt->stop && *opt->stop) ? 10000 : 600000);
  }
  r->elapsed_s = elapsed(&t);
  ta_status fs = fill_result(&t);
  return st != TA_OK ? st : fs;
}

const char *ta_tune_default_cache(ta_ctx *ctx) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char *base = xdg && *xdg     ? ta_strdup(ctx, xdg)
               : home && *home ? ta_fmt(ctx, "%s/.cache", home)
                               : NULL;
  if (!base)
    return NULL;
  mkdir(base, 0755);
  return ta_fmt(ctx, "%s/tinyaot", base);
}
