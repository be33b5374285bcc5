/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_lstm.c: UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite), the standard LSTM as Keras exports it:
 * no CIFG, no peepholes, no projection, no layer normalization (each refused by name). The
 * inputs are TFLite's 24 (20 in older files): input, the four input weights and four recurrent
 * weights (input, forget, cell, output gate order), three peephole weights, four gate biases,
 * projection weights and bias, hidden ("output") state, cell state, four layer-norm weights.
 * Both states are TA_TENSOR_STATE tensors that persist between runs; the kernel call lists
 * them as outputs too (defs/recurrent.def states the step and the call's operand order).
 *
 * float32 throughout, or TFLM's 8x8->16 integer LSTM: int8 input, weights (symmetric, per
 * tensor), hidden state and output; int32 biases; int16 cell state whose scale is a power of
 * two. Prepare is TFLM's PrepareGateParametersInteger: every gate's products requantized to
 * int16 at 2^-12 (the input product with the input's and weights' scales, the recurrent one
 * with the hidden state's), the gate activations' outputs at 2^-15, products of two of them
 * requantized to the cell scale or to the hidden state's quantization.
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

enum {
  X = 0,
  W_I = 1, /* ..4: input weights, gate order i, f, c, o */
  R_I = 5, /* ..8: recurrent weights */
  PEEP_I = 9,
  B_I = 12, /* ..15: gate biases */
  PROJ_W = 16,
  PROJ_B = 17,
  H = 18,
  C = 19,
  LN_I = 20,
};

static const char *const input_names[24] = {"input",
                                            "input_to_input_weights",
                                            "input_to_forget_weights",
                                            "input_to_cell_weights",
                                            "input_to_output_weights",
                                            "recurrent_to_input_weights",
                                            "recurrent_to_forget_weights",
                                            "recurrent_to_cell_weights",
                                            "recurrent_to_output_weights",
                                            "cell_to_input_weights",
                                            "cell_to_forget_weights",
                                            "cell_to_output_weights",
                                            "input_gate_bias",
                                            "forget_gate_bias",
                                            "cell_gate_bias",
                                            "output_gate_bias",
                                            "projection_weights",
                                            "projection_bias",
                                            "output_state",
                                            "cell_state",
                                            "input_layer_norm_coefficients",
                                            "forget_layer_norm_coefficients",
                                            "cell_layer_norm_coefficients",
                                            "output_layer_norm_coefficients"};

static bool shape_is(const ta_tensor *t, int32_t d0, int32_t d1) {
  if (!t->shape_known)
    return false;
  if (d1 < 0)
    return t->rank == 1 && t->dims[0] == d0;
  return t->rank == 2 && t->dims[0] == d0 && t->dims[1] == d1;
}

static ta_status lstm_check(ta_graph *g, ta_op *op) {
  if ((op->n_in != 24 && op->n_in != 20) || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 24 (or 20) inputs and 1 output",
                     op->n_in, op->n_out);
  ta_status st = TA_OK;
  /* The variants of the standard LSTM: their optional inputs must be absent. */
  for (int32_t i = 0; i < op->n_in; i++) {
    const bool variant = (i >= PEEP_I && i < B_I) || i == PROJ_W || i == PROJ_B || i >= LN_I;
    if (variant && ta_op_input(g, op, i))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                   "%s (input %d) is present: peepholes, projection and layer "
                                   "normalization are not supported",
                                   input_names[i], i));
    else if (!variant && !ta_op_input(g, op, i))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s (input %d) is absent: %s",
                                   input_names[i], i,
                                   i == W_I || i == R_I || i == B_I
                                       ? "CIFG (coupled input and forget gates) is not supported"
                                       : "it is required"));
  }
  if (st != TA_OK)
    return st;
  if (op->a.gate_act != 4)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "fused_activation_function %d is not supported (only TANH, the cell gate "
                     "and output activation TFLM runs)",
                     (int)op->a.gate_act);
  const ta_tensor *x = ta_op_input(g, op, X), *h = ta_op_input(g, op, H);
  const ta_tensor *c = ta_op_input(g, op, C), *y = ta_op_output(g, op, 0);
  char sb[64];
  if (!x->shape_known || x->rank != 3 || !ta_dims_ok(3, x->dims))
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "input \"%s\" has shape %s; expected [batches, time, features] (3-D)", x->name,
                     x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)");
  const ta_tensor *w_f = ta_op_input(g, op, W_I + 1);
  if (!w_f->shape_known || w_f->rank != 2 || !ta_dims_ok(2, w_f->dims))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "input_to_forget_weights have shape %s; expected 2-D",
                     w_f->shape_known ? ta_shape_str(w_f, sb, sizeof sb) : "(unknown)");
  const int32_t units = w_f->dims[0], in_size = x->dims[2];
  const int32_t batches = op->a.time_major ? x->dims[1] : x->dims[0];
  for (int32_t i = W_I; i < W_I + 4; i++)
    if (!shape_is(ta_op_input(g, op, i), units, in_size))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "%s must have shape [%d,%d]",
                                   input_names[i], units, in_size));
  for (int32_t i = R_I; i < R_I + 4; i++)
    if (!shape_is(ta_op_input(g, op, i), units, units))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "%s must have shape [%d,%d]",
                                   input_names[i], units, units));
  for (int32_t i = B_I; i < B_I + 4; i++)
    if (!shape_is(ta_op_input(g, op, i), units, -1))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "%s must have shape [%d]",
                                   input_names[i], units));
  for (int32_t i = W_I; i < B_I + 4; i++)
    if (i < PEEP_I || i >= B_I)
      if (!ta_tensor_is_const(ta_op_input(g, op, i)))
        ta_keep_first(&st,
                      ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s must be constant", input_names[i]));
  const ta_tensor *states[2] = {h, c};
  for (int i = 0; i < 2; i++) {
    size_t e = 0;
    if (!(states[i]->flags & TA_TENSOR_STATE) || ta_tensor_is_const(states[i]))
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                   "%s \"%s\" is not a variable tensor (TFLite's is_variable)",
                                   input_names[i ? C : H], states[i]->name));
    else if (!ta_tensor_elems(states[i], &e) || e != (size_t)batches * (size_t)units)
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "%s \"%s\" must have %d elements",
                                   input_names[i ? C : H], states[i]->name, batches * units));
  }
  if (st != TA_OK)
    return st;

  if (x->dtype == TA_DT_F32) {
    for (int32_t i = 1; i < op->n_in; i++) {
      const ta_tensor *t = ta_op_input(g, op, i);
      if (t && t->dtype != TA_DT_F32)
        return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                         "float32 input with %s %s: only float32 throughout, or TFLM's 8x8->16 "
                         "integer LSTM, is supported (not the hybrid kernel)",
                         input_names[i], ta_dtype_name(t->dtype));
    }
    if (y->dtype != TA_DT_F32)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "output is %s; expected float32",
                       ta_dtype_name(y->dtype));
    return TA_OK;
  }
  if (x->dtype != TA_DT_I8 || h->dtype != TA_DT_I8 || c->dtype != TA_DT_I16 || y->dtype != TA_DT_I8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input %s, output_state %s, cell_state %s, output %s; expected float32, or "
                     "int8 with an int16 cell state (TFLM's 8x8->16 LSTM)",
                     ta_dtype_name(x->dtype), ta_dtype_name(h->dtype), ta_dtype_name(c->dtype),
                     ta_dtype_name(y->dtype));
  for (int32_t i = W_I; i < B_I + 4; i++) {
    if (i >= PEEP_I && i < B_I)
      continue;
    const ta_tensor *t = ta_op_input(g, op, i);
    const ta_dtype want = i >= B_I ? TA_DT_I32 : TA_DT_I8;
    if (t->dtype != want) {
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s is %s; expected %s",
                                   input_names[i], ta_dtype_name(t->dtype), ta_dtype_name(want)));
      continue;
    }
    if (i < B_I) {
      ta_keep_first(&st, ta_check_per_tensor_quant(g, op, t, input_names[i]));
      if (t->q.count >= 1 && t->q.zero_point[0] != 0)
        ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                     "%s have zero point %lld; expected 0 (symmetric)",
                                     input_names[i], (long long)t->q.zero_point[0]));
    }
  }
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, h, "output_state"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, c, "cell_state"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  if (st != TA_OK)
    return st;
  const double p2 = log2((double)c->q.scale[0]);
  if (fabs(p2 - round(p2)) > 1e-3 || round(p2) > 0)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "cell_state scale %g is not a power of two below 1 (TFLM's "
                                 "integer LSTM needs one)",
                                 (double)c->q.scale[0]));
  /* The output is a copy of the hidden state: it must mean the same. */
  if (y->q.scale[0] != h->q.scale[0] || y->q.zero_point[0] != h->q.zero_point[0])
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "output quantization (%g, %lld) differs from output_state's "
                                 "(%g, %lld); TFLM copies the state to the output",
                                 (double)y->q.scale[0], (long long)y->q.zero_point[0],
                                 (double)h->q.scale[0], (long long)h->q.zero_point[0]));
  return st;
}

