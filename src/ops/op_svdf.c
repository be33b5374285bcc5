/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_svdf.c: SVDF (TFLite), the singular value decomposition filter of keyword spotters: a
 * feature projection of each input frame, kept for the last n_memory frames in a recurrent
 * state, then a time filter over that memory (defs/recurrent.def states the step).
 * in: input [B,I], weights_feature [F,I], weights_time [F,M], bias [F/rank] or -1, state
 * [B,F*M], a TA_TENSOR_STATE tensor that the kernel reads and writes back (the call lists it
 * as a second output); out: [B,F/rank].
 *
 * Types: float32 throughout; or TFLM's integer SVDF: int8 input, weights_feature and output,
 * int32 bias, and weights_time and state both int16 (or both int8). The integer prepare is
 * TFLM's: its two effective scales are computed in float (input * feature / state, state *
 * time / output) and only then widened to double, which decides the last bit of the
 * multipliers. TFLM's integer kernel applies no fused activation (only the int8 range); the
 * float kernel applies it.
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

enum { X, WF, WT, BIAS, STATE };

static bool is_2d(const ta_tensor *t) {
  return t->shape_known && t->rank == 2 && ta_dims_ok(2, t->dims);
}

static ta_status svdf_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 5 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 5 inputs (input, weights_feature, "
                     "weights_time, bias or -1, state) and 1 output",
                     op->n_in, op->n_out);
  ta_tensor *x = ta_op_input(g, op, X), *wf = ta_op_input(g, op, WF);
  ta_tensor *wt = ta_op_input(g, op, WT), *b = ta_op_input(g, op, BIAS);
  ta_tensor *s = ta_op_input(g, op, STATE), *y = ta_op_output(g, op, 0);
  if (!x || !wf || !wt || !s || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing",
                     !x    ? "input"
                     : !wf ? "weights_feature"
                     : !wt ? "weights_time"
                     : !s  ? "state"
                           : "output");
  ta_status st = TA_OK;
  char sb[64];
  const ta_tensor *shaped[] = {x, wf, wt, s};
  const char *names[] = {"input", "weights_feature", "weights_time", "state"};
  for (int i = 0; i < 4; i++)
    if (!is_2d(shaped[i]))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "%s \"%s\" has shape %s; expected 2-D",
                                   names[i], shaped[i]->name,
                                   shaped[i]->shape_known ? ta_shape_str(shaped[i], sb, sizeof sb)
                                                          : "(unknown)"));
  if (!(s->flags & TA_TENSOR_STATE) || ta_tensor_is_const(s))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "state \"%s\" is not a variable tensor (TFLite's is_variable): "
                                 "SVDF keeps its memory there between runs",
                                 s->name));
  if (!ta_tensor_is_const(wf) || !ta_tensor_is_const(wt) || (b && !ta_tensor_is_const(b)))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "weights_feature, weights_time and bias must be constant"));
  if (op->a.rank < 1)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "rank is %d; expected >= 1", (int)op->a.rank));
  if ((unsigned)op->a.act > TA_ACT_RELU6)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "fused activation %d is not supported",
                                 (int)op->a.act));
  if (st != TA_OK)
    return st;

  const int32_t batches = x->dims[0], in_size = x->dims[1], nf = wf->dims[0], nm = wt->dims[1];
  if (wf->dims[1] != in_size)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "weights_feature has %d columns; expected the input's %d",
                                 wf->dims[1], in_size));
  if (wt->dims[0] != nf)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "weights_time has %d rows; expected %d (one per filter)",
                                 wt->dims[0], nf));
  if (nf % op->a.rank != 0)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "%d filters are not a multiple of rank %d", nf, (int)op->a.rank));
  if (s->dims[0] != batches || (int64_t)s->dims[1] != (int64_t)nf * nm)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "state \"%s\" has shape %s; expected [%d,%lld] (batches, "
                            "filters * memory)",
                            s->name, ta_shape_str(s, sb, sizeof sb), batches, (long long)nf * nm));
  size_t b_elems;
  if (b && (!ta_tensor_elems(b, &b_elems) || b_elems != (size_t)(nf / op->a.rank)))
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "bias \"%s\" has %s elements; expected %d (one per unit)", b->name,
                            b->shape_known ? "another number of" : "unknown", nf / op->a.rank));
  if (st != TA_OK)
    return st;

  if (x->dtype == TA_DT_F32) {
    if (wf->dtype != TA_DT_F32 || wt->dtype != TA_DT_F32 || s->dtype != TA_DT_F32 ||
        y->dtype != TA_DT_F32 || (b && b->dtype != TA_DT_F32))
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "float32 input with other types (weights_feature %s, weights_time %s, "
                       "state %s, output %s): only float32 throughout, or TFLM's integer SVDF, "
                       "is supported (not the hybrid kernel)",
                       ta_dtype_name(wf->dtype), ta_dtype_name(wt->dtype), ta_dtype_name(s->dtype),
                       ta_dtype_name(y->dtype));
    return TA_OK;
  }
  if (x->dtype != TA_DT_I8 || wf->dtype != TA_DT_I8 || y->dtype != TA_DT_I8 ||
      (wt->dtype != TA_DT_I16 && wt->dtype != TA_DT_I8) || s->dtype != wt->dtype ||
      (b && b->dtype != TA_DT_I32))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "types input %s, weights_feature %s, weights_time %s, state %s, output %s; "
                     "expected float32 throughout, or int8 input, weights_feature and output "
                     "with int16 (or int8) weights_time and state and int32 bias",
                     ta_dtype_name(x->dtype), ta_dtype_name(wf->dtype), ta_dtype_name(wt->dtype),
                     ta_dtype_name(s->dtype), ta_dtype_name(y->dtype));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, wf, "weights_feature"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, wt, "weights_time"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, s, "state"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  return st;
}

