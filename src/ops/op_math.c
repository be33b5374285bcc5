/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_math.c: NEG, ABS, SQRT, RSQRT, EXP, LOG, ERF. in: x; out: -x, |x|, sqrt(x), 1 / sqrt(x),
 * exp(x), log(x), erf(x), same shape; float32 (runtime/src/math_f32.c, TFLite's reference float
 * kernels). MACs: 0.
 */
#include "ta_ops.h"

static ta_status math_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  if (x->dtype != TA_DT_F32 || y->dtype != TA_DT_F32)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" is %s and output \"%s\" %s; expected float32", x->name,
                     ta_dtype_name(x->dtype), y->name, ta_dtype_name(y->dtype));
  return TA_OK;
}

static ta_status math_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  ta_kernel_id k;
  switch (op->kind) {
  case TA_OP_NEG: k = TA_K_neg_f32; break;
  case TA_OP_ABS: k = TA_K_abs_f32; break;
  case TA_OP_SQRT: k = TA_K_sqrt_f32; break;
  case TA_OP_RSQRT: k = TA_K_rsqrt_f32; break;
  case TA_OP_EXP: k = TA_K_exp_f32; break;
  case TA_OP_ERF: k = TA_K_erf_f32; break;
  default: k = TA_K_log_f32; break;
  }
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_unary_params *p = call->params;
  p->n_elems = (int32_t)elems;
  return TA_OK;
}

static uint64_t math_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

#define TA_MATH_OP(ID)                                                                             \
  const ta_op_def ta_op_def_##ID = {                                                               \
      .check = math_check,                                                                         \
      .infer = ta_infer_same_shape,                                                                \
      .prepare = math_prepare,                                                                     \
      .macs = math_macs,                                                                           \
      TA_VARIANTS(ta_variant_eltwise),                                                             \
  };
TA_MATH_OP(NEG)
TA_MATH_OP(ABS)
TA_MATH_OP(SQRT)
TA_MATH_OP(RSQRT)
TA_MATH_OP(EXP)
TA_MATH_OP(LOG)
TA_MATH_OP(ERF)
