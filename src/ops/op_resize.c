/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_resize.c: RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR. in: x [N,H,W,C], size (constant
 * int32 [2]: output H, W); out: [N, size[0], size[1], C]. Nearest moves values of any type of
 * 1, 2, 4 or 8 bytes; bilinear blends float32 or int8 (input and output quantized alike:
 * like TFLite, values are not rescaled). MACs: 0 (nearest), 4 per output element (bilinear).
 *
 * Prepare turns the coordinate rules into tables, one entry per output row and column
 * (runtime/src/resize.c): source rows/columns and weights. Two rule sets:
 *   TA_RESIZE_TFLITE  TFLite's reference kernels: GetNearestNeighbor and
 *                     ComputeInterpolationValues in float32, exactly as they compute, and
 *                     ResizeBilinearInteger's 10-bit fixed-point coordinates for int8, so the
 *                     int8 result is bit-exact;
 *   the ONNX modes    Resize's coordinate_transformation_mode on the model's scales, in double
 *                     as the ONNX reference implementation computes, with nearest_mode; the
 *                     neighbours of a coordinate outside the input are clamped to its edge.
 */
#include "ta_ops.h"
#include "ta_quant.h"

#include <math.h>
#include <string.h>

static ta_status resize_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 2 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "has %d inputs and %d outputs; expected 2 (input, size) and 1", op->n_in,
                     op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *size = ta_op_input(g, op, 1);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !size || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing",
                     !x      ? "the input"
                     : !size ? "the size operand"
                             : "the output");
  const bool bilinear = op->kind == TA_OP_RESIZE_BILINEAR;
  if (bilinear && x->dtype != TA_DT_F32 && x->dtype != TA_DT_I8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" is %s; expected float32 or int8",
                     x->name, ta_dtype_name(x->dtype));
  /* The int8 kernel is TFLite's ResizeBilinearInteger (coordinates in 1/1024 units); ONNX's
   * coordinate modes have no int8 form (a quantized model keeps such a resize in float). */
  if (bilinear && x->dtype == TA_DT_I8 && op->a.resize_coord != TA_RESIZE_TFLITE)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" is int8: the int8 bilinear resize is TFLite's (ONNX's "
                     "coordinate modes run in float32 only)",
                     x->name);
  ta_status st = ta_check_moved(g, op, x, y);
  if (st != TA_OK)
    return st;
  if (x->rank != 4)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "input \"%s\" has rank %d; expected 4 (NHWC)",
                     x->name, x->rank);
  int64_t hw[2];
  int32_t n = 0;
  if (!ta_tensor_is_const(size))
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "size operand \"%s\" is computed at run time; tinyaot needs it constant",
                     size->name);
  if (size->dtype != TA_DT_I32 || !ta_const_ints(size, hw, 2, &n) || n != 2)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "size operand \"%s\" must be a constant int32 vector of 2 values (height, "
                     "width)",
                     size->name);
  if (hw[0] < 1 || hw[1] < 1 || hw[0] > 65536 || hw[1] > 65536)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "output size %lld x %lld: expected sizes from 1 to 65536", (long long)hw[0],
                     (long long)hw[1]);
  /* The int8 coordinates are 1/1024 units in int32: 65536 * 1024 * 2 stays below 2^31. */
  if (x->dims[1] > 65536 || x->dims[2] > 65536)
    return ta_op_err(g, op, TA_ERR_LIMIT,
                     "input \"%s\" is %d x %d; at most 65536 x 65536 is resized", x->name,
                     x->dims[1], x->dims[2]);
  if (op->a.resize_coord == TA_RESIZE_TFLITE && op->a.align_corners && op->a.half_pixel_centers)
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "align_corners and half_pixel_centers are both set; TFLite allows one at "
                     "most");
  if (op->a.resize_coord != TA_RESIZE_TFLITE &&
      (!(op->a.resize_scale_h > 0) || !(op->a.resize_scale_w > 0) ||
       !isfinite(op->a.resize_scale_h) || !isfinite(op->a.resize_scale_w)))
    return ta_op_err(g, op, TA_ERR_MALFORMED, "scales %g and %g: expected finite values > 0",
                     op->a.resize_scale_h, op->a.resize_scale_w);
  return TA_OK;
}

