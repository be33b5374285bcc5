/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose.c: TRANSPOSE of a tensor of any element type (see defs/shape.def). The output is
 * written in order, one row of out_dims[5] elements at a time, while an odometer over the
 * five outer dims steps the input by their strides.
 */
#include <string.h>

#include "tart.h"

#define TART_ROW(T)                                                                                \
  do {                                                                                             \
    const T *x = (const T *)src;                                                                   \
    T *y = (T *)dst;                                                                               \
    for (int32_t i = 0; i < n; i++)                                                                \
      y[i] = x[(size_t)i * (size_t)s];                                                             \
  } while (0)

/* n elements of elem_bytes from src (stride s elements) to dst (contiguous). */
static void row(const char *src, char *dst, int32_t n, int32_t s, int32_t elem_bytes) {
  switch (elem_bytes) {
  case 1: TART_ROW(uint8_t); break;
  case 2: TART_ROW(uint16_t); break;
  case 4: TART_ROW(uint32_t); break;
  default: TART_ROW(uint64_t); break;
  }
}

tart_status tart_transpose(const tart_transpose_params *p, const void *const *in, void *const *out,
                           void *scratch) {
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const int32_t *d = p->out_dims, *s = p->in_strides;
  const size_t eb = (size_t)p->elem_bytes;
  (void)scratch;
  if (eb != 1 && eb != 2 && eb != 4 && eb != 8)
    return TART_ERR_PARAMS;
  int32_t rows = 1;
  for (int k = 0; k < 6; k++)
    if (d[k] < 0 || s[k] < 0)
      return TART_ERR_PARAMS;
  for (int k = 0; k < 5; k++)
    rows *= d[k];
  int32_t idx[5] = {0, 0, 0, 0, 0};
  size_t ix = 0;
  for (int32_t r = 0; r < rows; r++) {
    row(x + ix * eb, y, d[5], s[5], p->elem_bytes);
    y += (size_t)d[5] * eb;
    for (int k = 4; k >= 0; k--) {
      ix += (size_t)s[k];
      if (++idx[k] < d[k])
        break;
      ix -= (size_t)s[k] * (size_t)d[k];
      idx[k] = 0;
    }
  }
  return TART_OK;
}
