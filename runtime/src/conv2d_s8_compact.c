/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_s8_compact.c: int8 2-D convolution (groups 1), the --optimize size kernel: the packed
 * kernel's arithmetic in one short loop. The filter is re-laid out in int8 (tart_mk_s8.h's
 * order, the model's own bytes plus the depth padding), output pixels go in pairs through
 * tart_mk2x2_s8 (each weight word read once for both pixels, 16 instructions per 16 MACs on
 * the Cortex-M4), and the fast requantization (fq) runs where the compiler grants it, the
 * general one (rq) elsewhere. Left out, for flash: the packed kernel's int16 weights, its
 * specialized block loops and its row-by-row window paths (some 4 KB of code at -Os).
 *
 * Bit-exact with tart_conv2d_s8, as the packed kernel: sum(x * w) + acc_init, where acc_init
 * holds bias + in_neg_zp * sum(w), and taps outside the input hold in_zp, which contributes
 * (in_zp + in_neg_zp) * w = 0. The depth k is padded to k4 (a multiple of 4) with weights 0.
 *
 * A pixel's window is read in place when it is one run of bytes inside the input (a filter
 * one row high, as 1x1; or a window whose rows follow each other, dilation_h * in_w =
 * filter_w, as in 1-D convolutions over H; tart_window_at_s8) and its k4 bytes lie inside the
 * input (those past k meet weights 0); else it is gathered into its im2col row. Scratch:
 * the pair expanded to int16 (4 * k4 bytes), two im2col rows (2 * k4) and out_c bytes (four
 * aligned) where an odd last pixel's missing partner writes.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_im2col_s8.h"
#include "tart_mk2_s8.h"

static int32_t k4_of(const tart_conv_params *p) {
  return (p->win.filter_h * p->win.filter_w * p->in_c + 3) & ~3;
}

size_t tart_conv2d_s8_compact_scratch_size(const tart_conv_params *p) {
  return 6 * (size_t)k4_of(p) + (((size_t)p->out_c + 3) & ~(size_t)3);
}

/* Output pixel i's window as k4 readable bytes: in place (see the top), else gathered into
 * col (whose bytes past k stay 0). */
static const int8_t *window(const tart_conv_params *p, const int8_t *in_b, const int8_t *in_end,
                            int32_t i, int8_t *col) {
  const int32_t oy = i / p->out_w, ox = i % p->out_w;
  if (p->win.filter_h == 1 || p->win.dilation_h * p->in_w == p->win.filter_w) {
    const int8_t *at = tart_window_at_s8(p, in_b, oy, ox);
    if (at && in_end - at >= k4_of(p))
      return at;
  }
  tart_im2col_s8(p, in_b, oy, ox, col);
  return col;
}

/* Channels c .. c + n - 1 of pixels a and b (sums in va and vb) to int8 at oa and ob. */
static void requant(const tart_requant *restrict q, const int32_t *restrict fq, int32_t c,
                    int32_t n, const int32_t *restrict va, const int32_t *restrict vb,
                    int8_t *restrict oa, int8_t *restrict ob) {
  const int32_t lo = q->clamp_min, hi = q->clamp_max;
  if (!fq) {
    for (int32_t t = 0; t < n; t++, c++) {
      oa[c] = tart_requant_s8(q, va[t], c);
      ob[c] = tart_requant_s8(q, vb[t], c);
    }
    return;
  }
  for (const int32_t *f = fq + 3 * c; n > 0; n--, va++, vb++, f += 3, c++) {
    oa[c] = (int8_t)tart_clamp_i32(tart_requant_fast(*va, f[0], f[1], f[2]), lo, hi);
    ob[c] = (int8_t)tart_clamp_i32(tart_requant_fast(*vb, f[0], f[1], f[2]), lo, hi);
  }
}

tart_status tart_conv2d_s8_compact(const tart_conv_params *p, const void *const *in,
                                   void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t k4 = k4_of(p), nq = k4 / 4, out_c = p->out_c;
  const tart_requant rq = TART_REQUANT_OF(p), *const q = &rq;
  const int32_t *fq = p->n_fq > 0 ? p->fq : NULL;
  if (p->groups != 1 || p->filter_c != p->in_c || p->n_acc_init != out_c || scratch == NULL ||
      (size_t)p->n_packed != (size_t)nq * (size_t)out_c ||
      (fq ? p->n_fq != 3 * out_c : !tart_requant_ok(q, p->rq.n_mult, out_c)))
    return TART_ERR_PARAMS;
  int32_t *xx = (int32_t *)scratch;
  int8_t *col_a = (int8_t *)(xx + 4 * nq), *col_b = col_a + k4, *spare = col_b + k4;
  memset(col_a, 0, 2 * (size_t)k4);
  const int32_t n_pix = p->out_h * p->out_w;
  const size_t image = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
  const int8_t *const in_end = input + (size_t)p->batches * image;
  for (int32_t bt = 0; bt < p->batches; bt++) {
    const int8_t *in_b = input + (size_t)bt * image;
    int8_t *out_b = output + (size_t)bt * (size_t)n_pix * (size_t)out_c;
    /* Pixels in pairs; an odd last one is paired with itself, its twin written to spare. */
    for (int32_t i = 0; i < n_pix; i += 2) {
      const int32_t j = i + 1 < n_pix ? i + 1 : i;
      tart_mk_expand2_s8(window(p, in_b, in_end, i, col_a), window(p, in_b, in_end, j, col_b), nq,
                         xx);
      int8_t *oa = out_b + (size_t)i * (size_t)out_c;
      int8_t *ob = j != i ? oa + out_c : spare;
      const int32_t *w = p->packed;
      int32_t c = 0;
      for (; c + 4 <= out_c; c += 4, w += 4 * nq) {
        int32_t a[4] = {p->acc_init[c], p->acc_init[c + 1], p->acc_init[c + 2], p->acc_init[c + 3]};
        int32_t b[4] = {a[0], a[1], a[2], a[3]};
        tart_mk2x2_s8(xx, w, nq, a, b);
        tart_mk2x2_s8(xx, w + 2, nq, a + 2, b + 2);
        requant(q, fq, c, 4, a, b, oa, ob);
      }
      for (; c < out_c; c++, w += nq) {
        int32_t a = p->acc_init[c], b = a;
        tart_mk2x1_s8(xx, w, nq, 1, &a, &b);
        requant(q, fq, c, 1, &a, &b, oa, ob);
      }
    }
  }
  return TART_OK;
}
