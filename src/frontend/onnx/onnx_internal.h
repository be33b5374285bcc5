/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_internal.h: what the three files of the ONNX frontend share.
 *   onnx_pb.c      the protobuf layer: decoding (protobuf-c, memory from the context's arena),
 *                  a wire-format walk that locates broken bytes, tensors, attributes
 *   onnx_import.c  the graph: values and their two layouts, initializers, inputs, outputs,
 *                  node order, and the helpers operator converters use
 *   onnx_ops.c     one converter per ONNX operator: attributes -> IR ops
 */
#ifndef TA_ONNX_INTERNAL_H
#define TA_ONNX_INTERNAL_H

#include "onnx.pb-c.h"
#include "ta_onnx.h"
#include "ta_ops.h"

/* ---- protobuf layer (onnx_pb.c) ---------------------------------------------------------- */

/* Decode a ModelProto / TensorProto; NULL with a located message when the bytes are broken. */
Onnx__ModelProto *ta_onnx_unpack_model(ta_ctx *ctx, const uint8_t *data, size_t len);
Onnx__TensorProto *ta_onnx_unpack_tensor(ta_ctx *ctx, const uint8_t *data, size_t len);

/* ONNX TensorProto.DataType -> ta_dtype (TA_DT_UNKNOWN when there is none), and its name. */
ta_dtype ta_onnx_dtype(int32_t onnx_type);
const char *ta_onnx_type_name(int32_t onnx_type);

/* Decode a TensorProto's dims and data (raw_data or the typed fields) into out; `what` names
 * it in messages ("initializer \"W\""). External data and unsupported types are refused. */
ta_status ta_onnx_decode_tensor(ta_ctx *ctx, const Onnx__TensorProto *t, const char *what,
                                ta_onnx_tensor *out);

/* A name from the file made safe for messages and generated comments (control characters
 * replaced); "" for NULL. */
const char *ta_onnx_clean(ta_ctx *ctx, const char *s);

/* Attributes of a node by name; NULL when absent. */
const Onnx__AttributeProto *ta_onnx_attr(const Onnx__NodeProto *n, const char *name);

/* ---- the importer (onnx_import.c) --------------------------------------------------------- */

/* An ONNX value (a tensor name of the graph) and its IR tensors: `plain` holds it in the ONNX
 * layout, `cl` channels-last (rank 3..5: [N, spatial..., C]); either may be -1 until needed. */
typedef struct oval {
  const char *name;
  ta_dtype dtype;
  int32_t rank;
  int32_t dims[TA_MAX_RANK]; /* ONNX shape, static */
  int32_t plain, cl;
  bool defined;      /* a producer exists (initializer, input, node output) */
  bool poisoned;     /* its producer failed: consumers are skipped silently */
  bool opaque;       /* computed by an UNSUPPORTED placeholder (allow_unsupported): plain only,
                        shape unknown */
  int32_t input_idx; /* graph input index, -1 otherwise */
} oval;

typedef struct onnx_imp {
  ta_ctx *ctx;
  ta_graph *g;
  const ta_onnx_options *opt;
  int64_t opset; /* default domain */
  int64_t ir_version;
  oval *vals;
  int32_t n_vals, cap_vals;
  int32_t *slots; /* name hash: value index + 1, 0 empty */
  uint32_t n_slots;
  const Onnx__NodeProto *node; /* the node being converted */
  int32_t node_idx;
  const char *node_name; /* its name, or its first output's */
  ta_status st;          /* worst status so far */
  ta_tally unsupported;  /* operators tinyaot lacks: reported once each, after the nodes */
} onnx_imp;

/* Report an error located at the current node ("node 3 Conv \"conv1\": ..."); returns st. */
ta_status imp_err(onnx_imp *im, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Node input k as a value: NULL when absent (past the end or the empty name). */
oval *imp_in(onnx_imp *im, int32_t k);
/* Number of node inputs up to the last non-empty one. */
int32_t imp_n_in(const onnx_imp *im);
/* Node input k, which must be present (reported otherwise). */
oval *imp_in_req(onnx_imp *im, int32_t k, const char *what);
/* The op (emitted so far) that writes IR tensor t, or -1. */
int32_t imp_producer(const onnx_imp *im, int32_t t);
/* The constant data of v (its plain IR tensor), NULL when v is not constant. A DEQUANTIZE of
 * a constant counts as constant (evaluated into a new tensor). */
const ta_tensor *imp_const(onnx_imp *im, const oval *v);
/* Same, reported as unsupported when not constant ("the weights must be constant"). */
const ta_tensor *imp_const_req(onnx_imp *im, const oval *v, const char *what);
/* Define node output k: a new value bound to IR tensor t in the given layout (cl or plain). */
ta_status imp_out(onnx_imp *im, int32_t k, int32_t t, bool cl);
/* Define node output k as the same value as src (Identity). */
ta_status imp_alias(onnx_imp *im, int32_t k, const oval *src);
/* Whether node output k is used (present and named). */
bool imp_out_used(const onnx_imp *im, int32_t k);

/* IR tensors of v in each layout, created on demand (a TRANSPOSE, a RESHAPE view, or a
 * permuted constant). -1 on failure (reported). */
int32_t imp_plain(onnx_imp *im, oval *v);
int32_t imp_cl(onnx_imp *im, oval *v);
/* Whether v has a channels-last IR tensor already. */
bool imp_has_cl(const oval *v);

/* A new activation tensor (shape set by infer) / a constant tensor (data copied). */
int32_t imp_tensor(onnx_imp *im, const char *name, ta_dtype dt);
int32_t imp_const_tensor(onnx_imp *im, const char *name, ta_dtype dt, int32_t rank,
                         const int32_t *dims, const void *data);
/* Append an op for the current node, inputs/outputs given; runs check + infer at once and
 * folds it when every input is constant. Returns TA_OK or the error (reported). */
ta_status imp_op(onnx_imp *im, ta_op_kind kind, const int32_t *in, int32_t n_in, const int32_t *out,
                 int32_t n_out, const ta_attrs *a);
/* Emit out = x with dims permuted (TRANSPOSE, or a RESHAPE view when only size-1 dims move);
 * returns the output tensor or -1. */
int32_t imp_transpose(onnx_imp *im, int32_t x, const int32_t *perm, const char *name);
/* Emit out = x reshaped to dims (a RESHAPE); returns the output tensor or -1. */
int32_t imp_reshape(onnx_imp *im, int32_t x, int32_t rank, const int32_t *dims, const char *name);
/* A constant copy of a constant tensor with dims permuted. */
int32_t imp_permute_const(onnx_imp *im, int32_t t, const int32_t *perm, const char *name);

/* The channels-last permutation of rank r: cl dim k is ONNX dim perm[k]. */
void imp_cl_perm(int32_t r, int32_t *perm);
/* Whether a value of this rank can take the channels-last layout. */
static inline bool imp_cl_rank(int32_t r) {
  return r >= 3 && r <= 5;
}

/* Attribute accessors: the value, or def when absent; false (reported) on a wrong type. */
bool imp_attr_int(onnx_imp *im, const char *name, int64_t def, int64_t *v);
bool imp_attr_float(onnx_imp *im, const char *name, float def, float *v);
bool imp_attr_string(onnx_imp *im, const char *name, const char *def, const char **v);
/* INTS attribute: *n values (at most cap) into v; *n = -1 when absent. */
bool imp_attr_ints(onnx_imp *im, const char *name, int64_t *v, int32_t cap, int32_t *n);

/* ---- operator converters (onnx_ops.c) ----------------------------------------------------- */

typedef ta_status (*onnx_convert_fn)(onnx_imp *im);

typedef struct onnx_op_info {
  const char *op_type;
  onnx_convert_fn convert;
  uint32_t const_inputs; /* bit k: input k is needed at compile time */
} onnx_op_info;

/* The converter of an op_type of the default domain; NULL when unsupported. */
const onnx_op_info *ta_onnx_op_find(const char *op_type);

#endif
