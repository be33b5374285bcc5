/* SPDX-License-Identifier: Apache-2.0 */
/*
 * calib.c: the calibration data reader: raw float32 records and .npy arrays (the rule for
 * files and inputs is at the top of ta_quantize.h).
 *
 * A calibration file is hostile input like a model: every size comes from the file and is
 * checked before use, the .npy header is parsed by hand from its documented form (a Python
 * dict literal with 'descr', 'fortran_order' and 'shape'), and every value must be finite,
 * since one NaN would poison every range computed from it.
 */
#include "ta_quantize.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* The input's dims without leading 1s: what the trailing dims of a .npy shape must be. */
static int32_t core_dims(const ta_tensor *t, const int32_t **dims) {
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

#define NPY_MAX_RANK 16

static ta_status npy_err(ta_ctx *ctx, const char *name, const char *what) {
  return ta_err(ctx, TA_ERR_MALFORMED, "%s: malformed .npy header: %s", name, what);
}

/* Parse a .npy file: element size (4 or 8) and shape; *payload at the data. */
static ta_status npy_header(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                            int32_t *elem_bytes, int32_t *rank, int64_t *shape,
                            const uint8_t **payload, size_t *payload_len) {
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
  if (dn == 3 && (d[0] == '<' || d[0] == '=') && d[1] == 'f' && (d[2] == '4' || d[2] == '8')) {
    *elem_bytes = d[2] - '0';
  } else {
    char buf[32];
    snprintf(buf, sizeof buf, "%.*s", (int)(dn < 16 ? dn : 16), d);
    for (char *p = buf; *p; p++)
      if (!isprint((unsigned char)*p))
        *p = '?';
    return ta_err(ctx, TA_ERR_MALFORMED,
                  "%s: .npy data type '%s'; expected little-endian float32 ('<f4') or float64 "
                  "('<f8')",
                  name, buf);
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
    if (*rank == NPY_MAX_RANK)
      return npy_err(ctx, name, "'shape' has more than 16 dimensions");
    shape[(*rank)++] = v;
    s = ws(s, end);
    if (s < end && *s == ',')
      s++;
    else if (s >= end || *s != ')')
      return npy_err(ctx, name, "'shape' is not a tuple of integers");
  }
  *payload = data + start + hlen;
  *payload_len = len - start - hlen;
  return TA_OK;
}

ta_status ta_calib_parse(ta_ctx *ctx, const char *name, const uint8_t *data, size_t len,
                         const ta_tensor *t, float **values, int64_t *n_records) {
  *values = NULL;
  *n_records = 0;
  size_t elems;
  char shape[128];
  ta_shape_str(t, shape, sizeof shape);
  if (t->dtype != TA_DT_F32 || !ta_tensor_elems(t, &elems) || elems == 0)
    return ta_err(ctx, TA_ERR_UNSUPPORTED,
                  "input \"%s\" is %s %s; calibration data is for float32 inputs of known shape",
                  t->name, ta_dtype_name(t->dtype), shape);
  const size_t rec_bytes = elems * 4;
  int32_t eb = 4;
  const uint8_t *p = data;
  size_t n = len;
  size_t n_vals;
  if (len >= 6 && memcmp(data, npy_magic, 6) == 0) {
    int32_t rank = 0;
    int64_t dims[NPY_MAX_RANK] = {0};
    ta_status st = npy_header(ctx, name, data, len, &eb, &rank, dims, &p, &n);
    if (st != TA_OK)
      return st;
    const int32_t *core;
    const int32_t nc = core_dims(t, &core);
    bool match = rank >= nc;
    for (int32_t k = 0; match && k < nc; k++)
      match = dims[rank - nc + k] == core[k];
    if (!match) {
      char got[256];
      size_t o = 0;
      got[o++] = '(';
      for (int32_t k = 0; k < rank && o < sizeof got - 24; k++)
        o += (size_t)snprintf(got + o, sizeof got - o, "%s%lld", k ? "," : "", (long long)dims[k]);
      snprintf(got + o, sizeof got - o, ")");
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: .npy shape %s does not end with the dims of input \"%s\" %s (leading 1s "
                    "may be dropped; the dims before them count records)",
                    name, got, t->name, shape);
    }
    uint64_t recs = 1;
    for (int32_t k = 0; k < rank - nc; k++) {
      if (dims[k] != 0 && recs > UINT64_MAX / (uint64_t)dims[k])
        return npy_err(ctx, name, "'shape' describes more elements than fit in memory");
      recs *= (uint64_t)dims[k];
    }
    size_t want;
    if (recs > SIZE_MAX / rec_bytes || !ta_mul_size((size_t)recs, elems * (size_t)eb, &want))
      return npy_err(ctx, name, "'shape' describes more elements than fit in memory");
    if (want != n)
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: .npy data has %zu bytes; its shape and type say %zu", name, n, want);
    if (recs == 0)
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: the .npy array has no records (a 0 in its shape); expected at least one "
                    "record of input \"%s\" %s",
                    name, t->name, shape);
    n_vals = (size_t)recs * elems;
  } else {
    if (len == 0)
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: is empty; expected float32 records of %zu bytes (input \"%s\" %s)", name,
                    rec_bytes, t->name, shape);
    if (len % rec_bytes != 0)
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: has %zu bytes, not a multiple of %zu (one float32 record of input \"%s\" "
                    "%s)",
                    name, len, rec_bytes, t->name, shape);
    n_vals = len / 4;
  }
  float *v = ta_new_array(ctx, n_vals, sizeof *v);
  if (!v)
    return TA_ERR_LIMIT;
  for (size_t i = 0; i < n_vals; i++) {
    double x;
    if (eb == 8) {
      memcpy(&x, p + 8 * i, 8);
    } else {
      float f;
      memcpy(&f, p + 4 * i, 4);
      x = (double)f;
    }
    if (!isfinite(x) || fabs(x) > (double)3.4e38f)
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: record %zu, element %zu is %s; calibration data must be finite", name,
                    i / elems, i % elems,
                    isnan(x)   ? "NaN"
                    : isinf(x) ? "infinite"
                               : "too large for float32");
    v[i] = (float)x;
  }
  *values = v;
  *n_records = (int64_t)(n_vals / elems);
  return TA_OK;
}

