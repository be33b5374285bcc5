/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize.c: the quantize stage as one straight line: evaluate the float graph over the
 * calibration set (min and max of every float activation), again for histograms when the
 * method needs them, choose each range (observe.c), rewrite into the int8 graph (rewrite.c),
 * optionally correct the biases of the weighted ops for the mean error their int8 outputs
 * show, and run both graphs once more for the report.
 *
 * Evaluation uses the runtime kernels in process (ta_call_eval), one buffer per tensor kept
 * for the whole set, so that every activation, not only the graph's outputs, can be read
 * after each record.
 */
#include "ta_quantize_int.h"

#include <math.h>
#include <string.h>

/* ---- in-process evaluation keeping every tensor -------------------------------------------- */

typedef struct evaluator {
  ta_graph *g;
  ta_kernel_call *calls;
  void **bufs;
  void *scratch;
} evaluator;

static ta_status ev_init(evaluator *e, ta_graph *g) {
  memset(e, 0, sizeof *e);
  e->g = g;
  const size_t n_ops = (size_t)(g->n_ops ? g->n_ops : 1);
  e->calls = ta_new_array(g->ctx, n_ops, sizeof *e->calls);
  e->bufs = ta_new_array(g->ctx, (size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *e->bufs);
  if (!e->calls || !e->bufs)
    return TA_ERR_LIMIT;
  ta_status st = ta_graph_prepare(g, e->calls);
  if (st != TA_OK)
    return st;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const ta_tensor *tt = &g->tensors[t];
    size_t bytes;
    if (ta_tensor_is_const(tt)) {
      e->bufs[t] = (void *)(uintptr_t)tt->data;
    } else if (ta_tensor_bytes(tt, &bytes)) {
      e->bufs[t] = ta_new(g->ctx, bytes ? bytes : 1);
      if (!e->bufs[t])
        return TA_ERR_LIMIT;
    }
  }
  size_t scratch = 0;
  for (int32_t i = 0; i < g->n_ops; i++)
    if (e->calls[i].scratch_bytes > scratch)
      scratch = e->calls[i].scratch_bytes;
  e->scratch = scratch ? ta_new(g->ctx, scratch) : NULL;
  return scratch && !e->scratch ? TA_ERR_LIMIT : TA_OK;
}

/* int8 of x as TFLite's AffineQuantize rounds it (half away from zero). */
static int8_t quantize_value(float x, float scale, int32_t zp) {
  const double r = round((double)(x / scale)) + zp;
  return (int8_t)(r > 127 ? 127 : r < -128 ? -128 : r);
}

/* Record r of the calibration set through the graph. */
static ta_status ev_run(evaluator *e, const ta_calib_set *cal, int64_t r) {
  ta_graph *g = e->g;
  for (int32_t i = 0; i < g->n_inputs; i++) {
    const ta_tensor *t = &g->tensors[g->inputs[i]];
    const float *src = cal->data[i] + (size_t)r * cal->elems[i];
    if (t->dtype == TA_DT_I8) {
      int8_t *dst = e->bufs[g->inputs[i]];
      for (size_t k = 0; k < cal->elems[i]; k++)
        dst[k] = quantize_value(src[k], t->q.scale[0], (int32_t)t->q.zero_point[0]);
    } else {
      memcpy(e->bufs[g->inputs[i]], src, cal->elems[i] * sizeof *src);
    }
  }
  for (int32_t i = 0; i < g->n_ops; i++) {
    ta_status st = ta_call_eval(g, &g->ops[i], &e->calls[i], e->bufs, e->scratch);
    if (st != TA_OK)
      return st;
  }
  return TA_OK;
}

/* Element k of tensor t (float, or int8 dequantized) after a run. */
static double ev_value(const evaluator *e, int32_t t, size_t k) {
  const ta_tensor *tt = &e->g->tensors[t];
  if (tt->dtype == TA_DT_I8)
    return ((double)((const int8_t *)e->bufs[t])[k] - (double)tt->q.zero_point[0]) *
           (double)tt->q.scale[0];
  return (double)((const float *)e->bufs[t])[k];
}

static void progress(const ta_quant_options *opt, const char *phase, int64_t done, int64_t total) {
  if (opt->progress)
    opt->progress(opt->progress_user, phase, done, total);
}

/* ---- comparison of two tensors over the set ---------------------------------------------- */

