/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_codegen.h: the C emitter. Turns a prepared, planned graph into a self-contained C99
 * library held in memory (a fileset), so the same code serves the CLI (written to disk
 * atomically by the target module) and tests/fuzzers (never touching the file system).
 *
 * Output, for model name NAME:
 *   NAME.h          public API (extern "C"): sizes, shapes, dimensions, dtypes, quantization
 *                   as macros; NAME_run; NAME_profile_hook (called with NAME_PROFILE)
 *   NAME.c          constant kernel parameter structs and the straight-line run function
 *   NAME_weights.c  constant tensors (const, aligned: they go to flash)
 *   tart/...        the runtime headers and the kernel sources this model uses (what the
 *                   backends of its ops ship: ta_backend.h)
 *   NAME.cmake      CMake fragment: include() it, link the NAME library (which links the
 *                   runtime library tart, shared by every model of the build)
 *   NAME.mk         Makefile fragment: NAME_SRCS (the runtime sources no model before listed),
 *                   NAME_CFLAGS, NAME_LDLIBS; TART_SRCS, each runtime source once
 */
#ifndef TA_CODEGEN_H
#define TA_CODEGEN_H

#include "ta_backend.h"
#include "ta_plan.h"

typedef struct ta_file {
  const char *path; /* relative to the output directory, '/' separated */
  const char *data;
  size_t len;
} ta_file;

typedef struct ta_fileset {
  ta_file *files;
  int32_t n, cap;
  /* What builds the library, as NAME.cmake and NAME.mk list it: the sources of the backends
   * (after NAME.c and NAME_weights.c), include folders and extra compiler flags. Paths are
   * relative to the output directory, or absolute for files of a library checkout (not in
   * files[]); the host and firmware builders compile from this list. */
  ta_backend_files build;
} ta_fileset;

typedef struct ta_cgen_options {
  const char *name;   /* C identifier used as prefix of every symbol */
  const char *source; /* model file name, quoted in the banner */
} ta_cgen_options;

/* true when s is a valid model name: a C identifier of at most 48 characters. */
bool ta_cgen_valid_name(const char *s);

/* Emit the library into fs (allocated in the graph's context). */
ta_status ta_cgen_emit(ta_graph *g, const ta_kernel_call *calls, const ta_plan *plan,
                       const ta_cgen_options *opt, ta_fileset *fs);

/* Find a file of the set by path; NULL if absent. */
const ta_file *ta_fileset_find(const ta_fileset *fs, const char *path);

#endif
