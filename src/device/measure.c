/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure.c: what the commands measure on a target, written once: the comparison of an output
 * with its reference (bench, eval, onnx-test and the golden tests' tensor_cmp all use it, each
 * with its tolerance), the flash and RAM accounting of a firmware, the reference vectors'
 * xorshift inputs, and the loop that streams records through an open device session.
 */
#include <math.h>
#include <string.h>

#include "ta_device.h"
#include "ta_session.h"

double ta_device_elem(ta_dtype dt, const uint8_t *p, size_t i) {
  switch (dt) {
  case TA_DT_F32: {
    float f;
    memcpy(&f, p + 4 * i, 4);
    return (double)f;
  }
  case TA_DT_I8: return (double)(int8_t)p[i];
  case TA_DT_U8:
  case TA_DT_BOOL: return (double)p[i];
  case TA_DT_I16: {
    int16_t v;
    memcpy(&v, p + 2 * i, 2);
    return (double)v;
  }
  case TA_DT_U16: {
    uint16_t v;
    memcpy(&v, p + 2 * i, 2);
    return (double)v;
  }
  case TA_DT_I32: {
    int32_t v;
    memcpy(&v, p + 4 * i, 4);
    return (double)v;
  }
  case TA_DT_U32: {
    uint32_t v;
    memcpy(&v, p + 4 * i, 4);
    return (double)v;
  }
  case TA_DT_I64: {
    int64_t v;
    memcpy(&v, p + 8 * i, 8);
    return (double)v;
  }
  case TA_DT_U64: {
    uint64_t v;
    memcpy(&v, p + 8 * i, 8);
    return (double)v;
  }
  default: return 0.0;
  }
}

bool ta_device_compare(ta_dtype dt, const uint8_t *want, const uint8_t *got, size_t bytes,
                       const ta_device_tol *tol, ta_device_cmp *r) {
  memset(r, 0, sizeof *r);
  r->match = true;
  if (dt != TA_DT_F32) {
    /* Integers: identical bytes; the first differing byte names its element. */
    const size_t w = ta_dtype_size(dt) ? ta_dtype_size(dt) : 1;
    r->n_elems = bytes / w;
    for (size_t i = 0; i < bytes; i++)
      if (want[i] != got[i]) {
        r->match = false;
        r->bad_byte = i;
        r->bad_elem = i / w;
        r->want = ta_device_elem(dt, want, r->bad_elem);
        r->got = ta_device_elem(dt, got, r->bad_elem);
        break;
      }
    return r->match;
  }
  r->n_elems = bytes / 4;
  for (size_t i = 0; i < r->n_elems; i++) {
    const double b = ta_device_elem(TA_DT_F32, want, i), a = ta_device_elem(TA_DT_F32, got, i);
    if (tol->nan_equal && ((isnan(a) && isnan(b)) || a == b))
      continue; /* NaN for NaN, or equal infinities */
    const double err = fabs(a - b);
    const double scale = tol->rtol_floor_one ? fmax(1.0, fabs(b)) : fabs(b);
    if (err > r->max_err)
      r->max_err = err;
    if (!(err <= tol->atol + tol->rtol * scale) && r->match) {
      r->match = false;
      r->bad_elem = i;
      r->bad_byte = 4 * i;
      r->want = b;
      r->got = a;
      r->bad_err = err;
      r->bad_bound = tol->atol + tol->rtol * scale;
      if (tol->stop_at_first)
        break;
    }
  }
  return r->match;
}

uint64_t ta_fw_flash_bytes(const ta_fw_sizes *s) {
  return s->text + s->rodata + s->data;
}

uint64_t ta_fw_model_flash_bytes(const ta_fw_sizes *s) {
  return s->model_text + s->model_rodata + s->model_data;
}

uint64_t ta_fw_ram_bytes(const ta_fw_sizes *s, const ta_fw_memstats *m) {
  return s->arena + m->stack_used + s->data + s->bss;
}

void ta_device_fill_xorshift(const ta_tensor *t, int32_t k, uint8_t *p, size_t elems) {
  uint32_t s = 0x12345678u + (uint32_t)k;
  for (size_t i = 0; i < elems; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    switch (t->dtype) {
    case TA_DT_I8:
    case TA_DT_U8:
    case TA_DT_BOOL: p[i] = (uint8_t)(s >> 24); break;
    case TA_DT_I16: {
      uint16_t v = (uint16_t)(s >> 16);
      memcpy(p + 2 * i, &v, 2);
      break;
    }
    case TA_DT_F32: {
      float v = ((float)(s >> 8) / 16777216.0f) * 2.0f - 1.0f;
      memcpy(p + 4 * i, &v, 4);
      break;
    }
    default: {
      size_t w = ta_dtype_size(t->dtype);
      for (size_t b = 0; b < w; b++)
        p[w * i + b] = (uint8_t)(b < 4 ? s >> (8 * b) : 0);
      break;
    }
    }
  }
}

ta_status ta_device_profile_record(ta_ctx *ctx, ta_device_link *d, const ta_board *b, int32_t n_ops,
                                   const uint8_t *input, size_t in_bytes, uint64_t *layer_insns) {
  uint32_t *ticks = ta_new_array(ctx, (size_t)n_ops + 1, sizeof *ticks);
  if (!ticks)
    return TA_ERR_LIMIT;
  int32_t model_status = 0;
  uint32_t total = 0;
  ta_status st = ta_session_load_input(d->s, 0, input, in_bytes);
  if (st == TA_OK)
    st = ta_session_run(d->s, true, &model_status, &total);
  if (st == TA_OK && model_status != 0)
    st = ta_err(ctx, TA_ERR_INTERNAL, "%s: the model's run function returned %d", d->peer,
                model_status);
  if (st == TA_OK)
    st = ta_session_profile(d->s, n_ops, ticks);
  const uint32_t ipt = ta_board_insns_per_tick(b);
  for (int32_t i = 0; i < n_ops && st == TA_OK; i++)
    layer_insns[i] = (uint64_t)ticks[i] * ipt;
  return st;
}

ta_status ta_device_run_records(ta_ctx *ctx, ta_device_link *d, const ta_board *b,
                                const uint8_t *inputs, size_t in_bytes, int64_t n, uint8_t *out,
                                size_t out_bytes, ta_device_record_fn each, void *user) {
  const uint32_t ipt = ta_board_insns_per_tick(b);
  ta_status st = TA_OK;
  for (int64_t k = 0; k < n && st == TA_OK; k++) {
    int32_t model_status = 0;
    uint32_t ticks = 0;
    st = ta_session_load_input(d->s, 0, inputs + (size_t)k * in_bytes, in_bytes);
    if (st == TA_OK)
      st = ta_session_run(d->s, false, &model_status, &ticks);
    if (st == TA_OK && model_status != 0)
      st = ta_err(ctx, TA_ERR_INTERNAL, "%s: the model's run function returned %d on record %lld",
                  d->peer, model_status, (long long)k);
    if (st == TA_OK)
      st = ta_session_read_output(d->s, 0, out, out_bytes);
    if (st == TA_OK)
      st = each(user, k, out, (uint64_t)ticks * ipt);
  }
  return st;
}
