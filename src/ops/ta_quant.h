/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_quant.h: compile-time arithmetic shared by the op files: TFLite's multiplier
 * quantization, activation clamp ranges, and convolution/pooling geometry. Everything here
 * runs in the compiler (the prepare step); the results are emitted as constants.
 */
#ifndef TA_QUANT_H
#define TA_QUANT_H

#include "ta_ir.h"

/* TFLite's QuantizeMultiplier: m = mult * 2^(shift_left - 31), mult in [2^30, 2^31) or 0.
 * Uses frexp and round-half-away-from-zero exactly as the reference does. A non-finite m
 * gives (0, 64): a shift every caller refuses as too large. */
void ta_quantize_multiplier(double m, int32_t *mult, int32_t *shift_left);

/* The multiplier of input scale / output scale (real, computed as the reference does) for a
 * kernel that shifts left by at most 31 (requantize, QUANTIZE int8 -> int8); an error naming
 * both scales when it is 2^31 or more, or not finite. */
ta_status ta_requant_multiplier(const ta_graph *g, const ta_op *op, double real, float in_scale,
                                float out_scale, int32_t *mult, int32_t *shift_left);

/* Clamp range of a fused activation on a quantized output (CalculateActivationRangeQuantized):
 * qmin/qmax are the dtype limits, the result never leaves them. */
void ta_act_range_quant(ta_act act, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                        int32_t *clamp_min, int32_t *clamp_max);
/* Float clamp range of a fused activation. */
void ta_act_range_f32(ta_act act, float *clamp_min, float *clamp_max);

/* TFLite's ComputeOutSize; returns <= 0 when the window does not fit (VALID). */
int32_t ta_conv_out_size(ta_padding pad, int32_t in, int32_t filter, int32_t stride,
                         int32_t dilation);
/* Leading padding for SAME (TFLite's ComputePaddingWithOffset, offset dropped as the reference
 * kernels do); 0 for VALID. */
int32_t ta_conv_pad_before(ta_padding pad, int32_t in, int32_t filter, int32_t stride,
                           int32_t dilation, int32_t out);
/* Whether the window positions of a convolution along one axis fit the kernels' int32 index
 * arithmetic: taps run from -pad_before to in + pad_after plus the dilated filter extent
 * ((filter - 1) * dilation + 1; SAME padding adds at most that much). Explicit pads may be 0. */
bool ta_conv_window_fits(int32_t in, int32_t filter, int32_t dilation, int32_t pad_before,
                         int32_t pad_after);

/* dtype limits for quantized types (int8: -128..127, ...). false for non-integer types. */
bool ta_dtype_qrange(ta_dtype dt, int32_t *qmin, int32_t *qmax);

/* Per-tensor quantization of t: true and the values when t->q.count >= 1 (channel 0 for
 * per-channel), false when the tensor is not quantized. */
bool ta_quant_get(const ta_tensor *t, float *scale, int32_t *zero_point);

/* Check that t is quantized per tensor (one scale, finite, > 0; zero point in dtype range),
 * reporting against op with `what` naming the operand ("input", "output"). */
ta_status ta_check_per_tensor_quant(const ta_graph *g, const ta_op *op, const ta_tensor *t,
                                    const char *what);

/* For the optimized int8 kernels: acc_init[c] = bias[c] + in_neg_zp * sum over t < taps of
 * w[c * c_stride + t * t_stride], c < n (int8 weights, int32 bias; bias may be NULL). NULL
 * when the weights or the bias are not constant (the reference kernel is used then), or on
 * allocation failure (reported). */
int32_t *ta_acc_init(ta_graph *g, const ta_tensor *w, const ta_tensor *bias, int32_t n,
                     int32_t taps, int32_t c_stride, int32_t t_stride, int32_t in_neg_zp);

/* A constant int8 depthwise filter [taps, channels] in the order of
 * tart_depthwise_conv2d_s8_opt (defs/conv.def: dwconv.packed): per group of four channels,
 * tap after tap, the four channels' weights side by side; then the channels past the last
 * multiple of 4, each with its taps in a row. NULL when w is not such a tensor, or out of
 * memory (reported). */
int8_t *ta_pack_dw_filter(ta_graph *g, const ta_tensor *w, int32_t taps, int32_t channels);

/* Weights [n, k] (constant int8, row-major) re-laid out for the micro-kernels of
 * tart_mk_s8.h: k padded to a multiple of 4 with zeros, blocks of four rows quad by quad,
 * int8, four per int32 word, or, with int16, int16 with the taps of a quad in the order
 * t0 t2 t1 t3, two per word; the first value of a word in its low bits (words, so that the
 * kernels may load them with LDRD/LDM). *count is the number of words. false when w is not such a
 * tensor or out of memory (reported). */
bool ta_pack_mk_weights(ta_graph *g, const ta_tensor *w, int32_t n, int32_t k, bool int16,
                        int32_t **packed, int32_t *count);

/* The constants of tart_requant_fast.h, 3 per output channel, for weights [n, k] (constant
 * int8), an optional constant int32 bias and the requantization (n_mult 1 or n multipliers),
 * or NULL when the fast path would not be exact for some accumulator the layer can produce
 * (a multiplier >= 1, |acc| possibly >= 2^30, an add that could overflow), or out of memory
 * (reported). */
int32_t *ta_requant_fast_consts(ta_graph *g, const ta_tensor *w, const ta_tensor *bias, int32_t n,
                                int32_t k, int32_t in_neg_zp, int32_t n_mult, const int32_t *mult,
                                const int32_t *shift_left, int32_t out_zp);

/* ta_requant_fast_consts also under --optimize size, for a kernel that then needs no rq
 * arrays (their 8 bytes per channel against fq's 12). */
int32_t *ta_requant_fast_consts_instead(ta_graph *g, const ta_tensor *w, const ta_tensor *bias,
                                        int32_t n, int32_t k, int32_t in_neg_zp, int32_t n_mult,
                                        const int32_t *mult, const int32_t *shift_left,
                                        int32_t out_zp);

/* One channel's constants (fq[0..2]) for accumulators with |acc| <= acc_max and the
 * requantization (mult, shift_left) + out_zp; false when the fast path would not be exact. */
bool ta_requant_fast_one(int64_t acc_max, int32_t mult, int32_t shift_left, int32_t out_zp,
                         int32_t fq[3]);

/* The same for weights whose channel c, tap t is at c * c_stride + t * t_stride (a depthwise
 * filter [taps, n]: c_stride 1, t_stride n). The bound also holds for any subset of the taps
 * (border pixels of a padded window). */
int32_t *ta_requant_fast_consts_strided(ta_graph *g, const ta_tensor *w, const ta_tensor *bias,
                                        int32_t n, int32_t k, int32_t c_stride, int32_t t_stride,
                                        int32_t in_neg_zp, int32_t n_mult, const int32_t *mult,
                                        const int32_t *shift_left, int32_t out_zp);

/* Float weights x[elems] as int8, symmetric, one scale per slice along an axis: element i is in
 * slice (i / inner) % n (n == 1: per tensor). Scale c = max |x| of slice c / 127 (1 for an
 * all-zero slice), q = round(x / scale) clamped to [-127, 127]: the TFLite int8 weight rule.
 * One function for the quantize stage and the QDQ ONNX writer, so both give the same bytes. */
void ta_quant_weights_sym(const float *x, size_t elems, size_t inner, int32_t n, float *scales,
                          int8_t *q);

#endif
