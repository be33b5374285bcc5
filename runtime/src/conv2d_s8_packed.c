/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_s8_packed.c: int8 2-D convolution (groups 1) over weights the compiler re-laid out
 * (tart_mk_s8.h), bit-exact with tart_conv2d_s8.
 *
 * As tart_conv2d_s8_opt: sum((x + in_neg_zp) * w) + bias = sum(x * w) + acc_init, and the
 * taps outside the input hold in_zp in the im2col row, which contributes (in_zp + in_neg_zp)
 * * w = 0. The depth k = KH*KW*Ci is padded to k4, a multiple of 4, with weights 0, so the
 * micro-kernels have no tail loop (first layers with k = 27 or 40); the im2col row's padding
 * bytes are set once to 0. A 1x1 filter without padding and with Ci a multiple of 4 reads
 * the pixel in place.
 *
 * With pixels = 2 the output pixels go in pairs through tart_mk2_s8.h's micro-kernels, which
 * read each weight word once for both; scratch then holds the pair expanded to int16 (4 * k4
 * bytes, first, word aligned) and, unless the pixels are read in place, their two im2col rows
 * (2 * k4 bytes). An odd last pixel of the image takes the one-pixel path.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_im2col_s8.h"
#include "tart_mk2_s8.h"
#include "tart_mk_s8.h"

static int32_t depth(const tart_conv_params *p) {
  return p->win.filter_h * p->win.filter_w * p->in_c;
}

/* Where expand_pair reads a pixel pair's windows from. */
enum { SRC_WINDOWS, SRC_DIRECT, SRC_RUN };

static int conv_direct(const tart_conv_params *p) {
  return p->win.filter_h == 1 && p->win.filter_w == 1 && p->win.pad_h == 0 && p->win.pad_w == 0 &&
         p->in_c % 4 == 0;
}

size_t tart_conv2d_s8_packed_scratch_size(const tart_conv_params *p) {
  const size_t k4 = (size_t)((depth(p) + 3) & ~3);
  if (p->pixels == 2)
    return 4 * k4 + (conv_direct(p) ? 0 : 2 * k4);
  return conv_direct(p) ? 0 : k4;
}

/* Row fy of output pixel (oy, ox)'s window in place: its KW*Ci input bytes when they all lie
 * inside the input and are contiguous (dilation_w 1), else NULL. */
static const int8_t *window_row(const tart_conv_params *p, const int8_t *in_b, int32_t oy,
                                int32_t ox, int32_t fy) {
  const int32_t iy = oy * p->win.stride_h - p->win.pad_h + p->win.dilation_h * fy,
                ix0 = ox * p->win.stride_w - p->win.pad_w;
  if (iy < 0 || iy >= p->in_h || ix0 < 0 || ix0 + p->win.filter_w > p->in_w ||
      p->win.dilation_w != 1)
    return NULL;
  return in_b + ((size_t)iy * (size_t)p->in_w + (size_t)ix0) * (size_t)p->in_c;
}

/* v, through an empty asm statement under GCC: the copy loops below then do not turn into
 * calls to memmove (-ftree-loop-distribute-patterns). */
static inline int32_t opaque(int32_t v) {
#if defined(__GNUC__)
  __asm__("" : "+r"(v));
#endif
  return v;
}

/* The word at src to dst (both may be unaligned). */
static inline void copy_word(int8_t *restrict dst, const int8_t *restrict src) {
  int32_t v;
  memcpy(&v, src, 4);
  v = opaque(v);
  memcpy(dst, &v, 4);
}

/* kh rows of n >= 4 bytes each, stride bytes apart from src, to col back to back, inline by
 * unaligned words, the last word of a row ending at the row's end (overlapping the one before
 * when n is not a multiple of 4): a row of 9 bytes (3x3 over 3 channels) is 3 LDR and 3 STR,
 * where a call to memcpy costs about 40 instructions with the window arithmetic around it.
 * Nothing is read or written outside the rows. */
