/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tfl_build.h: a small TFLite flatbuffer builder: the one writer of .tflite bytes. The
 * frontend's graph writer (ta_tfl_write, tflite_write.c) serializes a graph through it; the
 * tests build one-op (or small) models with it directly, so the suite stands alone without
 * ../shared. Produces bytes that TensorFlow Lite's own verifier would accept (root offset,
 * "TFL3" identifier, vtables, aligned vectors). Its names keep the short tfb_ prefix the test
 * suite has used since the builder lived there. Memory comes from malloc, not the context's
 * hook (the builder has no context); failure shows as tfb_finish returning NULL.
 *
 * Usage:
 *   tfb *b = tfb_new();
 *   int in  = tfb_tensor(b, "x", TFB_INT8, 4, (int32_t[]){1,8,8,3}, 0);
 *   tfb_quant(b, in, 1, (float[]){0.5f}, (int64_t[]){-1}, 0);
 *   int w   = tfb_tensor(b, "w", TFB_INT8, 4, dims, tfb_buffer(b, data, bytes));
 *   int op  = tfb_op(b, TFB_OP_CONV_2D, (int[]){in, w, bias}, 3, (int[]){out}, 1);
 *   tfb_conv_options(b, op, TFB_PAD_SAME, 1, 1, TFB_ACT_NONE, 1, 1);
 *   tfb_io(b, (int[]){in}, 1, (int[]){out}, 1);
 *   size_t len; uint8_t *bytes = tfb_finish(b, &len);   (malloc'd; caller frees)
 *   tfb_free(b);
 * Input index -1 in tfb_op marks an absent optional input.
 */
#ifndef TFL_BUILD_H
#define TFL_BUILD_H

#include <stddef.h>
#include <stdint.h>

typedef struct tfb tfb;

/* TFLite's enum values, from the frontend's tfl_schema.def (the reader's list, so writer
 * and reader cannot disagree): TensorType codes TFB_<type> (TFB_INT8), BuiltinOperator codes
 * TFB_OP_<op>, ActivationFunctionType TFB_ACT_<act>, Padding TFB_PAD_<padding>. */
enum {
#define TFL_TENSOR_TYPE(name, code) TFB_##name = code,
#include "tfl_schema.def"
};
enum {
#define TFL_BUILTIN(name, code) TFB_OP_##name = code,
#include "tfl_schema.def"
};
enum {
#define TFL_ACTIVATION(name, code) TFB_ACT_##name = code,
#include "tfl_schema.def"
};
enum {
#define TFL_PADDING(name, code) TFB_PAD_##name = code,
#include "tfl_schema.def"
};

tfb *tfb_new(void);
void tfb_free(tfb *b);

/* A buffer holding a copy of data; returns its index (0 is the reserved empty buffer). */
int tfb_buffer(tfb *b, const void *data, size_t len);
/* A tensor; buffer 0 = no data (activation). Returns the tensor index. */
int tfb_tensor(tfb *b, const char *name, int type, int rank, const int32_t *dims, int buffer);
/* shape_signature of a tensor: as many entries as its rank, -1 for a dynamic dim. */
void tfb_shape_signature(tfb *b, int tensor, const int32_t *signature);
/* Quantization parameters: n scales and zero points, along quantized_dimension. */
void tfb_quant(tfb *b, int tensor, int n, const float *scales, const int64_t *zero_points,
               int quantized_dimension);
/* An operator with a builtin code (codes >= 127 go to builtin_code, smaller ones to both
 * deprecated_builtin_code and builtin_code, as the converter writes them). */
int tfb_op(tfb *b, int builtin_code, const int *inputs, int n_in, const int *outputs, int n_out);
/* A CUSTOM operator named custom_code. */
int tfb_custom_op(tfb *b, const char *custom_code, const int *inputs, int n_in, const int *outputs,
                  int n_out);

/* Mark a tensor is_variable (recurrent state: SVDF, LSTM). */
void tfb_variable(tfb *b, int tensor);

/* Builtin options, one setter per options table (call at most once per op). */
void tfb_conv_options(tfb *b, int op, int padding, int stride_w, int stride_h, int act,
                      int dilation_w, int dilation_h);
void tfb_dwconv_options(tfb *b, int op, int padding, int stride_w, int stride_h,
                        int depth_multiplier, int act, int dilation_w, int dilation_h);
void tfb_pool_options(tfb *b, int op, int padding, int stride_w, int stride_h, int filter_w,
                      int filter_h, int act);
void tfb_fc_options(tfb *b, int op, int act, int keep_num_dims);
void tfb_svdf_options(tfb *b, int op, int rank, int act);
/* UnidirectionalSequenceLSTMOptions (proj_clip 0). */
void tfb_lstm_options(tfb *b, int op, int act, float cell_clip, int time_major);
void tfb_add_options(tfb *b, int op, int act);
void tfb_mul_options(tfb *b, int op, int act);
void tfb_sub_options(tfb *b, int op, int act);
void tfb_div_options(tfb *b, int op, int act);
void tfb_softmax_options(tfb *b, int op, float beta);
void tfb_concat_options(tfb *b, int op, int axis, int act);
void tfb_reshape_options(tfb *b, int op, const int32_t *new_shape, int n);
void tfb_reducer_options(tfb *b, int op, int keep_dims);
void tfb_gather_options(tfb *b, int op, int axis);
void tfb_strided_slice_options(tfb *b, int op, int begin_mask, int end_mask, int ellipsis_mask,
                               int new_axis_mask, int shrink_axis_mask);
/* SplitOptions (v 0) or SplitVOptions (v 1). */
void tfb_split_options(tfb *b, int op, int v, int num_splits);
/* ResizeBilinearOptions (bilinear 1) or ResizeNearestNeighborOptions (0). */
void tfb_resize_options(tfb *b, int op, int bilinear, int align_corners, int half_pixel_centers);
void tfb_transpose_conv_options(tfb *b, int op, int padding, int stride_w, int stride_h, int act);
/* MirrorPadOptions: mode 0 REFLECT, 1 SYMMETRIC. */
void tfb_mirror_pad_options(tfb *b, int op, int mode);

/* Subgraph inputs and outputs. */
void tfb_io(tfb *b, const int *inputs, int n_in, const int *outputs, int n_out);

/* Serialize; malloc'd bytes the caller frees, NULL on allocation failure. */
uint8_t *tfb_finish(tfb *b, size_t *len);

/* For malformed-file tests: scale and zero_point vectors of different lengths. */
void tfb_quant_n(tfb *b, int tensor, int n_scales, const float *scales, int n_zero_points,
                 const int64_t *zero_points, int quantized_dimension);

/* Model-level fields (defaults: description "tinyaot tflbuild", subgraph name "main",
 * schema version 3). */
void tfb_description(tfb *b, const char *text);
void tfb_subgraph_name(tfb *b, const char *name);
void tfb_version(tfb *b, uint32_t version);

/* A buffer whose data is stored after the flatbuffer and found through Buffer.offset/size,
 * the form the converter uses for models over 2 GB. Returns its index. */
int tfb_buffer_outside(tfb *b, const void *data, size_t len);

/* For malformed-file tests: the byte offset, in the bytes of the last tfb_finish, of a field
 * as it was written. table is the schema table ("Model", "SubGraph", "Tensor",
 * "QuantizationParameters", "Operator", "OperatorCode", "Buffer", or an options table such
 * as "Conv2DOptions"); index is the tensor, operator, operator-code or buffer index (0 for
 * Model and SubGraph; the operator's index for its options and the tensor's for its
 * quantization); field is the schema field name. For a vector, string or table field this
 * is where its uoffset is stored. -1 when no such field was written. */
long tfb_field_pos(const tfb *b, const char *table, int index, const char *field);

#endif
