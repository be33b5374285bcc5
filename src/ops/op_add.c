/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_add.c: ADD, and the broadcasting binary-op hooks it shares with MUL, SUB and DIV
 * (op_mul.c, op_sub.c and op_div.c forward their hooks here; everything specific to one of
 * them is keyed on op->kind below). in: a, b; out: a op b with numpy broadcasting up to rank 6,
 * a fused activation; every operand of the same type:
 *   float32            all four;
 *   int8, quantized    ADD and MUL (per-tensor quantization, TFLite's arithmetic);
 *   integers without quantization (any width, signed or not; ONNX): all four, wrapping as
 *                      numpy does, no fused activation.
 *
 * MINIMUM, MAXIMUM, SQUARED_DIFFERENCE and PRELU (op_minmax.c) share these hooks too: float32, and
 * int8 MINIMUM / MAXIMUM when all three operands have one quantization (TFLite requires it;
 * the kernels compare raw values), int8 SQUARED_DIFFERENCE and PRELU (per-tensor
 * quantization, TFLite's arithmetic); no fused activation, no plain integers.
 *
 * Prepare is TFLite Micro's prepare, run once at compile time:
 *   ADD int8 (CalculateOpDataAdd): pre_shift_left 20 (TFLite's left_shift); with twice_max =
 *     2 * max(scale_a, scale_b) in double, input multipliers scale_x / twice_max and output
 *     multiplier twice_max / (2^20 * scale_out), each by QuantizeMultiplierSmallerThanOneExp
 *     (so each must be < 1: refused otherwise, as TFLite aborts on it).
 *   MUL int8 (CalculateOpDataMul): one multiplier (double)scale_a * scale_b / scale_out.
 *   SQUARED_DIFFERENCE int8 (squared_difference.cc's prepare): pre_shift_left 7; with
 *     twice_max as for ADD, input multipliers scale_x / twice_max, output multiplier
 *     twice_max^2 / (2^14 * scale_out) (QuantizeMultiplier: any shift in [-31, 31]).
 *   PRELU int8 (prelu.cc's prepare): in1 multiplier scale_in / scale_out (double), out
 *     multiplier scale_in * scale_alpha / scale_out (double).
 *   Clamp range of the fused activation: CalculateActivationRange(Quantized).
 * The broadcast geometry is decided here too: dims of size 1 in the output are dropped, and
 * neighbouring dims merged while both inputs step through them contiguously (or both stay
 * put), so [1,4,4,3]+[3] becomes 16 rows of 3 and same-shape inputs one flat run. The kernel
 * (runtime/src/binary.c) only steps indices. The output shape is the shared broadcast
 * inference (eltwise.c).
 */
#include "ta_ops.h"
#include "ta_quant.h"
#include "tart_fixedpoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The int8 multipliers of ADD; false when TFLite would refuse them (a multiplier >= 1). */
static bool add_quant(const ta_tensor *a, const ta_tensor *b, const ta_tensor *o,
                      tart_binary_params *p) {
  const double twice_max = 2.0 * (double)fmaxf(a->q.scale[0], b->q.scale[0]);
  const double real_a = (double)a->q.scale[0] / twice_max;
  const double real_b = (double)b->q.scale[0] / twice_max;
  const double real_out = twice_max / ((double)(1 << 20) * (double)o->q.scale[0]);
  p->pre_shift_left = 20;
  ta_quantize_multiplier(real_a, &p->in1_mult, &p->in1_shift_left);
  ta_quantize_multiplier(real_b, &p->in2_mult, &p->in2_shift_left);
  ta_quantize_multiplier(real_out, &p->out_mult, &p->out_shift_left);
  return real_out < 1.0 && p->in1_shift_left <= 0 && p->in2_shift_left <= 0 &&
         p->out_shift_left <= 0;
}

/* SQUARED_DIFFERENCE and PRELU: the int8 multipliers; false when a shift is out of the
 * kernels' range (TFLite's arithmetic is undefined there). */
static bool sqdiff_prelu_quant(const ta_op *op, const ta_tensor *a, const ta_tensor *b,
                               const ta_tensor *o, tart_binary_params *p) {
  if (op->kind == TA_OP_PRELU) {
    const double in = (double)a->q.scale[0], al = (double)b->q.scale[0];
    const double out = (double)o->q.scale[0];
    ta_quantize_multiplier(in / out, &p->in1_mult, &p->in1_shift_left);
    ta_quantize_multiplier(in * al / out, &p->out_mult, &p->out_shift_left);
    return p->in1_shift_left >= -31 && p->in1_shift_left <= 31 && p->out_shift_left >= -31 &&
           p->out_shift_left <= 31;
  }
  const double twice_max = 2.0 * (double)fmaxf(a->q.scale[0], b->q.scale[0]);
  p->pre_shift_left = 7;
  ta_quantize_multiplier((double)a->q.scale[0] / twice_max, &p->in1_mult, &p->in1_shift_left);
  ta_quantize_multiplier((double)b->q.scale[0] / twice_max, &p->in2_mult, &p->in2_shift_left);
  /* 2^14 * scale_out is a float product in the reference: exact (a power of two). */
  const double real_out = twice_max * twice_max / (double)(16384.0f * o->q.scale[0]);
  ta_quantize_multiplier(real_out, &p->out_mult, &p->out_shift_left);
  return p->in1_shift_left <= 0 && p->in2_shift_left <= 0 && p->in1_shift_left >= -31 &&
         p->in2_shift_left >= -31 && p->out_shift_left >= -31 && p->out_shift_left <= 31;
}

/* MUL: the int8 multiplier. */
static void mul_quant(const ta_tensor *a, const ta_tensor *b, const ta_tensor *o,
                      tart_binary_params *p) {
  const double real = (double)a->q.scale[0] * (double)b->q.scale[0] / (double)o->q.scale[0];
  ta_quantize_multiplier(real, &p->out_mult, &p->out_shift_left);
}

static ta_status binary_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 2 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 2 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *a = ta_op_input(g, op, 0), *b = ta_op_input(g, op, 1);
  const ta_tensor *o = ta_op_output(g, op, 0);
  if (!a || !b || !o)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing",
                     !a   ? "input 0"
                     : !b ? "input 1"
                          : "the output");
  const bool minmax = op->kind == TA_OP_MINIMUM || op->kind == TA_OP_MAXIMUM;
  const bool extra = minmax || op->kind == TA_OP_SQUARED_DIFFERENCE || op->kind == TA_OP_PRELU ||
                     op->kind == TA_OP_POW;
  const bool plain_int =
      !extra && ta_int_type(o->dtype) >= 0 && a->q.count == 0 && b->q.count == 0 && o->q.count == 0;
  const bool sq_pr = op->kind == TA_OP_SQUARED_DIFFERENCE || op->kind == TA_OP_PRELU;
  if (extra && (o->dtype != TA_DT_F32 && !((minmax || sq_pr) && o->dtype == TA_DT_I8)))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "output \"%s\" is %s; expected %s", o->name,
                     ta_dtype_name(o->dtype), minmax || sq_pr ? "float32 or int8" : "float32");
  if (o->dtype != TA_DT_I8 && o->dtype != TA_DT_F32 && !plain_int)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "output \"%s\" is %s; expected float32, quantized int8 or an integer type",
                     o->name, ta_dtype_name(o->dtype));
  ta_status st = TA_OK;
  if (a->dtype != o->dtype || b->dtype != o->dtype)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "inputs \"%s\" (%s) and \"%s\" (%s) and output \"%s\" (%s) differ in type; "
                     "expected one type for all three",
                     a->name, ta_dtype_name(a->dtype), b->name, ta_dtype_name(b->dtype), o->name,
                     ta_dtype_name(o->dtype));
  if ((unsigned)op->a.act > TA_ACT_RELU6)
    ta_keep_first(
        &st, ta_op_err(g, op, TA_ERR_MALFORMED, "fused activation %d is unknown", (int)op->a.act));
  if (plain_int && op->a.act != TA_ACT_NONE)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "a fused activation on integers without quantization is not "
                                 "supported"));
  if (extra && op->a.act != TA_ACT_NONE)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "a fused activation is not supported"));
  if (o->dtype != TA_DT_I8 || plain_int)
    return st;
  if (minmax) {
    ta_status qs = ta_check_per_tensor_quant(g, op, a, "input");
    ta_keep_first(&qs, ta_check_per_tensor_quant(g, op, b, "input"));
    ta_keep_first(&qs, ta_check_per_tensor_quant(g, op, o, "output"));
    if (qs == TA_OK &&
        (a->q.scale[0] != o->q.scale[0] || b->q.scale[0] != o->q.scale[0] ||
         a->q.zero_point[0] != o->q.zero_point[0] || b->q.zero_point[0] != o->q.zero_point[0]))
      qs = ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "the inputs and the output have different quantization; int8 %s needs one "
                     "scale and zero point for all three, as TFLite",
                     ta_op_kind_name(op->kind));
    ta_keep_first(&st, qs);
    return st;
  }
  if (sq_pr) {
    ta_status qs = ta_check_per_tensor_quant(g, op, a, "input");
    ta_keep_first(&qs, ta_check_per_tensor_quant(g, op, b, "input"));
    ta_keep_first(&qs, ta_check_per_tensor_quant(g, op, o, "output"));
    tart_binary_params p;
    if (qs == TA_OK && !sqdiff_prelu_quant(op, a, b, o, &p))
      qs = ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input scales %g and %g and output scale %g give an int8 %s multiplier "
                     "outside [2^-32, 2^31)",
                     (double)a->q.scale[0], (double)b->q.scale[0], (double)o->q.scale[0],
                     ta_op_kind_name(op->kind));
    ta_keep_first(&st, qs);
    return st;
  }
  if (op->kind != TA_OP_ADD && op->kind != TA_OP_MUL)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "quantized int8 %s is not supported (float32 or integers without "
                     "quantization are)",
                     ta_op_kind_name(op->kind));
  ta_status qs = ta_check_per_tensor_quant(g, op, a, "input");
  ta_keep_first(&qs, ta_check_per_tensor_quant(g, op, b, "input"));
  ta_keep_first(&qs, ta_check_per_tensor_quant(g, op, o, "output"));
  ta_keep_first(&st, qs);
  if (qs == TA_OK && op->kind == TA_OP_ADD) {
    tart_binary_params p;
    if (!add_quant(a, b, o, &p))
      ta_keep_first(&st,
                    ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "output scale %g is too small for input scales %g and %g: int8 "
                              "ADD needs 2 * max(input scales) < 2^20 * output scale (TFLite "
                              "refuses it too)",
                              (double)o->q.scale[0], (double)a->q.scale[0], (double)b->q.scale[0]));
  }
  if (qs == TA_OK && op->kind == TA_OP_MUL) {
    /* The kernel (as TFLite's) shifts left by at most 31. */
    tart_binary_params p;
    mul_quant(a, b, o, &p);
    if (p.out_shift_left > 31)
      ta_keep_first(&st,
                    ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                              "output scale %g is too small for input scales %g and %g: the int8 "
                              "MUL multiplier (product of the input scales / output scale) must be "
                              "below 2^31",
                              (double)o->q.scale[0], (double)a->q.scale[0], (double)b->q.scale[0]));
  }
  return st;
}

