/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_pool.h: the window geometry the pooling kernels share (pool_f32.c, pool_s8.c), also
 * used by the optimized convolutions for their border pixels.
 *
 * Along one axis, output position o reads taps k = 0..filter-1 at input index
 * o * stride - pad + k * dilation. Only taps inside [0, in) are read; they form the run
 * k0 <= k < k1 returned by tart_pool_taps. With dilation 1 this is TFLite's clipped window
 * [max(start, 0), min(start + filter, in)), visited in the same order.
 */
#ifndef TART_POOL_H
#define TART_POOL_H

#include <stdint.h>

/* Taps of one window along one axis: the first input index and the tap range [k0, k1). */
static inline void tart_pool_taps(int32_t start, int32_t filter, int32_t dilation, int32_t in,
                                  int32_t *k0, int32_t *k1) {
  /* k0: the first k with start + k * dilation >= 0; k1: the first with it >= in. */
  int32_t lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
  int32_t hi = in - start <= 0 ? 0 : (in - start + dilation - 1) / dilation;
  if (hi > filter)
    hi = filter;
  if (hi < lo)
    hi = lo;
  *k0 = lo;
  *k1 = hi;
}

/* Taps of one window along one axis inside [-pad_before, in + pad_after): the divisor of an
 * average that counts padding (ONNX count_include_pad). */
static inline int32_t tart_pool_padded_taps(int32_t start, int32_t filter, int32_t dilation,
                                            int32_t in, int32_t pad_before, int32_t pad_after) {
  int32_t k0, k1;
  tart_pool_taps(start + pad_before, filter, dilation, in + pad_before + pad_after, &k0, &k1);
  return k1 - k0;
}

#endif
