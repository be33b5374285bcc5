/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npy.c: NumPy's .npy arrays (format 1.0 to 3.0), the one reader behind every place a tensor's
 * data comes from a file: calibration sets, and the inputs, data sets and reference outputs of
 * run, bench and eval (where a .npy is accepted wherever raw bytes are).
 *
 * A .npy file is hostile input like a model: the header is parsed by hand from its documented
 * form (a magic, a version, a little-endian header length, then a Python dict literal with
 * 'descr', 'fortran_order' and 'shape'), every size checked before use.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ta_ir.h"

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

bool ta_npy_is(const uint8_t *data, size_t len) {
  return len >= 6 && memcmp(data, npy_magic, 6) == 0;
}

/* The input's dims without leading 1s: what the trailing dims of a .npy shape must be. */
int32_t ta_tensor_core_dims(const ta_tensor *t, const int32_t **dims) {
  int32_t k = 0;
  while (k < t->rank && t->dims[k] == 1)
    k++;
  *dims = t->dims + k;
  return t->rank - k;
}

/* Skip spaces. */
static const char *ws(const char *p, const char *end) {
  while (p < end && isspace((unsigned char)*p))
    p++;
  return p;
}

/* The value after 'key': in the header dict, or NULL. */
static const char *dict_value(const char *h, const char *end, const char *key) {
  const size_t n = strlen(key);
  for (const char *p = h; p + n + 2 <= end; p++) {
    if ((*p == '\'' || *p == '"') && memcmp(p + 1, key, n) == 0 && p[n + 1] == *p) {
      const char *q = ws(p + n + 2, end);
      if (q < end && *q == ':')
        return ws(q + 1, end);
      return NULL;
    }
  }
  return NULL;
}

static ta_status npy_err(ta_ctx *ctx, const char *name, const char *what) {
  return ta_err(ctx, TA_ERR_MALFORMED, "%s: malformed .npy header: %s", name, what);
}

ta_status ta_npy_parse(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len, ta_npy *a) {
  memset(a, 0, sizeof *a);
  int32_t *rank = &a->rank;
  int64_t *shape = a->shape;
  if (len < 10)
    return npy_err(ctx, name, "the file is shorter than the 10-byte preamble");
  const int major = data[6];
  size_t hlen, start;
  if (major == 1) {
    hlen = (size_t)data[8] | (size_t)data[9] << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12)
      return npy_err(ctx, name, "the file is shorter than the 12-byte preamble of version 2");
    hlen = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 | (size_t)data[11] << 24;
    start = 12;
  } else {
    return ta_err(ctx, TA_ERR_MALFORMED, "%s: .npy format version %d.%d; expected 1.0, 2.0 or 3.0",
                  name, major, data[7]);
  }
  if (hlen > len - start)
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "%s: malformed .npy header: it claims %zu bytes, but only %zu follow", name, hlen,
                  len - start);
  const char *h = (const char *)data + start, *end = h + hlen;
  for (const char *p = h; p < end; p++)
    if (*p == '\0' || ((unsigned char)*p < 0x20 && *p != '\n') || (unsigned char)*p >= 0x7f)
      return npy_err(ctx, name, "a byte that is not printable ASCII");
  const char *d = dict_value(h, end, "descr");
  if (!d || d >= end || (*d != '\'' && *d != '"'))
    return npy_err(ctx, name, "no 'descr' string");
  const char quote = *d++;
  const char *dq = memchr(d, quote, (size_t)(end - d));
  if (!dq)
    return npy_err(ctx, name, "unterminated 'descr' string");
  const size_t dn = (size_t)(dq - d);
  snprintf(a->descr, sizeof a->descr, "%.*s",
           (int)(dn < sizeof a->descr - 1 ? dn : sizeof a->descr - 1), d);
  for (char *p = a->descr; *p; p++)
    if (!isprint((unsigned char)*p))
      *p = '?';
  /* '<f4', '|u1', '=i8', '>f4': byte order, kind, element size. */
  if (dn == 3 && strchr("<=|>", d[0]) && strchr("fiub", d[1]) && strchr("1248", d[2])) {
    a->big_endian = d[0] == '>' && d[2] != '1';
    a->kind = d[1];
    a->elem_bytes = d[2] - '0';
  }
  const char *f = dict_value(h, end, "fortran_order");
  if (!f)
    return npy_err(ctx, name, "no 'fortran_order'");
  if ((size_t)(end - f) >= 4 && memcmp(f, "True", 4) == 0)
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "%s: .npy array is in Fortran order; expected C order (numpy.ascontiguousarray)",
                  name);
  if ((size_t)(end - f) < 5 || memcmp(f, "False", 5) != 0)
    return npy_err(ctx, name, "'fortran_order' is neither True nor False");
  const char *s = dict_value(h, end, "shape");
  if (!s || s >= end || *s != '(')
    return npy_err(ctx, name, "no 'shape' tuple");
  s++;
  *rank = 0;
  for (;;) {
    s = ws(s, end);
    if (s < end && *s == ')')
      break;
    if (s >= end || !isdigit((unsigned char)*s))
      return npy_err(ctx, name, "'shape' holds something other than non-negative integers");
    int64_t v = 0;
    while (s < end && isdigit((unsigned char)*s)) {
      if (v > (INT64_MAX - 9) / 10)
        return npy_err(ctx, name, "a dimension of 'shape' is too large");
      v = v * 10 + (*s++ - '0');
    }
    if (*rank == TA_NPY_MAX_RANK)
      return npy_err(ctx, name, "'shape' has more than 16 dimensions");
    shape[(*rank)++] = v;
    s = ws(s, end);
    if (s < end && *s == ',')
      s++;
    else if (s >= end || *s != ')')
      return npy_err(ctx, name, "'shape' is not a tuple of integers");
  }
  a->payload = data + start + hlen;
  a->payload_bytes = len - start - hlen;
  return TA_OK;
}

