/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_sigmoid.c: LOGISTIC (sigmoid) and TANH, elementwise, float32 or int8: one set of hooks,
 * the two differ only in their int8 output quantization and kernels.
 *
 * int8 follows TFLM's reference integer kernels (reference_integer_ops::Logistic and ::Tanh):
 * LOGISTIC's output is quantized with scale 1/256 and zero point -128 (TFLM requires the zero
 * point; the algorithm writes units of 1/256 whatever the scale says, so another scale gets a
 * warning); TANH's with scale 1/128 and zero point 0 (TFLM checks neither, so other values get
 * a warning). The input's scale becomes a Q4.27 multiplier and a radius past which the output
 * saturates, computed here as TFLM's CalculateArithmeticOpDataLogistic / tanh.cc do. MACs: 0.
 */
#include "ta_ops.h"
#include "ta_quant.h"
#include "ta_quant_act.h"

typedef struct sigmoid_kind {
  int32_t inv_scale, zero_point; /* the int8 output quantization the kernel writes */
  bool zero_point_required;      /* refuse (not just warn about) another zero point */
  ta_kernel_id kernel_s8, kernel_f32;
} sigmoid_kind;

static const sigmoid_kind logistic = {256, -128, true, TA_K_logistic_s8, TA_K_logistic_f32};
static const sigmoid_kind tanh_kind = {128, 0, false, TA_K_tanh_s8, TA_K_tanh_f32};

static const sigmoid_kind *kind_of(const ta_op *op) {
  return op->kind == TA_OP_TANH ? &tanh_kind : &logistic;
}

static ta_status sigmoid_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing", !x ? "input" : "output");
  ta_status st = TA_OK;
  char sb[96];
  if (x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "input \"%s\" is %s; expected float32 or int8", x->name,
                                 ta_dtype_name(x->dtype)));
  else if (y->dtype != x->dtype)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "output \"%s\" is %s; expected %s like the input", y->name,
                                 ta_dtype_name(y->dtype), ta_dtype_name(x->dtype)));
  if (!ta_tensor_dims_ok(x))
    ta_keep_first(
        &st, ta_op_err(g, op, TA_ERR_MALFORMED,
                       "input \"%s\" has shape %s; expected a known shape with every dim >= 1",
                       x->name, x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (st != TA_OK || x->dtype != TA_DT_I8)
    return st;

  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
  const sigmoid_kind *k = kind_of(op);
  ta_keep_first(&st, ta_check_fixed_output_quant(g, op, y, k->inv_scale, k->zero_point, false,
                                                 k->zero_point_required));
  if (st != TA_OK)
    return st;
  int32_t mult, shift, radius;
  if (!ta_sigmoid_input_scaling(x->q.scale[0], &mult, &shift, &radius))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input scale %g is outside what int8 %s handles (2^-28 to 2^35)",
                     (double)x->q.scale[0], ta_op_kind_name(op->kind));
  return TA_OK;
}

static ta_status sigmoid_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  const bool is_s8 = x->dtype == TA_DT_I8;
  const sigmoid_kind *k = kind_of(op);
  ta_status st = ta_call_init(g, op, call, is_s8 ? k->kernel_s8 : k->kernel_f32);
  if (st != TA_OK)
    return st;
  tart_sigmoid_params *p = call->params;
  size_t elems = 0;
  ta_tensor_elems(x, &elems);
  p->n_elems = (int32_t)elems;
  if (!is_s8)
    return TA_OK;
  p->in_zp = (int32_t)x->q.zero_point[0];
  if (!ta_sigmoid_input_scaling(x->q.scale[0], &p->in_mult, &p->in_shift_left, &p->in_range_radius))
    return ta_op_err(g, op, TA_ERR_INTERNAL, "input scaling changed after check");
  return TA_OK;
}

static uint64_t sigmoid_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_LOGISTIC = {
    .check = sigmoid_check,
    .infer = ta_infer_same_shape,
    .prepare = sigmoid_prepare,
    .macs = sigmoid_macs,
    TA_VARIANTS(ta_variant_eltwise),
};

const ta_op_def ta_op_def_TANH = {
    .check = sigmoid_check,
    .infer = ta_infer_same_shape,
    .prepare = sigmoid_prepare,
    .macs = sigmoid_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
