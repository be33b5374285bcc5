/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_minmax.c: MINIMUM, MAXIMUM, SQUARED_DIFFERENCE, PRELU, POW. in: a, b; out: min(a, b),
 * max(a, b), (a - b)^2, a >= 0 ? a : a * b (b: PRELU's alpha), powf(a, b) with numpy broadcasting
 * up to rank 6; float32, and int8 MINIMUM / MAXIMUM with one quantization for the three operands.
 * Broadcasting binary operators like ADD (one parameter family, kernels in runtime/src/binary.c):
 * the hooks are op_add.c's, keyed on op->kind.
 */
#include "ta_ops.h"

static ta_status minmax_check(ta_graph *g, ta_op *op) {
  return ta_op_def_ADD.check(g, op);
}
static ta_status minmax_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  return ta_op_def_ADD.prepare(g, op, call);
}
static uint64_t minmax_macs(const ta_graph *g, const ta_op *op) {
  return ta_op_def_ADD.macs(g, op);
}

const ta_op_def ta_op_def_MINIMUM = {
    .check = minmax_check,
    .infer = ta_infer_broadcast,
    .prepare = minmax_prepare,
    .macs = minmax_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_MAXIMUM = {
    .check = minmax_check,
    .infer = ta_infer_broadcast,
    .prepare = minmax_prepare,
    .macs = minmax_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_SQUARED_DIFFERENCE = {
    .check = minmax_check,
    .infer = ta_infer_broadcast,
    .prepare = minmax_prepare,
    .macs = minmax_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_PRELU = {
    .check = minmax_check,
    .infer = ta_infer_broadcast,
    .prepare = minmax_prepare,
    .macs = minmax_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
const ta_op_def ta_op_def_POW = {
    .check = minmax_check,
    .infer = ta_infer_broadcast,
    .prepare = minmax_prepare,
    .macs = minmax_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
