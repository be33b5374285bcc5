/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_mul.c: MUL. in: a, b; out: a * b with numpy broadcasting up to rank 6, a fused
 * activation; int8 or float32.
 *
 * MUL and ADD are one kind of operator (broadcasting binary, one parameter family, one
 * kernel file runtime/src/binary.c), so their hooks live together in op_add.c, which keys
 * the few differences on op->kind: MUL's int8 multiplier is TFLite Micro's
 * (double)scale_a * scale_b / scale_out (CalculateOpDataMul), applied once to the product
 * (a - zero_a) * (b - zero_b) by reference_integer_ops::MulElementwise.
 */
#include "ta_ops.h"

static ta_status mul_check(ta_graph *g, ta_op *op) {
  return ta_op_def_ADD.check(g, op);
}
static ta_status mul_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  return ta_op_def_ADD.prepare(g, op, call);
}
/* 0: elementwise products are not counted as multiply-accumulates. */
static uint64_t mul_macs(const ta_graph *g, const ta_op *op) {
  return ta_op_def_ADD.macs(g, op);
}

const ta_op_def ta_op_def_MUL = {
    .check = mul_check,
    .infer = ta_infer_broadcast,
    .prepare = mul_prepare,
    .macs = mul_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