static ta_status lstm_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, X), *w_f = ta_op_input(g, op, W_I + 1);
  const int32_t dims[3] = {x->dims[0], x->dims[1], w_f->dims[0]};
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), 3, dims);
}

/* QuantizeMultiplier of a real ratio for a kernel shifting left by at most 31. */
static ta_status mult_of(const ta_graph *g, const ta_op *op, double real, const char *what,
                         int32_t *mult, int32_t *shift) {
  ta_quantize_multiplier(real, mult, shift);
  if (*shift > 31 || *shift < -31)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s scale ratio %g cannot be represented", what,
                     real);
  return TA_OK;
}

static ta_status lstm_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, X), *h = ta_op_input(g, op, H);
  const ta_tensor *c = ta_op_input(g, op, C);
  const bool quantized = x->dtype == TA_DT_I8;
  ta_status st = ta_call_init(g, op, call, quantized ? TA_K_lstm_s8 : TA_K_lstm_f32);
  if (st != TA_OK)
    return st;
  int32_t *ins = ta_new_array(g->ctx, 15, sizeof(int32_t));
  int32_t *outs = ta_new_array(g->ctx, 3, sizeof(int32_t));
  if (!ins || !outs)
    return TA_ERR_LIMIT;
  ins[0] = op->in[X];
  for (int32_t k = 0; k < 4; k++) {
    ins[1 + k] = op->in[W_I + k];
    ins[5 + k] = op->in[R_I + k];
    ins[9 + k] = op->in[B_I + k];
  }
  ins[13] = op->in[H];
  ins[14] = op->in[C];
  outs[0] = op->out[0];
  outs[1] = op->in[H];
  outs[2] = op->in[C];
  call->in = ins;
  call->n_in = 15;
  call->out = outs;
  call->n_out = 3;
  tart_lstm_params *p = call->params;
  p->time_major = op->a.time_major ? 1 : 0;
  p->batches = op->a.time_major ? x->dims[1] : x->dims[0];
  p->time_steps = op->a.time_major ? x->dims[0] : x->dims[1];
  p->in_size = x->dims[2];
  p->units = ta_op_input(g, op, W_I + 1)->dims[0];
  p->cell_clip_f32 = op->a.cell_clip > 0.0f ? op->a.cell_clip : 0.0f;
  const ta_kernel_info *k = ta_kernel_get(call->kernel);
  call->scratch_bytes = k->scratch_size(p);
  if (!quantized)
    return TA_OK;
  /* TFLM: gate products to int16 at 2^-12; activations out at 2^-15. */
  const double gate_scale = 0.000244140625, act_scale = 0.000030517578125;
  p->in_neg_zp = -(int32_t)x->q.zero_point[0];
  p->h_neg_zp = -(int32_t)h->q.zero_point[0];
  p->h_zp = (int32_t)h->q.zero_point[0];
  for (int32_t gk = 0; gk < 4 && st == TA_OK; gk++) {
    const ta_tensor *w = ta_op_input(g, op, W_I + gk), *r = ta_op_input(g, op, R_I + gk);
    st = mult_of(g, op, (double)x->q.scale[0] * (double)w->q.scale[0] / gate_scale,
                 input_names[W_I + gk], &p->in_mult[gk], &p->in_shift_left[gk]);
    if (st == TA_OK)
      st = mult_of(g, op, (double)h->q.scale[0] * (double)r->q.scale[0] / gate_scale,
                   input_names[R_I + gk], &p->rec_mult[gk], &p->rec_shift_left[gk]);
  }
  const double cs = (double)c->q.scale[0];
  if (st == TA_OK)
    st = mult_of(g, op, act_scale * cs / cs, "forget x cell", &p->fc_mult, &p->fc_shift_left);
  if (st == TA_OK)
    st = mult_of(g, op, act_scale * act_scale / cs, "input x cell gate", &p->ic_mult,
                 &p->ic_shift_left);
  if (st == TA_OK)
    st = mult_of(g, op, act_scale * act_scale / (double)h->q.scale[0], "output x tanh(cell)",
                 &p->h_mult, &p->h_shift_left);
  /* TFLM's CheckedLog2 rounds log2 of the float scale. */
  p->cell_scale_power = (int32_t)roundf(logf(c->q.scale[0]) * (1.0f / logf(2.0f)));
  if (op->a.cell_clip > 0.0f) {
    const double q = (double)op->a.cell_clip / cs;
    p->cell_clip = (int32_t)(q < -32768.0 ? -32768.0 : q > 32767.0 ? 32767.0 : q);
  }
  return st;
}

static uint64_t lstm_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, X), *w_f = ta_op_input(g, op, W_I + 1);
  if (!x || !w_f || !x->shape_known || x->rank != 3 || !w_f->shape_known || w_f->rank != 2)
    return 0;
  const uint64_t rows = (uint64_t)x->dims[0] * (uint64_t)x->dims[1];
  const uint64_t units = (uint64_t)w_f->dims[0];
  return rows * 4u * units * ((uint64_t)x->dims[2] + units);
}

const ta_op_def ta_op_def_UNIDIRECTIONAL_SEQUENCE_LSTM = {
    .check = lstm_check,
    .infer = lstm_infer,
    .prepare = lstm_prepare,
    .macs = lstm_macs,
};
