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

/* Read the file at path and call ta_tfl_read. */
ta_status ta_tfl_load(ta_ctx *ctx, const char *path, ta_graph **out);

#endif