/* Strides and merged dims of the broadcast (see the file comment and defs/elementwise.def). */
static void broadcast_geometry(const ta_tensor *a, const ta_tensor *b, const ta_tensor *o,
                               tart_binary_params *p) {
  /* Element strides of each input along each output dim, innermost first; 0 if broadcast. */
  int32_t d[TA_MAX_RANK], s1[TA_MAX_RANK], s2[TA_MAX_RANK], n = 0;
  int32_t stride_a = 1, stride_b = 1;
  int64_t total = 1;
  for (int32_t k = o->rank - 1; k >= 0; k--) {
    const int32_t ka = k - (o->rank - a->rank), kb = k - (o->rank - b->rank);
    const int32_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
    const int32_t od = o->dims[k];
    total *= od;
    if (od != 1) {
      d[n] = od;
      s1[n] = da == 1 ? 0 : stride_a;
      s2[n] = db == 1 ? 0 : stride_b;
      /* Merge with the inner neighbour when both inputs step through the pair as one dim. */
      if (n > 0 && s1[n] == s1[n - 1] * d[n - 1] && s2[n] == s2[n - 1] * d[n - 1]) {
        d[n - 1] *= od;
      } else {
        n++;
      }
    }
    stride_a *= da;
    stride_b *= db;
  }
  p->n_elems = (int32_t)total;
  for (int k = 0; k < 6; k++) {
    p->out_dims[k] = 1;
    p->in1_strides[k] = 0;
    p->in2_strides[k] = 0;
  }
  p->broadcast = !(n == 0 || (n == 1 && s1[0] == 1 && s2[0] == 1));
  for (int32_t i = 0; i < n; i++) { /* innermost (i = 0) goes to dim 5 */
    p->out_dims[5 - i] = d[i];
    p->in1_strides[5 - i] = s1[i];
    p->in2_strides[5 - i] = s2[i];
  }
}

