/* SPDX-License-Identifier: Apache-2.0 */
/* ta_codegen.h: being written. */
#ifndef TA_CODEGEN_H
#define TA_CODEGEN_H
#include <stddef.h>

/* A runtime file embedded at build time: path relative to runtime/ ("include/tart.h"). */
typedef struct ta_embedded_file {
  const char *path;
  const char *data;
  size_t len;
} ta_embedded_file;

/* NULL-path-terminated. */
extern const ta_embedded_file ta_runtime_files[];
#endif
