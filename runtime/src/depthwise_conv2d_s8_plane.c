/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_conv2d_s8_plane.c: int8 depthwise convolution with depth multiplier 1, channel
 * by channel through an int16 padded plane; bit-exact with tart_depthwise_conv2d_s8.
 *
 * For each channel c the kernel copies input channel c into scratch as int16 x + in_neg_zp,
 * inside a border of zeros: a tap in the padding then adds 0 * w, exactly as the reference
 * skips it, so no pixel needs a border test and the sum is the reference's
 * sum((x + in_neg_zp) * w) + bias term for term (integer sums do not depend on their order).
 * Two adjacent int16 of a plane row are one word, and a word of two taps of a filter row
 * makes one SMLAD two multiply-accumulates. For a 3x3 window (dilation 1) filter row r gives
 * two words, W01 = (w0, w1) and W12 = (w1, w2) (low half first), and with A = (p0, p1),
 * B = (p2, p3) the plane row's words at the window:
 *   stride 1: four outputs per step sharing their words (tart_mk_dw_s8.h, assembly on the
 *             Cortex-M4/M7/M33), the two or three left at a row's end two and one at a time:
 *             o0 += SMLAD(A, W01) + B.lo * W12.hi,  o1 += SMLAD(B, W12) + A.hi * W01.lo
 *   stride 2: o0 += SMLAD(A, W01) + B.lo * W12.hi, two outputs per step sharing B
 * Other windows (any size, stride, dilation) sum tap by tap over the plane.
 *
 * The plane is laid out along the output's longer side: when the output has more rows than
 * columns (kws: 25 x 5) it holds the channel transposed (plane row i = input column i) and
 * the filter transposed with it, so that the rows the micro-kernel walks are long. The sums
 * of a plane row of outputs go to a row of int32 in scratch, then to int8 in a loop of their
 * own (tart_requant_fast.h's constants when the compiler gave them, fq, else the general
 * requantization): each loop keeps its own operands in registers; the stride-1 micro-kernel
 * requantizes its four sums itself when fq is given and the clamp is [-128, 127] (one SSAT,
 * what an activation folded into the int8 range leaves: every depthwise layer of kws and
 * vww). With fq the weights are doubled (|w| <= 128: 2w fits int16) and so is the bias,
 * which gives the fast requantization's acc << 1 directly (exact: the compiler grants fq only
 * where |acc| < 2^30).
 *
 * The output goes to channel c of every output pixel; input channel c is read only while
 * channel c is copied into the plane, before any output of channel c is written, so the
 * output may be the input buffer (in place) when both have one layout. Scratch: the plane
 * (plane_h rows of plane_w int16, plane_w even so that rows start on a word), zeroed once per
 * call, every channel rewriting the same interior; then the row of sums. Filter in[1] and
 * bias in[2] are the model's tensors; the filter is [1,KH,KW,C].
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_mk_dw_s8.h"
#include "tart_requant_fast.h"
#include "tart_simd.h"

/* The convolution as the plane sees it: "rows" and "cols" are the input's (and output's) rows
 * and columns, or its columns and rows when transposed; steps are in bytes of the NHWC
 * tensors. Tap (r, k) of the plane's window is filter tap tap_r * r + tap_k * k. */
typedef struct geom {
  int32_t in_rows, in_cols, out_rows, out_cols;
  int32_t pad_r, pad_c, k_r, k_c, s_r, s_c, d_r, d_c;
  size_t in_row_step, in_col_step, out_row_step, out_col_step;
  int32_t tap_r, tap_k;
  int32_t plane_w, plane_h;
} geom;

/* n rounded up to a multiple of 4. */
static int32_t groups4(int32_t n) {
  return (n + 3) & ~3;
}

