/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_mean.c: MEAN. in: input (any rank >= 1), axes (constant int32 or int64, negative values
 * count from the end, duplicates ignored); attrs.keep_dims keeps reduced axes as size 1.
 * int8 or float32.
 *
 * Prepare folds the reduction into at most 4 kept and 4 reduced groups of merged axes
 * (defs/pool.def), and computes TFLM's int8 constants (reduce_common.cc): when input and
 * output quantization are identical TFLM takes reference_ops::Mean (truncating sum / count);
 * otherwise QuantizedMeanOrSum with QuantizeMultiplier(input_scale / output_scale) and the
 * 1/count folded into it. MACs: 0.
 *
 * REDUCE_MAX, REDUCE_MIN and SUM share the operands, checks and grouping (TFLM's reduce_common.cc
 * too): int8 max and min need the input's quantization on the output (TFLM refuses others), so
 * they compare raw values; int8 SUM always requantizes (QuantizedMeanOrSum with compute_sum:
 * QuantizeMultiplier(input_scale / output_scale), no 1/count).
 */
#include "ta_ops.h"
#include "ta_quant.h"
#include "ta_quant_act.h"

#include <string.h>

_Static_assert((TA_MAX_RANK + 1) / 2 <= 4, "mean kernels take at most 4 groups of each kind");

/* Axis value i of the constant axes tensor (int32 or int64; data may be unaligned). */
static int64_t axis_value(const ta_tensor *t, size_t i) {
  if (t->dtype == TA_DT_I64) {
    int64_t v;
    memcpy(&v, t->data + i * sizeof v, sizeof v);
    return v;
  }
  int32_t v;
  memcpy(&v, t->data + i * sizeof v, sizeof v);
  return v;
}

/* Which axes of a rank-`rank` input are reduced. false (with the offending value) when an
 * axis is out of range. */
static bool reduced_axes(const ta_tensor *axes, int32_t rank, bool *reduced, int64_t *bad) {
  size_t n = 0;
  ta_tensor_elems(axes, &n);
  for (int32_t d = 0; d < rank; d++)
    reduced[d] = false;
  for (size_t i = 0; i < n; i++) {
    int64_t v = axis_value(axes, i);
    int64_t d = v < 0 ? v + rank : v;
    if (d < 0 || d >= rank) {
      *bad = v;
      return false;
    }
    reduced[d] = true;
  }
  return true;
}

static ta_status mean_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 2 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 inputs (input, axes) and 1 output",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *axes = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !axes || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing",
                     !x      ? "input"
                     : !axes ? "axes operand"
                             : "output");
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
  if (!x->shape_known || x->rank < 1 || !ta_tensor_dims_ok(x))
    ta_keep_first(
        &st,
        ta_op_err(
            g, op, TA_ERR_MALFORMED,
            "input \"%s\" has shape %s; expected a known shape of rank >= 1 with every dim >= 1",
            x->name, x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  size_t n_axes = 0;
  if (!ta_tensor_is_const(axes))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "axes \"%s\" is computed at run time; expected a constant tensor",
                                 axes->name));
  else if (axes->dtype != TA_DT_I32 && axes->dtype != TA_DT_I64)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "axes \"%s\" is %s; expected int32 or int64",
                            axes->name, ta_dtype_name(axes->dtype)));
  else if (!axes->shape_known || axes->rank > 1 || !ta_tensor_elems(axes, &n_axes) ||
           axes->data_bytes < n_axes * ta_dtype_size(axes->dtype))
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "axes \"%s\" has shape %s and %zu bytes of data; expected a vector",
                            axes->name,
                            axes->shape_known ? ta_shape_str(axes, sb, sizeof sb) : "(unknown)",
                            axes->data_bytes));
  if (st != TA_OK)
    return st;

  bool reduced[TA_MAX_RANK];
  int64_t bad = 0;
  if (!reduced_axes(axes, x->rank, reduced, &bad))
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "axis %lld is out of range for the rank-%d input \"%s\"", (long long)bad,
                     x->rank, x->name);
  if (x->dtype == TA_DT_I8) {
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
    ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
    if (st == TA_OK && (op->kind == TA_OP_REDUCE_MAX || op->kind == TA_OP_REDUCE_MIN) &&
        (x->q.scale[0] != y->q.scale[0] || x->q.zero_point[0] != y->q.zero_point[0]))
      st = ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "output quantization (scale %g, zero point %lld) differs from the input's "
                     "(scale %g, zero point %lld); int8 %s needs them equal, as TFLite Micro",
                     (double)y->q.scale[0], (long long)y->q.zero_point[0], (double)x->q.scale[0],
                     (long long)x->q.zero_point[0], ta_op_kind_name(op->kind));
  }
  return st;
}

