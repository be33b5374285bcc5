/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_backend.h: the backend seam. A backend runs some of a model's ops: it claims them
 * (saying why when it declines), readies them, emits the C statement that calls each one in
 * the generated run function, and lists the files (sources, headers) and build entries it
 * ships with the model. The partition stage gives every op to the first backend that claims
 * it; the CPU backend (tinyaot's own runtime kernels) takes whatever is left.
 *
 * Order in the pipeline: prepare -> partition (here) -> schedule -> plan -> codegen. A
 * backend with runtime_kernels runs the kernel variants the schedule stage picks; any other
 * backend calls functions of its own with the op's reference parameters.
 */
#ifndef TA_BACKEND_H
#define TA_BACKEND_H

#include "ta_ops.h"

/* A file embedded into the compiler at build time (ta_embed): path relative to its root. */
typedef struct ta_embedded_file {
  const char *path;
  const char *data;
  size_t len;
} ta_embedded_file;

/* The runtime's files (path relative to runtime/: "include/tart.h", "src/conv2d_s8.c"),
 * terminated by an entry with a NULL path. The CPU backend ships them. */
extern const ta_embedded_file ta_runtime_files[];

/* One file a backend ships with the generated code. */
typedef struct ta_backend_file {
  const char *path; /* relative to the output directory, '/' separated: "tart/include/tart.h" */
  const char *data;
  size_t len;
} ta_backend_file;

/* What a backend ships with a model: its files, and its entries in the build fragments. Lists
 * grow in the context arena; order is kept (it is the order of the build files). */
typedef struct ta_backend_files {
  ta_ctx *ctx;
  ta_backend_file *files;
  int32_t n_files, cap_files;
  const char **sources; /* paths (of files above) to compile */
  int32_t n_sources, cap_sources;
  const char **include_dirs; /* include folders, relative to the output directory */
  int32_t n_include_dirs, cap_include_dirs;
  const char **cflags; /* extra compiler flags for every source of the model, as written */
  int32_t n_cflags, cap_cflags;
} ta_backend_files;

void ta_backend_files_init(ta_backend_files *f, ta_ctx *ctx);
/* Append to a list; TA_ERR_LIMIT when out of memory. Strings are not copied. */
ta_status ta_backend_files_add(ta_backend_files *f, const char *path, const char *data, size_t len);
ta_status ta_backend_files_source(ta_backend_files *f, const char *path);
ta_status ta_backend_files_include(ta_backend_files *f, const char *dir);
ta_status ta_backend_files_cflag(ta_backend_files *f, const char *flag);
/* Sources and include folders are relative to the output directory, except an absolute path
 * ('/' first): a file of the user's own checkout (a vendor library such as CMSIS-NN), which
 * the build fragments and the host and firmware builders use where it is, never copied. */

/* C expressions, valid inside the generated NAME_run, that codegen hands a backend to call
 * one op. */
typedef struct ta_backend_site {
  const char *params;  /* "&kws_p3": the op's constant tart_<family>_params struct */
  const char *in;      /* "in": const void *const[], the inputs in call->in order (NULL: absent) */
  const char *out;     /* "out": void *const[], the outputs in call->out order */
  const char *scratch; /* "a + 1024": the op's planned scratch; "NULL" when it has none */
} ta_backend_site;

typedef struct ta_backend ta_backend;
struct ta_backend {
  const char *name; /* "cpu"; what inspect and messages show */
  /* Runs ops with tinyaot's runtime kernels: the schedule stage picks their variants. */
  bool runtime_kernels;
  /* Its ops keep their reference runtime kernel's source in the output, though the CPU does
   * not call it: a modelled accelerator computes with them (a description with "cost"). */
  bool reference_kernels;
  /* Whether the backend takes op (checked, prepared: call holds the reference parameters).
   * When it does not, a short reason goes into why ("filter 5x5: takes 1x1 and 3x3 only").
   * NULL: takes every op. */
  bool (*claims)(const ta_backend *be, const ta_graph *g, const ta_op *op,
                 const ta_kernel_call *call, char *why, size_t why_cap);
  /* Ready an op the backend took (its own constants, re-laid-out weights). Reports through
   * the context and returns a status. NULL: nothing to do. */
  ta_status (*prepare)(const ta_backend *be, ta_graph *g, const ta_op *op, ta_kernel_call *call);
  /* Emit into b the statements that run op inside NAME_run: each line indented by four
   * spaces, setting `st` (tart_status; anything but TART_OK fails the run). */
  ta_status (*emit_call)(const ta_backend *be, const ta_graph *g, const ta_op *op,
                         const ta_kernel_call *call, const ta_backend_site *site, ta_buf *b);
  /* List the files and build entries the backend ships for the ops of calls[] (g->n_ops of
   * them) it runs. Codegen asks the CPU backend always (the generated code includes the
   * runtime headers), any other backend when it runs an op. */
  ta_status (*emit_files)(const ta_backend *be, const ta_graph *g, const ta_kernel_call *calls,
                          ta_backend_files *out);
  const void *data; /* the backend's own description (a description file's contents) */
};

/* The shipped runtime: every op, tart_<kernel>(params, in, out, scratch). */
extern const ta_backend ta_backend_cpu;

/* A backend declared by a description file (ta_backend_desc.h), made into a ta_backend:
 * claims what the description accepts (the failing constraint is the reason), sets each
 * claimed op's scratch from the operator's "scratch" expression, calls the declared function
 * with the runtime kernels' arguments, and ships its files. The backend's own sources (those
 * inside the description's folder, such as adapters) are read now and copied into the output
 * under <backend name>/; sources elsewhere (a library checkout) are referenced by absolute
 * path. Reports (IO naming the file) and returns a status; the result lives in the arena. */
struct ta_backend_desc;
ta_status ta_backend_from_desc(ta_ctx *ctx, const struct ta_backend_desc *d, ta_backend **out);

/* The cost fields of a description backend's accelerator, NULL for any other backend or a
 * description without "cost". */
struct ta_backend_cost;
const struct ta_backend_cost *ta_backend_cost_of(const ta_backend *be);

/* The memory pool a description backend's operands must live in (its "memory_pool"), NULL for
 * any other backend or a description without one; *desc_path (when not NULL) receives the
 * description file's name, for messages. The planner places the pool's tensors. */
struct ta_backend_pool;
const struct ta_backend_pool *ta_backend_pool_of(const ta_backend *be, const char **desc_path);

/* The backend of a call: the one partition gave it, the CPU backend when none did. */
const ta_backend *ta_backend_of(const ta_kernel_call *call);

/* Partition: give every op of g to the first of backends[0..n) that claims it, else to the
 * CPU backend, and run that backend's prepare step. Records the backend in calls[i].backend
 * and the first refusal's reason ("NAME: why") in calls[i].backend_declined. backends may be
 * NULL when n_backends is 0 (everything on the CPU). */
ta_status ta_backend_partition(ta_graph *g, ta_kernel_call *calls,
                               const ta_backend *const *backends, int32_t n_backends);

#endif
