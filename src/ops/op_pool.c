/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_pool.c: AVERAGE_POOL_2D and MAX_POOL_2D. input [N,H,W,C] -> output [N,OH,OW,C]; a
 * filter_h x filter_w window, strides, SAME/VALID (TFLite) or explicit (ONNX) padding, a fused
 * activation. int8 or float32. ONNX adds window dilation (attrs.dilation_h/w), ceil_mode (the
 * output size rounds up, but a last window must start inside the input or its leading padding)
 * and, for averages, count_include_pad (divide by the taps inside the padded input). MAX_POOL
 * also takes plain int8 without quantization parameters (the maximum needs none).
 *
 * Prepare is TFLM's pooling prepare, run at compile time: the leading padding
 * (ComputePaddingHeightWidth with dilation 1) and the clamp range of the fused activation on
 * the output's quantization. int8 pooling does no requantization, so input and output must
 * share scale and zero point (TFLM accepts scales within 1e-6). Windows are clipped to the
 * input, and the checks below guarantee every window keeps at least one tap.
 * MACs: 0 (pooling has no multiplies; the window adds are not counted).
 */
#include "ta_conv_common.h"
#include "ta_ops.h"
#include "ta_quant.h"
#include "ta_quant_act.h"

#include <math.h>

/* Output size along one axis; <= 0 when the window does not fit. Explicit padding: the
 * ONNX formula, floor((in + pads - extent) / stride) + 1, or with ceil_mode the ceiling, minus
 * one when that last window would start past the input and its leading padding. */
static int32_t out_size(const ta_attrs *a, int32_t in, int32_t k, int32_t stride, int32_t dil,
                        int32_t pad_before, int32_t pad_after) {
  if (a->padding != TA_PAD_EXPLICIT)
    return ta_conv_out_size(a->padding, in, k, stride, 1);
  int64_t extent = (int64_t)(k - 1) * dil + 1;
  int64_t span = (int64_t)in + pad_before + pad_after - extent;
  if (span < 0 || stride <= 0)
    return 0;
  int64_t out = span / stride + 1;
  if (a->ceil_mode && span % stride != 0) {
    out++;
    if ((out - 1) * stride >= (int64_t)in + pad_before)
      out--;
  }
  return out > INT32_MAX ? 0 : (int32_t)out;
}

/* Window dilation: 1 unless the frontend set it (TFLite pooling has none). */
static int32_t dil_h(const ta_attrs *a) {
  return a->dilation_h > 1 ? a->dilation_h : 1;
}
static int32_t dil_w(const ta_attrs *a) {
  return a->dilation_w > 1 ? a->dilation_w : 1;
}

static ta_status check_attrs(const ta_graph *g, const ta_op *op) {
  const ta_attrs *a = &op->a;
  ta_status st = TA_OK;
  if (a->filter_h < 1 || a->filter_w < 1)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "window is %dx%d (HxW); expected values >= 1",
                            a->filter_h, a->filter_w));
  if (a->stride_h < 1 || a->stride_w < 1)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "stride is %dx%d (HxW); expected values >= 1",
                            a->stride_h, a->stride_w));
  if (a->padding != TA_PAD_VALID && a->padding != TA_PAD_SAME && a->padding != TA_PAD_EXPLICIT)
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED, "unknown padding kind %d", (int)a->padding));
  if (a->padding == TA_PAD_EXPLICIT &&
      (a->pad_top < 0 || a->pad_bottom < 0 || a->pad_left < 0 || a->pad_right < 0))
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_MALFORMED,
                            "explicit padding (top %d, bottom %d, left %d, right %d) is negative",
                            a->pad_top, a->pad_bottom, a->pad_left, a->pad_right));
  if (a->dilation_h < 0 || a->dilation_w < 0 ||
      (a->padding != TA_PAD_EXPLICIT && (dil_h(a) != 1 || dil_w(a) != 1)))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "window dilation %dx%d needs explicit padding", a->dilation_h,
                                 a->dilation_w));
  /* A pad as large as the window would give windows with no input tap at all. */
  if (st == TA_OK && a->padding == TA_PAD_EXPLICIT &&
      (a->pad_top >= (a->filter_h - 1) * dil_h(a) + 1 ||
       a->pad_bottom >= (a->filter_h - 1) * dil_h(a) + 1 ||
       a->pad_left >= (a->filter_w - 1) * dil_w(a) + 1 ||
       a->pad_right >= (a->filter_w - 1) * dil_w(a) + 1))
    ta_keep_first(&st,
                  ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                            "explicit padding (top %d, bottom %d, left %d, right %d) reaches the "
                            "%dx%d window size: some windows would lie wholly in the padding",
                            a->pad_top, a->pad_bottom, a->pad_left, a->pad_right, a->filter_h,
                            a->filter_w));
  if ((unsigned)a->act > TA_ACT_RELU6)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED, "fused activation %d is not supported",
                                 (int)a->act));
  return st;
}

