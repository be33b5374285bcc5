/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmsis_nn_adapters.c: tinyaot's CMSIS-NN backend, one adapter per operator.
 *
 * The generated code calls every backend function the way it calls a runtime kernel:
 * f(params, in, out, scratch), with the parameter struct tinyaot's prepare step filled at
 * compile time (the .def files of runtime/include/defs). Each adapter here translates that struct
 * into CMSIS-NN's argument structs and calls Arm's kernel; nothing is computed twice, nothing is
 * allocated. This file is the only place that reads tinyaot's parameter fields for CMSIS-NN,
 * so a renamed field is fixed here and nowhere else.
 *
 * Conventions, which happen to agree: tinyaot keeps TFLite's signs, as CMSIS-NN does (input
 * and filter offsets are the negated zero points, the output offset is the output zero
 * point), and its (mult, shift_left) requantization pairs are CMSIS-NN's (multiplier, shift)
 * with a positive shift meaning left. Padding is the padding before the first row/column in
 * both. The scratch buffer is planned by tinyaot from the description's "scratch" sizes, which
 * cover the largest buffer CMSIS-NN asks for on any core (plain C, DSP, Helium).
 *
 * CMSIS-NN itself is not part of tinyaot: this file is built against a checkout the user
 * names (--backend-var CMSIS_NN=DIR).
 */
#include <stddef.h>
#include <stdint.h>

#include "arm_nnfunctions.h"
#include "tart.h"

/* CMSIS-NN takes non-const multiplier arrays it never writes. */
#define CMSIS_NN_MUTABLE(p) ((int32_t *)(uintptr_t)(p))

static tart_status status_of(arm_cmsis_nn_status s) {
  return s == ARM_CMSIS_NN_SUCCESS ? TART_OK : TART_ERR_PARAMS;
}

/* The scratch buffer handed to a kernel. Its size is what tinyaot planned; CMSIS-NN reads
 * only buf (the size field is informative). */
static cmsis_nn_context context(void *scratch) {
  cmsis_nn_context c;
  c.buf = scratch;
  c.size = 0;
  return c;
}

static cmsis_nn_dims dims(int32_t n, int32_t h, int32_t w, int32_t c) {
  cmsis_nn_dims d;
  d.n = n;
  d.h = h;
  d.w = w;
  d.c = c;
  return d;
}

static cmsis_nn_tile tile(int32_t h, int32_t w) {
  cmsis_nn_tile t;
  t.h = h;
  t.w = w;
  return t;
}

static cmsis_nn_activation activation(int32_t min, int32_t max) {
  cmsis_nn_activation a;
  a.min = min;
  a.max = max;
  return a;
}

tart_status cmsis_nn_conv2d_s8(const tart_conv_params *p, const void *const *in, void *const *out,
                               void *scratch);
tart_status cmsis_nn_depthwise_conv2d_s8(const tart_dwconv_params *p, const void *const *in,
                                         void *const *out, void *scratch);
tart_status cmsis_nn_fully_connected_s8(const tart_fc_params *p, const void *const *in,
                                        void *const *out, void *scratch);
tart_status cmsis_nn_avgpool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                                void *scratch);
tart_status cmsis_nn_max_pool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                                 void *scratch);
tart_status cmsis_nn_add_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                            void *scratch);
tart_status cmsis_nn_mul_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                            void *scratch);
tart_status cmsis_nn_softmax_s8(const tart_softmax_params *p, const void *const *in,
                                void *const *out, void *scratch);

/* CONV_2D: arm_convolve_wrapper_s8 (grouped convolutions through filter_dims.c). The
 * description takes per-channel weights only: one multiplier per output channel. */
tart_status cmsis_nn_conv2d_s8(const tart_conv_params *p, const void *const *in, void *const *out,
                               void *scratch) {
  if (p->rq.n_mult != p->out_c)
    return TART_ERR_PARAMS;
  cmsis_nn_context ctx = context(scratch);
  cmsis_nn_conv_params cp;
  cp.input_offset = p->in_neg_zp;
  cp.output_offset = p->rq.out_zp;
  cp.stride = tile(p->win.stride_h, p->win.stride_w);
  cp.padding = tile(p->win.pad_h, p->win.pad_w);
  cp.dilation = tile(p->win.dilation_h, p->win.dilation_w);
  cp.activation = activation(p->clamp.min, p->clamp.max);
  cmsis_nn_per_channel_quant_params q;
  q.multiplier = CMSIS_NN_MUTABLE(p->rq.mult);
  q.shift = CMSIS_NN_MUTABLE(p->rq.shift_left);
  const cmsis_nn_dims input = dims(p->batches, p->in_h, p->in_w, p->in_c);
  const cmsis_nn_dims filter = dims(p->out_c, p->win.filter_h, p->win.filter_w, p->filter_c);
  const cmsis_nn_dims bias = dims(1, 1, 1, p->out_c);
  const cmsis_nn_dims output = dims(p->batches, p->out_h, p->out_w, p->out_c);
  return status_of(arm_convolve_wrapper_s8(&ctx, &cp, &q, &input, (const int8_t *)in[0], &filter,
                                           (const int8_t *)in[1], &bias, (const int32_t *)in[2],
                                           &output, (int8_t *)out[0]));
}

