/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_batch_matmul.c: BATCH_MATMUL. in: a [..., M, K], b [..., K, N]; out [..., M, N], the
 * batch dims (all but the last two, at most 4) broadcast numpy-style. float32 throughout, or
 * int8 a (its zero point, if it has quantization parameters, is subtracted) with an int16 b
 * from which the frontend already subtracted b's zero points, into int32 accumulators (ONNX
 * MatMulInteger, and the accumulation half of QLinearMatMul).
 *
 * Prepare gives the kernel (runtime/src/batch_matmul.c) the output's batch dims and, for each
 * operand, the stride in whole matrices along each (0 where the operand is broadcast).
 * MACs: batches * M * N * K.
 */
#include "ta_ops.h"
#include "ta_quant_act.h"

static ta_status bmm_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 2 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 2 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *a = ta_op_input(g, op, 0), *b = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!a || !b || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing",
                     !a   ? "input a"
                     : !b ? "input b"
                          : "the output");
  const bool f32 = a->dtype == TA_DT_F32 && b->dtype == TA_DT_F32 && y->dtype == TA_DT_F32;
  const bool integer = a->dtype == TA_DT_I8 && b->dtype == TA_DT_I16 && y->dtype == TA_DT_I32;
  if (!f32 && !integer)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "operands are %s x %s -> %s; expected float32 x float32 -> float32 or "
                     "int8 x int16 -> int32",
                     ta_dtype_name(a->dtype), ta_dtype_name(b->dtype), ta_dtype_name(y->dtype));
  if (integer && a->q.count > 1)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input a \"%s\" is quantized per channel", a->name);
  char sa[96], sb[96];
  if (!a->shape_known || !b->shape_known || a->rank < 2 || b->rank < 2 || !ta_tensor_dims_ok(a) ||
      !ta_tensor_dims_ok(b))
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "inputs have shapes %s and %s; expected known shapes of rank >= 2",
                     a->shape_known ? ta_shape_str(a, sa, sizeof sa) : "[?]",
                     b->shape_known ? ta_shape_str(b, sb, sizeof sb) : "[?]");
  if (a->dims[a->rank - 1] != b->dims[b->rank - 2])
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "inputs %s and %s do not chain: a has %d columns, b has %d rows",
                     ta_shape_str(a, sa, sizeof sa), ta_shape_str(b, sb, sizeof sb),
                     a->dims[a->rank - 1], b->dims[b->rank - 2]);
  const int32_t r = a->rank > b->rank ? a->rank : b->rank;
  if (r - 2 > 4)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "%d batch dims; at most 4 are supported", r - 2);
  for (int32_t k = 0; k < r - 2; k++) {
    const int32_t ka = k - (r - a->rank), kb = k - (r - b->rank);
    const int32_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
    if (da != db && da != 1 && db != 1)
      return ta_op_err(g, op, TA_ERR_MALFORMED, "batch dims of %s and %s do not broadcast",
                       ta_shape_str(a, sa, sizeof sa), ta_shape_str(b, sb, sizeof sb));
  }
  return TA_OK;
}

/* The output shape: broadcast batch dims, then M and N. */
static int32_t out_shape(const ta_tensor *a, const ta_tensor *b, int32_t *dims) {
  const int32_t r = a->rank > b->rank ? a->rank : b->rank;
  for (int32_t k = 0; k < r - 2; k++) {
    const int32_t ka = k - (r - a->rank), kb = k - (r - b->rank);
    const int32_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
    dims[k] = da == 1 ? db : da;
  }
  dims[r - 2] = a->dims[a->rank - 2];
  dims[r - 1] = b->dims[b->rank - 1];
  return r;
}

static ta_status bmm_infer(ta_graph *g, ta_op *op) {
  int32_t dims[TA_MAX_RANK];
  const int32_t r = out_shape(ta_op_input(g, op, 0), ta_op_input(g, op, 1), dims);
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), r, dims);
}

/* Strides in matrices of operand t along the output's batch dims (0 where broadcast). */
static void batch_strides(const ta_tensor *t, int32_t r, const int32_t *out_dims,
                          int32_t *strides) {
  int32_t acc = 1;
  for (int32_t k = r - 3; k >= 0; k--) {
    const int32_t kt = k - (r - t->rank);
    const int32_t dt = kt >= 0 ? t->dims[kt] : 1;
    strides[k] = (dt == 1 && out_dims[k] != 1) ? 0 : acc;
    acc *= dt;
  }
}

static ta_status bmm_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *a = ta_op_input(g, op, 0), *b = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(y, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "output \"%s\" has more than 2^31-1 elements", y->name);
  const bool f32 = a->dtype == TA_DT_F32;
  ta_status st =
      ta_call_init(g, op, call, f32 ? TA_K_batch_matmul_f32 : TA_K_batch_matmul_s8s16_s32);
  if (st != TA_OK)
    return st;
  tart_matmul_params *p = call->params;
  int32_t dims[TA_MAX_RANK], sa[TA_MAX_RANK], sb[TA_MAX_RANK];
  const int32_t r = out_shape(a, b, dims);
  batch_strides(a, r, dims, sa);
  batch_strides(b, r, dims, sb);
  const int32_t nb = r - 2;
  for (int32_t k = 0; k < 4; k++) {
    const int32_t j = k - (4 - nb);
    p->batch_dims[k] = j >= 0 ? dims[j] : 1;
    p->a_strides[k] = j >= 0 ? sa[j] : 0;
    p->b_strides[k] = j >= 0 ? sb[j] : 0;
  }
  p->m = a->dims[a->rank - 2];
  p->k = a->dims[a->rank - 1];
  p->n = b->dims[b->rank - 1];
  p->a_neg_zp = (!f32 && a->q.count == 1) ? -(int32_t)a->q.zero_point[0] : 0;
  return TA_OK;
}

static uint64_t bmm_macs(const ta_graph *g, const ta_op *op) {
  const ta_tensor *a = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!a || !y || !ta_tensor_elems(y, &elems) || a->rank < 1)
    return 0;
  return (uint64_t)elems * (uint64_t)a->dims[a->rank - 1];
}

const ta_op_def ta_op_def_BATCH_MATMUL = {
    .check = bmm_check,
    .infer = bmm_infer,
    .prepare = bmm_prepare,
    .macs = bmm_macs,
};
