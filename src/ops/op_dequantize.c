/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_dequantize.c: DEQUANTIZE. in: x (quantized integers); out: float32, same shape.
 *   int8, per tensor: TFLite's Dequantize, (float)scale * (x - zero_point), one float multiply
 *     (the kernel computes exactly that product, so results are bit-exact).
 *   int8, uint8, int16, uint16, int32, per tensor or per channel: ONNX DequantizeLinear,
 *     ((float)x - (float)zero_point) * scale (kernel dequantize_linear_*). For int8 per
 *     tensor the two agree bit for bit (x - zero_point is exact in float either way).
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

static bool ok_dtype(ta_dtype dt) {
  return dt == TA_DT_I8 || dt == TA_DT_U8 || dt == TA_DT_I16 || dt == TA_DT_U16 || dt == TA_DT_I32;
}

static ta_status dequantize_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (!ok_dtype(x->dtype) || y->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "converts %s \"%s\" to %s \"%s\"; supported: int8 -> float32, and uint8, "
                     "int16, uint16, int32 -> float32",
                     ta_dtype_name(x->dtype), x->name, ta_dtype_name(y->dtype), y->name);
  if (x->q.count == 1)
    return ta_check_per_tensor_quant(g, op, x, "input");
  if (x->q.count < 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" has no quantization parameters",
                     x->name);
  if (x->q.axis < 0 || x->q.axis >= x->rank || !x->shape_known || x->dims[x->q.axis] != x->q.count)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "input \"%s\" has %d scales along axis %d, which does not match its shape",
                     x->name, x->q.count, x->q.axis);
  for (int32_t c = 0; c < x->q.count; c++)
    if (!isfinite(x->q.scale[c]))
      return ta_op_err(g, op, TA_ERR_MALFORMED, "input \"%s\" scale %d is not finite", x->name, c);
  return TA_OK;
}

static ta_status dequantize_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  if (x->dtype == TA_DT_I8 && x->q.count == 1) {
    ta_status st = ta_call_init(g, op, call, TA_K_dequantize_s8_f32);
    if (st != TA_OK)
      return st;
    tart_unary_params *p = call->params;
    p->n_elems = (int32_t)elems;
    p->in_neg_zp = -(int32_t)x->q.zero_point[0];
    p->scale = x->q.scale[0];
    return TA_OK;
  }
  ta_kernel_id k;
  switch (x->dtype) {
  case TA_DT_I8: k = TA_K_dequantize_linear_s8_f32; break;
  case TA_DT_U8: k = TA_K_dequantize_linear_u8_f32; break;
  case TA_DT_I16: k = TA_K_dequantize_linear_s16_f32; break;
  case TA_DT_U16: k = TA_K_dequantize_linear_u16_f32; break;
  default: k = TA_K_dequantize_linear_s32_f32; break;
  }
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_qlinear_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->channels = x->q.count > 1 ? x->q.count : 1;
  p->inner = 1;
  if (x->q.count > 1)
    for (int32_t d = x->q.axis + 1; d < x->rank; d++)
      p->inner *= x->dims[d];
  float *scale = ta_new_array(g->ctx, (size_t)p->channels, sizeof *scale);
  int32_t *zp = ta_new_array(g->ctx, (size_t)p->channels, sizeof *zp);
  if (!scale || !zp)
    return TA_ERR_LIMIT;
  for (int32_t c = 0; c < p->channels; c++) {
    scale[c] = x->q.scale[c];
    zp[c] = (int32_t)x->q.zero_point[c];
  }
  p->scale = scale;
  p->zp = zp;
  return TA_OK;
}

/* Elementwise: no multiply-accumulates. */
static uint64_t dequantize_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_DEQUANTIZE = {
    .check = dequantize_check,
    .infer = ta_infer_same_shape,
    .prepare = dequantize_prepare,
    .macs = dequantize_macs,
};
