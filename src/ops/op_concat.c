/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_concat.c: CONCATENATION. in: any number of tensors of one rank, equal in every dim but
 * `axis` (attrs.axis, negative counts from the end); out: them joined along `axis`; int8 or
 * float32; a fused activation.
 *
 * int8: TFLite Micro copies values without rescaling, whatever the input quantization, and
 * TFLite refuses inputs whose scale or zero point differ from the output's; tinyaot refuses
 * them too (with a message naming the input), so every accepted model concatenates exactly.
 * A fused activation is accepted (TFLite refuses anything but NONE) and applied as a clamp to
 * the output, with the range CalculateActivationRange(Quantized) would give. Other types
 * without quantization (int64 shape vectors of ONNX exports) are joined as bytes.
 *
 * Prepare views every tensor as [outer, axis * inner]: the kernel (runtime/src/concat.c)
 * copies, for each of the outer rows, one row of each input in turn.
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <string.h>

static ta_status concat_check(ta_graph *g, ta_op *op) {
  if (op->n_in < 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 1 or more and 1", op->n_in, op->n_out);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the output is missing");
  /* Other types (ONNX shape arithmetic joins int64 vectors) are copied as bytes. */
  const size_t eb = ta_dtype_size(y->dtype);
  const bool raw = y->dtype != TA_DT_I8 && y->dtype != TA_DT_F32;
  if (raw && ((eb != 1 && eb != 2 && eb != 4 && eb != 8) || y->q.count || op->a.act))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "output \"%s\" is %s%s; expected int8, float32, or another type without "
                     "quantization or fused activation",
                     y->name, ta_dtype_name(y->dtype), y->q.count ? " (quantized)" : "");
  ta_status st = TA_OK;
  if ((unsigned)op->a.act > TA_ACT_RELU6)
    ta_keep_first(
        &st, ta_op_err(g, op, TA_ERR_MALFORMED, "fused activation %d is unknown", (int)op->a.act));
  if (y->dtype == TA_DT_I8)
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  for (int32_t i = 0; i < op->n_in; i++) {
    const ta_tensor *x = ta_op_input(g, op, i);
    if (!x) {
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED, "input %d is missing", i));
      continue;
    }
    if (x->dtype != y->dtype) {
      ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                   "input %d \"%s\" is %s; expected %s like the output", i, x->name,
                                   ta_dtype_name(x->dtype), ta_dtype_name(y->dtype)));
      continue;
    }
    if (y->dtype != TA_DT_I8 || st != TA_OK)
      continue;
    ta_status qs = ta_check_per_tensor_quant(g, op, x, "input");
    if (qs != TA_OK) {
      ta_keep_first(&st, qs);
    } else if (x->q.scale[0] != y->q.scale[0] || x->q.zero_point[0] != y->q.zero_point[0]) {
      ta_keep_first(&st,
                    ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "input %d \"%s\" has scale %g and zero point %lld, but the output "
                              "has scale %g and zero point %lld; int8 CONCATENATION needs every "
                              "input quantized like the output (TFLite refuses this; TFLite "
                              "Micro would copy the values without rescaling). Requantize the "
                              "input first, or re-convert with matching quantization",
                              i, x->name, (double)x->q.scale[0], (long long)x->q.zero_point[0],
                              (double)y->q.scale[0], (long long)y->q.zero_point[0]));
    }
  }
  return st;
}

static ta_status concat_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x0 = ta_op_input(g, op, 0);
  ta_tensor *y = ta_op_output(g, op, 0);
  char s0[96], sx[96], sy[96], sw[96];
  for (int32_t i = 0; i < op->n_in; i++)
    if (!ta_op_input(g, op, i)->shape_known)
      return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input %d \"%s\" is unknown", i,
                       ta_op_input(g, op, i)->name);
  const int32_t rank = x0->rank;
  if (rank < 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "input 0 \"%s\" is a scalar; expected rank >= 1",
                     x0->name);
  const int32_t axis = op->a.axis < 0 ? op->a.axis + rank : op->a.axis;
  if (axis < 0 || axis >= rank)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "axis %d is out of range for rank %d (expected %d..%d)", op->a.axis, rank,
                     -rank, rank - 1);
  ta_tensor want = *x0;
  want.dims[axis] = 0;
  for (int32_t i = 0; i < op->n_in; i++) {
    const ta_tensor *x = ta_op_input(g, op, i);
    bool ok = x->rank == rank;
    for (int32_t k = 0; ok && k < rank; k++)
      ok = k == axis || x->dims[k] == x0->dims[k];
    if (!ok)
      return ta_op_err(g, op, TA_ERR_MALFORMED,
                       "input %d \"%s\" has shape %s and input 0 \"%s\" %s; expected the same "
                       "rank and equal dims except axis %d",
                       i, x->name, ta_shape_str(x, sx, sizeof sx), x0->name,
                       ta_shape_str(x0, s0, sizeof s0), axis);
    if (want.dims[axis] > INT32_MAX - x->dims[axis])
      return ta_op_err(g, op, TA_ERR_LIMIT, "the output is too large along axis %d", axis);
    want.dims[axis] += x->dims[axis];
  }
  if (!y->shape_known) {
    y->shape_known = true;
    y->rank = rank;
    memcpy(y->dims, want.dims, sizeof y->dims);
    return TA_OK;
  }
  bool same = y->rank == rank;
  for (int32_t k = 0; same && k < rank; k++)
    same = y->dims[k] == want.dims[k];
  if (!same)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "output \"%s\" has shape %s, but the inputs joined along axis %d give %s",
                     y->name, ta_shape_str(y, sy, sizeof sy), axis,
                     ta_shape_str(&want, sw, sizeof sw));
  return TA_OK;
}

static ta_status concat_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *y = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(y, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "output \"%s\" has more than 2^31-1 elements", y->name);
  /* A type other than int8 and float32 goes through concat_s8 without clamp, which copies
   * bytes: rows are counted in bytes then. */
  const bool s8 = y->dtype != TA_DT_F32;
  const int32_t eb = y->dtype == TA_DT_I8 || !s8 ? 1 : (int32_t)ta_dtype_size(y->dtype);
  ta_status st = ta_call_init(g, op, call, s8 ? TA_K_concat_s8 : TA_K_concat_f32);
  if (st != TA_OK)
    return st;
  tart_concat_params *p = call->params;
  const int32_t axis = op->a.axis < 0 ? op->a.axis + y->rank : op->a.axis;
  int32_t outer = 1, inner = eb;
  for (int32_t k = 0; k < axis; k++)
    outer *= y->dims[k];
  for (int32_t k = axis + 1; k < y->rank; k++)
    inner *= y->dims[k];
  int32_t *rows = ta_new_array(g->ctx, (size_t)op->n_in, sizeof(int32_t));
  if (!rows)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < op->n_in; i++)
    rows[i] = ta_op_input(g, op, i)->dims[axis] * inner;
  p->outer = outer;
  p->n_inputs = op->n_in;
  p->in_rows = rows;
  p->apply_clamp = op->a.act != TA_ACT_NONE;
  ta_act_range_f32(op->a.act, &p->clamp.min_f32, &p->clamp.max_f32);
  if (y->dtype == TA_DT_I8)
    ta_act_range_quant(op->a.act, y->q.scale[0], (int32_t)y->q.zero_point[0], -128, 127,
                       &p->clamp.min, &p->clamp.max);
  return TA_OK;
}

/* Data movement: no multiply-accumulates. */
static uint64_t concat_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_CONCATENATION = {
    .check = concat_check,
    .infer = concat_infer,
    .prepare = concat_prepare,
    .macs = concat_macs,
};
