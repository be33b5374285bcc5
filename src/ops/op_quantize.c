/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_quantize.c: QUANTIZE. in: x; out: x in the output's int8 quantization, same shape.
 *   float32 -> int8  TFLite's AffineQuantize: round(x / scale) + zero_point, clamped to int8;
 *                    the division is in float (the scale as a float), the rounding half away
 *                    from zero (TfLiteRound).
 *   int8 -> int8     TFLite's Requantize: (x - zero_in) times the multiplier
 *                    QuantizeMultiplier((double)scale_in / scale_out), plus zero_out, clamped.
 *                    With identical quantization that multiplier is exactly 1: a plain copy
 *                    (kernel clamp_s8 over the full range, same bytes).
 * The output must be quantized per tensor (TFLite Micro refuses per-channel QUANTIZE).
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <string.h>

static ta_status quantize_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if ((x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8) || y->dtype != TA_DT_I8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "converts %s \"%s\" to %s \"%s\"; supported: float32 -> int8 and int8 -> int8",
                     ta_dtype_name(x->dtype), x->name, ta_dtype_name(y->dtype), y->name);
  ta_status st = ta_check_per_tensor_quant(g, op, y, "output");
  if (x->dtype == TA_DT_I8) {
    ta_status s = ta_check_per_tensor_quant(g, op, x, "input");
    if (st == TA_OK)
      st = s;
  }
  return st;
}

static ta_status quantize_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  ta_tensor *y = ta_op_output(g, op, 0);
  char sx[96], sy[96];
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  if (!y->shape_known) {
    y->shape_known = true;
    y->rank = x->rank;
    memcpy(y->dims, x->dims, sizeof y->dims);
    return TA_OK;
  }
  bool same = y->rank == x->rank;
  for (int32_t k = 0; same && k < x->rank; k++)
    same = y->dims[k] == x->dims[k];
  if (!same)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "output \"%s\" has shape %s; expected %s like the input", y->name,
                     ta_shape_str(y, sy, sizeof sy), ta_shape_str(x, sx, sizeof sx));
  return TA_OK;
}

static ta_status quantize_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  const bool copy = x->dtype == TA_DT_I8 && x->q.scale[0] == y->q.scale[0] &&
                    x->q.zero_point[0] == y->q.zero_point[0];
  const ta_kernel_id k = x->dtype == TA_DT_F32 ? TA_K_quantize_f32_s8
                         : copy                ? TA_K_clamp_s8
                                               : TA_K_requantize_s8;
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->act_min = -128;
  p->act_max = 127;
  p->out_offset = (int32_t)y->q.zero_point[0];
  if (x->dtype == TA_DT_F32) {
    p->scale = y->q.scale[0];
  } else if (!copy) {
    p->in_offset = -(int32_t)x->q.zero_point[0];
    ta_quantize_multiplier((double)x->q.scale[0] / (double)y->q.scale[0], &p->mult, &p->shift_left);
  }
  return TA_OK;
}

/* Elementwise: no multiply-accumulates. */
static uint64_t quantize_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_QUANTIZE = {
    .check = quantize_check,
    .infer = quantize_infer,
    .prepare = quantize_prepare,
    .macs = quantize_macs,
    .inplace = ta_inplace_same_shape,
};
