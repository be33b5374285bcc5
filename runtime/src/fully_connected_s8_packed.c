/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected_s8_packed.c: int8 fully connected layer with symmetric weights over
 * weights the compiler re-laid out (tart_mk_s8.h), bit-exact with tart_fully_connected_s8:
 * sum((x + in_neg_zp) * w) + bias = sum(x * w) + acc_init as in tart_fully_connected_s8_opt.
 * The depth is padded to k4, a multiple of 4, with weights 0; when k4 != k each input row is
 * copied to scratch first, so that the micro-kernel's word loads stay inside it. With int8
 * weights, two blocks of four output channels or more and a row of at most 256, each input
 * row is expanded once to int16 pairs in scratch (2 * k4 bytes, first, word aligned;
 * tart_mk2_s8.h), so that the inner loop sign-extends only the weights; for one block the
 * expansion would cost about what it saves.
 */
#include <string.h>

#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_mk2_s8.h"
#include "tart_mk_s8.h"

/* The expansion's scratch (2 * k4 bytes) is kept within TART_FC_EXPAND_MAX_BYTES: an FC with
 * a longer row runs without it, so that it never outgrows the activations of a small model's
 * arena (the anomaly detection model's 640-long first row would take its arena from 264 to
 * 1,408 bytes, above TFLM's, for 15% of that layer's instructions). */
#ifndef TART_FC_EXPAND_MAX_BYTES
#define TART_FC_EXPAND_MAX_BYTES 512
#endif

static int expand_input(const tart_fc_params *p) {
  return p->n_packed > 0 && p->out_c >= 8 &&
         2 * (((int64_t)p->accum_depth + 3) & ~(int64_t)3) <= TART_FC_EXPAND_MAX_BYTES;
}

size_t tart_fully_connected_s8_packed_scratch_size(const tart_fc_params *p) {
  const size_t k4 = (size_t)((p->accum_depth + 3) & ~3);
  return (expand_input(p) ? 2 * k4 : 0) + (p->accum_depth % 4 ? k4 : 0);
}

tart_status tart_fully_connected_s8_packed(const tart_fc_params *p, const void *const *in,
                                           void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t d = p->accum_depth, k4 = (d + 3) & ~3;
  const size_t n_w = (size_t)k4 * (size_t)p->out_c / 4; /* words of int8 */
  const tart_requant rq = TART_REQUANT_OF(p), *const q = &rq;
  const int32_t *w8 = p->n_packed > 0 ? p->packed : NULL;
  const int32_t *fq = p->n_fq > 0 ? p->fq : NULL;
  /* int8 weights: the expanded row (int32 words), then the padded row. */
  const int expand = expand_input(p);
  int32_t *xx = expand ? (int32_t *)scratch : NULL;
  int8_t *pad = expand && scratch ? (int8_t *)(xx + k4 / 2) : (int8_t *)scratch;
  if (p->filter_neg_zp != 0 || p->n_acc_init != p->out_c ||
      !tart_requant_ok(q, p->rq.n_mult, p->out_c) || ((k4 != d || expand) && scratch == NULL) ||
      (w8 ? (size_t)p->n_packed != n_w : (size_t)p->n_packed16 != 2 * n_w) ||
      (fq && p->n_fq != 3 * p->out_c))
    return TART_ERR_PARAMS;
  if (k4 != d)
    memset(pad + d, 0, (size_t)(k4 - d));
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *x = input + (size_t)b * (size_t)d;
    if (k4 != d) {
      memcpy(pad, x, (size_t)d);
      x = pad;
    }
    int8_t *o = output + (size_t)b * (size_t)p->out_c;
    if (expand)
      tart_mk_pixel_s8x(x, xx, w8, k4 / 4, p->out_c, p->acc_init, fq, q, o);
    else
      tart_mk_pixel_s8(x, w8, p->packed16, k4 / 4, p->out_c, p->acc_init, fq, q, o);
  }
  return TART_OK;
}