static void geom_of(const tart_dwconv_params *p, geom *g) {
  const size_t C = (size_t)p->in_c;
  if (p->out_h > p->out_w) { /* transposed: plane rows along the input's columns */
    g->in_rows = p->in_w, g->in_cols = p->in_h, g->out_rows = p->out_w, g->out_cols = p->out_h;
    g->pad_r = p->win.pad_w, g->pad_c = p->win.pad_h;
    g->k_r = p->win.filter_w, g->k_c = p->win.filter_h;
    g->s_r = p->win.stride_w, g->s_c = p->win.stride_h;
    g->d_r = p->win.dilation_w, g->d_c = p->win.dilation_h;
    g->in_row_step = C, g->in_col_step = (size_t)p->in_w * C;
    g->out_row_step = C, g->out_col_step = (size_t)p->out_w * C;
    g->tap_r = 1, g->tap_k = p->win.filter_w;
  } else {
    g->in_rows = p->in_h, g->in_cols = p->in_w, g->out_rows = p->out_h, g->out_cols = p->out_w;
    g->pad_r = p->win.pad_h, g->pad_c = p->win.pad_w;
    g->k_r = p->win.filter_h, g->k_c = p->win.filter_w;
    g->s_r = p->win.stride_h, g->s_c = p->win.stride_w;
    g->d_r = p->win.dilation_h, g->d_c = p->win.dilation_w;
    g->in_row_step = (size_t)p->in_w * C, g->in_col_step = C;
    g->out_row_step = (size_t)p->out_w * C, g->out_col_step = C;
    g->tap_r = p->win.filter_w, g->tap_k = 1;
  }
  /* Rows up to the last window's bottom; columns up to the last window's right edge or, for
   * the word loads of the 3x3 paths, 4 values from the last window's left; columns even. */
  const int32_t ekc = (g->k_c - 1) * g->d_c + 1;
  int32_t pw = (g->out_cols - 1) * g->s_c + (ekc > 4 ? ekc : 4);
  /* At stride 1 a short row may run whole groups of four past its end (their sums unused),
   * which read 4 * ceil(out_cols / 4) + 2 values. */
  if (g->s_c == 1 && pw < groups4(g->out_cols) + 2)
    pw = groups4(g->out_cols) + 2;
  g->plane_w = (pw + 1) & ~1;
  g->plane_h = (g->out_rows - 1) * g->s_r + (g->k_r - 1) * g->d_r + 1;
}

size_t tart_depthwise_conv2d_s8_plane_scratch_size(const tart_dwconv_params *p) {
  if (p->out_h < 1 || p->out_w < 1 || p->win.filter_h < 1 || p->win.filter_w < 1)
    return 0;
  geom g;
  geom_of(p, &g);
  return (size_t)g.plane_h * (size_t)g.plane_w * sizeof(int16_t) +
         (size_t)groups4(g.out_cols) * sizeof(int32_t);
}

/* The multiplies of the 3x3 paths: SMLAD (a.lo * b.lo + a.hi * b.hi), SMLABT (a.lo * b.hi)
 * and SMLATB (a.hi * b.lo), each plus acc, wrapping as the DSP instructions do; C twins for
 * the host and cores without the DSP extension. */
#if TART_HAVE_SMLAD
#define DW_SMLAD(a, b, acc) __smlad((a), (b), (acc))
#define DW_SMLABT(a, b, acc) __smlabt((a), (b), (acc))
#define DW_SMLATB(a, b, acc) __smlatb((a), (b), (acc))
#else
static inline int32_t lo16(int32_t v) {
  return (int32_t)(int16_t)(uint16_t)((uint32_t)v & 0xffffu);
}
static inline int32_t hi16(int32_t v) {
  return (int32_t)(int16_t)(uint16_t)((uint32_t)v >> 16);
}
static inline int32_t dw_smlad(int32_t a, int32_t b, int32_t acc) {
  return tart_wrap_add(tart_wrap_add(acc, lo16(a) * lo16(b)), hi16(a) * hi16(b));
}
static inline int32_t dw_smlabt(int32_t a, int32_t b, int32_t acc) {
  return tart_wrap_add(acc, lo16(a) * hi16(b));
}
static inline int32_t dw_smlatb(int32_t a, int32_t b, int32_t acc) {
  return tart_wrap_add(acc, hi16(a) * lo16(b));
}
#define DW_SMLAD(a, b, acc) dw_smlad((a), (b), (acc))
#define DW_SMLABT(a, b, acc) dw_smlabt((a), (b), (acc))
#define DW_SMLATB(a, b, acc) dw_smlatb((a), (b), (acc))
#endif

/* Two int16 as one word, a first (the low half, where a word load puts the lower address). */
static inline int32_t pack16(int32_t a, int32_t b) {
  return (int32_t)(((uint32_t)a & 0xffffu) | ((uint32_t)b << 16));
}

#if TART_HAVE_SMLAD
/* (a, b) as one word, b in the high half: one PKHBT (GCC makes UXTH and ORR of pack16). */
static inline int32_t pkhbt(int32_t a, int32_t b) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/* v clamped to [-128, 127]: one SSAT. */
static inline int32_t ssat8(int32_t v) {
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));
  return r;
}
#endif

/* A word of the plane (aligned: the scratch is, and rows and windows start at even
 * columns); memcpy keeps C's aliasing rules, GCC makes it one LDR. */
