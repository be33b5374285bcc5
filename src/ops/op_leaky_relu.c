/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_leaky_relu.c: LEAKY_RELU and ELU. in: x; out: x < 0 ? alpha * x : x (LEAKY_RELU) or
 * x < 0 ? alpha * expm1(x) : x (ELU; TFLite's reference with alpha 1, ONNX Elu), same shape;
 * float32 (attrs.alpha, finite). ONNX LeakyRelu; MACs: 0.
 */
#include <math.h>

#include "ta_ops.h"
#include "ta_quant_act.h"

static ta_status leaky_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (x->dtype != TA_DT_F32 || y->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" is %s and output \"%s\" %s; "
                     "expected float32",
                     x->name, ta_dtype_name(x->dtype), y->name, ta_dtype_name(y->dtype));
  if (!isfinite(op->a.alpha))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "alpha is %g; expected a finite value",
                     (double)op->a.alpha);
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  return TA_OK;
}

static ta_status leaky_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  size_t elems;
  const ta_tensor *x = ta_op_input(g, op, 0);
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  ta_status st =
      ta_call_init(g, op, call, op->kind == TA_OP_ELU ? TA_K_elu_f32 : TA_K_leaky_relu_f32);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  p->alpha = op->a.alpha;
  return TA_OK;
}

static uint64_t leaky_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_LEAKY_RELU = {
    .check = leaky_check,
    .infer = ta_infer_same_shape,
    .prepare = leaky_prepare,
    .macs = leaky_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_ELU = {
    .check = leaky_check,
    .infer = ta_infer_same_shape,
    .prepare = leaky_prepare,
    .macs = leaky_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
