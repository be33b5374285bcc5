/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_conv2d.c: CONV_2D. input [N,H,W,Ci], filter [Co,KH,KW,Ci/groups], optional bias [Co],
 * output [N,OH,OW,Co]; strides, dilation, SAME/VALID/explicit padding, a fused activation.
 * int8 follows the TFLite quantization spec (asymmetric activations, symmetric weights per
 * tensor or per output channel, int32 bias); float32 is the other supported type. A third
 * form serves ONNX's integer convolutions: int8 input (its zero point, if it is quantized, is
 * subtracted), an int16 filter from which the frontend already subtracted the weight zero
 * points, optional int32 bias, and the int32 accumulators as output (no requantization).
 *
 * Prepare is TFLM's prepare, run once at compile time: per-channel requantization
 * multipliers from (double)input_scale * filter_scale[c] / output_scale
 * (PopulateConvolutionQuantizationParams), the clamp range of the fused activation, the
 * leading padding; the kernels (runtime/src/conv2d_{s8,f32}.c) only evaluate.
 */
#include "ta_conv_common.h"
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

/* The integer-accumulation form: int8 input, int16 filter, int32 output. */
static bool is_int_acc(const ta_tensor *x, const ta_tensor *w) {
  return x->dtype == TA_DT_I8 && w->dtype == TA_DT_I16;
}

/* int8 input with int16 weights accumulating into int32 (ONNX ConvInteger), else the common
 * rule of ta_conv_check_dtypes. */
static ta_status check_dtypes(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                              const ta_tensor *w, const ta_tensor *b, const ta_tensor *y) {
  if (is_int_acc(x, w)) {
    if (y->dtype != TA_DT_I32 || (b && b->dtype != TA_DT_I32) || x->q.count > 1 ||
        op->a.act != TA_ACT_NONE)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "int8 input with an int16 filter needs an int32 output, int32 bias, a "
                       "per-tensor input zero point and no fused activation");
    return TA_OK;
  }
  return ta_conv_check_dtypes(g, op, x, w, b, y, "filter");
}

static ta_status conv_check(ta_graph *g, ta_op *op) {
  ta_status st = ta_conv_check_operands(g, op);
  if (st != TA_OK)
    return st;
  ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1), *b = ta_op_input(g, op, 2);
  ta_tensor *y = ta_op_output(g, op, 0);
  char sb[64];
  st = check_dtypes(g, op, x, w, b, y);
  ta_keep_first(&st, ta_conv_check_attrs(g, op));
  if (!x->shape_known || x->rank != 4 || !ta_dims_ok(x->rank, x->dims))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "input \"%s\" has shape %s; expected [N,H,W,C]", x->name,
                                 x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (!w->shape_known || w->rank != 4 || !ta_dims_ok(w->rank, w->dims))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "filter \"%s\" has shape %s; expected [Co,KH,KW,Ci]", w->name,
                                 w->shape_known ? ta_shape_str(w, sb, sizeof sb) : "(unknown)"));
  if (st != TA_OK)
    return st;
  st = ta_conv_check_window(g, op, x, w);
  if (st != TA_OK)
    return st;
  int32_t in_c = x->dims[3], out_c = w->dims[0], k_c = w->dims[3];
  if (in_c % k_c != 0)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "input has %d channels and the filter takes %d; expected a multiple (groups)",
                     in_c, k_c);
  if (out_c % (in_c / k_c) != 0)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "filter has %d output channels, not a multiple of the %d groups", out_c,
                     in_c / k_c);
  ta_conv_check_bias_quant(g, op, x, w, b, y, 0, out_c, &st);
  return st;
}

static ta_status conv_infer(ta_graph *g, ta_op *op) {
  ta_conv_geom c;
  ta_conv_geom_get(g, op, false, &c);
  return ta_conv_infer_output(g, op, &c);
}

static ta_status conv_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  const bool int_acc = is_int_acc(x, w);
  bool quantized = x->dtype == TA_DT_I8 && !int_acc;
  ta_status st = ta_call_init(g, op, call,
                              int_acc     ? TA_K_conv2d_s8s16_s32
                              : quantized ? TA_K_conv2d_s8
                                          : TA_K_conv2d_f32);
  if (st == TA_OK)
    st = ta_conv_bias_operand(g, call);
  if (st != TA_OK)
    return st;
  ta_conv_geom c;
  ta_conv_geom_get(g, op, false, &c);
  tart_conv_params *p = call->params;
  p->batches = c.n, p->in_h = c.in_h, p->in_w = c.in_w, p->in_c = c.in_c;
  p->out_h = c.out_h, p->out_w = c.out_w, p->out_c = c.out_c;
  p->win.filter_h = c.k_h, p->win.filter_w = c.k_w, p->filter_c = c.k_c, p->groups = c.in_c / c.k_c;
  p->win.stride_h = op->a.stride_h, p->win.stride_w = op->a.stride_w;
  p->win.dilation_h = op->a.dilation_h, p->win.dilation_w = op->a.dilation_w;
  p->win.pad_h = c.pad_h, p->win.pad_w = c.pad_w;
  if (int_acc) {
    p->in_neg_zp = x->q.count == 1 ? -(int32_t)x->q.zero_point[0] : 0;
    return TA_OK;
  }
  if (!quantized) {
    ta_act_range_f32(op->a.act, &p->clamp.min_f32, &p->clamp.max_f32);
    return TA_OK;
  }
  int32_t y_zp = (int32_t)y->q.zero_point[0];
  p->in_neg_zp = -(int32_t)x->q.zero_point[0];
  p->rq.out_zp = y_zp;
  int32_t qmin, qmax;
  ta_dtype_qrange(y->dtype, &qmin, &qmax);
  ta_act_range_quant(op->a.act, y->q.scale[0], y_zp, qmin, qmax, &p->clamp.min, &p->clamp.max);
  return ta_conv_requant(g, op, x, w, y, &p->rq.n_mult, &p->rq.mult, &p->rq.shift_left);
}

