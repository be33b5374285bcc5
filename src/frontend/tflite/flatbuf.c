/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.c: the bounds-checked FlatBuffer reader (see flatbuf.h).
 *
 * Central idea: a table, vector or string becomes a value of ta_fb_table / ta_fb_vec only
 * after every byte it covers has been shown to lie inside the buffer, so the element getters
 * need no checks. All position arithmetic is done in 64 bits: a buffer is below 2 GiB, and a
 * 32-bit position plus a 32-bit offset (or a 32-bit count times an element size plus 4) fits
 * in 64 bits without overflow. Multi-byte values are assembled byte by byte (FlatBuffers is
 * little-endian), which also makes unaligned input harmless.
 */
#include "flatbuf.h"

#include <stdio.h>
#include <string.h>

static uint16_t rd16(const ta_fb *fb, uint32_t pos) {
  const uint8_t *p = fb->data + pos;
  return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const ta_fb *fb, uint32_t pos) {
  const uint8_t *p = fb->data + pos;
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const ta_fb *fb, uint32_t pos) {
  return (uint64_t)rd32(fb, pos) | ((uint64_t)rd32(fb, pos + 4) << 32);
}

/* Two's complement reinterpretation without implementation-defined conversions. */
static int32_t as_i32(uint32_t u) {
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}

static int64_t as_i64(uint64_t u) {
  int64_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}

static float as_f32(uint32_t u) {
  float v;
  memcpy(&v, &u, sizeof v);
  return v;
}

ta_status ta_fb_init(ta_fb *fb, ta_ctx *ctx, const uint8_t *data, size_t len) {
  memset(fb, 0, sizeof *fb);
  fb->ctx = ctx;
  fb->data = data;
  if (len >= TA_FB_MAX_BYTES) {
    fb->st = TA_ERR_LIMIT;
    return ta_err(ctx, TA_ERR_LIMIT,
                  "file is %zu bytes; FlatBuffers (and so TFLite) files must be below 2 GiB", len);
  }
  fb->len = (uint32_t)len;
  fb->st = TA_OK;
  return TA_OK;
}

ta_status ta_fb_err(ta_fb *fb, uint32_t pos, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fb->st = TA_ERR_MALFORMED;
  return ta_err(fb->ctx, TA_ERR_MALFORMED, "byte %u: %s", pos, msg);
}

static const char *elem_name(ta_fb_elem e) {
  switch (e) {
  case TA_FB_U8: return "ubyte";
  case TA_FB_I32: return "int32";
  case TA_FB_U32: return "uint32";
  case TA_FB_I64: return "int64";
  case TA_FB_F32: return "float";
  case TA_FB_TABLES: return "table offsets";
  }
  return "?";
}

static uint32_t elem_bytes(ta_fb_elem e) {
  switch (e) {
  case TA_FB_U8: return 1;
  case TA_FB_I64: return 8;
  case TA_FB_I32:
  case TA_FB_U32:
  case TA_FB_F32:
  case TA_FB_TABLES: return 4;
  }
  return 1;
}

/* Verify the table at pos: its soffset, its vtable and its inline part. */
static bool table_at(ta_fb *fb, uint32_t pos, const char *type, int32_t depth, ta_fb_table *out) {
  memset(out, 0, sizeof *out);
  out->type = type;
  if (depth > TA_FB_MAX_DEPTH) {
    ta_fb_err(fb, pos, "%s table is nested deeper than %d levels", type, TA_FB_MAX_DEPTH);
    return false;
  }
  if (pos % 4 != 0) {
    ta_fb_err(fb, pos, "%s table is not aligned to 4 bytes", type);
    return false;
  }
  if ((uint64_t)pos + 4 > fb->len) {
    ta_fb_err(fb, pos, "%s table starts past the end of the file (%u bytes)", type, fb->len);
    return false;
  }
  /* The vtable sits at pos - soffset: before or after the table, anywhere in the buffer. */
  int64_t vt = (int64_t)pos - (int64_t)as_i32(rd32(fb, pos));
  if (vt < 0 || vt + 4 > (int64_t)fb->len) {
    ta_fb_err(fb, pos, "%s table: its vtable at byte %lld lies outside the file (%u bytes)", type,
              (long long)vt, fb->len);
    return false;
  }
  if (vt % 2 != 0) {
    ta_fb_err(fb, pos, "%s table: its vtable at byte %lld is not aligned to 2 bytes", type,
              (long long)vt);
    return false;
  }
  /* As in FlatBuffers' verifier: the vtable size must be even and the vtable must fit; a
   * vtable shorter than a slot just leaves that field absent. The table's inline size (the
   * vtable's second entry) is not trusted: each field is checked against the buffer. */
  uint32_t vtu = (uint32_t)vt;
  uint16_t vt_bytes = rd16(fb, vtu);
  if (vt_bytes % 2 != 0) {
    ta_fb_err(fb, vtu, "%s vtable size %u is invalid (must be even)", type, vt_bytes);
    return false;
  }
  if ((uint64_t)vtu + vt_bytes > fb->len) {
    ta_fb_err(fb, vtu, "%s vtable (%u bytes) runs past the end of the file (%u bytes)", type,
              vt_bytes, fb->len);
    return false;
  }
  out->pos = pos;
  out->vt = vtu;
  out->vt_bytes = vt_bytes;
  out->depth = depth;
  return true;
}

