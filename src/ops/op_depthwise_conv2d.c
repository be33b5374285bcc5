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
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

static void keep_first(ta_status *st, ta_status s) {
  if (*st == TA_OK)
    *st = s;
}

/* Sizes of one depthwise convolution, from the input, filter and attributes. */
typedef struct dw_geom {
  int32_t n, in_h, in_w, in_c;
  int32_t k_h, k_w, out_c, mult;
  int32_t out_h, out_w, pad_h, pad_w;
} dw_geom;

/* Output size along one axis: TFLite's ComputeOutSize for SAME/VALID, the usual formula for
 * explicit padding (ONNX). <= 0 when the window does not fit. */
static int32_t out_size(const ta_attrs *a, int32_t in, int32_t k, int32_t stride, int32_t dil,
                        int32_t pad_before, int32_t pad_after) {
  if (a->padding != TA_PAD_EXPLICIT)
    return ta_conv_out_size(a->padding, in, k, stride, dil);
  int64_t eff = (int64_t)(k - 1) * dil + 1;
  int64_t span = (int64_t)in + pad_before + pad_after - eff;
  if (span < 0 || stride <= 0)
    return 0;
  int64_t out = span / stride + 1;
  return out > INT32_MAX ? 0 : (int32_t)out;
}

static void geom_get(const ta_graph *g, const ta_op *op, dw_geom *c) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_attrs *a = &op->a;
  c->n = x->dims[0], c->in_h = x->dims[1], c->in_w = x->dims[2], c->in_c = x->dims[3];
  c->k_h = w->dims[1], c->k_w = w->dims[2], c->out_c = w->dims[3];
  c->mult = c->out_c / c->in_c;
  c->out_h = out_size(a, c->in_h, c->k_h, a->stride_h, a->dilation_h, a->pad_top, a->pad_bottom);
  c->out_w = out_size(a, c->in_w, c->k_w, a->stride_w, a->dilation_w, a->pad_left, a->pad_right);
  if (a->padding == TA_PAD_EXPLICIT) {
    c->pad_h = a->pad_top;
    c->pad_w = a->pad_left;
  } else {
    c->pad_h =
        ta_conv_pad_before(a->padding, c->in_h, c->k_h, a->stride_h, a->dilation_h, c->out_h);
    c->pad_w =
        ta_conv_pad_before(a->padding, c->in_w, c->k_w, a->stride_w, a->dilation_w, c->out_w);
  }
}

/* int8 with int8 weights and int32 bias, or float32 throughout. */
static ta_status check_dtypes(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                              const ta_tensor *w, const ta_tensor *b, const ta_tensor *y) {
  if (x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected float32 or int8",
                     x->name, ta_dtype_name(x->dtype));
  ta_status st = TA_OK;
  ta_dtype bias_dt = x->dtype == TA_DT_I8 ? TA_DT_I32 : TA_DT_F32;
  if (w->dtype != x->dtype)
    keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "filter \"%s\" is %s; expected %s like the input%s", w->name,
                              ta_dtype_name(w->dtype), ta_dtype_name(x->dtype),
                              x->dtype == TA_DT_F32 ? " (hybrid models are not supported)" : ""));
  if (b && b->dtype != bias_dt)
    keep_first(&st,
               ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                         "bias \"%s\" is %s; expected %s with %s input and filter", b->name,
                         ta_dtype_name(b->dtype), ta_dtype_name(bias_dt), ta_dtype_name(x->dtype)));
  if (y->dtype != x->dtype)
    keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "output \"%s\" is %s; expected %s like the input", y->name,
                              ta_dtype_name(y->dtype), ta_dtype_name(x->dtype)));
  return st;
}

/* Symmetric int8 weights: one scale, or one per output channel along `axis`. */
static ta_status check_weight_quant(const ta_graph *g, const ta_op *op, const ta_tensor *w,
                                    int32_t axis, int32_t channels) {
  const ta_quant *q = &w->q;
  if (q->count < 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "filter \"%s\" (int8) has no quantization parameters", w->name);
  if (q->count != 1 && q->count != channels)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "filter has %d scales, expected %d (one per output channel)", q->count,
                     channels);
  if (q->count > 1 && q->axis != axis)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "filter \"%s\" is quantized along axis %d; expected axis %d (output channels)",
                     w->name, q->axis, axis);
  for (int32_t i = 0; i < q->count; i++) {
    if (!(q->scale[i] > 0.0f) || !isfinite(q->scale[i]))
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "filter \"%s\" scale %d is %g; expected a finite value > 0", w->name, i,
                       (double)q->scale[i]);
    if (q->zero_point[i] != 0)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "filter \"%s\" has zero point %lld (channel %d); int8 weights must be "
                       "symmetric (zero point 0)",
                       w->name, (long long)q->zero_point[i], i);
  }
  return TA_OK;
}

