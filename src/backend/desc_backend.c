/* SPDX-License-Identifier: Apache-2.0 */
/*
 * desc_backend.c: a backend declared by a description file (ta_backend_desc.h), as a
 * ta_backend the partition stage and codegen use like the CPU backend.
 *
 * The description says everything: which ops it takes (the constraint evaluator answers, and
 * its reason is what inspect shows for a declined op), how much scratch each call needs (the
 * op's "scratch" expression; the planner gives it arena memory like a kernel's scratch), which
 * function to call (always with the runtime kernels' arguments: the op's reference parameter
 * struct, inputs, outputs, scratch) and what to build. Its files split in two: the backend's
 * own code, inside the description's folder (adapters, drivers), is read here once and shipped
 * with the model under <backend name>/ like the runtime's tart/; anything else (a vendor
 * library's checkout such as CMSIS-NN) stays where it is and the build fragments and builders
 * name it by absolute path. Reading happens here, when the backend is made, so codegen stays
 * free of file access.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_backend.h"
#include "ta_backend_desc.h"

/* What a description backend holds beyond the description. */
typedef struct desc_data {
  const ta_backend_desc *d;
  ta_backend_files files; /* the files, sources, include folders and flags it ships */
} desc_data;

static const desc_data *data_of(const ta_backend *be) {
  return be->data;
}

static bool desc_claims(const ta_backend *be, const ta_graph *g, const ta_op *op,
                        const ta_kernel_call *call, char *why, size_t why_cap) {
  const ta_backend_desc *d = data_of(be)->d;
  if (!ta_backend_desc_accepts(d, g, op, why, why_cap))
    return false;
  if (!ta_kernel_get(call->kernel)) {
    snprintf(why, why_cap, "no parameter struct for this op");
    return false;
  }
  const ta_backend_op *o = ta_backend_desc_op_find(d, op->kind);
  if (o->scratch) {
    ta_backend_dims dims;
    int64_t bytes;
    char err[160];
    if (!ta_backend_op_dims(g, op, &dims)) {
      snprintf(why, why_cap, "shape unknown (needed for its scratch size)");
      return false;
    }
    if (!ta_backend_scratch_eval(o->scratch, &dims, &bytes, err, sizeof err)) {
      snprintf(why, why_cap, "scratch \"%s\": %s", o->scratch, err);
      return false;
    }
  }
  return true;
}

/* The call's scratch is the backend's, not the reference kernel's. */
static ta_status desc_prepare(const ta_backend *be, ta_graph *g, const ta_op *op,
                              ta_kernel_call *call) {
  const ta_backend_op *o = ta_backend_desc_op_find(data_of(be)->d, op->kind);
  call->scratch_bytes = 0;
  if (!o || !o->scratch)
    return TA_OK;
  ta_backend_dims dims;
  int64_t bytes = 0;
  char err[160] = "shape unknown";
  if (!ta_backend_op_dims(g, op, &dims) ||
      !ta_backend_scratch_eval(o->scratch, &dims, &bytes, err, sizeof err))
    return ta_op_err(g, op, TA_ERR_INTERNAL, "backend %s: scratch \"%s\": %s", be->name, o->scratch,
                     err);
  call->scratch_bytes = (size_t)bytes;
  return TA_OK;
}

static ta_status desc_emit_call(const ta_backend *be, const ta_graph *g, const ta_op *op,
                                const ta_kernel_call *call, const ta_backend_site *site,
                                ta_buf *b) {
  const ta_backend_op *o = ta_backend_desc_op_find(data_of(be)->d, op->kind);
  const ta_kernel_info *k = ta_kernel_get(call->kernel);
  if (!o || !k)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "backend %s cannot call this op", be->name);
  /* Declared where it is called: the generated file has no per-backend header to include. */
  ta_buf_printf(b,
                "    extern tart_status %s(const tart_%s_params *p, const void *const *in,\n"
                "                          void *const *out, void *scratch);\n",
                o->function, k->params->family);
  ta_buf_printf(b, "    st = %s(%s, %s, %s, %s); /* %s */\n", o->function, site->params, site->in,
                site->out, site->scratch, be->name);
  return TA_OK;
}

static ta_status desc_emit_files(const ta_backend *be, const ta_graph *g,
                                 const ta_kernel_call *calls, ta_backend_files *out) {
  (void)g;
  (void)calls;
  const ta_backend_files *f = &data_of(be)->files;
  ta_status st = TA_OK;
  for (int32_t i = 0; i < f->n_files && st == TA_OK; i++)
    st = ta_backend_files_add(out, f->files[i].path, f->files[i].data, f->files[i].len);
  for (int32_t i = 0; i < f->n_sources && st == TA_OK; i++)
    st = ta_backend_files_source(out, f->sources[i]);
  for (int32_t i = 0; i < f->n_include_dirs && st == TA_OK; i++)
    st = ta_backend_files_include(out, f->include_dirs[i]);
  for (int32_t i = 0; i < f->n_cflags && st == TA_OK; i++)
    st = ta_backend_files_cflag(out, f->cflags[i]);
  return st;
}

