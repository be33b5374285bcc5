/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_transpose_conv.c: TRANSPOSE_CONV. in: input [N,H,W,Ci], filter [Co,KH,KW,Ci], output_shape
 * (constant int32 [4]: N, OH, OW, Co), optional bias [Co]; out [N,OH,OW,Co]. Strides, SAME /
 * VALID padding (TFLite) or explicit pads (ONNX ConvTranspose, with dilation), a fused
 * activation. int8 follows the TFLite quantization spec as CONV_2D does (per-tensor or
 * per-output-channel symmetric weights, int32 bias); float32 otherwise.
 *
 * Prepare is TFLM's: padding from ComputePaddingHeightWidth run on the OUTPUT size (the
 * transposed convolution's output plays the convolution's input), the per-channel
 * multipliers of PopulateConvolutionQuantizationParams, the activation's clamp range. Output
 * rows past the last input's reach (ONNX output_padding) get the bias alone.
 */
#include "ta_conv_common.h"
#include "ta_ops.h"
#include "ta_quant.h"

#include <string.h>

static ta_status tconv_check(ta_graph *g, ta_op *op) {
  if ((op->n_in != 3 && op->n_in != 4) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 3 or 4 inputs (input, filter, "
                     "output_shape, optional bias) and 1 output",
                     op->n_in, op->n_out);
  ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1), *os = ta_op_input(g, op, 2);
  ta_tensor *b = ta_op_input(g, op, 3), *y = ta_op_output(g, op, 0);
  if (!x || !w || !os || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing",
                     !x    ? "input"
                     : !w  ? "filter"
                     : !os ? "output_shape operand"
                           : "output");
  char sb[64];
  ta_status st = ta_conv_check_dtypes(g, op, x, w, b, y, "filter");
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
  int64_t shape[4];
  int32_t n = 0;
  if (!ta_tensor_is_const(os))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "output_shape operand \"%s\" is computed at run time; tinyaot needs it "
                     "constant",
                     os->name);
  if (os->dtype != TA_DT_I32 || !ta_const_ints(os, shape, 4, &n) || n != 4)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "output_shape operand \"%s\" must be a constant int32 vector of 4 values",
                     os->name);
  if (shape[0] != x->dims[0] || shape[3] != w->dims[0] || shape[1] < 1 || shape[2] < 1 ||
      shape[1] > 65536 || shape[2] > 65536)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "output_shape is [%lld,%lld,%lld,%lld]; expected batch %d, %d channels (the "
                     "filter's first dim) and sizes from 1 to 65536",
                     (long long)shape[0], (long long)shape[1], (long long)shape[2],
                     (long long)shape[3], x->dims[0], w->dims[0]);
  if (w->dims[3] != x->dims[3])
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "input has %d channels and the filter takes %d; expected the same (groups "
                     "are not supported)",
                     x->dims[3], w->dims[3]);
  if (!ta_conv_window_fits((int32_t)shape[1], w->dims[1], op->a.dilation_h, 0, 0) ||
      !ta_conv_window_fits((int32_t)shape[2], w->dims[2], op->a.dilation_w, 0, 0) ||
      (op->a.padding == TA_PAD_EXPLICIT && (op->a.pad_top > 65536 || op->a.pad_left > 65536)))
    return ta_op_err(g, op, TA_ERR_LIMIT, "the window overflows the kernels' index arithmetic");
  ta_conv_check_bias_quant(g, op, x, w, b, y, 0, w->dims[0], &st);
  return st;
}

static ta_status tconv_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *os = ta_op_input(g, op, 2);
  int64_t shape[4];
  int32_t n = 0;
  ta_const_ints(os, shape, 4, &n);
  const int32_t dims[4] = {(int32_t)shape[0], (int32_t)shape[1], (int32_t)shape[2],
                           (int32_t)shape[3]};
  if (!ta_dims_ok(4, dims))
    return ta_op_err(g, op, TA_ERR_LIMIT, "the output would have more than 2^31-1 elements");
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), 4, dims);
}

/* TFLite's padding of a transposed convolution along one axis: the convolution that maps
 * the output (size out) back to the input. */
static int32_t tfl_pad(ta_padding pad, int32_t out, int32_t k, int32_t stride) {
  const int32_t back =
      pad == TA_PAD_SAME ? (out + stride - 1) / stride : (out - k + stride) / stride;
  return ta_conv_pad_before(pad, out, k, stride, 1, back);
}

static ta_status tconv_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  const bool s8 = x->dtype == TA_DT_I8;
  ta_status st =
      ta_call_init(g, op, call, s8 ? TA_K_transpose_conv2d_s8 : TA_K_transpose_conv2d_f32);
  if (st != TA_OK)
    return st;
  /* Kernel operands: input, filter, bias (or NULL); output_shape is compile-time only. */
  call->n_in = 3;
  call->in[2] = op->n_in > 3 ? op->in[3] : -1;
  const ta_attrs *a = &op->a;
  tart_conv_params *p = call->params;
  p->batches = x->dims[0], p->in_h = x->dims[1], p->in_w = x->dims[2], p->in_c = x->dims[3];
  p->out_h = y->dims[1], p->out_w = y->dims[2], p->out_c = y->dims[3];
  p->filter_c = x->dims[3], p->groups = 1;
  p->win.filter_h = w->dims[1], p->win.filter_w = w->dims[2];
  p->win.stride_h = a->stride_h, p->win.stride_w = a->stride_w;
  p->win.dilation_h = a->dilation_h, p->win.dilation_w = a->dilation_w;
  if (a->padding == TA_PAD_EXPLICIT) {
    p->win.pad_h = a->pad_top;
    p->win.pad_w = a->pad_left;
  } else {
    p->win.pad_h = tfl_pad(a->padding, p->out_h, p->win.filter_h, a->stride_h);
    p->win.pad_w = tfl_pad(a->padding, p->out_w, p->win.filter_w, a->stride_w);
  }
  if (!s8) {
    ta_act_range_f32(a->act, &p->clamp.min_f32, &p->clamp.max_f32);
    return TA_OK;
  }
  const int32_t y_zp = (int32_t)y->q.zero_point[0];
  p->in_neg_zp = -(int32_t)x->q.zero_point[0];
  p->rq.out_zp = y_zp;
  int32_t qmin, qmax;
  ta_dtype_qrange(y->dtype, &qmin, &qmax);
  ta_act_range_quant(a->act, y->q.scale[0], y_zp, qmin, qmax, &p->clamp.min, &p->clamp.max);
  return ta_conv_requant(g, op, x, w, y, &p->rq.n_mult, &p->rq.mult, &p->rq.shift_left);
}

/* Every input element meets every filter tap of its channel once (taps that fall outside
 * the output included: a bound, as for padded convolutions). */
static uint64_t tconv_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w = ta_op_input(g, op, 1);
  size_t xe, we;
  if (!ta_tensor_elems(x, &xe) || !ta_tensor_elems(w, &we) || x->dims[3] == 0)
    return 0;
  return (uint64_t)xe * (uint64_t)(we / (size_t)x->dims[3]);
}

const ta_op_def ta_op_def_TRANSPOSE_CONV = {
    .check = tconv_check,
    .infer = tconv_infer,
    .prepare = tconv_prepare,
    .macs = tconv_macs,
};
