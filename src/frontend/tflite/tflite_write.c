/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite_write.c: graph IR -> .tflite flatbuffer (ta_tfl_write), the inverse of tflite.c.
 *
 * The central idea: the writer emits exactly what the reader reads, through the one builder
 * (tfl_build.c) and the reader's own op table (ta_tfl_op_code), so reading the written bytes
 * gives back the same graph: tensor i stays tensor i, every constant keeps its bytes, every
 * options field the reader takes is written from the attribute it fills. What the reader
 * would read differently, or TFLite cannot say at all (explicit padding, ONNX pooling
 * variants, ties-to-even rounding), is refused before anything is written, naming the op.
 */
#include <stdlib.h>
#include <string.h>

#include "ta_tflite.h"
#include "tfl_build.h"

static bool map_dtype(ta_dtype d, int *code) {
  switch (d) {
  case TA_DT_F32: *code = TFB_FLOAT32; return true;
  case TA_DT_I8: *code = TFB_INT8; return true;
  case TA_DT_U8: *code = TFB_UINT8; return true;
  case TA_DT_I16: *code = TFB_INT16; return true;
  case TA_DT_I32: *code = TFB_INT32; return true;
  case TA_DT_I64: *code = TFB_INT64; return true;
  case TA_DT_BOOL: *code = TFB_BOOL; return true;
  default: return false;
  }
}

static int map_act(ta_act a) {
  switch (a) {
  case TA_ACT_RELU: return TFB_ACT_RELU;
  case TA_ACT_RELU_N1_TO_1: return TFB_ACT_RELU_N1_TO_1;
  case TA_ACT_RELU6: return TFB_ACT_RELU6;
  default: return TFB_ACT_NONE;
  }
}

static const char *op_label(const ta_op *op) {
  return op->name ? op->name : "";
}

/* The padding one side of a dim gets under SAME (TFLite's rule: the output is ceil(in /
 * stride), the total padding split with the odd one after). */
static void same_pads(int32_t in, int32_t k, int32_t stride, int32_t dil, int32_t *before,
                      int32_t *after) {
  const int32_t out = (in + stride - 1) / stride;
  int32_t total = (out - 1) * stride + (k - 1) * dil + 1 - in;
  if (total < 0)
    total = 0;
  *before = total / 2;
  *after = total - *before;
}

/* ONNX models give explicit pads; when they are all zero, or exactly what SAME would pick,
 * the op is the TFLite one with VALID or SAME (same output, same kernel arithmetic). */
static bool explicit_as_mode(const ta_graph *g, const ta_op *op, ta_padding *mode) {
  const ta_attrs *a = &op->a;
  if (a->pad_top == 0 && a->pad_bottom == 0 && a->pad_left == 0 && a->pad_right == 0) {
    *mode = TA_PAD_VALID;
    return true;
  }
  const ta_tensor *x = ta_op_input(g, op, 0);
  int32_t kh = a->filter_h, kw = a->filter_w;
  if (op->kind == TA_OP_CONV_2D || op->kind == TA_OP_DEPTHWISE_CONV_2D) {
    const ta_tensor *w = ta_op_input(g, op, 1);
    if (!w || w->rank != 4)
      return false;
    kh = w->dims[1];
    kw = w->dims[2];
  }
  if (!x || x->rank != 4 || a->stride_h < 1 || a->stride_w < 1)
    return false;
  const bool pool = op->kind == TA_OP_AVERAGE_POOL_2D || op->kind == TA_OP_MAX_POOL_2D;
  const int32_t dh = pool || a->dilation_h < 1 ? 1 : a->dilation_h;
  const int32_t dw = pool || a->dilation_w < 1 ? 1 : a->dilation_w;
  int32_t t, b, l, r;
  same_pads(x->dims[1], kh, a->stride_h, dh, &t, &b);
  same_pads(x->dims[2], kw, a->stride_w, dw, &l, &r);
  if (t != a->pad_top || b != a->pad_bottom || l != a->pad_left || r != a->pad_right)
    return false;
  *mode = TA_PAD_SAME;
  return true;
}