static ta_status binary_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *a = ta_op_input(g, op, 0), *b = ta_op_input(g, op, 1);
  const ta_tensor *o = ta_op_output(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(o, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "output \"%s\" has more than 2^31-1 elements", o->name);
  const bool is_add = op->kind == TA_OP_ADD;
  const int32_t int_type = o->q.count == 0 ? ta_int_type(o->dtype) : -1;
  const bool s8 = o->dtype == TA_DT_I8 && int_type < 0;
  ta_kernel_id k;
  switch (op->kind) {
  case TA_OP_ADD: k = int_type >= 0 ? TA_K_add_int : s8 ? TA_K_add_s8 : TA_K_add_f32; break;
  case TA_OP_MUL: k = int_type >= 0 ? TA_K_mul_int : s8 ? TA_K_mul_s8 : TA_K_mul_f32; break;
  case TA_OP_SUB: k = int_type >= 0 ? TA_K_sub_int : TA_K_sub_f32; break;
  case TA_OP_MINIMUM: k = o->dtype == TA_DT_I8 ? TA_K_minimum_s8 : TA_K_minimum_f32; break;
  case TA_OP_MAXIMUM: k = o->dtype == TA_DT_I8 ? TA_K_maximum_s8 : TA_K_maximum_f32; break;
  case TA_OP_SQUARED_DIFFERENCE:
    k = s8 ? TA_K_squared_difference_s8 : TA_K_squared_difference_f32;
    break;
  case TA_OP_PRELU: k = s8 ? TA_K_prelu_s8 : TA_K_prelu_f32; break;
  case TA_OP_POW: k = TA_K_pow_f32; break;
  default: k = int_type >= 0 ? TA_K_div_int : TA_K_div_f32; break;
  }
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_binary_params *p = call->params;
  broadcast_geometry(a, b, o, p);
  ta_act_range_f32(op->a.act, &p->clamp.min_f32, &p->clamp.max_f32);
  p->int_type = int_type;
  if (!s8 || k == TA_K_minimum_s8 || k == TA_K_maximum_s8)
    return TA_OK;
  p->in1_neg_zp = -(int32_t)a->q.zero_point[0];
  p->in2_neg_zp = -(int32_t)b->q.zero_point[0];
  p->out_zp = (int32_t)o->q.zero_point[0];
  ta_act_range_quant(op->a.act, o->q.scale[0], p->out_zp, -128, 127, &p->clamp.min, &p->clamp.max);
  if (k == TA_K_squared_difference_s8 || k == TA_K_prelu_s8) {
    if (!sqdiff_prelu_quant(op, a, b, o, p))
      return ta_op_err(g, op, TA_ERR_INTERNAL, "multipliers out of range after check");
  } else if (is_add) {
    if (!add_quant(a, b, o, p))
      return ta_op_err(g, op, TA_ERR_INTERNAL, "ADD multipliers out of range after check");
  } else {
    mul_quant(a, b, o, p);
  }
  return TA_OK;
}

