/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_quantize.c: QUANTIZE. in: x; out: x in the output's quantization, same shape.
 *   float32 -> int8  TFLite's AffineQuantize: round(x / scale) + zero_point, clamped to int8;
 *                    the division is in float (the scale as a float), the rounding half away
 *                    from zero (TfLiteRound). Output quantized per tensor.
 *   int8 -> int8     TFLite's Requantize: (x - zero_in) times the multiplier
 *                    QuantizeMultiplier((double)scale_in / scale_out), plus zero_out, clamped.
 *                    With identical quantization that multiplier is exactly 1: a plain copy
 *                    (kernel clamp_s8 over the full range, same bytes).
 * and the forms ONNX needs:
 *   float32 -> int8, uint8, int16, uint16 with attrs.round_half_even, or with a per-channel
 *                    output: ONNX QuantizeLinear (ties to even; kernel quantize_linear_f32_*)
 *   uint8 <-> int8   same scale, zero points 128 apart: the same values (flip_sign_8)
 *   int16 -> int8, int16, int32; int8 -> int16, int32: TFLite's Requantize as int8 -> int8
 *                    (16x8 models and their int32 outputs), kernels requantize_<in>_<out>
 *   int32 -> int8 or uint8: requantization of integer accumulators, the input carrying the
 *                    accumulator scale (per tensor, or per channel along an axis) and zero
 *                    point 0; multiplier (double)scale_in[c] / scale_out as TFLite computes it
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

/* Scales finite and > 0, zero points inside the dtype's range, for every channel; per-channel
 * parameters along an axis of `shape` (the input: the output's shape may not be known yet). */
static ta_status check_quant(const ta_graph *g, const ta_op *op, const ta_tensor *t,
                             const char *what, const ta_tensor *shape) {
  if (t->q.count < 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%s \"%s\" (%s) has no quantization parameters",
                     what, t->name, ta_dtype_name(t->dtype));
  if (t->q.count > 1 && (t->q.axis < 0 || t->q.axis >= shape->rank || !shape->shape_known ||
                         shape->dims[t->q.axis] != t->q.count))
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "%s \"%s\" has %d scales along axis %d, which does not match its shape", what,
                     t->name, t->q.count, t->q.axis);
  int32_t qmin = 0, qmax = 0;
  const bool ranged = ta_dtype_qrange(t->dtype, &qmin, &qmax) || t->dtype == TA_DT_U16;
  if (t->dtype == TA_DT_U16)
    qmin = 0, qmax = 65535;
  for (int32_t c = 0; c < t->q.count; c++) {
    if (!(t->q.scale[c] > 0.0f) || !isfinite(t->q.scale[c]))
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "%s \"%s\" has scale %g; expected a finite value > 0", what, t->name,
                       (double)t->q.scale[c]);
    if (ranged && (t->q.zero_point[c] < qmin || t->q.zero_point[c] > qmax))
      return ta_op_err(g, op, TA_ERR_MALFORMED, "%s \"%s\" has zero point %lld outside %s range",
                       what, t->name, (long long)t->q.zero_point[c], ta_dtype_name(t->dtype));
  }
  return TA_OK;
}

typedef enum mode {
  MODE_NONE,
  MODE_TFL_F32,  /* float32 -> int8, TFLite */
  MODE_TFL_S8,   /* int8 -> int8, TFLite */
  MODE_ONNX_F32, /* float32 -> 8/16-bit, ONNX */
  MODE_FLIP,     /* uint8 <-> int8 */
  MODE_REQUANT,  /* int32 -> int8/uint8 */
  MODE_TFL_INT,  /* int16 -> int8/int16/int32, int8 -> int16/int32, TFLite */
} mode;

static bool is_q16(ta_dtype dt) {
  return dt == TA_DT_I8 || dt == TA_DT_U8 || dt == TA_DT_I16 || dt == TA_DT_U16;
}