/* The padding mode op is written with (its own unless explicit). */
static ta_padding pad_mode(const ta_graph *g, const ta_op *op) {
  ta_padding m = op->a.padding;
  if (m == TA_PAD_EXPLICIT && !explicit_as_mode(g, op, &m))
    m = TA_PAD_EXPLICIT;
  return m;
}

/* A convolution with explicit padding TFLite's SAME cannot say: written as PAD (zeros, i.e.
 * the zero point for int8, which is what the convolution's own padding reads) and the
 * convolution with VALID padding, which computes exactly the same. */
static bool needs_pad_op(const ta_graph *g, const ta_op *op) {
  return (op->kind == TA_OP_CONV_2D || op->kind == TA_OP_DEPTHWISE_CONV_2D) &&
         pad_mode(g, op) == TA_PAD_EXPLICIT && g->tensors[op->in[0]].rank == 4;
}

/* Whether op can be written so that it reads back the same; reports why not. */
static bool op_writable(ta_ctx *ctx, const ta_graph *g, int32_t i, int32_t *code) {
  const ta_op *op = &g->ops[i];
  const char *kind = ta_op_kind_name(op->kind);
  if (!ta_tfl_op_code(op->kind, code)) {
    ta_err(ctx, TA_ERR_UNSUPPORTED,
           "op %d %s \"%s\": no TFLite operator for it that tinyaot reads back; the graph "
           "cannot be written as .tflite",
           i, kind, op_label(op));
    return false;
  }
  const ta_attrs *a = &op->a;
  const char *why = NULL;
  if ((op->kind == TA_OP_AVERAGE_POOL_2D || op->kind == TA_OP_MAX_POOL_2D) &&
      pad_mode(g, op) == TA_PAD_EXPLICIT)
    why = "explicit padding other than SAME's or none (TFLite has only SAME and VALID; a PAD "
          "before a pooling would change what the border windows see)";
  else if (op->kind == TA_OP_TRANSPOSE_CONV &&
           (a->padding == TA_PAD_EXPLICIT || a->dilation_h != 1 || a->dilation_w != 1))
    why = "explicit padding or dilation in a transposed convolution (ONNX ConvTranspose)";
  else if ((op->kind == TA_OP_AVERAGE_POOL_2D || op->kind == TA_OP_MAX_POOL_2D) &&
           (a->dilation_h > 1 || a->dilation_w > 1))
    why = "dilated pooling (TFLite's pools have no dilation)";
  else if (op->kind == TA_OP_ELU && a->alpha != 1.0f)
    why = "ELU with alpha other than 1 (TFLite's ELU has no alpha)";
  else if (a->ceil_mode)
    why = "ceil_mode pooling";
  else if (a->count_include_pad && op->kind == TA_OP_AVERAGE_POOL_2D)
    why = "count_include_pad average pooling";
  else if (a->round_half_even && op->kind == TA_OP_QUANTIZE)
    why = "ties-to-even rounding (TFLite's QUANTIZE rounds half away from zero)";
  else if ((op->kind == TA_OP_RESIZE_BILINEAR || op->kind == TA_OP_RESIZE_NEAREST_NEIGHBOR) &&
           a->resize_coord != TA_RESIZE_TFLITE)
    why = "ONNX Resize coordinate rules (TFLite has align_corners and half_pixel_centers only)";
  else if (op->kind == TA_OP_MIRROR_PAD && a->pad_mode == TA_PAD_MODE_EDGE)
    why = "edge padding (TFLite's MIRROR_PAD has REFLECT and SYMMETRIC only)";
  if (why) {
    ta_err(ctx, TA_ERR_UNSUPPORTED, "op %d %s \"%s\": %s cannot be written as .tflite", i, kind,
           op_label(op), why);
    return false;
  }
  return true;
}