/* The optimized kernels handle one group only. */
static bool opt_s8_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const tart_conv_params *p = call->params;
  return x->dtype == TA_DT_I8 && !is_int_acc(x, w) && p->groups == 1;
}

static bool opt_f32_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_conv_params *p = call->params;
  return ta_op_input(g, op, 0)->dtype == TA_DT_F32 && p->groups == 1;
}

/* The int8 optimized kernel starts each output channel from bias + in_neg_zp * (sum of
 * its weights), computed here once, and pads with the input's zero point. */
static bool opt_s8_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  tart_conv_params *p = call->params;
  const int32_t k = p->win.filter_h * p->win.filter_w * p->filter_c;
  int32_t *init = ta_acc_init(g, w, call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL, p->out_c, k,
                              k, 1, p->in_neg_zp);
  if (!init)
    return false;
  p->acc_init = init;
  p->n_acc_init = p->out_c;
  p->in_zp = (int32_t)x->q.zero_point[0];
  return true;
}

/* Knob "weights" of the packed variants: 8 or 16, the width of the re-laid-out weights; 0
 * (the default) lets int16_by_default decide. */
static const int32_t weights_values[] = {0, 8, 16};
static const ta_knob packed_knobs[] = {
    {.name = "weights",
     .values = weights_values,
     .n_values = (int32_t)TA_ARRAY_LEN(weights_values)},
};

/* Extra flash the default may spend on int16 weights over the whole model. int16 weights take
 * k4 more bytes per output channel; TFLM + CMSIS-NN's firmware carries the same weights plus at
 * least ~90 KiB of interpreter and kernels (BENCHMARKS.md: 57 to 181 KiB more than tinyaot's
 * firmware on the MLPerf Tiny models), so within this budget no model's firmware exceeds it. */
#define INT16_BUDGET_BYTES (40 * 1024)

/* Bytes int16 weights would add to conv op o, or 0 when they would not pay: a weight used by
 * one output pixel only is loaded once either way. */
static int64_t int16_extra(const ta_graph *g, const ta_op *o) {
  if (o->kind != TA_OP_CONV_2D || o->n_in < 2)
    return 0;
  const ta_tensor *x = ta_op_input(g, o, 0), *w = ta_op_input(g, o, 1), *y = ta_op_output(g, o, 0);
  if (!x || !w || !y || x->dtype != TA_DT_I8 || w->dtype != TA_DT_I8 || !ta_tensor_is_const(w) ||
      w->rank != 4 || y->rank != 4 || !x->shape_known || x->rank != 4 || x->dims[3] != w->dims[3])
    return 0;
  if ((int64_t)y->dims[0] * y->dims[1] * y->dims[2] < 2)
    return 0;
  const int64_t k = (int64_t)w->dims[1] * w->dims[2] * w->dims[3];
  return ((k + 3) & ~(int64_t)3) * w->dims[0];
}

/* The default weight width: int16 while the int16 weights of this op and of the earlier ones
 * that took them (in op order: the early layers, with the largest maps, first) stay within
 * the budget. */
static bool int16_by_default(const ta_graph *g, const ta_op *op) {
  if (g->optimize_size)
    return false;
  int64_t spent = 0;
  for (const ta_op *o = g->ops; o < op; o++) {
    const int64_t e = int16_extra(g, o);
    if (e > 0 && spent + e <= INT16_BUDGET_BYTES)
      spent += e;
  }
  const int64_t e = int16_extra(g, op);
  return e > 0 && spent + e <= INT16_BUDGET_BYTES;
}

/* The filter re-laid out (tart_mk_s8.h) in int8 or int16, acc_init as opt, and the fast
 * requantization's constants where they are exact: under --optimize size too when
 * fq_instead_of_rq, and then in place of rq's arrays (fq's 12 bytes per channel against rq's
 * 8: the speed is worth the 4). */