static ta_status check_attrs(const ta_graph *g, const ta_op *op) {
  const ta_attrs *a = &op->a;
  ta_status st = TA_OK;
  if (a->stride_h < 1 || a->stride_w < 1)
    keep_first(&st,
               ta_op_err(g, op, TA_ERR_MALFORMED, "stride is %dx%d (HxW); expected values >= 1",
                         a->stride_h, a->stride_w));
  if (a->dilation_h < 1 || a->dilation_w < 1)
    keep_first(&st,
               ta_op_err(g, op, TA_ERR_MALFORMED, "dilation is %dx%d (HxW); expected values >= 1",
                         a->dilation_h, a->dilation_w));
  if (a->padding != TA_PAD_VALID && a->padding != TA_PAD_SAME && a->padding != TA_PAD_EXPLICIT)
    keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "unknown padding kind %d", (int)a->padding));
  if (a->padding == TA_PAD_EXPLICIT &&
      (a->pad_top < 0 || a->pad_bottom < 0 || a->pad_left < 0 || a->pad_right < 0))
    keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                              "explicit padding (top %d, bottom %d, left %d, right %d) is negative",
                              a->pad_top, a->pad_bottom, a->pad_left, a->pad_right));
  if ((unsigned)a->act > TA_ACT_RELU6)
    keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "fused activation %d is not supported",
                              (int)a->act));
  return st;
}

/* Every dim >= 1 and at most INT32_MAX elements (the kernels index with int32_t). */
static bool dims_ok(int32_t rank, const int32_t *dims) {
  int64_t elems = 1;
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] <= 0)
      return false;
    elems *= dims[i];
    if (elems > INT32_MAX)
      return false;
  }
  return true;
}

static ta_status dw_check(ta_graph *g, ta_op *op) {
  if ((op->n_in != 2 && op->n_in != 3) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 or 3 inputs (input, filter, "
                     "optional bias) and 1 output",
                     op->n_in, op->n_out);
  ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1), *b = ta_op_input(g, op, 2);
  ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !w || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing",
                     !x   ? "input"
                     : !w ? "filter"
                          : "output");
  char sb[64];
  ta_status st = check_dtypes(g, op, x, w, b, y);
  keep_first(&st, check_attrs(g, op));
  if (op->a.depth_multiplier < 0)
    keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "depth_multiplier is %d; expected >= 1",
                              op->a.depth_multiplier));
  if (!x->shape_known || x->rank != 4 || !dims_ok(x->rank, x->dims))
    keep_first(&st,
               ta_op_err(g, op, TA_ERR_MALFORMED, "input \"%s\" has shape %s; expected [N,H,W,C]",
                         x->name, x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (!w->shape_known || w->rank != 4 || !dims_ok(w->rank, w->dims) || w->dims[0] != 1)
    keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                              "filter \"%s\" has shape %s; expected [1,KH,KW,C*M]", w->name,
                              w->shape_known ? ta_shape_str(w, sb, sizeof sb) : "(unknown)"));
  if (st != TA_OK)
    return st;
  const ta_attrs *at = &op->a;
  const bool explicit_pad = at->padding == TA_PAD_EXPLICIT;
  if (!ta_conv_window_fits(x->dims[1], w->dims[1], at->dilation_h, explicit_pad ? at->pad_top : 0,
                           explicit_pad ? at->pad_bottom : 0) ||
      !ta_conv_window_fits(x->dims[2], w->dims[2], at->dilation_w, explicit_pad ? at->pad_left : 0,
                           explicit_pad ? at->pad_right : 0))
    return ta_op_err(g, op, TA_ERR_LIMIT,
                     "a %dx%d filter with dilation %dx%d over a %dx%d input (plus padding) "
                     "overflows the kernels' 32-bit index arithmetic",
                     w->dims[1], w->dims[2], at->dilation_h, at->dilation_w, x->dims[1],
                     x->dims[2]);

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
  size_t b_elems;
  if (b && (!ta_tensor_elems(b, &b_elems) || b_elems != (size_t)out_c))
    keep_first(&st,
               ta_op_err(g, op, TA_ERR_MALFORMED,
                         "bias \"%s\" has shape %s; expected %d elements (one per output channel)",
                         b->name, b->shape_known ? ta_shape_str(b, sb, sizeof sb) : "(unknown)",
                         out_c));
  if (x->dtype == TA_DT_I8 && w->dtype == TA_DT_I8 && y->dtype == TA_DT_I8) {
    keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
    keep_first(&st, check_weight_quant(g, op, w, 3, out_c));
    keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  }
  return st;
}