static inline int32_t ldw(const int16_t *x) {
  int32_t v;
  memcpy(&v, x, 4);
  return v;
}

/* Channel c's input (x: its first value) into the plane's interior as x + in_neg_zp; input
 * rows and columns past the plane (never read by a window) are left out. Two values a step,
 * stored as one word (unaligned where the left padding is odd: the Cortex-M3 and up allow
 * it for STR; memcpy says so to C), offset by one SADD16 on DSP cores. */
static void fill_plane(const geom *g, int32_t in_neg_zp, const int8_t *x, int16_t *plane) {
  const int32_t rows = g->in_rows < g->plane_h - g->pad_r ? g->in_rows : g->plane_h - g->pad_r;
  const int32_t cols = g->in_cols < g->plane_w - g->pad_c ? g->in_cols : g->plane_w - g->pad_c;
  const size_t step = g->in_col_step;
#if TART_HAVE_SMLAD
  const int32_t off2 = pack16(in_neg_zp, in_neg_zp);
#endif
  for (int32_t y = 0; y < rows; y++) {
    const int8_t *xr = x + (size_t)y * g->in_row_step;
    int16_t *d = plane + (size_t)(y + g->pad_r) * (size_t)g->plane_w + g->pad_c;
    int32_t i = 0;
    for (; i + 2 <= cols; i += 2, xr += 2 * step) {
#if TART_HAVE_SMLAD
      const int32_t v = __sadd16(pkhbt(xr[0], xr[step]), off2);
#else
      const int32_t v = pack16(xr[0] + in_neg_zp, xr[step] + in_neg_zp);
#endif
      memcpy(d + i, &v, 4);
    }
    if (i < cols)
      d[i] = (int16_t)(*xr + in_neg_zp);
  }
}

/* 3x3, dilation 1, stride 1 along the row: the n <= 3 outputs left at a row's end (x: the
 * first one's window), two and one at a time; rs the plane's row length. */
static void macs_3x3_s1_tail(const int16_t *x, int32_t rs, int32_t n, const int32_t *w,
                             int32_t bias, int32_t *acc) {
  const size_t r1 = (size_t)rs, r2 = 2 * (size_t)rs;
  if (n >= 2) {
    int32_t a = ldw(x), b = ldw(x + 2);
    int32_t o0 = DW_SMLAD(a, w[0], bias), o1 = DW_SMLAD(b, w[1], bias);
    o0 = DW_SMLABT(b, w[1], o0), o1 = DW_SMLATB(a, w[0], o1);
    a = ldw(x + r1), b = ldw(x + r1 + 2);
    o0 = DW_SMLAD(a, w[2], o0), o1 = DW_SMLAD(b, w[3], o1);
    o0 = DW_SMLABT(b, w[3], o0), o1 = DW_SMLATB(a, w[2], o1);
    a = ldw(x + r2), b = ldw(x + r2 + 2);
    o0 = DW_SMLAD(a, w[4], o0), o1 = DW_SMLAD(b, w[5], o1);
    o0 = DW_SMLABT(b, w[5], o0), o1 = DW_SMLATB(a, w[4], o1);
    acc[0] = o0, acc[1] = o1;
    n -= 2, x += 2, acc += 2;
  }
  if (n > 0) {
    int32_t o0 = DW_SMLAD(ldw(x), w[0], bias);
    o0 = DW_SMLABT(ldw(x + 2), w[1], o0);
    o0 = DW_SMLAD(ldw(x + r1), w[2], o0);
    o0 = DW_SMLABT(ldw(x + r1 + 2), w[3], o0);
    o0 = DW_SMLAD(ldw(x + r2), w[4], o0);
    acc[0] = DW_SMLABT(ldw(x + r2 + 2), w[5], o0);
  }
}

/* 3x3, dilation 1, stride 2 along the row: two outputs per step, sharing the middle word
 * (output i reads words A, B, output i + 1 words B, C of each plane row). */
