/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_depthwise_conv2d.c: DEPTHWISE_CONV_2D. input [N,H,W,C], filter [1,KH,KW,C*M], optional
 * bias [C*M], output [N,OH,OW,C*M]: output channel c*M+m filters input channel c alone with
 * filter channel c*M+m. Depth multiplier M, strides, dilation, SAME/VALID/explicit padding,
 * a fused activation. int8 follows the TFLite quantization spec (asymmetric activations,
 * symmetric weights per tensor or per output channel along axis 3, int32 bias); float32 is
 * the other supported type.
 *
 * Prepare is TFLM's prepare, run once at compile time: per-channel requantization
 * multipliers from (double)input_scale * filter_scale[c] / output_scale
 * (PopulateConvolutionQuantizationParams), the clamp range of the fused activation, the
 * leading padding; the kernels (runtime/src/depthwise_conv2d_{s8,f32}.c) only evaluate.
 */
#include "ta_conv_common.h"
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

static ta_status dw_check(ta_graph *g, ta_op *op) {
  ta_status st = ta_conv_check_operands(g, op);
  if (st != TA_OK)
    return st;
  ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1), *b = ta_op_input(g, op, 2);
  ta_tensor *y = ta_op_output(g, op, 0);
  char sb[64];
  st = ta_conv_check_dtypes(g, op, x, w, b, y, "filter");
  ta_keep_first(&st, ta_conv_check_attrs(g, op));
  if (op->a.depth_multiplier < 0)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "depth_multiplier is %d; expected >= 1",
                                 op->a.depth_multiplier));
  if (!x->shape_known || x->rank != 4 || !ta_dims_ok(x->rank, x->dims))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "input \"%s\" has shape %s; expected [N,H,W,C]", x->name,
                                 x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (!w->shape_known || w->rank != 4 || !ta_dims_ok(w->rank, w->dims) || w->dims[0] != 1)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "filter \"%s\" has shape %s; expected [1,KH,KW,C*M]", w->name,
                                 w->shape_known ? ta_shape_str(w, sb, sizeof sb) : "(unknown)"));
  if (st != TA_OK)
    return st;
  st = ta_conv_check_window(g, op, x, w);
  if (st != TA_OK)
    return st;
  int32_t in_c = x->dims[3], out_c = w->dims[3];
  if (out_c % in_c != 0)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "filter has %d channels, not a multiple of the input's %d channels", out_c,
                     in_c);
  /* TFLM takes the attribute as is; 0 (unset) is read as the ratio, as TFLite does. */
  if (op->a.depth_multiplier != 0 && (int64_t)op->a.depth_multiplier * in_c != out_c)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "depth_multiplier is %d but the filter has %d channels for %d input channels; "
                     "expected depth_multiplier %d",
                     op->a.depth_multiplier, out_c, in_c, out_c / in_c);
  ta_conv_check_bias_quant(g, op, x, w, b, y, 3, out_c, &st);
  return st;
}

static ta_status dw_infer(ta_graph *g, ta_op *op) {
  ta_conv_geom c;
  ta_conv_geom_get(g, op, true, &c);
  return ta_conv_infer_output(g, op, &c);
}

static ta_status dw_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  bool quantized = x->dtype == TA_DT_I8;
  ta_status st =
      ta_call_init(g, op, call, quantized ? TA_K_depthwise_conv2d_s8 : TA_K_depthwise_conv2d_f32);
  if (st == TA_OK)
    st = ta_conv_bias_operand(g, call);
  if (st != TA_OK)
    return st;
  ta_conv_geom c;
  ta_conv_geom_get(g, op, true, &c);
  tart_dwconv_params *p = call->params;
  p->batches = c.n, p->in_h = c.in_h, p->in_w = c.in_w, p->in_c = c.in_c;
  p->out_h = c.out_h, p->out_w = c.out_w, p->out_c = c.out_c, p->depth_mult = c.mult;
  p->win.filter_h = c.k_h, p->win.filter_w = c.k_w;
  p->win.stride_h = op->a.stride_h, p->win.stride_w = op->a.stride_w;
  p->win.dilation_h = op->a.dilation_h, p->win.dilation_w = op->a.dilation_w;
  p->win.pad_h = c.pad_h, p->win.pad_w = c.pad_w;
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

