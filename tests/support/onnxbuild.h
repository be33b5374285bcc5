/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnxbuild.h: a small ONNX model WRITER for tests and the fuzz seed makers, the ONNX
 * counterpart of tflbuild.h. It fills the protobuf-c structs generated from onnx.proto
 * (onnx.pb-c.h) and serializes them, so every test builds its models the same way and the
 * suite stands alone without ../shared.
 *
 * Usage:
 *   oxb *b = oxb_new(13);                                   (opset 13 of the default domain)
 *   oxb_input(b, "x", OXB_FLOAT, 4, (int[]){-1, 3, 8, 8});  (-1: a dynamic dim, dim_param "N")
 *   oxb_init_f32(b, "w", 4, (int[]){4, 3, 3, 3}, wave);     (float_data[i] = wave(i))
 *   Onnx__NodeProto *c = oxb_node(b, "Conv", "x w", "y");   (names split at spaces, "-": absent)
 *   oxb_attr_ints(b, c, "pads", 4, (int64_t[]){1, 1, 1, 1});
 *   oxb_output(b, "y", OXB_FLOAT, -1, NULL);                (rank -1: no shape written)
 *   size_t len; uint8_t *bytes = oxb_finish(b, &len);       (owned by b)
 *   oxb_free(b);                                            (frees the bytes too)
 * Everything comes from the builder's own arena: the returned protobuf structs may be edited
 * in place (a test breaking a model on purpose) until oxb_finish, and stay valid until
 * oxb_free. Allocation failure aborts (a test helper, not library code).
 */
#ifndef ONNXBUILD_H
#define ONNXBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

/* TensorProto.DataType codes, short. */
enum {
  OXB_FLOAT = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
  OXB_UINT8 = ONNX__TENSOR_PROTO__DATA_TYPE__UINT8,
  OXB_INT8 = ONNX__TENSOR_PROTO__DATA_TYPE__INT8,
  OXB_INT16 = ONNX__TENSOR_PROTO__DATA_TYPE__INT16,
  OXB_INT32 = ONNX__TENSOR_PROTO__DATA_TYPE__INT32,
  OXB_INT64 = ONNX__TENSOR_PROTO__DATA_TYPE__INT64,
  OXB_BOOL = ONNX__TENSOR_PROTO__DATA_TYPE__BOOL,
  OXB_FLOAT16 = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16,
  OXB_DOUBLE = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE,
};

typedef struct oxb oxb;

/* A model importing `opset` of the default domain; ir_version 8, graph name "main",
 * producer "tinyaot onnxbuild". Nodes are unnamed (messages then name a node by its first
 * output) unless oxb_name_nodes is called. */
oxb *oxb_new(int64_t opset);
void oxb_free(oxb *b);

/* The underlying ModelProto, for fields no setter covers. */
Onnx__ModelProto *oxb_model(oxb *b);
void oxb_ir_version(oxb *b, int64_t version);
void oxb_producer(oxb *b, const char *name);
void oxb_graph_name(oxb *b, const char *name);
/* One more opset_import entry (domain "" is the default domain). */
void oxb_opset(oxb *b, const char *domain, int64_t version);
/* From now on, name each new node "<op_type>_<node index>". */
void oxb_name_nodes(oxb *b);

/* A copy of s in the builder's arena (for fields edited by hand). */
char *oxb_str(oxb *b, const char *s);

/* Graph inputs and outputs: a tensor type of elem_type and `rank` dims; a dim below 0 is
 * dynamic (dim_param "N"); rank -1 writes no shape at all, rank 0 an empty (scalar) shape. */
Onnx__ValueInfoProto *oxb_input(oxb *b, const char *name, int elem_type, int rank, const int *dims);
Onnx__ValueInfoProto *oxb_output(oxb *b, const char *name, int elem_type, int rank,
                                 const int *dims);

/* Tensors. oxb_tensor makes one with dims and no data, outside the graph (for a TENSOR
 * attribute, or to be filled by hand and given to oxb_initializer). The setters store n
 * values, n the product of the dims, in the field protobuf uses for that data type. */
Onnx__TensorProto *oxb_tensor(oxb *b, const char *name, int data_type, int rank, const int *dims);
void oxb_set_floats(oxb *b, Onnx__TensorProto *t, const float *v);   /* float_data */
void oxb_set_int32s(oxb *b, Onnx__TensorProto *t, const int32_t *v); /* int32_data: int8, uint8,
                                                                      * int16, int32, bool */
void oxb_set_int64s(oxb *b, Onnx__TensorProto *t, const int64_t *v); /* int64_data */
void oxb_set_doubles(oxb *b, Onnx__TensorProto *t, const double *v); /* double_data */
void oxb_set_raw(oxb *b, Onnx__TensorProto *t, const void *data, size_t len); /* raw_data */
/* Add t to the graph's initializers. */
void oxb_initializer(oxb *b, Onnx__TensorProto *t);

/* Initializers in one call (tensor + setter + oxb_initializer). */
/* float, float_data[i] = f(i) */
Onnx__TensorProto *oxb_init_f32(oxb *b, const char *name, int rank, const int *dims,
                                float (*f)(int));
/* float, float_data = v */
Onnx__TensorProto *oxb_init_floats(oxb *b, const char *name, int rank, const int *dims,
                                   const float *v);
/* data_type stored in int32_data (int8, uint8, int16, int32, bool) */
Onnx__TensorProto *oxb_init_int32s(oxb *b, const char *name, int data_type, int rank,
                                   const int *dims, const int32_t *v);
/* A 1-D int64 tensor of n values in raw_data, as exporters write shapes, axes and pads. */
Onnx__TensorProto *oxb_init_i64(oxb *b, const char *name, int n, const int64_t *v);

/* A node op_type(inputs) -> outputs: names separated by spaces, "-" for an absent input. */
Onnx__NodeProto *oxb_node(oxb *b, const char *op_type, const char *inputs, const char *outputs);
void oxb_node_name(oxb *b, Onnx__NodeProto *n, const char *name);
void oxb_node_domain(oxb *b, Onnx__NodeProto *n, const char *domain);

/* Attributes of each kind. */
void oxb_attr_int(oxb *b, Onnx__NodeProto *n, const char *name, int64_t v);
void oxb_attr_float(oxb *b, Onnx__NodeProto *n, const char *name, float v);
void oxb_attr_string(oxb *b, Onnx__NodeProto *n, const char *name, const char *v);
void oxb_attr_tensor(oxb *b, Onnx__NodeProto *n, const char *name, Onnx__TensorProto *t);
void oxb_attr_ints(oxb *b, Onnx__NodeProto *n, const char *name, int count, const int64_t *v);
void oxb_attr_floats(oxb *b, Onnx__NodeProto *n, const char *name, int count, const float *v);
void oxb_attr_strings(oxb *b, Onnx__NodeProto *n, const char *name, int count,
                      const char *const *v);

/* Serialize: the bytes (owned by b, valid until oxb_free or the next oxb_finish). */
uint8_t *oxb_finish(oxb *b, size_t *len);

#endif
