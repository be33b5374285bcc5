/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onnx_pb.c: the protobuf layer of the ONNX frontend.
 *
 * protobuf-c decodes the messages, allocating from the context's arena (so everything lives
 * until ta_ctx_free and nothing needs freeing one by one). Before it, our own walk of the wire
 * format, driven by the same generated descriptors, follows nested messages up to a depth
 * limit, checks every length and wire type against the schema, and reports where and why the
 * bytes are broken (protobuf-c itself only says "failed"): the byte offset and field path, e.g.
 *   byte 1208 (graph.node[3].attribute[1]): field "t" claims 4000 bytes, only 12 remain.
 * Tensors are decoded into plain little-endian arrays from raw_data or the typed fields.
 */
#include <stdio.h>
#include <string.h>

#include "onnx_internal.h"

#define MAX_DEPTH 64

static void *pb_alloc(void *user, size_t size) {
  return ta_new((ta_ctx *)user, size);
}
static void pb_free(void *user, void *p) {
  (void)user;
  (void)p; /* arena memory: released with the context */
}

/* ---- locating a decoding error -------------------------------------------------------------- */

typedef struct wire_err {
  size_t offset;
  char path[256];
  char what[256];
} wire_err;

static bool read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= len)
      return false;
    const uint8_t b = p[(*pos)++];
    if (shift == 63 && (b & 0x7e))
      return false;
    r |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

/* The wire types a field of this type may use (packed repeated scalars use 2 too). */
static bool wire_type_ok(const ProtobufCFieldDescriptor *f, uint32_t wt) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_MESSAGE:
  case PROTOBUF_C_TYPE_STRING:
  case PROTOBUF_C_TYPE_BYTES: return wt == 2;
  case PROTOBUF_C_TYPE_FLOAT:
  case PROTOBUF_C_TYPE_FIXED32:
  case PROTOBUF_C_TYPE_SFIXED32:
    return wt == 5 || (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED);
  case PROTOBUF_C_TYPE_DOUBLE:
  case PROTOBUF_C_TYPE_FIXED64:
  case PROTOBUF_C_TYPE_SFIXED64:
    return wt == 1 || (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED);
  default: return wt == 0 || (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED);
  }
}

static const char *wire_name(uint32_t wt) {
  static const char *const names[] = {
      "varint", "64-bit", "length-delimited", "group start", "group end", "32-bit", "6", "7"};
  return names[wt & 7];
}

/* Walk one message of descriptor d in p[0..len) (at file offset base); false and *e filled
 * at the first problem. */
