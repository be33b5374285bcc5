/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.c: a compiled model on a board, as the commands use it: one benchmark (the host
 * build's outputs are the reference the board's must follow), one run from input files to
 * output files, a board kept open to stream records through (a data set's records: eval),
 * and the model with and without its tuning log side by side (bench --tuning-log).
 * Instructions are QEMU's exact count of executed guest instructions: under `-icount shift=0`
 * the board's timer ticks once per 1e9/clock_hz instructions, so the figure is timer ticks x
 * that ratio.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_measure.h"
#include "ta_backend.h"
#include "ta_schedule.h"

/* Compare the board's outputs with the host's: integers bit for bit, float32 within
 * |err| <= 1e-5 * max(1, |ref|); r->check says how, for people. */
static void compare_outputs(const ta_bench_model *bm, ta_bench_run *r) {
  const ta_graph *g = bm->m.g;
  const ta_device_tol tol = {0, 1e-5, true, false, false};
  r->match = true;
  bool any_float = false;
  double worst = 0;
  int32_t bad_k = -1;
  size_t bad_i = 0;
  for (int32_t k = 0; k < g->n_outputs; k++) {
    const ta_tensor *t = &g->tensors[g->outputs[k]];
    size_t n = bm->host_bytes[k];
    if (!r->dev.outputs[k] || r->dev.output_bytes[k] != n) {
      r->match = false;
      bad_k = k;
      continue;
    }
    ta_device_cmp c;
    any_float |= t->dtype == TA_DT_F32;
    if (!ta_device_compare(t->dtype, bm->host_out[k], r->dev.outputs[k], n, &tol, &c) && r->match) {
      r->match = false;
      bad_k = k;
      bad_i = t->dtype == TA_DT_F32 ? c.bad_elem : c.bad_byte;
    }
    if (c.max_err > worst)
      worst = c.max_err;
  }
  if (!r->match)
    snprintf(r->check, sizeof r->check, "NO: output %d differs from the host at element %zu", bad_k,
             bad_i);
  else if (any_float)
    snprintf(r->check, sizeof r->check,
             "yes (float32 within 1e-5 relative: max |err| %.3g; integers identical bytes)", worst);
  else
    snprintf(r->check, sizeof r->check, "yes (identical bytes)");
}

ta_status ta_device_bench_prepare(ta_ctx *ctx, const char *path, const char *name,
                                  const char *const *input_files, int32_t n_inputs,
                                  const ta_compile_options *copt, ta_bench_model *bm) {
  memset(bm, 0, sizeof *bm);
  bm->path = path;
  bm->name = name ? name : ta_default_model_name(ctx, bm->path);
  ta_status st = ta_compile_emit(ctx, bm->path, copt, bm->name, &bm->m, &bm->fs);
  if (st != TA_OK)
    return st;
  ta_graph *g = bm->m.g;
  if (g->n_inputs > TA_SESSION_MAX_IO || g->n_outputs > TA_SESSION_MAX_IO)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "at most %d inputs and outputs on a device",
                  TA_SESSION_MAX_IO);
  bm->macs = ta_graph_macs(g);
  st = ta_make_temp_dir(ctx, "bench", &bm->dir);
  if (st != TA_OK)
    return st;
  const char *paths[TA_SESSION_MAX_IO];
  if (n_inputs > 0) {
    st = ta_device_read_inputs(g, input_files, n_inputs, bm->inputs);
    if (st != TA_OK)
      return st;
    for (int32_t k = 0; k < n_inputs; k++)
      paths[k] = input_files[k];
    bm->input_desc = n_inputs == 1 ? input_files[0] : "the --input files";
  } else {
    bm->input_desc = "xorshift";
    for (int32_t k = 0; k < g->n_inputs; k++) {
      const ta_tensor *t = &g->tensors[g->inputs[k]];
      size_t bytes = 0, elems = 0;
      ta_tensor_bytes(t, &bytes);
      ta_tensor_elems(t, &elems);
      bm->inputs[k] = ta_new(ctx, bytes ? bytes : 1);
      char *p = ta_fmt(ctx, "%s/input_%d.bin", bm->dir, k);
      if (!bm->inputs[k] || !p)
        return TA_ERR_LIMIT;
      ta_device_fill_xorshift(t, k, bm->inputs[k], elems);
      st = ta_write_file(ctx, p, bm->inputs[k], bytes);
      if (st != TA_OK)
        return st;
      paths[k] = p;
    }
  }
  char *host_dir = ta_fmt(ctx, "%s/host", bm->dir);
  if (!host_dir)
    return TA_ERR_LIMIT;
  ta_host_run_options ro = {bm->name, paths, g->n_inputs, host_dir, false, NULL};
  st = ta_host_run(g, &bm->fs, &ro);
  for (int32_t k = 0; k < g->n_outputs && st == TA_OK; k++) {
    char *p = ta_fmt(ctx, "%s/output_%d.bin", host_dir, k);
    st = p ? ta_read_file(ctx, p, &bm->host_out[k], &bm->host_bytes[k]) : TA_ERR_LIMIT;
  }
  for (int32_t k = 0; st == TA_OK && k < g->n_inputs + g->n_outputs; k++) {
    size_t bytes = 0;
    ta_tensor_bytes(&g->tensors[k < g->n_inputs ? g->inputs[k] : g->outputs[k - g->n_inputs]],
                    &bytes);
    bm->io_bytes += bytes;
  }
  return st;
}