/* The options table of op index k (the builder's) from op's attributes. */
static void write_options(tfb *b, int k, const ta_graph *g, const ta_op *op) {
  const ta_attrs *a = &op->a;
  const int pad = pad_mode(g, op) == TA_PAD_SAME ? TFB_PAD_SAME : TFB_PAD_VALID;
  const int act = map_act(a->act);
  switch (op->kind) {
  case TA_OP_CONV_2D:
    tfb_conv_options(b, k, pad, a->stride_w, a->stride_h, act, a->dilation_w, a->dilation_h);
    break;
  case TA_OP_DEPTHWISE_CONV_2D:
    tfb_dwconv_options(b, k, pad, a->stride_w, a->stride_h, a->depth_multiplier, act, a->dilation_w,
                       a->dilation_h);
    break;
  case TA_OP_AVERAGE_POOL_2D:
  case TA_OP_MAX_POOL_2D:
    tfb_pool_options(b, k, pad, a->stride_w, a->stride_h, a->filter_w, a->filter_h, act);
    break;
  case TA_OP_FULLY_CONNECTED: tfb_fc_options(b, k, act, a->keep_dims); break;
  case TA_OP_SVDF: tfb_svdf_options(b, k, a->rank, act); break;
  case TA_OP_UNIDIRECTIONAL_SEQUENCE_LSTM:
    /* The gate activation is kept as TFLite's code (TANH), not as a fused clamp. */
    tfb_lstm_options(b, k, a->gate_act, a->cell_clip, a->time_major);
    break;
  case TA_OP_ADD: tfb_add_options(b, k, act); break;
  case TA_OP_MUL: tfb_mul_options(b, k, act); break;
  case TA_OP_SUB: tfb_sub_options(b, k, act); break;
  case TA_OP_DIV: tfb_div_options(b, k, act); break;
  case TA_OP_SOFTMAX: tfb_softmax_options(b, k, a->beta); break;
  case TA_OP_CONCATENATION: tfb_concat_options(b, k, a->axis, act); break;
  case TA_OP_RESHAPE: {
    const ta_tensor *out = ta_op_output(g, op, 0);
    if (out && out->shape_known)
      tfb_reshape_options(b, k, out->dims, out->rank);
    break;
  }
  case TA_OP_MEAN:
  case TA_OP_SUM:
  case TA_OP_REDUCE_MAX:
  case TA_OP_REDUCE_MIN: tfb_reducer_options(b, k, a->keep_dims); break;
  case TA_OP_GATHER: tfb_gather_options(b, k, a->axis); break;
  case TA_OP_STRIDED_SLICE:
    tfb_strided_slice_options(b, k, a->begin_mask, a->end_mask, a->ellipsis_mask, a->new_axis_mask,
                              a->shrink_mask);
    break;
  case TA_OP_SPLIT: tfb_split_options(b, k, 0, op->n_out); break;
  case TA_OP_SPLIT_V: tfb_split_options(b, k, 1, op->n_out); break;
  case TA_OP_MIRROR_PAD: tfb_mirror_pad_options(b, k, a->pad_mode); break;
  case TA_OP_TRANSPOSE_CONV:
    tfb_transpose_conv_options(b, k, pad, a->stride_w, a->stride_h, act);
    break;
  case TA_OP_RESIZE_BILINEAR:
  case TA_OP_RESIZE_NEAREST_NEIGHBOR:
    tfb_resize_options(b, k, op->kind == TA_OP_RESIZE_BILINEAR, a->align_corners,
                       a->half_pixel_centers);
    break;
  default: break; /* no options table the reader reads */
  }
}