/* The optimized kernel handles depth multiplier 1 only. */
static bool opt_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_dwconv_params *p = call->params;
  return ta_op_input(g, op, 0)->dtype == TA_DT_I8 && p->depth_mult == 1;
}

/* Each channel starts from bias + in_neg_zp * (sum of its taps), and the filter is packed
 * four channels by four taps for the kernel's loads. */
static bool opt_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  const ta_tensor *w = ta_op_input(g, op, 1);
  tart_dwconv_params *p = call->params;
  int32_t *init = ta_acc_init(g, w, call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL, p->out_c,
                              p->win.filter_h * p->win.filter_w, 1, p->out_c, p->in_neg_zp);
  int8_t *packed =
      init ? ta_pack_dw_filter(g, w, p->win.filter_h * p->win.filter_w, p->out_c) : NULL;
  if (!packed)
    return false;
  /* The kernel reads the filter from its parameters, packed: the tensor is not emitted. */
  p->acc_init = init;
  p->n_acc_init = p->out_c;
  p->packed = packed;
  p->n_packed = p->win.filter_h * p->win.filter_w * p->out_c;
  /* The fast requantization where the compiler proves it exact for every accumulator (the
   * filter is [taps, channels]: channel c's taps are out_c apart); else the general one. */
  int32_t *fq = ta_requant_fast_consts_strided(
      g, w, call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL, p->out_c,
      p->win.filter_h * p->win.filter_w, 1, p->out_c, p->in_neg_zp, p->rq.n_mult, p->rq.mult,
      p->rq.shift_left, p->rq.out_zp);
  if (g->ctx->oom)
    return false;
  p->fq = fq;
  p->n_fq = fq ? 3 * p->out_c : 0;
  call->in[1] = -1;
  return true;
}

/* The plane kernel (depthwise_conv2d_s8_plane.c): depth multiplier 1, leading padding >= 0
 * (a window never starts left of the plane). */
static bool plane_applies(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_dwconv_params *p = call->params;
  return opt_applies(g, op, call) && p->win.pad_h >= 0 && p->win.pad_w >= 0;
}

/* Knob "always" of the plane variant: 1 takes it wherever it applies; 0 (the default) only
 * where it was measured faster than opt on the Cortex-M4 (plane_pays). */
static const int32_t always_values[] = {0, 1};
static const ta_knob plane_knobs[] = {
    {.name = "always", .values = always_values, .n_values = (int32_t)TA_ARRAY_LEN(always_values)},
};

/* Where the plane kernel beat opt (tinyaot bench on the Cortex-M4, kws and vww's layers, the
 * plane variant forced on every one): 3x3 windows, dilation 1, equal strides 1 or 2 (its
 * SMLAD paths), with an output plane large enough to pay for its per-channel and per-row
 * costs: at stride 1 at least 16 pixels (kws 25x5x64: 216K instructions against 457K; vww
 * 6x6x128: 212K against 254K; 3x3x256: 172K against 128K), at stride 2 at least 256 (vww
 * 24x24x16: 460K against 535K; 12x12x32: 256K against 254K; 6x6x64: 158K against 126K).
 * Elsewhere (other windows, dilation: its tap-by-tap path) it was not measured. */
static bool plane_pays(const tart_dwconv_params *p) {
  const int32_t s = p->win.stride_h, pixels = p->out_h * p->out_w;
  return p->win.filter_h == 3 && p->win.filter_w == 3 && p->win.dilation_h == 1 &&
         p->win.dilation_w == 1 && s == p->win.stride_w &&
         ((s == 1 && pixels >= 16) || (s == 2 && pixels >= 256));
}

/* The filter and bias stay the model's tensors (the plane holds x + in_neg_zp, so the sum is
 * the reference's as it stands); only the fast requantization's constants are added, where
 * the compiler proves them exact (the filter is [taps, channels]). */
static bool plane_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  const ta_tensor *w = ta_op_input(g, op, 1);
  tart_dwconv_params *p = call->params;
  if ((call->knobs ? call->knobs[0] : 0) == 0 && !plane_pays(p))
    return false;
  int32_t *fq = ta_requant_fast_consts_strided(
      g, w, call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL, p->out_c,
      p->win.filter_h * p->win.filter_w, 1, p->out_c, p->in_neg_zp, p->rq.n_mult, p->rq.mult,
      p->rq.shift_left, p->rq.out_zp);
  if (g->ctx->oom)
    return false;
  p->fq = fq;
  p->n_fq = fq ? 3 * p->out_c : 0;
  return true;
}