static bool relayout_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call, bool int16,
                             bool fq_instead_of_rq) {
  const ta_tensor *w = ta_op_input(g, op, 1);
  const ta_tensor *bias = call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL;
  tart_conv_params *p = call->params;
  const int32_t k = p->win.filter_h * p->win.filter_w * p->filter_c;
  int32_t *packed;
  int32_t count;
  if (!ta_pack_mk_weights(g, w, p->out_c, k, int16, &packed, &count) ||
      !opt_s8_prepare(g, op, call))
    return false;
  int32_t *fq = (fq_instead_of_rq ? ta_requant_fast_consts_instead : ta_requant_fast_consts)(
      g, w, bias, p->out_c, k, p->in_neg_zp, p->rq.n_mult, p->rq.mult, p->rq.shift_left,
      p->rq.out_zp);
  if (g->ctx->oom)
    return false;
  if (int16)
    p->packed16 = packed, p->n_packed16 = count;
  else
    p->packed = packed, p->n_packed = count;
  p->fq = fq;
  p->n_fq = fq ? 3 * p->out_c : 0;
  if (fq && fq_instead_of_rq)
    p->rq.mult = p->rq.shift_left = NULL, p->rq.n_mult = 0;
  /* The kernel reads the filter from its parameters: the tensor is not emitted. */
  call->in[1] = -1;
  return true;
}

/* The packed variants: relayout_prepare with int16 or int8 weights by the weights knob;
 * output pixels in pairs (tart_mk2_s8.h: each weight word read once for both, for 4 * k4 bytes
 * of scratch more, and 2 * k4 more for the second im2col row) if pairs, else one by one. */
static bool packed_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call, bool pairs) {
  const int32_t knob = call->knobs ? call->knobs[0] : 0;
  const bool int16 = knob == 16 || (knob == 0 && int16_by_default(g, op));
  if (!relayout_prepare(g, op, call, int16, false))
    return false;
  tart_conv_params *p = call->params;
  /* One output pixel has no pair (and would only pay the larger scratch). */
  p->pixels = pairs && (int64_t)p->out_h * p->out_w >= 2 ? 2 : 1;
  return true;
}

/* "compact" (conv2d_s8_compact.c): int8 weights, fq in place of rq's arrays. */
static bool compact_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  return relayout_prepare(g, op, call, false, true);
}

static bool packed_s8_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  return packed_prepare(g, op, call, true);
}
static bool single_pixel_s8_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  return packed_prepare(g, op, call, false);
}

/* "packed" takes the output pixels in pairs (measured faster on every conv of the MLPerf Tiny
 * models, on the Cortex-M4), "single_pixel" one by one, for less scratch. */
/* --optimize size: the int8 conv takes "compact" (about a quarter of the packed kernel's code,
 * whose int16 weights and specialized block loops weigh some 4 KB at -Os; int8 weights). This
 * first "compact" is the heuristic's choice then; it shares the name with the last entry, so a
 * tuning log that names "compact" means the same kernel, and "packed" stays forcible. */
static bool compact_for_size(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  return g->optimize_size && opt_s8_applies(g, op, call);
}

static const ta_variant conv_variants[] = {
    {.name = "compact",
     .kernel = TA_K_conv2d_s8_compact,
     .applies = compact_for_size,
     .prepare = compact_prepare},
    {.name = "packed",
     .kernel = TA_K_conv2d_s8_packed,
     .applies = opt_s8_applies,
     .prepare = packed_s8_prepare,
     .knobs = packed_knobs,
     .n_knobs = (int32_t)TA_ARRAY_LEN(packed_knobs)},
    {.name = "single_pixel",
     .kernel = TA_K_conv2d_s8_packed,
     .applies = opt_s8_applies,
     .prepare = single_pixel_s8_prepare,
     .knobs = packed_knobs,
     .n_knobs = (int32_t)TA_ARRAY_LEN(packed_knobs)},
    {.name = "opt",
     .kernel = TA_K_conv2d_s8_opt,
     .applies = opt_s8_applies,
     .prepare = opt_s8_prepare},
    {.name = "compact",
     .kernel = TA_K_conv2d_s8_compact,
     .applies = opt_s8_applies,
     .prepare = compact_prepare},
    {.name = "opt", .kernel = TA_K_conv2d_f32_opt, .applies = opt_f32_applies},
    {.name = "ref", .kernel = TA_K_PREPARED, .reference = true},
};

static uint64_t conv_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *w = ta_op_input(g, op, 1), *y = ta_op_output(g, op, 0);
  if (!w || !y || !w->shape_known || !y->shape_known || w->rank != 4 || y->rank != 4)
    return 0;
  /* Each output element takes KH*KW*(Ci/groups) products. */
  return (uint64_t)y->dims[0] * (uint64_t)y->dims[1] * (uint64_t)y->dims[2] * (uint64_t)y->dims[3] *
         (uint64_t)w->dims[1] * (uint64_t)w->dims[2] * (uint64_t)w->dims[3];
}

const ta_op_def ta_op_def_CONV_2D = {
    .check = conv_check,
    .infer = conv_infer,
    .prepare = conv_prepare,
    .macs = conv_macs,
    TA_VARIANTS(conv_variants),
};