/* Set the output shape, or verify the one the model gives. */
static ta_status set_or_verify_shape(const ta_graph *g, const ta_op *op, ta_tensor *y, int32_t rank,
                                     const int32_t *dims) {
  if (!y->shape_known) {
    y->rank = rank;
    memcpy(y->dims, dims, (size_t)rank * sizeof dims[0]);
    y->shape_known = true;
    return TA_OK;
  }
  if (y->rank == rank && memcmp(y->dims, dims, (size_t)rank * sizeof dims[0]) == 0)
    return TA_OK;
  ta_tensor want = {0};
  want.rank = rank;
  want.shape_known = true;
  memcpy(want.dims, dims, (size_t)rank * sizeof dims[0]);
  char have_s[64], want_s[64];
  return ta_op_err(g, op, TA_ERR_MALFORMED, "output \"%s\" has shape %s in the model; expected %s",
                   y->name, ta_shape_str(y, have_s, sizeof have_s),
                   ta_shape_str(&want, want_s, sizeof want_s));
}

static ta_status dw_infer(ta_graph *g, ta_op *op) {
  dw_geom c;
  geom_get(g, op, &c);
  if (c.out_h <= 0 || c.out_w <= 0)
    return ta_op_err(
        g, op, TA_ERR_MALFORMED,
        "the %dx%d filter (dilation %dx%d) does not fit the %dx%d input with this padding", c.k_h,
        c.k_w, op->a.dilation_h, op->a.dilation_w, c.in_h, c.in_w);
  int32_t dims[4] = {c.n, c.out_h, c.out_w, c.out_c};
  if (!dims_ok(4, dims))
    return ta_op_err(g, op, TA_ERR_LIMIT, "output has more than %d elements", INT32_MAX);
  return set_or_verify_shape(g, op, ta_op_output(g, op, 0), 4, dims);
}

/* The kernel always takes (input, filter, bias); an absent bias is passed as NULL. */
static ta_status bias_operand(ta_graph *g, ta_kernel_call *call) {
  if (call->n_in >= 3)
    return TA_OK;
  int32_t *in = ta_new_array(g->ctx, 3, sizeof *in);
  if (!in)
    return TA_ERR_LIMIT;
  in[0] = call->in[0], in[1] = call->in[1], in[2] = -1;
  call->in = in;
  call->n_in = 3;
  return TA_OK;
}

/* TFLM's PopulateConvolutionQuantizationParams: one (mult, shift_left) per filter scale
 * (1 for per-tensor weights, the kernel broadcasts it), effective scale computed in double. */
static ta_status requant(ta_graph *g, const ta_op *op, const ta_tensor *x, const ta_tensor *w,
                         const ta_tensor *y, int32_t *n_mult, const int32_t **mult_out,
                         const int32_t **shift_out) {
  int32_t n = w->q.count;
  int32_t *mult = ta_new_array(g->ctx, (size_t)n, sizeof *mult);
  int32_t *shift = ta_new_array(g->ctx, (size_t)n, sizeof *shift);
  if (!mult || !shift)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < n; i++) {
    double eff = (double)x->q.scale[0] * (double)w->q.scale[i] / (double)y->q.scale[0];
    ta_quantize_multiplier(eff, &mult[i], &shift[i]);
    if (shift[i] > 31)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "requantization scale %g (channel %d) is too large to represent", eff, i);
  }
  *n_mult = n;
  *mult_out = mult;
  *shift_out = shift;
  return TA_OK;
}

