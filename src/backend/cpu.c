/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu.c: the CPU backend, tinyaot's own runtime (runtime/). It takes every op; each runs as
 * one call tart_<kernel>(params, in, out, scratch) of the kernel the schedule stage picked,
 * and the model ships the runtime headers plus the source of each kernel it uses (each
 * source once), from the copies embedded in the compiler.
 */
#include "ta_backend.h"

#include <stdio.h>
#include <string.h>

static ta_status cpu_emit_call(const ta_backend *be, const ta_graph *g, const ta_op *op,
                               const ta_kernel_call *call, const ta_backend_site *site, ta_buf *b) {
  (void)be;
  const ta_kernel_info *k = ta_kernel_get(call->kernel);
  if (!k)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "no runtime kernel with id %d", call->kernel);
  ta_buf_printf(b, "    st = tart_%s(%s, %s, %s, %s);\n", k->name, site->params, site->in,
                site->out, site->scratch);
  return TA_OK;
}

static ta_status cpu_emit_files(const ta_backend *be, const ta_graph *g,
                                const ta_kernel_call *calls, ta_backend_files *out) {
  ta_ctx *ctx = g->ctx;
  /* The kernel sources, in kernel id order (the order of the build files). */
  bool used[TA_K_COUNT] = {false};
  for (int32_t i = 0; i < g->n_ops; i++) {
    const ta_backend *of = ta_backend_of(&calls[i]);
    if (calls[i].kernel >= 0 && calls[i].kernel < TA_K_COUNT && (of == be || of->reference_kernels))
      used[calls[i].kernel] = true;
  }
  const char *srcs[TA_K_COUNT];
  int32_t n_srcs = 0;
  for (int32_t k = 0; k < TA_K_COUNT; k++) {
    if (!used[k])
      continue;
    const char *s = ta_kernel_get(k)->source;
    bool seen = false;
    for (int32_t j = 0; j < n_srcs; j++)
      seen = seen || strcmp(srcs[j], s) == 0;
    if (!seen)
      srcs[n_srcs++] = s;
  }
  /* Every header, and the sources used, in the order they are embedded. */
  bool *shipped = ta_new_array(ctx, (size_t)(n_srcs ? n_srcs : 1), sizeof(bool));
  if (!shipped)
    return TA_ERR_LIMIT;
  ta_status st = TA_OK;
  for (const ta_embedded_file *f = ta_runtime_files; f->path && st == TA_OK; f++) {
    bool ship = strncmp(f->path, "include/", 8) == 0;
    for (int32_t j = 0; j < n_srcs && !ship; j++) {
      char want[256];
      snprintf(want, sizeof want, "src/%s.c", srcs[j]);
      if (strcmp(f->path, want) == 0)
        ship = shipped[j] = true;
    }
    if (!ship)
      continue;
    char *p = ta_fmt(ctx, "tart/%s", f->path);
    st = p ? ta_backend_files_add(out, p, f->data, f->len) : TA_ERR_LIMIT;
  }
  for (int32_t j = 0; j < n_srcs && st == TA_OK; j++) {
    if (!shipped[j])
      return ta_err(ctx, TA_ERR_INTERNAL,
                    "runtime source tart/src/%s.c is not embedded in this build", srcs[j]);
    char *p = ta_fmt(ctx, "tart/src/%s.c", srcs[j]);
    st = p ? ta_backend_files_source(out, p) : TA_ERR_LIMIT;
  }
  if (st == TA_OK)
    st = ta_backend_files_include(out, "tart/include");
  return st;
}

const ta_backend ta_backend_cpu = {
    .name = "cpu",
    .runtime_kernels = true,
    .claims = NULL,
    .prepare = NULL,
    .emit_call = cpu_emit_call,
    .emit_files = cpu_emit_files,
    .data = NULL,
};