static ta_status pool_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "the %s is missing", !x ? "input" : "output");
  ta_status st = TA_OK;
  if (x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "input \"%s\" is %s; expected float32 or int8", x->name,
                                 ta_dtype_name(x->dtype)));
  else if (y->dtype != x->dtype)
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                                 "output \"%s\" is %s; expected %s like the input", y->name,
                                 ta_dtype_name(y->dtype), ta_dtype_name(x->dtype)));
  ta_keep_first(&st, check_attrs(g, op));
  char sb[96];
  if (!x->shape_known || x->rank != 4 || !ta_tensor_dims_ok(x))
    ta_keep_first(&st, ta_op_err(g, op, TA_ERR_MALFORMED,
                                 "input \"%s\" has shape %s; expected [N,H,W,C]", x->name,
                                 x->shape_known ? ta_shape_str(x, sb, sizeof sb) : "(unknown)"));
  if (st != TA_OK || x->dtype != TA_DT_I8)
    return st;
  /* Plain int8 (no quantization on either side): only the maximum is meaningful. */
  if (op->kind == TA_OP_MAX_POOL_2D && x->q.count == 0 && y->q.count == 0)
    return TA_OK;

  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, x, "input"));
  ta_keep_first(&st, ta_check_per_tensor_quant(g, op, y, "output"));
  if (st != TA_OK)
    return st;
  /* TFLM's PoolingPrepare: scales within 1e-6, equal zero points. */
  double scale_diff = fabs((double)x->q.scale[0] - (double)y->q.scale[0]);
  if (scale_diff > 1.0e-6 || x->q.zero_point[0] != y->q.zero_point[0])
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "int8 input \"%s\" (scale %g, zero point %lld) and output \"%s\" (scale %g, "
                     "zero point %lld) must share quantization: int8 pooling does not requantize",
                     x->name, (double)x->q.scale[0], (long long)x->q.zero_point[0], y->name,
                     (double)y->q.scale[0], (long long)y->q.zero_point[0]);
  return TA_OK;
}

/* Output rows/columns and leading padding. */
typedef struct pool_geom {
  int32_t out_h, out_w, pad_h, pad_w;
} pool_geom;

static void geom_get(const ta_tensor *x, const ta_attrs *a, pool_geom *pg) {
  const int32_t in_h = x->dims[1], in_w = x->dims[2];
  pg->out_h = out_size(a, in_h, a->filter_h, a->stride_h, dil_h(a), a->pad_top, a->pad_bottom);
  pg->out_w = out_size(a, in_w, a->filter_w, a->stride_w, dil_w(a), a->pad_left, a->pad_right);
  if (a->padding == TA_PAD_EXPLICIT) {
    pg->pad_h = a->pad_top;
    pg->pad_w = a->pad_left;
  } else {
    pg->pad_h = ta_conv_pad_before(a->padding, in_h, a->filter_h, a->stride_h, 1, pg->out_h);
    pg->pad_w = ta_conv_pad_before(a->padding, in_w, a->filter_w, a->stride_w, 1, pg->out_w);
  }
}

static ta_status pool_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  ta_tensor *y = ta_op_output(g, op, 0);
  const ta_attrs *a = &op->a;
  pool_geom pg;
  geom_get(x, a, &pg);
  if (pg.out_h <= 0 || pg.out_w <= 0)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "the %dx%d window does not fit the %dx%d input (HxW) with %s padding",
                     a->filter_h, a->filter_w, x->dims[1], x->dims[2],
                     a->padding == TA_PAD_VALID ? "VALID" : "the given");
  const int32_t dims[4] = {x->dims[0], pg.out_h, pg.out_w, x->dims[3]};
  return ta_op_set_output_shape(g, op, y, 4, dims);
}

