/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activation_s8.c: int8 SOFTMAX, LOG_SOFTMAX, LOGISTIC and TANH, bit-exact with TensorFlow Lite
 * Micro's reference kernels, which evaluate exp and 1/(1+x) in gemmlowp's fixed-point arithmetic.
 *
 * A fixed-point value with `ib` integer bits is raw * 2^(ib - 31) (gemmlowp's
 * FixedPoint<int32_t, ib>). Products use the rounding doubling high multiply (integer bits
 * add up), sums and differences wrap (gemmlowp's int32 Add/Sub are plain, never saturating),
 * and changing the integer bits of a value shifts it: left saturating, right rounding half
 * away from zero. The constants are gemmlowp's, raw Q0.31 / Q2.29 values.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

static int32_t fx_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
static int32_t fx_sub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}
static int32_t fx_mul(int32_t a, int32_t b) {
  return tart_sat_rounding_doubling_high_mul(a, b);
}

/* x * 2^e for e in [1, 30], saturating (gemmlowp's SaturatingRoundingMultiplyByPOT<e>). */
static int32_t fx_sat_shl(int32_t x, int32_t e) {
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1u);
  if (x > threshold)
    return INT32_MAX;
  if (x < -threshold)
    return INT32_MIN;
  return tart_shl_wrap(x, e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor expansion around -1/8. */
static int32_t exp_quarter(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = fx_add(a, 1 << 28);
  const int32_t x2 = fx_mul(x, x);
  const int32_t x3 = fx_mul(x2, x);
  const int32_t x4 = fx_mul(x2, x2);
  const int32_t x4_over_4 = tart_rounding_divide_by_pot(x4, 2);
  const int32_t poly =
      tart_rounding_divide_by_pot(fx_add(fx_mul(fx_add(x4_over_4, x3), one_third), x2), 1);
  return fx_add(exp_minus_one_eighth, fx_mul(exp_minus_one_eighth, fx_add(x, poly)));
}

/* exp(a) for a <= 0 with ib integer bits (1 <= ib <= 6), result Q0.31
 * (gemmlowp's exp_on_negative_values): exp of a's remainder modulo 1/4, times exp(-2^k) for
 * each bit k of the rest. */
static int32_t exp_on_negative(int32_t a, int32_t ib) {
  static const int32_t exp_minus_pow2[7] = {/* exp(-2^k), k = -2..4, Q0.31 */
                                            1672461947, 1302514674, 790015084, 290630308,
                                            39332535,   720401,     242};
  const int32_t frac_bits = 31 - ib;
  const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t a_mod_quarter_minus_quarter = fx_sub(a & (one_quarter - 1), one_quarter);
  int32_t result = exp_quarter(fx_sat_shl(a_mod_quarter_minus_quarter, ib));
  const int32_t remainder = fx_sub(a_mod_quarter_minus_quarter, a);
  for (int32_t k = -2; k <= 4 && k < ib; k++)
    if (remainder & ((int32_t)1 << (frac_bits + k)))
      result = fx_mul(result, exp_minus_pow2[k + 2]);
  /* exp(a) below -32 is 0 (only reachable with more than 5 integer bits). */
  if (ib > 5 && a < -((int32_t)1 << (36 - ib)))
    result = 0;
  return a == 0 ? INT32_MAX : result;
}

/* The Newton-Raphson iteration shared by 1/(1+a) and (1-a)/(1+a), a in [0, 1) Q0.31:
 * returns 1/((1+a)/2) in Q2.29. */
static int32_t reciprocal_half_den(int32_t a) {
  /* RoundingHalfSum(a, One): (a + INT32_MAX) / 2 rounded half away from zero. */
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810;      /* Q2.29 */
  const int32_t c_neg32_over_17 = -1010580540; /* Q2.29 */
  int32_t x = fx_add(c48_over_17, fx_mul(half_den, c_neg32_over_17));
  for (int i = 0; i < 3; i++) {
    const int32_t one_minus_half_den_x = fx_sub((int32_t)1 << 29, fx_mul(half_den, x));
    x = fx_add(x, fx_sat_shl(fx_mul(x, one_minus_half_den_x), 2));
  }
  return x;
}

/* 1/(1+a), a in [0, 1), Q0.31 (gemmlowp's one_over_one_plus_x_for_x_in_0_1). */
static int32_t one_over_one_plus(int32_t a) {
  return fx_sat_shl(reciprocal_half_den(a), 1);
}

/* (1-a)/(1+a), a in [0, 1), Q0.31 (gemmlowp's one_minus_x_over_one_plus_x_for_x_in_0_1). */
static int32_t one_minus_over_one_plus(int32_t a) {
  return fx_sat_shl(fx_sub(reciprocal_half_den(a), (int32_t)1 << 29), 2);
}

static int32_t count_leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0)
    return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
}