static bool walk(const uint8_t *p, size_t len, size_t base, const ProtobufCMessageDescriptor *d,
                 const char *path, int depth, wire_err *e) {
  if (depth > MAX_DEPTH) {
    e->offset = base;
    snprintf(e->path, sizeof e->path, "%s", path);
    snprintf(e->what, sizeof e->what, "messages are nested more than %d deep", MAX_DEPTH);
    return false;
  }
  uint32_t counts[64] = {0};
  size_t pos = 0;
  while (pos < len) {
    const size_t at = pos;
    uint64_t tag;
    if (!read_varint(p, len, &pos, &tag)) {
      e->offset = base + at;
      snprintf(e->path, sizeof e->path, "%s", path);
      snprintf(e->what, sizeof e->what, "a field tag runs past the end of the %s",
               depth ? "message" : "file");
      return false;
    }
    const uint32_t wt = (uint32_t)(tag & 7);
    const uint64_t num = tag >> 3;
    const ProtobufCFieldDescriptor *f =
        num > 0 && num <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)num)
                                     : NULL;
    char sub[256];
    if (f) {
      const unsigned idx = (unsigned)(f - d->fields);
      if (f->label == PROTOBUF_C_LABEL_REPEATED)
        snprintf(sub, sizeof sub, "%s%s%s[%u]", path, path[0] ? "." : "", f->name,
                 idx < 64 ? counts[idx] : 0);
      else
        snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", f->name);
      if (idx < 64)
        counts[idx]++;
    } else {
      snprintf(sub, sizeof sub, "%s%sfield %llu", path, path[0] ? "." : "",
               (unsigned long long)num);
    }
    e->offset = base + at;
    snprintf(e->path, sizeof e->path, "%s", sub);
    if (num == 0) {
      snprintf(e->what, sizeof e->what, "field number 0 is not valid");
      return false;
    }
    if (f && !wire_type_ok(f, wt)) {
      snprintf(e->what, sizeof e->what,
               "field \"%s\" has wire type %s, which its type does not use", f->name,
               wire_name(wt));
      return false;
    }
    uint64_t v, n;
    switch (wt) {
    case 0:
      if (!read_varint(p, len, &pos, &v)) {
        snprintf(e->what, sizeof e->what, "a varint runs past the end");
        return false;
      }
      break;
    case 1:
    case 5: {
      const size_t w = wt == 1 ? 8 : 4;
      if (len - pos < w) {
        snprintf(e->what, sizeof e->what, "a %zu-byte value needs %zu bytes, only %zu remain", w, w,
                 len - pos);
        return false;
      }
      pos += w;
      break;
    }
    case 2:
      if (!read_varint(p, len, &pos, &n)) {
        snprintf(e->what, sizeof e->what, "a length runs past the end");
        return false;
      }
      if (n > len - pos) {
        snprintf(e->what, sizeof e->what,
                 "the field claims %llu bytes, but only %zu remain (the file is truncated or "
                 "corrupt)",
                 (unsigned long long)n, len - pos);
        return false;
      }
      if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
          !walk(p + pos, (size_t)n, base + pos, f->descriptor, sub, depth + 1, e))
        return false;
      pos += (size_t)n;
      break;
    default:
      snprintf(e->what, sizeof e->what, "wire type %s is not supported", wire_name(wt));
      return false;
    }
  }
  return true;
}

static void *unpack(ta_ctx *ctx, const ProtobufCMessageDescriptor *d, const uint8_t *data,
                    size_t len, const char *what) {
  /* Our walk first: it bounds the nesting depth (protobuf-c recurses without a limit, so a
   * hostile file could exhaust the stack) and locates any broken byte. */
  wire_err e;
  memset(&e, 0, sizeof e);
  if (!walk(data, len, 0, d, "", 0, &e)) {
    ta_err(ctx, TA_ERR_MALFORMED, "not a valid %s: byte %zu%s%s%s: %s", what, e.offset,
           e.path[0] ? " (" : "", e.path, e.path[0] ? ")" : "", e.what);
    return NULL;
  }
  ProtobufCAllocator a = {pb_alloc, pb_free, ctx};
  ProtobufCMessage *m = protobuf_c_message_unpack(d, &a, len, data);
  if (m || ctx->oom)
    return m;
  ta_err(ctx, TA_ERR_MALFORMED,
         "not a valid %s: the protobuf encoding is inconsistent (protobuf-c cannot decode it)",
         what);
  return NULL;
}

/* Text where a binary protobuf should be (a README, an HTML page saved under the model's name,
 * a Git LFS pointer): every one of the first bytes printable or white space. */