/* Follow the uoffset stored at byte `at` (already inside the buffer and aligned). */
static bool follow(ta_fb *fb, uint32_t at, const char *what, uint32_t *target) {
  uint32_t o = rd32(fb, at);
  /* FlatBuffers' verifier refuses 0 (a self-reference) and offsets that look negative. */
  if (o == 0 || o > 0x7fffffffu) {
    ta_fb_err(fb, at, "%s: offset %u is invalid", what, o);
    return false;
  }
  uint64_t t = (uint64_t)at + o;
  if (t >= fb->len) {
    ta_fb_err(fb, at, "%s: offset %u points to byte %llu, past the end of the file (%u bytes)",
              what, o, (unsigned long long)t, fb->len);
    return false;
  }
  *target = (uint32_t)t;
  return true;
}

bool ta_fb_root(ta_fb *fb, const char *type, ta_fb_table *out) {
  memset(out, 0, sizeof *out);
  out->type = type;
  if (fb->len < 4) {
    ta_fb_err(fb, 0, "file is %u bytes, too short to hold the root offset", fb->len);
    return false;
  }
  char what[64];
  snprintf(what, sizeof what, "root %s", type);
  uint32_t pos;
  return follow(fb, 0, what, &pos) && table_at(fb, pos, type, 0, out);
}

static uint16_t field_off(const ta_fb *fb, const ta_fb_table *t, int slot) {
  if (!t->pos || slot < 0)
    return 0;
  uint32_t vo = 4u + 2u * (uint32_t)slot;
  if (vo + 2 > t->vt_bytes)
    return 0;
  return rd16(fb, t->vt + vo);
}

bool ta_fb_has(const ta_fb *fb, const ta_fb_table *t, int slot) {
  return field_off(fb, t, slot) != 0;
}

uint32_t ta_fb_field_pos(const ta_fb *fb, const ta_fb_table *t, int slot) {
  uint16_t fo = field_off(fb, t, slot);
  return fo ? t->pos + fo : 0;
}

/* Locate a field of `size` bytes: 1 present (*pos set), 0 absent, -1 malformed (reported). */
static int locate(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint32_t size,
                  const char *kind, uint32_t *pos) {
  uint16_t fo = field_off(fb, t, slot);
  if (!fo)
    return 0;
  uint64_t p64 = (uint64_t)t->pos + fo;
  if (p64 + size > fb->len) {
    ta_fb_err(fb, t->pos,
              "%s.%s (%s) at table offset %u runs past the end of the file (%u "
              "bytes)",
              t->type, field, kind, fo, fb->len);
    return -1;
  }
  uint32_t p = (uint32_t)p64;
  if (p % size != 0) {
    ta_fb_err(fb, p, "%s.%s (%s) is not aligned to %u bytes", t->type, field, kind, size);
    return -1;
  }
  *pos = p;
  return 1;
}

bool ta_fb_u8(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint8_t dflt,
              uint8_t *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 1, "ubyte", &p);
  *out = r == 1 ? fb->data[p] : dflt;
  return r >= 0;
}

bool ta_fb_i8(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, int8_t dflt,
              int8_t *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 1, "byte", &p);
  *out = dflt;
  if (r == 1)
    memcpy(out, &fb->data[p], 1);
  return r >= 0;
}

bool ta_fb_bool(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, bool dflt,
                bool *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 1, "bool", &p);
  *out = r == 1 ? fb->data[p] != 0 : dflt;
  return r >= 0;
}

bool ta_fb_i32(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, int32_t dflt,
               int32_t *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 4, "int32", &p);
  *out = r == 1 ? as_i32(rd32(fb, p)) : dflt;
  return r >= 0;
}

bool ta_fb_u32(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint32_t dflt,
               uint32_t *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 4, "uint32", &p);
  *out = r == 1 ? rd32(fb, p) : dflt;
  return r >= 0;
}

bool ta_fb_u64(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, uint64_t dflt,
               uint64_t *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 8, "uint64", &p);
  *out = r == 1 ? rd64(fb, p) : dflt;
  return r >= 0;
}

bool ta_fb_f32(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, float dflt,
               float *out) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 4, "float", &p);
  *out = r == 1 ? as_f32(rd32(fb, p)) : dflt;
  return r >= 0;
}

/* Locate an offset field and follow it: 1 with *target, 0 absent, -1 malformed. */
static int offset_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field,
                        const char *kind, uint32_t *target) {
  uint32_t p;
  int r = locate(fb, t, slot, field, 4, kind, &p);
  if (r != 1)
    return r;
  char what[128];
  snprintf(what, sizeof what, "%s.%s", t->type, field);
  return follow(fb, p, what, target) ? 1 : -1;
}

