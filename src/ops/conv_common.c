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
    ta_keep_first(&st,
               ta_op_err(g, op, TA_ERR_MALFORMED, "dilation is %dx%d (HxW); expected values >= 1",
                         a->dilation_h, a->dilation_w));
  if (a->padding != TA_PAD_VALID && a->padding != TA_PAD_SAME && a->padding != TA_PAD_EXPLICIT)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "unknown padding kind %d", (int)a->padding));
  if (a->padding == TA_PAD_EXPLICIT &&
      (a->pad_top < 0 || a->pad_bottom < 0 || a->pad_left < 0 || a->pad_right < 0))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
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
                               const ta_tensor *w, const ta_tensor *b, const ta_tensor *y) {
  if (x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected float32 or int8",
                     x->name, ta_dtype_name(x->dtype));
  ta_status st = TA_OK;
  ta_dtype bias_dt = x->dtype == TA_DT_I8 ? TA_DT_I32 : TA_DT_F32;
  if (w->dtype != x->dtype)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "filter \"%s\" is %s; expected %s like the input%s", w->name,
                              ta_dtype_name(w->dtype), ta_dtype_name(x->dtype),
                              x->dtype == TA_DT_F32 ? " (hybrid models are not supported)" : ""));
  if (b && b->dtype != bias_dt)
    ta_keep_first(&st,
               ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                         "bias \"%s\" is %s; expected %s with %s input and filter", b->name,
                         ta_dtype_name(b->dtype), ta_dtype_name(bias_dt), ta_dtype_name(x->dtype)));
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