static ta_status svdf_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, X), *wf = ta_op_input(g, op, WF);
  const int32_t dims[2] = {x->dims[0], wf->dims[0] / op->a.rank};
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), 2, dims);
}

static ta_status svdf_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, X), *wf = ta_op_input(g, op, WF);
  const ta_tensor *wt = ta_op_input(g, op, WT), *s = ta_op_input(g, op, STATE);
  const ta_tensor *y = ta_op_output(g, op, 0);
  const bool quantized = x->dtype != TA_DT_F32;
  ta_status st = ta_call_init(g, op, call, quantized ? TA_K_svdf_s8 : TA_K_svdf_f32);
  if (st != TA_OK)
    return st;
  /* The state is written back: a second output, the same tensor as input 4. */
  int32_t *outs = ta_new_array(g->ctx, 2, sizeof(int32_t));
  if (!outs)
    return TA_ERR_LIMIT;
  outs[0] = op->out[0];
  outs[1] = op->in[STATE];
  call->out = outs;
  call->n_out = 2;
  tart_svdf_params *p = call->params;
  p->batches = x->dims[0];
  p->in_size = x->dims[1];
  p->n_filters = wf->dims[0];
  p->rank = op->a.rank;
  p->n_units = p->n_filters / p->rank;
  p->n_memory = wt->dims[1];
  if (!quantized) {
    ta_act_range_f32(op->a.act, &p->clamp.min_f32, &p->clamp.max_f32);
    return TA_OK;
  }
  p->in_neg_zp = -(int32_t)x->q.zero_point[0];
  p->state_zp = (int32_t)s->q.zero_point[0];
  p->state_bits = s->dtype == TA_DT_I16 ? 16 : 8;
  p->rq.out_zp = (int32_t)y->q.zero_point[0];
  p->clamp.min = INT8_MIN;
  p->clamp.max = INT8_MAX;
  /* TFLM multiplies and divides the float scales in float, then widens to double. */
  const float scale_1 = x->q.scale[0] * wf->q.scale[0] / s->q.scale[0];
  const float scale_2 = s->q.scale[0] * wt->q.scale[0] / y->q.scale[0];
  int32_t *mult = ta_new_array(g->ctx, 1, sizeof(int32_t));
  int32_t *shift = ta_new_array(g->ctx, 1, sizeof(int32_t));
  if (!mult || !shift)
    return TA_ERR_LIMIT;
  st = ta_requant_multiplier(g, op, (double)scale_1, x->q.scale[0] * wf->q.scale[0], s->q.scale[0],
                             &p->feature_mult, &p->feature_shift_left);
  if (st == TA_OK)
    st = ta_requant_multiplier(g, op, (double)scale_2, s->q.scale[0] * wt->q.scale[0],
                               y->q.scale[0], mult, shift);
  p->rq.n_mult = 1;
  p->rq.mult = mult;
  p->rq.shift_left = shift;
  return st;
}

static uint64_t svdf_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, X), *wf = ta_op_input(g, op, WF);
  const ta_tensor *wt = ta_op_input(g, op, WT);
  if (!x || !wf || !wt || !is_2d(x) || !is_2d(wf) || !is_2d(wt))
    return 0;
  /* The feature projection and the time filter, per batch. */
  return (uint64_t)x->dims[0] * ((uint64_t)wf->dims[0] * (uint64_t)wf->dims[1] +
                                 (uint64_t)wt->dims[0] * (uint64_t)wt->dims[1]);
}

const ta_op_def ta_op_def_SVDF = {
    .check = svdf_check,
    .infer = svdf_infer,
    .prepare = svdf_prepare,
    .macs = svdf_macs,
};