/* The int8 variants apply to quantized int8 ADD / MUL (not to integers without quantization). */
static bool s8_add(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_binary_params *p = call->params;
  return op->kind == TA_OP_ADD && ta_op_output(g, op, 0)->dtype == TA_DT_I8 && p->int_type < 0;
}

/* add_s8_table: both inputs' scaled values for every byte, computed here by add_s8's own
 * arithmetic (tart_fixedpoint.h) and stored doubled (the kernel's fast requantization starts
 * from twice the sum), and the fast requantization's constants when exact for every sum of a
 * table-1 and a table-2 entry. */
static bool add_table_prepare(ta_graph *g, const ta_op *op, ta_kernel_call *call) {
  (void)op;
  tart_binary_params *p = call->params;
  int32_t *t = ta_new_array(g->ctx, 512, sizeof(int32_t));
  int32_t *fq = ta_new_array(g->ctx, 3, sizeof(int32_t));
  if (!t || !fq)
    return false;
  int64_t max1 = 0, max2 = 0;
  for (int32_t v = -128; v < 128; v++) {
    const int32_t x1 = tart_mul_by_quantized_mult_smaller_than_one(
        tart_shl_wrap(v + p->in1_neg_zp, p->pre_shift_left), p->in1_mult, p->in1_shift_left);
    const int32_t x2 = tart_mul_by_quantized_mult_smaller_than_one(
        tart_shl_wrap(v + p->in2_neg_zp, p->pre_shift_left), p->in2_mult, p->in2_shift_left);
    max1 = llabs((int64_t)x1) > max1 ? llabs((int64_t)x1) : max1;
    max2 = llabs((int64_t)x2) > max2 ? llabs((int64_t)x2) : max2;
    /* Doubled below, once the bound is known to allow it. */
    t[128 + v] = x1, t[384 + v] = x2;
  }
  /* The kernel adds two doubled entries without wrapping: keep the bound that makes it so. */
  if (2 * (max1 + max2) > INT32_MAX)
    return false;
  for (int32_t i = 0; i < 512; i++)
    t[i] *= 2;
  p->table = t, p->n_table = 512;
  const bool fast = ta_requant_fast_one(max1 + max2, p->out_mult, p->out_shift_left, p->out_zp, fq);
  p->fq = fast ? fq : NULL, p->n_fq = fast ? 3 : 0;
  return true;
}

