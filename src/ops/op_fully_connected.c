/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_fully_connected.c: FULLY_CONNECTED. input [..., K] read as [batches, K] (any shape whose
 * element count is a multiple of K), weights [Co,K], optional bias [Co]. The output is
 * [batches, Co], or with keep_num_dims the input's shape with its last dim replaced by Co.
 * int8 follows the TFLite quantization spec (asymmetric activations, weights per tensor or
 * per output channel, int32 bias); per-tensor weights may carry a zero point, as TFLite's
 * reference kernel allows. float32 is the other supported type.
 *
 * Prepare is TFLM's prepare, run once at compile time: the requantization multiplier(s)
 * from (double)input_scale * weights_scale[c] / output_scale, the clamp range of the fused
 * activation; the kernels (runtime/src/fully_connected_{s8,f32}.c) only evaluate.
 */
#include "ta_conv_common.h"
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

/* int8 weights: one scale (any zero point in range: the per-tensor reference kernel subtracts
 * it), or one scale per output channel along axis 0 with zero point 0. */
static ta_status check_weight_quant(const ta_graph *g, const ta_op *op, const ta_tensor *w,
                                    int32_t channels) {
  const ta_quant *q = &w->q;
  if (q->count < 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "weights \"%s\" (int8) have no quantization parameters", w->name);
  if (q->count != 1 && q->count != channels)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "weights have %d scales, expected %d (one per output channel)", q->count,
                     channels);
  if (q->count > 1 && q->axis != 0)
    return ta_op_err(
        g, op, TA_ERR_MALFORMED,
        "weights \"%s\" are quantized along axis %d; expected axis 0 (output channels)", w->name,
        q->axis);
  for (int32_t i = 0; i < q->count; i++) {
    if (!(q->scale[i] > 0.0f) || !isfinite(q->scale[i]))
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "weights \"%s\" scale %d is %g; expected a finite value > 0", w->name, i,
                       (double)q->scale[i]);
    if (q->count > 1 && q->zero_point[i] != 0)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "weights \"%s\" have zero point %lld (channel %d); per-channel int8 weights "
                       "must be symmetric (zero point 0)",
                       w->name, (long long)q->zero_point[i], i);
    if (q->zero_point[i] < -128 || q->zero_point[i] > 127)
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "weights \"%s\" have zero point %lld outside int8 range", w->name,
                       (long long)q->zero_point[i]);
  }
  return TA_OK;
}

static ta_status fc_check(ta_graph *g, ta_op *op) {
  if ((op->n_in != 2 && op->n_in != 3) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 or 3 inputs (input, weights, "
                     "optional bias) and 1 output",
                     op->n_in, op->n_out);
  ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1), *b = ta_op_input(g, op, 2);
  ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !w || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing",
                     !x   ? "input"
                     : !w ? "weights"
                          : "output");
  char sb[64];
  ta_status st = ta_conv_check_dtypes(g, op, x, w, b, y, "weight tensor");
  if ((unsigned)op->a.act > TA_ACT_RELU6)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "fused activation %d is not supported",
                                 (int)op->a.act));
  if (!x->shape_known || x->rank < 1 || !ta_dims_ok(x->rank, x->dims))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "input \"%s\" has shape %s; expected [..., K]", x->name,
                                 x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (!w->shape_known || w->rank != 2 || !ta_dims_ok(w->rank, w->dims))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "weights \"%s\" have shape %s; expected [Co,K]", w->name,
                                 w->shape_known ? ta_shape_str(w, sb, sizeof sb) : "(unknown)"));
  if (st != TA_OK)
    return st;

  int32_t out_c = w->dims[0], k = w->dims[1];
  size_t x_elems = 0, b_elems;
  ta_tensor_elems(x, &x_elems);
  if (op->a.keep_dims && x->dims[x->rank - 1] != k)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "input \"%s\" has shape %s; with keep_num_dims its last dim must be "
                            "the weights' K = %d",
                            x->name, ta_shape_str(x, sb, sizeof sb), k));
  else if (x_elems % (size_t)k != 0)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "input \"%s\" has %zu elements, not a multiple of the weights' K = %d",
                            x->name, x_elems, k));
  if (b && (!ta_tensor_elems(b, &b_elems) || b_elems != (size_t)out_c))
    ta_keep_first(
        &st,
        ta_op_err(g, op, TA_ERR_MALFORMED,
                  "bias \"%s\" has shape %s; expected %d elements (one per output channel)",
                  b->name, b->shape_known ? ta_shape_str(b, sb, sizeof sb) : "(unknown)", out_c));
  if (x->dtype == TA_DT_I8 && w->dtype == TA_DT_I8 && y->dtype == TA_DT_I8) {
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
    ta_keep_first(&st, check_weight_quant(g, op, w, out_c));
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  }
  return st;
}

/* TFLite's FullyConnected Prepare: [batches, Co], or the input's shape ending in Co. */
static ta_status fc_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  int32_t dims[TA_MAX_RANK], rank;
  if (op->a.keep_dims) {
    rank = x->rank;
    memcpy(dims, x->dims, (size_t)rank * sizeof dims[0]);
    dims[rank - 1] = w->dims[0];
  } else {
    size_t x_elems = 0;
    ta_tensor_elems(x, &x_elems);
    rank = 2;
    dims[0] = (int32_t)(x_elems / (size_t)w->dims[1]);
    dims[1] = w->dims[0];
  }
  if (!ta_dims_ok(rank, dims))
    return ta_op_err(g, op, TA_ERR_LIMIT, "output has more than %d elements", INT32_MAX);
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), rank, dims);
}

