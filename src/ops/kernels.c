/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernels.c: the runtime kernel table for the compiler, derived from the runtime's own .def
 * files: parameter-struct field descriptors (for codegen), and typed thunks so host
 * evaluation calls each kernel through its real prototype.
 */
#include "ta_ops.h"

#include <string.h>

/* Field descriptor arrays, one per parameter family. */
#define TART_PARAMS_BEGIN(fam) static const ta_field fields_##fam[] = {
#define TART_I32(fam, f) {#f, TA_FIELD_I32, offsetof(tart_##fam##_params, f), 0, NULL, NULL},
#define TART_F32(fam, f) {#f, TA_FIELD_F32, offsetof(tart_##fam##_params, f), 0, NULL, NULL},
#define TART_I32_VEC(fam, f, n)                                                                    \
  {#f, TA_FIELD_I32_VEC, offsetof(tart_##fam##_params, f), n, NULL, NULL},
#define TART_I8_ARR(fam, f, cnt)                                                                   \
  {#f, TA_FIELD_I8_ARR, offsetof(tart_##fam##_params, f), 0, #cnt, NULL},
#define TART_I16_ARR(fam, f, cnt)                                                                  \
  {#f, TA_FIELD_I16_ARR, offsetof(tart_##fam##_params, f), 0, #cnt, NULL},
#define TART_I32_ARR(fam, f, cnt)                                                                  \
  {#f, TA_FIELD_I32_ARR, offsetof(tart_##fam##_params, f), 0, #cnt, NULL},
#define TART_F32_ARR(fam, f, cnt)                                                                  \
  {#f, TA_FIELD_F32_ARR, offsetof(tart_##fam##_params, f), 0, #cnt, NULL},
/* A part is declared (in defs/parts.def) before any family embeds it, so desc_<part> exists. */
#define TART_SUB(fam, f, part)                                                                     \
  {#f, TA_FIELD_SUB, offsetof(tart_##fam##_params, f), 0, NULL, &desc_##part},
#define TART_PARAMS_END(fam)                                                                       \
  }                                                                                                \
  ;                                                                                                \
  static const ta_params_desc desc_##fam = {#fam, sizeof(tart_##fam##_params), fields_##fam,       \
                                            (int32_t)TA_ARRAY_LEN(fields_##fam)};
#define TART_KERNEL(name, fam, src)
#define TART_KERNEL_SCRATCH(name, fam, src)
#include "tart_defs.h"
#include "tart_undef.h"

/* Thunks: cast the untyped params pointer back to the kernel's struct type. */
#define TART_PARAMS_BEGIN(fam)
#define TART_I32(fam, f)
#define TART_F32(fam, f)
#define TART_I32_VEC(fam, f, n)
#define TART_I8_ARR(fam, f, cnt)
#define TART_I16_ARR(fam, f, cnt)
#define TART_I32_ARR(fam, f, cnt)
#define TART_F32_ARR(fam, f, cnt)
#define TART_SUB(fam, f, part)
#define TART_PARAMS_END(fam)
#define TART_KERNEL(name, fam, src)                                                                \
  static tart_status run_##name(const void *p, const void *const *in, void *const *out,            \
                                void *scratch) {                                                   \
    return tart_##name((const tart_##fam##_params *)p, in, out, scratch);                          \
  }
#define TART_KERNEL_SCRATCH(name, fam, src)                                                        \
  TART_KERNEL(name, fam, src)                                                                      \
  static size_t scratch_##name(const void *p) {                                                    \
    return tart_##name##_scratch_size((const tart_##fam##_params *)p);                             \
  }
#include "tart_defs.h"
#include "tart_undef.h"

#define TART_PARAMS_BEGIN(fam)
#define TART_I32(fam, f)
#define TART_F32(fam, f)
#define TART_I32_VEC(fam, f, n)
#define TART_I8_ARR(fam, f, cnt)
#define TART_I16_ARR(fam, f, cnt)
#define TART_I32_ARR(fam, f, cnt)
#define TART_F32_ARR(fam, f, cnt)
#define TART_SUB(fam, f, part)
#define TART_PARAMS_END(fam)
#define TART_KERNEL(name, fam, src) {#name, src, &desc_##fam, run_##name, NULL},
#define TART_KERNEL_SCRATCH(name, fam, src) {#name, src, &desc_##fam, run_##name, scratch_##name},
static const ta_kernel_info kernels[] = {
#include "tart_defs.h"
    {NULL, NULL, NULL, NULL, NULL}, /* keeps the array non-empty while families are empty */
};
#include "tart_undef.h"
_Static_assert(TA_ARRAY_LEN(kernels) == TA_K_COUNT + 1, "one entry per kernel id");

const ta_kernel_info *ta_kernel_get(int32_t id) {
  return (id >= 0 && id < TA_K_COUNT) ? &kernels[id] : NULL;
}

bool ta_params_get_i32(const ta_params_desc *d, const void *params, const char *field,
                       int32_t *value) {
  /* "part.field" names a field of an embedded part (clamp.min, rq.out_zp). */
  const char *dot = strchr(field, '.');
  const size_t n = dot ? (size_t)(dot - field) : strlen(field);
  for (int32_t i = 0; i < d->n_fields; i++) {
    const ta_field *f = &d->fields[i];
    if (strlen(f->name) != n || strncmp(f->name, field, n) != 0)
      continue;
    if (dot && f->kind == TA_FIELD_SUB)
      return ta_params_get_i32(f->part, (const char *)params + f->offset, dot + 1, value);
    if (!dot && f->kind == TA_FIELD_I32) {
      memcpy(value, (const char *)params + f->offset, sizeof(int32_t));
      return true;
    }
  }
  return false;
}

/* Bytes of the arrays of the struct at params described by d, parts included. */
static size_t array_bytes(const ta_params_desc *d, const void *params) {
  static const size_t elem[] = {[TA_FIELD_I8_ARR] = 1,
                                [TA_FIELD_I16_ARR] = 2,
                                [TA_FIELD_I32_ARR] = 4,
                                [TA_FIELD_F32_ARR] = 4};
  size_t total = 0;
  for (int32_t f = 0; f < d->n_fields; f++) {
    const ta_field *fd = &d->fields[f];
    if (fd->kind == TA_FIELD_SUB) {
      total += array_bytes(fd->part, (const char *)params + fd->offset);
      continue;
    }
    const void *arr;
    int32_t count;
    if (fd->kind < TA_FIELD_I8_ARR)
      continue;
    memcpy(&arr, (const char *)params + fd->offset, sizeof arr);
    if (arr && ta_params_get_i32(d, params, fd->count_field, &count) && count > 0)
      total += (size_t)count * elem[fd->kind];
  }
  return total;
}

size_t ta_params_array_bytes(const ta_kernel_call *call) {
  const ta_kernel_info *k = call->kernel >= 0 ? ta_kernel_get(call->kernel) : NULL;
  if (!k || !call->params)
    return 0;
  return array_bytes(k->params, call->params);
}
