/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad.c: PAD with a constant value, int8 and float32 (TFLite's reference Pad: every output
 * element inside the input's box is copied, every other one is the pad value).
 *
 * The output is written in order, one row of the innermost dim at a time. A row whose outer
 * indices fall inside the input box is pad_before[5] pad values, one input row, pad_after[5]
 * pad values; any other row is all padding. Input rows are consumed in order, so the input
 * pointer only moves forward.
 */
#include <string.h>

#include "tart.h"

static void fill(char *dst, int32_t n, const void *value, size_t elem_bytes) {
  if (elem_bytes == 1) {
    memset(dst, *(const unsigned char *)value, (size_t)n);
    return;
  }
  for (int32_t i = 0; i < n; i++)
    memcpy(dst + (size_t)i * elem_bytes, value, elem_bytes);
}

static tart_status pad_run(const tart_pad_params *p, const char *in, char *out, size_t elem_bytes,
                           const void *value) {
  int32_t out_dims[6];
  for (int k = 0; k < 6; k++) {
    if (p->in_dims[k] < 0 || p->pad_before[k] < 0 || p->pad_after[k] < 0)
      return TART_ERR_PARAMS;
    out_dims[k] = p->pad_before[k] + p->in_dims[k] + p->pad_after[k];
  }
  int32_t rows = 1;
  for (int k = 0; k < 5; k++)
    rows *= out_dims[k];
  const size_t before_bytes = (size_t)p->pad_before[5] * elem_bytes;
  const size_t in_row_bytes = (size_t)p->in_dims[5] * elem_bytes;
  int32_t idx[5] = {0, 0, 0, 0, 0};
  for (int32_t r = 0; r < rows; r++) {
    int inside = 1;
    for (int k = 0; k < 5; k++)
      if (idx[k] < p->pad_before[k] || idx[k] >= p->pad_before[k] + p->in_dims[k])
        inside = 0;
    if (inside) {
      fill(out, p->pad_before[5], value, elem_bytes);
      out += before_bytes;
      memcpy(out, in, in_row_bytes);
      in += in_row_bytes;
      out += in_row_bytes;
      fill(out, p->pad_after[5], value, elem_bytes);
      out += (size_t)p->pad_after[5] * elem_bytes;
    } else {
      fill(out, out_dims[5], value, elem_bytes);
      out += (size_t)out_dims[5] * elem_bytes;
    }
    for (int k = 4; k >= 0; k--) {
      if (++idx[k] < out_dims[k])
        break;
      idx[k] = 0;
    }
  }
  return TART_OK;
}

tart_status tart_pad_s8(const tart_pad_params *p, const void *const *in, void *const *out,
                        void *scratch) {
  const int8_t value = (int8_t)p->pad_value;
  (void)scratch;
  return pad_run(p, (const char *)in[0], (char *)out[0], sizeof(int8_t), &value);
}

tart_status tart_pad_f32(const tart_pad_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const float value = p->pad_value_f32;
  (void)scratch;
  return pad_run(p, (const char *)in[0], (char *)out[0], sizeof(float), &value);
}

/* The input index that output index o (pad_before removed: i) reads along a dim of n. */
static int32_t mirror_index(int32_t i, int32_t n, int32_t mode) {
  if (i < 0)
    return mode == 0 ? -i : mode == 1 ? -i - 1 : 0;
  if (i >= n)
    return mode == 0 ? 2 * n - 2 - i : mode == 1 ? 2 * n - 1 - i : n - 1;
  return i;
}

tart_status tart_pad_mirror(const tart_mirror_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const size_t eb = (size_t)p->elem_bytes;
  int32_t out_dims[6], stride[6];
  (void)scratch;
  for (int k = 0; k < 6; k++) {
    if (p->in_dims[k] < 1 || p->pad_before[k] < 0 || p->pad_after[k] < 0)
      return TART_ERR_PARAMS;
    out_dims[k] = p->pad_before[k] + p->in_dims[k] + p->pad_after[k];
  }
  stride[5] = 1;
  for (int k = 4; k >= 0; k--)
    stride[k] = stride[k + 1] * p->in_dims[k + 1];
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  for (;;) {
    int32_t src = 0;
    for (int k = 0; k < 6; k++)
      src += mirror_index(idx[k] - p->pad_before[k], p->in_dims[k], p->mode) * stride[k];
    memcpy(y, x + (size_t)src * eb, eb);
    y += eb;
    int k = 5;
    for (; k >= 0; k--) {
      if (++idx[k] < out_dims[k])
        break;
      idx[k] = 0;
    }
    if (k < 0)
      break;
  }
  return TART_OK;
}