ta_status ta_tfl_write(ta_ctx *ctx, const ta_graph *g, ta_buf *out) {
  /* Check everything first, so an unwritable graph is reported whole and nothing built. */
  bool ok = true;
  for (int32_t i = 0; i < g->n_tensors; i++) {
    const ta_tensor *t = &g->tensors[i];
    int code;
    if (!map_dtype(t->dtype, &code)) {
      ta_err(ctx, TA_ERR_UNSUPPORTED, "tensor %d \"%s\": dtype %s cannot be written as .tflite", i,
             t->name ? t->name : "", ta_dtype_name(t->dtype));
      ok = false;
    }
  }
  int32_t *codes = ta_new_array(ctx, (size_t)(g->n_ops > 0 ? g->n_ops : 1), sizeof *codes);
  if (!codes)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_ops; i++)
    ok &= op_writable(ctx, g, i, &codes[i]);
  if (!ok)
    return TA_ERR_UNSUPPORTED;

  tfb *b = tfb_new();
  if (!b)
    return ta_err(ctx, TA_ERR_LIMIT, "out of memory building the .tflite file");
  tfb_description(b, "tinyaot");
  for (int32_t i = 0; i < g->n_tensors; i++) {
    const ta_tensor *t = &g->tensors[i];
    int code = 0;
    map_dtype(t->dtype, &code);
    const int buf = t->data ? tfb_buffer(b, t->data, t->data_bytes) : 0;
    const int ti = tfb_tensor(b, t->name ? t->name : "", code, t->rank, t->dims, buf);
    if (t->q.count > 0)
      tfb_quant(b, ti, t->q.count, t->q.scale, t->q.zero_point, t->q.axis);
    if (t->flags & TA_TENSOR_STATE) /* recurrent state (LSTM, SVDF): TFLite's is_variable */
      tfb_variable(b, ti);
  }
  int pad_code = 0;
  ta_tfl_op_code(TA_OP_PAD, &pad_code);
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    const int *in = op->in;
    int tin[4];
    if (op->kind == TA_OP_TRANSPOSE_CONV && op->n_in >= 3 && op->n_in <= 4) {
      /* Back to TFLite's operand order: output_shape, filter, input[, bias]. */
      memcpy(tin, op->in, (size_t)op->n_in * sizeof *tin);
      tin[0] = op->in[2];
      tin[2] = op->in[0];
      in = tin;
    }
    if (needs_pad_op(g, op)) {
      int *padded_in = ta_new_array(ctx, (size_t)op->n_in, sizeof *padded_in);
      if (!padded_in) {
        tfb_free(b);
        return ta_err(ctx, TA_ERR_LIMIT, "out of memory building the .tflite file");
      }
      memcpy(padded_in, op->in, (size_t)op->n_in * sizeof *padded_in);
      const ta_tensor *x = &g->tensors[op->in[0]];
      const ta_attrs *a = &op->a;
      const int32_t pads[8] = {0, 0, a->pad_top, a->pad_bottom, a->pad_left, a->pad_right, 0, 0};
      const int32_t dims[4] = {x->dims[0], x->dims[1] + a->pad_top + a->pad_bottom,
                               x->dims[2] + a->pad_left + a->pad_right, x->dims[3]};
      int code = 0;
      map_dtype(x->dtype, &code);
      const int pt = tfb_tensor(b, ta_fmt(ctx, "%s/pads", op_label(op)), TFB_INT32, 2,
                                (const int32_t[]){4, 2}, tfb_buffer(b, pads, sizeof pads));
      const int xp = tfb_tensor(b, ta_fmt(ctx, "%s/padded", op_label(op)), code, 4, dims, 0);
      if (x->q.count > 0)
        tfb_quant(b, xp, x->q.count, x->q.scale, x->q.zero_point, x->q.axis);
      tfb_op(b, pad_code, (const int[]){op->in[0], pt}, 2, &xp, 1);
      padded_in[0] = xp;
      in = padded_in;
    }
    const int k = tfb_op(b, codes[i], in, op->n_in, op->out, op->n_out);
    write_options(b, k, g, op);
  }
  tfb_io(b, g->inputs, g->n_inputs, g->outputs, g->n_outputs);
  size_t len = 0;
  uint8_t *bytes = tfb_finish(b, &len);
  tfb_free(b);
  if (!bytes)
    return ta_err(ctx, TA_ERR_LIMIT, "out of memory building the .tflite file");
  const size_t before = out->len;
  ta_buf_append(out, bytes, len);
  free(bytes);
  if (!out->ok) {
    out->len = before;
    return ta_err(ctx, TA_ERR_LIMIT, "out of memory holding the .tflite file (%zu bytes)", len);
  }
  return TA_OK;
}
