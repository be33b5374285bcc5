/* SPDX-License-Identifier: Apache-2.0 */
/*
 * desc_accepts.c: does an operator meet the constraints a backend description declares?
 *
 * The partition step asks this for every op and every backend in order; inspect prints the
 * answer for an op a backend declined. So the answer is a yes, or a no with the first failing
 * constraint in words ("stride 2 not in [1]"), read straight from the IR: attributes from
 * ta_attrs, shapes, dtypes and quantization from the op's tensors. The checks run in the
 * order of the format's documentation (docs/BACKENDS.md), cheapest and most telling first.
 * The graph may be anything a frontend let through: a missing tensor or an unknown shape
 * declines the op with a reason, it never fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ta_backend_desc.h"

__attribute__((format(printf, 3, 4))) static bool no(char *why, size_t why_len, const char *fmt,
                                                     ...) {
  if (why && why_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  return false;
}

const ta_backend_op *ta_backend_desc_op_find(const ta_backend_desc *d, ta_op_kind kind) {
  return (unsigned)kind < TA_OP_COUNT ? d->ops[kind] : NULL;
}

bool ta_backend_desc_runs_on(const ta_backend_desc *d, const char *target) {
  if (d->n_targets == 0)
    return true;
  for (int32_t i = 0; i < d->n_targets; i++)
    if (fnmatch(d->targets[i], target, 0) == 0)
      return true;
  return false;
}

/* Activations as the description format spells them (desc.c reads the same words). */
static const char *act_name(ta_act a) {
  static const char *const names[] = {"none", "relu", "relu_n1_to_1", "relu6"};
  return (unsigned)a < TA_ARRAY_LEN(names) ? names[a] : "unknown";
}

/* Whether input i of an op of this kind carries the op's data (its dtype is checked), rather
 * than a bias or a shape, axes or paddings operand. */
static bool is_data_input(ta_op_kind k, int32_t i) {
  switch (k) {
  case TA_OP_CONV_2D:
  case TA_OP_DEPTHWISE_CONV_2D:
  case TA_OP_FULLY_CONNECTED: return i < 2;
  case TA_OP_RESHAPE:
  case TA_OP_MEAN:
  case TA_OP_PAD: return i == 0;
  default: return true;
  }
}

/* "v not in [1, 2]", "v above 7", "v below 2", "v not in 2..7" into buf; false when v fails. */
static bool in_set(const ta_backend_intset *s, int64_t v, char *buf, size_t cap) {
  if (!s->set)
    return true;
  if (s->n_values > 0) {
    for (int32_t i = 0; i < s->n_values; i++)
      if (s->values[i] == v)
        return true;
    size_t o = (size_t)snprintf(buf, cap, "%lld not in [", (long long)v);
    for (int32_t i = 0; i < s->n_values && o < cap; i++)
      o += (size_t)snprintf(buf + o, cap - o, "%s%d", i ? ", " : "", (int)s->values[i]);
    if (o < cap)
      snprintf(buf + o, cap - o, "]");
    return false;
  }
  if (v >= s->min && v <= s->max)
    return true;
  if (s->max == INT32_MAX)
    snprintf(buf, cap, "%lld below %lld", (long long)v, (long long)s->min);
  else if (s->min <= 1)
    snprintf(buf, cap, "%lld above %lld", (long long)v, (long long)s->max);
  else
    snprintf(buf, cap, "%lld not in %lld..%lld", (long long)v, (long long)s->min,
             (long long)s->max);
  return false;
}

/* A height/width pair against one set: the first of the two that fails, with the pair when
 * they differ ("kernel 10 above 7 (10x4)"). */
static bool pair_ok(const ta_backend_intset *s, const char *what, int64_t h, int64_t w, char *why,
                    size_t why_len) {
  char buf[512];
  if (!in_set(s, h, buf, sizeof buf) || !in_set(s, w, buf, sizeof buf)) {
    if (h == w)
      return no(why, why_len, "%s %s", what, buf);
    return no(why, why_len, "%s %s (%lldx%lld)", what, buf, (long long)h, (long long)w);
  }
  return true;
}

static bool same_shape(const ta_tensor *a, const ta_tensor *b) {
  if (a->rank != b->rank)
    return false;
  for (int32_t i = 0; i < a->rank; i++)
    if (a->dims[i] != b->dims[i])
      return false;
  return true;
}