typedef struct cmp {
  double ff, ee, fq, qq, max_abs, sum_abs;
  double n;
} cmp;

static void cmp_add(cmp *c, const evaluator *fe, int32_t ft, const evaluator *qe, int32_t qt,
                    size_t elems) {
  for (size_t k = 0; k < elems; k++) {
    const double f = ev_value(fe, ft, k), q = ev_value(qe, qt, k), e = q - f;
    c->ff += f * f;
    c->ee += e * e;
    c->fq += f * q;
    c->qq += q * q;
    c->sum_abs += fabs(e);
    if (fabs(e) > c->max_abs)
      c->max_abs = fabs(e);
  }
  c->n += (double)elems;
}

static double cmp_sqnr(const cmp *c) {
  if (c->ee == 0)
    return INFINITY;
  return 10.0 * log10(c->ff / c->ee);
}

static double cmp_cosine(const cmp *c) {
  if (c->ff == 0 || c->qq == 0)
    return c->ff == c->qq ? 1.0 : 0.0;
  return c->fq / sqrt(c->ff * c->qq);
}

static int32_t argmax(const evaluator *e, int32_t t) {
  size_t n = 0;
  ta_tensor_elems(&e->g->tensors[t], &n);
  int32_t best = 0;
  for (size_t k = 1; k < n; k++)
    if (ev_value(e, t, k) > ev_value(e, t, (size_t)best))
      best = (int32_t)k;
  return best;
}

/* ---- the stage ----------------------------------------------------------------------------- */

/* An int8 op the rewrite kept: its fg output and its qg op and output. */
typedef struct kept_op {
  int32_t ft, qop, qt;
} kept_op;

static bool observed(const ta_tensor *t) {
  return t->dtype == TA_DT_F32 && !ta_tensor_is_const(t) && t->shape_known;
}

/* Min and max of every float activation over the set, then (unless minmax) histograms, then
 * each tensor's range into w->lo/hi and its method's name into method[]. */
static ta_status calibrate(evaluator *fe, const ta_calib_set *cal, const ta_quant_options *opt,
                           ta_rw *w, const char **method) {
  ta_graph *g = fe->g;
  for (int32_t t = 0; t < g->n_tensors; t++)
    w->lo[t] = INFINITY, w->hi[t] = -INFINITY;
  for (int64_t r = 0; r < cal->n_records; r++) {
    progress(opt, "calibrate", r, cal->n_records);
    ta_status st = ev_run(fe, cal, r);
    if (st != TA_OK)
      return st;
    for (int32_t t = 0; t < g->n_tensors; t++) {
      size_t n;
      if (!observed(&g->tensors[t]) || !fe->bufs[t] || !ta_tensor_elems(&g->tensors[t], &n))
        continue;
      const float *x = fe->bufs[t];
      for (size_t k = 0; k < n; k++) {
        if (!isfinite(x[k]))
          continue;
        if ((double)x[k] < w->lo[t])
          w->lo[t] = (double)x[k];
        if ((double)x[k] > w->hi[t])
          w->hi[t] = (double)x[k];
      }
    }
  }
  progress(opt, "calibrate", cal->n_records, cal->n_records);
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (!(w->lo[t] <= w->hi[t]))
      w->lo[t] = w->hi[t] = 0;
    method[t] = ta_calib_method_name(TA_CALIB_MINMAX);
  }
  if (opt->method == TA_CALIB_MINMAX)
    return TA_OK;
  ta_hist **h = ta_new_array(g->ctx, (size_t)g->n_tensors, sizeof *h);
  if (!h)
    return TA_ERR_LIMIT;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (!observed(&g->tensors[t]) || !fe->bufs[t])
      continue;
    if (!(h[t] = ta_new(g->ctx, sizeof *h[t])))
      return TA_ERR_LIMIT;
    ta_hist_init(h[t], w->lo[t], w->hi[t]);
  }
  for (int64_t r = 0; r < cal->n_records; r++) {
    progress(opt, "histogram", r, cal->n_records);
    ta_status st = ev_run(fe, cal, r);
    if (st != TA_OK)
      return st;
    for (int32_t t = 0; t < g->n_tensors; t++) {
      size_t n;
      if (h[t] && ta_tensor_elems(&g->tensors[t], &n))
        ta_hist_add(h[t], fe->bufs[t], n);
    }
  }
  progress(opt, "histogram", cal->n_records, cal->n_records);
  for (int32_t t = 0; t < g->n_tensors; t++) {
    if (!h[t])
      continue;
    ta_calib_method chosen;
    ta_hist_range(h[t], opt->method, opt->percentile, &w->lo[t], &w->hi[t], &chosen);
    method[t] = ta_calib_method_name(chosen);
  }
  return TA_OK;
}