/* x / 2^e rounded half away from zero, for any e >= 0 (the reference allows e <= 31 only; a
 * larger e, which it rejects at run time, rounds every Q0.31 value to 0). */
static int32_t rounding_divide_wide(int32_t x, int32_t e) {
  if (e <= 31)
    return tart_rounding_divide_by_pot(x, e);
  return 0;
}

/* Softmax over each row: exp of the rescaled differences to the row maximum, summed in Q12.19,
 * then each exp times the reciprocal of the sum (TFLite's GetReciprocal), in units of 1/256
 * offset by -128. Differences below diff_min contribute nothing and output -128. */
tart_status tart_softmax_s8(const tart_softmax_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t depth = p->depth;
  (void)scratch;
  if (p->in_shift_left < 0 || p->in_shift_left > 31)
    return TART_ERR_PARAMS;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = input + r * depth;
    int8_t *o = output + r * depth;
    int32_t max = -128;
    for (int32_t c = 0; c < depth; c++)
      if (x[c] > max)
        max = x[c];

    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff < p->diff_min)
        continue;
      const int32_t scaled =
          tart_mul_by_quantized_mult_greater_than_one(diff, p->in_mult, p->in_shift_left);
      sum_of_exps =
          fx_add(sum_of_exps, tart_rounding_divide_by_pot(exp_on_negative(scaled, 5), 12));
    }

    /* GetReciprocal: normalise the sum to [1, 2), take 1/(1+x) of its fraction. */
    const int32_t headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
    if (headroom_plus_one >= 32)
      return TART_ERR_PARAMS; /* unreachable: exp(0) is counted */
    const int32_t num_bits_over_unit = 12 - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - (1u << 31));
    const int32_t shifted_scale = one_over_one_plus(shifted_sum_minus_one);
    const int32_t exponent = num_bits_over_unit + 31 - 8;

    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff < p->diff_min) {
        o[c] = -128;
        continue;
      }
      const int32_t scaled =
          tart_mul_by_quantized_mult_greater_than_one(diff, p->in_mult, p->in_shift_left);
      const int32_t e = exp_on_negative(scaled, 5);
      const int32_t unsat = rounding_divide_wide(fx_mul(shifted_scale, e), exponent);
      o[c] = (int8_t)tart_clamp_i32(unsat - 128, -128, 127);
    }
  }
  return TART_OK;
}

/* log(x) for x >= 1 given in Q12.19, result Q5.26 (TFLite's
 * log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>): x = 2^k * r with r near
 * [sqrt(1/2), 1), k in a Q6.25 accumulator (sums saturate there), log(r) from a rational
 * approximation around 2^-1/4. The constants are TFLite's (Q0.31). */
