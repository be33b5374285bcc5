/* SPDX-License-Identifier: Apache-2.0 */
/*
 * calib.c: the calibration data reader: raw float32 records and .npy arrays (the rule for
 * files and inputs is at the top of ta_quantize.h).
 *
 * A calibration file is hostile input like a model: every size comes from the file and is
 * checked before use, the .npy header is read by the one .npy reader (ir/npy.c), and every
 * value must be finite,
 * since one NaN would poison every range computed from it.
 */
#include "ta_quantize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  if (ta_npy_is(data, len)) {
    ta_npy a;
    ta_status st = ta_npy_parse(ctx, name, data, len, &a);
    if (st != TA_OK)
      return st;
    /* Calibration takes float64 too (numpy's default), converted below. */
    if (a.big_endian || a.kind != 'f' || (a.elem_bytes != 4 && a.elem_bytes != 8))
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: .npy data type '%s'; expected little-endian float32 ('<f4') or float64 "
                    "('<f8')",
                    name, a.descr);
    eb = a.elem_bytes;
    p = a.payload;
    n = a.payload_bytes;
    uint64_t recs;
    if ((st = ta_npy_shape_check(ctx, name, &a, t, &recs)) != TA_OK)
      return st;
    size_t want;
    if (recs > SIZE_MAX / rec_bytes || !ta_mul_size((size_t)recs, elems * (size_t)eb, &want))
      return ta_err(ctx, TA_ERR_MALFORMED,
                    "%s: malformed .npy header: 'shape' describes more elements than fit in memory",
                    name);
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
