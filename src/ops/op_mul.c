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
#include "ta_quant.h"

#include <stdlib.h>

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

static bool s8_mul(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_binary_params *p = call->params;
  return ta_op_output(g, op, 0)->dtype == TA_DT_I8 && p->int_type < 0;
}

/* mul_s8_fast, when the fast requantization is exact for every product of two offset inputs
 * (a multiplier >= 1 is not: it keeps the reference). */
static bool mul_fast_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  (void)op;
  tart_binary_params *p = call->params;
  const int64_t a = llabs(127 + (int64_t)p->in1_neg_zp) > llabs(-128 + (int64_t)p->in1_neg_zp)
                        ? llabs(127 + (int64_t)p->in1_neg_zp)
                        : llabs(-128 + (int64_t)p->in1_neg_zp);
  const int64_t b = llabs(127 + (int64_t)p->in2_neg_zp) > llabs(-128 + (int64_t)p->in2_neg_zp)
                        ? llabs(127 + (int64_t)p->in2_neg_zp)
                        : llabs(-128 + (int64_t)p->in2_neg_zp);
  int32_t *fq = ta_new_array(g->ctx, 3, sizeof(int32_t));
  if (!fq || !ta_requant_fast_one(a * b, p->out_mult, p->out_shift_left, p->out_zp, fq))
    return false;
  p->fq = fq, p->n_fq = 3;
  return true;
}

static const ta_variant mul_variants[] = {
    {.name = "fast",
     .kernel = TA_K_mul_s8_fast,
     .applies = s8_mul,
     .prepare = mul_fast_prepare,
     .inplace_operands = TA_INPLACE_ANY,
     .inplace_ok = ta_inplace_same_shape},
    {.name = "ref",
     .kernel = TA_K_PREPARED,
     .reference = true,
     .inplace_operands = TA_INPLACE_ANY,
     .inplace_ok = ta_inplace_same_shape},
};

const ta_op_def ta_op_def_MUL = {
    .check = mul_check,
    .infer = ta_infer_broadcast,
    .prepare = mul_prepare,
    .macs = mul_macs,
    TA_VARIANTS(mul_variants),
};