static mode mode_of(const ta_op *op, const ta_tensor *x, const ta_tensor *y) {
  if (x->dtype == TA_DT_F32 && y->dtype == TA_DT_I8 && !op->a.round_half_even && y->q.count == 1)
    return MODE_TFL_F32;
  if (x->dtype == TA_DT_F32 && is_q16(y->dtype))
    return MODE_ONNX_F32;
  if (x->dtype == TA_DT_I8 && y->dtype == TA_DT_I8)
    return MODE_TFL_S8;
  if ((x->dtype == TA_DT_U8 && y->dtype == TA_DT_I8) ||
      (x->dtype == TA_DT_I8 && y->dtype == TA_DT_U8))
    return MODE_FLIP;
  if (x->dtype == TA_DT_I32 && (y->dtype == TA_DT_I8 || y->dtype == TA_DT_U8))
    return MODE_REQUANT;
  if ((x->dtype == TA_DT_I16 &&
       (y->dtype == TA_DT_I8 || y->dtype == TA_DT_I16 || y->dtype == TA_DT_I32)) ||
      (x->dtype == TA_DT_I8 && (y->dtype == TA_DT_I16 || y->dtype == TA_DT_I32)))
    return MODE_TFL_INT;
  return MODE_NONE;
}

static ta_status quantize_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  const mode m = mode_of(op, x, y);
  if (m == MODE_NONE)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "converts %s \"%s\" to %s \"%s\"; supported: float32 -> int8, uint8, int16, "
                     "uint16; int8 -> int8, int16, int32; int16 -> int8, int16, int32; uint8 <-> "
                     "int8; int32 -> int8, uint8",
                     ta_dtype_name(x->dtype), x->name, ta_dtype_name(y->dtype), y->name);
  ta_status st = m == MODE_ONNX_F32 ? check_quant(g, op, y, "output", x)
                                    : ta_check_per_tensor_quant(g, op, y, "output");
  if (st != TA_OK)
    return st;
  if (m == MODE_TFL_S8 || m == MODE_FLIP || m == MODE_TFL_INT)
    st = ta_check_per_tensor_quant(g, op, x, "input");
  if (m == MODE_REQUANT)
    st = check_quant(g, op, x, "input", x);
  if (st != TA_OK)
    return st;
  if (m == MODE_FLIP &&
      (x->q.scale[0] != y->q.scale[0] ||
       x->q.zero_point[0] - y->q.zero_point[0] != (x->dtype == TA_DT_U8 ? 128 : -128)))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "converts %s to %s with a change of scale or zero point other than the 128 "
                     "between the two types",
                     ta_dtype_name(x->dtype), ta_dtype_name(y->dtype));
  return TA_OK;
}

/* channels/inner of the per-channel layout of t (1 and 1 per tensor). */
static void channel_layout(const ta_tensor *t, int32_t *channels, int32_t *inner) {
  *channels = 1;
  *inner = 1;
  if (t->q.count <= 1)
    return;
  *channels = t->q.count;
  for (int32_t k = t->q.axis + 1; k < t->rank; k++)
    *inner *= t->dims[k];
}

static ta_status prepare_onnx(ta_graph *g, const ta_op *op, const ta_tensor *y,
                              tart_qlinear_params *p) {
  channel_layout(y, &p->channels, &p->inner);
  float *scale = ta_new_array(g->ctx, (size_t)p->channels, sizeof *scale);
  int32_t *zp = ta_new_array(g->ctx, (size_t)p->channels, sizeof *zp);
  if (!scale || !zp)
    return TA_ERR_LIMIT;
  for (int32_t c = 0; c < p->channels; c++) {
    scale[c] = y->q.scale[y->q.count > 1 ? c : 0];
    zp[c] = (int32_t)y->q.zero_point[y->q.count > 1 ? c : 0];
  }
  p->scale = scale;
  p->zp = zp;
  if (y->dtype == TA_DT_U16)
    p->qmin = 0, p->qmax = 65535;
  else
    ta_dtype_qrange(y->dtype, &p->qmin, &p->qmax);
  (void)op;
  return TA_OK;
}