ta_status ta_device_bench_run(ta_bench_model *bm, const ta_board *b, const char *device,
                              int32_t timeout_s, ta_bench_run *r) {
  ta_ctx *ctx = bm->m.g->ctx;
  memset(r, 0, sizeof *r);
  r->board = b;
  r->clock_hz = b->clock_hz;
  char *dir = ta_fmt(ctx, "%s/%s", bm->dir, b->target);
  if (!dir)
    return TA_ERR_LIMIT;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return ta_err(ctx, TA_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
  ta_status st = ta_fw_build(bm->m.g, &bm->fs, bm->name, b, dir, &r->fw);
  if (st != TA_OK)
    return st;
  ta_device_options o = {device, true, 2, timeout_s, NULL};
  st = ta_device_run(bm->m.g, &r->fw, (const void *const *)bm->inputs, &o, &r->dev);
  if (st != TA_OK)
    return st;
  compare_outputs(bm, r);
  return TA_OK;
}

uint64_t ta_device_layer_insns(const ta_bench_model *bm, const ta_bench_run *r, int32_t i) {
  if (bm->m.calls[i].kernel < 0 || !r->dev.layer_ticks)
    return 0;
  return (uint64_t)r->dev.layer_ticks[i] * r->dev.insns_per_tick;
}

/* The per-layer figures of run r of bm, copied into ctx (bm's context goes with the model). */
static void bench_layers(ta_ctx *ctx, ta_bench_row *row, const ta_bench_model *bm,
                         const ta_bench_run *r) {
  const ta_graph *g = bm->m.g;
  if (!r->dev.layer_ticks || g->n_ops <= 0 ||
      !(row->layers = ta_new_array(ctx, (size_t)g->n_ops, sizeof *row->layers)))
    return;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_kernel_call *call = &bm->m.calls[i];
    if (call->kernel < 0)
      continue;
    ta_sched_why why;
    const ta_variant *v = ta_sched_variant(call, &why);
    ta_bench_layer *l = &row->layers[row->n_layers++];
    l->index = i;
    l->type = ta_op_kind_name(g->ops[i].kind);
    l->variant = ta_strdup(ctx, v && v->name ? v->name : "-");
    l->backend = ta_strdup(ctx, ta_backend_of(call)->name);
    const ta_op_def *d = ta_op_def_get(g->ops[i].kind);
    l->macs = d && d->macs ? d->macs(g, &g->ops[i]) : 0;
    l->instructions = ta_device_layer_insns(bm, r, i);
  }
}

/* The comparison build's per-layer figures next to row's, when its graph has the same ops in
 * the same order (a backend that merged or split ops would make them incomparable). */