/* The canonical absolute form of an existing path (in the arena), or NULL after reporting. */
static char *absolute(ta_ctx *ctx, const ta_backend_desc *d, const char *path) {
  char buf[PATH_MAX];
  if (!realpath(path, buf)) {
    ta_err(ctx, TA_ERR_IO, "%s: \"%s\": %s", d->path, path, strerror(errno));
    return NULL;
  }
  char *s = ta_strdup(ctx, buf);
  if (!s)
    ta_err(ctx, TA_ERR_LIMIT, "out of memory");
  return s;
}

/* The path below root ("a/b.c" for root/a/b.c), or NULL when path is not inside root. */
static const char *inside(const char *root, const char *path) {
  size_t n = strlen(root);
  return strncmp(path, root, n) == 0 && path[n] == '/' ? path + n + 1 : NULL;
}

/* Read one of the backend's own files into the list, shipped as <backend name>/<rel>. */
static ta_status ship(ta_ctx *ctx, const ta_backend_desc *d, desc_data *dd, const char *abs,
                      const char *rel, const char **shipped) {
  uint8_t *data;
  size_t len;
  ta_status st = ta_read_file(ctx, abs, &data, &len);
  if (st != TA_OK)
    return st;
  char *p = ta_fmt(ctx, "%s/%s", d->name, rel);
  if (!p)
    return TA_ERR_LIMIT;
  *shipped = p;
  return ta_backend_files_add(&dd->files, p, (const char *)data, len);
}

ta_status ta_backend_from_desc(ta_ctx *ctx, const ta_backend_desc *d, ta_backend **out) {
  *out = NULL;
  ta_backend *be = ta_new(ctx, sizeof *be);
  desc_data *dd = ta_new(ctx, sizeof *dd);
  if (!be || !dd)
    return TA_ERR_LIMIT;
  dd->d = d;
  ta_backend_files_init(&dd->files, ctx);
  char *root = absolute(ctx, d, d->dir && d->dir[0] ? d->dir : ".");
  if (!root)
    return ctx->oom ? TA_ERR_LIMIT : TA_ERR_IO;
  ta_status st = TA_OK;
  for (int32_t i = 0; i < d->n_sources && st == TA_OK; i++) {
    char *abs = absolute(ctx, d, d->sources[i]);
    const char *rel = abs ? inside(root, abs) : NULL;
    const char *src = abs;
    if (!abs)
      st = ctx->oom ? TA_ERR_LIMIT : TA_ERR_IO;
    else if (rel)
      st = ship(ctx, d, dd, abs, rel, &src);
    if (st == TA_OK)
      st = ta_backend_files_source(&dd->files, src);
  }
  for (int32_t i = 0; i < d->n_include_dirs && st == TA_OK; i++) {
    char *abs = absolute(ctx, d, d->include_dirs[i]);
    const char *rel = abs ? inside(root, abs) : NULL;
    const char *inc = abs;
    if (!abs) {
      st = ctx->oom ? TA_ERR_LIMIT : TA_ERR_IO;
      break;
    }
    if (rel) {
      /* The backend's own headers travel with the model, like its sources. */
      inc = ta_fmt(ctx, "%s/%s", d->name, rel);
      DIR *dir = opendir(abs);
      if (!dir)
        st = ta_err(ctx, TA_ERR_IO, "%s: include folder \"%s\": %s", d->path, abs, strerror(errno));
      for (struct dirent *e; st == TA_OK && dir && (e = readdir(dir));) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0)
          continue;
        char *file = ta_fmt(ctx, "%s/%s", abs, e->d_name);
        char *frel = ta_fmt(ctx, "%s/%s", rel, e->d_name);
        const char *shipped;
        st = file && frel ? ship(ctx, d, dd, file, frel, &shipped) : TA_ERR_LIMIT;
      }
      if (dir)
        closedir(dir);
    }
    if (st == TA_OK)
      st = inc ? ta_backend_files_include(&dd->files, inc) : TA_ERR_LIMIT;
  }
  for (int32_t i = 0; i < d->n_cflags && st == TA_OK; i++)
    st = ta_backend_files_cflag(&dd->files, d->cflags[i]);
  if (st != TA_OK)
    return st;
  *be = (ta_backend){
      .name = d->name,
      .runtime_kernels = false,
      .reference_kernels = d->has_cost,
      .claims = desc_claims,
      .prepare = desc_prepare,
      .emit_call = desc_emit_call,
      .emit_files = desc_emit_files,
      .data = dd,
  };
  *out = be;
  return TA_OK;
}

const ta_backend_cost *ta_backend_cost_of(const ta_backend *be) {
  if (!be || be->emit_call != desc_emit_call)
    return NULL;
  const ta_backend_desc *d = data_of(be)->d;
  return d->has_cost ? &d->cost : NULL;
}

const ta_backend_pool *ta_backend_pool_of(const ta_backend *be, const char **desc_path) {
  if (!be || be->emit_call != desc_emit_call)
    return NULL;
  const ta_backend_desc *d = data_of(be)->d;
  if (desc_path)
    *desc_path = d->path;
  return d->has_pool ? &d->pool : NULL;
}
