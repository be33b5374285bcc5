/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_rnn.c: LSTM and GRU with ONNX's semantics (float32, one direction, the default
 * activations): no state kept between runs; each run starts from the initial hidden (and cell)
 * state inputs, or zeros, and writes the final states as outputs. The ONNX frontend has put the
 * weights in the kernels' order, one constant per gate:
 *   LSTM  in: X, W_i W_f W_c W_o [H,I], R_i R_f R_c R_o [H,H], b_i b_f b_c b_o [H] (ONNX's
 *             Wb + Rb) or -1, initial_h [B*H elements] or -1, initial_c or -1, and, with
 *             peepholes only, p_i p_f p_o [H] (18 inputs);
 *         out: Y, Y_h, Y_c
 *   GRU   in: X, W_z W_r W_h [H,I], R_z R_r R_h [H,H], Wb_z Wb_r Wb_h [H] or -1, Rb_z Rb_r Rb_h
 *             or -1, initial_h or -1; out: Y, Y_h
 * X is [T,B,I], or [B,T,I] with attrs.time_major false (ONNX layout 1); Y is ONNX's [T,1,B,H]
 * ([B,T,1,H]), Y_h and Y_c [1,B,H] ([B,1,H]): the bytes the kernels write for one direction.
 * The kernels are lstm_f32 (lstm_peephole_f32 with peepholes) and gru_f32 with init_state set
 * (defs/recurrent.def). ONNX's
 * reverse and bidirectional nodes become one op per direction (the frontend reverses X and
 * Y along time around the reverse one and concatenates the directions).
 */
#include "ta_ops.h"

#include <string.h>

static ta_status rnn_check(ta_graph *g, ta_op *op) {
  const bool lstm = op->kind == TA_OP_LSTM;
  const int32_t gates = lstm ? 4 : 3, n_out = lstm ? 3 : 2;
  const int32_t n_in = lstm && op->n_in == 18 ? 18 : lstm ? 15 : 14;
  if (op->n_in != n_in || op->n_out != n_out)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected %d and %d",
                     op->n_in, op->n_out, n_in, n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *w0 = ta_op_input(g, op, 1);
  char sb[64];
  if (!x || !w0)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the input or the weights are missing");
  if (!x->shape_known || x->rank != 3 || !ta_dims_ok(3, x->dims))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "input \"%s\" has shape %s; expected 3-D", x->name,
                     x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)");
  if (x->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; only float32 is supported",
                     x->name, ta_dtype_name(x->dtype));
  if (!w0->shape_known || w0->rank != 2)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "weights have shape %s; expected [H,I]",
                     w0->shape_known ? ta_shape_str(w0, sb, sizeof sb) : "(unknown)");
  const int32_t h = w0->dims[0], in_size = x->dims[2];
  const int32_t batches = op->a.time_major ? x->dims[1] : x->dims[0];
  ta_status st = TA_OK;
  for (int32_t i = 1; i < n_in; i++) {
    const ta_tensor *t = ta_op_input(g, op, i);
    const bool is_w = i <= gates, is_r = i > gates && i <= 2 * gates;
    const bool is_state = i >= 1 + (lstm ? 3 : 4) * gates && i < 15; /* 15..17: peepholes */
    if (!t) {
      if (is_w || is_r || i >= 15)
        ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "input %d is missing", i));
      continue;
    }
    size_t e = 0;
    ta_tensor_elems(t, &e);
    const size_t want = is_w       ? (size_t)h * (size_t)in_size
                        : is_r     ? (size_t)h * (size_t)h
                        : is_state ? (size_t)batches * (size_t)h
                                   : (size_t)h;
    if (t->dtype != TA_DT_F32 || e != want)
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                   "input %d \"%s\" is %s with %zu elements; expected float32 "
                                   "with %zu",
                                   i, t->name, ta_dtype_name(t->dtype), e, want));
    else if (!is_state && !ta_tensor_is_const(t))
      ta_keep_first(&st,
                    ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "input %d \"%s\": weights and biases must be constant", i, t->name));
  }
  return st;
}

static ta_status rnn_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w0 = ta_op_input(g, op, 1);
  const int32_t h = w0->dims[0];
  const bool tm = op->a.time_major;
  const int32_t y[4] = {x->dims[0], tm ? 1 : x->dims[1], tm ? x->dims[1] : 1, h};
  const int32_t s[3] = {tm ? 1 : x->dims[0], tm ? x->dims[1] : 1, h};
  ta_status st = ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), 4, y);
  for (int32_t k = 1; k < op->n_out && st == TA_OK; k++)
    st = ta_op_set_output_shape(g, op, ta_op_output(g, op, k), 3, s);
  return st;
}

static ta_status rnn_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const bool lstm = op->kind == TA_OP_LSTM;
  ta_status st = ta_call_init(g, op, call,
                              !lstm            ? TA_K_gru_f32
                              : op->n_in == 18 ? TA_K_lstm_peephole_f32
                                               : TA_K_lstm_f32);
  if (st != TA_OK)
    return st;
  const ta_tensor *x = ta_op_input(g, op, 0), *w0 = ta_op_input(g, op, 1);
  tart_lstm_params *p = call->params;
  p->time_major = op->a.time_major ? 1 : 0;
  p->batches = op->a.time_major ? x->dims[1] : x->dims[0];
  p->time_steps = op->a.time_major ? x->dims[0] : x->dims[1];
  p->in_size = x->dims[2];
  p->units = w0->dims[0];
  p->init_state = 1;
  p->linear_before_reset = !lstm && op->a.linear_before_reset ? 1 : 0;
  /* GRU's kernel reads its initial state at in[13] like the LSTM's: the IR's 14th input. */
  call->scratch_bytes = ta_kernel_get(call->kernel)->scratch_size(p);
  return TA_OK;
}

static uint64_t rnn_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *w0 = ta_op_input(g, op, 1);
  if (!x || !w0 || !x->shape_known || x->rank != 3 || !w0->shape_known || w0->rank != 2)
    return 0;
  const uint64_t gates = op->kind == TA_OP_LSTM ? 4 : 3, h = (uint64_t)w0->dims[0];
  return (uint64_t)x->dims[0] * (uint64_t)x->dims[1] * gates * h * ((uint64_t)x->dims[2] + h);
}

const ta_op_def ta_op_def_LSTM = {
    .check = rnn_check,
    .infer = rnn_infer,
    .prepare = rnn_prepare,
    .macs = rnn_macs,
};
const ta_op_def ta_op_def_GRU = {
    .check = rnn_check,
    .infer = rnn_infer,
    .prepare = rnn_prepare,
    .macs = rnn_macs,
};