static void bench_cmp_layers(ta_ctx *ctx, ta_bench_row *row, const ta_bench_model *bm,
                             const ta_bench_model *cm, const ta_bench_run *r) {
  const ta_graph *g = bm->m.g, *h = cm->m.g;
  if (!row->layers || !r->dev.layer_ticks || g->n_ops != h->n_ops)
    return;
  for (int32_t i = 0; i < g->n_ops; i++)
    if (g->ops[i].kind != h->ops[i].kind ||
        (bm->m.calls[i].kernel < 0) != (cm->m.calls[i].kernel < 0))
      return;
  for (int32_t k = 0; k < row->n_layers; k++) {
    ta_bench_layer *l = &row->layers[k];
    l->cmp_instructions = ta_device_layer_insns(cm, r, l->index);
    l->cmp_backend = ta_strdup(ctx, ta_backend_of(&cm->m.calls[l->index])->name);
  }
}

/* The row of model on board: bm as far as it was prepared; r NULL when the model was not
 * ready to run; ran: ta_device_bench_run succeeded. */
static void bench_row(ta_ctx *ctx, ta_bench_row *row, const char *model, const ta_board *board,
                      const ta_bench_model *bm, const ta_bench_run *r, bool ran) {
  memset(row, 0, sizeof *row);
  row->model = model;
  row->board = board;
  row->macs = bm->macs;
  row->io_bytes = bm->io_bytes;
  if (!r)
    return;
  row->ok = ran && r->match && r->dev.repeats_identical;
  row->instructions = r->dev.instructions;
  row->sizes = r->fw.sizes;
  row->mem = r->dev.mem;
  if (ctx && row->ok)
    bench_layers(ctx, row, bm, r);
}

/* A model's messages: all into its log file, errors to the suite's sink as well. */
typedef struct model_log {
  FILE *f;
  ta_diag_sink sink;
  void *user;
} model_log;

static void log_sink(void *user, ta_severity sev, const char *msg) {
  model_log *l = user;
  if (l->f)
    fprintf(l->f, "%s: %s\n",
            sev == TA_ERROR     ? "error"
            : sev == TA_WARNING ? "warning"
                                : "note",
            msg);
  if (sev == TA_ERROR && l->sink)
    l->sink(l->user, sev, msg);
}

