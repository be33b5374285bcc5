/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_tflite.h: the TensorFlow Lite frontend. Reads a .tflite flatbuffer with our own
 * bounds-checked reader (verifier semantics: every offset, vtable, vector length, string and
 * nesting depth is checked against the buffer before use) and builds the graph IR.
 */
#ifndef TA_TFLITE_H
#define TA_TFLITE_H

#include "ta_ir.h"

/* Build a graph from the model bytes (which must stay alive as long as the context: constant
 * tensors point into them). `path` only names the file in messages (ctx->file is set to it
 * by the caller). Errors: TA_ERR_MALFORMED (broken file: message gives the byte offset and the
 * table/field), TA_ERR_UNSUPPORTED (valid but not handled: names the op index and code, or
 * the tensor). Keeps checking after an error to report every problem, up to the cap. */
ta_status ta_tfl_read(ta_ctx *ctx, const uint8_t *data, size_t len, ta_graph **out);
/* ta_tfl_read; with allow_unsupported, an operator the reader lacks (builtin or CUSTOM)
 * becomes an UNSUPPORTED placeholder op carrying its name (ta_op.unsupported) and operands,
 * and the graph's has_unsupported is set, instead of an error. */
ta_status ta_tfl_read_opts(ta_ctx *ctx, const uint8_t *data, size_t len, bool allow_unsupported,
                           ta_graph **out);

/* Read the file at path and call ta_tfl_read. */
ta_status ta_tfl_load(ta_ctx *ctx, const char *path, ta_graph **out);

/* The TFLite BuiltinOperator code of an op kind the reader maps (the reader's own table, so
 * what the writer emits reads back as the same kind); false for kinds with none. */
bool ta_tfl_op_code(ta_op_kind kind, int32_t *code);

/* Serialize graph g as a .tflite flatbuffer (schema version 3, one subgraph) appended to out:
 * tensors with their shapes, dtypes, quantization (per-channel along q.axis) and constant
 * data, operators with their builtin options, the graph's inputs and outputs; tensor i of g
 * is tensor i of the file, so ta_tfl_read gives back the same graph. UNSUPPORTED (naming the
 * op or tensor) for what TFLite or our reader cannot express: an op kind the reader does not
 * map, explicit padding, ceil_mode or count_include_pad pooling, ties-to-even QUANTIZE, a
 * dtype outside TFLite's. LIMIT when the builder runs out of memory. Nothing is appended on
 * error. */
ta_status ta_tfl_write(ta_ctx *ctx, const ta_graph *g, ta_buf *out);

#endif
