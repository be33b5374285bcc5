/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm.c: TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM's kernels compute it
 * (defs/recurrent.def states the step), float and 8x8->16 integer. Batch rows are independent,
 * so both layouts (batch-major, time-major) run one row at a time: the same arithmetic as
 * TFLM's batched calls, element for element.
 *
 * The integer sigmoid and tanh are TFLite's int16 ones (reference_integer_ops::Logistic and
 * Tanh): a 256-entry table of sigmoid(i/24) in units of 2^-16, linearly interpolated, with
 * tanh(x) = 2 sigmoid(2x) - 1. The table is data of TFLite's numerics, not derivable by a
 * rounding rule (its entries are not all round(65536 sigmoid(i/24))), so it is written out.
 */
#include "tart.h"
#include "tart_fixedpoint.h"

#include <math.h>
#include <string.h>

enum { GATE_I, GATE_F, GATE_C, GATE_O };

static const uint16_t sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794,
    41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443,
    48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374,
    54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544,
    58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279,
    61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990,
    63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030,
    64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652,
    64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019,
    65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
    65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476,
    65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501,
    65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
    65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529,
    65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532,
    65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

/* The scaled input of the int16 sigmoid/tanh: x * mult, rounded right by shift (TFLite scales
 * by 3/4 on top of the input's power of two to widen the table's range). */
static int32_t act_input(int32_t x, int32_t mult, int32_t shift) {
  const int32_t round = shift > 0 ? 1 << (shift - 1) : 0;
  return (x * mult + round) >> shift;
}

/* sigmoid of a Q3.12 int16 in units of 2^-15 (TFLite: Logistic(0, 0, ...), multiplier 3). */
static int16_t sigmoid16(int32_t x) {
  const int32_t v = act_input(x, 3, 0);
  const uint32_t a = (uint32_t)(v < 0 ? -v : v);
  const uint32_t uh = a >> 9;
  uint32_t r;
  if (uh >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1];
    r = (ua << 9) + (a & 0x1ffu) * (ub - ua);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
  return (int16_t)(r >> 10);
}

/* tanh of an int16 (scaled by mult and shift as above) in units of 2^-15. */
static int16_t tanh16(int32_t x, int32_t mult, int32_t shift) {
  const int32_t v = act_input(x, mult, shift);
  const uint32_t a = (uint32_t)(v < 0 ? -v : v);
  const uint32_t uh = a >> 8;
  int32_t r;
  if (uh >= 255) {
    r = 0xFFFF << 8;
  } else {
    const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1];
    r = (int32_t)((ua << 8) + (a & 0xffu) * (ub - ua));
  }
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return (int16_t)(r >> 8);
}

static int16_t sat16(int32_t v) {
  return (int16_t)tart_clamp_i32(v, INT16_MIN, INT16_MAX);
}

size_t tart_lstm_f32_scratch_size(const tart_lstm_params *p) {
  return 5u * (size_t)(p->units > 0 ? p->units : 0) * sizeof(float);
}

size_t tart_lstm_s8_scratch_size(const tart_lstm_params *p) {
  return 5u * (size_t)(p->units > 0 ? p->units : 0) * sizeof(int32_t);
}

/* Offset of (batch b, time t) rows of width w in the input or output. */
static int32_t row(const tart_lstm_params *p, int32_t b, int32_t t, int32_t w) {
  return (p->time_major ? t * p->batches + b : b * p->time_steps + t) * w;
}

/* ONNX: the n states start each run from the initial inputs in[13..] (NULL: zeros). */
static void init_states(const tart_lstm_params *p, const void *const *in, void *const *out,
                        int32_t n, size_t elem_bytes) {
  const size_t bytes = (size_t)p->batches * (size_t)p->units * elem_bytes;
  for (int32_t k = 0; k < n; k++) {
    if (in[13 + k])
      memcpy(out[1 + k], in[13 + k], bytes);
    else
      memset(out[1 + k], 0, bytes);
  }
}

static float sigmoidf_ref(float x) {
  return 1.0f / (1.0f + expf(-x));
}