static ta_status dw_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  bool quantized = x->dtype == TA_DT_I8;
  ta_status st =
      ta_call_init(g, op, call, quantized ? TA_K_depthwise_conv2d_s8 : TA_K_depthwise_conv2d_f32);
  if (st == TA_OK)
    st = bias_operand(g, call);
  if (st != TA_OK)
    return st;
  dw_geom c;
  geom_get(g, op, &c);
  tart_dwconv_params *p = call->params;
  p->batches = c.n, p->in_h = c.in_h, p->in_w = c.in_w, p->in_c = c.in_c;
  p->out_h = c.out_h, p->out_w = c.out_w, p->out_c = c.out_c, p->depth_mult = c.mult;
  p->filter_h = c.k_h, p->filter_w = c.k_w;
  p->stride_h = op->a.stride_h, p->stride_w = op->a.stride_w;
  p->dilation_h = op->a.dilation_h, p->dilation_w = op->a.dilation_w;
  p->pad_h = c.pad_h, p->pad_w = c.pad_w;
  if (!quantized) {
    ta_act_range_f32(op->a.act, &p->act_min_f32, &p->act_max_f32);
    return TA_OK;
  }
  int32_t y_zp = (int32_t)y->q.zero_point[0];
  p->input_offset = -(int32_t)x->q.zero_point[0];
  p->output_offset = y_zp;
  int32_t qmin, qmax;
  ta_dtype_qrange(y->dtype, &qmin, &qmax);
  ta_act_range_quant(op->a.act, y->q.scale[0], y_zp, qmin, qmax, &p->act_min, &p->act_max);
  st = requant(g, op, x, w, y, &p->n_mult, &p->mult, &p->shift_left);
  if (st != TA_OK || g->reference_kernels || p->depth_mult != 1)
    return st;
  int32_t *init = ta_acc_init(g, w, call->in[2] >= 0 ? &g->tensors[call->in[2]] : NULL,
                              p->out_c, p->filter_h * p->filter_w, 1, p->out_c, p->input_offset);
  if (init) {
    p->acc_init = init;
    p->n_acc_init = p->out_c;
    call->kernel = TA_K_depthwise_conv2d_s8_opt;
  }
  return g->ctx->oom ? TA_ERR_LIMIT : TA_OK;
}

static uint64_t dw_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *w = ta_op_input(g, op, 1), *y = ta_op_output(g, op, 0);
  if (!w || !y || !w->shape_known || !y->shape_known || w->rank != 4 || y->rank != 4)
    return 0;
  /* Each output element takes KH*KW products. */
  return (uint64_t)y->dims[0] * (uint64_t)y->dims[1] * (uint64_t)y->dims[2] * (uint64_t)y->dims[3] *
         (uint64_t)w->dims[1] * (uint64_t)w->dims[2];
}

/* In place over the input (operand 0) when the output plane has the input's layout:
 * depth multiplier 1 and the same height and width (stride 1, SAME). */
static bool dw_inplace(const ta_graph *g, const ta_op *op, ta_kernel_call *call,
                       int32_t operand) {
  const tart_dwconv_params *p = call->params;
  if (operand != 0 || p->depth_mult != 1 || p->in_c != p->out_c || p->in_h != p->out_h ||
      p->in_w != p->out_w)
    return false;
  /* The optimized in-place kernel works row by row: rows must map one to one. */
  if (call->kernel == TA_K_depthwise_conv2d_s8_opt && (p->stride_h != 1 || p->dilation_h != 1))
    return false;
  ta_kernel_id k = call->kernel == TA_K_depthwise_conv2d_s8 ? TA_K_depthwise_conv2d_s8_inplace
                   : call->kernel == TA_K_depthwise_conv2d_s8_opt
                       ? TA_K_depthwise_conv2d_s8_opt_inplace
                   : call->kernel == TA_K_depthwise_conv2d_f32 ? TA_K_depthwise_conv2d_f32_inplace
                                                               : TA_K_COUNT;
  return k != TA_K_COUNT && ta_call_set_kernel(g, op, call, k) == TA_OK;
}

const ta_op_def ta_op_def_DEPTHWISE_CONV_2D = {
    .check = dw_check,
    .infer = dw_infer,
    .prepare = dw_prepare,
    .macs = dw_macs,
    .inplace = dw_inplace,
};