/* DEPTHWISE_CONV_2D: arm_depthwise_conv_wrapper_s8, per-channel weights. */
tart_status cmsis_nn_depthwise_conv2d_s8(const tart_dwconv_params *p, const void *const *in,
                                         void *const *out, void *scratch) {
  if (p->rq.n_mult != p->out_c)
    return TART_ERR_PARAMS;
  cmsis_nn_context ctx = context(scratch);
  cmsis_nn_dw_conv_params dp;
  dp.input_offset = p->in_neg_zp;
  dp.output_offset = p->rq.out_zp;
  dp.ch_mult = p->depth_mult;
  dp.stride = tile(p->win.stride_h, p->win.stride_w);
  dp.padding = tile(p->win.pad_h, p->win.pad_w);
  dp.dilation = tile(p->win.dilation_h, p->win.dilation_w);
  dp.activation = activation(p->clamp.min, p->clamp.max);
  cmsis_nn_per_channel_quant_params q;
  q.multiplier = CMSIS_NN_MUTABLE(p->rq.mult);
  q.shift = CMSIS_NN_MUTABLE(p->rq.shift_left);
  const cmsis_nn_dims input = dims(p->batches, p->in_h, p->in_w, p->in_c);
  const cmsis_nn_dims filter = dims(1, p->win.filter_h, p->win.filter_w, p->out_c);
  const cmsis_nn_dims bias = dims(1, 1, 1, p->out_c);
  const cmsis_nn_dims output = dims(p->batches, p->out_h, p->out_w, p->out_c);
  return status_of(arm_depthwise_conv_wrapper_s8(
      &ctx, &dp, &q, &input, (const int8_t *)in[0], &filter, (const int8_t *)in[1], &bias,
      (const int32_t *)in[2], &output, (int8_t *)out[0]));
}

/* FULLY_CONNECTED: arm_fully_connected_s8 (one multiplier) or
 * arm_fully_connected_per_channel_s8. On Helium cores CMSIS-NN wants the weight-row sums
 * (times the input offset, plus bias) precomputed in the scratch buffer; computing them per
 * call keeps this adapter stateless (the description's scratch is 4 * out_c bytes). */
tart_status cmsis_nn_fully_connected_s8(const tart_fc_params *p, const void *const *in,
                                        void *const *out, void *scratch) {
  cmsis_nn_context ctx = context(scratch);
  cmsis_nn_fc_params fp;
  fp.input_offset = p->in_neg_zp;
  fp.filter_offset = p->filter_neg_zp;
  fp.output_offset = p->rq.out_zp;
  fp.activation = activation(p->clamp.min, p->clamp.max);
  const cmsis_nn_dims input = dims(p->batches, 1, 1, p->accum_depth);
  const cmsis_nn_dims filter = dims(p->accum_depth, 1, 1, p->out_c);
  const cmsis_nn_dims bias = dims(1, 1, 1, p->out_c);
  const cmsis_nn_dims output = dims(p->batches, 1, 1, p->out_c);
  const int8_t *w = (const int8_t *)in[1];
  const int32_t *b = (const int32_t *)in[2];
#if defined(ARM_MATH_MVEI)
  if (scratch == NULL)
    return TART_ERR_PARAMS;
  arm_vector_sum_s8((int32_t *)scratch, p->accum_depth, p->out_c, w, p->in_neg_zp, p->filter_neg_zp,
                    b);
#else
  ctx.buf = NULL; /* no kernel sums: the plain C and DSP kernels compute them inline */
#endif
  if (p->rq.n_mult == 1) {
    cmsis_nn_per_tensor_quant_params q;
    q.multiplier = p->rq.mult[0];
    q.shift = p->rq.shift_left[0];
    return status_of(arm_fully_connected_s8(&ctx, &fp, &q, &input, (const int8_t *)in[0], &filter,
                                            w, &bias, b, &output, (int8_t *)out[0]));
  }
  if (p->rq.n_mult != p->out_c)
    return TART_ERR_PARAMS;
  cmsis_nn_per_channel_quant_params q;
  q.multiplier = CMSIS_NN_MUTABLE(p->rq.mult);
  q.shift = CMSIS_NN_MUTABLE(p->rq.shift_left);
  return status_of(arm_fully_connected_per_channel_s8(&ctx, &fp, &q, &input, (const int8_t *)in[0],
                                                      &filter, w, &bias, b, &output,
                                                      (int8_t *)out[0]));
}