tart_status tart_lstm_f32(const tart_lstm_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const float *x_all = (const float *)in[0];
  float *y_all = (float *)out[0];
  float *h_all = (float *)out[1], *c_all = (float *)out[2];
  const int32_t n = p->units, k_in = p->in_size;
  float *gate = (float *)scratch; /* 4 gates of n, then n for the new hidden state */
  if (n < 1 || k_in < 1 || !scratch)
    return TART_ERR_PARAMS;
  if (p->init_state)
    init_states(p, in, out, 2, sizeof(float));
  for (int32_t b = 0; b < p->batches; b++) {
    float *h = h_all + b * n, *c = c_all + b * n;
    for (int32_t t = 0; t < p->time_steps; t++) {
      const float *x = x_all + row(p, b, t, k_in);
      for (int32_t k = 0; k < 4; k++) {
        const float *w = (const float *)in[1 + k], *r = (const float *)in[5 + k];
        const float *bias = (const float *)in[9 + k];
        float *g = gate + k * n;
        for (int32_t u = 0; u < n; u++) {
          float acc_in = 0.0f, acc_rec = 0.0f;
          for (int32_t j = 0; j < k_in; j++)
            acc_in += x[j] * w[u * k_in + j];
          for (int32_t j = 0; j < n; j++)
            acc_rec += h[j] * r[u * n + j];
          const float v = (acc_in + (bias ? bias[u] : 0.0f)) + acc_rec;
          g[u] = k == GATE_C ? tanhf(v) : sigmoidf_ref(v);
        }
      }
      for (int32_t u = 0; u < n; u++) {
        float cu = gate[GATE_F * n + u] * c[u] + gate[GATE_I * n + u] * gate[GATE_C * n + u];
        if (p->cell_clip_f32 > 0.0f)
          cu = tart_clamp_f32(cu, -p->cell_clip_f32, p->cell_clip_f32);
        c[u] = cu;
        h[u] = tanhf(cu) * gate[GATE_O * n + u];
      }
      memcpy(y_all + row(p, b, t, n), h, (size_t)n * sizeof(float));
    }
  }
  return TART_OK;
}

size_t tart_lstm_peephole_f32_scratch_size(const tart_lstm_params *p) {
  return tart_lstm_f32_scratch_size(p);
}

/* ONNX's LSTM with peepholes (in[15..17] p_i, p_f, p_o): the input and forget gates also see
 * the previous cell state, the output gate the new one. Its own function, so that lstm_f32
 * (TFLite's float LSTM too) keeps its code. */
tart_status tart_lstm_peephole_f32(const tart_lstm_params *p, const void *const *in,
                                   void *const *out, void *scratch) {
  const float *x_all = (const float *)in[0];
  float *y_all = (float *)out[0];
  float *h_all = (float *)out[1], *c_all = (float *)out[2];
  const float *peep_i = (const float *)in[15], *peep_f = (const float *)in[16],
              *peep_o = (const float *)in[17];
  const int32_t n = p->units, k_in = p->in_size;
  float *gate = (float *)scratch; /* 4 gates of n (pre-activation for the output gate) */
  if (n < 1 || k_in < 1 || !scratch || !peep_i || !peep_f || !peep_o)
    return TART_ERR_PARAMS;
  init_states(p, in, out, 2, sizeof(float));
  for (int32_t b = 0; b < p->batches; b++) {
    float *h = h_all + b * n, *c = c_all + b * n;
    for (int32_t t = 0; t < p->time_steps; t++) {
      const float *x = x_all + row(p, b, t, k_in);
      for (int32_t k = 0; k < 4; k++) {
        const float *w = (const float *)in[1 + k], *r = (const float *)in[5 + k];
        const float *bias = (const float *)in[9 + k];
        float *g = gate + k * n;
        for (int32_t u = 0; u < n; u++) {
          float acc_in = 0.0f, acc_rec = 0.0f;
          for (int32_t j = 0; j < k_in; j++)
            acc_in += x[j] * w[u * k_in + j];
          for (int32_t j = 0; j < n; j++)
            acc_rec += h[j] * r[u * n + j];
          float v = (acc_in + (bias ? bias[u] : 0.0f)) + acc_rec;
          if (k == GATE_I)
            v += peep_i[u] * c[u];
          else if (k == GATE_F)
            v += peep_f[u] * c[u];
          g[u] = k == GATE_C ? tanhf(v) : k == GATE_O ? v : sigmoidf_ref(v);
        }
      }
      for (int32_t u = 0; u < n; u++) {
        const float cu = gate[GATE_F * n + u] * c[u] + gate[GATE_I * n + u] * gate[GATE_C * n + u];
        c[u] = cu;
        h[u] = tanhf(cu) * sigmoidf_ref(gate[GATE_O * n + u] + peep_o[u] * cu);
      }
      memcpy(y_all + row(p, b, t, n), h, (size_t)n * sizeof(float));
    }
  }
  return TART_OK;
}