static ta_status prepare_requant(ta_graph *g, const ta_op *op, const ta_tensor *x,
                                 const ta_tensor *y, tart_qlinear_params *p) {
  channel_layout(x, &p->channels, &p->inner);
  int32_t *mult = ta_new_array(g->ctx, (size_t)p->channels, sizeof *mult);
  int32_t *shift = ta_new_array(g->ctx, (size_t)p->channels, sizeof *shift);
  int32_t *zp = ta_new_array(g->ctx, (size_t)p->channels, sizeof *zp);
  if (!mult || !shift || !zp)
    return TA_ERR_LIMIT;
  for (int32_t c = 0; c < p->channels; c++) {
    const double real = (double)x->q.scale[x->q.count > 1 ? c : 0] / (double)y->q.scale[0];
    ta_quantize_multiplier(real, &mult[c], &shift[c]);
    if (shift[c] > 31 || shift[c] < -31)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                       "requantization scale %g (channel %d) cannot be represented", real, c);
    zp[c] = (int32_t)y->q.zero_point[0];
  }
  p->mult = mult;
  p->shift_left = shift;
  p->zp = zp;
  ta_dtype_qrange(y->dtype, &p->qmin, &p->qmax);
  return TA_OK;
}

static ta_status quantize_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  const mode m = mode_of(op, x, y);
  ta_status st;
  if (m == MODE_ONNX_F32 || m == MODE_REQUANT) {
    ta_kernel_id k;
    switch (y->dtype) {
    case TA_DT_I8:
      k = m == MODE_REQUANT ? TA_K_requantize_s32_s8 : TA_K_quantize_linear_f32_s8;
      break;
    case TA_DT_U8:
      k = m == MODE_REQUANT ? TA_K_requantize_s32_u8 : TA_K_quantize_linear_f32_u8;
      break;
    case TA_DT_I16: k = TA_K_quantize_linear_f32_s16; break;
    default: k = TA_K_quantize_linear_f32_u16; break;
    }
    st = ta_call_init(g, op, call, k);
    if (st != TA_OK)
      return st;
    tart_qlinear_params *p = call->params;
    p->n_elems = (int32_t)elems;
    return m == MODE_REQUANT ? prepare_requant(g, op, x, y, p) : prepare_onnx(g, op, y, p);
  }
  if (m == MODE_TFL_INT) {
    const bool from16 = x->dtype == TA_DT_I16;
    const ta_kernel_id k = y->dtype == TA_DT_I8 ? TA_K_requantize_s16_s8
                           : y->dtype == TA_DT_I32
                               ? (from16 ? TA_K_requantize_s16_s32 : TA_K_requantize_s8_s32)
                           : from16 ? TA_K_requantize_s16_s16
                                    : TA_K_requantize_s8_s16;
    st = ta_call_init(g, op, call, k);
    if (st != TA_OK)
      return st;
    tart_unary_params *p = call->params;
    p->n_elems = (int32_t)elems;
    if (y->dtype == TA_DT_I32)
      p->clamp.min = INT32_MIN, p->clamp.max = INT32_MAX;
    else
      ta_dtype_qrange(y->dtype, &p->clamp.min, &p->clamp.max);
    p->out_zp = (int32_t)y->q.zero_point[0];
    p->in_neg_zp = -(int32_t)x->q.zero_point[0];
    const double real = (double)x->q.scale[0] / (double)y->q.scale[0];
    return ta_requant_multiplier(g, op, real, x->q.scale[0], y->q.scale[0], &p->mult,
                                 &p->shift_left);
  }
  const bool copy = x->dtype == TA_DT_I8 && x->q.scale[0] == y->q.scale[0] &&
                    x->q.zero_point[0] == y->q.zero_point[0];
  const ta_kernel_id k = m == MODE_FLIP          ? TA_K_flip_sign_8
                         : x->dtype == TA_DT_F32 ? TA_K_quantize_f32_s8
                         : copy                  ? TA_K_clamp_s8
                                                 : TA_K_requantize_s8;
  st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->clamp.min = -128;
  p->clamp.max = 127;
  p->out_zp = (int32_t)y->q.zero_point[0];
  if (x->dtype == TA_DT_F32) {
    p->scale = y->q.scale[0];
  } else if (!copy && m != MODE_FLIP) {
    p->in_neg_zp = -(int32_t)x->q.zero_point[0];
    const double real = (double)x->q.scale[0] / (double)y->q.scale[0];
    return ta_requant_multiplier(g, op, real, x->q.scale[0], y->q.scale[0], &p->mult,
                                 &p->shift_left);
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
    .infer = ta_infer_same_shape,
    .prepare = quantize_prepare,
    .macs = quantize_macs,
    /* In place only when input and output elements have the same size. */
    TA_VARIANTS(ta_variant_eltwise),
};