static uint64_t dw_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *w = ta_op_input(g, op, 1), *y = ta_op_output(g, op, 0);
  if (!w || !y || !w->shape_known || !y->shape_known || w->rank != 4 || y->rank != 4)
    return 0;
  /* Each output element takes KH*KW products. */
  return (uint64_t)y->dims[0] * (uint64_t)y->dims[1] * (uint64_t)y->dims[2] * (uint64_t)y->dims[3] *
         (uint64_t)w->dims[1] * (uint64_t)w->dims[2];
}

static bool is_s8(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  (void)call;
  return ta_op_input(g, op, 0)->dtype == TA_DT_I8;
}

static bool is_f32(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  (void)call;
  return ta_op_input(g, op, 0)->dtype == TA_DT_F32;
}

/* In place over the input (operand 0) when the output plane has the input's layout:
 * depth multiplier 1 and the same height and width (stride 1, SAME). */
static bool inplace_ok(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                       int32_t operand) {
  (void)g, (void)op;
  const tart_dwconv_params *p = call->params;
  return operand == 0 && p->depth_mult == 1 && p->in_c == p->out_c && p->in_h == p->out_h &&
         p->in_w == p->out_w;
}

/* The optimized in-place kernel works row by row: rows must map one to one. */
static bool opt_inplace_ok(const ta_graph *g, const ta_op *op, const ta_kernel_call *call,
                           int32_t operand) {
  const tart_dwconv_params *p = call->params;
  return inplace_ok(g, op, call, operand) && p->win.stride_h == 1 && p->win.dilation_h == 1;
}

/* Listed first: the fastest measured on the Cortex-M4 where plane_pays (kws, vww); its
 * in-place form is the same kernel and costs the arena one int16 plane and a row of sums. */
static const ta_variant dw_variants[] = {
    {.name = "plane",
     .kernel = TA_K_depthwise_conv2d_s8_plane,
     .applies = plane_applies,
     .prepare = plane_prepare,
     .knobs = plane_knobs,
     .n_knobs = (int32_t)TA_ARRAY_LEN(plane_knobs)},
    {.name = "opt",
     .kernel = TA_K_depthwise_conv2d_s8_opt,
     .applies = opt_applies,
     .prepare = opt_prepare},
    {.name = "ref", .kernel = TA_K_PREPARED, .reference = true},
    {.name = "opt_inplace",
     .kernel = TA_K_depthwise_conv2d_s8_opt_inplace,
     .applies = opt_applies,
     .inplace_operands = 1u << 0,
     .inplace_ok = opt_inplace_ok,
     .inplace_of = "opt"},
    {.name = "plane_inplace",
     .kernel = TA_K_depthwise_conv2d_s8_plane,
     .applies = plane_applies,
     .inplace_operands = 1u << 0,
     /* The kernel writes output channel c only after copying input channel c into its
      * plane, whatever the stride or dilation; a smaller output (stride 2) would be safe
      * for the kernel too, but the planner gives an in-place group the bytes of its caller
      * buffer, which may be the output: same plane sizes only (inplace_ok). */
     .inplace_ok = inplace_ok,
     .inplace_of = "plane"},
    {.name = "inplace",
     .kernel = TA_K_depthwise_conv2d_s8_inplace,
     .applies = is_s8,
     .inplace_operands = 1u << 0,
     .inplace_ok = inplace_ok,
     .inplace_of = "ref"},
    {.name = "inplace",
     .kernel = TA_K_depthwise_conv2d_f32_inplace,
     .applies = is_f32,
     .inplace_operands = 1u << 0,
     .inplace_ok = inplace_ok,
     .inplace_of = "ref"},
};

const ta_op_def ta_op_def_DEPTHWISE_CONV_2D = {
    .check = dw_check,
    .infer = dw_infer,
    .prepare = dw_prepare,
    .macs = dw_macs,
    TA_VARIANTS(dw_variants),
};
