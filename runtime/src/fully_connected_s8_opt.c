/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected_s8_opt.c: int8 fully connected layer with symmetric weights
 * (filter_neg_zp 0), bit-exact with tart_fully_connected_s8: sum((x + in_neg_zp) * w) +
 * bias = sum(x * w) + acc_init, acc_init = bias + in_neg_zp * sum(w row) computed by the
 * compiler; four output channels at once share each input load (tart_simd.h).
 */
#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_simd.h"

tart_status tart_fully_connected_s8_opt(const tart_fc_params *p, const void *const *in,
                                        void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *weights = (const int8_t *)in[1];
  int8_t *output = (int8_t *)out[0];
  const int32_t d = p->accum_depth;
  (void)scratch;
  const tart_requant rq = TART_REQUANT_OF(p), *const q = &rq;
  if (p->filter_neg_zp != 0 || p->n_acc_init != p->out_c ||
      !tart_requant_ok(q, p->rq.n_mult, p->out_c))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *x = input + (size_t)b * (size_t)d;
    int8_t *o = output + (size_t)b * (size_t)p->out_c;
    int32_t c = 0;
    for (; c + 4 <= p->out_c; c += 4) {
      int32_t acc[4] = {p->acc_init[c], p->acc_init[c + 1], p->acc_init[c + 2], p->acc_init[c + 3]};
      tart_dot4_s8(x, weights + (size_t)c * (size_t)d, d, d, acc);
      tart_requant4_s8(q, acc[0], acc[1], acc[2], acc[3], c, o + c);
    }
    for (; c < p->out_c; c++)
      o[c] =
          tart_requant_s8(q, tart_dot_s8(x, weights + (size_t)c * (size_t)d, d, p->acc_init[c]), c);
  }
  return TART_OK;
}