static bool looks_like_text(const uint8_t *data, size_t len) {
  const size_t n = len < 256 ? len : 256;
  for (size_t i = 0; i < n; i++)
    if ((data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' && data[i] != '\t') ||
        data[i] >= 0x7f)
      return false;
  return n > 0;
}

Onnx__ModelProto *ta_onnx_unpack_model(ta_ctx *ctx, const uint8_t *data, size_t len) {
  if (len == 0) {
    ta_err(ctx, TA_ERR_MALFORMED, "is not an ONNX model: the file is empty");
    return NULL;
  }
  if (looks_like_text(data, len)) {
    size_t k = 0;
    while (k < len && k < 40 && data[k] != '\n' && data[k] != '\r')
      k++;
    ta_err(ctx, TA_ERR_MALFORMED,
           "is not an ONNX model: it is a text file (it begins \"%.*s\"); an ONNX model is a "
           "binary protobuf",
           (int)k, (const char *)data);
    return NULL;
  }
  return unpack(ctx, &onnx__model_proto__descriptor, data, len, "ONNX model");
}

Onnx__TensorProto *ta_onnx_unpack_tensor(ta_ctx *ctx, const uint8_t *data, size_t len) {
  return unpack(ctx, &onnx__tensor_proto__descriptor, data, len, "ONNX TensorProto");
}

bool ta_onnx_sniff(const uint8_t *data, size_t len) {
  /* ModelProto.ir_version is field 1, a varint: tag byte 0x08, then a small version. */
  return len >= 2 && data[0] == 0x08 && data[1] >= 1 && data[1] < 0x80;
}

/* ---- tensors ------------------------------------------------------------------------------ */

ta_dtype ta_onnx_dtype(int32_t t) {
  switch (t) {
  case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return TA_DT_F32;
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: return TA_DT_U8;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return TA_DT_I8;
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: return TA_DT_U16;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return TA_DT_I16;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return TA_DT_I32;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return TA_DT_I64;
  case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return TA_DT_BOOL;
  case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: return TA_DT_F16;
  case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return TA_DT_F64;
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32: return TA_DT_U32;
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: return TA_DT_U64;
  default: return TA_DT_UNKNOWN;
  }
}

const char *ta_onnx_type_name(int32_t t) {
  static const char *const names[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",          "INT8",       "UINT16",   "INT16",
      "INT32",          "INT64",      "STRING",         "BOOL",       "FLOAT16",  "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",      "INT4",     "FLOAT4E2M1"};
  return t >= 0 && (size_t)t < TA_ARRAY_LEN(names) ? names[t] : "an unknown type";
}

const char *ta_onnx_clean(ta_ctx *ctx, const char *s) {
  if (!s)
    return "";
  size_t n = strlen(s), k = 0;
  while (k < n && (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] != 0x7f)
    k++;
  if (k == n)
    return s;
  char *c = ta_strndup(ctx, s, n);
  if (!c)
    return "";
  for (k = 0; k < n; k++)
    if ((unsigned char)c[k] < 0x20 || (unsigned char)c[k] == 0x7f)
      c[k] = '?';
  return c;
}

/* Store the k-th element of a typed field as dtype dt at dst. */
static void put_elem(ta_dtype dt, uint8_t *dst, size_t k, int64_t iv, double dv) {
  switch (dt) {
  case TA_DT_F32: {
    float f = (float)dv;
    memcpy(dst + 4 * k, &f, 4);
    break;
  }
  case TA_DT_F64: memcpy(dst + 8 * k, &dv, 8); break;
  case TA_DT_I8:
  case TA_DT_U8:
  case TA_DT_BOOL: dst[k] = (uint8_t)iv; break;
  case TA_DT_I16:
  case TA_DT_U16:
  case TA_DT_F16: {
    uint16_t v = (uint16_t)iv;
    memcpy(dst + 2 * k, &v, 2);
    break;
  }
  case TA_DT_I32:
  case TA_DT_U32: {
    uint32_t v = (uint32_t)iv;
    memcpy(dst + 4 * k, &v, 4);
    break;
  }
  default: memcpy(dst + 8 * k, &iv, 8); break;
  }
}

ta_status ta_onnx_decode_tensor(ta_ctx *ctx, const Onnx__TensorProto *t, const char *what,
                                ta_onnx_tensor *out) {
  memset(out, 0, sizeof *out);
  out->name = ta_onnx_clean(ctx, t->name);
  if (t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL || t->n_external_data > 0)
    return ta_err(ctx, TA_ERR_UNSUPPORTED,
                  "%s: its data is stored in an external file (external data), which tinyaot "
                  "does not read; save the model with its tensors inside it (onnx.save with "
                  "save_as_external_data=False)",
                  what);
  if (t->segment)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "%s: segmented tensors are not supported", what);
  const ta_dtype dt = ta_onnx_dtype(t->data_type);
  if (dt == TA_DT_UNKNOWN)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "%s has type %s, which tinyaot does not support", what,
                  ta_onnx_type_name(t->data_type));
  if (t->n_dims > TA_MAX_RANK)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "%s has %zu dims; at most %d are supported", what,
                  t->n_dims, TA_MAX_RANK);
  size_t elems = 1;
  for (size_t k = 0; k < t->n_dims; k++) {
    if (t->dims[k] < 0 || t->dims[k] > INT32_MAX)
      return ta_err(ctx, TA_ERR_MALFORMED, "%s: dim %zu is %lld; expected a size >= 0", what, k,
                    (long long)t->dims[k]);
    if (!ta_mul_size(elems, (size_t)t->dims[k], &elems) || elems > INT32_MAX)
      return ta_err(ctx, TA_ERR_LIMIT, "%s has more than 2^31-1 elements", what);
    out->dims[k] = (int32_t)t->dims[k];
  }
  out->dtype = dt;
  out->rank = (int32_t)t->n_dims;
  const size_t es = ta_dtype_size(dt);
  out->bytes = elems * es;
  if (t->has_raw_data) {
    if (t->raw_data.len != out->bytes)
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: raw_data has %zu bytes, but %zu elements of %s need %zu", what,
                    t->raw_data.len, elems, ta_dtype_name(dt), out->bytes);
    uint8_t *d = ta_new(ctx, out->bytes ? out->bytes : 1);
    if (!d)
      return TA_ERR_LIMIT;
    if (out->bytes)
      memcpy(d, t->raw_data.data, out->bytes);
    out->data = d;
    return TA_OK;
  }
  size_t have;
  const char *field;
  switch (dt) {
  case TA_DT_F32: have = t->n_float_data, field = "float_data"; break;
  case TA_DT_F64: have = t->n_double_data, field = "double_data"; break;
  case TA_DT_I64: have = t->n_int64_data, field = "int64_data"; break;
  case TA_DT_U32:
  case TA_DT_U64: have = t->n_uint64_data, field = "uint64_data"; break;
  default: have = t->n_int32_data, field = "int32_data"; break;
  }
  if (have != elems)
    return ta_err(ctx, TA_ERR_MALFORMED, "%s: %s has %zu values, but its shape holds %zu%s", what,
                  field, have, elems, have == 0 ? " (no data at all)" : "");
  uint8_t *d = ta_new(ctx, out->bytes ? out->bytes : 1);
  if (!d)
    return TA_ERR_LIMIT;
  for (size_t k = 0; k < elems; k++) {
    switch (dt) {
    case TA_DT_F32: put_elem(dt, d, k, 0, (double)t->float_data[k]); break;
    case TA_DT_F64: put_elem(dt, d, k, 0, t->double_data[k]); break;
    case TA_DT_I64: put_elem(dt, d, k, t->int64_data[k], 0); break;
    case TA_DT_U32:
    case TA_DT_U64: put_elem(dt, d, k, (int64_t)t->uint64_data[k], 0); break;
    default: put_elem(dt, d, k, t->int32_data[k], 0); break;
    }
  }
  out->data = d;
  return TA_OK;
}

ta_status ta_onnx_read_tensor(ta_ctx *ctx, const uint8_t *data, size_t len, ta_onnx_tensor *out) {
  memset(out, 0, sizeof *out);
  Onnx__TensorProto *t = ta_onnx_unpack_tensor(ctx, data, len);
  if (!t)
    return ctx->oom ? TA_ERR_LIMIT : TA_ERR_MALFORMED;
  char what[300];
  snprintf(what, sizeof what, "tensor \"%s\"", ta_onnx_clean(ctx, t->name));
  return ta_onnx_decode_tensor(ctx, t, what, out);
}

const Onnx__AttributeProto *ta_onnx_attr(const Onnx__NodeProto *n, const char *name) {
  for (size_t k = 0; k < n->n_attribute; k++)
    if (n->attribute[k]->name && strcmp(n->attribute[k]->name, name) == 0)
      return n->attribute[k];
  return NULL;
}