/* Bias correction: per output channel of each weighted int8 op, the mean of (int8 output
 * dequantized - float output) over the set, taken where the int8 output is not saturated
 * (there the clamp, not the weights, decides), is subtracted from its int32 bias. */
static ta_status correct_bias(evaluator *fe, ta_graph *qg, const kept_op *kept, int32_t n_kept,
                              const ta_calib_set *cal, const ta_quant_options *opt) {
  ta_ctx *ctx = qg->ctx;
  evaluator qe;
  ta_status st = ev_init(&qe, qg);
  if (st != TA_OK)
    return st;
  double **sum = ta_new_array(ctx, (size_t)(n_kept ? n_kept : 1), sizeof *sum);
  double **cnt = ta_new_array(ctx, (size_t)(n_kept ? n_kept : 1), sizeof *cnt);
  if (!sum || !cnt)
    return TA_ERR_LIMIT;
  for (int32_t j = 0; j < n_kept; j++) {
    const ta_op *op = &qg->ops[kept[j].qop];
    if (!ta_op_has_flag(op->kind, TA_OPF_WEIGHTED) || op->n_in < 3 || op->in[2] < 0)
      continue;
    const ta_tensor *y = &qg->tensors[kept[j].qt];
    const size_t co = (size_t)y->dims[y->rank - 1];
    sum[j] = ta_new_array(ctx, co, sizeof(double));
    cnt[j] = ta_new_array(ctx, co, sizeof(double));
    if (!sum[j] || !cnt[j])
      return TA_ERR_LIMIT;
  }
  for (int64_t r = 0; r < cal->n_records; r++) {
    progress(opt, "bias", r, cal->n_records);
    if ((st = ev_run(fe, cal, r)) != TA_OK || (st = ev_run(&qe, cal, r)) != TA_OK)
      return st;
    for (int32_t j = 0; j < n_kept; j++) {
      if (!sum[j])
        continue;
      const ta_tensor *y = &qg->tensors[kept[j].qt];
      const size_t co = (size_t)y->dims[y->rank - 1];
      size_t n = 0;
      ta_tensor_elems(y, &n);
      const int8_t *q = qe.bufs[kept[j].qt];
      for (size_t k = 0; k < n; k++) {
        if (q[k] == -128 || q[k] == 127)
          continue;
        sum[j][k % co] += ev_value(&qe, kept[j].qt, k) - ev_value(fe, kept[j].ft, k);
        cnt[j][k % co] += 1;
      }
    }
  }
  progress(opt, "bias", cal->n_records, cal->n_records);
  for (int32_t j = 0; j < n_kept; j++) {
    if (!sum[j])
      continue;
    const ta_op *op = &qg->ops[kept[j].qop];
    ta_tensor *b = &qg->tensors[op->in[2]];
    int32_t *bias = (int32_t *)(uintptr_t)b->data; /* made by the rewrite, in the arena */
    for (int32_t c = 0; c < b->q.count; c++) {
      if (cnt[j][c] == 0)
        continue;
      const double step = (double)b->q.scale[c];
      const double adj = round(sum[j][c] / cnt[j][c] / step);
      const double nb = (double)bias[c] - adj;
      if (fabs(nb) < 2147483647.0)
        bias[c] = (int32_t)nb;
    }
  }
  return TA_OK;
}

