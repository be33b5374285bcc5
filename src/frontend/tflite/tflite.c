/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflite.c: the TensorFlow Lite frontend: .tflite flatbuffer -> graph IR.
 *
 * The file is read through flatbuf.h, which verifies every offset before use; this file adds
 * the meaning: schema field slots, TFLite codes mapped to ta_dtype and ta_op_kind, options
 * tables mapped to ta_attrs, and the semantic checks a verifier cannot do (indices in range,
 * constant data as long as its shape says). Tensor i of subgraph 0 becomes tensor i of the
 * graph, so messages from later stages name tensors by the indices the user's tools show.
 *
 * Reading never stops at the first problem: each tensor and operator is read on its own, a
 * broken one is reported and skipped, and the status says the worst kind found (MALFORMED
 * over LIMIT over UNSUPPORTED). The graph is only returned when there was no error.
 *
 * A malicious file must not exhaust memory: counts are capped, and because FlatBuffers lets
 * many tables share one vector, the bytes copied out of vectors are charged against a budget
 * proportional to the file size (an honest file never comes near it).
 */
#include "ta_tflite.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flatbuf.h"
#include "tfl_schema.h"

/* Field slots, in schema.fbs order (a union field takes two slots: _type, then value). */
enum { MODEL_VERSION = 0, MODEL_OPERATOR_CODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum {
  SUBGRAPH_TENSORS = 0,
  SUBGRAPH_INPUTS = 1,
  SUBGRAPH_OUTPUTS = 2,
  SUBGRAPH_OPERATORS = 3,
  SUBGRAPH_NAME = 4
};
enum {
  TENSOR_SHAPE = 0,
  TENSOR_TYPE = 1,
  TENSOR_BUFFER = 2,
  TENSOR_NAME = 3,
  TENSOR_QUANTIZATION = 4,
  TENSOR_IS_VARIABLE = 5,
  TENSOR_SPARSITY = 6,
  TENSOR_SHAPE_SIGNATURE = 7,
  TENSOR_EXTERNAL_BUFFER = 10
};
enum {
  QUANT_SCALE = 2,
  QUANT_ZERO_POINT = 3,
  QUANT_DETAILS_TYPE = 4,
  QUANT_QUANTIZED_DIMENSION = 6
};
enum {
  OPERATOR_OPCODE_INDEX = 0,
  OPERATOR_INPUTS = 1,
  OPERATOR_OUTPUTS = 2,
  OPERATOR_BUILTIN_OPTIONS_TYPE = 3,
  OPERATOR_BUILTIN_OPTIONS = 4
};
enum { OPCODE_DEPRECATED_BUILTIN_CODE = 0, OPCODE_CUSTOM_CODE = 1, OPCODE_BUILTIN_CODE = 3 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };

/* Options tables. */
enum { CONV_PADDING, CONV_STRIDE_W, CONV_STRIDE_H, CONV_ACT, CONV_DILATION_W, CONV_DILATION_H };
enum {
  DW_PADDING,
  DW_STRIDE_W,
  DW_STRIDE_H,
  DW_DEPTH_MULTIPLIER,
  DW_ACT,
  DW_DILATION_W,
  DW_DILATION_H
};
enum { POOL_PADDING, POOL_STRIDE_W, POOL_STRIDE_H, POOL_FILTER_W, POOL_FILTER_H, POOL_ACT };
enum { FC_ACT, FC_WEIGHTS_FORMAT, FC_KEEP_NUM_DIMS };
enum { SOFTMAX_BETA };
enum { CONCAT_AXIS, CONCAT_ACT };
enum { BINARY_ACT };
enum { RESHAPE_NEW_SHAPE };
enum { REDUCER_KEEP_DIMS };
enum { GATHER_AXIS, GATHER_BATCH_DIMS };
enum { SS_BEGIN_MASK, SS_END_MASK, SS_ELLIPSIS_MASK, SS_NEW_AXIS_MASK, SS_SHRINK_MASK, SS_OFFSET };
enum { SPLIT_NUM_SPLITS };
enum { RB_NEW_HEIGHT, RB_NEW_WIDTH, RB_ALIGN_CORNERS, RB_HALF_PIXEL_CENTERS };
enum { RNN_ALIGN_CORNERS, RNN_HALF_PIXEL_CENTERS };
enum { TCONV_PADDING, TCONV_STRIDE_W, TCONV_STRIDE_H, TCONV_ACT };
enum { MIRROR_PAD_MODE };
enum { SVDF_RANK, SVDF_ACT, SVDF_ASYMMETRIC_QUANTIZE_INPUTS };
enum { USLSTM_ACT, USLSTM_CELL_CLIP, USLSTM_PROJ_CLIP, USLSTM_TIME_MAJOR };

#define TFL_SCHEMA_VERSION 3u
/* Caps that stop a hostile file from making us allocate without bound. */
#define MAX_TENSORS ((uint32_t)TA_MAX_TENSORS)
#define MAX_OPS ((uint32_t)TA_MAX_OPS)
#define MAX_OPCODES ((uint32_t)TA_MAX_OPS)
#define MAX_OPERANDS ((uint32_t)TA_MAX_OPERANDS)
#define MAX_DIM (1 << 30)

/* Every BuiltinOperator of schema.fbs, by code, so that an unsupported one is named. */
static const char *const builtin_names[] = {
#define TFL_BUILTIN(name, code) [code] = #name,
#include "tfl_schema.def"
};
_Static_assert(TA_ARRAY_LEN(builtin_names) == TA_TFL_BUILTIN_COUNT && TA_TFL_BUILTIN_COUNT == 210,
               "BuiltinOperator 0..209 of schema.fbs");

/* The builtin operators tinyaot implements, and the options table each carries (TA_TFL_OPT_NONE:
 * none that we read; whatever the file holds there is ignored, as TFLite does). */
static const struct {
  int32_t code;
  ta_op_kind kind;
  uint8_t options;
} op_map[] = {
    {TA_TFL_OP_ADD, TA_OP_ADD, TA_TFL_OPT_ADD},
    {TA_TFL_OP_AVERAGE_POOL_2D, TA_OP_AVERAGE_POOL_2D, TA_TFL_OPT_POOL2D},
    {TA_TFL_OP_CONCATENATION, TA_OP_CONCATENATION, TA_TFL_OPT_CONCATENATION},
    {TA_TFL_OP_CONV_2D, TA_OP_CONV_2D, TA_TFL_OPT_CONV2D},
    {TA_TFL_OP_DEPTHWISE_CONV_2D, TA_OP_DEPTHWISE_CONV_2D, TA_TFL_OPT_DEPTHWISE_CONV2D},
    {TA_TFL_OP_DEQUANTIZE, TA_OP_DEQUANTIZE, TA_TFL_OPT_NONE},
    {TA_TFL_OP_FULLY_CONNECTED, TA_OP_FULLY_CONNECTED, TA_TFL_OPT_FULLY_CONNECTED},
    {TA_TFL_OP_LOGISTIC, TA_OP_LOGISTIC, TA_TFL_OPT_NONE},
    {TA_TFL_OP_MAX_POOL_2D, TA_OP_MAX_POOL_2D, TA_TFL_OPT_POOL2D},
    {TA_TFL_OP_MUL, TA_OP_MUL, TA_TFL_OPT_MUL},
    {TA_TFL_OP_SUB, TA_OP_SUB, TA_TFL_OPT_SUB},
    {TA_TFL_OP_DIV, TA_OP_DIV, TA_TFL_OPT_DIV},
    {TA_TFL_OP_RELU, TA_OP_RELU, TA_TFL_OPT_NONE},
    {TA_TFL_OP_RELU_N1_TO_1, TA_OP_RELU_N1_TO_1, TA_TFL_OPT_NONE},
    {TA_TFL_OP_RELU6, TA_OP_RELU6, TA_TFL_OPT_NONE},
    {TA_TFL_OP_RESHAPE, TA_OP_RESHAPE, TA_TFL_OPT_RESHAPE},
    {TA_TFL_OP_SOFTMAX, TA_OP_SOFTMAX, TA_TFL_OPT_SOFTMAX},
    {TA_TFL_OP_TANH, TA_OP_TANH, TA_TFL_OPT_NONE},
    {TA_TFL_OP_PAD, TA_OP_PAD, TA_TFL_OPT_NONE},
    {TA_TFL_OP_MEAN, TA_OP_MEAN, TA_TFL_OPT_REDUCER},
    {TA_TFL_OP_QUANTIZE, TA_OP_QUANTIZE, TA_TFL_OPT_NONE},
    {TA_TFL_OP_SLICE, TA_OP_SLICE, TA_TFL_OPT_NONE},
    {TA_TFL_OP_STRIDED_SLICE, TA_OP_STRIDED_SLICE, TA_TFL_OPT_STRIDED_SLICE},
    {TA_TFL_OP_SPLIT, TA_OP_SPLIT, TA_TFL_OPT_SPLIT},
    {TA_TFL_OP_SPLIT_V, TA_OP_SPLIT_V, TA_TFL_OPT_SPLIT_V},
    {TA_TFL_OP_GATHER, TA_OP_GATHER, TA_TFL_OPT_GATHER},
    {TA_TFL_OP_CAST, TA_OP_CAST, TA_TFL_OPT_NONE},
    {TA_TFL_OP_HARD_SWISH, TA_OP_HARD_SWISH, TA_TFL_OPT_NONE},
    {TA_TFL_OP_REDUCE_MAX, TA_OP_REDUCE_MAX, TA_TFL_OPT_REDUCER},
    {TA_TFL_OP_REDUCE_MIN, TA_OP_REDUCE_MIN, TA_TFL_OPT_REDUCER},
    {TA_TFL_OP_SUM, TA_OP_SUM, TA_TFL_OPT_REDUCER},
    {TA_TFL_OP_MINIMUM, TA_OP_MINIMUM, TA_TFL_OPT_NONE},
    {TA_TFL_OP_MAXIMUM, TA_OP_MAXIMUM, TA_TFL_OPT_NONE},
    {TA_TFL_OP_SQUARED_DIFFERENCE, TA_OP_SQUARED_DIFFERENCE, TA_TFL_OPT_NONE},
    {TA_TFL_OP_NEG, TA_OP_NEG, TA_TFL_OPT_NONE},
    {TA_TFL_OP_ABS, TA_OP_ABS, TA_TFL_OPT_NONE},
    {TA_TFL_OP_SQRT, TA_OP_SQRT, TA_TFL_OPT_NONE},
    {TA_TFL_OP_RSQRT, TA_OP_RSQRT, TA_TFL_OPT_NONE},
    {TA_TFL_OP_EXP, TA_OP_EXP, TA_TFL_OPT_NONE},
    {TA_TFL_OP_LOG, TA_OP_LOG, TA_TFL_OPT_NONE},
    {TA_TFL_OP_LOG_SOFTMAX, TA_OP_LOG_SOFTMAX, TA_TFL_OPT_NONE},
    {TA_TFL_OP_ELU, TA_OP_ELU, TA_TFL_OPT_NONE},
    {TA_TFL_OP_PRELU, TA_OP_PRELU, TA_TFL_OPT_NONE},
    {TA_TFL_OP_RESIZE_BILINEAR, TA_OP_RESIZE_BILINEAR, TA_TFL_OPT_RESIZE_BILINEAR},
    {TA_TFL_OP_RESIZE_NEAREST_NEIGHBOR, TA_OP_RESIZE_NEAREST_NEIGHBOR,
     TA_TFL_OPT_RESIZE_NEAREST_NEIGHBOR},
    {TA_TFL_OP_TRANSPOSE_CONV, TA_OP_TRANSPOSE_CONV, TA_TFL_OPT_TRANSPOSE_CONV},
    {TA_TFL_OP_MIRROR_PAD, TA_OP_MIRROR_PAD, TA_TFL_OPT_MIRROR_PAD},
    {TA_TFL_OP_POW, TA_OP_POW, TA_TFL_OPT_NONE},
    {TA_TFL_OP_SVDF, TA_OP_SVDF, TA_TFL_OPT_SVDF},
    {TA_TFL_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, TA_OP_UNIDIRECTIONAL_SEQUENCE_LSTM,
     TA_TFL_OPT_UNIDIRECTIONAL_SEQUENCE_LSTM},
};
_Static_assert(TA_ARRAY_LEN(op_map) <= TA_OP_COUNT, "at most one TFLite code per op of ops.def");

bool ta_tfl_op_code(ta_op_kind kind, int32_t *code) {
  for (size_t i = 0; i < TA_ARRAY_LEN(op_map); i++)
    if (op_map[i].kind == kind) {
      *code = op_map[i].code;
      return true;
    }
  return false;
}

/* Options table names, by BuiltinOptions union type (NULL: a table we do not read). */
static const char *const options_names[] = {
#define TFL_OPTIONS(id, table, code) [code] = #table,
#include "tfl_schema.def"
};

static const char *options_name(uint8_t t) {
  return t < TA_ARRAY_LEN(options_names) && options_names[t] ? options_names[t] : "?";
}

/* TensorType names, by code. */
static const char *const type_names[] = {
#define TFL_TENSOR_TYPE(name, code) [code] = #name,
#include "tfl_schema.def"
};
_Static_assert(TA_ARRAY_LEN(type_names) == TA_TFL_TENSOR_TYPE_COUNT, "TensorType without gaps");

static ta_dtype map_type(int8_t t) {
  switch (t) {
  case TA_TFL_TYPE_FLOAT32: return TA_DT_F32;
  case TA_TFL_TYPE_INT32: return TA_DT_I32;
  case TA_TFL_TYPE_UINT8: return TA_DT_U8;
  case TA_TFL_TYPE_INT64: return TA_DT_I64;
  case TA_TFL_TYPE_BOOL: return TA_DT_BOOL;
  case TA_TFL_TYPE_INT16: return TA_DT_I16;
  case TA_TFL_TYPE_INT8: return TA_DT_I8;
  default: return TA_DT_UNKNOWN;
  }
}

typedef struct opcode {
  int32_t code; /* effective builtin code, -1 when the entry is broken */
  const char *custom;
} opcode;

typedef struct reader {
  ta_ctx *ctx;
  ta_fb fb;
  ta_graph *g;
  ta_status st;    /* worst non-MALFORMED status so far (fb.st tracks MALFORMED) */
  uint64_t budget; /* bytes we may still copy out of vectors */
  bool budget_told;
  bool allow_unsupported; /* unsupported operators become UNSUPPORTED placeholders */
  ta_fb_vec buffers;
  opcode *codes;
  uint32_t n_codes;
  int32_t n_tensors;    /* tensors of subgraph 0 (= g->n_tensors once they are read) */
  uint8_t *bad_type;    /* per tensor: 1 + TensorType code when that type is unsupported */
  uint8_t *dynamic;     /* per tensor: bit k set when shape_signature has -1 at dim k */
  ta_tally unsupported; /* operators tinyaot lacks: reported once each, after the operators */
} reader;

/* Record a problem's status; MALFORMED outranks LIMIT, which outranks UNSUPPORTED. */
static void fail(reader *rd, ta_status st) {
  if (st == TA_ERR_MALFORMED)
    rd->fb.st = TA_ERR_MALFORMED;
  else if (rd->st == TA_OK || (rd->st == TA_ERR_UNSUPPORTED && st == TA_ERR_LIMIT))
    rd->st = st;
}

/* Out of memory outranks everything: once an allocation failed, what was read after it (a
 * tensor count cut short, say) may look malformed when the file is not. */
static ta_status final_status(const reader *rd) {
  if (rd->ctx->oom)
    return TA_ERR_LIMIT;
  if (rd->fb.st == TA_ERR_MALFORMED)
    return TA_ERR_MALFORMED;
  return rd->st;
}

/* Charge `bytes` of copies against the budget; false (reported once) when it runs out. */
static bool spend(reader *rd, uint64_t bytes) {
  if (bytes <= rd->budget) {
    rd->budget -= bytes;
    return true;
  }
  if (!rd->budget_told) {
    rd->budget_told = true;
    ta_err(rd->ctx, TA_ERR_LIMIT,
           "the model's tables share vectors so much that reading them would copy more than "
           "4 times the file size; refusing to expand it");
  }
  fail(rd, TA_ERR_LIMIT);
  return false;
}

static const char *builtin_name(int32_t code) {
  return code >= 0 && (size_t)code < TA_ARRAY_LEN(builtin_names) ? builtin_names[code] : NULL;
}

/* An operator as the messages name it: index, TFLite op name, and its first output. */
typedef struct opref {
  uint32_t idx;
  const char *op;   /* "CONV_2D", or NULL while unknown */
  const char *name; /* first output's name, "" if none */
} opref;

/* "op 7 CONV_2D \"conv_3\": ...", leaving out what is not known. */
static void op_err(reader *rd, const opref *o, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void op_err(reader *rd, const opref *o, ta_status st, const char *fmt, ...) {
  char msg[768], name[600] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (o->name[0])
    snprintf(name, sizeof name, " \"%s\"", o->name);
  ta_err(rd->ctx, st, "op %u%s%s%s: %s", o->idx, o->op ? " " : "", o->op ? o->op : "", name, msg);
  fail(rd, st);
}

/* A name from the file, for messages and generated code: pointed to in place, or copied with
 * control characters replaced when it has any, so a hostile file cannot put terminal escape
 * sequences into our messages. */
static const char *clean_name(reader *rd, const char *s, uint32_t len) {
  uint32_t k = 0;
  while (k < len && (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] != 0x7f)
    k++;
  if (k == len)
    return s;
  if (!spend(rd, len))
    return "";
  char *c = ta_strndup(rd->ctx, s, len);
  if (!c)
    return "";
  for (k = 0; k < len; k++)
    if ((unsigned char)c[k] < 0x20 || (unsigned char)c[k] == 0x7f)
      c[k] = '?';
  return c;
}

static void tensor_err(reader *rd, int32_t t, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tensor_err(reader *rd, int32_t t, ta_status st, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ta_tensor_err(rd->g, t, st, "%s", msg);
  fail(rd, st);
}

static void read_opcodes(reader *rd, const ta_fb_table *model) {
  ta_fb_vec v;
  if (!ta_fb_vec_field(&rd->fb, model, MODEL_OPERATOR_CODES, "operator_codes", TA_FB_TABLES, &v))
    return;
  if (v.n > MAX_OPCODES) {
    ta_err(rd->ctx, TA_ERR_LIMIT, "the model has %u operator codes; tinyaot reads at most %u", v.n,
           MAX_OPCODES);
    fail(rd, TA_ERR_LIMIT);
    return;
  }
  rd->codes = ta_new_array(rd->ctx, v.n ? v.n : 1, sizeof(opcode));
  if (!rd->codes)
    return;
  rd->n_codes = v.n;
  for (uint32_t i = 0; i < v.n; i++) {
    opcode *c = &rd->codes[i];
    c->code = -1;
    c->custom = "";
    ta_fb_table t;
    int8_t dep;
    int32_t code;
    if (!ta_fb_vec_table(&rd->fb, &v, i, "OperatorCode", &t))
      continue;
    bool ok =
        ta_fb_i8(&rd->fb, &t, OPCODE_DEPRECATED_BUILTIN_CODE, "deprecated_builtin_code", 0, &dep);
    ok &= ta_fb_i32(&rd->fb, &t, OPCODE_BUILTIN_CODE, "builtin_code", 0, &code);
    uint32_t custom_len = 0;
    ok &= ta_fb_str_field(&rd->fb, &t, OPCODE_CUSTOM_CODE, "custom_code", &c->custom, &custom_len);
    if (!ok)
      continue;
    c->custom = clean_name(rd, c->custom, custom_len);
    /* Old files only have the byte field; new ones put 127 (the placeholder) there for codes
     * that do not fit, so the larger of the two is the real code. */
    int32_t eff = dep > code ? dep : code;
    if (eff < 0) {
      ta_fb_err(&rd->fb, t.pos, "OperatorCode %u: builtin code %d is negative", i, eff);
      continue;
    }
    c->code = eff;
  }
}

/* Constant data of tensor ti from buffer bidx; sets t->data when there is some. */
static void read_buffer(reader *rd, int32_t ti, uint32_t bidx) {
  ta_fb *fb = &rd->fb;
  if (bidx >= rd->buffers.n) {
    tensor_err(rd, ti, TA_ERR_MALFORMED, "buffer %u does not exist (the model has %u buffers)",
               bidx, rd->buffers.n);
    return;
  }
  ta_fb_table b;
  ta_fb_vec data;
  uint64_t off, size;
  if (!ta_fb_vec_table(fb, &rd->buffers, bidx, "Buffer", &b))
    return;
  bool ok = ta_fb_vec_field(fb, &b, BUFFER_DATA, "data", TA_FB_U8, &data);
  ok &= ta_fb_u64(fb, &b, BUFFER_OFFSET, "offset", 0, &off);
  ok &= ta_fb_u64(fb, &b, BUFFER_SIZE, "size", 0, &size);
  if (!ok)
    return;
  const uint8_t *p = NULL;
  uint64_t n = 0;
  if (data.n) {
    p = ta_fb_vec_bytes(fb, &data);
    n = data.n;
  } else if (off > 1) {
    /* Models over 2 GB keep data after the flatbuffer; offset counts from the file start and
     * only values above 1 are meaningful (schema.fbs). */
    if (size > fb->len || off > fb->len - size) {
      ta_fb_err(fb, ta_fb_field_pos(fb, &b, BUFFER_OFFSET),
                "Buffer %u: offset %llu and size %llu lie outside the file (%u bytes)", bidx,
                (unsigned long long)off, (unsigned long long)size, fb->len);
      return;
    }
    p = fb->data + off;
    n = size;
  }
  if (!n)
    return;
  ta_tensor *t = &rd->g->tensors[ti];
  if (t->dtype == TA_DT_UNKNOWN)
    return; /* unsupported type, already reported */
  size_t need;
  char shape[96];
  if (!ta_tensor_bytes(t, &need)) {
    tensor_err(rd, ti, TA_ERR_MALFORMED, "shape %s of %s is too large to hold in memory",
               ta_shape_str(t, shape, sizeof shape), ta_dtype_name(t->dtype));
    return;
  }
  if ((uint64_t)need != n) {
    tensor_err(rd, ti, TA_ERR_MALFORMED, "buffer %u has %llu bytes, but shape %s of %s needs %zu",
               bidx, (unsigned long long)n, ta_shape_str(t, shape, sizeof shape),
               ta_dtype_name(t->dtype), need);
    return;
  }
  /* Kernels read constants in place as arrays of their type; FlatBuffers writers align
   * buffer data to 16, but a file that does not gets an aligned copy. */
  size_t esize = ta_dtype_size(t->dtype);
  if (esize > 1 && (uintptr_t)p % esize != 0) {
    if (!spend(rd, n))
      return;
    uint8_t *copy = ta_new(rd->ctx, (size_t)n);
    if (!copy)
      return;
    memcpy(copy, p, (size_t)n);
    p = copy;
  }
  t->data = p;
  t->data_bytes = (size_t)n;
}

static void read_quant(reader *rd, int32_t ti, const ta_fb_table *tt) {
  ta_fb *fb = &rd->fb;
  ta_fb_table q;
  if (!ta_fb_table_field(fb, tt, TENSOR_QUANTIZATION, "quantization", "QuantizationParameters",
                         &q) ||
      !q.pos)
    return;
  uint8_t details;
  ta_fb_vec scale, zp;
  int32_t qdim;
  bool ok = ta_fb_u8(fb, &q, QUANT_DETAILS_TYPE, "details_type", 0, &details);
  ok &= ta_fb_vec_field(fb, &q, QUANT_SCALE, "scale", TA_FB_F32, &scale);
  ok &= ta_fb_vec_field(fb, &q, QUANT_ZERO_POINT, "zero_point", TA_FB_I64, &zp);
  ok &= ta_fb_i32(fb, &q, QUANT_QUANTIZED_DIMENSION, "quantized_dimension", 0, &qdim);
  if (!ok)
    return;
  if (details != 0) {
    tensor_err(rd, ti, TA_ERR_UNSUPPORTED,
               "quantization details (union type %u: custom, blockwise or multi-axis) are not "
               "supported",
               details);
    return;
  }
  if (scale.n == 0)
    return; /* min/max only, or empty: not quantized */
  ta_tensor *t = &rd->g->tensors[ti];
  char shape[96];
  if (zp.n != scale.n) {
    tensor_err(rd, ti, TA_ERR_MALFORMED,
               "quantization has %u scales but %u zero points (one per scale expected)", scale.n,
               zp.n);
    return;
  }
  /* Whether the scale count matches the channels is left to the op's check hook, which can
   * say which operand it is ("filter has 16 scales, expected 32"); an axis outside the shape
   * means nothing to any op, so it is refused here. */
  if (scale.n > 1) {
    /* Older converters (TOCO) wrote the filter's quantized_dimension (3) on the 1-D
     * per-channel bias too. TFLite never reads it there: a 1-D tensor with one scale per
     * element can only be quantized along its one axis. */
    if (t->rank == 1 && t->dims[0] == (int32_t)scale.n)
      qdim = 0;
    if (qdim < 0 || qdim >= t->rank) {
      tensor_err(rd, ti, TA_ERR_MALFORMED, "quantized_dimension %d is not a dimension of shape %s",
                 qdim, ta_shape_str(t, shape, sizeof shape));
      return;
    }
  } else if (qdim < 0 || qdim >= (t->rank > 0 ? t->rank : 1)) {
    qdim = 0; /* meaningless for one scale; TFLite ignores it too */
  }
  if (!spend(rd, (uint64_t)scale.n * (sizeof(float) + sizeof(int64_t))))
    return;
  float *s = ta_new_array(rd->ctx, scale.n, sizeof *s);
  int64_t *z = ta_new_array(rd->ctx, scale.n, sizeof *z);
  if (!s || !z)
    return;
  for (uint32_t k = 0; k < scale.n; k++) {
    s[k] = ta_fb_vec_f32(fb, &scale, k);
    z[k] = ta_fb_vec_i64(fb, &zp, k);
  }
  t = &rd->g->tensors[ti];
  t->q.count = (int32_t)scale.n;
  t->q.axis = qdim;
  t->q.scale = s;
  t->q.zero_point = z;
}

/* Tensor i of the subgraph. The graph tensor is added even when the table is broken, so
 * that graph index == file index for every tensor. */
static void read_tensor(reader *rd, const ta_fb_vec *tensors, uint32_t i) {
  ta_fb *fb = &rd->fb;
  ta_fb_table tt;
  const char *name = "";
  uint32_t name_len = 0;
  bool ok = ta_fb_vec_table(fb, tensors, i, "Tensor", &tt);
  if (ok)
    ok = ta_fb_str_field(fb, &tt, TENSOR_NAME, "name", &name, &name_len);
  if (ok)
    name = clean_name(rd, name, name_len);
  int32_t ti = ta_graph_add_tensor(rd->g, name, TA_DT_UNKNOWN, 0, NULL);
  if (ti < 0 || !ok)
    return;

  ta_fb_vec shape;
  int8_t type;
  uint32_t bidx, ext;
  ta_fb_table sparsity;
  bool variable = false;
  ok = ta_fb_vec_field(fb, &tt, TENSOR_SHAPE, "shape", TA_FB_I32, &shape);
  ok &= ta_fb_bool(fb, &tt, TENSOR_IS_VARIABLE, "is_variable", false, &variable);
  ok &= ta_fb_i8(fb, &tt, TENSOR_TYPE, "type", 0, &type);
  ok &= ta_fb_u32(fb, &tt, TENSOR_BUFFER, "buffer", 0, &bidx);
  ok &= ta_fb_u32(fb, &tt, TENSOR_EXTERNAL_BUFFER, "external_buffer", 0, &ext);
  ok &= ta_fb_table_field(fb, &tt, TENSOR_SPARSITY, "sparsity", "SparsityParameters", &sparsity);
  if (!ok)
    return;

  ta_tensor *t = &rd->g->tensors[ti];
  /* `shape` holds the static shape; a dynamic batch shows as -1 only in shape_signature. An
   * absent shape is a scalar, as in TFLite. */
  if (shape.n > TA_MAX_RANK) {
    tensor_err(rd, ti, TA_ERR_UNSUPPORTED, "rank %u is above %d, the most tinyaot handles", shape.n,
               TA_MAX_RANK);
    return;
  }
  bool dims_ok = true;
  for (uint32_t k = 0; k < shape.n; k++) {
    int32_t d = ta_fb_vec_i32(fb, &shape, k);
    if (d < 0) {
      tensor_err(rd, ti, TA_ERR_MALFORMED, "shape dimension %u is %d (must be >= 0)", k, d);
      dims_ok = false;
    } else if (d >= MAX_DIM) {
      tensor_err(rd, ti, TA_ERR_LIMIT, "shape dimension %u is %d, above the limit of 2^30", k, d);
      dims_ok = false;
    }
    t->dims[k] = d;
  }
  if (!dims_ok)
    return;
  t->rank = (int32_t)shape.n;
  t->shape_known = true;
  /* shape_signature repeats the shape with -1 where the model was exported with a dynamic
   * dim; the IR takes the static shape, which a graph input reports (warn_dynamic). A dynamic
   * leading batch stored as 1 is the normal case on a microcontroller and is not recorded. */
  ta_fb_vec sig;
  if (ta_fb_vec_field(fb, &tt, TENSOR_SHAPE_SIGNATURE, "shape_signature", TA_FB_I32, &sig) &&
      sig.n == shape.n)
    for (uint32_t k = 0; k < sig.n; k++)
      if (ta_fb_vec_i32(fb, &sig, k) == -1 && !(k == 0 && t->dims[0] == 1))
        rd->dynamic[ti] |= (uint8_t)(1u << k);

  t->dtype = map_type(type);
  if (t->dtype == TA_DT_UNKNOWN) {
    /* Reported later, and only if a supported op or the graph's I/O uses the tensor: next
     * to the unsupported op that uses it, it would only bury the message that matters. */
    if (type >= 0 && (size_t)type < TA_ARRAY_LEN(type_names))
      rd->bad_type[ti] = (uint8_t)(type + 1);
    else
      tensor_err(rd, ti, TA_ERR_MALFORMED, "type %d is not a TFLite TensorType", type);
  }
  if (sparsity.pos)
    tensor_err(rd, ti, TA_ERR_UNSUPPORTED, "sparse tensors are not supported");
  if (ext)
    tensor_err(rd, ti, TA_ERR_UNSUPPORTED,
               "data in an external file (external_buffer %u) is not supported", ext);

  read_quant(rd, ti, &tt);
  read_buffer(rd, ti, bidx);
  /* A variable tensor is state an op keeps between runs (SVDF, LSTM). TFLite starts it at
   * zero and ignores any buffer the converter gave it. */
  if (variable) {
    t->flags |= TA_TENSOR_STATE;
    t->data = NULL;
    t->data_bytes = 0;
  }
}

/* The fused activation code of an options table. */
static bool map_act(reader *rd, const opref *o, uint8_t v, ta_act *out) {
  switch (v) {
  case TA_TFL_ACT_NONE: *out = TA_ACT_NONE; return true;
  case TA_TFL_ACT_RELU: *out = TA_ACT_RELU; return true;
  case TA_TFL_ACT_RELU_N1_TO_1: *out = TA_ACT_RELU_N1_TO_1; return true;
  case TA_TFL_ACT_RELU6: *out = TA_ACT_RELU6; return true;
  case TA_TFL_ACT_TANH:
  case TA_TFL_ACT_SIGN_BIT:
    op_err(rd, o, TA_ERR_UNSUPPORTED,
           "fused activation %s is not supported (only NONE, RELU, RELU_N1_TO_1, RELU6)",
           v == TA_TFL_ACT_TANH ? "TANH" : "SIGN_BIT");
    return false;
  default:
    op_err(rd, o, TA_ERR_MALFORMED, "fused activation %u is not a TFLite activation", v);
    return false;
  }
}

static bool map_padding(reader *rd, const opref *o, uint8_t v, ta_padding *out) {
  if (v != TA_TFL_PAD_SAME && v != TA_TFL_PAD_VALID) {
    op_err(rd, o, TA_ERR_MALFORMED, "padding %u is neither SAME (%d) nor VALID (%d)", v,
           TA_TFL_PAD_SAME, TA_TFL_PAD_VALID);
    return false;
  }
  *out = v == TA_TFL_PAD_SAME ? TA_PAD_SAME : TA_PAD_VALID;
  return true;
}

/* ReshapeOptions.new_shape restates the output shape; the IR takes the shape from the output
 * tensor, so the two must agree (-1 in new_shape matches anything). */
static void check_new_shape(reader *rd, const opref *o, const ta_fb_table *opt, const ta_op *op) {
  ta_fb_vec ns;
  if (!ta_fb_vec_field(&rd->fb, opt, RESHAPE_NEW_SHAPE, "new_shape", TA_FB_I32, &ns) || !ns.n)
    return;
  const ta_tensor *out = ta_op_output(rd->g, op, 0);
  if (!out || !out->shape_known)
    return;
  bool same = (int64_t)ns.n == out->rank;
  for (uint32_t k = 0; same && k < ns.n; k++) {
    int32_t d = ta_fb_vec_i32(&rd->fb, &ns, k);
    same = d == -1 || d == out->dims[k];
  }
  if (!same) {
    char shape[96];
    op_err(rd, o, TA_ERR_MALFORMED,
           "ReshapeOptions.new_shape (%u dimensions) disagrees with output shape %s", ns.n,
           ta_shape_str(out, shape, sizeof shape));
  }
}

/* Read the options table of op (kind known, tensors set) into op->a. An absent table reads
 * as an empty one, every field taking its schema default, which is what TFLite's parser
 * produces for it. */
static void read_options(reader *rd, const opref *o, const ta_fb_table *ot, uint8_t want,
                         ta_op *op) {
  ta_fb *fb = &rd->fb;
  uint8_t type;
  if (!ta_fb_u8(fb, ot, OPERATOR_BUILTIN_OPTIONS_TYPE, "builtin_options_type", 0, &type))
    return;
  if (want == TA_TFL_OPT_NONE)
    return;
  ta_fb_table opt = {0};
  opt.type = options_name(want);
  if (type != TA_TFL_OPT_NONE) {
    if (type != want) {
      op_err(rd, o, TA_ERR_MALFORMED, "builtin_options has union type %u, expected %s (%u)", type,
             options_name(want), want);
      return;
    }
    if (!ta_fb_table_field(fb, ot, OPERATOR_BUILTIN_OPTIONS, "builtin_options", options_name(want),
                           &opt))
      return;
  }
  ta_attrs *a = &op->a;
  uint8_t pad = 0, act = 0, u8v = 0;
  bool ok = true;
  switch (want) {
  case TA_TFL_OPT_CONV2D:
    ok &= ta_fb_u8(fb, &opt, CONV_PADDING, "padding", 0, &pad);
    ok &= ta_fb_i32(fb, &opt, CONV_STRIDE_W, "stride_w", 0, &a->stride_w);
    ok &= ta_fb_i32(fb, &opt, CONV_STRIDE_H, "stride_h", 0, &a->stride_h);
    ok &= ta_fb_u8(fb, &opt, CONV_ACT, "fused_activation_function", 0, &act);
    ok &= ta_fb_i32(fb, &opt, CONV_DILATION_W, "dilation_w_factor", 1, &a->dilation_w);
    ok &= ta_fb_i32(fb, &opt, CONV_DILATION_H, "dilation_h_factor", 1, &a->dilation_h);
    if (ok && map_padding(rd, o, pad, &a->padding))
      map_act(rd, o, act, &a->act);
    break;
  case TA_TFL_OPT_DEPTHWISE_CONV2D:
    ok &= ta_fb_u8(fb, &opt, DW_PADDING, "padding", 0, &pad);
    ok &= ta_fb_i32(fb, &opt, DW_STRIDE_W, "stride_w", 0, &a->stride_w);
    ok &= ta_fb_i32(fb, &opt, DW_STRIDE_H, "stride_h", 0, &a->stride_h);
    ok &= ta_fb_i32(fb, &opt, DW_DEPTH_MULTIPLIER, "depth_multiplier", 0, &a->depth_multiplier);
    ok &= ta_fb_u8(fb, &opt, DW_ACT, "fused_activation_function", 0, &act);
    ok &= ta_fb_i32(fb, &opt, DW_DILATION_W, "dilation_w_factor", 1, &a->dilation_w);
    ok &= ta_fb_i32(fb, &opt, DW_DILATION_H, "dilation_h_factor", 1, &a->dilation_h);
    if (ok && map_padding(rd, o, pad, &a->padding))
      map_act(rd, o, act, &a->act);
    break;
  case TA_TFL_OPT_POOL2D:
    ok &= ta_fb_u8(fb, &opt, POOL_PADDING, "padding", 0, &pad);
    ok &= ta_fb_i32(fb, &opt, POOL_STRIDE_W, "stride_w", 0, &a->stride_w);
    ok &= ta_fb_i32(fb, &opt, POOL_STRIDE_H, "stride_h", 0, &a->stride_h);
    ok &= ta_fb_i32(fb, &opt, POOL_FILTER_W, "filter_width", 0, &a->filter_w);
    ok &= ta_fb_i32(fb, &opt, POOL_FILTER_H, "filter_height", 0, &a->filter_h);
    ok &= ta_fb_u8(fb, &opt, POOL_ACT, "fused_activation_function", 0, &act);
    if (ok && map_padding(rd, o, pad, &a->padding))
      map_act(rd, o, act, &a->act);
    break;
  case TA_TFL_OPT_FULLY_CONNECTED:
    ok &= ta_fb_u8(fb, &opt, FC_ACT, "fused_activation_function", 0, &act);
    ok &= ta_fb_u8(fb, &opt, FC_WEIGHTS_FORMAT, "weights_format", 0, &u8v);
    ok &= ta_fb_bool(fb, &opt, FC_KEEP_NUM_DIMS, "keep_num_dims", false, &a->keep_dims);
    if (!ok || !map_act(rd, o, act, &a->act))
      break;
    if (u8v == 1)
      op_err(rd, o, TA_ERR_UNSUPPORTED,
             "weights_format SHUFFLED4x16INT8 is not supported (only DEFAULT)");
    else if (u8v != 0)
      op_err(rd, o, TA_ERR_MALFORMED, "weights_format %u is not a TFLite weights format", u8v);
    break;
  case TA_TFL_OPT_SOFTMAX: ta_fb_f32(fb, &opt, SOFTMAX_BETA, "beta", 0.0f, &a->beta); break;
  case TA_TFL_OPT_CONCATENATION:
    ok &= ta_fb_i32(fb, &opt, CONCAT_AXIS, "axis", 0, &a->axis);
    ok &= ta_fb_u8(fb, &opt, CONCAT_ACT, "fused_activation_function", 0, &act);
    if (ok)
      map_act(rd, o, act, &a->act);
    break;
  case TA_TFL_OPT_ADD:
  case TA_TFL_OPT_MUL:
  case TA_TFL_OPT_SUB:
  case TA_TFL_OPT_DIV:
    /* fused_activation_function is slot 0 of AddOptions, MulOptions, SubOptions and
     * DivOptions. Add's and Sub's pot_scale_int16 is not read: it matters to int16 only,
     * which these ops refuse. */
    if (ta_fb_u8(fb, &opt, BINARY_ACT, "fused_activation_function", 0, &act))
      map_act(rd, o, act, &a->act);
    break;
  case TA_TFL_OPT_RESHAPE: check_new_shape(rd, o, &opt, op); break;
  case TA_TFL_OPT_REDUCER:
    ta_fb_bool(fb, &opt, REDUCER_KEEP_DIMS, "keep_dims", false, &a->keep_dims);
    break;
  case TA_TFL_OPT_GATHER: {
    int32_t batch_dims = 0;
    ok &= ta_fb_i32(fb, &opt, GATHER_AXIS, "axis", 0, &a->axis);
    ok &= ta_fb_i32(fb, &opt, GATHER_BATCH_DIMS, "batch_dims", 0, &batch_dims);
    if (ok && batch_dims != 0)
      op_err(rd, o, TA_ERR_UNSUPPORTED, "batch_dims %d is not supported (only 0)", batch_dims);
    break;
  }
  case TA_TFL_OPT_STRIDED_SLICE: {
    bool offset = false;
    ok &= ta_fb_i32(fb, &opt, SS_BEGIN_MASK, "begin_mask", 0, &a->begin_mask);
    ok &= ta_fb_i32(fb, &opt, SS_END_MASK, "end_mask", 0, &a->end_mask);
    ok &= ta_fb_i32(fb, &opt, SS_ELLIPSIS_MASK, "ellipsis_mask", 0, &a->ellipsis_mask);
    ok &= ta_fb_i32(fb, &opt, SS_NEW_AXIS_MASK, "new_axis_mask", 0, &a->new_axis_mask);
    ok &= ta_fb_i32(fb, &opt, SS_SHRINK_MASK, "shrink_axis_mask", 0, &a->shrink_mask);
    ok &= ta_fb_bool(fb, &opt, SS_OFFSET, "offset", false, &offset);
    if (ok && offset)
      op_err(rd, o, TA_ERR_UNSUPPORTED, "offset (end relative to begin) is not supported");
    break;
  }
  case TA_TFL_OPT_SPLIT:
  case TA_TFL_OPT_SPLIT_V: {
    /* num_splits must agree with the outputs, which say the same; checked here so a file
     * that disagrees is named. */
    int32_t num = 0;
    if (ta_fb_i32(fb, &opt, SPLIT_NUM_SPLITS, "num_splits", 0, &num) && num != op->n_out &&
        type != TA_TFL_OPT_NONE)
      op_err(rd, o, TA_ERR_MALFORMED, "num_splits is %d but the op has %d outputs", num, op->n_out);
    break;
  }
  case TA_TFL_OPT_RESIZE_BILINEAR:
    ta_fb_bool(fb, &opt, RB_ALIGN_CORNERS, "align_corners", false, &a->align_corners);
    ta_fb_bool(fb, &opt, RB_HALF_PIXEL_CENTERS, "half_pixel_centers", false,
               &a->half_pixel_centers);
    break;
  case TA_TFL_OPT_TRANSPOSE_CONV:
    /* fused_activation_function came with version 4; older files read NONE, as TFLite. */
    ok &= ta_fb_u8(fb, &opt, TCONV_PADDING, "padding", 0, &pad);
    ok &= ta_fb_i32(fb, &opt, TCONV_STRIDE_W, "stride_w", 0, &a->stride_w);
    ok &= ta_fb_i32(fb, &opt, TCONV_STRIDE_H, "stride_h", 0, &a->stride_h);
    ok &= ta_fb_u8(fb, &opt, TCONV_ACT, "fused_activation_function", 0, &act);
    a->dilation_h = a->dilation_w = 1;
    if (ok && map_padding(rd, o, pad, &a->padding))
      map_act(rd, o, act, &a->act);
    break;
  case TA_TFL_OPT_MIRROR_PAD:
    if (ta_fb_u8(fb, &opt, MIRROR_PAD_MODE, "mode", 0, &u8v)) {
      if (u8v > 1)
        op_err(rd, o, TA_ERR_MALFORMED, "mode %u is neither REFLECT (0) nor SYMMETRIC (1)", u8v);
      a->pad_mode = u8v;
    }
    break;
  case TA_TFL_OPT_RESIZE_NEAREST_NEIGHBOR:
    ta_fb_bool(fb, &opt, RNN_ALIGN_CORNERS, "align_corners", false, &a->align_corners);
    ta_fb_bool(fb, &opt, RNN_HALF_PIXEL_CENTERS, "half_pixel_centers", false,
               &a->half_pixel_centers);
    break;
  case TA_TFL_OPT_SVDF: {
    bool asym = false;
    ok &= ta_fb_i32(fb, &opt, SVDF_RANK, "rank", 0, &a->rank);
    ok &= ta_fb_u8(fb, &opt, SVDF_ACT, "fused_activation_function", 0, &act);
    ok &= ta_fb_bool(fb, &opt, SVDF_ASYMMETRIC_QUANTIZE_INPUTS, "asymmetric_quantize_inputs", false,
                     &asym);
    /* asymmetric_quantize_inputs only matters to the hybrid kernel (float input, int8
     * weights), which check refuses. */
    if (ok)
      map_act(rd, o, act, &a->act);
    break;
  }
  case TA_TFL_OPT_UNIDIRECTIONAL_SEQUENCE_LSTM: {
    /* The activation is kept as TFLite's code: TANH, which map_act refuses for the ops that
     * fuse a clamp, is what an LSTM uses (check refuses the others). proj_clip only matters
     * with projection weights, which check refuses. */
    float proj_clip = 0.0f;
    ok &= ta_fb_u8(fb, &opt, USLSTM_ACT, "fused_activation_function", 0, &act);
    ok &= ta_fb_f32(fb, &opt, USLSTM_CELL_CLIP, "cell_clip", 0.0f, &a->cell_clip);
    ok &= ta_fb_f32(fb, &opt, USLSTM_PROJ_CLIP, "proj_clip", 0.0f, &proj_clip);
    ok &= ta_fb_bool(fb, &opt, USLSTM_TIME_MAJOR, "time_major", false, &a->time_major);
    a->gate_act = act;
    if (ok && !(a->cell_clip >= 0.0f && isfinite(a->cell_clip)))
      op_err(rd, o, TA_ERR_MALFORMED, "cell_clip is %g; expected a finite value >= 0",
             (double)a->cell_clip);
    break;
  }
  default: break;
  }
}

/* Whether t names a tensor of the subgraph (or, for an optional input, is -1). */
static bool check_index(reader *rd, int32_t t, bool optional) {
  return (optional && t == -1) || (t >= 0 && t < rd->n_tensors);
}

/* Whether op_map maps the builtin code. */
static bool op_known(int32_t code) {
  for (size_t m = 0; m < TA_ARRAY_LEN(op_map); m++)
    if (op_map[m].code == code)
      return true;
  return false;
}

static void read_operator(reader *rd, const ta_fb_vec *ops, uint32_t i) {
  ta_fb *fb = &rd->fb;
  ta_fb_table ot;
  ta_fb_vec in, outv;
  uint32_t ci;
  if (!ta_fb_vec_table(fb, ops, i, "Operator", &ot))
    return;
  bool ok = ta_fb_u32(fb, &ot, OPERATOR_OPCODE_INDEX, "opcode_index", 0, &ci);
  ok &= ta_fb_vec_field(fb, &ot, OPERATOR_INPUTS, "inputs", TA_FB_I32, &in);
  ok &= ta_fb_vec_field(fb, &ot, OPERATOR_OUTPUTS, "outputs", TA_FB_I32, &outv);
  if (!ok)
    return;

  opref o = {i, NULL, ""};
  int32_t first_out = outv.n ? ta_fb_vec_i32(fb, &outv, 0) : -1;
  if (first_out >= 0 && first_out < rd->n_tensors)
    o.name = rd->g->tensors[first_out].name;
  const opcode *c = ci < rd->n_codes ? &rd->codes[ci] : NULL;
  if (c && c->code == TA_TFL_OP_CUSTOM)
    o.op = "CUSTOM";
  else if (c && builtin_name(c->code))
    o.op = builtin_name(c->code);
  if (!c) {
    op_err(rd, &o, TA_ERR_MALFORMED,
           "opcode_index %u does not exist (the model has %u operator codes)", ci, rd->n_codes);
    return;
  }
  if (c->code < 0)
    return; /* the broken operator code was reported */
  if (in.n > MAX_OPERANDS || outv.n > MAX_OPERANDS) {
    op_err(rd, &o, TA_ERR_LIMIT, "has %u inputs and %u outputs; tinyaot reads at most %u of each",
           in.n, outv.n, MAX_OPERANDS);
    return;
  }

  if (!spend(rd, ((uint64_t)in.n + outv.n) * sizeof(int32_t)))
    return;
  bool idx_ok = true;
  for (uint32_t k = 0; k < in.n; k++) {
    int32_t t = ta_fb_vec_i32(fb, &in, k);
    if (!check_index(rd, t, true)) {
      op_err(rd, &o, TA_ERR_MALFORMED,
             "input %u refers to tensor %d, but the subgraph has %d "
             "tensors",
             k, t, rd->n_tensors);
      idx_ok = false;
    }
  }
  for (uint32_t k = 0; k < outv.n; k++) {
    int32_t t = ta_fb_vec_i32(fb, &outv, k);
    if (!check_index(rd, t, false)) {
      if (t == -1)
        op_err(rd, &o, TA_ERR_MALFORMED, "output %u is -1 (only inputs may be absent)", k);
      else
        op_err(rd, &o, TA_ERR_MALFORMED,
               "output %u refers to tensor %d, but the subgraph has "
               "%d tensors",
               k, t, rd->n_tensors);
      idx_ok = false;
    }
  }
  if (!idx_ok)
    return;

  if (rd->allow_unsupported && (c->code == TA_TFL_OP_CUSTOM || !op_known(c->code))) {
    /* inspect: keep the operator, by its name, with its operands. */
    const char *nm = c->code == TA_TFL_OP_CUSTOM ? ta_fmt(rd->ctx, "CUSTOM %s", c->custom)
                     : builtin_name(c->code)     ? builtin_name(c->code)
                                                 : ta_fmt(rd->ctx, "builtin %d", c->code);
    int32_t pi = ta_graph_add_op(rd->g, TA_OP_UNSUPPORTED, (int32_t)in.n, (int32_t)outv.n);
    if (pi < 0)
      return;
    ta_op *pop = &rd->g->ops[pi];
    pop->src_index = (int32_t)i;
    pop->name = o.name;
    pop->unsupported = nm;
    for (uint32_t k = 0; k < in.n; k++)
      pop->in[k] = ta_fb_vec_i32(fb, &in, k);
    for (uint32_t k = 0; k < outv.n; k++)
      pop->out[k] = ta_fb_vec_i32(fb, &outv, k);
    rd->g->has_unsupported = true;
    return;
  }
  if (c->code == TA_TFL_OP_CUSTOM) {
    const char *line =
        ta_fmt(rd->ctx, "op %u CUSTOM \"%s\": custom operators are not supported", i, c->custom);
    const char *key = ta_fmt(rd->ctx, "CUSTOM %s", c->custom);
    if (line && key)
      ta_tally_add(rd->ctx, &rd->unsupported, key, line, o.name ? o.name : "");
    fail(rd, TA_ERR_UNSUPPORTED);
    return;
  }
  size_t m = 0;
  while (m < TA_ARRAY_LEN(op_map) && op_map[m].code != c->code)
    m++;
  if (m == TA_ARRAY_LEN(op_map)) {
    /* Tallied: one error per missing operator, after the last op (ta_tally). */
    const char *line =
        builtin_name(c->code)
            ? ta_fmt(rd->ctx, "op %u %s: unsupported operator (TFLite builtin code %d)", i,
                     builtin_name(c->code), c->code)
            : ta_fmt(rd->ctx,
                     "op %u: unsupported operator (TFLite builtin code %d, newer than this reader)",
                     i, c->code);
    const char *key = ta_fmt(rd->ctx, "%d", c->code);
    if (line && key)
      ta_tally_add(rd->ctx, &rd->unsupported, key, line, o.name ? o.name : "");
    fail(rd, TA_ERR_UNSUPPORTED);
    return;
  }

  int32_t oi = ta_graph_add_op(rd->g, op_map[m].kind, (int32_t)in.n, (int32_t)outv.n);
  if (oi < 0)
    return;
  ta_op *op = &rd->g->ops[oi];
  op->src_index = (int32_t)i;
  op->name = o.name;
  for (uint32_t k = 0; k < in.n; k++)
    op->in[k] = ta_fb_vec_i32(fb, &in, k);
  for (uint32_t k = 0; k < outv.n; k++)
    op->out[k] = ta_fb_vec_i32(fb, &outv, k);
  read_options(rd, &o, &ot, op_map[m].options, op);
  if (op->kind == TA_OP_ELU)
    op->a.alpha = 1.0f; /* TFLite's ELU has no options: alpha is 1 */
  if (op->kind == TA_OP_TRANSPOSE_CONV && op->n_in >= 3) {
    /* TFLite's order is (output_shape, filter, input[, bias]); the IR's (input, filter,
     * output_shape[, bias]). */
    const int32_t shape = op->in[0];
    op->in[0] = op->in[2];
    op->in[2] = shape;
  }
}

/* SubGraph.inputs or .outputs into an arena array; NULL on error (reported). */
static int32_t *read_io(reader *rd, const ta_fb_table *sg, int slot, const char *field,
                        uint32_t *n) {
  ta_fb_vec v;
  *n = 0;
  if (!ta_fb_vec_field(&rd->fb, sg, slot, field, TA_FB_I32, &v))
    return NULL;
  if (v.n > MAX_OPERANDS) {
    ta_err(rd->ctx, TA_ERR_LIMIT, "the subgraph has %u %s; tinyaot reads at most %u", v.n, field,
           MAX_OPERANDS);
    fail(rd, TA_ERR_LIMIT);
    return NULL;
  }
  if (!spend(rd, (uint64_t)v.n * sizeof(int32_t)))
    return NULL;
  int32_t *arr = ta_new_array(rd->ctx, v.n ? v.n : 1, sizeof(int32_t));
  if (!arr)
    return NULL;
  bool ok = true;
  for (uint32_t k = 0; k < v.n; k++) {
    arr[k] = ta_fb_vec_i32(&rd->fb, &v, k);
    if (!check_index(rd, arr[k], false)) {
      ta_err(rd->ctx, TA_ERR_MALFORMED,
             "subgraph %s %u refers to tensor %d, but the subgraph has %d tensors", field, k,
             arr[k], rd->n_tensors);
      fail(rd, TA_ERR_MALFORMED);
      ok = false;
    }
  }
  *n = v.n;
  return ok ? arr : NULL;
}

/* The deferred unsupported-type error of tensor t, once. */
static void report_type(reader *rd, int32_t t) {
  if (t < 0 || t >= rd->n_tensors || !rd->bad_type[t])
    return;
  tensor_err(rd, t, TA_ERR_UNSUPPORTED, "type %s is not supported",
             type_names[rd->bad_type[t] - 1]);
  rd->bad_type[t] = 0;
}

/* A graph input exported with dynamic dims (other than a batch of 1) runs with the stored
 * shape only: say so, since that shape may be a converter's placeholder (a sequence length of
 * 1, a batch of 8) rather than what the user will feed. */
static void warn_dynamic(reader *rd, int32_t t) {
  const uint8_t bits = rd->dynamic[t];
  if (!bits)
    return;
  rd->dynamic[t] = 0; /* once, should the input be listed twice */
  char dims[64], shape[96];
  size_t o = 0;
  int n = 0;
  for (int32_t k = 0; k < TA_MAX_RANK && o < sizeof dims; k++)
    if (bits & (1u << k)) {
      int w = snprintf(dims + o, sizeof dims - o, "%s%d", n++ ? ", " : "", (int)k);
      o += w > 0 ? (size_t)w : 0;
    }
  const ta_tensor *tt = &rd->g->tensors[t];
  ta_tensor_warn(rd->g, t,
                 "%s %s %s dynamic in the model's shape_signature (-1); the generated code is "
                 "fixed to the stored shape %s and accepts only that",
                 n > 1 ? "dims" : "dim", dims, n > 1 ? "are" : "is",
                 ta_shape_str(tt, shape, sizeof shape));
}

static void read_subgraph(reader *rd, const ta_fb_table *sg) {
  ta_fb *fb = &rd->fb;
  ta_fb_vec tensors, ops;
  const char *name;
  bool ok = ta_fb_vec_field(fb, sg, SUBGRAPH_TENSORS, "tensors", TA_FB_TABLES, &tensors);
  ok &= ta_fb_vec_field(fb, sg, SUBGRAPH_OPERATORS, "operators", TA_FB_TABLES, &ops);
  ok &= ta_fb_str_field(fb, sg, SUBGRAPH_NAME, "name", &name, NULL);
  if (!ok)
    return;
  if (tensors.n > MAX_TENSORS || ops.n > MAX_OPS) {
    ta_err(rd->ctx, TA_ERR_LIMIT,
           "the subgraph has %u tensors and %u operators; tinyaot reads at most %u tensors and "
           "%u operators",
           tensors.n, ops.n, MAX_TENSORS, MAX_OPS);
    fail(rd, TA_ERR_LIMIT);
    return;
  }
  rd->bad_type = ta_new(rd->ctx, tensors.n ? tensors.n : 1);
  rd->dynamic = ta_new(rd->ctx, tensors.n ? tensors.n : 1);
  if (!rd->bad_type || !rd->dynamic)
    return;
  for (uint32_t i = 0; i < tensors.n && !rd->ctx->oom; i++)
    read_tensor(rd, &tensors, i);
  if (rd->ctx->oom)
    return; /* fewer tensors than the file has: indices would look wrong */
  rd->n_tensors = rd->g->n_tensors;

  uint32_t n_in, n_out;
  int32_t *in = read_io(rd, sg, SUBGRAPH_INPUTS, "inputs", &n_in);
  int32_t *out = read_io(rd, sg, SUBGRAPH_OUTPUTS, "outputs", &n_out);
  if (in && out) {
    for (uint32_t k = 0; k < n_in; k++) {
      rd->g->tensors[in[k]].flags |= TA_TENSOR_INPUT;
      warn_dynamic(rd, in[k]);
    }
    for (uint32_t k = 0; k < n_out; k++)
      rd->g->tensors[out[k]].flags |= TA_TENSOR_OUTPUT;
    if (ta_graph_set_io(rd->g, in, (int32_t)n_in, out, (int32_t)n_out) != TA_OK)
      fail(rd, TA_ERR_LIMIT);
  }

  for (uint32_t i = 0; i < ops.n && !rd->ctx->oom; i++)
    read_operator(rd, &ops, i);
  ta_tally_flush(rd->ctx, &rd->unsupported, TA_ERR_UNSUPPORTED, "ops");

  ta_graph *g = rd->g;
  for (int32_t i = 0; i < g->n_ops; i++) {
    for (int32_t k = 0; k < g->ops[i].n_in; k++)
      report_type(rd, g->ops[i].in[k]);
    for (int32_t k = 0; k < g->ops[i].n_out; k++)
      report_type(rd, g->ops[i].out[k]);
  }
  for (uint32_t k = 0; in && k < n_in; k++)
    report_type(rd, in[k]);
  for (uint32_t k = 0; out && k < n_out; k++)
    report_type(rd, out[k]);
}

/* The identifier as printable text for the message (escape anything else). */
static void ident_str(const uint8_t *id, char *buf, size_t cap) {
  size_t o = 0;
  for (int k = 0; k < 4 && o + 5 < cap; k++) {
    if (id[k] >= 0x20 && id[k] < 0x7f && id[k] != '"' && id[k] != '\\')
      buf[o++] = (char)id[k];
    else
      o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", id[k]);
  }
  buf[o] = '\0';
}

/* Little-endian reads for the truncation estimate; 0 past the end. */
static uint64_t rd_le(const uint8_t *d, size_t len, uint64_t at, int bytes) {
  uint64_t v = 0;
  if (at + (uint64_t)bytes > len)
    return 0;
  for (int k = bytes - 1; k >= 0; k--)
    v = v << 8 | d[at + (uint64_t)k];
  return v;
}

/* Where field k of the table at t is (0: absent or unreadable). */
static uint64_t field_pos(const uint8_t *d, size_t len, uint64_t t, int k) {
  const uint64_t soff = rd_le(d, len, t, 4);
  const int64_t vt = (int64_t)t - (int64_t)(int32_t)(uint32_t)soff;
  if (t + 4 > len || vt < 0 || (uint64_t)vt + 4 > len)
    return 0;
  const uint64_t vsize = rd_le(d, len, (uint64_t)vt, 2);
  if ((uint64_t)(4 + 2 * k + 2) > vsize)
    return 0;
  const uint64_t off = rd_le(d, len, (uint64_t)vt + 4 + 2 * (uint64_t)k, 2);
  return off ? t + off : 0;
}

/* A lower bound of the bytes the model occupies, from what the first bytes say: the root
 * table's vectors (and the strings they hold) and the buffers' data. A cut-off file then reads
 * as "file is truncated" first, not as the first of many offsets past the end. */
static uint64_t bytes_needed(const uint8_t *d, size_t len) {
  const uint64_t root = rd_le(d, len, 0, 4);
  if (root + 4 > len) /* a cut file's root is near the start; a far one is a broken file */
    return root < 65536 ? root + 4 : 0;
  uint64_t need = root + 4;
  for (int k = 1; k <= 7; k++) { /* operator_codes ... signature_defs: all offsets */
    const uint64_t pos = field_pos(d, len, root, k);
    if (!pos)
      continue;
    const uint64_t vec = pos + rd_le(d, len, pos, 4);
    if (vec + 4 > len) {
      need = vec + 4 > need ? vec + 4 : need;
      continue;
    }
    const uint64_t n = rd_le(d, len, vec, 4);
    const uint64_t end = vec + 4 + (k == 3 ? n + 1 : 4 * n); /* 3: description, a string */
    need = end > need ? end : need;
    if (k != MODEL_BUFFERS || end > len)
      continue;
    for (uint64_t i = 0; i < n; i++) { /* Buffer: data (a byte vector), offset, size */
      const uint64_t el = vec + 4 + 4 * i, buf = el + rd_le(d, len, el, 4);
      const uint64_t dp = field_pos(d, len, buf, 0);
      if (dp) {
        const uint64_t dv = dp + rd_le(d, len, dp, 4);
        const uint64_t dend = dv + 4 + (dv + 4 <= len ? rd_le(d, len, dv, 4) : 0);
        need = dend > need ? dend : need;
      }
      const uint64_t op = field_pos(d, len, buf, 1), sp = field_pos(d, len, buf, 2);
      if (op && sp) {
        const uint64_t o = rd_le(d, len, op, 8), z = rd_le(d, len, sp, 8);
        if (o > 1 && o + z > o) /* offset 1 is a placeholder of some converters */
          need = o + z > need ? o + z : need;
      }
    }
  }
  return need;
}

ta_status ta_tfl_read(ta_ctx *ctx, const uint8_t *data, size_t len, ta_graph **out) {
  return ta_tfl_read_opts(ctx, data, len, false, out);
}

ta_status ta_tfl_read_opts(ta_ctx *ctx, const uint8_t *data, size_t len, bool allow_unsupported,
                           ta_graph **out) {
  *out = NULL;
  if (len < 8)
    return ta_err(ctx, TA_ERR_MALFORMED, "file is %zu bytes, too short for a TFLite model", len);
  if (memcmp(data + 4, "TFL3", 4) != 0) {
    char id[24];
    ident_str(data + 4, id, sizeof id);
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "not a TFLite model: file identifier is \"%s\", expected \"TFL3\"", id);
  }
  const uint64_t need = bytes_needed(data, len);
  if (need > len)
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "file is truncated (%zu bytes; the model needs at least %llu): copy or "
                  "download it again",
                  len, (unsigned long long)need);
  reader rd;
  memset(&rd, 0, sizeof rd);
  rd.ctx = ctx;
  rd.allow_unsupported = allow_unsupported;
  ta_status st = ta_fb_init(&rd.fb, ctx, data, len);
  if (st != TA_OK)
    return st;
  rd.budget = 4 * (uint64_t)len + 65536;
  rd.g = ta_graph_new(ctx, ctx->file);
  if (!rd.g)
    return TA_ERR_LIMIT;

  ta_fb_table model, sg;
  ta_fb_vec subgraphs;
  uint32_t version;
  if (!ta_fb_root(&rd.fb, "Model", &model))
    return TA_ERR_MALFORMED;
  bool ok = ta_fb_u32(&rd.fb, &model, MODEL_VERSION, "version", 0, &version);
  ok &= ta_fb_vec_field(&rd.fb, &model, MODEL_SUBGRAPHS, "subgraphs", TA_FB_TABLES, &subgraphs);
  ok &= ta_fb_vec_field(&rd.fb, &model, MODEL_BUFFERS, "buffers", TA_FB_TABLES, &rd.buffers);
  if (ok && version != TFL_SCHEMA_VERSION) {
    /* Versions 0..2 predate the buffers table: their tensors mean something else. */
    ta_err(ctx, TA_ERR_UNSUPPORTED, "schema version %u is not supported (expected %u)", version,
           TFL_SCHEMA_VERSION);
    return TA_ERR_UNSUPPORTED;
  }
  read_opcodes(&rd, &model);
  if (ok && subgraphs.n == 0) {
    ta_err(ctx, TA_ERR_MALFORMED, "the model has no subgraphs");
    fail(&rd, TA_ERR_MALFORMED);
  }
  /* Only subgraph 0 is the model; others serve control flow (CALL, IF, WHILE), which is
   * reported as unsupported when an operator uses it. */
  if (ok && subgraphs.n > 0 && ta_fb_vec_table(&rd.fb, &subgraphs, 0, "SubGraph", &sg))
    read_subgraph(&rd, &sg);

  st = final_status(&rd);
  if (st == TA_OK)
    *out = rd.g;
  return st;
}

ta_status ta_tfl_load(ta_ctx *ctx, const char *path, ta_graph **out) {
  uint8_t *data;
  size_t len;
  *out = NULL;
  ta_status st = ta_read_file(ctx, path, &data, &len);
  if (st != TA_OK)
    return st;
  return ta_tfl_read(ctx, data, len, out);
}