static ta_status fc_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  bool quantized = x->dtype == TA_DT_I8;
  ta_status st =
      ta_call_init(g, op, call, quantized ? TA_K_fully_connected_s8 : TA_K_fully_connected_f32);
  if (st == TA_OK)
    st = ta_conv_bias_operand(g, call);
  if (st != TA_OK)
    return st;
  size_t x_elems = 0;
  ta_tensor_elems(x, &x_elems);
  tart_fc_params *p = call->params;
  p->accum_depth = w->dims[1];
  p->out_c = w->dims[0];
  p->batches = (int32_t)(x_elems / (size_t)p->accum_depth);
  if (!quantized) {
    ta_act_range_f32(op->a.act, &p->clamp.min_f32, &p->clamp.max_f32);
    return TA_OK;
  }
  int32_t y_zp = (int32_t)y->q.zero_point[0];
  p->in_neg_zp = -(int32_t)x->q.zero_point[0];
  p->filter_neg_zp = w->q.count == 1 ? -(int32_t)w->q.zero_point[0] : 0;
  p->rq.out_zp = y_zp;
  int32_t qmin, qmax;
  ta_dtype_qrange(y->dtype, &qmin, &qmax);
  ta_act_range_quant(op->a.act, y->q.scale[0], y_zp, qmin, qmax, &p->clamp.min, &p->clamp.max);
  return ta_conv_requant(g, op, x, w, y, &p->rq.n_mult, &p->rq.mult, &p->rq.shift_left);
}

/* The optimized kernel takes symmetric weights (no filter offset) only. */
static bool opt_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_fc_params *p = call->params;
  return ta_op_input(g, op, 0)->dtype == TA_DT_I8 && p->filter_neg_zp == 0;
}

/* Each output starts from bias + in_neg_zp * (sum of its weights), computed here once. */
static bool opt_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  tart_fc_params *p = call->params;
  int32_t *init =
      ta_acc_init(g, ta_op_input(g, op, 1), call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL,
                  p->out_c, p->accum_depth, p->accum_depth, 1, p->in_neg_zp);
  if (!init)
    return false;
  p->acc_init = init;
  p->n_acc_init = p->out_c;
  return true;
}

/* Knob "weights" of the packed variant: 8 (the default) or 16, the width of the re-laid-out
 * weights. Each weight of a one-row product is loaded once, so int16 saves little and doubles
 * the weights' flash: the default stays int8. */
static const int32_t weights_values[] = {8, 16};
static const ta_knob packed_knobs[] = {
    {.name = "weights",
     .values = weights_values,
     .n_values = (int32_t)TA_ARRAY_LEN(weights_values)},
};

/* The packed variant: acc_init as opt, the weights re-laid out (tart_mk_s8.h), and the fast
 * requantization's constants where they are exact. */
static bool packed_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  const ta_tensor *w = ta_op_input(g, op, 1);
  const ta_tensor *bias = call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL;
  tart_fc_params *p = call->params;
  const bool int16 = call->knobs && call->knobs[0] == 16;
  int32_t *packed;
  int32_t count;
  if (!ta_pack_mk_weights(g, w, p->out_c, p->accum_depth, int16, &packed, &count) ||
      !opt_prepare(g, op, call))
    return false;
  int32_t *fq = ta_requant_fast_consts(g, w, bias, p->out_c, p->accum_depth, p->in_neg_zp,
                                       p->rq.n_mult, p->rq.mult, p->rq.shift_left, p->rq.out_zp);
  if (g->ctx->oom)
    return false;
  if (int16)
    p->packed16 = packed, p->n_packed16 = count;
  else
    p->packed = packed, p->n_packed = count;
  p->fq = fq;
  p->n_fq = fq ? 3 * p->out_c : 0;
  /* The kernel reads the weights from its parameters: the tensor is not emitted. */
  call->in[1] = -1;
  return true;
}

/* --optimize size: "opt" (its kernel file is about a third of the packed kernel's code, and it
 * keeps the model's weights as they are). This first "opt" is the heuristic's choice then; it
 * shares the name with the later entry, so a tuning log's "opt" means the same kernel. */
static bool opt_for_size(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  return g->optimize_size && opt_applies(g, op, call);
}

static const ta_variant fc_variants[] = {
    {.name = "opt",
     .kernel = TA_K_fully_connected_s8_opt,
     .applies = opt_for_size,
     .prepare = opt_prepare},
    {.name = "packed",
     .kernel = TA_K_fully_connected_s8_packed,
     .applies = opt_applies,
     .prepare = packed_prepare,
     .knobs = packed_knobs,
     .n_knobs = (int32_t)TA_ARRAY_LEN(packed_knobs)},
    {.name = "opt",
     .kernel = TA_K_fully_connected_s8_opt,
     .applies = opt_applies,
     .prepare = opt_prepare},
    {.name = "ref", .kernel = TA_K_PREPARED, .reference = true},
};

static uint64_t fc_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  size_t x_elems;
  if (!x || !w || !w->shape_known || w->rank != 2 || !ta_tensor_elems(x, &x_elems))
    return 0;
  /* batches * K * Co = (input elements) * Co */
  return (uint64_t)x_elems * (uint64_t)w->dims[0];
}

const ta_op_def ta_op_def_FULLY_CONNECTED = {
    .check = fc_check,
    .infer = fc_infer,
    .prepare = fc_prepare,
    .macs = fc_macs,
    TA_VARIANTS(fc_variants),
};