static ta_status mean_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *axes = ta_op_input(g, op, 1);
  ta_tensor *y = ta_op_output(g, op, 0);
  bool reduced[TA_MAX_RANK];
  int64_t bad;
  if (!reduced_axes(axes, x->rank, reduced, &bad))
    return ta_op_err(g, op, TA_ERR_INTERNAL, "axes changed after check");
  int32_t dims[TA_MAX_RANK], rank = 0;
  for (int32_t d = 0; d < x->rank; d++) {
    if (!reduced[d])
      dims[rank++] = x->dims[d];
    else if (op->a.keep_dims)
      dims[rank++] = 1;
  }
  return ta_op_set_output_shape(g, op, y, rank, dims);
}

/* Merge the input axes into groups: size-1 axes dropped, neighbours of the same kind (kept or
 * reduced) fused, each group's stride that of its innermost axis. Unused groups: dim 1,
 * stride 0. */
static void fill_groups(const ta_tensor *x, const bool *reduced, tart_mean_params *p) {
  int32_t stride[TA_MAX_RANK];
  int32_t s = 1;
  for (int32_t d = x->rank - 1; d >= 0; d--) {
    stride[d] = s;
    s *= x->dims[d];
  }
  for (int32_t i = 0; i < 4; i++) {
    p->kept_dims[i] = p->red_dims[i] = 1;
    p->kept_strides[i] = p->red_strides[i] = 0;
  }
  int32_t n_kept = 0, n_red = 0, prev = -1; /* prev: kind of the last group (0 kept, 1 red) */
  for (int32_t d = 0; d < x->rank; d++) {
    if (x->dims[d] == 1)
      continue;
    const int32_t kind = reduced[d] ? 1 : 0;
    int32_t *dims = kind ? p->red_dims : p->kept_dims;
    int32_t *strides = kind ? p->red_strides : p->kept_strides;
    int32_t *n = kind ? &n_red : &n_kept;
    if (kind != prev)
      (*n)++;
    dims[*n - 1] = kind == prev ? dims[*n - 1] * x->dims[d] : x->dims[d];
    strides[*n - 1] = stride[d];
    prev = kind;
  }
}

static ta_status mean_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *axes = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  const bool is_s8 = x->dtype == TA_DT_I8;
  ta_kernel_id k = is_s8 ? TA_K_mean_s8 : TA_K_mean_f32;
  if (op->kind == TA_OP_REDUCE_MAX)
    k = is_s8 ? TA_K_reduce_max_s8 : TA_K_reduce_max_f32;
  else if (op->kind == TA_OP_REDUCE_MIN)
    k = is_s8 ? TA_K_reduce_min_s8 : TA_K_reduce_min_f32;
  else if (op->kind == TA_OP_SUM)
    k = is_s8 ? TA_K_mean_s8 : TA_K_sum_f32;
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  call->n_in = 1; /* the kernel reads the data only; the axes are folded into the params */
  tart_mean_params *p = call->params;
  bool reduced[TA_MAX_RANK];
  int64_t bad;
  if (!reduced_axes(axes, x->rank, reduced, &bad))
    return ta_op_err(g, op, TA_ERR_INTERNAL, "axes changed after check");
  fill_groups(x, reduced, p);
  int64_t count = 1;
  for (int32_t d = 0; d < x->rank; d++)
    if (reduced[d])
      count *= x->dims[d];
  p->n_reduced = (int32_t)count; /* <= the input's element count, which fits int32 */
  if (k != TA_K_mean_s8)
    return TA_OK;

  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  ta_quant_get(x, &in_scale, &in_zp);
  ta_quant_get(y, &out_scale, &out_zp);
  p->out_zp = out_zp;
  if (op->kind == TA_OP_SUM) {
    p->requant = 1;
    p->in_zp_times_n = (int32_t)(uint32_t)((uint64_t)((int64_t)in_zp * count));
    return ta_requant_multiplier(g, op, (double)in_scale / (double)out_scale, in_scale, out_scale,
                                 &p->mult, &p->shift_left);
  }
  if (in_scale == out_scale && in_zp == out_zp) {
    p->requant = 0;
    return TA_OK;
  }
  p->requant = 1;
  p->in_zp_times_n = (int32_t)(uint32_t)((uint64_t)((int64_t)in_zp * count));
  ta_mean_requant((double)in_scale / (double)out_scale, count, &p->mult, &p->shift_left);
  if (p->shift_left > 31)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input scale %g over output scale %g is too large to requantize (>= 2^31)",
                     (double)in_scale, (double)out_scale);
  return TA_OK;
}

static uint64_t mean_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_MEAN = {
    .check = mean_check,
    .infer = mean_infer,
    .prepare = mean_prepare,
    .macs = mean_macs,
};
const ta_op_def ta_op_def_REDUCE_MAX = {
    .check = mean_check,
    .infer = mean_infer,
    .prepare = mean_prepare,
    .macs = mean_macs,
};
const ta_op_def ta_op_def_REDUCE_MIN = {
    .check = mean_check,
    .infer = mean_infer,
    .prepare = mean_prepare,
    .macs = mean_macs,
};
const ta_op_def ta_op_def_SUM = {
    .check = mean_check,
    .infer = mean_infer,
    .prepare = mean_prepare,
    .macs = mean_macs,
};