static ta_status make_report(evaluator *fe, ta_graph *qg, const ta_rw *w, const kept_op *kept,
                             int32_t n_kept, const ta_calib_set *cal, const uint8_t *labels,
                             const ta_quant_options *opt, ta_quant_report *rep) {
  ta_ctx *ctx = qg->ctx;
  evaluator qe;
  ta_status st = ev_init(&qe, qg);
  if (st != TA_OK)
    return st;
  ta_graph *fg = fe->g;
  cmp *lc = ta_new_array(ctx, (size_t)(n_kept ? n_kept : 1), sizeof *lc);
  cmp *oc = ta_new_array(ctx, (size_t)fg->n_outputs, sizeof *oc);
  if (!lc || !oc)
    return TA_ERR_LIMIT;
  int64_t right_f = 0, right_q = 0, agree = 0;
  for (int64_t r = 0; r < cal->n_records; r++) {
    progress(opt, "report", r, cal->n_records);
    if ((st = ev_run(fe, cal, r)) != TA_OK || (st = ev_run(&qe, cal, r)) != TA_OK)
      return st;
    for (int32_t j = 0; j < n_kept; j++) {
      size_t n = 0;
      ta_tensor_elems(&qg->tensors[kept[j].qt], &n);
      cmp_add(&lc[j], fe, kept[j].ft, &qe, kept[j].qt, n);
    }
    for (int32_t k = 0; k < fg->n_outputs; k++) {
      size_t n = 0;
      ta_tensor_elems(&fg->tensors[fg->outputs[k]], &n);
      cmp_add(&oc[k], fe, fg->outputs[k], &qe, qg->outputs[k], n);
    }
    if (labels) {
      const int32_t pf = argmax(fe, fg->outputs[0]), pq = argmax(&qe, qg->outputs[0]);
      right_f += pf == labels[r];
      right_q += pq == labels[r];
      agree += pf == pq;
    }
  }
  progress(opt, "report", cal->n_records, cal->n_records);
  for (int32_t j = 0; j < n_kept; j++) {
    ta_quant_layer *l = &rep->layers[j];
    l->sqnr_db = cmp_sqnr(&lc[j]);
    l->cosine = cmp_cosine(&lc[j]);
  }
  rep->outputs = ta_new_array(ctx, (size_t)fg->n_outputs, sizeof *rep->outputs);
  if (!rep->outputs)
    return TA_ERR_LIMIT;
  rep->n_outputs = fg->n_outputs;
  for (int32_t k = 0; k < fg->n_outputs; k++) {
    ta_quant_output *o = &rep->outputs[k];
    o->name = fg->tensors[fg->outputs[k]].name;
    o->sqnr_db = cmp_sqnr(&oc[k]);
    o->cosine = cmp_cosine(&oc[k]);
    o->max_abs_err = oc[k].max_abs;
    o->mean_abs_err = oc[k].n > 0 ? oc[k].sum_abs / oc[k].n : 0;
  }
  if (labels) {
    const double n = (double)cal->n_records;
    rep->has_labels = true;
    rep->n_labels = cal->n_records;
    rep->acc_float = (double)right_f / n;
    rep->acc_int8 = (double)right_q / n;
    rep->agreement = (double)agree / n;
  }
  (void)w;
  return TA_OK;
}

/* A float model: float32 inputs and float activations to quantize. */
static ta_status float_model_check(ta_graph *fg) {
  for (int32_t i = 0; i < fg->n_inputs; i++) {
    const ta_tensor *t = &fg->tensors[fg->inputs[i]];
    if (t->dtype != TA_DT_F32)
      return ta_tensor_err(fg, fg->inputs[i], TA_ERR_UNSUPPORTED,
                           "graph input is %s; post-training quantization takes float32 models",
                           ta_dtype_name(t->dtype));
  }
  int32_t n_float = 0;
  for (int32_t t = 0; t < fg->n_tensors; t++)
    n_float += observed(&fg->tensors[t]) && fg->tensors[t].producer >= 0;
  if (n_float == 0)
    return ta_err(fg->ctx, TA_ERR_UNSUPPORTED,
                  "the model has no float tensors to quantize (is it already quantized?)");
  return TA_OK;
}