static inline void copy_rows(int8_t *restrict col, const int8_t *restrict src, int32_t kh,
                             int32_t n, size_t stride) {
  for (int32_t fy = 0; fy < kh; fy++, src += stride, col += n) {
    for (int32_t j = 0; j < n - 4; j += 4)
      copy_word(col + j, src + j);
    copy_word(col + n - 4, src + n - 4);
  }
}

/* Output pixels (oya, oxa) and (oyb, oxb) expanded to xx through their whole im2col rows
 * (col: 2 * k4 bytes, padded with zeros), each window copied row by row when it lies inside
 * the input. Not inlined: the 1x1 direct path of the pixel loop keeps its registers. */
static TART_NOINLINE void expand_pair_cols(const tart_conv_params *p, const int8_t *in_b,
                                           int32_t oya, int32_t oxa, int32_t oyb, int32_t oxb,
                                           int8_t *col, int32_t k4, int32_t *xx) {
  const int32_t row = p->win.filter_w * p->in_c;
  const int8_t *wa = row >= 4 ? tart_window_at_s8(p, in_b, oya, oxa) : NULL,
               *wb = row >= 4 ? tart_window_at_s8(p, in_b, oyb, oxb) : NULL;
  const size_t stride = (size_t)p->win.dilation_h * (size_t)p->in_w * (size_t)p->in_c;
  if (wa)
    copy_rows(col, wa, p->win.filter_h, row, stride);
  else
    tart_im2col_s8(p, in_b, oya, oxa, col);
  if (wb)
    copy_rows(col + k4, wb, p->win.filter_h, row, stride);
  else
    tart_im2col_s8(p, in_b, oyb, oxb, col + k4);
  tart_mk_expand2_s8(col, col + k4, k4 / 4, xx);
}

/* Output pixels a and b (raster indices) expanded to xx (tart_mk_expand2_s8). source
 * SRC_DIRECT (1x1 direct): from the input; SRC_RUN (windows are runs of bytes): from the input
 * where both lie inside it. Otherwise, when a window row is a whole number of quads (KW*Ci a
 * multiple of 4), and at least 4 (shorter rows cost more in the per-row steps than the copy
 * saves), row by row, each from the input where it lies inside, else from its im2col (col: two
 * rows); else through both pixels' whole im2col rows (col: 2 * k4 bytes, padded with zeros). */
static void expand_pair(const tart_conv_params *p, const int8_t *in_b, const int8_t *in_end,
                        int source, int32_t a, int32_t b, int8_t *col, int32_t k4, int32_t *xx) {
  const int32_t oya = a / p->out_w, oxa = a % p->out_w, oyb = b / p->out_w, oxb = b % p->out_w;
  if (source == SRC_RUN) {
    /* Windows that are one run of bytes (their rows adjacent: a 1-D convolution over H, the
     * filter as wide as the input), read in place when inside the input; the k4 - k bytes
     * past a window meet weights 0 and only have to be readable, inside the input. */
    const int8_t *wa = tart_window_at_s8(p, in_b, oya, oxa),
                 *wb = tart_window_at_s8(p, in_b, oyb, oxb);
    if (wa && wb && in_end - wa >= k4 && in_end - wb >= k4) {
      tart_mk_expand2_s8(wa, wb, k4 / 4, xx);
      return;
    }
  } else if (source == SRC_DIRECT) {
    const size_t in_c = (size_t)p->in_c;
    tart_mk_expand2_s8(in_b + ((size_t)(oya * p->win.stride_h) * (size_t)p->in_w +
                               (size_t)(oxa * p->win.stride_w)) *
                                  in_c,
                       in_b + ((size_t)(oyb * p->win.stride_h) * (size_t)p->in_w +
                               (size_t)(oxb * p->win.stride_w)) *
                                  in_c,
                       k4 / 4, xx);
    return;
  }
  const int32_t row = p->win.filter_w * p->in_c;
  if (row % 4 == 0 && row >= 16) {
    for (int32_t fy = 0; fy < p->win.filter_h; fy++) {
      const int8_t *ra = window_row(p, in_b, oya, oxa, fy), *rb = window_row(p, in_b, oyb, oxb, fy);
      if (!ra) {
        tart_im2col_row_s8(p, in_b, oya, oxa, fy, col);
        ra = col;
      }
      if (!rb) {
        tart_im2col_row_s8(p, in_b, oyb, oxb, fy, col + row);
        rb = col + row;
      }
      /* Quad fy * row / 4 starts at word 4 * (fy * row / 4). */
      tart_mk_expand2_s8(ra, rb, row / 4, xx + (size_t)fy * (size_t)row);
    }
    return;
  }
  expand_pair_cols(p, in_b, oya, oxa, oyb, oxb, col, k4, xx);
}

