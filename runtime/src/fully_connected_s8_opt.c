/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected_s8_opt.c: int8 fully connected layer with symmetric weights
 * (filter_offset 0), bit-exact with tart_fully_connected_s8: sum((x + input_offset) * w) +
 * bias = sum(x * w) + acc_init, acc_init = bias + input_offset * sum(w row) computed by the
 * compiler; four output channels at once share each input load (tart_simd.h).
 */
#include "tart.h"
#include "tart_fixedpoint.h"
#include "tart_simd.h"

static inline int8_t requant(const tart_fc_params *p, int32_t acc, int32_t c) {
  const int32_t k = p->n_mult == 1 ? 0 : c;
  acc = tart_wrap_add(tart_mul_by_quantized_mult(acc, p->mult[k], p->shift_left[k]),
                      p->output_offset);
  return (int8_t)tart_clamp_i32(acc, p->act_min, p->act_max);
}

tart_status tart_fully_connected_s8_opt(const tart_fc_params *p, const void *const *in,
                                        void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  const int8_t *weights = (const int8_t *)in[1];
  int8_t *output = (int8_t *)out[0];
  const int32_t d = p->accum_depth;
  (void)scratch;
  if (p->filter_offset != 0 || p->n_acc_init != p->out_c ||
      (p->n_mult != 1 && p->n_mult != p->out_c))
    return TART_ERR_PARAMS;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *x = input + (size_t)b * (size_t)d;
    int8_t *o = output + (size_t)b * (size_t)p->out_c;
    int32_t c = 0;
    for (; c + 4 <= p->out_c; c += 4) {
      int32_t acc[4] = {p->acc_init[c], p->acc_init[c + 1], p->acc_init[c + 2], p->acc_init[c + 3]};
      tart_dot4_s8(x, weights + (size_t)c * (size_t)d, d, d, acc);
      o[c] = requant(p, acc[0], c);
      o[c + 1] = requant(p, acc[1], c + 1);
      o[c + 2] = requant(p, acc[2], c + 2);
      o[c + 3] = requant(p, acc[3], c + 3);
    }
    for (; c < p->out_c; c++)
      o[c] = requant(p, tart_dot_s8(x, weights + (size_t)c * (size_t)d, d, p->acc_init[c]), c);
  }
  return TART_OK;
}