/* One gate of one batch row: int16 in units of 2^-12 before the activation. */
static void gate_s8(const tart_lstm_params *p, int32_t k, const int8_t *x, const int8_t *h,
                    const int8_t *w, const int8_t *r, const int32_t *bias, int16_t *g) {
  const int32_t n = p->units, k_in = p->in_size;
  for (int32_t u = 0; u < n; u++) {
    int32_t acc = bias ? bias[u] : 0;
    for (int32_t j = 0; j < k_in; j++)
      acc += (int32_t)w[u * k_in + j] * ((int32_t)x[j] + p->in_neg_zp);
    const int16_t a = sat16(tart_mul_by_quantized_mult(acc, p->in_mult[k], p->in_shift_left[k]));
    int32_t rec = 0;
    for (int32_t j = 0; j < n; j++)
      rec += (int32_t)r[u * n + j] * ((int32_t)h[j] + p->h_neg_zp);
    const int16_t bq = sat16(tart_mul_by_quantized_mult(rec, p->rec_mult[k], p->rec_shift_left[k]));
    g[u] = sat16((int32_t)a + (int32_t)bq);
  }
}

tart_status tart_lstm_s8(const tart_lstm_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const int8_t *x_all = (const int8_t *)in[0];
  int8_t *y_all = (int8_t *)out[0];
  int8_t *h_all = (int8_t *)out[1];
  int16_t *c_all = (int16_t *)out[2];
  const int32_t n = p->units;
  int16_t *gate = (int16_t *)scratch;
  if (n < 1 || p->in_size < 1 || !scratch || p->cell_scale_power > 0)
    return TART_ERR_PARAMS;
  /* tanh of the cell state: TFLM's left shift (15 + power) - 3, a right shift when negative. */
  int32_t tanh_shift = 15 + p->cell_scale_power - 3, tanh_mult = 3;
  if (tanh_shift >= 0) {
    tanh_mult = 3 << tanh_shift;
    tanh_shift = 0;
  } else {
    tanh_shift = -tanh_shift;
  }
  for (int32_t b = 0; b < p->batches; b++) {
    int8_t *h = h_all + b * n;
    int16_t *c = c_all + b * n;
    for (int32_t t = 0; t < p->time_steps; t++) {
      const int8_t *x = x_all + row(p, b, t, p->in_size);
      for (int32_t k = 0; k < 4; k++) {
        int16_t *g = gate + k * n;
        gate_s8(p, k, x, h, (const int8_t *)in[1 + k], (const int8_t *)in[5 + k],
                (const int32_t *)in[9 + k], g);
        for (int32_t u = 0; u < n; u++)
          g[u] = k == GATE_C ? tanh16(g[u], 3, 0) : sigmoid16(g[u]);
      }
      for (int32_t u = 0; u < n; u++) {
        const int16_t fc = sat16(tart_mul_by_quantized_mult((int32_t)gate[GATE_F * n + u] * c[u],
                                                            p->fc_mult, p->fc_shift_left));
        const int16_t ic = sat16(tart_mul_by_quantized_mult(
            (int32_t)gate[GATE_I * n + u] * gate[GATE_C * n + u], p->ic_mult, p->ic_shift_left));
        int32_t cu = sat16((int32_t)fc + (int32_t)ic);
        if (p->cell_clip > 0)
          cu = tart_clamp_i32(cu, -p->cell_clip, p->cell_clip);
        c[u] = (int16_t)cu;
      }
      /* The hidden state changes only after every gate read the old one. */
      for (int32_t u = 0; u < n; u++) {
        const int32_t th = tanh16(c[u], tanh_mult, tanh_shift);
        const int32_t v =
            tart_wrap_add(p->h_zp, tart_mul_by_quantized_mult(th * gate[GATE_O * n + u], p->h_mult,
                                                              p->h_shift_left));
        h[u] = (int8_t)tart_clamp_i32(v, INT8_MIN, INT8_MAX);
      }
      memcpy(y_all + row(p, b, t, n), h, (size_t)n);
    }
  }
  return TART_OK;
}