static int32_t sat_add64(int64_t v) {
  return (int32_t)(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
}
static int32_t fx_sat_shl0(int32_t x, int32_t e) { /* e in [0, 31] */
  return e == 0 ? x : fx_sat_shl(x, e);
}
static int32_t log_q12_to_q5(int32_t z_a) {
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
  const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769;
  const int32_t alpha_f = 638450708;
  const int32_t shifted_quarter = (int32_t)1 << 23; /* 1/4 in Q6.25 */
  const int32_t ha = count_leading_zeros((uint32_t)z_a);
  const int32_t r_a = fx_sat_shl0(fx_mul(fx_sat_shl0(z_a, ha - 1), sqrt_half), 1);
  const int32_t za_adj = sat_add64((int64_t)fx_sat_shl0(12 - ha, 25) + (int64_t)shifted_quarter);
  const int32_t z_b = fx_mul(z_a, sqrt_half);
  const int32_t hb = count_leading_zeros((uint32_t)z_b) - 1;
  const int32_t r_b = fx_sat_shl0(z_a, hb);
  const int32_t zb_adj = sat_add64((int64_t)fx_sat_shl0(12 - hb, 25) - (int64_t)shifted_quarter);
  const int32_t r = r_a < r_b ? r_a : r_b;
  const int32_t z_adj = za_adj > zb_adj ? za_adj : zb_adj;
  /* RoundingHalfSum(r, sqrt_sqrt_half). */
  const int64_t sum = (int64_t)r + sqrt_sqrt_half;
  const int32_t p = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t q = fx_sub(r, sqrt_sqrt_half);
  q = fx_add(q, q);
  const int32_t common_sq = fx_mul(q, q);
  const int32_t num = fx_add(fx_mul(q, r), fx_mul(fx_mul(q, common_sq), alpha_n));
  const int32_t denom_minus_one =
      fx_add(fx_mul(p, fx_add(fx_add(alpha_i, q), fx_mul(alpha_d, common_sq))), fx_mul(alpha_f, q));
  const int32_t recip_denom = one_over_one_plus(denom_minus_one);
  const int32_t num_scaled = tart_rounding_divide_by_pot(num, 6);
  return fx_sat_shl(fx_add(fx_mul(z_adj, log_2), fx_mul(num_scaled, recip_denom)), 1);
}

/* LOG_SOFTMAX over each row: the sum of exps as softmax_s8 computes it, its log, and each
 * rescaled difference minus the log in units of 1/16 offset by 127. */
tart_status tart_log_softmax_s8(const tart_log_softmax_params *p, const void *const *in,
                                void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  const int32_t depth = p->depth;
  (void)scratch;
  if (p->in_shift_left < 0 || p->in_shift_left > 31 || p->rev_shift_left > 0 ||
      p->rev_shift_left < -31)
    return TART_ERR_PARAMS;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = input + r * depth;
    int8_t *o = output + r * depth;
    int32_t max = -128;
    for (int32_t c = 0; c < depth; c++)
      if (x[c] > max)
        max = x[c];
    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff < p->diff_min)
        continue;
      const int32_t scaled = tart_mul_by_quantized_mult(diff, p->in_mult, p->in_shift_left);
      sum_of_exps =
          fx_add(sum_of_exps, tart_rounding_divide_by_pot(exp_on_negative(scaled, 5), 12));
    }
    const int32_t log_sum = log_q12_to_q5(sum_of_exps); /* >= 0: the sum is >= 1 */
    const int32_t rev =
        tart_mul_by_quantized_mult(fx_add(log_sum, INT32_MIN), p->rev_mult, p->rev_shift_left);
    const int32_t adjusted_diff_min = p->diff_min - 1 > rev ? p->diff_min - 1 : rev;
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff <= adjusted_diff_min) {
        o[c] = -128;
        continue;
      }
      const int32_t scaled = tart_mul_by_quantized_mult(diff, p->in_mult, p->in_shift_left);
      const int32_t v = tart_rounding_divide_by_pot(fx_sub(scaled, log_sum), 22) + 127;
      o[c] = (int8_t)tart_clamp_i32(v, -128, 127);
    }
  }
  return TART_OK;
}

/* softmax_s8 with an int16 output (TFLite's Softmax<int8_t, int16_t>): the same fixed-point
 * steps, the result in units of 1/65536 offset by -32768. Kept apart from softmax_s8 so that
 * the int8 kernel's code does not change. */