tart_status tart_conv2d_s8_packed(const tart_conv_params *p, const void *const *in,
                                  void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t k = depth(p), k4 = (k + 3) & ~3;
  const int direct = conv_direct(p);
  const size_t n_w = (size_t)k4 * (size_t)p->out_c / 4; /* words of int8 */
  const tart_requant rq = TART_REQUANT_OF(p), *const q = &rq;
  const int32_t *w8 = p->n_packed > 0 ? p->packed : NULL;
  const int32_t *fq = p->n_fq > 0 ? p->fq : NULL;
  if (p->groups != 1 || p->filter_c != p->in_c || p->n_acc_init != p->out_c ||
      !tart_requant_ok(q, p->rq.n_mult, p->out_c) ||
      ((!direct || p->pixels == 2) && scratch == NULL) ||
      (w8 ? (size_t)p->n_packed != n_w : (size_t)p->n_packed16 != 2 * n_w) ||
      (fq && p->n_fq != 3 * p->out_c))
    return TART_ERR_PARAMS;
  const int32_t nq = k4 / 4;
  const int pair = p->pixels == 2;
  /* pixels = 2: the expanded pair (int32 words), then the two im2col rows. */
  int32_t *xx = pair ? (int32_t *)scratch : NULL;
  int8_t *col = pair ? (int8_t *)(xx + 4 * nq) : (int8_t *)scratch;
  if (p->pixels != 0 && p->pixels != 1 && !pair)
    return TART_ERR_PARAMS;
  if (!direct) {
    memset(col + k, 0, (size_t)(k4 - k));
    if (pair)
      memset(col + k4 + k, 0, (size_t)(k4 - k));
  }
  const int32_t n_pix = p->out_h * p->out_w;
  const int8_t *const in_end =
      input + (size_t)p->batches * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
  /* SRC_RUN: each window's rows follow each other in the input (dilation_h * in_w = filter_w). */
  const int source = direct                                           ? SRC_DIRECT
                     : p->win.dilation_h * p->in_w == p->win.filter_w ? SRC_RUN
                                                                      : SRC_WINDOWS;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    int8_t *out_b = output + (size_t)b * (size_t)n_pix * (size_t)p->out_c;
    int32_t i = 0;
    /* Output pixels in raster order, in pairs (an odd last one alone), or one by one. */
    for (; pair && i + 1 < n_pix; i += 2) {
      expand_pair(p, in_b, in_end, source, i, i + 1, col, k4, xx);
      int8_t *o = out_b + (size_t)i * (size_t)p->out_c;
      tart_mk_pixel2_s8(xx, w8, p->packed16, nq, p->out_c, p->acc_init, fq, q, o, o + p->out_c);
    }
    for (; i < n_pix; i++) {
      const int32_t oy = i / p->out_w, ox = i % p->out_w;
      const int8_t *patch;
      if (direct) {
        patch = in_b + ((size_t)(oy * p->win.stride_h) * (size_t)p->in_w +
                        (size_t)(ox * p->win.stride_w)) *
                           (size_t)p->in_c;
      } else {
        tart_im2col_s8(p, in_b, oy, ox, col);
        patch = col;
      }
      tart_mk_pixel_s8(patch, w8, p->packed16, nq, p->out_c, p->acc_init, fq, q,
                       out_b + (size_t)i * (size_t)p->out_c);
    }
  }
  return TART_OK;
}