/* The pools run one batch at a time: CMSIS-NN's pooling kernels read input_dims.n as 1. */
typedef arm_cmsis_nn_status (*pool_fn)(const cmsis_nn_context *, const cmsis_nn_pool_params *,
                                       const cmsis_nn_dims *, const int8_t *, const cmsis_nn_dims *,
                                       const cmsis_nn_dims *, int8_t *);

static tart_status pool(pool_fn f, const tart_pool_params *p, const void *const *in,
                        void *const *out, void *scratch) {
  /* CMSIS-NN's pools take adjacent taps and average over the taps inside the input only. */
  if (p->win.dilation_h > 1 || p->win.dilation_w > 1 || p->count_include_pad)
    return TART_ERR_PARAMS;
  cmsis_nn_context ctx = context(scratch);
  cmsis_nn_pool_params pp;
  pp.stride = tile(p->win.stride_h, p->win.stride_w);
  pp.padding = tile(p->win.pad_h, p->win.pad_w);
  pp.activation = activation(p->clamp.min, p->clamp.max);
  const cmsis_nn_dims input = dims(1, p->in_h, p->in_w, p->channels);
  const cmsis_nn_dims filter = dims(1, p->win.filter_h, p->win.filter_w, 1);
  const cmsis_nn_dims output = dims(1, p->out_h, p->out_w, p->channels);
  const int8_t *x = (const int8_t *)in[0];
  int8_t *y = (int8_t *)out[0];
  for (int32_t b = 0; b < p->batches; b++) {
    arm_cmsis_nn_status s = f(&ctx, &pp, &input, x, &filter, &output, y);
    if (s != ARM_CMSIS_NN_SUCCESS)
      return TART_ERR_PARAMS;
    x += (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
    y += (size_t)p->out_h * (size_t)p->out_w * (size_t)p->channels;
  }
  return TART_OK;
}

/* AVERAGE_POOL_2D: arm_avgpool_s8. */
tart_status cmsis_nn_avgpool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                                void *scratch) {
  return pool(arm_avgpool_s8, p, in, out, scratch);
}

/* MAX_POOL_2D: arm_max_pool_s8. */
tart_status cmsis_nn_max_pool_s8(const tart_pool_params *p, const void *const *in, void *const *out,
                                 void *scratch) {
  return pool(arm_max_pool_s8, p, in, out, scratch);
}

/* ADD: arm_elementwise_add_s8 over two equal-length vectors (the description declines
 * broadcasting). */
tart_status cmsis_nn_add_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  (void)scratch;
  if (p->broadcast)
    return TART_ERR_PARAMS;
  return status_of(arm_elementwise_add_s8(
      (const int8_t *)in[0], (const int8_t *)in[1], p->in1_neg_zp, p->in1_mult, p->in1_shift_left,
      p->in2_neg_zp, p->in2_mult, p->in2_shift_left, p->pre_shift_left, (int8_t *)out[0], p->out_zp,
      p->out_mult, p->out_shift_left, p->clamp.min, p->clamp.max, p->n_elems));
}

/* MUL: arm_elementwise_mul_s8, equal-length vectors. */
tart_status cmsis_nn_mul_s8(const tart_binary_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  (void)scratch;
  if (p->broadcast)
    return TART_ERR_PARAMS;
  return status_of(arm_elementwise_mul_s8(
      (const int8_t *)in[0], (const int8_t *)in[1], p->in1_neg_zp, p->in2_neg_zp, (int8_t *)out[0],
      p->out_zp, p->out_mult, p->out_shift_left, p->clamp.min, p->clamp.max, p->n_elems));
}

/* SOFTMAX: arm_softmax_s8 (TFLite's int8 softmax: output scale 1/256, zero point -128, as
 * tinyaot's kernel). */
tart_status cmsis_nn_softmax_s8(const tart_softmax_params *p, const void *const *in,
                                void *const *out, void *scratch) {
  (void)scratch;
  arm_softmax_s8((const int8_t *)in[0], p->rows, p->depth, p->in_mult, p->in_shift_left,
                 p->diff_min, (int8_t *)out[0]);
  return TART_OK;
}