bool ta_backend_desc_accepts(const ta_backend_desc *d, const ta_graph *g, const ta_op *op,
                             char *why, size_t why_len) {
  if (why && why_len)
    why[0] = 0;
  const ta_backend_op *o = ta_backend_desc_op_find(d, op->kind);
  if (!o)
    return no(why, why_len, "%s not taken by backend %s", ta_op_kind_name(op->kind), d->name);
  const ta_tensor *x = ta_op_input(g, op, 0);
  const ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return no(why, why_len, "%s missing", x ? "output 0" : "input 0");
  char shape[128], shape2[128];

  /* The data types of the op's data operands, then its outputs. */
  if (o->dtypes) {
    for (int32_t i = 0; i < op->n_in + op->n_out; i++) {
      bool is_in = i < op->n_in;
      int32_t k = is_in ? i : i - op->n_in;
      if (is_in && !is_data_input(op->kind, k))
        continue;
      const ta_tensor *t = is_in ? ta_op_input(g, op, k) : ta_op_output(g, op, k);
      if (!t)
        continue;
      if ((unsigned)t->dtype >= 32 || !(o->dtypes & (1u << t->dtype)))
        return no(why, why_len, "dtype %s not accepted (%s %d \"%s\")", ta_dtype_name(t->dtype),
                  is_in ? "input" : "output", (int)k, t->name ? t->name : "");
    }
  }
  if (o->activations &&
      ((unsigned)op->a.act >= 32 || !(o->activations & (1u << (unsigned)op->a.act))))
    return no(why, why_len, "fused activation %s not accepted", act_name(op->a.act));

  /* Geometry: kernel, stride, dilation, depth multiplier. */
  if (o->kernel.set) {
    int64_t kh, kw;
    if (op->kind == TA_OP_CONV_2D || op->kind == TA_OP_DEPTHWISE_CONV_2D) {
      const ta_tensor *w = ta_op_input(g, op, 1);
      if (!w || !w->shape_known || w->rank != 4)
        return no(why, why_len, "filter shape unknown");
      kh = w->dims[1];
      kw = w->dims[2];
    } else {
      kh = op->a.filter_h;
      kw = op->a.filter_w;
    }
    if (!pair_ok(&o->kernel, "kernel", kh, kw, why, why_len))
      return false;
  }
  if (!pair_ok(&o->stride, "stride", op->a.stride_h, op->a.stride_w, why, why_len))
    return false;
  /* Frontends leave dilation 0 where the format has none (TFLite pools): that is 1. */
  if (!pair_ok(&o->dilation, "dilation", op->a.dilation_h > 0 ? op->a.dilation_h : 1,
               op->a.dilation_w > 0 ? op->a.dilation_w : 1, why, why_len))
    return false;
  if (o->depth_multiplier.set) {
    char buf[512];
    if (!in_set(&o->depth_multiplier, op->a.depth_multiplier, buf, sizeof buf))
      return no(why, why_len, "depth multiplier %s", buf);
  }

  /* Shapes: batch, channel multiples, tensor sizes, broadcasting. */
  if (o->batch.set || o->input_channels_multiple || o->output_channels_multiple) {
    if (!x->shape_known || x->rank < 1 || !y->shape_known || y->rank < 1)
      return no(why, why_len, "shape unknown");
    char buf[512];
    if (!in_set(&o->batch, x->dims[0], buf, sizeof buf))
      return no(why, why_len, "batch %s", buf);
    int32_t ci = x->dims[x->rank - 1], co = y->dims[y->rank - 1];
    if (o->input_channels_multiple && ci % o->input_channels_multiple != 0)
      return no(why, why_len, "input channels %d not a multiple of %d", (int)ci,
                (int)o->input_channels_multiple);
    if (o->output_channels_multiple && co % o->output_channels_multiple != 0)
      return no(why, why_len, "output channels %d not a multiple of %d", (int)co,
                (int)o->output_channels_multiple);
  }
  if (o->max_tensor_bytes) {
    for (int32_t i = 0; i < op->n_in + op->n_out; i++) {
      bool is_in = i < op->n_in;
      int32_t k = is_in ? i : i - op->n_in;
      const ta_tensor *t = is_in ? ta_op_input(g, op, k) : ta_op_output(g, op, k);
      size_t bytes;
      if (!t)
        continue;
      if (!ta_tensor_bytes(t, &bytes))
        return no(why, why_len, "size of tensor \"%s\" unknown", t->name ? t->name : "");
      if ((uint64_t)bytes > o->max_tensor_bytes)
        return no(why, why_len, "tensor \"%s\" of %zu bytes above max_tensor_bytes %llu",
                  t->name ? t->name : "", bytes, (unsigned long long)o->max_tensor_bytes);
    }
  }
  if (!o->broadcast) {
    const ta_tensor *b = ta_op_input(g, op, 1);
    if (b && (!x->shape_known || !b->shape_known || !same_shape(x, b)))
      return no(why, why_len, "inputs of shapes %s and %s (broadcasting not accepted)",
                ta_shape_str(x, shape, sizeof shape), ta_shape_str(b, shape2, sizeof shape2));
  }

  /* Weights: per-tensor or per-channel, symmetric. */
  if (o->weights != TA_BACKEND_WEIGHTS_ANY || o->weights_symmetric) {
    const ta_tensor *w = ta_op_input(g, op, 1);
    if (!w)
      return no(why, why_len, "weights missing");
    const ta_quant *q = &w->q;
    if (q->count <= 0 || !q->scale || !q->zero_point) {
      if (o->weights != TA_BACKEND_WEIGHTS_ANY)
        return no(why, why_len, "weights \"%s\" not quantized (%s required)",
                  w->name ? w->name : "",
                  o->weights == TA_BACKEND_WEIGHTS_PER_CHANNEL ? "per-channel" : "per-tensor");
    } else {
      /* One scale along a quantized axis of size 1 is per-channel and per-tensor at once. */
      bool axis_one = q->axis >= 0 && q->axis < w->rank && w->shape_known && w->dims[q->axis] == 1;
      if (o->weights == TA_BACKEND_WEIGHTS_PER_CHANNEL && q->count == 1 && !axis_one)
        return no(why, why_len, "weights per-tensor, per-channel required");
      if (o->weights == TA_BACKEND_WEIGHTS_PER_TENSOR && q->count > 1)
        return no(why, why_len, "weights per-channel, per-tensor required");
      if (o->weights_symmetric)
        for (int32_t i = 0; i < q->count; i++)
          if (q->zero_point[i] != 0)
            return no(why, why_len, "weights zero point %lld, 0 required (symmetric weights)",
                      (long long)q->zero_point[i]);
    }
  }
  if (!o->count_include_pad && op->kind == TA_OP_AVERAGE_POOL_2D && op->a.count_include_pad &&
      op->a.padding == TA_PAD_EXPLICIT &&
      (op->a.pad_top || op->a.pad_bottom || op->a.pad_left || op->a.pad_right))
    return no(why, why_len, "average counting padded taps (count_include_pad) not accepted");
  return true;
}
