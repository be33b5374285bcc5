/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_onnx.h: the ONNX frontend. Reads a ModelProto (protobuf, decoded by protobuf-c from
 * bindings generated at build time from onnx.proto) and builds the graph IR in NHWC: 4-D (and
 * 1-D convolution's 3-D) activations are converted to channels-last once, at import, weights
 * are re-laid-out at compile time, and the graph's inputs and outputs keep the ONNX layout
 * (TRANSPOSE ops at the boundaries where needed; a transpose that only moves size-1 dims is a
 * RESHAPE view). The result still needs the ONNX passes (ta_passes.h) for the transpose and
 * batch-norm clean-ups, then the usual check/prepare/plan.
 *
 * Static shapes only: a graph input with a dynamic dimension needs a shape from the caller
 * (`--input-shape NAME=1,3,32,32`). Opsets 1 to 25 of the default domain are read (old
 * operator versions where their semantics differ: broadcast attributes, Softmax's 2-D
 * coercion before opset 13, attribute forms of inputs).
 */
#ifndef TA_ONNX_H
#define TA_ONNX_H

#include "ta_ir.h"

/* A static shape for a graph input, by name. */
typedef struct ta_onnx_shape {
  const char *name;
  int32_t rank;
  int32_t dims[TA_MAX_RANK];
} ta_onnx_shape;

/* A tensor value in the ONNX layout: row-major, little-endian elements of dtype. */
typedef struct ta_onnx_tensor {
  const char *name;
  ta_dtype dtype;
  int32_t rank;
  int32_t dims[TA_MAX_RANK];
  const uint8_t *data;
  size_t bytes;
} ta_onnx_tensor;

typedef struct ta_onnx_options {
  const ta_onnx_shape *shapes; /* shapes for graph inputs (override dynamic dims) */
  int32_t n_shapes;
  /* Values for graph inputs that an operator needs at compile time (weights, shapes, axes,
   * quantization parameters): such an input becomes a constant and leaves the graph's inputs.
   * Other bound inputs stay runtime inputs. The conformance runner binds every test input. */
  const ta_onnx_tensor *bind;
  int32_t n_bind;
  /* inspect (ta_compile_options.allow_unsupported): a node whose operator tinyaot lacks becomes
   * an UNSUPPORTED placeholder op named after it (ta_op.unsupported: "Sin", "com.ms/Foo"), and
   * so does every node that reads its outputs, directly or not ("Conv (not read: after an
   * unsupported node)"), their outputs of unknown shape; each such operator is said once, as
   * a warning, with its count and first node names; the graph's has_unsupported is set and
   * the read succeeds. */
  bool allow_unsupported;
} ta_onnx_options;

/* True when the bytes look like an ONNX ModelProto (a protobuf whose first field is
 * ir_version, as every ONNX writer emits it). */
bool ta_onnx_sniff(const uint8_t *data, size_t len);

/* Build a graph from the model bytes. The bytes need not outlive the call. Messages name the
 * file (ctx->file), and the node (index, op_type, name), tensor or byte offset concerned.
 * Errors: TA_ERR_MALFORMED (broken protobuf, undefined tensor, cycle, inconsistent shapes),
 * TA_ERR_UNSUPPORTED (unsupported operator or attribute, dynamic shape, external data).
 * Keeps checking after an error, up to the context's cap. opt may be NULL. */
ta_status ta_onnx_read(ta_ctx *ctx, const uint8_t *data, size_t len, const ta_onnx_options *opt,
                       ta_graph **out);

/* The names of the model's runtime inputs (graph inputs that are not initializers), in order,
 * as the backend tests number their input_K.pb files. Strings in the arena. */
ta_status ta_onnx_input_names(ta_ctx *ctx, const uint8_t *data, size_t len, const char ***names,
                              int32_t *n);

/* Decode one serialized TensorProto (the backend tests' input_K.pb / output_K.pb). The
 * tensor's data lives in the context's arena. */
ta_status ta_onnx_read_tensor(ta_ctx *ctx, const uint8_t *data, size_t len, ta_onnx_tensor *out);

/* Read dir/KIND_0.pb, dir/KIND_1.pb, ... (kind "input" or "output": a backend test's data
 * set) into ts[] with ta_onnx_read_tensor, up to max of them, stopping at the first number
 * without a file; *n: how many were read. */
ta_status ta_onnx_read_tensor_files(ta_ctx *ctx, const char *dir, const char *kind, int32_t max,
                                    ta_onnx_tensor *ts, int32_t *n);

/* Write the user's ONNX model (data, len; `what` names it in messages) quantized as qg, the int8
 * graph the quantize stage made of it, as a QDQ ONNX model into out: QuantizeLinear and
 * DequantizeLinear after every int8 activation, int8 per-channel weights and int32 biases of
 * Conv, Gemm and MatMul through DequantizeLinear; every other node as it was (onnx_qdq.c). */
ta_status ta_onnx_write_qdq(ta_ctx *ctx, const char *what, const uint8_t *data, size_t len,
                            const ta_graph *qg, ta_buf *out);

#endif