ta_status ta_device_bench_suite(ta_ctx *ctx, const ta_bench_suite *s, ta_bench_row **rows,
                                int32_t *failures) {
  *failures = 0;
  *rows = ta_new_array(ctx, (size_t)(s->n_models * s->n_boards + 1), sizeof **rows);
  if (!*rows)
    return TA_ERR_LIMIT;
  ta_bench_row *r = *rows;
  for (int32_t m = 0; m < s->n_models; m++) {
    ta_ctx mctx;
    model_log log = {NULL, ctx->sink, ctx->sink_user};
    const char *log_path = s->log_dir ? ta_fmt(ctx, "%s/%s.log", s->log_dir, s->models[m]) : NULL;
    if (log_path && !(log.f = fopen(log_path, "w")))
      ta_report(ctx, TA_WARNING, "cannot write the log '%s': %s", log_path, strerror(errno));
    if (log.f)
      ta_ctx_init(&mctx, ctx->alloc, ctx->alloc_user, log_sink, &log);
    else
      ta_ctx_init(&mctx, ctx->alloc, ctx->alloc_user, ctx->sink, ctx->sink_user);
    const int32_t failures_before = *failures;
    ta_bench_row *first_row = r;
    ta_bench_model bm, cm;
    const char *path = ta_fmt(&mctx, "%s/%s.tflite", s->dir, s->models[m]);
    if (s->progress)
      s->progress(s->user, s->models[m], NULL, NULL);
    ta_status st = ta_device_bench_prepare(&mctx, path, s->models[m], NULL, 0, s->copt, &bm);
    /* The comparison build: its own compile and host reference, the same xorshift inputs. */
    const char *clabel = NULL;
    ta_status cst = TA_OK;
    memset(&cm, 0, sizeof cm);
    if (s->compare) {
      clabel = ta_fmt(&mctx, "%s (%s)", s->models[m],
                      s->compare_label ? s->compare_label : "comparison");
      if (s->progress)
        s->progress(s->user, clabel, NULL, NULL);
      cst = ta_device_bench_prepare(&mctx, path, s->models[m], NULL, 0, s->compare, &cm);
      /* The two builds answer the same inputs: on the host they must agree byte for byte,
       * or the comparison would be between different computations. */
      for (int32_t k = 0; st == TA_OK && cst == TA_OK && k < bm.m.g->n_outputs; k++)
        if (bm.host_bytes[k] != cm.host_bytes[k] ||
            memcmp(bm.host_out[k], cm.host_out[k], bm.host_bytes[k]) != 0)
          cst = ta_err(&mctx, TA_ERR_INTERNAL,
                       "%s: output %d of the %s build differs from tinyaot's on the host",
                       s->models[m], k, s->compare_label ? s->compare_label : "comparison");
    }
    for (int32_t t = 0; t < s->n_boards; t++, r++) {
      if (st != TA_OK) {
        bench_row(NULL, r, s->models[m], s->boards[t], &bm, NULL, false);
        ++*failures;
        if (s->progress)
          s->progress(s->user, s->models[m], r, NULL);
      } else {
        ta_bench_run run; /* its per-layer ticks and outputs live in mctx: only figures kept */
        ta_status rs = ta_device_bench_run(&bm, s->boards[t], NULL, s->timeout_s, &run);
        bench_row(ctx, r, s->models[m], s->boards[t], &bm, &run, rs == TA_OK);
        *failures += !r->ok;
        if (s->progress)
          s->progress(s->user, s->models[m], r, rs == TA_OK ? run.check : NULL);
      }
      if (!s->compare)
        continue;
      ta_bench_row c;
      if (cst != TA_OK) {
        ++*failures;
        continue;
      }
      ta_bench_run run;
      ta_status rs = ta_device_bench_run(&cm, s->boards[t], NULL, s->timeout_s, &run);
      bench_row(NULL, &c, s->models[m], s->boards[t], &cm, &run, rs == TA_OK);
      r->cmp_ok = c.ok;
      if (c.ok)
        bench_cmp_layers(ctx, r, &bm, &cm, &run);
      r->cmp_instructions = c.instructions;
      r->cmp_sizes = c.sizes;
      *failures += !c.ok;
      if (s->progress)
        s->progress(s->user, clabel, &c, rs == TA_OK ? run.check : NULL);
    }
    if (bm.dir)
      ta_remove_tree(bm.dir);
    if (cm.dir)
      ta_remove_tree(cm.dir);
    ta_ctx_free(&mctx);
    if (log.f) {
      fclose(log.f);
      if (*failures == failures_before)
        remove(log_path);
      else
        for (ta_bench_row *q = first_row; q < r; q++)
          q->log = log_path;
    }
  }
  return TA_OK;
}

ta_status ta_device_run_files(ta_model *m, const ta_fileset *fs, const char *name,
                              const ta_board *b, const char *const *inputs, int32_t n_inputs,
                              const char *out_dir, const char *device, int32_t timeout_s,
                              bool keep) {
  ta_ctx *ctx = m->g->ctx;
  uint8_t *data[TA_SESSION_MAX_IO];
  if (m->g->n_inputs > TA_SESSION_MAX_IO)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "at most %d inputs on a device", TA_SESSION_MAX_IO);
  ta_status st = ta_device_read_inputs(m->g, inputs, n_inputs, data);
  if (st != TA_OK)
    return st;
  char *dir;
  st = ta_make_temp_dir(ctx, "fw", &dir);
  if (st != TA_OK)
    return st;
  ta_firmware fw;
  st = ta_fw_build(m->g, fs, name, b, dir, &fw);
  ta_device_result r;
  if (st == TA_OK) {
    ta_device_options o = {device, false, 1, timeout_s, NULL};
    st = ta_device_run(m->g, &fw, (const void *const *)data, &o, &r);
  }
  if (st == TA_OK && mkdir(out_dir, 0777) != 0 && errno != EEXIST)
    st =
        ta_err(ctx, TA_ERR_IO, "cannot create output directory '%s': %s", out_dir, strerror(errno));
  for (int32_t k = 0; k < m->g->n_outputs && st == TA_OK; k++) {
    char *p = ta_fmt(ctx, "%s/output_%d.bin", out_dir, k);
    st = p ? ta_write_file(ctx, p, r.outputs[k], r.output_bytes[k]) : TA_ERR_LIMIT;
  }
  if (keep)
    ta_report(ctx, TA_NOTE, "firmware build kept in %s", dir);
  else
    ta_remove_tree(dir);
  return st;
}