bool ta_fb_table_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field,
                       const char *type, ta_fb_table *out) {
  uint32_t pos;
  memset(out, 0, sizeof *out);
  out->type = type;
  int r = offset_field(fb, t, slot, field, "table offset", &pos);
  if (r <= 0)
    return r == 0;
  return table_at(fb, pos, type, t->depth + 1, out);
}

bool ta_fb_vec_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, ta_fb_elem elem,
                     ta_fb_vec *out) {
  memset(out, 0, sizeof *out);
  out->table = t->type;
  out->field = field;
  out->elem = elem;
  out->elem_bytes = elem_bytes(elem);
  out->depth = t->depth;
  uint32_t vpos;
  int r = offset_field(fb, t, slot, field, "vector offset", &vpos);
  if (r <= 0)
    return r == 0;
  if (vpos % 4 != 0) {
    ta_fb_err(fb, vpos, "%s.%s (vector) is not aligned to 4 bytes", t->type, field);
    return false;
  }
  if ((uint64_t)vpos + 4 > fb->len) {
    ta_fb_err(fb, vpos, "%s.%s (vector) starts past the end of the file (%u bytes)", t->type, field,
              fb->len);
    return false;
  }
  uint32_t n = rd32(fb, vpos);
  uint64_t end = (uint64_t)vpos + 4 + (uint64_t)n * out->elem_bytes;
  if (end > fb->len) {
    ta_fb_err(fb, vpos, "%s.%s (vector of %u %s) runs past the end of the file (%u bytes)", t->type,
              field, n, elem_name(elem), fb->len);
    return false;
  }
  out->pos = vpos + 4;
  out->n = n;
  return true;
}

bool ta_fb_str_field(ta_fb *fb, const ta_fb_table *t, int slot, const char *field, const char **s,
                     uint32_t *len) {
  *s = "";
  if (len)
    *len = 0;
  uint32_t spos;
  int r = offset_field(fb, t, slot, field, "string offset", &spos);
  if (r <= 0)
    return r == 0;
  if (spos % 4 != 0) {
    ta_fb_err(fb, spos, "%s.%s (string) is not aligned to 4 bytes", t->type, field);
    return false;
  }
  if ((uint64_t)spos + 4 > fb->len) {
    ta_fb_err(fb, spos, "%s.%s (string) starts past the end of the file (%u bytes)", t->type, field,
              fb->len);
    return false;
  }
  uint32_t n = rd32(fb, spos);
  /* The NUL after the characters is part of the encoding, and we hand out C strings. */
  if ((uint64_t)spos + 4 + n + 1 > fb->len) {
    ta_fb_err(fb, spos, "%s.%s (string of %u bytes) runs past the end of the file (%u bytes)",
              t->type, field, n, fb->len);
    return false;
  }
  if (fb->data[spos + 4 + n] != 0) {
    ta_fb_err(fb, spos, "%s.%s (string of %u bytes) is not NUL-terminated", t->type, field, n);
    return false;
  }
  *s = (const char *)fb->data + spos + 4;
  if (len)
    *len = n;
  return true;
}

uint8_t ta_fb_vec_u8(const ta_fb *fb, const ta_fb_vec *v, uint32_t i) {
  if (i >= v->n || v->elem_bytes != 1)
    return 0;
  return fb->data[v->pos + i];
}

int32_t ta_fb_vec_i32(const ta_fb *fb, const ta_fb_vec *v, uint32_t i) {
  if (i >= v->n || v->elem_bytes != 4)
    return 0;
  return as_i32(rd32(fb, v->pos + 4 * i));
}

uint32_t ta_fb_vec_u32(const ta_fb *fb, const ta_fb_vec *v, uint32_t i) {
  if (i >= v->n || v->elem_bytes != 4)
    return 0;
  return rd32(fb, v->pos + 4 * i);
}

int64_t ta_fb_vec_i64(const ta_fb *fb, const ta_fb_vec *v, uint32_t i) {
  if (i >= v->n || v->elem_bytes != 8)
    return 0;
  return as_i64(rd64(fb, v->pos + 8 * i));
}

float ta_fb_vec_f32(const ta_fb *fb, const ta_fb_vec *v, uint32_t i) {
  if (i >= v->n || v->elem_bytes != 4)
    return 0.0f;
  return as_f32(rd32(fb, v->pos + 4 * i));
}

const uint8_t *ta_fb_vec_bytes(const ta_fb *fb, const ta_fb_vec *v) {
  return v->n ? fb->data + v->pos : NULL;
}

bool ta_fb_vec_table(ta_fb *fb, const ta_fb_vec *v, uint32_t i, const char *type,
                     ta_fb_table *out) {
  memset(out, 0, sizeof *out);
  out->type = type;
  if (i >= v->n || v->elem != TA_FB_TABLES)
    return false;
  char what[128];
  snprintf(what, sizeof what, "%s.%s[%u]", v->table, v->field, i);
  uint32_t pos;
  return follow(fb, v->pos + 4 * i, what, &pos) && table_at(fb, pos, type, v->depth + 1, out);
}
