/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.h: a bounds-checked FlatBuffer reader with verifier semantics.
 *
 * Nothing read from the buffer is trusted: every uoffset, vtable soffset, vtable size, field
 * offset, vector length, string (with its NUL) and nesting depth is checked
 * against the buffer before it is used, sizes are multiplied in 64 bits, and scalars are read
 * byte by byte (so no alignment or aliasing assumptions about the caller's bytes). Alignment
 * is still checked where FlatBuffers' own verifier checks it (tables, uoffsets, vector
 * lengths, scalar fields). The checks are the verifier's, no more and no fewer, so for the
 * fields we read we accept exactly the files TensorFlow Lite accepts.
 *
 * A check that fails reports one error through the context, of the form
 *   byte 1234: Operator.inputs (vector of 5000000 int32) runs past the end of the file (53936
 * bytes) sets fb->st to TA_ERR_MALFORMED and makes the accessor return false with its output set to
 * the "absent" value (default scalar, empty vector, empty string, absent table), so a caller
 * can go on reading the rest of the file and report every problem.
 *
 * The reader is schema-agnostic: callers name the table types and fields ("Operator",
 * "inputs") only for messages, and address fields by their slot (the field's position in
 * the schema's table, counting a union as two slots: its _type and its value).
 */
#ifndef TA_FLATBUF_H
#define TA_FLATBUF_H

#include "ta_base.h"

/* FlatBuffers addresses with 32-bit offsets; its verifier refuses buffers of 2 GiB or more. */
#define TA_FB_MAX_BYTES 0x7fffffffu
/* Deeper nesting than this is refused (our schemas nest 4 levels; this stops cycles). */
#define TA_FB_MAX_DEPTH 64

typedef struct ta_fb {
  ta_ctx *ctx;
  const uint8_t *data;
  uint32_t len;
  ta_status st; /* TA_OK, or TA_ERR_MALFORMED once a check failed */
} ta_fb;

/* A verified table: its soffset and its whole vtable lie inside the buffer (each field is
 * checked when read). pos 0 means absent (no table can start at byte 0: the root offset
 * lives there). */
typedef struct ta_fb_table {
  const char *type; /* schema name, for messages: "Tensor" */
  uint32_t pos;     /* byte offset of the table (of its soffset to the vtable) */
  uint32_t vt;      /* byte offset of its vtable */
  uint16_t vt_bytes;
  int32_t depth; /* 0 for the root */
} ta_fb_table;

/* Element types of vectors; a vector of tables holds uoffsets (TA_FB_TABLES). */
typedef enum ta_fb_elem {
  TA_FB_U8,
  TA_FB_I32,
  TA_FB_U32,
  TA_FB_I64,
  TA_FB_F32,
  TA_FB_TABLES,
} ta_fb_elem;

/* A verified vector: n elements of elem_bytes each start at byte pos, all inside the buffer.
 * n 0 when absent. */
typedef struct ta_fb_vec {
  const char *table; /* "Operator" and "inputs": names for messages about its elements */
  const char *field;
  uint32_t pos; /* byte offset of element 0 */
  uint32_t n;
  uint32_t elem_bytes;
  ta_fb_elem elem;
  int32_t depth; /* depth of the table holding the vector */
} ta_fb_vec;

/* Prepare to read data[0..len). len must be below TA_FB_MAX_BYTES (else TA_ERR_LIMIT,
 * reported); the bytes are not copied and must outlive the reader. */
ta_status ta_fb_init(ta_fb *fb, ta_ctx *ctx, const uint8_t *data, size_t len);

/* Report a malformed-input error at byte `pos` ("byte POS: ...") and mark the reader failed.
 * Returns TA_ERR_MALFORMED. For callers that find semantic problems at a known offset. */
ta_status ta_fb_err(ta_fb *fb, uint32_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The root table (the uoffset at byte 0). */
bool ta_fb_root(ta_fb *fb, const char *type, ta_fb_table *out);

/* Whether the table has field `slot` set (present in the vtable with a nonzero offset). */
bool ta_fb_has(const ta_fb *fb, const ta_fb_table *t, int slot);
/* Byte offset of field `slot` inside the buffer, 0 when absent (unchecked: for messages). */
uint32_t ta_fb_field_pos(const ta_fb *fb, const ta_fb_table *t, int slot);

/* Scalar fields. An absent table or field gives dflt. False (and *out = dflt) when the field
 * does not fit in the table or is misaligned (reported). */
bool ta_fb_u8(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint8_t dflt,
              uint8_t *out);
bool ta_fb_i8(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, int8_t dflt,
              int8_t *out);
bool ta_fb_bool(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, bool dflt, bool *out);
bool ta_fb_i32(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, int32_t dflt,
               int32_t *out);
bool ta_fb_u32(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint32_t dflt,
               uint32_t *out);
bool ta_fb_u64(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint64_t dflt,
               uint64_t *out);
bool ta_fb_f32(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, float dflt,
               float *out);

/* A sub-table field named `type` in messages. Absent: out->pos = 0 and true. */
bool ta_fb_table_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field,
                       const char *type, ta_fb_table *out);
/* A vector field. Absent: out->n = 0 and true. */
bool ta_fb_vec_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, ta_fb_elem elem,
                     ta_fb_vec *out);
/* A string field: *s points into the buffer and is NUL-terminated (verified); *len excludes
 * the NUL. Absent: "" and 0. len may be NULL. */
bool ta_fb_str_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, const char **s,
                     uint32_t *len);

/* Element i of a verified vector (i < v->n; anything else returns 0). No failure: the whole
 * vector was checked when it was read. */
uint8_t ta_fb_vec_u8(const ta_fb *fb, const ta_fb_vec *v, uint32_t i);
int32_t ta_fb_vec_i32(const ta_fb *fb, const ta_fb_vec *v, uint32_t i);
uint32_t ta_fb_vec_u32(const ta_fb *fb, const ta_fb_vec *v, uint32_t i);
int64_t ta_fb_vec_i64(const ta_fb *fb, const ta_fb_vec *v, uint32_t i);
float ta_fb_vec_f32(const ta_fb *fb, const ta_fb_vec *v, uint32_t i);
/* Pointer to element 0 (the raw bytes of a [ubyte] vector); NULL when empty. */
const uint8_t *ta_fb_vec_bytes(const ta_fb *fb, const ta_fb_vec *v);
/* Table i of a vector of tables, named `type` in messages. */
bool ta_fb_vec_table(ta_fb *fb, const ta_fb_vec *v, uint32_t i, const char *type, ta_fb_table *out);

#endif