static void macs_3x3_s2(const int16_t *x, int32_t rs, int32_t n, const int32_t *w, int32_t bias,
                        int32_t *acc) {
  const size_t r1 = (size_t)rs, r2 = 2 * (size_t)rs;
  int32_t i = 0;
  for (; i + 2 <= n; i += 2, x += 4) {
    int32_t a = ldw(x), b = ldw(x + 2), c = ldw(x + 4);
    int32_t o0 = DW_SMLAD(a, w[0], bias), o1 = DW_SMLAD(b, w[0], bias);
    o0 = DW_SMLABT(b, w[1], o0), o1 = DW_SMLABT(c, w[1], o1);
    a = ldw(x + r1), b = ldw(x + r1 + 2), c = ldw(x + r1 + 4);
    o0 = DW_SMLAD(a, w[2], o0), o1 = DW_SMLAD(b, w[2], o1);
    o0 = DW_SMLABT(b, w[3], o0), o1 = DW_SMLABT(c, w[3], o1);
    a = ldw(x + r2), b = ldw(x + r2 + 2), c = ldw(x + r2 + 4);
    o0 = DW_SMLAD(a, w[4], o0), o1 = DW_SMLAD(b, w[4], o1);
    o0 = DW_SMLABT(b, w[5], o0), o1 = DW_SMLABT(c, w[5], o1);
    acc[i] = o0, acc[i + 1] = o1;
  }
  if (i < n) {
    int32_t o0 = DW_SMLAD(ldw(x), w[0], bias);
    o0 = DW_SMLABT(ldw(x + 2), w[1], o0);
    o0 = DW_SMLAD(ldw(x + r1), w[2], o0);
    o0 = DW_SMLABT(ldw(x + r1 + 2), w[3], o0);
    o0 = DW_SMLAD(ldw(x + r2), w[4], o0);
    acc[i] = DW_SMLABT(ldw(x + r2 + 2), w[5], o0);
  }
}

/* Any window, stride and dilation: tap by tap over the plane; tap (r, k) of the plane's
 * window is f[r * sr + k * sk] << dbl (f: the channel's first tap in the filter). */
static void macs_general(const geom *g, const int16_t *x, const int8_t *f, size_t sr, size_t sk,
                         int32_t dbl, int32_t bias, int32_t *acc) {
  const size_t rs = (size_t)g->plane_w;
  for (int32_t ox = 0; ox < g->out_cols; ox++) {
    const int16_t *xy = x + (size_t)ox * (size_t)g->s_c;
    const int8_t *fr = f;
    int32_t a = bias;
    for (int32_t r = 0; r < g->k_r; r++, xy += (size_t)g->d_r * rs, fr += sr)
      for (int32_t k = 0; k < g->k_c; k++)
        a = tart_wrap_add(a, (int32_t)xy[k * g->d_c] * (fr[(size_t)k * sk] * (1 + dbl)));
    acc[ox] = a;
  }
}

/* The fast requantization of one doubled sum (tart_requant_fast without its acc << 1). */
static inline int32_t rq_fast(int32_t acc2, int32_t mult, int32_t add, int32_t r) {
  const int32_t y = tart_smmulr(acc2, mult);
  return (int32_t)((uint32_t)y + (uint32_t)(y >> 31) + (uint32_t)add) >> r;
}

/* A row of n sums to int8 at o, step bytes apart: the fast requantization (the sums already
 * doubled) with the channel's constants fq (mult, add, r), else the general one of channel
 * c. The clamp to [-128, 127] (no activation, or one whose range the int8 range holds) is one
 * SSAT on DSP cores. */
static void requant_row(const int32_t *acc, int32_t n, const int32_t *fq, const tart_requant *q,
                        int32_t c, int8_t *o, size_t step) {
  const int32_t lo = q->clamp_min, hi = q->clamp_max;
  if (fq) {
    const int32_t mult = fq[0], add = fq[1], r = fq[2];
    const int32_t *end = acc + n;
#if TART_HAVE_SMLAD
    if (lo == -128 && hi == 127) {
      for (; acc < end; acc++, o += step)
        *o = (int8_t)ssat8(rq_fast(*acc, mult, add, r));
      return;
    }
#endif
    for (; acc < end; acc++, o += step)
      *o = (int8_t)tart_clamp_i32(rq_fast(*acc, mult, add, r), lo, hi);
  } else {
    for (int32_t i = 0; i < n; i++, o += step)
      *o = tart_requant_s8(q, acc[i], c);
  }
}