ta_status ta_device_stream_open(ta_graph *g, const ta_fileset *fs, const char *name,
                                const ta_board *b, const ta_device_options *opt, bool keep,
                                ta_device_stream *s) {
  memset(s, 0, sizeof *s);
  s->keep = keep;
  s->ctx = g->ctx;
  ta_status st = ta_make_temp_dir(g->ctx, "eval", &s->dir);
  if (st != TA_OK)
    return st;
  st = ta_fw_build(g, fs, name, b, s->dir, &s->fw);
  ta_device_options dopt = {opt ? opt->device : NULL, false, 1, opt ? opt->run_timeout_s : 0, NULL};
  if (st == TA_OK)
    st = ta_device_open(g, &s->fw, &dopt, &s->link);
  if (st != TA_OK) {
    if (keep)
      ta_report(g->ctx, TA_NOTE, "firmware build kept in %s", s->dir);
    else
      ta_remove_tree(s->dir);
    s->dir = NULL;
  }
  return st;
}

ta_status ta_device_stream_close(ta_device_stream *s, ta_status st, ta_fw_memstats *mem) {
  if (mem) {
    memset(mem, 0, sizeof *mem);
    if (st == TA_OK)
      st = ta_session_memstats(s->link.s, mem);
  }
  ta_device_close(&s->link, st != TA_OK);
  if (s->dir && s->keep)
    ta_report(s->ctx, TA_NOTE, "firmware build kept in %s", s->dir);
  else if (s->dir)
    ta_remove_tree(s->dir);
  s->dir = NULL;
  return st;
}

ta_status ta_device_run_records_host(ta_model *m, const uint8_t *inputs, size_t in_bytes, int64_t n,
                                     uint8_t *out, ta_device_record_fn each, void *user) {
  ta_status st = TA_OK;
  for (int64_t k = 0; k < n && st == TA_OK; k++) {
    const void *ins[1] = {inputs + (size_t)k * in_bytes};
    void *outs[1] = {out};
    st = ta_graph_eval_shared(m->g, m->calls, m->plan.root, ins, outs);
    if (st == TA_OK)
      st = each(user, k, out, 0);
  }
  return st;
}

static void say(const ta_device_eval *e, const char *line) {
  if (e->say)
    e->say(e->user, line);
}

ta_status ta_device_eval_records(ta_ctx *ctx, const ta_device_eval *e, ta_fw_sizes *sizes,
                                 ta_fw_memstats *mem) {
  const ta_board *b = e->board;
  ta_status st;
  if (!b) {
    say(e, ta_fmt(ctx, "evaluating %lld records in process on the host:", (long long)e->n));
    say(e, NULL);
    return ta_device_run_records_host(e->m, e->data, e->in_bytes, e->n, e->out, e->each, e->user);
  }
  ta_fileset fs;
  const ta_cgen_options copt = {e->name, e->model_path};
  if ((st = ta_cgen_emit(e->m->g, e->m->calls, &e->m->plan, &copt, &fs)) != TA_OK)
    return st;
  say(e, ta_fmt(ctx, "building the firmware for %s (%s, %s)...", b->target, b->machine, b->core));
  ta_device_stream ds;
  if ((st = ta_device_stream_open(e->m->g, &fs, e->name, b, &e->dopt, e->keep, &ds)) != TA_OK)
    return st;
  if (e->dopt.device)
    say(e, ta_fmt(ctx, "streaming %lld records through the device session (%s):", (long long)e->n,
                  e->dopt.device));
  else
    say(e, ta_fmt(ctx,
                  "streaming %lld records through the device session (QEMU %s, -icount "
                  "shift=0):",
                  (long long)e->n, b->machine));
  /* The per-layer figures: one profiled run first, so the records' runs are the last ones
   * the stack statistics see, as without it. */
  if (e->layer_insns)
    st = ta_device_profile_record(ctx, &ds.link, b, e->m->g->n_ops, e->data, e->in_bytes,
                                  e->layer_insns);
  say(e, NULL);
  if (st == TA_OK)
    st = ta_device_run_records(ctx, &ds.link, b, e->data, e->in_bytes, e->n, e->out, e->out_bytes,
                               e->each, e->user);
  st = ta_device_stream_close(&ds, st, mem);
  *sizes = ds.fw.sizes;
  return st;
}