ta_status ta_calib_read(ta_ctx *ctx, const ta_graph *g, const char *const *paths, int32_t n_paths,
                        ta_calib_set *set) {
  memset(set, 0, sizeof *set);
  if (g->n_inputs < 1)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "the model has no inputs to calibrate");
  if (n_paths < 1)
    return ta_err(ctx, TA_ERR_USAGE, "no calibration data given (--calibration FILE[,FILE...])");
  if (g->n_inputs > 1 && n_paths != g->n_inputs)
    return ta_err(ctx, TA_ERR_USAGE,
                  "the model has %d inputs, so calibration takes %d files, one per input in "
                  "input order; %d given",
                  g->n_inputs, g->n_inputs, n_paths);
  set->n_inputs = g->n_inputs;
  set->elems = ta_new_array(ctx, (size_t)g->n_inputs, sizeof *set->elems);
  set->data = ta_new_array(ctx, (size_t)g->n_inputs, sizeof *set->data);
  if (!set->elems || !set->data)
    return TA_ERR_LIMIT;
  for (int32_t i = 0; i < g->n_inputs; i++)
    if (!ta_tensor_elems(&g->tensors[g->inputs[i]], &set->elems[i]))
      return ta_tensor_err(g, g->inputs[i], TA_ERR_UNSUPPORTED, "input shape unknown");
  /* The messages name the calibration file, not the model. */
  const char *file = ctx->file;
  ctx->file = NULL;
  ta_status st = TA_OK;
  for (int32_t k = 0; k < n_paths && st == TA_OK; k++) {
    const int32_t in = g->n_inputs > 1 ? k : 0;
    const ta_tensor *t = &g->tensors[g->inputs[in]];
    uint8_t *bytes;
    size_t len;
    float *v;
    int64_t n;
    st = ta_read_file(ctx, paths[k], &bytes, &len);
    if (st == TA_OK)
      st = ta_calib_parse(ctx, paths[k], bytes, len, t, &v, &n);
    if (st != TA_OK)
      break;
    if (g->n_inputs > 1) {
      if (k > 0 && n != set->n_records)
        st = ta_err(ctx, TA_ERR_USAGE,
                    "%s has %lld records for input \"%s\", but %s has %lld for input \"%s\"; "
                    "every input needs the same number",
                    paths[k], (long long)n, t->name, paths[0], (long long)set->n_records,
                    g->tensors[g->inputs[0]].name);
      set->n_records = n;
      set->data[in] = v;
      continue;
    }
    /* One input: records of every file, one after the other. */
    size_t old = (size_t)set->n_records * set->elems[0], add = (size_t)n * set->elems[0], all;
    float *joined = set->data[0];
    if (k > 0) {
      joined = ta_add_size(old, add, &all) ? ta_new_array(ctx, all, sizeof *joined) : NULL;
      if (!joined) {
        st = TA_ERR_LIMIT;
        break;
      }
      memcpy(joined, set->data[0], old * sizeof *joined);
      memcpy(joined + old, v, add * sizeof *joined);
    } else {
      joined = v;
    }
    set->data[0] = joined;
    set->n_records += n;
  }
  ctx->file = file;
  return st;
}
