/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slice.c: the data-movement kernels that pick parts of a tensor (see defs/shape.def):
 * slice (a strided window, possibly reversed), split (rows dealt to several outputs) and
 * gather (rows picked by constant indices). They move bytes and never look at values, so
 * one kernel serves every element type and quantized tensors alike.
 */
#include <string.h>

#include "tart.h"

#define TART_ROW(T)                                                                                \
  do {                                                                                             \
    const T *x = (const T *)src;                                                                   \
    T *y = (T *)dst;                                                                               \
    for (int32_t i = 0; i < n; i++)                                                                \
      y[i] = x[(ptrdiff_t)i * s];                                                                  \
  } while (0)

/* n elements of elem_bytes from src (stride s elements, maybe negative) to dst. */
static void row(const char *src, char *dst, int32_t n, int32_t s, int32_t elem_bytes) {
  if (s == 1) {
    memcpy(dst, src, (size_t)n * (size_t)elem_bytes);
    return;
  }
  switch (elem_bytes) {
  case 1: TART_ROW(uint8_t); break;
  case 2: TART_ROW(uint16_t); break;
  case 4: TART_ROW(uint32_t); break;
  default: TART_ROW(uint64_t); break;
  }
}

tart_status tart_slice(const tart_slice_params *p, const void *const *in, void *const *out,
                       void *scratch) {
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const int32_t *d = p->out_dims, *s = p->in_strides;
  const ptrdiff_t eb = p->elem_bytes;
  (void)scratch;
  if ((eb != 1 && eb != 2 && eb != 4 && eb != 8) || p->offset < 0)
    return TART_ERR_PARAMS;
  int32_t rows = 1;
  for (int k = 0; k < 6; k++)
    if (d[k] < 0)
      return TART_ERR_PARAMS;
  for (int k = 0; k < 5; k++)
    rows *= d[k];
  int32_t idx[5] = {0, 0, 0, 0, 0};
  ptrdiff_t ix = p->offset;
  for (int32_t r = 0; r < rows; r++) {
    row(x + ix * eb, y, d[5], s[5], p->elem_bytes);
    y += (ptrdiff_t)d[5] * eb;
    for (int k = 4; k >= 0; k--) {
      ix += s[k];
      if (++idx[k] < d[k])
        break;
      ix -= (ptrdiff_t)s[k] * d[k];
      idx[k] = 0;
    }
  }
  return TART_OK;
}

tart_status tart_split(const tart_split_params *p, const void *const *in, void *const *out,
                       void *scratch) {
  const char *x = (const char *)in[0];
  (void)scratch;
  if (p->outer < 0 || p->n_outputs < 0 || (p->n_outputs > 0 && !p->out_rows))
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_outputs; i++)
    if (p->out_rows[i] < 0)
      return TART_ERR_PARAMS;
  for (int32_t q = 0; q < p->outer; q++) {
    for (int32_t i = 0; i < p->n_outputs; i++) {
      const size_t n = (size_t)p->out_rows[i];
      if (out[i] && n)
        memcpy((char *)out[i] + (size_t)q * n, x, n);
      x += n;
    }
  }
  return TART_OK;
}

tart_status tart_gather(const tart_gather_params *p, const void *const *in, void *const *out,
                        void *scratch) {
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  (void)scratch;
  if (p->elem_bytes < 1 || p->outer < 0 || p->axis_dim < 0 || p->inner < 0 || p->n_indices < 0 ||
      (p->n_indices > 0 && !p->indices))
    return TART_ERR_PARAMS;
  const size_t row_bytes = (size_t)p->inner * (size_t)p->elem_bytes;
  for (int32_t i = 0; i < p->n_indices; i++)
    if (p->indices[i] < 0 || p->indices[i] >= p->axis_dim)
      return TART_ERR_PARAMS;
  for (int32_t o = 0; o < p->outer; o++) {
    const char *xo = x + (size_t)o * (size_t)p->axis_dim * row_bytes;
    for (int32_t i = 0; i < p->n_indices; i++) {
      memcpy(y, xo + (size_t)p->indices[i] * row_bytes, row_bytes);
      y += row_bytes;
    }
  }
  return TART_OK;
}