static ta_status pool_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  const bool is_avg = op->kind == TA_OP_AVERAGE_POOL_2D;
  const bool is_s8 = x->dtype == TA_DT_I8;
  ta_kernel_id k = is_avg ? (is_s8 ? TA_K_avgpool_s8 : TA_K_avgpool_f32)
                          : (is_s8 ? TA_K_maxpool_s8 : TA_K_maxpool_f32);
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_pool_params *p = call->params;
  const ta_attrs *a = &op->a;
  pool_geom pg;
  geom_get(x, a, &pg);
  p->batches = x->dims[0];
  p->in_h = x->dims[1];
  p->in_w = x->dims[2];
  p->channels = x->dims[3];
  p->out_h = pg.out_h;
  p->out_w = pg.out_w;
  p->win.filter_h = a->filter_h;
  p->win.filter_w = a->filter_w;
  p->win.stride_h = a->stride_h;
  p->win.stride_w = a->stride_w;
  p->win.pad_h = pg.pad_h;
  p->win.pad_w = pg.pad_w;
  p->win.dilation_h = dil_h(a);
  p->win.dilation_w = dil_w(a);
  p->count_include_pad = is_avg && a->count_include_pad && a->padding == TA_PAD_EXPLICIT;
  p->pad_bottom = a->padding == TA_PAD_EXPLICIT ? a->pad_bottom : 0;
  p->pad_right = a->padding == TA_PAD_EXPLICIT ? a->pad_right : 0;
  if (is_s8) {
    float scale = 1.0f;
    int32_t zp = 0;
    ta_quant_get(y, &scale, &zp);
    ta_act_range_quant(a->act, scale, zp, -128, 127, &p->clamp.min, &p->clamp.max);
  } else {
    ta_act_range_f32(a->act, &p->clamp.min_f32, &p->clamp.max_f32);
  }
  return TA_OK;
}

static uint64_t pool_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

static bool is_f32(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  (void)call;
  return ta_op_input(g, op, 0)->dtype == TA_DT_F32;
}

static bool is_s8(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  (void)call;
  return ta_op_input(g, op, 0)->dtype == TA_DT_I8;
}

/* The float pools with channels innermost (pool_f32_opt.c): bit-exact, any window. int8:
 * interior windows channels innermost, four channels per SADD16 pair (pool_s8_opt.c). */
/* --optimize size: int8 pools keep the reference kernels (the optimized ones add their
 * interior loops' code); this first "ref" is the heuristic's choice then. */
static bool s8_for_size(const ta_graph *g, const ta_op *op, const ta_kernel_call *call) {
  return g->optimize_size && is_s8(g, op, call);
}

static const ta_variant avgpool_variants[] = {
    {.name = "ref", .kernel = TA_K_PREPARED, .applies = s8_for_size},
    {.name = "opt", .kernel = TA_K_avgpool_f32_opt, .applies = is_f32},
    {.name = "opt_s8", .kernel = TA_K_avgpool_s8_opt, .applies = is_s8},
    {.name = "ref", .kernel = TA_K_PREPARED, .reference = true},
};

static const ta_variant maxpool_variants[] = {
    {.name = "ref", .kernel = TA_K_PREPARED, .applies = s8_for_size},
    {.name = "opt", .kernel = TA_K_maxpool_f32_opt, .applies = is_f32},
    /* int8: the maximum over the window, four channels per SSUB8+SEL (pool_s8_opt.c). */
    {.name = "opt_s8", .kernel = TA_K_maxpool_s8_opt, .applies = is_s8},
    {.name = "ref", .kernel = TA_K_PREPARED, .reference = true},
};

const ta_op_def ta_op_def_AVERAGE_POOL_2D = {
    .check = pool_check,
    .infer = pool_infer,
    .prepare = pool_prepare,
    .macs = pool_macs,
    TA_VARIANTS(avgpool_variants),
};
const ta_op_def ta_op_def_MAX_POOL_2D = {
    .check = pool_check,
    .infer = pool_infer,
    .prepare = pool_prepare,
    .macs = pool_macs,
    TA_VARIANTS(maxpool_variants),
};