/* The tables cost 2 KB of flash per ADD (two 256-entry int32 arrays) for about 70
 * instructions less per element on the Cortex-M4 (82 -> 13): the default takes them from
 * this many output elements on (at least 4 instructions per inference per byte), and never
 * under --optimize size (as the fast requantization's constants and the int16 weights). */
#define ADD_TABLE_MIN_ELEMS 128

static bool add_table_does_not_pay(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  const tart_binary_params *p = call->params;
  return s8_add(g, op, call) && (g->optimize_size || p->n_elems < ADD_TABLE_MIN_ELEMS);
}

/* The first "ref" is the heuristic's choice where the table would not pay; it shares the name
 * of the reference below, so a tuning log or --reference-kernels naming "ref" means the same
 * kernel, and "table" stays available to both for any int8 ADD. */
static const ta_variant add_variants[] = {
    {.name = "ref",
     .kernel = TA_K_PREPARED,
     .applies = add_table_does_not_pay,
     .inplace_operands = TA_INPLACE_ANY,
     .inplace_ok = ta_inplace_same_shape},
    {.name = "table",
     .kernel = TA_K_add_s8_table,
     .applies = s8_add,
     .prepare = add_table_prepare,
     .inplace_operands = TA_INPLACE_ANY,
     .inplace_ok = ta_inplace_same_shape},
    {.name = "ref",
     .kernel = TA_K_PREPARED,
     .reference = true,
     .inplace_operands = TA_INPLACE_ANY,
     .inplace_ok = ta_inplace_same_shape},
};

/* Elementwise: no multiply-accumulates (MUL's products are not counted as MACs either). */
static uint64_t binary_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_ADD = {
    .check = binary_check,
    .infer = ta_infer_broadcast,
    .prepare = binary_prepare,
    .macs = binary_macs,
    TA_VARIANTS(add_variants),
};
