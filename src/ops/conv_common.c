/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_common.c: see ta_conv_common.h.
 */
#include "ta_conv_common.h"

#include <math.h>

#include "ta_quant.h"

int32_t ta_conv_out_size_explicit(const ta_attrs *a, int32_t in, int32_t k, int32_t stride,
                                  int32_t dil, int32_t pad_before, int32_t pad_after) {
  if (a->padding != TA_PAD_EXPLICIT)
    return ta_conv_out_size(a->padding, in, k, stride, dil);
  int64_t eff = (int64_t)(k - 1) * dil + 1;
  int64_t span = (int64_t)in + pad_before + pad_after - eff;
  if (span < 0 || stride <= 0)
    return 0;
  int64_t out = span / stride + 1;
  return out > INT32_MAX ? 0 : (int32_t)out;
}

ta_status ta_conv_check_attrs(const ta_graph *g, const ta_op *op) {
  const ta_attrs *a = &op->a;
  ta_status st = TA_OK;
  if (a->stride_h < 1 || a->stride_w < 1)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "stride is %dx%d (HxW); expected values >= 1",
                            a->stride_h, a->stride_w));
  if (a->dilation_h < 1 || a->dilation_w < 1)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "dilation is %dx%d (HxW); expected values >= 1", a->dilation_h,
                                 a->dilation_w));
  if (a->padding != TA_PAD_VALID && a->padding != TA_PAD_SAME && a->padding != TA_PAD_EXPLICIT)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "unknown padding kind %d", (int)a->padding));
  if (a->padding == TA_PAD_EXPLICIT &&
      (a->pad_top < 0 || a->pad_bottom < 0 || a->pad_left < 0 || a->pad_right < 0))
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "explicit padding (top %d, bottom %d, left %d, right %d) is negative",
                            a->pad_top, a->pad_bottom, a->pad_left, a->pad_right));
  if ((unsigned)a->act > TA_ACT_RELU6)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "fused activation %d is not supported",
                                 (int)a->act));
  return st;
}

ta_status ta_conv_bias_operand(ta_graph *g, ta_kernel_call *call) {
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

ta_status ta_conv_requant(ta_graph *g, const ta_op *op, const ta_tensor *x, const ta_tensor *w,
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

ta_status ta_conv_check_dtypes(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                               const ta_tensor *w, const ta_tensor *b, const ta_tensor *y,
                               const char *w_role) {
  if (x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected float32 or int8",
                     x->name, ta_dtype_name(x->dtype));
  ta_status st = TA_OK;
  ta_dtype bias_dt = x->dtype == TA_DT_I8 ? TA_DT_I32 : TA_DT_F32;
  if (w->dtype != x->dtype)
    ta_keep_first(
        &st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s \"%s\" is %s; expected %s like the input%s",
                       w_role, w->name, ta_dtype_name(w->dtype), ta_dtype_name(x->dtype),
                       x->dtype == TA_DT_F32
                           ? " (a hybrid model: tinyaot does not run hybrid kernels; "
                             "--quantize int8 --calibration DATA makes it a full int8 model)"
                           : ""));
  if (b && b->dtype != bias_dt)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "bias \"%s\" is %s; expected %s with %s input and filter", b->name,
                                 ta_dtype_name(b->dtype), ta_dtype_name(bias_dt),
                                 ta_dtype_name(x->dtype)));
  if (y->dtype != x->dtype)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "output \"%s\" is %s; expected %s like the input", y->name,
                                 ta_dtype_name(y->dtype), ta_dtype_name(x->dtype)));
  return st;
}

ta_status ta_conv_check_weight_quant(const ta_graph *g, const ta_op *op, const ta_tensor *w,
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

void ta_conv_geom_get(const ta_graph *g, const ta_op *op, bool depthwise, ta_conv_geom *c) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_attrs *a = &op->a;
  c->n = x->dims[0], c->in_h = x->dims[1], c->in_w = x->dims[2], c->in_c = x->dims[3];
  c->k_h = w->dims[1], c->k_w = w->dims[2], c->k_c = w->dims[3];
  c->out_c = depthwise ? w->dims[3] : w->dims[0];
  c->mult = depthwise ? c->out_c / c->in_c : 1;
  c->out_h = ta_conv_out_size_explicit(a, c->in_h, c->k_h, a->stride_h, a->dilation_h, a->pad_top,
                                       a->pad_bottom);
  c->out_w = ta_conv_out_size_explicit(a, c->in_w, c->k_w, a->stride_w, a->dilation_w, a->pad_left,
                                       a->pad_right);
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

ta_status ta_conv_check_operands(const ta_graph *g, const ta_op *op) {
  if ((op->n_in != 2 && op->n_in != 3) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 or 3 inputs (input, filter, "
                     "optional bias) and 1 output",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !w || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing",
                     !x   ? "input"
                     : !w ? "filter"
                          : "output");
  return TA_OK;
}

ta_status ta_conv_check_window(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                               const ta_tensor *w) {
  const ta_attrs *at = &op->a;
  const bool explicit_pad = at->padding == TA_PAD_EXPLICIT;
  if (ta_conv_window_fits(x->dims[1], w->dims[1], at->dilation_h, explicit_pad ? at->pad_top : 0,
                          explicit_pad ? at->pad_bottom : 0) &&
      ta_conv_window_fits(x->dims[2], w->dims[2], at->dilation_w, explicit_pad ? at->pad_left : 0,
                          explicit_pad ? at->pad_right : 0))
    return TA_OK;
  return ta_op_err(g, op, TA_ERR_LIMIT,
                   "a %dx%d filter with dilation %dx%d over a %dx%d input (plus padding) "
                   "overflows the kernels' 32-bit index arithmetic",
                   w->dims[1], w->dims[2], at->dilation_h, at->dilation_w, x->dims[1], x->dims[2]);
}

void ta_conv_check_bias_quant(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                              const ta_tensor *w, const ta_tensor *b, const ta_tensor *y,
                              int32_t weight_axis, int32_t out_c, ta_status *st) {
  char sb[64];
  size_t b_elems;
  if (b && (!ta_tensor_elems(b, &b_elems) || b_elems != (size_t)out_c))
    ta_keep_first(st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "bias \"%s\" has shape %s; expected %d elements (one per output "
                            "channel)",
                            b->name, b->shape_known ? ta_shape_str(b, sb, sizeof sb) : "(unknown)",
                            out_c));
  if (x->dtype == TA_DT_I8 && w->dtype == TA_DT_I8 && y->dtype == TA_DT_I8) {
    ta_keep_first(st, ta_check_per_tensor_quant(g, op, x, "input"));
    ta_keep_first(st, ta_conv_check_weight_quant(g, op, w, weight_axis, out_c));
    ta_keep_first(st, ta_check_per_tensor_quant(g, op, y, "output"));
  }
}

ta_status ta_conv_infer_output(ta_graph *g, ta_op *op, const ta_conv_geom *c) {
  if (c->out_h <= 0 || c->out_w <= 0)
    return ta_op_err(
        g, op, TA_ERR_MALFORMED,
        "the %dx%d filter (dilation %dx%d) does not fit the %dx%d input with this padding", c->k_h,
        c->k_w, op->a.dilation_h, op->a.dilation_w, c->in_h, c->in_w);
  int32_t dims[4] = {c->n, c->out_h, c->out_w, c->out_c};
  if (!ta_dims_ok(4, dims))
    return ta_op_err(g, op, TA_ERR_LIMIT, "output has more than %d elements", INT32_MAX);
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), 4, dims);
}
