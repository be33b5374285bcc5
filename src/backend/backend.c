/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend.c: the partition stage and the file lists backends fill (see ta_backend.h).
 */
#include "ta_backend.h"

#include <string.h>

void ta_backend_files_init(ta_backend_files *f, ta_ctx *ctx) {
  memset(f, 0, sizeof *f);
  f->ctx = ctx;
}

/* Room for one more element of size `size` in *items (n used, cap allocated). The lists are
 * short (a model's kernel sources): a full one moves to a block twice its size in the arena. */
static bool grow(ta_ctx *ctx, void **items, int32_t n, int32_t *cap, size_t size) {
  if (n < *cap)
    return true;
  const int32_t want = *cap ? *cap * 2 : 16;
  void *p = ta_new_array(ctx, (size_t)want, size);
  if (!p)
    return false;
  if (n > 0)
    memcpy(p, *items, (size_t)n * size);
  *items = p;
  *cap = want;
  return true;
}

ta_status ta_backend_files_add(ta_backend_files *f, const char *path, const char *data,
                               size_t len) {
  void *items = f->files;
  if (!grow(f->ctx, &items, f->n_files, &f->cap_files, sizeof *f->files))
    return TA_ERR_LIMIT;
  f->files = items;
  f->files[f->n_files++] = (ta_backend_file){path, data, len};
  return TA_OK;
}

static ta_status add_str(ta_ctx *ctx, const char ***list, int32_t *n, int32_t *cap, const char *s) {
  void *items = *list;
  if (!grow(ctx, &items, *n, cap, sizeof **list))
    return TA_ERR_LIMIT;
  *list = items;
  (*list)[(*n)++] = s;
  return TA_OK;
}

ta_status ta_backend_files_source(ta_backend_files *f, const char *path) {
  return add_str(f->ctx, &f->sources, &f->n_sources, &f->cap_sources, path);
}

ta_status ta_backend_files_include(ta_backend_files *f, const char *dir) {
  return add_str(f->ctx, &f->include_dirs, &f->n_include_dirs, &f->cap_include_dirs, dir);
}

ta_status ta_backend_files_cflag(ta_backend_files *f, const char *flag) {
  return add_str(f->ctx, &f->cflags, &f->n_cflags, &f->cap_cflags, flag);
}

const ta_backend *ta_backend_of(const ta_kernel_call *call) {
  return call->backend ? call->backend : &ta_backend_cpu;
}

ta_status ta_backend_partition(ta_graph *g, ta_kernel_call *calls,
                               const ta_backend *const *backends, int32_t n_backends) {
  ta_status result = TA_OK;
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_op *op = &g->ops[i];
    ta_kernel_call *c = &calls[i];
    c->backend = &ta_backend_cpu;
    c->backend_declined = NULL;
    /* An op without code (folded) runs nowhere: the CPU keeps it. */
    for (int32_t b = 0; b < n_backends && c->kernel >= 0; b++) {
      const ta_backend *be = backends[b];
      char why[160] = "";
      if (be->claims && !be->claims(be, g, op, c, why, sizeof why)) {
        if (!c->backend_declined)
          c->backend_declined = ta_fmt(g->ctx, "%s: %s", be->name, why[0] ? why : "declined");
        continue;
      }
      c->backend = be;
      break;
    }
    const ta_backend *be = c->backend;
    ta_status st = be->prepare && c->kernel >= 0 ? be->prepare(be, g, op, c) : TA_OK;
    if (st != TA_OK && result == TA_OK)
      result = st;
    if (g->ctx->oom)
      return TA_ERR_LIMIT;
  }
  return result;
}