/* The tuned board's outputs against the untuned host build's (the bench's tolerance: float32
 * within 1e-5 relative, integers bit for bit), into t->match and t->check. */
static void compare_tuned(ta_ctx *ctx, const ta_bench_model *untuned, const ta_bench_run *tuned,
                          ta_bench_tuned *t) {
  const ta_graph *g = untuned->m.g;
  const ta_device_tol tol = {0, 1e-5, true, false, false};
  t->match = true;
  t->check = "yes (identical bytes)";
  for (int32_t k = 0; k < g->n_outputs && t->match; k++) {
    const ta_tensor *out = &g->tensors[g->outputs[k]];
    ta_device_cmp c;
    if (!tuned->dev.outputs[k] || tuned->dev.output_bytes[k] != untuned->host_bytes[k]) {
      t->match = false;
      t->check = ta_fmt(ctx, "NO: output %d has %zu bytes, the untuned %zu", k,
                        tuned->dev.output_bytes[k], untuned->host_bytes[k]);
    } else if (!ta_device_compare(out->dtype, untuned->host_out[k], tuned->dev.outputs[k],
                                  untuned->host_bytes[k], &tol, &c)) {
      t->match = false;
      t->check = ta_fmt(ctx, "NO: output %d differs at element %zu", k,
                        out->dtype == TA_DT_F32 ? c.bad_elem : c.bad_byte);
    } else if (out->dtype == TA_DT_F32) {
      t->check = "yes (float32 within 1e-5 relative; integers identical bytes)";
    }
  }
}

ta_status ta_device_bench_tuned(ta_ctx *ctx, const char *path, const char *name,
                                const char *const *input_files, int32_t n_inputs,
                                const ta_compile_options *copt, const ta_board *b,
                                const char *device, int32_t timeout_s, ta_bench_model bm[2],
                                ta_bench_run r[2], ta_bench_tuned *t) {
  ta_compile_options plain = *copt;
  plain.tuning_log = NULL;
  plain.tuning_target = NULL;
  ta_status st = ta_device_bench_prepare(ctx, path, name, input_files, n_inputs, copt, &bm[1]);
  if (st == TA_OK)
    st = ta_device_bench_prepare(ctx, path, name, input_files, n_inputs, &plain, &bm[0]);
  for (int k = 0; k < 2 && st == TA_OK; k++)
    st = ta_device_bench_run(&bm[k], b, device, timeout_s, &r[k]);
  if (st != TA_OK)
    return st;
  *t = (ta_bench_tuned){.untuned = &bm[0],
                        .tuned = &bm[1],
                        .untuned_run = &r[0],
                        .tuned_run = &r[1],
                        .device = device,
                        .log = copt->tuning_log,
                        .target = copt->tuning_target ? copt->tuning_target : b->target};
  for (int32_t i = 0; i < bm[1].m.g->n_ops; i++) {
    ta_sched_why why;
    if (ta_sched_variant(&bm[1].m.calls[i], &why))
      t->n_scheduled++;
    t->n_from_log += why == TA_SCHED_LOG;
  }
  compare_tuned(ctx, &bm[0], &r[1], t);
  return TA_OK;
}
