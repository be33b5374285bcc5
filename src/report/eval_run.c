/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_run.c: `tinyaot eval` from its options to its statistics: compile, load the data set,
 * run the records (the device library's ta_device_eval_records), gather the statistics and
 * give the budget verdict. The progress someone watches is handed to the caller as text; the
 * command prints the figures.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>

#include "ta_report.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Each record's output goes to the statistics, the progress bar to show. */
typedef struct record_ctx {
  ta_ctx *ctx;
  const ta_eval_run *o;
  ta_eval_stats *r;
  const ta_eval_set *set;
  double start;
} record_ctx;

static void show(const record_ctx *c, const char *text) {
  if (c->o->show)
    c->o->show(c->o->user, text);
}

static ta_status on_record(void *user, int64_t k, const uint8_t *out, uint64_t insns) {
  record_ctx *c = user;
  ta_report_eval_add(c->r, c->set, k, out, insns);
  if (!c->o->bar)
    return TA_OK;
  ta_buf b;
  ta_buf_init(&b, c->ctx);
  ta_buf_puts(&b, "\r");
  ta_report_progress_bar(&b, k + 1, c->r->n, now_s() - c->start);
  ta_buf_puts(&b, k + 1 == c->r->n ? "\033[K\n" : "\033[K");
  if (b.ok)
    show(c, b.data);
  ta_buf_free(&b);
  return TA_OK;
}

/* The device library's lines, shown with the bar; NULL: the records start. */
static void say(void *user, const char *line) {
  record_ctx *c = user;
  if (!line) {
    c->start = now_s();
  } else if (c->o->bar) {
    show(c, line);
    show(c, "\n");
  }
}

ta_status ta_report_eval_run(ta_ctx *ctx, const ta_eval_run *o, ta_model *m, ta_eval_set *set,
                             ta_eval_stats *r, bool *fits) {
  ta_status st = ta_compile_file(ctx, o->model, o->copt, m);
  if (st != TA_OK)
    return st;
  ctx->file = NULL;
  if ((st = ta_report_eval_load(ctx, m->g, o->model, &o->files, o->limit, set)) != TA_OK ||
      (st = ta_report_eval_init(ctx, set, o->classes, o->atol, o->rtol, r)) != TA_OK)
    return st;
  uint8_t *out = ta_new(ctx, set->out_bytes);
  if (!out)
    return TA_ERR_LIMIT;
  r->arena = m->plan.arena_bytes;
  r->clock_hz = o->clock_hz;
  r->part = o->part;
  record_ctx rc = {ctx, o, r, set, now_s()};
  r->board = o->board;
  r->device = r->board != NULL;
  r->layer_insns =
      r->board && o->layers ? ta_new_array(ctx, (size_t)m->g->n_ops + 1, sizeof(uint64_t)) : NULL;
  ta_device_eval e = {.m = m, .model_path = o->model, .board = r->board, .keep = o->keep};
  e.name = o->name ? o->name : ta_default_model_name(ctx, o->model);
  e.dopt = o->dopt;
  e.data = set->data, e.in_bytes = set->in_bytes, e.out_bytes = set->out_bytes, e.n = set->n;
  e.out = out, e.layer_insns = r->layer_insns, e.each = on_record, e.user = &rc, e.say = say;
  ta_fw_sizes sizes;
  ta_fw_memstats mem;
  if ((st = ta_device_eval_records(ctx, &e, &sizes, &mem)) != TA_OK)
    return st;
  if (r->board)
    ta_report_eval_device_cost(r, &sizes, &mem);
  ta_report_eval_finish(r);
  *fits = ta_report_eval_verdict(ctx, r, o->flash_budget, o->ram_budget, o->exit_budget);
  return TA_OK;
}