/* The tensor dtype of a .npy descr; TA_DT_UNKNOWN when none matches. */
static ta_dtype npy_dtype(const ta_npy *a) {
  if (a->big_endian)
    return TA_DT_UNKNOWN;
  switch (a->kind) {
  case 'f':
    return a->elem_bytes == 4   ? TA_DT_F32
           : a->elem_bytes == 8 ? TA_DT_F64
           : a->elem_bytes == 2 ? TA_DT_F16
                                : TA_DT_UNKNOWN;
  case 'i':
    return a->elem_bytes == 1   ? TA_DT_I8
           : a->elem_bytes == 2 ? TA_DT_I16
           : a->elem_bytes == 4 ? TA_DT_I32
                                : TA_DT_I64;
  case 'u':
    return a->elem_bytes == 1   ? TA_DT_U8
           : a->elem_bytes == 2 ? TA_DT_U16
           : a->elem_bytes == 4 ? TA_DT_U32
                                : TA_DT_U64;
  case 'b': return a->elem_bytes == 1 ? TA_DT_BOOL : TA_DT_UNKNOWN;
  default: return TA_DT_UNKNOWN;
  }
}

ta_status ta_npy_shape_check(ta_ctx *ctx, const char *name, const ta_npy *a, const ta_tensor *t,
                             uint64_t *records) {
  char shape[128];
  ta_shape_str(t, shape, sizeof shape);
  const int32_t *core;
  const int32_t nc = ta_tensor_core_dims(t, &core);
  bool match = a->rank >= nc;
  for (int32_t k = 0; match && k < nc; k++)
    match = a->shape[a->rank - nc + k] == core[k];
  if (!match) {
    char got[256];
    size_t o = 0;
    got[o++] = '(';
    for (int32_t k = 0; k < a->rank && o < sizeof got - 24; k++)
      o +=
          (size_t)snprintf(got + o, sizeof got - o, "%s%lld", k ? "," : "", (long long)a->shape[k]);
    snprintf(got + o, sizeof got - o, ")");
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "%s: .npy shape %s does not end with the dims of input \"%s\" %s (leading 1s "
                  "may be dropped; the dims before them count records)",
                  name, got, t->name, shape);
  }
  uint64_t recs = 1;
  for (int32_t k = 0; k < a->rank - nc; k++) {
    if (a->shape[k] != 0 && recs > UINT64_MAX / (uint64_t)a->shape[k])
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: malformed .npy header: 'shape' describes more elements than fit in memory",
                    name);
    recs *= (uint64_t)a->shape[k];
  }
  *records = recs;
  return TA_OK;
}

ta_status ta_tensor_file_data(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                              const ta_tensor *t, const uint8_t **bytes, size_t *n) {
  *bytes = data;
  *n = len;
  if (!ta_npy_is(data, len))
    return TA_OK;
  ta_npy a;
  ta_status st = ta_npy_parse(ctx, name, data, len, &a);
  if (st != TA_OK)
    return st;
  char shape[128];
  ta_shape_str(t, shape, sizeof shape);
  if (npy_dtype(&a) != t->dtype)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s: .npy data type '%s'; input \"%s\" is %s %s (save the array with "
                  "dtype=numpy.%s, little-endian)",
                  name, a.descr, t->name, ta_dtype_name(t->dtype), shape,
                  t->dtype == TA_DT_F32 ? "float32" : ta_dtype_name(t->dtype));
  uint64_t recs;
  if ((st = ta_npy_shape_check(ctx, name, &a, t, &recs)) != TA_OK)
    return st;
  size_t elems = 0, want = 0;
  if (!ta_tensor_elems(t, &elems))
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s: input \"%s\" has no static shape (--input-shape sets one)", name, t->name);
  if (recs > SIZE_MAX || !ta_mul_size((size_t)recs, elems * (size_t)a.elem_bytes, &want) ||
      want != a.payload_bytes)
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "%s: .npy data has %zu bytes; its shape and type say %llu%s", name,
                  a.payload_bytes, (unsigned long long)want, recs > SIZE_MAX ? " or more" : "");
  *bytes = a.payload;
  *n = a.payload_bytes;
  return TA_OK;
}
