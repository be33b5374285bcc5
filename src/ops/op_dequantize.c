/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_dequantize.c: DEQUANTIZE. in: x (int8, per-tensor quantization); out: float32, same
 * shape. TFLite's Dequantize: (float)scale * (x - zero_point), one float multiply (the kernel
 * computes exactly that product, so results are bit-exact).
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <string.h>

static ta_status dequantize_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (x->dtype != TA_DT_I8 || y->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "converts %s \"%s\" to %s \"%s\"; supported: int8 -> float32",
                     ta_dtype_name(x->dtype), x->name, ta_dtype_name(y->dtype), y->name);
  return ta_check_per_tensor_quant(g, op, x, "input");
}

static ta_status dequantize_infer(ta_graph *g, ta_op *op) {
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

static ta_status dequantize_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  ta_status st = ta_call_init(g, op, call, TA_K_dequantize_s8_f32);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->in_offset = -(int32_t)x->q.zero_point[0];
  p->scale = x->q.scale[0];
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
    .infer = dequantize_infer,
    .prepare = dequantize_prepare,
    .macs = dequantize_macs,
    .inplace = NULL,
};