static ta_status resize_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0), *size = ta_op_input(g, op, 1);
  int64_t hw[2];
  int32_t n = 0;
  ta_const_ints(size, hw, 2, &n);
  const int32_t dims[4] = {x->dims[0], (int32_t)hw[0], (int32_t)hw[1], x->dims[3]};
  if (!ta_dims_ok(4, dims))
    return ta_op_err(g, op, TA_ERR_LIMIT, "the output would have more than 2^31-1 elements");
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), 4, dims);
}

static int32_t clampi(int64_t v, int32_t hi) {
  return v < 0 ? 0 : v > hi ? hi : (int32_t)v;
}

/* TFLite's GetNearestNeighbor, in float as it computes. */
static int32_t tfl_nearest(int32_t v, int32_t in, int32_t out, bool align, bool half) {
  const float scale =
      (align && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
  const float offset = half ? 0.5f : 0.0f;
  const float s = ((float)v + offset) * scale;
  const int64_t i = align ? (int64_t)roundf(s) : (int64_t)floorf(s);
  return clampi(i, in - 1); /* TFLite clamps below only with half-pixel centres: s >= 0 else */
}

/* The input coordinate of output index v under ONNX's coordinate_transformation_mode. */
static double onnx_coord(int32_t mode, int32_t v, int32_t in, double scale) {
  const double out_len = scale * in; /* not rounded: the reference divides by it */
  switch (mode) {
  case TA_RESIZE_ALIGN_CORNERS: return out_len == 1.0 ? 0.0 : v * (in - 1) / (out_len - 1.0);
  case TA_RESIZE_ASYMMETRIC: return v / scale;
  case TA_RESIZE_PYTORCH_HALF_PIXEL: return out_len == 1.0 ? -0.5 : (v + 0.5) / scale - 0.5;
  case TA_RESIZE_TF_HALF_PIXEL_FOR_NN: return (v + 0.5) / scale;
  default: return (v + 0.5) / scale - 0.5;
  }
}

/* One axis' tables: src0/src1 rows (or columns), float weight f and 10-bit weight w. */
typedef struct axis_tab {
  int32_t *src0, *src1, *w;
  float *f;
} axis_tab;

static void axis_tables(const ta_op *op, bool bilinear, bool s8, int32_t in, int32_t out,
                        double onnx_scale, axis_tab *t) {
  const ta_attrs *a = &op->a;
  if (a->resize_coord == TA_RESIZE_TFLITE && !bilinear) {
    for (int32_t v = 0; v < out; v++)
      t->src0[v] = tfl_nearest(v, in, out, a->align_corners, a->half_pixel_centers);
    return;
  }
  if (a->resize_coord == TA_RESIZE_TFLITE && s8) {
    /* ResizeBilinearInteger: coordinates in units of 1/1024, the scale rounded to nearest. */
    int32_t s10 = ((1 << 10) * in + out / 2) / out;
    if (a->align_corners && out > 1)
      s10 = ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
    for (int32_t v = 0; v < out; v++) {
      const int32_t sv = a->half_pixel_centers ? v * s10 + s10 / 2 - (1 << 9) : v * s10;
      const int32_t lo = clampi(sv / (1 << 10), in - 1); /* C division truncates, as C++'s */
      t->src0[v] = lo;
      t->src1[v] = clampi((sv + (1 << 10) - 1) / (1 << 10), in - 1);
      t->w[v] = sv - (1 << 10) * lo;
    }
    return;
  }
  if (a->resize_coord == TA_RESIZE_TFLITE) {
    /* ComputeInterpolationValues in float. */
    float scale = (float)in / (float)out;
    if (a->align_corners && out > 1)
      scale = (float)(in - 1) / (float)(out - 1);
    for (int32_t v = 0; v < out; v++) {
      const float s = a->half_pixel_centers ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
      const int32_t lo = clampi((int64_t)floorf(s), in - 1);
      t->src0[v] = lo;
      t->src1[v] = clampi((int64_t)ceilf(s), in - 1);
      t->f[v] = s - (float)lo;
    }
    return;
  }
  for (int32_t v = 0; v < out; v++) {
    const double x = onnx_coord(a->resize_coord, v, in, onnx_scale);
    const double fl = floor(x), r = x - fl;
    const int64_t i0 = (int64_t)fl;
    if (bilinear) {
      t->src0[v] = clampi(i0, in - 1);
      t->src1[v] = clampi(i0 + 1, in - 1);
      t->f[v] = (float)r;
      continue;
    }
    bool up;
    switch (a->resize_nearest) {
    case TA_RESIZE_ROUND_PREFER_CEIL: up = r >= 0.5; break;
    case TA_RESIZE_FLOOR: up = false; break;
    case TA_RESIZE_CEIL: up = r > 0.0; break;
    default: up = r > 0.5; break;
    }
    t->src0[v] = clampi(i0 + (up ? 1 : 0), in - 1);
  }
}

static ta_status resize_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  const bool bilinear = op->kind == TA_OP_RESIZE_BILINEAR, s8 = x->dtype == TA_DT_I8;
  const ta_kernel_id k = !bilinear ? TA_K_resize_nearest
                         : s8      ? TA_K_resize_bilinear_s8
                                   : TA_K_resize_bilinear_f32;
  ta_status st = ta_call_init(g, op, call, k);
  if (st != TA_OK)
    return st;
  tart_resize_params *p = call->params;
  p->batches = x->dims[0];
  p->in_h = x->dims[1];
  p->in_w = x->dims[2];
  p->depth = x->dims[3];
  p->elem_bytes = (int32_t)ta_dtype_size(x->dtype);
  p->out_h = y->dims[1];
  p->out_w = y->dims[2];
  const int32_t n[2] = {p->out_h, p->out_w};
  axis_tab t[2];
  for (int32_t ax = 0; ax < 2; ax++) {
    memset(&t[ax], 0, sizeof t[ax]);
    t[ax].src0 = ta_new_array(g->ctx, (size_t)n[ax], sizeof(int32_t));
    if (bilinear) {
      t[ax].src1 = ta_new_array(g->ctx, (size_t)n[ax], sizeof(int32_t));
      if (s8)
        t[ax].w = ta_new_array(g->ctx, (size_t)n[ax], sizeof(int32_t));
      else
        t[ax].f = ta_new_array(g->ctx, (size_t)n[ax], sizeof(float));
    }
    if (!t[ax].src0 || (bilinear && (!t[ax].src1 || (s8 ? !t[ax].w : !t[ax].f))))
      return TA_ERR_LIMIT;
    axis_tables(op, bilinear, s8, x->dims[1 + ax], n[ax],
                ax ? op->a.resize_scale_w : op->a.resize_scale_h, &t[ax]);
  }
  p->y0 = t[0].src0;
  p->x0 = t[1].src0;
  if (bilinear) {
    p->n_y1 = p->out_h, p->n_x1 = p->out_w;
    p->y1 = t[0].src1, p->x1 = t[1].src1;
    if (s8) {
      p->n_wy = p->out_h, p->n_wx = p->out_w;
      p->wy = t[0].w, p->wx = t[1].w;
    } else {
      p->n_fy = p->out_h, p->n_fx = p->out_w;
      p->fy = t[0].f, p->fx = t[1].f;
    }
  }
  call->n_in = 1; /* the size operand is compile-time only */
  return TA_OK;
}

static uint64_t resize_macs(const ta_graph *g, const ta_op *op) {
  size_t elems = 0;
  if (op->kind != TA_OP_RESIZE_BILINEAR || !ta_tensor_elems(ta_op_output(g, op, 0), &elems))
    return 0;
  return 4 * (uint64_t)elems;
}

const ta_op_def ta_op_def_RESIZE_NEAREST_NEIGHBOR = {
    .check = resize_check,
    .infer = resize_infer,
    .prepare = resize_prepare,
    .macs = resize_macs,
};

const ta_op_def ta_op_def_RESIZE_BILINEAR = {
    .check = resize_check,
    .infer = resize_infer,
    .prepare = resize_prepare,
    .macs = resize_macs,
};