tart_status tart_softmax_s8_s16(const tart_softmax_params *p, const void *const *in,
                                void *const *out, void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int16_t *output = (int16_t *)out[0];
  const int32_t depth = p->depth;
  (void)scratch;
  if (p->in_shift_left < 0 || p->in_shift_left > 31)
    return TART_ERR_PARAMS;
  for (int32_t r = 0; r < p->rows; r++) {
    const int8_t *x = input + r * depth;
    int16_t *o = output + r * depth;
    int32_t max = -128;
    for (int32_t c = 0; c < depth; c++)
      if (x[c] > max)
        max = x[c];
    int32_t sum_of_exps = 0; /* Q12.19 */
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff < p->diff_min)
        continue;
      const int32_t scaled =
          tart_mul_by_quantized_mult_greater_than_one(diff, p->in_mult, p->in_shift_left);
      sum_of_exps =
          fx_add(sum_of_exps, tart_rounding_divide_by_pot(exp_on_negative(scaled, 5), 12));
    }
    const int32_t headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
    if (headroom_plus_one >= 32)
      return TART_ERR_PARAMS;
    const int32_t num_bits_over_unit = 12 - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - (1u << 31));
    const int32_t shifted_scale = one_over_one_plus(shifted_sum_minus_one);
    const int32_t exponent = num_bits_over_unit + 31 - 16;
    for (int32_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)x[c] - max;
      if (diff < p->diff_min) {
        o[c] = INT16_MIN;
        continue;
      }
      const int32_t scaled =
          tart_mul_by_quantized_mult_greater_than_one(diff, p->in_mult, p->in_shift_left);
      const int32_t e = exp_on_negative(scaled, 5);
      const int32_t unsat = rounding_divide_wide(fx_mul(shifted_scale, e), exponent);
      o[c] = (int16_t)tart_clamp_i32(unsat - 32768, INT16_MIN, INT16_MAX);
    }
  }
  return TART_OK;
}

/* The input shift is applied only below the radius, which is 0 whenever the shift exceeds 30
 * (radius = floor(15 * 2^27 / 2^shift)). */
static int sigmoid_params_ok(const tart_sigmoid_params *p) {
  return p->in_shift_left >= 0 && (p->in_shift_left <= 31 || p->in_range_radius <= 0);
}

/* The Q4.27 input of LOGISTIC/TANH, or 0 with *sat set to -1/+1 when |x - zp| reaches the
 * radius past which the output saturates. */
static int32_t sigmoid_input(const tart_sigmoid_params *p, int8_t v, int32_t *sat) {
  const int32_t x = (int32_t)v - p->in_zp;
  *sat = x <= -p->in_range_radius ? -1 : (x >= p->in_range_radius ? 1 : 0);
  if (*sat)
    return 0;
  return tart_mul_by_quantized_mult(x, p->in_mult, p->in_shift_left);
}

/* logistic(a) = 1/(1+exp(-|a|)) for a > 0, 1 - that for a < 0; Q4.27 in, Q0.31 out. */
static int32_t fx_logistic(int32_t a) {
  if (a == 0)
    return 1 << 30;
  const int32_t neg_abs = a > 0 ? fx_sub(0, a) : a;
  const int32_t r = one_over_one_plus(exp_on_negative(neg_abs, 4));
  return a > 0 ? r : fx_sub(INT32_MAX, r);
}

/* tanh(a) = (1-exp(-2|a|))/(1+exp(-2|a|)) with a's sign; Q4.27 in, Q0.31 out. -2|a| is the
 * same raw value read with 5 integer bits. */
static int32_t fx_tanh(int32_t a) {
  if (a == 0)
    return 0;
  const int32_t neg_abs = a < 0 ? a : fx_sub(0, a);
  const int32_t t = one_minus_over_one_plus(exp_on_negative(neg_abs, 5));
  return a < 0 ? fx_sub(0, t) : t;
}

/* Output scale 1/256, zero point -128: Q0.31 -> round(x * 2^8) - 128. */
tart_status tart_logistic_s8(const tart_sigmoid_params *p, const void *const *in, void *const *out,
                             void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  (void)scratch;
  if (!sigmoid_params_ok(p))
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++) {
    int32_t sat;
    const int32_t a = sigmoid_input(p, input[i], &sat);
    if (sat) {
      output[i] = sat < 0 ? -128 : 127;
      continue;
    }
    const int32_t q23 = tart_rounding_divide_by_pot(fx_logistic(a), 31 - 8);
    output[i] = (int8_t)tart_clamp_i32(q23 - 128, -128, 127);
  }
  return TART_OK;
}

