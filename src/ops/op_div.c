/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_div.c: DIV. in: a, b; out: a / b with numpy broadcasting up to rank 6, a fused
 * activation; float32, or integers without quantization (truncating toward zero; a division
 * by zero gives 0).
 *
 * DIV is a broadcasting binary operator like ADD and MUL (one parameter family, one kernel
 * file runtime/src/binary.c), so its hooks live in op_add.c, keyed on op->kind.
 */
#include "ta_ops.h"

static ta_status div_check(ta_graph *g, ta_op *op) {
  return ta_op_def_ADD.check(g, op);
}
static ta_status div_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  return ta_op_def_ADD.prepare(g, op, call);
}
/* 0: elementwise, no multiply-accumulates. */
static uint64_t div_macs(const ta_graph *g, const ta_op *op) {
  return ta_op_def_ADD.macs(g, op);
}

const ta_op_def ta_op_def_DIV = {
    .check = div_check,
    .infer = ta_infer_broadcast,
    .prepare = div_prepare,
    .macs = div_macs,
    TA_VARIANTS(ta_variant_eltwise),
};
