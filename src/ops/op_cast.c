/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_cast.c: CAST. in: input; out: the same shape in the output tensor's dtype. Between
 * float32, bool and the integer types of 8 to 64 bits, in any direction (ONNX Cast, TFLite
 * CAST); the rules for values that do not fit are the kernel's (defs/shape.def: integers
 * wrap, floats truncate toward zero and saturate). Quantized tensors are refused: a cast
 * converts raw values, which for them would silently change the real ones. MACs: 0.
 */
#include "ta_ops.h"

static int32_t cast_type(ta_dtype dt) {
  if (dt == TA_DT_F32)
    return TART_TYPE_F32;
  if (dt == TA_DT_BOOL)
    return TART_TYPE_BOOL;
  return ta_int_type(dt);
}

static ta_status cast_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  ta_status st = TA_OK;
  const ta_tensor *ts[2] = {x, y};
  for (int32_t i = 0; i < 2; i++) {
    if (cast_type(ts[i]->dtype) < 0)
      ta_keep_first(&st,
                    ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "%s \"%s\" is %s; CAST converts float32, bool and integers",
                              i ? "output" : "input", ts[i]->name, ta_dtype_name(ts[i]->dtype)));
    else if (ts[i]->q.count)
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                   "%s \"%s\" is quantized; CAST converts raw values (use "
                                   "QUANTIZE/DEQUANTIZE for quantized tensors)",
                                   i ? "output" : "input", ts[i]->name));
  }
  return st;
}

static ta_status cast_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  ta_status st = ta_call_init(g, op, call, TA_K_cast);
  if (st != TA_OK)
    return st;
  tart_cast_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->in_type = cast_type(x->dtype);
  p->out_type = cast_type(y->dtype);
  return TA_OK;
}

static uint64_t cast_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_CAST = {
    .check = cast_check,
    .infer = ta_infer_same_shape,
    .prepare = cast_prepare,
    .macs = cast_macs,
};
