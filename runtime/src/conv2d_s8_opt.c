/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv2d_s8_opt.c: int8 2-D convolution (groups 1), as a matrix-vector product per output
 * pixel, bit-exact with tart_conv2d_s8.
 *
 * sum((x + in_neg_zp) * w) + bias = sum(x * w) + acc_init, with acc_init = bias +
 * in_neg_zp * sum(w) computed by the compiler. A window tap outside the input contributes
 * nothing in the reference; here the patch holds the input zero point there (in_zp), and
 * (in_zp + in_neg_zp) * w = 0, so the identity holds for every pixel. The patch is
 * the pixel itself for a 1x1 filter without padding, else an im2col row in scratch
 * (KH*KW*Ci bytes). Four output channels are computed at once, sharing each input load.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_im2col_s8.h"
#include "tart_simd.h"

static int conv_direct(const tart_conv_params *p) {
  return p->win.filter_h == 1 && p->win.filter_w == 1 && p->win.pad_h == 0 && p->win.pad_w == 0;
}

size_t tart_conv2d_s8_opt_scratch_size(const tart_conv_params *p) {
  return conv_direct(p) ? 0 : (size_t)p->win.filter_h * (size_t)p->win.filter_w * (size_t)p->in_c;
}

/* All output channels of one pixel, four at a time (the int8 stores may alias anything, so
 * everything the loop reads comes in through restrict pointers and locals). */
static void pixel(const int8_t *patch, const int8_t *filter, int32_t k, int32_t out_c,
                  const int32_t *restrict acc_init, const tart_requant *restrict q,
                  int8_t *restrict o) {
  int32_t oc = 0;
  for (; oc + 4 <= out_c; oc += 4) {
    int32_t acc[4] = {acc_init[oc], acc_init[oc + 1], acc_init[oc + 2], acc_init[oc + 3]};
    tart_dot4_s8(patch, filter + (size_t)oc * (size_t)k, k, k, acc);
    tart_requant4_s8(q, acc[0], acc[1], acc[2], acc[3], oc, o + oc);
  }
  for (; oc < out_c; oc++)
    o[oc] = tart_requant_s8(q, tart_dot_s8(patch, filter + (size_t)oc * (size_t)k, k, acc_init[oc]),
                            oc);
}

tart_status tart_conv2d_s8_opt(const tart_conv_params *p, const void *const *in, void *const *out,
                               void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *filter = (const int8_t *)in[1];
  int8_t *output = (int8_t *)out[0];
  const int32_t k = p->win.filter_h * p->win.filter_w * p->in_c;
  const int direct = conv_direct(p);
  const tart_requant rq = TART_REQUANT_OF(p), *const q = &rq;
  if (p->groups != 1 || p->filter_c != p->in_c || p->n_acc_init != p->out_c ||
      !tart_requant_ok(q, p->rq.n_mult, p->out_c) || (!direct && scratch == NULL))
    return TART_ERR_PARAMS;
  int8_t *col = (int8_t *)scratch;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *in_b = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
      for (int32_t ox = 0; ox < p->out_w; ox++) {
        const int8_t *patch;
        if (direct) {
          patch = in_b + ((size_t)(oy * p->win.stride_h) * (size_t)p->in_w +
                          (size_t)(ox * p->win.stride_w)) *
                             (size_t)p->in_c;
        } else {
          tart_im2col_s8(p, in_b, oy, ox, col);
          patch = col;
        }
        int8_t *o =
            output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                         (size_t)p->out_c;
        pixel(patch, filter, k, p->out_c, p->acc_init, q, o);
      }
    }
  }
  return TART_OK;
}