static ta_status quantize(ta_graph *fg, const ta_calib_set *cal, const uint8_t *labels,
                          const ta_quant_options *opt, ta_graph **qg_out,
                          ta_quant_report **rep_out) {
  ta_ctx *ctx = fg->ctx;
  *qg_out = NULL;
  if (rep_out)
    *rep_out = NULL;
  ta_status st = float_model_check(fg);
  if (st != TA_OK)
    return st;
  if (cal->n_inputs != fg->n_inputs || cal->n_records < 1)
    return ta_err(ctx, TA_ERR_USAGE, "no calibration records for the model's %d input(s)",
                  fg->n_inputs);

  evaluator fe;
  st = ev_init(&fe, fg);
  if (st != TA_OK)
    return st;
  const size_t nt = (size_t)fg->n_tensors;
  ta_rw w = {.ctx = ctx, .fg = fg};
  w.f_of = ta_new_array(ctx, nt, sizeof *w.f_of);
  w.q_of = ta_new_array(ctx, nt, sizeof *w.q_of);
  w.c_of = ta_new_array(ctx, nt, sizeof *w.c_of);
  w.lo = ta_new_array(ctx, nt, sizeof *w.lo);
  w.hi = ta_new_array(ctx, nt, sizeof *w.hi);
  w.outq_how = ta_new_array(ctx, nt, sizeof *w.outq_how);
  const char **method = ta_new_array(ctx, nt, sizeof *method);
  kept_op *kept = ta_new_array(ctx, (size_t)(fg->n_ops ? fg->n_ops : 1), sizeof *kept);
  ta_quant_float_op *floats =
      ta_new_array(ctx, (size_t)(fg->n_ops ? fg->n_ops : 1), sizeof *floats);
  w.qg = ta_graph_new(ctx, fg->source);
  if (!w.f_of || !w.q_of || !w.c_of || !w.lo || !w.hi || !w.outq_how || !method || !kept ||
      !floats || !w.qg)
    return TA_ERR_LIMIT;
  for (size_t t = 0; t < nt; t++)
    w.f_of[t] = w.q_of[t] = w.c_of[t] = -1;
  if ((st = calibrate(&fe, cal, opt, &w, method)) != TA_OK)
    return st;

  /* Graph inputs: float (a QUANTIZE follows where int8 ops read them) or int8. */
  ta_graph *qg = w.qg;
  int32_t *ins = ta_new_array(ctx, (size_t)fg->n_inputs, sizeof *ins);
  int32_t *outs = ta_new_array(ctx, (size_t)fg->n_outputs, sizeof *outs);
  if (!ins || !outs)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < fg->n_inputs; i++) {
    const int32_t t = fg->inputs[i];
    const ta_tensor *ft = &fg->tensors[t];
    const int32_t q =
        ta_graph_add_tensor(qg, ft->name, opt->int8_io ? TA_DT_I8 : TA_DT_F32, ft->rank, ft->dims);
    if (q < 0)
      return TA_ERR_LIMIT;
    qg->tensors[q].flags |= TA_TENSOR_INPUT;
    if (opt->int8_io) {
      float s;
      int32_t zp;
      ta_quant_params(w.lo[t], w.hi[t], &s, &zp);
      ta_tensor *qt = &qg->tensors[q];
      qt->q.count = 1;
      qt->q.scale = ta_new(ctx, sizeof(float));
      qt->q.zero_point = ta_new(ctx, sizeof(int64_t));
      if (!qt->q.scale || !qt->q.zero_point)
        return TA_ERR_LIMIT;
      qt->q.scale[0] = s;
      qt->q.zero_point[0] = zp;
      w.q_of[t] = q;
    } else {
      w.f_of[t] = q;
    }
    ins[i] = q;
  }

  int32_t n_kept = 0, n_floats = 0, n_float_ops = 0;
  for (int32_t i = 0; i < fg->n_ops; i++) {
    bool is_kept;
    const char *why;
    if ((st = ta_rw_op(&w, i, &is_kept, &why)) != TA_OK)
      return st;
    const ta_op *op = &fg->ops[i];
    if (is_kept) {
      kept[n_kept++] = (kept_op){op->out[0], qg->n_ops - 1, w.q_of[op->out[0]]};
      continue;
    }
    n_float_ops++;
    if (why)
      floats[n_floats++] = (ta_quant_float_op){ta_op_kind_name(op->kind), op->name, why};
  }

  /* Graph outputs, under their own names: float (after a DEQUANTIZE) or int8. */
  for (int32_t k = 0; k < fg->n_outputs; k++) {
    const int32_t t = fg->outputs[k];
    const char *name = fg->tensors[t].name;
    int32_t o;
    if (opt->int8_io && fg->tensors[t].dtype == TA_DT_F32) {
      float s;
      int32_t zp;
      ta_rw_act_quant(&w, t, &s, &zp);
      o = ta_rw_int8(&w, t, s, zp, fg->n_ops);
    } else {
      o = ta_rw_float(&w, t, fg->n_ops);
    }
    if (o < 0)
      return ctx->oom ? TA_ERR_LIMIT : TA_ERR_INTERNAL;
    const int32_t other = o == w.q_of[t] ? w.f_of[t] : w.q_of[t];
    if (other >= 0 && strcmp(qg->tensors[other].name, name) == 0)
      qg->tensors[other].name = ta_fmt(ctx, "%s/%s", name, o == w.q_of[t] ? "float" : "int8");
    qg->tensors[o].name = name;
    qg->tensors[o].flags |= TA_TENSOR_OUTPUT;
    outs[k] = o;
  }
  if ((st = ta_graph_set_io(qg, ins, fg->n_inputs, outs, fg->n_outputs)) != TA_OK)
    return st;
  qg->reference_kernels = fg->reference_kernels;
  st = ta_graph_check(qg);
  if (st == TA_OK)
    st = ta_graph_check_ops(qg);
  if (st != TA_OK)
    return st;

  if (opt->bias_correction && (st = correct_bias(&fe, qg, kept, n_kept, cal, opt)) != TA_OK)
    return st;

  if (rep_out && opt->report) {
    ta_quant_report *rep = ta_new(ctx, sizeof *rep);
    if (!rep)
      return TA_ERR_LIMIT;
    rep->method = ta_calib_method_name(opt->method);
    rep->bias_correction = opt->bias_correction;
    rep->n_records = cal->n_records;
    rep->n_int8_ops = n_kept;
    rep->n_float_ops_total = n_float_ops;
    rep->float_ops = floats;
    rep->n_float_ops = n_floats;
    rep->layers = ta_new_array(ctx, (size_t)(n_kept ? n_kept : 1), sizeof *rep->layers);
    if (!rep->layers)
      return TA_ERR_LIMIT;
    rep->n_layers = n_kept;
    for (int32_t j = 0; j < n_kept; j++) {
      ta_quant_layer *l = &rep->layers[j];
      const ta_op *op = &qg->ops[kept[j].qop];
      const ta_tensor *y = &qg->tensors[kept[j].qt];
      l->op_kind = ta_op_kind_name(op->kind);
      l->op_name = op->name;
      l->tensor = fg->tensors[kept[j].ft].name;
      l->method = w.outq_how[kept[j].ft] ? w.outq_how[kept[j].ft] : method[kept[j].ft];
      l->scale = y->q.scale[0];
      l->zero_point = (int32_t)y->q.zero_point[0];
      l->lo = (float)(((double)-128 - (double)l->zero_point) * (double)l->scale);
      l->hi = (float)(((double)127 - (double)l->zero_point) * (double)l->scale);
    }
    if ((st = make_report(&fe, qg, &w, kept, n_kept, cal, labels, opt, rep)) != TA_OK)
      return st;
    *rep_out = rep;
  }
  *qg_out = qg;
  return TA_OK;
}