tart_status tart_depthwise_conv2d_s8_plane(const tart_dwconv_params *p, const void *const *in,
                                           void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *filter = (const int8_t *)in[1];
  const int32_t *bias = (const int32_t *)in[2];
  int8_t *output = (int8_t *)out[0];
  int16_t *plane = (int16_t *)scratch;
  const tart_requant q = TART_REQUANT_OF(p);
  const int32_t taps = p->win.filter_h * p->win.filter_w;
  if (p->depth_mult != 1 || p->in_c != p->out_c || !tart_requant_ok(&q, p->rq.n_mult, p->out_c) ||
      (p->n_fq != 0 && (p->n_fq != 3 * p->out_c || p->fq == NULL)) || filter == NULL ||
      plane == NULL || taps < 1 || p->win.pad_h < 0 || p->win.pad_w < 0 || p->win.stride_h < 1 ||
      p->win.stride_w < 1 || p->win.dilation_h < 1 || p->win.dilation_w < 1 || p->out_h < 1 ||
      p->out_w < 1)
    return TART_ERR_PARAMS;
  geom g;
  geom_of(p, &g);
  const size_t rs = (size_t)g.plane_w;
  /* The row of sums after the plane (an even number of int16: word aligned). */
  int32_t *acc = (int32_t *)(void *)(plane + rs * (size_t)g.plane_h);
  const int k3x3 = g.k_r == 3 && g.k_c == 3 && g.d_r == 1 && g.d_c == 1 && g.s_c <= 2;
  const size_t C = (size_t)p->in_c;
  const size_t in_image = (size_t)p->in_h * (size_t)p->in_w * C;
  const size_t out_image = (size_t)p->out_h * (size_t)p->out_w * C;
  memset(plane, 0, rs * (size_t)g.plane_h * sizeof(int16_t));
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * in_image;
    int8_t *out_b = output + (size_t)b * out_image;
    for (int32_t c = 0; c < p->in_c; c++) {
      fill_plane(&g, p->in_neg_zp, in_b + c, plane);
      const int32_t *fq = p->n_fq > 0 ? p->fq + 3 * c : NULL;
      /* The requantization inside the micro-kernel where SSAT is the clamp. */
      const int fused = fq && q.clamp_min == -128 && q.clamp_max == 127;
      /* With fq, weights and bias doubled (see the top). */
      const int32_t dbl = fq ? 1 : 0;
      const int32_t bc = bias ? tart_shl_wrap(bias[c], dbl) : 0;
      /* The channel's taps: tap (r, k) of the plane's window at f[r * sr + k * sk]. */
      const int8_t *f = filter + c;
      const size_t sr = (size_t)g.tap_r * C, sk = (size_t)g.tap_k * C;
      int32_t w[6];
      if (k3x3)
        for (int32_t r = 0; r < 3; r++) {
          const int8_t *fr = f + (size_t)r * sr;
          const int32_t t0 = fr[0] * (1 + dbl), t1 = fr[sk] * (1 + dbl),
                        t2 = fr[2 * sk] * (1 + dbl);
          w[2 * r] = pack16(t0, t1);
          w[2 * r + 1] = pack16(t1, t2);
        }
      for (int32_t oy = 0; oy < g.out_rows; oy++) {
        const int16_t *x = plane + (size_t)oy * (size_t)g.s_r * rs;
        int8_t *o = out_b + (size_t)oy * g.out_row_step + c;
        if (k3x3 && g.s_c == 1 && g.out_cols < 16 && g.out_cols % 4 != 0) {
          /* A short row: whole groups of four in the micro-kernel, past the row's end (the
           * plane and the row of sums have room), cheaper than a tail in C. */
          tart_mk_dw3x3_s1_x4(x, g.plane_w, groups4(g.out_cols) / 4, w, bc, acc);
          requant_row(acc, g.out_cols, fq, &q, c, o, g.out_col_step);
          continue;
        }
        if (k3x3 && g.s_c == 1) {
          /* Groups of four in the micro-kernel (requantized there too when the clamp is
           * SSAT's), the rest in C. */
          const int32_t n4 = g.out_cols / 4, t = g.out_cols - 4 * n4;
          if (n4 > 0 && fused)
            tart_mk_dw3x3_s1_x4_rq(x, g.plane_w, n4, w, bc, o, (int32_t)g.out_col_step, fq);
          else if (n4 > 0)
            tart_mk_dw3x3_s1_x4(x, g.plane_w, n4, w, bc, acc);
          macs_3x3_s1_tail(x + 4 * n4, g.plane_w, t, w, bc, acc + (fused ? 0 : 4 * n4));
          if (fused)
            requant_row(acc, t, fq, &q, c, o + (size_t)(4 * n4) * g.out_col_step, g.out_col_step);
          else
            requant_row(acc, g.out_cols, fq, &q, c, o, g.out_col_step);
          continue;
        }
        if (k3x3)
          macs_3x3_s2(x, g.plane_w, g.out_cols, w, bc, acc);
        else
          macs_general(&g, x, f, sr, sk, dbl, bc, acc);
        requant_row(acc, g.out_cols, fq, &q, c, o, g.out_col_step);
      }
    }
  }
  return TART_OK;
}
