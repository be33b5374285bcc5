/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_ir.h: the graph IR every stage reads and writes.
 *
 * A graph is a flat array of tensors and a flat array of operators that refer to tensors by
 * index. Layout is NHWC throughout (frontends convert at import). A tensor is constant when
 * it carries data (weights, biases, shape operands); everything else is an activation that
 * the memory planner places in the arena. Operator kinds come from ops.def only.
 *
 * Conventions per operator (what a frontend must produce):
 *   CONV_2D            in: input[N,H,W,Ci], filter[Co,KH,KW,Ci], bias[Co] or -1
 *   DEPTHWISE_CONV_2D  in: input[N,H,W,Ci], filter[1,KH,KW,Ci*M], bias[Ci*M] or -1
 *   FULLY_CONNECTED    in: input[..., K], weights[Co,K], bias[Co] or -1
 *   AVERAGE/MAX_POOL   in: input[N,H,W,C]
 *   ADD, MUL           in: a, b (numpy broadcasting, rank <= 6)
 *   RESHAPE            in: input [, shape]; output shape comes from the output tensor
 *   SOFTMAX            in: input (softmax over the last axis), attrs.beta
 *   QUANTIZE/DEQUANTIZE, LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1: in: input
 *   MEAN               in: input, axes (constant int32)
 *   REDUCE_MAX/MIN, SUM as MEAN
 *   PAD                in: input, paddings (constant int32/int64 [rank,2])
 *   MIRROR_PAD         as PAD, the border filled from the input by attrs.pad_mode
 *   CONCATENATION      in: any number of inputs, attrs.axis
 *   SUB, DIV           as ADD (float32, or integers without quantization: wrapping arithmetic,
 *                      integer division truncating toward zero)
 *   LEAKY_RELU         in: input, attrs.alpha
 *   CLAMP              in: input, attrs.clamp_min/clamp_max (ONNX Clip)
 *   TRANSPOSE          in: input, attrs.perm (rank <= 6, any dtype)
 *   SLICE              in: input, begin, size (constant int32/int64 [rank]; size -1: to the end)
 *   STRIDED_SLICE      in: input, begin, end [, strides] (constant int32/int64 [rank]); python
 *                      slicing per dim (negative indices count from the end, bounds clamp),
 *                      attrs begin_mask/end_mask/shrink_mask as TFLite
 *   SPLIT              in: axis (constant scalar), input; n equal outputs along axis
 *   SPLIT_V            in: input, size_splits (constant 1-D, one may be -1), axis (scalar)
 *   GATHER             in: input, indices (constant int32/int64, any rank, negative counts
 *                      from the end), attrs.axis; output dims: input's before axis, indices',
 *                      input's after axis
 *   CAST               in: input; the output's dtype is the target (numeric types, bool)
 *   HARD_SWISH         in: input
 *   MINIMUM, MAXIMUM, SQUARED_DIFFERENCE: as ADD
 *   NEG, ABS, SQRT, RSQRT, EXP, LOG: in: input
 *   LOG_SOFTMAX        in: input (over the last axis)
 *   ELU                in: input, attrs.alpha (x < 0 ? alpha * expm1(x) : x; TFLite: 1)
 *   PRELU              in: input, alpha (broadcast to the input, as ADD's operands)
 *   HARD_SIGMOID       in: input, attrs.alpha, attrs.beta (max(0, min(1, alpha * x + beta)))
 *   BATCH_MATMUL       in: a [..., M, K], b [..., K, N] (batch dims broadcast); float32, or
 *                      int8 a with int16 b (zero points already subtracted) into int32
 *   CONV_2D            also int8 input with an int16 filter (zero points subtracted) into int32
 *   RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR  in: input [N,H,W,C], size (constant int32 [2]:
 *                      output H, W); attrs align_corners, half_pixel_centers (TFLite) or
 *                      resize_coord/resize_nearest/resize_scale_h/w (ONNX)
 *   TRANSPOSE_CONV     in: input [N,H,W,Ci], filter [Co,KH,KW,Ci], output_shape (constant int32
 *                      [4]), bias [Co] (optional); padding, strides, dilation, act as CONV_2D
 *   SVDF               in: input [B,I], weights_feature [F,I], weights_time [F,M], bias [F/rank]
 *                      or -1, state [B,F*M] (TA_TENSOR_STATE); attrs.rank, attrs.act
 *   UNIDIRECTIONAL_SEQUENCE_LSTM  TFLite's 24 inputs in its order (op_lstm.c), the output
 *                      and cell states TA_TENSOR_STATE; attrs gate_act, cell_clip, time_major
 *   LSTM, GRU          ONNX's (no state between runs): op_rnn.c gives the operand lists
 * Every operator has exactly one output unless its hooks say otherwise.
 */
#ifndef TA_IR_H
#define TA_IR_H

#include "ta_base.h"

#define TA_MAX_RANK 6
/* What a model file may ask for, checked by every frontend before it allocates: far above any
 * model that fits a microcontroller, low enough that the memory planner's quadratic steps stay
 * within seconds on a hostile file. */
#define TA_MAX_TENSORS 32768
#define TA_MAX_OPS 16384
#define TA_MAX_OPERANDS 1024 /* inputs (or outputs) of one op, and of the graph */

typedef enum ta_dtype {
  TA_DT_UNKNOWN = 0,
  TA_DT_F32,
  TA_DT_I8,
  TA_DT_U8,
  TA_DT_I16,
  TA_DT_I32,
  TA_DT_I64,
  TA_DT_BOOL,
  TA_DT_F16,
  TA_DT_U16,
  TA_DT_U32,
  TA_DT_U64,
  TA_DT_F64,
} ta_dtype;

/* Bytes per element; 0 for TA_DT_UNKNOWN. */
size_t ta_dtype_size(ta_dtype dt);
/* "float32", "int8", ... */
const char *ta_dtype_name(ta_dtype dt);
/* C type spelled for generated code ("float", "int8_t", ...); NULL when none. */
const char *ta_dtype_ctype(ta_dtype dt);

typedef enum ta_op_kind {
#define TA_OP(id, name, stem, flags, act) TA_OP_##id,
#include "ops.def"
#undef TA_OP
  TA_OP_COUNT
} ta_op_kind;

const char *ta_op_kind_name(ta_op_kind k);

typedef enum ta_padding { TA_PAD_VALID = 0, TA_PAD_SAME, TA_PAD_EXPLICIT } ta_padding;

/* Fused activation (TFLite's fused_activation_function). */
typedef enum ta_act {
  TA_ACT_NONE = 0,
  TA_ACT_RELU,
  TA_ACT_RELU_N1_TO_1,
  TA_ACT_RELU6,
} ta_act;

const char *ta_act_name(ta_act a);

/* Facts about an operator kind that passes and the planner ask about, one flags column of
 * ops.def (so a new operator states them where it is declared, not in each pass's list). */
typedef enum ta_op_flag {
  /* The op's output clamp can absorb a fused activation (ta_attrs.act): an activation op
   * reading only its float output folds into it (fuse_activation). */
  TA_OPF_TAKES_ACT = 1u << 0,
  /* Quantization transparent: its int8 form only moves or picks input values (or averages
   * them, rounding), so it runs when output quantization equals input 0's (qdq). */
  TA_OPF_QUANT_SAME = 1u << 1,
  /* A view: the output is the input's bytes unchanged, so the planner gives both one buffer
   * and emits no code when the sizes agree (plan). */
  TA_OPF_VIEW = 1u << 2,
  /* The output's values are input 0's, rearranged (no arithmetic): the op commutes with any
   * element-wise map, e.g. a DEQUANTIZE before it can move after it (qdq). */
  TA_OPF_PERMUTE = 1u << 3,
  /* Each output element depends on the input elements at the same (broadcast) index only;
   * shapes come from ta_infer_same_shape or ta_infer_broadcast (src/ops/eltwise.c). */
  TA_OPF_ELEMENTWISE = 1u << 4,
  /* Operands input, weights (operand 1, one slice per output channel: the output's last
   * dim), optional bias (operand 2, one value per output channel) (fold_batchnorm, qdq). */
  TA_OPF_WEIGHTED = 1u << 5,
} ta_op_flag;

/* Whether op kind k has every flag of `flags` (false for an invalid kind). */
bool ta_op_has_flag(ta_op_kind k, unsigned flags);
/* The fused activation op kind k is equivalent to (RELU -> TA_ACT_RELU ...), TA_ACT_NONE for
 * every op that is not one (and for an invalid kind). */
ta_act ta_op_act(ta_op_kind k);

/* Quantization of a tensor: real = scale * (q - zero_point). count 0 means not quantized;
 * count 1 per-tensor; count > 1 per-channel along `axis`. */
typedef struct ta_quant {
  int32_t count;
  int32_t axis;
  float *scale;
  int64_t *zero_point;
} ta_quant;

enum {
  TA_TENSOR_INPUT = 1u << 0,  /* a graph input */
  TA_TENSOR_OUTPUT = 1u << 1, /* a graph output */
  /* Recurrent state (TFLite's variable tensors: SVDF's activation state, the LSTM's output
   * and cell state): no producer and no data; the op that reads it also writes it back (its
   * kernel call lists it as an output too). It lives in the arena for the whole run and
   * across runs, zero until the first run and after the generated NAME_reset(). */
  TA_TENSOR_STATE = 1u << 2,
};

typedef struct ta_tensor {
  const char *name;
  ta_dtype dtype;
  bool shape_known;
  int32_t rank;
  int32_t dims[TA_MAX_RANK];
  ta_quant q;
  const uint8_t *data; /* constant data (data_bytes long), or NULL for activations */
  size_t data_bytes;
  int32_t producer; /* index of the op writing it, -1 for constants and graph inputs */
  uint32_t flags;
} ta_tensor;

/* Attributes of every operator kind, in one struct: each op reads the fields it documents. */
typedef struct ta_attrs {
  ta_padding padding;
  int32_t pad_top, pad_bottom, pad_left, pad_right; /* TA_PAD_EXPLICIT only */
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t filter_h, filter_w; /* pooling window */
  int32_t depth_multiplier;
  ta_act act;
  bool keep_dims;              /* FULLY_CONNECTED keep_num_dims, MEAN keep_dims */
  int32_t axis;                /* CONCATENATION */
  float beta;                  /* SOFTMAX; HARD_SIGMOID: the offset */
  bool ceil_mode;              /* pooling: ONNX ceil_mode (output size rounds up) */
  bool count_include_pad;      /* AVERAGE_POOL_2D: the divisor counts padded taps (ONNX) */
  float alpha;                 /* LEAKY_RELU: the slope below 0; HARD_SIGMOID: the slope; ELU */
  double clamp_min, clamp_max; /* CLAMP: bounds, applied as min(max(x, clamp_min), clamp_max) */
  int32_t perm[TA_MAX_RANK];   /* TRANSPOSE: output dim k is input dim perm[k] */
  bool round_half_even;        /* QUANTIZE float -> integer: ONNX rounding (ties to even) */
  /* STRIDED_SLICE: TFLite's masks, bit k for dim k. begin/end: that bound is omitted (the
   * whole extent); shrink: dim k (one element) is dropped from the output. Ellipsis and new
   * axis masks are read so that check can refuse them. */
  int32_t begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask;
  /* RESIZE_*: how output coordinates map to input ones. resize_coord TA_RESIZE_TFLITE follows
   * TFLite's reference kernels with its two options; the others are ONNX Resize's
   * coordinate_transformation_mode, with the scales it divides by (output / input size per
   * axis, as given by the model) and its nearest_mode. */
  bool align_corners, half_pixel_centers;
  int32_t resize_coord;   /* ta_resize_coord */
  int32_t resize_nearest; /* ta_resize_nearest */
  double resize_scale_h, resize_scale_w;
  int32_t pad_mode; /* MIRROR_PAD: ta_pad_mode */
  int32_t rank;     /* SVDF: filters per output unit */
  /* UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's fused_activation_function code (4: TANH, the cell
   * gate's and the output's activation), cell_clip (0: none), time_major input. */
  int32_t gate_act;
  float cell_clip;
  bool time_major;          /* also LSTM and GRU (ONNX): input [T,B,I]; false: [B,T,I] */
  bool linear_before_reset; /* GRU (ONNX) */
} ta_attrs;

/* MIRROR_PAD's modes: TFLite's MirrorPadMode (REFLECT 0, SYMMETRIC 1), then ONNX's edge. */
typedef enum ta_pad_mode {
  TA_PAD_MODE_REFLECT = 0,
  TA_PAD_MODE_SYMMETRIC,
  TA_PAD_MODE_EDGE,
} ta_pad_mode;

typedef enum ta_resize_coord {
  TA_RESIZE_TFLITE = 0,
  TA_RESIZE_HALF_PIXEL,
  TA_RESIZE_PYTORCH_HALF_PIXEL,
  TA_RESIZE_ALIGN_CORNERS,
  TA_RESIZE_ASYMMETRIC,
  TA_RESIZE_TF_HALF_PIXEL_FOR_NN,
} ta_resize_coord;

typedef enum ta_resize_nearest {
  TA_RESIZE_ROUND_PREFER_FLOOR = 0,
  TA_RESIZE_ROUND_PREFER_CEIL,
  TA_RESIZE_FLOOR,
  TA_RESIZE_CEIL,
} ta_resize_nearest;

typedef struct ta_op {
  ta_op_kind kind;
  const char *name;  /* a readable name (usually its first output's), for messages */
  int32_t src_index; /* index of the operator in the source model */
  int32_t n_in, n_out;
  int32_t *in; /* tensor indices; -1 marks an absent optional input */
  int32_t *out;
  ta_attrs a;
  const char *unsupported; /* UNSUPPORTED: the source's operator name ("CUMSUM", "CUSTOM Foo") */
} ta_op;

typedef struct ta_graph {
  ta_ctx *ctx;
  const char *source; /* model file name, for messages */
  ta_tensor *tensors;
  int32_t n_tensors, cap_tensors;
  ta_op *ops;
  int32_t n_ops, cap_ops;
  int32_t *inputs;
  int32_t n_inputs;
  int32_t *outputs;
  int32_t n_outputs;
  bool reference_kernels; /* the schedule stage picks reference variants only */
  bool optimize_size;     /* variants with a flash/speed choice take the smaller form */
  /* The graph holds UNSUPPORTED placeholders (ta_compile_options.allow_unsupported): their
   * outputs, and everything computed from them, are not checked and keep unknown shapes. */
  bool has_unsupported;
} ta_graph;

ta_graph *ta_graph_new(ta_ctx *ctx, const char *source);
/* Append a tensor; returns its index or -1 (out of memory, reported). */
int32_t ta_graph_add_tensor(ta_graph *g, const char *name, ta_dtype dt, int32_t rank,
                            const int32_t *dims);
/* Append an op with room for n_in inputs and n_out outputs (all -1); -1 on failure. */
int32_t ta_graph_add_op(ta_graph *g, ta_op_kind kind, int32_t n_in, int32_t n_out);
ta_status ta_graph_set_io(ta_graph *g, const int32_t *inputs, int32_t n_inputs,
                          const int32_t *outputs, int32_t n_outputs);

/* Element count of a tensor; false when the shape is unknown or the product overflows. */
bool ta_tensor_elems(const ta_tensor *t, size_t *elems);
/* Byte size (elems * dtype size), same failure rule. */
bool ta_tensor_bytes(const ta_tensor *t, size_t *bytes);
static inline bool ta_tensor_is_const(const ta_tensor *t) {
  return t->data != NULL;
}
/* "[1,49,10,1]" into buf. */
const char *ta_shape_str(const ta_tensor *t, char *buf, size_t cap);

/* Tensor of op input i, or NULL when absent/out of range. */
ta_tensor *ta_op_input(const ta_graph *g, const ta_op *op, int32_t i);
ta_tensor *ta_op_output(const ta_graph *g, const ta_op *op, int32_t i);

/* Diagnostics with locations, in the form docs/ARCHITECTURE.md gives:
 *   model.tflite: op 7 CONV_2D "conv_3": filter has 16 scales, expected 32
 *   model.tflite: tensor 12 "conv_3/bias": ...                                          */
ta_status ta_op_err(const ta_graph *g, const ta_op *op, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
ta_status ta_tensor_err(const ta_graph *g, int32_t tensor_idx, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Warnings located the same way (TA_WARNING through the context's sink): something the
 * user should know that does not stop the compilation; the status and the error count do not
 * change. */
void ta_op_warn(const ta_graph *g, const ta_op *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ta_tensor_warn(const ta_graph *g, int32_t tensor_idx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Check that every op's tensors exist, every activation has one producer, ops come in a
 * valid order (each input produced before use), and graph inputs/outputs are valid. */
ta_status ta_graph_check(ta_graph *g);

/* ---- .npy arrays (npy.c): the one reader for tensor data in NumPy's format ---- */

#define TA_NPY_MAX_RANK 16

/* A parsed .npy array; payload points into the caller's bytes. */
typedef struct ta_npy {
  char descr[20]; /* as in the header ("<f4"), for messages */
  char kind;      /* 'f', 'i', 'u', 'b'; 0 for any other descr */
  int32_t elem_bytes;
  bool big_endian;
  int32_t rank;
  int64_t shape[TA_NPY_MAX_RANK];
  const uint8_t *payload;
  size_t payload_bytes;
} ta_npy;

/* data starts with the .npy magic. */
bool ta_npy_is(const uint8_t *data, size_t len);
/* Parse a .npy header (versions 1.0 to 3.0; name for messages). Refused (MALFORMED, the message
 * names the file and what is wrong): a short file, an unknown version, a header longer than
 * the file, a missing or broken 'descr', 'fortran_order' (True: Fortran order is refused too)
 * or 'shape'. The descr is not judged: kind is 0 for one this reader does not know. */
ta_status ta_npy_parse(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len, ta_npy *a);
/* The rank of t without its leading 1s, and *dims at the first dim kept. */
int32_t ta_tensor_core_dims(const ta_tensor *t, const int32_t **dims);
/* a's shape must end with t's dims without their leading 1s ([1,32,32,3] takes (N,32,32,3),
 * (N,1,32,32,3) or (32,32,3)); the dims before count records, *records their product. */
ta_status ta_npy_shape_check(ta_ctx *ctx, const char *name, const ta_npy *a, const ta_tensor *t,
                             uint64_t *records);
/* The raw bytes of tensor t's data from a file's bytes: with the .npy magic, the array's data
 * (*bytes into data), after checking its dtype is t's (little-endian) and its shape is t's
 * after record dims (ta_npy_shape_check), so *n is a whole number of records; any other file
 * is raw bytes, returned as they are (the caller checks their size). Errors name the file. */
ta_status ta_tensor_file_data(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                              const ta_tensor *t, const uint8_t **bytes, size_t *n);

#endif
