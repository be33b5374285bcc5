/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_conv_common.h: what CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share: window
 * geometry with explicit (ONNX) padding, attribute checks, the bias operand, and TFLM's
 * per-channel requantization multipliers.
 */
#ifndef TA_CONV_COMMON_H
#define TA_CONV_COMMON_H

#include "ta_ops.h"

/* Sizes of one convolution window (CONV_2D, DEPTHWISE_CONV_2D) from the input [N,H,W,C], the
 * filter and the attributes: conv filter [Co,KH,KW,Ci/groups] (k_c its last dim), depthwise
 * filter [1,KH,KW,C*M] (mult = M). pad_h/pad_w: the padding before the first row/column. */
typedef struct ta_conv_geom {
  int32_t n, in_h, in_w, in_c;
  int32_t k_h, k_w, k_c, out_c, mult;
  int32_t out_h, out_w, pad_h, pad_w;
} ta_conv_geom;

void ta_conv_geom_get(const ta_graph *g, const ta_op *op, bool depthwise, ta_conv_geom *c);

/* The operand counts (input, filter, optional bias; one output) and presence, reported. */
ta_status ta_conv_check_operands(const ta_graph *g, const ta_op *op);

/* The window (with dilation and explicit pads) fits the kernels' 32-bit index arithmetic. */
ta_status ta_conv_check_window(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                               const ta_tensor *w);

/* One bias value per output channel, and for int8 the quantization the kernels need: per-tensor
 * input and output, symmetric weights along weight_axis. Problems go to *st (the first kept). */
void ta_conv_check_bias_quant(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                              const ta_tensor *w, const ta_tensor *b, const ta_tensor *y,
                              int32_t weight_axis, int32_t out_c, ta_status *st);

/* The output shape [N, out_h, out_w, out_c], or a clear error when the window does not fit. */
ta_status ta_conv_infer_output(ta_graph *g, ta_op *op, const ta_conv_geom *c);

/* Output size along one axis: TFLite's ComputeOutSize for SAME/VALID, the usual formula for
 * explicit padding (ONNX). <= 0 when the window does not fit. */
int32_t ta_conv_out_size_explicit(const ta_attrs *a, int32_t in, int32_t k, int32_t stride,
                                  int32_t dil, int32_t pad_before, int32_t pad_after);

/* Strides and dilations >= 1, a known padding kind, non-negative explicit pads, a supported
 * fused activation; every problem reported. */
ta_status ta_conv_check_attrs(const ta_graph *g, const ta_op *op);

/* int8 input with int8 weights and int32 bias, or float32 throughout (bias optional).
 * w_role names the weights in messages: "filter" (convolutions), "weight tensor" (FC). */
ta_status ta_conv_check_dtypes(const ta_graph *g, const ta_op *op, const ta_tensor *x,
                               const ta_tensor *w, const ta_tensor *b, const ta_tensor *y,
                               const char *w_role);

/* Symmetric int8 weights: one scale, or one per output channel along `axis`; scales finite and
 * positive, zero points 0. */
ta_status ta_conv_check_weight_quant(const ta_graph *g, const ta_op *op, const ta_tensor *w,
                                     int32_t axis, int32_t channels);

/* The kernels always take (input, filter, bias): an absent bias becomes operand -1 (NULL). */
ta_status ta_conv_bias_operand(ta_graph *g, ta_kernel_call *call);

/* TFLM's PopulateConvolutionQuantizationParams: one (mult, shift_left) per filter scale (1 for
 * per-tensor weights: the kernel broadcasts it), effective scale computed in double. */
ta_status ta_conv_requant(ta_graph *g, const ta_op *op, const ta_tensor *x, const ta_tensor *w,
                          const ta_tensor *y, int32_t *n_mult, const int32_t **mult_out,
                          const int32_t **shift_out);

#endif