/* Output scale 1/128, zero point 0: Q0.31 -> round(x * 2^7). */
tart_status tart_tanh_s8(const tart_sigmoid_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const int8_t *input = (const int8_t *)in[0];
  int8_t *output = (int8_t *)out[0];
  (void)scratch;
  if (!sigmoid_params_ok(p))
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++) {
    int32_t sat;
    const int32_t a = sigmoid_input(p, input[i], &sat);
    if (sat) {
      output[i] = sat < 0 ? -128 : 127;
      continue;
    }
    const int32_t q24 = tart_rounding_divide_by_pot(fx_tanh(a), 31 - 7);
    output[i] = (int8_t)tart_clamp_i32(q24, -128, 127);
  }
  return TART_OK;
}

/* ---- HARD_SWISH: TFLite's reference_ops::HardSwish<int8_t>, on int16 fixed point ---------- */

/* v wrapped to int16 (the reference narrows its int16 sums by assignment). */
static int32_t hs_wrap16(int64_t v) {
  return (int32_t)((v + 32768) & 0xFFFF) - 32768;
}
static int32_t hs_sat16(int64_t v) {
  return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : (int32_t)v;
}
/* gemmlowp's SaturatingRoundingDoublingHighMul on int16 (rounds half away from zero). */
static int32_t hs_srdhm16(int32_t a, int32_t b) {
  if (a == INT16_MIN && b == INT16_MIN)
    return INT16_MAX;
  const int32_t ab = a * b;
  return (ab + (ab >= 0 ? (1 << 14) : 1 - (1 << 14))) / (1 << 15);
}
/* The reference's SaturatingDoublingHighMul: the same truncating toward zero. */
static int32_t hs_sdhm16(int32_t a, int32_t b) {
  if (a == INT16_MIN && b == INT16_MIN)
    return INT16_MAX;
  return a * b / (1 << 15);
}
/* gemmlowp's RoundingDivideByPOT<int16_t> for e in [0, 31], its mask and threshold narrowed to
 * int16 as the template does (so for e >= 16 it is not a division any more, as there). */
static int32_t hs_rdbpot16(int32_t x, int32_t e) {
  const int32_t mask = hs_wrap16((1ll << e) - 1);
  const int32_t rem = x & mask;
  const int32_t threshold = hs_wrap16((mask >> 1) + (x < 0 ? 1 : 0));
  return hs_wrap16((x >> e) + (rem > threshold ? 1 : 0));
}

tart_status tart_hard_swish_s8(const tart_hard_swish_params *p, const void *const *in,
                               void *const *out, void *scratch) {
  const int8_t *x = (const int8_t *)in[0];
  int8_t *y = (int8_t *)out[0];
  const int32_t re = p->reluish_shift_left;
  (void)scratch;
  if (p->n_elems < 0 || p->out_shift_left > 0 || p->out_shift_left < -31 || re < -31 || re > 31)
    return TART_ERR_PARAMS;
  for (int32_t i = 0; i < p->n_elems; i++) {
    const int32_t v = hs_wrap16(x[i] - p->in_zp);
    const int32_t hires = hs_wrap16(v * 128);
    const int32_t pre_out = hs_srdhm16(hires, p->out_mult);
    int32_t reluish = hires;
    if (re > 0)
      reluish = hs_sat16((int64_t)reluish * ((int64_t)1 << (re - 1)));
    reluish = hs_srdhm16(reluish, p->reluish_mult);
    if (re > 0)
      reluish = hs_sat16((int64_t)reluish * 2);
    if (re < 0)
      reluish = hs_rdbpot16(reluish, -re);
    reluish = (reluish + (1 << 15)) >> 1;
    int32_t o = hs_rdbpot16(hs_sdhm16(reluish, pre_out), -p->out_shift_left);
    o = hs_wrap16(o + p->out_zp);
    y[i] = (int8_t)tart_clamp_i32(o, -128, 127);
  }
  return TART_OK;
}