size_t tart_gru_f32_scratch_size(const tart_lstm_params *p) {
  return 5u * (size_t)(p->units > 0 ? p->units : 0) * sizeof(float);
}

/* w [n, k] times v, plus an optional bias, for row u. */
static float dot_row(const float *w, const float *v, int32_t k, int32_t u) {
  float acc = 0.0f;
  for (int32_t j = 0; j < k; j++)
    acc += v[j] * w[u * k + j];
  return acc;
}

tart_status tart_gru_f32(const tart_lstm_params *p, const void *const *in, void *const *out,
                         void *scratch) {
  const float *x_all = (const float *)in[0];
  float *y_all = (float *)out[0], *h_all = (float *)out[1];
  const int32_t n = p->units, k_in = p->in_size;
  float *z = (float *)scratch, *r = z + n, *rh = r + n, *hn = rh + n;
  if (n < 1 || k_in < 1 || !scratch)
    return TART_ERR_PARAMS;
  init_states(p, in, out, 1, sizeof(float));
  const float *w[3], *rw[3], *wb[3], *rb[3];
  for (int32_t k = 0; k < 3; k++) {
    w[k] = (const float *)in[1 + k];
    rw[k] = (const float *)in[4 + k];
    wb[k] = (const float *)in[7 + k];
    rb[k] = (const float *)in[10 + k];
  }
  for (int32_t b = 0; b < p->batches; b++) {
    float *h = h_all + b * n;
    for (int32_t t = 0; t < p->time_steps; t++) {
      const float *x = x_all + row(p, b, t, k_in);
      for (int32_t u = 0; u < n; u++) {
        float gz = dot_row(w[0], x, k_in, u) + (wb[0] ? wb[0][u] : 0.0f);
        gz += dot_row(rw[0], h, n, u) + (rb[0] ? rb[0][u] : 0.0f);
        float gr = dot_row(w[1], x, k_in, u) + (wb[1] ? wb[1][u] : 0.0f);
        gr += dot_row(rw[1], h, n, u) + (rb[1] ? rb[1][u] : 0.0f);
        z[u] = sigmoidf_ref(gz);
        r[u] = sigmoidf_ref(gr);
        rh[u] = r[u] * h[u];
      }
      for (int32_t u = 0; u < n; u++) {
        const float xh = dot_row(w[2], x, k_in, u) + (wb[2] ? wb[2][u] : 0.0f);
        const float bh = rb[2] ? rb[2][u] : 0.0f;
        const float g = p->linear_before_reset ? xh + r[u] * (dot_row(rw[2], h, n, u) + bh)
                                               : xh + dot_row(rw[2], rh, n, u) + bh;
        const float nu = tanhf(g);
        hn[u] = (1.0f - z[u]) * nu + z[u] * h[u];
      }
      memcpy(h, hn, (size_t)n * sizeof(float));
      memcpy(y_all + row(p, b, t, n), h, (size_t)n * sizeof(float));
    }
  }
  return TART_OK;
}