ta_status ta_quantize_graph(ta_graph *fg, const ta_calib_set *cal, const ta_quant_options *opt,
                            ta_graph **qg, ta_quant_report **rep) {
  return quantize(fg, cal, NULL, opt, qg, rep);
}

ta_status ta_quantize_run(ta_graph *fg, const ta_quant_options *opt, ta_graph **qg,
                          ta_quant_report **rep) {
  ta_ctx *ctx = fg->ctx;
  *qg = NULL;
  if (rep)
    *rep = NULL;
  ta_calib_set cal;
  ta_status st = float_model_check(fg);
  if (st == TA_OK)
    st = ta_calib_read(ctx, fg, opt->calib_paths, opt->n_calib_paths, &cal);
  if (st != TA_OK)
    return st;
  uint8_t *labels = NULL;
  if (opt->labels_path) {
    size_t len;
    const char *file = ctx->file;
    ctx->file = NULL;
    st = ta_read_file(ctx, opt->labels_path, &labels, &len);
    if (st == TA_OK && (int64_t)len != cal.n_records)
      st = ta_err(ctx, TA_ERR_USAGE,
                  "%s has %zu labels (one uint8 per record), but the calibration data holds "
                  "%lld records",
                  opt->labels_path, len, (long long)cal.n_records);
    ctx->file = file;
    if (st != TA_OK)
      return st;
  }
  return quantize(fg, &cal, labels, opt, qg, rep);
}
